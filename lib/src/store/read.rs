//! Reading records: the one way every command, report, `check` and `sync`
//! reads the store.
//!
//! [`Store::read`] takes a typed [`Query`] (which kind, which months, whose
//! records, only those with conflicts) and returns the records, each checked
//! alone against relate.yaml. Where the records come from is a [`Source`]:
//! the files themselves ([`Files`]), or the derived cache of parsed records
//! under `.git/` (`super::cache`), which gives the same answer faster and
//! falls back to the files for whatever changed. A query `for_update` notes
//! the blob id of every record it returns, so that a write under the lock
//! notices a file another writer changed meanwhile (`super::transaction`).

use git2::Oid;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::files::{blob_id, line_of_key, parse_yaml};
use super::layout::{self, Listing, Months, direct_path, record_folders};
use super::monitor::Vouch;
use super::{Seen, Store};
use crate::error::{Error, Problem, Result};
use crate::model::id::suggest;
use crate::model::searchable::{TextQuery, customer_context};
use crate::model::{Customer, Dataset, Kind, Record, Settings, id};
use std::collections::HashMap;

/// How many characters of an id at least name a record by its start, as
/// git and jj take short hashes.
pub const SHORT_ID: usize = 4;

/// Which records of one kind a command reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<'a> {
    /// For dated kinds, the months whose folders are read (all by default).
    pub months: Months,
    /// Only the records that belong to this customer.
    pub customer: Option<&'a str>,
    /// Only the interactions on this channel.
    pub channel: Option<&'a str>,
    /// Only the records with merge conflicts waiting for `relate resolve`.
    pub conflicted: bool,
    /// Only the records that may hold the words of a search.
    pub text: Option<&'a TextQuery>,
    /// Note what was read, so that a write notices a change made meanwhile.
    pub for_update: bool,
}

impl<'a> Query<'a> {
    /// Every record of the kind.
    pub fn all() -> Query<'a> {
        Query::default()
    }

    pub fn in_months(months: Months) -> Query<'a> {
        Query {
            months,
            ..Query::default()
        }
    }

    pub fn of_customer(customer: &'a str) -> Query<'a> {
        Query {
            customer: Some(customer),
            ..Query::default()
        }
    }

    pub fn conflicted() -> Query<'a> {
        Query {
            conflicted: true,
            ..Query::default()
        }
    }

    /// The records that may hold the words of `text` (`relate search`).
    pub fn matching(text: &'a TextQuery) -> Query<'a> {
        Query {
            text: Some(text),
            ..Query::default()
        }
    }

    /// The same query, reading only the interactions on `channel`.
    pub fn on_channel(self, channel: &'a str) -> Query<'a> {
        Query {
            channel: Some(channel),
            ..self
        }
    }

    /// The same query, for a command that writes what it read.
    pub fn for_update(self) -> Query<'a> {
        Query {
            for_update: true,
            ..self
        }
    }

    /// Whether a record the source has parsed, of which `facets` tell, is
    /// one the query asks for.
    pub(crate) fn selects(&self, facets: Facets) -> bool {
        self.customer
            .is_none_or(|wanted| facets.customer == Some(wanted))
            && self
                .channel
                .is_none_or(|wanted| facets.channel == Some(wanted))
            && (!self.conflicted || facets.conflicted)
    }

    /// Whether a record the query's other facets select may hold the words
    /// of its search, if it has one.
    pub(crate) fn selects_text<T: Record>(&self, record: &T) -> bool {
        self.text
            .is_none_or(|text| text.may_match_doc(&record.search_doc()))
    }

    /// Whether a file's text can hold a record the query asks for: a cheap
    /// test that spares parsing the others. It never rules out a match: a
    /// customer id appears in the text of each of its records, unless a YAML
    /// escape spells it, which needs a backslash.
    pub(crate) fn may_select(&self, text: &str) -> bool {
        let holds = |wanted: Option<&str>| {
            wanted.is_none_or(|wanted| text.contains(wanted) || text.contains('\\'))
        };
        let conflicted = !self.conflicted || text.contains("conflicts");
        holds(self.customer) && holds(self.channel) && conflicted
    }

    /// Whether the query picks out a few records, so that parsing every file
    /// to answer it costs far more than reading them.
    pub(crate) fn is_selective(&self) -> bool {
        self.customer.is_some() || self.channel.is_some() || self.conflicted
    }
}

/// What queries select records on, as a record or a cache entry tells it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facets<'r> {
    pub customer: Option<&'r str>,
    pub channel: Option<&'r str>,
    pub conflicted: bool,
}

impl<'r> Facets<'r> {
    pub(crate) fn of<T: Record>(record: &'r T) -> Facets<'r> {
        Facets {
            customer: record.customer(),
            channel: record.channel(),
            conflicted: !record.conflicts().is_empty(),
        }
    }
}

/// A record file as read: the record, where it lives and the blob id of its text.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// Relative to the store root.
    pub path: PathBuf,
    pub blob: Oid,
    pub record: T,
}

/// The records a query read, valid or not, and the problems of the invalid
/// files (which `check` reports and other readers refuse).
#[derive(Debug)]
pub struct Checked<T> {
    pub loaded: Vec<Loaded<T>>,
    pub problems: Vec<Problem>,
}

/// One record file as a source found it.
pub(crate) type FileRead<T> = std::result::Result<Loaded<T>, Problem>;

/// Slots for a folder's records, one per record file, and what is kept of each read.
pub(crate) type Fill<'s, T, O> = Option<(
    &'s mut [Option<O>],
    &'s (dyn Fn(FileRead<T>) -> Option<O> + Sync),
)>;

