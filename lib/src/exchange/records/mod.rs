//! CSV rows to records, one module per kind of file. Each row (for orders,
//! each group of rows sharing an order id) is checked whole before it changes
//! the workspace: a bad row changes nothing and comes back as problems at its
//! lines.
//!
//! A non-empty cell replaces the field's value; an empty cell leaves it as it is.
//!
//! Each module holds the fields its files map and its rows' importer. The
//! columns of products, orders and deals are the modules' `COLUMNS`, which
//! export writes too, so an exported file re-imports as updates.

pub mod customers;
pub mod deals;
pub mod interactions;
pub mod orders;
pub mod products;
#[cfg(test)]
mod testing;

use rust_decimal::Decimal;
use std::path::Path;

use super::csv_rows::{FieldSpec, Row, Sheet};
use super::{ImportKind, LeftOut, Reference, Workspace};
use crate::error::Problem;
use crate::model::values::parse_decimal;
use crate::model::{Customer, Record};
pub use customers::{CUSTOMER_FIELDS, Lists, customer_row, existing_customer};
pub use interactions::fill_interaction;

/// Messages about one row.
type RowResult = Result<(), Vec<String>>;

/// The fields a CSV file of `kind` maps.
pub fn field_spec(kind: ImportKind) -> &'static FieldSpec {
    match kind {
        ImportKind::Customers => &customers::CUSTOMER_FIELDS,
        ImportKind::Products => &products::PRODUCT_FIELDS,
        ImportKind::Orders => &orders::ORDER_FIELDS,
        ImportKind::Interactions => &interactions::INTERACTION_FIELDS,
        ImportKind::Deals => &deals::DEAL_FIELDS,
    }
}

/// Applies a sheet's rows to the workspace; returns the rows left out and why
/// (with those the sheet could not read).
pub fn import_sheet(ws: &mut Workspace, kind: ImportKind, sheet: &Sheet, source: &Path) -> LeftOut {
    let mut left_out = LeftOut::from(sheet.problems.clone());
    ws.set_source(source);
    if kind == ImportKind::Orders {
        orders::import_orders(ws, sheet, source, &mut left_out);
    } else {
        let import_row: fn(&mut Workspace, &Row) -> RowResult = match kind {
            ImportKind::Customers => |ws, row| {
                let now = ws.now;
                customer_row(ws, row, Lists::Replace, now).map(|_| ())
            },
            ImportKind::Products => products::product_row,
            ImportKind::Interactions => interactions::interaction_row,
            ImportKind::Deals => deals::deal_row,
            ImportKind::Orders => unreachable!("orders are imported by groups"),
        };
        for row in &sheet.rows {
            if kind == ImportKind::Customers && ws.skip_suppressed_row(row) {
                continue;
            }
            if let Err(messages) = import_row(ws, row) {
                left_out
                    .problems
                    .extend(at_line(source, row.line, messages));
            }
        }
    }
    left_out.problems.sort();
    left_out
}

pub fn at_line(source: &Path, line: usize, messages: Vec<String>) -> Vec<Problem> {
    messages
        .into_iter()
        .map(|message| Problem::new(source, Some(line), message))
        .collect()
}

/// Problems given as (line, message).
pub fn at_line_all(source: &Path, problems: Vec<(usize, String)>) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|(line, message)| Problem::new(source, Some(line), message))
        .collect()
}

/// The problems of a record, as row messages.
fn record_problems<T: Record>(ws: &Workspace, record: &T) -> Vec<String> {
    record
        .problems(ws.settings)
        .into_iter()
        .map(|p| p.message)
        .collect()
}

/// A cell's amount (`what` names its field in the message), not negative.
fn decimal(value: &str, what: &str, errors: &mut Vec<String>) -> Option<Decimal> {
    match parse_decimal(value) {
        Ok(number) if number < Decimal::ZERO => {
            errors.push(format!("{what} `{value}` must not be negative"));
            None
        }
        Ok(number) => Some(number),
        Err(message) => {
            errors.push(format!("{what}: {message}"));
            None
        }
    }
}

/// The customer a row refers to, required.
fn row_customer(ws: &Workspace, row: &Row) -> Result<Reference<Customer>, String> {
    let reference = row.get("customer").ok_or("the row names no `customer`")?;
    ws.customer_ref(reference, row.get("customer_name"))
}

/// The id of the customer a reference stands for.
fn customer_id(ws: &Workspace, reference: &Reference<Customer>) -> String {
    match reference {
        Reference::Existing(index) => ws.customers.get(*index).id.to_string(),
        Reference::New(customer) => customer.id.to_string(),
    }
}
