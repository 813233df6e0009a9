//! Erasing a person from the history of the repository: `relate customer
//! forget --rewrite-history` (docs/privacy.md, "What git keeps").
//!
//! Every commit reachable from any ref (branches, tags, the stash,
//! remote-tracking refs) is written again, in the same order, with the same
//! authors and dates, without the person:
//! - their record files go from every commit: their customer file (and the
//!   files of customers merged into them), and every version of an
//!   interaction, deal, ticket or asset whose `customer:` is theirs;
//! - in every other file and in every commit message, their ids, e-mail
//!   addresses and phone numbers (as written in any version of their file)
//!   become their pseudonym, so their orders name the pseudonym all along;
//! - their full name becomes the pseudonym in commit messages and in the
//!   files that refer to them (by id, address, or `company:` naming them),
//!   not in a record of somebody else who happens to share it.
//!
//! libgit2 writes the new objects (each distinct folder and file is rewritten
//! once, however many commits share it); the system git then resets the work
//! tree, expires the reflogs, collects the old objects and force-pushes with
//! a lease. Everything that can refuse is checked first ([`preflight`]),
//! before anything is written.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use git2::{DiffOptions, ObjectType, Oid, ReferenceType, Repository, RepositoryState, Sort};

use super::git::Git;
use super::layout::SUPPRESSION_FOLDER;
use super::system_git::SystemGit;
use super::{Store, files, suppression_path};
use crate::error::{Error, Result, RewriteRefusal, SyncFailure};
use crate::model::erasure::{self, FORGET_SUBJECT, Suppressed, Suppression};
use crate::model::{Kind, id};

/// What was checked before anything is written: each remote to force-push,
/// with what its refs hold now (the lease the push expects).
#[derive(Debug)]
pub struct Preflight {
    remotes: Vec<RemoteRefs>,
}

#[derive(Debug)]
struct RemoteRefs {
    name: String,
    /// The remote's branches and tags (`refs/heads/main`) and their objects.
    refs: Vec<(String, Oid)>,
}

/// What the rewrite did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The pseudonym the person's ids became.
    pub pseudonym: String,
    /// Commits written again (the others did not hold the person).
    pub commits: usize,
    /// Refs moved to the rewritten commits.
    pub refs: usize,
    /// Remotes force-pushed, each with its refs pushed.
    pub pushed: Vec<(String, Vec<String>)>,
}

impl Rewritten {
    /// What each teammate runs in their clone, which still holds the old
    /// history: cloning again is simplest; these commands do it in place.
    pub fn teammate_commands(&self) -> Vec<String> {
        let mut commands = Vec::new();
        for (remote, refs) in &self.pushed {
            commands.push(format!("git fetch --force --tags {remote}"));
            for branch in refs.iter().filter_map(|r| r.strip_prefix("refs/heads/")) {
                commands.push(format!("git checkout {branch}"));
                commands.push(format!("git reset --hard {remote}/{branch}"));
            }
        }
        if !commands.is_empty() {
            commands.push("git reflog expire --expire=now --all".into());
            commands.push("git gc --prune=now".into());
        }
        commands
    }
}

