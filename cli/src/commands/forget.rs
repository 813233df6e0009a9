//! `relate customer forget`: erase a person (docs/privacy.md).

use relate::ops;
use relate::ops::forget::Forgotten;
use relate::output::{Cell, Format, Table};
use serde::Serialize;

use crate::ui::{Ui, id_arg};

/// Erase a customer: the right to be forgotten, in one commit.
///
/// Removes the customer's file (with its consent events) and their
/// interactions, deals, tickets and assets; keeps their orders for the books
/// under a pseudonym (`erased-` and 8 random hex digits), so revenue and
/// product figures do not change; takes them out of campaign member lists
/// and the `company:` of contacts naming them. Leaves a suppression entry (a
/// salted hash of each e-mail address and phone number) so that imports skip
/// them. The commit message names only the pseudonym, and `relate undo`
/// refuses to take it back. Git history still holds the old files: see
/// docs/privacy.md. Full ids only.
#[derive(clap::Args)]
pub struct Args {
    /// The customer's full id
    #[arg(value_parser = id_arg)]
    id: String,
    /// Print what would change and write nothing
    #[arg(long)]
    dry_run: bool,
}

/// What `--format json` prints.
#[derive(Serialize)]
struct View<'a> {
    pseudonym: &'a str,
    dry_run: bool,
    changes: Vec<serde_json::Value>,
    suppressed: usize,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let forgotten = ops::forget::forget(&store, &args.id, args.dry_run)?;
    let table = changes_table(&args.id, &forgotten);
    match ui.format() {
        Format::Json => ui.json(&View {
            pseudonym: &forgotten.pseudonym,
            dry_run: args.dry_run,
            changes: table.json_rows(),
            suppressed: forgotten.suppressed,
        })?,
        _ => ui.table(&table)?,
    }
    if args.dry_run {
        ui.note("Dry run: nothing was written.");
        return Ok(());
    }
    ui.note(&format!(
        "Forgotten: the store's files no longer hold {}; their orders name {}.",
        args.id, forgotten.pseudonym
    ));
    ui.note(
        "warning: the git history of this store, and every teammate's clone, still hold the old \
         files, names and addresses. docs/privacy.md (\"What git keeps\") gives the steps that \
         remove them from every commit.",
    );
    Ok(())
}

/// One row per record removed, kept under the pseudonym or rewritten.
fn changes_table(id: &str, forgotten: &Forgotten) -> Table {
    let mut table = Table::new(&["kind", "id", "change"]);
    table.push(vec![
        Cell::text("customer"),
        Cell::text(id),
        Cell::text("removed"),
    ]);
    let kept = format!("kept as {}'s", forgotten.pseudonym);
    let rows = (forgotten.removed.iter().map(|r| (r, "removed".to_string())))
        .chain(forgotten.pseudonymised.iter().map(|r| (r, kept.clone())))
        .chain((forgotten.detached.iter()).map(|r| (r, format!("loses its `{}`", r.field))));
    for (referrer, change) in rows {
        table.push(vec![
            Cell::text(referrer.kind.name()),
            Cell::text(&referrer.id),
            Cell::text(change),
        ]);
    }
    table
}
