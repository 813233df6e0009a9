//! Contacts with customers: `relate log`.

use chrono::NaiveDate;
use compact_str::CompactString;

use super::of_customer;
use crate::error::{Error, Result};
use crate::model::consent::{self, ConsentState};
use crate::model::interaction::{Direction, Purpose};
use crate::model::values::{Timestamp, utc_date};
use crate::model::{Customer, Deal, Interaction, Kind, Ticket};
use crate::store::Store;

/// What `log` needs to know.
pub struct NewContact {
    pub customer: String,
    pub at: Timestamp,
    pub channel: String,
    pub summary: String,
    pub body: Option<String>,
    pub direction: Option<Direction>,
    /// Service for a contact about a ticket, marketing for one in a campaign,
    /// when not given.
    pub purpose: Option<Purpose>,
    /// The acting owner when not given.
    pub owner: Option<String>,
    pub deal: Option<String>,
    pub ticket: Option<String>,
    pub campaign: Option<String>,
    pub follow_up: Option<NaiveDate>,
    pub score: Option<u8>,
    /// A contact dated after now is refused unless this says it is meant:
    /// a mistyped year is the usual cause.
    pub future: bool,
    /// A marketing contact on a channel the customer withdrew from is
    /// refused unless this says it had another basis.
    pub override_consent: bool,
}

/// Records a contact. One that is not inbound about a ticket is the ticket's
/// first response if it has none yet (same commit). An outbound (or
/// undirected) marketing contact on a channel whose marketing consent the
/// customer withdrew, as of the contact's time, is refused.
pub fn log(store: &Store, mut new: NewContact) -> Result<Interaction> {
    if new.at > store.env().now && !new.future {
        return Err(Error::usage(format!(
            "{} is in the future",
            new.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        ))
        .with_hint("give --future if the contact is planned, or fix the date"));
    }
    // A short id or a merged customer's id names the customer; the file gets the full id.
    new.customer = store.resolve(Kind::Customer, &new.customer)?;
    // Short ids found the deal and the ticket: the contact names them in full.
    if let Some(deal) = new.deal.take() {
        new.deal = Some(of_customer::<Deal>(store, &deal, &new.customer)?.id);
    }
    let mut ticket = new
        .ticket
        .as_deref()
        .map(|ticket| of_customer::<Ticket>(store, ticket, &new.customer))
        .transpose()?;
    if let Some(campaign) = &new.campaign {
        store.require(Kind::Campaign, campaign)?;
    }
    let purpose = new.purpose.or(if ticket.is_some() {
        Some(Purpose::Service)
    } else {
        new.campaign.as_ref().map(|_| Purpose::Marketing)
    });
    if purpose == Some(Purpose::Marketing)
        && new.direction != Some(Direction::Inbound)
        && !new.override_consent
    {
        refuse_withdrawn(store, &new.customer, &new.channel, &new.at)?;
    }
    let mut interaction = Interaction::new(new.customer, new.at, new.channel);
    interaction.id = store.new_time_id(Kind::Interaction, &new.at).into();
    interaction.direction = new.direction;
    interaction.purpose = purpose;
    interaction.owner = (new.owner.or_else(|| store.acting_owner())).map(Into::into);
    interaction.summary = Some(new.summary);
    interaction.body = new.body;
    interaction.deal = new.deal.map(Into::into);
    interaction.ticket = ticket.as_ref().map(|t| CompactString::from(&t.id));
    interaction.campaign = new.campaign.map(Into::into);
    interaction.follow_up = new.follow_up;
    interaction.score = new.score;
    let mut tx = store.begin()?;
    tx.put(&interaction)?;
    // What the customer says about a ticket is no response to them.
    if let Some(ticket) = &mut ticket
        && new.direction != Some(Direction::Inbound)
        && ticket.respond(new.at)
    {
        tx.put(ticket)?;
    }
    tx.commit(&format!(
        "log: {} with {}",
        channel_phrase(&interaction.channel),
        interaction.customer
    ))?;
    Ok(interaction)
}

/// Refuses a marketing contact on `channel` at `at` when the customer's
/// marketing consent in force then is a withdrawal. No answer is not refused:
/// the contact may rest on another basis (an existing customer's soft
/// opt-in); campaign launches apply the stricter `consent.needs_grant`.
fn refuse_withdrawn(store: &Store, customer: &str, channel: &str, at: &Timestamp) -> Result<()> {
    let customer: Customer = store.get_exact(customer)?;
    match consent::in_force(&customer.consent, channel, Purpose::Marketing, at) {
        Some(event) if event.state == ConsentState::Withdrawn => Err(Error::ConsentWithdrawn {
            customer: customer.id.to_string(),
            channel: channel.to_string(),
            on: utc_date(&event.at),
        }),
        _ => Ok(()),
    }
}

/// How a channel reads in a commit message: `phone call`, `e-mail`, `meeting`.
pub fn channel_phrase(channel: &str) -> &str {
    match channel {
        "phone" => "phone call",
        "email" => "e-mail",
        "sms" => "text message",
        "questionnaire" => "questionnaire answer",
        other => other,
    }
}
