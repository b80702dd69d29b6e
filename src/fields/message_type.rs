//! MMHS-Message-Type — [RFC 6477 §3.10, §4](https://www.rfc-editor.org/rfc/rfc6477#section-3.10).
//!
//! ```text
//! MMHS-Message-Type = "MMHS-Message-Type:" [FWS] message-type [CFWS]
//!                     [ ";" [FWS] "identifier" [FWS] "=" [FWS] quoted-military-string [FWS] ] CRLF
//! message-type      = nonneg-integer / std-message-type
//! std-message-type  = "exercise" / "operation" / "project" / "drill"
//! quoted-military-string = DQUOTE military-string DQUOTE
//! ```
//!
//! Values 0–127 are NATO's (0–3 defined), 128–255 national / bilateral. Integers above 255 are
//! `message-type-invalid`; 4–127 parse (as [`MessageType::Other`]) but are not allocated
//! ([`MessageType::is_allocated`]). Canonical text: lower-case name for 0–3, number otherwise,
//! then `; identifier="…"`. JSON: the name (`"exercise"`) or a number, like [`super::Precedence`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::lex::{parse_nonneg_integer, parse_quoted, quote, split_semicolon, strip_comments};
use super::military::MilitaryString;
use super::Error;

/// An MMHS message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// 0
    Exercise,
    /// 1
    Operation,
    /// 2
    Project,
    /// 3
    Drill,
    /// Any other value 4–255 (128–255 national / bilateral). Never holds 0–3.
    Other(u8),
}

const NAMES: [&str; 4] = ["exercise", "operation", "project", "drill"];

impl MessageType {
    /// Build from the numeric value.
    pub fn from_value(v: u8) -> Self {
        match v {
            0 => MessageType::Exercise,
            1 => MessageType::Operation,
            2 => MessageType::Project,
            3 => MessageType::Drill,
            n => MessageType::Other(n),
        }
    }

    /// The numeric value.
    pub fn value(self) -> u8 {
        match self {
            MessageType::Exercise => 0,
            MessageType::Operation => 1,
            MessageType::Project => 2,
            MessageType::Drill => 3,
            MessageType::Other(n) => n,
        }
    }

    /// The lower-case standard name (0–3 only).
    pub fn name(self) -> Option<&'static str> {
        NAMES.get(usize::from(self.value())).copied()
    }

    /// 128–255: national / bilateral use.
    pub fn is_national(self) -> bool {
        self.value() >= 128
    }

    /// Defined by NATO (0–3) or national (128–255).
    pub fn is_allocated(self) -> bool {
        self.value() <= 3 || self.is_national()
    }
}

impl FromStr for MessageType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let (core, _) =
            strip_comments(s).map_err(|e| Error::MessageTypeInvalid(format!("{s:?}: {e}")))?;
        if let Some(i) = NAMES.iter().position(|n| n.eq_ignore_ascii_case(&core)) {
            return Ok(MessageType::from_value(i as u8));
        }
        match parse_nonneg_integer(&core) {
            Some(v) => u8::try_from(v)
                .map(MessageType::from_value)
                .map_err(|_| Error::MessageTypeInvalid(format!("{s:?}: value out of range 0-255"))),
            None => Err(Error::MessageTypeInvalid(format!("{s:?}"))),
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.value()),
        }
    }
}

impl Serialize for MessageType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.serialize_u8(self.value()),
        }
    }
}

