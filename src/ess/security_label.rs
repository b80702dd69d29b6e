//! ESSSecurityLabel — [RFC 2634 §3.2](https://www.rfc-editor.org/rfc/rfc2634#section-3.2)
//! (the `id-aa-securityLabel` signed attribute, OID 1.2.840.113549.1.9.16.2.2, and the
//! `:ess` form of SIO-Label, [RFC 7444 §4](https://www.rfc-editor.org/rfc/rfc7444#section-4)).
//!
//! ```text
//! -- ExtendedSecurityServices DEFINITIONS IMPLICIT TAGS
//! ESSSecurityLabel ::= SET {
//!   security-policy-identifier SecurityPolicyIdentifier,
//!   security-classification    SecurityClassification OPTIONAL,
//!   privacy-mark               ESSPrivacyMark OPTIONAL,
//!   security-categories        SecurityCategories OPTIONAL }
//! SecurityPolicyIdentifier ::= OBJECT IDENTIFIER
//! SecurityClassification ::= INTEGER { unmarked (0), unclassified (1), restricted (2),
//!   confidential (3), secret (4), top-secret (5) } (0..ub-integer-options)   -- ub = 256
//! ESSPrivacyMark ::= CHOICE {
//!   pString    PrintableString (SIZE (1..ub-privacy-mark-length)),          -- ub = 128
//!   utf8String UTF8String (SIZE (1..MAX)) }
//! SecurityCategories ::= SET SIZE (1..ub-security-categories) OF SecurityCategory  -- ub = 64
//! SecurityCategory ::= SEQUENCE {
//!   type  [0] OBJECT IDENTIFIER,
//!   value [1] ANY DEFINED BY type }     -- a tagged ANY is always explicit
//! ```
//!
//! One decoder for both places a label is received — the signed attribute
//! ([`EssSecurityLabel::from_tlv`], from the CMS reader) and the SIO-Label `:ess` form
//! ([`EssSecurityLabel::from_ber`]) — on the crate's BER reader ([`crate::asn1::ber`]). It
//! accepts BER as RFC 7444 allows: SET members in any order (the RFC 7444 example lists the
//! OID before the INTEGER), indefinite lengths and constructed strings, an explicitly tagged
//! category type, and a primitive-flagged `[1]` wrapper around the category value (seen in
//! the RFC 3114 sample from pyasn1-modules). It enforces the value ranges: classification
//! 0..256, a PrintableString privacy mark of 1..128 PrintableString characters, 1..64
//! categories, at most [`MAX_LABEL_BYTES`]. [`EssSecurityLabel::to_der`] writes DER: SET
//! members sorted by tag, categories sorted by their encodings, privacy mark as
//! PrintableString when all characters allow it (or when decoded so) and UTF8String
//! otherwise. Primitive encodings (OID, INTEGER, strings) go through the `der` crate.
//!
//! JSON (serde, camelCase):
//! `{ "policy": "1.2.3", "classification": 3, "privacyMark": "...",
//!    "categories": [{ "type": "1.2.3.4", "value": "<base64 DER of the value>" }] }`
//! (`classification`, `privacyMark`, `categories` omitted when absent).

use base64::Engine;
use der::asn1::{ObjectIdentifier, PrintableStringRef, Utf8StringRef};
use der::Encode;
use serde::{Deserialize, Serialize};

use super::Error;
use crate::asn1::ber::Tlv;
use crate::asn1::der::{constructed, der_set_of};
use crate::asn1::is_printable_char as is_ps_char;

/// ub-integer-options
pub const MAX_CLASSIFICATION: u16 = 256;
/// ub-privacy-mark-length (PrintableString form)
pub const MAX_PRIVACY_MARK: usize = 128;
/// ub-security-categories
pub const MAX_CATEGORIES: usize = 64;
/// Largest encoded label we decode.
pub const MAX_LABEL_BYTES: usize = 64 * 1024;

/// A security label.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EssSecurityLabel {
    /// security-policy-identifier, dotted decimal.
    pub policy: String,
    /// security-classification (0..=256); 0–5 are the X.411 hierarchy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<u16>,
    /// privacy-mark text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_mark: Option<String>,
    /// Whether the privacy mark was (or must be) a UTF8String. Not in JSON: when building from
    /// JSON, PrintableString is used whenever the text allows it.
    #[serde(skip)]
    pub privacy_mark_utf8: bool,
    /// security-categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<SecurityCategory>,
}

/// One security category.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityCategory {
    /// The category type OID, dotted decimal.
    #[serde(rename = "type")]
    pub category_type: String,
    /// The DER (or BER as received) encoding of the value inside the `[1]` tag.
    #[serde(with = "b64")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string"))]
    pub value: Vec<u8>,
}

mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(serde::de::Error::custom)
    }
}

/// Name of an X.411 classification value (RFC 2634 §3.2): `unmarked`, `unclassified`,
/// `restricted`, `confidential`, `secret`, `top-secret`.
pub fn classification_name(c: u16) -> Option<&'static str> {
    [
        "unmarked",
        "unclassified",
        "restricted",
        "confidential",
        "secret",
        "top-secret",
    ]
    .get(usize::from(c))
    .copied()
}

fn bad(why: impl Into<String>) -> Error {
    Error::Invalid(why.into())
}

fn ber(e: crate::asn1::BerError) -> Error {
    Error::Invalid(e.0)
}

fn oid_der(s: &str) -> Result<Vec<u8>, Error> {
    let oid = ObjectIdentifier::new(s).map_err(|e| bad(format!("bad OID {s:?}: {e}")))?;
    oid.to_der().map_err(|e| bad(e.to_string()))
}

impl EssSecurityLabel {
    /// A label with just a policy and a classification.
    pub fn new(policy: &str, classification: Option<u16>) -> Self {
        EssSecurityLabel {
            policy: policy.to_string(),
            classification,
            privacy_mark: None,
            privacy_mark_utf8: false,
            categories: Vec::new(),
        }
    }

    /// Decode a BER or DER encoded ESSSecurityLabel that fills `input`.
    pub fn from_ber(input: &[u8]) -> Result<Self, Error> {
        if input.len() > MAX_LABEL_BYTES {
            return Err(bad("label too large"));
        }
        Self::from_tlv(&Tlv::parse_all(input).map_err(ber)?)
    }

    /// Decode a parsed ESSSecurityLabel element (BER or DER, components in any order).
    pub fn from_tlv(t: &Tlv<'_>) -> Result<Self, Error> {
        if t.raw.len() > MAX_LABEL_BYTES {
            return Err(bad("label too large"));
        }
        if !(t.is_universal(17) && t.constructed) {
            return Err(bad("not a SET"));
        }
        let mut policy = None;
        let mut classification = None;
        let mut privacy_mark = None;
        let mut privacy_mark_utf8 = false;
        let mut categories = None;
        // One element at a time: a repeated or unknown one ends the reading.
        for p in t.children_iter().map_err(ber)? {
            let p = p.map_err(ber)?;
            match (p.class, p.number) {
                (0, 6) if policy.is_none() => {
                    policy = Some(
                        p.oid("security-policy-identifier")
                            .map_err(ber)?
                            .to_string(),
                    );
                }
                (0, 2) if classification.is_none() => {
                    let c = p.small_uint("security-classification").map_err(ber)?;
                    classification = Some(
                        u16::try_from(c)
                            .ok()
                            .filter(|c| *c <= MAX_CLASSIFICATION)
                            .ok_or_else(|| bad("classification above 256"))?,
                    );
                }
                (0, 19) | (0, 12) if privacy_mark.is_none() => {
                    let octets = p.string_octets().map_err(ber)?;
                    if octets.is_empty() {
                        return Err(bad("empty privacy mark"));
                    }
                    let s = String::from_utf8(octets.into_owned())
                        .map_err(|_| bad("privacy mark is not UTF-8"))?;
                    if p.number == 19 {
                        if !s.chars().all(is_ps_char) || s.len() > MAX_PRIVACY_MARK {
                            return Err(bad("privacy mark is not a valid PrintableString"));
                        }
                    } else {
                        privacy_mark_utf8 = true;
                    }
                    privacy_mark = Some(s);
                }
                (0, 17) if categories.is_none() => {
                    // One more than the bound, to report a surplus without listing it.
                    let cats = p
                        .children_at_most(MAX_CATEGORIES + 1, "security-categories")
                        .map_err(ber)?;
                    if cats.is_empty() || cats.len() > MAX_CATEGORIES {
                        return Err(bad("security-categories must hold 1 to 64 categories"));
                    }
                    categories = Some(
                        cats.iter()
                            .map(decode_category)
                            .collect::<Result<Vec<_>, _>>()?,
                    );
                }
                (class, number) => {
                    return Err(bad(format!(
                        "unexpected or repeated element (class 0x{class:02x}, tag {number})"
                    )))
                }
            }
        }
        Ok(EssSecurityLabel {
            policy: policy.ok_or_else(|| bad("missing security-policy-identifier"))?,
            classification,
            privacy_mark,
            privacy_mark_utf8,
            categories: categories.unwrap_or_default(),
        })
    }

