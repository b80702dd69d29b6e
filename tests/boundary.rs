//! The boundary agent (docs/domain.md) in one binary: `mmhs boundary` as an SMTP content
//! filter on 127.0.0.1, alone and between two real Postfix instances.
//!
//! Test names are `<file>::<test>`: `cargo test --test boundary <file>::` runs one file.
#![cfg(not(target_arch = "wasm32"))]

mod support;

#[path = "boundary_agent.rs"]
mod boundary_agent;
#[path = "boundary_postfix.rs"]
mod boundary_postfix;
