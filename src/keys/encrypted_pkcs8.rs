//! Password-encrypted PKCS#8 (RFC 5958 `EncryptedPrivateKeyInfo`, PEM label
//! `ENCRYPTED PRIVATE KEY`, RFC 7468 §11) for keeping a private key at rest.
//!
//! Export: PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256 ([`DEFAULT_PBKDF2_ITERATIONS`]
//! iterations, 16-octet random salt) and AES-256-CBC (random IV) — what `openssl pkcs8
//! -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` writes, readable by OpenSSL.
//! Import: PBES2 (PBKDF2 with SHA-1/SHA-2 PRFs, scrypt; AES-CBC/GCM) and the legacy PKCS#12
//! PBEs (3DES, RC2), see [`super::pbe`]. The decrypted PKCS#8 octets are zeroized.

use der::{Decode, Encode};
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

/// RFC 5958 `EncryptedPrivateKeyInfo`.
#[derive(der::Sequence)]
struct Epki {
    alg: AlgorithmIdentifierOwned,
    data: der::asn1::OctetString,
}

/// The hash of PBKDF2's PRF, HMAC (RFC 8018 §B.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pbkdf2Hash {
    /// hmacWithSHA256.
    Sha256,
    /// hmacWithSHA384.
    Sha384,
    /// hmacWithSHA512.
    Sha512,
}

/// The PBKDF2 derivation (RFC 8018 §5.2) a stored key's PBES2 encryption needs, for a
/// provider to compute from the password's UTF-8 octets ([`PendingKeyImport`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pbkdf2Request {
    /// The PRF's hash.
    pub hash: Pbkdf2Hash,
    /// The salt.
    pub salt: Vec<u8>,
    /// The iteration count (at most the import's limit).
    pub iterations: u32,
    /// The key length in octets (that of the AES key).
    pub key_len: usize,
}

/// An `ENCRYPTED PRIVATE KEY` in PBES2 with PBKDF2 and AES-CBC (RFC 8018 §6.2, what
/// [`export_encrypted_pkcs8`] and OpenSSL write) whose key derivation — the costly part,
/// [`DEFAULT_PBKDF2_ITERATIONS`] HMACs — is a provider's ([`Self::request`]); the AES-CBC
/// decryption and the PKCS#8 are the core's ([`Self::finish`]).
pub struct PendingKeyImport {
    request: Pbkdf2Request,
    iv: [u8; 16],
    ciphertext: Vec<u8>,
}

/// Begin [`import_encrypted_pkcs8`] with the PBKDF2 step left to a provider: `None` unless
/// the first key of `pem` is an `ENCRYPTED PRIVATE KEY` in PBES2 with PBKDF2 (HMAC with
/// SHA-256, SHA-384 or SHA-512, within the iteration limit) and AES-CBC, well formed —
/// [`import_encrypted_pkcs8`] then does the whole import (and gives its error; it reads no
/// hmacWithSHA1 either).
pub fn begin_import_encrypted_pkcs8(pem: &str) -> Option<PendingKeyImport> {
    use pkcs8::pkcs5::pbes2::{EncryptionScheme as Cipher, Kdf, Pbkdf2Prf};
    use pkcs8::pkcs5::EncryptionScheme;
    let der = pem_blocks(pem).find_map(|block| match block {
        Ok((label, der)) if label == "ENCRYPTED PRIVATE KEY" => Some(Some(der)),
        Ok((label, _))
            if matches!(
                label.as_str(),
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"
            ) =>
        {
            Some(None)
        }
        Err(_) => Some(None),
        Ok(_) => None,
    })??;
    let epki = Epki::from_der(&der).ok()?;
    if epki.alg.oid != crate::asn1::oid::PBES2 {
        return None;
    }
    let scheme = EncryptionScheme::from_der(&epki.alg.to_der().ok()?).ok()?;
    let params = scheme.pbes2()?;
    let Kdf::Pbkdf2(kdf) = &params.kdf else {
        return None;
    };
    let (key_len, iv) = match params.encryption {
        Cipher::Aes128Cbc { iv } => (16, iv),
        Cipher::Aes192Cbc { iv } => (24, iv),
        Cipher::Aes256Cbc { iv } => (32, iv),
        _ => return None,
    };
    let hash = match kdf.prf {
        Pbkdf2Prf::HmacWithSha256 => Pbkdf2Hash::Sha256,
        Pbkdf2Prf::HmacWithSha384 => Pbkdf2Hash::Sha384,
        Pbkdf2Prf::HmacWithSha512 => Pbkdf2Hash::Sha512,
        _ => return None,
    };
    if u64::from(kdf.iteration_count) > pbe::MAX_ITERATIONS
        || kdf.iteration_count == 0
        || kdf.key_length.is_some_and(|l| usize::from(l) != key_len)
    {
        return None;
    }
    Some(PendingKeyImport {
        request: Pbkdf2Request {
            hash,
            salt: kdf.salt.as_ref().to_vec(),
            iterations: kdf.iteration_count,
            key_len,
        },
        iv,
        ciphertext: epki.data.as_bytes().to_vec(),
    })
}

impl PendingKeyImport {
    /// The key derivation to compute.
    pub fn request(&self) -> &Pbkdf2Request {
        &self.request
    }

    /// The key, decrypted with the provider's derived key (AES-CBC, RFC 8018 §6.2.2):
    /// `key-bad-password` when the padding or the PKCS#8 does not come out, as
    /// [`import_encrypted_pkcs8`] says for a wrong password.
    pub fn finish(self, derived: &[u8]) -> Result<PrivateKey, Error> {
        use cipher::block_padding::Pkcs7;
        use cipher::{BlockModeDecrypt, KeyIvInit};
        if derived.len() != self.request.key_len {
            return Err(Error::Malformed(format!(
                "the provider's PBKDF2 key has {} octets, not {}",
                derived.len(),
                self.request.key_len
            )));
        }
        let (iv, ct) = (&self.iv, self.ciphertext.as_slice());
        let internal = |_| Error::Malformed("cipher setup failed".into());
        let plain = match self.request.key_len {
            16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(derived, iv)
                .map_err(internal)?
                .decrypt_padded_vec::<Pkcs7>(ct),
            24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(derived, iv)
                .map_err(internal)?
                .decrypt_padded_vec::<Pkcs7>(ct),
            _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(derived, iv)
                .map_err(internal)?
                .decrypt_padded_vec::<Pkcs7>(ct),
        }
        .map(zeroize::Zeroizing::new)
        .map_err(|_| Error::KeyBadPassword)?;
        PrivateKey::from_pkcs8_der(&plain).map_err(|_| Error::KeyBadPassword)
    }
}

/// Decrypt a DER `EncryptedPrivateKeyInfo`.
pub(crate) fn decrypt_der(der: &[u8], password: &str) -> Result<PrivateKey, Error> {
    let epki = Epki::from_der(der)
        .map_err(|e| Error::Malformed(format!("bad EncryptedPrivateKeyInfo: {e}")))?;
    let pt = pbe::decrypt(&epki.alg, password, epki.data.as_bytes()).map_err(|e| match e {
        PbeError::BadPassword => Error::KeyBadPassword,
        PbeError::Other(e) => e,
    })?;
    PrivateKey::from_pkcs8_der(&pt).map_err(|_| Error::KeyBadPassword)
}
