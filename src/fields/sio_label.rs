//! SIO-Label — [RFC 7444 §4](https://www.rfc-editor.org/rfc/rfc7444#section-4).
//!
//! ```text
//! sio-label          = "SIO-Label:" [FWS] sio-label-parm-seq [FWS] CRLF
//! sio-label-parm-seq = sio-label-parm [ [FWS] ";" [FWS] sio-label-parm-seq ]
//! sio-label-parm     = parameter                     ; RFC 2231
//! color              = hex-color / named-color
//! hex-color          = "#" 6HEXDIG
//! named-color        = "aqua" / "black" / "blue" / "fuschia" / "gray" / "green" / "lime" /
//!                      "maroon" / "navy" / "olive" / "purple" / "red" / "silver" / "teal" /
//!                      "white" / "yellow" / "orange"
//! ```
//!
//! Parameters: `marking` (display string), `fgcolor`, `bgcolor` (default black / white, SHALL
//! be absent without `marking`), `type` (`:ess`, `:x411`, `:xml` or a URI; present iff
//! `label`), `label` (base64). The field SHALL contain `marking`, or both `type` and `label`.
//! Unknown parameters are ignored (kept in [`SioLabel::ignored`] by name). At most one
//! SIO-Label per message (checked by `inspect`).
//!
//! Canonical text: `marking=…; fgcolor=…; bgcolor=…; type=…; label=…` in that order, each
//! by [`crate::mime::encode::param_text`] (continuations for long labels, RFC 2231 UTF-8 for
//! non-ASCII markings). JSON (camelCase): `{ "marking": "…", "fgcolor": "red",
//! "bgcolor": "#ff0000", "type": ":ess", "label": "<base64>" }`.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::lex::parse_params;
use super::Error;
use crate::ess::EssSecurityLabel;
use crate::mime::encode::param_text;

const NAMED_COLORS: [&str; 17] = [
    "aqua", "black", "blue", "fuschia", "gray", "green", "lime", "maroon", "navy", "olive",
    "purple", "red", "silver", "teal", "white", "yellow", "orange",
];

/// An RFC 7444 colour: a named colour (lower case) or `#rrggbb` (lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct Color(String);

impl Color {
    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Color {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let l = s.trim().to_ascii_lowercase();
        let hex =
            l.len() == 7 && l.starts_with('#') && l.bytes().skip(1).all(|b| b.is_ascii_hexdigit());
        if hex || NAMED_COLORS.contains(&l.as_str()) {
            Ok(Color(l))
        } else {
            Err(Error::SioLabelInvalid(format!("{s:?} is not a colour")))
        }
    }
}

impl TryFrom<String> for Color {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<Color> for String {
    fn from(c: Color) -> String {
        c.0
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `type` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub enum LabelType {
    /// `:ess` — base64 BER ESSSecurityLabel (RFC 2634).
    Ess,
    /// `:x411` — base64 BER X.411 SecurityLabel.
    X411,
    /// `:xml` — base64 XML label.
    Xml,
    /// A URI naming another label format.
    Uri(String),
}

impl FromStr for LabelType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            ":ess" => Ok(LabelType::Ess),
            ":x411" => Ok(LabelType::X411),
            ":xml" => Ok(LabelType::Xml),
            _ if s.contains(':') && !s.starts_with(':') && !s.contains(char::is_whitespace) => {
                Ok(LabelType::Uri(s.to_string()))
            }
            _ => Err(Error::SioLabelInvalid(format!("unknown label type {s:?}"))),
        }
    }
}

impl TryFrom<String> for LabelType {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<LabelType> for String {
    fn from(t: LabelType) -> String {
        t.to_string()
    }
}

impl fmt::Display for LabelType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LabelType::Ess => ":ess",
            LabelType::X411 => ":x411",
            LabelType::Xml => ":xml",
            LabelType::Uri(u) => u,
        })
    }
}

/// The label-describing parameters shared by SIO-Label and SIO-Label-History.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SioLabel {
    /// Display marking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
    /// Foreground colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fgcolor: Option<Color>,
    /// Background colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgcolor: Option<Color>,
    /// Label type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub label_type: Option<LabelType>,
    /// Label, base64 as in the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Names of unknown parameters that were ignored (not formatted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

