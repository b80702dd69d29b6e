//! Signature verification with a certificate's public key — shared by path validation and
//! by the CMS signer-signature check.
//!
//! Supported (RFC 8551 §2.2, RFC 5754, RFC 4055, RFC 5758):
//! - RSASSA-PKCS1-v1_5 with SHA-256/384/512 (`sha{256,384,512}WithRSAEncryption`, or
//!   `rsaEncryption` plus a digest algorithm as CMS allows, RFC 5754 §3.2),
//! - RSASSA-PSS (`id-RSASSA-PSS` with its parameters: SHA-256/384/512, MGF1 with the same hash),
//! - ECDSA P-256 / P-384 (/ P-521) with SHA-256/384/512 (`ecdsa-with-SHA*`, or
//!   `id-ecPublicKey` plus a digest algorithm, RFC 5753 §2.1.1).
//!
//! SHA-1 and MD5 based signatures are refused (`signature-algorithm-weak`). The actual
//! arithmetic is certval's `verify_signature_message_rust_crypto` (RustCrypto `rsa`, `p256`,
//! `p384`, `p521`); this module normalises CMS algorithm identifiers to the X.509 ones it expects
//! and maps its errors to our codes.

use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY, ID_RSASSA_PSS,
    ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512, MD_2_WITH_RSA_ENCRYPTION,
    MD_5_WITH_RSA_ENCRYPTION, RSA_ENCRYPTION, SHA_1_WITH_RSA_ENCRYPTION,
    SHA_256_WITH_RSA_ENCRYPTION, SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use der::asn1::BitString;
use der::oid::ObjectIdentifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::Error;

/// `ecdsa-with-SHA1` (RFC 3279 §2.2.3), refused as weak.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// Verify `sig` over `msg` with the public key `spki`, for the X.509-style signature algorithm
/// `alg` (e.g. `sha256WithRSAEncryption`, `id-RSASSA-PSS` with parameters, `ecdsa-with-SHA256`).
/// The message is hashed here (single pass). ECDSA signatures are DER `Ecdsa-Sig-Value`.
///
/// For a CMS `SignerInfo` whose `signatureAlgorithm` is a bare key algorithm (`rsaEncryption`,
/// `id-ecPublicKey`), use [`verify_signer_signature`], which takes the `digestAlgorithm` too.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    refuse_weak(&alg.oid)?;
    let known = [
        SHA_256_WITH_RSA_ENCRYPTION,
        SHA_384_WITH_RSA_ENCRYPTION,
        SHA_512_WITH_RSA_ENCRYPTION,
        ID_RSASSA_PSS,
        ECDSA_WITH_SHA_256,
        ECDSA_WITH_SHA_384,
        ECDSA_WITH_SHA_512,
    ];
    if !known.contains(&alg.oid) {
        return Err(Error::UnsupportedAlgorithm(alg.oid.to_string()));
    }
    let key_oid = spki.algorithm.oid;
    let is_ec_alg = [ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512].contains(&alg.oid);
    if is_ec_alg && key_oid != ID_EC_PUBLIC_KEY {
        return Err(Error::UnsupportedAlgorithm(format!(
            "ECDSA signature with a {key_oid} key"
        )));
    }
    if !is_ec_alg && key_oid != RSA_ENCRYPTION && key_oid != ID_RSASSA_PSS {
        return Err(Error::UnsupportedAlgorithm(format!(
            "RSA signature with a {key_oid} key"
        )));
    }
    let bits = BitString::from_bytes(sig).map_err(|e| Error::BadKey(e.to_string()))?;
    let pe = environment();
    match certval::verify_signature_message_rust_crypto(&pe, msg, &bits, alg, spki) {
        Ok(()) => Ok(()),
        Err(certval::Error::PathValidation(
            certval::PathValidationStatus::SignatureVerificationFailure,
        )) => Err(Error::SignatureInvalid),
        Err(certval::Error::PathValidation(certval::PathValidationStatus::EncodingError)) => Err(
            Error::BadKey("public key, parameters or signature do not decode".into()),
        ),
        Err(certval::Error::Unrecognized) => Err(Error::UnsupportedAlgorithm(format!(
            "{} with a {} key",
            alg.oid, key_oid
        ))),
        Err(e) => Err(Error::BadKey(format!("{e:?}"))),
    }
}

/// Verify a CMS signer's signature (RFC 5652 §5.6): like [`verify_signature`], but also accepts
/// the bare key algorithms CMS allows in `SignerInfo.signatureAlgorithm` — `rsaEncryption`
/// (RFC 5754 §3.2) and `id-ecPublicKey` (accepted by many implementations) — by combining them
/// with `digest_alg` (`id-sha256` / `id-sha384` / `id-sha512`).
pub fn verify_signer_signature(
    spki: &SubjectPublicKeyInfoOwned,
    digest_alg: &AlgorithmIdentifierOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    refuse_weak(&digest_alg.oid)?;
    let combined = |rsa: bool| -> Result<AlgorithmIdentifierOwned, Error> {
        let oid = match (rsa, digest_alg.oid) {
            (true, ID_SHA_256) => SHA_256_WITH_RSA_ENCRYPTION,
            (true, ID_SHA_384) => SHA_384_WITH_RSA_ENCRYPTION,
            (true, ID_SHA_512) => SHA_512_WITH_RSA_ENCRYPTION,
            (false, ID_SHA_256) => ECDSA_WITH_SHA_256,
            (false, ID_SHA_384) => ECDSA_WITH_SHA_384,
            (false, ID_SHA_512) => ECDSA_WITH_SHA_512,
            (_, other) => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "digest algorithm {other}"
                )))
            }
        };
        Ok(AlgorithmIdentifierOwned {
            oid,
            // RFC 4055 §5: NULL parameters for sha*WithRSAEncryption; RFC 5758 §3.2: absent
            // for ECDSA. certval does not look at them.
            parameters: None,
        })
    };
    match sig_alg.oid {
        RSA_ENCRYPTION => verify_signature(spki, &combined(true)?, msg, sig),
        ID_EC_PUBLIC_KEY => verify_signature(spki, &combined(false)?, msg, sig),
        _ => verify_signature(spki, sig_alg, msg, sig),
    }
}

fn refuse_weak(oid: &ObjectIdentifier) -> Result<(), Error> {
    let weak = [
        ID_SHA_1,
        SHA_1_WITH_RSA_ENCRYPTION,
        MD_5_WITH_RSA_ENCRYPTION,
        MD_2_WITH_RSA_ENCRYPTION,
        ECDSA_WITH_SHA_1,
    ];
    if weak.contains(oid) {
        return Err(Error::WeakAlgorithm(oid.to_string()));
    }
    Ok(())
}

/// A certval environment with the RFC 5280 callbacks (hashing and signature verification with
/// RustCrypto); no trust anchors, no sources.
pub(crate) fn environment() -> certval::PkiEnvironment {
    let mut pe = certval::PkiEnvironment::new();
    pe.populate_5280_pki_environment();
    pe
}