/// Where records are read from: the files, or the cache that answers the same.
pub(crate) trait Source: Sync {
    /// The records of the record files in `listing` (one folder) that `query`
    /// may select, in the listing's order; a file that cannot be read or
    /// parsed is a problem. A slot is `None` for a file passed over (a
    /// selective query may leave those out): reads that keep nearly every
    /// file fill one slot each, in place, instead of copying them again.
    fn load<T: Record>(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
        query: &Query,
    ) -> Vec<Option<FileRead<T>>> {
        self.load_or_fill::<T, ()>(root, folder, listing, query, None)
    }

    /// [`Source::load`]; given slots (one per record file), a source may
    /// instead put what the function gives of each read in its slot as it
    /// reads, and return nothing. Whatever it returns, the caller puts in
    /// the slots in order.
    fn load_or_fill<T: Record, O: Send>(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
        query: &Query,
        fill: Fill<'_, T, O>,
    ) -> Vec<Option<FileRead<T>>>;

    /// About how many records `folder` holds, to make room for them before
    /// they are read: any number is safe (a shortfall is made up, a surplus
    /// closed up), but the nearer the better. By default its entries, counted.
    fn records_about(&self, root: &Path, folder: &Path) -> Result<usize> {
        layout::count_entries(root, folder)
    }

    /// The listing of `folder` kept when the monitor gave it `vouched` (its
    /// instance and generation), if that is the one kept; none by default.
    fn kept_listing(&self, _folder: &Path, _vouched: (u64, u64)) -> Option<Listing> {
        None
    }

    /// Keeps the listing of `folder`, taken after the monitor gave it `vouched`.
    fn keep_listing(&self, _folder: &Path, _vouched: (u64, u64), _listing: &Listing) {}
}

/// Lists `folder` for a read: from the listing kept for it, when the monitor
/// vouches that nothing happened in the folder since that listing was taken;
/// else by looking at every file (keeping the listing when it is vouched for
/// and no file in it has another hard link). A listing vouched for says under
/// what (`Listing::vouched`), so that a segment written from it says so too.
fn list_vouched<C: Source>(
    root: &Path,
    cache: Option<&C>,
    vouch: Option<&Vouch>,
    strays: &layout::Strays,
    folder: &Path,
) -> Result<Listing> {
    let Some((cache, vouched)) = cache.zip(vouch.and_then(|vouch| vouch.of(folder))) else {
        return strays.list(root, folder);
    };
    if let Some(mut listing) = cache.kept_listing(folder, vouched) {
        strays.note(folder, &listing);
        listing.vouched = Some(vouched);
        return Ok(listing);
    }
    let mut listing = strays.list(root, folder)?;
    if !listing.linked {
        cache.keep_listing(folder, vouched, &listing);
        listing.vouched = Some(vouched);
    }
    Ok(listing)
}

/// The files themselves: every file is read and parsed again.
pub(crate) struct Files;

impl Source for Files {
    fn load_or_fill<T: Record, O: Send>(
        &self,
        root: &Path,
        _folder: &Path,
        listing: &Listing,
        query: &Query,
        _fill: Fill<'_, T, O>,
    ) -> Vec<Option<FileRead<T>>> {
        listing
            .records
            .par_iter()
            .map(|entry| match std::fs::read(root.join(&entry.path)) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    query
                        .may_select(&text)
                        .then(|| parse_bytes(&entry.path, &bytes))
                }
                Err(e) => Some(Err(unreadable(&entry.path, &e))),
            })
            .collect()
    }
}

/// Parses the bytes of the record file `rel`.
pub(crate) fn parse_bytes<T: Record>(rel: &Path, bytes: &[u8]) -> FileRead<T> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Problem::new(rel, None, format!("not UTF-8 text: {e}")))?;
    let record = parse_yaml::<T>(rel, text)?;
    Ok(Loaded {
        path: rel.to_path_buf(),
        blob: blob_id(bytes),
        record,
    })
}

fn unreadable(rel: &Path, error: &std::io::Error) -> Problem {
    Problem::new(rel, None, format!("cannot read: {error}"))
}

