//! Compose: a JSON compose request becomes one or more finished RFC 5322 messages, each with
//! its SMTP envelope (draft-melnikov-mmhs-profile-09 §3).
//!
//! Pure: the time, the Message-ID domain and the random source are parameters
//! ([`ComposeContext`], `rng`), so a test that fixes them gets byte-identical output.
//!
//! Steps (one module each):
//! 1. [`request`]: the JSON schema (`docs/compose.md`).
//! 2. [`validate`] + [`fields`]: every value checked (CR/LF, addresses, msg-ids, MMHS grammars
//!    via `crate::fields`), typed errors with stable codes.
//! 3. [`body`]: the MIME body (text, alternative, attachments, forwarded messages), built once.
//! 4. [`plan`]: which copies to submit — open recipients (split by receipt-notification
//!    wish) and one copy per Bcc recipient (profile §3.4.5, §3.4.27, §3.4.33).
//! 5. [`headers`]: the header section of each copy (precedences, MT-Priority per copy).
//! 6. [`security`]: per copy, the unsigned [`crate::mime::encode::Message`] goes through the
//!    security step (SIO-Label, wrapped header protection, compression, signature, encryption)
//!    — each copy separately — before it is serialised and given its [`Envelope`].
//!
//! Besides originated messages, [`mdn`] builds the reader's message disposition notification
//! (RFC 8098) with the same header checks and the same MIME writer.

pub(crate) mod body;
pub mod envelope;
pub(crate) mod fields;
pub(crate) mod headers;
pub(crate) mod mdn;
pub(crate) mod plan;
pub mod request;
pub(crate) mod security;
pub(crate) mod security_request;
pub(crate) mod validate;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::coded::Coded;
use crate::mime::encode::Message;
use crate::rng::CryptoRng;

pub use envelope::{DeliverBy, Envelope, MailParams, Rcpt};
pub use mdn::{make_mdn, DispositionType, Mdn, MdnRequest};
pub use request::{
    Attachment, Body, ByMode, ComposeOptions, ComposeRequest, ForwardedMessage, Mailbox,
    MessageTypeRequest, NameOrNumber, NotifyCondition, Recipient, Ret,
};
pub use security::{ComposeKeys, ComposeMaterial};
pub use security_request::{
    EncryptRequest, LabelRequest, ProtectHeaders, ProtectHeadersRequest, RecipientCertificate,
    SecretPem, SignRequest, SignerIdentifier, SioLabelRequest,
};

