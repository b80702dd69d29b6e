//! Decrypting one EnvelopedData (RFC 5652 §6) or AuthEnvelopedData (RFC 5083) layer in
//! steps, so that the private key can live outside the core (`super::key_operation`):
//!
//! 1. [`Decryption::start`] parses the layer, fails early on a content cipher we lack, and
//!    lists the RecipientInfos addressed to our certificates (by issuerAndSerialNumber or
//!    subjectKeyIdentifier, RFC 5652 §6.2);
//! 2. [`Decryption::request`] names the pending private-key operation (RSA key transport,
//!    RFC 5652 §6.2.1, or ECDH with the originator's ephemeral key, RFC 5753 §3.1.2) and the
//!    certificate whose key must perform it;
//! 3. [`Decryption::resume`] takes the answer (content-encryption key, or shared secret Z
//!    from which the core derives the KEK and unwraps the CEK) and decrypts the content; a
//!    failed answer moves on to the next matching RecipientInfo, like a key that does not fit
//!    — at most [`MAX_KEY_CANDIDATES`] of them per layer.
//!
//! [`decrypt_content_info`] drives these steps with the pure-Rust provider.

use cms::enveloped_data::RecipientInfo;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use std::borrow::Cow;

use super::enveloped::{Decrypted, EncryptedKind, Parsed};
use super::enveloped_cipher as cipher;
use super::enveloped_recipient as recip;
use super::kari::{self, KariUnwrap};
use super::key_operation::{
    decrypt_content_with_rust, decrypt_with_key, ContentDecryptCipher, ContentDecryptRequest,
    DecryptRequest,
};
use super::{ktri, Error};
use crate::algorithm_policy::{self, Weakness};
use crate::asn1::ber::range_within;
use crate::asn1::content_info::ContentInfo;
use crate::asn1::oid::{self, ID_AUTH_ENVELOPED_DATA, ID_ENVELOPED_DATA};
use crate::keys::PrivateKey;

/// The most RecipientInfos addressed to our certificates that one layer may have us try,
/// in order (each is a private-key operation). A message lists a recipient once per
/// certificate; one listing our certificate thousands of times with keys that do not
/// decrypt would otherwise cost as many RSA decryptions or ECDH agreements. The ones after
/// these are not tried: the layer then fails as when every candidate fails.
pub const MAX_KEY_CANDIDATES: usize = 8;

/// A RecipientInfo addressed to one of our certificates.
#[derive(Clone, Copy)]
enum Candidate {
    Ktri { cert: usize, ri: usize },
    Kari { cert: usize, ri: usize, rek: usize },
}

/// The pending private-key operation.
struct Pending {
    cert: usize,
    request: DecryptRequest,
    how: String,
    weak: Option<Weakness>,
    kari: Option<KariUnwrap>,
}

/// One encrypted layer being decrypted (module documentation), reading its ContentInfo where
/// it lies (`'d`, [`Self::start`]) or owning it ([`Self::start_owned`]).
pub struct Decryption<'d> {
    kind: EncryptedKind,
    parsed: Parsed<'d>,
    /// The ContentInfo handed over ([`Self::start_owned`]) when the ciphertext lies in it.
    der: Vec<u8>,
    /// Where the ciphertext lies in `der`; `None`: it is `parsed.ciphertext`.
    ciphertext_at: Option<std::ops::Range<usize>>,
    key_len: usize,
    cert_count: usize,
    candidates: Vec<Candidate>,
    next: usize,
    pending: Option<Pending>,
    first_err: Option<Error>,
}

impl std::fmt::Debug for Decryption<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decryption")
            .field("kind", &self.kind)
            .field("candidates", &self.candidates.len())
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// The EnvelopedData or AuthEnvelopedData of a ContentInfo (DER or BER).
fn parse_encrypted(der_or_ber: &[u8]) -> Result<(EncryptedKind, Parsed<'_>), Error> {
    let ContentInfo {
        content_type: ct,
        content: inner,
        ..
    } = ContentInfo::parse_prefix(der_or_ber)?;
    if ct == ID_ENVELOPED_DATA {
        Ok((
            EncryptedKind::Enveloped,
            super::enveloped::parse_enveloped(&inner)?,
        ))
    } else if ct == ID_AUTH_ENVELOPED_DATA {
        Ok((
            EncryptedKind::AuthEnveloped,
            super::auth_enveloped::parse(&inner)?,
        ))
    } else {
        Err(Error::NotEncrypted(format!(
            "the CMS content type is {ct}, not EnvelopedData or AuthEnvelopedData"
        )))
    }
}

