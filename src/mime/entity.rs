//! Reading a MIME entity (RFC 2045, RFC 2046) byte-exactly: the header/body split, header
//! fields with their raw bytes, media types with parameters, multipart bodies, transfer
//! decoding and canonical CRLF form (addresses are read by `crate::fields::address`).
//!
//! Every field comes from the one header reader, [`HeaderSection`] (RFC 5322 §2.2, §3.2.2);
//! this module adds what S/MIME, header protection and the verifier need on top of it:
//! - [`split`]: header section and body of a message or entity (RFC 5322 §2.1: the body
//!   follows the first empty line);
//! - [`fields`]: the fields of a header section, each with its exact bytes (signatures and
//!   header protection copy them unchanged) and its unfolded value;
//! - [`media_type`]: `Content-Type` (RFC 2045 §5.1), parameters unquoted;
//! - [`multipart_parts`]: the exact octets of each body part (RFC 2046 §5.1.1);
//! - [`decode_transfer`]: `base64` (RFC 2045 §6.8) and `quoted-printable` (§6.7);
//! - [`canonical_crlf`]: the canonical form of RFC 8551 §3.1.1;

use std::borrow::Cow;

use base64::Engine;

use super::header::{Defect, HeaderSection, Limits};

/// One header field as received: a field of [`HeaderSection`] with its exact bytes and its
/// unfolded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// Field name as written (without white space before the colon, RFC 5322 §4.5.8).
    pub name: &'a str,
    /// The whole field, folding and the final line break included.
    pub raw: &'a [u8],
    /// The unfolded value, leading/trailing whitespace trimmed (lossy UTF-8).
    pub value: String,
}

/// Split a message (or MIME entity) into header section and body (RFC 5322 §2.1). The
/// header section keeps the line break of its last field and excludes the empty line; the
/// body starts after it. An entity may start with the empty line (no fields); a message
/// without an empty line is all header. Line ends are CRLF or bare LF.
pub fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut pos = 0usize;
    while pos < raw.len() {
        let (line_end, next) = super::header::line_bounds(raw, pos);
        if line_end == pos {
            let header = raw.get(..pos).unwrap_or_default();
            let body = raw.get(next..).unwrap_or_default();
            return (header, body);
        }
        pos = next;
    }
    (raw, raw.get(raw.len()..).unwrap_or_default())
}

/// The header fields of a header section (or of a whole message: reading stops at the
/// empty line), in order. Lines that are not fields are skipped, as [`HeaderSection`]
/// reports them; the section is read whole (its size is the caller's bound).
pub fn fields(header: &[u8]) -> Vec<Field<'_>> {
    fields_with_defects(header).0
}

/// [`fields`] within the header reader's default [`Limits`] (1 MiB, 10 000 fields): the
/// reader of a header section that arrived from outside. Each field costs several times its
/// octets once read (its unfolded value, name and span), so a section of millions of
/// one-line fields would take gigabytes; past a limit it is refused (`header-too-large`,
/// `header-too-many-fields`), never cut short — a field past the cut would go unseen.
pub fn read_fields(header: &[u8]) -> Result<Vec<Field<'_>>, super::header::Error> {
    HeaderSection::parse(header).map(|section| fields_of(&section, header))
}

/// [`fields`] and the lines [`HeaderSection`] skipped or repaired, for callers that refuse
/// a malformed header section.
pub fn fields_with_defects(header: &[u8]) -> (Vec<Field<'_>>, Vec<Defect>) {
    let unbounded = Limits {
        max_header_bytes: usize::MAX,
        max_fields: usize::MAX,
    };
    // Without limits the reader cannot fail.
    let Ok(section) = HeaderSection::parse_with_limits(header, unbounded) else {
        return (Vec::new(), Vec::new());
    };
    (fields_of(&section, header), section.defects)
}

/// The [`Field`]s of a header section already read from `input` (the bytes it was parsed
/// from), for a caller that also needs the [`HeaderSection`] itself: the section is read once.
pub fn fields_of<'a>(section: &HeaderSection<'a>, input: &'a [u8]) -> Vec<Field<'a>> {
    section
        .fields
        .iter()
        .map(|f| Field {
            name: f.name,
            raw: input.get(f.span.clone()).unwrap_or_default(),
            value: f.unfolded().into_owned(),
        })
        .collect()
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
    let (header, _) = split(message);
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
/// input is already canonical. One pass over the line ends (`memchr`), whole runs copied
/// between them.
pub fn canonical_crlf(data: &[u8]) -> Cow<'_, [u8]> {
    let bare = |i: usize| i == 0 || data.get(i - 1) != Some(&b'\r');
    // Where the search for line ends starts: past the octets the module's vector
    // instructions found no bare LF in, where it has them.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let from = line_end_simd::crlf_prefix(data);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let from = 0;
    let Some(first) = data.get(from..).and_then(|rest| {
        memchr::memchr_iter(b'\n', rest)
            .map(|i| from + i)
            .find(|&i| bare(i))
    }) else {
        return Cow::Borrowed(data);
    };
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    out.extend_from_slice(data.get(..first).unwrap_or_default());
    let mut start = first;
    for i in memchr::memchr_iter(b'\n', data.get(first..).unwrap_or_default()) {
        let i = first + i;
        if bare(i) {
            out.extend_from_slice(data.get(start..i).unwrap_or_default());
            out.push(b'\r');
            start = i;
        }
    }
    out.extend_from_slice(data.get(start..).unwrap_or_default());
    Cow::Owned(out)
}

