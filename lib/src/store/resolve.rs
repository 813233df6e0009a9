//! Recorded merge conflicts: listing them and settling one.

use serde::Serialize;
use serde_yaml::Value;
use std::path::Path;

use super::{Query, Store, parse_yaml, record_path};
use crate::error::{Error, Problem, Result};
use crate::model::merge::{Conflict, field_value, set_field};
use crate::model::{Kind, Record};

/// A conflict recorded in a record, with the field's current value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedConflict {
    pub kind: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
    #[serde(flatten)]
    pub conflict: Conflict,
}

/// Every conflict recorded in the store, kind by kind.
pub fn recorded_conflicts(store: &Store) -> Result<Vec<RecordedConflict>> {
    let mut all = Vec::new();
    for kind in Kind::ALL {
        crate::with_record_type!(kind, T => {
            for file in store.read_checked::<T>(Query::conflicted())?.loaded {
                all.extend(conflicts_of(&file.record));
            }
        });
    }
    Ok(all)
}

fn conflicts_of<T: Record>(record: &T) -> Vec<RecordedConflict> {
    let value = serde_yaml::to_value(record).unwrap_or_default();
    record
        .conflicts()
        .iter()
        .map(|conflict| RecordedConflict {
            kind: T::KIND.name().to_string(),
            id: record.id().to_string(),
            current: field_value(&value, &conflict.field).cloned(),
            conflict: conflict.clone(),
        })
        .collect()
}

/// Which value settles a conflict.
#[derive(Debug, Clone, PartialEq)]
pub enum Take {
    /// Keep the current value.
    Ours,
    /// Take the recorded other value.
    Theirs,
    /// Set this value (`None` unsets the field).
    Value(Option<Value>),
}

impl Take {
    /// `ours`, `theirs`, or a YAML value (`null` or empty unsets the field).
    pub fn parse(text: &str) -> Take {
        match text {
            "ours" => Take::Ours,
            "theirs" => Take::Theirs,
            "" => Take::Value(None),
            _ => Take::Value(
                match serde_yaml::from_str::<Value>(text).unwrap_or_else(|_| text.into()) {
                    Value::Null => None,
                    value => Some(value),
                },
            ),
        }
    }
}

/// Settles the conflicts recorded on `field` of the record at `rel`: sets the
/// field as `take` says, drops those conflicts, validates and commits. Returns
/// the value the field now has.
pub fn resolve(
    store: &Store,
    kind: Kind,
    rel: &Path,
    field: &str,
    take: &Take,
) -> Result<Option<Value>> {
    // Read under the lock, so no other writer slips in between.
    let mut tx = store.begin()?;
    let path = store.root.join(rel);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    crate::with_record_type!(kind, T => {
        let record: T = parse_yaml(rel, &text).map_err(|p| Error::invalid(vec![p]))?;
        let (matching, rest): (Vec<Conflict>, Vec<Conflict>) = record
            .conflicts()
            .iter()
            .cloned()
            .partition(|c| c.field == field);
        if matching.is_empty() {
            return Err(Error::NoConflict {
                kind: kind.name(),
                id: record.id().to_string(),
                field: field.to_string(),
                fields: rest.into_iter().map(|c| c.field).collect(),
            });
        }
        let mut value = serde_yaml::to_value(&record).map_err(|e| Error::failed(e.to_string()))?;
        let current = field_value(&value, field).cloned();
        let chosen = match take {
            Take::Ours => current,
            Take::Theirs => the_other_value(field, &matching)?,
            Take::Value(value) => value.clone(),
        };
        let mapping = value.as_mapping_mut().expect("records serialize as mappings");
        set_field(mapping, field, chosen.clone());
        let rest = serde_yaml::to_value(&rest).map_err(|e| Error::failed(e.to_string()))?;
        set_field(mapping, "conflicts", Some(rest).filter(|r| r.as_sequence().is_some_and(|s| !s.is_empty())));
        let resolved: T = serde_yaml::from_value(value).map_err(|e| {
            Error::usage(format!("`{field}` cannot take that value: {e}"))
        })?;
        if record_path(&resolved) != rel {
            // A new date moves a dated record to its month's folder.
            tx.remove_file(rel)?;
        }
        tx.put(&resolved)?;
        tx.commit(&format!("resolve: {} {field}", resolved.id()))?;
        Ok(chosen)
    })
}

/// The one value recorded against `field`; several need the user to choose.
fn the_other_value(field: &str, matching: &[Conflict]) -> Result<Option<Value>> {
    let mut values: Vec<&Option<Value>> = Vec::new();
    for conflict in matching {
        if !values.contains(&&conflict.value) {
            values.push(&conflict.value);
        }
    }
    match values.as_slice() {
        [one] => Ok((*one).clone()),
        several => {
            let listed: Vec<String> = several
                .iter()
                .map(|v| {
                    v.as_ref()
                        .map_or("(none)".into(), crate::model::merge::plain)
                })
                .collect();
            Err(Error::usage(format!(
                "several other values are recorded for `{field}`: {}",
                listed.join(", ")
            ))
            .with_hint("choose one with --take VALUE"))
        }
    }
}

/// Problems for `relate check`: one per conflict recorded in `record`.
pub fn conflict_problems<T: Record>(record: &T, rel: &Path, line: Option<usize>) -> Vec<Problem> {
    record
        .conflicts()
        .iter()
        .map(|conflict| {
            Problem::new(
                rel,
                line,
                format!(
                    "unresolved conflict on `{}`: the current value won over {}; settle it with `relate resolve {} {}`",
                    conflict.field,
                    conflict.describe(),
                    record.id(),
                    conflict.field
                ),
            )
        })
        .collect()
}
