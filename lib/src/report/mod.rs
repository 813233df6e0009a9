//! The analytical reports: pure functions from the records (as of a date, for a
//! selection of customers) to figures. Nothing here parses arguments or does
//! I/O; `src/cli/report/` loads the store and prints what these return.
//!
//! Every report takes a [`Scope`]: a [`Dataset`] already cut to an as-of date by
//! [`Dataset::as_of`], the date, and the customers a filter selected. It returns
//! a serializable struct (its JSON shape, documented in docs/analytics.md and
//! locked by tests) that also renders as titled [`Section`]s of rows.
//!
//! Formulas and their published sources: docs/analytics.md.

pub mod agenda;
pub mod assets;
pub mod basket;
pub mod campaign;
pub mod clv;
pub mod consent;
pub mod dashboard;
pub mod demand;
#[cfg(test)]
pub(crate) mod fixture;
pub mod forecast;
pub mod funnel;
pub mod loyalty;
pub mod recommend;
pub mod revenue;
pub mod rfm;
pub mod search;
pub mod segments;
pub mod service;
pub mod value;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::ops::{Add, Div};

use crate::figures::clv::{FitMemo, NoMemo};
use crate::figures::facts::{Facts, Needs};
use crate::filter::Filter;
use crate::model::values::{Timestamp, midnight_utc};
use crate::model::{Asset, Customer, Dataset, Deal, Interaction, Order, Ticket};
use crate::output::Section;
use crate::output::chart::Chart;

/// A report's result: its JSON is the struct itself; other formats print its sections.
pub trait Report: Serialize {
    /// What a Markdown or html page of it is headed with.
    fn title(&self) -> String;

    /// The report as titled tables. CSV prints one (the first, unless chosen).
    fn sections(&self) -> Vec<Section>;

    /// What its html page draws above the tables; none for a report
    /// without an obvious chart.
    fn charts(&self) -> Vec<Chart> {
        Vec::new()
    }
}

/// What a report runs on: the records as of a date and the selected customers.
pub struct Scope<'a> {
    /// Every record up to the as-of date (see [`Dataset::as_of`]), unfiltered:
    /// figures relative to the whole customer base (RFM scores) come from here.
    pub data: &'a Dataset,
    pub as_of: NaiveDate,
    /// The selected customers' ids; `None` selects every customer.
    selected: Option<HashSet<&'a str>>,
    /// Where the models of customer value are remembered once fitted.
    pub fits: &'a dyn FitMemo,
}

impl<'a> Scope<'a> {
    /// Every customer of `data`, which must already be cut to `as_of`.
    pub fn all(data: &'a Dataset, as_of: NaiveDate) -> Scope<'a> {
        Scope {
            data,
            as_of,
            selected: None,
            fits: &NoMemo,
        }
    }

    /// The customers of `data` that `filter` selects (all without one).
    pub fn new(data: &'a Dataset, as_of: NaiveDate, filter: Option<&Filter>) -> Scope<'a> {
        let selected = filter.map(|filter| {
            filter
                .select(data, as_of)
                .into_iter()
                .map(|c| c.id.as_str())
                .collect()
        });
        Scope {
            data,
            as_of,
            selected,
            fits: &NoMemo,
        }
    }

    /// The same scope, its models of customer value remembered in `fits`.
    pub fn remembering(self, fits: &'a dyn FitMemo) -> Scope<'a> {
        Scope { fits, ..self }
    }

    pub fn includes(&self, customer: &str) -> bool {
        self.selected
            .as_ref()
            .is_none_or(|selected| selected.contains(customer))
    }

    pub fn customers(&self) -> impl Iterator<Item = &'a Customer> + '_ {
        self.data.customers.iter().filter(|c| self.includes(&c.id))
    }

    /// The orders of the selected customers.
    pub fn orders(&self) -> impl Iterator<Item = &'a Order> + '_ {
        self.data
            .orders
            .iter()
            .filter(|o| self.includes(&o.customer))
    }

    /// The interactions of the selected customers.
    pub fn interactions(&self) -> impl Iterator<Item = &'a Interaction> + '_ {
        self.data
            .interactions
            .iter()
            .filter(|i| self.includes(&i.customer))
    }

    /// The deals of the selected customers.
    pub fn deals(&self) -> impl Iterator<Item = &'a Deal> + '_ {
        self.data
            .deals
            .iter()
            .filter(|d| self.includes(&d.customer))
    }

    /// The tickets of the selected customers.
    pub fn tickets(&self) -> impl Iterator<Item = &'a Ticket> + '_ {
        self.data
            .tickets
            .iter()
            .filter(|t| self.includes(&t.customer))
    }

    /// The assets of the selected customers.
    pub fn assets(&self) -> impl Iterator<Item = &'a Asset> + '_ {
        self.data
            .assets
            .iter()
            .filter(|a| self.includes(&a.customer))
    }

    /// The per-customer figures of `needs`, over the whole data set.
    pub fn facts(&self, needs: Needs) -> Facts<'a> {
        Facts::build(self.data, self.as_of, needs)
    }
}

/// The moment clocks are read at for a report as of `as_of`: `now` when the
/// as-of date is today or later, else the end of the as-of day (UTC).
pub fn moment(as_of: NaiveDate, now: Timestamp) -> Timestamp {
    let end_of_day = as_of.succ_opt().map_or(now, midnight_utc);
    now.min(end_of_day)
}

/// An amount of money as reports show it: rounded to cents, halves away from zero.
pub fn money(amount: Decimal) -> Decimal {
    amount
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `total / count` in money, or `None` when `count` is 0.
pub fn mean_money(total: Decimal, count: u64) -> Option<Decimal> {
    (count > 0).then(|| money(total / Decimal::from(count)))
}

/// The median of `values`: the middle one, or the mean of the two middle ones
/// (exact for decimals); `None` without values.
pub fn median<T>(mut values: Vec<T>) -> Option<T>
where
    T: Copy + PartialOrd + Add<Output = T> + Div<Output = T> + From<u8>,
{
    // Durations and decimals are never NaN, so every pair compares.
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / T::from(2)),
    }
}

/// `part / whole` as a ratio, or `None` when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_rounds_half_away_from_zero() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(money(d("2.345")), d("2.35"));
        assert_eq!(money(d("-2.345")), d("-2.35"));
        assert_eq!(money(d("2.3449")), d("2.34"));
        // 100 / 3 = 33.333... -> 33.33
        assert_eq!(mean_money(d("100"), 3), Some(d("33.33")));
        assert_eq!(mean_money(d("100"), 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
        assert_eq!(ratio(1, 0), None);
    }

    #[test]
    fn medians_of_hours_and_of_decimal_days() {
        assert_eq!(median::<f64>(vec![]), None);
        assert_eq!(median(vec![5.0]), Some(5.0));
        // 1, 2, 3, 4 -> (2 + 3) / 2 = 2.5
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // 10, 21, 22, 28 -> (21 + 22) / 2 = 21.5, exactly.
        let days = [28, 10, 22, 21].map(Decimal::from).to_vec();
        assert_eq!(median(days), Some(Decimal::new(215, 1)));
        // 1, 2, 3 -> 2
        assert_eq!(
            median([3, 1, 2].map(Decimal::from).to_vec()),
            Some(Decimal::TWO)
        );
    }
}