/// From the first octets of a ContentInfo (DER or BER) holding EnvelopedData or
/// AuthEnvelopedData — the rest may be missing —, its kind, RecipientInfos and content
/// algorithm, without the encrypted content (RFC 5652 §6.1, RFC 5083 §2.1: both come before
/// it); `None` when the prefix does not hold them whole.
fn parse_encrypted_prefix(prefix: &[u8]) -> Option<(EncryptedKind, Parsed<'static>)> {
    use crate::asn1::ber::{Header, Tlv};
    // Step into a constructed element of which only the start may be at hand.
    fn step_into(input: &[u8], context: bool, number: u32) -> Option<&[u8]> {
        let h = Header::parse(input).ok()?;
        h.is_constructed(context, number)
            .then(|| input.get(h.header_len..))
            .flatten()
    }
    let rest = step_into(prefix, false, 16)?;
    let (ct, rest) = Tlv::parse(rest).ok()?;
    let kind = match ct.oid("contentType").ok()? {
        t if t == ID_ENVELOPED_DATA => EncryptedKind::Enveloped,
        t if t == ID_AUTH_ENVELOPED_DATA => EncryptedKind::AuthEnveloped,
        _ => return None,
    };
    let rest = step_into(step_into(rest, true, 0)?, false, 16)?;
    let (version, rest) = Tlv::parse(rest).ok()?;
    version.small_uint("version").ok()?;
    let (mut ris, mut rest) = Tlv::parse(rest).ok()?;
    if ris.is_context(0) {
        (ris, rest) = Tlv::parse(rest).ok()?; // originatorInfo
    }
    let recipient_infos = super::enveloped::parse_recipient_infos(&ris).ok()?;
    let rest = step_into(rest, false, 16)?;
    let (content_type, rest) = Tlv::parse(rest).ok()?;
    let (alg, _) = Tlv::parse(rest).ok()?;
    Some((
        kind,
        Parsed {
            recipient_infos,
            content_type: content_type.oid("contentType").ok()?,
            content_alg: alg.decode("content-encryption algorithm").ok()?,
            ciphertext: Cow::Borrowed(&[]),
            aad: Vec::new(),
            mac: Vec::new(),
        },
    ))
}

impl<'d> Decryption<'d> {
    /// The private-key operation [`Self::start`] of the whole ContentInfo would ask first, read
    /// from its first octets `prefix` (the rest may be missing), so that a provider can begin
    /// it while the rest is decoded: the certificate index and the request, or `None` when
    /// the prefix does not hold the RecipientInfos and content algorithm whole, or none is
    /// addressed to `certs`. Only an answer to the very request [`Self::request`] names is
    /// ever used, so this is a head start, never a decision.
    pub fn early_request(prefix: &[u8], certs: &[&Certificate]) -> Option<(usize, DecryptRequest)> {
        let (kind, parsed) = parse_encrypted_prefix(prefix)?;
        let d = Self::with_parsed(kind, parsed, Vec::new(), None, certs).ok()?;
        d.request().ok().map(|(i, r)| (i, r.clone()))
    }

    /// Parse a ContentInfo (DER or BER) holding EnvelopedData or AuthEnvelopedData and find
    /// the RecipientInfos addressed to `certs`.
    ///
    /// Errors: `not-encrypted` (another content type), `unsupported-algorithm` (content
    /// cipher), `smime-malformed`.
    pub fn start(der_or_ber: &'d [u8], certs: &[&Certificate]) -> Result<Self, Error> {
        let (kind, parsed) = parse_encrypted(der_or_ber)?;
        Self::with_parsed(kind, parsed, Vec::new(), None, certs)
    }

