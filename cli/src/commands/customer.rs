//! `relate customer`: add, change, list, show and edit customers.

use rust_decimal::Decimal;
use serde::Serialize;

use relate::model::assign::Assignment;
use relate::model::customer::{CustomerKind, Lifecycle};
use relate::model::{Customer, Deal, Interaction, Kind, Order};
use relate::ops;
use relate::ops::customer::{Added, NewCustomer};
use relate::output::{Cell, Format, Table};
use relate::store::Query;

use super::deal::deals_table;
use super::log::interactions_table;
use super::order::orders_table;
use super::remove;
use super::set::SetArgs;
use crate::ui::{SortArgs, Ui, id_arg, keyword};

#[derive(clap::Subcommand)]
pub enum Command {
    Add(AddArgs),
    /// Change fields of a customer.
    ///
    /// FIELD=VALUE sets a field (an empty VALUE unsets it); on list fields (emails,
    /// phones, tags) `=` takes a comma-separated list, `+=` adds one item and `-=`
    /// removes one. Custom facts go under `fields.NAME=VALUE`.
    ///
    /// Fields: name, kind, company, emails, phones, owner, stage, source, created,
    /// tags, gender, birth_year, income, purpose, payment_method, region, notes,
    /// external_id, fields.NAME
    Set(SetArgs),
    /// Remove a customer (see `relate undo`).
    Remove(remove::RemoveArgs),
    List(ListArgs),
    Show(ShowArgs),
    Edit(EditArgs),
    Duplicates(super::duplicates::Args),
    Merge(super::merge::Args),
    Forget(super::forget::Args),
    ExportPerson(super::export_person::Args),
}

/// Add a customer and print its id.
///
/// The id is a slug of the name (`Acme Corp` -> `acme-corp`), made unique with a
/// number if taken. A customer is an organization unless `--kind person` or
/// `--company` says it is a person.
#[derive(clap::Args)]
pub struct AddArgs {
    /// The customer's name
    name: String,
    /// Choose the id instead of deriving it from the name
    #[arg(long, value_parser = id_arg)]
    id: Option<String>,
    #[arg(long, value_parser = keyword::<CustomerKind>(CustomerKind::NAMES))]
    kind: Option<CustomerKind>,
    /// E-mail address (repeatable)
    #[arg(long = "email", value_name = "EMAIL")]
    emails: Vec<String>,
    /// Phone number (repeatable)
    #[arg(long = "phone", value_name = "PHONE")]
    phones: Vec<String>,
    /// The organization a person works for
    #[arg(long)]
    company: Option<String>,
    /// The team member in charge [default: you, if relate.yaml lists you]
    #[arg(long)]
    owner: Option<String>,
    /// Tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Any other field, as for `relate customer set` (repeatable)
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    sets: Vec<Assignment>,
}

/// List customers.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only customers of this owner
    #[arg(long)]
    owner: Option<String>,
    /// Only customers in this lifecycle stage
    #[arg(long, value_parser = keyword::<Lifecycle>(Lifecycle::NAMES))]
    stage: Option<Lifecycle>,
    /// Only customers with this tag
    #[arg(long)]
    tag: Option<String>,
    /// Only the customers of this named segment (`segments` in relate.yaml)
    #[arg(long, value_name = "NAME")]
    segment: Option<String>,
    /// Only the customers this filter selects, e.g.
    /// 'region = "EU" and orders.total >= 1000' (see docs/filters.md)
    #[arg(long = "where", value_name = "FILTER")]
    filter: Option<String>,
    #[command(flatten)]
    order: SortArgs,
}

/// Show the whole picture of one customer: profile, totals, recent
/// interactions, open deals and recent orders.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    id: String,
    /// How many recent interactions and orders to show
    #[arg(long, default_value_t = 10)]
    limit: usize,
}

/// Edit a customer's file in $VISUAL or $EDITOR.
///
/// An invalid result is not kept: the editor reopens with the error, as
/// `crontab -e` does, until the file is valid or you give up.
#[derive(clap::Args)]
pub struct EditArgs {
    #[arg(value_parser = id_arg)]
    id: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Add(args) => add(ui, args),
        Command::Set(args) => set(ui, args),
        Command::Remove(args) => remove::run(ui, Kind::Customer, args),
        Command::List(args) => list(ui, args),
        Command::Show(args) => show(ui, args),
        Command::Edit(args) => edit(ui, args),
        Command::Duplicates(args) => super::duplicates::run(ui, args),
        Command::Merge(args) => super::merge::run(ui, args),
        Command::Forget(args) => super::forget::run(ui, args),
        Command::ExportPerson(args) => super::export_person::run(ui, args),
    }
}

fn add(ui: &mut Ui, args: AddArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let Added {
        customer,
        taken,
        likely_duplicates,
        suppressed,
    } = ops::customer::add(
        &store,
        NewCustomer {
            name: args.name,
            kind: args.kind,
            emails: args.emails,
            phones: args.phones,
            company: args.company,
            owner: args.owner,
            tags: args.tags,
            sets: args.sets,
            id: args.id,
        },
    )?;
    if let Some(base) = taken {
        ui.note(&format!(
            "note: `{base}` is taken (see `relate customer show {base}`); the new customer is `{}`",
            customer.id
        ));
    }
    super::duplicates::note_likely_duplicates(ui, &likely_duplicates);
    if suppressed {
        ui.note(
            "warning: an e-mail address or phone number of this customer is one of a person erased on request \
             (a suppression entry under suppressed/ matches it): keep them only if they asked to come back; \
             once that person's history was rewritten, `relate sync` refuses to share them (docs/privacy.md)",
        );
    }
    ui.created(&customer.id)
}

