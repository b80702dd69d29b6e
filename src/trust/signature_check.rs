//! Signature values checked by a provider outside the core (the browser's WebCrypto) during a
//! verification: the sans-I/O seam of `crate::smime::key_operation` for *public*-key
//! operations. The walk stays one synchronous walk: each signature value it meets (a
//! SignerInfo's, RFC 5652 §5.6; a certificate's, RFC 5280 §6.1.3 (a)(1)) is answered from
//! the provider's answers given so far, or — only while a step records
//! ([`SignatureChecks::recording`]) — recorded and taken as valid for now. The step that
//! recorded requests is never a result: its caller has the provider check them and walks
//! again, and the walk stands only when every value it took as valid was answered valid.
//!
//! Only the math is delegated. The key and the signature are decoded here and held to the
//! same checks as the pure-Rust verification (an ECDSA point must be on its curve, an ECDSA
//! signature strict DER, an RSA key those of `rsa::RsaPublicKey::new` —
//! `algorithm_policy::rsa_public_key` — and an RSA signature exactly as long as the
//! modulus), and what the
//! provider did not confirm — a `false`, an error, an algorithm outside [`SignatureCheck`] —
//! is verified by the pure-Rust code, so a report never differs from the synchronous one.
//! A build without that code (the `rust-crypto` feature off: the read module) reports a
//! value the provider refuted as not verifying, and one it could not check as
//! [`PROVIDER_UNSUPPORTED`]: never valid, and the caller knows a build with the pure-Rust
//! provider can decide it.
//! Delegated: ECDSA P-256 / P-384, RSASSA-PKCS1-v1_5 and RSASSA-PSS (rsaEncryption keys;
//! PSS with MGF1 and trailer field 1, as the Rust verification reads its parameters), each
//! with SHA-256, SHA-384 or SHA-512 (RFC 5758 §3.2, RFC 4055 §§3.1, 5), and SHA-1 where the
//! Rust code verifies it ([`CheckHash::Sha1`]), over at most
//! [`MAX_CHECKED_MESSAGE`] octets; anything else (ecdsa-with-SHA1, RSASSA-PSS with SHA-1,
//! DSA, P-521, an id-RSASSA-PSS key) stays in Rust.

use std::sync::{Arc, Mutex};

use super::path::ValidatedPath;

use crate::asn1::oid::{
    ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512, EC_PUBLIC_KEY, P256, P384, RSASSA_PSS,
    RSA_ENCRYPTION, SHA1_WITH_RSA, SHA256, SHA256_WITH_RSA, SHA384, SHA384_WITH_RSA, SHA512,
    SHA512_WITH_RSA,
};
use const_oid::ObjectIdentifier as Oid;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// The problem (and error) code of a signature value, key or content operation that this
/// build's provider cannot compute though the core implements it — a build without the
/// pure-Rust provider (the read module, WebCrypto only) meeting an algorithm WebCrypto lacks;
/// the same call on a build with it (the full module) decides.
pub const PROVIDER_UNSUPPORTED: &str = "provider-unsupported";

/// The longest signed message handed to a provider (signed attributes and certificates are
/// far shorter; a SignerInfo without signed attributes over a large content stays in Rust,
/// so no request copies a whole message).
pub const MAX_CHECKED_MESSAGE: usize = 64 * 1024;