/// The problems of one record on its own: its fields against relate.yaml,
/// an id that differs from its file name, a dated record in the wrong month.
pub(crate) fn problems_alone<T: Record>(
    settings: &Settings,
    loaded: &Loaded<T>,
) -> Vec<(Option<&'static str>, String)> {
    let record = &loaded.record;
    let rel = &loaded.path;
    let mut problems: Vec<(Option<&'static str>, String)> =
        crate::filter::record_problems(record, settings)
            .into_iter()
            .map(|p| (Some(p.field), p.message))
            .collect();
    let (folder, stem) = layout::folder_and_stem(rel);
    if record.id() != stem {
        problems.push((
            Some("id"),
            format!(
                "id `{}` differs from the file name `{stem}.yaml`",
                record.id()
            ),
        ));
    }
    if let Some(date) = record.filed_date()
        && !layout::is_month_folder(T::KIND, date, folder)
    {
        problems.push((
            Some("at"),
            format!(
                "filed under the wrong month: by its date it belongs in {}/",
                layout::month_folder(T::KIND, date).display()
            ),
        ));
    }
    problems
}

/// Points problems found in a record at their lines, reading its text again
/// (only invalid records need it).
pub(crate) fn with_lines(
    root: &Path,
    rel: &Path,
    problems: Vec<(Option<&'static str>, String)>,
) -> Vec<Problem> {
    let text = std::fs::read_to_string(root.join(rel)).unwrap_or_default();
    problems
        .into_iter()
        .map(|(field, message)| {
            Problem::new(rel, field.and_then(|f| line_of_key(&text, f)), message)
        })
        .collect()
}

/// A digest of what the record files of a store hold: each file's path and
/// blob id, folder by folder in read order, and the text of relate.yaml. Equal
/// digests mean the same records and the same settings, so a result derived
/// from them all (`check`'s) can be kept for the next run.
pub(crate) struct ContentDigest {
    whole: xxhash_rust::xxh3::Xxh3,
    folder: Option<(PathBuf, xxhash_rust::xxh3::Xxh3)>,
}

impl ContentDigest {
    pub(crate) fn new(settings_text: &[u8]) -> ContentDigest {
        let mut whole = xxhash_rust::xxh3::Xxh3::new();
        whole.update(&(settings_text.len() as u64).to_le_bytes());
        whole.update(settings_text);
        ContentDigest {
            whole,
            folder: None,
        }
    }

    /// Adds the next record file (relative to the root) read.
    pub(crate) fn add(&mut self, path: &Path, blob: Oid) {
        let parent = path.parent().unwrap_or(Path::new(""));
        if self.folder.as_ref().is_none_or(|(f, _)| f != parent) {
            self.close_folder();
            self.folder = Some((parent.to_path_buf(), xxhash_rust::xxh3::Xxh3::new()));
        }
        if let Some((_, hasher)) = &mut self.folder {
            hash_file(hasher, path, blob);
        }
    }

    /// Adds a whole folder's digest, as [`ContentDigest::add`] would have
    /// built it from its files.
    fn add_folder(&mut self, digest: u128) {
        self.close_folder();
        self.whole.update(&digest.to_le_bytes());
    }

    fn close_folder(&mut self) {
        if let Some((_, hasher)) = self.folder.take() {
            self.whole.update(&hasher.digest128().to_le_bytes());
        }
    }

    pub(crate) fn finish(mut self) -> u128 {
        self.close_folder();
        self.whole.digest128()
    }
}

fn hash_file(hasher: &mut xxhash_rust::xxh3::Xxh3, path: &Path, blob: Oid) {
    let path = path.as_os_str().as_encoded_bytes();
    hasher.update(&(path.len() as u64).to_le_bytes());
    hasher.update(path);
    hasher.update(blob.as_bytes());
}

/// What reading folders needs of a store, shared by the threads that read
/// them: the files, and the cache (`C`) that answers for them when there is one.
struct FolderReader<'s, C> {
    root: &'s Path,
    cache: Option<&'s C>,
    settings: &'s Settings,
    strays: &'s layout::Strays,
    vouch: Option<&'s Vouch>,
}

impl<C: Source> FolderReader<'_, C> {
    fn list(&self, folder: &Path) -> Result<Listing> {
        list_vouched(self.root, self.cache, self.vouch, self.strays, folder)
    }

    /// What a source gives of the files of `folder` that the query may select.
    fn load<T: Record>(&self, folder: &Path, query: &Query) -> Result<Vec<Option<FileRead<T>>>> {
        let listing = self.list(folder)?;
        Ok(self.load_listed(folder, &listing, query))
    }

    fn load_listed<T: Record>(
        &self,
        folder: &Path,
        listing: &Listing,
        query: &Query,
    ) -> Vec<Option<FileRead<T>>> {
        match self.cache {
            Some(cache) => cache.load(self.root, folder, listing, query),
            None => Files.load(self.root, folder, listing, query),
        }
    }

    /// Of the files a source read, what `keep` gives of each record the
    /// query selects; invalid records and unreadable files go to `problems`.
    fn checked<'s, T: Record + 's, O>(
        &'s self,
        reads: Vec<Option<FileRead<T>>>,
        query: &'s Query,
        keep: &'s (impl Fn(Loaded<T>) -> O + Sync),
        problems: &'s mut Vec<Problem>,
    ) -> impl Iterator<Item = O> + 's {
        reads.into_iter().flatten().filter_map(move |read| {
            let (kept, found) = self.check_one(read, query, keep);
            problems.extend(found);
            kept
        })
    }

    /// What `keep` gives of one read if the query selects it, and its problems.
    fn check_one<T: Record, O>(
        &self,
        read: FileRead<T>,
        query: &Query,
        keep: &impl Fn(Loaded<T>) -> O,
    ) -> (Option<O>, Vec<Problem>) {
        match read {
            Ok(file)
                if query.selects(Facets::of(&file.record)) && query.selects_text(&file.record) =>
            {
                let alone = problems_alone(self.settings, &file);
                let problems = match alone.is_empty() {
                    true => Vec::new(),
                    false => with_lines(self.root, &file.path, alone),
                };
                (Some(keep(file)), problems)
            }
            Ok(_) => (None, Vec::new()),
            Err(problem) => (None, vec![problem]),
        }
    }

    /// A wide read of many folders. Each folder's records are counted first
    /// (by its cache segment, else by its entries' names: no look at the
    /// files), which gives it a run of slots in the result; its records are
    /// put straight into them, and the empty slots left (files that are not
    /// records, invalid ones) are closed up in place. A folder that gained files after it was counted keeps the
    /// extra records aside, and only then is the result assembled anew.
    fn fill_from_folders<T: Record, O: Send>(
        &self,
        folders: &[PathBuf],
        query: &Query,
        keep: &(impl Fn(Loaded<T>) -> O + Sync),
    ) -> Result<(Vec<O>, Vec<Problem>)> {
        let counts: Vec<usize> = folders
            .par_iter()
            .map(|folder| match self.cache {
                Some(cache) => cache.records_about(self.root, folder),
                None => Files.records_about(self.root, folder),
            })
            .collect::<Result<_>>()?;
        self.fill_runs(folders, counts, query, keep)
    }

    /// Reads `folder` into `run`, its slots in the result, in order; the
    /// records beyond them (files added since the folder was counted) are
    /// returned aside, with the folder's problems.
    fn fill_run<T: Record, O: Send>(
        &self,
        folder: &Path,
        query: &Query,
        keep: &(impl Fn(Loaded<T>) -> O + Sync),
        run: &mut [Option<O>],
    ) -> Result<(Vec<O>, Vec<Problem>)> {
        let listing = self.list(folder)?;
        if let Some(slots) = run.get_mut(..listing.records.len()) {
            // Filled on every core: problems are rare, so one lock is enough.
            let found = Mutex::new(Vec::new());
            let check = |read: FileRead<T>| {
                let (kept, problems) = self.check_one(read, query, keep);
                if !problems.is_empty() {
                    found
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .extend(problems);
                }
                kept
            };
            let into = Some((&mut *slots, &check as &(dyn Fn(_) -> _ + Sync)));
            let reads = match self.cache {
                Some(cache) => cache.load_or_fill(self.root, folder, &listing, query, into),
                None => Files.load_or_fill(self.root, folder, &listing, query, into),
            };
            for (slot, read) in slots.iter_mut().zip(reads) {
                *slot = read.and_then(check);
            }
            let problems = found.into_inner().unwrap_or_else(PoisonError::into_inner);
            return Ok((Vec::new(), problems));
        }
        let reads = self.load_listed(folder, &listing, query);
        let mut problems = Vec::new();
        let mut extra = Vec::new();
        let mut free = run.iter_mut();
        for record in self.checked(reads, query, keep, &mut problems) {
            match free.next() {
                Some(slot) => *slot = Some(record),
                None => extra.push(record),
            }
        }
        Ok((extra, problems))
    }

    /// [`FolderReader::fill_from_folders`], given how many slots each folder gets.
    fn fill_runs<T: Record, O: Send>(
        &self,
        folders: &[PathBuf],
        counts: Vec<usize>,
        query: &Query,
        keep: &(impl Fn(Loaded<T>) -> O + Sync),
    ) -> Result<(Vec<O>, Vec<Problem>)> {
        // Emptied on every core: the first touch of this memory (half a
        // gigabyte for the interactions of the big store) is most of its
        // cost, the kernel zeroing each page (docs/performance.md).
        let mut slots: Vec<Option<O>> = Vec::new();
        (0..counts.iter().sum())
            .into_par_iter()
            .with_min_len(1 << 14)
            .map(|_| None)
            .collect_into_vec(&mut slots);
        let mut runs: Vec<&mut [Option<O>]> = Vec::with_capacity(counts.len());
        let mut rest = slots.as_mut_slice();
        for &count in &counts {
            let (run, after) = rest.split_at_mut(count);
            runs.push(run);
            rest = after;
        }
        let per_folder: Vec<Result<(Vec<O>, Vec<Problem>)>> = (folders.par_iter().zip(runs))
            .map(|(folder, run)| self.fill_run(folder, query, keep, run))
            .collect();
        let mut problems = Vec::new();
        let mut extras = Vec::with_capacity(per_folder.len());
        for folder in per_folder {
            let (extra, folder_problems) = folder?;
            extras.push(extra);
            problems.extend(folder_problems);
        }
        if extras.iter().all(Vec::is_empty) {
            // In place: an `Option` of a record takes no more room than the
            // record, and `filter_map` collects in the same memory, where
            // `flatten` (as of Rust 1.95) copies into a new one.
            #[allow(clippy::filter_map_identity)]
            let mut all: Vec<O> = slots.into_iter().filter_map(|slot| slot).collect();
            // Counts that were far too high (folders emptied since their
            // segments were written) give back the room left over.
            if all.len() < all.capacity() / 2 {
                all.shrink_to_fit();
            }
            return Ok((all, problems));
        }
        let mut all = Vec::with_capacity(slots.len() + extras.iter().map(Vec::len).sum::<usize>());
        let mut slots = slots.into_iter();
        for (count, extra) in counts.into_iter().zip(extras) {
            all.extend(slots.by_ref().take(count).flatten());
            all.extend(extra);
        }
        Ok((all, problems))
    }
}

