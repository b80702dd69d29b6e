//! Delivery Status Notifications: `multipart/report; report-type=delivery-status`
//! (RFC 6522, RFC 3464), requested with NOTIFY/RET/ENVID/ORCPT (RFC 3461).
//!
//! ```text
//! delivery-status-content = per-message-fields 1*( CRLF per-recipient-fields )   ; RFC 3464 §2.1
//! per-message:   Reporting-MTA: dns; <host>   [Original-Envelope-Id:]  [Arrival-Date:]
//! per-recipient: [Original-Recipient: rfc822;<addr>]  Final-Recipient: rfc822;<addr>
//!                Action: failed / delayed / delivered / relayed / expanded
//!                Status: <class>.<subject>.<detail>  [Diagnostic-Code:] [Last-Attempt-Date:]
//! ```
//! Third part: `text/rfc822-headers` (headers only: success/delay DSNs, and failures with
//! RET=HDRS or no RET) or `message/rfc822` (failures with RET=FULL) — RFC 3461 §4.3.
//! The DSN carries `MT-Priority:` with the original message's priority (RFC 6710 §7: DSNs
//! SHOULD carry the message's priority) and `Auto-Submitted: auto-replied` (RFC 3834).
//! Pure function: time, ids and boundary are parameters; the message is built with the
//! [`Part`] tree of [`crate::mime::encode`].

use crate::mime::encode::{EncodeError, Headers, Message, Part};
use crate::mime::entity;

/// RFC 3464 §2.3.3 action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Delivered to the recipient's mailbox.
    Delivered,
    /// Delivery failed.
    Failed,
    /// Delayed (still trying, or held — e.g. waiting in a release queue).
    Delayed,
    /// Relayed to a system that does not do DSNs.
    Relayed,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Delivered => "delivered",
            Action::Failed => "failed",
            Action::Delayed => "delayed",
            Action::Relayed => "relayed",
        }
    }
}

/// One recipient's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DsnRecipient {
    /// Final-Recipient (rfc822).
    pub final_recipient: String,
    /// Original-Recipient (ORCPT), if given.
    pub original_recipient: Option<String>,
    /// Action.
    pub action: Action,
    /// Status, e.g. `2.0.0`.
    pub status: String,
    /// Diagnostic-Code text (smtp; ...), if any.
    pub diagnostic: Option<String>,
}

/// Everything a DSN needs.
#[derive(Debug, Clone)]
pub(crate) struct DsnRequest<'a> {
    /// Reporting MTA host name.
    pub reporting_mta: &'a str,
    /// Where the DSN goes (the original reverse-path).
    pub to: &'a str,
    /// ENVID of the original transaction.
    pub envid: Option<&'a str>,
    /// Arrival date of the original (RFC 5322 date-time).
    pub arrival_date: &'a str,
    /// Date of this DSN (RFC 5322 date-time).
    pub date: &'a str,
    /// Message-ID for the DSN (without brackets).
    pub message_id: &'a str,
    /// MIME boundary (caller supplies randomness).
    pub boundary: &'a str,
    /// Priority of the original message (RFC 6710 §7).
    pub priority: i8,
    /// Recipients reported on.
    pub recipients: &'a [DsnRecipient],
    /// Return the full message (RET=FULL and a failure) instead of its header section.
    pub return_full: bool,
    /// The original message.
    pub original: &'a [u8],
}

fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Build the DSN message (CRLF line ends) as a [`Message`] of three parts (RFC 6522 §3).
/// Fails only when a header value has an unbreakable run longer than 998 octets
/// (RFC 5322 §2.1.1).
pub(crate) fn build(req: &DsnRequest<'_>) -> Result<Vec<u8>, EncodeError> {
    let worst = if req.recipients.iter().any(|r| r.action == Action::Failed) {
        "Failure"
    } else if req.recipients.iter().any(|r| r.action == Action::Delayed) {
        "Delay"
    } else if req.recipients.iter().any(|r| r.action == Action::Relayed) {
        "Relayed"
    } else {
        "Success"
    };
    let host = clean(req.reporting_mta);
    let mut headers = Headers::new();
    headers.push(
        "From",
        format!("Mail Delivery System <MAILER-DAEMON@{host}>"),
    );
    headers.push("To", format!("<{}>", clean(req.to)));
    headers.push("Subject", format!("Delivery Status Notification ({worst})"));
    headers.push("Date", clean(req.date));
    headers.push("Message-ID", format!("<{}>", clean(req.message_id)));
    headers.push("Auto-Submitted", "auto-replied");
    if req.priority != 0 {
        headers.push("MT-Priority", req.priority.to_string());
    }
    let content_type = |value: &str| {
        let mut h = Headers::new();
        h.push("Content-Type", value);
        h
    };
    let original = if req.return_full {
        let mut full = req.original.to_vec();
        if !full.ends_with(b"\n") {
            full.extend_from_slice(b"\r\n");
        }
        Part::leaf(content_type("message/rfc822"), full)
    } else {
        Part::leaf(
            content_type("text/rfc822-headers"),
            entity::split(req.original).0.to_vec(),
        )
    };
    let body = Part::multipart_with_boundary(
        "report",
        &[("report-type", "delivery-status")],
        clean(req.boundary),
        b"This is a MIME-encapsulated delivery status notification.\r\n\r\n",
        vec![
            Part::leaf(
                content_type("text/plain; charset=us-ascii"),
                human_readable(req, &host).into_bytes(),
            ),
            Part::leaf(
                content_type("message/delivery-status"),
                delivery_status(req, &host).into_bytes(),
            ),
            original,
        ],
    );
    Message { headers, body }.to_bytes()
}

/// The first part: one sentence per recipient.
fn human_readable(req: &DsnRequest<'_>, host: &str) -> String {
    let mut m = format!("This is the mail system at {host}.\r\n\r\n");
    for r in req.recipients {
        let what = match r.action {
            Action::Delivered => "was delivered to the recipient's mailbox",
            Action::Failed => "could not be delivered",
            Action::Delayed => "has not been delivered yet (it is held; delivery continues)",
            Action::Relayed => "was relayed to a system that does not return notifications",
        };
        m.push_str(&format!(
            "Your message to <{}> {what}. Status {}.\r\n",
            clean(&r.final_recipient),
            clean(&r.status)
        ));
        if let Some(d) = &r.diagnostic {
            m.push_str(&format!("  {}\r\n", clean(d)));
        }
    }
    m
}

