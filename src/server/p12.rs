//! PKCS#12 export (RFC 7292) of a demo user's key, certificate and CA certificate, so a
//! newcomer can import them into the extension (Settings → import a PKCS#12) or any mail
//! client. Native-only: the demo PKI is made by the server.
//!
//! ```text
//! PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData }
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo        -- here: two id-data ContentInfos
//!   1. SafeContents { certBag(user cert, localKeyId, friendlyName), certBag(CA cert) }
//!   2. SafeContents { pkcs8ShroudedKeyBag(EncryptedPrivateKeyInfo, localKeyId, friendlyName) }
//! MacData ::= SEQUENCE { mac DigestInfo {sha256, mac}, macSalt OCTET STRING, iterations INTEGER }
//! ```
//!
//! The key is encrypted with PBES2 (PBKDF2-HMAC-SHA256, [`KEY_ITERATIONS`], AES-256-CBC; RFC 8018)
//! — what OpenSSL 3 writes by default. Certificates are not encrypted (OpenSSL
//! `-certpbe NONE`; they are public). The integrity MAC is HMAC-SHA-256 keyed by the RFC 7292
//! Appendix B KDF (ID 3) with [`MAC_ITERATIONS`]. Readable by `openssl pkcs12` (3.x) and by our
//! own `keys::import_pkcs12`.

use der::Encode;
use hmac::{KeyInit, Mac};
use x509_cert::Certificate;

use crate::keys::pbe::{bmp_password, pkcs12_kdf, Purpose};
use crate::keys::{pem_blocks, PrivateKey};
use crate::rng::CryptoRng;

/// PBKDF2 iterations of the key encryption.
pub const KEY_ITERATIONS: u32 = 100_000;
/// Iterations of the PKCS#12 MAC KDF.
pub const MAC_ITERATIONS: u32 = 10_000;

// DER object identifier contents (without tag and length).
const ID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const SHROUDED_KEY_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
];
const CERT_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03,
];
const X509_CERTIFICATE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01];
const FRIENDLY_NAME: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14];
const LOCAL_KEY_ID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15];
const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

/// A DER TLV with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let len = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | len.len() as u8);
        out.extend_from_slice(len);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(o: &[u8]) -> Vec<u8> {
    tlv(0x06, o)
}

fn octets(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}

fn explicit0(b: &[u8]) -> Vec<u8> {
    tlv(0xa0, b)
}

fn integer(n: u32) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let skip = bytes
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(bytes.len() - 1);
    let mut v: Vec<u8> = bytes.get(skip..).unwrap_or(&[0]).to_vec();
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

fn bmp_string(s: &str) -> Vec<u8> {
    let b: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    tlv(0x1e, &b)
}

/// bagAttributes: `SET OF PKCS12Attribute` with friendlyName and localKeyId. DER orders
/// SET OF elements by their encodings; both start with the same OID prefix and differ in the
/// last arc (20 < 21), so friendlyName comes first.
fn bag_attributes(name: &str, key_id: &[u8]) -> Vec<u8> {
    let fname = seq(&[&oid(FRIENDLY_NAME), &tlv(0x31, &bmp_string(name))]);
    let kid = seq(&[&oid(LOCAL_KEY_ID), &tlv(0x31, &octets(key_id))]);
    let mut attrs = [fname, kid];
    attrs.sort();
    tlv(0x31, &attrs.concat())
}

fn data_content_info(content: &[u8]) -> Vec<u8> {
    seq(&[&oid(ID_DATA), &explicit0(&octets(content))])
}

