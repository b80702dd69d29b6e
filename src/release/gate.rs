//! The submission gate (`releaseGate`): may a submitted message go to the transfer system, must
//! it wait in a release queue (for which officer), or must it be refused?
//!
//! This is the MSA behaviour draft-melnikov-mmhs-authorizing-users-00 suggests (§3: "redirect all email messages without the
//! MMHS-Authorizing-Users header field and/or corresponding S/MIME countersignatures to a
//! preconfigured mailbox that can be accessed by authorizing user(s)") and that the profile
//! requires of MSAs (§6.1 item 11) and of border MTAs of originating domains (§7.1: "Enforcement
//! of correct Draft & Release procedure"), with RFC 7912 §3.2's checks: the field is
//! syntactically valid and appears once, the addresses are authorised officers, and each listed
//! officer's authorisation is protected (countersignature, RFC 7912 review signature — or, when
//! the policy does not ask officers to sign, the officer's own authenticated submission).
//!
//! The gate judges the message from its verification report ([`crate::verify::verify`]; one
//! verification per message): the MMHS view of the header the recipient will act on (the
//! protected one when header-protected), the layers, the header-protection mismatches and the
//! authorizing users. Of the raw message it reads only the outer header section: whether it
//! carries MMHS fields, and MMHS-Authorizing-Users, which a release officer adds outside the
//! drafter's signature (RFC 7912 §3.3.2; docs/release.md, "Header protection survives
//! release").
//!
//! Decision, in order:
//! 1. not a military message (no MMHS field outside nor in the header the recipient reads,
//!    RFC 6477 §6 / RFC 7912 §5.2) and no encrypted layer the gate could not open → `transfer`;
//!    no readable header → `refuse` (`gate-unparsable`);
//! 2. the protected header differs from the outer one in an MMHS-* field, SIO-Label, From or
//!    Sender (RFC 9788 §4: the recipient acts on the protected one) → `refuse`
//!    (`gate-header-mismatch`); an outer-only MMHS-Authorizing-Users is the documented
//!    exception, judged in step 7;
//! 3. MMHS-Authorizing-Users more than once or not an address list → `refuse` (RFC 7912 §4:
//!    malformed); neither From nor Sender → `refuse` (`gate-no-originator`);
//! 4. the drafter is the authenticated submitter: every From and Sender address must be his,
//!    except for an officer re-submitting a draft whose authorisation by him counts (step 7),
//!    whose drafter is then the message's originator (Sender, else From — profile §3.4.29);
//!    otherwise `refuse` (`gate-from-not-owned`). Without authentication: `transfer` when every
//!    envelope recipient is a named officer or the release-queue mailbox, `refuse`
//!    (`gate-unauthenticated`) when a From or Sender address is one the policy governs, else
//!    `transfer` (inbound mail drafted outside this policy's domain);
//! 5. drafter exempt or not covered by the policy → `transfer`;
//! 6. content the gate cannot open whose outermost layer is encryption → `refuse`
//!    (`gate-content-opaque`): no officer could countersign it (RFC 7912 §3.3.2: drafts are
//!    signed on the outside);
//! 7. a listed address that is not an officer, or whose authorisation does not count →
//!    `releaseQueue` with a problem (seed §3 suggests redirecting, RFC 7912 §3.2 says the MSA
//!    MAY divert). A countersignature counts only when the whole report is valid — or valid but
//!    for an encrypted layer inside the signed layer it covers, which the gate cannot open
//!    (`gate-report-invalid` otherwise);
//! 8. every required officer (policy order) authorised and no problem → `transfer`; otherwise
//!    `releaseQueue` addressed to the next officer who has not yet authorised (content the gate
//!    cannot open adds `gate-content-opaque`: the officer, to whom drafts are encrypted too —
//!    RFC 7912 §3.3.1 — can).

use serde::{Deserialize, Serialize};

use super::policy::ReleasePolicy;
use crate::fields::{AddressList, AuthorizingUsers, MmhsView};
use crate::mime::header::HeaderSection;
use crate::report::{HeaderProtection, Problem, VerifyReport};

