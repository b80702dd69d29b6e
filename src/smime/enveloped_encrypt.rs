//! Encrypting one EnvelopedData (RFC 5652 §6) or AuthEnvelopedData (RFC 5083) in steps, the
//! twin of `enveloped_decrypt`, so that the public-key and bulk cipher work can be answered
//! outside the core (`super::key_operation`, e.g. by WebCrypto):
//!
//! 1. [`Encryption::start`] chooses the content cipher (RFC 8551 §2.7), draws the
//!    content-encryption key (CEK) and names one [`KeyWrapRequest`] per recipient: RSAES-OAEP
//!    encryption of the CEK (KeyTransRecipientInfo, RFC 5652 §6.2.1) or ephemeral-static ECDH
//!    with the recipient's P-256 key (KeyAgreeRecipientInfo, RFC 5753 §3.1.1);
//! 2. [`Encryption::resume`] takes the answers, builds the RecipientInfos (for ECDH: the
//!    X9.63 KDF and AES key wrap of the CEK, RFC 5753 §7.2, RFC 3394), draws the IV or nonce
//!    and returns a [`PendingContent`], whose [`PendingContent::request`] says "encrypt this
//!    content with this key and IV" ([`ContentEncryptRequest`]);
//! 3. [`PendingContent::finish`] checks the ciphertext (length, first and last blocks) and
//!    encodes the ContentInfo.
//!
//! [`super::encrypt_content`] drives these steps with the pure-Rust provider, drawing from
//! the RNG in the same order as before the split (CEK, each recipient's OAEP seed or
//! ephemeral key, IV), so seeded output is unchanged.

use cms::authenveloped_data::AuthEnvelopedData;
use cms::content_info::CmsVersion;
use cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KeyAgreeRecipientIdentifier, RecipientIdentifier,
    RecipientInfo, RecipientInfos,
};
use der::asn1::OctetString;
use der::Encode;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::enveloped::{choose_content_cipher, content_info_der, EncryptOptions};
use super::enveloped_cipher::{self as cipher, ContentCipher, GCM_TAG_LEN};
use super::enveloped_recipient::{self as recip, RecipientKey};
use super::key_operation::{ContentEncryptRequest, KeyWrapAnswer, KeyWrapRequest};
use super::ktri::RsaPadding;
use super::{kari, ktri, Error};
use crate::asn1::oid::{ID_AUTH_ENVELOPED_DATA, ID_DATA, ID_ENVELOPED_DATA};
use crate::rng::CryptoRng;

/// One recipient: its key, how it is named, and what the provider is asked.
enum Recipient {
    Ktri {
        key: crate::algorithm_policy::RsaKeyDer,
        rid: RecipientIdentifier,
        padding: RsaPadding,
        request: KeyWrapRequest,
    },
    Kari {
        key: p256::PublicKey,
        rid: KeyAgreeRecipientIdentifier,
        request: KeyWrapRequest,
    },
}

impl Recipient {
    fn request(&self) -> &KeyWrapRequest {
        match self {
            Recipient::Ktri { request, .. } | Recipient::Kari { request, .. } => request,
        }
    }
}

/// An encryption waiting for its key-transport / key-agreement answers (module
/// documentation).
pub struct Encryption {
    cipher: ContentCipher,
    cek: Zeroizing<Vec<u8>>,
    recipients: Vec<Recipient>,
}

impl std::fmt::Debug for Encryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encryption")
            .field("cipher", &self.cipher)
            .field("recipients", &self.recipients.len())
            .finish_non_exhaustive()
    }
}

impl Encryption {
    /// Choose the cipher, draw the CEK and name a request per recipient. Every recipient
    /// certificate is checked first (the algorithm policy: no weak key; keyUsage, RFC 8550
    /// §4.4.2). Include the sender's own certificate in `recipients`.
    ///
    /// Errors: `encrypt-no-recipient`, `encrypt-recipient-invalid`.
    pub fn start<R: CryptoRng + ?Sized>(
        recipients: &[Certificate],
        opts: &EncryptOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        if recipients.is_empty() {
            return Err(Error::EncryptNoRecipient);
        }
        let cipher = choose_content_cipher(opts, recipients.len());
        let mut cek = Zeroizing::new(vec![0u8; cipher.key_len()]);
        rng.fill_bytes(&mut cek);
        let mut out = Vec::with_capacity(recipients.len());
        for cert in recipients {
            crate::algorithm_policy::refuse_for_production(
                cert.tbs_certificate().subject_public_key_info(),
            )
            .map_err(|m| {
                Error::EncryptRecipient(format!(
                    "recipient {}: {m}",
                    crate::trust::subject_string(cert)
                ))
            })?;
            out.push(match recip::recipient_key(cert)? {
                RecipientKey::Rsa(key) => Recipient::Ktri {
                    request: ktri::wrap_request(&key, opts.rsa_padding, &cek)?,
                    rid: recip::ktri_rid(cert, opts.recipient_id)?,
                    padding: opts.rsa_padding,
                    key,
                },
                RecipientKey::EcP256(key) => Recipient::Kari {
                    request: kari::wrap_request(&key),
                    rid: recip::kari_rid(cert, opts.recipient_id)?,
                    key,
                },
            });
        }
        Ok(Encryption {
            cipher,
            cek,
            recipients: out,
        })
    }

