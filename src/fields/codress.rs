//! MMHS-Codress-Message-Indicator —
//! [RFC 6477 §3.6, §4](https://www.rfc-editor.org/rfc/rfc6477#section-3.6).
//!
//! ```text
//! MMHS-Codress-Message-Indicator = "MMHS-Codress-Message-Indicator:" [FWS] nonneg-integer [FWS] CRLF
//! nonneg-integer = "0" / (NZ-DIGIT *DIGIT)
//! ```
//!
//! JSON: the number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::parse_nonneg_integer;
use super::Error;

/// The codress message indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(transparent)]
pub struct CodressMessageIndicator(pub u64);

impl FromStr for CodressMessageIndicator {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse_nonneg_integer(s.trim_matches(|c| c == ' ' || c == '\t'))
            .map(CodressMessageIndicator)
            .ok_or_else(|| Error::IntegerInvalid(format!("{s:?}")))
    }
}

impl fmt::Display for CodressMessageIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6477_example() {
        let c: CodressMessageIndicator = "23".parse().unwrap();
        assert_eq!(c.0, 23);
        assert_eq!(c.to_string(), "23");
        assert!("0".parse::<CodressMessageIndicator>().is_ok());
        for bad in ["", "023", "-1", "x", "99999999999999999999999"] {
            assert!(bad.parse::<CodressMessageIndicator>().is_err(), "{bad}");
        }
    }
}
