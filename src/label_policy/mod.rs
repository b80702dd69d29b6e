//! Label-based access control: security policies, clearances and the access-control decision
//! (draft-melnikov-mmhs-profile-09 §4.1.1 "Access Control", §4.2.5, §7.1 items 4–5;
//! RFC 2634 §3; RFC 5755 §4.4.6; RFC 7444).
//!
//! > An MMHS providing the access control service MUST perform access control decisions based
//! > on comparing the sensitivity information conveyed in a security label with a user's
//! > authorizations. (profile §4.1.1)
//!
//! - [`policy`]: one **security policy** per security-policy-identifier OID (RFC 2634 §3.2):
//!   its classifications and categories with display markings and colours, its equivalences
//!   to other policies (RFC 2634 §3.6 EquivalentLabels: mapping their classifications and
//!   categories to ours), its default label for unlabelled military messages, and its
//!   clearances per user address and per remote domain / next hop. A [`PolicySet`] is the
//!   set of policies an agent knows (a directory of JSON files, `docs/security.md`).
//! - [`clearance`]: a clearance (RFC 5755 §4.4.6: policy, class list, categories), how an
//!   address or a next hop finds its clearance, and the clearance attribute of an X.509
//!   certificate (subjectDirectoryAttributes, id-at-clearance 2.5.4.55).
//! - [`equivalence`]: mapping a label from one policy into another, both ways, one step.
//! - [`decision`]: the pure decision — signed ESS label vs header SIO-Label, unlabelled
//!   military messages, each recipient's and each next hop's clearance — with stable codes.
//!
//! Pure: the caller reads the files and the certificates; nothing here touches the disk.

pub mod clearance;
pub mod decision;
pub(crate) mod equivalence;
pub mod policy;

pub use clearance::{
    certificate_clearances, extension_clearances, trusted_certificate_clearances, Clearance,
    ClearanceSpec,
};
pub use decision::{
    decide, default_label_fields, receivable_classifications, HeaderLabel, LabelAction,
    LabelDecision, LabelInput, LabelSource, ReceivableClass, RecipientDecision, RecipientRef,
    Unlabelled,
};
pub use equivalence::equivalent_labels;
pub use policy::{PolicyError, PolicySet, SecurityPolicy};

/// The decision's problem codes (in `report::codes`, documented in `docs/report.md`).
pub mod codes {
    /// A military message carries no security label and the policy refuses unlabelled ones
    /// (or has no default label).
    pub const LABEL_MISSING: &str = "label-missing";
    /// The label names a classification or category its policy does not define, or a
    /// SIO-Label marking no policy defines.
    pub const LABEL_UNDEFINED: &str = "label-undefined";
    /// The label's security policy is neither known nor mapped by an equivalence (RFC 2634
    /// §3.1.1: an unknown policy stops processing).
    pub const LABEL_POLICY_UNKNOWN: &str = "label-policy-unknown";
    /// A recipient or next hop is not cleared for the label (nor for an equivalent of it).
    pub const LABEL_NOT_CLEARED: &str = "label-not-cleared";
    /// A recipient or next hop has no clearance at all.
    pub const LABEL_NO_CLEARANCE: &str = "label-no-clearance";
    /// The header SIO-Label and the signed ESS label disagree (profile §4.2.5); the same code
    /// the verification report uses.
    pub const SIO_LABEL_MISMATCH: &str = crate::report::codes::label::SIO_LABEL_MISMATCH;
    /// The SIO-Label cannot be read (RFC 7444 §4); the same code as the report's.
    pub const SIO_LABEL_INVALID: &str = crate::report::codes::label::SIO_LABEL_INVALID;
}

/// The JSON requests of the wasm exports `labelCheck`, `labelReceivable` and
/// `labelEquivalents` (the CLI's `mmhs label …` reads a directory instead of `policies`).
pub mod request {
    use serde::{Deserialize, Serialize};

