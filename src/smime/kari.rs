//! KeyAgreeRecipientInfo with ephemeral-static ECDH on P-256 (RFC 5652 §6.2.2,
//! RFC 5753 §3.1, RFC 8551 §2.3: "ECDH ephemeral-static on P-256 MUST").
//!
//! ```text
//! KeyAgreeRecipientInfo ::= SEQUENCE {
//!   version CMSVersion,  -- always set to 3
//!   originator [0] EXPLICIT OriginatorIdentifierOrKey,   -- originatorKey [1] (RFC 5753)
//!   ukm [1] EXPLICIT UserKeyingMaterial OPTIONAL,
//!   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
//!       -- dhSinglePass-stdDH-sha256kdf-scheme, parameters = the key-wrap AlgorithmIdentifier
//!   recipientEncryptedKeys RecipientEncryptedKeys }
//!
//! ECC-CMS-SharedInfo ::= SEQUENCE {                      -- RFC 5753 §7.2
//!   keyInfo         AlgorithmIdentifier,                 -- the key-wrap algorithm
//!   entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL,      -- ukm
//!   suppPubInfo [2] EXPLICIT OCTET STRING }              -- KEK length in bits, 32-bit BE
//! ```
//! KEK = ANSI X9.63 KDF(Z, SharedInfo) with the scheme's hash (RFC 5753 §3.1.2); the CEK is
//! wrapped with AES key wrap (RFC 3394 / RFC 3565).
//!
//! We write our own builder rather than `cms::builder::KeyAgreeRecipientInfoBuilder`
//! (cms 0.3.0-rc.0): that builder derives the KEK into the output buffer and then wraps
//! the CEK under an all-zero `KW::init_kek()` key, so its output is readable by anyone and
//! not decryptable by OpenSSL.
//!
//! Produced: dhSinglePass-stdDH-sha256kdf-scheme + id-aes128-wrap or id-aes256-wrap
//! (matching the content-cipher key size, RFC 8551 §2.3), originatorKey with
//! id-ecPublicKey (parameters absent, uncompressed point), no ukm.
//! Received: stdDH and cofactorDH (identical on P-256, cofactor 1) with SHA-1/224/256/384/512
//! KDFs, id-aes128/192/256-wrap and (legacy, OpenSSL's choice with 3DES content)
//! id-alg-CMS3DESwrap (RFC 3217), rid as issuerAndSerialNumber or rKeyId (SKI), with or
//! without ukm.

use cms::content_info::CmsVersion;
use cms::enveloped_data::{
    KeyAgreeRecipientIdentifier, KeyAgreeRecipientInfo, OriginatorIdentifierOrKey,
    OriginatorPublicKey, RecipientEncryptedKey, RecipientInfo,
};
use const_oid::ObjectIdentifier;
use der::asn1::{BitString, OctetString};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::key_operation::{DecryptRequest, KeyWrapRequest};
use super::Error;
use crate::asn1::oid::{
    AES128_WRAP, AES192_WRAP, AES256_WRAP, CMS3DES_WRAP, COF_DH_SHA1, COF_DH_SHA224, COF_DH_SHA256,
    COF_DH_SHA384, COF_DH_SHA512, EC_PUBLIC_KEY, P256, STD_DH_SHA1, STD_DH_SHA224, STD_DH_SHA256,
    STD_DH_SHA384, STD_DH_SHA512,
};

/// RFC 5753 §7.2 ECC-CMS-SharedInfo.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EccCmsSharedInfo {
    key_info: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    entity_u_info: Option<OctetString>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    supp_pub_info: OctetString,
}

#[derive(Clone, Copy)]
enum KdfHash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

fn kdf_hash(oid: &ObjectIdentifier) -> Option<KdfHash> {
    Some(match *oid {
        STD_DH_SHA1 | COF_DH_SHA1 => KdfHash::Sha1,
        STD_DH_SHA224 | COF_DH_SHA224 => KdfHash::Sha224,
        STD_DH_SHA256 | COF_DH_SHA256 => KdfHash::Sha256,
        STD_DH_SHA384 | COF_DH_SHA384 => KdfHash::Sha384,
        STD_DH_SHA512 | COF_DH_SHA512 => KdfHash::Sha512,
        _ => return None,
    })
}

