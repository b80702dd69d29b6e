//! RFC 9788 injected headers (composition side, RFC 9788 §5.2).
//!
//! The Cryptographic Payload root (the entity the S/MIME layer signs and/or encrypts) is the
//! original message's root MIME entity with:
//! - every non-structural header field of the original copied into its header section,
//! - `hp="clear"` (signed only) or `hp="cipher"` (encrypted) added to its `Content-Type`
//!   (RFC 9788 §2.1.1),
//! - when encrypted, one `HP-Outer` field per non-structural field left on the outer header
//!   section, with the value left there (RFC 9788 §2.2):
//!   `hp-outer = "HP-Outer:" [FWS] field-name ": " hp-outer-value CRLF`,
//! - optionally a Legacy Display Element (RFC 9788 §2.1.2, §5.2.2) for the user-facing fields
//!   the policy hid, marked `hp-legacy-display="1"`.
//!
//! The outer header section is the Header Confidentiality Policy's output (RFC 9788 §3):
//! unchanged for a signed-only message; `hcp(name, value)` of each field when encrypted.

use serde::{Deserialize, Serialize};

use super::fields::is_structural;
use super::Error;
use crate::mime::encode::{fold_field, normalize_crlf};
use crate::mime::entity::media_type;
use crate::mime::header::HeaderSection;

/// Header Confidentiality Policy (RFC 9788 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Hcp {
    /// `hcp_baseline` (RFC 9788 §3.2.1, the recommended default): Subject → `[...]`,
    /// Comments and Keywords removed, everything else kept.
    #[default]
    Baseline,
    /// `hcp_shy` (RFC 9788 §3.2.2): baseline, plus From → its addr-spec, To/Cc → their
    /// addr-specs, Date → the same instant in UTC.
    Shy,
    /// `hcp_no_confidentiality` (RFC 9788 §3.2.3): nothing hidden. Never the default.
    NoConfidentiality,
}

/// Options of [`inject_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InjectOptions {
    /// The payload will be encrypted (`hp="cipher"`, policy applied, HP-Outer emitted).
    pub confidential: bool,
    /// The policy for the outer header section when `confidential`.
    pub policy: Hcp,
    /// Add a Legacy Display Element for hidden user-facing fields (only when `confidential`
    /// and the main body part is an identity-encoded text/plain root).
    pub legacy_display: bool,
}

/// The result of [`inject`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    /// The outer header section (non-structural fields only, CRLF, no blank line). The
    /// S/MIME layer adds `MIME-Version` and its own `Content-Type`.
    pub outer_headers: Vec<u8>,
    /// The Cryptographic Payload root entity to sign and/or encrypt (CRLF).
    pub payload_entity: Vec<u8>,
    /// Whether a Legacy Display Element was added.
    pub legacy_display_added: bool,
}

/// User-facing fields a Legacy Display Element may show (RFC 9788 §5.2.2).
const USER_FACING: &[&str] = &["Subject", "From", "To", "Cc", "Date", "Reply-To"];

/// RFC 9788 §3: the policy's outer value for one field (`None`: removed from the outside).
/// `value` is the unfolded raw value.
pub fn hcp(policy: Hcp, name: &str, value: &str) -> Option<String> {
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    match policy {
        Hcp::NoConfidentiality => Some(value.to_string()),
        Hcp::Baseline | Hcp::Shy => {
            if is("Subject") {
                return Some("[...]".to_string());
            }
            if is("Comments") || is("Keywords") {
                return None;
            }
            if policy == Hcp::Shy {
                if is("From") || is("To") || is("Cc") {
                    let specs = crate::fields::address::value_addr_specs(value);
                    if !specs.is_empty() {
                        return Some(specs.join(", "));
                    }
                }
                if is("Date") {
                    use time::format_description::well_known::Rfc2822;
                    if let Ok(t) = time::OffsetDateTime::parse(value, &Rfc2822) {
                        if let Ok(s) = t.to_offset(time::UtcOffset::UTC).format(&Rfc2822) {
                            return Some(s);
                        }
                    }
                }
            }
            Some(value.to_string())
        }
    }
}