fn set(ui: &mut Ui, args: SetArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let customer = ops::customer::set(&store, &args.id, &args.assignments)?;
    ui.note(&format!("Updated customer {}.", customer.id));
    Ok(())
}

fn list(ui: &mut Ui, args: ListArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let wanted = ops::list::Customers {
        owner: args.owner.as_deref(),
        stage: args.stage,
        tag: args.tag.as_deref(),
        segment: args.segment.as_deref(),
        filter: args.filter.as_deref(),
    };
    let mut customers = ops::list::customers(&store, &wanted)?;
    args.order.apply(&mut customers)?;
    ui.records(&customers, customers_table)
}

/// The columns of customer lists.
pub fn customers_table(customers: &[Customer]) -> Table {
    let mut table = Table::new(&[
        "id", "name", "kind", "stage", "owner", "region", "emails", "tags",
    ]);
    for c in customers {
        table.push(vec![
            Cell::text(c.id.as_str()),
            Cell::text(&c.name),
            Cell::text(c.kind.as_str()),
            c.stage.map(Lifecycle::as_str).into(),
            c.owner.as_deref().into(),
            c.region.as_deref().into(),
            Cell::List(c.emails.clone()),
            Cell::List(c.tags.clone()),
        ]);
    }
    table
}

/// Everything `show` reports, also its JSON shape.
#[derive(Serialize)]
struct CustomerView {
    customer: Customer,
    totals: Totals,
    interactions: Vec<Interaction>,
    open_deals: Vec<Deal>,
    orders: Vec<Order>,
}

#[derive(Serialize)]
struct Totals {
    orders: usize,
    #[serde(with = "relate::model::values::decimal")]
    revenue: Decimal,
    first_order: Option<String>,
    last_order: Option<String>,
    interactions: usize,
    last_contact: Option<String>,
    open_deals: usize,
    #[serde(with = "relate::model::values::decimal")]
    open_amount: Decimal,
}

fn show(ui: &mut Ui, args: ShowArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let customer: Customer = store.get(&args.id)?;
    let mut interactions: Vec<Interaction> = store.read(Query::of_customer(&customer.id))?;
    let mut orders: Vec<Order> = store.read(Query::of_customer(&customer.id))?;
    let deals: Vec<Deal> = store.read(Query::of_customer(&customer.id))?;
    interactions.sort_by_key(|i| i.at);
    orders.sort_by_key(|o| o.at);
    let open_deals: Vec<Deal> = deals.into_iter().filter(Deal::is_open).collect();
    let stamp = |at: &relate::model::values::Timestamp| relate::model::values::format_timestamp(at);
    let totals = Totals {
        orders: orders.len(),
        revenue: orders.iter().map(Order::value).sum(),
        first_order: orders.first().map(|o| stamp(&o.at)),
        last_order: orders.last().map(|o| stamp(&o.at)),
        interactions: interactions.len(),
        last_contact: interactions.last().map(|i| stamp(&i.at)),
        open_deals: open_deals.len(),
        open_amount: open_deals.iter().map(Deal::value).sum(),
    };
    let recent = |len: usize| len.saturating_sub(args.limit);
    interactions.drain(..recent(interactions.len()));
    orders.drain(..recent(orders.len()));
    interactions.reverse();
    orders.reverse();
    let view = CustomerView {
        customer,
        totals,
        interactions,
        open_deals,
        orders,
    };
    match ui.format() {
        Format::Json => ui.json(&view),
        Format::Csv | Format::Html => {
            ui.table(&customers_table(std::slice::from_ref(&view.customer)))
        }
        Format::Table | Format::Markdown => print_view(ui, &view),
    }
}

fn print_view(ui: &mut Ui, view: &CustomerView) -> anyhow::Result<()> {
    let profile = serde_json::to_value(&view.customer)?;
    let mut table = Table::new(&["field", "value"]);
    if let serde_json::Value::Object(fields) = profile {
        for (field, value) in fields {
            table.push(vec![Cell::text(field), Cell::text(plain(&value))]);
        }
    }
    let totals = serde_json::to_value(&view.totals)?;
    if let serde_json::Value::Object(fields) = totals {
        for (field, value) in fields {
            table.push(vec![Cell::text(field), Cell::text(plain(&value))]);
        }
    }
    ui.table(&table)?;
    let sections = [
        (
            "Recent interactions",
            interactions_table(&view.interactions),
        ),
        ("Open deals", deals_table(&view.open_deals)),
        ("Recent orders", orders_table(&view.orders)),
    ];
    for (title, table) in sections {
        if !table.rows.is_empty() {
            ui.line("")?;
            ui.line(&format!("{title}:"))?;
            ui.table(&table)?;
        }
    }
    Ok(())
}

/// A JSON value as plain text: strings unquoted, lists comma-separated.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", plain(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn edit(ui: &mut Ui, args: EditArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    super::edit::edit::<Customer>(ui, &store, &args.id)
}
