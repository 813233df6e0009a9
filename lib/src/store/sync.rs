//! Working as a team: `relate sync` and `relate clone`, through the system git.
//!
//! Sync commits pending hand edits, fetches, merges the remote's changes (git
//! runs relate's merge driver for record files) and pushes. Every step leaves
//! the local work committed: a failure loses nothing and can simply be retried.

use git2::{DiffOptions, Oid, RepositoryState, Sort};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::files::{to_yaml, write_atomic};
use super::git::{Git, Stamp};
use super::system_git::SystemGit;
use super::{Env, Query, Store, no_author_error};
use crate::error::{Error, Problem, Result, SyncFailure};
use crate::model::merge::Conflict;
use crate::model::{Campaign, Customer, Kind, Record};

keyword_enum! {
    /// What happened to a record between two versions of the store.
    Change "change" {
        Added => "added",
        Changed => "changed",
        Removed => "removed",
    }
}

/// One record that came in or went out, and who changed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordChange {
    pub kind: String,
    pub id: String,
    pub change: Change,
    /// Who made the commits that changed it, oldest first.
    pub by: Vec<String>,
}

/// A conflict the merge recorded in a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewConflict {
    pub kind: String,
    pub id: String,
    #[serde(flatten)]
    pub conflict: Conflict,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub remote: String,
    pub branch: String,
    /// Store files with hand edits that were committed first.
    pub committed: Vec<String>,
    pub incoming: Vec<RecordChange>,
    pub outgoing: Vec<RecordChange>,
    pub conflicts: Vec<NewConflict>,
}

/// How many times a push refused because the remote moved is retried.
const PUSH_ATTEMPTS: usize = 3;

/// Commits pending changes, fetches, integrates the remote's changes and pushes.
pub fn sync(store: &Store) -> Result<SyncReport> {
    let git = store.git.as_ref().ok_or_else(|| {
        Error::failed("the store is not in a git repository, so there is nothing to sync with")
            .with_hint(
                "put it in one with `git init`, add a remote with `git remote add origin URL`",
            )
    })?;
    let system = prepare(store, git)?;
    let upstream = upstream(git, &current_branch(git)?)?;
    let committed = commit_pending(store, git)?;
    let local = git
        .head()?
        .ok_or_else(|| Error::failed("the store has no commits yet"))?;
    let fetched = exchange(store, git, &system, &upstream)?;
    report(store, git, local, fetched, upstream, committed)
}

/// Where the current branch syncs to.
pub(super) struct Upstream {
    pub remote: String,
    pub branch: String,
    /// Whether the local branch already tracks it (else the first push sets it).
    pub tracked: bool,
}

impl Upstream {
    /// The remote-tracking ref a fetch updates.
    pub fn refname(&self) -> String {
        format!("refs/remotes/{}/{}", self.remote, self.branch)
    }

    /// How people name it: `origin/main`.
    fn name(&self) -> String {
        format!("{}/{}", self.remote, self.branch)
    }
}

/// The system git, once everything sync needs is in place.
fn prepare(store: &Store, git: &Git) -> Result<SystemGit> {
    let author = store.author().ok_or_else(no_author_error)?;
    let system = SystemGit::new(git.workdir(), Some(&author), &store.env.now);
    system.try_run(&["--version"])?;
    if let Some(relate) = &store.env.relate_exe {
        git.ensure_merge_driver(relate)?;
    }
    if git.repo().state() != RepositoryState::Clean {
        return Err(SyncFailure::OperationUnderWay.into());
    }
    Ok(system)
}

