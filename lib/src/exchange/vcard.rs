//! vCard 3.0 and 4.0 (RFC 2426, RFC 6350): reading address-book files into
//! customers, and writing customers as vCard 3.0, which address books read most widely.

use compact_str::CompactString;
use std::path::Path;

use super::staged::{email_key, external_key};
use super::{Workspace, add_to_list};
use crate::error::{Error, Problem, Result};
use crate::model::Customer;
use crate::model::customer::CustomerKind;

/// What relate takes from one card.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    /// The line of its `BEGIN:VCARD`.
    pub line: usize,
    pub uid: Option<String>,
    pub name: String,
    pub organization: Option<String>,
    /// `KIND:org` (4.0) or Apple's `X-ABShowAs:COMPANY` (3.0).
    pub is_organization: bool,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub note: Option<String>,
}

/// A content line after unfolding: `[group.]NAME[;PARAMS]:VALUE`.
struct ContentLine<'a> {
    line: usize,
    name: String,
    value: &'a str,
}

/// Joins folded lines (a line break followed by a space or tab continues the line).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (n, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, previous))) => previous.push_str(rest),
            _ => lines.push((n + 1, raw.to_string())),
        }
    }
    lines
}

/// Splits a content line at its first `:` outside a quoted parameter value.
fn content_line(line: usize, text: &str) -> Option<ContentLine<'_>> {
    let mut quoted = false;
    let colon = text.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        ':' if !quoted => Some(i),
        _ => None,
    })?;
    let head = &text[..colon];
    let name = head.split(';').next().unwrap_or(head);
    // A group prefix (`item1.EMAIL`) says nothing relate keeps.
    let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
    Some(ContentLine {
        line,
        name,
        value: &text[colon + 1..],
    })
}

/// Undoes vCard escapes: `\n`, `\,`, `\;`, `\\`.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The components of a structured value (`N`, `ORG`), split at unescaped `;`.
fn components(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        match c {
            ';' if !escaped => parts.push(String::new()),
            _ => {
                let part = parts.last_mut().expect("never empty");
                part.push(c);
                escaped = c == '\\' && !escaped;
                continue;
            }
        }
        escaped = false;
    }
    parts
        .iter()
        .map(|p| unescape(p).trim().to_string())
        .collect()
}

/// The cards of the file `source`, and the problems of those that cannot be
/// used. A file without a single card is invalid data: it is not an address
/// book, whatever its name.
pub fn read(source: &Path, bytes: &[u8]) -> Result<(Vec<Card>, Vec<Problem>)> {
    let (cards, problems) = parse(&String::from_utf8_lossy(bytes));
    if cards.is_empty() && problems.is_empty() {
        return Err(Error::invalid(vec![Problem::new(
            source,
            None,
            "no vCard in the file (no BEGIN:VCARD line)",
        )])
        .with_hint("nothing was imported: give a .vcf file as address books export them"));
    }
    Ok((cards, super::records::at_line_all(source, problems)))
}

/// Parses every card in `text`; cards that cannot be used come back as
/// problems (line, message).
pub fn parse(text: &str) -> (Vec<Card>, Vec<(usize, String)>) {
    let mut cards = Vec::new();
    let mut problems = Vec::new();
    let mut current: Option<(Card, Option<String>)> = None;
    for (line, text) in unfold(text) {
        let Some(content) = content_line(line, &text) else {
            if !text.trim().is_empty() && current.is_some() {
                problems.push((line, format!("`{}` is not a vCard line", text.trim())));
            }
            continue;
        };
        let value = content.value;
        match (content.name.as_str(), &mut current) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VCARD") => {
                current = Some((
                    Card {
                        line: content.line,
                        ..Card::default()
                    },
                    None,
                ));
            }
            ("BEGIN", Some((card, _))) => {
                problems.push((card.line, "the card has no END:VCARD".into()));
                current = Some((
                    Card {
                        line: content.line,
                        ..Card::default()
                    },
                    None,
                ));
            }
            ("END", Some(_)) => {
                let (mut card, structured_name) = current.take().expect("inside a card");
                if card.name.is_empty() {
                    card.name = structured_name.unwrap_or_default();
                }
                if card.name.is_empty() {
                    problems.push((card.line, "the card has no name (FN or N)".into()));
                } else {
                    cards.push(card);
                }
            }
            (_, Some((card, structured_name))) => {
                read_property(card, structured_name, &content.name, value)
            }
            _ => {}
        }
    }
    if let Some((card, _)) = current {
        problems.push((card.line, "the card has no END:VCARD".into()));
    }
    (cards, problems)
}

