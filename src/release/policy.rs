//! The release policy: who must have messages authorised, by which officers in which order,
//! how an authorisation is protected, and the automated review checks (seed §3 step 3).
//!
//! JSON (camelCase), every field optional:
//! ```json
//! {
//!   "form": "countersignature",
//!   "countersign": true,
//!   "officers": ["officer@army.example"],
//!   "requireRelease": ["*@army.example"],
//!   "exempt": ["duty-officer@army.example"],
//!   "releaseQueue": "release-queue@army.example",
//!   "keywords": [{ "pattern": "OPERATION [A-Z]+", "regex": true, "severity": "warn" }],
//!   "clearances": { "navy.example": 3, "liaison@navy.example": 4 },
//!   "defaultClearance": 1,
//!   "requiredFields": ["primaryPrecedence", "securityLabel", "messageType"]
//! }
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How an authorisation is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AuthorizationForm {
    /// draft-melnikov-mmhs-authorizing-users-00: an RFC 5652 §11.4 countersignature on the
    /// originator's SignerInfo (the default).
    #[default]
    Countersignature,
    /// RFC 7912: an encapsulating S/MIME signature with the RFC 3183 id-sti-reviewSig type.
    ReviewSignature,
}

/// How serious a review finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// Shown to the officer; does not stop release.
    Info,
    /// Shown prominently; the officer decides.
    #[default]
    Warn,
    /// Release is refused while this finding stands.
    Block,
}

/// One keyword or regular-expression check over the subject and text body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeywordRule {
    /// The keyword (case-insensitive substring) or the regular expression (`regex: true`,
    /// Rust `regex` syntax, case-insensitive).
    pub pattern: String,
    /// Whether `pattern` is a regular expression.
    #[serde(default)]
    pub regex: bool,
    /// Severity of a match.
    #[serde(default)]
    pub severity: Severity,
}

/// The release policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ReleasePolicy {
    /// How authorisations are protected.
    pub form: AuthorizationForm,
    /// Whether the officer countersigns (or adds a review signature); `false` only adds the
    /// address (seed step 3: countersigning is optional).
    pub countersign: bool,
    /// The officers whose authorisation is required, in order. Empty: any one officer.
    pub officers: Vec<String>,
    /// Drafters whose messages need release: addresses or `*@domain` patterns. Empty: every
    /// military message needs release.
    pub require_release: Vec<String>,
    /// Drafters exempt from release (e.g. the officers themselves).
    pub exempt: Vec<String>,
    /// Mailbox of the release queue, when officers share one.
    pub release_queue: Option<String>,
    /// Keyword / regex checks.
    pub keywords: Vec<KeywordRule>,
    /// Highest classification each recipient (address) or domain may receive.
    pub clearances: BTreeMap<String, u32>,
    /// Clearance of recipients not in `clearances`; `None`: unknown recipients are flagged.
    pub default_clearance: Option<u32>,
    /// Fields a message must carry: `primaryPrecedence`, `copyPrecedence`, `securityLabel`,
    /// `messageType`, `subject`, `expires`.
    pub required_fields: Vec<String>,
}

impl Default for ReleasePolicy {
    fn default() -> Self {
        ReleasePolicy {
            form: AuthorizationForm::Countersignature,
            countersign: true,
            officers: Vec::new(),
            require_release: Vec::new(),
            exempt: Vec::new(),
            release_queue: None,
            keywords: Vec::new(),
            clearances: BTreeMap::new(),
            default_clearance: None,
            required_fields: vec!["primaryPrecedence".into()],
        }
    }
}

/// Does `addr` match a pattern: an address (case-insensitive) or `*@domain` / `@domain`
/// (the domain or any subdomain).
pub(crate) fn address_matches_pattern(addr: &str, pattern: &str) -> bool {
    let a = addr.trim().to_ascii_lowercase();
    let p = pattern.trim().to_ascii_lowercase();
    if let Some(dom) = p.strip_prefix("*@").or_else(|| p.strip_prefix('@')) {
        let Some((_, ad)) = a.rsplit_once('@') else {
            return false;
        };
        ad == dom || ad.ends_with(&format!(".{dom}"))
    } else {
        a == p
    }
}

impl ReleasePolicy {
    /// Whether messages drafted by `drafter` need release.
    pub fn needs_release(&self, drafter: &str) -> bool {
        if self
            .exempt
            .iter()
            .any(|p| address_matches_pattern(drafter, p))
        {
            return false;
        }
        self.require_release.is_empty()
            || self
                .require_release
                .iter()
                .any(|p| address_matches_pattern(drafter, p))
    }

    /// Whether `addr` is one of the policy's officers (any address when none are listed).
    pub fn is_officer(&self, addr: &str) -> bool {
        self.officers.is_empty()
            || self
                .officers
                .iter()
                .any(|o| address_matches_pattern(addr, o))
    }

    /// Whether `addr` speaks for the domain this policy governs: a drafter whose messages need
    /// release, an exempt drafter or a named officer. An unauthenticated submission claiming
    /// such an address cannot be told from a forgery (docs/release.md, the submission gate).
    pub fn governs(&self, addr: &str) -> bool {
        self.needs_release(addr)
            || self
                .exempt
                .iter()
                .chain(self.officers.iter())
                .any(|p| address_matches_pattern(addr, p))
    }

    /// Whether `addr` is where drafts go for release: a named officer or the release-queue
    /// mailbox (not "anybody" when the policy names no officer).
    pub fn is_release_destination(&self, addr: &str) -> bool {
        self.officers
            .iter()
            .chain(self.release_queue.iter())
            .any(|p| address_matches_pattern(addr, p))
    }

    /// The clearance of a recipient: its own entry, else its domain's (most specific parent
    /// domain first), else the default — the lookup of the security policy's clearances
    /// ([`crate::label_policy::clearance::lookup`]). A numeric clearance `n` is the security
    /// policy's `{ "maxClassification": n }` in whatever policy the message's label names;
    /// labels, categories and equivalences are enforced by the security policy
    /// (docs/security.md), this check only informs the officer.
    pub fn clearance_of(&self, rcpt: &str) -> Option<u32> {
        crate::label_policy::clearance::lookup(&self.clearances, rcpt)
            .map(|(v, _)| *v)
            .or(self.default_clearance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_defaults() {
        let p: ReleasePolicy = serde_json::from_str(
            r#"{"officers":["o@army.example"],"requireRelease":["*@army.example"],
                "clearances":{"navy.example":3,"liaison@navy.example":4},"form":"reviewSignature"}"#,
        )
        .unwrap();
        assert_eq!(p.form, AuthorizationForm::ReviewSignature);
        assert!(p.countersign);
        assert!(p.needs_release("alice@army.example"));
        assert!(p.needs_release("x@hq.army.example"));
        assert!(!p.needs_release("bob@navy.example"));
        assert_eq!(p.clearance_of("bob@navy.example"), Some(3));
        assert_eq!(p.clearance_of("Liaison@Navy.example"), Some(4));
        assert_eq!(p.clearance_of("x@ship.navy.example"), Some(3));
        assert_eq!(p.clearance_of("x@air.example"), None);
        let d = ReleasePolicy::default();
        assert!(d.needs_release("anyone@x.example"));
        assert!(d.is_officer("anyone@x.example"));
    }
}