/// Errors of this module; each variant has a stable [`Coded::code`] (listed in
/// `docs/compose.md`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The JSON request does not match the schema (syntax, type, unknown field).
    #[error("compose request is not valid: {0}")]
    RequestInvalid(String),
    /// The JSON request is larger than allowed.
    #[error("compose request is {size} octets, more than the {max} allowed")]
    RequestTooLarge {
        /// Size seen.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// A header value contains CR or LF (header injection).
    #[error("{field}: CR/LF is not allowed in a header value")]
    HeaderCrlf {
        /// The field (or request member) concerned.
        field: &'static str,
    },
    /// A header value contains a control character.
    #[error("{field}: control characters are not allowed in a header value")]
    HeaderControlChar {
        /// The field.
        field: &'static str,
    },
    /// A header value is too long (or contains an unbreakable run over 998 octets).
    #[error("{field}: value too long")]
    HeaderTooLong {
        /// The field.
        field: &'static str,
    },
    /// An address is not a usable addr-spec.
    #[error("{field}: '{address}' is not a valid address (ASCII local@domain)")]
    AddressInvalid {
        /// The field.
        field: &'static str,
        /// The address.
        address: String,
    },
    /// No From mailbox.
    #[error("From is required")]
    FromMissing,
    /// Several From mailboxes but no Sender (RFC 5322 §3.6.2).
    #[error("Sender is required when there are several From mailboxes")]
    SenderRequired,
    /// No To, Cc or Bcc recipient.
    #[error("at least one To, Cc or Bcc recipient is required")]
    NoRecipients,
    /// The same address appears twice among the recipients.
    #[error("recipient {0} appears more than once")]
    RecipientDuplicate(String),
    /// More recipients than allowed.
    #[error("{count} recipients, more than the {max} allowed")]
    TooManyRecipients {
        /// Count.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// A precedence is not a valid name or number.
    #[error("{field}: '{value}' is not a valid precedence")]
    PrecedenceInvalid {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// To recipients without a primary precedence (profile §3.5.1).
    #[error("primaryPrecedence is required when there are To recipients")]
    PrimaryPrecedenceMissing,
    /// A primary precedence without To recipients.
    #[error("primaryPrecedence given but there are no To recipients")]
    PrimaryPrecedenceWithoutTo,
    /// Cc/Bcc recipients without a copy precedence (profile §3.5.2).
    #[error("copyPrecedence is required when there are Cc or Bcc recipients")]
    CopyPrecedenceMissing,
    /// A copy precedence without Cc/Bcc recipients.
    #[error("copyPrecedence given but there are no Cc or Bcc recipients")]
    CopyPrecedenceWithoutCc,
    /// An unknown or malformed message type.
    #[error("messageType: '{0}' is not a valid message type")]
    MessageTypeInvalid(String),
    /// A value of an RFC 6477 / RFC 2156 field does not match its grammar (checked by the
    /// `crate::fields` type for that field); the code is that error's code, e.g.
    /// `military-string-invalid`, `sic-invalid`, `field-value-invalid`.
    #[error("{field}: {error}")]
    Field {
        /// The field.
        field: &'static str,
        /// The mmhs error.
        error: crate::fields::Error,
    },
    /// A message id is not a valid msg-id.
    #[error("{field}: '{value}' is not a valid message id")]
    MessageIdInvalid {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// No usable domain for generated Message-IDs.
    #[error("'{0}' is not a usable Message-ID domain")]
    MessageIdDomainInvalid(String),
    /// NOTIFY list empty, duplicated, or NEVER combined with others.
    #[error("notify: {0}")]
    NotifyInvalid(String),
    /// ENVID too long or not printable ASCII.
    #[error("envid: must be 1 to 100 printable ASCII characters")]
    EnvidInvalid,
    /// A time that must be in the future is not.
    #[error("{field}: time must be after the composition time")]
    TimeInPast {
        /// The field.
        field: &'static str,
    },
    /// A time cannot be expressed (out of range for RFC 5322 / the SMTP parameter).
    #[error("{field}: time out of range")]
    TimeOutOfRange {
        /// The field.
        field: &'static str,
    },
    /// Both deferredDelivery and holdFor, or latest delivery before deferred delivery.
    #[error("{0}")]
    DeliveryTimesConflict(String),
    /// A language tag is malformed.
    #[error("language: '{0}' is not a valid language tag")]
    LanguageTagInvalid(String),
    /// An attachment MIME type is malformed or not allowed.
    #[error("attachment contentType '{0}' is not a valid type/subtype")]
    ContentTypeInvalid(String),
    /// Attachment or forwarded message data is not valid base64.
    #[error("{field}: data is not valid base64")]
    Base64Invalid {
        /// Which member.
        field: &'static str,
    },
    /// An attachment filename is empty, too long, contains a path or control characters.
    #[error("attachment filename '{0}' is not usable")]
    FilenameInvalid(String),
    /// A forwarded message is not a message we can embed as message/rfc822.
    #[error("forwarded message: {0}")]
    ForwardedInvalid(String),
    /// Too many attachments / forwarded messages.
    #[error("{count} attachments, more than the {max} allowed")]
    TooManyAttachments {
        /// Count.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// `sign` requested but no signer key/certificate supplied.
    #[error("sign requested but no signer key and certificate were supplied")]
    SignerMissing,
    /// `encrypt` requested but no certificate of the sender (encrypt-to-self).
    #[error("encrypt requested but there is no sender certificate to encrypt to")]
    SenderCertificateMissing,
    /// `encrypt` requested but a recipient has no certificate.
    #[error("no certificate for recipient {0}")]
    RecipientCertificateMissing(String),
    /// Security options that do not go together.
    #[error("{0}")]
    SecurityOptionConflict(String),
    /// A certificate given in the request cannot be read.
    #[error("certificate: {0}")]
    CertificateInvalid(String),
    /// The signer's certificate names none of the From / Sender addresses (an originator
    /// signature would be flagged `signer-address-mismatch` by every verifier).
    #[error("the signer certificate does not match the From/Sender address {0}")]
    SignerAddressMismatch(String),
    /// Header protection failed; the code is [`crate::protect::Error`]'s.
    #[error(transparent)]
    Protect(crate::protect::Error),
    /// The ESS security label cannot be encoded.
    #[error("security label: {0}")]
    LabelInvalid(String),
    /// The S/MIME engine refused (key, algorithm, certificate …); the code is its code.
    #[error(transparent)]
    Smime(crate::smime::Error),
    /// The composed message would be larger than allowed.
    #[error("message would be {size} octets, more than the {max} allowed")]
    MessageTooLarge {
        /// Size.
        size: usize,
        /// Limit.
        max: usize,
    },
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::RequestInvalid(_) => "request-invalid",
            Error::RequestTooLarge { .. } => "request-too-large",
            Error::HeaderCrlf { .. } => "header-crlf",
            Error::HeaderControlChar { .. } => "header-control-char",
            Error::HeaderTooLong { .. } => "header-too-long",
            Error::AddressInvalid { .. } => "address-invalid",
            Error::FromMissing => "from-missing",
            Error::SenderRequired => "sender-required",
            Error::NoRecipients => "no-recipients",
            Error::RecipientDuplicate(_) => "recipient-duplicate",
            Error::TooManyRecipients { .. } => "too-many-recipients",
            Error::PrecedenceInvalid { .. } => "precedence-invalid",
            Error::PrimaryPrecedenceMissing => "primary-precedence-missing",
            Error::PrimaryPrecedenceWithoutTo => "primary-precedence-without-to",
            Error::CopyPrecedenceMissing => "copy-precedence-missing",
            Error::CopyPrecedenceWithoutCc => "copy-precedence-without-cc",
            Error::MessageTypeInvalid(_) => "message-type-invalid",
            Error::Field { error, .. } => error.code(),
            Error::MessageIdInvalid { .. } => "message-id-invalid",
            Error::MessageIdDomainInvalid(_) => "message-id-domain-invalid",
            Error::NotifyInvalid(_) => "notify-invalid",
            Error::EnvidInvalid => "envid-invalid",
            Error::TimeInPast { .. } => "time-in-past",
            Error::TimeOutOfRange { .. } => "time-out-of-range",
            Error::DeliveryTimesConflict(_) => "delivery-times-conflict",
            Error::LanguageTagInvalid(_) => "language-tag-invalid",
            Error::ContentTypeInvalid(_) => "content-type-invalid",
            Error::Base64Invalid { .. } => "base64-invalid",
            Error::FilenameInvalid(_) => "filename-invalid",
            Error::ForwardedInvalid(_) => "forwarded-invalid",
            Error::TooManyAttachments { .. } => "too-many-attachments",
            Error::MessageTooLarge { .. } => "message-too-large",
            Error::SignerMissing => "signer-missing",
            Error::SenderCertificateMissing => "sender-certificate-missing",
            Error::RecipientCertificateMissing(_) => "recipient-certificate-missing",
            Error::SecurityOptionConflict(_) => "security-option-conflict",
            Error::CertificateInvalid(_) => "certificate-invalid",
            Error::SignerAddressMismatch(_) => "signer-address-mismatch",
            Error::Protect(e) => e.code(),
            Error::LabelInvalid(_) => "label-invalid",
            Error::Smime(e) => e.code(),
        }
    }
}

/// Size and count limits (defaults suit a webmail; the server may lower them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Recipients over To + Cc + Bcc.
    pub max_recipients: usize,
    /// Attachments + forwarded messages.
    pub max_attachments: usize,
    /// Size of each serialised copy, octets.
    pub max_message_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_recipients: 500,
            max_attachments: 100,
            max_message_bytes: 36 * 1024 * 1024,
        }
    }
}

