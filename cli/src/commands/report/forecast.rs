//! `relate report forecast`.

use relate::model::Kind;
use relate::report::forecast;

use super::Common;
use crate::ui::Ui;

/// The open pipeline by expected close month: weighted, best case and commit.
///
/// For the deals open on the as-of date, per month of their expected close
/// date (deals without one last): deals, weighted (amount x the probability of
/// the deal's stage), best_case (the sum of the amounts: every deal won) and
/// commit (the amounts of the deals in stages marked `commit: true` in the
/// pipeline settings). Formulas and sources: docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let input = args.common.load(ui, &[Kind::Deal])?;
    args.common.print(ui, &forecast::forecast(&input.scope()))
}
