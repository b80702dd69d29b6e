//! CompressedData (RFC 3274) with zlib, and the application/zlib and application/gzip media
//! types (RFC 6713).
//!
//! ```text
//! CompressedData ::= SEQUENCE {
//!   version CMSVersion,                                   -- 0
//!   compressionAlgorithm CompressionAlgorithmIdentifier,  -- id-alg-zlibCompress, no params
//!   encapContentInfo EncapsulatedContentInfo }
//! id-alg-zlibCompress OBJECT IDENTIFIER ::= { iso(1) member-body(2) us(840)
//!   rsadsi(113549) pkcs(1) pkcs-9(9) smime(16) alg(3) 8 }
//! ```
//! MMHS profile §4.2.1.4.1: CompressedData is used at most once per message and only
//! around the content of the innermost security wrapper (callers compose it that way;
//! [`super::encrypt_message`] with `compress` does).
//!
//! Decompression is bounded by [`DecompressLimits`]: an absolute output size and, above a
//! floor, a ratio of output to input. A zip bomb fails with `decompress-limit` before the
//! output is allocated beyond the limit.

use std::io::Read;

use der::asn1::OctetString;
use der::{Any, Decode, Encode};
use flate2::read::{MultiGzDecoder, ZlibDecoder};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use spki::AlgorithmIdentifierOwned;

use super::enveloped::content_info_der;
use super::enveloped_mime::{decode_body, join_outer, smime_type, split_message};
use super::pkcs7_mime::{encode_error, pkcs7_mime_part, SmimeType};
use super::Error;
use crate::asn1::content_info::ContentInfo;
use crate::asn1::oid::{ID_ALG_ZLIB, ID_COMPRESSED_DATA, ID_DATA};

/// Limits on decompressed output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecompressLimits {
    /// Maximum output size in octets (default 64 MiB).
    pub max_size: usize,
    /// Maximum output/input ratio (default 200), enforced once the output exceeds
    /// `ratio_floor`.
    pub max_ratio: usize,
    /// Output size below which the ratio is not checked (default 1 MiB: small messages of
    /// repeated characters legitimately compress very well).
    pub ratio_floor: usize,
}

impl Default for DecompressLimits {
    fn default() -> Self {
        DecompressLimits {
            max_size: 64 * 1024 * 1024,
            max_ratio: 200,
            ratio_floor: 1024 * 1024,
        }
    }
}

fn inflate(
    mut reader: impl Read,
    input_len: usize,
    limits: &DecompressLimits,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(input_len.saturating_mul(3).min(limits.max_size));
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| Error::DecompressFailed(format!("corrupt compressed data: {e}")))?;
        if n == 0 {
            return Ok(out);
        }
        if out.len() + n > limits.max_size {
            return Err(Error::DecompressLimit(format!(
                "decompressed data exceeds the {} octet limit",
                limits.max_size
            )));
        }
        out.extend_from_slice(&buf[..n]);
        if out.len() > limits.ratio_floor && out.len() / input_len.max(1) > limits.max_ratio {
            return Err(Error::DecompressLimit(format!(
                "decompression ratio exceeds {}:1 (compression bomb?)",
                limits.max_ratio
            )));
        }
    }
}

/// Inflate zlib (RFC 1950) data within limits.
pub(crate) fn inflate_zlib(data: &[u8], limits: &DecompressLimits) -> Result<Vec<u8>, Error> {
    inflate(ZlibDecoder::new(data), data.len(), limits)
}

/// Inflate gzip (RFC 1952) data, all members, within limits.
pub(crate) fn inflate_gzip(data: &[u8], limits: &DecompressLimits) -> Result<Vec<u8>, Error> {
    inflate(MultiGzDecoder::new(data), data.len(), limits)
}

/// Decompress the body of an `application/zlib` or `application/gzip` part (RFC 6713),
/// already transfer-decoded.
pub fn decompress_body(
    media_type: &str,
    body: &[u8],
    limits: &DecompressLimits,
) -> Result<Vec<u8>, Error> {
    match media_type.trim().to_ascii_lowercase().as_str() {
        "application/zlib" => inflate_zlib(body, limits),
        "application/gzip" | "application/x-gzip" => inflate_gzip(body, limits),
        other => Err(Error::UnsupportedAlgorithm(format!(
            "{other} is not a compressed media type (application/zlib, application/gzip)"
        ))),
    }
}

/// Compress `data` (content type id-data) into a DER ContentInfo holding CompressedData.
pub fn compress_content(data: &[u8]) -> Result<Vec<u8>, Error> {
    use std::io::Write;
    let mut enc = ZlibEncoder::new(
        Vec::with_capacity(data.len() / 2 + 64),
        Compression::default(),
    );
    enc.write_all(data)
        .map_err(|e| Error::EncryptFailed(format!("zlib: {e}")))?;
    let z = enc
        .finish()
        .map_err(|e| Error::EncryptFailed(format!("zlib: {e}")))?;
    let e = |e: der::Error| Error::EncryptFailed(e.to_string());
    let cd = cms::compressed_data::CompressedData {
        version: cms::content_info::CmsVersion::V0,
        compression_alg: AlgorithmIdentifierOwned {
            oid: ID_ALG_ZLIB,
            parameters: None,
        },
        encap_content_info: cms::signed_data::EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: Some(
                Any::from_der(&OctetString::new(z).map_err(e)?.to_der().map_err(e)?).map_err(e)?,
            ),
        },
    };
    content_info_der(ID_COMPRESSED_DATA, &cd.to_der().map_err(e)?)
}

