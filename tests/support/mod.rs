//! The one test-support module of the integration tests (every `[[test]]` root of Cargo.toml
//! declares it once; the test files reach it as `crate::support`):
//!
//! - [`pki`]: the throwaway PKI made at test time (root CA, S/MIME end entities, domain agents,
//!   impostors); [`attacks`]: the Draft & Release attacks built on it;
//! - [`interop`]: the OpenSSL command line run for cross-checks, with users whose key and
//!   certificate files `openssl cms` reads;
//! - [`golden`]: the rules of the golden corpora (LF and CRLF, `.failed` files, updates);
//! - [`cli`]: the built `mmhs` binary; [`compose`]: fixed time, a seeded RNG and readers of
//!   composed messages; [`server`]: `mmhs serve` on 127.0.0.1 with SMTP and HTTP clients;
//!   [`postfix`]: Postfix instances for the boundary agent.
//!
//! Each test binary uses part of it, so unused items are expected.
#![allow(dead_code)]

pub mod attacks;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod compose;
pub mod golden;
#[cfg(not(target_arch = "wasm32"))]
pub mod interop;
pub mod pki;
#[cfg(not(target_arch = "wasm32"))]
pub mod postfix;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
