//! X.509 certificates from PEM (RFC 7468 `CERTIFICATE` blocks) or DER, and matching a
//! private key to its certificate.

use std::cell::RefCell;

use der::{Decode, Encode};
use spki::EncodePublicKey;
use x509_cert::Certificate;

use crate::memo::Memo;

use super::{pem_blocks, Error, PrivateKey};

/// Every `CERTIFICATE` block of a PEM text, in order (a chain file, a bundle of recipient
/// certificates …). Other blocks (keys) are skipped. At least one is required.
pub fn certificates_from_pem(text: &str) -> Result<Vec<Certificate>, Error> {
    let mut out = Vec::new();
    for block in pem_blocks(text) {
        let (label, der) = block.map_err(|e| Error::CertificateMalformed(e.to_string()))?;
        if label == "CERTIFICATE" || label == "X509 CERTIFICATE" {
            out.push(
                certificate_from_der(&der)
                    .map_err(|e| Error::CertificateMalformed(format!("bad certificate: {e}")))?,
            );
        }
    }
    if out.is_empty() {
        return Err(Error::NoCertificate);
    }
    Ok(out)
}

/// How many texts [`certificates_from_der_or_pem`] remembers the certificates of (per
/// thread).
const REMEMBERED_TEXTS: usize = 16;

std::thread_local! {
    /// Texts decoded lately, with their certificates.
    static REMEMBERED_TEXT: RefCell<Memo<Vec<u8>, Vec<Certificate>>> =
        const { RefCell::new(Memo::new(REMEMBERED_TEXTS)) };
}

/// Certificates from PEM text or a single DER certificate. A request names the same ones
/// again and again (its trust anchors, the user's certificate and chain), so the answers for
/// the last [`REMEMBERED_TEXTS`] texts are kept ([`Memo`]): a text equal octet for octet gets
/// the certificates decoding would give.
pub fn certificates_from_der_or_pem(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    crate::memo::decoded(&REMEMBERED_TEXT, bytes, decode_der_or_pem)
}

/// [`certificates_from_der_or_pem`] without its memory.
fn decode_der_or_pem(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    if bytes.first() == Some(&0x30) {
        return certificate_from_der(bytes)
            .map(|c| vec![c])
            .map_err(|e| Error::CertificateMalformed(format!("bad DER certificate: {e}")));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::CertificateMalformed("neither DER nor PEM text".into()))?;
    certificates_from_pem(text)
}

/// Every certificate of several texts (PEM, or one DER certificate each), in order: the
/// `trustAnchors` / `certificates` of a request. A text without a certificate is
/// [`Error::NoCertificate`].
pub fn certificates_from_texts<T: AsRef<[u8]>>(texts: &[T]) -> Result<Vec<Certificate>, Error> {
    let mut out = Vec::new();
    for t in texts {
        out.extend(certificates_from_der_or_pem(t.as_ref())?);
    }
    Ok(out)
}

/// How many certificates [`certificate_from_der`] and [`certificate_der`] remember (per
/// thread).
const REMEMBERED_CERTIFICATES: usize = 32;

std::thread_local! {
    /// Certificates decoded or encoded lately, by their DER.
    static REMEMBERED: RefCell<Memo<Vec<u8>, Certificate>> =
        const { RefCell::new(Memo::new(REMEMBERED_CERTIFICATES)) };
}

/// A certificate decoded from its DER. The same certificates recur — a sender's in every
/// message, the trust anchors in every validation, the user's own in every signature — and
/// decoding one anew costs more than finding it among the few remembered: the octets must
/// be equal, so the answer is the one decoding would give.
pub fn certificate_from_der(der: &[u8]) -> Result<Certificate, CertificateDecodeError> {
    if let Some(cert) = certificate_remembered(der) {
        return Ok(cert);
    }
    within_elements(der)?;
    let cert = Certificate::from_der(der)?;
    // Only an encoding the certificate re-encodes to is kept, so that [`certificate_der`]
    // gives the same octets whether it finds the certificate here or encodes it.
    if cert.to_der().is_ok_and(|again| again == der) {
        REMEMBERED.with(|r| r.borrow_mut().keep(der.to_vec(), cert.clone()));
    }
    Ok(cert)
}

/// The most ASN.1 elements a certificate is decoded with, counting those inside its
/// extensions' values (path validation decodes the values it reads: names, policies,
/// constraints). Decoded, a certificate holds some tens of octets per element, so one made
/// of many small elements holds many times its octets (half a million empty extensions,
/// 4.5 MB, held 78 MB); a certificate in use has some tens of elements, a few thousand
/// with a long subjectAltName.
pub const MAX_CERTIFICATE_ELEMENTS: usize = 16_384;