/// Checks that the history of the store can be rewritten and, when it has
/// remotes, pushed (`push`: the user said `--yes`): nothing is written.
pub fn preflight(store: &Store, push: bool) -> Result<Preflight> {
    let git = store.git.as_ref().ok_or(RewriteRefusal::NoRepository)?;
    let repo = git.repo();
    if !store.env.commit {
        return Err(RewriteRefusal::NotCommitting.into());
    }
    if !git.store_is_top() {
        return Err(RewriteRefusal::SharedRepository.into());
    }
    if repo.state() != RepositoryState::Clean {
        return Err(RewriteRefusal::OperationUnderWay.into());
    }
    if !repo.worktrees()?.is_empty() {
        return Err(RewriteRefusal::Worktrees.into());
    }
    let pending = git.pending()?;
    if !pending.is_empty() {
        let paths = pending.iter().map(|p| git.git_path(p)).collect();
        return Err(RewriteRefusal::Uncommitted { paths }.into());
    }
    let system = SystemGit::new(git.workdir(), None, &store.env.now);
    system.try_run(&["--version"])?;
    let names: Vec<String> = (repo.remotes()?.iter().flatten())
        .map(String::from)
        .collect();
    if !names.is_empty() && !push {
        return Err(RewriteRefusal::RemoteNeedsYes { remotes: names }.into());
    }
    let mut remotes = Vec::new();
    for name in names {
        let listing = system
            .stdout(&["ls-remote", "--heads", "--tags", "--", &name])
            .map_err(|e| RewriteRefusal::RemoteUnreachable {
                remote: name.clone(),
                message: e.to_string(),
            })?;
        let mut refs = Vec::new();
        for line in listing.lines() {
            let Some((hex, refname)) = line.split_once('\t') else {
                continue;
            };
            if refname.ends_with("^{}") {
                continue;
            }
            let seen_as = match refname.strip_prefix("refs/heads/") {
                Some(branch) => format!("refs/remotes/{name}/{branch}"),
                None => refname.to_string(),
            };
            let oid = Oid::from_str(hex)?;
            // Fetched, and merged into the branch of the same name: the
            // push of that branch then loses nothing of the remote's.
            let merged = |branch: &str| match repo.refname_to_id(&format!("refs/heads/{branch}")) {
                Ok(local) => local == oid || repo.graph_descendant_of(local, oid).unwrap_or(false),
                Err(_) => true,
            };
            let branch = refname.strip_prefix("refs/heads/");
            if repo.refname_to_id(&seen_as).ok() != Some(oid) || !branch.is_none_or(merged) {
                return Err(RewriteRefusal::RemoteAhead {
                    remote: name,
                    refname: refname.to_string(),
                }
                .into());
            }
            refs.push((refname.to_string(), oid));
        }
        remotes.push(RemoteRefs { name, refs });
    }
    Ok(Preflight { remotes })
}

/// Rewrites every commit reachable from any ref without the customer `id`
/// (their current file, or the last one history holds), marks their
/// suppression entry as rewritten, resets the work tree, drops the old
/// objects and force-pushes to the remotes `preflight` checked.
/// `pseudonym`: the one `forget` just gave them, else the one of the
/// `forget` commit that erased them (else a new one).
pub fn rewrite_history(
    store: &Store,
    preflight: &Preflight,
    id: &str,
    pseudonym: Option<&str>,
) -> Result<Rewritten> {
    let git = store.git.as_ref().ok_or(RewriteRefusal::NoRepository)?;
    let repo = git.repo();
    let commits = reachable_commits(repo, &direct_refs(repo)?)?;
    let person = Person::gather(repo, &commits, id)?;
    let pseudonym = match pseudonym {
        Some(given) => given.to_string(),
        None => forget_pseudonym(repo, &commits, &person.ids)?
            .unwrap_or_else(|| erasure::pseudonym(&mut store.rng())),
    };
    mark_rewritten(store, &person, &pseudonym)?;
    let lock = store.lock()?;
    // The marking commit is part of the history to rewrite.
    let refs = direct_refs(repo)?;
    let stashes = stash_entries(repo)?;
    let roots: Vec<(String, Oid)> = (refs.iter().cloned())
        .chain(
            stashes
                .iter()
                .map(|(oid, _)| ("refs/stash".to_string(), *oid)),
        )
        .collect();
    let commits = reachable_commits(repo, &roots)?;
    let mut trees = TreeRewriter::new(repo, &person, &pseudonym);
    let mut new_trees = Vec::with_capacity(commits.len());
    for commit in &commits {
        new_trees.push(trees.root(repo.find_commit(*commit)?.tree_id())?);
    }
    let messages = Scrubber::new(
        (person
            .ids
            .iter()
            .chain(&trees.dropped_ids)
            .map(|id| (id.as_str(), true)))
        .chain(person.texts().map(|text| (text, false))),
    )?;
    let mut mapped: HashMap<Oid, Oid> = HashMap::new();
    let mut written = 0;
    for (old, tree) in commits.iter().zip(new_trees) {
        let commit = repo.find_commit(*old)?;
        let parents: Vec<Oid> = commit.parent_ids().map(|p| mapped[&p]).collect();
        let text = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        let message = messages.scrub(&text, &pseudonym).unwrap_or(text);
        let same = tree == commit.tree_id()
            && parents.iter().copied().eq(commit.parent_ids())
            && message.as_bytes() == commit.message_bytes();
        let new = if same {
            *old
        } else {
            let parents = (parents.iter().map(|p| repo.find_commit(*p)))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let parents: Vec<&git2::Commit> = parents.iter().collect();
            let tree = repo.find_tree(tree)?;
            written += 1;
            repo.commit(
                None,
                &commit.author(),
                &commit.committer(),
                &message,
                &tree,
                &parents,
            )?
        };
        mapped.insert(*old, new);
    }
    let moved = move_refs(repo, &refs, &mapped, &messages, &pseudonym)?;
    forget_derived_state(git)?;
    let system = SystemGit::new(git.workdir(), None, &store.env.now);
    system.run(&["reset", "--quiet", "--hard", "HEAD"])?;
    system.run(&["reflog", "expire", "--expire=now", "--all"])?;
    // The stash is a reflog: its entries are stored again, rewritten (on a
    // fresh ref: git logs no entry for a ref that does not move).
    if !stashes.is_empty() {
        system.run(&["update-ref", "-d", "refs/stash"])?;
    }
    for (old, message) in stashes.iter().rev() {
        let message = messages
            .scrub(message, &pseudonym)
            .unwrap_or(message.clone());
        let new = mapped[old].to_string();
        system.run(&["stash", "store", "--quiet", "-m", &message, &new])?;
    }
    system.run(&["gc", "--quiet", "--prune=now"])?;
    drop(lock);
    let pushed = push(git, &system, preflight)?;
    Ok(Rewritten {
        pseudonym,
        commits: written,
        refs: moved,
        pushed,
    })
}

