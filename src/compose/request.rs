//! The compose request: what the webmail extension (or `mmhs compose REQUEST.json`) sends.
//!
//! JSON, camelCase, every field optional except what the profile makes mandatory (checked in
//! [`super::compose`], not by serde, so the error is a typed one). Unknown fields are
//! rejected (`request-invalid`): a misspelt `"expries"` must not silently drop an element of
//! service from a military message. The full schema with one example per element of service
//! of draft-melnikov-mmhs-profile-09 §3 is in `docs/compose.md`.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use super::Error;
use crate::fields::ConversionPolicy;

pub use super::security_request::{
    EncryptRequest, LabelRequest, ProtectHeaders, ProtectHeadersRequest, RecipientCertificate,
    SecretPem, SignRequest, SignerIdentifier, SioLabelRequest,
};

/// Largest JSON request [`ComposeRequest::from_json`] accepts (attachments are base64 inside
/// the JSON, so this bounds the whole message too): the bound of every request.
pub const MAX_REQUEST_BYTES: usize = crate::request::MAX_REQUEST_BYTES;

/// A compose request. See `docs/compose.md` for the meaning of each field and examples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ComposeRequest {
    /// Author(s): `From` (RFC 5322 §3.6.2). One mailbox or an array; at least one.
    #[serde(deserialize_with = "one_or_many")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(
            type = "string | ComposeMailbox | Array<string | ComposeMailbox>",
            optional
        )
    )]
    pub from: Vec<Mailbox>,
    /// Transmitter: `Sender` (Originator Indication, profile §3.4.29). Written when it differs
    /// from a single From, when there are several From, or when authorizing users are given.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "string | ComposeMailbox", optional)
    )]
    pub sender: Option<Mailbox>,
    /// `Reply-To` (RFC 5322 §3.6.2).
    #[serde(deserialize_with = "one_or_many")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(
            type = "string | ComposeMailbox | Array<string | ComposeMailbox>",
            optional
        )
    )]
    pub reply_to: Vec<Mailbox>,
    /// Primary (action) recipients: `To` (profile §3.4.32).
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Array<string | ComposeRecipient>", optional)
    )]
    pub to: Vec<Recipient>,
    /// Copy (information) recipients: `Cc`.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Array<string | ComposeRecipient>", optional)
    )]
    pub cc: Vec<Recipient>,
    /// Blind copy recipients: each gets a separate copy (profile §3.4.5).
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Array<string | ComposeRecipient>", optional)
    )]
    pub bcc: Vec<Recipient>,
    /// `Subject` (Subject Indication, §3.4.39); any Unicode, RFC 2047-encoded as needed.
    pub subject: Option<String>,
    /// Use this Message-ID (with or without `<>`) instead of generating one — e.g. when a
    /// released draft keeps the id its drafter gave it.
    pub message_id: Option<String>,
    /// `In-Reply-To` (Replying MM Indication, §3.4.37): message ids.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub in_reply_to: Vec<String>,
    /// `References` (Cross Referencing Indication, §3.4.9): message ids.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub references: Vec<String>,
    /// `MMHS-Primary-Precedence` (§3.5.1): a name (`"flash"`) or number (`4`, `16`).
    /// Required exactly when there are To recipients.
    pub primary_precedence: Option<NameOrNumber>,
    /// `MMHS-Copy-Precedence` (§3.5.2). Required exactly when there are Cc or Bcc recipients.
    pub copy_precedence: Option<NameOrNumber>,
    /// `MMHS-Message-Type` (§3.5.3).
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "NameOrNumber | MessageTypeRequest", optional)
    )]
    pub message_type: Option<MessageTypeRequest>,
    /// `MMHS-Extended-Authorisation-Info` (§3.5.5, §3.3.2): release time; default: now.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub extended_authorisation_info: Option<OffsetDateTime>,
    /// `Expires` (Expiry Date Indication, §3.4.17). Must be after now.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub expires: Option<OffsetDateTime>,
    /// `Supersedes` (Obsoleting Indication, §3.4.28): ids of the messages this one obsoletes.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub supersedes: Vec<String>,
    /// `MMHS-Subject-Indicator-Codes` (Distribution Code, §3.5.6).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub subject_indicator_codes: Vec<String>,
    /// `MMHS-Handling-Instructions` (§3.6.1).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub handling_instructions: Vec<String>,
    /// `MMHS-Message-Instructions` (§3.5.7).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub message_instructions: Vec<String>,
    /// `MMHS-Originator-Reference` (§3.5.10).
    pub originator_reference: Option<String>,
    /// `MMHS-Codress-Message-Indicator` (§3.6.6).
    pub codress_message_indicator: Option<u64>,
    /// `MMHS-Other-Recipients-Indicator-To` (§3.5.9): designators of primary recipients
    /// reached outside this message.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub other_recipients_indicator_to: Vec<String>,
    /// `MMHS-Other-Recipients-Indicator-CC` (§3.5.9).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub other_recipients_indicator_cc: Vec<String>,
    /// `MMHS-Originator-PLAD` (§3.6.5).
    pub originator_plad: Option<String>,
    /// `MMHS-Acp127-Message-Identifier` (§3.6.4).
    pub acp127_message_identifier: Option<String>,
    /// `MMHS-Exempted-Address` (§3.5.4).
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Array<string | ComposeMailbox>", optional)
    )]
    pub exempted_addresses: Vec<Mailbox>,
    /// `MMHS-Authorizing-Users` (Authorizing Users Indication, §3.4.3; RFC 7912). Forces a
    /// `Sender` field (§3.4.3: "the Sender header field … MUST also be present").
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "Array<string | ComposeMailbox>", optional)
    )]
    pub authorizing_users: Vec<Mailbox>,
    /// Default DSN conditions for every recipient without its own `notify`
    /// (§3.3.7, §3.4.12, §3.4.31): `["failure"]` (the default), `["success","failure","delay"]`,
    /// or `["never"]`.
    pub notify: Option<Vec<NotifyCondition>>,
    /// `RET=` of MAIL FROM (RFC 3461 §4.3): `"full"` or `"hdrs"`.
    pub ret: Option<Ret>,
    /// `ENVID=` (Message Identification, §3.3.6); default: the Message-ID without `<>`.
    pub envid: Option<String>,
    /// Receipt and non-receipt notification (§3.4.27, §3.4.33) for every recipient without its
    /// own `receiptNotification`: adds `Disposition-Notification-To`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub receipt_notification: bool,
    /// Where MDNs go; default: the first From.
    #[serde(deserialize_with = "one_or_many")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(
            type = "string | ComposeMailbox | Array<string | ComposeMailbox>",
            optional
        )
    )]
    pub disposition_notification_to: Vec<Mailbox>,
    /// Deferred Delivery (§3.4.10, RFC 4865 `HOLDUNTIL`): not before this time.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub deferred_delivery: Option<OffsetDateTime>,
    /// Deferred Delivery as a number of seconds (RFC 4865 `HOLDFOR`), 1..=999999999.
    /// At most one of `deferredDelivery` / `holdFor`.
    pub hold_for: Option<u32>,
    /// Latest Delivery Designation (§3.4.24, RFC 2852 `BY`): deliver by this time.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub latest_delivery: Option<OffsetDateTime>,
    /// RFC 2852 by-mode: `"return"` (R, the default: non-delivery report and the message is
    /// dropped, as §3.4.24 describes) or `"notify"` (N: delay DSN, delivery goes on).
    pub latest_delivery_mode: Option<ByMode>,
    /// RFC 2852 by-trace `T`: ask for a delay DSN trace.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub latest_delivery_trace: bool,
    /// `Content-Language` (Language Indication, §3.4.23): BCP 47 tags, e.g. `["en", "fr-CA"]`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub language: Vec<String>,
    /// The body text (a string) or `{ "text": …, "html": … }`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string | Body", optional))]
    pub body: Body,
    /// Attachments (Multi-part Body, §3.4.26).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub attachments: Vec<Attachment>,
    /// Forwarded messages (Forwarded MM Indication, §3.4.19): message/rfc822; forwarded=yes.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub forwarded: Vec<ForwardedMessage>,
    /// `Autoforwarded: TRUE` (Auto-forwarded Indication, §3.4.4) — for an MSA forwarding
    /// automatically.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub autoforwarded: bool,
    /// `Incomplete-Copy` (Incomplete Copy Indication, §3.4.22).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub incomplete_copy: bool,
    /// `Conversion` (Conversion Prohibited, §3.4.7).
    pub conversion: Option<ConversionPolicy>,
    /// `Conversion-With-Loss` (§3.4.8).
    pub conversion_with_loss: Option<ConversionPolicy>,
    /// `Original-Encoded-Information-Types` (§3.3.8), e.g. `["IA5-Text"]`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub original_encoded_information_types: Vec<String>,

    // ---- security (profile §4; the types are in [`super::security_request`])
    /// Sign each copy (RFC 8551 §3.5; the signer key and certificate as PEM, or `true` when
    /// the caller supplies them in [`super::ComposeKeys`]).
    #[serde(deserialize_with = "flag_or")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "boolean | ComposeSignRequest", optional)
    )]
    pub sign: Option<SignRequest>,
    /// Encrypt each copy for its recipients and the sender (RFC 8551 §3.3): the recipient
    /// certificates, or `true` when the caller supplies them in [`super::ComposeKeys`].
    #[serde(deserialize_with = "flag_or")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "boolean | ComposeEncryptRequest", optional)
    )]
    pub encrypt: Option<EncryptRequest>,
    /// Compress the content (RFC 3274 CompressedData), innermost, once (profile §4.2.1.4.1).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub compress: bool,
    /// The security label (also accepted as `securityLabel`): the ESS security label signed
    /// attribute (RFC 2634 §3) and, with `sioLabel`, an `SIO-Label` header field (RFC 7444).
    #[serde(alias = "securityLabel")]
    pub labels: Option<LabelRequest>,
    /// Header protection: `"wrapped"` (default when signing or encrypting), `"injected"`
    /// (RFC 9788) or `"none"`; or `{ "scheme", "policy", "legacyDisplay" }`.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        ts(type = "ProtectHeaders | ProtectHeadersRequest", optional)
    )]
    pub protect_headers: Option<ProtectHeadersRequest>,
}

