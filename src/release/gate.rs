//! The submission gate (`releaseGate`): may a submitted message go to the transfer system, must
//! it wait in a release queue (for which officer), or must it be refused?
//!
//! This is the MSA behaviour the seed suggests (§3: "redirect all email messages without the
//! MMHS-Authorizing-Users header field and/or corresponding S/MIME countersignatures to a
//! preconfigured mailbox that can be accessed by authorizing user(s)") and that the profile
//! requires of MSAs (§6.1 item 11) and of border MTAs of originating domains (§7.1: "Enforcement
//! of correct Draft & Release procedure"), with RFC 7912 §3.2's checks: the field is
//! syntactically valid and appears once, the addresses are authorised officers, and each listed
//! officer's authorisation is protected (countersignature, RFC 7912 review signature — or, when
//! the policy does not ask officers to sign, the officer's own authenticated submission).
//!
//! Decision, in order:
//! 1. not a military message (no MMHS header field, RFC 6477 §6) → `transfer`;
//! 2. MMHS-Authorizing-Users more than once or unparsable → `refuse` (RFC 7912 §4: malformed);
//! 3. drafter (Sender, else From) exempt or not covered by the policy → `transfer`;
//! 4. a listed address that is not an officer, or whose authorisation is not protected →
//!    `releaseQueue` with a problem (diverted for an officer to look at — seed §3 suggests
//!    redirecting, RFC 7912 §3.2 says the MSA MAY divert);
//! 5. every required officer (policy order) validly authorised → `transfer`; otherwise
//!    `releaseQueue` addressed to the next officer who has not yet authorised.

use serde::{Deserialize, Serialize};

use super::policy::ReleasePolicy;
use crate::report::{Problem, VerifyReport};

/// What the gate knows beyond the message.
#[derive(Debug, Clone, Default)]
pub struct GateContext<'a> {
    /// The authenticated submitter (SMTP AUTH identity), if any.
    pub submitter: Option<&'a str>,
    /// The verification report of the message (with `authorizingUsers` filled), if it was
    /// verified; without it no authorisation counts as protected.
    pub report: Option<&'a VerifyReport>,
}

/// What to do with the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(rename_all = "camelCase")]
pub struct GateDecision {
    /// The action.
    pub action: GateAction,
    /// Whether the message is military (carries MMHS header fields).
    pub military: bool,
    /// The drafter (Sender, else the first From).
    pub drafter: Option<String>,
    /// Officers who must act next (release queue), in policy order.
    pub officers: Vec<String>,
    /// The shared release-queue mailbox, when the policy names one.
    pub mailbox: Option<String>,
    /// Officers whose authorisation is in place and protected.
    pub authorized: Vec<String>,
    /// For `refuse`: the SMTP reply (`550 5.7.1 …`).
    pub smtp_reply: Option<String>,
    /// Why.
    pub problems: Vec<Problem>,
}

/// Names of the header fields whose presence marks a military message (RFC 6477 §6).
fn is_mmhs_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("mmhs-")
}

