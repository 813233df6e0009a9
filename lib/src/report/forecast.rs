//! `report forecast`: the open pipeline by expected close month.
//!
//! For the deals open on the as-of date: the weighted amount (amount x the
//! probability of the stage they are in), the best case (every open deal won:
//! the sum of amounts) and the commit (the amounts of deals in stages marked
//! `commit: true`). Formulas and sources: docs/analytics.md.

use chrono::Datelike;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::BTreeMap;

use super::{Report, Scope, money};
use crate::model::values::decimal;
use crate::output::chart::{Bars, Chart, Series, Unit};
use crate::output::{Cell, Section, Table};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthRow {
    /// `YYYY-MM` of the expected close date; `None` for deals without one.
    pub month: Option<String>,
    pub deals: u64,
    /// In cents.
    #[serde(with = "decimal")]
    pub weighted: Decimal,
    #[serde(with = "decimal")]
    pub best_case: Decimal,
    #[serde(with = "decimal")]
    pub commit: Decimal,
}

/// `report forecast`: one row per expected close month.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Forecast {
    pub months: Vec<MonthRow>,
}

/// The open deals of the selected customers by expected close month, in date
/// order, deals without a date last.
pub fn forecast(scope: &Scope) -> Forecast {
    let settings = &scope.data.settings;
    // Keyed by (no date, year, month) so that undated deals sort last.
    let mut months: BTreeMap<(bool, i32, u32), MonthRow> = BTreeMap::new();
    for deal in scope.deals().filter(|d| d.is_open()) {
        let Some(stage) = settings
            .stage_index(&deal.stage)
            .map(|i| &settings.pipeline[i])
        else {
            continue;
        };
        let close = deal.expected_close;
        let key = close.map_or((true, 0, 0), |d| (false, d.year(), d.month()));
        let row = months.entry(key).or_insert_with(|| MonthRow {
            month: close.map(|d| format!("{:04}-{:02}", d.year(), d.month())),
            deals: 0,
            weighted: Decimal::ZERO,
            best_case: Decimal::ZERO,
            commit: Decimal::ZERO,
        });
        let amount = deal.value();
        row.deals += 1;
        row.weighted += amount * stage.probability;
        row.best_case += amount;
        if stage.commit {
            row.commit += amount;
        }
    }
    let months = months
        .into_values()
        .map(|row| MonthRow {
            weighted: money(row.weighted),
            ..row
        })
        .collect();
    Forecast { months }
}

impl Report for Forecast {
    fn title(&self) -> String {
        "Forecast".into()
    }

    /// The weighted amount by expected close month, the best case as a line.
    fn charts(&self) -> Vec<Chart> {
        let amount = |d: Decimal| d.to_f64();
        vec![Chart::Bars(Bars {
            title: "Weighted pipeline by expected close month (line: best case)".into(),
            categories: (self.months.iter())
                .map(|m| m.month.clone().unwrap_or_else(|| "no date".into()))
                .collect(),
            bars: vec![Series::new(
                "weighted",
                self.months.iter().map(|m| amount(m.weighted)).collect(),
            )],
            line: Some(Series::new(
                "best case",
                self.months.iter().map(|m| amount(m.best_case)).collect(),
            )),
            notes: Vec::new(),
            unit: Unit::Money,
            horizontal: false,
        })]
    }

    fn sections(&self) -> Vec<Section> {
        let mut table = Table::new(&["month", "deals", "weighted", "best_case", "commit"]);
        for row in &self.months {
            table.push(vec![
                row.month.as_deref().into(),
                Cell::Int(row.deals as i64),
                Cell::Money(row.weighted),
                Cell::Money(row.best_case),
                Cell::Money(row.commit),
            ]);
        }
        vec![Section::new(
            "months",
            "Forecast by expected close month",
            table,
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dataset;
    use crate::report::funnel::tests::{day, deal, scope_of, settings};

    fn run(data: &Dataset, as_of: &str) -> Vec<MonthRow> {
        let (data, as_of) = scope_of(data, day(as_of));
        forecast(&Scope::all(&data, as_of)).months
    }

    #[test]
    fn months_by_hand() {
        let mut data = Dataset::empty(settings());
        let mut a = deal("a", None, 1000, &[("negotiation", "2026-01-10")]);
        a.expected_close = Some(day("2026-02-15"));
        let mut b = deal("b", None, 400, &[("proposal", "2026-01-12")]);
        b.expected_close = Some(day("2026-02-28"));
        let mut c = deal("c", None, 300, &[("qualification", "2026-01-20")]);
        c.expected_close = Some(day("2026-01-31"));
        let d = deal("d", None, 50, &[("needs_analysis", "2026-01-05")]);
        // Closed or not yet created on the as-of date: left out.
        let mut won = deal(
            "e",
            None,
            999,
            &[("proposal", "2026-01-02"), ("won", "2026-01-25")],
        );
        won.expected_close = Some(day("2026-02-01"));
        let mut later = deal("f", None, 999, &[("proposal", "2026-03-01")]);
        later.expected_close = Some(day("2026-02-01"));
        data.deals = vec![a, b, c, d, won, later];

        let rows = run(&data, "2026-01-31");
        let month = |m: &str| Some(m.to_string());
        assert_eq!(
            rows,
            [
                // c: 300 x 0.1 = 30; qualification is not a commit stage.
                MonthRow {
                    month: month("2026-01"),
                    deals: 1,
                    weighted: Decimal::from(30),
                    best_case: Decimal::from(300),
                    commit: Decimal::ZERO,
                },
                // a: 1000 x 0.75 = 750 (commit 1000); b: 400 x 0.5 = 200.
                // weighted 950, best case 1400, commit 1000.
                MonthRow {
                    month: month("2026-02"),
                    deals: 2,
                    weighted: Decimal::from(950),
                    best_case: Decimal::from(1400),
                    commit: Decimal::from(1000),
                },
                // d: no expected close, 50 x 0.25 = 12.5.
                MonthRow {
                    month: None,
                    deals: 1,
                    weighted: Decimal::new(125, 1),
                    best_case: Decimal::from(50),
                    commit: Decimal::ZERO,
                },
            ]
        );
    }

    #[test]
    fn no_open_deals_no_rows() {
        assert!(run(&Dataset::empty(settings()), "2026-01-31").is_empty());
    }
}
