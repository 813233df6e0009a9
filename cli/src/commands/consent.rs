//! `relate consent`: record what a customer says about being contacted, or show it.

use relate::model::Customer;
use relate::model::consent::{self, ConsentLine, ConsentState};
use relate::model::interaction::Purpose;
use relate::ops;
use relate::ops::consent::NewConsent;
use relate::output::{Cell, Table};

use crate::ui::{At, Ui, at_or_now, id_arg, keyword, timestamp_arg};

/// Record that a customer grants or withdraws consent to be contacted on a
/// channel, or show their consent.
///
/// `relate consent ID grant --channel email` appends one event to the
/// customer's `consent:` list (one commit); events are never changed or
/// removed, and the latest one of a channel and purpose is in force.
/// Without grant or withdraw, lists the events and, for each channel, what
/// is in force now and whether the customer may be contacted (a channel of
/// `consent.needs_grant` in relate.yaml, by default email and sms, needs a
/// grant for marketing; on the others no answer counts as consent).
#[derive(clap::Args)]
pub struct Args {
    /// The customer's id
    #[arg(value_parser = id_arg)]
    customer: String,
    /// `grant` or `withdraw`; without it, show the customer's consent
    #[arg(value_parser = keyword::<Change>(Change::NAMES), requires = "channel")]
    change: Option<Change>,
    /// The channel: one of the `channels` in relate.yaml (email, sms, phone, letter, ...)
    #[arg(long, requires = "change")]
    channel: Option<String>,
    /// What contacts it is about
    #[arg(long, requires = "change", default_value = "marketing",
          value_parser = keyword::<Purpose>(Purpose::NAMES))]
    purpose: Purpose,
    /// When the customer said so: YYYY-MM-DD, an RFC 3339 date-time, or a day
    /// such as yesterday or -2d (docs/cli.md) [default: now]
    #[arg(long, requires = "change", value_parser = timestamp_arg)]
    at: Option<At>,
    /// How they said so: form, email, phone, letter, ...
    #[arg(long, requires = "change")]
    source: Option<String>,
}

/// What `relate consent ID` records: the verbs of the command line.
#[derive(Debug, Clone, Copy)]
enum Change {
    Grant,
    Withdraw,
}

impl Change {
    const NAMES: &'static [&'static str] = &["grant", "withdraw"];

    fn state(self) -> ConsentState {
        match self {
            Change::Grant => ConsentState::Granted,
            Change::Withdraw => ConsentState::Withdrawn,
        }
    }
}

impl std::str::FromStr for Change {
    type Err = String;

    fn from_str(text: &str) -> Result<Change, String> {
        match text {
            "grant" => Ok(Change::Grant),
            "withdraw" => Ok(Change::Withdraw),
            _ => Err(format!("`{text}` is neither grant nor withdraw")),
        }
    }
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let (Some(change), Some(channel)) = (args.change, args.channel) else {
        let customer: Customer = store.get(&args.customer)?;
        let lines = consent::lines(&customer.consent, store.settings(), &store.env().now);
        return ui.records(&lines, consent_table);
    };
    let customer = ops::consent::record(
        &store,
        NewConsent {
            customer: args.customer,
            state: change.state(),
            channel,
            purpose: args.purpose,
            at: at_or_now(args.at.as_ref(), &store)?,
            source: args.source,
        },
    )?;
    if let Some(event) = customer.consent.last() {
        ui.note(&format!(
            "{}: {} {} {}.",
            customer.id, event.channel, event.purpose, event.state
        ));
    }
    Ok(())
}

/// The columns of `relate consent ID`.
fn consent_table(lines: &[ConsentLine]) -> Table {
    let yes_no = |allowed: bool| Cell::text(if allowed { "yes" } else { "no" });
    let mut table = Table::new(&[
        "channel",
        "purpose",
        "state",
        "at",
        "source",
        "in_force",
        "may_contact",
    ]);
    for line in lines {
        table.push(vec![
            Cell::text(line.channel),
            Cell::text(line.purpose.as_str()),
            Cell::text(line.state),
            line.at.map_or(Cell::Empty, Cell::DateTime),
            line.source.into(),
            yes_no(line.in_force),
            line.may_contact.map_or(Cell::Empty, yes_no),
        ]);
    }
    table
}
