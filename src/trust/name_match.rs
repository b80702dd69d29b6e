//! Distinguished name comparison (RFC 5280 §7.1) and directoryName subtree membership
//! (RFC 5280 §4.2.1.10).
//!
//! Two names match when they have the same number of RDNs and each pair of RDNs (in order)
//! has the same number of attributes whose types are equal and whose values are equal. An
//! RDN is a DER `SET OF`, so its attributes are in canonical order and are compared pairwise
//! in that order. Two attribute values are equal when
//!
//! - they are the same octets with the same tag (RFC 5280 §7.1: "binary comparison"), or
//! - both are directory strings (PrintableString, UTF8String, TeletexString, BMPString,
//!   IA5String) that can be prepared, and their preparations are equal. (UniversalString,
//!   tag 28, is not a tag the `der` crate decodes, so no name holding one reaches here.)
//!
//! Preparation follows RFC 4518 in the parts RFC 5280 §7.1 requires of conforming
//! implementations: insignificant space handling (RFC 4518 §2.6.1: leading and trailing
//! white space removed, each internal run of white space reduced to one space, where white
//! space is any character RFC 4518 §2.2 maps to SPACE — approximated by
//! [`char::is_whitespace`]) and case folding (RFC 4518 §2.2, caseIgnoreMatch), with
//! [`str::to_lowercase`] over the whole value.
//!
//! A value can be prepared when its string type decodes to characters:
//!
//! - UTF8String (valid UTF-8), PrintableString (its RFC 5280 / X.680 character set) and
//!   IA5String (7-bit) are decoded as they are;
//! - TeletexString and BMPString (UTF-16BE) are decoded only when every character is ASCII. T.61 is not Unicode, and for non-ASCII characters of these
//!   types a preparation would not be a function of the value's octets read as UTF-8, which
//!   is what the subject index of path building is keyed on; such values match only octet
//!   for octet.
//!
//! Every pair of values judged equal here has the same lower-cased letters and digits when
//! their content octets are read as UTF-8: for UTF-8, PrintableString and IA5String values
//! those octets are the decoded string, and preparation only removes or merges white space,
//! which is neither a letter nor a digit, nor cased, nor case-ignorable (so the final-sigma
//! rule of [`str::to_lowercase`] reads the same context before and after); for the ASCII-only
//! values of the other types, the octets read as UTF-8 are the ASCII characters themselves
//! (TeletexString) or interleaved with NUL (BMPString).

use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RelativeDistinguishedName};

/// Whether `a` and `b` are the same distinguished name (RFC 5280 §7.1).
pub(crate) fn names_match(a: &Name, b: &Name) -> bool {
    a.len() == b.len() && a.iter_rdn().zip(b.iter_rdn()).all(|(x, y)| rdn_match(x, y))
}

/// Whether `name` is within the directoryName subtree `subtree` (RFC 5280 §4.2.1.10): its
/// first `subtree.len()` RDNs match those of `subtree` (RFC 5280 §7.1 comparison). An empty
/// subtree contains every name.
pub(crate) fn dn_within(subtree: &Name, name: &Name) -> bool {
    subtree.len() <= name.len()
        && subtree
            .iter_rdn()
            .zip(name.iter_rdn())
            .all(|(x, y)| rdn_match(x, y))
}

/// Whether two RDNs match (RFC 5280 §7.1): the same number of attributes, compared pairwise
/// in their (canonical, DER `SET OF`) order with [`atv_match`].
pub(crate) fn rdn_match(a: &RelativeDistinguishedName, b: &RelativeDistinguishedName) -> bool {
    a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| atv_match(x, y))
}