    use super::{
        decide, equivalent_labels, receivable_classifications, LabelDecision, LabelInput,
        PolicyError, PolicySet, ReceivableClass, RecipientRef,
    };
    use crate::report::{SecurityLabel, VerifyReport};

    fn set_of(texts: &[String]) -> Result<PolicySet, PolicyError> {
        PolicySet::from_json_texts(texts.iter().map(|t| ("policy", t.as_str())))
    }

    /// `labelCheck`: the decision for a message, from its verification report (the wasm
    /// `verify` result) or from an explicit input.
    #[derive(Debug, Clone, Default, Deserialize, Serialize)]
    #[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
    #[serde(rename_all = "camelCase", deny_unknown_fields, default)]
    pub struct CheckRequest {
        /// The policy files' texts.
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub policies: Vec<String>,
        /// The message's verification report: its labels and military flag.
        #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
        pub report: Option<VerifyReport>,
        /// The rest of the input (recipients, clearances, unlabelled mode); its labels are
        /// replaced by the report's when a report is given.
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub input: LabelInput,
    }

    /// Run a [`CheckRequest`].
    pub fn check(req: &CheckRequest) -> Result<LabelDecision, PolicyError> {
        let set = set_of(&req.policies)?;
        let mut input = req.input.clone();
        if let Some(r) = &req.report {
            let from = LabelInput::from_report(r);
            input.signed = from.signed;
            input.header = from.header;
            input.military |= from.military;
        }
        Ok(decide(&set, &input))
    }

    /// `labelReceivable`: the classifications the recipients may receive.
    #[derive(Debug, Clone, Default, Deserialize, Serialize)]
    #[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
    #[serde(rename_all = "camelCase", deny_unknown_fields, default)]
    pub struct ReceivableRequest {
        /// The policy files' texts.
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub policies: Vec<String>,
        /// The recipients (addresses).
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub recipients: Vec<String>,
        /// The policy listed; default the local one.
        #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
        pub policy: Option<String>,
    }

    /// Run a [`ReceivableRequest`].
    pub fn receivable(req: &ReceivableRequest) -> Result<Vec<ReceivableClass>, PolicyError> {
        let set = set_of(&req.policies)?;
        let rcpts: Vec<RecipientRef> = req
            .recipients
            .iter()
            .map(|a| RecipientRef {
                address: a.clone(),
                next_hop: None,
            })
            .collect();
        Ok(receivable_classifications(
            &set,
            req.policy.as_deref(),
            &rcpts,
            &[],
        ))
    }

    /// `labelEquivalents`: a label's equivalents, with display markings.
    #[derive(Debug, Clone, Default, Deserialize, Serialize)]
    #[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
    #[serde(rename_all = "camelCase", deny_unknown_fields, default)]
    pub struct EquivalentsRequest {
        /// The policy files' texts.
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub policies: Vec<String>,
        /// The label.
        pub label: SecurityLabel,
    }

    /// One equivalent label and its display marking in its policy.
    #[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
    #[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
    #[serde(rename_all = "camelCase")]
    pub struct Equivalent {
        /// The label.
        pub label: SecurityLabel,
        /// Its marking, when its policy defines one.
        pub marking: Option<String>,
    }

    /// Run an [`EquivalentsRequest`].
    pub fn equivalents(req: &EquivalentsRequest) -> Result<Vec<Equivalent>, PolicyError> {
        Ok(equivalents_in(&set_of(&req.policies)?, &req.label))
    }

    /// The equivalents of `label` in the set, each with its marking.
    pub fn equivalents_in(set: &PolicySet, label: &SecurityLabel) -> Vec<Equivalent> {
        equivalent_labels(set, label)
            .into_iter()
            .map(|l| Equivalent {
                marking: set.get(&l.policy).and_then(|p| p.marking(&l)),
                label: l,
            })
            .collect()
    }
}