/// A narrow read of many folders: each keeps few records, given back
/// folder by folder, then joined.
fn join_folders<O: Send>(
    folders: &[PathBuf],
    read: impl Fn(&PathBuf, &mut Vec<Problem>) -> Result<Vec<O>> + Sync,
) -> Result<(Vec<O>, Vec<Problem>)> {
    let per_folder: Vec<Result<(Vec<O>, Vec<Problem>)>> = folders
        .par_iter()
        .map(|folder| {
            let mut problems = Vec::new();
            Ok((read(folder, &mut problems)?, problems))
        })
        .collect();
    let total = per_folder
        .iter()
        .map(|folder| folder.as_ref().map_or(0, |(kept, _)| kept.len()))
        .sum();
    let mut all = Vec::with_capacity(total);
    let mut problems = Vec::new();
    for folder in per_folder {
        let (kept, folder_problems) = folder?;
        all.extend(kept);
        problems.extend(folder_problems);
    }
    Ok((all, problems))
}

impl Store {
    /// The text of relate.yaml, for digests of the store's content.
    pub(crate) fn settings_text(&self) -> Result<Vec<u8>> {
        let path = self.root.join(layout::SETTINGS_FILE);
        std::fs::read(&path).map_err(|e| Error::io(&path, e))
    }

