//! Orders files: one row per order line, as retail exports give them; the
//! rows of one order are checked, and left out, together.

use compact_str::CompactString;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

use super::products::note_product_id;
use super::{at_line_all, customer_id, decimal, record_problems};
use crate::error::Problem;
use crate::exchange::csv_rows::{FieldSpec, Row, Sheet};
use crate::exchange::staged::{external_key, order_key};
use crate::exchange::{LeftOut, Reference, Workspace, source_key};
use crate::model::order::lines_total;
use crate::model::values::{format_timestamp, parse_decimal};
use crate::model::{Kind, Line, Order, Product};

/// The columns of an orders file, one row per order line: those an export
/// writes, and the fields an import maps by default.
pub const COLUMNS: &[&str] = &[
    "id",
    "external_id",
    "customer",
    "at",
    "product",
    "quantity",
    "price",
    "total",
    "payment_method",
    "channel",
    "deal",
];

pub const ORDER_FIELDS: FieldSpec = FieldSpec {
    // A file from elsewhere may name the customer and the products instead of
    // giving their ids.
    fields: &[COLUMNS, &["customer_name", "product_name"]],
    aliases: &[("sku", "product")],
    custom: false,
    lists: &[],
    verbatim: &[],
};

/// The value rows of one order agree on (the first given); a row that differs is a problem.
fn agreed<'r>(rows: &[&'r Row], field: &str, errors: &mut Vec<(usize, String)>) -> Option<&'r str> {
    let mut first: Option<(&str, usize)> = None;
    for row in rows {
        match (row.get(field), first) {
            (Some(value), None) => first = Some((value, row.line)),
            (Some(value), Some((agreed, line))) if value != agreed => errors.push((
                row.line,
                format!(
                    "{field} `{value}` differs from `{agreed}` on line {line} of the same order"
                ),
            )),
            _ => {}
        }
    }
    first.map(|(value, _)| value)
}

/// Orders: rows sharing an order id (`id` or `external_id`) make one order
/// with several lines; a row without one is an order of its own. An order
/// with a bad row is left out whole.
pub(super) fn import_orders(
    ws: &mut Workspace,
    sheet: &Sheet,
    source: &Path,
    left_out: &mut LeftOut,
) {
    let mut groups: Vec<Vec<&Row>> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for row in &sheet.rows {
        let key = row
            .get("id")
            .map(|id| format!("id:{id}"))
            .or_else(|| row.get("external_id").map(external_key));
        match key.and_then(|key| {
            let next = groups.len();
            let index = *group_of.entry(key).or_insert(next);
            (index < next).then_some(index)
        }) {
            Some(index) => groups[index].push(row),
            None => groups.push(vec![row]),
        }
    }
    for group in groups {
        if let Err(errors) = order_group(ws, &group) {
            let errors = at_line_all(source, errors);
            let with_them = left_with_order(source, &group, &errors);
            left_out.with_bad_rows.extend(with_them);
            left_out.problems.extend(errors);
        }
    }
}

/// The rows of a rejected order that have no problem of their own, each as
/// a problem saying why it is left out.
fn left_with_order(source: &Path, group: &[&Row], errors: &[Problem]) -> Vec<Problem> {
    let mut bad: Vec<usize> = errors.iter().filter_map(|p| p.line).collect();
    bad.sort_unstable();
    bad.dedup();
    let lines: Vec<String> = bad.iter().map(usize::to_string).collect();
    let message = format!(
        "left out with its order, which has a problem on line{} {}",
        if lines.len() == 1 { "" } else { "s" },
        lines.join(", ")
    );
    group
        .iter()
        .filter(|row| !bad.contains(&row.line))
        .map(|row| Problem::new(source, Some(row.line), message.clone()))
        .collect()
}

/// The lines of the rows that give `field` as `value`; all rows when none gives it.
fn lines_with(rows: &[&Row], field: &str, value: Option<&str>) -> Vec<usize> {
    rows.iter()
        .filter(|row| value.is_none() || row.get(field) == value)
        .map(|row| row.line)
        .collect()
}

