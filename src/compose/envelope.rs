//! The SMTP envelope of one composed copy, and the exact `MAIL FROM` / `RCPT TO` command
//! lines a submission client sends for it.
//!
//! Parameters:
//! - `ENVID=xtext` (≤100 chars), `RET=FULL|HDRS` — RFC 3461 §4.3, §4.4;
//! - `NOTIFY=NEVER | 1#(SUCCESS / FAILURE / DELAY)`, `ORCPT=rfc822;xtext` — RFC 3461 §4.1, §4.2;
//!   `xtext = *( xchar / hexchar )`, `xchar` = `%d33-126` except `+` and `=`,
//!   `hexchar = "+" 2HEXDIG` (upper-case) — RFC 3461 §4;
//! - `BY=<by-time>;<by-mode>[T]`, `by-time = ["-" / "+"] 1*9DIGIT` seconds relative to now,
//!   `by-mode = "N" / "R"` — RFC 2852 §4;
//! - `HOLDUNTIL=YYYY-MM-DDThh:mm:ssZ` or `HOLDFOR=%x31-39 *8DIGIT` — RFC 4865 §4.1 (one of them);
//! - `MT-PRIORITY=(["-"] NZDIGIT) / "0"` — RFC 6710 §3;
//! - `BODY=8BITMIME` when the message carries 8-bit octets — RFC 6152; `SIZE=n` — RFC 1870.

use serde::{Deserialize, Serialize};

use super::request::{ByMode, NotifyCondition, Ret};

/// The SMTP envelope of one copy. JSON (camelCase) is what `NN.envelope.json` holds.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Reverse-path (addr-spec, without `<>`): the Sender if any, else the first From.
    pub mail_from: String,
    /// MAIL FROM parameters.
    pub mail_params: MailParams,
    /// One entry per RCPT TO, in the order they should be sent.
    pub rcpts: Vec<Rcpt>,
}

/// Parameters of the MAIL FROM command.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailParams {
    /// `ENVID` (unencoded; xtext-encoded when rendered).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub envid: Option<String>,
    /// `RET`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ret: Option<Ret>,
    /// `BY` (RFC 2852).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub by: Option<DeliverBy>,
    /// `HOLDUNTIL` (RFC 4865), already in `YYYY-MM-DDThh:mm:ssZ` form.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hold_until: Option<String>,
    /// `HOLDFOR` (RFC 4865), seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hold_for: Option<u32>,
    /// `MT-PRIORITY` (RFC 6710), −9..9.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mt_priority: Option<i8>,
    /// `BODY=8BITMIME` needed (RFC 6152).
    #[serde(default)]
    pub eight_bit_mime: bool,
    /// `SIZE` (RFC 1870): the message size in octets.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub size: Option<u64>,
}

/// RFC 2852 `BY` parameter.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverBy {
    /// by-time: seconds from the compose time to the deadline.
    pub seconds: i64,
    /// by-mode.
    pub mode: ByMode,
    /// by-trace `T`.
    #[serde(default)]
    pub trace: bool,
    /// The absolute deadline (RFC 3339, UTC), so a submitter that sends later (e.g. after
    /// release) can recompute `seconds` with [`Envelope::rebase_deliver_by`].
    pub deadline: String,
}

/// One RCPT TO.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rcpt {
    /// Forward-path addr-spec (without `<>`).
    pub address: String,
    /// `NOTIFY` conditions; `None` leaves the MTA default.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notify: Option<Vec<NotifyCondition>>,
    /// `ORCPT` value, unencoded, e.g. `rfc822;bob@example.mil` (xtext-encoded when rendered).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub orcpt: Option<String>,
}

