//! The eSSSecurityLabel signed attribute (RFC 2634 §3.2, OID 1.2.840.113549.1.9.16.2.2) and
//! its JSON form ([`crate::report::SecurityLabel`]).
//!
//! ```text
//! ESSSecurityLabel ::= SET {
//!   security-policy-identifier SecurityPolicyIdentifier,      -- OBJECT IDENTIFIER
//!   security-classification SecurityClassification OPTIONAL,  -- INTEGER (0..256)
//!   privacy-mark ESSPrivacyMark OPTIONAL,                     -- PrintableString / UTF8String
//!   security-categories SecurityCategories OPTIONAL }         -- SET SIZE (1..64) OF SecurityCategory
//! SecurityCategory ::= SEQUENCE { type [0] OBJECT IDENTIFIER, value [1] ANY DEFINED BY type }
//! ```
//! The module uses IMPLICIT tags, so `type` is `80 len oid-octets`; `value` is carried as
//! received — its contents octets, base64, in JSON. Produced labels are DER: the SET's
//! components sorted by tag (INTEGER, OID, UTF8String, SET, PrintableString). Received
//! labels are accepted in any component order (the RFC 7444 example is not DER-sorted).

use base64::Engine;
use const_oid::ObjectIdentifier as Oid;
use der::Encode;

use super::ber::{self, Tlv};
use crate::report::{SecurityCategory, SecurityLabel};

/// Highest classification value (`ub-integer-options`).
pub const MAX_CLASSIFICATION: u32 = 256;

/// Encode an ESSSecurityLabel (DER).
pub fn encode_label(label: &SecurityLabel) -> Result<Vec<u8>, String> {
    let policy = Oid::new(&label.policy).map_err(|e| format!("bad policy OID: {e}"))?;
    let mut parts: Vec<Vec<u8>> = vec![policy.to_der().map_err(|e| e.to_string())?];
    if let Some(c) = label.classification {
        if c > MAX_CLASSIFICATION {
            return Err(format!("classification {c} is above {MAX_CLASSIFICATION}"));
        }
        let i = der::asn1::Int::new(&c.to_be_bytes()).map_err(|e| e.to_string())?;
        let uint = der::asn1::Uint::new(&c.to_be_bytes()).map_err(|e| e.to_string())?;
        let _ = i;
        parts.push(uint.to_der().map_err(|e| e.to_string())?);
    }
    if let Some(p) = &label.privacy_mark {
        if p.is_empty() {
            return Err("empty privacy mark".into());
        }
        let printable = p.len() <= 128
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
        parts.push(ber::primitive(
            if printable { 0x13 } else { 0x0C },
            p.as_bytes(),
        ));
    }
    if !label.categories.is_empty() {
        if label.categories.len() > 64 {
            return Err("more than 64 security categories".into());
        }
        let mut cats = Vec::new();
        for c in &label.categories {
            let oid = Oid::new(&c.kind).map_err(|e| format!("bad category OID: {e}"))?;
            let value = base64::engine::general_purpose::STANDARD
                .decode(&c.value)
                .map_err(|e| format!("bad category value base64: {e}"))?;
            // Explicitly tagged when the value is itself one whole element, else implicit.
            let tag = if Tlv::parse_all(&value).is_ok() {
                0xA1
            } else {
                0x81
            };
            cats.push(ber::constructed(
                0x30,
                &[
                    &ber::primitive(0x80, oid.as_bytes()),
                    &ber::primitive(tag, &value),
                ],
            ));
        }
        parts.push(ber::der_set_of(cats));
    }
    parts.sort_by_key(|p| p.first().copied().unwrap_or(0) & 0x1F);
    let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
    Ok(ber::constructed(0x31, &refs))
}

