//! Integration tests: the real binary against temporary stores, in a hermetic
//! environment (fixed clock, author and id seed; no global git configuration).
//! One test binary, one module per feature.

mod common;

mod agenda;
mod atomicity;
mod cache;
mod campaign;
mod check;
mod clv;
mod concurrency;
mod conflicts;
mod consent;
mod contacts;
mod customer;
mod dashboard;
mod dates;
mod deal;
mod duplicates;
mod edit;
mod errors;
mod export;
mod hardening;
mod help;
mod history;
mod html;
mod import;
mod import_dates;
mod import_files;
mod import_matching;
mod init;
mod log;
mod merge;
mod monitor;
mod order_product;
mod owner;
mod privacy;
mod recommend;
mod remove;
mod report_customers;
mod report_pipeline;
mod report_revenue;
mod roundtrip;
mod sample_data;
mod search;
mod service;
mod set;
mod short_ids;
mod sync;
mod team;
mod terminal;
mod undo;
