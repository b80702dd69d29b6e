//! Message Disposition Notifications (RFC 8098) sent by a reader who decides to honour a
//! `Disposition-Notification-To` request (draft-melnikov-mmhs-profile-09 §4.1.8 "delivery
//! and read notifications").
//!
//! RFC 8098 §3: the MDN is a `multipart/report` (RFC 6522) with
//! `report-type=disposition-notification`: a human-readable part, the
//! `message/disposition-notification` part (§3.1, §3.2), and optionally the original header
//! section (`text/rfc822-headers`). §2.1: its envelope reverse-path is null (`MAIL FROM:<>`),
//! and it goes to the Disposition-Notification-To address only.
//!
//! ```text
//! disposition-notification-content = [ reporting-ua-field CRLF ]
//!      [ mdn-gateway-field CRLF ] [ original-recipient-field CRLF ]
//!      final-recipient-field CRLF [ original-message-id-field CRLF ]
//!      disposition-field CRLF *( error-field CRLF ) *( extension-field CRLF )
//! disposition-field = "Disposition" ":" OWS disposition-mode OWS ";" OWS disposition-type
//! disposition-mode  = action-mode OWS "/" OWS sending-mode
//! action-mode  = "manual-action" / "automatic-action"
//! sending-mode = "MDN-sent-manually" / "MDN-sent-automatically"
//! disposition-type = "displayed" / "deleted" / "dispatched" / "processed"
//! ```
//!
//! Only `manual-action/MDN-sent-manually` is produced: the reader clicked. RFC 8098 has no
//! "denied" disposition type (RFC 3798's denied/failed are no longer generated), so a refusal
//! is expressed by sending nothing (§2.1: the recipient may refuse to send an MDN).
//!
//! Every value that reaches a header field or the report fields is checked: the reader and
//! the receipt address are addr-specs, the Message-IDs msg-ids; a received
//! `Original-Recipient` or Message-ID that does not parse is left out rather than copied
//! (they come from whoever sent the message). The original header section is included only
//! when the caller gives it — never for an encrypted message, so that no protected field
//! travels in clear.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::envelope::{Envelope, MailParams, Rcpt};
use super::fields::rfc5322_date;
use super::validate::{addr_spec, header_text, msg_id};
use super::Error;
use crate::mime::encode::{normalize_crlf, unstructured, Headers, Message, Part};
use crate::rng::CryptoRng;

/// The longest original Subject quoted in the MDN (characters); longer ones are cut.
pub(crate) const MAX_QUOTED_SUBJECT: usize = 200;
/// The longest Reporting-UA accepted (characters): its line stays far below the 998-octet
/// limit of RFC 5322 §2.1.1.
pub(crate) const MAX_REPORTING_UA: usize = 256;
/// The longest original header section returned as `text/rfc822-headers` (octets).
pub(crate) const MAX_ORIGINAL_HEADERS: usize = 256 * 1024;

/// `disposition-type` (RFC 8098 §3.2.6.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum DispositionType {
    /// The message has been displayed to the user (the only one the extension sends).
    #[default]
    Displayed,
    /// The message has been deleted without being displayed.
    Deleted,
    /// The message has been sent somewhere without being displayed.
    Dispatched,
    /// The message has been processed without being displayed.
    Processed,
}

impl DispositionType {
    /// The keyword of the Disposition field.
    pub fn keyword(self) -> &'static str {
        match self {
            DispositionType::Displayed => "displayed",
            DispositionType::Deleted => "deleted",
            DispositionType::Dispatched => "dispatched",
            DispositionType::Processed => "processed",
        }
    }

    fn human(self) -> &'static str {
        match self {
            DispositionType::Displayed => "has been displayed on the recipient's screen",
            DispositionType::Deleted => "has been deleted without being displayed",
            DispositionType::Dispatched => "has been sent somewhere without being displayed",
            DispositionType::Processed => "has been processed without being displayed",
        }
    }
}