/// Every ref that names an object directly (symbolic refs follow them).
fn direct_refs(repo: &Repository) -> Result<Vec<(String, Oid)>> {
    let mut refs = Vec::new();
    for reference in repo.references()? {
        let reference = reference?;
        if reference.kind() != Some(ReferenceType::Direct) {
            continue;
        }
        if let (Some(name), Some(target)) = (reference.name(), reference.target()) {
            refs.push((name.to_string(), target));
        }
    }
    if repo.head_detached()?
        && let Some(head) = repo.head()?.target()
    {
        refs.push(("HEAD".to_string(), head));
    }
    Ok(refs)
}

/// The entries of the stash, newest first: each commit and its message.
fn stash_entries(repo: &Repository) -> Result<Vec<(Oid, String)>> {
    let log = match repo.reflog("refs/stash") {
        Ok(log) => log,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    Ok((log.iter())
        .map(|entry| {
            let message = entry.message().unwrap_or_default().to_string();
            (entry.id_new(), message)
        })
        .collect())
}

/// The commits reachable from `refs`, parents before children.
fn reachable_commits(repo: &Repository, refs: &[(String, Oid)]) -> Result<Vec<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for (_, target) in refs {
        if let Ok(commit) = repo.find_object(*target, None)?.peel_to_commit() {
            walk.push(commit.id())?;
        }
    }
    Ok(walk.collect::<std::result::Result<Vec<_>, _>>()?)
}

/// What a version of a customer file says of the person: read leniently, as
/// plain YAML, so that a version a teammate broke by hand is read too.
#[derive(Debug, Default)]
pub(super) struct Profile {
    pub name: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub aliases: Vec<String>,
}

impl Profile {
    pub fn read(bytes: &[u8]) -> Profile {
        let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_slice(bytes) else {
            return Profile::default();
        };
        let text = |key: &str| map.get(key).and_then(|v| v.as_str()).map(String::from);
        let list = |key: &str| -> Vec<String> {
            match map.get(key) {
                Some(serde_yaml::Value::Sequence(items)) => (items.iter())
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                Some(serde_yaml::Value::String(one)) => vec![one.clone()],
                _ => Vec::new(),
            }
        };
        Profile {
            name: text("name"),
            emails: list("emails"),
            phones: list("phones"),
            aliases: list("aliases"),
        }
    }
}

