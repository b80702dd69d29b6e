//! A small BER/DER tag-length-value reader that keeps the raw bytes of every element.
//!
//! Why not only `der`'s derived types: signature checks need the exact octets that were
//! signed. `der`'s `SetOfVec` *sorts* its elements when decoding DER, and re-encoding a
//! decoded `SignerInfo` would silently reorder signed attributes that a sender did not put in
//! DER order (RFC 5652 §5.4 says the signature covers the DER of the SET as sent), and
//! SignerInfos would change order. So the structure of ContentInfo / SignedData / SignerInfo
//! is walked here (X.690 §8.1: identifier, definite or indefinite length, contents), BER
//! included — indefinite lengths and constructed OCTET STRINGs split in chunks, as Bouncy
//! Castle, Outlook and many gateways send them — and the leaf values (certificates,
//! algorithm identifiers, OIDs, times) are decoded with `der` / `x509-cert` from the
//! DER-normalised element bytes ([`Tlv::decode`]).
//!
//! The same holds for EnvelopedData, AuthEnvelopedData, CompressedData and PKCS#12 (RFC 7292):
//! OCTET STRINGs split into a constructed string of chunks (`24 80 04 .. 04 .. 00 00`, or
//! `A0 80 …` when the OCTET STRING is IMPLICITly tagged, as
//! `EncryptedContentInfo.encryptedContent [0] IMPLICIT` is). `der` 0.8's `from_ber` handles
//! indefinite lengths but not definite-length constructed strings, and it cannot know that a
//! constructed `[0]` is an implicitly tagged OCTET STRING; [`Tlv::string_octets`] pulls the
//! content octets out without re-encoding. Depth and length limits are this reader's.
//!
//! Writing is [`super::der`]'s.

use std::borrow::Cow;

use super::der::write_header;

/// Maximum nesting of constructed elements we follow.
pub const MAX_DEPTH: usize = 64;

/// Tag classes (X.690 §8.1.2.2).
pub const UNIVERSAL: u8 = 0x00;
/// Context-specific class bits.
pub const CONTEXT: u8 = 0x80;

/// A decoding failure: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BerError(pub String);

impl std::fmt::Display for BerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, BerError> {
    Err(BerError(msg.into()))
}

/// One element: identifier octets, length and contents, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// Class bits (`0x00` universal, `0x40` application, `0x80` context, `0xC0` private).
    pub class: u8,
    /// Constructed (true) or primitive.
    pub constructed: bool,
    /// Tag number.
    pub number: u32,
    /// The whole element as received, end-of-contents octets included.
    pub raw: &'a [u8],
    /// The contents octets (for indefinite length: up to, not including, the EOC).
    pub content: &'a [u8],
    /// Whether the length was indefinite (BER only).
    pub indefinite: bool,
}

/// The children of a constructed element, one at a time ([`Tlv::children_iter`]); after an
/// error, nothing more.
#[derive(Debug, Clone)]
pub struct Children<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Tlv<'a>, BerError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match Tlv::parse_validated(self.rest) {
            Ok((t, r)) => {
                self.rest = r;
                Some(Ok(t))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Where `inner` lies in `outer`, when it is a subslice of it (a value read from `outer`
/// without a copy, e.g. a primitive OCTET STRING's contents, [`Tlv::string_octets`]).
pub fn range_within(outer: &[u8], inner: &[u8]) -> Option<std::ops::Range<usize>> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let end = start.checked_add(inner.len())?;
    (end <= outer.len()).then_some(start..end)
}

/// The identifier and length octets of an element (X.690 §8.1.2, §8.1.3), read without its
/// contents: enough to step into a constructed element of which only a prefix is at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Class bits, as [`Tlv::class`].
    pub class: u8,
    /// Constructed (true) or primitive.
    pub constructed: bool,
    /// Tag number.
    pub number: u32,
    /// The contents' length; `None` for the indefinite form (constructed only).
    pub len: Option<usize>,
    /// How many octets the identifier and length take.
    pub header_len: usize,
}

