//! The crypto provider seam for private-key operations: what the core asks of whoever holds
//! the private key, and the pure-Rust provider that answers with a [`PrivateKey`].
//!
//! The core stays synchronous and sans-I/O. Operations that need the private key are split
//! in steps: signing builds the SignedAttributes and returns a [`SignRequest`] ("sign these
//! octets with scheme S and hash H", RFC 5652 §5.4), then resumes with the signature value
//! (`signed_build::PendingSignerInfo`, `sign::PendingSignedEntity`); decryption picks the
//! RecipientInfo addressed to a certificate and returns a [`DecryptRequest`] ("decrypt this
//! RSA key-transport ciphertext", RFC 5652 §6.2.1, or "agree a secret with this ephemeral
//! public key", RFC 5753 §3.1.2), then resumes with the content-encryption key or the
//! shared secret (`enveloped::Decryption`). A caller whose key is elsewhere — a WebCrypto
//! `CryptoKey`, a token — answers the requests itself; the sync functions (`sign_content`,
//! `decrypt_content_info`, …) drive the same steps with [`sign_with_key`] and
//! [`decrypt_with_key`], so there is one code path.
//!
//! Answers are checked by the core, never trusted: a signature is verified against the
//! certificate before it is placed in a SignerInfo, a content-encryption key must have the
//! cipher's length and decrypt the content (AES key wrap and AES-GCM authenticate it).

use serde::Serialize;
use zeroize::Zeroizing;

use super::algorithms::{self, DigestAlg, RsaPadding};
use super::Error;
use crate::asn1::der::{constructed, unsigned_integer};
use crate::keys::PrivateKey;
use crate::rng::CryptoRng;

/// The signature scheme of a signing request, chosen from the signer certificate's public key
/// and the requested RSA padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1v15,
    /// RSASSA-PSS (RFC 8017 §8.1, RFC 4056): MGF1 with the same hash, salt length = hash
    /// length.
    RsaPss,
    /// ECDSA (RFC 5753 §2.1.1, RFC 5758 §3.2); the answer is the DER `Ecdsa-Sig-Value`
    /// (RFC 5480 §2.2; [`ecdsa_der_from_fixed`] converts the fixed `r || s` form).
    Ecdsa,
}

/// "Sign `data` with the signer's private key": `data` is the DER of the SignedAttributes
/// (RFC 5652 §5.4); the provider hashes it with `hash` and signs with `scheme`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    /// The signature scheme.
    pub scheme: SignatureScheme,
    /// The hash the scheme applies to `data`.
    pub hash: DigestAlg,
    /// RSASSA-PSS salt length in octets (the hash length); 0 for the other schemes.
    pub salt_length: usize,
    /// The octets to sign.
    #[serde(skip)]
    pub data: Vec<u8>,
}

impl SignRequest {
    /// The request for a signer certificate's key: RSA keys sign with `padding`, EC keys with
    /// ECDSA. Refuses SHA-1 and keys the algorithm policy finds weak.
    pub fn new(
        cert: &x509_cert::Certificate,
        hash: DigestAlg,
        padding: RsaPadding,
        data: Vec<u8>,
    ) -> Result<Self, Error> {
        if hash == DigestAlg::Sha1 {
            return Err(Error::Unsupported(
                "SHA-1 is not used for new signatures".into(),
            ));
        }
        let spki = cert.tbs_certificate().subject_public_key_info();
        crate::algorithm_policy::refuse_for_production(spki).map_err(Error::Key)?;
        let scheme = match spki.algorithm.oid {
            crate::asn1::oid::RSA_ENCRYPTION => match padding {
                RsaPadding::Pkcs1v15 => SignatureScheme::RsaPkcs1v15,
                RsaPadding::Pss => SignatureScheme::RsaPss,
            },
            crate::asn1::oid::EC_PUBLIC_KEY => SignatureScheme::Ecdsa,
            other => {
                return Err(Error::Key(format!(
                    "the signer certificate's key algorithm {other} cannot sign"
                )))
            }
        };
        let salt_length = if scheme == SignatureScheme::RsaPss {
            hash.output_len()
        } else {
            0
        };
        Ok(SignRequest {
            scheme,
            hash,
            salt_length,
            data,
        })
    }

