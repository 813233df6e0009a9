//! Git's index (`.git/index`) brought in line with a commit relate made, for
//! the changed paths only, so that `git status` and `git diff --cached` stay
//! clean after every write.
//!
//! On a store of a million files the index is 150 MB: reading and writing it
//! whole through libgit2 takes seconds. So relate writes a copy of the index
//! with the changed entries replaced in place and every other byte copied
//! from the old one (`index_file`), while it holds `.git/index.lock`, the lock
//! every git command takes before writing the index; the copy replaces the
//! index only once HEAD has moved. An index of a form that code leaves alone
//! goes through the system `git update-index` on a copy (a hard link: git
//! writes its result to a new file, never into the one it read), or, without
//! a system `git`, through libgit2, more slowly.

use std::collections::HashMap;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use git2::{Index, IndexEntry, IndexTime, Oid, Repository, Tree};

use super::files::blob_id;
use super::index_file;

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
    spare: PathBuf,
}

/// An index this large keeps the index it replaces as a spare (see
/// [`stage`]); a smaller one costs too little to write for it to matter.
const SPARE_FROM_BYTES: u64 = 16 << 20;

impl Staged {
    /// Puts the new index in place and releases the lock. A large replaced
    /// index stays on as the spare, a hard link whose pages the next write
    /// frees just before it fills as many new ones.
    pub fn install(self, lock: &IndexLock) -> Result<()> {
        if std::fs::metadata(&lock.index).is_ok_and(|meta| meta.len() >= SPARE_FROM_BYTES) {
            // Best effort: without a spare the next write is only slower.
            let _ = std::fs::remove_file(&self.spare);
            let _ = std::fs::hard_link(&lock.index, &self.spare);
        }
        std::fs::rename(&self.new_index, &lock.index).map_err(|e| Error::io(&lock.index, e))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.new_index);
    }
}

fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Writes a copy of the index in which the work-tree paths `paths` (as git
/// names them) match `tree` (the commit's): the tree's blob and mode, with the
/// stat data of the file in the work tree, or no entry where the tree has
/// none. The index itself is not touched. The entries are replaced in place
/// (see `index_file`); an index of a form that code leaves to git goes
/// through `git update-index`.
pub fn stage(repo: &Repository, lock: &IndexLock, tree: &Tree, paths: &[String]) -> Result<Staged> {
    refuse_split_index(repo)?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::failed("the repository has no work tree"))?;
    let dir = repo.path().join("relate");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let new_index = dir.join("index.new");
    // Removing the spare frees the pages it held in the page cache right
    // before the new index fills as many. On a VM whose host takes back the
    // memory a guest leaves free (free page reporting, after about two
    // seconds), filling pages the host must first hand back costs ten times
    // as much as filling pages the guest just freed: 2 s against 0.25 s for a
    // 180 MB index here (docs/performance.md, "Writes").
    let spare = dir.join("index.spare");
    for leftover in [&new_index, &lock_path(&new_index), &spare] {
        remove_if_there(leftover)?;
    }
    let staged = Staged { new_index, spare };
    let old = match map_index(&lock.index) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => OldIndex::Read(index_file::empty()),
        Err(e) => return Err(Error::io(&lock.index, e)),
    };
    let patched =
        updates(repo, workdir, tree, paths).and_then(|updates| index_file::apply(&old, &updates));
    if let Some(patched) = patched {
        let file = std::fs::File::create(&staged.new_index)
            .map_err(|e| Error::io(&staged.new_index, e))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        patched
            .write_to(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io(&staged.new_index, e))?;
        return Ok(staged);
    }
    if !old.is_empty() && std::fs::hard_link(&lock.index, &staged.new_index).is_err() {
        std::fs::write(&staged.new_index, &*old).map_err(|e| Error::io(&staged.new_index, e))?;
    }
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

/// The index as it is on disk, while relate holds its lock.
enum OldIndex {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for OldIndex {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            OldIndex::Mapped(map) => map,
            OldIndex::Read(bytes) => bytes,
        }
    }
}

/// The index mapped from the page cache where the system allows, else read:
/// reading 150 MB into a fresh buffer costs half a second on an idle VM whose
/// host takes back the memory the guest freed (docs/performance.md).
fn map_index(path: &Path) -> std::io::Result<OldIndex> {
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > 0 {
        // SAFETY: a mapping is undefined behaviour only if the file changes
        // while it is mapped. Git never writes an index in place: it writes
        // `index.lock` and renames it over the index (the renamed-away inode
        // keeps its content), and relate holds that lock until the mapping is
        // gone.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(OldIndex::Mapped(map));
        }
    }
    std::fs::read(path).map(OldIndex::Read)
}

