//! `report loyalty`: do customers come back? Repeat purchase rate, customers at
//! risk of churn, monthly cohort retention, and the Net Promoter Score.
//! Formulas and sources: docs/analytics.md.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Report, Scope, ratio};
use crate::model::Interaction;
use crate::model::interaction::QUESTIONNAIRE;
use crate::model::values::{decimal, utc_date};
use crate::output::{Cell, Section, Table};

/// The headline figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoyaltySummary {
    /// Selected customers with at least one order.
    pub customers: u64,
    /// Of those, customers with two orders or more.
    pub repeat_customers: u64,
    pub repeat_rate: Option<f64>,
    /// Customers flagged at risk of churn.
    pub at_risk: u64,
    #[serde(with = "decimal")]
    pub churn_factor: Decimal,
    /// Customers whose latest questionnaire answer has a score.
    pub responses: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// Percent promoters minus percent detractors, -100 to 100.
    pub nps: Option<f64>,
}

/// A customer at risk of churn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRisk {
    pub customer: String,
    pub orders: u64,
    pub last_order: NaiveDate,
    pub days_since_last: i64,
    /// Median days between the customer's order days.
    #[serde(with = "decimal")]
    pub median_gap_days: Decimal,
    /// churn_factor x median gap: more days than this without an order is a risk.
    #[serde(with = "decimal")]
    pub threshold_days: Decimal,
}

/// One monthly cohort: the customers whose first order fell in a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    /// The month, as YYYY-MM.
    pub cohort: String,
    pub customers: u64,
    /// Share of the cohort ordering in the cohort's month (always 1), the month
    /// after, and so on up to the as-of month.
    pub retention: Vec<f64>,
}

/// `report loyalty`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoyaltyReport {
    pub summary: LoyaltySummary,
    pub at_risk: Vec<AtRisk>,
    pub cohorts: Vec<Cohort>,
}

/// Months since year 0: consecutive months differ by one.
fn month_index(date: NaiveDate) -> i32 {
    date.year() * 12 + date.month0() as i32
}

fn month_label(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// The median of sorted values, exactly (the mean of the middle two for an even count).
fn median(sorted: &[i64]) -> Option<Decimal> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(Decimal::from(sorted[n / 2])),
        _ => Some(Decimal::from(sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO),
    }
}

/// The loyalty figures of the selected customers. `churn_factor` is k: a customer
/// with at least two order days is at risk when the days since the last order
/// exceed k x the median gap between order days.
pub fn report(scope: &Scope, churn_factor: Decimal) -> LoyaltyReport {
    let mut order_days: HashMap<&str, (u64, BTreeSet<NaiveDate>)> = HashMap::new();
    for order in scope.orders() {
        let entry = order_days.entry(order.customer.as_str()).or_default();
        entry.0 += 1;
        entry.1.insert(utc_date(&order.at));
    }
    let customers = order_days.len() as u64;
    let repeat_customers = order_days.values().filter(|(n, _)| *n >= 2).count() as u64;
    let at_risk = at_risk(&order_days, scope.as_of, churn_factor);
    let cohorts = cohorts(&order_days, scope.as_of);
    let scores = latest_scores(scope.interactions());
    let count = |range: std::ops::RangeInclusive<u8>| {
        scores.values().filter(|s| range.contains(s)).count() as u64
    };
    let (promoters, passives, detractors) = (count(9..=10), count(7..=8), count(0..=6));
    let responses = scores.len() as u64;
    let nps = ratio(promoters, responses)
        .zip(ratio(detractors, responses))
        .map(|(p, d)| 100.0 * (p - d));
    LoyaltyReport {
        summary: LoyaltySummary {
            customers,
            repeat_customers,
            repeat_rate: ratio(repeat_customers, customers),
            at_risk: at_risk.len() as u64,
            churn_factor,
            responses,
            promoters,
            passives,
            detractors,
            nps,
        },
        at_risk,
        cohorts,
    }
}

