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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Filter;
    use crate::report::fixture::{customer, dataset, date, dec, order};

    #[test]
    fn quintiles_cut_ranks_like_pandas_qcut() {
        let scores = |n: usize| (1..=n).map(|r| quintile(r, n)).collect::<Vec<_>>();
        // n = 10: edges 1, 2.8, 4.6, 6.4, 8.2, 10.
        assert_eq!(scores(10), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // n = 7: edges 1, 2.2, 3.4, 4.6, 5.8, 7 (rank 6 > 5.8 goes to the last bin).
        assert_eq!(scores(7), [1, 1, 2, 3, 4, 5, 5]);
        // n = 6: edges 1, 2, 3, 4, 5, 6: rank 2 sits on an edge, closed on the right.
        assert_eq!(scores(6), [1, 1, 2, 3, 4, 5]);
        assert_eq!(scores(5), [1, 2, 3, 4, 5]);
        // n = 4: edges 1, 1.6, 2.2, 2.8, 3.4, 4.
        assert_eq!(scores(4), [1, 2, 4, 5]);
        // n = 3: edges 1, 1.4, 1.8, 2.2, 2.6, 3.
        assert_eq!(scores(3), [1, 3, 5]);
        assert_eq!(scores(2), [1, 5]);
        assert_eq!(scores(1), [1]);
    }

    #[test]
    fn grid_covers_every_cell() {
        let grid: Vec<String> = (1..=5)
            .rev()
            .map(|r| {
                (1..=5)
                    .map(|f| Segment::of(r, f).as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            grid,
            [
                "new_customers potential_loyalists potential_loyalists champions champions",
                "promising potential_loyalists potential_loyalists loyal_customers loyal_customers",
                "about_to_sleep about_to_sleep need_attention loyal_customers loyal_customers",
                "hibernating hibernating at_risk at_risk cant_lose",
                "hibernating hibernating at_risk at_risk cant_lose",
            ]
        );
    }

    /// Six buyers with ties in every measure, as of 2026-06-30.
    fn tied() -> crate::model::Dataset {
        dataset(
            ["a", "b", "c", "d", "e", "f", "g"].map(customer).to_vec(),
            vec![
                order("a", "2026-06-30", "100"),
                order("b", "2026-06-30", "100"),
                order("c", "2026-05-01", "50"),
                order("c", "2026-06-01", "50"),
                order("d", "2026-01-01", "10"),
                order("d", "2026-02-01", "10"),
                order("d", "2026-03-02", "10"),
                order("e", "2025-06-30", "500"),
                order("f", "2026-06-01", "1"),
                order("f", "2026-06-01", "1"),
            ],
        )
    }

    fn row(
        customer: &str,
        recency: i64,
        frequency: u64,
        monetary: &str,
        rfm: [u8; 3],
        segment: Segment,
    ) -> RfmRow {
        RfmRow {
            customer: customer.into(),
            recency_days: recency,
            frequency,
            monetary: dec(monetary),
            r: rfm[0],
            f: rfm[1],
            m: rfm[2],
            segment,
        }
    }

    #[test]
    fn ties_are_broken_by_customer_id() {
        let data = tied();
        let report = report(&Scope::all(&data, date("2026-06-30")));
        // n = 6 buyers (g has no order), so rank bins are [1, 1, 2, 3, 4, 5].
        // Recency (days): a 0, b 0, c 29, f 29, d 120 (Mar 2 -> Jun 30: 29 + 30 + 31 + 30),
        //   e 365; in that order (ties by id) bins 1 1 2 3 4 5, reversed R = 5 5 4 3 2 1.
        // Frequency: a 1, b 1, e 1, c 2, f 2, d 3 -> F = 1 1 2 3 4 5.
        // Monetary: f 2, d 30, a 100, b 100, c 100, e 500 -> M = 1 1 2 3 4 5.
        // a and b are equal in every measure, yet a ranks before b: M 2 and 3.
        use Segment::*;
        assert_eq!(
            report.rows,
            [
                row("a", 0, 1, "100", [5, 1, 2], NewCustomers),
                row("b", 0, 1, "100", [5, 1, 3], NewCustomers),
                row("c", 29, 2, "100", [4, 3, 4], PotentialLoyalists),
                row("d", 120, 3, "30", [2, 5, 1], CantLose),
                row("e", 365, 1, "500", [1, 2, 5], Hibernating),
                row("f", 29, 2, "2", [3, 4, 1], LoyalCustomers),
            ]
        );
    }

    #[test]
    fn a_filter_picks_rows_without_changing_scores() {
        let data = tied();
        let filter = Filter::parse("id = \"e\" or id = \"g\"").unwrap();
        let report = report(&Scope::new(&data, date("2026-06-30"), Some(&filter)));
        assert_eq!(
            report.rows,
            [row("e", 365, 1, "500", [1, 2, 5], Segment::Hibernating)]
        );
    }

    #[test]
    fn summary_per_segment_in_grid_order() {
        let data = tied();
        let summary = summary(&report(&Scope::all(&data, date("2026-06-30"))));
        let names: Vec<&str> = summary.rows.iter().map(|r| r.segment.as_str()).collect();
        assert_eq!(names, Segment::NAMES);
        let new = &summary.rows[3];
        // a and b: 2 of 6 customers, revenue 100 + 100, recency (0 + 0) / 2, frequency 1.
        assert_eq!(
            new,
            &SummaryRow {
                segment: Segment::NewCustomers,
                customers: 2,
                share: Some(2.0 / 6.0),
                revenue: dec("200"),
                avg_recency_days: Some(0.0),
                avg_frequency: Some(1.0),
                avg_monetary: Some(dec("100")),
            }
        );
        let champions = &summary.rows[0];
        assert_eq!(champions.customers, 0);
        assert_eq!(champions.share, Some(0.0));
        assert_eq!(champions.avg_monetary, None);
    }

    #[test]
    fn a_single_customer_and_an_empty_store() {
        let data = dataset(
            vec![customer("solo")],
            vec![order("solo", "2026-06-20", "10")],
        );
        // One rank among one: the first bin for all three; R reversed is 5: new customer.
        assert_eq!(
            report(&Scope::all(&data, date("2026-06-30"))).rows,
            [row("solo", 10, 1, "10", [5, 1, 1], Segment::NewCustomers)]
        );
        let empty = dataset(Vec::new(), Vec::new());
        let report = report(&Scope::all(&empty, date("2026-06-30")));
        assert!(report.rows.is_empty());
        let summary = summary(&report);
        assert!(
            summary
                .rows
                .iter()
                .all(|r| r.customers == 0 && r.share.is_none())
        );
    }
}
