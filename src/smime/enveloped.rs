//! EnvelopedData (RFC 5652 §6) and the layer-level encrypt / decrypt API.
//!
//! ```text
//! EnvelopedData ::= SEQUENCE {
//!   version CMSVersion,
//!   originatorInfo [0] IMPLICIT OriginatorInfo OPTIONAL,
//!   recipientInfos RecipientInfos,
//!   encryptedContentInfo EncryptedContentInfo,
//!   unprotectedAttrs [1] IMPLICIT UnprotectedAttributes OPTIONAL }
//!
//! EncryptedContentInfo ::= SEQUENCE {
//!   contentType ContentType,
//!   contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
//!   encryptedContent [0] IMPLICIT EncryptedContent OPTIONAL }
//! ```
//! AuthEnvelopedData (RFC 5083) is in [`super::auth_enveloped`]; both share the
//! RecipientInfos handling here. One content-encryption key (CEK) is generated per message
//! and transported to every recipient: RSA certificates get a KeyTransRecipientInfo
//! ([`super::ktri`]), EC P-256 certificates a KeyAgreeRecipientInfo ([`super::kari`]).
//!
//! **The sender must be among the recipients** (RFC 8551 §3.3 practice and the MMHS
//! profile): callers pass the sender's own certificate in `recipients`, otherwise the
//! sender cannot read its own sent copy. The functions here do not add it themselves.
//!
//! We produce DER; we accept BER (indefinite lengths, chunked OCTET STRINGs) on receipt.

use std::borrow::Cow;

use cms::enveloped_data::RecipientInfo;
use const_oid::ObjectIdentifier;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

pub use super::enveloped_cipher::ContentCipher;
pub use super::enveloped_encrypt::{Encryption, PendingContent};
use super::enveloped_recipient as recip;
pub use super::enveloped_recipient::RecipientIdKind;
use super::key_operation::{encrypt_content_with_rust, wrap_all_with_rust};
pub(crate) use super::ktri::RsaPadding;
use super::Error;
use crate::algorithm_policy::Weakness;
use crate::asn1::ber::Tlv;
use crate::asn1::content_info::ContentInfo;
use crate::asn1::oid::{self, ID_AUTH_ENVELOPED_DATA, ID_ENVELOPED_DATA};
use crate::rng::CryptoRng;

/// Options for [`encrypt_content`] and [`super::encrypt_message`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncryptOptions {
    /// An explicit content cipher; `None` = automatic (see [`choose_content_cipher`]).
    pub cipher: Option<ContentCipher>,
    /// Shortcut for `cipher: Some(ContentCipher::Aes256Gcm)` (AuthEnvelopedData), used when
    /// `cipher` is `None`. This is the CLI's `--gcm`.
    pub gcm: bool,
    /// For the automatic choice: the content-encryption OIDs each recipient advertised in
    /// a verified sMIMECapabilities attribute (RFC 8551 §2.5.2), index-aligned with the
    /// `recipients` slice; `None` (or a missing entry) = unknown.
    pub recipient_capabilities: Vec<Option<Vec<ObjectIdentifier>>>,
    /// Padding for RSA recipients (default: OAEP SHA-256).
    pub rsa_padding: RsaPadding,
    /// How RecipientInfos name the recipients (default: issuerAndSerialNumber).
    pub recipient_id: RecipientIdKind,
    /// Message level only: compress the MIME entity (RFC 3274 CompressedData) before
    /// encrypting it.
    pub compress: bool,
}

impl EncryptOptions {
    /// Options that force AES-256-GCM (AuthEnvelopedData).
    pub fn gcm() -> Self {
        EncryptOptions {
            gcm: true,
            ..Default::default()
        }
    }
}

/// Which content cipher to use (RFC 8551 §2.7.1):
/// 1. `opts.cipher` if set; 2. AES-256-GCM if `opts.gcm`;
/// 3. automatic: when the capabilities of **every** recipient are known, AES-256-GCM if all
///    advertise it, else AES-128-GCM if all advertise it, else AES-256-CBC if all advertise
///    it, else AES-128-CBC (the MUST- every S/MIME agent has); when any recipient's
///    capabilities are unknown, AES-256-CBC — understood by every S/MIME 3.x and 4.0 agent,
///    where AuthEnvelopedData is not (RFC 8551 §2.7.1.2 allows this choice).
pub fn choose_content_cipher(opts: &EncryptOptions, recipient_count: usize) -> ContentCipher {
    if let Some(c) = opts.cipher {
        return c;
    }
    if opts.gcm {
        return ContentCipher::Aes256Gcm;
    }
    let caps: Option<Vec<&Vec<ObjectIdentifier>>> = (0..recipient_count)
        .map(|i| opts.recipient_capabilities.get(i).and_then(|c| c.as_ref()))
        .collect();
    let Some(caps) = caps.filter(|c| !c.is_empty()) else {
        return ContentCipher::Aes256Cbc;
    };
    let all = |oid: ObjectIdentifier| caps.iter().all(|c| c.contains(&oid));
    if all(oid::AES256_GCM) {
        ContentCipher::Aes256Gcm
    } else if all(oid::AES128_GCM) {
        ContentCipher::Aes128Gcm
    } else if all(oid::AES256_CBC) {
        ContentCipher::Aes256Cbc
    } else {
        ContentCipher::Aes128Cbc
    }
}

