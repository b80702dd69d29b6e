//! The requests of producing a message's S/MIME layers: [`SignRequest`] (`sign`,
//! `signAsync`, `mmhs sign`) and [`EncryptRequest`] (`encrypt`, `mmhs encrypt`), and the one
//! function each that every facade calls ([`sign_request`], [`encrypt_request`]).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::encryption_recipients::{usable_for_encryption, EncryptionTrust};
use super::{encryption_certificates, sign_typed, DomainEncryption, Error};
use crate::fields::EssSecurityLabel;
use crate::keys;
use crate::report::SignatureType;
use crate::request::time_or;
use crate::rng::CryptoRng;
use crate::smime::{
    encrypt_message, DigestAlg, EncryptOptions, KeyTransportPadding, MessageEncryption,
    ReceiptRequestOptions, RsaPadding, SignOptions, SignedEntityContent, Signer,
};

/// The digest algorithms a signature is produced with (RFC 5754 §2; SHA-1 is never
/// produced, `algorithm_policy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
pub enum SignDigest {
    /// SHA-256 (default).
    #[default]
    #[serde(rename = "sha256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "sha384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "sha512")]
    Sha512,
}

impl From<SignDigest> for DigestAlg {
    fn from(d: SignDigest) -> Self {
        match d {
            SignDigest::Sha256 => DigestAlg::Sha256,
            SignDigest::Sha384 => DigestAlg::Sha384,
            SignDigest::Sha512 => DigestAlg::Sha512,
        }
    }
}

/// The request of `sign` (JSON `SignRequest`, all optional; docs/js-api.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignRequest {
    /// multipart/signed (true, default) or application/pkcs7-mime signed-data (false).
    #[serde(default)]
    pub detached: Option<bool>,
    /// The digest algorithm (default sha256).
    #[serde(default)]
    pub digest: Option<SignDigest>,
    /// RSA signature scheme (default pkcs1v15).
    #[serde(default)]
    pub rsa_padding: Option<RsaPadding>,
    /// Identify the signer by subjectKeyIdentifier.
    #[serde(default)]
    pub use_ski: Option<bool>,
    /// Include the signer certificate and chain (default true).
    #[serde(default)]
    pub include_certs: Option<bool>,
    /// signingTime (RFC 3339); default: the caller's clock.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub signing_time: Option<OffsetDateTime>,
    /// ESS security label (RFC 2634 §3; docs/report.md "securityLabel").
    #[serde(default)]
    pub security_label: Option<EssSecurityLabel>,
    /// signatureType attribute values (draft-melnikov-smime-msa-to-mda-04 §3): domain,
    /// review and additional-attributes signatures become a new signed layer.
    #[serde(default)]
    pub signature_type: Option<Vec<SignatureType>>,
    /// Add sMIMECapabilities (RFC 8551 §2.5.2; default true).
    #[serde(default)]
    pub capabilities: Option<bool>,
    /// Add signingCertificateV2 (RFC 5035; default true).
    #[serde(default)]
    pub signing_certificate_v2: Option<bool>,
    /// Wrap the message as message/rfc822; forwarded=no first (header protection).
    #[serde(default)]
    pub protect_headers: Option<bool>,
    /// Ask for signed receipts (RFC 2634 §2.2).
    #[serde(default)]
    pub receipt_request: Option<ReceiptRequestOptions>,
}

impl SignRequest {
    /// The core's sign options; signingTime is the request's, else `now`.
    pub fn options(&self, now: OffsetDateTime) -> SignOptions {
        let d = SignOptions::default();
        SignOptions {
            detached: self.detached.unwrap_or(d.detached),
            digest: self.digest.unwrap_or_default().into(),
            rsa_padding: self.rsa_padding.unwrap_or(d.rsa_padding),
            use_ski: self.use_ski.unwrap_or(d.use_ski),
            include_certs: self.include_certs.unwrap_or(d.include_certs),
            signing_time: Some(time_or(self.signing_time, now)),
            security_label: self.security_label.clone(),
            signature_type: self.signature_type.clone().unwrap_or_default(),
            capabilities: self.capabilities.unwrap_or(d.capabilities),
            signing_certificate_v2: self
                .signing_certificate_v2
                .unwrap_or(d.signing_certificate_v2),
            receipt_request: self.receipt_request.clone(),
            ..d
        }
    }