/// Problem codes of the gate (documented in docs/release.md and docs/report.md).
pub(crate) mod codes {
    /// The message has no header the gate can read.
    pub(crate) const UNPARSABLE: &str = "gate-unparsable";
    /// Neither From nor Sender.
    pub(crate) const NO_ORIGINATOR: &str = "gate-no-originator";
    /// MMHS-Authorizing-Users more than once (RFC 7912 §4).
    pub(crate) const AUTHORIZING_USERS_DUPLICATE: &str = "authorizing-users-duplicate";
    /// MMHS-Authorizing-Users is not an address list, or lists nobody.
    pub(crate) const AUTHORIZING_USERS_MALFORMED: &str = "authorizing-users-malformed";
    /// The protected header differs from the outer one in a field the gate judges.
    pub(crate) const HEADER_MISMATCH: &str = "gate-header-mismatch";
    /// A From or Sender address is not the authenticated submitter's.
    pub(crate) const FROM_NOT_OWNED: &str = "gate-from-not-owned";
    /// A military message claiming a governed originator, without authentication.
    pub(crate) const UNAUTHENTICATED: &str = "gate-unauthenticated";
    /// Encrypted content the gate cannot open.
    pub(crate) const CONTENT_OPAQUE: &str = "gate-content-opaque";
    /// A countersignature verifies but the message's report is not valid.
    pub(crate) const REPORT_INVALID: &str = "gate-report-invalid";
    /// A listed address is not a release officer.
    pub(crate) const NOT_OFFICER: &str = "authorizing-user-not-officer";
    /// A listed officer's authorisation is not protected.
    pub(crate) const UNVERIFIED: &str = "authorizing-user-unverified";
}

/// Report problem code of an encrypted layer no supplied key opens.
const NO_DECRYPTION_KEY: &str = crate::verify::open::codes::NO_DECRYPTION_KEY;
/// Report problem codes meaning an encrypted layer stayed closed.
const CLOSED_LAYER: [&str; 4] = [
    NO_DECRYPTION_KEY,
    "decrypt-failed",
    "decrypt-auth-failed",
    "unsupported-algorithm",
];

/// What the gate knows beyond the message.
#[derive(Debug, Clone)]
pub struct GateContext<'a> {
    /// The authenticated submitter (SMTP AUTH identity); `None` = unauthenticated.
    pub submitter: Option<&'a str>,
    /// The envelope recipients (SMTP RCPT TO), for the unauthenticated rule (step 4).
    pub recipients: &'a [String],
    /// The verification report of the message ([`crate::verify::verify`], `authorizingUsers`
    /// filled).
    pub report: &'a VerifyReport,
}

/// What to do with the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum GateAction {
    /// Send on to the transfer system.
    Transfer,
    /// Put into the release queue of `officers`.
    ReleaseQueue,
    /// Refuse the submission (SMTP 5xx).
    Refuse,
}

/// The gate's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GateDecision {
    /// The action.
    pub action: GateAction,
    /// Whether the message is military (carries MMHS header fields outside or in the header
    /// the recipient reads).
    pub military: bool,
    /// The drafter (step 4).
    pub drafter: Option<String>,
    /// Officers who must act next (release queue), in policy order.
    pub officers: Vec<String>,
    /// The shared release-queue mailbox, when the policy names one.
    pub mailbox: Option<String>,
    /// Officers whose authorisation counts.
    pub authorized: Vec<String>,
    /// For `refuse`: the SMTP reply (`550 5.7.1 …`).
    pub smtp_reply: Option<String>,
    /// Why.
    pub problems: Vec<Problem>,
}

/// Decide what happens to a submitted message (module documentation, steps 1–8).
pub fn release_gate(raw: &[u8], policy: &ReleasePolicy, ctx: &GateContext<'_>) -> GateDecision {
    let mut d = GateDecision {
        action: GateAction::Transfer,
        military: false,
        drafter: None,
        officers: Vec::new(),
        mailbox: policy.release_queue.clone(),
        authorized: Vec::new(),
        smtp_reply: None,
        problems: Vec::new(),
    };
    let report = ctx.report;
    // 1. What the recipient will act on.
    let (Ok(outer), Some(view)) = (HeaderSection::parse(raw), view_of(report)) else {
        return refuse(d, codes::UNPARSABLE, "the message header cannot be read");
    };
    let opaque = is_opaque(report);
    d.military = view.military || outer.fields.iter().any(|f| is_mmhs_name(f.name));
    if !d.military && !opaque {
        return d;
    }
    // 2. Military fields the outer header misrepresents.
    if let Some(why) = hidden_difference(&report.header_protection) {
        return refuse(d, codes::HEADER_MISMATCH, &why);
    }
    // 3. The listing and the originator.
    let listed = match listed_authorizing_users(&outer) {
        Ok(l) => l,
        Err((code, why)) => return refuse(d, code, why),
    };
    let claimed = originators(view);
    if claimed.is_empty() {
        return refuse(
            d,
            codes::NO_ORIGINATOR,
            "the message has neither Sender nor From",
        );
    }
    let (authorized, problems) = authorisations(&listed, policy, ctx);
    // 4. Who drafted it.
    let drafter = match drafter(view, &claimed, policy, ctx, &authorized) {
        Drafter::Is(a) => a,
        Drafter::Transfer(a) => {
            d.drafter = a;
            return d;
        }
        Drafter::Refuse(code, why) => return refuse(d, code, &why),
    };
    d.drafter = Some(drafter.clone());
    // 5. Covered by the policy?
    if !policy.needs_release(&drafter) {
        return d;
    }
    // 6. Nobody could release it.
    if opaque && outermost_is_encryption(report) {
        return refuse(
            d,
            codes::CONTENT_OPAQUE,
            "the content is encrypted on the outside and cannot be inspected or countersigned; a draft must be signed outside the encryption (RFC 7912 §3.3.2)",
        );
    }
    // 7–8. Authorisations.
    d.authorized = authorized;
    d.problems = problems;
    route(d, policy, opaque)
}

