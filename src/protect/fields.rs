//! Which header fields are structural, which are compared, and how values are normalised.
//!
//! RFC 9788 §1.1.2: *structural* header fields are `MIME-Version` and every `Content-*`
//! field; they describe the MIME entity and are never "protected" or compared. Every other
//! field of the original message is *non-structural* and is what header protection covers.

use std::borrow::Cow;

use crate::mime::header::decode_encoded_words;

/// RFC 9788 §1.1.2 structural header field.
pub fn is_structural(name: &str) -> bool {
    name.eq_ignore_ascii_case("MIME-Version")
        || name
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("Content-"))
}

/// Header-protection bookkeeping fields (RFC 9788 HP-Outer, draft HP-Obscured / HP-Removed):
/// never rendered as message headers.
pub(super) fn is_hp_meta(name: &str) -> bool {
    ["HP-Outer", "HP-Obscured", "HP-Removed"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// Fields always compared outer vs inner (RFC 9788 §4.4, profile §4.2.6 list), in the
/// order reported. Every `MMHS-*` field is compared as well.
pub const COMPARED: &[&str] = &[
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Expires",
    "Supersedes",
    "SIO-Label",
    "SIO-Label-History",
    "MT-Priority",
];

/// The canonical spelling of a field name for reports: the one from [`COMPARED`] when
/// listed, else as written.
pub(super) fn canonical_name(name: &str) -> String {
    COMPARED
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name))
        .map(|n| n.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// Unfolded, decoded, whitespace-collapsed display form of a raw value.
pub(super) fn display(unfolded: &str) -> String {
    let decoded: Cow<'_, str> = decode_encoded_words(unfolded);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The addr-specs of address-list values (lowercase, RFC 9788 §4.4 comparison form).
pub(super) fn addr_specs(vals: &[String]) -> Vec<String> {
    let mut out: Vec<String> = vals
        .iter()
        .flat_map(|v| crate::fields::address::addresses(v))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structural() {
        assert!(is_structural("content-type"));
        assert!(is_structural("Content-Transfer-Encoding"));
        assert!(is_structural("MIME-Version"));
        assert!(!is_structural("Subject"));
        assert!(!is_structural("Content"));
    }

    #[test]
    fn display_form() {
        assert_eq!(display("=?utf-8?q?caf=C3=A9?=  x\t y"), "café x y");
    }
}
