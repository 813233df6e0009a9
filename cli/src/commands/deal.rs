//! `relate deal`: sales opportunities through the pipeline.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use relate::Error;
use relate::model::deal::{MoveRefused, Outcome, StageMove};
use relate::model::order::{LineSpec, lines_total};
use relate::model::values::utc_date;
use relate::model::{Deal, Kind, Order, id};
use relate::output::{Cell, Format, Table};
use relate::store::Query;

use super::order::{lines_table, resolve_lines, write_order};
use crate::ui::{At, Ui, amount_arg, at_or_now, date_arg, id_arg, timestamp_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    New(NewArgs),
    Advance(AdvanceArgs),
    Win(WinArgs),
    Lose(LoseArgs),
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
            let at = args.at;
            let to = args.to;
            if let Some(stage) = &to {
                known_stage(ui, stage)?;
            }
            change(ui, &args.deal, at, "advance", |deal, settings, date, by| {
                deal.advance(settings, to.as_deref(), date, by)
            })
        }
        Command::Win(args) => win(ui, args),
        Command::Lose(args) => {
            let reason = args.reason;
            change(ui, &args.deal, args.at, "lose", |deal, _, date, by| {
                deal.close(Outcome::Lost, date, by, Some(reason))
            })
        }
        Command::List(args) => list(ui, args),
        Command::Show(args) => show(ui, args),
    }
}

/// An unknown stage is a bad argument (exit 2), unlike a refused move (exit 1).
fn known_stage(ui: &Ui, stage: &str) -> anyhow::Result<()> {
    let store = ui.store()?;
    let settings = store.settings();
    if settings.is_known_stage(stage) {
        return Ok(());
    }
    Err(Error::usage(format!("unknown stage `{stage}`"))
        .with_hint(format!(
            "the pipeline is: {}",
            settings.stage_names().join(", ")
        ))
        .into())
}

fn refused(refusal: MoveRefused) -> anyhow::Error {
    Error::failed(refusal.message)
        .with_hint(refusal.hint)
        .into()
}

fn new(ui: &mut Ui, args: NewArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    store.require(Kind::Customer, &args.customer)?;
    let settings = store.settings();
    let stage = match args.stage {
        Some(stage) if settings.stage_index(&stage).is_some() => stage,
        Some(stage) => {
            return Err(
                Error::usage(format!("`{stage}` is not an open stage of the pipeline"))
                    .with_hint(format!(
                        "open stages: {}",
                        settings
                            .pipeline
                            .iter()
                            .map(|s| s.stage.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .into(),
            );
        }
        None => settings
            .pipeline
            .first()
            .ok_or_else(|| Error::failed("the pipeline in relate.yaml has no stages"))?
            .stage
            .clone(),
    };
    let lines = resolve_lines(&store, &args.lines)?;
    let id = match args.id {
        Some(id) if store.exists(Kind::Deal, &id) => {
            return Err(Error::failed(format!("deal `{id}` already exists")).into());
        }
        Some(id) => id,
        None => {
            let base = id::slugify(&format!("{} {}", args.customer, args.title))
                .expect("a customer id always slugs");
            id::unique_slug(&base, |candidate| store.exists(Kind::Deal, candidate))
        }
    };
    let created = match &args.at {
        Some(at) => utc_date(&at_or_now(Some(at), &store)?),
        None => store.env().now.date_naive(),
    };
    let amount = args
        .amount
        .or((!lines.is_empty()).then(|| lines_total(&lines)));
    let deal = Deal {
        id,
        external_id: None,
        customer: args.customer,
        title: args.title,
        owner: args.owner.or_else(|| store.acting_owner()),
        amount,
        currency: Some(settings.currency.clone()),
        stage: stage.clone(),
        created,
        expected_close: args.close_by,
        lines,
        history: vec![StageMove {
            stage,
            at: created,
            by: store.actor(),
        }],
        outcome: None,
        closed: None,
        lost_reason: None,
        conflicts: Vec::new(),
    };
    let mut tx = store.begin()?;
    tx.put(&deal)?;
    tx.commit(&format!("deal new: {} for {}", deal.id, deal.customer))?;
    ui.created(&deal.id)
}

/// Loads a deal, applies a stage change dated `at` (default today), writes and commits.
fn change(
    ui: &mut Ui,
    deal_id: &str,
    at: Option<At>,
    verb: &str,
    apply: impl FnOnce(
        &mut Deal,
        &relate::model::Settings,
        NaiveDate,
        Option<String>,
    ) -> Result<(), MoveRefused>,
) -> anyhow::Result<()> {
    let store = ui.store()?;
    let mut deal: Deal = store.get(deal_id)?;
    let date = utc_date(&at_or_now(at.as_ref(), &store)?);
    apply(&mut deal, store.settings(), date, store.actor()).map_err(refused)?;
    let mut tx = store.begin()?;
    tx.put(&deal)?;
    tx.commit(&format!("deal {verb}: {} to {}", deal.id, deal.stage))?;
    ui.note(&format!("{} is now in stage {}.", deal.id, deal.stage));
    Ok(())
}

fn win(ui: &mut Ui, args: WinArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let mut deal: Deal = store.get(&args.deal)?;
    let at = at_or_now(args.at.as_ref(), &store)?;
    let date = utc_date(&at);
    deal.close(Outcome::Won, date, store.actor(), None)
        .map_err(refused)?;
    let mut tx = store.begin()?;
    tx.put(&deal)?;
    let order = (!deal.lines.is_empty() || deal.amount.is_some()).then(|| Order {
        id: String::new(),
        external_id: None,
        customer: deal.customer.clone(),
        at,
        lines: deal.lines.clone(),
        total: Some(deal.value()),
        payment_method: None,
        channel: None,
        deal: Some(deal.id.clone()),
        conflicts: Vec::new(),
    });
    let order = order
        .map(|order| write_order(&store, &mut tx, order))
        .transpose()?;
    tx.commit(&format!("deal win: {}", deal.id))?;
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
    let deals: Vec<Deal> = match &args.customer {
        Some(customer) => {
            store.require(Kind::Customer, customer)?;
            store.read(Query::of_customer(customer))?
        }
        None => store.read(Query::all())?,
    };
    let deals: Vec<Deal> = deals
        .into_iter()
        .filter(|d| !args.open || d.is_open())
        .filter(|d| args.stage.as_ref().is_none_or(|s| &d.stage == s))
        .filter(|d| args.owner.is_none() || d.owner == args.owner)
        .collect();
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
            Cell::Number(d.value()),
            d.currency.as_deref().into(),
            d.owner.as_deref().into(),
            d.expected_close.into(),
            d.closed.into(),
        ]);
    }
    table
}
