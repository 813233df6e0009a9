//! `relate agenda`: each team member's to-do list.

use std::mem::ManuallyDrop;
use std::path::PathBuf;

use chrono::NaiveDate;

use relate::model::Kind;
use relate::model::values::{midnight_utc, utc_date};
use relate::report::agenda::{self, Item};

use crate::ui::{Ui, date_arg};

/// What each team member has to do, with the command that does it.
///
/// Lists, per owner, everything due today or earlier (or up to --days ahead):
/// follow-ups set with `relate log --follow-up` that no later contact with the
/// customer has fulfilled; open deals idle longer than their stage's
/// `idle_days` (no stage move and no interaction), and open deals whose
/// expected close date has come; open tickets whose next SLA clock (first
/// response, then resolution) runs out; assets due for maintenance; and
/// customers who slipped into the at_risk RFM segment since
/// `agenda.at_risk_lookback_days` ago; and customers whose P(alive) (the
/// BG/NBD model of `report clv`) fell below `agenda.p_alive_threshold` in the
/// last seven days (likely_lost). An item belongs to the owner of its
/// record, else to the customer's owner. Made for a morning cron job:
/// `relate agenda --owner alice --format markdown | mail -s Agenda alice`.
///
/// With --as-of DATE (a past day), the agenda is the one of the end of that
/// day, from the records dated up to it.
#[derive(clap::Args)]
pub struct Args {
    /// Only this owner's items (an owner id from relate.yaml)
    #[arg(long, value_name = "NAME")]
    owner: Option<String>,
    /// Also list what falls due in the next N days
    #[arg(long, value_name = "N", default_value_t = 0)]
    days: u32,
    /// The agenda as it stood at the end of this day [default: now]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    as_of: Option<NaiveDate>,
    /// Write the agenda to FILE, replacing it atomically, instead of printing it
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let settings = store.settings();
    if let Some(owner) = &args.owner {
        settings.check_owner_choice(owner)?;
    }
    // The agenda's today is the UTC date, as every dated record is filed by it.
    let now = match args.as_of {
        Some(day) if day != utc_date(&store.env().now) => end_of_day_utc(day),
        _ => store.env().now,
    };
    let kinds = [
        Kind::Customer,
        Kind::Interaction,
        Kind::Deal,
        Kind::Order,
        Kind::Ticket,
        Kind::Asset,
    ];
    // Never freed, as a report's records (see `report::Input`).
    let data = ManuallyDrop::new(store.dataset_of(&kinds)?.as_of(utc_date(&now)));
    let items: Vec<Item> = agenda::agenda(&data, now, args.days, &store.fits())
        .into_iter()
        .filter(|item| args.owner.is_none() || item.owner == args.owner)
        .collect();
    ui.records_to(args.output.as_deref(), &items, agenda::table)
}

/// The last second of `day` in UTC.
fn end_of_day_utc(day: NaiveDate) -> relate::model::values::Timestamp {
    midnight_utc(day) + chrono::Duration::seconds(86_399)
}
