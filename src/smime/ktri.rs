//! KeyTransRecipientInfo with RSA (RFC 5652 §6.2.1; RSAES-PKCS1-v1_5 per RFC 3370 §4.2.1,
//! RSAES-OAEP per RFC 3560 / RFC 8017).
//!
//! ```text
//! KeyTransRecipientInfo ::= SEQUENCE {
//!   version CMSVersion,  -- always set to 0 or 2
//!   rid RecipientIdentifier,
//!   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
//!   encryptedKey EncryptedKey }
//!
//! RSAES-OAEP-params ::= SEQUENCE {                        -- RFC 8017 / RFC 4055
//!   hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1,
//!   maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
//!   pSourceAlgorithm   [2] PSourceAlgorithm DEFAULT pSpecifiedEmpty }
//! ```
//! We produce OAEP with SHA-256 for the hash and for MGF1 (parameters stated explicitly,
//! RFC 4055 §4.1), never PKCS#1 v1.5 (weak: `crate::algorithm_policy`). On receipt we accept v1.5 and OAEP with
//! SHA-1/224/256/384/512 for hash and MGF1 independently, and a pSpecified label.
//!
//! PKCS#1 v1.5 decryption failures are reported as `decrypt-failed`; there is no padding
//! oracle towards a remote party here (the result is shown only to the local user), and
//! the `rsa` crate's decryption is constant-time.

use cms::content_info::CmsVersion;
use cms::enveloped_data::{KeyTransRecipientInfo, RecipientIdentifier, RecipientInfo};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Any, Decode, Encode, Sequence};
use rsa::{Oaep, Pkcs1v15Encrypt, RsaPrivateKey};
use sha2::digest::{Digest, FixedOutputReset};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::key_operation::{DecryptRequest, KeyWrapRequest, OaepHash, RsaDecryption};
use super::Error;
use crate::asn1::oid::{
    MGF1, P_SPECIFIED, RSAES_OAEP, RSA_ENCRYPTION, SHA1, SHA224, SHA256, SHA384, SHA512,
};

/// RSA padding for key transport: RSAES-OAEP only. RSAES-PKCS1-v1_5 (RFC 8551 §2.3 MUST-) is
/// weak by the algorithm policy ([`crate::algorithm_policy::key_transport`]) and never
/// produced; it is still read on receipt, where the policy judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(rename = "KeyTransportPadding")
)]
#[serde(rename_all = "kebab-case")]
pub enum RsaPadding {
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8551 SHOULD+). The default.
    #[default]
    Oaep,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OaepParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mgf: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    p_source: Option<AlgorithmIdentifierOwned>,
}

