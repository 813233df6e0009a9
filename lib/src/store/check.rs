//! `relate check`: every problem in every file of the store, as `path:line: message`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Store, line_of_key, read_record_at};
use crate::error::{Problem, Result};
use crate::model::check::cross_problems;
use crate::model::{Dataset, Kind, Record, Settings};

/// Validates every record file of an opened store (opening it validated relate.yaml).
pub fn check(store: &Store) -> Result<Vec<Problem>> {
    let settings = store.settings();
    let mut run = Run {
        store,
        settings,
        problems: Vec::new(),
        paths: HashMap::new(),
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
    for problem in cross_problems(&data) {
        let rel = run.paths[&(problem.kind, problem.id.clone())].clone();
        let line = key_line(store, &rel, problem.field);
        run.problems.push(Problem::new(rel, line, problem.message));
    }
    let mut problems = run.problems;
    problems.extend(stray_files(store)?);
    problems.sort();
    Ok(problems)
}

/// Files in the record folders that no command reads: at the wrong depth, not
/// `.yaml`, symlinks, leftovers of an interrupted write.
fn stray_files(store: &Store) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for kind in Kind::ALL {
        let folder = store.root().join(kind.folder());
        if !folder.is_dir() {
            continue;
        }
        let records: std::collections::HashSet<PathBuf> =
            store.record_files(kind)?.into_iter().collect();
        for entry in walkdir::WalkDir::new(&folder).min_depth(1) {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&folder).to_path_buf();
                crate::error::Error::io(&path, e.into())
            })?;
            let rel = entry
                .path()
                .strip_prefix(store.root())
                .expect("walked below the root");
            let file_type = entry.file_type();
            if file_type.is_dir() || entry.file_name() == ".gitkeep" || records.contains(rel) {
                continue;
            }
            let layout = if kind.is_dated() {
                format!("{}/<yyyy>/<mm>/<id>.yaml", kind.folder())
            } else {
                format!("{}/<id>.yaml", kind.folder())
            };
            let message = if file_type.is_symlink() {
                "a symlink: relate never follows links in the store; replace it with the file"
                    .to_string()
            } else if entry.file_name().to_string_lossy().starts_with(".relate-") {
                "left over from an interrupted write: delete it".to_string()
            } else {
                format!(
                    "not read by relate: {}s are files named {layout}",
                    kind.name()
                )
            };
            problems.push(Problem::new(rel, None, message));
        }
    }
    Ok(problems)
}

struct Run<'a> {
    store: &'a Store,
    settings: &'a Settings,
    problems: Vec<Problem>,
    /// Where each loaded record lives, to point cross-record problems at it.
    paths: HashMap<(Kind, String), PathBuf>,
}

/// One file checked on its own: the record, if it parsed, the problems of the
/// file alone, and the line of its id (for duplicate ids found later).
struct CheckedFile<T> {
    rel: PathBuf,
    record: Option<T>,
    problems: Vec<Problem>,
    id_line: Option<usize>,
}

impl Run<'_> {
    /// Loads every file of one kind, collecting the problems of each on its
    /// own; files are read and checked in parallel.
    fn kind<T: Record>(&mut self) -> Result<Vec<T>> {
        let root = self.store.root();
        let settings = self.settings;
        let checked: Vec<CheckedFile<T>> = self
            .store
            .record_files(T::KIND)?
            .into_par_iter()
            .map(|rel| check_file(root, settings, rel))
            .collect();
        let mut records = Vec::with_capacity(checked.len());
        for file in checked {
            self.problems.extend(file.problems);
            let Some(record) = file.record else { continue };
            let key = (T::KIND, record.id().to_string());
            if let Some(first) = self.paths.get(&key) {
                self.problems.push(Problem::new(
                    &file.rel,
                    file.id_line,
                    format!("id `{}` is also used by {}", record.id(), first.display()),
                ));
                continue;
            }
            self.paths.insert(key, file.rel);
            records.push(record);
        }
        Ok(records)
    }
}

fn check_file<T: Record>(root: &Path, settings: &Settings, rel: PathBuf) -> CheckedFile<T> {
    let (record, text) = match read_record_at::<T>(root, &rel) {
        Ok(read) => read,
        Err(problem) => {
            return CheckedFile {
                rel,
                record: None,
                problems: vec![problem],
                id_line: None,
            };
        }
    };
    let mut problems: Vec<Problem> = record
        .problems(settings)
        .into_iter()
        .map(|problem| Problem::new(&rel, line_of_key(&text, problem.field), problem.message))
        .collect();
    problems.extend(file_name_problems(&record, &rel, &text));
    problems.extend(super::resolve::conflict_problems(
        &record,
        &rel,
        line_of_key(&text, "conflicts"),
    ));
    CheckedFile {
        id_line: line_of_key(&text, "id"),
        rel,
        record: Some(record),
        problems,
    }
}

/// The id must equal the file stem, and a dated record must sit in its month.
fn file_name_problems<T: Record>(record: &T, rel: &Path, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if record.id() != stem {
        problems.push(Problem::new(
            rel,
            line_of_key(text, "id"),
            format!(
                "id `{}` differs from the file name `{stem}.yaml`",
                record.id()
            ),
        ));
    }
    let expected = Store::record_path(record);
    if record.filed_date().is_some() && expected.parent() != rel.parent() {
        problems.push(Problem::new(
            rel,
            line_of_key(text, "at"),
            format!(
                "filed under the wrong month: by its date it belongs in {}/",
                expected
                    .parent()
                    .expect("dated paths have a folder")
                    .display()
            ),
        ));
    }
    problems
}

fn key_line(store: &Store, rel: &Path, field: &str) -> Option<usize> {
    let text = std::fs::read_to_string(store.root().join(rel)).ok()?;
    line_of_key(&text, field)
}
