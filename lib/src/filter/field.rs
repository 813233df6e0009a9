//! The fields a filter can test: customer fields, custom fields and figures
//! computed from the customer's records, with their types and their values.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::str::FromStr;

use super::{Literal, Op};
use crate::figures::facts::{Facts, Needs};
use crate::figures::rfm;
use crate::model::customer::{CustomerKind, Lifecycle};
use crate::model::settings::{Band, band_of};
use crate::model::values::parse_date;
use crate::model::{Customer, Settings};

/// What a filter can test about a customer: a field of the record or a figure
/// computed from the customer's records as of the report's date.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    Name,
    Kind,
    Company,
    Emails,
    Phones,
    Owner,
    Stage,
    Source,
    Created,
    Tags,
    Gender,
    BirthYear,
    Income,
    Purpose,
    PaymentMethod,
    Region,
    /// `fields.NAME`: a custom fact.
    Custom(String),
    /// As-of year minus birth year.
    Age,
    AgeBand,
    IncomeBand,
    OrdersCount,
    OrdersTotal,
    OrdersFirst,
    OrdersLast,
    ContactsCount,
    Contacts90d,
    ContactsLast,
    DealsOpen,
    DealsOpenAmount,
    DealsWon,
    RfmSegment,
    RfmR,
    RfmF,
    RfmM,
    RfmRecency,
    /// The BG/NBD probability that the customer is still a customer.
    ClvPAlive,
    /// BG/NBD expected purchases over the next year.
    ClvExpectedPurchases,
    /// The `report clv` CLV over the next year.
    ClvValue,
}

/// Every field by name (besides `fields.NAME`), in the order docs/filters.md lists them.
const FIELDS: &[(&str, Field)] = &[
    ("id", Field::Id),
    ("name", Field::Name),
    ("kind", Field::Kind),
    ("company", Field::Company),
    ("emails", Field::Emails),
    ("phones", Field::Phones),
    ("owner", Field::Owner),
    ("stage", Field::Stage),
    ("source", Field::Source),
    ("created", Field::Created),
    ("tags", Field::Tags),
    ("gender", Field::Gender),
    ("birth_year", Field::BirthYear),
    ("income", Field::Income),
    ("purpose", Field::Purpose),
    ("payment_method", Field::PaymentMethod),
    ("region", Field::Region),
    ("age", Field::Age),
    ("age_band", Field::AgeBand),
    ("income_band", Field::IncomeBand),
    ("orders.count", Field::OrdersCount),
    ("orders.total", Field::OrdersTotal),
    ("orders.first", Field::OrdersFirst),
    ("orders.last", Field::OrdersLast),
    ("contacts.count", Field::ContactsCount),
    ("contacts.90d", Field::Contacts90d),
    ("contacts.last", Field::ContactsLast),
    ("deals.open", Field::DealsOpen),
    ("deals.open_amount", Field::DealsOpenAmount),
    ("deals.won", Field::DealsWon),
    ("rfm.segment", Field::RfmSegment),
    ("rfm.r", Field::RfmR),
    ("rfm.f", Field::RfmF),
    ("rfm.m", Field::RfmM),
    ("rfm.recency", Field::RfmRecency),
    ("clv.p_alive", Field::ClvPAlive),
    ("clv.expected_purchases", Field::ClvExpectedPurchases),
    ("clv.value", Field::ClvValue),
];

