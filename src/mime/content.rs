//! What a reader shows of a message's content, once the verifier has removed its S/MIME
//! layers: the displayed header fields, the text body, the attachments, forwarded messages
//! and a delivery or disposition report. Display only: validity is the verifier's.
//!
//! - The shown header section: a `message/rfc822` entity with `forwarded=no` is the wrapped
//!   header-protection form (MMHS profile §4.2.6, draft-melnikov-iana-reg-forwarded §2): its
//!   inner message *is* the message and its header fields are displayed, never the outer
//!   ones. With injected protection (RFC 9788 §2.1) the protected fields follow the outer
//!   ones in the verified content, so the last occurrence of each field is shown.
//! - The body: the first `text/plain` part that is not an attachment (RFC 2046 §5.1.4: of a
//!   `multipart/alternative`, the plain alternative), decoded from its transfer encoding
//!   (RFC 2045 §6) and its `charset` (RFC 2046 §4.1.2). An HTML alternative is noted, never
//!   rendered.
//! - Attachments: the leaf parts with `Content-Disposition: attachment` (RFC 2183 §2.2), a
//!   file name (RFC 2183 §2.3, RFC 2231 §3–§4 continuations and charsets; an RFC 2047 word in
//!   a quoted name is decoded too) or a media type that is not text, each with its index, a
//!   safe file name ([`safe_filename`]), media type and decoded size; [`attachment_bytes`]
//!   gives the decoded octets of one.
//! - Forwarded messages: `message/rfc822` / `message/global` parts (RFC 2046 §5.2.1, RFC 6532
//!   §3.5), shown with their own header fields and text.
//! - Reports: `multipart/report` (RFC 6522) with `message/delivery-status` (RFC 3464 §2.1:
//!   per-message fields, then one group per recipient) or `message/disposition-notification`
//!   (RFC 8098 §3.2).
//!
//! Bounded: the input size, the nesting depth and the number of parts ([`ContentLimits`]);
//! past a limit the reading stops and the view says it is `truncated`.

use serde::{Deserialize, Serialize};

use super::entity::{self, Field, MediaType};
use super::header::{charset_text, decode_encoded_words};
use crate::coded::Coded;

/// The header-protection scheme of a signed or encrypted payload
/// (`report::HeaderProtection::scheme`; what [`read_content`] reads by).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum HpScheme {
    /// `message/rfc822` with `forwarded=no` (MMHS profile §4.2.6, draft-melnikov-iana-reg-
    /// forwarded §2), or the draft `protected-headers="wrapped"`.
    Wrapped,
    /// RFC 9788 `hp="clear"` / `hp="cipher"`, or the draft `protected-headers="v1"`.
    Injected,
    /// No header protection.
    #[default]
    None,
}

impl HpScheme {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            HpScheme::Wrapped => "wrapped",
            HpScheme::Injected => "injected",
            HpScheme::None => "none",
        }
    }
}

impl PartialEq<&str> for HpScheme {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The header fields a reader displays, in this order.
pub const DISPLAY_FIELDS: [&str; 7] = [
    "From",
    "Sender",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
];

/// Longest file name kept (characters): the common file-system limit.
const MAX_FILENAME_CHARS: usize = 255;

/// Bounds on reading content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentLimits {
    /// Largest input (octets): the verifier's own bound on a message.
    pub max_input: usize,
    /// Deepest nesting of multiparts and messages read.
    pub max_depth: usize,
    /// Most MIME entities read.
    pub max_parts: usize,
}

impl Default for ContentLimits {
    fn default() -> Self {
        ContentLimits {
            max_input: 128 * 1024 * 1024,
            max_depth: 8,
            max_parts: 500,
        }
    }
}

/// Errors of reading content; each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than [`ContentLimits::max_input`]. Code `content-too-large`.
    #[error("the content has {size} octets, more than {limit}")]
    TooLarge {
        /// The input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// No attachment has this index. Code `attachment-not-found`.
    #[error("no attachment {index}: the content has {count}")]
    AttachmentNotFound {
        /// The index asked for.
        index: usize,
        /// How many attachments the content has.
        count: usize,
    },
    /// The attachment's transfer encoding cannot be decoded (RFC 2045 §6). Code
    /// `attachment-undecodable`.
    #[error("attachment {index} cannot be decoded: {why}")]
    AttachmentUndecodable {
        /// The attachment's index.
        index: usize,
        /// Why.
        why: String,
    },
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "content-too-large",
            Error::AttachmentNotFound { .. } => "attachment-not-found",
            Error::AttachmentUndecodable { .. } => "attachment-undecodable",
        }
    }
}

/// The request of `readContent` / `attachmentBytes` (`mmhs content`): what the verification
/// report said about header protection.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadContentRequest {
    /// The report's `headerProtection.scheme`: `injected` shows the protected (last)
    /// occurrence of each field; `wrapped` or `injected` mark the headers as protected.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub header_protection: HpScheme,
}

/// Which header section the view displays.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderSource {
    /// The protected header section (wrapped or injected).
    ProtectedInner,
    /// The message's own header section.
    Outer,
}

