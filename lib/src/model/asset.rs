//! An asset: a piece of equipment (a product) installed at a customer, with its
//! warranty and maintenance interval.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::merge::Conflict;
use super::{FieldProblem, Kind, Product, Record, Settings, id_problems};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    pub id: String,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub customer: String,
    /// The product (SKU) the equipment is.
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warranty_until: Option<NaiveDate>,
    /// Maintenance interval in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_every_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_service: Option<NaiveDate>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Asset {
    /// When the next maintenance is due: the interval after the last service,
    /// or after the installation when it was never serviced.
    pub fn next_service(&self) -> Option<NaiveDate> {
        let every = self.service_every_days?;
        let since = self.last_service.or(self.installed)?;
        since.checked_add_days(Days::new(every.into()))
    }

    /// Records a service visit on `date`; an older visit logged late does not
    /// move the last service back.
    pub fn serviced(&mut self, date: NaiveDate) {
        self.last_service = Some(self.last_service.map_or(date, |last| last.max(date)));
    }

    /// When the equipment reaches its product's upgrade age, if the product has one.
    pub fn upgrade_due(&self, product: &Product) -> Option<NaiveDate> {
        let years = product.upgrade_after_years?;
        self.installed?
            .checked_add_months(Months::new(years.saturating_mul(12)))
    }

    /// Whole years from installation to `date`.
    pub fn age_years(&self, date: NaiveDate) -> Option<u32> {
        date.years_since(self.installed?)
    }
}

impl Record for Asset {
    const KIND: Kind = Kind::Asset;

    record_accessors!(customer);

    fn problems(&self, _settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        if self.service_every_days == Some(0) {
            problems.push(FieldProblem::new(
                "service_every_days",
                "service_every_days must be more than 0",
            ));
        }
        if self.service_every_days.is_some()
            && self.installed.is_none()
            && self.last_service.is_none()
        {
            problems.push(FieldProblem::new(
                "service_every_days",
                "a maintenance interval needs `installed` or `last_service` to count from",
            ));
        }
        if let Some(installed) = self.installed {
            for (field, date) in [
                ("last_service", self.last_service),
                ("warranty_until", self.warranty_until),
            ] {
                if date.is_some_and(|date| date < installed) {
                    problems.push(FieldProblem::new(
                        field,
                        format!("`{field}` is before the installation on {installed}"),
                    ));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn asset() -> Asset {
        Asset {
            id: "acme-printer".into(),
            customer: "acme".into(),
            product: "printer".into(),
            serial: None,
            installed: Some(day("2022-02-28")),
            warranty_until: None,
            service_every_days: Some(90),
            last_service: None,
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    #[test]
    fn maintenance_counts_from_the_last_service_or_the_installation() {
        let mut a = asset();
        // From 2022-02-28: 03-31 is 31 days on, 04-30 is 61, so 90 days is 05-29.
        assert_eq!(a.next_service(), Some(day("2022-05-29")));
        a.serviced(day("2026-10-01"));
        a.serviced(day("2026-09-01"));
        assert_eq!(a.last_service, Some(day("2026-10-01")));
        // From 2026-10-01: 10-31 is 30 days on, 11-30 is 60, so 90 days is 12-30.
        assert_eq!(a.next_service(), Some(day("2026-12-30")));
        a.service_every_days = None;
        assert_eq!(a.next_service(), None);
    }

    #[test]
    fn upgrade_age_and_whole_years() {
        let a = asset();
        let mut product = Product {
            id: "printer".into(),
            name: "Printer".into(),
            category: None,
            price: Decimal::ONE,
            cost: None,
            segment: None,
            upgrade_after_years: Some(4),
            successor: None,
            conflicts: Vec::new(),
            external_id: None,
        };
        assert_eq!(a.upgrade_due(&product), Some(day("2026-02-28")));
        assert_eq!(a.age_years(day("2026-02-27")), Some(3));
        assert_eq!(a.age_years(day("2026-02-28")), Some(4));
        product.upgrade_after_years = None;
        assert_eq!(a.upgrade_due(&product), None);
    }

    #[test]
    fn problems() {
        let settings: Settings =
            serde_yaml::from_str(crate::model::settings::DEFAULT_SETTINGS_YAML).unwrap();
        let mut a = asset();
        assert!(a.problems(&settings).is_empty());
        a.installed = None;
        a.service_every_days = Some(0);
        let messages: Vec<String> = a
            .problems(&settings)
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(
            messages,
            [
                "service_every_days must be more than 0",
                "a maintenance interval needs `installed` or `last_service` to count from",
            ]
        );
        a = asset();
        a.warranty_until = Some(day("2022-01-01"));
        assert_eq!(
            a.problems(&settings)[0].message,
            "`warranty_until` is before the installation on 2022-02-28"
        );
    }
}
