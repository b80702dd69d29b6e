//! MMHS-Primary-Precedence / MMHS-Copy-Precedence —
//! [RFC 6477 §3.8, §3.9, §4](https://www.rfc-editor.org/rfc/rfc6477#section-3.8).
//!
//! ```text
//! MMHS-Primary-Precedence = "MMHS-Primary-Precedence:" [FWS] precedence CRLF
//! MMHS-Copy-Precedence    = "MMHS-Copy-Precedence:" [FWS] precedence CRLF
//! precedence     = (nonneg-integer / std-precedence) [CFWS]
//! std-precedence = "deferred" / "routine" / "priority" / "immediate" / "flash" / "override"
//! nonneg-integer = "0" / (NZ-DIGIT *DIGIT)
//! ```
//!
//! Names are case-insensitive; a trailing comment is allowed (`2 (priority)`). Values 0–15 are
//! reserved for NATO (0–5 defined), 16–31 are for national use; larger values are not allocated
//! (RFC 6477 §7). This type accepts any value 0–255 ([`Precedence::Other`] for values 6–255);
//! [`Precedence::is_national`] / [`Precedence::is_allocated`] classify them and `inspect`
//! reports unallocated ones. Larger integers are `precedence-invalid`.
//!
//! Canonical text ([`Display`](std::fmt::Display)): the lower-case name for 0–5, the decimal
//! number otherwise. JSON: the lower-case name (`"flash"`) or a number (`20`); on input a
//! name (any case), a number, or a numeric string is accepted.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::lex::{parse_nonneg_integer, strip_comments};
use super::Error;

/// An MMHS precedence level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precedence {
    /// 0
    Deferred,
    /// 1
    Routine,
    /// 2
    Priority,
    /// 3
    Immediate,
    /// 4
    Flash,
    /// 5
    Override,
    /// Any other value, 6–255 (16–31 national use; 6–15 reserved for NATO; ≥ 32 unallocated).
    /// Never holds 0–5: use [`Precedence::from_value`] to build one.
    Other(u8),
}

const NAMES: [&str; 6] = [
    "deferred",
    "routine",
    "priority",
    "immediate",
    "flash",
    "override",
];

impl Precedence {
    /// Build from the numeric value (0–5 give the named variants).
    pub fn from_value(v: u8) -> Self {
        match v {
            0 => Precedence::Deferred,
            1 => Precedence::Routine,
            2 => Precedence::Priority,
            3 => Precedence::Immediate,
            4 => Precedence::Flash,
            5 => Precedence::Override,
            n => Precedence::Other(n),
        }
    }

    /// The numeric value.
    pub fn value(self) -> u8 {
        match self {
            Precedence::Deferred => 0,
            Precedence::Routine => 1,
            Precedence::Priority => 2,
            Precedence::Immediate => 3,
            Precedence::Flash => 4,
            Precedence::Override => 5,
            Precedence::Other(n) => n,
        }
    }

    /// The lower-case standard name, `None` for values other than 0–5.
    pub fn name(self) -> Option<&'static str> {
        NAMES.get(usize::from(self.value())).copied()
    }

    /// 16–31: national use (RFC 6477 §3.8).
    pub fn is_national(self) -> bool {
        (16..=31).contains(&self.value())
    }

    /// Defined by NATO (0–5) or national use (16–31).
    pub fn is_allocated(self) -> bool {
        self.value() <= 5 || self.is_national()
    }
}

impl FromStr for Precedence {
    type Err = Error;

    /// Parse a precedence value: a name (case-insensitive) or a nonneg-integer, optionally
    /// followed by a comment.
    fn from_str(s: &str) -> Result<Self, Error> {
        let (core, _comments) =
            strip_comments(s).map_err(|e| Error::PrecedenceInvalid(format!("{s:?}: {e}")))?;
        if let Some(i) = NAMES.iter().position(|n| n.eq_ignore_ascii_case(&core)) {
            return Ok(Precedence::from_value(i as u8));
        }
        match parse_nonneg_integer(&core) {
            Some(v) => u8::try_from(v)
                .map(Precedence::from_value)
                .map_err(|_| Error::PrecedenceInvalid(format!("{s:?}: value out of range 0-255"))),
            None => Err(Error::PrecedenceInvalid(format!("{s:?}"))),
        }
    }
}

impl fmt::Display for Precedence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.value()),
        }
    }
}

impl Serialize for Precedence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.serialize_u8(self.value()),
        }
    }
}

impl<'de> Deserialize<'de> for Precedence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Precedence;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a precedence name or a number 0-255")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Precedence, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Precedence, E> {
                u8::try_from(v)
                    .map(Precedence::from_value)
                    .map_err(|_| E::custom(Error::PrecedenceInvalid(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Precedence, E> {
                u8::try_from(v)
                    .map(Precedence::from_value)
                    .map_err(|_| E::custom(Error::PrecedenceInvalid(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn rfc6477_examples() {
        // RFC 6477 §3.8/§3.9 examples
        assert_eq!(
            "0 (Deferred)".parse::<Precedence>().unwrap(),
            Precedence::Deferred
        );
        assert_eq!("FLASH".parse::<Precedence>().unwrap(), Precedence::Flash);
        assert_eq!("7".parse::<Precedence>().unwrap(), Precedence::Other(7));
        assert_eq!(
            "2 (priority)".parse::<Precedence>().unwrap(),
            Precedence::Priority
        );
        assert_eq!(
            " override ".parse::<Precedence>().unwrap(),
            Precedence::Override
        );
        assert_eq!(
            "Routine(x)".parse::<Precedence>().unwrap(),
            Precedence::Routine
        );
    }

    #[test]
    fn round_trip_all_values() {
        for v in 0..=255u8 {
            let p = Precedence::from_value(v);
            assert_eq!(p.value(), v);
            assert_eq!(p.to_string().parse::<Precedence>().unwrap(), p);
        }
        assert_eq!(Precedence::Flash.to_string(), "flash");
        assert_eq!(Precedence::Other(20).to_string(), "20");
        assert!(Precedence::Other(20).is_national());
        assert!(!Precedence::Other(7).is_allocated());
        assert!(!Precedence::Other(32).is_allocated());
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "urgent",
            "01",
            "-1",
            "256",
            "4 (x",
            "flash routine",
            "4.0",
        ] {
            let e = bad.parse::<Precedence>().unwrap_err();
            assert_eq!(e.code(), "precedence-invalid", "{bad}");
        }
    }

    #[test]
    fn json_form() {
        assert_eq!(
            serde_json::to_string(&Precedence::Flash).unwrap(),
            "\"flash\""
        );
        assert_eq!(serde_json::to_string(&Precedence::Other(17)).unwrap(), "17");
        assert_eq!(
            serde_json::from_str::<Precedence>("\"IMMEDIATE\"").unwrap(),
            Precedence::Immediate
        );
        assert_eq!(
            serde_json::from_str::<Precedence>("4").unwrap(),
            Precedence::Flash
        );
        assert_eq!(
            serde_json::from_str::<Precedence>("\"20\"").unwrap(),
            Precedence::Other(20)
        );
        assert!(serde_json::from_str::<Precedence>("300").is_err());
        assert!(serde_json::from_str::<Precedence>("\"bogus\"").is_err());
    }
}
