//! The security policy file (one per security-policy-identifier, RFC 2634 §3.2) and the set
//! of policies an agent knows. Format (JSON, camelCase; `docs/security.md`):
//!
//! ```json
//! {
//!   "policy": "1.3.6.1.4.1.55555.1",
//!   "name": "ARMY",
//!   "local": true,
//!   "classifications": [
//!     { "value": 1, "name": "unclassified", "marking": "ARMY UNCLASSIFIED", "bgcolor": "green" },
//!     { "value": 4, "name": "secret", "marking": "ARMY SECRET", "fgcolor": "white", "bgcolor": "red" }
//!   ],
//!   "categories": [
//!     { "type": "2.16.840.1.101.2.1.8.3.1", "value": "DAJVSw==", "marking": "REL UK" }
//!   ],
//!   "defaultLabel": { "classification": 1 },
//!   "equivalences": [
//!     { "policy": "1.3.6.1.4.1.55555.2",
//!       "classifications": [{ "theirs": 3, "ours": 4 }],
//!       "categories": [] }
//!   ],
//!   "clearances": {
//!     "alice@army.example": { "maxClassification": 5 },
//!     "navy.example": { "classList": [1, 2, 3] }
//!   },
//!   "defaultClearance": { "maxClassification": 1 }
//! }
//! ```
//!
//! Category values are the DER of the `value [1]` contents, base64 (as in
//! [`crate::report::SecurityCategory`]). Limits keep every decision bounded: at most
//! [`MAX_POLICIES`] policies, [`MAX_ENTRIES`] classifications, categories, equivalences and
//! clearances per policy, and [`MAX_ENTRIES`] mapping pairs per equivalence.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::clearance::ClearanceSpec;
use crate::ess::MAX_CLASSIFICATION;
use crate::report::{SecurityCategory, SecurityLabel};

/// Most policies in a [`PolicySet`].
pub(crate) const MAX_POLICIES: usize = 64;
/// Most entries of each list of a policy (and pairs of an equivalence).
pub(crate) const MAX_ENTRIES: usize = 4096;
/// Largest policy file read.
pub(crate) const MAX_POLICY_BYTES: usize = 4 * 1024 * 1024;

/// The error code of a policy file that cannot be used (CLI, wasm).
pub(crate) const POLICY_INVALID: &str = "label-policy-invalid";

/// A policy that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

impl crate::coded::Coded for PolicyError {
    fn code(&self) -> &'static str {
        POLICY_INVALID
    }
}

fn bad(why: impl Into<String>) -> PolicyError {
    PolicyError(why.into())
}

/// One classification the policy defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Classification {
    /// The security-classification value (0..=256; 0–5 keep their X.411 meaning, RFC 2634
    /// §3.2).
    pub value: u16,
    /// Short name (`secret`).
    pub name: String,
    /// Display marking (RFC 7444 `marking`).
    pub marking: String,
    /// Foreground colour (RFC 7444 `color`: `#rrggbb` or a named colour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fgcolor: Option<String>,
    /// Background colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgcolor: Option<String>,
}

/// One category the policy defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryDef {
    /// The category type OID.
    #[serde(rename = "type")]
    pub kind: String,
    /// The DER of the value, base64.
    pub value: String,
    /// Display marking (`REL UK`).
    pub marking: String,
}

impl CategoryDef {
    /// The category as a label carries it.
    pub fn category(&self) -> SecurityCategory {
        SecurityCategory {
            kind: self.kind.clone(),
            value: self.value.clone(),
        }
    }
}

/// A classification pair of an equivalence: `theirs` in the other policy is `ours` here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassPair {
    /// The other policy's classification.
    pub theirs: u16,
    /// Ours.
    pub ours: u16,
}

/// A category pair of an equivalence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPair {
    /// The other policy's category.
    pub theirs: SecurityCategory,
    /// Ours.
    pub ours: SecurityCategory,
}

/// How labels of another policy map onto this one (RFC 2634 §3.6: the policies agree that
/// these labels are equivalent). Labels whose classification or any category has no pair
/// have no equivalent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Equivalence {
    /// The other policy's OID.
    pub policy: String,
    /// Classification pairs.
    #[serde(default)]
    pub classifications: Vec<ClassPair>,
    /// Category pairs.
    #[serde(default)]
    pub categories: Vec<CategoryPair>,
}

