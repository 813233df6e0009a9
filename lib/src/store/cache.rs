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
//! whether it has conflicts).
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
use std::fs::Metadata;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::files::blob_id;
use super::layout::Listing;
use super::read::{Facets, FileRead, Files, Loaded, Query, Source, parse_bytes};
use crate::model::Record;

/// Files changed this recently before a segment was written are checked by
/// content until the segment is written again: far more than the tick of any
/// file-system clock (a few milliseconds), and than the time between listing
/// a folder and writing its segment.
const RACY_MARGIN: Duration = Duration::from_secs(2);

const MAGIC: &[u8; 8] = b"relate\0c";

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

/// The facts of a file that the cache trusts: if none changed, neither did
/// its content (see the module documentation for the racy case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StatKey {
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
    dev: u64,
    size: u64,
}

impl StatKey {
    #[cfg(unix)]
    fn of(metadata: &Metadata) -> StatKey {
        use std::os::unix::fs::MetadataExt;
        StatKey {
            mtime_ns: metadata.mtime() * 1_000_000_000 + metadata.mtime_nsec(),
            ctime_ns: metadata.ctime() * 1_000_000_000 + metadata.ctime_nsec(),
            ino: metadata.ino(),
            dev: metadata.dev(),
            size: metadata.size(),
        }
    }

    #[cfg(not(unix))]
    fn of(metadata: &Metadata) -> StatKey {
        let nanos = |t: std::io::Result<SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i64)
        };
        StatKey {
            mtime_ns: nanos(metadata.modified()),
            ctime_ns: nanos(metadata.created()),
            ino: 0,
            dev: 0,
            size: metadata.len(),
        }
    }

    /// Whether the file may have changed again within the clock tick of its
    /// last change, after the segment recorded it.
    fn is_racy(&self, written_ns: i64) -> bool {
        self.mtime_ns >= written_ns || self.ctime_ns >= written_ns
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
    /// The record as JSON.
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
}

/// A segment as read from disk.
struct Segment<'a> {
    /// Nanoseconds since the epoch, less [`RACY_MARGIN`], when it was written.
    written_ns: i64,
    entries: Vec<Entry<'a>>,
}

/// An entry to write: borrowed from the old segment, or newly encoded.
struct NewEntry<'a> {
    name: Cow<'a, str>,
    stat: StatKey,
    blob: Oid,
    customer: Option<Cow<'a, str>>,
    channel: Option<Cow<'a, str>>,
    conflicted: bool,
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

    /// The segment bytes of `folder`, if a complete one of this build is there.
    fn read_segment(&self, folder: &Path) -> Option<Vec<u8>> {
        if self.mode == CacheMode::Rebuild {
            return None;
        }
        let bytes = std::fs::read(self.segment_path(folder)).ok()?;
        let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        let expected = u64::from_le_bytes(checksum.try_into().ok()?);
        (xxhash_rust::xxh3::xxh3_64(body) == expected).then_some(bytes)
    }

    fn write_segment(&self, folder: &Path, written_ns: i64, entries: &[NewEntry]) {
        let mut out =
            Vec::with_capacity(64 + entries.iter().map(|e| 96 + e.payload.len()).sum::<usize>());
        out.extend_from_slice(MAGIC);
        put_bytes(&mut out, SCHEMA.as_bytes());
        out.extend_from_slice(&written_ns.to_le_bytes());
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for entry in entries {
            put_bytes(&mut out, entry.name.as_bytes());
            for number in [entry.stat.mtime_ns, entry.stat.ctime_ns] {
                out.extend_from_slice(&number.to_le_bytes());
            }
            for number in [entry.stat.ino, entry.stat.dev, entry.stat.size] {
                out.extend_from_slice(&number.to_le_bytes());
            }
            out.extend_from_slice(entry.blob.as_bytes());
            put_bytes(
                &mut out,
                entry.customer.as_deref().unwrap_or_default().as_bytes(),
            );
            put_bytes(
                &mut out,
                entry.channel.as_deref().unwrap_or_default().as_bytes(),
            );
            out.push(u8::from(entry.conflicted));
            put_bytes(&mut out, &entry.payload);
        }
        let checksum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        // Best effort: a cache that cannot be written only makes the next command slower.
        let _ = self.replace_segment(folder, &out);
    }

    fn replace_segment(&self, folder: &Path, bytes: &[u8]) -> std::io::Result<()> {
        self.replace_file(&self.segment_path(folder), bytes)
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
    /// folder still speaks for each one (as [`Source::load`] decides, without
    /// decoding any record); `None` as soon as one file is new or changed.
    pub(crate) fn confirmed_blobs(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
    ) -> Option<Vec<Oid>> {
        let bytes = self.read_segment(folder)?;
        let segment = parse_segment(&bytes)?;
        matched(listing, &segment.entries)
            .into_par_iter()
            .map(|(file, candidate)| {
                still_true(root, file, candidate, segment.written_ns).map(|entry| entry.blob)
            })
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
        let checksum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        // Best effort, as for segments.
        let _ = self.replace_file(&self.result_path(name), &out);
    }
}

