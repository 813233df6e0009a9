//! `relate man`: the manual page, generated from the same definitions as `--help`.

use clap::CommandFactory;

use crate::ui::Ui;

/// Print relate's manual page (roff): `relate man > ~/.local/share/man/man1/relate.1`.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(ui: &mut Ui, _args: Args) -> anyhow::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::app::Cli::command()).render(&mut page)?;
    ui.bytes(&page)
}
