//! `relate report revenue`.

use chrono::NaiveDate;

use relate::model::Kind;
use relate::report::demand::Period;
use relate::report::revenue::{self, By, Params};

use super::Common;
use crate::ui::{Ui, date_arg, keyword};

/// Revenue, orders, customers and average order value per period.
///
/// Periods are columns, with a total column and, with --by, a total row. The
/// orders' value (their total, or their lines' sum) by UTC date; grouped by
/// product, category or segment (the product's price segment) an order counts
/// by its lines, grouped by a customer field (region, owner, tags,
/// fields.NAME...) by its customer's value, once per item of a list field, so
/// such groups may overlap (the title says so). Named customer segments go
/// through --segment. The last period is partial when the report ends before
/// its last day (marked `*`); its changes against the previous period and
/// the same period a year earlier compare the same number of days. Formulas:
/// docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Length of a period: week (from Monday), month, quarter or year
    #[arg(long, value_name = "PERIOD", default_value = "month",
          value_parser = keyword::<Period>(Period::NAMES))]
    period: Period,
    /// Group by product, category, segment (price segment) or a customer field
    #[arg(long, value_name = "GROUP")]
    by: Option<String>,
    /// The first period is the one holding this day [default: 12 weeks or
    /// months, 8 quarters or 5 years]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    since: Option<NaiveDate>,
    /// The last day counted [default: the as-of date]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    until: Option<NaiveDate>,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    // Checked before the store is read: a typo fails fast.
    let by = args.by.as_deref().map(By::parse).transpose()?;
    let params = Params {
        period: args.period,
        by,
        since: args.since,
        until: args.until,
    };
    let input = args
        .common
        .load(ui, &[Kind::Customer, Kind::Order, Kind::Product])?;
    args.common
        .print(ui, &revenue::revenue(&input.scope(), &params)?)
}
