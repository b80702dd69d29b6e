//! Clearances — [RFC 5755 §4.4.6](https://www.rfc-editor.org/rfc/rfc5755#section-4.4.6):
//!
//! ```text
//! Clearance ::= SEQUENCE {
//!   policyId           OBJECT IDENTIFIER,
//!   classList          ClassList DEFAULT {unclassified},
//!   securityCategories SET OF SecurityCategory OPTIONAL }
//! ClassList ::= BIT STRING { unmarked (0), unclassified (1), restricted (2),
//!   confidential (3), secret (4), topSecret (5) }
//! id-at-clearance OBJECT IDENTIFIER ::= { joint-iso-ccitt(2) ds(5) attributeType(4)
//!   clearance (55) }
//! ```
//!
//! The historical RFC 3281 form (OID 2.5.1.5.55, fields tagged `[0]` `[1]` `[2]`) is read
//! too. In a public-key certificate the attribute is carried in the subjectDirectoryAttributes
//! extension (RFC 5280 §4.2.1.8, OID 2.5.29.9: `SEQUENCE SIZE (1..MAX) OF Attribute`).
//!
//! A clearance admits a label of its own policy when the label's classification is in the
//! class list (a label without classification counts as `unmarked`, 0) and every category of
//! the label is among the clearance's categories (categories the holder is cleared for).
//!
//! Which clearance an address has ([`lookup`]): its own entry, else the entry of its domain
//! (most specific parent domain first); a next hop (a host or domain name) the entry of the
//! name or of a parent domain. The release policy's numeric clearances use the same lookup.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::policy::{canonical_category, PolicyError, MAX_ENTRIES};
use crate::asn1::ber::Tlv;
use crate::ess::MAX_CLASSIFICATION;
use crate::report::{SecurityCategory, SecurityLabel};

// id-at-clearance (RFC 5755 §4.4.6); the RFC 3281 registration is read but never written.
use crate::asn1::oid::{
    ID_AT_CLEARANCE, ID_AT_CLEARANCE_RFC3281, ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES,
};

/// A clearance as a policy file writes it: the class list or the highest classification, and
/// the categories. A bare number `n` is `{ "maxClassification": n }` (the release policy's
/// numeric form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ClearanceSpec {
    /// `n`: every classification up to `n`, no categories.
    Max(u16),
    /// The full form.
    Full(ClearanceEntry),
}

/// The full JSON form of a clearance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClearanceEntry {
    /// Every classification up to this value (0..=256).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_classification: Option<u16>,
    /// These classifications (RFC 5755 ClassList); with `maxClassification`, both count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class_list: Vec<u16>,
    /// Categories the holder is cleared for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<SecurityCategory>,
}

impl ClearanceSpec {
    /// Check ranges, re-encode categories canonically.
    pub fn normalize(&mut self) -> Result<(), PolicyError> {
        let too_big = |c: u16| c > MAX_CLASSIFICATION;
        match self {
            ClearanceSpec::Max(n) if too_big(*n) => {
                Err(PolicyError(format!("clearance {n} out of range (0..=256)")))
            }
            ClearanceSpec::Max(_) => Ok(()),
            ClearanceSpec::Full(e) => {
                if e.max_classification.is_some_and(too_big)
                    || e.class_list.iter().any(|c| too_big(*c))
                {
                    return Err(PolicyError("clearance classification out of range".into()));
                }
                if e.class_list.len() > MAX_ENTRIES || e.categories.len() > MAX_ENTRIES {
                    return Err(PolicyError("clearance too large".into()));
                }
                for c in &mut e.categories {
                    *c = canonical_category(c)?;
                }
                Ok(())
            }
        }
    }

    /// The highest classification this spec clears (for the release review's numeric check).
    pub fn max_classification(&self) -> Option<u16> {
        match self {
            ClearanceSpec::Max(n) => Some(*n),
            ClearanceSpec::Full(e) => e
                .class_list
                .iter()
                .copied()
                .chain(e.max_classification)
                .max(),
        }
    }

    /// The clearance in `policy`.
    pub fn in_policy(&self, policy: &str) -> Clearance {
        let (classes, categories) = match self {
            ClearanceSpec::Max(n) => ((0..=*n).collect(), Vec::new()),
            ClearanceSpec::Full(e) => {
                let mut c: BTreeSet<u16> = e.class_list.iter().copied().collect();
                if let Some(n) = e.max_classification {
                    c.extend(0..=n);
                }
                (c, e.categories.clone())
            }
        };
        Clearance {
            policy: policy.to_string(),
            classes,
            categories,
        }
    }
}