/// Verify `raw` once ([`crate::verify::verify`] against `verify`) and decide:
/// what an MSA, `mmhs release-gate` and wasm `releaseGate` run. `Err` only when the input
/// cannot be treated as a message at all (empty, too large); callers refuse it.
pub fn verify_and_gate(
    raw: &[u8],
    policy: &ReleasePolicy,
    submitter: Option<&str>,
    recipients: &[String],
    verify: &crate::verify::VerifyContext,
) -> Result<GateDecision, super::Error> {
    let report = crate::verify::verify(raw, verify)?;
    Ok(release_gate(
        raw,
        policy,
        &GateContext {
            submitter,
            recipients,
            report: &report,
        },
    ))
}

/// Step 8: transfer when complete, else the release queue of the next officer.
fn route(mut d: GateDecision, policy: &ReleasePolicy, opaque: bool) -> GateDecision {
    let pending: Vec<String> = policy
        .officers
        .iter()
        .filter(|o| !d.authorized.iter().any(|a| a.eq_ignore_ascii_case(o)))
        .cloned()
        .collect();
    // Without named officers any one officer suffices.
    let complete = if policy.officers.is_empty() {
        !d.authorized.is_empty()
    } else {
        pending.is_empty()
    };
    if complete && d.problems.is_empty() {
        return d;
    }
    if opaque {
        d.problems.push(Problem::new(
            codes::CONTENT_OPAQUE,
            "an encrypted layer cannot be opened by the gate; the officer (to whom drafts are encrypted too, RFC 7912 §3.3.1) must review it",
        ));
    }
    d.action = GateAction::ReleaseQueue;
    // In order: the next officer is the first required one not yet authorised.
    d.officers = pending.into_iter().take(1).collect();
    d
}

/// The MMHS view of the header the recipient reads (`report.mmhs`); `None` when absent.
fn view_of(report: &VerifyReport) -> Option<&MmhsView> {
    report.mmhs.as_deref()
}

/// Header fields whose presence marks a military message (RFC 6477 §6, RFC 7912 §4).
fn is_mmhs_name(name: &str) -> bool {
    name.get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("mmhs-"))
}

/// Whether an encrypted layer stayed closed to the gate.
fn is_opaque(report: &VerifyReport) -> bool {
    report
        .problems
        .iter()
        .any(|p| CLOSED_LAYER.contains(&p.code.as_str()))
}

fn is_encryption(layer: &crate::report::Layer) -> bool {
    matches!(
        layer,
        crate::report::Layer::Enveloped | crate::report::Layer::AuthEnveloped
    )
}

fn outermost_is_encryption(report: &VerifyReport) -> bool {
    report.layers.first().is_some_and(is_encryption)
}

/// Step 2: a protected-header difference in a field the gate judges, described.
fn hidden_difference(hp: &HeaderProtection) -> Option<String> {
    hp.mismatches.iter().find_map(|m| {
        let f = m.field.as_str();
        let judged = is_mmhs_name(f)
            || ["SIO-Label", "From", "Sender"]
                .iter()
                .any(|n| n.eq_ignore_ascii_case(f));
        // An officer adds MMHS-Authorizing-Users outside the drafter's signature (step 7).
        let outer_only_listing =
            f.eq_ignore_ascii_case("MMHS-Authorizing-Users") && m.inner.is_none();
        let same_addresses = (f.eq_ignore_ascii_case("From") || f.eq_ignore_ascii_case("Sender"))
            && same_addresses(m.outer.as_deref(), m.inner.as_deref());
        (judged && !outer_only_listing && !same_addresses).then(|| {
            format!(
                "the outer {f} ({}) differs from the protected {f} ({}) the recipient will act on",
                m.outer.as_deref().unwrap_or("absent"),
                m.inner.as_deref().unwrap_or("absent")
            )
        })
    })
}

