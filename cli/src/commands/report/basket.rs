//! `relate report basket`.

use relate::model::Kind;
use relate::report::basket::{self, Params};

use super::Common;
use crate::ui::Ui;

/// Products bought together: frequent itemsets and association rules.
///
/// Each order with lines is a transaction: the set of its distinct products.
/// An itemset's support is the share of transactions holding all its products;
/// the frequent itemsets are those with support >= --min-support and at most
/// --max-len products. From each, every rule A -> C (A and C split the itemset)
/// with confidence >= --min-confidence is listed with its support (of A and C
/// together), confidence (support(A+C) / support(A)), lift (confidence /
/// support(C)), leverage (support(A+C) - support(A) x support(C)) and conviction
/// ((1 - support(C)) / (1 - confidence); inf at confidence 1, null in JSON), as
/// mlxtend's association_rules defines them. Rules are sorted by lift, then
/// confidence. Formulas and sources: docs/analytics.md.
#[derive(clap::Args)]
pub struct Args {
    /// Least support of a frequent itemset, as a fraction of the orders (above 0, at most 1)
    #[arg(long, value_name = "FRACTION", default_value_t = 0.01)]
    min_support: f64,
    /// Least confidence of a rule (0 to 1)
    #[arg(long, value_name = "FRACTION", default_value_t = 0.5)]
    min_confidence: f64,
    /// Most products in an itemset [default: no limit]
    #[arg(long, value_name = "N")]
    max_len: Option<usize>,
    /// List the frequent itemsets (items, support) instead of the rules
    #[arg(long)]
    itemsets: bool,
    #[command(flatten)]
    common: Common,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let params = Params {
        min_support: args.min_support,
        min_confidence: args.min_confidence,
        max_len: args.max_len,
    };
    // Validated before the store is read: a typo fails fast.
    params.validate()?;
    let input = args.common.load(ui, &[Kind::Order])?;
    let basket = basket::basket(&input.scope(), &params)?;
    if args.itemsets {
        args.common.print(ui, &basket.itemsets)
    } else {
        args.common.print(ui, &basket.rules)
    }
}