/// Fetches, merges and pushes until the push goes through. Returns the
/// upstream commit last fetched, if the remote has the branch.
fn exchange(
    store: &Store,
    git: &Git,
    system: &SystemGit,
    upstream: &Upstream,
) -> Result<Option<Oid>> {
    let target = format!("HEAD:refs/heads/{}", upstream.branch);
    let mut push = vec!["push", "--quiet"];
    if !upstream.tracked {
        push.push("--set-upstream");
    }
    // `--` ends the options: a remote or branch name is never read as one.
    push.extend(["--", upstream.remote.as_str(), target.as_str()]);
    let mut attempt = 1;
    loop {
        system
            .run(&["fetch", "--quiet", "--", &upstream.remote])
            .map_err(|e| fetch_failed(git, &upstream.remote, e))?;
        let _lock = store.lock()?;
        let fetched = git.repo().refname_to_id(&upstream.refname()).ok();
        if let Some(fetched) = fetched {
            super::rewrite::refuse_erased_history(store, git, fetched, &upstream.name())?;
            integrate(git, system, fetched, &upstream.name())?;
            rewrite_merged_references(store, git)?;
        }
        if git.head()? == fetched {
            return Ok(fetched);
        }
        let outcome = system.try_run(&push)?;
        if outcome.success {
            return Ok(fetched);
        }
        if attempt == PUSH_ATTEMPTS {
            return Err(SyncFailure::PushRefused {
                remote: upstream.remote.clone(),
                message: outcome.message,
            }
            .into());
        }
        // Most likely a teammate pushed in the meantime: fetch and merge again.
        attempt += 1;
    }
}

/// Rewrites, in one commit, the references to the ids of merged customers
/// (their `aliases`) to the customers kept: records that a teammate wrote
/// before a `customer merge` reached them, or after, from an old copy. The
/// store lock is held.
fn rewrite_merged_references(store: &Store, git: &Git) -> Result<()> {
    let customers = store.read_checked::<Customer>(Query::all())?.loaded;
    let kept_for: HashMap<&str, &str> = (customers.iter())
        .flat_map(|file| {
            let keep = file.record.id.as_str();
            file.record
                .aliases
                .iter()
                .map(move |alias| (alias.as_str(), keep))
        })
        .collect();
    if kept_for.is_empty() {
        return Ok(());
    }
    let mut rewritten: Vec<PathBuf> = Vec::new();
    let mut renamed: Vec<String> = Vec::new();
    for kind in [
        Kind::Interaction,
        Kind::Deal,
        Kind::Order,
        Kind::Ticket,
        Kind::Asset,
    ] {
        crate::with_record_type!(kind, T => {
            for file in store.read_checked::<T>(Query::all())?.loaded {
                let mut record = file.record;
                let Some(keep) = record.customer().and_then(|c| kept_for.get(c).copied()) else {
                    continue;
                };
                renamed.push(format!("{} {}", kind, record.id()));
                record.belong_to(keep);
                write_atomic(&store.root.join(&file.path), to_yaml(&record)?.as_bytes())?;
                rewritten.push(file.path);
            }
        });
    }
    for file in store.read_checked::<Campaign>(Query::all())?.loaded {
        let mut campaign = file.record;
        if !campaign.rename_customers(|m| kept_for.get(m).copied()) {
            continue;
        }
        renamed.push(format!("campaign {}", campaign.id));
        write_atomic(&store.root.join(&file.path), to_yaml(&campaign)?.as_bytes())?;
        rewritten.push(file.path);
    }
    if rewritten.is_empty() {
        return Ok(());
    }
    let author = store.author().ok_or_else(no_author_error)?;
    let message = format!(
        "sync: references to merged customers rewritten\n\n{}\n",
        renamed.join("\n")
    );
    git.commit_files(
        &store.root,
        &rewritten,
        &message,
        &author,
        &store.env.now,
        store.env.lock_timeout,
    )?;
    Ok(())
}

/// The branch HEAD is on.
pub(super) fn current_branch(git: &Git) -> Result<String> {
    let head = git.repo().find_reference("HEAD")?;
    head.symbolic_target()
        .and_then(|target| target.strip_prefix("refs/heads/"))
        .map(String::from)
        .ok_or_else(|| {
            Error::failed("the store's repository is not on a branch (a detached HEAD)")
                .with_hint("switch to the branch you share, e.g. `git switch main`")
        })
}

