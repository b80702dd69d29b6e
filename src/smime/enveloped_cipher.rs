//! Content-encryption algorithms for EnvelopedData / AuthEnvelopedData.
//!
//! - AES-CBC (RFC 3565 §4.1, parameters `AES-IV ::= OCTET STRING (SIZE(16))`), 128/192/256:
//!   produce and read. PKCS#7 padding (RFC 5652 §6.3).
//! - AES-GCM (RFC 5084 §3.2), 128/192/256 on receipt, 128/256 produced:
//!   ```text
//!   GCMParameters ::= SEQUENCE {
//!     aes-nonce        OCTET STRING, -- recommended size is 12 octets
//!     aes-ICVlen       AES-GCM-ICVlen DEFAULT 12 }
//!   AES-GCM-ICVlen ::= INTEGER (12 | 13 | 14 | 15 | 16)
//!   ```
//!   We produce a 12-octet nonce and a 16-octet ICV (stated explicitly).
//! - des-ede3-cbc (RFC 2630 / RFC 4134 examples): read only, for old mail.
//!
//! The content-encryption key is zeroized after use by the callers (it lives in
//! `Zeroizing` buffers).

use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::AeadInOut;
use aes_gcm::{AesGcm, KeyInit};
use cipher::block_padding::Pkcs7;
use cipher::typenum::{U12, U13, U14, U15, U16};
use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Any, Decode, Encode, Sequence, Tag};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::Error;
use crate::asn1::oid::{
    AES128_CBC, AES128_GCM, AES192_CBC, AES192_GCM, AES256_CBC, AES256_GCM, DES_EDE3_CBC, RC2_CBC,
};
use crate::rng::CryptoRng;

/// RFC 5084 GCMParameters.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct GcmParameters {
    pub nonce: OctetString,
    #[asn1(default = "default_icv_len")]
    pub icv_len: u8,
}

fn default_icv_len() -> u8 {
    12
}

/// A content cipher we can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ContentCipher {
    /// AES-128-CBC in EnvelopedData (RFC 3565) — RFC 8551 MUST-.
    Aes128Cbc,
    /// AES-256-CBC in EnvelopedData.
    Aes256Cbc,
    /// AES-128-GCM in AuthEnvelopedData (RFC 5083/5084) — RFC 8551 MUST.
    Aes128Gcm,
    /// AES-256-GCM in AuthEnvelopedData — RFC 8551 MUST, preferred.
    Aes256Gcm,
}

impl ContentCipher {
    /// Key length in octets.
    pub fn key_len(self) -> usize {
        match self {
            ContentCipher::Aes128Cbc | ContentCipher::Aes128Gcm => 16,
            ContentCipher::Aes256Cbc | ContentCipher::Aes256Gcm => 32,
        }
    }

    /// Whether this cipher needs AuthEnvelopedData.
    pub fn is_aead(self) -> bool {
        matches!(self, ContentCipher::Aes128Gcm | ContentCipher::Aes256Gcm)
    }

    /// Algorithm OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            ContentCipher::Aes128Cbc => AES128_CBC,
            ContentCipher::Aes256Cbc => AES256_CBC,
            ContentCipher::Aes128Gcm => AES128_GCM,
            ContentCipher::Aes256Gcm => AES256_GCM,
        }
    }

    /// Stable name, as reported in [`super::Decrypted::content_cipher`].
    pub fn name(self) -> &'static str {
        match self {
            ContentCipher::Aes128Cbc => "aes-128-cbc",
            ContentCipher::Aes256Cbc => "aes-256-cbc",
            ContentCipher::Aes128Gcm => "aes-128-gcm",
            ContentCipher::Aes256Gcm => "aes-256-gcm",
        }
    }
}

/// Human name of a content-encryption OID (for reports and errors).
pub(crate) fn cipher_name(oid: &ObjectIdentifier) -> String {
    let name = match *oid {
        AES128_CBC => "aes-128-cbc",
        AES192_CBC => "aes-192-cbc",
        AES256_CBC => "aes-256-cbc",
        AES128_GCM => "aes-128-gcm",
        AES192_GCM => "aes-192-gcm",
        AES256_GCM => "aes-256-gcm",
        DES_EDE3_CBC => "des-ede3-cbc",
        RC2_CBC => "rc2-cbc",
        _ => return oid.to_string(),
    };
    name.to_string()
}

/// Key length in octets needed by a content-encryption algorithm we can decrypt.
pub(crate) fn key_len_for(alg: &AlgorithmIdentifierOwned) -> Result<usize, Error> {
    Ok(match alg.oid {
        AES128_CBC | AES128_GCM => 16,
        AES192_CBC | AES192_GCM | DES_EDE3_CBC => 24,
        AES256_CBC | AES256_GCM => 32,
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "content-encryption algorithm {} is not supported",
                cipher_name(&other)
            )))
        }
    })
}

