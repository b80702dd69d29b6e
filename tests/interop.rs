//! Cross-checks with the OpenSSL command line in one binary: what we sign, encrypt and
//! export, OpenSSL verifies, decrypts and reads, and the other way round; path validation
//! against PKIs made by OpenSSL.
//!
//! Test names are `<file>::<test>`: `cargo test --test interop <file>::` runs one file.
#![cfg(not(target_arch = "wasm32"))]

mod support;

#[path = "interop_openssl_encrypt.rs"]
mod interop_openssl_encrypt;
#[path = "interop_openssl_sign.rs"]
mod interop_openssl_sign;
#[path = "keys_import_export.rs"]
mod keys_import_export;
#[path = "trust_openssl.rs"]
mod trust_openssl;
