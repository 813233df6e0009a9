//! `report demand`: units sold per period and a forecast of the next periods.
//!
//! Per product (or per category or price segment) and per week (starting on
//! Monday) or month, the units of the orders dated up to the as-of date, every
//! period from the item's first sale to the as-of date's period (the last one
//! possibly partial), periods without sales counting 0. The forecast is a moving
//! average, simple exponential smoothing or Holt's linear trend, as defined in
//! Hyndman & Athanasopoulos, "Forecasting: Principles and Practice" (see
//! docs/analytics.md).

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Report, Scope};
use crate::error::{Error, Result};
use crate::model::values::{decimal, utc_date};
use crate::model::{Product, Settings};
use crate::output::chart::{Bars, Chart, Series as ChartSeries, Unit};
use crate::output::{Cell, Section, Table};

keyword_enum! {
    /// The length of a period of demand or revenue.
    Period "period" {
        Week => "week",
        Month => "month",
        Quarter => "quarter",
        Year => "year",
    }
}

keyword_enum! {
    /// What demand is grouped by.
    GroupBy "grouping" {
        Product => "product",
        Category => "category",
        Segment => "segment",
    }
}

keyword_enum! {
    /// How demand is forecast.
    Method "forecast method" {
        MovingAverage => "ma",
        Ses => "ses",
        Holt => "holt",
    }
}

impl Period {
    /// The first day of the period holding `day`.
    pub fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Week => {
                day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
            }
            Period::Month => day.with_day(1).expect("every month has a first day"),
            Period::Quarter => NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1)
                .expect("every quarter has a first day"),
            Period::Year => {
                NaiveDate::from_ymd_opt(day.year(), 1, 1).expect("every year has a first day")
            }
        }
    }

    /// The first day of the period after the one starting on `start`; `None`
    /// past the calendar's end (a date in a file may be there).
    pub fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Week => start.checked_add_days(chrono::Days::new(7)),
            Period::Month => start.checked_add_months(Months::new(1)),
            Period::Quarter => start.checked_add_months(Months::new(3)),
            Period::Year => start.checked_add_months(Months::new(12)),
        }
    }

    /// The start of the same period a year before the one starting on
    /// `start`: 52 weeks earlier for weeks, so that it is a Monday too.
    pub fn year_before(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Week => start - chrono::Days::new(52 * 7),
            _ => start - Months::new(12),
        }
    }

    /// How the period starting on `start` is named: `2026-W03` (its ISO
    /// week), `2026-01`, `2026-Q1`, `2026`.
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Period::Week => {
                let week = start.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => start.format("%Y-%m").to_string(),
            Period::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Period::Year => start.year().to_string(),
        }
    }

    /// The period starts from `start` on.
    pub fn starts(self, start: NaiveDate) -> impl Iterator<Item = NaiveDate> {
        std::iter::successors(Some(start), move |&s| self.next(s))
    }
}

impl GroupBy {
    /// The value a line of `product_id` (whose record is `product`, if any)
    /// counts under: `None` for a product without a category or price segment.
    pub fn key_of(
        self,
        product_id: &str,
        product: Option<&Product>,
        settings: &Settings,
    ) -> Option<String> {
        match self {
            GroupBy::Product => Some(product_id.to_string()),
            GroupBy::Category => product.and_then(|p| p.category.clone()),
            GroupBy::Segment => product
                .and_then(|p| p.price_segment(settings))
                .map(str::to_string),
        }
    }
}

/// The most periods a forecast reaches: ten years of weeks. A bound, so that a
/// typo such as `--horizon 4294967295` is an error and not 34 GB of forecasts
/// or a date past the calendar's end.
pub const MAX_HORIZON: usize = 520;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub by: GroupBy,
    pub period: Period,
    pub method: Method,
    /// Periods to forecast.
    pub horizon: usize,
    /// Periods the moving average spans.
    pub window: usize,
    /// Smoothing of the level (SES and Holt), in [0, 1].
    pub alpha: f64,
    /// Smoothing of the trend (Holt), in [0, 1].
    pub beta: f64,
}