/// A clearance in one policy (RFC 5755 §4.4.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Clearance {
    /// policyId.
    pub policy: String,
    /// classList.
    pub classes: BTreeSet<u16>,
    /// securityCategories (canonical base64 values).
    pub categories: Vec<SecurityCategory>,
}

impl Clearance {
    /// Whether this clearance admits `label`, which must be of the same policy.
    pub fn admits(&self, label: &SecurityLabel) -> Result<(), String> {
        if label.policy != self.policy {
            return Err(format!(
                "cleared in policy {}, not {}",
                self.policy, label.policy
            ));
        }
        let class = label.classification.unwrap_or(0);
        let class_ok = u16::try_from(class).is_ok_and(|c| self.classes.contains(&c));
        if !class_ok {
            // At most 8 values named: the reason goes into SMTP reply lines.
            let mut listed: Vec<String> = self.classes.iter().take(8).map(u16::to_string).collect();
            if self.classes.len() > 8 {
                listed.push(format!("... ({} in all)", self.classes.len()));
            }
            return Err(format!(
                "cleared for classifications {}, not {class}",
                listed.join(", ")
            ));
        }
        for c in &label.categories {
            let Ok(c) = canonical_category(c) else {
                return Err(format!("category {} cannot be read", c.kind));
            };
            if !self.categories.contains(&c) {
                return Err(format!("not cleared for category {} = {}", c.kind, c.value));
            }
        }
        Ok(())
    }
}

/// Where a clearance came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ClearanceOrigin {
    /// The policy's entry for this address.
    Address,
    /// The X.509 clearance attribute of the recipient's certificate.
    Certificate,
    /// The policy's entry for this domain (or host) name.
    Domain(String),
    /// The policy's default clearance.
    Default,
}

/// The entry of `name` in `table`: the address itself, else (for an address, its domain;
/// for a host or domain name, the name itself) the most specific parent domain with an
/// entry. Keys are compared case-insensitively; bounded by the number of labels in `name`.
pub(crate) fn lookup<'t, T>(
    table: &'t BTreeMap<String, T>,
    name: &str,
) -> Option<(&'t T, Option<String>)> {
    let n = name.trim().to_ascii_lowercase();
    let find = |k: &str| {
        table.get(k).or_else(|| {
            table
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        })
    };
    if n.contains('@') {
        if let Some(v) = find(&n) {
            return Some((v, None));
        }
    }
    let mut dom = match n.rsplit_once('@') {
        Some((_, d)) => Some(d.to_string()),
        None => Some(n.clone()),
    };
    while let Some(d) = dom.filter(|d| !d.is_empty()) {
        if let Some(v) = find(&d) {
            return Some((v, Some(d)));
        }
        dom = d
            .split_once('.')
            .map(|(_, rest)| rest.to_string())
            .filter(|s| s.contains('.'));
    }
    None
}

fn ber(e: crate::asn1::ber::BerError) -> String {
    e.0
}

/// Read one Clearance value (current or RFC 3281 tagging).
fn clearance_value(t: &Tlv<'_>) -> Result<Clearance, String> {
    // policyId, classList, securityCategories: a fourth field is read and refused below.
    let fields = t.sequence_at_most(4, "Clearance").map_err(ber)?;
    let mut it = fields.iter();
    let first = it.next().ok_or("empty Clearance")?;
    let policy = if first.is_context(0) && !first.constructed {
        const_oid::ObjectIdentifier::from_bytes(first.content)
            .map_err(|e| format!("bad policyId: {e}"))?
    } else {
        first.oid("policyId").map_err(ber)?
    };
    let mut c = Clearance {
        policy: policy.to_string(),
        classes: BTreeSet::from([1]),
        categories: Vec::new(),
    };
    for f in it {
        if f.is_universal(3) || (f.is_context(1) && !f.constructed) {
            c.classes = class_list(f.content)?;
        } else if f.is_universal(17) || f.is_context(2) {
            for sc in f.children_iter().map_err(ber)? {
                let parts = sc
                    .map_err(ber)?
                    .sequence_at_most(3, "SecurityCategory")
                    .map_err(ber)?;
                let [ty, val] = parts.as_slice() else {
                    return Err("SecurityCategory must have type and value".into());
                };
                if !ty.is_context(0) || !val.is_context(1) {
                    return Err("SecurityCategory fields must be [0] and [1]".into());
                }
                let oid = const_oid::ObjectIdentifier::from_bytes(ty.content)
                    .map_err(|e| format!("bad category type: {e}"))?;
                if c.categories.len() >= MAX_ENTRIES {
                    return Err("too many categories".into());
                }
                use base64::Engine;
                c.categories.push(SecurityCategory {
                    kind: oid.to_string(),
                    value: base64::engine::general_purpose::STANDARD.encode(val.content),
                });
            }
        } else {
            return Err(format!("unexpected field (tag {}) in Clearance", f.number));
        }
    }
    Ok(c)
}