    /// The signatureAlgorithm of the SignerInfo (RFC 5652 §5.3) for this request.
    pub fn signature_algorithm(&self) -> Result<spki::AlgorithmIdentifierOwned, Error> {
        Ok(match self.scheme {
            SignatureScheme::RsaPkcs1v15 => algorithms::rsa_pkcs1_algorithm(self.hash),
            SignatureScheme::RsaPss => {
                algorithms::rsa_pss_algorithm(self.hash).map_err(Error::Encode)?
            }
            SignatureScheme::Ecdsa => algorithms::ecdsa_algorithm(self.hash),
        })
    }
}

/// A hash of RSAES-OAEP (its hashAlgorithm or its MGF1 hash, RFC 8017 §7.1, RFC 4055 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OaepHash {
    /// SHA-1 (the RFC 8017 default parameters).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// RSA key-transport decryption scheme (RFC 5652 §6.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name", rename_all = "camelCase")]
pub enum RsaDecryption {
    /// RSAES-PKCS1-v1_5 (RFC 8017 §7.2, RFC 3370 §4.2.1): receive only, weak by the algorithm
    /// policy, and absent from WebCrypto.
    Pkcs1v15,
    /// RSAES-OAEP (RFC 8017 §7.1, RFC 3560).
    #[serde(rename_all = "camelCase")]
    Oaep {
        /// hashAlgorithm.
        hash: OaepHash,
        /// The MGF1 hash.
        mgf_hash: OaepHash,
        /// The pSpecified label (empty when absent).
        #[serde(skip)]
        label: Vec<u8>,
    },
}

/// "Use the recipient's private key on this": the answer is the content-encryption key
/// (`Rsa`) or the raw ECDH shared secret Z (`Ecdh`, the x-coordinate, SEC 1 §3.3.1), from
/// which the core derives the key-encryption key (ANSI X9.63 KDF, RFC 5753 §3.1.2) and
/// unwraps the content-encryption key (RFC 3394).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum DecryptRequest {
    /// Decrypt an RSA-encrypted content-encryption key (KeyTransRecipientInfo).
    #[serde(rename_all = "camelCase")]
    Rsa {
        /// The padding scheme.
        scheme: RsaDecryption,
        /// encryptedKey.
        #[serde(skip)]
        ciphertext: Vec<u8>,
    },
    /// ECDH on P-256 with the originator's ephemeral public key (KeyAgreeRecipientInfo
    /// originatorKey, RFC 5753 §3.1.1), already checked to be a valid P-256 point.
    #[serde(rename_all = "camelCase")]
    Ecdh {
        /// The uncompressed SEC 1 point (0x04 || x || y).
        #[serde(skip)]
        public_key: Vec<u8>,
    },
}

/// The pure-Rust provider, signing: answer `req` with `key` (RSA blinding and PSS salts from
/// `rng`; ECDSA nonces per RFC 6979).
pub fn sign_with_key<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    req: &SignRequest,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let hashed = req.hash.hash(&req.data);
    match (key, req.scheme) {
        (PrivateKey::Rsa(k), SignatureScheme::RsaPkcs1v15) => {
            let scheme = match req.hash {
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                _ => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            };
            k.sign_with_rng(rng, scheme, &hashed)
                .map_err(|e| Error::Key(format!("RSA signing failed: {e}")))
        }
        (PrivateKey::Rsa(k), SignatureScheme::RsaPss) => {
            let n = req.salt_length;
            match req.hash {
                DigestAlg::Sha384 => {
                    k.sign_with_rng(rng, rsa::Pss::<sha2::Sha384>::new_with_salt(n), &hashed)
                }
                DigestAlg::Sha512 => {
                    k.sign_with_rng(rng, rsa::Pss::<sha2::Sha512>::new_with_salt(n), &hashed)
                }
                _ => k.sign_with_rng(rng, rsa::Pss::<sha2::Sha256>::new_with_salt(n), &hashed),
            }
            .map_err(|e| Error::Key(format!("RSA-PSS signing failed: {e}")))
        }
        (PrivateKey::EcP256(k), SignatureScheme::Ecdsa) => {
            use signature::hazmat::PrehashSigner;
            let sk = p256::ecdsa::SigningKey::from(k);
            let sig: p256::ecdsa::Signature = sk
                .sign_prehash(&hashed)
                .map_err(|e| Error::Key(format!("ECDSA signing failed: {e}")))?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
        _ => Err(Error::Key(
            "the private key does not match the certificate's key type".into(),
        )),
    }
}

