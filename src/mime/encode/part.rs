//! The [`Part`] tree: leaves, multiparts with an RNG-drawn boundary (RFC 2046 §5.1.1),
//! already-serialised entities carried octet for octet, and whole [`Message`]s, serialised
//! with CRLF line ends. Every MIME producer of the crate (compose, S/MIME entities, header
//! protection, domain signatures, DSNs, release notices, the webmail) builds with it.

use super::header::{fold_field, Headers};
use super::param::param;
use super::transfer::{
    base64_lines, is_7bit_safe, normalize_crlf, quoted_printable, TransferEncoding,
};
use super::{EncodeError, FOLD_AT};
use crate::mime::entity::{canonical_crlf, split};
use crate::rng::CryptoRng;
use std::borrow::Cow;

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
        /// `mixed`, `alternative`, `report`, …
        subtype: String,
        /// Content-Type parameters written before the boundary, e.g. `report-type`
        /// (RFC 6522 §3), rendered with [`param`].
        params: Vec<(String, String)>,
        /// The boundary (RFC 2046 §5.1.1: 1–70 `bchars`, not ending in space).
        boundary: String,
        /// The preamble before the first delimiter (RFC 2046 §5.1.1: ignored by MIME
        /// readers, shown by others), CRLF line ends; usually empty.
        preamble: Vec<u8>,
        /// The children.
        parts: Vec<Part>,
    },
    /// An already-serialised MIME entity (header fields, an empty line, the body), written
    /// octet for octet: the first part of multipart/signed is exactly the content its
    /// signature covers (RFC 1847 §2.1, RFC 8551 §3.1.1), so it is never re-encoded.
    /// Canonical CRLF line ends ([`Part::entity`] makes them so).
    Entity(Vec<u8>),
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

    /// A multipart with Content-Type parameters (e.g. `report-type`, RFC 6522 §3) and a
    /// fresh boundary from `rng` that occurs in no child ([`fresh_boundary`]).
    pub fn multipart<R: CryptoRng + ?Sized>(
        subtype: &str,
        params: &[(&str, &str)],
        parts: Vec<Part>,
        rng: &mut R,
    ) -> Part {
        let mut probe = Vec::new();
        for p in &parts {
            // children serialise infallibly except for over-long header lines, which the
            // final write reports; for the probe ignore that.
            let _ = p.write(&mut probe);
        }
        let boundary = fresh_boundary(&probe, rng);
        Part::multipart_with_boundary(subtype, params, boundary, b"", parts)
    }

    /// A multipart whose boundary the caller drew (a report that must name its boundary
    /// before the parts exist), with Content-Type parameters and a preamble.
    pub fn multipart_with_boundary(
        subtype: &str,
        params: &[(&str, &str)],
        boundary: String,
        preamble: &[u8],
        parts: Vec<Part>,
    ) -> Part {
        Part::Multipart {
            headers: Headers::new(),
            subtype: subtype.to_string(),
            params: params
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            boundary,
            preamble: preamble.to_vec(),
            parts,
        }
    }

    /// A leaf with exactly these header fields and these already-encoded body octets.
    pub fn leaf(headers: Headers, body: Vec<u8>) -> Part {
        Part::Leaf { headers, body }
    }

    /// An already-serialised entity (header fields, empty line, body), its line ends made
    /// canonical CRLF (RFC 8551 §3.1.1; a no-op on canonical input) and then kept octet for
    /// octet.
    pub fn entity(entity: Vec<u8>) -> Part {
        match canonical_crlf(&entity) {
            Cow::Borrowed(_) => Part::Entity(entity),
            Cow::Owned(canon) => Part::Entity(canon),
        }
    }

    /// True when the serialised part contains octets ≥ 0x80 outside base64/QP (8BITMIME).
    pub fn has_8bit(&self) -> bool {
        match self {
            Part::Leaf { body, .. } => !body.is_ascii(),
            Part::Multipart {
                preamble, parts, ..
            } => !preamble.is_ascii() || parts.iter().any(Part::has_8bit),
            Part::Entity(raw) => !raw.is_ascii(),
        }
    }

    /// Serialise the entity: its MIME header fields, a blank line, the body.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if let Part::Entity(raw) = self {
            out.extend_from_slice(raw);
            return Ok(());
        }
        self.write_headers(out)?;
        out.extend_from_slice(b"\r\n");
        self.write_body(out)
    }

    /// About how many octets [`Self::write`] writes (the bodies exactly, the header fields
    /// and delimiters roughly), so that a large message is written into one allocation.
    fn size_hint(&self) -> usize {
        match self {
            Part::Leaf { body, .. } => body.len() + 512,
            Part::Multipart {
                preamble, parts, ..
            } => preamble.len() + 512 + parts.iter().map(|p| p.size_hint() + 96).sum::<usize>(),
            Part::Entity(raw) => raw.len(),
        }
    }

    /// The serialised entity ([`Self::write`]).
    pub fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(self.size_hint());
        self.write(&mut out)?;
        Ok(out)
    }

    /// A whole message with this entity as its body: the already-serialised RFC 5322
    /// header section `outer` (complete fields, CRLF), `MIME-Version: 1.0` (RFC 2045 §4),
    /// then this entity's MIME header fields, an empty line and its body.
    pub fn to_message(&self, outer: &[u8]) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(outer.len() + 20 + self.size_hint());
        out.extend_from_slice(outer);
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
        self.write(&mut out)?;
        Ok(out)
    }

    /// This multipart serialised ([`Self::to_vec`], or [`Self::to_message`] with `outer`) in
    /// two pieces around child `index`, which is not written: the caller holds its octets
    /// elsewhere (a large signed entity left in the buffer it was made in) and places them
    /// between the two, so that `head + child + tail` is the whole serialisation. `None` for a
    /// leaf or an entity, or when there is no child `index`.
    pub fn write_around(
        &self,
        outer: Option<&[u8]>,
        index: usize,
    ) -> Result<Option<Around>, EncodeError> {
        let Part::Multipart {
            boundary,
            preamble,
            parts,
            ..
        } = self
        else {
            return Ok(None);
        };
        if index >= parts.len() {
            return Ok(None);
        }
        let mut head = Vec::with_capacity(outer.map_or(0, <[u8]>::len) + 512 + preamble.len());
        if let Some(outer) = outer {
            head.extend_from_slice(outer);
            head.extend_from_slice(b"MIME-Version: 1.0\r\n");
        }
        self.write_headers(&mut head)?;
        head.extend_from_slice(b"\r\n");
        let mut tail = Vec::with_capacity(
            parts
                .iter()
                .skip(index + 1)
                .map(|p| p.size_hint() + 96)
                .sum::<usize>()
                + 96,
        );
        write_parts(
            boundary,
            preamble,
            parts,
            &mut head,
            Some((index, &mut tail)),
        )?;
        Ok(Some((head, tail)))
    }

    /// Serialise only the MIME header fields of this entity (for a top-level message the
    /// caller writes its RFC 5322 fields first, then these).
    pub fn write_headers(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Part::Leaf { headers, .. } => headers.write(out),
            Part::Multipart {
                headers,
                subtype,
                params,
                boundary,
                ..
            } => {
                let mut value = format!("multipart/{subtype}");
                for (name, v) in params {
                    value.push_str(&param(name, v));
                }
                value.push_str(&format!("; boundary=\"{boundary}\""));
                fold_field("Content-Type", &value, out)?;
                headers.write(out)
            }
            Part::Entity(raw) => {
                out.extend_from_slice(split(raw).0);
                Ok(())
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
                boundary,
                preamble,
                parts,
                ..
            } => write_parts(boundary, preamble, parts, out, None),
            Part::Entity(raw) => {
                out.extend_from_slice(split(raw).1);
                Ok(())
            }
        }
    }
}

