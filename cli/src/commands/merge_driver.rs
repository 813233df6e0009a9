//! `relate merge-driver`: what git runs to merge a record file (hidden).

use std::path::PathBuf;

use crate::ui::Ui;

/// Merge one record file for git, field by field: git passes the common
/// version, ours (which receives the result) and theirs, and the file's path.
///
/// Registered for record files by the store's .gitattributes; relate writes
/// the command into each clone's .git/config.
#[derive(clap::Args)]
pub struct Args {
    base: PathBuf,
    ours: PathBuf,
    theirs: PathBuf,
    /// The file's path in the work tree
    path: PathBuf,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let conflicts =
        relate::store::merge::run_driver(&args.base, &args.ours, &args.theirs, &args.path)
            .map_err(|e| {
                e.with_hint(format!(
                    "git keeps our version of {} and marks it as conflicting",
                    args.path.display()
                ))
            })?;
    for conflict in conflicts {
        ui.note(&format!(
            "relate: {}: both sides changed `{}`; kept the later value, recorded the other (see `relate conflicts`)",
            args.path.display(),
            conflict.field
        ));
    }
    Ok(())
}
