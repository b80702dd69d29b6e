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
    cert.tbs_certificate().subject().to_string()
}

#[cfg(test)]
mod tests {
    use super::normalize;

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
