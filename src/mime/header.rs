//! Raw RFC 5322 header-section reader (and header-value checks) shared by every module.
//!
//! [RFC 5322 §2.2](https://www.rfc-editor.org/rfc/rfc5322#section-2.2) /
//! [§3.2.2](https://www.rfc-editor.org/rfc/rfc5322#section-3.2.2) /
//! [§3.6.8](https://www.rfc-editor.org/rfc/rfc5322#section-3.6.8):
//!
//! ```text
//! fields          = *(field)                       ; header section, then CRLF, then body
//! optional-field  = field-name ":" unstructured CRLF
//! field-name      = 1*ftext
//! ftext           = %d33-57 / %d59-126             ; printable US-ASCII except ":"
//! FWS             = ([*WSP CRLF] 1*WSP) / obs-FWS  ; folding: CRLF followed by WSP
//! ```
//!
//! [`HeaderSection::parse`] reads the header section of a message or MIME entity **without
//! copying**: every [`Field`] borrows its name and raw value from the input and records its
//! byte span, so callers (S/MIME canonicalisation, header protection, DKIM-style hashing) can
//! address the original bytes exactly. Both CRLF and bare-LF line ends are accepted (messages
//! read from disk or from a webmail API often use LF). [`Field::unfolded`] removes folding
//! (allocating only when the value was folded or is not UTF-8) and
//! [`decode_encoded_words`] decodes RFC 2047 encoded-words for display.
//!
//! Lines inside the header section that are not fields (no colon, bad field-name, a leading
//! continuation line, an mbox `From ` line) are skipped and reported as [`Defect`]s rather than
//! failing the whole parse — a received message must still be inspectable. Only the limits
//! ([`Limits`]) produce an [`Error`].
//!
//! For *generated* header values, [`check_header_value`] rejects CR, LF and NUL (header
//! injection), see [RFC 5322 §2.2](https://www.rfc-editor.org/rfc/rfc5322#section-2.2).

use std::borrow::Cow;
use std::ops::Range;

use crate::coded::Coded;

/// Default maximum size of a header section in bytes (1 MiB).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 1024 * 1024;
/// Default maximum number of header fields.
pub const DEFAULT_MAX_FIELDS: usize = 10_000;

/// Errors of the header reader and of [`check_header_value`]; each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The header section is larger than [`Limits::max_header_bytes`]. Code `header-too-large`.
    #[error("header section exceeds {limit} bytes")]
    TooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The header section has more fields than [`Limits::max_fields`]. Code `header-too-many-fields`.
    #[error("header section has more than {limit} fields")]
    TooManyFields {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A header value to be generated contains CR or LF. Code `header-crlf`.
    #[error("header value contains a CR or LF character at byte {position}")]
    Crlf {
        /// Byte offset of the offending character in the value.
        position: usize,
    },
    /// A header value to be generated contains NUL. Code `header-nul`.
    #[error("header value contains a NUL character at byte {position}")]
    Nul {
        /// Byte offset of the offending character in the value.
        position: usize,
    },
    /// A header field name to be generated is not `1*ftext`. Code `header-name-invalid`.
    #[error("invalid header field name {0:?}")]
    InvalidName(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "header-too-large",
            Error::TooManyFields { .. } => "header-too-many-fields",
            Error::Crlf { .. } => "header-crlf",
            Error::Nul { .. } => "header-nul",
            Error::InvalidName(_) => "header-name-invalid",
        }
    }
}

/// Limits applied while reading a header section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum header-section size in bytes (up to and including the blank line).
    pub max_header_bytes: usize,
    /// Maximum number of fields.
    pub max_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_fields: DEFAULT_MAX_FIELDS,
        }
    }
}

/// Something in the header section that is not a well-formed field; it was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// What is wrong.
    pub kind: DefectKind,
    /// Byte span of the offending line (without its line end).
    pub span: Range<usize>,
}

