//! `relate edit ID`: any record's file in $VISUAL or $EDITOR, kept only when
//! valid; `customer edit` is the same loop.

use std::io::{BufRead, IsTerminal};

use relate::Error;
use relate::error::Problem;
use relate::model::Record;
use relate::ops;
use relate::store::{Store, parse_yaml, record_path};

use crate::error::{Exit, INVALID_DATA};
use crate::ui::{RecordArgs, Ui};

/// Edit any record's file in $VISUAL or $EDITOR, found by its id.
///
/// An invalid result is not kept: the editor reopens with the error, as
/// `crontab -e` does, until the file is valid or you give up. The id cannot be
/// changed (it is the file name).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    record: RecordArgs,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let (kind, _) = args.record.locate(&store)?;
    relate::with_record_type!(kind, T => edit::<T>(ui, &store, &args.record.id))
}

/// Opens the record `id` in the editor until it is valid or abandoned, then
/// writes it in one commit (nothing when unchanged).
pub fn edit<T: Record>(ui: &mut Ui, store: &Store, id: &str) -> anyhow::Result<()> {
    // An invalid record is what `edit` repairs: read it as it is.
    let original: T = store.get_for_repair(id)?;
    let path = record_path(&original);
    let mut text = std::fs::read_to_string(store.root().join(&path))?;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let edited = loop {
        let draft = tempfile::Builder::new()
            .prefix(&format!("relate-{id}-"))
            .suffix(".yaml")
            .tempfile()?;
        std::fs::write(draft.path(), &text)?;
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(draft.path())
            .status()
            .map_err(|e| Error::failed(format!("cannot start the editor `{editor}`: {e}")))?;
        if !status.success() {
            return Err(Error::failed(format!(
                "the editor `{editor}` failed ({status}); nothing changed"
            ))
            .into());
        }
        text = std::fs::read_to_string(draft.path())?;
        let problems: Vec<Problem> = match parse_yaml::<T>(&path, &text) {
            Err(problem) => vec![problem],
            Ok(record) if record.id() != original.id() => vec![Problem::new(
                &path,
                None,
                "the id cannot be changed (it is the file name)",
            )],
            Ok(record) => {
                let problems: Vec<Problem> =
                    relate::filter::record_problems(&record, store.settings())
                        .into_iter()
                        .map(|p| Problem::new(&path, None, p.message))
                        .collect();
                if problems.is_empty() {
                    break record;
                }
                problems
            }
        };
        for problem in &problems {
            ui.note(&format!("error: {problem}"));
        }
        if !ask_retry(ui)? {
            // Invalid data, as the lines above said: exit 4, like `check`.
            return Err(Exit {
                code: INVALID_DATA,
                hint: Some("edit abandoned; nothing changed"),
            }
            .into());
        }
    };
    if ops::edit::replace(store, &original, &edited)? {
        ui.note(&format!("Updated {} {id}.", T::KIND));
    } else {
        ui.note("No changes.");
    }
    Ok(())
}

/// Asks whether to reopen the editor; end of input means no.
fn ask_retry(ui: &Ui) -> anyhow::Result<bool> {
    ui.note("Edit again? [Y/n]");
    let mut answer = String::new();
    let stdin = std::io::stdin();
    if stdin.lock().read_line(&mut answer)? == 0 {
        return Ok(false);
    }
    let answer = answer.trim().to_lowercase();
    Ok(answer.is_empty() && stdin.is_terminal() || answer == "y" || answer == "yes")
}
