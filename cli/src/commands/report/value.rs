//! `relate report value`.

use rust_decimal::Decimal;

use relate::model::Kind;
use relate::report::value;

use super::Common;
use crate::ui::{Ui, positive_arg};

/// What customers are worth: per customer and store-wide.
///
/// Per customer with orders, by revenue: revenue, orders, aov (average order
/// value), margin (gross margin of the lines whose product has a cost), first and
/// last order, tenure_days (since the first order), purchases_per_year (orders
/// per year of tenure, at least one year) and historic CLV = aov x purchases per
/// year x expected lifespan in years x margin rate (the customer's own, else the
/// store's, else 1).
///
/// Store-wide (section `summary`): aov, purchase frequency (orders per
/// customer), repeat rate (share of customers with two orders or more),
/// churn-based CLV = aov x frequency / (1 - repeat rate), margin, and the Pareto
/// share: the revenue share of the top 20 % of customers. Figures are computed
/// from exact values and rounded to cents only for display. See
/// docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Expected customer lifespan in years [default: `analytics.lifespan_years`
    /// in relate.yaml, else 3]
    #[arg(long, value_name = "YEARS", value_parser = positive_arg,
          allow_negative_numbers = true)]
    lifespan: Option<Decimal>,
    /// How many customers to list, highest revenue first (0: all)
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args
        .common
        .load(ui, &[Kind::Customer, Kind::Order, Kind::Product])?;
    let lifespan = args
        .lifespan
        .unwrap_or(input.data.settings.analytics.lifespan_years);
    let top = (args.top > 0).then_some(args.top);
    let report = value::report(&input.scope(), lifespan, top);
    args.common.print(ui, &report)
}
