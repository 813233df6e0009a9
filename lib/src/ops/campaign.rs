//! Marketing campaigns: planned, then launched with their members frozen.

use chrono::NaiveDate;

use super::new_slug_id;
use crate::error::{Error, Result};
use crate::filter::{Filter, combined};
use crate::model::campaign::Exclusion;
use crate::model::consent;
use crate::model::interaction::Purpose;
use crate::model::{Campaign, Kind};
use crate::store::Store;

/// What `new` needs to know.
pub struct NewCampaign {
    pub name: String,
    pub channel: String,
    /// A named segment of relate.yaml; with `filter`, both must hold.
    pub segment: Option<String>,
    pub filter: Option<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// The acting owner when not given.
    pub owner: Option<String>,
    /// A slug of the name when not given.
    pub id: Option<String>,
}

/// Plans a campaign; its segment and filter are checked now, not at launch.
pub fn new(store: &Store, new: NewCampaign) -> Result<Campaign> {
    let id = new_slug_id(store, Kind::Campaign, new.id, &new.name)?;
    let campaign = Campaign {
        id,
        external_id: None,
        name: new.name,
        channel: new.channel,
        segment: new.segment,
        filter: new.filter,
        start: new.start,
        end: new.end,
        owner: new.owner.or_else(|| store.acting_owner()),
        launched: None,
        members: Vec::new(),
        excluded: Vec::new(),
        conflicts: Vec::new(),
    };
    // An unknown segment or a bad filter is reported with its own hint.
    members_filter(store, &campaign)?;
    let mut tx = store.begin()?;
    tx.put(&campaign)?;
    tx.commit(&format!(
        "campaign new: {} ({})",
        campaign.id, campaign.name
    ))?;
    Ok(campaign)
}

/// Launches a campaign now: its members are the customers its filter selects
/// today whose consent allows marketing on its channel, in id order, and stay
/// so; the others are listed as excluded, with the reason.
pub fn launch(store: &Store, campaign: &str) -> Result<Campaign> {
    let mut campaign: Campaign = store.get(campaign)?;
    if let Some(launched) = campaign.launched {
        return Err(Error::Launched {
            campaign: campaign.id,
            on: launched.date_naive(),
        });
    }
    let filter = members_filter(store, &campaign)?;
    let now = store.env().now;
    let today = now.date_naive();
    let data = store.dataset_of(&filter.needs().kinds())?.as_of(today);
    let (mut members, mut excluded) = (Vec::new(), Vec::new());
    for customer in filter.select(&data, today) {
        let standing = consent::standing(
            &customer.consent,
            store.settings(),
            &campaign.channel,
            Purpose::Marketing,
            &now,
        );
        match standing.forbids(&campaign.channel) {
            None => members.push(customer.id.to_string()),
            Some(reason) => excluded.push(Exclusion {
                customer: customer.id.to_string(),
                reason,
            }),
        }
    }
    members.sort();
    excluded.sort_by(|a, b| a.customer.cmp(&b.customer));
    campaign.members = members;
    campaign.excluded = excluded;
    campaign.launched = Some(now);
    let mut tx = store.begin()?;
    tx.put(&campaign)?;
    let left_out = match campaign.excluded.len() {
        0 => String::new(),
        n => format!(", {n} excluded"),
    };
    tx.commit(&format!(
        "campaign launch: {} ({} members{left_out})",
        campaign.id,
        campaign.members.len()
    ))?;
    Ok(campaign)
}

/// The filter that selects a campaign's members.
fn members_filter(store: &Store, campaign: &Campaign) -> Result<Filter> {
    combined(
        store.settings(),
        campaign.segment.as_deref(),
        campaign.filter.as_deref(),
    )?
    .ok_or_else(|| {
        Error::failed(format!(
            "campaign `{}` has no segment or filter",
            campaign.id
        ))
        .with_hint(format!(
            "add `segment:` or `where:` to campaigns/{}.yaml",
            campaign.id
        ))
    })
}
