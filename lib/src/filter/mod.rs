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
//!
//! - [`field`]: the fields a filter can test, their types and their values for a customer;
//! - `lex` and `parse`: from text to a checked expression;
//! - this module: [`Filter`] itself, evaluation, and the checks of the filters
//!   relate.yaml and campaigns hold.

pub mod field;
mod lex;
mod parse;

use field::satisfies;
pub use field::{Field, Value};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, Result};
use crate::figures::facts::{Facts, Needs};
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
        Ok(Filter {
            expr: parse::expression(text)?,
        })
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
            .map(|c| c.id.to_string())
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
        assert!(matches!(error, Error::Usage { .. }), "{error:?}");
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
        assert!(matches!(error, Error::Usage { .. }), "{error:?}");
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
        let yaml = "schema: 1\npipeline:\n- stage: a\n  probability: 0.5\nsegments:\n  vip:\n    where: 'orders.total >='\n";
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
