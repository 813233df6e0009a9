//! The records of a store held in memory while an import decides what to create
//! and what to update, with the keys that make a re-import find a record again.

use std::collections::{HashMap, HashSet};

use crate::model::values::format_timestamp;
use crate::model::{Customer, Deal, Interaction, Kind, Order, Product, Record};

/// A record type as imports see it: the keys by which a re-import finds it.
pub trait Importable: Record + PartialEq {
    /// Keys besides the id, each prefixed with what it is (`ext:`, `email:`, ...).
    fn keys(&self) -> Vec<String>;

    /// A few words that tell people which record it is (a name, a title, a summary).
    fn label(&self) -> String;
}

/// The key of a source system's id.
pub fn external_key(external_id: &str) -> String {
    format!("ext:{}", external_id.trim())
}

/// The key of an e-mail address (compared without case).
pub fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// The key of the id of a customer merged into this one.
pub fn alias_key(id: &str) -> String {
    format!("alias:{}", id.trim())
}

/// The key of an e-mail's Message-ID.
pub fn message_key(message_id: &str) -> String {
    format!("msg:{}", message_id.trim())
}

fn external(external_id: Option<&str>) -> impl Iterator<Item = String> + '_ {
    external_id.into_iter().map(external_key)
}

impl Importable for Customer {
    fn keys(&self) -> Vec<String> {
        // A merge records the other customer's differing source id as a
        // conflict: until resolved, it still finds the customer kept.
        let merged_external_ids = (self.conflicts.iter())
            .filter(|c| c.field == "external_id")
            .filter_map(|c| c.value.as_ref()?.as_str())
            .map(external_key);
        external(self.external_id.as_deref())
            .chain(merged_external_ids)
            .chain(self.emails.iter().map(|e| email_key(e)))
            .chain(self.aliases.iter().map(|id| alias_key(id)))
            .collect()
    }

    fn label(&self) -> String {
        self.name.clone()
    }
}

impl Importable for Product {
    fn keys(&self) -> Vec<String> {
        external(self.external_id.as_deref()).collect()
    }

    fn label(&self) -> String {
        self.name.clone()
    }
}

/// The natural key of an order without a source id: its customer, time and value.
pub fn order_key(customer: &str, at: &str, value: &str) -> String {
    format!("order:{customer}|{at}|{value}")
}

impl Importable for Order {
    fn keys(&self) -> Vec<String> {
        let natural = order_key(
            &self.customer,
            &format_timestamp(&self.at),
            &self.value().normalize().to_string(),
        );
        external(self.external_id.as_deref())
            .chain(std::iter::once(natural))
            .collect()
    }

    fn label(&self) -> String {
        format!("{} {}", self.customer, self.value().normalize())
    }
}

/// The natural key of an interaction without a source id: customer, time and channel.
pub fn interaction_key(customer: &str, at: &str, channel: &str) -> String {
    format!("contact:{customer}|{at}|{channel}")
}

impl Importable for Interaction {
    fn keys(&self) -> Vec<String> {
        let natural = interaction_key(&self.customer, &format_timestamp(&self.at), &self.channel);
        external(self.external_id.as_deref())
            .chain(self.message_id.iter().map(|m| message_key(m)))
            .chain(std::iter::once(natural))
            .collect()
    }

    fn label(&self) -> String {
        let summary = self.summary.as_deref().unwrap_or(&self.channel);
        format!("{}: {summary}", self.customer)
    }
}

/// The natural key of a deal without a source id: its customer and title.
pub fn deal_key(customer: &str, title: &str) -> String {
    format!("deal:{customer}|{}", title.trim().to_lowercase())
}

impl Importable for Deal {
    fn keys(&self) -> Vec<String> {
        external(self.external_id.as_deref())
            .chain(std::iter::once(deal_key(&self.customer, &self.title)))
            .collect()
    }

    fn label(&self) -> String {
        self.title.clone()
    }
}

/// Whether an import creates a record or changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
        }
    }
}

/// One record an import writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    pub kind: Kind,
    pub id: String,
    pub label: String,
}

/// The records of one kind: those of the store, then those the import adds.
pub struct Staged<T> {
    records: Vec<T>,
    existing: usize,
    by_id: HashMap<String, usize>,
    /// Every record that has a key, in the order of the records: rows
    /// without a source id can match one of several alike records.
    by_key: HashMap<String, Vec<usize>>,
    /// Each changed existing record as it was before the import.
    originals: HashMap<usize, T>,
    touched: Vec<usize>,
    touched_set: HashSet<usize>,
}

impl<T: Importable> Staged<T> {
    pub fn new(records: Vec<T>) -> Self {
        let mut staged = Staged {
            existing: records.len(),
            records: Vec::with_capacity(records.len()),
            by_id: HashMap::new(),
            by_key: HashMap::new(),
            originals: HashMap::new(),
            touched: Vec::new(),
            touched_set: HashSet::new(),
        };
        for record in records {
            let index = staged.records.len();
            staged.index(index, &record);
            staged.records.push(record);
        }
        staged
    }

    fn index(&mut self, index: usize, record: &T) {
        self.by_id.insert(record.id().to_string(), index);
        for key in record.keys() {
            let holders = self.by_key.entry(key).or_default();
            if let Err(at) = holders.binary_search(&index) {
                holders.insert(at, index);
            }
        }
    }