/// `true` → default options, `false`/absent → `None`, object → those options.
fn flag_or<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Flag(bool),
        Options(T),
    }
    Ok(match Option::<Either<T>>::deserialize(d)? {
        None | Some(Either::Flag(false)) => None,
        Some(Either::Flag(true)) => Some(T::default()),
        Some(Either::Options(o)) => Some(o),
    })
}

impl ComposeRequest {
    /// Parse a JSON request (at most [`MAX_REQUEST_BYTES`]).
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        if json.len() > MAX_REQUEST_BYTES {
            return Err(Error::RequestTooLarge {
                size: json.len(),
                max: MAX_REQUEST_BYTES,
            });
        }
        serde_json::from_slice(json).map_err(|e| Error::RequestInvalid(e.to_string()))
    }
}

/// A mailbox: `{ "name": "Alice", "address": "alice@army.example" }` or just
/// `"alice@army.example"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(rename = "ComposeMailbox", optional_fields)
)]
#[serde(rename_all = "camelCase")]
pub struct Mailbox {
    /// Display name (any Unicode; RFC 2047-encoded when not ASCII).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// addr-spec, ASCII (`local@domain`; IDN domains in A-label form).
    pub address: String,
}

impl<'de> Deserialize<'de> for Mailbox {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Full {
            #[serde(default)]
            name: Option<String>,
            address: String,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Addr(String),
            Full(Full),
        }
        match Either::deserialize(d)? {
            Either::Addr(address) => Ok(Mailbox {
                name: None,
                address,
            }),
            Either::Full(f) => Ok(Mailbox {
                name: f.name,
                address: f.address,
            }),
        }
    }
}