/// What the MDN says. JSON (camelCase) is the wasm `makeMdn` request; unknown fields are
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MdnRequest {
    /// The reader (final recipient) address: the MDN's From and `Final-Recipient`.
    pub reader: String,
    /// Where the MDN goes: the Disposition-Notification-To address.
    pub to: String,
    /// The original Message-ID (with or without angle brackets); left out when absent or
    /// not a msg-id.
    #[serde(default)]
    pub original_message_id: Option<String>,
    /// The original Subject, quoted in the human part and the MDN's Subject.
    #[serde(default)]
    pub original_subject: Option<String>,
    /// The delivered message's `Original-Recipient` field (RFC 8098 §3.2.3,
    /// `rfc822;addr`), copied when it names an addr-spec.
    #[serde(default)]
    pub original_recipient: Option<String>,
    /// The disposition type; default `displayed`.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub disposition: DispositionType,
    /// The original header section to return as `text/rfc822-headers`; omit it for an
    /// encrypted message.
    #[serde(default)]
    pub original_headers: Option<String>,
    /// The `Reporting-UA` field (RFC 8098 §3.2.1): `ua-name [";" ua-product]`.
    pub reporting_ua: String,
    /// The MDN's Message-ID; default: generated from the RNG at the reader's domain.
    #[serde(default)]
    pub message_id: Option<String>,
}

/// A finished MDN and the envelope it is submitted with (null reverse-path, RFC 8098 §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Mdn {
    /// The message (CRLF line ends); standard base64 in JSON (the wasm facade passes a
    /// Uint8Array).
    #[serde(with = "super::raw_base64")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "Uint8Array"))]
    pub raw: Vec<u8>,
    /// Its SMTP envelope.
    pub envelope: Envelope,
    /// The MDN's Message-ID (with angle brackets).
    pub message_id: String,
}

/// Build the MDN of `req` at `now`.
pub fn make_mdn<R: CryptoRng + ?Sized>(
    req: &MdnRequest,
    now: OffsetDateTime,
    rng: &mut R,
) -> Result<Mdn, Error> {
    let reader = req.reader.trim();
    let to = req.to.trim();
    addr_spec("reader", reader)?;
    addr_spec("to", to)?;
    header_text("reportingUa", &req.reporting_ua)?;
    if req.reporting_ua.chars().count() > MAX_REPORTING_UA {
        return Err(Error::HeaderTooLong {
            field: "reportingUa",
        });
    }
    let original_id = req.original_message_id.as_deref().and_then(received_msg_id);
    let original_recipient = req
        .original_recipient
        .as_deref()
        .and_then(received_original_recipient);
    let subject: Option<String> = req
        .original_subject
        .as_deref()
        .map(|s| {
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(MAX_QUOTED_SUBJECT)
                .collect::<String>()
        })
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let message_id = match &req.message_id {
        Some(id) => msg_id("messageId", id)?,
        None => super::generate_message_id(domain_of(reader), rng),
    };
    let date = rfc5322_date("date", now)?;

    let mut headers = Headers::new();
    headers.push("From", reader);
    headers.push("To", to);
    let title = match &subject {
        Some(s) => format!("Disposition notification: {s}"),
        None => "Disposition notification".to_string(),
    };
    headers.push("Subject", unstructured(&title));
    headers.push("Date", date);
    headers.push("Message-ID", message_id.clone());
    if let Some(id) = &original_id {
        headers.push("In-Reply-To", id.clone());
        headers.push("References", id.clone());
    }
    // RFC 3834 §5: an automatic response to a message, so that it never triggers another.
    headers.push("Auto-Submitted", "auto-replied");

    let human = format!(
        "The message{}{}\r\nsent to {reader} {}.\r\nThis is no guarantee that the message has been read or understood.\r\n",
        original_id.as_deref().map(|i| format!(" {i}")).unwrap_or_default(),
        subject
            .as_deref()
            .map(|s| format!(" with the subject \"{s}\""))
            .unwrap_or_default(),
        req.disposition.human(),
    );
    let mut fields = String::new();
    fields.push_str(&format!("Reporting-UA: {}\r\n", req.reporting_ua.trim()));
    if let Some(r) = &original_recipient {
        fields.push_str(&format!("Original-Recipient: rfc822;{r}\r\n"));
    }
    fields.push_str(&format!("Final-Recipient: rfc822;{reader}\r\n"));
    if let Some(id) = &original_id {
        fields.push_str(&format!("Original-Message-ID: {id}\r\n"));
    }
    fields.push_str(&format!(
        "Disposition: manual-action/MDN-sent-manually; {}\r\n",
        req.disposition.keyword()
    ));
    if !fields.is_ascii() {
        // message/disposition-notification is 7bit (RFC 8098 §3.1; the UTF-8 form is
        // message/global-disposition-notification, RFC 6533): only the Reporting-UA can
        // carry anything else, and it came from the caller.
        return Err(Error::HeaderControlChar {
            field: "reportingUa",
        });
    }

    let mut parts = vec![
        Part::text("plain", &human, Headers::new()),
        leaf("message/disposition-notification", fields.into_bytes()),
    ];
    if let Some(h) = &req.original_headers {
        if h.len() > MAX_ORIGINAL_HEADERS {
            return Err(Error::HeaderTooLong {
                field: "originalHeaders",
            });
        }
        let mut body = normalize_crlf(h.trim_end().as_bytes());
        body.extend_from_slice(b"\r\n");
        parts.push(leaf("text/rfc822-headers", body));
    }
    let body = Part::multipart(
        "report",
        &[("report-type", "disposition-notification")],
        parts,
        rng,
    );
    let eight_bit_mime = body.has_8bit();
    let raw = Message { headers, body }
        .to_bytes()
        // the only encoder error: an unbreakable run over 998 octets (RFC 5322 §2.1.1)
        .map_err(|_| Error::HeaderTooLong {
            field: "header line",
        })?;
    Ok(Mdn {
        raw,
        envelope: Envelope {
            mail_from: String::new(),
            mail_params: MailParams {
                eight_bit_mime,
                ..MailParams::default()
            },
            rcpts: vec![Rcpt {
                address: to.to_string(),
                notify: None,
                orcpt: None,
            }],
        },
        message_id,
    })
}

