//! The store: a directory of YAML records in a git repository.
//!
//! - [`layout`]: where records live, and listing a folder.
//! - [`read`]: the one way records are read ([`Store::read`], [`Store::get`]),
//!   from the files or from the derived cache ([`cache`]) under `.git/`.
//! - [`transaction`]: every write: the store lock, atomic file writes noted in
//!   the [`journal`], and one commit ([`git`], with git's index brought in line
//!   by [`index`] and the repository kept small by [`housekeeping`]).
//! - `init`, [`check`], and the team features: [`sync`], [`merge`] (the merge
//!   driver), [`history`], [`resolve`], [`undo`], and [`rewrite`] (a person
//!   erased from every commit).

mod cache;
pub mod check;
mod env;
mod files;
pub mod fits;
mod git;
pub mod history;
mod housekeeping;
mod index;
mod index_file;
mod init;
mod journal;
mod layout;
mod lock;
pub mod merge;
mod monitor;
mod read;
pub mod resolve;
pub mod rewrite;
mod suppression;
pub mod sync;
mod system_git;
mod transaction;
pub mod undo;

pub use cache::CacheMode;
pub use env::Env;
pub use files::{line_of_key, parse_yaml, to_yaml, write_atomic};
pub use git::Author;
pub use journal::Recovery;
pub use layout::{Months, SETTINGS_FILE, SUPPRESSION_FOLDER, record_path};
pub use monitor::Status as MonitorStatus;
pub use read::{Checked, Loaded, Query};
pub use suppression::suppression_path;
pub use transaction::Transaction;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Result};
use crate::model::Settings;
use git::Git;

/// What a command saw of a record file before taking the lock, so that a
/// transaction notices a writer in between.
#[derive(Debug, Clone)]
enum Seen {
    /// The file was not there.
    Absent,
    /// Read on its own: its text is kept, the base of a merge if it changed.
    Text { blob: git2::Oid, text: String },
    /// Read in bulk: only its blob id is kept.
    Blob(git2::Oid),
}

pub struct Store {
    root: PathBuf,
    settings: Settings,
    git: Option<Git>,
    env: Env,
    cache: Option<cache::Cache>,
    seen: RefCell<HashMap<PathBuf, Seen>>,
    strays: layout::Strays,
    /// Whether reads ask the file-system monitor (`git config relate.monitor
    /// true`, a store at the top of its repository, the cache in use).
    monitored: bool,
    /// Whether this command started the monitor already.
    monitor_spawned: std::cell::Cell<bool>,
    /// What recovering an interrupted write did when the store was opened.
    recovered: Option<Recovery>,
}

