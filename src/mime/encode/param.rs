//! MIME parameter values we write (RFC 2045 §5.1 `token` / `quoted-string`, RFC 2231
//! extended values with continuations).

use super::header::quoted_string;
use super::FOLD_AT;

/// `tspecials` of RFC 2045 §5.1.
fn is_tspecial(c: char) -> bool {
    "()<>@,;:\\\"/[]?=".contains(c)
}

/// True when `s` is an RFC 2045 `token`.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !is_tspecial(c) && c != ' ')
}

/// `attribute-char` of RFC 2231 §7: token chars except `*`, `'`, `%`.
fn is_attribute_char(b: u8) -> bool {
    b.is_ascii_graphic() && !is_tspecial(b as char) && !matches!(b, b'*' | b'\'' | b'%')
}

/// Render `; name=value`, choosing the simplest correct form:
/// token, quoted-string (printable ASCII), or RFC 2231 extended `name*=utf-8''%XX…`
/// (split into `name*0*`, `name*1*` … continuations so lines can fold).
pub fn param(name: &str, value: &str) -> String {
    if is_token(value) {
        return format!("; {name}={value}");
    }
    if value.chars().all(|c| c == ' ' || c.is_ascii_graphic()) && value.len() <= 60 {
        return format!("; {name}={}", quoted_string(value));
    }
    // RFC 2231 §4: charset'language'%-encoded; §3: continuations.
    // One piece per character (all its %XX octets), so continuations never split a UTF-8
    // sequence: some decoders (mail-parser among them) decode each segment on its own.
    let mut pieces: Vec<String> = Vec::with_capacity(value.len());
    for c in value.chars() {
        let mut buf = [0u8; 4];
        let mut piece = String::new();
        for b in c.encode_utf8(&mut buf).as_bytes() {
            if is_attribute_char(*b) {
                piece.push(*b as char);
            } else {
                piece.push_str(&format!("%{b:02X}"));
            }
        }
        pieces.push(piece);
    }
    let encoded: String = pieces.concat();
    if encoded.len() + name.len() + 11 <= FOLD_AT - 2 {
        return format!("; {name}*=utf-8''{encoded}");
    }
    // Continuations of at most 60 characters, never splitting a character.
    const CHUNK: usize = 60;
    let mut chunks: Vec<String> = vec![String::new()];
    for piece in pieces {
        let full = chunks.last().is_some_and(|c| c.len() + piece.len() > CHUNK);
        if full {
            chunks.push(String::new());
        }
        if let Some(c) = chunks.last_mut() {
            c.push_str(&piece);
        }
    }
    let mut out = String::new();
    for (n, head) in chunks.iter().enumerate() {
        if n == 0 {
            out.push_str(&format!("; {name}*0*=utf-8''{head}"));
        } else {
            out.push_str(&format!("; {name}*{n}*={head}"));
        }
    }
    out
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
    }
}
