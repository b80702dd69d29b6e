//! Header fields we write: character classes (RFC 5322 §3.2.3), RFC 2047 encoded-words for
//! `unstructured` text and display names, `phrase` / `quoted-string` / `mailbox`
//! (RFC 5322 §3.2.4, §3.4), and folding at 78 columns (RFC 5322 §2.1.1, §2.2.3).

use base64::Engine as _;

use super::{EncodeError, FOLD_AT, MAX_LINE};

/// `atext` of RFC 5322 §3.2.3.
pub fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// True when `s` is a `dot-atom-text` (RFC 5322 §3.2.3).
pub fn is_dot_atom_text(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.chars().all(is_atext))
}

/// True when every char is printable US-ASCII or SP/HTAB.
fn is_plain_ascii(s: &str) -> bool {
    s.chars()
        .all(|c| c == ' ' || c == '\t' || c.is_ascii_graphic())
}

/// The longest encoded-word RFC 2047 §2 allows.
const MAX_ENCODED_WORD: usize = 75;
/// `=?utf-8?B?` + `?=`.
const EW_OVERHEAD: usize = 12;

/// Encode `text` as a sequence of `=?utf-8?B?…?=` encoded-words separated by single spaces,
/// each at most 75 characters, never splitting a UTF-8 character (RFC 2047 §2, §5).
/// Whitespace between adjacent encoded-words is ignored by decoders, so the original text
/// (including its spaces) is restored exactly.
pub fn encoded_words(text: &str) -> String {
    // RFC 2047 allows 75 characters; we stay at 60 (48 base64 characters = 36 octets) so
    // that a word still fits on the first line after most field names.
    let max_octets = (MAX_ENCODED_WORD - EW_OVERHEAD - 15) / 4 * 3;
    let mut out = String::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > max_octets {
            push_word(&mut out, &chunk);
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || out.is_empty() {
        push_word(&mut out, &chunk);
    }
    out
}

fn push_word(out: &mut String, chunk: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str("=?utf-8?B?");
    out.push_str(&base64::engine::general_purpose::STANDARD.encode(chunk.as_bytes()));
    out.push_str("?=");
}

/// An `unstructured` header value (RFC 5322 §3.2.5), e.g. `Subject`.
///
/// Plain printable ASCII is kept as is (unless it contains `=?`, which a decoder could take
/// for an encoded-word). Otherwise the span from the first to the last word that needs
/// encoding becomes encoded-words; the ASCII words before and after stay readable.
pub fn unstructured(text: &str) -> String {
    let needs = |w: &str| !is_plain_ascii(w) || w.contains("=?");
    let is_ws = |c: char| c == ' ' || c == '\t';
    // Leading/trailing whitespace does not survive a header line (parsers trim it), so it
    // is carried inside encoded-words.
    let lead = text.len() - text.trim_start_matches(is_ws).len();
    let trail = text.len() - text.trim_end_matches(is_ws).len();
    if !needs(text) && lead == 0 && trail == 0 {
        return text.to_string();
    }
    // Word boundaries: split on ASCII spaces, keep byte offsets.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            if let Some(s) = start.take() {
                words.push((s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    let flagged: Vec<usize> = words
        .iter()
        .enumerate()
        .filter(|(_, (s, e))| text.get(*s..*e).is_some_and(needs))
        .map(|(i, _)| i)
        .collect();
    let (Some(&first), Some(&last)) = (flagged.first(), flagged.last()) else {
        return encoded_words(text);
    };
    let (Some(&(mut span_start, _)), Some(&(_, mut span_end))) =
        (words.get(first), words.get(last))
    else {
        return encoded_words(text);
    };
    if lead > 0 {
        span_start = 0;
    }
    if trail > 0 {
        span_end = text.len();
    }
    // A plain word and an encoded-word must be separated by exactly one space (RFC 2047
    // §5 (1)), which decoders keep; other whitespace runs there are collapsed by some, so
    // then the plain text on that side is encoded too.
    let before = text.get(..span_start).unwrap_or("");
    let ws_before = before.len() - before.trim_end_matches(is_ws).len();
    if before.get(before.len() - ws_before..) != Some(" ") {
        span_start = 0;
    }
    let after = text.get(span_end..).unwrap_or("");
    let ws_after = after.len() - after.trim_start_matches(is_ws).len();
    if after.get(..ws_after) != Some(" ") {
        span_end = text.len();
    }
    let (Some(pre), Some(mid), Some(post)) = (
        text.get(..span_start),
        text.get(span_start..span_end),
        text.get(span_end..),
    ) else {
        return encoded_words(text);
    };
    format!("{pre}{}{post}", encoded_words(mid))
}

/// A `display-name` (RFC 5322 §3.4 `phrase`): atoms as is, otherwise a `quoted-string`, or
/// RFC 2047 encoded-words when the name is not ASCII (RFC 2047 §5 (3)).
pub fn phrase(name: &str) -> String {
    if !is_plain_ascii(name) || name.contains("=?") {
        return encoded_words(name);
    }
    let atoms = !name.is_empty()
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && !name.contains("  ")
        && name.chars().all(|c| c == ' ' || is_atext(c));
    if atoms {
        return name.to_string();
    }
    quoted_string(name)
}

/// A `quoted-string` (RFC 5322 §3.2.4): `"` and `\` are escaped with `\`.
pub fn quoted_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// One `mailbox` (RFC 5322 §3.4): `addr-spec` or `display-name <addr-spec>`.
/// `addr` must already be a validated addr-spec.
pub fn mailbox(name: Option<&str>, addr: &str) -> String {
    match name {
        Some(n) if !n.is_empty() => format!("{} <{addr}>", phrase(n)),
        _ => addr.to_string(),
    }
}

/// A header section under construction: fields in order, written folded with CRLF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    fields: Vec<(String, String)>,
}

impl Headers {
    /// An empty header section.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append a field. `value` must be free of CR/LF (checked by the caller).
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.fields.push((name.to_string(), value.into()));
    }

    /// The fields in order, `(name, unfolded value)`.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// First value of a field (case-insensitive name).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Remove every field with this name (case-insensitive).
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Serialise every field, folded, each ending in CRLF.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        for (name, value) in &self.fields {
            fold_field(name, value, out)?;
        }
        Ok(())
    }
}

