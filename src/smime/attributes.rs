//! Signed and unsigned attributes of a SignerInfo: building them (DER) and checking the ones
//! we receive.
//!
//! ```text
//! Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
//! ContentType ::= OBJECT IDENTIFIER                         -- RFC 5652 §11.1, 1.2.840.113549.1.9.3
//! MessageDigest ::= OCTET STRING                            -- RFC 5652 §11.2, 1.2.840.113549.1.9.4
//! SigningTime ::= Time                                      -- RFC 5652 §11.3, 1.2.840.113549.1.9.5
//! Countersignature ::= SignerInfo                           -- RFC 5652 §11.4, 1.2.840.113549.1.9.6
//! SMIMECapabilities ::= SEQUENCE OF SMIMECapability         -- RFC 8551 §2.5.2, 1.2.840.113549.1.9.15
//! SMIMECapability ::= SEQUENCE { capabilityID OBJECT IDENTIFIER, parameters ANY OPTIONAL }
//! SMIMEEncryptionKeyPreference ::= CHOICE {                 -- RFC 8551 §2.5.3, …9.16.2.11
//!   issuerAndSerialNumber [0] IssuerAndSerialNumber,
//!   receipentKeyId [1] RecipientKeyIdentifier,
//!   subjectAltKeyIdentifier [2] SubjectKeyIdentifier }      -- IMPLICIT tags
//! SigningCertificateV2 ::= SEQUENCE {                       -- RFC 5035 §3, …9.16.2.47
//!   certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF PolicyInformation OPTIONAL }
//! ESSCertIDv2 ::= SEQUENCE {
//!   hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//!   certHash Hash, issuerSerial IssuerSerial OPTIONAL }
//! IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
//! ```
//! ReceiptRequest (RFC 2634 §2.2, …9.16.2.1) and MsgSigDigest ::= OCTET STRING (RFC 2634
//! §2.10, …9.16.2.5) are [`super::receipt_request`]'s and [`super::receipt`]'s.
//!
//! RFC 5652 §5.3 / RFC 8551 §2.5: contentType and messageDigest MUST be present with
//! signedAttrs, each with exactly one value; signingTime, sMIMECapabilities,
//! sMIMEEncryptionKeyPreference, eSSSecurityLabel, signatureType, receiptRequest and
//! msgSigDigest at most once.

use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use x509_cert::Certificate;

use super::algorithms::{self, DigestAlg};
use super::signed_parse::ParsedAttribute;
use crate::asn1::ber::Tlv;
use crate::asn1::der::{constructed, der_set_of, primitive};
use crate::asn1::oid::{
    CONTENT_TYPE, ENCRYPT_KEY_PREF, MESSAGE_DIGEST, ML_EXPAND_HISTORY, MSG_SIG_DIGEST,
    RECEIPT_REQUEST, SECURITY_LABEL, SIGNATURE_TYPE, SIGNING_CERTIFICATE, SIGNING_CERTIFICATE_V2,
    SIGNING_TIME, SMIME_CAPABILITIES,
};

/// Attributes that may occur at most once among signed attributes (and then with exactly
/// one value).
pub(crate) const SINGLE_VALUED: [Oid; 11] = [
    CONTENT_TYPE,
    MESSAGE_DIGEST,
    SIGNING_TIME,
    SMIME_CAPABILITIES,
    ENCRYPT_KEY_PREF,
    SECURITY_LABEL,
    SIGNING_CERTIFICATE_V2,
    SIGNATURE_TYPE,
    RECEIPT_REQUEST,
    MSG_SIG_DIGEST,
    ML_EXPAND_HISTORY,
];

/// DER of one Attribute with the given value encodings (values sorted as a DER SET OF).
pub(crate) fn attribute(oid: Oid, values: Vec<Vec<u8>>) -> Result<Vec<u8>, String> {
    let oid_der = oid.to_der().map_err(|e| e.to_string())?;
    let set = der_set_of(values);
    Ok(constructed(0x30, &[&oid_der, &set]))
}

/// contentType attribute.
pub(crate) fn content_type(ct: Oid) -> Result<Vec<u8>, String> {
    attribute(CONTENT_TYPE, vec![ct.to_der().map_err(|e| e.to_string())?])
}

/// eSSSecurityLabel attribute (RFC 2634 §3.2), the label encoded by [`crate::ess`].
pub(crate) fn security_label(label: &crate::ess::EssSecurityLabel) -> Result<Vec<u8>, String> {
    attribute(
        SECURITY_LABEL,
        vec![label.to_der().map_err(|e| e.to_string())?],
    )
}

