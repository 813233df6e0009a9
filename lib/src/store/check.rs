//! `relate check`: every problem in every file of the store, as `path:line: message`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::Oid;

use super::cache::{Reader, put_bytes};
use super::layout::is_record_name;
use super::read::ContentDigest;
use super::{Query, Store, line_of_key};
use crate::error::{Problem, Result};
use crate::model::check::cross_problems;
use crate::model::{Dataset, Kind, Record};

/// What `check` found: problems make the store invalid (exit 4); warnings
/// are worth a look but refuse nothing.
#[derive(Debug, Default)]
pub struct Checked {
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// The name under which the cache keeps the last check's findings.
const KEPT_AS: &str = "check";

/// Validates every record file of an opened store (opening it validated relate.yaml).
///
/// What `check` finds in the records follows from their files and relate.yaml
/// alone, so it is kept in the cache with the [`ContentDigest`] of what was
/// checked: when the cache confirms every file unchanged by its stat data (as
/// any read does) and the digest is the one kept, the findings are the kept
/// ones, and no record is decoded again. Stray files are looked for every time.
pub fn check(store: &Store) -> Result<Checked> {
    let kept = store
        .confirmed_digest(&Kind::ALL)?
        .and_then(|digest| store.kept_result(KEPT_AS, digest))
        .and_then(|bytes| decode_findings(&bytes));
    let Checked {
        mut problems,
        mut warnings,
    } = match kept {
        Some(findings) => findings,
        None => {
            let (findings, digest) = check_records(store)?;
            if let Some(digest) = digest {
                store.keep_result(KEPT_AS, digest, &encode_findings(&findings));
            }
            findings
        }
    };
    problems.extend(stray_files(store)?);
    // Read every time, like stray files: the kept findings cover records only.
    problems.extend(store.suppression_entries()?.1);
    problems.sort();
    warnings.sort();
    Ok(Checked { problems, warnings })
}

/// The findings in the record files, and the digest of what was checked
/// when every file parsed (a file that did not is read again next time).
fn check_records(store: &Store) -> Result<(Checked, Option<u128>)> {
    let settings = store.settings();
    let mut run = Run {
        store,
        problems: Vec::new(),
        warnings: Vec::new(),
        paths: HashMap::new(),
        unreadable: HashMap::new(),
        digests: HashMap::new(),
    };
    let data = Dataset {
        customers: run.kind()?,
        interactions: run.kind()?,
        deals: run.kind()?,
        products: run.kind()?,
        orders: run.kind()?,
        tickets: run.kind()?,
        assets: run.kind()?,
        campaigns: run.kind()?,
        settings: settings.clone(),
    };
    // A reference to a record whose file does not parse is no problem of its
    // own: the root cause is reported once, with how many records it affects.
    let mut referrers: HashMap<PathBuf, usize> = HashMap::new();
    for problem in cross_problems(&data) {
        if let Some(unreadable) = problem
            .missing
            .as_ref()
            .and_then(|missing| run.unreadable.get(missing))
        {
            *referrers.entry(unreadable.clone()).or_default() += 1;
            continue;
        }
        let rel = run.paths[&(problem.kind, problem.id.clone())].clone();
        let line = key_line(store, &rel, problem.field);
        run.problems.push(Problem::new(rel, line, problem.message));
    }
    for problem in &mut run.problems {
        if let Some(count) = referrers.get(&problem.path)
            && problem.line.is_some()
        {
            let records = if *count == 1 {
                "record refers"
            } else {
                "records refer"
            };
            problem.message = format!("{} ({count} {records} to it)", problem.message);
            referrers.remove(&problem.path.clone());
        }
    }
    let digest = run.unreadable.is_empty().then(|| -> Result<u128> {
        let mut digest = ContentDigest::new(&store.settings_text()?);
        for kind in Kind::ALL {
            for (path, blob) in run.digests.remove(&kind).unwrap_or_default() {
                digest.add(&path, blob);
            }
        }
        Ok(digest.finish())
    });
    let findings = Checked {
        problems: run.problems,
        warnings: run.warnings,
    };
    Ok((findings, digest.transpose()?))
}

fn encode_findings(findings: &Checked) -> Vec<u8> {
    let mut out = Vec::new();
    for list in [&findings.problems, &findings.warnings] {
        out.extend_from_slice(&(list.len() as u64).to_le_bytes());
        for problem in list {
            put_bytes(&mut out, problem.path.as_os_str().as_encoded_bytes());
            let line = problem.line.map_or(0, |line| line as u64 + 1);
            out.extend_from_slice(&line.to_le_bytes());
            put_bytes(&mut out, problem.message.as_bytes());
        }
    }
    out
}

fn decode_findings(bytes: &[u8]) -> Option<Checked> {
    let mut reader = Reader { bytes };
    let mut lists = [Vec::new(), Vec::new()];
    for list in &mut lists {
        for _ in 0..reader.u64()? {
            let path = PathBuf::from(reader.text()?);
            let line = usize::try_from(reader.u64()?).ok()?.checked_sub(1);
            list.push(Problem::new(path, line, reader.text()?));
        }
    }
    let [problems, warnings] = lists;
    reader
        .bytes
        .is_empty()
        .then_some(Checked { problems, warnings })
}

/// Whether a text of `record` holds a control character other than newline
/// and tab: an escape sequence that a mail or a form smuggled in. Read off
/// the record's JSON, where serde_json writes exactly those characters as
/// `\b`, `\f`, `\r` or `\u00XX`; DEL and the C1 controls it leaves as they are.
fn has_control_characters<T: Record>(record: &T) -> bool {
    let Ok(json) = serde_json::to_vec(record) else {
        return false;
    };
    let mut bytes = json.iter().copied().enumerate();
    while let Some((i, byte)) = bytes.next() {
        match byte {
            b'\\' => match bytes.next() {
                Some((_, b'b' | b'f' | b'r')) => return true,
                Some((_, b'u')) if json[i + 2..].starts_with(b"00") => return true,
                _ => {}
            },
            0x7f => return true,
            // U+0080 to U+009F in UTF-8.
            0xc2 if json
                .get(i + 1)
                .is_some_and(|next| (0x80..=0x9f).contains(next)) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Files in the record folders that no command reads: at the wrong depth, not
/// `.yaml`, symlinks, leftovers of an interrupted write.
fn stray_files(store: &Store) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for kind in Kind::ALL {
        let folder = store.root().join(kind.folder());
        if std::fs::symlink_metadata(&folder).is_ok_and(|m| m.file_type().is_symlink()) {
            problems.push(Problem::new(
                kind.folder(),
                None,
                "a symlink: relate never follows links in the store, so no record in it is read; replace it with the folder",
            ));
            continue;
        }
        if !folder.is_dir() {
            continue;
        }
        // A record is a `.yaml` file at the depth its kind's files are read
        // from (see `layout::record_folders`), told by its directory entry's
        // type alone: `check` does not look at each record file twice.
        let record_depth = if kind.is_dated() { 3 } else { 1 };
        if record_depth == 1
            && let Some(others) = store.strays.of(Path::new(kind.folder()))
        {
            // The kind's folder is its one record folder, and a read listed it.
            listed_strays(store, kind, &others, &mut problems)?;
            continue;
        }
        let mut walk = walkdir::WalkDir::new(&folder).min_depth(1).into_iter();
        while let Some(entry) = walk.next() {
            let entry = entry.map_err(|e| walk_error(&folder, e))?;
            let rel = entry
                .path()
                .strip_prefix(store.root())
                .expect("walked below the root");
            let file_type = entry.file_type();
            if file_type.is_dir() {
                // A record folder this command's reads listed: what it holds
                // besides records is known, and listing it again is most of
                // what this walk would cost.
                if entry.depth() == record_depth - 1
                    && let Some(others) = store.strays.of(rel)
                {
                    walk.skip_current_dir();
                    listed_strays(store, kind, &others, &mut problems)?;
                }
                continue;
            }
            let is_record = entry.depth() == record_depth;
            problems.extend(stray_problem(kind, rel, file_type, is_record));
        }
    }
    Ok(problems)
}

/// The problems of what a record folder's listing found besides records:
/// each entry, or for a folder, each file in it (all at the wrong depth).
fn listed_strays(
    store: &Store,
    kind: Kind,
    others: &[PathBuf],
    problems: &mut Vec<Problem>,
) -> Result<()> {
    for rel in others {
        let path = store.root().join(rel);
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            // Gone since it was listed.
            continue;
        };
        if !metadata.is_dir() {
            problems.extend(stray_problem(kind, rel, metadata.file_type(), true));
            continue;
        }
        for entry in walkdir::WalkDir::new(&path).min_depth(1) {
            let entry = entry.map_err(|e| walk_error(&path, e))?;
            if !entry.file_type().is_dir() {
                let rel = entry
                    .path()
                    .strip_prefix(store.root())
                    .expect("walked below the root");
                problems.extend(stray_problem(kind, rel, entry.file_type(), false));
            }
        }
    }
    Ok(())
}

fn walk_error(folder: &Path, e: walkdir::Error) -> crate::error::Error {
    let path = e.path().unwrap_or(folder).to_path_buf();
    crate::error::Error::io(&path, e.into())
}

/// What is wrong with a file that is not a directory, `at_record_depth` or
/// not; `None` for a record or a `.gitkeep`.
fn stray_problem(
    kind: Kind,
    rel: &Path,
    file_type: std::fs::FileType,
    at_record_depth: bool,
) -> Option<Problem> {
    let name = rel.file_name().unwrap_or_default();
    let is_record =
        file_type.is_file() && at_record_depth && name.to_str().is_some_and(is_record_name);
    if name == ".gitkeep" || is_record {
        return None;
    }
    let layout = if kind.is_dated() {
        format!("{}/<yyyy>/<mm>/<id>.yaml", kind.folder())
    } else {
        format!("{}/<id>.yaml", kind.folder())
    };
    let message = if file_type.is_symlink() {
        "a symlink: relate never follows links in the store; replace it with the file".to_string()
    } else if name.to_string_lossy().starts_with(".relate-") {
        "left over from an interrupted write: delete it".to_string()
    } else {
        format!(
            "not read by relate: {}s are files named {layout}",
            kind.name()
        )
    };
    Some(Problem::new(rel, None, message))
}

struct Run<'a> {
    store: &'a Store,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    /// Where each loaded record lives, to point cross-record problems at it.
    paths: HashMap<(Kind, String), PathBuf>,
    /// Record files that do not parse, by the kind and id their name gives.
    unreadable: HashMap<(Kind, String), PathBuf>,
    /// Each file checked and its blob id, by kind, in read order.
    digests: HashMap<Kind, Vec<(PathBuf, Oid)>>,
}

impl Run<'_> {
    /// Reads every file of one kind, collecting the problems of each on its
    /// own (the reader's) and of its recorded conflicts; a second file with
    /// the same id is a problem too.
    fn kind<T: Record>(&mut self) -> Result<Vec<T>> {
        let checked = self.store.read_checked::<T>(Query::all())?;
        let parsed: std::collections::HashSet<&Path> =
            checked.loaded.iter().map(|l| l.path.as_path()).collect();
        for problem in &checked.problems {
            if !parsed.contains(problem.path.as_path())
                && let Some(stem) = problem.path.file_stem().and_then(|s| s.to_str())
            {
                self.unreadable
                    .insert((T::KIND, stem.to_string()), problem.path.clone());
            }
        }
        self.problems.extend(checked.problems);
        self.digests.insert(
            T::KIND,
            checked
                .loaded
                .iter()
                .map(|file| (file.path.clone(), file.blob))
                .collect(),
        );
        let mut records = Vec::with_capacity(checked.loaded.len());
        for file in checked.loaded {
            let record = file.record;
            if has_control_characters(&record) {
                self.warnings.push(Problem::new(
                    &file.path,
                    None,
                    "a text holds a control character (a terminal escape?): \
                     relate prints it spelled out; remove it unless it is meant",
                ));
            }
            if !record.conflicts().is_empty() {
                let line = key_line(self.store, &file.path, "conflicts");
                self.problems
                    .extend(super::resolve::conflict_problems(&record, &file.path, line));
            }
            let key = (T::KIND, record.id().to_string());
            if let Some(first) = self.paths.get(&key) {
                self.problems.push(Problem::new(
                    &file.path,
                    key_line(self.store, &file.path, "id"),
                    format!("id `{}` is also used by {}", record.id(), first.display()),
                ));
                continue;
            }
            self.paths.insert(key, file.path);
            records.push(record);
        }
        Ok(records)
    }
}

