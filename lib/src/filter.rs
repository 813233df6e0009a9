//! The filter language: selects customers by their fields and by figures computed
//! from their records, e.g. `region = "EU" and orders.total >= 1000`. Shared by
//! `customer list --where`, the reports' `--where`, and the named `segments` of
//! relate.yaml. The user's guide is docs/filters.md.
//!
//! ```text
//! filter     = or
//! or         = and { "or" and }
//! and        = not { "and" not }
//! not        = "not" not | "(" or ")" | comparison
//! comparison = FIELD ( "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" ) value
//! value      = STRING | NUMBER | DATE | "true" | "false" | "null"
//! ```
//!
//! Fields and values are type-checked when the filter is parsed, so a filter
//! that parses can be evaluated without errors; syntax errors carry the column.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::figures::facts::{Facts, Needs};
use crate::figures::rfm;
use crate::model::customer::{CustomerKind, Lifecycle};
use crate::model::settings::{Band, band_of};
use crate::model::values::parse_date;
use crate::model::{Customer, Dataset, FieldProblem, Record, Settings};

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Field, Op, Literal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
        }
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Op::Eq => ordering == Ordering::Equal,
            Op::Ne => ordering != Ordering::Equal,
            Op::Lt => ordering == Ordering::Less,
            Op::Le => ordering != Ordering::Greater,
            Op::Gt => ordering == Ordering::Greater,
            Op::Ge => ordering != Ordering::Less,
            Op::Contains => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Number(Decimal),
    Date(NaiveDate),
    Bool(bool),
    Null,
}

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
];

/// The type of a field's values, which decides the literals and operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
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

    fn value_type(&self) -> Type {
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
            | Field::RfmRecency => Type::Number,
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
            _ => none,
        }
    }

    /// The field's value for `customer`, with figures from `facts`.
    pub fn value<'a>(&self, customer: &'a Customer, facts: &Facts) -> Value<'a> {
        let text = |value: &'a Option<String>| value.as_deref().map_or(Value::Missing, Value::text);
        let id = customer.id.as_str();
        let orders = facts.orders.get(id);
        let contacts = facts.contacts.get(id);
        let deals = facts.deals.get(id);
        let rfm = facts.rfm.get(id);
        let count = |n: u64| Value::Number(Decimal::from(n));
        match self {
            Field::Id => Value::text(id),
            Field::Name => Value::text(&customer.name),
            Field::Kind => Value::text(customer.kind.as_str()),
            Field::Company => text(&customer.company),
            Field::Emails => Value::List(&customer.emails),
            Field::Phones => Value::List(&customer.phones),
            Field::Owner => text(&customer.owner),
            Field::Stage => customer
                .stage
                .map_or(Value::Missing, |s| Value::text(s.as_str())),
            Field::Source => text(&customer.source),
            Field::Created => customer.created.map_or(Value::Missing, Value::Date),
            Field::Tags => Value::List(&customer.tags),
            Field::Gender => text(&customer.gender),
            Field::BirthYear => customer
                .birth_year
                .map_or(Value::Missing, |y| Value::Number(y.into())),
            Field::Income => customer.income.map_or(Value::Missing, Value::Number),
            Field::Purpose => text(&customer.purpose),
            Field::PaymentMethod => text(&customer.payment_method),
            Field::Region => text(&customer.region),
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
fn satisfies(value: &Value, op: Op, literal: &Literal) -> bool {
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

/// A syntax or type error in a filter, at a 1-based column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for SyntaxError {}

impl Filter {
    /// Parses and type-checks a filter.
    pub fn parse(text: &str) -> std::result::Result<Filter, SyntaxError> {
        let tokens = lex(text)?;
        let mut parser = Parser { tokens, next: 0 };
        let expr = parser.or()?;
        let token = parser.peek();
        if token.kind != Tok::End {
            return Err(token.error(format!(
                "expected `and`, `or` or the end of the filter, found {}",
                token.found()
            )));
        }
        Ok(Filter { expr })
    }

    /// The filter that selects every customer.
    pub fn everyone() -> Filter {
        Filter {
            expr: Expr::And(Vec::new()),
        }
    }

    /// Both filters.
    pub fn and(self, other: Filter) -> Filter {
        Filter {
            expr: Expr::And(vec![self.expr, other.expr]),
        }
    }

    /// The figures the filter tests.
    pub fn needs(&self) -> Needs {
        fn walk(expr: &Expr, needs: Needs) -> Needs {
            match expr {
                Expr::Or(items) | Expr::And(items) => {
                    items.iter().fold(needs, |needs, e| walk(e, needs))
                }
                Expr::Not(inner) => walk(inner, needs),
                Expr::Compare(field, _, _) => needs.union(field.needs()),
            }
        }
        walk(&self.expr, Needs::default())
    }

    /// Whether `customer` passes, with figures from `facts` (built with [`Filter::needs`]).
    pub fn matches(&self, customer: &Customer, facts: &Facts) -> bool {
        fn eval(expr: &Expr, customer: &Customer, facts: &Facts) -> bool {
            match expr {
                Expr::Or(items) => items.iter().any(|e| eval(e, customer, facts)),
                Expr::And(items) => items.iter().all(|e| eval(e, customer, facts)),
                Expr::Not(inner) => !eval(inner, customer, facts),
                Expr::Compare(field, op, literal) => {
                    satisfies(&field.value(customer, facts), *op, literal)
                }
            }
        }
        eval(&self.expr, customer, facts)
    }

    /// The customers of `data` that pass, with every figure computed from the
    /// records dated up to `as_of` (cut `data` with [`Dataset::as_of`] to also
    /// leave out customers created later).
    pub fn select<'a>(&self, data: &'a Dataset, as_of: NaiveDate) -> Vec<&'a Customer> {
        let facts = Facts::build(data, as_of, self.needs());
        data.customers
            .iter()
            .filter(|c| self.matches(c, &facts))
            .collect()
    }
}

