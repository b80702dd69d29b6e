//! RFC 5280 §6.1 basic path validation of one candidate path, and the revocation check of
//! its certificates against the CRLs supplied (§6.3, [`super::crl`]).
//!
//! The path is the trust anchor (a certificate the caller trusts: its subject name and public
//! key are the trust anchor information of §6.1.1 (d)) and the certificates it leads to,
//! the one the anchor issued first (i = 1) and the end entity last (i = n). The inputs of
//! §6.1.1 other than the path and the time are the RFC's defaults: user-initial-policy-set
//! any-policy, initial-policy-mapping-inhibit, initial-explicit-policy and
//! initial-any-policy-inhibit false, no initial name constraints.
//!
//! The checks of §6.1.3–§6.1.5 are made over the whole path one kind at a time, the cheap
//! ones first and the signatures last, so a path that fails several of them is reported by
//! the first kind that fails, whatever the position of the certificate:
//!
//! 1. validity (§6.1.3 (a)(2)) of every certificate and of the anchor's own certificate;
//! 2. name chaining (§6.1.3 (a)(4), RFC 5280 §7.1 comparison: [`super::name_match`]);
//! 3. basicConstraints and path length (§6.1.4 (k)–(m)) of every intermediate;
//! 4. name constraints (§6.1.3 (b), (c), §6.1.4 (g): [`super::name_constraints`]);
//! 5. certificate policies (§6.1.3 (d)–(f), §6.1.4 (a)–(b), (h)–(j), §6.1.5 (a), (b), (g),
//!    as the policy graph of RFC 9618: [`super::policy`]);
//! 6. keyUsage of every intermediate (§6.1.4 (n)); it must be present — a CA certificate
//!    MUST carry it (§4.2.1.3) — and assert keyCertSign;
//! 7. critical extensions (§6.1.4 (o), §6.1.5 (e)): every critical extension of a
//!    certificate must be one processed here (basicConstraints, keyUsage, extKeyUsage — the
//!    end entity's is judged by `super::purpose` —, subjectAltName, nameConstraints,
//!    certificatePolicies, policyMappings, policyConstraints, inhibitAnyPolicy), and only
//!    once in the certificate (§4.2: an extension MUST NOT appear more than once);
//! 8. signatures (§6.1.3 (a)(1)): the certificate's signatureAlgorithm is its
//!    TBSCertificate's `signature` (§4.1.1.2) and the signature verifies with the working
//!    public key — the issuer's key, the anchor's for i = 1;
//! 9. revocation (§6.1.3 (a)(3)) of every certificate but the anchor, when CRLs are
//!    supplied ([`super::crl`]).
//!
//! The work is bounded by the path (at most [`super::MAX_PATH_LEN`] + 1 certificates), the
//! name-constraint and policy modules' own limits, and the CRLs supplied.

use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{
    BasicConstraints, KeyUsage, KeyUsages, NameConstraints, SubjectAltName,
};
use x509_cert::Certificate;

use super::name_constraints::{NameConstraintsState, NcError};
use super::name_match::names_match;
use super::policy::{PolicyError, PolicyInputs, PolicyState};
use super::{codes, crl, name_string, subject_string};
use crate::asn1::ber::Tlv;

/// A certificate of a path: decoded, and its DER (whose TBSCertificate octets are what its
/// signature signs).
#[derive(Clone, Copy)]
pub(super) struct PathCert<'c> {
    pub cert: &'c Certificate,
    pub der: &'c [u8],
}

/// Why a path does not validate: the problem code ([`codes`]), the certificate it concerns
/// (its subject), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    pub code: &'static str,
    pub detail: String,
}

impl Failure {
    fn of(code: &'static str, cert: &Certificate, what: impl std::fmt::Display) -> Self {
        Failure {
            code,
            detail: format!("certificate {} {what}", subject_string(cert)),
        }
    }
}

