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
use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::searchable::fold;
use crate::model::searchable::{Doc, Searchable, TextQuery, same_key};
use crate::model::{Dataset, Kind};
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

/// Finds the records of `kinds` (every kind when empty) that match `query`,
/// at most `limit` per kind. The customers' texts that complete their
/// records' own come from the query (`TextQuery::new`), so `data` needs to
/// hold only the records that may match (`Store::search_candidates`).
pub fn search(data: &Dataset, query: &TextQuery, kinds: &[Kind], limit: usize) -> Found {
    let words = &query.words;
    let mut found = Found {
        query: query.whole.clone(),
        hits: Vec::new(),
        left_out: BTreeMap::new(),
    };
    if words.is_empty() {
        return found;
    }
    let wanted = |kind: Kind| kinds.is_empty() || kinds.contains(&kind);
    let whole = query.whole.as_str();
    let mut groups: Vec<(Kind, Vec<Hit>)> = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|k| wanted(*k)) {
        let mut hits: Vec<Hit> = docs_of(data, kind)
            .par_bridge()
            .filter_map(|doc| matched(&doc, whole, words, query.context_of(doc.customer)))
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
/// there, in its customer's folded texts `theirs`, as long as one word is its own).
fn matched(doc: &Doc, whole: &str, words: &[String], theirs: &str) -> Option<Hit> {
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
    if !missing.iter().all(|w| theirs.contains(w.as_str())) {
        return None;
    }
    let (field, text) = &doc.texts[first.0];
    Some(hit(Rank::Text, field, text, first.1))
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
    fn docs<T: Searchable + Sync>(records: &[T]) -> Box<dyn Iterator<Item = Doc<'_>> + Send + '_> {
        Box::new(records.iter().map(Searchable::search_doc))
    }
    match kind {
        Kind::Customer => docs(&data.customers),
        Kind::Interaction => docs(&data.interactions),
        Kind::Deal => docs(&data.deals),
        Kind::Ticket => docs(&data.tickets),
        Kind::Product => docs(&data.products),
        Kind::Order => docs(&data.orders),
        Kind::Asset => docs(&data.assets),
        Kind::Campaign => docs(&data.campaigns),
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
        search(data, &TextQuery::new(query, &data.customers), &[], 10)
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
        let invoice = TextQuery::new("invoice", &data.customers);
        let limited = search(&data, &invoice, &[Kind::Interaction], 1);
        assert_eq!(limited.hits.len(), 1);
        // Newest first within a rank.
        assert_eq!(limited.hits[0].id, "20260602-muller");
        assert_eq!(limited.left_out.get("interaction"), Some(&1));
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
