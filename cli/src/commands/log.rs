//! `relate log`: record a contact with a customer.

use std::io::{IsTerminal, Read};

use relate::Error;
use relate::model::interaction::{Direction, Purpose};
use relate::model::{Deal, Interaction, Kind, Record, Ticket};
use relate::output::{Cell, Table};
use relate::store::Store;

use crate::ui::{At, Ui, at_or_now, date_arg, id_arg, keyword, timestamp_arg};

/// Log a contact with a customer (a call, an e-mail, a meeting, ...) and print its id.
///
/// Without --summary, the text comes from standard input: its first line is
/// the summary and the whole text, if longer, the body.
///
/// A contact about a ticket (--ticket) that is not inbound is the ticket's
/// first response if it has none yet; its purpose defaults to service. A
/// contact in a campaign (--campaign) defaults to the marketing purpose.
#[derive(clap::Args)]
pub struct Args {
    /// The customer's id
    #[arg(value_parser = id_arg)]
    customer: String,
    /// The channel: one of the `channels` in relate.yaml (phone, email, meeting, ...)
    #[arg(long)]
    channel: String,
    /// One line on what it was about
    #[arg(long)]
    summary: Option<String>,
    #[arg(long, value_parser = keyword::<Direction>(Direction::NAMES))]
    direction: Option<Direction>,
    #[arg(long, value_parser = keyword::<Purpose>(Purpose::NAMES))]
    purpose: Option<Purpose>,
    /// When it happened: YYYY-MM-DD or an RFC 3339 date-time [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
    /// The deal it was about
    #[arg(long, value_parser = id_arg)]
    deal: Option<String>,
    /// The service ticket it was about
    #[arg(long, value_parser = id_arg)]
    ticket: Option<String>,
    /// The marketing campaign it belonged to
    #[arg(long, value_parser = id_arg)]
    campaign: Option<String>,
    /// When to get back to the customer (YYYY-MM-DD)
    #[arg(long, value_parser = date_arg)]
    follow_up: Option<chrono::NaiveDate>,
    /// Who had the contact [default: you, if relate.yaml lists you]
    #[arg(long)]
    owner: Option<String>,
    /// A questionnaire answer from 0 to 10 (as in NPS surveys)
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=10))]
    score: Option<u8>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    store.require(Kind::Customer, &args.customer)?;
    if let Some(deal) = &args.deal {
        of_customer::<Deal>(&store, deal, &args.customer)?;
    }
    let mut ticket = args
        .ticket
        .as_deref()
        .map(|ticket| of_customer::<Ticket>(&store, ticket, &args.customer))
        .transpose()?;
    if let Some(campaign) = &args.campaign {
        store.require(Kind::Campaign, campaign)?;
    }
    let (summary, body) = match args.summary {
        Some(summary) => (summary, None),
        None => read_text()?,
    };
    let at = at_or_now(args.at.as_ref(), &store)?;
    let purpose = args.purpose.or(if ticket.is_some() {
        Some(Purpose::Service)
    } else {
        args.campaign.as_ref().map(|_| Purpose::Marketing)
    });
    let interaction = Interaction {
        id: store.new_time_id(Kind::Interaction, &at),
        external_id: None,
        customer: args.customer,
        at,
        channel: args.channel,
        direction: args.direction,
        purpose,
        owner: args.owner.or_else(|| store.acting_owner()),
        summary: Some(summary),
        body,
        deal: args.deal,
        ticket: args.ticket,
        campaign: args.campaign,
        follow_up: args.follow_up,
        score: args.score,
        message_id: None,
        conflicts: Vec::new(),
    };
    let mut tx = store.begin()?;
    tx.put(&interaction)?;
    // What the customer says about a ticket is no response to them.
    if let Some(ticket) = &mut ticket
        && args.direction != Some(Direction::Inbound)
        && ticket.respond(at)
    {
        tx.put(ticket)?;
    }
    tx.commit(&format!(
        "log: {} with {}",
        channel_phrase(&interaction.channel),
        interaction.customer
    ))?;
    ui.created(interaction.id())
}

/// Loads the record `id` that an option names, refusing one of another customer.
pub fn of_customer<T: Record>(store: &Store, id: &str, customer: &str) -> anyhow::Result<T> {
    let record: T = store.get(id)?;
    match record.customer() {
        Some(owner) if owner != customer => Err(Error::usage(format!(
            "{} `{id}` belongs to `{owner}`, not `{customer}`",
            T::KIND
        ))
        .into()),
        _ => Ok(record),
    }
}

/// Summary and body from standard input, unless it is a terminal.
fn read_text() -> anyhow::Result<(String, Option<String>)> {
    let no_summary = || Error::usage("no summary: give --summary TEXT or pipe the text in");
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(no_summary().into());
    }
    let mut text = String::new();
    stdin.read_to_string(&mut text)?;
    let text = text.trim();
    let summary = text.lines().next().map(|line| line.trim().to_string());
    let body = (text.lines().count() > 1).then(|| format!("{text}\n"));
    Ok((
        summary.filter(|s| !s.is_empty()).ok_or_else(no_summary)?,
        body,
    ))
}

/// How a channel reads in a commit message: `phone call`, `e-mail`, `meeting`.
pub fn channel_phrase(channel: &str) -> &str {
    match channel {
        "phone" => "phone call",
        "email" => "e-mail",
        "sms" => "text message",
        "questionnaire" => "questionnaire answer",
        other => other,
    }
}

/// The columns of interaction lists.
pub fn interactions_table(interactions: &[Interaction]) -> Table {
    let mut table = Table::new(&[
        "id",
        "at",
        "customer",
        "channel",
        "direction",
        "owner",
        "summary",
    ]);
    for i in interactions {
        table.push(vec![
            Cell::text(&i.id),
            Cell::DateTime(i.at),
            Cell::text(&i.customer),
            Cell::text(&i.channel),
            i.direction.map(Direction::as_str).into(),
            i.owner.as_deref().into(),
            i.summary.as_deref().into(),
        ]);
    }
    table
}