/// The lines of an order's rows, with the products to create for them.
fn order_lines(
    ws: &Workspace,
    rows: &[&Row],
    errors: &mut Vec<(usize, String)>,
) -> (Vec<Line>, Vec<Product>) {
    let mut lines = Vec::new();
    let mut new_products: Vec<Product> = Vec::new();
    for row in rows {
        let mut messages = Vec::new();
        let Some(reference) = row.get("product") else {
            if row.get("total").is_none() {
                errors.push((row.line, "a row needs a `product` or a `total`".into()));
            }
            continue;
        };
        let quantity = match row.get("quantity").map(parse_decimal) {
            None => Some(Decimal::ONE),
            Some(Ok(q)) if q > Decimal::ZERO => Some(q),
            Some(Ok(q)) => {
                messages.push(format!("quantity {q} must be more than 0"));
                None
            }
            Some(Err(message)) => {
                messages.push(format!("quantity: {message}"));
                None
            }
        };
        let price = row
            .get("price")
            .and_then(|p| decimal(p, "price", &mut messages));
        let known_new = new_products
            .iter()
            .find(|p| source_key(p) == reference.trim())
            .cloned();
        let product = match known_new {
            Some(product) => Some(product),
            None => {
                match ws.product_ref(reference, row.get("product_name"), price, &new_products) {
                    Ok(Reference::Existing(index)) => Some(ws.products.get(index).clone()),
                    Ok(Reference::New(product)) => {
                        new_products.push(product.clone());
                        Some(product)
                    }
                    Err(message) => {
                        messages.push(message);
                        None
                    }
                }
            }
        };
        if let (Some(product), Some(quantity), true) = (product, quantity, messages.is_empty()) {
            lines.push(Line {
                price: price.unwrap_or(product.price),
                product: product.id.into(),
                quantity,
            });
        }
        errors.extend(messages.into_iter().map(|m| (row.line, m)));
    }
    (lines, new_products)
}

