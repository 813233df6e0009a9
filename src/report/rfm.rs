//! RFM analysis (Hughes 1994): recency, frequency and monetary value of each
//! customer's orders, scored 1 to 5 by quintile of rank, and the customer's
//! segment on the R x F grid. Formulas and sources: docs/analytics.md.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

use super::facts::OrderStats;
use super::{Report, Scope, mean_money};
use crate::model::Customer;
use crate::model::values::decimal;
use crate::output::{Cell, Section, Table};

keyword_enum! {
    /// The ten segments of the R x F grid, best first.
    Segment "RFM segment" {
        Champions => "champions",
        LoyalCustomers => "loyal_customers",
        PotentialLoyalists => "potential_loyalists",
        NewCustomers => "new_customers",
        Promising => "promising",
        NeedAttention => "need_attention",
        AboutToSleep => "about_to_sleep",
        AtRisk => "at_risk",
        CantLose => "cant_lose",
        Hibernating => "hibernating",
    }
}

impl Segment {
    pub const ALL: [Segment; 10] = [
        Segment::Champions,
        Segment::LoyalCustomers,
        Segment::PotentialLoyalists,
        Segment::NewCustomers,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CantLose,
        Segment::Hibernating,
    ];

    /// The segment of an R score and an F score (docs/analytics.md draws the grid).
    pub fn of(r: u8, f: u8) -> Segment {
        match (r, f) {
            (5, 4..=5) => Segment::Champions,
            (3..=4, 4..=5) => Segment::LoyalCustomers,
            (4..=5, 2..=3) => Segment::PotentialLoyalists,
            (5, 1) => Segment::NewCustomers,
            (4, 1) => Segment::Promising,
            (3, 3) => Segment::NeedAttention,
            (3, 1..=2) => Segment::AboutToSleep,
            (1..=2, 3..=4) => Segment::AtRisk,
            (1..=2, 5) => Segment::CantLose,
            _ => Segment::Hibernating,
        }
    }
}

/// One customer's RFM figures and scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rfm {
    /// Days from the last order to the as-of date.
    pub recency_days: i64,
    /// Number of orders.
    pub frequency: u64,
    /// Sum of the order values.
    pub monetary: Decimal,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
}

/// The quintile (1 to 5) of the 1-based `rank` among `n` ranks, exactly as
/// pandas' `qcut(ranks, 5)` cuts the ranks 1..n: bin edges at
/// 1 + k(n - 1)/5 for k = 0..5, each bin closed on the right, the first also
/// on the left. Rank r falls in the first bin i with r <= 1 + i(n - 1)/5, that
/// is 5(r - 1) <= i(n - 1), computed in integers. (pandas refuses n = 1, its edges
/// not being unique; the lone rank goes to the first bin.)
pub fn quintile(rank: usize, n: usize) -> u8 {
    (1..=5u8)
        .find(|&i| 5 * (rank - 1) <= usize::from(i) * (n.saturating_sub(1)))
        .unwrap_or(5)
}

/// Scores each item 1 to 5 by the quintile of its rank when sorted by `key`
/// (ties broken by the id, ascending, as `rank(method="first")` breaks them in
/// a frame sorted by id).
fn quintile_scores<K: Ord>(ids: &[&str], key: impl Fn(usize) -> K) -> Vec<u8> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)).then_with(|| ids[a].cmp(ids[b])));
    let mut scores = vec![0; ids.len()];
    for (position, &index) in order.iter().enumerate() {
        scores[index] = quintile(position + 1, ids.len());
    }
    scores
}

/// Scores every customer with at least one order, relative to each other, sorted
/// by customer id. `orders` holds order figures up to `as_of`.
pub fn score<'a>(
    customers: &'a [Customer],
    orders: &HashMap<&str, OrderStats>,
    as_of: NaiveDate,
) -> Vec<(&'a str, Rfm)> {
    let mut buyers: Vec<(&str, OrderStats)> = customers
        .iter()
        .filter_map(|c| Some((c.id.as_str(), *orders.get(c.id.as_str())?)))
        .collect();
    buyers.sort_by(|a, b| a.0.cmp(b.0));
    let ids: Vec<&str> = buyers.iter().map(|(id, _)| *id).collect();
    let recency = |i: usize| (as_of - buyers[i].1.last).num_days();
    // Fewest days since the last order rank first; reversed, they score 5.
    let r = quintile_scores(&ids, recency);
    let f = quintile_scores(&ids, |i| buyers[i].1.count);
    let m = quintile_scores(&ids, |i| buyers[i].1.total);
    buyers
        .iter()
        .enumerate()
        .map(|(i, (id, stats))| {
            let r = 6 - r[i];
            let rfm = Rfm {
                recency_days: recency(i),
                frequency: stats.count,
                monetary: stats.total,
                r,
                f: f[i],
                m: m[i],
                segment: Segment::of(r, f[i]),
            };
            (*id, rfm)
        })
        .collect()
}