/// Encrypt with a CBC cipher: returns (ciphertext, algorithm identifier with the IV).
pub(crate) fn encrypt_cbc<R: CryptoRng + ?Sized>(
    cipher: ContentCipher,
    key: &[u8],
    plaintext: &[u8],
    rng: &mut R,
) -> Result<(Vec<u8>, AlgorithmIdentifierOwned), Error> {
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut iv);
    let bad_key = |_| Error::EncryptFailed("bad content key length".into());
    let ct = match cipher {
        ContentCipher::Aes128Cbc => cbc::Encryptor::<Aes128>::new_from_slices(key, &iv)
            .map_err(bad_key)?
            .encrypt_padded_vec::<Pkcs7>(plaintext),
        ContentCipher::Aes256Cbc => cbc::Encryptor::<Aes256>::new_from_slices(key, &iv)
            .map_err(bad_key)?
            .encrypt_padded_vec::<Pkcs7>(plaintext),
        _ => return Err(Error::EncryptFailed("not a CBC cipher".into())),
    };
    let params = Any::new(Tag::OctetString, iv.to_vec())
        .map_err(|e| Error::EncryptFailed(format!("encoding the IV: {e}")))?;
    Ok((
        ct,
        AlgorithmIdentifierOwned {
            oid: cipher.oid(),
            parameters: Some(params),
        },
    ))
}

/// Encrypt with AES-GCM: returns (ciphertext, tag, algorithm identifier).
/// `aad` is the DER of the authenticated attributes, or empty.
pub(crate) fn encrypt_gcm<R: CryptoRng + ?Sized>(
    cipher: ContentCipher,
    key: &[u8],
    plaintext: &[u8],
    aad: &[u8],
    rng: &mut R,
) -> Result<(Vec<u8>, Vec<u8>, AlgorithmIdentifierOwned), Error> {
    let mut nonce = [0u8; 12];
    rng.fill_bytes(&mut nonce);
    let mut buf = plaintext.to_vec();
    let fail = |_| Error::EncryptFailed("AES-GCM encryption failed".into());
    let tag = match cipher {
        ContentCipher::Aes128Gcm => AesGcm::<Aes128, U12, U16>::new_from_slice(key)
            .map_err(|_| Error::EncryptFailed("bad content key length".into()))?
            .encrypt_inout_detached((&nonce).into(), aad, buf.as_mut_slice().into())
            .map_err(fail)?
            .to_vec(),
        ContentCipher::Aes256Gcm => AesGcm::<Aes256, U12, U16>::new_from_slice(key)
            .map_err(|_| Error::EncryptFailed("bad content key length".into()))?
            .encrypt_inout_detached((&nonce).into(), aad, buf.as_mut_slice().into())
            .map_err(fail)?
            .to_vec(),
        _ => return Err(Error::EncryptFailed("not a GCM cipher".into())),
    };
    let params = GcmParameters {
        nonce: OctetString::new(nonce.to_vec()).map_err(|e| Error::EncryptFailed(e.to_string()))?,
        icv_len: 16,
    };
    let params_der = params
        .to_der()
        .map_err(|e| Error::EncryptFailed(e.to_string()))?;
    let any = Any::from_der(&params_der).map_err(|e| Error::EncryptFailed(e.to_string()))?;
    Ok((
        buf,
        tag,
        AlgorithmIdentifierOwned {
            oid: cipher.oid(),
            parameters: Some(any),
        },
    ))
}

fn iv_param(alg: &AlgorithmIdentifierOwned, len: usize) -> Result<Vec<u8>, Error> {
    let p = alg
        .parameters
        .as_ref()
        .ok_or_else(|| Error::Malformed("content-encryption algorithm has no IV".into()))?;
    let iv = p
        .decode_as::<OctetString>()
        .map_err(|e| Error::Malformed(format!("bad IV parameter: {e}")))?;
    if iv.as_bytes().len() != len {
        return Err(Error::Malformed(format!(
            "IV must be {len} octets, got {}",
            iv.as_bytes().len()
        )));
    }
    Ok(iv.as_bytes().to_vec())
}