/// Whether two address-list values name the same addr-specs (display names aside).
fn same_addresses(a: Option<&str>, b: Option<&str>) -> bool {
    let specs = |v: Option<&str>| -> Option<Vec<String>> {
        let list: AddressList = v?.parse().ok()?;
        let mut s: Vec<String> = list
            .mailboxes()
            .map(|m| m.address.to_ascii_lowercase())
            .collect();
        s.sort();
        Some(s)
    };
    matches!((specs(a), specs(b)), (Some(x), Some(y)) if x == y)
}

/// Step 3: the addresses of the outer MMHS-Authorizing-Users (RFC 7912 §4: at most once).
fn listed_authorizing_users(
    outer: &HeaderSection<'_>,
) -> Result<Vec<String>, (&'static str, &'static str)> {
    let mut fields = outer.get_all("MMHS-Authorizing-Users");
    let Some(field) = fields.next() else {
        return Ok(Vec::new());
    };
    if fields.next().is_some() {
        return Err((
            codes::AUTHORIZING_USERS_DUPLICATE,
            "MMHS-Authorizing-Users appears more than once (RFC 7912 §4: the message is malformed)",
        ));
    }
    let users: AuthorizingUsers = field.unfolded().parse().map_err(|_| {
        (
            codes::AUTHORIZING_USERS_MALFORMED,
            "MMHS-Authorizing-Users is not an address list",
        )
    })?;
    let listed: Vec<String> = users.0.mailboxes().map(|m| m.address.clone()).collect();
    if listed.is_empty() {
        return Err((
            codes::AUTHORIZING_USERS_MALFORMED,
            "MMHS-Authorizing-Users lists no address",
        ));
    }
    Ok(listed)
}

/// Every From and Sender address of the header the recipient reads.
fn originators(view: &MmhsView) -> Vec<String> {
    view.from
        .iter()
        .chain(view.sender.iter())
        .flat_map(|l| l.mailboxes().map(|m| m.address.clone()))
        .collect()
}

/// The originator in the profile's sense (§3.4.29): Sender, else the first From.
fn originator(view: &MmhsView) -> Option<String> {
    let first = |l: &Option<AddressList>| {
        l.as_ref()
            .and_then(|l| l.mailboxes().next().map(|m| m.address.clone()))
    };
    first(&view.sender).or_else(|| first(&view.from))
}

