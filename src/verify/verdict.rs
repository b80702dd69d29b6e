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
//!    with wrapped (`forwarded=no`) header protection a release officer can only write
//!    outside the signature, so on a message whose every listed address is validly
//!    countersigned the fields a release writes — MMHS-Authorizing-Users, the Sender naming
//!    the verified originator, MMHS-Extended-Authorisation-Info equal to the authorising
//!    signingTime — are notes, not mismatches (`docs/release.md`);
//! 6. the verdict: problems ordered cause first ([`crate::report::codes::rank`]: structure,
//!    then signatures, certificates, the originator binding, authorisations, header
//!    protection, labels) and `valid` ([`VerifyReport::finish`]);
//! 7. in a valid report, the correspondents' certificates it vouches for
//!    ([`super::correspondents`]).

use super::authorizing_users;
use crate::fields::address;
use crate::mime::entity::{self, split};
use crate::mime::header::HeaderSection;
use crate::report::{AuthorizationStatus, Forwarded, HpScheme, Problem, VerifyReport};
use crate::smime::signed_verify::SignerCheck;

/// Note codes of this module (documented in `docs/report.md`).
pub(crate) mod codes {
    /// Note (not a problem): an outer-only MMHS-Authorizing-Users on a wrapped message, every
    /// listed address validly countersigned.
    pub(crate) const AUTHORIZING_USERS_OUTER_ONLY: &str = "authorizing-users-outer-only";
    /// Note (not a problem): an outer-only Sender on a released wrapped message, naming the
    /// originator whose signature verified (profile §3.4.3).
    pub(crate) const SENDER_OUTER_ONLY: &str = "sender-outer-only";
    /// Note (not a problem): the outer MMHS-Extended-Authorisation-Info of a released wrapped
    /// message is the signingTime of the latest authorising signature (RFC 6477 §3.2).
    pub(crate) const RELEASE_TIME_OUTER: &str = "release-time-outer";
}

/// The outer header section of a message, read once ([`OuterHeader::read`]) for the walk's
/// first layer and every check of the outer header.
#[derive(Default)]
pub(crate) struct OuterHeader<'a> {
    /// Its fields, as [`entity::read_fields`] reads them.
    pub fields: Vec<entity::Field<'a>>,
    /// The addresses of its MMHS-Authorizing-Users fields, as
    /// [`authorizing_users::listed_authorizing_users`] reads them.
    pub listed: Vec<String>,
}

impl<'a> OuterHeader<'a> {
    /// Read the header section of `message` once, within the header reader's default limits:
    /// a section beyond them (`header-too-large`, `header-too-many-fields`) is no message
    /// this verifies — read whole, its fields would take many times its size in memory.
    pub(crate) fn read(message: &'a [u8]) -> Result<Self, crate::mime::header::Error> {
        let section = HeaderSection::parse(message)?;
        Ok(OuterHeader {
            fields: entity::fields_of(&section, message),
            listed: authorizing_users::listed_in(&section),
        })
    }
}

/// What the walk hands over.
pub(crate) struct Input<'a> {
    /// The canonical message as received (outermost).
    pub message: &'a [u8],
    /// Its header section, read once by the walk.
    pub outer: &'a OuterHeader<'a>,
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
        report.mmhs = None;
        return;
    }
    let (top_header, _) = split(input.message);

    // 2. Header protection.
    let mut hp_problems = Vec::new();
    let mut protected: Option<&[u8]> = None;
    if !report.layers.is_empty() {
        let hp = crate::protect::analyze(top_header, input.inner, input.encrypted);
        report.header_protection = hp.to_report();
        report.notes.extend(hp.notes.iter().cloned());
        hp_problems = hp.problems;
        protected = match hp.scheme {
            HpScheme::Wrapped => Some(split(input.inner).1),
            HpScheme::Injected => Some(input.inner),
            HpScheme::None => None,
        };
    }
    // 3. The header the message is read from.
    let view_src: &[u8] = protected.unwrap_or(input.message);
    let top_fields: &[entity::Field<'_>] = &input.outer.fields;
    // Within the header reader's limits; beyond them header protection already reported the
    // section `hp-unreadable` (a problem), and nothing is read from it.
    let protected_fields = protected.map(|p| entity::read_fields(split(p).0).unwrap_or_default());
    let view_fields = protected_fields.as_deref().unwrap_or(top_fields);
    let listed = &input.outer.listed;
    let with_authorizing_users =
        !listed.is_empty() || entity::field(view_fields, "mmhs-authorizing-users").is_some();
    super::originator::check(
        report,
        checks,
        view_fields,
        top_fields,
        with_authorizing_users,
    );
    super::label::mmhs_view(
        report,
        view_src,
        view_fields,
        input.at,
        input.ctx.reader.as_deref(),
    );

    // 5. Authorizing users (and the outer-only exception of wrapped messages).
    authorizing_users::apply(report, listed);
    let explained = released_outer_fields(report, listed, top_fields, &mut hp_problems);

    // 4. Coverage (after the exception: an explained outer field is not a mismatch).
    super::coverage::compute(report, top_fields, protected_fields.as_deref(), &explained);

    settle(report, hp_problems);
    // 7. What the valid report vouches for (after `valid`).
    super::correspondents::apply(report);
}

