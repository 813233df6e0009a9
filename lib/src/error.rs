//! The library's errors. Each says what happened; the front end chooses the
//! words of advice and the exit code (the CLI does so in one place,
//! `cli/src/error.rs`). The generic kinds still carry a hint where the advice
//! belongs to the rule that refused, not to a command.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// A problem found in one file of the store, printed as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Path relative to the store root (or, for `relate import`, the file as given).
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match self.line {
            Some(line) => write!(f, "{path}:{line}: {}", self.message),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed input on the command line (a bad date, a negative quantity, an invalid id).
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// A record named on the command line does not exist.
    #[error("{message}")]
    NotFound {
        message: String,
        hint: Option<String>,
    },
    /// Files in the store are invalid.
    #[error("{}", problems_text(.problems))]
    InvalidData {
        problems: Vec<Problem>,
        hint: Option<String>,
    },
    /// The operation was refused or could not be carried out.
    #[error("{message}")]
    Failed {
        message: String,
        hint: Option<String>,
    },
    /// A deal or ticket refused the move asked of it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A new record's id is taken.
    #[error("{kind} `{id}` already exists")]
    Exists { kind: &'static str, id: String },
    /// An e-mail address that another customer already has: the usual way
    /// duplicate customers are born.
    #[error("e-mail `{email}` already belongs to customer `{holder}`")]
    EmailTaken { email: String, holder: String },
    /// The id of a customer merged into another: reserved, so that old
    /// references keep finding the customer kept.
    #[error("`{id}` is the id of a customer merged into `{into}`")]
    MergedId { id: String, into: String },
    /// A campaign launched already: its members are frozen.
    #[error("campaign `{campaign}` was launched on {on}")]
    Launched { campaign: String, on: NaiveDate },
    /// `set` named a field that commands of their own keep (a deal's stage
    /// moves, a ticket's status).
    #[error("`{field}` of {kind} `{id}` is not changed with `set`")]
    KeptBy {
        kind: &'static str,
        id: String,
        field: String,
        /// The commands that change it, as typed after `relate`.
        commands: &'static [&'static str],
    },
    /// A change to an append-only field (a customer's `consent`): what was
    /// recorded there is never rewritten, only added to by its own command.
    #[error("`{field}` of {kind} `{id}` is append-only: its entries are not changed or removed")]
    AppendOnly {
        kind: &'static str,
        id: String,
        field: &'static str,
    },
    /// A marketing contact on a channel the customer withdrew consent from.
    #[error("`{customer}` withdrew consent to marketing by {channel} on {on}")]
    ConsentWithdrawn {
        customer: String,
        channel: String,
        on: NaiveDate,
    },
    /// `remove` left a record that others refer to.
    #[error("{kind} `{id}` is referred to by {}", referrers_text(.referrers))]
    Referenced {
        kind: &'static str,
        id: String,
        /// Who refers to it: (kind, id), in the order found.
        referrers: Vec<(&'static str, String)>,
        /// Whether orders are among them, which no cascade removes.
        orders: bool,
    },
    /// No store where one was looked for (`at`), or in any folder above the
    /// working directory (`None`).
    #[error("{}", match .at {
        Some(at) => format!("no relate store at {} (it has no relate.yaml)", at.display()),
        None => "not inside a relate store (no relate.yaml here or in any parent folder)".into(),
    })]
    NoStore { at: Option<PathBuf> },
    /// An id of no record of any kind.
    #[error("no record `{id}`")]
    NoRecord { id: String },
    /// A git merge someone started in the store is not finished; nothing is written meanwhile.
    #[error("a git merge is under way in the store; nothing was written")]
    MergeUnderWay,
    /// `resolve` named a field on which the record has no recorded conflict.
    #[error("{kind} `{id}` has no recorded conflict on `{field}`")]
    NoConflict {
        kind: &'static str,
        id: String,
        field: String,
        /// The fields it has conflicts on.
        fields: Vec<String>,
    },
    /// A file that `undo` would change holds edits not committed yet.
    #[error("{} has changes that are not committed", .path.display())]
    Uncommitted { path: PathBuf },
    /// `sync` or `clone` could not exchange commits with the remote.
    #[error(transparent)]
    Sync(#[from] SyncFailure),
    /// `forget --rewrite-history` refused or could not finish.
    #[error(transparent)]
    Rewrite(#[from] RewriteRefusal),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// The I/O error is part of the message (not a `source`), so it is printed once.
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Why `sync` or `clone` stopped. Local work is always committed first, so
/// none of these loses anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncFailure {
    #[error("a git merge, rebase or cherry-pick is under way in the store's repository")]
    OperationUnderWay,
    #[error("the store's repository has no remote to sync with")]
    NoRemote,
    #[error("cannot fetch from the remote `{remote}` ({url}): {message}")]
    FetchFailed {
        remote: String,
        url: String,
        message: String,
    },
    #[error("the remote `{remote}` refused the push: {message}")]
    PushRefused { remote: String, message: String },
    /// Git itself could not start the merge; nothing changed.
    #[error("cannot merge the remote's changes: {message}")]
    MergeFailed { message: String },
    /// Files that neither git nor relate's merge driver could merge; the merge was undone.
    #[error("cannot merge {} automatically: {message}", .paths.join(", "))]
    Unmergeable {
        paths: Vec<String>,
        message: String,
        branch: String,
    },
    /// An address git would read as an option.
    #[error("`{url}` is not an address of a store")]
    BadAddress { url: String },
    /// The remote's branch and ours share no commit: one of the two
    /// histories was rewritten (`forget --rewrite-history`).
    #[error(
        "the history of `{branch}` shares no commit with this clone's: one of them was rewritten"
    )]
    UnrelatedHistory { branch: String },
    /// A commit to merge or to push holds a person whose history was
    /// rewritten to erase them.
    #[error("commit {commit}{} holds a person erased from the store's history", .path.as_ref().map(|p| format!(" (`{p}`)")).unwrap_or_default())]
    ErasedPerson {
        commit: String,
        /// The customer file holding their address, if one does; else the
        /// commit is one the rewrite replaced.
        path: Option<String>,
        /// Whether the commit is the remote's (else it is one of ours).
        incoming: bool,
    },
}

