//! The derived cache: parsed records kept under `.git/relate/cache/`, so that
//! a command reads what changed, not the whole store, while its answer stays
//! exactly the one reading every file gives.
//!
//! The cache is one segment file per record folder (`customers`, one per month
//! of `interactions/2026/11`). Each entry holds a file's name, the facts of the
//! file the cache trusts (its stat key: modification and change times to the
//! nanosecond, inode, device and size, as git's index keeps them), the blob id
//! of its text, the record parsed (as JSON, which decodes ten times faster
//! than YAML), and what queries select on (its customer, its channel,
//! whether it has conflicts). A file that is not a valid record has an entry
//! too, holding the problem parsing it met, so that it is not parsed again
//! (and its folder's segment written again) by every read.
//!
//! Every read lists the folder and looks at each file (one `fstatat`): an entry
//! whose stat key differs, or that is missing, is read and parsed again;
//! everything else comes from the segment. Why that cannot be stale:
//! - any write to a file changes its change time (`ctime`), which no program
//!   can set back, so an edit that keeps size and modification time is caught;
//!   a file replaced by a rename (git checkout, editors, relate) has a new inode;
//! - racy timestamps: a file changed twice within one tick of the file-system
//!   clock can keep its stat key. So an entry whose times are not safely older
//!   than when its segment was written (by [`RACY_MARGIN`]) is trusted only
//!   after reading the file and comparing its blob id, as git does with its
//!   index ("racy git");
//! - a record is cached only if decoding its JSON gives back exactly the
//!   record parsed from YAML (a value JSON cannot carry is read from its file);
//!   a problem is cached only when it comes from the file's bytes alone (not
//!   UTF-8, not YAML, not a record), never for a file that could not be read;
//! - a segment is checked as a whole (format, schema of this build, checksum)
//!   and thrown away if anything is off: missing, truncated, corrupt, of an
//!   older format or another version of relate. It is then rebuilt silently;
//! - segments are replaced by renaming a complete file over them, so a reader
//!   sees an old segment or a new one, and every entry is checked against the
//!   file anyway: concurrent readers and writers need no lock.
//!
//! `RELATE_CACHE=off` turns the cache off; `relate check --full` reads every
//! file and writes the cache anew.

use git2::Oid;
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::files::blob_id;
use super::layout::{Listing, StatKey};
use super::read::{Facets, FileRead, Files, Fill, Loaded, Query, Source, parse_bytes};
use crate::model::Record;
use crate::model::searchable::{Folded, TextQuery};

/// Files changed this recently before a segment was written are checked by
/// content until the segment is written again: far more than the tick of any
/// file-system clock (a few milliseconds), and than the time between listing
/// a folder and writing its segment.
pub(crate) const RACY_MARGIN: Duration = Duration::from_secs(2);

const MAGIC: &[u8; 8] = b"relate\0c";

/// Bytes enough for a segment's header: its mark, schema, time and count.
const HEADER_MAX: usize = 8 + 8 + SCHEMA.len() + 8 + 8;

/// The size of an entry with an empty name, customer, channel and record:
/// four length prefixes, two times, inode, device and size, blob id, flag.
const SMALLEST_ENTRY: u64 = 4 * 8 + 5 * 8 + 20 + 1;

/// The mark of a folder's search texts (`.words`), kept beside its segment.
const WORDS_MAGIC: &[u8; 8] = b"relate\0w";

/// The mark of a folder's listing (`.list`), kept while the monitor vouches for it.
const LISTING_MAGIC: &[u8; 8] = b"relate\0l";

/// Changes whenever the record types or this format change (see build.rs),
/// so that a cache written by another build is never trusted.
const SCHEMA: &str = env!("RELATE_CACHE_SCHEMA");

/// How a store uses its cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheMode {
    /// Read from the cache what has not changed, and keep it up to date.
    Use,
    /// Read every file, whatever the cache holds, and write the cache anew.
    Rebuild,
}

pub(crate) struct Cache {
    dir: PathBuf,
    mode: CacheMode,
}

impl StatKey {
    /// Whether the file may have changed again within the clock tick of its
    /// last change, after the segment recorded it.
    fn is_racy(&self, written_ns: i64) -> bool {
        self.mtime_ns >= written_ns || self.ctime_ns >= written_ns
    }
}

/// What an entry keeps of its file. Every file of a folder has an entry, so
/// that a folder holding a file that is not a valid record is not parsed and
/// written again by every read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The record, as JSON.
    Record,
    /// The problem parsing the file met (its line and message, then the
    /// file's text, which a query's text test looks at): a function of the
    /// file's bytes alone, like the record.
    Problem,
    /// A record JSON cannot carry exactly: read from its file each time.
    FromFile,
}

impl Form {
    /// The entry's flag byte: bit 0 whether the record has conflicts, the
    /// next bits its form.
    fn flag(self, conflicted: bool) -> u8 {
        let form = match self {
            Form::Record => 0,
            Form::Problem => 1,
            Form::FromFile => 2,
        };
        form << 1 | u8::from(conflicted)
    }

    fn of_flag(flag: u8) -> Option<(Form, bool)> {
        let form = match flag >> 1 {
            0 => Form::Record,
            1 => Form::Problem,
            2 => Form::FromFile,
            _ => return None,
        };
        Some((form, flag & 1 == 1))
    }
}

/// One cached record file.
struct Entry<'a> {
    name: &'a str,
    stat: StatKey,
    blob: Oid,
    customer: Option<&'a str>,
    channel: Option<&'a str>,
    conflicted: bool,
    form: Form,
    /// The record as JSON, or the problem (see [`Form`]).
    payload: &'a [u8],
}

impl<'a> Entry<'a> {
    fn facets(&self) -> Facets<'a> {
        Facets {
            customer: self.customer,
            channel: self.channel,
            conflicted: self.conflicted,
        }
    }

    /// Whether a read with `query` gets this file: a problem goes to the
    /// reads whose text test its file passes, as when the files are read.
    fn selected_by(&self, query: &Query) -> bool {
        match self.form {
            Form::Problem => problem_selected(query, self.payload),
            Form::Record | Form::FromFile => query.selects(self.facets()),
        }
    }
}

/// A segment as read from disk.
struct Segment<'a> {
    /// Nanoseconds since the epoch, less [`RACY_MARGIN`], when it was written.
    written_ns: i64,
    /// The monitor's instance and generation of the folder's listing it was
    /// written from, if the monitor vouched for it.
    vouched: Option<(u64, u64)>,
    entries: Vec<Entry<'a>>,
}

thread_local! {
    /// Each thread's room for a segment's entries, kept from one segment to
    /// the next: a read of every month's segment would otherwise fill as many
    /// megabytes of fresh memory, which the kernel zeroes first (a fifth of a
    /// `customer show` on the big store; docs/performance.md).
    static ENTRY_ROOM: std::cell::Cell<Vec<Entry<'static>>> = const { std::cell::Cell::new(Vec::new()) };
}

