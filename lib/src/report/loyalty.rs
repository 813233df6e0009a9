//! `report loyalty`: do customers come back? Repeat purchase rate, customers at
//! risk of churn, monthly cohort retention, and the Net Promoter Score.
//! Formulas and sources: docs/analytics.md.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Report, Scope, median, ratio};
use crate::model::Interaction;
use crate::model::interaction::QUESTIONNAIRE;
use crate::model::values::{decimal, utc_date};
use crate::output::chart::{Chart, HeatMap, Unit};
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
    /// Questionnaire answers with a score, every one of them.
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
    let scores: Vec<u8> = questionnaire_scores(scope.interactions()).collect();
    let count = |range: std::ops::RangeInclusive<u8>| {
        scores.iter().filter(|s| range.contains(s)).count() as u64
    };
    let (promoters, passives, detractors) = (count(9..=10), count(7..=8), count(0..=6));
    let responses = scores.len() as u64;
    // One division, so that the figure is exactly 100 x (P - D) / N.
    let nps =
        (responses > 0).then(|| 100.0 * (promoters as f64 - detractors as f64) / responses as f64);
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
            let gaps: Vec<Decimal> = days
                .windows(2)
                .map(|w| Decimal::from((w[1] - w[0]).num_days()))
                .collect();
            let median_gap_days = median(gaps)?;
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

/// The score of every questionnaire answer that has one.
fn questionnaire_scores<'a>(
    interactions: impl Iterator<Item = &'a Interaction>,
) -> impl Iterator<Item = u8> {
    interactions
        .filter(|i| i.channel == QUESTIONNAIRE)
        .filter_map(|i| i.score)
}

/// The most recent cohorts a retention heat map shows: more rows than this
/// no longer fit a page, and the latest are the ones acted on.
const CHARTED_COHORTS: usize = 24;

impl Report for LoyaltyReport {
    fn title(&self) -> String {
        "Loyalty".into()
    }

