//! E-mail identities in certificates and signer/address matching.
//!
//! RFC 8550 §3: a signer's e-mail address is in the subjectAltName `rfc822Name`
//! (RFC 5280 §4.2.1.6) and, in legacy certificates, in the subject's `emailAddress` attribute
//! (PKCS #9, 1.2.840.113549.1.9.1). RFC 9788 §4.4 / RFC 8551 §3.1: a receiving agent compares the
//! message's From (and Sender) addr-spec with those addresses: the domain case-insensitively,
//! the local part case-sensitively in principle, but in practice ASCII case-insensitively (what
//! every deployed agent does; documented in `docs/report.md`, "The originator and the signer address").

use crate::asn1::oid::EMAIL_ADDRESS;
use der::asn1::Ia5StringRef;
use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

/// The e-mail addresses a certificate is issued to: subjectAltName rfc822Name entries, then the
/// subject's emailAddress attributes; domain lowercased, duplicates removed, order kept.
pub fn email_addresses(cert: &Certificate) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |raw: &str| {
        if let Some(a) = normalize(raw) {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    };
    if let Ok(Some((_, san))) = cert.tbs_certificate().get_extension::<SubjectAltName>() {
        for gn in san.0.iter() {
            if let GeneralName::Rfc822Name(s) = gn {
                push(s.as_str());
            }
        }
    }
    for atv in cert.tbs_certificate().subject().iter() {
        if atv.oid == EMAIL_ADDRESS {
            if let Ok(der) = der::Encode::to_der(&atv.value) {
                if let Ok(s) = Ia5StringRef::from_der(&der) {
                    push(s.as_str());
                } else if let Ok(s) = der::asn1::Utf8StringRef::from_der(&der) {
                    push(s.as_str());
                }
            }
        }
    }
    out
}

/// Whether `addr` (an addr-spec, optionally in angle brackets) is one of the certificate's
/// e-mail addresses: domain compared case-insensitively, local part ASCII case-insensitively.
pub fn address_matches(cert: &Certificate, addr: &str) -> bool {
    let Some(want) = normalize(addr) else {
        return false;
    };
    let want = want.to_ascii_lowercase();
    email_addresses(cert)
        .iter()
        .any(|a| a.to_ascii_lowercase() == want)
}

/// Normalise an addr-spec: trim whitespace and one pair of angle brackets, unquote a quoted
/// local part whose content needs no quoting, lowercase the domain. `None` if it has no `@`,
/// an empty part, or any CR/LF/control character.
pub(crate) fn normalize(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    if let Some(inner) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        s = inner.trim();
    }
    if s.chars().any(|c| c.is_control()) {
        return None;
    }
    let at = s.rfind('@')?;
    let (local, domain) = (s.get(..at)?, s.get(at + 1..)?);
    let domain = domain.trim_end_matches('.');
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    let local = match local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        Some(q) if !q.is_empty() && q.chars().all(is_atext_or_dot) && !q.contains("..") => {
            q.to_string()
        }
        _ => local.to_string(),
    };
    Some(format!("{local}@{}", domain.to_lowercase()))
}

fn is_atext_or_dot(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) || !c.is_ascii()
}

/// RFC 4514 string form of a certificate's subject (what [`super::PathResult::chain`] holds).
pub fn subject_string(cert: &Certificate) -> String {
    name_string(cert.tbs_certificate().subject())
}

