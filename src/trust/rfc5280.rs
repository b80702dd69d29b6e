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
//!    supplied ([`super::crl`]; a CRL signed by another key of the issuer's name counts when
//!    that key's certificate, among the path's or the other certificates known, validates to
//!    the same anchor: [`crl_signers`], one level deep).
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

/// Most validations of CRL signers' paths one path validation runs ([`crl_signers`]).
const MAX_SIGNER_VALIDATIONS: usize = 4;

#[cfg(test)]
thread_local! {
    /// Validations of CRL signers' paths run on this thread (a test hook).
    static SIGNER_VALIDATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

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
/// check) and `verify` for every signature (module documentation). `others` are the other
/// certificates known (the message's and the caller's), where a CRL signer of another key
/// than the issuer's is looked for ([`crl_signers`]).
pub(super) fn validate(
    anchor: PathCert<'_>,
    path: &[PathCert<'_>],
    at: u64,
    crls: &[CertificateList],
    others: &[PathCert<'_>],
    verify: &mut Verify<'_>,
) -> Result<(), Failure> {
    let n = path.len();
    // A path has at least the certificate to validate; none is no path.
    let Some(leaf) = path.last() else {
        return Err(Failure {
            code: codes::CERT_UNTRUSTED,
            detail: "no certificate to validate".into(),
        });
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
        let mut budget = MAX_SIGNER_VALIDATIONS;
        for (i, c) in path.iter().enumerate() {
            let prefix = path.get(..i).unwrap_or_default();
            let signers = crl_signers(
                anchor,
                prefix,
                issuer,
                crls,
                others,
                at,
                &mut budget,
                verify,
            );
            let is_anchor = issuer.der == anchor.der;
            crl::check(c.cert, issuer, is_anchor, &signers, crls, at, verify)?;
            issuer = *c;
        }
    }
    Ok(())
}

/// The certificates other than `issuer` (the issuer in the path of the certificate whose
/// status is asked, `prefix` the path above it) whose key may sign a CRL of `issuer`'s name
/// (RFC 5280 §6.3.3 (f): a CRL issuer's certification path validated to the same trust
/// anchor): the anchor and the certificates of `prefix` with that name — their path is part
/// of the one being validated —, and the certificates of `others` with that name issued by
/// one of them whose path (that part and the certificate) validates, its revocation
/// included, its own CRLs signed by their issuer's key only — at most `budget` such
/// validations in all (a message may carry many certificates of a CA's name; past the
/// budget they are not signers, and a CRL only they sign leaves the status unknown). None
/// when no CRL names that issuer. Whether a signer's keyUsage allows CRL signing is
/// [`crl::check`]'s to judge.
#[allow(clippy::too_many_arguments)]
fn crl_signers<'c>(
    anchor: PathCert<'c>,
    prefix: &[PathCert<'c>],
    issuer: PathCert<'c>,
    crls: &[CertificateList],
    others: &[PathCert<'c>],
    at: u64,
    budget: &mut usize,
    verify: &mut Verify<'_>,
) -> Vec<PathCert<'c>> {
    let name = issuer.cert.tbs_certificate().subject();
    if !crls
        .iter()
        .any(|l| names_match(&l.tbs_cert_list.issuer, name))
    {
        return Vec::new();
    }
    let named = |c: &PathCert<'_>| names_match(c.cert.tbs_certificate().subject(), name);
    let above: Vec<PathCert<'c>> = std::iter::once(anchor)
        .chain(prefix.iter().copied())
        .collect();
    let mut signers: Vec<PathCert<'c>> = above
        .iter()
        .filter(|c| c.der != issuer.der && named(c))
        .copied()
        .collect();
    for s in others.iter().filter(|s| named(s)) {
        if above.iter().chain(&signers).any(|c| c.der == s.der) || s.der == issuer.der {
            continue;
        }
        let s_issuer = s.cert.tbs_certificate().issuer();
        // The position in `above` of each possible issuer of `s`: its path is the anchor,
        // the prefix down to it, and `s`.
        let validates = above.iter().enumerate().any(|(j, a)| {
            names_match(a.cert.tbs_certificate().subject(), s_issuer) && *budget > 0 && {
                *budget -= 1;
                #[cfg(test)]
                SIGNER_VALIDATIONS.with(|n| n.set(n.get() + 1));
                let mut p: Vec<PathCert<'_>> = prefix.iter().take(j).copied().collect();
                p.push(*s);
                validate(anchor, &p, at, crls, &[], verify).is_ok()
            }
        });
        if validates {
            signers.push(*s);
        }
    }
    signers
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    fn pkits(sub: &str, stem: &str) -> Vec<u8> {
        let ext = if sub == "certs" { "crt" } else { "crl" };
        std::fs::read(format!(
            "{}/tests/vectors/pkits/{sub}/{stem}.{ext}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// A message may carry any number of certificates named like a CA whose CRLs are
    /// supplied; each is a CRL signer only once its own path validates, and at most
    /// [`MAX_SIGNER_VALIDATIONS`] such paths are validated per path: past them the genuine
    /// CRL-signing certificate is not tried and the status is unknown (never "not revoked").
    /// NIST PKITS §4.4.19 (a CRL signed by a separate key of the CA's name).
    #[test]
    fn crl_signers_are_bounded_and_fail_closed() {
        let der = |sub: &str, stem: &str| pkits(sub, stem);
        let certs: Vec<(Vec<u8>, Certificate)> = [
            "TrustAnchorRootCertificate",
            "SeparateCertificateandCRLKeysCertificateSigningCACert",
            "ValidSeparateCertificateandCRLKeysTest19EE",
            "SeparateCertificateandCRLKeysCRLSigningCert",
        ]
        .iter()
        .map(|s| {
            let d = der("certs", s);
            let c = Certificate::from_der(&d).unwrap();
            (d, c)
        })
        .collect();
        let pc = |i: usize| PathCert {
            cert: &certs[i].1,
            der: &certs[i].0,
        };
        let crls: Vec<CertificateList> = ["SeparateCertificateandCRLKeysCRL", "TrustAnchorRootCRL"]
            .iter()
            .map(|s| CertificateList::from_der(&der("crls", s)).unwrap())
            .collect();
        let mut rng = crate::rng::system_rng();
        let at = 1_577_836_800; // 2020-01-01, within the PKITS certificates' validity
        let validity = crate::pki::validity(
            time::OffsetDateTime::from_unix_timestamp(at as i64).unwrap(),
            5,
        )
        .unwrap();
        let decoys: Vec<(Vec<u8>, Certificate)> = (0..20)
            .map(|_| {
                let (_, c) = crate::pki::make_ca(
                    &mut rng,
                    "CN=Separate Certificate and CRL Keys CA1,O=Test Certificates 2011,C=US",
                    validity,
                )
                .unwrap();
                (c.to_der().unwrap(), c)
            })
            .collect();
        let mut verify = |m: &[u8],
                          sig: &[u8],
                          alg: &AlgorithmIdentifierOwned,
                          key: &SubjectPublicKeyInfoOwned| {
            crate::signature::verify_signature(
                key,
                crate::signature::DigestAlg::Sha256,
                alg,
                m,
                sig,
            )
            .map_err(|e| (codes::CERT_BAD_SIGNATURE, format!("{e:?}")))
        };
        let path = [pc(1), pc(2)];
        let run = |others: &[PathCert<'_>], verify: &mut Verify<'_>| {
            let before = SIGNER_VALIDATIONS.with(std::cell::Cell::get);
            let r = validate(pc(0), &path, at, &crls, others, verify);
            (r, SIGNER_VALIDATIONS.with(std::cell::Cell::get) - before)
        };
        // The genuine CRL-signing certificate first: valid.
        let (r, _) = run(&[pc(3)], &mut verify);
        assert_eq!(r, Ok(()));
        // Behind twenty decoys: four of them validated (and refused), the rest never tried.
        let mut others: Vec<PathCert<'_>> = decoys
            .iter()
            .map(|(d, c)| PathCert { cert: c, der: d })
            .collect();
        others.push(pc(3));
        let (r, tried) = run(&others, &mut verify);
        assert_eq!(tried, MAX_SIGNER_VALIDATIONS);
        assert_eq!(r.unwrap_err().code, codes::CERT_REVOCATION_UNKNOWN);
    }
}