/// `entries` emptied, its memory kept, for entries that borrow other bytes.
#[allow(
    clippy::unnecessary_filter_map,
    reason = "the map changes the entries' lifetime, which `filter` cannot"
)]
fn recycled<'b>(mut entries: Vec<Entry<'_>>) -> Vec<Entry<'b>> {
    entries.clear();
    // Collecting the iterator of a vector into one of a type of the same
    // size and alignment reuses its memory: what the standard library does
    // today, not a promise (a test pins it; were it to stop, only speed is lost).
    entries.into_iter().filter_map(|_| None).collect()
}

impl Drop for Segment<'_> {
    fn drop(&mut self) {
        // While the thread ends, the room is gone: the entries are freed.
        let _ = ENTRY_ROOM.try_with(|room| room.set(recycled(std::mem::take(&mut self.entries))));
    }
}

impl Segment<'_> {
    /// Whether some entries checked by content when the segment was written
    /// would now be trusted by their stat key: writing it again spares reading them.
    fn aged_racy(&self, new_written_ns: i64) -> bool {
        self.entries
            .iter()
            .any(|e| e.stat.is_racy(self.written_ns) && !e.stat.is_racy(new_written_ns))
    }
}

/// An entry to write: borrowed from the old segment, or newly encoded.
#[derive(Clone)]
struct NewEntry<'a> {
    name: Cow<'a, str>,
    stat: StatKey,
    blob: Oid,
    customer: Option<Cow<'a, str>>,
    channel: Option<Cow<'a, str>>,
    conflicted: bool,
    form: Form,
    payload: std::borrow::Cow<'a, [u8]>,
}

impl Cache {
    /// The cache of the store whose folder in the work tree is `prefix`
    /// (empty for a store that is the whole repository).
    pub fn new(git_dir: &Path, prefix: &str, mode: CacheMode) -> Cache {
        let store = if prefix.is_empty() {
            "store".to_string()
        } else {
            escape(prefix)
        };
        Cache {
            dir: git_dir.join("relate").join("cache").join(store),
            mode,
        }
    }

    fn segment_path(&self, folder: &Path) -> PathBuf {
        self.dir
            .join(format!("{}.seg", escape(&folder.to_string_lossy())))
    }

    fn words_path(&self, folder: &Path) -> PathBuf {
        self.dir
            .join(format!("{}.words", escape(&folder.to_string_lossy())))
    }

    /// The segment bytes of `folder`, if a complete one of this build is there.
    fn read_segment(&self, folder: &Path) -> Option<memmap2::Mmap> {
        self.read_whole(&self.segment_path(folder))
    }

    /// The number of entries the header of `folder`'s segment gives, bounded
    /// by how many entries of the smallest size the file could hold.
    fn segment_count(&self, folder: &Path) -> Option<usize> {
        use std::io::Read;
        if self.mode == CacheMode::Rebuild {
            return None;
        }
        let mut file = std::fs::File::open(self.segment_path(folder)).ok()?;
        let length = file.metadata().ok()?.len();
        let mut header = [0u8; HEADER_MAX];
        let read = file.read(&mut header).ok()?;
        let mut reader = Reader {
            bytes: &header[..read],
        };
        let (_written_ns, count) = reader.header(MAGIC)?;
        usize::try_from(count.min(length / SMALLEST_ENTRY)).ok()
    }

    /// The bytes of a cache file whose checksum holds (not in rebuild mode),
    /// mapped from the page cache: a read of every segment would otherwise
    /// copy 700 MB into fresh memory that the kernel zeroes first.
    fn read_whole(&self, path: &Path) -> Option<memmap2::Mmap> {
        if self.mode == CacheMode::Rebuild {
            return None;
        }
        let file = std::fs::File::open(path).ok()?;
        // SAFETY: a mapping is undefined behaviour only if the file changes
        // while it is mapped. relate never writes a cache file in place: it
        // writes a new file and renames it over the old one, whose inode
        // keeps its content while it is mapped. Editing or truncating a
        // cache file in place while a command reads it is the one thing the
        // cache does not survive (docs/performance.md); removing it is safe.
        let bytes = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?;
        let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        let expected = u64::from_le_bytes(checksum.try_into().ok()?);
        (xxhash_rust::xxh3::xxh3_64(body) == expected).then_some(bytes)
    }

    /// Writes a segment (`MAGIC`) or a folder's search texts (`WORDS_MAGIC`).
    fn write_segment(
        &self,
        path: &Path,
        magic: &[u8; 8],
        written_ns: i64,
        vouched: Option<(u64, u64)>,
        entries: &[NewEntry],
    ) {
        let mut out =
            Vec::with_capacity(64 + entries.iter().map(|e| 96 + e.payload.len()).sum::<usize>());
        out.extend_from_slice(magic);
        put_bytes(&mut out, SCHEMA.as_bytes());
        out.extend_from_slice(&written_ns.to_le_bytes());
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        let (instance, generation) = vouched.unwrap_or((0, 0));
        out.extend_from_slice(&instance.to_le_bytes());
        out.extend_from_slice(&generation.to_le_bytes());
        for entry in entries {
            put_bytes(&mut out, entry.name.as_bytes());
            put_stat(&mut out, &entry.stat);
            out.extend_from_slice(entry.blob.as_bytes());
            put_bytes(
                &mut out,
                entry.customer.as_deref().unwrap_or_default().as_bytes(),
            );
            put_bytes(
                &mut out,
                entry.channel.as_deref().unwrap_or_default().as_bytes(),
            );
            out.push(entry.form.flag(entry.conflicted));
            put_bytes(&mut out, &entry.payload);
        }
        self.seal_and_replace(path, out);
    }

    /// Ends `out` with its checksum and puts it at `path`; best effort: a
    /// cache that cannot be written only makes the next command slower.
    fn seal_and_replace(&self, path: &Path, mut out: Vec<u8>) {
        let checksum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        let _ = self.replace_file(path, &out);
    }

    fn listing_path(&self, folder: &Path) -> PathBuf {
        self.dir
            .join(format!("{}.list", escape(&folder.to_string_lossy())))
    }

