//! `relate check`: validate every file of the store.

use serde::Serialize;

use relate::Error;
use relate::output::Format;

use super::ui::Ui;

/// Validate every file: YAML syntax, required fields, ids equal to file names,
/// references between records, unknown stages and channels, order totals,
/// duplicate customers (same e-mail) and leftover git conflict markers.
///
/// Prints `path:line: message` per problem and exits with 4 when there is any;
/// silent on a clean store.
#[derive(clap::Args)]
pub struct Args {}

#[derive(Serialize)]
struct ProblemRow {
    path: String,
    line: Option<usize>,
    message: String,
}

pub fn run(ui: &mut Ui, _args: Args) -> anyhow::Result<()> {
    let problems = match ui.store() {
        Ok(store) => relate::store::check::check(&store)?,
        // A broken relate.yaml is itself what check reports.
        Err(e) => match e.downcast::<Error>() {
            Ok(Error::InvalidData { problems, .. }) => problems,
            Ok(other) => return Err(other.into()),
            Err(other) => return Err(other),
        },
    };
    match ui.format() {
        Format::Json => {
            let rows: Vec<ProblemRow> = problems
                .iter()
                .map(|p| ProblemRow {
                    path: p.path.display().to_string(),
                    line: p.line,
                    message: p.message.clone(),
                })
                .collect();
            ui.json(&rows)?;
        }
        _ => {
            for problem in &problems {
                ui.line(&problem.to_string())?;
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        ui.flush()?;
        Err(Error::InvalidData {
            problems: Vec::new(),
            hint: None,
        }
        .into())
    }
}
