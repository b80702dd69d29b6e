//! Draft & Release (draft-melnikov-mmhs-authorizing-users, RFC 7912): the release officer's
//! procedure, the submission gate, MIXER mapping and the audit trail.

use crate::error::Coded;

pub mod audit;
pub mod gate;
pub mod mixer;
pub mod notice;
pub mod policy;
pub mod procedure;
pub mod request;
pub mod review;

pub use audit::{
    audit_record, verify_audit_log, AuditAgent, AuditEvent, AuditFacts, AuditRecord,
    AuditVerification, AuditVerifyOptions, MessageIdentifiers,
};
pub use gate::{release_gate, verify_and_gate, GateAction, GateContext, GateDecision};
pub use mixer::{
    to_internet, to_x400, InternetHeading, IpmsHeading, MixerRule, ToInternet, ToX400,
};
pub use notice::{rejection_notice, NoticeInput};
pub use policy::{AuthorizationForm, KeywordRule, ReleasePolicy, Severity};
pub use procedure::{
    release, release_time, set_authorizing_users, set_release_fields, Decision, NextHop, Outcome,
    ReleaseRequest, ReleaseResult,
};
pub use request::{DecisionRequest, ReleaseGateRequest, ReleaseOptions};
pub use review::{review, Finding, ReviewInput};

/// Errors of this module; each variant has a stable [`Coded::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed input.
    #[error("{0}")]
    Malformed(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "release-malformed",
        }
    }
}
