//! `report value`: what customers are worth. Per customer: revenue, orders,
//! average order value, gross margin, tenure and historic CLV; store-wide:
//! average order value, purchase frequency, repeat rate, churn-based CLV and
//! the Pareto share. Formulas and sources: docs/analytics.md.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

use super::{Report, Scope, mean_money, money, ratio};
use crate::model::values::{decimal, opt_decimal, utc_date};
use crate::model::{Order, Product};
use crate::output::chart::{Bars, Chart, Series, Unit};
use crate::output::{Cell, Section, Table};

/// Days in a year, for purchases per year.
const YEAR_DAYS: i64 = 365;

/// One customer's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerValue {
    pub customer: String,
    #[serde(with = "decimal")]
    pub revenue: Decimal,
    pub orders: u64,
    #[serde(with = "decimal")]
    pub aov: Decimal,
    /// Gross margin of the lines whose product has a cost; null without any.
    #[serde(with = "opt_decimal")]
    pub margin: Option<Decimal>,
    pub first_order: NaiveDate,
    pub last_order: NaiveDate,
    /// Days from the first order to the as-of date.
    pub tenure_days: i64,
    /// Orders per year of tenure (a tenure under a year counts as one year).
    pub purchases_per_year: f64,
    /// Historic CLV: aov x purchases per year x lifespan x margin rate, from the
    /// exact values (not the rounded `aov`), rounded to cents.
    #[serde(with = "decimal")]
    pub clv: Decimal,
}

/// Store-wide figures over the selected customers with orders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSummary {
    pub customers: u64,
    pub orders: u64,
    #[serde(with = "decimal")]
    pub revenue: Decimal,
    #[serde(with = "opt_decimal")]
    pub aov: Option<Decimal>,
    /// Orders per customer.
    pub purchase_frequency: Option<f64>,
    /// Share of customers with two orders or more.
    pub repeat_rate: Option<f64>,
    /// aov x purchase frequency / (1 - repeat rate); null when no customer has
    /// churned by this measure (repeat rate 1) or there are no customers.
    #[serde(with = "opt_decimal")]
    pub churn_clv: Option<Decimal>,
    /// Gross margin over the lines whose product has a cost.
    #[serde(with = "opt_decimal")]
    pub margin: Option<Decimal>,
    /// Margin / revenue of those lines; the CLV's margin for customers without costed lines.
    pub margin_rate: Option<f64>,
    #[serde(with = "decimal")]
    pub lifespan_years: Decimal,
    /// How many customers make the top 20 % (rounded up).
    pub pareto_customers: u64,
    /// Their share of the revenue.
    pub pareto_share: Option<f64>,
}

/// `report value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueReport {
    pub summary: ValueSummary,
    /// The customers by revenue, highest first (the top N when limited).
    pub customers: Vec<CustomerValue>,
}

/// Margin figures of a set of order lines: the margin of the lines whose product
/// has a cost, and those lines' revenue.
#[derive(Debug, Clone, Copy, Default)]
struct Margin {
    margin: Decimal,
    revenue: Decimal,
    known: bool,
}

impl Margin {
    fn add_order(&mut self, order: &Order, products: &HashMap<&str, &Product>) {
        for line in &order.lines {
            if let Some(cost) = products.get(line.product.as_str()).and_then(|p| p.cost) {
                self.margin += line.quantity * (line.price - cost);
                self.revenue += line.amount();
                self.known = true;
            }
        }
    }

    fn add(&mut self, other: Margin) {
        self.margin += other.margin;
        self.revenue += other.revenue;
        self.known |= other.known;
    }

    fn amount(&self) -> Option<Decimal> {
        self.known.then_some(self.margin)
    }

    fn rate(&self) -> Option<Decimal> {
        (self.known && !self.revenue.is_zero()).then(|| self.margin / self.revenue)
    }
}

struct Totals {
    orders: u64,
    revenue: Decimal,
    first: NaiveDate,
    last: NaiveDate,
    margin: Margin,
}