impl<'de> Deserialize<'de> for MessageType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = MessageType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message type name or a number 0-255")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MessageType, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<MessageType, E> {
                u8::try_from(v)
                    .map(MessageType::from_value)
                    .map_err(|_| E::custom(Error::MessageTypeInvalid(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<MessageType, E> {
                u8::try_from(v)
                    .map(MessageType::from_value)
                    .map_err(|_| E::custom(Error::MessageTypeInvalid(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// The whole MMHS-Message-Type field value: the type and the optional identifier.
/// JSON: `{ "kind": "exercise", "identifier": "CANDLE FISH" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageTypeField {
    /// The message type.
    pub kind: MessageType,
    /// The identifier (a military-string), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

impl MessageTypeField {
    /// Check the identifier is a military-string.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(id) = &self.identifier {
            id.parse::<MilitaryString>()
                .map_err(|e| Error::MessageTypeInvalid(format!("identifier: {e}")))?;
        }
        Ok(())
    }
}

impl FromStr for MessageTypeField {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        // ';' is not a ps-char and cannot appear in a comment we accept here, so the first ';'
        // outside a quoted string / comment separates the identifier parameter.
        let (head, tail) = match split_semicolon(s) {
            Some((h, t)) => (h, Some(t)),
            None => (s, None),
        };
        let kind: MessageType = head.parse()?;
        let identifier = match tail {
            None => None,
            Some(t) => {
                let t = t.trim_start();
                let rest = t
                    .get(..10)
                    .filter(|p| p.eq_ignore_ascii_case("identifier"))
                    .and_then(|_| t.get(10..))
                    .ok_or_else(|| {
                        Error::MessageTypeInvalid(format!("{s:?}: expected identifier="))
                    })?;
                let rest = rest
                    .trim_start()
                    .strip_prefix('=')
                    .ok_or_else(|| Error::MessageTypeInvalid(format!("{s:?}: expected '='")))?
                    .trim_start();
                let (value, after) = parse_quoted(rest).ok_or_else(|| {
                    Error::MessageTypeInvalid(format!("{s:?}: identifier must be a quoted string"))
                })?;
                if !after.trim().is_empty() {
                    return Err(Error::MessageTypeInvalid(format!(
                        "{s:?}: trailing text after identifier"
                    )));
                }
                Some(value)
            }
        };
        let f = MessageTypeField { kind, identifier };
        f.validate()?;
        Ok(f)
    }
}

impl fmt::Display for MessageTypeField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(id) = &self.identifier {
            write!(f, "; identifier={}", quote(id))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    #[test]
    fn rfc6477_example() {
        // RFC 6477 §3.10 example
        let f: MessageTypeField = "0(exercise); identifier=\"CANDLE FISH\"".parse().unwrap();
        assert_eq!(f.kind, MessageType::Exercise);
        assert_eq!(f.identifier.as_deref(), Some("CANDLE FISH"));
        assert_eq!(f.to_string(), "exercise; identifier=\"CANDLE FISH\"");
        assert_eq!(f.to_string().parse::<MessageTypeField>().unwrap(), f);
    }

    #[test]
    fn forms() {
        assert_eq!("Drill".parse::<MessageType>().unwrap(), MessageType::Drill);
        assert_eq!(
            "200".parse::<MessageType>().unwrap(),
            MessageType::Other(200)
        );
        assert!(MessageType::Other(200).is_national());
        assert!(!MessageType::Other(50).is_allocated());
        let f: MessageTypeField = "operation ; IDENTIFIER = \"OP X\"".parse().unwrap();
        assert_eq!(f.identifier.as_deref(), Some("OP X"));
        let f: MessageTypeField = "1".parse().unwrap();
        assert_eq!(f.to_string(), "operation");
        for v in 0..=255u8 {
            let t = MessageType::from_value(v);
            assert_eq!(t.to_string().parse::<MessageType>().unwrap(), t);
        }
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "bogus",
            "256",
            "exercise; identifier=CANDLE",
            "exercise; id=\"X\"",
            "exercise; identifier=\"bad;char\"",
            "exercise; identifier=\"\"",
            "exercise; identifier=\"X\" junk",
        ] {
            assert_eq!(
                bad.parse::<MessageTypeField>().unwrap_err().code(),
                "message-type-invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn json_form() {
        let f = MessageTypeField {
            kind: MessageType::Other(130),
            identifier: None,
        };
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"kind":130}"#);
        let f: MessageTypeField =
            serde_json::from_str(r#"{"kind":"EXERCISE","identifier":"A"}"#).unwrap();
        assert_eq!(f.kind, MessageType::Exercise);
    }
}