/// RFC 4514 §2 string form of a name, exactly as x509-cert's `Display` writes it (RDNs in
/// reverse order, `+` between the values of one RDN, the shortest name of each attribute
/// type in upper case, RFC 4514 §2.4 escapes; `OID=#hex` for other types and values), with
/// the attribute type's name looked up once per type: `Display` scans the whole OID
/// database for every attribute of every name.
pub fn name_string(name: &x509_cert::name::Name) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let rdns: Vec<_> = name.iter_rdn().collect();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            match (attribute_name(&atv.oid), string_value(&atv.value)) {
                (Some(key), Some(val)) => {
                    out.push_str(key);
                    out.push('=');
                    let mut chars = val.char_indices().peekable();
                    while let Some((k, c)) = chars.next() {
                        match c {
                            '#' if k == 0 => out.push_str("\\#"),
                            ' ' if k == 0 || chars.peek().is_none() => out.push_str("\\ "),
                            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                                out.push('\\');
                                out.push(c);
                            }
                            '\x00'..='\x1f' | '\x7f' => {
                                let _ = write!(out, "\\{:02x}", c as u8);
                            }
                            _ => out.push(c),
                        }
                    }
                }
                _ => {
                    // RFC 4514 §2.4: the dotted type and the value's BER in hex.
                    let _ = write!(out, "{}=#", atv.oid);
                    if let Ok(der) = der::Encode::to_der(&atv.value) {
                        for o in der {
                            let _ = write!(out, "{o:02x}");
                        }
                    }
                }
            }
        }
    }
    out
}

/// The value of an attribute as the string types x509-cert's `Display` prints as text.
fn string_value(value: &der::Any) -> Option<&str> {
    use der::asn1::{PrintableStringRef, TeletexStringRef, Utf8StringRef};
    use der::{Tag, Tagged};
    match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok().map(|s| s.as_str()),
        _ => None,
    }
}

/// The attribute types written by name (RFC 4514 §3, RFC 5280 §4.1.2.4 and the types of
/// the S/MIME and EU profiles), with the upper-case shortest name const-oid's database gives
/// them — the names x509-cert's `Display` writes; any other type is written as its dotted
/// OID with the value in hex (RFC 4514 §2.4). Looking the database up would put its several
/// tens of kilobytes in the package.
const ATTRIBUTE_NAMES: [(const_oid::ObjectIdentifier, &str); 22] = {
    use const_oid::ObjectIdentifier as O;
    [
        (O::new_unwrap("2.5.4.3"), "CN"),
        (O::new_unwrap("2.5.4.4"), "SN"),
        (O::new_unwrap("2.5.4.5"), "SERIALNUMBER"),
        (O::new_unwrap("2.5.4.6"), "C"),
        (O::new_unwrap("2.5.4.7"), "L"),
        (O::new_unwrap("2.5.4.8"), "ST"),
        (O::new_unwrap("2.5.4.9"), "STREET"),
        (O::new_unwrap("2.5.4.10"), "O"),
        (O::new_unwrap("2.5.4.11"), "OU"),
        (O::new_unwrap("2.5.4.12"), "TITLE"),
        (O::new_unwrap("2.5.4.13"), "DESCRIPTION"),
        (O::new_unwrap("2.5.4.15"), "BUSINESSCATEGORY"),
        (O::new_unwrap("2.5.4.17"), "POSTALCODE"),
        (O::new_unwrap("2.5.4.41"), "NAME"),
        (O::new_unwrap("2.5.4.42"), "GN"),
        (O::new_unwrap("2.5.4.43"), "INITIALS"),
        (O::new_unwrap("2.5.4.44"), "GENERATIONQUALIFIER"),
        (O::new_unwrap("2.5.4.46"), "DNQUALIFIER"),
        (O::new_unwrap("2.5.4.65"), "PSEUDONYM"),
        (O::new_unwrap("0.9.2342.19200300.100.1.25"), "DC"),
        (O::new_unwrap("0.9.2342.19200300.100.1.1"), "UID"),
        (O::new_unwrap("1.2.840.113549.1.9.1"), "EMAIL"),
    ]
};

