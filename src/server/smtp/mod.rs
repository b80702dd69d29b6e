//! The submission agent's SMTP side: the session state machine (ours; commands parsed by
//! `smtp-proto`), strict parameter checks, the envelope/transaction types, DSN generation
//! session admission limits and a small SMTP client (used by the webmail and the relay).

pub mod client;
pub(crate) mod dsn;
pub(crate) mod host;
pub(crate) mod limits;
pub mod params;
pub mod session;
pub(crate) mod spool;

use serde::{Deserialize, Serialize};

use crate::compose::envelope::{Envelope, MailParams, Rcpt};
use crate::compose::request::{ByMode, NotifyCondition, Ret};

/// RFC 3461 §4.1 NOTIFY for one recipient.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Notify {
    /// NOTIFY=NEVER.
    pub never: bool,
    /// SUCCESS.
    pub success: bool,
    /// FAILURE.
    pub failure: bool,
    /// DELAY.
    pub delay: bool,
    /// Whether NOTIFY was given at all (absent ⇒ "FAILURE or FAILURE,DELAY" at the MTA's
    /// choice, RFC 3461 §4.1: we use FAILURE).
    pub explicit: bool,
}

impl Notify {
    /// Effective: wants a success DSN.
    pub fn wants_success(&self) -> bool {
        self.explicit && self.success
    }
    /// Effective: wants a failure DSN.
    pub fn wants_failure(&self) -> bool {
        if self.explicit {
            self.failure
        } else {
            true
        }
    }
    /// Effective: wants a delay DSN.
    pub fn wants_delay(&self) -> bool {
        self.explicit && self.delay
    }
    /// The conditions in the order they are written (`None` when NOTIFY was absent).
    pub fn conditions(&self) -> Option<Vec<NotifyCondition>> {
        if !self.explicit {
            return None;
        }
        if self.never {
            return Some(vec![NotifyCondition::Never]);
        }
        let wanted = [
            (self.success, NotifyCondition::Success),
            (self.failure, NotifyCondition::Failure),
            (self.delay, NotifyCondition::Delay),
        ];
        Some(
            wanted
                .into_iter()
                .filter(|(w, _)| *w)
                .map(|(_, c)| c)
                .collect(),
        )
    }
    /// The keywords, for the wire (`None` when NOTIFY was absent).
    pub fn keywords(&self) -> Option<Vec<&'static str>> {
        self.conditions()
            .map(|c| c.into_iter().map(NotifyCondition::keyword).collect())
    }
}

/// One accepted recipient.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// Forward-path address.
    pub address: String,
    /// NOTIFY.
    pub notify: Notify,
    /// ORCPT address (decoded xtext; addr-type is always rfc822 here).
    pub orcpt: Option<String>,
}

impl Notify {
    /// From compose's NOTIFY conditions (`None`: NOTIFY absent).
    pub fn from_conditions(conditions: Option<&[NotifyCondition]>) -> Notify {
        let Some(conditions) = conditions else {
            return Notify::default();
        };
        let has = |c| conditions.contains(&c);
        Notify {
            never: has(NotifyCondition::Never),
            success: has(NotifyCondition::Success),
            failure: has(NotifyCondition::Failure),
            delay: has(NotifyCondition::Delay),
            explicit: true,
        }
    }
}

impl Recipient {
    /// From compose's RCPT TO (an ORCPT of another addr-type than rfc822 is not kept).
    pub fn from_rcpt(r: &Rcpt) -> Recipient {
        Recipient {
            address: r.address.clone(),
            notify: Notify::from_conditions(r.notify.as_deref()),
            orcpt: r
                .orcpt
                .as_deref()
                .and_then(Rcpt::orcpt_address)
                .map(str::to_string),
        }
    }

    /// As compose's envelope writes it (`ORCPT=rfc822;…`).
    pub fn rcpt(&self) -> Rcpt {
        Rcpt {
            address: self.address.clone(),
            notify: self.notify.conditions(),
            orcpt: self.orcpt.as_ref().map(|a| format!("rfc822;{a}")),
        }
    }
}

/// RFC 2852 BY parameter.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeliverBy {
    /// Relative by-time in seconds as received.
    pub by_time: i64,
    /// Absolute deadline (unix seconds) = arrival + by_time.
    pub deadline: i64,
    /// `R` (return if not delivered in time) — else `N` (notify).
    pub return_mode: bool,
    /// `T` trace.
    pub trace: bool,
}

