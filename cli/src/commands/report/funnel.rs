//! `relate report funnel`.

use chrono::NaiveDate;

use relate::model::Kind;
use relate::report::funnel;

use super::Common;
use crate::ui::{Ui, date_arg};

/// How deals move through the pipeline: stage conversion, win rate, sales cycle.
///
/// Also the open pipeline per stage and the reasons deals were lost. Per stage of the pipeline in relate.yaml, then `won`: reached (deals created
/// in the period whose history shows them in the stage or a later one; a won
/// deal reached every stage), next_conversion (reached the next stage / reached
/// this one), cumulative_conversion (reached / reached the first stage),
/// open_deals and open_amount (open in the stage on the as-of date),
/// weighted_amount (open amount x the stage's probability) and
/// avg_days_in_stage (mean days of the completed stays in the stage).
///
/// Then win_rate = won / (won + lost) over the deals closed in the period,
/// avg_cycle_days = mean days from created to closed over the deals won in it,
/// and the lost reasons, most frequent first. The period runs from --since to
/// the as-of date. Formulas and sources: docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Start of the period: count the deals created and closed from this day on
    /// [default: all of them]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    since: Option<NaiveDate>,
    /// Split the funnel per deal owner
    #[arg(long, value_name = "owner", value_parser = ["owner"])]
    by: Option<String>,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args.common.load(ui, &[Kind::Deal])?;
    let scope = input.scope();
    match args.by {
        Some(_) => args
            .common
            .print(ui, &funnel::funnel_by_owner(&scope, args.since)?),
        None => args.common.print(ui, &funnel::funnel(&scope, args.since)?),
    }
}
