//! MIME *writing*: a small, deterministic serializer for RFC 5322 / MIME messages.
//!
//! Why not `mail-builder`: it reads the clock and the hostname and picks its own random
//! multipart boundaries, so its output is neither reproducible nor safe on
//! `wasm32-unknown-unknown`. Everything here is pure; the only randomness (multipart
//! boundaries) comes from the injected [`crate::rng::CryptoRng`], so a test that fixes the RNG
//! gets byte-identical messages.
//!
//! What it covers:
//! - header folding at 78 columns (RFC 5322 §2.1.1, §2.2.3), never inside a word;
//! - RFC 2047 encoded-words (`B` encoding, UTF-8) for unstructured text (`Subject`) and for
//!   display names (phrase position, RFC 2047 §5 (1) and (3));
//! - `mailbox` / `address-list` formatting with `quoted-string` escaping (RFC 5322 §3.2.4, §3.4);
//! - RFC 2231 parameter values (`filename*=utf-8''…`, with `*0*`, `*1*` continuations);
//! - RFC 2045 `Content-Transfer-Encoding`: `7bit`, `8bit` (only for message/rfc822),
//!   `quoted-printable` (§6.7, 76-column soft breaks) and `base64` (§6.8, 76-column lines);
//! - a [`Part`] tree (leaf, multipart with an RNG-drawn boundary, message/rfc822) serialised
//!   with CRLF line ends.
//!
//! Header values handed to this module must already be free of CR, LF and other control
//! characters; callers check that first (see `compose::validate`).

use base64::Engine as _;

use crate::rng::CryptoRng;

/// Maximum length of a line we write, excluding CRLF (RFC 5322 §2.1.1 "SHOULD" limit).
pub const FOLD_AT: usize = 78;
/// Hard line-length limit, excluding CRLF (RFC 5322 §2.1.1 "MUST" limit).
pub const MAX_LINE: usize = 998;

/// Errors of the encoder (the caller maps them to its own typed errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A header value contains an unbreakable run longer than 998 octets.
    LineTooLong,
}

// ---------------------------------------------------------------------------------------------
// Character classes (RFC 5322 §3.2.3)

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

// ---------------------------------------------------------------------------------------------
// RFC 2047 encoded-words

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

// ---------------------------------------------------------------------------------------------
// Header lines and folding

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

// ---------------------------------------------------------------------------------------------
// Parameters (RFC 2045 §5.1, RFC 2231)

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

// ---------------------------------------------------------------------------------------------
// Body encodings (RFC 2045 §6)

/// Content-Transfer-Encoding values we produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferEncoding {
    /// `7bit`: ASCII text with short lines (already CRLF-normalised).
    SevenBit,
    /// `8bit`: only used for `message/rfc822` parts that carry 8-bit octets (RFC 2046 §5.2.1
    /// forbids base64/quoted-printable there); the submission needs `BODY=8BITMIME`.
    EightBit,
    /// `quoted-printable` (RFC 2045 §6.7), for text with non-ASCII or long lines.
    QuotedPrintable,
    /// `base64` (RFC 2045 §6.8), for attachments.
    Base64,
}

impl TransferEncoding {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferEncoding::SevenBit => "7bit",
            TransferEncoding::EightBit => "8bit",
            TransferEncoding::QuotedPrintable => "quoted-printable",
            TransferEncoding::Base64 => "base64",
        }
    }
}

/// Normalise every line end (CRLF, bare LF, bare CR) to CRLF and make sure the text ends with
/// one. MIME text is CRLF-canonical (RFC 2046 §4.1.1).
pub fn normalize_crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32 + 2);
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// True when CRLF-normalised `text` may go out as `7bit`: only ASCII, no NUL, lines ≤ 998.
pub fn is_7bit_safe(text: &[u8]) -> bool {
    text.iter().all(|&b| b != 0 && b < 0x80) && max_line_len(text) <= MAX_LINE
}

/// Longest line (without CRLF) of `text`.
pub fn max_line_len(text: &[u8]) -> usize {
    text.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
        .max()
        .unwrap_or(0)
}

