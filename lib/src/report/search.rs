//! `relate search`: the records whose text holds every word of a query.
//!
//! Words are compared folded (case and accents ignored: `Müller` is found by
//! `muller`), as parts of words (`invoice` finds `invoices`). A record matches
//! when every word is in one of its own texts; a contact, deal, ticket, order
//! or asset also matches when some words are in its own texts and the others
//! in its customer's (`utrecht invoice` finds the contacts about invoices of
//! customers from Utrecht), so a customer's name alone finds the customer, not
//! every record of theirs. Hits are ranked: the whole query equal to an id, an
//! e-mail address, an external id, a phone number or a serial number first,
//! then every word in the record's name (or title, or subject), then the rest.
//! They are grouped by kind, the kind with the best hit first.

use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::model::values::utc_date;
use crate::model::{Customer, Dataset, Kind};
use crate::output::{Cell, Section, Table};
use crate::report::Report;

/// How a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rank {
    /// The whole query is the record's id, an e-mail, phone, serial or external id.
    Exact,
    /// Every word is in the record's name, title or subject.
    Name,
    /// Every word is somewhere in its texts.
    Text,
}

impl Rank {
    fn as_str(self) -> &'static str {
        match self {
            Rank::Exact => "exact",
            Rank::Name => "name",
            Rank::Text => "text",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub kind: &'static str,
    pub id: String,
    /// The customer a dependent record is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    pub rank: Rank,
    /// The field the snippet is from (`name`, `emails`, `summary`, `fields.size`...).
    pub field: String,
    /// The matching text, cut to a line around the first word found.
    pub snippet: String,
    /// The record's date, when it has one (newest first within a rank).
    #[serde(skip)]
    date: Option<chrono::NaiveDate>,
}

/// What `relate search` found.
#[derive(Debug, Serialize)]
pub struct Found {
    pub query: String,
    pub hits: Vec<Hit>,
    /// Per kind, how many hits were left out by the limit.
    pub left_out: BTreeMap<&'static str, usize>,
}

/// The searchable texts of one record.
struct Doc<'a> {
    kind: Kind,
    id: &'a str,
    customer: Option<&'a str>,
    date: Option<chrono::NaiveDate>,
    /// The field that a name match is about (`name`, `title`, `subject`).
    name: Option<(&'static str, &'a str)>,
    /// Keys the whole query may equal.
    exact: Vec<&'a str>,
    texts: Vec<(Cow<'static, str>, Cow<'a, str>)>,
}

/// Finds the records of `kinds` (every kind when empty) that match `query`,
/// at most `limit` per kind.
pub fn search(data: &Dataset, query: &str, kinds: &[Kind], limit: usize) -> Found {
    let words: Vec<String> = fold(query).split_whitespace().map(String::from).collect();
    let mut found = Found {
        query: query.trim().to_string(),
        hits: Vec::new(),
        left_out: BTreeMap::new(),
    };
    if words.is_empty() {
        return found;
    }
    let wanted = |kind: Kind| kinds.is_empty() || kinds.contains(&kind);
    let customers: HashMap<&str, &Customer> =
        data.customers.iter().map(|c| (c.id.as_str(), c)).collect();
    // A customer's folded texts, as the context of the records about them.
    let context = |id: Option<&str>| -> Vec<String> {
        id.and_then(|id| customers.get(id))
            .map(|c| customer_doc(c).texts.iter().map(|(_, t)| fold(t)).collect())
            .unwrap_or_default()
    };
    let whole = query.trim();
    let mut groups: Vec<(Kind, Vec<Hit>)> = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|k| wanted(*k)) {
        let mut hits: Vec<Hit> = docs_of(data, kind)
            .par_bridge()
            .filter_map(|doc| matched(&doc, whole, &words, &context))
            .collect();
        if hits.is_empty() {
            continue;
        }
        hits.sort_by(|a, b| {
            (a.rank.cmp(&b.rank))
                .then(b.date.cmp(&a.date))
                .then(a.id.cmp(&b.id))
        });
        if hits.len() > limit {
            found.left_out.insert(kind.name(), hits.len() - limit);
            hits.truncate(limit);
        }
        groups.push((kind, hits));
    }
    // The kind with the best hit first; ties keep the order of kinds.
    groups.sort_by_key(|(kind, hits)| (hits[0].rank, *kind));
    found.hits = groups.into_iter().flat_map(|(_, hits)| hits).collect();
    found
}

