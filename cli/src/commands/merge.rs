//! `relate customer merge`: fold duplicate customers into one.

use relate::model::merge::{field_value, plain};
use relate::ops;
use relate::ops::merge::Plan;
use relate::output::{Cell, Format, Table};

use crate::ui::{Ui, id_arg};

/// Merge duplicate customers into the one kept, in one commit.
///
/// Every interaction, deal, order, ticket and asset of each OTHER moves to
/// KEEP, as do the memberships of launched campaigns. The profiles merge field
/// by field: lists are united; a field KEEP lacks is taken; a value that
/// differs stays KEEP's and the other one is recorded as a conflict for
/// `relate resolve`. The ids of OTHER become KEEP's `aliases` (they keep
/// finding it and stay reserved), and OTHER is removed. Full ids only.
#[derive(clap::Args)]
pub struct Args {
    /// The customer that stays
    #[arg(value_parser = id_arg)]
    keep: String,
    /// The duplicates merged into it and removed
    #[arg(required = true, value_name = "OTHER", value_parser = id_arg)]
    others: Vec<String>,
    /// Print what would change and write nothing
    #[arg(long)]
    dry_run: bool,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let plan = ops::merge::merge_customers(&store, &args.keep, &args.others, args.dry_run)?;
    match ui.format() {
        Format::Json => ui.json(&plan)?,
        _ => ui.table(&plan_table(&plan))?,
    }
    let others = plan.others.join(", ");
    if args.dry_run {
        ui.note(&format!(
            "Dry run: would merge {others} into {}; nothing was written.",
            plan.keep
        ));
    } else {
        ui.note(&format!("Merged {others} into {}.", plan.keep));
        if !plan.conflicts.is_empty() {
            ui.note(&format!(
                "hint: settle the differing values with `relate resolve {}`",
                plan.keep
            ));
        }
    }
    Ok(())
}

/// One row per change: records moved per kind, memberships, fields, conflicts.
fn plan_table(plan: &Plan) -> Table {
    let mut table = Table::new(&["change", "what", "detail"]);
    {
        for moved in &plan.moved {
            table.push(vec![
                Cell::text("move"),
                Cell::text(format!(
                    "{} {}",
                    moved.ids.len(),
                    plural(&moved.kind, moved.ids.len())
                )),
                Cell::List(moved.ids.clone()),
            ]);
        }
        for campaign in &plan.campaigns {
            table.push(vec![
                Cell::text("membership"),
                Cell::text(format!("campaign {campaign}")),
                Cell::text(format!("launched: its members now name {}", plan.keep)),
            ]);
        }
        for field in &plan.fields {
            table.push(vec![
                Cell::text("field"),
                Cell::text(field),
                Cell::text("taken from the merged profiles"),
            ]);
        }
        let merged = serde_yaml::to_value(&plan.merged).unwrap_or_default();
        for conflict in &plan.conflicts {
            let kept = field_value(&merged, &conflict.field)
                .map(plain)
                .unwrap_or_default();
            table.push(vec![
                Cell::text("conflict"),
                Cell::text(&conflict.field),
                Cell::text(format!("kept `{kept}`, recorded {}", conflict.describe())),
            ]);
        }
        for other in &plan.others {
            table.push(vec![
                Cell::text("remove"),
                Cell::text(format!("customer {other}")),
                Cell::text(format!("now an alias of {}", plan.keep)),
            ]);
        }
    }
    table
}

fn plural(kind: &str, count: usize) -> String {
    if count == 1 {
        kind.to_string()
    } else {
        format!("{kind}s")
    }
}