/// Everything compose needs from outside besides the request and the RNG.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComposeContext {
    /// The composition time: `Date`, default `MMHS-Extended-Authorisation-Info`, and the
    /// reference for relative SMTP times (`BY`) and "in the future" checks.
    pub now: OffsetDateTime,
    /// Right-hand side of generated Message-IDs; default: the domain of the first From.
    pub message_id_domain: Option<String>,
    /// Limits.
    pub limits: Limits,
}

impl ComposeContext {
    /// A context at `now` with default limits and the From domain for Message-IDs.
    pub fn new(now: OffsetDateTime) -> Self {
        ComposeContext {
            now,
            message_id_domain: None,
            limits: Limits::default(),
        }
    }

    /// Set the Message-ID domain.
    pub fn with_message_id_domain(mut self, domain: impl Into<String>) -> Self {
        self.message_id_domain = Some(domain.into());
        self
    }

    /// Set the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// Which recipients a copy is for (informational, for UIs and audit).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CopyKind {
    /// The To/Cc recipients.
    Open,
    /// One Bcc recipient.
    Blind,
}

/// One finished copy: the RFC 5322 message and its SMTP envelope.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComposedMessage {
    /// The message, CRLF line ends.
    #[serde(with = "raw_base64")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "Uint8Array"))]
    pub raw: Vec<u8>,
    /// The envelope.
    pub envelope: Envelope,
    /// Open or blind copy.
    pub kind: CopyKind,
    /// The Message-ID (same for every copy), with `<>`.
    pub message_id: String,
    /// Whether this copy carries Disposition-Notification-To.
    pub receipt_notification: bool,
}

