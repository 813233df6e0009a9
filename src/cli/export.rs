//! `relate export`: records for other tools.

use serde::Serialize;

use relate::Error;
use relate::exchange::{ExportKind, export, vcard};
use relate::model::{Customer, Record};
use relate::output::{ExportFormat, Format, Table};
use relate::store::Store;

use super::ui::{FormatArg, Ui, keyword};

/// Export records for other tools, with their ids, so that a file edited
/// elsewhere re-imports (`relate import`) as updates.
///
/// CSV by default (the columns are relate's field names; orders have one row
/// per line), `--format json` for an array of whole records, `--format jsonl`
/// for one record per line. `vcard` writes the customers as vCard 3.0 cards
/// for address books.
#[derive(clap::Args)]
pub struct Args {
    /// customers, interactions, deals, orders, products or vcard
    #[arg(value_parser = keyword::<ExportKind>(ExportKind::NAMES))]
    what: ExportKind,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let format = match ui.format_arg() {
        FormatArg::JsonLines => ExportFormat::Jsonl,
        FormatArg::Rows(Format::Json) => ExportFormat::Json,
        FormatArg::Rows(Format::Table | Format::Csv) => ExportFormat::Csv,
        FormatArg::Rows(Format::Markdown) => {
            return Err(Error::usage("`relate export` writes csv, json or jsonl")
                .with_hint("use --format csv, json or jsonl")
                .into());
        }
    };
    match args.what {
        ExportKind::Customers => emit(ui, &store, format, export::customers_table),
        ExportKind::Interactions => emit(ui, &store, format, export::interactions_table),
        ExportKind::Deals => emit(ui, &store, format, export::deals_table),
        ExportKind::Orders => emit(ui, &store, format, export::orders_table),
        ExportKind::Products => emit(ui, &store, format, export::products_table),
        ExportKind::Vcard => {
            let customers: Vec<Customer> = store.load()?;
            ui.text(&vcard::write_cards(&customers))
        }
    }
}

fn emit<T: Record + Serialize>(
    ui: &mut Ui,
    store: &Store,
    format: ExportFormat,
    table: fn(&[T]) -> Table,
) -> anyhow::Result<()> {
    let records: Vec<T> = store.load()?;
    ui.export(&records, format, table)
}