    /// The listing of `folder` kept when the monitor gave it `vouched` (its
    /// instance and generation), if that is the listing kept.
    fn read_listing(&self, folder: &Path, vouched: (u64, u64)) -> Option<Listing> {
        let bytes = self.read_whole(&self.listing_path(folder))?;
        let mut reader = Reader {
            bytes: &bytes[..bytes.len() - 8],
        };
        if reader.take(LISTING_MAGIC.len())? != LISTING_MAGIC
            || reader.text()? != SCHEMA
            || (reader.u64()?, reader.u64()?) != vouched
        {
            return None;
        }
        let mut listing = Listing::default();
        for entries in [&mut listing.records, &mut listing.others] {
            let count = usize::try_from(reader.u64()?).ok()?;
            entries.reserve(count.min(reader.bytes.len() / 48));
            for _ in 0..count {
                let name = reader.text()?;
                let stat = reader.stat()?;
                // One allocation for the path: `join` copies the folder, then grows it.
                let mut path = PathBuf::with_capacity(folder.as_os_str().len() + 1 + name.len());
                path.push(folder);
                path.push(name);
                entries.push(super::layout::Entry {
                    path,
                    name: name.to_string(),
                    stat,
                });
            }
        }
        reader.bytes.is_empty().then_some(listing)
    }

    /// Keeps the listing of `folder`, taken after the monitor gave it `vouched`.
    fn write_listing(&self, folder: &Path, vouched: (u64, u64), listing: &Listing) {
        let files = listing.records.len() + listing.others.len();
        let mut out = Vec::with_capacity(64 + 64 * files);
        out.extend_from_slice(LISTING_MAGIC);
        put_bytes(&mut out, SCHEMA.as_bytes());
        out.extend_from_slice(&vouched.0.to_le_bytes());
        out.extend_from_slice(&vouched.1.to_le_bytes());
        for entries in [&listing.records, &listing.others] {
            out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
            for entry in entries {
                put_bytes(&mut out, entry.name.as_bytes());
                put_stat(&mut out, &entry.stat);
            }
        }
        self.seal_and_replace(&self.listing_path(folder), out);
    }

    fn replace_file(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".segment-")
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        tmp.write_all(bytes)?;
        tmp.persist(path)?;
        Ok(())
    }

    /// The blob id of every record file in `listing`, if the segment of its
    /// folder still speaks for each one (as [`Source::load`] decides: by stat
    /// key, or the monitor's vouch; without decoding any record); `None` as
    /// soon as one file is new or changed.
    pub(crate) fn confirmed_blobs(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
    ) -> Option<Vec<Oid>> {
        let bytes = self.read_segment(folder)?;
        let segment = parse_segment(&bytes, MAGIC)?;
        (lookups(root, listing, Some(&segment)).into_iter())
            .map(|(_, hit)| hit.map(|entry| entry.blob))
            .collect()
    }

    fn result_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.result"))
    }

    /// A result derived from the whole store (see `check`), stored under
    /// `name` by [`Cache::write_result`] for the store whose content has
    /// `digest`; `None` if it is missing, corrupt, of another build or of
    /// another content.
    pub(crate) fn read_result(&self, name: &str, digest: u128) -> Option<Vec<u8>> {
        if self.mode == CacheMode::Rebuild {
            return None;
        }
        let bytes = std::fs::read(self.result_path(name)).ok()?;
        let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(checksum.try_into().ok()?) {
            return None;
        }
        let mut reader = Reader { bytes: body };
        if reader.take(MAGIC.len())? != MAGIC
            || reader.text()? != SCHEMA
            || reader.take(16)? != digest.to_le_bytes()
        {
            return None;
        }
        Some(reader.bytes()?.to_vec())
    }

    /// Stores `payload` as the result `name` of the store whose content has `digest`.
    pub(crate) fn write_result(&self, name: &str, digest: u128, payload: &[u8]) {
        let mut out = Vec::with_capacity(64 + payload.len());
        out.extend_from_slice(MAGIC);
        put_bytes(&mut out, SCHEMA.as_bytes());
        out.extend_from_slice(&digest.to_le_bytes());
        put_bytes(&mut out, payload);
        self.seal_and_replace(&self.result_path(name), out);
    }
}

impl Source for Cache {
    fn kept_listing(&self, folder: &Path, vouched: (u64, u64)) -> Option<Listing> {
        self.read_listing(folder, vouched)
    }

    fn keep_listing(&self, folder: &Path, vouched: (u64, u64), listing: &Listing) {
        self.write_listing(folder, vouched, listing);
    }

    /// As many as the folder's segment held when it was written (read from its
    /// header alone, unchecked: only room is made with it), else its entries.
    fn records_about(&self, root: &Path, folder: &Path) -> crate::error::Result<usize> {
        match self.segment_count(folder) {
            Some(count) => Ok(count),
            None => super::layout::count_entries(root, folder),
        }
    }

    /// A warm wide read given slots decodes each record straight into its
    /// slot, so that no folder-sized vector of reads is held beside the
    /// result (on the big store, 60 MB for one month of interactions).
    fn load_or_fill<T: Record, O: Send>(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
        query: &Query,
        fill: Fill<'_, T, O>,
    ) -> Vec<Option<FileRead<T>>> {
        // Taken before any file is looked at: an entry whose times are not
        // safely older than this was possibly changed again since it was read.
        let now_ns = nanos_since_epoch(SystemTime::now());
        let new_written_ns = now_ns.saturating_sub(RACY_MARGIN.as_nanos() as i64);
        // A search looks at the folder's search texts first: when they speak
        // for every file, only the records that may match are decoded.
        let words_bytes = query
            .text
            .and_then(|_| self.read_whole(&self.words_path(folder)));
        let words = words_bytes
            .as_deref()
            .and_then(|b| parse_segment(b, WORDS_MAGIC));
        let words_of: Vec<Option<&Entry>> = match &words {
            Some(w) => lookups(root, listing, Some(w))
                .into_iter()
                .map(|(_, words)| words)
                .collect(),
            None => Vec::new(),
        };
        if let (Some(text), Some(w)) = (query.text, &words)
            && w.entries.len() == listing.records.len()
            && !w.aged_racy(new_written_ns)
            && let Some(all) = words_of.iter().copied().collect::<Option<Vec<&Entry>>>()
        {
            return self.load_candidates(root, folder, listing, query, text, &all);
        }
        let bytes = self.read_segment(folder);
        let segment = bytes.as_deref().and_then(|b| parse_segment(b, MAGIC));
        let entries: &[Entry] = segment.as_ref().map_or(&[], |s| &s.entries);
        let lookups = lookups(root, listing, segment.as_ref());
        let misses = lookups.iter().filter(|(_, hit)| hit.is_none()).count();
        if query.is_selective() && misses > lookups.len() - misses {
            // Mostly uncached: parsing every file to answer a narrow query costs
            // more than the query; the files answer it, and a wider read fills the cache.
            return Files.load(root, folder, listing, query);
        }
        // Written again, too, when the monitor vouches for the folder anew
        // (something happened in it that changed no record): from then on
        // the segment speaks for every file at once again.
        let revouched =
            |vouched: Option<(u64, u64)>| listing.vouched.is_some() && vouched != listing.vouched;
        let changed = segment
            .as_ref()
            .is_none_or(|s| s.aged_racy(new_written_ns) || revouched(s.vouched))
            || misses > 0
            || entries.len() != lookups.len();
        let words_changed = query.text.is_some()
            && words.as_ref().is_none_or(|w| {
                w.aged_racy(new_written_ns)
                    || revouched(w.vouched)
                    || w.entries.len() != lookups.len()
                    || words_of.iter().any(Option::is_none)
            });
        let load = |at: usize| {
            let (file, hit) = lookups[at];
            let words = words_of.get(at).copied().flatten();
            load_one(root, file, hit, words, query)
        };
        if !changed && !words_changed {
            if query.is_selective() || query.text.is_some() {
                // Nothing to write: only what the query gets is kept, so that
                // the files it passes over cost no memory.
                return (0..lookups.len())
                    .into_par_iter()
                    .filter_map(|at| load(at).0)
                    .map(Some)
                    .collect();
            }
            if let Some((slots, keep)) = fill.filter(|(slots, _)| slots.len() == lookups.len()) {
                slots
                    .par_iter_mut()
                    .enumerate()
                    .for_each(|(at, slot)| *slot = load(at).0.and_then(keep));
                return Vec::new();
            }
            // Each read goes straight to its slot: an unindexed collect would
            // join growing chunks, and each copy of a million records is fresh
            // memory the kernel zeroes first.
            return (0..lookups.len())
                .into_par_iter()
                .map(|at| load(at).0)
                .collect();
        }
        // Each file: what the query gets of it, its entry in the new segment,
        // and (for a search) its search texts.
        let results: Vec<Outcome<T>> = (0..lookups.len()).into_par_iter().map(load).collect();
        let mut reads = Vec::with_capacity(results.len());
        let mut new_entries = Vec::with_capacity(results.len());
        let mut new_words = Vec::new();
        for (read, entry, words) in results {
            reads.push(read);
            new_entries.extend(entry);
            new_words.extend(words);
        }
        if changed || new_entries.len() != entries.len() {
            let path = self.segment_path(folder);
            self.write_segment(&path, MAGIC, new_written_ns, listing.vouched, &new_entries);
        }
        if words_changed {
            let path = self.words_path(folder);
            self.write_segment(
                &path,
                WORDS_MAGIC,
                new_written_ns,
                listing.vouched,
                &new_words,
            );
        }
        reads
    }
}

