//! What the server reads from a message's header section: the summary shown in folder
//! lists, and the few fields the gate, the audit trail and the DSN generator need.
//! Fields come from the one header reader, `crate::mime::header::HeaderSection` (RFC 5322),
//! so the server judges the fields the verifier judges; we only pick them.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use crate::fields::address::{addr_specs, exact_addr_specs};
use crate::fields::date_time::DateTime;
use crate::mime::entity;
use crate::mime::header::{Field, HeaderSection};

/// Header summary of a stored or submitted message.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MessageInfo {
    /// `Subject:` (decoded).
    pub subject: Option<String>,
    /// First `From:` address.
    pub from: Option<String>,
    /// `Sender:` address.
    pub sender: Option<String>,
    /// `To:` addresses.
    pub to: Vec<String>,
    /// `Cc:` addresses.
    pub cc: Vec<String>,
    /// `Message-ID:` without angle brackets (the MM identification of profile §5.2/§6.2).
    pub message_id: Option<String>,
    /// `Date:` as RFC 3339.
    pub date: Option<String>,
    /// `MMHS-Primary-Precedence:` raw value (trimmed).
    pub primary_precedence: Option<String>,
    /// `MMHS-Copy-Precedence:` raw value (trimmed).
    pub copy_precedence: Option<String>,
    /// `MMHS-Message-Type:` raw value.
    pub message_type: Option<String>,
    /// `SIO-Label:` raw value.
    pub sio_label: Option<String>,
    /// `MMHS-Extended-Authorisation-Info:` raw value.
    pub extended_authorisation_info: Option<String>,
    /// Addresses of `MMHS-Authorizing-Users:` (None when the field is absent).
    pub authorizing_users: Option<Vec<String>>,
    /// Number of `MMHS-Authorizing-Users:` fields (RFC 7912 §4: more than one is malformed).
    pub authorizing_users_fields: usize,
    /// `Expires:` (RFC 2156; the profile's Expiry Date Indication, §3.4.17) as Unix seconds,
    /// when present and valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
    /// `MT-Priority:` fields' raw values (RFC 6758).
    pub mt_priority_fields: Vec<String>,
    /// Whether any `MMHS-*` header field is present (military message, RFC 7912 §5).
    pub military: bool,
}

fn raw_trim(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parse the header section of `raw` with the one header reader ([`HeaderSection`]), the
/// same fields the verifier reads. Never fails: missing fields are `None`/empty.
pub(crate) fn message_info(raw: &[u8]) -> MessageInfo {
    let Ok(h) = HeaderSection::parse(entity::split(raw).0) else {
        return MessageInfo::default();
    };
    let mut info = MessageInfo {
        subject: h.get("subject").map(Field::display_value),
        from: addr_specs(&h, "from").into_iter().next(),
        sender: addr_specs(&h, "sender").into_iter().next(),
        to: addr_specs(&h, "to"),
        cc: addr_specs(&h, "cc"),
        message_id: h
            .value("message-id")
            .and_then(|v| entity::first_msg_id(&v).map(str::to_string)),
        date: h
            .value("date")
            .and_then(|v| v.trim().parse::<DateTime>().ok())
            .and_then(|d| d.0.format(&Rfc3339).ok()),
        ..MessageInfo::default()
    };
    for f in &h.fields {
        let value = f.unfolded();
        let lname = f.name.to_ascii_lowercase();
        if lname.starts_with("mmhs-") {
            info.military = true;
        }
        match lname.as_str() {
            "mmhs-primary-precedence" => info.primary_precedence = Some(raw_trim(&value)),
            "mmhs-copy-precedence" => info.copy_precedence = Some(raw_trim(&value)),
            "mmhs-message-type" => info.message_type = Some(raw_trim(&value)),
            "sio-label" => info.sio_label = Some(raw_trim(&value)),
            "mmhs-extended-authorisation-info" => {
                info.extended_authorisation_info = Some(raw_trim(&value))
            }
            "mt-priority" => info.mt_priority_fields.push(raw_trim(&value)),
            "expires" => {
                info.expires = value
                    .trim()
                    .parse::<DateTime>()
                    .ok()
                    .map(|d| d.0.unix_timestamp())
            }
            "mmhs-authorizing-users" => {
                info.authorizing_users_fields += 1;
                let list = info.authorizing_users.get_or_insert_with(Vec::new);
                list.extend(exact_addr_specs(&value));
            }
            _ => {}
        }
    }
    info
}

/// The originator for policy purposes (RFC 7912 §5: Sender, else the first From).
#[cfg(test)]
fn originator(info: &MessageInfo) -> Option<&str> {
    info.sender.as_deref().or(info.from.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mmhs_fields() {
        let raw = b"From: Alice <alice@army.example>\r\nTo: bob@navy.example, c@x.example\r\n\
Subject: Hi\r\nMessage-ID: <1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\n\
MMHS-Authorizing-Users: officer@army.example,\r\n other@army.example\r\nMT-Priority: 4\r\n\r\nbody\r\n";
        let i = message_info(raw);
        assert!(i.military);
        assert_eq!(i.from.as_deref(), Some("alice@army.example"));
        assert_eq!(i.to, vec!["bob@navy.example", "c@x.example"]);
        assert_eq!(i.message_id.as_deref(), Some("1@army.example"));
        assert_eq!(i.primary_precedence.as_deref(), Some("4 (flash)"));
        assert_eq!(
            i.authorizing_users,
            Some(vec![
                "officer@army.example".to_string(),
                "other@army.example".to_string()
            ])
        );
        assert_eq!(i.mt_priority_fields, vec!["4"]);
        assert_eq!(originator(&i), Some("alice@army.example"));
    }

    #[test]
    fn plain_message_is_not_military() {
        let i = message_info(b"From: a@b.example\r\n\r\nx");
        assert!(!i.military);
        assert!(i.authorizing_users.is_none());
    }

    #[test]
    fn reads_what_the_verifier_reads() {
        // Obsolete `Name :` syntax (RFC 5322 §4.5.8) is a field here as for the verifier, and
        // a body line is never a field.
        let i = message_info(
            b"From : a@b.example\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nDate: Mon, 23 Nov 2026 12:00:00 +0100\r\n\r\nMMHS-Authorizing-Users: x@y.example\r\n",
        );
        assert_eq!(i.from.as_deref(), Some("a@b.example"));
        assert_eq!(i.subject.as_deref(), Some("café"));
        assert_eq!(i.date.as_deref(), Some("2026-11-23T12:00:00+01:00"));
        assert!(!i.military);
        assert!(i.authorizing_users.is_none());
    }
}