/// The type of a field's values, which decides the literals and operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Type {
    Text,
    /// Text from a fixed set of names.
    Keyword(&'static str, &'static [&'static str]),
    Number,
    Date,
    List,
    /// A custom fact: text, number, boolean or date, whatever the file holds.
    Any,
}

impl Field {
    /// The field called `name`, or why there is none (with a suggestion).
    pub fn parse(name: &str) -> std::result::Result<Field, String> {
        if let Some(custom) = name.strip_prefix("fields.") {
            return if custom.is_empty() {
                Err("`fields.` needs a name after the dot".into())
            } else {
                Ok(Field::Custom(custom.to_string()))
            };
        }
        if let Some((_, field)) = FIELDS.iter().find(|(n, _)| *n == name) {
            return Ok(field.clone());
        }
        let suggestion = FIELDS
            .iter()
            .map(|(n, _)| (strsim::jaro_winkler(n, name), n))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        Err(format!(
            "unknown field `{name}`: {suggestion}custom facts are `fields.NAME` (all fields: docs/filters.md)"
        ))
    }

    /// The field's name as filters write it.
    pub fn name(&self) -> Cow<'_, str> {
        match self {
            Field::Custom(name) => Cow::Owned(format!("fields.{name}")),
            field => Cow::Borrowed(
                FIELDS
                    .iter()
                    .find(|(_, f)| f == field)
                    .map(|(n, _)| *n)
                    .expect("every named field is listed"),
            ),
        }
    }

    pub(super) fn value_type(&self) -> Type {
        match self {
            Field::Kind => Type::Keyword("customer kind", CustomerKind::NAMES),
            Field::Stage => Type::Keyword("lifecycle stage", Lifecycle::NAMES),
            Field::RfmSegment => Type::Keyword("RFM segment", rfm::Segment::NAMES),
            Field::Emails | Field::Phones | Field::Tags => Type::List,
            Field::Created | Field::OrdersFirst | Field::OrdersLast | Field::ContactsLast => {
                Type::Date
            }
            Field::BirthYear
            | Field::Income
            | Field::Age
            | Field::OrdersCount
            | Field::OrdersTotal
            | Field::ContactsCount
            | Field::Contacts90d
            | Field::DealsOpen
            | Field::DealsOpenAmount
            | Field::DealsWon
            | Field::RfmR
            | Field::RfmF
            | Field::RfmM
            | Field::RfmRecency
            | Field::ClvPAlive
            | Field::ClvExpectedPurchases
            | Field::ClvValue => Type::Number,
            Field::Custom(_) => Type::Any,
            Field::Id
            | Field::Name
            | Field::Company
            | Field::Owner
            | Field::Source
            | Field::Gender
            | Field::Purpose
            | Field::PaymentMethod
            | Field::Region
            | Field::AgeBand
            | Field::IncomeBand => Type::Text,
        }
    }

    /// The bands of `settings` that the field's values are named after, lowest
    /// first: those of `age_band` and `income_band`.
    pub fn bands<'s>(&self, settings: &'s Settings) -> Option<&'s [Band]> {
        match self {
            Field::AgeBand => Some(&settings.analytics.age_bands),
            Field::IncomeBand => Some(&settings.analytics.income_bands),
            _ => None,
        }
    }

    /// The figures the field's value comes from.
    pub fn needs(&self) -> Needs {
        let none = Needs::default();
        match self {
            Field::OrdersCount | Field::OrdersTotal | Field::OrdersFirst | Field::OrdersLast => {
                Needs {
                    orders: true,
                    ..none
                }
            }
            Field::ContactsCount | Field::Contacts90d | Field::ContactsLast => Needs {
                contacts: true,
                ..none
            },
            Field::DealsOpen | Field::DealsOpenAmount | Field::DealsWon => Needs {
                deals: true,
                ..none
            },
            Field::RfmSegment | Field::RfmR | Field::RfmF | Field::RfmM | Field::RfmRecency => {
                Needs { rfm: true, ..none }
            }
            Field::ClvPAlive | Field::ClvExpectedPurchases | Field::ClvValue => {
                Needs { clv: true, ..none }
            }
            _ => none,
        }
    }

    /// The field's value for `customer`, with figures from `facts`.
    pub fn value<'a>(&self, customer: &'a Customer, facts: &Facts) -> Value<'a> {
        let text = |value: Option<&'a str>| value.map_or(Value::Missing, Value::text);
        let id = customer.id.as_str();
        let orders = facts.orders.get(id);
        let contacts = facts.contacts.get(id);
        let deals = facts.deals.get(id);
        let rfm = facts.rfm.get(id);
        let clv = facts.clv.get(id);
        let count = |n: u64| Value::Number(Decimal::from(n));
        match self {
            Field::Id => Value::text(id),
            Field::Name => Value::text(customer.name.as_ref()),
            Field::Kind => Value::text(customer.kind.as_str()),
            Field::Company => text(customer.company.as_deref()),
            Field::Emails => Value::List(&customer.emails),
            Field::Phones => Value::List(&customer.phones),
            Field::Owner => text(customer.owner.as_deref()),
            Field::Stage => customer
                .stage
                .map_or(Value::Missing, |s| Value::text(s.as_str())),
            Field::Source => text(customer.source.as_deref()),
            Field::Created => customer.created.map_or(Value::Missing, Value::Date),
            Field::Tags => Value::List(&customer.tags),
            Field::Gender => text(customer.gender.as_deref()),
            Field::BirthYear => customer
                .birth_year
                .map_or(Value::Missing, |y| Value::Number(y.into())),
            Field::Income => customer.income.map_or(Value::Missing, Value::Number),
            Field::Purpose => text(customer.purpose.as_deref()),
            Field::PaymentMethod => text(customer.payment_method.as_deref()),
            Field::Region => text(customer.region.as_deref()),
            Field::Custom(name) => customer
                .fields
                .get(name)
                .map_or(Value::Missing, Value::from_yaml),
            Field::Age => age(customer, facts.as_of).map_or(Value::Missing, Value::Number),
            Field::AgeBand => band_value(self.bands(facts.settings), age(customer, facts.as_of)),
            Field::IncomeBand => band_value(self.bands(facts.settings), customer.income),
            // A customer without orders, contacts or deals has none: zero, not unknown.
            Field::OrdersCount => count(orders.map_or(0, |s| s.count)),
            Field::OrdersTotal => Value::Number(orders.map_or(Decimal::ZERO, |s| s.total)),
            Field::OrdersFirst => orders.map_or(Value::Missing, |s| Value::Date(s.first)),
            Field::OrdersLast => orders.map_or(Value::Missing, |s| Value::Date(s.last)),
            Field::ContactsCount => count(contacts.map_or(0, |s| s.count)),
            Field::Contacts90d => count(contacts.map_or(0, |s| s.recent)),
            Field::ContactsLast => contacts.map_or(Value::Missing, |s| Value::Date(s.last)),
            Field::DealsOpen => count(deals.map_or(0, |s| s.open)),
            Field::DealsOpenAmount => Value::Number(deals.map_or(Decimal::ZERO, |s| s.open_amount)),
            Field::DealsWon => count(deals.map_or(0, |s| s.won)),
            Field::RfmSegment => rfm.map_or(Value::Missing, |s| Value::text(s.segment.as_str())),
            Field::RfmR => rfm.map_or(Value::Missing, |s| count(s.r.into())),
            Field::RfmF => rfm.map_or(Value::Missing, |s| count(s.f.into())),
            Field::RfmM => rfm.map_or(Value::Missing, |s| count(s.m.into())),
            Field::RfmRecency => {
                rfm.map_or(Value::Missing, |s| Value::Number(s.recency_days.into()))
            }
            // No prediction without an order, or when the models cannot be fitted.
            Field::ClvPAlive => clv.map_or(Value::Missing, |c| Value::Number(c.p_alive)),
            Field::ClvExpectedPurchases => {
                clv.map_or(Value::Missing, |c| Value::Number(c.expected_purchases))
            }
            Field::ClvValue => clv.map_or(Value::Missing, |c| Value::Number(c.value)),
        }
    }
}

