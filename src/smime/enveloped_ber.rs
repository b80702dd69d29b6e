//! CMS reading helpers for the enveloped, authEnveloped and compressed readers, on top of the
//! crate's one bounded BER reader ([`super::ber`]).
//!
//! Bouncy Castle, Outlook, OpenSSL `-stream` and many gateways send CMS in BER: indefinite
//! lengths (`30 80 … 00 00`) and OCTET STRINGs split into a constructed string of chunks
//! (`24 80 04 .. 04 .. 00 00`, or `A0 80 …` when the OCTET STRING is IMPLICITly tagged, as
//! `EncryptedContentInfo.encryptedContent [0] IMPLICIT` is). `der` 0.8's `from_ber` handles
//! indefinite lengths but not definite-length constructed strings, and it cannot know that a
//! constructed `[0]` is an implicitly tagged OCTET STRING. So the outer structure is walked
//! with [`Tlv`], the (possibly chunked) content octets are pulled out without re-encoding,
//! and each small inner element (RecipientInfo, AlgorithmIdentifier …) is handed to `der`
//! after [`Tlv::to_der`] has normalised it. Depth and length limits are the reader's.

use super::ber::BerError;
pub(crate) use super::ber::Tlv;
use super::Error;

impl From<BerError> for Error {
    fn from(e: BerError) -> Self {
        Error::Malformed(format!("BER: {}", e.0))
    }
}

/// Parse one TLV from the front of `input`; returns it and the rest.
#[allow(dead_code)] // kept beside parse_one for readers of concatenated elements
pub(crate) fn parse(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), Error> {
    Ok(Tlv::parse(input)?)
}

/// Parse exactly one TLV that fills `input` (trailing bytes are an error).
pub(crate) fn parse_one(input: &[u8]) -> Result<Tlv<'_>, Error> {
    Ok(Tlv::parse_all(input)?)
}

/// Re-encode one BER element in DER form (definite lengths, strings joined).
pub(crate) fn to_der(input: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(parse_one(input)?.to_der()?.into_owned())
}

/// Decode a BER element as `T` (via its DER form).
#[allow(dead_code)] // shared helper (SignedData reading)
pub(crate) fn decode<T: for<'x> der::Decode<'x>>(input: &[u8], what: &str) -> Result<T, Error> {
    let der_bytes = to_der(input)?;
    T::from_der(&der_bytes).map_err(|e| Error::Malformed(format!("bad {what}: {e}")))
}

/// Decode a parsed element as `T` (via its DER form).
pub(crate) fn decode_tlv<T: for<'x> der::Decode<'x>>(t: &Tlv<'_>, what: &str) -> Result<T, Error> {
    let der_bytes = t.to_der()?;
    T::from_der(&der_bytes).map_err(|e| Error::Malformed(format!("bad {what}: {e}")))
}

/// `ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY }` (RFC 5652 §3):
/// the content type and the content element.
pub(crate) fn content_info(input: &[u8]) -> Result<(const_oid::ObjectIdentifier, Tlv<'_>), Error> {
    let outer = Tlv::parse(input)?.0;
    if !outer.is_universal(16) || !outer.constructed {
        return Err(Error::Malformed(
            "not a CMS ContentInfo (expected a SEQUENCE)".into(),
        ));
    }
    let kids = outer.children()?;
    let (oid_t, wrapper) = match kids.as_slice() {
        [o, w] => (o, w),
        _ => {
            return Err(Error::Malformed(
                "ContentInfo must have contentType and content".into(),
            ))
        }
    };
    let oid = oid_of(oid_t)?;
    if !wrapper.is_context(0) || !wrapper.constructed {
        return Err(Error::Malformed("ContentInfo content is not [0]".into()));
    }
    let inner = match wrapper.children()?.as_slice() {
        [i] => *i,
        _ => {
            return Err(Error::Malformed(
                "ContentInfo [0] must hold one element".into(),
            ))
        }
    };
    Ok((oid, inner))
}

/// An OBJECT IDENTIFIER.
pub(crate) fn oid_of(t: &Tlv<'_>) -> Result<const_oid::ObjectIdentifier, Error> {
    Ok(t.oid("contentType")?)
}

/// A small non-negative INTEGER (a version).
pub(crate) fn small_int(t: &Tlv<'_>) -> Result<u32, Error> {
    Ok(t.small_uint("version")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_chunked_octet_strings() {
        let ber = [
            0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00,
        ];
        let t = parse_one(&ber).unwrap();
        assert_eq!(&*t.string_octets().unwrap(), b"abc");
        assert_eq!(&*t.to_der().unwrap(), &[0x04, 0x03, b'a', b'b', b'c']);
        // Definite-length constructed form too.
        let ber2 = [0x24, 0x07, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c'];
        assert_eq!(to_der(&ber2).unwrap(), vec![0x04, 0x03, b'a', b'b', b'c']);
        // Implicitly tagged [0] constructed.
        let ber3 = [0xa0, 0x80, 0x04, 0x01, b'x', 0x00, 0x00];
        assert_eq!(&*parse_one(&ber3).unwrap().string_octets().unwrap(), b"x");
    }

    #[test]
    fn indefinite_sequences_become_definite() {
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            to_der(&ber).unwrap(),
            vec![0x30, 0x07, 0x02, 0x01, 0x05, 0x30, 0x02, 0x05, 0x00]
        );
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
            &[0x30, 0x05, 0x01],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x80, 0x04, 0x00],
            &[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00],
        ] {
            assert!(parse_one(bad).is_err(), "{bad:?}");
        }
        let mut deep = Vec::new();
        for _ in 0..200 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        deep.extend_from_slice(&[0u8; 400]);
        assert!(to_der(&deep).is_err());
    }
}
