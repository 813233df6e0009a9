//! One write to the store: the store lock, atomic file writes noted in the
//! journal, and one commit of exactly the files written. A command either
//! succeeds completely or changes nothing: files, index and HEAD.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::files;
use super::files::blob_id;
use super::git::Change;
use super::journal::{self, Content, Journal, Touched};
use super::layout::{SETTINGS_FILE, record_path};
use super::lock::StoreLock;
use super::merge;
use super::{Seen, Store, no_author_error};
use crate::error::{Error, Result};
use crate::model::merge::OnConflict;
use crate::model::{Record, id};

/// One write to the store. Dropping it without [`Transaction::commit`] puts
/// back every file it changed.
pub struct Transaction<'s> {
    store: &'s Store,
    _lock: StoreLock,
    /// The journal, once the first file is touched (stores in git only).
    journal: Option<Journal>,
    /// Each touched path, in the order first touched.
    touched: Vec<Touched>,
    /// Where each touched path is in `touched`, so that imports of thousands
    /// of files check it in constant time.
    position: HashMap<PathBuf, usize>,
    /// Whether each write reaches the disk before its rename (else the commit flushes them all).
    sync_each: bool,
    done: bool,
}

impl Store {
    /// Starts a write: takes the store lock, finishes or rolls back a write
    /// that a crash interrupted, and refuses while a git merge is unfinished.
    pub fn begin(&self) -> Result<Transaction<'_>> {
        let lock = self.lock()?;
        if let Some(git) = &self.git {
            self.recover_with(git)?;
            if git.repo().path().join("MERGE_HEAD").exists() {
                return Err(Error::MergeUnderWay);
            }
        }
        Ok(Transaction {
            store: self,
            _lock: lock,
            journal: None,
            touched: Vec::new(),
            position: HashMap::new(),
            sync_each: true,
            done: false,
        })
    }
}