/// Decide what happens to a submitted message.
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
    let parser = mail_parser::MessageParser::new()
        .with_address_headers()
        .header_address(mail_parser::HeaderName::MmhsAuthorizingUsers);
    let Some(msg) = parser.parse_headers(raw) else {
        return refuse(d, "gate-unparsable", "the message cannot be parsed");
    };
    d.military = msg.headers().iter().any(|h| is_mmhs_field(h.name.as_str()));
    if !d.military {
        return d;
    }
    let au: Vec<_> = msg
        .headers()
        .iter()
        .filter(|h| {
            h.name
                .as_str()
                .eq_ignore_ascii_case("MMHS-Authorizing-Users")
        })
        .collect();
    if au.len() > 1 {
        return refuse(
            d,
            "authorizing-users-duplicate",
            "MMHS-Authorizing-Users appears more than once (RFC 7912 §4: the message is malformed)",
        );
    }
    let listed: Vec<String> = match au.first() {
        None => Vec::new(),
        Some(h) => match h.value.as_address() {
            Some(a) => a
                .iter()
                .filter_map(|x| x.address().map(str::to_string))
                .collect(),
            None => {
                return refuse(
                    d,
                    "authorizing-users-malformed",
                    "MMHS-Authorizing-Users is not an address list",
                )
            }
        },
    };
    if !au.is_empty() && listed.is_empty() {
        return refuse(
            d,
            "authorizing-users-malformed",
            "MMHS-Authorizing-Users lists no address",
        );
    }
    let first = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|x| x.address())
            .map(str::to_string)
    };
    d.drafter = first(msg.sender()).or_else(|| first(msg.from()));
    let Some(drafter) = d.drafter.clone() else {
        return refuse(
            d,
            "gate-no-originator",
            "the message has neither Sender nor From",
        );
    };
    if !policy.needs_release(&drafter) {
        return d;
    }

    // Which listed officers have a protected authorisation?
    let statuses = ctx
        .report
        .map(|r| r.authorizing_users.clone())
        .unwrap_or_default();
    let submitter_is = |a: &str| ctx.submitter.is_some_and(|s| s.eq_ignore_ascii_case(a));
    for (i, addr) in listed.iter().enumerate() {
        if !policy.is_officer(addr) {
            d.problems.push(Problem::new(
                "authorizing-user-not-officer",
                format!("{addr} is listed in MMHS-Authorizing-Users but is not a release officer"),
            ));
            continue;
        }
        let signed = statuses.iter().any(|s| {
            s.address.eq_ignore_ascii_case(addr)
                && s.status == crate::report::AuthorizationStatus::Countersigned
        });
        // Without signatures (policy countersign=false) the last listed officer may be the
        // authenticated submitter himself: his submission is the authorisation.
        let by_submission = !policy.countersign && i + 1 == listed.len() && submitter_is(addr);
        if signed || by_submission {
            d.authorized.push(addr.clone());
        } else {
            let status = statuses
                .iter()
                .find(|s| s.address.eq_ignore_ascii_case(addr))
                .map(|s| s.status.as_str())
                .unwrap_or("notCountersigned");
            d.problems.push(Problem::new(
                "authorizing-user-unverified",
                format!("the authorisation of {addr} is not protected ({status})"),
            ));
        }
    }

    let pending: Vec<String> = if policy.officers.is_empty() {
        if d.authorized.is_empty() {
            Vec::new() // any officer: the queue mailbox
        } else {
            return finish(d);
        }
    } else {
        policy
            .officers
            .iter()
            .filter(|o| !d.authorized.iter().any(|a| a.eq_ignore_ascii_case(o)))
            .cloned()
            .collect()
    };
    if pending.is_empty() && !policy.officers.is_empty() {
        return finish(d);
    }
    d.action = GateAction::ReleaseQueue;
    // In order: the next officer is the first required one not yet authorised.
    d.officers = pending.into_iter().take(1).collect();
    d
}

