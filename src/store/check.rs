//! `relate check`: every problem in every file of the store, as `path:line: message`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Store, line_of_key};
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
        settings: settings.clone(),
    };
    for problem in cross_problems(&data) {
        let rel = run.paths[&(problem.kind, problem.id.clone())].clone();
        let line = key_line(store, &rel, problem.field);
        run.problems.push(Problem::new(rel, line, problem.message));
    }
    let mut problems = run.problems;
    problems.sort();
    Ok(problems)
}

struct Run<'a> {
    store: &'a Store,
    settings: &'a Settings,
    problems: Vec<Problem>,
    /// Where each loaded record lives, to point cross-record problems at it.
    paths: HashMap<(Kind, String), PathBuf>,
}

impl Run<'_> {
    /// Loads every file of one kind, collecting the problems of each on its own.
    fn kind<T: Record>(&mut self) -> Result<Vec<T>> {
        let mut records = Vec::new();
        for rel in self.store.record_files(T::KIND)? {
            let (record, text) = match self.store.read_record::<T>(&rel) {
                Ok(read) => read,
                Err(problem) => {
                    self.problems.push(problem);
                    continue;
                }
            };
            for problem in record.problems(self.settings) {
                let line = line_of_key(&text, problem.field);
                self.problems
                    .push(Problem::new(&rel, line, problem.message));
            }
            self.file_name_problems(&record, &rel, &text);
            self.problems.extend(super::resolve::conflict_problems(
                &record,
                &rel,
                line_of_key(&text, "conflicts"),
            ));
            let key = (T::KIND, record.id().to_string());
            if let Some(first) = self.paths.get(&key) {
                self.problems.push(Problem::new(
                    &rel,
                    line_of_key(&text, "id"),
                    format!("id `{}` is also used by {}", record.id(), first.display()),
                ));
                continue;
            }
            self.paths.insert(key, rel);
            records.push(record);
        }
        Ok(records)
    }

    /// The id must equal the file stem, and a dated record must sit in its month.
    fn file_name_problems<T: Record>(&mut self, record: &T, rel: &Path, text: &str) {
        let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if record.id() != stem {
            self.problems.push(Problem::new(
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
            self.problems.push(Problem::new(
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
    }
}

fn key_line(store: &Store, rel: &Path, field: &str) -> Option<usize> {
    let text = std::fs::read_to_string(store.root().join(rel)).ok()?;
    line_of_key(&text, field)
}