/// A customer's age in whole years as of a date, from the birth year alone.
fn age(customer: &Customer, as_of: NaiveDate) -> Option<Decimal> {
    customer
        .birth_year
        .map(|year| Decimal::from(as_of.year() - year))
}

fn band_value<'a>(bands: Option<&[Band]>, value: Option<Decimal>) -> Value<'a> {
    value
        .zip(bands)
        .and_then(|(v, bands)| band_of(bands, v))
        .map_or(Value::Missing, |name| {
            Value::Text(Cow::Owned(name.to_string()))
        })
}

/// A field's value for one customer.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Missing,
    Text(Cow<'a, str>),
    Number(Decimal),
    Date(NaiveDate),
    Bool(bool),
    List(&'a [String]),
}

impl<'a> Value<'a> {
    fn text(text: &'a str) -> Value<'a> {
        Value::Text(Cow::Borrowed(text))
    }

    fn from_yaml(value: &serde_yaml::Value) -> Value<'a> {
        match value {
            serde_yaml::Value::String(text) => Value::Text(Cow::Owned(text.clone())),
            serde_yaml::Value::Bool(b) => Value::Bool(*b),
            serde_yaml::Value::Number(n) => n
                .as_i64()
                .map(Decimal::from)
                .or_else(|| Decimal::from_str(&n.to_string()).ok())
                .map_or(Value::Missing, Value::Number),
            _ => Value::Missing,
        }
    }

    /// The value as the text of a group key (`report segments --by`); lists give
    /// one key per item, a missing value none.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Value::Missing => Vec::new(),
            Value::Text(text) => vec![text.to_string()],
            Value::Number(n) => vec![n.normalize().to_string()],
            Value::Date(d) => vec![d.to_string()],
            Value::Bool(b) => vec![b.to_string()],
            Value::List(items) => items.to_vec(),
        }
    }

    fn is_missing(&self) -> bool {
        match self {
            Value::Missing => true,
            Value::List(items) => items.is_empty(),
            _ => false,
        }
    }

    /// How the value orders against a literal of a comparable type.
    fn compare(&self, literal: &Literal) -> Option<Ordering> {
        match (self, literal) {
            (Value::Text(a), Literal::Text(b)) => Some(a.as_ref().cmp(b.as_str())),
            (Value::Number(a), Literal::Number(b)) => Some(a.cmp(b)),
            (Value::Date(a), Literal::Date(b)) => Some(a.cmp(b)),
            (Value::Text(a), Literal::Date(b)) => parse_date(a).ok().map(|a| a.cmp(b)),
            (Value::Bool(a), Literal::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Whether `value` satisfies `op literal`. A missing value satisfies only `!=`
/// (and `= null`), so `a != x` is always `not (a = x)`.
pub(super) fn satisfies(value: &Value, op: Op, literal: &Literal) -> bool {
    if *literal == Literal::Null {
        return value.is_missing() == (op == Op::Eq);
    }
    if value.is_missing() {
        return op == Op::Ne;
    }
    match (op, value, literal) {
        (Op::Contains, Value::List(items), Literal::Text(needle)) => {
            items.iter().any(|item| item == needle)
        }
        (Op::Contains, Value::Text(text), Literal::Text(needle)) => text.contains(needle.as_str()),
        (Op::Contains, _, _) => false,
        _ => value
            .compare(literal)
            .map_or(op == Op::Ne, |ordering| op.holds(ordering)),
    }
}
