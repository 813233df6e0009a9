//! `relate clone`: a teammate's copy of a shared store.

use std::path::PathBuf;

use relate::store::sync::{clone, clone_dir};

use crate::ui::Ui;

/// Copy a shared store from a git remote (with the system `git`, so your SSH
/// keys and credentials apply) and set up relate's merge driver in the copy.
///
/// Then work in DIR and share with `relate sync`.
#[derive(clap::Args)]
pub struct Args {
    /// The remote's address, as git takes it (a path, ssh or https URL)
    url: String,
    /// Where to put the copy [default: the last part of URL without `.git`]
    dir: Option<PathBuf>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let dir = args.dir.unwrap_or_else(|| clone_dir(&args.url));
    let is_store = clone(&args.url, &dir, &ui.env()?)?;
    ui.note(&format!(
        "Cloned {} into {}; share changes with `relate sync`.",
        args.url,
        dir.display()
    ));
    if !is_store {
        ui.note(&format!(
            "warning: {} has no relate.yaml at its top: if the store is in a subfolder, point --store at it",
            dir.display()
        ));
    }
    Ok(())
}
