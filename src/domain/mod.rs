//! Domain security (draft-melnikov-smime-msa-to-mda-04): S/MIME applied by the agents of an
//! organisation — MSA, boundary MTA, MDA — with domain certificates.
//!
//! - [`uri`]: the `smtp:` / `submit:` URIs (§6.1, §6.2) — the server's relay address and the
//!   agent names of certificates;
//! - [`naming`]: the naming convention (§2.6): the agent names of a certificate's
//!   subjectAltName and the rule "the agent's domain equals or is an ascendant of the
//!   originator's domain";
//! - [`signing`]: generating each signature type (§2.5, §3): originator, domain, additional
//!   attributes, review, delegated originator — encapsulation, the empty signature layer,
//!   the naming check on the signer's own certificate, and the §3.3 preconditions.
//!
//! On receipt the per-signature verdict is `crate::verify::naming`'s (it applies [`naming`]
//! to the report). `uri` and `naming` are leaves (used by `smime` for the signer identity and
//! by `verify`); `signing` sits above `smime`. Pure functions, no I/O (`docs/domain.md`).

pub mod naming;
pub mod signing;
pub mod uri;

use crate::error::Coded;

pub use naming::{agent_names, naming_verdict, AgentKind, AgentName, NamingVerdict};
pub use signing::{
    domain_sign, empty_signature_layer, ready_for_domain_signature, sign_typed,
    OriginatorAuthentication,
};
pub use uri::{parse_mail_uri, MailUri, Scheme, UriError};

/// Errors of domain signing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A signature-type list the draft forbids (§3.2). Code `signature-type-invalid`.
    #[error("signature type: {0}")]
    SignatureType(String),
    /// The signer certificate does not follow the naming convention for this signature type
    /// (§2.6). Code `agent-naming-invalid`.
    #[error("naming convention: {0}")]
    Naming(String),
    /// A domain (or delegated-originator) signature that "MUST NOT be generated" (§3.3,
    /// §3.7): the originator is not authenticated or a signature present is not valid. Code
    /// `domain-signature-refused`.
    #[error("domain signature refused: {0}")]
    NotReady(String),
    /// An S/MIME error while signing.
    #[error(transparent)]
    Smime(#[from] crate::smime::Error),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::SignatureType(_) => "signature-type-invalid",
            Error::Naming(_) => "agent-naming-invalid",
            Error::NotReady(_) => "domain-signature-refused",
            Error::Smime(e) => e.code(),
        }
    }
}