/// One displayed header field, RFC 2047 words decoded.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisplayField {
    /// The field name as in [`DISPLAY_FIELDS`].
    pub name: String,
    /// Its unfolded, decoded value.
    pub value: String,
}

/// A forwarded message inside the content.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForwardedView {
    /// The `forwarded` parameter of its Content-Type, when present.
    pub forwarded_param: Option<String>,
    /// Its displayed header fields.
    pub headers: Vec<DisplayField>,
    /// Its first text/plain body.
    pub body: Option<String>,
}

/// One attachment of the content.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentInfo {
    /// Its position in [`ContentView::attachments`], the argument of [`attachment_bytes`].
    pub index: usize,
    /// The file name, decoded and made safe ([`safe_filename`]); `None` when it has none.
    pub name: Option<String>,
    /// Its media type (`type/subtype`, lower case).
    pub media_type: String,
    /// Its decoded size in octets.
    pub size: usize,
    /// `Content-Disposition: inline` (RFC 2183 §2.1) rather than attachment.
    pub inline: bool,
}

/// The kind of a report (RFC 6522 `report-type`).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// A delivery status notification (RFC 3464).
    DeliveryStatus,
    /// A message disposition notification (RFC 8098).
    DispositionNotification,
}

/// The class of a status code (RFC 3463 §3.1).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusClass {
    /// `2.X.X`: success.
    Success,
    /// `4.X.X`: persistent transient failure (delayed).
    TransientFailure,
    /// `5.X.X`: permanent failure.
    PermanentFailure,
    /// Anything else.
    Unknown,
}

impl StatusClass {
    /// The class of an RFC 3463 status code.
    pub fn of(status: &str) -> StatusClass {
        match status.trim().split('.').next() {
            Some("2") => StatusClass::Success,
            Some("4") => StatusClass::TransientFailure,
            Some("5") => StatusClass::PermanentFailure,
            _ => StatusClass::Unknown,
        }
    }
}

/// One per-recipient group of a delivery status (RFC 3464 §2.3).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DsnRecipient {
    /// Final-Recipient (else Original-Recipient), without its address type.
    pub recipient: String,
    /// Action (§2.3.3).
    pub action: String,
    /// Status (§2.3.4).
    pub status: String,
    /// The class of `status`.
    pub status_class: StatusClass,
    /// Diagnostic-Code (§2.3.6).
    pub diagnostic: Option<String>,
    /// Remote-MTA (§2.3.5).
    pub remote_mta: Option<String>,
}

/// A delivery or disposition report carried by the content.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    /// Which report.
    pub kind: ReportKind,
    /// Original-Envelope-Id (RFC 3464 §2.2.1).
    pub envelope_id: Option<String>,
    /// Reporting-MTA (RFC 3464 §2.2.2), or Reporting-UA of an MDN (RFC 8098 §3.2.1).
    pub reporting_mta: Option<String>,
    /// Arrival-Date (RFC 3464 §2.2.5).
    pub arrival_date: Option<String>,
    /// The human-readable first part.
    pub human_text: Option<String>,
    /// Per-recipient groups (delivery status only).
    pub recipients: Vec<DsnRecipient>,
    /// Disposition (RFC 8098 §3.2.6).
    pub disposition: Option<String>,
    /// Original-Message-ID (RFC 8098 §3.2.5).
    pub original_message_id: Option<String>,
}

/// What a reader shows of a message's content (the module documentation).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentView {
    /// Which header section `headers` comes from.
    pub header_source: HeaderSource,
    /// The displayed header fields ([`DISPLAY_FIELDS`] present, in that order).
    pub headers: Vec<DisplayField>,
    /// The text body, charset-decoded; `None` when there is no text/plain part.
    pub body: Option<String>,
    /// A text/html part is present (not rendered).
    pub html: bool,
    /// Forwarded messages.
    pub forwarded: Vec<ForwardedView>,
    /// Attachments, in content order.
    pub attachments: Vec<AttachmentInfo>,
    /// The content is an S/MIME layer that was not opened.
    pub opaque: bool,
    /// A delivery or disposition report.
    pub report: Option<DeliveryReport>,
    /// A limit stopped the reading: parts past it are not shown.
    pub truncated: bool,
    /// The header section of the input as received (lossy UTF-8): what a disposition
    /// notification quotes as `text/rfc822-headers` (RFC 8098 §3, RFC 6522 §4).
    pub header_section: String,
    /// The input's `Original-Recipient` field (RFC 8098 §3.2.3), as received.
    pub original_recipient: Option<String>,
}

/// Read the content of a message (the `content` that `verify` returns, or a message as
/// received): see the module documentation.
pub fn read_content(
    raw: &[u8],
    req: &ReadContentRequest,
    limits: &ContentLimits,
) -> Result<ContentView, Error> {
    Ok(Reader::read(raw, req, limits)?.view)
}

/// The decoded octets of attachment `index` of [`read_content`]'s view of the same input.
pub fn attachment_bytes(
    raw: &[u8],
    index: usize,
    req: &ReadContentRequest,
    limits: &ContentLimits,
) -> Result<Vec<u8>, Error> {
    let read = Reader::read(raw, req, limits)?;
    let count = read.bodies.len();
    let (body, cte) = read
        .bodies
        .get(index)
        .ok_or(Error::AttachmentNotFound { index, count })?;
    entity::decode_transfer(body, cte.as_deref())
        .map_err(|why| Error::AttachmentUndecodable { index, why })
}

