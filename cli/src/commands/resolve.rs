//! `relate resolve`: settle a conflict recorded by a merge.

use relate::model::merge::plain;
use relate::store::resolve::{Take, resolve};

use crate::ui::{RecordArgs, Ui};

/// Settle a recorded conflict on one field of a record, and commit.
///
/// `--take ours` (the default) keeps the current value, `--take theirs` takes
/// the value recorded as the other one, and any other VALUE sets the field to
/// it (as YAML: `--take "[a, b]"` for a list; an empty VALUE unsets the field).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    record: RecordArgs,
    /// The field, as `relate conflicts` lists it (`owner`, `fields.industry`, ...)
    field: String,
    /// ours, theirs, or a value
    #[arg(long, default_value = "ours", value_name = "ours|theirs|VALUE")]
    take: String,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let (kind, rel) = args.record.locate(&store)?;
    let value = resolve(&store, kind, &rel, &args.field, &Take::parse(&args.take))?;
    ui.note(&format!(
        "Resolved `{}` of {} {}: {}.",
        args.field,
        kind,
        args.record.id,
        match value {
            Some(value) => format!("it is `{}`", plain(&value)),
            None => "it is unset".to_string(),
        }
    ));
    Ok(())
}
