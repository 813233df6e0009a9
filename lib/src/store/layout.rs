//! Where records live: one folder per kind, dated kinds under
//! `<yyyy>/<mm>/`, one `<id>.yaml` file per record. Listing a folder is the
//! one directory walk every reader shares.

use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::model::{Kind, Record};

pub const SETTINGS_FILE: &str = "relate.yaml";

/// The folder of the suppression entries `customer forget` leaves, one file
/// per erased person.
pub const SUPPRESSION_FOLDER: &str = "suppressed";

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
    pub(crate) fn holds_folder(&self, month_dir: &Path) -> bool {
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

/// Where a record lives, relative to the root. Dated records go under the UTC
/// year and month of their date.
pub fn record_path<T: Record>(record: &T) -> PathBuf {
    let file = format!("{}.yaml", record.id());
    match record.filed_date() {
        Some(date) => month_folder(T::KIND, date).join(file),
        None => Path::new(T::KIND.folder()).join(file),
    }
}

/// The folder of the dated records of `kind` filed on `date`: `<folder>/<yyyy>/<mm>`.
pub fn month_folder(kind: Kind, date: NaiveDate) -> PathBuf {
    use chrono::Datelike;
    PathBuf::from(format!(
        "{}/{:04}/{:02}",
        kind.folder(),
        date.year(),
        date.month()
    ))
}

/// Whether `folder` is [`month_folder`] of `kind` and `date`, compared as
/// text without building that path: every record read from the cache is
/// checked against its folder, and the path cost more than the check.
pub fn is_month_folder(kind: Kind, date: NaiveDate, folder: &Path) -> bool {
    use chrono::Datelike;
    let (year, month) = (date.year(), date.month());
    if !(0..=9999).contains(&year) {
        return folder.as_os_str() == month_folder(kind, date).as_os_str();
    }
    let digits = |text: &[u8]| -> Option<u32> {
        text.iter().try_fold(0, |number: u32, &digit| {
            digit
                .is_ascii_digit()
                .then(|| number * 10 + u32::from(digit - b'0'))
        })
    };
    let Some(rest) = (folder.as_os_str().as_encoded_bytes()).strip_prefix(kind.folder().as_bytes())
    else {
        return false;
    };
    // "/yyyy/mm", as month_folder writes it.
    rest.len() == 8
        && rest[0] == b'/'
        && rest[5] == b'/'
        && digits(&rest[1..5]) == u32::try_from(year).ok()
        && digits(&rest[6..8]) == Some(month)
}

/// A store path's folder and the stem of its file name: what `Path::parent`
/// and `Path::file_stem` give for a path the store built (no `.` or `..`
/// parts, no trailing separator), split as text without parsing every
/// component. A path that is not UTF-8 is split by `Path`.
pub fn folder_and_stem(rel: &Path) -> (&Path, &str) {
    let Some(text) = rel.to_str() else {
        let folder = rel.parent().unwrap_or(Path::new(""));
        return (
            folder,
            rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default(),
        );
    };
    let (folder, name) = text
        .rfind(std::path::is_separator)
        .map_or(("", text), |at| (&text[..at], &text[at + 1..]));
    // As `file_stem`: up to the last dot, unless the name starts with it.
    let stem = match name.rfind('.') {
        None | Some(0) => name,
        Some(dot) => &name[..dot],
    };
    (Path::new(folder), stem)
}

/// The path a record of `kind` with `id` has when its id names its month
/// (time-ordered ids start with `yyyymm`), or always for undated kinds.
pub fn direct_path(kind: Kind, id: &str) -> Option<PathBuf> {
    let file = format!("{id}.yaml");
    let folder = Path::new(kind.folder());
    if !kind.is_dated() {
        return Some(folder.join(file));
    }
    let digits = id.as_bytes().get(..6)?;
    digits
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| folder.join(&id[..4]).join(&id[4..6]).join(file))
}

/// Whether `name` is the name of a record file (`<id>.yaml`, not hidden).
pub fn is_record_name(name: &str) -> bool {
    name.ends_with(".yaml") && !name.starts_with('.')
}

/// The folders holding the records of `kind` filed in `months`, relative to the
/// root, sorted: the kind's folder, or each of its month folders. Month folders
/// outside the span are not even listed: at a million interactions, reading
/// files is what takes the time.
pub fn record_folders(root: &Path, kind: Kind, months: Months) -> Result<Vec<PathBuf>> {
    let folder = PathBuf::from(kind.folder());
    // A record folder that is a symlink could lead out of the store: it is not
    // read (`check` reports it), as symlinked files and month folders are not.
    if !std::fs::symlink_metadata(root.join(&folder)).is_ok_and(|m| m.is_dir()) {
        return Ok(Vec::new());
    }
    if !kind.is_dated() {
        return Ok(vec![folder]);
    }
    let mut folders = Vec::new();
    for year in subfolders(root, &folder)? {
        for month in subfolders(root, &year)? {
            if months.holds_folder(&month) {
                folders.push(month);
            }
        }
    }
    folders.sort();
    Ok(folders)
}

