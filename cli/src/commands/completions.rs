//! `relate completions`: shell completion scripts, generated from the same
//! definitions as the parser, so they never fall out of step.

use clap::CommandFactory;

use crate::ui::Ui;

/// Print a completion script for a shell.
///
/// For example: `relate completions bash > ~/.local/share/bash-completion/completions/relate`,
/// `relate completions zsh > ~/.zfunc/_relate`, `relate completions fish > ~/.config/fish/completions/relate.fish`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut crate::app::Cli::command(),
        "relate",
        &mut script,
    );
    ui.bytes(&script)
}
