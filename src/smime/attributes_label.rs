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
//! received — its contents octets, base64, in JSON. Produced labels are DER, encoded by
//! `mmhs::ess_label::EssSecurityLabel::to_der` (SET components sorted by tag). Received labels
//! are decoded here, leniently: any component order (the RFC 7444 example is not
//! DER-sorted), explicitly or implicitly tagged category values (RFC 3114's samples).

use base64::Engine;
use const_oid::ObjectIdentifier as Oid;

use super::ber::Tlv;
use crate::mmhs::ess_label::EssSecurityLabel;
use crate::report::{SecurityCategory, SecurityLabel};

/// Highest classification value (`ub-integer-options`).
pub const MAX_CLASSIFICATION: u32 = 256;

/// Encode an ESSSecurityLabel (DER) — the DER type is `mmhs::ess_label` (one encoder for
/// the whole crate: compose, SIO-Label and the signed attribute agree byte for byte).
pub fn encode_label(label: &EssSecurityLabel) -> Result<Vec<u8>, String> {
    label.to_der().map_err(|e| e.to_string())
}

/// The report form of a label.
pub fn to_report(label: &EssSecurityLabel) -> SecurityLabel {
    SecurityLabel {
        policy: label.policy.clone(),
        classification: label.classification.map(u32::from),
        privacy_mark: label.privacy_mark.clone(),
        categories: label
            .categories
            .iter()
            .map(|c| SecurityCategory {
                kind: c.category_type.clone(),
                value: base64::engine::general_purpose::STANDARD.encode(&c.value),
            })
            .collect(),
    }
}

/// The mmhs form of a report label (categories' base64 decoded).
pub fn from_report(label: &SecurityLabel) -> Result<EssSecurityLabel, String> {
    let mut l = EssSecurityLabel::new(
        &label.policy,
        match label.classification {
            Some(c) => {
                Some(u16::try_from(c).map_err(|_| format!("classification {c} out of range"))?)
            }
            None => None,
        },
    );
    l.privacy_mark = label.privacy_mark.clone();
    for c in &label.categories {
        l.categories.push(crate::mmhs::ess_label::SecurityCategory {
            category_type: c.kind.clone(),
            value: base64::engine::general_purpose::STANDARD
                .decode(&c.value)
                .map_err(|e| format!("bad category value base64: {e}"))?,
        });
    }
    Ok(l)
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
pub fn label_attribute(label: &EssSecurityLabel) -> Result<Vec<u8>, String> {
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
        // The DER encoding sorts by tag: INTEGER before OID.
        assert_eq!(
            encode_label(&from_report(&l).unwrap()).unwrap(),
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
        let der = encode_label(&from_report(&l).unwrap()).unwrap();
        let back = decode_label(&Tlv::parse_all(&der).unwrap()).unwrap();
        assert_eq!(back, l);
        assert!(labels_agree(&l, &back));
        assert_eq!(to_report(&from_report(&l).unwrap()), l);
    }

    #[test]
    fn rejects_bad_labels() {
        assert!(decode_label(&Tlv::parse_all(&[0x31, 0x03, 0x02, 0x01, 0x03]).unwrap()).is_err());
        assert!(encode_label(&EssSecurityLabel::new("x", None)).is_err());
    }
}
