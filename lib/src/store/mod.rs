//! The store: a directory of YAML records in a git repository.
//!
//! Reading goes through [`Store::load`] and [`Store::get`]; every write goes
//! through a [`Transaction`], which holds the store lock, writes files
//! atomically, commits exactly the files it wrote, and puts every file back if
//! anything fails before the commit.

pub mod check;
mod files;
mod git;
pub mod history;
mod lock;
pub mod merge;
pub mod resolve;
pub mod sync;
mod system_git;
pub mod undo;

pub use files::{line_of_key, parse_yaml, to_yaml, write_atomic};
pub use git::Author;

use chrono::NaiveDate;
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Problem, Result};
use crate::model::merge::OnConflict;
use crate::model::settings::DEFAULT_SETTINGS_YAML;
use crate::model::values::Timestamp;
use crate::model::{Dataset, Kind, Record, Settings, id};
use git::Git;

pub const SETTINGS_FILE: &str = "relate.yaml";

/// What a command runs with besides the store: the clock, who is acting, and
/// whether writes are committed. Built from the environment by the CLI, fixed by tests.
#[derive(Debug, Clone)]
pub struct Env {
    pub now: Timestamp,
    /// `RELATE_AUTHOR`; otherwise the git configuration's identity is used.
    pub author: Option<Author>,
    pub commit: bool,
    pub lock_timeout: Duration,
    /// Seed for the random part of ids (`RELATE_SEED`, for reproducible tests).
    pub seed: Option<u64>,
    /// The relate program, which git runs as the merge driver of record files;
    /// `None` leaves the repository's configuration alone.
    pub relate_exe: Option<PathBuf>,
}

/// A span of months (by their first and last day) that limits which dated
/// records are read; open ends are unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Months {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Months {
    /// Whether a `<yyyy>/<mm>` folder falls in the span. A folder not named like
    /// one is read anyway, so that `check` can report what is in it.
    fn holds_folder(&self, month_dir: &Path) -> bool {
        let number = |p: Option<&Path>| p?.file_name()?.to_str()?.parse::<i32>().ok();
        let (Some(year), Some(month)) = (number(month_dir.parent()), number(Some(month_dir)))
        else {
            return true;
        };
        let Some(first) = u32::try_from(month)
            .ok()
            .and_then(|m| NaiveDate::from_ymd_opt(year, m, 1))
        else {
            return true;
        };
        let last = first + chrono::Months::new(1) - chrono::Days::new(1);
        self.from.is_none_or(|from| last >= from) && self.to.is_none_or(|to| first <= to)
    }
}

pub struct Store {
    root: PathBuf,
    settings: Settings,
    git: Option<Git>,
    env: Env,
    /// Record files as this command read them before taking the lock: their
    /// text, or `None` when it found them absent. A transaction compares them
    /// with the files under the lock to notice a writer in between.
    seen: RefCell<HashMap<PathBuf, Option<String>>>,
}