/// Everything history holds that identifies the person: gathered from every
/// version of their customer file and of the files of customers merged into
/// them (their aliases).
#[derive(Debug, Default)]
struct Person {
    /// Their id first, then their aliases.
    ids: Vec<String>,
    names: BTreeSet<String>,
    emails: BTreeSet<String>,
    phones: BTreeSet<String>,
}

/// Shorter names and addresses are not replaced: a one-letter name or a
/// mistyped two-digit phone would replace text all over the store.
const SHORTEST_NAME: usize = 3;
const SHORTEST_ADDRESS: usize = 6;

impl Person {
    fn gather(repo: &Repository, commits: &[Oid], id: &str) -> Result<Person> {
        let mut person = Person {
            ids: vec![id.to_string()],
            ..Person::default()
        };
        let mut seen: HashSet<Oid> = HashSet::new();
        let mut next = 0;
        while next < person.ids.len() {
            let path = customer_path(&person.ids[next]);
            next += 1;
            for commit in commits {
                let tree = repo.find_commit(*commit)?.tree()?;
                let Ok(entry) = tree.get_path(Path::new(&path)) else {
                    continue;
                };
                if !seen.insert(entry.id()) {
                    continue;
                }
                let profile = Profile::read(repo.find_blob(entry.id())?.content());
                person.names.extend(profile.name);
                person.emails.extend(profile.emails);
                person.phones.extend(profile.phones);
                for alias in profile.aliases {
                    if id::is_valid(&alias) && !person.ids.contains(&alias) {
                        person.ids.push(alias);
                    }
                }
            }
        }
        if seen.is_empty() {
            return Err(RewriteRefusal::NotInHistory { id: id.to_string() }.into());
        }
        person
            .names
            .retain(|n| n.trim().chars().count() >= SHORTEST_NAME);
        person.emails.retain(|a| a.trim().len() >= SHORTEST_ADDRESS);
        person.phones.retain(|a| a.trim().len() >= SHORTEST_ADDRESS);
        Ok(person)
    }

    /// Their names, e-mail addresses and phone numbers.
    fn texts(&self) -> impl Iterator<Item = &str> {
        (self.names.iter().chain(&self.emails).chain(&self.phones)).map(String::as_str)
    }

    /// Their e-mail addresses and phone numbers.
    fn addresses(&self) -> impl Iterator<Item = &str> {
        (self.emails.iter().chain(&self.phones)).map(String::as_str)
    }
}

fn customer_path(id: &str) -> String {
    format!("{}/{id}.yaml", Kind::Customer.folder())
}

/// The pseudonym of the `forget` commit that removed the customer file of
/// one of `ids`, if one did.
fn forget_pseudonym(repo: &Repository, commits: &[Oid], ids: &[String]) -> Result<Option<String>> {
    for oid in commits.iter().rev() {
        let commit = repo.find_commit(*oid)?;
        let Some(pseudonym) = (commit.summary()).and_then(|s| s.strip_prefix(FORGET_SUBJECT))
        else {
            continue;
        };
        if !erasure::is_pseudonym(pseudonym) || !id::is_valid(pseudonym) {
            continue;
        }
        let path = customer_path(&ids[0]);
        let has = |tree: &git2::Tree| tree.get_path(Path::new(&path)).is_ok();
        if !has(&commit.tree()?) && commit.parents().any(|p| p.tree().is_ok_and(|t| has(&t))) {
            return Ok(Some(pseudonym.to_string()));
        }
    }
    Ok(None)
}

/// Writes (in one commit) the person's suppression entry marked as rewritten,
/// holding every address and number history knows of them: `relate sync`
/// then refuses any history that still holds one ([`super::sync`]).
fn mark_rewritten(store: &Store, person: &Person, pseudonym: &str) -> Result<()> {
    let rel = suppression_path(pseudonym);
    let existing = match std::fs::read_to_string(store.root.join(&rel)) {
        Ok(text) => Some(
            files::parse_yaml::<Suppression>(&rel, &text).map_err(|p| Error::invalid(vec![p]))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&rel, e)),
    };
    let salt = (existing.as_ref().map(|e| e.salt.clone()))
        .unwrap_or_else(|| Suppression::new_salt(&mut store.rng()));
    let mut entry = Suppression::of_addresses(
        person.emails.iter().map(String::as_str),
        person.phones.iter().map(String::as_str),
        salt,
        store.settings.phone_region(),
    );
    entry
        .hashes
        .extend(existing.into_iter().flat_map(|e| e.hashes));
    entry.hashes.sort();
    entry.hashes.dedup();
    entry.history_rewritten = Some(store.settings.timezone.date_of(&store.env.now));
    let mut tx = store.begin()?;
    tx.put_suppression(pseudonym, &entry)?;
    tx.commit(&format!(
        "{FORGET_SUBJECT}history of {pseudonym} rewritten\n\nThe suppression entry is marked: relate sync refuses a history that still holds the person.\n"
    ))
}