impl Transaction<'_> {
    /// Validates and writes a record to its file. Returns its path relative to the root.
    pub fn put<T: Record>(&mut self, record: &T) -> Result<PathBuf> {
        if let Some(reason) = id::invalid_reason(record.id()) {
            return Err(Error::usage(reason));
        }
        let problems = crate::filter::record_problems(record, &self.store.settings);
        if !problems.is_empty() {
            let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
            return Err(Error::usage(format!(
                "refusing to write {} `{}`: {}",
                T::KIND,
                record.id(),
                messages.join("; ")
            )));
        }
        let mut yaml = files::to_yaml(record)?;
        let rel = record_path(record);
        if !self.position.contains_key(&rel) {
            yaml = self.reconcile::<T>(&rel, record.id(), yaml)?;
        }
        self.put_file(&rel, yaml.as_bytes())?;
        Ok(rel)
    }

    /// Another writer may have changed the record file since this command read
    /// it without the lock: their change is merged in (this command's change
    /// counting as the later one), and a record created meanwhile is never
    /// overwritten.
    fn reconcile<T: Record>(&self, rel: &Path, id: &str, ours: String) -> Result<String> {
        let Some(seen) = self.store.seen.borrow().get(rel).cloned() else {
            return Ok(ours);
        };
        let path = self.store.root.join(rel);
        let current = match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&path, e)),
        };
        let base = match (&seen, &current) {
            (Seen::Absent, Some(_)) => {
                return Err(Error::failed(format!(
                    "{} `{id}` was created by another command in the meantime",
                    T::KIND
                ))
                .with_hint("run the command again"));
            }
            (Seen::Text { blob, text }, Some(current)) if blob_id(current) != *blob => text.clone(),
            (Seen::Blob(blob), Some(current)) if blob_id(current) != *blob => {
                // Bulk reads keep only the blob id: what was read is found in
                // the object database (it was committed), or the command must run again.
                let committed = self
                    .store
                    .git
                    .as_ref()
                    .and_then(|git| git.repo().find_blob(*blob).ok())
                    .map(|b| String::from_utf8_lossy(b.content()).into_owned());
                committed.ok_or_else(|| {
                    Error::failed(format!(
                        "{} `{id}` was changed by another command while this one waited; nothing was written",
                        T::KIND
                    ))
                    .with_hint("run the command again")
                })?
            }
            _ => return Ok(ours),
        };
        let current = String::from_utf8_lossy(current.as_deref().unwrap_or_default()).into_owned();
        let ours = merge::Version {
            text: &ours,
            by: self.store.actor(),
            at: Some(self.store.env.now),
        };
        let theirs = merge::Version {
            text: &current,
            by: None,
            at: None,
        };
        let (merged, _) = merge::merge_texts(
            Some(T::KIND),
            Some(&base),
            &ours,
            &theirs,
            OnConflict::Record,
        )?;
        Ok(merged)
    }

    /// Writes a file below the root atomically, noting it in the journal first.
    pub(crate) fn put_file(&mut self, rel: &Path, contents: &[u8]) -> Result<()> {
        let path = self.store.root.join(rel);
        let dir = path.parent().expect("record paths have a parent");
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        self.ensure_inside_root(dir)?;
        let written = match &self.store.git {
            Some(git) => git.write_blob(contents)?,
            None => blob_id(contents),
        };
        self.note(rel, Some(written))?;
        files::write_replacing(&path, contents, self.sync_each)
    }

    /// Replaces relate.yaml with `text`, which must hold valid settings.
    pub fn put_settings(&mut self, text: &str) -> Result<()> {
        super::parse_settings(text)?;
        self.put_file(Path::new(SETTINGS_FILE), text.as_bytes())
    }

    /// Deletes a record's file (a dated record whose date moved it to another
    /// month is written anew under that month).
    pub fn remove<T: Record>(&mut self, record: &T) -> Result<()> {
        self.remove_file(&record_path(record))
    }

    /// Deletes a file below the root, if present, noting it in the journal first.
    pub(crate) fn remove_file(&mut self, rel: &Path) -> Result<()> {
        self.note(rel, None)?;
        let path = self.store.root.join(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Records what `rel` is about to hold (`None`: nothing), keeping what it
    /// held before the transaction the first time it is touched.
    fn note(&mut self, rel: &Path, written: Option<git2::Oid>) -> Result<()> {
        let index = match self.position.get(rel) {
            Some(&index) => {
                self.touched[index].written = written;
                index
            }
            None => {
                let original = self.original(rel)?;
                self.touched.push(Touched {
                    path: rel.to_path_buf(),
                    original,
                    written,
                });
                self.position
                    .insert(rel.to_path_buf(), self.touched.len() - 1);
                self.touched.len() - 1
            }
        };
        if let Some(git) = &self.store.git {
            if self.journal.is_none() {
                self.journal = Some(Journal::create(git)?);
            }
            let journal = self.journal.as_mut().expect("just created");
            journal.note_file(git, &self.touched[index], self.sync_each)?;
        }
        Ok(())
    }

    /// What `rel` holds now: kept in the object database (or, outside git, in memory).
    fn original(&self, rel: &Path) -> Result<Content> {
        let path = self.store.root.join(rel);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Content::Absent),
            Err(e) => return Err(Error::io(&path, e)),
        };
        Ok(match &self.store.git {
            Some(git) => Content::Blob(git.write_blob(&bytes)?),
            None => Content::Bytes(bytes),
        })
    }

    /// For transactions of thousands of files (imports): writes are no longer
    /// flushed to disk one by one; the commit flushes the file system once
    /// before committing. The journal still lets the next command roll back a
    /// write that a crash interrupted.
    pub fn sync_at_commit(&mut self) {
        self.sync_each = false;
    }

    /// Refuses a folder that a symlink leads out of the store.
    fn ensure_inside_root(&self, dir: &Path) -> Result<()> {
        let root = self
            .store
            .root
            .canonicalize()
            .map_err(|e| Error::io(&self.store.root, e))?;
        let real = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
        if real.starts_with(&root) {
            Ok(())
        } else {
            Err(Error::failed(format!(
                "{} leads out of the store (to {}): relate does not follow it",
                dir.display(),
                real.display()
            ))
            .with_hint("replace the symlink with a real folder"))
        }
    }

    /// Commits the written files with `message` (unless `--no-commit`), ending the
    /// transaction: the commit on HEAD and the index in line, or nothing changed.
    pub fn commit(mut self, message: &str) -> Result<()> {
        let store = self.store;
        if !self.sync_each {
            let paths: Vec<PathBuf> = self.touched.iter().map(|t| t.path.clone()).collect();
            files::sync_file_system(&store.root, &paths)?;
            if let Some(journal) = &mut self.journal {
                journal.flush()?;
            }
        }
        if let (true, Some(git)) = (store.env.commit, &store.git) {
            let author = store.author().ok_or_else(no_author_error)?;
            let changes: Vec<Change> = self
                .touched
                .iter()
                .map(|t| Change {
                    path: t.path.clone(),
                    blob: t.written,
                })
                .collect();
            if let Some(prepared) =
                git.prepare_commit(&changes, message, &author, &store.env.now)?
            {
                let token = format!("relate {} {}\n", std::process::id(), prepared.commit);
                if let Some(journal) = &mut self.journal {
                    journal.note_commit(prepared.commit)?;
                    journal.note_index_lock(&token)?;
                }
                git.publish(&prepared, &changes, store.env.lock_timeout, &token)?;
                super::housekeeping::after_commit(git, &prepared, &changes);
            }
        }
        self.done = true;
        // What was written is what this store has now seen, so a later
        // transaction on the same store merges against it, not the old files.
        let mut seen = store.seen.borrow_mut();
        for touched in &self.touched {
            let now = touched.written.map_or(Seen::Absent, Seen::Blob);
            seen.insert(touched.path.clone(), now);
        }
        drop(seen);
        if let Some(journal) = self.journal.take() {
            journal.close()?;
        }
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        journal::roll_back(self.store.git.as_ref(), &self.store.root, &self.touched);
        if let Some(journal) = self.journal.take() {
            // Best effort: a journal left behind is recovered by the next command.
            let _ = journal.close();
        }
    }
}