impl SioLabel {
    /// A label carrying an ESS security label (`type=":ess"`) and an optional marking.
    pub fn from_ess(
        ess: &EssSecurityLabel,
        marking: Option<String>,
        fgcolor: Option<Color>,
        bgcolor: Option<Color>,
    ) -> Result<Self, Error> {
        let l = SioLabel {
            marking,
            fgcolor,
            bgcolor,
            label_type: Some(LabelType::Ess),
            label: Some(ess.to_base64()?),
            ignored: Vec::new(),
        };
        l.validate()?;
        Ok(l)
    }

    /// Check RFC 7444 §4: marking or type+label present; type iff label; colours only with a
    /// marking; label is base64; no CR/LF/NUL in the marking.
    pub fn validate(&self) -> Result<(), Error> {
        if self.marking.is_none() && (self.label_type.is_none() || self.label.is_none()) {
            return Err(Error::SioLabelInvalid(
                "needs a marking, or both type and label".into(),
            ));
        }
        if self.label_type.is_some() != self.label.is_some() {
            return Err(Error::SioLabelInvalid(
                "type and label must be present together".into(),
            ));
        }
        if self.marking.is_none() && (self.fgcolor.is_some() || self.bgcolor.is_some()) {
            return Err(Error::SioLabelInvalid(
                "fgcolor/bgcolor without marking".into(),
            ));
        }
        if let Some(m) = &self.marking {
            super::lex::check_value(m)?;
        }
        if let Some(l) = &self.label {
            self.label_bytes_of(l)?;
        }
        Ok(())
    }

    fn label_bytes_of(&self, l: &str) -> Result<Vec<u8>, Error> {
        let cleaned: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(cleaned)
            .map_err(|e| Error::SioLabelInvalid(format!("label is not base64: {e}")))
    }

    /// The decoded label bytes, if any.
    pub fn label_bytes(&self) -> Option<Result<Vec<u8>, Error>> {
        self.label.as_deref().map(|l| self.label_bytes_of(l))
    }

    /// Decode the `:ess` label; `None` when the type is not `:ess` or there is no label.
    pub fn ess_label(&self) -> Option<Result<EssSecurityLabel, Error>> {
        if self.label_type != Some(LabelType::Ess) {
            return None;
        }
        let bytes = self.label_bytes()?;
        Some(bytes.and_then(|b| EssSecurityLabel::from_ber(&b).map_err(Error::from)))
    }

    /// Parse from an already-parsed parameter list (shared with SIO-Label-History, which
    /// uses prefixed names).
    pub(crate) fn from_params(
        params: &[(String, String)],
        prefix: &str,
        ignored: &mut Vec<String>,
    ) -> Result<Self, Error> {
        let mut l = SioLabel::default();
        for (k, v) in params {
            let Some(name) = k.strip_prefix(prefix) else {
                continue;
            };
            match name {
                "marking" => l.marking = Some(v.clone()),
                "fgcolor" => l.fgcolor = Some(v.parse()?),
                "bgcolor" => l.bgcolor = Some(v.parse()?),
                "type" => l.label_type = Some(v.parse()?),
                "label" => l.label = Some(v.clone()),
                _ => ignored.push(k.clone()),
            }
        }
        Ok(l)
    }

    /// Whether no parameter is set.
    pub fn is_empty(&self) -> bool {
        self.marking.is_none()
            && self.fgcolor.is_none()
            && self.bgcolor.is_none()
            && self.label_type.is_none()
            && self.label.is_none()
    }

    /// The canonical parameters with a name prefix (`""` or `"new-"`).
    pub(crate) fn format_params(&self, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(m) = &self.marking {
            out.push(param_text(&format!("{prefix}marking"), m));
        }
        if let Some(c) = &self.fgcolor {
            out.push(param_text(&format!("{prefix}fgcolor"), c.as_str()));
        }
        if let Some(c) = &self.bgcolor {
            out.push(param_text(&format!("{prefix}bgcolor"), c.as_str()));
        }
        if let Some(t) = &self.label_type {
            out.push(format!("{prefix}type=\"{t}\""));
        }
        if let Some(l) = &self.label {
            out.push(param_text(&format!("{prefix}label"), l));
        }
        out
    }
}