/// Kinds of [`Defect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DefectKind {
    /// A line without a colon (or an empty field name).
    NotAField,
    /// A field name containing characters outside `ftext` (e.g. spaces before the colon).
    InvalidName,
    /// A continuation line (starting with WSP) before any field.
    LeadingContinuation,
    /// A bare CR not followed by LF inside a field.
    BareCr,
    /// White space between the field name and the colon (RFC 5322 §4.5.8 obsolete syntax);
    /// the field is kept under its name without the white space.
    WspBeforeColon,
    /// A field name with non-ASCII (UTF-8) characters (RFC 5322 §3.6.8 allows printable
    /// US-ASCII only); the field is kept.
    NonAsciiName,
}

/// One header field, borrowing from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field name as written (case preserved).
    pub name: &'a str,
    /// The raw value: every byte after the colon up to (not including) the final line end,
    /// folding line ends included.
    pub raw_value: &'a [u8],
    /// Byte span of the whole field in the input, including its final line end.
    pub span: Range<usize>,
}

impl<'a> Field<'a> {
    /// Whether the field has the given name (ASCII case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The unfolded value: folding line ends (CRLF or LF before WSP) removed and surrounding
    /// whitespace trimmed (RFC 5322 §2.2.3). Borrows when the value is unfolded UTF-8;
    /// non-UTF-8 bytes are replaced by U+FFFD.
    pub fn unfolded(&self) -> Cow<'a, str> {
        unfold(self.raw_value)
    }

    /// The unfolded value with RFC 2047 encoded-words decoded, for display.
    pub fn display_value(&self) -> String {
        decode_encoded_words(&self.unfolded()).into_owned()
    }
}

/// A parsed header section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSection<'a> {
    /// The fields, in order of appearance.
    pub fields: Vec<Field<'a>>,
    /// Offset of the first body byte (just after the blank line). Equals the input length when
    /// there is no blank line (header-only input).
    pub body_offset: usize,
    /// Whether a blank line separating header and body was found.
    pub has_body_separator: bool,
    /// Lines that were skipped.
    pub defects: Vec<Defect>,
}

impl<'a> HeaderSection<'a> {
    /// Parse with [`Limits::default`].
    pub fn parse(input: &'a [u8]) -> Result<Self, Error> {
        Self::parse_with_limits(input, Limits::default())
    }

