//! Import and export: the files other tools write and read.
//!
//! Parsing is pure: [`csv_rows`], [`vcard`] and [`mail`] turn text or bytes
//! into rows, cards and messages (or problems at a line). The importers
//! ([`records`], a module per kind of CSV file, [`vcard::import_cards`],
//! [`mail::import_messages`], [`survey`]) apply them to a [`Workspace`], the
//! store's records held in memory, which finds existing records by id, by the
//! source's id (`external_id`) or by a natural key (an e-mail address, a
//! Message-ID), so a re-import updates records instead of duplicating them.
//! The command then writes what the workspace changed in one transaction, or
//! nothing.

pub mod csv_rows;
pub mod export;
pub mod mail;
pub mod person;
pub mod presets;
pub mod records;
pub mod staged;
pub mod survey;
pub mod vcard;

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::error::Problem;
use crate::model::customer::CustomerKind;
use crate::model::duplicates::{self, Pair};
use crate::model::erasure::Suppressed;
use crate::model::values::{Timestamp, Zone, parse_timestamp_in, whole_seconds};
use crate::model::{
    Customer, Dataset, Deal, Interaction, Kind, Order, Product, Record, Settings, id,
};
use csv_rows::Row;
pub use staged::{Action, Change, Staged};
use staged::{alias_key, email_key, external_key};

keyword_enum! {
    /// The kinds of record a CSV file can bring in.
    ImportKind "kind of record" {
        Customers => "customers",
        Interactions => "interactions",
        Deals => "deals",
        Orders => "orders",
        Products => "products",
    }
}

keyword_enum! {
    /// What `relate export` writes.
    ExportKind "kind of export" {
        Customers => "customers",
        Interactions => "interactions",
        Deals => "deals",
        Orders => "orders",
        Products => "products",
        Vcard => "vcard",
    }
}

/// The rows an import leaves out.
#[derive(Debug, Default)]
pub struct LeftOut {
    /// What is wrong, at the line of each row that has it.
    pub problems: Vec<Problem>,
    /// Rows fine in themselves, left out with a bad row they belong with (the
    /// other lines of an order): worth listing only when the rest is imported.
    pub with_bad_rows: Vec<Problem>,
}

impl From<Vec<Problem>> for LeftOut {
    fn from(problems: Vec<Problem>) -> Self {
        LeftOut {
            problems,
            with_bad_rows: Vec::new(),
        }
    }
}

/// How an import treats what the file leaves open.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// strftime format of dates and date-times; without it, those [`parse_timestamp_in`] reads.
    pub date_format: Option<String>,
    /// Make minimal customers for references to unknown ones.
    pub create_customers: bool,
    /// Make minimal products for references to unknown ones.
    pub create_products: bool,
    /// Values new records get when the file does not say (from a preset).
    pub defaults: Vec<(&'static str, &'static str)>,
}

/// A new record whose id had to differ from the one its name or key makes,
/// because that one was taken: listed, so that no two source keys are ever
/// merged without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinctId {
    pub kind: Kind,
    /// What the id was made from: a SKU, a name, a customer and a title.
    pub made_from: String,
    /// The id it makes, which another record has.
    pub taken: String,
    pub id: String,
}

/// A record referred to by a row: one that exists (at its index), or one to create.
pub enum Reference<T> {
    Existing(usize),
    New(T),
}

/// The store's records in memory while an import stages its changes.
pub struct Workspace<'s> {
    pub settings: &'s Settings,
    pub now: Timestamp,
    pub options: Options,
    rng: fastrand::Rng,
    pub customers: Staged<Customer>,
    pub products: Staged<Product>,
    pub orders: Staged<Order>,
    pub interactions: Staged<Interaction>,
    pub deals: Staged<Deal>,
    distinct_ids: Vec<DistinctId>,
    /// The erased persons' addresses and numbers, which nothing imported brings back.
    suppressed: Suppressed,
    /// How many rows, cards or messages were left out for them.
    skipped_suppressed: usize,
    /// What the records made from the file being imported name as their
    /// source (consent events): `import:FILE`.
    pub source: Option<String>,
}

impl<'s> Workspace<'s> {
    pub fn new(
        data: Dataset,
        settings: &'s Settings,
        now: Timestamp,
        rng: fastrand::Rng,
        options: Options,
    ) -> Self {
        Workspace {
            settings,
            now,
            options,
            rng,
            customers: Staged::new(data.customers),
            products: Staged::new(data.products),
            orders: Staged::new(data.orders),
            interactions: Staged::new(data.interactions),
            deals: Staged::new(data.deals),
            distinct_ids: Vec::new(),
            suppressed: Suppressed::default(),
            skipped_suppressed: 0,
            source: None,
        }
    }

