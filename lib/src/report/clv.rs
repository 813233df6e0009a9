//! `report clv`: predictive customer value. The BG/NBD and Gamma-Gamma models
//! (figures/clv.rs) fitted on every customer's orders up to the as-of date;
//! per selected customer: frequency, recency and age in the models' terms,
//! P(alive), expected purchases and spend over the horizon, and the discounted
//! CLV; with a hold-out, the predictions checked against what happened.
//! Formulas and sources: docs/analytics.md.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use super::{Report, Scope};
use crate::error::{Error, Result};
use crate::figures::clv::{Fit, Options, Period, Prediction, predictions, to_decimal};
use crate::model::values::{decimal, utc_date};
use crate::output::{Cell, Section, Table};

/// The fitted parameters and how well they fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    pub period: Period,
    pub r: f64,
    /// In periods.
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub bg_nbd_log_likelihood: f64,
    /// Customers the BG/NBD model was fitted on: everyone with an order.
    pub customers: u64,
    pub p: f64,
    pub q: f64,
    pub v: f64,
    pub gamma_gamma_log_likelihood: f64,
    /// Customers the Gamma-Gamma model was fitted on: those with a repeat purchase.
    pub repeaters: u64,
}

impl From<&Fit> for Params {
    fn from(fit: &Fit) -> Params {
        Params {
            period: fit.period,
            r: fit.bg_nbd.r,
            alpha: fit.bg_nbd.alpha,
            a: fit.bg_nbd.a,
            b: fit.bg_nbd.b,
            bg_nbd_log_likelihood: fit.bg_nbd_log_likelihood,
            customers: fit.customers as u64,
            p: fit.gamma_gamma.p,
            q: fit.gamma_gamma.q,
            v: fit.gamma_gamma.v,
            gamma_gamma_log_likelihood: fit.gamma_gamma_log_likelihood,
            repeaters: fit.repeaters as u64,
        }
    }
}

/// One customer's predicted value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerClv {
    pub customer: String,
    /// x: distinct purchase days after the first.
    pub frequency: u64,
    /// t_x: first to last purchase, in periods.
    pub recency: f64,
    /// T: first purchase to the as-of date, in periods.
    pub age: f64,
    pub p_alive: f64,
    /// Over the horizon.
    pub expected_purchases: f64,
    /// Expected value of a purchase, in money.
    #[serde(with = "decimal")]
    pub expected_spend: Decimal,
    #[serde(with = "decimal")]
    pub clv: Decimal,
}

/// Totals over the listed customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClvSummary {
    /// The as-of date of the fit (the start of the hold-out with one).
    pub fitted_to: NaiveDate,
    pub horizon_days: u32,
    /// Monthly.
    pub discount: f64,
    pub customers: u64,
    /// Mean P(alive).
    pub p_alive: Option<f64>,
    pub expected_purchases: f64,
    #[serde(with = "decimal")]
    pub clv: Decimal,
}

/// One week of the hold-out: predicted and actual purchases of the customers
/// of the calibration period, in the week and since the hold-out began.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutWeek {
    pub week: u32,
    /// The week's first day.
    pub from: NaiveDate,
    pub predicted: f64,
    pub actual: u64,
    pub cumulative_predicted: f64,
    pub cumulative_actual: u64,
}

/// One customer's predicted and actual purchases over the hold-out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutCustomer {
    pub customer: String,
    pub predicted: f64,
    pub actual: u64,
}

/// The predictions of a fit on the orders before the hold-out against the
/// purchases (distinct days) in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    pub days: u32,
    /// The hold-out's first day (the day after the fit's as-of date).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub customers: u64,
    pub predicted: f64,
    pub actual: u64,
    /// Mean absolute error per customer.
    pub mean_absolute_error: Option<f64>,
    /// Pearson's correlation of predicted and actual per customer; null when
    /// either does not vary.
    pub correlation: Option<f64>,
    pub weeks: Vec<HoldoutWeek>,
    pub per_customer: Vec<HoldoutCustomer>,
}

/// `report clv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClvReport {
    pub params: Params,
    /// The selected customers with an order, highest CLV first.
    pub customers: Vec<CustomerClv>,
    pub summary: ClvSummary,
    /// With `--holdout` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holdout: Option<Holdout>,
}