    /// Parse the header section at the start of `input`.
    pub fn parse_with_limits(input: &'a [u8], limits: Limits) -> Result<Self, Error> {
        let mut fields: Vec<Field<'a>> = Vec::new();
        let mut defects = Vec::new();
        let mut pos = 0usize;
        let mut body_offset = input.len();
        let mut has_body_separator = false;
        // Index into `fields` of the field that continuation lines extend, and the offset of
        // its value, if any.
        let mut open: Option<(usize, usize)> = None;

        while pos < input.len() {
            let (line_end, next) = line_bounds(input, pos);
            if next > limits.max_header_bytes {
                return Err(Error::TooLarge {
                    limit: limits.max_header_bytes,
                });
            }
            let line = input.get(pos..line_end).unwrap_or_default();
            if line.is_empty() {
                body_offset = next;
                has_body_separator = true;
                break;
            }
            if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                match open.and_then(|(i, value_start)| Some((fields.get_mut(i)?, value_start))) {
                    Some((f, value_start)) => {
                        f.raw_value = input.get(value_start..line_end).unwrap_or_default();
                        f.span.end = next;
                    }
                    None => defects.push(Defect {
                        kind: DefectKind::LeadingContinuation,
                        span: pos..line_end,
                    }),
                }
                pos = next;
                continue;
            }
            open = None;
            match line.iter().position(|b| *b == b':') {
                Some(colon) if colon > 0 => {
                    let written = line.get(..colon).unwrap_or_default();
                    // RFC 5322 §4.5.8: `obs-optional = field-name *WSP ":" unstructured CRLF`.
                    // Readers must accept the obsolete form, so a field spelled `From :` is
                    // a From field here as it is for every other mail reader (a verifier
                    // that skipped it would judge a different header than the one shown).
                    let name_bytes = trim_end_wsp(written);
                    // A name with non-ASCII characters is malformed (RFC 5322 §3.6.8, and
                    // RFC 6532 §3.2 keeps field names ASCII) but other readers take it as a
                    // field, so it is one here too, with a defect; invalid UTF-8 is not.
                    let non_ascii = !name_bytes.is_ascii();
                    let name_ok = name_bytes.iter().all(|b| is_ftext(*b) || *b >= 0x80)
                        && std::str::from_utf8(name_bytes).is_ok();
                    if !name_bytes.is_empty() && name_ok {
                        if name_bytes.len() < written.len() {
                            defects.push(Defect {
                                kind: DefectKind::WspBeforeColon,
                                span: pos..line_end,
                            });
                        }
                        if non_ascii {
                            defects.push(Defect {
                                kind: DefectKind::NonAsciiName,
                                span: pos..line_end,
                            });
                        }
                        if fields.len() >= limits.max_fields {
                            return Err(Error::TooManyFields {
                                limit: limits.max_fields,
                            });
                        }
                        // Checked to be UTF-8 above.
                        let name = std::str::from_utf8(name_bytes).unwrap_or_default();
                        if line.contains(&b'\r') {
                            defects.push(Defect {
                                kind: DefectKind::BareCr,
                                span: pos..line_end,
                            });
                        }
                        fields.push(Field {
                            name,
                            raw_value: input.get(pos + colon + 1..line_end).unwrap_or_default(),
                            span: pos..next,
                        });
                        open = Some((fields.len() - 1, pos + colon + 1));
                    } else {
                        defects.push(Defect {
                            kind: DefectKind::InvalidName,
                            span: pos..line_end,
                        });
                    }
                }
                _ => defects.push(Defect {
                    kind: DefectKind::NotAField,
                    span: pos..line_end,
                }),
            }
            pos = next;
        }
        Ok(HeaderSection {
            fields,
            body_offset,
            has_body_separator,
            defects,
        })
    }

    /// The first field with this name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// Every field with this name (case-insensitive), in order.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Field<'a>> + 's {
        self.fields.iter().filter(move |f| f.is(name))
    }

    /// How many fields have this name.
    pub fn count(&self, name: &str) -> usize {
        self.get_all(name).count()
    }

    /// The unfolded value of the first field with this name.
    pub fn value(&self, name: &str) -> Option<Cow<'a, str>> {
        self.get(name).map(Field::unfolded)
    }
}

/// `(end of line content, start of next line)` for the line starting at `pos`. The line end
/// is LF or CRLF; a final line without a line end runs to the end of input.
pub(crate) fn line_bounds(input: &[u8], pos: usize) -> (usize, usize) {
    let rest = input.get(pos..).unwrap_or_default();
    match memchr::memchr(b'\n', rest) {
        Some(i) => {
            let lf = pos + i;
            let end = if i > 0 && rest.get(i - 1) == Some(&b'\r') {
                lf - 1
            } else {
                lf
            };
            (end, lf + 1)
        }
        None => {
            let end = if rest.last() == Some(&b'\r') {
                input.len() - 1
            } else {
                input.len()
            };
            (end, input.len())
        }
    }
}

