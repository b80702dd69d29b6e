//! The top S/MIME layer of a message, for agents that strip, decrypt, re-sign and re-encrypt
//! layers: the Mail List Agent (RFC 2634 §4.2) and the domain signing agent when MLAs are
//! present (draft-melnikov-smime-msa-to-mda-04 §5). Both search a message from the top for
//! "the 'outer' signedData layer", an envelopedData layer, or "the original content (that is,
//! a layer that is neither envelopedData nor signedData)" (§5).
//!
//! [`top_layer`] reads one layer without verifying anything: the agents verify the whole
//! message first with the one receive pipeline (`crate::verify`) and refuse it unless every
//! signature is valid, so what this module reads has been checked. A signed layer is a
//! multipart/signed (RFC 1847) or an `application/pkcs7-mime` SignedData with eContent; its
//! inner message is the outer RFC 5322 header fields followed by the signed MIME entity.
//! An encrypted layer is EnvelopedData or AuthEnvelopedData (RFC 5083). Anything else — a
//! CompressedData included — is content.

use crate::asn1::oid::{ID_AUTH_ENVELOPED_DATA, ID_ENVELOPED_DATA, ID_SIGNED_DATA};
use crate::mime::entity::{self, canonical_crlf, fields, split};
use crate::smime::attributes;
use crate::smime::ml_expansion::MlExpansionHistory;
use crate::smime::signed_parse::{parse_content_info, parse_signed_data};
use crate::smime::Error as SmimeError;

/// One signed attribute as received: its type and the whole `Attribute` DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttribute {
    /// attrType.
    pub oid: const_oid::ObjectIdentifier,
    /// The `Attribute` (type and values), DER.
    pub der: Vec<u8>,
}

/// A signed layer at the top of a message.
#[derive(Debug, Clone)]
pub struct SignedLayer {
    /// The message inside: the outer header fields (less `Content-*`) and the signed entity.
    pub inner: Vec<u8>,
    /// The signed attributes of each SignerInfo, in order (empty for an empty signature
    /// layer, §2.5 method 1).
    pub signers: Vec<Vec<SignedAttribute>>,
    /// The mlExpansionHistory this layer carries: `Ok(None)` when no SignerInfo has one;
    /// an error when one is malformed or the SignerInfos disagree (RFC 2634 §4.1: "MUST NOT
    /// process the message unless all verified mlExpansionHistory attributes are identical").
    pub ml_history: Result<Option<MlExpansionHistory>, String>,
}

/// The top layer of a message.
#[derive(Debug, Clone)]
pub enum TopLayer {
    /// signedData.
    Signed(SignedLayer),
    /// envelopedData or authEnvelopedData.
    Encrypted,
    /// The original content: neither signed nor encrypted.
    Content,
}

/// Read the top layer of `raw` (a whole message).
pub fn top_layer(raw: &[u8]) -> Result<TopLayer, SmimeError> {
    let canon = canonical_crlf(raw);
    let (header, body) = split(&canon);
    let fs = fields(header);
    let ct = entity::entity_media_type(&fs);
    let cte = entity::field(&fs, "content-transfer-encoding").map(|f| f.value.clone());
    let malformed = |m: String| SmimeError::Malformed(m);
    match ct.mime.as_str() {
        "multipart/signed" => {
            let parts = ct
                .param("boundary")
                .and_then(|b| entity::multipart_iter(body, b))
                .map(|parts| parts.take(2).collect::<Vec<_>>())
                .filter(|p| p.len() >= 2)
                .ok_or_else(|| malformed("multipart/signed without two body parts".into()))?;
            let (sh, sb) = split(parts[1]);
            let sfs = fields(sh);
            let scte = entity::field(&sfs, "content-transfer-encoding").map(|f| f.value.clone());
            let der = entity::decode_transfer(sb, scte.as_deref()).map_err(malformed)?;
            signed(&canon, &der, Some(parts[0])).map(TopLayer::Signed)
        }
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
            let der = entity::decode_transfer(body, cte.as_deref()).map_err(malformed)?;
            let ci = parse_content_info(&der).map_err(|e| SmimeError::Cms(e.0))?;
            if ci.content_type == ID_SIGNED_DATA {
                signed(&canon, &der, None).map(TopLayer::Signed)
            } else if ci.content_type == ID_ENVELOPED_DATA
                || ci.content_type == ID_AUTH_ENVELOPED_DATA
            {
                Ok(TopLayer::Encrypted)
            } else {
                Ok(TopLayer::Content)
            }
        }
        _ => Ok(TopLayer::Content),
    }
}

fn signed(message: &[u8], der: &[u8], detached: Option<&[u8]>) -> Result<SignedLayer, SmimeError> {
    let cms = |e: crate::asn1::ber::BerError| SmimeError::Cms(e.0);
    let ci = parse_content_info(der).map_err(cms)?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(SmimeError::Cms(
            "the signature part is not a SignedData".into(),
        ));
    }
    let sd = parse_signed_data(ci.content).map_err(cms)?;
    let entity: &[u8] = match (detached, &sd.econtent) {
        (Some(d), _) => d,
        (None, Some(e)) => e.as_ref(),
        (None, None) => {
            return Err(SmimeError::Malformed(
                "signed-data without encapsulated content".into(),
            ))
        }
    };
    let mut signers = Vec::with_capacity(sd.signer_infos.len());
    let mut histories = Vec::with_capacity(sd.signer_infos.len());
    for si in &sd.signer_infos {
        let attrs = si.signed_attrs.as_deref().unwrap_or(&[]);
        histories.push(MlExpansionHistory::from_attributes(attrs));
        let mut own = Vec::with_capacity(attrs.len());
        for a in attrs {
            let mut values = Vec::with_capacity(a.values.len());
            for v in &a.values {
                values.push(v.to_der().map_err(cms)?.into_owned());
            }
            own.push(SignedAttribute {
                oid: a.oid,
                der: attributes::attribute(a.oid, values).map_err(SmimeError::Encode)?,
            });
        }
        signers.push(own);
    }
    let ml_history = match histories.split_first() {
        None => Ok(None),
        Some((first, rest)) => match first {
            Err(e) => Err(e.clone()),
            Ok(h) if rest.iter().all(|r| r.as_ref() == Ok(h)) => Ok(h.clone()),
            Ok(_) => Err(
                "the SignerInfos of one SignedData carry different mlExpansionHistory values (RFC 2634 §4.1)"
                    .into(),
            ),
        },
    };
    let entity = canonical_crlf(entity);
    Ok(SignedLayer {
        inner: entity::with_outer_fields(message, &entity),
        signers,
        ml_history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_and_empty_signature_layer() {
        let raw = b"From: a@army.example\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
        assert!(matches!(top_layer(raw).unwrap(), TopLayer::Content));
        let wrapped = crate::domain::empty_signature_layer(raw).unwrap();
        let TopLayer::Signed(s) = top_layer(&wrapped).unwrap() else {
            panic!("not signed")
        };
        assert!(s.signers.is_empty());
        assert_eq!(s.ml_history, Ok(None));
        assert_eq!(
            s.inner,
            b"From: a@army.example\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                .to_vec()
        );
    }

    #[test]
    fn malformed_signed_layers_are_errors() {
        let raw = b"Content-Type: multipart/signed; boundary=x; protocol=\"application/pkcs7-signature\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n";
        assert!(top_layer(raw).is_err());
        let raw = b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMAA=\r\n";
        assert!(top_layer(raw).is_err());
    }
}
