//! The standard values a composer offers and a settings page lists: the NATO precedences of
//! [RFC 6477 §3.8](https://www.rfc-editor.org/rfc/rfc6477#section-3.8) (0–5, with the
//! MT-PRIORITY the STANAG4406 policy gives each, RFC 6710 Appendix A) and the NATO message
//! types of §3.10 (0–3). Built from [`Precedence`], [`MessageType`] and
//! [`super::mt_priority::stanag4406`], so the names and the priority table have one home; the
//! extension reads them through the wasm `mmhsVocabulary` export instead of keeping copies.

use serde::Serialize;

use super::message_type::MessageType;
use super::mt_priority::stanag4406;
use super::precedence::Precedence;

/// One standard precedence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PrecedenceEntry {
    /// 0–5.
    pub value: u8,
    /// The lower-case standard name (`"flash"`).
    pub name: &'static str,
    /// MT-PRIORITY under the STANAG4406 policy (RFC 6710 Appendix A, Table 1).
    pub mt_priority: i8,
}

/// One standard message type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MessageTypeEntry {
    /// 0–3.
    pub value: u8,
    /// The lower-case standard name (`"exercise"`).
    pub name: &'static str,
}

/// The standard precedences and message types, lowest value first. JSON (camelCase) is the
/// wasm `mmhsVocabulary` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(rename = "MmhsVocabulary")
)]
#[serde(rename_all = "camelCase")]
pub struct Vocabulary {
    /// deferred (0) … override (5).
    pub precedences: Vec<PrecedenceEntry>,
    /// exercise (0) … drill (3).
    pub message_types: Vec<MessageTypeEntry>,
}

/// The vocabulary.
pub(crate) fn vocabulary() -> Vocabulary {
    let precedences = (0u8..=255)
        .map(Precedence::from_value)
        .map_while(|p| {
            p.name().map(|name| PrecedenceEntry {
                value: p.value(),
                name,
                mt_priority: stanag4406(p),
            })
        })
        .collect();
    let message_types = (0u8..=255)
        .map(MessageType::from_value)
        .map_while(|t| {
            t.name().map(|name| MessageTypeEntry {
                value: t.value(),
                name,
            })
        })
        .collect();
    Vocabulary {
        precedences,
        message_types,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nato_values_with_the_stanag4406_table() {
        let v = vocabulary();
        let p: Vec<(u8, &str, i8)> = v
            .precedences
            .iter()
            .map(|e| (e.value, e.name, e.mt_priority))
            .collect();
        // RFC 6477 §3.8 names, RFC 6710 Appendix A Table 1 priorities
        assert_eq!(
            p,
            [
                (0, "deferred", -4),
                (1, "routine", -2),
                (2, "priority", 0),
                (3, "immediate", 2),
                (4, "flash", 4),
                (5, "override", 6),
            ]
        );
        let t: Vec<(u8, &str)> = v.message_types.iter().map(|e| (e.value, e.name)).collect();
        assert_eq!(
            t,
            [
                (0, "exercise"),
                (1, "operation"),
                (2, "project"),
                (3, "drill")
            ]
        );
        // every name reads back as its value through the field grammar
        for e in &v.precedences {
            assert_eq!(
                e.name.parse::<Precedence>().map(Precedence::value),
                Ok(e.value)
            );
        }
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["precedences"][4]["mtPriority"], 4);
        assert_eq!(json["messageTypes"][3]["name"], "drill");
    }
}
