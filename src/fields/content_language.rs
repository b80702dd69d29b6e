//! Content-Language — [RFC 3282 §2](https://www.rfc-editor.org/rfc/rfc3282#section-2),
//! language tags per [BCP 47 / RFC 5646 §2.1](https://www.rfc-editor.org/rfc/rfc5646#section-2.1).
//!
//! ```text
//! Content-Language = "Content-Language" ":" 1#Language-tag
//! Language-tag     = 1*8ALPHA *("-" 1*8alphanum)       ; simplified RFC 5646 shape
//! ```
//!
//! Tags are checked for shape only (not against the IANA registry). Canonical text joins with
//! `", "`. JSON: array of strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::strip_comments;
use super::Error;

/// The languages of the content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(transparent)]
pub struct ContentLanguage(pub Vec<String>);

fn check_tag(t: &str) -> bool {
    let mut parts = t.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl FromStr for ContentLanguage {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let (core, _) =
            strip_comments(s).map_err(|e| Error::LanguageTagInvalid(format!("{s:?}: {e}")))?;
        let tags: Vec<String> = core
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        if tags.is_empty() {
            return Err(Error::LanguageTagInvalid(format!("{s:?}: empty")));
        }
        if let Some(t) = tags.iter().find(|t| !check_tag(t)) {
            return Err(Error::LanguageTagInvalid(format!("{t:?}")));
        }
        Ok(ContentLanguage(tags))
    }
}

impl fmt::Display for ContentLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3282_examples() {
        let l: ContentLanguage = "en, fr".parse().unwrap();
        assert_eq!(l.0, ["en", "fr"]);
        assert_eq!(l.to_string(), "en, fr");
        assert!("i-klingon".parse::<ContentLanguage>().is_ok());
        assert!("en-GB-oed".parse::<ContentLanguage>().is_ok());
        for bad in ["", "en_GB", "123", "toolongtag1", "en,,-x"] {
            assert!(bad.parse::<ContentLanguage>().is_err(), "{bad}");
        }
    }
}
