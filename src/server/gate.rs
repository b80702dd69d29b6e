//! The release gate seam: does a submitted message go to the transfer system, to a release
//! officer's queue, or back to its sender? (draft-melnikov-mmhs-profile-09 §6.1 item 11 and
//! §7.1; draft-melnikov-mmhs-authorizing-users-00 §3; RFC 7912 §3.2.)
//!
//! Issue 4 will provide the pure function `release::release_gate(message, policy)`, which can
//! also check countersignatures. The server only needs the [`Gate`] trait: plug that
//! function in with a closure (`Fn(&[u8], &GateContext) -> GateDecision` implements it).
//!
//! [`DefaultGate`] — what the server does until then, with no cryptography:
//! 1. More than one `MMHS-Authorizing-Users:` field → refuse (`authorizing-users-duplicate`;
//!    RFC 7912 §4 calls it malformed and says to return it to the sender).
//! 2. Not a military message (no `MMHS-*` header field) → transfer.
//! 3. The originator (`Sender:`, else the first `From:`, RFC 7912 §5) is not a configured
//!    user, or that user's policy lists no release officers → transfer.
//! 4. Otherwise the message needs release by every officer in the user's `releaseBy` list, in
//!    order. It is transferred only when every one of them is listed in
//!    `MMHS-Authorizing-Users:` **and** the SMTP-authenticated submitter is one of those
//!    officers (the officer's own client re-submits what it countersigned). In every other
//!    case — field absent, an officer missing, or the field present but submitted by someone
//!    who is not a listed officer (a listing we cannot verify without the countersignature) —
//!    the message is diverted to the Release queue of the first officer not yet satisfied,
//!    as the seed's §3 suggests ("redirect all email messages without the
//!    MMHS-Authorizing-Users header field and/or corresponding S/MIME countersignatures to a
//!    preconfigured mailbox").

use super::config::Config;
use super::msginfo::{originator, MessageInfo};

/// What the gate knows about a submission besides the message bytes.
#[derive(Debug, Clone, Copy)]
pub struct GateContext<'a> {
    /// SMTP AUTH identity, if the session authenticated.
    pub submitter: Option<&'a str>,
    /// Envelope sender.
    pub mail_from: &'a str,
    /// Envelope recipients.
    pub rcpts: &'a [String],
    /// Parsed header summary of the message.
    pub info: &'a MessageInfo,
    /// Server configuration (users, their release policy).
    pub config: &'a Config,
}

/// The gate's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateDecision {
    /// Release to the transfer system (deliver / relay).
    Transfer,
    /// Put the message in these officers' Release queues instead.
    Divert {
        /// Officer addresses.
        officers: Vec<String>,
        /// Why (shown to the officer, written to the audit trail).
        reason: String,
    },
    /// Refuse the submission (SMTP 550 5.7.1).
    Refuse {
        /// Stable problem code.
        code: &'static str,
        /// Human reason (goes into the SMTP reply text).
        reason: String,
    },
}

/// A submission gate. Implemented by [`DefaultGate`] and by any
/// `Fn(&[u8], &GateContext) -> GateDecision + Send + Sync`.
pub trait Gate: Send + Sync {
    /// Decide what happens to `raw`.
    fn decide(&self, raw: &[u8], ctx: &GateContext<'_>) -> GateDecision;
}

impl<F> Gate for F
where
    F: Fn(&[u8], &GateContext<'_>) -> GateDecision + Send + Sync,
{
    fn decide(&self, raw: &[u8], ctx: &GateContext<'_>) -> GateDecision {
        self(raw, ctx)
    }
}

/// The documented default (module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultGate;

impl Gate for DefaultGate {
    fn decide(&self, _raw: &[u8], ctx: &GateContext<'_>) -> GateDecision {
        let info = ctx.info;
        if info.authorizing_users_fields > 1 {
            return GateDecision::Refuse {
                code: "authorizing-users-duplicate",
                reason: "more than one MMHS-Authorizing-Users header field (RFC 7912 section 4)"
                    .into(),
            };
        }
        if !info.military {
            return GateDecision::Transfer;
        }
        let Some(orig) = originator(info) else {
            return GateDecision::Transfer;
        };
        let Some(user) = ctx.config.user(orig) else {
            return GateDecision::Transfer;
        };
        if user.release_by.is_empty() {
            return GateDecision::Transfer;
        }
        let listed: Vec<String> = info
            .authorizing_users
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|a| a.to_ascii_lowercase())
            .collect();
        let missing = user
            .release_by
            .iter()
            .find(|o| !listed.contains(&o.to_ascii_lowercase()));
        if let Some(officer) = missing {
            return GateDecision::Divert {
                officers: vec![officer.clone()],
                reason: format!(
                    "military message from {} needs release by {officer}",
                    user.address
                ),
            };
        }
        let by_officer = ctx.submitter.is_some_and(|s| {
            user.release_by.iter().any(|o| o.eq_ignore_ascii_case(s))
        });
        if by_officer {
            GateDecision::Transfer
        } else {
            // Listed, but not submitted by a listed officer: we cannot check the
            // countersignature here, so the (first) officer decides.
            let officer = user.release_by.first().cloned().unwrap_or_default();
            GateDecision::Divert {
                officers: vec![officer.clone()],
                reason: format!(
                    "MMHS-Authorizing-Users lists {officer} but the message was not submitted by a listed officer; unverified listing"
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::msginfo::message_info;

    fn cfg() -> Config {
        let mut c = Config {
            hostname: "h".into(),
            max_message_size: 1000,
            max_hold_seconds: 10,
            users: vec![],
        };
        for (a, officer, rb) in [
            ("alice@army.example", false, vec!["officer@army.example".to_string()]),
            ("officer@army.example", true, vec![]),
        ] {
            c.users.push(crate::server::config::UserConfig {
                address: a.into(),
                display_name: a.into(),
                password_hash: String::new(),
                officer,
                release_by: rb,
            });
        }
        c
    }

    fn decide(raw: &[u8], submitter: Option<&str>) -> GateDecision {
        let c = cfg();
        let info = message_info(raw);
        DefaultGate.decide(
            raw,
            &GateContext {
                submitter,
                mail_from: "alice@army.example",
                rcpts: &[],
                info: &info,
                config: &c,
            },
        )
    }

    #[test]
    fn default_gate_rules() {
        let plain = b"From: alice@army.example\r\nTo: bob@navy.example\r\n\r\nx";
        assert_eq!(decide(plain, Some("alice@army.example")), GateDecision::Transfer);
        let mil = b"From: alice@army.example\r\nMMHS-Primary-Precedence: 4\r\n\r\nx";
        assert!(matches!(decide(mil, Some("alice@army.example")), GateDecision::Divert { officers, .. } if officers == vec!["officer@army.example"]));
        let rel = b"From: alice@army.example\r\nMMHS-Primary-Precedence: 4\r\nMMHS-Authorizing-Users: officer@army.example\r\n\r\nx";
        assert_eq!(decide(rel, Some("officer@army.example")), GateDecision::Transfer);
        assert!(matches!(decide(rel, Some("alice@army.example")), GateDecision::Divert { .. }));
        let dup = b"From: alice@army.example\r\nMMHS-Authorizing-Users: a@b\r\nMMHS-Authorizing-Users: c@d\r\n\r\nx";
        assert!(matches!(decide(dup, None), GateDecision::Refuse { code: "authorizing-users-duplicate", .. }));
    }
}