/// The hash a delegated signature is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckHash {
    /// SHA-1, only where the pure-Rust verification verifies it (in a SignerInfo, and in a
    /// certificate or CRL, RFC 5280 §4.1.1.2):
    /// sha1WithRSAEncryption, and a SignerInfo's SHA-1 digestAlgorithm under a bare
    /// rsaEncryption or id-ecPublicKey signatureAlgorithm with a P-256 key (not
    /// ecdsa-with-SHA1 nor RSASSA-PSS with SHA-1, which a certificate's verification does
    /// not accept; not P-384,
    /// whose Rust ECDSA refuses a 20-octet hash). Whether SHA-1 is acceptable at all is the
    /// algorithm policy's to say, before and whatever the provider answers.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// The public key of a delegated check, decoded and re-encoded as a provider imports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckKey {
    /// ECDSA: the named curve ("P-256" / "P-384") and the uncompressed SEC1 point.
    Ec {
        /// WebCrypto's name of the curve.
        curve: &'static str,
        /// 0x04 ‖ x ‖ y.
        point: Vec<u8>,
    },
    /// RSASSA-PKCS1-v1_5: the key as an rsaEncryption SubjectPublicKeyInfo (DER).
    Rsa {
        /// SubjectPublicKeyInfo DER.
        spki: Vec<u8>,
    },
    /// RSASSA-PSS (MGF1 with the signature's hash, trailer field 1) with this salt length:
    /// the key as an rsaEncryption SubjectPublicKeyInfo (DER; an id-RSASSA-PSS key is not
    /// delegated).
    RsaPss {
        /// SubjectPublicKeyInfo DER.
        spki: Vec<u8>,
        /// The salt length in octets.
        salt: usize,
    },
}

/// "Verify this signature": key, hash, signed octets and the signature value (ECDSA in the
/// fixed r ‖ s form WebCrypto takes, RFC 7518 §3.4; RSA as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The public key.
    pub key: CheckKey,
    /// The hash of the signature algorithm.
    pub hash: CheckHash,
    /// The signed octets (DER signed attributes, or a certificate's TBSCertificate).
    pub message: Vec<u8>,
    /// The signature value.
    pub signature: Vec<u8>,
    /// The signed octets are a certificate's (or a CRL's, an OCSP response's) that a path
    /// validation checks ([`Self::of_pki_object`]): signed once, the same check recurs in
    /// every validation of a path through them, unlike a message's own signature.
    pub pki_object: bool,
}

impl SignatureCheck {
    /// This check, marked as one of a certificate's (or CRL's, OCSP response's) signature
    /// checked in a path validation ([`Self::pki_object`]).
    pub fn of_pki_object(mut self) -> Self {
        self.pki_object = true;
        self
    }

