//! The cross-layer part of `verify`, once every S/MIME layer is removed, in order:
//!
//! 1. the effective ESS security label ([`super::label::effective_label`]), the receipt
//!    request and, for a signed receipt, its checks against the original
//!    ([`super::receipt`]);
//! 2. header protection — [`crate::protect::analyze`] of the outer header section against the
//!    innermost entity: scheme `wrapped|injected|none`, `forwarded`, every outer/inner
//!    mismatch (RFC 9788 §4, draft-melnikov-iana-reg-forwarded, the draft
//!    `protected-headers="v1"` / HP-Obscured / HP-Removed forms);
//! 3. the header the message is read from: the protected (inner) one when header-protected,
//!    else the outer one — its From/Sender are what the reader shows and what every
//!    originator signature is bound to ([`super::originator`]), and it is the input of the
//!    MMHS view and the SIO-Label check ([`super::label`]);
//! 4. per-field coverage ([`super::coverage`]);
//! 5. authorizing users ([`super::authorizing_users`]) with the outer MMHS-Authorizing-Users;
//!    with wrapped (`forwarded=no`) header protection a release officer can only add that
//!    field outside the signature, so an outer-only MMHS-Authorizing-Users whose every
//!    address is validly countersigned is a note, not a mismatch (`docs/release.md`);
//! 6. the verdict: problems ordered cause first ([`crate::report::codes::rank`]: structure,
//!    then signatures, certificates, the originator binding, authorisations, header
//!    protection, labels) and `valid` ([`VerifyReport::finish`]).

use super::authorizing_users;
use crate::report::{AuthorizationStatus, Forwarded, HpScheme, Problem, VerifyReport};
use crate::smime::signed_verify::SignerCheck;
use crate::smime::smime_mime::{self, fields, split_message};

/// Note codes of this module (documented in `docs/report.md`).
pub mod codes {
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
    /// A signed receipt found by the walk.
    pub receipt: Option<&'a super::receipt::ReceivedReceipt>,
    /// The caller's context (the original a receipt answers).
    pub ctx: &'a super::VerifyContext,
}

/// Complete `report`; `checks` are the SignerChecks in the order of `report.signatures`.
pub(crate) fn conclude(report: &mut VerifyReport, checks: &[SignerCheck], input: &Input<'_>) {
    report.security_label = super::label::effective_label(&report.signatures);
    super::receipt::request(report, checks);
    if let Some(r) = input.receipt {
        super::receipt::check(report, checks, r, input.ctx);
    }
    if !input.mail {
        if report.signatures.is_empty() && !report.has_problem("no-signers") {
            report.problem(
                super::originator::codes::NOT_SIGNED,
                "the CMS object carries no signature",
            );
        }
        // No header, so no MMHS-Authorizing-Users: countersignatures are judged as
        // signatures only (valid and trusted), not as authorisations.
        settle(report, Vec::new());
        report.mmhs = serde_json::Value::Null;
        return;
    }
    let (top_header, _) = split_message(input.message);

    // 2. Header protection.
    let mut hp_problems = Vec::new();
    let mut protected: Option<&[u8]> = None;
    if !report.layers.is_empty() {
        let hp = crate::protect::analyze(top_header, input.inner, input.encrypted);
        report.header_protection = hp.to_report();
        report.notes.extend(hp.notes.iter().cloned());
        hp_problems = hp.problems;
        protected = match hp.scheme {
            HpScheme::Wrapped => Some(split_message(input.inner).1),
            HpScheme::Injected => Some(input.inner),
            HpScheme::None => None,
        };
    }
    // 3. The header the message is read from.
    let view_src: &[u8] = protected.unwrap_or(input.message);
    let view_fields = fields(split_message(view_src).0);
    let top_fields = fields(top_header);
    let listed = authorizing_users::listed_authorizing_users(input.message);
    let with_authorizing_users =
        !listed.is_empty() || smime_mime::field(&view_fields, "mmhs-authorizing-users").is_some();
    super::originator::check(
        report,
        checks,
        &view_fields,
        &top_fields,
        with_authorizing_users,
    );
    super::label::mmhs_view(
        report,
        view_src,
        &view_fields,
        input.at,
        input.ctx.reader.as_deref(),
    );

    // 5. Authorizing users (and the outer-only exception of wrapped messages).
    authorizing_users::apply(report, &listed);
    outer_only_authorizing_users(report, &listed, &mut hp_problems);

    // 4. Coverage (after the exception: an explained outer-only field is not a mismatch).
    let protected_fields = protected.map(|p| fields(split_message(p).0));
    super::coverage::compute(report, &top_fields, protected_fields.as_deref());

    settle(report, hp_problems);
}

/// A wrapped (`forwarded=no`) message whose MMHS-Authorizing-Users is only outside, every
/// listed address validly countersigned: the mismatch is how a release officer must add the
/// field (docs/release.md), so it becomes a note.
fn outer_only_authorizing_users(
    report: &mut VerifyReport,
    listed: &[String],
    hp_problems: &mut Vec<Problem>,
) {
    let all_countersigned = !listed.is_empty()
        && listed.iter().all(|a| {
            report.authorizing_users.iter().any(|s| {
                s.address.eq_ignore_ascii_case(a) && s.status == AuthorizationStatus::Countersigned
            })
        });
    let hpr = &mut report.header_protection;
    if !(hpr.scheme == HpScheme::Wrapped && hpr.forwarded == Forwarded::No && all_countersigned) {
        return;
    }
    let before = hpr.mismatches.len();
    hpr.mismatches
        .retain(|m| !(m.field.eq_ignore_ascii_case("mmhs-authorizing-users") && m.inner.is_none()));
    if hpr.mismatches.len() == before {
        return;
    }
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

/// The verdict: every problem in one list, cause first, then `valid`.
fn settle(report: &mut VerifyReport, hp_problems: Vec<Problem>) {
    report.problems.extend(hp_problems);
    signature_problems(report);
    report
        .problems
        .sort_by_key(|p| crate::report::codes::rank(&p.code));
    report.finish();
    if let Some(r) = report.receipt.as_mut() {
        r.verified = report.valid;
    }
}

/// Copy per-signature and per-countersignature problems and notes into the report.
fn signature_problems(report: &mut VerifyReport) {
    fn collect_cs(
        cs: &[crate::report::CountersignatureReport],
        out: &mut Vec<Problem>,
        notes: &mut Vec<Problem>,
    ) {
        for c in cs {
            out.extend(c.problems.iter().cloned());
            notes.extend(c.notes.iter().cloned());
            collect_cs(&c.countersignatures, out, notes);
        }
    }
    let mut extra: Vec<Problem> = Vec::new();
    let mut notes: Vec<Problem> = Vec::new();
    for s in &report.signatures {
        extra.extend(s.problems.iter().cloned());
        notes.extend(s.notes.iter().cloned());
        collect_cs(&s.countersignatures, &mut extra, &mut notes);
    }
    report.problems.extend(extra);
    report.notes.extend(notes);
}
