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

/// The key of an e-mail's Message-ID.
pub fn message_key(message_id: &str) -> String {
    format!("msg:{}", message_id.trim())
}

fn external(external_id: &Option<String>) -> impl Iterator<Item = String> + '_ {
    external_id.iter().map(|e| external_key(e))
}

impl Importable for Customer {
    fn keys(&self) -> Vec<String> {
        external(&self.external_id)
            .chain(self.emails.iter().map(|e| email_key(e)))
            .collect()
    }

    fn label(&self) -> String {
        self.name.clone()
    }
}

impl Importable for Product {
    fn keys(&self) -> Vec<String> {
        external(&self.external_id).collect()
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
        external(&self.external_id)
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
        external(&self.external_id)
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
        external(&self.external_id)
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
    by_key: HashMap<String, usize>,
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
            // The first record with a key keeps it: `relate check` reports duplicates.
            self.by_key.entry(key).or_insert(index);
        }
    }

    pub fn get(&self, index: usize) -> &T {
        &self.records[index]
    }

    pub fn find_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn find_key(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
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
                    if self.by_key.get(&key) == Some(&index) {
                        self.by_key.remove(&key);
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
            if index >= self.existing {
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
        let mut c = Customer::new(id.into(), id.into(), CustomerKind::Person);
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
}
