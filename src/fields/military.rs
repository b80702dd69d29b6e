//! `military-string` and its sequences —
//! [RFC 6477 §4](https://www.rfc-editor.org/rfc/rfc6477#section-4). Used by
//! MMHS-Handling-Instructions (§3.4), MMHS-Message-Instructions (§3.5),
//! MMHS-Originator-Reference (§3.7), MMHS-Other-Recipients-Indicator-To/-CC (§3.11, §3.12),
//! MMHS-Acp127-Message-Identifier (§3.13) and MMHS-Originator-PLAD (§3.14).
//!
//! ```text
//! military-string          = 1*69(ps-char)
//! military-string-sequence = military-string *([FWS] ";" [FWS] military-string)
//! Designator               = military-string
//! MMHS-Handling-Instructions = "MMHS-Handling-Instructions:" [FWS] military-string-sequence [FWS] CRLF
//! MMHS-Message-Instructions  = "MMHS-Message-Instructions:" [FWS] military-string-sequence [FWS] CRLF
//! MMHS-Originator-Reference  = "MMHS-Originator-Reference:" [FWS] military-string [FWS] CRLF
//! MMHS-Other-Recipients-Indicator-To = "MMHS-Other-Recipients-Indicator-To:" [FWS]
//!                                      Designator *([FWS] ";" [FWS] Designator) [FWS] CRLF
//! MMHS-Other-Recipients-Indicator-CC = (same, "MMHS-Other-Recipients-Indicator-CC:")
//! MMHS-Acp127-Message-Identifier = "MMHS-Acp127-Message-Identifier:" [FWS] military-string [FWS] CRLF
//! MMHS-Originator-PLAD       = "MMHS-Originator-PLAD:" [FWS] military-string [FWS] CRLF
//! ps-char = %d65-90 / %d97-122 / %d48-57 / %d32 / %d39-41 / %d43-47 / %d58 / %d61 / %d63
//!           ; A-Z a-z 0-9 SP ' ( ) + , - . / : = ?   (RFC 2156 PrintableString)
//! ```
//!
//! Parsing trims the surrounding FWS (so a value never has leading/trailing spaces, as
//! RFC 6477 §3.7 requires). JSON: a string, and an array of strings for sequences.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::is_ps_char;
use super::Error;

/// Maximum length of a military-string.
pub(crate) const MAX_LEN: usize = 69;

/// A military-string: 1..69 PrintableString characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct MilitaryString(String);

impl MilitaryString {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MilitaryString {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim_matches(|c| c == ' ' || c == '\t');
        if t.is_empty() || t.chars().count() > MAX_LEN {
            return Err(Error::MilitaryStringInvalid(format!(
                "{s:?}: must be 1 to {MAX_LEN} characters"
            )));
        }
        if let Some(c) = t.chars().find(|c| !is_ps_char(*c)) {
            return Err(Error::MilitaryStringInvalid(format!(
                "{s:?}: {c:?} is not a PrintableString character"
            )));
        }
        Ok(MilitaryString(t.to_string()))
    }
}

impl TryFrom<String> for MilitaryString {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<MilitaryString> for String {
    fn from(m: MilitaryString) -> String {
        m.0
    }
}

impl fmt::Display for MilitaryString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `military-string-sequence` (and the Designator list of the Other-Recipients-Indicator
/// fields): one or more military-strings separated by `;`. Canonical text joins with `"; "`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(as = "Vec<String>"))]
#[serde(try_from = "Vec<MilitaryString>", into = "Vec<MilitaryString>")]
pub struct MilitaryStringSequence(Vec<MilitaryString>);

impl MilitaryStringSequence {
    /// Build from items (at least one).
    pub fn new(items: Vec<MilitaryString>) -> Result<Self, Error> {
        if items.is_empty() {
            return Err(Error::MilitaryStringInvalid("empty sequence".into()));
        }
        Ok(MilitaryStringSequence(items))
    }

    /// The items.
    pub fn items(&self) -> &[MilitaryString] {
        &self.0
    }
}

impl TryFrom<Vec<MilitaryString>> for MilitaryStringSequence {
    type Error = Error;
    fn try_from(v: Vec<MilitaryString>) -> Result<Self, Error> {
        MilitaryStringSequence::new(v)
    }
}

impl From<MilitaryStringSequence> for Vec<MilitaryString> {
    fn from(s: MilitaryStringSequence) -> Self {
        s.0
    }
}

impl FromStr for MilitaryStringSequence {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        // ';' is not a ps-char, so splitting on it is exact.
        let items = s
            .split(';')
            .map(str::parse)
            .collect::<Result<Vec<MilitaryString>, _>>()?;
        MilitaryStringSequence::new(items)
    }
}

impl fmt::Display for MilitaryStringSequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(m.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn rfc6477_examples() {
        // §3.4, §3.5, §3.7, §3.11, §3.12, §3.13, §3.14 examples
        let h: MilitaryStringSequence = "RXFPA ZOV MINDEF".parse().unwrap();
        assert_eq!(h.items().len(), 1);
        assert_eq!(h.to_string(), "RXFPA ZOV MINDEF");
        let m: MilitaryStringSequence = "MINIMIZE CONSIDERED; NO DISTRIBUTION".parse().unwrap();
        assert_eq!(m.items().len(), 2);
        assert_eq!(m.to_string(), "MINIMIZE CONSIDERED; NO DISTRIBUTION");
        let o: MilitaryString = "IMSCOM-JIC-612-78".parse().unwrap();
        assert_eq!(o.to_string(), "IMSCOM-JIC-612-78");
        let t: MilitaryStringSequence = "UK SHL COS;UK SHL IM".parse().unwrap();
        assert_eq!(t.to_string(), "UK SHL COS; UK SHL IM");
        let a: MilitaryString = "RPDLE 1234 0341215".parse().unwrap();
        assert_eq!(a.as_str(), "RPDLE 1234 0341215");
        assert_eq!(
            "SACLANT".parse::<MilitaryString>().unwrap().as_str(),
            "SACLANT"
        );
        assert_eq!(
            " UK SHL LEGAD ".parse::<MilitaryString>().unwrap().as_str(),
            "UK SHL LEGAD"
        );
    }

    #[test]
    fn invalid() {
        let long = "A".repeat(70);
        for bad in ["", "  ", "a;b", "x@y", "é", long.as_str(), "A\r\nB"] {
            assert_eq!(
                bad.parse::<MilitaryString>().unwrap_err().code(),
                "military-string-invalid",
                "{bad:?}"
            );
        }
        assert!("A;;B".parse::<MilitaryStringSequence>().is_err());
        assert!("A".repeat(69).parse::<MilitaryString>().is_ok());
        assert!(serde_json::from_str::<MilitaryStringSequence>("[]").is_err());
    }
}