/// Why [`certificate_from_der`] decoded no certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateDecodeError {
    /// Not a DER X.509 certificate (RFC 5280 §4.1).
    #[error("{0}")]
    Der(#[from] der::Error),
    /// More than [`MAX_CERTIFICATE_ELEMENTS`] elements: refused before it is decoded.
    #[error("more than {MAX_CERTIFICATE_ELEMENTS} ASN.1 elements")]
    TooManyElements,
}

/// Count `der`'s elements, and those of each extension's value, against
/// [`MAX_CERTIFICATE_ELEMENTS`] without decoding them (octets that do not parse as BER are
/// left to the decoder, which refuses them).
fn within_elements(der: &[u8]) -> Result<(), CertificateDecodeError> {
    use crate::asn1::ber::Tlv;
    fn count(t: &Tlv<'_>, left: &mut usize) -> Result<(), CertificateDecodeError> {
        *left = left
            .checked_sub(1)
            .ok_or(CertificateDecodeError::TooManyElements)?;
        if t.constructed {
            for c in t.children_iter().into_iter().flatten() {
                match c {
                    Ok(c) => count(&c, left)?,
                    Err(_) => break,
                }
            }
        }
        Ok(())
    }
    let Ok((cert, _)) = Tlv::parse(der) else {
        return Ok(());
    };
    let mut left = MAX_CERTIFICATE_ELEMENTS;
    count(&cert, &mut left)?;
    // TBSCertificate's `[3] EXPLICIT Extensions`; each Extension's extnValue, its last field.
    let extensions = tbs_certificate_fields(&cert)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|f| f.is_context(3) && f.constructed)
        .filter_map(|f| f.children_iter().ok()?.next()?.ok());
    for list in extensions {
        for ext in list
            .children_iter()
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            let value = ext
                .children_iter()
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .last();
            if let Some(Ok((v, _))) = value
                .filter(|v| !v.constructed)
                .map(|v| Tlv::parse(v.content))
            {
                count(&v, &mut left)?;
            }
        }
    }
    Ok(())
}

/// The fields of a certificate's TBSCertificate (RFC 5280 §4.1), read from its encoding
/// without decoding them.
fn tbs_certificate_fields<'a>(
    cert: &crate::asn1::ber::Tlv<'a>,
) -> Option<crate::asn1::ber::Children<'a>> {
    let tbs = cert.sequence_iter("Certificate").ok()?.next()?.ok()?;
    tbs.sequence_iter("TBSCertificate").ok()
}

/// The issuer field of a DER certificate (RFC 5280 §4.1: the fourth field of the
/// TBSCertificate when it has a version, the third otherwise), found without decoding it:
/// the octets the decoded issuer's `to_der` gives.
pub(crate) fn issuer_octets(cert_der: &[u8]) -> Option<&[u8]> {
    let (cert, _) = crate::asn1::ber::Tlv::parse(cert_der).ok()?;
    let mut fields = tbs_certificate_fields(&cert)?;
    let mut first = fields.next()?.ok()?;
    if first.is_context(0) {
        first = fields.next()?.ok()?;
    }
    let _serial = first;
    let _signature = fields.next()?.ok()?;
    Some(fields.next()?.ok()?.raw)
}

/// The certificate [`certificate_from_der`] decoded from exactly these octets lately, if it
/// did: only a DER encoding is kept, so octets found here are DER (a BER encoding of a
/// certificate, not found, is made DER before it is decoded).
pub fn certificate_remembered(octets: &[u8]) -> Option<Certificate> {
    REMEMBERED.with(|r| {
        r.borrow()
            .find(|d, _| d.as_slice() == octets)
            .map(|(_, c)| c.clone())
    })
}

/// A parsed certificate's DER (X.690 §10: one encoding per value, so equal certificates
/// encode alike), found among those [`certificate_from_der`] remembers or encoded anew.
pub fn certificate_der(cert: &Certificate) -> der::Result<Vec<u8>> {
    let known = REMEMBERED.with(|r| {
        r.borrow()
            .find(|_, c| c == cert)
            .map(|(der, _)| der.clone())
    });
    if let Some(der) = known {
        return Ok(der);
    }
    let der = cert.to_der()?;
    REMEMBERED.with(|r| r.borrow_mut().keep(der.clone(), cert.clone()));
    Ok(der)
}

