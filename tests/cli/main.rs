//! Integration tests: the real binary against temporary stores, in a hermetic
//! environment (fixed clock, author and id seed; no global git configuration).
//! One test binary, one module per feature.

mod common;

mod export;
mod import;
mod init;