/// The report as of the scope's date, or, with `holdout_days`, as of that
/// many days earlier with the hold-out's comparison.
pub fn report(scope: &Scope, options: &Options, holdout_days: Option<u32>) -> Result<ClvReport> {
    let fitted_to = match holdout_days {
        Some(days) => scope
            .as_of
            .checked_sub_days(Days::new(days.into()))
            .ok_or_else(|| Error::usage(format!("a hold-out of {days} days starts before time")))?,
        None => scope.as_of,
    };
    let (fit, predictions) = predictions(scope.data, fitted_to, options, scope.fits)?;
    let selected: BTreeMap<&str, &Prediction> = predictions
        .iter()
        .filter(|(id, _)| scope.includes(id))
        .map(|(id, p)| (*id, p))
        .collect();
    let mut customers: Vec<CustomerClv> = selected
        .iter()
        .map(|(id, p)| CustomerClv {
            customer: id.to_string(),
            frequency: p.history.frequency,
            recency: p.history.recency,
            age: p.history.age,
            p_alive: p.p_alive,
            expected_purchases: p.expected_purchases,
            expected_spend: to_decimal(p.expected_spend, 2),
            clv: to_decimal(p.clv, 2),
        })
        .collect();
    customers.sort_by(|a, b| b.clv.cmp(&a.clv).then_with(|| a.customer.cmp(&b.customer)));
    let count = selected.len();
    let summary = ClvSummary {
        fitted_to,
        horizon_days: options.horizon_days,
        discount: options.discount,
        customers: count as u64,
        p_alive: (count > 0)
            .then(|| selected.values().map(|p| p.p_alive).sum::<f64>() / count as f64),
        expected_purchases: selected.values().map(|p| p.expected_purchases).sum(),
        clv: to_decimal(selected.values().map(|p| p.clv).sum(), 2),
    };
    let holdout = match holdout_days {
        Some(days) => Some(holdout(scope, &fit, &selected, fitted_to, days)?),
        None => None,
    };
    Ok(ClvReport {
        params: Params::from(&fit),
        customers,
        summary,
        holdout,
    })
}

fn holdout(
    scope: &Scope,
    fit: &Fit,
    selected: &BTreeMap<&str, &Prediction>,
    fitted_to: NaiveDate,
    days: u32,
) -> Result<Holdout> {
    // Distinct purchase days in the hold-out per calibration customer.
    let mut purchases: BTreeMap<&str, BTreeSet<NaiveDate>> = BTreeMap::new();
    for order in scope.orders() {
        let date = utc_date(&order.at);
        if date > fitted_to && date <= scope.as_of && selected.contains_key(order.customer.as_str())
        {
            purchases
                .entry(order.customer.as_str())
                .or_default()
                .insert(date);
        }
    }
    let expected = |p: &Prediction, by_days: u32| fit.expected_by(f64::from(by_days), &p.history);
    let mut per_customer = Vec::new();
    for (id, p) in selected {
        per_customer.push(HoldoutCustomer {
            customer: id.to_string(),
            predicted: expected(p, days)?,
            actual: purchases.get(id).map_or(0, |d| d.len() as u64),
        });
    }
    let mut weeks = Vec::new();
    let (mut cumulative_predicted, mut cumulative_actual) = (0.0, 0);
    for week in 1..=days.div_ceil(7) {
        let (start, end) = (7 * (week - 1), (7 * week).min(days));
        let mut predicted = 0.0;
        for p in selected.values() {
            predicted += expected(p, end)? - expected(p, start)?;
        }
        let first = fitted_to + Days::new(u64::from(start) + 1);
        let last = fitted_to + Days::new(end.into());
        let actual = purchases
            .values()
            .map(|d| d.range(first..=last).count() as u64)
            .sum();
        cumulative_predicted += predicted;
        cumulative_actual += actual;
        weeks.push(HoldoutWeek {
            week,
            from: first,
            predicted,
            actual,
            cumulative_predicted,
            cumulative_actual,
        });
    }
    let n = per_customer.len();
    let predicted: f64 = per_customer.iter().map(|c| c.predicted).sum();
    let actual: u64 = per_customer.iter().map(|c| c.actual).sum();
    let mae = (n > 0).then(|| {
        per_customer
            .iter()
            .map(|c| (c.predicted - c.actual as f64).abs())
            .sum::<f64>()
            / n as f64
    });
    let pairs: Vec<(f64, f64)> = per_customer
        .iter()
        .map(|c| (c.predicted, c.actual as f64))
        .collect();
    Ok(Holdout {
        days,
        from: fitted_to + Days::new(1),
        to: scope.as_of,
        customers: n as u64,
        predicted,
        actual,
        mean_absolute_error: mae,
        correlation: correlation(&pairs),
        weeks,
        per_customer,
    })
}

