//! The JSON requests of Draft & Release: [`ReleaseOptions`] (`release`, the officer's
//! procedure) and [`ReleaseGateRequest`] (`releaseGate`, the submission gate), read the same
//! way by the wasm facade and the CLI (docs/release.md, docs/js-api.md).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    AuditAgent, AuditEvent, AuditFacts, AuditRecord, Decision, Error, GateDecision,
    InternetHeading, IpmsHeading, ReleasePolicy, ReleaseRequest, ReleaseResult, ToInternet, ToX400,
};
use crate::compose::Envelope;
use crate::request::{invalid, time_or};
use crate::rng::CryptoRng;
use crate::smime::{KeyUse, Signer};
use crate::verify::{with_verify_material, VerifyContext};

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

with_verify_material! { decryption_key;
    /// The request of `release` (JSON `ReleaseOptions`; docs/js-api.md): step 1 verifies with
    /// its `trustAnchors`, `certificates` and `crls`.
    #[derive(Debug, Clone, Deserialize)]
    #[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct ReleaseOptions {
        /// The release officer's key and certificate. Required by the wasm `release`; the
        /// CLI's key flags may supply the officer instead ([`ReleaseOptions::release`]).
        #[serde(default)]
        #[cfg_attr(not(target_arch = "wasm32"), ts(type = "KeyUse", optional = false))]
        pub officer: Option<KeyUse>,
        /// The release policy (docs/release.md); the default policy when absent.
        #[serde(default)]
        #[cfg_attr(
            not(target_arch = "wasm32"),
            ts(type = "Partial<ReleasePolicy>", optional)
        )]
        pub policy: Option<ReleasePolicy>,
        /// The officer's decision.
        pub decision: DecisionRequest,
        /// The envelope the message was submitted with (as `compose` returns it).
        #[serde(default)]
        pub envelope: Option<Envelope>,
    }
}

impl ReleaseOptions {
    /// The verification context of step 1 at `at` (the request's time, else `now`): never
    /// under the legacy receive policy (docs/security.md), and with no receiving agent's
    /// `Authentication-Results` (a draft is read by its officer, not received).
    pub fn context(&self, now: OffsetDateTime) -> Result<VerifyContext, Error> {
        self.material().context(now).map_err(Error::from)
    }

    /// The time of the procedure: the request's, else `now`.
    pub fn time(&self, now: OffsetDateTime) -> OffsetDateTime {
        time_or(self.at, now)
    }

    /// The officer's key: `key` (the caller's own, e.g. the CLI's key flags) or the request's
    /// `officer`, exactly one of them (`request-invalid` for none or both).
    pub fn officer(&self, key: Option<Signer>) -> Result<Signer, Error> {
        match (key, &self.officer) {
            (Some(s), None) => Ok(s),
            (None, Some(k)) => Ok(k.signer()?),
            (None, None) => Err(invalid("release request", "no officer key").into()),
            (Some(_), Some(_)) => Err(invalid(
                "release request",
                "the officer is given twice (the request's officer and a key)",
            )
            .into()),
        }
    }

    /// Run the officer's procedure on `raw` as the request says ([`super::release`]): step 1
    /// verifies in `ctx` (from [`ReleaseOptions::context`], perhaps with more material), the
    /// officer signs with [`ReleaseOptions::officer`]`(key)`, at the request's time or `now`.
    pub fn release<R: CryptoRng + ?Sized>(
        &self,
        raw: &[u8],
        key: Option<Signer>,
        ctx: &VerifyContext,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> Result<ReleaseResult, Error> {
        let officer = self.officer(key)?;
        let policy = self.policy.clone().unwrap_or_default();
        let req = ReleaseRequest {
            raw,
            officer: &officer,
            verify: ctx,
            policy: &policy,
            decision: self.decision.decision()?,
            envelope: self.envelope.as_ref(),
            now: self.time(now),
        };
        super::release(&req, rng)
    }
}

with_verify_material! {
    /// The request of `releaseGate` (JSON `ReleaseGateRequest`, all optional): the message
    /// is verified with its `trustAnchors` (none = nothing chains, so no authorisation
    /// counts), `certificates` and `crls`.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct ReleaseGateRequest {
        /// The release policy; the default policy when absent.
        #[serde(default)]
        #[cfg_attr(
            not(target_arch = "wasm32"),
            ts(type = "Partial<ReleasePolicy>", optional)
        )]
        pub policy: Option<ReleasePolicy>,
        /// The authenticated submitter (SMTP AUTH identity); absent = unauthenticated.
        #[serde(default)]
        pub submitter: Option<String>,
        /// The envelope recipients (SMTP RCPT TO).
        #[serde(default)]
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub recipients: Vec<String>,
    }
}

