//! Password-based decryption shared by PKCS#12 and encrypted PKCS#8:
//!
//! - PBES2 (RFC 8018 §6.2: PBKDF2 + AES-CBC …), via the `pkcs5` crate. OpenSSL 3's default
//!   for `openssl pkcs12 -export` and `openssl pkcs8 -topk8`. Password: its UTF-8 octets.
//! - The PKCS#12 PBE schemes (RFC 7292 Appendix C), still written by `openssl pkcs12
//!   -export -legacy` and by older tools:
//!   ```text
//!   pbeWithSHAAnd3-KeyTripleDES-CBC  1.2.840.113549.1.12.1.3   key 24, IV 8
//!   pbeWithSHAAnd2-KeyTripleDES-CBC  1.2.840.113549.1.12.1.4   key 16, IV 8
//!   pbeWithSHAAnd128BitRC2-CBC       1.2.840.113549.1.12.1.5   key 16, IV 8
//!   pbeWithSHAAnd40BitRC2-CBC        1.2.840.113549.1.12.1.6   key  5, IV 8
//!   pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
//!   ```
//!   Keys and IVs come from the RFC 7292 Appendix B.2 KDF over SHA-1 with the password as
//!   a BMPString (UTF-16BE) with two trailing zero octets. The `pkcs12` crate that has
//!   this KDF (0.2.0-pre.0) pins `cms =0.3.0-pre.1`, which cannot live beside our
//!   `cms =0.3.0-rc.0`, so the KDF is written here from the RFC.
//!
//! These legacy ciphers are used only to *read*; we never write them.

use cipher::block_padding::Pkcs7;
use cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit};
use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use sha1::digest::{Digest, FixedOutputReset};
use spki::AlgorithmIdentifierOwned;
use zeroize::{Zeroize, Zeroizing};

use super::Error;
use crate::asn1::oid::{PBES2, PBE_SHA_3DES2, PBE_SHA_3DES3, PBE_SHA_RC2_128, PBE_SHA_RC2_40};

/// Upper bound on iteration counts we will run (a hostile file must not hang the browser).
pub(crate) const MAX_ITERATIONS: u64 = 10_000_000;

/// RFC 7292 Appendix C pkcs-12PbeParams.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Pkcs12PbeParams {
    salt: OctetString,
    iterations: u32,
}

/// Key-derivation purposes of RFC 7292 Appendix B.3.
#[derive(Clone, Copy)]
pub(crate) enum Purpose {
    Key = 1,
    Iv = 2,
    Mac = 3,
}