/// A leaf whose body is written as given (7bit or 8bit text, CRLF line ends).
fn leaf(content_type: &str, body: Vec<u8>) -> Part {
    let mut headers = Headers::new();
    headers.push("Content-Type", content_type);
    if !body.is_ascii() {
        headers.push("Content-Transfer-Encoding", "8bit");
    }
    Part::Leaf { headers, body }
}

fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost")
}

/// A received Message-ID in its `<…>` form, or `None` when it is not an RFC 5322 msg-id.
fn received_msg_id(id: &str) -> Option<String> {
    msg_id("originalMessageId", id).ok()
}

/// The addr-spec of a received `Original-Recipient: rfc822;addr`, or `None`.
fn received_original_recipient(v: &str) -> Option<String> {
    let v = v.trim();
    let addr = match v.split_once(';') {
        Some((ty, a)) if ty.trim().eq_ignore_ascii_case("rfc822") => a.trim(),
        Some(_) => return None,
        None => v,
    };
    addr_spec("originalRecipient", addr)
        .ok()
        .map(|()| addr.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;
    use crate::mime::header::{decode_encoded_words, HeaderSection};
    use crate::rng::danger::SeededRng;

    fn base() -> MdnRequest {
        MdnRequest {
            reader: "bob@navy.example".into(),
            to: "alice@army.example".into(),
            original_message_id: Some("<1234.flash@army.example>".into()),
            original_subject: Some("Move at 0600".into()),
            original_recipient: None,
            disposition: DispositionType::Displayed,
            original_headers: Some(
                "From: alice@army.example\nTo: bob@navy.example\nSubject: Move at 0600\n".into(),
            ),
            reporting_ua: "mmhs-extension; test".into(),
            message_id: Some("abcdef@navy.example".into()),
        }
    }

    fn at() -> OffsetDateTime {
        time::macros::datetime!(2026-11-23 12:00:05 UTC)
    }

    fn make(req: &MdnRequest) -> Result<Mdn, Error> {
        make_mdn(req, at(), &mut SeededRng::new(7))
    }

    fn text(m: &Mdn) -> String {
        String::from_utf8(m.raw.clone()).unwrap()
    }

    /// The parts of the top-level multipart/report: (content type line, body).
    fn parts(m: &Mdn) -> Vec<(String, String)> {
        let h = HeaderSection::parse(&m.raw).unwrap();
        let ct = h.value("Content-Type").unwrap().to_string();
        let boundary = ct
            .split("boundary=\"")
            .nth(1)
            .unwrap()
            .trim_end_matches('"');
        let body = String::from_utf8(m.raw[h.body_offset..].to_vec()).unwrap();
        let close = format!("\r\n--{boundary}--");
        let inner = body.split(close.as_str()).next().unwrap();
        inner
            .split(&format!("--{boundary}\r\n"))
            .skip(1)
            .map(|p| {
                let p = p.strip_suffix("\r\n").unwrap_or(p);
                let ph = HeaderSection::parse(p.as_bytes()).unwrap();
                (
                    ph.value("Content-Type").unwrap().to_string(),
                    p[ph.body_offset..].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn a_multipart_report_with_a_null_reverse_path() {
        // RFC 8098 §3 structure, §2.1 envelope
        let m = make(&base()).unwrap();
        assert_eq!(m.envelope.mail_from, "");
        assert_eq!(m.envelope.rcpts.len(), 1);
        assert_eq!(m.envelope.rcpts[0].address, "alice@army.example");
        assert_eq!(m.envelope.mail_from_line(), "MAIL FROM:<>");
        assert_eq!(m.message_id, "<abcdef@navy.example>");
        let raw = text(&m);
        assert!(
            !raw.replace("\r\n", "").contains('\n'),
            "CRLF line ends only"
        );

        let h = HeaderSection::parse(&m.raw).unwrap();
        assert_eq!(h.value("From").as_deref(), Some("bob@navy.example"));
        assert_eq!(h.value("To").as_deref(), Some("alice@army.example"));
        assert_eq!(
            h.value("Date").as_deref(),
            Some("Mon, 23 Nov 2026 12:00:05 +0000")
        );
        assert_eq!(
            h.value("In-Reply-To").as_deref(),
            Some("<1234.flash@army.example>")
        );
        assert_eq!(h.value("Auto-Submitted").as_deref(), Some("auto-replied"));
        assert_eq!(
            h.value("Subject").as_deref(),
            Some("Disposition notification: Move at 0600")
        );
        let ct = h.value("Content-Type").unwrap();
        assert!(ct.starts_with("multipart/report; report-type=disposition-notification;"));

        let p = parts(&m);
        let types: Vec<&str> = p
            .iter()
            .map(|(t, _)| t.split(';').next().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "text/plain",
                "message/disposition-notification",
                "text/rfc822-headers"
            ]
        );
        assert_eq!(
            p[1].1,
            "Reporting-UA: mmhs-extension; test\r\n\
             Final-Recipient: rfc822;bob@navy.example\r\n\
             Original-Message-ID: <1234.flash@army.example>\r\n\
             Disposition: manual-action/MDN-sent-manually; displayed\r\n"
        );
        assert!(p[0].1.contains("has been displayed"));
        assert!(p[2].1.contains("Subject: Move at 0600\r\n"));
    }

    #[test]
    fn header_injection_is_impossible() {
        // the Subject comes from the sender: its CR/LF become spaces, no field is added
        let mut r = base();
        r.original_subject = Some("Hi\r\nBcc: eve@evil.example".into());
        r.original_headers = None;
        r.original_recipient = Some("rfc822;bob@navy.example".into());
        let m = make(&r).unwrap();
        let h = HeaderSection::parse(&m.raw).unwrap();
        assert_eq!(h.count("Bcc"), 0);
        let p = parts(&m);
        assert_eq!(p.len(), 2, "no original header section when none is given");
        assert!(p[1].1.starts_with(
            "Reporting-UA: mmhs-extension; test\r\nOriginal-Recipient: rfc822;bob@navy.example\r\n"
        ));

        // the addresses decide where the MDN goes: refused, never cleaned up
        for (to, reader) in [
            ("alice@army.example>\r\nRCPT TO:<x@y", "bob@navy.example"),
            ("alice@army.example", "not an address"),
            ("", "bob@navy.example"),
            (
                "alice@army.example",
                "bob@navy.example\nBcc: eve@evil.example",
            ),
        ] {
            let mut r = base();
            r.to = to.into();
            r.reader = reader.into();
            let e = make(&r).unwrap_err();
            assert!(
                ["address-invalid", "header-crlf"].contains(&e.code()),
                "{to:?} {reader:?}: {e}"
            );
        }
        let mut r = base();
        r.reporting_ua = "ua\r\nDisposition: manual-action/MDN-sent-manually; deleted".into();
        assert_eq!(make(&r).unwrap_err().code(), "header-crlf");
        let mut r = base();
        r.message_id = Some("<a b@x>".into());
        assert_eq!(make(&r).unwrap_err().code(), "message-id-invalid");
    }

    #[test]
    fn received_values_that_do_not_parse_are_left_out() {
        // Original-Recipient and the original Message-ID are the sender's: copied only
        // when they are an addr-spec / msg-id (RFC 8098 §3.2.3, §3.2.5)
        let mut r = base();
        r.original_recipient = Some("rfc822;bob@navy.example>\r\nX: y".into());
        r.original_message_id = Some("<no at sign>".into());
        let m = make(&r).unwrap();
        let h = HeaderSection::parse(&m.raw).unwrap();
        assert_eq!(h.count("In-Reply-To"), 0);
        assert_eq!(h.count("References"), 0);
        let p = parts(&m);
        assert!(!p[1].1.contains("Original-Recipient"));
        assert!(!p[1].1.contains("Original-Message-ID"));
        r.original_recipient = Some("x400;C=GB".into());
        assert!(!parts(&make(&r).unwrap())[1]
            .1
            .contains("Original-Recipient"));
    }

    #[test]
    fn non_ascii_subjects_are_encoded_words() {
        let mut r = base();
        r.original_subject = Some("Déplacement à 06:00".into());
        let m = make(&r).unwrap();
        let h = HeaderSection::parse(&m.raw).unwrap();
        let raw_subject = h.value("Subject").unwrap().to_string();
        assert!(raw_subject.is_ascii() && raw_subject.contains("=?utf-8?"));
        assert_eq!(
            decode_encoded_words(&raw_subject),
            "Disposition notification: Déplacement à 06:00"
        );
        assert!(m.raw.is_ascii(), "the human part is quoted-printable");
        assert!(!m.envelope.mail_params.eight_bit_mime);
    }

    #[test]
    fn generated_message_id_and_bounded_input() {
        let mut r = base();
        r.message_id = None;
        let m = make(&r).unwrap();
        assert!(m.message_id.starts_with('<') && m.message_id.ends_with("@navy.example>"));
        r.original_headers = Some("X: y\r\n".repeat(MAX_ORIGINAL_HEADERS / 4));
        assert_eq!(make(&r).unwrap_err().code(), "header-too-long");
        r.original_headers = None;
        r.reporting_ua = "u".repeat(MAX_REPORTING_UA + 1);
        assert_eq!(make(&r).unwrap_err().code(), "header-too-long");
        r.reporting_ua = "ua".into();
        r.original_subject = Some("x".repeat(10_000));
        let m = make(&r).unwrap();
        let h = HeaderSection::parse(&m.raw).unwrap();
        let s = h.value("Subject").unwrap();
        assert!(s.len() < "Disposition notification: ".len() + MAX_QUOTED_SUBJECT + 10);
    }

    #[test]
    fn request_json_refuses_unknown_fields() {
        let ok: MdnRequest = serde_json::from_str(
            r#"{"reader":"bob@navy.example","to":"alice@army.example","reportingUa":"ua","disposition":"processed"}"#,
        )
        .unwrap();
        assert_eq!(ok.disposition, DispositionType::Processed);
        assert!(serde_json::from_str::<MdnRequest>(
            r#"{"reader":"bob@navy.example","to":"alice@army.example","reportingUa":"ua","mailFrom":"eve@evil.example"}"#
        )
        .is_err());
        assert!(serde_json::from_str::<MdnRequest>(
            r#"{"reader":"bob@navy.example","to":"alice@army.example","reportingUa":"ua","disposition":"denied"}"#
        )
        .is_err());
    }
}