/// A file name a browser or file system can take as is: the last path segment (no `/`, `\`),
/// without control or bidirectional-override characters (which disguise an extension),
/// `:` replaced, leading dots and trailing dots and spaces removed, at most 255 characters.
/// The message whose header fields a reader is shown in `raw` (the module documentation):
/// inside a `forwarded=no` wrapper, possibly signed, the wrapped message; else `raw`.
pub fn shown_message<'a>(raw: &'a [u8], limits: &ContentLimits) -> &'a [u8] {
    Entity::parse(raw)
        .signed_content(limits.max_depth)
        .wrapped_body()
        .unwrap_or(raw)
}

/// Every text of `raw` a recipient can read, in content order: each `text/plain` part and
/// each `text/html` part as its text (RFC 2046 §4.1, §5.1), decoded from its transfer
/// encoding and charset, attachments and forwarded messages included — what a keyword review
/// searches, so that no alternative, attachment or nested message hides a word. Bounded by
/// the depth and part limits; the input is not size-checked (callers read messages they
/// already hold).
pub fn texts(raw: &[u8], limits: &ContentLimits) -> Texts {
    let mut out = Texts::default();
    let mut parts = 0;
    collect_texts(Entity::parse(raw), 0, limits, &mut parts, &mut out);
    out
}

/// What [`texts`] read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    /// The texts, in content order.
    pub texts: Vec<String>,
    /// Some of the message was not read: more entities or deeper nesting than the limits
    /// allow, or a header section beyond the header reader's limits. A text there is not in
    /// [`Texts::texts`].
    pub truncated: bool,
}

fn collect_texts(
    e: Entity<'_>,
    depth: usize,
    limits: &ContentLimits,
    parts: &mut usize,
    out: &mut Texts,
) {
    *parts += 1;
    if depth > limits.max_depth || *parts > limits.max_parts || e.unreadable {
        out.truncated = true;
        return;
    }
    if let Some(children) = e.parts() {
        for p in children {
            // Past the limit no further part is parsed (each would only be counted).
            if *parts >= limits.max_parts {
                out.truncated = true;
                break;
            }
            collect_texts(Entity::parse(p), depth + 1, limits, parts, out);
        }
    } else if e.is("message/rfc822") || e.is("message/global") {
        // Encoded or not (RFC 2046 §5.2.1 allows neither, an agent may still show one).
        let body =
            entity::decode_transfer(e.body, e.cte().as_deref()).unwrap_or_else(|_| e.body.to_vec());
        collect_texts(Entity::parse(&body), depth + 1, limits, parts, out);
    } else if e.is("text/plain") {
        out.texts.push(e.text());
    } else if e.is("text/html") {
        // mail-parser's HTML reader: tags dropped, entities decoded.
        out.texts
            .push(mail_parser::decoders::html::html_to_text(&e.text()));
    }
}

/// `None` when nothing is left.
pub fn safe_filename(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| if c == ':' { '_' } else { c })
        .collect();
    let trimmed = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    let out: String = trimmed.chars().take(MAX_FILENAME_CHARS).collect();
    (!out.is_empty()).then_some(out)
}

/// Unicode bidirectional embedding, override and isolate controls (UAX #9 §2).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A parameter value as a reader shows it: the media type's parameter (RFC 2231
/// continuations and charsets already decoded by [`entity::media_type`]), with an RFC 2047
/// word in it decoded too, as many agents write one in a file name.
pub fn param_value(mt: &MediaType, name: &str) -> Option<String> {
    mt.param(name).map(|v| decode_encoded_words(v).into_owned())
}

/// The size of a body once transfer-decoded, without decoding base64 (RFC 2045 §6.8: four
/// characters make three octets; white space and padding are not data).
fn decoded_size(body: &[u8], cte: Option<&str>) -> usize {
    match cte.map(str::trim) {
        Some(c) if c.eq_ignore_ascii_case("base64") => {
            let n = body
                .iter()
                .filter(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/')
                .count();
            n / 4 * 3 + (n % 4).saturating_sub(1)
        }
        _ => entity::decode_transfer(body, cte).map_or(body.len(), |d| d.len()),
    }
}

/// One MIME entity: its fields, media type and body.
struct Entity<'a> {
    fields: Vec<Field<'a>>,
    media: MediaType,
    body: &'a [u8],
    /// Its header section is beyond the header reader's limits ([`entity::read_fields`]):
    /// nothing of it is read (no field, an empty body), and a view that meets it is
    /// `truncated`.
    unreadable: bool,
}

