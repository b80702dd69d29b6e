//! The `mmhs` command line (docs/cli.md) in one binary: each module runs the built binary
//! (`CARGO_BIN_EXE_mmhs`) in a test directory.
//!
//! Test names are `<file>::<test>`: `cargo test --test cli <file>::` runs one file.
#![cfg(not(target_arch = "wasm32"))]

mod support;

#[path = "algorithm_policy.rs"]
mod algorithm_policy;
#[path = "cli_compose.rs"]
mod cli_compose;
#[path = "cli_domain.rs"]
mod cli_domain;
#[path = "cli_domain_encryption.rs"]
mod cli_domain_encryption;
#[path = "cli_label.rs"]
mod cli_label;
#[path = "cli_receipt.rs"]
mod cli_receipt;
#[path = "cli_release.rs"]
mod cli_release;
#[path = "cli_requests.rs"]
mod cli_requests;
#[path = "cli_smime.rs"]
mod cli_smime;
#[path = "cli_verify_attacks.rs"]
mod cli_verify_attacks;
