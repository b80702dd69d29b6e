//! Enhanced Security Services for S/MIME ([RFC 2634](https://www.rfc-editor.org/rfc/rfc2634)):
//! the ESS security label (§3.2), read and written once for every place it travels — the
//! `eSSSecurityLabel` signed attribute the CMS signer writes and the verifier reads
//! (`smime`), and the `:ess` form of the SIO-Label header field (RFC 7444 §4, `mmhs`) —
//! and its report form ([`report_form::SecurityLabel`]).
//!
//! The other RFC 2634 attributes travel only in CMS and live beside the CMS code:
//! receiptRequest and receipt (`smime::receipt_request`, `smime::receipt`),
//! mlExpansionHistory (`smime::ml_expansion`), signingCertificate (`smime::attributes`).

use base64::Engine;

use crate::coded::Coded;
pub mod report_form;
mod security_label;
use report_form as report;
pub use security_label::{
    classification_name, EssSecurityLabel, SecurityCategory, MAX_CATEGORIES, MAX_CLASSIFICATION,
    MAX_LABEL_BYTES, MAX_PRIVACY_MARK,
};

/// Errors of this module; each variant has a stable [`Coded::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An ESSSecurityLabel that does not decode or is out of range (RFC 2634 §3.2). Code
    /// `ess-label-invalid`.
    #[error("invalid ESS security label: {0}")]
    Invalid(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "ess-label-invalid",
        }
    }
}

/// The report form of a label (category values base64).
pub fn to_report(label: &EssSecurityLabel) -> report::SecurityLabel {
    report::SecurityLabel {
        policy: label.policy.clone(),
        classification: label.classification.map(u32::from),
        privacy_mark: label.privacy_mark.clone(),
        categories: label
            .categories
            .iter()
            .map(|c| report::SecurityCategory {
                kind: c.category_type.clone(),
                value: base64::engine::general_purpose::STANDARD.encode(&c.value),
            })
            .collect(),
    }
}

/// The label of a report form (category values' base64 decoded).
pub fn from_report(label: &report::SecurityLabel) -> Result<EssSecurityLabel, String> {
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
        l.categories.push(SecurityCategory {
            category_type: c.kind.clone(),
            value: base64::engine::general_purpose::STANDARD
                .decode(&c.value)
                .map_err(|e| format!("bad category value base64: {e}"))?,
        });
    }
    Ok(l)
}

/// Whether two labels agree on policy, classification and categories (the profile §4.2.5
/// comparison for ESS vs SIO-Label; the privacy mark is not used for access control).
pub fn labels_agree(a: &report::SecurityLabel, b: &report::SecurityLabel) -> bool {
    let mut ca: Vec<_> = a.categories.iter().map(|c| (&c.kind, &c.value)).collect();
    let mut cb: Vec<_> = b.categories.iter().map(|c| (&c.kind, &c.value)).collect();
    ca.sort();
    cb.sort();
    a.policy == b.policy && a.classification == b.classification && ca == cb
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::ber::Tlv;
    use crate::report::{SecurityCategory as ReportCategory, SecurityLabel};

    fn decode_report(der: &[u8]) -> Result<SecurityLabel, Error> {
        EssSecurityLabel::from_tlv(&Tlv::parse_all(der).map_err(|e| Error::Invalid(e.0))?)
            .map(|l| to_report(&l))
    }

    #[test]
    fn rfc7444_example_decodes() {
        // SIO-Label example of RFC 7444 §4: SET { OID 1.1, INTEGER 3 } (not DER-sorted).
        let b = [0x31, 0x06, 0x06, 0x01, 0x29, 0x02, 0x01, 0x03];
        let l = decode_report(&b).unwrap();
        assert_eq!(l.policy, "1.1");
        assert_eq!(l.classification, Some(3));
        // The DER encoding sorts by tag: INTEGER before OID.
        assert_eq!(
            from_report(&l).unwrap().to_der().unwrap(),
            vec![0x31, 0x06, 0x02, 0x01, 0x03, 0x06, 0x01, 0x29]
        );
    }

    #[test]
    fn round_trip_with_mark_and_categories() {
        let l = SecurityLabel {
            policy: "1.3.6.1.4.1.22112.1.1".into(),
            classification: Some(4),
            privacy_mark: Some("NATO SECRET - Releasable".into()),
            categories: vec![ReportCategory {
                kind: "2.16.840.1.101.2.1.8.3.1".into(),
                value: base64::engine::general_purpose::STANDARD.encode([0x0c, 0x02, b'U', b'K']),
            }],
        };
        let der = from_report(&l).unwrap().to_der().unwrap();
        let back = decode_report(&der).unwrap();
        assert_eq!(back, l);
        assert!(labels_agree(&l, &back));
        assert_eq!(to_report(&from_report(&l).unwrap()), l);
        let mut other = l.clone();
        other.classification = Some(3);
        assert!(!labels_agree(&l, &other));
    }

    #[test]
    fn ber_forms_decode_like_der() {
        // Indefinite-length SET, constructed PrintableString in two chunks, explicitly tagged
        // category type: all BER, all the same label.
        let ber = [
            0x31, 0x80, // SET (indefinite)
            0x06, 0x01, 0x29, // OID 1.1
            0x33, 0x80, 0x13, 0x01, b'A', 0x13, 0x01, b'B', 0x00, 0x00, // "AB" chunked
            0x31, 0x0c, 0x30, 0x0a, 0xa0, 0x03, 0x06, 0x01, 0x2a, // [0] EXPLICIT OID 1.2
            0xa1, 0x03, 0x02, 0x01, 0x07, // [1] INTEGER 7
            0x00, 0x00,
        ];
        let l = decode_report(&ber).unwrap();
        assert_eq!(l.privacy_mark.as_deref(), Some("AB"));
        assert_eq!(l.categories[0].kind, "1.2");
        let der = from_report(&l).unwrap().to_der().unwrap();
        assert_eq!(decode_report(&der).unwrap(), l);
    }

    #[test]
    fn rejects_bad_labels() {
        for bad in [
            // No policy.
            &[0x31, 0x03, 0x02, 0x01, 0x03][..],
            // A PrintableString privacy mark with a character outside PrintableString.
            &[0x31, 0x06, 0x06, 0x01, 0x29, 0x13, 0x01, b'@'],
            // Empty security-categories.
            &[0x31, 0x05, 0x06, 0x01, 0x29, 0x31, 0x00],
            // A second classification.
            &[
                0x31, 0x09, 0x06, 0x01, 0x29, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
            ],
            // Classification 257.
            &[0x31, 0x07, 0x06, 0x01, 0x29, 0x02, 0x02, 0x01, 0x01],
        ] {
            let e = decode_report(bad).unwrap_err();
            assert_eq!(e.code(), "ess-label-invalid", "{bad:?}");
        }
        // 65 categories: over ub-security-categories.
        let cat = [0x30, 0x06, 0x80, 0x01, 0x2a, 0xa1, 0x01, 0x00];
        let cats: Vec<u8> = cat.iter().copied().cycle().take(cat.len() * 65).collect();
        let set = crate::asn1::der::constructed(0x31, &[&cats]);
        let oid = [0x06, 0x01, 0x29];
        let label = crate::asn1::der::constructed(0x31, &[&oid, &set]);
        assert!(decode_report(&label).is_err());
        assert!(EssSecurityLabel::new("x", None).to_der().is_err());
    }
}
