//! Consent: `relate consent ID grant|withdraw` appends one event to the
//! customer's `consent:` list.

use crate::error::{Error, Result};
use crate::model::consent::{ConsentEvent, ConsentState};
use crate::model::interaction::Purpose;
use crate::model::values::{Timestamp, format_timestamp};
use crate::model::{Customer, Kind};
use crate::store::Store;

/// What a customer said, as `record` takes it.
pub struct NewConsent {
    /// The customer's id (short ids and merged ids find the customer).
    pub customer: String,
    pub state: ConsentState,
    pub channel: String,
    pub purpose: Purpose,
    pub at: Timestamp,
    pub source: Option<String>,
}

/// Appends the event to the customer's consent, in one commit whose message
/// names the customer's id only. An event after now is refused: consent is
/// recorded once given.
pub fn record(store: &Store, new: NewConsent) -> Result<Customer> {
    if new.at > store.env().now {
        return Err(
            Error::usage(format!("{} is in the future", format_timestamp(&new.at)))
                .with_hint("record consent once it is given; fix --at"),
        );
    }
    let id = store.resolve(Kind::Customer, &new.customer)?;
    let mut customer: Customer = store.get(&id)?;
    let event = ConsentEvent {
        channel: new.channel,
        purpose: new.purpose,
        state: new.state,
        at: new.at,
        source: new.source,
    };
    let message = format!(
        "consent: {} {} {} {}",
        customer.id, event.channel, event.purpose, event.state
    );
    customer.consent.push(event);
    let mut tx = store.begin()?;
    tx.put(&customer)?;
    tx.commit(&message)?;
    Ok(customer)
}
