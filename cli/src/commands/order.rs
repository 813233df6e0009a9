//! `relate order`: sales.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use relate::model::order::LineSpec;
use relate::model::values::utc_date;
use relate::model::{Kind, Line, Order};
use relate::ops;
use relate::ops::order::NewOrder;
use relate::output::{Cell, Format, Table};
use relate::store::Query;

use super::{remove, set};
use crate::ui::{At, SortArgs, Ui, amount_arg, at_or_now, date_arg, id_arg, timestamp_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    Add(AddArgs),
    /// Change fields of an order.
    ///
    /// FIELD=VALUE sets a field; an empty VALUE unsets it. Fields: external_id,
    /// customer, at (a new month moves the file), total, payment_method, channel,
    /// deal. The lines are changed with `relate edit`.
    Set(set::SetArgs),
    /// Remove an order (see `relate undo`).
    Remove(remove::RemoveArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Record a sale and print its id.
///
/// Give lines as SKU:QUANTITY[:UNIT_PRICE] (the product's price by default), or
/// only a --total for a sale without lines. With both, the total must match.
#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(value_parser = id_arg)]
    customer: String,
    /// A line: SKU:QUANTITY[:UNIT_PRICE] (repeatable)
    #[arg(long = "line", value_name = "SKU:QTY[:PRICE]")]
    lines: Vec<LineSpec>,
    /// The order's total: required without lines
    #[arg(long, value_parser = amount_arg, allow_negative_numbers = true)]
    total: Option<Decimal>,
    /// When it was sold: YYYY-MM-DD or an RFC 3339 date-time [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
    /// How the customer paid
    #[arg(long = "payment", value_name = "METHOD")]
    payment_method: Option<String>,
    /// The sales channel (web, store, phone, ...)
    #[arg(long)]
    channel: Option<String>,
    /// The deal the order came from
    #[arg(long, value_parser = id_arg)]
    deal: Option<String>,
}

/// List orders, oldest first.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only this customer's orders
    #[arg(long, value_parser = id_arg)]
    customer: Option<String>,
    /// Only orders on or after this date
    #[arg(long, value_parser = date_arg)]
    since: Option<NaiveDate>,
    /// Only orders on or before this date
    #[arg(long, value_parser = date_arg)]
    until: Option<NaiveDate>,
    #[command(flatten)]
    order: SortArgs,
}

/// Show one order with its lines.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    id: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Add(args) => add(ui, args),
        Command::Set(args) => set::run::<Order>(ui, args),
        Command::Remove(args) => remove::run(ui, Kind::Order, args),
        Command::List(args) => list(ui, args),
        Command::Show(args) => show(ui, args),
    }
}

fn add(ui: &mut Ui, args: AddArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let order = ops::order::add(
        &store,
        NewOrder {
            customer: args.customer,
            at: at_or_now(args.at.as_ref(), &store)?,
            lines: args.lines,
            total: args.total,
            payment_method: args.payment_method,
            channel: args.channel,
            deal: args.deal,
        },
    )?;
    ui.created(&order.id)
}

fn list(ui: &mut Ui, args: ListArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let mut orders: Vec<Order> = match &args.customer {
        Some(customer) => {
            store.require(Kind::Customer, customer)?;
            store.read(Query::of_customer(customer))?
        }
        None => store.read(Query::all())?,
    };
    orders.retain(|o| {
        let date = utc_date(&o.at);
        args.since.is_none_or(|since| date >= since) && args.until.is_none_or(|until| date <= until)
    });
    orders.sort_by_key(|o| o.at);
    args.order.apply(&mut orders)?;
    ui.records(&orders, orders_table)
}

fn show(ui: &mut Ui, args: ShowArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let order: Order = store.get(&args.id)?;
    match ui.format() {
        Format::Json => ui.json(&order),
        _ => {
            ui.table(&orders_table(std::slice::from_ref(&order)))?;
            ui.line("")?;
            ui.table(&lines_table(&order.lines))
        }
    }
}

/// The columns of order lists.
pub fn orders_table(orders: &[Order]) -> Table {
    let mut table = Table::new(&[
        "id",
        "at",
        "customer",
        "lines",
        "total",
        "payment_method",
        "channel",
    ]);
    for o in orders {
        table.push(vec![
            Cell::text(o.id.as_str()),
            Cell::DateTime(o.at),
            Cell::text(o.customer.as_str()),
            Cell::Int(o.lines.len() as i64),
            Cell::Money(o.value()),
            o.payment_method.as_deref().into(),
            o.channel.as_deref().into(),
        ]);
    }
    table
}

/// The lines of an order or deal.
pub fn lines_table(lines: &[Line]) -> Table {
    let mut table = Table::new(&["product", "quantity", "price", "amount"]);
    for line in lines {
        table.push(vec![
            Cell::text(line.product.as_str()),
            Cell::Number(line.quantity),
            Cell::Money(line.price),
            Cell::Money(line.amount()),
        ]);
    }
    table
}
