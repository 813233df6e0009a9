//! `relate report service`.

use chrono::NaiveDate;

use relate::model::Kind;
use relate::report::{moment, service};

use super::Common;
use crate::ui::{Ui, date_arg};

/// Service tickets: backlog by age, SLA breaches, response and resolution times.
///
/// Sections: summary (tickets opened in the period, how many are open and
/// resolved, the median hours from opening to the first response and to the
/// resolution, the breaches of each SLA clock); open (every open ticket, per
/// priority, by age: under 1 day, 1 to 7, 7 to 30, over 30 days, and the
/// oldest); breaches (each SLA clock of the period's tickets that ran out
/// before it was met, or is still running past due, with the hours late);
/// customers and products (the period's tickets per customer and per product,
/// open, and with a breach). SLA clocks come from `sla` in relate.yaml; they
/// are read now, or at the end of the as-of day for a past date. Formulas:
/// docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// The period starts on this day [default: the beginning]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    since: Option<NaiveDate>,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args.common.load(ui, &[Kind::Ticket])?;
    let now = moment(input.as_of, input.now);
    let report = service::service(&input.scope(), now, args.since);
    args.common.print(ui, &report)
}
