//! MIXER mapping of the originator and authorizing users (draft-melnikov-mmhs-authorizing-users
//! §5, unchanged in RFC 7912 §5), updating RFC 2156.
//!
//! §5.1 RFC 5322 → X.400:
//! - without `MMHS-Authorizing-Users`, From and Sender map as RFC 2156 says: `Sender` →
//!   `IPMS.Heading.originator` and the `From` addresses → `IPMS.Heading.authorizing-users`;
//!   with no `Sender`, the (single) `From` address → originator;
//! - with `MMHS-Authorizing-Users`: the `Sender` (if present) → originator and all `From`
//!   addresses plus the field's addresses → authorizing-users; with no `Sender`, the first
//!   `From` address → originator and the remaining `From` addresses plus the field's addresses
//!   → authorizing-users.
//!
//! §5.2 X.400 → RFC 5322: a message is military when any MMHS heading extension is present
//! (or by configuration: all messages are military). Military: originator → `From`,
//! authorizing-users → `MMHS-Authorizing-Users`. Otherwise RFC 2156: with authorizing-users,
//! they → `From` and the originator → `Sender`; without, originator → `From`.
//!
//! Addresses are RFC 822 forms after MIXER's O/R address mapping (RFC 2156 §4), which is out of
//! this module's scope.

use serde::{Deserialize, Serialize};

/// The RFC 5322 side of the mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct InternetHeading {
    /// `From` addresses, in order.
    pub from: Vec<String>,
    /// `Sender` address, if any.
    pub sender: Option<String>,
    /// `MMHS-Authorizing-Users` addresses; `None` when the field is absent.
    pub authorizing_users: Option<Vec<String>>,
}

/// The X.400 IPMS heading side of the mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct IpmsHeading {
    /// `IPMS.Heading.originator`.
    pub originator: Option<String>,
    /// `IPMS.Heading.authorizing-users`.
    pub authorizing_users: Vec<String>,
    /// Names of the MMHS heading extensions present (STANAG 4406 / ACP 123), e.g.
    /// `"primary-precedence"`; any makes the message military (§5.2).
    pub heading_extensions: Vec<String>,
}

/// Which rule a mapping applied, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum MixerRule {
    /// Plain RFC 2156 mapping.
    Rfc2156,
    /// The Draft & Release mapping of §5.1 / §5.2.
    AuthorizingUsers,
}

/// Result of mapping RFC 5322 → X.400.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ToX400 {
    /// The mapped heading (heading_extensions left empty).
    pub heading: IpmsHeading,
    /// Rule applied.
    pub rule: MixerRule,
    /// Problems found (e.g. several From without Sender, no From at all).
    pub problems: Vec<crate::report::Problem>,
}

/// Result of mapping X.400 → RFC 5322.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ToInternet {
    /// The mapped header fields.
    pub heading: InternetHeading,
    /// Whether the message was treated as a military message.
    pub military: bool,
    /// Rule applied.
    pub rule: MixerRule,
    /// Problems found (e.g. no originator).
    pub problems: Vec<crate::report::Problem>,
}

/// Map RFC 5322 `From` / `Sender` / `MMHS-Authorizing-Users` to the IPMS heading (§5.1).
pub fn to_x400(h: &InternetHeading) -> ToX400 {
    let mut problems = Vec::new();
    if h.from.is_empty() {
        problems.push(crate::report::Problem::new(
            "mixer-no-from",
            "the message has no From address (RFC 5322 §3.6 requires one)",
        ));
    }
    if h.from.len() > 1 && h.sender.is_none() {
        problems.push(crate::report::Problem::new(
            "mixer-sender-missing",
            "several From addresses without a Sender field (RFC 5322 §3.6.2 requires Sender)",
        ));
    }
    let (originator, mut authorizing, rule) = match (&h.sender, &h.authorizing_users) {
        // §5.1 item 1 and 2, Sender present: From + field → authorizing-users.
        (Some(sender), Some(extra)) => {
            let mut a = h.from.clone();
            a.extend(extra.iter().cloned());
            (Some(sender.clone()), a, MixerRule::AuthorizingUsers)
        }
        // §5.1 item 1, no Sender: first From → originator, the rest + field → authorizing.
        (None, Some(extra)) => {
            let mut it = h.from.iter().cloned();
            let orig = it.next();
            let mut a: Vec<String> = it.collect();
            a.extend(extra.iter().cloned());
            (orig, a, MixerRule::AuthorizingUsers)
        }
        // RFC 2156: Sender → originator, From → authorizing-users.
        (Some(sender), None) => (Some(sender.clone()), h.from.clone(), MixerRule::Rfc2156),
        // RFC 2156: From → originator (extra From addresses, if any, cannot be originators).
        (None, None) => {
            let mut it = h.from.iter().cloned();
            let orig = it.next();
            (orig, it.collect(), MixerRule::Rfc2156)
        }
    };
    dedup_addresses(&mut authorizing);
    ToX400 {
        heading: IpmsHeading {
            originator,
            authorizing_users: authorizing,
            heading_extensions: vec![],
        },
        rule,
        problems,
    }
}

