//! The precedence that applies to one reader of a message.
//!
//! MMHS profile (draft-melnikov-mmhs-profile-09) §3.5.1: MMHS-Primary-Precedence is included
//! "if the military message contains "To:" ("action") addresses"; §3.5.2:
//! MMHS-Copy-Precedence "if the military message contains "Cc:" or "Bcc:" ("information")
//! addresses" (RFC 6477 §3.8, §3.9). So a To recipient acts on the primary precedence and a Cc
//! or Bcc recipient on the copy precedence. A reader listed in no recipient field (delivered
//! through a list, an alias or a Bcc copy whose field was removed) is `notListed`: which
//! precedence applies is not known, and none is claimed.

use serde::{Deserialize, Serialize};

use super::address::AddressList;
use super::inspect::PrecedenceView;
use super::names as n;
use super::precedence::Precedence;
use crate::mime::header::HeaderSection;

/// How the header addresses the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ReaderRole {
    /// In To: an action recipient (primary precedence).
    Action,
    /// In Cc or Bcc (and not in To): an information recipient (copy precedence).
    Information,
    /// In no recipient field.
    NotListed,
}

/// `readerPrecedence` of the MMHS view: `{ "reader", "role", "field"?, "precedence"? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReaderPrecedence {
    /// The reader's address, as given.
    pub reader: String,
    /// Action, information, or not listed.
    pub role: ReaderRole,
    /// The first field naming the reader: `To`, `Cc` or `Bcc` (absent when not listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The precedence for that role (absent when the field for it is absent, or not listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedence: Option<PrecedenceView>,
}

/// Whether any mailbox of any `name` field of `h` is `reader` (case-insensitive addr-spec; a
/// field that does not parse names nobody).
fn lists(h: &HeaderSection<'_>, name: &str, reader: &str) -> bool {
    h.get_all(name).any(|f| {
        f.unfolded()
            .parse::<AddressList>()
            .is_ok_and(|l| l.mailboxes().any(|m| m.same_address(reader)))
    })
}

/// The precedence `reader` acts on, from the header's recipient fields and the parsed
/// primary / copy precedences. To wins over Cc and Bcc: an address both in To and in Cc is an
/// action recipient (the more demanding handling).
pub(crate) fn reader_precedence(
    h: &HeaderSection<'_>,
    reader: &str,
    primary: Option<Precedence>,
    copy: Option<Precedence>,
) -> ReaderPrecedence {
    let found = [
        (n::TO, ReaderRole::Action),
        (n::CC, ReaderRole::Information),
        (n::BCC, ReaderRole::Information),
    ]
    .into_iter()
    .find(|(name, _)| lists(h, name, reader));
    let (role, field) = match found {
        Some((name, role)) => (role, Some(name.to_string())),
        None => (ReaderRole::NotListed, None),
    };
    let precedence = match role {
        ReaderRole::Action => primary,
        ReaderRole::Information => copy,
        ReaderRole::NotListed => None,
    };
    ReaderPrecedence {
        reader: reader.trim().to_string(),
        role,
        field,
        precedence: precedence.map(PrecedenceView::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(head: &str, reader: &str) -> ReaderPrecedence {
        let raw = format!("{head}\r\n");
        let h = HeaderSection::parse(raw.as_bytes()).unwrap();
        let p = |name: &str| {
            h.get(name)
                .and_then(|f| f.unfolded().trim().parse::<Precedence>().ok())
        };
        reader_precedence(
            &h,
            reader,
            p(n::MMHS_PRIMARY_PRECEDENCE),
            p(n::MMHS_COPY_PRECEDENCE),
        )
    }

    const HEAD: &str = "From: alice@army.example\r\nTo: Bob <bob@navy.example>, dave@army.example\r\nCc: carol@airforce.example\r\nMMHS-Primary-Precedence: 4\r\nMMHS-Copy-Precedence: 1\r\n";

    #[test]
    fn action_information_and_not_listed() {
        let bob = view(HEAD, "BOB@navy.example");
        assert_eq!(bob.role, ReaderRole::Action);
        assert_eq!(bob.field.as_deref(), Some("To"));
        assert_eq!(bob.precedence.map(|p| p.value), Some(4));
        let carol = view(HEAD, "carol@airforce.example");
        assert_eq!(carol.role, ReaderRole::Information);
        assert_eq!(carol.precedence.map(|p| p.value), Some(1));
        let eve = view(HEAD, "eve@navy.example");
        assert_eq!(eve.role, ReaderRole::NotListed);
        assert_eq!(eve.precedence, None);
    }

    #[test]
    fn blind_copy_is_information_and_to_wins() {
        let bcc = view("From: a@x.example\r\nTo: b@x.example\r\nBcc: d@x.example\r\nMMHS-Copy-Precedence: 2\r\n", "d@x.example");
        assert_eq!(
            (bcc.role, bcc.field.as_deref()),
            (ReaderRole::Information, Some("Bcc"))
        );
        assert_eq!(bcc.precedence.map(|p| p.value), Some(2));
        // listed in To and in Cc: action
        let both = view("To: b@x.example\r\nCc: b@x.example\r\nMMHS-Primary-Precedence: 5\r\nMMHS-Copy-Precedence: 0\r\n", "b@x.example");
        assert_eq!(
            (both.role, both.precedence.map(|p| p.value)),
            (ReaderRole::Action, Some(5))
        );
    }

    #[test]
    fn display_names_and_comments_do_not_name_the_reader() {
        // The display name shows the reader's address, the addr-spec is someone else's.
        let v = view(
            "To: \"bob@navy.example\" <eve@evil.example>\r\nMMHS-Primary-Precedence: 5\r\n",
            "bob@navy.example",
        );
        assert_eq!(v.role, ReaderRole::NotListed);
        assert_eq!(v.precedence, None);
        // A To field without its precedence: action, no precedence claimed.
        let none = view("To: bob@navy.example\r\n", "bob@navy.example");
        assert_eq!((none.role, none.precedence), (ReaderRole::Action, None));
    }
}