/// The remote and remote branch to sync with, and whether the branch already
/// tracks it: the branch's upstream, else `origin` (or the only remote).
pub(super) fn upstream(git: &Git, branch: &str) -> Result<Upstream> {
    let repo = git.repo();
    let refname = format!("refs/heads/{branch}");
    if let (Ok(remote), Ok(merge)) = (
        repo.branch_upstream_remote(&refname),
        repo.branch_upstream_merge(&refname),
    ) && let (Some(remote), Some(merge)) = (remote.as_str(), merge.as_str())
    {
        let merge = merge.strip_prefix("refs/heads/").unwrap_or(merge);
        return Ok(Upstream {
            remote: remote.to_string(),
            branch: merge.to_string(),
            tracked: true,
        });
    }
    let remotes = repo.remotes()?;
    let names: Vec<&str> = remotes.iter().flatten().collect();
    let remote = match names.as_slice() {
        [] => {
            return Err(SyncFailure::NoRemote.into());
        }
        [only] => *only,
        _ if names.contains(&"origin") => "origin",
        _ => {
            return Err(Error::failed(format!(
                "branch `{branch}` tracks no remote branch and there are several remotes: {}",
                names.join(", ")
            ))
            .with_hint(format!(
                "choose one with `git branch --set-upstream-to REMOTE/{branch}`"
            )));
        }
    };
    Ok(Upstream {
        remote: remote.to_string(),
        branch: branch.to_string(),
        tracked: false,
    })
}

/// Commits every pending change in the store, refusing record files that do
/// not parse (they would spread to the whole team).
fn commit_pending(store: &Store, git: &Git) -> Result<Vec<String>> {
    let _lock = store.lock()?;
    let pending = git.pending()?;
    let problems: Vec<Problem> = pending
        .iter()
        .filter(|rel| store.is_record_file(rel))
        .filter_map(|rel| {
            let kind = Kind::of_path(rel)?;
            crate::with_record_type!(kind, T => store.read_file::<T>(rel).err())
        })
        .collect();
    if !problems.is_empty() {
        return Err(Error::invalid(problems).with_hint(
            "fix these hand edits (or undo them with `git checkout FILE`), then sync again; nothing was committed or sent",
        ));
    }
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = pending.iter().map(|p| git.git_path(p)).collect();
    let author = store.author().ok_or_else(no_author_error)?;
    let message = format!(
        "sync: commit changes made by hand\n\n{}\n",
        names.join("\n")
    );
    git.commit_files(
        &store.root,
        &pending,
        &message,
        &author,
        &store.env.now,
        store.env.lock_timeout,
    )?;
    Ok(names)
}

/// The error of a fetch that failed: most likely the remote is out of reach.
fn fetch_failed(git: &Git, remote: &str, error: Error) -> Error {
    let url = git
        .repo()
        .find_remote(remote)
        .ok()
        .and_then(|r| r.url().map(String::from))
        .unwrap_or_default();
    SyncFailure::FetchFailed {
        remote: remote.to_string(),
        url,
        message: error.to_string(),
    }
    .into()
}

/// Brings the remote's commits into the current branch: a fast-forward when
/// there is nothing local, else a merge in which git runs relate's merge driver.
/// `name` is how people know the upstream branch (`origin/main`).
fn integrate(git: &Git, system: &SystemGit, upstream: Oid, name: &str) -> Result<()> {
    let repo = git.repo();
    let head = git.head()?.expect("the store has commits");
    if head == upstream || repo.graph_descendant_of(head, upstream)? {
        return Ok(());
    }
    let upstream_hex = upstream.to_string();
    if repo.graph_descendant_of(upstream, head)? {
        return system.run(&["merge", "--quiet", "--ff-only", &upstream_hex]);
    }
    let message = format!("sync: merge {name}");
    let outcome = system.try_run(&[
        "merge",
        "--quiet",
        "--no-edit",
        "-m",
        &message,
        &upstream_hex,
    ])?;
    if outcome.success {
        return Ok(());
    }
    if repo.state() != RepositoryState::Merge {
        return Err(SyncFailure::MergeFailed {
            message: outcome.message,
        }
        .into());
    }
    let mut index = repo.index()?;
    index.read(true)?;
    let mut kept = Vec::new();
    let mut unresolved = Vec::new();
    for conflict in index.conflicts()? {
        let conflict = conflict?;
        let entry = conflict
            .our
            .as_ref()
            .or(conflict.their.as_ref())
            .or(conflict.ancestor.as_ref())
            .expect("a conflict has at least one side");
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        // Changed on one side, deleted on the other: git left the changed file
        // in place, and keeping it loses nothing.
        if conflict.our.is_none() || conflict.their.is_none() {
            kept.push(path);
        } else {
            unresolved.push(path);
        }
    }
    if !unresolved.is_empty() {
        let _ = system.try_run(&["merge", "--abort"]);
        return Err(SyncFailure::Unmergeable {
            paths: unresolved,
            message: outcome.message,
            branch: name.to_string(),
        }
        .into());
    }
    let mut add = vec!["add", "--"];
    add.extend(kept.iter().map(String::as_str));
    system.run(&add)?;
    system.run(&["commit", "--quiet", "--no-edit"])
}

