//! Shared test support (openssl-made PKI; attacks built on it; the `mmhs` binary; Postfix
//! instances).
pub mod attacks;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod layers;
pub mod pki;
#[cfg(not(target_arch = "wasm32"))]
pub mod postfix;
