//! `relate report dashboard`.

use relate::model::Kind;
use relate::report::{dashboard, moment};

use super::Common;
use crate::ui::Ui;

/// The page a manager opens each morning: figures, charts and the agenda.
///
/// Headline figures: revenue this month and this year to the as-of date
/// against the same days a year earlier, the open pipeline and its weighted
/// forecast, the win rate over the deals closed in the last 365 days, new
/// customers (first order this month), customers at risk of churn, open
/// tickets and SLA clocks run out on them. Then, with --format html, the
/// charts of `report revenue`, `funnel`, `forecast`, `rfm`, `loyalty`
/// (cohorts), `demand --by segment`, `service` and `value` (top customers);
/// then the agenda of --owner (of the whole team without it); then the tables
/// the charts are drawn from. --format markdown gives the same page for mail,
/// without the charts. --where and --segment select the customers every
/// figure, chart and agenda item is about. See docs/reports.md.
#[derive(clap::Args)]
pub struct Args {
    /// The agenda of this owner (an owner id from relate.yaml) [default: the team's]
    #[arg(long, value_name = "NAME")]
    owner: Option<String>,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let kinds = [
        Kind::Customer,
        Kind::Interaction,
        Kind::Deal,
        Kind::Order,
        Kind::Product,
        Kind::Ticket,
        Kind::Asset,
    ];
    let input = args.common.load(ui, &kinds)?;
    let now = moment(input.as_of, input.now);
    let report = dashboard::dashboard(&input.scope(), now, args.owner.as_deref())?;
    args.common.print(ui, &report)
}