impl Cache {
    /// The id and folded search texts of every valid record file in `listing`
    /// (a file that is not a valid record has none), if the folder's search
    /// texts speak for each file; `None` as soon as one is new, changed or gone.
    pub(crate) fn kept_folded_texts(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
    ) -> Option<Vec<(String, String)>> {
        let bytes = self.read_whole(&self.words_path(folder))?;
        let words = parse_segment(&bytes, WORDS_MAGIC)?;
        if words.entries.len() != listing.records.len() {
            return None;
        }
        let mut texts = Vec::with_capacity(words.entries.len());
        for (_, hit) in lookups(root, listing, Some(&words)) {
            let hit = hit?;
            if hit.form != Form::Problem {
                let (id, folded, _) = decode_folded(hit.payload)?;
                texts.push((id.to_string(), folded.to_string()));
            }
        }
        Some(texts)
    }

    /// A search of a folder whose search texts (`words`, one per file of
    /// `listing`) all still speak for their files: only the records that may
    /// match are decoded, and nothing is written.
    fn load_candidates<T: Record>(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
        query: &Query,
        text: &TextQuery,
        words: &[&Entry],
    ) -> Vec<Option<FileRead<T>>> {
        let candidates: Vec<&super::layout::Entry> = (listing.records.iter().zip(words))
            .filter(|(_, words)| words.selected_by(query) && may_match(text, words))
            .map(|(file, _)| file)
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        let bytes = self.read_segment(folder);
        let segment = bytes.as_deref().and_then(|b| parse_segment(b, MAGIC));
        still_true_all(root, candidates, segment.as_ref())
            .into_par_iter()
            .map(|(file, hit)| {
                let read = hit.and_then(|entry| decode::<T>(entry, &file.path));
                Some(read.unwrap_or_else(|| parse_file(root, file).0))
            })
            .collect()
    }
}

/// Each record file of `listing` with its entry in `segment`, if the segment
/// still speaks for it. A segment written from a listing the monitor vouched
/// for, under the instance and generation `listing` is vouched for too,
/// speaks for every file at once: nothing happened in the folder since (any
/// change, even within one tick of the clock, is an event), so no entry is
/// checked against its file.
fn lookups<'l, 'e, 's>(
    root: &Path,
    listing: &'l Listing,
    segment: Option<&'e Segment<'s>>,
) -> Vec<(&'l super::layout::Entry, Option<&'e Entry<'s>>)> {
    if let Some(segment) = segment
        && listing.vouched.is_some()
        && segment.vouched == listing.vouched
        && segment.entries.len() == listing.records.len()
    {
        let pairs = listing.records.iter().zip(&segment.entries);
        if pairs.clone().all(|(file, entry)| file.name == entry.name) {
            return pairs.map(|(file, entry)| (file, Some(entry))).collect();
        }
    }
    still_true_all(root, &listing.records, segment)
}

/// Each file with its entry in `segment`, if the segment still speaks for it.
fn still_true_all<'l, 'e, 's>(
    root: &Path,
    files: impl IntoIterator<Item = &'l super::layout::Entry>,
    segment: Option<&'e Segment<'s>>,
) -> Vec<(&'l super::layout::Entry, Option<&'e Entry<'s>>)> {
    let entries: &[Entry] = segment.map_or(&[], |s| &s.entries);
    let written_ns = segment.map_or(i64::MIN, |s| s.written_ns);
    matched(files, entries, |e| e.name)
        .into_par_iter()
        .map(|(file, candidate)| (file, still_true(root, file, candidate, written_ns)))
        .collect()
}

/// What one file gives a read: the record for the query, its entry in the
/// new segment, and its search texts.
type Outcome<'e, T> = (
    Option<FileRead<T>>,
    Option<NewEntry<'e>>,
    Option<NewEntry<'e>>,
);

