//! Customers' equipment: installation and maintenance visits.

use chrono::NaiveDate;

use super::interaction::channel_phrase;
use super::new_slug_id;
use crate::error::{Error, Result};
use crate::model::interaction::{Direction, Purpose};
use crate::model::values::{Timestamp, utc_date};
use crate::model::{Asset, Interaction, Kind, Product};
use crate::store::Store;

/// What `add` needs to know.
pub struct NewAsset {
    pub customer: String,
    pub product: String,
    pub serial: Option<String>,
    /// Today when not given.
    pub installed: Option<NaiveDate>,
    pub warranty_until: Option<NaiveDate>,
    pub service_every_days: Option<u32>,
    /// A slug of the customer and product when not given.
    pub id: Option<String>,
}

/// Records a customer's asset.
pub fn add(store: &Store, mut new: NewAsset) -> Result<Asset> {
    // A short id or a merged customer's id names the customer; the file gets the full id.
    new.customer = store.resolve(Kind::Customer, &new.customer)?;
    let product: Product = store.get(&new.product)?;
    let id = new_slug_id(
        store,
        Kind::Asset,
        new.id,
        &format!("{} {}", new.customer, product.id),
    )?;
    let asset = Asset {
        id,
        external_id: None,
        customer: new.customer,
        product: product.id,
        serial: new.serial,
        installed: Some(
            new.installed
                .unwrap_or_else(|| store.env().now.date_naive()),
        ),
        warranty_until: new.warranty_until,
        service_every_days: new.service_every_days,
        last_service: None,
        retired: None,
        conflicts: Vec::new(),
    };
    let mut tx = store.begin()?;
    tx.put(&asset)?;
    tx.commit(&format!("asset add: {} for {}", asset.id, asset.customer))?;
    Ok(asset)
}

/// Takes an asset out of use on `on`: its file stays, with its service
/// history, but it is due for no maintenance and no upgrade.
pub fn retire(store: &Store, asset: &str, on: NaiveDate) -> Result<Asset> {
    let mut asset: Asset = store.get(asset)?;
    if let Some(retired) = asset.retired {
        return Err(
            Error::failed(format!("asset `{}` was retired on {retired}", asset.id)).with_hint(
                format!(
                    "to change the date, `relate asset set {} retired=DATE`",
                    asset.id
                ),
            ),
        );
    }
    asset.retired = Some(on);
    let mut tx = store.begin()?;
    tx.put(&asset)?;
    tx.commit(&format!("asset retire: {} ({on})", asset.id))?;
    Ok(asset)
}

/// A maintenance visit.
pub struct Visit {
    pub at: Timestamp,
    pub channel: String,
    /// The acting owner when not given.
    pub owner: Option<String>,
    /// `Maintenance of ASSET` when not given.
    pub summary: Option<String>,
}

/// Records a maintenance visit: the asset's last service and the contact, in
/// one commit. Returns both.
pub fn service(store: &Store, asset: &str, visit: Visit) -> Result<(Asset, Interaction)> {
    let mut asset: Asset = store.get(asset)?;
    asset.serviced(utc_date(&visit.at));
    let mut contact = Interaction::new(asset.customer.as_str(), visit.at, visit.channel);
    contact.id = store.new_time_id(Kind::Interaction, &visit.at).into();
    contact.direction = Some(Direction::Outbound);
    contact.purpose = Some(Purpose::Service);
    contact.owner = (visit.owner.or_else(|| store.acting_owner())).map(Into::into);
    contact.summary = Some(
        visit
            .summary
            .unwrap_or_else(|| format!("Maintenance of {}", asset.id)),
    );
    let mut tx = store.begin()?;
    tx.put(&asset)?;
    tx.put(&contact)?;
    tx.commit(&format!(
        "asset service: {} ({})",
        asset.id,
        channel_phrase(&contact.channel)
    ))?;
    Ok((asset, contact))
}