impl FromStr for SioLabel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let params = parse_params(s).map_err(|e| Error::SioLabelInvalid(e.to_string()))?;
        let mut ignored = Vec::new();
        let mut l = SioLabel::from_params(&params, "", &mut ignored)?;
        l.ignored = ignored;
        l.validate()?;
        Ok(l)
    }
}

impl fmt::Display for SioLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_params("").join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    const EXAMPLE: &str = "marking=\"EXAMPLE CONFIDENTIAL\"; fgcolor=black; bgcolor=red; type=\":ess\"; label=\"MQYGASkCAQM=\"";

    #[test]
    fn rfc7444_example() {
        let l: SioLabel = EXAMPLE.parse().unwrap();
        assert_eq!(l.marking.as_deref(), Some("EXAMPLE CONFIDENTIAL"));
        assert_eq!(l.fgcolor.as_ref().map(Color::as_str), Some("black"));
        assert_eq!(l.bgcolor.as_ref().map(Color::as_str), Some("red"));
        assert_eq!(l.label_type, Some(LabelType::Ess));
        let ess = l.ess_label().unwrap().unwrap();
        assert_eq!(ess.policy, "1.1");
        assert_eq!(ess.classification, Some(3));
        // canonical form = the RFC's example (label written as "MQYGASkCAQM=": quoted)
        assert_eq!(l.to_string(), EXAMPLE);
        assert_eq!(l.to_string().parse::<SioLabel>().unwrap(), l);
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"marking":"EXAMPLE CONFIDENTIAL","fgcolor":"black","bgcolor":"red","type":":ess","label":"MQYGASkCAQM="}"#
        );
    }

    #[test]
    fn continuations_and_charset() {
        let l: SioLabel = "marking*=utf-8'de'STRENG%20GEHEIM%20%E2%80%93%20nur; type=\":ess\"; label*0=\"MQYGASkC\"; label*1=\"AQM=\"; x-foo=1".parse().unwrap();
        assert_eq!(l.marking.as_deref(), Some("STRENG GEHEIM – nur"));
        assert_eq!(l.label.as_deref(), Some("MQYGASkCAQM="));
        assert_eq!(l.ignored, ["x-foo"]);
        let again: SioLabel = l.to_string().parse().unwrap();
        assert_eq!(again.marking, l.marking);
        assert_eq!(again.label, l.label);
    }

    #[test]
    fn generate_from_ess() {
        let mut ess = EssSecurityLabel::new("1.3.6.1.4.1.99999.1", Some(4));
        ess.privacy_mark = Some("ATOMAL".into());
        let l = SioLabel::from_ess(
            &ess,
            Some("NATO SECRET".into()),
            None,
            Color::from_str("#FF0000").ok(),
        )
        .unwrap();
        let text = l.to_string();
        assert!(
            text.starts_with("marking=\"NATO SECRET\"; bgcolor=#ff0000; type=\":ess\"; label="),
            "{text}"
        );
        let back: SioLabel = text.parse().unwrap();
        assert_eq!(
            back.ess_label().unwrap().unwrap(),
            EssSecurityLabel {
                privacy_mark_utf8: false,
                ..ess
            }
        );
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "fgcolor=red",
            "type=\":ess\"",
            "marking=x; label=\"MQYGASkCAQM=\"",
            "type=\":ess\"; label=\"MQYGASkCAQM=\"; fgcolor=red",
            "marking=x; fgcolor=pink",
            "marking=x; type=\":fgn\"; label=AAAA",
            "marking=x; type=\":ess\"; label=\"!!\"",
            "marking=\"x",
        ] {
            assert_eq!(
                bad.parse::<SioLabel>().unwrap_err().code(),
                "sio-label-invalid",
                "{bad}"
            );
        }
        let l = SioLabel {
            marking: Some("a\r\nBcc: x".into()),
            ..Default::default()
        };
        assert_eq!(l.validate().unwrap_err().code(), "header-crlf");
    }
}