/// A multipart written around one of its children ([`Part::write_around`]): what comes
/// before the child's octets, and what comes after them.
pub type Around = (Vec<u8>, Vec<u8>);

/// A multipart's body (RFC 2046 §5.1.1): the preamble, each part after its delimiter, the
/// close delimiter. With `around = Some((i, tail))` part `i` is not written and everything
/// after its delimiter goes to `tail` ([`Part::write_around`]).
fn write_parts<'a>(
    boundary: &str,
    preamble: &[u8],
    parts: &[Part],
    head: &'a mut Vec<u8>,
    around: Option<(usize, &'a mut Vec<u8>)>,
) -> Result<(), EncodeError> {
    let (skip, mut tail) = match around {
        Some((i, t)) => (Some(i), Some(t)),
        None => (None, None),
    };
    let mut out = head;
    out.extend_from_slice(preamble);
    for (i, p) in parts.iter().enumerate() {
        delimiter(out, boundary);
        if Some(i) == skip {
            if let Some(t) = tail.take() {
                out = t;
            }
        } else {
            p.write(out)?;
        }
        part_end(out);
    }
    close_delimiter(out, boundary);
    Ok(())
}

/// The body of a multipart whose parts are these serialised entities, kept octet for octet
/// (no preamble): the octets [`Part::multipart_with_boundary`] with `Part::Entity` parts
/// writes, from parts that are not copied first.
pub fn write_entities_body<P: AsRef<[u8]>>(
    boundary: &str,
    parts: impl IntoIterator<Item = P>,
    out: &mut Vec<u8>,
) {
    for p in parts {
        delimiter(out, boundary);
        out.extend_from_slice(p.as_ref());
        part_end(out);
    }
    close_delimiter(out, boundary);
}