/// The folders directly inside `rel` (symlinks are not followed).
fn subfolders(root: &Path, rel: &Path) -> Result<Vec<PathBuf>> {
    let abs = root.join(rel);
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&abs).map_err(|e| Error::io(&abs, e))? {
        let entry = entry.map_err(|e| Error::io(&abs, e))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.push(rel.join(entry.file_name()));
        }
    }
    Ok(found)
}

/// One entry of a record folder.
pub struct Entry {
    /// Relative to the root.
    pub path: PathBuf,
    /// The file name.
    pub name: String,
    /// Its own stat data (of the link, for a symlink).
    pub stat: StatKey,
}

/// The facts of a file that the cache trusts: if none changed, neither did
/// its content (see the module documentation for the racy case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatKey {
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
    pub dev: u64,
    pub size: u64,
}

/// Nanoseconds since the epoch, saturated: a file may carry any time (`touch
/// -d 2300-01-01`), and the change time, which no program can set, still
/// tells its edits apart.
#[cfg(unix)]
fn nanos(seconds: i64, nanoseconds: i64) -> i64 {
    seconds
        .saturating_mul(1_000_000_000)
        .saturating_add(nanoseconds)
}

impl StatKey {
    #[cfg(unix)]
    pub fn of(metadata: &Metadata) -> StatKey {
        use std::os::unix::fs::MetadataExt;
        StatKey {
            mtime_ns: nanos(metadata.mtime(), metadata.mtime_nsec()),
            ctime_ns: nanos(metadata.ctime(), metadata.ctime_nsec()),
            ino: metadata.ino(),
            dev: metadata.dev(),
            size: metadata.size(),
        }
    }

    #[cfg(not(unix))]
    pub fn of(metadata: &Metadata) -> StatKey {
        let nanos = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        };
        StatKey {
            mtime_ns: nanos(metadata.modified()),
            ctime_ns: nanos(metadata.created()),
            ino: 0,
            dev: 0,
            size: metadata.len(),
        }
    }
}

impl Entry {
    /// The record's id: the file name without `.yaml`.
    pub fn id(&self) -> &str {
        self.name.strip_suffix(".yaml").unwrap_or(&self.name)
    }
}

/// What a record folder holds: the record files, and everything else in it
/// (which no command reads; `check` reports it).
#[derive(Default)]
pub struct Listing {
    pub records: Vec<Entry>,
    pub others: Vec<Entry>,
    /// Whether a file in it has another hard link, through which it could be
    /// written without any event in this folder (so no monitor vouches for it).
    pub linked: bool,
    /// The monitor's instance and generation of the folder this listing shows,
    /// if the monitor vouched for it (set by the read that asked it).
    pub vouched: Option<(u64, u64)>,
}

/// How many entries a folder holds, by name only (0 if it is not there):
/// an upper bound of its records that costs no look at any file.
pub fn count_entries(root: &Path, folder: &Path) -> Result<usize> {
    let abs = root.join(folder);
    match std::fs::read_dir(&abs) {
        Ok(entries) => Ok(entries.count()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(Error::io(&abs, e)),
    }
}

/// Lists a record folder, with each entry's metadata (one `fstatat` each, no
/// path walk). A symlink is never a record: it could lead out of the store.
pub fn list_folder(root: &Path, folder: &Path) -> Result<Listing> {
    let abs = root.join(folder);
    let mut listing = Listing::default();
    let entries = match std::fs::read_dir(&abs) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(listing),
        Err(e) => return Err(Error::io(&abs, e)),
    };
    let entries = entries
        .collect::<std::io::Result<Vec<std::fs::DirEntry>>>()
        .map_err(|e| Error::io(&abs, e))?;
    // Looking at each file is most of what a warm read costs, and one folder
    // can hold most of the files read (100,000 customers): on every core.
    let looked: Vec<Result<Option<(bool, bool, Entry)>>> = entries
        .par_iter()
        .map(|entry| {
            let name = entry.file_name();
            let path = folder.join(&name);
            match entry.metadata() {
                Ok(metadata) => Ok(Some((
                    metadata.is_file() && name.to_str().is_some_and(is_record_name),
                    metadata.is_file() && has_other_links(&metadata),
                    Entry {
                        path,
                        name: name.to_string_lossy().into_owned(),
                        stat: StatKey::of(&metadata),
                    },
                ))),
                // Removed between the listing and the look: it is not there.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::io(&root.join(&path), e)),
            }
        })
        .collect();
    for entry in looked {
        let Some((is_record, linked, entry)) = entry? else {
            continue;
        };
        listing.linked |= linked;
        if is_record {
            listing.records.push(entry);
        } else {
            listing.others.push(entry);
        }
    }
    // By id (`acme-corp` before `acme-corp-2`, which by file name would sort
    // the other way round). Folders come in their own order, so the records of
    // a kind are listed by folder, then id, with no sort across folders.
    listing.records.sort_by(|a, b| a.id().cmp(b.id()));
    Ok(listing)
}

