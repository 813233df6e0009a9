//! `relate owner`: the team, kept in relate.yaml's `owners`.

use relate::model::settings::Owner;
use relate::ops;
use relate::output::{Cell, Table};

use crate::ui::{Ui, id_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    Add(AddArgs),
    List,
    Remove(RemoveArgs),
}

/// Add a member of the team (one commit of relate.yaml; only its `owners:` block changes).
///
/// Once the list is not empty, records may name only listed owners: the first
/// `owner add` is refused while records name owners missing from the new
/// list, unless --add-missing adds them too (named after their id).
#[derive(clap::Args)]
pub struct AddArgs {
    /// The id records name in `owner:` (e.g. alice)
    #[arg(value_parser = id_arg)]
    id: String,
    /// The person's name
    #[arg(long)]
    name: String,
    /// Their e-mail address: it tells `import mail` which messages the team sent
    #[arg(long)]
    email: Option<String>,
    /// With the first owner, also add every owner that records name
    #[arg(long)]
    add_missing: bool,
}

/// Remove a member of the team that no record names any more.
#[derive(clap::Args)]
pub struct RemoveArgs {
    #[arg(value_parser = id_arg)]
    id: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Add(args) => {
            let store = ui.store()?;
            let owner = Owner {
                id: args.id,
                name: args.name,
                email: args.email,
            };
            let added = ops::owner::add(&store, owner, args.add_missing)?;
            for extra in &added.owners[1..] {
                ui.note(&format!(
                    "Added `{}` too, named after its id (`relate.yaml` holds the name).",
                    extra.id
                ));
            }
            ui.created(&added.owners[0].id)
        }
        Command::List => {
            let store = ui.store()?;
            ui.records(&store.settings().owners, owners_table)
        }
        Command::Remove(args) => {
            let store = ui.store()?;
            ops::owner::remove(&store, &args.id)?;
            ui.note(&format!("Removed owner {}.", args.id));
            Ok(())
        }
    }
}

fn owners_table(owners: &[Owner]) -> Table {
    let mut table = Table::new(&["id", "name", "email"]);
    for owner in owners {
        table.push(vec![
            Cell::text(&owner.id),
            Cell::text(&owner.name),
            owner.email.as_deref().into(),
        ]);
    }
    table
}
