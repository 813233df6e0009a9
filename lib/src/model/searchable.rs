//! What `relate search` looks in: each kind of record's searchable texts and
//! keys, the folding that makes case and accents not matter, and the cheap
//! test ([`TextQuery::may_match`]) a record's folded texts must pass to be
//! worth a closer look. It lives here, below the store, because the cache
//! keeps every record's folded texts beside the record (`store::cache`), so
//! that a search decodes only the records that may match; the ranking and
//! snippets are the report's (`report::search`). Both use this one
//! definition of what is searched.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::values::utc_date;
use super::{Asset, Campaign, Customer, Deal, Interaction, Kind, Order, Product, Ticket};

/// The searchable texts of one record.
pub struct Doc<'a> {
    pub kind: Kind,
    pub id: &'a str,
    /// The customer a dependent record is about: their texts complete its own.
    pub customer: Option<&'a str>,
    pub date: Option<NaiveDate>,
    /// The field that a name match is about (`name`, `title`, `subject`);
    /// always one of `texts` too.
    pub name: Option<(&'static str, &'a str)>,
    /// Keys the whole query may equal (ids, e-mails, phones, serials).
    pub exact: Vec<&'a str>,
    /// Each searched field with its text.
    pub texts: Vec<(Cow<'static, str>, Cow<'a, str>)>,
}

/// A record whose texts `relate search` looks in.
pub trait Searchable {
    fn search_doc(&self) -> Doc<'_>;
}

/// What the cache keeps of a record for search: its id, its texts folded,
/// one per line, its exact keys as they are, and its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    pub id: String,
    pub texts: String,
    pub keys: Vec<String>,
    pub customer: Option<String>,
}

impl Folded {
    pub fn of(doc: &Doc) -> Folded {
        Folded {
            id: doc.id.to_string(),
            texts: folded_texts(doc),
            keys: doc.exact.iter().map(|key| key.to_string()).collect(),
            customer: doc.customer.map(String::from),
        }
    }
}

/// A record's texts folded and joined by line breaks: a query word, which
/// holds no white space, is in one of the texts exactly when it is in this.
pub fn folded_texts(doc: &Doc) -> String {
    let mut joined = String::new();
    for (_, text) in &doc.texts {
        joined.push_str(&fold(text));
        joined.push('\n');
    }
    joined
}

/// Each customer's folded texts by id: the context [`TextQuery`] completes
/// their records' words with.
pub fn customer_context<'c>(
    customers: impl IntoIterator<Item = &'c Customer>,
) -> HashMap<String, String> {
    customers
        .into_iter()
        .map(|c| (c.id.to_string(), folded_texts(&c.search_doc())))
        .collect()
}

/// The words of a search and its customers' folded texts: enough to rule out
/// the records that cannot match without decoding them.
#[derive(Debug, PartialEq, Eq)]
pub struct TextQuery {
    /// The whole query, trimmed, which an exact key may equal.
    pub whole: String,
    /// Its words, folded.
    pub words: Vec<String>,
    /// Each customer's folded texts, which complete their records' own.
    context: HashMap<String, String>,
}

impl TextQuery {
    pub fn new<'c>(query: &str, customers: impl IntoIterator<Item = &'c Customer>) -> TextQuery {
        TextQuery::with_context(query, customer_context(customers))
    }

    /// The query with each customer's folded texts ([`folded_texts`]) by id.
    pub fn with_context(query: &str, context: HashMap<String, String>) -> TextQuery {
        TextQuery {
            whole: query.trim().to_string(),
            words: fold(query).split_whitespace().map(String::from).collect(),
            context,
        }
    }

    /// The folded texts of `customer`, empty for an unknown one (and for an
    /// empty id, which names no customer: the cache keeps no empty ids).
    pub fn context_of(&self, customer: Option<&str>) -> &str {
        customer
            .filter(|id| !id.is_empty())
            .and_then(|id| self.context.get(id))
            .map_or("", String::as_str)
    }

    /// Whether a record with these folded texts, keys and customer can be a
    /// hit: the whole query equals a key, or one word is in its own texts and
    /// each word in its own or its customer's. Never false for a hit of
    /// `report::search` (which applies the same rules and ranks).
    pub fn may_match(&self, texts: &str, keys: &[impl AsRef<str>], customer: Option<&str>) -> bool {
        if self.words.is_empty() {
            return false;
        }
        if keys.iter().any(|key| same_key(key.as_ref(), &self.whole)) {
            return true;
        }
        if !self.words.iter().any(|word| texts.contains(word.as_str())) {
            return false;
        }
        let context = self.context_of(customer);
        self.words
            .iter()
            .all(|word| texts.contains(word.as_str()) || context.contains(word.as_str()))
    }

    /// [`TextQuery::may_match`] for a record at hand.
    pub fn may_match_doc(&self, doc: &Doc) -> bool {
        self.may_match(&folded_texts(doc), &doc.exact, doc.customer)
    }
}