fn order_group(ws: &mut Workspace, rows: &[&Row]) -> Result<(), Vec<(usize, String)>> {
    let first = rows[0].line;
    let mut errors = Vec::new();
    let customer = agreed(rows, "customer", &mut errors);
    let customer_name = agreed(rows, "customer_name", &mut errors);
    let at = agreed(rows, "at", &mut errors);
    let total = agreed(rows, "total", &mut errors);
    let external_id = agreed(rows, "external_id", &mut errors);
    let payment_method = agreed(rows, "payment_method", &mut errors);
    let channel = agreed(rows, "channel", &mut errors);
    let deal = agreed(rows, "deal", &mut errors);
    // A bad value the rows share is a problem of each row that gives it.
    let mut fail = |field: &str, value: Option<&str>, message: String| {
        let lines = lines_with(rows, field, value);
        errors.extend(lines.into_iter().map(|line| (line, message.clone())));
    };
    let customer = match customer.map(|c| ws.customer_ref(c, customer_name)) {
        Some(Ok(reference)) => Some(reference),
        Some(Err(message)) => {
            fail("customer", customer, message);
            None
        }
        None => {
            fail("customer", None, "an order needs a `customer`".into());
            None
        }
    };
    let at = match at.map(|text| ws.when(text)) {
        Some(Ok(at)) => Some(at),
        Some(Err(message)) => {
            fail("at", at, message);
            None
        }
        None => {
            fail("at", None, "an order needs its date (`at`)".into());
            None
        }
    };
    let mut messages = Vec::new();
    let total_amount = total.and_then(|t| decimal(t, "total", &mut messages));
    for message in messages {
        fail("total", total, message);
    }
    if let Some(unknown) = deal.filter(|d| !ws.deals.has_id(d)) {
        fail("deal", deal, format!("unknown deal `{unknown}`"));
    }
    let (lines, new_products) = order_lines(ws, rows, &mut errors);
    let (Some(customer), Some(at), true) = (customer, at, errors.is_empty()) else {
        return Err(errors);
    };
    let customer_id = customer_id(ws, &customer);
    let value = if lines.is_empty() {
        total_amount.unwrap_or_default()
    } else {
        lines_total(&lines)
    };
    // What the rows say, applied to the order they find or to a new one.
    let fill = |order: &mut Order| {
        order.customer = customer_id.as_str().into();
        order.at = at;
        if !lines.is_empty() {
            order.lines = lines.clone();
        }
        order.total = Some(if order.lines.is_empty() {
            total_amount.unwrap_or(value)
        } else {
            total_amount.unwrap_or_else(|| lines_total(&order.lines))
        });
        let text = |value: Option<&str>, old: &Option<CompactString>| {
            value.map(CompactString::new).or_else(|| old.clone())
        };
        order.external_id = text(external_id, &order.external_id);
        order.payment_method = text(payment_method, &order.payment_method);
        order.channel = text(channel, &order.channel);
        order.deal = text(deal, &order.deal);
    };
    let given_id = rows[0].get("id");
    let existing = given_id
        .and_then(|id| ws.orders.find_id(id))
        .or_else(|| external_id.and_then(|e| ws.orders.find_key(&external_key(e))))
        .or_else(|| {
            let key = order_key(
                &customer_id,
                &format_timestamp(&at),
                &value.normalize().to_string(),
            );
            // An order from another source id is another order.
            let may_be = |order: &Order| external_id.is_none() || order.external_id.is_none();
            let leaves_as_is = |order: &Order| {
                let mut filled = order.clone();
                fill(&mut filled);
                filled == *order
            };
            ws.orders.find_unwritten(&key, may_be, leaves_as_is)
        });
    let mut order = match existing {
        Some(index) => ws.orders.get(index).clone(),
        None => Order {
            id: match given_id {
                Some(id) => id.into(),
                None => ws.new_time_id(Kind::Order, &at).into(),
            },
            ..Order::new(String::new(), at)
        },
    };
    fill(&mut order);
    let problems = record_problems(ws, &order);
    if !problems.is_empty() {
        return Err(problems.into_iter().map(|m| (first, m)).collect());
    }
    ws.settle_customer(customer);
    for product in new_products {
        note_product_id(ws, &product);
        ws.products.put(None, product);
    }
    ws.orders.put(existing, order);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{ids, import, import_clean, workspace};
    use crate::exchange::ImportKind::{Orders, Products};
    use crate::exchange::Workspace;
    use crate::model::Customer;
    use crate::model::customer::CustomerKind;
    use crate::model::values::format_timestamp;

    /// A workspace with the customer `ana` and the products `toner` (12) and `paper` (4).
    fn shop() -> Workspace<'static> {
        let ana = Customer::new("ana", "Ana".into(), CustomerKind::Person);
        let mut ws = workspace(vec![ana]);
        import_clean(
            &mut ws,
            Products,
            "id,name,price\ntoner,Toner,12\npaper,Paper,4\n",
        );
        ws
    }

    #[test]
    fn rows_of_one_order_id_are_its_lines() {
        let mut ws = shop();
        import_clean(
            &mut ws,
            Orders,
            "external_id,customer,at,sku,quantity,price\n\
             INV-1,ana,2026-11-02 10:00,toner,2,\n\
             INV-1,ana,2026-11-02 10:00,paper,3,3.50\n\
             INV-2,ana,2026-11-03,paper,,\n",
        );
        let [first, second] = ws.orders.all() else {
            panic!("two orders")
        };
        assert_eq!(first.external_id.as_deref(), Some("INV-1"));
        assert_eq!(format_timestamp(&first.at), "2026-11-02T10:00:00Z");
        let lines: Vec<String> = first
            .lines
            .iter()
            .map(|l| format!("{} {} x {}", l.product, l.quantity, l.price))
            .collect();
        assert_eq!(lines, ["toner 2 x 12", "paper 3 x 3.50"]);
        assert_eq!(first.total.map(|t| t.to_string()).as_deref(), Some("34.50"));
        assert_eq!(second.lines.len(), 1, "a quantity left empty is one");
        assert_eq!(second.total.map(|t| t.to_string()).as_deref(), Some("4"));
    }

    #[test]
    fn an_order_with_a_bad_row_is_left_out_whole() {
        let mut ws = shop();
        let problems = import(
            &mut ws,
            Orders,
            "id,customer,at,product,quantity\n\
             o-1,ana,2026-11-02,toner,1\n\
             o-1,ana,2026-11-04,paper,0\n\
             o-1,ana,2026-11-02,ink,1\n\
             o-2,ana,2026-11-02,paper,1\n",
        );
        assert_eq!(
            problems,
            [
                "3: at `2026-11-04` differs from `2026-11-02` on line 2 of the same order",
                "3: quantity 0 must be more than 0",
                "4: unknown product `ink`: add it first, or use --create-products",
                "2: left out with its order, which has a problem on lines 3, 4",
            ]
        );
        assert_eq!(ids(ws.orders.all()), ["o-2"]);
    }

    #[test]
    fn a_missing_required_column_is_a_problem_of_every_order() {
        let mut ws = shop();
        let problems = import(
            &mut ws,
            Orders,
            "at,product\n2026-11-02,toner\n2026-11-03,paper\n",
        );
        assert_eq!(
            problems,
            [
                "2: an order needs a `customer`",
                "3: an order needs a `customer`"
            ]
        );
        let problems = import(&mut ws, Orders, "customer,total\nana,10\nbob,\n");
        assert_eq!(
            problems,
            [
                "2: an order needs its date (`at`)",
                "3: a row needs a `product` or a `total`",
                "3: an order needs its date (`at`)",
                "3: unknown customer `bob`: add it first, or use --create-customers",
            ]
        );
        assert!(ws.orders.all().is_empty());
    }

    #[test]
    fn rows_alike_without_an_order_id_are_two_purchases() {
        let mut ws = shop();
        import_clean(
            &mut ws,
            Orders,
            "customer,at,product\nana,2026-11-02 10:00,toner\nana,2026-11-02 10:00,toner\n",
        );
        let [first, second] = ws.orders.all() else {
            panic!("two orders")
        };
        assert_ne!(first.id, second.id);
        assert_eq!(first.lines, second.lines);
    }
}
