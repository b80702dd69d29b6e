//! Legacy Display Elements (RFC 9788 §2.1.2, §4.5.3): on receipt, a conformant renderer that
//! shows the protected header fields hides the element, which repeats them in the body for
//! legacy clients.
//!
//! Recognised forms:
//! - RFC 9788: a text leaf with `hp-legacy-display="1"`; the element is the leading block of
//!   `Name: value` lines followed by an empty line at the start of its body
//!   (identity transfer encodings only).
//! - draft-autocrypt-lamps-protected-headers / early draft-ietf-lamps-header-protection: a
//!   non-root `text/plain; protected-headers="v1"` part consisting only of `Name: value` lines,
//!   as the first part of a `multipart/mixed`.

use crate::mime::encode::write_entities_body;
use crate::mime::entity::{media_type, multipart_iter};
use crate::mime::header::HeaderSection;

/// Nesting depth searched for the Main Body Part.
const MAX_DEPTH: usize = 8;

/// The payload root entity with its Legacy Display Element removed, or `None` when there is
/// none (or it is in an encoded part this reader does not rewrite).
pub fn remove_legacy_display(payload_root_entity: &[u8]) -> Option<Vec<u8>> {
    match strip(payload_root_entity, 0)? {
        Stripped::Entity(e) => Some(e),
        // The root itself cannot disappear; an empty root keeps its header section.
        Stripped::RemovePart => None,
    }
}

enum Stripped {
    Entity(Vec<u8>),
    RemovePart,
}

fn strip(entity: &[u8], depth: usize) -> Option<Stripped> {
    if depth > MAX_DEPTH {
        return None;
    }
    let hs = HeaderSection::parse(entity).ok()?;
    let head = entity.get(..hs.body_offset)?;
    let body = entity.get(hs.body_offset..)?;
    let ct = media_type(
        &hs.value("Content-Type")
            .map(|v| v.into_owned())
            .unwrap_or_else(|| "text/plain".into()),
    );
    let identity = matches!(
        hs.value("Content-Transfer-Encoding")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref(),
        None | Some("7bit" | "8bit" | "binary")
    );
    if ct.mime.starts_with("text/") {
        let rfc9788 = ct.param("hp-legacy-display") == Some("1");
        let draft =
            depth > 0 && ct.mime == "text/plain" && ct.param("protected-headers") == Some("v1");
        if !(rfc9788 || draft) || !identity {
            return None;
        }
        let rest = after_legacy_block(body)?;
        if draft && !rest.iter().all(|b| b.is_ascii_whitespace()) {
            // Not only a legacy display block: leave it alone.
            return None;
        }
        if rest.iter().all(|b| b.is_ascii_whitespace()) && depth > 0 {
            return Some(Stripped::RemovePart);
        }
        let mut out = Vec::with_capacity(head.len() + rest.len());
        out.extend_from_slice(head);
        out.extend_from_slice(rest);
        return Some(Stripped::Entity(out));
    }
    if let Some(sub) = ct.mime.strip_prefix("multipart/") {
        let boundary = ct.param("boundary")?;
        let parts = multipart_iter(body, boundary)?;
        // multipart/alternative: every alternative may carry its own element; otherwise the
        // Main Body Part is found through the first part. Only what changes is kept (the
        // parts are read where they lie, found one at a time).
        let candidates = if sub == "alternative" { usize::MAX } else { 1 };
        let mut changes: Vec<(usize, Option<Vec<u8>>)> = Vec::new();
        for (i, part) in parts.clone().take(candidates).enumerate() {
            match strip(part, depth + 1) {
                Some(Stripped::Entity(e)) => changes.push((i, Some(e))),
                Some(Stripped::RemovePart) => changes.push((i, None)),
                None => {}
            }
        }
        if changes.is_empty() {
            return None;
        }
        // The entity keeps its own header section (and so its boundary); the other parts are
        // written back octet for octet.
        let mut changes = changes.into_iter().peekable();
        let kept =
            parts
                .enumerate()
                .filter_map(|(i, part)| match changes.next_if(|(j, _)| *j == i) {
                    Some((_, replacement)) => replacement.map(std::borrow::Cow::Owned),
                    None => Some(std::borrow::Cow::Borrowed(part)),
                });
        let mut out = Vec::with_capacity(entity.len());
        out.extend_from_slice(head);
        write_entities_body(boundary, kept, &mut out);
        return Some(Stripped::Entity(out));
    }
    None
}

