//! S/MIME (RFC 8551) on CMS (RFC 5652): sign, verify, encrypt, decrypt, compress, countersign.
//!
//! CMS-level work only: building and checking SignedData (`sign*`, `signed*`,
//! `signer_certificate`, `attributes*`, `sig_type`, `countersign`, `receipt_request`,
//! `receipt`), EnvelopedData,
//! AuthEnvelopedData and CompressedData, and their MIME forms (`enveloped_mime`, on top of `crate::mime::entity`).
//! Reading a whole message — the layer walk, trust, originator, labels, authorizations and
//! the verdict — is [`crate::verify`]'s.

use crate::coded::Coded;

pub mod algorithms;
pub(crate) mod attributes;
pub(crate) mod countersign;
pub mod key_operation;
pub(crate) mod key_use;
pub mod ml_expansion;
pub(crate) mod pkcs7_mime;
pub mod receipt;
pub mod receipt_request;
pub(crate) mod sig_type;
pub mod sign;
pub mod signed_build;
pub mod signed_parse;
pub mod signed_verify;
pub(crate) mod signer_certificate;

pub use algorithms::{DigestAlg, RsaPadding};
pub use countersign::{
    countersign_der, countersign_message, countersign_message_with, PendingCountersignature,
    PendingCountersignedMessage,
};
pub use key_operation::{
    ContentDecryptCipher, ContentDecryptRequest, ContentEncryptRequest, DecryptRequest,
    DigestRequest, KeyWrapAnswer, KeyWrapRequest, SignRequest, SignatureScheme,
};
pub use key_use::KeyUse;
pub use pkcs7_mime::{pkcs7_mime_entity, pkcs7_mime_part, SmimeType};
pub use receipt::Receipt;
pub use receipt_request::{ReceiptRequest, ReceiptRequestOptions};
pub use sig_type::SignatureType;
pub use sign::{
    entity_start, sign_entity, sign_message, AssembledSigned, PendingSignedEntity,
    SignedEntityContent, SignedOutput,
};
pub use signed_build::{
    sign_content, PendingSignedData, PendingSignerInfo, SignOptions, Signer, SignerCertificates,
};

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

    // ---- encryption / decryption / compression (owner: "envelope") ----
    /// None of the RecipientInfos is addressed to any of the supplied certificates.
    #[error("{0}")]
    DecryptNoRecipient(String),
    /// A RecipientInfo names our certificate but the content-encryption key could not be
    /// recovered with our private key (wrong key, or corrupted), or the content did not
    /// decrypt (bad padding).
    #[error("{0}")]
    DecryptFailed(String),
    /// AuthEnvelopedData: the authentication tag (AES-GCM ICV) did not verify — the
    /// ciphertext or its authenticated attributes were modified.
    #[error("{0}")]
    DecryptAuthFailed(String),
    /// An algorithm (content cipher, key transport, key agreement, key wrap, KDF,
    /// compression) that we do not implement.
    #[error("{0}")]
    UnsupportedAlgorithm(String),
    /// An algorithm the core implements but the key's provider does not (W3C WebCrypto has no
    /// RSAES-PKCS1-v1_5 key transport, for instance): the same key through the pure-Rust
    /// provider — the stored key, opened with its password — can do it.
    #[error("{0}")]
    KeyProviderUnsupported(String),
    /// An operation the core implements but this build's crypto provider cannot compute —
    /// a build without the pure-Rust provider (the read module) meeting a private key held in
    /// the core, or a content cipher WebCrypto lacks: a build with it (the full module) can.
    #[error("{0}")]
    ProviderUnsupported(String),
    /// A recipient certificate cannot be encrypted to (unsupported key type or a keyUsage
    /// extension that forbids it).
    #[error("{0}")]
    EncryptRecipient(String),
    /// Encryption was asked with no recipient at all.
    #[error("no recipient certificate was given")]
    EncryptNoRecipient,
    /// The message is not an S/MIME encrypted (or compressed) message.
    #[error("{0}")]
    NotEncrypted(String),
    /// Decompressed data would exceed the size or ratio limit (zip bomb protection).
    #[error("{0}")]
    DecompressLimit(String),
    /// The compressed data is corrupt.
    #[error("{0}")]
    DecompressFailed(String),
    /// Random number generation or encoding failed while producing a message.
    #[error("{0}")]
    EncryptFailed(String),
    /// No signed receipt may be returned for this message (RFC 2634 §2.3): `code` says why
    /// (`crate::verify::receipt::Refusal`).
    #[error("{message}")]
    ReceiptRefused {
        /// Stable code.
        code: &'static str,
        /// Human explanation.
        message: String,
    },
    /// The caller cancelled the verification ([`crate::cancel::Cancel`], e.g. when its time
    /// budget passed): no report is produced.
    #[error("verification cancelled by the caller")]
    Cancelled,
    /// A key or certificate of a request that cannot be imported (PEM, PKCS#8).
    #[error(transparent)]
    Keys(#[from] crate::keys::Error),
    /// A request (`KeyUse`) that does not have the documented shape.
    #[error(transparent)]
    Request(#[from] crate::request::Error),
    /// A header section of the message (outer, or of an S/MIME layer's entity) beyond the
    /// header reader's limits (`header-too-large`, `header-too-many-fields`).
    #[error(transparent)]
    Header(#[from] crate::mime::header::Error),
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
            Error::DecryptNoRecipient(_) => "decrypt-no-recipient",
            Error::DecryptFailed(_) => "decrypt-failed",
            Error::DecryptAuthFailed(_) => "decrypt-auth-failed",
            Error::UnsupportedAlgorithm(_) => "unsupported-algorithm",
            Error::KeyProviderUnsupported(_) => "key-provider-unsupported",
            Error::ProviderUnsupported(_) => crate::trust::PROVIDER_UNSUPPORTED,
            Error::EncryptRecipient(_) => "encrypt-recipient-invalid",
            Error::EncryptNoRecipient => "encrypt-no-recipient",
            Error::NotEncrypted(_) => "not-encrypted",
            Error::DecompressLimit(_) => "decompress-limit",
            Error::DecompressFailed(_) => "decompress-failed",
            Error::EncryptFailed(_) => "encrypt-failed",
            Error::ReceiptRefused { code, .. } => code,
            Error::Cancelled => "verification-cancelled",
            Error::Keys(e) => e.code(),
            Error::Request(e) => e.code(),
            Error::Header(e) => e.code(),
        }
    }
}