/// The delimiter line before a part (RFC 2046 §5.1.1).
fn delimiter(out: &mut Vec<u8>, boundary: &str) {
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// After a part: the CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), so
/// it is always added: a part ending in a line break keeps it.
fn part_end(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\r\n");
}

/// The close delimiter line (RFC 2046 §5.1.1).
fn close_delimiter(out: &mut Vec<u8>, boundary: &str) {
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary.as_bytes());
    out.extend_from_slice(b"--\r\n");
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
        let mut outer = Vec::new();
        self.headers.write(&mut outer)?;
        self.body.to_message(&outer)
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
    let mut bytes = [0u8; BOUNDARY_LEN];
    rng.fill_bytes(&mut bytes);
    let mut s = String::from("=_");
    for b in bytes {
        s.push(char::from(BOUNDARY_ALPHABET[usize::from(b & 31)]));
    }
    s
}

/// How many boundaries [`fresh_boundary`] draws from the RNG before it counts.
const BOUNDARY_DRAWS: usize = 16;

/// The boundary alphabet (base32 letters and digits: `bchars`, RFC 2046 §5.1.1).
const BOUNDARY_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Random characters of a boundary after its `=_` prefix.
const BOUNDARY_LEN: usize = 24;

/// A boundary that occurs nowhere in `content` (RFC 2046 §5.1.1: it "must not appear inside
/// any of the encapsulated parts"): drawn from `rng` ([`boundary`]); should
/// 16 draws all occur (only a broken RNG makes that likely), the first of
/// the boundaries `=_` + a counter in base32 that does not occur. The content holds fewer
/// boundary-shaped runs than it has octets, so the count ends within that many steps: the
/// work stays linear in the content whatever it holds.
pub fn fresh_boundary<R: CryptoRng + ?Sized>(content: &[u8], rng: &mut R) -> String {
    let taken: std::collections::HashSet<&[u8]> = memchr::memchr_iter(b'=', content)
        .filter_map(|i| content.get(i..i + 2 + BOUNDARY_LEN))
        .filter(|w| w.starts_with(b"=_"))
        .collect();
    let free = |b: &String| !taken.contains(b.as_bytes());
    if let Some(b) = (0..BOUNDARY_DRAWS).map(|_| boundary(rng)).find(free) {
        return b;
    }
    (0u64..)
        .map(|mut n| {
            let mut s = String::from("=_");
            for _ in 0..BOUNDARY_LEN {
                s.push(char::from(BOUNDARY_ALPHABET[(n % 32) as usize]));
                n /= 32;
            }
            s
        })
        .find(free)
        .unwrap_or_default()
}