/// The hit `doc` makes, if every word is in its texts (or, for a word missing
/// there, in its customer's, as long as one word is its own).
fn matched(
    doc: &Doc,
    whole: &str,
    words: &[String],
    context: &dyn Fn(Option<&str>) -> Vec<String>,
) -> Option<Hit> {
    let hit = |rank: Rank, field: &str, text: &str, word: &str| Hit {
        kind: doc.kind.name(),
        id: doc.id.to_string(),
        customer: doc.customer.map(String::from),
        rank,
        field: field.to_string(),
        snippet: snippet(text, word),
        date: doc.date,
    };
    if let Some(key) = doc.exact.iter().find(|key| same_key(key, whole)) {
        let field = if *key == doc.id { "id" } else { "key" };
        return Some(hit(Rank::Exact, field, key, &words[0]));
    }
    if let Some((field, name)) = doc.name {
        let folded = fold(name);
        if words.iter().all(|w| folded.contains(w.as_str())) {
            return Some(hit(Rank::Name, field, name, &words[0]));
        }
    }
    let folded: Vec<String> = doc.texts.iter().map(|(_, t)| fold(t)).collect();
    let own = |word: &String| folded.iter().position(|t| t.contains(word.as_str()));
    let first = words.iter().find_map(|w| own(w).map(|at| (at, w)))?;
    let missing: Vec<&String> = words.iter().filter(|w| own(w).is_none()).collect();
    if !missing.is_empty() {
        let theirs = context(doc.customer);
        if !missing
            .iter()
            .all(|w| theirs.iter().any(|t| t.contains(w.as_str())))
        {
            return None;
        }
    }
    let (field, text) = &doc.texts[first.0];
    Some(hit(Rank::Text, field, text, first.1))
}

