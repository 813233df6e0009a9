//! A customer: a person or an organization the team has relations with.

use chrono::NaiveDate;
use compact_str::CompactString;
use litemap::LiteMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::assign::Assignment;
use super::consent::{self, ConsentEvent};
use super::merge::Conflict;
use super::values::{opt_decimal, parse_date, parse_decimal};
use super::{
    FieldProblem, Kind, Record, Settings, blank_optional_problems, blank_problem, id_problems,
    owner_problem,
};

keyword_enum! {
    /// A customer is a person or an organization.
    CustomerKind "customer kind" {
        Person => "person",
        Organization => "organization",
    }
}

keyword_enum! {
    /// Where the customer is in its life cycle with the company.
    Lifecycle "lifecycle stage" {
        Lead => "lead",
        Prospect => "prospect",
        Customer => "customer",
        Former => "former",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub id: CompactString,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<CompactString>,
    /// The ids of customers merged into this one (`relate customer merge`):
    /// references to them still find it, and no new record takes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub name: String,
    pub kind: CustomerKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Lifecycle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i32>,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub income: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<CompactString>,
    /// Free text about the customer (a vCard's NOTE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Free-form facts: name -> scalar.
    #[serde(default, skip_serializing_if = "LiteMap::is_empty")]
    pub fields: LiteMap<String, serde_yaml::Value>,
    /// What the customer said about being contacted, oldest first:
    /// append-only, written by `relate consent` (and imports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent: Vec<ConsentEvent>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// The customer's fields in file order, besides `fields` (custom facts, set as
/// `fields.NAME`): what `customer set` accepts and import and export columns.
pub const FIELDS: &[&str] = &[
    "id",
    "external_id",
    "name",
    "kind",
    "company",
    "emails",
    "phones",
    "owner",
    "stage",
    "source",
    "created",
    "tags",
    "gender",
    "birth_year",
    "income",
    "purpose",
    "payment_method",
    "region",
    "notes",
];

/// The append-only list of consent events: only `relate consent` (and
/// imports) add to it, and nothing changes or removes an event.
pub const CONSENT: &str = "consent";

impl Customer {
    pub fn new(id: impl Into<CompactString>, name: String, kind: CustomerKind) -> Self {
        Customer {
            id: id.into(),
            external_id: None,
            aliases: Vec::new(),
            name,
            kind,
            company: None,
            emails: Vec::new(),
            phones: Vec::new(),
            owner: None,
            stage: None,
            source: None,
            created: None,
            tags: Vec::new(),
            gender: None,
            birth_year: None,
            income: None,
            purpose: None,
            payment_method: None,
            region: None,
            notes: None,
            fields: LiteMap::new(),
            consent: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    /// Applies `FIELD=VALUE` (or `+=`, `-=` on lists; `fields.NAME=VALUE` for custom facts).
    pub fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "id" => return Err("the id cannot be changed with `set`".into()),
            "aliases" => {
                return Err(
                    "aliases are the ids of merged customers: `relate customer merge` records them"
                        .into(),
                );
            }
            CONSENT => {
                return Err(
                    "consent is a record of what the customer said: `relate consent` adds to it"
                        .into(),
                );
            }
            "name" => self.name = a.scalar()?.ok_or("a customer needs a name")?.to_string(),
            "kind" => self.kind = a.parsed(str::parse)?.ok_or("a customer needs a kind")?,
            "stage" => self.stage = a.parsed(str::parse)?,
            "company" => self.company = a.text()?,
            "emails" | "email" => a.apply_to_list(&mut self.emails)?,
            "phones" | "phone" => a.apply_to_list(&mut self.phones)?,
            "tags" | "tag" => a.apply_to_list(&mut self.tags)?,
            "owner" => self.owner = a.text()?,
            "source" => self.source = a.text()?,
            "created" => self.created = a.parsed(parse_date)?,
            "gender" => self.gender = a.text()?,
            "birth_year" => {
                self.birth_year = a.parsed(|v| {
                    v.parse()
                        .map_err(|_| format!("birth_year `{v}` is not a year"))
                })?
            }
            "income" => self.income = a.parsed(parse_decimal)?,
            "purpose" => self.purpose = a.text()?,
            "payment_method" => self.payment_method = a.text()?,
            "region" => self.region = a.text()?,
            "notes" => self.notes = a.text()?,
            "external_id" => self.external_id = a.text()?,
            field => {
                let Some(name) = field.strip_prefix("fields.") else {
                    return Err(unknown_field(field));
                };
                if name.is_empty() {
                    return Err("`fields.` needs a name after the dot".into());
                }
                match a.scalar()? {
                    Some(value) => {
                        self.fields.insert(name.to_string(), scalar_value(value));
                    }
                    None => {
                        self.fields.remove(name);
                    }
                }
            }
        }
        Ok(())
    }
}

fn unknown_field(field: &str) -> String {
    let suggestion = FIELDS
        .iter()
        .map(|f| (strsim::jaro_winkler(f, field), f))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| format!("did you mean `{f}`? "))
        .unwrap_or_default();
    format!(
        "unknown customer field `{field}`: {suggestion}custom facts go under `fields.{field}=VALUE`"
    )
}

/// A custom field value: integers, decimals and booleans stay typed, the rest is text.
fn scalar_value(value: &str) -> serde_yaml::Value {
    // Only a value that reads back exactly as typed becomes a number: `01234`,
    // `+4712345` and `1.10` stay text, as a zip code or version must.
    if let Ok(int) = value.parse::<i64>()
        && int.to_string() == value
    {
        return int.into();
    }
    if let Ok(float) = value.parse::<f64>()
        && float.is_finite()
        && float.to_string() == value
    {
        return float.into();
    }
    match value {
        "true" => true.into(),
        "false" => false.into(),
        _ => value.into(),
    }
}

impl Record for Customer {
    const KIND: Kind = Kind::Customer;

    record_accessors!();

    fn append_only_change(&self, original: &Self) -> Option<&'static str> {
        (self.consent != original.consent).then_some(CONSENT)
    }

    fn problems(&self, settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        problems.extend(blank_problem("name", &self.name));
        problems.extend(owner_problem(settings, self.owner.as_deref()));
        problems.extend(blank_optional_problems([
            ("external_id", self.external_id.as_deref()),
            ("company", self.company.as_deref()),
            ("owner", self.owner.as_deref()),
            ("source", self.source.as_deref()),
            ("gender", self.gender.as_deref()),
            ("purpose", self.purpose.as_deref()),
            ("payment_method", self.payment_method.as_deref()),
            ("region", self.region.as_deref()),
            ("notes", self.notes.as_deref()),
        ]));
        for alias in &self.aliases {
            if let Some(reason) = super::id::invalid_reason(alias) {
                problems.push(FieldProblem::new(
                    "aliases",
                    format!("alias `{alias}`: {reason}"),
                ));
            } else if *alias == self.id {
                problems.push(FieldProblem::new(
                    "aliases",
                    "a customer is no alias of itself",
                ));
            }
        }
        problems.extend(consent::problems(&self.consent, settings));
        for email in &self.emails {
            if !email.contains('@') {
                problems.push(FieldProblem::new(
                    "emails",
                    format!("`{email}` is not an e-mail address"),
                ));
            }
        }
        for (name, value) in &self.fields {
            if value.is_mapping() || value.is_sequence() || value.is_null() {
                problems.push(FieldProblem::new(
                    "fields",
                    format!("custom field `{name}` must be a single text, number or boolean"),
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_values_keep_what_was_typed() {
        for text in [
            "01234", "+4712345", "1.10", "0755", "1e3", "12:30", "1_000", "TRUE",
        ] {
            assert_eq!(scalar_value(text), serde_yaml::Value::from(text), "{text}");
        }
        assert_eq!(scalar_value("250"), serde_yaml::Value::from(250));
        assert_eq!(scalar_value("-3"), serde_yaml::Value::from(-3));
        assert_eq!(scalar_value("2.5"), serde_yaml::Value::from(2.5));
        assert_eq!(scalar_value("true"), serde_yaml::Value::from(true));
    }
}