/// Quoted-printable encoding of CRLF-normalised text (RFC 2045 §6.7): line breaks stay hard
/// CRLF breaks, `=` and non-ASCII/control octets become `=XX`, trailing whitespace is
/// encoded, lines are soft-broken with `=` at 76 columns. A line beginning with `From ` or
/// `.` gets its first character encoded so naive mbox/SMTP agents cannot alter it.
pub fn quoted_printable(text: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(text.len() * 11 / 10 + 8);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let n_lines = lines.len();
    for (li, raw_line) in lines.into_iter().enumerate() {
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        let is_last = li + 1 == n_lines;
        if is_last && line.is_empty() {
            break; // text ended with CRLF
        }
        let mut col = 0usize;
        let len = line.len();
        let from_line = line.starts_with(b"From ");
        for (i, &b) in line.iter().enumerate() {
            let at_end = i + 1 == len;
            let encode = match b {
                b'=' => true,
                b' ' | b'\t' => at_end,
                b'.' if i == 0 => true,
                b'F' if i == 0 && from_line => true,
                33..=126 => false,
                _ => true,
            };
            let width = if encode { 3 } else { 1 };
            // keep room for the soft-break "=" (76 columns including it)
            let limit = if at_end { 76 } else { 75 };
            if col + width > limit {
                out.extend_from_slice(b"=\r\n");
                col = 0;
            }
            if encode {
                out.push(b'=');
                out.push(HEX[(b >> 4) as usize & 0xF]);
                out.push(HEX[(b & 0xF) as usize]);
            } else {
                out.push(b);
            }
            col += width;
        }
        if !is_last {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Base64 with 76-character lines and CRLF (RFC 2045 §6.8).
pub fn base64_lines(data: &[u8]) -> Vec<u8> {
    let enc = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = Vec::with_capacity(enc.len() + enc.len() / 76 * 2 + 2);
    for chunk in enc.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The part tree

/// A MIME entity ready to be serialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A leaf: its MIME header fields (`Content-Type`, `Content-Transfer-Encoding`, …) and
    /// the already-encoded body octets (CRLF line ends).
    Leaf {
        /// MIME header fields of the part.
        headers: Headers,
        /// Encoded body octets.
        body: Vec<u8>,
    },
    /// `multipart/<subtype>` with a boundary drawn from the RNG.
    Multipart {
        /// Extra header fields besides Content-Type (rarely needed).
        headers: Headers,
        /// `mixed`, `alternative`, …
        subtype: String,
        /// The boundary (RFC 2046 §5.1.1: 1–70 `bchars`, not ending in space).
        boundary: String,
        /// The children.
        parts: Vec<Part>,
    },
}

impl Part {
    /// A text leaf: CRLF-normalised, `7bit` when possible, else quoted-printable;
    /// `charset=us-ascii` for pure ASCII, else `utf-8`.
    pub fn text(subtype: &str, text: &str, extra: Headers) -> Part {
        let norm = normalize_crlf(text.as_bytes());
        let ascii = norm.is_ascii();
        let charset = if ascii { "us-ascii" } else { "utf-8" };
        let (cte, body) = if is_7bit_safe(&norm) && !has_long_or_trailing_ws_issues(&norm) {
            (TransferEncoding::SevenBit, norm)
        } else {
            (TransferEncoding::QuotedPrintable, quoted_printable(&norm))
        };
        let mut headers = Headers::new();
        headers.push("Content-Type", format!("text/{subtype}; charset={charset}"));
        headers.push("Content-Transfer-Encoding", cte.as_str());
        for (n, v) in extra.fields() {
            headers.push(n, v.clone());
        }
        Part::Leaf { headers, body }
    }

    /// A binary leaf in base64 with the given Content-Type value and extra fields.
    pub fn binary(content_type: String, data: &[u8], extra: Headers) -> Part {
        let mut headers = Headers::new();
        headers.push("Content-Type", content_type);
        headers.push(
            "Content-Transfer-Encoding",
            TransferEncoding::Base64.as_str(),
        );
        for (n, v) in extra.fields() {
            headers.push(n, v.clone());
        }
        Part::Leaf {
            headers,
            body: base64_lines(data),
        }
    }

    /// A multipart with a fresh boundary from `rng` that does not occur in any child.
    pub fn multipart<R: CryptoRng + ?Sized>(subtype: &str, parts: Vec<Part>, rng: &mut R) -> Part {
        let mut probe = Vec::new();
        for p in &parts {
            // children serialise infallibly except for over-long header lines, which the
            // final write reports; for the probe ignore that.
            let _ = p.write(&mut probe);
        }
        let boundary = loop {
            let b = boundary(rng);
            if !contains(&probe, b.as_bytes()) {
                break b;
            }
        };
        Part::Multipart {
            headers: Headers::new(),
            subtype: subtype.to_string(),
            boundary,
            parts,
        }
    }

    /// True when the serialised part contains octets ≥ 0x80 outside base64/QP (8BITMIME).
    pub fn has_8bit(&self) -> bool {
        match self {
            Part::Leaf { body, .. } => !body.is_ascii(),
            Part::Multipart { parts, .. } => parts.iter().any(Part::has_8bit),
        }
    }

    /// Serialise the entity: its MIME header fields, a blank line, the body.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.write_headers(out)?;
        out.extend_from_slice(b"\r\n");
        self.write_body(out)
    }

    /// Serialise only the MIME header fields of this entity (for a top-level message the
    /// caller writes its RFC 5322 fields first, then these).
    pub fn write_headers(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Part::Leaf { headers, .. } => headers.write(out),
            Part::Multipart {
                headers,
                subtype,
                boundary,
                ..
            } => {
                fold_field(
                    "Content-Type",
                    &format!("multipart/{subtype}; boundary=\"{boundary}\""),
                    out,
                )?;
                headers.write(out)
            }
        }
    }

    /// Serialise only the body (after the blank line).
    pub fn write_body(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Part::Leaf { body, .. } => {
                out.extend_from_slice(body);
                Ok(())
            }
            Part::Multipart {
                boundary, parts, ..
            } => {
                for p in parts {
                    out.extend_from_slice(b"--");
                    out.extend_from_slice(boundary.as_bytes());
                    out.extend_from_slice(b"\r\n");
                    p.write(out)?;
                    // The CRLF before a delimiter belongs to the delimiter (RFC 2046
                    // §5.1.1), so it is always added: a part ending in a line break keeps it.
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"--");
                out.extend_from_slice(boundary.as_bytes());
                out.extend_from_slice(b"--\r\n");
                Ok(())
            }
        }
    }
}

