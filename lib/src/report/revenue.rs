//! `report revenue`: revenue, orders, customers and average order value per
//! period, in total or per group, with the change against the previous period
//! and against the same period a year earlier.
//!
//! Revenue is the orders' value (their total, or the sum of their lines)
//! dated in the period (UTC dates, as every dated record is filed). Grouped by
//! product, category or price segment, an order counts by its lines (an order
//! without lines counts under `(none)`); grouped by a customer field, by its
//! customer's value, and once per item of a list field (tags), so groups may
//! overlap. The last period is partial when the report's end (the as-of date,
//! or --until) is not its last day: its figures run to that day, and its
//! changes compare the same number of days from the start of the earlier
//! periods (month to date against the same days of the month before).

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use super::demand::{GroupBy, Period};
use super::{Report, Scope, mean_money};
use crate::error::{Error, Result};
use crate::filter::Field;
use crate::model::erasure::erased_group;
use crate::model::values::{decimal, opt_decimal, utc_date};
use crate::output::chart::{Bars, Chart, Series, Unit};
use crate::output::{Cell, Section, Table};

/// What revenue is grouped by.
#[derive(Debug, Clone, PartialEq)]
pub enum By {
    /// Each order line by its product, category or price segment, as in `demand`.
    Line(GroupBy),
    /// A customer field, as filters name them (docs/filters.md).
    Customer(Field),
}

impl By {
    /// `product`, `category`, `segment` (the price segment), or a customer field.
    pub fn parse(name: &str) -> Result<By> {
        if let Ok(by) = name.parse::<GroupBy>() {
            return Ok(By::Line(by));
        }
        Field::parse(name).map(By::Customer).map_err(|message| {
            Error::usage(message).with_hint(
                "group by product, category, segment (the price segment) or a customer field",
            )
        })
    }

