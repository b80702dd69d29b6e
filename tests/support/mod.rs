//! Shared test support (openssl-made PKI; attacks built on it).
pub mod attacks;
pub mod cli;
pub mod pki;
