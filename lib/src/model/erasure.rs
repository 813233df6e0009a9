//! Erasure (`relate customer forget`): the pseudonym an erased customer's
//! orders keep, and the suppression entries that stop an import from bringing
//! the person back. Pure: hashing, no I/O.
//!
//! A suppression entry holds a random salt and the SHA-256 of the salt
//! followed by each of the person's e-mail addresses and phone numbers, as
//! [`duplicates`] normalises them: an address can be recognised when it comes
//! again, but the list read alone gives no address back, and the salt keeps a
//! list of every address of a domain from being hashed once and compared.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::duplicates::{normalize_email, normalize_phone};
use super::{Customer, FieldProblem};

/// How the subject of a `customer forget` commit starts: undo refuses to
/// take one back, which would bring back the erased person.
pub const FORGET_SUBJECT: &str = "customer forget: ";

/// What the customer of an erased person's orders starts with.
pub const PSEUDONYM_PREFIX: &str = "erased-";

/// The label of an erased person's sales in reports grouped by a customer field.
pub const ERASED_LABEL: &str = "(erased)";

/// Whether `customer` is the pseudonym of an erased person, which no file holds.
pub fn is_pseudonym(customer: &str) -> bool {
    customer.starts_with(PSEUDONYM_PREFIX)
}

/// The group an order without a customer file counts in: `(erased)` for an
/// erased person's orders, none otherwise.
pub fn erased_group(customer: &str) -> Option<String> {
    is_pseudonym(customer).then(|| ERASED_LABEL.to_string())
}

/// A fresh pseudonym, `erased-` and eight hexadecimal digits: random, so
/// nothing of the person (not even their id) can be read back from it.
pub fn pseudonym(rng: &mut fastrand::Rng) -> String {
    format!("{PSEUDONYM_PREFIX}{:08x}", rng.u32(..))
}

/// One erased person's suppression entry (a file `suppressed/<pseudonym>.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// 32 hexadecimal digits, random, drawn for this entry.
    pub salt: String,
    /// The hashes of the person's addresses and numbers, sorted.
    pub hashes: Vec<String>,
    /// When `forget --rewrite-history` removed the person from every commit:
    /// from then on `relate sync` refuses a history that still holds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_rewritten: Option<NaiveDate>,
    /// The oldest commits that rewrite replaced (40 hexadecimal digits each,
    /// sorted): a clone whose history holds one still has the person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub old_history: Vec<String>,
}

impl Suppression {
    /// The entry of `customer` with `salt`; phone numbers without a country
    /// code are read in `region`.
    pub fn of(
        customer: &Customer,
        salt: String,
        region: Option<phonenumber::country::Id>,
    ) -> Suppression {
        Suppression::of_addresses(
            customer.emails.iter().map(String::as_str),
            customer.phones.iter().map(String::as_str),
            salt,
            region,
        )
    }

    /// The entry of a person with these `emails` and `phones`.
    pub fn of_addresses<'a>(
        emails: impl Iterator<Item = &'a str>,
        phones: impl Iterator<Item = &'a str>,
        salt: String,
        region: Option<phonenumber::country::Id>,
    ) -> Suppression {
        let mut entry = Suppression {
            salt,
            hashes: Vec::new(),
            history_rewritten: None,
            old_history: Vec::new(),
        };
        let keys = (emails.map(email_key)).chain(phones.filter_map(|p| phone_key(p, region)));
        entry.hashes = keys.map(|key| entry.hash(&key)).collect();
        entry.hashes.sort();
        entry.hashes.dedup();
        entry
    }

    /// A fresh random salt.
    pub fn new_salt(rng: &mut fastrand::Rng) -> String {
        format!("{:016x}{:016x}", rng.u64(..), rng.u64(..))
    }

    fn hash(&self, key: &str) -> String {
        let digest = Sha256::new()
            .chain_update(self.salt.as_bytes())
            .chain_update(key.as_bytes())
            .finalize();
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Whether the hash of the normalised `key` is in the entry.
    fn holds(&self, key: &str) -> bool {
        self.hashes.binary_search(&self.hash(key)).is_ok()
    }

    /// What is wrong with the entry read from its file.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let hex = |text: &str, len: usize| {
            text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        let mut problems = Vec::new();
        if !hex(&self.salt, 32) {
            problems.push(FieldProblem::new(
                "salt",
                "`salt` must be 32 lowercase hexadecimal digits",
            ));
        }
        if let Some(bad) = self.hashes.iter().find(|h| !hex(h, 64)) {
            problems.push(FieldProblem::new(
                "hashes",
                format!("`{bad}` is not a SHA-256 hash (64 lowercase hexadecimal digits)"),
            ));
        }
        if let Some(bad) = self.old_history.iter().find(|c| !hex(c, 40)) {
            problems.push(FieldProblem::new(
                "old_history",
                format!("`{bad}` is not a commit id (40 lowercase hexadecimal digits)"),
            ));
        }
        if !self.hashes.is_sorted() {
            problems.push(FieldProblem::new(
                "hashes",
                "`hashes` must be sorted: they are looked up by binary search",
            ));
        }
        problems
    }
}