    pub fn name(&self) -> String {
        match self {
            By::Line(by) => by.as_str().into(),
            By::Customer(field) => field.name().into_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub period: Period,
    pub by: Option<By>,
    /// The first period is the one holding this day [default: 12 weeks or
    /// months, 8 quarters or 5 years, the last one ending with `until`].
    pub since: Option<NaiveDate>,
    /// The last day counted [default: the as-of date].
    pub until: Option<NaiveDate>,
}

/// The figures of a span of days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    #[serde(with = "decimal")]
    pub revenue: Decimal,
    pub orders: u64,
    pub customers: u64,
    /// Average order value: revenue / orders.
    #[serde(with = "opt_decimal")]
    pub aov: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodFigures {
    pub period_start: NaiveDate,
    /// The period runs past the report's end: its figures are to that day.
    pub partial: bool,
    #[serde(flatten)]
    pub figures: Figures,
    /// Revenue against the previous period, as a fraction (0.25 is 25 % more);
    /// null when that one had none.
    pub change_previous: Option<f64>,
    /// Revenue against the same period a year earlier (52 weeks for weeks).
    pub change_year: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRevenue {
    /// The group's value: null for sales without one, and for the total.
    pub group: Option<String>,
    pub periods: Vec<PeriodFigures>,
    /// The figures of every period together.
    pub total: Figures,
}

/// `report revenue`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revenue {
    /// The store's currency (`currency` in relate.yaml), which every amount is in.
    pub currency: String,
    pub period: Period,
    /// What the groups are values of; null without --by.
    pub by: Option<String>,
    pub since: NaiveDate,
    pub until: NaiveDate,
    /// Whether a sale can count in several groups: they then add up to more
    /// than the total.
    pub overlapping: bool,
    pub groups: Vec<GroupRevenue>,
    pub total: GroupRevenue,
}

/// How many periods a report spans when --since is not given.
fn default_span(period: Period) -> u32 {
    match period {
        Period::Week | Period::Month => 12,
        Period::Quarter => 8,
        Period::Year => 5,
    }
}

/// The start of the period `n` periods before the one starting on `start`.
fn back(period: Period, start: NaiveDate, n: u32) -> NaiveDate {
    match period {
        Period::Week => start - chrono::Days::new(7 * u64::from(n)),
        Period::Month => start - Months::new(n),
        Period::Quarter => start - Months::new(3 * n),
        Period::Year => start - Months::new(12 * n),
    }
}

/// One order's value, or a line's, on a day.
struct Sale<'a> {
    day: NaiveDate,
    order: &'a str,
    customer: &'a str,
    amount: Decimal,
}

pub fn revenue(scope: &Scope, params: &Params) -> Result<Revenue> {
    let data = scope.data;
    let until = params.until.unwrap_or(scope.as_of).min(scope.as_of);
    let period = params.period;
    let last = period.start(until);
    let first = match params.since {
        Some(since) => period.start(since),
        None => back(period, last, default_span(period) - 1),
    };
    if first > last {
        return Err(Error::usage(format!(
            "--since {} is after the report's end, {until}",
            params.since.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    // Sales from a year before the first period, which its changes compare with.
    let from = back(period, period.year_before(first), 1);
    let orders: Vec<_> = scope
        .orders()
        .filter(|o| (from..=until).contains(&utc_date(&o.at)))
        .collect();
    let products = data.products_by_id();
    // Only grouping by a customer's field looks customers up.
    let (customers, facts): (HashMap<&str, _>, _) = match &params.by {
        Some(By::Customer(field)) => (
            data.customers.iter().map(|c| (c.id.as_str(), c)).collect(),
            Some(scope.facts(field.needs())),
        ),
        _ => (HashMap::new(), None),
    };
    let mut total: Vec<Sale> = Vec::new();
    // Keyed so that sales without a value come last.
    let mut groups: BTreeMap<(bool, Option<String>), Vec<Sale>> = BTreeMap::new();
    let mut overlapping = false;
    for order in orders {
        let sale = |amount| Sale {
            day: utc_date(&order.at),
            order: &order.id,
            customer: &order.customer,
            amount,
        };
        total.push(sale(order.value()));
        let mut add = |key: Option<String>, amount| {
            groups
                .entry((key.is_none(), key))
                .or_default()
                .push(sale(amount));
        };
        match &params.by {
            None => {}
            Some(By::Customer(field)) => {
                let keys = match (customers.get(order.customer.as_str()), &facts) {
                    (Some(customer), Some(facts)) => field.value(customer, facts).keys(),
                    _ => erased_group(&order.customer).into_iter().collect(),
                };
                overlapping |= keys.len() > 1;
                if keys.is_empty() {
                    add(None, order.value());
                }
                for key in keys {
                    add(Some(key), order.value());
                }
            }
            Some(By::Line(_)) if order.lines.is_empty() => add(None, order.value()),
            Some(By::Line(by)) => {
                for line in &order.lines {
                    let product = products.get(line.product.as_str()).copied();
                    add(
                        by.key_of(&line.product, product, &data.settings),
                        line.amount(),
                    );
                }
            }
        }
    }
    let starts: Vec<NaiveDate> = period.starts(first).take_while(|s| *s <= last).collect();
    let summary = |group: Option<String>, mut sales: Vec<Sale>| {
        sales.sort_by_key(|s| s.day);
        summarize(group, &sales, period, &starts, until)
    };
    Ok(Revenue {
        currency: data.settings.currency.clone(),
        period,
        by: params.by.as_ref().map(By::name),
        since: first,
        until,
        overlapping,
        groups: groups
            .into_iter()
            .map(|((_, key), sales)| summary(key, sales))
            .filter(|g| g.total.orders > 0)
            .collect(),
        total: summary(None, total),
    })
}

/// A group's figures per period, from its sales sorted by day.
fn summarize(
    group: Option<String>,
    sales: &[Sale],
    period: Period,
    starts: &[NaiveDate],
    until: NaiveDate,
) -> GroupRevenue {
    // The days from `from` up to and including `to`.
    let span = |from: NaiveDate, to: NaiveDate| -> Figures {
        let begin = sales.partition_point(|s| s.day < from);
        let end = sales.partition_point(|s| s.day <= to);
        figures(&sales[begin..end])
    };
    let change = |now: &Figures, then: Figures| -> Option<f64> {
        (then.revenue > Decimal::ZERO)
            .then(|| ((now.revenue - then.revenue) / then.revenue).to_f64())
            .flatten()
    };
    let periods = starts
        .iter()
        .map(|&start| {
            // The calendar's last period ends on its last day.
            let full_end = (period.next(start))
                .and_then(|next| next.pred_opt())
                .unwrap_or(NaiveDate::MAX);
            let end = full_end.min(until);
            // Like for like: as many days from the start of the earlier periods.
            let days = chrono::Days::new((end - start).num_days() as u64);
            let figures = span(start, end);
            let previous = back(period, start, 1);
            let year = period.year_before(start);
            PeriodFigures {
                period_start: start,
                partial: end < full_end,
                change_previous: change(&figures, span(previous, previous + days)),
                change_year: change(&figures, span(year, year + days)),
                figures,
            }
        })
        .collect();
    let first = starts.first().copied().unwrap_or(until);
    GroupRevenue {
        group,
        periods,
        total: span(first, until),
    }
}

fn figures(sales: &[Sale]) -> Figures {
    // Counted in sets hashed fast (foldhash): a year of monthly figures
    // hashes each sale's order and customer three times.
    fn distinct<'a>(ids: impl Iterator<Item = &'a str>) -> u64 {
        ids.collect::<foldhash::HashSet<_>>().len() as u64
    }
    let revenue: Decimal = sales.iter().map(|s| s.amount).sum();
    let orders = distinct(sales.iter().map(|s| s.order));
    let customers = distinct(sales.iter().map(|s| s.customer));
    Figures {
        revenue,
        orders,
        customers,
        aov: mean_money(revenue, orders),
    }
}

/// A change as a percentage cell.
fn change_cell(change: Option<f64>) -> Cell {
    change.map(|c| c * 100.0).into()
}

impl Report for Revenue {
    fn title(&self) -> String {
        "Revenue".into()
    }

    /// The total's revenue per period, and the same periods a year earlier
    /// (from the change against them) as a line.
    fn charts(&self) -> Vec<Chart> {
        let periods = &self.total.periods;
        let year_before = |p: &PeriodFigures| {
            let now = p.figures.revenue.to_f64()?;
            p.change_year
                .map(|change| now / (1.0 + change))
                .filter(|v| v.is_finite())
        };
        vec![Chart::Bars(Bars {
            title: format!(
                "Revenue per {} in {} (line: the same {} a year earlier)",
                self.period, self.currency, self.period
            ),
            categories: (periods.iter())
                .map(|p| {
                    let label = self.period.label(p.period_start);
                    if p.partial { label + "*" } else { label }
                })
                .collect(),
            bars: vec![Series::new(
                "revenue",
                periods.iter().map(|p| p.figures.revenue.to_f64()).collect(),
            )],
            line: Some(Series::new(
                "a year earlier",
                periods.iter().map(year_before).collect(),
            )),
            notes: Vec::new(),
            unit: Unit::Money,
            horizontal: false,
        })]
    }

    fn sections(&self) -> Vec<Section> {
        let key = self.by.clone().unwrap_or_else(|| "group".into());
        let label = |p: &PeriodFigures| {
            let mut label = self.period.label(p.period_start);
            if p.partial {
                label.push('*');
            }
            label
        };
        let mut columns = vec![key.clone()];
        columns.extend(self.total.periods.iter().map(label));
        columns.push("total".into());
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut table = Table::new(&names);
        let rows = self.groups.iter().chain(std::iter::once(&self.total));
        let name = |g: &GroupRevenue, is_total: bool| -> Cell {
            match (&g.group, is_total) {
                (_, true) => Cell::text("total"),
                (value, _) => Cell::group(value.as_deref()),
            }
        };
        let last = self.groups.len();
        for (index, group) in rows.clone().enumerate() {
            let mut row = vec![name(group, index == last)];
            row.extend(group.periods.iter().map(|p| Cell::Money(p.figures.revenue)));
            row.push(Cell::Money(group.total.revenue));
            table.push(row);
        }
        let mut title = format!("Revenue per {} ({})", self.period, self.currency);
        if self.total.periods.iter().any(|p| p.partial) {
            title.push_str("; * to the report's last day");
        }
        if self.overlapping {
            title.push_str("; groups overlap, so they add up to more than the total");
        }
        let mut detail = Table::new(&[
            &key,
            "period_start",
            "partial",
            "revenue",
            "orders",
            "customers",
            "aov",
            "change_previous_pct",
            "change_year_pct",
        ]);
        for (index, group) in rows.enumerate() {
            for p in &group.periods {
                detail.push(vec![
                    name(group, index == last),
                    Cell::Date(p.period_start),
                    Cell::text(if p.partial { "yes" } else { "no" }),
                    Cell::Money(p.figures.revenue),
                    Cell::Int(p.figures.orders as i64),
                    Cell::Int(p.figures.customers as i64),
                    Cell::money(p.figures.aov),
                    change_cell(p.change_previous),
                    change_cell(p.change_year),
                ]);
            }
        }
        vec![
            Section::new("revenue", title, table),
            Section::new("periods", "Each period", detail),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dataset;
    use crate::report::fixture::{customer, dataset, date, dec, order, order_lines};

    /// Figures worked out by hand: as of 2026-11-15, November is partial.
    fn store() -> Dataset {
        let mut eu = customer("a");
        eu.region = Some("EU".into());
        let mut us = customer("b");
        us.region = Some("US".into());
        us.tags = vec!["x".into(), "y".into()];
        dataset(
            vec![eu, us],
            vec![
                order("a", "2025-11-04", "40"),
                order("b", "2025-11-20", "1000"),
                order("a", "2026-09-10", "100"),
                order("a", "2026-10-05", "200"),
                order("b", "2026-10-20", "50"),
                order("b", "2026-11-03", "80"),
                order("a", "2026-11-16", "999"),
            ],
        )
    }

    fn run(by: Option<&str>) -> Revenue {
        let as_of = date("2026-11-15");
        let data = store().as_of(as_of);
        let params = Params {
            period: Period::Month,
            by: by.map(|name| By::parse(name).unwrap()),
            since: Some(date("2026-09-20")),
            until: None,
        };
        revenue(&Scope::all(&data, as_of), &params).unwrap()
    }

    fn revenues(group: &GroupRevenue) -> Vec<Decimal> {
        group.periods.iter().map(|p| p.figures.revenue).collect()
    }

    #[test]
    fn periods_changes_and_the_partial_month() {
        let report = run(None);
        assert_eq!(
            (report.since, report.until),
            (date("2026-09-01"), date("2026-11-15"))
        );
        assert!(report.groups.is_empty());
        let total = &report.total;
        assert_eq!(revenues(total), [dec("100"), dec("250"), dec("80")]);
        let partial: Vec<bool> = total.periods.iter().map(|p| p.partial).collect();
        assert_eq!(partial, [false, false, true]);
        let october = &total.periods[1];
        assert_eq!((october.figures.orders, october.figures.customers), (2, 2));
        assert_eq!(october.figures.aov, Some(dec("125")));
        assert_eq!(october.change_previous, Some(1.5));
        assert_eq!(october.change_year, None);
        // November 1-15 against October 1-15 (200) and November 1-15, 2025 (40).
        let november = &total.periods[2];
        assert_eq!(november.change_previous, Some(-0.6));
        assert_eq!(november.change_year, Some(1.0));
        assert_eq!(total.periods[0].change_previous, None);
        assert_eq!(
            total.total,
            Figures {
                revenue: dec("430"),
                orders: 4,
                customers: 2,
                aov: Some(dec("107.5")),
            }
        );
    }

    #[test]
    fn groups_by_a_customer_field_and_say_when_they_overlap() {
        let report = run(Some("region"));
        assert_eq!(report.by.as_deref(), Some("region"));
        assert!(!report.overlapping);
        let groups: Vec<(Option<&str>, Vec<Decimal>)> = (report.groups.iter())
            .map(|g| (g.group.as_deref(), revenues(g)))
            .collect();
        assert_eq!(
            groups,
            [
                (Some("EU"), vec![dec("100"), dec("200"), dec("0")]),
                (Some("US"), vec![dec("0"), dec("50"), dec("80")]),
            ]
        );
        let tags = run(Some("tags"));
        assert!(tags.overlapping);
        let names: Vec<Option<&str>> = tags.groups.iter().map(|g| g.group.as_deref()).collect();
        assert_eq!(names, [Some("x"), Some("y"), None]);
        assert_eq!(tags.groups[0].total.revenue, dec("130"));
        assert_eq!(tags.total.total.revenue, dec("430"));
    }

    #[test]
    fn groups_by_product_count_order_lines() {
        let as_of = date("2026-11-15");
        let mut data = store();
        data.orders.push(order_lines(
            "a",
            "2026-10-07",
            &[("p1", "2", "10"), ("p2", "1", "5")],
        ));
        let data = data.as_of(as_of);
        let params = Params {
            period: Period::Quarter,
            by: Some(By::parse("product").unwrap()),
            since: None,
            until: Some(date("2026-10-31")),
        };
        let report = revenue(&Scope::all(&data, as_of), &params).unwrap();
        assert_eq!(report.until, date("2026-10-31"));
        assert_eq!(report.since, date("2025-01-01"), "8 quarters");
        let last: Vec<(Option<&str>, Decimal)> = (report.groups.iter())
            .map(|g| {
                (
                    g.group.as_deref(),
                    g.periods.last().unwrap().figures.revenue,
                )
            })
            .collect();
        // Q4 to 31 October: the lines, then the orders without lines.
        assert_eq!(
            last,
            [
                (Some("p1"), dec("20")),
                (Some("p2"), dec("5")),
                (None, dec("250"))
            ]
        );
        assert_eq!(report.total.periods.last().unwrap().figures.orders, 3);
        assert_eq!(Period::Quarter.label(date("2026-10-01")), "2026-Q4");
        assert_eq!(Period::Week.label(date("2026-01-05")), "2026-W02");
        assert!(By::parse("regoin").is_err());
    }
}