/// RFC 3461 §4 xtext: `+` and `=` and anything outside `!`..`~` become `+XX`.
pub fn xtext(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (33..=126).contains(&b) && b != b'+' && b != b'=' {
            out.push(b as char);
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

impl Envelope {
    /// `MAIL FROM:<addr> PARAMS…` (no trailing CRLF). Parameter order: SIZE, BODY, RET,
    /// ENVID, MT-PRIORITY, BY, HOLDUNTIL/HOLDFOR.
    pub fn mail_from_line(&self) -> String {
        let mut line = format!("MAIL FROM:<{}>", self.mail_from);
        let p = &self.mail_params;
        if let Some(size) = p.size {
            line.push_str(&format!(" SIZE={size}"));
        }
        if p.eight_bit_mime {
            line.push_str(" BODY=8BITMIME");
        }
        if let Some(ret) = p.ret {
            line.push_str(&format!(" RET={}", ret.keyword()));
        }
        if let Some(envid) = &p.envid {
            line.push_str(&format!(" ENVID={}", xtext(envid)));
        }
        if let Some(prio) = p.mt_priority {
            line.push_str(&format!(" MT-PRIORITY={prio}"));
        }
        if let Some(by) = &p.by {
            let mode = match by.mode {
                ByMode::Return => "R",
                ByMode::Notify => "N",
            };
            let trace = if by.trace { "T" } else { "" };
            line.push_str(&format!(" BY={};{mode}{trace}", by.seconds));
        }
        if let Some(until) = &p.hold_until {
            line.push_str(&format!(" HOLDUNTIL={until}"));
        }
        if let Some(secs) = p.hold_for {
            line.push_str(&format!(" HOLDFOR={secs}"));
        }
        line
    }

    /// One `RCPT TO:<addr> [NOTIFY=…] [ORCPT=…]` line per recipient (no trailing CRLF).
    pub fn rcpt_lines(&self) -> Vec<String> {
        self.rcpts
            .iter()
            .map(|r| {
                let mut line = format!("RCPT TO:<{}>", r.address);
                if let Some(n) = &r.notify {
                    let kw: Vec<&str> = n.iter().map(|c| c.keyword()).collect();
                    line.push_str(&format!(" NOTIFY={}", kw.join(",")));
                }
                if let Some(o) = &r.orcpt {
                    // addr-type ";" xtext — the addr-type and ";" stay as they are.
                    match o.split_once(';') {
                        Some((ty, addr)) => line.push_str(&format!(" ORCPT={ty};{}", xtext(addr))),
                        None => line.push_str(&format!(" ORCPT={}", xtext(o))),
                    }
                }
                line
            })
            .collect()
    }

    /// Recompute the relative `BY` seconds for a submission at `now` (e.g. a message that
    /// waited in the release queue). Returns `false` when the deadline has already passed
    /// (RFC 2852: by-mode R with by-time ≤ 0 is rejected by the server) — the caller should
    /// not submit it then.
    pub fn rebase_deliver_by(&mut self, now: time::OffsetDateTime) -> bool {
        let Some(by) = self.mail_params.by.as_mut() else {
            return true;
        };
        let Ok(deadline) = time::OffsetDateTime::parse(
            &by.deadline,
            &time::format_description::well_known::Rfc3339,
        ) else {
            return false;
        };
        by.seconds = (deadline - now).whole_seconds();
        by.seconds > 0 || by.mode == ByMode::Notify
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xtext_rules() {
        assert_eq!(xtext("abc@x.mil"), "abc@x.mil");
        assert_eq!(xtext("a+b=c d"), "a+2Bb+3Dc+20d");
        assert_eq!(xtext("é"), "+C3+A9");
    }

    #[test]
    fn lines() {
        let env = Envelope {
            mail_from: "alice@army.example".into(),
            mail_params: MailParams {
                envid: Some("QQ314159=x".into()),
                ret: Some(Ret::Hdrs),
                by: Some(DeliverBy {
                    seconds: 3600,
                    mode: ByMode::Return,
                    trace: true,
                    deadline: "2026-11-23T13:00:00Z".into(),
                }),
                hold_until: Some("2026-11-23T12:30:00Z".into()),
                hold_for: None,
                mt_priority: Some(-2),
                eight_bit_mime: true,
                size: Some(1234),
            },
            rcpts: vec![
                Rcpt {
                    address: "bob+x@navy.example".into(),
                    notify: Some(vec![NotifyCondition::Success, NotifyCondition::Failure]),
                    orcpt: Some("rfc822;bob+x@navy.example".into()),
                },
                Rcpt {
                    address: "carol@navy.example".into(),
                    notify: Some(vec![NotifyCondition::Never]),
                    orcpt: None,
                },
            ],
        };
        assert_eq!(
            env.mail_from_line(),
            "MAIL FROM:<alice@army.example> SIZE=1234 BODY=8BITMIME RET=HDRS ENVID=QQ314159+3Dx \
             MT-PRIORITY=-2 BY=3600;RT HOLDUNTIL=2026-11-23T12:30:00Z"
        );
        assert_eq!(
            env.rcpt_lines(),
            vec![
                "RCPT TO:<bob+x@navy.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@navy.example",
                "RCPT TO:<carol@navy.example> NOTIFY=NEVER",
            ]
        );
        let json = serde_json::to_value(&env).unwrap();
        assert_eq!(json["mailParams"]["mtPriority"], -2);
        assert_eq!(json["mailParams"]["holdUntil"], "2026-11-23T12:30:00Z");
        assert_eq!(json["rcpts"][0]["notify"][1], "failure");
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, env);
    }

    #[test]
    fn rebase() {
        let mut env = Envelope {
            mail_from: "a@b.example".into(),
            mail_params: MailParams {
                by: Some(DeliverBy {
                    seconds: 3600,
                    mode: ByMode::Return,
                    trace: false,
                    deadline: "2026-11-23T13:00:00Z".into(),
                }),
                ..MailParams::default()
            },
            rcpts: vec![],
        };
        assert!(env.rebase_deliver_by(time::macros::datetime!(2026-11-23 12:50 UTC)));
        assert_eq!(env.mail_params.by.as_ref().unwrap().seconds, 600);
        assert!(!env.rebase_deliver_by(time::macros::datetime!(2026-11-23 13:50 UTC)));
    }
}
