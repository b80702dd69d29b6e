//! The crypto provider seam for private-key operations: what the core asks of whoever holds
//! the private key, and the pure-Rust provider that answers with a [`PrivateKey`].
//!
//! The core stays synchronous and sans-I/O. Operations that need the private key are split
//! in steps: signing builds the SignedAttributes and returns a [`SignRequest`] ("sign these
//! octets with scheme S and hash H", RFC 5652 §5.4), then resumes with the signature value
//! (`signed_build::PendingSignerInfo`, `sign::PendingSignedEntity`); decryption picks the
//! RecipientInfo addressed to a certificate and returns a [`DecryptRequest`] ("decrypt this
//! RSA key-transport ciphertext", RFC 5652 §6.2.1, or "agree a secret with this ephemeral
//! public key", RFC 5753 §3.1.2), then resumes with the content-encryption key or the
//! shared secret (`enveloped::Decryption`). A caller whose key is elsewhere — a WebCrypto
//! `CryptoKey`, a token — answers the requests itself; the sync functions (`sign_content`,
//! `decrypt_content_info`, …) drive the same steps with [`sign_with_key`] and
//! [`decrypt_with_key`], so there is one code path.
//!
//! Answers are checked by the core, never trusted: a signature is verified against the
//! certificate before it is placed in a SignerInfo, a content-encryption key must have the
//! cipher's length and decrypt the content (AES key wrap and AES-GCM authenticate it).

use serde::Serialize;
use zeroize::Zeroizing;

use super::algorithms::{self, DigestAlg, RsaPadding};
use super::Error;
use crate::asn1::der::{constructed, unsigned_integer};
use crate::keys::PrivateKey;
use crate::rng::CryptoRng;

/// The signature scheme of a signing request, chosen from the signer certificate's public key
/// and the requested RSA padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1v15,
    /// RSASSA-PSS (RFC 8017 §8.1, RFC 4056): MGF1 with the same hash, salt length = hash
    /// length.
    RsaPss,
    /// ECDSA (RFC 5753 §2.1.1, RFC 5758 §3.2); the answer is the DER `Ecdsa-Sig-Value`
    /// (RFC 5480 §2.2; [`ecdsa_der_from_fixed`] converts the fixed `r || s` form).
    Ecdsa,
}

/// "Sign `data` with the signer's private key": `data` is the DER of the SignedAttributes
/// (RFC 5652 §5.4); the provider hashes it with `hash` and signs with `scheme`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    /// The signature scheme.
    pub scheme: SignatureScheme,
    /// The hash the scheme applies to `data`.
    pub hash: DigestAlg,
    /// RSASSA-PSS salt length in octets (the hash length); 0 for the other schemes.
    pub salt_length: usize,
    /// The octets to sign.
    #[serde(skip)]
    pub data: Vec<u8>,
}

impl SignRequest {
    /// The request for a signer certificate's key: RSA keys sign with `padding`, EC keys with
    /// ECDSA. Refuses SHA-1 and keys the algorithm policy finds weak.
    pub fn new(
        cert: &x509_cert::Certificate,
        hash: DigestAlg,
        padding: RsaPadding,
        data: Vec<u8>,
    ) -> Result<Self, Error> {
        if hash == DigestAlg::Sha1 {
            return Err(Error::Unsupported(
                "SHA-1 is not used for new signatures".into(),
            ));
        }
        let spki = cert.tbs_certificate().subject_public_key_info();
        crate::algorithm_policy::refuse_for_production(spki).map_err(Error::Key)?;
        let scheme = match spki.algorithm.oid {
            crate::asn1::oid::RSA_ENCRYPTION => match padding {
                RsaPadding::Pkcs1v15 => SignatureScheme::RsaPkcs1v15,
                RsaPadding::Pss => SignatureScheme::RsaPss,
            },
            crate::asn1::oid::EC_PUBLIC_KEY => SignatureScheme::Ecdsa,
            other => {
                return Err(Error::Key(format!(
                    "the signer certificate's key algorithm {other} cannot sign"
                )))
            }
        };
        let salt_length = if scheme == SignatureScheme::RsaPss {
            hash.output_len()
        } else {
            0
        };
        Ok(SignRequest {
            scheme,
            hash,
            salt_length,
            data,
        })
    }

    /// The signatureAlgorithm of the SignerInfo (RFC 5652 §5.3) for this request.
    pub fn signature_algorithm(&self) -> Result<spki::AlgorithmIdentifierOwned, Error> {
        Ok(match self.scheme {
            SignatureScheme::RsaPkcs1v15 => algorithms::rsa_pkcs1_algorithm(self.hash),
            SignatureScheme::RsaPss => {
                algorithms::rsa_pss_algorithm(self.hash).map_err(Error::Encode)?
            }
            SignatureScheme::Ecdsa => algorithms::ecdsa_algorithm(self.hash),
        })
    }
}

