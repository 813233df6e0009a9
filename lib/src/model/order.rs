//! An order: one sale to a customer, and the `Line` type it shares with deals.

use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::assign::{Assign, Assignment, unknown_field};
use super::merge::Conflict;
use super::values::{
    MAX_AMOUNT, Timestamp, decimal, opt_decimal, parse_decimal, parse_timestamp, timestamp,
    utc_date,
};
use super::{FieldProblem, Kind, Record, Reference, Settings, id, id_problems};

/// One line of an order or deal: a quantity of a product at a unit price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub product: CompactString,
    #[serde(with = "decimal")]
    pub quantity: Decimal,
    /// Unit price.
    #[serde(with = "decimal")]
    pub price: Decimal,
}

/// The largest quantity of one line (a billion): with [`MAX_AMOUNT`] prices,
/// no line or sum of lines can overflow.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

impl Line {
    /// Quantity x price; saturated rather than overflowing for a line beyond
    /// the bounds, which validation refuses anyway.
    pub fn amount(&self) -> Decimal {
        self.quantity
            .checked_mul(self.price)
            .unwrap_or(Decimal::MAX)
    }
}

/// A line as typed on the command line, `SKU:QTY[:PRICE]`; without a price the
/// product's list price applies.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSpec {
    pub product: String,
    pub quantity: Decimal,
    pub price: Option<Decimal>,
}

impl FromStr for LineSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let (product, quantity, price) = match parts.as_slice() {
            [product, quantity] => (*product, *quantity, None),
            [product, quantity, price] => (*product, *quantity, Some(*price)),
            _ => return Err(format!("`{text}` is not SKU:QUANTITY[:PRICE]")),
        };
        if let Some(reason) = id::invalid_reason(product) {
            return Err(reason);
        }
        let quantity = parse_decimal(quantity)?;
        if quantity <= Decimal::ZERO {
            return Err(format!("quantity in `{text}` must be more than 0"));
        }
        if quantity > MAX_QUANTITY {
            return Err(format!(
                "quantity in `{text}` is beyond the largest relate keeps, {MAX_QUANTITY}"
            ));
        }
        let price = price.map(parse_decimal).transpose()?;
        if price.is_some_and(|p| p < Decimal::ZERO) {
            return Err(format!("price in `{text}` must not be negative"));
        }
        Ok(LineSpec {
            product: product.to_string(),
            quantity,
            price,
        })
    }
}

/// Sum of the lines' amounts.
pub fn lines_total(lines: &[Line]) -> Decimal {
    lines
        .iter()
        .try_fold(Decimal::ZERO, |sum, line| sum.checked_add(line.amount()))
        .unwrap_or(Decimal::MAX)
}

/// Problems of lines, shared by orders and deals.
pub fn line_problems(lines: &[Line]) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if lines_total(lines) > MAX_AMOUNT {
        problems.push(FieldProblem::new(
            "lines",
            format!("the lines sum to more than the largest amount relate keeps, {MAX_AMOUNT}"),
        ));
    }
    for line in lines {
        if line.quantity <= Decimal::ZERO {
            problems.push(FieldProblem::new(
                "lines",
                format!("quantity of `{}` must be more than 0", line.product),
            ));
        }
        if line.quantity > MAX_QUANTITY {
            problems.push(FieldProblem::new(
                "lines",
                format!(
                    "quantity of `{}` is beyond the largest relate keeps, {MAX_QUANTITY}",
                    line.product
                ),
            ));
        }
        if line.price < Decimal::ZERO {
            problems.push(FieldProblem::new(
                "lines",
                format!("price of `{}` must not be negative", line.product),
            ));
        }
        if let Some(reason) = id::invalid_reason(&line.product) {
            problems.push(FieldProblem::new("lines", reason));
        }
    }
    problems
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    pub id: CompactString,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<CompactString>,
    pub customer: CompactString,
    #[serde(with = "timestamp")]
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Line>,
    /// Required without lines; otherwise the lines' sum.
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub total: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<CompactString>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Order {
    /// An order of `customer` at `at` with no lines, total or id yet.
    pub fn new(customer: impl Into<CompactString>, at: Timestamp) -> Self {
        Order {
            id: CompactString::default(),
            external_id: None,
            customer: customer.into(),
            at,
            lines: Vec::new(),
            total: None,
            payment_method: None,
            channel: None,
            deal: None,
            conflicts: Vec::new(),
        }
    }

    /// The order's value: its total, or the sum of its lines.
    pub fn value(&self) -> Decimal {
        self.total.unwrap_or_else(|| lines_total(&self.lines))
    }
}

impl Assign for Order {
    const FIELDS: &'static [&'static str] = &[
        "external_id",
        "customer",
        "at",
        "total",
        "payment_method",
        "channel",
        "deal",
    ];

    fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "external_id" => self.external_id = a.text()?,
            "customer" => self.customer = a.reference()?.ok_or("an order needs a customer")?,
            "at" => self.at = a.parsed(parse_timestamp)?.ok_or("an order needs `at`")?,
            "total" => self.total = a.parsed(parse_decimal)?,
            "payment_method" => self.payment_method = a.text()?,
            "channel" => self.channel = a.text()?,
            "deal" => self.deal = a.reference()?,
            field => return Err(unknown_field::<Order>(field)),
        }
        Ok(())
    }

    fn kept_by(field: &str) -> Option<&'static [&'static str]> {
        (field == "lines").then_some(&["edit"])
    }
}

impl Record for Order {
    const KIND: Kind = Kind::Order;

    record_accessors!(customer);

    fn references(&self) -> Vec<Reference<'_>> {
        let lines =
            (self.lines.iter()).map(|line| Reference::new("lines", Kind::Product, &line.product));
        let deal = (self.deal.iter()).map(|deal| Reference::new("deal", Kind::Deal, deal));
        std::iter::once(Reference::new("customer", Kind::Customer, &self.customer))
            .chain(lines)
            .chain(deal)
            .collect()
    }

    fn filed_date(&self) -> Option<NaiveDate> {
        Some(utc_date(&self.at))
    }

    fn problems(&self, _settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        problems.extend(line_problems(&self.lines));
        match self.total {
            None if self.lines.is_empty() => problems.push(FieldProblem::new(
                "total",
                "an order without lines needs a `total`",
            )),
            Some(total) if !self.lines.is_empty() && total != lines_total(&self.lines) => problems
                .push(FieldProblem::new(
                    "total",
                    format!(
                        "total {total} does not match its lines, which sum to {}",
                        lines_total(&self.lines)
                    ),
                )),
            Some(total) if total < Decimal::ZERO => {
                problems.push(FieldProblem::new("total", "total must not be negative"))
            }
            _ => {}
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_specs() {
        let spec: LineSpec = "toner-a4:3:19.90".parse().unwrap();
        assert_eq!(spec.quantity, Decimal::from(3));
        assert_eq!(spec.price, Some(Decimal::from_str("19.9").unwrap()));
        assert!("toner:-1".parse::<LineSpec>().is_err());
        assert!("toner:0".parse::<LineSpec>().is_err());
        assert!("../x:1".parse::<LineSpec>().is_err());
        assert!("toner".parse::<LineSpec>().is_err());
        assert!("toner:1:-5".parse::<LineSpec>().is_err());
    }
}
