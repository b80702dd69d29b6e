//! MIME and RFC 5322: the one home for reading and writing messages.
//!
//! - [`header`]: [`HeaderSection`], the one header-section reader (RFC 5322 §2.2, §3.2.2),
//!   zero-copy with byte spans; unfolding, RFC 2047 decoding for display, header-value
//!   checks for generated fields.
//! - [`entity`]: a MIME entity read byte-exactly: header/body split, fields with their raw
//!   bytes, media types (RFC 2045 §5.1), multipart parts (RFC 2046 §5.1.1), transfer
//!   decoding (RFC 2045 §6), address lists (RFC 5322 §3.4).
//! - `params`: the one MIME parameter-list reader (RFC 2045 §5.1, RFC 2231 continuations
//!   and charsets), behind media types and the SIO-Label fields.
//! - [`encode`]: writing: header folding and RFC 2047 encoded-words, RFC 2231 parameters,
//!   transfer encodings and the [`encode::Part`] tree every producer of MIME builds with.
//! - [`content`]: what a reader shows of a message's content once verified — displayed
//!   header fields, the text body, attachments (RFC 2183, RFC 2231 names), forwarded messages
//!   and delivery / disposition reports — and the decoded octets of one attachment.
//! - [`auth_results`]: the `Authentication-Results` field (RFC 8601).

pub mod auth_results;
pub mod content;
pub mod encode;
pub mod entity;
pub mod header;
pub(crate) mod params;
pub use header::{check_header_value, Field, HeaderSection};
