//! Git through libgit2: every write is one commit of exactly the files it touched,
//! even when the store sits inside a larger repository.

use chrono::{DateTime, FixedOffset};
use git2::build::TreeUpdateBuilder;
use git2::{
    Commit, ConfigLevel, ErrorCode, FileMode, Oid, Repository, RepositoryInitOptions, Signature,
    Sort, StatusOptions, Time, Tree,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::files::blob_id;
use super::index::{self, IndexLock};

use crate::error::{Error, Result};
use crate::model::values::Timestamp;

/// The git configuration key naming relate's merge driver command.
const DRIVER_KEY: &str = "merge.relate.driver";

/// Who a commit is by: `RELATE_AUTHOR`, else the user's git identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Author {
    /// Parses `Name <email>`.
    pub fn parse(text: &str) -> Option<Author> {
        let (name, rest) = text.split_once('<')?;
        let email = rest.strip_suffix('>')?.trim();
        let name = name.trim();
        (!name.is_empty() && !email.is_empty()).then(|| Author {
            name: name.to_string(),
            email: email.to_string(),
        })
    }
}

/// Who made a commit, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub author: Author,
    pub at: Timestamp,
}

impl Stamp {
    pub fn of(commit: &Commit) -> Stamp {
        let signature = commit.author();
        let time = signature.when();
        let offset = FixedOffset::east_opt(time.offset_minutes() * 60)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC is an offset"));
        let at = DateTime::from_timestamp(time.seconds(), 0)
            .unwrap_or_default()
            .with_timezone(&offset);
        Stamp {
            author: Author {
                name: String::from_utf8_lossy(signature.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(signature.email_bytes()).into_owned(),
            },
            at,
        }
    }
}

pub struct Git {
    repo: Repository,
    /// The store root relative to the repository's work tree (empty when equal).
    prefix: PathBuf,
}

impl Git {
    /// The repository the store at `root` is inside, if any.
    pub fn discover(root: &Path) -> Result<Option<Git>> {
        match Repository::discover(root) {
            Ok(repo) => Ok(Some(Git::with_repo(repo, root)?)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The repository git names in the environment (`GIT_DIR`) or the one the
    /// current folder is in, as seen by a merge driver that git runs.
    pub fn from_env() -> Result<Git> {
        let repo = Repository::open_from_env()?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| Error::failed("the repository has no work tree"))?
            .to_path_buf();
        Git::with_repo(repo, &workdir)
    }

    /// A new repository at `root`, on branch `main`.
    pub fn init(root: &Path) -> Result<Git> {
        let mut options = RepositoryInitOptions::new();
        options.initial_head("main");
        let repo = Repository::init_opts(root, &options)?;
        Git::with_repo(repo, root)
    }

    fn with_repo(repo: Repository, root: &Path) -> Result<Git> {
        let workdir = repo.workdir().ok_or_else(|| {
            Error::failed("the store is inside a bare git repository")
                .with_hint("clone it with `git clone` and run relate in the clone")
        })?;
        let workdir = workdir.canonicalize().map_err(|e| Error::io(workdir, e))?;
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let prefix = root
            .strip_prefix(&workdir)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(Git { repo, prefix })
    }

    /// The git directory (`.git`), where the store lock lives.
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    /// Whether the store is the whole work tree, as in a clone of a shared store.
    pub fn store_is_top(&self) -> bool {
        self.prefix.as_os_str().is_empty()
    }

    /// The top folder of the work tree.
    pub fn workdir(&self) -> &Path {
        self.repo
            .workdir()
            .expect("bare repositories are refused on opening")
    }

    /// Writes relate's merge driver into the repository's own configuration,
    /// unless it is there already and names a program that exists.
    pub fn ensure_merge_driver(&self, relate: &Path) -> Result<()> {
        let wanted = format!("{} merge-driver %O %A %B %P", shell_quote(relate));
        let mut config = self.repo.config()?.open_level(ConfigLevel::Local)?;
        if let Ok(current) = config.get_string(DRIVER_KEY) {
            let program = current
                .strip_prefix('\'')
                .and_then(|rest| rest.split_once("' merge-driver"))
                .map(|(program, _)| PathBuf::from(program));
            if current == wanted || program.is_some_and(|p| p.is_file()) {
                return Ok(());
            }
        }
        config.set_str("merge.relate.name", "relate: records merged field by field")?;
        config.set_str(DRIVER_KEY, &wanted)?;
        Ok(())
    }

    /// The commit HEAD points at, if any.
    pub fn head(&self) -> Result<Option<Oid>> {
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_commit()?.id())),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Store files that differ from HEAD (hand edits, new and deleted files),
    /// relative to the store root; ignored files are left out.
    pub fn pending(&self) -> Result<Vec<PathBuf>> {
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        if !self.prefix.as_os_str().is_empty() {
            options.pathspec(self.git_path(Path::new("")));
        }
        let statuses = self.repo.statuses(Some(&mut options))?;
        Ok(statuses
            .iter()
            .filter_map(|entry| self.store_path(entry.path()?))
            .collect())
    }

    /// A path relative to the work tree as a path relative to the store root,
    /// if it lies inside the store.
    pub fn store_path(&self, git_path: &str) -> Option<PathBuf> {
        Path::new(git_path)
            .strip_prefix(&self.prefix)
            .ok()
            .map(Path::to_path_buf)
    }

    /// The content of the store file `rel` in `tree`, if it is there.
    pub fn blob_in(&self, tree: &Tree, rel: &Path) -> Result<Option<Vec<u8>>> {
        match tree.get_path(Path::new(&self.git_path(rel))) {
            Ok(entry) => Ok(Some(self.repo.find_blob(entry.id())?.content().to_vec())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// For each content in `wanted`, who committed it at the store file `rel`
    /// and when: the newest commit that has it there while none of its parents
    /// has. Searches from HEAD, every branch and remote branch, and the heads of
    /// a merge, rebase or cherry-pick under way.
    pub fn introductions(&self, rel: &Path, wanted: &[&[u8]]) -> Result<Vec<Option<Stamp>>> {
        let path = PathBuf::from(self.git_path(rel));
        let wanted: Vec<Oid> = wanted
            .iter()
            .map(|bytes| Ok::<_, git2::Error>(blob_id(bytes)))
            .collect::<std::result::Result<_, _>>()?;
        let mut found: Vec<Option<Stamp>> = vec![None; wanted.len()];
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TIME)?;
        // A repository without commits or branches simply has fewer places to look.
        let _ = walk.push_head();
        let _ = walk.push_glob("refs/heads");
        let _ = walk.push_glob("refs/remotes");
        for head in [
            "MERGE_HEAD",
            "REBASE_HEAD",
            "CHERRY_PICK_HEAD",
            "REVERT_HEAD",
            "FETCH_HEAD",
        ] {
            if let Ok(commit) = self
                .repo
                .revparse_single(head)
                .and_then(|o| o.peel_to_commit())
            {
                walk.push(commit.id())?;
            }
        }
        let entry_at = |commit: &Commit| -> Option<Oid> {
            commit.tree().ok()?.get_path(&path).ok().map(|e| e.id())
        };
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let Some(id) = entry_at(&commit) else {
                continue;
            };
            let Some(slot) = wanted.iter().position(|w| *w == id) else {
                continue;
            };
            if found[slot].is_some() || commit.parents().any(|p| entry_at(&p) == Some(id)) {
                continue;
            }
            found[slot] = Some(Stamp::of(&commit));
            if found.iter().all(Option::is_some) {
                break;
            }
        }
        Ok(found)
    }

    /// A yes-or-no setting of the repository's configuration (false if unset).
    pub fn config_bool(&self, key: &str) -> bool {
        (self.repo.config().ok()).is_some_and(|config| config.get_bool(key).unwrap_or(false))
    }

    /// Sets a yes-or-no setting in the repository's own configuration.
    pub fn set_config_bool(&self, key: &str, value: bool) -> Result<()> {
        let mut config = self.repo.config()?.open_level(ConfigLevel::Local)?;
        config.set_bool(key, value)?;
        Ok(())
    }

    /// The identity from git's configuration (`user.name`, `user.email`).
    pub fn configured_author(&self) -> Option<Author> {
        let signature = self.repo.signature().ok()?;
        Some(Author {
            name: signature.name()?.to_string(),
            email: signature.email()?.to_string(),
        })
    }

    /// A store path as git names it: relative to the work tree, with `/`.
    pub fn git_path(&self, rel: &Path) -> String {
        let path = self.prefix.join(rel);
        path.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Writes `bytes` to the object database as a blob: what a commit names.
    pub fn write_blob(&self, bytes: &[u8]) -> Result<Oid> {
        Ok(self.repo.blob(bytes)?)
    }

    /// The commit HEAD points at, with its tree, if HEAD has one.
    fn head_commit(&self) -> Result<Option<Commit<'_>>> {
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_commit()?)),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes a commit on top of HEAD that changes `changes` and nothing else,
    /// without moving HEAD (see [`Git::publish`]). Only the trees along the
    /// changed paths are written again, so its cost grows with the change, not
    /// with the store. `None` when the changes leave HEAD's tree as it is.
    pub fn prepare_commit(
        &self,
        changes: &[Change],
        message: &str,
        author: &Author,
        when: &Timestamp,
    ) -> Result<Option<Prepared>> {
        let parent = self.head_commit()?;
        let base = match &parent {
            Some(parent) => parent.tree()?,
            None => self.repo.find_tree(self.repo.treebuilder(None)?.write()?)?,
        };
        let mut update = TreeUpdateBuilder::new();
        let mut in_base = index::FolderTrees::new(&self.repo, &base);
        for change in changes {
            let path = self.git_path(&change.path);
            match change.blob {
                Some(blob) => {
                    // A file that is executable in HEAD stays so.
                    let mode = match in_base.entry(&path) {
                        Some((_, mode)) if mode == i32::from(FileMode::BlobExecutable) => {
                            FileMode::BlobExecutable
                        }
                        _ => FileMode::Blob,
                    };
                    update.upsert(&path, blob, mode);
                }
                None => {
                    update.remove(&path);
                }
            }
        }
        let tree_id = update.create_updated(&self.repo, &base)?;
        if parent.is_some() && tree_id == base.id() {
            return Ok(None);
        }
        let tree = self.repo.find_tree(tree_id)?;
        let time = Time::new(when.timestamp(), when.offset().local_minus_utc() / 60);
        let signature = Signature::new(&author.name, &author.email, &time)?;
        let parents: Vec<&Commit> = parent.iter().collect();
        let commit = self
            .repo
            .commit(None, &signature, &signature, message, &tree, &parents)?;
        Ok(Some(Prepared {
            parent: parent.as_ref().map(Commit::id),
            commit,
            summary: message.lines().next().unwrap_or_default().to_string(),
        }))
    }

    /// Makes a prepared commit the store's: under git's index lock (waiting up
    /// to `timeout` for a `git status` that holds it), brings a copy of the
    /// index in line for the changed paths, moves HEAD only if it still points
    /// at the commit's parent, then puts the new index in place. A failure at
    /// any step leaves HEAD and the index as they were.
    ///
    /// The index lock holds `lock_token` (see [`IndexLock::acquire`]).
    pub fn publish(
        &self,
        prepared: &Prepared,
        changes: &[Change],
        timeout: Duration,
        lock_token: &str,
    ) -> Result<()> {
        let lock = IndexLock::acquire(&self.index_path(), timeout, lock_token)?;
        let paths: Vec<String> = changes.iter().map(|c| self.git_path(&c.path)).collect();
        let tree = self.repo.find_commit(prepared.commit)?.tree()?;
        let staged = index::stage(&self.repo, &lock, &tree, &paths)?;
        self.move_head(prepared)?;
        if let Err(e) = staged.install(&lock) {
            // Best effort: without the new index, HEAD goes back too.
            let _ = self.move_head_back(prepared);
            return Err(e);
        }
        Ok(())
    }

    /// Commits the current contents of `paths` (relative to the store root), as
    /// `relate sync` does with hand edits: prepare, then publish.
    pub fn commit_files(
        &self,
        root: &Path,
        paths: &[PathBuf],
        message: &str,
        author: &Author,
        when: &Timestamp,
        timeout: Duration,
    ) -> Result<Option<Oid>> {
        let mut changes = Vec::with_capacity(paths.len());
        for rel in paths {
            let abs = root.join(rel);
            let blob = match std::fs::read(&abs) {
                Ok(bytes) => Some(self.write_blob(&bytes)?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io(&abs, e)),
            };
            changes.push(Change {
                path: rel.clone(),
                blob,
            });
        }
        let Some(prepared) = self.prepare_commit(&changes, message, author, when)? else {
            return Ok(None);
        };
        let token = format!("relate {} {}\n", std::process::id(), prepared.commit);
        self.publish(&prepared, &changes, timeout, &token)?;
        Ok(Some(prepared.commit))
    }

    /// The file git keeps its index in (`.git/index`, or a worktree's own).
    pub fn index_path(&self) -> PathBuf {
        self.repo.path().join("index")
    }

    /// Points HEAD (or the branch it names) at the prepared commit, if it still
    /// points at the commit's parent: a git command that committed meanwhile is
    /// never overwritten.
    fn move_head(&self, prepared: &Prepared) -> Result<()> {
        let log = format!("commit: {}", prepared.summary);
        let moved = self.set_head(prepared.parent, prepared.commit, &log);
        moved.map_err(|e| {
            if e.code() == ErrorCode::Modified || e.code() == ErrorCode::Exists {
                Error::failed("HEAD moved while relate was writing (a git command committed meanwhile); nothing was changed")
                    .with_hint("run the command again")
            } else {
                e.into()
            }
        })
    }

    fn move_head_back(&self, prepared: &Prepared) -> Result<()> {
        match prepared.parent {
            Some(parent) => {
                self.set_head(Some(prepared.commit), parent, "relate: write undone")?;
            }
            None => {
                if let Some(name) = self.head_branch()? {
                    self.repo.find_reference(&name)?.delete()?;
                }
            }
        }
        Ok(())
    }

    /// The branch HEAD names (`refs/heads/main`), or `None` when it is detached.
    fn head_branch(&self) -> Result<Option<String>> {
        let head = self.repo.find_reference("HEAD")?;
        Ok(head.symbolic_target().map(String::from))
    }

    /// Moves HEAD's branch (or a detached HEAD) from `from` to `to`, atomically.
    fn set_head(
        &self,
        from: Option<Oid>,
        to: Oid,
        log: &str,
    ) -> std::result::Result<(), git2::Error> {
        let name = match self.head_branch() {
            Ok(Some(name)) => name,
            Ok(None) => "HEAD".to_string(),
            Err(_) => "HEAD".to_string(),
        };
        match from {
            Some(from) => self.repo.reference_matching(&name, to, true, from, log)?,
            None => self.repo.reference(&name, to, false, log)?,
        };
        Ok(())
    }
}

/// One file of a commit: its new content, or `None` for a file removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Relative to the store root.
    pub path: PathBuf,
    pub blob: Option<Oid>,
}

/// A commit written but not yet on HEAD.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub parent: Option<Oid>,
    pub commit: Oid,
    summary: String,
}

/// The identity in the user's global git configuration.
pub fn global_author() -> Option<Author> {
    let config = git2::Config::open_default().ok()?;
    Some(Author {
        name: config.get_string("user.name").ok()?,
        email: config.get_string("user.email").ok()?,
    })
}

/// `path` quoted for the shell that git runs a merge driver with.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors() {
        let a = Author::parse("Ana Lima <ana@example.com>").unwrap();
        assert_eq!(
            (a.name.as_str(), a.email.as_str()),
            ("Ana Lima", "ana@example.com")
        );
        assert!(Author::parse("no email").is_none());
        assert!(Author::parse("<a@b>").is_none());
    }
}
