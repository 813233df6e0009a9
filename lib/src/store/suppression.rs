//! The suppression entries `customer forget` leaves, one file per erased
//! person under `suppressed/` (docs/format.md): a file of its own, so that two
//! teammates who each erase someone never touch the same file and their
//! clones merge without a conflict.

use std::path::{Path, PathBuf};

use super::files::{parse_yaml, to_yaml};
use super::layout::{SUPPRESSION_FOLDER, list_folder};
use super::{Store, Transaction, line_of_key};
use crate::error::{Error, Problem, Result};
use crate::model::erasure::{Suppressed, Suppression};

impl Store {
    /// Every suppression entry of the store; a file that is not a valid entry
    /// is an error (`relate check` lists it).
    pub fn suppressed(&self) -> Result<Suppressed> {
        let (entries, problems) = self.suppression_entries()?;
        if !problems.is_empty() {
            return Err(Error::invalid(problems));
        }
        Ok(Suppressed {
            entries,
            region: self.settings.phone_region(),
        })
    }

    /// The valid suppression entries, and the problems of the others.
    pub(crate) fn suppression_entries(&self) -> Result<(Vec<Suppression>, Vec<Problem>)> {
        let folder = Path::new(SUPPRESSION_FOLDER);
        let listing = list_folder(&self.root, folder)?;
        let mut entries = Vec::new();
        let mut problems: Vec<Problem> = (listing.others.iter())
            .filter(|other| other.name != ".gitkeep")
            .map(|other| {
                Problem::new(
                    &other.path,
                    None,
                    "not read by relate: suppression entries are files named suppressed/<pseudonym>.yaml",
                )
            })
            .collect();
        for entry in &listing.records {
            let path = self.root.join(&entry.path);
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            match parse_yaml::<Suppression>(&entry.path, &text) {
                Ok(suppression) => {
                    let found = suppression.problems();
                    if found.is_empty() {
                        entries.push(suppression);
                    }
                    problems.extend(found.into_iter().map(|p| {
                        Problem::new(&entry.path, line_of_key(&text, p.field), p.message)
                    }));
                }
                Err(problem) => problems.push(problem),
            }
        }
        Ok((entries, problems))
    }
}

/// Where the suppression entry of the erased person `pseudonym` lives.
pub fn suppression_path(pseudonym: &str) -> PathBuf {
    Path::new(SUPPRESSION_FOLDER).join(format!("{pseudonym}.yaml"))
}

impl Transaction<'_> {
    /// Writes the suppression entry of the erased person `pseudonym`.
    pub fn put_suppression(&mut self, pseudonym: &str, entry: &Suppression) -> Result<PathBuf> {
        let rel = suppression_path(pseudonym);
        self.put_file(&rel, to_yaml(entry)?.as_bytes())?;
        Ok(rel)
    }
}
