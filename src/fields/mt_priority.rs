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
//!
//! A server implementing the policy supports only its six levels; any other value is rounded
//! *up* to the next supported level, or to the highest (RFC 6710 §5): ≤ −4 → −4, −3 → −2,
//! −1 → 0, 1 → 2, 3 → 4, ≥ 5 → 6 ([`stanag4406_level`]). This module is the one home of the
//! policy: the composer, the submission agent's queue and the extension all use it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::strip_comments;
use super::precedence::Precedence;
use super::Error;

/// An MT-Priority value, -9..=9. JSON: the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(type = "number"))]
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

    /// Parse the `MT-PRIORITY=` MAIL FROM parameter value (RFC 6710 §3): exactly the
    /// priority-value, no comments, no white space, no `+`, no `-0`, no leading zeros.
    pub fn from_parameter(s: &str) -> Result<Self, Error> {
        match s.as_bytes() {
            [b'0'] => Ok(MtPriority(0)),
            [d @ b'1'..=b'9'] => Ok(MtPriority((d - b'0') as i8)),
            [b'-', d @ b'1'..=b'9'] => Ok(MtPriority(-((d - b'0') as i8))),
            _ => Err(Error::MtPriorityInvalid(format!("{s:?}"))),
        }
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

/// The name of the STANAG4406 policy as advertised after the EHLO keyword
/// (`250 MT-PRIORITY STANAG4406`, RFC 6710 §3 and Appendix A).
pub const STANAG4406_POLICY: &str = "STANAG4406";

/// The STANAG4406 level a priority is handled as (RFC 6710 §5: unsupported values are
/// rounded up to the next supported level, or to the highest one).
pub fn stanag4406_level(p: i8) -> i8 {
    match p {
        i8::MIN..=-4 => -4,
        -3..=-2 => -2,
        -1..=0 => 0,
        1..=2 => 2,
        3..=4 => 4,
        _ => 6,
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
    fn parameter_syntax_is_strict() {
        for (s, v) in [("0", 0), ("9", 9), ("-9", -9), ("4", 4), ("-4", -4)] {
            assert_eq!(MtPriority::from_parameter(s).map(i8::from), Ok(v), "{s}");
        }
        // RFC 6710 §3: no "+", no "-0", no leading zeros, nothing around the value
        // (the header field form allows CFWS, the parameter does not).
        for s in [
            "+3", "-0", "03", "10", "-10", "", "a", " 1", "1 ", "4 (x)", "-", "--1",
        ] {
            assert!(MtPriority::from_parameter(s).is_err(), "{s:?}");
        }
        assert!("4 (flash)".parse::<MtPriority>().is_ok());
    }

    #[test]
    fn stanag4406_rounding() {
        // RFC 6710 §5: rounded up to the next supported level, or to the highest
        let got: Vec<i8> = (-9..=9).map(stanag4406_level).collect();
        assert_eq!(
            got,
            vec![-4, -4, -4, -4, -4, -4, -2, -2, 0, 0, 2, 2, 4, 4, 6, 6, 6, 6, 6]
        );
        // every level of the table is a fixed point of the rounding
        for p in 0..=5 {
            let v = stanag4406(Precedence::from_value(p));
            assert_eq!(stanag4406_level(v), v);
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
