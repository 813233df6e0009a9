//! `customer merge`: folds duplicate customers into the one kept, with all
//! their records, in one commit.

use serde::Serialize;
use serde_yaml::Value;

use crate::error::{Error, Result};
use crate::model::merge::{self, Conflict, OnConflict, Side};
use crate::model::{Asset, Campaign, Customer, Deal, Interaction, Order, Record, Ticket};
use crate::store::{Query, Store, Transaction};

/// What a merge does (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub keep: String,
    pub others: Vec<String>,
    /// The records moved to `keep`, kind by kind (kinds with none left out).
    pub moved: Vec<Moved>,
    /// The launched campaigns whose frozen membership now names `keep`.
    pub campaigns: Vec<String>,
    /// The profile fields `keep` took from the others (where it had none, or
    /// list items it lacked).
    pub fields: Vec<String>,
    /// The values of the others that differed from `keep`'s, recorded in its
    /// `conflicts` for `relate resolve`.
    pub conflicts: Vec<Conflict>,
    /// `keep` as it is after the merge.
    pub merged: Customer,
}

/// The records of one kind moved to the customer kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub kind: String,
    pub ids: Vec<String>,
}

/// Merges the customers `others` into `keep`: every record of theirs moves
/// to `keep`, their profiles merge into its own field by field, their ids
/// become its `aliases`, and they are removed, in one commit. With
/// `dry_run`, returns the plan and writes nothing. Full ids only.
pub fn merge_customers(
    store: &Store,
    keep: &str,
    others: &[String],
    dry_run: bool,
) -> Result<Plan> {
    let kept: Customer = store.get_exact(keep)?;
    let mut merging: Vec<Customer> = Vec::new();
    for other in others {
        if other == keep {
            return Err(Error::usage(format!("cannot merge `{keep}` into itself"))
                .with_hint("name the customer to keep first, then the duplicates"));
        }
        if merging.iter().any(|c| c.id == *other) {
            return Err(Error::usage(format!("`{other}` is named twice")));
        }
        let customer: Customer = store.get_exact(other)?;
        if !customer.conflicts.is_empty() {
            return Err(
                Error::failed(format!("customer `{other}` has merge conflicts recorded"))
                    .with_hint(format!("settle them first with `relate resolve {other}`")),
            );
        }
        merging.push(customer);
    }
    let now = store.env().now;
    let mut plan = Plan {
        keep: kept.id.to_string(),
        others: merging.iter().map(|c| c.id.to_string()).collect(),
        moved: Vec::new(),
        campaigns: Vec::new(),
        fields: Vec::new(),
        conflicts: Vec::new(),
        merged: kept.clone(),
    };
    for other in &merging {
        let (merged, conflicts) = merge_profiles(&plan.merged, other, now)?;
        plan.merged = merged;
        plan.conflicts.extend(conflicts);
    }
    plan.fields = fields_taken(&kept, &plan.merged)?;
    let interactions = moved::<Interaction>(store, &mut plan)?;
    let deals = moved::<Deal>(store, &mut plan)?;
    let orders = moved::<Order>(store, &mut plan)?;
    let tickets = moved::<Ticket>(store, &mut plan)?;
    let assets = moved::<Asset>(store, &mut plan)?;
    let campaigns = memberships(store, &mut plan)?;
    if dry_run {
        return Ok(plan);
    }
    let mut tx = store.begin()?;
    tx.put(&plan.merged)?;
    put_each(&mut tx, &interactions)?;
    put_each(&mut tx, &deals)?;
    put_each(&mut tx, &orders)?;
    put_each(&mut tx, &tickets)?;
    put_each(&mut tx, &assets)?;
    put_each(&mut tx, &campaigns)?;
    for other in &merging {
        tx.remove(other)?;
    }
    tx.commit(&format!(
        "customer merge: {} <- {}",
        plan.keep,
        plan.others.join(", ")
    ))?;
    Ok(plan)
}

/// `keep` with `other` merged in, and the conflicts that recorded: lists
/// united; a scalar `keep` lacks is taken from `other`; a scalar both have
/// and that differs stays `keep`'s, `other`'s value recorded as a conflict
/// by "merge of OTHER". The earlier `created` date is kept.
fn merge_profiles(
    keep: &Customer,
    other: &Customer,
    now: crate::model::values::Timestamp,
) -> Result<(Customer, Vec<Conflict>)> {
    let mut theirs = other.clone();
    theirs.id = keep.id.clone();
    let created = match (keep.created, other.created) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let mut ours = keep.clone();
    ours.created = created;
    theirs.created = created;
    let (ours, theirs) = (to_value(&ours)?, to_value(&theirs)?);
    let (merged, conflicts) = merge::merge(
        None,
        &Side {
            record: &ours,
            by: None,
            at: Some(now),
        },
        // Ours is the later side, so that it wins every differing scalar.
        &Side {
            record: &theirs,
            by: Some(format!("merge of {}", other.id)),
            at: Some(now),
        },
        OnConflict::Record,
    )
    .map_err(|e| Error::failed(e.to_string()))?;
    let mut merged: Customer = serde_yaml::from_value(merged)
        .map_err(|e| Error::failed(format!("merging `{}`: {e}", other.id)))?;
    // The other's own aliases were united with ours as a list.
    if !merged.aliases.iter().any(|alias| alias == other.id) {
        merged.aliases.push(other.id.to_string());
    }
    Ok((merged, conflicts))
}

fn to_value(customer: &Customer) -> Result<Value> {
    serde_yaml::to_value(customer).map_err(|e| Error::failed(e.to_string()))
}

/// The top-level fields whose value the merge changed in `keep`, besides
/// the bookkeeping of aliases and conflicts.
fn fields_taken(before: &Customer, after: &Customer) -> Result<Vec<String>> {
    let (before, after) = (to_value(before)?, to_value(after)?);
    let Some(after) = after.as_mapping() else {
        return Ok(Vec::new());
    };
    Ok(after
        .iter()
        .filter_map(|(key, value)| {
            let name = key.as_str()?;
            let changed = before.get(name) != Some(value);
            (changed && !matches!(name, "aliases" | "conflicts")).then(|| name.to_string())
        })
        .collect())
}

/// The records of `T` that belong to the others, moved to `keep`.
fn moved<T: Record>(store: &Store, plan: &mut Plan) -> Result<Vec<T>> {
    let mut records = Vec::new();
    for other in &plan.others {
        for mut record in store.read::<T>(Query::of_customer(other).for_update())? {
            record.belong_to(&plan.keep);
            records.push(record);
        }
    }
    if !records.is_empty() {
        plan.moved.push(Moved {
            kind: T::KIND.name().to_string(),
            ids: records.iter().map(|r| r.id().to_string()).collect(),
        });
    }
    Ok(records)
}

/// Launched campaigns whose members name the others, naming `keep` instead, once.
fn memberships(store: &Store, plan: &mut Plan) -> Result<Vec<Campaign>> {
    let mut changed = Vec::new();
    for mut campaign in store.read::<Campaign>(Query::all().for_update())? {
        let kept_for = |m: &str| {
            plan.others
                .iter()
                .any(|o| o == m)
                .then_some(plan.keep.as_str())
        };
        if !campaign.rename_customers(kept_for) {
            continue;
        }
        plan.campaigns.push(campaign.id.clone());
        changed.push(campaign);
    }
    Ok(changed)
}

fn put_each<T: Record>(tx: &mut Transaction, records: &[T]) -> Result<()> {
    for record in records {
        tx.put(record)?;
    }
    Ok(())
}
