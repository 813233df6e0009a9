//! An asset: a piece of equipment (a product) installed at a customer, with its
//! warranty and maintenance interval.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::assign::{Assign, Assignment, unknown_field};
use super::merge::Conflict;
use super::values::parse_date;
use super::{FieldProblem, Kind, Product, Record, Reference, Settings, id_problems};

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
    /// When it was taken out of use: it stays on file for its service history,
    /// but is due for no maintenance and no upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<NaiveDate>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Asset {
    /// When the next maintenance is due: the interval after the last service,
    /// or after the installation when it was never serviced.
    pub fn next_service(&self) -> Option<NaiveDate> {
        if self.retired.is_some() {
            return None;
        }
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
        if self.retired.is_some() {
            return None;
        }
        let years = product.upgrade_after_years?;
        self.installed?
            .checked_add_months(Months::new(years.saturating_mul(12)))
    }

    /// Whole years from installation to `date`.
    pub fn age_years(&self, date: NaiveDate) -> Option<u32> {
        date.years_since(self.installed?)
    }
}

impl Assign for Asset {
    const FIELDS: &'static [&'static str] = &[
        "external_id",
        "customer",
        "product",
        "serial",
        "installed",
        "warranty_until",
        "service_every_days",
        "last_service",
        "retired",
    ];

    fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "external_id" => self.external_id = a.text()?,
            "customer" => self.customer = a.reference()?.ok_or("an asset needs a customer")?,
            "product" => self.product = a.reference()?.ok_or("an asset needs a product")?,
            "serial" => self.serial = a.text()?,
            "installed" => self.installed = a.parsed(parse_date)?,
            "warranty_until" => self.warranty_until = a.parsed(parse_date)?,
            "service_every_days" => self.service_every_days = a.whole()?,
            "last_service" => self.last_service = a.parsed(parse_date)?,
            "retired" => self.retired = a.parsed(parse_date)?,
            field => return Err(unknown_field::<Asset>(field)),
        }
        Ok(())
    }
}

impl Record for Asset {
    const KIND: Kind = Kind::Asset;

    record_accessors!(customer);

    fn references(&self) -> Vec<Reference<'_>> {
        vec![
            Reference::new("customer", Kind::Customer, &self.customer),
            Reference::new("product", Kind::Product, &self.product),
        ]
    }

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
                ("retired", self.retired),
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
            retired: None,
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
        a.retired = Some(day("2026-11-01"));
        assert_eq!(a.next_service(), None, "a retired asset is due for nothing");
        a.retired = None;
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
