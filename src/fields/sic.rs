//! MMHS-Subject-Indicator-Codes —
//! [RFC 6477 §3.3, §4](https://www.rfc-editor.org/rfc/rfc6477#section-3.3).
//!
//! ```text
//! MMHS-Subject-Indicator-Codes = "MMHS-Subject-Indicator-Codes:" [FWS] sic-sequence [FWS] CRLF
//! sic-sequence = sic *([FWS] ";" [FWS] sic)
//! sic          = 3*8(ps-char)
//! ```
//!
//! ACP 123 allows at most [`MAX_CODES`] SICs; more parse, and `inspect` reports
//! `mmhs-sic-too-many`. Canonical text joins with `"; "`. JSON: array of strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::is_ps_char;
use super::Error;

/// ACP 123's maximum number of subject indicator codes.
pub(crate) const MAX_CODES: usize = 8;

/// The list of subject indicator codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(as = "Vec<String>"))]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct SubjectIndicatorCodes(Vec<String>);

impl SubjectIndicatorCodes {
    /// Build from codes, validating each (3..8 PrintableString characters, at least one).
    pub fn new(codes: Vec<String>) -> Result<Self, Error> {
        if codes.is_empty() {
            return Err(Error::SicInvalid("empty list".into()));
        }
        for c in &codes {
            let n = c.chars().count();
            if !(3..=8).contains(&n) || !c.chars().all(is_ps_char) {
                return Err(Error::SicInvalid(format!(
                    "{c:?}: must be 3 to 8 PrintableString characters"
                )));
            }
        }
        Ok(SubjectIndicatorCodes(codes))
    }

    /// The codes.
    pub fn codes(&self) -> &[String] {
        &self.0
    }
}

impl TryFrom<Vec<String>> for SubjectIndicatorCodes {
    type Error = Error;
    fn try_from(v: Vec<String>) -> Result<Self, Error> {
        SubjectIndicatorCodes::new(v)
    }
}

impl From<SubjectIndicatorCodes> for Vec<String> {
    fn from(s: SubjectIndicatorCodes) -> Self {
        s.0
    }
}

impl FromStr for SubjectIndicatorCodes {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        SubjectIndicatorCodes::new(
            s.split(';')
                .map(|c| c.trim_matches(|c| c == ' ' || c == '\t').to_string())
                .collect(),
        )
    }
}

impl fmt::Display for SubjectIndicatorCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn rfc6477_example() {
        let s: SubjectIndicatorCodes = "SDM; KKZ ; BRL".parse().unwrap();
        assert_eq!(s.codes(), ["SDM", "KKZ", "BRL"]);
        assert_eq!(s.to_string(), "SDM; KKZ; BRL");
        assert_eq!(s.to_string().parse::<SubjectIndicatorCodes>().unwrap(), s);
    }

    #[test]
    fn invalid() {
        for bad in ["", "AB", "ABCDEFGHI", "ABC;", "ABC;;DEF", "AB@"] {
            assert_eq!(
                bad.parse::<SubjectIndicatorCodes>().unwrap_err().code(),
                "sic-invalid",
                "{bad}"
            );
        }
    }
}
