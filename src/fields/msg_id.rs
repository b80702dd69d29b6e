//! Lists of message identifiers — [RFC 5322 §3.6.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.6.4)
//! (References, In-Reply-To) and Supersedes (RFC 2156 §5.3, "Supersedes: 1*msg-id").
//!
//! ```text
//! msg-id      = [CFWS] "<" id-left "@" id-right ">" [CFWS]
//! references  = "References:" 1*msg-id CRLF
//! in-reply-to = "In-Reply-To:" 1*msg-id CRLF
//! supersedes  = "Supersedes:" 1*msg-id CRLF
//! ```
//!
//! Commas between ids are tolerated (common in practice). Ids are stored **without** the
//! angle brackets; canonical text puts each in `<…>`, separated by a space. JSON: an array of
//! strings such as `"abc@example.mil"`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::strip_comments;
use super::Error;

/// One or more message ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MsgIdList(pub Vec<String>);

/// Check one id (without brackets): `id-left "@" id-right`, printable ASCII, no `<>` or space.
pub(crate) fn check_msg_id(id: &str) -> Result<(), Error> {
    let ok = id
        .split_once('@')
        .is_some_and(|(l, r)| !l.is_empty() && !r.is_empty())
        && id
            .bytes()
            .all(|b| (33..=126).contains(&b) && b != b'<' && b != b'>');
    if ok {
        Ok(())
    } else {
        Err(Error::MsgIdInvalid(format!("{id:?}")))
    }
}

impl FromStr for MsgIdList {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let (core, _) =
            strip_comments(s).map_err(|e| Error::MsgIdInvalid(format!("{s:?}: {e}")))?;
        let mut ids = Vec::new();
        let mut rest = core.as_str();
        loop {
            rest = rest.trim_start_matches([' ', '\t', '\r', '\n', ',']);
            if rest.is_empty() {
                break;
            }
            let inner = rest
                .strip_prefix('<')
                .ok_or_else(|| Error::MsgIdInvalid(format!("{s:?}: expected '<'")))?;
            let end = inner
                .find('>')
                .ok_or_else(|| Error::MsgIdInvalid(format!("{s:?}: expected '>'")))?;
            let id = inner.get(..end).unwrap_or_default();
            check_msg_id(id)?;
            ids.push(id.to_string());
            rest = inner.get(end + 1..).unwrap_or_default();
        }
        if ids.is_empty() {
            return Err(Error::MsgIdInvalid(format!("{s:?}: no msg-id")));
        }
        Ok(MsgIdList(ids))
    }
}

impl fmt::Display for MsgIdList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "<{id}>")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_format() {
        let l: MsgIdList = "<a@b> (old)\r\n <c.d@e.mil>,<x@y>".parse().unwrap();
        assert_eq!(l.0, ["a@b", "c.d@e.mil", "x@y"]);
        assert_eq!(l.to_string(), "<a@b> <c.d@e.mil> <x@y>");
        assert_eq!(l.to_string().parse::<MsgIdList>().unwrap(), l);
        for bad in ["", "a@b", "<a@b", "<ab>", "<@b>", "<a b@c>", "<a@b> junk"] {
            assert!(bad.parse::<MsgIdList>().is_err(), "{bad}");
        }
    }
}
