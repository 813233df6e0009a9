//! `relate ticket`: service tickets from opening to resolution.

use relate::Error;
use relate::model::settings::Priority;
use relate::model::ticket::{Status, TicketKind};
use relate::model::{Kind, Ticket};
use relate::ops;
use relate::ops::ticket::{NewTicket, TicketUpdate};
use relate::output::{Cell, Format, Table};

use super::{remove, set};
use crate::ui::{At, SortArgs, Ui, at_or_now, id_arg, keyword, timestamp_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    Open(OpenArgs),
    Update(UpdateArgs),
    /// Resolve a ticket, with an optional note; it stops the SLA clocks.
    Resolve(CloseArgs),
    /// Reopen a resolved ticket, with an optional note.
    Reopen(CloseArgs),
    /// Change fields of a ticket.
    ///
    /// FIELD=VALUE sets a field; an empty VALUE unsets it. Fields: external_id,
    /// customer, subject, kind, priority, owner, asset, product, opened. The
    /// status and its history are changed by `ticket update`, `ticket resolve`
    /// and `ticket reopen` only.
    Set(set::SetArgs),
    /// Remove a ticket (see `relate undo`).
    Remove(remove::RemoveArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Open a service ticket for a customer and print its id.
///
/// The id is a slug of the customer and subject. The SLA of its priority
/// (`sla` in relate.yaml) runs from the opening: log the reply to the customer
/// with `relate log CUSTOMER --ticket ID` (its first response), and end it with
/// `relate ticket resolve ID`.
#[derive(clap::Args)]
pub struct OpenArgs {
    #[arg(value_parser = id_arg)]
    customer: String,
    /// What it is about, in one line
    #[arg(long)]
    subject: String,
    /// What the customer needs
    #[arg(long, default_value = "question", value_parser = keyword::<TicketKind>(TicketKind::NAMES))]
    kind: TicketKind,
    /// How urgent it is; each priority has its SLA
    #[arg(long, default_value = "normal", value_parser = keyword::<Priority>(Priority::NAMES))]
    priority: Priority,
    /// The customer's equipment it is about (see `relate asset list`)
    #[arg(long, value_parser = id_arg)]
    asset: Option<String>,
    /// The product it is about [default: the asset's product]
    #[arg(long, value_name = "SKU", value_parser = id_arg)]
    product: Option<String>,
    /// The team member in charge [default: you, if relate.yaml lists you]
    #[arg(long)]
    owner: Option<String>,
    /// A first note: what the customer reported
    #[arg(long)]
    note: Option<String>,
    /// When it was opened [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
    /// Choose the id instead of deriving it
    #[arg(long, value_parser = id_arg)]
    id: Option<String>,
}

/// Change the status of an open ticket, or add a note to its history.
///
/// Resolving goes through `relate ticket resolve`.
#[derive(clap::Args)]
pub struct UpdateArgs {
    #[arg(value_parser = id_arg)]
    ticket: String,
    /// The new status: open, in_progress or waiting (on the customer)
    #[arg(long, value_parser = keyword::<Status>(Status::NAMES))]
    status: Option<Status>,
    /// A note for the ticket's history
    #[arg(long)]
    note: Option<String>,
    /// A new priority (its SLA clock still counts from the opening)
    #[arg(long, value_parser = keyword::<Priority>(Priority::NAMES))]
    priority: Option<Priority>,
    /// Hand the ticket to another team member
    #[arg(long)]
    owner: Option<String>,
    /// When [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
}

/// The arguments of `ticket resolve` and `ticket reopen`.
#[derive(clap::Args)]
pub struct CloseArgs {
    #[arg(value_parser = id_arg)]
    ticket: String,
    /// What was done, or why it is reopened
    #[arg(long)]
    note: Option<String>,
    /// When [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
}

/// List tickets, oldest first.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only tickets not resolved
    #[arg(long)]
    open: bool,
    #[arg(long, value_parser = keyword::<Status>(Status::NAMES))]
    status: Option<Status>,
    #[arg(long, value_parser = keyword::<Priority>(Priority::NAMES))]
    priority: Option<Priority>,
    #[arg(long, value_parser = keyword::<TicketKind>(TicketKind::NAMES))]
    kind: Option<TicketKind>,
    /// Only tickets of this owner
    #[arg(long)]
    owner: Option<String>,
    /// Only this customer's tickets
    #[arg(long, value_parser = id_arg)]
    customer: Option<String>,
    #[command(flatten)]
    order: SortArgs,
}

/// Show one ticket with its SLA clocks and history.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    ticket: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    let ticket = match command {
        Command::Open(args) => return open(ui, args),
        Command::Update(args) => {
            if args.status.is_none()
                && args.note.is_none()
                && args.priority.is_none()
                && args.owner.is_none()
            {
                return Err(Error::usage(
                    "nothing to update: give --status, --priority, --owner or --note",
                )
                .into());
            }
            let store = ui.store()?;
            let changes = TicketUpdate {
                status: args.status,
                note: args.note,
                priority: args.priority,
                owner: args.owner,
            };
            ops::ticket::update(
                &store,
                &args.ticket,
                changes,
                at_or_now(args.at.as_ref(), &store)?,
            )?
        }
        Command::Resolve(args) => {
            let store = ui.store()?;
            let at = at_or_now(args.at.as_ref(), &store)?;
            ops::ticket::resolve(&store, &args.ticket, args.note, at)?
        }
        Command::Reopen(args) => {
            let store = ui.store()?;
            let at = at_or_now(args.at.as_ref(), &store)?;
            ops::ticket::reopen(&store, &args.ticket, args.note, at)?
        }
        Command::Set(args) => return set::run::<Ticket>(ui, args),
        Command::Remove(args) => return remove::run(ui, Kind::Ticket, args),
        Command::List(args) => return list(ui, args),
        Command::Show(args) => return show(ui, args),
    };
    ui.note(&format!("{} is {}.", ticket.id, ticket.status));
    Ok(())
}

