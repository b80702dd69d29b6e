//! The signature type signed attribute (draft-melnikov-smime-msa-to-mda-04 §3.2, RFC 3183
//! §3.1.2).
//!
//! ```text
//! id-aa-signatureType OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 2 28 }
//! SignatureType ::= SEQUENCE OF OBJECT IDENTIFIER
//! id-sti OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 9 }
//!   id-sti-originatorSig { id-sti 1 }   id-sti-domainSig { id-sti 2 }
//!   id-sti-addAttribSig  { id-sti 3 }   id-sti-reviewSig { id-sti 4 }
//!   id-sti-delegatedOriginatorSig { id-sti 5 }
//! ```
//! The draft writes the attribute OID as `{ … pkcs9(9) 28 }`; that arc misses
//! `smime(16) id-aa(2)` — we use the registered 1.2.840.113549.1.9.16.2.28 (RFC 3183 §4, id-aa-signatureType).
//! Rules: at most one SignatureType per SignerInfo; `addAttribSig` must stand alone; an absent
//! attribute means an originator signature. The values themselves ([`SignatureType`],
//! [`SignatureTypes`]) are the report's ([`crate::report::signature_type`]).

use der::Encode;

use crate::asn1::ber::Tlv;
use crate::asn1::der::constructed;
use crate::report::{SignatureTypeValue, SignatureTypes};

pub use crate::report::SignatureType;

/// The signatureType attribute DER.
pub(crate) fn signature_type_attribute(types: &[SignatureType]) -> Result<Vec<u8>, String> {
    if types.is_empty() {
        return Err("empty signature type list".into());
    }
    if types.contains(&SignatureType::AdditionalAttributes) && types.len() > 1 {
        return Err("additionalAttributes must be the only signature type".into());
    }
    let mut oids = Vec::new();
    for t in types {
        oids.push(t.oid().to_der().map_err(|e| e.to_string())?);
    }
    let refs: Vec<&[u8]> = oids.iter().map(|o| o.as_slice()).collect();
    super::attributes::attribute(
        crate::asn1::oid::SIGNATURE_TYPE,
        vec![constructed(0x30, &refs)],
    )
}

/// The most signature types one SignatureType value is read with (RFC 3183 §3 defines a
/// handful); more is an error.
const MAX_SIGNATURE_TYPES: usize = 64;

/// Decode a SignatureType value; OIDs outside [`SignatureType`] are kept as
/// [`SignatureTypeValue::Other`].
pub(crate) fn decode_signature_type(t: &Tlv<'_>) -> Result<SignatureTypes, String> {
    let mut out = Vec::new();
    for o in t
        .sequence_at_most(MAX_SIGNATURE_TYPES, "SignatureType")
        .map_err(|e| e.0)?
    {
        out.push(SignatureTypeValue::from_oid(
            o.oid("SignatureType").map_err(|e| e.0)?,
        ));
    }
    let out = SignatureTypes(out);
    if out.is_empty() {
        return Err("empty SignatureType".into());
    }
    if out.contains(SignatureType::AdditionalAttributes) && out.0.len() > 1 {
        return Err("additionalAttributes signature type combined with others".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_oid_is_the_rfc3183_arc() {
        let a = signature_type_attribute(&[SignatureType::Review]).unwrap();
        let t = Tlv::parse_all(&a).unwrap();
        let kids = t.sequence("a").unwrap();
        assert_eq!(
            kids[0].oid("a").unwrap().to_string(),
            "1.2.840.113549.1.9.16.2.28"
        );
        let v = kids[1].set("v").unwrap();
        assert_eq!(
            decode_signature_type(&v[0]).unwrap(),
            SignatureTypes::from(vec![SignatureType::Review])
        );
        assert!(signature_type_attribute(&[
            SignatureType::AdditionalAttributes,
            SignatureType::Domain
        ])
        .is_err());
    }
}
