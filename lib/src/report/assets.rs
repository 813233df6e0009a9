//! `report assets`: equipment due for maintenance, warranties ending soon, and
//! equipment older than its product's upgrade age. Definitions: docs/analytics.md.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::{Report, Scope};
use crate::model::Asset;
use crate::output::{Cell, Section, Table};

/// An asset whose maintenance falls due by the end of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Maintenance {
    pub asset: String,
    pub customer: String,
    pub product: String,
    pub last_service: Option<NaiveDate>,
    pub due: NaiveDate,
    /// Days from the due date to the as-of date: positive when overdue,
    /// negative while still ahead.
    pub overdue_days: i64,
}

/// An asset whose warranty ends within the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warranty {
    pub asset: String,
    pub customer: String,
    pub product: String,
    pub warranty_until: NaiveDate,
    /// Days from the as-of date to the warranty's last day.
    pub days_left: i64,
}

/// An asset older than its product's upgrade age.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upgrade {
    pub asset: String,
    pub customer: String,
    pub product: String,
    pub installed: NaiveDate,
    /// Whole years since installation.
    pub age_years: u32,
    pub upgrade_after_years: u32,
    /// The product that replaces it, if the catalogue names one.
    pub successor: Option<String>,
}

/// `report assets`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assets {
    /// By due date.
    pub maintenance: Vec<Maintenance>,
    /// By end of warranty.
    pub warranties: Vec<Warranty>,
    /// Oldest installation first.
    pub upgrades: Vec<Upgrade>,
}

/// The assets of the selected customers as of `scope.as_of`, looking `days`
/// ahead for maintenance and warranties.
pub fn assets(scope: &Scope, days: u32) -> Assets {
    let as_of = scope.as_of;
    let horizon = as_of
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX);
    let products = scope.data.products_by_id();
    let assets: Vec<&Asset> = scope.assets().collect();
    let mut maintenance: Vec<Maintenance> = assets
        .iter()
        .filter_map(|a| {
            let due = a.next_service().filter(|due| *due <= horizon)?;
            Some(Maintenance {
                asset: a.id.clone(),
                customer: a.customer.clone(),
                product: a.product.clone(),
                last_service: a.last_service,
                due,
                overdue_days: (as_of - due).num_days(),
            })
        })
        .collect();
    maintenance.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.asset.cmp(&b.asset)));
    let mut warranties: Vec<Warranty> = assets
        .iter()
        .filter_map(|a| {
            let until = a
                .warranty_until
                .filter(|until| (as_of..=horizon).contains(until))?;
            Some(Warranty {
                asset: a.id.clone(),
                customer: a.customer.clone(),
                product: a.product.clone(),
                warranty_until: until,
                days_left: (until - as_of).num_days(),
            })
        })
        .collect();
    warranties.sort_by(|a, b| {
        a.warranty_until
            .cmp(&b.warranty_until)
            .then_with(|| a.asset.cmp(&b.asset))
    });
    let mut upgrades: Vec<Upgrade> = assets
        .iter()
        .filter_map(|a| {
            let product = products.get(a.product.as_str())?;
            a.upgrade_due(product).filter(|due| *due <= as_of)?;
            Some(Upgrade {
                asset: a.id.clone(),
                customer: a.customer.clone(),
                product: a.product.clone(),
                installed: a.installed?,
                age_years: a.age_years(as_of)?,
                upgrade_after_years: product.upgrade_after_years?,
                successor: product.successor.clone(),
            })
        })
        .collect();
    upgrades.sort_by(|a, b| {
        a.installed
            .cmp(&b.installed)
            .then_with(|| a.asset.cmp(&b.asset))
    });
    Assets {
        maintenance,
        warranties,
        upgrades,
    }
}

impl Report for Assets {
    fn title(&self) -> String {
        "Assets".into()
    }