/// Parses a filter given on the command line or in relate.yaml; a syntax error
/// is a usage error that shows where it is.
pub fn parse_filter(text: &str) -> Result<Filter> {
    Filter::parse(text).map_err(|error| {
        let caret = format!("{}^", " ".repeat(error.column - 1));
        Error::usage(format!(
            "invalid filter at column {}: {}\n  {text}\n  {caret}",
            error.column, error.message
        ))
        .with_hint(
            r#"filters look like `region = "EU" and orders.total >= 1000`; see docs/filters.md"#,
        )
    })
}

/// Every problem of a record on its own: its fields against relate.yaml (the
/// record's own check) and the syntax of the filters it holds, such as a
/// campaign's `where`. What every reader and writer of the store checks.
pub fn record_problems<T: Record>(record: &T, settings: &Settings) -> Vec<FieldProblem> {
    let mut problems = record.problems(settings);
    for (field, text) in record.filters() {
        if let Err(error) = Filter::parse(text) {
            problems.push(FieldProblem::new(field, format!("invalid filter: {error}")));
        }
    }
    problems
}

/// The problems of relate.yaml: its own, and the syntax of its segments' filters.
pub fn settings_problems(settings: &Settings) -> Vec<String> {
    let mut problems = settings.problems();
    for (name, segment) in &settings.segments {
        if let Err(error) = Filter::parse(&segment.filter) {
            problems.push(format!("segments: `{name}`: {error}"));
        }
    }
    problems
}

/// The filter of the segment `name` in relate.yaml.
pub fn named_segment(settings: &Settings, name: &str) -> Result<Filter> {
    let Some(segment) = settings.segments.get(name) else {
        let names: Vec<&str> = settings.segments.keys().map(String::as_str).collect();
        let hint = if names.is_empty() {
            "no segments are defined: add them under `segments:` in relate.yaml".to_string()
        } else {
            format!("the segments in relate.yaml are: {}", names.join(", "))
        };
        return Err(Error::usage(format!("unknown segment `{name}`")).with_hint(hint));
    };
    parse_filter(&segment.filter)
}