/// The bits of a ClassList BIT STRING (first octet: unused bits).
fn class_list(content: &[u8]) -> Result<BTreeSet<u16>, String> {
    let (&unused, bits) = content.split_first().ok_or("empty ClassList")?;
    if unused > 7 || (bits.is_empty() && unused != 0) || bits.len() > 33 {
        return Err("bad ClassList".into());
    }
    let mut out = BTreeSet::new();
    for (i, b) in bits.iter().enumerate() {
        for j in 0..8u16 {
            if b & (0x80 >> j) != 0 {
                let bit = u16::try_from(i).map_err(|_| "bad ClassList")? * 8 + j;
                if bit <= MAX_CLASSIFICATION {
                    out.insert(bit);
                }
            }
        }
    }
    Ok(out)
}

/// The clearances an X.509 certificate asserts (RFC 5755 §4.4.6 in subjectDirectoryAttributes),
/// empty when it carries none. `Err` when the attribute is present but malformed (callers
/// treat the holder as having no certificate clearance).
pub fn certificate_clearances(cert: &x509_cert::Certificate) -> Result<Vec<Clearance>, String> {
    match cert.tbs_certificate().extensions() {
        Some(exts) => extension_clearances(exts),
        None => Ok(Vec::new()),
    }
}

/// The clearances of the subjectDirectoryAttributes among `exts`.
pub fn extension_clearances(exts: &[x509_cert::ext::Extension]) -> Result<Vec<Clearance>, String> {
    let mut out = Vec::new();
    for ext in exts {
        if ext.extn_id != ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES {
            continue;
        }
        let attrs = Tlv::parse_all(ext.extn_value.as_bytes()).map_err(ber)?;
        for attr in attrs
            .sequence_iter("SubjectDirectoryAttributes")
            .map_err(ber)?
        {
            let parts = attr
                .map_err(ber)?
                .sequence_at_most(3, "Attribute")
                .map_err(ber)?;
            let [ty, values] = parts.as_slice() else {
                return Err("Attribute must have type and values".into());
            };
            let oid = ty.oid("Attribute.type").map_err(ber)?;
            if oid != ID_AT_CLEARANCE && oid != ID_AT_CLEARANCE_RFC3281 {
                continue;
            }
            for v in values.set_iter("Attribute.values").map_err(ber)? {
                if out.len() >= MAX_ENTRIES {
                    return Err("too many clearances".into());
                }
                out.push(clearance_value(&v.map_err(ber)?)?);
            }
        }
    }
    Ok(out)
}