/// "Hash these octets with `alg`": the message digest of the content a signature covers
/// (RFC 5652 §5.4, the messageDigest attribute), asked of the provider so that a host with
/// native hashing (WebCrypto's `digest`) hashes the content once, where it lies. `data` is
/// exactly the octets to digest — the canonical MIME entity (RFC 8551 §3.1.1) — and the
/// answer is checked for the algorithm's length ([`DigestRequest::check`]); the pure-Rust
/// provider answers with [`DigestRequest::answer_with_rust`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestRequest<'a> {
    /// The digest algorithm.
    pub alg: DigestAlg,
    /// The octets to digest.
    pub data: &'a [u8],
}

impl DigestRequest<'_> {
    /// The digest by the pure-Rust provider (one pass over `data`).
    pub fn answer_with_rust(&self) -> Vec<u8> {
        self.alg.hash(self.data)
    }

    /// Refuse an answer that is not a digest of this algorithm (a faulty provider).
    pub fn check(&self, answer: &[u8]) -> Result<(), Error> {
        if answer.len() == self.alg.output_len() {
            Ok(())
        } else {
            Err(Error::Key(format!(
                "the provider's {} digest has {} octets, not {}",
                self.alg.micalg(),
                answer.len(),
                self.alg.output_len()
            )))
        }
    }
}

/// A hash of RSAES-OAEP (its hashAlgorithm or its MGF1 hash, RFC 8017 §7.1, RFC 4055 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OaepHash {
    /// SHA-1 (the RFC 8017 default parameters).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// RSA key-transport decryption scheme (RFC 5652 §6.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name", rename_all = "camelCase")]
pub enum RsaDecryption {
    /// RSAES-PKCS1-v1_5 (RFC 8017 §7.2, RFC 3370 §4.2.1): receive only, weak by the algorithm
    /// policy, and absent from WebCrypto.
    Pkcs1v15,
    /// RSAES-OAEP (RFC 8017 §7.1, RFC 3560).
    #[serde(rename_all = "camelCase")]
    Oaep {
        /// hashAlgorithm.
        hash: OaepHash,
        /// The MGF1 hash.
        mgf_hash: OaepHash,
        /// The pSpecified label (empty when absent).
        #[serde(skip)]
        label: Vec<u8>,
    },
}

/// "Use the recipient's private key on this": the answer is the content-encryption key
/// (`Rsa`) or the raw ECDH shared secret Z (`Ecdh`, the x-coordinate, SEC 1 §3.3.1), from
/// which the core derives the key-encryption key (ANSI X9.63 KDF, RFC 5753 §3.1.2) and
/// unwraps the content-encryption key (RFC 3394).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum DecryptRequest {
    /// Decrypt an RSA-encrypted content-encryption key (KeyTransRecipientInfo).
    #[serde(rename_all = "camelCase")]
    Rsa {
        /// The padding scheme.
        scheme: RsaDecryption,
        /// encryptedKey.
        #[serde(skip)]
        ciphertext: Vec<u8>,
    },
    /// ECDH on P-256 with the originator's ephemeral public key (KeyAgreeRecipientInfo
    /// originatorKey, RFC 5753 §3.1.1), already checked to be a valid P-256 point.
    #[serde(rename_all = "camelCase")]
    Ecdh {
        /// The uncompressed SEC 1 point (0x04 || x || y).
        #[serde(skip)]
        public_key: Vec<u8>,
    },
}

/// "Give this content-encryption key to a recipient": the encryption twin of
/// [`DecryptRequest`] (RFC 5652 §6.2). The core draws the content-encryption key, names the
/// recipient's public key and resumes with the answer (`enveloped::Encryption`).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum KeyWrapRequest {
    /// RSAES-OAEP encryption of `cek` (RFC 8017 §7.1.1, RFC 3560; KeyTransRecipientInfo,
    /// RFC 5652 §6.2.1) with `hash` for the hash and for MGF1, empty label. The answer is the
    /// encryptedKey, as long as the modulus.
    #[serde(rename_all = "camelCase")]
    RsaOaep {
        /// The hash (and MGF1 hash).
        hash: OaepHash,
        /// The recipient's RSA public key as an rsaEncryption SubjectPublicKeyInfo (DER; what
        /// WebCrypto `importKey("spki")` reads, even for an id-RSAES-OAEP certificate).
        #[serde(skip)]
        public_key: Vec<u8>,
        /// The content-encryption key.
        #[serde(skip)]
        cek: Zeroizing<Vec<u8>>,
    },
    /// Ephemeral-static ECDH on P-256 with the recipient's public key (RFC 5753 §3.1.1;
    /// KeyAgreeRecipientInfo): the answer is a fresh ephemeral public key and the shared
    /// secret Z, from which the core derives the key-encryption key (X9.63 KDF with SHA-256,
    /// RFC 5753 §7.2) and wraps the content-encryption key (AES key wrap, RFC 3394).
    #[serde(rename_all = "camelCase")]
    Ecdh {
        /// The recipient's uncompressed SEC 1 point (0x04 || x || y).
        #[serde(skip)]
        public_key: Vec<u8>,
    },
}