/// The default label of unlabelled military messages (policy and privacy mark implied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultLabel {
    /// Classification.
    pub classification: u16,
    /// Categories.
    #[serde(default)]
    pub categories: Vec<SecurityCategory>,
}

/// One security policy (module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityPolicy {
    /// security-policy-identifier, dotted OID.
    pub policy: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Whether this is the agent's own policy (its default label applies to unlabelled
    /// messages). At most one per set; a set of one policy is local.
    #[serde(default)]
    pub local: bool,
    /// Classifications.
    pub classifications: Vec<Classification>,
    /// Categories.
    #[serde(default)]
    pub categories: Vec<CategoryDef>,
    /// Default label of unlabelled military messages; `None`: they are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_label: Option<DefaultLabel>,
    /// Equivalences from other policies.
    #[serde(default)]
    pub equivalences: Vec<Equivalence>,
    /// Clearances per address or domain (`alice@army.example`, `navy.example`).
    #[serde(default)]
    pub clearances: BTreeMap<String, ClearanceSpec>,
    /// Clearance of addresses and hops without an entry; `None`: they are not cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_clearance: Option<ClearanceSpec>,
}

fn check_oid(s: &str, what: &str) -> Result<(), PolicyError> {
    const_oid::ObjectIdentifier::new(s)
        .map(|_| ())
        .map_err(|e| bad(format!("{what} {s:?} is not an OID: {e}")))
}

/// A category with its value re-encoded canonically (so base64 spelling never decides).
pub(crate) fn canonical_category(c: &SecurityCategory) -> Result<SecurityCategory, PolicyError> {
    check_oid(&c.kind, "category type")?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let compact: String = c.value.chars().filter(|ch| !ch.is_whitespace()).collect();
    let bytes = b64
        .decode(compact)
        .map_err(|e| bad(format!("category {} value is not base64: {e}", c.kind)))?;
    Ok(SecurityCategory {
        kind: c.kind.clone(),
        value: b64.encode(bytes),
    })
}

fn limit<T>(v: &[T], what: &str) -> Result<(), PolicyError> {
    if v.len() > MAX_ENTRIES {
        return Err(bad(format!("more than {MAX_ENTRIES} {what}")));
    }
    Ok(())
}

fn check_class(c: u16) -> Result<(), PolicyError> {
    if c > MAX_CLASSIFICATION {
        return Err(bad(format!("classification {c} out of range (0..=256)")));
    }
    Ok(())
}

impl SecurityPolicy {
    /// Parse and check a policy file.
    pub fn from_json(text: &str) -> Result<SecurityPolicy, PolicyError> {
        if text.len() > MAX_POLICY_BYTES {
            return Err(bad("policy file too large"));
        }
        let mut p: SecurityPolicy =
            serde_json::from_str(text).map_err(|e| bad(format!("not a security policy: {e}")))?;
        p.normalize()?;
        Ok(p)
    }

    /// Check limits, OIDs and values; re-encode category values canonically; lower-case
    /// clearance keys.
    pub fn normalize(&mut self) -> Result<(), PolicyError> {
        check_oid(&self.policy, "policy")?;
        limit(&self.classifications, "classifications")?;
        limit(&self.categories, "categories")?;
        limit(&self.equivalences, "equivalences")?;
        if self.clearances.len() > MAX_ENTRIES {
            return Err(bad(format!("more than {MAX_ENTRIES} clearances")));
        }
        let mut seen = BTreeSet::new();
        for c in &self.classifications {
            check_class(c.value)?;
            if !seen.insert(c.value) {
                return Err(bad(format!("classification {} defined twice", c.value)));
            }
        }
        for c in &mut self.categories {
            let canon = canonical_category(&c.category())?;
            c.value = canon.value;
        }
        for e in &mut self.equivalences {
            check_oid(&e.policy, "equivalence policy")?;
            if e.policy == self.policy {
                return Err(bad("an equivalence maps the policy onto itself"));
            }
            limit(&e.classifications, "classification pairs")?;
            limit(&e.categories, "category pairs")?;
            for pair in &e.classifications {
                check_class(pair.theirs)?;
                if !seen.contains(&pair.ours) {
                    return Err(bad(format!(
                        "equivalence from {} maps to classification {}, which the policy does not define",
                        e.policy, pair.ours
                    )));
                }
            }
            for pair in &mut e.categories {
                pair.theirs = canonical_category(&pair.theirs)?;
                pair.ours = canonical_category(&pair.ours)?;
            }
        }
        if let Some(d) = &mut self.default_label {
            for c in &mut d.categories {
                *c = canonical_category(c)?;
            }
        }
        if let Some(d) = &self.default_label {
            let l = self.default_label_of(d);
            self.check_label(&l)?;
        }
        let mut keyed = BTreeMap::new();
        for (k, mut v) in std::mem::take(&mut self.clearances) {
            v.normalize()?;
            keyed.insert(k.trim().to_ascii_lowercase(), v);
        }
        self.clearances = keyed;
        if let Some(d) = &mut self.default_clearance {
            d.normalize()?;
        }
        Ok(())
    }

