//! What list commands share: their filters checked like the arguments of a
//! write (an unknown stage or owner is a typo, not an empty list), the
//! customers a `--where` filter selects, the customers, contacts, deals and
//! tickets the list commands show, and `--sort` and `--limit`.

use chrono::NaiveDate;
use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::model::assign::Assign;
use crate::model::customer::Lifecycle;
use crate::model::id::suggest;
use crate::model::settings::Priority;
use crate::model::ticket::{Status, TicketKind};
use crate::model::values::utc_date;
use crate::model::{
    Asset, Campaign, Customer, Deal, Interaction, Kind, Order, Product, Record, Settings, Ticket,
    customer, interaction,
};
use crate::store::{Months, Query, Store};
use compact_str::CompactString;

/// Refuses a value of a list filter that none of `names` is: it would list
/// nothing, when the user meant one of them.
pub fn check_known(what: &str, value: &str, names: &[&str]) -> Result<()> {
    if names.contains(&value) {
        return Ok(());
    }
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let hint = match suggest(value, &names) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("use one of {}", names.join(", ")),
    };
    Err(Error::usage(format!("unknown {what} `{value}`")).with_hint(hint))
}

/// Refuses a pipeline stage relate.yaml does not have.
pub fn check_stage(settings: &Settings, stage: &str) -> Result<()> {
    let mut stages = settings.stage_names();
    stages.extend([crate::model::settings::WON, crate::model::settings::LOST]);
    check_known("stage", stage, &stages)
}

/// Refuses a channel relate.yaml does not have.
pub fn check_channel(settings: &Settings, channel: &str) -> Result<()> {
    let channels: Vec<&str> = settings.channels.iter().map(String::as_str).collect();
    check_known("channel", channel, &channels)
}

/// Refuses an owner not among relate.yaml's `owners`, once that list is kept.
pub fn check_owner(settings: &Settings, owner: &str) -> Result<()> {
    if settings.owners.is_empty() {
        return Ok(());
    }
    let owners: Vec<&str> = settings.owners.iter().map(|o| o.id.as_str()).collect();
    check_known("owner", owner, &owners)
}

/// The customers among `customers` that `filter` selects, with figures such
/// as `orders.total` as of today, read from the kinds the filter needs only.
pub fn select_customers(
    store: &Store,
    filter: &Filter,
    customers: Vec<Customer>,
) -> Result<Vec<Customer>> {
    let today = store.env().now.date_naive();
    let others: Vec<Kind> = (filter.needs().kinds().into_iter())
        .filter(|kind| *kind != Kind::Customer)
        .collect();
    let mut data = store.dataset_of(&others)?;
    data.customers = customers;
    let data = data.as_of(today);
    let selected: HashSet<CompactString> = (filter.select(&data, today).into_iter())
        .map(|c| c.id.clone())
        .collect();
    Ok((data.customers.into_iter())
        .filter(|c| selected.contains(&c.id))
        .collect())
}

/// Which customers `customer list` shows; every part given must match.
#[derive(Debug, Default)]
pub struct Customers<'a> {
    pub owner: Option<&'a str>,
    pub stage: Option<Lifecycle>,
    pub tag: Option<&'a str>,
    /// A segment of relate.yaml (`--segment`) and a filter (`--where`):
    /// both must hold.
    pub segment: Option<&'a str>,
    pub filter: Option<&'a str>,
}

/// The customers `wanted` names, by id. An owner must be known, and the
/// segment and filter valid.
pub fn customers(store: &Store, wanted: &Customers) -> Result<Vec<Customer>> {
    let settings = store.settings();
    if let Some(owner) = wanted.owner {
        check_owner(settings, owner)?;
    }
    let filter = crate::filter::combined(settings, wanted.segment, wanted.filter)?;
    let mut customers: Vec<Customer> = store.read(Query::all())?;
    customers.retain(|c| {
        wanted
            .owner
            .is_none_or(|owner| c.owner.as_deref() == Some(owner))
            && wanted.stage.is_none_or(|stage| c.stage == Some(stage))
            && wanted.tag.is_none_or(|tag| c.tags.iter().any(|t| t == tag))
    });
    match filter {
        Some(filter) => select_customers(store, &filter, customers),
        None => Ok(customers),
    }
}

/// Which deals `deal list` shows; every part given must match.
#[derive(Debug, Default)]
pub struct Deals<'a> {
    pub customer: Option<&'a str>,
    /// Only the deals neither won nor lost.
    pub open: bool,
    pub stage: Option<&'a str>,
    pub owner: Option<&'a str>,
}