/// What a passed DELIVERBY deadline calls for (RFC 2852 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByExpiry {
    /// `R`: the message is returned as undeliverable (failure DSN, 5.4.7), no further
    /// attempts.
    Return,
    /// `N`: a "delayed" DSN is issued (4.4.7) and delivery attempts continue.
    Notify,
}

impl DeliverBy {
    /// As compose's envelope writes it, with the absolute `deadline` (unix seconds) if given.
    pub fn compose(&self, deadline: Option<i64>) -> crate::compose::envelope::DeliverBy {
        crate::compose::envelope::DeliverBy {
            seconds: self.by_time,
            mode: if self.return_mode {
                ByMode::Return
            } else {
                ByMode::Notify
            },
            trace: self.trace,
            deadline: deadline.map(|d| super::rfc3339(super::from_unix(d))),
        }
    }

    /// `None` while the deadline is not passed at `now` (unix seconds); otherwise what its
    /// by-mode calls for.
    pub fn past_deadline(&self, now: i64) -> Option<ByExpiry> {
        (now > self.deadline).then_some(if self.return_mode {
            ByExpiry::Return
        } else {
            ByExpiry::Notify
        })
    }
}

/// A complete SMTP transaction as accepted (also stored in the queue as JSON).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Our transaction id (Message Identification in the audit trail).
    pub id: String,
    /// EHLO/HELO name.
    pub helo: String,
    /// Authenticated submitter.
    pub submitter: Option<String>,
    /// Received over TLS (STARTTLS, RFC 3207): the trace field says `ESMTPS` / `ESMTPSA`
    /// (RFC 3848).
    #[serde(default)]
    pub tls: bool,
    /// Reverse-path ("" for the null path).
    pub mail_from: String,
    /// ENVID (decoded xtext).
    pub envid: Option<String>,
    /// RET=FULL (true) / HDRS (false) / absent.
    pub ret_full: Option<bool>,
    /// MT-PRIORITY as received (RFC 6710), if any; from the `MT-Priority:` header if not.
    pub priority: Option<i8>,
    /// BODY=8BITMIME.
    pub body_8bit: bool,
    /// BY.
    pub by: Option<DeliverBy>,
    /// FUTURERELEASE: release time (unix seconds).
    pub hold_until: Option<i64>,
    /// HOLDFOR as received (to relay it as such).
    pub hold_for: Option<u64>,
    /// Recipients.
    pub rcpts: Vec<Recipient>,
    /// Arrival (unix seconds).
    pub arrival: i64,
}

impl Transaction {
    /// The envelope as received, in compose's form: `BY` with its absolute deadline
    /// (arrival + by-time, RFC 2852 §4) so a later submission rebases it
    /// ([`Envelope::rebase_deliver_by`]), `HOLDUNTIL` as RFC 3339 text.
    pub fn envelope(&self) -> Envelope {
        Envelope {
            mail_from: self.mail_from.clone(),
            mail_params: MailParams {
                envid: self.envid.clone(),
                ret: self.ret_full.map(|f| if f { Ret::Full } else { Ret::Hdrs }),
                by: self.by.map(|b| b.compose(Some(b.deadline))),
                hold_until: self
                    .hold_until
                    .filter(|_| self.hold_for.is_none())
                    .map(|t| super::rfc3339(super::from_unix(t))),
                hold_for: self.hold_for.and_then(|h| u32::try_from(h).ok()),
                mt_priority: self.priority,
                eight_bit_mime: self.body_8bit,
                size: None,
            },
            rcpts: self.rcpts.iter().map(Recipient::rcpt).collect(),
        }
    }

    /// The effective priority (absent ⇒ 0, RFC 6710 §3).
    pub fn effective_priority(&self) -> i8 {
        self.priority.unwrap_or(0)
    }

    /// The priority the queue orders by: the effective priority rounded to the STANAG4406
    /// policy's levels (RFC 6710 §5, Appendix A), so values between two levels are handled
    /// as the next higher level.
    pub fn queue_priority(&self) -> i8 {
        crate::fields::mt_priority::stanag4406_level(self.effective_priority())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_calls_for_its_mode_only_once_passed() {
        let by = |return_mode| DeliverBy {
            by_time: 60,
            deadline: 1000,
            return_mode,
            trace: false,
        };
        assert_eq!(
            by(true).past_deadline(1000),
            None,
            "at the deadline: still in time"
        );
        assert_eq!(by(true).past_deadline(1001), Some(ByExpiry::Return));
        assert_eq!(by(false).past_deadline(1001), Some(ByExpiry::Notify));
        assert_eq!(by(false).past_deadline(i64::MIN), None);
    }
}
