//! The `relate` binary: parse the command line, run it, map the outcome to an exit code.
mod app;
mod commands;
mod ui;

fn main() -> std::process::ExitCode {
    app::main()
}