    /// The check of `signature` over `message` by `spki` under signature algorithm
    /// `sig_alg` (the key algorithm's OID standing for "with `digest`", as CMS allows), or
    /// `None` when it is not delegated (then the pure-Rust code verifies it).
    pub fn new(
        spki: &SubjectPublicKeyInfoOwned,
        sig_alg: &AlgorithmIdentifierOwned,
        digest: Option<CheckHash>,
        message: &[u8],
        signature: &[u8],
    ) -> Option<SignatureCheck> {
        if message.len() > MAX_CHECKED_MESSAGE {
            return None;
        }
        let key_oid = spki.algorithm.oid;
        // RSASSA-PSS: its hash and salt length from its parameters (RFC 4055 §3.1), read as
        // the pure-Rust verification reads them.
        let pss = if sig_alg.oid == RSASSA_PSS {
            let p = crate::algorithm_policy::pss_params(sig_alg.parameters.as_ref()).ok()?;
            let hash = match p.hash {
                SHA256 => CheckHash::Sha256,
                SHA384 => CheckHash::Sha384,
                SHA512 => CheckHash::Sha512,
                _ => return None,
            };
            Some((hash, p.salt))
        } else {
            None
        };
        let sig_alg = &sig_alg.oid;
        let hash = match (*sig_alg, pss) {
            (_, Some((hash, _))) => hash,
            (SHA1_WITH_RSA, _) => CheckHash::Sha1,
            (ECDSA_SHA256 | SHA256_WITH_RSA, _) => CheckHash::Sha256,
            (ECDSA_SHA384 | SHA384_WITH_RSA, _) => CheckHash::Sha384,
            (ECDSA_SHA512 | SHA512_WITH_RSA, _) => CheckHash::Sha512,
            (o, _) if o == key_oid => digest?,
            _ => return None,
        };
        let is_ecdsa = matches!(*sig_alg, ECDSA_SHA256 | ECDSA_SHA384 | ECDSA_SHA512);
        let is_rsa = matches!(
            *sig_alg,
            SHA1_WITH_RSA | SHA256_WITH_RSA | SHA384_WITH_RSA | SHA512_WITH_RSA
        );
        // The SEC 1 point (§2.3.3) as WebCrypto's raw import takes it, uncompressed: as it
        // is when it already is (WebCrypto checks that it lies on the curve as it imports
        // it; a key it refuses leaves the check to the pure-Rust code), else decompressed.
        let point = spki.subject_public_key.raw_bytes();
        let (key, signature) = if key_oid == EC_PUBLIC_KEY && (is_ecdsa || *sig_alg == key_oid) {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<Oid>().ok())?;
            match curve {
                P256 => {
                    let sig = p256::ecdsa::Signature::from_der(signature).ok()?;
                    let point = if point.len() == 65 && point[0] == 0x04 {
                        point.to_vec()
                    } else {
                        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).ok()?;
                        vk.to_sec1_point(false).as_bytes().to_vec()
                    };
                    (
                        CheckKey::Ec {
                            curve: "P-256",
                            point,
                        },
                        sig.to_bytes().to_vec(),
                    )
                }
                P384 if hash != CheckHash::Sha1 => {
                    let sig = p384::ecdsa::Signature::from_der(signature).ok()?;
                    let point = if point.len() == 97 && point[0] == 0x04 {
                        point.to_vec()
                    } else {
                        let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).ok()?;
                        vk.to_sec1_point(false).as_bytes().to_vec()
                    };
                    (
                        CheckKey::Ec {
                            curve: "P-384",
                            point,
                        },
                        sig.to_bytes().to_vec(),
                    )
                }
                _ => return None,
            }
        } else if key_oid == RSA_ENCRYPTION && (is_rsa || pss.is_some() || *sig_alg == key_oid) {
            let key = crate::algorithm_policy::rsa_public_key(spki)?;
            if signature.len() != key.size {
                return None;
            }
            let key = match pss {
                Some((_, salt)) => CheckKey::RsaPss {
                    spki: key.spki,
                    salt,
                },
                None => CheckKey::Rsa { spki: key.spki },
            };
            (key, signature.to_vec())
        } else {
            return None;
        };
        Some(SignatureCheck {
            key,
            hash,
            message: message.to_vec(),
            signature,
            pki_object: false,
        })
    }
}

/// What [`SignatureChecks::lookup`] says of a signature value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The provider verified it.
    Valid,
    /// Recorded while recording: valid for now, the step is not a result until answered.
    Provisional,
    /// The provider answered that it does not verify: the pure-Rust verification decides
    /// where the build has it (its failure says why), else it is invalid.
    Refuted,
    /// Not answered by the provider (not asked, not answered outside a recording step, or
    /// the provider failed to check it): the pure-Rust verification decides.
    Verify,
}

/// How many paths validated on provisional answers one [`SignatureChecks`] holds until the
/// provider answers (one validator runs at most
/// [`super::MAX_VALIDATOR_VALIDATIONS`]).
const WAITING_PATHS: usize = 32;

/// Told of each request the moment a recording step first asks it
/// ([`SignatureChecks::announcing`]).
pub type Announce = fn(&SignatureCheck);

#[derive(Default)]
struct State {
    answers: Vec<(SignatureCheck, bool)>,
    /// Paths validated on provisional answers, with the checks still unanswered
    /// ([`SignatureChecks::keep_when_confirmed`]).
    waiting: Vec<(ValidatedPath, Vec<SignatureCheck>)>,
    asked: Vec<SignatureCheck>,
    recording: bool,
    announce: Option<Announce>,
    provider: Option<&'static str>,
}

/// The provider's answers to [`SignatureCheck`]s, shared by every clone (a walk's
/// certificate validator holds one for its path validations).
#[derive(Clone, Default)]
pub struct SignatureChecks(Arc<Mutex<State>>);

impl std::fmt::Debug for SignatureChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureChecks").finish_non_exhaustive()
    }
}

/// Ends a recording step when dropped ([`SignatureChecks::recording`]).
pub struct Recording<'a>(&'a SignatureChecks);