/// A signature verification asked of the caller: the signed octets, the signature value,
/// the signature algorithm and the signer's public key. `Ok(())` when it verifies; else the
/// problem code and why (`cert-bad-signature`, or `provider-unsupported` when this build
/// cannot check it).
pub(super) type Verify<'v> = dyn FnMut(
        &[u8],
        &[u8],
        &AlgorithmIdentifierOwned,
        &SubjectPublicKeyInfoOwned,
    ) -> Result<(), (&'static str, String)>
    + 'v;

/// The extensions processed here (step 7 of the module documentation), by OID.
const PROCESSED: [const_oid::ObjectIdentifier; 9] = {
    use const_oid::db::rfc5280 as x;
    [
        x::ID_CE_BASIC_CONSTRAINTS,
        x::ID_CE_KEY_USAGE,
        x::ID_CE_EXT_KEY_USAGE,
        x::ID_CE_SUBJECT_ALT_NAME,
        x::ID_CE_NAME_CONSTRAINTS,
        x::ID_CE_CERTIFICATE_POLICIES,
        x::ID_CE_POLICY_MAPPINGS,
        x::ID_CE_POLICY_CONSTRAINTS,
        x::ID_CE_INHIBIT_ANY_POLICY,
    ]
};

/// The octets of the first element of the SEQUENCE `der` (a certificate's or a CRL's
/// TBSCertificate / TBSCertList, exactly as signed).
pub(super) fn signed_octets(der: &[u8]) -> Option<&[u8]> {
    let outer = Tlv::parse_all(der).ok()?;
    let (tbs, _) = Tlv::parse(outer.content).ok()?;
    Some(tbs.raw)
}

/// Whether a certificate is self-issued (§6.1: its subject and issuer names match).
pub(super) fn self_issued(cert: &Certificate) -> bool {
    let tbs = cert.tbs_certificate();
    names_match(tbs.subject(), tbs.issuer())
}

/// `cert`'s extension `T`, `None` when absent; a present one that does not decode fails
/// the path as `cert-malformed`.
fn extension<'c, T: der::Decode<'c> + const_oid::AssociatedOid>(
    cert: &'c Certificate,
) -> Result<Option<T>, Failure> {
    cert.tbs_certificate()
        .get_extension::<T>()
        .map(|e| e.map(|(_, v)| v))
        .map_err(|e| {
            Failure::of(
                codes::CERT_MALFORMED,
                cert,
                format_args!("has an extension {} that cannot be decoded: {e}", T::OID),
            )
        })
}

/// Validate the path `anchor` → `path` (`path[0]` issued by the anchor, the end entity last)
/// at `at` (seconds since the epoch), with `crls` for revocation (none: no revocation
/// check) and `verify` for every signature (module documentation).
pub(super) fn validate(
    anchor: PathCert<'_>,
    path: &[PathCert<'_>],
    at: u64,
    crls: &[CertificateList],
    verify: &mut Verify<'_>,
) -> Result<(), Failure> {
    let n = path.len();
    let Some(leaf) = path.last() else {
        return Ok(());
    };
    // 1. Validity, the end entity first, then the intermediates, then the anchor.
    for c in std::iter::once(leaf)
        .chain(path.iter().take(n - 1))
        .chain(std::iter::once(&anchor))
    {
        check_validity(c.cert, at)?;
    }
    // 2. Name chaining.
    let mut issuer = anchor.cert;
    for c in path {
        if !names_match(
            c.cert.tbs_certificate().issuer(),
            issuer.tbs_certificate().subject(),
        ) {
            return Err(Failure::of(
                codes::CERT_UNTRUSTED,
                c.cert,
                format_args!(
                    "names issuer {}, not {}",
                    name_string(c.cert.tbs_certificate().issuer()),
                    subject_string(issuer)
                ),
            ));
        }
        issuer = c.cert;
    }
    let intermediates = &path[..n - 1];
    // 3. basicConstraints and path length (§6.1.2 (k): max_path_length starts at n).
    let mut max_path_length = n;
    for c in intermediates {
        if !self_issued(c.cert) {
            if max_path_length == 0 {
                return Err(Failure::of(
                    codes::PATH_TOO_LONG,
                    c.cert,
                    "exceeds a pathLenConstraint",
                ));
            }
            max_path_length -= 1;
        }
        let bc = extension::<BasicConstraints>(c.cert)?;
        let Some(bc) = bc.filter(|b| b.ca) else {
            return Err(Failure::of(
                codes::CERT_NOT_CA,
                c.cert,
                "issues certificates but is not a CA (basicConstraints)",
            ));
        };
        if let Some(limit) = bc.path_len_constraint {
            max_path_length = max_path_length.min(usize::from(limit));
        }
    }
    // 4. Name constraints.
    let mut names = NameConstraintsState::new();
    for (i, c) in path.iter().enumerate() {
        let last = i + 1 == n;
        let name_failure = |e: NcError| match e {
            NcError::Violation(why) => Failure::of(
                codes::CERT_NAME_CONSTRAINTS,
                c.cert,
                format_args!("violates a name constraint: {why}"),
            ),
            NcError::Malformed(why) => Failure::of(
                codes::CERT_NAME_CONSTRAINTS,
                c.cert,
                format_args!("has name constraints that cannot be applied: {why}"),
            ),
            NcError::Limit(why) => Failure::of(
                codes::PATH_TOO_LONG,
                c.cert,
                format_args!("exceeds the validator's processing limits: {why}"),
            ),
        };
        if last || !self_issued(c.cert) {
            let san = extension::<SubjectAltName>(c.cert)?;
            names
                .check(c.cert.tbs_certificate().subject(), san.as_ref())
                .map_err(name_failure)?;
        }
        if !last {
            if let Some(nc) = extension::<NameConstraints>(c.cert)? {
                names.update(&nc).map_err(name_failure)?;
            }
        }
    }
    // 5. Certificate policies.
    let mut policies = PolicyState::new(n, &PolicyInputs::default());
    for (i, c) in path.iter().enumerate() {
        let policy_failure = |e: PolicyError| match e {
            PolicyError::Malformed(why) => Failure::of(
                codes::CERT_MALFORMED,
                c.cert,
                format_args!("has policy extensions that cannot be used: {why}"),
            ),
            PolicyError::NoValidPolicy(why) | PolicyError::MappingToOrFromAnyPolicy(why) => {
                Failure::of(
                    codes::CERT_POLICY,
                    c.cert,
                    format_args!("leaves no valid certificate policy: {why}"),
                )
            }
            PolicyError::Limit(why) => Failure::of(
                codes::PATH_TOO_LONG,
                c.cert,
                format_args!("exceeds the validator's processing limits: {why}"),
            ),
        };
        let tbs = c.cert.tbs_certificate();
        let si = self_issued(c.cert);
        policies.process(tbs, i + 1, si).map_err(policy_failure)?;
        if i + 1 < n {
            policies.prepare(tbs, si).map_err(policy_failure)?;
        } else {
            policies.finish(tbs).map_err(policy_failure)?;
        }
    }
    // 6. keyUsage of the intermediates.
    for c in intermediates {
        let ku = extension::<KeyUsage>(c.cert)?;
        if !ku.is_some_and(|k| k.0.contains(KeyUsages::KeyCertSign)) {
            return Err(Failure::of(
                codes::CERT_KEY_USAGE,
                c.cert,
                "issues certificates without keyCertSign",
            ));
        }
    }
    // 7. Critical extensions.
    for c in path {
        check_critical_extensions(c.cert)?;
    }
    // 8. Signatures.
    let mut key = anchor.cert.tbs_certificate().subject_public_key_info();
    for c in path {
        check_signature(c, key, verify)?;
        key = c.cert.tbs_certificate().subject_public_key_info();
    }
    // 9. Revocation.
    if !crls.is_empty() {
        let mut issuer = anchor;
        for c in path {
            crl::check(c.cert, issuer, issuer.der == anchor.der, crls, at, verify)?;
            issuer = *c;
        }
    }
    Ok(())
}

/// §6.1.3 (a)(2), RFC 5280 §4.1.2.5: notBefore ≤ `at` ≤ notAfter.
fn check_validity(cert: &Certificate, at: u64) -> Result<(), Failure> {
    let v = cert.tbs_certificate().validity();
    if at < v.not_before.to_unix_duration().as_secs() {
        return Err(Failure::of(
            codes::CERT_NOT_YET_VALID,
            cert,
            "is not yet valid",
        ));
    }
    if at > v.not_after.to_unix_duration().as_secs() {
        return Err(Failure::of(codes::CERT_EXPIRED, cert, "has expired"));
    }
    Ok(())
}

/// §6.1.4 (o), §6.1.5 (e) (module documentation, step 7).
fn check_critical_extensions(cert: &Certificate) -> Result<(), Failure> {
    let Some(exts) = cert.tbs_certificate().extensions() else {
        return Ok(());
    };
    for (i, e) in exts.iter().enumerate() {
        if !e.critical {
            continue;
        }
        let repeated = exts
            .iter()
            .enumerate()
            .any(|(j, o)| j != i && o.extn_id == e.extn_id);
        if !PROCESSED.contains(&e.extn_id) || repeated {
            return Err(Failure::of(
                codes::CERT_UNKNOWN_CRITICAL_EXTENSION,
                cert,
                format_args!(
                    "has a critical extension {} that is not processed{}",
                    e.extn_id,
                    if repeated {
                        " (it appears more than once)"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// §6.1.3 (a)(1) and §4.1.1.2 (module documentation, step 8).
fn check_signature(
    c: &PathCert<'_>,
    key: &SubjectPublicKeyInfoOwned,
    verify: &mut Verify<'_>,
) -> Result<(), Failure> {
    let cert = c.cert;
    if cert.signature_algorithm() != cert.tbs_certificate().signature() {
        return Err(Failure::of(
            codes::CERT_BAD_SIGNATURE,
            cert,
            "has a signatureAlgorithm that is not its TBSCertificate's signature (RFC 5280 §4.1.1.2)",
        ));
    }
    let Some(tbs) = signed_octets(c.der) else {
        return Err(Failure::of(
            codes::CERT_MALFORMED,
            cert,
            "cannot be decoded",
        ));
    };
    let Some(sig) = cert.signature().as_bytes() else {
        return Err(Failure::of(
            codes::CERT_BAD_SIGNATURE,
            cert,
            "has a signature value that is not a whole number of octets",
        ));
    };
    verify(tbs, sig, cert.signature_algorithm(), key).map_err(|(code, why)| {
        Failure::of(
            code,
            cert,
            format_args!("has a signature that does not verify with its issuer's key: {why}"),
        )
    })
}
