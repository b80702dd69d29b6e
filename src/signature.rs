//! Signature values and their digests: the digest algorithms (SHA-1 for received legacy
//! messages and certificates, SHA-2, RFC 5754), one-pass hashing, and the pure-Rust
//! verification of RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017 §§8.1–8.2, RFC 4055), ECDSA
//! P-256 / P-384 (RFC 5758 §3.2, RFC 5753) and DSA (RFC 3370 §3.1) signature values — one
//! home for CMS SignerInfos (`smime`) and certificates and CRLs (`trust`, RFC 5280
//! §4.1.1.2). Which algorithms and key sizes are acceptable is
//! [`crate::algorithm_policy`]'s to say, before a value is verified.

use crate::asn1::oid::{
    DSA, DSA_SHA1, DSA_SHA256, ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512, RSASSA_PSS,
    RSA_ENCRYPTION, SHA1, SHA1_WITH_RSA, SHA256, SHA256_WITH_RSA, SHA384, SHA384_WITH_RSA, SHA512,
    SHA512_WITH_RSA,
};
use const_oid::ObjectIdentifier as Oid;
#[cfg(feature = "rust-crypto")]
use der::Encode;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// A digest algorithm we can compute.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum DigestAlg {
    /// SHA-1 (verification of legacy messages only; never produced).
    Sha1,
    /// SHA-256 (default).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlg {
    /// From an AlgorithmIdentifier OID.
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        match *oid {
            SHA1 => Some(DigestAlg::Sha1),
            SHA256 => Some(DigestAlg::Sha256),
            SHA384 => Some(DigestAlg::Sha384),
            SHA512 => Some(DigestAlg::Sha512),
            _ => None,
        }
    }

    /// The OID.
    pub fn oid(self) -> Oid {
        match self {
            DigestAlg::Sha1 => SHA1,
            DigestAlg::Sha256 => SHA256,
            DigestAlg::Sha384 => SHA384,
            DigestAlg::Sha512 => SHA512,
        }
    }

    /// The `micalg` name of RFC 8551 §3.5.3.2 (`sha-256` …).
    pub fn micalg(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "sha-1",
            DigestAlg::Sha256 => "sha-256",
            DigestAlg::Sha384 => "sha-384",
            DigestAlg::Sha512 => "sha-512",
        }
    }

    /// Output length in octets.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlg::Sha1 => 20,
            DigestAlg::Sha256 => 32,
            DigestAlg::Sha384 => 48,
            DigestAlg::Sha512 => 64,
        }
    }

    /// AlgorithmIdentifier with absent parameters (RFC 5754 §2: SHOULD omit).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// Hash `data` in one pass.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finish()
    }
}

