//! `relate customer forget`: erase a person (docs/privacy.md).

use relate::ops;
use relate::ops::forget::Forgotten;
use relate::output::{Cell, Format, Table};
use relate::store::rewrite::Rewritten;
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
/// refuses to take it back. Git history still holds the old files, unless
/// --rewrite-history removes the person from every commit (docs/privacy.md).
/// Full ids only.
#[derive(clap::Args)]
pub struct Args {
    /// The customer's full id
    #[arg(value_parser = id_arg)]
    id: String,
    /// Print what would change and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Also remove the person from every commit of the repository's history
    /// (their files, ids, name, e-mail addresses and phone numbers), then drop
    /// the old objects; for a person forgotten earlier too
    #[arg(long, conflicts_with = "dry_run")]
    rewrite_history: bool,
    /// With --rewrite-history: force-push the rewritten history to the
    /// remotes (with a lease), which it refuses to do without
    #[arg(long, requires = "rewrite_history")]
    yes: bool,
}

/// What `--format json` prints.
#[derive(Serialize)]
struct View<'a> {
    pseudonym: &'a str,
    dry_run: bool,
    changes: Vec<serde_json::Value>,
    suppressed: usize,
    /// What --rewrite-history did, else null.
    history: Option<HistoryView<'a>>,
}

#[derive(Serialize)]
struct HistoryView<'a> {
    commits_rewritten: usize,
    refs_moved: usize,
    pushed: Vec<PushedView<'a>>,
    teammate_commands: Vec<String>,
}

#[derive(Serialize)]
struct PushedView<'a> {
    remote: &'a str,
    refs: &'a [String],
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let (forgotten, rewritten) = if args.rewrite_history {
        let done = ops::forget::forget_everywhere(&store, &args.id, args.yes)?;
        (done.forgotten, Some(done.rewritten))
    } else {
        (
            Some(ops::forget::forget(&store, &args.id, args.dry_run)?),
            None,
        )
    };
    let pseudonym = match (&forgotten, &rewritten) {
        (Some(forgotten), _) => forgotten.pseudonym.clone(),
        (None, Some(rewritten)) => rewritten.pseudonym.clone(),
        (None, None) => unreachable!("forget without a rewrite always forgets"),
    };
    let table = forgotten.as_ref().map(|f| changes_table(&args.id, f));
    match ui.format() {
        Format::Json => ui.json(&View {
            pseudonym: &pseudonym,
            dry_run: args.dry_run,
            changes: table.as_ref().map(Table::json_rows).unwrap_or_default(),
            suppressed: forgotten.as_ref().map_or(0, |f| f.suppressed),
            history: rewritten.as_ref().map(history_view),
        })?,
        _ => {
            if let Some(table) = &table {
                ui.table(table)?;
            }
        }
    }
    if args.dry_run {
        ui.note("Dry run: nothing was written.");
        return Ok(());
    }
    if forgotten.is_some() {
        ui.note(&format!(
            "Forgotten: the store's files no longer hold {}; their orders name {pseudonym}.",
            args.id
        ));
    }
    match &rewritten {
        Some(rewritten) => history_notes(ui, rewritten),
        None => ui.note(
            "warning: the git history of this store, and every teammate's clone, still hold the old \
             files, names and addresses: `relate customer forget ID --rewrite-history` removes them \
             from every commit (docs/privacy.md, \"What git keeps\").",
        ),
    }
    Ok(())
}

fn history_view(rewritten: &Rewritten) -> HistoryView<'_> {
    HistoryView {
        commits_rewritten: rewritten.commits,
        refs_moved: rewritten.refs,
        pushed: (rewritten.pushed.iter())
            .map(|(remote, refs)| PushedView { remote, refs })
            .collect(),
        teammate_commands: rewritten.teammate_commands(),
    }
}

/// What the rewrite did, and what is left for the teammates to do.
fn history_notes(ui: &mut Ui, rewritten: &Rewritten) {
    ui.note(&format!(
        "History rewritten: {} commits written again, {} refs moved; this clone no longer holds the old objects.",
        rewritten.commits, rewritten.refs
    ));
    if rewritten.pushed.is_empty() {
        ui.note(
            "No remote was pushed to: any other copy of this repository still holds the old history.",
        );
        return;
    }
    for (remote, refs) in &rewritten.pushed {
        ui.note(&format!("Force-pushed to {remote}: {}.", refs.join(", ")));
    }
    let mut text = String::from(
        "Each teammate must now clone the store again (`relate clone URL`) and delete the old clone, \
         or, after saving any unpushed work, run in it:",
    );
    for command in rewritten.teammate_commands() {
        text.push_str(&format!("\n    {command}"));
    }
    text.push_str("\nA clone that keeps the old history cannot `relate sync`: it refuses to bring the person back.");
    ui.note(&text);
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