    /// [`Self::start`] with a ContentInfo the caller hands over: a primitive encrypted content
    /// (as DER has it) stays where it lies in it instead of being copied out.
    pub fn start_owned(der_or_ber: Vec<u8>, certs: &[&Certificate]) -> Result<Self, Error> {
        Self::start_owned_after(der_or_ber, 0, certs)
    }

    /// [`Self::start_owned`] with a buffer whose ContentInfo begins at `start` (the octets
    /// before it are room for [`Self::content_request_with_room`]).
    pub fn start_owned_after(
        der_or_ber: Vec<u8>,
        start: usize,
        certs: &[&Certificate],
    ) -> Result<Self, Error> {
        let (kind, parsed, at) = {
            let content_info = der_or_ber.get(start..).unwrap_or_default();
            let (kind, parsed) = parse_encrypted(content_info)?;
            let at = match &parsed.ciphertext {
                Cow::Borrowed(c) => range_within(&der_or_ber, c),
                Cow::Owned(_) => None,
            };
            let parsed = match at {
                Some(_) => parsed.without_ciphertext(),
                None => parsed.into_owned(),
            };
            (kind, parsed, at)
        };
        Self::with_parsed(kind, parsed, der_or_ber, at, certs)
    }

    fn with_parsed(
        kind: EncryptedKind,
        parsed: Parsed<'d>,
        der: Vec<u8>,
        ciphertext_at: Option<std::ops::Range<usize>>,
        certs: &[&Certificate],
    ) -> Result<Self, Error> {
        // Fail early on a cipher we lack, before spending a private-key operation.
        let key_len = cipher::key_len_for(&parsed.content_alg)?;
        let mut candidates = Vec::new();
        for (ci, cert) in certs.iter().enumerate() {
            let is_ec = cert
                .tbs_certificate()
                .subject_public_key_info()
                .algorithm
                .oid
                == oid::EC_PUBLIC_KEY;
            for (ri, info) in parsed.recipient_infos.iter().enumerate() {
                match info {
                    Some(RecipientInfo::Ktri(k)) if recip::ktri_matches(&k.rid, cert) => {
                        candidates.push(Candidate::Ktri { cert: ci, ri });
                    }
                    Some(RecipientInfo::Kari(k)) if is_ec => {
                        if let Some(rek) = k
                            .recipient_enc_keys
                            .iter()
                            .position(|rek| recip::kari_matches(&rek.rid, cert))
                        {
                            candidates.push(Candidate::Kari { cert: ci, ri, rek });
                        }
                    }
                    _ => {}
                }
            }
        }
        candidates.truncate(MAX_KEY_CANDIDATES);
        let mut d = Decryption {
            kind,
            parsed,
            der: if ciphertext_at.is_some() {
                der
            } else {
                Vec::new()
            },
            ciphertext_at,
            key_len,
            cert_count: certs.len(),
            candidates,
            next: 0,
            pending: None,
            first_err: None,
        };
        d.advance();
        Ok(d)
    }

    /// The encrypted content: in the ContentInfo handed over, or as parsed.
    fn ciphertext(&self) -> &[u8] {
        match &self.ciphertext_at {
            Some(at) => self.der.get(at.clone()).unwrap_or_default(),
            None => &self.parsed.ciphertext,
        }
    }

    /// Make the next candidate whose request can be built the pending one.
    fn advance(&mut self) {
        self.pending = None;
        while let Some(c) = self.candidates.get(self.next).copied() {
            self.next += 1;
            match self.build(c) {
                Ok(p) => {
                    self.pending = Some(p);
                    return;
                }
                Err(e) => self.fail(e),
            }
        }
    }

    fn fail(&mut self, e: Error) {
        if self.first_err.is_none() {
            self.first_err = Some(e);
        }
    }

