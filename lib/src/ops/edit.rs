//! Changing any record: field by field (`relate KIND set`) or as a whole
//! after an edit of its file (`relate edit`), the same way for every kind.

use crate::error::{Error, Result};
use crate::model::assign::{Assign, Assignment};
use crate::model::{Kind, Record};
use crate::store::{Store, record_path};

/// Changes fields of the record `id` (`FIELD=VALUE`, `+=`, `-=`). An invalid
/// record is what `set` repairs, so it is read as it is; what is written is
/// checked as a whole, as `check` checks a record alone.
pub fn set<T: Assign>(store: &Store, id: &str, assignments: &[Assignment]) -> Result<T> {
    let original: T = store.get_for_repair(id)?;
    if let Some(frozen) = original.frozen() {
        return Err(frozen);
    }
    let mut record = original.clone();
    for assignment in assignments {
        if assignment.field == "id" {
            return Err(
                Error::usage(format!("the id of {} `{id}` cannot be changed", T::KIND)).with_hint(
                    "it is the name of the record's file and what other records refer to",
                ),
            );
        }
        if let Some(commands) = T::kept_by(&assignment.field) {
            return Err(Error::KeptBy {
                kind: T::KIND.name(),
                id: id.to_string(),
                field: assignment.field.clone(),
                commands,
            });
        }
        record.assign(assignment).map_err(Error::usage)?;
    }
    let fields: Vec<&str> = assignments.iter().map(|a| a.field.as_str()).collect();
    let message = format!("{} set: {id} {}", T::KIND, fields.join(", "));
    write(store, &original, &record, &message)?;
    Ok(record)
}

/// Writes a record edited as a whole (its id unchanged). Returns false,
/// writing nothing, when it equals the stored one.
pub fn replace<T: Record>(store: &Store, original: &T, edited: &T) -> Result<bool> {
    if edited == original {
        return Ok(false);
    }
    if let Some(field) = edited.append_only_change(original) {
        return Err(Error::AppendOnly {
            kind: T::KIND.name(),
            id: edited.id().to_string(),
            field,
        });
    }
    let message = format!("{} edit: {}", T::KIND, edited.id());
    write(store, original, edited, &message)?;
    Ok(true)
}

/// Writes `changed` in place of `original` in one commit. A reference it
/// gained must name a record that exists, and a deal, ticket or asset it
/// names must be of its customer (as `log` and `order add` require); a dated
/// record whose date changed moves to the folder of its new month.
fn write<T: Record>(store: &Store, original: &T, changed: &T, message: &str) -> Result<()> {
    let before = original.references();
    let moved = original.customer() != changed.customer();
    for reference in changed.references() {
        let gained = !before.contains(&reference);
        if gained {
            store.require(reference.kind, reference.id)?;
        }
        let belongs = matches!(reference.kind, Kind::Deal | Kind::Ticket | Kind::Asset);
        if let (true, true, Some(customer)) = (belongs, gained || moved, changed.customer()) {
            crate::with_record_type!(reference.kind, R => {
                super::of_customer::<R>(store, reference.id, customer)?;
            });
        }
    }
    let mut tx = store.begin()?;
    if record_path(original) != record_path(changed) {
        tx.remove(original)?;
    }
    tx.put(changed)?;
    tx.commit(message)
}
