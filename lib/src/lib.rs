//! relate: a command-line CRM whose database is plain text.
//!
//! # Design
//!
//! A store is a directory of YAML files, one record per file, in a git
//! repository. Files are the single source of truth. What is derived from them
//! (a cache of parsed records, the write journal) lives under `.git/relate/`,
//! is never committed, and can never make an answer differ from reading the
//! files. Every write is atomic file replacements and one git commit of
//! exactly the files written, or nothing at all.
//!
//! The library knows nothing of the command line (no clap, no anyhow: the
//! binary is the `relate-cli` crate). Its layers, from the bottom; a module
//! uses only the ones below it (`scripts/check_layers.py` keeps it so):
//!
//! - [`error`]: the library's errors, each saying what happened (refusals,
//!   taken ids, sync failures as typed variants); the CLI words their hints
//!   and picks their exit codes.
//! - [`model`]: the records (customer, interaction, deal, product, order,
//!   ticket, asset, campaign), the settings in `relate.yaml`, ids, exact
//!   decimals and dates (relative days as typed on the command line),
//!   validation of a record alone, the references between records, `FIELD=VALUE`
//!   assignments, the field-by-field three-way merge of records, and the
//!   rules that find probable duplicate customers, customers' consent
//!   events with the rule that says which one is in force, erasure's
//!   pseudonyms and salted suppression hashes, and what `search` looks in
//!   (each kind's texts, folded, and the test that rules records out, which
//!   the cache answers from kept search texts). Pure data, no I/O.
//! - [`output`]: the one place where rows become a table, JSON, CSV or Markdown.
//! - [`figures`]: per-customer figures computed from the records up to a date
//!   (order totals, RFM scores, contacts, deals, and the BG/NBD and Gamma-Gamma
//!   predictions of customer value, whose fits a memo the store gives may
//!   remember), shared by filters and reports.
//! - [`filter`]: the filter language that selects customers (`--where`, named
//!   segments), and the check of the filters that settings and campaigns hold.
//! - [`store`]: files and git. Finding the store; the one read seam
//!   ([`store::Store::read`] with a typed [`store::Query`]) answered by the files
//!   or by the cache (records, and the search texts of search queries), whose
//!   folder listings the opt-in file-system monitor (an inotify daemon per
//!   clone) can vouch for; the fits of the models of customer value
//!   remembered under `.git/relate/fits/`; every write in a
//!   [`store::Transaction`] (store lock, journal, commit through libgit2's tree
//!   updater, git's index brought in line for the changed paths only); `check`; erased persons' suppression
//!   entries, and a person erased from every commit of history (`rewrite`);
//!   the team features (sync through the system `git`, the merge driver,
//!   history, resolve, undo).
//! - [`exchange`]: import and export: CSV with column mapping and presets,
//!   vCard, e-mail and questionnaires (skipping erased persons), a person's
//!   data export (`export-person`), applied to the records in memory so a
//!   whole import is checked before one transaction writes it; one module
//!   per kind of CSV file, whose column list serves import and export alike.
//! - [`report`]: the analytical reports, pure functions from records as of a
//!   date to figures and tables, and `search` over the records' texts.
//! - [`ops`]: the use-cases, every write relate makes (deal new/advance/win/
//!   lose, log, ticket open/update/resolve/reopen, asset add/service/retire,
//!   campaign new/launch, customer add, merge and forget, consent events, `set` and `edit` of any
//!   record, removal with its cascade, the team in relate.yaml, product and
//!   order add, the import's commit) as a function from a store and plain
//!   values to the records written, with the rules of the business (winning
//!   a deal records its order; an outbound contact about a ticket is its
//!   first response; a record others refer to is not removed alone), and the
//!   sorting of listed records.
//!
//! The binary (`cli/`) parses arguments with clap, one module per subcommand,
//! calls one library operation, prints, and maps errors to messages, hints
//! and exit codes in one place (`cli/src/error.rs`).

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
pub mod ops;
pub mod output;
pub mod report;
pub mod store;

pub use error::{Error, Problem, Result};
