//! `report segments`: the customer base cut into groups (the named segments of
//! relate.yaml, or the values of some fields) with each group's size, sales,
//! contacts and open deals.

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

use super::facts::{Facts, Needs};
use super::{Report, Scope, mean_money, ratio};
use crate::error::Result;
use crate::filter::{Field, Filter, parse_filter};
use crate::model::Customer;
use crate::model::values::{decimal, opt_decimal};
use crate::output::{Cell, Section, Table};

/// The column of the named segment in rows grouped by segment.
pub const SEGMENT_KEY: &str = "segment";
/// The one group when no segment is defined and no field is given.
pub const EVERYONE: &str = "all";

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    /// The group: the segment's name under `segment`, or each `--by` field's value
    /// (null when the customer has none).
    #[serde(flatten)]
    pub keys: BTreeMap<String, Option<String>>,
    pub customers: u64,
    /// Share of the selected customers.
    pub share: Option<f64>,
    pub orders: u64,
    #[serde(with = "decimal")]
    pub revenue: Decimal,
    /// Average order value: revenue / orders.
    #[serde(with = "opt_decimal")]
    pub aov: Option<Decimal>,
    #[serde(with = "opt_decimal")]
    pub revenue_per_customer: Option<Decimal>,
    /// Contacts logged in the 90 days ending on the as-of date.
    pub contacts_90d: u64,
    pub open_deals: u64,
    #[serde(with = "decimal")]
    pub open_amount: Decimal,
}

/// `report segments`: one row per group, in key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct SegmentsReport {
    /// The names of the key columns, in order.
    #[serde(skip)]
    pub key_columns: Vec<String>,
    pub rows: Vec<SegmentRow>,
}

/// How customers are grouped.
enum Grouping {
    Segments(Vec<(String, Filter)>),
    Fields(Vec<Field>),
}

impl Grouping {
    fn needs(&self) -> Needs {
        match self {
            Grouping::Segments(segments) => segments
                .iter()
                .fold(Needs::default(), |needs, (_, f)| needs.union(f.needs())),
            Grouping::Fields(fields) => fields
                .iter()
                .fold(Needs::default(), |needs, f| needs.union(f.needs())),
        }
    }

    fn columns(&self) -> Vec<String> {
        match self {
            Grouping::Segments(_) => vec![SEGMENT_KEY.to_string()],
            Grouping::Fields(fields) => fields.iter().map(|f| f.name().into_owned()).collect(),
        }
    }

    /// The groups a customer belongs to: every segment it matches, or one group
    /// per combination of its field values (a list field gives one per item).
    fn keys_of(&self, customer: &Customer, facts: &Facts) -> Vec<Vec<Option<String>>> {
        match self {
            Grouping::Segments(segments) => segments
                .iter()
                .filter(|(_, filter)| filter.matches(customer, facts))
                .map(|(name, _)| vec![Some(name.clone())])
                .collect(),
            Grouping::Fields(fields) => {
                let mut combinations = vec![Vec::new()];
                for field in fields {
                    let keys = field.value(customer, facts).keys();
                    let choices: Vec<Option<String>> = if keys.is_empty() {
                        vec![None]
                    } else {
                        keys.into_iter().map(Some).collect()
                    };
                    combinations = combinations
                        .iter()
                        .flat_map(|prefix| {
                            choices.iter().map(move |choice| {
                                let mut keys = prefix.clone();
                                keys.push(choice.clone());
                                keys
                            })
                        })
                        .collect();
                }
                combinations
            }
        }
    }
}

#[derive(Default)]
struct Totals {
    customers: u64,
    orders: u64,
    revenue: Decimal,
    contacts_90d: u64,
    open_deals: u64,
    open_amount: Decimal,
}

/// Groups the selected customers by `by` (field names, see docs/filters.md), or
/// without fields by the named segments of relate.yaml (a customer counts in
/// each segment it matches), or, with neither, into one group `all`.
pub fn report(scope: &Scope, by: &[Field]) -> Result<SegmentsReport> {
    let settings = &scope.data.settings;
    let grouping = if !by.is_empty() {
        Grouping::Fields(by.to_vec())
    } else if settings.segments.is_empty() {
        Grouping::Segments(vec![(EVERYONE.to_string(), Filter::everyone())])
    } else {
        let segments = settings
            .segments
            .iter()
            .map(|(name, segment)| Ok((name.clone(), parse_filter(&segment.filter)?)))
            .collect::<Result<_>>()?;
        Grouping::Segments(segments)
    };
    let sales = Needs {
        orders: true,
        contacts: true,
        deals: true,
        rfm: false,
    };
    let facts = scope.facts(sales.union(grouping.needs()));
    let mut groups: BTreeMap<Vec<Option<String>>, Totals> = BTreeMap::new();
    if let Grouping::Segments(segments) = &grouping {
        // Every segment gets a row, empty ones too.
        for (name, _) in segments {
            groups.insert(vec![Some(name.clone())], Totals::default());
        }
    }
    let mut selected = 0;
    for customer in scope.customers() {
        selected += 1;
        let id = customer.id.as_str();
        let orders = facts.orders.get(id);
        let contacts = facts.contacts.get(id);
        let deals = facts.deals.get(id);
        for keys in grouping.keys_of(customer, &facts) {
            let totals = groups.entry(keys).or_default();
            totals.customers += 1;
            totals.orders += orders.map_or(0, |s| s.count);
            totals.revenue += orders.map_or(Decimal::ZERO, |s| s.total);
            totals.contacts_90d += contacts.map_or(0, |s| s.recent);
            totals.open_deals += deals.map_or(0, |s| s.open);
            totals.open_amount += deals.map_or(Decimal::ZERO, |s| s.open_amount);
        }
    }
    let key_columns = grouping.columns();
    let rows = groups
        .into_iter()
        .map(|(keys, t)| SegmentRow {
            keys: key_columns.iter().cloned().zip(keys).collect(),
            customers: t.customers,
            share: ratio(t.customers, selected),
            orders: t.orders,
            revenue: t.revenue,
            aov: mean_money(t.revenue, t.orders),
            revenue_per_customer: mean_money(t.revenue, t.customers),
            contacts_90d: t.contacts_90d,
            open_deals: t.open_deals,
            open_amount: t.open_amount,
        })
        .collect();
    Ok(SegmentsReport { key_columns, rows })
}

impl Report for SegmentsReport {
    fn sections(&self) -> Vec<Section> {
        let figures = [
            "customers",
            "share",
            "orders",
            "revenue",
            "aov",
            "revenue_per_customer",
            "contacts_90d",
            "open_deals",
            "open_amount",
        ];
        let columns: Vec<&str> = self
            .key_columns
            .iter()
            .map(String::as_str)
            .chain(figures)
            .collect();
        let mut table = Table::new(&columns);
        for row in &self.rows {
            let mut cells: Vec<Cell> = self
                .key_columns
                .iter()
                .map(|column| row.keys.get(column).cloned().flatten().into())
                .collect();
            cells.extend([
                Cell::Int(row.customers as i64),
                row.share.into(),
                Cell::Int(row.orders as i64),
                Cell::Number(row.revenue),
                row.aov.into(),
                row.revenue_per_customer.into(),
                Cell::Int(row.contacts_90d as i64),
                Cell::Int(row.open_deals as i64),
                Cell::Number(row.open_amount),
            ]);
            table.push(cells);
        }
        vec![Section::new("segments", "Segments", table)]
    }
}