/// The name [`name_string`] writes for an attribute type ([`ATTRIBUTE_NAMES`]).
fn attribute_name(oid: &const_oid::ObjectIdentifier) -> Option<&'static str> {
    ATTRIBUTE_NAMES
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    /// `name_string` is x509-cert's `Display`, escapes, multi-valued RDNs, unknown types and
    /// non-string values included.
    #[test]
    fn name_string_is_the_display_of_x509_cert() {
        use crate::asn1::der::{constructed, primitive};
        use der::{Decode, Encode};
        use x509_cert::name::Name;
        // (type OID, value tag, value) per attribute, one slice per RDN.
        let name = |rdns: &[&[(&str, u8, &str)]]| -> Name {
            let sets: Vec<Vec<u8>> = rdns
                .iter()
                .map(|rdn| {
                    let atvs: Vec<Vec<u8>> = rdn
                        .iter()
                        .map(|(oid, tag, v)| {
                            let oid = const_oid::ObjectIdentifier::new_unwrap(oid)
                                .to_der()
                                .unwrap();
                            constructed(0x30, &[&oid, &primitive(*tag, v.as_bytes())])
                        })
                        .collect();
                    let refs: Vec<&[u8]> = atvs.iter().map(Vec::as_slice).collect();
                    constructed(0x31, &refs)
                })
                .collect();
            let refs: Vec<&[u8]> = sets.iter().map(Vec::as_slice).collect();
            Name::from_der(&constructed(0x30, &refs)).unwrap()
        };
        let (cn, o, ou, c, mail) = (
            "2.5.4.3",
            "2.5.4.10",
            "2.5.4.11",
            "2.5.4.6",
            "1.2.840.113549.1.9.1",
        );
        let cases: Vec<Name> = vec![
            name(&[
                &[(c, 0x13, "GB")],
                &[(o, 0x0c, "Army")],
                &[(cn, 0x0c, "Alice")],
            ]),
            name(&[
                &[(cn, 0x0c, "#hash"), (ou, 0x0c, "a")],
                &[(o, 0x0c, " lead and trail ")],
            ]),
            name(&[&[(cn, 0x0c, "x,y;z+<q>\"x\"\\\\ \u{1}\u{7f}caf\u{e9}")]]),
            name(&[&[(mail, 0x16, "a@b.example")], &[("2.5.4.5", 0x13, "42")]]),
            name(&[
                &[("2.5.4.97", 0x0c, "VATGB-1")],
                &[("1.2.3.4", 0x0c, "unknown type")],
            ]),
            name(&[&[(cn, 0x04, "an OCTET STRING")], &[(cn, 0x14, "teletex")]]),
            name(&[
                &[("0.9.2342.19200300.100.1.25", 0x16, "example")],
                &[("2.5.4.12", 0x0c, "Dr")],
            ]),
        ];
        for n in &cases {
            assert_eq!(super::name_string(n), n.to_string());
        }
        assert_eq!(super::name_string(&Name::default()), "");
    }

    /// Each attribute type [`super::name_string`] writes by name has the name x509-cert's
    /// `Display` writes (const-oid's database, upper case).
    #[test]
    fn attribute_names_are_the_database_s() {
        for (oid, name) in super::ATTRIBUTE_NAMES {
            let written = x509_cert::attr::AttributeTypeAndValue {
                oid,
                value: der::Any::new(der::Tag::Utf8String, b"x".to_vec()).unwrap(),
            }
            .to_string();
            assert_eq!(written, format!("{name}=x"), "{oid}");
        }
    }

    #[test]
    fn normalizes_addr_specs() {
        assert_eq!(
            normalize("<Alice@Army.EXAMPLE>").as_deref(),
            Some("Alice@army.example")
        );
        assert_eq!(
            normalize("\"alice\"@x.example").as_deref(),
            Some("alice@x.example")
        );
        assert_eq!(
            normalize("\"a b\"@x.example").as_deref(),
            Some("\"a b\"@x.example")
        );
        assert_eq!(
            normalize("alice@x.example.").as_deref(),
            Some("alice@x.example")
        );
        assert_eq!(normalize("alice"), None);
        assert_eq!(normalize("@x"), None);
        assert_eq!(normalize("a@"), None);
        assert_eq!(normalize("a\r\n@x"), None);
    }
}