/// Finding bare LF line ends 16 octets a step with WebAssembly's 128-bit vector instructions.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod line_end_simd {
    use core::arch::wasm32::*;
    use zerocopy::FromBytes;

    /// How many octets at the start of `data` hold no LF that is not preceded by CR (a
    /// multiple of 64, at most `data.len()`); the first bare LF, if any, is at or after it.
    pub(super) fn crlf_prefix(data: &[u8]) -> usize {
        let (lf, cr) = (u8x16_splat(b'\n'), u8x16_splat(b'\r'));
        // The CR lanes of the block before (none before the first octet).
        let mut cr_before = u8x16_splat(0);
        // The lanes of one block of 16 that hold a bare LF: its LF lanes, less those whose
        // octet before is CR (the block's CR lanes moved up one, the block before's last
        // coming first). One `v128.load` per block.
        let mut bare = |block: &[u8]| -> Option<v128> {
            let v = v128::read_from_bytes(block).ok()?;
            let crs = i8x16_eq(v, cr);
            let before =
                i8x16_shuffle::<15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30>(
                    cr_before, crs,
                );
            cr_before = crs;
            Some(v128_andnot(i8x16_eq(v, lf), before))
        };
        let (blocks, _) = data.as_chunks::<64>();
        let mut at = 0;
        // 64 octets a step while no bare LF is among them (one test per step) ...
        for quad in blocks {
            let (four, _) = quad.as_chunks::<16>();
            let mut any = u8x16_splat(0);
            for block in four {
                any = v128_or(any, bare(block).unwrap_or(any));
            }
            if v128_any_true(any) {
                break;
            }
            at += 64;
        }
        at
    }
}

/// A parsed Content-Type (RFC 2045 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaType {
    /// `type/subtype`, lower case.
    pub mime: String,
    /// Parameters, names lower case, values unquoted and RFC 2231-decoded.
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

/// Parse a Content-Type (or Content-Disposition) value (RFC 2045 §5.1, RFC 2183 §2):
///
/// ```text
/// content   := "Content-Type" ":" type "/" subtype *(";" parameter)
/// parameter := attribute "=" value
/// value     := token / quoted-string
/// ```
///
/// The parameters are read by the one parameter reader, [`super::params`]: quoted values
/// unquoted, comments skipped, RFC 2231 continuations and charsets decoded; a malformed
/// parameter is read best effort (a received message is displayed and verified as agents
/// read it), the first of a repeated one kept.
pub fn media_type(value: &str) -> MediaType {
    let (mime, list) = super::params::read_value(value);
    MediaType {
        mime: mime.to_ascii_lowercase(),
        params: list.params,
    }
}

/// Split a multipart body into the exact octets of each body part (RFC 2046 §5.1.1: the
/// CRLF preceding a delimiter belongs to the delimiter; a delimiter line may carry
/// transport padding). Returns `None` when the opening delimiter is missing or the boundary
/// is not 1–70 characters. Every part is listed: a caller that needs only the first few
/// takes them from [`multipart_iter`], which finds each part only when asked.
pub fn multipart_parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<&'a [u8]>> {
    multipart_iter(body, boundary).map(Iterator::collect)
}

/// The body parts of [`multipart_parts`], in order, each found when the iterator is
/// advanced: the memory is that of one delimiter, whatever the number of parts, and the
/// search of the body stops at the delimiter after the last part taken. `None` as
/// [`multipart_parts`].
pub fn multipart_iter<'a>(body: &'a [u8], boundary: &str) -> Option<MultipartParts<'a>> {
    if boundary.is_empty() || boundary.len() > 70 {
        return None;
    }
    let mut parts = MultipartParts {
        body,
        finder: memchr::memmem::Finder::new(format!("--{boundary}").as_bytes()).into_owned(),
        from: 0,
        open: None,
    };
    // The opening delimiter line must be there.
    parts.open = Some(parts.next_line()?);
    Some(parts)
}

/// The iterator of [`multipart_iter`].
#[derive(Debug, Clone)]
pub struct MultipartParts<'a> {
    body: &'a [u8],
    /// The search for `--boundary`.
    finder: memchr::memmem::Finder<'static>,
    /// Where the search for the next delimiter goes on.
    from: usize,
    /// The last delimiter line found: (line start, content start, close); `None` once the
    /// parts are over.
    open: Option<(usize, usize, bool)>,
}

impl MultipartParts<'_> {
    /// The next delimiter line (line start, content start, close), at the start of the body
    /// or right after a line break. Candidates are found by substring search (`memmem`); only
    /// those at a line start are read to their line end, so the work is linear in the body.
    fn next_line(&mut self) -> Option<(usize, usize, bool)> {
        let body = self.body;
        let d = self.finder.needle();
        while let Some(i) = body
            .get(self.from..)
            .and_then(|rest| self.finder.find(rest))
        {
            let pos = self.from + i;
            self.from = pos + 1;
            if pos > 0 && body.get(pos - 1) != Some(&b'\n') {
                continue;
            }
            let rest = body.get(pos..).unwrap_or_default();
            let line_end = memchr::memchr(b'\n', rest).map_or(body.len(), |i| pos + i + 1);
            let line = body.get(pos..line_end).unwrap_or_default();
            if let Some(after) = line.strip_prefix(d) {
                let close = after.starts_with(b"--");
                let tail = if close {
                    after.get(2..).unwrap_or_default()
                } else {
                    after
                };
                if tail
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                {
                    return Some((pos, line_end, close));
                }
            }
        }
        None
    }
}

impl<'a> Iterator for MultipartParts<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (_, start, close) = self.open.take()?;
        if close {
            return None;
        }
        // A part runs to the next delimiter line; without one it is not a part.
        let (next_line, next_start, next_close) = self.next_line()?;
        self.open = Some((next_line, next_start, next_close));
        let body = self.body;
        let mut end = next_line;
        if end >= 2 && body.get(end - 2..end) == Some(b"\r\n") && end - 2 >= start {
            end -= 2;
        } else if end >= 1 && body.get(end - 1) == Some(&b'\n') && end > start {
            end -= 1;
        }
        Some(body.get(start..end.max(start)).unwrap_or_default())
    }
}

/// The base64 alphabet of RFC 2045 §6.8, decoding as other S/MIME agents send it: padding
/// present or absent, unused trailing bits ignored.
const LENIENT_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decode a base64 body (RFC 2045 §6.8), ignoring line breaks and other white space.
/// Padding may be present or absent and unused trailing bits are ignored, as in the bodies
/// other S/MIME agents send. Lines are decoded where they lie, straight into the output
/// ([`base64_decode_lines`]); a body that path does not take (white space inside a line,
/// padding before the end, a bad symbol) is decoded whole after removing the white space,
/// which gives the same octets or the same error.
pub fn base64_decode(body: &[u8]) -> Result<Vec<u8>, String> {
    base64_decode_after(body, 0)
}