/// Map the IPMS heading to RFC 5322 fields (§5.2). `all_military` is the configuration switch
/// that treats every message as military.
pub fn to_internet(h: &IpmsHeading, all_military: bool) -> ToInternet {
    let military = all_military || !h.heading_extensions.is_empty();
    let mut problems = Vec::new();
    let Some(originator) = h.originator.clone() else {
        problems.push(crate::report::Problem::new(
            "mixer-no-originator",
            "the IPMS heading has no originator",
        ));
        return ToInternet {
            heading: InternetHeading {
                from: h.authorizing_users.clone(),
                sender: None,
                authorizing_users: None,
            },
            military,
            rule: MixerRule::Rfc2156,
            problems,
        };
    };
    if military {
        ToInternet {
            heading: InternetHeading {
                from: vec![originator],
                sender: None,
                authorizing_users: if h.authorizing_users.is_empty() {
                    None
                } else {
                    Some(h.authorizing_users.clone())
                },
            },
            military,
            rule: MixerRule::AuthorizingUsers,
            problems,
        }
    } else if h.authorizing_users.is_empty() {
        ToInternet {
            heading: InternetHeading {
                from: vec![originator],
                sender: None,
                authorizing_users: None,
            },
            military,
            rule: MixerRule::Rfc2156,
            problems,
        }
    } else {
        ToInternet {
            heading: InternetHeading {
                from: h.authorizing_users.clone(),
                sender: Some(originator),
                authorizing_users: None,
            },
            military,
            rule: MixerRule::Rfc2156,
            problems,
        }
    }
}

/// Remove repeated addresses (addr-spec compared with an ASCII case-insensitive domain and
/// local part, as RFC 9788 §4.4 compares them), keeping the first occurrence.
fn dedup_addresses(list: &mut Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    list.retain(|a| {
        let k = a.trim().to_ascii_lowercase();
        if seen.contains(&k) {
            false
        } else {
            seen.push(k);
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn no_field_no_sender_is_rfc2156() {
        let m = to_x400(&InternetHeading {
            from: s(&["a@x"]),
            ..Default::default()
        });
        assert_eq!(m.rule, MixerRule::Rfc2156);
        assert_eq!(m.heading.originator.as_deref(), Some("a@x"));
        assert!(m.heading.authorizing_users.is_empty());
        assert!(m.problems.is_empty());
    }

    #[test]
    fn no_field_with_sender_is_rfc2156() {
        let m = to_x400(&InternetHeading {
            from: s(&["boss@x"]),
            sender: Some("clerk@x".into()),
            authorizing_users: None,
        });
        assert_eq!(m.heading.originator.as_deref(), Some("clerk@x"));
        assert_eq!(m.heading.authorizing_users, s(&["boss@x"]));
    }

    #[test]
    fn field_without_sender_first_from_is_originator() {
        let m = to_x400(&InternetHeading {
            from: s(&["a@x", "b@x"]),
            sender: None,
            authorizing_users: Some(s(&["officer@x"])),
        });
        assert_eq!(m.rule, MixerRule::AuthorizingUsers);
        assert_eq!(m.heading.originator.as_deref(), Some("a@x"));
        assert_eq!(m.heading.authorizing_users, s(&["b@x", "officer@x"]));
        assert_eq!(m.problems[0].code, "mixer-sender-missing");
    }

    #[test]
    fn field_with_sender_all_from_are_authorizing() {
        let m = to_x400(&InternetHeading {
            from: s(&["a@x"]),
            sender: Some("drafter@x".into()),
            authorizing_users: Some(s(&["o1@x", "O1@X", "o2@x"])),
        });
        assert_eq!(m.heading.originator.as_deref(), Some("drafter@x"));
        assert_eq!(m.heading.authorizing_users, s(&["a@x", "o1@x", "o2@x"]));
    }

    #[test]
    fn back_military_by_extension_or_config() {
        let h = IpmsHeading {
            originator: Some("drafter@x".into()),
            authorizing_users: s(&["o1@x"]),
            heading_extensions: s(&["primary-precedence"]),
        };
        let m = to_internet(&h, false);
        assert!(m.military);
        assert_eq!(m.heading.from, s(&["drafter@x"]));
        assert_eq!(m.heading.authorizing_users, Some(s(&["o1@x"])));
        assert_eq!(m.heading.sender, None);

        let civ = IpmsHeading {
            heading_extensions: vec![],
            ..h.clone()
        };
        let m = to_internet(&civ, false);
        assert!(!m.military);
        assert_eq!(m.heading.from, s(&["o1@x"]));
        assert_eq!(m.heading.sender.as_deref(), Some("drafter@x"));
        assert_eq!(m.heading.authorizing_users, None);

        assert!(to_internet(&civ, true).military);
    }

    #[test]
    fn round_trip_military() {
        let orig = InternetHeading {
            from: s(&["drafter@x"]),
            sender: None,
            authorizing_users: Some(s(&["o1@x", "o2@x"])),
        };
        let x = to_x400(&orig);
        let mut h = x.heading;
        h.heading_extensions = s(&["primary-precedence"]);
        assert_eq!(to_internet(&h, false).heading, orig);
    }
}