impl Store {
    /// Finds the store root: `explicit` (from `--store` or `RELATE_STORE`), else the
    /// nearest ancestor of `cwd` holding relate.yaml.
    pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
        if let Some(dir) = explicit {
            return if dir.join(SETTINGS_FILE).is_file() {
                Ok(dir.to_path_buf())
            } else {
                Err(Error::NoStore {
                    at: Some(dir.to_path_buf()),
                })
            };
        }
        cwd.ancestors()
            .find(|dir| dir.join(SETTINGS_FILE).is_file())
            .map(Path::to_path_buf)
            .ok_or(Error::NoStore { at: None })
    }

    /// Opens the store at `root`; a write that a crash interrupted is finished
    /// or rolled back first, if no other command is at work.
    pub fn open(root: &Path, env: Env) -> Result<Store> {
        let settings = read_settings(root)?;
        let git = Git::discover(root)?;
        if let (Some(git), Some(relate)) = (&git, &env.relate_exe)
            && git.store_is_top()
        {
            // Best effort: a read-only repository still reads fine; `relate sync`
            // checks again and reports a failure. A store in a subfolder of a
            // larger repository (relate's own sample data, say) leaves that
            // repository's configuration to `relate init` and `relate sync`.
            let _ = git.ensure_merge_driver(relate);
        }
        let mut store = Store::assemble(root, settings, git, env);
        if let Some(git) = &store.git
            && journal::Journal::location(git).exists()
            && let Ok(Some(_lock)) = lock::try_acquire(&store.lock_path())
        {
            store.recovered = journal::recover(git, &store.root, store.env.lock_timeout)?;
        }
        Ok(store)
    }

    fn assemble(root: &Path, settings: Settings, git: Option<Git>, env: Env) -> Store {
        let cache = match (&git, env.cache) {
            (Some(git), Some(mode)) => Some(cache::Cache::new(
                git.git_dir(),
                &git.git_path(Path::new("")),
                mode,
            )),
            _ => None,
        };
        let monitored = env.cache == Some(CacheMode::Use)
            && git
                .as_ref()
                .is_some_and(|git| git.store_is_top() && git.config_bool(monitor::CONFIG_KEY));
        Store {
            root: root.to_path_buf(),
            settings,
            git,
            env,
            cache,
            seen: RefCell::default(),
            strays: layout::Strays::default(),
            monitored,
            monitor_spawned: std::cell::Cell::new(false),
            recovered: None,
        }
    }

    /// What recovering an interrupted write did when the store was opened.
    pub fn recovered(&self) -> Option<&Recovery> {
        self.recovered.as_ref()
    }

    /// Recovers a journal under the store lock, which the caller holds.
    fn recover_with(&self, git: &Git) -> Result<()> {
        journal::recover(git, &self.root, self.env.lock_timeout)?;
        Ok(())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Who is acting: `RELATE_AUTHOR`, else git's `user.name` and `user.email`.
    pub fn author(&self) -> Option<Author> {
        self.env
            .author
            .clone()
            .or_else(|| self.git.as_ref()?.configured_author())
    }

    /// How the acting user appears in records (`by`, default `owner`): the owner
    /// id whose e-mail matches the author's, else the author's name.
    pub fn actor(&self) -> Option<String> {
        let author = self.author()?;
        Some(self.settings.actor(&author.name, &author.email))
    }

    /// The owner id of the acting user, if the team in relate.yaml lists them.
    pub fn acting_owner(&self) -> Option<String> {
        let author = self.author()?;
        self.settings
            .owner_by_email(&author.email)
            .map(|owner| owner.id.clone())
    }

    /// A random source for ids: seeded by `RELATE_SEED` when set.
    pub fn rng(&self) -> fastrand::Rng {
        match self.env.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        }
    }

    fn lock_path(&self) -> PathBuf {
        match &self.git {
            Some(git) => git.git_dir().join("relate.lock"),
            None => self.root.join(".relate.lock"),
        }
    }

    /// Takes the store lock, waiting up to the lock timeout for another writer.
    fn lock(&self) -> Result<lock::StoreLock> {
        lock::acquire(&self.lock_path(), self.env.lock_timeout)
    }
}

fn no_author_error() -> Error {
    Error::failed("no author for the commit").with_hint(
        "set RELATE_AUTHOR=\"Name <email>\", or `git config --global user.name` and `user.email`",
    )
}

fn read_settings(root: &Path) -> Result<Settings> {
    let path = root.join(SETTINGS_FILE);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::invalid(vec![Problem::new(
            SETTINGS_FILE,
            None,
            format!("not UTF-8 text: {e}"),
        )])
    })?;
    parse_settings(&text)
}

/// Settings from the text of relate.yaml, checked as opening a store checks them.
pub(crate) fn parse_settings(text: &str) -> Result<Settings> {
    let settings: Settings =
        parse_yaml(Path::new(SETTINGS_FILE), text).map_err(|p| Error::invalid(vec![p]))?;
    let problems = crate::filter::settings_problems(&settings);
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(Error::invalid(
            problems
                .into_iter()
                .map(|message| Problem::new(SETTINGS_FILE, None, message))
                .collect(),
        ))
    }
}
