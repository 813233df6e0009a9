//! CSV rows to records. Each row (for orders, each group of rows sharing an
//! order id) is checked whole before it changes the workspace: a bad row
//! changes nothing and comes back as problems at its lines.
//!
//! A non-empty cell replaces the field's value; an empty cell leaves it as it is.

use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

use super::csv_rows::{FieldSpec, Row, Sheet};
use super::staged::{deal_key, external_key, interaction_key, message_key, order_key};
use super::{ImportKind, LeftOut, Reference, Workspace, add_to_list, id_from, source_key};
use crate::error::Problem;
use crate::model::assign::{Assignment, Op};
use crate::model::customer::{self, CustomerKind};
use crate::model::deal::{Outcome, StageMove};
use crate::model::interaction;
use crate::model::interaction::{Direction, Purpose};
use crate::model::order::lines_total;
use crate::model::settings::{LOST, WON};
use crate::model::values::{format_timestamp, parse_decimal};
use crate::model::{Customer, Deal, Interaction, Kind, Line, Order, Product, Record, id};

/// Messages about one row.
type RowResult = Result<(), Vec<String>>;

pub const CUSTOMER_FIELDS: FieldSpec = FieldSpec {
    fields: &[customer::FIELDS],
    aliases: &[("email", "emails"), ("phone", "phones"), ("tag", "tags")],
    custom: true,
    lists: &["emails", "phones", "tags"],
    verbatim: &["notes"],
};

pub const PRODUCT_FIELDS: FieldSpec = FieldSpec {
    fields: &[&[
        "id",
        "external_id",
        "name",
        "category",
        "price",
        "cost",
        "segment",
    ]],
    aliases: &[("sku", "id")],
    custom: false,
    lists: &[],
    verbatim: &[],
};

pub const ORDER_FIELDS: FieldSpec = FieldSpec {
    fields: &[&[
        "id",
        "external_id",
        "customer",
        "customer_name",
        "at",
        "product",
        "product_name",
        "quantity",
        "price",
        "total",
        "payment_method",
        "channel",
        "deal",
    ]],
    aliases: &[("sku", "product")],
    custom: false,
    lists: &[],
    verbatim: &[],
};

pub const INTERACTION_FIELDS: FieldSpec = FieldSpec {
    // A file from elsewhere may name the customer instead of giving its id.
    fields: &[interaction::FIELDS, &["customer_name"]],
    aliases: &[],
    custom: false,
    lists: &[],
    verbatim: &["body"],
};

pub const DEAL_FIELDS: FieldSpec = FieldSpec {
    fields: &[&[
        "id",
        "external_id",
        "customer",
        "customer_name",
        "title",
        "owner",
        "amount",
        "currency",
        "stage",
        "created",
        "expected_close",
        "closed",
        "lost_reason",
    ]],
    aliases: &[],
    custom: false,
    lists: &[],
    verbatim: &[],
};

pub fn field_spec(kind: ImportKind) -> &'static FieldSpec {
    match kind {
        ImportKind::Customers => &CUSTOMER_FIELDS,
        ImportKind::Products => &PRODUCT_FIELDS,
        ImportKind::Orders => &ORDER_FIELDS,
        ImportKind::Interactions => &INTERACTION_FIELDS,
        ImportKind::Deals => &DEAL_FIELDS,
    }
}

