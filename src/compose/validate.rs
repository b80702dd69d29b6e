//! Input checks shared by the compose steps: header text (no CR/LF, no controls, bounded
//! length), addr-spec (RFC 5322 §3.4.1), msg-id (RFC 5322 §3.6.4), language tags
//! (RFC 3282 / BCP 47 shape), MIME types (RFC 2045 §5.1).

use super::Error;
use crate::mime::encode::{is_dot_atom_text, is_token};

/// Longest text value we accept for a single header field (characters). Subjects and display
/// names are far shorter in practice; this bounds the work and keeps every field foldable.
pub(crate) const MAX_HEADER_TEXT: usize = 2000;

/// Reject CR, LF, NUL and other control characters (TAB allowed) in a value that will end up
/// in a header field, and bound its length.
pub(crate) fn header_text(field: &'static str, value: &str) -> Result<(), Error> {
    if value.contains(['\r', '\n']) {
        return Err(Error::HeaderCrlf { field });
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Error::HeaderControlChar { field });
    }
    if value.chars().count() > MAX_HEADER_TEXT {
        return Err(Error::HeaderTooLong { field });
    }
    Ok(())
}

/// An RFC 5321/5322 addr-spec we can both put in a header and give to SMTP:
/// `dot-atom-text "@" domain`, where domain is a host name (LDH labels, A-labels for IDN) or
/// an address literal `[…]`; ASCII only; at most 254 characters (RFC 5321 §4.5.3.1).
/// Quoted local parts are refused (they cannot be written safely everywhere).
pub(crate) fn addr_spec(field: &'static str, addr: &str) -> Result<(), Error> {
    header_text(field, addr)?;
    let bad = || Error::AddressInvalid {
        field,
        address: addr.to_string(),
    };
    if addr.len() > 254 || !addr.is_ascii() {
        return Err(bad());
    }
    let (local, domain) = addr.rsplit_once('@').ok_or_else(bad)?;
    if local.len() > 64 || !is_dot_atom_text(local) {
        return Err(bad());
    }
    if !is_domain(domain) {
        return Err(bad());
    }
    Ok(())
}

/// A host name (LDH labels, no leading/trailing hyphen, ≤63 per label) or `[literal]`.
pub(crate) fn is_domain(domain: &str) -> bool {
    if let Some(lit) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return !lit.is_empty()
            && lit
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-".contains(c));
    }
    !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Normalise a message id given with or without `<>` to `<left@right>`. On origination the
/// exact RFC 5322 grammar is required (stricter than `mmhs::msg_id::check_msg_id`, which is
/// lenient on receipt):
/// `msg-id = "<" id-left "@" id-right ">"`, `id-left = dot-atom-text`,
/// `id-right = dot-atom-text / no-fold-literal` (RFC 5322 §3.6.4).
pub(crate) fn msg_id(field: &'static str, id: &str) -> Result<String, Error> {
    header_text(field, id)?;
    let bad = || Error::MessageIdInvalid {
        field,
        value: id.to_string(),
    };
    let trimmed = id.trim();
    let inner = match (trimmed.strip_prefix('<'), trimmed.ends_with('>')) {
        (Some(rest), true) => rest.strip_suffix('>').ok_or_else(bad)?,
        (None, false) => trimmed,
        _ => return Err(bad()),
    };
    if inner.len() > 250 {
        return Err(bad());
    }
    let (left, right) = inner.split_once('@').ok_or_else(bad)?;
    let right_ok = is_dot_atom_text(right)
        || right
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .is_some_and(|d| {
                d.bytes()
                    .all(|b| (33..=126).contains(&b) && !matches!(b, b'[' | b']' | b'\\'))
            });
    if !is_dot_atom_text(left) || !right_ok {
        return Err(bad());
    }
    Ok(format!("<{inner}>"))
}

/// One language tag (RFC 3282 / BCP 47 shape), checked by [`crate::fields::ContentLanguage`].
pub(crate) fn language_tag(tag: &str) -> Result<(), Error> {
    let bad = || Error::LanguageTagInvalid(tag.to_string());
    if tag.contains([',', '(', ')']) || tag.trim() != tag {
        return Err(bad());
    }
    match tag.parse::<crate::fields::ContentLanguage>() {
        Ok(l) if l.0.len() == 1 => Ok(()),
        _ => Err(bad()),
    }
}

/// `type "/" subtype` with RFC 2045 tokens, no parameters (we add those). Returned lower-cased.
/// `multipart/*` and `message/*` are refused for attachments: they are structures we build.
pub(crate) fn attachment_content_type(ct: &str) -> Result<String, Error> {
    let bad = || Error::ContentTypeInvalid(ct.to_string());
    let (ty, sub) = ct.trim().split_once('/').ok_or_else(bad)?;
    if !is_token(ty) || !is_token(sub) {
        return Err(bad());
    }
    let ty = ty.to_ascii_lowercase();
    if ty == "multipart" || ty == "message" {
        return Err(bad());
    }
    Ok(format!("{ty}/{}", sub.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(addr_spec("To", "bob@navy.example").is_ok());
        assert!(addr_spec("To", "b.o+b@[192.0.2.1]").is_ok());
        for bad in [
            "bob",
            "@x.example",
            "bob@",
            "bo b@x.example",
            "bob@x..example",
            "bob@-x.example",
            "jürgen@x.example",
            "\"q\"@x.example",
            "bob@x.example\r\nBcc: eve@evil.example",
        ] {
            assert!(addr_spec("To", bad).is_err(), "{bad}");
        }
        assert_eq!(
            addr_spec("To", "a@b\r\nX: y").unwrap_err(),
            Error::HeaderCrlf { field: "To" }
        );
    }

    #[test]
    fn msg_ids() {
        assert_eq!(msg_id("References", "a.b@c.d").unwrap(), "<a.b@c.d>");
        assert!(msg_id("References", "<a@[c d]>").is_err());
        assert_eq!(
            msg_id("References", "<a@[1.2.3.4]>").unwrap(),
            "<a@[1.2.3.4]>"
        );
        assert!(msg_id("References", "<a@b").is_err());
        assert!(msg_id("References", "a b@c").is_err());
        assert!(msg_id("References", "nope").is_err());
    }

    #[test]
    fn languages() {
        assert!(language_tag("en").is_ok());
        assert!(language_tag("fr-CA").is_ok());
        assert!(language_tag("zh-Hant-TW").is_ok());
        assert!(language_tag("en_GB").is_err());
        assert!(language_tag("").is_err());
        assert!(language_tag("toolonglanguage").is_err());
    }

    #[test]
    fn content_types() {
        assert_eq!(
            attachment_content_type("Application/PDF").unwrap(),
            "application/pdf"
        );
        assert!(attachment_content_type("text").is_err());
        assert!(attachment_content_type("text/plain; charset=x").is_err());
        assert!(attachment_content_type("multipart/mixed").is_err());
    }
}
