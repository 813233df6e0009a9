//! `relate report assets`.

use relate::model::Kind;
use relate::report::assets;

use super::Common;
use crate::ui::Ui;

/// Equipment at customers: maintenance due, warranties ending, upgrade candidates.
///
/// Sections: maintenance (assets whose next maintenance, `service_every_days`
/// after the last service or the installation, falls on or before the as-of
/// date plus --days, with the days overdue: negative while still ahead);
/// warranties (warranties ending from the as-of date to --days after it); and
/// upgrades (assets at least their product's `upgrade_after_years` old, with
/// the product's successor).
#[derive(clap::Args)]
pub struct Args {
    /// How many days ahead to look for maintenance and ending warranties
    #[arg(long, value_name = "N", default_value_t = 30)]
    days: u32,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args.common.load(ui, &[Kind::Asset, Kind::Product])?;
    let report = assets::assets(&input.scope(), args.days);
    args.common.print(ui, &report)
}
