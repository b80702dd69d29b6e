//! Errors of [`crate::protect`] (producing protected messages). Findings on *received*
//! messages are [`crate::Problem`]s in [`super::HeaderProtection`], never errors.

use crate::coded::Coded;

/// A message could not be header-protected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input has no header section / body separator or no header fields
    /// (`protect-not-a-message`).
    #[error("not an RFC 5322 message: {0}")]
    NotAMessage(String),
    /// The header section breaks a limit (`header-too-large`, `header-too-many-fields`) or
    /// a generated value is invalid (`header-crlf`, …): the header reader's own code.
    #[error(transparent)]
    Header(#[from] crate::mime::header::Error),
    /// The message already carries header protection (`protect-already-protected`).
    #[error("the message already carries header protection ({0})")]
    AlreadyProtected(String),
    /// A header field value cannot be folded into 998-octet lines (`protect-line-too-long`).
    #[error("header field {0} cannot be folded within 998 octets")]
    LineTooLong(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::NotAMessage(_) => "protect-not-a-message",
            Error::Header(e) => e.code(),
            Error::AlreadyProtected(_) => "protect-already-protected",
            Error::LineTooLong(_) => "protect-line-too-long",
        }
    }
}

impl Error {
    /// The stable machine-readable code (same as [`Coded::code`]).
    pub fn code(&self) -> &'static str {
        Coded::code(self)
    }
}
