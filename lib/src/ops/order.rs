//! Orders: what a customer bought.

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::model::order::{LineSpec, lines_total};
use crate::model::values::Timestamp;
use crate::model::{Deal, Kind, Line, Order, Product};
use crate::store::{Store, Transaction};

/// Lines from `SKU:QTY[:PRICE]` specs: each product must exist, and its price
/// is the line's unless the spec gives one.
pub fn resolve_lines(store: &Store, specs: &[LineSpec]) -> Result<Vec<Line>> {
    specs
        .iter()
        .map(|spec| {
            let product: Product = store.get(&spec.product)?;
            Ok(Line {
                product: product.id.into(),
                quantity: spec.quantity,
                price: spec.price.unwrap_or(product.price),
            })
        })
        .collect()
}

/// Writes a new order with a fresh time-ordered id into `tx`.
pub fn write_order(store: &Store, tx: &mut Transaction, mut order: Order) -> Result<Order> {
    order.id = store.new_time_id(Kind::Order, &order.at).into();
    tx.put(&order)?;
    Ok(order)
}

/// What `add` needs to know.
pub struct NewOrder {
    pub customer: String,
    pub at: Timestamp,
    pub lines: Vec<LineSpec>,
    /// Required without lines; with lines it must equal their sum.
    pub total: Option<Decimal>,
    pub payment_method: Option<String>,
    pub channel: Option<String>,
    /// The deal it came from, which must be the same customer's.
    pub deal: Option<String>,
}

/// Records an order.
pub fn add(store: &Store, mut new: NewOrder) -> Result<Order> {
    // A short id or a merged customer's id names the customer; the file gets the full id.
    new.customer = store.resolve(Kind::Customer, &new.customer)?;
    let lines = resolve_lines(store, &new.lines)?;
    let total = match (lines.is_empty(), new.total) {
        (true, None) => {
            return Err(Error::usage(
                "an order needs lines (--line SKU:QTY) or a --total",
            ));
        }
        (false, Some(total)) if total != lines_total(&lines) => {
            return Err(Error::usage(format!(
                "--total {total} does not match the lines, which sum to {}",
                lines_total(&lines)
            ))
            .with_hint("leave out --total: it is computed from the lines"));
        }
        (_, total) => Some(total.unwrap_or_else(|| lines_total(&lines))),
    };
    // A short id found the deal: the order names it in full.
    if let Some(deal_id) = new.deal.take() {
        let deal: Deal = store.get(&deal_id)?;
        if deal.customer != new.customer {
            return Err(Error::usage(format!(
                "deal `{deal_id}` belongs to `{}`, not `{}`",
                deal.customer, new.customer
            )));
        }
        new.deal = Some(deal.id);
    }
    let mut order = Order::new(new.customer, new.at);
    order.lines = lines;
    order.total = total;
    order.payment_method = new.payment_method.map(Into::into);
    order.channel = new.channel.map(Into::into);
    order.deal = new.deal.map(Into::into);
    let mut tx = store.begin()?;
    let order = write_order(store, &mut tx, order)?;
    tx.commit(&format!("order add: {} for {}", order.id, order.customer))?;
    Ok(order)
}
