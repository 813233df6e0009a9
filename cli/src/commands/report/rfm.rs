//! `relate report rfm`.

use relate::model::Kind;
use relate::report::rfm;

use super::Common;
use crate::ui::Ui;

/// Score customers by the recency, frequency and monetary value of their orders.
///
/// One row per customer with at least one order up to the as-of date:
/// recency_days (days from the last order to the as-of date), frequency (number
/// of orders), monetary (sum of order values), the scores r, f and m from 1 to 5,
/// and the segment.
///
/// A score is the quintile of the customer's rank among all customers with
/// orders, sorted by the value with ties broken by customer id (as pandas'
/// `qcut(values.rank(method="first"), 5)`); r is reversed, so the most recent
/// score 5. The segment comes from the R x F grid: champions, loyal_customers,
/// potential_loyalists, new_customers, promising, need_attention,
/// about_to_sleep, at_risk, cant_lose, hibernating. Scores are relative to the
/// whole store: --where and --segment only choose which rows to show.
/// Formulas and sources: docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Per segment instead: customers, share, revenue and average recency,
    /// frequency and monetary value
    #[arg(long)]
    summary: bool,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args.common.load(ui, &[Kind::Customer, Kind::Order])?;
    let report = rfm::report(&input.scope());
    if args.summary {
        args.common.print(ui, &rfm::summary(&report))
    } else {
        args.common.print(ui, &report)
    }
}
