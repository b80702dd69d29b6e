//! The signed receipt (RFC 2634 §2.4, §2.8, §2.10): the Receipt content type, the
//! msgSigDigest attribute, and the SignedData that carries them.
//!
//! ```text
//! id-ct-receipt OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 1 1 }
//! Receipt ::= SEQUENCE {
//!   version ESSVersion,                       -- v1(1)
//!   contentType ContentType,                  -- of the original (its contentType attribute)
//!   signedContentIdentifier ContentIdentifier,-- copied from the ReceiptRequest
//!   originatorSignatureValue OCTET STRING }   -- the original SignerInfo's signature
//! id-aa-msgSigDigest OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 2 5 }
//! MsgSigDigest ::= OCTET STRING               -- digest of the original signedAttrs DER
//! ```
//! RFC 2634 §2.4: the Receipt is DER-encoded and becomes the eContent of a SignedData whose
//! eContentType is id-ct-receipt; the receipt's SignerInfo MUST carry contentType
//! (= id-ct-receipt), messageDigest and msgSigDigest as signed attributes, and MUST NOT carry
//! a receiptRequest; the whole is sent as `application/pkcs7-mime; smime-type=signed-receipt`
//! (RFC 2634 §2.4 step 10, RFC 8551 §3.2.2). msgSigDigest is computed with the digest
//! algorithm of the original SignerInfo over the DER of its signed attributes (the octets its
//! signature covers, RFC 5652 §5.4) — what OpenSSL's `cms -sign_receipt` / `-verify_receipt`
//! compute; we also sign the receipt with that digest algorithm, so the RFC's two readings
//! (the original's or the receipt's algorithm) give the same value.
//!
//! Deciding whether to return a receipt, and checking one received, read whole messages:
//! [`crate::verify::receipt`].

use const_oid::ObjectIdentifier as Oid;
use der::Encode;
use x509_cert::Certificate;

use super::algorithms::DigestAlg;
use super::attributes;
use super::key_operation::sign_with_key;
use super::signed_build::{signed_attributes_for, PendingSignedData, SignOptions, Signer};
use super::Error;
use crate::asn1::ber::Tlv;
use crate::asn1::der::{constructed, primitive};
use crate::asn1::oid::ID_CT_RECEIPT;
use crate::rng::CryptoRng;

use crate::asn1::oid::MSG_SIG_DIGEST;

/// The Receipt content (RFC 2634 §2.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// contentType of the original.
    pub content_type: Oid,
    /// signedContentIdentifier of the original's ReceiptRequest.
    pub signed_content_identifier: Vec<u8>,
    /// The signature value of the original SignerInfo that carries the request.
    pub originator_signature_value: Vec<u8>,
}

impl Receipt {
    /// DER of the Receipt (version v1).
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let ct = self
            .content_type
            .to_der()
            .map_err(|e| Error::Encode(e.to_string()))?;
        Ok(constructed(
            0x30,
            &[
                &primitive(0x02, &[1]),
                &ct,
                &primitive(0x04, &self.signed_content_identifier),
                &primitive(0x04, &self.originator_signature_value),
            ],
        ))
    }

    /// Decode a received Receipt: exactly the four fields, version 1, and DER (the content
    /// a receipt signs must re-encode to itself, RFC 2634 §2.4 step 2: "DER encoded").
    pub fn from_der(input: &[u8]) -> Result<Self, String> {
        let t = Tlv::parse_all(input).map_err(|e| e.0)?;
        let f = t.sequence_at_most(5, "Receipt").map_err(|e| e.0)?;
        let [v, ct, id, sig] = f.as_slice() else {
            return Err("Receipt: expected four fields".into());
        };
        if v.small_uint("Receipt.version").map_err(|e| e.0)? != 1 {
            return Err("Receipt.version is not v1 (1)".into());
        }
        let r = Receipt {
            content_type: ct.oid("Receipt.contentType").map_err(|e| e.0)?,
            signed_content_identifier: id
                .octet_string("Receipt.signedContentIdentifier")
                .map_err(|e| e.0)?
                .into_owned(),
            originator_signature_value: sig
                .octet_string("Receipt.originatorSignatureValue")
                .map_err(|e| e.0)?
                .into_owned(),
        };
        if r.to_der().map_err(|e| e.to_string())? != input {
            return Err("Receipt is not DER encoded".into());
        }
        Ok(r)
    }
}