impl Header {
    /// The identifier and length at the front of `input`.
    pub fn parse(input: &[u8]) -> Result<Header, BerError> {
        let first = *input
            .first()
            .ok_or_else(|| BerError("truncated: no tag".into()))?;
        let class = first & 0xC0;
        let constructed = first & 0x20 != 0;
        let mut pos = 1usize;
        let mut number = u32::from(first & 0x1F);
        if number == 0x1F {
            number = 0;
            loop {
                let b = *input
                    .get(pos)
                    .ok_or_else(|| BerError("truncated tag".into()))?;
                pos += 1;
                if number > (u32::MAX >> 7) {
                    return err("tag number too large");
                }
                number = (number << 7) | u32::from(b & 0x7F);
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let lb = *input
            .get(pos)
            .ok_or_else(|| BerError("truncated: no length".into()))?;
        pos += 1;
        let len = if lb == 0x80 {
            // Indefinite length: only for constructed encodings (X.690 §8.1.3.6).
            if !constructed {
                return err("indefinite length on a primitive element");
            }
            None
        } else if lb & 0x80 == 0 {
            Some(usize::from(lb))
        } else {
            let n = usize::from(lb & 0x7F);
            if n > 4 {
                return err("length too large");
            }
            let mut len = 0usize;
            for _ in 0..n {
                let b = *input
                    .get(pos)
                    .ok_or_else(|| BerError("truncated length".into()))?;
                pos += 1;
                len = (len << 8) | usize::from(b);
            }
            Some(len)
        };
        Ok(Header {
            class,
            constructed,
            number,
            len,
            header_len: pos,
        })
    }

    /// Whether this is a constructed universal `number`, or context `[number]` (`context`).
    pub fn is_constructed(&self, context: bool, number: u32) -> bool {
        let class = if context { CONTEXT } else { UNIVERSAL };
        self.constructed && self.class == class && self.number == number
    }
}

impl<'a> Tlv<'a> {
    /// Parse one element from the front of `input`; returns it and the rest.
    pub fn parse(input: &'a [u8]) -> Result<(Tlv<'a>, &'a [u8]), BerError> {
        Self::parse_depth(input, 0)
    }

    /// Parse exactly one element that must fill `input`.
    pub fn parse_all(input: &'a [u8]) -> Result<Tlv<'a>, BerError> {
        let (t, rest) = Self::parse(input)?;
        if !rest.is_empty() {
            return err(format!("{} trailing octets after the element", rest.len()));
        }
        Ok(t)
    }

    fn parse_depth(input: &'a [u8], depth: usize) -> Result<(Tlv<'a>, &'a [u8]), BerError> {
        if depth > MAX_DEPTH {
            return err("ASN.1 nesting too deep");
        }
        let Header {
            class,
            constructed,
            number,
            len: length,
            header_len: pos,
        } = Header::parse(input)?;
        if length.is_none() {
            // Indefinite length (constructed only, checked by `Header::parse`).
            let start = pos;
            let mut rest = input
                .get(pos..)
                .ok_or_else(|| BerError("truncated".into()))?;
            loop {
                if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                    let content_end = input.len() - rest.len();
                    let end = content_end + 2;
                    let tlv = Tlv {
                        class,
                        constructed,
                        number,
                        raw: &input[..end],
                        content: &input[start..content_end],
                        indefinite: true,
                    };
                    return Ok((tlv, &input[end..]));
                }
                if rest.is_empty() {
                    return err("indefinite length without end-of-contents");
                }
                let (_, r) = Self::parse_depth(rest, depth + 1)?;
                rest = r;
            }
        }
        let len = length.unwrap_or_default();
        let end = pos
            .checked_add(len)
            .filter(|e| *e <= input.len())
            .ok_or_else(|| BerError("element longer than its input".into()))?;
        let tlv = Tlv {
            class,
            constructed,
            number,
            raw: &input[..end],
            content: &input[pos..end],
            indefinite: false,
        };
        if constructed {
            // Validate children eagerly so later walks cannot fail halfway.
            let mut rest = tlv.content;
            while !rest.is_empty() {
                let (_, r) = Self::parse_depth(rest, depth + 1)?;
                rest = r;
            }
        }
        Ok((tlv, &input[end..]))
    }

    /// Whether this is the universal tag `number`.
    pub fn is_universal(&self, number: u32) -> bool {
        self.class == UNIVERSAL && self.number == number
    }

    /// Whether this is the context-specific tag `[number]`.
    pub fn is_context(&self, number: u32) -> bool {
        self.class == CONTEXT && self.number == number
    }

    /// The children of a constructed element. A list of every child holds about 48 octets
    /// per child, and a child can be two octets: where a constructed element may hold many
    /// (a SET OF, the chunks of a string, a SEQUENCE that may carry trailing fields), read
    /// them one at a time ([`Self::children_iter`]) or only as many as may be there
    /// ([`Self::children_at_most`]).
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, BerError> {
        self.children_iter()?.collect()
    }

    /// The children of a constructed element, each read when the iterator is advanced.
    pub fn children_iter(&self) -> Result<Children<'a>, BerError> {
        if !self.constructed {
            return err("expected a constructed element");
        }
        Ok(Children { rest: self.content })
    }

    /// The children of a constructed element that holds at most `max` of them; more is
    /// an error naming `what`, found without listing the others.
    /// `what` is formatted only for the error.
    pub fn children_at_most(
        &self,
        max: usize,
        what: impl std::fmt::Display,
    ) -> Result<Vec<Tlv<'a>>, BerError> {
        let mut out = Vec::new();
        for c in self.children_iter()? {
            if out.len() == max {
                return err(format!("{what}: more than {max} elements"));
            }
            out.push(c?);
        }
        Ok(out)
    }