/// One file of a folder: what the query gets of it (nothing when its entry
/// tells it is not selected), its entry in the new segment, and for a search
/// its search texts, kept if they still speak for the file, else folded anew.
fn load_one<'e, T: Record>(
    root: &Path,
    file: &super::layout::Entry,
    hit: Option<&'e Entry<'e>>,
    words: Option<&'e Entry<'e>>,
    query: &Query,
) -> Outcome<'e, T> {
    let Some(entry) = hit else {
        return parse_one(root, file, query);
    };
    if !entry.selected_by(query) {
        return (None, Some(kept(entry)), words.map(kept));
    }
    if let (Some(text), Some(words)) = (query.text, words)
        && !may_match(text, words)
    {
        return (None, Some(kept(entry)), Some(kept(words)));
    }
    match decode::<T>(entry, &file.path) {
        Some(read) => {
            let words = query.text.map(|_| {
                words.map_or_else(
                    || match &read {
                        Ok(loaded) => words_entry(loaded, entry.name, entry.stat),
                        Err(_) => kept(entry),
                    },
                    kept,
                )
            });
            (Some(read), Some(kept(entry)), words)
        }
        // Kept as read from its file (or, never expected, JSON that no longer
        // decodes): the file again, and the same entry made anew.
        None => parse_one(root, file, query),
    }
}

/// A file the cache does not speak for, parsed: what the query gets of it
/// (a problem only if the file passes the query's text test, as when the
/// files are read), its new entry and, for a search, its search texts (a
/// problem's entry serves as both); no entry for a file that cannot be read.
fn parse_one<'e, T: Record>(
    root: &Path,
    file: &super::layout::Entry,
    query: &Query,
) -> Outcome<'e, T> {
    let (read, entry) = parse_file::<T>(root, file);
    let words = query.text.and(entry.as_ref()).map(|entry| match &read {
        Ok(loaded) => words_entry(loaded, &entry.name, entry.stat),
        Err(_) => entry.clone(),
    });
    let selected = read.is_ok()
        || entry
            .as_ref()
            .is_none_or(|entry| problem_selected(query, &entry.payload));
    (selected.then_some(read), entry, words)
}

/// Whether the record whose search texts `words` holds may be a hit; a
/// problem always may, as no search passes over one when it reads the files.
fn may_match(text: &TextQuery, words: &Entry) -> bool {
    words.form == Form::Problem
        || decode_folded(words.payload)
            .is_none_or(|(_, texts, keys)| text.may_match(texts, &keys, words.customer))
}

/// The search texts of a parsed record, as an entry of its folder's `.words`.
fn words_entry<'a, T: Record>(loaded: &Loaded<T>, name: &str, stat: StatKey) -> NewEntry<'a> {
    let folded = Folded::of(&loaded.record.search_doc());
    let mut payload = Vec::with_capacity(folded.texts.len() + 64);
    put_bytes(&mut payload, folded.id.as_bytes());
    put_bytes(&mut payload, folded.texts.as_bytes());
    payload.extend_from_slice(&(folded.keys.len() as u64).to_le_bytes());
    for key in &folded.keys {
        put_bytes(&mut payload, key.as_bytes());
    }
    NewEntry {
        customer: folded.customer.map(Cow::Owned),
        channel: loaded.record.channel().map(|c| Cow::Owned(c.to_string())),
        conflicted: !loaded.record.conflicts().is_empty(),
        payload: Cow::Owned(payload),
        ..bare_entry(name, stat, loaded.blob)
    }
}

/// An entry of a file with nothing selected on and nothing kept.
fn bare_entry<'a>(name: &str, stat: StatKey, blob: Oid) -> NewEntry<'a> {
    NewEntry {
        name: Cow::Owned(name.to_string()),
        stat,
        blob,
        customer: None,
        channel: None,
        conflicted: false,
        form: Form::FromFile,
        payload: Cow::Borrowed(&[]),
    }
}

/// The record's id, folded texts and keys, as [`words_entry`] wrote them.
fn decode_folded(payload: &[u8]) -> Option<(&str, &str, Vec<&str>)> {
    let mut reader = Reader { bytes: payload };
    let id = reader.text()?;
    let texts = reader.text()?;
    let count = usize::try_from(reader.u64()?).ok()?;
    let keys = (0..count.min(reader.bytes.len() / 8))
        .map(|_| reader.text())
        .collect::<Option<Vec<&str>>>()?;
    (keys.len() == count && reader.bytes.is_empty()).then_some((id, texts, keys))
}

/// Each file of the listing with its entry in the segment, if it has one. The
/// folder's listing and its segment are both in id order: one merge.
fn matched<'l, 'e, E>(
    files: impl IntoIterator<Item = &'l super::layout::Entry>,
    entries: &'e [E],
    name: impl Fn(&E) -> &str,
) -> Vec<(&'l super::layout::Entry, Option<&'e E>)> {
    let mut candidates = entries.iter().peekable();
    files
        .into_iter()
        .map(|file| {
            while candidates
                .next_if(|e| entry_id(name(e)) < file.id())
                .is_some()
            {}
            (file, candidates.next_if(|e| name(e) == file.name))
        })
        .collect()
}

/// The entry, if the cache still speaks for the file: its stat key is
/// unchanged and, for an entry too recent to trust by its times (racy), the
/// file's blob id is still the one recorded.
fn still_true<'e, 's>(
    root: &Path,
    file: &super::layout::Entry,
    candidate: Option<&'e Entry<'s>>,
    written_ns: i64,
) -> Option<&'e Entry<'s>> {
    let stat = file.stat;
    candidate.filter(|entry| {
        entry.stat == stat
            && (!stat.is_racy(written_ns)
                || std::fs::read(root.join(&file.path))
                    .is_ok_and(|bytes| blob_id(&bytes) == entry.blob))
    })
}

/// An entry the cache still speaks for, kept in the new segment as it was.
fn kept<'a>(entry: &Entry<'a>) -> NewEntry<'a> {
    NewEntry {
        name: Cow::Borrowed(entry.name),
        stat: entry.stat,
        blob: entry.blob,
        customer: entry.customer.map(Cow::Borrowed),
        channel: entry.channel.map(Cow::Borrowed),
        conflicted: entry.conflicted,
        form: entry.form,
        payload: Cow::Borrowed(entry.payload),
    }
}

/// Reads and parses a file the cache does not speak for: what it holds, and
/// its entry in the new segment (none for a file that cannot be read).
fn parse_file<'e, T: Record>(
    root: &Path,
    file: &super::layout::Entry,
) -> (FileRead<T>, Option<NewEntry<'e>>) {
    let rel = &file.path;
    match std::fs::read(root.join(rel)) {
        Ok(bytes) => {
            let read = parse_bytes(rel, &bytes);
            let entry = encode(&read, &bytes, file_name(rel), file.stat);
            (read, Some(entry))
        }
        Err(e) => (
            Err(crate::Problem::new(rel, None, format!("cannot read: {e}"))),
            None,
        ),
    }
}

/// The line, message and file text a problem entry holds.
fn problem_parts(payload: &[u8]) -> Option<(Option<usize>, &str, &str)> {
    let mut reader = Reader { bytes: payload };
    let line = reader.u64()?;
    let line = (line != u64::MAX)
        .then(|| usize::try_from(line).ok())
        .flatten();
    let (message, text) = (reader.text()?, reader.text()?);
    reader.bytes.is_empty().then_some((line, message, text))
}

