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
            match (shortest_name(&atv.oid), string_value(&atv.value)) {
                (Some(key), Some(val)) => {
                    out.push_str(&key);
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
                    let _ = write!(out, "{atv}");
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

/// The upper-case shortest name of `oid` in const-oid's database, as x509-cert's `Display`
/// writes it, remembered per OID. It is asked of `Display` itself (an attribute with an
/// empty value prints `NAME=`, an unnamed type `OID=#…`): the database is a `const` of
/// several tens of kilobytes, and naming it here would put a second copy in the package.
fn shortest_name(oid: &const_oid::ObjectIdentifier) -> Option<String> {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, OnceLock};
    type Names = Mutex<BTreeMap<const_oid::ObjectIdentifier, Option<String>>>;
    static NAMES: OnceLock<Names> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    if let Some(n) = names.lock().ok().and_then(|m| m.get(oid).cloned()) {
        return n;
    }
    let probe = x509_cert::attr::AttributeTypeAndValue {
        oid: *oid,
        value: der::Any::new(der::Tag::Utf8String, Vec::new()).ok()?,
    }
    .to_string();
    let name = probe
        .strip_suffix('=')
        .filter(|n| !n.contains('='))
        .map(str::to_string);
    if let Ok(mut m) = names.lock() {
        // Bounded: a name's attribute types come from the message, so only named ones stay.
        if name.is_some() || m.len() < 256 {
            m.insert(*oid, name.clone());
        }
    }
    name
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