impl<'a> Entity<'a> {
    fn parse(raw: &'a [u8]) -> Entity<'a> {
        let (head, body) = entity::split(raw);
        let (fields, body, unreadable) = match entity::read_fields(head) {
            Ok(fields) => (fields, body, false),
            Err(_) => (Vec::new(), &body[..0], true),
        };
        let media = entity::entity_media_type(&fields);
        Entity {
            fields,
            media,
            body,
            unreadable,
        }
    }

    fn value(&self, name: &str) -> Option<&str> {
        entity::field(&self.fields, name).map(|f| f.value.as_str())
    }

    fn cte(&self) -> Option<String> {
        self.value("content-transfer-encoding").map(str::to_string)
    }

    fn is(&self, mime: &str) -> bool {
        self.media.mime == mime
    }

    fn is_message(&self) -> bool {
        // RFC 2046 §5.2.1: only 7bit, 8bit or binary; an encoded one is an attachment.
        (self.is("message/rfc822") || self.is("message/global"))
            && self.cte().is_none_or(|c| {
                let c = c.trim();
                ["7bit", "8bit", "binary"]
                    .iter()
                    .any(|x| c.eq_ignore_ascii_case(x))
            })
    }

    /// The wrapped message when this entity is the wrapped header-protection form: a
    /// `message/rfc822` with `forwarded=no` (MMHS profile §4.2.6,
    /// draft-melnikov-iana-reg-forwarded §2).
    fn wrapped_body(&self) -> Option<&'a [u8]> {
        let wrapped = self.is_message()
            && self
                .media
                .param("forwarded")
                .is_some_and(|f| f.eq_ignore_ascii_case("no"));
        wrapped.then_some(self.body)
    }

    /// The parts of a multipart entity (`None` when not one, or without a usable boundary).
    fn parts(&self) -> Option<entity::MultipartParts<'a>> {
        if !self.media.mime.starts_with("multipart/") {
            return None;
        }
        entity::multipart_iter(self.body, self.media.param("boundary")?)
    }

    /// The signed content of a multipart/signed (RFC 1847 §2.1: the first part), repeatedly.
    fn signed_content(self, depth: usize) -> Entity<'a> {
        if depth == 0 || !self.is("multipart/signed") {
            return self;
        }
        match self.parts().and_then(|mut p| p.next()) {
            Some(first) => Entity::parse(first).signed_content(depth - 1),
            None => self,
        }
    }

    /// The text of a text part, transfer- and charset-decoded (RFC 2046 §4.1.2: US-ASCII
    /// by default).
    fn text(&self) -> String {
        let cte = self.cte();
        let bytes = entity::decode_transfer(self.body, cte.as_deref())
            .unwrap_or_else(|_| self.body.to_vec());
        charset_text(self.media.param("charset").unwrap_or_default(), &bytes).0
    }

    fn disposition(&self) -> Option<MediaType> {
        self.value("content-disposition").map(entity::media_type)
    }

    fn display(&self, last: bool) -> Vec<DisplayField> {
        DISPLAY_FIELDS
            .iter()
            .filter_map(|name| {
                let mut all = self
                    .fields
                    .iter()
                    .filter(|f| f.name.eq_ignore_ascii_case(name));
                let f = if last { all.next_back() } else { all.next() }?;
                Some(DisplayField {
                    name: (*name).to_string(),
                    value: decode_encoded_words(&f.value).into_owned(),
                })
            })
            .collect()
    }
}

/// The walk behind [`read_content`] and [`attachment_bytes`].
struct Reader<'a> {
    limits: ContentLimits,
    parts: usize,
    view: ContentView,
    /// Per attachment: its body and transfer encoding.
    bodies: Vec<(&'a [u8], Option<String>)>,
}