impl std::fmt::Debug for KeyWrapRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyWrapRequest::RsaOaep { hash, .. } => f
                .debug_struct("RsaOaep")
                .field("hash", hash)
                .finish_non_exhaustive(),
            KeyWrapRequest::Ecdh { .. } => f.debug_struct("Ecdh").finish_non_exhaustive(),
        }
    }
}

/// The answer to a [`KeyWrapRequest`].
#[derive(Clone, PartialEq, Eq)]
pub enum KeyWrapAnswer {
    /// RSA: the encrypted content-encryption key.
    EncryptedKey(Vec<u8>),
    /// ECDH: the ephemeral public key (SEC 1, uncompressed or compressed) and Z (32 octets).
    Agreement {
        /// The originator's ephemeral public key.
        ephemeral_public_key: Vec<u8>,
        /// The shared secret Z (the x-coordinate, SEC 1 §3.3.1).
        shared_secret: Zeroizing<Vec<u8>>,
    },
}

impl std::fmt::Debug for KeyWrapAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyWrapAnswer::EncryptedKey(k) => {
                f.debug_tuple("EncryptedKey").field(&k.len()).finish()
            }
            KeyWrapAnswer::Agreement { .. } => f.debug_struct("Agreement").finish_non_exhaustive(),
        }
    }
}

/// "Encrypt `data` with this key and IV": the bulk content encryption of an EnvelopedData
/// (AES-CBC with PKCS#7 padding, RFC 3565 §4.1, RFC 5652 §6.3) or AuthEnvelopedData (AES-GCM
/// with a 12-octet nonce and 16-octet tag, RFC 5084 §3.2, no additional authenticated data
/// unless `aad` is given). The answer is the ciphertext; for GCM the ciphertext followed by
/// the tag — both exactly as WebCrypto's `encrypt` returns them.
#[derive(Clone, Copy)]
pub struct ContentEncryptRequest<'a> {
    /// The content cipher.
    pub cipher: super::ContentCipher,
    /// The content-encryption key.
    pub key: &'a [u8],
    /// The IV (CBC, 16 octets) or nonce (GCM, 12 octets).
    pub iv: &'a [u8],
    /// GCM additional authenticated data (empty: none).
    pub aad: &'a [u8],
    /// The content.
    pub data: &'a [u8],
}

impl std::fmt::Debug for ContentEncryptRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentEncryptRequest")
            .field("cipher", &self.cipher)
            .field("len", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// The content cipher of a [`ContentDecryptRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentDecryptCipher {
    /// AES-CBC with PKCS#7 padding (RFC 3565 §4.1), with its 16-octet IV.
    AesCbc {
        /// The IV.
        iv: [u8; 16],
    },
    /// AES-GCM (RFC 5084 §3.2), with its 12-octet nonce and the tag length in octets.
    AesGcm {
        /// The nonce.
        nonce: [u8; 12],
        /// The tag (ICV) length, 12 to 16.
        tag_len: usize,
    },
    /// A legacy cipher WebCrypto lacks (des-ede3-cbc): answered in wasm.
    Legacy,
}

/// "Decrypt this content": the bulk decryption of a received layer, once its
/// content-encryption key is recovered (`enveloped::Decryption::content_request`). The answer
/// is the plaintext (CBC padding removed); a failure is `decrypt-failed` (padding) or
/// `decrypt-auth-failed` (GCM tag).
#[derive(Clone, Copy)]
pub struct ContentDecryptRequest<'a> {
    /// The cipher and its parameters.
    pub cipher: ContentDecryptCipher,
    /// The contentEncryptionAlgorithm as received (for the pure-Rust provider).
    pub algorithm: &'a spki::AlgorithmIdentifierOwned,
    /// The content-encryption key.
    pub key: &'a [u8],
    /// The ciphertext (without the GCM tag).
    pub ciphertext: &'a [u8],
    /// AES-GCM: the tag (mac of AuthEnvelopedData); empty otherwise.
    pub tag: &'a [u8],
    /// AES-GCM: the additional authenticated data (authAttrs as a SET OF); empty otherwise.
    pub aad: &'a [u8],
}

