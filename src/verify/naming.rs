//! Per signature, the DOMSEC naming verdict (draft-melnikov-smime-msa-to-mda-04 §2.6, §3):
//! "On verifying the signature, a receiving agent MUST ensure that the naming convention has
//! been adhered to. Any message that violates the convention MUST be flagged to the user."
//!
//! - A domain, delegated-originator or additional-attributes signature (and a review
//!   signature made with an agent certificate; [`crate::domain::signing::naming_applies`])
//!   gets `namingOk` and `agentDomain` from [`crate::domain::naming_verdict`] of exactly the
//!   certificate its SignerIdentifier named, against the originator addresses of
//!   [`super::originator`] (the Sender, else the From — never an address the certificate
//!   was found by); a violation is `domain-naming-mismatch`.
//! - A domain, review or additional-attributes signature must encapsulate another signature
//!   (§3.2; possibly an empty signature layer, §2.5): a later signed (or encrypted, which
//!   may hold it) layer in `layers`, else `signature-type-not-encapsulating`.
//! - A signature *without* the signatureType attribute is the originator's only when "there
//!   are no further encapsulated signatures" (§3.2). One that encapsulates a signed layer and
//!   is made with an agent certificate (agent names, no e-mail address) — what `openssl cms
//!   -sign` makes with a domain certificate, having no way to add the attribute — is judged
//!   domain-style (`untyped_agent_signature`): `namingOk` instead of `addressMatch`; it
//!   does not make the message `domainVerified` (§3.3: a domain signature is "indicated by
//!   the presence of the value id-sti-domainSig").
//! - A Mail List Agent's signature — no signatureType, its own mlExpansionHistory, and a
//!   signed or encrypted layer under it (RFC 2634 §4.2: the MLA's new "outer" signedData;
//!   `list_signature`) — is the list's: neither the originator's (no `addressMatch`) nor
//!   domain-style (no naming rule: a list serves its members, and may sit in any domain, not
//!   the originator's). The report shows who expanded the message (`mlExpansionHistory`);
//!   an originator signature under it is still required.
//! - `domainVerified` (§3.3): a valid, trusted, correctly named domain signature.

use crate::domain::naming_verdict;
use crate::domain::signing::{must_encapsulate, naming_applies};
use crate::report::{
    Layer, Problem, SignatureReport, SignatureType, SignatureTypeValue, VerifyReport,
};
use crate::smime::signed_verify::SignerCheck;

/// Problem codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    /// The signer certificate of a DOMSEC signature names no agent of the originator's
    /// domain or of an ascendant of it (§2.6).
    pub(crate) const DOMAIN_NAMING_MISMATCH: &str = "domain-naming-mismatch";
    /// A domain / review / additional-attributes signature encapsulating no signature
    /// (§3.2).
    pub(crate) const SIGNATURE_TYPE_NOT_ENCAPSULATING: &str = "signature-type-not-encapsulating";
}

/// The known types of a signature-type list (unknown OIDs carry no rule of this draft).
fn known(types: &crate::report::SignatureTypes) -> Vec<SignatureType> {
    types
        .0
        .iter()
        .filter_map(|v| match v {
            SignatureTypeValue::Known(t) => Some(*t),
            SignatureTypeValue::Other(_) => None,
        })
        .collect()
}

/// Whether a signature without signatureType encapsulates a later signed layer and is made
/// with an agent certificate carrying no e-mail address (module documentation, §3.2).
pub(crate) fn untyped_agent_signature(check: &SignerCheck, layer: usize, layers: &[Layer]) -> bool {
    check.signature_types.is_empty()
        && encapsulates_signed_layer(layer, layers)
        && check.cert.as_ref().is_some_and(|c| {
            crate::trust::email_addresses(c).is_empty() && !crate::domain::agent_names(c).is_empty()
        })
}

/// Whether a signature is a Mail List Agent's (module documentation; RFC 2634 §4.2): no
/// signatureType, an mlExpansionHistory in its own signed attributes, and a signed or
/// encrypted layer under it.
pub(crate) fn list_signature(check: &SignerCheck, rep: &SignatureReport, layers: &[Layer]) -> bool {
    check.signature_types.is_empty()
        && !rep.ml_expansion_history.is_empty()
        && layers
            .iter()
            .skip(rep.layer + 1)
            .any(|l| matches!(l, Layer::Signed | Layer::Enveloped | Layer::AuthEnveloped))
}

/// Whether a signed layer follows `layer` (§3.2: the signature encapsulates a signature).
fn encapsulates_signed_layer(layer: usize, layers: &[Layer]) -> bool {
    layers.iter().skip(layer + 1).any(|l| *l == Layer::Signed)
}

/// Fill `namingOk` / `agentDomain` of every signature the naming convention binds, flag
/// violations and non-encapsulating types, and set `domainVerified`. `originators` are the
/// originator addresses (Sender, else From); `checks` are in the order of
/// `report.signatures`.
pub(crate) fn apply(report: &mut VerifyReport, checks: &[SignerCheck], originators: &[String]) {
    let layers = report.layers.clone();
    for (rep, check) in report.signatures.iter_mut().zip(checks.iter()) {
        let types = known(&check.signature_types);
        // An encrypted layer under it may hold the signature it encapsulates (§2.5: "A
        // reviewer then signs this encrypted data"), read or not by this recipient.
        let encapsulates = encapsulates_signed_layer(rep.layer, &layers)
            || layers
                .iter()
                .skip(rep.layer + 1)
                .any(|l| matches!(l, Layer::Enveloped | Layer::AuthEnveloped));
        if must_encapsulate(&types) && !encapsulates {
            rep.problems.push(Problem::new(
                codes::SIGNATURE_TYPE_NOT_ENCAPSULATING,
                format!(
                    "the {} signature by {} encapsulates no other signature (draft-melnikov-smime-msa-to-mda-04 §3.2)",
                    check.signature_types, rep.signer
                ),
            ));
        }
        if list_signature(check, rep, &layers)
            || (!naming_applies(&types, check.cert.as_ref())
                && !untyped_agent_signature(check, rep.layer, &layers))
        {
            continue;
        }
        let Some(cert) = &check.cert else {
            // No certificate (signer-cert-not-found / -ambiguous): nothing names an agent.
            rep.naming_ok = Some(false);
            continue;
        };
        let v = naming_verdict(cert, originators);
        rep.naming_ok = Some(v.ok);
        rep.agent_domain = v.agent.as_ref().map(|a| a.domain.clone());
        if !v.ok {
            let orig = if originators.is_empty() {
                "(none)".to_string()
            } else {
                originators.join(", ")
            };
            rep.problems.push(Problem::new(
                codes::DOMAIN_NAMING_MISMATCH,
                match &v.agent {
                    None => format!(
                        "the {} signature by {} is made with a certificate that names no agent (subjectAltName smtp://, submit:// or dNSName; draft-melnikov-smime-msa-to-mda-04 §2.6); originator {orig}",
                        check.signature_types, rep.signer
                    ),
                    Some(a) => format!(
                        "the {} signature by {} names the agent of {}, which is neither the originator's domain nor an ascendant of it (originator {orig}; draft-melnikov-smime-msa-to-mda-04 §2.6)",
                        check.signature_types, a.text, a.domain
                    ),
                },
            ));
        }
    }
    report.domain_verified = report.signatures.iter().any(|s| {
        s.signature_type.contains(SignatureType::Domain)
            && s.valid
            && s.trusted
            && s.naming_ok == Some(true)
            && s.problems.is_empty()
    });
}