    pub fn get(&self, index: usize) -> &T {
        &self.records[index]
    }

    pub fn find_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The first record with `key` (`relate check` reports keys that should
    /// be unique and are not).
    pub fn find_key(&self, key: &str) -> Option<usize> {
        self.by_key.get(key)?.first().copied()
    }

    /// The first record with `key` that this import has not yet written and
    /// that `may_be` the row's, preferring one the row `leaves_as_is`. Rows
    /// alike but for a source id they do not have (two purchases of one value
    /// on one day) so find one record each: the k-th such row the k-th such
    /// record, and a re-import changes nothing.
    pub fn find_unwritten(
        &self,
        key: &str,
        may_be: impl Fn(&T) -> bool,
        leaves_as_is: impl Fn(&T) -> bool,
    ) -> Option<usize> {
        let mut candidates = self
            .by_key
            .get(key)?
            .iter()
            .copied()
            .filter(|index| !self.touched_set.contains(index))
            .filter(|&index| may_be(&self.records[index]))
            .peekable();
        let first = *candidates.peek()?;
        Some(
            candidates
                .find(|&index| leaves_as_is(&self.records[index]))
                .unwrap_or(first),
        )
    }

    /// Whether the record at `index` is one this import adds.
    pub fn is_new(&self, index: usize) -> bool {
        index >= self.existing
    }

    pub fn has_id(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn all(&self) -> &[T] {
        &self.records
    }

    /// Replaces the record at `index`, or adds it when `index` is `None`.
    /// Returns where it now is.
    pub fn put(&mut self, index: Option<usize>, record: T) -> usize {
        let index = match index {
            Some(index) => {
                let old = &self.records[index];
                for key in old.keys() {
                    if let Some(holders) = self.by_key.get_mut(&key) {
                        holders.retain(|&holder| holder != index);
                    }
                }
                if index < self.existing && !self.originals.contains_key(&index) {
                    self.originals.insert(index, old.clone());
                }
                self.index(index, &record);
                self.records[index] = record;
                index
            }
            None => {
                let index = self.records.len();
                self.index(index, &record);
                self.records.push(record);
                index
            }
        };
        if self.touched_set.insert(index) {
            self.touched.push(index);
        }
        index
    }

    /// What the import changed, in the order it first touched each record,
    /// with each updated record as it was. A record put back exactly as it
    /// was is no change.
    pub fn changes(&self) -> impl Iterator<Item = (Action, &T, Option<&T>)> {
        self.touched.iter().filter_map(|&index| {
            let record = &self.records[index];
            if self.is_new(index) {
                return Some((Action::Create, record, None));
            }
            let original = self.originals.get(&index);
            (original != Some(record)).then_some((Action::Update, record, original))
        })
    }

    pub fn change_list(&self) -> Vec<Change> {
        self.changes()
            .map(|(action, record, _)| Change {
                action,
                kind: T::KIND,
                id: record.id().to_string(),
                label: record.label(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::customer::CustomerKind;

    fn customer(id: &str, email: &str) -> Customer {
        let mut c = Customer::new(id, id.into(), CustomerKind::Person);
        c.emails.push(email.into());
        c
    }

    #[test]
    fn putting_back_an_equal_record_is_no_change() {
        let mut staged = Staged::new(vec![customer("ana", "ana@x.example")]);
        let index = staged.find_key(&email_key("ANA@x.example")).unwrap();
        staged.put(Some(index), staged.get(index).clone());
        assert_eq!(staged.change_list(), []);

        let mut changed = staged.get(index).clone();
        changed.emails = vec!["ana@y.example".into()];
        staged.put(Some(index), changed);
        staged.put(None, customer("bo", "bo@x.example"));
        let changes = staged.change_list();
        assert_eq!(
            changes
                .iter()
                .map(|c| (c.action, c.id.as_str()))
                .collect::<Vec<_>>(),
            [(Action::Update, "ana"), (Action::Create, "bo")]
        );
        // The old address no longer finds her; the new one does.
        assert_eq!(staged.find_key(&email_key("ana@x.example")), None);
        assert_eq!(staged.find_key(&email_key("ana@y.example")), Some(0));
    }

    #[test]
    fn rows_alike_find_one_unwritten_record_each_and_prefer_their_own() {
        let key = email_key("shared@x.example");
        let mut staged = Staged::new(vec![
            customer("ana", "shared@x.example"),
            customer("bo", "shared@x.example"),
        ]);
        let any = |_: &Customer| true;
        let is_bo = |c: &Customer| c.id == "bo";
        assert_eq!(staged.find_unwritten(&key, any, is_bo), Some(1));
        assert_eq!(staged.find_unwritten(&key, any, |_| false), Some(0));
        assert_eq!(staged.find_unwritten(&key, is_bo, |_| false), Some(1));
        staged.put(Some(0), staged.get(0).clone());
        assert_eq!(staged.find_unwritten(&key, any, |_| false), Some(1));
        staged.put(Some(1), staged.get(1).clone());
        assert_eq!(staged.find_unwritten(&key, any, any), None);
        assert_eq!(
            staged.find_key(&key),
            Some(0),
            "a written record keeps its keys"
        );
    }
}