impl std::fmt::Debug for ContentDecryptRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentDecryptRequest")
            .field("cipher", &self.cipher)
            .field("len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

/// The pure-Rust provider, content decryption: answer `req` (a build without it:
/// [`Error::ProviderUnsupported`]).
pub fn decrypt_content_with_rust(req: &ContentDecryptRequest<'_>) -> Result<Vec<u8>, Error> {
    if !cfg!(feature = "rust-crypto") {
        return Err(Error::ProviderUnsupported(format!(
            "the content cipher {} is not decrypted by this build's crypto provider (WebCrypto)",
            super::enveloped_cipher::cipher_name(&req.algorithm.oid)
        )));
    }
    match req.cipher {
        ContentDecryptCipher::AesGcm { .. } => super::enveloped_cipher::decrypt_gcm(
            req.algorithm,
            req.key,
            req.ciphertext,
            req.tag,
            req.aad,
        ),
        _ => super::enveloped_cipher::decrypt_cbc(req.algorithm, req.key, req.ciphertext),
    }
}

/// The pure-Rust provider, key transport and agreement: answer `req` (OAEP seeds and the
/// ephemeral key from `rng`).
pub fn wrap_with_rust<R: CryptoRng + ?Sized>(
    req: &KeyWrapRequest,
    rng: &mut R,
) -> Result<KeyWrapAnswer, Error> {
    match req {
        KeyWrapRequest::RsaOaep {
            hash,
            public_key,
            cek,
        } => {
            use rsa::pkcs8::DecodePublicKey;
            let pk = rsa::RsaPublicKey::from_public_key_der(public_key)
                .map_err(|e| Error::EncryptRecipient(format!("bad RSA public key: {e}")))?;
            let r = match hash {
                OaepHash::Sha256 => pk.encrypt(rng, rsa::Oaep::<sha2::Sha256>::new(), cek),
                OaepHash::Sha384 => pk.encrypt(rng, rsa::Oaep::<sha2::Sha384>::new(), cek),
                OaepHash::Sha512 => pk.encrypt(rng, rsa::Oaep::<sha2::Sha512>::new(), cek),
                other => {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "RSA-OAEP with {other:?} is not produced"
                    )))
                }
            };
            r.map(KeyWrapAnswer::EncryptedKey)
                .map_err(|e| Error::EncryptFailed(format!("RSA encryption failed: {e}")))
        }
        KeyWrapRequest::Ecdh { public_key } => {
            use p256::elliptic_curve::Generate;
            let peer = p256::PublicKey::from_sec1_bytes(public_key).map_err(|_| {
                Error::EncryptRecipient("the recipient key is not a valid P-256 point".into())
            })?;
            let eph = p256::SecretKey::generate_from_rng(rng);
            let shared = p256::elliptic_curve::ecdh::diffie_hellman(
                eph.to_nonzero_scalar(),
                peer.as_affine(),
            );
            let point = p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(
                eph.public_key().as_affine(),
                false,
            );
            Ok(KeyWrapAnswer::Agreement {
                ephemeral_public_key: point.as_bytes().to_vec(),
                shared_secret: Zeroizing::new(shared.raw_secret_bytes().to_vec()),
            })
        }
    }
}

/// The pure-Rust provider, every key-transport and key-agreement request of an encryption
/// in order.
pub fn wrap_all_with_rust<R: CryptoRng + ?Sized>(
    requests: Vec<&KeyWrapRequest>,
    rng: &mut R,
) -> Result<Vec<KeyWrapAnswer>, Error> {
    requests
        .into_iter()
        .map(|r| wrap_with_rust(r, rng))
        .collect()
}

/// The pure-Rust provider, content encryption: answer `req`.
pub fn encrypt_content_with_rust(req: &ContentEncryptRequest<'_>) -> Result<Vec<u8>, Error> {
    super::enveloped_cipher::encrypt_with(req)
}

/// A provider's answer to a [`DecryptRequest`]: the content-encryption key or the shared
/// secret, or why its key could not be used.
pub type DecryptAnswer = Result<Zeroizing<Vec<u8>>, Error>;

