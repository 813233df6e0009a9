//! `report rfm`: each customer's RFM figures, scores and segment, and a
//! summary per segment. The scoring is `figures::rfm`; formulas and sources:
//! docs/analytics.md.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Report, Scope, mean_money};
use crate::figures::orders::order_stats;
use crate::figures::rfm::{Segment, score};
use crate::model::values::decimal;
use crate::output::chart::{Bars, Chart, HeatMap, Series, Unit};
use crate::output::{Cell, Section, Table};

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
    let orders = order_stats(&data.orders, scope.as_of);
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
    fn title(&self) -> String {
        "RFM scores".into()
    }

    /// The R x F grid: how many customers have each pair of scores, the
    /// best recency at the top.
    fn charts(&self) -> Vec<Chart> {
        let scores = [5u8, 4, 3, 2, 1];
        let cells = (scores.iter())
            .map(|&r| {
                (1..=5u8)
                    .map(|f| {
                        let count = self.rows.iter().filter(|row| row.r == r && row.f == f);
                        Some(count.count() as f64)
                    })
                    .collect()
            })
            .collect();
        vec![Chart::HeatMap(HeatMap {
            title: "Customers per recency and frequency score".into(),
            row_title: "recency score (5: most recent)".into(),
            column_title: "frequency score (5: most orders)".into(),
            rows: scores.iter().map(|r| format!("R {r}")).collect(),
            columns: (1..=5).map(|f| format!("F {f}")).collect(),
            cells,
            unit: Unit::Count,
        })]
    }

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
                Cell::Money(row.monetary),
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
    fn title(&self) -> String {
        "RFM segments".into()
    }

    fn charts(&self) -> Vec<Chart> {
        vec![Chart::Bars(Bars {
            title: "Customers per RFM segment".into(),
            categories: self
                .rows
                .iter()
                .map(|r| r.segment.as_str().to_string())
                .collect(),
            bars: vec![Series::new(
                "customers",
                self.rows.iter().map(|r| Some(r.customers as f64)).collect(),
            )],
            line: None,
            notes: Vec::new(),
            unit: Unit::Count,
            horizontal: true,
        })]
    }

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
                Cell::Money(row.revenue),
                row.avg_recency_days.into(),
                row.avg_frequency.into(),
                Cell::money(row.avg_monetary),
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
