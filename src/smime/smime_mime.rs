//! The MIME side of S/MIME signing (RFC 8551 §3.5, RFC 1847 §2.1): splitting an RFC 5322
//! message into its header fields and body byte-exactly, canonical CRLF form, the
//! Content-Type grammar we need (RFC 2045 §5.1: type/subtype; parameters, quoted strings),
//! multipart body splitting (RFC 2046 §5.1.1) keeping the exact octets of each part, and
//! base64 transfer encoding.

use std::borrow::Cow;

use base64::Engine;

/// One header field as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// Field name as written.
    pub name: &'a str,
    /// The whole field, folding and the final line break included.
    pub raw: &'a [u8],
    /// The unfolded value, leading/trailing whitespace trimmed (lossy UTF-8).
    pub value: String,
}

/// Split a message (or MIME entity) into header section and body. The header section
/// excludes the empty line; the body starts after it. A message without an empty line is
/// all header.
pub fn split_message(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0usize;
    // An entity may start with the empty line (no header fields at all).
    if raw.starts_with(b"\r\n") {
        return (&raw[..0], &raw[2..]);
    }
    if raw.starts_with(b"\n") {
        return (&raw[..0], &raw[1..]);
    }
    while i < raw.len() {
        if raw[i] == b'\n' {
            let next = &raw[i + 1..];
            if next.starts_with(b"\r\n") {
                return (&raw[..i + 1], &raw[i + 3..]);
            }
            if next.starts_with(b"\n") {
                return (&raw[..i + 1], &raw[i + 2..]);
            }
        }
        i += 1;
    }
    (raw, &raw[raw.len()..])
}

/// The header fields of a header section, in order.
pub fn fields(header: &[u8]) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    let n = header.len();
    while start < n {
        // Find the end of this field: a line break not followed by WSP.
        i = i.max(start);
        let mut end = n;
        while i < n {
            if header[i] == b'\n' {
                let cont = header.get(i + 1).is_some_and(|b| *b == b' ' || *b == b'\t');
                if !cont {
                    end = i + 1;
                    i += 1;
                    break;
                }
            }
            i += 1;
        }
        if i >= n {
            end = n;
        }
        let raw = &header[start..end];
        if let Some(colon) = raw.iter().position(|b| *b == b':') {
            let name = std::str::from_utf8(&raw[..colon]).unwrap_or("").trim();
            if !name.is_empty() && !name.contains(' ') {
                let value = String::from_utf8_lossy(&raw[colon + 1..]);
                let unfolded: String = value.replace("\r\n", "").replace('\n', "");
                out.push(Field {
                    name,
                    raw,
                    value: unfolded.trim().to_string(),
                });
            }
        }
        start = end;
    }
    out
}

/// The first field named `name` (case-insensitive).
pub fn field<'a, 'b>(fields: &'b [Field<'a>], name: &str) -> Option<&'b Field<'a>> {
    fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// Whether a header field name is a MIME `Content-*` field (RFC 2045 §3: it belongs to the
/// entity, not to the message). Compared on bytes, so a field name with non-ASCII octets
/// (malformed, RFC 5322 §3.6.8 allows printable US-ASCII only) is simply not one.
pub fn is_content_field(name: &str) -> bool {
    name.as_bytes()
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"content-"))
}

/// The message an inner entity stands for: the outer header fields of `message` except its
/// `Content-*` fields ([`is_content_field`]), then `entity` (RFC 8551 §3.1: the inner MIME
/// entity of a layer replaces the outer one's content; the message's own fields stay).
pub fn with_outer_fields(message: &[u8], entity: &[u8]) -> Vec<u8> {
    let (header, _) = split_message(message);
    let mut out = Vec::with_capacity(header.len() + entity.len());
    for f in fields(header) {
        if !is_content_field(f.name) {
            out.extend_from_slice(f.raw);
        }
    }
    out.extend_from_slice(entity);
    out
}

/// Convert bare LF line ends to CRLF (RFC 8551 §3.1.1 canonical form). Borrowed when the
/// input is already canonical.
pub fn canonical_crlf(data: &[u8]) -> Cow<'_, [u8]> {
    let bare = data
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\n' && (i == 0 || data[i - 1] != b'\r'));
    if !bare {
        return Cow::Borrowed(data);
    }
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    for (i, b) in data.iter().enumerate() {
        if *b == b'\n' && (i == 0 || data[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(*b);
    }
    Cow::Owned(out)
}

/// A parsed Content-Type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaType {
    /// `type/subtype`, lower case.
    pub mime: String,
    /// Parameters, names lower case, values unquoted.
    pub params: Vec<(String, String)>,
}

