//! The S/MIME entities (RFC 8551 §3.2): `application/pkcs7-mime` with its `smime-type`
//! parameter (§3.2.2) and file name (§3.2.1), the detached `application/pkcs7-signature`
//! and the multipart/signed entity that carries it (RFC 1847 §2.1, RFC 8551 §3.5.3).
//! Written with the one MIME writer ([`crate::mime::encode::Part`]), base64 in 76-column
//! CRLF lines (RFC 2045 §6.8):
//!
//! ```text
//! Content-Type: application/pkcs7-mime; smime-type=enveloped-data;
//!  name=smime.p7m
//! Content-Transfer-Encoding: base64
//! Content-Disposition: attachment; filename=smime.p7m
//!
//! MIAGCSqGSIb3DQEHA6CAMIACAQAxggHXMIIB0wIBADCBuzCBrzELMAkGA1UEBhMCVVMx…
//! ```

use crate::mime::encode::{param, EncodeError, Headers, Part};

use super::Error;

/// The `smime-type` parameter of `application/pkcs7-mime` (RFC 8551 §3.2.2; RFC 2634
/// §2.4 for `signed-receipt`): what the CMS object inside is, so that a reader need not
/// open it to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmimeType {
    /// SignedData with content (RFC 8551 §3.5.2).
    SignedData,
    /// EnvelopedData (RFC 8551 §3.3).
    EnvelopedData,
    /// AuthEnvelopedData (RFC 8551 §3.2.2, RFC 5083).
    AuthEnvelopedData,
    /// CompressedData (RFC 8551 §3.6, RFC 3274).
    CompressedData,
    /// A SignedData around an ESS Receipt (RFC 2634 §2.4).
    SignedReceipt,
}

impl SmimeType {
    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            SmimeType::SignedData => "signed-data",
            SmimeType::EnvelopedData => "enveloped-data",
            SmimeType::AuthEnvelopedData => "authEnveloped-data",
            SmimeType::CompressedData => "compressed-data",
            SmimeType::SignedReceipt => "signed-receipt",
        }
    }

    /// The file name (RFC 8551 §3.2.1: `.p7m` for signed and enveloped data, `.p7z` for
    /// compressed data; a signed receipt is signed data).
    pub fn file_name(self) -> &'static str {
        match self {
            SmimeType::CompressedData => "smime.p7z",
            _ => "smime.p7m",
        }
    }
}

/// The `application/pkcs7-mime` entity of a CMS object (RFC 8551 §3.2): `smime-type`,
/// `name` and a `Content-Disposition` file name (§3.2.1), base64 body.
pub fn pkcs7_mime_part(kind: SmimeType, der: &[u8]) -> Part {
    let name = kind.file_name();
    let content_type = format!(
        "application/pkcs7-mime{}{}",
        param("smime-type", kind.as_str()),
        param("name", name)
    );
    let mut extra = Headers::new();
    extra.push(
        "Content-Disposition",
        format!("attachment{}", param("filename", name)),
    );
    Part::binary(content_type, der, extra)
}

/// [`pkcs7_mime_part`] serialised (header fields, empty line, body; CRLF), ready to be
/// signed, encrypted or sent.
pub fn pkcs7_mime_entity(kind: SmimeType, der: &[u8]) -> Result<Vec<u8>, Error> {
    pkcs7_mime_part(kind, der).to_vec().map_err(encode_error)
}

/// The detached signature part of multipart/signed (RFC 8551 §3.5.3:
/// `application/pkcs7-signature`, file name `smime.p7s`, §3.2.1).
pub(crate) fn pkcs7_signature_part(der: &[u8]) -> Part {
    let mut extra = Headers::new();
    extra.push(
        "Content-Disposition",
        format!("attachment{}", param("filename", "smime.p7s")),
    );
    extra.push("Content-Description", "S/MIME Cryptographic Signature");
    Part::binary(
        format!("application/pkcs7-signature{}", param("name", "smime.p7s")),
        der,
        extra,
    )
}

/// What readers without S/MIME show before the first part of multipart/signed (RFC 2046
/// §5.1.1 preamble).
const SIGNED_PREAMBLE: &[u8] =
    b"This is a cryptographically signed message in MIME format.\r\n\r\n";

