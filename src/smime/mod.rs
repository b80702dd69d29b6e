//! S/MIME (RFC 8551) on CMS (RFC 5652): sign, verify, encrypt, decrypt, compress, countersign.
//!
//! Signing side (this file's `sign*`, `signed*`, `attributes*`, `sig_type`, `countersign`,
//! `verify`, `smime_mime`): see `docs/smime.md` and `docs/report.md`.

use crate::error::Coded;

pub mod algorithms;
pub mod attributes;
pub mod attributes_label;
pub mod ber;
pub mod countersign;
pub mod sig_type;
pub mod sign;
pub mod signed_build;
pub mod signed_parse;
pub mod signed_verify;
pub mod smime_mime;
pub mod verify;

pub use algorithms::{DigestAlg, RsaPadding};
pub use countersign::{countersign_der, countersign_message, countersign_message_with};
pub use sig_type::SignatureType;
pub use sign::{sign_entity, sign_message};
pub use signed_build::{sign_content, SignOptions, Signer};
pub use verify::{verify, verify_message, Verified, VerifyContext};

/// Errors of this module; each variant has a stable [`Coded::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed input (not a usable message).
    #[error("{0}")]
    Malformed(String),
    /// A CMS structure that cannot be decoded.
    #[error("malformed CMS: {0}")]
    Cms(String),
    /// The signer key or certificate cannot be used (mismatch, too weak, missing SKI …).
    #[error("signer key: {0}")]
    Key(String),
    /// An algorithm we do not produce or support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Encoding failed (should not happen with valid inputs).
    #[error("encoding failed: {0}")]
    Encode(String),
    /// A security label that cannot be encoded.
    #[error("security label: {0}")]
    Label(String),
    /// Inconsistent sign options.
    #[error("sign options: {0}")]
    Options(String),
    /// The message (or CMS) is not signed where a signature was expected.
    #[error("not signed: {0}")]
    NotSigned(String),
    /// No SignerInfo with that index.
    #[error("{0}")]
    SignerIndex(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "smime-malformed",
            Error::Cms(_) => "cms-malformed",
            Error::Key(_) => "signer-key-invalid",
            Error::Unsupported(_) => "unsupported-algorithm",
            Error::Encode(_) => "cms-encode",
            Error::Label(_) => "security-label-invalid",
            Error::Options(_) => "sign-options-invalid",
            Error::NotSigned(_) => "not-signed",
            Error::SignerIndex(_) => "signer-index-invalid",
        }
    }
}