/// Customers overdue by their own rhythm, the most overdue first.
fn at_risk(
    order_days: &HashMap<&str, (u64, BTreeSet<NaiveDate>)>,
    as_of: NaiveDate,
    churn_factor: Decimal,
) -> Vec<AtRisk> {
    let mut rows: Vec<AtRisk> = order_days
        .iter()
        .filter_map(|(customer, (orders, days))| {
            let days: Vec<NaiveDate> = days.iter().copied().collect();
            let mut gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
            gaps.sort_unstable();
            let median_gap_days = median(&gaps)?;
            let last_order = *days.last()?;
            let days_since_last = (as_of - last_order).num_days();
            let threshold_days = churn_factor * median_gap_days;
            (Decimal::from(days_since_last) > threshold_days).then(|| AtRisk {
                customer: customer.to_string(),
                orders: *orders,
                last_order,
                days_since_last,
                median_gap_days,
                threshold_days,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        let overdue =
            |r: &AtRisk| Decimal::from(r.days_since_last) / r.threshold_days.max(Decimal::ONE);
        overdue(b)
            .cmp(&overdue(a))
            .then_with(|| a.customer.cmp(&b.customer))
    });
    rows
}

/// Monthly cohorts by first order, oldest first.
fn cohorts(
    order_days: &HashMap<&str, (u64, BTreeSet<NaiveDate>)>,
    as_of: NaiveDate,
) -> Vec<Cohort> {
    let last_month = month_index(as_of);
    // cohort month -> (size, customers ordering per month offset)
    let mut table: BTreeMap<i32, (u64, Vec<u64>)> = BTreeMap::new();
    for (_, days) in order_days.values() {
        let months: BTreeSet<i32> = days.iter().map(|d| month_index(*d)).collect();
        let Some(&first) = months.first() else {
            continue;
        };
        let span = (last_month - first + 1).max(1) as usize;
        let entry = table.entry(first).or_insert_with(|| (0, vec![0; span]));
        entry.0 += 1;
        for month in months {
            if let Some(slot) = entry.1.get_mut((month - first) as usize) {
                *slot += 1;
            }
        }
    }
    table
        .into_iter()
        .map(|(month, (size, active))| Cohort {
            cohort: month_label(month),
            customers: size,
            retention: active.iter().map(|&n| n as f64 / size as f64).collect(),
        })
        .collect()
}

/// Each customer's latest questionnaire score.
fn latest_scores<'a>(interactions: impl Iterator<Item = &'a Interaction>) -> HashMap<&'a str, u8> {
    let mut latest: HashMap<&str, (&Interaction, u8)> = HashMap::new();
    for interaction in interactions {
        let Some(score) = interaction.score else {
            continue;
        };
        if interaction.channel != QUESTIONNAIRE {
            continue;
        }
        let entry = latest
            .entry(interaction.customer.as_str())
            .or_insert((interaction, score));
        if (interaction.at, &interaction.id) > (entry.0.at, &entry.0.id) {
            *entry = (interaction, score);
        }
    }
    latest
        .into_iter()
        .map(|(id, (_, score))| (id, score))
        .collect()
}

impl Report for LoyaltyReport {
    fn sections(&self) -> Vec<Section> {
        let s = &self.summary;
        let mut summary = Table::new(&["figure", "value"]);
        let figures: [(&str, Cell); 10] = [
            ("customers", Cell::Int(s.customers as i64)),
            ("repeat_customers", Cell::Int(s.repeat_customers as i64)),
            ("repeat_rate", s.repeat_rate.into()),
            ("at_risk", Cell::Int(s.at_risk as i64)),
            ("churn_factor", Cell::Number(s.churn_factor)),
            ("responses", Cell::Int(s.responses as i64)),
            ("promoters", Cell::Int(s.promoters as i64)),
            ("passives", Cell::Int(s.passives as i64)),
            ("detractors", Cell::Int(s.detractors as i64)),
            ("nps", s.nps.into()),
        ];
        for (figure, value) in figures {
            summary.push(vec![Cell::text(figure), value]);
        }

        let mut at_risk = Table::new(&[
            "customer",
            "orders",
            "last_order",
            "days_since_last",
            "median_gap_days",
            "threshold_days",
        ]);
        for r in &self.at_risk {
            at_risk.push(vec![
                Cell::text(&r.customer),
                Cell::Int(r.orders as i64),
                Cell::Date(r.last_order),
                Cell::Int(r.days_since_last),
                Cell::Number(r.median_gap_days),
                Cell::Number(r.threshold_days),
            ]);
        }

        let months = self
            .cohorts
            .iter()
            .map(|c| c.retention.len())
            .max()
            .unwrap_or(0);
        let month_columns: Vec<String> = (0..months).map(|m| format!("m{m}")).collect();
        let columns: Vec<&str> = ["cohort", "customers"]
            .into_iter()
            .chain(month_columns.iter().map(String::as_str))
            .collect();
        let mut cohorts = Table::new(&columns);
        for c in &self.cohorts {
            let mut row = vec![Cell::text(&c.cohort), Cell::Int(c.customers as i64)];
            row.extend((0..months).map(|m| c.retention.get(m).copied().into()));
            cohorts.push(row);
        }
        vec![
            Section::new("summary", "Loyalty", summary),
            Section::new("at-risk", "At risk of churn", at_risk),
            Section::new("cohorts", "Monthly cohort retention", cohorts),
        ]
    }
}
