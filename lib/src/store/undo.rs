//! `relate undo`: take back the current author's last change with a new
//! commit. History is never rewritten, so an undo can itself be shared.

use git2::{Commit, DiffOptions, Oid, Tree};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::git::{Author, Git};
use super::merge::{Version, merge_texts};
use super::sync::{current_branch, upstream};
use super::{Store, Transaction, no_author_error};
use crate::error::{Error, Result};
use crate::model::Kind;
use crate::model::erasure::FORGET_SUBJECT;
use crate::model::merge::OnConflict;

/// The trailer an undo commit names the commit it takes back with.
const REVERTS: &str = "Reverts: ";

/// What an undo took back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Undone {
    /// The commit taken back.
    pub commit: String,
    pub message: String,
    /// The store files put back as they were before it.
    pub files: Vec<String>,
}

/// Takes back the current author's last commit that is not undone yet: each
/// file it changed goes back to its earlier version, except for the fields
/// later commits changed, which keep their values. Refuses once the commit is pushed
/// and the upstream branch has moved on from it.
pub fn undo(store: &Store) -> Result<Undone> {
    let git = store.git.as_ref().ok_or_else(|| {
        Error::failed("the store is not in a git repository, so there is nothing to undo")
    })?;
    let author = store.author().ok_or_else(no_author_error)?;
    let mut tx = store.begin()?;
    let target = last_own_commit(git, &author)?;
    refuse_an_erasure(&target)?;
    refuse_if_built_upon(git, &target)?;
    let before = target.parent(0)?.tree()?;
    let after = target.tree()?;
    let head = git.head()?.expect("the target is in HEAD's history");
    let current = git.repo().find_commit(head)?.tree()?;
    let mut files = Vec::new();
    for rel in changed_files(git, &before, &after)? {
        let versions = [&before, &after, &current].map(|tree| git.blob_in(tree, &rel));
        let [before, after, current] = versions;
        let (before, after, current) = (before?, after?, current?);
        refuse_uncommitted(store, &rel, current.as_deref())?;
        let restored = if current == after {
            before
        } else if current == before {
            continue;
        } else {
            Some(merge_back(&rel, before, after, current)?.into_bytes())
        };
        match restored {
            Some(bytes) => tx.put_file(&rel, &bytes)?,
            None => tx.remove_file(&rel)?,
        }
        files.push(git.git_path(&rel));
    }
    let summary = target.summary().unwrap_or_default().to_string();
    if files.is_empty() {
        return Err(Error::failed(format!(
            "`{summary}` is already undone: later commits put its files back"
        )));
    }
    commit(tx, &summary, target.id())?;
    Ok(Undone {
        commit: target.id().to_string(),
        message: summary,
        files,
    })
}

fn commit(tx: Transaction, summary: &str, target: Oid) -> Result<()> {
    tx.commit(&format!("undo: {summary}\n\n{REVERTS}{target}\n"))
}

/// The newest commit by `author` on the first-parent line of HEAD that changed
/// the store and is not undone yet (merges and undos themselves aside).
fn last_own_commit<'r>(git: &'r Git, author: &Author) -> Result<Commit<'r>> {
    let repo = git.repo();
    let mut undone: HashSet<Oid> = HashSet::new();
    let mut next = match git.head()? {
        Some(head) => Some(repo.find_commit(head)?),
        None => None,
    };
    while let Some(commit) = next {
        let mine = commit
            .author()
            .email()
            .is_some_and(|email| email.eq_ignore_ascii_case(&author.email));
        if mine && commit.parent_count() == 1 {
            let reverted = commit.message().and_then(|message| {
                message
                    .lines()
                    .find_map(|line| line.strip_prefix(REVERTS))
                    .and_then(|oid| Oid::from_str(oid.trim()).ok())
            });
            match reverted {
                Some(reverted) => {
                    undone.insert(reverted);
                }
                None if !undone.contains(&commit.id())
                    && !changed_files(git, &commit.parent(0)?.tree()?, &commit.tree()?)?
                        .is_empty() =>
                {
                    return Ok(commit);
                }
                None => {}
            }
        }
        next = commit.parent(0).ok();
    }
    Err(Error::failed(format!(
        "nothing to undo: {} <{}> has no change in this store's history that is not undone yet",
        author.name, author.email
    )))
}

/// Refuses to take back a `customer forget`: the person asked to be erased.
fn refuse_an_erasure(target: &Commit) -> Result<()> {
    let summary = target.summary().unwrap_or_default();
    if !summary.starts_with(FORGET_SUBJECT) {
        return Ok(());
    }
    Err(Error::failed(format!(
        "`{summary}` erased a person, and relate does not bring an erased person back"
    ))
    .with_hint(
        "a customer forgotten by mistake is added again with `relate customer add` (an import skips them: see docs/privacy.md)",
    ))
}

/// Refuses a commit that the upstream branch has and has built on: teammates
/// may already work with what it wrote.
fn refuse_if_built_upon(git: &Git, target: &Commit) -> Result<()> {
    let repo = git.repo();
    let upstream = current_branch(git)
        .ok()
        .and_then(|branch| upstream(git, &branch).ok())
        .and_then(|upstream| repo.refname_to_id(&upstream.refname()).ok());
    match upstream {
        Some(upstream) if upstream != target.id() && repo.graph_descendant_of(upstream, target.id())? => {
            Err(Error::failed(format!(
                "`{}` is already pushed and the team has built on it, so relate does not undo it",
                target.summary().unwrap_or_default()
            ))
            .with_hint(format!(
                "change the records back with relate commands; `git revert {}` takes the whole commit back by hand",
                target.id()
            )))
        }
        _ => Ok(()),
    }
}

/// The store files that differ between two trees, relative to the store root.
fn changed_files(git: &Git, from: &Tree, to: &Tree) -> Result<Vec<PathBuf>> {
    let mut options = DiffOptions::new();
    options.pathspec(git.git_path(Path::new("")));
    let diff = git
        .repo()
        .diff_tree_to_tree(Some(from), Some(to), Some(&mut options))?;
    Ok(diff
        .deltas()
        .filter_map(|delta| delta.new_file().path().or(delta.old_file().path()))
        .filter_map(|path| git.store_path(&path.to_string_lossy()))
        .collect())
}

/// Refuses to undo over hand edits not committed yet.
fn refuse_uncommitted(store: &Store, rel: &Path, committed: Option<&[u8]>) -> Result<()> {
    let on_disk = std::fs::read(store.root.join(rel)).ok();
    if on_disk.as_deref() == committed {
        return Ok(());
    }
    Err(Error::Uncommitted {
        path: rel.to_path_buf(),
    })
}

/// A file that later commits changed too: the earlier version merged field by
/// field into the current one, where any field changed since keeps its value.
fn merge_back(
    rel: &Path,
    before: Option<Vec<u8>>,
    after: Option<Vec<u8>>,
    current: Option<Vec<u8>>,
) -> Result<String> {
    let kind = Kind::of_path(rel);
    let (Some(kind), Some(before), Some(current)) = (kind, before, current) else {
        return Err(Error::failed(format!(
            "{} was changed again by later commits, so it cannot be put back automatically",
            rel.display()
        ))
        .with_hint("change it back by hand or with relate commands"));
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let version = |text| Version {
        text,
        by: None,
        at: None,
    };
    let (before, current) = (text(&before), text(&current));
    let after = after.map(|bytes| text(&bytes));
    let (merged, _) = merge_texts(
        Some(kind),
        after.as_deref(),
        &version(&current),
        &version(&before),
        OnConflict::KeepOurs,
    )?;
    Ok(merged)
}
