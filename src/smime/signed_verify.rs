//! Verifying the SignerInfos of one SignedData (RFC 5652 §5.4–5.6) and their
//! countersignatures (RFC 5652 §11.4). Our code, on the `cms` / `x509-cert` value types and the
//! RustCrypto primitives (STYLE.md: verification is ours).
//!
//! Per SignerInfo: the digest of the content octets (not their encoding) is computed once per
//! digest algorithm; with signedAttrs, contentType and messageDigest must each be present
//! exactly once with one value and match; every attribute we understand must be well formed
//! and single where RFC 5652 / 8551 / 2634 say so; the signature is checked over the DER of
//! the signed attributes *as received*. Countersignatures sign the countersigned SignerInfo's
//! signature value and must not carry contentType.

use std::collections::HashMap;

use x509_cert::Certificate;

use super::algorithms::{self, DigestAlg, VerifyFailure};
use super::attributes::{self, CONTENT_TYPE, COUNTERSIGNATURE, MESSAGE_DIGEST};
use super::attributes_label;
use super::sig_type::{self, SignatureType};
use super::signed_parse::{parse_signer_info, ParsedSignedData, ParsedSignerInfo, ID_DATA};
use crate::report::{CountersignatureReport, Problem, SecurityLabel, SignatureReport};

/// Maximum nesting of countersignatures we follow.
pub const MAX_COUNTERSIGNATURE_DEPTH: usize = 8;

/// The outcome of checking one SignerInfo (or countersignature).
#[derive(Debug, Clone, Default)]
pub struct SignerCheck {
    /// The signer certificate, when found.
    pub cert: Option<Certificate>,
    /// Signature and attributes verify.
    pub valid: bool,
    /// Problems found.
    pub problems: Vec<Problem>,
    /// eSSSecurityLabel.
    pub label: Option<SecurityLabel>,
    /// signatureType values (names; unknown OIDs as dotted text).
    pub signature_types: Vec<String>,
    /// Parsed signatureType values we know.
    pub known_types: Vec<SignatureType>,
    /// signingTime.
    pub signing_time: Option<time::OffsetDateTime>,
    /// Countersignatures found in unsignedAttrs.
    pub countersignatures: Vec<CountersignatureReport>,
}

/// What the signature covers.
pub enum Covered<'c> {
    /// Content of a SignedData with this eContentType (cached digests per algorithm).
    Content {
        /// Content octets.
        octets: &'c [u8],
        /// eContentType.
        econtent_type: const_oid::ObjectIdentifier,
    },
    /// A countersignature: the countersigned signature value.
    Countersigned(&'c [u8]),
}

