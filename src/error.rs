//! The crate's typed error: every failure has a stable machine-readable `code` and a human
//! message. Each module owns its own error enum (`mmhs::Error`, `compose::Error`, …) with a
//! `code()`; this top-level type wraps them so callers (CLI, wasm facade, server) see one type.
//! The wasm facade converts it to a JS `Error` whose `.code` is [`Error::code`].

use serde::Serialize;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use crate::coded::Coded;

/// The top-level error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input that cannot be used at all (not a message, not JSON, too big …).
    #[error("{message}")]
    Input {
        /// Stable code.
        code: &'static str,
        /// Human explanation.
        message: String,
    },
    /// An MMHS header field error.
    #[error(transparent)]
    Mmhs(#[from] crate::fields::Error),
    /// A compose error.
    #[error(transparent)]
    Compose(#[from] crate::compose::Error),
    /// An S/MIME / CMS error.
    #[error(transparent)]
    Smime(#[from] crate::smime::Error),
    /// A key import/export error.
    #[error(transparent)]
    Keys(#[from] crate::keys::Error),
    /// A release (Draft & Release) error (the errors of the modules the procedure calls
    /// arrive as their own variants: [`From<crate::release::Error>`]).
    #[error(transparent)]
    Release(crate::release::Error),
    /// A header-protection error.
    #[error(transparent)]
    Protect(#[from] crate::protect::Error),
    /// A domain-signing error (draft-melnikov-smime-msa-to-mda).
    #[error(transparent)]
    Domain(#[from] crate::domain::Error),
    /// A raw header-section error (limits, CR/LF in a generated value).
    #[error(transparent)]
    Header(#[from] crate::mime::header::Error),
    /// Reading a message's content for display (`content-too-large`, `attachment-*`).
    #[error(transparent)]
    Content(#[from] crate::mime::content::Error),
    /// A JSON request that cannot be read (`request-invalid`, `request-too-large`).
    #[error(transparent)]
    Request(#[from] crate::request::Error),
}

impl Error {
    /// Build an [`Error::Input`].
    pub fn input(code: &'static str, message: impl Into<String>) -> Self {
        Error::Input {
            code,
            message: message.into(),
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Input { code, .. } => code,
            Error::Mmhs(e) => e.code(),
            Error::Compose(e) => e.code(),
            Error::Smime(e) => e.code(),
            Error::Keys(e) => e.code(),
            Error::Release(e) => e.code(),
            Error::Protect(e) => e.code(),
            Error::Header(e) => e.code(),
            Error::Domain(e) => e.code(),
            Error::Request(e) => e.code(),
            Error::Content(e) => e.code(),
        }
    }
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        Error::code(self)
    }
}

impl From<crate::release::Error> for Error {
    fn from(e: crate::release::Error) -> Self {
        match e {
            crate::release::Error::Smime(e) => Error::Smime(e),
            crate::release::Error::Header(e) => Error::Header(e),
            crate::release::Error::Request(e) => Error::Request(e),
            e => Error::Release(e),
        }
    }
}

impl From<crate::label_policy::PolicyError> for Error {
    fn from(e: crate::label_policy::PolicyError) -> Self {
        Error::input(Coded::code(&e), e.0)
    }
}

/// JSON form of an error: `{ "code": "...", "message": "..." }` — what the CLI prints and
/// what the wasm facade puts on the JS `Error`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorJson {
    /// Stable code.
    pub code: String,
    /// Human message.
    pub message: String,
}

impl From<&Error> for ErrorJson {
    fn from(e: &Error) -> Self {
        ErrorJson {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}