/// RFC 9788 injected headers with the default options other than those given.
pub fn inject(raw_message: &[u8], confidential: bool, policy: Hcp) -> Result<Injected, Error> {
    inject_with(
        raw_message,
        &InjectOptions {
            confidential,
            policy,
            legacy_display: false,
        },
    )
}

/// RFC 9788 injected headers: build the outer header section and the Cryptographic Payload
/// root entity from a complete message.
pub fn inject_with(raw_message: &[u8], opts: &InjectOptions) -> Result<Injected, Error> {
    let msg = normalize_crlf(raw_message);
    let hs = HeaderSection::parse(&msg)?;
    if hs.fields.is_empty() || !hs.has_body_separator {
        return Err(Error::NotAMessage(
            "a header section followed by an empty line is required".into(),
        ));
    }
    let body = msg.get(hs.body_offset..).unwrap_or_default();
    let ct_value = hs
        .value("Content-Type")
        .map(|v| v.into_owned())
        .unwrap_or_else(|| "text/plain; charset=us-ascii".to_string());
    let ct = media_type(&ct_value);
    for p in ["hp", "protected-headers"] {
        if ct.param(p).is_some() {
            return Err(Error::AlreadyProtected(format!(
                "Content-Type parameter {p}"
            )));
        }
    }
    if hs.get("HP-Outer").is_some() {
        return Err(Error::AlreadyProtected("HP-Outer field".into()));
    }

    let raw_of = |f: &crate::mime::header::Field<'_>| -> &[u8] {
        msg.get(f.span.clone()).unwrap_or_default()
    };
    let fold = |name: &str, value: &str, out: &mut Vec<u8>| -> Result<(), Error> {
        crate::mime::header::check_header_value(value)?;
        fold_field(name, value, out).map_err(|_| Error::LineTooLong(name.to_string()))
    };

    let mut outer = Vec::new();
    let mut hp_outer = Vec::new();
    let mut hidden: Vec<(String, String)> = Vec::new();
    for f in hs.fields.iter().filter(|f| !is_structural(f.name)) {
        if !opts.confidential {
            outer.extend_from_slice(raw_of(f));
            continue;
        }
        let value = f.unfolded();
        match hcp(opts.policy, f.name, &value) {
            Some(v) if v == value => {
                outer.extend_from_slice(raw_of(f));
                fold("HP-Outer", &format!("{}: {v}", f.name), &mut hp_outer)?;
            }
            Some(v) => {
                fold(f.name, &v, &mut outer)?;
                fold("HP-Outer", &format!("{}: {v}", f.name), &mut hp_outer)?;
                hidden.push((f.name.to_string(), value.into_owned()));
            }
            None => hidden.push((f.name.to_string(), value.into_owned())),
        }
    }

    // Legacy Display Element: only for an identity-encoded text/plain root.
    let cte = hs
        .value("Content-Transfer-Encoding")
        .map(|v| v.trim().to_ascii_lowercase());
    let identity = matches!(cte.as_deref(), None | Some("7bit" | "8bit" | "binary"));
    let legacy_lines: Vec<String> = hidden
        .iter()
        .filter(|(n, _)| USER_FACING.iter().any(|u| u.eq_ignore_ascii_case(n)))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    let legacy = opts.confidential
        && opts.legacy_display
        && ct.mime == "text/plain"
        && identity
        && !legacy_lines.is_empty();

    let mut ct_out = ct_value.trim().trim_end_matches(';').to_string();
    ct_out.push_str(if opts.confidential {
        "; hp=\"cipher\""
    } else {
        "; hp=\"clear\""
    });
    if legacy {
        ct_out.push_str("; hp-legacy-display=\"1\"");
    }

    let mut entity = Vec::with_capacity(msg.len() + hp_outer.len() + 64);
    for f in hs.fields.iter().filter(|f| !is_structural(f.name)) {
        entity.extend_from_slice(raw_of(f));
    }
    entity.extend_from_slice(&hp_outer);
    let mut wrote_ct = false;
    for f in hs.fields.iter().filter(|f| is_structural(f.name)) {
        if f.is("Content-Type") {
            if !wrote_ct {
                fold("Content-Type", &ct_out, &mut entity)?;
                wrote_ct = true;
            }
        } else {
            entity.extend_from_slice(raw_of(f));
        }
    }
    if !wrote_ct {
        fold("Content-Type", &ct_out, &mut entity)?;
    }
    entity.extend_from_slice(b"\r\n");
    if legacy {
        for l in &legacy_lines {
            entity.extend_from_slice(l.as_bytes());
            entity.extend_from_slice(b"\r\n");
        }
        entity.extend_from_slice(b"\r\n");
    }
    entity.extend_from_slice(body);
    Ok(Injected {
        outer_headers: outer,
        payload_entity: entity,
        legacy_display_added: legacy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"From: Alice <alice@army.example>\r\nTo: Bob <bob@army.example>, carol@army.example\r\nSubject: Attack at dawn\r\nDate: Sat, 20 Feb 2021 10:09:02 -0500\r\nKeywords: secret\r\nMessage-ID: <1@army.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nBody\r\n";

    #[test]
    fn signed_only_is_clear_and_keeps_outer() {
        let i = inject(MSG, false, Hcp::Baseline).unwrap();
        let outer = String::from_utf8(i.outer_headers).unwrap();
        assert!(outer.contains("Subject: Attack at dawn\r\n"));
        assert!(outer.contains("Keywords: secret\r\n"));
        assert!(!outer.contains("Content-Type"));
        let e = String::from_utf8(i.payload_entity).unwrap();
        assert!(e.contains("Content-Type: text/plain; charset=us-ascii; hp=\"clear\"\r\n"));
        assert!(!e.contains("HP-Outer"));
        assert!(e.ends_with("\r\n\r\nBody\r\n"));
    }

    #[test]
    fn baseline_hides_subject_and_emits_hp_outer() {
        let i = inject_with(
            MSG,
            &InjectOptions {
                confidential: true,
                policy: Hcp::Baseline,
                legacy_display: true,
            },
        )
        .unwrap();
        assert!(i.legacy_display_added);
        let outer = String::from_utf8(i.outer_headers).unwrap();
        assert!(outer.contains("Subject: [...]\r\n"));
        assert!(!outer.contains("Keywords"));
        assert!(outer.contains("From: Alice <alice@army.example>\r\n"));
        let e = String::from_utf8(i.payload_entity).unwrap();
        assert!(e.contains("Subject: Attack at dawn\r\n"));
        assert!(e.contains("HP-Outer: Subject: [...]\r\n"));
        assert!(e.contains("HP-Outer: From: Alice <alice@army.example>\r\n"));
        assert!(!e.contains("HP-Outer: Keywords"));
        assert!(e.contains("hp=\"cipher\"; hp-legacy-display=\"1\""));
        assert!(e.ends_with("\r\n\r\nSubject: Attack at dawn\r\n\r\nBody\r\n"));
    }

    #[test]
    fn shy_policy() {
        assert_eq!(
            hcp(Hcp::Shy, "From", "Alice <alice@army.example>").as_deref(),
            Some("alice@army.example")
        );
        assert_eq!(
            hcp(
                Hcp::Shy,
                "To",
                "\"B, Bob\" <bob@a.example>, carol@a.example (C)"
            )
            .as_deref(),
            Some("bob@a.example, carol@a.example")
        );
        assert_eq!(
            hcp(Hcp::Shy, "Date", "Sat, 20 Feb 2021 10:09:02 -0500").as_deref(),
            Some("Sat, 20 Feb 2021 15:09:02 +0000")
        );
        assert_eq!(hcp(Hcp::Shy, "Subject", "x").as_deref(), Some("[...]"));
        assert_eq!(
            hcp(Hcp::NoConfidentiality, "Subject", "x").as_deref(),
            Some("x")
        );
        assert_eq!(hcp(Hcp::Baseline, "Comments", "x"), None);
    }

    #[test]
    fn refuses_already_protected() {
        let m = b"From: a@b.example\r\nContent-Type: text/plain; hp=\"clear\"\r\n\r\nx\r\n";
        assert_eq!(
            inject(m, false, Hcp::Baseline).unwrap_err().code(),
            "protect-already-protected"
        );
    }
}
