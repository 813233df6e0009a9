//! `relate log`: record a contact with a customer.

use std::io::{IsTerminal, Read};

use relate::Error;
use relate::model::interaction::{Direction, Purpose};
use relate::model::values::Timestamp;
use relate::model::{Deal, Interaction, Kind, Record};
use relate::output::{Cell, Table};

use super::ui::{Ui, date_arg, id_arg, keyword, timestamp_arg};

/// Log a contact with a customer (a call, an e-mail, a meeting, ...) and print its id.
///
/// Without --summary, the text comes from standard input: its first line is
/// the summary and the whole text, if longer, the body.
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
    at: Option<Timestamp>,
    /// The deal it was about
    #[arg(long, value_parser = id_arg)]
    deal: Option<String>,
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
    if let Some(deal_id) = &args.deal {
        let deal: Deal = store.get(deal_id)?;
        if deal.customer != args.customer {
            return Err(Error::usage(format!(
                "deal `{deal_id}` belongs to `{}`, not `{}`",
                deal.customer, args.customer
            ))
            .into());
        }
    }
    let (summary, body) = match args.summary {
        Some(summary) => (Some(summary), None),
        None => read_text()?,
    };
    let at = args.at.unwrap_or(store.env().now);
    let interaction = Interaction {
        id: store.new_time_id(Kind::Interaction, &at),
        external_id: None,
        customer: args.customer,
        at,
        channel: args.channel,
        direction: args.direction,
        purpose: args.purpose,
        owner: args.owner.or_else(|| store.acting_owner()),
        summary,
        body,
        deal: args.deal,
        follow_up: args.follow_up,
        score: args.score,
        message_id: None,
        conflicts: Vec::new(),
    };
    let mut tx = store.begin()?;
    tx.put(&interaction)?;
    tx.commit(&format!(
        "log: {} with {}",
        channel_phrase(&interaction.channel),
        interaction.customer
    ))?;
    ui.created(interaction.id())
}

/// Summary and body from standard input, unless it is a terminal.
fn read_text() -> anyhow::Result<(Option<String>, Option<String>)> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Error::usage("no summary: give --summary TEXT or pipe the text in").into());
    }
    let mut text = String::new();
    stdin.read_to_string(&mut text)?;
    let text = text.trim();
    let summary = text.lines().next().map(|line| line.trim().to_string());
    let body = (text.lines().count() > 1).then(|| format!("{text}\n"));
    Ok((summary.filter(|s| !s.is_empty()), body))
}

/// How a channel reads in a commit message: `phone call`, `e-mail`, `meeting`.
fn channel_phrase(channel: &str) -> &str {
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