/// Write `Name: value` CRLF, folding at whitespace so lines stay within 78 columns where
/// possible (RFC 5322 §2.2.3). A fold inserts CRLF *before* an existing space, so unfolding
/// restores the value exactly. A word that cannot fit is written on its own line; if it is
/// longer than 998 octets the field is rejected.
pub fn fold_field(name: &str, value: &str, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut line_len = name.len() + 1; // "Name:"
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    // Split into segments each starting with its leading whitespace: " word".
    let mut segments: Vec<&str> = Vec::new();
    let bytes = value.as_bytes();
    let mut seg_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // a segment boundary is a space/tab preceded by a non-space
        let is_ws = matches!(bytes.get(i), Some(b' ') | Some(b'\t'));
        let prev_ws = i == 0 || matches!(bytes.get(i - 1), Some(b' ') | Some(b'\t'));
        if is_ws && !prev_ws && i > seg_start {
            if let Some(s) = value.get(seg_start..i) {
                segments.push(s);
            }
            seg_start = i;
        }
        i += 1;
    }
    if let Some(s) = value.get(seg_start..) {
        if !s.is_empty() {
            segments.push(s);
        }
    }
    let mut first = true;
    for seg in segments {
        // the first segment gets the single space after the colon
        let piece: std::borrow::Cow<'_, str> = if first && !seg.starts_with([' ', '\t']) {
            format!(" {seg}").into()
        } else {
            seg.into()
        };
        first = false;
        // Fold before this piece when it does not fit; right after the colon only if the
        // piece then fits (an empty first line `Name:` is legal: FWS may follow the colon).
        let at_start = line_len == name.len() + 1;
        if line_len + piece.len() > FOLD_AT && (!at_start || piece.len() <= FOLD_AT) {
            out.extend_from_slice(b"\r\n");
            line_len = 0;
        }
        if line_len + piece.len() > MAX_LINE {
            return Err(EncodeError::LineTooLong);
        }
        out.extend_from_slice(piece.as_bytes());
        line_len += piece.len();
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_roundtrip_and_length() {
        let s = "Übung — Ä Ö Ü ß ".repeat(8);
        let ew = encoded_words(&s);
        for w in ew.split(' ') {
            assert!(w.len() <= 75, "{w}");
            assert!(w.starts_with("=?utf-8?B?") && w.ends_with("?="));
        }
        let decoded: String = ew
            .split(' ')
            .map(|w| {
                let b64 = &w[10..w.len() - 2];
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap(),
                )
                .unwrap()
            })
            .collect();
        assert_eq!(decoded, s);
    }

    #[test]
    fn unstructured_keeps_ascii_edges() {
        assert_eq!(unstructured("Plain subject"), "Plain subject");
        let u = unstructured("Re: Übung morgen 0800");
        assert!(u.starts_with("Re: =?utf-8?B?"), "{u}");
        assert!(u.ends_with("?= morgen 0800"), "{u}");
        assert!(unstructured("looks =?like?= ew").contains("=?utf-8?B?"));
    }

    #[test]
    fn phrase_forms() {
        assert_eq!(phrase("Alice Smith"), "Alice Smith");
        assert_eq!(phrase("Smith, Alice"), "\"Smith, Alice\"");
        assert_eq!(phrase("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
        assert!(phrase("Jürgen").starts_with("=?utf-8?B?"));
    }

    #[test]
    fn folding_restores_value() {
        let value = (0..30)
            .map(|i| format!("<user{i}@example.mil>"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut out = Vec::new();
        fold_field("To", &value, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        for l in s.split("\r\n") {
            assert!(l.len() <= 78, "{l}");
        }
        let unfolded = s.trim_end_matches("\r\n").replace("\r\n", "");
        assert_eq!(unfolded, format!("To: {value}"));
    }

    #[test]
    fn folding_rejects_huge_word() {
        let mut out = Vec::new();
        assert_eq!(
            fold_field("X", &"a".repeat(1200), &mut out),
            Err(EncodeError::LineTooLong)
        );
    }
}