/// Applies a sheet's rows to the workspace; returns the rows left out and why
/// (with those the sheet could not read).
pub fn import_sheet(ws: &mut Workspace, kind: ImportKind, sheet: &Sheet, source: &Path) -> LeftOut {
    let mut left_out = LeftOut::from(sheet.problems.clone());
    if kind == ImportKind::Orders {
        import_orders(ws, sheet, source, &mut left_out);
    } else {
        let import_row: fn(&mut Workspace, &Row) -> RowResult = match kind {
            ImportKind::Customers => |ws, row| customer_row(ws, row, Lists::Replace).map(|_| ()),
            ImportKind::Products => product_row,
            ImportKind::Interactions => interaction_row,
            ImportKind::Deals => deal_row,
            ImportKind::Orders => unreachable!("orders are imported by groups"),
        };
        for row in &sheet.rows {
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

/// What the cells of a customer's list fields (`emails`, `phones`, `tags`) do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lists {
    /// A customers file: a non-empty cell replaces the list, so an edited
    /// export re-imports as it reads.
    Replace,
    /// A questionnaire: the answer's items are added, since a respondent gives
    /// one address, not all they have.
    Add,
}

/// The existing customer a row is about: by id, `external_id`, then e-mail.
pub fn existing_customer(ws: &Workspace, row: &Row) -> Option<usize> {
    if let Some(found) = row.get("id").and_then(|id| ws.customers.find_id(id)) {
        return Some(found);
    }
    if let Some(found) = row
        .get("external_id")
        .and_then(|e| ws.customers.find_key(&external_key(e)))
    {
        return Some(found);
    }
    row.get("emails")?
        .split([';', ','])
        .find_map(|email| ws.customers.find_key(&super::staged::email_key(email)))
}

/// Creates or updates the customer of a row (customer files, surveys), its
/// list fields as `lists` says. Returns its index.
pub fn customer_row(ws: &mut Workspace, row: &Row, lists: Lists) -> Result<usize, Vec<String>> {
    let existing = existing_customer(ws, row);
    let mut customer = match existing {
        Some(index) => ws.customers.get(index).clone(),
        None => new_customer(ws, row)?,
    };
    let mut errors = Vec::new();
    for (field, value) in &row.values {
        if field == "id" {
            continue;
        }
        let result = match customer_value(ws, field, value) {
            Ok(value) if lists == Lists::Add && CUSTOMER_FIELDS.is_list(field) => {
                add_to_list(&mut customer, field, value.split(','))
            }
            Ok(value) => customer.assign(&Assignment {
                field: field.clone(),
                op: Op::Set,
                value,
            }),
            Err(message) => Err(message),
        };
        errors.extend(result.err());
    }
    errors.extend(ws.customer_problems(&customer, existing));
    if errors.is_empty() {
        Ok(ws.put_customer(existing, customer))
    } else {
        Err(errors)
    }
}

/// A new customer for a row: its id (given, or made from its name), kind and creation date.
fn new_customer(ws: &Workspace, row: &Row) -> Result<Customer, Vec<String>> {
    let name = row
        .get("name")
        .ok_or_else(|| vec!["a new customer needs a name (map a column to `name`)".to_string()])?;
    let default_kind = ws
        .options
        .defaults
        .iter()
        .find(|(field, _)| *field == "kind")
        .and_then(|(_, kind)| kind.parse().ok());
    let kind = default_kind.unwrap_or(if row.get("company").is_some() {
        CustomerKind::Person
    } else {
        CustomerKind::Organization
    });
    let mut customer = ws.new_customer(name, kind).map_err(|e| vec![e])?;
    if let Some(id) = row.get("id") {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(vec![reason]);
        }
        customer.id = id.to_string();
    }
    Ok(customer)
}

/// A cell's value in the form `Customer::assign` takes.
fn customer_value(ws: &Workspace, field: &str, value: &str) -> Result<String, String> {
    Ok(match field {
        f if CUSTOMER_FIELDS.is_list(f) => value.replace(';', ","),
        "created" => ws.day(value)?.to_string(),
        "owner" => ws.owner_id(value)?,
        "kind" | "stage" => value.to_lowercase(),
        _ => value.to_string(),
    })
}

/// A product row: found by its `external_id`, else by its SKU (`id`), else,
/// without a SKU, by its name ([`Workspace::find_product`]). A new product's
/// id is made from its SKU or name, made distinct when taken; it keeps its SKU
/// as `external_id` when the id differs from it, and its name when the id had
/// to be made distinct, so a re-import finds it again.
fn product_row(ws: &mut Workspace, row: &Row) -> RowResult {
    let mut errors = Vec::new();
    let sku = row.get("id");
    let key = sku.or(row.get("name"));
    let existing = row
        .get("external_id")
        .and_then(|e| ws.products.find_key(&external_key(e)))
        .or_else(|| key.and_then(|key| ws.find_product(key)));
    let mut product = match existing {
        Some(index) => ws.products.get(index).clone(),
        None => {
            let name = row.get("name").ok_or_else(|| {
                vec!["a new product needs a name (map a column to `name`)".to_string()]
            })?;
            if row.get("price").is_none() {
                return Err(vec!["a new product needs a price".into()]);
            }
            let made_from = sku.unwrap_or(name);
            let (taken, id) = ws.new_product_id(made_from, &[]).map_err(|e| vec![e])?;
            let keeps_key = id != taken || sku.is_some_and(|sku| sku != id);
            Product {
                external_id: keeps_key.then(|| made_from.to_string()),
                id,
                name: name.to_string(),
                category: None,
                price: Decimal::ZERO,
                cost: None,
                segment: None,
                upgrade_after_years: None,
                successor: None,
                conflicts: Vec::new(),
            }
        }
    };
    // A SKU that found a product by its slug stays with it: another spelling
    // of the slug is another product.
    if let Some(sku) = sku
        && product.external_id.is_none()
        && sku != product.id
    {
        product.external_id = Some(sku.to_string());
    }
    for (field, value) in &row.values {
        let text = Some(value.clone());
        match field.as_str() {
            "external_id" => product.external_id = text,
            "name" => product.name = value.clone(),
            "category" => product.category = text,
            "segment" => product.segment = text,
            "price" => {
                if let Some(price) = decimal(value, "price", &mut errors) {
                    product.price = price;
                }
            }
            "cost" => product.cost = decimal(value, "cost", &mut errors).or(product.cost),
            _ => {}
        }
    }
    errors.extend(record_problems(ws, &product));
    if !errors.is_empty() {
        return Err(errors);
    }
    if existing.is_none() {
        note_product_id(ws, &product);
    }
    ws.products.put(existing, product);
    Ok(())
}

/// Notes a new product's id when the SKU or name it was made from makes another.
fn note_product_id(ws: &mut Workspace, product: &Product) {
    let made_from = source_key(product).to_string();
    if let Some(taken) = id_from(&made_from) {
        ws.note_id(Kind::Product, &made_from, &taken, &product.id);
    }
}

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
fn import_orders(ws: &mut Workspace, sheet: &Sheet, source: &Path, left_out: &mut LeftOut) {
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
                product: product.id,
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
    let customer_id = match &customer {
        Reference::Existing(index) => ws.customers.get(*index).id.clone(),
        Reference::New(c) => c.id.clone(),
    };
    let value = if lines.is_empty() {
        total_amount.unwrap_or_default()
    } else {
        lines_total(&lines)
    };
    // What the rows say, applied to the order they find or to a new one.
    let fill = |order: &mut Order| {
        order.customer = customer_id.clone();
        order.at = at;
        if !lines.is_empty() {
            order.lines = lines.clone();
        }
        order.total = Some(if order.lines.is_empty() {
            total_amount.unwrap_or(value)
        } else {
            total_amount.unwrap_or_else(|| lines_total(&order.lines))
        });
        let text =
            |value: Option<&str>, old: &Option<String>| value.map(String::from).or(old.clone());
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
                Some(id) => id.to_string(),
                None => ws.new_time_id(Kind::Order, &at),
            },
            external_id: None,
            customer: String::new(),
            at,
            lines: Vec::new(),
            total: None,
            payment_method: None,
            channel: None,
            deal: None,
            conflicts: Vec::new(),
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

/// The customer a row refers to, required.
fn row_customer(ws: &Workspace, row: &Row) -> Result<Reference<Customer>, String> {
    let reference = row.get("customer").ok_or("the row names no `customer`")?;
    ws.customer_ref(reference, row.get("customer_name"))
}

fn customer_id(ws: &Workspace, reference: &Reference<Customer>) -> String {
    match reference {
        Reference::Existing(index) => ws.customers.get(*index).id.clone(),
        Reference::New(customer) => customer.id.clone(),
    }
}

fn interaction_row(ws: &mut Workspace, row: &Row) -> RowResult {
    let customer = row_customer(ws, row).map_err(|e| vec![e])?;
    let customer_id = customer_id(ws, &customer);
    let at = ws
        .when(
            row.get("at")
                .ok_or_else(|| vec!["the row has no date (`at`)".to_string()])?,
        )
        .map_err(|e| vec![e])?;
    let channel = row.get("channel");
    let external_id = row.get("external_id");
    let message_id = row.get("message_id").map(bare_message_id);
    // What the row says, applied to the interaction it finds or to a new one.
    let fill = |ws: &Workspace, interaction: &mut Interaction| {
        interaction.customer = customer_id.clone();
        interaction.at = at;
        fill_interaction(ws, interaction, row)
    };
    let existing = row
        .get("id")
        .and_then(|id| ws.interactions.find_id(id))
        .or_else(|| {
            [external_id.map(external_key), message_id.map(message_key)]
                .into_iter()
                .flatten()
                .find_map(|key| ws.interactions.find_key(&key))
        })
        .or_else(|| {
            let key = interaction_key(&customer_id, &format_timestamp(&at), channel?);
            // One from another source id or message is another interaction.
            let may_be = |other: &Interaction| {
                (external_id.is_none() || other.external_id.is_none())
                    && (message_id.is_none() || other.message_id.is_none())
            };
            let leaves_as_is = |other: &Interaction| {
                let mut filled = other.clone();
                fill(ws, &mut filled).is_empty() && filled == *other
            };
            ws.interactions.find_unwritten(&key, may_be, leaves_as_is)
        });
    let mut interaction = match existing {
        Some(index) => ws.interactions.get(index).clone(),
        None => Interaction {
            id: match row.get("id") {
                Some(id) => id.to_string(),
                None => ws.new_time_id(Kind::Interaction, &at),
            },
            external_id: None,
            customer: String::new(),
            at,
            channel: channel
                .ok_or_else(|| vec!["a new interaction needs a `channel`".to_string()])?
                .to_string(),
            direction: None,
            purpose: None,
            owner: None,
            summary: None,
            body: None,
            deal: None,
            ticket: None,
            campaign: None,
            follow_up: None,
            score: None,
            message_id: None,
            conflicts: Vec::new(),
        },
    };
    let errors: Vec<String> = fill(ws, &mut interaction)
        .into_iter()
        .chain(record_problems(ws, &interaction))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    ws.settle_customer(customer);
    ws.interactions.put(existing, interaction);
    Ok(())
}

/// A Message-ID without its angle brackets.
pub fn bare_message_id(text: &str) -> &str {
    text.trim().trim_start_matches('<').trim_end_matches('>')
}

/// Sets an interaction's optional fields from a row; returns the problems.
pub fn fill_interaction(ws: &Workspace, interaction: &mut Interaction, row: &Row) -> Vec<String> {
    let mut errors = Vec::new();
    for (field, value) in &row.values {
        let text = Some(value.clone());
        let result: Result<(), String> = (|| {
            match field.as_str() {
                "external_id" => interaction.external_id = text,
                "channel" => interaction.channel = value.clone(),
                "direction" => {
                    interaction.direction = Some(value.to_lowercase().parse::<Direction>()?)
                }
                "purpose" => interaction.purpose = Some(value.to_lowercase().parse::<Purpose>()?),
                "owner" => interaction.owner = Some(ws.owner_id(value)?),
                "summary" => interaction.summary = text,
                "body" => interaction.body = text,
                "deal" if !ws.deals.has_id(value) => return Err(format!("unknown deal `{value}`")),
                "deal" => interaction.deal = text,
                "ticket" => interaction.ticket = text,
                "campaign" => interaction.campaign = text,
                "follow_up" => interaction.follow_up = Some(ws.day(value)?),
                "score" => {
                    let score: u8 = value.parse().ok().filter(|s| *s <= 10).ok_or_else(|| {
                        format!("score `{value}` is not a whole number from 0 to 10")
                    })?;
                    interaction.score = Some(score);
                }
                "message_id" => interaction.message_id = Some(bare_message_id(value).to_string()),
                _ => {}
            }
            Ok(())
        })();
        if let Err(message) = result {
            errors.push(message);
        }
    }
    errors
}

/// A stage as a file may write it (`Proposal`, `needs analysis`) in relate's form.
fn stage_name(ws: &Workspace, value: &str) -> String {
    let normal = value.trim().to_lowercase().replace([' ', '-'], "_");
    ws.settings
        .stage_names()
        .into_iter()
        .find(|s| *s == normal)
        .map_or(normal, String::from)
}

fn deal_row(ws: &mut Workspace, row: &Row) -> RowResult {
    let customer = row_customer(ws, row).map_err(|e| vec![e])?;
    let customer_id = customer_id(ws, &customer);
    let existing = row
        .get("id")
        .and_then(|id| ws.deals.find_id(id))
        .or_else(|| {
            let external = row.get("external_id").map(external_key);
            let natural = row.get("title").map(|t| deal_key(&customer_id, t));
            [external, natural]
                .into_iter()
                .flatten()
                .find_map(|key| ws.deals.find_key(&key))
        });
    let mut errors = Vec::new();
    let day = |field: &str, errors: &mut Vec<String>| {
        row.get(field).and_then(|v| match ws.day(v) {
            Ok(day) => Some(day),
            Err(message) => {
                errors.push(format!("{field}: {message}"));
                None
            }
        })
    };
    let created = day("created", &mut errors);
    let expected_close = day("expected_close", &mut errors);
    let closed = day("closed", &mut errors);
    let stage = row.get("stage").map(|s| stage_name(ws, s));
    let mut deal = match existing {
        Some(index) => ws.deals.get(index).clone(),
        None => {
            let title = row
                .get("title")
                .ok_or_else(|| vec!["a new deal needs a `title`".to_string()])?;
            let id = match row.get("id") {
                Some(id) => id.to_string(),
                None => {
                    let base = deal_slug(&customer_id, title)
                        .ok_or_else(|| vec![format!("cannot make an id from `{title}`")])?;
                    id::unique_slug(&base, |c| ws.deals.has_id(c))
                }
            };
            let first_stage = ws.settings.pipeline.first().map(|s| s.stage.clone());
            let created = created.unwrap_or_else(|| ws.today());
            let start = stage
                .clone()
                .filter(|s| s != WON && s != LOST)
                .or(first_stage)
                .unwrap_or_default();
            Deal {
                id,
                external_id: None,
                customer: String::new(),
                title: title.to_string(),
                owner: None,
                amount: None,
                currency: Some(ws.settings.currency.clone()),
                stage: start.clone(),
                created,
                expected_close: None,
                lines: Vec::new(),
                history: vec![StageMove {
                    stage: start,
                    at: created,
                    by: None,
                }],
                outcome: None,
                closed: None,
                lost_reason: None,
                conflicts: Vec::new(),
            }
        }
    };
    deal.customer = customer_id;
    for (field, value) in &row.values {
        let text = Some(value.clone());
        match field.as_str() {
            "external_id" => deal.external_id = text,
            "title" => deal.title = value.clone(),
            "currency" => deal.currency = text,
            "lost_reason" => deal.lost_reason = text,
            "owner" => match ws.owner_id(value) {
                Ok(owner) => deal.owner = Some(owner),
                Err(message) => errors.push(message),
            },
            "amount" => deal.amount = decimal(value, "amount", &mut errors).or(deal.amount),
            _ => {}
        }
    }
    deal.created = created.unwrap_or(deal.created);
    deal.expected_close = expected_close.or(deal.expected_close);
    if let Some(stage) = stage.filter(|s| *s != deal.stage) {
        let date = closed.or(expected_close).unwrap_or_else(|| ws.today());
        let date = date.max(deal.history.last().map_or(deal.created, |m| m.at));
        let moved = match stage.as_str() {
            WON => deal.close(Outcome::Won, date, None, None),
            LOST => deal.close(Outcome::Lost, date, None, deal.lost_reason.clone()),
            _ => deal.advance(ws.settings, Some(&stage), date, None),
        };
        if let Err(refused) = moved {
            errors.push(format!("{} ({})", refused.message, refused.hint));
        }
    }
    if deal.outcome.is_some() {
        deal.closed = closed.or(deal.closed);
    }
    errors.extend(record_problems(ws, &deal));
    if !errors.is_empty() {
        return Err(errors);
    }
    ws.settle_customer(customer);
    if existing.is_none()
        && row.get("id").is_none()
        && let Some(taken) = deal_slug(&deal.customer, &deal.title)
    {
        ws.note_id(Kind::Deal, &deal.title, &taken, &deal.id);
    }
    ws.deals.put(existing, deal);
    Ok(())
}

/// The id a new deal's customer and title make.
fn deal_slug(customer: &str, title: &str) -> Option<String> {
    id::slugify(&format!("{customer} {title}"))
}