/// Answers to decryption requests given by an asynchronous provider, for a synchronous walk
/// that decrypts as it goes (`verify`): a request already answered gets its answer; any other
/// is recorded ([`Self::take_asked`]) and fails for now with `decrypt-failed`. The caller
/// answers the recorded requests ([`Self::add`]) and walks again, so the walk stays one
/// synchronous, sans-I/O path whatever holds the key. Answers are keyed by the whole request
/// (ciphertext or ephemeral key) and the certificate index, so an answer is never used for
/// another RecipientInfo; the core checks them as any other (`Decryption::resume`).
///
/// The bulk decryption of a layer's content can be answered by the provider too
/// ([`Self::provider_decrypts_content`]): during a step ([`Self::recording_contents`]) a
/// content request of at least [`CONTENT_ASK_MIN`] octets is recorded
/// ([`Self::take_asked_contents`]) and answered ([`Self::add_content`]) before the next walk;
/// outside a step, and for a legacy cipher, the core decrypts the content itself.
#[derive(Clone, Default)]
pub struct DecryptAnswers {
    /// The certificates of the keys that answer (their index is the request's).
    pub certificates: Vec<x509_cert::Certificate>,
    answers: Vec<(usize, DecryptRequest, DecryptAnswer)>,
    asked: std::sync::Arc<std::sync::Mutex<Vec<(usize, DecryptRequest)>>>,
    contents: std::sync::Arc<std::sync::Mutex<ContentAsks>>,
    /// The provider's content answers, read where they lie by the walks after them (shared
    /// by the clones of a context, copied only when one of them adds an answer).
    content_answers: std::sync::Arc<Vec<(ContentDecryptAsk, ContentAnswer)>>,
}

/// The content-decryption requests of [`DecryptAnswers`].
#[derive(Default)]
struct ContentAsks {
    by_provider: bool,
    recording: bool,
    asked: Vec<ContentDecryptAsk>,
}

/// A provider's answer to a [`ContentDecryptAsk`]: the plaintext (or why the content did not
/// decrypt) and its digests of ranges of that plaintext.
pub type ContentAnswer = (Result<Vec<u8>, Error>, Vec<ContentDigest>);

/// A provider's answer where [`DecryptAnswers`] keeps it: the plaintext (or why the content
/// did not decrypt) and its digests of ranges of it.
pub type LentContentAnswer<'a> = (Result<&'a [u8], Error>, &'a [ContentDigest]);

/// A provider's digest of octets `range` of a plaintext it answered
/// ([`DecryptAnswers::add_content_with_digests`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDigest {
    /// The digest algorithm.
    pub alg: DigestAlg,
    /// The octets of the plaintext.
    pub range: std::ops::Range<usize>,
    /// The digest.
    pub digest: Vec<u8>,
}

/// The smallest ciphertext whose decryption a step asks of the provider
/// ([`DecryptAnswers::provider_decrypts_content`]): below it the core's own AES costs less than
/// another round of the walk. A build without the pure-Rust provider asks every one.
pub const CONTENT_ASK_MIN: usize = 32 * 1024;

/// A [`ContentDecryptRequest`] as recorded for the provider: owned, the whole ciphertext
/// included, so that its answer is used for that very request and no other
/// ([`DecryptAnswers::add_content`]).
#[derive(Clone)]
pub struct ContentDecryptAsk {
    cipher: ContentDecryptCipher,
    algorithm: spki::AlgorithmIdentifierOwned,
    key: Zeroizing<Vec<u8>>,
    ciphertext: Ciphertext,
    tag: Vec<u8>,
    aad: Vec<u8>,
}

/// The ciphertext of a [`ContentDecryptAsk`]: a copy, or a range of a buffer the ask shares
/// (a decoded body the walks keep, never changed while it is shared).
#[derive(Clone)]
enum Ciphertext {
    Copy(Vec<u8>),
    Shared(std::sync::Arc<Vec<u8>>, std::ops::Range<usize>),
}

impl Ciphertext {
    fn octets(&self) -> &[u8] {
        match self {
            Ciphertext::Copy(c) => c,
            Ciphertext::Shared(b, r) => b.get(r.clone()).unwrap_or_default(),
        }
    }
}

impl std::fmt::Debug for ContentDecryptAsk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentDecryptAsk")
            .field("cipher", &self.cipher)
            .field("len", &self.ciphertext.octets().len())
            .finish_non_exhaustive()
    }
}