impl Store {
    /// Finds the store root: `explicit` (from `--store` or `RELATE_STORE`), else the
    /// nearest ancestor of `cwd` holding relate.yaml.
    pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
        if let Some(dir) = explicit {
            return if dir.join(SETTINGS_FILE).is_file() {
                Ok(dir.to_path_buf())
            } else {
                Err(Error::failed(format!(
                    "no relate store at {} (it has no {SETTINGS_FILE})",
                    dir.display()
                ))
                .with_hint(format!(
                    "create one with `relate init {}`, or point --store at an existing store",
                    dir.display()
                )))
            };
        }
        cwd.ancestors()
            .find(|dir| dir.join(SETTINGS_FILE).is_file())
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                Error::failed("not inside a relate store (no relate.yaml here or in any parent folder)")
                    .with_hint("create one with `relate init DIR`, or name one with --store DIR or RELATE_STORE")
            })
    }

    /// Opens the store at `root`.
    pub fn open(root: &Path, env: Env) -> Result<Store> {
        let settings = read_settings(root)?;
        let git = Git::discover(root)?;
        if let (Some(git), Some(relate)) = (&git, &env.relate_exe)
            && git.store_is_top()
        {
            // Best effort: a read-only repository still reads fine; `relate sync`
            // checks again and reports a failure. A store in a subfolder of a
            // larger repository (relate's own sample data, say) leaves that
            // repository's configuration to `relate init` and `relate sync`.
            let _ = git.ensure_merge_driver(relate);
        }
        Ok(Store {
            root: root.to_path_buf(),
            settings,
            git,
            env,
            seen: RefCell::default(),
        })
    }

    /// Creates a store in `dir`: settings, record folders, a git repository unless
    /// `dir` is already inside one, and a first commit.
    pub fn init(dir: &Path, env: Env) -> Result<Store> {
        if dir.join(SETTINGS_FILE).exists() {
            return Err(
                Error::failed(format!("{} is already a relate store", dir.display()))
                    .with_hint("use it as it is; settings are in relate.yaml"),
            );
        }
        // Everything that can fail is settled before the first folder is made.
        let existing = dir
            .ancestors()
            .find(|a| a.is_dir())
            .unwrap_or(Path::new("."));
        let absolute = std::path::absolute(existing).map_err(|e| Error::io(existing, e))?;
        if let Some(outer) = absolute
            .ancestors()
            .find(|a| a.join(SETTINGS_FILE).is_file())
        {
            return Err(Error::failed(format!(
                "{} is inside the relate store {}",
                dir.display(),
                outer.display()
            ))
            .with_hint("a store cannot hold another: choose a folder outside it"));
        }
        let enclosing = Git::discover(existing)?;
        let author_known = env.author.is_some()
            || enclosing
                .as_ref()
                .and_then(Git::configured_author)
                .is_some()
            || git::global_author().is_some();
        if env.commit && !author_known {
            return Err(no_author_error());
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let git = match enclosing {
            Some(_) => Git::discover(dir)?.expect("the enclosing repository is still there"),
            None => Git::init(dir)?,
        };
        let settings: Settings =
            serde_yaml::from_str(DEFAULT_SETTINGS_YAML).expect("the default settings parse");
        let store = Store {
            root: dir.to_path_buf(),
            settings,
            git: Some(git),
            env,
            seen: RefCell::default(),
        };
        let mut tx = store.begin()?;
        tx.put_file(Path::new(SETTINGS_FILE), DEFAULT_SETTINGS_YAML.as_bytes())?;
        tx.put_file(Path::new(".gitignore"), GITIGNORE.as_bytes())?;
        tx.put_file(Path::new(".gitattributes"), gitattributes().as_bytes())?;
        for kind in Kind::ALL {
            tx.put_file(&Path::new(kind.folder()).join(".gitkeep"), b"")?;
        }
        tx.commit("init: new relate store")?;
        if let (Some(git), Some(relate)) = (&store.git, &store.env.relate_exe) {
            git.ensure_merge_driver(relate)?;
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Who is acting: `RELATE_AUTHOR`, else git's `user.name` and `user.email`.
    pub fn author(&self) -> Option<Author> {
        self.env
            .author
            .clone()
            .or_else(|| self.git.as_ref()?.configured_author())
    }

    /// How the acting user appears in records (`by`, default `owner`): the owner
    /// id whose e-mail matches the author's, else the author's name.
    pub fn actor(&self) -> Option<String> {
        let author = self.author()?;
        Some(self.settings.actor(&author.name, &author.email))
    }

    /// The owner id of the acting user, if the team in relate.yaml lists them.
    pub fn acting_owner(&self) -> Option<String> {
        let author = self.author()?;
        self.settings
            .owner_by_email(&author.email)
            .map(|owner| owner.id.clone())
    }

    /// A random source for ids: seeded by `RELATE_SEED` when set.
    pub fn rng(&self) -> fastrand::Rng {
        match self.env.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        }
    }

    /// A fresh time-ordered id for a new dated record of `kind` at `at`.
    pub fn new_time_id(&self, kind: Kind, at: &Timestamp) -> String {
        let mut rng = self.rng();
        loop {
            let candidate = id::time_ordered(at, &mut rng);
            if !self.exists(kind, &candidate) {
                return candidate;
            }
        }
    }

    /// Where a record lives, relative to the root. Dated records go under the UTC
    /// year and month of their date.
    pub fn record_path<T: Record>(record: &T) -> PathBuf {
        let folder = Path::new(T::KIND.folder());
        let file = format!("{}.yaml", record.id());
        match record.filed_date() {
            Some(date) => folder
                .join(date.format("%Y").to_string())
                .join(date.format("%m").to_string())
                .join(file),
            None => folder.join(file),
        }
    }

    /// The path of the record `id` of `kind`, if it exists.
    pub fn find(&self, kind: Kind, id: &str) -> Option<PathBuf> {
        if !id::is_valid(id) {
            return None;
        }
        let file = format!("{id}.yaml");
        let folder = Path::new(kind.folder());
        let direct = if kind.is_dated() {
            // A time-ordered id names its month: 20261122t101500-7k3fq.
            (id.len() >= 6 && id.as_bytes()[..6].iter().all(u8::is_ascii_digit))
                .then(|| folder.join(&id[..4]).join(&id[4..6]).join(&file))
        } else {
            Some(folder.join(&file))
        };
        if let Some(rel) = &direct
            && self.is_record_file(rel)
        {
            return direct;
        }
        let found = kind
            .is_dated()
            .then(|| {
                self.record_files(kind)
                    .ok()?
                    .into_iter()
                    .find(|rel| rel.file_name().is_some_and(|f| *f == *file))
            })
            .flatten();
        if let (None, Some(rel)) = (&found, direct) {
            self.seen.borrow_mut().entry(rel).or_insert(None);
        }
        found
    }

    fn is_record_file(&self, rel: &Path) -> bool {
        // A symlink is never followed: it could lead out of the store.
        std::fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.file_type().is_file())
    }

    pub fn exists(&self, kind: Kind, id: &str) -> bool {
        self.find(kind, id).is_some()
    }

    /// The ids of all records of `kind`.
    pub fn ids(&self, kind: Kind) -> Result<Vec<String>> {
        Ok(self
            .record_files(kind)?
            .iter()
            .filter_map(|rel| Some(rel.file_stem()?.to_str()?.to_string()))
            .collect())
    }

    /// The record files of `kind`, relative to the root, sorted by path.
    pub fn record_files(&self, kind: Kind) -> Result<Vec<PathBuf>> {
        self.record_files_in(kind, Months::default())
    }

    /// The record files of `kind` filed in `months` (all files of undated kinds).
    /// Month folders outside the span are not even listed: at a million
    /// interactions, reading files is what takes the time.
    pub fn record_files_in(&self, kind: Kind, months: Months) -> Result<Vec<PathBuf>> {
        let folder = self.root.join(kind.folder());
        if !folder.is_dir() {
            return Ok(Vec::new());
        }
        let depth = if kind.is_dated() { 3 } else { 1 };
        let mut files = Vec::new();
        let walk = walkdir::WalkDir::new(&folder)
            .min_depth(depth)
            .max_depth(depth)
            .into_iter()
            .filter_entry(|e| !kind.is_dated() || e.depth() != 2 || months.holds_folder(e.path()));
        for entry in walk {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&folder).to_path_buf();
                Error::io(&path, e.into())
            })?;
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_file() && name.ends_with(".yaml") && !name.starts_with('.') {
                let rel = entry
                    .path()
                    .strip_prefix(&self.root)
                    .expect("walked below the root");
                files.push(rel.to_path_buf());
            }
        }
        // By id, then folder: `acme-corp` before `acme-corp-2` (by file name,
        // `-` would sort before `.yaml`).
        files.sort_by_key(|path| path.with_extension(""));
        Ok(files)
    }

    /// Reads and parses one record file.
    fn read_record<T: Record>(&self, rel: &Path) -> std::result::Result<(T, String), Problem> {
        read_record_at(&self.root, rel)
    }

    /// Loads every record of a kind whose file text satisfies `prefilter`
    /// (a cheap text test that spares parsing files that cannot match).
    pub fn load_where<T: Record>(&self, prefilter: impl Fn(&str) -> bool + Sync) -> Result<Vec<T>> {
        self.load_filtered(Months::default(), prefilter)
    }

    /// [`Store::load_where`] over the files filed in `months`.
    fn load_filtered<T: Record>(
        &self,
        months: Months,
        prefilter: impl Fn(&str) -> bool + Sync,
    ) -> Result<Vec<T>> {
        let files = self.record_files_in(T::KIND, months)?;
        let root = &self.root;
        let results: Vec<_> = files
            .par_iter()
            .filter_map(|rel| {
                let text = match std::fs::read_to_string(root.join(rel)) {
                    Ok(text) => text,
                    Err(e) => {
                        return Some(Err(Problem::new(rel, None, format!("cannot read: {e}"))));
                    }
                };
                prefilter(&text).then(|| parse_yaml::<T>(rel, &text))
            })
            .collect();
        let mut records = Vec::with_capacity(results.len());
        let mut problems = Vec::new();
        for result in results {
            match result {
                Ok(record) => records.push(record),
                Err(problem) => problems.push(problem),
            }
        }
        if problems.is_empty() {
            Ok(records)
        } else {
            Err(Error::invalid(problems))
        }
    }

    /// Loads every record of a kind, sorted by path (for dated kinds, by time).
    pub fn load<T: Record>(&self) -> Result<Vec<T>> {
        self.load_in(Months::default())
    }

    /// Loads the records of a kind filed in `months` (every record of an undated kind).
    pub fn load_in<T: Record>(&self, months: Months) -> Result<Vec<T>> {
        self.load_filtered(months, |_| true)
    }

    /// Loads the records of a kind that refer to `customer`.
    pub fn load_for_customer<T: Record>(&self, customer: &str) -> Result<Vec<T>> {
        let needle = format!("customer: {customer}\n");
        self.load_where::<T>(|text| text.contains(&needle))
            .map(|records| {
                records
                    .into_iter()
                    .filter(|r| r.customer() == Some(customer))
                    .collect()
            })
    }

    /// Loads the whole store.
    pub fn dataset(&self) -> Result<Dataset> {
        self.dataset_of(&Kind::ALL)
    }

    /// Loads only the records of `kinds`; the other kinds stay empty. Reports
    /// load what they need and nothing more.
    pub fn dataset_of(&self, kinds: &[Kind]) -> Result<Dataset> {
        self.dataset_in(kinds, |_| Months::default())
    }

    /// Loads only the given kinds, each dated kind from the months `months_of` gives.
    pub fn dataset_in(
        &self,
        kinds: &[Kind],
        months_of: impl Fn(Kind) -> Months,
    ) -> Result<Dataset> {
        let mut data = Dataset::empty(self.settings.clone());
        for &kind in kinds {
            let months = months_of(kind);
            match kind {
                Kind::Customer => data.customers = self.load()?,
                Kind::Interaction => data.interactions = self.load_in(months)?,
                Kind::Deal => data.deals = self.load()?,
                Kind::Product => data.products = self.load()?,
                Kind::Order => data.orders = self.load_in(months)?,
                Kind::Ticket => data.tickets = self.load()?,
                Kind::Asset => data.assets = self.load()?,
                Kind::Campaign => data.campaigns = self.load()?,
            }
        }
        Ok(data)
    }

    /// The record `id` of type `T`; a missing one is an error that suggests near ids.
    pub fn get<T: Record>(&self, id: &str) -> Result<T> {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(Error::usage(reason));
        }
        let rel = self
            .find(T::KIND, id)
            .ok_or_else(|| self.not_found(T::KIND, id))?;
        let (record, text) = self
            .read_record(&rel)
            .map_err(|problem| Error::invalid(vec![problem]))?;
        self.seen.borrow_mut().entry(rel).or_insert(Some(text));
        Ok(record)
    }

    /// Fails unless the record exists (for references such as `log CUSTOMER`).
    pub fn require(&self, kind: Kind, id: &str) -> Result<()> {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(Error::usage(reason));
        }
        match self.find(kind, id) {
            Some(_) => Ok(()),
            None => Err(self.not_found(kind, id)),
        }
    }

    /// The kind and path of the record `id`: of `kind` when given, else of
    /// whichever kind has it (several are an error that asks for `--kind`).
    pub fn locate(&self, id: &str, kind: Option<Kind>) -> Result<(Kind, PathBuf)> {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(Error::usage(reason));
        }
        if let Some(kind) = kind {
            return self
                .find(kind, id)
                .map(|rel| (kind, rel))
                .ok_or_else(|| self.not_found(kind, id));
        }
        let found: Vec<(Kind, PathBuf)> = Kind::ALL
            .into_iter()
            .filter_map(|kind| Some((kind, self.find(kind, id)?)))
            .collect();
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::not_found(format!("no record `{id}`"))
                .with_hint("list them with `relate customer list`, `relate deal list`, ...")),
            several => {
                let kinds: Vec<&str> = several.iter().map(|(kind, _)| kind.name()).collect();
                Err(Error::usage(format!(
                    "`{id}` is the id of a {}",
                    kinds.join(" and of a ")
                ))
                .with_hint("say which with --kind"))
            }
        }
    }

    fn not_found(&self, kind: Kind, id: &str) -> Error {
        let error = Error::not_found(format!("no {kind} `{id}`"));
        let candidates = self.ids(kind).unwrap_or_default();
        match suggest(id, &candidates) {
            Some(best) => error.with_hint(format!("did you mean `{best}`?")),
            None => error.with_hint(format!("list them with `relate {kind} list`")),
        }
    }

    /// Takes the store lock, waiting up to the lock timeout for another writer.
    fn lock(&self) -> Result<lock::StoreLock> {
        let lock_path = match &self.git {
            Some(git) => git.git_dir().join("relate.lock"),
            None => self.root.join(".relate.lock"),
        };
        lock::acquire(&lock_path, self.env.lock_timeout)
    }

    /// Starts a write: takes the store lock.
    pub fn begin(&self) -> Result<Transaction<'_>> {
        Ok(Transaction {
            store: self,
            _lock: self.lock()?,
            originals: Vec::new(),
            touched: HashSet::new(),
            sync_each: true,
            done: false,
        })
    }
}