/// The pure-Rust provider, decrypting: answer `req` with `key`.
pub fn decrypt_with_key(
    key: &PrivateKey,
    req: &DecryptRequest,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    match (key, req) {
        (PrivateKey::Rsa(k), DecryptRequest::Rsa { scheme, ciphertext }) => {
            super::ktri::rsa_decrypt(k, scheme, ciphertext)
        }
        (PrivateKey::EcP256(k), DecryptRequest::Ecdh { public_key }) => {
            let peer = p256::PublicKey::from_sec1_bytes(public_key).map_err(|_| {
                Error::Malformed("originator public key is not a valid P-256 point".into())
            })?;
            let shared =
                p256::elliptic_curve::ecdh::diffie_hellman(k.to_nonzero_scalar(), peer.as_affine());
            Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
        }
        (_, DecryptRequest::Rsa { .. }) => Err(Error::DecryptFailed(
            "the message is encrypted to this certificate with RSA, but the private key is not an RSA key".into(),
        )),
        (_, DecryptRequest::Ecdh { .. }) => Err(Error::DecryptFailed(
            "the message is encrypted to this certificate with ECDH, but the private key is not a P-256 key".into(),
        )),
    }
}

/// Convert an ECDSA signature in the fixed form `r || s` (IEEE P1363, what WebCrypto returns,
/// W3C WebCrypto §23.4) into the DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
/// of RFC 5480 §2.2 / RFC 5753 §2.1.1. The two halves must be equally long (32 octets for
/// P-256, 48 for P-384, 66 for P-521) and neither zero.
pub fn ecdsa_der_from_fixed(fixed: &[u8]) -> Result<Vec<u8>, Error> {
    if !matches!(fixed.len(), 64 | 96 | 132) {
        return Err(Error::Key(format!(
            "an ECDSA signature r || s has 64, 96 or 132 octets, not {}",
            fixed.len()
        )));
    }
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let int = |v: &[u8]| -> Result<Vec<u8>, Error> {
        if v.iter().all(|b| *b == 0) {
            return Err(Error::Key(
                "an ECDSA signature half (r or s) is zero".into(),
            ));
        }
        Ok(unsigned_integer(v))
    };
    Ok(constructed(0x30, &[&int(r)?, &int(s)?]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_ecdsa_signatures_become_der() {
        let mut fixed = [0u8; 64];
        fixed[0] = 0x80; // r needs a leading zero octet
        fixed[63] = 1; // s = 1
        let der = ecdsa_der_from_fixed(&fixed).unwrap();
        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        assert_eq!(sig.to_bytes().as_slice(), &fixed[..]);
        assert_eq!(der[3], 33); // 0x00 || 32 octets
        assert!(
            ecdsa_der_from_fixed(&[0u8; 64]).is_err(),
            "r = 0 is refused"
        );
        assert!(
            ecdsa_der_from_fixed(&[1u8; 63]).is_err(),
            "odd length is refused"
        );
        assert!(ecdsa_der_from_fixed(&[]).is_err());
        // P-384 length is accepted.
        assert!(ecdsa_der_from_fixed(&[0x7fu8; 96]).is_ok());
    }

    #[test]
    fn a_key_of_the_wrong_type_does_not_answer() {
        let ec = PrivateKey::EcP256(p256::SecretKey::from_slice(&[7u8; 32]).unwrap());
        let req = DecryptRequest::Rsa {
            scheme: RsaDecryption::Pkcs1v15,
            ciphertext: vec![0; 256],
        };
        assert_eq!(
            decrypt_with_key(&ec, &req).unwrap_err().code(),
            "decrypt-failed"
        );
        let req = SignRequest {
            scheme: SignatureScheme::RsaPkcs1v15,
            hash: DigestAlg::Sha256,
            salt_length: 0,
            data: b"x".to_vec(),
        };
        let mut rng = crate::rng::danger::SeededRng::new(1);
        assert!(sign_with_key(&ec, &req, &mut rng).is_err());
    }

    use crate::coded::Coded;
}