/// msgSigDigest value: the digest, with the original SignerInfo's digest algorithm, of the DER
/// of its signed attributes (RFC 2634 §2.4 step 4, §2.10).
pub fn msg_sig_digest(digest: DigestAlg, original_signed_attrs_der: &[u8]) -> Vec<u8> {
    digest.hash(original_signed_attrs_der)
}

/// The msgSigDigest attribute (DER).
pub fn msg_sig_digest_attribute(value: &[u8]) -> Result<Vec<u8>, Error> {
    attributes::attribute(MSG_SIG_DIGEST, vec![primitive(0x04, value)]).map_err(Error::Encode)
}

/// ContentInfo(SignedData) DER of a signed receipt ([`begin_signed_receipt`]) signed by the
/// pure-Rust provider with `signer.key`.
pub fn sign_receipt<R: CryptoRng + ?Sized>(
    receipt: &Receipt,
    msg_sig_digest: &[u8],
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let pending = begin_signed_receipt(receipt, msg_sig_digest, &signer.cert, &signer.chain, opts)?;
    let sig = sign_with_key(&signer.key, pending.request(), rng)?;
    pending.finish(&sig)
}

/// The SignedData of a signed receipt, waiting for the signature of its one SignerInfo by the
/// key of `cert` (`chain`: the further certificates to include when `opts.include_certs`):
/// `receipt` as eContent (id-ct-receipt, so SignedData version 3, RFC 5652 §5.1), with
/// contentType, messageDigest, msgSigDigest (`msg_sig_digest`) and the attributes `opts` asks
/// for — never a receiptRequest (RFC 2634 §2.2).
pub fn begin_signed_receipt(
    receipt: &Receipt,
    msg_sig_digest: &[u8],
    cert: &Certificate,
    chain: &[Certificate],
    opts: &SignOptions,
) -> Result<PendingSignedData, Error> {
    let opts = SignOptions {
        receipt_request: None,
        detached: false,
        ..opts.clone()
    };
    let content = receipt.to_der()?;
    let digest = opts.digest.hash(&content);
    let mut attrs = signed_attributes_for(cert, &opts, ID_CT_RECEIPT, &digest)?;
    attrs.push(msg_sig_digest_attribute(msg_sig_digest)?);
    PendingSignedData::with_attributes(&content, ID_CT_RECEIPT, attrs, cert, chain, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_round_trip_and_strictness() {
        let r = Receipt {
            content_type: crate::asn1::oid::ID_DATA,
            signed_content_identifier: vec![7; 32],
            originator_signature_value: vec![9; 256],
        };
        let der = r.to_der().unwrap();
        assert_eq!(Receipt::from_der(&der).unwrap(), r);
        // version 2, a BER (indefinite-length) encoding, a missing field: refused.
        let mut v2 = der.clone();
        let pos = v2.windows(3).position(|w| w == [0x02, 0x01, 0x01]).unwrap();
        v2[pos + 2] = 2;
        assert!(Receipt::from_der(&v2).is_err());
        let mut ber_form = vec![0x30, 0x80];
        ber_form.extend_from_slice(&der[4..]);
        ber_form.extend_from_slice(&[0, 0]);
        assert!(Receipt::from_der(&ber_form).is_err());
        let short = constructed(0x30, &[&primitive(0x02, &[1])]);
        assert!(Receipt::from_der(&short).is_err());
    }
}
