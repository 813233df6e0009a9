//! `relate customer forget`: erasing a person from the store's files. What
//! is only about them goes (their file with its consent events, their
//! interactions, deals, tickets and assets); what the business must keep
//! stays under a pseudonym (their orders, for the books); nothing else names
//! them afterwards (campaign member lists, a contact's `company:`). A
//! suppression entry keeps imports from bringing them back. The history of
//! the repository is another matter: [`forget_everywhere`] erases them from
//! every commit too ([`crate::store::rewrite`]).

use std::collections::{BTreeMap, HashSet};

use super::remove::{ReferenceIndex, Referrer, dependents_of};
use crate::error::{Error, Result};
use crate::model::assign::{Assign, Assignment, Op};
use crate::model::erasure::{FORGET_SUBJECT, Suppression, pseudonym};
use crate::model::{Customer, Dataset, Kind, Record, id};
use crate::store::rewrite::{self, Rewritten};
use crate::store::{Store, Transaction, record_path};

/// What `forget` did (or, on a dry run, would do).
#[derive(Debug)]
pub struct Forgotten {
    /// What the person's orders name instead of them from now on.
    pub pseudonym: String,
    /// The person's records removed with them.
    pub removed: Vec<Referrer>,
    /// The person's orders, kept under the pseudonym.
    pub pseudonymised: Vec<Referrer>,
    /// Records of others that only lose a reference to the person or their
    /// records: campaign member lists, contacts' `company:`, a `deal:` field.
    pub detached: Vec<Referrer>,
    /// How many e-mail addresses and phone numbers the suppression entry holds.
    pub suppressed: usize,
}

/// Erases the customer `id` (the full id) in one commit, or, with `dry_run`,
/// says what that would do and writes nothing.
pub fn forget(store: &Store, id: &str, dry_run: bool) -> Result<Forgotten> {
    if let Some(reason) = id::invalid_reason(id) {
        return Err(Error::usage(reason));
    }
    let customer: Customer = store.get_exact(id)?;
    let data = store.dataset()?;
    let mut rng = store.rng();
    let mut plan = plan(&data, &customer, pseudonym(&mut rng));
    let entry = Suppression::of(
        &customer,
        Suppression::new_salt(&mut rng),
        store.settings().phone_region(),
    );
    plan.suppressed = entry.hashes.len();
    if dry_run {
        return Ok(plan);
    }
    let mut tx = store.begin()?;
    tx.remove(&customer)?;
    for removed in &plan.removed {
        tx.remove_file(&removed.path)?;
    }
    let person: HashSet<&str> = person_ids(&customer).collect();
    let removed: HashSet<(Kind, &str)> = (plan.removed.iter())
        .map(|r| (r.kind, r.id.as_str()))
        .chain(person.iter().map(|id| (Kind::Customer, *id)))
        .collect();
    let changed: HashSet<(Kind, &str)> = (plan.pseudonymised.iter().chain(&plan.detached))
        .map(|r| (r.kind, r.id.as_str()))
        .collect();
    let rewrite = Rewrite {
        removed: &removed,
        changed: &changed,
        person: &person,
        pseudonym: &plan.pseudonym,
    };
    rewrite.all(&mut tx, &data.orders)?;
    rewrite.all(&mut tx, &data.interactions)?;
    rewrite.all(&mut tx, &data.tickets)?;
    for campaign in (data.campaigns.iter()).filter(|c| changed.contains(&(Kind::Campaign, &c.id))) {
        let mut campaign = campaign.clone();
        for id in &person {
            campaign.drop_customer(id);
        }
        tx.put(&campaign)?;
    }
    for contact in (data.customers.iter()).filter(|c| changed.contains(&(Kind::Customer, &c.id))) {
        let mut contact = contact.clone();
        contact.company = None;
        tx.put(&contact)?;
    }
    tx.put_suppression(&plan.pseudonym, &entry)?;
    tx.commit(&commit_message(&plan))?;
    Ok(plan)
}

/// What `forget --rewrite-history` did.
#[derive(Debug)]
pub struct ForgottenEverywhere {
    /// The erasure from the files, unless the person was forgotten before.
    pub forgotten: Option<Forgotten>,
    pub rewritten: Rewritten,
}

/// Erases the customer `id` from the files (unless a `forget` did earlier)
/// and from every commit of the repository's history, force-pushing to the
/// remotes when `push` (the user said `--yes`). Every refusal comes before
/// anything is written.
pub fn forget_everywhere(store: &Store, id: &str, push: bool) -> Result<ForgottenEverywhere> {
    if let Some(reason) = id::invalid_reason(id) {
        return Err(Error::usage(reason));
    }
    let preflight = rewrite::preflight(store, id, push)?;
    let forgotten = match store.find(Kind::Customer, id) {
        Some(_) => Some(forget(store, id, false)?),
        None => None,
    };
    let pseudonym = forgotten.as_ref().map(|f| f.pseudonym.as_str());
    let rewritten = rewrite::rewrite_history(store, &preflight, pseudonym)?;
    Ok(ForgottenEverywhere {
        forgotten,
        rewritten,
    })
}

