//! Recipient certificates: which key-management technique a certificate takes
//! (RSA → KeyTransRecipientInfo, EC P-256 → KeyAgreeRecipientInfo), how we name it in a
//! RecipientInfo (issuerAndSerialNumber or subjectKeyIdentifier, RFC 5652 §6.2), and whether
//! a received RecipientInfo names a given certificate.

use cms::cert::IssuerAndSerialNumber;
use cms::enveloped_data::{
    KeyAgreeRecipientIdentifier, RecipientIdentifier, RecipientKeyIdentifier,
};
use der::asn1::OctetString;
use der::Encode;
use sha1::Digest;
use spki::DecodePublicKey;
use x509_cert::ext::pkix::{KeyUsage, SubjectKeyIdentifier};
use x509_cert::Certificate;

use super::Error;
use crate::asn1::oid::{EC_PUBLIC_KEY, P256, RSAES_OAEP, RSA_ENCRYPTION};

/// How recipients are identified in the RecipientInfos we produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum RecipientIdKind {
    /// issuerAndSerialNumber (RFC 5652; understood by every implementation). The default.
    #[default]
    IssuerAndSerialNumber,
    /// subjectKeyIdentifier / rKeyId, taken from the certificate's SKI extension (or the
    /// RFC 5280 §4.2.1.2 method-1 SHA-1 of the public key when the extension is absent).
    SubjectKeyIdentifier,
}

/// The public key of a recipient certificate, by technique.
pub(crate) enum RecipientKey {
    /// Checked and re-encoded, not computed with: the provider encrypts with it.
    Rsa(crate::algorithm_policy::RsaKeyDer),
    EcP256(p256::PublicKey),
}

fn subject(cert: &Certificate) -> String {
    crate::trust::subject_string(cert)
}

/// Extract the recipient key and check keyUsage (RFC 8550 §4.4.2: keyEncipherment for RSA
/// key transport, keyAgreement for ECDH), when the extension is present.
pub(crate) fn recipient_key(cert: &Certificate) -> Result<RecipientKey, Error> {
    let tbs = cert.tbs_certificate();
    let spki = tbs.subject_public_key_info();
    let spki_der = spki
        .to_der()
        .map_err(|e| Error::EncryptRecipient(format!("bad public key: {e}")))?;
    let ku = tbs
        .get_extension::<KeyUsage>()
        .map_err(|e| Error::EncryptRecipient(format!("bad keyUsage in {}: {e}", subject(cert))))?
        .map(|(_, ku)| ku);
    let oid = spki.algorithm.oid;
    if oid == RSA_ENCRYPTION || oid == RSAES_OAEP {
        if let Some(ku) = &ku {
            if !ku.key_encipherment() {
                return Err(Error::EncryptRecipient(format!(
                    "the certificate of {} does not allow keyEncipherment",
                    subject(cert)
                )));
            }
        }
        let k = if oid == RSA_ENCRYPTION {
            crate::algorithm_policy::rsa_public_key(spki)
        } else {
            // id-RSAES-OAEP keys carry the same RSAPublicKey.
            spki.subject_public_key
                .as_bytes()
                .and_then(crate::algorithm_policy::rsa_public_key_pkcs1)
        }
        .ok_or_else(|| {
            Error::EncryptRecipient(format!(
                "bad RSA key in {}: not an RSAPublicKey with an odd modulus of at most 8192 bits and an odd exponent from 3 to 2^33 - 1 below it (RFC 8017 §3.1)",
                subject(cert)
            ))
        })?;
        Ok(RecipientKey::Rsa(k))
    } else if oid == EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
        if curve != Some(P256) {
            return Err(Error::EncryptRecipient(format!(
                "the certificate of {} has an EC key on a curve other than P-256",
                subject(cert)
            )));
        }
        if let Some(ku) = &ku {
            if !ku.key_agreement() {
                return Err(Error::EncryptRecipient(format!(
                    "the certificate of {} does not allow keyAgreement",
                    subject(cert)
                )));
            }
        }
        let k = p256::PublicKey::from_public_key_der(&spki_der).map_err(|e| {
            Error::EncryptRecipient(format!("bad EC key in {}: {e}", subject(cert)))
        })?;
        Ok(RecipientKey::EcP256(k))
    } else {
        Err(Error::EncryptRecipient(format!(
            "the certificate of {} has a {} key; only RSA and EC P-256 can be encrypted to",
            subject(cert),
            oid
        )))
    }
}