const GITIGNORE: &str =
    "# written by relate: its lock and unfinished temporary files\n.relate.lock\n.relate-*.tmp\n";

/// Registers relate's merge driver for the record files of every kind.
fn gitattributes() -> String {
    let mut text = String::from(
        "# Written by relate: record files merge field by field through relate's merge\n\
         # driver, which relate names in each clone's .git/config (docs/collaboration.md).\n",
    );
    for kind in Kind::ALL {
        let months = if kind.is_dated() { "/*/*" } else { "" };
        text.push_str(&format!("{}{months}/*.yaml merge=relate\n", kind.folder()));
    }
    text
}

/// Reads and parses the record file `rel` below `root`.
fn read_record_at<T: Record>(root: &Path, rel: &Path) -> std::result::Result<(T, String), Problem> {
    let text = std::fs::read_to_string(root.join(rel))
        .map_err(|e| Problem::new(rel, None, format!("cannot read: {e}")))?;
    let record = parse_yaml(rel, &text)?;
    Ok((record, text))
}

fn no_author_error() -> Error {
    Error::failed("no author for the commit").with_hint(
        "set RELATE_AUTHOR=\"Name <email>\", or `git config --global user.name` and `user.email`",
    )
}

fn read_settings(root: &Path) -> Result<Settings> {
    let path = root.join(SETTINGS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let settings: Settings =
        parse_yaml(Path::new(SETTINGS_FILE), &text).map_err(|p| Error::invalid(vec![p]))?;
    let problems = settings.problems();
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(Error::invalid(
            problems
                .into_iter()
                .map(|message| Problem::new(SETTINGS_FILE, None, message))
                .collect(),
        ))
    }
}

