//! Shared test support (openssl-made PKI; attacks built on it; Postfix instances).
pub mod attacks;
pub mod pki;
#[cfg(not(target_arch = "wasm32"))]
pub mod postfix;