/// Decode an ESSSecurityLabel (BER or DER, components in any order).
pub fn decode_label(t: &Tlv<'_>) -> Result<SecurityLabel, String> {
    let parts = t.set("ESSSecurityLabel").map_err(|e| e.0)?;
    let mut label = SecurityLabel::default();
    let mut seen_policy = false;
    let mut seen = [false; 4];
    for p in parts {
        let slot = match (p.class, p.number) {
            (0, 6) => 0,
            (0, 2) => 1,
            (0, 19) | (0, 12) => 2,
            (0, 17) => 3,
            _ => {
                return Err(format!(
                    "unexpected component tag {} in ESSSecurityLabel",
                    p.number
                ))
            }
        };
        if seen[slot] {
            return Err("duplicated component in ESSSecurityLabel".into());
        }
        seen[slot] = true;
        match slot {
            0 => {
                label.policy = p
                    .oid("security-policy-identifier")
                    .map_err(|e| e.0)?
                    .to_string();
                seen_policy = true;
            }
            1 => {
                let c = p.small_uint("security-classification").map_err(|e| e.0)?;
                if c > MAX_CLASSIFICATION {
                    return Err(format!("classification {c} out of range"));
                }
                label.classification = Some(c);
            }
            2 => {
                let s = p.string_octets().map_err(|e| e.0)?;
                let s = String::from_utf8(s.into_owned())
                    .map_err(|_| "privacy mark is not valid text".to_string())?;
                if s.is_empty() {
                    return Err("empty privacy mark".into());
                }
                label.privacy_mark = Some(s);
            }
            _ => {
                for c in p.children().map_err(|e| e.0)? {
                    let f = c.sequence("SecurityCategory").map_err(|e| e.0)?;
                    let [ty, val] = f.as_slice() else {
                        return Err("SecurityCategory must have type and value".into());
                    };
                    if !ty.is_context(0) {
                        return Err("SecurityCategory.type must be [0]".into());
                    }
                    let oid = if ty.constructed {
                        // Tolerate an explicitly tagged OID.
                        let inner = ty.children().map_err(|e| e.0)?;
                        inner
                            .first()
                            .ok_or("empty category type")?
                            .oid("type")
                            .map_err(|e| e.0)?
                    } else {
                        Oid::from_bytes(ty.content).map_err(|e| format!("bad category OID: {e}"))?
                    };
                    if !val.is_context(1) {
                        return Err("SecurityCategory.value must be [1]".into());
                    }
                    label.categories.push(SecurityCategory {
                        kind: oid.to_string(),
                        value: base64::engine::general_purpose::STANDARD.encode(val.content),
                    });
                }
                if label.categories.is_empty() {
                    return Err("empty security-categories".into());
                }
            }
        }
    }
    if !seen_policy {
        return Err("ESSSecurityLabel without security-policy-identifier".into());
    }
    Ok(label)
}

/// eSSSecurityLabel attribute DER.
pub fn label_attribute(label: &SecurityLabel) -> Result<Vec<u8>, String> {
    super::attributes::attribute(
        super::attributes::SECURITY_LABEL,
        vec![encode_label(label)?],
    )
}

/// Whether two labels agree on policy, classification and categories (the profile §4.2.5
/// comparison for ESS vs SIO-Label; the privacy mark is not used for access control).
pub fn labels_agree(a: &SecurityLabel, b: &SecurityLabel) -> bool {
    let mut ca: Vec<_> = a.categories.iter().map(|c| (&c.kind, &c.value)).collect();
    let mut cb: Vec<_> = b.categories.iter().map(|c| (&c.kind, &c.value)).collect();
    ca.sort();
    cb.sort();
    a.policy == b.policy && a.classification == b.classification && ca == cb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7444_example_decodes() {
        // SIO-Label example of RFC 7444 §4: SET { OID 1.1, INTEGER 3 } (not DER-sorted).
        let b = [0x31, 0x06, 0x06, 0x01, 0x29, 0x02, 0x01, 0x03];
        let l = decode_label(&Tlv::parse_all(&b).unwrap()).unwrap();
        assert_eq!(l.policy, "1.1");
        assert_eq!(l.classification, Some(3));
        // Our encoding sorts by tag: INTEGER before OID.
        assert_eq!(
            encode_label(&l).unwrap(),
            vec![0x31, 0x06, 0x02, 0x01, 0x03, 0x06, 0x01, 0x29]
        );
    }

    #[test]
    fn round_trip_with_mark_and_categories() {
        let l = SecurityLabel {
            policy: "1.3.6.1.4.1.22112.1.1".into(),
            classification: Some(4),
            privacy_mark: Some("NATO SECRET - Releasable".into()),
            categories: vec![SecurityCategory {
                kind: "2.16.840.1.101.2.1.8.3.1".into(),
                value: base64::engine::general_purpose::STANDARD.encode([0x0c, 0x02, b'U', b'K']),
            }],
        };
        let der = encode_label(&l).unwrap();
        let back = decode_label(&Tlv::parse_all(&der).unwrap()).unwrap();
        assert_eq!(back, l);
        assert!(labels_agree(&l, &back));
    }

    #[test]
    fn rejects_bad_labels() {
        assert!(decode_label(&Tlv::parse_all(&[0x31, 0x03, 0x02, 0x01, 0x03]).unwrap()).is_err());
        assert!(encode_label(&SecurityLabel {
            policy: "x".into(),
            ..Default::default()
        })
        .is_err());
    }
}
