//! The MMHS profile's header protection: the whole message wrapped as `message/rfc822`
//! with `forwarded=no` inside the S/MIME layer (draft-melnikov-mmhs-profile-09 §4.2.6,
//! RFC 8551 §3.1 "RFC8551HP", draft-melnikov-iana-reg-forwarded-00 §2).
//!
//! ```text
//! Date: …                                  ← outer header section: the original's
//! From: …                                    non-structural fields, copied verbatim
//! MIME-Version: 1.0
//! Content-Type: message/rfc822; forwarded=no   ← the entity the S/MIME layer signs/encrypts
//!
//! Date: …                                  ← the whole original message
//! From: …
//! Content-Type: text/plain; charset=us-ascii
//!
//! body
//! ```
//!
//! `forwarded=no` (draft-melnikov-iana-reg-forwarded §2): "the email message contained in the
//! MIME part is an encapsulated email message that has been signed and/or encrypted for header
//! protection"; a receiver treats an absent parameter as a forwarded message.

use super::fields::is_structural;
use super::Error;
use crate::mime::encode::{normalize_crlf, EncodeError, Headers, Part};
use crate::mime::header::HeaderSection;

/// The wrapped form in its two pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    /// The outer header section (CRLF line ends, no blank line): the original's
    /// non-structural fields. The S/MIME layer adds `MIME-Version` and its own
    /// `Content-Type`.
    pub outer_headers: Vec<u8>,
    /// The MIME entity to sign and/or encrypt: `Content-Type: message/rfc822; forwarded=no`,
    /// a blank line, then the whole original message (canonical CRLF).
    pub entity: Vec<u8>,
}

/// The `Content-Type` of the wrapper entity.
pub const WRAPPER_CONTENT_TYPE: &str = "message/rfc822; forwarded=no";

/// Split form of [`wrap`]: outer header section and the entity to protect.
pub fn wrap_parts(raw_message: &[u8]) -> Result<Wrapped, Error> {
    let msg = normalize_crlf(raw_message);
    let hs = HeaderSection::parse(&msg)?;
    if hs.fields.is_empty() {
        return Err(Error::NotAMessage("no header fields".into()));
    }
    if !hs.has_body_separator {
        return Err(Error::NotAMessage(
            "no empty line between header section and body".into(),
        ));
    }
    let mut outer = Vec::with_capacity(hs.body_offset);
    for f in hs.fields.iter().filter(|f| !is_structural(f.name)) {
        outer.extend_from_slice(msg.get(f.span.clone()).unwrap_or_default());
    }
    Ok(Wrapped {
        outer_headers: outer,
        entity: wrapper_part(msg).to_vec().map_err(line_too_long)?,
    })
}

/// Wrap a whole message for header protection: returns a message whose header section is
/// the original's non-structural fields plus `MIME-Version: 1.0`, and whose body is the
/// single entity `Content-Type: message/rfc822; forwarded=no` holding the original message.
/// The S/MIME layer then signs and/or encrypts that entity (see [`wrap_parts`]).
pub fn wrap(raw_message: &[u8]) -> Result<Vec<u8>, Error> {
    let w = wrap_parts(raw_message)?;
    Part::Entity(w.entity)
        .to_message(&w.outer_headers)
        .map_err(line_too_long)
}

/// The writer's only error: a header line over 998 octets (RFC 5322 §2.1.1).
fn line_too_long(_: EncodeError) -> Error {
    Error::LineTooLong("Content-Type".into())
}

/// The wrapper entity: `Content-Type: message/rfc822; forwarded=no` and the whole
/// message (CRLF) as its body, unencoded (RFC 2046 §5.2.1: no transfer encoding but
/// 7bit, 8bit or binary on message/rfc822).
fn wrapper_part(message: Vec<u8>) -> Part {
    let mut headers = Headers::new();
    headers.push("Content-Type", WRAPPER_CONTENT_TYPE);
    Part::leaf(headers, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_copies_non_structural_fields() {
        let m = b"From: a@x.example\nSubject: Hi\nMIME-Version: 1.0\nContent-Type: text/plain\nMMHS-Primary-Precedence: 3\n\nbody\n";
        let out = wrap(m).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            "From: a@x.example\r\nSubject: Hi\r\nMMHS-Primary-Precedence: 3\r\nMIME-Version: 1.0\r\n\
             Content-Type: message/rfc822; forwarded=no\r\n\r\n\
             From: a@x.example\r\nSubject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nMMHS-Primary-Precedence: 3\r\n\r\nbody\r\n"
        );
    }

    #[test]
    fn rejects_non_messages() {
        assert_eq!(wrap(b"").unwrap_err().code(), "protect-not-a-message");
        assert_eq!(
            wrap(b"From: a@b").unwrap_err().code(),
            "protect-not-a-message"
        );
    }
}
