//! Every call the boundary agent makes into the core, in one module: domain signing
//! (draft-melnikov-smime-msa-to-mda-04 §3.3, signature encapsulation §2.5), domain encryption
//! and decryption (§4, cases (c) and (d) for transmission, (b) and (d) for reception), the
//! one receive pipeline (`crate::verify`) and the domain-signature verdict built on its
//! report.
//!
//! The naming rule of §2.6 is judged here on the certificate each SignerIdentifier named
//! ([`crate::verify::Verified::signer_certificates`]) — never on a certificate found by name.
//! When the report carries its own per-signature naming verdict, [`domain_signatures`] reads
//! it instead; nothing else in the agent changes.

use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

use crate::keys::PrivateKey;
use crate::report::{SignatureType, VerifyReport};
use crate::rng::CryptoRng;
use crate::smime::{self, EncryptOptions, SignOptions, Signer};
use crate::verify::{self, VerifyContext};

/// Domain-sign a message: a new signed layer over the whole MIME entity — content and every
/// signature already there (§2.5 method 2) — whose SignerInfo carries the signatureType
/// attribute with id-sti-domainSig (§3.2, §3.3). The RFC 5322 header fields stay outside
/// (RFC 8551 §3.5). multipart/signed, so that an agent without DOMSEC support still shows
/// the content (§2.5).
pub fn domain_sign<R: CryptoRng + ?Sized>(
    raw: &[u8],
    signer: &Signer,
    at: time::OffsetDateTime,
    rng: &mut R,
) -> Result<Vec<u8>, smime::Error> {
    let opts = SignOptions {
        signature_type: vec![SignatureType::Domain],
        signing_time: Some(at),
        ..SignOptions::default()
    };
    smime::sign_message(raw, signer, &opts, rng)
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

/// An agent name of a domain signing/encrypting agent's certificate (§2.6): a SAN URI
/// `smtp://<fqdn>` (MTA) or `submit://<fqdn>` (MSA), or a SAN dNSName `<fqdn>`.
pub fn agent_domains(cert: &Certificate) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Ok(Some((_, san))) = cert.tbs_certificate().get_extension::<SubjectAltName>() else {
        return out;
    };
    for gn in san.0.iter() {
        let domain = match gn {
            GeneralName::UniformResourceIdentifier(u) => {
                let u = u.as_str();
                let lower = u.to_ascii_lowercase();
                if !(lower.starts_with("smtp://") || lower.starts_with("submit://")) {
                    continue;
                }
                match crate::server::uri::parse_mail_uri(u) {
                    Ok(m) => m.host,
                    Err(_) => continue,
                }
            }
            GeneralName::DnsName(d) => d.as_str().to_ascii_lowercase(),
            _ => continue,
        };
        let domain = domain.trim_end_matches('.').to_string();
        if !domain.is_empty() && !out.contains(&domain) {
            out.push(domain);
        }
    }
    out
}

/// Whether `agent` equals `originator` or is an ascendant of it (§2.6), compared label by
/// label, case-insensitively: `army.example` serves `hq.army.example`, never
/// `notarmy.example`.
pub fn serves(agent: &str, originator: &str) -> bool {
    let a = agent.trim_end_matches('.').to_ascii_lowercase();
    let o = originator.trim_end_matches('.').to_ascii_lowercase();
    !a.is_empty() && (o == a || o.ends_with(&format!(".{a}")))
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

/// Every signature of type domain in the report, judged against `originator_domain`.
pub fn domain_signatures(v: &verify::Verified, originator_domain: &str) -> Vec<DomainSignature> {
    v.report
        .signatures
        .iter()
        .enumerate()
        .filter(|(_, s)| s.signature_type.contains(SignatureType::Domain))
        .map(|(i, s)| {
            let names = v
                .signer_certificates
                .get(i)
                .and_then(|c| c.as_ref())
                .map(agent_domains)
                .unwrap_or_default();
            DomainSignature {
                index: i,
                naming_ok: names.iter().any(|d| serves(d, originator_domain)),
                agent_domains: names,
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
        assert!(serves("Army.Example.", "army.example"));
        assert!(!serves("army.example", "notarmy.example"));
        assert!(!serves("hq.army.example", "army.example"));
        assert!(!serves("army.example", "army.example.evil"));
        assert!(!serves("", "army.example"));
        assert!(!serves("example", "army.example.com"));
    }
}