    /// The [`ContentDigest`] of every record file of `kinds` (in that
    /// order), if the cache confirms each file unchanged (by its stat data,
    /// or the monitor's vouch for its folder),
    /// without decoding any record; `None` without a cache or as soon as one
    /// file is new or changed.
    pub(crate) fn confirmed_digest(&self, kinds: &[Kind]) -> Result<Option<u128>> {
        let Some(cache) = &self.cache else {
            return Ok(None);
        };
        let mut digest = ContentDigest::new(&self.settings_text()?);
        let (root, strays) = (&self.root, &self.strays);
        let vouch = self.vouch();
        for &kind in kinds {
            let folders = record_folders(root, kind, Months::default())?;
            let per_folder: Vec<Result<Option<Option<u128>>>> = folders
                .par_iter()
                .map(|folder| {
                    let listing = list_vouched(root, Some(cache), vouch.as_ref(), strays, folder)?;
                    if listing.records.is_empty() {
                        return Ok(Some(None));
                    }
                    let Some(blobs) = cache.confirmed_blobs(root, folder, &listing) else {
                        return Ok(None);
                    };
                    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                    for (file, blob) in listing.records.iter().zip(blobs) {
                        hash_file(&mut hasher, &file.path, blob);
                    }
                    Ok(Some(Some(hasher.digest128())))
                })
                .collect();
            for folder in per_folder {
                match folder? {
                    None => return Ok(None),
                    Some(None) => {}
                    Some(Some(folder_digest)) => digest.add_folder(folder_digest),
                }
            }
        }
        Ok(Some(digest.finish()))
    }

    /// A result kept by [`Store::keep_result`] for the content `digest`.
    pub(crate) fn kept_result(&self, name: &str, digest: u128) -> Option<Vec<u8>> {
        self.cache.as_ref()?.read_result(name, digest)
    }

    /// Keeps a result derived from the whole content `digest` (best effort).
    pub(crate) fn keep_result(&self, name: &str, digest: u128, payload: &[u8]) {
        if let Some(cache) = &self.cache {
            cache.write_result(name, digest, payload);
        }
    }

    /// Every record of `T` the query selects, sorted by id (dated records by
    /// month, then id), each checked alone against relate.yaml: an invalid one
    /// is an error (exit 4) naming its file and line, so that no report or
    /// list computes on a record `check` would refuse.
    pub fn read<T: Record>(&self, query: Query) -> Result<Vec<T>> {
        let (records, problems) = if query.for_update {
            let checked = self.read_checked::<T>(query)?;
            let records = checked.loaded.into_iter().map(|l| l.record).collect();
            (records, checked.problems)
        } else {
            // Where each record lives is not needed: dropped folder by folder.
            self.read_folders(query, |file: Loaded<T>| file.record)?
        };
        if !problems.is_empty() {
            return Err(Error::invalid(problems));
        }
        Ok(records)
    }

    /// As [`Store::read`], keeping where each record lives and its blob id, and
    /// returning the problems of invalid files beside the valid records.
    pub fn read_checked<T: Record>(&self, query: Query) -> Result<Checked<T>> {
        let (loaded, problems) = self.read_folders(query, |file: Loaded<T>| file)?;
        if query.for_update {
            let mut seen = self.seen.borrow_mut();
            for file in &loaded {
                seen.entry(file.path.clone())
                    .or_insert(Seen::Blob(file.blob));
            }
        }
        Ok(Checked { loaded, problems })
    }

    /// Reads the folders the query needs, in parallel, checking each record
    /// alone; of each record the query selects, `keep` gives what is kept.
    /// Folders are read in order and each lists its records in order.
    ///
    /// Each copy of a million records is fresh memory the kernel zeroes
    /// first, so the records are moved as little as possible: one folder's
    /// are kept in the memory they were read into; a wide read of many
    /// folders puts each record straight into its place in the result; only
    /// a narrow read (few records kept) joins what each folder kept.
    fn read_folders<T: Record, O: Send>(
        &self,
        query: Query,
        keep: impl Fn(Loaded<T>) -> O + Sync,
    ) -> Result<(Vec<O>, Vec<Problem>)> {
        let folders = record_folders(&self.root, T::KIND, query.months)?;
        let vouch = self.vouch();
        let reader = FolderReader {
            root: &self.root,
            cache: self.cache.as_ref(),
            settings: &self.settings,
            strays: &self.strays,
            vouch: vouch.as_ref(),
        };
        let read = |folder: &PathBuf, problems: &mut Vec<Problem>| -> Result<Vec<O>> {
            let reads = reader.load::<T>(folder, &query)?;
            // Collected in place, in the memory of `reads`.
            let mut kept: Vec<O> = reader.checked(reads, &query, &keep, problems).collect();
            // A narrow read keeps few of its slots: the rest goes back now,
            // rather than wait, folder after folder, for the join.
            if kept.len() < kept.capacity() / 2 {
                kept.shrink_to_fit();
            }
            Ok(kept)
        };
        let (all, mut problems) = match folders.as_slice() {
            [] => (Vec::new(), Vec::new()),
            [folder] => {
                let mut problems = Vec::new();
                (read(folder, &mut problems)?, problems)
            }
            _ if query.is_selective() || query.text.is_some() => join_folders(&folders, read)?,
            _ => reader.fill_from_folders(&folders, &query, &keep)?,
        };
        problems.sort();
        Ok((all, problems))
    }