    fn build(&self, c: Candidate) -> Result<Pending, Error> {
        let info = |ri: usize| {
            self.parsed
                .recipient_infos
                .get(ri)
                .and_then(Option::as_ref)
                .ok_or_else(|| Error::Malformed("recipient index out of range".into()))
        };
        match c {
            Candidate::Ktri { cert, ri } => {
                let RecipientInfo::Ktri(k) = info(ri)? else {
                    return Err(Error::Malformed("not a KeyTransRecipientInfo".into()));
                };
                Ok(Pending {
                    cert,
                    request: ktri::decrypt_request(k)?,
                    how: ktri::algorithm_name(&k.key_enc_alg),
                    weak: algorithm_policy::key_transport(&k.key_enc_alg.oid),
                    kari: None,
                })
            }
            Candidate::Kari { cert, ri, rek } => {
                let RecipientInfo::Kari(k) = info(ri)? else {
                    return Err(Error::Malformed("not a KeyAgreeRecipientInfo".into()));
                };
                let (request, unwrap) = kari::agreement_request(k, rek)?;
                Ok(Pending {
                    cert,
                    request,
                    how: kari::algorithm_name(k),
                    weak: None,
                    kari: Some(unwrap),
                })
            }
        }
    }

    /// The error once no RecipientInfo is left: the first failure, else `decrypt-no-recipient`.
    fn exhausted(&self) -> Error {
        self.first_err.clone().unwrap_or_else(|| {
            Error::DecryptNoRecipient(format!(
                "none of the message's {} recipient(s) is any of our {} certificate(s)",
                self.parsed.recipient_infos.len(),
                self.cert_count
            ))
        })
    }

    /// The pending private-key operation and the index (into `certs` of [`Self::start`]) of
    /// the certificate whose private key must answer it. `Err` when none is left: the first
    /// failure, or `decrypt-no-recipient` when no RecipientInfo names our certificates.
    pub fn request(&self) -> Result<(usize, &DecryptRequest), Error> {
        match &self.pending {
            Some(p) => Ok((p.cert, &p.request)),
            None => Err(self.exhausted()),
        }
    }

    /// Resume with the provider's answer to [`Self::request`]: the content-encryption key
    /// (RSA) or the shared secret Z (ECDH); `Err` when the provider could not use its key.
    /// Returns the decrypted layer, or `None` when the answer did not recover a key and
    /// another RecipientInfo is pending (call [`Self::request`] again).
    ///
    /// Errors: `decrypt-failed` (the recovered key does not fit the cipher or the content
    /// does not decrypt), `decrypt-auth-failed`, `smime-malformed`, or the
    /// [`Self::request`] error when no RecipientInfo is left.
    pub fn resume(
        &mut self,
        answer: Result<Zeroizing<Vec<u8>>, Error>,
    ) -> Result<Option<Decrypted>, Error> {
        let Some(key) = self.resume_key(answer)? else {
            return Ok(None);
        };
        let plaintext = decrypt_content_with_rust(&self.content_request(&key)?);
        self.finish_content(key, plaintext).map(Some)
    }

    /// The first half of [`Self::resume`]: the content-encryption key recovered from the
    /// answer (for ECDH: KDF and key unwrap), or `None` when the answer did not recover one
    /// and another RecipientInfo is pending. The content is then decrypted in a second step
    /// ([`Self::content_request`], [`Self::finish_content`]), so that a provider with native
    /// AES (WebCrypto) can do the bulk work.
    pub fn resume_key(
        &mut self,
        answer: Result<Zeroizing<Vec<u8>>, Error>,
    ) -> Result<Option<ContentKey>, Error> {
        let Some(p) = self.pending.take() else {
            return Err(self.exhausted());
        };
        let cek = answer.and_then(|secret| match &p.kari {
            Some(state) => kari::unwrap_with_secret(state, &secret),
            None => Ok(secret),
        });
        match cek {
            Ok(cek) => Ok(Some(ContentKey { cek, pending: p })),
            Err(e) => {
                self.fail(e);
                self.advance();
                match self.pending {
                    Some(_) => Ok(None),
                    None => Err(self.exhausted()),
                }
            }
        }
    }