    /// [`Self::parse`] of an element inside one already parsed, whose whole subtree
    /// [`Self::parse`] validated then: a definite length is taken from the identifier and
    /// length octets alone, without walking the contents again (walking a tree of depth d
    /// would otherwise parse every octet d times). The same element and rest as
    /// [`Self::parse`]; the bounds are checked all the same, so a `Tlv` put together by hand
    /// (its fields are public) only reports a bad descendant when the walk reaches it.
    fn parse_validated(input: &'a [u8]) -> Result<(Tlv<'a>, &'a [u8]), BerError> {
        let h = Header::parse(input)?;
        let Some(len) = h.len else {
            // Indefinite length: its end is found by walking its contents.
            return Self::parse(input);
        };
        let end = h
            .header_len
            .checked_add(len)
            .filter(|e| *e <= input.len())
            .ok_or_else(|| BerError("element longer than its input".into()))?;
        let tlv = Tlv {
            class: h.class,
            constructed: h.constructed,
            number: h.number,
            raw: &input[..end],
            content: &input[h.header_len..end],
            indefinite: false,
        };
        Ok((tlv, &input[end..]))
    }

    /// Children of a SEQUENCE (universal 16, constructed); errors otherwise.
    pub fn sequence(&self, what: &str) -> Result<Vec<Tlv<'a>>, BerError> {
        self.sequence_iter(what)?.collect()
    }

    /// The fields of a SEQUENCE of at most `max` fields (a structure of known fields, where
    /// more is an error naming `what`); errors otherwise.
    pub fn sequence_at_most(&self, max: usize, what: &str) -> Result<Vec<Tlv<'a>>, BerError> {
        self.sequence_iter(what)?;
        self.children_at_most(max, what)
    }

    /// The first `n` fields of a SEQUENCE (fewer when it has fewer), for a reader that looks
    /// at no others; the rest are not listed. Errors when not a SEQUENCE.
    pub fn sequence_first(&self, n: usize, what: &str) -> Result<Vec<Tlv<'a>>, BerError> {
        self.sequence_iter(what)?.take(n).collect()
    }

    /// The elements of a SEQUENCE, one at a time ([`Self::children_iter`]); errors when not
    /// a SEQUENCE.
    pub fn sequence_iter(&self, what: &str) -> Result<Children<'a>, BerError> {
        if !(self.is_universal(16) && self.constructed) {
            return err(format!("{what}: expected SEQUENCE"));
        }
        self.children_iter()
    }

    /// The elements of a SET, one at a time ([`Self::children_iter`]); errors when not a SET.
    pub fn set_iter(&self, what: &str) -> Result<Children<'a>, BerError> {
        if !(self.is_universal(17) && self.constructed) {
            return err(format!("{what}: expected SET"));
        }
        self.children_iter()
    }

    /// Children of a SET (universal 17, constructed); errors otherwise.
    pub fn set(&self, what: &str) -> Result<Vec<Tlv<'a>>, BerError> {
        self.set_iter(what)?.collect()
    }

    /// The octets of a string type, concatenating the chunks of a constructed (BER)
    /// encoding (X.690 §8.7.3). Borrowed when primitive.
    pub fn string_octets(&self) -> Result<Cow<'a, [u8]>, BerError> {
        if !self.constructed {
            return Ok(Cow::Borrowed(self.content));
        }
        let mut out = Vec::with_capacity(self.content.len());
        self.collect_chunks(&mut out, 0)?;
        Ok(Cow::Owned(out))
    }

    fn collect_chunks(&self, out: &mut Vec<u8>, depth: usize) -> Result<(), BerError> {
        if depth > MAX_DEPTH {
            return err("string chunks nested too deep");
        }
        for c in self.children_iter()? {
            let c = c?;
            if c.class != self.class || c.number != self.number {
                // Chunks of a constructed string must carry the string's own tag
                // (universal OCTET STRING for implicitly tagged ones too, per X.690).
                if !(c.is_universal(4)) {
                    return err("constructed string with a foreign chunk");
                }
            }
            if c.constructed {
                c.collect_chunks(out, depth + 1)?;
            } else {
                out.extend_from_slice(c.content);
            }
        }
        Ok(())
    }

    /// An OCTET STRING's octets (primitive or constructed).
    pub fn octet_string(&self, what: &str) -> Result<Cow<'a, [u8]>, BerError> {
        if !self.is_universal(4) {
            return err(format!("{what}: expected OCTET STRING"));
        }
        self.string_octets()
    }

    /// A small non-negative INTEGER.
    pub fn small_uint(&self, what: &str) -> Result<u32, BerError> {
        if !self.is_universal(2) || self.constructed || self.content.is_empty() {
            return err(format!("{what}: expected INTEGER"));
        }
        if self.content[0] & 0x80 != 0 || self.content.len() > 4 {
            return err(format!("{what}: INTEGER out of range"));
        }
        Ok(self
            .content
            .iter()
            .fold(0u32, |a, b| (a << 8) | u32::from(*b)))
    }

    /// An OBJECT IDENTIFIER.
    pub fn oid(&self, what: &str) -> Result<const_oid::ObjectIdentifier, BerError> {
        if !self.is_universal(6) || self.constructed {
            return err(format!("{what}: expected OBJECT IDENTIFIER"));
        }
        const_oid::ObjectIdentifier::from_bytes(self.content)
            .map_err(|e| BerError(format!("{what}: bad OBJECT IDENTIFIER: {e}")))
    }

    /// Decode this element as `T` with `der`, from its DER form ([`Tlv::to_der`]).
    pub fn decode<T: for<'x> der::Decode<'x>>(&self, what: &str) -> Result<T, BerError> {
        let der_bytes = self.to_der()?;
        T::from_der(&der_bytes).map_err(|e| BerError(format!("bad {what}: {e}")))
    }

    /// The element re-encoded in DER length form: definite lengths everywhere, constructed
    /// strings flattened to primitive ones. Borrowed (no copy) when already definite and
    /// free of constructed strings.
    pub fn to_der(&self) -> Result<Cow<'a, [u8]>, BerError> {
        if self.is_der_form(0)? {
            return Ok(Cow::Borrowed(self.raw));
        }
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_der(&mut out, 0)?;
        Ok(Cow::Owned(out))
    }

    fn is_string_type(&self) -> bool {
        // OCTET STRING, BIT STRING and the character string types.
        self.class == UNIVERSAL && matches!(self.number, 3 | 4 | 12 | 18..=22 | 25..=30)
    }

    fn is_der_form(&self, depth: usize) -> Result<bool, BerError> {
        if depth > MAX_DEPTH {
            return err("ASN.1 nesting too deep");
        }
        if self.indefinite {
            return Ok(false);
        }
        if !self.constructed {
            return Ok(true);
        }
        if self.is_string_type() {
            return Ok(false);
        }
        for c in self.children_iter()? {
            if !c?.is_der_form(depth + 1)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn write_der(&self, out: &mut Vec<u8>, depth: usize) -> Result<(), BerError> {
        if depth > MAX_DEPTH {
            return err("ASN.1 nesting too deep");
        }
        if self.constructed && self.is_string_type() {
            let octets = self.string_octets()?;
            write_header(out, self.class, false, self.number, octets.len());
            out.extend_from_slice(&octets);
            return Ok(());
        }
        if !self.constructed {
            write_header(out, self.class, false, self.number, self.content.len());
            out.extend_from_slice(self.content);
            return Ok(());
        }
        let mut inner = Vec::with_capacity(self.content.len());
        for c in self.children()? {
            c.write_der(&mut inner, depth + 1)?;
        }
        write_header(out, self.class, true, self.number, inner.len());
        out.extend_from_slice(&inner);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::der::{constructed, primitive};

    /// Children read one at a time are the children listed; a bound is exact; an error ends
    /// the reading.
    #[test]
    fn children_one_at_a_time_and_bounded() {
        let null = primitive(0x05, &[]);
        let int = primitive(0x02, &[1]);
        let seq = constructed(0x30, &[&null, &int, &null]);
        let (t, _) = Tlv::parse(&seq).unwrap();
        let listed = t.children().unwrap();
        let one_by_one: Vec<_> = t.children_iter().unwrap().map(Result::unwrap).collect();
        assert_eq!(listed, one_by_one);
        assert_eq!(listed.len(), 3);
        assert_eq!(t.children_at_most(3, "s").unwrap(), listed);
        assert_eq!(t.sequence_at_most(3, "s").unwrap(), listed);
        assert_eq!(
            t.children_at_most(2, "s").unwrap_err().0,
            "s: more than 2 elements"
        );
        assert!(t.sequence_at_most(2, "s").is_err());
        let set = constructed(0x31, &[&null]);
        assert!(Tlv::parse(&set)
            .unwrap()
            .0
            .sequence_at_most(9, "s")
            .is_err());
        assert!(Tlv::parse(&null).unwrap().0.children_iter().is_err());
        // A child that does not parse is the last thing read (the whole element was
        // validated when it was parsed, so only a hand-made Tlv can hold one).
        let bad = Tlv {
            content: &[0x30, 0x05, 0x00],
            ..t
        };
        let mut it = bad.children_iter().unwrap();
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }

    #[test]
    fn definite_and_indefinite() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x00,
            0x00,
        ];
        let t = Tlv::parse_all(&ber).unwrap();
        assert!(t.indefinite);
        let kids = t.sequence("x").unwrap();
        assert_eq!(kids.len(), 1);
        assert_eq!(&*kids[0].octet_string("x").unwrap(), b"abc");
        assert_eq!(
            &*t.to_der().unwrap(),
            &[0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']
        );
    }

    #[test]
    fn rejects_truncation_and_garbage() {
        assert!(Tlv::parse_all(&[0x30, 0x05, 0x04]).is_err());
        assert!(Tlv::parse_all(&[0x30, 0x80, 0x04, 0x00]).is_err());
        assert!(Tlv::parse_all(&[0x04, 0x80, 0x00, 0x00]).is_err());
        assert!(Tlv::parse_all(&[]).is_err());
        assert!(Tlv::parse_all(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        // Deep nesting is refused, not a stack overflow.
        let mut deep = Vec::new();
        for _ in 0..200 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(Tlv::parse_all(&deep).is_err());
    }

    /// Every element of a tree, as `children` reads it, is the element `parse` reads
    /// from the same octets (DER, and BER with indefinite lengths inside definite ones).
    #[test]
    fn children_are_what_a_full_parse_reads() {
        fn walk(t: &Tlv<'_>, seen: &mut usize) {
            if !t.constructed {
                return;
            }
            let kids = t.children().unwrap();
            let mut rest = t.content;
            for k in &kids {
                let (full, r) = Tlv::parse(rest).unwrap();
                assert_eq!(*k, full);
                rest = r;
                *seen += 1;
                walk(k, seen);
            }
            assert!(rest.is_empty());
        }
        let leaf = primitive(0x04, b"leaf");
        let mut der = leaf.clone();
        for i in 0..20u8 {
            der = constructed(0x30, &[&der, &primitive(0x02, &[i]), &leaf]);
        }
        let ber = [
            0x30, 0x10, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x00, 0x00, 0xa0, 0x80, 0x30, 0x80,
            0x00, 0x00, 0x00, 0x00,
        ];
        for input in [&der[..], &ber[..]] {
            let mut seen = 0;
            walk(&Tlv::parse_all(input).unwrap(), &mut seen);
            assert!(seen > 3);
        }
    }

    #[test]
    fn long_lengths_round_trip() {
        let content = vec![7u8; 300];
        let enc = primitive(0x04, &content);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let t = Tlv::parse_all(&enc).unwrap();
        assert_eq!(t.content, &content[..]);
        assert_eq!(&*t.to_der().unwrap(), &enc[..]);
    }

    #[test]
    fn joins_chunked_octet_strings() {
        let ber = [
            0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00,
        ];
        let t = Tlv::parse_all(&ber).unwrap();
        assert_eq!(&*t.string_octets().unwrap(), b"abc");
        assert_eq!(&*t.to_der().unwrap(), &[0x04, 0x03, b'a', b'b', b'c']);
        // Definite-length constructed form too.
        let ber2 = [0x24, 0x07, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c'];
        assert_eq!(
            &*Tlv::parse_all(&ber2).unwrap().to_der().unwrap(),
            &[0x04, 0x03, b'a', b'b', b'c']
        );
        // Implicitly tagged [0] constructed.
        let ber3 = [0xa0, 0x80, 0x04, 0x01, b'x', 0x00, 0x00];
        assert_eq!(
            &*Tlv::parse_all(&ber3).unwrap().string_octets().unwrap(),
            b"x"
        );
    }

    #[test]
    fn indefinite_sequences_become_definite() {
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            &*Tlv::parse_all(&ber).unwrap().to_der().unwrap(),
            &[0x30, 0x07, 0x02, 0x01, 0x05, 0x30, 0x02, 0x05, 0x00]
        );
        // And decode through `der` from that form.
        let t = Tlv::parse_all(&[0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]).unwrap();
        let v: Vec<u8> = t.children().unwrap()[0]
            .decode::<u8>("n")
            .map(|n| vec![n])
            .unwrap();
        assert_eq!(v, vec![5]);
        assert!(t.decode::<u8>("n").is_err());
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
            assert!(Tlv::parse_all(bad).is_err(), "{bad:?}");
        }
        let mut deep = Vec::new();
        for _ in 0..200 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        deep.extend_from_slice(&[0u8; 400]);
        assert!(Tlv::parse_all(&deep)
            .and_then(|t| t.to_der().map(|_| ()))
            .is_err());
    }
}
