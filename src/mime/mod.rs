//! Shared MIME / RFC 5322 helpers: reading a raw header section with byte offsets, unfolding,
//! header-value validation (no bare CR/LF), RFC 2047 / RFC 2231 encoding. Full MIME trees are
//! parsed with `mail-parser`; this module covers what it does not give us byte-exactly.

pub mod auth_results;
pub mod encode;
pub mod header;
pub use header::{check_header_value, Field, HeaderSection};
