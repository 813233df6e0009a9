//! `relate man`: the manual pages, generated from the same definitions as `--help`.

use std::path::PathBuf;

use clap::CommandFactory;
use relate::Error;

use crate::ui::Ui;

/// Print a manual page (roff), or write every page into a folder.
///
/// `relate man` prints relate(1), which lists the commands; `relate man report
/// revenue` prints relate-report-revenue(1). `relate man --dir
/// ~/.local/share/man/man1` writes relate.1 and one page per command and
/// subcommand, so that `man relate-report-revenue` works.
#[derive(clap::Args)]
pub struct Args {
    /// The command whose page to print, as typed after `relate`
    command: Vec<String>,
    /// Write every page into this folder (created if missing) instead
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    dir: Option<PathBuf>,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let mut relate = crate::app::Cli::command().disable_help_subcommand(true);
    if let Some(dir) = args.dir {
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        clap_mangen::generate_to(relate, &dir).map_err(|e| Error::io(&dir, e))?;
        ui.note(&format!("Wrote the manual pages into {}.", dir.display()));
        return Ok(());
    }
    // Built, so that each subcommand's page is named relate-NAME.
    relate.build();
    let mut command = &relate;
    for name in &args.command {
        command = command.find_subcommand(name).ok_or_else(|| {
            let known: Vec<&str> = (command.get_subcommands())
                .filter(|c| !c.is_hide_set())
                .map(|c| c.get_name())
                .collect();
            Error::usage(format!(
                "`{name}` is not a command of `{}`",
                command.get_display_name().unwrap_or("relate")
            ))
            .with_hint(format!("the commands are: {}", known.join(", ")))
        })?;
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    ui.bytes(&page)
}
