//! `relate report consent`.

use relate::model::Kind;
use relate::report::consent;

use super::Common;
use crate::ui::Ui;

/// Consent by channel: how many customers granted, withdrew or never answered.
///
/// One row per channel of relate.yaml for marketing, then one per other
/// purpose a consent event names: granted, withdrawn and no_answer count the
/// selected customers by the event in force at the end of the as-of day (the
/// latest of the channel and purpose); needs_grant says whether no answer
/// forbids the contact (`consent.needs_grant`); may_contact counts those who
/// may be contacted. Rules: docs/privacy.md.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args.common.load(ui, &[Kind::Customer])?;
    args.common
        .print(ui, &consent::consent(&input.scope(), input.now))
}
