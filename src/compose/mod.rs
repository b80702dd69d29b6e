//! Compose: a JSON compose request becomes one or more finished RFC 5322 messages, each with its SMTP envelope (draft-melnikov-mmhs-profile §3).

use crate::error::Coded;

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
            Error::Malformed(_) => "compose-malformed",
        }
    }
}