/// Whether a read with `query` gets the problem that `payload` holds: when
/// its file's text passes the query's test, as [`Files`] decides.
fn problem_selected(query: &Query, payload: &[u8]) -> bool {
    problem_parts(payload).is_none_or(|(_, _, text)| query.may_select(text))
}

/// What an entry gives of its file: the record or the problem; `None` for
/// one kept as read from its file.
fn decode<T: Record>(entry: &Entry, rel: &Path) -> Option<FileRead<T>> {
    match entry.form {
        Form::Record => {
            let record = record_of_json::<T>(entry.payload)?;
            Some(Ok(Loaded {
                path: rel.to_path_buf(),
                blob: entry.blob,
                record,
            }))
        }
        Form::Problem => {
            let (line, message, _) = problem_parts(entry.payload)?;
            Some(Err(crate::Problem::new(rel, line, message)))
        }
        Form::FromFile => None,
    }
}

/// The record an entry's JSON holds. The bytes are checked as UTF-8 once,
/// as a whole: decoding from bytes would check every string on its own,
/// which took a third of the decoding time of a small record.
fn record_of_json<T: Record>(payload: &[u8]) -> Option<T> {
    serde_json::from_str(std::str::from_utf8(payload).ok()?).ok()
}

/// The entry of a freshly parsed file (`bytes`): its record, if its JSON
/// gives it back exactly (else the entry says to read the file), or its problem.
fn encode<'a, T: Record>(
    read: &FileRead<T>,
    bytes: &[u8],
    name: &str,
    stat: StatKey,
) -> NewEntry<'a> {
    let loaded = match read {
        Ok(loaded) => loaded,
        Err(problem) => {
            let line = problem.line.map_or(u64::MAX, |line| line as u64);
            let mut payload = line.to_le_bytes().to_vec();
            put_bytes(&mut payload, problem.message.as_bytes());
            // As `Files` tests it: the text with any bytes that are not UTF-8 replaced.
            put_bytes(&mut payload, String::from_utf8_lossy(bytes).as_bytes());
            return NewEntry {
                form: Form::Problem,
                payload: Cow::Owned(payload),
                ..bare_entry(name, stat, blob_id(bytes))
            };
        }
    };
    let blob = loaded.blob;
    let facets = NewEntry {
        customer: loaded.record.customer().map(|c| Cow::Owned(c.to_string())),
        channel: loaded.record.channel().map(|c| Cow::Owned(c.to_string())),
        conflicted: !loaded.record.conflicts().is_empty(),
        ..bare_entry(name, stat, blob)
    };
    let payload = serde_json::to_vec(&loaded.record).ok();
    let back = payload.as_deref().and_then(record_of_json::<T>);
    match (payload, back) {
        (Some(payload), Some(back)) if back == loaded.record => NewEntry {
            form: Form::Record,
            payload: Cow::Owned(payload),
            ..facets
        },
        _ => facets,
    }
}

/// The id a cached file name stands for, ordered as listings order files.
fn entry_id(name: &str) -> &str {
    name.strip_suffix(".yaml").unwrap_or(name)
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

fn nanos_since_epoch(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// A folder or store path as one file name: `/` and `%` percent-encoded.
fn escape(path: &str) -> String {
    path.replace('%', "%25").replace('/', "%2F")
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Reads the fields of a segment in the order [`Cache::write_segment`] writes them.
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        Some(head)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u64()?).ok()?;
        self.take(len)
    }

    /// A segment's header: its mark (`magic`) and this build's schema, then
    /// when it was written and how many entries follow.
    fn header(&mut self, magic: &[u8; 8]) -> Option<(i64, u64)> {
        if self.take(magic.len())? != magic || self.text()? != SCHEMA {
            return None;
        }
        Some((self.i64()?, self.u64()?))
    }

    pub(crate) fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    /// A stat key, as [`put_stat`] writes it.
    fn stat(&mut self) -> Option<StatKey> {
        Some(StatKey {
            mtime_ns: self.i64()?,
            ctime_ns: self.i64()?,
            ino: self.u64()?,
            dev: self.u64()?,
            size: self.u64()?,
        })
    }
}

fn put_stat(out: &mut Vec<u8>, stat: &StatKey) {
    for number in [stat.mtime_ns, stat.ctime_ns] {
        out.extend_from_slice(&number.to_le_bytes());
    }
    for number in [stat.ino, stat.dev, stat.size] {
        out.extend_from_slice(&number.to_le_bytes());
    }
}