impl Drop for Recording<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0 .0.lock() {
            s.recording = false;
        }
    }
}

impl SignatureChecks {
    /// Answers that also tell `announce` of each request as soon as a recording step
    /// first asks it, while the walk goes on: a provider may begin it then (its answer is
    /// still given and used only as [`Self::add`] gives it, after the step). Nothing is
    /// decided by the announcement; a request announced and never answered is verified as
    /// any unanswered one.
    pub fn announcing(announce: Announce) -> Self {
        let checks = Self::default();
        if let Ok(mut s) = checks.0.lock() {
            s.announce = Some(announce);
        }
        checks
    }

    /// Answers of the provider named `provider` (e.g. "WebCrypto"): a certification path
    /// validated on its answers is valid again for later validations answered by the same
    /// provider, within its certificates' validity, without asking it again; answers of an
    /// unnamed provider count for their own validation only.
    #[must_use]
    pub fn named(self, provider: &'static str) -> Self {
        if let Ok(mut s) = self.0.lock() {
            s.provider = Some(provider);
        }
        self
    }

    /// The provider's name ([`Self::named`]).
    pub fn provider(&self) -> Option<&'static str> {
        self.0.lock().ok().and_then(|s| s.provider)
    }

    /// Unanswered requests are recorded (and taken as valid for now) until the guard is
    /// dropped; outside it they are verified in Rust.
    pub fn recording(&self) -> Recording<'_> {
        if let Ok(mut s) = self.0.lock() {
            s.recording = true;
            s.asked.clear();
        }
        Recording(self)
    }

    /// The answer to `check`, recording it when unanswered during a recording step.
    pub fn lookup(&self, check: &SignatureCheck) -> Lookup {
        let Ok(mut s) = self.0.lock() else {
            return Lookup::Verify;
        };
        if let Some((_, ok)) = s.answers.iter().find(|(c, _)| c == check) {
            return if *ok { Lookup::Valid } else { Lookup::Refuted };
        }
        if !s.recording {
            return Lookup::Verify;
        }
        if !s.asked.contains(check) {
            s.asked.push(check.clone());
            if let Some(announce) = s.announce {
                // Told outside the lock: the provider may ask about other checks.
                drop(s);
                announce(check);
            }
        }
        Lookup::Provisional
    }

    /// The requests recorded by the last recording step.
    pub fn take_asked(&self) -> Vec<SignatureCheck> {
        self.0
            .lock()
            .map(|mut s| std::mem::take(&mut s.asked))
            .unwrap_or_default()
    }

    /// Record the provider's answer to `check`: `true`, it verifies; `false`, it does not.
    /// A check the provider failed to compute (an error, a key it refused) is not an answer:
    /// not added, it is left to the pure-Rust verification ([`Lookup::Verify`]).
    pub fn add(&self, check: SignatureCheck, valid: bool) {
        let mut confirmed = Vec::new();
        if let Ok(mut s) = self.0.lock() {
            s.waiting.retain_mut(|(path, relied)| {
                if !relied.contains(&check) {
                    return true;
                }
                if !valid {
                    return false;
                }
                relied.retain(|c| *c != check);
                if relied.is_empty() {
                    confirmed.push(path.clone());
                    return false;
                }
                true
            });
            s.answers.push((check, valid));
        }
        for path in confirmed {
            path.keep();
        }
    }

    /// Keep `path`, which validated taking the signatures `relied` on as valid for
    /// now, among the validated paths once the provider has confirmed every one of them;
    /// one it refutes drops it. At most [`WAITING_PATHS`] wait.
    pub(super) fn keep_when_confirmed(&self, path: ValidatedPath, mut relied: Vec<SignatureCheck>) {
        let Ok(mut s) = self.0.lock() else {
            return;
        };
        for (c, ok) in &s.answers {
            if relied.contains(c) {
                if !ok {
                    return;
                }
                relied.retain(|r| r != c);
            }
        }
        if relied.is_empty() {
            drop(s);
            path.keep();
        } else if s.waiting.len() < WAITING_PATHS {
            s.waiting.push((path, relied));
        }
    }
}
