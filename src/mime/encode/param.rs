//! MIME parameter values we write (RFC 2045 §5.1 `token` / `quoted-string`, RFC 2231
//! extended values with continuations).

use super::header::quoted_string;

/// `tspecials` of RFC 2045 §5.1.
fn is_tspecial(c: char) -> bool {
    "()<>@,;:\\\"/[]?=".contains(c)
}

/// A character of an RFC 2045 §5.1 `token`: US-ASCII, not SPACE, a control or a `tspecial`.
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii_graphic() && !is_tspecial(c)
}

/// True when `s` is an RFC 2045 `token`.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_token_char)
}

/// `attribute-char` of RFC 2231 §7: token chars except `*`, `'`, `%`.
fn is_attribute_char(b: u8) -> bool {
    b.is_ascii_graphic() && !is_tspecial(b as char) && !matches!(b, b'*' | b'\'' | b'%')
}

/// Characters per continuation section (RFC 2231 §3), so that a long value folds between
/// sections; also the longest value written in one piece.
pub const SEGMENT: usize = 60;

/// Render `; name=value` ([`param_text`]), as it follows a media type or another parameter.
pub fn param(name: &str, value: &str) -> String {
    format!("; {}", param_text(name, value))
}

/// Render one parameter `name=value` in the simplest correct form (RFC 2045 §5.1,
/// RFC 2231):
/// - a `token` of at most [`SEGMENT`] characters as it is;
/// - other printable ASCII of at most [`SEGMENT`] characters as a `quoted-string`;
/// - longer printable ASCII as continuations `name*0="…"; name*1="…"` (RFC 2231 §3), each
///   a quoted-string of at most [`SEGMENT`] characters, readable as they are;
/// - anything else (non-ASCII, control characters) as the extended value
///   `name*=utf-8''%XX…` (RFC 2231 §4), split into `name*0*=utf-8''…; name*1*=…`
///   continuations when longer than [`SEGMENT`]; a character's `%XX` octets never straddle
///   two sections, since some decoders (mail-parser among them) decode each on its own.
///
/// Sections are joined with `"; "`, so a header writer can fold between them.
pub fn param_text(name: &str, value: &str) -> String {
    let printable = value.chars().all(|c| c == ' ' || c.is_ascii_graphic());
    if printable && value.len() <= SEGMENT {
        return if is_token(value) {
            format!("{name}={value}")
        } else {
            format!("{name}={}", quoted_string(value))
        };
    }
    if printable {
        // ASCII: one octet a character, so byte chunks are character chunks.
        return value
            .as_bytes()
            .chunks(SEGMENT)
            .enumerate()
            .map(|(n, c)| {
                let chunk: String = c.iter().copied().map(char::from).collect();
                format!("{name}*{n}={}", quoted_string(&chunk))
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    // RFC 2231 §4: charset'language'%-encoded, one piece per character.
    let mut sections: Vec<String> = vec![String::new()];
    for c in value.chars() {
        let mut buf = [0u8; 4];
        let mut piece = String::new();
        for b in c.encode_utf8(&mut buf).as_bytes() {
            if is_attribute_char(*b) {
                piece.push(char::from(*b));
            } else {
                piece.push_str(&format!("%{b:02X}"));
            }
        }
        let full = sections
            .last()
            .is_some_and(|s| !s.is_empty() && s.len() + piece.len() > SEGMENT);
        if full {
            sections.push(String::new());
        }
        if let Some(s) = sections.last_mut() {
            s.push_str(&piece);
        }
    }
    if let [one] = sections.as_slice() {
        return format!("{name}*=utf-8''{one}");
    }
    sections
        .iter()
        .enumerate()
        .map(|(n, s)| {
            if n == 0 {
                format!("{name}*0*=utf-8''{s}")
            } else {
                format!("{name}*{n}*={s}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2231_param() {
        assert_eq!(param("filename", "report.pdf"), "; filename=report.pdf");
        assert_eq!(
            param("filename", "my report.pdf"),
            "; filename=\"my report.pdf\""
        );
        assert_eq!(
            param("filename", "Übung.txt"),
            "; filename*=utf-8''%C3%9Cbung.txt"
        );
        let long = param("filename", &"Ü".repeat(40));
        assert!(long.starts_with("; filename*0*=utf-8''%C3%9C"));
        assert!(long.contains("; filename*1*=%C3%9C"));
        // no %XX split across continuations
        for seg in long.split("; ").skip(1) {
            let v = seg.split('=').nth(1).unwrap();
            let v = v.trim_start_matches("utf-8''");
            assert_eq!(v.len() % 3, 0, "{seg}");
        }
        // long printable ASCII: readable quoted continuations (RFC 2231 §3)
        let ascii = format!("{}.txt", "a b ".repeat(20));
        assert_eq!(
            param_text("filename", &ascii),
            format!(
                "filename*0=\"{}\"; filename*1=\"{}\"",
                &ascii[..60],
                &ascii[60..]
            )
        );
        // a long token too: no line may grow without bound
        let token = "A".repeat(61);
        assert!(param_text("label", &token).starts_with("label*0=\"AAAA"));
        // a control character is never written raw
        assert_eq!(param_text("x", "a\tb"), "x*=utf-8''a%09b");
        assert_eq!(param_text("x", ""), "x=\"\"");
    }
}
