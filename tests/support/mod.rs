//! Shared test support (openssl-made PKI).
pub mod pki;
