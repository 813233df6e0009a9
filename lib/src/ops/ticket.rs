//! Service tickets from opening to resolution.

use super::{new_slug_id, of_customer};
use crate::error::Refusal;
use crate::error::{Error, Result};
use crate::model::settings::Priority;
use crate::model::ticket::{Status, TicketEvent, TicketKind};
use crate::model::values::Timestamp;
use crate::model::{Asset, Kind, Product, Ticket};
use crate::store::Store;

/// What `open` needs to know.
pub struct NewTicket {
    pub customer: String,
    pub subject: String,
    pub kind: TicketKind,
    pub priority: Priority,
    /// The customer's equipment it is about; its product follows from it.
    pub asset: Option<String>,
    pub product: Option<String>,
    /// The acting owner when not given.
    pub owner: Option<String>,
    pub note: Option<String>,
    pub at: Timestamp,
    /// A slug of the customer and subject when not given.
    pub id: Option<String>,
}

/// Opens a ticket.
pub fn open(store: &Store, mut new: NewTicket) -> Result<Ticket> {
    // A short id or a merged customer's id names the customer; the file gets the full id.
    new.customer = store.resolve(Kind::Customer, &new.customer)?;
    let asset = new
        .asset
        .as_deref()
        .map(|asset| of_customer::<Asset>(store, asset, &new.customer))
        .transpose()?;
    let product = match (new.product, &asset) {
        (Some(product), Some(asset)) if product != asset.product => {
            return Err(Error::usage(format!(
                "asset `{}` is a `{}`, not a `{product}`",
                asset.id, asset.product
            ))
            .with_hint("leave out --product: it follows from the asset"));
        }
        (Some(product), _) => Some(store.get::<Product>(&product)?.id),
        (None, asset) => asset.as_ref().map(|a| a.product.clone()),
    };
    let id = new_slug_id(
        store,
        Kind::Ticket,
        new.id,
        &format!("{} {}", new.customer, new.subject),
    )?;
    let ticket = Ticket {
        id,
        external_id: None,
        customer: new.customer,
        subject: new.subject,
        kind: new.kind,
        priority: new.priority,
        status: Status::Open,
        owner: new.owner.or_else(|| store.acting_owner()),
        asset: asset.as_ref().map(|a| a.id.clone()),
        product,
        opened: new.at,
        first_response: None,
        resolved: None,
        history: vec![TicketEvent {
            status: Status::Open,
            at: new.at,
            by: store.actor(),
            note: new.note,
        }],
        conflicts: Vec::new(),
    };
    let mut tx = store.begin()?;
    tx.put(&ticket)?;
    tx.commit(&format!(
        "ticket open: {} for {}",
        ticket.id, ticket.customer
    ))?;
    Ok(ticket)
}

/// The changes of `update`; what is not given stays.
#[derive(Default)]
pub struct TicketUpdate {
    pub status: Option<Status>,
    pub note: Option<String>,
    pub priority: Option<Priority>,
    pub owner: Option<String>,
}

/// Updates an open ticket; a new priority or owner is noted in its history.
pub fn update(store: &Store, ticket: &str, changes: TicketUpdate, at: Timestamp) -> Result<Ticket> {
    change(store, ticket, "update", |ticket, by| {
        let reassigned = ticket.reassign(changes.priority, changes.owner);
        let note = match (reassigned, changes.note) {
            (Some(reassigned), Some(note)) => Some(format!("{reassigned}; {note}")),
            (reassigned, note) => reassigned.or(note),
        };
        ticket.update(changes.status, note, at, by)
    })
}

/// Resolves an open ticket.
pub fn resolve(store: &Store, ticket: &str, note: Option<String>, at: Timestamp) -> Result<Ticket> {
    change(store, ticket, "resolve", |ticket, by| {
        ticket.resolve(at, by, note)
    })
}

/// Reopens a resolved ticket.
pub fn reopen(store: &Store, ticket: &str, note: Option<String>, at: Timestamp) -> Result<Ticket> {
    change(store, ticket, "reopen", |ticket, by| {
        ticket.reopen(at, by, note)
    })
}

/// Loads a ticket, applies a change, writes and commits.
fn change(
    store: &Store,
    ticket: &str,
    verb: &str,
    apply: impl FnOnce(&mut Ticket, Option<String>) -> std::result::Result<(), Refusal>,
) -> Result<Ticket> {
    let mut ticket: Ticket = store.get(ticket)?;
    apply(&mut ticket, store.actor())?;
    let mut tx = store.begin()?;
    tx.put(&ticket)?;
    tx.commit(&format!("ticket {verb}: {} ({})", ticket.id, ticket.status))?;
    Ok(ticket)
}