/// A certificate's DER as one RFC 7468 `CERTIFICATE` block with LF line ends (the form
/// `trust::certificate_info` gives as `pem`, so the same certificate is the same text).
/// A certificate is public, so its base64 is written by the `base64` crate's table encoder,
/// not by `pem-rfc7468`'s constant-time one (kept for private keys): the same text, RFC 7468
/// §2, 64 symbols a line, at a fraction of the time every report's certificates cost.
pub fn certificate_pem_from_der(der: &[u8]) -> Result<String, Error> {
    use base64::Engine;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----\n";
    const END: &str = "-----END CERTIFICATE-----\n";
    let lines = der.len().div_ceil(48);
    let mut out = String::with_capacity(BEGIN.len() + lines * 65 + END.len());
    out.push_str(BEGIN);
    for chunk in der.chunks(48) {
        base64::engine::general_purpose::STANDARD.encode_string(chunk, &mut out);
        out.push('\n');
    }
    if der.is_empty() {
        // As pem-rfc7468 writes it: one empty line (never a certificate).
        out.push('\n');
    }
    out.push_str(END);
    Ok(out)
}

/// A parsed certificate as [`certificate_pem_from_der`] writes it.
pub fn certificate_pem(cert: &Certificate) -> Result<String, Error> {
    let der = certificate_der(cert)
        .map_err(|e| Error::CertificateMalformed(format!("cannot re-encode: {e}")))?;
    certificate_pem_from_der(&der)
}

/// The `X509 CRL` blocks of a PEM text as DER, in order (other blocks are skipped).
pub fn crls_from_pem(text: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for block in pem_blocks(text) {
        let (label, der) = block?;
        if label == "X509 CRL" {
            out.push(der);
        }
    }
    Ok(out)
}

/// The DER SubjectPublicKeyInfo of a private key's public half.
pub(crate) fn public_key_spki(key: &PrivateKey) -> Result<Vec<u8>, Error> {
    let doc = match key {
        PrivateKey::Rsa(k) => rsa::RsaPublicKey::from(k.as_ref()).to_public_key_der(),
        PrivateKey::EcP256(k) => k.public_key().to_public_key_der(),
    }
    .map_err(|e| Error::Malformed(format!("cannot encode the public key: {e}")))?;
    Ok(doc.as_bytes().to_vec())
}

/// Whether `cert` certifies the public half of `key` (SubjectPublicKeyInfo comparison;
/// EC parameters are compared as encoded).
pub fn key_matches_certificate(key: &PrivateKey, cert: &Certificate) -> bool {
    let Ok(ours) = public_key_spki(key) else {
        return false;
    };
    let spki = cert.tbs_certificate().subject_public_key_info();
    match key {
        // Compare only the key bits for EC: some encoders put the curve OID, others
        // NULL parameters in the certificate.
        PrivateKey::EcP256(k) => spki.subject_public_key.as_bytes().is_some_and(|b| {
            p256::PublicKey::from_sec1_bytes(b).is_ok_and(|p| p == k.public_key())
        }),
        _ => spki.to_der().is_ok_and(|theirs| theirs == ours),
    }
}

#[cfg(test)]
mod tests {
    use crate::asn1::der::{constructed, primitive};

    /// A structurally valid certificate (its signature is not checked by decoding) whose
    /// extensions are `extensions`, each an Extension's DER.
    fn certificate_with(extensions: &[u8]) -> Vec<u8> {
        let alg = constructed(
            0x30,
            &[&primitive(
                0x06,
                &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
            )],
        );
        let time = primitive(0x17, b"250101000000Z");
        let ec = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
        let p256 = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let spki = constructed(
            0x30,
            &[
                &constructed(0x30, &[&primitive(0x06, &ec), &primitive(0x06, &p256)]),
                &primitive(0x03, &[0x00, 0x04]),
            ],
        );
        let tbs = constructed(
            0x30,
            &[
                &constructed(0xa0, &[&primitive(0x02, &[2])]),
                &primitive(0x02, &[1]),
                &alg,
                &constructed(0x30, &[]),
                &constructed(0x30, &[&time, &time]),
                &constructed(0x30, &[]),
                &spki,
                &constructed(0xa3, &[&constructed(0x30, &[extensions])]),
            ],
        );
        constructed(0x30, &[&tbs, &alg, &primitive(0x03, &[0x00, 0x01])])
    }

    /// An Extension of type id-ce `arc` (RFC 5280 §4.2.1) whose extnValue is `value`.
    fn extension(arc: u8, value: &[u8]) -> Vec<u8> {
        constructed(
            0x30,
            &[
                &primitive(0x06, &[0x55, 0x1d, arc]),
                &primitive(0x04, value),
            ],
        )
    }

