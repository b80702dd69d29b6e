//! AuthEnvelopedData (RFC 5083) with AES-GCM (RFC 5084).
//!
//! ```text
//! AuthEnvelopedData ::= SEQUENCE {
//!   version CMSVersion,                                 -- 0
//!   originatorInfo [0] IMPLICIT OriginatorInfo OPTIONAL,
//!   recipientInfos RecipientInfos,
//!   authEncryptedContentInfo EncryptedContentInfo,
//!   authAttrs [1] IMPLICIT AuthAttributes OPTIONAL,
//!   mac MessageAuthenticationCode,                      -- the GCM ICV
//!   unauthAttrs [2] IMPLICIT UnauthAttributes OPTIONAL }
//! ```
//! RFC 5083 §2.1: the additional authenticated data is the DER encoding of authAttrs with
//! the IMPLICIT `[1]` tag replaced by the SET OF tag (0x31); empty when absent.
//! We produce no authAttrs (`enveloped_encrypt`); on receipt they are authenticated as stated.

use super::enveloped::{parse_encrypted_content_info, parse_recipient_infos, Parsed};
use super::Error;
use crate::asn1::ber::Tlv;

/// Read an AuthEnvelopedData (BER or DER).
pub(crate) fn parse<'a>(t: &Tlv<'a>) -> Result<Parsed<'a>, Error> {
    if !t.is_universal(16) {
        return Err(Error::Malformed(
            "AuthEnvelopedData is not a SEQUENCE".into(),
        ));
    }
    // Seven fields at most (RFC 5083 §2.1: version, originatorInfo, recipientInfos,
    // authEncryptedContentInfo, authAttrs, mac, unauthAttrs); more is refused unlisted.
    let kids = t.children_at_most(7, "AuthEnvelopedData")?;
    let mut it = kids.iter().peekable();
    let version = it
        .next()
        .ok_or_else(|| Error::Malformed("AuthEnvelopedData is empty".into()))?;
    version.small_uint("version")?;
    if it.peek().is_some_and(|k| k.is_context(0)) {
        it.next();
    }
    let ris = parse_recipient_infos(
        it.next()
            .ok_or_else(|| Error::Malformed("AuthEnvelopedData lacks recipientInfos".into()))?,
    )?;
    let (content_type, content_alg, ciphertext) =
        parse_encrypted_content_info(it.next().ok_or_else(|| {
            Error::Malformed("AuthEnvelopedData lacks authEncryptedContentInfo".into())
        })?)?;
    let mut aad = Vec::new();
    if it.peek().is_some_and(|k| k.is_context(1)) {
        if let Some(attrs) = it.next() {
            aad = attrs.to_der()?.into_owned();
            if let Some(first) = aad.first_mut() {
                *first = 0x31;
            }
        }
    }
    let mac_t = it
        .next()
        .ok_or_else(|| Error::Malformed("AuthEnvelopedData lacks the mac".into()))?;
    if !mac_t.is_universal(4) {
        return Err(Error::Malformed(
            "AuthEnvelopedData mac is not an OCTET STRING".into(),
        ));
    }
    let mac = mac_t.string_octets()?.into_owned();
    Ok(Parsed {
        recipient_infos: ris,
        content_type,
        content_alg,
        ciphertext,
        aad,
        mac,
    })
}