/// Why `customer forget --rewrite-history` refused, before anything was
/// written, or (the push) could not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteRefusal {
    #[error("the store is not in a git repository: it has no history to rewrite")]
    NoRepository,
    #[error("--no-commit leaves writes uncommitted, and a history rewrite commits")]
    NotCommitting,
    #[error(
        "the store is a folder of a larger git repository, whose other files' history would be rewritten too"
    )]
    SharedRepository,
    #[error("a git merge, rebase or cherry-pick is under way in the store's repository")]
    OperationUnderWay,
    #[error(
        "the repository has other work trees (`git worktree list`), which a rewrite would leave on the old history"
    )]
    Worktrees,
    #[error(
        "the repository is a shallow clone: its oldest commits would be pushed as the whole history"
    )]
    Shallow,
    #[error(
        "`{alias}`, merged into `{id}`, is a customer of its own again: erasing `{id}` from history would erase them too"
    )]
    AliasInUse { id: String, alias: String },
    #[error("changes not committed yet: {}", .paths.join(", "))]
    Uncommitted { paths: Vec<String> },
    #[error("the repository has remotes ({}): the rewritten history must be force-pushed to them", .remotes.join(", "))]
    RemoteNeedsYes { remotes: Vec<String> },
    #[error(
        "`{refname}` on the remote `{remote}` holds commits this clone has not fetched or merged"
    )]
    RemoteAhead { remote: String, refname: String },
    #[error("cannot reach the remote `{remote}`: {message}")]
    RemoteUnreachable { remote: String, message: String },
    #[error("no version of customer `{id}` is in the store or its history")]
    NotInHistory { id: String },
    /// The history is rewritten here; the remote still has the old one.
    #[error("the history is rewritten in this clone, but the push to `{remote}` failed: {message}")]
    PushFailed {
        remote: String,
        message: String,
        /// The push to run once the remote is reachable.
        command: String,
    },
}

