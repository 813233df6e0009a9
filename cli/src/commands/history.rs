//! `relate history`: who changed what in one record, and when.

use relate::model::merge::plain;
use relate::output::{Cell, Format, Table};
use relate::store::history::{Revision, history};

use crate::ui::{RecordArgs, Ui};

/// Show who changed which field of one record and when, newest first, from
/// the git history: one row per field changed by each commit.
///
/// A merge appears only for values it made itself (lists merged from both
/// sides, recorded conflicts); the changes it brought in appear under the
/// commits that made them.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    record: RecordArgs,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let (_, rel) = args.record.locate(&store)?;
    let revisions = history(&store, &rel)?;
    match ui.format() {
        Format::Json => ui.json(&revisions),
        _ => ui.table(&history_table(&revisions)),
    }
}

fn history_table(revisions: &[Revision]) -> Table {
    let mut table = Table::new(&["at", "by", "commit", "field", "old", "new"]);
    let text = |value: &Option<serde_yaml::Value>| value.as_ref().map(plain);
    for revision in revisions {
        for change in &revision.changes {
            table.push(vec![
                Cell::DateTime(revision.at),
                Cell::text(&revision.by),
                Cell::text(&revision.commit[..revision.commit.len().min(8)]),
                Cell::text(&change.field),
                text(&change.old).into(),
                text(&change.new).into(),
            ]);
        }
    }
    table
}