/// The clearances of certificates that validate (RFC 5280, for signing or for encryption) to
/// the trust context, by each e-mail address of the certificate: a clearance attribute is the
/// issuer's assertion, so an untrusted certificate asserts nothing. Certificates whose
/// clearance attribute is malformed are skipped (their holders keep the policy's clearances).
pub fn trusted_certificate_clearances(
    certs: &[x509_cert::Certificate],
    ctx: &crate::trust::TrustContext,
) -> Vec<(String, Vec<Clearance>)> {
    use crate::trust::{Purpose, Validator};
    let validator = Validator::new(ctx, certs);
    let mut out: Vec<(String, Vec<Clearance>)> = Vec::new();
    for cert in certs.iter().take(MAX_ENTRIES) {
        let Ok(cl) = certificate_clearances(cert) else {
            continue;
        };
        if cl.is_empty() {
            continue;
        }
        let trusted = [Purpose::Signing, Purpose::Encryption]
            .into_iter()
            .any(|p| validator.validate(cert, p).trusted);
        if !trusted {
            continue;
        }
        for addr in crate::trust::email_addresses(cert) {
            let addr = addr.to_ascii_lowercase();
            match out.iter_mut().find(|(a, _)| *a == addr) {
                Some((_, v)) => v.extend(cl.iter().cloned()),
                None => out.push((addr, cl.clone())),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::der::{constructed, primitive};

    #[test]
    fn lookup_prefers_address_then_most_specific_domain() {
        let t: BTreeMap<String, u32> = [
            ("navy.example".to_string(), 3),
            ("ship.navy.example".to_string(), 2),
            ("liaison@navy.example".to_string(), 4),
        ]
        .into();
        assert_eq!(lookup(&t, "Liaison@Navy.example").map(|x| *x.0), Some(4));
        assert_eq!(lookup(&t, "x@navy.example").map(|x| *x.0), Some(3));
        assert_eq!(lookup(&t, "x@a.ship.navy.example").map(|x| *x.0), Some(2));
        assert_eq!(lookup(&t, "mx.navy.example").map(|x| *x.0), Some(3));
        assert_eq!(lookup(&t, "x@air.example"), None);
        // A top-level label alone never matches ("example" is not a domain entry).
        assert_eq!(lookup(&t, "x@evilnavy.example"), None);
    }

    fn cat(v: &[u8]) -> Vec<u8> {
        constructed(
            0x30,
            &[
                &primitive(
                    0x80,
                    &[0x60, 0x86, 0x48, 0x01, 0x65, 0x02, 0x01, 0x08, 0x03, 0x01],
                ),
                &constructed(0xa1, &[v]),
            ],
        )
    }

    fn ext_with(attr_oid: &[u8], clearance: &[u8]) -> Vec<x509_cert::ext::Extension> {
        let attr = constructed(
            0x30,
            &[&primitive(0x06, attr_oid), &constructed(0x31, &[clearance])],
        );
        let sda = constructed(0x30, &[&attr]);
        vec![x509_cert::ext::Extension {
            extn_id: ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES,
            critical: false,
            extn_value: der::asn1::OctetString::new(sda).unwrap(),
        }]
    }

    #[test]
    fn reads_certificate_clearance_both_forms() {
        // policyId 1.3.6.1.4.1.55555.1, classList {unclassified, confidential, secret},
        // one category.
        let policy = [0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01];
        let c = constructed(
            0x30,
            &[
                &primitive(0x06, &policy),
                &primitive(0x03, &[0x03, 0x58]),
                &constructed(0x31, &[&cat(&[0x0c, 0x02, b'U', b'K'])]),
            ],
        );
        let got = extension_clearances(&ext_with(ID_AT_CLEARANCE.as_bytes(), &c)).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].policy, "1.3.6.1.4.1.55555.1");
        assert_eq!(got[0].classes, BTreeSet::from([1, 3, 4]));
        assert_eq!(got[0].categories[0].value, "DAJVSw==");
        let mut label = SecurityLabel {
            policy: "1.3.6.1.4.1.55555.1".into(),
            classification: Some(4),
            privacy_mark: None,
            categories: got[0].categories.clone(),
        };
        assert!(got[0].admits(&label).is_ok());
        label.classification = Some(5);
        assert!(got[0].admits(&label).is_err());
        label.classification = Some(2);
        assert!(
            got[0].admits(&label).is_err(),
            "restricted is not in the list"
        );

        // RFC 3281 form: tagged fields, old OID, classList absent = {unclassified}.
        let old = constructed(0x30, &[&primitive(0x80, &policy)]);
        let got = extension_clearances(&ext_with(&[0x55, 0x01, 0x05, 0x37], &old)).unwrap();
        assert_eq!(got[0].classes, BTreeSet::from([1]));

        // Malformed: a clearance without policyId.
        assert!(extension_clearances(&ext_with(
            ID_AT_CLEARANCE.as_bytes(),
            &constructed(0x30, &[])
        ))
        .is_err());
        // Another attribute only: nothing.
        assert!(
            extension_clearances(&ext_with(&[0x55, 0x04, 0x03], &primitive(0x0c, b"x")))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn specs_expand() {
        let s: ClearanceSpec = serde_json::from_str("3").unwrap();
        assert_eq!(s.in_policy("1.2").classes, BTreeSet::from([0, 1, 2, 3]));
        let s: ClearanceSpec =
            serde_json::from_str(r#"{"classList":[1,4],"maxClassification":2}"#).unwrap();
        assert_eq!(s.in_policy("1.2").classes, BTreeSet::from([0, 1, 2, 4]));
        assert_eq!(s.max_classification(), Some(4));
        let mut bad: ClearanceSpec = serde_json::from_str("300").unwrap();
        assert!(bad.normalize().is_err());
    }
}
