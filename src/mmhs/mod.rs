//! MMHS header fields: RFC 6477, RFC 7912 (MMHS-Authorizing-Users), RFC 6758 (MT-Priority), RFC 7444 (SIO-Label), RFC 2156 fields; typed parse/format/validate and `inspect`.

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
            Error::Malformed(_) => "mmhs-malformed",
        }
    }
}
