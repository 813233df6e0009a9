//! `relate undo`: take back your last change.

use relate::output::{Cell, Format, Table};
use relate::store::undo::undo;

use crate::ui::Ui;

/// Take back your last change to the store (the newest commit by you, the
/// current author, that is not undone yet) with a new commit; run it again to
/// go further back.
///
/// History is never rewritten: the undo is a commit of its own that `relate
/// sync` shares. Fields that later commits changed keep those changes. Refused
/// once the change is pushed and the team has built on it.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(ui: &mut Ui, _args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let undone = undo(&store)?;
    ui.note(&format!("Undid `{}`.", undone.message));
    match ui.format() {
        Format::Json => ui.json(&undone),
        _ => {
            let mut table = Table::new(&["undone", "message", "files"]);
            table.push(vec![
                Cell::text(&undone.commit[..undone.commit.len().min(8)]),
                Cell::text(&undone.message),
                Cell::List(undone.files.clone()),
            ]);
            ui.table(&table)
        }
    }
}