/// A wrapped (`forwarded=no`) message whose every listed authorizing user validly
/// countersigned: the officer can only write outside the drafter's signature, so the fields a
/// release writes there (`crate::release::procedure`) are explained rather than mismatches
/// when a signature vouches for each value (docs/release.md):
/// - MMHS-Authorizing-Users, outer only: each listed address is its officer's signature;
/// - Sender, outer only (profile §3.4.3: required with MMHS-Authorizing-Users), when every
///   address it names is the certificate address of an originator signature that verifies,
///   chains and is bound to the protected originator — the drafter step 1 verified; any
///   other Sender stays a mismatch, so a Sender written by whoever handled the message never
///   decides who the originator is;
/// - MMHS-Extended-Authorisation-Info, when its date-time is exactly the signingTime of the
///   latest authorising signature (RFC 6477 §3.2: the time of authorisation for release).
///
/// Each explained field becomes a note; its outer value is the one shown (the MMHS view
/// takes the release time). Returns the explained field names (lowercase) for coverage.
fn released_outer_fields(
    report: &mut VerifyReport,
    listed: &[String],
    top_fields: &[entity::Field<'_>],
    hp_problems: &mut Vec<Problem>,
) -> Vec<&'static str> {
    let all_countersigned = !listed.is_empty()
        && listed.iter().all(|a| {
            report.authorizing_users.iter().any(|s| {
                s.address.eq_ignore_ascii_case(a) && s.status == AuthorizationStatus::Countersigned
            })
        });
    let hpr = &report.header_protection;
    if !(hpr.scheme == HpScheme::Wrapped && hpr.forwarded == Forwarded::No && all_countersigned) {
        return Vec::new();
    }
    let originator_emails: Vec<String> = report
        .signatures
        .iter()
        .filter(|s| {
            authorizing_users::is_originator_signature(s)
                && s.valid
                && s.trusted
                && s.address_match == Some(true)
        })
        .flat_map(|s| s.emails.iter().cloned())
        .collect();
    let outer_sender: Vec<String> = top_fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("sender"))
        .flat_map(|f| address::addresses(&f.value))
        .collect();
    let sender_bound = top_fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("sender"))
        .count()
        == 1
        && !outer_sender.is_empty()
        && outer_sender
            .iter()
            .all(|a| originator_emails.iter().any(|e| e.eq_ignore_ascii_case(a)));
    let released_at = authorizing_users::latest_authorisation_time(report, listed);
    let eai: Vec<&entity::Field<'_>> = top_fields
        .iter()
        .filter(|f| {
            f.name
                .eq_ignore_ascii_case("mmhs-extended-authorisation-info")
        })
        .collect();
    let eai_value = match eai.as_slice() {
        [one] => one
            .value
            .trim()
            .parse::<crate::fields::date_time::DateTime>()
            .ok(),
        _ => None,
    };
    let eai_bound = matches!((eai_value, released_at), (Some(v), Some(t)) if v.0 == t);

    let mut explained: Vec<&'static str> = Vec::new();
    let hpr = &mut report.header_protection;
    for (name, ok, outer_only) in [
        ("mmhs-authorizing-users", true, true),
        ("sender", sender_bound, true),
        ("mmhs-extended-authorisation-info", eai_bound, false),
    ] {
        let before = hpr.mismatches.len();
        hpr.mismatches.retain(|m| {
            !(ok && m.field.eq_ignore_ascii_case(name) && (!outer_only || m.inner.is_none()))
        });
        if hpr.mismatches.len() == before {
            continue;
        }
        let prefix = format!("outer {name} (");
        hp_problems.retain(|p| {
            !(p.code == crate::protect::codes::HEADER_MISMATCH
                && p.message.to_ascii_lowercase().starts_with(&prefix))
        });
        explained.push(name);
    }
    for name in &explained {
        let (code, text) = match *name {
            "mmhs-authorizing-users" => (
                codes::AUTHORIZING_USERS_OUTER_ONLY,
                format!(
                    "MMHS-Authorizing-Users ({}) is only in the outer header, as a release officer must add it to a wrapped message; every listed address validly countersigned the originator's signature",
                    listed.join(", ")
                ),
            ),
            "sender" => (
                codes::SENDER_OUTER_ONLY,
                format!(
                    "Sender ({}) is only in the outer header, as a release adds it (profile §3.4.3); it names the originator whose signature verified",
                    outer_sender.join(", ")
                ),
            ),
            _ => (
                codes::RELEASE_TIME_OUTER,
                format!(
                    "MMHS-Extended-Authorisation-Info in the outer header is the release time, the signingTime of the latest authorising signature ({})",
                    eai_value.map(|v| v.to_rfc3339()).unwrap_or_default()
                ),
            ),
        };
        report.notes.push(Problem::new(code, text));
    }
    // The bound Sender is the one the reader shows ("Sender on behalf of From").
    if explained.contains(&"sender") && report.sender.is_empty() {
        report.sender = outer_sender.clone();
    }
    if let (true, Some(v)) = (
        explained.contains(&"mmhs-extended-authorisation-info"),
        eai_value,
    ) {
        if let Some(m) = report.mmhs.as_deref_mut() {
            m.extended_authorisation_info = Some(v);
        }
    }
    explained
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
