//! The private key type shared by signing (RSA PKCS#1 v1.5 / RSASSA-PSS, ECDSA P-256) and
//! decryption (RSA KTRI, ECDH P-256 KARI). Decoded from PKCS#8 (RFC 5208 / RFC 5958), PEM
//! (RFC 7468 `PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) / SEC1 (`EC PRIVATE KEY`).
//! Key material is zeroized on drop by the underlying RustCrypto types.

use der::Decode;
use pkcs8::DecodePrivateKey;

use super::Error;
use crate::asn1::oid::{EC_PUBLIC_KEY, RSA_ENCRYPTION};

/// A private key we can sign or decrypt with.
#[derive(Clone)]
#[non_exhaustive]
pub enum PrivateKey {
    /// RSA (2048 bits or more for signing).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// NIST P-256 (ECDSA signing, ECDH key agreement).
    EcP256(p256::SecretKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        match self {
            PrivateKey::Rsa(_) => f.write_str("PrivateKey::Rsa(..)"),
            PrivateKey::EcP256(_) => f.write_str("PrivateKey::EcP256(..)"),
        }
    }
}

impl PrivateKey {
    /// Decode an unencrypted PKCS#8 `PrivateKeyInfo` (DER).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::Malformed(format!("not a PKCS#8 private key: {e}")))?;
        let oid = info.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            let k = rsa::RsaPrivateKey::from_pkcs8_der(der)
                .map_err(|e| Error::Malformed(format!("bad RSA private key: {e}")))?;
            Ok(PrivateKey::Rsa(Box::new(k)))
        } else if oid == EC_PUBLIC_KEY {
            let k = p256::SecretKey::from_pkcs8_der(der).map_err(|e| {
                Error::Malformed(format!("EC private key is not a valid P-256 key: {e}"))
            })?;
            Ok(PrivateKey::EcP256(k))
        } else {
            Err(Error::Malformed(format!(
                "unsupported private key algorithm {oid}"
            )))
        }
    }

    /// Decode a PEM private key: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1, P-256). The first key block in the text is used.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        for block in pem_blocks(pem) {
            let (label, der) = block?;
            match label.as_str() {
                "PRIVATE KEY" => return Self::from_pkcs8_der(&der),
                "RSA PRIVATE KEY" => {
                    use rsa::pkcs1::DecodeRsaPrivateKey;
                    let k = rsa::RsaPrivateKey::from_pkcs1_der(&der)
                        .map_err(|e| Error::Malformed(format!("bad RSA private key: {e}")))?;
                    return Ok(PrivateKey::Rsa(Box::new(k)));
                }
                "EC PRIVATE KEY" => {
                    let k = p256::SecretKey::from_sec1_der(&der).map_err(|e| {
                        Error::Malformed(format!("EC private key is not a valid P-256 key: {e}"))
                    })?;
                    return Ok(PrivateKey::EcP256(k));
                }
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(Error::Malformed(
                        "the private key is password-encrypted; decrypt it with its password"
                            .into(),
                    ))
                }
                _ => continue,
            }
        }
        Err(Error::Malformed(
            "no private key found in the PEM text".into(),
        ))
    }

    /// Encode as unencrypted PKCS#8 DER (zeroized on drop).
    pub fn to_pkcs8_der(&self) -> Result<der::SecretDocument, Error> {
        use pkcs8::EncodePrivateKey;
        match self {
            PrivateKey::Rsa(k) => k.to_pkcs8_der(),
            PrivateKey::EcP256(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| Error::Malformed(format!("cannot encode private key: {e}")))
    }
}

/// Iterate the PEM blocks of a text (label, DER), skipping anything between blocks.
pub fn pem_blocks(text: &str) -> impl Iterator<Item = Result<(String, Vec<u8>), Error>> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start..];
        let Some(end_marker) = after.find("-----END ") else {
            rest = "";
            return Some(Err(Error::Malformed("unterminated PEM block".into())));
        };
        let tail = &after[end_marker + 9..];
        let block_end = tail
            .find("-----")
            .map(|i| end_marker + 9 + i + 5)
            .unwrap_or(after.len());
        let block = &after[..block_end];
        rest = &after[block_end..];
        Some(
            der::pem::decode_vec(block.as_bytes())
                .map(|(label, der)| (label.to_string(), der))
                .map_err(|e| Error::Malformed(format!("bad PEM block: {e}"))),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_garbage() {
        assert_eq!(
            PrivateKey::from_pem("hello").unwrap_err(),
            Error::Malformed("no private key found in the PEM text".into())
        );
        assert!(PrivateKey::from_pkcs8_der(b"\x30\x03\x02\x01\x00").is_err());
    }

    #[test]
    fn ec_round_trip() {
        let sk = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let der = PrivateKey::EcP256(sk.clone()).to_pkcs8_der().unwrap();
        match PrivateKey::from_pkcs8_der(der.as_bytes()).unwrap() {
            PrivateKey::EcP256(k) => assert_eq!(k.to_bytes(), sk.to_bytes()),
            other => panic!("wrong key type {other:?}"),
        }
    }
}
