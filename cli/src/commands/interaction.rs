//! `relate interaction`: logged contacts as records of their own (`relate
//! log` adds them).

use relate::model::{Interaction, Kind};
use relate::output::Format;

use super::log::interactions_table;
use super::{remove, set};
use crate::ui::{Ui, id_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Change fields of a logged contact.
    ///
    /// FIELD=VALUE sets a field; an empty VALUE unsets it. Fields: external_id,
    /// customer (to move a contact logged on the wrong customer), at, channel,
    /// direction, purpose, owner, summary, body, deal, ticket, campaign,
    /// follow_up, score, message_id.
    Set(set::SetArgs),
    /// Remove a logged contact (see `relate undo`).
    Remove(remove::RemoveArgs),
    Show(ShowArgs),
}

/// Show one logged contact, with its body.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    id: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Set(args) => set::run::<Interaction>(ui, args),
        Command::Remove(args) => remove::run(ui, Kind::Interaction, args),
        Command::Show(args) => show(ui, args),
    }
}

fn show(ui: &mut Ui, args: ShowArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let interaction: Interaction = store.get(&args.id)?;
    if ui.format() == Format::Json {
        return ui.json(&interaction);
    }
    ui.table(&interactions_table(std::slice::from_ref(&interaction)))?;
    if let Some(body) = &interaction.body {
        ui.line("")?;
        ui.line(body)?;
    }
    Ok(())
}
