//! Customers: add, change field by field, find probable duplicates.

use crate::error::{Error, Result};
use crate::model::assign::Assignment;
use crate::model::customer::{CONSENT, CustomerKind};
use crate::model::duplicates::{self, Found, Pair};
use crate::model::erasure::Suppressed;
use crate::model::{Customer, Kind, id};
use crate::store::{Query, Store};

/// What `add` needs to know.
pub struct NewCustomer {
    pub name: String,
    /// A person when a company is given, an organization otherwise, when not given.
    pub kind: Option<CustomerKind>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company: Option<String>,
    /// The acting owner when not given.
    pub owner: Option<String>,
    pub tags: Vec<String>,
    /// Further fields, as `customer set` takes them.
    pub sets: Vec<Assignment>,
    /// A slug of the name when not given.
    pub id: Option<String>,
}

/// A new customer, the id its name made when that one was taken, and the
/// customers it probably duplicates (for a note: it is created all the same).
pub struct Added {
    pub customer: Customer,
    pub taken: Option<String>,
    pub likely_duplicates: Vec<Pair>,
    /// Whether one of its addresses or numbers is an erased person's (a
    /// suppression entry matches): created all the same, as asked by hand.
    pub suppressed: bool,
}

/// Adds a customer; an e-mail address another customer has is refused.
pub fn add(store: &Store, new: NewCustomer) -> Result<Added> {
    let mut customers: Vec<Customer> = store.read(Query::all())?;
    let merged_into = |id: &str| {
        (customers.iter())
            .find(|c| c.aliases.iter().any(|alias| alias == id))
            .map(|c| c.id.clone())
    };
    let (id, taken) = match new.id {
        Some(id) if store.exists(Kind::Customer, &id) => {
            return Err(Error::Exists {
                kind: Kind::Customer.name(),
                id,
            });
        }
        Some(id) => match merged_into(&id) {
            Some(into) => {
                return Err(Error::MergedId {
                    id,
                    into: into.to_string(),
                });
            }
            None => (id, None),
        },
        None => {
            let base = id::slugify(&new.name).ok_or_else(|| {
                Error::usage(format!("cannot make an id from the name `{}`", new.name))
                    .with_hint("give one with --id")
            })?;
            let id = id::unique_slug(&base, |candidate| {
                store.exists(Kind::Customer, candidate) || merged_into(candidate).is_some()
            });
            let taken = (id != base).then_some(base);
            (id, taken)
        }
    };
    let kind = new.kind.unwrap_or(if new.company.is_some() {
        CustomerKind::Person
    } else {
        CustomerKind::Organization
    });
    let mut customer = Customer::new(id, new.name, kind);
    customer.emails = new.emails;
    customer.phones = new.phones;
    customer.company = new.company.map(Into::into);
    customer.owner = (new.owner.or_else(|| store.acting_owner())).map(Into::into);
    customer.tags = new.tags;
    customer.created = Some(store.env().now.date_naive());
    for assignment in &new.sets {
        customer.assign(assignment).map_err(Error::usage)?;
    }
    refuse_shared_emails(&customers, &customer)?;
    customers.push(customer.clone());
    let new = [customer.id.as_str()].into_iter().collect();
    let likely_duplicates =
        duplicates::involving(&customers, &new, store.settings().phone_region());
    let erased = Suppressed {
        entries: store.suppression_entries()?.0,
        region: store.settings().phone_region(),
    };
    let suppressed = erased.matches(
        customer.emails.iter().map(String::as_str),
        customer.phones.iter().map(String::as_str),
    );
    let mut tx = store.begin()?;
    tx.put(&customer)?;
    // Ids only: a commit message is the hardest place to erase a name from.
    tx.commit(&format!("customer add: {}", customer.id))?;
    Ok(Added {
        customer,
        taken,
        likely_duplicates,
        suppressed,
    })
}

/// The groups of customers that are probably the same, their pairs scoring at
/// least `threshold` (docs/duplicates.md).
pub fn duplicates(store: &Store, threshold: f64) -> Result<Found> {
    let customers: Vec<Customer> = store.read(Query::all())?;
    Ok(duplicates::find(
        &customers,
        store.settings().phone_region(),
        threshold,
    ))
}

/// Changes fields of a customer (`FIELD=VALUE`, `+=`, `-=`). An invalid
/// customer is what `set` repairs, so it is read as it is.
pub fn set(store: &Store, id: &str, assignments: &[Assignment]) -> Result<Customer> {
    let mut customer: Customer = store.get_for_repair(id)?;
    let emails_before = customer.emails.clone();
    for assignment in assignments {
        if assignment.field == CONSENT {
            return Err(Error::AppendOnly {
                kind: Kind::Customer.name(),
                id: customer.id.to_string(),
                field: CONSENT,
            });
        }
        customer.assign(assignment).map_err(Error::usage)?;
    }
    if customer.emails != emails_before && !customer.emails.is_empty() {
        refuse_shared_emails(&store.read(Query::all())?, &customer)?;
    }
    let fields: Vec<&str> = assignments.iter().map(|a| a.field.as_str()).collect();
    let mut tx = store.begin()?;
    tx.put(&customer)?;
    tx.commit(&format!(
        "customer set: {} {}",
        customer.id,
        fields.join(", ")
    ))?;
    Ok(customer)
}

/// Refuses an e-mail address that another of `holders` already has: the usual
/// way duplicate customers are born.
fn refuse_shared_emails(holders: &[Customer], customer: &Customer) -> Result<()> {
    for email in &customer.emails {
        if let Some(other) = holders
            .iter()
            .find(|c| c.id != customer.id && c.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
        {
            return Err(Error::EmailTaken {
                email: email.clone(),
                holder: other.id.to_string(),
            });
        }
    }
    Ok(())
}
