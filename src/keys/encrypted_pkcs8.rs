//! Password-encrypted PKCS#8 (RFC 5958 `EncryptedPrivateKeyInfo`, PEM label
//! `ENCRYPTED PRIVATE KEY`, RFC 7468 §11) for keeping a private key at rest.
//!
//! Export: PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256 ([`DEFAULT_PBKDF2_ITERATIONS`]
//! iterations, 16-octet random salt) and AES-256-CBC (random IV) — what `openssl pkcs8
//! -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` writes, readable by OpenSSL.
//! Import: PBES2 (PBKDF2 with SHA-1/SHA-2 PRFs, scrypt; AES-CBC/GCM) and the legacy PKCS#12
//! PBEs (3DES, RC2), see [`super::pbe`]. The decrypted PKCS#8 octets are zeroized.

use der::Decode;
use pkcs8::pkcs5::pbes2;
use spki::AlgorithmIdentifierOwned;

use super::pbe::{self, PbeError};
use super::{pem_blocks, Error, PrivateKey};
use crate::rng::CryptoRng;

/// PBKDF2-HMAC-SHA256 iterations used by [`export_encrypted_pkcs8`] (OWASP 2023
/// recommendation for PBKDF2-HMAC-SHA256).
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 600_000;

/// Export `key` as an `ENCRYPTED PRIVATE KEY` PEM (PBES2: PBKDF2-HMAC-SHA256 with
/// [`DEFAULT_PBKDF2_ITERATIONS`] + AES-256-CBC).
pub fn export_encrypted_pkcs8<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    password: &str,
    rng: &mut R,
) -> Result<String, Error> {
    export_encrypted_pkcs8_with_iterations(key, password, DEFAULT_PBKDF2_ITERATIONS, rng)
}

/// As [`export_encrypted_pkcs8`] with an explicit PBKDF2 iteration count (≥ 10 000).
pub fn export_encrypted_pkcs8_with_iterations<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    password: &str,
    iterations: u32,
    rng: &mut R,
) -> Result<String, Error> {
    if iterations < 10_000 {
        return Err(Error::ExportFailed(
            "refusing fewer than 10000 PBKDF2 iterations".into(),
        ));
    }
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut iv);
    let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &salt, iv)
        .map_err(|e| Error::ExportFailed(format!("PBES2 parameters: {e}")))?;
    let plain = key.to_pkcs8_der()?;
    let info = pkcs8::PrivateKeyInfoRef::from_der(plain.as_bytes())
        .map_err(|e| Error::ExportFailed(e.to_string()))?;
    let enc = info
        .encrypt_with_params(params, password)
        .map_err(|e| Error::ExportFailed(format!("encrypting the key: {e}")))?;
    enc.to_pem("ENCRYPTED PRIVATE KEY", der::pem::LineEnding::LF)
        .map(|s| s.to_string())
        .map_err(|e| Error::ExportFailed(e.to_string()))
}

/// Import an `ENCRYPTED PRIVATE KEY` PEM (or an unencrypted `PRIVATE KEY` /
/// `RSA PRIVATE KEY` / `EC PRIVATE KEY`, for which the password is ignored).
///
/// Errors: `key-bad-password`, `keys-unsupported-algorithm`, `keys-malformed`.
pub fn import_encrypted_pkcs8(pem: &str, password: &str) -> Result<PrivateKey, Error> {
    for block in pem_blocks(pem) {
        let (label, der) = block?;
        if label == "ENCRYPTED PRIVATE KEY" {
            return decrypt_der(&der, password);
        }
        if matches!(
            label.as_str(),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"
        ) {
            return PrivateKey::from_pem(pem);
        }
    }
    Err(Error::Malformed(
        "no private key found in the PEM text".into(),
    ))
}

/// Decrypt a DER `EncryptedPrivateKeyInfo`.
pub(crate) fn decrypt_der(der: &[u8], password: &str) -> Result<PrivateKey, Error> {
    #[derive(der::Sequence)]
    struct Epki {
        alg: AlgorithmIdentifierOwned,
        data: der::asn1::OctetString,
    }
    let epki = Epki::from_der(der)
        .map_err(|e| Error::Malformed(format!("bad EncryptedPrivateKeyInfo: {e}")))?;
    let pt = pbe::decrypt(&epki.alg, password, epki.data.as_bytes()).map_err(|e| match e {
        PbeError::BadPassword => Error::KeyBadPassword,
        PbeError::Other(e) => e,
    })?;
    PrivateKey::from_pkcs8_der(&pt).map_err(|_| Error::KeyBadPassword)
}