fn alg(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

fn oaep_sha256_alg() -> Result<AlgorithmIdentifierOwned, Error> {
    let mgf_params = alg(SHA256)
        .to_der()
        .and_then(|d| Any::from_der(&d))
        .map_err(|e| Error::EncryptFailed(e.to_string()))?;
    let params = OaepParams {
        hash: Some(alg(SHA256)),
        mgf: Some(AlgorithmIdentifierOwned {
            oid: MGF1,
            parameters: Some(mgf_params),
        }),
        p_source: None,
    };
    let any = params
        .to_der()
        .and_then(|d| Any::from_der(&d))
        .map_err(|e| Error::EncryptFailed(e.to_string()))?;
    Ok(AlgorithmIdentifierOwned {
        oid: RSAES_OAEP,
        parameters: Some(any),
    })
}

/// The key-transport request for `key`: RSAES-OAEP with SHA-256 of `cek`.
pub(crate) fn wrap_request(
    key: &crate::algorithm_policy::RsaKeyDer,
    padding: RsaPadding,
    cek: &[u8],
) -> Result<KeyWrapRequest, Error> {
    let public_key = key.spki.clone();
    Ok(match padding {
        RsaPadding::Oaep => KeyWrapRequest::RsaOaep {
            hash: OaepHash::Sha256,
            public_key,
            cek: Zeroizing::new(cek.to_vec()),
        },
    })
}

/// Build a KeyTransRecipientInfo from the provider's encryptedKey for `key`. An RSA
/// ciphertext is exactly as long as the modulus (RFC 8017 §7.1.1); anything else is refused.
pub(crate) fn finish(
    key: &crate::algorithm_policy::RsaKeyDer,
    rid: RecipientIdentifier,
    padding: RsaPadding,
    encrypted_key: Vec<u8>,
) -> Result<RecipientInfo, Error> {
    if encrypted_key.len() != key.size || encrypted_key.iter().all(|b| *b == 0) {
        return Err(Error::EncryptFailed(format!(
            "the RSA-encrypted content key has {} octets; the recipient's modulus has {}",
            encrypted_key.len(),
            key.size
        )));
    }
    let key_enc_alg = match padding {
        RsaPadding::Oaep => oaep_sha256_alg()?,
    };
    let version = match rid {
        RecipientIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V0,
        RecipientIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V2,
    };
    Ok(RecipientInfo::Ktri(KeyTransRecipientInfo {
        version,
        rid,
        key_enc_alg,
        enc_key: OctetString::new(encrypted_key)
            .map_err(|e| Error::EncryptFailed(e.to_string()))?,
    }))
}

fn hash_oid(a: &Option<AlgorithmIdentifierOwned>) -> ObjectIdentifier {
    a.as_ref().map(|a| a.oid).unwrap_or(SHA1)
}

fn oaep_decrypt<D, M>(key: &RsaPrivateKey, label: &[u8], ct: &[u8]) -> rsa::Result<Vec<u8>>
where
    D: Digest + FixedOutputReset,
    M: Digest + FixedOutputReset,
{
    if label.is_empty() {
        key.decrypt(Oaep::<D, M>::new_with_mgf_hash(), ct)
    } else {
        key.decrypt(
            Oaep::<D, M>::new_with_mgf_hash_and_label(label.to_vec()),
            ct,
        )
    }
}

/// OAEP with hash `D` and the MGF1 hash `mgf`.
fn oaep_with_hash<D: Digest + FixedOutputReset>(
    key: &RsaPrivateKey,
    label: &[u8],
    ct: &[u8],
    mgf: OaepHash,
) -> rsa::Result<Vec<u8>> {
    match mgf {
        OaepHash::Sha1 => oaep_decrypt::<D, sha1::Sha1>(key, label, ct),
        OaepHash::Sha224 => oaep_decrypt::<D, sha2::Sha224>(key, label, ct),
        OaepHash::Sha256 => oaep_decrypt::<D, sha2::Sha256>(key, label, ct),
        OaepHash::Sha384 => oaep_decrypt::<D, sha2::Sha384>(key, label, ct),
        OaepHash::Sha512 => oaep_decrypt::<D, sha2::Sha512>(key, label, ct),
    }
}

fn oaep_hash(oid: ObjectIdentifier) -> Option<OaepHash> {
    Some(match oid {
        SHA1 => OaepHash::Sha1,
        SHA224 => OaepHash::Sha224,
        SHA256 => OaepHash::Sha256,
        SHA384 => OaepHash::Sha384,
        SHA512 => OaepHash::Sha512,
        _ => return None,
    })
}

/// A human name of the key-transport algorithm, for reports.
pub(crate) fn algorithm_name(alg: &AlgorithmIdentifierOwned) -> String {
    match alg.oid {
        RSA_ENCRYPTION => "rsa-pkcs1v15".into(),
        RSAES_OAEP => "rsa-oaep".into(),
        other => other.to_string(),
    }
}

/// The private-key operation that recovers the content-encryption key of a
/// KeyTransRecipientInfo: its keyEncryptionAlgorithm read into a [`RsaDecryption`]
/// (RSAES-OAEP-params of RFC 4055 §4.1 with their defaults).
pub(crate) fn decrypt_request(ktri: &KeyTransRecipientInfo) -> Result<DecryptRequest, Error> {
    let scheme = match ktri.key_enc_alg.oid {
        RSA_ENCRYPTION => RsaDecryption::Pkcs1v15,
        RSAES_OAEP => {
            let params = match &ktri.key_enc_alg.parameters {
                None => OaepParams {
                    hash: None,
                    mgf: None,
                    p_source: None,
                },
                Some(p) => p
                    .decode_as::<OaepParams>()
                    .map_err(|e| Error::Malformed(format!("bad RSAES-OAEP-params: {e}")))?,
            };
            let h = hash_oid(&params.hash);
            let m = match &params.mgf {
                None => SHA1,
                Some(mgf) => {
                    if mgf.oid != MGF1 {
                        return Err(Error::UnsupportedAlgorithm(format!(
                            "OAEP mask generation function {}",
                            mgf.oid
                        )));
                    }
                    match &mgf.parameters {
                        None => SHA1,
                        Some(p) => {
                            p.decode_as::<AlgorithmIdentifierOwned>()
                                .map_err(|e| Error::Malformed(format!("bad MGF1 parameters: {e}")))?
                                .oid
                        }
                    }
                }
            };
            let label = match &params.p_source {
                None => Vec::new(),
                Some(ps) if ps.oid == P_SPECIFIED => match &ps.parameters {
                    None => Vec::new(),
                    Some(p) => p
                        .decode_as::<OctetString>()
                        .map_err(|e| Error::Malformed(format!("bad OAEP label: {e}")))?
                        .as_bytes()
                        .to_vec(),
                },
                Some(ps) => {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "OAEP pSourceAlgorithm {}",
                        ps.oid
                    )))
                }
            };
            RsaDecryption::Oaep {
                hash: oaep_hash(h)
                    .ok_or_else(|| Error::UnsupportedAlgorithm(format!("OAEP hash {h}")))?,
                mgf_hash: oaep_hash(m)
                    .ok_or_else(|| Error::UnsupportedAlgorithm(format!("OAEP MGF1 hash {m}")))?,
                label,
            }
        }
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "key-transport algorithm {other}"
            )))
        }
    };
    Ok(DecryptRequest::Rsa {
        scheme,
        ciphertext: ktri.enc_key.as_bytes().to_vec(),
    })
}

/// The pure-Rust answer to a [`DecryptRequest::Rsa`]: the content-encryption key.
pub(crate) fn rsa_decrypt(
    key: &RsaPrivateKey,
    scheme: &RsaDecryption,
    ct: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let r = match scheme {
        RsaDecryption::Pkcs1v15 => key.decrypt(Pkcs1v15Encrypt, ct),
        RsaDecryption::Oaep {
            hash,
            mgf_hash,
            label,
        } => match hash {
            OaepHash::Sha1 => oaep_with_hash::<sha1::Sha1>(key, label, ct, *mgf_hash),
            OaepHash::Sha224 => oaep_with_hash::<sha2::Sha224>(key, label, ct, *mgf_hash),
            OaepHash::Sha256 => oaep_with_hash::<sha2::Sha256>(key, label, ct, *mgf_hash),
            OaepHash::Sha384 => oaep_with_hash::<sha2::Sha384>(key, label, ct, *mgf_hash),
            OaepHash::Sha512 => oaep_with_hash::<sha2::Sha512>(key, label, ct, *mgf_hash),
        },
    };
    r.map(Zeroizing::new).map_err(|_| {
        Error::DecryptFailed(
            "the RSA-encrypted content key did not decrypt with this private key".into(),
        )
    })
}
