//! Per header field: does a signature cover the value a reader is shown?
//!
//! A signature covers only what it signs. The header section outside every S/MIME layer is
//! signed by nobody (RFC 8551 §3.1 — hence header protection: the wrapped `message/rfc822`
//! form of the MMHS profile §4.2.6 / draft-melnikov-iana-reg-forwarded, or RFC 9788's
//! injected header fields). So a field is **covered** only when the value shown comes from a
//! protected header section inside the signed content, at least one signature over that
//! content is valid and chains to a trust anchor, and the outer header does not show a
//! different, unexplained value for it (`headerProtection.mismatches`). Everything else —
//! every field of a message without header protection, and every outer-only field — is not
//! covered: anybody on the path could have added or changed it, so a reader marks
//! precedence or label taken from it as unverified, and the release gate never relies on it.
//!
//! MMHS-Authorizing-Users is the one field whose protection is not header protection: each
//! listed address is protected by that officer's countersignature (draft-melnikov-mmhs-
//! authorizing-users §4; RFC 7912 §3.2), and on a wrapped message the officer can only add the
//! field outside. It is covered when every address it lists is `countersigned`.
//!
//! MIME structure fields (`Content-*`, `MIME-Version`) and header-protection bookkeeping
//! (`HP-*`) are not listed. An uncovered `MMHS-*` or `SIO-Label` field of a signed message
//! adds the note `field-not-covered`.

use crate::mime::entity::Field;
use crate::report::{AuthorizationStatus, FieldCoverage, Problem, VerifyReport};

/// Note codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    /// Note: a military header field (MMHS-*, SIO-Label) that no valid signature covers.
    pub(crate) const FIELD_NOT_COVERED: &str = "field-not-covered";
}

/// Whether a field, named in lower case, is listed.
fn shown(lower: &str) -> bool {
    !(lower.starts_with("content-") || lower == "mime-version" || lower.starts_with("hp-"))
}

fn security_relevant(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("mmhs-") || n == "sio-label"
}

/// Fill `report.field_coverage` (and the `field-not-covered` notes) from the outer header
/// fields and the protected ones (`None` without header protection). Needs the signatures
/// and `header_protection.mismatches` already in the report.
///
/// `explained` (lowercase names) are outer fields of a released message whose values a
/// signature vouches for (`super::verdict`): the Sender naming the verified originator and
/// the release time equal to the authorising signingTime. They are covered.
pub(crate) fn compute(
    report: &mut VerifyReport,
    outer: &[Field<'_>],
    protected: Option<&[Field<'_>]>,
    explained: &[&str],
) {
    let signed_ok = report.signatures.iter().any(|s| s.valid && s.trusted);
    // Looked up by lower-case name, once per field, in ordered sets: a header section of
    // many fields (or many mismatches) is read in one pass, not searched per field.
    let mismatched: std::collections::BTreeSet<String> = report
        .header_protection
        .mismatches
        .iter()
        .map(|m| m.field.to_ascii_lowercase())
        .collect();
    let contradicted = |lower: &str| mismatched.contains(lower);
    let listed: Vec<_> = report
        .authorizing_users
        .iter()
        .filter(|a| a.status != AuthorizationStatus::NotListed)
        .collect();
    let authorised = !listed.is_empty()
        && listed
            .iter()
            .all(|a| a.status == AuthorizationStatus::Countersigned);
    let mut out: Vec<FieldCoverage> = Vec::new();
    let mut listed_names: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut push = |out: &mut Vec<FieldCoverage>, name: &str, lower: String, covered: bool| {
        let covered = if lower == "mmhs-authorizing-users" {
            authorised
        } else {
            covered || explained.iter().any(|e| e.eq_ignore_ascii_case(&lower))
        };
        if shown(&lower) && listed_names.insert(lower) {
            out.push(FieldCoverage {
                field: name.to_string(),
                covered,
            });
        }
    };
    for f in protected.unwrap_or_default() {
        let lower = f.name.to_ascii_lowercase();
        let covered = signed_ok && !contradicted(&lower);
        push(&mut out, f.name, lower, covered);
    }
    for f in outer {
        push(&mut out, f.name, f.name.to_ascii_lowercase(), false);
    }
    if !report.signatures.is_empty() {
        for c in out
            .iter()
            .filter(|c| !c.covered && security_relevant(&c.field))
        {
            report.notes.push(Problem::new(
                codes::FIELD_NOT_COVERED,
                format!(
                    "{} is not covered by a signature that verifies and chains (header protection inside such a signature): treat its value as unverified",
                    c.field
                ),
            ));
        }
    }
    report.field_coverage = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{HeaderMismatch, SignatureReport};

    fn field(name: &str) -> Field<'_> {
        Field {
            name,
            raw: name.as_bytes(),
            value: String::new(),
        }
    }

    /// A header section of a hundred thousand fields, and as many mismatches, is read in one
    /// pass (the names listed so far and the mismatched ones are looked up, not searched
    /// per field: 20 000 fields took 4 s in a debug build). Each name is listed once, in
    /// order, whatever its case; a contradicted protected field is not covered.
    #[test]
    fn many_fields_are_listed_once_in_one_pass() {
        let n = 100_000;
        let names: Vec<String> = (0..n).map(|i| format!("X-F{i}")).collect();
        let mut report = VerifyReport {
            signatures: vec![SignatureReport {
                valid: true,
                trusted: true,
                ..Default::default()
            }],
            ..Default::default()
        };
        report.header_protection.mismatches = names
            .iter()
            .skip(1)
            .map(|f| HeaderMismatch {
                field: f.to_ascii_lowercase(),
                outer: None,
                inner: Some("v".into()),
            })
            .collect();
        let protected: Vec<Field<'_>> = names.iter().map(|f| field(f)).collect();
        let mut outer: Vec<Field<'_>> = names.iter().map(|f| field(f)).collect();
        outer.push(field("x-f0"));
        outer.push(field("Subject"));
        outer.push(field("Content-Type"));
        compute(&mut report, &outer, Some(&protected), &[]);
        let c = &report.field_coverage;
        assert_eq!(c.len(), n + 1);
        assert_eq!((c[0].field.as_str(), c[0].covered), ("X-F0", true));
        assert_eq!((c[1].field.as_str(), c[1].covered), ("X-F1", false));
        assert_eq!((c[n].field.as_str(), c[n].covered), ("Subject", false));
    }
}
