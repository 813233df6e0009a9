//! The use-cases: every write relate makes, as a function from a store and
//! plain values to the records it wrote.
//!
//! Each operation checks its inputs against the store, applies the rules of
//! the business (winning a deal records its order; an outbound contact about a
//! ticket is its first response; a launched campaign freezes its members),
//! writes one [`Transaction`] and commits it, or returns an error having
//! written nothing. Front ends (the CLI, a future local web page) parse their
//! input, call one operation and show what it returns.

pub mod asset;
pub mod campaign;
pub mod consent;
pub mod customer;
pub mod deal;
pub mod edit;
pub mod forget;
pub mod import;
pub mod interaction;
pub mod list;
pub mod merge;
pub mod order;
pub mod owner;
pub mod product;
pub mod remove;
pub mod ticket;

use crate::error::{Error, Result};
use crate::model::{Kind, Record, id};
use crate::store::Store;

/// The id of a new record: the one given (refused when taken), or a slug of
/// `name` made unique in `kind`.
fn new_slug_id(store: &Store, kind: Kind, given: Option<String>, name: &str) -> Result<String> {
    match given {
        Some(id) if store.exists(kind, &id) => Err(Error::Exists {
            kind: kind.name(),
            id,
        }),
        Some(id) => Ok(id),
        None => {
            let base = id::slugify(name).ok_or_else(|| {
                Error::usage(format!("cannot make an id from the name `{name}`"))
                    .with_hint("give one with --id")
            })?;
            Ok(id::unique_slug(&base, |candidate| {
                store.exists(kind, candidate)
            }))
        }
    }
}

/// Loads the record `id` that an option names, refusing one of another customer.
pub fn of_customer<T: Record>(store: &Store, id: &str, customer: &str) -> Result<T> {
    let record: T = store.get(id)?;
    match record.customer() {
        Some(owner) if owner != customer => Err(Error::usage(format!(
            "{} `{id}` belongs to `{owner}`, not `{customer}`",
            T::KIND
        ))),
        _ => Ok(record),
    }
}