    /// Decode base64 (the SIO-Label `:ess` form).
    pub fn from_base64(b64: &str) -> Result<Self, Error> {
        let cleaned: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(cleaned)
            .map_err(|e| bad(format!("bad base64: {e}")))?;
        Self::from_ber(&der)
    }

    /// Check the value ranges (also done by [`Self::to_der`]).
    pub fn validate(&self) -> Result<(), Error> {
        ObjectIdentifier::new(&self.policy).map_err(|e| bad(format!("bad policy OID: {e}")))?;
        if self.classification.is_some_and(|c| c > MAX_CLASSIFICATION) {
            return Err(bad("classification above 256"));
        }
        if let Some(p) = &self.privacy_mark {
            if p.is_empty() {
                return Err(bad("empty privacy mark"));
            }
        }
        if self.categories.len() > MAX_CATEGORIES {
            return Err(bad("more than 64 categories"));
        }
        for c in &self.categories {
            ObjectIdentifier::new(&c.category_type)
                .map_err(|e| bad(format!("bad category OID: {e}")))?;
            Tlv::parse_all(&c.value)
                .map_err(|e| bad(format!("category value is not one TLV: {e}")))?;
        }
        Ok(())
    }

    /// Encode as DER.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        self.validate()?;
        let mut members: Vec<Vec<u8>> = Vec::new();
        members.push(oid_der(&self.policy)?);
        if let Some(c) = self.classification {
            members.push(c.to_der().map_err(|e| bad(e.to_string()))?);
        }
        if let Some(p) = &self.privacy_mark {
            let printable =
                !self.privacy_mark_utf8 && p.len() <= MAX_PRIVACY_MARK && p.chars().all(is_ps_char);
            let enc = if printable {
                PrintableStringRef::new(p).and_then(|s| s.to_der())
            } else {
                Utf8StringRef::new(p).and_then(|s| s.to_der())
            };
            members.push(enc.map_err(|e| bad(e.to_string()))?);
        }
        if !self.categories.is_empty() {
            let mut cats: Vec<Vec<u8>> = Vec::new();
            for c in &self.categories {
                let oid = oid_der(&c.category_type)?;
                // [0] IMPLICIT OBJECT IDENTIFIER: replace the universal tag.
                let mut typ = oid;
                if let Some(t) = typ.first_mut() {
                    *t = 0x80;
                }
                let val = constructed(0xa1, &[&c.value]);
                cats.push(constructed(0x30, &[&typ, &val]));
            }
            members.push(der_set_of(cats));
        }
        // DER SET: members in ascending tag-number order.
        members.sort_by_key(|m| m.first().map(|t| t & 0x1f).unwrap_or(0));
        let refs: Vec<&[u8]> = members.iter().map(|m| m.as_slice()).collect();
        Ok(constructed(0x31, &refs))
    }

    /// Base64 of [`Self::to_der`] (the SIO-Label `label` value for `type=":ess"`).
    pub fn to_base64(&self) -> Result<String, Error> {
        Ok(base64::engine::general_purpose::STANDARD.encode(self.to_der()?))
    }

    /// The classification's X.411 name, if 0–5.
    pub fn classification_name(&self) -> Option<&'static str> {
        self.classification.and_then(classification_name)
    }
}