impl ContentDecryptAsk {
    /// The ask for `req`; its ciphertext shared with `owner` when it lies there.
    fn of(req: &ContentDecryptRequest<'_>, owner: Option<&std::sync::Arc<Vec<u8>>>) -> Self {
        let shared =
            owner.and_then(|o| crate::asn1::ber::range_within(o, req.ciphertext).map(|r| (o, r)));
        ContentDecryptAsk {
            cipher: req.cipher,
            algorithm: req.algorithm.clone(),
            key: Zeroizing::new(req.key.to_vec()),
            ciphertext: match shared {
                Some((o, r)) => Ciphertext::Shared(std::sync::Arc::clone(o), r),
                None => Ciphertext::Copy(req.ciphertext.to_vec()),
            },
            tag: req.tag.to_vec(),
            aad: req.aad.to_vec(),
        }
    }

    /// The request to answer.
    pub fn request(&self) -> ContentDecryptRequest<'_> {
        ContentDecryptRequest {
            cipher: self.cipher,
            algorithm: &self.algorithm,
            key: &self.key,
            ciphertext: self.ciphertext.octets(),
            tag: &self.tag,
            aad: &self.aad,
        }
    }

    /// Whether `req` is this very request: every field, every octet of the ciphertext (the
    /// same memory of a shared buffer is the same octets: the ask keeps it, unchanged).
    fn is(&self, req: &ContentDecryptRequest<'_>) -> bool {
        let mine = self.ciphertext.octets();
        let same_memory =
            matches!(self.ciphertext, Ciphertext::Shared(..)) && std::ptr::eq(mine, req.ciphertext);
        self.cipher == req.cipher
            && self.algorithm == *req.algorithm
            && self.key.as_slice() == req.key
            && self.tag == req.tag
            && self.aad == req.aad
            && (same_memory || same_octets(mine, req.ciphertext))
    }
}

/// `a == b`, compared a word at a time (a large ciphertext is compared once per walk; the
/// octet-wise `memcmp` of wasm32 takes several times as long).
fn same_octets(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let ((xa, ra), (xb, rb)) = (a.as_chunks::<8>(), b.as_chunks::<8>());
    ra == rb
        && xa
            .iter()
            .zip(xb)
            .all(|(x, y)| u64::from_ne_bytes(*x) == u64::from_ne_bytes(*y))
}

impl std::fmt::Debug for DecryptAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptAnswers")
            .field("certificates", &self.certificates.len())
            .field("answers", &self.answers.len())
            .finish_non_exhaustive()
    }
}

impl DecryptAnswers {
    /// No answers yet, for the keys of `certificates`.
    pub fn new(certificates: Vec<x509_cert::Certificate>) -> Self {
        DecryptAnswers {
            certificates,
            ..Default::default()
        }
    }

    /// The answer to `req` for certificate `cert`, or `decrypt-failed` after recording it.
    pub fn answer(&self, cert: usize, req: &DecryptRequest) -> Result<Zeroizing<Vec<u8>>, Error> {
        if let Some((_, _, a)) = self.answers.iter().find(|(c, r, _)| *c == cert && r == req) {
            return a.clone();
        }
        if let Ok(mut asked) = self.asked.lock() {
            if !asked.iter().any(|(c, r)| *c == cert && r == req) {
                asked.push((cert, req.clone()));
            }
        }
        Err(Error::DecryptFailed(
            "the key holder has not answered this decryption request".into(),
        ))
    }

    /// The requests asked and not answered since the last call.
    pub fn take_asked(&self) -> Vec<(usize, DecryptRequest)> {
        self.asked
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or_default()
    }

    /// Record the provider's answer to `req` (an `Err` when its key could not be used).
    pub fn add(
        &mut self,
        cert: usize,
        req: DecryptRequest,
        answer: Result<Zeroizing<Vec<u8>>, Error>,
    ) {
        self.answers.push((cert, req, answer));
    }

    /// The provider decrypts contents too: a step records the content requests
    /// ([`Self::recording_contents`]) instead of decrypting them in the core.
    pub fn provider_decrypts_content(&mut self) {
        if let Ok(mut c) = self.contents.lock() {
            c.by_provider = true;
        }
    }

