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
//! Pure function: time, ids and boundary are parameters.

/// RFC 3464 §2.3.3 action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
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
pub struct DsnRecipient {
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
pub struct DsnRequest<'a> {
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

/// The header section of a message (up to and including the blank line, without it).
pub fn header_section(raw: &[u8]) -> &[u8] {
    let mut i = 0;
    while i < raw.len() {
        if raw.get(i..i + 4) == Some(b"\r\n\r\n") {
            return raw.get(..i + 2).unwrap_or(raw);
        }
        if raw.get(i..i + 2) == Some(b"\n\n") {
            return raw.get(..i + 1).unwrap_or(raw);
        }
        i += 1;
    }
    raw
}

fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Build the DSN message (CRLF line ends).
pub fn build(req: &DsnRequest<'_>) -> Vec<u8> {
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
    let b = clean(req.boundary);
    let mut m = String::new();
    m.push_str(&format!(
        "From: Mail Delivery System <MAILER-DAEMON@{host}>\r\n"
    ));
    m.push_str(&format!("To: <{}>\r\n", clean(req.to)));
    m.push_str(&format!(
        "Subject: Delivery Status Notification ({worst})\r\n"
    ));
    m.push_str(&format!("Date: {}\r\n", clean(req.date)));
    m.push_str(&format!("Message-ID: <{}>\r\n", clean(req.message_id)));
    m.push_str("Auto-Submitted: auto-replied\r\n");
    if req.priority != 0 {
        m.push_str(&format!("MT-Priority: {}\r\n", req.priority));
    }
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str(&format!(
        "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{b}\"\r\n\r\n"
    ));
    m.push_str("This is a MIME-encapsulated delivery status notification.\r\n\r\n");
    // 1. human-readable part
    m.push_str(&format!(
        "--{b}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    ));
    m.push_str(&format!("This is the mail system at {host}.\r\n\r\n"));
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
    // 2. message/delivery-status
    m.push_str(&format!(
        "\r\n--{b}\r\nContent-Type: message/delivery-status\r\n\r\n"
    ));
    m.push_str(&format!("Reporting-MTA: dns; {host}\r\n"));
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
    // 3. the original (headers or full)
    let mut out = m.into_bytes();
    if req.return_full {
        out.extend_from_slice(
            format!("\r\n--{b}\r\nContent-Type: message/rfc822\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(req.original);
        if !req.original.ends_with(b"\n") {
            out.extend_from_slice(b"\r\n");
        }
    } else {
        out.extend_from_slice(
            format!("\r\n--{b}\r\nContent-Type: text/rfc822-headers\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(header_section(req.original));
    }
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    out
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
        });
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
}
