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
//!
//! This is the one envelope type of the crate: compose writes it, release rebases and submits
//! it, and the webmail's `POST /api/send` reads it. Its JSON reader accepts, besides the
//! canonical form it writes, the equivalent spellings of the SMTP commands (each gives the
//! same `Envelope`):
//! - `ret`: `"hdrs"` / `"HDRS"` (keywords in any case);
//! - `by`: the object `{ "seconds", "mode", "trace", "deadline" }` (`seconds` also as `time`
//!   or `byTime`; `mode` as `"return"` / `"notify"` or `"R"` / `"N"`; `trace` and `deadline`
//!   optional) or the RFC 2852 by-value `"3600;R"`, `"-10;NT"`;
//! - `mtPriority`: a number −9..9 (anything else is refused while reading);
//! - `notify`: a list `["success", "failure"]` or the SMTP value `"SUCCESS,FAILURE"`.
//!
//! [`Envelope::check`] states the bounds every envelope must meet before it is sent.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::request::{ByMode, NotifyCondition, Ret};
use crate::fields::mt_priority::MtPriority;

/// Largest by-time magnitude: RFC 2852 §4, `by-time = ["-" / "+"]1*9digit`.
pub const MAX_BY_TIME: i64 = 999_999_999;
/// Largest HOLDFOR: RFC 4865 §4.1, `holdfor-value = %x31-39 *8DIGIT`.
pub const MAX_HOLD_FOR: u32 = 999_999_999;
/// Longest ENVID: RFC 3461 §4.4 ("MUST NOT exceed 100 characters").
pub const MAX_ENVID: usize = 100;
/// Longest address: RFC 5321 §4.5.3.1.3, a path is at most 256 octets including `<>`.
pub const MAX_ADDRESS: usize = 254;
/// Most recipients one envelope may carry (the RFC 5321 §4.5.3.1.8 minimum a server must
/// accept is 100; more is refused rather than sent as an unbounded command sequence).
pub const MAX_RCPTS: usize = 1000;

/// The SMTP envelope of one copy. JSON (camelCase) is what `NN.envelope.json` holds.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Reverse-path (addr-spec, without `<>`): the Sender if any, else the first From.
    /// Empty for the null reverse-path (RFC 5321 §4.5.5).
    #[serde(deserialize_with = "path_address")]
    pub mail_from: String,
    /// MAIL FROM parameters (none when absent).
    #[serde(default)]
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
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "ret_keyword"
    )]
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
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "mt_priority_value"
    )]
    pub mt_priority: Option<i8>,
    /// `BODY=8BITMIME` needed (RFC 6152).
    #[serde(default)]
    pub eight_bit_mime: bool,
    /// `SIZE` (RFC 1870): the message size in octets.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub size: Option<u64>,
}

/// RFC 2852 `BY` parameter. Read from the object below or from the by-value text
/// (`"3600;RT"`, see the module documentation).
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// release) can recompute `seconds` with [`Envelope::rebase_deliver_by`]. Absent when
    /// the BY was given as a by-value: `seconds` then counts from the submission.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deadline: Option<String>,
}

impl DeliverBy {
    /// Parse the RFC 2852 §4 by-value `by-time ";" by-mode [by-trace]` with
    /// `by-time = ["-" / "+"] 1*9DIGIT`, `by-mode = "N" / "R"`, `by-trace = "T"` (letters in
    /// any case, surrounding blanks ignored).
    pub fn from_by_value(s: &str) -> Result<DeliverBy, String> {
        let (time, mode) = s
            .trim()
            .split_once(';')
            .ok_or_else(|| format!("BY must look like \"3600;R\" (RFC 2852 §4), not {s:?}"))?;
        let magnitude = time.strip_prefix(['-', '+']).unwrap_or(time);
        if magnitude.is_empty()
            || magnitude.len() > 9
            || !magnitude.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!(
                "BY by-time must be 1 to 9 digits with an optional sign (RFC 2852 §4), not {time:?}"
            ));
        }
        let seconds: i64 = time
            .parse()
            .map_err(|_| format!("BY by-time {time:?} is not a number"))?;
        let (mode, trace) = match mode.to_ascii_uppercase().as_str() {
            "R" => (ByMode::Return, false),
            "RT" => (ByMode::Return, true),
            "N" => (ByMode::Notify, false),
            "NT" => (ByMode::Notify, true),
            _ => {
                return Err(format!(
                    "BY by-mode must be R, N, RT or NT (RFC 2852 §4), not {mode:?}"
                ))
            }
        };
        Ok(DeliverBy {
            seconds,
            mode,
            trace,
            deadline: None,
        })
    }
}