/// Finds and replaces the person's ids (`bounded`: not inside a longer id)
/// and texts, ignoring ASCII case.
struct Scrubber {
    automaton: AhoCorasick,
    bounded: Vec<bool>,
}

impl Scrubber {
    fn new<'a>(needles: impl Iterator<Item = (&'a str, bool)>) -> Result<Scrubber> {
        let mut seen = HashSet::new();
        let (patterns, bounded): (Vec<&str>, Vec<bool>) = needles
            .map(|(text, bounded)| (text.trim(), bounded))
            .filter(|(text, _)| !text.is_empty() && seen.insert(text.to_ascii_lowercase()))
            .unzip();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns)
            .map_err(|e| Error::failed(format!("cannot search for the person's data: {e}")))?;
        Ok(Scrubber { automaton, bounded })
    }

    /// `text` with each match replaced by `with`, or `None` when nothing matched.
    fn scrub(&self, text: &str, with: &str) -> Option<String> {
        let is_id_byte = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut copied = 0;
        let mut replaced = false;
        for found in self.automaton.find_iter(text) {
            if self.bounded[found.pattern().as_usize()] {
                let before = found.start().checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(found.end()).copied();
                if before.is_some_and(is_id_byte) || after.is_some_and(is_id_byte) {
                    continue;
                }
            }
            out.push_str(&text[copied..found.start()]);
            out.push_str(with);
            copied = found.end();
            replaced = true;
        }
        if !replaced {
            return None;
        }
        out.push_str(&text[copied..]);
        Some(out)
    }
}

/// Rewrites trees without the person, each distinct (folder, tree) and
/// (kind, blob) once.
struct TreeRewriter<'r> {
    repo: &'r Repository,
    ids: HashSet<String>,
    /// Their customer files, by path.
    files: HashSet<String>,
    /// Ids and addresses: replaced in every file.
    everywhere: Scrubber,
    /// Names: replaced in the files that refer to the person.
    names: Scrubber,
    /// `company: NAME` lines: a reference by name.
    company_lines: Vec<String>,
    pseudonym: String,
    trees: HashMap<(String, Oid), Option<Oid>>,
    blobs: HashMap<(Oid, Option<Kind>), Option<Oid>>,
    /// The ids of the record files dropped (a deal's id may be made from
    /// their name), replaced in commit messages too.
    dropped_ids: BTreeSet<String>,
}