/// The candidate closest to `id`, if one is close enough to be a likely typo or
/// an abbreviation (`acme` -> `acme-corp`).
pub fn suggest<'a>(id: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| {
            let score = if c.starts_with(id) {
                1.0
            } else {
                strsim::jaro_winkler(id, c)
            };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.as_str())
}

/// One write to the store. Dropping it without [`Transaction::commit`] puts back
/// every file it changed.
pub struct Transaction<'s> {
    store: &'s Store,
    _lock: lock::StoreLock,
    /// Each touched path with its content before the transaction (None: absent).
    originals: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// The paths in `originals`, so that large imports check them in constant time.
    touched: HashSet<PathBuf>,
    /// Whether each write reaches the disk before its rename (else the commit flushes them all).
    sync_each: bool,
    done: bool,
}

impl Transaction<'_> {
    /// Validates and writes a record to its file. Returns its path relative to the root.
    pub fn put<T: Record>(&mut self, record: &T) -> Result<PathBuf> {
        if let Some(reason) = id::invalid_reason(record.id()) {
            return Err(Error::usage(reason));
        }
        let problems = record.problems(&self.store.settings);
        if let Some(first) = problems.first() {
            let rest: Vec<_> = problems[1..].iter().map(|p| p.message.as_str()).collect();
            let message = std::iter::once(first.message.as_str())
                .chain(rest)
                .collect::<Vec<_>>()
                .join("; ");
            return Err(Error::usage(format!(
                "refusing to write {} `{}`: {message}",
                T::KIND,
                record.id()
            )));
        }
        let mut yaml = files::to_yaml(record)?;
        let rel = Store::record_path(record);
        if !self.touched.contains(&rel) {
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
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&path, e)),
        };
        match (seen, current) {
            (Some(seen), Some(current)) if seen != current => {
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
                    Some(&seen),
                    &ours,
                    &theirs,
                    OnConflict::Record,
                )?;
                Ok(merged)
            }
            (None, Some(_)) => Err(Error::failed(format!(
                "{} `{id}` was created by another command in the meantime",
                T::KIND
            ))
            .with_hint("run the command again")),
            _ => Ok(ours),
        }
    }

    /// Writes a file below the root atomically, remembering what it replaced.
    fn put_file(&mut self, rel: &Path, contents: &[u8]) -> Result<()> {
        let path = self.store.root.join(rel);
        let dir = path.parent().expect("record paths have a parent");
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        self.ensure_inside_root(dir)?;
        self.remember(rel)?;
        files::write_replacing(&path, contents, self.sync_each)
    }

    /// For transactions of thousands of files (imports): writes are no longer
    /// flushed to disk one by one; the commit flushes the file system once
    /// before committing. A crash before the commit can leave files of the
    /// transaction half written (uncommitted, so `git status` shows them and
    /// `git checkout` / `git clean` undo them); a committed write is on disk.
    pub fn sync_at_commit(&mut self) {
        self.sync_each = false;
    }

    /// Keeps the content `rel` had before the transaction, the first time it is touched.
    fn remember(&mut self, rel: &Path) -> Result<()> {
        if self.touched.contains(rel) {
            return Ok(());
        }
        let path = self.store.root.join(rel);
        let original = match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&path, e)),
        };
        self.touched.insert(rel.to_path_buf());
        self.originals.push((rel.to_path_buf(), original));
        Ok(())
    }

    /// Deletes a record's file (a dated record whose date moved it to another
    /// month is written anew under that month).
    pub fn remove<T: Record>(&mut self, record: &T) -> Result<()> {
        self.remove_file(&Store::record_path(record))
    }

    /// Deletes a file below the root, if present, remembering what it was.
    fn remove_file(&mut self, rel: &Path) -> Result<()> {
        self.remember(rel)?;
        let path = self.store.root.join(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&path, e)),
        }
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
    /// transaction.
    pub fn commit(mut self, message: &str) -> Result<()> {
        let store = self.store;
        let paths: Vec<PathBuf> = self.originals.iter().map(|(p, _)| p.clone()).collect();
        if !self.sync_each {
            files::sync_file_system(&store.root, &paths)?;
        }
        if let (true, Some(git)) = (store.env.commit, &store.git) {
            let author = store.author().ok_or_else(no_author_error)?;
            git.commit(&store.root, &paths, message, &author, &store.env.now)?;
        }
        self.done = true;
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        for (rel, original) in self.originals.iter().rev() {
            let path = self.store.root.join(rel);
            // Best effort: the error that aborted the transaction is what the user sees.
            let _ = match original {
                Some(bytes) => files::write_atomic(&path, bytes),
                None if path.exists() => {
                    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))
                }
                None => Ok(()),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_folders_in_a_span() {
        let date = |text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let span = Months {
            from: date("2026-08-22"),
            to: date("2026-11-20"),
        };
        let holds = |folder: &str| span.holds_folder(Path::new(folder));
        assert!(holds("interactions/2026/08") && holds("interactions/2026/11"));
        assert!(!holds("interactions/2026/07") && !holds("interactions/2026/12"));
        assert!(!holds("interactions/2025/11"));
        assert!(
            holds("interactions/2026/stray"),
            "odd folders are read for check"
        );
        assert!(Months::default().holds_folder(Path::new("orders/1999/01")));
    }
}