    /// "Decrypt the content with this key": the layer's cipher, IV or nonce, ciphertext and
    /// (AES-GCM) tag and additional authenticated data.
    ///
    /// Errors: `decrypt-failed` (a key of the wrong length: wrong key or corrupted message),
    /// `smime-malformed` (AES-GCM in EnvelopedData, bad parameters), `unsupported-algorithm`.
    pub fn content_request<'a>(
        &'a self,
        key: &'a ContentKey,
    ) -> Result<ContentDecryptRequest<'a>, Error> {
        let parsed = &self.parsed;
        if key.cek.len() != self.key_len {
            return Err(Error::DecryptFailed(format!(
                "the recovered content key has {} octets, the cipher needs {}: wrong key or corrupted message",
                key.cek.len(),
                self.key_len
            )));
        }
        let is_gcm = matches!(
            parsed.content_alg.oid,
            oid::AES128_GCM | oid::AES192_GCM | oid::AES256_GCM
        );
        match (self.kind, is_gcm) {
            (EncryptedKind::Enveloped, true) => {
                return Err(Error::Malformed(
                    "AES-GCM needs AuthEnvelopedData, not EnvelopedData".into(),
                ))
            }
            (EncryptedKind::AuthEnveloped, false) => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "content-authenticated-encryption algorithm {} is not supported",
                    cipher::cipher_name(&parsed.content_alg.oid)
                )))
            }
            _ => {}
        }
        Ok(ContentDecryptRequest {
            cipher: cipher::decryption_cipher(&parsed.content_alg)?,
            algorithm: &parsed.content_alg,
            key: &key.cek,
            ciphertext: self.ciphertext(),
            tag: &parsed.mac,
            aad: &parsed.aad,
        })
    }

    /// [`Self::content_request`] for AES-CBC with `room` octets (whole blocks) of no use
    /// decrypted before the content, so that the answer has room for what precedes the
    /// content in a message: the ciphertext is taken with the `room` octets before it in the
    /// buffer handed over ([`Self::start_owned_after`]), the last block of them made the IV
    /// (it is overwritten: nothing reads those octets again), and the request's IV is zeros.
    /// CBC decrypts each block with the ciphertext block before it (P_i = D(C_i) ⊕ C_{i-1},
    /// NIST SP 800-38A §6.2), so the answer is `room` octets of no use followed by the
    /// plaintext, and its padding is the plaintext's. [`Self::check_content_outside`] and
    /// [`Self::finish_content`] check the plaintext (the answer after `room`) against the
    /// ciphertext itself, as for [`Self::content_request`]. `None` when the cipher is not
    /// AES-CBC, the ciphertext is not in the buffer, `room` is not whole blocks, or fewer
    /// than `room` octets precede it.
    pub fn content_request_with_room<'a>(
        &'a mut self,
        key: &'a ContentKey,
        room: usize,
    ) -> Option<ContentDecryptRequest<'a>> {
        let iv = match self.content_request(key).ok()?.cipher {
            ContentDecryptCipher::AesCbc { iv } => iv,
            _ => return None,
        };
        let at = self.ciphertext_at.clone()?;
        if room == 0 || !room.is_multiple_of(16) {
            return None;
        }
        let from = at.start.checked_sub(room)?;
        self.der
            .get_mut(at.start - 16..at.start)?
            .copy_from_slice(&iv);
        let parsed = &self.parsed;
        Some(ContentDecryptRequest {
            cipher: ContentDecryptCipher::AesCbc { iv: [0; 16] },
            algorithm: &parsed.content_alg,
            key: &key.cek,
            ciphertext: self.der.get(from..at.end)?,
            tag: &parsed.mac,
            aad: &parsed.aad,
        })
    }

    /// The decrypted layer from the provider's answer to [`Self::content_request`] (its
    /// failure is the layer's: bad padding `decrypt-failed`, a tag that does not verify
    /// `decrypt-auth-failed`). The plaintext is checked against the ciphertext without
    /// redoing the work (`enveloped_cipher::check_plaintext`: its length and the first and
    /// last blocks); the GCM tag is the provider's to verify (WebCrypto's `decrypt` does).
    pub fn finish_content(
        &self,
        key: ContentKey,
        answer: Result<Vec<u8>, Error>,
    ) -> Result<Decrypted, Error> {
        let content = answer?;
        cipher::check_plaintext(&self.content_request(&key)?, &content)?;
        Ok(self.decrypted(key, content))
    }

    /// The decrypted layer, its plaintext `content` checked.
    fn decrypted(&self, key: ContentKey, content: Vec<u8>) -> Decrypted {
        let parsed = &self.parsed;
        let p = key.pending;
        Decrypted {
            content,
            kind: self.kind,
            content_type: parsed.content_type.to_string(),
            content_cipher: cipher::cipher_name(&parsed.content_alg.oid),
            key_management: p.how,
            recipient_count: parsed.recipient_infos.len(),
            key_index: p.cert,
            weaknesses: algorithm_policy::content_encryption(&parsed.content_alg.oid)
                .into_iter()
                .chain(p.weak)
                .collect(),
        }
    }
}