/// The password as a BMPString with a two-octet NUL terminator (RFC 7292 Appendix B.1).
pub(crate) fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for u in password.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// RFC 7292 Appendix B.2: derive `n` octets for `purpose` with hash `D` (block size `v`).
pub(crate) fn pkcs12_kdf<D: Digest + FixedOutputReset>(
    password: &[u8],
    salt: &[u8],
    purpose: Purpose,
    iterations: u32,
    n: usize,
    v: usize,
) -> Zeroizing<Vec<u8>> {
    let u = <D as Digest>::output_size();
    // 1. D = v/8 copies of ID.
    let diversifier = vec![purpose as u8; v];
    // 2.–4. I = S || P, each extended to a multiple of v by repetition.
    let extend = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i_buf = Zeroizing::new(extend(salt));
    i_buf.extend_from_slice(&extend(password));
    let mut out = Zeroizing::new(Vec::with_capacity(n + u));
    let mut h = D::new();
    while out.len() < n {
        // 6a. A = H^r(D || I)
        Digest::update(&mut h, &diversifier);
        Digest::update(&mut h, i_buf.as_slice());
        let mut a = h.finalize_reset().to_vec();
        for _ in 1..iterations.max(1) {
            Digest::update(&mut h, &a);
            a = h.finalize_reset().to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= n {
            a.zeroize();
            break;
        }
        // 6b. B = A repeated to v octets; 6c. I_j = (I_j + B + 1) mod 2^v for each block.
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i_buf.chunks_mut(v) {
            let mut carry = 1u16;
            for k in (0..block.len()).rev() {
                let s = u16::from(block[k]) + u16::from(b[k]) + carry;
                block[k] = s as u8;
                carry = s >> 8;
            }
        }
        a.zeroize();
    }
    out.truncate(n);
    out
}

fn legacy_params(alg: &AlgorithmIdentifierOwned) -> Result<Pkcs12PbeParams, Error> {
    let p = alg
        .parameters
        .as_ref()
        .ok_or_else(|| Error::Pkcs12Malformed("PBE parameters missing".into()))?;
    let params: Pkcs12PbeParams = p
        .decode_as()
        .map_err(|e| Error::Pkcs12Malformed(format!("bad pkcs-12PbeParams: {e}")))?;
    if u64::from(params.iterations) > MAX_ITERATIONS {
        return Err(Error::UnsupportedAlgorithm(format!(
            "{} PBE iterations is above our limit",
            params.iterations
        )));
    }
    Ok(params)
}

/// What went wrong in a password-based decryption: the password (padding / MAC) or the
/// algorithm.
#[derive(Debug)]
pub(crate) enum PbeError {
    /// Decryption produced bad padding: the password is wrong (or the data corrupt).
    BadPassword,
    /// An algorithm or parameter we do not implement, or malformed parameters.
    Other(Error),
}

/// Decrypt `ciphertext` under a password-based encryption algorithm identifier.
pub(crate) fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    password: &str,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, PbeError> {
    match alg.oid {
        PBES2 => {
            let der = alg
                .to_der()
                .map_err(|e| PbeError::Other(Error::Pkcs12Malformed(e.to_string())))?;
            let scheme = pkcs8::pkcs5::EncryptionScheme::from_der(&der).map_err(|e| {
                PbeError::Other(Error::UnsupportedAlgorithm(format!(
                    "PBES2 parameters not supported: {e}"
                )))
            })?;
            if let Some(p) = scheme.pbes2() {
                if let pkcs8::pkcs5::pbes2::Kdf::Pbkdf2(k) = &p.kdf {
                    if u64::from(k.iteration_count) > MAX_ITERATIONS {
                        return Err(PbeError::Other(Error::UnsupportedAlgorithm(
                            "PBKDF2 iteration count above our limit".into(),
                        )));
                    }
                }
            }
            scheme
                .decrypt(password.as_bytes(), ciphertext)
                .map(Zeroizing::new)
                .map_err(|e| match e {
                    pkcs8::pkcs5::Error::DecryptFailed => PbeError::BadPassword,
                    other => PbeError::Other(Error::UnsupportedAlgorithm(format!(
                        "PBES2 decryption: {other}"
                    ))),
                })
        }
        PBE_SHA_3DES3 | PBE_SHA_3DES2 | PBE_SHA_RC2_128 | PBE_SHA_RC2_40 => {
            let params = legacy_params(alg).map_err(PbeError::Other)?;
            let pw = bmp_password(password);
            let salt = params.salt.as_bytes();
            let key_len = match alg.oid {
                PBE_SHA_3DES3 => 24,
                PBE_SHA_3DES2 | PBE_SHA_RC2_128 => 16,
                _ => 5,
            };
            let key =
                pkcs12_kdf::<sha1::Sha1>(&pw, salt, Purpose::Key, params.iterations, key_len, 64);
            let iv = pkcs12_kdf::<sha1::Sha1>(&pw, salt, Purpose::Iv, params.iterations, 8, 64);
            let bad = |_| PbeError::BadPassword;
            let internal = |_| PbeError::Other(Error::Malformed("cipher setup failed".into()));
            let pt = match alg.oid {
                PBE_SHA_3DES3 => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                    .map_err(internal)?
                    .decrypt_padded_vec::<Pkcs7>(ciphertext)
                    .map_err(bad)?,
                PBE_SHA_3DES2 => cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
                    .map_err(internal)?
                    .decrypt_padded_vec::<Pkcs7>(ciphertext)
                    .map_err(bad)?,
                _ => {
                    let rc2 = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
                    cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(rc2, &iv)
                        .map_err(internal)?
                        .decrypt_padded_vec::<Pkcs7>(ciphertext)
                        .map_err(bad)?
                }
            };
            Ok(Zeroizing::new(pt))
        }
        other => Err(PbeError::Other(Error::UnsupportedAlgorithm(format!(
            "password-based encryption algorithm {other}"
        )))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7292 KDF known answer: OpenSSL's `test/recipes/...`-style vector computed with
    /// the reference algorithm (SHA-1, password "smeg", salt 0A58CF64530D823F, 1 iteration,
    /// ID=1, 24 octets) from the PKCS#12 test vectors widely circulated with OpenSSL/BC
    /// (`8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3`).
    #[test]
    fn kdf_known_answer() {
        let pw = bmp_password("smeg");
        let salt = [0x0A, 0x58, 0xCF, 0x64, 0x53, 0x0D, 0x82, 0x3F];
        let k = pkcs12_kdf::<sha1::Sha1>(&pw, &salt, Purpose::Key, 1, 24, 64);
        assert_eq!(
            k.as_slice(),
            [
                0x8A, 0xAA, 0xE6, 0x29, 0x7B, 0x6C, 0xB0, 0x46, 0x42, 0xAB, 0x5B, 0x07, 0x78, 0x51,
                0x28, 0x4E, 0xB7, 0x12, 0x8F, 0x1A, 0x2A, 0x7F, 0xBC, 0xA3
            ]
        );
    }
}