/// An e-mail address as its hash is taken: the mailbox it reaches.
fn email_key(email: &str) -> String {
    normalize_email(email)
}

/// A phone number as its hash is taken: in E.164, when it has enough digits.
fn phone_key(phone: &str, region: Option<phonenumber::country::Id>) -> Option<String> {
    normalize_phone(phone, region)
}

/// Every suppression entry of a store.
#[derive(Debug, Clone, Default)]
pub struct Suppressed {
    pub entries: Vec<Suppression>,
    pub region: Option<phonenumber::country::Id>,
}

impl Suppressed {
    /// The entries of the people whose history was rewritten.
    pub fn rewritten(&self) -> Suppressed {
        Suppressed {
            entries: (self.entries.iter())
                .filter(|e| e.history_rewritten.is_some())
                .cloned()
                .collect(),
            region: self.region,
        }
    }

    /// Whether any of `emails` or `phones` belongs to an erased person.
    pub fn matches<'a>(
        &self,
        emails: impl IntoIterator<Item = &'a str>,
        phones: impl IntoIterator<Item = &'a str>,
    ) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let keys: Vec<String> = (emails.into_iter().map(email_key))
            .chain(phones.into_iter().filter_map(|p| phone_key(p, self.region)))
            .collect();
        (self.entries.iter()).any(|entry| keys.iter().any(|key| entry.holds(key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::customer::CustomerKind;

    fn ana() -> Customer {
        let mut ana = Customer::new("ana", "Ana Lima".into(), CustomerKind::Person);
        ana.emails = vec!["Ana.Lima@gmail.com".into()];
        ana.phones = vec!["+31 20 555 0100".into()];
        ana
    }

    #[test]
    fn an_erased_persons_addresses_are_recognised_in_any_spelling_and_nothing_else() {
        let mut rng = fastrand::Rng::with_seed(7);
        let entry = Suppression::of(&ana(), Suppression::new_salt(&mut rng), None);
        assert!(entry.problems().is_empty(), "{:?}", entry.problems());
        assert_eq!(entry.hashes.len(), 2);
        let suppressed = Suppressed {
            entries: vec![entry.clone()],
            region: None,
        };
        assert!(suppressed.matches(["analima+news@gmail.com"], []));
        assert!(suppressed.matches([], ["+31 (20) 555-0100"]));
        assert!(!suppressed.matches(["bo@gmail.com"], ["+31 20 555 0199"]));
        let text = serde_yaml::to_string(&entry).unwrap();
        assert!(!text.to_lowercase().contains("ana"), "{text}");
        assert!(!text.contains("5550100"), "{text}");
    }

    #[test]
    fn the_same_address_hashes_differently_under_another_salt() {
        let mut rng = fastrand::Rng::with_seed(7);
        let one = Suppression::of(&ana(), Suppression::new_salt(&mut rng), None);
        let two = Suppression::of(&ana(), Suppression::new_salt(&mut rng), None);
        assert_ne!(one.hashes, two.hashes);
    }

    #[test]
    fn pseudonyms_and_their_group() {
        let id = pseudonym(&mut fastrand::Rng::with_seed(1));
        assert!(id.starts_with("erased-") && id.len() == 15, "{id}");
        assert!(crate::model::id::is_valid(&id));
        assert_eq!(erased_group(&id).as_deref(), Some("(erased)"));
        assert_eq!(erased_group("ana"), None);
    }

    #[test]
    fn bad_entries_are_told() {
        let entry = Suppression {
            salt: "x".into(),
            hashes: vec!["b".repeat(64), "a".repeat(64), "zz".into()],
            history_rewritten: None,
            old_history: Vec::new(),
        };
        assert_eq!(entry.problems().len(), 3);
    }
}
