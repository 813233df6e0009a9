//! Git through libgit2: every write is one commit of exactly the files it touched,
//! even when the store sits inside a larger repository.

use chrono::{DateTime, FixedOffset};
use git2::{
    Commit, ConfigLevel, ErrorCode, Index, IndexEntry, IndexTime, Oid, Repository,
    RepositoryInitOptions, Signature, Sort, StatusOptions, Time, Tree,
};
use std::path::{Path, PathBuf};

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
            .map(|bytes| Oid::hash_object(git2::ObjectType::Blob, bytes))
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

    /// Commits the current contents of `paths` (relative to the store root) on top
    /// of HEAD, and nothing else: other staged or modified files stay as they were.
    /// Returns `None` when the files already match HEAD.
    pub fn commit(
        &self,
        root: &Path,
        paths: &[PathBuf],
        message: &str,
        author: &Author,
        when: &Timestamp,
    ) -> Result<Option<Oid>> {
        let parent = match self.repo.head() {
            Ok(head) => Some(head.peel_to_commit()?),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let mut index = Index::new()?;
        if let Some(parent) = &parent {
            index.read_tree(&parent.tree()?)?;
        }
        for rel in paths {
            let git_path = self.git_path(rel);
            let abs = root.join(rel);
            match std::fs::read(&abs) {
                Ok(bytes) => {
                    let id = self.repo.blob(&bytes)?;
                    index.add(&blob_entry(&git_path, id, bytes.len()))?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    index.remove_path(Path::new(&git_path))?;
                }
                Err(e) => return Err(Error::io(&abs, e)),
            }
        }
        let tree_id = index.write_tree_to(&self.repo)?;
        if let Some(parent) = &parent
            && parent.tree_id() == tree_id
        {
            return Ok(None);
        }
        let tree = self.repo.find_tree(tree_id)?;
        let time = Time::new(when.timestamp(), when.offset().local_minus_utc() / 60);
        let signature = Signature::new(&author.name, &author.email, &time)?;
        let parents: Vec<_> = parent.iter().collect();
        let id = self.repo.commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )?;
        self.stage(paths)?;
        Ok(Some(id))
    }

    /// Brings the on-disk index in line with the commit for `paths`, so that
    /// `git status` shows them clean.
    fn stage(&self, paths: &[PathBuf]) -> Result<()> {
        let mut index = self.repo.index()?;
        for rel in paths {
            let git_path = PathBuf::from(self.git_path(rel));
            let present = self
                .repo
                .workdir()
                .is_some_and(|w| w.join(&git_path).exists());
            if present {
                index.add_path(&git_path)?;
            } else if index.get_path(&git_path, 0).is_some() {
                index.remove_path(&git_path)?;
            }
        }
        index.write()?;
        Ok(())
    }
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

fn blob_entry(path: &str, id: Oid, size: usize) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id,
        flags: u16::try_from(path.len().min(0xfff)).expect("masked to 12 bits"),
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
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