/// Whether two attributes match (RFC 5280 §7.1): equal types and equal values, either
/// octet for octet with the same tag, or as directory strings after RFC 4518 preparation.
pub(crate) fn atv_match(a: &AttributeTypeAndValue, b: &AttributeTypeAndValue) -> bool {
    if a.oid != b.oid {
        return false;
    }
    if a.value.tag() == b.value.tag() && a.value.value() == b.value.value() {
        return true;
    }
    match (
        prepared(a.value.tag(), a.value.value()),
        prepared(b.value.tag(), b.value.value()),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The value of a directory string attribute of type `tag` with content `octets`, prepared
/// for comparison (RFC 4518 §2.2 case folding, §2.6.1 insignificant space handling); `None`
/// when it is not a directory string or cannot be decoded (see the module documentation).
pub(crate) fn prepared(tag: Tag, octets: &[u8]) -> Option<String> {
    let decoded = decode_directory_string(tag, octets)?;
    let mut out = String::with_capacity(decoded.len());
    let mut pending_space = false;
    for c in decoded.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    Some(out.to_lowercase())
}

/// The characters of a directory string (RFC 5280 §4.1.2.4 DirectoryString, plus IA5String),
/// or `None` (see the module documentation for which values decode).
fn decode_directory_string(tag: Tag, octets: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String => std::str::from_utf8(octets).ok().map(str::to_owned),
        Tag::PrintableString => octets
            .iter()
            .all(|&b| is_printable(b))
            .then(|| octets.iter().map(|&b| char::from(b)).collect()),
        Tag::Ia5String | Tag::TeletexString => octets
            .iter()
            .all(u8::is_ascii)
            .then(|| octets.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => bmp_ascii(octets),
        _ => None,
    }
}

/// `octets` read as a BMPString (UTF-16BE), when each character is ASCII.
fn bmp_ascii(octets: &[u8]) -> Option<String> {
    let units = octets.chunks_exact(2);
    if !units.remainder().is_empty() {
        return None;
    }
    units
        .map(|unit| match unit {
            [0, low] if low.is_ascii() => Some(char::from(*low)),
            _ => None,
        })
        .collect()
}

/// Whether `b` is in the PrintableString character set (X.680 §41.4).
fn is_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
        )
}

#[cfg(test)]
mod tests {
    use super::super::pool::name_key;
    use super::*;
    use der::asn1::{Any, SetOfVec};
    use std::str::FromStr;
    use x509_cert::name::RdnSequence;