impl<'a> Reader<'a> {
    fn read(
        raw: &'a [u8],
        req: &ReadContentRequest,
        limits: &ContentLimits,
    ) -> Result<Reader<'a>, Error> {
        if raw.len() > limits.max_input {
            return Err(Error::TooLarge {
                size: raw.len(),
                limit: limits.max_input,
            });
        }
        let top = Entity::parse(raw);
        let header_section = String::from_utf8_lossy(entity::split(raw).0).into_owned();
        let original_recipient = top.value("original-recipient").map(str::to_string);
        let injected = req.header_protection == HpScheme::Injected;
        let outer_headers = top.display(injected);
        let content = top.signed_content(limits.max_depth);
        let opaque = content.is("application/pkcs7-mime") || content.is("application/x-pkcs7-mime");
        let wrapped = content.wrapped_body();
        let protected = wrapped.is_some()
            || matches!(
                req.header_protection,
                HpScheme::Wrapped | HpScheme::Injected
            );
        let mut reader = Reader {
            limits: *limits,
            parts: 0,
            view: ContentView {
                header_source: if protected {
                    HeaderSource::ProtectedInner
                } else {
                    HeaderSource::Outer
                },
                headers: outer_headers,
                body: None,
                html: false,
                forwarded: Vec::new(),
                attachments: Vec::new(),
                opaque,
                report: None,
                truncated: false,
                header_section,
                original_recipient,
            },
            bodies: Vec::new(),
        };
        if let Some(body) = wrapped {
            let inner = Entity::parse(body);
            reader.view.headers = inner.display(false);
            reader.walk(inner.signed_content(limits.max_depth), 1, false);
        } else if !opaque {
            reader.walk(content, 0, false);
        }
        Ok(reader)
    }

    /// Whether one more entity at `depth` is within the limits (else the view is truncated).
    fn admit(&mut self, e: &Entity<'_>, depth: usize) -> bool {
        self.parts += 1;
        if depth > self.limits.max_depth || self.parts > self.limits.max_parts || e.unreadable {
            self.view.truncated = true;
            return false;
        }
        true
    }

    fn walk(&mut self, e: Entity<'a>, depth: usize, in_alternative: bool) {
        if !self.admit(&e, depth) {
            return;
        }
        if let Some(parts) = e.parts() {
            // The parts the limit admits, and one more to find the view truncated: a
            // multipart of millions of empty parts is not parsed whole.
            let room = self.limits.max_parts.saturating_sub(self.parts) + 1;
            let entities: Vec<Entity<'a>> =
                parts.into_iter().take(room).map(Entity::parse).collect();
            if e.is("multipart/report") && self.view.report.is_none() {
                self.view.report = self.report(&entities);
            }
            let alternative = e.is("multipart/alternative");
            for p in entities {
                self.walk(p, depth + 1, alternative);
            }
            return;
        }
        if e.is_message() {
            let forwarded = self.forwarded(&e, depth + 1);
            self.view.forwarded.push(forwarded);
            return;
        }
        self.leaf(e, in_alternative);
    }

    fn leaf(&mut self, e: Entity<'a>, in_alternative: bool) {
        let disposition = e.disposition();
        let is_attachment_disposition =
            disposition.as_ref().is_some_and(|d| d.mime == "attachment");
        let name = disposition
            .as_ref()
            .and_then(|d| param_value(d, "filename"))
            .or_else(|| param_value(&e.media, "name"));
        let named = is_attachment_disposition || name.is_some();
        if !named {
            if e.is("text/plain") && self.view.body.is_none() {
                self.view.body = Some(e.text());
                return;
            }
            if e.is("text/html") {
                self.view.html = true;
                return;
            }
            if in_alternative || is_report_part(&e.media.mime) || is_signature(&e.media.mime) {
                return;
            }
        }
        let cte = e.cte();
        self.view.attachments.push(AttachmentInfo {
            index: self.bodies.len(),
            name: name.as_deref().and_then(safe_filename),
            media_type: e.media.mime.clone(),
            size: decoded_size(e.body, cte.as_deref()),
            inline: disposition.is_some_and(|d| d.mime == "inline"),
        });
        self.bodies.push((e.body, cte));
    }

    /// A forwarded message: its header fields and its first text/plain body.
    fn forwarded(&mut self, e: &Entity<'a>, depth: usize) -> ForwardedView {
        let inner = Entity::parse(e.body);
        let headers = inner.display(false);
        let body = self.first_text(inner, depth);
        ForwardedView {
            forwarded_param: e.media.param("forwarded").map(str::to_string),
            headers,
            body,
        }
    }

    /// The first text/plain part, depth first, into nested messages too.
    fn first_text(&mut self, e: Entity<'a>, depth: usize) -> Option<String> {
        if !self.admit(&e, depth) {
            return None;
        }
        if e.is("text/plain") {
            return Some(e.text());
        }
        if let Some(parts) = e.parts() {
            for p in parts {
                if self.parts >= self.limits.max_parts {
                    self.view.truncated = true;
                    return None;
                }
                if let Some(t) = self.first_text(Entity::parse(p), depth + 1) {
                    return Some(t);
                }
            }
            return None;
        }
        if e.is_message() {
            return self.first_text(Entity::parse(e.body), depth + 1);
        }
        None
    }

    /// A `multipart/report`'s parts read as RFC 3464 or RFC 8098 (RFC 6522 §3: the first
    /// part is the human-readable one).
    fn report(&self, parts: &[Entity<'a>]) -> Option<DeliveryReport> {
        let human_text = parts
            .first()
            .filter(|p| p.is("text/plain"))
            .map(Entity::text);
        if let Some(status) = parts.iter().find(|p| p.is("message/delivery-status")) {
            let text = status.text();
            let groups = field_groups(&text);
            let mut groups = groups.iter();
            let per_message = groups.next();
            let get = |g: Option<&Vec<(String, String)>>, n: &str| {
                g.and_then(|g| g.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)))
                    .map(|(_, v)| v.clone())
            };
            let recipients = groups
                .map(|g| {
                    let status = get(Some(g), "Status").unwrap_or_else(|| "?".into());
                    DsnRecipient {
                        recipient: get(Some(g), "Final-Recipient")
                            .or_else(|| get(Some(g), "Original-Recipient"))
                            .map_or_else(|| "?".into(), |r| strip_type(&r)),
                        action: get(Some(g), "Action").unwrap_or_else(|| "?".into()),
                        status_class: StatusClass::of(&status),
                        status,
                        diagnostic: get(Some(g), "Diagnostic-Code"),
                        remote_mta: get(Some(g), "Remote-MTA"),
                    }
                })
                .collect();
            return Some(DeliveryReport {
                kind: ReportKind::DeliveryStatus,
                envelope_id: get(per_message, "Original-Envelope-Id"),
                reporting_mta: get(per_message, "Reporting-MTA"),
                arrival_date: get(per_message, "Arrival-Date"),
                human_text,
                recipients,
                disposition: None,
                original_message_id: None,
            });
        }
        let mdn = parts
            .iter()
            .find(|p| p.is("message/disposition-notification"))?;
        let text = mdn.text();
        let fields = entity::fields(text.as_bytes());
        let get = |n: &str| entity::field(&fields, n).map(|f| f.value.clone());
        Some(DeliveryReport {
            kind: ReportKind::DispositionNotification,
            envelope_id: None,
            reporting_mta: get("Reporting-UA"),
            arrival_date: None,
            human_text,
            recipients: Vec::new(),
            disposition: get("Disposition"),
            original_message_id: get("Original-Message-ID"),
        })
    }
}