/// A whole message: the RFC 5322 header fields and the MIME body entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// RFC 5322 / MMHS header fields (without MIME-Version and the body's Content-* fields).
    pub headers: Headers,
    /// The body entity; its Content-* fields become part of the message header.
    pub body: Part,
}

impl Message {
    /// Serialise: header fields, `MIME-Version: 1.0`, the body's MIME fields, a blank line,
    /// the body. CRLF line ends throughout.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.headers.write(&mut out)?;
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
        self.body.write_headers(&mut out)?;
        out.extend_from_slice(b"\r\n");
        self.body.write_body(&mut out)?;
        Ok(out)
    }
}

/// Lines with trailing whitespace could be altered in transport; send those as QP.
fn has_long_or_trailing_ws_issues(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n').any(|l| {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        l.len() > FOLD_AT || l.ends_with(b" ") || l.ends_with(b"\t") || l.starts_with(b"From ")
    })
}

/// A boundary of 24 base32-ish characters from the RNG, prefixed so it can never be
/// mistaken for base64 or quoted-printable content (`=_` cannot start a base64 line and
/// is not valid QP).
pub fn boundary<R: CryptoRng + ?Sized>(rng: &mut R) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bytes = [0u8; 24];
    rng.fill_bytes(&mut bytes);
    let mut s = String::from("=_");
    for b in bytes {
        s.push(ALPHABET[(b & 31) as usize] as char);
    }
    s
}

/// Naive substring search (the probe is only as large as the message).
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
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

    #[test]
    fn qp_rules() {
        let t = normalize_crlf("Grüße = 1 \nFrom me\n.\n".as_bytes());
        let qp = String::from_utf8(quoted_printable(&t)).unwrap();
        assert_eq!(qp, "Gr=C3=BC=C3=9Fe =3D 1=20\r\n=46rom me\r\n=2E\r\n");
        let long = normalize_crlf("x".repeat(200).as_bytes());
        let qp = String::from_utf8(quoted_printable(&long)).unwrap();
        for l in qp.split("\r\n") {
            assert!(l.len() <= 76);
        }
        assert_eq!(qp.replace("=\r\n", ""), format!("{}\r\n", "x".repeat(200)));
    }

    #[test]
    fn crlf_normalisation() {
        assert_eq!(normalize_crlf(b"a\nb\r\nc\rd"), b"a\r\nb\r\nc\r\nd\r\n");
        assert_eq!(normalize_crlf(b""), b"");
    }
}
