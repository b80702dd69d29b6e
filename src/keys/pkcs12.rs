//! PKCS#12 import (RFC 7292): a private key, its certificate and the chain from a
//! password-protected `.p12` / `.pfx`.
//!
//! ```text
//! PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
//! MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo      -- id-data or id-encryptedData
//! SafeContents ::= SEQUENCE OF SafeBag
//! SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF … OPTIONAL }
//! CertBag ::= SEQUENCE { certId OID (x509Certificate), certValue [0] EXPLICIT OCTET STRING }
//! EncryptedData ::= SEQUENCE { version, encryptedContentInfo EncryptedContentInfo }  -- RFC 5652 §8
//! ```
//! Supported: the MAC with HMAC-SHA-1/224/256/384/512 keyed by the RFC 7292 Appendix B KDF
//! (ID 3); keyBag, pkcs8ShroudedKeyBag, certBag (x509Certificate), safeContentsBag
//! (nested); encryption by PBES2 (OpenSSL 3 default: PBKDF2-HMAC-SHA256 + AES-256-CBC)
//! or the legacy PKCS#12 PBEs (3DES, RC2-40/128; `openssl pkcs12 -legacy`), see
//! [`super::pbe`]. Not supported: PBMAC1 (RFC 9579), public-key privacy mode
//! (envelopedData safes).
//!
//! BER is accepted (Windows writes indefinite-length PFX files). A wrong password yields
//! `pkcs12-bad-password`.

use const_oid::ObjectIdentifier;
use der::Decode;
use hmac::{KeyInit, Mac};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::certificates::key_matches_certificate;
use super::pbe::{self, PbeError, Purpose, MAX_ITERATIONS};
use super::{Error, PrivateKey};
use crate::smime::enveloped_ber::{self as ber, Tlv};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const SAFE_CONTENTS_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.6");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Maximum SafeContents nesting (safeContentsBag inside safeContentsBag).
const MAX_BAG_DEPTH: usize = 4;

/// A private key with its certificate and the other certificates of the file.
#[derive(Clone, Debug)]
pub struct KeyBundle {
    /// The private key (zeroized on drop by the underlying types).
    pub key: PrivateKey,
    /// The certificate whose public key matches `key`.
    pub cert: Certificate,
    /// Every other certificate in the file (CA chain), in file order.
    pub chain: Vec<Certificate>,
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::Pkcs12Malformed(msg.into())
}

fn map_ber(e: impl std::fmt::Display) -> Error {
    Error::Pkcs12Malformed(e.to_string())
}

#[derive(Default)]
struct Found {
    keys: Vec<(PrivateKey, Option<Vec<u8>>)>,
    certs: Vec<(Certificate, Option<Vec<u8>>)>,
}

/// Import a PKCS#12 file (DER or BER) with its password.
///
/// Errors: `pkcs12-bad-password`, `pkcs12-malformed`, `pkcs12-no-key`,
/// `pkcs12-no-certificate`, `keys-unsupported-algorithm`.
pub fn import_pkcs12(der: &[u8], password: &str) -> Result<KeyBundle, Error> {
    let pfx = ber::parse(der).map_err(map_ber)?.0;
    if !pfx.is_universal(16) {
        return Err(malformed("not a PKCS#12 PFX (expected a SEQUENCE)"));
    }
    let kids = pfx.children().map_err(map_ber)?;
    let (version, auth_safe, mac_data) = match kids.as_slice() {
        [v, a] => (v, a, None),
        [v, a, m] => (v, a, Some(m)),
        _ => return Err(malformed("PFX must have version, authSafe and macData")),
    };
    if ber::small_int(version).map_err(map_ber)? != 3 {
        return Err(malformed("PFX version is not 3"));
    }
    let auth_raw = auth_safe.raw;
    let (ct, inner) = ber::content_info(auth_raw).map_err(map_ber)?;
    if ct != ID_DATA {
        return Err(Error::UnsupportedAlgorithm(
            "PKCS#12 public-key integrity mode (signed authSafe) is not supported".into(),
        ));
    }
    let auth_octets = inner.string_octets().map_err(map_ber)?.into_owned();
    // An empty password is "" ⇒ BMPString [0,0]; files written with a NULL password use
    // no octets at all (RFC 7292 leaves this open): accept either.
    if let Some(m) = mac_data {
        let ok = verify_mac(m, &auth_octets, &pbe::bmp_password(password))?
            || (password.is_empty() && verify_mac(m, &auth_octets, &[])?);
        if !ok {
            return Err(Error::Pkcs12BadPassword);
        }
    }
    let safes = ber::parse(&auth_octets).map_err(map_ber)?.0;
    if !safes.is_universal(16) {
        return Err(malformed("AuthenticatedSafe is not a SEQUENCE"));
    }
    let mut found = Found::default();
    for ci in safes.children().map_err(map_ber)? {
        let (ct, inner) = ber::content_info(ci.raw).map_err(map_ber)?;
        let safe_contents: Zeroizing<Vec<u8>> = if ct == ID_DATA {
            Zeroizing::new(inner.string_octets().map_err(map_ber)?.into_owned())
        } else if ct == ID_ENCRYPTED_DATA {
            decrypt_encrypted_data(&inner, password)?
        } else {
            return Err(Error::UnsupportedAlgorithm(format!(
                "PKCS#12 safe of type {ct} (public-key privacy mode) is not supported"
            )));
        };
        read_safe_contents(&safe_contents, password, &mut found, 0)?;
    }
    choose(found)
}