/// Human name of a key-agreement scheme for reports.
pub(crate) fn algorithm_name(kari: &KeyAgreeRecipientInfo) -> String {
    let scheme = match kari.key_enc_alg.oid {
        STD_DH_SHA1 => "ecdh-sha1kdf",
        STD_DH_SHA224 => "ecdh-sha224kdf",
        STD_DH_SHA256 => "ecdh-sha256kdf",
        STD_DH_SHA384 => "ecdh-sha384kdf",
        STD_DH_SHA512 => "ecdh-sha512kdf",
        COF_DH_SHA1 | COF_DH_SHA224 | COF_DH_SHA256 | COF_DH_SHA384 | COF_DH_SHA512 => {
            "ecdh-cofactor"
        }
        _ => "key-agreement",
    };
    let wrap = wrap_alg(kari)
        .map(|w| match w.oid {
            AES128_WRAP => "aes128-wrap",
            AES192_WRAP => "aes192-wrap",
            AES256_WRAP => "aes256-wrap",
            CMS3DES_WRAP => "3des-wrap",
            _ => "unknown-wrap",
        })
        .unwrap_or("unknown-wrap");
    format!("{scheme}-{wrap}")
}

fn wrap_alg(kari: &KeyAgreeRecipientInfo) -> Result<AlgorithmIdentifierOwned, Error> {
    kari.key_enc_alg
        .parameters
        .as_ref()
        .ok_or_else(|| {
            Error::Malformed("key-agreement algorithm lacks the key-wrap algorithm".into())
        })?
        .decode_as::<AlgorithmIdentifierOwned>()
        .map_err(|e| Error::Malformed(format!("bad key-wrap algorithm: {e}")))
}

fn x963(hash: KdfHash, z: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let r = match hash {
        KdfHash::Sha1 => ansi_x963_kdf::derive_key_into::<sha1::Sha1>(z, info, out),
        KdfHash::Sha224 => ansi_x963_kdf::derive_key_into::<sha2::Sha224>(z, info, out),
        KdfHash::Sha256 => ansi_x963_kdf::derive_key_into::<sha2::Sha256>(z, info, out),
        KdfHash::Sha384 => ansi_x963_kdf::derive_key_into::<sha2::Sha384>(z, info, out),
        KdfHash::Sha512 => ansi_x963_kdf::derive_key_into::<sha2::Sha512>(z, info, out),
    };
    r.map_err(|e| Error::DecryptFailed(format!("X9.63 KDF failed: {e:?}")))
}

fn wrap_key(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, Error> {
    use aes_kw::KeyInit;
    let mut out = vec![0u8; cek.len() + 8];
    let fail = |_| Error::EncryptFailed("AES key wrap failed".into());
    let n = match kek.len() {
        16 => aes_kw::KwAes128::new_from_slice(kek)
            .map_err(|_| Error::EncryptFailed("bad KEK".into()))?
            .wrap_key(cek, &mut out)
            .map_err(fail)?
            .len(),
        32 => aes_kw::KwAes256::new_from_slice(kek)
            .map_err(|_| Error::EncryptFailed("bad KEK".into()))?
            .wrap_key(cek, &mut out)
            .map_err(fail)?
            .len(),
        _ => return Err(Error::EncryptFailed("unsupported KEK size".into())),
    };
    out.truncate(n);
    Ok(out)
}

/// RFC 3217 §3.2 Triple-DES key unwrap (receive only).
fn unwrap_3des(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    use cipher::block_padding::NoPadding;
    use cipher::{BlockModeDecrypt, KeyIvInit};
    use sha1::Digest;
    const IV: [u8; 8] = [0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05];
    let fail = || {
        Error::DecryptFailed(
            "the content key did not unwrap (3DES key wrap checksum failed): wrong private key or corrupted message"
                .into(),
        )
    };
    if wrapped.len() != 40 {
        return Err(Error::Malformed(
            "3DES-wrapped key must be 40 octets".into(),
        ));
    }
    let dec = |iv: &[u8], data: &[u8]| -> Result<Zeroizing<Vec<u8>>, Error> {
        cbc::Decryptor::<des::TdesEde3>::new_from_slices(kek, iv)
            .map_err(|_| Error::DecryptFailed("bad KEK length".into()))?
            .decrypt_padded_vec::<NoPadding>(data)
            .map(Zeroizing::new)
            .map_err(|_| fail())
    };
    let mut temp2 = dec(&IV, wrapped)?;
    temp2.reverse();
    let (iv, temp1) = temp2.split_at(8);
    let cekicv = dec(iv, temp1)?;
    let (cek, icv) = cekicv.split_at(24);
    let digest = sha1::Sha1::digest(cek);
    if digest.get(..8) != Some(icv) {
        return Err(fail());
    }
    Ok(Zeroizing::new(cek.to_vec()))
}

fn unwrap_key(
    wrap: &ObjectIdentifier,
    kek: &[u8],
    wrapped: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    use aes_kw::KeyInit;
    if *wrap == CMS3DES_WRAP {
        return unwrap_3des(kek, wrapped);
    }
    if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
        return Err(Error::Malformed("wrapped key has a bad length".into()));
    }
    let mut out = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
    let fail = |_| {
        Error::DecryptFailed(
            "the content key did not unwrap (AES key wrap integrity check failed): wrong private key or corrupted message"
                .into(),
        )
    };
    let bad = |_| Error::DecryptFailed("bad KEK length".into());
    let n = match *wrap {
        AES128_WRAP => aes_kw::KwAes128::new_from_slice(kek)
            .map_err(bad)?
            .unwrap_key(wrapped, &mut out)
            .map_err(fail)?
            .len(),
        AES192_WRAP => aes_kw::KwAes192::new_from_slice(kek)
            .map_err(bad)?
            .unwrap_key(wrapped, &mut out)
            .map_err(fail)?
            .len(),
        AES256_WRAP => aes_kw::KwAes256::new_from_slice(kek)
            .map_err(bad)?
            .unwrap_key(wrapped, &mut out)
            .map_err(fail)?
            .len(),
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "key-wrap algorithm {other}"
            )))
        }
    };
    out.truncate(n);
    Ok(out)
}

