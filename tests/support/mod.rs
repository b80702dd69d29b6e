//! Shared test support (openssl-made PKI; attacks built on it; Postfix instances).
pub mod attacks;
pub mod pki;
pub mod postfix;
