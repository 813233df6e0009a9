//! relate: a command-line CRM whose database is plain text.
//!
//! # Design
//!
//! A store is a directory of YAML files, one record per file, in a git
//! repository. Files are the single source of truth: there is no index or cache
//! to fall out of step with hand edits, and every write is an atomic file
//! replacement followed by one git commit of exactly the files written.
//!
//! The library knows nothing of the command line. Its layers, from the bottom:
//!
//! - [`model`]: the records (customer, interaction, deal, product, order,
//!   ticket, asset, campaign), the settings in `relate.yaml`, ids, exact
//!   decimals and dates, validation, and the field-by-field three-way merge of
//!   records. Pure data, no I/O: everything here is testable with plain values.
//! - [`store`]: files and git. Finding the store, loading records (in parallel,
//!   only the kinds and months a command needs), the store lock, atomic writes
//!   inside a [`store::Transaction`] that restores every file if the command
//!   fails, commits through libgit2, `check`, and the team features (sync
//!   through the system `git`, the merge driver, history, undo).
//! - [`exchange`]: import and export: CSV with column mapping and presets,
//!   vCard, e-mail and questionnaires, applied to the records in memory so a
//!   whole import is checked before one transaction writes it.
//! - [`filter`]: the filter language that selects customers (`--where`, named segments).
//! - [`report`]: the analytical reports, pure functions from records as of a
//!   date to figures and tables.
//! - [`output`]: the one place where rows become a table, JSON, CSV or Markdown.
//! - [`error`]: errors with hints, each kind mapped to a documented exit code.
//!
//! The binary (`src/main.rs`, `src/cli/`) parses arguments with clap, with one
//! module per subcommand, and maps errors to exit codes.

/// Defines a keyword enum: its serde names, `ALL` (in order), `NAMES`, `as_str`, `Display` and a
/// `FromStr` whose error lists the valid names (so clap can parse it too).
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "`{text}` is not a valid {}: use one of {}",
                        $what,
                        Self::NAMES.join(", ")
                    )),
                }
            }
        }
    };
}

pub mod error;
pub mod exchange;
pub mod figures;
pub mod filter;
pub mod model;
pub mod output;
pub mod report;
pub mod store;

pub use error::{Error, Problem, Result};
