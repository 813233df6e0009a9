//! Deals through the pipeline: open, advance, win (with its order), lose.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::new_slug_id;
use super::order::{resolve_lines, write_order};
use crate::error::Refusal;
use crate::error::{Error, Result};
use crate::model::deal::{Outcome, StageMove};
use crate::model::order::{LineSpec, lines_total};
use crate::model::values::{Timestamp, utc_date};
use crate::model::{Deal, Kind, Order};
use crate::store::Store;

/// What `open` needs to know; the rest is derived.
pub struct NewDeal {
    pub customer: String,
    pub title: String,
    /// The expected value; the sum of the lines when not given.
    pub amount: Option<Decimal>,
    pub lines: Vec<LineSpec>,
    /// The first stage of the pipeline when not given.
    pub stage: Option<String>,
    /// When it was opened; today when not given.
    pub at: Option<Timestamp>,
    pub close_by: Option<NaiveDate>,
    /// The acting owner (the git identity, when relate.yaml lists it) when not given.
    pub owner: Option<String>,
    /// A slug of the customer and title when not given.
    pub id: Option<String>,
}

/// Opens a deal; its history starts with the stage it starts in.
pub fn open(store: &Store, mut new: NewDeal) -> Result<Deal> {
    // A short id or a merged customer's id names the customer; the file gets the full id.
    new.customer = store.resolve(Kind::Customer, &new.customer)?;
    let settings = store.settings();
    let stage = match new.stage {
        Some(stage) if settings.stage_index(&stage).is_some() => stage,
        Some(stage) => {
            return Err(
                Error::usage(format!("`{stage}` is not an open stage of the pipeline")).with_hint(
                    format!("open stages: {}", settings.stage_names().join(", ")),
                ),
            );
        }
        None => settings
            .pipeline
            .first()
            .ok_or_else(|| Error::failed("the pipeline in relate.yaml has no stages"))?
            .stage
            .clone(),
    };
    let lines = resolve_lines(store, &new.lines)?;
    let id = new_slug_id(
        store,
        Kind::Deal,
        new.id,
        &format!("{} {}", new.customer, new.title),
    )?;
    let created = new
        .at
        .map_or_else(|| store.env().now.date_naive(), |at| utc_date(&at));
    let amount = new
        .amount
        .or((!lines.is_empty()).then(|| lines_total(&lines)));
    let deal = Deal {
        id,
        external_id: None,
        customer: new.customer,
        title: new.title,
        owner: new.owner.or_else(|| store.acting_owner()),
        amount,
        currency: Some(settings.currency.clone()),
        stage: stage.clone(),
        created,
        expected_close: new.close_by,
        lines,
        history: vec![StageMove {
            stage,
            at: created,
            by: store.actor(),
        }],
        outcome: None,
        closed: None,
        lost_reason: None,
        conflicts: Vec::new(),
    };
    let mut tx = store.begin()?;
    tx.put(&deal)?;
    tx.commit(&format!("deal new: {} for {}", deal.id, deal.customer))?;
    Ok(deal)
}

/// Moves a deal forward, to `to` or the next stage; deals never move back.
pub fn advance(store: &Store, deal: &str, to: Option<&str>, at: Timestamp) -> Result<Deal> {
    let settings = store.settings();
    if let Some(stage) = to
        && !settings.is_known_stage(stage)
    {
        // An unknown stage is a bad argument, unlike a refused move.
        return Err(
            Error::usage(format!("unknown stage `{stage}`")).with_hint(format!(
                "the pipeline is: {}",
                settings.stage_names().join(", ")
            )),
        );
    }
    change(store, deal, "advance", |deal, by| {
        deal.advance(settings, to, utc_date(&at), by)
    })
}

/// Closes a deal as lost, with the reason.
pub fn lose(store: &Store, deal: &str, reason: String, at: Timestamp) -> Result<Deal> {
    change(store, deal, "lose", |deal, by| {
        deal.close(Outcome::Lost, utc_date(&at), by, Some(reason))
    })
}

/// A won deal and the order it recorded (none without lines or an amount).
pub struct Won {
    pub deal: Deal,
    pub order: Option<Order>,
}

/// Closes a deal as won and, in the same commit, records the order of its
/// lines (or of its amount) dated `at`: in the store's currency, converted at
/// the settings' exchange rate when the deal is in another (refused without
/// one: orders are in the store's currency).
pub fn win(store: &Store, deal: &str, at: Timestamp) -> Result<Won> {
    let mut deal: Deal = store.get(deal)?;
    let settings = store.settings();
    let Some(total) = deal.value_in_store_currency(settings) else {
        let currency = deal.currency.clone().unwrap_or_default();
        return Err(Error::failed(format!(
            "deal `{}` is in {currency}, and relate.yaml gives no exchange rate for {currency}: its order would be recorded in {}",
            deal.id, settings.currency
        ))
        .with_hint(format!(
            "add `exchange_rates: {{{currency}: RATE}}` to relate.yaml (what 1 {currency} is worth in {}), or change the deal's currency with `relate deal set {} currency={}`",
            settings.currency, deal.id, settings.currency
        )));
    };
    let rate = settings
        .rate_of(deal.currency.as_deref())
        .map(|(_, rate)| rate);
    deal.close(Outcome::Won, utc_date(&at), store.actor(), None)?;
    let mut tx = store.begin()?;
    tx.put(&deal)?;
    let order = (!deal.lines.is_empty() || deal.amount.is_some()).then(|| {
        let mut order = Order::new(deal.customer.clone(), at);
        order.lines = deal.lines.clone();
        if let Some(rate) = rate {
            for line in &mut order.lines {
                line.price = (line.price * rate).normalize();
            }
        }
        order.total = Some(total.normalize());
        order.deal = Some(deal.id.as_str().into());
        order
    });
    let order = order
        .map(|order| write_order(store, &mut tx, order))
        .transpose()?;
    tx.commit(&format!("deal win: {}", deal.id))?;
    Ok(Won { deal, order })
}

/// Loads a deal, applies a stage change, writes and commits.
fn change(
    store: &Store,
    deal: &str,
    verb: &str,
    apply: impl FnOnce(&mut Deal, Option<String>) -> std::result::Result<(), Refusal>,
) -> Result<Deal> {
    let mut deal: Deal = store.get(deal)?;
    apply(&mut deal, store.actor())?;
    let mut tx = store.begin()?;
    tx.put(&deal)?;
    tx.commit(&format!("deal {verb}: {} to {}", deal.id, deal.stage))?;
    Ok(deal)
}