/// What came in (the remote's side since the common commit) and what went out
/// (ours), record by record, and the conflicts the merge recorded.
fn report(
    store: &Store,
    git: &Git,
    local: Oid,
    fetched: Option<Oid>,
    upstream: Upstream,
    committed: Vec<String>,
) -> Result<SyncReport> {
    let repo = git.repo();
    let base = match fetched {
        Some(fetched) => Some(repo.merge_base(local, fetched)?),
        None => None,
    };
    let incoming = match fetched {
        Some(fetched) => record_changes(store, git, base, fetched)?,
        None => Vec::new(),
    };
    let outgoing = record_changes(store, git, base, local)?;
    let head = git.head()?.expect("the store has commits");
    let conflicts = new_conflicts(store, git, local, head, &incoming, &outgoing)?;
    Ok(SyncReport {
        remote: upstream.remote,
        branch: upstream.branch,
        committed,
        incoming,
        outgoing,
        conflicts,
    })
}

/// The records that differ between commits `from` and `to`, with the authors of
/// the commits in between that changed them.
pub fn record_changes(
    store: &Store,
    git: &Git,
    from: Option<Oid>,
    to: Oid,
) -> Result<Vec<RecordChange>> {
    let repo = git.repo();
    let tree_of = |oid: Oid| repo.find_commit(oid).and_then(|c| c.tree());
    let from_tree = from.map(tree_of).transpose()?;
    let to_tree = tree_of(to)?;
    let mut options = DiffOptions::new();
    options.pathspec(git.git_path(Path::new("")));
    let diff = repo.diff_tree_to_tree(from_tree.as_ref(), Some(&to_tree), Some(&mut options))?;
    let authors = authors_by_path(store, git, from, to)?;
    let mut changes = Vec::new();
    for delta in diff.deltas() {
        let Some(path) = delta.new_file().path().or(delta.old_file().path()) else {
            continue;
        };
        let git_path = path.to_string_lossy();
        let Some(rel) = git.store_path(&git_path) else {
            continue;
        };
        let (Some(kind), Some(id)) = (Kind::of_path(&rel), rel.file_stem()) else {
            continue;
        };
        let change = match delta.status() {
            git2::Delta::Added => Change::Added,
            git2::Delta::Deleted => Change::Removed,
            _ => Change::Changed,
        };
        changes.push(RecordChange {
            kind: kind.name().to_string(),
            id: id.to_string_lossy().into_owned(),
            change,
            by: authors.get(git_path.as_ref()).cloned().unwrap_or_default(),
        });
    }
    Ok(changes)
}

/// For each path, who changed it in the commits after `from` up to `to`
/// (merges aside), oldest first, as records name people.
fn authors_by_path(
    store: &Store,
    git: &Git,
    from: Option<Oid>,
    to: Oid,
) -> Result<HashMap<String, Vec<String>>> {
    let repo = git.repo();
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)?;
    walk.push(to)?;
    if let Some(from) = from {
        walk.hide(from)?;
    }
    let mut authors: HashMap<String, Vec<String>> = HashMap::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        if commit.parent_count() > 1 {
            continue;
        }
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(parent.tree()?),
            Err(_) => None,
        };
        let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&commit.tree()?), None)?;
        let stamp = Stamp::of(&commit);
        let who = store
            .settings
            .actor(&stamp.author.name, &stamp.author.email);
        for delta in diff.deltas() {
            if let Some(path) = delta.new_file().path().or(delta.old_file().path()) {
                let names = authors
                    .entry(path.to_string_lossy().into_owned())
                    .or_default();
                if !names.contains(&who) {
                    names.push(who.clone());
                }
            }
        }
    }
    Ok(authors)
}