impl Source for Cache {
    fn load<T: Record>(
        &self,
        root: &Path,
        folder: &Path,
        listing: &Listing,
        query: &Query,
    ) -> Vec<FileRead<T>> {
        let bytes = self.read_segment(folder);
        let segment = bytes.as_deref().and_then(parse_segment);
        let entries: &[Entry] = segment.as_ref().map_or(&[], |s| &s.entries);
        let written_ns = segment.as_ref().map_or(i64::MIN, |s| s.written_ns);
        let lookups: Vec<(&super::layout::Entry, Option<&Entry>)> = matched(listing, entries)
            .into_par_iter()
            .map(|(file, candidate)| (file, still_true(root, file, candidate, written_ns)))
            .collect();
        let misses = lookups.iter().filter(|(_, hit)| hit.is_none()).count();
        if query.is_selective() && misses > lookups.len() - misses {
            // Mostly uncached: parsing every file to answer a narrow query costs
            // more than the query; the files answer it, and a wider read fills the cache.
            return Files.load(root, folder, listing, query);
        }
        let now_ns = nanos_since_epoch(SystemTime::now());
        let new_written_ns = now_ns.saturating_sub(RACY_MARGIN.as_nanos() as i64);
        // Each file: what the query gets of it, and its entry in the new segment.
        let results: Vec<(Option<FileRead<T>>, Option<NewEntry>)> = lookups
            .par_iter()
            .map(|(file, hit)| match hit {
                Some(entry) if !query.selects(entry.facets()) => (None, Some(kept(entry))),
                Some(entry) => match decode::<T>(entry, &file.path) {
                    Some(read) => (Some(Ok(read)), Some(kept(entry))),
                    None => (Some(reparse(root, &file.path)), None),
                },
                None => {
                    let read = reparse::<T>(root, &file.path);
                    let entry = read.as_ref().ok().and_then(|loaded| {
                        encode(loaded, file_name(&file.path), StatKey::of(&file.metadata))
                    });
                    (Some(read), entry)
                }
            })
            .collect();
        let aged_racy = segment.as_ref().is_some_and(|s| {
            s.entries
                .iter()
                .any(|e| e.stat.is_racy(s.written_ns) && !e.stat.is_racy(new_written_ns))
        });
        let mut reads = Vec::with_capacity(results.len());
        let mut new_entries = Vec::with_capacity(results.len());
        for (read, entry) in results {
            reads.extend(read);
            new_entries.extend(entry);
        }
        let changed =
            segment.is_none() || new_entries.len() != entries.len() || misses > 0 || aged_racy;
        if changed {
            self.write_segment(folder, new_written_ns, &new_entries);
        }
        reads
    }
}

