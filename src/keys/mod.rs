//! Keys and certificates: PKCS#12 and PEM import, password-encrypted PKCS#8 (PBES2) export.

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
            Error::Malformed(_) => "keys-malformed",
        }
    }
}

mod private_key;
pub use private_key::{pem_blocks, PrivateKey};