/// Decompress a ContentInfo holding CompressedData (DER or BER). Returns the content
/// octets (for S/MIME, a MIME entity).
pub fn decompress_content_info(
    der_or_ber: &[u8],
    limits: &DecompressLimits,
) -> Result<Vec<u8>, Error> {
    let ContentInfo {
        content_type: ct,
        content: inner,
        ..
    } = ContentInfo::parse_prefix(der_or_ber)?;
    if ct != ID_COMPRESSED_DATA {
        return Err(Error::NotEncrypted(format!(
            "the CMS content type is {ct}, not CompressedData"
        )));
    }
    if !inner.is_universal(16) {
        return Err(Error::Malformed("CompressedData is not a SEQUENCE".into()));
    }
    let kids = inner.children_at_most(4, "CompressedData")?;
    let [version, alg, eci] = kids.as_slice() else {
        return Err(Error::Malformed("CompressedData must have 3 fields".into()));
    };
    version.small_uint("version")?;
    let alg: AlgorithmIdentifierOwned = alg.decode("compression algorithm")?;
    if alg.oid != ID_ALG_ZLIB {
        return Err(Error::UnsupportedAlgorithm(format!(
            "compression algorithm {} (only zlib is supported)",
            alg.oid
        )));
    }
    if !eci.is_universal(16) {
        return Err(Error::Malformed(
            "encapContentInfo is not a SEQUENCE".into(),
        ));
    }
    let eci_kids = eci.children_at_most(3, "EncapsulatedContentInfo")?;
    let econtent = match eci_kids.as_slice() {
        [_oid, wrapper] if wrapper.is_context(0) => {
            match wrapper.children_at_most(2, "eContent")?.as_slice() {
                [os] if os.is_universal(4) => os.string_octets()?.into_owned(),
                _ => return Err(Error::Malformed("eContent is not an OCTET STRING".into())),
            }
        }
        [_oid] => {
            return Err(Error::Malformed(
                "CompressedData without content (detached) is not supported".into(),
            ))
        }
        _ => return Err(Error::Malformed("bad encapContentInfo".into())),
    };
    inflate_zlib(&econtent, limits)
}

/// Compress a whole message: the outer header fields stay, the MIME entity becomes an
/// `application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z` part (RFC 8551
/// §3.6).
pub fn compress_message(raw_message: &[u8]) -> Result<Vec<u8>, Error> {
    // the outer fields must be exactly what every reader sees
    split_message(raw_message)?;
    let (outer, entity) = super::sign::split_entity(raw_message);
    let der = compress_content(&entity)?;
    pkcs7_mime_part(SmimeType::CompressedData, &der)
        .to_message(&outer)
        .map_err(encode_error)
}

/// Decompress a message whose body is `application/pkcs7-mime; smime-type=compressed-data`:
/// returns the outer fields followed by the decompressed MIME entity.
pub fn decompress_message(raw_message: &[u8], limits: &DecompressLimits) -> Result<Vec<u8>, Error> {
    let (fields, body) = split_message(raw_message)?;
    let ct = smime_type(&fields)
        .ok_or_else(|| Error::NotEncrypted("the message has no Content-Type".into()))?;
    let smime = ct.param("smime-type").map(|s| s.to_ascii_lowercase());
    let name = ct.param("name").unwrap_or("").to_ascii_lowercase();
    let ok = matches!(
        ct.mime.as_str(),
        "application/pkcs7-mime" | "application/x-pkcs7-mime"
    ) && (smime.as_deref() == Some("compressed-data") || name.ends_with(".p7z"));
    if !ok {
        return Err(Error::NotEncrypted(format!(
            "the message is {}, not S/MIME compressed-data",
            ct.mime
        )));
    }
    let der = decode_body(&fields, body)?;
    let entity = decompress_content_info(&der, limits)?;
    Ok(join_outer(&fields, &entity))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let data = b"Content-Type: text/plain\r\n\r\nhello hello hello\r\n";
        let ci = compress_content(data).unwrap();
        assert_eq!(
            decompress_content_info(&ci, &DecompressLimits::default()).unwrap(),
            data
        );
    }

    #[test]
    fn bomb_is_stopped() {
        let big = vec![0u8; 8 * 1024 * 1024];
        let ci = compress_content(&big).unwrap();
        let err = decompress_content_info(&ci, &DecompressLimits::default()).unwrap_err();
        assert!(matches!(err, Error::DecompressLimit(_)));
        let lim = DecompressLimits {
            max_size: 1000,
            ..Default::default()
        };
        let err =
            decompress_content_info(&compress_content(&[1u8; 5000]).unwrap(), &lim).unwrap_err();
        assert!(matches!(err, Error::DecompressLimit(_)));
    }

    #[test]
    fn corrupt_is_an_error() {
        assert!(matches!(
            inflate_zlib(b"\x78\x9cnot zlib", &DecompressLimits::default()),
            Err(Error::DecompressFailed(_))
        ));
    }
}
