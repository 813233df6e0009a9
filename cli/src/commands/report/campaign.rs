//! `relate report campaign`.

use relate::Error;
use relate::model::{Campaign, Kind};
use relate::report::campaign;

use super::Common;
use crate::ui::{Ui, id_arg};

/// A launched campaign's results: contacted, responded, deals, orders, revenue.
///
/// Over its members (frozen at launch; --where and --segment narrow them):
/// contacted (a contact logged with --campaign that was not inbound), responded
/// (an inbound contact in the window, naming this campaign or none), the deals
/// created and orders placed in the window, buyers (members with an order),
/// revenue, and the contact, response and conversion (buyers / members)
/// rates. The window runs from the campaign's start (else its launch) to its
/// end, or to the as-of date. Formulas: docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    #[arg(value_parser = id_arg)]
    campaign: String,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let campaign: Campaign = ui.store()?.get(&args.campaign)?;
    if campaign.launched.is_none() {
        return Err(
            Error::failed(format!("campaign `{}` is not launched yet", campaign.id))
                .with_hint(format!(
                    "launch it with `relate campaign launch {}`",
                    campaign.id
                ))
                .into(),
        );
    }
    let kinds = [Kind::Customer, Kind::Interaction, Kind::Deal, Kind::Order];
    let input = args.common.load(ui, &kinds)?;
    let report = campaign::campaign(&input.scope(), &campaign);
    args.common.print(ui, &report)
}
