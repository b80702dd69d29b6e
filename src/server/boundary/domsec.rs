//! The boundary agent's helpers over the core: domain encryption without a domain signature
//! (draft-melnikov-smime-msa-to-mda-04 §4.1, cases (c) and (d) for transmission), the
//! validity check of a certificate to encrypt to, and the domain-signature verdict built on
//! the receive pipeline's report (`crate::verify`). Domain signing by the rules of §5, domain
//! decryption, the choice of DCA and gateway certificates, gateway processing and list
//! expansion are the core's `crate::domain` functions, called from [`super::agent`].
//!
//! The naming rule of §2.6 is the core's (`crate::domain::naming`), applied here to the
//! certificate each SignerIdentifier named ([`crate::verify::Verified::signer_certificates`]) —
//! never to a certificate found by name — once per originator address, so that every From
//! and Sender domain is held to its own policy.

use x509_cert::Certificate;

use crate::report::{SignatureType, VerifyReport};
use crate::rng::CryptoRng;
use crate::smime::{self, EncryptOptions};
use crate::verify;

/// Domain encryption (§4.1): encrypt the whole message for `recipients` (a recipient
/// domain's DCA certificate).
pub(crate) fn domain_encrypt<R: CryptoRng + ?Sized>(
    raw: &[u8],
    recipients: &[Certificate],
    rng: &mut R,
) -> Result<Vec<u8>, smime::Error> {
    smime::encrypt_message(raw, recipients, &EncryptOptions::default(), rng)
}

/// One signature of the report judged as a domain signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainSignature {
    /// Index in `report.signatures`.
    pub index: usize,
    /// The agent names of its certificate (§2.6).
    pub agent_domains: Vec<String>,
    /// Signature value and attributes verify.
    pub valid: bool,
    /// Its certificate chains to a trust anchor.
    pub trusted: bool,
    /// One agent name serves the originator's domain (§2.6).
    pub naming_ok: bool,
}

impl DomainSignature {
    /// Valid, trusted and correctly named.
    pub(crate) fn good(&self) -> bool {
        self.valid && self.trusted && self.naming_ok
    }
}

/// Every signature of type domain in the report, judged against the originator address
/// `originator` with the core's naming verdict (`crate::domain::naming_verdict`).
pub(crate) fn domain_signatures(v: &verify::Verified, originator: &str) -> Vec<DomainSignature> {
    v.report
        .signatures
        .iter()
        .enumerate()
        .filter(|(_, s)| s.signature_type.contains(SignatureType::Domain))
        .map(|(i, s)| {
            let cert = v.signer_certificates.get(i).and_then(|c| c.as_ref());
            let naming_ok = cert
                .is_some_and(|c| crate::domain::naming_verdict(c, &[originator.to_string()]).ok);
            DomainSignature {
                index: i,
                naming_ok,
                agent_domains: cert.map(crate::domain::agent_domains).unwrap_or_default(),
                valid: s.valid,
                trusted: s.trusted,
            }
        })
        .collect()
}

/// Whether `cert` chains to `anchors` (through `intermediates`) and may encrypt at `at`
/// (RFC 5280 §6.1; keyEncipherment or keyAgreement, RFC 8550 §4.4.2): a DCA certificate is
/// used only then, so an expired or foreign certificate in the directory is never encrypted to.
pub(crate) fn encrypts_validly(
    cert: &Certificate,
    anchors: &[Certificate],
    intermediates: &[Certificate],
    at: time::OffsetDateTime,
) -> bool {
    let ctx = crate::trust::TrustContext {
        anchors: anchors.to_vec(),
        intermediates: intermediates.to_vec(),
        crls: Vec::new(),
        at,
    };
    crate::trust::validate(cert, &[], &ctx, crate::trust::Purpose::Encryption).trusted
}

/// Whether the report carries a valid, trusted originator signature (§3.3: the domain
/// signer "MUST first satisfy itself of the authenticity of the message originator").
pub(crate) fn has_originator_signature(report: &VerifyReport) -> bool {
    report
        .signatures
        .iter()
        .any(|s| s.valid && s.trusted && s.signature_type.is_originator())
}
