//! A small, bounded BER reader (X.690 §8) for the CMS structures we receive.
//!
//! Bouncy Castle, Outlook, OpenSSL `-stream` and many gateways send CMS in BER: indefinite
//! lengths (`30 80 … 00 00`) and OCTET STRINGs split into a constructed string of chunks
//! (`24 80 04 .. 04 .. 00 00`, or `A0 80 …` when the OCTET STRING is IMPLICITly tagged, as
//! `EncryptedContentInfo.encryptedContent [0] IMPLICIT` is). `der` 0.8's `from_ber` handles
//! indefinite lengths but not definite-length constructed strings, and it cannot know that a
//! constructed `[0]` is an implicitly tagged OCTET STRING. So we walk the outer structure
//! ourselves, pull the (possibly chunked) content octets out without re-encoding them, and
//! hand each small inner element (RecipientInfo, AlgorithmIdentifier …) to `der` after
//! [`to_der`] has normalised it.
//!
//! Every function is bounded: nesting depth ≤ [`MAX_DEPTH`], lengths checked against the
//! input, no recursion on attacker-chosen counts beyond the depth limit, no panics.

use super::Error;

/// Maximum nesting depth of constructed encodings we follow.
pub(crate) const MAX_DEPTH: usize = 48;

/// Tag class (X.690 §8.1.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Universal,
    Application,
    Context,
    Private,
}

/// One decoded TLV. `content` is the value octets; for an indefinite-length element it
/// excludes the end-of-contents marker.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub class: Class,
    pub constructed: bool,
    pub number: u32,
    pub content: &'a [u8],
    /// The whole encoding (identifier, length, content and any end-of-contents).
    pub raw: &'a [u8],
    /// Was the length indefinite (BER)?
    #[allow(dead_code)]
    pub indefinite: bool,
}

fn malformed(msg: &str) -> Error {
    Error::Malformed(format!("BER: {msg}"))
}

impl<'a> Tlv<'a> {
    /// Is this the universal tag `number`?
    pub fn is_universal(&self, number: u32) -> bool {
        self.class == Class::Universal && self.number == number
    }

    /// Is this the context-specific tag `[number]`?
    pub fn is_context(&self, number: u32) -> bool {
        self.class == Class::Context && self.number == number
    }

    /// The children of a constructed element.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, Error> {
        if !self.constructed {
            return Err(malformed("expected a constructed element"));
        }
        let mut out = Vec::new();
        let mut rest = self.content;
        while !rest.is_empty() {
            let (t, r) = parse_at(rest, 1)?;
            out.push(t);
            rest = r;
        }
        Ok(out)
    }

    /// The content octets of an OCTET STRING (or an implicitly tagged one), joining the
    /// chunks of a constructed encoding.
    pub fn octets(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.content.len());
        collect_octets(self, &mut out, 0)?;
        Ok(out)
    }

    /// Re-encode this element as DER-shaped bytes (see [`to_der`]).
    pub fn normalised(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.raw.len());
        normalise(self, &mut out, 0)?;
        Ok(out)
    }
}

fn collect_octets(t: &Tlv<'_>, out: &mut Vec<u8>, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(malformed("constructed string nested too deeply"));
    }
    if !t.constructed {
        out.extend_from_slice(t.content);
        return Ok(());
    }
    let mut rest = t.content;
    while !rest.is_empty() {
        let (c, r) = parse_at(rest, depth + 1)?;
        if !c.is_universal(4) {
            return Err(malformed("a chunked OCTET STRING holds something else"));
        }
        collect_octets(&c, out, depth + 1)?;
        rest = r;
    }
    Ok(())
}

/// Parse one TLV from the front of `input`; returns it and the rest.
pub(crate) fn parse(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), Error> {
    parse_at(input, 0)
}

/// Parse exactly one TLV that fills `input` (trailing bytes are an error).
pub(crate) fn parse_one(input: &[u8]) -> Result<Tlv<'_>, Error> {
    let (t, rest) = parse(input)?;
    if !rest.is_empty() {
        return Err(malformed("trailing bytes after the outer element"));
    }
    Ok(t)
}

