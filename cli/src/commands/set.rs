//! `relate KIND set ID FIELD=VALUE...`: the one `set` of every kind but
//! customers (whose own checks e-mail addresses against the others).

use relate::model::assign::{Assign, Assignment};
use relate::ops;

use crate::ui::{Ui, id_arg};

/// The arguments of every kind's `set`; each kind's help lists its fields.
#[derive(clap::Args)]
pub struct SetArgs {
    /// The record's id
    #[arg(value_parser = id_arg)]
    pub id: String,
    /// The changes, applied in order: FIELD=VALUE (an empty VALUE unsets the field)
    #[arg(required = true, value_name = "FIELD=VALUE")]
    pub assignments: Vec<Assignment>,
}

pub fn run<T: Assign>(ui: &mut Ui, args: SetArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let record: T = ops::edit::set(&store, &args.id, &args.assignments)?;
    ui.note(&format!("Updated {} {}.", T::KIND, record.id()));
    Ok(())
}