/// Write a PKCS#12 file (DER).
pub fn export_pkcs12<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    cert: &Certificate,
    chain: &[Certificate],
    friendly_name: &str,
    password: &str,
    rng: &mut R,
) -> Result<Vec<u8>, super::Error> {
    let err = |what: &str, e: &dyn std::fmt::Display| super::Error::Pki(format!("{what}: {e}"));
    let cert_der = cert.to_der().map_err(|e| err("certificate", &e))?;
    // localKeyId: SHA-1 of the certificate, as OpenSSL does.
    let key_id: Vec<u8> = {
        use sha1::Digest;
        sha1::Sha1::digest(&cert_der).to_vec()
    };

    // Certificates (unencrypted SafeContents).
    let mut bags = vec![seq(&[
        &oid(CERT_BAG),
        &explicit0(&seq(&[
            &oid(X509_CERTIFICATE),
            &explicit0(&octets(&cert_der)),
        ])),
        &bag_attributes(friendly_name, &key_id),
    ])];
    for c in chain {
        let d = c.to_der().map_err(|e| err("chain certificate", &e))?;
        bags.push(seq(&[
            &oid(CERT_BAG),
            &explicit0(&seq(&[&oid(X509_CERTIFICATE), &explicit0(&octets(&d))])),
        ]));
    }
    let cert_safe = tlv(0x30, &bags.concat());

    // The key: EncryptedPrivateKeyInfo (PBES2) in a pkcs8ShroudedKeyBag.
    let pem =
        crate::keys::export_encrypted_pkcs8_with_iterations(key, password, KEY_ITERATIONS, rng)
            .map_err(|e| err("key encryption", &e))?;
    let epki = pem_blocks(&pem)
        .next()
        .and_then(Result::ok)
        .map(|(_, der)| der)
        .ok_or_else(|| super::Error::Pki("encrypted key PEM".into()))?;
    let key_bag = seq(&[
        &oid(SHROUDED_KEY_BAG),
        &explicit0(&epki),
        &bag_attributes(friendly_name, &key_id),
    ]);
    let key_safe = tlv(0x30, &key_bag);

    let auth_safe = seq(&[
        &data_content_info(&cert_safe),
        &data_content_info(&key_safe),
    ]);

    // MAC over the AuthenticatedSafe octets (RFC 7292 §5.1, Appendix B).
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let bmp = bmp_password(password);
    let mac_key = pkcs12_kdf::<sha2::Sha256>(&bmp, &salt, Purpose::Mac, MAC_ITERATIONS, 32, 64);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&mac_key)
        .map_err(|e| err("MAC key", &e))?;
    mac.update(&auth_safe);
    let tag = mac.finalize().into_bytes();
    let mac_data = seq(&[
        &seq(&[&seq(&[&oid(SHA256), &[0x05, 0x00]]), &octets(&tag)]),
        &octets(&salt),
        &integer(MAC_ITERATIONS),
    ]);

    Ok(seq(&[
        &integer(3),
        &data_content_info(&auth_safe),
        &mac_data,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_helpers() {
        assert_eq!(integer(3), vec![2, 1, 3]);
        assert_eq!(integer(128), vec![2, 2, 0, 128]);
        assert_eq!(integer(10_000), vec![2, 2, 0x27, 0x10]);
        assert_eq!(tlv(4, &[0u8; 200])[..3], [4, 0x81, 200]);
        assert_eq!(tlv(4, &[0u8; 300])[..4], [4, 0x82, 1, 44]);
    }

    #[test]
    fn round_trip_through_our_importer() {
        let mut rng = crate::rng::system_rng();
        let years = |n| crate::pki::validity(time::OffsetDateTime::now_utc(), n).unwrap();
        let (ca_key, ca) =
            crate::pki::make_ca(&mut rng, "CN=P12 CA,O=Test,C=GB", years(10)).unwrap();
        let (k, cert) = crate::pki::issue_user(
            &mut rng,
            &ca_key,
            &ca,
            &crate::pki::Subject {
                address: "alice@army.example",
                name: "Alice",
                org: "Army",
            },
            years(5),
        )
        .unwrap();
        let key = super::super::pki::private_key(&k).unwrap();
        let der = export_pkcs12(
            &key,
            &cert,
            std::slice::from_ref(&ca),
            "alice",
            "pw-1",
            &mut rng,
        )
        .unwrap();
        let b = crate::keys::import_pkcs12(&der, "pw-1").unwrap();
        assert_eq!(b.cert, cert);
        assert_eq!(b.chain, vec![ca]);
        assert!(crate::keys::key_matches_certificate(&b.key, &cert));
        assert!(matches!(
            crate::keys::import_pkcs12(&der, "wrong"),
            Err(crate::keys::Error::Pkcs12BadPassword)
        ));
    }
}