fn shared_info_der(
    wrap: &AlgorithmIdentifierOwned,
    ukm: Option<&OctetString>,
    kek_len: usize,
) -> Result<Vec<u8>, Error> {
    let bits = u32::try_from(kek_len * 8).unwrap_or(0).to_be_bytes();
    EccCmsSharedInfo {
        key_info: wrap.clone(),
        entity_u_info: ukm.cloned(),
        supp_pub_info: OctetString::new(bits.to_vec())
            .map_err(|e| Error::Malformed(e.to_string()))?,
    }
    .to_der()
    .map_err(|e| Error::Malformed(format!("encoding ECC-CMS-SharedInfo: {e}")))
}

/// The key-agreement request for one P-256 recipient (RFC 5753 §3.1.1: ephemeral-static
/// ECDH with the recipient's public key).
pub(crate) fn wrap_request(recipient: &p256::PublicKey) -> KeyWrapRequest {
    let point =
        p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(recipient.as_affine(), false);
    KeyWrapRequest::Ecdh {
        public_key: point.as_bytes().to_vec(),
    }
}

/// Build the KeyAgreeRecipientInfo for one P-256 recipient from the provider's answer (the
/// ephemeral public key and the shared secret Z): dhSinglePass-stdDH-sha256kdf-scheme, AES
/// key wrap with a KEK of `cek.len()` octets (16 → id-aes128-wrap, 32 → id-aes256-wrap).
/// The ephemeral key must be a valid P-256 point other than the recipient's own; Z cannot be
/// checked without the ephemeral private key, which never reaches the core.
pub(crate) fn finish(
    recipient: &p256::PublicKey,
    rid: KeyAgreeRecipientIdentifier,
    cek: &[u8],
    ephemeral: &[u8],
    z: &[u8],
) -> Result<RecipientInfo, Error> {
    let wrap_oid = match cek.len() {
        16 => AES128_WRAP,
        32 => AES256_WRAP,
        _ => return Err(Error::EncryptFailed("unsupported content key size".into())),
    };
    let eph_pub = p256::PublicKey::from_sec1_bytes(ephemeral).map_err(|_| {
        Error::EncryptFailed(
            "the ephemeral ECDH key of the answer is not a valid P-256 point".into(),
        )
    })?;
    if eph_pub == *recipient {
        return Err(Error::EncryptFailed(
            "the ephemeral ECDH key of the answer is the recipient's own key".into(),
        ));
    }
    if z.len() != 32 {
        return Err(Error::EncryptFailed(format!(
            "a P-256 shared secret has 32 octets, not {}",
            z.len()
        )));
    }
    let wrap = AlgorithmIdentifierOwned {
        oid: wrap_oid,
        parameters: None,
    };
    let info = shared_info_der(&wrap, None, cek.len())?;
    let mut kek = Zeroizing::new(vec![0u8; cek.len()]);
    ansi_x963_kdf::derive_key_into::<sha2::Sha256>(z, &info, &mut kek)
        .map_err(|e| Error::EncryptFailed(format!("X9.63 KDF failed: {e:?}")))?;
    let wrapped = wrap_key(&kek, cek)?;
    let point = p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(eph_pub.as_affine(), false);
    let enc = |e: der::Error| Error::EncryptFailed(e.to_string());
    let wrap_any = Any::from_der(&wrap.to_der().map_err(enc)?).map_err(enc)?;
    Ok(RecipientInfo::Kari(KeyAgreeRecipientInfo {
        version: CmsVersion::V3,
        originator: OriginatorIdentifierOrKey::OriginatorKey(OriginatorPublicKey {
            algorithm: AlgorithmIdentifierOwned {
                oid: EC_PUBLIC_KEY,
                parameters: None,
            },
            public_key: BitString::from_bytes(point.as_bytes()).map_err(enc)?,
        }),
        ukm: None,
        key_enc_alg: AlgorithmIdentifierOwned {
            oid: STD_DH_SHA256,
            parameters: Some(wrap_any),
        },
        recipient_enc_keys: vec![RecipientEncryptedKey {
            rid,
            enc_key: OctetString::new(wrapped).map_err(enc)?,
        }],
    }))
}

