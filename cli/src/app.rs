//! The command line: parses, builds the environment, dispatches to one module
//! per subcommand (`crate::commands`); `crate::error` maps what fails to messages and exit codes.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use relate::Error;

use crate::commands::{
    agenda, asset, campaign, check, clone, completions, conflicts, consent, customer, deal, edit,
    export, history, import, init, interaction, log, man, merge_driver, monitor, order, owner,
    product, recommend, report, resolve, search, sync, ticket, undo,
};
use crate::error;
use crate::ui::{FormatArg, GlobalArgs, Ui};

/// A command-line CRM whose database is plain YAML files versioned by git.
///
/// A store is a folder with relate.yaml, one YAML file per customer, interaction,
/// deal, product, order, ticket, asset and campaign, and a git repository: every
/// write is one commit.
/// Start one with `relate init DIR`.
///
/// Exit codes: 0 success, 1 failure, 2 usage (bad arguments or values),
/// 3 record not found, 4 invalid data in the store or in an imported file.
#[derive(Parser)]
#[command(name = "relate", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Init(init::Args),
    /// Customers: add, set, remove, list, show, edit, duplicates, merge
    #[command(subcommand)]
    Customer(customer::Command),
    Log(log::Args),
    Consent(consent::Args),
    /// Logged contacts: list, show, set, remove (`relate log` adds them)
    #[command(subcommand)]
    Interaction(interaction::Command),
    /// Deals through the sales pipeline: new, advance, win, lose, set, remove, list, show
    #[command(subcommand)]
    Deal(deal::Command),
    /// The product catalogue: add, set, remove, list, show
    #[command(subcommand)]
    Product(product::Command),
    /// Sales: add, set, remove, list, show
    #[command(subcommand)]
    Order(order::Command),
    /// Service tickets: open, update, resolve, reopen, set, remove, list, show
    #[command(subcommand)]
    Ticket(ticket::Command),
    /// Equipment at customers: add, service, set, retire, remove, list, show
    #[command(subcommand)]
    Asset(asset::Command),
    /// Marketing campaigns: new, launch, set, list, show
    #[command(subcommand)]
    Campaign(campaign::Command),
    /// The team in relate.yaml's `owners`: add, list, remove
    #[command(subcommand)]
    Owner(owner::Command),
    Edit(edit::Args),
    Agenda(agenda::Args),
    Recommend(recommend::Args),
    Search(search::Args),
    Check(check::Args),
    /// Bring records in from CSV files, vCards, e-mail and questionnaires
    #[command(subcommand)]
    Import(import::Command),
    Export(export::Args),
    #[command(subcommand)]
    Report(report::Command),
    Sync(sync::Args),
    Clone(clone::Args),
    History(history::Args),
    Conflicts(conflicts::Args),
    Resolve(resolve::Args),
    Undo(undo::Args),
    /// The file-system monitor that spares big stores' reads: on, off, status
    #[command(subcommand)]
    Monitor(monitor::Command),
    Completions(completions::Args),
    Man(man::Args),
    #[command(hide = true)]
    MergeDriver(merge_driver::Args),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { error::USAGE } else { 0 };
            // Help and version go to stdout; a closed pipe there is not an error.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = Ui::new(cli.global).and_then(|mut ui| {
        let result = run(&mut ui, cli.command);
        result.and(ui.flush())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error::report(&error),
    }
}

fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    if ui.format_arg() == FormatArg::JsonLines && !matches!(command, Command::Export(_)) {
        return Err(Error::usage("--format jsonl is only for `relate export`")
            .with_hint("use --format json")
            .into());
    }
    match command {
        Command::Init(args) => init::run(ui, args),
        Command::Customer(command) => customer::run(ui, command),
        Command::Log(args) => log::run(ui, args),
        Command::Consent(args) => consent::run(ui, args),
        Command::Interaction(command) => interaction::run(ui, command),
        Command::Deal(command) => deal::run(ui, command),
        Command::Product(command) => product::run(ui, command),
        Command::Order(command) => order::run(ui, command),
        Command::Ticket(command) => ticket::run(ui, command),
        Command::Asset(command) => asset::run(ui, command),
        Command::Campaign(command) => campaign::run(ui, command),
        Command::Owner(command) => owner::run(ui, command),
        Command::Edit(args) => edit::run(ui, args),
        Command::Agenda(args) => agenda::run(ui, args),
        Command::Recommend(args) => recommend::run(ui, args),
        Command::Search(args) => search::run(ui, args),
        Command::Check(args) => check::run(ui, args),
        Command::Import(command) => import::run(ui, command),
        Command::Export(args) => export::run(ui, args),
        Command::Report(command) => report::run(ui, command),
        Command::Sync(args) => sync::run(ui, args),
        Command::Clone(args) => clone::run(ui, args),
        Command::History(args) => history::run(ui, args),
        Command::Conflicts(args) => conflicts::run(ui, args),
        Command::Resolve(args) => resolve::run(ui, args),
        Command::Undo(args) => undo::run(ui, args),
        Command::Monitor(command) => monitor::run(ui, command),
        Command::Completions(args) => completions::run(ui, args),
        Command::Man(args) => man::run(ui, args),
        Command::MergeDriver(args) => merge_driver::run(ui, args),
    }
}