/// [`base64_decode`] into a buffer that begins with `headroom` zero octets (room for what a
/// caller puts before the decoded octets, without moving them).
pub fn base64_decode_after(body: &[u8], headroom: usize) -> Result<Vec<u8>, String> {
    match base64_decode_lines(body, headroom) {
        Some(out) => Ok(out),
        None => {
            let decoded = base64_decode_whole(body)?;
            let mut out = Vec::with_capacity(headroom + decoded.len());
            out.resize(headroom, 0);
            out.extend_from_slice(&decoded);
            Ok(out)
        }
    }
}

/// The whole body decoded at once after removing its white space.
fn base64_decode_whole(body: &[u8]) -> Result<Vec<u8>, String> {
    base64_decode_cleaned(body).map_err(|e| format!("bad base64: {e}"))
}

/// [`base64_decode_whole`] with the decoder's own error (its offsets count the symbols
/// after the white space is removed).
fn base64_decode_cleaned(body: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    LENIENT_BASE64.decode(&clean)
}

/// The longest line [`base64_decode_in_place`] decodes where it lies (RFC 2045 §6.8 lines
/// are at most 76 symbols).
const IN_PLACE_LINE_MAX: usize = 128;

/// [`base64_decode_after`] of `buf[body_start..]`, decoded in `buf` itself: the same octets
/// or the same error, without a second buffer as large as the body — at 10 MiB the writes
/// into a fresh buffer, out of the processor's caches, cost more than the decoding.
///
/// The lines like the first (16 to [`IN_PLACE_LINE_MAX`] symbols, whole quads, with the
/// same line end) are decoded one by one, their octets written before the line
/// (`headroom` ≤ `body_start`, and each line's octets are fewer than its symbols): straight
/// there once the gap leaves room for them, into a small buffer first while it does not, so
/// no octet is written before it has been read, and none where a line that does not decode
/// would leave it among the octets kept. What follows the first other line — a shorter last
/// line, padding, white space, a stray octet — is copied out and decoded by
/// [`base64_decode_after`]: the lines before it are whole quads without
/// padding, so the octets are those of the body decoded at once, and an error's offset is
/// counted from the body's first symbol as it would have been. A body whose first line is
/// not such a line, or `headroom` beyond `body_start`, is decoded into a new buffer.
pub fn base64_decode_in_place(
    mut buf: Vec<u8>,
    body_start: usize,
    headroom: usize,
) -> Result<Vec<u8>, String> {
    let body = buf.get(body_start..).unwrap_or_default();
    let first = body
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| match body.get(..i) {
            Some([line @ .., b'\r']) => (line.len(), 2),
            _ => (i, 1),
        });
    let Some((width, eol_len)) = first.filter(|&(w, _)| {
        headroom <= body_start && (16..=IN_PLACE_LINE_MAX).contains(&w) && w % 4 == 0
    }) else {
        return base64_decode_after(body, headroom);
    };
    let eol: &[u8] = if eol_len == 2 { b"\r\n" } else { b"\n" };
    let step = width + eol_len;
    // A line's octets, and the vector stores past them (4 octets).
    let room = width / 4 * 3 + 4;
    let mut octets = [0u8; IN_PLACE_LINE_MAX / 4 * 3 + 16];
    let (mut pos, mut written, mut symbols) = (body_start, headroom, 0usize);
    while pos + step <= buf.len() {
        let (done, ahead) = buf.split_at_mut(pos);
        let (these, end) = ahead.split_at(width);
        if end.get(..eol_len) != Some(eol) {
            break;
        }
        // Where the line's octets and the stores past them all fall before the line (the
        // gap grows by a line end and a quarter of the symbols each line), they are decoded
        // straight there — what a line that does not decode wrote there is past `written`,
        // of no use and never read; otherwise into the small buffer first.
        let direct = written + room <= pos;
        let out = if direct {
            done.get_mut(written..written + room)
        } else {
            octets.get_mut(..room)
        };
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let n = out.and_then(|out| base64_simd::decode_line(these, out));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let n = out.and_then(|out| decode_quads(these, out));
        let Some(n) = n else {
            break;
        };
        if !direct {
            let (Some(to), Some(from)) = (done.get_mut(written..written + n), octets.get(..n))
            else {
                break;
            };
            to.copy_from_slice(from);
        }
        written += n;
        pos += step;
        symbols += width;
    }
    let rest = buf.get(pos..).unwrap_or_default().to_vec();
    buf.truncate(written);
    buf.get_mut(..headroom).unwrap_or_default().fill(0);
    match base64_decode_lines(&rest, 0) {
        Some(more) => buf.extend_from_slice(&more),
        None => {
            let shift = |at: usize| at + symbols;
            let more = base64_decode_cleaned(&rest).map_err(|e| {
                let e = match e {
                    base64::DecodeError::InvalidByte(at, b) => {
                        base64::DecodeError::InvalidByte(shift(at), b)
                    }
                    base64::DecodeError::InvalidLastSymbol(at, b) => {
                        base64::DecodeError::InvalidLastSymbol(shift(at), b)
                    }
                    base64::DecodeError::InvalidLength(n) => {
                        base64::DecodeError::InvalidLength(shift(n))
                    }
                    other => other,
                };
                format!("bad base64: {e}")
            })?;
            buf.extend_from_slice(&more);
        }
    }
    Ok(buf)
}