/// The customers of `data` that `filter` selects as of `as_of` (see [`Filter::select`]).
pub fn customers_matching<'a>(
    data: &'a Dataset,
    as_of: NaiveDate,
    filter: &str,
) -> Result<Vec<&'a Customer>> {
    Ok(parse_filter(filter)?.select(data, as_of))
}

/// The filter of `--segment` and `--where` together (both must hold), if any.
pub fn combined(
    settings: &Settings,
    segment: Option<&str>,
    filter: Option<&str>,
) -> Result<Option<Filter>> {
    let segment = segment
        .map(|name| named_segment(settings, name))
        .transpose()?;
    let filter = filter.map(parse_filter).transpose()?;
    Ok(match (segment, filter) {
        (Some(a), Some(b)) => Some(a.and(b)),
        (a, b) => a.or(b),
    })
}

// ---- Lexing ----

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Literal(Literal),
    Op(Op),
    Open,
    Close,
    And,
    Or,
    Not,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    column: usize,
    text: String,
}

impl Token {
    /// The token as error messages name it.
    fn found(&self) -> String {
        match self.kind {
            Tok::End => "the end of the filter".into(),
            _ => format!("`{}`", self.text),
        }
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            column: self.column,
            message: message.into(),
        }
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn lex(text: &str) -> std::result::Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let error = |message: String| SyntaxError {
            column: start + 1,
            message,
        };
        let next = chars.get(i + 1).copied();
        let kind = match c {
            '(' => {
                i += 1;
                Tok::Open
            }
            ')' => {
                i += 1;
                Tok::Close
            }
            '=' => {
                // `==` is accepted too: people coming from programming languages type it.
                i += if next == Some('=') { 2 } else { 1 };
                Tok::Op(Op::Eq)
            }
            '!' if next == Some('=') => {
                i += 2;
                Tok::Op(Op::Ne)
            }
            '<' | '>' => {
                let or_equal = next == Some('=');
                i += if or_equal { 2 } else { 1 };
                Tok::Op(match (c, or_equal) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                })
            }
            '"' | '\'' => {
                let (value, end) = lex_string(&chars, i)
                    .ok_or_else(|| error(format!("unterminated string: add the closing {c}")))?;
                i = end;
                Tok::Literal(Literal::Text(value))
            }
            c if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '-'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                Tok::Literal(number_or_date(&word).map_err(error)?)
            }
            c if is_ident_start(c) => {
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match word.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "contains" => Tok::Op(Op::Contains),
                    "true" => Tok::Literal(Literal::Bool(true)),
                    "false" => Tok::Literal(Literal::Bool(false)),
                    "null" => Tok::Literal(Literal::Null),
                    _ => Tok::Ident(word),
                }
            }
            other => return Err(error(format!("unexpected character `{other}`"))),
        };
        tokens.push(Token {
            kind,
            column: start + 1,
            text: chars[start..i].iter().collect(),
        });
    }
    tokens.push(Token {
        kind: Tok::End,
        column: chars.len() + 1,
        text: String::new(),
    });
    Ok(tokens)
}

/// A quoted string starting at `start`: its value (with `\"`, `\'` and `\\`
/// unescaped) and the index after the closing quote.
fn lex_string(chars: &[char], start: usize) -> Option<(String, usize)> {
    let quote = chars[start];
    let mut value = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                value.push(chars[i + 1]);
                i += 2;
            }
            c if c == quote => return Some((value, i + 1)),
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    None
}

fn number_or_date(word: &str) -> std::result::Result<Literal, String> {
    let looks_like_date = word.len() == 10 && word.as_bytes()[4] == b'-';
    if looks_like_date {
        return parse_date(word).map(Literal::Date);
    }
    Decimal::from_str(word)
        .map(Literal::Number)
        .map_err(|_| format!("`{word}` is not a number (or a date: YYYY-MM-DD)"))
}

// ---- Parsing ----

struct Parser {
    tokens: Vec<Token>,
    next: usize,
}