    /// Start a step: until the guard is dropped, an unanswered content request is recorded
    /// (when [`Self::provider_decrypts_content`] was called) and fails for now.
    pub fn recording_contents(&self) -> ContentRecording<'_> {
        if let Ok(mut c) = self.contents.lock() {
            c.recording = c.by_provider;
        }
        ContentRecording(self)
    }

    /// The answer to the content request `req`: the provider's plaintext where it lies (each
    /// walk after it reads the same answer) with its digests of ranges of that plaintext
    /// ([`Self::add_content_with_digests`]), or — during a step, for a request of at least
    /// [`CONTENT_ASK_MIN`] octets in a cipher the provider has — `decrypt-failed` after
    /// recording it; `None`: the core decrypts it itself.
    ///
    /// `owner`: a buffer the ciphertext may lie in, kept unchanged by whoever shares it (a
    /// recorded request then shares it instead of copying the ciphertext).
    pub fn content_answer(
        &self,
        req: &ContentDecryptRequest<'_>,
        owner: Option<&std::sync::Arc<Vec<u8>>>,
    ) -> Option<LentContentAnswer<'_>> {
        if let Some((_, (a, d))) = self.content_answers.iter().find(|(ask, _)| ask.is(req)) {
            return Some((a.as_deref().map_err(Clone::clone), d));
        }
        let Ok(mut c) = self.contents.lock() else {
            return None;
        };
        let worth_asking = (req.ciphertext.len() >= CONTENT_ASK_MIN
            || !cfg!(feature = "rust-crypto"))
            && !matches!(req.cipher, ContentDecryptCipher::Legacy);
        if !c.recording || !worth_asking {
            return None;
        }
        if !c.asked.iter().any(|ask| ask.is(req)) {
            c.asked.push(ContentDecryptAsk::of(req, owner));
        }
        let unanswered = Error::DecryptFailed(
            "the provider has not answered this content decryption request".into(),
        );
        Some((Err(unanswered), &[]))
    }

    /// The content requests recorded and not answered since the last call.
    pub fn take_asked_contents(&self) -> Vec<ContentDecryptAsk> {
        self.contents
            .lock()
            .map(|mut c| std::mem::take(&mut c.asked))
            .unwrap_or_default()
    }

    /// Record the provider's answer to `ask` (the plaintext, or why the content did not
    /// decrypt); the core checks it against the ciphertext as any other
    /// (`enveloped::Decryption::finish_content`).
    pub fn add_content(&mut self, ask: ContentDecryptAsk, answer: Result<Vec<u8>, Error>) {
        self.add_content_with_digests(ask, answer, Vec::new());
    }

    /// [`Self::add_content`] with the provider's digests of ranges of the plaintext (for a
    /// signed entity inside: `verify::digest_ranges` of the plaintext): the walk uses them
    /// for content that is exactly such a range of this plaintext as answered, octet for
    /// octet ([`Self::content_answer`]).
    pub fn add_content_with_digests(
        &mut self,
        ask: ContentDecryptAsk,
        answer: Result<Vec<u8>, Error>,
        digests: Vec<ContentDigest>,
    ) {
        let digests = match &answer {
            Ok(plain) => digests
                .into_iter()
                .filter(|d| d.range.end <= plain.len() && d.digest.len() == d.alg.output_len())
                .collect(),
            Err(_) => Vec::new(),
        };
        std::sync::Arc::make_mut(&mut self.content_answers).push((ask, (answer, digests)));
    }
}

/// Ends a recording step of content requests when dropped
/// ([`DecryptAnswers::recording_contents`]).
pub struct ContentRecording<'a>(&'a DecryptAnswers);

impl Drop for ContentRecording<'_> {
    fn drop(&mut self) {
        if let Ok(mut c) = self.0.contents.lock() {
            c.recording = false;
        }
    }
}

/// The pure-Rust provider, signing: answer `req` with `key` (RSA blinding and PSS salts from
/// `rng`; ECDSA nonces per RFC 6979).
pub fn sign_with_key<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    req: &SignRequest,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let hashed = req.hash.hash(&req.data);
    match (key, req.scheme) {
        (PrivateKey::Rsa(k), SignatureScheme::RsaPkcs1v15) => {
            let scheme = match req.hash {
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                _ => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            };
            k.sign_with_rng(rng, scheme, &hashed)
                .map_err(|e| Error::Key(format!("RSA signing failed: {e}")))
        }
        (PrivateKey::Rsa(k), SignatureScheme::RsaPss) => {
            let n = req.salt_length;
            match req.hash {
                DigestAlg::Sha384 => {
                    k.sign_with_rng(rng, rsa::Pss::<sha2::Sha384>::new_with_salt(n), &hashed)
                }
                DigestAlg::Sha512 => {
                    k.sign_with_rng(rng, rsa::Pss::<sha2::Sha512>::new_with_salt(n), &hashed)
                }
                _ => k.sign_with_rng(rng, rsa::Pss::<sha2::Sha256>::new_with_salt(n), &hashed),
            }
            .map_err(|e| Error::Key(format!("RSA-PSS signing failed: {e}")))
        }
        (PrivateKey::EcP256(k), SignatureScheme::Ecdsa) => {
            use signature::hazmat::PrehashSigner;
            let sk = p256::ecdsa::SigningKey::from(k);
            let sig: p256::ecdsa::Signature = sk
                .sign_prehash(&hashed)
                .map_err(|e| Error::Key(format!("ECDSA signing failed: {e}")))?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
        _ => Err(Error::Key(
            "the private key does not match the certificate's key type".into(),
        )),
    }
}