fn parse_at(input: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), Error> {
    if depth > MAX_DEPTH {
        return Err(malformed("nested too deeply"));
    }
    let first = *input
        .first()
        .ok_or_else(|| malformed("truncated element"))?;
    let class = match first >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    };
    let constructed = first & 0x20 != 0;
    let mut pos = 1usize;
    let mut number = u32::from(first & 0x1f);
    if number == 0x1f {
        number = 0;
        loop {
            let b = *input.get(pos).ok_or_else(|| malformed("truncated tag"))?;
            pos += 1;
            if number > (u32::MAX >> 7) {
                return Err(malformed("tag number too large"));
            }
            number = (number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let lb = *input
        .get(pos)
        .ok_or_else(|| malformed("truncated length"))?;
    pos += 1;
    if lb == 0x80 {
        if !constructed {
            return Err(malformed("indefinite length on a primitive element"));
        }
        // Walk children until the end-of-contents marker.
        let start = pos;
        let mut rest = input
            .get(pos..)
            .ok_or_else(|| malformed("truncated element"))?;
        loop {
            if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                let end = input.len() - rest.len();
                let content = &input[start..end];
                let raw_end = end + 2;
                let tlv = Tlv {
                    class,
                    constructed,
                    number,
                    content,
                    raw: &input[..raw_end],
                    indefinite: true,
                };
                return Ok((tlv, &input[raw_end..]));
            }
            if rest.is_empty() {
                return Err(malformed("missing end-of-contents"));
            }
            let (_, r) = parse_at(rest, depth + 1)?;
            rest = r;
        }
    }
    let len = if lb & 0x80 == 0 {
        usize::from(lb)
    } else {
        let n = usize::from(lb & 0x7f);
        if n > 4 {
            return Err(malformed("length too large"));
        }
        let mut l = 0usize;
        for _ in 0..n {
            let b = *input
                .get(pos)
                .ok_or_else(|| malformed("truncated length"))?;
            pos += 1;
            l = (l << 8) | usize::from(b);
        }
        l
    };
    let end = pos
        .checked_add(len)
        .filter(|e| *e <= input.len())
        .ok_or_else(|| malformed("length runs past the end of the input"))?;
    let tlv = Tlv {
        class,
        constructed,
        number,
        content: &input[pos..end],
        raw: &input[..end],
        indefinite: false,
    };
    Ok((tlv, &input[end..]))
}

/// Universal string types that BER allows in constructed (chunked) form.
fn is_string_type(number: u32) -> bool {
    matches!(number, 4 | 12 | 18..=22 | 25..=30)
}

fn push_header(out: &mut Vec<u8>, t: &Tlv<'_>, constructed: bool, len: usize) {
    let class_bits: u8 = match t.class {
        Class::Universal => 0x00,
        Class::Application => 0x40,
        Class::Context => 0x80,
        Class::Private => 0xc0,
    };
    let cons = if constructed { 0x20 } else { 0 };
    if t.number < 31 {
        out.push(class_bits | cons | t.number as u8);
    } else {
        out.push(class_bits | cons | 0x1f);
        let mut groups = Vec::new();
        let mut n = t.number;
        loop {
            groups.push((n & 0x7f) as u8);
            n >>= 7;
            if n == 0 {
                break;
            }
        }
        for (i, g) in groups.iter().enumerate().rev() {
            out.push(if i == 0 { *g } else { g | 0x80 });
        }
    }
    push_len(out, len);
}

/// Append a DER length.
pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

#[allow(dead_code)] // shared helper (SignedData reading)
/// Re-encode with definite, minimal lengths, joining chunked universal strings into
/// primitive ones. SET OF order and other DER rules are left as the sender wrote them
/// (`der` sorts SET OF on decode).
pub(crate) fn to_der(input: &[u8]) -> Result<Vec<u8>, Error> {
    parse_one(input)?.normalised()
}

fn normalise(t: &Tlv<'_>, out: &mut Vec<u8>, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(malformed("nested too deeply"));
    }
    if !t.constructed {
        push_header(out, t, false, t.content.len());
        out.extend_from_slice(t.content);
        return Ok(());
    }
    if t.class == Class::Universal && is_string_type(t.number) {
        let mut joined = Vec::new();
        collect_string(t, &mut joined, depth)?;
        push_header(out, t, false, joined.len());
        out.extend_from_slice(&joined);
        return Ok(());
    }
    let mut inner = Vec::with_capacity(t.content.len());
    let mut rest = t.content;
    while !rest.is_empty() {
        let (c, r) = parse_at(rest, depth + 1)?;
        normalise(&c, &mut inner, depth + 1)?;
        rest = r;
    }
    push_header(out, t, true, inner.len());
    out.extend_from_slice(&inner);
    Ok(())
}