/// An exact key equals the query ignoring case (ids, e-mails) or, for phone
/// numbers, when their digits are the same.
pub fn same_key(key: &str, query: &str) -> bool {
    if key.eq_ignore_ascii_case(query) {
        return true;
    }
    let digits = |text: &str| -> String { text.chars().filter(char::is_ascii_digit).collect() };
    let is_phone = |text: &str| {
        text.chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
    };
    is_phone(key) && is_phone(query) && digits(query).len() >= 6 && digits(key) == digits(query)
}

/// Text folded for comparison: accents spelled in ASCII, lower case.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        deunicode::deunicode(text).to_lowercase()
    }
}

fn text<'a>(
    name: &'static str,
    value: Option<&'a str>,
) -> Option<(Cow<'static, str>, Cow<'a, str>)> {
    value.map(|v| (Cow::Borrowed(name), Cow::Borrowed(v)))
}

fn keys<'a>(id: &'a str, external_id: Option<&'a str>) -> Vec<&'a str> {
    std::iter::once(id).chain(external_id).collect()
}

impl Searchable for Customer {
    fn search_doc(&self) -> Doc<'_> {
        let optional = [
            ("company", self.company.as_deref()),
            ("region", self.region.as_deref()),
            ("notes", self.notes.as_deref()),
            ("source", self.source.as_deref()),
        ];
        let lists = [
            ("emails", &self.emails),
            ("phones", &self.phones),
            ("tags", &self.tags),
        ];
        let texts = std::iter::once((Cow::Borrowed("name"), Cow::Borrowed(self.name.as_str())))
            .chain(
                optional
                    .into_iter()
                    .filter_map(|(field, value)| text(field, value)),
            )
            .chain(lists.into_iter().flat_map(|(field, values)| {
                values
                    .iter()
                    .map(move |v| (Cow::Borrowed(field), Cow::Borrowed(v.as_str())))
            }))
            .chain(self.fields.iter().filter_map(|(name, value)| {
                let value = match value {
                    serde_yaml::Value::String(text) => Cow::Borrowed(text.as_str()),
                    serde_yaml::Value::Number(n) => Cow::Owned(n.to_string()),
                    serde_yaml::Value::Bool(b) => Cow::Owned(b.to_string()),
                    _ => return None,
                };
                Some((Cow::Owned(format!("fields.{name}")), value))
            }))
            .collect();
        Doc {
            kind: Kind::Customer,
            id: &self.id,
            customer: None,
            date: self.created,
            name: Some(("name", &self.name)),
            exact: (self.emails.iter().chain(&self.phones))
                .map(String::as_str)
                .chain(self.external_id.as_deref())
                .chain([self.id.as_str()])
                .collect(),
            texts,
        }
    }
}