/// The pure-Rust provider, decrypting: answer `req` with `key` (a build without it:
/// [`Error::ProviderUnsupported`]).
pub fn decrypt_with_key(
    key: &PrivateKey,
    req: &DecryptRequest,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if !cfg!(feature = "rust-crypto") {
        return Err(Error::ProviderUnsupported(
            "a private key held in the core is not used by this build's crypto provider (WebCrypto)".into(),
        ));
    }
    match (key, req) {
        (PrivateKey::Rsa(k), DecryptRequest::Rsa { scheme, ciphertext }) => {
            super::ktri::rsa_decrypt(k, scheme, ciphertext)
        }
        (PrivateKey::EcP256(k), DecryptRequest::Ecdh { public_key }) => {
            let peer = p256::PublicKey::from_sec1_bytes(public_key).map_err(|_| {
                Error::Malformed("originator public key is not a valid P-256 point".into())
            })?;
            let shared =
                p256::elliptic_curve::ecdh::diffie_hellman(k.to_nonzero_scalar(), peer.as_affine());
            Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
        }
        (_, DecryptRequest::Rsa { .. }) => Err(Error::DecryptFailed(
            "the message is encrypted to this certificate with RSA, but the private key is not an RSA key".into(),
        )),
        (_, DecryptRequest::Ecdh { .. }) => Err(Error::DecryptFailed(
            "the message is encrypted to this certificate with ECDH, but the private key is not a P-256 key".into(),
        )),
    }
}

/// Convert an ECDSA signature in the fixed form `r || s` (IEEE P1363, what WebCrypto returns,
/// W3C WebCrypto §23.4) into the DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
/// of RFC 5480 §2.2 / RFC 5753 §2.1.1. The two halves must be equally long (32 octets for
/// P-256, 48 for P-384, 66 for P-521) and neither zero.
pub fn ecdsa_der_from_fixed(fixed: &[u8]) -> Result<Vec<u8>, Error> {
    if !matches!(fixed.len(), 64 | 96 | 132) {
        return Err(Error::Key(format!(
            "an ECDSA signature r || s has 64, 96 or 132 octets, not {}",
            fixed.len()
        )));
    }
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let int = |v: &[u8]| -> Result<Vec<u8>, Error> {
        if v.iter().all(|b| *b == 0) {
            return Err(Error::Key(
                "an ECDSA signature half (r or s) is zero".into(),
            ));
        }
        Ok(unsigned_integer(v))
    };
    Ok(constructed(0x30, &[&int(r)?, &int(s)?]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_ecdsa_signatures_become_der() {
        let mut fixed = [0u8; 64];
        fixed[0] = 0x80; // r needs a leading zero octet
        fixed[63] = 1; // s = 1
        let der = ecdsa_der_from_fixed(&fixed).unwrap();
        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        assert_eq!(sig.to_bytes().as_slice(), &fixed[..]);
        assert_eq!(der[3], 33); // 0x00 || 32 octets
        assert!(
            ecdsa_der_from_fixed(&[0u8; 64]).is_err(),
            "r = 0 is refused"
        );
        assert!(
            ecdsa_der_from_fixed(&[1u8; 63]).is_err(),
            "odd length is refused"
        );
        assert!(ecdsa_der_from_fixed(&[]).is_err());
        // P-384 length is accepted.
        assert!(ecdsa_der_from_fixed(&[0x7fu8; 96]).is_ok());
    }

    #[test]
    fn a_key_of_the_wrong_type_does_not_answer() {
        let ec = PrivateKey::EcP256(p256::SecretKey::from_slice(&[7u8; 32]).unwrap());
        let req = DecryptRequest::Rsa {
            scheme: RsaDecryption::Pkcs1v15,
            ciphertext: vec![0; 256],
        };
        assert_eq!(
            decrypt_with_key(&ec, &req).unwrap_err().code(),
            "decrypt-failed"
        );
        let req = SignRequest {
            scheme: SignatureScheme::RsaPkcs1v15,
            hash: DigestAlg::Sha256,
            salt_length: 0,
            data: b"x".to_vec(),
        };
        let mut rng = crate::rng::danger::SeededRng::new(1);
        assert!(sign_with_key(&ec, &req, &mut rng).is_err());
    }

    use crate::coded::Coded;
}
