//! The return-to-sender notice of a rejected release (seed §3 step 3: "it can be discarded or
//! returned to sender"; RFC 7912 §3.3 step 3: "SHOULD return it to the Drafter with a note").
//!
//! We produce an RFC 6522 `multipart/report; report-type=delivery-status` (RFC 3464), because
//! every MUA and the MMHS profile (§5.1 item 5: MUAs MUST process multipart/report with
//! message/delivery-status) already renders it as a non-delivery report, and because it carries
//! machine-readable per-recipient status for tools:
//! 1. `text/plain`: who refused the release, when, and the officer's reason;
//! 2. `message/delivery-status`: `Reporting-MTA: dns; <officer's domain>`, then per recipient
//!    `Final-Recipient: rfc822; …`, `Action: failed`, `Status: 5.7.1` (delivery not authorized,
//!    message refused — RFC 3463) and `Diagnostic-Code: X-MMHS-Release; <reason>`;
//! 3. `text/rfc822-headers`: the drafted message's header section only (like `RET=HDRS`): the
//!    drafter has the content already and the notice should not spread it further.
//!
//! Header fields: From the officer, To the drafter (Sender, else From), `Subject: Not released:
//! <subject>`, `In-Reply-To`/`References` the drafted Message-ID, `Auto-Submitted: auto-replied`
//! (RFC 3834) so that it never triggers another automatic reply, and the drafted message's
//! MMHS precedences so the refusal travels as fast as the message would have.

use super::procedure::{drafter_of, recipients_of};
use crate::mime::encode::{unstructured, Headers, Message, Part};
use crate::mime::entity;
use crate::mime::header::{check_header_value, HeaderSection};
use crate::rng::CryptoRng;

/// Everything the notice says.
#[derive(Debug, Clone)]
pub struct NoticeInput<'a> {
    /// The drafted message (its header section is quoted).
    pub original: &'a [u8],
    /// The refusing officer's address.
    pub officer: &'a str,
    /// The officer's reason (free text, may be non-ASCII and several lines).
    pub reason: &'a str,
    /// The time of the refusal.
    pub now: time::OffsetDateTime,
}

/// Build the notice; returns the raw message and the drafter's address it goes to.
pub fn rejection_notice<R: CryptoRng + ?Sized>(
    input: &NoticeInput<'_>,
    rng: &mut R,
) -> Result<(Vec<u8>, String), super::Error> {
    let (original_header, _) = entity::split(input.original);
    let section = HeaderSection::parse(original_header)
        .map_err(|e| super::Error::Malformed(format!("the drafted message: {e}")))?;
    let drafter = drafter_of(input.original)
        .ok_or_else(|| super::Error::Malformed("the drafted message has no From address".into()))?;
    let rcpts = recipients_of(input.original);
    let subject = section
        .get("subject")
        .map_or_else(|| "(no subject)".to_string(), |f| f.display_value());
    let msgid = section
        .value("message-id")
        .and_then(|v| entity::first_msg_id(&v).map(|id| format!("<{id}>")));
    let original_headers = String::from_utf8_lossy(original_header).replace("\r\n", "\n");

    let mut rnd = [0u8; 24];
    rng.fill_bytes(&mut rnd);
    let token = hex(&rnd);
    let boundary = format!("=_release-notice-{}", token.get(..24).unwrap_or_default());
    let officer_domain = input
        .officer
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("localhost");
    let date = input
        .now
        .format(&time::format_description::well_known::Rfc2822)
        .map_err(|e| super::Error::Malformed(format!("bad time: {e}")))?;
    check_addr(input.officer)?;
    check_addr(&drafter)?;
    let reason_line = input
        .reason
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");

    let mut headers = Headers::new();
    headers.push("From", input.officer);
    headers.push("To", drafter.as_str());
    headers.push(
        "Subject",
        unstructured(&format!(
            "Not released: {}",
            subject.replace(['\r', '\n'], " ")
        )),
    );
    headers.push("Date", date.as_str());
    headers.push(
        "Message-ID",
        format!("<{}@{officer_domain}>", token.get(24..).unwrap_or_default()),
    );
    if let Some(id) = &msgid {
        check_header_value(id).map_err(|e| super::Error::Malformed(e.to_string()))?;
        headers.push("In-Reply-To", id.as_str());
        headers.push("References", id.as_str());
    }
    headers.push("Auto-Submitted", "auto-replied");
    for f in [
        "MMHS-Primary-Precedence",
        "MMHS-Copy-Precedence",
        "MT-Priority",
    ] {
        if let Some(v) = section.get(f) {
            // A folded value is not copied (it is not a precedence this profile writes).
            if let Ok(v) = std::str::from_utf8(v.raw_value) {
                let v = v.trim();
                if !v.contains(['\r', '\n']) {
                    headers.push(f, v);
                }
            }
        }
    }

    // 1. Human-readable part.
    let human = format!(
        "Your message {} \"{subject}\" was NOT released to its recipients.\n\n\
         Refused by: {}\nTime: {date}\nReason:\n{}\n\n\
         The message has not been sent. Revise it and submit it again for release.\n",
        msgid.as_deref().unwrap_or(""),
        input.officer,
        input.reason
    );
    let human = Part::binary(
        "text/plain; charset=utf-8".to_string(),
        human.replace('\n', "\r\n").as_bytes(),
        Headers::new(),
    );

    // 2. The delivery-status part.
    let mut status = format!("Reporting-MTA: dns; {officer_domain}\r\nArrival-Date: {date}\r\n");
    for r in &rcpts {
        check_addr(r)?;
        status.push_str(&format!(
            "\r\nFinal-Recipient: rfc822; {r}\r\nAction: failed\r\nStatus: 5.7.1\r\nDiagnostic-Code: X-MMHS-Release; refused by {}: {}\r\n",
            input.officer,
            ascii_only(&reason_line)
        ));
    }
    let mut status_headers = Headers::new();
    status_headers.push("Content-Type", "message/delivery-status");

    // 3. The drafted message's header section.
    let mut quoted_headers = Headers::new();
    quoted_headers.push("Content-Type", "text/rfc822-headers");

    let body = Part::multipart_with_boundary(
        "report",
        &[("report-type", "delivery-status")],
        boundary,
        b"This is a release-refusal notice in MIME format (RFC 6522).\r\n\r\n",
        vec![
            human,
            Part::leaf(status_headers, status.into_bytes()),
            Part::leaf(
                quoted_headers,
                original_headers.replace('\n', "\r\n").into_bytes(),
            ),
        ],
    );
    let raw = Message { headers, body }
        .to_bytes()
        .map_err(|_| super::Error::Malformed("a header line would exceed 998 octets".into()))?;
    Ok((raw, drafter))
}

