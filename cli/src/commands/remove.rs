//! `relate KIND remove ID [--cascade]`, the same for every kind that has it.

use relate::model::Kind;
use relate::ops;
use relate::output::{Cell, Table};

use crate::ui::{Ui, id_arg};

/// A record that others refer to is not removed: the error lists them.
/// `--cascade` removes them too (and takes the record out of campaign member
/// lists and products' `successor`); orders are never removed that way.
/// `relate undo` brings it all back.
#[derive(clap::Args)]
pub struct RemoveArgs {
    /// The record's full id (no prefix)
    #[arg(value_parser = id_arg)]
    id: String,
    /// Remove the records that depend on it too, and list them
    #[arg(long)]
    cascade: bool,
}

/// Removes the record and prints every file the commit removed or rewrote.
pub fn run(ui: &mut Ui, kind: Kind, args: RemoveArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let removed = ops::remove::remove(&store, kind, &args.id, args.cascade)?;
    let mut table = Table::new(&["kind", "id", "file", "change"]);
    table.push(vec![
        Cell::text(kind.name()),
        Cell::text(&args.id),
        Cell::text(removed.files[0].display().to_string()),
        Cell::text("removed"),
    ]);
    let changes = (removed.dependents.iter().map(|r| (r, "removed")))
        .chain(removed.detached.iter().map(|r| (r, "rewritten")));
    for (referrer, change) in changes {
        table.push(vec![
            Cell::text(referrer.kind.name()),
            Cell::text(&referrer.id),
            Cell::text(referrer.path.display().to_string()),
            Cell::text(change),
        ]);
    }
    ui.table(&table)
}