impl Params {
    pub fn validate(&self) -> Result<()> {
        if self.horizon > MAX_HORIZON {
            return Err(Error::usage(format!(
                "--horizon {} is more than {MAX_HORIZON} periods",
                self.horizon
            ))
            .with_hint(
                "a forecast this far ahead is the last value repeated; ask for fewer periods",
            ));
        }
        if self.window == 0 {
            return Err(Error::usage("--window must be at least 1"));
        }
        for (name, value) in [("alpha", self.alpha), ("beta", self.beta)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(
                    Error::usage(format!("--{name} {value} is not between 0 and 1"))
                        .with_hint("smoothing parameters are fractions such as 0.3"),
                );
            }
        }
        Ok(())
    }
}

/// What a series is of: its key is named after the grouping in JSON
/// (`"product": "toner"`, `"category": null`, ...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Product(String),
    /// `None` for products without a category.
    Category(Option<String>),
    /// `None` for products without a price segment.
    Segment(Option<String>),
}

impl Group {
    /// The group's value, if any.
    pub fn value(&self) -> Option<&str> {
        match self {
            Group::Product(id) => Some(id),
            Group::Category(value) | Group::Segment(value) => value.as_deref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sold {
    pub period_start: NaiveDate,
    #[serde(with = "decimal")]
    pub units: Decimal,
    /// The as-of date's period, unfinished: it counts to that day and is left
    /// out of the forecast, which covers it instead.
    pub partial: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub period_start: NaiveDate,
    pub units: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    #[serde(flatten)]
    pub group: Group,
    pub history: Vec<Sold>,
    pub forecast: Vec<Forecast>,
}

/// `report demand`: one series per product or group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Demand {
    pub series: Vec<Series>,
    /// What the series are grouped by, which names the tables' first column.
    #[serde(skip)]
    pub by: GroupBy,
    /// The length of the periods, which names the tables' other columns.
    #[serde(skip)]
    pub period: Period,
}

/// One series per product or group that the selected customers bought, in
/// order of the group's value (groups without one last).
pub fn demand(scope: &Scope, params: &Params) -> Result<Demand> {
    params.validate()?;
    let data = scope.data;
    let as_of = scope.as_of;
    let products = data.products_by_id();
    let group_of = |product: &str| -> Group {
        let key = params
            .by
            .key_of(product, products.get(product).copied(), &data.settings);
        match params.by {
            GroupBy::Product => Group::Product(product.to_string()),
            GroupBy::Category => Group::Category(key),
            GroupBy::Segment => Group::Segment(key),
        }
    };
    // Units per group and period start; groups keyed so that `None` values sort last.
    let mut sold: BTreeMap<(bool, Group), BTreeMap<NaiveDate, Decimal>> = BTreeMap::new();
    let mut groups: HashMap<&str, Group> = HashMap::new();
    for order in scope.orders() {
        let day = utc_date(&order.at);
        for line in &order.lines {
            let group = groups
                .entry(line.product.as_str())
                .or_insert_with(|| group_of(&line.product));
            *sold
                .entry((group.value().is_none(), group.clone()))
                .or_default()
                .entry(params.period.start(day))
                .or_default() += line.quantity;
        }
    }
    let last = params.period.start(as_of);
    let next = params.period.next(last);
    let partial = next.and_then(|next| next.pred_opt()) != Some(as_of);
    // The forecast starts with the first period not yet over.
    let ahead = match next {
        Some(next) if !partial => next,
        _ => last,
    };
    let series = sold
        .into_iter()
        .map(|((_, group), units)| {
            let first = *units.keys().next().expect("a group has a sale");
            let history: Vec<Sold> = params
                .period
                .starts(first)
                .take_while(|&start| start <= last)
                .map(|start| Sold {
                    period_start: start,
                    units: units.get(&start).copied().unwrap_or_default(),
                    partial: partial && start == last,
                })
                .collect();
            let values: Vec<f64> = (history.iter())
                .filter(|s| !s.partial)
                .map(|s| s.units.to_f64().unwrap_or(f64::NAN))
                .collect();
            // A group whose only sales are in the unfinished period has no
            // whole period to forecast from.
            let predicted = if values.is_empty() {
                Vec::new()
            } else {
                forecast(&values, params)
            };
            let forecast = params
                .period
                .starts(ahead)
                .zip(predicted)
                .map(|(period_start, units)| Forecast {
                    period_start,
                    units,
                })
                .collect();
            Series {
                group,
                history,
                forecast,
            }
        })
        .collect();
    Ok(Demand {
        series,
        by: params.by,
        period: params.period,
    })
}

/// How many groups (the most valuable) get a demand chart, and how many
/// periods of history each shows before its forecast.
const CHARTED_GROUPS: usize = 4;
const CHARTED_PERIODS: usize = 12;

impl Report for Demand {
    fn title(&self) -> String {
        format!("Demand by {}", self.by)
    }

    /// Per group (the first few), the latest periods sold as bars and the
    /// forecast after them as a line.
    fn charts(&self) -> Vec<Chart> {
        let chart = |series: &Series| {
            let history = &series.history[series.history.len().saturating_sub(CHARTED_PERIODS)..];
            let label = |start: NaiveDate, mark: &str| self.period.label(start) + mark;
            let mut categories: Vec<String> = (history.iter())
                .map(|sold| label(sold.period_start, if sold.partial { "*" } else { "" }))
                .collect();
            categories.extend(
                series
                    .forecast
                    .iter()
                    .map(|f| label(f.period_start, " (f)")),
            );
            let (sold, ahead) = (history.len(), series.forecast.len());
            let bars = (history.iter())
                .map(|sold| sold.units.to_f64())
                .chain(std::iter::repeat_n(None, ahead))
                .collect();
            let line = std::iter::repeat_n(None, sold)
                .chain(series.forecast.iter().map(|f| Some(f.units)))
                .collect();
            Chart::Bars(Bars {
                title: format!(
                    "Units of {} {} per {} (line: forecast)",
                    self.by,
                    series.group.value().unwrap_or("(none)"),
                    self.period
                ),
                categories,
                bars: vec![ChartSeries::new("sold", bars)],
                line: Some(ChartSeries::new("forecast", line)),
                notes: Vec::new(),
                unit: Unit::Count,
                horizontal: false,
            })
        };
        self.series.iter().take(CHARTED_GROUPS).map(chart).collect()
    }

    /// One row per group, one column per period as `revenue` has them: the
    /// history (`*` marks the unfinished period, counted to the as-of date),
    /// then the forecast (`(f)`); a period before a group's first sale is blank.
    fn sections(&self) -> Vec<Section> {
        let mut history: BTreeMap<NaiveDate, bool> = BTreeMap::new();
        let mut ahead: BTreeSet<NaiveDate> = BTreeSet::new();
        for series in &self.series {
            for sold in &series.history {
                *history.entry(sold.period_start).or_default() |= sold.partial;
            }
            ahead.extend(series.forecast.iter().map(|f| f.period_start));
        }
        let mut columns = vec![self.by.as_str().to_string()];
        columns.extend(history.iter().map(|(&start, &partial)| {
            let label = self.period.label(start);
            if partial { label + "*" } else { label }
        }));
        columns.extend(
            ahead
                .iter()
                .map(|&start| format!("{} (f)", self.period.label(start))),
        );
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut table = Table::new(&names);
        for series in &self.series {
            let mut row = vec![Cell::group(series.group.value())];
            row.extend(history.keys().map(|start| {
                (series.history.iter())
                    .find(|sold| sold.period_start == *start)
                    .map_or(Cell::Empty, |sold| Cell::Number(sold.units))
            }));
            row.extend(ahead.iter().map(|start| {
                (series.forecast.iter())
                    .find(|f| f.period_start == *start)
                    .map_or(Cell::Empty, |f| Cell::Float(f.units))
            }));
            table.push(row);
        }
        let mut title = String::from("Units per period; (f) forecast");
        if history.values().any(|&partial| partial) {
            title.push_str("; * to the report's last day");
        }
        vec![Section::new("demand", title, table)]
    }
}

/// `params.horizon` forecasts after `values` (at least one value), never below zero.
pub fn forecast(values: &[f64], params: &Params) -> Vec<f64> {
    let h = 1..=params.horizon;
    let ahead: Vec<f64> = match params.method {
        Method::MovingAverage => {
            let recent = &values[values.len().saturating_sub(params.window)..];
            let average = recent.iter().sum::<f64>() / recent.len() as f64;
            h.map(|_| average).collect()
        }
        Method::Ses => {
            let level = ses_level(values, params.alpha);
            h.map(|_| level).collect()
        }
        Method::Holt => {
            let (level, trend) = holt(values, params.alpha, params.beta);
            h.map(|step| level + step as f64 * trend).collect()
        }
    };
    // Demand is never negative, though a falling trend can point below zero.
    ahead.into_iter().map(|units| units.max(0.0)).collect()
}

/// Simple exponential smoothing's final level: l0 = y1, then for every period
/// t = 1..T, lt = alpha yt + (1 - alpha) l(t-1).
fn ses_level(values: &[f64], alpha: f64) -> f64 {
    values
        .iter()
        .fold(values[0], |level, y| alpha * y + (1.0 - alpha) * level)
}

/// Holt's final level and trend: l0 = y1, b0 = y2 - y1 (0 with one period), then
/// for every period t = 1..T, lt = alpha yt + (1 - alpha)(l(t-1) + b(t-1)) and
/// bt = beta (lt - l(t-1)) + (1 - beta) b(t-1).
fn holt(values: &[f64], alpha: f64, beta: f64) -> (f64, f64) {
    let trend = values.get(1).map_or(0.0, |second| second - values[0]);
    values.iter().fold((values[0], trend), |(level, trend), y| {
        let next = alpha * y + (1.0 - alpha) * (level + trend);
        (next, beta * (next - level) + (1.0 - beta) * trend)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::parse_timestamp;
    use crate::model::{Dataset, Line, Order};
    use crate::report::funnel::tests::{day, scope_of, settings};

    fn run(data: &Dataset, as_of: &str, params: &Params) -> Result<Vec<Series>> {
        let (data, as_of) = scope_of(data, day(as_of));
        demand(&Scope::all(&data, as_of), params).map(|d| d.series)
    }

    fn params(method: Method) -> Params {
        Params {
            by: GroupBy::Product,
            period: Period::Month,
            method,
            horizon: 3,
            window: 3,
            alpha: 0.5,
            beta: 0.5,
        }
    }

    const SERIES: [f64; 4] = [10.0, 20.0, 15.0, 25.0];

    #[test]
    fn moving_average_by_hand() {
        // Last three: (20 + 15 + 25) / 3 = 20, flat.
        assert_eq!(forecast(&SERIES, &params(Method::MovingAverage)), [20.0; 3]);
        // A window longer than the history averages all of it: 70 / 4 = 17.5.
        let long = Params {
            window: 10,
            ..params(Method::MovingAverage)
        };
        assert_eq!(forecast(&SERIES, &long), [17.5; 3]);
    }

    #[test]
    fn ses_by_hand() {
        // alpha 0.5: l0 = 10; l1 = .5x10 + .5x10 = 10; l2 = .5x20 + .5x10 = 15;
        // l3 = .5x15 + .5x15 = 15; l4 = .5x25 + .5x15 = 20.
        assert_eq!(forecast(&SERIES, &params(Method::Ses)), [20.0; 3]);
        // alpha 0.3: l1 = 10; l2 = 6 + 7 = 13; l3 = 4.5 + 9.1 = 13.6;
        // l4 = 7.5 + 9.52 = 17.02.
        let slow = Params {
            alpha: 0.3,
            ..params(Method::Ses)
        };
        let ahead = forecast(&SERIES, &slow);
        assert!(ahead.iter().all(|v| (v - 17.02).abs() < 1e-9), "{ahead:?}");
    }

    #[test]
    fn holt_by_hand() {
        // alpha = beta = 0.5; l0 = 10, b0 = 20 - 10 = 10.
        // t1 y=10: l1 = 5 + .5(10 + 10) = 15;          b1 = .5(15 - 10) + .5x10 = 7.5
        // t2 y=20: l2 = 10 + .5(15 + 7.5) = 21.25;     b2 = .5(6.25) + .5x7.5 = 6.875
        // t3 y=15: l3 = 7.5 + .5(21.25 + 6.875) = 21.5625;
        //          b3 = .5(0.3125) + .5x6.875 = 3.59375
        // t4 y=25: l4 = 12.5 + .5(21.5625 + 3.59375) = 25.078125;
        //          b4 = .5(3.515625) + .5x3.59375 = 3.5546875
        // h = 1, 2, 3: 25.078125 + h x 3.5546875.
        assert_eq!(
            forecast(&SERIES, &params(Method::Holt)),
            [28.6328125, 32.1875, 35.7421875]
        );
        // One period: no trend, the level stays the value.
        assert_eq!(forecast(&[4.0], &params(Method::Holt)), [4.0; 3]);
        // A steep fall is cut at zero: l0 = 10, b0 = -10; alpha = beta = 1 gives
        // l2 = 0, b2 = -10, so -10, -20, -30 ahead.
        let falling = Params {
            alpha: 1.0,
            beta: 1.0,
            ..params(Method::Holt)
        };
        assert_eq!(forecast(&[10.0, 0.0], &falling), [0.0; 3]);
    }

    fn order(at: &str, lines: &[(&str, i64)]) -> Order {
        Order {
            id: format!("o-{at}").into(),
            lines: lines
                .iter()
                .map(|(product, quantity)| Line {
                    product: (*product).into(),
                    quantity: Decimal::from(*quantity),
                    price: Decimal::ONE,
                })
                .collect(),
            ..Order::new("acme", parse_timestamp(at).unwrap())
        }
    }

    /// Paper (category paper, price 5: budget), pens (category paper, price 100:
    /// standard), ink (no category, price 600: premium); the as-of date is Sunday
    /// 2026-11-22, so the weeks start on Mondays 11-02, 11-09, 11-16.
    fn dataset() -> Dataset {
        let product = |id: &str, category: Option<&str>, price: i64| Product {
            id: id.into(),
            name: id.into(),
            category: category.map(str::to_string),
            price: Decimal::from(price),
            cost: None,
            segment: None,
            upgrade_after_years: None,
            successor: None,
            external_id: None,
            conflicts: Vec::new(),
        };
        let mut data = Dataset::empty(settings());
        data.products = vec![
            product("paper", Some("paper"), 5),
            product("pens", Some("paper"), 100),
            product("ink", None, 600),
        ];
        data.orders = vec![
            order("2026-11-02T09:00:00Z", &[("paper", 3)]),
            order("2026-11-04T09:00:00Z", &[("paper", 2), ("ink", 1)]),
            order("2026-11-10T09:00:00Z", &[("pens", 4)]),
            order("2026-11-18T09:00:00Z", &[("paper", 1)]),
            // Sunday night in UTC+2 is Saturday 22:30 UTC: still the week of 11-16.
            order("2026-11-22T00:30:00+02:00", &[("pens", 2)]),
            // After the as-of date: left out.
            order("2026-11-23T09:00:00Z", &[("paper", 50)]),
        ];
        data
    }

    fn history(series: &Series) -> Vec<(NaiveDate, Decimal)> {
        series
            .history
            .iter()
            .map(|s| (s.period_start, s.units))
            .collect()
    }

    fn units(values: &[(&str, i64)]) -> Vec<(NaiveDate, Decimal)> {
        values
            .iter()
            .map(|(d, u)| (day(d), Decimal::from(*u)))
            .collect()
    }

    #[test]
    fn the_unfinished_period_is_marked_and_forecast_instead_of_used() {
        let p = Params {
            period: Period::Week,
            horizon: 2,
            window: 2,
            ..params(Method::MovingAverage)
        };
        let mut data = dataset();
        data.orders
            .push(order("2026-11-17T09:00:00Z", &[("glue", 1)]));
        // Wednesday 11-18: the week of 11-16 is under way.
        let all = run(&data, "2026-11-18", &p).unwrap();
        type Found<'a> = (&'a str, Vec<bool>, Vec<(NaiveDate, f64)>);
        let found: Vec<Found> = all
            .iter()
            .map(|s| {
                (
                    s.group.value().unwrap(),
                    s.history.iter().map(|h| h.partial).collect(),
                    s.forecast
                        .iter()
                        .map(|f| (f.period_start, f.units))
                        .collect(),
                )
            })
            .collect();
        let weeks = |units: f64| vec![(day("2026-11-16"), units), (day("2026-11-23"), units)];
        assert_eq!(
            found,
            [
                // Only sold in the unfinished week: nothing to forecast from.
                ("glue", vec![true], vec![]),
                // Whole weeks 1 and 0.
                ("ink", vec![false, false, true], weeks(0.5)),
                // Whole weeks 5 and 0; the 1 sold on 11-18 is not used.
                ("paper", vec![false, false, true], weeks(2.5)),
                ("pens", vec![false, true], weeks(4.0)),
            ]
        );
        assert_eq!(history(&all[2])[2], (day("2026-11-16"), Decimal::from(1)));
    }

    #[test]
    fn weekly_history_per_product_with_gaps() {
        let p = Params {
            period: Period::Week,
            method: Method::MovingAverage,
            horizon: 2,
            window: 2,
            ..params(Method::MovingAverage)
        };
        let all = run(&dataset(), "2026-11-22", &p).unwrap();
        let groups: Vec<&Group> = all.iter().map(|s| &s.group).collect();
        assert_eq!(
            groups,
            [
                &Group::Product("ink".into()),
                &Group::Product("paper".into()),
                &Group::Product("pens".into())
            ]
        );
        // ink: 1 in week 11-02, then two weeks without sales.
        assert_eq!(
            history(&all[0]),
            units(&[("2026-11-02", 1), ("2026-11-09", 0), ("2026-11-16", 0)])
        );
        // paper: 3 + 2 in week 11-02, none in 11-09, 1 in 11-16.
        assert_eq!(
            history(&all[1]),
            units(&[("2026-11-02", 5), ("2026-11-09", 0), ("2026-11-16", 1)])
        );
        // pens: first sold in week 11-09 (4), then 2.
        assert_eq!(
            history(&all[2]),
            units(&[("2026-11-09", 4), ("2026-11-16", 2)])
        );
        // Moving average of the last two weeks: paper (0 + 1) / 2 = 0.5 for the
        // weeks of 11-23 and 11-30.
        let ahead: Vec<(NaiveDate, f64)> = all[1]
            .forecast
            .iter()
            .map(|f| (f.period_start, f.units))
            .collect();
        assert_eq!(ahead, [(day("2026-11-23"), 0.5), (day("2026-11-30"), 0.5)]);
    }

    #[test]
    fn monthly_groups_by_category_and_segment() {
        let by = |by: GroupBy| {
            let p = Params {
                by,
                ..params(Method::Ses)
            };
            run(&dataset(), "2026-12-31", &p).unwrap()
        };
        // Category paper: 3 + 2 + 4 + 1 + 2 = 12 in November, 0 in December (the
        // 50 of 11-23 counts as well now: 62); ink has no category and comes last.
        let categories = by(GroupBy::Category);
        assert_eq!(categories[0].group, Group::Category(Some("paper".into())));
        assert_eq!(
            history(&categories[0]),
            units(&[("2026-11-01", 62), ("2026-12-01", 0)])
        );
        assert_eq!(categories[1].group, Group::Category(None));
        // SES alpha 0.5 on [62, 0]: l1 = 62, l2 = 31; months 2027-01..03.
        let ahead: Vec<(NaiveDate, f64)> = categories[0]
            .forecast
            .iter()
            .map(|f| (f.period_start, f.units))
            .collect();
        assert_eq!(
            ahead,
            [
                (day("2027-01-01"), 31.0),
                (day("2027-02-01"), 31.0),
                (day("2027-03-01"), 31.0)
            ]
        );
        // Segments: budget (paper 56), premium (ink 1), standard (pens 6).
        let segments = by(GroupBy::Segment);
        let totals: Vec<(Option<&str>, Decimal)> = segments
            .iter()
            .map(|s| (s.group.value(), s.history.iter().map(|h| h.units).sum()))
            .collect();
        assert_eq!(
            totals,
            [
                (Some("budget"), Decimal::from(56)),
                (Some("premium"), Decimal::from(1)),
                (Some("standard"), Decimal::from(6)),
            ]
        );
        let json = serde_json::to_value(&segments[0]).unwrap();
        assert_eq!(json["segment"], "budget");
        assert_eq!(json["history"][0]["period_start"], "2026-11-01");
        assert_eq!(json["history"][0]["units"], 56);
    }

    #[test]
    fn bad_parameters_are_usage_errors() {
        for bad in [
            Params {
                window: 0,
                ..params(Method::MovingAverage)
            },
            Params {
                alpha: 1.5,
                ..params(Method::Ses)
            },
            Params {
                beta: -0.1,
                ..params(Method::Holt)
            },
        ] {
            let error = run(&dataset(), "2026-11-22", &bad).unwrap_err();
            assert!(matches!(error, Error::Usage { .. }), "{error:?}");
        }
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(Period::Week.start(day("2026-11-22")), day("2026-11-16"));
        assert_eq!(Period::Week.start(day("2026-11-23")), day("2026-11-23"));
        assert_eq!(Period::Month.start(day("2026-02-28")), day("2026-02-01"));
        assert_eq!(
            Period::Month.next(day("2026-12-01")),
            Some(day("2027-01-01"))
        );
        let last_month = Period::Month.start(NaiveDate::MAX);
        assert_eq!(Period::Month.next(last_month), None, "the calendar's end");
        assert_eq!(Period::Month.starts(last_month).count(), 1);
    }
}
