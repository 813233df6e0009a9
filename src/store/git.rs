//! Git through libgit2: every write is one commit of exactly the files it touched,
//! even when the store sits inside a larger repository.

use git2::{
    ErrorCode, Index, IndexEntry, IndexTime, Oid, Repository, RepositoryInitOptions, Signature,
    Time,
};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::values::Timestamp;

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

    /// The identity from git's configuration (`user.name`, `user.email`).
    pub fn configured_author(&self) -> Option<Author> {
        let signature = self.repo.signature().ok()?;
        Some(Author {
            name: signature.name()?.to_string(),
            email: signature.email()?.to_string(),
        })
    }

    fn git_path(&self, rel: &Path) -> String {
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
