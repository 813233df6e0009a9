//! `relate init`: a new store, its settings and the files that tell git how
//! to treat it.

use std::path::Path;

use super::git::{self, Git};
use super::layout::SETTINGS_FILE;
use super::{Env, Store, no_author_error};
use crate::error::{Error, Result};
use crate::model::settings::DEFAULT_SETTINGS_YAML;
use crate::model::{Kind, Settings};

impl Store {
    /// Creates a store in `dir`: settings, record folders, a git repository unless
    /// `dir` is already inside one, and a first commit.
    pub fn init(dir: &Path, env: Env) -> Result<Store> {
        if dir.join(SETTINGS_FILE).exists() {
            return Err(
                Error::failed(format!("{} is already a relate store", dir.display()))
                    .with_hint("use it as it is; settings are in relate.yaml"),
            );
        }
        // Everything that can fail is settled before the first folder is made.
        let existing = dir
            .ancestors()
            .find(|a| a.is_dir())
            .unwrap_or(Path::new("."));
        let absolute = std::path::absolute(existing).map_err(|e| Error::io(existing, e))?;
        if let Some(outer) = absolute
            .ancestors()
            .find(|a| a.join(SETTINGS_FILE).is_file())
        {
            return Err(Error::failed(format!(
                "{} is inside the relate store {}",
                dir.display(),
                outer.display()
            ))
            .with_hint("a store cannot hold another: choose a folder outside it"));
        }
        let enclosing = Git::discover(existing)?;
        let author_known = env.author.is_some()
            || enclosing
                .as_ref()
                .and_then(Git::configured_author)
                .is_some()
            || git::global_author().is_some();
        if env.commit && !author_known {
            return Err(no_author_error());
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let git = match enclosing {
            Some(_) => Git::discover(dir)?.expect("the enclosing repository is still there"),
            None => Git::init(dir)?,
        };
        let settings: Settings =
            serde_yaml::from_str(DEFAULT_SETTINGS_YAML).expect("the default settings parse");
        let store = Store::assemble(dir, settings, Some(git), env);
        let mut tx = store.begin()?;
        tx.put_file(Path::new(SETTINGS_FILE), DEFAULT_SETTINGS_YAML.as_bytes())?;
        tx.put_file(Path::new(".gitignore"), GITIGNORE.as_bytes())?;
        tx.put_file(Path::new(".gitattributes"), gitattributes().as_bytes())?;
        for kind in Kind::ALL {
            tx.put_file(&Path::new(kind.folder()).join(".gitkeep"), b"")?;
        }
        tx.commit("init: new relate store")?;
        if let (Some(git), Some(relate)) = (&store.git, &store.env.relate_exe) {
            git.ensure_merge_driver(relate)?;
        }
        Ok(store)
    }
}

const GITIGNORE: &str =
    "# written by relate: its lock and unfinished temporary files\n.relate.lock\n.relate-*.tmp\n";

/// Registers relate's merge driver for the record files of every kind.
fn gitattributes() -> String {
    let mut text = String::from(
        "# Written by relate: record files merge field by field through relate's merge\n\
         # driver, which relate names in each clone's .git/config (docs/collaboration.md).\n",
    );
    for kind in Kind::ALL {
        let months = if kind.is_dated() { "/*/*" } else { "" };
        text.push_str(&format!("{}{months}/*.yaml merge=relate\n", kind.folder()));
    }
    text
}
