//! The boundary agent's signing and verification with the core: domain signing
//! (draft-melnikov-smime-msa-to-mda-04 §3.3, signature encapsulation §2.5), domain encryption
//! (§4.1, cases (c) and (d) for transmission), the validity check of a certificate to encrypt
//! to, the one receive pipeline (`crate::verify`) and the domain-signature verdict built on
//! its report. Domain decryption, the choice of DCA and gateway certificates, gateway
//! processing and list expansion are the core's `crate::domain` functions, called from
//! [`super::agent`].
//!
//! The naming rule of §2.6 is the core's (`crate::domain::naming`), applied here to the
//! certificate each SignerIdentifier named ([`crate::verify::Verified::signer_certificates`]) —
//! never to a certificate found by name — once per originator address, so that every From
//! and Sender domain is held to its own policy.

use x509_cert::Certificate;

use crate::report::{SignatureType, VerifyReport};
use crate::rng::CryptoRng;
use crate::smime::{self, EncryptOptions, SignOptions, Signer};
use crate::verify::{self, VerifyContext};

/// Domain-sign a message with the core's `domain::domain_sign`: a new signed layer over the
/// whole MIME entity — content and every signature already there (§2.5) — whose SignerInfo
/// carries signatureType id-sti-domainSig (§3.2, §3.3), with signingTime `at`. The RFC 5322
/// header fields stay outside (RFC 8551 §3.5); multipart/signed, so that an agent without
/// DOMSEC support still shows the content (§2.5).
pub fn domain_sign<R: CryptoRng + ?Sized>(
    raw: &[u8],
    signer: &Signer,
    at: time::OffsetDateTime,
    rng: &mut R,
) -> Result<Vec<u8>, crate::domain::Error> {
    let opts = SignOptions {
        signing_time: Some(at),
        ..SignOptions::default()
    };
    crate::domain::domain_sign(raw, signer, &opts, rng)
}

/// Domain encryption (§4.1): encrypt the whole message for `recipients` (a recipient
/// domain's DCA certificate).
pub fn domain_encrypt<R: CryptoRng + ?Sized>(
    raw: &[u8],
    recipients: &[Certificate],
    rng: &mut R,
) -> Result<Vec<u8>, smime::Error> {
    smime::encrypt_message(raw, recipients, &EncryptOptions::default(), rng)
}

/// Verify a message with the one receive pipeline.
pub fn verify(raw: &[u8], ctx: &VerifyContext) -> Result<verify::Verified, smime::Error> {
    verify::verify_message(raw, ctx)
}

/// One signature of the report judged as a domain signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSignature {
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
    pub fn good(&self) -> bool {
        self.valid && self.trusted && self.naming_ok
    }
}

/// Every signature of type domain in the report, judged against the originator address
/// `originator` with the core's naming verdict (`crate::domain::naming_verdict`).
pub fn domain_signatures(v: &verify::Verified, originator: &str) -> Vec<DomainSignature> {
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
pub fn encrypts_validly(
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
pub fn has_originator_signature(report: &VerifyReport) -> bool {
    report
        .signatures
        .iter()
        .any(|s| s.valid && s.trusted && s.signature_type.is_originator())
}
