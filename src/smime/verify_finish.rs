//! The cross-layer part of `verify`, once every S/MIME layer is removed:
//!
//! 1. header protection — [`crate::protect::analyze`] of the outer header section against the
//!    innermost entity: scheme `wrapped|injected|none`, `forwarded`, every outer/inner
//!    mismatch (RFC 9788 §4, draft-melnikov-iana-reg-forwarded, the draft
//!    `protected-headers="v1"` / HP-Obscured / HP-Removed forms); its problems join the report;
//! 2. the header the message is read from: the protected (inner) one when header-protected,
//!    else the outer one — its From/Sender are compared with every originator signature
//!    (RFC 8551 §3; with MMHS-Authorizing-Users present the originator is the Sender, MMHS
//!    profile §3.4.29 / RFC 7912 §5), and it is the input of the MMHS view
//!    ([`crate::mmhs::inspect`]);
//! 3. the effective ESS security label and its agreement with SIO-Label (MMHS profile §4.2.5:
//!    same policy, classification and categories);
//! 4. authorizing users — [`crate::release::apply_to_report`] with the outer
//!    MMHS-Authorizing-Users; with wrapped (`forwarded=no`) header protection a release officer
//!    can only add that field outside the signature, so an outer-only MMHS-Authorizing-Users
//!    whose every address is validly countersigned is a note, not a mismatch
//!    (`docs/release.md`);
//! 5. the verdict ([`VerifyReport::finish`]).

use super::attributes_label::{labels_agree, to_report};
use super::sig_type::SignatureType;
use super::signed_verify::SignerCheck;
use super::smime_mime::{self, fields, split_message, Field};
use crate::report::{Problem, VerifyReport};

/// Problem codes of this module (documented in `docs/report.md`).
pub mod codes {
    /// A signer's certificate addresses do not include the From/Sender address.
    pub const SIGNER_ADDRESS_MISMATCH: &str = "signer-address-mismatch";
    /// A From display name shows another address than its addr-spec.
    pub const FROM_DISPLAY_NAME_ADDRESS: &str = "from-display-name-address";
    /// The message carries no signature.
    pub const NOT_SIGNED: &str = "not-signed";
    /// Only domain / review / additional-attributes signatures.
    pub const NO_ORIGINATOR_SIGNATURE: &str = "no-originator-signature";
    /// More than one SIO-Label field (RFC 7444 §4).
    pub const SIO_LABEL_DUPLICATE: &str = "sio-label-duplicate";
    /// SIO-Label `type=":ess"` whose label cannot be read (RFC 7444 §4).
    pub const SIO_LABEL_INVALID: &str = "sio-label-invalid";
    /// The SIO-Label and the signed ESS security label disagree (MMHS profile §4.2.5).
    pub const SIO_LABEL_MISMATCH: &str = "sio-label-mismatch";
    /// `mmhs::inspect` could not read the header section (the suffix is its error code).
    pub const MMHS_PREFIX: &str = "mmhs-";
    /// Note (not a problem): an outer-only MMHS-Authorizing-Users on a wrapped message, every
    /// listed address validly countersigned.
    pub const AUTHORIZING_USERS_OUTER_ONLY: &str = "authorizing-users-outer-only";
}

/// What the walk hands over.
pub(crate) struct Input<'a> {
    /// The canonical message as received (outermost).
    pub message: &'a [u8],
    /// The innermost entity after every S/MIME layer.
    pub inner: &'a [u8],
    /// Whether any layer was encrypted.
    pub encrypted: bool,
    /// A mail message (false for a bare CMS object: no header, nothing to compare).
    pub mail: bool,
    /// The verification time (for the MMHS view's `expired`).
    pub at: Option<time::OffsetDateTime>,
}

