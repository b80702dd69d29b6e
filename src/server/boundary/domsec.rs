//! Every call the boundary agent makes into the core, in one module: domain signing
//! (draft-melnikov-smime-msa-to-mda-04 §3.3, signature encapsulation §2.5), domain encryption
//! and decryption (§4, cases (c) and (d) for transmission, (b) and (d) for reception), the
//! one receive pipeline (`crate::verify`) and the domain-signature verdict built on its
//! report.
//!
//! The naming rule of §2.6 is the core's (`crate::domain::naming`), applied here to the
//! certificate each SignerIdentifier named ([`crate::verify::Verified::signer_certificates`]) —
//! never to a certificate found by name — once per originator address, so that every From
//! and Sender domain is held to its own policy.

use x509_cert::Certificate;

use crate::keys::PrivateKey;
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

/// What domain decryption (§4.2) found.
#[derive(Debug)]
pub enum Decryption {
    /// The message is not encrypted at its top level.
    NotEncrypted,
    /// Encrypted, but for others: no RecipientInfo names our DCA certificate.
    NotForUs,
    /// Decrypted: the outer header fields and the decrypted entity.
    Decrypted(Vec<u8>),
    /// A RecipientInfo names our DCA, but the content could not be decrypted.
    Failed(smime::Error),
}

/// Decrypt the top layer of `raw` with the DCA key when it is addressed to us.
pub fn domain_decrypt(raw: &[u8], dca: Option<&(PrivateKey, Certificate)>) -> Decryption {
    let Some((key, cert)) = dca else {
        return if is_encrypted(raw) {
            Decryption::NotForUs
        } else {
            Decryption::NotEncrypted
        };
    };
    match smime::decrypt_message(raw, key, cert) {
        Ok(m) => Decryption::Decrypted(m),
        Err(smime::Error::NotEncrypted(_)) => Decryption::NotEncrypted,
        Err(smime::Error::DecryptNoRecipient(_)) => Decryption::NotForUs,
        Err(e) => Decryption::Failed(e),
    }
}

/// Whether the top level of `raw` is S/MIME encrypted (RFC 8551 §3.2.2: application/pkcs7-mime
/// with smime-type enveloped-data or authEnveloped-data).
pub fn is_encrypted(raw: &[u8]) -> bool {
    use crate::smime::smime_mime::{field, fields, media_type, split_message};
    let (header, _) = split_message(raw);
    let fs = fields(header);
    let Some(ct) = field(&fs, "content-type") else {
        return false;
    };
    let mt = media_type(&ct.value);
    matches!(
        mt.mime.as_str(),
        "application/pkcs7-mime" | "application/x-pkcs7-mime"
    ) && mt.param("smime-type").is_some_and(|t| {
        t.eq_ignore_ascii_case("enveloped-data") || t.eq_ignore_ascii_case("authenveloped-data")
    })
}

/// Verify a message with the one receive pipeline.
pub fn verify(raw: &[u8], ctx: &VerifyContext) -> Result<verify::Verified, smime::Error> {
    verify::verify_message(raw, ctx)
}

/// The domains a certificate names agents of (§2.6, `crate::domain::agent_names`).
pub fn agent_domains(cert: &Certificate) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in crate::domain::agent_names(cert) {
        if !out.contains(&n.domain) {
            out.push(n.domain);
        }
    }
    out
}

/// Whether `agent` is `domain` or an ascendant of it (§2.6, the core's rule).
pub fn serves(agent: &str, domain: &str) -> bool {
    crate::domain::naming::is_same_or_ascendant(agent, domain)
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
                agent_domains: cert.map(agent_domains).unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_domain_serves_itself_and_below_only() {
        assert!(serves("army.example", "army.example"));
        assert!(serves("army.example", "hq.ARMY.example."));
        assert!(!serves("army.example", "notarmy.example"));
        assert!(!serves("hq.army.example", "army.example"));
        assert!(!serves("army.example", "army.example.evil"));
        assert!(!serves("", "army.example"));
    }
}
