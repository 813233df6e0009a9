//! Removing records. A record that others refer to stays, unless its
//! dependents go with it (`cascade`); an order is never removed that way, as
//! the sales it records are the company's books.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::model::{Dataset, Kind, Record, id};
use crate::store::{Store, record_path};

/// A record that refers to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub kind: Kind,
    pub id: String,
    /// The field the reference is in (the first, when several name it).
    pub field: &'static str,
    /// The referring record's file, relative to the root.
    pub path: PathBuf,
}

/// The references kept in a list of the referring record, which a cascade
/// takes the removed record out of instead of removing the referrer: a
/// campaign loses one member, a product its successor.
const DETACHED: &[(Kind, &str)] = &[
    (Kind::Campaign, "members"),
    (Kind::Campaign, "excluded"),
    (Kind::Product, "successor"),
];

impl Referrer {
    fn is_detached(&self) -> bool {
        DETACHED.contains(&(self.kind, self.field))
    }
}

/// Who refers to whom in a dataset, from every record's reference fields.
pub(crate) struct ReferenceIndex {
    by_target: HashMap<(Kind, String), Vec<Referrer>>,
}

impl ReferenceIndex {
    pub(crate) fn of(data: &Dataset) -> Self {
        let mut index = ReferenceIndex {
            by_target: HashMap::new(),
        };
        index.add(&data.customers);
        index.add(&data.interactions);
        index.add(&data.deals);
        index.add(&data.products);
        index.add(&data.orders);
        index.add(&data.tickets);
        index.add(&data.assets);
        index.add(&data.campaigns);
        index
    }

    fn add<T: Record>(&mut self, records: &[T]) {
        for record in records {
            for reference in record.references() {
                let referrers = (self.by_target)
                    .entry((reference.kind, reference.id.to_string()))
                    .or_default();
                // An order with two lines of one product refers to it once.
                if referrers.last().is_none_or(|last| last.id != record.id()) {
                    referrers.push(Referrer {
                        kind: T::KIND,
                        id: record.id().to_string(),
                        field: reference.field,
                        path: record_path(record),
                    });
                }
            }
        }
    }

    fn referrers(&self, kind: Kind, id: &str) -> &[Referrer] {
        (self.by_target.get(&(kind, id.to_string()))).map_or(&[], Vec::as_slice)
    }
}

/// Every record of `data` that refers to the record `id` of `kind`.
pub fn references(data: &Dataset, kind: Kind, id: &str) -> Vec<Referrer> {
    ReferenceIndex::of(data).referrers(kind, id).to_vec()
}

/// What `remove` did.
#[derive(Debug)]
pub struct Removed {
    /// The files removed, the record's own first, then its dependents'.
    pub files: Vec<PathBuf>,
    /// The records removed with it, in the order found.
    pub dependents: Vec<Referrer>,
    /// The records rewritten without a reference to it (see [`DETACHED`]).
    pub detached: Vec<Referrer>,
}

/// Removes the record `id` (the full id) of `kind` in one commit. Refused
/// while other records refer to it, unless `cascade`: then the records that
/// depend on it, and theirs in turn, are removed too, and lists that name it
/// are rewritten without it. Orders are never removed by a cascade.
pub fn remove(store: &Store, kind: Kind, id: &str, cascade: bool) -> Result<Removed> {
    if let Some(reason) = id::invalid_reason(id) {
        return Err(Error::usage(reason));
    }
    let own = store
        .find(kind, id)
        .ok_or_else(|| store.not_found(kind, id))?;
    let data = store.dataset()?;
    let index = ReferenceIndex::of(&data);
    let (dependents, detached) = dependents_of(&index, kind, &[id]);
    let orders: Vec<&Referrer> = dependents
        .iter()
        .filter(|r| r.kind == Kind::Order)
        .collect();
    let referred = !(dependents.is_empty() && detached.is_empty());
    if !orders.is_empty() || (referred && !cascade) {
        let listed: Vec<&Referrer> = if orders.is_empty() {
            dependents.iter().chain(&detached).collect()
        } else {
            orders
        };
        return Err(Error::Referenced {
            kind: kind.name(),
            id: id.to_string(),
            referrers: (listed.iter())
                .map(|r| (r.kind.name(), r.id.clone()))
                .collect(),
            orders: listed.iter().any(|r| r.kind == Kind::Order),
        });
    }
    let mut tx = store.begin()?;
    let mut files = vec![own];
    files.extend(dependents.iter().map(|r| r.path.clone()));
    for file in &files {
        tx.remove_file(file)?;
    }
    for campaign in (data.campaigns.iter()).filter(|c| c.names(id)) {
        let mut campaign = campaign.clone();
        campaign.drop_customer(id);
        tx.put(&campaign)?;
    }
    for product in (data.products.iter()).filter(|p| p.successor.as_deref() == Some(id)) {
        let mut product = product.clone();
        product.successor = None;
        tx.put(&product)?;
    }
    tx.commit(&commit_message(kind, id, &files, &detached))?;
    Ok(Removed {
        files,
        dependents,
        detached,
    })
}

/// The records that depend on the records `ids` of `kind` (one record's
/// id and aliases), directly or through one another, and those that only
/// list them (see [`DETACHED`]), each once.
pub(crate) fn dependents_of(
    index: &ReferenceIndex,
    kind: Kind,
    ids: &[&str],
) -> (Vec<Referrer>, Vec<Referrer>) {
    let (mut dependents, mut detached) = (Vec::new(), Vec::new());
    let starts = ids.iter().map(|id| (kind, id.to_string()));
    let mut seen: HashSet<(Kind, String)> = starts.clone().collect();
    let mut queue: VecDeque<(Kind, String)> = starts.collect();
    while let Some((kind, id)) = queue.pop_front() {
        for referrer in index.referrers(kind, &id) {
            if !seen.insert((referrer.kind, referrer.id.clone())) {
                continue;
            }
            if referrer.is_detached() {
                detached.push(referrer.clone());
            } else {
                queue.push_back((referrer.kind, referrer.id.clone()));
                dependents.push(referrer.clone());
            }
        }
    }
    (dependents, detached)
}

/// `<kind> remove: ID (+N dependents)`, with every file removed (and
/// rewritten) in the body.
fn commit_message(kind: Kind, id: &str, files: &[PathBuf], detached: &[Referrer]) -> String {
    let mut message = format!("{kind} remove: {id}");
    if files.len() > 1 {
        message.push_str(&format!(" (+{} dependents)", files.len() - 1));
    }
    message.push_str("\n\nRemoved:\n");
    for file in files {
        message.push_str(&format!("- {}\n", file.display()));
    }
    if !detached.is_empty() {
        message.push_str("\nRewritten without it:\n");
        for referrer in detached {
            message.push_str(&format!("- {}\n", referrer.path.display()));
        }
    }
    message
}
