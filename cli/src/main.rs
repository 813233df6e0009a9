//! The `relate` binary: parse the command line, run it, map the outcome to an exit code.
mod app;
mod commands;
mod error;
mod ui;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    app::main()
}