fn verify_mac(mac_data: &Tlv<'_>, data: &[u8], bmp: &[u8]) -> Result<bool, Error> {
    let kids = mac_data.children().map_err(map_ber)?;
    let (digest_info, salt, iterations) = match kids.as_slice() {
        [d, s] => (d, s, 1u32),
        [d, s, i] => (d, s, ber::small_int(i).map_err(map_ber)?),
        _ => return Err(malformed("bad MacData")),
    };
    if u64::from(iterations) > MAX_ITERATIONS {
        return Err(Error::UnsupportedAlgorithm(
            "MAC iteration count above our limit".into(),
        ));
    }
    let salt = salt.string_octets().map_err(map_ber)?.into_owned();
    let di = digest_info.children().map_err(map_ber)?;
    let [alg_t, digest_t] = di.as_slice() else {
        return Err(malformed("bad DigestInfo"));
    };
    let alg: AlgorithmIdentifierOwned =
        ber::decode_tlv(alg_t, "MAC digest algorithm").map_err(map_ber)?;
    let expected = digest_t.string_octets().map_err(map_ber)?.into_owned();
    macro_rules! check {
        ($d:ty, $v:expr) => {{
            let out = <$d as sha2::digest::Digest>::output_size();
            let key = pbe::pkcs12_kdf::<$d>(bmp, &salt, Purpose::Mac, iterations, out, $v);
            let mut mac = <hmac::Hmac<$d> as KeyInit>::new_from_slice(&key)
                .map_err(|_| malformed("bad MAC key"))?;
            mac.update(data);
            Ok(mac.verify_slice(&expected).is_ok())
        }};
    }
    match alg.oid {
        SHA1 => check!(sha1::Sha1, 64),
        SHA224 => check!(sha2::Sha224, 64),
        SHA256 => check!(sha2::Sha256, 64),
        SHA384 => check!(sha2::Sha384, 128),
        SHA512 => check!(sha2::Sha512, 128),
        other => Err(Error::UnsupportedAlgorithm(format!(
            "PKCS#12 MAC digest {other} (PBMAC1 is not supported)"
        ))),
    }
}

fn pbe_err(e: PbeError) -> Error {
    match e {
        PbeError::BadPassword => Error::Pkcs12BadPassword,
        PbeError::Other(e) => e,
    }
}

/// EncryptedData (RFC 5652 §8) → decrypted SafeContents octets.
fn decrypt_encrypted_data(t: &Tlv<'_>, password: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let kids = t.children().map_err(map_ber)?;
    let eci = match kids.as_slice() {
        [_version, eci, ..] => eci,
        _ => return Err(malformed("bad EncryptedData")),
    };
    let eci_kids = eci.children().map_err(map_ber)?;
    let [_ct, alg_t, content_t] = eci_kids.as_slice() else {
        return Err(malformed("EncryptedData has no encrypted content"));
    };
    let alg: AlgorithmIdentifierOwned =
        ber::decode_tlv(alg_t, "encryption algorithm").map_err(map_ber)?;
    let ct = content_t.string_octets().map_err(map_ber)?.into_owned();
    pbe::decrypt(&alg, password, &ct).map_err(pbe_err)
}