/// The line-by-line base64 decoder: the whole quads of symbols of each line (white space
/// trimmed at both ends) are decoded where they lie straight into the one output buffer
/// ([`decode_quads`]); the symbols of a quad split across lines are carried to the next line,
/// and the last quad — with its padding, or without it — is decoded by the lenient decoder.
/// The body is neither cleaned into a second copy nor gathered line by line, and lines as
/// wide as the first, with its line end, are decoded without searching for their end. `None` when the
/// body is not lines of base64 with padding only at its end — [`base64_decode`] then decodes
/// it whole, so what is accepted and the octets decoded are the same.
fn base64_decode_lines(body: &[u8], headroom: usize) -> Option<Vec<u8>> {
    let body = body.trim_ascii_end();
    let mut out = vec![0u8; headroom + body.len() / 4 * 3 + 3];
    let mut written = headroom;
    // Fewer than 4 symbols of an unfinished quad, then the padded last line.
    let mut tail: Vec<u8> = Vec::with_capacity(128);
    let mut padded = false;
    let mut pos = 0usize;
    // The first line's width in symbols (whole quads) and its line end, when it has no white
    // space but its line end: encoders write every line but the last alike.
    let mut uniform: Option<(usize, &[u8])> = None;
    while pos < body.len() {
        // Lines like the first are decoded without searching for their end: `width` symbols
        // and the same line end. A line that is not — shorter, padded, with white space or a
        // stray octet among the symbols — fails the symbol check and takes the search below,
        // which reads it as it reads every line.
        if let (Some((width, eol)), true) = (uniform, tail.is_empty() && !padded) {
            // With the vector instructions, a run of such lines in one loop.
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            {
                let (p, w) = base64_simd::decode_lines(body, pos, width, eol, &mut out, written);
                if p > pos {
                    (pos, written) = (p, w);
                    continue;
                }
            }
            let end = pos + width;
            // Octet by octet (a slice comparison is a call to memcmp in the module).
            let line_ends = match *eol {
                [a] => body.get(end) == Some(&a),
                [a, b] => body.get(end) == Some(&a) && body.get(end + 1) == Some(&b),
                _ => false,
            };
            if line_ends {
                if let Some(n) = body
                    .get(pos..end)
                    .and_then(|line| decode_quads(line, out.get_mut(written..)?))
                {
                    written += n;
                    pos = end + eol.len();
                    continue;
                }
            }
        }
        let start = pos;
        let rest = body.get(pos..).unwrap_or_default();
        let line_end = memchr::memchr(b'\n', rest).map_or(body.len(), |i| pos + i);
        let mut line = body.get(pos..line_end).unwrap_or_default().trim_ascii();
        pos = line_end + 1;
        if line.is_empty() {
            continue;
        }
        if uniform.is_none() && line.len() % 4 == 0 && line_end < body.len() {
            let eol = body.get(start + line.len()..pos).unwrap_or_default();
            if body.get(start..start + line.len()) == Some(line) && matches!(eol, b"\r\n" | b"\n") {
                uniform = Some((line.len(), eol));
            }
        }
        // Padding ends the data (RFC 4648 §3.2): nothing may follow it.
        if padded {
            return None;
        }
        padded = line.last() == Some(&b'=');
        if padded || tail.len() + line.len() < 4 {
            tail.extend_from_slice(line);
            continue;
        }
        if !tail.is_empty() {
            let (head, rest) = line.split_at_checked(4 - tail.len())?;
            tail.extend_from_slice(head);
            written += decode_quads(&tail, out.get_mut(written..)?)?;
            tail.clear();
            line = rest;
        }
        let whole = line.len() / 4 * 4;
        written += decode_quads(line.get(..whole)?, out.get_mut(written..)?)?;
        tail.extend_from_slice(line.get(whole..)?);
    }
    let n = LENIENT_BASE64
        .decode_slice(&tail, out.get_mut(written..)?)
        .ok()?;
    out.truncate(written + n);
    Some(out)
}