#[cfg(unix)]
fn has_other_links(metadata: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    metadata.nlink() > 1
}

#[cfg(not(unix))]
fn has_other_links(_: &Metadata) -> bool {
    false
}

/// What listing each record folder found besides its records, by folder:
/// `check` reports those stray files from here instead of reading each
/// folder a second time (its whole cost on a big store is listing folders).
#[derive(Default)]
pub struct Strays(Mutex<HashMap<PathBuf, Vec<PathBuf>>>);

impl Strays {
    /// [`list_folder`], noting the folder's other entries.
    pub fn list(&self, root: &Path, folder: &Path) -> Result<Listing> {
        let listing = list_folder(root, folder)?;
        self.note(folder, &listing);
        Ok(listing)
    }

    /// Notes the other entries of `listing`, the listing of `folder`.
    pub fn note(&self, folder: &Path, listing: &Listing) {
        let others = listing.others.iter().map(|e| e.path.clone()).collect();
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(folder.to_path_buf(), others);
    }

    /// The entries besides records of `folder` (relative to the root), if it was listed.
    pub fn of(&self, folder: &Path) -> Option<Vec<PathBuf>> {
        let listed = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        listed.get(folder).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_folder_with_a_hard_linked_file_is_marked_linked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("customers")).unwrap();
        std::fs::write(dir.path().join("customers/acme.yaml"), "id: acme\n").unwrap();
        let folder = Path::new("customers");
        assert!(!list_folder(dir.path(), folder).unwrap().linked);
        std::fs::hard_link(
            dir.path().join("customers/acme.yaml"),
            dir.path().join("elsewhere"),
        )
        .unwrap();
        assert!(list_folder(dir.path(), folder).unwrap().linked);
    }

    #[test]
    fn a_month_folder_is_recognised_as_the_path_it_names() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (kind, date) in [
            (Kind::Interaction, day(2026, 11, 30)),
            (Kind::Order, day(2026, 1, 1)),
            (Kind::Ticket, day(999, 12, 31)),
            (Kind::Interaction, day(12345, 6, 1)),
        ] {
            assert!(is_month_folder(kind, date, &month_folder(kind, date)));
        }
        let folder = |text| Path::new(text);
        let date = day(2026, 11, 30);
        for other in [
            "interactions/2026/10",
            "interactions/2025/11",
            "orders/2026/11",
            "interactions/2026/11/x",
            "interactions/2026-11",
            "interactions/+026/11",
            "interactionsx2026/11",
            "",
        ] {
            assert!(
                !is_month_folder(Kind::Interaction, date, folder(other)),
                "{other}"
            );
        }
    }

    #[test]
    fn a_path_splits_into_its_folder_and_stem_as_path_does() {
        for text in [
            "customers/acme.yaml",
            "interactions/2026/11/20261130t101500-abc.yaml",
            "acme.yaml",
            "customers/.yaml",
            "customers/a.b.yaml",
            "customers/noext",
        ] {
            let path = Path::new(text);
            let expected = (
                path.parent().unwrap(),
                path.file_stem().unwrap().to_str().unwrap(),
            );
            assert_eq!(folder_and_stem(path), expected, "{text}");
        }
    }

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

    #[test]
    fn direct_paths() {
        assert_eq!(
            direct_path(Kind::Interaction, "20261122t101500-7k3fq"),
            Some(PathBuf::from(
                "interactions/2026/11/20261122t101500-7k3fq.yaml"
            ))
        );
        assert_eq!(direct_path(Kind::Order, "inv-1"), None);
        assert_eq!(
            direct_path(Kind::Customer, "acme"),
            Some(PathBuf::from("customers/acme.yaml"))
        );
    }
}