fn open(ui: &mut Ui, args: OpenArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let ticket = ops::ticket::open(
        &store,
        NewTicket {
            customer: args.customer,
            subject: args.subject,
            kind: args.kind,
            priority: args.priority,
            asset: args.asset,
            product: args.product,
            owner: args.owner,
            note: args.note,
            at: at_or_now(args.at.as_ref(), &store)?,
            id: args.id,
        },
    )?;
    ui.created(&ticket.id)
}

fn list(ui: &mut Ui, args: ListArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let wanted = ops::list::Tickets {
        customer: args.customer.as_deref(),
        open: args.open,
        status: args.status,
        priority: args.priority,
        kind: args.kind,
        owner: args.owner.as_deref(),
    };
    let mut tickets = ops::list::tickets(&store, &wanted)?;
    args.order.apply(&mut tickets)?;
    ui.records(&tickets, tickets_table)
}

fn show(ui: &mut Ui, args: ShowArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let ticket: Ticket = store.get(&args.ticket)?;
    if ui.format() == Format::Json {
        return ui.json(&ticket);
    }
    ui.table(&tickets_table(std::slice::from_ref(&ticket)))?;
    if let Some(deadlines) = ticket.sla(store.settings()) {
        let now = store.env().now;
        let mut sla = Table::new(&["sla", "due", "met", "breached"]);
        for deadline in deadlines {
            sla.push(vec![
                Cell::text(deadline.target.as_str()),
                Cell::DateTime(deadline.due),
                deadline.met.map_or(Cell::Empty, Cell::DateTime),
                Cell::text(if deadline.breached(&now) { "yes" } else { "no" }),
            ]);
        }
        ui.line("")?;
        ui.table(&sla)?;
    }
    let mut history = Table::new(&["status", "at", "by", "note"]);
    for event in &ticket.history {
        history.push(vec![
            Cell::text(event.status.as_str()),
            Cell::DateTime(event.at),
            event.by.as_deref().into(),
            event.note.as_deref().into(),
        ]);
    }
    ui.line("")?;
    ui.table(&history)
}

/// The columns of ticket lists.
pub fn tickets_table(tickets: &[Ticket]) -> Table {
    let mut table = Table::new(&[
        "id",
        "customer",
        "subject",
        "kind",
        "priority",
        "status",
        "owner",
        "product",
        "opened",
        "first_response",
        "resolved",
    ]);
    for t in tickets {
        table.push(vec![
            Cell::text(&t.id),
            Cell::text(&t.customer),
            Cell::text(&t.subject),
            Cell::text(t.kind.as_str()),
            Cell::text(t.priority.as_str()),
            Cell::text(t.status.as_str()),
            t.owner.as_deref().into(),
            t.product.as_deref().into(),
            Cell::DateTime(t.opened),
            t.first_response.map_or(Cell::Empty, Cell::DateTime),
            t.resolved.map_or(Cell::Empty, Cell::DateTime),
        ]);
    }
    table
}
