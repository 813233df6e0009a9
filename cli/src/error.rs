//! The one place where an error becomes what a person reads and the code a
//! script tests: `error:` lines, a `hint:` saying what to do next, and the
//! documented exit codes (docs/cli.md).

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use relate::error::{Refusal, RewriteRefusal, SyncFailure};
use relate::output::printable;
use relate::{Error, model::Kind};

/// The command failed or was refused.
pub const FAILURE: u8 = 1;
/// Bad arguments or values on the command line.
pub const USAGE: u8 = 2;
/// A record named on the command line does not exist.
pub const NOT_FOUND: u8 = 3;
/// Invalid data in the store or in an imported file.
pub const INVALID_DATA: u8 = 4;

/// An outcome the command has already shown (such as `check`'s list of
/// problems) that ends it with `code`, and perhaps a hint.
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub hint: Option<&'static str>,
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}", self.code)
    }
}

impl std::error::Error for Exit {}

/// Prints an error as `error: ...` lines and a `hint: ...`, and picks the exit code.
pub fn report(error: &anyhow::Error) -> ExitCode {
    let broken_pipe = error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        // `relate customer list | head` is not a failure.
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    if let Some(exit) = error.downcast_ref::<Exit>() {
        if let Some(hint) = exit.hint {
            let _ = writeln!(stderr, "hint: {hint}");
        }
        return ExitCode::from(exit.code);
    }
    let relate_error = error.downcast_ref::<Error>();
    match relate_error {
        Some(Error::InvalidData { problems, .. }) => {
            for problem in problems {
                let _ = writeln!(stderr, "error: {}", printable(&problem.to_string()));
            }
        }
        _ => {
            let _ = writeln!(stderr, "error: {}", printable(&error.to_string()));
            for cause in error.chain().skip(1) {
                let _ = writeln!(stderr, "caused by: {}", printable(&cause.to_string()));
            }
        }
    }
    if let Some(hint) = relate_error.and_then(hint) {
        let _ = writeln!(stderr, "hint: {}", printable(&hint));
    }
    ExitCode::from(relate_error.map_or(FAILURE, exit_code))
}

fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Usage { .. } | Error::Sync(SyncFailure::BadAddress { .. }) => USAGE,
        Error::NotFound { .. }
        | Error::NoRecord { .. }
        | Error::NoConflict { .. }
        | Error::Rewrite(RewriteRefusal::NotInHistory { .. }) => NOT_FOUND,
        Error::InvalidData { .. } => INVALID_DATA,
        Error::Failed { .. }
        | Error::Refused(_)
        | Error::Exists { .. }
        | Error::EmailTaken { .. }
        | Error::MergedId { .. }
        | Error::Launched { .. }
        | Error::KeptBy { .. }
        | Error::AppendOnly { .. }
        | Error::ConsentWithdrawn { .. }
        | Error::Referenced { .. }
        | Error::NoStore { .. }
        | Error::Uncommitted { .. }
        | Error::MergeUnderWay
        | Error::Sync(_)
        | Error::Rewrite(_)
        | Error::Git(_)
        | Error::Io { .. } => FAILURE,
    }
}

