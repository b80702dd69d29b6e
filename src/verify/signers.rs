//! The signatures of one SignedData as the report shows them: every SignerInfo and every
//! countersignature (RFC 5652 §5.4, §11.4) with the certificate its own SignerIdentifier names
//! ([`crate::smime::signer_certificate`]) — its identity, its addresses and its trust all come
//! from that one certificate. A signature whose identifier names no certificate (or several)
//! has no identity beyond the identifier, no addresses, and is neither valid nor trusted.

use x509_cert::Certificate;

use crate::report::{CountersignatureReport, SignatureReport, SignatureTypes};
use crate::smime::attributes;
use crate::smime::signed_verify::SignerCheck;

use super::trust::Trust;

/// Identity text of a certificate: its first e-mail address, else its first agent name
/// (its subjectAltName `smtp:` / `submit:` URI or dNSName, as written there;
/// draft-melnikov-smime-msa-to-mda-04 §2.6), else its subject DN.
pub(crate) fn certificate_identity(c: &Certificate) -> String {
    crate::trust::email_addresses(c)
        .into_iter()
        .next()
        .or_else(|| {
            crate::domain::agent_names(c)
                .into_iter()
                .next()
                .map(|a| a.text)
        })
        .unwrap_or_else(|| crate::trust::subject_string(c))
}

/// Name every signer and countersigner of `checks` by the certificate its SignerIdentifier
/// names ([`certificate_identity`]); one whose identifier names no certificate (or several)
/// keeps the identifier as text.
pub(crate) fn name_signers(checks: &mut [SignerCheck]) {
    for c in checks {
        if let Some(cert) = &c.cert {
            c.signer = certificate_identity(cert);
        }
        name_signers(&mut c.countersignatures);
    }
}

/// The report of SignerInfo `check` of the SignedData at `layer`, trust judged by `trust`.
pub(crate) fn signature_report(
    check: &SignerCheck,
    layer: usize,
    trust: &Trust<'_>,
) -> SignatureReport {
    let mut problems = check.problems.clone();
    let mut notes = check.notes.clone();
    let (trusted, path) = judge(check, trust, &mut problems, &mut notes);
    SignatureReport {
        layer,
        index: check.index,
        signer: check.signer.clone(),
        subject: check.subject(),
        emails: check.emails(),
        certificate: check
            .cert
            .as_ref()
            .and_then(|c| crate::keys::certificate_pem(c).ok()),
        // The issuers of the validated path, up to the anchor (the leaf is `certificate`).
        chain: path
            .iter()
            .skip(1)
            .filter_map(|der| crate::keys::certificate_pem_from_der(der).ok())
            .collect(),
        valid: check.valid,
        trusted,
        address_match: None,
        // The DOMSEC naming verdict needs the originator: `super::naming`.
        naming_ok: None,
        agent_domain: None,
        // An absent signatureType means an originator signature
        // (draft-melnikov-smime-msa-to-mda-04 §3.2).
        signature_type: if check.signature_types.is_empty() {
            SignatureTypes::originator()
        } else {
            check.signature_types.clone()
        },
        security_label: check.label.clone(),
        ml_expansion_history: check
            .ml_history
            .as_ref()
            .map(|h| h.to_report())
            .unwrap_or_default(),
        signing_time: check.signing_time.map(attributes::rfc3339),
        digest_algorithm: check.digest_algorithm.clone(),
        signature_algorithm: check.signature_algorithm.clone(),
        countersignatures: check
            .countersignatures
            .iter()
            .map(|c| countersignature_report(c, trust))
            .collect(),
        problems,
        notes,
    }
}

/// The report of one countersignature (and, recursively, of its own countersignatures).
fn countersignature_report(check: &SignerCheck, trust: &Trust<'_>) -> CountersignatureReport {
    let mut problems = check.problems.clone();
    let mut notes = check.notes.clone();
    let (trusted, _) = judge(check, trust, &mut problems, &mut notes);
    CountersignatureReport {
        signer: check.signer.clone(),
        subject: check.subject(),
        emails: check.emails(),
        valid: check.valid,
        trusted,
        signature_type: check.signature_types.clone(),
        signing_time: check.signing_time.map(attributes::rfc3339),
        countersignatures: check
            .countersignatures
            .iter()
            .map(|c| countersignature_report(c, trust))
            .collect(),
        problems,
        notes,
    }
}

/// Trust of exactly the certificate the check's SignerIdentifier named (false without one),
/// and the path (DER, leaf first) that validated.
fn judge(
    check: &SignerCheck,
    trust: &Trust<'_>,
    problems: &mut Vec<crate::report::Problem>,
    notes: &mut Vec<crate::report::Problem>,
) -> (bool, Vec<Vec<u8>>) {
    let Some(cert) = &check.cert else {
        return (false, Vec::new());
    };
    let j = trust.check(cert, check.signing_time);
    notes.extend(j.notes);
    let trusted = j.problems.is_empty();
    problems.extend(j.problems);
    (trusted, j.path)
}
