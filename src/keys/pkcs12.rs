//! PKCS#12 (RFC 7292): import of a private key, its certificate and the chain from a
//! password-protected `.p12` / `.pfx` ([`import_pkcs12`]), and export of the same
//! ([`export_pkcs12`]).
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
//!
//! Export writes what OpenSSL 3 writes by default, readable by `openssl pkcs12` (3.x):
//! ```text
//! AuthenticatedSafe: two id-data ContentInfos
//!   1. SafeContents { certBag(user cert, friendlyName, localKeyId), certBag(chain) … }
//!   2. SafeContents { pkcs8ShroudedKeyBag(EncryptedPrivateKeyInfo, friendlyName, localKeyId) }
//! MacData: HMAC-SHA-256, RFC 7292 Appendix B KDF (ID 3), [`MAC_ITERATIONS`]
//! ```
//! The key is encrypted with PBES2 (PBKDF2-HMAC-SHA256, [`KEY_ITERATIONS`], AES-256-CBC;
//! RFC 8018); certificates are not encrypted (OpenSSL `-certpbe NONE`; they are public).

use const_oid::ObjectIdentifier;
use hmac::{KeyInit, Mac};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::certificates::key_matches_certificate;
use super::pbe::{self, PbeError, Purpose, MAX_ITERATIONS};
use super::{Error, PrivateKey};
use crate::asn1::ber::Tlv;
use crate::asn1::content_info;
use crate::asn1::content_info::ContentInfo;
use crate::asn1::der::{bmp_string, constructed, der_set_of, primitive, unsigned_integer};
use crate::asn1::oid::{
    CERT_BAG, FRIENDLY_NAME, ID_DATA, ID_ENCRYPTED_DATA, KEY_BAG, LOCAL_KEY_ID, SAFE_CONTENTS_BAG,
    SHA1, SHA224, SHA256, SHA384, SHA512, SHROUDED_KEY_BAG, X509_CERTIFICATE,
};
use crate::rng::CryptoRng;

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
    let pfx = Tlv::parse(der).map_err(map_ber)?.0;
    if !pfx.is_universal(16) {
        return Err(malformed("not a PKCS#12 PFX (expected a SEQUENCE)"));
    }
    // One more than the fields there are (a surplus is reported, never listed whole).
    let kids = pfx.children_at_most(4, "PFX").map_err(map_ber)?;
    let (version, auth_safe, mac_data) = match kids.as_slice() {
        [v, a] => (v, a, None),
        [v, a, m] => (v, a, Some(m)),
        _ => return Err(malformed("PFX must have version, authSafe and macData")),
    };
    if version.small_uint("version").map_err(map_ber)? != 3 {
        return Err(malformed("PFX version is not 3"));
    }
    let auth_raw = auth_safe.raw;
    let ContentInfo {
        content_type: ct,
        content: inner,
        ..
    } = ContentInfo::parse_prefix(auth_raw).map_err(map_ber)?;
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
    let safes = Tlv::parse(&auth_octets).map_err(map_ber)?.0;
    if !safes.is_universal(16) {
        return Err(malformed("AuthenticatedSafe is not a SEQUENCE"));
    }
    let mut found = Found::default();
    for ci in safes.children_iter().map_err(map_ber)? {
        let ci = ci.map_err(map_ber)?;
        let ContentInfo {
            content_type: ct,
            content: inner,
            ..
        } = ContentInfo::parse_prefix(ci.raw).map_err(map_ber)?;
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
    let kids = mac_data.children_at_most(4, "MacData").map_err(map_ber)?;
    let (digest_info, salt, iterations) = match kids.as_slice() {
        [d, s] => (d, s, 1u32),
        [d, s, i] => (d, s, i.small_uint("MacData.iterations").map_err(map_ber)?),
        _ => return Err(malformed("bad MacData")),
    };
    if u64::from(iterations) > MAX_ITERATIONS {
        return Err(Error::UnsupportedAlgorithm(
            "MAC iteration count above our limit".into(),
        ));
    }
    let salt = salt.string_octets().map_err(map_ber)?.into_owned();
    let di = digest_info
        .children_at_most(3, "DigestInfo")
        .map_err(map_ber)?;
    let [alg_t, digest_t] = di.as_slice() else {
        return Err(malformed("bad DigestInfo"));
    };
    let alg: AlgorithmIdentifierOwned = alg_t.decode("MAC digest algorithm").map_err(map_ber)?;
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
    let kids = t.children_at_most(3, "EncryptedData").map_err(map_ber)?;
    let eci = match kids.as_slice() {
        [_version, eci, ..] => eci,
        _ => return Err(malformed("bad EncryptedData")),
    };
    let eci_kids = eci
        .children_at_most(4, "EncryptedContentInfo")
        .map_err(map_ber)?;
    let [_ct, alg_t, content_t] = eci_kids.as_slice() else {
        return Err(malformed("EncryptedData has no encrypted content"));
    };
    let alg: AlgorithmIdentifierOwned = alg_t.decode("encryption algorithm").map_err(map_ber)?;
    let ct = content_t.string_octets().map_err(map_ber)?.into_owned();
    pbe::decrypt(&alg, password, &ct).map_err(pbe_err)
}