    /// Leaves out whatever belongs to the persons `suppressed` lists (`relate customer forget`).
    pub fn suppress(&mut self, suppressed: Suppressed) {
        self.suppressed = suppressed;
    }

    /// Whether a row, card or message with these e-mail addresses and phone
    /// numbers belongs to an erased person; if so it is left out and counted.
    pub fn skip_suppressed<'a>(
        &mut self,
        emails: impl IntoIterator<Item = &'a str>,
        phones: impl IntoIterator<Item = &'a str>,
    ) -> bool {
        let skip = self.suppressed.matches(emails, phones);
        self.skipped_suppressed += usize::from(skip);
        skip
    }

    /// Whether a customers row names an erased person's address or number
    /// (see [`Workspace::skip_suppressed`]).
    pub fn skip_suppressed_row(&mut self, row: &Row) -> bool {
        let items = |field| {
            (row.get(field).unwrap_or_default().split([';', ',']))
                .map(str::trim)
                .filter(|item| !item.is_empty())
        };
        self.skip_suppressed(items("emails"), items("phones"))
    }

    /// How many rows, cards or messages were left out as an erased person's.
    pub fn skipped_suppressed(&self) -> usize {
        self.skipped_suppressed
    }

    /// The new records whose id had to differ from the one their name or key makes.
    pub fn distinct_ids(&self) -> &[DistinctId] {
        &self.distinct_ids
    }

    /// Notes a new record's id when it is not `taken`, the one `made_from` makes.
    pub fn note_id(&mut self, kind: Kind, made_from: &str, taken: &str, id: &str) {
        if taken != id {
            self.distinct_ids.push(DistinctId {
                kind,
                made_from: made_from.trim().to_string(),
                taken: taken.to_string(),
                id: id.to_string(),
            });
        }
    }

    /// The new customers that look like others, old or new (the pair's `b`
    /// is the new one): an import notes them rather than creating them unseen.
    pub fn likely_duplicates(&self) -> Vec<Pair> {
        let all = self.customers.all();
        let new: HashSet<&str> = (all.iter().enumerate())
            .filter(|(index, _)| self.customers.is_new(*index))
            .map(|(_, customer)| customer.id.as_str())
            .collect();
        if new.is_empty() {
            return Vec::new();
        }
        duplicates::involving(all, &new, self.settings.phone_region())
    }

    /// Everything the import changed, customers first.
    pub fn changes(&self) -> Vec<Change> {
        let mut changes = self.customers.change_list();
        changes.extend(self.products.change_list());
        changes.extend(self.deals.change_list());
        changes.extend(self.orders.change_list());
        changes.extend(self.interactions.change_list());
        changes
    }

    /// Parses a date-time with the import's `--date-format`, in the store's timezone.
    pub fn when(&self, text: &str) -> Result<Timestamp, String> {
        parse_when(
            text,
            self.options.date_format.as_deref(),
            self.settings.timezone,
        )
    }

    /// Names `file` as the source of what follows: `import:NAME`, its file
    /// name only (the path says nothing about the data).
    pub fn set_source(&mut self, file: &Path) {
        let name = file.file_name().unwrap_or(file.as_os_str());
        self.source = Some(format!("import:{}", name.to_string_lossy()));
    }

    /// Parses a date: a date-time counts as its calendar day in the store's timezone.
    pub fn day(&self, text: &str) -> Result<NaiveDate, String> {
        self.when(text)
            .map(|at| self.settings.timezone.date_of(&at))
    }

    pub fn today(&self) -> NaiveDate {
        self.settings.timezone.date_of(&self.now)
    }

    /// A fresh time-ordered id for a record of `kind` at `at`.
    pub fn new_time_id(&mut self, kind: Kind, at: &Timestamp) -> String {
        loop {
            let candidate = id::time_ordered(at, &mut self.rng);
            let taken = match kind {
                Kind::Order => self.orders.has_id(&candidate),
                _ => self.interactions.has_id(&candidate),
            };
            if !taken {
                return candidate;
            }
        }
    }

    /// The owner id a file's owner value (an id, a name or an e-mail) stands for.
    pub fn owner_id(&self, value: &str) -> Result<String, String> {
        if self.settings.owners.is_empty() {
            return Ok(value.to_string());
        }
        self.settings
            .owners
            .iter()
            .find(|o| {
                o.id == value
                    || o.name.eq_ignore_ascii_case(value)
                    || o.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(value))
            })
            .map(|o| o.id.clone())
            .ok_or_else(|| {
                format!(
                    "unknown owner `{value}`: add it to `owners` in relate.yaml, or leave the column out with --map owner="
                )
            })
    }

    /// The customer a file's reference names: its `external_id`, its id, one
    /// of its e-mail addresses, or its name when no other customer has it. A
    /// list (`a;b`) names the first of its items that is known. A customer
    /// this import created for another reference is not found by id or name:
    /// `C-1` and `c-1` of one file are two customers.
    pub fn find_customer(&self, reference: &str) -> Option<usize> {
        let reference = reference.trim();
        let stands_for = |index: &usize| {
            let customer = self.customers.get(*index);
            !self.customers.is_new(*index)
                || customer.external_id.as_deref() == Some(reference)
                || customer
                    .emails
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(reference))
        };
        let direct = self
            .customers
            .find_key(&external_key(reference))
            .or_else(|| self.customers.find_id(reference).filter(stands_for))
            .or_else(|| self.customers.find_key(&alias_key(reference)))
            .or_else(|| self.customers.find_key(&email_key(reference)));
        if direct.is_some() {
            return direct;
        }
        if reference.contains(';') {
            return reference
                .split(';')
                .filter(|part| !part.trim().is_empty())
                .find_map(|part| self.find_customer(part));
        }
        if let Some(email) = find_email(reference).filter(|e| *e != reference) {
            return self.customers.find_key(&email_key(email));
        }
        let mut named = self
            .customers
            .all()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name.eq_ignore_ascii_case(reference));
        match (named.next(), named.next()) {
            (Some((index, _)), None) => Some(index).filter(stands_for),
            _ => None,
        }
    }

    /// The customer `reference` names, or a minimal new one with `--create-customers`.
    pub fn customer_ref(
        &self,
        reference: &str,
        name: Option<&str>,
    ) -> Result<Reference<Customer>, String> {
        if let Some(index) = self.find_customer(reference) {
            return Ok(Reference::Existing(index));
        }
        if !self.options.create_customers {
            return Err(format!(
                "unknown customer `{reference}`: add it first, or use --create-customers"
            ));
        }
        let reference = reference.split(';').next().unwrap_or(reference).trim();
        let email = find_email(reference);
        let name = name
            .or_else(|| email.and_then(|e| e.split('@').next()))
            .unwrap_or(reference);
        let mut customer = self.new_customer(name, CustomerKind::Person)?;
        match email {
            Some(email) => customer.emails.push(email.to_string()),
            None => customer.external_id = Some(reference.into()),
        }
        Ok(Reference::New(customer))
    }

    /// What keeps `customer` (at `existing`, if it is in the store) from being
    /// written: its own problems, and e-mail addresses another customer has.
    pub fn customer_problems(&self, customer: &Customer, existing: Option<usize>) -> Vec<String> {
        let mut problems: Vec<String> = customer
            .problems(self.settings)
            .into_iter()
            .map(|p| p.message)
            .collect();
        for email in &customer.emails {
            let holder = self.customers.find_key(&email_key(email));
            if let Some(other) = holder.filter(|&other| Some(other) != existing) {
                problems.push(format!(
                    "e-mail `{email}` already belongs to customer `{}`",
                    self.customers.get(other).id
                ));
            }
        }
        problems
    }

    /// A new customer with an id made from `name`, created today.
    pub fn new_customer(&self, name: &str, kind: CustomerKind) -> Result<Customer, String> {
        let base = id::slugify(name).ok_or_else(|| format!("cannot make an id from `{name}`"))?;
        // The ids of merged customers stay reserved (their aliases).
        let id = id::unique_slug(&base, |candidate| {
            self.customers.has_id(candidate)
                || self.customers.find_key(&alias_key(candidate)).is_some()
        });
        let mut customer = Customer::new(id, name.trim().to_string(), kind);
        customer.created = Some(self.today());
        Ok(customer)
    }

    /// Writes `customer` over the one at `existing`, or adds it, noting a new
    /// customer's id when its name makes another. Returns where it is.
    pub fn put_customer(&mut self, existing: Option<usize>, customer: Customer) -> usize {
        if existing.is_none()
            && let Some(taken) = id::slugify(&customer.name)
        {
            self.note_id(Kind::Customer, &customer.name, &taken, &customer.id);
        }
        self.customers.put(existing, customer)
    }

    /// Adds the customer of a reference if it is new; returns its id.
    pub fn settle_customer(&mut self, reference: Reference<Customer>) -> String {
        let index = match reference {
            Reference::Existing(index) => index,
            Reference::New(customer) => self.put_customer(None, customer),
        };
        self.customers.get(index).id.to_string()
    }

    /// The product a file's key names: the one whose `external_id` it is, else
    /// whose id it is, else, for a key that is no id (`85123A`), the one whose
    /// id is its slug and that no other key stands for. A product this import
    /// created for another key is found by its own key alone: `AB-1` and
    /// `ab_1` of one file are two products.
    pub fn find_product(&self, key: &str) -> Option<usize> {
        let key = key.trim();
        let products = &self.products;
        let own =
            |index: &usize| !products.is_new(*index) || source_key(products.get(*index)) == key;
        let unclaimed =
            |index: &usize| !products.is_new(*index) && products.get(*index).external_id.is_none();
        products
            .find_key(&external_key(key))
            .or_else(|| products.find_id(key).filter(own))
            .or_else(|| {
                let slug = id_from(key).filter(|slug| slug != key)?;
                products.find_id(&slug).filter(unclaimed)
            })
    }

    /// A fresh id for a new product made from `made_from` (its SKU, or its
    /// name without one), free in the store and among `pending` (the products
    /// a row group is about to add).
    pub fn new_product_id(
        &self,
        made_from: &str,
        pending: &[Product],
    ) -> Result<(String, String), String> {
        let taken = id_from(made_from)
            .ok_or_else(|| format!("cannot make a product id from `{made_from}`"))?;
        let id = id::unique_slug(&taken, |candidate| {
            self.products.has_id(candidate) || pending.iter().any(|p| p.id == candidate)
        });
        Ok((taken, id))
    }

    /// The product `reference` names (see [`Workspace::find_product`]), or
    /// with `--create-products` a minimal new one, whose id is free among
    /// `pending` too (the new products of the same order).
    pub fn product_ref(
        &self,
        reference: &str,
        name: Option<&str>,
        price: Option<rust_decimal::Decimal>,
        pending: &[Product],
    ) -> Result<Reference<Product>, String> {
        let reference = reference.trim();
        if let Some(index) = self.find_product(reference) {
            return Ok(Reference::Existing(index));
        }
        if !self.options.create_products {
            return Err(format!(
                "unknown product `{reference}`: add it first, or use --create-products"
            ));
        }
        let (_, id) = self.new_product_id(reference, pending)?;
        Ok(Reference::New(Product {
            external_id: (id != reference).then(|| reference.to_string()),
            id,
            name: name.unwrap_or(reference).to_string(),
            category: None,
            price: price.unwrap_or_default(),
            cost: None,
            segment: None,
            upgrade_after_years: None,
            successor: None,
            conflicts: Vec::new(),
        }))
    }
}