fn check_addr(a: &str) -> Result<(), super::Error> {
    if a.contains(['\r', '\n', '\0']) || !a.contains('@') {
        return Err(super::Error::Malformed(format!("unusable address {a:?}")));
    }
    Ok(())
}

fn ascii_only(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::danger::SeededRng;

    const MSG: &[u8] = b"From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nCc: carol@navy.example\r\nSubject: Convoy\r\nMessage-ID: <d1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\n\r\nbody\r\n";

    /// The notice for `original`, refused by officer@army.example for `reason`.
    fn notice(
        original: &[u8],
        reason: &str,
        seed: u64,
    ) -> Result<(Vec<u8>, String), super::super::Error> {
        rejection_notice(
            &NoticeInput {
                original,
                officer: "officer@army.example",
                reason,
                now: time::macros::datetime!(2026-11-23 10:00 UTC),
            },
            &mut SeededRng::new(seed),
        )
    }

    #[test]
    fn notice_is_a_dsn_with_the_reason() {
        let (raw, to) = notice(MSG, "Wrong précédence: use IMMEDIATE", 1).unwrap();
        assert_eq!(to, "alice@army.example");
        let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(m.subject(), Some("Not released: Convoy"));
        assert_eq!(
            m.header_raw("In-Reply-To").map(str::trim),
            Some("<d1@army.example>")
        );
        assert!(m
            .body_text(0)
            .unwrap()
            .contains("Wrong précédence: use IMMEDIATE"));
        let s = String::from_utf8_lossy(&raw);
        assert!(s.contains("report-type=delivery-status"));
        assert!(s.contains(
            "Final-Recipient: rfc822; bob@navy.example\r\nAction: failed\r\nStatus: 5.7.1"
        ));
        assert!(s.contains("Final-Recipient: rfc822; carol@navy.example"));
        assert!(s.contains(
            "Content-Type: text/rfc822-headers\r\n\r\nFrom: Alice <alice@army.example>\r\n"
        ));
        assert!(
            !s.contains("\r\nbody\r\n"),
            "the drafted content is not quoted"
        );
        assert!(s.contains("MMHS-Primary-Precedence: 4 (flash)"));
    }

    #[test]
    fn drafted_fields_cannot_inject_header_fields() {
        // An encoded CR LF in the subject and a folded Message-ID: decoded for the text, they
        // must not become fields of the notice.
        let drafted = b"From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: =?utf-8?q?x=0D=0ABcc:_eve@evil.example?=\r\nMessage-ID:\r\n <d2@army.example>\r\n\r\nbody\r\n";
        let (raw, _) = notice(drafted, "no", 2).unwrap();
        let (head, _) = entity::split(&raw);
        let h = HeaderSection::parse(head).unwrap();
        assert!(h.get("bcc").is_none());
        assert!(h.defects.is_empty(), "{:?}", h.defects);
        assert_eq!(h.value("in-reply-to").unwrap(), "<d2@army.example>");
        assert!(h
            .get("subject")
            .unwrap()
            .display_value()
            .contains("Bcc: eve@evil.example"));
    }

    #[test]
    fn drafter_in_obsolete_syntax_is_found() {
        let drafted = b"From : Alice <alice@army.example>\r\nTo: b@navy.example\r\n\r\n";
        let (_, to) = notice(drafted, "no", 3).unwrap();
        assert_eq!(to, "alice@army.example");
    }

    #[test]
    fn unusable_input() {
        assert!(notice(b"Subject: x\r\n\r\n", "r", 1).is_err());
    }
}
