//! `relate report demand`.

use relate::model::Kind;
use relate::report::demand::{self, GroupBy, Method, Params, Period};

use super::Common;
use crate::ui::{Ui, keyword};

/// Units sold per period, and a forecast of the next periods.
///
/// Units (the sum of order lines' quantities) per product, category or price
/// segment, per week (from Monday), month, quarter or year, from the item's
/// first sale to the as-of date's period, periods without sales as 0. That
/// last period, unless the as-of date ends it, is partial ("to date"): it is
/// left out of the forecast, which covers --horizon periods from it with one of: ma, the mean of the last --window
/// periods; ses, simple exponential smoothing with --alpha; holt, Holt's
/// linear trend with --alpha and --beta. Both smoothings start from the first
/// period's value (and Holt's trend from the second minus the first) and run
/// over every period. A forecast below zero shows as 0. Formulas and sources:
/// docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Group the units by product, category or price segment
    #[arg(long, value_name = "GROUP", default_value = "product",
          value_parser = keyword::<GroupBy>(GroupBy::NAMES))]
    by: GroupBy,
    /// Length of a period: week (starting on Monday), month, quarter or year
    #[arg(long, value_name = "PERIOD", default_value = "month",
          value_parser = keyword::<Period>(Period::NAMES))]
    period: Period,
    /// How to forecast: ma (moving average), ses (simple exponential smoothing)
    /// or holt (Holt's linear trend)
    #[arg(long, value_name = "METHOD", default_value = "ma",
          value_parser = keyword::<Method>(Method::NAMES))]
    method: Method,
    /// Periods to forecast after the as-of date's period
    #[arg(long, value_name = "N", default_value_t = 3)]
    horizon: usize,
    /// Periods the moving average spans
    #[arg(long, value_name = "N", default_value_t = 3)]
    window: usize,
    /// Smoothing of the level, 0 to 1 (ses, holt)
    #[arg(long, value_name = "FRACTION", default_value_t = 0.3)]
    alpha: f64,
    /// Smoothing of the trend, 0 to 1 (holt)
    #[arg(long, value_name = "FRACTION", default_value_t = 0.1)]
    beta: f64,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let params = Params {
        by: args.by,
        period: args.period,
        method: args.method,
        horizon: args.horizon,
        window: args.window,
        alpha: args.alpha,
        beta: args.beta,
    };
    // Validated before the store is read: a typo fails fast.
    params.validate()?;
    let input = args.common.load(ui, &[Kind::Order, Kind::Product])?;
    args.common
        .print(ui, &demand::demand(&input.scope(), &params)?)
}