    /// Cohort retention as a heat map: a row per cohort (the latest ones), a
    /// column per month since the first order.
    fn charts(&self) -> Vec<Chart> {
        let shown = &self.cohorts[self.cohorts.len().saturating_sub(CHARTED_COHORTS)..];
        if shown.is_empty() {
            return Vec::new();
        }
        let months = shown.iter().map(|c| c.retention.len()).max().unwrap_or(0);
        let title = match self.cohorts.len() > shown.len() {
            true => format!("Share of each cohort ordering again (the latest {CHARTED_COHORTS})"),
            false => "Share of each cohort ordering again".into(),
        };
        vec![Chart::HeatMap(HeatMap {
            title,
            row_title: "cohort (month of the first order)".into(),
            column_title: "months since the first order".into(),
            rows: shown.iter().map(|c| c.cohort.clone()).collect(),
            columns: (0..months).map(|m| format!("m{m}")).collect(),
            cells: (shown.iter())
                .map(|c| (0..months).map(|m| c.retention.get(m).copied()).collect())
                .collect(),
            unit: Unit::Share,
        })]
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{answer, contact, customer, dataset, date, dec, order};

    /// As of 2026-06-30, k = 2.
    fn data() -> crate::model::Dataset {
        let orders = [
            ("a", "2026-01-01"),
            ("a", "2026-01-11"),
            ("a", "2026-01-31"),
            ("b", "2026-05-01"),
            ("b", "2026-06-01"),
            ("c", "2026-02-15"),
            ("d", "2026-03-01"),
            ("d", "2026-03-01"),
            ("e", "2026-01-10"),
            ("e", "2026-01-20"),
            ("e", "2026-02-10"),
            ("e", "2026-03-10"),
            ("e", "2026-04-01"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (c, day))| order(c, day, &(i + 1).to_string()))
        .collect();
        let mut data = dataset(["a", "b", "c", "d", "e"].map(customer).to_vec(), orders);
        let mut phone_score = contact("d", "2026-06-01");
        phone_score.score = Some(9);
        let mut unscored = answer("c", "2026-04-01", 0);
        unscored.score = None;
        data.interactions = vec![
            answer("a", "2026-01-01", 10),
            answer("a", "2026-05-01", 6),
            answer("b", "2026-02-01", 9),
            answer("b", "2026-03-01", 10),
            answer("c", "2026-03-01", 7),
            unscored,
            phone_score,
            answer("e", "2026-06-30", 0),
        ];
        data
    }

    #[test]
    fn repeat_rate_churn_risk_cohorts_and_nps() {
        let data = data();
        let report = report(&Scope::all(&data, date("2026-06-30")), Decimal::TWO);
        // Buyers a, b, c, d, e; repeaters a (3), b (2), d (2, same day), e (5): 4 / 5.
        // NPS over every scored questionnaire answer: a 10 and 6, b 9 and 10, c 7,
        // e 0 (c's other answer has no score, d's score came by phone): 6 answers,
        // promoters 10, 9, 10 = 3, passive 7 = 1, detractors 6, 0 = 2.
        // 100 x (3 - 2) / 6 = 16.67.
        assert_eq!(
            report.summary,
            LoyaltySummary {
                customers: 5,
                repeat_customers: 4,
                repeat_rate: Some(0.8),
                at_risk: 2,
                churn_factor: dec("2"),
                responses: 6,
                promoters: 3,
                passives: 1,
                detractors: 2,
                nps: Some(100.0 / 6.0),
            }
        );
        // a: gaps 10, 20 -> median 15, threshold 30; Jan 31 -> Jun 30 = 150 days > 30.
        // e: gaps 10, 21, 28, 22 -> median (21 + 22) / 2 = 21.5, threshold 43;
        //    Apr 1 -> Jun 30 = 90 days > 43.
        // b: gap 31, threshold 62, 29 days: fine. c: one order; d: one order day: no rhythm.
        // a is the more overdue (150 / 30 = 5 against 90 / 43 = 2.1).
        assert_eq!(
            report.at_risk,
            [
                AtRisk {
                    customer: "a".into(),
                    orders: 3,
                    last_order: date("2026-01-31"),
                    days_since_last: 150,
                    median_gap_days: dec("15"),
                    threshold_days: dec("30"),
                },
                AtRisk {
                    customer: "e".into(),
                    orders: 5,
                    last_order: date("2026-04-01"),
                    days_since_last: 90,
                    median_gap_days: dec("21.5"),
                    threshold_days: dec("43"),
                },
            ]
        );
        // January: a (Jan only) and e (Jan to Apr): 2, 1, 1, 1 of 2, then none to June.
        // February: c; March: d; May: b, who ordered again in June.
        let cohorts: Vec<(&str, u64, Vec<f64>)> = report
            .cohorts
            .iter()
            .map(|c| (c.cohort.as_str(), c.customers, c.retention.clone()))
            .collect();
        assert_eq!(
            cohorts,
            [
                ("2026-01", 2, vec![1.0, 0.5, 0.5, 0.5, 0.0, 0.0]),
                ("2026-02", 1, vec![1.0, 0.0, 0.0, 0.0, 0.0]),
                ("2026-03", 1, vec![1.0, 0.0, 0.0, 0.0]),
                ("2026-05", 1, vec![1.0, 1.0]),
            ]
        );
    }

    #[test]
    fn nps_counts_every_answer_of_the_selected_customers() {
        let data = data();
        let filter = crate::filter::Filter::parse("id = \"a\" or id = \"b\"").unwrap();
        let scope = Scope::new(&data, date("2026-06-30"), Some(&filter));
        let summary = report(&scope, Decimal::TWO).summary;
        // a 10 and 6, b 9 and 10: 3 promoters, 1 detractor of 4 answers.
        // 100 x (3 - 1) / 4 = 50.
        let nps = (summary.responses, summary.promoters, summary.passives);
        assert_eq!(nps, (4, 3, 0));
        assert_eq!((summary.detractors, summary.nps), (1, Some(50.0)));
    }

    #[test]
    fn the_churn_factor_moves_the_threshold() {
        let data = data();
        // k = 5: a's threshold 75 < 150 still; e's 107.5 > 90 no longer.
        let report = report(&Scope::all(&data, date("2026-06-30")), Decimal::from(5));
        let at_risk: Vec<&str> = report.at_risk.iter().map(|r| r.customer.as_str()).collect();
        assert_eq!(at_risk, ["a"]);
    }

    #[test]
    fn an_empty_store_has_no_figures() {
        let empty = dataset(Vec::new(), Vec::new());
        let report = report(&Scope::all(&empty, date("2026-06-30")), Decimal::TWO);
        assert_eq!(report.summary.customers, 0);
        assert_eq!(report.summary.repeat_rate, None);
        assert_eq!(report.summary.nps, None);
        assert!(report.at_risk.is_empty() && report.cohorts.is_empty());
        assert_eq!(report.sections().len(), 3);
    }
}
