//! The JSON requests of Draft & Release: [`ReleaseOptions`] (`release`, the officer's
//! procedure) and [`ReleaseGateRequest`] (`releaseGate`, the submission gate), read the same
//! way by the wasm facade and the CLI (docs/release.md, docs/js-api.md).

use serde::Deserialize;
use time::OffsetDateTime;

use super::{Decision, Error, ReleasePolicy};
use crate::compose::Envelope;
use crate::request::{invalid, time_or};
use crate::smime::KeyUse;
use crate::verify::{VerifyContext, VerifyRequest};

/// The officer's decision as a request gives it: `"approve"`, `"review"`,
/// `{ "reject": reason }`, or the core's tagged form `{ "action": "approve" | "review" }` /
/// `{ "action": "reject", "reason": … }`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(untagged)]
pub enum DecisionRequest {
    /// `"approve"` or `"review"`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "\"approve\" | \"review\""))]
    Name(String),
    /// `{ "reject": reason }`.
    Reject {
        /// The reason sent to the drafter.
        reject: String,
    },
    /// The core's form.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "{ action: \"approve\" | \"review\" } | { action: \"reject\"; reason: string }")
    )]
    Core(Decision),
}

impl DecisionRequest {
    /// The core's decision (`request-invalid` for a name other than approve / review).
    pub fn decision(&self) -> Result<Decision, Error> {
        match self {
            DecisionRequest::Name(n) if n == "approve" => Ok(Decision::Approve),
            DecisionRequest::Name(n) if n == "review" => Ok(Decision::Review),
            DecisionRequest::Name(n) => Err(invalid(
                "decision",
                format!("{n:?}: use \"approve\", \"review\" or {{ reject: reason }}"),
            )
            .into()),
            DecisionRequest::Reject { reject } => Ok(Decision::Reject {
                reason: reject.clone(),
            }),
            DecisionRequest::Core(d) => Ok(d.clone()),
        }
    }
}

/// The request of `release` (JSON `ReleaseOptions`; docs/js-api.md).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseOptions {
    /// The release officer's key and certificate: required by `release`; absent for
    /// `releaseAsync`, which takes the officer's key held outside the core as an argument
    /// ([`Self::officer`]).
    #[serde(default)]
    pub officer: Option<KeyUse>,
    /// Trust anchors for step 1 (PEM texts).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub trust_anchors: Vec<String>,
    /// Extra certificates (PEM texts).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub certificates: Vec<String>,
    /// CRLs (PEM texts).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub crls: Vec<String>,
    /// The release policy (docs/release.md); the default policy when absent.
    #[serde(default)]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Record<string, unknown>", optional)
    )]
    pub policy: Option<ReleasePolicy>,
    /// The officer's decision.
    pub decision: DecisionRequest,
    /// The envelope the message was submitted with (as `compose` returns it).
    #[serde(default)]
    pub envelope: Option<Envelope>,
    /// Current time (RFC 3339); default: the caller's clock.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub at: Option<OffsetDateTime>,
    /// Key to decrypt an encrypted draft.
    #[serde(default)]
    pub decryption_key: Option<KeyUse>,
}

impl ReleaseOptions {
    /// The verification context of step 1 at `at` (the request's time, else `now`): never
    /// under the legacy receive policy (docs/security.md), and with no receiving agent's
    /// `Authentication-Results` (a draft is read by its officer, not received).
    pub fn context(&self, now: OffsetDateTime) -> Result<VerifyContext, Error> {
        VerifyRequest {
            trust_anchors: self.trust_anchors.clone(),
            certificates: self.certificates.clone(),
            crls: self.crls.clone(),
            at: Some(self.time(now)),
            decryption_key: self.decryption_key.clone(),
            ..VerifyRequest::default()
        }
        .context(now)
        .map_err(Error::from)
    }

    /// The officer's key: `request-invalid` when absent.
    pub fn officer(&self) -> Result<&KeyUse, Error> {
        self.officer.as_ref().ok_or_else(|| {
            Error::from(crate::request::Error::Invalid(
                "release options: officer (the officer's key and certificate) is required".into(),
            ))
        })
    }

    /// The time of the procedure: the request's, else `now`.
    pub fn time(&self, now: OffsetDateTime) -> OffsetDateTime {
        time_or(self.at, now)
    }
}

/// The request of `releaseGate` (JSON `ReleaseGateRequest`, all optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseGateRequest {
    /// The release policy; the default policy when absent.
    #[serde(default)]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Record<string, unknown>", optional)
    )]
    pub policy: Option<ReleasePolicy>,
    /// The authenticated submitter (SMTP AUTH identity); absent = unauthenticated.
    #[serde(default)]
    pub submitter: Option<String>,
    /// The envelope recipients (SMTP RCPT TO).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub recipients: Vec<String>,
    /// Trust anchors (PEM texts); none = nothing chains, so no authorisation counts.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub trust_anchors: Vec<String>,
    /// Extra certificates (PEM texts).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub certificates: Vec<String>,
    /// Validation time (RFC 3339); default: the caller's clock.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub at: Option<OffsetDateTime>,
}

impl ReleaseGateRequest {
    /// The verification context of the gate.
    pub fn context(&self, now: OffsetDateTime) -> Result<VerifyContext, Error> {
        VerifyRequest {
            trust_anchors: self.trust_anchors.clone(),
            certificates: self.certificates.clone(),
            at: self.at,
            ..VerifyRequest::default()
        }
        .context(now)
        .map_err(Error::from)
    }
}
