//! Git's index (`.git/index`) brought in line with a commit relate made, for
//! the changed paths only, so that `git status` and `git diff --cached` stay
//! clean after every write.
//!
//! On a store of a million files the index is 150 MB: reading and writing it
//! whole through libgit2 takes seconds, while `git update-index` rewrites it
//! in a tenth of that. So the system `git` updates a copy of the index (a hard
//! link: git writes its result to a new file, never into the one it read)
//! while relate holds `.git/index.lock`, the lock every git command takes
//! before writing the index; the copy replaces the index only once HEAD has
//! moved. Without a system `git`, libgit2 does the same, more slowly.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use git2::{Index, IndexEntry, IndexTime, ObjectType, Oid, Repository};

/// `.git/index.lock`, created by relate and held while it changes the index.
/// Dropping it without [`Staged::install`] removes the lock and changes nothing.
#[derive(Debug)]
pub struct IndexLock {
    lock: PathBuf,
    index: PathBuf,
}

impl IndexLock {
    /// Creates the lock next to `index`, waiting up to `timeout` while another
    /// git command (a shell prompt's `git status`, an editor) holds it. The
    /// lock holds `token` from the moment it exists (a hard link of a file
    /// written first), so that a crash journal can tell the lock a crashed
    /// relate left from one another git command holds.
    pub fn acquire(index: &Path, timeout: Duration, token: &str) -> Result<IndexLock> {
        let lock = lock_path(index);
        let dir = index.parent().unwrap_or(Path::new("."));
        let mut draft = tempfile::Builder::new()
            .prefix(".relate-index-lock-")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        draft
            .write_all(token.as_bytes())
            .map_err(|e| Error::io(draft.path(), e))?;
        let started = Instant::now();
        loop {
            match std::fs::hard_link(draft.path(), &lock) {
                Ok(()) => {
                    return Ok(IndexLock {
                        lock,
                        index: index.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists && started.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    return Err(Error::failed(format!(
                        "git's index stayed locked by another git command for {} s ({} exists); nothing was changed",
                        timeout.as_secs(),
                        lock.display()
                    ))
                    .with_hint(format!(
                        "try again; if no git command is running, a crashed one left the lock: remove {}",
                        lock.display()
                    )));
                }
                Err(e) => return Err(Error::io(&lock, e)),
            }
        }
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        // Best effort: the lock is ours, and a failed write must not leave it.
        let _ = std::fs::remove_file(&self.lock);
    }
}

/// Removes an index lock that a crashed relate left, if it still holds the
/// token that relate wrote into it.
pub fn remove_stale_lock(index: &Path, token: &str) {
    let lock = lock_path(index);
    if std::fs::read(&lock).is_ok_and(|bytes| bytes == token.as_bytes()) {
        let _ = std::fs::remove_file(&lock);
    }
}

fn lock_path(index: &Path) -> PathBuf {
    let mut name = index.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    index.with_file_name(name)
}

/// A new index, written beside the real one, waiting to replace it.
#[must_use]
pub struct Staged {
    new_index: PathBuf,
}

impl Staged {
    /// Puts the new index in place and releases the lock.
    pub fn install(self, lock: &IndexLock) -> Result<()> {
        std::fs::rename(&self.new_index, &lock.index).map_err(|e| Error::io(&lock.index, e))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.new_index);
    }
}

/// Writes a copy of the index in which the work-tree paths `paths` (as git
/// names them) match the files: added or updated where a file is, removed
/// where none is. The index itself is not touched.
pub fn stage(repo: &Repository, lock: &IndexLock, paths: &[String]) -> Result<Staged> {
    refuse_split_index(repo)?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::failed("the repository has no work tree"))?;
    let dir = repo.path().join("relate");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let new_index = dir.join("index.new");
    for leftover in [&new_index, &lock_path(&new_index)] {
        match std::fs::remove_file(leftover) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(Error::io(leftover, e)),
            _ => {}
        }
    }
    if lock.index.exists() && std::fs::hard_link(&lock.index, &new_index).is_err() {
        std::fs::copy(&lock.index, &new_index).map_err(|e| Error::io(&new_index, e))?;
    }
    let staged = Staged { new_index };
    match update_with_system_git(repo.path(), workdir, &staged.new_index, paths) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            update_with_libgit2(workdir, &staged.new_index, paths)?;
        }
        Err(e) => {
            return Err(Error::failed(format!("cannot run `git update-index`: {e}")));
        }
        Ok(output) if !output.status.success() => {
            return Err(Error::failed(format!(
                "`git update-index` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))
            .with_hint(
                "nothing was changed; run `git status` to see what git says about the repository",
            ));
        }
        Ok(_) => {}
    }
    Ok(staged)
}

