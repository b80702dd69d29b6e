//! MMHS-Authorizing-Users — [RFC 7912 §4](https://www.rfc-editor.org/rfc/rfc7912#section-4)
//! (seed: draft-melnikov-mmhs-authorizing-users-00 §4).
//!
//! ```text
//! ; RFC 7912
//! MMHS-Authorizing-Users = "MMHS-Authorizing-Users:" mailbox-list CRLF
//! ; draft-melnikov-mmhs-authorizing-users-00
//! MMHS-Authorizing-Users = "MMHS-Authorizing-Users:" [FWS] address-list [FWS] CRLF
//! ```
//!
//! The field MUST NOT occur more than once (several instances make the message malformed;
//! `inspect` reports `mmhs-duplicate-field`). On receipt both grammars are accepted (an
//! address-list, groups included — RFC 7912 §3 mentions groups to hide identities); on
//! generation the list is written as given (use mailboxes only for strict RFC 7912 output).
//! [`AuthorizingUsers::append`] implements step 4 of the authorizing UA procedure (RFC 7912
//! §3.3): append the authorizer's address at the end unless it is already present
//! (case-insensitive addr-spec comparison).
//!
//! JSON: the address-list form of [`super::address`] (an array).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::address::{Address, AddressList, Mailbox};
use super::Error;

/// The authorizing users (release officers) of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(transparent)]
pub struct AuthorizingUsers(pub AddressList);

impl AuthorizingUsers {
    /// An empty list (nothing to format until an address is appended).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the addr-spec is listed (case-insensitive), in a group or not.
    pub fn contains(&self, address: &str) -> bool {
        self.0.mailboxes().any(|m| m.same_address(address))
    }

    /// Append `mailbox` at the end unless its address is already present. Returns whether it
    /// was added. The mailbox is checked (addr-spec syntax, no CR/LF/NUL).
    pub fn append(&mut self, mailbox: Mailbox) -> Result<bool, Error> {
        AddressList(vec![Address::Mailbox(mailbox.clone())]).validate()?;
        if self.contains(&mailbox.address) {
            return Ok(false);
        }
        self.0 .0.push(Address::Mailbox(mailbox));
        Ok(true)
    }

    /// Remove every occurrence of the addr-spec (case-insensitive), also from groups; empty
    /// groups are kept (they hide identities). Returns whether anything was removed.
    pub fn remove(&mut self, address: &str) -> bool {
        let before = self.0.mailboxes().count();
        self.0 .0.retain(|a| match a {
            Address::Mailbox(m) => !m.same_address(address),
            Address::Group { .. } => true,
        });
        for a in &mut self.0 .0 {
            if let Address::Group { members, .. } = a {
                members.retain(|m| !m.same_address(address));
            }
        }
        self.0.mailboxes().count() != before
    }

    /// The listed mailboxes, groups flattened, in order.
    pub fn mailboxes(&self) -> impl Iterator<Item = &Mailbox> {
        self.0.mailboxes()
    }

    /// Whether the list is empty (no field should then be written).
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }

    /// Whether this uses only mailboxes (the RFC 7912 `mailbox-list` form).
    pub fn is_mailbox_list(&self) -> bool {
        !self.0.has_groups()
    }
}

impl FromStr for AuthorizingUsers {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        s.parse().map(AuthorizingUsers)
    }
}

impl fmt::Display for AuthorizingUsers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_and_remove() {
        let mut u: AuthorizingUsers = "Releaser One <rel1@hq.example.mil>".parse().unwrap();
        assert!(!u
            .append(Mailbox::new("REL1@HQ.EXAMPLE.MIL").unwrap())
            .unwrap());
        assert!(u
            .append(Mailbox {
                name: Some("Releaser Two".into()),
                address: "rel2@hq.example.mil".into()
            })
            .unwrap());
        assert_eq!(
            u.to_string(),
            "Releaser One <rel1@hq.example.mil>, Releaser Two <rel2@hq.example.mil>"
        );
        assert_eq!(u.to_string().parse::<AuthorizingUsers>().unwrap(), u);
        assert!(u.contains("Rel2@hq.example.mil"));
        assert!(u.remove("rel1@HQ.example.mil"));
        assert!(!u.remove("nobody@x"));
        assert_eq!(u.to_string(), "Releaser Two <rel2@hq.example.mil>");
        assert!(u.is_mailbox_list());
        assert!(u
            .append(Mailbox {
                name: None,
                address: "bad".into()
            })
            .is_err());
    }

    #[test]
    fn groups_accepted() {
        let u: AuthorizingUsers = "Release Office: a@x.mil, b@x.mil;".parse().unwrap();
        assert!(!u.is_mailbox_list());
        assert!(u.contains("b@x.mil"));
        let mut u2 = u.clone();
        assert!(u2.remove("a@x.mil"));
        assert_eq!(u2.to_string(), "Release Office: b@x.mil;");
    }
}