/// `SecurityCategory ::= SEQUENCE { type [0] OBJECT IDENTIFIER, value [1] ANY }`: the type
/// IMPLICIT (or, tolerated, EXPLICIT), the value's contents kept as received.
fn decode_category(c: &Tlv<'_>) -> Result<SecurityCategory, Error> {
    let f = c.sequence_at_most(3, "SecurityCategory").map_err(ber)?;
    let [ty, val] = f.as_slice() else {
        return Err(bad("security category must have type and value"));
    };
    if !ty.is_context(0) {
        return Err(bad("security category type is not [0]"));
    }
    let oid = if ty.constructed {
        let inner = ty
            .children_at_most(2, "security category type")
            .map_err(ber)?;
        let [o] = inner.as_slice() else {
            return Err(bad("security category type is not one OBJECT IDENTIFIER"));
        };
        o.oid("type").map_err(ber)?
    } else {
        ObjectIdentifier::from_bytes(ty.content)
            .map_err(|e| bad(format!("bad OBJECT IDENTIFIER: {e}")))?
    };
    if !val.is_context(1) {
        return Err(bad("security category value is not [1]"));
    }
    Ok(SecurityCategory {
        category_type: oid.to_string(),
        value: val.content.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn rfc7444_example() {
        // RFC 7444 §4: label="MQYGASkCAQM=" = SET { OID 1.1, INTEGER 3 } (BER order).
        let l = EssSecurityLabel::from_base64("MQYGASkCAQM=").unwrap();
        assert_eq!(l.policy, "1.1");
        assert_eq!(l.classification, Some(3));
        assert_eq!(l.classification_name(), Some("confidential"));
        // DER re-encoding sorts the members: INTEGER before OID.
        assert_eq!(
            l.to_der().unwrap(),
            [0x31, 0x06, 0x02, 0x01, 0x03, 0x06, 0x01, 0x29]
        );
        assert_eq!(EssSecurityLabel::from_ber(&l.to_der().unwrap()).unwrap(), l);
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"policy":"1.1","classification":3}"#
        );
    }

    #[test]
    fn pyasn1_rfc2634_sample() {
        // ESSSecurityLabel from pyasn1-modules tests/test_rfc2634.py (SignedMessageTestCase)
        let der = include_bytes!("../../tests/vectors/mmhs/ess/rfc2634-label.der");
        let l = EssSecurityLabel::from_ber(der).unwrap();
        assert_eq!(l.policy, "1.3.6.1.4.1.22112.1.1");
        assert_eq!(l.classification, Some(1));
        assert_eq!(l.privacy_mark.as_deref(), Some("Boagus Privacy Mark"));
        assert_eq!(l.to_der().unwrap(), der.to_vec());
    }

    #[test]
    fn pyasn1_rfc3114_sample_with_category() {
        // ESSSecurityLabel from pyasn1-modules tests/test_rfc3114.py (SecurityLabelTestCase)
        let der = include_bytes!("../../tests/vectors/mmhs/ess/rfc3114-label.der");
        let l = EssSecurityLabel::from_ber(der).unwrap();
        assert_eq!(l.policy, "1.2.840.113549.1.9.16.7.3");
        assert_eq!(l.classification, Some(8));
        assert_eq!(l.categories.len(), 1);
        assert_eq!(l.categories[0].category_type, "1.2.840.113549.1.9.16.7.4");
        // value: SEQUENCE { UTF8String "HUMAN RESOURCES USE ONLY" }
        assert_eq!(&l.categories[0].value[..4], &[0x30, 0x1a, 0x0c, 0x18]);
        let json = serde_json::to_value(&l).unwrap();
        assert_eq!(json["categories"][0]["type"], "1.2.840.113549.1.9.16.7.4");
        let back: EssSecurityLabel = serde_json::from_value(json).unwrap();
        assert_eq!(back.categories, l.categories);
        // Our DER uses the constructed [1] (0xa1); the sample flags it primitive (0x81).
        let ours = l.to_der().unwrap();
        let mut expected = der.to_vec();
        let pos = expected.windows(2).position(|w| w == [0x81, 0x1c]).unwrap();
        expected[pos] = 0xa1;
        assert_eq!(ours, expected);
    }

    #[test]
    fn build_and_round_trip() {
        let mut l = EssSecurityLabel::new("1.2.3.4", Some(4));
        l.privacy_mark = Some("NATO SECRET – releasable".into());
        l.categories.push(SecurityCategory {
            category_type: "2.5.4.1".into(),
            value: vec![0x0c, 0x02, b'h', b'i'],
        });
        let der = l.to_der().unwrap();
        let back = EssSecurityLabel::from_ber(&der).unwrap();
        assert!(back.privacy_mark_utf8);
        assert_eq!(back.privacy_mark, l.privacy_mark);
        assert_eq!(back.categories, l.categories);
        assert_eq!(back.to_der().unwrap(), der);
    }

    #[test]
    fn invalid() {
        for bad in [
            &b""[..],
            &[0x30, 0x00],
            &[0x31, 0x00],
            &[0x31, 0x03, 0x02, 0x01, 0x03],
            &[0x31, 0x06, 0x06, 0x01, 0x29, 0x02, 0x01, 0xff],
            &[0x31, 0x80, 0x00, 0x00],
            &[0x31, 0x06, 0x06, 0x01, 0x29, 0x02, 0x05],
            &[0x31, 0x03, 0x06, 0x01, 0x29, 0x00],
        ] {
            assert_eq!(
                EssSecurityLabel::from_ber(bad).unwrap_err().code(),
                "ess-label-invalid",
                "{bad:?}"
            );
        }
        assert!(EssSecurityLabel::from_base64("!!!").is_err());
        assert!(EssSecurityLabel::new("not an oid", None).to_der().is_err());
        assert!(EssSecurityLabel::new("1.2.3", Some(300)).to_der().is_err());
    }
}