fn read_property(card: &mut Card, structured_name: &mut Option<String>, name: &str, value: &str) {
    let text = || unescape(value).trim().to_string();
    match name {
        "FN" => card.name = text(),
        "N" => {
            // Family; Given; Additional; Prefixes; Suffixes
            let parts = components(value);
            let get = |i: usize| parts.get(i).map(String::as_str).unwrap_or("");
            let name = [get(3), get(1), get(2), get(0), get(4)]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            *structured_name = (!name.is_empty()).then_some(name);
        }
        "ORG" => {
            card.organization = components(value)
                .into_iter()
                .next()
                .filter(|o| !o.is_empty())
        }
        "KIND" => card.is_organization |= value.trim().eq_ignore_ascii_case("org"),
        "X-ABSHOWAS" => card.is_organization |= value.trim().eq_ignore_ascii_case("company"),
        "EMAIL" => card.emails.push(text()),
        "TEL" => {
            let phone = text();
            card.phones
                .push(phone.strip_prefix("tel:").unwrap_or(&phone).to_string());
        }
        "NOTE" => {
            let note = text();
            card.note = Some(match card.note.take() {
                Some(previous) => format!("{previous}\n\n{note}"),
                None => note,
            });
        }
        "UID" => card.uid = Some(text()).filter(|u| !u.is_empty()),
        _ => {}
    }
    card.emails.retain(|e| !e.is_empty());
    card.phones.retain(|p| !p.is_empty());
}

/// Creates or updates a customer for each card; returns the problems of the
/// cards left out. A card finds its customer by UID (an id or an
/// `external_id`), then by e-mail. Its name, organisation and note replace
/// the customer's; its e-mails and phones are added to theirs; what it leaves
/// out stays.
pub fn import_cards(ws: &mut Workspace, cards: &[Card], source: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    for card in cards {
        let phones = card.phones.iter().map(String::as_str);
        if ws.skip_suppressed(card.emails.iter().map(String::as_str), phones) {
            continue;
        }
        if let Err(messages) = import_card(ws, card) {
            problems.extend(super::records::at_line(source, card.line, messages));
        }
    }
    problems
}

fn import_card(ws: &mut Workspace, card: &Card) -> Result<(), Vec<String>> {
    let existing = card
        .uid
        .as_deref()
        .and_then(|uid| {
            ws.customers
                .find_id(uid)
                .or_else(|| ws.customers.find_key(&external_key(uid)))
        })
        .or_else(|| {
            card.emails
                .iter()
                .find_map(|e| ws.customers.find_key(&email_key(e)))
        });
    let kind = if card.is_organization {
        CustomerKind::Organization
    } else {
        CustomerKind::Person
    };
    let mut customer = match existing {
        Some(index) => ws.customers.get(index).clone(),
        None => {
            let mut customer = ws.new_customer(&card.name, kind).map_err(|e| vec![e])?;
            customer.external_id = card.uid.as_deref().map(CompactString::from);
            customer
        }
    };
    customer.name = card.name.clone();
    if card.is_organization {
        customer.kind = CustomerKind::Organization;
    } else if card.organization.is_some() {
        customer.company = card.organization.as_deref().map(CompactString::from);
    }
    // A card lists what one address book knows, not all the customer has.
    let mut errors: Vec<String> = [("emails", &card.emails), ("phones", &card.phones)]
        .into_iter()
        .filter_map(|(field, items)| {
            add_to_list(&mut customer, field, items.iter().map(String::as_str)).err()
        })
        .collect();
    if card.note.is_some() {
        customer.notes = card.note.clone();
    }
    errors.extend(ws.customer_problems(&customer, existing));
    if !errors.is_empty() {
        return Err(errors);
    }
    ws.put_customer(existing, customer);
    Ok(())
}

/// Escapes a text value for a vCard line.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace(',', "\\,")
        .replace(';', "\\;")
}