/// Which CMS type a decrypted layer was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EncryptedKind {
    /// EnvelopedData (RFC 5652 §6), report layer name "enveloped".
    Enveloped,
    /// AuthEnvelopedData (RFC 5083), report layer name "authEnveloped".
    AuthEnveloped,
}

/// The result of decrypting one layer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decrypted {
    /// The decrypted content octets (for S/MIME: a MIME entity, or a CMS object when
    /// `content_type` is not id-data).
    pub content: Vec<u8>,
    /// EnvelopedData or AuthEnvelopedData.
    pub kind: EncryptedKind,
    /// The encrypted content's type (dotted OID): "1.2.840.113549.1.7.1" (id-data) normally,
    /// "1.2.840.113549.1.9.16.1.9" when the content is a CompressedData.
    pub content_type: String,
    /// Content cipher name: "aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "aes-128-gcm",
    /// "aes-192-gcm", "aes-256-gcm", "des-ede3-cbc".
    pub content_cipher: String,
    /// How our key was used: "rsa-oaep", "rsa-pkcs1v15", or "ecdh-sha256kdf-aes128-wrap"-style.
    pub key_management: String,
    /// Number of RecipientInfos in the message.
    pub recipient_count: usize,
    /// Index into the `keys` slice of the key that decrypted it.
    pub key_index: usize,
    /// Weak algorithms used (3DES / RC2 content encryption, PKCS#1 v1.5 key transport), for
    /// the caller's [`crate::algorithm_policy::AlgorithmPolicy`] to judge.
    #[serde(skip)]
    pub weaknesses: Vec<Weakness>,
}

/// A ContentInfo (RFC 5652 §3) around `inner_der`, which must be one element.
pub(crate) fn content_info_der(
    content_type: ObjectIdentifier,
    inner_der: &[u8],
) -> Result<Vec<u8>, Error> {
    Tlv::parse_all(inner_der).map_err(|e| Error::EncryptFailed(e.0))?;
    Ok(crate::asn1::content_info::encode(content_type, inner_der))
}

/// Encrypt `content` (normally a canonical MIME entity, content type id-data) for every
/// certificate in `recipients`; returns a DER ContentInfo holding EnvelopedData (CBC
/// ciphers) or AuthEnvelopedData (GCM). Include the sender's own certificate in
/// `recipients`. The steps of [`Encryption`] answered by the pure-Rust provider.
pub fn encrypt_content<R: CryptoRng + ?Sized>(
    content: &[u8],
    recipients: &[Certificate],
    opts: &EncryptOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let e = Encryption::start(recipients, opts, rng)?;
    let answers = wrap_all_with_rust(e.requests(), rng)?;
    let pending = e.resume(answers, rng)?;
    let ct = encrypt_content_with_rust(&pending.request(content))?;
    pending.finish(content, ct)
}

/// The parts of an EnvelopedData / AuthEnvelopedData we need to decrypt, read from BER.
pub(crate) struct Parsed<'a> {
    pub recipient_infos: Vec<Option<RecipientInfo>>,
    pub content_type: ObjectIdentifier,
    pub content_alg: AlgorithmIdentifierOwned,
    /// The encrypted content: where it lies in the BER (a primitive encryptedContent), or
    /// gathered from the segments of a constructed one.
    pub ciphertext: Cow<'a, [u8]>,
    /// AuthEnvelopedData: DER of authAttrs re-tagged as SET OF (the GCM AAD).
    pub aad: Vec<u8>,
    /// AuthEnvelopedData: the MAC (GCM ICV).
    pub mac: Vec<u8>,
}

/// Which of `certs` each recipient of an EnvelopedData / AuthEnvelopedData ContentInfo names,
/// in encoding order (every KeyTransRecipientInfo, every recipientEncryptedKey of a
/// KeyAgreeRecipientInfo): `Some(index into certs)`, or `None` when it names none of them or
/// is of a type we do not read. Nothing is decrypted; the report uses it to say whom a layer
/// was encrypted for (a domain's DCA or gateway, `crate::domain::dca`).
pub fn recipients_named(
    der_or_ber: &[u8],
    certs: &[&Certificate],
) -> Result<Vec<Option<usize>>, Error> {
    let ContentInfo {
        content_type: ct,
        content: inner,
        ..
    } = ContentInfo::parse_prefix(der_or_ber)?;
    let parsed = if ct == ID_ENVELOPED_DATA {
        parse_enveloped(&inner)?
    } else if ct == ID_AUTH_ENVELOPED_DATA {
        super::auth_enveloped::parse(&inner)?
    } else {
        return Err(Error::NotEncrypted(format!(
            "the CMS content type is {ct}, not EnvelopedData or AuthEnvelopedData"
        )));
    };
    let mut out = Vec::new();
    for ri in &parsed.recipient_infos {
        match ri {
            Some(RecipientInfo::Ktri(k)) => {
                out.push(certs.iter().position(|c| recip::ktri_matches(&k.rid, c)))
            }
            Some(RecipientInfo::Kari(k)) => {
                for rek in k.recipient_enc_keys.iter() {
                    out.push(certs.iter().position(|c| recip::kari_matches(&rek.rid, c)));
                }
            }
            _ => out.push(None),
        }
    }
    Ok(out)
}

