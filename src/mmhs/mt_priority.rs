//! MT-Priority — [RFC 6758 §3](https://www.rfc-editor.org/rfc/rfc6758#section-3), values from
//! [RFC 6710 §6](https://www.rfc-editor.org/rfc/rfc6710#section-6), and the "STANAG4406"
//! priority assignment policy ([RFC 6710 Appendix A](https://www.rfc-editor.org/rfc/rfc6710#appendix-A)).
//!
//! ```text
//! priority-header-field = "MT-Priority:" [CFWS] priority-value [CFWS] CRLF
//! priority-value        = (["-"] NZDIGIT) / "0"          ; -9 .. 9
//! ```
//!
//! STANAG4406 policy (RFC 6710 Table 1):
//!
//! | MMHS precedence | MT-PRIORITY |
//! |---|---|
//! | override (5) | 6 |
//! | flash (4) | 4 |
//! | immediate (3) | 2 |
//! | priority (2) | 0 |
//! | routine (1) | -2 |
//! | deferred (0) | -4 |
//!
//! **National-use and unallocated precedences (6–255)** have no entry in the table; the
//! table's owner (NATO) leaves them to national policy. We map them to **0**, the SMTP
//! default priority (RFC 6710 §3: no MT-PRIORITY means 0), rather than guessing an order
//! relative to the NATO levels; `inspect` therefore does not flag an MT-Priority mismatch
//! when the deriving precedence is not 0–5 (a national policy may assign any value).
//!
//! The profile (draft-melnikov-mmhs-profile-09 §3.2) derives MT-Priority from the primary
//! precedence, or from the copy precedence when there are no primary recipients: [`derive()`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::strip_comments;
use super::precedence::Precedence;
use super::Error;

/// An MT-Priority value, -9..=9. JSON: the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i8", into = "i8")]
pub struct MtPriority(i8);

impl MtPriority {
    /// Build, checking the range -9..=9.
    pub fn new(v: i8) -> Result<Self, Error> {
        if (-9..=9).contains(&v) {
            Ok(MtPriority(v))
        } else {
            Err(Error::MtPriorityInvalid(v.to_string()))
        }
    }

    /// The value.
    pub fn value(self) -> i8 {
        self.0
    }
}

impl TryFrom<i8> for MtPriority {
    type Error = Error;
    fn try_from(v: i8) -> Result<Self, Error> {
        MtPriority::new(v)
    }
}

impl From<MtPriority> for i8 {
    fn from(p: MtPriority) -> i8 {
        p.0
    }
}

impl FromStr for MtPriority {
    type Err = Error;

    /// Parse an MT-Priority field value (comments allowed around the value).
    fn from_str(s: &str) -> Result<Self, Error> {
        let (core, _) =
            strip_comments(s).map_err(|e| Error::MtPriorityInvalid(format!("{s:?}: {e}")))?;
        let b = core.as_bytes();
        let ok = match b {
            [b'0'] => true,
            [d] | [b'-', d] => (b'1'..=b'9').contains(d),
            _ => false,
        };
        if !ok {
            return Err(Error::MtPriorityInvalid(format!("{s:?}")));
        }
        core.parse::<i8>()
            .map(MtPriority)
            .map_err(|_| Error::MtPriorityInvalid(format!("{s:?}")))
    }
}

impl fmt::Display for MtPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The STANAG4406 policy mapping (RFC 6710 Appendix A). Precedences other than 0–5 map
/// to 0 (see the module documentation).
pub fn stanag4406(p: Precedence) -> i8 {
    match p {
        Precedence::Override => 6,
        Precedence::Flash => 4,
        Precedence::Immediate => 2,
        Precedence::Priority => 0,
        Precedence::Routine => -2,
        Precedence::Deferred => -4,
        Precedence::Other(_) => 0,
    }
}

/// MT-Priority for a message: from the primary precedence, or from the copy precedence when
/// there is no primary precedence (no primary recipients); `None` when neither is given.
pub fn derive(primary: Option<Precedence>, copy: Option<Precedence>) -> Option<i8> {
    primary.or(copy).map(stanag4406)
}

/// The precedence that [`derive()`] used (for explanations): primary first, then copy.
pub fn deriving_precedence(
    primary: Option<Precedence>,
    copy: Option<Precedence>,
) -> Option<Precedence> {
    primary.or(copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn rfc6758_examples() {
        assert_eq!("-3".parse::<MtPriority>().unwrap().value(), -3);
        assert_eq!("4 (ultra)".parse::<MtPriority>().unwrap().value(), 4);
        assert_eq!(" 0 ".parse::<MtPriority>().unwrap().value(), 0);
        for v in -9..=9i8 {
            let p = MtPriority::new(v).unwrap();
            assert_eq!(p.to_string().parse::<MtPriority>().unwrap(), p);
        }
    }

    #[test]
    fn invalid() {
        for bad in ["", "+1", "-0", "10", "01", "x", "1 2", "-"] {
            assert_eq!(
                bad.parse::<MtPriority>().unwrap_err().code(),
                "mt-priority-invalid",
                "{bad}"
            );
        }
        assert!(MtPriority::new(10).is_err());
        assert!(serde_json::from_str::<MtPriority>("-10").is_err());
        assert_eq!(
            serde_json::to_string(&MtPriority::new(-4).unwrap()).unwrap(),
            "-4"
        );
    }

    #[test]
    fn stanag4406_table() {
        // RFC 6710 Appendix A, Table 1
        let table = [
            (Precedence::Override, 6),
            (Precedence::Flash, 4),
            (Precedence::Immediate, 2),
            (Precedence::Priority, 0),
            (Precedence::Routine, -2),
            (Precedence::Deferred, -4),
            (Precedence::Other(20), 0),
        ];
        for (p, v) in table {
            assert_eq!(stanag4406(p), v, "{p}");
        }
    }

    #[test]
    fn derivation() {
        assert_eq!(
            derive(Some(Precedence::Flash), Some(Precedence::Routine)),
            Some(4)
        );
        assert_eq!(derive(None, Some(Precedence::Routine)), Some(-2));
        assert_eq!(derive(None, None), None);
    }
}