/// messageDigest attribute.
pub(crate) fn message_digest(digest: &[u8]) -> Result<Vec<u8>, String> {
    attribute(MESSAGE_DIGEST, vec![primitive(0x04, digest)])
}

/// The DER of a `Time` (RFC 5652 §11.3: UTCTime for 1950–2049, else GeneralizedTime).
pub(crate) fn time_der(t: time::OffsetDateTime) -> Vec<u8> {
    let t = t.to_offset(time::UtcOffset::UTC);
    let y = t.year();
    let (tag, text) = if (1950..2050).contains(&y) {
        (
            0x17,
            format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                y % 100,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    } else {
        (
            0x18,
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}Z",
                y,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    };
    primitive(tag, text.as_bytes())
}

/// signingTime attribute.
pub(crate) fn signing_time(t: time::OffsetDateTime) -> Result<Vec<u8>, String> {
    attribute(SIGNING_TIME, vec![time_der(t)])
}

/// Decode a Time value (UTCTime / GeneralizedTime, DER) to UTC.
pub(crate) fn parse_time(value: &Tlv<'_>) -> Result<time::OffsetDateTime, String> {
    let der = value.to_der().map_err(|e| e.0)?;
    let t = x509_cert::time::Time::from_der(&der).map_err(|e| e.to_string())?;
    let secs = t.to_unix_duration().as_secs();
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())
}

/// RFC 3339 text of a time.
pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn cap(oid: Oid, params: Option<&[u8]>) -> Vec<u8> {
    let oid_der = primitive(0x06, oid.as_bytes());
    match params {
        Some(p) => constructed(0x30, &[&oid_der, p]),
        None => constructed(0x30, &[&oid_der]),
    }
}

/// sMIMECapabilities attribute: what we can receive, most preferred first (RFC 8551
/// §2.5.2, §2.7): AES-256-GCM, AES-128-GCM, AES-256-CBC, AES-128-CBC, ECDH P-256 with
/// dhSinglePass-stdDH-sha256kdf + AES key wrap (RFC 8418 §8 form), RSAES-OAEP, RSA.
pub(crate) fn smime_capabilities() -> Result<Vec<u8>, String> {
    use crate::asn1::oid::{
        AES128_CBC, AES128_GCM, AES128_WRAP, AES256_CBC, AES256_GCM, AES256_WRAP, RSAES_OAEP,
        RSA_ENCRYPTION, STD_DH_SHA256,
    };
    let wrap256 = cap(AES256_WRAP, None);
    let wrap128 = cap(AES128_WRAP, None);
    let caps = [
        cap(AES256_GCM, None),
        cap(AES128_GCM, None),
        cap(AES256_CBC, None),
        cap(AES128_CBC, None),
        cap(STD_DH_SHA256, Some(&wrap256)),
        cap(STD_DH_SHA256, Some(&wrap128)),
        cap(RSAES_OAEP, None),
        cap(RSA_ENCRYPTION, None),
    ];
    let refs: Vec<&[u8]> = caps.iter().map(|c| c.as_slice()).collect();
    attribute(SMIME_CAPABILITIES, vec![constructed(0x30, &refs)])
}

/// IssuerAndSerialNumber DER of a certificate.
pub(crate) fn issuer_and_serial(cert: &Certificate) -> Result<Vec<u8>, String> {
    let tbs = cert.tbs_certificate();
    let isn = cms::cert::IssuerAndSerialNumber {
        issuer: tbs.issuer().clone(),
        serial_number: tbs.serial_number().clone(),
    };
    isn.to_der().map_err(|e| e.to_string())
}

/// sMIMEEncryptionKeyPreference naming `cert` by issuerAndSerialNumber.
pub(crate) fn encryption_key_preference(cert: &Certificate) -> Result<Vec<u8>, String> {
    let isn = issuer_and_serial(cert)?;
    // [0] IMPLICIT IssuerAndSerialNumber: replace the SEQUENCE tag by A0.
    let mut v = isn;
    if let Some(b) = v.first_mut() {
        *b = 0xA0;
    }
    attribute(ENCRYPT_KEY_PREF, vec![v])
}

