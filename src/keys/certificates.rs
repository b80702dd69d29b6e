//! X.509 certificates from PEM (RFC 7468 `CERTIFICATE` blocks) or DER, and matching a
//! private key to its certificate.

use der::{Decode, Encode};
use spki::EncodePublicKey;
use x509_cert::Certificate;

use super::{pem_blocks, Error, PrivateKey};

/// Every `CERTIFICATE` block of a PEM text, in order (a chain file, a bundle of recipient
/// certificates …). Other blocks (keys) are skipped. At least one is required.
pub fn certificates_from_pem(text: &str) -> Result<Vec<Certificate>, Error> {
    let mut out = Vec::new();
    for block in pem_blocks(text) {
        let (label, der) = block.map_err(|e| Error::CertificateMalformed(e.to_string()))?;
        if label == "CERTIFICATE" || label == "X509 CERTIFICATE" {
            out.push(
                Certificate::from_der(&der)
                    .map_err(|e| Error::CertificateMalformed(format!("bad certificate: {e}")))?,
            );
        }
    }
    if out.is_empty() {
        return Err(Error::NoCertificate);
    }
    Ok(out)
}

/// Certificates from PEM text or a single DER certificate.
pub fn certificates_from_der_or_pem(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    if bytes.first() == Some(&0x30) {
        return Certificate::from_der(bytes)
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

/// A certificate's DER as one RFC 7468 `CERTIFICATE` block with LF line ends (the form
/// `trust::certificate_info` gives as `pem`, so the same certificate is the same text).
pub fn certificate_pem_from_der(der: &[u8]) -> Result<String, Error> {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .map_err(|e| Error::CertificateMalformed(format!("cannot encode as PEM: {e}")))
}

/// A parsed certificate as [`certificate_pem_from_der`] writes it.
pub fn certificate_pem(cert: &Certificate) -> Result<String, Error> {
    let der = cert
        .to_der()
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
