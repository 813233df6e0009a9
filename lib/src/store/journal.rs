//! The write journal: what a transaction is changing, kept under `.git/` so
//! that a write killed at any moment leaves the store either as it was before
//! or as the write meant it, never a mix that `relate sync` would push as
//! "changes made by hand".
//!
//! Before a file is replaced or removed, the journal names its path, the blob
//! of what it held (the object database keeps every original) and the blob
//! of what is written. Once the commit object exists, the journal names it. The
//! next command that takes the store lock and finds a journal finishes the
//! write if HEAD already has that commit (only the index may be behind), and
//! otherwise puts back every file that still holds what the write put there.
//! A transaction that fails in the open uses the same roll-back.
//!
//! The format is text, one entry per line, so a person can read it:
//!
//! ```text
//! relate-journal 1
//! file ORIGINAL WRITTEN PATH     (blob ids, `-` for no file; PATH as git names it)
//! commit ID
//! index-lock TOKEN             (what relate writes into .git/index.lock)
//! ```

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use git2::Oid;

use super::files::blob_id;
use super::git::Git;
use super::index;
use crate::error::{Error, Result};

const HEADER: &str = "relate-journal 1";

/// What a file held before a transaction touched it, or what it wrote there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Absent,
    /// Kept in the object database.
    Blob(Oid),
    /// Kept in memory, for a store outside git (no journal there).
    Bytes(Vec<u8>),
}

impl Content {
    /// The blob id of the content (`None` when absent).
    fn id(&self) -> Result<Option<Oid>> {
        match self {
            Content::Absent => Ok(None),
            Content::Blob(id) => Ok(Some(*id)),
            Content::Bytes(bytes) => Ok(Some(blob_id(bytes))),
        }
    }
}

/// One file touched by a transaction.
#[derive(Debug, Clone)]
pub struct Touched {
    /// Relative to the store root.
    pub path: PathBuf,
    pub original: Content,
    /// The blob id of what the transaction wrote there last (`None`: removed).
    pub written: Option<Oid>,
}

/// The open journal of a running transaction.
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Where the journal of the repository `git` lives.
    pub fn location(git: &Git) -> PathBuf {
        git.git_dir().join("relate").join("journal")
    }

    /// Starts a journal (none may exist: a stale one is recovered first).
    pub fn create(git: &Git) -> Result<Journal> {
        let path = Journal::location(git);
        let dir = path.parent().expect("the journal is in a folder");
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        writeln!(file, "{HEADER}").map_err(|e| Error::io(&path, e))?;
        Ok(Journal { path, file })
    }

    /// Notes a file about to be written or removed; with `durable`, the note
    /// reaches the disk before the file is touched.
    pub fn note_file(&mut self, git: &Git, touched: &Touched, durable: bool) -> Result<()> {
        let original = touched.original.id()?;
        let line = format!(
            "file {} {} {}",
            oid_text(original),
            oid_text(touched.written),
            git.git_path(&touched.path)
        );
        self.append(&line, durable)
    }

    pub fn note_commit(&mut self, commit: Oid) -> Result<()> {
        self.append(&format!("commit {commit}"), true)
    }

    /// Notes the token the index lock will hold, before taking it.
    pub fn note_index_lock(&mut self, token: &str) -> Result<()> {
        self.append(&format!("index-lock {}", token.trim_end()), true)
    }

    /// Flushes every note to disk (a transaction that writes without flushing
    /// each file calls this before its commit).
    pub fn flush(&mut self) -> Result<()> {
        self.file.sync_all().map_err(|e| Error::io(&self.path, e))
    }

    fn append(&mut self, line: &str, durable: bool) -> Result<()> {
        writeln!(self.file, "{line}").map_err(|e| Error::io(&self.path, e))?;
        if durable {
            self.flush()?;
        }
        Ok(())
    }

    /// Ends the transaction: the journal is no longer needed.
    pub fn close(self) -> Result<()> {
        remove(&self.path)
    }
}

fn oid_text(oid: Option<Oid>) -> String {
    oid.map_or_else(|| "-".to_string(), |oid| oid.to_string())
}

fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Puts back every touched file that still holds what the transaction wrote
/// (a file changed since by someone else is left alone), newest first.
/// Returns the files put back.
pub fn roll_back(git: Option<&Git>, root: &Path, touched: &[Touched]) -> Vec<PathBuf> {
    let mut restored = Vec::new();
    for file in touched.iter().rev() {
        let abs = root.join(&file.path);
        let current = match std::fs::read(&abs) {
            Ok(bytes) => Some(blob_id(&bytes)),
            Err(_) => None,
        };
        let original = file.original.id().ok().flatten();
        if current == original || current != file.written {
            continue;
        }
        // Best effort: what cannot be put back stays for `git status` to show.
        let put_back = match &file.original {
            Content::Absent => std::fs::remove_file(&abs).map_err(|e| Error::io(&abs, e)),
            Content::Bytes(bytes) => super::files::write_atomic(&abs, bytes),
            Content::Blob(id) => git
                .ok_or_else(|| Error::failed("no repository to restore from"))
                .and_then(|git| Ok(git.repo().find_blob(*id)?.content().to_vec()))
                .and_then(|bytes| super::files::write_atomic(&abs, &bytes)),
        };
        if put_back.is_ok() {
            restored.push(file.path.clone());
        }
    }
    remove_leftovers(root, touched);
    restored
}

/// Temporary files of an interrupted write, in the folders it wrote to.
fn remove_leftovers(root: &Path, touched: &[Touched]) {
    let mut folders: Vec<PathBuf> = touched
        .iter()
        .filter_map(|t| Some(root.join(t.path.parent()?)))
        .collect();
    folders.sort();
    folders.dedup();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".relate-") && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// What recovering a journal left by an interrupted write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// HEAD had the write's commit: only the index was brought in line.
    Finished { commit: String, files: usize },
    /// The write never committed: these files were put back.
    RolledBack { files: Vec<PathBuf> },
}

/// Recovers the journal of an interrupted write, if there is one. The caller
/// holds the store lock, so no transaction of this store is running.
pub fn recover(git: &Git, root: &Path, timeout: std::time::Duration) -> Result<Option<Recovery>> {
    let path = Journal::location(git);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let parsed = parse(git, &text);
    if let Some(token) = &parsed.index_lock {
        index::remove_stale_lock(&git.index_path(), &format!("{token}\n"));
    }
    let landed = match (parsed.commit, git.head()?) {
        (Some(commit), Some(head)) => {
            head == commit
                || git
                    .repo()
                    .graph_descendant_of(head, commit)
                    .unwrap_or(false)
        }
        _ => false,
    };
    let recovery = if landed {
        let token = format!("relate {} recovery\n", std::process::id());
        let lock = index::IndexLock::acquire(&git.index_path(), timeout, &token)?;
        let paths: Vec<String> = parsed
            .touched
            .iter()
            .map(|t| git.git_path(&t.path))
            .collect();
        let tree = git.repo().head()?.peel_to_tree()?;
        index::stage(git.repo(), &lock, &tree, &paths)?.install(&lock)?;
        Recovery::Finished {
            commit: parsed.commit.map(|c| c.to_string()).unwrap_or_default(),
            files: parsed.touched.len(),
        }
    } else {
        Recovery::RolledBack {
            files: roll_back(Some(git), root, &parsed.touched),
        }
    };
    remove(&path)?;
    Ok(Some(recovery))
}

struct Parsed {
    touched: Vec<Touched>,
    commit: Option<Oid>,
    index_lock: Option<String>,
}

/// Reads a journal; a last line cut short by the crash is left out.
fn parse(git: &Git, text: &str) -> Parsed {
    let mut parsed = Parsed {
        touched: Vec::new(),
        commit: None,
        index_lock: None,
    };
    let complete = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => "",
    };
    let oid = |text: &str| (text != "-").then(|| Oid::from_str(text).ok()).flatten();
    for line in complete.lines().skip(1) {
        let mut words = line.splitn(4, ' ');
        match (words.next(), words.next(), words.next(), words.next()) {
            (Some("file"), Some(original), Some(written), Some(path)) => {
                let Some(path) = git.store_path(path) else {
                    continue;
                };
                let original = match oid(original) {
                    Some(id) => Content::Blob(id),
                    None => Content::Absent,
                };
                // The first note of a path has its original; the last, what was written last.
                match parsed.touched.iter_mut().find(|t| t.path == path) {
                    Some(earlier) => earlier.written = oid(written),
                    None => parsed.touched.push(Touched {
                        path,
                        original,
                        written: oid(written),
                    }),
                }
            }
            (Some("commit"), Some(id), None, None) => parsed.commit = Oid::from_str(id).ok(),
            (Some("index-lock"), ..) => {
                parsed.index_lock = line.strip_prefix("index-lock ").map(String::from);
            }
            _ => {}
        }
    }
    parsed
}