/// The `message/delivery-status` body (RFC 3464 §2.1).
fn delivery_status(req: &DsnRequest<'_>, host: &str) -> String {
    let mut m = format!("Reporting-MTA: dns; {host}\r\n");
    if let Some(envid) = req.envid {
        m.push_str(&format!(
            "Original-Envelope-Id: {}\r\n",
            crate::compose::envelope::xtext(envid)
        ));
    }
    m.push_str(&format!("Arrival-Date: {}\r\n", clean(req.arrival_date)));
    for r in req.recipients {
        m.push_str("\r\n");
        if let Some(o) = &r.original_recipient {
            m.push_str(&format!(
                "Original-Recipient: rfc822;{}\r\n",
                crate::compose::envelope::xtext(o)
            ));
        }
        m.push_str(&format!(
            "Final-Recipient: rfc822;{}\r\n",
            clean(&r.final_recipient)
        ));
        m.push_str(&format!("Action: {}\r\n", r.action.as_str()));
        m.push_str(&format!("Status: {}\r\n", clean(&r.status)));
        if let Some(d) = &r.diagnostic {
            m.push_str(&format!("Diagnostic-Code: smtp; {}\r\n", clean(d)));
        }
        m.push_str(&format!("Last-Attempt-Date: {}\r\n", clean(req.date)));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_dsn_parses_as_report() {
        let original =
            b"From: a@x.example\r\nSubject: s\r\nMessage-ID: <m@x>\r\n\r\nsecret body\r\n";
        let rcpts = [DsnRecipient {
            final_recipient: "b@y.example".into(),
            original_recipient: Some("b@y.example".into()),
            action: Action::Delivered,
            status: "2.0.0".into(),
            diagnostic: None,
        }];
        let dsn = build(&DsnRequest {
            reporting_mta: "mta.example",
            to: "a@x.example",
            envid: Some("ENV 1"),
            arrival_date: "Mon, 23 Nov 2026 12:00:00 +0000",
            date: "Mon, 23 Nov 2026 12:00:01 +0000",
            message_id: "dsn1@mta.example",
            boundary: "BOUNDARY",
            priority: 4,
            recipients: &rcpts,
            return_full: false,
            original,
        })
        .unwrap();
        let text = String::from_utf8(dsn.clone()).unwrap();
        assert!(text.contains("report-type=delivery-status"));
        assert!(text.contains("Original-Envelope-Id: ENV+201\r\n"));
        assert!(text.contains("Action: delivered\r\nStatus: 2.0.0\r\n"));
        assert!(text.contains("MT-Priority: 4\r\n"));
        assert!(!text.contains("secret body"), "headers only");
        use mail_parser::MimeHeaders;
        let msg = mail_parser::MessageParser::new().parse(&dsn).unwrap();
        assert_eq!(msg.parts.len(), 4, "multipart + 3 parts");
        let ct = msg.parts[0].content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("report")));
        assert_eq!(ct.attribute("report-type"), Some("delivery-status"));
    }

    #[test]
    fn failure_with_ret_full_carries_the_message_and_clean_fields() {
        let original = b"From: a@x.example\nSubject: s\n\nsecret body";
        let rcpts = [DsnRecipient {
            final_recipient: "b@y.example\r\nBcc: eve@evil.example".into(),
            original_recipient: None,
            action: Action::Failed,
            status: "5.1.1".into(),
            diagnostic: Some("550 no such user".into()),
        }];
        let dsn = build(&DsnRequest {
            reporting_mta: "mta.example\r\nX-Injected: 1",
            to: "a@x.example",
            envid: None,
            arrival_date: "Mon, 23 Nov 2026 12:00:00 +0000",
            date: "Mon, 23 Nov 2026 12:00:01 +0000",
            message_id: "dsn2@mta.example",
            boundary: "=_dsn_0123",
            priority: 0,
            recipients: &rcpts,
            return_full: true,
            original,
        })
        .unwrap();
        let (head, body) = entity::split(&dsn);
        let h = crate::mime::header::HeaderSection::parse(head).unwrap();
        assert!(h.get("x-injected").is_none() && h.get("bcc").is_none());
        assert!(h.defects.is_empty());
        assert_eq!(
            h.value("subject").unwrap(),
            "Delivery Status Notification (Failure)"
        );
        assert!(h.get("mt-priority").is_none());
        let ct = entity::media_type(&h.value("content-type").unwrap());
        assert_eq!(ct.mime, "multipart/report");
        assert_eq!(ct.param("boundary"), Some("=_dsn_0123"));
        let parts = entity::multipart_parts(body, "=_dsn_0123").unwrap();
        assert_eq!(parts.len(), 3);
        assert!(parts[1].ends_with(b"Diagnostic-Code: smtp; 550 no such user\r\nLast-Attempt-Date: Mon, 23 Nov 2026 12:00:01 +0000\r\n"));
        // RET=FULL: the original as it was, with a line end added.
        assert_eq!(
            parts[2],
            &b"Content-Type: message/rfc822\r\n\r\nFrom: a@x.example\nSubject: s\n\nsecret body\r\n"[..]
        );
        assert!(body.ends_with(b"\r\n--=_dsn_0123--\r\n"));
    }
}