/// signingCertificateV2 with one ESSCertIDv2 (SHA-256, hashAlgorithm omitted as DEFAULT)
/// including issuerSerial (RFC 5035 §4).
pub(crate) fn signing_certificate_v2(cert: &Certificate) -> Result<Vec<u8>, String> {
    let cert_der = crate::keys::certificate_der(cert).map_err(|e| e.to_string())?;
    let hash = DigestAlg::Sha256.hash(&cert_der);
    let tbs = cert.tbs_certificate();
    let issuer = tbs.issuer().to_der().map_err(|e| e.to_string())?;
    let serial = tbs.serial_number().to_der().map_err(|e| e.to_string())?;
    // GeneralNames ::= SEQUENCE OF GeneralName; directoryName [4] EXPLICIT Name.
    let general_names = constructed(0x30, &[&constructed(0xA4, &[&issuer])]);
    let issuer_serial = constructed(0x30, &[&general_names, &serial]);
    let cert_id = constructed(0x30, &[&primitive(0x04, &hash), &issuer_serial]);
    let certs = constructed(0x30, &[&cert_id]);
    attribute(SIGNING_CERTIFICATE_V2, vec![constructed(0x30, &[&certs])])
}

/// Check a received signingCertificateV2 (or v1) value against the signer certificate:
/// the first ESSCertID must hash the certificate (RFC 5035 §5.4).
pub(crate) fn check_signing_certificate(
    attr: &ParsedAttribute<'_>,
    cert: &Certificate,
) -> Result<(), String> {
    let value = attr.values.first().ok_or("no value")?;
    // Only the first ESSCertID is read (the others may identify the chain), and of each
    // structure the fields used.
    let seq = value
        .sequence_first(1, "SigningCertificate")
        .map_err(|e| e.0)?;
    let certs = seq
        .first()
        .ok_or("no certs")?
        .sequence_first(1, "certs")
        .map_err(|e| e.0)?;
    let first = certs
        .first()
        .ok_or("empty certs")?
        .sequence_first(2, "ESSCertID")
        .map_err(|e| e.0)?;
    let (alg, hash_t) = match first.first() {
        Some(t) if t.is_universal(16) => {
            let a = t.sequence_first(1, "hashAlgorithm").map_err(|e| e.0)?;
            let oid = a
                .first()
                .ok_or("empty hashAlgorithm")?
                .oid("hashAlgorithm")
                .map_err(|e| e.0)?;
            (
                DigestAlg::from_oid(&oid).ok_or(format!("unsupported certificate hash {oid}"))?,
                first.get(1).ok_or("no certHash")?,
            )
        }
        Some(t) => (
            if attr.oid == SIGNING_CERTIFICATE {
                DigestAlg::Sha1
            } else {
                DigestAlg::Sha256
            },
            t,
        ),
        None => return Err("empty ESSCertID".into()),
    };
    let want = hash_t.octet_string("certHash").map_err(|e| e.0)?;
    let cert_der = crate::keys::certificate_der(cert).map_err(|e| e.to_string())?;
    if alg.hash(&cert_der) != want.as_ref() {
        return Err(format!(
            "the {} hash in the signing-certificate attribute does not match the signer certificate",
            algorithms::name(&alg.oid())
        ));
    }
    Ok(())
}

/// Return the attribute with `oid`, checking it occurs once with exactly one value.
pub(crate) fn single<'a, 'b>(
    attrs: &'b [ParsedAttribute<'a>],
    oid: Oid,
) -> Result<Option<&'b Tlv<'a>>, String> {
    let mut found = attrs.iter().filter(|a| a.oid == oid);
    let Some(a) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(format!("attribute {oid} occurs more than once"));
    }
    match a.values.as_slice() {
        [v] => Ok(Some(v)),
        _ => Err(format!(
            "attribute {oid} must have exactly one value, has {}",
            a.values.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_encoding_switches_at_2050() {
        let t = time::macros::datetime!(2026-11-23 12:00:00 UTC);
        assert_eq!(time_der(t), primitive(0x17, b"261123120000Z"));
        let t = time::macros::datetime!(2050-01-01 00:00:00 UTC);
        assert_eq!(time_der(t), primitive(0x18, b"20500101000000Z"));
        let v = time_der(time::macros::datetime!(2026-11-23 12:00:00 UTC));
        let t2 = parse_time(&Tlv::parse_all(&v).unwrap()).unwrap();
        assert_eq!(rfc3339(t2), "2026-11-23T12:00:00Z");
    }

    #[test]
    fn attribute_shape() {
        let a = content_type(crate::asn1::oid::ID_DATA).unwrap();
        let t = Tlv::parse_all(&a).unwrap();
        let kids = t.sequence("a").unwrap();
        assert_eq!(kids[0].oid("a").unwrap(), CONTENT_TYPE);
        assert_eq!(kids[1].set("a").unwrap().len(), 1);
    }
}
