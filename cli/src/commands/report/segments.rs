//! `relate report segments`.

use relate::figures::facts::RECENT_DAYS;
use relate::filter::Field;
use relate::model::Kind;
use relate::report::segments;

use super::{Common, Narrowing};
use crate::ui::Ui;

/// Size, sales, contacts and open deals of each customer group.
///
/// Groups are the named segments of relate.yaml (a customer counts in every
/// segment it matches; without segments, one group `all`), or with --by the
/// values of customer fields: any field a filter can test, such as region,
/// gender, fields.industry, age_band or income_band (bands from `analytics` in
/// relate.yaml, listed lowest band first), even rfm.segment. A list field
/// (tags) puts a customer in one group per item.
///
/// Per group: customers, share of the selected customers, orders, revenue,
/// aov (average order value = revenue / orders), revenue_per_customer,
/// contacts_90d (contacts logged in the 90 days ending on the as-of date),
/// open_deals and open_amount. See docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Group by the values of this field (repeatable: one group per combination)
    #[arg(long = "by", value_name = "FIELD", value_parser = Field::parse)]
    by: Vec<Field>,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    // Only the contacts of the last 90 days count here, unless a --by field
    // looks further back.
    let by_kinds: Vec<Kind> = args.by.iter().flat_map(|f| f.needs().kinds()).collect();
    let input = args.common.load_narrowed(
        ui,
        &[Kind::Customer, Kind::Order, Kind::Interaction, Kind::Deal],
        &Narrowing {
            recent: &[(Kind::Interaction, RECENT_DAYS.unsigned_abs())],
            whole_history: &by_kinds,
            interaction_channel: None,
        },
    )?;
    let report = segments::report(&input.scope(), &args.by)?;
    args.common.print(ui, &report)
}
