//! `relate check`: validate every file of the store.

use relate::Error;
use relate::output::{Cell, Format, Table};
use relate::store::CacheMode;
use relate::store::check::Checked;

use crate::error::{Exit, INVALID_DATA};
use crate::ui::Ui;

/// Validate every file: YAML syntax, required fields, ids equal to file names,
/// references between records, unknown stages and channels, order totals,
/// duplicate customers (same e-mail) and leftover git conflict markers.
///
/// Prints `path:line: message` per problem and exits with 4 when there is any;
/// silent on a clean store. Files unchanged since the last read come from the
/// cache of parsed records under .git/ (it is checked against each file's
/// stat data); --full reads every file again and rebuilds the cache. A record
/// with a control character in a text (a terminal escape) is a warning on
/// stderr, which leaves the exit code alone.
#[derive(clap::Args)]
pub struct Args {
    /// Read and parse every file, whatever the cache holds, and rebuild the cache
    #[arg(long)]
    full: bool,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let mut env = ui.env()?;
    if args.full {
        env.cache = env.cache.map(|_| CacheMode::Rebuild);
    }
    let Checked { problems, warnings } = match ui.store_with(env) {
        Ok(store) => relate::store::check::check(&store)?,
        // A broken relate.yaml is itself what check reports.
        Err(e) => match e.downcast::<Error>() {
            Ok(Error::InvalidData { problems, .. }) => Checked {
                problems,
                warnings: Vec::new(),
            },
            Ok(other) => return Err(other.into()),
            Err(other) => return Err(other),
        },
    };
    // Warnings refuse nothing: on stderr, whatever the format, for people.
    for warning in &warnings {
        ui.note(&format!("warning: {warning}"));
    }
    match ui.format() {
        // The greppable `path:line: message` lines, as compilers print them.
        Format::Table => {
            for problem in &problems {
                ui.line(&problem.to_string())?;
            }
        }
        _ => {
            let mut table = Table::new(&["path", "line", "message"]);
            for p in &problems {
                table.push(vec![
                    Cell::text(p.path.display().to_string()),
                    p.line.map_or(Cell::Empty, |line| Cell::Int(line as i64)),
                    Cell::text(&p.message),
                ]);
            }
            ui.table(&table)?;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        ui.flush()?;
        Err(Exit {
            code: INVALID_DATA,
            hint: None,
        }
        .into())
    }
}
