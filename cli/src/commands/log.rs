//! `relate log`: record a contact with a customer.

use std::io::{IsTerminal, Read};

use relate::Error;
use relate::model::Interaction;
use relate::model::interaction::{Direction, Purpose};
use relate::ops;
use relate::ops::interaction::NewContact;
use relate::output::{Cell, Table};

use crate::ui::{At, Ui, at_or_now, date_arg, id_arg, keyword, timestamp_arg};

/// Log a contact with a customer (a call, an e-mail, a meeting, ...) and print its id.
///
/// Without --summary, the text comes from standard input: its first line is
/// the summary and the whole text, if longer, the body.
///
/// A contact about a ticket (--ticket) that is not inbound is the ticket's
/// first response if it has none yet; its purpose defaults to service. A
/// contact in a campaign (--campaign) defaults to the marketing purpose.
///
/// A marketing contact that is not inbound, on a channel whose marketing
/// consent the customer withdrew (`relate consent`), is refused (exit 1)
/// unless --override-consent says it had another basis.
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
    /// When it happened: YYYY-MM-DD, an RFC 3339 date-time, or a day such as
    /// yesterday, -2d or monday (docs/cli.md) [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
    /// Accept an --at after now (a planned contact); without it, one is refused
    #[arg(long)]
    future: bool,
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
    /// Log a marketing contact even though the customer withdrew consent on the channel
    #[arg(long)]
    override_consent: bool,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let (summary, body) = match args.summary {
        Some(summary) => (summary, None),
        None => read_text()?,
    };
    let interaction = ops::interaction::log(
        &store,
        NewContact {
            customer: args.customer,
            at: at_or_now(args.at.as_ref(), &store)?,
            channel: args.channel,
            summary,
            body,
            direction: args.direction,
            purpose: args.purpose,
            owner: args.owner,
            deal: args.deal,
            ticket: args.ticket,
            campaign: args.campaign,
            follow_up: args.follow_up,
            score: args.score,
            future: args.future,
            override_consent: args.override_consent,
        },
    )?;
    ui.created(&interaction.id)
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
            Cell::text(i.id.as_str()),
            Cell::DateTime(i.at),
            Cell::text(i.customer.as_str()),
            Cell::text(i.channel.as_str()),
            i.direction.map(Direction::as_str).into(),
            i.owner.as_deref().into(),
            i.summary.as_deref().into(),
        ]);
    }
    table
}