/// If `body` starts with one or more `Name: value` lines followed by an empty line (or the
/// end), the bytes after that block.
fn after_legacy_block(body: &[u8]) -> Option<&[u8]> {
    let mut pos = 0usize;
    let mut lines = 0usize;
    while pos < body.len() {
        let end = body
            .get(pos..)?
            .iter()
            .position(|b| *b == b'\n')
            .map(|i| pos + i + 1)
            .unwrap_or(body.len());
        let line = body.get(pos..end)?;
        let trimmed = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(line);
        if trimmed.is_empty() {
            return (lines > 0).then(|| body.get(end..).unwrap_or_default());
        }
        if !is_field_line(trimmed) {
            return None;
        }
        lines += 1;
        pos = end;
    }
    (lines > 0).then_some(&body[body.len()..])
}

fn is_field_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return false;
    };
    colon > 0
        && line
            .get(..colon)
            .is_some_and(|n| n.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-'))
        && line.get(colon + 1) == Some(&b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_rfc9788_element_in_text_root() {
        let e = b"Subject: x\r\nContent-Type: text/plain; hp=\"cipher\"; hp-legacy-display=\"1\"\r\n\r\nSubject: x\r\nTo: b@c\r\n\r\nHello\r\n";
        let out = remove_legacy_display(e).unwrap();
        assert!(out.ends_with(b"hp-legacy-display=\"1\"\r\n\r\nHello\r\n"));
    }

    /// The element of each alternative is removed, and of only the first part of any other
    /// multipart; every other part is written back octet for octet.
    #[test]
    fn multipart_children_rewritten_in_place() {
        let element =
            "Content-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nSubject: x\r\n\r\nHello\r\n";
        let stripped = "Content-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nHello\r\n";
        let other = "Content-Type: text/html\r\n\r\n<p>Hi</p>";
        let nested = |b: &str, sub: &str, parts: &[&str]| {
            let mut e = format!("Content-Type: multipart/{sub}; boundary=\"{b}\"\r\n\r\n");
            for p in parts {
                e.push_str(&format!("--{b}\r\n{p}\r\n"));
            }
            e.push_str(&format!("--{b}--\r\n"));
            e.into_bytes()
        };
        let entity = |sub: &str, parts: &[&str]| nested("b", sub, parts);
        let out =
            remove_legacy_display(&entity("alternative", &[element, other, element])).unwrap();
        assert_eq!(out, entity("alternative", &[stripped, other, stripped]));
        let out = remove_legacy_display(&entity("mixed", &[element, other, element])).unwrap();
        assert_eq!(out, entity("mixed", &[stripped, other, element]));
        assert!(remove_legacy_display(&entity("mixed", &[other, element])).is_none());
        // The draft's part of only header lines goes, the others stay.
        let draft = "Content-Type: text/plain; protected-headers=\"v1\"\r\n\r\nSubject: x\r\n";
        let inner = String::from_utf8(nested("c", "mixed", &[draft, other])).unwrap();
        let out = remove_legacy_display(&entity("mixed", &[&inner, other])).unwrap();
        let inner_out = String::from_utf8(nested("c", "mixed", &[other])).unwrap();
        assert_eq!(out, entity("mixed", &[&inner_out, other]));
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        let e = b"Content-Type: text/plain; hp=\"cipher\"\r\n\r\nSubject: x\r\n\r\nHello\r\n";
        assert!(remove_legacy_display(e).is_none());
        let e = b"Content-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nHello there\r\n";
        assert!(remove_legacy_display(e).is_none());
    }
}