/// Folds a line into pieces of at most 75 octets, as RFC 6350 asks, each
/// ending in CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// Customers as vCard 3.0 cards. The UID is the customer's `external_id` or,
/// without one, its id, so the cards re-import as updates.
pub fn write_cards(customers: &[Customer]) -> String {
    let mut out = String::new();
    for customer in customers {
        let mut lines = vec![
            "BEGIN:VCARD".to_string(),
            "VERSION:3.0".to_string(),
            format!(
                "UID:{}",
                escape(customer.external_id.as_deref().unwrap_or(&customer.id))
            ),
            format!("FN:{}", escape(&customer.name)),
        ];
        match customer.kind {
            CustomerKind::Organization => {
                lines.push("N:;;;;".into());
                lines.push(format!("ORG:{}", escape(&customer.name)));
                lines.push("X-ABShowAs:COMPANY".into());
            }
            CustomerKind::Person => {
                let (given, family) = match customer.name.trim().rsplit_once(' ') {
                    Some((given, family)) => (given, family),
                    None => ("", customer.name.trim()),
                };
                lines.push(format!("N:{};{};;;", escape(family), escape(given)));
                if let Some(company) = &customer.company {
                    lines.push(format!("ORG:{}", escape(company)));
                }
            }
        }
        for email in &customer.emails {
            lines.push(format!("EMAIL;TYPE=INTERNET:{}", escape(email)));
        }
        for phone in &customer.phones {
            lines.push(format!("TEL;TYPE=VOICE:{}", escape(phone)));
        }
        if let Some(notes) = &customer.notes {
            lines.push(format!("NOTE:{}", escape(notes)));
        }
        lines.push("END:VCARD".into());
        for line in lines {
            fold(&line, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_escaped_and_structured_values() {
        let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jos\r\n é Müller\r\nN:Müller;José;;Dr.;\r\n\
                    ORG:Acme\\, Inc;Sales\r\nitem1.EMAIL;TYPE=\"work,pref\":jose@acme.example\r\n\
                    TEL;VALUE=uri;TYPE=cell:tel:+49-30-1234\r\nNOTE:Met at the fair\\nlikes tea\\; \r\n\
                    \tno coffee\r\nEND:VCARD\r\nBEGIN:VCARD\nVERSION:3.0\nN:Lima;Ana;;;\nEND:VCARD\n";
        let (cards, problems) = parse(text);
        assert_eq!(problems, []);
        assert_eq!(cards.len(), 2);
        let jose = &cards[0];
        assert_eq!(jose.name, "José Müller");
        assert_eq!(jose.organization.as_deref(), Some("Acme, Inc"));
        assert_eq!(jose.emails, ["jose@acme.example"]);
        assert_eq!(jose.phones, ["+49-30-1234"]);
        assert_eq!(
            jose.note.as_deref(),
            Some("Met at the fair\nlikes tea; no coffee")
        );
        assert_eq!(cards[1].name, "Ana Lima", "N stands in for a missing FN");
        assert_eq!(cards[1].line, 12);
    }

    #[test]
    fn cards_without_a_name_or_an_end_are_problems() {
        let (cards, problems) =
            parse("BEGIN:VCARD\nVERSION:3.0\nEMAIL:x@y\nEND:VCARD\nBEGIN:VCARD\nFN:A\n");
        assert!(cards.is_empty());
        assert_eq!(
            problems,
            [
                (1, "the card has no name (FN or N)".to_string()),
                (5, "the card has no END:VCARD".to_string())
            ]
        );
    }

    #[test]
    fn written_cards_fold_escape_and_read_back() {
        let mut ana = Customer::new("ana-lima", "Ana Lima".into(), CustomerKind::Person);
        ana.company = Some("Acme; Sons".into());
        ana.emails = vec!["ana@x.example".into()];
        ana.notes = Some(format!("line one, {}\nline two", "é".repeat(60)));
        let text = write_cards(&[ana]);
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        assert!(text.contains("ORG:Acme\\; Sons\r\n"));
        let (cards, problems) = parse(&text);
        assert_eq!(problems, []);
        assert_eq!(cards[0].name, "Ana Lima");
        assert_eq!(cards[0].uid.as_deref(), Some("ana-lima"));
        assert_eq!(cards[0].organization.as_deref(), Some("Acme; Sons"));
        assert_eq!(
            cards[0].note.as_deref(),
            Some(format!("line one, {}\nline two", "é".repeat(60)).as_str())
        );
    }
}