/// The deals `wanted` names, by id. The customer must exist (exit 3 with a
/// did-you-mean), the stage and owner be known; for one customer, only its
/// deals are read.
pub fn deals(store: &Store, wanted: &Deals) -> Result<Vec<Deal>> {
    let settings = store.settings();
    if let Some(stage) = wanted.stage {
        check_stage(settings, stage)?;
    }
    if let Some(owner) = wanted.owner {
        check_owner(settings, owner)?;
    }
    let mut deals: Vec<Deal> = read_of_customer(store, wanted.customer)?;
    deals.retain(|d| {
        (!wanted.open || d.is_open())
            && wanted.stage.is_none_or(|stage| d.stage == stage)
            && wanted
                .owner
                .is_none_or(|owner| d.owner.as_deref() == Some(owner))
    });
    Ok(deals)
}

/// Which tickets `ticket list` shows; every part given must match.
#[derive(Debug, Default)]
pub struct Tickets<'a> {
    pub customer: Option<&'a str>,
    /// Only the tickets not resolved.
    pub open: bool,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub kind: Option<TicketKind>,
    pub owner: Option<&'a str>,
}

/// The tickets `wanted` names, oldest first (then by id). The customer must
/// exist and the owner be known; for one customer, only its tickets are read.
pub fn tickets(store: &Store, wanted: &Tickets) -> Result<Vec<Ticket>> {
    if let Some(owner) = wanted.owner {
        check_owner(store.settings(), owner)?;
    }
    let mut tickets: Vec<Ticket> = read_of_customer(store, wanted.customer)?;
    tickets.retain(|t| {
        (!wanted.open || t.is_open())
            && wanted.status.is_none_or(|status| t.status == status)
            && wanted
                .priority
                .is_none_or(|priority| t.priority == priority)
            && wanted.kind.is_none_or(|kind| t.kind == kind)
            && wanted
                .owner
                .is_none_or(|owner| t.owner.as_deref() == Some(owner))
    });
    tickets.sort_by(|a, b| a.opened.cmp(&b.opened).then_with(|| a.id.cmp(&b.id)));
    Ok(tickets)
}

/// Every record of `T`, or those of one customer, which must exist.
fn read_of_customer<T: Record>(store: &Store, customer: Option<&str>) -> Result<Vec<T>> {
    match customer {
        Some(customer) => {
            store.require(Kind::Customer, customer)?;
            store.read(Query::of_customer(customer))
        }
        None => store.read(Query::all()),
    }
}

/// Which contacts `interaction list` shows; every part given must match.
#[derive(Debug, Default)]
pub struct Contacts<'a> {
    pub customer: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub owner: Option<&'a str>,
    /// From the start of this UTC day...
    pub since: Option<NaiveDate>,
    /// ...to the end of this one.
    pub until: Option<NaiveDate>,
    pub deal: Option<&'a str>,
    pub ticket: Option<&'a str>,
    pub campaign: Option<&'a str>,
    /// Only the contacts with the customers this filter selects.
    pub filter: Option<&'a Filter>,
}

/// The contacts `wanted` names, newest first. Records it names must exist
/// (exit 3 with a did-you-mean) and a channel or owner must be known; only the
/// months in `since`..`until` and, for one customer or channel, only its
/// contacts are read.
pub fn contacts(store: &Store, wanted: &Contacts) -> Result<Vec<Interaction>> {
    for (kind, id) in [
        (Kind::Customer, wanted.customer),
        (Kind::Deal, wanted.deal),
        (Kind::Ticket, wanted.ticket),
        (Kind::Campaign, wanted.campaign),
    ] {
        if let Some(id) = id {
            store.require(kind, id)?;
        }
    }
    let settings = store.settings();
    if let Some(channel) = wanted.channel {
        check_channel(settings, channel)?;
    }
    if let Some(owner) = wanted.owner {
        check_owner(settings, owner)?;
    }
    let mut query = Query::in_months(Months {
        from: wanted.since,
        to: wanted.until,
    });
    query.customer = wanted.customer;
    if let Some(channel) = wanted.channel {
        query = query.on_channel(channel);
    }
    let mut contacts: Vec<Interaction> = store.read(query)?;
    let matches = |wanted: Option<&str>, value: &Option<CompactString>| {
        wanted.is_none_or(|wanted| value.as_deref() == Some(wanted))
    };
    contacts.retain(|i| {
        let day = utc_date(&i.at);
        wanted.since.is_none_or(|since| day >= since)
            && wanted.until.is_none_or(|until| day <= until)
            && matches(wanted.owner, &i.owner)
            && matches(wanted.deal, &i.deal)
            && matches(wanted.ticket, &i.ticket)
            && matches(wanted.campaign, &i.campaign)
    });
    if let Some(filter) = wanted.filter {
        let customers = select_customers(store, filter, store.read(Query::all())?)?;
        let selected: HashSet<&str> = customers.iter().map(|c| c.id.as_str()).collect();
        contacts.retain(|i| selected.contains(i.customer.as_str()));
    }
    contacts.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
    Ok(contacts)
}

