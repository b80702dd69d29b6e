//! S/MIME (RFC 8551) on CMS (RFC 5652): sign, verify, encrypt, decrypt, compress, countersign.

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
            Error::Malformed(_) => "smime-malformed",
        }
    }
}
