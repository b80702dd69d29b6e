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
//! We produce no authAttrs; on receipt they are authenticated as stated.

use cms::authenveloped_data::AuthEnvelopedData;
use cms::content_info::CmsVersion;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::OctetString;
use der::Encode;
use x509_cert::Certificate;

use super::enveloped::{
    build_recipient_infos, content_info_der, parse_encrypted_content_info, parse_recipient_infos,
    EncryptOptions, Parsed,
};
use super::enveloped_cipher::{self as cipher, ContentCipher};
use super::Error;
use crate::asn1::ber::Tlv;
use crate::asn1::oid::{ID_AUTH_ENVELOPED_DATA, ID_DATA};
use crate::rng::CryptoRng;

/// Encrypt `content` as AuthEnvelopedData with AES-GCM; returns a DER ContentInfo.
pub(crate) fn encrypt<R: CryptoRng + ?Sized>(
    content: &[u8],
    recipients: &[Certificate],
    c: ContentCipher,
    opts: &EncryptOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let (cek, recip_infos) = build_recipient_infos(recipients, c.key_len(), opts, rng)?;
    let (ct, tag, alg) = cipher::encrypt_gcm(c, &cek, content, &[], rng)?;
    let enc = |e: der::Error| Error::EncryptFailed(e.to_string());
    let aed = AuthEnvelopedData {
        version: CmsVersion::V0,
        originator_info: None,
        recip_infos,
        auth_encrypted_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg: alg,
            encrypted_content: Some(OctetString::new(ct).map_err(enc)?),
        },
        auth_attrs: None,
        mac: OctetString::new(tag).map_err(enc)?,
        unauth_attrs: None,
    };
    let der = aed.to_der().map_err(enc)?;
    content_info_der(ID_AUTH_ENVELOPED_DATA, &der)
}

/// Read an AuthEnvelopedData (BER or DER).
pub(crate) fn parse(t: &Tlv<'_>) -> Result<Parsed, Error> {
    if !t.is_universal(16) {
        return Err(Error::Malformed(
            "AuthEnvelopedData is not a SEQUENCE".into(),
        ));
    }
    let kids = t.children()?;
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