    /// Loads the whole store.
    pub fn dataset(&self) -> Result<Dataset> {
        self.dataset_of(&Kind::ALL)
    }

    /// Loads only the records of `kinds`; the other kinds stay empty. Reports
    /// load what they need and nothing more.
    pub fn dataset_of(&self, kinds: &[Kind]) -> Result<Dataset> {
        self.dataset_in(kinds, |_| Query::all())
    }

    /// Loads the given kinds, each with the query `query_of` gives it.
    pub fn dataset_in<'q>(
        &self,
        kinds: &[Kind],
        query_of: impl Fn(Kind) -> Query<'q>,
    ) -> Result<Dataset> {
        let mut data = Dataset::empty(self.settings.clone());
        for &kind in kinds {
            let query = query_of(kind);
            match kind {
                Kind::Customer => data.customers = self.read(query)?,
                Kind::Interaction => data.interactions = self.read(query)?,
                Kind::Deal => data.deals = self.read(query)?,
                Kind::Product => data.products = self.read(query)?,
                Kind::Order => data.orders = self.read(query)?,
                Kind::Ticket => data.tickets = self.read(query)?,
                Kind::Asset => data.assets = self.read(query)?,
                Kind::Campaign => data.campaigns = self.read(query)?,
            }
        }
        Ok(data)
    }

    /// What `relate search` needs: the records of `kinds` that may hold the
    /// words of `text`, and the query with every customer's folded texts
    /// (which complete their records' own). The cache answers both without
    /// decoding the records that cannot match.
    pub fn search_candidates(&self, kinds: &[Kind], text: &str) -> Result<(Dataset, TextQuery)> {
        let query = TextQuery::with_context(text, self.customer_texts()?);
        // Customers are read whatever the kinds, so that their search texts,
        // which give the next search its context, are kept up to date.
        let mut kinds = kinds.to_vec();
        kinds.push(Kind::Customer);
        kinds.sort();
        kinds.dedup();
        let data = self.dataset_in(&kinds, |_| Query::matching(&query))?;
        Ok((data, query))
    }

    /// Every customer's folded search texts by id, from the cache's search
    /// texts when they speak for every customer file, else from the files.
    /// Invalid customers count as they are: only hits are checked (exit 4).
    fn customer_texts(&self) -> Result<HashMap<String, String>> {
        let folders = record_folders(&self.root, Kind::Customer, Months::default())?;
        if let Some(cache) = &self.cache {
            let mut texts = HashMap::new();
            let vouch = self.vouch();
            for folder in &folders {
                let listing = list_vouched(
                    &self.root,
                    Some(cache),
                    vouch.as_ref(),
                    &self.strays,
                    folder,
                )?;
                match cache.kept_folded_texts(&self.root, folder, &listing) {
                    Some(folder_texts) => texts.extend(folder_texts),
                    None => return self.customer_texts_from_records(),
                }
            }
            return Ok(texts);
        }
        self.customer_texts_from_records()
    }

    fn customer_texts_from_records(&self) -> Result<HashMap<String, String>> {
        let customers = self.read_checked::<Customer>(Query::all())?.loaded;
        Ok(customer_context(customers.iter().map(|file| &file.record)))
    }

    /// Reads and parses one record file, noting what was read for a later write.
    pub(crate) fn read_file<T: Record>(
        &self,
        rel: &Path,
    ) -> std::result::Result<Loaded<T>, Problem> {
        let bytes = std::fs::read(self.root.join(rel)).map_err(|e| unreadable(rel, &e))?;
        let loaded = parse_bytes::<T>(rel, &bytes)?;
        self.seen
            .borrow_mut()
            .entry(rel.to_path_buf())
            .or_insert_with(|| Seen::Text {
                blob: loaded.blob,
                text: String::from_utf8_lossy(&bytes).into_owned(),
            });
        Ok(loaded)
    }

    /// The record that `id` names (see [`Store::resolve`]), checked alone
    /// against relate.yaml; a missing one is an error that suggests near ids.
    pub fn get<T: Record>(&self, id: &str) -> Result<T> {
        let id = self.resolve(T::KIND, id)?;
        self.get_exact(&id)
    }

    /// The record whose id is exactly `id`, checked alone against relate.yaml:
    /// for the commands that need a full id (`customer merge`).
    pub fn get_exact<T: Record>(&self, id: &str) -> Result<T> {
        let loaded = self.get_loaded::<T>(id)?;
        let alone = problems_alone(&self.settings, &loaded);
        if !alone.is_empty() {
            return Err(Error::invalid(with_lines(&self.root, &loaded.path, alone)));
        }
        Ok(loaded.record)
    }

    /// The record that `id` names as it is, even if invalid: for the commands
    /// that repair records (`set`, `edit`, `resolve`), which must still run on them.
    pub fn get_for_repair<T: Record>(&self, id: &str) -> Result<T> {
        let id = self.resolve(T::KIND, id)?;
        Ok(self.get_loaded::<T>(&id)?.record)
    }

    fn get_loaded<T: Record>(&self, id: &str) -> Result<Loaded<T>> {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(Error::usage(reason));
        }
        let rel = self
            .find(T::KIND, id)
            .ok_or_else(|| self.not_found(T::KIND, id))?;
        self.read_file::<T>(&rel)
            .map_err(|problem| Error::invalid(vec![problem]))
    }

    /// The full id of the record of `kind` that `id` names on the command
    /// line: the record with that very id; else, for customers, the one that
    /// lists it among its `aliases` (a customer merged into it: a note says
    /// so); else the one record whose id starts with it, when it has at least
    /// [`SHORT_ID`] characters. Several such records are an error that lists
    /// them; none is a not-found error that suggests near ids.
    pub fn resolve(&self, kind: Kind, id: &str) -> Result<String> {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(Error::usage(reason));
        }
        if self.find(kind, id).is_some() {
            return Ok(id.to_string());
        }
        if kind == Kind::Customer
            && let Some(keep) = self.merged_into(id)?
        {
            (self.env.notify)(&format!("note: `{id}` was merged into `{keep}`"));
            return Ok(keep);
        }
        if id.len() < SHORT_ID {
            return Err(self.not_found(kind, id));
        }
        let mut starting: Vec<String> = self.ids(kind)?;
        starting.retain(|candidate| candidate.starts_with(id));
        match starting.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(self.not_found(kind, id)),
            several => Err(Error::usage(format!(
                "`{id}` is the start of {} {kind} ids: {}",
                several.len(),
                several.join(", ")
            ))
            .with_hint("give more of the id")),
        }
    }

    /// The customer that lists `id` among its `aliases`, if any. Invalid
    /// customer files are passed over: `check` reports them.
    pub fn merged_into(&self, id: &str) -> Result<Option<String>> {
        let customers = self.read_checked::<Customer>(Query::all())?.loaded;
        Ok(customers
            .into_iter()
            .find(|file| file.record.aliases.iter().any(|alias| alias == id))
            .map(|file| file.record.id.into()))
    }

    /// The path of the record `id` of `kind`, if it exists.
    pub fn find(&self, kind: Kind, id: &str) -> Option<PathBuf> {
        if !id::is_valid(id) {
            return None;
        }
        let direct = direct_path(kind, id);
        if let Some(rel) = &direct
            && self.is_record_file(rel)
        {
            return direct;
        }
        let found = kind.is_dated().then(|| self.find_dated(kind, id)).flatten();
        if let (None, Some(rel)) = (&found, direct) {
            self.seen.borrow_mut().entry(rel).or_insert(Seen::Absent);
        }
        found
    }

    /// A dated record whose id does not name its month (an imported id): its
    /// file is looked for in every month folder.
    fn find_dated(&self, kind: Kind, id: &str) -> Option<PathBuf> {
        let file = format!("{id}.yaml");
        let folders = record_folders(&self.root, kind, Months::default()).ok()?;
        folders
            .into_iter()
            .map(|folder| folder.join(&file))
            .find(|rel| self.is_record_file(rel))
    }

    pub(crate) fn is_record_file(&self, rel: &Path) -> bool {
        // A symlink is never followed: it could lead out of the store.
        std::fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.file_type().is_file())
    }

    pub fn exists(&self, kind: Kind, id: &str) -> bool {
        self.find(kind, id).is_some()
    }

    /// The record files of `kind`, relative to the root, in listing order.
    pub(crate) fn record_files(&self, kind: Kind) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        let vouch = self.vouch();
        for folder in record_folders(&self.root, kind, Months::default())? {
            let cache = self.cache.as_ref();
            let listing = list_vouched(&self.root, cache, vouch.as_ref(), &self.strays, &folder)?;
            files.extend(listing.records.into_iter().map(|entry| entry.path));
        }
        Ok(files)
    }

    /// The ids of all records of `kind`, from the file names alone.
    pub fn ids(&self, kind: Kind) -> Result<Vec<String>> {
        Ok(self
            .record_files(kind)?
            .iter()
            .filter_map(|rel| Some(rel.file_stem()?.to_str()?.to_string()))
            .collect())
    }

    /// Fails unless the record with exactly this id exists (for references
    /// such as `log CUSTOMER`, which write the id as given). An id that
    /// [`Store::resolve`] would take for another one says which.
    pub fn require(&self, kind: Kind, id: &str) -> Result<()> {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(Error::usage(reason));
        }
        if self.find(kind, id).is_some() {
            return Ok(());
        }
        match self.resolve(kind, id) {
            Ok(full) => Err(Error::not_found(format!("no {kind} `{id}`"))
                .with_hint(format!("did you mean `{full}`? give its full id here"))),
            Err(error) => Err(error),
        }
    }

    /// The kind and path of the record `id`: of `kind` when given, else of
    /// whichever kind has it (several are an error that asks for `--kind`).
    pub fn locate(&self, id: &str, kind: Option<Kind>) -> Result<(Kind, PathBuf)> {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(Error::usage(reason));
        }
        let located = |kind: Kind, id: &str| -> Option<(Kind, PathBuf)> {
            Some((kind, self.find(kind, id)?))
        };
        if let Some(kind) = kind {
            let full = self.resolve(kind, id)?;
            return located(kind, &full).ok_or_else(|| self.not_found(kind, id));
        }
        let mut found: Vec<(Kind, PathBuf)> = Kind::ALL
            .into_iter()
            .filter_map(|kind| located(kind, id))
            .collect();
        if found.is_empty() {
            // No record has that very id: an alias or the start of one id.
            found = Kind::ALL
                .into_iter()
                .filter_map(|kind| located(kind, &self.resolve(kind, id).ok()?))
                .collect();
        }
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::NoRecord { id: id.to_string() }),
            several => {
                let kinds: Vec<String> = (several.iter())
                    .map(|(kind, _)| {
                        let article = if kind.name().starts_with(['a', 'i', 'o']) {
                            "an"
                        } else {
                            "a"
                        };
                        format!("{article} {kind}")
                    })
                    .collect();
                Err(
                    Error::usage(format!("`{id}` is the id of {}", kinds.join(" and of ")))
                        .with_hint("say which with --kind"),
                )
            }
        }
    }

    pub(crate) fn not_found(&self, kind: Kind, id: &str) -> Error {
        let error = Error::not_found(format!("no {kind} `{id}`"));
        let candidates = self.ids(kind).unwrap_or_default();
        match suggest(id, &candidates) {
            Some(best) => error.with_hint(format!("did you mean `{best}`?")),
            None => error.with_hint(format!("list them with `relate {kind} list`")),
        }
    }

    /// A fresh time-ordered id for a new dated record of `kind` at `at`.
    pub fn new_time_id(&self, kind: Kind, at: &crate::model::values::Timestamp) -> String {
        let mut rng = self.rng();
        loop {
            let candidate = id::time_ordered(at, &mut rng);
            if !self.exists(kind, &candidate) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Interaction;
    use crate::store::cache::{self, Cache, CacheMode};

    /// Three month folders of two interactions each, one of them invalid.
    fn months() -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let mut folders = Vec::new();
        for (month, ids) in [
            ("09", ["a1", "a2"]),
            ("10", ["b1", "b2"]),
            ("11", ["c1", "c2"]),
        ] {
            let folder = PathBuf::from(format!("interactions/2026/{month}"));
            std::fs::create_dir_all(dir.path().join(&folder)).unwrap();
            for id in ids {
                let at = match id {
                    "b2" => "not a date".to_string(),
                    _ => format!("2026-{month}-02T10:00:00Z"),
                };
                let text = format!("id: {id}\ncustomer: acme\nat: {at}\nchannel: email\n");
                std::fs::write(dir.path().join(&folder).join(format!("{id}.yaml")), text).unwrap();
            }
            folders.push(folder);
        }
        (dir, folders)
    }

    fn ids(records: &[Interaction]) -> Vec<&str> {
        records.iter().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn a_wide_read_fills_its_slots_in_order_whether_the_counts_fit_or_fall_short() {
        let (dir, folders) = months();
        let settings = crate::report::fixture::settings();
        let reader = FolderReader::<Files> {
            root: dir.path(),
            cache: None,
            settings: &settings,
            strays: &layout::Strays::default(),
            vouch: None,
        };
        let query = Query::all();
        let keep = |file: Loaded<Interaction>| file.record;
        let (joined, problems) = join_folders(&folders, |folder, problems| {
            let reads = reader.load::<Interaction>(folder, &query)?;
            Ok(reader.checked(reads, &query, &keep, problems).collect())
        })
        .unwrap();
        assert_eq!(ids(&joined), ["a1", "a2", "b1", "c1", "c2"]);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().contains("b2.yaml"),
            "{}",
            problems[0]
        );
        // Counted with room to spare, far too much, exactly, and short of what
        // a folder holds (files added after the count): the same records, in
        // order, and never more than twice their room.
        for counts in [
            vec![3, 2, 5],
            vec![100, 100, 100],
            vec![2, 2, 2],
            vec![0, 1, 2],
            vec![0, 0, 0],
        ] {
            let (filled, filled_problems) = reader
                .fill_runs(&folders, counts.clone(), &query, &keep)
                .unwrap();
            assert_eq!(filled, joined, "{counts:?}");
            assert_eq!(filled_problems, problems, "{counts:?}");
            assert!(filled.capacity() <= 2 * filled.len(), "{counts:?}");
        }
        // With the cache: the first read writes the segments, the second
        // decodes each record straight into its slot (the files are older
        // than the racy margin, so the segments are trusted as they are).
        std::thread::sleep(cache::RACY_MARGIN + std::time::Duration::from_millis(100));
        let cache = Cache::new(&dir.path().join(".git"), "", CacheMode::Use);
        let cached = FolderReader {
            root: dir.path(),
            cache: Some(&cache),
            settings: &settings,
            strays: &layout::Strays::default(),
            vouch: None,
        };
        let segments = || {
            let dir = dir.path().join(".git/relate/cache/store");
            let mut files: Vec<_> = (std::fs::read_dir(&dir).unwrap())
                .map(|entry| {
                    let entry = entry.unwrap();
                    (
                        entry.file_name(),
                        entry.metadata().unwrap().modified().unwrap(),
                    )
                })
                .collect();
            files.sort();
            files
        };
        for pass in ["cold", "warm"] {
            for counts in [vec![3, 2, 5], vec![2, 2, 2], vec![0, 1, 2]] {
                let (filled, filled_problems) = cached
                    .fill_runs(&folders, counts.clone(), &query, &keep)
                    .unwrap();
                assert_eq!(filled, joined, "{pass} {counts:?}");
                assert_eq!(filled_problems, problems, "{pass} {counts:?}");
            }
            if pass == "cold" {
                // No segment is written again, not even that of the folder
                // with the invalid file: its problem has an entry too.
                let written = segments();
                assert_eq!(written.len(), 3, "one segment per folder");
                cached
                    .fill_runs(&folders, vec![2, 2, 2], &query, &keep)
                    .unwrap();
                assert_eq!(segments(), written);
            }
        }
    }
}
