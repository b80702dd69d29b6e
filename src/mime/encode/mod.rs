//! MIME *writing*: a small, deterministic serializer for RFC 5322 / MIME messages.
//!
//! Why not `mail-builder`: it reads the clock and the hostname and picks its own random
//! multipart boundaries, so its output is neither reproducible nor safe on
//! `wasm32-unknown-unknown`. Everything here is pure; the only randomness (multipart
//! boundaries) comes from the injected [`crate::rng::CryptoRng`], so a test that fixes the RNG
//! gets byte-identical messages.
//!
//! What it covers:
//! - `header.rs`: header folding at 78 columns (RFC 5322 §2.1.1, §2.2.3), never inside a
//!   word; RFC 2047 encoded-words (`B` encoding, UTF-8) for unstructured text (`Subject`)
//!   and for display names (phrase position, RFC 2047 §5 (1) and (3)); `mailbox` /
//!   `address-list` formatting with `quoted-string` escaping (RFC 5322 §3.2.4, §3.4);
//! - `param.rs`: RFC 2231 parameter values (`filename*=utf-8''…`, with `*0*`, `*1*`
//!   continuations);
//! - `transfer.rs`: RFC 2045 `Content-Transfer-Encoding`: `7bit`, `8bit` (only for
//!   message/rfc822 and plain-text webmail), `quoted-printable` (§6.7, 76-column soft
//!   breaks) and `base64` (§6.8, 76-column lines);
//! - `part.rs`: a [`Part`] tree (leaf, multipart with an RNG-drawn or given boundary,
//!   Content-Type parameters and preamble) and a [`Message`], serialised with CRLF line
//!   ends; every producer of MIME (compose, DSNs, release notices, the webmail) builds
//!   with it.
//!
//! Header values handed to this module must already be free of CR, LF and other control
//! characters; callers check that first (see `compose::validate`).

/// Maximum length of a line we write, excluding CRLF (RFC 5322 §2.1.1 "SHOULD" limit).
pub const FOLD_AT: usize = 78;
/// Hard line-length limit, excluding CRLF (RFC 5322 §2.1.1 "MUST" limit).
pub const MAX_LINE: usize = 998;

/// Errors of the encoder (the caller maps them to its own typed errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A header value contains an unbreakable run longer than 998 octets.
    LineTooLong,
}

mod header;
mod param;
mod part;
mod transfer;

pub use header::{
    encoded_words, fold_field, is_atext, is_dot_atom_text, mailbox, phrase, quoted_string,
    unstructured, Headers,
};
pub(crate) use param::is_token_char;
pub use param::{is_token, param, param_text, SEGMENT};
pub use part::{boundary, contains, fresh_boundary, write_entities_body, Around, Message, Part};
pub use transfer::{
    base64_lines, is_7bit_safe, max_line_len, normalize_crlf, quoted_printable, TransferEncoding,
};