/// An exact key equals the query ignoring case (ids, e-mails) or, for phone
/// numbers, when their digits are the same.
fn same_key(key: &str, query: &str) -> bool {
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

/// The part of `text` around the first place `word` (folded) is found: one
/// line of at most about 80 characters, with `…` where it was cut.
fn snippet(text: &str, word: &str) -> String {
    const WIDTH: usize = 80;
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WIDTH {
        return line;
    }
    // Where the word starts, in characters: fold character by character so the
    // position found in folded text maps back to the original.
    let mut folded = String::new();
    let mut starts = Vec::new();
    for c in &chars {
        starts.push(folded.len());
        folded.push_str(&fold(c.encode_utf8(&mut [0; 4])));
    }
    let at = folded
        .find(word)
        .map(|byte| starts.partition_point(|start| *start <= byte) - 1)
        .unwrap_or(0);
    let begin = at.saturating_sub(WIDTH / 4).min(chars.len() - WIDTH);
    let end = begin + WIDTH;
    let mut out = String::new();
    if begin > 0 {
        out.push('…');
    }
    out.extend(&chars[begin..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn docs_of<'a>(data: &'a Dataset, kind: Kind) -> Box<dyn Iterator<Item = Doc<'a>> + Send + 'a> {
    let text = |name: &'static str, value: &'a Option<String>| {
        value
            .as_deref()
            .map(|v| (Cow::Borrowed(name), Cow::Borrowed(v)))
    };
    match kind {
        Kind::Customer => Box::new(data.customers.iter().map(customer_doc)),
        Kind::Interaction => Box::new(data.interactions.iter().map(move |i| {
            Doc {
                kind,
                id: &i.id,
                customer: Some(&i.customer),
                date: Some(utc_date(&i.at)),
                name: None,
                exact: (i.external_id.iter().chain(&i.message_id))
                    .map(String::as_str)
                    .chain([i.id.as_str()])
                    .collect(),
                texts: [text("summary", &i.summary), text("body", &i.body)]
                    .into_iter()
                    .flatten()
                    .collect(),
            }
        })),
        Kind::Deal => Box::new(data.deals.iter().map(move |d| {
            Doc {
                kind,
                id: &d.id,
                customer: Some(&d.customer),
                date: Some(d.created),
                name: Some(("title", &d.title)),
                exact: keys(&d.id, &d.external_id),
                texts: [Some((
                    Cow::Borrowed("title"),
                    Cow::Borrowed(d.title.as_str()),
                ))]
                .into_iter()
                .chain([text("lost_reason", &d.lost_reason)])
                .flatten()
                .collect(),
            }
        })),
        Kind::Ticket => Box::new(data.tickets.iter().map(move |t| {
            Doc {
                kind,
                id: &t.id,
                customer: Some(&t.customer),
                date: Some(utc_date(&t.opened)),
                name: Some(("subject", &t.subject)),
                exact: keys(&t.id, &t.external_id),
                texts: std::iter::once((
                    Cow::Borrowed("subject"),
                    Cow::Borrowed(t.subject.as_str()),
                ))
                .chain(
                    (t.history.iter().filter_map(|e| e.note.as_deref()))
                        .map(|note| (Cow::Borrowed("history"), Cow::Borrowed(note))),
                )
                .collect(),
            }
        })),
        Kind::Product => Box::new(data.products.iter().map(move |p| {
            Doc {
                kind,
                id: &p.id,
                customer: None,
                date: None,
                name: Some(("name", &p.name)),
                exact: keys(&p.id, &p.external_id),
                texts: [Some((
                    Cow::Borrowed("name"),
                    Cow::Borrowed(p.name.as_str()),
                ))]
                .into_iter()
                .chain([text("category", &p.category), text("segment", &p.segment)])
                .flatten()
                .collect(),
            }
        })),
        Kind::Order => Box::new(data.orders.iter().map(move |o| Doc {
            kind,
            id: &o.id,
            customer: Some(&o.customer),
            date: Some(utc_date(&o.at)),
            name: None,
            exact: keys(&o.id, &o.external_id),
            texts: Vec::new(),
        })),
        Kind::Asset => Box::new(data.assets.iter().map(move |a| {
            Doc {
                kind,
                id: &a.id,
                customer: Some(&a.customer),
                date: a.installed,
                name: None,
                exact: keys(&a.id, &a.external_id)
                    .into_iter()
                    .chain(a.serial.as_deref())
                    .collect(),
                texts: vec![(Cow::Borrowed("product"), Cow::Borrowed(a.product.as_str()))],
            }
        })),
        Kind::Campaign => Box::new(data.campaigns.iter().map(move |c| Doc {
            kind,
            id: &c.id,
            customer: None,
            date: c.start,
            name: Some(("name", &c.name)),
            exact: keys(&c.id, &c.external_id),
            texts: vec![(Cow::Borrowed("name"), Cow::Borrowed(c.name.as_str()))],
        })),
    }
}

fn keys<'a>(id: &'a str, external_id: &'a Option<String>) -> Vec<&'a str> {
    std::iter::once(id).chain(external_id.as_deref()).collect()
}

fn customer_doc(c: &Customer) -> Doc<'_> {
    let optional = [
        ("company", &c.company),
        ("region", &c.region),
        ("notes", &c.notes),
        ("source", &c.source),
    ];
    let lists = [
        ("emails", &c.emails),
        ("phones", &c.phones),
        ("tags", &c.tags),
    ];
    let texts = std::iter::once((Cow::Borrowed("name"), Cow::Borrowed(c.name.as_str())))
        .chain(optional.into_iter().filter_map(|(field, value)| {
            value
                .as_deref()
                .map(|v| (Cow::Borrowed(field), Cow::Borrowed(v)))
        }))
        .chain(lists.into_iter().flat_map(|(field, values)| {
            values
                .iter()
                .map(move |v| (Cow::Borrowed(field), Cow::Borrowed(v.as_str())))
        }))
        .chain(c.fields.iter().filter_map(|(name, value)| {
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
        id: &c.id,
        customer: None,
        date: c.created,
        name: Some(("name", &c.name)),
        exact: (c.emails.iter().chain(&c.phones).chain(&c.external_id))
            .map(String::as_str)
            .chain([c.id.as_str()])
            .collect(),
        texts,
    }
}

impl Report for Found {
    fn title(&self) -> String {
        "Search".into()
    }

    fn sections(&self) -> Vec<Section> {
        let mut sections: Vec<Section> = Vec::new();
        for hit in &self.hits {
            if sections.last().is_none_or(|s| s.name != hit.kind) {
                let mut columns = vec!["id", "match", "field", "snippet"];
                if hit.customer.is_some() {
                    columns.insert(1, "customer");
                }
                let title = format!("{}s", hit.kind);
                sections.push(Section::new(hit.kind, title, Table::new(&columns)));
            }
            let section = sections.last_mut().expect("pushed above");
            let mut row = vec![Cell::text(&hit.id)];
            if let Some(customer) = &hit.customer {
                row.push(Cell::text(customer));
            }
            row.extend([
                Cell::text(hit.rank.as_str()),
                Cell::text(&hit.field),
                Cell::text(&hit.snippet),
            ]);
            section.table.push(row);
        }
        sections
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn store() -> Dataset {
        let mut utrecht = fixture::customer("jansen");
        utrecht.name = "Jan Jansen".into();
        utrecht.region = Some("Utrecht".into());
        utrecht.emails = vec!["jan@jansen.nl".into()];
        let mut muller = fixture::customer("muller");
        muller.name = "Jürgen Müller".into();
        muller.notes = Some("Prefers invoices by letter".into());
        let mut data = fixture::dataset(vec![utrecht, muller], Vec::new());
        let mut about_invoices = fixture::contact("jansen", "2026-05-01");
        about_invoices.summary = Some("Asked about the March invoices".into());
        let mut other = fixture::contact("jansen", "2026-06-01");
        other.summary = Some("Demo of the new model".into());
        let mut elsewhere = fixture::contact("muller", "2026-06-02");
        elsewhere.summary = Some("Invoice sent".into());
        data.interactions = vec![about_invoices, other, elsewhere];
        data
    }

    fn found(data: &Dataset, query: &str) -> Vec<(&'static str, String, Rank)> {
        search(data, query, &[], 10)
            .hits
            .into_iter()
            .map(|h| (h.kind, h.id, h.rank))
            .collect()
    }

    #[test]
    fn every_word_own_or_from_the_customer() {
        let data = store();
        // Utrecht is the customer's, invoice the contact's: only that contact.
        assert_eq!(
            found(&data, "utrecht INVOICE"),
            [("interaction", "20260501-jansen".to_string(), Rank::Text)]
        );
        // A customer's name alone finds the customer, not their contacts.
        assert_eq!(
            found(&data, "jan"),
            [("customer", "jansen".to_string(), Rank::Name)]
        );
        // Accents folded; the customer's note and the contact both match, and
        // the customers come first only because their rank is as good.
        assert_eq!(
            found(&data, "muller invoice"),
            [
                ("customer", "muller".to_string(), Rank::Text),
                ("interaction", "20260602-muller".to_string(), Rank::Text),
            ]
        );
        assert!(found(&data, "nothing-like-this").is_empty());
    }

    #[test]
    fn an_exact_key_ranks_first_and_the_limit_counts_what_it_left_out() {
        let data = store();
        assert_eq!(
            found(&data, "JAN@jansen.nl"),
            [("customer", "jansen".to_string(), Rank::Exact)]
        );
        let limited = search(&data, "invoice", &[Kind::Interaction], 1);
        assert_eq!(limited.hits.len(), 1);
        // Newest first within a rank.
        assert_eq!(limited.hits[0].id, "20260602-muller");
        assert_eq!(limited.left_out.get("interaction"), Some(&1));
    }

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Müller ÉCOLE"), "muller ecole");
        assert_eq!(fold("ABC"), "abc");
    }

    #[test]
    fn a_snippet_is_cut_around_the_word() {
        let text = format!("{} invoice overdue {}", "a ".repeat(60), "b ".repeat(60));
        let cut = snippet(&text, "invoice");
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.contains("invoice overdue"), "{cut}");
        assert_eq!(cut.chars().count(), 82);
        assert_eq!(snippet("short\nline", "line"), "short line");
        // A folded character longer than the original keeps the position right.
        let accented = format!("{}Æsir invoice{}", "x".repeat(70), "y".repeat(70));
        assert!(snippet(&accented, "invoice").contains("invoice"));
    }

    #[test]
    fn phones_match_by_their_digits() {
        assert!(same_key("+31 20 123 4567", "+31201234567"));
        assert!(!same_key("+31 20 123 4567", "2012"));
        assert!(same_key("ACME-Corp", "acme-corp"));
    }
}
