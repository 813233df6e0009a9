//! `relate product`: the catalogue.

use rust_decimal::Decimal;

use relate::model::{Kind, Product};
use relate::ops;
use relate::output::{Cell, Format, Table};
use relate::store::Query;

use super::{remove, set};
use crate::ui::{SortArgs, Ui, amount_arg, id_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    Add(AddArgs),
    /// Change fields of a product.
    ///
    /// FIELD=VALUE sets a field; an empty VALUE unsets it. Fields: external_id,
    /// name, category, price, cost, segment, upgrade_after_years, successor.
    Set(set::SetArgs),
    /// Remove a product (see `relate undo`).
    Remove(remove::RemoveArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Add a product and print its id (the SKU).
#[derive(clap::Args)]
pub struct AddArgs {
    /// The SKU, used as the product's id
    #[arg(value_parser = id_arg)]
    sku: String,
    #[arg(long)]
    name: String,
    /// Unit price
    #[arg(long, value_parser = amount_arg, allow_negative_numbers = true)]
    price: Decimal,
    /// Unit cost, for margins
    #[arg(long, value_parser = amount_arg, allow_negative_numbers = true)]
    cost: Option<Decimal>,
    #[arg(long)]
    category: Option<String>,
    /// Price segment [default: the band of `price_segments` the price falls in]
    #[arg(long)]
    segment: Option<String>,
    /// Installed equipment of this product older than this many years is a
    /// candidate for an upgrade (`report assets`, `recommend`)
    #[arg(long, value_name = "YEARS", value_parser = clap::value_parser!(u32).range(1..))]
    upgrade_after_years: Option<u32>,
    /// The product (SKU) that replaces this one, offered as its upgrade
    #[arg(long, value_name = "SKU", value_parser = id_arg)]
    successor: Option<String>,
}

/// List products, with the price segment each falls in.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only products of this category
    #[arg(long)]
    category: Option<String>,
    #[command(flatten)]
    order: SortArgs,
}

/// Show one product.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    sku: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Add(args) => add(ui, args),
        Command::Set(args) => set::run::<Product>(ui, args),
        Command::Remove(args) => remove::run(ui, Kind::Product, args),
        Command::List(args) => {
            let store = ui.store()?;
            let mut products: Vec<Product> = store
                .read::<Product>(Query::all())?
                .into_iter()
                .filter(|p| args.category.is_none() || p.category == args.category)
                .collect();
            args.order.apply(&mut products)?;
            let settings = store.settings().clone();
            ui.records(&products, |products| products_table(products, &settings))
        }
        Command::Show(args) => {
            let store = ui.store()?;
            let product: Product = store.get(&args.sku)?;
            match ui.format() {
                Format::Json => ui.json(&product),
                _ => ui.table(&products_table(&[product], store.settings())),
            }
        }
    }
}

fn add(ui: &mut Ui, args: AddArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let product = ops::product::add(
        &store,
        Product {
            id: args.sku,
            external_id: None,
            name: args.name,
            category: args.category,
            price: args.price,
            cost: args.cost,
            segment: args.segment,
            upgrade_after_years: args.upgrade_after_years,
            successor: args.successor,
            conflicts: Vec::new(),
        },
    )?;
    ui.created(&product.id)
}

fn products_table(products: &[Product], settings: &relate::model::Settings) -> Table {
    let mut table = Table::new(&["id", "name", "category", "price", "cost", "segment"]);
    for p in products {
        table.push(vec![
            Cell::text(&p.id),
            Cell::text(&p.name),
            p.category.as_deref().into(),
            Cell::Money(p.price),
            p.cost.map_or(Cell::Empty, Cell::Money),
            p.price_segment(settings).into(),
        ]);
    }
    table
}