/// JSON form of `raw`: standard base64 (the wasm facade passes bytes as Uint8Array instead).
pub(crate) mod raw_base64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(raw: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(raw))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// Compose `req` into one message per copy (open recipients first, then one per Bcc
/// recipient), all with the same Message-ID. `rng` supplies the Message-ID and the
/// multipart boundaries. Requests with `sign` / `encrypt` need keys: use
/// [`compose_with_keys`].
pub fn compose<R: CryptoRng + ?Sized>(
    req: &ComposeRequest,
    ctx: &ComposeContext,
    rng: &mut R,
) -> Result<Vec<ComposedMessage>, Error> {
    compose_with_keys(req, ctx, &ComposeKeys::default(), rng)
}

/// [`compose_with_keys`] with the key material a facade read ([`ComposeMaterial`]): what the
/// CLI's `mmhs compose` and the wasm `compose` both call.
pub fn compose_with_material<R: CryptoRng + ?Sized>(
    req: &ComposeRequest,
    ctx: &ComposeContext,
    material: &ComposeMaterial,
    rng: &mut R,
) -> Result<Vec<ComposedMessage>, Error> {
    compose_with_keys(req, ctx, &material.keys(), rng)
}

/// [`compose`] with key material for the security step (sign / encrypt / labels / header
/// protection / compression, applied to each copy separately; see [`security`]).
pub fn compose_with_keys<R: CryptoRng + ?Sized>(
    req: &ComposeRequest,
    ctx: &ComposeContext,
    keys: &ComposeKeys<'_>,
    rng: &mut R,
) -> Result<Vec<ComposedMessage>, Error> {
    let checked = fields::check(req, ctx)?;
    let security = security::plan(req, keys)?;
    let message_id = match &req.message_id {
        Some(id) => validate::msg_id("messageId", id)?,
        None => generate_message_id(&checked.message_id_domain, rng),
    };
    let body = body::build(req, ctx, rng)?;
    let copies = plan::plan(req)?;
    let mut out = Vec::with_capacity(copies.len());
    for copy in &copies {
        let mut headers = headers::build(req, ctx, &checked, copy, &message_id)?;
        if let Some(label) = security.sio_label() {
            headers.push(crate::fields::names::SIO_LABEL, label);
        }
        let message = Message {
            headers,
            body: body.clone(),
        };
        // The unsigned copy goes through the security step on its own (each Bcc copy is
        // signed and encrypted separately), then is serialised.
        let raw = security::finish(&message, &security, ctx, &copy.rcpts, rng)?;
        if raw.len() > ctx.limits.max_message_bytes {
            return Err(Error::MessageTooLarge {
                size: raw.len(),
                max: ctx.limits.max_message_bytes,
            });
        }
        let envelope = plan::envelope(req, ctx, &checked, copy, &message_id, &raw)?;
        out.push(ComposedMessage {
            raw,
            envelope,
            kind: copy.kind,
            message_id: message_id.clone(),
            receipt_notification: copy.receipt_notification,
        });
    }
    Ok(out)
}

/// `<32 hex digits from the RNG @ domain>`.
pub(crate) fn generate_message_id<R: CryptoRng + ?Sized>(domain: &str, rng: &mut R) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    let mut left = String::with_capacity(32);
    for b in bytes {
        left.push_str(&format!("{b:02x}"));
    }
    format!("<{left}@{domain}>")
}