/// Step 4's outcome.
enum Drafter {
    /// The drafter whose release the policy decides.
    Is(String),
    /// Transfer without release (unauthenticated: to officers only, or inbound).
    Transfer(Option<String>),
    /// Refuse with this code and reason.
    Refuse(&'static str, String),
}

/// Step 4: the drafter is the authenticated submitter (module documentation).
fn drafter(
    view: &MmhsView,
    claimed: &[String],
    policy: &ReleasePolicy,
    ctx: &GateContext<'_>,
    authorized: &[String],
) -> Drafter {
    let Some(submitter) = ctx.submitter else {
        let to_officers = !ctx.recipients.is_empty()
            && ctx
                .recipients
                .iter()
                .all(|r| policy.is_release_destination(r));
        if to_officers {
            return Drafter::Transfer(originator(view));
        }
        return match claimed.iter().find(|a| policy.governs(a)) {
            Some(a) => Drafter::Refuse(
                codes::UNAUTHENTICATED,
                format!("a military message from {a} must be submitted with authentication (only release officers may receive one without)"),
            ),
            None => Drafter::Transfer(originator(view)),
        };
    };
    let foreign: Vec<&String> = claimed
        .iter()
        .filter(|a| !a.eq_ignore_ascii_case(submitter))
        .collect();
    if foreign.is_empty() {
        return Drafter::Is(submitter.to_string());
    }
    // An officer re-submitting the draft he released carries the drafter's From/Sender.
    if authorized.iter().any(|a| a.eq_ignore_ascii_case(submitter)) {
        if let Some(o) = originator(view) {
            return Drafter::Is(o);
        }
    }
    let shown: Vec<&str> = foreign.iter().map(|s| s.as_str()).collect();
    Drafter::Refuse(
        codes::FROM_NOT_OWNED,
        format!(
            "From/Sender {} is not the authenticated submitter {submitter} (only a release officer whose authorisation verifies may submit another's draft)",
            shown.join(", ")
        ),
    )
}

/// Step 7: which listed officers' authorisations count, and the problems of the others.
fn authorisations(
    listed: &[String],
    policy: &ReleasePolicy,
    ctx: &GateContext<'_>,
) -> (Vec<String>, Vec<Problem>) {
    let report = ctx.report;
    let sound = is_sound(report);
    let mut authorized = Vec::new();
    let mut problems = Vec::new();
    for (i, addr) in listed.iter().enumerate() {
        if !policy.is_officer(addr) {
            problems.push(Problem::new(
                codes::NOT_OFFICER,
                format!("{addr} is listed in MMHS-Authorizing-Users but is not a release officer"),
            ));
            continue;
        }
        let status = report
            .authorizing_users
            .iter()
            .find(|s| s.address.eq_ignore_ascii_case(addr) && s.status != "notListed")
            .map(|s| s.status.as_str())
            .unwrap_or("notCountersigned");
        let signed = status == "countersigned" && sound;
        // Without signatures (policy countersign=false) the last listed officer may be the
        // authenticated submitter himself: his submission is the authorisation.
        let by_submission = !policy.countersign
            && i + 1 == listed.len()
            && ctx.submitter.is_some_and(|s| s.eq_ignore_ascii_case(addr));
        if signed || by_submission {
            authorized.push(addr.clone());
        } else if status == "countersigned" {
            let found: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
            problems.push(Problem::new(
                codes::REPORT_INVALID,
                format!("the countersignature of {addr} verifies but the message does not ({}): an authorisation counts only on a valid message", found.join(", ")),
            ));
        } else {
            problems.push(Problem::new(
                codes::UNVERIFIED,
                format!("the authorisation of {addr} is not protected ({status})"),
            ));
        }
    }
    (authorized, problems)
}

/// Whether the report is valid — or valid but for encrypted layers inside the outermost
/// signed layer, which the gate cannot open: the signatures and countersignatures over that
/// layer cover the ciphertext the officer reviewed.
fn is_sound(report: &VerifyReport) -> bool {
    if report.valid {
        return true;
    }
    let first_signed = report
        .layers
        .iter()
        .position(|l| *l == crate::report::Layer::Signed);
    let first_encrypted = report.layers.iter().position(is_encryption);
    let sealed = matches!((first_signed, first_encrypted), (Some(s), Some(e)) if s < e);
    if !sealed {
        return false;
    }
    let mut r = report.clone();
    r.problems.retain(|p| p.code != NO_DECRYPTION_KEY);
    r.finish();
    r.valid
}

fn refuse(mut d: GateDecision, code: &str, msg: &str) -> GateDecision {
    d.action = GateAction::Refuse;
    d.smtp_reply = Some(format!("550 5.7.1 {msg}"));
    d.problems.push(Problem::new(code, msg));
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AuthorizingUser, HeaderMismatch, SignatureReport};

    const ALICE: &str = "alice@army.example";
    const O1: &str = "o1@army.example";