    fn default_label_of(&self, d: &DefaultLabel) -> SecurityLabel {
        SecurityLabel {
            policy: self.policy.clone(),
            classification: Some(u32::from(d.classification)),
            privacy_mark: None,
            categories: d.categories.clone(),
        }
    }

    /// The default label of unlabelled military messages, if the policy gives one.
    pub fn default_label(&self) -> Option<SecurityLabel> {
        self.default_label
            .as_ref()
            .map(|d| self.default_label_of(d))
    }

    /// The classification entry of `value`.
    pub fn classification(&self, value: u16) -> Option<&Classification> {
        self.classifications.iter().find(|c| c.value == value)
    }

    /// The category entry of `c` (type and value).
    pub fn category(&self, c: &SecurityCategory) -> Option<&CategoryDef> {
        let c = canonical_category(c).ok()?;
        self.categories
            .iter()
            .find(|d| d.kind == c.kind && d.value == c.value)
    }

    /// Whether `label` (of this policy) uses only classifications and categories the policy
    /// defines.
    pub fn check_label(&self, label: &SecurityLabel) -> Result<(), PolicyError> {
        if let Some(c) = label.classification {
            let known = u16::try_from(c).ok().and_then(|c| self.classification(c));
            if known.is_none() {
                return Err(bad(format!(
                    "policy {} defines no classification {c}",
                    self.policy
                )));
            }
        }
        for c in &label.categories {
            if self.category(c).is_none() {
                return Err(bad(format!(
                    "policy {} defines no category {} = {}",
                    self.policy, c.kind, c.value
                )));
            }
        }
        Ok(())
    }

    /// The display marking of a label of this policy: the classification's marking followed
    /// by the categories' markings.
    pub fn marking(&self, label: &SecurityLabel) -> Option<String> {
        let class = label
            .classification
            .and_then(|c| u16::try_from(c).ok())
            .and_then(|c| self.classification(c))?;
        let mut m = class.marking.clone();
        for c in &label.categories {
            if let Some(d) = self.category(c) {
                m.push(' ');
                m.push_str(&d.marking);
            }
        }
        Some(m)
    }

    /// The equivalence entry for labels of `other`.
    pub fn equivalence_from(&self, other: &str) -> Option<&Equivalence> {
        self.equivalences.iter().find(|e| e.policy == other)
    }
}

/// The policies an agent knows, by OID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySet {
    /// The policies.
    pub policies: Vec<SecurityPolicy>,
}

impl PolicySet {
    /// A set of checked policies: OIDs unique, at most one `local`, limits.
    pub fn new(mut policies: Vec<SecurityPolicy>) -> Result<PolicySet, PolicyError> {
        if policies.len() > MAX_POLICIES {
            return Err(bad(format!("more than {MAX_POLICIES} security policies")));
        }
        let mut oids = BTreeSet::new();
        for p in &mut policies {
            p.normalize()?;
            if !oids.insert(p.policy.clone()) {
                return Err(bad(format!("policy {} defined twice", p.policy)));
            }
        }
        if policies.iter().filter(|p| p.local).count() > 1 {
            return Err(bad("more than one policy is marked local"));
        }
        Ok(PolicySet { policies })
    }

    /// Parse a set from the texts of its files (`(name, text)`, name for messages only).
    pub fn from_json_texts<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<PolicySet, PolicyError> {
        let mut v = Vec::new();
        for (name, text) in files {
            v.push(SecurityPolicy::from_json(text).map_err(|e| bad(format!("{name}: {e}")))?);
            if v.len() > MAX_POLICIES {
                return Err(bad(format!("more than {MAX_POLICIES} security policies")));
            }
        }
        PolicySet::new(v)
    }

