//! The `relate` binary: parse the command line, run it, map the outcome to an exit code.
mod app;
mod commands;
mod error;
mod ui;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, which the
/// crate does not name): how long freed memory is kept before it goes back.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // mimalloc 3 keeps freed pages a second (its default) before giving them
    // back. A wide read frees each folder's segment and scratch as the next
    // folder's arrive, so a big report held both: 40 to 60 MB more at its
    // peak than with 10 ms, v2's default, at no cost in time measured
    // (docs/performance.md). A delay the user set still decides.
    if !purge_delay_set() {
        // SAFETY: one thread runs yet, and the option is a plain number.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 10) };
    }
    app::main()
}

/// Whether the environment sets mimalloc's purge delay, under either of the
/// names mimalloc reads (the older one too), in any case, as mimalloc
/// matches them on Unix.
fn purge_delay_set() -> bool {
    std::env::vars_os().any(|(name, _)| {
        name.to_str().is_some_and(|name| {
            ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
                .iter()
                .any(|option| name.eq_ignore_ascii_case(option))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::{PURGE_DELAY, purge_delay_set};

    /// The option's place is mimalloc's, not ours: a newer mimalloc that
    /// moved it would have another default there (1000 ms, in mimalloc 3).
    #[test]
    fn the_purge_delay_option_is_where_mimalloc_keeps_it() {
        if !purge_delay_set() {
            // SAFETY: reading an option has no precondition.
            assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 1000);
        }
    }
}