/// Substring search (`memmem`, linear in the haystack).
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::entity;

    /// Entities written as parts from where they lie: the octets of a multipart of
    /// `Part::Entity` parts, and read back as the same parts.
    #[test]
    fn entities_written_in_place_are_the_multipart() {
        let parts: [&[u8]; 3] = [
            b"Content-Type: text/plain\r\n\r\none\r\n",
            b"",
            b"Content-Type: text/html\r\n\r\n<p>two</p>",
        ];
        for n in 0..=parts.len() {
            let mut direct = Vec::new();
            write_entities_body("b-1", parts.iter().take(n), &mut direct);
            let owned = parts
                .iter()
                .take(n)
                .map(|p| Part::Entity(p.to_vec()))
                .collect();
            let mut built = Vec::new();
            Part::multipart_with_boundary("mixed", &[], "b-1".into(), b"", owned)
                .write_body(&mut built)
                .unwrap();
            assert_eq!(direct, built, "{n}");
            let read = entity::multipart_parts(&direct, "b-1").unwrap();
            assert_eq!(read, parts.iter().take(n).copied().collect::<Vec<_>>());
        }
    }

    /// The two pieces around a child, with the child's octets between them, are the whole
    /// serialisation, as an entity and as a message; a leaf, an entity or a child that does
    /// not exist gives none.
    #[test]
    fn written_around_a_child_is_the_whole() {
        let mut h = Headers::new();
        h.push("Content-Type", "text/plain; charset=us-ascii");
        let leaf = Part::leaf(h, b"hello\r\n".to_vec());
        let entity = b"Content-Type: text/plain\r\n\r\nsigned\r\n".to_vec();
        for index in 0..3 {
            let mut parts = vec![leaf.clone(), leaf.clone(), leaf.clone()];
            parts[index] = Part::Entity(entity.clone());
            let whole = Part::multipart_with_boundary(
                "signed",
                &[("micalg", "sha-256")],
                "=_B".into(),
                b"preamble\r\n\r\n",
                parts.clone(),
            );
            parts[index] = Part::Entity(Vec::new());
            let holed = Part::multipart_with_boundary(
                "signed",
                &[("micalg", "sha-256")],
                "=_B".into(),
                b"preamble\r\n\r\n",
                parts,
            );
            for outer in [None, Some(&b"From: a@b.example\r\n"[..])] {
                let (head, tail) = holed.write_around(outer, index).unwrap().unwrap();
                let expected = match outer {
                    Some(o) => whole.to_message(o).unwrap(),
                    None => whole.to_vec().unwrap(),
                };
                assert_eq!([head, entity.clone(), tail].concat(), expected);
            }
        }
        let two = Part::multipart_with_boundary("mixed", &[], "b".into(), b"", vec![leaf.clone()]);
        assert_eq!(two.write_around(None, 1).unwrap(), None);
        assert_eq!(leaf.write_around(None, 0).unwrap(), None);
        assert_eq!(Part::Entity(entity).write_around(None, 0).unwrap(), None);
    }

    #[test]
    fn report_with_params_and_preamble() {
        let mut h = Headers::new();
        h.push("Content-Type", "text/plain; charset=us-ascii");
        let report = Part::multipart_with_boundary(
            "report",
            &[("report-type", "delivery-status")],
            "b1".to_string(),
            b"preamble\r\n\r\n",
            vec![Part::leaf(h, b"hello\r\n".to_vec())],
        );
        let mut out = Vec::new();
        report.write(&mut out).unwrap();
        assert_eq!(
            out,
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
preamble\r\n\r\n--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n\r\n--b1--\r\n"
                .to_vec()
        );
        // Read back with the one reader.
        let (head, body) = entity::split(&out);
        let ct = entity::entity_media_type(&entity::fields(head));
        assert_eq!(ct.param("report-type"), Some("delivery-status"));
        let parts = entity::multipart_parts(body, ct.param("boundary").unwrap()).unwrap();
        assert_eq!(
            parts,
            vec![&b"Content-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n"[..]]
        );
        // A parameter value that is not a token is quoted, never raw.
        let odd =
            Part::multipart_with_boundary("mixed", &[("x", "a\"; b=c")], "b2".into(), b"", vec![]);
        let mut out = Vec::new();
        odd.write_headers(&mut out).unwrap();
        let ct = entity::media_type(&entity::fields(&out)[0].value);
        assert_eq!(ct.param("x"), Some("a\"; b=c"));
        assert_eq!(ct.param("b"), None);
        assert_eq!(ct.param("boundary"), Some("b2"));
        assert!(
            Part::multipart_with_boundary("m", &[], "b".into(), "é".as_bytes(), vec![]).has_8bit()
        );
    }
}
