//! ContentInfo — [RFC 5652 §3](https://www.rfc-editor.org/rfc/rfc5652#section-3), the
//! PKCS #7 wrapper shared by CMS (SignedData, EnvelopedData, AuthEnvelopedData,
//! CompressedData) and PKCS #12 (the PFX `authSafe` and each AuthenticatedSafe element,
//! [RFC 7292 §4](https://www.rfc-editor.org/rfc/rfc7292#section-4)).
//!
//! ```text
//! ContentInfo ::= SEQUENCE {
//!   contentType ContentType,                          -- OBJECT IDENTIFIER
//!   content [0] EXPLICIT ANY DEFINED BY contentType }
//! ```
//! Read with the BER reader (indefinite lengths included), keeping the raw elements.

use const_oid::ObjectIdentifier;

use super::ber::{BerError, Tlv};
use super::der::constructed;

/// A ContentInfo as received.
#[derive(Debug, Clone)]
pub struct ContentInfo<'a> {
    /// contentType.
    pub content_type: ObjectIdentifier,
    /// The `content` element (inside the `[0] EXPLICIT`).
    pub content: Tlv<'a>,
    /// The whole ContentInfo element.
    pub raw: Tlv<'a>,
}

impl<'a> ContentInfo<'a> {
    /// Parse a ContentInfo that fills `input` (BER or DER).
    pub fn parse_all(input: &'a [u8]) -> Result<Self, BerError> {
        Self::from_tlv(Tlv::parse_all(input)?)
    }

    /// Parse the ContentInfo at the front of `input`; octets after it are not looked at.
    pub fn parse_prefix(input: &'a [u8]) -> Result<Self, BerError> {
        Self::from_tlv(Tlv::parse(input)?.0)
    }

    /// Read a parsed element as a ContentInfo.
    pub fn from_tlv(raw: Tlv<'a>) -> Result<Self, BerError> {
        // One more than the fields there are, so that a surplus is reported as such,
        // and never more (`Tlv::children`).
        let kids = raw.sequence_at_most(3, "ContentInfo")?;
        let [ct, wrapper] = kids.as_slice() else {
            return Err(BerError("ContentInfo: expected two fields".into()));
        };
        let content_type = ct.oid("ContentInfo.contentType")?;
        if !(wrapper.is_context(0) && wrapper.constructed) {
            return Err(BerError(
                "ContentInfo.content: expected [0] EXPLICIT".into(),
            ));
        }
        let inner = wrapper.children_at_most(2, "ContentInfo.content")?;
        let [content] = inner.as_slice() else {
            return Err(BerError("ContentInfo.content: expected one element".into()));
        };
        Ok(ContentInfo {
            content_type,
            content: *content,
            raw,
        })
    }
}

/// Encode a ContentInfo (DER) around the already encoded `content` element.
pub fn encode(content_type: ObjectIdentifier, content: &[u8]) -> Vec<u8> {
    let oid = super::der::primitive(0x06, content_type.as_bytes());
    constructed(0x30, &[&oid, &constructed(0xA0, &[content])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::der::primitive;
    use crate::asn1::oid::ID_DATA;

    #[test]
    fn round_trip_and_refusals() {
        let der = encode(ID_DATA, &primitive(0x04, b"hi"));
        let ci = ContentInfo::parse_all(&der).unwrap();
        assert_eq!(ci.content_type, ID_DATA);
        assert_eq!(&*ci.content.octet_string("x").unwrap(), b"hi");
        // Trailing octets: refused by parse_all, ignored by parse_prefix.
        let mut long = der.clone();
        long.push(0);
        assert!(ContentInfo::parse_all(&long).is_err());
        assert!(ContentInfo::parse_prefix(&long).is_ok());
        // Not a SEQUENCE; missing [0]; two elements inside [0].
        assert!(ContentInfo::parse_all(&primitive(0x04, b"x")).is_err());
        let oid = primitive(0x06, ID_DATA.as_bytes());
        assert!(ContentInfo::parse_all(&constructed(0x30, &[&oid])).is_err());
        let two = constructed(0xA0, &[&primitive(0x05, &[]), &primitive(0x05, &[])]);
        assert!(ContentInfo::parse_all(&constructed(0x30, &[&oid, &two])).is_err());
        // A primitive [0] is not EXPLICIT.
        let prim = primitive(0x80, &[]);
        assert!(ContentInfo::parse_all(&constructed(0x30, &[&oid, &prim])).is_err());
    }
}
