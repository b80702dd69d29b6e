//! The revocation status of one certificate of a path from the CRLs the caller supplied
//! (RFC 5280 §6.3, for complete, direct CRLs).
//!
//! A certificate whose issuer published none of the supplied CRLs (no CRL's issuer name
//! matches its issuer name, §7.1) is not checked: the caller decides which CRLs to supply,
//! and one issuer's CRLs say nothing of another's certificates. Otherwise the status comes
//! from the supplied CRLs of its issuer that can be used for it:
//!
//! - the CRL's signatureAlgorithm is its TBSCertList's `signature` (§5.1.1.2), and its
//!   signature verifies with the public key of the certificate's issuer in the path
//!   (§6.3.3 (f), (g)); that issuer's keyUsage, when present, asserts cRLSign (§4.2.1.3), and
//!   an intermediate's must be present (a CA certificate MUST carry it);
//! - it is current: thisUpdate ≤ the validation time ≤ nextUpdate (§6.3.3 (a)(2)); a CRL
//!   without nextUpdate (which a conforming issuer MUST include, §5.1.2.5) is not;
//! - it is complete and direct: no deltaCRLIndicator (§5.2.4: delta CRLs are not
//!   processed), and an issuingDistributionPoint (§5.2.5) without indirectCRL,
//!   onlySomeReasons or onlyContainsAttributeCerts, whose onlyContainsUserCerts /
//!   onlyContainsCACerts admit the certificate (a CA: basicConstraints cA), and whose
//!   distributionPoint, when present, is a fullName sharing a name with a fullName of the
//!   certificate's cRLDistributionPoints (§6.3.3 (b)(2)(i));
//! - it has no critical extension other than issuingDistributionPoint, cRLNumber,
//!   authorityKeyIdentifier and freshestCRL (§5.2), and no entry has a certificateIssuer or a
//!   critical entry extension other than reasonCode, invalidityDate and
//!   holdInstructionCode (§5.3).
//!
//! Listed in a usable CRL (its serial number, §6.3.3 (i)) is `cert-revoked`, whatever the
//! other CRLs say; not listed in at least one usable CRL is "not revoked"; when none of the
//! issuer's CRLs can be used it is `cert-revocation-unknown` (or `provider-unsupported`, when
//! a CRL's signature could not be checked by this build's provider).

use der::Encode;
use x509_cert::crl::{CertificateList, RevokedCert};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::DistributionPointName;
use x509_cert::ext::pkix::{
    BasicConstraints, CrlDistributionPoints, IssuingDistributionPoint, KeyUsage, KeyUsages,
};
use x509_cert::Certificate;

use super::name_match::names_match;
use super::rfc5280::{Failure, PathCert, Verify};
use super::{codes, subject_string};

/// The CRL extensions that may be critical (§5.2).
const CRL_EXTENSIONS: [const_oid::ObjectIdentifier; 4] = {
    use const_oid::db::rfc5280 as x;
    [
        x::ID_CE_ISSUING_DISTRIBUTION_POINT,
        x::ID_CE_CRL_NUMBER,
        x::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        x::ID_CE_FRESHEST_CRL,
    ]
};

/// The CRL entry extensions that may be critical (§5.3).
const ENTRY_EXTENSIONS: [const_oid::ObjectIdentifier; 3] = {
    use const_oid::db::rfc5280 as x;
    [
        x::ID_CE_CRL_REASONS,
        x::ID_CE_INVALIDITY_DATE,
        x::ID_CE_HOLD_INSTRUCTION_CODE,
    ]
};

/// What one CRL says of a certificate.
enum Status {
    Revoked,
    NotRevoked,
    /// The CRL cannot be used for the certificate, and why; whether the reason is a
    /// signature this build's provider could not check.
    Unusable(String, bool),
}

/// The revocation status of `cert`, issued by `issuer` (the anchor when `issuer_is_anchor`),
/// from `crls` at `at` (module documentation).
pub(super) fn check(
    cert: &Certificate,
    issuer: PathCert<'_>,
    issuer_is_anchor: bool,
    crls: &[CertificateList],
    at: u64,
    verify: &mut Verify<'_>,
) -> Result<(), Failure> {
    let issuer_name = cert.tbs_certificate().issuer();
    let mut why_not = Vec::new();
    let mut unsupported = false;
    let mut settled = false;
    let mut any = false;
    for crl in crls {
        if !names_match(&crl.tbs_cert_list.issuer, issuer_name) {
            continue;
        }
        any = true;
        match status(cert, issuer, issuer_is_anchor, crl, at, verify) {
            Status::Revoked => {
                return Err(Failure {
                    code: codes::CERT_REVOKED,
                    detail: format!(
                        "certificate {} is revoked (listed in its issuer's CRL of {})",
                        subject_string(cert),
                        crl.tbs_cert_list.this_update
                    ),
                })
            }
            Status::NotRevoked => settled = true,
            Status::Unusable(why, provider) => {
                unsupported |= provider;
                why_not.push(why);
            }
        }
    }
    if !any || settled {
        return Ok(());
    }
    Err(Failure {
        code: if unsupported {
            codes::PROVIDER_UNSUPPORTED
        } else {
            codes::CERT_REVOCATION_UNKNOWN
        },
        detail: format!(
            "certificate {} has a CRL from its issuer that could not settle its status: {}",
            subject_string(cert),
            why_not.join("; ")
        ),
    })
}