/// `git update-index --add --remove` of `paths` into the index file `index`.
fn update_with_system_git(
    git_dir: &Path,
    workdir: &Path,
    index: &Path,
    paths: &[String],
) -> std::io::Result<std::process::Output> {
    let mut child = Command::new("git")
        .args(["update-index", "--add", "--remove", "-z", "--stdin"])
        .current_dir(workdir)
        .env("GIT_DIR", git_dir)
        .env("GIT_WORK_TREE", workdir)
        .env("GIT_INDEX_FILE", index)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut input = Vec::new();
    for path in paths {
        input.extend_from_slice(path.as_bytes());
        input.push(0);
    }
    let written = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&input);
    let output = child.wait_with_output()?;
    written.map(|()| output)
}

/// The same update through libgit2, for machines without a `git` program.
fn update_with_libgit2(workdir: &Path, index_file: &Path, paths: &[String]) -> Result<()> {
    let mut index = Index::open(index_file)?;
    for path in paths {
        let abs = workdir.join(path);
        match std::fs::symlink_metadata(&abs) {
            Ok(metadata) if metadata.is_file() => {
                let bytes = std::fs::read(&abs).map_err(|e| Error::io(&abs, e))?;
                let id = Oid::hash_object(ObjectType::Blob, &bytes)?;
                index.add(&index_entry(path, id, &metadata))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if index.get_path(Path::new(path), 0).is_some() {
                    index.remove_path(Path::new(path))?;
                }
            }
            Err(e) => return Err(Error::io(&abs, e)),
        }
    }
    index.write()?;
    Ok(())
}

#[cfg(unix)]
fn index_entry(path: &str, id: Oid, metadata: &std::fs::Metadata) -> IndexEntry {
    use std::os::unix::fs::MetadataExt;
    let time = |seconds: i64, nanos: i64| {
        IndexTime::new(
            i32::try_from(seconds).unwrap_or(0),
            u32::try_from(nanos).unwrap_or(0),
        )
    };
    // The index keeps 32 bits of each; git itself truncates them the same way.
    let low = |value: u64| (value & 0xffff_ffff) as u32;
    IndexEntry {
        ctime: time(metadata.ctime(), metadata.ctime_nsec()),
        mtime: time(metadata.mtime(), metadata.mtime_nsec()),
        dev: low(metadata.dev()),
        ino: low(metadata.ino()),
        mode: if metadata.mode() & 0o111 != 0 {
            0o100755
        } else {
            0o100644
        },
        uid: metadata.uid(),
        gid: metadata.gid(),
        file_size: low(metadata.size()),
        id,
        flags: u16::try_from(path.len().min(0xfff)).expect("masked to 12 bits"),
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

#[cfg(not(unix))]
fn index_entry(path: &str, id: Oid, metadata: &std::fs::Metadata) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(metadata.len()).unwrap_or(u32::MAX),
        id,
        flags: u16::try_from(path.len().min(0xfff)).expect("masked to 12 bits"),
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// libgit2 cannot read a split index (`core.splitIndex`): refuse it rather
/// than write an index that loses its shared part.
fn refuse_split_index(repo: &Repository) -> Result<()> {
    let configured = repo
        .config()
        .and_then(|config| config.get_bool("core.splitIndex"))
        .unwrap_or(false);
    let shared_part = std::fs::read_dir(repo.path()).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("sharedindex.")
        })
    });
    if configured || shared_part {
        return Err(Error::failed(
            "the repository uses a split index (core.splitIndex), which relate cannot read; nothing was changed",
        )
        .with_hint("turn it off with `git config core.splitIndex false && git update-index --no-split-index`"));
    }
    Ok(())
}
