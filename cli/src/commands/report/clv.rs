//! `relate report clv`.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use relate::figures::clv::{DEFAULT_HORIZON_DAYS, Options, Period};
use relate::model::Kind;
use relate::report::clv;

use super::Common;
use crate::ui::{Ui, amount_arg, keyword};

/// Predict who is still a customer, what they will buy and what they are worth.
///
/// Fits the BG/NBD model (Fader, Hardie and Lee 2005) of purchase counts and the
/// Gamma-Gamma model of spend per purchase by maximum likelihood on every
/// customer's orders up to the as-of date (several orders on one day are one
/// purchase). Per customer with orders: frequency (purchase days after the
/// first), recency (first to last purchase) and age (first purchase to the
/// as-of date) in periods, p_alive, expected_purchases over the horizon,
/// expected_spend per purchase and clv = the expected purchases of each month of
/// the horizon x expected spend x the customer's margin rate, discounted
/// monthly. Sections: customers, params (the fitted parameters and
/// log-likelihoods), summary. The fit is over the whole store: --where and
/// --segment only choose the rows. It fails (exit 1) with fewer than 10
/// customers with a repeat purchase or a fit that does not converge.
///
/// With --holdout DAYS, the models are fitted on the orders up to DAYS before
/// the as-of date and their predictions for those days are compared with the
/// purchases made (sections holdout, holdout_weeks, holdout_customers).
/// Formulas and sources: docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Days to predict purchases and value over
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_HORIZON_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=36_525))]
    horizon: u32,
    /// Monthly discount rate of the CLV, e.g. 0.01 for 1 % a month
    #[arg(long, value_name = "RATE", default_value = "0.01", value_parser = amount_arg)]
    discount: Decimal,
    /// The unit of recency, age and the rate parameter alpha
    #[arg(long, value_name = "PERIOD", default_value = "week",
          value_parser = keyword::<Period>(Period::NAMES))]
    period: Period,
    /// Fit on the orders up to DAYS before the as-of date and compare the
    /// predictions for those days with what happened
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_525))]
    holdout: Option<u32>,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args
        .common
        .load(ui, &[Kind::Customer, Kind::Order, Kind::Product])?;
    let options = Options {
        period: args.period,
        horizon_days: args.horizon,
        discount: args.discount.to_f64().unwrap_or(f64::NAN),
    };
    let report = clv::report(&input.scope(), &options, args.holdout)?;
    args.common.print(ui, &report)
}