fn local_key_id(attrs: Option<&Tlv<'_>>) -> Option<Vec<u8>> {
    let attrs = attrs?.children().ok()?;
    for a in attrs {
        let kids = a.children().ok()?;
        if let [oid, values] = kids.as_slice() {
            if ber::oid_of(oid).ok()? == LOCAL_KEY_ID {
                let v = values.children().ok()?;
                return v.first()?.string_octets().ok().map(|c| c.into_owned());
            }
        }
    }
    None
}

fn read_safe_contents(
    data: &[u8],
    password: &str,
    found: &mut Found,
    depth: usize,
) -> Result<(), Error> {
    if depth > MAX_BAG_DEPTH {
        return Err(malformed("SafeContents nested too deeply"));
    }
    let sc = ber::parse(data).map_err(map_ber)?.0;
    if !sc.is_universal(16) {
        return Err(malformed("SafeContents is not a SEQUENCE"));
    }
    for bag in sc.children().map_err(map_ber)? {
        let kids = bag.children().map_err(map_ber)?;
        let (id_t, value_t, attrs) = match kids.as_slice() {
            [i, v] => (i, v, None),
            [i, v, a] => (i, v, Some(a)),
            _ => return Err(malformed("bad SafeBag")),
        };
        let id = ber::oid_of(id_t).map_err(map_ber)?;
        if !value_t.is_context(0) {
            return Err(malformed("SafeBag value is not [0]"));
        }
        let value = match value_t.children().map_err(map_ber)?.as_slice() {
            [v] => *v,
            _ => return Err(malformed("SafeBag [0] must hold one value")),
        };
        let lkid = local_key_id(attrs);
        if id == KEY_BAG {
            let der = Zeroizing::new(value.to_der().map_err(map_ber)?.into_owned());
            found.keys.push((PrivateKey::from_pkcs8_der(&der)?, lkid));
        } else if id == SHROUDED_KEY_BAG {
            let kids = value.children().map_err(map_ber)?;
            let [alg_t, enc_t] = kids.as_slice() else {
                return Err(malformed("bad EncryptedPrivateKeyInfo"));
            };
            let alg: AlgorithmIdentifierOwned =
                ber::decode_tlv(alg_t, "key encryption algorithm").map_err(map_ber)?;
            let pt = pbe::decrypt(&alg, password, &enc_t.string_octets().map_err(map_ber)?)
                .map_err(pbe_err)?;
            let key = PrivateKey::from_pkcs8_der(&pt).map_err(|_| Error::Pkcs12BadPassword)?;
            found.keys.push((key, lkid));
        } else if id == CERT_BAG {
            let kids = value.children().map_err(map_ber)?;
            let [cid, cval] = kids.as_slice() else {
                return Err(malformed("bad CertBag"));
            };
            if ber::oid_of(cid).map_err(map_ber)? != X509_CERTIFICATE {
                continue; // sdsiCertificate etc.: not for us
            }
            let inner = match cval.children().map_err(map_ber)?.as_slice() {
                [os] => os.string_octets().map_err(map_ber)?.into_owned(),
                _ => return Err(malformed("bad CertBag value")),
            };
            let cert = Certificate::from_der(&inner).map_err(|e| {
                Error::CertificateMalformed(format!("bad certificate in PKCS#12: {e}"))
            })?;
            found.certs.push((cert, lkid));
        } else if id == SAFE_CONTENTS_BAG {
            read_safe_contents(value.raw, password, found, depth + 1)?;
        }
        // crlBag, secretBag, unknown bags: ignored.
    }
    Ok(())
}

fn choose(found: Found) -> Result<KeyBundle, Error> {
    let Found { mut keys, certs } = found;
    if keys.is_empty() {
        return Err(Error::Pkcs12NoKey);
    }
    let (key, lkid) = keys.remove(0);
    let idx = certs
        .iter()
        .position(|(c, _)| key_matches_certificate(&key, c))
        .or_else(|| {
            lkid.as_ref()
                .and_then(|k| certs.iter().position(|(_, l)| l.as_ref() == Some(k)))
        })
        .ok_or(Error::Pkcs12NoCertificate)?;
    let mut chain = Vec::with_capacity(certs.len());
    let mut cert = None;
    for (i, (c, _)) in certs.into_iter().enumerate() {
        if i == idx {
            cert = Some(c);
        } else {
            chain.push(c);
        }
    }
    let cert = cert.ok_or(Error::Pkcs12NoCertificate)?;
    Ok(KeyBundle { key, cert, chain })
}
