//! `relate sync`: share the store with the team through its git remote.

use relate::Error;
use relate::output::{Cell, Format, Table};
use relate::store::sync::{RecordChange, SyncReport, sync};

use crate::ui::Ui;

/// Share the store with the team: commit hand edits, fetch, merge the remote's
/// changes record by record, push; print what came in and what went out.
///
/// Talks to the remote through the system `git`, so your SSH keys, git
/// configuration and credential helpers apply. When both sides changed one
/// field, the later change wins and the other value is kept in the record for
/// `relate conflicts` and `relate resolve`. A failure (an unreachable remote,
/// say) loses nothing: the local work stays committed; run sync again.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(ui: &mut Ui, _args: Args) -> anyhow::Result<()> {
    if !ui.env()?.commit {
        return Err(
            Error::usage("`relate sync` commits and pushes: --no-commit does not apply").into(),
        );
    }
    let store = ui.store()?;
    let report = sync(&store)?;
    if !report.committed.is_empty() {
        ui.note(&format!(
            "Committed hand edits: {}.",
            report.committed.join(", ")
        ));
    }
    let records = |n: usize| format!("{n} record{}", if n == 1 { "" } else { "s" });
    ui.note(&format!(
        "Synced with {}/{}: {} came in, {} went out.",
        report.remote,
        report.branch,
        records(report.incoming.len()),
        report.outgoing.len()
    ));
    for new in &report.conflicts {
        ui.note(&format!(
            "Conflict: {} {} `{}` was changed on both sides; kept the later value, recorded the other (see `relate conflicts`).",
            new.kind, new.id, new.conflict.field
        ));
    }
    match ui.format() {
        Format::Json => ui.json(&report),
        _ => ui.table(&changes_table(&report)),
    }
}

/// One row per record that came in or went out.
fn changes_table(report: &SyncReport) -> Table {
    let mut table = Table::new(&["direction", "kind", "id", "change", "by"]);
    let rows = |direction: &str, changes: &[RecordChange]| -> Vec<Vec<Cell>> {
        changes
            .iter()
            .map(|c| {
                vec![
                    Cell::text(direction),
                    Cell::text(&c.kind),
                    Cell::text(&c.id),
                    Cell::text(c.change.as_str()),
                    Cell::List(c.by.clone()),
                ]
            })
            .collect()
    };
    for row in rows("in", &report.incoming)
        .into_iter()
        .chain(rows("out", &report.outgoing))
    {
        table.push(row);
    }
    table
}
