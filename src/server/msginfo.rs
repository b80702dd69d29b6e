//! What the server reads from a message's header section: the summary shown in folder
//! lists, and the few fields the gate, the audit trail and the DSN generator need.
//! Parsing is mail-parser's (RFC 5322); we only pick fields.

use mail_parser::{Address, MessageParser};
use serde::Serialize;

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

fn addrs(a: Option<&Address<'_>>) -> Vec<String> {
    match a {
        None => Vec::new(),
        Some(Address::List(l)) => l
            .iter()
            .filter_map(|x| x.address().map(str::to_string))
            .collect(),
        Some(Address::Group(g)) => g
            .iter()
            .flat_map(|g| g.addresses.iter())
            .filter_map(|x| x.address().map(str::to_string))
            .collect(),
    }
}

fn raw_trim(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parse the header section of `raw`. Never fails: missing fields are `None`/empty.
pub fn message_info(raw: &[u8]) -> MessageInfo {
    let parser = MessageParser::new();
    let Some(msg) = parser.parse_headers(raw) else {
        return MessageInfo::default();
    };
    let mut info = MessageInfo {
        subject: msg.subject().map(str::to_string),
        from: addrs(msg.from()).into_iter().next(),
        sender: addrs(msg.sender()).into_iter().next(),
        to: addrs(msg.to()),
        cc: addrs(msg.cc()),
        message_id: msg.message_id().map(str::to_string),
        date: msg.date().map(|d| d.to_rfc3339()),
        ..MessageInfo::default()
    };
    for h in msg.headers() {
        let name = h.name();
        let Some(value) = raw.get(h.offset_start() as usize..h.offset_end() as usize) else {
            continue;
        };
        let value = String::from_utf8_lossy(value);
        let lname = name.to_ascii_lowercase();
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
                    .parse::<crate::mmhs::date_time::DateTime>()
                    .ok()
                    .map(|d| d.0.unix_timestamp())
            }
            "mmhs-authorizing-users" => {
                info.authorizing_users_fields += 1;
                let list = info.authorizing_users.get_or_insert_with(Vec::new);
                list.extend(parse_address_list(&value));
            }
            _ => {}
        }
    }
    info
}

/// Addresses of an RFC 5322 address-list / mailbox-list value (mail-parser does the work).
pub fn parse_address_list(value: &str) -> Vec<String> {
    let synthetic = format!("To: {}\r\n\r\n", value.trim());
    let parser = MessageParser::new();
    match parser.parse_headers(synthetic.as_bytes()) {
        Some(m) => addrs(m.to()),
        None => Vec::new(),
    }
}

/// The originator for policy purposes (RFC 7912 §5: Sender, else the first From).
pub fn originator(info: &MessageInfo) -> Option<&str> {
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
}