/// issuerAndSerialNumber of a certificate.
pub(crate) fn issuer_serial(cert: &Certificate) -> IssuerAndSerialNumber {
    let tbs = cert.tbs_certificate();
    IssuerAndSerialNumber {
        issuer: tbs.issuer().clone(),
        serial_number: tbs.serial_number().clone(),
    }
}

/// The subject key identifier: the extension's value, or the RFC 5280 §4.2.1.2 (1)
/// SHA-1 of the subjectPublicKey BIT STRING value when the extension is absent.
pub(crate) fn subject_key_id(cert: &Certificate) -> Vec<u8> {
    let tbs = cert.tbs_certificate();
    if let Ok(Some((_, ski))) = tbs.get_extension::<SubjectKeyIdentifier>() {
        return ski.0.as_bytes().to_vec();
    }
    let bits = tbs.subject_public_key_info().subject_public_key.raw_bytes();
    sha1::Sha1::digest(bits).to_vec()
}

fn ski_value(cert: &Certificate) -> Result<SubjectKeyIdentifier, Error> {
    Ok(SubjectKeyIdentifier(
        OctetString::new(subject_key_id(cert)).map_err(|e| Error::EncryptFailed(e.to_string()))?,
    ))
}

/// RecipientIdentifier (KTRI) for a certificate.
pub(crate) fn ktri_rid(
    cert: &Certificate,
    kind: RecipientIdKind,
) -> Result<RecipientIdentifier, Error> {
    Ok(match kind {
        RecipientIdKind::IssuerAndSerialNumber => {
            RecipientIdentifier::IssuerAndSerialNumber(issuer_serial(cert))
        }
        RecipientIdKind::SubjectKeyIdentifier => {
            RecipientIdentifier::SubjectKeyIdentifier(ski_value(cert)?)
        }
    })
}

/// KeyAgreeRecipientIdentifier (KARI) for a certificate.
pub(crate) fn kari_rid(
    cert: &Certificate,
    kind: RecipientIdKind,
) -> Result<KeyAgreeRecipientIdentifier, Error> {
    Ok(match kind {
        RecipientIdKind::IssuerAndSerialNumber => {
            KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(issuer_serial(cert))
        }
        RecipientIdKind::SubjectKeyIdentifier => {
            KeyAgreeRecipientIdentifier::RKeyId(RecipientKeyIdentifier {
                subject_key_identifier: ski_value(cert)?,
                date: None,
                other: None,
            })
        }
    })
}

fn same_issuer_serial(a: &IssuerAndSerialNumber, cert: &Certificate) -> bool {
    let tbs = cert.tbs_certificate();
    // The serial number first; then the names by their encodings: Name equality is by DER
    // (RFC 5280 §7.1 simplification). The certificate's fields are compared where they lie.
    a.serial_number == *tbs.serial_number()
        && matches!((a.issuer.to_der(), tbs.issuer().to_der()), (Ok(x), Ok(y)) if x == y)
}

/// Does a KTRI rid name this certificate?
pub(crate) fn ktri_matches(rid: &RecipientIdentifier, cert: &Certificate) -> bool {
    match rid {
        RecipientIdentifier::IssuerAndSerialNumber(ias) => same_issuer_serial(ias, cert),
        RecipientIdentifier::SubjectKeyIdentifier(ski) => {
            ski.0.as_bytes() == subject_key_id(cert).as_slice()
        }
    }
}

/// Does a KARI rid name this certificate?
pub(crate) fn kari_matches(rid: &KeyAgreeRecipientIdentifier, cert: &Certificate) -> bool {
    match rid {
        KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(ias) => same_issuer_serial(ias, cert),
        KeyAgreeRecipientIdentifier::RKeyId(rk) => {
            rk.subject_key_identifier.0.as_bytes() == subject_key_id(cert).as_slice()
        }
    }
}
