//! `relate history`: who changed which field of one record, and when, read
//! from the git history.

use git2::Sort;
use serde::Serialize;
use serde_yaml::{Mapping, Value};
use std::path::Path;

use super::Store;
use super::git::Stamp;
use crate::error::{Error, Result};
use crate::model::values::{Timestamp, timestamp};

/// One field's change in one commit; an absent side means the field was absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// One commit that changed the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub commit: String,
    #[serde(with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    pub message: String,
    pub changes: Vec<FieldChange>,
}

/// The commits that changed the record file `rel` (relative to the store root),
/// newest first, each with the fields it changed. A merge counts only for the
/// fields it gave a value neither parent had (a merged list, say).
pub fn history(store: &Store, rel: &Path) -> Result<Vec<Revision>> {
    let git = store.git.as_ref().ok_or_else(|| {
        Error::failed("the store is not in a git repository, so it has no history")
    })?;
    let Some(head) = git.head()? else {
        return Ok(Vec::new());
    };
    let repo = git.repo();
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    walk.push(head)?;
    let mut revisions = Vec::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        let version = git.blob_in(&commit.tree()?, rel)?;
        let mut parents = Vec::new();
        for parent in commit.parents() {
            parents.push(git.blob_in(&parent.tree()?, rel)?);
        }
        let unchanged = if parents.is_empty() {
            version.is_none()
        } else {
            parents.contains(&version)
        };
        if unchanged {
            continue;
        }
        let before: Vec<Vec<(String, Value)>> = if parents.is_empty() {
            vec![Vec::new()]
        } else {
            parents.iter().map(|p| fields(p.as_deref())).collect()
        };
        let changes = field_changes(&before, &fields(version.as_deref()));
        if changes.is_empty() {
            continue;
        }
        let stamp = Stamp::of(&commit);
        revisions.push(Revision {
            commit: commit.id().to_string(),
            at: stamp.at,
            by: store
                .settings
                .actor(&stamp.author.name, &stamp.author.email),
            message: commit.summary().unwrap_or_default().to_string(),
            changes,
        });
    }
    Ok(revisions)
}

/// A record's fields in file order, maps flattened to `fields.NAME`; a file
/// that is absent or not a YAML mapping has none.
fn fields(bytes: Option<&[u8]>) -> Vec<(String, Value)> {
    let mapping = bytes
        .and_then(|bytes| serde_yaml::from_slice::<Value>(bytes).ok())
        .and_then(|value| match value {
            Value::Mapping(mapping) => Some(mapping),
            _ => None,
        })
        .unwrap_or_default();
    flatten("", mapping)
}

fn flatten(prefix: &str, mapping: Mapping) -> Vec<(String, Value)> {
    let mut fields = Vec::new();
    for (key, value) in mapping {
        let name = format!("{prefix}{}", crate::model::merge::plain(&key));
        match value {
            Value::Mapping(inner) => fields.extend(flatten(&format!("{name}."), inner)),
            value => fields.push((name, value)),
        }
    }
    fields
}

/// The fields of `after` whose value differs from every version in `before`,
/// compared with the first of them, then the fields it lost.
fn field_changes(before: &[Vec<(String, Value)>], after: &[(String, Value)]) -> Vec<FieldChange> {
    let get = |fields: &[(String, Value)], name: &str| -> Option<Value> {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let first = &before[0];
    let names = after.iter().map(|(name, _)| name).chain(
        first
            .iter()
            .map(|(name, _)| name)
            .filter(|n| get(after, n).is_none()),
    );
    let mut changes = Vec::new();
    for name in names {
        let new = get(after, name);
        if before.iter().all(|version| get(version, name) != new) {
            changes.push(FieldChange {
                field: name.clone(),
                old: get(first, name),
                new,
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<(String, Value)> {
        fields(Some(text.as_bytes()))
    }

    #[test]
    fn changed_added_and_removed_fields() {
        let before = parsed("id: a\nowner: ana\nregion: EU\nfields: {size: 1}\n");
        let after = parsed("id: a\nowner: bo\nfields: {size: 1, vat: x}\ntags: [t]\n");
        let changes = field_changes(&[before], &after);
        let names: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["owner", "fields.vat", "tags", "region"]);
        assert_eq!(changes[0].old, Some("ana".into()));
        assert_eq!(changes[0].new, Some("bo".into()));
        assert_eq!(changes[1].old, None);
        assert_eq!(changes[3].new, None);
    }

    #[test]
    fn a_merge_counts_only_for_values_no_parent_had() {
        let ours = parsed("owner: bo\ntags: [a]\n");
        let theirs = parsed("owner: ana\ntags: [b]\n");
        let merged = parsed("owner: bo\ntags: [a, b]\n");
        let changes = field_changes(&[ours, theirs], &merged);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "tags");
    }
}
