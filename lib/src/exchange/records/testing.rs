//! What the importers' tests share: a workspace on the default settings of
//! `relate init`, and a CSV file imported into it, rows in, problems out.

use std::path::Path;
use std::sync::LazyLock;

use super::{field_spec, import_sheet};
use crate::exchange::csv_rows::{CsvOptions, read_sheet};
use crate::exchange::{ImportKind, Options, Workspace};
use crate::model::settings::DEFAULT_SETTINGS_YAML;
use crate::model::values::parse_timestamp;
use crate::model::{Customer, Dataset, Record, Settings};

static SETTINGS: LazyLock<Settings> =
    LazyLock::new(|| serde_yaml::from_str(DEFAULT_SETTINGS_YAML).unwrap());

/// A workspace holding `customers` (and nothing else), on 2026-11-20 at noon UTC.
pub fn workspace(customers: Vec<Customer>) -> Workspace<'static> {
    let mut data = Dataset::empty(SETTINGS.clone());
    data.customers = customers;
    Workspace::new(
        data,
        &SETTINGS,
        parse_timestamp("2026-11-20T12:00:00Z").unwrap(),
        fastrand::Rng::with_seed(7),
        Options::default(),
    )
}

/// Imports `csv` as a file of `kind`; returns the problems as `LINE: MESSAGE`,
/// then the rows left out with an order as `LINE: left out with ...`.
pub fn import(ws: &mut Workspace, kind: ImportKind, csv: &str) -> Vec<String> {
    let source = Path::new("in.csv");
    let options = CsvOptions {
        delimiter: b',',
        preset: None,
        maps: &[],
    };
    let sheet = read_sheet(source, csv.as_bytes(), field_spec(kind), &options).unwrap();
    let left_out = import_sheet(ws, kind, &sheet, source);
    left_out
        .problems
        .iter()
        .chain(&left_out.with_bad_rows)
        .map(|p| format!("{}: {}", p.line.unwrap_or(0), p.message))
        .collect()
}

/// Imports `csv` as a file of `kind`, which has no problem.
pub fn import_clean(ws: &mut Workspace, kind: ImportKind, csv: &str) {
    assert_eq!(import(ws, kind, csv), Vec::<String>::new(), "{csv}");
}

/// The one record of `records`.
pub fn only<T: std::fmt::Debug>(records: &[T]) -> &T {
    match records {
        [one] => one,
        _ => panic!("not one record: {records:?}"),
    }
}

/// The ids of `records`.
pub fn ids<T: Record>(records: &[T]) -> Vec<&str> {
    records.iter().map(Record::id).collect()
}