/// Complete `report`; `checks` are the SignerChecks in the order of `report.signatures`.
pub(crate) fn finish(report: &mut VerifyReport, checks: &[SignerCheck], input: &Input<'_>) {
    report.security_label = report
        .signatures
        .iter()
        .rev()
        .filter(|s| s.valid)
        .find_map(|s| s.security_label.clone());
    if !input.mail {
        if report.signatures.is_empty() && !report.has_problem("no-signers") {
            report.problem(codes::NOT_SIGNED, "the CMS object carries no signature");
        }
        signature_problems(report);
        report.mmhs = serde_json::Value::Null;
        report.finish();
        return;
    }
    let (top_header, _) = split_message(input.message);

    // 1. Header protection.
    let mut hp_problems = Vec::new();
    let mut protected: Option<&[u8]> = None;
    if !report.layers.is_empty() {
        let hp = crate::protect::analyze(top_header, input.inner, input.encrypted);
        report.header_protection = hp.to_report();
        hp_problems = hp.problems;
        protected = match hp.scheme.as_str() {
            "wrapped" => Some(split_message(input.inner).1),
            "injected" => Some(input.inner),
            _ => None,
        };
    }
    // 2. The header the message is read from.
    let view_src: &[u8] = protected.unwrap_or(input.message);
    let view_fields = fields(split_message(view_src).0);
    let top_fields = fields(top_header);
    let listed = crate::release::procedure::listed_authorizing_users(input.message);

    let addr_fields: &[Field<'_>] = if smime_mime::field(&view_fields, "from").is_some() {
        &view_fields
    } else {
        &top_fields
    };
    let with_authorizing_users =
        !listed.is_empty() || smime_mime::field(addr_fields, "mmhs-authorizing-users").is_some();
    let claimed = claimed_originators(addr_fields, with_authorizing_users);
    for f in addr_fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("from"))
    {
        if let Some(m) = display_name_spoof(&f.value) {
            report.problem(codes::FROM_DISPLAY_NAME_ADDRESS, m);
        }
    }
    address_checks(report, checks, &claimed, with_authorizing_users);

    // 3. MMHS view, SIO-Label vs the effective ESS label.
    mmhs_view(report, view_src, &view_fields, input.at);

    // 4. Authorizing users (and the outer-only exception of wrapped messages).
    let statuses = crate::release::authorizing_users_status(report, &listed);
    let all_countersigned = !listed.is_empty()
        && listed.iter().all(|a| {
            statuses
                .iter()
                .any(|s| s.address.eq_ignore_ascii_case(a) && s.status == "countersigned")
        });
    let hpr = &mut report.header_protection;
    if hpr.scheme == "wrapped" && hpr.forwarded == "no" && all_countersigned {
        let before = hpr.mismatches.len();
        hpr.mismatches.retain(|m| {
            !(m.field.eq_ignore_ascii_case("mmhs-authorizing-users") && m.inner.is_none())
        });
        if hpr.mismatches.len() != before {
            hp_problems.retain(|p| {
                !(p.code == crate::protect::codes::HEADER_MISMATCH
                    && p.message
                        .to_ascii_lowercase()
                        .starts_with("outer mmhs-authorizing-users "))
            });
            report.notes.push(Problem::new(
                codes::AUTHORIZING_USERS_OUTER_ONLY,
                format!(
                    "MMHS-Authorizing-Users ({}) is only in the outer header, as a release officer must add it to a wrapped message; every listed address validly countersigned the originator's signature",
                    listed.join(", ")
                ),
            ));
        }
    }
    report.problems.extend(hp_problems);
    signature_problems(report);
    // Recomputes `valid` too.
    crate::release::apply_to_report(report, &listed);
}

