//! What a command runs with besides the store.

use std::path::PathBuf;
use std::time::Duration;

use super::cache::CacheMode;
use super::git::Author;
use crate::model::values::Timestamp;

/// The clock, who is acting, whether writes are committed, and how the cache
/// is used. Built from the environment by the CLI, fixed by tests.
#[derive(Debug, Clone)]
pub struct Env {
    pub now: Timestamp,
    /// `RELATE_AUTHOR`; otherwise the git configuration's identity is used.
    pub author: Option<Author>,
    pub commit: bool,
    /// How long a write waits for the store lock and for git's index lock.
    pub lock_timeout: Duration,
    /// Seed for the random part of ids (`RELATE_SEED`, for reproducible tests).
    pub seed: Option<u64>,
    /// The relate program, which git runs as the merge driver of record files;
    /// `None` leaves the repository's configuration alone.
    pub relate_exe: Option<PathBuf>,
    /// The derived cache of parsed records; `None` (`RELATE_CACHE=off`) reads
    /// every file every time.
    pub cache: Option<CacheMode>,
    /// Tells the person at the command line something worth knowing that is
    /// no error (an id that was merged into another customer's); the CLI
    /// prints it on stderr, tests and tools drop it.
    pub notify: fn(&str),
}

impl Env {
    /// An environment for tests and tools: this clock, this author, commits on.
    pub fn fixed(now: Timestamp, author: Author) -> Env {
        Env {
            now,
            author: Some(author),
            commit: true,
            lock_timeout: Duration::from_secs(10),
            seed: Some(0),
            relate_exe: None,
            cache: Some(CacheMode::Use),
            notify: |_| {},
        }
    }
}