/// `s` without its trailing SP / HTAB.
fn trim_end_wsp(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// RFC 5322 `ftext`: printable US-ASCII except colon.
fn is_ftext(b: u8) -> bool {
    (33..=126).contains(&b) && b != b':'
}

/// Unfold a raw header value (RFC 5322 §2.2.3): remove every CRLF or LF that is followed by
/// WSP, then trim surrounding WSP. Borrows when nothing had to change.
pub fn unfold(raw: &[u8]) -> Cow<'_, str> {
    let trimmed = trim_wsp(raw);
    if !trimmed.iter().any(|b| *b == b'\n' || *b == b'\r') {
        return String::from_utf8_lossy(trimmed);
    }
    let mut out = Vec::with_capacity(trimmed.len());
    let mut i = 0;
    while let Some(&b) = trimmed.get(i) {
        if b == b'\r' && trimmed.get(i + 1) == Some(&b'\n') {
            i += 2;
            continue;
        }
        if b == b'\n' {
            i += 1;
            continue;
        }
        out.push(b);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn trim_wsp(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if matches!(first, b' ' | b'\t' | b'\r' | b'\n') {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if matches!(last, b' ' | b'\t' | b'\r' | b'\n') {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Reject a header value that would break the header section: CR or LF (header injection)
/// or NUL. Use on every value before writing it into a generated message.
pub fn check_header_value(value: &str) -> Result<(), Error> {
    for (position, b) in value.bytes().enumerate() {
        match b {
            b'\r' | b'\n' => return Err(Error::Crlf { position }),
            0 => return Err(Error::Nul { position }),
            _ => {}
        }
    }
    Ok(())
}

/// Check a header field name to be generated: `1*ftext`.
pub fn check_header_name(name: &str) -> Result<(), Error> {
    if !name.is_empty() && name.bytes().all(is_ftext) {
        Ok(())
    } else {
        Err(Error::InvalidName(name.to_string()))
    }
}

/// Decode RFC 2047 encoded-words (`=?charset?B|Q?text?=`, with optional RFC 2231 `*lang`)
/// in an unfolded header value, for display. Whitespace between two adjacent encoded-words is
/// dropped (RFC 2047 §6.2). Malformed encoded-words and unknown charsets are left as they are.
/// Borrows when the value contains no encoded-word.
pub fn decode_encoded_words(value: &str) -> Cow<'_, str> {
    if !value.contains("=?") {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    // Whitespace seen since the last encoded word (held back in case another follows).
    let mut pending_ws: Option<&str> = None;
    let mut last_was_word = false;
    while !rest.is_empty() {
        if rest.starts_with("=?") {
            if let Some((decoded, used)) = decode_one_word(rest) {
                if !last_was_word {
                    if let Some(ws) = pending_ws {
                        out.push_str(ws);
                    }
                }
                pending_ws = None;
                out.push_str(&decoded);
                rest = rest.get(used..).unwrap_or_default();
                last_was_word = true;
                continue;
            }
        }
        let ws_len = rest
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
        if ws_len > 0 {
            if let Some(ws) = pending_ws {
                out.push_str(ws);
            }
            pending_ws = rest.get(..ws_len);
            rest = rest.get(ws_len..).unwrap_or_default();
            continue;
        }
        if let Some(ws) = pending_ws.take() {
            out.push_str(ws);
        }
        last_was_word = false;
        // Copy up to the next whitespace or "=?" (at least one char).
        let mut end = rest.chars().next().map_or(1, char::len_utf8);
        while let Some(c) = rest.get(end..).and_then(|s| s.chars().next()) {
            if c == ' ' || c == '\t' || rest.get(end..).is_some_and(|s| s.starts_with("=?")) {
                break;
            }
            end += c.len_utf8();
        }
        out.push_str(rest.get(..end).unwrap_or_default());
        rest = rest.get(end..).unwrap_or_default();
    }
    if let Some(ws) = pending_ws {
        out.push_str(ws);
    }
    Cow::Owned(out)
}

/// Decode one encoded-word at the start of `s`; returns the text and the bytes consumed.
fn decode_one_word(s: &str) -> Option<(String, usize)> {
    let body = s.get(2..)?;
    let q1 = body.find('?')?;
    let charset_lang = body.get(..q1)?;
    let after = body.get(q1 + 1..)?;
    let mut enc_chars = after.chars();
    let enc = enc_chars.next()?;
    if after.get(1..2)? != "?" {
        return None;
    }
    let text_and_rest = after.get(2..)?;
    let end = text_and_rest.find("?=")?;
    let text = text_and_rest.get(..end)?;
    if text.contains(' ') || text.contains('\t') {
        return None;
    }
    let charset = charset_lang.split('*').next().unwrap_or_default();
    let bytes = match enc {
        'B' | 'b' => decode_b(text)?,
        'Q' | 'q' => decode_q(text)?,
        _ => return None,
    };
    let decoded = decode_charset(charset, &bytes)?;
    let used = 2 + q1 + 1 + 2 + end + 2;
    Some((decoded, used))
}

fn decode_b(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let trimmed = text.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed)
        .ok()
}

fn decode_q(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'_' => out.push(b' '),
            b'=' => {
                out.push(hex_octet_after(b, i)?);
                i += 2;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

/// The octet written as two hexadecimal digits after position `i` (after the `=` of RFC
/// 2045 §6.7 and RFC 2047 §4.2, the `%` of RFC 2231 §4); `None` when they are not two hex
/// digits (a sign or a short input included).
pub(crate) fn hex_octet_after(b: &[u8], i: usize) -> Option<u8> {
    let hi = hex_val(*b.get(i + 1)?)?;
    let lo = hex_val(*b.get(i + 2)?)?;
    Some(hi << 4 | lo)
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decode `bytes` in the named charset (UTF-8 / US-ASCII natively, others through
/// mail-parser's charset tables). `None` for an unknown charset.
pub fn decode_charset(charset: &str, bytes: &[u8]) -> Option<String> {
    if charset.eq_ignore_ascii_case("utf-8")
        || charset.eq_ignore_ascii_case("utf8")
        || charset.eq_ignore_ascii_case("us-ascii")
    {
        return Some(String::from_utf8_lossy(bytes).into_owned());
    }
    mail_parser::decoders::charsets::map::charset_decoder(charset.as_bytes()).map(|f| f(bytes))
}

/// Text in `charset` (US-ASCII when empty: RFC 2046 §4.1.2, RFC 2231 §4) and whether the
/// charset is known; an unknown one reads as UTF-8 with replacement characters.
pub(crate) fn charset_text(charset: &str, bytes: &[u8]) -> (String, bool) {
    let cs = if charset.is_empty() {
        "us-ascii"
    } else {
        charset
    };
    match decode_charset(cs, bytes) {
        Some(text) => (text, true),
        None => (String::from_utf8_lossy(bytes).into_owned(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"From: a@example.com\r\nSubject: hello\r\n  world\r\nX-Empty:\r\nsubject: again\r\n\r\nbody\r\n";

    #[test]
    fn parses_fields_spans_and_body() {
        let h = HeaderSection::parse(MSG).unwrap();
        assert_eq!(h.fields.len(), 4);
        let s = h.get("SUBJECT").unwrap();
        assert_eq!(s.name, "Subject");
        assert_eq!(s.raw_value, b" hello\r\n  world");
        assert_eq!(s.unfolded(), "hello  world");
        assert_eq!(&MSG[s.span.clone()], b"Subject: hello\r\n  world\r\n");
        assert_eq!(h.get_all("subject").count(), 2);
        assert_eq!(h.value("x-empty").unwrap(), "");
        assert_eq!(&MSG[h.body_offset..], b"body\r\n");
        assert!(h.has_body_separator);
        assert!(h.defects.is_empty());
    }

    #[test]
    fn lf_line_ends_give_same_fields() {
        let lf: Vec<u8> = String::from_utf8_lossy(MSG)
            .replace("\r\n", "\n")
            .into_bytes();
        let h = HeaderSection::parse(&lf).unwrap();
        assert_eq!(h.fields.len(), 4);
        assert_eq!(h.value("subject").unwrap(), "hello  world");
        assert_eq!(&lf[h.body_offset..], b"body\n");
    }

    #[test]
    fn unfolded_borrows_when_possible() {
        let h = HeaderSection::parse(b"A: b c\n\n").unwrap();
        assert!(matches!(h.fields[0].unfolded(), Cow::Borrowed("b c")));
    }

    #[test]
    fn defects_are_reported_not_fatal() {
        let h = HeaderSection::parse(b" lead\nno colon here\nBad Name: x\nOk: y\n\n").unwrap();
        assert_eq!(h.fields.len(), 1);
        let kinds: Vec<_> = h.defects.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            vec![
                DefectKind::LeadingContinuation,
                DefectKind::NotAField,
                DefectKind::InvalidName
            ]
        );
    }

    #[test]
    fn obsolete_space_before_colon_is_a_field() {
        let m = b"From : evil@x.example\r\n  (folded)\r\nSubject\t: s\r\n\r\n";
        let h = HeaderSection::parse(m).unwrap();
        let names: Vec<_> = h.fields.iter().map(|f| f.name).collect();
        assert_eq!(names, vec!["From", "Subject"]);
        assert_eq!(h.value("from").unwrap(), "evil@x.example  (folded)");
        let kinds: Vec<_> = h.defects.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, vec![DefectKind::WspBeforeColon; 2]);
        // Only trailing white space is obsolete syntax; inside a name it is not a field.
        let h = HeaderSection::parse(b"Fr om: x\r\n : y\r\n\r\n").unwrap();
        assert!(h.fields.is_empty());
    }

    #[test]
    fn non_ascii_names_are_fields_with_a_defect() {
        let h = HeaderSection::parse("Contenté-Foo: 1\r\nX\u{1}: 2\r\n".as_bytes()).unwrap();
        assert_eq!(h.fields.len(), 1);
        assert_eq!(h.fields[0].name, "Contenté-Foo");
        let kinds: Vec<_> = h.defects.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            vec![DefectKind::NonAsciiName, DefectKind::InvalidName]
        );
        // Invalid UTF-8 in a name is not a field.
        let h = HeaderSection::parse(b"X\xff: 1\r\n\r\n").unwrap();
        assert!(h.fields.is_empty());
    }

    #[test]
    fn header_only_input() {
        let h = HeaderSection::parse(b"A: 1\r\nB: 2").unwrap();
        assert_eq!(h.fields.len(), 2);
        assert_eq!(h.value("b").unwrap(), "2");
        assert!(!h.has_body_separator);
        assert_eq!(h.body_offset, 10);
    }

    #[test]
    fn limits() {
        let big = vec![b'a'; 100];
        let mut input = b"X: ".to_vec();
        input.extend_from_slice(&big);
        let lim = Limits {
            max_header_bytes: 50,
            max_fields: 10,
        };
        assert_eq!(
            HeaderSection::parse_with_limits(&input, lim)
                .unwrap_err()
                .code(),
            "header-too-large"
        );
        let many = "A: b\n".repeat(11);
        assert_eq!(
            HeaderSection::parse_with_limits(
                many.as_bytes(),
                Limits {
                    max_header_bytes: 1000,
                    max_fields: 10
                }
            )
            .unwrap_err()
            .code(),
            "header-too-many-fields"
        );
    }

    #[test]
    fn check_value() {
        assert!(check_header_value("ok value").is_ok());
        assert_eq!(
            check_header_value("a\r\nBcc: x").unwrap_err().code(),
            "header-crlf"
        );
        assert_eq!(
            check_header_value("a\nb").unwrap_err(),
            Error::Crlf { position: 1 }
        );
        assert_eq!(check_header_value("a\0").unwrap_err().code(), "header-nul");
        assert!(check_header_name("MMHS-Copy-Precedence").is_ok());
        assert!(check_header_name("Bad Name").is_err());
        assert!(check_header_name("").is_err());
    }

    #[test]
    fn encoded_words() {
        assert_eq!(decode_encoded_words("plain"), "plain");
        assert_eq!(
            decode_encoded_words("=?utf-8?B?w6l0w6k=?= and =?ISO-8859-1?Q?caf=E9_au_lait?="),
            "été and café au lait"
        );
        // whitespace between adjacent encoded words is dropped
        assert_eq!(decode_encoded_words("=?utf-8?q?a?= =?utf-8?q?b?="), "ab");
        assert_eq!(decode_encoded_words("x =?utf-8*en?q?a?= y"), "x a y");
        // malformed ones are kept
        assert_eq!(decode_encoded_words("=?bogus"), "=?bogus");
        assert_eq!(
            decode_encoded_words("=?x-unknown?q?a?="),
            "=?x-unknown?q?a?="
        );
    }
}