/// The addresses an originator signature must match: From or Sender (RFC 8551 §3); with
/// authorizing users present, the Sender (MMHS profile §3.4.29, RFC 7912 §5) — or From
/// when there is no Sender.
fn claimed_originators(addr_fields: &[Field<'_>], with_authorizing_users: bool) -> Vec<String> {
    let of = |name: &str| -> Vec<String> {
        addr_fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .flat_map(|f| smime_mime::addresses(&f.value))
            .collect()
    };
    let sender = of("sender");
    if with_authorizing_users && !sender.is_empty() {
        return sender;
    }
    let mut claimed = of("from");
    claimed.extend(sender);
    claimed
}

/// Signer address vs the claimed originator, per originator signature; `not-signed` /
/// `no-originator-signature`.
fn address_checks(
    report: &mut VerifyReport,
    checks: &[SignerCheck],
    claimed: &[String],
    with_authorizing_users: bool,
) {
    let mut originator_sigs = 0usize;
    for (rep, check) in report.signatures.iter_mut().zip(checks.iter()) {
        let non_originator = !check.known_types.is_empty()
            && check.known_types.iter().all(|t| {
                matches!(
                    t,
                    SignatureType::Domain
                        | SignatureType::Review
                        | SignatureType::AdditionalAttributes
                )
            });
        if non_originator || check.cert.is_none() {
            continue;
        }
        originator_sigs += 1;
        let m = !claimed.is_empty() && rep.emails.iter().any(|e| claimed.contains(e));
        rep.address_match = Some(m);
        if !m {
            rep.problems.push(Problem::new(
                codes::SIGNER_ADDRESS_MISMATCH,
                format!(
                    "signer {} does not match the {} address {}",
                    rep.signer,
                    if with_authorizing_users {
                        "originator (Sender, as MMHS-Authorizing-Users is present)"
                    } else {
                        "From/Sender"
                    },
                    if claimed.is_empty() {
                        "(none)".to_string()
                    } else {
                        claimed.join(", ")
                    }
                ),
            ));
        }
    }
    if report.signatures.is_empty() {
        if !report.has_problem("no-signers") {
            report.problem(codes::NOT_SIGNED, "the message carries no signature");
        }
    } else if originator_sigs == 0 {
        report.problem(
            codes::NO_ORIGINATOR_SIGNATURE,
            "no signature authenticates the originator (only domain/review/additional-attributes signatures)",
        );
    }
}

/// Fill `report.mmhs` from `mmhs::inspect` of `src` and compare its SIO-Label with the
/// effective ESS label (MMHS profile §4.2.5).
fn mmhs_view(
    report: &mut VerifyReport,
    src: &[u8],
    header: &[Field<'_>],
    at: Option<time::OffsetDateTime>,
) {
    use crate::error::Coded;
    let opts = crate::mmhs::InspectOptions { now: at };
    let view = match crate::mmhs::inspect(src, &opts) {
        Ok(v) => v,
        Err(e) => {
            report.mmhs = serde_json::Value::Null;
            report.problem(
                &format!("{}{}", codes::MMHS_PREFIX, e.code()),
                format!("the header section cannot be inspected: {e}"),
            );
            return;
        }
    };
    let sio_count = header
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("sio-label"))
        .count();
    if sio_count > 1 {
        report.problem(
            codes::SIO_LABEL_DUPLICATE,
            "more than one SIO-Label field (RFC 7444 §4: zero or one)",
        );
    }
    match &view.sio_label {
        None if sio_count > 0 => report.problem(
            codes::SIO_LABEL_INVALID,
            "the SIO-Label field cannot be parsed (RFC 7444 §4)",
        ),
        None => {}
        Some(sio) => match (sio.label.ess_label(), &report.security_label) {
            (Some(Err(e)), _) => report.problem(
                codes::SIO_LABEL_INVALID,
                format!("SIO-Label type=\":ess\" label cannot be decoded: {e}"),
            ),
            (Some(Ok(sio_ess)), Some(ess)) => {
                let sio_ess = to_report(&sio_ess);
                if !labels_agree(&sio_ess, ess) {
                    let show = |l: &crate::report::SecurityLabel| {
                        format!(
                            "policy {}, classification {}, {} categor{}",
                            l.policy,
                            l.classification
                                .map(|c| c.to_string())
                                .unwrap_or_else(|| "none".into()),
                            l.categories.len(),
                            if l.categories.len() == 1 { "y" } else { "ies" }
                        )
                    };
                    report.problem(
                        codes::SIO_LABEL_MISMATCH,
                        format!(
                            "the SIO-Label ({}) and the signed ESS security label ({}) disagree (MMHS profile §4.2.5)",
                            show(&sio_ess),
                            show(ess)
                        ),
                    );
                }
            }
            _ => {}
        },
    }
    report.mmhs = serde_json::to_value(&view).unwrap_or(serde_json::Value::Null);
}

/// Copy per-signature and per-countersignature problems into the report.
fn signature_problems(report: &mut VerifyReport) {
    fn collect_cs(cs: &[crate::report::CountersignatureReport], out: &mut Vec<Problem>) {
        for c in cs {
            out.extend(c.problems.iter().cloned());
            collect_cs(&c.countersignatures, out);
        }
    }
    let mut extra: Vec<Problem> = Vec::new();
    for s in &report.signatures {
        extra.extend(s.problems.iter().cloned());
        collect_cs(&s.countersignatures, &mut extra);
    }
    report.problems.extend(extra);
}

/// When a From value's display name contains an address other than its addr-spec.
fn display_name_spoof(value: &str) -> Option<String> {
    let lt = value.rfind('<')?;
    let addr = smime_mime::addresses(value);
    let display = value.get(..lt)?;
    let shown: Vec<String> = display
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
        .filter(|t| t.contains('@'))
        .map(smime_mime::normalize_address)
        .collect();
    let other = shown.iter().find(|s| !addr.contains(s))?;
    Some(format!(
        "the From display name shows {other} but the address is {}",
        addr.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn originator_is_sender_with_authorizing_users() {
        let h = b"From: o1@army.example\r\nSender: alice@army.example\r\nMMHS-Authorizing-Users: o1@army.example\r\n";
        let f = fields(h);
        assert_eq!(claimed_originators(&f, true), vec!["alice@army.example"]);
        let both = claimed_originators(&f, false);
        assert!(both.contains(&"o1@army.example".to_string()));
        assert!(both.contains(&"alice@army.example".to_string()));
        // Without Sender, From is the originator.
        let f = fields(b"From: alice@army.example\r\n");
        assert_eq!(claimed_originators(&f, true), vec!["alice@army.example"]);
    }

    #[test]
    fn display_name_spoof_is_found() {
        assert!(display_name_spoof("\"boss@army.example\" <eve@evil.example>").is_some());
        assert!(display_name_spoof("Alice <alice@army.example>").is_none());
        assert!(display_name_spoof("alice@army.example").is_none());
    }
}
