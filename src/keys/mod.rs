//! Keys and certificates: PKCS#12 import and export, PEM import, password-encrypted PKCS#8
//! (PBES2) export.

use crate::coded::Coded;

/// Errors of this module; each variant has a stable [`Coded::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed input.
    #[error("{0}")]
    Malformed(String),

    // ---- PKCS#12 / encrypted PKCS#8 / certificates (owner: "envelope") ----
    /// The PKCS#12 password is wrong (MAC check or decryption failed).
    #[error("the PKCS#12 password is wrong")]
    Pkcs12BadPassword,
    /// The PKCS#12 file is not well-formed.
    #[error("{0}")]
    Pkcs12Malformed(String),
    /// The PKCS#12 file holds no private key.
    #[error("the PKCS#12 file holds no private key")]
    Pkcs12NoKey,
    /// The PKCS#12 file holds no certificate matching its private key.
    #[error("the PKCS#12 file holds no certificate for its private key")]
    Pkcs12NoCertificate,
    /// The password of an encrypted private key is wrong.
    #[error("the private key password is wrong")]
    KeyBadPassword,
    /// A password-based or key algorithm we do not implement.
    #[error("{0}")]
    UnsupportedAlgorithm(String),
    /// A certificate could not be decoded.
    #[error("{0}")]
    CertificateMalformed(String),
    /// No certificate was found where one was expected.
    #[error("no certificate found")]
    NoCertificate,
    /// Exporting a key failed.
    #[error("{0}")]
    ExportFailed(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "keys-malformed",
            Error::Pkcs12BadPassword => "pkcs12-bad-password",
            Error::Pkcs12Malformed(_) => "pkcs12-malformed",
            Error::Pkcs12NoKey => "pkcs12-no-key",
            Error::Pkcs12NoCertificate => "pkcs12-no-certificate",
            Error::KeyBadPassword => "key-bad-password",
            Error::UnsupportedAlgorithm(_) => "keys-unsupported-algorithm",
            Error::CertificateMalformed(_) => "certificate-malformed",
            Error::NoCertificate => "certificate-missing",
            Error::ExportFailed(_) => "key-export-failed",
        }
    }
}

mod private_key;
pub use private_key::{pem_blocks, PrivateKey};

// ---- PKCS#12 / encrypted PKCS#8 / certificates (owner: "envelope") ----
mod certificates;
pub(crate) use certificates::issuer_octets;
mod encrypted_pkcs8;
pub(crate) mod pbe;
mod pkcs12;
pub use certificates::{
    certificate_der, certificate_from_der, certificate_pem, certificate_pem_from_der,
    certificate_remembered, certificates_from_der_or_pem, certificates_from_pem,
    certificates_from_texts, crls_from_pem, key_matches_certificate, CertificateDecodeError,
    MAX_CERTIFICATE_ELEMENTS,
};
pub use encrypted_pkcs8::{
    begin_import_encrypted_pkcs8, export_encrypted_pkcs8, export_encrypted_pkcs8_with_iterations,
    import_encrypted_pkcs8, Pbkdf2Hash, Pbkdf2Request, PendingKeyImport, DEFAULT_PBKDF2_ITERATIONS,
};
pub use pkcs12::{export_pkcs12, import_pkcs12, KeyBundle};
