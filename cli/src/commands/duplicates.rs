//! `relate customer duplicates`: customers that are probably the same.

use relate::model::duplicates::{DEFAULT_THRESHOLD, Group, Pair};
use relate::ops;
use relate::output::{Cell, Table};

use crate::ui::Ui;

/// List customers that are probably the same, in groups, each pair with its
/// reasons and a score from 0 to 1.
///
/// Reasons: the same e-mail address (case ignored; dots and +tag ignored at
/// gmail.com), the same phone in E.164 (read in `phone_region` of relate.yaml
/// when it has no country code), or names equal or near (case, accents and
/// word order ignored) when the two also share a company or an e-mail domain
/// that is not a public mail provider. Merge a group with `relate customer
/// merge KEEP OTHER...`. See docs/duplicates.md.
#[derive(clap::Args)]
pub struct Args {
    /// The lowest score listed, from 0 to 1
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = threshold_arg)]
    threshold: f64,
}

fn threshold_arg(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a score from 0 to 1")),
    }
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let found = ops::customer::duplicates(&store, args.threshold)?;
    ui.records(&found.groups, groups_table)?;
    if found.groups.is_empty() {
        ui.note(&format!(
            "No likely duplicates (none scores {} or more).",
            args.threshold
        ));
    }
    Ok(())
}

/// One row per pair, numbered by group.
fn groups_table(groups: &[Group]) -> Table {
    let mut table = Table::new(&["group", "score", "customer", "other", "reasons"]);
    for (number, group) in groups.iter().enumerate() {
        for pair in &group.pairs {
            table.push(vec![
                Cell::Int(number as i64 + 1),
                Cell::Float(pair.score),
                Cell::text(&pair.a),
                Cell::text(&pair.b),
                Cell::text(pair.describe()),
            ]);
        }
    }
    table
}

/// Notes on stderr each new customer that looks like another, and how to merge them.
pub fn note_likely_duplicates(ui: &Ui, pairs: &[Pair]) {
    for pair in pairs {
        ui.note(&format!(
            "note: new customer `{}` looks like `{}` ({}); `relate customer merge {} {}` if so",
            pair.b,
            pair.a,
            pair.describe(),
            pair.a,
            pair.b
        ));
    }
}