    /// The policy of `oid`.
    pub fn get(&self, oid: &str) -> Option<&SecurityPolicy> {
        self.policies.iter().find(|p| p.policy == oid)
    }

    /// The agent's own policy: the one marked `local`, else the only one.
    pub fn local(&self) -> Option<&SecurityPolicy> {
        self.policies
            .iter()
            .find(|p| p.local)
            .or(match self.policies.as_slice() {
                [only] => Some(only),
                _ => None,
            })
    }

    /// Whether no policy is loaded (enforcement off).
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const ARMY: &str = r#"{
      "policy": "1.3.6.1.4.1.55555.1", "name": "ARMY", "local": true,
      "classifications": [
        {"value": 1, "name": "unclassified", "marking": "ARMY UNCLASSIFIED", "bgcolor": "green"},
        {"value": 3, "name": "confidential", "marking": "ARMY CONFIDENTIAL", "bgcolor": "blue"},
        {"value": 4, "name": "secret", "marking": "ARMY SECRET", "bgcolor": "red"}
      ],
      "categories": [{"type": "2.16.840.1.101.2.1.8.3.1", "value": "DAJV Sw==", "marking": "REL UK"}],
      "defaultLabel": {"classification": 1},
      "clearances": {"Alice@Army.example": {"maxClassification": 5}}
    }"#;

    #[test]
    fn parses_normalizes_and_checks_labels() {
        let p = SecurityPolicy::from_json(ARMY).unwrap();
        assert_eq!(p.categories[0].value, "DAJVSw==");
        assert!(p.clearances.contains_key("alice@army.example"));
        let mut l = p.default_label().unwrap();
        assert_eq!(p.marking(&l).as_deref(), Some("ARMY UNCLASSIFIED"));
        l.classification = Some(2);
        assert!(p.check_label(&l).is_err());
        l.classification = Some(4);
        l.categories.push(SecurityCategory {
            kind: "2.16.840.1.101.2.1.8.3.1".into(),
            value: "DAJVSw==".into(),
        });
        assert_eq!(p.marking(&l).as_deref(), Some("ARMY SECRET REL UK"));
        l.categories[0].value = "DAJVUw==".into();
        assert!(p.check_label(&l).is_err(), "undefined category");
    }

    #[test]
    fn refuses_bad_policies() {
        for (bad, why) in [
            (r#"{"policy":"x","classifications":[]}"#, "not an OID"),
            (
                r#"{"policy":"1.2","classifications":[{"value":300,"name":"x","marking":"X"}]}"#,
                "out of range",
            ),
            (
                r#"{"policy":"1.2","classifications":[{"value":1,"name":"x","marking":"X"},{"value":1,"name":"y","marking":"Y"}]}"#,
                "twice",
            ),
            (
                r#"{"policy":"1.2","classifications":[{"value":1,"name":"x","marking":"X"}],"equivalences":[{"policy":"1.3","classifications":[{"theirs":1,"ours":2}]}]}"#,
                "does not define",
            ),
            (
                r#"{"policy":"1.2","classifications":[{"value":1,"name":"x","marking":"X"}],"defaultLabel":{"classification":4}}"#,
                "no classification 4",
            ),
            (
                r#"{"policy":"1.2","classifications":[{"value":1,"name":"x","marking":"X"}],"equivalences":[{"policy":"1.2"}]}"#,
                "itself",
            ),
        ] {
            let e = SecurityPolicy::from_json(bad).unwrap_err();
            assert!(e.0.contains(why), "{bad}: {e}");
        }
        let p = SecurityPolicy::from_json(ARMY).unwrap();
        let mut q = p.clone();
        assert!(
            PolicySet::new(vec![p.clone(), q.clone()]).is_err(),
            "same OID twice"
        );
        q.policy = "1.3.6.1.4.1.55555.2".into();
        assert!(
            PolicySet::new(vec![p.clone(), q.clone()]).is_err(),
            "two local"
        );
        q.local = false;
        let set = PolicySet::new(vec![p, q]).unwrap();
        assert_eq!(set.local().unwrap().policy, "1.3.6.1.4.1.55555.1");
    }
}
