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

use base64::Engine;

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
    let orig = input.original;
    let msg = mail_parser::MessageParser::default()
        .parse_headers(orig)
        .ok_or_else(|| super::Error::Malformed("the drafted message cannot be parsed".into()))?;
    let first = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|x| x.address())
            .map(str::to_string)
    };
    let drafter = first(msg.sender())
        .or_else(|| first(msg.from()))
        .ok_or_else(|| super::Error::Malformed("the drafted message has no From address".into()))?;
    let mut rcpts: Vec<String> = Vec::new();
    for a in [msg.to(), msg.cc(), msg.bcc()].into_iter().flatten() {
        rcpts.extend(a.iter().filter_map(|x| x.address().map(str::to_string)));
    }
    let subject = msg.subject().unwrap_or("(no subject)").to_string();
    let msgid = msg.message_id().map(|m| format!("<{m}>"));
    let header_end = find_header_end(orig);
    let original_headers = String::from_utf8_lossy(&orig[..header_end]).replace("\r\n", "\n");

    let mut rnd = [0u8; 24];
    rng.fill_bytes(&mut rnd);
    let token = hex(&rnd);
    let boundary = format!("=_release-notice-{}", &token[..24]);
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

    let mut out = String::new();
    let mut h = |name: &str, value: &str| {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    };
    h("From", input.officer);
    h("To", &drafter);
    h("Subject", &encode_word(&format!("Not released: {subject}")));
    h("Date", &date);
    h(
        "Message-ID",
        &format!("<{}@{officer_domain}>", &token[24..]),
    );
    if let Some(id) = &msgid {
        h("In-Reply-To", id);
        h("References", id);
    }
    h("Auto-Submitted", "auto-replied");
    for f in [
        "MMHS-Primary-Precedence",
        "MMHS-Copy-Precedence",
        "MT-Priority",
    ] {
        if let Some(v) = msg.header_raw(f) {
            let v = v.trim();
            if !v.contains(['\r', '\n']) {
                h(f, v);
            }
        }
    }
    h("MIME-Version", "1.0");
    h(
        "Content-Type",
        &format!("multipart/report; report-type=delivery-status;\r\n boundary=\"{boundary}\""),
    );
    out.push_str("\r\n");
    out.push_str("This is a release-refusal notice in MIME format (RFC 6522).\r\n");

    // 1. Human-readable part.
    out.push_str(&format!("\r\n--{boundary}\r\n"));
    out.push_str(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    let human = format!(
        "Your message {} \"{subject}\" was NOT released to its recipients.\n\n\
         Refused by: {}\nTime: {date}\nReason:\n{}\n\n\
         The message has not been sent. Revise it and submit it again for release.\n",
        msgid.as_deref().unwrap_or(""),
        input.officer,
        input.reason
    );
    out.push_str(&wrap76(
        &base64::engine::general_purpose::STANDARD.encode(human.replace('\n', "\r\n")),
    ));

    // 2. The delivery-status part.
    out.push_str(&format!("\r\n--{boundary}\r\n"));
    out.push_str("Content-Type: message/delivery-status\r\n\r\n");
    out.push_str(&format!(
        "Reporting-MTA: dns; {officer_domain}\r\nArrival-Date: {date}\r\n"
    ));
    for r in &rcpts {
        check_addr(r)?;
        out.push_str(&format!(
            "\r\nFinal-Recipient: rfc822; {r}\r\nAction: failed\r\nStatus: 5.7.1\r\nDiagnostic-Code: X-MMHS-Release; refused by {}: {}\r\n",
            input.officer,
            ascii_only(&reason_line)
        ));
    }

    // 3. The drafted message's header section.
    out.push_str(&format!("\r\n--{boundary}\r\n"));
    out.push_str("Content-Type: text/rfc822-headers\r\n\r\n");
    out.push_str(&original_headers.replace('\n', "\r\n"));
    out.push_str(&format!("\r\n--{boundary}--\r\n"));
    Ok((out.into_bytes(), drafter))
}

fn find_header_end(raw: &[u8]) -> usize {
    for (i, w) in raw.windows(2).enumerate() {
        if w == b"\n\n" {
            return i + 1;
        }
        if i + 4 <= raw.len() && &raw[i..i + 4] == b"\r\n\r\n" {
            return i + 2;
        }
    }
    raw.len()
}

fn check_addr(a: &str) -> Result<(), super::Error> {
    if a.contains(['\r', '\n', '\0']) || !a.contains('@') {
        return Err(super::Error::Malformed(format!("unusable address {a:?}")));
    }
    Ok(())
}

/// RFC 2047 B-encoding for non-ASCII header text (one encoded-word per 45 input bytes).
fn encode_word(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    if s.is_ascii() {
        return s;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    words
        .iter()
        .map(|w| {
            format!(
                "=?UTF-8?B?{}?=",
                base64::engine::general_purpose::STANDARD.encode(w)
            )
        })
        .collect::<Vec<_>>()
        .join("\r\n ")
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

fn wrap76(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 38);
    for chunk in s.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::danger::SeededRng;

    const MSG: &[u8] = b"From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nCc: carol@navy.example\r\nSubject: Convoy\r\nMessage-ID: <d1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\n\r\nbody\r\n";

    #[test]
    fn notice_is_a_dsn_with_the_reason() {
        let mut rng = SeededRng::new(1);
        let (raw, to) = rejection_notice(
            &NoticeInput {
                original: MSG,
                officer: "officer@army.example",
                reason: "Wrong précédence: use IMMEDIATE",
                now: time::macros::datetime!(2026-11-23 10:00 UTC),
            },
            &mut rng,
        )
        .unwrap();
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
    fn unusable_input() {
        let mut rng = SeededRng::new(1);
        let e = rejection_notice(
            &NoticeInput {
                original: b"Subject: x\r\n\r\n",
                officer: "officer@army.example",
                reason: "r",
                now: time::OffsetDateTime::UNIX_EPOCH,
            },
            &mut rng,
        );
        assert!(e.is_err());
    }
}
