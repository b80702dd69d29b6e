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

use crate::mime::encode::Part;
use crate::mime::entity::{media_type, multipart_parts};
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
        let parts = multipart_parts(body, boundary)?;
        // multipart/alternative: every alternative may carry its own element; otherwise the
        // Main Body Part is found through the first part.
        let candidates: Vec<usize> = if sub == "alternative" {
            (0..parts.len()).collect()
        } else {
            vec![0]
        };
        let mut changed = false;
        let mut new_parts: Vec<Option<Vec<u8>>> = parts.iter().map(|p| Some(p.to_vec())).collect();
        for i in candidates {
            let Some(part) = parts.get(i) else { continue };
            match strip(part, depth + 1) {
                Some(Stripped::Entity(e)) => {
                    if let Some(slot) = new_parts.get_mut(i) {
                        *slot = Some(e);
                    }
                    changed = true;
                }
                Some(Stripped::RemovePart) => {
                    if let Some(slot) = new_parts.get_mut(i) {
                        *slot = None;
                    }
                    changed = true;
                }
                None => {}
            }
        }
        if !changed {
            return None;
        }
        // The entity keeps its own header section (and so its boundary); the remaining
        // parts are written back octet for octet.
        let parts = new_parts.into_iter().flatten().map(Part::Entity).collect();
        let rebuilt = Part::multipart_with_boundary(sub, &[], boundary.to_string(), b"", parts);
        let mut out = Vec::with_capacity(entity.len());
        out.extend_from_slice(head);
        rebuilt.write_body(&mut out).ok()?;
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

    #[test]
    fn leaves_ordinary_text_alone() {
        let e = b"Content-Type: text/plain; hp=\"cipher\"\r\n\r\nSubject: x\r\n\r\nHello\r\n";
        assert!(remove_legacy_display(e).is_none());
        let e = b"Content-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nHello there\r\n";
        assert!(remove_legacy_display(e).is_none());
    }
}
