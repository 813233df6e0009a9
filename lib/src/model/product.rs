//! A product (or service) the company sells; its id is its SKU.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::assign::{Assign, Assignment, unknown_field};
use super::merge::Conflict;
use super::values::{decimal, opt_decimal, parse_decimal};
use super::{FieldProblem, Kind, Record, Reference, Settings, blank_problem, id_problems};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Unit price.
    #[serde(with = "decimal")]
    pub price: Decimal,
    /// Unit cost, for margins.
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub cost: Option<Decimal>,
    /// Explicit price segment; otherwise it follows from the settings' bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Installed equipment of this product older than this is a candidate for
    /// an upgrade (`report assets`, `recommend`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_after_years: Option<u32>,
    /// The product (SKU) that replaces this one, offered as its upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Product {
    /// The explicit segment, else the price band the price falls in.
    pub fn price_segment<'a>(&'a self, settings: &'a Settings) -> Option<&'a str> {
        self.segment
            .as_deref()
            .or_else(|| settings.price_segment(self.price))
    }
}

impl Assign for Product {
    const FIELDS: &'static [&'static str] = &[
        "external_id",
        "name",
        "category",
        "price",
        "cost",
        "segment",
        "upgrade_after_years",
        "successor",
    ];

    fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "external_id" => self.external_id = a.text()?,
            "name" => self.name = a.required()?,
            "category" => self.category = a.text()?,
            "price" => self.price = a.parsed(parse_decimal)?.ok_or("a product needs a price")?,
            "cost" => self.cost = a.parsed(parse_decimal)?,
            "segment" => self.segment = a.text()?,
            "upgrade_after_years" => self.upgrade_after_years = a.whole()?,
            "successor" => self.successor = a.reference()?,
            field => return Err(unknown_field::<Product>(field)),
        }
        Ok(())
    }
}

impl Record for Product {
    const KIND: Kind = Kind::Product;

    record_accessors!();

    fn references(&self) -> Vec<Reference<'_>> {
        (self.successor.iter())
            .map(|successor| Reference::new("successor", Kind::Product, successor))
            .collect()
    }

    fn problems(&self, settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        problems.extend(blank_problem("name", &self.name));
        if self.price < Decimal::ZERO {
            problems.push(FieldProblem::new("price", "price must not be negative"));
        }
        if self.cost.is_some_and(|cost| cost < Decimal::ZERO) {
            problems.push(FieldProblem::new("cost", "cost must not be negative"));
        }
        if let Some(segment) = &self.segment
            && !settings.price_segments.iter().any(|s| &s.name == segment)
        {
            problems.push(FieldProblem::new(
                "segment",
                format!("unknown price segment `{segment}`: see `price_segments` in relate.yaml"),
            ));
        }
        if self.upgrade_after_years == Some(0) {
            problems.push(FieldProblem::new(
                "upgrade_after_years",
                "upgrade_after_years must be more than 0",
            ));
        }
        if self.successor.as_deref() == Some(self.id.as_str()) {
            problems.push(FieldProblem::new(
                "successor",
                "a product cannot be its own successor",
            ));
        }
        problems
    }
}
