//! Equivalent labels (RFC 2634 §3.6, §5.4): a label of policy P stands for a label of policy
//! Q when the two policies agree on it. A policy file lists, for another policy, which of
//! their classifications and categories are which of ours ([`super::policy::Equivalence`]).
//! Mapping works both ways, in one step and never through a chain of policies:
//!
//! - **forward**: Q's file has an equivalence from P — each of the label's values is looked up
//!   on the `theirs` side;
//! - **backward**: P's file has an equivalence from Q — each value is looked up on the `ours`
//!   side; when several of Q's values map to the same one of P's, the highest classification
//!   is taken (the most restrictive reading of an ambiguous policy).
//!
//! A label whose classification or any category has no pair has no equivalent (fail closed:
//! a category dropped in translation would widen access). Work is bounded by the policies'
//! sizes (`policy::MAX_ENTRIES`).

use super::policy::{canonical_category, PolicySet};
use crate::report::{SecurityCategory, SecurityLabel};

/// `label` (of its own policy) in policy `to`, if the policies of the set map it. The same
/// label when `to` is its policy.
pub(crate) fn map_label(set: &PolicySet, label: &SecurityLabel, to: &str) -> Option<SecurityLabel> {
    if label.policy == to {
        return Some(label.clone());
    }
    if let Some(e) = set.get(to).and_then(|q| q.equivalence_from(&label.policy)) {
        let class = match label.classification {
            None => None,
            Some(c) => Some(
                e.classifications
                    .iter()
                    .find(|p| u32::from(p.theirs) == c)
                    .map(|p| u32::from(p.ours))?,
            ),
        };
        let cats = map_categories(&label.categories, |c| {
            e.categories
                .iter()
                .find(|p| p.theirs == *c)
                .map(|p| p.ours.clone())
        })?;
        return Some(mapped(to, class, cats, label));
    }
    if let Some(e) = set.get(&label.policy).and_then(|p| p.equivalence_from(to)) {
        let class = match label.classification {
            None => None,
            Some(c) => Some(
                e.classifications
                    .iter()
                    .filter(|p| u32::from(p.ours) == c)
                    .map(|p| u32::from(p.theirs))
                    .max()?,
            ),
        };
        let cats = map_categories(&label.categories, |c| {
            e.categories
                .iter()
                .find(|p| p.ours == *c)
                .map(|p| p.theirs.clone())
        })?;
        return Some(mapped(to, class, cats, label));
    }
    None
}

fn map_categories(
    cats: &[SecurityCategory],
    f: impl Fn(&SecurityCategory) -> Option<SecurityCategory>,
) -> Option<Vec<SecurityCategory>> {
    cats.iter()
        .map(|c| canonical_category(c).ok().and_then(|c| f(&c)))
        .collect()
}

fn mapped(
    to: &str,
    classification: Option<u32>,
    categories: Vec<SecurityCategory>,
    from: &SecurityLabel,
) -> SecurityLabel {
    SecurityLabel {
        policy: to.to_string(),
        classification,
        // RFC 2634 §3.2: the privacy mark is not used for access control; it travels along.
        privacy_mark: from.privacy_mark.clone(),
        categories,
    }
}

/// Every equivalent of `label` in the other policies of the set (RFC 2634 §3.4
/// EquivalentLabels), in the set's order.
pub fn equivalent_labels(set: &PolicySet, label: &SecurityLabel) -> Vec<SecurityLabel> {
    set.policies
        .iter()
        .filter(|p| p.policy != label.policy)
        .filter_map(|p| map_label(set, label, &p.policy))
        .collect()
}

/// Whether some policy of the set is the label's, or maps it (forward or backward).
pub(crate) fn policy_known(set: &PolicySet, policy: &str) -> bool {
    set.get(policy).is_some()
        || set
            .policies
            .iter()
            .any(|p| p.equivalence_from(policy).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label_policy::SecurityPolicy;

    pub(crate) fn set() -> PolicySet {
        let army = SecurityPolicy::from_json(
            r#"{"policy":"1.3.6.1.4.1.55555.1","local":true,
                "classifications":[{"value":1,"name":"u","marking":"ARMY UNCLASSIFIED"},
                                   {"value":3,"name":"c","marking":"ARMY CONFIDENTIAL"},
                                   {"value":4,"name":"s","marking":"ARMY SECRET"}],
                "categories":[{"type":"1.2.3","value":"DAJVSw==","marking":"REL UK"}],
                "equivalences":[{"policy":"1.3.6.1.4.1.55555.2",
                   "classifications":[{"theirs":10,"ours":1},{"theirs":30,"ours":3},{"theirs":35,"ours":3}],
                   "categories":[{"theirs":{"type":"2.9","value":"AQE="},"ours":{"type":"1.2.3","value":"DAJVSw=="}}]}]}"#,
        )
        .unwrap();
        let navy = SecurityPolicy::from_json(
            r#"{"policy":"1.3.6.1.4.1.55555.2",
                "classifications":[{"value":10,"name":"u","marking":"NAVY UNCLASSIFIED"},
                                   {"value":30,"name":"c","marking":"NAVY CONFIDENTIAL"},
                                   {"value":35,"name":"c+","marking":"NAVY CONFIDENTIAL PLUS"},
                                   {"value":40,"name":"s","marking":"NAVY SECRET"}]}"#,
        )
        .unwrap();
        PolicySet::new(vec![army, navy]).unwrap()
    }

    fn label(policy: &str, c: u32, cats: &[(&str, &str)]) -> SecurityLabel {
        SecurityLabel {
            policy: policy.into(),
            classification: Some(c),
            privacy_mark: None,
            categories: cats
                .iter()
                .map(|(k, v)| SecurityCategory {
                    kind: (*k).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn maps_both_ways_and_fails_closed() {
        let s = set();
        const A: &str = "1.3.6.1.4.1.55555.1";
        const N: &str = "1.3.6.1.4.1.55555.2";
        // Forward (army's file maps navy's values).
        let m = map_label(&s, &label(N, 30, &[("2.9", "AQE=")]), A).unwrap();
        assert_eq!(m, label(A, 3, &[("1.2.3", "DAJVSw==")]));
        // Backward: army 3 is navy 30 or 35: the higher.
        let b = map_label(&s, &label(A, 3, &[]), N).unwrap();
        assert_eq!(b.classification, Some(35));
        // Unmapped classification or category: no equivalent.
        assert!(map_label(&s, &label(N, 40, &[]), A).is_none());
        assert!(map_label(&s, &label(N, 30, &[("2.9", "AQI=")]), A).is_none());
        assert!(map_label(&s, &label(A, 4, &[]), N).is_none());
        // Unknown policy: nothing maps it.
        assert!(map_label(&s, &label("1.9", 1, &[]), A).is_none());
        assert!(!policy_known(&s, "1.9"));
        assert!(policy_known(&s, N));
        assert_eq!(
            equivalent_labels(&s, &label(A, 1, &[])),
            vec![label(N, 10, &[])]
        );
    }
}
