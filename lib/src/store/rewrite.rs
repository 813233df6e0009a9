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
use super::{Query, Store, files, suppression_path};
use crate::error::{Error, Result, RewriteRefusal, SyncFailure};
use crate::model::erasure::{self, FORGET_SUBJECT, Suppressed, Suppression};
use crate::model::{Customer, Kind, id};

/// What was checked before anything is written: each remote to force-push,
/// with what its refs hold now (the lease the push expects).
#[derive(Debug)]
pub struct Preflight {
    remotes: Vec<RemoteRefs>,
    person: Person,
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

/// Checks that the history of the store can be rewritten without the
/// customer `id` and, when it has remotes, pushed (`push`: the user said
/// `--yes`), and gathers what history holds of them: nothing is written.
pub fn preflight(store: &Store, id: &str, push: bool) -> Result<Preflight> {
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
    // libgit2 reads a shallow clone's oldest commits as roots: rewritten and
    // pushed, they would cut the remote's history short.
    if repo.is_shallow() {
        return Err(RewriteRefusal::Shallow.into());
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
    let mut person = Person::gather(repo, &reachable_commits(repo, &direct_refs(repo)?)?, id)?;
    // An address another customer holds now is theirs too (a merge into the
    // person that was undone copied it into their file): it stays.
    for other in store.read_checked::<Customer>(Query::all())?.loaded {
        if other.record.id != id {
            for email in &other.record.emails {
                person.emails.remove(email);
            }
            for phone in &other.record.phones {
                person.phones.remove(phone);
            }
        }
    }
    if let Some(alias) =
        (person.ids.iter().skip(1)).find(|a| store.find(Kind::Customer, a).is_some())
    {
        return Err(RewriteRefusal::AliasInUse {
            id: id.to_string(),
            alias: alias.clone(),
        }
        .into());
    }
    Ok(Preflight { remotes, person })
}

/// Rewrites every commit reachable from any ref without the person
/// `preflight` gathered, commits their suppression entry marked as
/// rewritten, resets the work tree, drops the old objects and force-pushes
/// to the remotes `preflight` checked. `pseudonym`: the one `forget` just
/// gave them, else the one of the `forget` commit that erased them (else a
/// new one).
pub fn rewrite_history(
    store: &Store,
    preflight: &Preflight,
    pseudonym: Option<&str>,
) -> Result<Rewritten> {
    let git = store.git.as_ref().ok_or(RewriteRefusal::NoRepository)?;
    let author = store.author().ok_or_else(super::no_author_error)?;
    let repo = git.repo();
    let person = &preflight.person;
    let lock = store.lock()?;
    let refs = direct_refs(repo)?;
    let stashes = stash_entries(repo)?;
    let roots: Vec<(String, Oid)> = (refs.iter().cloned())
        .chain((stashes.iter()).map(|(oid, _)| ("refs/stash".to_string(), *oid)))
        .collect();
    let commits = reachable_commits(repo, &roots)?;
    let pseudonym = match pseudonym {
        Some(given) => given.to_string(),
        None => forget_pseudonym(repo, &commits, &person.ids)?
            .unwrap_or_else(|| erasure::pseudonym(&mut store.rng())),
    };
    let mut trees = TreeRewriter::new(repo, person, &pseudonym)?;
    let mut new_trees = Vec::with_capacity(commits.len());
    for commit in &commits {
        new_trees.push(trees.root(repo.find_commit(*commit)?.tree_id())?);
    }
    let dropped = (trees.dropped_ids.iter().map(String::as_str)).filter(|id| !Person::is_weak(id));
    let strong_ids = person.strong_ids().chain(dropped);
    let messages = Scrubber::new((strong_ids.map(|id| (id, Bound::Id))).chain(person.texts()))?;
    let mut mapped: HashMap<Oid, Oid> = HashMap::new();
    // The oldest commits rewritten: every old clone that holds the person
    // holds one of them, and the new history none.
    let mut first_rewritten = Vec::new();
    for (old, tree) in commits.iter().zip(new_trees) {
        let commit = repo.find_commit(*old)?;
        let parents: Vec<Oid> = commit.parent_ids().map(|p| mapped[&p]).collect();
        let text = String::from_utf8_lossy(commit.message_bytes());
        let message = messages.scrub(&text, &pseudonym);
        let same_parents = parents.iter().copied().eq(commit.parent_ids());
        if tree == commit.tree_id() && same_parents && message.is_none() {
            mapped.insert(*old, *old);
            continue;
        }
        if same_parents {
            first_rewritten.push(old.to_string());
        }
        let parents = (parents.iter().map(|p| repo.find_commit(*p)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        let message = message.unwrap_or_else(|| text.into_owned());
        let new = repo.commit(
            None,
            &commit.author(),
            &commit.committer(),
            &message,
            &repo.find_tree(tree)?,
            &parents,
        )?;
        mapped.insert(*old, new);
    }
    let written = mapped.iter().filter(|(old, new)| old != new).count();
    let moved = move_refs(repo, &refs, &mapped, &messages, &pseudonym)?;
    mark_rewritten(store, git, person, &pseudonym, first_rewritten, &author)?;
    forget_derived_state(git)?;
    let system = SystemGit::new(git.workdir(), None, &store.env.now);
    clean_up(&system, &stashes, &mapped, &messages, &pseudonym).map_err(|e| {
        // The refs are moved already: what is left is git's housekeeping.
        e.with_hint(
            "the commits are rewritten; finish by hand: `git reset --hard HEAD && git reflog expire --expire=now --all && git gc --prune=now`",
        )
    })?;
    drop(lock);
    let pushed = push(git, &system, preflight)?;
    Ok(Rewritten {
        pseudonym,
        commits: written,
        refs: moved,
        pushed,
    })
}

/// Brings the work tree and the index to the rewritten HEAD, stores the
/// stash entries again and drops every old object.
fn clean_up(
    system: &SystemGit,
    stashes: &[(Oid, String)],
    mapped: &HashMap<Oid, Oid>,
    messages: &Scrubber,
    pseudonym: &str,
) -> Result<()> {
    system.run(&["reset", "--quiet", "--hard", "HEAD"])?;
    system.run(&["reflog", "expire", "--expire=now", "--all"])?;
    // The stash is a reflog: its entries are stored again, rewritten (on a
    // fresh ref: git logs no entry for a ref that does not move).
    if !stashes.is_empty() {
        system.run(&["update-ref", "-d", "refs/stash"])?;
    }
    for (old, message) in stashes.iter().rev() {
        let message = (messages.scrub(message, pseudonym)).unwrap_or(message.clone());
        let new = mapped[old].to_string();
        system.run(&["stash", "store", "--quiet", "-m", &message, &new])?;
    }
    system.run(&["gc", "--quiet", "--prune=now"])
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
/// them (the `aliases` of the last version of each).
#[derive(Debug, Default)]
struct Person {
    /// Their id first, then their aliases.
    ids: Vec<String>,
    names: BTreeSet<String>,
    emails: BTreeSet<String>,
    phones: BTreeSet<String>,
}

/// Shorter names and addresses are not replaced: a one-letter name or a
/// mistyped two-digit phone would replace text all over the store. Shorter
/// or all-digit ids are replaced only where a record names them.
const SHORTEST_NAME: usize = 3;
const SHORTEST_ADDRESS: usize = 6;
const SHORTEST_ID: usize = 3;

impl Person {
    fn gather(repo: &Repository, commits: &[Oid], id: &str) -> Result<Person> {
        let mut person = Person {
            ids: vec![id.to_string()],
            ..Person::default()
        };
        let mut next = 0;
        let mut found = false;
        while next < person.ids.len() {
            let path = customer_path(&person.ids[next]);
            next += 1;
            let mut seen: HashSet<Oid> = HashSet::new();
            let mut last = None;
            for commit in commits {
                let tree = repo.find_commit(*commit)?.tree()?;
                let Ok(entry) = tree.get_path(Path::new(&path)) else {
                    continue;
                };
                last = Some(entry.id());
                if !seen.insert(entry.id()) {
                    continue;
                }
                let profile = Profile::read(repo.find_blob(entry.id())?.content());
                person.names.extend(profile.name);
                person.emails.extend(profile.emails);
                person.phones.extend(profile.phones);
            }
            found |= last.is_some();
            // An alias of an old version may have been taken back (an undone
            // merge): only the last version says who was merged into them.
            let Some(last) = last else { continue };
            for alias in Profile::read(repo.find_blob(last)?.content()).aliases {
                if id::is_valid(&alias) && !person.ids.contains(&alias) {
                    person.ids.push(alias);
                }
            }
        }
        if !found {
            return Err(RewriteRefusal::NotInHistory { id: id.to_string() }.into());
        }
        person
            .names
            .retain(|n| n.trim().chars().count() >= SHORTEST_NAME);
        person.emails.retain(|a| a.trim().len() >= SHORTEST_ADDRESS);
        person.phones.retain(|a| a.trim().len() >= SHORTEST_ADDRESS);
        Ok(person)
    }

    /// Whether `id` is short or all digits: replaced as a whole value only.
    fn is_weak(id: &str) -> bool {
        id.len() < SHORTEST_ID || id.bytes().all(|b| b.is_ascii_digit())
    }

    /// The ids replaced wherever they stand alone.
    fn strong_ids(&self) -> impl Iterator<Item = &str> {
        (self.ids.iter().map(String::as_str)).filter(|id| !Person::is_weak(id))
    }

    /// The ids replaced only as the whole value of a reference.
    fn weak_ids(&self) -> HashSet<String> {
        (self.ids.iter())
            .filter(|id| Person::is_weak(id))
            .cloned()
            .collect()
    }

    /// Their names, e-mail addresses and phone numbers, each with how it is
    /// told from a longer text.
    fn texts(&self) -> impl Iterator<Item = (&str, Bound)> {
        let names = self.names.iter().map(|n| (n.as_str(), Bound::Name));
        names.chain(self.addresses())
    }

    /// Their e-mail addresses and phone numbers.
    fn addresses(&self) -> impl Iterator<Item = (&str, Bound)> {
        let emails = self.emails.iter().map(|e| (e.as_str(), Bound::Email));
        emails.chain(self.phones.iter().map(|p| (p.as_str(), Bound::Phone)))
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

/// Commits, on the rewritten HEAD, the person's suppression entry marked as
/// rewritten, with every address and number history knew of them and the
/// oldest commits rewritten: `relate sync` then refuses any history that
/// still holds one ([`refuse_erased_history`]). The work tree and the index
/// follow with the reset after.
fn mark_rewritten(
    store: &Store,
    git: &Git,
    person: &Person,
    pseudonym: &str,
    old_history: Vec<String>,
    author: &super::Author,
) -> Result<()> {
    let rel = suppression_path(pseudonym);
    let head = repo_head_tree(git)?;
    let existing = match git.blob_in(&head, &rel)? {
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Some(
                files::parse_yaml::<Suppression>(&rel, &text)
                    .map_err(|p| Error::invalid(vec![p]))?,
            )
        }
        None => None,
    };
    let salt = (existing.as_ref().map(|e| e.salt.clone()))
        .unwrap_or_else(|| Suppression::new_salt(&mut store.rng()));
    let mut entry = Suppression::of_addresses(
        person.emails.iter().map(String::as_str),
        person.phones.iter().map(String::as_str),
        salt,
        store.settings.phone_region(),
    );
    entry.history_rewritten = Some(store.settings.timezone.date_of(&store.env.now));
    entry.old_history = old_history;
    if let Some(existing) = existing {
        entry.hashes.extend(existing.hashes);
        entry.old_history.extend(existing.old_history);
    }
    for list in [&mut entry.hashes, &mut entry.old_history] {
        list.sort();
        list.dedup();
    }
    let blob = git.write_blob(files::to_yaml(&entry)?.as_bytes())?;
    let change = super::git::Change {
        path: rel,
        blob: Some(blob),
    };
    let message = format!(
        "{FORGET_SUBJECT}history of {pseudonym} rewritten\n\nThe suppression entry is marked: relate sync refuses a history that still holds the person.\n"
    );
    let Some(prepared) = git.prepare_commit(&[change], &message, author, &store.env.now)? else {
        return Ok(());
    };
    let repo = git.repo();
    match repo.head()?.name() {
        Some("HEAD") | None => repo.set_head_detached(prepared.commit)?,
        Some(branch) => {
            repo.reference(
                branch,
                prepared.commit,
                true,
                "relate customer forget --rewrite-history",
            )?;
        }
    }
    Ok(())
}

/// The tree of HEAD's commit.
fn repo_head_tree(git: &Git) -> Result<git2::Tree<'_>> {
    Ok(git.repo().head()?.peel_to_commit()?.tree()?)
}

/// How a match is told from a piece of a longer text: the bytes just
/// before and after it must not continue it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// An id: not inside a longer id (`ana-lima` in `ana-lima-2`).
    Id,
    /// A name: not inside a word (`Ana` in `management`, `Anaïs`).
    Name,
    /// An e-mail address: not inside a longer one (`ana@x.example` in
    /// `diana@x.example` or `ana@x.example.org`).
    Email,
    /// A phone number: not inside a longer number.
    Phone,
}

impl Bound {
    fn continues(self, byte: u8, next: Option<u8>, before: bool) -> bool {
        let word = byte.is_ascii_alphanumeric() || byte >= 0x80;
        match self {
            Bound::Id => word || byte == b'-',
            Bound::Name => word,
            Bound::Email if before => word || b"._%+-".contains(&byte),
            // A full stop ends a sentence, unless a domain goes on after it.
            Bound::Email => {
                word || byte == b'-'
                    || byte == b'_'
                    || (byte == b'.' && next.is_some_and(|n| n.is_ascii_alphanumeric()))
            }
            Bound::Phone => byte.is_ascii_digit() || (before && byte == b'+'),
        }
    }
}

/// Finds and replaces the person's ids, names and addresses, ignoring ASCII
/// case, each only where it stands alone ([`Bound`]).
struct Scrubber {
    automaton: AhoCorasick,
    bounds: Vec<Bound>,
}

impl Scrubber {
    fn new<'a>(needles: impl Iterator<Item = (&'a str, Bound)>) -> Result<Scrubber> {
        let mut seen = HashSet::new();
        let (patterns, bounds): (Vec<&str>, Vec<Bound>) = needles
            .map(|(text, bound)| (text.trim(), bound))
            .filter(|(text, _)| !text.is_empty() && seen.insert(text.to_ascii_lowercase()))
            .unzip();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns)
            .map_err(|e| Error::failed(format!("cannot search for the person's data: {e}")))?;
        Ok(Scrubber { automaton, bounds })
    }

    /// `text` with each match replaced by `with`, or `None` when nothing matched.
    fn scrub(&self, text: &str, with: &str) -> Option<String> {
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut copied = 0;
        let mut replaced = false;
        for found in self.automaton.find_iter(text) {
            let bound = self.bounds[found.pattern().as_usize()];
            let before = found.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(found.end()).copied();
            let next = bytes.get(found.end() + 1).copied();
            if before.is_some_and(|b| bound.continues(b, None, true))
                || after.is_some_and(|b| bound.continues(b, next, false))
            {
                continue;
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

/// `text` with each line whose whole value is one of `ids` (`customer: 42`,
/// `company: 42`, `- 42`, quoted or not) naming `with` instead; `None` when
/// no line does.
fn replace_references(text: &str, ids: &HashSet<String>, with: &str) -> Option<String> {
    if ids.is_empty() {
        return None;
    }
    let mut replaced = false;
    let lines: Vec<String> = (text.split_inclusive('\n'))
        .map(|line| {
            let body = line.trim_end_matches(['\n', '\r']);
            let ending = &line[body.len()..];
            let trimmed = body.trim_start();
            let indent = &body[..body.len() - trimmed.len()];
            let (key, value) = match trimmed.strip_prefix("- ") {
                Some(value) => ("- ", value),
                None => match trimmed.split_once(": ") {
                    Some((key @ ("customer" | "company"), value)) => (key, value),
                    _ => return line.to_string(),
                },
            };
            let bare = value.trim().trim_matches(|c| c == '\'' || c == '"');
            if !ids.contains(bare) {
                return line.to_string();
            }
            replaced = true;
            let separator = if key == "- " { "" } else { ": " };
            format!("{indent}{key}{separator}{with}{ending}")
        })
        .collect();
    replaced.then(|| lines.concat())
}

/// Rewrites trees without the person, each distinct (folder, tree) and
/// (kind, blob) once.
struct TreeRewriter<'r> {
    repo: &'r Repository,
    ids: HashSet<String>,
    /// Short or all-digit ids: replaced only as a record's reference.
    weak_ids: HashSet<String>,
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

/// How many folders deep a rewrite follows history's trees.
const MAX_TREE_DEPTH: usize = 256;

impl<'r> TreeRewriter<'r> {
    fn new(repo: &'r Repository, person: &Person, pseudonym: &str) -> Result<TreeRewriter<'r>> {
        let build = |needles: Vec<(&str, Bound)>| Scrubber::new(needles.into_iter());
        Ok(TreeRewriter {
            repo,
            ids: person.ids.iter().cloned().collect(),
            weak_ids: person.weak_ids(),
            files: person.ids.iter().map(|id| customer_path(id)).collect(),
            everywhere: build(
                (person.strong_ids().map(|id| (id, Bound::Id)))
                    .chain(person.addresses())
                    .collect(),
            )?,
            names: build(
                person
                    .names
                    .iter()
                    .map(|n| (n.as_str(), Bound::Name))
                    .collect(),
            )?,
            company_lines: (person.names.iter())
                .map(|n| format!("company: {}", n.trim()).to_lowercase())
                .collect(),
            pseudonym: pseudonym.to_string(),
            trees: HashMap::new(),
            blobs: HashMap::new(),
            dropped_ids: BTreeSet::new(),
        })
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
        // History is input: a tree nested past any store's depth (git itself
        // refuses 4096 levels) is refused rather than recursed into.
        if dir.matches('/').count() >= MAX_TREE_DEPTH {
            return Err(Error::failed(format!(
                "`{}` is nested more than {MAX_TREE_DEPTH} folders deep in history",
                dir.chars().take(200).collect::<String>()
            ))
            .with_hint("nothing was rewritten; remove that folder from history with git first"));
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
        let referenced = replace_references(text, &self.weak_ids, &self.pseudonym);
        let text = referenced.as_deref().unwrap_or(text);
        let scrubbed = (self.everywhere.scrub(text, &self.pseudonym)).or(referenced.clone());
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
/// journals under `.git/relate/`, the heads and messages git keeps of its
/// last operations (old commits would stay reachable from the heads), and
/// the conflict resolutions `rerere` recorded.
fn forget_derived_state(git: &Git) -> Result<()> {
    let dir = git.git_dir();
    match std::fs::remove_dir_all(dir.join("relate")) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&dir.join("relate"), e)),
    }
    match std::fs::remove_dir_all(dir.join("rr-cache")) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&dir.join("rr-cache"), e)),
    }
    for head in [
        "ORIG_HEAD",
        "FETCH_HEAD",
        "COMMIT_EDITMSG",
        "MERGE_MSG",
        "SQUASH_MSG",
    ] {
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
        // All or nothing: a lease that fails leaves no ref of the remote moved.
        let mut args: Vec<&str> = vec!["push", "--quiet", "--atomic"];
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
    // The commits the rewrite replaced: a history holding one is the old one.
    let reaches =
        |tip: Oid, old: Oid| tip == old || repo.graph_descendant_of(tip, old).unwrap_or(false);
    for old in (erased.entries.iter()).flat_map(|e| &e.old_history) {
        let Ok(old) = Oid::from_str(old) else {
            continue;
        };
        for (tip, incoming) in [(fetched, true), (head, false)] {
            if reaches(tip, old) {
                return Err(SyncFailure::ErasedPerson {
                    commit: old.to_string()[..10].to_string(),
                    path: None,
                    incoming,
                }
                .into());
            }
        }
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
                        path,
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

    fn scrubber() -> Scrubber {
        let needles = [
            ("ana", Bound::Id),
            ("ana-lima", Bound::Id),
            ("Ana Lima", Bound::Name),
            ("Ana", Bound::Name),
            ("ana@x.example", Bound::Email),
            ("+31 20 555 0100", Bound::Phone),
        ];
        Scrubber::new(needles.into_iter()).unwrap()
    }

    #[test]
    fn the_persons_data_is_replaced_where_it_stands_alone() {
        let text = "customer: ana-lima\nnote: ANA@x.example wrote; ana lima called \
                    from +31 20 555 0100. Ana!\nmembers: [ana]\n";
        assert_eq!(
            scrubber().scrub(text, "erased-1").unwrap(),
            "customer: erased-1\nnote: erased-1 wrote; erased-1 called \
             from erased-1. erased-1!\nmembers: [erased-1]\n"
        );
    }

    #[test]
    fn nothing_inside_a_longer_id_word_address_or_number_is_replaced() {
        for other in [
            "ana-lima-2 bob-ana-lima BANANA",
            "management Anaïs Diana",
            "diana@x.example ana@x.example.org ana@x.examples",
            "+31 20 555 01001 9+31 20 555 0100",
        ] {
            assert_eq!(scrubber().scrub(other, "x"), None, "{other}");
        }
    }

    #[test]
    fn a_short_or_numeric_id_is_replaced_only_as_a_reference() {
        let ids: HashSet<String> = ["42".to_string()].into();
        let text = "customer: 42\namount: 42\nmembers:\n  - '42'\n  - 420\ncompany: \"42\"\n";
        assert_eq!(
            replace_references(text, &ids, "erased-1").unwrap(),
            "customer: erased-1\namount: 42\nmembers:\n  - erased-1\n  - 420\ncompany: erased-1\n"
        );
        assert_eq!(replace_references("amount: 42\n", &ids, "x"), None);
        assert!(Person::is_weak("42") && Person::is_weak("ab") && !Person::is_weak("ana"));
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