/// The id and the aliases of a customer: what records name them by.
fn person_ids(customer: &Customer) -> impl Iterator<Item = &str> {
    std::iter::once(customer.id.as_str()).chain(customer.aliases.iter().map(String::as_str))
}

/// What erasing `customer` from `data` removes, keeps under `pseudonym`
/// and rewrites.
fn plan(data: &Dataset, customer: &Customer, pseudonym: String) -> Forgotten {
    let ids: Vec<&str> = person_ids(customer).collect();
    let (dependents, members) = dependents_of(&ReferenceIndex::of(data), Kind::Customer, &ids);
    let mut plan = Forgotten {
        pseudonym,
        removed: Vec::new(),
        pseudonymised: Vec::new(),
        detached: members,
        suppressed: 0,
    };
    for dependent in dependents {
        let theirs = owner_of(data, &dependent).is_some_and(|owner| ids.contains(&owner));
        match (theirs, dependent.kind) {
            (true, Kind::Order) => plan.pseudonymised.push(dependent),
            (true, _) => plan.removed.push(dependent),
            // Another customer's record naming one of theirs (a deal, an asset).
            (false, _) => plan.detached.push(dependent),
        }
    }
    // A person's `company:` is free text or an organization's id: naming
    // the erased organization, it would keep its id (and so its name).
    let named = |company: &str| {
        ids.contains(&company) || company.trim().eq_ignore_ascii_case(customer.name.trim())
    };
    for contact in &data.customers {
        if contact.id != customer.id && contact.company.as_deref().is_some_and(named) {
            plan.detached.push(Referrer {
                kind: Kind::Customer,
                id: contact.id.to_string(),
                field: "company",
                path: record_path(contact),
            });
        }
    }
    plan
}

/// The customer a referring record belongs to.
fn owner_of<'d>(data: &'d Dataset, referrer: &Referrer) -> Option<&'d str> {
    fn find<'d, T: Record>(records: &'d [T], id: &str) -> Option<&'d str> {
        records.iter().find(|r| r.id() == id)?.customer()
    }
    match referrer.kind {
        Kind::Interaction => find(&data.interactions, &referrer.id),
        Kind::Deal => find(&data.deals, &referrer.id),
        Kind::Order => find(&data.orders, &referrer.id),
        Kind::Ticket => find(&data.tickets, &referrer.id),
        Kind::Asset => find(&data.assets, &referrer.id),
        Kind::Customer | Kind::Product | Kind::Campaign => None,
    }
}

/// How the records that stay are rewritten: the person's orders name the
/// pseudonym, and every reference to a removed record goes.
struct Rewrite<'a> {
    removed: &'a HashSet<(Kind, &'a str)>,
    changed: &'a HashSet<(Kind, &'a str)>,
    person: &'a HashSet<&'a str>,
    pseudonym: &'a str,
}

impl Rewrite<'_> {
    /// Rewrites each of `records` that the plan changes.
    fn all<T: Assign>(&self, tx: &mut Transaction, records: &[T]) -> Result<()> {
        for record in (records.iter()).filter(|r| self.changed.contains(&(T::KIND, r.id()))) {
            tx.put(&self.one(record)?)?;
        }
        Ok(())
    }

    fn one<T: Assign>(&self, record: &T) -> Result<T> {
        let mut record = record.clone();
        if record.customer().is_some_and(|c| self.person.contains(c)) {
            record.belong_to(self.pseudonym);
        }
        let gone: Vec<&'static str> = (record.references().into_iter())
            .filter(|r| self.removed.contains(&(r.kind, r.id)))
            .map(|r| r.field)
            .collect();
        for field in gone {
            let unset = Assignment {
                field: field.to_string(),
                op: Op::Set,
                value: String::new(),
            };
            record.assign(&unset).map_err(Error::failed)?;
        }
        Ok(record)
    }
}

/// `customer forget: PSEUDONYM`, and counts of what changed: no id, path
/// or name of the person, which the history of the repository would keep.
fn commit_message(plan: &Forgotten) -> String {
    let counts = |referrers: &[Referrer]| {
        let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
        for referrer in referrers {
            *by_kind.entry(referrer.kind).or_default() += 1;
        }
        let parts: Vec<String> = (by_kind.into_iter())
            .map(|(kind, n)| format!("{n} {}{}", kind.name(), if n == 1 { "" } else { "s" }))
            .collect();
        parts.join(", ")
    };
    let mut message = format!("{FORGET_SUBJECT}{}\n\n", plan.pseudonym);
    let mut removed = String::from("1 customer");
    if !plan.removed.is_empty() {
        removed = format!("{removed}, {}", counts(&plan.removed));
    }
    message.push_str(&format!("Removed: {removed}\n"));
    if !plan.pseudonymised.is_empty() {
        let orders = counts(&plan.pseudonymised);
        message.push_str(&format!("Kept under the pseudonym: {orders}\n"));
    }
    if !plan.detached.is_empty() {
        let detached = counts(&plan.detached);
        message.push_str(&format!("Rewritten without a reference: {detached}\n"));
    }
    message.push_str(&format!(
        "Suppressed: {} e-mail addresses and phone numbers\n",
        plan.suppressed
    ));
    message
}