/// Why a deal or a ticket refused a move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("deal `{deal}` is already closed as {outcome}")]
    DealClosed {
        deal: String,
        customer: String,
        outcome: String,
    },
    #[error("{at} is before the deal's last move on {last}")]
    BeforeLastMove { at: NaiveDate, last: NaiveDate },
    #[error("the deal's stage `{stage}` is not in the pipeline")]
    StageOutsidePipeline { deal: String, stage: String },
    /// `won` or `lost` asked of `advance`, which only moves between open stages.
    #[error("`advance` does not close deals (asked for `{stage}`)")]
    AdvanceCloses { deal: String, stage: String },
    #[error("unknown stage `{stage}`")]
    UnknownStage { stage: String },
    #[error("`{to}` is not after the deal's stage `{stage}`: deals only move forward")]
    Backward {
        deal: String,
        stage: String,
        to: String,
    },
    #[error("`{stage}` is the last open stage")]
    LastOpenStage { deal: String, stage: String },
    #[error("ticket `{ticket}` is resolved")]
    TicketResolved { ticket: String },
    #[error("`update` does not resolve tickets")]
    UpdateResolves { ticket: String },
    #[error("ticket `{ticket}` is already resolved")]
    AlreadyResolved { ticket: String },
    #[error("ticket `{ticket}` is not resolved ({status})")]
    NotResolved { ticket: String, status: String },
    /// Times as written in record files.
    #[error("{at} is before the ticket's last change at {last}")]
    BeforeLastChange { at: String, last: String },
}

/// The records that refer to another, as `remove` lists them: the first ten,
/// then how many more.
fn referrers_text(referrers: &[(&'static str, String)]) -> String {
    const SHOWN: usize = 10;
    let mut text: Vec<String> = (referrers.iter().take(SHOWN))
        .map(|(kind, id)| format!("{kind} `{id}`"))
        .collect();
    if referrers.len() > SHOWN {
        text.push(format!("and {} more", referrers.len() - SHOWN));
    }
    text.join(", ")
}

fn problems_text(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Error::Failed {
            message: message.into(),
            hint: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound {
            message: message.into(),
            hint: None,
        }
    }

    pub fn invalid(problems: Vec<Problem>) -> Self {
        Error::InvalidData {
            problems,
            hint: None,
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            error: source,
        }
    }

    /// Attaches (or replaces) the hint shown below the error. The typed kinds
    /// have none: their hints are the front end's words.
    pub fn with_hint(mut self, new_hint: impl Into<String>) -> Self {
        if let Some(hint) = self.hint_slot() {
            *hint = Some(new_hint.into());
        }
        self
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage { hint, .. }
            | Error::NotFound { hint, .. }
            | Error::InvalidData { hint, .. }
            | Error::Failed { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }

    fn hint_slot(&mut self) -> Option<&mut Option<String>> {
        match self {
            Error::Usage { hint, .. }
            | Error::NotFound { hint, .. }
            | Error::InvalidData { hint, .. }
            | Error::Failed { hint, .. } => Some(hint),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_referrers_is_cut_after_ten() {
        let referrers: Vec<(&'static str, String)> =
            (1..=12).map(|n| ("interaction", format!("i{n}"))).collect();
        let error = Error::Referenced {
            kind: "customer",
            id: "acme".into(),
            referrers,
            orders: false,
        };
        assert_eq!(
            error.to_string(),
            "customer `acme` is referred to by interaction `i1`, interaction `i2`, \
             interaction `i3`, interaction `i4`, interaction `i5`, interaction `i6`, \
             interaction `i7`, interaction `i8`, interaction `i9`, interaction `i10`, and 2 more"
        );
    }
}
