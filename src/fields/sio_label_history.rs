//! SIO-Label-History — [RFC 7444 §5](https://www.rfc-editor.org/rfc/rfc7444#section-5).
//!
//! ```text
//! sio-label-history = "SIO-Label-History:" [FWS] sio-label-parm-seq [FWS] CRLF
//! ; parameters (RFC 2231):
//! ;   change          = "add" / "replace" / "delete"        (required)
//! ;   changed-by      = FQDN of the agent                   (required)
//! ;   changed-at      = date-time                           (required)
//! ;   changed-comment = free text
//! ;   marking, fgcolor, bgcolor, type, label                 prior values (absent for add)
//! ;   new-marking, new-fgcolor, new-bgcolor, new-type, new-label   new values (absent for delete)
//! ```
//!
//! A trace field: zero or more, newest first, directly after SIO-Label. Canonical text:
//! `change=…; changed-by=…; changed-at="…"; [changed-comment=…;] prior…; new-…`.
//! JSON (camelCase): `{ "change": "replace", "changedBy": "mta.example.mil",
//! "changedAt": "2014-01-01T00:00:00Z", "changedComment": "…", "previous": {SioLabel},
//! "new": {SioLabel} }` (`previous`/`new` omitted when empty).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::date_time::DateTime;
use super::lex::parse_params;
use super::sio_label::SioLabel;
use super::Error;
use crate::mime::encode::param_text;

/// The `change` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum LabelChange {
    /// A label was added.
    Add,
    /// A label was replaced.
    Replace,
    /// A label was deleted.
    Delete,
}

impl fmt::Display for LabelChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LabelChange::Add => "add",
            LabelChange::Replace => "replace",
            LabelChange::Delete => "delete",
        })
    }
}

/// One SIO-Label-History entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SioLabelHistory {
    /// What happened.
    pub change: LabelChange,
    /// The agent (FQDN).
    pub changed_by: String,
    /// When.
    pub changed_at: DateTime,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_comment: Option<String>,
    /// Label parameters before the change.
    #[serde(default, skip_serializing_if = "SioLabel::is_empty")]
    pub previous: SioLabel,
    /// Label parameters after the change.
    #[serde(default, skip_serializing_if = "SioLabel::is_empty")]
    pub new: SioLabel,
}

fn bad(why: impl Into<String>) -> Error {
    Error::SioLabelHistoryInvalid(why.into())
}

impl SioLabelHistory {
    /// Check the rules of RFC 7444 §5: no prior values for `add`, no new values for
    /// `delete`, a plausible `changed-by`, no CR/LF/NUL in free text.
    pub fn validate(&self) -> Result<(), Error> {
        if self.change == LabelChange::Add && !self.previous.is_empty() {
            return Err(bad("change=add carries prior label values"));
        }
        if self.change == LabelChange::Delete && !self.new.is_empty() {
            return Err(bad("change=delete carries new label values"));
        }
        let fqdn_ok = !self.changed_by.is_empty()
            && self.changed_by.split('.').all(|l| {
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !fqdn_ok {
            return Err(bad(format!(
                "changed-by {:?} is not a domain name",
                self.changed_by
            )));
        }
        if let Some(c) = &self.changed_comment {
            super::lex::check_value(c)?;
        }
        for l in [&self.previous, &self.new] {
            if let Some(m) = &l.marking {
                super::lex::check_value(m)?;
            }
        }
        Ok(())
    }
}

impl FromStr for SioLabelHistory {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let params = parse_params(s).map_err(|e| bad(e.to_string()))?;
        let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let change = match get("change").map(str::to_ascii_lowercase).as_deref() {
            Some("add") => LabelChange::Add,
            Some("replace") => LabelChange::Replace,
            Some("delete") => LabelChange::Delete,
            Some(other) => return Err(bad(format!("unknown change {other:?}"))),
            None => return Err(bad("missing change")),
        };
        let changed_by = get("changed-by")
            .ok_or_else(|| bad("missing changed-by"))?
            .to_string();
        let changed_at: DateTime = get("changed-at")
            .ok_or_else(|| bad("missing changed-at"))?
            .parse()
            .map_err(|e: Error| bad(e.to_string()))?;
        let changed_comment = get("changed-comment").map(str::to_string);
        let mut ignored = Vec::new();
        let wrap = |e: Error| bad(e.to_string());
        let previous = SioLabel::from_params(
            &params
                .iter()
                .filter(|(k, _)| !k.starts_with("new-") && !k.starts_with("change"))
                .cloned()
                .collect::<Vec<_>>(),
            "",
            &mut ignored,
        )
        .map_err(wrap)?;
        let new = SioLabel::from_params(&params, "new-", &mut Vec::new()).map_err(wrap)?;
        let h = SioLabelHistory {
            change,
            changed_by,
            changed_at,
            changed_comment,
            previous,
            new,
        };
        h.validate()?;
        Ok(h)
    }
}

impl fmt::Display for SioLabelHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = vec![
            format!("change={}", self.change),
            param_text("changed-by", &self.changed_by),
            param_text("changed-at", &self.changed_at.to_string()),
        ];
        if let Some(c) = &self.changed_comment {
            parts.push(param_text("changed-comment", c));
        }
        parts.extend(self.previous.format_params(""));
        parts.extend(self.new.format_params("new-"));
        f.write_str(&parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn parse_format_round_trip() {
        let v = "change=replace; changed-by=guard.example.mil; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"; changed-comment=\"downgraded by review\"; marking=\"EXAMPLE SECRET\"; type=\":ess\"; label=\"MQYGASkCAQQ=\"; new-marking=\"EXAMPLE CONFIDENTIAL\"; new-type=\":ess\"; new-label=\"MQYGASkCAQM=\"";
        let h: SioLabelHistory = v.parse().unwrap();
        assert_eq!(h.change, LabelChange::Replace);
        assert_eq!(h.previous.marking.as_deref(), Some("EXAMPLE SECRET"));
        assert_eq!(h.new.ess_label().unwrap().unwrap().classification, Some(3));
        assert_eq!(h.to_string(), v);
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["changedAt"], "2010-08-09T15:27:40+01:00");
        assert_eq!(json["new"]["marking"], "EXAMPLE CONFIDENTIAL");
        let back: SioLabelHistory = serde_json::from_value(json).unwrap();
        assert_eq!(back, h);
    }

    #[test]
    fn invalid() {
        for bad in [
            "changed-by=a.mil; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"",
            "change=add; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"",
            "change=add; changed-by=a.mil",
            "change=add; changed-by=a.mil; changed-at=yesterday",
            "change=move; changed-by=a.mil; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"",
            "change=add; changed-by=a.mil; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"; marking=X",
            "change=delete; changed-by=a.mil; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"; new-marking=X",
            "change=add; changed-by=\"not a host\"; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"",
        ] {
            assert_eq!(bad.parse::<SioLabelHistory>().unwrap_err().code(), "sio-label-history-invalid", "{bad}");
        }
    }
}
