//! `relate asset`: equipment installed at customers, its warranty and maintenance.

use chrono::NaiveDate;

use relate::model::{Asset, Kind};
use relate::ops;
use relate::ops::asset::{NewAsset, Visit};
use relate::output::{Cell, Format, Table};
use relate::store::Query;

use super::{remove, set};
use crate::ui::{At, SortArgs, Ui, at_or_now, date_arg, id_arg, timestamp_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    Add(AddArgs),
    Service(ServiceArgs),
    /// Change fields of an asset.
    ///
    /// FIELD=VALUE sets a field; an empty VALUE unsets it. Fields: external_id,
    /// customer, product, serial, installed, warranty_until, service_every_days,
    /// last_service, retired.
    Set(set::SetArgs),
    Retire(RetireArgs),
    /// Remove an asset and its file (`asset retire` keeps it, with its service history).
    Remove(remove::RemoveArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Record equipment installed at a customer and print its id.
///
/// The id is a slug of the customer and product (`acme-corp-laser-printer`),
/// made unique with a number. With --service-every, maintenance falls due that
/// many days after the last service (or the installation).
#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(value_parser = id_arg)]
    customer: String,
    /// The product (SKU) the equipment is
    #[arg(long, value_name = "SKU", value_parser = id_arg)]
    product: String,
    /// Its serial number
    #[arg(long)]
    serial: Option<String>,
    /// When it was installed [default: today]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    installed: Option<NaiveDate>,
    /// The last day of its warranty
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    warranty_until: Option<NaiveDate>,
    /// Maintenance interval in days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    service_every: Option<u32>,
    /// Choose the id instead of deriving it
    #[arg(long, value_parser = id_arg)]
    id: Option<String>,
}

/// Take an asset out of use: it gets a `retired` date and keeps its file, so
/// its service history stays; it is due for no maintenance and no upgrade.
#[derive(clap::Args)]
pub struct RetireArgs {
    #[arg(value_parser = id_arg)]
    asset: String,
    /// When [default: today]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    at: Option<NaiveDate>,
}

/// Record a maintenance visit and print the id of the interaction logged.
///
/// Sets the asset's last service (unless a later one is recorded) and logs the
/// visit as an outbound service interaction, in one commit.
#[derive(clap::Args)]
pub struct ServiceArgs {
    #[arg(value_parser = id_arg)]
    asset: String,
    /// When: YYYY-MM-DD or an RFC 3339 date-time [default: now]
    #[arg(long, value_parser = timestamp_arg)]
    at: Option<At>,
    /// How the visit is logged: one of the `channels` in relate.yaml
    #[arg(long, default_value = "meeting")]
    channel: String,
    /// What was done [default: "Maintenance of ASSET"]
    #[arg(long)]
    summary: Option<String>,
    /// Who did it [default: you, if relate.yaml lists you]
    #[arg(long)]
    owner: Option<String>,
}

/// List assets with their next maintenance date.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only this customer's assets
    #[arg(long, value_parser = id_arg)]
    customer: Option<String>,
    /// Only assets of this product
    #[arg(long, value_name = "SKU", value_parser = id_arg)]
    product: Option<String>,
    #[command(flatten)]
    order: SortArgs,
}

/// Show one asset.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    asset: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Add(args) => add(ui, args),
        Command::Service(args) => service(ui, args),
        Command::Set(args) => set::run::<Asset>(ui, args),
        Command::Retire(args) => {
            let store = ui.store()?;
            let on = args.at.unwrap_or_else(|| store.env().now.date_naive());
            let asset = ops::asset::retire(&store, &args.asset, on)?;
            ui.note(&format!("Retired {} on {on}.", asset.id));
            Ok(())
        }
        Command::Remove(args) => remove::run(ui, Kind::Asset, args),
        Command::List(args) => {
            let store = ui.store()?;
            if let Some(product) = &args.product {
                store.require(Kind::Product, product)?;
            }
            let assets: Vec<Asset> = match &args.customer {
                Some(customer) => {
                    store.require(Kind::Customer, customer)?;
                    store.read(Query::of_customer(customer))?
                }
                None => store.read(Query::all())?,
            };
            let mut assets: Vec<Asset> = assets
                .into_iter()
                .filter(|a| args.product.as_ref().is_none_or(|p| &a.product == p))
                .collect();
            args.order.apply(&mut assets)?;
            ui.records(&assets, assets_table)
        }
        Command::Show(args) => {
            let store = ui.store()?;
            let asset: Asset = store.get(&args.asset)?;
            match ui.format() {
                Format::Json => ui.json(&asset),
                _ => ui.table(&assets_table(std::slice::from_ref(&asset))),
            }
        }
    }
}

fn add(ui: &mut Ui, args: AddArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let asset = ops::asset::add(
        &store,
        NewAsset {
            customer: args.customer,
            product: args.product,
            serial: args.serial,
            installed: args.installed,
            warranty_until: args.warranty_until,
            service_every_days: args.service_every,
            id: args.id,
        },
    )?;
    ui.created(&asset.id)
}

fn service(ui: &mut Ui, args: ServiceArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let visit = Visit {
        at: at_or_now(args.at.as_ref(), &store)?,
        channel: args.channel,
        owner: args.owner,
        summary: args.summary,
    };
    let (asset, contact) = ops::asset::service(&store, &args.asset, visit)?;
    match asset.next_service() {
        Some(next) => ui.note(&format!(
            "{} serviced; next maintenance due {next}.",
            asset.id
        )),
        None => ui.note(&format!("{} serviced.", asset.id)),
    }
    ui.created(&contact.id)
}

/// The columns of asset lists.
pub fn assets_table(assets: &[Asset]) -> Table {
    let mut table = Table::new(&[
        "id",
        "customer",
        "product",
        "serial",
        "installed",
        "warranty_until",
        "service_every_days",
        "last_service",
        "next_service",
    ]);
    for a in assets {
        table.push(vec![
            Cell::text(&a.id),
            Cell::text(&a.customer),
            Cell::text(&a.product),
            a.serial.as_deref().into(),
            a.installed.into(),
            a.warranty_until.into(),
            a.service_every_days.map(i64::from).into(),
            a.last_service.into(),
            a.next_service().into(),
        ]);
    }
    table
}