/// A recipient with its per-recipient options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(rename = "ComposeRecipient", optional_fields)
)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// addr-spec.
    pub address: String,
    /// DSN conditions for this recipient (overrides the request's `notify`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<Vec<NotifyCondition>>,
    /// Receipt/non-receipt notification for this recipient (overrides the request's
    /// `receiptNotification`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_notification: Option<bool>,
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Full {
            #[serde(default)]
            name: Option<String>,
            address: String,
            #[serde(default)]
            notify: Option<Vec<NotifyCondition>>,
            #[serde(default)]
            receipt_notification: Option<bool>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Addr(String),
            Full(Full),
        }
        match Either::deserialize(d)? {
            Either::Addr(address) => Ok(Recipient {
                address,
                ..Recipient::default()
            }),
            Either::Full(f) => Ok(Recipient {
                name: f.name,
                address: f.address,
                notify: f.notify,
                receipt_notification: f.receipt_notification,
            }),
        }
    }
}

impl Recipient {
    /// The recipient as a plain mailbox.
    pub fn mailbox(&self) -> Mailbox {
        Mailbox {
            name: self.name.clone(),
            address: self.address.clone(),
        }
    }
}

/// A precedence or message type given by name (`"flash"`) or number (`4`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(untagged)]
pub enum NameOrNumber {
    /// A number.
    Number(u64),
    /// A name or a numeric string.
    Name(String),
}

impl std::fmt::Display for NameOrNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameOrNumber::Number(n) => write!(f, "{n}"),
            NameOrNumber::Name(s) => f.write_str(s),
        }
    }
}

/// `MMHS-Message-Type`: `{ "type": "exercise", "identifier": "CANDLE FISH" }`, or just the
/// type (`"operation"`, `1`, `200`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct MessageTypeRequest {
    /// exercise (0), operation (1), project (2), drill (3), or a number (128–255 national).
    #[serde(rename = "type")]
    pub kind: NameOrNumber,
    /// Optional identifier (military-string, e.g. the exercise name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

impl<'de> Deserialize<'de> for MessageTypeRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Full {
            #[serde(rename = "type")]
            kind: NameOrNumber,
            #[serde(default)]
            identifier: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Kind(NameOrNumber),
            Full(Full),
        }
        match Either::deserialize(d)? {
            Either::Kind(kind) => Ok(MessageTypeRequest {
                kind,
                identifier: None,
            }),
            Either::Full(f) => Ok(MessageTypeRequest {
                kind: f.kind,
                identifier: f.identifier,
            }),
        }
    }
}