impl From<crate::asn1::BerError> for Error {
    fn from(e: crate::asn1::BerError) -> Self {
        Error::Malformed(format!("BER: {}", e.0))
    }
}

// ---- encryption / decryption / compression (owner: "envelope") ----
mod auth_enveloped;
pub(crate) mod compressed;
pub(crate) mod enveloped;
mod enveloped_cipher;
mod enveloped_decrypt;
mod enveloped_encrypt;
mod enveloped_mime;
mod enveloped_recipient;
mod kari;
mod ktri;
pub use compressed::{
    compress_content, compress_message, decompress_body, decompress_content_info,
    decompress_message, DecompressLimits,
};
pub use enveloped::{
    choose_content_cipher, decrypt_content_info, encrypt_content, recipients_named, ContentCipher,
    ContentKey, Decrypted, Decryption, EncryptOptions, EncryptedKind, Encryption, PendingContent,
    RecipientIdKind, MAX_KEY_CANDIDATES,
};
pub use enveloped_mime::{
    decrypt_message, encrypt_message, MessageDecryption, MessageEncryption, PendingMessageContent,
};
/// RSA key-transport padding (RSAES-OAEP or PKCS#1 v1.5) — not the signature padding
/// [`RsaPadding`].
pub use ktri::RsaPadding as KeyTransportPadding;
