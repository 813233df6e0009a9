//! `relate conflicts`: the values that lost a merge, waiting to be settled.

use relate::model::merge::plain;
use relate::output::{Cell, Format, Table};
use relate::store::resolve::{RecordedConflict, recorded_conflicts};

use crate::ui::Ui;

/// List the conflicts recorded in records: fields two teammates changed differently.
///
/// The later change is the current value; the other one is listed with who
/// made it and when. Settle each with `relate resolve`.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(ui: &mut Ui, _args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let conflicts = recorded_conflicts(&store)?;
    match ui.format() {
        Format::Json => ui.json(&conflicts),
        _ => ui.table(&conflicts_table(&conflicts)),
    }
}

fn conflicts_table(conflicts: &[RecordedConflict]) -> Table {
    let mut table = Table::new(&["kind", "id", "field", "current", "other", "by", "at"]);
    for c in conflicts {
        table.push(vec![
            Cell::text(&c.kind),
            Cell::text(&c.id),
            Cell::text(&c.conflict.field),
            c.current.as_ref().map(plain).into(),
            c.conflict.value.as_ref().map(plain).into(),
            c.conflict.by.as_deref().into(),
            c.conflict.at.map_or(Cell::Empty, Cell::DateTime),
        ]);
    }
    table
}