fn collect_string(t: &Tlv<'_>, out: &mut Vec<u8>, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(malformed("nested too deeply"));
    }
    if !t.constructed {
        out.extend_from_slice(t.content);
        return Ok(());
    }
    let mut rest = t.content;
    while !rest.is_empty() {
        let (c, r) = parse_at(rest, depth + 1)?;
        if c.class != Class::Universal || c.number != t.number {
            return Err(malformed("a chunked string holds a different type"));
        }
        collect_string(&c, out, depth + 1)?;
        rest = r;
    }
    Ok(())
}

#[allow(dead_code)] // shared helper (SignedData reading)
/// Decode a `der` type from BER-or-DER bytes of one element (normalised first).
pub(crate) fn decode<T: for<'x> der::Decode<'x>>(input: &[u8], what: &str) -> Result<T, Error> {
    let der_bytes = to_der(input)?;
    T::from_der(&der_bytes).map_err(|e| Error::Malformed(format!("bad {what}: {e}")))
}

/// Decode a `der` type from a parsed element.
pub(crate) fn decode_tlv<T: for<'x> der::Decode<'x>>(t: &Tlv<'_>, what: &str) -> Result<T, Error> {
    let der_bytes = t.normalised()?;
    T::from_der(&der_bytes).map_err(|e| Error::Malformed(format!("bad {what}: {e}")))
}

/// Unwrap a `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }`
/// (RFC 5652 §3): returns the content type and the inner element.
pub(crate) fn content_info(input: &[u8]) -> Result<(const_oid::ObjectIdentifier, Tlv<'_>), Error> {
    let outer = parse(input)?.0;
    if !outer.is_universal(16) || !outer.constructed {
        return Err(Error::Malformed(
            "not a CMS ContentInfo (expected a SEQUENCE)".into(),
        ));
    }
    let kids = outer.children()?;
    let (oid_t, wrapper) = match kids.as_slice() {
        [o, w] => (o, w),
        _ => {
            return Err(Error::Malformed(
                "ContentInfo must have contentType and content".into(),
            ))
        }
    };
    let oid = oid_of(oid_t)?;
    if !wrapper.is_context(0) || !wrapper.constructed {
        return Err(Error::Malformed("ContentInfo content is not [0]".into()));
    }
    let inner = match wrapper.children()?.as_slice() {
        [i] => *i,
        _ => {
            return Err(Error::Malformed(
                "ContentInfo [0] must hold one element".into(),
            ))
        }
    };
    Ok((oid, inner))
}

/// Decode an OBJECT IDENTIFIER element.
pub(crate) fn oid_of(t: &Tlv<'_>) -> Result<const_oid::ObjectIdentifier, Error> {
    if !t.is_universal(6) || t.constructed {
        return Err(malformed("expected an OBJECT IDENTIFIER"));
    }
    const_oid::ObjectIdentifier::from_bytes(t.content)
        .map_err(|e| Error::Malformed(format!("bad OBJECT IDENTIFIER: {e}")))
}

/// Decode a small non-negative INTEGER element (versions).
pub(crate) fn small_int(t: &Tlv<'_>) -> Result<u32, Error> {
    if !t.is_universal(2) || t.constructed || t.content.is_empty() || t.content.len() > 4 {
        return Err(malformed("expected a small INTEGER"));
    }
    if t.content[0] & 0x80 != 0 {
        return Err(malformed("negative INTEGER"));
    }
    Ok(t.content.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_chunked_octet_strings() {
        let ber = [
            0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00,
        ];
        let t = parse_one(&ber).unwrap();
        assert_eq!(t.octets().unwrap(), b"abc");
        assert_eq!(t.normalised().unwrap(), vec![0x04, 0x03, b'a', b'b', b'c']);
        // Definite-length constructed form too.
        let ber2 = [0x24, 0x07, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c'];
        assert_eq!(to_der(&ber2).unwrap(), vec![0x04, 0x03, b'a', b'b', b'c']);
        // Implicitly tagged [0] constructed.
        let ber3 = [0xa0, 0x80, 0x04, 0x01, b'x', 0x00, 0x00];
        assert_eq!(parse_one(&ber3).unwrap().octets().unwrap(), b"x");
    }

    #[test]
    fn indefinite_sequences_become_definite() {
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            to_der(&ber).unwrap(),
            vec![0x30, 0x07, 0x02, 0x01, 0x05, 0x30, 0x02, 0x05, 0x00]
        );
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
            &[0x30, 0x05, 0x01],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x80, 0x04, 0x00],
            &[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00],
        ] {
            assert!(parse_one(bad).is_err(), "{bad:?}");
        }
        let mut deep = Vec::new();
        for _ in 0..200 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        deep.extend_from_slice(&[0u8; 400]);
        assert!(to_der(&deep).is_err());
    }
}
