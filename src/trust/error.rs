//! Errors of the [`crate::trust`] module (signature verification helpers).
//!
//! Path validation itself never fails with an error: its findings are [`crate::Problem`]s in a
//! [`super::PathResult`]. These errors come from [`super::verify_signature`], which the CMS
//! verifier calls for signer signatures, and are documented in `docs/report.md`.

use crate::error::Coded;

/// A signature could not be verified with a certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signature does not verify with the key (`signature-invalid`).
    #[error("the signature does not verify with the signer's public key")]
    SignatureInvalid,
    /// The signature or key algorithm is not supported (`signature-algorithm-unsupported`).
    #[error("unsupported signature algorithm or key: {0}")]
    UnsupportedAlgorithm(String),
    /// A weak algorithm (SHA-1 or MD5 based) was refused (`signature-algorithm-weak`).
    #[error("refused weak signature algorithm {0}")]
    WeakAlgorithm(String),
    /// The public key or the algorithm parameters could not be decoded (`public-key-invalid`).
    #[error("the public key or its parameters cannot be decoded: {0}")]
    BadKey(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::SignatureInvalid => "signature-invalid",
            Error::UnsupportedAlgorithm(_) => "signature-algorithm-unsupported",
            Error::WeakAlgorithm(_) => "signature-algorithm-weak",
            Error::BadKey(_) => "public-key-invalid",
        }
    }
}

impl Error {
    /// The stable machine-readable code (same as [`Coded::code`]).
    pub fn code(&self) -> &'static str {
        Coded::code(self)
    }
}