impl Decryption<'_> {
    /// [`Self::finish_content`] for a plaintext the provider keeps (`len` octets; `read`
    /// copies a range of it out): the same checks, reading only the blocks they need.
    pub fn check_content_outside(
        &self,
        key: &ContentKey,
        len: usize,
        read: &mut dyn FnMut(std::ops::Range<usize>) -> Vec<u8>,
    ) -> Result<(), Error> {
        cipher::check_plaintext_in(&self.content_request(key)?, len, read)
    }

    /// Whether the encrypted content is a CMS CompressedData (RFC 3274 nested directly).
    pub fn content_is_compressed(&self) -> bool {
        self.parsed.content_type == crate::asn1::oid::ID_COMPRESSED_DATA
    }
}

/// A recovered content-encryption key, between [`Decryption::resume_key`] and
/// [`Decryption::finish_content`].
pub struct ContentKey {
    cek: Zeroizing<Vec<u8>>,
    pending: Pending,
}

impl std::fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentKey").finish_non_exhaustive()
    }
}

/// Decrypt one EnvelopedData or AuthEnvelopedData layer with the pure-Rust provider.
///
/// `der_or_ber` is a ContentInfo (DER or BER). `keys` are our (private key, certificate)
/// pairs; the RecipientInfo addressed to a certificate (by issuerAndSerialNumber or
/// subject key identifier) is opened with its key.
///
/// Errors: `not-encrypted` (another content type), `decrypt-no-recipient`,
/// `decrypt-failed`, `decrypt-auth-failed`, `unsupported-algorithm`, `smime-malformed`.
pub fn decrypt_content_info(
    der_or_ber: &[u8],
    keys: &[(PrivateKey, Certificate)],
) -> Result<Decrypted, Error> {
    let certs: Vec<&Certificate> = keys.iter().map(|(_, c)| c).collect();
    decrypt_content_info_with(
        der_or_ber,
        &certs,
        |ki, req| match keys.get(ki) {
            Some((key, _)) => decrypt_with_key(key, req),
            None => Err(Error::Malformed("key index out of range".into())),
        },
        |req| decrypt_content_with_rust(req).map(Cow::Owned),
    )
    .map(|(d, _)| d)
}

/// Decrypt one layer for `certs`, each request answered synchronously by `answer`
/// (certificate index, request) — a private key, or answers its holder gave earlier
/// (`key_operation::DecryptAnswers`) — and the content by `content` (the pure-Rust
/// provider, or a provider's earlier answer).
///
/// A plaintext `content` lends rather than gives (a provider's answer kept by the caller) is
/// checked where it lies and returned beside the layer, whose `content` is then empty.
pub(crate) fn decrypt_content_info_with<'c>(
    der_or_ber: &[u8],
    certs: &[&Certificate],
    mut answer: impl FnMut(usize, &DecryptRequest) -> Result<Zeroizing<Vec<u8>>, Error>,
    mut content: impl FnMut(&ContentDecryptRequest<'_>) -> Result<Cow<'c, [u8]>, Error>,
) -> Result<(Decrypted, Option<&'c [u8]>), Error> {
    let mut d = Decryption::start(der_or_ber, certs)?;
    // Each round consumes one candidate, so this ends after at most one round per
    // (certificate, RecipientInfo) pair.
    loop {
        let (ki, req) = d.request()?;
        let a = answer(ki, req);
        if let Some(key) = d.resume_key(a)? {
            return match content(&d.content_request(&key)?) {
                Ok(Cow::Borrowed(lent)) => {
                    cipher::check_plaintext(&d.content_request(&key)?, lent)?;
                    Ok((d.decrypted(key, Vec::new()), Some(lent)))
                }
                plaintext => Ok((d.finish_content(key, plaintext.map(Cow::into_owned))?, None)),
            };
        }
    }
}