/// Decrypt EnvelopedData content (CBC ciphers). Padding errors become `decrypt-failed`.
pub(crate) fn decrypt_cbc(
    alg: &AlgorithmIdentifierOwned,
    key: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, Error> {
    let bad_key = |_| Error::DecryptFailed("content key has the wrong length".into());
    let pad = |_| {
        Error::DecryptFailed(
            "content did not decrypt (bad padding): wrong key or corrupted message".into(),
        )
    };
    match alg.oid {
        AES128_CBC => {
            let iv = iv_param(alg, 16)?;
            cbc::Decryptor::<Aes128>::new_from_slices(key, &iv)
                .map_err(bad_key)?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(pad)
        }
        AES192_CBC => {
            let iv = iv_param(alg, 16)?;
            cbc::Decryptor::<Aes192>::new_from_slices(key, &iv)
                .map_err(bad_key)?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(pad)
        }
        AES256_CBC => {
            let iv = iv_param(alg, 16)?;
            cbc::Decryptor::<Aes256>::new_from_slices(key, &iv)
                .map_err(bad_key)?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(pad)
        }
        DES_EDE3_CBC => {
            let iv = iv_param(alg, 8)?;
            cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, &iv)
                .map_err(bad_key)?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(pad)
        }
        other => Err(Error::UnsupportedAlgorithm(format!(
            "content-encryption algorithm {} is not supported in EnvelopedData",
            cipher_name(&other)
        ))),
    }
}

macro_rules! gcm_open {
    ($aes:ty, $key:expr, $nonce:expr, $aad:expr, $buf:expr, $tag:expr, $($n:literal => $t:ty),*) => {
        match $tag.len() {
            $($n => {
                let c = AesGcm::<$aes, U12, $t>::new_from_slice($key)
                    .map_err(|_| Error::DecryptFailed("content key has the wrong length".into()))?;
                let tag = aes_gcm::Tag::<$t>::try_from($tag)
                    .map_err(|_| Error::Malformed("bad GCM tag length".into()))?;
                c.decrypt_inout_detached($nonce.into(), $aad, $buf.as_mut_slice().into(), &tag)
                    .map_err(|_| Error::DecryptAuthFailed(
                        "AES-GCM authentication failed: the message was modified, or the key is wrong".into()))
            })*
            n => Err(Error::UnsupportedAlgorithm(format!("AES-GCM ICV length {n}"))),
        }
    };
}

/// Decrypt AuthEnvelopedData content (AES-GCM). `mac` is the ICV, `aad` the DER of the
/// authenticated attributes (or empty).
pub(crate) fn decrypt_gcm(
    alg: &AlgorithmIdentifierOwned,
    key: &[u8],
    ciphertext: &[u8],
    mac: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, Error> {
    let p = alg
        .parameters
        .as_ref()
        .ok_or_else(|| Error::Malformed("AES-GCM without GCMParameters".into()))?;
    let params: GcmParameters = p
        .decode_as()
        .map_err(|e| Error::Malformed(format!("bad GCMParameters: {e}")))?;
    if usize::from(params.icv_len) != mac.len() {
        return Err(Error::Malformed(format!(
            "GCM ICV length {} does not match the MAC length {}",
            params.icv_len,
            mac.len()
        )));
    }
    let nonce: [u8; 12] =
        params.nonce.as_bytes().try_into().map_err(|_| {
            Error::UnsupportedAlgorithm("AES-GCM nonces other than 12 octets".into())
        })?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let nonce = &nonce;
    match alg.oid {
        AES128_GCM => gcm_open!(Aes128, key, nonce, aad, buf, mac,
            12 => U12, 13 => U13, 14 => U14, 15 => U15, 16 => U16)?,
        AES192_GCM => gcm_open!(Aes192, key, nonce, aad, buf, mac,
            12 => U12, 13 => U13, 14 => U14, 15 => U15, 16 => U16)?,
        AES256_GCM => gcm_open!(Aes256, key, nonce, aad, buf, mac,
            12 => U12, 13 => U13, 14 => U14, 15 => U15, 16 => U16)?,
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "content-authenticated-encryption algorithm {} is not supported",
                cipher_name(&other)
            )))
        }
    }
    Ok(std::mem::take(&mut *buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    fn rng() -> crate::rng::SystemRng {
        crate::rng::system_rng()
    }

    #[test]
    fn cbc_round_trip_and_wrong_key() {
        let key = [3u8; 32];
        let (ct, alg) = encrypt_cbc(ContentCipher::Aes256Cbc, &key, b"hello", &mut rng()).unwrap();
        assert_eq!(decrypt_cbc(&alg, &key, &ct).unwrap(), b"hello");
        let r = decrypt_cbc(&alg, &[4u8; 32], &ct);
        assert!(matches!(r, Err(Error::DecryptFailed(_))) || r.unwrap() != b"hello");
    }

    #[test]
    fn gcm_round_trip_and_tamper() {
        let key = [5u8; 16];
        let (ct, tag, alg) =
            encrypt_gcm(ContentCipher::Aes128Gcm, &key, b"hello", b"", &mut rng()).unwrap();
        assert_eq!(decrypt_gcm(&alg, &key, &ct, &tag, b"").unwrap(), b"hello");
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(matches!(
            decrypt_gcm(&alg, &key, &bad, &tag, b""),
            Err(Error::DecryptAuthFailed(_))
        ));
    }
}
