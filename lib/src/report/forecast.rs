//! `report forecast`: the open pipeline by expected close month.
//!
//! For the deals open on the as-of date: the weighted amount (amount x the
//! probability of the stage they are in), the best case (every open deal won:
//! the sum of amounts) and the commit (the amounts of deals in stages marked
//! `commit: true`). Amounts are never summed across currencies: a deal in
//! another currency without an exchange rate in relate.yaml counts in rows
//! of its own currency. Formulas and sources: docs/analytics.md.

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
    /// The currency of the amounts: the store's (deals converted at the
    /// settings' exchange rates included), or another without a rate.
    pub currency: String,
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
    /// The exchange rates that converted deals (a heading names them).
    #[serde(skip)]
    pub rates: Vec<(String, Decimal)>,
}

impl Forecast {
    /// The rows in the store's currency.
    pub fn in_currency<'a>(&'a self, currency: &'a str) -> impl Iterator<Item = &'a MonthRow> {
        self.months.iter().filter(move |m| m.currency == currency)
    }
}

/// The open deals of the selected customers by expected close month, in date
/// order, deals without a date last.
pub fn forecast(scope: &Scope) -> Forecast {
    let settings = &scope.data.settings;
    // Keyed by (another currency, currency, no date, year, month): the
    // store's currency first, undated deals last.
    let mut months: BTreeMap<(bool, String, bool, i32, u32), MonthRow> = BTreeMap::new();
    let mut rates = Vec::new();
    for deal in scope.deals().filter(|d| d.is_open()) {
        let Some(stage) = settings
            .stage_index(&deal.stage)
            .map(|i| &settings.pipeline[i])
        else {
            continue;
        };
        let (currency, amount) = match deal.value_in_store_currency(settings) {
            Some(amount) => {
                let rate = settings.rate_of(deal.currency.as_deref());
                rates.extend(rate.map(|(code, rate)| (code.to_string(), rate)));
                (settings.currency.clone(), amount)
            }
            None => (deal.currency_code(), deal.value()),
        };
        let close = deal.expected_close;
        let (undated, year, month) = close.map_or((true, 0, 0), |d| (false, d.year(), d.month()));
        let other = currency != settings.currency;
        let key = (other, currency.clone(), undated, year, month);
        let row = months.entry(key).or_insert_with(|| MonthRow {
            month: close.map(|d| format!("{:04}-{:02}", d.year(), d.month())),
            currency,
            deals: 0,
            weighted: Decimal::ZERO,
            best_case: Decimal::ZERO,
            commit: Decimal::ZERO,
        });
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
    rates.sort();
    rates.dedup();
    Forecast { months, rates }
}

impl Report for Forecast {
    fn title(&self) -> String {
        format!("Forecast{}", rates_note(&self.rates))
    }

    /// The weighted amount by expected close month, the best case as a line,
    /// in the first currency (the store's, unless it has no open deal).
    fn charts(&self) -> Vec<Chart> {
        let amount = |d: Decimal| d.to_f64();
        let Some(first) = self.months.first() else {
            return Vec::new();
        };
        let rows: Vec<&MonthRow> = self.in_currency(&first.currency).collect();
        vec![Chart::Bars(Bars {
            title: format!(
                "Weighted pipeline by expected close month, {} (line: best case)",
                first.currency
            ),
            categories: (rows.iter())
                .map(|m| m.month.clone().unwrap_or_else(|| "no date".into()))
                .collect(),
            bars: vec![Series::new(
                "weighted",
                rows.iter().map(|m| amount(m.weighted)).collect(),
            )],
            line: Some(Series::new(
                "best case",
                rows.iter().map(|m| amount(m.best_case)).collect(),
            )),
            notes: Vec::new(),
            unit: Unit::Money,
            horizontal: false,
        })]
    }

    fn sections(&self) -> Vec<Section> {
        let mut table = Table::new(&[
            "month",
            "currency",
            "deals",
            "weighted",
            "best_case",
            "commit",
        ]);
        for row in &self.months {
            table.push(vec![
                row.month.as_deref().into(),
                Cell::text(&row.currency),
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

/// `` (converted: 1 USD = 0.92)`` for the title of a report whose amounts
/// some rates converted; empty when none did.
fn rates_note(rates: &[(String, Decimal)]) -> String {
    if rates.is_empty() {
        return String::new();
    }
    let each: Vec<String> = (rates.iter())
        .map(|(code, rate)| format!("1 {code} = {}", rate.normalize()))
        .collect();
    format!(" (converted: {})", each.join(", "))
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
    fn deals_in_another_currency_are_converted_at_a_rate_or_kept_apart() {
        let mut data = Dataset::empty(settings());
        let mut usd = deal("usd", None, 100, &[("proposal", "2026-01-10")]);
        usd.currency = Some("usd".into());
        let mut gbp = deal("gbp", None, 200, &[("proposal", "2026-01-10")]);
        gbp.currency = Some("GBP".into());
        let eur = deal("eur", None, 50, &[("proposal", "2026-01-10")]);
        data.deals = vec![usd, gbp, eur];
        let rate = Decimal::new(9, 1);
        data.settings.exchange_rates = [("USD".to_string(), rate)].into();
        let (data, as_of) = scope_of(&data, day("2026-01-31"));
        let report = forecast(&Scope::all(&data, as_of));
        let rows: Vec<(&str, u64, Decimal)> = (report.months.iter())
            .map(|m| (m.currency.as_str(), m.deals, m.best_case))
            .collect();
        // 50 EUR + 100 USD x 0.9; the pounds apart.
        assert_eq!(
            rows,
            [
                ("EUR", 2, Decimal::from(140)),
                ("GBP", 1, Decimal::from(200))
            ]
        );
        assert_eq!(report.rates, [("USD".to_string(), rate)]);
        assert_eq!(report.title(), "Forecast (converted: 1 USD = 0.9)");
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
                    currency: "EUR".into(),
                    month: month("2026-01"),
                    deals: 1,
                    weighted: Decimal::from(30),
                    best_case: Decimal::from(300),
                    commit: Decimal::ZERO,
                },
                // a: 1000 x 0.75 = 750 (commit 1000); b: 400 x 0.5 = 200.
                // weighted 950, best case 1400, commit 1000.
                MonthRow {
                    currency: "EUR".into(),
                    month: month("2026-02"),
                    deals: 2,
                    weighted: Decimal::from(950),
                    best_case: Decimal::from(1400),
                    commit: Decimal::from(1000),
                },
                // d: no expected close, 50 x 0.25 = 12.5.
                MonthRow {
                    currency: "EUR".into(),
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
