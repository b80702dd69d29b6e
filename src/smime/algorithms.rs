//! Digest and signature algorithms for SignedData (RFC 5754 SHA-2 in CMS, RFC 4056
//! RSASSA-PSS in CMS, RFC 5753 / RFC 5758 ECDSA in CMS, RFC 8551 §2.1–2.2).
//!
//! ```text
//! sha1   1.3.14.3.2.26              sha256 2.16.840.1.101.3.4.2.1
//! sha384 2.16.840.1.101.3.4.2.2     sha512 2.16.840.1.101.3.4.2.3
//! rsaEncryption 1.2.840.113549.1.1.1   sha{1,256,384,512}WithRSAEncryption …1.{5,11,12,13}
//! id-RSASSA-PSS 1.2.840.113549.1.1.10  (RSASSA-PSS-params, MGF1 with the same hash)
//! ecdsa-with-SHA{256,384,512} 1.2.840.10045.4.3.{2,3,4}
//! ```
//! Producing: SHA-256/384/512 with RSA PKCS#1 v1.5, RSASSA-PSS (salt = hash length) or ECDSA
//! P-256. Receiving additionally accepts SHA-1 (legacy, RFC 4134 examples) and ECDSA P-384.

use crate::asn1::der::{constructed, primitive};
use crate::asn1::oid::{
    ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512, MGF1, RSASSA_PSS, SHA1_WITH_RSA, SHA256_WITH_RSA,
    SHA384_WITH_RSA, SHA512_WITH_RSA,
};
use crate::trust::{CheckHash, Lookup, SignatureCheck, SignatureChecks};
use der::{asn1::AnyRef, Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

pub use crate::signature::{name, verify_signature, DigestAlg, Hasher, VerifyFailure};

impl DigestAlg {
    /// The hash of a signature a provider may verify ([`SignatureCheck`]; SHA-1 only as
    /// [`CheckHash::Sha1`] says).
    pub fn check_hash(self) -> Option<CheckHash> {
        match self {
            DigestAlg::Sha1 => Some(CheckHash::Sha1),
            DigestAlg::Sha256 => Some(CheckHash::Sha256),
            DigestAlg::Sha384 => Some(CheckHash::Sha384),
            DigestAlg::Sha512 => Some(CheckHash::Sha512),
        }
    }
}

/// RSA padding choice for producing signatures.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RsaPadding {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), signatureAlgorithm `shaXXXWithRSAEncryption`.
    #[default]
    Pkcs1v15,
    /// RSASSA-PSS (RFC 4056), MGF1 with the same hash, salt length = hash length.
    Pss,
}

/// The signatureAlgorithm for RSA PKCS#1 v1.5 with `d`.
pub fn rsa_pkcs1_algorithm(d: DigestAlg) -> AlgorithmIdentifierOwned {
    let oid = match d {
        DigestAlg::Sha1 => SHA1_WITH_RSA,
        DigestAlg::Sha256 => SHA256_WITH_RSA,
        DigestAlg::Sha384 => SHA384_WITH_RSA,
        DigestAlg::Sha512 => SHA512_WITH_RSA,
    };
    AlgorithmIdentifierOwned {
        oid,
        parameters: Some(der::Any::null()),
    }
}

/// The signatureAlgorithm for RSASSA-PSS with `d` (RFC 4055 §3.1 RSASSA-PSS-params).
pub fn rsa_pss_algorithm(d: DigestAlg) -> Result<AlgorithmIdentifierOwned, String> {
    // hashAlgorithm [0], maskGenAlgorithm [1] = mgf1(hash), saltLength [2] = hash length;
    // trailerField default. Hash parameters NULL as OpenSSL emits them.
    let hash = AlgorithmIdentifierOwned {
        oid: d.oid(),
        parameters: Some(der::Any::null()),
    };
    let hash_der = hash.to_der().map_err(|e| e.to_string())?;
    let mgf = AlgorithmIdentifierOwned {
        oid: MGF1,
        parameters: Some(der::Any::from_der(&hash_der).map_err(|e| e.to_string())?),
    };
    let mgf_der = mgf.to_der().map_err(|e| e.to_string())?;
    let salt = primitive(0x02, &[d.output_len() as u8]);
    let params = constructed(
        0x30,
        &[
            &constructed(0xA0, &[&hash_der]),
            &constructed(0xA1, &[&mgf_der]),
            &constructed(0xA2, &[&salt]),
        ],
    );
    Ok(AlgorithmIdentifierOwned {
        oid: RSASSA_PSS,
        parameters: Some(der::Any::from_der(&params).map_err(|e| e.to_string())?),
    })
}

/// The signatureAlgorithm for ECDSA with `d`.
pub fn ecdsa_algorithm(d: DigestAlg) -> AlgorithmIdentifierOwned {
    let oid = match d {
        DigestAlg::Sha1 | DigestAlg::Sha256 => ECDSA_SHA256,
        DigestAlg::Sha384 => ECDSA_SHA384,
        DigestAlg::Sha512 => ECDSA_SHA512,
    };
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// [`verify_signature`], answered first by a provider when `checks` is given
/// ([`crate::trust::SignatureChecks`]: what it confirmed, or took as valid while recording,
/// is valid; anything else is verified here).
pub fn verify_signature_with(
    checks: Option<&SignatureChecks>,
    spki: &SubjectPublicKeyInfoOwned,
    digest: DigestAlg,
    sig_alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyFailure> {
    if let Some(checks) = checks {
        match ask_signature(checks, spki, digest, sig_alg, message, signature) {
            Lookup::Valid | Lookup::Provisional => return Ok(()),
            // Without the pure-Rust provider the provider's "does not verify" stands (only
            // ECDSA, RSASSA-PKCS1-v1_5 and RSASSA-PSS are asked of it,
            // `SignatureCheck::new`), in the words of the Rust verification.
            Lookup::Refuted if !cfg!(feature = "rust-crypto") => {
                return Err(VerifyFailure::Invalid(
                    crate::signature::does_not_verify(spki, sig_alg).into(),
                ));
            }
            Lookup::Refuted | Lookup::Verify => {}
        }
    }
    verify_signature(spki, digest, sig_alg, message, signature)
}

/// What `checks` say of the signature value [`verify_signature_with`] verifies with them:
/// [`Lookup::Verify`] when the provider does not check it, [`Lookup::Refuted`] when it
/// answered that it does not verify (then verified in Rust, where the build has it). Asking
/// again gives the same answer (a recording step records a request once).
pub fn ask_signature(
    checks: &SignatureChecks,
    spki: &SubjectPublicKeyInfoOwned,
    digest: DigestAlg,
    sig_alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Lookup {
    SignatureCheck::new(spki, sig_alg, digest.check_hash(), message, signature)
        .map_or(Lookup::Verify, |c| checks.lookup(&c))
}

/// Encode `AnyRef` helper: parameters NULL.
pub fn null_params() -> Option<der::Any> {
    Some(der::Any::from(AnyRef::NULL))
}