const VALUE_FORMS: &str =
    r#"a "quoted" string, a number, a date (YYYY-MM-DD), true, false or null"#;

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.next]
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.next].clone();
        if token.kind != Tok::End {
            self.next += 1;
        }
        token
    }

    fn or(&mut self) -> std::result::Result<Expr, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.peek().kind == Tok::Or {
            self.advance();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> std::result::Result<Expr, SyntaxError> {
        let mut items = vec![self.not()?];
        while self.peek().kind == Tok::And {
            self.advance();
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn not(&mut self) -> std::result::Result<Expr, SyntaxError> {
        match self.peek().kind {
            Tok::Not => {
                self.advance();
                Ok(Expr::Not(Box::new(self.not()?)))
            }
            Tok::Open => {
                let open = self.advance();
                let inner = self.or()?;
                let close = self.advance();
                if close.kind != Tok::Close {
                    return Err(close.error(format!(
                        "expected `)` to close the `(` at column {}, found {}",
                        open.column,
                        close.found()
                    )));
                }
                Ok(inner)
            }
            _ => self.comparison(),
        }
    }

    fn comparison(&mut self) -> std::result::Result<Expr, SyntaxError> {
        let name = self.advance();
        let Tok::Ident(field_name) = &name.kind else {
            return Err(name.error(format!(
                "expected a field name (such as `region` or `orders.total`), found {}",
                name.found()
            )));
        };
        let field = Field::parse(field_name).map_err(|message| name.error(message))?;
        let op_token = self.advance();
        let Tok::Op(op) = op_token.kind else {
            return Err(op_token.error(format!(
                "expected an operator (=, !=, <, <=, >, >= or contains) after `{field_name}`, found {}",
                op_token.found()
            )));
        };
        let value = self.advance();
        let Tok::Literal(literal) = value.kind.clone() else {
            let quote = match &value.kind {
                Tok::Ident(word) => format!(" (text goes in quotes: \"{word}\")"),
                _ => String::new(),
            };
            return Err(value.error(format!(
                "expected a value after `{}`: {VALUE_FORMS}{quote}",
                op.text()
            )));
        };
        let literal = check(&field, op, literal).map_err(|mistake| match mistake {
            Mistake::Operator(message) => op_token.error(message),
            Mistake::Value(message) => value.error(message),
        })?;
        Ok(Expr::Compare(field, op, literal))
    }
}

/// What is wrong with a comparison: the operator for the field, or the value.
enum Mistake {
    Operator(String),
    Value(String),
}

/// Checks that `field op literal` makes sense; returns the literal in the
/// field's type (a quoted date for a date field becomes a date).
fn check(field: &Field, op: Op, literal: Literal) -> std::result::Result<Literal, Mistake> {
    let name = field.name();
    let ty = field.value_type();
    let ordering = !matches!(op, Op::Eq | Op::Ne | Op::Contains);
    match (ty, op) {
        (Type::Number | Type::Date | Type::Keyword(..), Op::Contains) => {
            return Err(Mistake::Operator(format!(
                "`contains` applies to text and lists; `{name}` is neither"
            )));
        }
        (Type::List, Op::Eq | Op::Ne) if literal != Literal::Null => {
            return Err(Mistake::Operator(format!(
                "`{name}` is a list: test it with `{name} contains \"...\"`"
            )));
        }
        (Type::List | Type::Keyword(..), _) if ordering => {
            return Err(Mistake::Operator(format!("only = and != compare `{name}`")));
        }
        _ => {}
    }
    let value_error = |message: String| Err(Mistake::Value(message));
    match (ty, literal) {
        (_, Literal::Null) if ordering || op == Op::Contains => value_error(format!(
            "only `= null` and `!= null` test for a missing `{name}`"
        )),
        (_, Literal::Null) => Ok(Literal::Null),
        (_, Literal::Text(text)) if op == Op::Contains => Ok(Literal::Text(text)),
        (_, _) if op == Op::Contains => value_error(r#"`contains` takes a "quoted" string"#.into()),
        (Type::Keyword(what, names), Literal::Text(text)) => {
            if names.contains(&text.as_str()) {
                Ok(Literal::Text(text))
            } else {
                value_error(format!(
                    "`{text}` is not a {what}: use one of {}",
                    names.join(", ")
                ))
            }
        }
        (Type::Text | Type::Any, Literal::Text(text)) => Ok(Literal::Text(text)),
        (Type::Number | Type::Any, Literal::Number(n)) => Ok(Literal::Number(n)),
        (Type::Date | Type::Any, Literal::Date(d)) => Ok(Literal::Date(d)),
        (Type::Date, Literal::Text(text)) => {
            parse_date(&text).map(Literal::Date).map_err(Mistake::Value)
        }
        (Type::Any, Literal::Bool(b)) if !ordering => Ok(Literal::Bool(b)),
        (ty, _) => value_error(format!(
            "`{name}` takes {}",
            match ty {
                Type::Text | Type::Keyword(..) | Type::List => r#"a "quoted" string"#,
                Type::Number => "a number",
                Type::Date => "a date (YYYY-MM-DD)",
                Type::Any => "a string, number, date or, with = and !=, true or false",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{contact, customer, dataset, date, deal, dec, order};

    fn error(text: &str) -> (usize, String) {
        let e = Filter::parse(text).expect_err(text);
        (e.column, e.message)
    }

    #[track_caller]
    fn fails_at(text: &str, column: usize, message_start: &str) {
        let (at, message) = error(text);
        assert_eq!(at, column, "{text}: {message}");
        assert!(message.starts_with(message_start), "{text}: {message}");
    }

    #[test]
    fn syntax_errors_say_where_and_what_was_expected() {
        fails_at(
            "",
            1,
            "expected a field name (such as `region` or `orders.total`), found the end of the filter",
        );
        fails_at(
            "regoin = \"EU\"",
            1,
            "unknown field `regoin`: did you mean `region`?",
        );
        fails_at(
            "region \"EU\"",
            8,
            "expected an operator (=, !=, <, <=, >, >= or contains) after `region`, found `\"EU\"`",
        );
        fails_at("region = EU", 10, "expected a value after `=`");
        assert!(
            error("region = EU")
                .1
                .ends_with("(text goes in quotes: \"EU\")")
        );
        fails_at(
            "region = \"EU",
            10,
            "unterminated string: add the closing \"",
        );
        fails_at(
            "(region = \"EU\" or kind = \"person\"",
            34,
            "expected `)` to close the `(` at column 1, found the end of the filter",
        );
        fails_at(
            "region = \"EU\" extra",
            15,
            "expected `and`, `or` or the end of the filter, found `extra`",
        );
        fails_at("orders.total > 1 and", 21, "expected a field name");
        fails_at("orders.total >= \"x\"", 17, "`orders.total` takes a number");
        fails_at("created > 2026-13-01", 11, "`2026-13-01` is not a date");
        fails_at("orders.total > 1x", 16, "`1x` is not a number");
        fails_at("region # \"EU\"", 8, "unexpected character `#`");
        fails_at(
            "tags = \"vip\"",
            6,
            "`tags` is a list: test it with `tags contains \"...\"`",
        );
        fails_at("stage < \"lead\"", 7, "only = and != compare `stage`");
        fails_at(
            "tags contains 3",
            15,
            "`contains` takes a \"quoted\" string",
        );
        fails_at(
            "kind = \"company\"",
            8,
            "`company` is not a customer kind: use one of person, organization",
        );
        fails_at(
            "rfm.segment = \"at-risk\"",
            15,
            "`at-risk` is not a RFM segment",
        );
        fails_at(
            "orders.count contains \"1\"",
            14,
            "`contains` applies to text and lists",
        );
        fails_at("income > null", 10, "only `= null` and `!= null`");
        fails_at(") and", 1, "expected a field name");
        // Columns count characters, not bytes.
        fails_at(
            "name = \"Müller\" and regoin = \"x\"",
            21,
            "unknown field `regoin`",
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tightest() {
        let parsed = Filter::parse("a.x = 1").map(|_| ());
        assert!(parsed.is_err(), "unknown fields are refused");
        let filter = Filter::parse("id = \"a\" or id = \"b\" and not id = \"b\"").unwrap();
        let Expr::Or(items) = &filter.expr else {
            panic!("{filter:?}")
        };
        assert!(matches!(items[0], Expr::Compare(Field::Id, Op::Eq, _)));
        let Expr::And(inner) = &items[1] else {
            panic!("{filter:?}")
        };
        assert!(matches!(inner[1], Expr::Not(_)));
        // Keywords are case-insensitive, and `==` is `=`.
        assert_eq!(
            Filter::parse("ID == \"a\"").map(|_| ()).unwrap_err().column,
            1,
            "field names are not"
        );
        assert_eq!(
            Filter::parse("id == 'a' OR NOT (id = \"b\")").unwrap(),
            Filter::parse("id = \"a\" or not id = \"b\"").unwrap()
        );
    }

    /// The ids of the customers of the fixture that `text` selects as of 2026-06-30.
    fn select(text: &str) -> Vec<String> {
        let mut a = customer("a");
        a.region = Some("EU".into());
        a.tags = vec!["vip".into(), "press".into()];
        a.birth_year = Some(1990);
        a.income = Some(dec("42000"));
        a.created = Some(date("2025-01-15"));
        a.fields.insert("industry".into(), "retail".into());
        a.fields.insert("employees".into(), 12.into());
        a.fields.insert("partner".into(), true.into());
        a.fields.insert("since".into(), "2020-05-01".into());
        let mut b = customer("b");
        b.region = Some("US".into());
        b.name = "Bea Müller".into();
        let c = customer("c");
        let mut data = dataset(
            vec![a, b, c],
            vec![
                order("a", "2026-01-10", "700"),
                order("a", "2026-06-30", "400"),
                order("b", "2026-03-01", "50"),
                // After the as-of date: ignored.
                order("c", "2026-07-01", "5000"),
            ],
        );
        data.interactions = vec![contact("b", "2026-06-01"), contact("b", "2026-01-01")];
        data.deals = vec![
            deal("d1", "c", "2026-05-01", "900", None),
            deal("d2", "a", "2026-02-01", "300", Some("2026-03-01")),
        ];
        customers_matching(&data, date("2026-06-30"), text)
            .unwrap()
            .into_iter()
            .map(|c| c.id.clone())
            .collect()
    }

    #[test]
    fn fields_compare_by_type_and_missing_values_only_differ() {
        assert_eq!(select("region = \"EU\""), ["a"]);
        // c has no region: != holds for it, as `not (region = "EU")` does.
        assert_eq!(select("region != \"EU\""), ["b", "c"]);
        assert_eq!(select("not region = \"EU\""), ["b", "c"]);
        assert_eq!(select("region = null"), ["c"]);
        assert_eq!(select("region != null"), ["a", "b"]);
        assert_eq!(select("region < \"F\""), ["a"]);
        assert_eq!(select("tags contains \"vip\""), ["a"]);
        assert_eq!(select("tags = null"), ["b", "c"]);
        assert_eq!(select("name contains \"Müll\""), ["b"]);
        assert_eq!(select("income >= 42000 and income < 42000.01"), ["a"]);
        assert_eq!(select("created <= 2025-01-15"), ["a"]);
        assert_eq!(select("created < \"2025-01-15\""), Vec::<String>::new());
        // Age as of 2026: 2026 - 1990 = 36, in the default band 35-44.
        assert_eq!(select("age = 36 and age_band = \"35-44\""), ["a"]);
        // 42000 is in the default band 20k-50k.
        assert_eq!(select("income_band = \"20k-50k\""), ["a"]);
        assert_eq!(
            select("kind = \"person\" and stage = null"),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn custom_fields_keep_their_type() {
        assert_eq!(select("fields.industry = \"retail\""), ["a"]);
        assert_eq!(select("fields.employees > 10"), ["a"]);
        // A number is not text: the comparison does not hold (and != does).
        assert_eq!(select("fields.employees = \"12\""), Vec::<String>::new());
        assert_eq!(select("fields.partner = true"), ["a"]);
        assert_eq!(select("fields.since < 2021-01-01"), ["a"]);
        assert_eq!(select("fields.nothing != 1"), ["a", "b", "c"]);
    }

    #[test]
    fn computed_figures_count_records_up_to_the_as_of_date() {
        // a: 700 + 400 = 1100 in two orders; b: 50; c's order is after 2026-06-30.
        assert_eq!(select("orders.total >= 1000"), ["a"]);
        assert_eq!(select("orders.count = 0"), ["c"]);
        assert_eq!(select("orders.last = 2026-06-30"), ["a"]);
        assert_eq!(select("orders.first > 2026-02-01"), ["b"]);
        // b's contacts: 2026-06-01 is 29 days before, 2026-01-01 is 180 days before.
        assert_eq!(select("contacts.90d = 1 and contacts.count = 2"), ["b"]);
        assert_eq!(select("contacts.last < 2026-06-02"), ["b"]);
        assert_eq!(select("deals.open = 1 and deals.open_amount = 900"), ["c"]);
        assert_eq!(select("deals.won > 0"), ["a"]);
        // Two buyers, a and b. Recency (days): a 0, b 121 -> ranks a 1, b 2 of n = 2;
        // quintile(1, 2) = 1 and quintile(2, 2) = 5, reversed: r(a) = 5, r(b) = 1.
        // Frequency: b 1, a 2 -> f(b) = 1, f(a) = 5. a: R5 F5 champions; b: R1 F1 hibernating.
        assert_eq!(select("rfm.segment = \"champions\""), ["a"]);
        assert_eq!(
            select("rfm.r = 1 and rfm.f = 1 and rfm.m = 1 and rfm.recency = 121"),
            ["b"]
        );
        assert_eq!(select("rfm.segment = null"), ["c"]);
    }

    #[test]
    fn parse_filter_is_a_usage_error_pointing_at_the_column() {
        let error = parse_filter("orders.total >= ").unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert_eq!(
            error.to_string(),
            "invalid filter at column 17: expected a value after `>=`: a \"quoted\" string, a number, a date (YYYY-MM-DD), true, false or null\n  orders.total >= \n                  ^"
        );
        assert!(error.hint().unwrap().contains("docs/filters.md"));
    }

    #[test]
    fn named_segments_and_their_errors() {
        let mut settings = crate::report::fixture::settings();
        let error = named_segment(&settings, "vip").unwrap_err();
        assert_eq!(error.to_string(), "unknown segment `vip`");
        assert!(error.hint().unwrap().contains("no segments are defined"));
        settings.segments.insert(
            "eu".into(),
            crate::model::settings::Segment {
                filter: "region = \"EU\"".into(),
            },
        );
        settings.segments.insert(
            "big".into(),
            crate::model::settings::Segment {
                filter: "orders.total > 100".into(),
            },
        );
        let error = named_segment(&settings, "vip").unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert_eq!(
            error.hint(),
            Some("the segments in relate.yaml are: big, eu")
        );
        let both = combined(&settings, Some("eu"), Some("orders.count > 1")).unwrap();
        assert_eq!(
            both,
            Some(
                Filter::parse("region = \"EU\"")
                    .unwrap()
                    .and(Filter::parse("orders.count > 1").unwrap())
            )
        );
        assert_eq!(
            both.unwrap().needs(),
            Needs {
                orders: true,
                ..Needs::default()
            }
        );
        assert_eq!(combined(&settings, None, None).unwrap(), None);
    }

    #[test]
    fn the_filters_of_settings_and_campaigns_are_checked() {
        let yaml = "schema: 1\nsegments:\n  vip:\n    where: 'orders.total >='\n";
        let settings: Settings = serde_yaml::from_str(yaml).unwrap();
        let problems = settings_problems(&settings);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("segments: `vip`: column 16: expected a value"),
            "{}",
            problems[0]
        );
        let campaign: crate::model::Campaign =
            serde_yaml::from_str("id: c\nname: C\nchannel: email\nwhere: region =\n").unwrap();
        let problems = record_problems(&campaign, &crate::report::fixture::settings());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "where");
        assert!(
            problems[0].message.starts_with("invalid filter: column"),
            "{}",
            problems[0].message
        );
    }
}
