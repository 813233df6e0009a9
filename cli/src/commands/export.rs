//! `relate export`: records for other tools.

use serde::Serialize;
use std::collections::HashSet;

use relate::Error;
use relate::exchange::{ExportKind, export, vcard};
use relate::filter::combined;
use relate::model::{Customer, Record};
use relate::output::{ExportFormat, Format, Table};
use relate::store::{Query, Store};

use crate::ui::{FormatArg, Ui, keyword};

/// Export records for other tools, with their ids, so that a file edited
/// elsewhere re-imports (`relate import`) as updates.
///
/// CSV by default (the columns are relate's field names; orders have one row
/// per line), `--format json` for an array of whole records, `--format jsonl`
/// for one record per line. `vcard` writes the customers as vCard 3.0 cards
/// for address books. --where and --segment keep the customers a filter
/// selects (figures as of today), and the interactions, deals and orders of those.
#[derive(clap::Args)]
pub struct Args {
    /// customers, interactions, deals, orders, products or vcard
    #[arg(value_parser = keyword::<ExportKind>(ExportKind::NAMES))]
    what: ExportKind,
    /// Only the customers this filter selects, e.g. 'region = "EU"' (see docs/filters.md)
    #[arg(long = "where", value_name = "FILTER")]
    filter: Option<String>,
    /// Only the customers of this named segment (`segments` in relate.yaml)
    #[arg(long, value_name = "NAME")]
    segment: Option<String>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let format = match ui.format_arg() {
        FormatArg::JsonLines => ExportFormat::Jsonl,
        FormatArg::Rows(Format::Json) => ExportFormat::Json,
        FormatArg::Rows(Format::Table | Format::Csv) => ExportFormat::Csv,
        FormatArg::Rows(Format::Markdown | Format::Html) => {
            return Err(Error::usage("`relate export` writes csv, json or jsonl")
                .with_hint("use --format csv, json or jsonl")
                .into());
        }
    };
    let selected = selected_customers(&store, &args)?;
    let selected = selected.as_ref();
    match args.what {
        ExportKind::Customers => emit(ui, &store, format, selected, export::customers_table),
        ExportKind::Interactions => emit(ui, &store, format, selected, export::interactions_table),
        ExportKind::Deals => emit(ui, &store, format, selected, export::deals_table),
        ExportKind::Orders => emit(ui, &store, format, selected, export::orders_table),
        ExportKind::Products => emit(ui, &store, format, selected, export::products_table),
        ExportKind::Vcard => {
            let customers: Vec<Customer> = load(&store, selected)?;
            ui.text(&vcard::write_cards(&customers))
        }
    }
}

/// The ids of the customers --where and --segment select, if either is given.
fn selected_customers(store: &Store, args: &Args) -> anyhow::Result<Option<HashSet<String>>> {
    let filter = combined(
        store.settings(),
        args.segment.as_deref(),
        args.filter.as_deref(),
    )?;
    let Some(filter) = filter else {
        return Ok(None);
    };
    if args.what == ExportKind::Products {
        return Err(
            Error::usage("--where and --segment select customers; products have none")
                .with_hint("export products without a filter")
                .into(),
        );
    }
    let data = store.dataset_of(&filter.needs().kinds())?;
    let today = store.env().now.date_naive();
    Ok(Some(
        filter
            .select(&data, today)
            .into_iter()
            .map(|c| c.id.to_string())
            .collect(),
    ))
}

/// The records of a kind; with a selection, those of the selected customers.
fn load<T: Record>(store: &Store, selected: Option<&HashSet<String>>) -> anyhow::Result<Vec<T>> {
    let mut records: Vec<T> = store.read(Query::all())?;
    if let Some(selected) = selected {
        records.retain(|r| selected.contains(r.customer().unwrap_or(r.id())));
    }
    Ok(records)
}

fn emit<T: Record + Serialize>(
    ui: &mut Ui,
    store: &Store,
    format: ExportFormat,
    selected: Option<&HashSet<String>>,
    table: fn(&[T]) -> Table,
) -> anyhow::Result<()> {
    let records: Vec<T> = load(store, selected)?;
    ui.export(&records, format, table)
}