impl<'r> TreeRewriter<'r> {
    fn new(repo: &'r Repository, person: &Person, pseudonym: &str) -> TreeRewriter<'r> {
        let build = |needles: Vec<(&str, bool)>| {
            Scrubber::new(needles.into_iter()).expect("the person's texts are few and short")
        };
        TreeRewriter {
            repo,
            ids: person.ids.iter().cloned().collect(),
            files: person.ids.iter().map(|id| customer_path(id)).collect(),
            everywhere: build(
                (person.ids.iter().map(|id| (id.as_str(), true)))
                    .chain(person.addresses().map(|a| (a, false)))
                    .collect(),
            ),
            names: build(person.names.iter().map(|n| (n.as_str(), false)).collect()),
            company_lines: (person.names.iter())
                .map(|n| format!("company: {}", n.trim()).to_lowercase())
                .collect(),
            pseudonym: pseudonym.to_string(),
            trees: HashMap::new(),
            blobs: HashMap::new(),
            dropped_ids: BTreeSet::new(),
        }
    }

    /// The rewritten root tree (an empty one if nothing is left).
    fn root(&mut self, tree: Oid) -> Result<Oid> {
        match self.tree(tree, "")? {
            Some(tree) => Ok(tree),
            None => Ok(self.repo.treebuilder(None)?.write()?),
        }
    }

    /// The rewritten tree at `dir`, `None` when nothing is left in it.
    fn tree(&mut self, oid: Oid, dir: &str) -> Result<Option<Oid>> {
        if let Some(done) = self.trees.get(&(dir.to_string(), oid)) {
            return Ok(*done);
        }
        let tree = self.repo.find_tree(oid)?;
        let mut entries = Vec::with_capacity(tree.len());
        let mut changed = false;
        for entry in tree.iter() {
            // A name that is not UTF-8 is no record of relate's: kept as is.
            let (Some(name), Some(kind)) = (entry.name(), entry.kind()) else {
                entries.push((
                    entry.name_bytes().to_vec(),
                    Some(entry.id()),
                    entry.filemode(),
                ));
                continue;
            };
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            let new = match kind {
                ObjectType::Tree => self.tree(entry.id(), &path)?,
                ObjectType::Blob => self.blob(entry.id(), &path)?,
                _ => Some(entry.id()),
            };
            changed |= new != Some(entry.id());
            entries.push((name.as_bytes().to_vec(), new, entry.filemode()));
        }
        let result = if !changed {
            Some(oid)
        } else {
            let mut builder = self.repo.treebuilder(None)?;
            for (name, new, mode) in entries {
                if let Some(new) = new {
                    builder.insert(name, new, mode)?;
                }
            }
            (!builder.is_empty()).then(|| builder.write()).transpose()?
        };
        self.trees.insert((dir.to_string(), oid), result);
        Ok(result)
    }

    /// The rewritten file at `path`, `None` when it goes.
    fn blob(&mut self, oid: Oid, path: &str) -> Result<Option<Oid>> {
        if self.files.contains(path) {
            return Ok(None);
        }
        let kind = Kind::of_path(Path::new(path));
        let result = match self.blobs.get(&(oid, kind)) {
            Some(done) => *done,
            None => {
                let done = self.rewrite_blob(oid, kind)?;
                self.blobs.insert((oid, kind), done);
                done
            }
        };
        if result.is_none()
            && let Some(stem) = Path::new(path).file_stem().and_then(|s| s.to_str())
        {
            self.dropped_ids.insert(stem.to_string());
        }
        Ok(result)
    }

    fn rewrite_blob(&self, oid: Oid, kind: Option<Kind>) -> Result<Option<Oid>> {
        let blob = self.repo.find_blob(oid)?;
        let Ok(text) = std::str::from_utf8(blob.content()) else {
            return Ok(Some(oid));
        };
        let theirs = matches!(
            kind,
            Some(Kind::Interaction | Kind::Deal | Kind::Ticket | Kind::Asset)
        ) && self.belongs_to_person(blob.content());
        if theirs {
            return Ok(None);
        }
        let scrubbed = self.everywhere.scrub(text, &self.pseudonym);
        let refers = scrubbed.is_some() || {
            let lower = text.to_lowercase();
            (lower.lines()).any(|line| self.company_lines.iter().any(|c| line.trim() == c))
        };
        let current = scrubbed.as_deref().unwrap_or(text);
        let named = refers
            .then(|| self.names.scrub(current, &self.pseudonym))
            .flatten();
        match named.or(scrubbed) {
            Some(new) => Ok(Some(self.repo.blob(new.as_bytes())?)),
            None => Ok(Some(oid)),
        }
    }

    /// Whether a record's `customer:` is one of the person's ids.
    fn belongs_to_person(&self, bytes: &[u8]) -> bool {
        // Most files name none of them: no need to parse those.
        let text = String::from_utf8_lossy(bytes);
        if !self.ids.iter().any(|id| text.contains(id.as_str())) {
            return false;
        }
        let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_slice(bytes) else {
            return false;
        };
        (map.get("customer").and_then(|c| c.as_str())).is_some_and(|c| self.ids.contains(c))
    }
}

/// Moves each ref to its rewritten commit (an annotated tag is written
/// again, its message scrubbed); returns how many moved.
fn move_refs(
    repo: &Repository,
    refs: &[(String, Oid)],
    mapped: &HashMap<Oid, Oid>,
    messages: &Scrubber,
    pseudonym: &str,
) -> Result<usize> {
    const WHY: &str = "relate customer forget --rewrite-history";
    let mut moved = 0;
    for (name, old) in refs {
        let object = repo.find_object(*old, None)?;
        let Ok(commit) = object.peel_to_commit() else {
            continue;
        };
        let new = mapped[&commit.id()];
        match (object.as_tag(), name.strip_prefix("refs/tags/")) {
            (Some(tag), Some(short)) => {
                let text = String::from_utf8_lossy(tag.message_bytes().unwrap_or_default());
                let message = messages.scrub(&text, pseudonym);
                if new == commit.id() && message.is_none() {
                    continue;
                }
                let target = repo.find_object(new, None)?;
                match tag.tagger() {
                    Some(tagger) => {
                        let message = message.unwrap_or_else(|| text.into_owned());
                        repo.tag(short, &target, &tagger, &message, true)?;
                    }
                    None => {
                        repo.reference(name, new, true, WHY)?;
                    }
                }
            }
            _ if new == *old => continue,
            _ if name == "HEAD" => repo.set_head_detached(new)?,
            _ => {
                repo.reference(name, new, true, WHY)?;
            }
        }
        moved += 1;
    }
    Ok(moved)
}

/// Removes what relate and git derived from the old history: the cache and
/// journals under `.git/relate/`, and the heads git keeps of its last
/// operations, which would keep old commits from being collected.
fn forget_derived_state(git: &Git) -> Result<()> {
    let dir = git.git_dir();
    match std::fs::remove_dir_all(dir.join("relate")) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&dir.join("relate"), e)),
    }
    for head in ["ORIG_HEAD", "FETCH_HEAD"] {
        match std::fs::remove_file(dir.join(head)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&dir.join(head), e)),
        }
    }
    Ok(())
}