    /// The entity to sign: the message, header-protected when asked.
    pub fn message(&self, raw: Vec<u8>) -> Result<Vec<u8>, Error> {
        protected(raw, self.protect_headers.unwrap_or(false))
    }

    /// The content this request signs in `raw` with the key of `cert`, for a provider to
    /// hash ([`super::prepare_sign_typed`] of [`Self::message`]);
    /// [`SignedEntityContent::unchanged_from`] is relative to `raw`.
    pub fn prepare(
        &self,
        raw: Vec<u8>,
        cert: &Certificate,
        opts: &SignOptions,
    ) -> Result<SignedEntityContent, Error> {
        let protect = self.protect_headers.unwrap_or(false);
        let content = super::prepare_sign_typed(self.message(raw)?, cert, opts)?;
        Ok(if protect {
            content.made_from_other_octets()
        } else {
            content
        })
    }

    /// Where the entity [`Self::prepare`] signs begins in a message that begins with `head`,
    /// when it will be the message's own octets from there on ([`crate::smime::entity_start`]):
    /// never for header protection or a signature type that puts a layer around the message
    /// first. A provider may hash from there before the message is handed over; only
    /// [`SignedEntityContent::unchanged_from`] of the prepared content says whether that
    /// digest is the entity's.
    pub fn entity_start(&self, head: &[u8], opts: &SignOptions) -> Option<usize> {
        if self.protect_headers.unwrap_or(false)
            || super::signing::must_encapsulate(&opts.signature_type)
        {
            return None;
        }
        crate::smime::entity_start(head)
    }
}

/// Sign a whole message as `req` says ([`sign_typed`]).
pub fn sign_request<R: CryptoRng + ?Sized>(
    raw: Vec<u8>,
    signer: &Signer,
    req: &SignRequest,
    now: OffsetDateTime,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let input = req.message(raw)?;
    sign_typed(&input, signer, &req.options(now), rng)
}

/// RSA key transport for encryption: RSAES-OAEP only (PKCS#1 v1.5 key transport is weak,
/// `algorithm_policy`, and never produced).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum EncryptRsaPadding {
    /// RSAES-OAEP (RFC 8017 §7.1, RFC 3560).
    #[default]
    Oaep,
}

/// The request of `encrypt` (JSON `EncryptRequest`, all optional; docs/js-api.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EncryptRequest {
    /// AuthEnvelopedData with AES-256-GCM (RFC 5083, RFC 5084).
    #[serde(default)]
    pub gcm: Option<bool>,
    /// Compress (RFC 3274) before encrypting.
    #[serde(default)]
    pub compress: Option<bool>,
    /// RSA key transport (only "oaep").
    #[serde(default)]
    pub rsa_padding: Option<EncryptRsaPadding>,
    /// Wrap the message as message/rfc822; forwarded=no first (header protection).
    #[serde(default)]
    pub protect_headers: Option<bool>,
    /// Recipient addresses whose certificates are looked up in `certificates`: their own, or
    /// their domain's DCA or gateway certificate as `domainEncryption` says
    /// (draft-melnikov-smime-msa-to-mda-04 §4).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub rcpt: Vec<String>,
    /// Certificates (PEM texts) to look `rcpt` up in.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub certificates: Vec<String>,
    /// For `rcpt` (default "none").
    #[serde(default)]
    pub domain_encryption: Option<DomainEncryption>,
    /// When given, a certificate of `certificates` is chosen for `rcpt` only when it
    /// validates for encryption under one of these anchors at `at` (an expired, untrusted or
    /// signing-only certificate is never encrypted to; [`super::encryption_recipients()`]).
    /// Absent: every certificate is taken as the caller's choice (the CLI's `--to` files).
    #[serde(default)]
    pub trust_anchors: Option<Vec<String>>,
    /// Validation time for `trustAnchors` (RFC 3339); default: the caller's clock.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub at: Option<OffsetDateTime>,
}

