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

use super::key_operation::{ContentDecryptCipher, ContentDecryptRequest, ContentEncryptRequest};
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

/// Draw the IV (AES-CBC, 16 octets) or nonce (AES-GCM, 12 octets) for `cipher` from `rng`
/// and encode its contentEncryptionAlgorithm: `AES-IV` (RFC 3565 §4.1) or `GCMParameters`
/// with a 16-octet ICV (RFC 5084 §3.2).
pub(crate) fn content_parameters<R: CryptoRng + ?Sized>(
    cipher: ContentCipher,
    rng: &mut R,
) -> Result<(Vec<u8>, AlgorithmIdentifierOwned), Error> {
    let enc = |e: der::Error| Error::EncryptFailed(format!("encoding the IV: {e}"));
    let (iv, params) = if cipher.is_aead() {
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
        let params = GcmParameters {
            nonce: OctetString::new(nonce.to_vec()).map_err(enc)?,
            icv_len: GCM_TAG_LEN as u8,
        };
        let any = Any::from_der(&params.to_der().map_err(enc)?).map_err(enc)?;
        (nonce.to_vec(), any)
    } else {
        let mut iv = [0u8; 16];
        rng.fill_bytes(&mut iv);
        (
            iv.to_vec(),
            Any::new(Tag::OctetString, iv.to_vec()).map_err(enc)?,
        )
    };
    Ok((
        iv,
        AlgorithmIdentifierOwned {
            oid: cipher.oid(),
            parameters: Some(params),
        },
    ))
}

/// The tag length we produce for AES-GCM (RFC 5084 §3.2 allows 12 to 16).
pub(crate) const GCM_TAG_LEN: usize = 16;

/// Encrypt a [`ContentEncryptRequest`]: AES-CBC with PKCS#7 padding, or AES-GCM returning the
/// ciphertext followed by the 16-octet tag (the layout of WebCrypto's answer).
pub(crate) fn encrypt_with(req: &ContentEncryptRequest<'_>) -> Result<Vec<u8>, Error> {
    let bad_key = || Error::EncryptFailed("bad content key or IV length".into());
    let nonce = || -> Result<[u8; 12], Error> { req.iv.try_into().map_err(|_| bad_key()) };
    Ok(match req.cipher {
        ContentCipher::Aes128Cbc => cbc::Encryptor::<Aes128>::new_from_slices(req.key, req.iv)
            .map_err(|_| bad_key())?
            .encrypt_padded_vec::<Pkcs7>(req.data),
        ContentCipher::Aes256Cbc => cbc::Encryptor::<Aes256>::new_from_slices(req.key, req.iv)
            .map_err(|_| bad_key())?
            .encrypt_padded_vec::<Pkcs7>(req.data),
        ContentCipher::Aes128Gcm => seal_gcm::<Aes128>(req, &nonce()?)?,
        ContentCipher::Aes256Gcm => seal_gcm::<Aes256>(req, &nonce()?)?,
    })
}