/// Force-pushes each rewritten branch and tag to the remotes, each with a
/// lease on what `preflight` saw there, so a teammate's push in between is
/// never overwritten.
fn push(
    git: &Git,
    system: &SystemGit,
    preflight: &Preflight,
) -> Result<Vec<(String, Vec<String>)>> {
    let repo = git.repo();
    let mut pushed = Vec::new();
    for remote in &preflight.remotes {
        let mut leases = Vec::new();
        let mut refspecs = Vec::new();
        let mut names = Vec::new();
        for (refname, old) in &remote.refs {
            // The branch of the same name (which holds all the remote had,
            // `preflight` checked), else the rewritten remote-tracking ref.
            let tracking = (refname.strip_prefix("refs/heads/"))
                .map(|branch| format!("refs/remotes/{}/{branch}", remote.name));
            let new = match repo.refname_to_id(refname) {
                Ok(local) => local,
                Err(_) => repo.refname_to_id(tracking.as_deref().unwrap_or(refname))?,
            };
            if new == *old {
                continue;
            }
            leases.push(format!("--force-with-lease={refname}:{old}"));
            refspecs.push(format!("{new}:{refname}"));
            names.push(refname.clone());
        }
        if names.is_empty() {
            continue;
        }
        let mut args: Vec<&str> = vec!["push", "--quiet"];
        args.extend(leases.iter().map(String::as_str));
        args.extend(["--", remote.name.as_str()]);
        args.extend(refspecs.iter().map(String::as_str));
        let outcome = system.try_run(&args)?;
        if !outcome.success {
            return Err(RewriteRefusal::PushFailed {
                remote: remote.name.clone(),
                message: outcome.message,
                command: format!("git {}", args.join(" ")),
            }
            .into());
        }
        pushed.push((remote.name.clone(), names));
    }
    Ok(pushed)
}

