//! ASN.1 (X.680 / X.690) for every other module: the one BER reader ([`ber`]), the one DER
//! writer ([`der`]), ContentInfo ([`content_info`], shared by CMS and PKCS #12) and the one
//! table of object identifiers ([`oid`]).
//!
//! The lowest layer of the crate: it imports nothing of it, and `keys`, `smime`, `mmhs`,
//! `ess`, `label_policy`, `trust` and `report` build on it.

pub mod ber;
pub mod content_info;
pub mod der;
pub mod oid;

pub use ber::{BerError, Tlv};

/// A PrintableString character (X.680 §41.4, Table 10): `A-Z a-z 0-9 SP ' ( ) + , - . / : = ?`.
pub fn is_printable_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            ' ' | '\'' | '(' | ')' | '+' | ',' | '-' | '.' | '/' | ':' | '=' | '?'
        )
}
