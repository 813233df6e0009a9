//! Merging record files: the text around [`crate::model::merge`], for git's
//! merge driver and for `relate undo`.

use serde_yaml::Value;
use std::path::{Path, PathBuf};

use super::files::{self, write_atomic};
use super::git::{Git, Stamp};
use super::{SETTINGS_FILE, read_settings};
use crate::error::{Error, Result};
use crate::model::merge::{Conflict, OnConflict, Side, merge};
use crate::model::values::Timestamp;
use crate::model::{Kind, Settings};

/// One side's text of a record file, and who made it and when, if known.
pub struct Version<'a> {
    pub text: &'a str,
    pub by: Option<String>,
    pub at: Option<Timestamp>,
}

/// Merges two versions of a record file descending from `base` (`None`: both
/// sides created it). The result is written in relate's canonical form when it
/// is a valid record of `kind`, else as plain YAML: never with conflict markers.
pub fn merge_texts(
    kind: Option<Kind>,
    base: Option<&str>,
    ours: &Version,
    theirs: &Version,
    on_conflict: OnConflict,
) -> Result<(String, Vec<Conflict>)> {
    let parse = |which: &str, text: &str| -> Result<Value> {
        serde_yaml::from_str(text)
            .map_err(|e| Error::failed(format!("{which} version does not parse as YAML: {e}")))
    };
    let base = base
        .filter(|text| !text.trim().is_empty())
        .map(|text| parse("the common", text))
        .transpose()?;
    let (ours_value, theirs_value) = (parse("our", ours.text)?, parse("their", theirs.text)?);
    let side = |version: &Version, record| Side {
        record,
        by: version.by.clone(),
        at: version.at,
    };
    let (merged, conflicts) = merge(
        base.as_ref(),
        &side(ours, &ours_value),
        &side(theirs, &theirs_value),
        on_conflict,
    )
    .map_err(|e| Error::failed(e.to_string()))?;
    let canonical = kind.and_then(|kind| {
        crate::with_record_type!(kind, T => serde_yaml::from_value::<T>(merged.clone())
            .ok()
            .and_then(|record| files::to_yaml(&record).ok()))
    });
    let text = match canonical {
        Some(text) => text,
        None => serde_yaml::to_string(&merged).map_err(|e| Error::failed(e.to_string()))?,
    };
    Ok((text, conflicts))
}

/// What git's merge driver does: merges the files `base`, `ours` and `theirs`
/// of the record at `path` (relative to the work tree) into `ours`. Who made
/// each side and when comes from the repository's history.
pub fn run_driver(base: &Path, ours: &Path, theirs: &Path, path: &Path) -> Result<Vec<Conflict>> {
    let read = |file: &Path| std::fs::read_to_string(file).map_err(|e| Error::io(file, e));
    let (base_text, ours_text, theirs_text) = (read(base)?, read(ours)?, read(theirs)?);
    let git = Git::from_env()?;
    let stamps = git.introductions(path, &[ours_text.as_bytes(), theirs_text.as_bytes()])?;
    let settings = settings_above(git.workdir(), path);
    let version = |text, stamp: &Option<Stamp>| Version {
        text,
        by: stamp.as_ref().map(|s| match &settings {
            Some(settings) => settings.actor(&s.author.name, &s.author.email),
            None => s.author.name.clone(),
        }),
        at: stamp.as_ref().map(|s| s.at),
    };
    let (text, conflicts) = merge_texts(
        Kind::of_path(path),
        Some(&base_text),
        &version(&ours_text, &stamps[0]),
        &version(&theirs_text, &stamps[1]),
        OnConflict::Record,
    )?;
    write_atomic(ours, text.as_bytes())?;
    Ok(conflicts)
}

/// The settings of the store holding `path` (relative to `workdir`), if readable.
fn settings_above(workdir: &Path, path: &Path) -> Option<Settings> {
    let file = workdir.join(path);
    let root: PathBuf = file
        .ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(workdir))
        .find(|dir| dir.join(SETTINGS_FILE).is_file())?
        .to_path_buf();
    read_settings(&root).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> Version<'_> {
        Version {
            text,
            by: None,
            at: None,
        }
    }

    #[test]
    fn merged_records_come_out_in_canonical_key_order() {
        let base = "id: acme\nname: Acme\nkind: organization\n";
        let ours = "id: acme\nname: Acme\nkind: organization\ntags:\n- vip\n";
        let theirs = "region: EU\nid: acme\nname: Acme\nkind: organization\n";
        let (text, conflicts) = merge_texts(
            Some(Kind::Customer),
            Some(base),
            &version(ours),
            &version(theirs),
            OnConflict::Record,
        )
        .unwrap();
        assert_eq!(
            text,
            "id: acme\nname: Acme\nkind: organization\ntags:\n- vip\nregion: EU\n"
        );
        assert!(conflicts.is_empty());
    }

    #[test]
    fn an_invalid_merge_result_is_still_written_without_markers() {
        let (text, _) = merge_texts(
            Some(Kind::Customer),
            None,
            &version("id: a\nemial: x\n"),
            &version("id: a\nname: A\n"),
            OnConflict::Record,
        )
        .unwrap();
        assert_eq!(text, "id: a\nemial: x\nname: A\n");
    }

    #[test]
    fn broken_yaml_is_refused() {
        let error = merge_texts(
            None,
            None,
            &version("id: [a\n"),
            &version("id: a\n"),
            OnConflict::Record,
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with("our version does not parse"),
            "{error}"
        );
    }
}