/// The fields of each kind a list sorts by: what `set` changes, the id, and
/// what the verbs keep.
fn sortable_fields(kind: Kind) -> Vec<&'static str> {
    fn with<T: Assign>(extra: &[&'static str]) -> Vec<&'static str> {
        std::iter::once("id")
            .chain(T::FIELDS.iter().copied())
            .chain(extra.iter().copied())
            .collect()
    }
    match kind {
        Kind::Customer => customer::FIELDS.to_vec(),
        Kind::Interaction => interaction::FIELDS.to_vec(),
        Kind::Deal => with::<Deal>(&["stage", "outcome", "closed"]),
        Kind::Product => with::<Product>(&[]),
        Kind::Order => with::<Order>(&[]),
        Kind::Ticket => with::<Ticket>(&["status", "first_response", "resolved"]),
        Kind::Asset => with::<Asset>(&[]),
        Kind::Campaign => with::<Campaign>(&["launched"]),
    }
}

/// Sorts `records` by a field of their JSON form, `sort` (`-FIELD`:
/// descending), and keeps the first `limit`. Numbers sort numerically, text
/// (and dates) as text, and a record without the field comes last either
/// way; ties keep the list's own order. An unknown field is a usage error
/// with the nearest known one.
pub fn sort_and_limit<T: Record>(
    records: &mut Vec<T>,
    sort: Option<&str>,
    limit: Option<usize>,
) -> Result<()> {
    if let Some(sort) = sort {
        let (field, descending) = match sort.strip_prefix('-') {
            Some(field) => (field, true),
            None => (sort, false),
        };
        let fields = sortable_fields(T::KIND);
        if !fields.contains(&field) {
            let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            let hint = match suggest(field, &names) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("sort by one of {}", fields.join(", ")),
            };
            return Err(
                Error::usage(format!("cannot sort {}s by `{field}`", T::KIND)).with_hint(hint),
            );
        }
        let mut keyed: Vec<(Option<serde_json::Value>, T)> = (records.drain(..))
            .map(|record| {
                let key = serde_json::to_value(&record)
                    .ok()
                    .and_then(|mut json| json.get_mut(field).map(serde_json::Value::take))
                    .filter(|value| !value.is_null());
                (key, record)
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| match (a, b) {
            (Some(a), Some(b)) if descending => compare_values(b, a),
            (Some(a), Some(b)) => compare_values(a, b),
            (a, b) => b.is_some().cmp(&a.is_some()),
        });
        records.extend(keyed.into_iter().map(|(_, record)| record));
    }
    if let Some(limit) = limit {
        records.truncate(limit);
    }
    Ok(())
}

/// Numbers before text; numbers by value, the rest by their text.
fn compare_values(a: &serde_json::Value, b: &serde_json::Value) -> std::cmp::Ordering {
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match (a.as_f64(), b.as_f64()) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => text(a).cmp(&text(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Product;
    use rust_decimal::Decimal;

    fn product(id: &str, price: i64, category: Option<&str>) -> Product {
        Product {
            id: id.into(),
            external_id: None,
            name: id.into(),
            category: category.map(String::from),
            price: Decimal::from(price),
            cost: None,
            segment: None,
            upgrade_after_years: None,
            successor: None,
            conflicts: Vec::new(),
        }
    }

    fn ids(products: &[Product]) -> Vec<&str> {
        products.iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn sorts_numbers_by_value_missing_last_either_way() {
        let all = || {
            vec![
                product("a", 100, None),
                product("b", 9, Some("x")),
                product("c", 20, Some("w")),
            ]
        };
        let mut products = all();
        sort_and_limit(&mut products, Some("price"), None).unwrap();
        assert_eq!(ids(&products), ["b", "c", "a"], "9 < 20 < 100, not as text");
        sort_and_limit(&mut products, Some("-price"), Some(2)).unwrap();
        assert_eq!(ids(&products), ["a", "c"]);
        let mut products = all();
        sort_and_limit(&mut products, Some("-category"), None).unwrap();
        assert_eq!(ids(&products), ["b", "c", "a"], "no category: last");
        let error = sort_and_limit(&mut all(), Some("prise"), None).unwrap_err();
        assert_eq!(error.hint(), Some("did you mean `price`?"));
    }
}