    fn policy() -> ReleasePolicy {
        serde_json::from_str(
            r#"{"officers":["o1@army.example","o2@army.example"],"requireRelease":["*@army.example"],
                "exempt":["o1@army.example","o2@army.example"]}"#,
        )
        .unwrap()
    }

    fn msg_from(from: &str, extra: &str) -> Vec<u8> {
        format!("From: {from}\r\nTo: bob@navy.example\r\nMMHS-Primary-Precedence: 4\r\n{extra}Subject: x\r\n\r\nbody\r\n").into_bytes()
    }

    fn msg(extra: &str) -> Vec<u8> {
        msg_from(ALICE, extra)
    }

    /// The report `verify` gives for `raw` (its MMHS view), with these authorizing-user
    /// statuses, one signed layer and the given verdict.
    fn report(raw: &[u8], valid: bool, statuses: &[(&str, &str)]) -> VerifyReport {
        let view = crate::fields::inspect(raw, &Default::default()).unwrap();
        VerifyReport {
            valid,
            layers: vec![crate::report::Layer::Signed],
            signatures: vec![SignatureReport {
                valid: true,
                trusted: true,
                ..Default::default()
            }],
            mmhs: Some(Box::new(view)),
            authorizing_users: statuses
                .iter()
                .map(|(a, s)| AuthorizingUser {
                    address: a.to_string(),
                    status: serde_json::from_value(serde_json::Value::String(s.to_string()))
                        .unwrap(),
                    form: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn gate(raw: &[u8], r: &VerifyReport, p: &ReleasePolicy, who: Option<&str>) -> GateDecision {
        let rcpts = vec!["bob@navy.example".to_string()];
        release_gate(
            raw,
            p,
            &GateContext {
                submitter: who,
                recipients: &rcpts,
                report: r,
            },
        )
    }

    /// Gate `msg(extra)` submitted by alice, the report valid with these statuses.
    fn gate_with(extra: &str, statuses: &[(&str, &str)]) -> GateDecision {
        let m = msg(extra);
        let valid = statuses.iter().all(|(_, s)| *s == "countersigned");
        gate(&m, &report(&m, valid, statuses), &policy(), Some(ALICE))
    }

    fn code(d: &GateDecision) -> &str {
        d.problems.first().map(|p| p.code.as_str()).unwrap_or("")
    }

    #[test]
    fn civilian_mail_passes() {
        let m = b"From: a@army.example\r\nTo: b@x\r\n\r\nhi\r\n";
        let d = gate(m, &report(m, false, &[]), &policy(), None);
        assert_eq!(d.action, GateAction::Transfer);
        assert!(!d.military);
    }

    #[test]
    fn unreleased_draft_goes_to_first_officer() {
        let d = gate_with("", &[]);
        assert_eq!(d.action, GateAction::ReleaseQueue, "{:?}", d.problems);
        assert_eq!(d.officers, vec![O1]);
        assert_eq!(d.drafter.as_deref(), Some(ALICE));
    }

    #[test]
    fn officers_in_order() {
        let d = gate_with(
            "MMHS-Authorizing-Users: o1@army.example\r\n",
            &[(O1, "countersigned")],
        );
        assert_eq!(d.action, GateAction::ReleaseQueue);
        assert_eq!(d.officers, vec!["o2@army.example"]);
        let d = gate_with(
            "MMHS-Authorizing-Users: o1@army.example, o2@army.example\r\n",
            &[(O1, "countersigned"), ("o2@army.example", "countersigned")],
        );
        assert_eq!(d.action, GateAction::Transfer, "{:?}", d.problems);
        assert_eq!(d.authorized.len(), 2);
    }

    #[test]
    fn forged_listing_is_diverted() {
        // The forged o2 listing makes the report invalid, so o1's countersignature does not
        // count either: back to o1, who strips the forgery (seed §3 step 2).
        let d = gate_with(
            "MMHS-Authorizing-Users: o1@army.example, o2@army.example\r\n",
            &[
                (O1, "countersigned"),
                ("o2@army.example", "notCountersigned"),
            ],
        );
        assert_eq!(d.action, GateAction::ReleaseQueue);
        assert_eq!(d.officers, vec![O1]);
        let codes: Vec<&str> = d.problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, vec![codes::REPORT_INVALID, codes::UNVERIFIED]);
    }

    #[test]
    fn countersignature_on_an_invalid_message_does_not_count() {
        // A countersigned SignerInfo transplanted into a new SignedData: the countersignature
        // still verifies over the copied signature value, the message does not.
        let m = msg("MMHS-Authorizing-Users: o1@army.example, o2@army.example\r\n");
        let mut r = report(
            &m,
            false,
            &[(O1, "countersigned"), ("o2@army.example", "countersigned")],
        );
        r.signatures[0].valid = false;
        r.problem("message-digest-mismatch", "content changed");
        let d = gate(&m, &r, &policy(), Some(ALICE));
        assert_eq!(d.action, GateAction::ReleaseQueue, "{d:?}");
        assert!(d.authorized.is_empty());
        assert_eq!(code(&d), codes::REPORT_INVALID);
        assert!(d.problems[0].message.contains("message-digest-mismatch"));
    }

    #[test]
    fn duplicate_field_refused() {
        let d = gate_with(
            "MMHS-Authorizing-Users: o1@army.example\r\nMMHS-Authorizing-Users: o2@army.example\r\n",
            &[],
        );
        assert_eq!(d.action, GateAction::Refuse);
        assert_eq!(code(&d), codes::AUTHORIZING_USERS_DUPLICATE);
        assert!(d.smtp_reply.unwrap().starts_with("550 5.7.1"));
    }

    #[test]
    fn unsigned_policy_accepts_officer_submission() {
        let mut p = policy();
        p.countersign = false;
        p.officers = vec![O1.into()];
        let m = msg("MMHS-Authorizing-Users: o1@army.example\r\n");
        let r = report(&m, false, &[(O1, "notCountersigned")]);
        let d = gate(&m, &r, &p, Some(O1));
        assert_eq!(d.action, GateAction::Transfer, "{d:?}");
        assert_eq!(d.drafter.as_deref(), Some(ALICE));
        let d = gate(&m, &r, &p, Some(ALICE));
        assert_eq!(d.action, GateAction::ReleaseQueue);
    }

    #[test]
    fn exempt_officer_drafts_pass() {
        let m = msg_from(O1, "");
        let d = gate(&m, &report(&m, false, &[]), &policy(), Some(O1));
        assert_eq!(d.action, GateAction::Transfer, "{d:?}");
    }

    #[test]
    fn from_of_another_is_refused() {
        // Alice claims to be the exempt officer, or names an uncovered Sender.
        for m in [
            msg_from(O1, ""),
            msg("Sender: clerk@elsewhere.example\r\n"),
            msg_from("alice@army.example, o1@army.example", ""),
        ] {
            let d = gate(&m, &report(&m, false, &[]), &policy(), Some(ALICE));
            assert_eq!(d.action, GateAction::Refuse, "{d:?}");
            assert_eq!(code(&d), codes::FROM_NOT_OWNED);
        }
    }

    #[test]
    fn officer_resubmits_only_what_he_validly_authorised() {
        let m = msg("MMHS-Authorizing-Users: o1@army.example\r\n");
        let d = gate(
            &m,
            &report(&m, true, &[(O1, "countersigned")]),
            &policy(),
            Some(O1),
        );
        assert_eq!(d.action, GateAction::ReleaseQueue, "{d:?}");
        assert_eq!(d.drafter.as_deref(), Some(ALICE));
        assert_eq!(d.officers, vec!["o2@army.example"]);
        // Not validly authorised by him: he does not own alice's From.
        let mut r = report(&m, false, &[(O1, "countersigned")]);
        r.problem("signature-invalid", "x");
        let d = gate(&m, &r, &policy(), Some(O1));
        assert_eq!(code(&d), codes::FROM_NOT_OWNED, "{d:?}");
        let d = gate(
            &m,
            &report(&m, false, &[(O1, "notCountersigned")]),
            &policy(),
            Some("o2@army.example"),
        );
        assert_eq!(code(&d), codes::FROM_NOT_OWNED, "{d:?}");
    }

    #[test]
    fn unauthenticated_military_mail() {
        let p = policy();
        let forged = msg_from(O1, "");
        let r = report(&forged, false, &[]);
        let d = gate(&forged, &r, &p, None);
        assert_eq!(code(&d), codes::UNAUTHENTICATED, "{d:?}");
        let d = gate(&msg(""), &report(&msg(""), false, &[]), &p, None);
        assert_eq!(code(&d), codes::UNAUTHENTICATED, "{d:?}");
        // To release officers only: delivered to them.
        let to_officer = vec![O1.to_string()];
        let ctx = GateContext {
            submitter: None,
            recipients: &to_officer,
            report: &r,
        };
        assert_eq!(release_gate(&forged, &p, &ctx).action, GateAction::Transfer);
        let nobody: Vec<String> = Vec::new();
        let ctx = GateContext {
            recipients: &nobody,
            ..ctx
        };
        assert_eq!(release_gate(&forged, &p, &ctx).action, GateAction::Refuse);
        // Inbound: drafted outside the policy's domain.
        let inbound = msg_from("bob@navy.example", "");
        let d = gate(&inbound, &report(&inbound, false, &[]), &p, None);
        assert_eq!(d.action, GateAction::Transfer, "{d:?}");
        // An uncovered Sender does not launder a covered From.
        let laundered = msg("Sender: bob@navy.example\r\n");
        let d = gate(&laundered, &report(&laundered, false, &[]), &p, None);
        assert_eq!(code(&d), codes::UNAUTHENTICATED, "{d:?}");
    }

    #[test]
    fn protected_military_fields_are_judged() {
        // The outer header is civilian, the protected one (what the recipient reads) military.
        let outer =
            b"From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: x\r\n\r\nbody\r\n";
        let mut r = report(&msg(""), false, &[]);
        let d = gate(outer, &r, &policy(), Some(ALICE));
        assert!(d.military);
        assert_eq!(d.action, GateAction::ReleaseQueue, "{d:?}");
        r.header_protection = HeaderProtection {
            scheme: crate::report::HpScheme::Wrapped,
            forwarded: crate::report::Forwarded::No,
            mismatches: vec![HeaderMismatch {
                field: "MMHS-Primary-Precedence".into(),
                outer: None,
                inner: Some("4".into()),
            }],
        };
        let d = gate(outer, &r, &policy(), Some(ALICE));
        assert_eq!(code(&d), codes::HEADER_MISMATCH, "{d:?}");
        // An exempt drafter cannot hide fields either.
        let d = gate(outer, &r, &policy(), Some(O1));
        assert_eq!(d.action, GateAction::Refuse);
    }

    #[test]
    fn tolerated_differences() {
        let m = msg("MMHS-Authorizing-Users: o1@army.example, o2@army.example\r\n");
        let mut r = report(
            &m,
            true,
            &[(O1, "countersigned"), ("o2@army.example", "countersigned")],
        );
        r.header_protection.mismatches = vec![
            HeaderMismatch {
                field: "MMHS-Authorizing-Users".into(),
                outer: Some("o1@army.example, o2@army.example".into()),
                inner: None,
            },
            HeaderMismatch {
                field: "From".into(),
                outer: Some("alice@army.example".into()),
                inner: Some("Alice <alice@army.example>".into()),
            },
        ];
        let d = gate(&m, &r, &policy(), Some(ALICE));
        assert_eq!(d.action, GateAction::Transfer, "{d:?}");
        r.header_protection.mismatches[1].inner = Some("o1@army.example".into());
        assert_eq!(
            code(&gate(&m, &r, &policy(), Some(ALICE))),
            codes::HEADER_MISMATCH
        );
    }

    fn opaque(layers: &[&str], raw: &[u8], statuses: &[(&str, &str)]) -> VerifyReport {
        let mut r = report(raw, false, statuses);
        r.layers = layers
            .iter()
            .map(|l| serde_json::from_value(serde_json::Value::String(l.to_string())).unwrap())
            .collect();
        r.problem(NO_DECRYPTION_KEY, "layer 2 (enveloped): no key");
        r
    }

    #[test]
    fn content_the_gate_cannot_open() {
        // Encrypted outermost, MMHS fields (if any) inside: refused for a covered drafter.
        let plain = b"From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: x\r\n\r\n";
        let r = opaque(&["enveloped"], plain, &[]);
        let d = gate(plain, &r, &policy(), Some(ALICE));
        assert_eq!(code(&d), codes::CONTENT_OPAQUE, "{d:?}");
        assert_eq!(d.action, GateAction::Refuse);
        // An uncovered drafter's encrypted mail is not the gate's business.
        let bob = b"From: bob@navy.example\r\nTo: alice@army.example\r\n\r\n";
        let r = opaque(&["enveloped"], bob, &[]);
        let d = gate(bob, &r, &policy(), Some("bob@navy.example"));
        assert_eq!(d.action, GateAction::Transfer);
        // Signed outside: queued for the officer.
        let r = opaque(&["signed", "enveloped"], plain, &[]);
        let d = gate(plain, &r, &policy(), Some(ALICE));
        assert_eq!(d.action, GateAction::ReleaseQueue, "{d:?}");
        assert!(d.problems.iter().any(|p| p.code == codes::CONTENT_OPAQUE));
    }

    #[test]
    fn released_encrypted_draft_transfers() {
        let m = msg("MMHS-Authorizing-Users: o1@army.example, o2@army.example\r\n");
        let st = [(O1, "countersigned"), ("o2@army.example", "countersigned")];
        let d = gate(
            &m,
            &opaque(&["signed", "enveloped"], &m, &st),
            &policy(),
            Some(ALICE),
        );
        assert_eq!(d.action, GateAction::Transfer, "{d:?}");
        // Encrypted outside the countersigned layer: the ciphertext is nobody's.
        let d = gate(
            &m,
            &opaque(&["enveloped", "signed"], &m, &st),
            &policy(),
            Some(ALICE),
        );
        assert_eq!(d.action, GateAction::Refuse, "{d:?}");
    }

    #[test]
    fn unreadable_report_is_refused() {
        let m = msg("");
        let r = VerifyReport::default();
        assert_eq!(
            code(&gate(&m, &r, &policy(), Some(ALICE))),
            codes::UNPARSABLE
        );
    }
}
