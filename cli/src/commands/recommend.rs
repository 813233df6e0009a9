//! `relate recommend`: next-best offers for one customer.

use chrono::NaiveDate;

use relate::model::{Customer, Kind, consent};
use relate::report::basket::Params;
use relate::report::recommend;

use crate::ui::{Ui, date_arg, id_arg};

/// Next-best offers for a customer, each with its reason.
///
/// First, upgrades for the customer's equipment older than its product's
/// `upgrade_after_years` (the product's `successor`, else the same product).
/// Then the products they do not have (neither bought nor installed as an
/// asset), ranked by the confidence, then the lift, of the best association
/// rule A -> product whose antecedents A they all have (rules as `relate report
/// basket` mines them from every order, with one product as consequent), then
/// by popularity: the share of the other customers of their RFM segment (every
/// other buyer when they have no segment or are alone in it) who bought the
/// product. Products with neither a rule nor a buyer among the peers are not
/// offered. Definitions: docs/service.md. A note on standard error names the
/// channels on which the customer's consent forbids marketing (`relate
/// consent`).
#[derive(clap::Args)]
pub struct Args {
    /// The customer's id
    #[arg(value_parser = id_arg)]
    customer: String,
    /// How many offers to list
    #[arg(long, value_name = "N", default_value_t = 10)]
    limit: usize,
    /// Least support of the itemsets rules come from, as a fraction of the orders
    #[arg(long, value_name = "FRACTION", default_value_t = 0.01)]
    min_support: f64,
    /// Least confidence of a rule (0 to 1)
    #[arg(long, value_name = "FRACTION", default_value_t = 0.1)]
    min_confidence: f64,
    /// Recommend from the records up to this day [default: today]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    as_of: Option<NaiveDate>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let params = Params {
        min_support: args.min_support,
        min_confidence: args.min_confidence,
        // Rules from itemsets of up to three products: enough for "bought A and
        // B", and mining stays fast on large stores.
        max_len: Some(3),
    };
    params.validate()?;
    let store = ui.store()?;
    let customer = store.get::<Customer>(&args.customer)?;
    let now = store.env().now;
    let as_of = args.as_of.unwrap_or_else(|| now.date_naive());
    let kinds = [Kind::Customer, Kind::Order, Kind::Product, Kind::Asset];
    let data = store.dataset_of(&kinds)?.as_of(as_of);
    let offers = recommend::recommend(&data, &args.customer, as_of, &params, args.limit)?;
    ui.records(&offers, recommend::table)?;
    let forbidden = consent::marketing_forbidden(&customer.consent, store.settings(), &now);
    if !forbidden.is_empty() {
        let channels: Vec<String> = (forbidden.iter())
            .map(|(channel, reason)| format!("{channel} ({reason})"))
            .collect();
        ui.note(&format!(
            "Consent forbids offering these to {} by {}.",
            customer.id,
            channels.join(", ")
        ));
    }
    Ok(())
}
