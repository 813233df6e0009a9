//! Records as the flat rows of an export. The columns are the field names
//! `relate import` maps by default, from the same tables (a record's `FIELDS`,
//! or the `COLUMNS` of its kind in [`records`]), so an exported file edited
//! elsewhere re-imports as updates.

use std::collections::BTreeSet;

use super::records;
use crate::model::{Customer, Deal, Interaction, Order, Product};
use crate::output::{Cell, Table};

fn text<S: AsRef<str>>(value: &Option<S>) -> Cell {
    value.as_ref().map(AsRef::as_ref).into()
}

/// Custom field values as cells: numbers and booleans in their YAML form.
fn custom_cell(value: Option<&serde_yaml::Value>) -> Cell {
    match value {
        None => Cell::Empty,
        Some(serde_yaml::Value::String(s)) => Cell::text(s),
        Some(other) => Cell::text(
            serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim_end()
                .to_string(),
        ),
    }
}

pub fn customers_table(customers: &[Customer]) -> Table {
    let custom: BTreeSet<&String> = customers.iter().flat_map(|c| c.fields.keys()).collect();
    let mut columns: Vec<String> = crate::model::customer::FIELDS
        .iter()
        .map(|field| field.to_string())
        .collect();
    columns.extend(custom.iter().map(|name| format!("fields.{name}")));
    let mut table = Table {
        columns,
        rows: Vec::new(),
    };
    for c in customers {
        let mut row = vec![
            Cell::text(c.id.as_str()),
            text(&c.external_id),
            Cell::text(&c.name),
            Cell::text(c.kind.as_str()),
            text(&c.company),
            Cell::List(c.emails.clone()),
            Cell::List(c.phones.clone()),
            text(&c.owner),
            c.stage.map(|s| s.as_str()).into(),
            text(&c.source),
            c.created.into(),
            Cell::List(c.tags.clone()),
            text(&c.gender),
            c.birth_year.map_or(Cell::Empty, |y| Cell::Int(y.into())),
            c.income.into(),
            text(&c.purpose),
            text(&c.payment_method),
            text(&c.region),
            text(&c.notes),
        ];
        row.extend(custom.iter().map(|name| custom_cell(c.fields.get(*name))));
        table.push(row);
    }
    table
}

pub fn products_table(products: &[Product]) -> Table {
    let mut table = Table::new(records::products::COLUMNS);
    for p in products {
        table.push(vec![
            Cell::text(&p.id),
            text(&p.external_id),
            Cell::text(&p.name),
            text(&p.category),
            Cell::Number(p.price),
            p.cost.into(),
            text(&p.segment),
        ]);
    }
    table
}

/// One row per order line (the shape of a retail line-item export); an order
/// without lines is one row with its total.
pub fn orders_table(orders: &[Order]) -> Table {
    let mut table = Table::new(records::orders::COLUMNS);
    for o in orders {
        let order_cells = |line: Option<&crate::model::Line>| {
            vec![
                Cell::text(o.id.as_str()),
                text(&o.external_id),
                Cell::text(o.customer.as_str()),
                Cell::DateTime(o.at),
                line.map_or(Cell::Empty, |l| Cell::text(l.product.as_str())),
                line.map_or(Cell::Empty, |l| Cell::Number(l.quantity)),
                line.map_or(Cell::Empty, |l| Cell::Number(l.price)),
                Cell::Number(o.value()),
                text(&o.payment_method),
                text(&o.channel),
                text(&o.deal),
            ]
        };
        if o.lines.is_empty() {
            table.push(order_cells(None));
        }
        for line in &o.lines {
            table.push(order_cells(Some(line)));
        }
    }
    table
}

pub fn interactions_table(interactions: &[Interaction]) -> Table {
    let mut table = Table::new(crate::model::interaction::FIELDS);
    for i in interactions {
        table.push(vec![
            Cell::text(i.id.as_str()),
            text(&i.external_id),
            Cell::text(i.customer.as_str()),
            Cell::DateTime(i.at),
            Cell::text(i.channel.as_str()),
            i.direction.map(|d| d.as_str()).into(),
            i.purpose.map(|p| p.as_str()).into(),
            text(&i.owner),
            text(&i.summary),
            text(&i.body),
            text(&i.deal),
            text(&i.ticket),
            text(&i.campaign),
            i.follow_up.into(),
            i.score.map_or(Cell::Empty, |s| Cell::Int(s.into())),
            text(&i.message_id),
        ]);
    }
    table
}

/// Deals without their lines and history (JSON exports carry those).
pub fn deals_table(deals: &[Deal]) -> Table {
    let mut table = Table::new(records::deals::COLUMNS);
    for d in deals {
        table.push(vec![
            Cell::text(&d.id),
            text(&d.external_id),
            Cell::text(&d.customer),
            Cell::text(&d.title),
            text(&d.owner),
            d.amount.into(),
            text(&d.currency),
            Cell::text(&d.stage),
            Cell::Date(d.created),
            d.expected_close.into(),
            d.closed.into(),
            text(&d.lost_reason),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::ImportKind;

    #[test]
    fn every_column_imports_as_its_field() {
        let tables = [
            (ImportKind::Customers, customers_table(&[])),
            (ImportKind::Products, products_table(&[])),
            (ImportKind::Orders, orders_table(&[])),
            (ImportKind::Interactions, interactions_table(&[])),
            (ImportKind::Deals, deals_table(&[])),
        ];
        for (kind, table) in tables {
            for column in &table.columns {
                let field = records::field_spec(kind).field(column);
                assert_eq!(field.as_deref(), Some(column.as_str()), "{kind}");
            }
        }
    }
}