/// The most RecipientInfos an EnvelopedData or AuthEnvelopedData is read with (each read
/// one at a time, as decoded it holds several hundred octets); more is malformed.
pub(crate) const MAX_RECIPIENT_INFOS: usize = 16_384;

/// Read RecipientInfos; one we cannot decode (KEMRI, a future type) is kept as `None`.
pub(crate) fn parse_recipient_infos(t: &Tlv<'_>) -> Result<Vec<Option<RecipientInfo>>, Error> {
    if !t.is_universal(17) {
        return Err(Error::Malformed("recipientInfos is not a SET".into()));
    }
    let out: Vec<_> = t
        .children_at_most(MAX_RECIPIENT_INFOS, "RecipientInfos")?
        .iter()
        .map(|k| k.decode::<RecipientInfo>("RecipientInfo").ok())
        .collect();
    if out.is_empty() {
        return Err(Error::Malformed("recipientInfos is empty".into()));
    }
    Ok(out)
}

impl Parsed<'_> {
    /// The same parts, the ciphertext copied out of the BER when it lay there.
    pub(crate) fn into_owned(mut self) -> Parsed<'static> {
        let ciphertext = std::mem::take(&mut self.ciphertext).into_owned();
        Parsed {
            ciphertext: Cow::Owned(ciphertext),
            ..self.without_ciphertext()
        }
    }

    /// The same parts but the ciphertext (kept elsewhere by the caller).
    pub(crate) fn without_ciphertext(self) -> Parsed<'static> {
        Parsed {
            recipient_infos: self.recipient_infos,
            content_type: self.content_type,
            content_alg: self.content_alg,
            ciphertext: Cow::Owned(Vec::new()),
            aad: self.aad,
            mac: self.mac,
        }
    }
}

/// Read an EncryptedContentInfo: (contentType, algorithm, ciphertext).
pub(crate) fn parse_encrypted_content_info<'a>(
    t: &Tlv<'a>,
) -> Result<(ObjectIdentifier, AlgorithmIdentifierOwned, Cow<'a, [u8]>), Error> {
    if !t.is_universal(16) {
        return Err(Error::Malformed(
            "EncryptedContentInfo is not a SEQUENCE".into(),
        ));
    }
    // Three fields at most; a fourth is reported as such.
    let kids = t.children_at_most(4, "EncryptedContentInfo")?;
    let (ct_t, alg_t, rest) = match kids.as_slice() {
        [a, b, rest @ ..] => (a, b, rest),
        _ => return Err(Error::Malformed("EncryptedContentInfo is too short".into())),
    };
    let content_type = ct_t.oid("contentType")?;
    let alg = alg_t.decode::<AlgorithmIdentifierOwned>("content-encryption algorithm")?;
    let ciphertext = match rest {
        [c] if c.is_context(0) => c.string_octets()?,
        [] => {
            return Err(Error::UnsupportedAlgorithm(
                "detached encrypted content (encryptedContent absent) is not supported".into(),
            ))
        }
        _ => return Err(Error::Malformed("bad encryptedContent".into())),
    };
    Ok((content_type, alg, ciphertext))
}

pub(crate) fn parse_enveloped<'a>(t: &Tlv<'a>) -> Result<Parsed<'a>, Error> {
    if !t.is_universal(16) {
        return Err(Error::Malformed("EnvelopedData is not a SEQUENCE".into()));
    }
    // Five fields at most (RFC 5652 §6.1); a sixth is reported as trailing.
    let kids = t.children_at_most(6, "EnvelopedData")?;
    let mut it = kids.iter().peekable();
    let version = it
        .next()
        .ok_or_else(|| Error::Malformed("EnvelopedData is empty".into()))?;
    version.small_uint("version")?;
    if it.peek().is_some_and(|k| k.is_context(0)) {
        it.next(); // originatorInfo: certificates for the originator; not needed to decrypt
    }
    let ris = parse_recipient_infos(
        it.next()
            .ok_or_else(|| Error::Malformed("EnvelopedData lacks recipientInfos".into()))?,
    )?;
    let (content_type, content_alg, ciphertext) = parse_encrypted_content_info(
        it.next()
            .ok_or_else(|| Error::Malformed("EnvelopedData lacks encryptedContentInfo".into()))?,
    )?;
    Ok(Parsed {
        recipient_infos: ris,
        content_type,
        content_alg,
        ciphertext,
        aad: Vec::new(),
        mac: Vec::new(),
    })
}

pub(crate) use super::enveloped_decrypt::decrypt_content_info_with;
pub use super::enveloped_decrypt::{
    decrypt_content_info, ContentKey, Decryption, MAX_KEY_CANDIDATES,
};
