//! RFC 2156 (MIXER) header fields reused by the MMHS profile —
//! [RFC 2156 §5.3](https://www.rfc-editor.org/rfc/rfc2156#section-5.3), registered in
//! [RFC 4021 §2.1](https://www.rfc-editor.org/rfc/rfc4021#section-2.1).
//!
//! ```text
//! autoforwarded   = "Autoforwarded" ":" boolean
//! boolean         = "TRUE" / "FALSE"
//! incomplete-copy = "Incomplete-Copy" ":"                ; empty value
//! conversion      = "Conversion" ":" prohibition
//! conversion-with-loss = "Conversion-With-Loss" ":" prohibition
//! prohibition     = "Prohibited" / "Allowed"
//! original-encoded-information-types =
//!                   "Original-Encoded-Information-Types" ":" encoded-info
//! encoded-info    = 1#encoded-type
//! encoded-type    = built-in-eit / object-identifier
//! built-in-eit    = "Undefined" / "Telex" / "IA5-Text" / "G3-Fax" / "G4-Class1"
//!                 / "Teletex" / "Videotex" / "Voice" / "SFD" / "Mixed-mode"
//! object-identifier = oid-comp *( "." oid-comp )
//! ```
//!
//! Keywords are matched case-insensitively and comments are allowed; canonical text uses the
//! spellings above. Expires uses [`super::DateTime`], Supersedes [`super::MsgIdList`].
//! JSON: `Autoforwarded` a boolean; `Conversion(-With-Loss)` `"prohibited"` / `"allowed"`;
//! encoded-information-types an array of strings (canonical built-in names or dotted OIDs).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::strip_comments;
use super::Error;

fn core(field: &'static str, s: &str) -> Result<String, Error> {
    strip_comments(s)
        .map(|(c, _)| c)
        .map_err(|e| Error::ValueInvalid {
            field,
            reason: format!("{s:?}: {e}"),
        })
}

/// `Autoforwarded:` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Autoforwarded(pub bool);

impl FromStr for Autoforwarded {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let c = core(super::names::AUTOFORWARDED, s)?;
        if c.eq_ignore_ascii_case("true") {
            Ok(Autoforwarded(true))
        } else if c.eq_ignore_ascii_case("false") {
            Ok(Autoforwarded(false))
        } else {
            Err(Error::ValueInvalid {
                field: super::names::AUTOFORWARDED,
                reason: format!("{s:?}: expected TRUE or FALSE"),
            })
        }
    }
}

impl fmt::Display for Autoforwarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "TRUE" } else { "FALSE" })
    }
}

/// Check an `Incomplete-Copy:` value: empty (comments allowed).
pub fn parse_incomplete_copy(s: &str) -> Result<(), Error> {
    let c = core(super::names::INCOMPLETE_COPY, s)?;
    if c.is_empty() {
        Ok(())
    } else {
        Err(Error::ValueInvalid {
            field: super::names::INCOMPLETE_COPY,
            reason: format!("{s:?}: the value must be empty"),
        })
    }
}

/// `Conversion:` / `Conversion-With-Loss:` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ConversionPolicy {
    /// `Prohibited`
    Prohibited,
    /// `Allowed`
    Allowed,
}

impl ConversionPolicy {
    /// Parse the value of the named field (the name is used in the error).
    pub fn parse_for(field: &'static str, s: &str) -> Result<Self, Error> {
        let c = core(field, s)?;
        if c.eq_ignore_ascii_case("prohibited") {
            Ok(ConversionPolicy::Prohibited)
        } else if c.eq_ignore_ascii_case("allowed") {
            Ok(ConversionPolicy::Allowed)
        } else {
            Err(Error::ValueInvalid {
                field,
                reason: format!("{s:?}: expected Prohibited or Allowed"),
            })
        }
    }
}

impl FromStr for ConversionPolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        ConversionPolicy::parse_for(super::names::CONVERSION, s)
    }
}

impl fmt::Display for ConversionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConversionPolicy::Prohibited => "Prohibited",
            ConversionPolicy::Allowed => "Allowed",
        })
    }
}

const BUILT_IN_EITS: [&str; 10] = [
    "Undefined",
    "Telex",
    "IA5-Text",
    "G3-Fax",
    "G4-Class1",
    "Teletex",
    "Videotex",
    "Voice",
    "SFD",
    "Mixed-mode",
];

/// `Original-Encoded-Information-Types:` value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(transparent)]
pub struct EncodedInformationTypes(pub Vec<String>);

impl FromStr for EncodedInformationTypes {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let field = super::names::ORIGINAL_ENCODED_INFORMATION_TYPES;
        let c = core(field, s)?;
        let mut out = Vec::new();
        for item in c.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if let Some(b) = BUILT_IN_EITS.iter().find(|b| b.eq_ignore_ascii_case(item)) {
                out.push((*b).to_string());
            } else if item
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                out.push(item.to_string());
            } else {
                return Err(Error::ValueInvalid {
                    field,
                    reason: format!("{item:?} is neither a built-in EIT nor an OID"),
                });
            }
        }
        if out.is_empty() {
            return Err(Error::ValueInvalid {
                field,
                reason: "empty list".into(),
            });
        }
        Ok(EncodedInformationTypes(out))
    }
}

impl fmt::Display for EncodedInformationTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn values() {
        assert!("TRUE".parse::<Autoforwarded>().unwrap().0);
        assert!(!"false (x)".parse::<Autoforwarded>().unwrap().0);
        assert_eq!(Autoforwarded(true).to_string(), "TRUE");
        assert_eq!(
            "maybe".parse::<Autoforwarded>().unwrap_err().code(),
            "field-value-invalid"
        );
        assert!(parse_incomplete_copy("").is_ok());
        assert!(parse_incomplete_copy(" (comment) ").is_ok());
        assert!(parse_incomplete_copy("yes").is_err());
        assert_eq!(
            "prohibited".parse::<ConversionPolicy>().unwrap(),
            ConversionPolicy::Prohibited
        );
        assert_eq!(ConversionPolicy::Allowed.to_string(), "Allowed");
        assert!("no".parse::<ConversionPolicy>().is_err());
        let e: EncodedInformationTypes = "ia5-text, G3-Fax, 2.6.3.4".parse().unwrap();
        assert_eq!(e.to_string(), "IA5-Text, G3-Fax, 2.6.3.4");
        assert!("Smoke-Signals".parse::<EncodedInformationTypes>().is_err());
        assert!("".parse::<EncodedInformationTypes>().is_err());
    }
}