    /// Certificates of many small elements are refused before they are decoded, whether
    /// the elements are the certificate's own (extensions) or inside an extension's value (a
    /// subjectAltName of many names, which path validation decodes); within the bound, and a
    /// certificate in use, decode.
    #[test]
    fn a_certificate_of_too_many_elements_is_not_decoded() {
        let empty_ski = extension(0x0e, &[0x04, 0x00]);
        // 20 elements outside the extensions, 4 per extension (and its value's one).
        let fits = certificate_with(&empty_ski.repeat(3000));
        assert!(certificate_from_der(&fits).is_ok());
        let over = certificate_with(&empty_ski.repeat(MAX_CERTIFICATE_ELEMENTS / 4));
        assert_eq!(
            certificate_from_der(&over),
            Err(CertificateDecodeError::TooManyElements)
        );
        let names = constructed(0x30, &[&b"\x82\x01a".repeat(MAX_CERTIFICATE_ELEMENTS)]);
        let san = certificate_with(&extension(0x11, &names));
        assert_eq!(
            certificate_from_der(&san),
            Err(CertificateDecodeError::TooManyElements)
        );
        let few = constructed(0x30, &[&b"\x82\x01a".repeat(1000)]);
        assert!(certificate_from_der(&certificate_with(&extension(0x11, &few))).is_ok());
        let alice = include_str!("../../tests/vectors/rfc9216-certs/alice@smime.example.sig.pem");
        assert!(super::certificates_from_pem(alice).is_ok());
        // Octets that are not BER are the decoder's to refuse.
        assert!(matches!(
            certificate_from_der(&[0x30, 0x05, 0x02]),
            Err(CertificateDecodeError::Der(_))
        ));
    }

    /// The table encoder's PEM is `pem-rfc7468`'s, octet for octet, at every length around
    /// the line boundaries and for every octet value.
    #[test]
    fn certificate_pem_is_that_of_pem_rfc7468() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in (0..200).chain([1000, 1023, 1024, 1025, 4096]) {
            let der: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let want = der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &der);
            assert_eq!(
                super::certificate_pem_from_der(&der).ok(),
                want.ok(),
                "{len}"
            );
        }
    }

    use super::*;
    use crate::rng::danger::SeededRng;

    /// `n` distinct self-signed certificates and their DER.
    fn certificates(n: usize) -> Vec<(Certificate, Vec<u8>)> {
        let mut rng = SeededRng::new(7);
        let start = time::macros::datetime!(2030-01-01 00:00 UTC);
        (0..n)
            .map(|i| {
                let v = crate::pki::validity(start, 1).unwrap();
                let (_, c) =
                    crate::pki::make_ca(&mut rng, &format!("CN=CA {i},O=Test,C=GB"), v).unwrap();
                let der = c.to_der().unwrap();
                (c, der)
            })
            .collect()
    }

    #[test]
    fn remembered_certificates_are_what_decoding_and_encoding_give() {
        let all = certificates(REMEMBERED_CERTIFICATES + 8);
        // Twice over, more than are remembered: the first round fills and overflows the
        // memory, the second finds the late ones and decodes the early ones anew.
        for _ in 0..2 {
            for (cert, der) in &all {
                assert_eq!(&certificate_from_der(der).unwrap(), cert);
                assert_eq!(&certificate_der(cert).unwrap(), der);
            }
            assert!(REMEMBERED.with(|r| r.borrow().len()) <= REMEMBERED_CERTIFICATES);
        }
        // Octets that differ are another certificate, or none, never a remembered one.
        let (cert, der) = &all[all.len() - 1];
        let mut altered = der.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        let other = certificate_from_der(&altered).unwrap();
        assert_ne!(&other, cert);
        assert_eq!(certificate_der(&other).unwrap(), altered);
        assert!(certificate_from_der(&der[..der.len() - 1]).is_err());
    }

    #[test]
    fn remembered_texts_give_what_decoding_gives() {
        let all = certificates(REMEMBERED_TEXTS + 4);
        let texts: Vec<String> = all
            .iter()
            .map(|(_, der)| certificate_pem_from_der(der).unwrap())
            .collect();
        for _ in 0..2 {
            for ((cert, der), text) in all.iter().zip(&texts) {
                assert_eq!(
                    certificates_from_der_or_pem(text.as_bytes()).unwrap(),
                    std::slice::from_ref(cert)
                );
                assert_eq!(
                    certificates_from_der_or_pem(der).unwrap(),
                    std::slice::from_ref(cert)
                );
            }
            assert!(REMEMBERED_TEXT.with(|r| r.borrow().len()) <= REMEMBERED_TEXTS);
        }
        // A bundle is its certificates in order; a text that is not one is refused each time.
        let bundle = format!("{}{}", texts[0], texts[1]);
        for _ in 0..2 {
            assert_eq!(
                certificates_from_der_or_pem(bundle.as_bytes()).unwrap(),
                [all[0].0.clone(), all[1].0.clone()]
            );
            assert!(certificates_from_der_or_pem(b"not a certificate").is_err());
        }
    }
}