    fn sections(&self) -> Vec<Section> {
        let mut maintenance = Table::new(&[
            "asset",
            "customer",
            "product",
            "last_service",
            "due",
            "overdue_days",
        ]);
        for m in &self.maintenance {
            maintenance.push(vec![
                Cell::text(&m.asset),
                Cell::text(&m.customer),
                Cell::text(&m.product),
                m.last_service.into(),
                Cell::Date(m.due),
                Cell::Int(m.overdue_days),
            ]);
        }
        let mut warranties = Table::new(&[
            "asset",
            "customer",
            "product",
            "warranty_until",
            "days_left",
        ]);
        for w in &self.warranties {
            warranties.push(vec![
                Cell::text(&w.asset),
                Cell::text(&w.customer),
                Cell::text(&w.product),
                Cell::Date(w.warranty_until),
                Cell::Int(w.days_left),
            ]);
        }
        let mut upgrades = Table::new(&[
            "asset",
            "customer",
            "product",
            "installed",
            "age_years",
            "upgrade_after_years",
            "successor",
        ]);
        for u in &self.upgrades {
            upgrades.push(vec![
                Cell::text(&u.asset),
                Cell::text(&u.customer),
                Cell::text(&u.product),
                Cell::Date(u.installed),
                Cell::Int(u.age_years.into()),
                Cell::Int(u.upgrade_after_years.into()),
                u.successor.as_deref().into(),
            ]);
        }
        vec![
            Section::new("maintenance", "Maintenance due", maintenance),
            Section::new("warranties", "Warranties ending", warranties),
            Section::new("upgrades", "Upgrade candidates", upgrades),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dataset, Product};
    use crate::report::funnel::tests::{day, settings};
    use rust_decimal::Decimal;

    fn asset(id: &str, product: &str, installed: &str) -> Asset {
        Asset {
            id: id.into(),
            customer: "acme".into(),
            product: product.into(),
            serial: None,
            installed: Some(day(installed)),
            warranty_until: None,
            service_every_days: None,
            last_service: None,
            retired: None,
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    fn product(id: &str, upgrade_after_years: Option<u32>, successor: Option<&str>) -> Product {
        Product {
            id: id.into(),
            name: id.into(),
            category: None,
            price: Decimal::ONE,
            cost: None,
            segment: None,
            upgrade_after_years,
            successor: successor.map(str::to_string),
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    /// As of 2026-11-22, 30 days ahead (to 12-22):
    /// - a1 printer, installed 2020-06-01, every 180 days, last service 2026-05-01:
    ///   due 05-01 + 180 = 10-28 (05-31 is 30 on, 06-30 60, 07-31 91, 08-31 122,
    ///   09-30 152, 10-28 180): overdue by 25 days (to 11-22). Printer's upgrade age 5:
    ///   due 2025-06-01, age 6 whole years.
    /// - a2 printer, installed 2024-01-10, every 365 days, last service 2025-12-10:
    ///   due 2026-12-10, 18 days ahead: listed. Warranty until 2026-12-22: the
    ///   horizon's last day, 30 days left. Upgrade due 2029-01-10: not yet.
    /// - a3 laptop, installed 2022-11-23, warranty until 2026-11-21 (yesterday: not
    ///   listed), every 90 days, last service 2026-09-24: due 12-23, one day past
    ///   the horizon. Laptop's upgrade age 4: due 2026-11-23, tomorrow: not yet.
    /// - a4 laptop, installed 2022-11-22: four years today, an upgrade candidate
    ///   with successor laptop-2.
    /// - a5 installed after the as-of date: left out.
    fn dataset() -> Dataset {
        let mut data = Dataset::empty(settings());
        data.products = vec![
            product("printer", Some(5), None),
            product("laptop", Some(4), Some("laptop-2")),
            product("laptop-2", None, None),
        ];
        let mut a1 = asset("a1", "printer", "2020-06-01");
        a1.service_every_days = Some(180);
        a1.last_service = Some(day("2026-05-01"));
        let mut a2 = asset("a2", "printer", "2024-01-10");
        a2.service_every_days = Some(365);
        a2.last_service = Some(day("2025-12-10"));
        a2.warranty_until = Some(day("2026-12-22"));
        let mut a3 = asset("a3", "laptop", "2022-11-23");
        a3.warranty_until = Some(day("2026-11-21"));
        a3.service_every_days = Some(90);
        a3.last_service = Some(day("2026-09-24"));
        let a4 = asset("a4", "laptop", "2022-11-22");
        let mut a5 = asset("a5", "printer", "2026-11-23");
        a5.service_every_days = Some(1);
        data.assets = vec![a1, a2, a3, a4, a5];
        data
    }

    #[test]
    fn maintenance_warranties_and_upgrades() {
        let data = dataset().as_of(day("2026-11-22"));
        let report = assets(&Scope::all(&data, day("2026-11-22")), 30);
        let maintenance: Vec<(&str, NaiveDate, i64)> = report
            .maintenance
            .iter()
            .map(|m| (m.asset.as_str(), m.due, m.overdue_days))
            .collect();
        assert_eq!(
            maintenance,
            [
                ("a1", day("2026-10-28"), 25),
                ("a2", day("2026-12-10"), -18)
            ]
        );
        let warranties: Vec<(&str, i64)> = report
            .warranties
            .iter()
            .map(|w| (w.asset.as_str(), w.days_left))
            .collect();
        assert_eq!(warranties, [("a2", 30)]);
        let upgrades: Vec<(&str, u32, u32, Option<&str>)> = report
            .upgrades
            .iter()
            .map(|u| {
                (
                    u.asset.as_str(),
                    u.age_years,
                    u.upgrade_after_years,
                    u.successor.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            upgrades,
            [("a1", 6, 5, None), ("a4", 4, 4, Some("laptop-2"))]
        );
    }

    #[test]
    fn no_horizon_means_due_by_today() {
        let data = dataset().as_of(day("2026-11-22"));
        let report = assets(&Scope::all(&data, day("2026-11-22")), 0);
        assert_eq!(report.maintenance.len(), 1);
        assert!(report.warranties.is_empty());
    }
}