impl Searchable for Interaction {
    fn search_doc(&self) -> Doc<'_> {
        Doc {
            kind: Kind::Interaction,
            id: &self.id,
            customer: Some(&self.customer),
            date: Some(utc_date(&self.at)),
            name: None,
            exact: (self.external_id.iter().chain(&self.message_id))
                .map(|text| text.as_str())
                .chain([self.id.as_str()])
                .collect(),
            texts: [
                text("summary", self.summary.as_deref()),
                text("body", self.body.as_deref()),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

impl Searchable for Deal {
    fn search_doc(&self) -> Doc<'_> {
        Doc {
            kind: Kind::Deal,
            id: &self.id,
            customer: Some(&self.customer),
            date: Some(self.created),
            name: Some(("title", &self.title)),
            exact: keys(&self.id, self.external_id.as_deref()),
            texts: [(Cow::Borrowed("title"), Cow::Borrowed(self.title.as_str()))]
                .into_iter()
                .chain(text("lost_reason", self.lost_reason.as_deref()))
                .collect(),
        }
    }
}

impl Searchable for Ticket {
    fn search_doc(&self) -> Doc<'_> {
        Doc {
            kind: Kind::Ticket,
            id: &self.id,
            customer: Some(&self.customer),
            date: Some(utc_date(&self.opened)),
            name: Some(("subject", &self.subject)),
            exact: keys(&self.id, self.external_id.as_deref()),
            texts: std::iter::once((
                Cow::Borrowed("subject"),
                Cow::Borrowed(self.subject.as_str()),
            ))
            .chain(
                (self.history.iter().filter_map(|e| e.note.as_deref()))
                    .map(|note| (Cow::Borrowed("history"), Cow::Borrowed(note))),
            )
            .collect(),
        }
    }
}

impl Searchable for Product {
    fn search_doc(&self) -> Doc<'_> {
        Doc {
            kind: Kind::Product,
            id: &self.id,
            customer: None,
            date: None,
            name: Some(("name", &self.name)),
            exact: keys(&self.id, self.external_id.as_deref()),
            texts: [(Cow::Borrowed("name"), Cow::Borrowed(self.name.as_str()))]
                .into_iter()
                .chain(
                    [
                        text("category", self.category.as_deref()),
                        text("segment", self.segment.as_deref()),
                    ]
                    .into_iter()
                    .flatten(),
                )
                .collect(),
        }
    }
}

impl Searchable for Order {
    fn search_doc(&self) -> Doc<'_> {
        Doc {
            kind: Kind::Order,
            id: &self.id,
            customer: Some(&self.customer),
            date: Some(utc_date(&self.at)),
            name: None,
            exact: keys(&self.id, self.external_id.as_deref()),
            texts: Vec::new(),
        }
    }
}

impl Searchable for Asset {
    fn search_doc(&self) -> Doc<'_> {
        Doc {
            kind: Kind::Asset,
            id: &self.id,
            customer: Some(&self.customer),
            date: self.installed,
            name: None,
            exact: keys(&self.id, self.external_id.as_deref())
                .into_iter()
                .chain(self.serial.as_deref())
                .collect(),
            texts: vec![(
                Cow::Borrowed("product"),
                Cow::Borrowed(self.product.as_str()),
            )],
        }
    }
}

impl Searchable for Campaign {
    fn search_doc(&self) -> Doc<'_> {
        Doc {
            kind: Kind::Campaign,
            id: &self.id,
            customer: None,
            date: self.start,
            name: Some(("name", &self.name)),
            exact: keys(&self.id, self.external_id.as_deref()),
            texts: vec![(Cow::Borrowed("name"), Cow::Borrowed(self.name.as_str()))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::customer::CustomerKind;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Müller ÉCOLE"), "muller ecole");
        assert_eq!(fold("ABC"), "abc");
    }

    #[test]
    fn phone_numbers_are_the_same_key_by_their_digits() {
        assert!(same_key("+31 (20) 555-1234", "+31205551234"));
        assert!(same_key("ACME@example.com", "acme@EXAMPLE.com"));
        assert!(!same_key("12345", "12 345"), "too few digits to be a phone");
    }

    fn customer_of_utrecht() -> Customer {
        let mut customer = Customer::new("jansen", "Jan Jansen".into(), CustomerKind::Organization);
        customer.region = Some("Utrecht".into());
        customer
    }

    #[test]
    fn a_record_may_match_by_its_own_words_completed_by_its_customers() {
        let query = TextQuery::new("utrecht INVOICE", &[customer_of_utrecht()]);
        let own = "asked about the march invoices\n";
        assert!(query.may_match(own, &["x"], Some("jansen")));
        assert!(!query.may_match(own, &["x"], Some("someone-else")));
        let by_name = TextQuery::new("jan utrecht", &[customer_of_utrecht()]);
        assert!(
            !by_name.may_match("a demo\n", &["x"], Some("jansen")),
            "a customer's words alone do not make their records hits"
        );
        assert!(TextQuery::new("x-1", &[]).may_match("", &["X-1"], None));
    }
}