/// Each file of the listing with its entry in the segment, if it has one. The
/// folder's listing and its segment are both in id order: one merge.
fn matched<'l, 'e, 's>(
    listing: &'l Listing,
    entries: &'e [Entry<'s>],
) -> Vec<(&'l super::layout::Entry, Option<&'e Entry<'s>>)> {
    let mut candidates = entries.iter().peekable();
    listing
        .records
        .iter()
        .map(|file| {
            while candidates
                .next_if(|e| entry_id(e.name) < file.id())
                .is_some()
            {}
            (file, candidates.next_if(|e| e.name == file.name))
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
    let stat = StatKey::of(&file.metadata);
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
        payload: Cow::Borrowed(entry.payload),
    }
}

/// Reads and parses a file the cache does not speak for.
fn reparse<T: Record>(root: &Path, rel: &Path) -> FileRead<T> {
    match std::fs::read(root.join(rel)) {
        Ok(bytes) => parse_bytes(rel, &bytes),
        Err(e) => Err(crate::Problem::new(rel, None, format!("cannot read: {e}"))),
    }
}

fn decode<T: Record>(entry: &Entry, rel: &Path) -> Option<Loaded<T>> {
    let record = serde_json::from_slice::<T>(entry.payload).ok()?;
    Some(Loaded {
        path: rel.to_path_buf(),
        blob: entry.blob,
        record,
    })
}

/// A cache entry for a freshly parsed record, if its JSON gives it back exactly.
fn encode<'a, T: Record>(loaded: &Loaded<T>, name: &str, stat: StatKey) -> Option<NewEntry<'a>> {
    let payload = serde_json::to_vec(&loaded.record).ok()?;
    let back: T = serde_json::from_slice(&payload).ok()?;
    (back == loaded.record).then(|| NewEntry {
        name: Cow::Owned(name.to_string()),
        stat,
        blob: loaded.blob,
        customer: loaded.record.customer().map(|c| Cow::Owned(c.to_string())),
        channel: loaded.record.channel().map(|c| Cow::Owned(c.to_string())),
        conflicted: !loaded.record.conflicts().is_empty(),
        payload: Cow::Owned(payload),
    })
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

    pub(crate) fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
}

/// The entries of a segment whose checksum has been verified; `None` for one
/// of another format or schema.
fn parse_segment(bytes: &[u8]) -> Option<Segment<'_>> {
    let body = &bytes[..bytes.len().checked_sub(8)?];
    let mut reader = Reader { bytes: body };
    if reader.take(MAGIC.len())? != MAGIC || reader.text()? != SCHEMA {
        return None;
    }
    let written_ns = reader.i64()?;
    let count = usize::try_from(reader.u64()?).ok()?;
    let mut entries = Vec::with_capacity(count.min(body.len() / 64));
    for _ in 0..count {
        let name = reader.text()?;
        let mtime_ns = reader.i64()?;
        let ctime_ns = reader.i64()?;
        let stat = StatKey {
            mtime_ns,
            ctime_ns,
            ino: reader.u64()?,
            dev: reader.u64()?,
            size: reader.u64()?,
        };
        let blob = Oid::from_bytes(reader.take(20)?).ok()?;
        let customer = reader.text()?;
        let channel = reader.text()?;
        let conflicted = reader.take(1)?[0] != 0;
        let payload = reader.bytes()?;
        entries.push(Entry {
            name,
            stat,
            blob,
            customer: (!customer.is_empty()).then_some(customer),
            channel: (!channel.is_empty()).then_some(channel),
            conflicted,
            payload,
        });
    }
    reader.bytes.is_empty().then_some(Segment {
        written_ns,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_escape_without_collisions() {
        assert_eq!(escape("interactions/2026/11"), "interactions%2F2026%2F11");
        assert_ne!(escape("a%2Fb"), escape("a/b"));
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
            payload: Cow::Borrowed(b"{}"),
        };
        let folder = Path::new("customers");
        cache.write_segment(folder, 42, &[entry]);
        let bytes = cache.read_segment(folder).expect("a complete segment");
        let segment = parse_segment(&bytes).unwrap();
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
}