impl EncryptRequest {
    /// Every recipient certificate: `given` (always encrypted to), then those chosen for
    /// `rcpt`, each once; with `trustAnchors`, only certificates that validate for
    /// encryption at `at` (else `now`) are chosen.
    pub fn recipients(
        &self,
        given: Vec<Certificate>,
        now: OffsetDateTime,
    ) -> Result<Vec<Certificate>, Error> {
        let mut out = given;
        if self.rcpt.is_empty() {
            return Ok(out);
        }
        let pool = keys::certificates_from_texts(&self.certificates)?;
        let mode = self.domain_encryption.unwrap_or_default();
        let trust = self.encryption_trust(&pool, now)?;
        let validator = trust.as_ref().map(EncryptionTrust::validator);
        let usable = |c: &Certificate| {
            validator
                .as_ref()
                .is_none_or(|v| usable_for_encryption(v, c).is_empty())
        };
        for c in encryption_certificates(&self.rcpt, &pool, mode, usable)? {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// With `trustAnchors`, the path validation every certificate chosen for `rcpt` must pass
    /// (for encryption, at `at` else `now`, through `pool`); `None` without them.
    pub fn encryption_trust(
        &self,
        pool: &[Certificate],
        now: OffsetDateTime,
    ) -> Result<Option<EncryptionTrust>, Error> {
        let Some(anchors) = &self.trust_anchors else {
            return Ok(None);
        };
        Ok(Some(EncryptionTrust::new(
            keys::certificates_from_texts(anchors)?,
            pool.to_vec(),
            time_or(self.at, now),
        )))
    }

    /// The core's encrypt options.
    pub fn options(&self) -> EncryptOptions {
        EncryptOptions {
            gcm: self.gcm.unwrap_or(false),
            compress: self.compress.unwrap_or(false),
            rsa_padding: match self.rsa_padding.unwrap_or_default() {
                EncryptRsaPadding::Oaep => KeyTransportPadding::Oaep,
            },
            ..EncryptOptions::default()
        }
    }
}

/// Encrypt a whole message as `req` says, to `given` and the certificates `req.rcpt` finds.
pub fn encrypt_request<R: CryptoRng + ?Sized>(
    raw: Vec<u8>,
    given: Vec<Certificate>,
    req: &EncryptRequest,
    now: OffsetDateTime,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let recipients = req.recipients(given, now)?;
    let input = protected(raw, req.protect_headers.unwrap_or(false))?;
    Ok(encrypt_message(&input, &recipients, &req.options(), rng)?)
}

/// [`encrypt_request`] in steps: the recipients looked up and the message wrapped as asked,
/// then [`MessageEncryption::start`]; the caller answers its requests (e.g. with WebCrypto).
pub fn begin_encrypt_request<R: CryptoRng + ?Sized>(
    raw: Vec<u8>,
    given: Vec<Certificate>,
    req: &EncryptRequest,
    now: OffsetDateTime,
    rng: &mut R,
) -> Result<MessageEncryption, Error> {
    let recipients = req.recipients(given, now)?;
    let input = protected(raw, req.protect_headers.unwrap_or(false))?;
    Ok(MessageEncryption::start(
        &input,
        &recipients,
        &req.options(),
        rng,
    )?)
}

/// The message, wrapped as `message/rfc822; forwarded=no` when `protect` (header protection,
/// draft-melnikov-mmhs-profile-09 §4.2.6).
fn protected(raw: Vec<u8>, protect: bool) -> Result<Vec<u8>, Error> {
    if protect {
        Ok(crate::protect::wrap(&raw)?)
    } else {
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entity is looked for in the caller's octets only where the request signs them as
    /// they are: not under header protection, not for a type that puts a layer around them.
    #[test]
    fn entity_start_only_for_the_message_as_it_is() {
        let raw =
            b"From: a@b.example\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
        let at = raw.len() - b"Content-Type: text/plain\r\n\r\nbody\r\n".len();
        let now = OffsetDateTime::UNIX_EPOCH;
        let found = |req: SignRequest| req.entity_start(raw, &req.options(now));
        assert_eq!(found(SignRequest::default()), Some(at));
        let originator = SignRequest {
            signature_type: Some(vec![SignatureType::Originator]),
            ..SignRequest::default()
        };
        assert_eq!(found(originator), Some(at));
        for req in [
            SignRequest {
                protect_headers: Some(true),
                ..SignRequest::default()
            },
            SignRequest {
                signature_type: Some(vec![SignatureType::Domain]),
                ..SignRequest::default()
            },
            SignRequest {
                signature_type: Some(vec![SignatureType::Review]),
                ..SignRequest::default()
            },
        ] {
            assert_eq!(found(req), None);
        }
    }
}
