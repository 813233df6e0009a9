//! `relate monitor`: the file-system monitor that spares reads looking at every file.

use chrono::DateTime;
use relate::Error;
use relate::output::{Cell, Format, Table};
use relate::store::{MonitorStatus, Store};

use crate::ui::Ui;

/// The file-system monitor of this clone: a background process that watches
/// the store's folders with inotify (Linux), so that a read on a big store
/// looks only at the folders where something happened, not at every file.
///
/// Off unless turned on, per clone (`relate.monitor` in the repository's own
/// git configuration, never committed). When it is on, a read that finds it
/// not running starts it. Answers never depend on it: a folder it cannot
/// vouch for is read as without it (docs/performance.md).
#[derive(clap::Subcommand)]
pub enum Command {
    /// Turn the monitor on for this clone and start it
    On,
    /// Turn the monitor off for this clone and stop it
    Off,
    /// Whether the monitor is on, and what it watches
    Status,
    /// Run the monitor in the foreground until it stops (what `on` starts)
    #[command(hide = true)]
    Serve,
}

/// What `relate monitor` prints, in every format.
#[derive(serde::Serialize)]
struct Shown {
    /// Whether this clone's configuration turns the monitor on.
    enabled: bool,
    running: bool,
    pid: Option<u32>,
    /// How many folders it watches.
    folders: Option<usize>,
    /// When it started (RFC 3339, UTC).
    started: Option<String>,
    /// Why the last one could not start; reads start no other until `on`.
    failed: Option<String>,
}

impl Shown {
    fn of(store: &Store, status: Option<&MonitorStatus>) -> Shown {
        Shown {
            enabled: store.monitor_enabled(),
            running: status.is_some(),
            pid: status.map(|s| s.pid),
            folders: status.map(|s| s.folders),
            started: status
                .and_then(|s| DateTime::from_timestamp(s.started, 0))
                .map(|at| at.to_rfc3339()),
            failed: store.monitor_failure(),
        }
    }
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    let store = ui.store()?;
    let shown = match command {
        Command::Serve => return Ok(store.serve_monitor()?),
        Command::On => {
            let relate = std::env::current_exe()
                .map_err(|e| Error::failed(format!("cannot find the relate program: {e}")))?;
            let status = store.monitor_on(&relate)?;
            Shown::of(&store, Some(&status))
        }
        Command::Off => {
            store.monitor_off()?;
            Shown::of(&store, None)
        }
        Command::Status => Shown::of(&store, store.monitor_status()?.as_ref()),
    };
    match ui.format() {
        Format::Json => ui.json(&shown),
        _ => {
            let mut table =
                Table::new(&["enabled", "running", "pid", "folders", "started", "failed"]);
            let optional = |value: Option<String>| Cell::text(value.unwrap_or_default());
            table.push(vec![
                Cell::text(if shown.enabled { "yes" } else { "no" }),
                Cell::text(if shown.running { "yes" } else { "no" }),
                optional(shown.pid.map(|p| p.to_string())),
                optional(shown.folders.map(|f| f.to_string())),
                optional(shown.started),
                optional(shown.failed),
            ]);
            ui.table(&table)
        }
    }
}
