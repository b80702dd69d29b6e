//! End-entity checks for the S/MIME purpose (RFC 8550 §4.4): validity at the given time,
//! keyUsage (RFC 5280 §4.2.1.3) and extendedKeyUsage (RFC 5280 §4.2.1.12, RFC 8550 §4.4.4).
//!
//! ```text
//! KeyUsage ::= BIT STRING { digitalSignature (0), nonRepudiation (1), keyEncipherment (2),
//!      dataEncipherment (3), keyAgreement (4), keyCertSign (5), cRLSign (6), ... }
//! ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
//! id-kp-emailProtection OBJECT IDENTIFIER ::= { id-kp 4 }
//! anyExtendedKeyUsage OBJECT IDENTIFIER ::= { id-ce-extKeyUsage 0 }
//! ```
//!
//! Signing needs digitalSignature or nonRepudiation; encryption needs keyEncipherment (RSA
//! key transport) or keyAgreement (ECDH). An absent keyUsage allows everything. When the EKU
//! extension is present it must contain emailProtection or anyExtendedKeyUsage.

use const_oid::db::rfc5912::{ANY_EXTENDED_KEY_USAGE, ID_KP_EMAIL_PROTECTION};
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};
use x509_cert::Certificate;

use super::{codes, subject_string, Purpose};
use crate::report::Problem;

/// Problems of the leaf itself for `purpose` at `at` (no path needed).
pub(super) fn check_leaf(
    cert: &Certificate,
    purpose: Purpose,
    at: time::OffsetDateTime,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let subject = subject_string(cert);
    out.extend(check_validity(cert, at));
    match cert.tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => {
            let ok = match purpose {
                Purpose::Signing => ku.digital_signature() || ku.non_repudiation(),
                Purpose::Encryption => ku.key_encipherment() || ku.key_agreement(),
            };
            if !ok {
                let need = match purpose {
                    Purpose::Signing => "digitalSignature or nonRepudiation",
                    Purpose::Encryption => "keyEncipherment or keyAgreement",
                };
                out.push(Problem::new(
                    codes::CERT_KEY_USAGE,
                    format!("certificate {subject}: keyUsage does not include {need}"),
                ));
            }
        }
        Ok(None) => {}
        Err(_) => out.push(Problem::new(
            codes::CERT_MALFORMED,
            format!("certificate {subject}: keyUsage extension cannot be decoded or is repeated"),
        )),
    }
    match cert.tbs_certificate().get_extension::<ExtendedKeyUsage>() {
        Ok(Some((_, eku))) => {
            if !eku
                .0
                .iter()
                .any(|o| *o == ID_KP_EMAIL_PROTECTION || *o == ANY_EXTENDED_KEY_USAGE)
            {
                out.push(Problem::new(
                    codes::CERT_EKU,
                    format!(
                        "certificate {subject}: extendedKeyUsage does not include emailProtection"
                    ),
                ));
            }
        }
        Ok(None) => {}
        Err(_) => out.push(Problem::new(
            codes::CERT_MALFORMED,
            format!(
                "certificate {subject}: extendedKeyUsage extension cannot be decoded or is repeated"
            ),
        )),
    }
    out
}

/// `cert-expired` / `cert-not-yet-valid` for one certificate at `at`.
pub(super) fn check_validity(cert: &Certificate, at: time::OffsetDateTime) -> Option<Problem> {
    let v = cert.tbs_certificate().validity();
    let secs = at.unix_timestamp();
    let nb = v.not_before.to_unix_duration().as_secs();
    let na = v.not_after.to_unix_duration().as_secs();
    let subject = subject_string(cert);
    if secs < 0 || (secs as u64) < nb {
        return Some(Problem::new(
            codes::CERT_NOT_YET_VALID,
            format!("certificate {subject} is not valid before {}", v.not_before),
        ));
    }
    if (secs as u64) > na {
        return Some(Problem::new(
            codes::CERT_EXPIRED,
            format!("certificate {subject} expired at {}", v.not_after),
        ));
    }
    None
}