impl<'de> Deserialize<'de> for DeliverBy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Object {
            #[serde(alias = "time", alias = "byTime")]
            seconds: i64,
            mode: String,
            #[serde(default)]
            trace: bool,
            #[serde(default)]
            deadline: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Spelling {
            Text(String),
            Object(Object),
        }
        let spelling = Spelling::deserialize(d).map_err(|_| {
            D::Error::custom(
                "by must be an RFC 2852 by-value (\"3600;R\") or \
                 { seconds, mode, trace?, deadline? }",
            )
        })?;
        match spelling {
            Spelling::Text(t) => DeliverBy::from_by_value(&t).map_err(D::Error::custom),
            Spelling::Object(o) => {
                let mode = match o.mode.to_ascii_lowercase().as_str() {
                    "r" | "return" => ByMode::Return,
                    "n" | "notify" => ByMode::Notify,
                    _ => {
                        return Err(D::Error::custom(format!(
                            "by.mode must be \"return\" (R) or \"notify\" (N), not {:?}",
                            o.mode
                        )))
                    }
                };
                Ok(DeliverBy {
                    seconds: o.seconds,
                    mode,
                    trace: o.trace,
                    deadline: o.deadline,
                })
            }
        }
    }
}

/// `ret`: `"full"` / `"hdrs"` in any case (RFC 3461 §4.3 keywords).
fn ret_keyword<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ret>, D::Error> {
    Ok(match Option::<String>::deserialize(d)? {
        None => None,
        Some(s) => Some(match s.to_ascii_uppercase().as_str() {
            "FULL" => Ret::Full,
            "HDRS" => Ret::Hdrs,
            _ => {
                return Err(D::Error::custom(format!(
                    "ret must be FULL or HDRS (RFC 3461 §4.3), not {s:?}"
                )))
            }
        }),
    })
}

/// `mtPriority`: an integer −9..9 (RFC 6710 §3); a larger number is refused here, not
/// truncated.
fn mt_priority_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i8>, D::Error> {
    Ok(match Option::<i64>::deserialize(d)? {
        None => None,
        Some(v) => Some(
            i8::try_from(v)
                .ok()
                .and_then(|p| MtPriority::new(p).ok())
                .map(MtPriority::value)
                .ok_or_else(|| {
                    D::Error::custom(format!("mtPriority must be -9..9 (RFC 6710 §3), not {v}"))
                })?,
        ),
    })
}

/// `notify`: a list of keywords or the SMTP value `"SUCCESS,FAILURE"`, keywords in any case
/// (RFC 3461 §4.1).
fn notify_conditions<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<NotifyCondition>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Spelling {
        List(Vec<String>),
        Text(String),
    }
    let words = match Option::<Spelling>::deserialize(d)
        .map_err(|_| D::Error::custom("notify must be a list of keywords or \"SUCCESS,FAILURE\""))?
    {
        None => return Ok(None),
        Some(Spelling::List(l)) => l,
        Some(Spelling::Text(t)) => t.split(',').map(str::to_string).collect(),
    };
    let mut out = Vec::with_capacity(words.len().min(4));
    for w in words {
        let c = match w.trim().to_ascii_uppercase().as_str() {
            "SUCCESS" => NotifyCondition::Success,
            "FAILURE" => NotifyCondition::Failure,
            "DELAY" => NotifyCondition::Delay,
            "NEVER" => NotifyCondition::Never,
            _ => {
                return Err(D::Error::custom(format!(
                    "unknown NOTIFY keyword {w:?} (RFC 3461 §4.1)"
                )))
            }
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(Some(out))
}

/// One RCPT TO.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rcpt {
    /// Forward-path addr-spec (without `<>`).
    #[serde(deserialize_with = "path_address")]
    pub address: String,
    /// `NOTIFY` conditions; `None` leaves the MTA default.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "notify_conditions"
    )]
    pub notify: Option<Vec<NotifyCondition>>,
    /// `ORCPT` value, unencoded, e.g. `rfc822;bob@example.mil` (xtext-encoded when rendered).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub orcpt: Option<String>,
}