/// The entries of a segment (or search texts, by `magic`) whose checksum has
/// been verified; `None` for one of another format or schema.
fn parse_segment<'a>(bytes: &'a [u8], magic: &[u8; 8]) -> Option<Segment<'a>> {
    let body = &bytes[..bytes.len().checked_sub(8)?];
    let mut reader = Reader { bytes: body };
    let (written_ns, count) = reader.header(magic)?;
    let count = usize::try_from(count).ok()?;
    // Instance 0 is none: the monitor never makes it.
    let vouched = Some((reader.u64()?, reader.u64()?)).filter(|&(instance, _)| instance != 0);
    let mut entries = recycled(
        ENTRY_ROOM
            .try_with(std::cell::Cell::take)
            .unwrap_or_default(),
    );
    entries.reserve(count.min(body.len() / 64));
    for _ in 0..count {
        let name = reader.text()?;
        let stat = reader.stat()?;
        let blob = Oid::from_bytes(reader.take(20)?).ok()?;
        let customer = reader.text()?;
        let channel = reader.text()?;
        let (form, conflicted) = Form::of_flag(reader.take(1)?[0])?;
        let payload = reader.bytes()?;
        entries.push(Entry {
            name,
            stat,
            blob,
            customer: (!customer.is_empty()).then_some(customer),
            channel: (!channel.is_empty()).then_some(channel),
            conflicted,
            form,
            payload,
        });
    }
    reader.bytes.is_empty().then_some(Segment {
        written_ns,
        vouched,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segments_room_for_entries_serves_the_next_segment_read() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), "", CacheMode::Use);
        let entries: Vec<NewEntry> = (0..100)
            .map(|i| NewEntry {
                name: format!("r{i:03}.yaml").into(),
                ..plain_entry("", 1)
            })
            .collect();
        let folder = Path::new("customers");
        cache.write_segment(&cache.segment_path(folder), MAGIC, 42, None, &entries);
        let bytes = cache.read_segment(folder).expect("a complete segment");
        let first = parse_segment(&bytes, MAGIC).unwrap();
        let room = (first.entries.as_ptr() as usize, first.entries.capacity());
        drop(first);
        let again = parse_segment(&bytes, MAGIC).unwrap();
        assert_eq!(
            (again.entries.as_ptr() as usize, again.entries.capacity()),
            room
        );
        assert_eq!(again.entries.len(), 100);
        assert_eq!(again.entries[99].name, "r099.yaml");
    }

    #[test]
    fn folder_names_escape_without_collisions() {
        assert_eq!(escape("interactions/2026/11"), "interactions%2F2026%2F11");
        assert_ne!(escape("a%2Fb"), escape("a/b"));
    }

    /// A store with an empty folder of November's interactions.
    /// A record entry with an empty record, the stat key 1, 2, 3, 4 and `size`.
    fn plain_entry(name: &'static str, size: u64) -> NewEntry<'static> {
        NewEntry {
            name: name.into(),
            stat: StatKey {
                mtime_ns: 1,
                ctime_ns: 2,
                ino: 3,
                dev: 4,
                size,
            },
            blob: blob_id(b"x"),
            customer: None,
            channel: None,
            conflicted: false,
            form: Form::Record,
            payload: Cow::Borrowed(b"{}"),
        }
    }

    fn november() -> (tempfile::TempDir, &'static Path) {
        let dir = tempfile::tempdir().unwrap();
        let folder = Path::new("interactions/2026/11");
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        (dir, folder)
    }

    #[test]
    fn a_file_that_is_not_a_valid_record_is_cached_as_its_problem() {
        use crate::model::Interaction;
        let (dir, folder) = november();
        let root = dir.path();
        let record = |id: &str, customer: &str| {
            format!(
                "id: {id}\ncustomer: {customer}\nat: 2026-11-02T10:00:00Z\nchannel: email\nsummary: Invoice\n"
            )
        };
        let write =
            |name: &str, text: &str| std::fs::write(root.join(folder).join(name), text).unwrap();
        write("a1.yaml", &record("a1", "acme"));
        write("b2.yaml", "id: b2\ncustomer: globex\nat: [not closed\n");
        write("c3.yaml", &record("c3", "globex"));
        std::fs::write(root.join(folder).join("d4.yaml"), b"id: d4\xff\n").unwrap();
        // Older than the racy margin: the entries are trusted by their stat keys.
        std::thread::sleep(RACY_MARGIN + Duration::from_millis(100));
        let cache = Cache::new(&root.join(".git"), "", CacheMode::Use);
        let text = TextQuery::with_context("invoice", Default::default());
        let read =
            |source: &dyn Fn(&Listing) -> Vec<Option<FileRead<Interaction>>>| -> Vec<String> {
                let listing = super::super::layout::list_folder(root, folder).unwrap();
                (source(&listing).into_iter())
                    .flatten()
                    .map(|read| match read {
                        Ok(loaded) => loaded.record.id.to_string(),
                        Err(problem) => format!("{problem} (line {:?})", problem.line),
                    })
                    .collect()
            };
        let (all, acme, globex) = (
            Query::all(),
            Query::of_customer("acme"),
            Query::of_customer("globex"),
        );
        let email = Query::all().on_channel("email");
        let queries = [&all, &acme, &globex, &email];
        let from_files =
            queries.map(|query| read(&|listing| Files.load(root, folder, listing, query)));
        let from_cache =
            || queries.map(|query| read(&|listing| cache.load(root, folder, listing, query)));
        let problem = from_files[0][1].clone();
        assert!(
            problem.starts_with("interactions/2026/11/b2.yaml:3:"),
            "{problem}"
        );
        let not_utf8 = from_files[0][3].clone();
        assert!(
            not_utf8.starts_with("interactions/2026/11/d4.yaml: not UTF-8")
                && not_utf8.ends_with("(line None)"),
            "{not_utf8}"
        );
        // A query for one customer gets the problem when the file's text
        // could hold a record of that customer, as the files' text test says.
        assert_eq!(from_files[1], ["a1"]);
        assert_eq!(from_files[2], [problem.clone(), "c3".into()]);
        assert_eq!(
            from_files[3],
            ["a1", "c3"],
            "neither file's text names the channel"
        );
        let search = || read(&|listing| cache.load(root, folder, listing, &Query::matching(&text)));
        let found = [
            "a1".to_string(),
            problem.clone(),
            "c3".into(),
            not_utf8.clone(),
        ];
        let modified = |path: PathBuf| std::fs::metadata(path).unwrap().modified().unwrap();
        assert_eq!(from_cache(), from_files, "cold");
        assert_eq!(search(), found);
        let (segment, words) = (
            modified(cache.segment_path(folder)),
            modified(cache.words_path(folder)),
        );
        // Read again, the problem comes from the cache as it came from the
        // file, and neither the segment nor the search texts are written again.
        for _ in 0..2 {
            assert_eq!(from_cache(), from_files, "warm");
            assert_eq!(search(), found);
        }
        assert_eq!(modified(cache.segment_path(folder)), segment);
        assert_eq!(modified(cache.words_path(folder)), words);
        // Mended by hand, the file is a record again.
        write("b2.yaml", &record("b2", "globex"));
        assert_eq!(from_cache()[2], ["b2", "c3"]);
        assert_eq!(search(), ["a1".into(), "b2".into(), "c3".into(), not_utf8]);
    }

    #[test]
    fn a_search_of_an_unchanged_folder_decodes_from_its_search_texts_and_writes_nothing() {
        use crate::model::Interaction;
        let (dir, folder) = november();
        let root = dir.path();
        for (id, summary) in [
            ("a1", "Invoice sent"),
            ("a2", "Demo"),
            ("a3", "Old invoices"),
        ] {
            let text = format!(
                "id: {id}\ncustomer: acme\nat: 2026-11-02T10:00:00Z\nchannel: email\nsummary: {summary}\n"
            );
            std::fs::write(root.join(folder).join(format!("{id}.yaml")), text).unwrap();
        }
        let cache = Cache::new(&root.join(".git"), "", CacheMode::Use);
        let text = TextQuery::with_context("invoice", Default::default());
        let query = Query::matching(&text);
        let search = || {
            let listing = super::super::layout::list_folder(root, folder).unwrap();
            let mut ids: Vec<String> = cache
                .load::<Interaction>(root, folder, &listing, &query)
                .into_iter()
                .flatten()
                .map(|read| read.unwrap().record.id.into())
                .collect();
            ids.sort();
            ids
        };
        // The first search reads every record and keeps both segments.
        assert_eq!(search().len(), 3, "no search texts yet: every record");
        assert!(cache.words_path(folder).exists());
        // The second tests the words on the search texts alone: only the
        // records that may match, and the record segment is not written.
        std::fs::remove_file(cache.segment_path(folder)).unwrap();
        assert_eq!(search(), ["a1", "a3"]);
        assert!(!cache.segment_path(folder).exists(), "nothing written");
    }

    #[test]
    fn segments_round_trip_and_corruption_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), "", CacheMode::Use);
        let stat = StatKey {
            mtime_ns: 1,
            ctime_ns: 2,
            ino: 3,
            dev: 4,
            size: 5,
        };
        let entry = NewEntry {
            name: "acme.yaml".into(),
            stat,
            blob: blob_id(b"x"),
            customer: Some("acme".into()),
            channel: None,
            conflicted: true,
            form: Form::Record,
            payload: Cow::Borrowed(b"{}"),
        };
        let folder = Path::new("customers");
        cache.write_segment(&cache.segment_path(folder), MAGIC, 42, None, &[entry]);
        let bytes = cache.read_segment(folder).expect("a complete segment");
        let segment = parse_segment(&bytes, MAGIC).unwrap();
        assert_eq!(segment.written_ns, 42);
        let read = &segment.entries[0];
        assert_eq!(
            (
                read.name,
                read.stat,
                read.customer,
                read.conflicted,
                read.payload
            ),
            ("acme.yaml", stat, Some("acme"), true, &b"{}"[..])
        );
        let path = cache.segment_path(folder);
        let mut corrupt = std::fs::read(&path).unwrap();
        corrupt[20] ^= 1;
        std::fs::write(&path, &corrupt).unwrap();
        assert!(cache.read_segment(folder).is_none(), "a flipped bit");
        std::fs::write(&path, &corrupt[..corrupt.len() / 2]).unwrap();
        assert!(cache.read_segment(folder).is_none(), "a truncated file");
    }

    #[test]
    fn a_segment_written_under_the_monitors_vouch_speaks_for_its_folder_while_the_vouch_holds() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), "", CacheMode::Use);
        let folder = Path::new("customers");
        let stat = |size| StatKey {
            mtime_ns: 1,
            ctime_ns: 2,
            ino: 3,
            dev: 4,
            size,
        };
        let path = cache.segment_path(folder);
        cache.write_segment(
            &path,
            MAGIC,
            42,
            Some((7, 3)),
            &[plain_entry("acme.yaml", 5)],
        );
        let bytes = cache.read_segment(folder).unwrap();
        let segment = parse_segment(&bytes, MAGIC).unwrap();
        assert_eq!(segment.vouched, Some((7, 3)));
        // A listing whose stat key differs from the entry's: only the vouch
        // can speak for the file (the monitor saw no event since the segment
        // was written from a listing under it).
        let listing = |vouched| Listing {
            records: vec![super::super::layout::Entry {
                path: folder.join("acme.yaml"),
                name: "acme.yaml".into(),
                stat: stat(6),
            }],
            vouched,
            ..Listing::default()
        };
        let hit = |vouched| {
            let listing = listing(vouched);
            lookups(dir.path(), &listing, Some(&segment))[0].1.is_some()
        };
        assert!(hit(Some((7, 3))), "the same instance and generation");
        assert!(!hit(Some((7, 4))), "something happened in the folder since");
        assert!(!hit(Some((8, 3))), "another daemon");
        assert!(!hit(None), "no monitor: the stat key decides");
        cache.write_segment(&path, MAGIC, 42, None, &[]);
        let bytes = cache.read_segment(folder).unwrap();
        assert_eq!(parse_segment(&bytes, MAGIC).unwrap().vouched, None);
    }

    #[test]
    fn a_listing_is_kept_for_one_instance_and_generation_of_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        std::fs::create_dir_all(root.join("customers/old")).unwrap();
        std::fs::write(root.join("customers/acme.yaml"), "id: acme\n").unwrap();
        std::fs::write(root.join("customers/notes.txt"), "a stray\n").unwrap();
        let folder = Path::new("customers");
        let listing = super::super::layout::list_folder(&root, folder).unwrap();
        let cache = Cache::new(&root.join(".git"), "", CacheMode::Use);
        cache.keep_listing(folder, (7, 3), &listing);
        let kept = cache.kept_listing(folder, (7, 3)).expect("kept");
        let facts = |listing: &Listing| -> Vec<Vec<(PathBuf, String, StatKey)>> {
            [&listing.records, &listing.others]
                .map(|entries| {
                    let mut facts: Vec<_> = (entries.iter())
                        .map(|e| (e.path.clone(), e.name.clone(), e.stat))
                        .collect();
                    facts.sort_by(|a, b| a.0.cmp(&b.0));
                    facts
                })
                .to_vec()
        };
        assert_eq!(facts(&kept), facts(&listing));
        assert_eq!(kept.records[0].path, Path::new("customers/acme.yaml"));
        assert_eq!(kept.others.len(), 2, "the stray file and the folder");
        // Another generation, another instance, another folder: not this listing.
        for (other_folder, vouched) in [
            (folder, (7, 4)),
            (folder, (8, 3)),
            (Path::new("deals"), (7, 3)),
        ] {
            assert!(cache.kept_listing(other_folder, vouched).is_none());
        }
        // A damaged listing is no listing; nor is one of `check --full`.
        let path = cache.listing_path(folder);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(cache.kept_listing(folder, (7, 3)).is_none());
        cache.keep_listing(folder, (7, 3), &listing);
        let rebuild = Cache::new(&root.join(".git"), "", CacheMode::Rebuild);
        assert!(rebuild.kept_listing(folder, (7, 3)).is_none());
        assert!(cache.kept_listing(folder, (7, 3)).is_some());
    }

    #[test]
    fn a_segment_header_tells_how_many_records_to_make_room_for() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let cache = Cache::new(&root.join(".git"), "", CacheMode::Use);
        let folder = Path::new("customers");
        std::fs::create_dir_all(root.join(folder)).unwrap();
        for name in ["a.yaml", "b.yaml", "notes.txt"] {
            std::fs::write(root.join(folder).join(name), "x").unwrap();
        }
        let about = || cache.records_about(root, folder).unwrap();
        assert_eq!(about(), 3, "no segment: the folder's entries");
        let entry = |name| plain_entry(name, 5);
        let path = cache.segment_path(folder);
        cache.write_segment(&path, MAGIC, 42, None, &[entry("a.yaml"), entry("b.yaml")]);
        assert_eq!(about(), 2, "the segment's entries");
        // A header claiming more entries than the file could hold is bounded by its size.
        let mut bytes = std::fs::read(&path).unwrap();
        let count_at = 8 + 8 + SCHEMA.len() + 8;
        bytes[count_at..count_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(about(), bytes.len() / SMALLEST_ENTRY as usize);
        std::fs::write(&path, b"relate").unwrap();
        assert_eq!(about(), 3, "a header cut short: the entries again");
        let rebuilding = Cache::new(&root.join(".git"), "", CacheMode::Rebuild);
        cache.write_segment(&path, MAGIC, 42, None, &[entry("a.yaml")]);
        assert_eq!(rebuilding.records_about(root, folder).unwrap(), 3);
    }
}