/// Looks up files in a tree, reading each folder's tree once: a lookup from
/// the root for every path would inflate and hash a 100,000-entry folder's
/// tree (4 MB) again for each file of an import.
pub(crate) struct FolderTrees<'r> {
    repo: &'r Repository,
    root: &'r Tree<'r>,
    folders: HashMap<String, Option<Tree<'r>>>,
}

impl<'r> FolderTrees<'r> {
    pub(crate) fn new(repo: &'r Repository, root: &'r Tree<'r>) -> FolderTrees<'r> {
        FolderTrees {
            repo,
            root,
            folders: HashMap::new(),
        }
    }

    /// The blob id and file mode of the file at `path` (`/`-separated, from
    /// the root of the tree), if it has one.
    pub(crate) fn entry(&mut self, path: &str) -> Option<(Oid, i32)> {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        let (repo, root) = (self.repo, self.root);
        let tree = self
            .folders
            .entry(folder.to_string())
            .or_insert_with(|| {
                if folder.is_empty() {
                    return Some(root.clone());
                }
                let entry = root.get_path(Path::new(folder)).ok()?;
                entry.to_object(repo).ok()?.into_tree().ok()
            })
            .as_ref()?;
        let entry = tree.get_name(name)?;
        Some((entry.id(), entry.filemode()))
    }
}

/// The index entries `paths` get from `tree` and the work tree, sorted by
/// path; `None` if a file is not as the tree has it (git then decides).
fn updates(
    repo: &Repository,
    workdir: &Path,
    tree: &Tree,
    paths: &[String],
) -> Option<Vec<index_file::Update>> {
    let mut folders = FolderTrees::new(repo, tree);
    let mut updates = Vec::with_capacity(paths.len());
    for path in paths {
        let entry = match folders.entry(path) {
            Some((id, mode)) => {
                let metadata = std::fs::symlink_metadata(workdir.join(path)).ok()?;
                metadata.is_file().then_some(())?;
                Some(entry_data(&metadata, id, mode))
            }
            None => None,
        };
        updates.push(index_file::Update {
            path: path.as_bytes().to_vec(),
            entry,
        });
    }
    updates.sort_by(|a, b| a.path.cmp(&b.path));
    updates.dedup_by(|a, b| a.path == b.path);
    Some(updates)
}

#[cfg(unix)]
fn entry_data(metadata: &std::fs::Metadata, id: Oid, mode: i32) -> index_file::EntryData {
    use std::os::unix::fs::MetadataExt;
    // The index keeps 32 bits of each; git truncates them the same way.
    let low = |value: i64| value as u32;
    index_file::EntryData {
        ctime: (low(metadata.ctime()), low(metadata.ctime_nsec())),
        mtime: (low(metadata.mtime()), low(metadata.mtime_nsec())),
        dev: metadata.dev() as u32,
        ino: metadata.ino() as u32,
        mode: mode as u32,
        uid: metadata.uid(),
        gid: metadata.gid(),
        size: metadata.size() as u32,
        oid: id.as_bytes().try_into().expect("SHA-1 ids are 20 bytes"),
    }
}

#[cfg(not(unix))]
fn entry_data(metadata: &std::fs::Metadata, id: Oid, mode: i32) -> index_file::EntryData {
    index_file::EntryData {
        ctime: (0, 0),
        mtime: (0, 0),
        dev: 0,
        ino: 0,
        mode: mode as u32,
        uid: 0,
        gid: 0,
        size: metadata.len() as u32,
        oid: id.as_bytes().try_into().expect("SHA-1 ids are 20 bytes"),
    }
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
                let id = blob_id(&bytes);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Runs git in `dir`, hermetically; returns its output.
    fn git(dir: &Path, args: &[&str]) -> String {
        output_of(&mut hermetic_git(dir, args), args)
    }

    /// Runs git in `dir` on the index file `index` instead of `.git/index`.
    fn git_on_index(dir: &Path, index: &Path, args: &[&str]) -> String {
        output_of(hermetic_git(dir, args).env("GIT_INDEX_FILE", index), args)
    }

    fn hermetic_git(dir: &Path, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@x")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@x");
        command
    }