    /// The content cipher chosen.
    pub fn cipher(&self) -> ContentCipher {
        self.cipher
    }

    /// One request per recipient, in the order of the certificates given to [`Self::start`].
    pub fn requests(&self) -> Vec<&KeyWrapRequest> {
        self.recipients.iter().map(Recipient::request).collect()
    }

    /// Resume with the answers to [`Self::requests`] (same order): build the RecipientInfos
    /// and draw the IV or nonce from `rng`.
    ///
    /// Errors: `encrypt-failed` (an answer of the wrong kind or shape: an RSA ciphertext not
    /// as long as the modulus, an ephemeral key that is not a P-256 point, a secret that is
    /// not 32 octets).
    pub fn resume<R: CryptoRng + ?Sized>(
        self,
        answers: Vec<KeyWrapAnswer>,
        rng: &mut R,
    ) -> Result<PendingContent, Error> {
        if answers.len() != self.recipients.len() {
            return Err(Error::EncryptFailed(format!(
                "{} answers for {} recipients",
                answers.len(),
                self.recipients.len()
            )));
        }
        let mut infos = Vec::with_capacity(answers.len());
        for (r, a) in self.recipients.into_iter().zip(answers) {
            infos.push(match (r, a) {
                (
                    Recipient::Ktri {
                        key, rid, padding, ..
                    },
                    KeyWrapAnswer::EncryptedKey(k),
                ) => ktri::finish(&key, rid, padding, k)?,
                (
                    Recipient::Kari { key, rid, .. },
                    KeyWrapAnswer::Agreement {
                        ephemeral_public_key,
                        shared_secret,
                    },
                ) => kari::finish(&key, rid, &self.cek, &ephemeral_public_key, &shared_secret)?,
                _ => {
                    return Err(Error::EncryptFailed(
                        "an answer does not fit its request (RSA key transport answered by key agreement, or the reverse)".into(),
                    ))
                }
            });
        }
        let recip_infos = RecipientInfos::try_from(infos)
            .map_err(|e| Error::EncryptFailed(format!("RecipientInfos: {e}")))?;
        let (iv, alg) = cipher::content_parameters(self.cipher, rng)?;
        Ok(PendingContent {
            cipher: self.cipher,
            cek: self.cek,
            iv,
            alg,
            recip_infos,
        })
    }
}

/// The RecipientInfos are built; the content waits for its encryption.
pub struct PendingContent {
    cipher: ContentCipher,
    cek: Zeroizing<Vec<u8>>,
    iv: Vec<u8>,
    alg: AlgorithmIdentifierOwned,
    recip_infos: RecipientInfos,
}

impl std::fmt::Debug for PendingContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingContent")
            .field("cipher", &self.cipher)
            .finish_non_exhaustive()
    }
}

impl PendingContent {
    /// "Encrypt `content` with this key and IV" (no additional authenticated data: we
    /// produce no authAttrs, RFC 5083 §2.1).
    pub fn request<'a>(&'a self, content: &'a [u8]) -> ContentEncryptRequest<'a> {
        ContentEncryptRequest {
            cipher: self.cipher,
            key: &self.cek,
            iv: &self.iv,
            aad: &[],
            data: content,
        }
    }

    /// The DER ContentInfo (EnvelopedData for CBC, AuthEnvelopedData for GCM) with the
    /// provider's `answer` for [`Self::request`] of the same `content`, checked first
    /// (`enveloped_cipher::check_ciphertext`).
    ///
    /// Errors: `encrypt-failed`.
    pub fn finish(self, content: &[u8], mut answer: Vec<u8>) -> Result<Vec<u8>, Error> {
        cipher::check_ciphertext(&self.request(content), &answer)?;
        let enc = |e: der::Error| Error::EncryptFailed(format!("encoding: {e}"));
        if self.cipher.is_aead() {
            let tag = answer.split_off(answer.len() - GCM_TAG_LEN);
            let aed = AuthEnvelopedData {
                version: CmsVersion::V0,
                originator_info: None,
                recip_infos: self.recip_infos,
                auth_encrypted_content_info: EncryptedContentInfo {
                    content_type: ID_DATA,
                    content_enc_alg: self.alg,
                    encrypted_content: Some(OctetString::new(answer).map_err(enc)?),
                },
                auth_attrs: None,
                mac: OctetString::new(tag).map_err(enc)?,
                unauth_attrs: None,
            };
            return content_info_der(ID_AUTH_ENVELOPED_DATA, &aed.to_der().map_err(enc)?);
        }
        let all_v0 = self
            .recip_infos
            .0
            .iter()
            .all(|ri| matches!(ri, RecipientInfo::Ktri(k) if k.version == CmsVersion::V0));
        let ed = EnvelopedData {
            // RFC 5652 §6.1: 0 when every RecipientInfo is version 0 (and no originatorInfo /
            // unprotectedAttrs), otherwise 2.
            version: if all_v0 {
                CmsVersion::V0
            } else {
                CmsVersion::V2
            },
            originator_info: None,
            recip_infos: self.recip_infos,
            encrypted_content: EncryptedContentInfo {
                content_type: ID_DATA,
                content_enc_alg: self.alg,
                encrypted_content: Some(OctetString::new(answer).map_err(enc)?),
            },
            unprotected_attrs: None,
        };
        content_info_der(ID_ENVELOPED_DATA, &ed.to_der().map_err(enc)?)
    }
}