/// Pearson's correlation coefficient; `None` with fewer than two pairs or
/// when either side is constant.
fn correlation(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 2 {
        return None;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn figures_table(figures: Vec<(&str, Cell)>) -> Table {
    let mut table = Table::new(&["figure", "value"]);
    for (figure, value) in figures {
        table.push(vec![Cell::text(figure), value]);
    }
    table
}

impl Report for ClvReport {
    fn title(&self) -> String {
        "Customer lifetime value".into()
    }

    fn sections(&self) -> Vec<Section> {
        let mut customers = Table::new(&[
            "customer",
            "frequency",
            "recency",
            "age",
            "p_alive",
            "expected_purchases",
            "expected_spend",
            "clv",
        ]);
        for c in &self.customers {
            customers.push(vec![
                Cell::text(&c.customer),
                Cell::Int(c.frequency as i64),
                Cell::Float(c.recency),
                Cell::Float(c.age),
                Cell::Float(c.p_alive),
                Cell::Float(c.expected_purchases),
                Cell::Money(c.expected_spend),
                Cell::Money(c.clv),
            ]);
        }
        let p = &self.params;
        let params = figures_table(vec![
            ("period", Cell::text(p.period.as_str())),
            ("r", Cell::Float(p.r)),
            ("alpha", Cell::Float(p.alpha)),
            ("a", Cell::Float(p.a)),
            ("b", Cell::Float(p.b)),
            (
                "bg_nbd_log_likelihood",
                Cell::Float(p.bg_nbd_log_likelihood),
            ),
            ("customers", Cell::Int(p.customers as i64)),
            ("p", Cell::Float(p.p)),
            ("q", Cell::Float(p.q)),
            ("v", Cell::Float(p.v)),
            (
                "gamma_gamma_log_likelihood",
                Cell::Float(p.gamma_gamma_log_likelihood),
            ),
            ("repeaters", Cell::Int(p.repeaters as i64)),
        ]);
        let s = &self.summary;
        let summary = figures_table(vec![
            ("fitted_to", Cell::Date(s.fitted_to)),
            ("horizon_days", Cell::Int(s.horizon_days.into())),
            ("discount", Cell::Float(s.discount)),
            ("customers", Cell::Int(s.customers as i64)),
            ("p_alive", s.p_alive.into()),
            ("expected_purchases", Cell::Float(s.expected_purchases)),
            ("clv", Cell::Money(s.clv)),
        ]);
        let mut sections = vec![
            Section::new("customers", "Customers by predicted value", customers),
            Section::new("params", "Fitted parameters", params),
            Section::new("summary", "Totals", summary),
        ];
        if let Some(h) = &self.holdout {
            let figures = figures_table(vec![
                ("days", Cell::Int(h.days.into())),
                ("from", Cell::Date(h.from)),
                ("to", Cell::Date(h.to)),
                ("customers", Cell::Int(h.customers as i64)),
                ("predicted", Cell::Float(h.predicted)),
                ("actual", Cell::Int(h.actual as i64)),
                ("mean_absolute_error", h.mean_absolute_error.into()),
                ("correlation", h.correlation.into()),
            ]);
            let mut weeks = Table::new(&[
                "week",
                "from",
                "predicted",
                "actual",
                "cumulative_predicted",
                "cumulative_actual",
            ]);
            for w in &h.weeks {
                weeks.push(vec![
                    Cell::Int(w.week.into()),
                    Cell::Date(w.from),
                    Cell::Float(w.predicted),
                    Cell::Int(w.actual as i64),
                    Cell::Float(w.cumulative_predicted),
                    Cell::Int(w.cumulative_actual as i64),
                ]);
            }
            let mut per_customer = Table::new(&["customer", "predicted", "actual"]);
            for c in &h.per_customer {
                per_customer.push(vec![
                    Cell::text(&c.customer),
                    Cell::Float(c.predicted),
                    Cell::Int(c.actual as i64),
                ]);
            }
            sections.push(Section::new(
                "holdout",
                "Hold-out: predicted against actual",
                figures,
            ));
            sections.push(Section::new("holdout_weeks", "Hold-out by week", weeks));
            sections.push(Section::new(
                "holdout_customers",
                "Hold-out by customer",
                per_customer,
            ));
        }
        sections
    }
}
