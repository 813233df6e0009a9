//! `relate report loyalty`.

use rust_decimal::Decimal;

use relate::model::Kind;
use relate::model::interaction::QUESTIONNAIRE;
use relate::report::loyalty;

use super::{Common, Narrowing};
use crate::ui::{Ui, positive_arg};

/// Do customers come back? Repeat rate, churn risk, cohort retention and NPS.
///
/// Section `summary`: the repeat purchase rate (customers with two orders or
/// more / customers with an order) and the Net Promoter Score (percent
/// promoters, scores 9-10, minus percent detractors, 0-6, over every
/// questionnaire answer with a score up to the as-of date).
///
/// Section `at-risk`: customers with orders on two days or more whose days
/// since their last order exceed k x their median gap between order days
/// (k: --churn-factor, or `analytics.churn_factor` in relate.yaml).
///
/// Section `cohorts`: customers grouped by the month of their first order, and
/// the share of each cohort ordering in that month (m0), the next (m1), and so
/// on up to the as-of month. See docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// k in the churn rule [default: `analytics.churn_factor` in relate.yaml, else 2]
    #[arg(long, value_name = "K", value_parser = positive_arg,
          allow_negative_numbers = true)]
    churn_factor: Option<Decimal>,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    // Of the contacts, the report counts only the questionnaire answers.
    let input = args.common.load_narrowed(
        ui,
        &[Kind::Customer, Kind::Order, Kind::Interaction],
        &Narrowing {
            interaction_channel: Some(QUESTIONNAIRE),
            ..Narrowing::default()
        },
    )?;
    let k = args
        .churn_factor
        .unwrap_or(input.data.settings.analytics.churn_factor);
    let report = loyalty::report(&input.scope(), k);
    args.common.print(ui, &report)
}