/// What `crl` says of `cert` (module documentation).
fn status(
    cert: &Certificate,
    issuer: PathCert<'_>,
    issuer_is_anchor: bool,
    crl: &CertificateList,
    at: u64,
    verify: &mut Verify<'_>,
) -> Status {
    let unusable = |why: &str| Status::Unusable(why.to_string(), false);
    let list = &crl.tbs_cert_list;
    if crl.signature_algorithm != list.signature {
        return unusable("its signatureAlgorithm is not its TBSCertList's signature");
    }
    // The issuer may sign CRLs.
    match issuer.cert.tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) if ku.0.contains(KeyUsages::CRLSign) => {}
        Ok(None) if issuer_is_anchor => {}
        _ => return unusable("its issuer's certificate does not assert cRLSign"),
    }
    // Current.
    if list.this_update.to_unix_duration().as_secs() > at {
        return unusable("it was issued after the validation time");
    }
    match list.next_update {
        Some(next) if next.to_unix_duration().as_secs() >= at => {}
        Some(_) => return unusable("its nextUpdate is before the validation time"),
        None => return unusable("it has no nextUpdate"),
    }
    // Extensions and scope.
    let mut idp = None;
    for e in list.crl_extensions.iter().flatten() {
        use const_oid::db::rfc5280 as x;
        if e.extn_id == x::ID_CE_DELTA_CRL_INDICATOR {
            return unusable("it is a delta CRL");
        }
        if e.critical && !CRL_EXTENSIONS.contains(&e.extn_id) {
            return unusable("it has an unprocessed critical extension");
        }
        if e.extn_id == x::ID_CE_ISSUING_DISTRIBUTION_POINT {
            if idp.is_some() {
                return unusable("it has two issuingDistributionPoint extensions");
            }
            match <IssuingDistributionPoint as der::Decode>::from_der(e.extn_value.as_bytes()) {
                Ok(p) => idp = Some(p),
                Err(_) => return unusable("its issuingDistributionPoint cannot be decoded"),
            }
        }
    }
    if let Some(idp) = &idp {
        if let Err(why) = in_scope(cert, idp) {
            return unusable(why);
        }
    }
    // Signature.
    let Ok(tbs) = list.to_der() else {
        return unusable("it cannot be encoded");
    };
    let Some(sig) = crl.signature.as_bytes() else {
        return unusable("its signature is not a whole number of octets");
    };
    let key = issuer.cert.tbs_certificate().subject_public_key_info();
    if let Err((code, why)) = verify(&tbs, sig, &crl.signature_algorithm, key) {
        return Status::Unusable(
            format!("its signature does not verify with its issuer's key: {why}"),
            code == codes::PROVIDER_UNSUPPORTED,
        );
    }
    // Entries.
    let serial = cert.tbs_certificate().serial_number();
    let mut listed = false;
    for entry in list.revoked_certificates.iter().flatten() {
        if let Err(why) = usable_entry(entry) {
            return unusable(why);
        }
        listed |= &entry.serial_number == serial;
    }
    if listed {
        Status::Revoked
    } else {
        Status::NotRevoked
    }
}

/// §5.3: an entry naming another certificate issuer (an indirect CRL's) or with a critical
/// extension not processed here makes the CRL unusable.
fn usable_entry(entry: &RevokedCert) -> Result<(), &'static str> {
    use const_oid::db::rfc5280 as x;
    for e in entry.crl_entry_extensions.iter().flatten() {
        if e.extn_id == x::ID_CE_CERTIFICATE_ISSUER {
            return Err("it is an indirect CRL (an entry has a certificateIssuer)");
        }
        if e.critical && !ENTRY_EXTENSIONS.contains(&e.extn_id) {
            return Err("an entry has an unprocessed critical extension");
        }
    }
    Ok(())
}

/// §5.2.5, §6.3.3 (b): whether a CRL with `idp` covers `cert`.
fn in_scope(cert: &Certificate, idp: &IssuingDistributionPoint) -> Result<(), &'static str> {
    if idp.indirect_crl {
        return Err("it is an indirect CRL");
    }
    if idp.only_some_reasons.is_some() {
        return Err("it covers only some revocation reasons");
    }
    if idp.only_contains_attribute_certs {
        return Err("it covers only attribute certificates");
    }
    let tbs = cert.tbs_certificate();
    let is_ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
    if idp.only_contains_user_certs && is_ca {
        return Err("it covers only end-entity certificates");
    }
    if idp.only_contains_ca_certs && !is_ca {
        return Err("it covers only CA certificates");
    }
    let Some(name) = &idp.distribution_point else {
        return Ok(());
    };
    let DistributionPointName::FullName(idp_names) = name else {
        return Err("its distribution point is named relative to its issuer");
    };
    let dps: Vec<DistributionPoint> = match tbs.get_extension::<CrlDistributionPoints>() {
        Ok(Some((_, d))) => d.0,
        Ok(None) => return Err("it is a distribution point's CRL, and the certificate names none"),
        Err(_) => return Err("the certificate's cRLDistributionPoints cannot be decoded"),
    };
    let shares = dps.iter().any(|dp| match &dp.distribution_point {
        Some(DistributionPointName::FullName(names)) => {
            names.iter().any(|n| idp_names.iter().any(|m| m == n))
        }
        _ => false,
    });
    if shares {
        Ok(())
    } else {
        Err("its distribution point is none of the certificate's")
    }
}