/// The value of the selected customers with orders, sorted by revenue (highest
/// first, ties by id); `top` keeps only the first N customers (the summary is
/// always over all of them). `lifespan_years` is the expected lifespan for the
/// historic CLV.
pub fn report(scope: &Scope, lifespan_years: Decimal, top: Option<usize>) -> ValueReport {
    let products = scope.data.products_by_id();
    let mut totals: HashMap<&str, Totals> = HashMap::new();
    for order in scope.orders() {
        let date = utc_date(&order.at);
        let value = order.value();
        let entry = totals.entry(order.customer.as_str()).or_insert(Totals {
            orders: 0,
            revenue: Decimal::ZERO,
            first: date,
            last: date,
            margin: Margin::default(),
        });
        entry.orders += 1;
        entry.revenue += value;
        entry.first = entry.first.min(date);
        entry.last = entry.last.max(date);
        entry.margin.add_order(order, &products);
    }
    let mut store_margin = Margin::default();
    for t in totals.values() {
        store_margin.add(t.margin);
    }
    let fallback_rate = store_margin.rate().unwrap_or(Decimal::ONE);
    let mut customers: Vec<CustomerValue> = totals
        .iter()
        .map(|(id, t)| {
            let aov = t.revenue / Decimal::from(t.orders);
            let tenure_days = (scope.as_of - t.first).num_days();
            let per_year = Decimal::from(t.orders * YEAR_DAYS as u64)
                / Decimal::from(tenure_days.max(YEAR_DAYS));
            let rate = t.margin.rate().unwrap_or(fallback_rate);
            CustomerValue {
                customer: id.to_string(),
                revenue: t.revenue,
                orders: t.orders,
                aov: money(aov),
                margin: t.margin.amount(),
                first_order: t.first,
                last_order: t.last,
                tenure_days,
                purchases_per_year: decimal_f64(per_year),
                clv: money(aov * per_year * lifespan_years * rate),
            }
        })
        .collect();
    customers.sort_by(|a, b| {
        b.revenue
            .cmp(&a.revenue)
            .then_with(|| a.customer.cmp(&b.customer))
    });
    let summary = summarize(&customers, store_margin, lifespan_years);
    if let Some(top) = top {
        customers.truncate(top);
    }
    ValueReport { summary, customers }
}

fn summarize(customers: &[CustomerValue], margin: Margin, lifespan_years: Decimal) -> ValueSummary {
    let count = customers.len() as u64;
    let orders: u64 = customers.iter().map(|c| c.orders).sum();
    let revenue: Decimal = customers.iter().map(|c| c.revenue).sum();
    let repeaters = customers.iter().filter(|c| c.orders >= 2).count() as u64;
    // aov x (orders / customers) / (1 - repeaters / customers) simplifies to
    // revenue / (customers - repeaters): exact, with no rounding in between.
    let churned = count - repeaters;
    let churn_clv = (churned > 0).then(|| money(revenue / Decimal::from(churned)));
    let pareto_customers = count.div_ceil(5);
    let pareto_revenue: Decimal = customers
        .iter()
        .take(pareto_customers as usize)
        .map(|c| c.revenue)
        .sum();
    ValueSummary {
        customers: count,
        orders,
        revenue,
        aov: mean_money(revenue, orders),
        purchase_frequency: ratio(orders, count),
        repeat_rate: ratio(repeaters, count),
        churn_clv,
        margin: margin.amount(),
        margin_rate: (margin.known && !margin.revenue.is_zero())
            .then(|| decimal_f64(margin.margin) / decimal_f64(margin.revenue)),
        lifespan_years,
        pareto_customers,
        pareto_share: (!revenue.is_zero())
            .then(|| decimal_f64(pareto_revenue) / decimal_f64(revenue)),
    }
}

fn decimal_f64(value: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    value.to_f64().unwrap_or(f64::NAN)
}

/// How many customers the top-customers chart shows.
const CHARTED_CUSTOMERS: usize = 10;

impl Report for ValueReport {
    fn title(&self) -> String {
        "Customer value".into()
    }

    /// The customers with the most revenue (the list is sorted by it).
    fn charts(&self) -> Vec<Chart> {
        let top = &self.customers[..self.customers.len().min(CHARTED_CUSTOMERS)];
        if top.is_empty() {
            return Vec::new();
        }
        vec![Chart::Bars(Bars {
            title: format!("Top {} customers by revenue", top.len()),
            categories: top.iter().map(|c| c.customer.clone()).collect(),
            bars: vec![Series::new(
                "revenue",
                top.iter().map(|c| Some(decimal_f64(c.revenue))).collect(),
            )],
            line: None,
            notes: Vec::new(),
            unit: Unit::Money,
            horizontal: true,
        })]
    }

