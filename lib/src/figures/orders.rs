//! A customer's orders summed up: what RFM scoring, filters and reports start from.

use crate::model::Order;
use crate::model::values::utc_date;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A customer's orders up to the as-of date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderStats {
    pub count: u64,
    /// Sum of the orders' values.
    pub total: Decimal,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// Order figures by customer id. A fast hash (foldhash), not std's SipHash:
/// it is looked up once per order, 300,000 times on a big store, and its
/// keys come from the store, not from a network peer.
pub type StatsById<'a> = foldhash::HashMap<&'a str, OrderStats>;

/// Order figures per customer, from the orders dated up to `as_of`.
pub fn order_stats<'a>(
    orders: impl IntoIterator<Item = &'a Order>,
    as_of: NaiveDate,
) -> StatsById<'a> {
    let mut stats = StatsById::default();
    for order in orders {
        let date = utc_date(&order.at);
        if date > as_of {
            continue;
        }
        let value = order.value();
        stats
            .entry(order.customer.as_str())
            .and_modify(|s| {
                s.count += 1;
                s.total += value;
                s.first = s.first.min(date);
                s.last = s.last.max(date);
            })
            .or_insert(OrderStats {
                count: 1,
                total: value,
                first: date,
                last: date,
            });
    }
    stats
}
