//! `relate init`: create a store.

use std::path::PathBuf;

use relate::store::Store;

use crate::ui::Ui;

/// Create a new store: relate.yaml (settings, with comments), the record folders,
/// a git repository (unless DIR is already inside one) and a first commit.
///
/// Inside a larger git repository, relate commits only the store's own files.
/// On an existing store it is an error that changes nothing.
#[derive(clap::Args)]
pub struct Args {
    /// Where to create the store [default: --store or RELATE_STORE, else the current folder]
    dir: Option<PathBuf>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let dir = args
        .dir
        .or_else(|| ui.store_arg().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."));
    let store = Store::init(&dir, ui.env()?)?;
    ui.note(&format!(
        "Created a relate store in {}; settings are in relate.yaml.",
        store.root().display()
    ));
    if let Some(owner) = relate::ops::owner::offered(&store) {
        let email = owner.email.as_deref().unwrap_or_default();
        ui.note(&format!(
            "Name the team, starting with you: relate owner add {} --name {} --email {email}",
            owner.id,
            shell_quoted(&owner.name)
        ));
    }
    Ok(())
}

/// `text` as one shell word.
fn shell_quoted(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
