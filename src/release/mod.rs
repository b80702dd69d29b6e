//! Draft & Release (draft-melnikov-mmhs-authorizing-users, RFC 7912): the release officer's
//! procedure, the submission gate, MIXER mapping and the audit trail.

use crate::coded::Coded;

pub(crate) mod audit;
pub(crate) mod gate;
pub(crate) mod mixer;
pub(crate) mod notice;
pub(crate) mod policy;
pub(crate) mod procedure;
pub(crate) mod request;
pub(crate) mod review;

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
    begin_release, release, release_time, set_authorizing_users, set_release_fields, Decision,
    NextHop, Outcome, PendingRelease, ReleaseRequest, ReleaseResult, ReleaseStep,
};
pub use request::{
    AuditRecordRequest, DecisionRequest, MixerDirection, MixerRequest, MixerResult,
    ReleaseGateRequest, ReleaseOptions,
};
pub use review::{review, Finding, ReviewInput};

/// Errors of this module; each variant has a stable [`Coded::code`]. The errors of the
/// modules the procedure calls keep their own codes and messages (`crate::Error` takes them
/// apart again for the facades).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed input.
    #[error("{0}")]
    Malformed(String),
    /// An S/MIME / CMS error (verifying, signing, countersigning).
    #[error(transparent)]
    Smime(#[from] crate::smime::Error),
    /// A raw header-section error (limits, CR/LF in a generated value).
    #[error(transparent)]
    Header(#[from] crate::mime::header::Error),
    /// A request that does not have the documented shape (`request-invalid`).
    #[error(transparent)]
    Request(#[from] crate::request::Error),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "release-malformed",
            Error::Smime(e) => e.code(),
            Error::Header(e) => e.code(),
            Error::Request(e) => e.code(),
        }
    }
}