fn finish(mut d: GateDecision) -> GateDecision {
    // Authorisations complete; problems (e.g. an extra unprotected listing) still divert.
    d.action = if d.problems.is_empty() {
        GateAction::Transfer
    } else {
        GateAction::ReleaseQueue
    };
    d
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
    use crate::report::AuthorizingUser;

    fn policy() -> ReleasePolicy {
        serde_json::from_str(
            r#"{"officers":["o1@army.example","o2@army.example"],"requireRelease":["*@army.example"],
                "exempt":["o1@army.example","o2@army.example"]}"#,
        )
        .unwrap()
    }

    fn msg(extra: &str) -> Vec<u8> {
        format!("From: alice@army.example\r\nTo: bob@navy.example\r\nMMHS-Primary-Precedence: 4\r\n{extra}Subject: x\r\n\r\nbody\r\n").into_bytes()
    }

    fn report(statuses: &[(&str, &str)]) -> VerifyReport {
        VerifyReport {
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

    /// Gate `msg(extra)` with a report listing these authorizing-user statuses.
    fn gate_with(extra: &str, statuses: &[(&str, &str)]) -> GateDecision {
        let r = report(statuses);
        release_gate(
            &msg(extra),
            &policy(),
            &GateContext {
                report: Some(&r),
                submitter: None,
            },
        )
    }

    /// Gate `m` under `p` with no report, as submitted by `submitter`.
    fn gate_by(m: &[u8], p: &ReleasePolicy, submitter: &str) -> GateDecision {
        release_gate(
            m,
            p,
            &GateContext {
                report: None,
                submitter: Some(submitter),
            },
        )
    }

    #[test]
    fn civilian_mail_passes() {
        let d = release_gate(
            b"From: a@army.example\r\nTo: b@x\r\n\r\nhi\r\n",
            &policy(),
            &GateContext::default(),
        );
        assert_eq!(d.action, GateAction::Transfer);
        assert!(!d.military);
    }

    #[test]
    fn unreleased_draft_goes_to_first_officer() {
        let d = release_gate(&msg(""), &policy(), &GateContext::default());
        assert_eq!(d.action, GateAction::ReleaseQueue, "{:?}", d.problems);
        assert_eq!(d.officers, vec!["o1@army.example"]);
        assert_eq!(d.drafter.as_deref(), Some("alice@army.example"));
    }

    #[test]
    fn officers_in_order() {
        let d = gate_with(
            "MMHS-Authorizing-Users: o1@army.example\r\n",
            &[("o1@army.example", "countersigned")],
        );
        assert_eq!(d.action, GateAction::ReleaseQueue);
        assert_eq!(d.officers, vec!["o2@army.example"]);
        let d = gate_with(
            "MMHS-Authorizing-Users: o1@army.example, o2@army.example\r\n",
            &[
                ("o1@army.example", "countersigned"),
                ("o2@army.example", "countersigned"),
            ],
        );
        assert_eq!(d.action, GateAction::Transfer, "{:?}", d.problems);
        assert_eq!(d.authorized.len(), 2);
    }

    #[test]
    fn forged_listing_is_diverted() {
        let d = gate_with(
            "MMHS-Authorizing-Users: o1@army.example, o2@army.example\r\n",
            &[
                ("o1@army.example", "countersigned"),
                ("o2@army.example", "notCountersigned"),
            ],
        );
        assert_eq!(d.action, GateAction::ReleaseQueue);
        assert_eq!(d.officers, vec!["o2@army.example"]);
        assert_eq!(d.problems[0].code, "authorizing-user-unverified");
    }

    #[test]
    fn duplicate_field_refused() {
        let m = msg("MMHS-Authorizing-Users: o1@army.example\r\nMMHS-Authorizing-Users: o2@army.example\r\n");
        let d = release_gate(&m, &policy(), &GateContext::default());
        assert_eq!(d.action, GateAction::Refuse);
        assert_eq!(d.problems[0].code, "authorizing-users-duplicate");
        assert!(d.smtp_reply.unwrap().starts_with("550 5.7.1"));
    }

    #[test]
    fn unsigned_policy_accepts_officer_submission() {
        let mut p = policy();
        p.countersign = false;
        p.officers = vec!["o1@army.example".into()];
        let m = msg("MMHS-Authorizing-Users: o1@army.example\r\n");
        let d = gate_by(&m, &p, "o1@army.example");
        assert_eq!(d.action, GateAction::Transfer);
        let d = gate_by(&m, &p, "alice@army.example");
        assert_eq!(d.action, GateAction::ReleaseQueue);
    }

    #[test]
    fn exempt_officer_drafts_pass() {
        let m = b"From: o1@army.example\r\nTo: bob@navy.example\r\nMMHS-Primary-Precedence: 2\r\n\r\nx\r\n";
        assert_eq!(
            release_gate(m, &policy(), &GateContext::default()).action,
            GateAction::Transfer
        );
    }
}