/// Parts of a report that the report view shows (RFC 3464 §2.1, RFC 8098 §3.1, RFC 6522 §3).
fn is_report_part(mime: &str) -> bool {
    matches!(
        mime,
        "message/delivery-status"
            | "message/disposition-notification"
            | "message/global-delivery-status"
            | "text/rfc822-headers"
    )
}

/// A detached signature part (RFC 8551 §3.5.3): the verifier's, not an attachment.
fn is_signature(mime: &str) -> bool {
    mime == "application/pkcs7-signature" || mime == "application/x-pkcs7-signature"
}

/// `type; value` → `value` (RFC 3464 §2.3.1 address types).
fn strip_type(v: &str) -> String {
    v.split_once(';').map_or(v, |(_, a)| a).trim().to_string()
}

/// The groups of fields of a delivery-status body (RFC 3464 §2.1: separated by empty lines).
fn field_groups(text: &str) -> Vec<Vec<(String, String)>> {
    let normalized = text.replace("\r\n", "\n");
    normalized
        .split("\n\n")
        .map(|g| {
            let g = format!("{}\n", g.trim_matches('\n'));
            entity::fields(g.as_bytes())
                .into_iter()
                .map(|f| (f.name.to_string(), f.value))
                .collect::<Vec<_>>()
        })
        .filter(|g: &Vec<(String, String)>| !g.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &[u8]) -> ContentView {
        read_content(
            raw,
            &ReadContentRequest::default(),
            &ContentLimits::default(),
        )
        .unwrap()
    }

    const MIXED: &[u8] = b"From: =?utf-8?q?J=C3=B6rg?= <j@army.example>\r\n\
To: bob@navy.example\r\n\
Subject: orders\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Gr=FC=DFe\r\n\
--b1\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment;\r\n filename*0*=utf-8''%C3%BCber%20;\r\n filename*1=\"plan.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
aGVsbG8gd29y\r\nbGQ=\r\n\
--b1\r\n\
Content-Type: text/html; name=\"../../evil.html\"\r\n\
Content-Disposition: attachment\r\n\
\r\n\
<script>alert(1)</script>\r\n\
--b1--\r\n";

    #[test]
    fn charset_body_rfc2231_name_and_sizes() {
        let v = read(MIXED);
        assert_eq!(v.header_source, HeaderSource::Outer);
        assert_eq!(v.body.as_deref(), Some("Grüße"));
        assert_eq!(v.headers[0].value, "Jörg <j@army.example>");
        assert_eq!(v.attachments.len(), 2);
        let pdf = &v.attachments[0];
        assert_eq!(pdf.name.as_deref(), Some("über plan.pdf"));
        assert_eq!(
            (pdf.media_type.as_str(), pdf.size, pdf.index),
            ("application/pdf", 11, 0)
        );
        // A path in the name is reduced to its last segment; an HTML attachment is listed,
        // not taken as the body.
        let html = &v.attachments[1];
        assert_eq!(html.name.as_deref(), Some("evil.html"));
        assert!(!v.html);
        let req = ReadContentRequest::default();
        let lim = ContentLimits::default();
        assert_eq!(
            attachment_bytes(MIXED, 0, &req, &lim).unwrap(),
            b"hello world"
        );
        assert_eq!(
            attachment_bytes(MIXED, 1, &req, &lim).unwrap(),
            b"<script>alert(1)</script>"
        );
        let e = attachment_bytes(MIXED, 2, &req, &lim).unwrap_err();
        assert_eq!(e.code(), "attachment-not-found");
    }

    #[test]
    fn size_matches_decoded_octets() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", b"abcdefghijk"] {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(data);
            let folded = format!("{}\r\n", b64);
            assert_eq!(decoded_size(folded.as_bytes(), Some("base64")), data.len());
        }
        assert_eq!(decoded_size(b"a=3Db=\r\nc", Some("quoted-printable")), 4);
    }

    #[test]
    fn filenames_are_made_safe() {
        assert_eq!(
            safe_filename("C:\\Users\\x\\a.exe").as_deref(),
            Some("a.exe")
        );
        assert_eq!(safe_filename("/etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_filename("..").as_deref(), None);
        assert_eq!(safe_filename("../..").as_deref(), None);
        assert_eq!(safe_filename(".bashrc").as_deref(), Some("bashrc"));
        assert_eq!(safe_filename("a\r\nb\u{0}.txt").as_deref(), Some("ab.txt"));
        // Right-to-left override disguising an executable as a PDF.
        assert_eq!(
            safe_filename("invoice\u{202E}fdp.exe").as_deref(),
            Some("invoicefdp.exe")
        );
        assert_eq!(safe_filename("a:b.txt. ").as_deref(), Some("a_b.txt"));
        assert_eq!(safe_filename(&"x".repeat(300)).map(|s| s.len()), Some(255));
    }

    #[test]
    fn rfc2231_and_rfc2047_parameters() {
        let mt = entity::media_type("application/x; name*=iso-8859-1'de'%FCber.txt");
        assert_eq!(param_value(&mt, "name").as_deref(), Some("über.txt"));
        let mt = entity::media_type("application/x; name=\"=?utf-8?b?w7xiZXIudHh0?=\"");
        assert_eq!(param_value(&mt, "name").as_deref(), Some("über.txt"));
        let mt = entity::media_type("application/x; name*0=\"a\"; name*1=\"b\"; name*3=\"d\"");
        assert_eq!(param_value(&mt, "name").as_deref(), Some("ab"));
    }

    #[test]
    fn wrapped_protection_shows_the_inner_message_and_forwarded_is_boxed() {
        let raw = b"From: outer@army.example\r\nSubject: ...\r\n\
Content-Type: message/rfc822; forwarded=no\r\n\r\n\
From: inner@army.example\r\nSubject: real subject\r\n\
Content-Type: multipart/mixed; boundary=x\r\n\r\n\
--x\r\nContent-Type: text/plain\r\n\r\nbody\r\n\
--x\r\nContent-Type: message/rfc822\r\n\r\n\
From: third@navy.example\r\nSubject: fw\r\n\r\nforwarded text\r\n\
--x--\r\n";
        let v = read(raw);
        assert_eq!(v.header_source, HeaderSource::ProtectedInner);
        assert_eq!(v.headers[0].value, "inner@army.example");
        assert_eq!(v.headers[1].value, "real subject");
        assert_eq!(v.body.as_deref(), Some("body"));
        assert_eq!(v.forwarded.len(), 1);
        assert_eq!(v.forwarded[0].forwarded_param, None);
        assert_eq!(v.forwarded[0].body.as_deref(), Some("forwarded text"));
        assert_eq!(v.forwarded[0].headers[0].value, "third@navy.example");
        // forwarded=yes as the whole content: a forwarded message, not the message.
        let raw = b"From: a@army.example\r\nContent-Type: message/rfc822; forwarded=yes\r\n\r\n\
From: b@army.example\r\n\r\nhi\r\n";
        let v = read(raw);
        assert_eq!(v.header_source, HeaderSource::Outer);
        assert_eq!(v.headers[0].value, "a@army.example");
        assert_eq!(v.body, None);
        assert_eq!(v.forwarded[0].forwarded_param.as_deref(), Some("yes"));
    }

    #[test]
    fn injected_protection_shows_the_last_occurrence() {
        let raw = b"Subject: [...]\r\nFrom: a@army.example\r\n\
Content-Type: text/plain; hp=\"cipher\"\r\nSubject: the real one\r\n\r\nx\r\n";
        let req = ReadContentRequest {
            header_protection: HpScheme::Injected,
        };
        let v = read_content(raw, &req, &ContentLimits::default()).unwrap();
        assert_eq!(v.header_source, HeaderSource::ProtectedInner);
        assert_eq!(v.headers[1].value, "the real one");
    }

    #[test]
    fn signed_content_and_signature_part() {
        let raw = b"From: a@army.example\r\n\
Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\r\n\r\n\
--s\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n\
--a\r\nContent-Type: text/plain\r\n\r\nplain\r\n\
--a\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n\
--a\r\nContent-Type: text/enriched\r\n\r\nx\r\n\
--a--\r\n\
--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n\r\nAAAA\r\n--s--\r\n";
        let v = read(raw);
        assert_eq!(v.body.as_deref(), Some("plain"));
        assert!(v.html);
        assert!(v.attachments.is_empty(), "{:?}", v.attachments);
        let opaque = read(
            b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nMIIB\r\n",
        );
        assert!(opaque.opaque);
        assert!(opaque.attachments.is_empty());
    }

    #[test]
    fn delivery_status_fields() {
        let raw = b"From: MAILER-DAEMON@army.example\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n\
--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
--r\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.army.example\r\nOriginal-Envelope-Id: ENV1\r\n\r\n\
Final-Recipient: rfc822; bob@navy.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 no such user\r\n\r\n\
Original-Recipient: rfc822;carol@navy.example\r\nAction: delayed\r\nStatus: 4.4.1\r\n\
--r\r\nContent-Type: text/rfc822-headers\r\n\r\nSubject: x\r\n--r--\r\n";
        let v = read(raw);
        let r = v.report.unwrap();
        assert_eq!(r.kind, ReportKind::DeliveryStatus);
        assert_eq!(r.reporting_mta.as_deref(), Some("dns; mx.army.example"));
        assert_eq!(r.envelope_id.as_deref(), Some("ENV1"));
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(r.recipients[0].recipient, "bob@navy.example");
        assert_eq!(r.recipients[0].status_class, StatusClass::PermanentFailure);
        assert_eq!(
            r.recipients[0].diagnostic.as_deref(),
            Some("smtp; 550 no such user")
        );
        assert_eq!(r.recipients[1].recipient, "carol@navy.example");
        assert_eq!(r.recipients[1].status_class, StatusClass::TransientFailure);
        assert_eq!(
            r.human_text.as_deref(),
            Some("Your message could not be delivered.")
        );
        assert!(v.attachments.is_empty(), "{:?}", v.attachments);
    }

    #[test]
    fn disposition_notification_fields() {
        let raw = b"Content-Type: multipart/report; report-type=disposition-notification; boundary=r\r\n\r\n\
--r\r\nContent-Type: text/plain\r\n\r\ndisplayed\r\n\
--r\r\nContent-Type: message/disposition-notification\r\n\r\n\
Reporting-UA: ua; x\r\nOriginal-Message-ID: <1@a>\r\n\
Disposition: manual-action/MDN-sent-manually; displayed\r\n--r--\r\n";
        let r = read(raw).report.unwrap();
        assert_eq!(r.kind, ReportKind::DispositionNotification);
        assert_eq!(r.original_message_id.as_deref(), Some("<1@a>"));
        assert_eq!(
            r.disposition.as_deref(),
            Some("manual-action/MDN-sent-manually; displayed")
        );
    }

    #[test]
    fn limits_bound_the_walk() {
        // 40 nested multiparts: read to the depth limit, then truncated.
        let mut raw = String::new();
        for i in 0..40 {
            raw.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
            ));
        }
        raw.push_str("Content-Type: application/octet-stream\r\n\r\nx");
        for i in (0..40).rev() {
            raw.push_str(&format!("\r\n--b{i}--\r\n"));
        }
        let v = read(raw.as_bytes());
        assert!(v.truncated);
        assert!(v.attachments.is_empty());
        // Many parts: at most max_parts entities are read.
        let mut raw = String::from("Content-Type: multipart/mixed; boundary=m\r\n\r\n");
        for _ in 0..50 {
            raw.push_str("--m\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n");
        }
        raw.push_str("--m--\r\n");
        let limits = ContentLimits {
            max_parts: 10,
            ..ContentLimits::default()
        };
        let v = read_content(raw.as_bytes(), &ReadContentRequest::default(), &limits).unwrap();
        assert!(v.truncated);
        assert_eq!(v.attachments.len(), 9);
        let small = ContentLimits {
            max_input: 4,
            ..ContentLimits::default()
        };
        let e = read_content(b"hello", &ReadContentRequest::default(), &small).unwrap_err();
        assert_eq!(e.code(), "content-too-large");
    }

    #[test]
    fn what_is_not_read_is_said() {
        // A million empty parts (7 MB): the entities within the part limit are parsed, not
        // every one (each parsed entity takes about twenty times its octets).
        let mut raw = String::from("Content-Type: multipart/mixed; boundary=m\r\n\r\n");
        raw.push_str(&"--m\r\n\r\n".repeat(1_000_000));
        raw.push_str("--m--\r\n");
        let v = read(raw.as_bytes());
        assert!(v.truncated);
        let lim = ContentLimits::default();
        let t = texts(raw.as_bytes(), &lim);
        assert!(t.truncated);
        assert_eq!(t.texts.len(), lim.max_parts - 1);
        // A part whose header section is beyond the header reader's limits is not read: no
        // attachment, no text from it, and the view and the texts say so.
        let many: String = (0..10_001).map(|i| format!("X-F{i}: v\r\n")).collect();
        let raw = format!(
            "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\r\nfirst\r\n\
             --m\r\n{many}Content-Type: text/plain\r\n\r\nsecret\r\n--m--\r\n"
        );
        let v = read(raw.as_bytes());
        assert!(v.truncated);
        assert_eq!(v.body.as_deref(), Some("first"));
        assert!(v.attachments.is_empty());
        let t = texts(raw.as_bytes(), &lim);
        assert!(t.truncated);
        assert_eq!(t.texts, vec!["first".to_string()]);
        // Its own header section alike: the raw section is still there to show.
        let raw = format!("{many}Content-Type: text/plain\r\n\r\nsecret\r\n");
        let v = read(raw.as_bytes());
        assert!(v.truncated && v.body.is_none() && v.headers.is_empty());
        assert!(v.header_section.starts_with("X-F0: v\r\n"));
        // Within the limits, nothing is said.
        let t = texts(b"Content-Type: text/plain\r\n\r\nclear\r\n", &lim);
        assert!(!t.truncated);
        assert_eq!(t.texts, vec!["clear\r\n".to_string()]);
    }

    #[test]
    fn encoded_message_rfc822_is_an_attachment() {
        // RFC 2046 §5.2.1 forbids encoding message/rfc822: it is offered as a file, not read.
        let raw = b"Content-Type: multipart/mixed; boundary=m\r\n\r\n\
--m\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nRnJvbTogeA0KDQp5\r\n--m--\r\n";
        let v = read(raw);
        assert!(v.forwarded.is_empty());
        assert_eq!(v.attachments[0].media_type, "message/rfc822");
        assert_eq!(v.attachments[0].size, 12);
    }
}
