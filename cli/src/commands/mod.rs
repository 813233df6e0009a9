//! One module per subcommand, each an args struct (whose doc comments are the
//! help) and a `run` function that parses nothing further, calls the library and prints.

pub mod agenda;
pub mod asset;
pub mod campaign;
pub mod check;
pub mod clone;
pub mod completions;
pub mod conflicts;
pub mod consent;
pub mod customer;
pub mod deal;
pub mod duplicates;
pub mod edit;
pub mod export;
pub mod export_person;
pub mod forget;
pub mod history;
pub mod import;
pub mod init;
pub mod interaction;
pub mod log;
pub mod man;
pub mod merge;
pub mod merge_driver;
pub mod order;
pub mod owner;
pub mod product;
pub mod recommend;
pub mod remove;
pub mod report;
pub mod resolve;
pub mod search;
pub mod set;
pub mod sync;
pub mod ticket;
pub mod undo;