/// AES-GCM with a 16-octet tag over `req`: ciphertext followed by the tag.
fn seal_gcm<A>(req: &ContentEncryptRequest<'_>, nonce: &[u8; 12]) -> Result<Vec<u8>, Error>
where
    A: cipher::BlockCipherEncrypt + cipher::BlockSizeUser<BlockSize = U16> + KeyInit,
{
    let mut buf = Vec::with_capacity(req.data.len() + GCM_TAG_LEN);
    buf.extend_from_slice(req.data);
    let tag = AesGcm::<A, U12, U16>::new_from_slice(req.key)
        .map_err(|_| Error::EncryptFailed("bad content key length".into()))?
        .encrypt_inout_detached(nonce.into(), req.aad, buf.as_mut_slice().into())
        .map_err(|_| Error::EncryptFailed("AES-GCM encryption failed".into()))?;
    buf.extend_from_slice(&tag);
    Ok(buf)
}

/// One AES block operation with `key` (16, 24 or 32 octets): CBC with a zero IV over a
/// single block is the block cipher itself.
fn aes_block(key: &[u8], block: &[u8], decrypt: bool) -> Result<Vec<u8>, Error> {
    use cipher::block_padding::NoPadding;
    let zero = [0u8; 16];
    let bad = |_| Error::EncryptFailed("bad content key length".into());
    let out = match (key.len(), decrypt) {
        (16, false) => cbc::Encryptor::<Aes128>::new_from_slices(key, &zero)
            .map_err(bad)?
            .encrypt_padded_vec::<NoPadding>(block),
        (24, false) => cbc::Encryptor::<Aes192>::new_from_slices(key, &zero)
            .map_err(bad)?
            .encrypt_padded_vec::<NoPadding>(block),
        (32, false) => cbc::Encryptor::<Aes256>::new_from_slices(key, &zero)
            .map_err(bad)?
            .encrypt_padded_vec::<NoPadding>(block),
        (16, true) => cbc::Decryptor::<Aes128>::new_from_slices(key, &zero)
            .map_err(bad)?
            .decrypt_padded_vec::<NoPadding>(block)
            .map_err(|_| Error::EncryptFailed("block".into()))?,
        (32, true) => cbc::Decryptor::<Aes256>::new_from_slices(key, &zero)
            .map_err(bad)?
            .decrypt_padded_vec::<NoPadding>(block)
            .map_err(|_| Error::EncryptFailed("block".into()))?,
        _ => return Err(Error::EncryptFailed("bad content key length".into())),
    };
    Ok(out)
}

fn xor16(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// Whether `ciphertext` is `plain` under the AES-GCM key stream of `key` and `nonce` in its
/// first and last blocks (counter blocks nonce || 2, nonce || 3, …; NIST SP 800-38D §6.5).
/// Both are equally long.
fn gcm_key_stream_fits(
    key: &[u8],
    nonce: &[u8; 12],
    plain_len: usize,
    read: &mut dyn FnMut(std::ops::Range<usize>) -> Vec<u8>,
    ciphertext: &[u8],
) -> Result<bool, Error> {
    let n = plain_len.min(ciphertext.len());
    let blocks = n.div_ceil(16);
    for j in [0, blocks.saturating_sub(1)] {
        if j >= blocks {
            continue;
        }
        let mut ctr = [0u8; 16];
        ctr[..12].copy_from_slice(nonce);
        let k = u32::try_from(j + 2)
            .map_err(|_| Error::EncryptFailed("content too long for AES-GCM".into()))?;
        ctr[12..].copy_from_slice(&k.to_be_bytes());
        let ks = aes_block(key, &ctr, false)?;
        let end = (16 * j + 16).min(n);
        if xor16(&read(16 * j..end), &ks) != ciphertext[16 * j..end] {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Check a provider's answer to `req` without redoing the work: its length, and the first
/// and last blocks decrypted with the request's key and IV (AES-CBC: D(C₀) ⊕ IV = P₀ and
/// D(Cₙ) ⊕ Cₙ₋₁ = the padded last block, RFC 5652 §6.3; AES-GCM: the counter-mode key
/// stream of the first and last blocks, NIST SP 800-38D §6.5). A wrong key, IV, mode or
/// padding is refused (`encrypt-failed`); the GCM tag is not recomputed (GHASH over the whole
/// content), so a provider that returns a wrong tag makes a message its recipients refuse
/// (`decrypt-auth-failed`), never a readable one.
pub(crate) fn check_ciphertext(
    req: &ContentEncryptRequest<'_>,
    answer: &[u8],
) -> Result<(), Error> {
    let wrong = |what: &str| {
        Error::EncryptFailed(format!(
            "the content encryption answer does not fit the request: {what}"
        ))
    };
    let n = req.data.len();
    if req.cipher.is_aead() {
        if answer.len() != n + GCM_TAG_LEN {
            return Err(wrong("length"));
        }
        let nonce: [u8; 12] = req.iv.try_into().map_err(|_| wrong("nonce length"))?;
        let data = req.data;
        let mut read = |r: std::ops::Range<usize>| data.get(r).unwrap_or_default().to_vec();
        if !gcm_key_stream_fits(req.key, &nonce, data.len(), &mut read, &answer[..n])? {
            return Err(wrong("the key stream"));
        }
        return Ok(());
    }
    let expected = (n / 16 + 1) * 16;
    if answer.len() != expected || req.iv.len() != 16 {
        return Err(wrong("length"));
    }
    let pad = 16 - n % 16;
    let mut last = req.data[n - n % 16..].to_vec();
    last.resize(16, pad as u8);
    let prev = if expected == 16 {
        req.iv
    } else {
        &answer[expected - 32..expected - 16]
    };
    if xor16(&aes_block(req.key, &answer[expected - 16..], true)?, prev) != last {
        return Err(wrong("the last block"));
    }
    if n >= 16 && xor16(&aes_block(req.key, &answer[..16], true)?, req.iv) != req.data[..16] {
        return Err(wrong("the first block"));
    }
    Ok(())
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
    // The ciphers differ only in their type and IV length (RFC 3565 §4.1, RFC 3370 §5.1).
    macro_rules! cbc_open {
        ($cipher:ty, $iv_len:expr) => {{
            let iv = iv_param(alg, $iv_len)?;
            cbc::Decryptor::<$cipher>::new_from_slices(key, &iv)
                .map_err(bad_key)?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(pad)
        }};
    }
    match alg.oid {
        AES128_CBC => cbc_open!(Aes128, 16),
        AES192_CBC => cbc_open!(Aes192, 16),
        AES256_CBC => cbc_open!(Aes256, 16),
        DES_EDE3_CBC => cbc_open!(des::TdesEde3, 8),
        other => Err(Error::UnsupportedAlgorithm(format!(
            "content-encryption algorithm {} is not supported in EnvelopedData",
            cipher_name(&other)
        ))),
    }
}

/// The cipher and parameters of a received contentEncryptionAlgorithm, for a
/// [`ContentDecryptRequest`].
pub(crate) fn decryption_cipher(
    alg: &AlgorithmIdentifierOwned,
) -> Result<ContentDecryptCipher, Error> {
    Ok(match alg.oid {
        AES128_CBC | AES192_CBC | AES256_CBC => {
            let iv = iv_param(alg, 16)?;
            ContentDecryptCipher::AesCbc {
                iv: iv
                    .try_into()
                    .map_err(|_| Error::Malformed("IV must be 16 octets".into()))?,
            }
        }
        AES128_GCM | AES192_GCM | AES256_GCM => {
            let p = alg
                .parameters
                .as_ref()
                .ok_or_else(|| Error::Malformed("AES-GCM without GCMParameters".into()))?;
            let params: GcmParameters = p
                .decode_as()
                .map_err(|e| Error::Malformed(format!("bad GCMParameters: {e}")))?;
            ContentDecryptCipher::AesGcm {
                nonce: params.nonce.as_bytes().try_into().map_err(|_| {
                    Error::UnsupportedAlgorithm("AES-GCM nonces other than 12 octets".into())
                })?,
                tag_len: usize::from(params.icv_len),
            }
        }
        DES_EDE3_CBC => ContentDecryptCipher::Legacy,
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "content-encryption algorithm {} is not supported",
                cipher_name(&other)
            )))
        }
    })
}

/// Check a provider's plaintext for `req` without redoing the work: AES-CBC: its length
/// (1 to 16 octets of padding removed) and the first and last blocks encrypted again
/// (E(P₀ ⊕ IV) = C₀, E(padded Pₙ ⊕ Cₙ₋₁) = Cₙ); AES-GCM: its length and the counter-mode key
/// stream of the first and last blocks (NIST SP 800-38D §6.5). A legacy cipher is answered
/// by the pure-Rust provider only. Refusal: `decrypt-failed`.
pub(crate) fn check_plaintext(req: &ContentDecryptRequest<'_>, plain: &[u8]) -> Result<(), Error> {
    check_plaintext_in(req, plain.len(), &mut |r| {
        plain.get(r).unwrap_or_default().to_vec()
    })
}

/// [`check_plaintext`] for a plaintext of `n` octets the provider keeps: `read` copies a range
/// of it out (only the blocks the check needs, at most three of 16 octets).
pub(crate) fn check_plaintext_in(
    req: &ContentDecryptRequest<'_>,
    n: usize,
    read: &mut dyn FnMut(std::ops::Range<usize>) -> Vec<u8>,
) -> Result<(), Error> {
    let wrong =
        || Error::DecryptFailed("the content decryption answer does not fit the ciphertext".into());
    let c = req.ciphertext;
    match req.cipher {
        ContentDecryptCipher::Legacy => Ok(()),
        ContentDecryptCipher::AesGcm { nonce, .. } => {
            if n != c.len() {
                return Err(wrong());
            }
            if !gcm_key_stream_fits(req.key, &nonce, n, read, c).map_err(|_| wrong())? {
                return Err(wrong());
            }
            Ok(())
        }
        ContentDecryptCipher::AesCbc { iv } => {
            if c.is_empty() || !c.len().is_multiple_of(16) || n >= c.len() || n + 16 < c.len() {
                return Err(wrong());
            }
            let pad = c.len() - n;
            let enc = |b: &[u8]| aes_block(req.key, b, false).map_err(|_| wrong());
            // Block `i` of the padded plaintext (RFC 5652 §6.3 padding) encrypted after the
            // previous ciphertext block (or the IV) must be ciphertext block `i`.
            let mut fits = |i: usize| -> Result<bool, Error> {
                let start = i * 16;
                let mut block = if start < n {
                    read(start..n.min(start + 16))
                } else {
                    Vec::new()
                };
                block.resize(16, pad as u8);
                let prev: &[u8] = if i == 0 { &iv } else { &c[start - 16..start] };
                Ok(enc(&xor16(&block, prev))? == c[start..start + 16])
            };
            // The first block, the block holding the last plaintext octet, and the final
            // (padding) block: a changed first or last octet, or a wrong length, is refused.
            let last = c.len() / 16 - 1;
            let mut blocks = vec![0, n.saturating_sub(1) / 16, last];
            blocks.dedup();
            for i in blocks {
                if !fits(i)? {
                    return Err(wrong());
                }
            }
            Ok(())
        }
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
        let (iv, alg) = content_parameters(ContentCipher::Aes256Cbc, &mut rng()).unwrap();
        let req = ContentEncryptRequest {
            cipher: ContentCipher::Aes256Cbc,
            key: &key,
            iv: &iv,
            aad: b"",
            data: b"hello",
        };
        let ct = encrypt_with(&req).unwrap();
        check_ciphertext(&req, &ct).unwrap();
        assert_eq!(decrypt_cbc(&alg, &key, &ct).unwrap(), b"hello");
        let r = decrypt_cbc(&alg, &[4u8; 32], &ct);
        assert!(matches!(r, Err(Error::DecryptFailed(_))) || r.unwrap() != b"hello");
    }

    #[test]
    fn gcm_round_trip_and_tamper() {
        let key = [5u8; 16];
        let (nonce, alg) = content_parameters(ContentCipher::Aes128Gcm, &mut rng()).unwrap();
        let req = ContentEncryptRequest {
            cipher: ContentCipher::Aes128Gcm,
            key: &key,
            iv: &nonce,
            aad: b"",
            data: b"hello",
        };
        let mut ct = encrypt_with(&req).unwrap();
        check_ciphertext(&req, &ct).unwrap();
        let tag = ct.split_off(5);
        assert_eq!(decrypt_gcm(&alg, &key, &ct, &tag, b"").unwrap(), b"hello");
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(matches!(
            decrypt_gcm(&alg, &key, &bad, &tag, b""),
            Err(Error::DecryptAuthFailed(_))
        ));
    }

    /// Answers that do not fit the request are refused: another key, another IV, a flipped
    /// first or last block, a truncated answer — for every size around the block boundary.
    #[test]
    fn wrong_content_answers_are_refused() {
        let data: Vec<u8> = (0..100u8).collect();
        for cipher in [
            ContentCipher::Aes128Cbc,
            ContentCipher::Aes256Cbc,
            ContentCipher::Aes128Gcm,
            ContentCipher::Aes256Gcm,
        ] {
            for n in [0usize, 1, 15, 16, 17, 32, 100] {
                let key = vec![7u8; cipher.key_len()];
                let (iv, _) = content_parameters(cipher, &mut rng()).unwrap();
                let req = ContentEncryptRequest {
                    cipher,
                    key: &key,
                    iv: &iv,
                    aad: b"",
                    data: &data[..n],
                };
                let good = encrypt_with(&req).unwrap();
                check_ciphertext(&req, &good).unwrap();
                let other_key = vec![8u8; cipher.key_len()];
                let other = encrypt_with(&ContentEncryptRequest {
                    key: &other_key,
                    ..req
                })
                .unwrap();
                if n > 0 || !cipher.is_aead() {
                    assert!(check_ciphertext(&req, &other).is_err(), "{cipher:?} {n}");
                }
                let mut iv2 = iv.clone();
                iv2[0] ^= 1;
                let other_iv = encrypt_with(&ContentEncryptRequest { iv: &iv2, ..req }).unwrap();
                if n > 0 || !cipher.is_aead() {
                    assert!(check_ciphertext(&req, &other_iv).is_err(), "{cipher:?} {n}");
                }
                let body = if cipher.is_aead() { n } else { good.len() };
                if body > 0 {
                    for at in [0, body - 1] {
                        let mut bad = good.clone();
                        bad[at] ^= 0x80;
                        assert!(check_ciphertext(&req, &bad).is_err(), "{cipher:?} {n} {at}");
                    }
                }
                assert!(check_ciphertext(&req, &good[..good.len() - 1]).is_err());
            }
        }
    }

    /// A content decryption answer is checked against the ciphertext: the right plaintext
    /// passes; a changed first or last octet, a missing or extra octet, are refused.
    #[test]
    fn wrong_plaintext_answers_are_refused() {
        let data: Vec<u8> = (0..100u8).collect();
        for cipher in [ContentCipher::Aes256Cbc, ContentCipher::Aes128Gcm] {
            for n in [0usize, 1, 15, 16, 17, 32, 100] {
                let key = vec![7u8; cipher.key_len()];
                let (iv, alg) = content_parameters(cipher, &mut rng()).unwrap();
                let mut ct = encrypt_with(&ContentEncryptRequest {
                    cipher,
                    key: &key,
                    iv: &iv,
                    aad: b"",
                    data: &data[..n],
                })
                .unwrap();
                let tag = if cipher.is_aead() {
                    ct.split_off(n)
                } else {
                    Vec::new()
                };
                let req = ContentDecryptRequest {
                    cipher: decryption_cipher(&alg).unwrap(),
                    algorithm: &alg,
                    key: &key,
                    ciphertext: &ct,
                    tag: &tag,
                    aad: b"",
                };
                let plain = crate::smime::key_operation::decrypt_content_with_rust(&req).unwrap();
                assert_eq!(plain, &data[..n]);
                check_plaintext(&req, &plain).unwrap();
                if n > 0 {
                    for at in [0, n - 1] {
                        let mut bad = plain.clone();
                        bad[at] ^= 1;
                        assert!(check_plaintext(&req, &bad).is_err(), "{cipher:?} {n} {at}");
                    }
                    assert!(check_plaintext(&req, &plain[..n - 1]).is_err());
                }
                let mut longer = plain.clone();
                longer.push(0);
                assert!(check_plaintext(&req, &longer).is_err(), "{cipher:?} {n}");
            }
        }
    }
}
