//! `relate customer export-person`: everything held on one person.

use std::path::PathBuf;

use relate::exchange::person;

use crate::ui::{Ui, id_arg};

/// Export everything the store holds on one customer (a request of access).
///
/// The customer's file whole (with its consent events), each of their
/// interactions, deals, orders, tickets and assets, the campaigns that list
/// them, who changed which field of these records and when, and the
/// customers linked by `company:` (an organization's contact persons, a
/// person's organization). Nothing of other customers.
///
/// OUTPUT is a new folder, which gets `person.json` (machine-readable) and
/// `person.md` (a readable summary); a path ending in `.json` gets the JSON
/// alone. Nothing existing is written over. Full ids only.
#[derive(clap::Args)]
pub struct Args {
    /// The customer's full id
    #[arg(value_parser = id_arg)]
    id: String,
    /// A new folder, or a new file ending in .json
    #[arg(long, short)]
    output: PathBuf,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let gathered = person::gather(&store, &args.id)?;
    let written = person::write(&gathered, &args.output)?;
    for file in &written.files {
        ui.line(&file.display().to_string())?;
    }
    ui.note(&format!(
        "Exported {}: {} interactions, {} deals, {} orders, {} tickets, {} assets, {} campaigns.",
        args.id,
        gathered.interactions.len(),
        gathered.deals.len(),
        gathered.orders.len(),
        gathered.tickets.len(),
        gathered.assets.len(),
        gathered.campaigns.len()
    ));
    Ok(())
}