/// What to do next, in the words of this command line.
fn hint(error: &Error) -> Option<String> {
    match error {
        Error::Refused(refusal) => Some(refusal_hint(refusal)),
        Error::Exists { kind, id } if *kind == Kind::Customer.name() => Some(format!(
            "change it with `relate customer set {id} FIELD=VALUE`"
        )),
        Error::Exists { kind, id } => Some(format!("see it with `relate {kind} show {id}`")),
        Error::EmailTaken { holder, .. } => Some(format!("see `relate customer show {holder}`")),
        Error::MergedId { into, .. } => Some(format!(
            "ids of merged customers stay reserved; see `relate customer show {into}`, or choose another --id"
        )),
        Error::Launched { .. } => {
            Some("its members are frozen; plan a new campaign with `relate campaign new`".into())
        }
        Error::KeptBy { commands, .. } => {
            let commands: Vec<String> = commands.iter().map(|c| format!("`relate {c}`")).collect();
            Some(format!("it is changed by {}", or_list(&commands)))
        }
        Error::AppendOnly { id, .. } => Some(format!(
            "record what the customer says now with `relate consent {id} grant|withdraw --channel CHANNEL`"
        )),
        Error::ConsentWithdrawn { customer, .. } => Some(format!(
            "see `relate consent {customer}`; if the contact had another basis, log it with --override-consent"
        )),
        Error::Referenced {
            kind, id, orders, ..
        } => Some(referenced_hint(kind, id, *orders)),
        Error::NoStore { at: Some(at) } => Some(format!(
            "create one with `relate init {}`, or point --store at an existing store",
            at.display()
        )),
        Error::NoStore { at: None } => Some(
            "create one with `relate init DIR`, or name one with --store DIR or RELATE_STORE"
                .into(),
        ),
        Error::NoRecord { .. } => {
            Some("list them with `relate customer list`, `relate deal list`, ...".into())
        }
        Error::MergeUnderWay => Some(
            "finish it first: settle the conflicted files, then `git commit` (or `git merge --abort`), then `relate sync`"
                .into(),
        ),
        Error::Sync(failure) => Some(sync_hint(failure)),
        Error::Rewrite(refusal) => Some(rewrite_hint(refusal)),
        Error::NoConflict { fields, .. } if fields.is_empty() => {
            Some("it has no recorded conflicts; `relate conflicts` lists them all".into())
        }
        Error::NoConflict { fields, .. } => {
            Some(format!("its conflicts are on: {}", fields.join(", ")))
        }
        Error::Uncommitted { .. } => Some(
            "commit them (`relate sync` does) or drop them with `git checkout FILE`, then undo again"
                .into(),
        ),
        Error::InvalidData { hint: None, .. } => Some(
            "fix the file by hand (or `git checkout` it), then run `relate check`".into(),
        ),
        other => other.hint().map(String::from),
    }
}

/// What to do about a record that `remove` left because others refer to it.
fn referenced_hint(kind: &str, id: &str, orders: bool) -> String {
    let merge = format!("`relate customer merge KEEP {id}` moves them to another customer");
    match (orders, kind == Kind::Customer.name()) {
        (true, true) => format!(
            "orders are never removed, not even by --cascade: {merge} (forgetting a person's data is another command)"
        ),
        (true, false) => {
            "orders are never removed, not even by --cascade: the sales they record stay".into()
        }
        (false, true) => {
            format!("`relate customer remove {id} --cascade` removes them too; or {merge}")
        }
        (false, false) => format!("`relate {kind} remove {id} --cascade` removes them too"),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [first @ .., last] => format!("{} or {last}", first.join(", ")),
    }
}

fn sync_hint(failure: &SyncFailure) -> String {
    const KEPT: &str = "your work is committed locally and nothing was lost";
    match failure {
        SyncFailure::OperationUnderWay => {
            "finish it (or `git merge --abort`), then run `relate sync` again".into()
        }
        SyncFailure::NoRemote => "add one with `git remote add origin URL`, or start from a shared store with `relate clone URL`".into(),
        SyncFailure::FetchFailed { .. } => format!(
            "{KEPT}; check the network and `git remote -v`, then run `relate sync` again"
        ),
        SyncFailure::PushRefused { .. } => format!("{KEPT}; run `relate sync` again"),
        SyncFailure::MergeFailed { .. } => {
            "nothing was changed; fix what git reports, then run `relate sync` again".into()
        }
        SyncFailure::Unmergeable { branch, .. } => format!(
            "nothing was changed: the merge was undone and your work is committed locally; merge by hand (`git merge {branch}`, fix the files, `git commit`), then run `relate sync` again"
        ),
        SyncFailure::BadAddress { .. } => {
            "give the remote's URL or path, e.g. `relate clone git@host:team/crm.git`".into()
        }
        SyncFailure::UnrelatedHistory { .. } => format!(
            "{KEPT}, and nothing was merged; if a teammate erased a person from history (`customer forget --rewrite-history`), clone the store again with `relate clone URL` and redo unpushed work there"
        ),
        SyncFailure::ErasedPerson { incoming: true, .. } => {
            "nothing was merged: that commit brings back a person erased from history; the teammate who pushed it must clone the store again and push their work from the new clone".into()
        }
        SyncFailure::ErasedPerson { incoming: false, .. } => {
            "nothing was merged or sent: this clone still holds the history from before a person was erased from it; clone the store again with `relate clone URL` and redo unpushed work there".into()
        }
    }
}