/// What the core keeps while the provider answers the ECDH request of a
/// KeyAgreeRecipientInfo: how to derive the key-encryption key from Z and unwrap the CEK.
#[derive(Clone)]
pub(crate) struct KariUnwrap {
    hash: KdfHash,
    wrap: ObjectIdentifier,
    kek_len: usize,
    shared_info: Vec<u8>,
    wrapped: Vec<u8>,
}

/// The ECDH request for `kari.recipient_enc_keys[index]` (RFC 5753 §3.1.2): the
/// originator's ephemeral P-256 key, checked; and what to do with the answer.
pub(crate) fn agreement_request(
    kari: &KeyAgreeRecipientInfo,
    index: usize,
) -> Result<(DecryptRequest, KariUnwrap), Error> {
    let hash = kdf_hash(&kari.key_enc_alg.oid).ok_or_else(|| {
        Error::UnsupportedAlgorithm(format!(
            "key-agreement algorithm {} is not supported",
            kari.key_enc_alg.oid
        ))
    })?;
    let wrap = wrap_alg(kari)?;
    let kek_len = match wrap.oid {
        AES128_WRAP => 16,
        AES192_WRAP => 24,
        AES256_WRAP => 32,
        CMS3DES_WRAP => 24,
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "key-wrap algorithm {other}"
            )))
        }
    };
    let opk = match &kari.originator {
        OriginatorIdentifierOrKey::OriginatorKey(k) => k,
        _ => {
            return Err(Error::UnsupportedAlgorithm(
                "static-static key agreement (originator identified by certificate) is not supported; RFC 5753 requires originatorKey".into(),
            ))
        }
    };
    if opk.algorithm.oid != EC_PUBLIC_KEY {
        return Err(Error::UnsupportedAlgorithm(format!(
            "originator key algorithm {} (only EC P-256 is supported)",
            opk.algorithm.oid
        )));
    }
    if let Some(p) = &opk.algorithm.parameters {
        if let Ok(curve) = p.decode_as::<ObjectIdentifier>() {
            if curve != P256 {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "originator key on curve {curve} (only P-256 is supported)"
                )));
            }
        }
    }
    let point = opk
        .public_key
        .as_bytes()
        .ok_or_else(|| Error::Malformed("originator public key is not whole octets".into()))?;
    let peer = p256::PublicKey::from_sec1_bytes(point)
        .map_err(|_| Error::Malformed("originator public key is not a valid P-256 point".into()))?;
    let uncompressed =
        p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(peer.as_affine(), false);
    let shared_info = shared_info_der(&wrap, kari.ukm.as_ref(), kek_len)?;
    let rek = kari
        .recipient_enc_keys
        .get(index)
        .ok_or_else(|| Error::Malformed("recipient index out of range".into()))?;
    Ok((
        DecryptRequest::Ecdh {
            public_key: uncompressed.as_bytes().to_vec(),
        },
        KariUnwrap {
            hash,
            wrap: wrap.oid,
            kek_len,
            shared_info,
            wrapped: rek.enc_key.as_bytes().to_vec(),
        },
    ))
}

/// Derive the key-encryption key from the shared secret `z` (ANSI X9.63 KDF with
/// ECC-CMS-SharedInfo, RFC 5753 §7.2) and unwrap the content-encryption key.
pub(crate) fn unwrap_with_secret(
    state: &KariUnwrap,
    z: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if z.len() != 32 {
        return Err(Error::DecryptFailed(format!(
            "a P-256 shared secret has 32 octets, not {}",
            z.len()
        )));
    }
    let mut kek = Zeroizing::new(vec![0u8; state.kek_len]);
    x963(state.hash, z, &state.shared_info, &mut kek)?;
    unwrap_key(&state.wrap, &kek, &state.wrapped)
}