/// The value of each octet as a base64 symbol (RFC 4648 §4, Table 1), 0xFF for an octet
/// that is not one.
const BASE64_VALUES: [u8; 256] = {
    let mut t = [0xFF_u8; 256];
    let mut i = 0;
    while i < 64 {
        let symbol = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i];
        t[symbol as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decode whole quads of base64 symbols without padding (RFC 4648 §4: each quad is three
/// octets) into the start of `out`; the number of octets, or `None` at an octet that is not
/// a symbol (`=` included) or when `out` is too short.
fn decode_quads(symbols: &[u8], out: &mut [u8]) -> Option<usize> {
    let (_, []) = symbols.as_chunks::<4>() else {
        return None;
    };
    let n = symbols.len() / 4 * 3;
    // Sixteen symbols a step with the module's vector instructions where it has them.
    // Fewer than 16 symbols left after whole blocks (a 76-symbol line leaves 12) are decoded
    // as the last 16 symbols of the run: the block overlaps the one before it, whose octets
    // it writes again, the same. A block's octets are stored as one 16-octet vector where
    // `out` has room past them: the 4 octets past the run's are left to be written again by
    // what `out` holds next (the decoded length is `n`).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (symbols, out) = {
        let room = out.len().min(n + 4);
        let blocks = base64_simd::decode_blocks(symbols, out.get_mut(..room)?)?;
        if blocks > 0 && symbols.len() > blocks * 16 {
            if let (Some(last), Some(o)) = (symbols.last_chunk::<16>(), out.get_mut(n - 12..)) {
                base64_simd::decode_one(last, o)?;
                return Some(n);
            }
        }
        let out = out.get_mut(..n)?;
        (symbols.get(blocks * 16..)?, out.get_mut(blocks * 12..)?)
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let out = out.get_mut(..n)?;
    let (quads, _) = symbols.as_chunks::<4>();
    let (triples, _) = out.as_chunks_mut::<3>();
    let value = |s: u8| u32::from(BASE64_VALUES[usize::from(s)]);
    for (&[a, b, c, d], t) in quads.iter().zip(triples) {
        let (a, b, c, d) = (value(a), value(b), value(c), value(d));
        if (a | b | c | d) > 63 {
            return None;
        }
        let v = a << 18 | b << 12 | c << 6 | d;
        *t = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
    }
    Some(n)
}

/// Base64 decoding sixteen symbols at a time with WebAssembly's 128-bit vector instructions
/// (the nibble look-ups of W. Muła and D. Lemire, "Faster Base64 Encoding and Decoding Using
/// AVX2 Instructions", ACM TOPS 21(3), 2018): the same symbols as [`BASE64_VALUES`] and the
/// same octets as [`decode_quads`]' loop (`tests/wasm_vector.rs`, in Chromium).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod base64_simd {
    use core::arch::wasm32::*;
    use zerocopy::{FromBytes, IntoBytes};

    /// Decode the whole blocks of 16 symbols of `symbols` into `out` (12 octets each, `out`
    /// at least that long); the number of blocks, or `None` when an octet of them is not a
    /// symbol (what was written to `out` is then of no use). The blocks are checked together
    /// at the end, not one by one.
    pub(super) fn decode_blocks(symbols: &[u8], out: &mut [u8]) -> Option<usize> {
        let (blocks, _) = symbols.as_chunks::<16>();
        let mut bad = u8x16_splat(0);
        let mut done = 0;
        for block in blocks {
            let (octets, b) = decode_block(block)?;
            bad = v128_or(bad, b);
            let at = done * 12;
            match out.get_mut(at..at + 16) {
                Some(o) => octets.write_to(o).ok()?,
                None => store12(octets, out.get_mut(at..)?.first_chunk_mut::<12>()?),
            }
            done += 1;
        }
        (!v128_any_true(bad)).then_some(done)
    }

    /// Decode the lines of `width` symbols (whole quads, at least 16), each followed by
    /// `eol`, from `body[pos..]` into `out[written..]`, as long as they come and `out` has
    /// room for a line's octets and 4 past them: one loop, the blocks of a line as
    /// [`decode_blocks`] and [`decode_quads`] decode them (the last one overlapping the one
    /// before when `width` is not whole blocks). Returns the position and the count of octets
    /// after the last line decoded; a line with an octet that is not a symbol, or another
    /// end, stops the run before it (its octets written to `out` are of no use and are
    /// written again by whoever decodes it).
    pub(super) fn decode_lines(
        body: &[u8],
        mut pos: usize,
        width: usize,
        eol: &[u8],
        out: &mut [u8],
        mut written: usize,
    ) -> (usize, usize) {
        if width < 16 || !width.is_multiple_of(4) {
            return (pos, written);
        }
        let n = width / 4 * 3;
        let step = width + eol.len();
        while let (Some(line), Some(o)) = (
            body.get(pos..pos + step),
            out.get_mut(written..written + n + 4),
        ) {
            let (symbols, end) = line.split_at(width);
            // Octet by octet (a slice comparison is a call to memcmp in the module).
            let ends = match (end, eol) {
                ([a], [x]) => a == x,
                ([a, b], [x, y]) => a == x && b == y,
                _ => false,
            };
            if !ends || decode_line(symbols, o).is_none() {
                break;
            }
            pos += step;
            written += n;
        }
        (pos, written)
    }

    /// Decode one line of symbols (whole quads, at least 16) into `o` (room for its octets
    /// and 4 past them): its blocks as [`decode_blocks`] decodes them, the last one
    /// overlapping the one before when the line is not whole blocks. The number of octets,
    /// or `None` when an octet of the line is not a symbol or `o` is too short (what was
    /// written to `o` is then of no use).
    #[inline(always)]
    pub(super) fn decode_line(symbols: &[u8], o: &mut [u8]) -> Option<usize> {
        let n = symbols.len() / 4 * 3;
        let mut bad = u8x16_splat(0);
        let (blocks, _) = symbols.as_chunks::<16>();
        let mut stored = true;
        for (i, block) in blocks.iter().enumerate() {
            let (octets, b) = decode_block(block)?;
            bad = v128_or(bad, b);
            stored &= o
                .get_mut(i * 12..i * 12 + 16)
                .is_some_and(|o| octets.write_to(o).is_ok());
        }
        if !symbols.len().is_multiple_of(16) {
            let (octets, b) = symbols.last_chunk::<16>().and_then(decode_block)?;
            bad = v128_or(bad, b);
            stored &= o
                .get_mut(n.checked_sub(12)?..n + 4)
                .is_some_and(|o| octets.write_to(o).is_ok());
        }
        (!v128_any_true(bad) && stored).then_some(n)
    }

    /// Decode one block of 16 symbols into its 12 octets at the start of `out` (at least 12
    /// octets: one 16-octet vector store where it has room for it, the 4 octets past left to
    /// be written again by what follows); `None` when an octet of it is not a symbol.
    pub(super) fn decode_one(block: &[u8; 16], out: &mut [u8]) -> Option<()> {
        let (octets, bad) = decode_block(block)?;
        if v128_any_true(bad) {
            return None;
        }
        match out.first_chunk_mut::<16>() {
            Some(o) => octets.write_to(o).ok()?,
            None => store12(octets, out.first_chunk_mut::<12>()?),
        }
        Some(())
    }

    /// The 12 octets of [`decode_block`] in one array store (a `copy_from_slice` of 8 and 4
    /// octets is a call each in the size-optimised module).
    #[inline(always)]
    pub(super) fn store12(octets: v128, o: &mut [u8; 12]) {
        let [a, b, c, d, e, f, g, h] = u64x2_extract_lane::<0>(octets).to_le_bytes();
        let [i, j, k, l] = u32x4_extract_lane::<2>(octets).to_le_bytes();
        *o = [a, b, c, d, e, f, g, h, i, j, k, l];
    }

    /// Decode one block of 16 symbols: its 12 octets in the vector's first 12 lanes, and a
    /// vector that is not all zeros when an octet of the block is not a symbol (the octets
    /// are then of no use).
    #[inline(always)]
    pub(super) fn decode_block(block: &[u8; 16]) -> Option<(v128, v128)> {
        // Per low and per high nibble, bit patterns whose AND is zero exactly for a symbol
        // (an octet above 0x7F has a high nibble whose pattern meets every low one's).
        let lo_lut = i8x16(
            0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B,
            0x1B, 0x1A,
        );
        let hi_lut = i8x16(
            0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
            0x10, 0x10,
        );
        // What to add to a symbol for its value, by its high nibble ('/' one place before).
        let roll_lut = i8x16(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
        let v = v128::read_from_bytes(block).ok()?;
        let hi = u8x16_shr(v, 4);
        let lo = v128_and(v, u8x16_splat(0x0F));
        let bad = v128_and(i8x16_swizzle(lo_lut, lo), i8x16_swizzle(hi_lut, hi));
        let slash = i8x16_eq(v, u8x16_splat(b'/'));
        let values = i8x16_add(v, i8x16_swizzle(roll_lut, i8x16_add(slash, hi)));
        // Each 16-bit lane's two values a, b: a << 6 | b; each 32-bit lane's two such
        // halves x, y (12 bits each): x * 4096 + y by one dot product, a quad's three
        // octets, the last lowest.
        let pairs = v128_or(
            u16x8_shl(v128_and(values, u16x8_splat(0x00FF)), 6),
            u16x8_shr(values, 8),
        );
        let quads = i32x4_dot_i16x8(pairs, u32x4_splat(0x0001_1000));
        let octets =
            i8x16_shuffle::<2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 3, 7, 11, 15>(quads, quads);
        Some((octets, bad))
    }
}

/// Decode a body per its Content-Transfer-Encoding (RFC 2045 §6): `base64` (§6.8),
/// `quoted-printable` (§6.7), identity for `7bit`/`8bit`/`binary` or when absent.
pub fn decode_transfer(body: &[u8], cte: Option<&str>) -> Result<Vec<u8>, String> {
    match cte.map(|c| c.trim().to_ascii_lowercase()) {
        Some(c) if c == "base64" => base64_decode(body),
        Some(c) if c == "quoted-printable" => Ok(qp_decode(body)),
        _ => Ok(body.to_vec()),
    }
}

/// Quoted-printable decoding (RFC 2045 §6.7): `=XX` octets, soft line breaks (`=` at the
/// end of a line) removed; a malformed `=` is kept as it is (§6.7 note (2)).
fn qp_decode(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        if b == b'=' {
            if body.get(i + 1..i + 3) == Some(b"\r\n") {
                i += 3;
                continue;
            }
            if body.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Some(v) = super::header::hex_octet_after(body, i) {
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

/// The first `msg-id` of a `Message-ID` / `In-Reply-To` / `References` value without its
/// angle brackets (RFC 5322 §3.6.4: `msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]`);
/// a value without brackets is taken whole (legacy agents omit them). `None` when empty.
pub fn first_msg_id(value: &str) -> Option<&str> {
    let v = value.trim();
    let id = match v.find('<') {
        Some(open) => {
            let rest = v.get(open + 1..)?;
            rest.get(..rest.find('>')?)?
        }
        None => v,
    };
    let id = id.trim();
    (!id.is_empty()).then_some(id)
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
        let (h, b) = split(m);
        assert_eq!(h, b"From: a@b\r\nSubject: x\r\n y\r\n");
        assert_eq!(b, b"body\r\n");
        let f = fields(h);
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].value, "x y");
        assert_eq!(f[1].raw, b"Subject: x\r\n y\r\n");
        // The same fields when given the whole message.
        assert_eq!(fields(m), f);
    }

    #[test]
    fn split_edges() {
        assert_eq!(split(b"\r\nbody"), (&b""[..], &b"body"[..]));
        assert_eq!(split(b"\nbody"), (&b""[..], &b"body"[..]));
        assert_eq!(
            split(b"A: 1\nB: 2\n\nx\n\ny"),
            (&b"A: 1\nB: 2\n"[..], &b"x\n\ny"[..])
        );
        assert_eq!(split(b"A: 1\r\nB: 2"), (&b"A: 1\r\nB: 2"[..], &b""[..]));
        // A line of white space is a continuation, not the empty line.
        assert_eq!(
            split(b"A: 1\r\n \r\n\r\nb"),
            (&b"A: 1\r\n \r\n"[..], &b"b"[..])
        );
        assert_eq!(split(b""), (&b""[..], &b""[..]));
    }

    #[test]
    fn fields_never_hide_obsolete_names() {
        // A From field written with white space before the colon is still a From field for
        // the verifier, as it is for the reader's mail program (RFC 5322 §4.5.8).
        let f = fields(b"From : mallory@evil.example\r\nFrom: alice@army.example\r\n\r\n");
        assert_eq!(f.iter().filter(|f| f.name == "From").count(), 2);
        assert_eq!(f[0].value, "mallory@evil.example");
    }

    #[test]
    fn media_types() {
        let t = media_type(
            "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;\r\n boundary=\"a;b\"",
        );
        assert_eq!(t.mime, "multipart/signed");
        assert_eq!(t.param("boundary"), Some("a;b"));
        assert_eq!(t.param("MICALG"), Some("sha-256"));
        assert_eq!(
            media_type("text/plain; x=\"a\\\"b\"").param("x"),
            Some("a\"b")
        );
        assert_eq!(media_type("text/plain; x=\"").param("x"), Some("\""));
        assert_eq!(entity_media_type(&[]).mime, "text/plain");
    }

    #[test]
    fn multipart_exact_parts() {
        let body = b"preamble\r\n--b\r\nA: 1\r\n\r\nx\r\n--b\r\nsig\r\n--b--\r\n";
        let parts = multipart_parts(body, "b").unwrap();
        assert_eq!(parts, vec![&b"A: 1\r\n\r\nx"[..], &b"sig"[..]]);
        assert!(multipart_parts(b"nothing", "b").is_none());
        assert!(multipart_parts(body, "").is_none());
        assert!(multipart_parts(body, &"b".repeat(71)).is_none());
        // A boundary that only starts a longer line is not a delimiter.
        let parts = multipart_parts(b"--b\r\nx\r\n--bc\r\ny\r\n--b--", "b").unwrap();
        assert_eq!(parts, vec![&b"x\r\n--bc\r\ny"[..]]);
    }

    #[test]
    fn multipart_parts_found_one_at_a_time() {
        // The same parts as the whole list, in order, whatever is taken.
        let body = b"pre\r\n--b\r\n1\r\n--b\n2\n--b  \r\n\r\n--b\r\n4\r\n--b--\r\nepilogue --b\r\n";
        let all = multipart_parts(body, "b").unwrap();
        assert_eq!(all, vec![&b"1"[..], b"2", b"", b"4"]);
        for n in 0..6 {
            let some: Vec<_> = multipart_iter(body, "b").unwrap().take(n).collect();
            assert_eq!(some, all.iter().take(n).copied().collect::<Vec<_>>(), "{n}");
        }
        // Without a close delimiter the text after the last delimiter is no part.
        assert_eq!(
            multipart_parts(b"--b\r\n1\r\n--b\r\n2", "b").unwrap(),
            vec![&b"1"[..]]
        );
        // Two parts of a body of a million delimiters: only as far as the third is read
        // (a list of every part would hold a million slices).
        let many = "--b\r\n".repeat(1_000_000);
        let mut it = multipart_iter(many.as_bytes(), "b").unwrap();
        assert_eq!(it.next(), Some(&b""[..]));
        assert_eq!(it.next(), Some(&b""[..]));
        assert_eq!(it.from, 2 * 5 + 1);
        assert_eq!(
            multipart_iter(many.as_bytes(), "b").unwrap().count(),
            999_999
        );
    }

    #[test]
    fn transfer_decoding() {
        // Two hex digits, not a signed number (RFC 2045 §6.7 (1)).
        assert_eq!(
            decode_transfer(b"a=+Ab=41", Some("quoted-printable")).unwrap(),
            b"a=+AbA"
        );
        assert_eq!(
            decode_transfer(b"aGVs\r\nbG8=\r\n", Some(" BASE64 ")).unwrap(),
            b"hello"
        );
        assert_eq!(
            decode_transfer(b"aGVsbG8", Some("base64")).unwrap(),
            b"hello"
        );
        assert!(decode_transfer(b"a*b=", Some("base64")).is_err());
        assert_eq!(
            decode_transfer(b"caf=C3=A9 =3D=\r\nx=ZZ", Some("quoted-printable")).unwrap(),
            "café =x=ZZ".as_bytes()
        );
        assert_eq!(decode_transfer(b"=41", Some("7bit")).unwrap(), b"=41");
        assert_eq!(decode_transfer(b"=41", None).unwrap(), b"=41");
    }

    /// A xorshift generator from `seed`: `next(n)` is below `n`, the same on every run.
    fn xorshift(mut state: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        }
    }

    #[test]
    fn base64_lines_agree_with_whole_body_decoding_on_random_bodies() {
        // Bodies drawn from base64 symbols, padding, line ends, white space and stray octets,
        // in random lines: the line decoder gives the whole-body decoder's octets or error.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        for _ in 0..20_000 {
            let len = next(200) as usize;
            let mut body = Vec::with_capacity(len);
            for _ in 0..len {
                let b = match next(100) {
                    0..=79 => alphabet[next(64) as usize],
                    80..=84 => b'=',
                    85..=89 => b'\n',
                    90..=92 => b'\r',
                    93..=95 => b' ',
                    96 => b'\t',
                    97 => b'-',
                    98 => 0xC3,
                    _ => next(256) as u8,
                };
                body.push(b);
            }
            assert_eq!(
                base64_decode(&body),
                base64_decode_whole(&body),
                "{:?}",
                String::from_utf8_lossy(&body)
            );
        }
        // Encodings of random data in lines of random widths, padded or not, some with one
        // octet changed.
        for _ in 0..5_000 {
            let data: Vec<u8> = (0..next(300)).map(|_| next(256) as u8).collect();
            let mut text = base64::engine::general_purpose::STANDARD.encode(&data);
            if next(2) == 0 {
                text = text.trim_end_matches('=').to_string();
            }
            let width = 1 + next(90) as usize;
            let eol: &[u8] = [&b"\r\n"[..], b"\n", b" \r\n", b"\r\n\r\n"][next(4) as usize];
            let mut body = text.as_bytes().chunks(width).collect::<Vec<_>>().join(eol);
            let changed = next(3) == 0 && !body.is_empty();
            if changed {
                let at = next(body.len() as u64) as usize;
                body[at] = [b'*', b'=', b' ', b'\n', b'A', 0xFF][next(6) as usize];
            }
            let line = base64_decode(&body);
            assert_eq!(
                line,
                base64_decode_whole(&body),
                "{:?}",
                String::from_utf8_lossy(&body)
            );
            if !changed {
                assert_eq!(line.as_deref(), Ok(&data[..]));
            }
        }
    }

    /// Decoding in the message's own buffer gives the octets or the error (its offset
    /// included) of decoding the body into a new one: random data in lines of the widths
    /// decoded in place and others, CRLF and LF, padded or not, after header sections shorter
    /// and longer than the room asked for, with one octet changed in some — a bad symbol,
    /// padding, white space or a line end anywhere, the first line's included.
    #[test]
    fn base64_in_place_agrees_with_a_new_buffer() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let mut in_place = 0;
        for round in 0..6_000 {
            let data: Vec<u8> = (0..next(2_000)).map(|_| next(256) as u8).collect();
            let mut text = base64::engine::general_purpose::STANDARD.encode(&data);
            if next(2) == 0 {
                text = text.trim_end_matches('=').to_string();
            }
            let width = [16, 64, 76, 128, 132, 12, 75, 1 + next(140) as usize][next(8) as usize];
            let eol: &[u8] = [&b"\r\n"[..], b"\n", b" \r\n", b"\r\n\r\n"][next(4) as usize];
            let mut body = text.as_bytes().chunks(width).collect::<Vec<_>>().join(eol);
            if next(2) == 0 {
                body.extend_from_slice(eol);
            }
            let changed = next(3) == 0 && !body.is_empty();
            if changed {
                let at = next(body.len() as u64) as usize;
                body[at] = [b'*', b'=', b' ', b'\n', b'A', 0xFF, b'\r'][next(7) as usize];
            }
            let header_len = next(200) as usize;
            let headroom = [0, 16, 96, next(300) as usize][next(4) as usize];
            let mut buf = vec![b'H'; header_len];
            buf.extend_from_slice(&body);
            let expected = base64_decode_after(&body, headroom);
            let got = base64_decode_in_place(buf, header_len, headroom);
            assert_eq!(
                got,
                expected,
                "round {round}: width {width}, header {header_len}, room {headroom}: {:?}",
                String::from_utf8_lossy(&body)
            );
            if !changed {
                assert_eq!(got.as_deref().map(|g| &g[headroom..]), Ok(&data[..]));
            }
            in_place += usize::from(
                header_len >= headroom && matches!(width, 16 | 64 | 76 | 128) && eol != b" \r\n",
            );
        }
        assert!(
            in_place > 1_000,
            "{in_place} bodies of lines decoded in place"
        );
    }

    #[test]
    fn base64_lines_agree_with_whole_body_decoding() {
        let data: Vec<u8> = (0u32..300).map(|i| (i * 131 % 251) as u8).collect();
        let enc = base64::engine::general_purpose::STANDARD.encode(&data);
        let bare = enc.trim_end_matches('=');
        let mut bodies: Vec<Vec<u8>> = Vec::new();
        for text in [enc.as_str(), bare] {
            // Line lengths that are and are not multiples of 4, CRLF and LF, trailing and
            // leading white space, blank lines, a quantum split over three lines.
            for width in [1usize, 2, 3, 4, 5, 7, 64, 76, 77, 1000] {
                for eol in ["\r\n", "\n", " \r\n\r\n", "\t\n "] {
                    let lines: Vec<&str> = text
                        .as_bytes()
                        .chunks(width)
                        .map(|c| std::str::from_utf8(c).unwrap())
                        .collect();
                    bodies.push(lines.join(eol).into_bytes());
                    bodies.push(format!("{}{eol}", lines.join(eol)).into_bytes());
                }
            }
        }
        // Refusals: a bad symbol, padding before the end (inside a line and at a line's
        // end), white space inside a line, a lone last symbol, only white space.
        bodies.extend(
            [
                &b"aGVs\r\nb*G8=\r\n"[..],
                b"aGV=\r\nbG8=\r\n",
                b"aG==\r\naGVs\r\n",
                b"aGVs bG8=\r\n",
                b"aGVs\rbG8=\r\n",
                b"aGVsb\r\n",
                b"aGVs\r\nb\r\n",
                b"  \r\n\t\r\n",
                b"",
                b"aGVsbG8===\r\n",
                b"aGVs\r\nbG8\r\n=\r\n",
                // the URL-safe alphabet's symbols and octets above 0x7F are not symbols
                b"aGVs\r\nb-8_aGVs\r\n",
                b"aGVs\xC3\xA9bG8=\r\n",
                b"aGVsbG8\xFFaGVs\r\n",
            ]
            .map(<[u8]>::to_vec),
        );
        for body in &bodies {
            assert_eq!(
                base64_decode(body),
                base64_decode_whole(body),
                "{:?}",
                String::from_utf8_lossy(body)
            );
            // With room before the octets: zeros, then the same octets or the same error.
            let after = base64_decode_after(body, 19);
            let want = base64_decode_whole(body).map(|d| [vec![0; 19], d].concat());
            assert_eq!(after, want, "{:?}", String::from_utf8_lossy(body));
        }
        assert_eq!(base64_decode(&bodies[0]).unwrap(), data);
        // Lines like the first, then others: shorter, longer, with white space, blank, with
        // another line end; the first line's width is not a multiple of 4 in some.
        let lines: Vec<&[u8]> = enc.as_bytes().chunks(16).collect();
        for first in [8usize, 12, 16, 6] {
            for odd in [
                &b"aGVs"[..],
                b"aGVsbG8gd29y",
                b" aGVsbG8gd29ybGQh",
                b"",
                b"aGVsbG8gd29ybGQhaGVs",
            ] {
                for eol in [&b"\r\n"[..], b"\n"] {
                    let mut body = Vec::new();
                    body.extend_from_slice(&lines[0][..first]);
                    body.extend_from_slice(eol);
                    for (i, l) in lines[1..].iter().enumerate() {
                        body.extend_from_slice(if i == 3 { odd } else { l });
                        body.extend_from_slice(if i == 5 { b"\n" } else { eol });
                    }
                    assert_eq!(
                        base64_decode(&body),
                        base64_decode_whole(&body),
                        "{:?}",
                        String::from_utf8_lossy(&body)
                    );
                }
            }
        }
        // Bodies longer than one run of the line decoder, with a bad symbol or padding far
        // from the start.
        let big: Vec<u8> = (0u32..100_000).map(|i| (i * 7 % 256) as u8).collect();
        let enc = base64::engine::general_purpose::STANDARD.encode(&big);
        for width in [76usize, 77, 4096, 70_000] {
            let lines: Vec<&[u8]> = enc.as_bytes().chunks(width).collect();
            let body = lines.join(&b"\r\n"[..]);
            assert_eq!(base64_decode(&body).unwrap(), big);
            for bad in [b'*', b'='] {
                let mut b = body.clone();
                b[50_000] = bad;
                assert_eq!(base64_decode(&b), base64_decode_whole(&b));
                assert!(base64_decode(&b).is_err());
            }
        }
    }

    #[test]
    fn multipart_delimiters_only_at_line_starts() {
        // Delimiter-shaped text inside a line, overlapping candidates, and a long run of
        // them stay content; the work is one search over the body.
        let body = b"--b--b\r\nx --b\r\n--b\r\n-----b\r\n--b--";
        assert_eq!(multipart_parts(body, "b").unwrap(), vec![&b"-----b"[..]]);
        let body = b"--b\r\nA\r\n--b--";
        assert!(multipart_parts(body, "-").is_none());
        let long = [b"x".repeat(10), "--b".repeat(100_000).into_bytes()].concat();
        assert!(multipart_parts(&long, "b").is_none());
    }

    #[test]
    fn canonical_crlf_runs() {
        assert_eq!(&*canonical_crlf(b"\n\n\r\n\nx\n"), b"\r\n\r\n\r\n\r\nx\r\n");
        assert_eq!(&*canonical_crlf(b"\r\r\n\r"), b"\r\r\n\r");
        assert_eq!(&*canonical_crlf(b"a\r\nb\nc"), b"a\r\nb\r\nc");
    }

    #[test]
    fn msg_ids() {
        assert_eq!(first_msg_id(" <a@b> <c@d>"), Some("a@b"));
        assert_eq!(first_msg_id("a@b"), Some("a@b"));
        assert_eq!(first_msg_id("<a@b"), None);
        assert_eq!(first_msg_id("<>"), None);
        assert_eq!(first_msg_id("  "), None);
    }

    #[test]
    fn crlf() {
        assert_eq!(&*canonical_crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
        assert!(matches!(canonical_crlf(b"a\r\nb"), Cow::Borrowed(_)));
        assert_eq!(&*canonical_crlf(b"\n"), b"\r\n");
    }
}