/// An address as it may be written in JSON: surrounding blanks and one pair of angle brackets
/// (the SMTP path syntax, RFC 5321 §4.1.2) are dropped; what remains is checked by
/// [`Envelope::check`].
fn path_address<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let t = s.trim();
    let t = t
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(t);
    Ok(t.to_string())
}

/// Why an [`Envelope`] cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// An address is empty, too long or contains a blank, a control character or `<>`.
    #[error("invalid address {0:?}")]
    Address(String),
    /// No recipient, or more than [`MAX_RCPTS`].
    #[error("an envelope needs 1 to {MAX_RCPTS} recipients, not {0}")]
    RecipientCount(usize),
    /// ENVID empty, longer than [`MAX_ENVID`] or with a control character.
    #[error("envid must be 1 to 100 printable characters (RFC 3461 §4.4)")]
    Envid,
    /// ORCPT is not `addr-type ";" address` with a valid address.
    #[error("invalid ORCPT {0:?} (RFC 3461 §4.2)")]
    Orcpt(String),
    /// NOTIFY empty, or NEVER combined with another condition.
    #[error(
        "NOTIFY is NEVER alone or a non-empty list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1)"
    )]
    Notify,
    /// MT-PRIORITY outside −9..9.
    #[error("MT-PRIORITY must be -9..9 (RFC 6710 §3)")]
    MtPriority,
    /// The by-time does not fit the 9 digits of RFC 2852 §4.
    #[error("BY by-time {0} does not fit 9 digits (RFC 2852 §4)")]
    ByTime(i64),
    /// by-mode R with a by-time that is not positive: the deadline has passed.
    #[error("BY deadline has passed: by-mode R needs a positive by-time (RFC 2852 §4)")]
    ByPassed,
    /// The BY deadline is not an RFC 3339 date-time.
    #[error("BY deadline {0:?} is not an RFC 3339 date-time")]
    ByDeadline(String),
    /// Both HOLDFOR and HOLDUNTIL.
    #[error("give only one of HOLDFOR and HOLDUNTIL (RFC 4865 §4.1)")]
    HoldBoth,
    /// HOLDFOR of 0 or more than 9 digits.
    #[error("HOLDFOR must be 1 to 999999999 seconds (RFC 4865 §4.1)")]
    HoldFor,
    /// HOLDUNTIL is not an RFC 3339 date-time.
    #[error("HOLDUNTIL {0:?} is not an RFC 3339 date-time (RFC 4865 §4.1)")]
    HoldUntil(String),
}

fn check_address(a: &str) -> Result<(), EnvelopeError> {
    if a.is_empty()
        || a.len() > MAX_ADDRESS
        || a.chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '<' || c == '>')
    {
        return Err(EnvelopeError::Address(
            a.chars().take(MAX_ADDRESS).collect(),
        ));
    }
    Ok(())
}