/// RFC 3461 §4.1 NOTIFY conditions.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyCondition {
    /// Delivery Notification (§3.4.12).
    Success,
    /// Non-delivery Notification (§3.3.7).
    Failure,
    /// Delay notification.
    Delay,
    /// Prevention of Non-delivery Notification (§3.4.31); must stand alone.
    Never,
}

impl NotifyCondition {
    /// The SMTP keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            NotifyCondition::Success => "SUCCESS",
            NotifyCondition::Failure => "FAILURE",
            NotifyCondition::Delay => "DELAY",
            NotifyCondition::Never => "NEVER",
        }
    }
}

/// RFC 3461 §4.3 RET.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ret {
    /// Return the full message in failure DSNs.
    Full,
    /// Return only the headers.
    Hdrs,
}

impl Ret {
    /// The SMTP keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Ret::Full => "FULL",
            Ret::Hdrs => "HDRS",
        }
    }
}

/// RFC 2852 by-mode.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ByMode {
    /// `R`: return (non-delivery) when the deadline passes.
    Return,
    /// `N`: notify (delay DSN) and keep trying.
    Notify,
}

/// The body: a string (text/plain) or `{ "text": …, "html": … }` (both ⇒
/// multipart/alternative).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Body {
    /// text/plain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// text/html.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Full {
            #[serde(default)]
            text: Option<String>,
            #[serde(default)]
            html: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Full(Full),
        }
        match Either::deserialize(d)? {
            Either::Text(t) => Ok(Body {
                text: Some(t),
                html: None,
            }),
            Either::Full(f) => Ok(Body {
                text: f.text,
                html: f.html,
            }),
        }
    }
}

/// An attachment: bytes in standard base64.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attachment {
    /// File name (any Unicode; RFC 2231-encoded when needed).
    pub filename: String,
    /// MIME type, default `application/octet-stream`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The content, standard base64 (whitespace allowed).
    pub data: String,
    /// `inline` instead of `attachment`.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub inline: bool,
    /// `Content-ID` (without `<>`), for inline images referenced from HTML.
    #[serde(default)]
    pub content_id: Option<String>,
    /// `Content-Description`.
    #[serde(default)]
    pub description: Option<String>,
}

/// A message to forward as `message/rfc822; forwarded=yes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForwardedMessage {
    /// The complete message (header and body), standard base64.
    pub data: String,
    /// `Content-Description`, e.g. the forwarded message's subject.
    #[serde(default)]
    pub description: Option<String>,
}

/// `from` and `replyTo` accept one mailbox or an array.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Mailbox>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        // `Many` first: a struct also deserialises from a sequence.
        Many(Vec<Mailbox>),
        One(Mailbox),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        None => Vec::new(),
        Some(Either::One(m)) => vec![m],
        Some(Either::Many(v)) => v,
    })
}

/// The caller's side of a composition (JSON `ComposeOptions`, the second argument of the wasm
/// `compose`; the CLI's `--now`, `--message-id-domain`, key and `--recipient-cert` flags): the
/// time, the Message-ID domain and the key material [`super::ComposeKeys`] is made of.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComposeOptions {
    /// Composition time (RFC 3339); default: the caller's clock.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub now: Option<OffsetDateTime>,
    /// Right-hand side of the generated Message-ID; default: the domain of the first From.
    #[serde(default)]
    pub message_id_domain: Option<String>,
    /// The signer for `sign` when the request carries no `sign.key`.
    #[serde(default)]
    pub signer: Option<crate::smime::KeyUse>,
    /// Recipient certificates (PEM texts) for `encrypt`, found by e-mail address.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub recipient_certificates: Vec<String>,
}

impl ComposeOptions {
    /// The options' key material: `signer` opened (its key checked against its certificate)
    /// and `recipientCertificates` read (PEM or DER).
    pub fn material(&self) -> Result<super::ComposeMaterial, super::Error> {
        let signer = match &self.signer {
            Some(k) => Some(k.signer().map_err(super::Error::Smime)?),
            None => None,
        };
        let recipient_certificates =
            crate::keys::certificates_from_texts(&self.recipient_certificates)
                .map_err(|e| super::Error::Smime(e.into()))?;
        Ok(super::ComposeMaterial {
            signer,
            recipient_certificates,
        })
    }

    /// The composition context: the options' time, else `now`, and their Message-ID domain.
    pub fn context(&self, now: OffsetDateTime) -> super::ComposeContext {
        let ctx = super::ComposeContext::new(crate::request::time_or(self.now, now));
        match &self.message_id_domain {
            Some(d) => ctx.with_message_id_domain(d.clone()),
            None => ctx,
        }
    }
}