/// Refuses, before `relate sync` merges `fetched` (the remote's `branch`),
/// to bring back a person erased from history: when the two histories share
/// no commit (one of them was rewritten), or when a commit of either side
/// that the other lacks holds an e-mail address or phone number of a person
/// whose suppression entry, ours or the remote's, says their history was
/// rewritten. Nothing is merged or pushed then.
pub(super) fn refuse_erased_history(
    store: &Store,
    git: &Git,
    fetched: Oid,
    branch: &str,
) -> Result<()> {
    let repo = git.repo();
    let Some(head) = git.head()? else {
        return Ok(());
    };
    if head == fetched {
        return Ok(());
    }
    if let Err(e) = repo.merge_base(head, fetched) {
        return Err(match e.code() {
            git2::ErrorCode::NotFound => SyncFailure::UnrelatedHistory {
                branch: branch.to_string(),
            }
            .into(),
            _ => e.into(),
        });
    }
    let mut erased = Suppressed {
        entries: store.suppression_entries()?.0,
        region: store.settings.phone_region(),
    };
    erased
        .entries
        .extend(entries_in(git, &repo.find_commit(fetched)?.tree()?)?);
    let erased = erased.rewritten();
    if erased.entries.is_empty() {
        return Ok(());
    }
    let customers = git.git_path(Path::new(Kind::Customer.folder()));
    for (from, hide, incoming) in [(fetched, head, true), (head, fetched, false)] {
        let mut walk = repo.revwalk()?;
        walk.push(from)?;
        walk.hide(hide)?;
        for oid in walk {
            let commit = repo.find_commit(oid?)?;
            let parent = commit.parents().next().map(|p| p.tree()).transpose()?;
            let mut options = DiffOptions::new();
            options.pathspec(&customers);
            let diff =
                repo.diff_tree_to_tree(parent.as_ref(), Some(&commit.tree()?), Some(&mut options))?;
            for delta in diff.deltas() {
                let file = delta.new_file();
                if file.id().is_zero() {
                    continue;
                }
                let profile = Profile::read(repo.find_blob(file.id())?.content());
                let emails = profile.emails.iter().map(String::as_str);
                if erased.matches(emails, profile.phones.iter().map(String::as_str)) {
                    let path = file.path().map(|p| p.display().to_string());
                    return Err(SyncFailure::ErasedPerson {
                        commit: commit.id().to_string()[..10].to_string(),
                        path: path.unwrap_or_default(),
                        incoming,
                    }
                    .into());
                }
            }
        }
    }
    Ok(())
}

/// The valid suppression entries in `tree` (a commit of the remote).
fn entries_in(git: &Git, tree: &git2::Tree) -> Result<Vec<Suppression>> {
    let folder = git.git_path(Path::new(SUPPRESSION_FOLDER));
    let Ok(entry) = tree.get_path(Path::new(&folder)) else {
        return Ok(Vec::new());
    };
    let Ok(folder) = git.repo().find_tree(entry.id()) else {
        return Ok(Vec::new());
    };
    let mut entries = Vec::new();
    for file in folder.iter() {
        let Ok(blob) = git.repo().find_blob(file.id()) else {
            continue;
        };
        if let Ok(entry) = serde_yaml::from_slice::<Suppression>(blob.content())
            && entry.problems().is_empty()
        {
            entries.push(entry);
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_replaced_only_where_they_stand_alone() {
        let scrubber = Scrubber::new(
            [
                ("ana-lima", true),
                ("Ana Lima", false),
                ("ana@x.example", false),
            ]
            .into_iter(),
        )
        .unwrap();
        let text = "customer: ana-lima\nother: ana-lima-2\nnote: ANA@x.example wrote; ana lima\n";
        assert_eq!(
            scrubber.scrub(text, "erased-1").unwrap(),
            "customer: erased-1\nother: ana-lima-2\nnote: erased-1 wrote; erased-1\n"
        );
        assert_eq!(scrubber.scrub("bob-ana-lima and banana", "x"), None);
    }

    #[test]
    fn a_profile_is_read_from_any_yaml_even_a_broken_record() {
        let profile = Profile::read(b"name: Ana\nemails: ana@x.example\nphones: [1, '+31 20']\n");
        assert_eq!(profile.name.as_deref(), Some("Ana"));
        assert_eq!(profile.emails, ["ana@x.example"]);
        assert_eq!(profile.phones, ["+31 20"]);
        assert!(Profile::read(b"{{{").name.is_none());
    }
}