    fn sections(&self) -> Vec<Section> {
        let mut customers = Table::new(&[
            "customer",
            "revenue",
            "orders",
            "aov",
            "margin",
            "first_order",
            "last_order",
            "tenure_days",
            "purchases_per_year",
            "clv",
        ]);
        for c in &self.customers {
            customers.push(vec![
                Cell::text(&c.customer),
                Cell::Money(c.revenue),
                Cell::Int(c.orders as i64),
                Cell::Money(c.aov),
                Cell::money(c.margin),
                Cell::Date(c.first_order),
                Cell::Date(c.last_order),
                Cell::Int(c.tenure_days),
                Cell::Float(c.purchases_per_year),
                Cell::Money(c.clv),
            ]);
        }
        let s = &self.summary;
        let mut summary = Table::new(&["figure", "value"]);
        let figures: [(&str, Cell); 12] = [
            ("customers", Cell::Int(s.customers as i64)),
            ("orders", Cell::Int(s.orders as i64)),
            ("revenue", Cell::Money(s.revenue)),
            ("aov", Cell::money(s.aov)),
            ("purchase_frequency", s.purchase_frequency.into()),
            ("repeat_rate", s.repeat_rate.into()),
            ("churn_clv", Cell::money(s.churn_clv)),
            ("margin", Cell::money(s.margin)),
            ("margin_rate", s.margin_rate.into()),
            ("lifespan_years", Cell::Number(s.lifespan_years)),
            ("pareto_customers", Cell::Int(s.pareto_customers as i64)),
            ("pareto_share", s.pareto_share.into()),
        ];
        for (figure, value) in figures {
            summary.push(vec![Cell::text(figure), value]);
        }
        vec![
            Section::new("customers", "Customers by revenue", customers),
            Section::new("summary", "Store-wide", summary),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{customer, dataset, date, dec, order, order_lines};

    /// p1 costs 6 (price 10), p2 has no cost. As of 2026-06-30:
    /// a: 3 x p1 at 10 on 2025-06-30, 70 on 2026-06-30;
    /// b: 1 x p2 at 20 on 2026-01-01;
    /// c: 10 on 2024-06-30, 2025-06-30 and 2026-06-30;
    /// d: 2 x p1 at 8 and 1 x p2 at 20 on 2026-06-01.
    fn data() -> crate::model::Dataset {
        let mut data = dataset(
            ["a", "b", "c", "d", "e"].map(customer).to_vec(),
            vec![
                order_lines("a", "2025-06-30", &[("p1", "3", "10")]),
                order("a", "2026-06-30", "70"),
                order_lines("b", "2026-01-01", &[("p2", "1", "20")]),
                order("c", "2024-06-30", "10"),
                order("c", "2025-06-30", "10"),
                order("c", "2026-06-30", "10"),
                order_lines("d", "2026-06-01", &[("p1", "2", "8"), ("p2", "1", "20")]),
            ],
        );
        let product = |id: &str, price: &str, cost: Option<&str>| Product {
            id: id.into(),
            name: id.into(),
            category: None,
            price: dec(price),
            cost: cost.map(dec),
            segment: None,
            external_id: None,
            conflicts: Vec::new(),
            successor: None,
            upgrade_after_years: None,
        };
        data.products = vec![product("p1", "10", Some("6")), product("p2", "20", None)];
        data
    }

    #[test]
    fn per_customer_value_and_historic_clv() {
        let data = data();
        let report = report(
            &Scope::all(&data, date("2026-06-30")),
            Decimal::from(3),
            None,
        );
        type Row<'a> = (
            &'a str,
            Decimal,
            u64,
            Decimal,
            Option<Decimal>,
            i64,
            f64,
            Decimal,
        );
        let rows: Vec<Row> = report
            .customers
            .iter()
            .map(|c| {
                (
                    c.customer.as_str(),
                    c.revenue,
                    c.orders,
                    c.aov,
                    c.margin,
                    c.tenure_days,
                    c.purchases_per_year,
                    c.clv,
                )
            })
            .collect();
        // Margin rates: a 3 x (10 - 6) = 12 on 30 -> 0.4; d 2 x (8 - 6) = 4 on 16 -> 0.25;
        // the store's (12 + 4) / (30 + 16) = 16/46 for b and c, who have no costed line.
        // CLV = aov x purchases per year x 3 years x rate:
        // a: 100 / 2 = 50; tenure 365 days -> 2 per year; 50 x 2 x 3 x 0.4 = 120.
        // d: 36; tenure 29 days counts as a year -> 1; 36 x 1 x 3 x 0.25 = 27.
        // c: 30 / 3 = 10; tenure 730 -> 3 x 365 / 730 = 1.5; 10 x 1.5 x 3 x 16/46 = 720/46 = 15.652... -> 15.65.
        // b: 20; tenure 180 (Jan 1 -> Jun 30) -> 1; 20 x 1 x 3 x 16/46 = 960/46 = 20.869... -> 20.87.
        assert_eq!(
            rows,
            [
                (
                    "a",
                    dec("100"),
                    2,
                    dec("50"),
                    Some(dec("12")),
                    365,
                    2.0,
                    dec("120")
                ),
                (
                    "d",
                    dec("36"),
                    1,
                    dec("36"),
                    Some(dec("4")),
                    29,
                    1.0,
                    dec("27")
                ),
                ("c", dec("30"), 3, dec("10"), None, 730, 1.5, dec("15.65")),
                ("b", dec("20"), 1, dec("20"), None, 180, 1.0, dec("20.87")),
            ]
        );
        assert_eq!(report.customers[0].first_order, date("2025-06-30"));
        assert_eq!(report.customers[0].last_order, date("2026-06-30"));
    }

    #[test]
    fn clv_is_computed_from_the_exact_aov_not_the_rounded_one() {
        let data = dataset(
            vec![customer("a")],
            vec![
                order("a", "2026-01-01", "30"),
                order("a", "2026-02-01", "30"),
                order("a", "2026-03-01", "40"),
            ],
        );
        let report = report(
            &Scope::all(&data, date("2026-06-30")),
            Decimal::from(3),
            None,
        );
        let a = &report.customers[0];
        // aov 100 / 3 = 33.333... shown as 33.33; a tenure under a year counts as
        // one: 3 orders a year; no costs: rate 1. CLV 100 / 3 x 3 x 3 = 300
        // exactly, where the shown aov would give 33.33 x 9 = 299.97.
        assert_eq!(
            (a.aov, a.purchases_per_year, a.clv),
            (dec("33.33"), 3.0, dec("300"))
        );
    }

    #[test]
    fn store_wide_figures_and_pareto() {
        let data = data();
        let report = report(
            &Scope::all(&data, date("2026-06-30")),
            Decimal::from(3),
            Some(2),
        );
        // 4 buyers (e has no order), 2 + 1 + 3 + 1 = 7 orders, 100 + 20 + 30 + 36 = 186.
        // aov 186 / 7 = 26.571... -> 26.57; frequency 7 / 4; repeaters a and c: 2 / 4.
        // Churn CLV: 26.571... x 1.75 / (1 - 0.5) = 93. Pareto: the top ceil(4 / 5) = 1
        // customer, a, has 100 of 186.
        assert_eq!(
            report.summary,
            ValueSummary {
                customers: 4,
                orders: 7,
                revenue: dec("186"),
                aov: Some(dec("26.57")),
                purchase_frequency: Some(1.75),
                repeat_rate: Some(0.5),
                churn_clv: Some(dec("93")),
                margin: Some(dec("16")),
                margin_rate: Some(16.0 / 46.0),
                lifespan_years: dec("3"),
                pareto_customers: 1,
                pareto_share: Some(100.0 / 186.0),
            }
        );
        let top: Vec<&str> = report
            .customers
            .iter()
            .map(|c| c.customer.as_str())
            .collect();
        assert_eq!(top, ["a", "d"]);
    }

    #[test]
    fn no_costs_means_clv_on_revenue_and_everyone_repeating_means_no_churn_clv() {
        let data = dataset(
            vec![customer("a")],
            vec![
                order("a", "2026-01-01", "10"),
                order("a", "2026-03-01", "30"),
            ],
        );
        let loyal = report(
            &Scope::all(&data, date("2026-06-30")),
            Decimal::from(2),
            None,
        );
        // aov 20 x 2 per year x 2 years x margin rate 1 = 80.
        assert_eq!(loyal.customers[0].clv, dec("80"));
        assert_eq!(loyal.summary.repeat_rate, Some(1.0));
        assert_eq!(loyal.summary.churn_clv, None);
        assert_eq!(loyal.summary.margin, None);
        assert_eq!(loyal.summary.pareto_share, Some(1.0));
        let empty = dataset(Vec::new(), Vec::new());
        let report = report(
            &Scope::all(&empty, date("2026-06-30")),
            Decimal::from(3),
            None,
        );
        assert!(report.customers.is_empty());
        assert_eq!(report.summary.customers, 0);
        assert_eq!(report.summary.aov, None);
        assert_eq!(report.summary.churn_clv, None);
        assert_eq!(report.summary.pareto_share, None);
    }
}