/// Conflicts present in the merged version of records that both sides changed
/// and absent from ours before the merge.
fn new_conflicts(
    store: &Store,
    git: &Git,
    before: Oid,
    after: Oid,
    incoming: &[RecordChange],
    outgoing: &[RecordChange],
) -> Result<Vec<NewConflict>> {
    if before == after {
        return Ok(Vec::new());
    }
    let repo = git.repo();
    let before_tree = repo.find_commit(before)?.tree()?;
    let after_tree = repo.find_commit(after)?.tree()?;
    let mut found = Vec::new();
    for change in incoming {
        let both = outgoing
            .iter()
            .any(|ours| ours.kind == change.kind && ours.id == change.id);
        let Ok(kind) = change.kind.parse::<Kind>() else {
            continue;
        };
        let Some(rel) = both.then(|| store.find(kind, &change.id)).flatten() else {
            continue;
        };
        let conflicts_in = |tree| -> Result<Vec<Conflict>> {
            let Some(bytes) = git.blob_in(tree, &rel)? else {
                return Ok(Vec::new());
            };
            let text = String::from_utf8_lossy(&bytes);
            Ok(
                crate::with_record_type!(kind, T => super::parse_yaml::<T>(&rel, &text)
                .map(|record| record.conflicts().to_vec())
                .unwrap_or_default()),
            )
        };
        let old = conflicts_in(&before_tree)?;
        for conflict in conflicts_in(&after_tree)? {
            if !old.contains(&conflict) {
                found.push(NewConflict {
                    kind: change.kind.clone(),
                    id: change.id.clone(),
                    conflict,
                });
            }
        }
    }
    Ok(found)
}

/// Clones the store at `url` into `dir` with the system git and sets up the
/// merge driver there. Returns whether the clone holds a store at its top.
pub fn clone(url: &str, dir: &Path, env: &Env) -> Result<bool> {
    // git would read an address starting with `-` as an option (`--upload-pack=...`
    // runs a command): no address of a store starts so.
    if url.starts_with('-') {
        return Err(SyncFailure::BadAddress {
            url: url.to_string(),
        }
        .into());
    }
    let system = SystemGit::new(Path::new("."), env.author.as_ref(), &env.now);
    let dir_text = dir.to_string_lossy();
    system
        .run(&["clone", "--quiet", "--", url, &dir_text])
        .map_err(|e| {
            Error::failed(format!("cannot clone {url}: {e}"))
                .with_hint("check the address and your access to it (`git ls-remote URL`)")
        })?;
    let git = Git::discover(dir)?
        .ok_or_else(|| Error::failed(format!("git made no repository in {dir_text}")))?;
    if git.head()?.is_none() {
        check_out_the_shared_branch(&git, &SystemGit::new(dir, env.author.as_ref(), &env.now))?;
    }
    if let Some(relate) = &env.relate_exe {
        git.ensure_merge_driver(relate)?;
    }
    Ok(dir.join(super::SETTINGS_FILE).is_file())
}

/// A remote whose HEAD names a branch it does not have (a bare repository
/// created with another default branch) leaves a clone empty: check out its
/// `main`, or its only branch.
fn check_out_the_shared_branch(git: &Git, system: &SystemGit) -> Result<()> {
    let branches: Vec<String> = git
        .repo()
        .references_glob("refs/remotes/origin/*")?
        .flatten()
        .filter_map(|r| Some(r.shorthand()?.strip_prefix("origin/")?.to_string()))
        .filter(|name| name != "HEAD")
        .collect();
    let branch = match branches.as_slice() {
        [only] => only,
        _ => match branches.iter().find(|b| *b == "main") {
            Some(main) => main,
            None => return Ok(()),
        },
    };
    system.run(&[
        "checkout",
        "--quiet",
        "-B",
        branch,
        "--track",
        &format!("origin/{branch}"),
    ])
}

/// A default folder for a clone of `url`, as git picks it: the last part of
/// the address without `.git`.
pub fn clone_dir(url: &str) -> PathBuf {
    let last = url
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or(url);
    PathBuf::from(last.strip_suffix(".git").unwrap_or(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_folders() {
        assert_eq!(clone_dir("git@host:team/crm.git"), Path::new("crm"));
        assert_eq!(clone_dir("https://host/team/crm/"), Path::new("crm"));
        assert_eq!(clone_dir("/srv/git/crm.git"), Path::new("crm"));
        assert_eq!(clone_dir("crm"), Path::new("crm"));
    }
}