    fn output_of(command: &mut Command, args: &[&str]) -> String {
        let output = command.output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// A repository whose index has cached trees and (optionally) an untracked
    /// cache, in index format `version`, with files in nested folders.
    fn repository(version: &str, untracked_cache: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        git(root, &["config", "index.version", version]);
        if untracked_cache {
            git(root, &["config", "core.untrackedCache", "true"]);
        }
        for path in [
            "a.yaml",
            "interactions/2026/10/x.yaml",
            "interactions/2026/11/y.yaml",
            "orders/2026/11/z.yaml",
            "zz/last.yaml",
        ] {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, format!("{path}\n")).unwrap();
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "first"]);
        git(root, &["status", "--porcelain"]);
        dir
    }

    /// Changes files the way a commit of relate does (a new file, a changed
    /// one, a removed one), commits them with git's plumbing without touching
    /// the index, and stages the change with [`stage`].
    fn commit_and_stage(root: &Path) -> (String, Vec<u8>) {
        std::fs::write(root.join("interactions/2026/11/new.yaml"), "new\n").unwrap();
        std::fs::write(root.join("interactions/2026/10/x.yaml"), "changed\n").unwrap();
        std::fs::remove_file(root.join("orders/2026/11/z.yaml")).unwrap();
        std::fs::create_dir_all(root.join("customers")).unwrap();
        std::fs::write(root.join("customers/acme.yaml"), "acme\n").unwrap();
        let paths: Vec<String> = [
            "interactions/2026/11/new.yaml",
            "interactions/2026/10/x.yaml",
            "orders/2026/11/z.yaml",
            "customers/acme.yaml",
        ]
        .map(String::from)
        .to_vec();
        // The tree the commit would have: built by git in a scratch index.
        let scratch = root.join(".git/scratch-index");
        std::fs::copy(root.join(".git/index"), &scratch).unwrap();
        let mut update_index = vec!["update-index", "--add", "--remove", "--"];
        update_index.extend(paths.iter().map(String::as_str));
        git_on_index(root, &scratch, &update_index);
        let tree_id = git_on_index(root, &scratch, &["write-tree"])
            .trim()
            .to_string();
        std::fs::remove_file(&scratch).unwrap();
        let repo = Repository::open(root).unwrap();
        let tree = repo.find_tree(Oid::from_str(&tree_id).unwrap()).unwrap();
        let old = std::fs::read(root.join(".git/index")).unwrap();
        let updates = updates(&repo, root, &tree, &paths).expect("regular files");
        let new = index_file::apply(&old, &updates)
            .expect("an index this code handles")
            .to_vec();
        (tree_id, new)
    }

    #[test]
    fn staged_entries_match_what_git_update_index_writes() {
        for (version, untracked_cache) in [("2", false), ("3", true), ("4", false), ("4", true)] {
            let dir = repository(version, untracked_cache);
            let root = dir.path();
            let (tree_id, new) = commit_and_stage(root);
            // git's own result, from the same old index.
            let theirs = root.join(".git/theirs-index");
            std::fs::copy(root.join(".git/index"), &theirs).unwrap();
            git_on_index(
                root,
                &theirs,
                &[
                    "update-index",
                    "--add",
                    "--remove",
                    "--",
                    "interactions/2026/11/new.yaml",
                    "interactions/2026/10/x.yaml",
                    "orders/2026/11/z.yaml",
                    "customers/acme.yaml",
                ],
            );
            let ours = root.join(".git/ours-index");
            std::fs::write(&ours, &new).unwrap();
            let listing =
                |index: &Path| git_on_index(root, index, &["ls-files", "--stage", "--debug"]);
            assert_eq!(listing(&ours), listing(&theirs), "index version {version}");
            // Cached trees: git trusts them in write-tree, so a stale one would show.
            assert_eq!(git_on_index(root, &ours, &["write-tree"]).trim(), tree_id);
            // The index keeps its format (git writes 3 only when an entry needs it).
            let version_of = |bytes: &[u8]| u32::from_be_bytes(bytes[4..8].try_into().unwrap());
            let before = std::fs::read(root.join(".git/index")).unwrap();
            assert_eq!(version_of(&new), version_of(&before));
            std::fs::rename(&ours, root.join(".git/index")).unwrap();
            git(root, &["read-tree", "--dry-run", &tree_id]);
            assert_eq!(
                git(root, &["diff-files", "--name-only"]),
                "",
                "stat data is the files'"
            );
        }
    }

    #[test]
    fn a_path_longer_than_the_flags_can_hold_is_read_to_its_end() {
        let dir = repository("2", false);
        let root = dir.path();
        let blob = git(root, &["rev-parse", "HEAD:a.yaml"]).trim().to_string();
        let cacheinfo = |path: &str| format!("100644,{blob},{path}");
        // Its flags say 0xfff; only the NUL ends it.
        let long = format!("long/{}/end.yaml", "x".repeat(5000));
        git(
            root,
            &["update-index", "--add", "--cacheinfo", &cacheinfo(&long)],
        );
        let old = std::fs::read(root.join(".git/index")).unwrap();
        let oid = Oid::from_str(&blob).unwrap();
        let update = index_file::Update {
            path: b"zz/new.yaml".to_vec(),
            // As `--cacheinfo` makes it: no stat data.
            entry: Some(index_file::EntryData {
                ctime: (0, 0),
                mtime: (0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                size: 0,
                oid: oid.as_bytes().try_into().unwrap(),
            }),
        };
        let ours = root.join(".git/ours-index");
        let patched = index_file::apply(&old, &[update]).expect("an index this code handles");
        std::fs::write(&ours, patched.to_vec()).unwrap();
        let theirs = root.join(".git/theirs-index");
        std::fs::copy(root.join(".git/index"), &theirs).unwrap();
        let in_index = |index: &Path, args: &[&str]| git_on_index(root, index, args);
        in_index(
            &theirs,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &cacheinfo("zz/new.yaml"),
            ],
        );
        let listing = ["ls-files", "--stage", "--debug"];
        let listed = in_index(&ours, &listing);
        assert_eq!(listed, in_index(&theirs, &listing));
        assert!(listed.contains(&long) && listed.contains("zz/new.yaml"));
    }

    #[test]
    fn a_large_replaced_index_is_the_spare_until_the_next_stage_frees_it() {
        let dir = repository("2", false);
        let root = dir.path();
        let index = root.join(".git/index");
        let spare = root.join(".git/relate/index.spare");
        let lock = IndexLock::acquire(&index, Duration::from_secs(1), "token").unwrap();
        let repo = Repository::open(root).unwrap();
        let tree = repo.head().unwrap().peel_to_tree().unwrap();
        let paths = ["a.yaml".to_string()];

        // A small index leaves no spare.
        stage(&repo, &lock, &tree, &paths)
            .unwrap()
            .install(&lock)
            .unwrap();
        assert!(!spare.exists());

        // A large one (git's own, grown to the size: only its length counts
        // here) stays on as the spare, a hard link of the replaced file.
        let small = std::fs::read(&index).unwrap();
        let mut large = small.clone();
        large.resize(SPARE_FROM_BYTES as usize, 0);
        std::fs::write(&index, &large).unwrap();
        let staged = Staged {
            new_index: root.join(".git/relate/index.new"),
            spare: spare.clone(),
        };
        std::fs::write(&staged.new_index, &small).unwrap();
        staged.install(&lock).unwrap();
        assert_eq!(std::fs::read(&index).unwrap(), small);
        assert_eq!(std::fs::read(&spare).unwrap(), large);

        // The next stage frees it before it writes, whatever it writes.
        let staged = stage(&repo, &lock, &tree, &paths).unwrap();
        assert!(!spare.exists());
        staged.install(&lock).unwrap();
        assert_eq!(git(root, &["status", "--porcelain"]), "");
    }

    #[test]
    fn indexes_of_other_forms_are_left_to_git() {
        let dir = repository("3", false);
        let root = dir.path();
        git(root, &["update-index", "--skip-worktree", "a.yaml"]);
        let repo = Repository::open(root).unwrap();
        let tree = repo.head().unwrap().peel_to_tree().unwrap();
        std::fs::write(root.join("a.yaml"), "changed\n").unwrap();
        let old = std::fs::read(root.join(".git/index")).unwrap();
        let updates = updates(&repo, root, &tree, &["a.yaml".to_string()]).unwrap();
        assert!(
            index_file::apply(&old, &updates).is_none(),
            "a sparse-checkout entry"
        );
        assert!(index_file::apply(b"DIRC\0\0\0\x05\0\0\0\0", &[]).is_none());
        assert!(index_file::apply(b"not an index at all, not at all", &[]).is_none());
    }
}
