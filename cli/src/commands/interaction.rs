//! `relate interaction`: logged contacts as records of their own (`relate
//! log` adds them).

use chrono::NaiveDate;

use relate::filter::combined;
use relate::model::{Interaction, Kind};
use relate::ops::list::{Contacts, contacts};
use relate::output::Format;

use super::log::interactions_table;
use super::{remove, set};
use crate::ui::{SortArgs, Ui, date_arg, id_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    List(ListArgs),
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

/// List logged contacts, newest first.
///
/// Every option given must match. Only the months between --since and --until
/// are read, and for one customer or channel only its contacts.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only this customer's contacts
    #[arg(long, value_parser = id_arg)]
    customer: Option<String>,
    /// Only contacts through this channel (one of `channels` in relate.yaml)
    #[arg(long)]
    channel: Option<String>,
    /// Only contacts of this team member
    #[arg(long)]
    owner: Option<String>,
    /// Only contacts on or after this day (UTC)
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    since: Option<NaiveDate>,
    /// Only contacts on or before this day (UTC)
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    until: Option<NaiveDate>,
    /// Only contacts about this deal
    #[arg(long, value_parser = id_arg)]
    deal: Option<String>,
    /// Only contacts about this ticket
    #[arg(long, value_parser = id_arg)]
    ticket: Option<String>,
    /// Only contacts in this campaign
    #[arg(long, value_parser = id_arg)]
    campaign: Option<String>,
    /// Only contacts with the customers this filter selects, e.g.
    /// 'region = "EU"' (see docs/filters.md)
    #[arg(long = "where", value_name = "FILTER")]
    filter: Option<String>,
    #[command(flatten)]
    order: SortArgs,
}

/// Show one logged contact, with its body.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    id: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::List(args) => list(ui, args),
        Command::Set(args) => set::run::<Interaction>(ui, args),
        Command::Remove(args) => remove::run(ui, Kind::Interaction, args),
        Command::Show(args) => show(ui, args),
    }
}

fn list(ui: &mut Ui, args: ListArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let filter = combined(store.settings(), None, args.filter.as_deref())?;
    let wanted = Contacts {
        customer: args.customer.as_deref(),
        channel: args.channel.as_deref(),
        owner: args.owner.as_deref(),
        since: args.since,
        until: args.until,
        deal: args.deal.as_deref(),
        ticket: args.ticket.as_deref(),
        campaign: args.campaign.as_deref(),
        filter: filter.as_ref(),
    };
    let mut contacts = contacts(&store, &wanted)?;
    args.order.apply(&mut contacts)?;
    ui.records(&contacts, interactions_table)
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