fn rewrite_hint(refusal: &RewriteRefusal) -> String {
    const NOTHING: &str = "nothing was written";
    match refusal {
        RewriteRefusal::NoRepository => {
            format!("{NOTHING}; `relate customer forget ID` alone erases the person from the files")
        }
        RewriteRefusal::NotCommitting => format!("{NOTHING}; run it without --no-commit"),
        RewriteRefusal::SharedRepository => format!(
            "{NOTHING}; erase the person from that repository's history with `git filter-repo` (docs/privacy.md)"
        ),
        RewriteRefusal::OperationUnderWay => {
            format!("{NOTHING}; finish it (or `git merge --abort`), then run the command again")
        }
        RewriteRefusal::Worktrees => format!(
            "{NOTHING}; remove them with `git worktree remove DIR`, then run the command again"
        ),
        RewriteRefusal::Shallow => format!(
            "{NOTHING}; fetch the whole history first with `git fetch --unshallow`, then run the command again"
        ),
        RewriteRefusal::AliasInUse { id, alias } => format!(
            "{NOTHING}; remove `{alias}` from the `aliases` of `{id}`'s last version if they were never the same person, or forget `{alias}` too"
        ),
        RewriteRefusal::Uncommitted { .. } => format!(
            "{NOTHING}; commit them (`relate sync` does) or drop them with `git checkout FILE`, then run the command again"
        ),
        RewriteRefusal::RemoteNeedsYes { .. } => format!(
            "{NOTHING}; add --yes to force-push the rewritten history (every teammate must then clone again), or remove the remote with `git remote remove NAME`"
        ),
        RewriteRefusal::RemoteAhead { .. } => format!(
            "{NOTHING}; run `relate sync` first, so that the rewrite covers every commit the remote has, then run the command again"
        ),
        RewriteRefusal::RemoteUnreachable { .. } => format!(
            "{NOTHING}; the rewritten history must reach the remote: check the network and `git remote -v`, then run the command again"
        ),
        RewriteRefusal::NotInHistory { .. } => {
            format!("{NOTHING}; give the customer's full id, as `relate customer list` shows it")
        }
        RewriteRefusal::PushFailed { command, .. } => format!(
            "this clone's history is clean, the remote's is not yet: once the remote is reachable, run `{command}`"
        ),
    }
}

fn refusal_hint(refusal: &Refusal) -> String {
    match refusal {
        Refusal::DealClosed { customer, .. } => {
            format!("a closed deal does not move; open a new one with `relate deal new {customer}`")
        }
        Refusal::BeforeLastMove { .. } => "give a later date with --at".into(),
        Refusal::StageOutsidePipeline { .. } => {
            "fix `stage` in the deal's file or the `pipeline` in relate.yaml".into()
        }
        Refusal::AdvanceCloses { deal, stage } => format!(
            "close it with `relate deal {} {deal}`",
            if stage == "won" { "win" } else { "lose" }
        ),
        Refusal::UnknownStage { .. } => "the stages are the `pipeline` of relate.yaml".into(),
        Refusal::Backward { deal, .. } => format!(
            "to undo a mistaken move, fix `stage` and `history` in deals/{deal}.yaml by hand"
        ),
        Refusal::LastOpenStage { deal, .. } => format!(
            "close the deal with `relate deal win {deal}` or `relate deal lose {deal} --reason ...`"
        ),
        Refusal::TicketResolved { ticket } => {
            format!("reopen it first with `relate ticket reopen {ticket}`")
        }
        Refusal::UpdateResolves { ticket } => {
            format!("resolve it with `relate ticket resolve {ticket}`")
        }
        Refusal::AlreadyResolved { ticket } => {
            format!("to work on it again, `relate ticket reopen {ticket}`")
        }
        Refusal::NotResolved { ticket, .. } => {
            format!("change its status with `relate ticket update {ticket} --status ...`")
        }
        Refusal::BeforeLastChange { .. } => "give a later time with --at".into(),
    }
}