fn local_key_id(attrs: Option<&Tlv<'_>>) -> Option<Vec<u8>> {
    for a in attrs?.children_iter().ok()? {
        let kids = a.ok()?.children_at_most(3, "PKCS12Attribute").ok()?;
        if let [oid, values] = kids.as_slice() {
            if oid.oid("attrId").ok()? == LOCAL_KEY_ID {
                let first = values.children_iter().ok()?.next()?.ok()?;
                return first.string_octets().ok().map(|c| c.into_owned());
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
    let sc = Tlv::parse(data).map_err(map_ber)?.0;
    if !sc.is_universal(16) {
        return Err(malformed("SafeContents is not a SEQUENCE"));
    }
    for bag in sc.children_iter().map_err(map_ber)? {
        let kids = bag
            .map_err(map_ber)?
            .children_at_most(4, "SafeBag")
            .map_err(map_ber)?;
        let (id_t, value_t, attrs) = match kids.as_slice() {
            [i, v] => (i, v, None),
            [i, v, a] => (i, v, Some(a)),
            _ => return Err(malformed("bad SafeBag")),
        };
        let id = id_t.oid("bagId").map_err(map_ber)?;
        if !value_t.is_context(0) {
            return Err(malformed("SafeBag value is not [0]"));
        }
        let value = match value_t
            .children_at_most(2, "SafeBag value")
            .map_err(map_ber)?
            .as_slice()
        {
            [v] => *v,
            _ => return Err(malformed("SafeBag [0] must hold one value")),
        };
        let lkid = local_key_id(attrs);
        if id == KEY_BAG {
            let der = Zeroizing::new(value.to_der().map_err(map_ber)?.into_owned());
            found.keys.push((PrivateKey::from_pkcs8_der(&der)?, lkid));
        } else if id == SHROUDED_KEY_BAG {
            let kids = value
                .children_at_most(3, "EncryptedPrivateKeyInfo")
                .map_err(map_ber)?;
            let [alg_t, enc_t] = kids.as_slice() else {
                return Err(malformed("bad EncryptedPrivateKeyInfo"));
            };
            let alg: AlgorithmIdentifierOwned =
                alg_t.decode("key encryption algorithm").map_err(map_ber)?;
            let pt = pbe::decrypt(&alg, password, &enc_t.string_octets().map_err(map_ber)?)
                .map_err(pbe_err)?;
            let key = PrivateKey::from_pkcs8_der(&pt).map_err(|_| Error::Pkcs12BadPassword)?;
            found.keys.push((key, lkid));
        } else if id == CERT_BAG {
            let kids = value.children_at_most(3, "CertBag").map_err(map_ber)?;
            let [cid, cval] = kids.as_slice() else {
                return Err(malformed("bad CertBag"));
            };
            if cid.oid("certId").map_err(map_ber)? != X509_CERTIFICATE {
                continue; // sdsiCertificate etc.: not for us
            }
            let inner = match cval
                .children_at_most(2, "CertBag value")
                .map_err(map_ber)?
                .as_slice()
            {
                [os] => os.string_octets().map_err(map_ber)?.into_owned(),
                _ => return Err(malformed("bad CertBag value")),
            };
            let cert = super::certificate_from_der(&inner).map_err(|e| {
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

/// PBKDF2 iterations of the exported key's encryption.
pub(super) const KEY_ITERATIONS: u32 = 100_000;
/// Iterations of the exported file's MAC KDF.
pub(super) const MAC_ITERATIONS: u32 = 10_000;

fn oid(o: ObjectIdentifier) -> Vec<u8> {
    primitive(0x06, o.as_bytes())
}

fn explicit0(b: &[u8]) -> Vec<u8> {
    constructed(0xa0, &[b])
}

/// bagAttributes: `SET OF PKCS12Attribute` with friendlyName and localKeyId (DER order).
fn bag_attributes(name: &str, key_id: &[u8]) -> Vec<u8> {
    let fname = constructed(
        0x30,
        &[&oid(FRIENDLY_NAME), &der_set_of(vec![bmp_string(name)])],
    );
    let kid = constructed(
        0x30,
        &[
            &oid(LOCAL_KEY_ID),
            &der_set_of(vec![primitive(0x04, key_id)]),
        ],
    );
    der_set_of(vec![fname, kid])
}

fn data_content_info(content: &[u8]) -> Vec<u8> {
    content_info::encode(ID_DATA, &primitive(0x04, content))
}

fn cert_bag(cert_der: &[u8], attributes: Option<&[u8]>) -> Vec<u8> {
    let value = explicit0(&constructed(
        0x30,
        &[
            &oid(X509_CERTIFICATE),
            &explicit0(&primitive(0x04, cert_der)),
        ],
    ));
    match attributes {
        Some(a) => constructed(0x30, &[&oid(CERT_BAG), &value, a]),
        None => constructed(0x30, &[&oid(CERT_BAG), &value]),
    }
}

/// Write a PKCS#12 file (DER) holding `key`, its certificate `cert` and the `chain`, under
/// `password`; `friendly_name` names the key and certificate bags.
///
/// Errors: `key-export-failed` (a certificate or the key cannot be encoded).
pub fn export_pkcs12<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    cert: &Certificate,
    chain: &[Certificate],
    friendly_name: &str,
    password: &str,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    use der::Encode;
    let err = |what: &str, e: &dyn std::fmt::Display| Error::ExportFailed(format!("{what}: {e}"));
    let cert_der = cert.to_der().map_err(|e| err("certificate", &e))?;
    // localKeyId: SHA-1 of the certificate, as OpenSSL does.
    let key_id: Vec<u8> = {
        use sha1::Digest;
        sha1::Sha1::digest(&cert_der).to_vec()
    };
    let attributes = bag_attributes(friendly_name, &key_id);

    // Certificates (unencrypted SafeContents).
    let mut bags = vec![cert_bag(&cert_der, Some(&attributes))];
    for c in chain {
        let d = c.to_der().map_err(|e| err("chain certificate", &e))?;
        bags.push(cert_bag(&d, None));
    }
    let refs: Vec<&[u8]> = bags.iter().map(|b| b.as_slice()).collect();
    let cert_safe = constructed(0x30, &refs);

    // The key: EncryptedPrivateKeyInfo (PBES2) in a pkcs8ShroudedKeyBag.
    let pem = super::export_encrypted_pkcs8_with_iterations(key, password, KEY_ITERATIONS, rng)
        .map_err(|e| err("key encryption", &e))?;
    let epki = super::pem_blocks(&pem)
        .next()
        .and_then(Result::ok)
        .map(|(_, der)| der)
        .ok_or_else(|| Error::ExportFailed("encrypted key PEM".into()))?;
    let key_bag = constructed(
        0x30,
        &[&oid(SHROUDED_KEY_BAG), &explicit0(&epki), &attributes],
    );
    let key_safe = constructed(0x30, &[&key_bag]);

    let auth_safe = constructed(
        0x30,
        &[
            &data_content_info(&cert_safe),
            &data_content_info(&key_safe),
        ],
    );

    // MAC over the AuthenticatedSafe octets (RFC 7292 §5.1, Appendix B).
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let bmp = pbe::bmp_password(password);
    let mac_key =
        pbe::pkcs12_kdf::<sha2::Sha256>(&bmp, &salt, Purpose::Mac, MAC_ITERATIONS, 32, 64);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&mac_key)
        .map_err(|e| err("MAC key", &e))?;
    mac.update(&auth_safe);
    let tag = mac.finalize().into_bytes();
    let digest_alg = constructed(0x30, &[&oid(SHA256), &[0x05, 0x00]]);
    let mac_data = constructed(
        0x30,
        &[
            &constructed(0x30, &[&digest_alg, &primitive(0x04, &tag)]),
            &primitive(0x04, &salt),
            &unsigned_integer(&MAC_ITERATIONS.to_be_bytes()),
        ],
    );

    Ok(constructed(
        0x30,
        &[
            &unsigned_integer(&3u32.to_be_bytes()),
            &data_content_info(&auth_safe),
            &mac_data,
        ],
    ))
}
