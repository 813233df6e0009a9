//! `relate resolve`: settle a conflict recorded by a merge.

use relate::model::Kind;
use relate::model::merge::plain;
use relate::store::resolve::{Take, resolve};

use crate::ui::{Ui, id_arg, kind_arg};

/// Settle a recorded conflict on one field of a record, and commit.
///
/// `--take ours` (the default) keeps the current value, `--take theirs` takes
/// the value recorded as the other one, and any other VALUE sets the field to
/// it (as YAML: `--take "[a, b]"` for a list; an empty VALUE unsets the field).
#[derive(clap::Args)]
pub struct Args {
    /// The record's id
    #[arg(value_parser = id_arg)]
    id: String,
    /// The field, as `relate conflicts` lists it (`owner`, `fields.industry`, ...)
    field: String,
    /// ours, theirs, or a value
    #[arg(long, default_value = "ours", value_name = "ours|theirs|VALUE")]
    take: String,
    /// The kind of record, when several kinds have that id
    #[arg(long, value_parser = kind_arg)]
    kind: Option<Kind>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let (kind, rel) = store.locate(&args.id, args.kind)?;
    let value = resolve(&store, kind, &rel, &args.field, &Take::parse(&args.take))?;
    ui.note(&format!(
        "Resolved `{}` of {} {}: {}.",
        args.field,
        kind,
        args.id,
        match value {
            Some(value) => format!("it is `{}`", plain(&value)),
            None => "it is unset".to_string(),
        }
    ));
    Ok(())
}