/// An incremental hasher (single pass over the content).
pub enum Hasher {
    /// SHA-1.
    Sha1(sha1::Sha1),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(alg: DigestAlg) -> Self {
        match alg {
            DigestAlg::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            DigestAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlg::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            DigestAlg::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }
    /// Feed octets.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }
    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// A short human name of a digest or signature algorithm, else the dotted OID.
pub fn name(oid: &Oid) -> String {
    match *oid {
        SHA1 => "sha-1",
        SHA256 => "sha-256",
        SHA384 => "sha-384",
        SHA512 => "sha-512",
        RSA_ENCRYPTION => "rsa-pkcs1-v1_5",
        SHA1_WITH_RSA => "sha1-with-rsa",
        SHA256_WITH_RSA => "sha256-with-rsa",
        SHA384_WITH_RSA => "sha384-with-rsa",
        SHA512_WITH_RSA => "sha512-with-rsa",
        RSASSA_PSS => "rsassa-pss",
        ECDSA_SHA256 => "ecdsa-with-sha256",
        ECDSA_SHA384 => "ecdsa-with-sha384",
        ECDSA_SHA512 => "ecdsa-with-sha512",
        DSA => "dsa",
        DSA_SHA1 => "dsa-with-sha1",
        DSA_SHA256 => "dsa-with-sha256",
        _ => return oid.to_string(),
    }
    .to_string()
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyFailure {
    /// The algorithm (or key type) is not supported: code `unsupported-algorithm`.
    Unsupported(String),
    /// The signature is wrong: code `signature-invalid`.
    Invalid(String),
    /// The core implements the algorithm but this build's provider cannot check it (a build
    /// without the pure-Rust provider, the signature outside what WebCrypto is asked):
    /// code `provider-unsupported` ([`crate::trust::PROVIDER_UNSUPPORTED`]).
    NoProvider(String),
}

/// The hash of RSASSA-PSS-params and the salt length (`algorithm_policy::pss_params`).
#[cfg(feature = "rust-crypto")]
fn pss_params(params: Option<&der::Any>) -> Result<(DigestAlg, usize), VerifyFailure> {
    use crate::algorithm_policy::PssParamsError;
    let p = crate::algorithm_policy::pss_params(params).map_err(|e| match e {
        PssParamsError::Malformed(m) => VerifyFailure::Invalid(m),
        PssParamsError::Unsupported(m) => VerifyFailure::Unsupported(m),
    })?;
    let hash = DigestAlg::from_oid(&p.hash)
        .ok_or_else(|| VerifyFailure::Unsupported(format!("PSS hash {}", p.hash)))?;
    Ok((hash, p.salt))
}

/// What a signature value that does not verify is reported as — by the pure-Rust
/// verification, and in a build without it when the provider refutes the value.
const ECDSA_DOES_NOT_VERIFY: &str = "ECDSA signature does not verify";
/// See [`ECDSA_DOES_NOT_VERIFY`].
const PSS_DOES_NOT_VERIFY: &str = "RSASSA-PSS signature does not verify";
/// See [`ECDSA_DOES_NOT_VERIFY`].
const RSA_DOES_NOT_VERIFY: &str = "RSA signature does not verify";

/// What the pure-Rust verification reports of a value of `sig_alg` by `spki` that does not
/// verify: the words a build without it uses when the provider refutes the value (only
/// ECDSA, RSASSA-PKCS1-v1_5 and RSASSA-PSS values are asked of a provider).
pub(crate) fn does_not_verify(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
) -> &'static str {
    if spki.algorithm.oid == crate::asn1::oid::EC_PUBLIC_KEY {
        ECDSA_DOES_NOT_VERIFY
    } else if sig_alg.oid == RSASSA_PSS {
        PSS_DOES_NOT_VERIFY
    } else {
        RSA_DOES_NOT_VERIFY
    }
}

/// Verify `signature` over `message` (the DER signed attributes, or the content when there
/// are none) with the signer's public key, with the pure-Rust provider; a build without it
/// answers [`VerifyFailure::NoProvider`]. `digest` is the SignerInfo's digestAlgorithm
/// (RFC 5652 §5.4: the message digest is computed with it).
#[cfg(not(feature = "rust-crypto"))]
pub fn verify_signature(
    _spki: &SubjectPublicKeyInfoOwned,
    _digest: DigestAlg,
    sig_alg: &AlgorithmIdentifierOwned,
    _message: &[u8],
    _signature: &[u8],
) -> Result<(), VerifyFailure> {
    Err(VerifyFailure::NoProvider(format!(
        "a {} signature value, which this build's crypto provider (WebCrypto) is not asked to check",
        name(&sig_alg.oid)
    )))
}

/// Verify `signature` over `message` (the DER signed attributes, or the content when there
/// are none) with the signer's public key. `digest` is the SignerInfo's digestAlgorithm
/// (RFC 5652 §5.4: the message digest is computed with it).
#[cfg(feature = "rust-crypto")]
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    digest: DigestAlg,
    sig_alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyFailure> {
    use crate::asn1::oid::{EC_PUBLIC_KEY, P256, P384};
    use signature::hazmat::PrehashVerifier;
    let key_oid = spki.algorithm.oid;
    let sig_oid = sig_alg.oid;
    if key_oid == RSA_ENCRYPTION || key_oid == RSASSA_PSS {
        let spki_der = spki
            .to_der()
            .map_err(|e| VerifyFailure::Invalid(format!("bad public key: {e}")))?;
        let key = {
            use rsa::pkcs8::DecodePublicKey;
            rsa::RsaPublicKey::from_public_key_der(&spki_der).or_else(|_| {
                use rsa::pkcs1::DecodeRsaPublicKey;
                rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes())
            })
        }
        .map_err(|e| VerifyFailure::Invalid(format!("bad RSA public key: {e}")))?;
        if sig_oid == RSASSA_PSS {
            let (hash, salt) = pss_params(sig_alg.parameters.as_ref())?;
            let hashed = hash.hash(message);
            let r = match hash {
                DigestAlg::Sha1 => key.verify(
                    rsa::Pss::<sha1::Sha1>::new_with_salt(salt),
                    &hashed,
                    signature,
                ),
                DigestAlg::Sha256 => key.verify(
                    rsa::Pss::<sha2::Sha256>::new_with_salt(salt),
                    &hashed,
                    signature,
                ),
                DigestAlg::Sha384 => key.verify(
                    rsa::Pss::<sha2::Sha384>::new_with_salt(salt),
                    &hashed,
                    signature,
                ),
                DigestAlg::Sha512 => key.verify(
                    rsa::Pss::<sha2::Sha512>::new_with_salt(salt),
                    &hashed,
                    signature,
                ),
            };
            return r.map_err(|_| VerifyFailure::Invalid(PSS_DOES_NOT_VERIFY.into()));
        }
        let hash = match sig_oid {
            RSA_ENCRYPTION => digest,
            SHA1_WITH_RSA => DigestAlg::Sha1,
            SHA256_WITH_RSA => DigestAlg::Sha256,
            SHA384_WITH_RSA => DigestAlg::Sha384,
            SHA512_WITH_RSA => DigestAlg::Sha512,
            other => {
                return Err(VerifyFailure::Unsupported(format!(
                    "signature algorithm {other} with an RSA key"
                )))
            }
        };
        let hashed = hash.hash(message);
        let scheme = match hash {
            DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        };
        return key
            .verify(scheme, &hashed, signature)
            .map_err(|_| VerifyFailure::Invalid(RSA_DOES_NOT_VERIFY.into()));
    }
    if key_oid == EC_PUBLIC_KEY {
        let hash = match sig_oid {
            // A bare id-ecPublicKey signs the digestAlgorithm's hash (RFC 5753 §2.1.1 names
            // ecdsa-with-*, but many implementations write the key algorithm).
            EC_PUBLIC_KEY => digest,
            ECDSA_SHA256 => DigestAlg::Sha256,
            ECDSA_SHA384 => DigestAlg::Sha384,
            ECDSA_SHA512 => DigestAlg::Sha512,
            other => {
                return Err(VerifyFailure::Unsupported(format!(
                    "signature algorithm {other} with an EC key"
                )))
            }
        };
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<Oid>().ok());
        let point = spki.subject_public_key.raw_bytes();
        let prehash = hash.hash(message);
        return match curve {
            Some(P256) => {
                let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|e| VerifyFailure::Invalid(format!("bad P-256 key: {e}")))?;
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| VerifyFailure::Invalid("malformed ECDSA signature".into()))?;
                vk.verify_prehash(&prehash, &sig)
                    .map_err(|_| VerifyFailure::Invalid(ECDSA_DOES_NOT_VERIFY.into()))
            }
            Some(P384) => {
                let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|e| VerifyFailure::Invalid(format!("bad P-384 key: {e}")))?;
                let sig = p384::ecdsa::Signature::from_der(signature)
                    .map_err(|_| VerifyFailure::Invalid("malformed ECDSA signature".into()))?;
                vk.verify_prehash(&prehash, &sig)
                    .map_err(|_| VerifyFailure::Invalid(ECDSA_DOES_NOT_VERIFY.into()))
            }
            other => Err(VerifyFailure::Unsupported(format!(
                "EC curve {}",
                other
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "(none)".into())
            ))),
        };
    }
    if key_oid == DSA {
        // Legacy receive-only (RFC 3370 §3.1): id-dsa or id-dsa-with-sha1 / dsa-with-sha256
        // over the digestAlgorithm's hash.
        let hash = match sig_oid {
            DSA | DSA_SHA1 => digest,
            DSA_SHA256 => DigestAlg::Sha256,
            other => {
                return Err(VerifyFailure::Unsupported(format!(
                    "signature algorithm {other} with a DSA key"
                )))
            }
        };
        let spki_der = spki
            .to_der()
            .map_err(|e| VerifyFailure::Invalid(format!("bad public key: {e}")))?;
        use dsa::pkcs8::DecodePublicKey;
        let vk = dsa::VerifyingKey::from_public_key_der(&spki_der)
            .map_err(|e| VerifyFailure::Unsupported(format!("DSA public key: {e}")))?;
        let sig = dsa::Signature::try_from(signature)
            .map_err(|_| VerifyFailure::Invalid("malformed DSA signature".into()))?;
        return vk
            .verify_prehash(&hash.hash(message), &sig)
            .map_err(|_| VerifyFailure::Invalid("DSA signature does not verify".into()));
    }
    Err(VerifyFailure::Unsupported(format!(
        "public key algorithm {key_oid}"
    )))
}