fn key_line(store: &Store, rel: &Path, field: &str) -> Option<usize> {
    let text = std::fs::read_to_string(store.root().join(rel)).ok()?;
    line_of_key(&text, field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Product;

    /// A product named `name`, read from YAML as a hand-written file would be
    /// (every character outside printable ASCII written as a `\\uXXXX` escape).
    fn product(name: &str) -> Product {
        let quoted: String = name
            .chars()
            .map(|c| match c {
                ' '..='~' if c != '"' && c != '\\' => c.to_string(),
                _ => format!("\\u{:04x}", u32::from(c)),
            })
            .collect();
        serde_yaml::from_str(&format!("id: x\nname: \"{quoted}\"\nprice: 1\n")).unwrap()
    }

    #[test]
    fn kept_findings_decode_to_what_was_encoded() {
        let findings = Checked {
            problems: vec![
                Problem::new("customers/a.yaml", Some(3), "unknown stage `x`"),
                Problem::new("customers", None, "a symlink"),
            ],
            warnings: vec![Problem::new("deals/d.yaml", Some(1), "é")],
        };
        let bytes = encode_findings(&findings);
        let back = decode_findings(&bytes).expect("decodes");
        assert_eq!(
            (back.problems, back.warnings),
            (findings.problems, findings.warnings)
        );
        assert!(decode_findings(&bytes[..bytes.len() - 1]).is_none());
    }

    #[test]
    fn control_characters_are_found_in_any_text_but_not_newlines_tabs_or_backslashes() {
        for clean in [
            "plain",
            "two\nlines\tand a tab",
            r"a \b backslash \u0041",
            "é ü ñ",
        ] {
            assert!(!has_control_characters(&product(clean)), "{clean:?}");
        }
        for escaped in ["Invoice\x1b]0;x\x07", "\r", "\x08", "\x7f", "\u{9b}[2J"] {
            assert!(has_control_characters(&product(escaped)), "{escaped:?}");
        }
    }
}