impl ReleaseGateRequest {
    /// The verification context of the gate.
    pub fn context(&self, now: OffsetDateTime) -> Result<VerifyContext, Error> {
        self.material().context(now).map_err(Error::from)
    }

    /// The gate's decision for `raw`, verified once in `ctx` ([`super::verify_and_gate`];
    /// the default policy when the request gives none).
    pub fn gate(&self, raw: &[u8], ctx: &VerifyContext) -> Result<GateDecision, Error> {
        let policy = self.policy.clone().unwrap_or_default();
        super::verify_and_gate(
            raw,
            &policy,
            self.submitter.as_deref(),
            &self.recipients,
            ctx,
        )
    }
}

/// The direction of a MIXER mapping (draft-melnikov-mmhs-authorizing-users-00 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum MixerDirection {
    /// RFC 5322 → X.400 (§5.1): the heading is an [`InternetHeading`].
    ToX400,
    /// X.400 → RFC 5322 (§5.2): the heading is an [`IpmsHeading`].
    ToInternet,
}

/// The request of `mixerMap` (JSON `MixerRequest`; `mmhs mixer to-x400|to-internet`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MixerRequest {
    /// Which way to map.
    pub direction: MixerDirection,
    /// `toInternet`: treat every message as military (gateway configuration).
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub all_military: bool,
}

/// The result of `mixerMap`: one per direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(untagged)]
pub enum MixerResult {
    /// `toX400`.
    ToX400(ToX400),
    /// `toInternet`.
    ToInternet(ToInternet),
}

impl MixerRequest {
    /// Map `heading` (JSON: an [`InternetHeading`] for `toX400`, an [`IpmsHeading`] for
    /// `toInternet`), a JSON object read as a request is read ([`crate::request::from_json`]).
    pub fn map(&self, heading: &[u8]) -> Result<MixerResult, crate::request::Error> {
        Ok(match self.direction {
            MixerDirection::ToX400 => {
                let h: InternetHeading = crate::request::from_json(heading, "internet heading")?;
                MixerResult::ToX400(super::to_x400(&h))
            }
            MixerDirection::ToInternet => {
                let h: IpmsHeading = crate::request::from_json(heading, "IPMS heading")?;
                MixerResult::ToInternet(super::to_internet(&h, self.all_military))
            }
        })
    }
}

/// The request of `auditRecord` (JSON `AuditRecordRequest`; `mmhs audit record`): the agent,
/// the event, facts overriding those read from the message, the previous record and the
/// time. The message itself travels beside it as bytes.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditRecordRequest {
    /// The agent writing the record.
    pub agent: AuditAgent,
    /// The event.
    pub event: AuditEvent,
    /// Facts (docs/release.md "Audit trail"); they override the message's.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "AuditFacts", optional))]
    pub facts: Option<serde_json::Map<String, serde_json::Value>>,
    /// The previous record of the log (the new one chains to it).
    #[serde(default)]
    pub prev: Option<AuditRecord>,
    /// Event time (RFC 3339); default: the caller's clock.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub at: Option<OffsetDateTime>,
}

impl AuditRecordRequest {
    /// The next record ([`super::audit_record`]): facts read from `message` (when given),
    /// overridden by the request's, at the request's time or `now`.
    pub fn record(
        &self,
        message: Option<&[u8]>,
        now: OffsetDateTime,
    ) -> Result<AuditRecord, crate::request::Error> {
        let mut facts = match message {
            Some(m) => serde_json::to_value(AuditFacts::from_message(m))
                .map_err(|e| invalid("audit facts", e))?,
            None => serde_json::Value::Object(serde_json::Map::new()),
        };
        if let (Some(f), Some(extra)) = (facts.as_object_mut(), &self.facts) {
            f.extend(extra.clone());
        }
        let facts: AuditFacts =
            serde_json::from_value(facts).map_err(|e| invalid("audit facts", e))?;
        Ok(super::audit_record(
            self.agent,
            self.event,
            facts,
            time_or(self.at, now),
            self.prev.as_ref(),
        ))
    }
}