fn rfc3339(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

impl Rcpt {
    /// The address of an ORCPT value `addr-type ";" address` (RFC 3461 §4.2) whose
    /// addr-type is `rfc822` (in any case); a bare address is read as rfc822 too. `None` for
    /// another addr-type.
    pub fn orcpt_address(orcpt: &str) -> Option<&str> {
        match orcpt.split_once(';') {
            Some((ty, a)) if ty.trim().eq_ignore_ascii_case("rfc822") => Some(a),
            Some(_) => None,
            None => Some(orcpt),
        }
    }
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

    /// The bounds an envelope must meet before it is sent, whatever wrote it: addresses
    /// (RFC 5321 §4.1.2, §4.5.3.1.3), 1..[`MAX_RCPTS`] recipients, ENVID and ORCPT
    /// (RFC 3461 §4.2, §4.4), NOTIFY (§4.1), MT-PRIORITY (RFC 6710 §3), BY (RFC 2852 §4:
    /// 9 digits, a positive by-time in mode R) and HOLDFOR/HOLDUNTIL (RFC 4865 §4.1).
    /// Run it after [`Envelope::rebase_deliver_by`], which computes the by-time sent.
    pub fn check(&self) -> Result<(), EnvelopeError> {
        if !self.mail_from.is_empty() {
            check_address(&self.mail_from)?;
        }
        if self.rcpts.is_empty() || self.rcpts.len() > MAX_RCPTS {
            return Err(EnvelopeError::RecipientCount(self.rcpts.len()));
        }
        for r in &self.rcpts {
            check_address(&r.address)?;
            if let Some(n) = &r.notify {
                if n.is_empty() || (n.len() > 1 && n.contains(&NotifyCondition::Never)) {
                    return Err(EnvelopeError::Notify);
                }
            }
            if let Some(o) = &r.orcpt {
                Rcpt::orcpt_address(o)
                    .and_then(|a| check_address(a).ok())
                    .ok_or_else(|| EnvelopeError::Orcpt(o.chars().take(MAX_ADDRESS).collect()))?;
            }
        }
        let p = &self.mail_params;
        if let Some(id) = &p.envid {
            if id.is_empty() || id.chars().count() > MAX_ENVID || id.chars().any(char::is_control) {
                return Err(EnvelopeError::Envid);
            }
        }
        if let Some(prio) = p.mt_priority {
            MtPriority::new(prio).map_err(|_| EnvelopeError::MtPriority)?;
        }
        if let Some(by) = &p.by {
            if by.seconds.unsigned_abs() > MAX_BY_TIME.unsigned_abs() {
                return Err(EnvelopeError::ByTime(by.seconds));
            }
            if by.mode == ByMode::Return && by.seconds <= 0 {
                return Err(EnvelopeError::ByPassed);
            }
            if let Some(d) = &by.deadline {
                rfc3339(d).ok_or_else(|| EnvelopeError::ByDeadline(d.clone()))?;
            }
        }
        if p.hold_for.is_some() && p.hold_until.is_some() {
            return Err(EnvelopeError::HoldBoth);
        }
        if let Some(h) = p.hold_for {
            if h == 0 || h > MAX_HOLD_FOR {
                return Err(EnvelopeError::HoldFor);
            }
        }
        if let Some(h) = &p.hold_until {
            rfc3339(h).ok_or_else(|| EnvelopeError::HoldUntil(h.clone()))?;
        }
        Ok(())
    }

    /// Recompute the relative `BY` seconds for a submission at `now` (e.g. a message that
    /// waited in the release queue). Returns `false` when the deadline has already passed
    /// (RFC 2852: by-mode R with by-time ≤ 0 is rejected by the server) — the caller should
    /// not submit it then.
    /// A BY without a deadline (read from a by-value) keeps its by-time, which counts from
    /// the submission.
    pub fn rebase_deliver_by(&mut self, now: time::OffsetDateTime) -> bool {
        let Some(by) = self.mail_params.by.as_mut() else {
            return true;
        };
        if let Some(deadline) = &by.deadline {
            let Some(deadline) = rfc3339(deadline) else {
                return false;
            };
            by.seconds = (deadline - now).whole_seconds();
        }
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
                    deadline: Some("2026-11-23T13:00:00Z".into()),
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
                    deadline: Some("2026-11-23T13:00:00Z".into()),
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