/// One row of `report rfm`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RfmRow {
    pub customer: String,
    pub recency_days: i64,
    pub frequency: u64,
    #[serde(with = "decimal")]
    pub monetary: Decimal,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
}

/// `report rfm`: one row per selected customer with an order, sorted by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct RfmReport {
    pub rows: Vec<RfmRow>,
}

/// Scores are relative to every customer of the store with an order; the
/// selection only picks the rows shown, so a customer's segment never depends
/// on the filter that shows it.
pub fn report(scope: &Scope) -> RfmReport {
    let data = scope.data;
    let orders = super::facts::order_stats(&data.orders, scope.as_of);
    let rows = score(&data.customers, &orders, scope.as_of)
        .into_iter()
        .filter(|(id, _)| scope.includes(id))
        .map(|(id, rfm)| RfmRow {
            customer: id.to_string(),
            recency_days: rfm.recency_days,
            frequency: rfm.frequency,
            monetary: rfm.monetary,
            r: rfm.r,
            f: rfm.f,
            m: rfm.m,
            segment: rfm.segment,
        })
        .collect();
    RfmReport { rows }
}

impl Report for RfmReport {
    fn sections(&self) -> Vec<Section> {
        let mut table = Table::new(&[
            "customer",
            "recency_days",
            "frequency",
            "monetary",
            "r",
            "f",
            "m",
            "segment",
        ]);
        for row in &self.rows {
            table.push(vec![
                Cell::text(&row.customer),
                Cell::Int(row.recency_days),
                Cell::Int(row.frequency as i64),
                Cell::Number(row.monetary),
                Cell::Int(row.r.into()),
                Cell::Int(row.f.into()),
                Cell::Int(row.m.into()),
                Cell::text(row.segment.as_str()),
            ]);
        }
        vec![Section::new("customers", "RFM scores", table)]
    }
}

/// One segment of `report rfm --summary`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    pub segment: Segment,
    pub customers: u64,
    /// Share of the scored customers.
    pub share: Option<f64>,
    #[serde(with = "decimal")]
    pub revenue: Decimal,
    pub avg_recency_days: Option<f64>,
    pub avg_frequency: Option<f64>,
    #[serde(with = "crate::model::values::opt_decimal")]
    pub avg_monetary: Option<Decimal>,
}

/// `report rfm --summary`: every segment of the grid, in its order, empty ones too.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct RfmSummary {
    pub rows: Vec<SummaryRow>,
}

pub fn summary(report: &RfmReport) -> RfmSummary {
    let scored = report.rows.len();
    let rows = Segment::ALL
        .iter()
        .map(|&segment| {
            let members: Vec<&RfmRow> = report
                .rows
                .iter()
                .filter(|row| row.segment == segment)
                .collect();
            let count = members.len();
            let revenue: Decimal = members.iter().map(|row| row.monetary).sum();
            let average = |sum: f64| (count > 0).then(|| sum / count as f64);
            SummaryRow {
                segment,
                customers: count as u64,
                share: (scored > 0).then(|| count as f64 / scored as f64),
                revenue,
                avg_recency_days: average(members.iter().map(|r| r.recency_days as f64).sum()),
                avg_frequency: average(members.iter().map(|r| r.frequency as f64).sum()),
                avg_monetary: mean_money(revenue, count as u64),
            }
        })
        .collect();
    RfmSummary { rows }
}

impl Report for RfmSummary {
    fn sections(&self) -> Vec<Section> {
        let mut table = Table::new(&[
            "segment",
            "customers",
            "share",
            "revenue",
            "avg_recency_days",
            "avg_frequency",
            "avg_monetary",
        ]);
        for row in &self.rows {
            table.push(vec![
                Cell::text(row.segment.as_str()),
                Cell::Int(row.customers as i64),
                row.share.into(),
                Cell::Number(row.revenue),
                row.avg_recency_days.into(),
                row.avg_frequency.into(),
                row.avg_monetary.into(),
            ]);
        }
        vec![Section::new("segments", "RFM segments", table)]
    }
}
