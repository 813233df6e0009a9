//! `relate deal`: sales opportunities through the pipeline.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use relate::model::order::LineSpec;
use relate::model::{Deal, Kind};
use relate::ops;
use relate::ops::deal::{NewDeal, Won};
use relate::output::{Cell, Format, Table};

use super::order::lines_table;
use super::{remove, set};
use crate::ui::{At, SortArgs, Ui, amount_arg, at_or_now, date_arg, id_arg, timestamp_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    New(NewArgs),
    Advance(AdvanceArgs),
    Win(WinArgs),
    Lose(LoseArgs),
    /// Change fields of a deal.
    ///
    /// FIELD=VALUE sets a field; an empty VALUE unsets it. Fields: external_id,
    /// customer, title, owner, amount, currency, created, expected_close,
    /// lost_reason. The stage and its history are changed by `deal advance`,
    /// `deal win` and `deal lose` only; the lines by `relate edit`.
    Set(set::SetArgs),
    /// Remove a deal (see `relate undo`).
    Remove(remove::RemoveArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Open a deal and print its id.
///
/// The id is a slug of the customer and title. The amount defaults to the sum of
/// the lines; lines are SKU:QUANTITY[:UNIT_PRICE].
#[derive(clap::Args)]
pub struct NewArgs {
    #[arg(value_parser = id_arg)]
    customer: String,
    #[arg(long)]
    title: String,
    /// Expected value [default: the sum of the lines]
    #[arg(long, value_parser = amount_arg, allow_negative_numbers = true)]
    amount: Option<Decimal>,
    /// A line: SKU:QUANTITY[:UNIT_PRICE] (repeatable)
    #[arg(long = "line", value_name = "SKU:QTY[:PRICE]")]
    lines: Vec<LineSpec>,
    /// The stage it starts in [default: the first of the pipeline]
    #[arg(long)]
    stage: Option<String>,
    /// When it was opened [default: today]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
    /// Expected close date
    #[arg(long, value_parser = date_arg)]
    close_by: Option<NaiveDate>,
    /// The team member in charge [default: you, if relate.yaml lists you]
    #[arg(long)]
    owner: Option<String>,
    /// Choose the id instead of deriving it
    #[arg(long, value_parser = id_arg)]
    id: Option<String>,
}

/// Move a deal forward in the pipeline (to the next stage by default).
///
/// Deals only move forward; close them with `deal win` or `deal lose`.
#[derive(clap::Args)]
pub struct AdvanceArgs {
    #[arg(value_parser = id_arg)]
    deal: String,
    /// The stage to move to
    #[arg(long)]
    to: Option<String>,
    /// When [default: today]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
}

/// Close a deal as won, and record the order for its lines (or its amount).
#[derive(clap::Args)]
pub struct WinArgs {
    #[arg(value_parser = id_arg)]
    deal: String,
    /// When [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
}

/// Close a deal as lost, with the reason.
#[derive(clap::Args)]
pub struct LoseArgs {
    #[arg(value_parser = id_arg)]
    deal: String,
    /// Why it was lost (price, timing, competitor, ...)
    #[arg(long)]
    reason: String,
    /// When [default: today]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
}

/// List deals.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only open deals
    #[arg(long)]
    open: bool,
    /// Only deals in this stage
    #[arg(long)]
    stage: Option<String>,
    /// Only deals of this owner
    #[arg(long)]
    owner: Option<String>,
    /// Only this customer's deals
    #[arg(long, value_parser = id_arg)]
    customer: Option<String>,
    #[command(flatten)]
    order: SortArgs,
}

/// Show one deal with its lines and stage history.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    deal: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::New(args) => new(ui, args),
        Command::Advance(args) => {
            let store = ui.store()?;
            let at = at_or_now(args.at.as_ref(), &store)?;
            let deal = ops::deal::advance(&store, &args.deal, args.to.as_deref(), at)?;
            moved(ui, &deal)
        }
        Command::Win(args) => win(ui, args),
        Command::Lose(args) => {
            let store = ui.store()?;
            let at = at_or_now(args.at.as_ref(), &store)?;
            let deal = ops::deal::lose(&store, &args.deal, args.reason, at)?;
            moved(ui, &deal)
        }
        Command::Set(args) => set::run::<Deal>(ui, args),
        Command::Remove(args) => remove::run(ui, Kind::Deal, args),
        Command::List(args) => list(ui, args),
        Command::Show(args) => show(ui, args),
    }
}

fn moved(ui: &Ui, deal: &Deal) -> anyhow::Result<()> {
    ui.note(&format!("{} is now in stage {}.", deal.id, deal.stage));
    Ok(())
}

fn new(ui: &mut Ui, args: NewArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let at = args
        .at
        .as_ref()
        .map(|at| at_or_now(Some(at), &store))
        .transpose()?;
    let deal = ops::deal::open(
        &store,
        NewDeal {
            customer: args.customer,
            title: args.title,
            amount: args.amount,
            lines: args.lines,
            stage: args.stage,
            at,
            close_by: args.close_by,
            owner: args.owner,
            id: args.id,
        },
    )?;
    ui.created(&deal.id)
}

fn win(ui: &mut Ui, args: WinArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let at = at_or_now(args.at.as_ref(), &store)?;
    let Won { deal, order } = ops::deal::win(&store, &args.deal, at)?;
    match order {
        Some(order) => {
            ui.note(&format!("{} is won; recorded order {}.", deal.id, order.id));
            ui.created(&order.id)?;
        }
        None => ui.note(&format!(
            "{} is won (no lines or amount, so no order).",
            deal.id
        )),
    }
    Ok(())
}

fn list(ui: &mut Ui, args: ListArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let wanted = ops::list::Deals {
        customer: args.customer.as_deref(),
        open: args.open,
        stage: args.stage.as_deref(),
        owner: args.owner.as_deref(),
    };
    let mut deals = ops::list::deals(&store, &wanted)?;
    args.order.apply(&mut deals)?;
    ui.records(&deals, deals_table)
}

fn show(ui: &mut Ui, args: ShowArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let deal: Deal = store.get(&args.deal)?;
    if ui.format() == Format::Json {
        return ui.json(&deal);
    }
    ui.table(&deals_table(std::slice::from_ref(&deal)))?;
    if !deal.lines.is_empty() {
        ui.line("")?;
        ui.table(&lines_table(&deal.lines))?;
    }
    let mut history = Table::new(&["stage", "at", "by"]);
    for step in &deal.history {
        history.push(vec![
            Cell::text(&step.stage),
            Cell::Date(step.at),
            step.by.as_deref().into(),
        ]);
    }
    ui.line("")?;
    ui.table(&history)
}

/// The columns of deal lists.
pub fn deals_table(deals: &[Deal]) -> Table {
    let mut table = Table::new(&[
        "id",
        "customer",
        "title",
        "stage",
        "amount",
        "currency",
        "owner",
        "expected_close",
        "closed",
    ]);
    for d in deals {
        table.push(vec![
            Cell::text(&d.id),
            Cell::text(&d.customer),
            Cell::text(&d.title),
            Cell::text(&d.stage),
            Cell::Money(d.value()),
            d.currency.as_deref().into(),
            d.owner.as_deref().into(),
            d.expected_close.into(),
            d.closed.into(),
        ]);
    }
    table
}