/// E-mail addresses of a certificate: SAN rfc822Name values, then subject emailAddress.
pub fn cert_emails(cert: &Certificate) -> Vec<String> {
    use x509_cert::ext::pkix::{name::GeneralName, SubjectAltName};
    let mut out = Vec::new();
    if let Ok(Some((_, san))) = cert.tbs_certificate().get_extension::<SubjectAltName>() {
        for n in san.0 {
            if let GeneralName::Rfc822Name(s) = n {
                out.push(s.as_str().to_ascii_lowercase());
            }
        }
    }
    const EMAIL: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");
    for atv in cert.tbs_certificate().subject().iter() {
        if atv.oid == EMAIL {
            if let Ok(s) = atv.value.decode_as::<der::asn1::Ia5String>() {
                let s = s.as_str().to_ascii_lowercase();
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// Identity text for a signer: first e-mail, else subject DN, else the sid.
pub fn identity(cert: Option<&Certificate>, si: &ParsedSignerInfo<'_>) -> String {
    match cert {
        Some(c) => cert_emails(c)
            .into_iter()
            .next()
            .unwrap_or_else(|| c.tbs_certificate().subject().to_string()),
        None => si.sid.describe(),
    }
}

/// A digest cache: one pass over the content per digest algorithm.
#[derive(Default)]
pub struct DigestCache(HashMap<DigestAlg, Vec<u8>>);

impl DigestCache {
    fn get(&mut self, alg: DigestAlg, data: &[u8]) -> Vec<u8> {
        self.0.entry(alg).or_insert_with(|| alg.hash(data)).clone()
    }
}

fn p(code: &str, msg: impl Into<String>) -> Problem {
    Problem::new(code, msg)
}

/// Check one SignerInfo over what it covers, using `certs` to find the signer certificate.
pub fn check_signer(
    si: &ParsedSignerInfo<'_>,
    covered: &Covered<'_>,
    certs: &[&Certificate],
    cache: &mut DigestCache,
    depth: usize,
) -> SignerCheck {
    let mut out = SignerCheck::default();
    let cert = certs
        .iter()
        .find(|c| si.sid.matches(c))
        .map(|c| (*c).clone());
    if cert.is_none() {
        out.problems.push(p(
            "signer-cert-not-found",
            format!("no certificate for signer {}", si.sid.describe()),
        ));
    }
    let Some(digest) = DigestAlg::from_oid(&si.digest_alg.oid) else {
        out.problems.push(p(
            "unsupported-algorithm",
            format!("digest algorithm {}", si.digest_alg.oid),
        ));
        return out;
    };
    let content = match covered {
        Covered::Content { octets, .. } => *octets,
        Covered::Countersigned(sig) => *sig,
    };
    let content_digest = match covered {
        Covered::Content { octets, .. } => cache.get(digest, octets),
        Covered::Countersigned(sig) => digest.hash(sig),
    };
    let message: &[u8] = match (&si.signed_attrs, &si.signed_attrs_der) {
        (Some(attrs), Some(der)) => {
            check_signed_attributes(attrs, covered, &content_digest, cert.as_ref(), &mut out);
            der
        }
        _ => {
            if let Covered::Content { econtent_type, .. } = covered {
                if *econtent_type != ID_DATA {
                    out.problems.push(p(
                        "signed-attr-missing",
                        "signed attributes are required when the content type is not id-data",
                    ));
                }
            }
            content
        }
    };
    if let Some(c) = &cert {
        match algorithms::verify_signature(
            c.tbs_certificate().subject_public_key_info(),
            digest,
            &si.signature_alg,
            message,
            &si.signature,
        ) {
            Ok(()) => {}
            Err(VerifyFailure::Invalid(m)) => out.problems.push(p("signature-invalid", m)),
            Err(VerifyFailure::Unsupported(m)) => out.problems.push(p("unsupported-algorithm", m)),
        }
    }
    // Attributes that RFC 5652 §11 / RFC 8551 §2.5 / RFC 2634 require to be signed must not
    // appear unsigned (OpenSSL's bad_signtime_attr vector).
    for a in &si.unsigned_attrs {
        if attributes::SINGLE_VALUED.contains(&a.oid)
            || a.oid == attributes::SIGNING_CERTIFICATE
            || a.oid == attributes::EQUIVALENT_LABELS
        {
            out.problems.push(p(
                "attr-must-be-signed",
                format!("attribute {} must be a signed attribute", a.oid),
            ));
        }
    }
    out.valid = out.problems.is_empty() && cert.is_some();
    // Countersignatures over this signature value.
    for a in si
        .unsigned_attrs
        .iter()
        .filter(|a| a.oid == COUNTERSIGNATURE)
    {
        for v in &a.values {
            out.countersignatures
                .push(check_countersignature(v, &si.signature, certs, depth + 1));
        }
    }
    out.cert = cert;
    out
}

fn check_signed_attributes(
    attrs: &[super::signed_parse::ParsedAttribute<'_>],
    covered: &Covered<'_>,
    content_digest: &[u8],
    cert: Option<&Certificate>,
    out: &mut SignerCheck,
) {
    // Single-instance, single-valued attributes.
    for oid in attributes::SINGLE_VALUED {
        if let Err(m) = attributes::single(attrs, oid) {
            out.problems.push(p("signed-attr-malformed", m));
        }
    }
    if attrs.iter().any(|a| a.oid == COUNTERSIGNATURE) {
        out.problems.push(p(
            "signed-attr-malformed",
            "countersignature must be an unsigned attribute",
        ));
    }
    // contentType.
    match (attributes::single(attrs, CONTENT_TYPE), covered) {
        (Ok(None), Covered::Content { .. }) => out.problems.push(p(
            "signed-attr-missing",
            "signed attributes without contentType (RFC 5652 §5.3)",
        )),
        (Ok(Some(_)), Covered::Countersigned(_)) => out.problems.push(p(
            "signed-attr-malformed",
            "a countersignature must not carry contentType (RFC 5652 §11.4)",
        )),
        (Ok(Some(v)), Covered::Content { econtent_type, .. }) => match v.oid("contentType") {
            Ok(ct) if ct == *econtent_type => {}
            Ok(ct) => out.problems.push(p(
                "content-type-mismatch",
                format!("contentType attribute {ct} differs from eContentType {econtent_type}"),
            )),
            Err(e) => out.problems.push(p("signed-attr-malformed", e.0)),
        },
        _ => {}
    }
    // messageDigest.
    match attributes::single(attrs, MESSAGE_DIGEST) {
        Ok(None) => out.problems.push(p(
            "signed-attr-missing",
            "signed attributes without messageDigest (RFC 5652 §5.3)",
        )),
        Ok(Some(v)) => match v.octet_string("messageDigest") {
            Ok(d) if d.as_ref() == content_digest => {}
            Ok(_) => out.problems.push(p(
                "message-digest-mismatch",
                "the content does not match the signed message digest (modified content)",
            )),
            Err(e) => out.problems.push(p("signed-attr-malformed", e.0)),
        },
        Err(_) => {}
    }
    // signingTime.
    if let Ok(Some(v)) = attributes::single(attrs, attributes::SIGNING_TIME) {
        match attributes::parse_time(v) {
            Ok(t) => out.signing_time = Some(t),
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("signingTime: {e}"))),
        }
    }
    // eSSSecurityLabel.
    if let Ok(Some(v)) = attributes::single(attrs, attributes::SECURITY_LABEL) {
        match attributes_label::decode_label(v) {
            Ok(l) => out.label = Some(l),
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("eSSSecurityLabel: {e}"))),
        }
    }
    // signatureType.
    if let Ok(Some(v)) = attributes::single(attrs, attributes::SIGNATURE_TYPE) {
        match sig_type::decode_signature_type(v) {
            Ok(types) => {
                for t in types {
                    match t {
                        Ok(k) => {
                            out.known_types.push(k);
                            out.signature_types.push(k.name().to_string());
                        }
                        Err(o) => out.signature_types.push(o),
                    }
                }
            }
            Err(e) => out
                .problems
                .push(p("signed-attr-malformed", format!("signatureType: {e}"))),
        }
    }
    // signingCertificate / signingCertificateV2 bind the certificate (RFC 5035 §5.4).
    for oid in [
        attributes::SIGNING_CERTIFICATE_V2,
        attributes::SIGNING_CERTIFICATE,
    ] {
        if let (Some(a), Some(c)) = (attrs.iter().find(|a| a.oid == oid), cert) {
            if let Err(m) = attributes::check_signing_certificate(a, c) {
                out.problems.push(p("signing-certificate-mismatch", m));
            }
        }
    }
}

/// Verify one countersignature value (a SignerInfo) over `countersigned` signature octets.
pub fn check_countersignature(
    value: &super::ber::Tlv<'_>,
    countersigned: &[u8],
    certs: &[&Certificate],
    depth: usize,
) -> CountersignatureReport {
    let mut r = CountersignatureReport::default();
    if depth > MAX_COUNTERSIGNATURE_DEPTH {
        r.signer = "(too deep)".into();
        r.problems
            .push(p("depth-limit", "countersignatures nested too deeply"));
        return r;
    }
    let si = match parse_signer_info(*value) {
        Ok(si) => si,
        Err(e) => {
            r.signer = "(malformed)".into();
            r.problems
                .push(p("cms-malformed", format!("countersignature: {}", e.0)));
            return r;
        }
    };
    let mut cache = DigestCache::default();
    let c = check_signer(
        &si,
        &Covered::Countersigned(countersigned),
        certs,
        &mut cache,
        depth,
    );
    r.signer = identity(c.cert.as_ref(), &si);
    r.subject = c
        .cert
        .as_ref()
        .map(|c| c.tbs_certificate().subject().to_string());
    r.emails = c.cert.as_ref().map(cert_emails).unwrap_or_default();
    r.valid = c.valid;
    r.signature_type = if c.signature_types.is_empty() {
        String::new()
    } else {
        c.signature_types.join(",")
    };
    r.signing_time = c.signing_time.map(attributes::rfc3339);
    r.countersignatures = c.countersignatures;
    r.problems = c.problems;
    r
}

/// Check every SignerInfo of a SignedData over `content`. `extra` are certificates supplied
/// by the caller (for messages without certificates). Returns one report per SignerInfo, in
/// encoding order, with `layer` set; trust is filled in by the caller.
pub fn check_signed_data(
    sd: &ParsedSignedData<'_>,
    content: &[u8],
    extra: &[Certificate],
    layer: usize,
) -> (Vec<(SignatureReport, SignerCheck)>, Vec<Problem>) {
    let mut problems = Vec::new();
    let certs: Vec<&Certificate> = sd.certificates.iter().chain(extra.iter()).collect();
    let mut cache = DigestCache::default();
    let mut out = Vec::new();
    if sd.signer_infos.is_empty() {
        problems.push(p(
            "no-signers",
            "SignedData without any SignerInfo: nothing is signed",
        ));
    }
    for (index, si) in sd.signer_infos.iter().enumerate() {
        let c = check_signer(
            si,
            &Covered::Content {
                octets: content,
                econtent_type: sd.econtent_type,
            },
            &certs,
            &mut cache,
            0,
        );
        let rep = SignatureReport {
            layer,
            index,
            signer: identity(c.cert.as_ref(), si),
            subject: c
                .cert
                .as_ref()
                .map(|c| c.tbs_certificate().subject().to_string()),
            emails: c.cert.as_ref().map(cert_emails).unwrap_or_default(),
            valid: c.valid,
            trusted: false,
            address_match: None,
            signature_type: if c.signature_types.is_empty() {
                "originator".into()
            } else {
                c.signature_types.join(",")
            },
            security_label: c.label.clone(),
            signing_time: c.signing_time.map(attributes::rfc3339),
            digest_algorithm: algorithms::name(&si.digest_alg.oid),
            signature_algorithm: algorithms::name(&si.signature_alg.oid),
            countersignatures: c.countersignatures.clone(),
            problems: c.problems.clone(),
        };
        out.push((rep, c));
    }
    // RFC 2634 §3.1.1: if one SignerInfo has a label, all must carry an identical one.
    let labels: Vec<Option<&SecurityLabel>> = out.iter().map(|(_, c)| c.label.as_ref()).collect();
    if labels.iter().any(|l| l.is_some()) && labels.windows(2).any(|w| w[0] != w[1]) {
        problems.push(p(
            "security-label-inconsistent",
            "the SignerInfos of one SignedData carry different security labels",
        ));
    }
    (out, problems)
}