    fn n(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    /// An attribute `oid` with a value of `tag` and content `octets`.
    fn atv(oid: &str, tag: Tag, octets: &[u8]) -> AttributeTypeAndValue {
        AttributeTypeAndValue {
            oid: const_oid::ObjectIdentifier::new(oid).unwrap(),
            value: Any::new(tag, octets).unwrap(),
        }
    }

    /// A name of single-attribute RDNs, most significant first.
    fn name_of(atvs: Vec<AttributeTypeAndValue>) -> Name {
        use der::{Decode, Encode};
        let rdns: Vec<RelativeDistinguishedName> = atvs
            .into_iter()
            .map(|a| RelativeDistinguishedName::from(SetOfVec::try_from(vec![a]).unwrap()))
            .collect();
        let seq = RdnSequence::from(rdns);
        Name::from_der(&seq.to_der().unwrap()).unwrap()
    }

    const CN: &str = "2.5.4.3";
    const O: &str = "2.5.4.10";

    fn bmp(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn identical_names_match() {
        assert!(names_match(&n("CN=a,O=b,C=GB"), &n("CN=a,O=b,C=GB")));
        assert!(names_match(&Name::default(), &Name::default()));
    }

    #[test]
    fn case_and_space_are_insignificant() {
        assert!(names_match(
            &n("CN=Alice,O=Acme,C=GB"),
            &n("CN=alice,O=ACME,C=gb")
        ));
        assert!(names_match(&n("O=Test  Org,C=US"), &n("O=test Org,C=US")));
        assert!(names_match(
            &n("O=\\ Test Org\\ ,C=US"),
            &n("O=Test Org,C=US")
        ));
        let tab = name_of(vec![atv(O, Tag::Utf8String, b"Test\t\t Org ")]);
        let one = name_of(vec![atv(O, Tag::Utf8String, b"test org")]);
        assert!(names_match(&tab, &one));
    }

    #[test]
    fn real_differences_are_kept() {
        assert!(!names_match(&n("O=Test Org,C=US"), &n("O=Test Orgs,C=US")));
        assert!(!names_match(&n("O=TestOrg,C=US"), &n("O=Test Org,C=US")));
        assert!(!names_match(&n("CN=a,O=b,C=GB"), &n("O=b,C=GB")));
        assert!(!names_match(&n("O=b,C=GB"), &n("CN=a,O=b,C=GB")));
        // same value, different attribute type
        assert!(!names_match(&n("CN=b,C=GB"), &n("O=b,C=GB")));
        // RDN order matters
        assert!(!names_match(&n("CN=a,O=b"), &n("O=b,CN=a")));
        // a multi-valued RDN is not the same as two RDNs
        assert!(!names_match(&n("CN=a+O=b"), &n("CN=a,O=b")));
        assert!(names_match(&n("CN=a+O=b,C=GB"), &n("O=B+CN=A,C=GB")));
        assert!(!names_match(&n("CN=a+O=b,C=GB"), &n("CN=a+O=c,C=GB")));
    }

    #[test]
    fn string_types_compare_by_characters() {
        let utf8 = name_of(vec![atv(CN, Tag::Utf8String, b"Alice Smith")]);
        let printable = name_of(vec![atv(CN, Tag::PrintableString, b"ALICE  SMITH")]);
        let ia5 = name_of(vec![atv(CN, Tag::Ia5String, b"alice smith")]);
        let teletex = name_of(vec![atv(CN, Tag::TeletexString, b"Alice Smith")]);
        let bmp_ = name_of(vec![atv(CN, Tag::BmpString, &bmp("alice SMITH"))]);
        let spaced = name_of(vec![atv(CN, Tag::BmpString, &bmp(" Alice Smith "))]);
        let all = [&utf8, &printable, &ia5, &teletex, &bmp_, &spaced];
        for a in all {
            for b in all {
                assert!(names_match(a, b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn non_string_values_need_identical_octets() {
        let octets = name_of(vec![atv(CN, Tag::OctetString, b"abc")]);
        let octets2 = name_of(vec![atv(CN, Tag::OctetString, b"abc")]);
        let upper = name_of(vec![atv(CN, Tag::OctetString, b"ABC")]);
        let utf8 = name_of(vec![atv(CN, Tag::Utf8String, b"abc")]);
        assert!(names_match(&octets, &octets2));
        assert!(!names_match(&octets, &upper));
        // the same content octets under another tag are not the same value
        assert!(!names_match(&octets, &utf8));
        assert!(!names_match(&utf8, &octets));
    }

    #[test]
    fn undecodable_strings_match_only_octet_for_octet() {
        let bad = name_of(vec![atv(CN, Tag::Utf8String, b"ab\xff")]);
        let bad2 = name_of(vec![atv(CN, Tag::Utf8String, b"ab\xff")]);
        let bad_upper = name_of(vec![atv(CN, Tag::Utf8String, b"AB\xff")]);
        assert!(names_match(&bad, &bad2));
        assert!(!names_match(&bad, &bad_upper));
        // a PrintableString with a character outside its set is not prepared
        let p = name_of(vec![atv(CN, Tag::PrintableString, b"a@b")]);
        let u = name_of(vec![atv(CN, Tag::Utf8String, b"A@B")]);
        assert!(!names_match(&p, &u));
        // odd-length BMPString
        let odd = name_of(vec![atv(CN, Tag::BmpString, b"\x00a\x00")]);
        assert!(!names_match(
            &odd,
            &name_of(vec![atv(CN, Tag::Utf8String, b"a")])
        ));
    }

    #[test]
    fn non_ascii_bmp_is_not_case_folded() {
        // Cyrillic С (U+0421) and с (U+0441): their UTF-16 octets read as UTF-8 differ in
        // letters ("" vs "a"), so folding them would break the subject index invariant.
        let upper = name_of(vec![atv(CN, Tag::BmpString, &bmp("С"))]);
        let lower = name_of(vec![atv(CN, Tag::BmpString, &bmp("с"))]);
        assert!(!names_match(&upper, &lower));
        assert!(names_match(&upper, &upper.clone()));
        // and a non-ASCII BMPString is not equated with its UTF-8 spelling
        let utf8 = name_of(vec![atv(CN, Tag::Utf8String, "с".as_bytes())]);
        assert!(!names_match(&lower, &utf8));
    }

    #[test]
    fn unicode_case_folding_of_utf8() {
        let a = name_of(vec![atv(CN, Tag::Utf8String, "ÉCOLE".as_bytes())]);
        let b = name_of(vec![atv(CN, Tag::Utf8String, "école".as_bytes())]);
        assert!(names_match(&a, &b));
        // final sigma is folded in context: "ΑΣ" is "ας", not "ασ"
        let sigma_upper = name_of(vec![atv(CN, Tag::Utf8String, "ΑΣ".as_bytes())]);
        let final_sigma = name_of(vec![atv(CN, Tag::Utf8String, "ας".as_bytes())]);
        let medial_sigma = name_of(vec![atv(CN, Tag::Utf8String, "ασ".as_bytes())]);
        assert!(names_match(&sigma_upper, &final_sigma));
        assert!(!names_match(&sigma_upper, &medial_sigma));
        // no folding of ß to ss
        let ss = name_of(vec![atv(CN, Tag::Utf8String, b"STRASSE")]);
        let sz = name_of(vec![atv(CN, Tag::Utf8String, "straße".as_bytes())]);
        assert!(!names_match(&ss, &sz));
    }

    #[test]
    fn dn_within_prefixes() {
        let sub = n("O=Test Certificates 2011,C=US");
        assert!(dn_within(
            &sub,
            &n("CN=Alice,O=Test Certificates 2011,C=US")
        ));
        assert!(dn_within(
            &sub,
            &n("CN=Alice,OU=x,O=test certificates  2011,C=us")
        ));
        assert!(dn_within(&sub, &sub));
        assert!(!dn_within(&sub, &n("C=US")));
        assert!(!dn_within(
            &sub,
            &n("CN=Alice,O=Test Certificates 2012,C=US")
        ));
        // a prefix of the subtree's last value is not within it
        assert!(!dn_within(
            &n("O=Test,C=US"),
            &n("CN=x,O=Test Certificates,C=US")
        ));
        // the subtree is a prefix of RDNs, not a suffix
        assert!(!dn_within(&n("CN=Alice"), &n("CN=Alice,O=x,C=US")));
        // an empty subtree contains everything
        assert!(dn_within(&Name::default(), &n("CN=a")));
        assert!(dn_within(&Name::default(), &Name::default()));
        // a multi-valued RDN must match as a whole
        assert!(!dn_within(&n("O=a,C=US"), &n("CN=x,O=a+OU=b,C=US")));
    }

    #[test]
    fn matching_names_share_an_index_key() {
        let strings = [
            "Alice",
            "ALICE",
            " alice ",
            "al ice",
            "a l i c e",
            "ΑΣ",
            "ας",
            "ασ",
            "Σ",
            "σ",
            "ς",
            "ΑΣ Β",
            "ας β",
            "ÉCOLE",
            "école",
            "ecole",
            "STRASSE",
            "straße",
            "K",
            "k",
            "K",
            "İ",
            "i̇",
            "i",
            "ǅ",
            "ǆ",
            "Ǆ",
            "ﬁ",
            "FI",
            "С",
            "с",
            "A\u{a0}B",
            "a b",
            "a\u{3000}b",
            "a\tb",
            "",
            " ",
            "Ω",
            "ω",
            "Ω",
            "x\u{301}",
            "X\u{301}",
            "ΣΑ",
            "σα",
            "ΑΣ.",
            "ας.",
            "ΑΣ'Α",
            "ασ'α",
            "ας'α",
        ];
        let tags = [
            Tag::Utf8String,
            Tag::PrintableString,
            Tag::Ia5String,
            Tag::TeletexString,
            Tag::BmpString,
        ];
        let mut names = Vec::new();
        for s in strings {
            for tag in tags {
                let octets = match tag {
                    Tag::BmpString => bmp(s),
                    _ => s.as_bytes().to_vec(),
                };
                names.push(name_of(vec![
                    atv(O, Tag::PrintableString, b"Org"),
                    atv(CN, tag, &octets),
                ]));
            }
        }
        let mut matched = 0;
        for a in &names {
            for b in &names {
                if names_match(a, b) {
                    matched += 1;
                    assert_eq!(name_key(a), name_key(b), "{a:?} vs {b:?}");
                }
            }
        }
        assert!(matched > names.len());
    }
}