/// The key a product stands for in the files it came from: its `external_id`, else its id.
pub fn source_key(product: &Product) -> &str {
    product.external_id.as_deref().unwrap_or(&product.id)
}

/// Adds to a customer's list `field` (`emails`, `phones` or `tags`) the
/// `items` it does not have yet, for sources that know part of a list (an
/// address book, a questionnaire answer). E-mail addresses compare without
/// case, phone numbers by their digits (`+31 20 555-0100` is `+31205550100`).
pub fn add_to_list<'i>(
    customer: &mut Customer,
    field: &str,
    items: impl IntoIterator<Item = &'i str>,
) -> Result<(), String> {
    let (list, compared): (_, fn(&str) -> String) = match field {
        "emails" => (&mut customer.emails, str::to_lowercase),
        "phones" => (&mut customer.phones, dialled),
        "tags" => (&mut customer.tags, str::to_string),
        _ => return Err(format!("`{field}` is not a list of a customer")),
    };
    for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
        if !list.iter().any(|have| compared(have) == compared(item)) {
            list.push(item.to_string());
        }
    }
    Ok(())
}

/// What a phone number dials: its digits and `+`, or the text when it has no digit.
fn dialled(phone: &str) -> String {
    if !phone.chars().any(|c| c.is_ascii_digit()) {
        return phone.to_string();
    }
    phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

/// `text` as an id: itself when valid, else its slug (`85123A` -> `85123a`).
pub fn id_from(text: &str) -> Option<String> {
    let text = text.trim();
    if id::is_valid(text) {
        Some(text.to_string())
    } else {
        id::slugify(text)
    }
}

/// The e-mail address in `text`: all of it, or the part in `<...>` or `(...)`.
fn find_email(text: &str) -> Option<&str> {
    let inner = |open: char, close: char| {
        let start = text.find(open)? + 1;
        let end = start + text[start..].find(close)?;
        Some(text[start..end].trim())
    };
    [Some(text.trim()), inner('<', '>'), inner('(', ')')]
        .into_iter()
        .flatten()
        .find(|candidate| candidate.contains('@') && !candidate.contains(char::is_whitespace))
}

/// Parses a date-time as a file gives it: with `format` (strftime; without
/// an offset it is a time in `zone`, without a time its midnight), else as
/// [`parse_timestamp_in`] reads it.
pub fn parse_when(text: &str, format: Option<&str>, zone: Zone) -> Result<Timestamp, String> {
    let text = text.trim();
    match format {
        Some(format) => DateTime::parse_from_str(text, format)
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(text, format)
                    .ok()
                    .map(|local| zone.at(local))
            })
            .or_else(|| {
                NaiveDate::parse_from_str(text, format)
                    .ok()
                    .map(|date| zone.start_of(date))
            })
            .map(whole_seconds)
            .ok_or_else(|| format!("`{text}` does not match the date format `{format}`")),
        None => parse_timestamp_in(text, zone)
            .map_err(|error| format!("{error}, or give the file's format with --date-format")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::format_timestamp;

    #[test]
    fn dates_in_the_shapes_files_use() {
        let at = |text, format| format_timestamp(&parse_when(text, format, Zone::UTC).unwrap());
        assert_eq!(at("2010-12-01 08:26", None), "2010-12-01T08:26:00Z");
        assert_eq!(at("2026-11-22", None), "2026-11-22T00:00:00Z");
        assert_eq!(
            at("12/1/2010 8:26", Some("%m/%d/%Y %H:%M")),
            "2010-12-01T08:26:00Z"
        );
        assert_eq!(at("01.12.2010", Some("%d.%m.%Y")), "2010-12-01T00:00:00Z");
        assert_eq!(
            at("2010-12-01 08:26 +0100", Some("%Y-%m-%d %H:%M %z")),
            "2010-12-01T08:26:00+01:00"
        );
        let error = parse_when("1/12/2010", Some("%Y-%m-%d"), Zone::UTC).unwrap_err();
        assert!(error.contains("does not match the date format"), "{error}");
        assert!(parse_when("yesterday", None, Zone::UTC).is_err());
        let amsterdam = "Europe/Amsterdam".parse().unwrap();
        let local = |text, format| format_timestamp(&parse_when(text, format, amsterdam).unwrap());
        assert_eq!(
            local("01.12.2010", Some("%d.%m.%Y")),
            "2010-12-01T00:00:00+01:00"
        );
        assert_eq!(
            local("2010-06-01 08:26", Some("%Y-%m-%d %H:%M")),
            "2010-06-01T08:26:00+02:00"
        );
    }

    #[test]
    fn emails_inside_references() {
        assert_eq!(find_email("ana@x.example"), Some("ana@x.example"));
        assert_eq!(
            find_email("Ana Lima (ana@x.example)"),
            Some("ana@x.example")
        );
        assert_eq!(find_email("Ana <ana@x.example>"), Some("ana@x.example"));
        assert_eq!(find_email("Ana Lima"), None);
        assert_eq!(id_from("85123A").as_deref(), Some("85123a"));
        assert_eq!(id_from("toner").as_deref(), Some("toner"));
    }

    #[test]
    fn lists_gain_only_what_they_lack() {
        let mut ana = Customer::new("ana", "Ana".into(), CustomerKind::Person);
        ana.emails = vec!["ana@x.example".into()];
        ana.phones = vec!["+31 20 555 0100".into(), "ask reception".into()];
        add_to_list(&mut ana, "emails", ["ANA@x.example", " ana@y.example "]).unwrap();
        add_to_list(
            &mut ana,
            "phones",
            ["+31 (20) 555-0100", "ask reception", "+1 555"],
        )
        .unwrap();
        add_to_list(&mut ana, "tags", ["vip", "VIP", ""]).unwrap();
        assert_eq!(ana.emails, ["ana@x.example", "ana@y.example"]);
        assert_eq!(ana.phones, ["+31 20 555 0100", "ask reception", "+1 555"]);
        assert_eq!(ana.tags, ["vip", "VIP"]);
        assert!(add_to_list(&mut ana, "name", ["x"]).is_err());
    }
}