/// multipart/signed (RFC 1847 §2.1, RFC 8551 §3.5.3): the signed `entity` octet for octet
/// (canonical CRLF: exactly what the signature covers), then the detached signature
/// `signature_der`; `protocol="application/pkcs7-signature"` and `micalg` (RFC 8551
/// §3.5.3.2) as parameters. `boundary` must occur nowhere in `entity`
/// ([`crate::mime::encode::fresh_boundary`]). An empty `entity` leaves the first part's
/// place for octets held elsewhere: the caller writes the multipart around them
/// ([`crate::mime::encode::Part::write_around`], child 0).
pub(crate) fn multipart_signed(
    entity: Vec<u8>,
    micalg: &str,
    boundary: String,
    signature_der: &[u8],
) -> Part {
    Part::multipart_with_boundary(
        "signed",
        &[
            ("protocol", "application/pkcs7-signature"),
            ("micalg", micalg),
        ],
        boundary,
        SIGNED_PREAMBLE,
        // The signed octets exactly as they were digested (already canonical CRLF, RFC 8551
        // §3.1.1): not converted again.
        vec![Part::Entity(entity), pkcs7_signature_part(signature_der)],
    )
}

/// The writer's only error (a header line over 998 octets, RFC 5322 §2.1.1) as this
/// module's error.
pub(crate) fn encode_error(e: EncodeError) -> Error {
    match e {
        EncodeError::LineTooLong => {
            Error::Encode("a MIME header line would exceed 998 octets".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::entity::{entity_media_type, fields, multipart_parts, split};

    #[test]
    fn pkcs7_mime_entities_name_their_type_and_file() {
        for (kind, ty, name) in [
            (SmimeType::SignedData, "signed-data", "smime.p7m"),
            (SmimeType::EnvelopedData, "enveloped-data", "smime.p7m"),
            (
                SmimeType::AuthEnvelopedData,
                "authEnveloped-data",
                "smime.p7m",
            ),
            (SmimeType::CompressedData, "compressed-data", "smime.p7z"),
            (SmimeType::SignedReceipt, "signed-receipt", "smime.p7m"),
        ] {
            let e = pkcs7_mime_entity(kind, b"\x30\x00").unwrap();
            let (head, body) = split(&e);
            let fs = fields(head);
            let ct = entity_media_type(&fs);
            assert_eq!(ct.mime, "application/pkcs7-mime");
            assert_eq!(ct.param("smime-type"), Some(ty));
            assert_eq!(ct.param("name"), Some(name));
            let cd = fs.iter().find(|f| f.name == "Content-Disposition").unwrap();
            assert_eq!(cd.value, format!("attachment; filename={name}"));
            assert_eq!(body, b"MAA=\r\n");
            // every line within the 78-column limit (RFC 5322 §2.1.1)
            assert!(e.split(|&b| b == b'\n').all(|l| l.len() <= 79));
        }
    }

    #[test]
    fn multipart_signed_keeps_the_signed_entity_octet_for_octet() {
        // The signed entity ends without a line break and contains text that looks like a
        // delimiter of another boundary: both stay as they are.
        let entity = b"Content-Type: text/plain\r\n\r\n--other\r\nno final break".to_vec();
        let m = multipart_signed(entity.clone(), "sha-256", "=_B".into(), b"\x30\x00")
            .to_vec()
            .unwrap();
        assert!(m.starts_with(
            b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n micalg=sha-256; boundary=\"=_B\"\r\n\r\nThis is a cryptographically signed message"
        ));
        let (head, body) = split(&m);
        let ct = entity_media_type(&fields(head));
        assert_eq!(ct.param("protocol"), Some("application/pkcs7-signature"));
        assert_eq!(ct.param("micalg"), Some("sha-256"));
        let parts = multipart_parts(body, "=_B").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], &entity[..]);
        let sig = entity_media_type(&fields(split(parts[1]).0));
        assert_eq!(sig.mime, "application/pkcs7-signature");
        assert_eq!(sig.param("name"), Some("smime.p7s"));
    }
}