impl MediaType {
    /// Parameter value by name (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The Content-Type of a header section's fields, `text/plain` when it has none (RFC 2045
/// §5.2 default).
pub fn entity_media_type(fields: &[Field<'_>]) -> MediaType {
    media_type(
        field(fields, "content-type")
            .map(|f| f.value.as_str())
            .unwrap_or("text/plain"),
    )
}

/// Parse a Content-Type value (comments are not supported inside; they are rare here).
pub fn media_type(value: &str) -> MediaType {
    let mut parts = split_params(value).into_iter();
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let mut params = Vec::new();
    for p in parts {
        if let Some((k, v)) = p.split_once('=') {
            let v = v.trim();
            let v = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                let inner = &v[1..v.len() - 1];
                let mut s = String::with_capacity(inner.len());
                let mut esc = false;
                for c in inner.chars() {
                    if esc {
                        s.push(c);
                        esc = false;
                    } else if c == '\\' {
                        esc = true;
                    } else {
                        s.push(c);
                    }
                }
                s
            } else {
                v.to_string()
            };
            params.push((k.trim().to_ascii_lowercase(), v));
        }
    }
    MediaType { mime, params }
}

fn split_params(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut esc = false;
    for c in value.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                cur.push(c);
                esc = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Split a multipart body into the exact octets of each body part (RFC 2046 §5.1.1: the
/// CRLF preceding a delimiter belongs to the delimiter). Returns `None` when the opening
/// delimiter is missing or the boundary is empty.
pub fn multipart_parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<&'a [u8]>> {
    if boundary.is_empty() || boundary.len() > 70 {
        return None;
    }
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    // Positions of delimiter lines: at the start of the body or right after a line break.
    let mut lines: Vec<(usize, usize, bool)> = Vec::new(); // (line start, content start, close)
    let mut pos = 0usize;
    while pos <= body.len() {
        let line_end = body[pos..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|i| pos + i + 1)
            .unwrap_or(body.len());
        let line = &body[pos..line_end];
        if line.starts_with(d) {
            let rest = &line[d.len()..];
            let close = rest.starts_with(b"--");
            let tail = if close { &rest[2..] } else { rest };
            if tail
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            {
                lines.push((pos, line_end, close));
                if close {
                    break;
                }
            }
        }
        if line_end >= body.len() {
            break;
        }
        pos = line_end;
    }
    if lines.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for w in lines.windows(2) {
        let (_, start, close) = w[0];
        if close {
            break;
        }
        let (next_line, _, _) = w[1];
        let mut end = next_line;
        if end >= 2 && &body[end - 2..end] == b"\r\n" && end - 2 >= start {
            end -= 2;
        } else if end >= 1 && body[end - 1] == b'\n' && end > start {
            end -= 1;
        }
        parts.push(&body[start..end.max(start)]);
    }
    Some(parts)
}

/// Decode a base64 body, ignoring whitespace and line breaks.
pub fn base64_decode(body: &[u8]) -> Result<Vec<u8>, String> {
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .map_err(|e| format!("bad base64: {e}"))
}

/// Base64 in lines of 76 characters, each ended by CRLF (RFC 2045 §6.8).
pub use crate::mime::encode::base64_lines;

/// Decode a body per its Content-Transfer-Encoding (`base64`, or identity for
/// `7bit`/`8bit`/`binary`/absent). quoted-printable is decoded too.
pub fn decode_transfer(body: &[u8], cte: Option<&str>) -> Result<Vec<u8>, String> {
    match cte.map(|c| c.trim().to_ascii_lowercase()) {
        Some(c) if c == "base64" => base64_decode(body),
        Some(c) if c == "quoted-printable" => Ok(qp_decode(body)),
        _ => Ok(body.to_vec()),
    }
}

fn qp_decode(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b == b'=' {
            if body.get(i + 1) == Some(&b'\r') && body.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if body.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            let hex = body
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// The addr-specs of an address-list header value (`Name <a@b>, c@d`), lower-cased domain.
pub fn addresses(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut cur = String::new();
    let mut items = Vec::new();
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => items.push(std::mem::take(&mut cur)),
            _ if depth > 0 => {}
            _ => cur.push(c),
        }
    }
    items.push(cur);
    for item in items {
        let item = item.trim();
        let addr = match (item.rfind('<'), item.rfind('>')) {
            (Some(a), Some(b)) if b > a => item[a + 1..b].trim().to_string(),
            _ => {
                // group syntax "name: a@b;" or bare addr-spec
                let s = item.rsplit(':').next().unwrap_or(item);
                s.trim().trim_end_matches(';').trim().to_string()
            }
        };
        if addr.contains('@') {
            out.push(normalize_address(&addr));
        }
    }
    out
}

/// Normalise an address for comparison: domain lower case, local part ASCII lower case
/// (RFC 9788 §4.4 comparison).
pub fn normalize_address(a: &str) -> String {
    a.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_field_names_never_panic() {
        assert!(is_content_field("Content-Type"));
        assert!(is_content_field("content-transfer-encoding"));
        assert!(!is_content_field("Subject"));
        assert!(!is_content_field("Conte"));
        // Multi-byte characters across the eighth octet.
        assert!(!is_content_field("Contenté-x"));
        assert!(!is_content_field("ééééé"));
    }

    #[test]
    fn split_and_fields() {
        let m = b"From: a@b\r\nSubject: x\r\n y\r\n\r\nbody\r\n";
        let (h, b) = split_message(m);
        assert_eq!(b, b"body\r\n");
        let f = fields(h);
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].value, "x y");
        assert_eq!(f[1].raw, b"Subject: x\r\n y\r\n");
    }

    #[test]
    fn media_types() {
        let t = media_type(
            "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;\r\n boundary=\"a;b\"",
        );
        assert_eq!(t.mime, "multipart/signed");
        assert_eq!(t.param("boundary"), Some("a;b"));
        assert_eq!(t.param("MICALG"), Some("sha-256"));
    }

    #[test]
    fn multipart_exact_parts() {
        let body = b"preamble\r\n--b\r\nA: 1\r\n\r\nx\r\n--b\r\nsig\r\n--b--\r\n";
        let parts = multipart_parts(body, "b").unwrap();
        assert_eq!(parts, vec![&b"A: 1\r\n\r\nx"[..], &b"sig"[..]]);
        assert!(multipart_parts(b"nothing", "b").is_none());
    }

    #[test]
    fn address_lists() {
        assert_eq!(
            addresses("\"Doe, J\" <J.Doe@Army.Example>, x@y.z (c)"),
            vec!["j.doe@army.example".to_string(), "x@y.z".to_string()]
        );
    }

    #[test]
    fn crlf() {
        assert_eq!(&*canonical_crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
    }
}
