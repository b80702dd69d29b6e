//! The access-control decision (draft-melnikov-mmhs-profile-09 §4.1.1, §4.2.5, §7.1 items
//! 4–5): may this message, with this label, go to these recipients through these next hops?
//!
//! In order:
//! 1. **The label.** The signed ESS security label (RFC 2634 §3: the effective label of a
//!    valid signature) and the header SIO-Label (RFC 7444) must agree on policy,
//!    classification and categories when both are present (profile §4.2.5; `sio-label-mismatch`);
//!    an unreadable SIO-Label is refused (`sio-label-invalid`). The signed label wins; an
//!    unsigned message is judged by its SIO-Label; a SIO-Label with a marking only is judged by
//!    the policy classification whose marking it is (else `label-undefined`).
//! 2. **Unlabelled military messages** get the local policy's default label when the agent is
//!    configured so ([`Unlabelled::Default`]) and the policy has one, else are refused
//!    (`label-missing`). Unlabelled civilian messages are not judged.
//! 3. **The policy.** The label's policy must be known, or mapped by an equivalence (RFC 2634
//!    §3.1.1: otherwise stop; `label-policy-unknown`), and a known policy must define the
//!    label's classification and categories (`label-undefined`).
//! 4. **Each recipient, each next hop.** Its clearances (per policy: its own entry, else its
//!    certificate's clearance attribute, else its domain's entry, else the policy's default
//!    clearance; [`super::clearance::lookup`]) must admit the label or an equivalent of it in
//!    the clearance's policy ([`super::equivalence::map_label`]); otherwise
//!    `label-not-cleared`, or `label-no-clearance` when it has no clearance at all.
//!
//! The message is refused as a whole on 1–3, and when no recipient may receive it; otherwise
//! the refused recipients are listed and the others allowed (the agent answers or reports per
//! recipient).

use serde::{Deserialize, Serialize};

use super::clearance::{lookup, Clearance, ClearanceOrigin};
use super::codes;
use super::equivalence::{map_label, policy_known};
use super::policy::{PolicySet, SecurityPolicy};
use crate::ess::{labels_agree, to_report};
use crate::fields::sio_label::SioLabel;
use crate::report::{Problem, SecurityLabel, VerifyReport};

/// Most recipients (and hops) judged in one decision.
pub(crate) const MAX_RECIPIENTS: usize = 1000;

/// What happens to an unlabelled military message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Unlabelled {
    /// Refuse it (`label-missing`).
    #[default]
    Refuse,
    /// Give it the local policy's default label (refused when the policy has none).
    Default,
}

/// The SIO-Label header field as the decision sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum HeaderLabel {
    /// No SIO-Label.
    #[default]
    Absent,
    /// The field, as parsed.
    Field {
        /// The parameters.
        label: SioLabel,
    },
    /// The field cannot be read (malformed, duplicated).
    Unreadable {
        /// Why.
        reason: String,
    },
}

/// A recipient and the next hop it goes through (`None`: local delivery).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RecipientRef {
    /// The recipient address.
    pub address: String,
    /// The next hop (host or domain name) for a remote recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hop: Option<String>,
}

/// What the decision looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct LabelInput {
    /// The signed ESS security label (from a valid signature only).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub signed: Option<SecurityLabel>,
    /// The SIO-Label header field.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub header: HeaderLabel,
    /// Whether the message is military (RFC 6477 / RFC 7912 fields present).
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub military: bool,
    /// Recipients.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub recipients: Vec<RecipientRef>,
    /// Clearances from recipients' certificates (RFC 5755 §4.4.6), by address.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub certificate_clearances: Vec<(String, Vec<Clearance>)>,
    /// Handling of unlabelled military messages.
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub unlabelled: Unlabelled,
}

impl LabelInput {
    /// The labels and the military flag of a verified message (`report.securityLabel`, the
    /// SIO-Label of `report.mmhs`, its `sio-label-*` problems).
    pub fn from_report(report: &VerifyReport) -> LabelInput {
        let view = report.mmhs.as_deref();
        let sio = view
            .and_then(|m| m.sio_label.as_ref())
            .map(|s| s.label.clone());
        let unreadable = report.problems.iter().find(|p| {
            p.code == codes::SIO_LABEL_INVALID
                || p.code == crate::report::codes::label::SIO_LABEL_DUPLICATE
        });
        let header = match (unreadable, sio) {
            (Some(p), _) => HeaderLabel::Unreadable {
                reason: p.message.clone(),
            },
            (None, Some(label)) => HeaderLabel::Field { label },
            (None, None) => HeaderLabel::Absent,
        };
        LabelInput {
            signed: report.security_label.clone(),
            header,
            military: view.is_some_and(|m| m.military),
            ..LabelInput::default()
        }
    }
}

/// The decision's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LabelAction {
    /// The message goes to every recipient not listed as refused.
    Allow,
    /// As `allow`, with the policy's default label (the agent adds it).
    AllowWithDefault,
    /// The message goes nowhere.
    Refuse,
}

/// Where the judged label came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LabelSource {
    /// The signed ESS security label.
    Signed,
    /// The SIO-Label's `:ess` label (unsigned).
    Header,
    /// The SIO-Label's marking, matched to a policy classification (unsigned).
    Marking,
    /// The policy's default label.
    Default,
    /// No label (civilian message, not judged).
    None,
}

/// One recipient's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RecipientDecision {
    /// The recipient.
    pub address: String,
    /// Its next hop, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hop: Option<String>,
    /// Whether it may receive the message.
    pub allowed: bool,
    /// For a refusal: `label-not-cleared` or `label-no-clearance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why (which clearance admitted it, through which equivalent label; or why not).
    pub reason: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LabelDecision {
    /// The action.
    pub action: LabelAction,
    /// The label judged (the default label for `allowWithDefault`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<SecurityLabel>,
    /// Its display marking in its policy, when the policy is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
    /// Where the label came from.
    pub source: LabelSource,
    /// Why the whole message is refused (empty otherwise).
    pub problems: Vec<Problem>,
    /// Per recipient (empty when the message is refused before recipients are judged).
    pub recipients: Vec<RecipientDecision>,
}

impl LabelDecision {
    /// The refused recipients.
    pub fn refused(&self) -> impl Iterator<Item = &RecipientDecision> {
        self.recipients.iter().filter(|r| !r.allowed)
    }

    /// Whether `address` may receive the message.
    pub fn allows(&self, address: &str) -> bool {
        self.action != LabelAction::Refuse
            && self
                .recipients
                .iter()
                .any(|r| r.allowed && r.address.eq_ignore_ascii_case(address))
    }

    /// One line per reason the message or a recipient is refused: `code: text`.
    pub fn refusal_lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| format!("{}: {}", p.code, p.message))
            .chain(self.refused().map(|r| {
                format!(
                    "{}: <{}> {}",
                    r.code.as_deref().unwrap_or(codes::LABEL_NOT_CLEARED),
                    r.address,
                    r.reason
                )
            }))
            .collect()
    }
}

fn refuse(
    source: LabelSource,
    label: Option<SecurityLabel>,
    code: &str,
    why: String,
) -> LabelDecision {
    LabelDecision {
        action: LabelAction::Refuse,
        label,
        marking: None,
        source,
        problems: vec![Problem::new(code, why)],
        recipients: Vec::new(),
    }
}

fn boxed(
    source: LabelSource,
    label: Option<SecurityLabel>,
    code: &str,
    why: String,
) -> Box<LabelDecision> {
    Box::new(refuse(source, label, code, why))
}

/// A marking-only SIO-Label as a label: the classification of a policy whose marking it is
/// (the local policy first), compared case-insensitively.
fn label_of_marking(set: &PolicySet, marking: &str) -> Option<SecurityLabel> {
    let local = set.local();
    local.into_iter().chain(set.policies.iter()).find_map(|p| {
        p.classifications
            .iter()
            .find(|c| c.marking.trim().eq_ignore_ascii_case(marking.trim()))
            .map(|c| SecurityLabel {
                policy: p.policy.clone(),
                classification: Some(u32::from(c.value)),
                privacy_mark: None,
                categories: Vec::new(),
            })
    })
}

/// Step 1: the label the message carries, or a refusal.
fn carried_label(
    set: &PolicySet,
    input: &LabelInput,
) -> Result<Option<(SecurityLabel, LabelSource)>, Box<LabelDecision>> {
    let header = match &input.header {
        HeaderLabel::Absent => None,
        HeaderLabel::Unreadable { reason } => {
            return Err(boxed(
                LabelSource::None,
                input.signed.clone(),
                codes::SIO_LABEL_INVALID,
                format!("the SIO-Label cannot be read: {reason}"),
            ))
        }
        HeaderLabel::Field { label } => match label.ess_label() {
            Some(Ok(l)) => Some((to_report(&l), LabelSource::Header)),
            Some(Err(e)) => {
                return Err(boxed(
                    LabelSource::None,
                    input.signed.clone(),
                    codes::SIO_LABEL_INVALID,
                    format!("the SIO-Label's label cannot be decoded: {e}"),
                ))
            }
            None if label.label.is_some() => {
                return Err(boxed(
                    LabelSource::None,
                    input.signed.clone(),
                    codes::SIO_LABEL_INVALID,
                    "the SIO-Label's label type cannot be judged (only type=\":ess\" is read)"
                        .into(),
                ))
            }
            None => match label.marking.as_deref() {
                Some(m) => match label_of_marking(set, m) {
                    Some(l) => Some((l, LabelSource::Marking)),
                    None if input.signed.is_some() => None,
                    None => {
                        return Err(boxed(
                            LabelSource::Marking,
                            None,
                            codes::LABEL_UNDEFINED,
                            format!("no security policy defines the SIO-Label marking {m:?}"),
                        ))
                    }
                },
                None => None,
            },
        },
    };
    match (&input.signed, header) {
        (Some(s), Some((h, src))) => {
            // A marking only conveys the classification (profile §4.2.5: what can be conveyed
            // in both must agree).
            let agree = match src {
                LabelSource::Marking => {
                    h.policy == s.policy && h.classification == s.classification
                }
                _ => labels_agree(s, &h),
            };
            if !agree {
                return Err(boxed(
                    LabelSource::Signed,
                    Some(s.clone()),
                    codes::SIO_LABEL_MISMATCH,
                    format!(
                        "the SIO-Label (policy {}, classification {}) and the signed ESS security label (policy {}, classification {}) disagree (MMHS profile §4.2.5)",
                        h.policy,
                        show_class(h.classification),
                        s.policy,
                        show_class(s.classification)
                    ),
                ));
            }
            Ok(Some((s.clone(), LabelSource::Signed)))
        }
        (Some(s), None) => Ok(Some((s.clone(), LabelSource::Signed))),
        (None, h) => Ok(h),
    }
}

fn show_class(c: Option<u32>) -> String {
    c.map_or_else(|| "none".into(), |c| c.to_string())
}

/// Decide (module docs). Bounded: at most [`MAX_RECIPIENTS`] recipients, each judged against
/// at most one clearance per policy of the set.
pub fn decide(set: &PolicySet, input: &LabelInput) -> LabelDecision {
    let (label, source) = match carried_label(set, input) {
        Err(d) => return *d,
        Ok(Some(x)) => x,
        Ok(None) if !input.military => {
            return LabelDecision {
                action: LabelAction::Allow,
                label: None,
                marking: None,
                source: LabelSource::None,
                problems: Vec::new(),
                recipients: input
                    .recipients
                    .iter()
                    .map(|r| RecipientDecision {
                        address: r.address.clone(),
                        next_hop: r.next_hop.clone(),
                        allowed: true,
                        code: None,
                        reason: "civilian message without a security label".into(),
                    })
                    .collect(),
            };
        }
        Ok(None) => {
            let default = match input.unlabelled {
                Unlabelled::Default => set.local().and_then(SecurityPolicy::default_label),
                Unlabelled::Refuse => None,
            };
            match default {
                Some(l) => (l, LabelSource::Default),
                None => {
                    return refuse(
                        LabelSource::None,
                        None,
                        codes::LABEL_MISSING,
                        match input.unlabelled {
                            Unlabelled::Refuse => "a military message must carry a security label (the policy refuses unlabelled messages)".into(),
                            Unlabelled::Default => "a military message without a security label, and the local security policy has no default label".into(),
                        },
                    )
                }
            }
        }
    };
    if !policy_known(set, &label.policy) {
        return refuse(
            source,
            Some(label.clone()),
            codes::LABEL_POLICY_UNKNOWN,
            format!(
                "the security policy {} is not known here and no known policy maps it (RFC 2634 §3.1.1)",
                label.policy
            ),
        );
    }
    if let Some(p) = set.get(&label.policy) {
        if let Err(e) = p.check_label(&label) {
            return refuse(source, Some(label.clone()), codes::LABEL_UNDEFINED, e.0);
        }
    }
    if input.recipients.len() > MAX_RECIPIENTS {
        return refuse(
            source,
            Some(label.clone()),
            codes::LABEL_NOT_CLEARED,
            format!("more than {MAX_RECIPIENTS} recipients cannot be judged"),
        );
    }
    let recipients: Vec<RecipientDecision> = input
        .recipients
        .iter()
        .map(|r| judge_recipient(set, input, &label, r))
        .collect();
    let marking = set.get(&label.policy).and_then(|p| p.marking(&label));
    let none_allowed = !recipients.is_empty() && recipients.iter().all(|r| !r.allowed);
    LabelDecision {
        action: if none_allowed {
            LabelAction::Refuse
        } else if source == LabelSource::Default {
            LabelAction::AllowWithDefault
        } else {
            LabelAction::Allow
        },
        label: Some(label),
        marking,
        source,
        problems: Vec::new(),
        recipients,
    }
}

fn judge_recipient(
    set: &PolicySet,
    input: &LabelInput,
    label: &SecurityLabel,
    r: &RecipientRef,
) -> RecipientDecision {
    let mut out = RecipientDecision {
        address: r.address.clone(),
        next_hop: r.next_hop.clone(),
        allowed: false,
        code: None,
        reason: String::new(),
    };
    let certs: &[Clearance] = input
        .certificate_clearances
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(&r.address))
        .map_or(&[], |(_, c)| c.as_slice());
    let who = judge_name(set, label, &r.address, certs);
    let hop = r
        .next_hop
        .as_deref()
        .map(|h| (h, judge_name(set, label, h, &[])));
    match (who, hop) {
        (Err((code, why)), _) => {
            out.code = Some(code.into());
            out.reason = why;
        }
        (Ok(_), Some((h, Err((code, why))))) => {
            out.code = Some(code.into());
            out.reason = format!("next hop {h}: {why}");
        }
        (Ok(why), hop) => {
            out.allowed = true;
            out.reason = match hop {
                Some((h, Ok(hw))) => format!("{why}; next hop {h}: {hw}"),
                _ => why,
            };
        }
    }
    out
}

/// Whether `name` (an address, or a host / domain name) is cleared for `label`: `Ok(why)` or
/// `Err((code, why))`.
fn judge_name(
    set: &PolicySet,
    label: &SecurityLabel,
    name: &str,
    certs: &[Clearance],
) -> Result<String, (&'static str, String)> {
    let mut tried: Vec<String> = Vec::new();
    for (clearance, origin) in clearances_of(set, name, certs) {
        let Some(mapped) = map_label(set, label, &clearance.policy) else {
            tried.push(format!(
                "cleared in policy {} ({}), to which the label has no equivalent",
                clearance.policy,
                origin_text(&origin)
            ));
            continue;
        };
        match clearance.admits(&mapped) {
            Ok(()) => {
                let via = if mapped.policy == label.policy {
                    String::new()
                } else {
                    format!(
                        " through the equivalent label (policy {}, classification {})",
                        mapped.policy,
                        show_class(mapped.classification)
                    )
                };
                return Ok(format!("cleared by {}{via}", origin_text(&origin)));
            }
            Err(e) => tried.push(format!("{} ({})", e, origin_text(&origin))),
        }
    }
    if tried.is_empty() {
        Err((
            codes::LABEL_NO_CLEARANCE,
            format!("{name} has no clearance in any known security policy"),
        ))
    } else {
        Err((
            codes::LABEL_NOT_CLEARED,
            format!(
                "{name} is not cleared for {}: {}",
                set.get(&label.policy)
                    .and_then(|p| p.marking(label))
                    .unwrap_or_else(|| format!(
                        "policy {} classification {}",
                        label.policy,
                        show_class(label.classification)
                    )),
                tried.join("; ")
            ),
        ))
    }
}

fn origin_text(o: &ClearanceOrigin) -> String {
    match o {
        ClearanceOrigin::Address => "its own entry".into(),
        ClearanceOrigin::Certificate => "its certificate's clearance attribute".into(),
        ClearanceOrigin::Domain(d) => format!("the entry of {d}"),
        ClearanceOrigin::Default => "the default clearance".into(),
    }
}

/// The clearances of `name`: per policy of the set, its own entry, else (for an address) its
/// certificate's clearance in that policy, else its domain's entry, else the default; then
/// certificate clearances in policies the set does not hold clearances for.
pub(crate) fn clearances_of(
    set: &PolicySet,
    name: &str,
    certs: &[Clearance],
) -> Vec<(Clearance, ClearanceOrigin)> {
    let mut out = Vec::new();
    for p in &set.policies {
        let found = lookup(&p.clearances, name);
        let c = match found {
            Some((spec, None)) => Some((spec.in_policy(&p.policy), ClearanceOrigin::Address)),
            _ => match certs.iter().find(|c| c.policy == p.policy) {
                Some(c) => Some((c.clone(), ClearanceOrigin::Certificate)),
                None => match found {
                    Some((spec, Some(d))) => {
                        Some((spec.in_policy(&p.policy), ClearanceOrigin::Domain(d)))
                    }
                    _ => p
                        .default_clearance
                        .as_ref()
                        .map(|d| (d.in_policy(&p.policy), ClearanceOrigin::Default)),
                },
            },
        };
        out.extend(c);
    }
    for c in certs {
        if set.get(&c.policy).is_none() && out.len() < MAX_RECIPIENTS {
            out.push((c.clone(), ClearanceOrigin::Certificate));
        }
    }
    out
}

/// One classification of a policy and whether every recipient may receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReceivableClass {
    /// The classification.
    pub classification: super::policy::Classification,
    /// Whether every recipient is cleared for it (without categories).
    pub allowed: bool,
    /// The recipients not cleared, with why.
    pub refused: Vec<RecipientDecision>,
    /// Why it is not receivable, in one line for the picker (`None` when it is): each
    /// refused recipient's reason, naming the recipient, and the problems of the decision.
    pub why: Option<String>,
}

/// Which classifications of `policy` (the local one when `None`) these recipients can
/// receive: for the label picker (no classification a recipient cannot receive).
pub fn receivable_classifications(
    set: &PolicySet,
    policy: Option<&str>,
    recipients: &[RecipientRef],
    certificate_clearances: &[(String, Vec<Clearance>)],
) -> Vec<ReceivableClass> {
    // A named policy that is not loaded lists nothing (never the local policy's classes).
    let found = match policy {
        Some(o) => set.get(o),
        None => set.local(),
    };
    let Some(p) = found else {
        return Vec::new();
    };
    p.classifications
        .iter()
        .map(|c| {
            let input = LabelInput {
                signed: Some(SecurityLabel {
                    policy: p.policy.clone(),
                    classification: Some(u32::from(c.value)),
                    privacy_mark: None,
                    categories: Vec::new(),
                }),
                recipients: recipients.to_vec(),
                certificate_clearances: certificate_clearances.to_vec(),
                ..LabelInput::default()
            };
            let d = decide(set, &input);
            let allowed = d.problems.is_empty() && d.refused().next().is_none();
            let why = d
                .refused()
                .map(|r| {
                    if r.reason.contains(&r.address) {
                        r.reason.clone()
                    } else {
                        format!("{}: {}", r.address, r.reason)
                    }
                })
                .chain(d.problems.iter().map(|p| p.message.clone()))
                .collect::<Vec<_>>()
                .join("; ");
            ReceivableClass {
                classification: c.clone(),
                allowed,
                refused: d.refused().cloned().collect(),
                why: (!allowed).then_some(why),
            }
        })
        .collect()
}

/// The header fields an agent adds when it gives a message the default label: `SIO-Label`
/// (RFC 7444 §4: marking, colours of the policy's classification, `type=":ess"` with the
/// label) and `SIO-Label-History` (RFC 7444 §5: `change=add`, the agent, the time), each
/// CRLF-terminated. `marking` is the label's display marking in its policy.
pub fn default_label_fields(
    label: &SecurityLabel,
    marking: Option<&str>,
    agent: &str,
    at: time::OffsetDateTime,
) -> Result<String, String> {
    use crate::fields::date_time::DateTime;
    use crate::fields::sio_label_history::{LabelChange, SioLabelHistory};
    let ess = crate::ess::from_report(label)?;
    let sio = SioLabel::from_ess(&ess, marking.map(String::from), None, None)
        .map_err(|e| e.to_string())?;
    let history = SioLabelHistory {
        change: LabelChange::Add,
        changed_by: agent.to_string(),
        changed_at: DateTime(at),
        changed_comment: Some("default label of the security policy".into()),
        previous: SioLabel::default(),
        new: sio.clone(),
    };
    history.validate().map_err(|e| e.to_string())?;
    Ok(format!(
        "SIO-Label: {sio}\r\nSIO-Label-History: {history}\r\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ess::EssSecurityLabel;
    use crate::report::SecurityCategory;

    const ARMY: &str = "1.3.6.1.4.1.55555.1";
    const NAVY: &str = "1.3.6.1.4.1.55555.2";

    fn set() -> PolicySet {
        PolicySet::from_json_texts([
            (
                "army.json",
                r#"{"policy":"1.3.6.1.4.1.55555.1","local":true,
                "classifications":[{"value":1,"name":"u","marking":"ARMY UNCLASSIFIED"},
                                   {"value":3,"name":"c","marking":"ARMY CONFIDENTIAL"},
                                   {"value":4,"name":"s","marking":"ARMY SECRET"}],
                "categories":[{"type":"1.2.3","value":"DAJVSw==","marking":"REL UK"}],
                "defaultLabel":{"classification":1},
                "equivalences":[{"policy":"1.3.6.1.4.1.55555.2",
                   "classifications":[{"theirs":10,"ours":1},{"theirs":30,"ours":3}]}],
                "clearances":{"alice@army.example":{"maxClassification":4,
                                  "categories":[{"type":"1.2.3","value":"DAJVSw=="}]},
                              "army.example":3,
                              "navy.example":3,
                              "spy@navy.example":1},
                "defaultClearance":1}"#,
            ),
            (
                "navy.json",
                r#"{"policy":"1.3.6.1.4.1.55555.2",
                "classifications":[{"value":10,"name":"u","marking":"NAVY UNCLASSIFIED"},
                                   {"value":30,"name":"c","marking":"NAVY CONFIDENTIAL"}]}"#,
            ),
        ])
        .unwrap()
    }

    fn label(policy: &str, c: u32) -> SecurityLabel {
        SecurityLabel {
            policy: policy.into(),
            classification: Some(c),
            privacy_mark: None,
            categories: Vec::new(),
        }
    }

    fn rcpts(list: &[&str]) -> Vec<RecipientRef> {
        list.iter()
            .map(|a| RecipientRef {
                address: (*a).into(),
                next_hop: None,
            })
            .collect()
    }

    fn input(signed: Option<SecurityLabel>, to: &[&str]) -> LabelInput {
        LabelInput {
            signed,
            military: true,
            recipients: rcpts(to),
            ..LabelInput::default()
        }
    }

    fn sio(l: &SecurityLabel) -> HeaderLabel {
        let ess = crate::ess::from_report(l).unwrap();
        HeaderLabel::Field {
            label: SioLabel::from_ess(&ess, Some("X".into()), None, None).unwrap(),
        }
    }

    #[test]
    fn clearance_by_address_domain_and_default() {
        let s = set();
        let d = decide(
            &s,
            &input(
                Some(label(ARMY, 3)),
                &["bob@army.example", "spy@navy.example", "x@air.example"],
            ),
        );
        assert_eq!(d.action, LabelAction::Allow);
        assert_eq!(d.marking.as_deref(), Some("ARMY CONFIDENTIAL"));
        let ok: Vec<bool> = d.recipients.iter().map(|r| r.allowed).collect();
        assert_eq!(ok, vec![true, false, false], "{d:#?}");
        assert_eq!(
            d.recipients[1].code.as_deref(),
            Some(codes::LABEL_NOT_CLEARED)
        );
        assert!(d.recipients[1].reason.contains("its own entry"), "{d:#?}");
        assert!(d.recipients[2].reason.contains("default"), "{d:#?}");
        assert!(!d.allows("spy@navy.example"));
        assert!(d.allows("BOB@army.example"));
        assert_eq!(d.refusal_lines().len(), 2);
        // Every recipient refused: the message is refused.
        let d = decide(&s, &input(Some(label(ARMY, 4)), &["bob@army.example"]));
        assert_eq!(d.action, LabelAction::Refuse);
    }

    #[test]
    fn categories_must_be_cleared() {
        let s = set();
        let mut l = label(ARMY, 4);
        l.categories.push(SecurityCategory {
            kind: "1.2.3".into(),
            value: "DAJVSw==".into(),
        });
        let d = decide(
            &s,
            &input(Some(l.clone()), &["alice@army.example", "bob@army.example"]),
        );
        assert!(d.recipients[0].allowed, "{d:#?}");
        assert!(!d.recipients[1].allowed);
        // A category the policy does not define.
        l.categories[0].value = "DAJVUw==".into();
        let d = decide(&s, &input(Some(l), &["alice@army.example"]));
        assert_eq!(d.problems[0].code, codes::LABEL_UNDEFINED);
    }

    #[test]
    fn unlabelled_military_messages() {
        let s = set();
        let mut i = input(None, &["bob@army.example"]);
        let d = decide(&s, &i);
        assert_eq!(d.action, LabelAction::Refuse);
        assert_eq!(d.problems[0].code, codes::LABEL_MISSING);
        i.unlabelled = Unlabelled::Default;
        let d = decide(&s, &i);
        assert_eq!(d.action, LabelAction::AllowWithDefault);
        assert_eq!(d.label, Some(label(ARMY, 1)));
        // Civilian messages without a label are not judged.
        i.military = false;
        i.unlabelled = Unlabelled::Refuse;
        assert_eq!(decide(&s, &i).action, LabelAction::Allow);
        // A local policy without a default label refuses even in default mode.
        let mut s2 = s.clone();
        s2.policies[0].default_label = None;
        let i = LabelInput {
            unlabelled: Unlabelled::Default,
            ..input(None, &["bob@army.example"])
        };
        assert_eq!(decide(&s2, &i).problems[0].code, codes::LABEL_MISSING);
    }

    #[test]
    fn header_and_signed_label_must_agree() {
        let s = set();
        // Attacker: signed SECRET, header relabelled UNCLASSIFIED to slip past a gateway.
        let mut i = input(Some(label(ARMY, 4)), &["alice@army.example"]);
        i.header = sio(&label(ARMY, 1));
        let d = decide(&s, &i);
        assert_eq!(d.problems[0].code, codes::SIO_LABEL_MISMATCH);
        // Agreeing: allowed, judged by the signed label.
        i.header = sio(&label(ARMY, 4));
        let d = decide(&s, &i);
        assert_eq!(
            (d.action, d.source),
            (LabelAction::Allow, LabelSource::Signed)
        );
        // An unsigned message is judged by its SIO-Label.
        let mut i = input(None, &["spy@navy.example"]);
        i.header = sio(&label(ARMY, 3));
        let d = decide(&s, &i);
        assert_eq!(
            (d.action, d.source),
            (LabelAction::Refuse, LabelSource::Header)
        );
        // Marking only: the policy's classification of that marking; a marking no policy
        // defines is refused, never defaulted.
        let mut i = input(None, &["bob@army.example"]);
        i.unlabelled = Unlabelled::Default;
        i.header = HeaderLabel::Field {
            label: SioLabel {
                marking: Some("army secret".into()),
                fgcolor: None,
                bgcolor: None,
                label_type: None,
                label: None,
                ignored: vec![],
            },
        };
        let d = decide(&s, &i);
        assert_eq!(d.source, LabelSource::Marking);
        assert_eq!(d.label, Some(label(ARMY, 4)));
        assert_eq!(d.action, LabelAction::Refuse, "bob is cleared up to 3");
        if let HeaderLabel::Field { label } = &mut i.header {
            label.marking = Some("TOTALLY HARMLESS".into());
        }
        assert_eq!(decide(&s, &i).problems[0].code, codes::LABEL_UNDEFINED);
        // Marking disagreeing with the signed classification.
        i.signed = Some(label(ARMY, 1));
        if let HeaderLabel::Field { label } = &mut i.header {
            label.marking = Some("ARMY SECRET".into());
        }
        assert_eq!(decide(&s, &i).problems[0].code, codes::SIO_LABEL_MISMATCH);
        // Unreadable header.
        i.header = HeaderLabel::Unreadable { reason: "x".into() };
        assert_eq!(decide(&s, &i).problems[0].code, codes::SIO_LABEL_INVALID);
        // A label in a SIO-Label of undecodable base64 ESS.
        i.header = HeaderLabel::Field {
            label: SioLabel {
                marking: None,
                fgcolor: None,
                bgcolor: None,
                label_type: Some(crate::fields::sio_label::LabelType::Ess),
                label: Some("MQMCAQM=".into()),
                ignored: vec![],
            },
        };
        assert_eq!(decide(&s, &i).problems[0].code, codes::SIO_LABEL_INVALID);
        let _ = EssSecurityLabel::new(ARMY, Some(1));
    }

    #[test]
    fn equivalence_and_unknown_policies() {
        let s = set();
        // NAVY CONFIDENTIAL (30) is ARMY CONFIDENTIAL (3): navy.example is cleared to 3.
        let d = decide(&s, &input(Some(label(NAVY, 30)), &["bob@navy.example"]));
        assert_eq!(d.action, LabelAction::Allow, "{d:#?}");
        assert!(d.recipients[0].reason.contains("equivalent"), "{d:#?}");
        // NAVY 30 to a recipient cleared only to 1 via equivalence: refused.
        let d = decide(&s, &input(Some(label(NAVY, 30)), &["spy@navy.example"]));
        assert_eq!(
            d.recipients[0].code.as_deref(),
            Some(codes::LABEL_NOT_CLEARED)
        );
        // NAVY 10 is defined by navy but not mapped beyond: 10 → 1, allowed.
        let d = decide(&s, &input(Some(label(NAVY, 10)), &["spy@navy.example"]));
        assert!(d.recipients[0].allowed);
        // A classification the navy policy does not define.
        let d = decide(&s, &input(Some(label(NAVY, 99)), &["bob@navy.example"]));
        assert_eq!(d.problems[0].code, codes::LABEL_UNDEFINED);
        // Unknown policy.
        let d = decide(&s, &input(Some(label("1.9.9", 1)), &["bob@army.example"]));
        assert_eq!(d.problems[0].code, codes::LABEL_POLICY_UNKNOWN);
    }

    #[test]
    fn next_hops_and_certificates() {
        let s = set();
        let mut i = input(Some(label(ARMY, 3)), &[]);
        i.recipients = vec![
            RecipientRef {
                address: "alice@army.example".into(),
                next_hop: Some("mx.navy.example".into()),
            },
            RecipientRef {
                address: "alice@army.example".into(),
                next_hop: Some("relay.air.example".into()),
            },
        ];
        let mut p = s.clone();
        p.policies[0].default_clearance = None;
        let d = decide(&p, &i);
        assert!(d.recipients[0].allowed, "{d:#?}");
        assert_eq!(
            d.recipients[1].code.as_deref(),
            Some(codes::LABEL_NO_CLEARANCE)
        );
        assert!(d.recipients[1]
            .reason
            .starts_with("next hop relay.air.example"));
        // A certificate clearance beats the domain entry, not the address entry.
        let cert = Clearance {
            policy: ARMY.into(),
            classes: [1, 3, 4].into(),
            categories: vec![],
        };
        let mut i = input(
            Some(label(ARMY, 4)),
            &["carol@army.example", "spy@navy.example"],
        );
        i.certificate_clearances = vec![
            ("carol@army.example".into(), vec![cert.clone()]),
            ("spy@navy.example".into(), vec![cert]),
        ];
        let d = decide(&s, &i);
        assert!(d.recipients[0].allowed, "{d:#?}");
        assert!(d.recipients[0].reason.contains("certificate"));
        assert!(!d.recipients[1].allowed, "its own entry wins");
    }

    #[test]
    fn default_label_fields_read_back() {
        let s = set();
        let d = decide(
            &s,
            &LabelInput {
                unlabelled: Unlabelled::Default,
                ..input(None, &["bob@army.example"])
            },
        );
        let f = default_label_fields(
            d.label.as_ref().unwrap(),
            d.marking.as_deref(),
            "mmhs.localhost",
            time::OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap();
        let msg = format!("{f}From: a@army.example\r\nMMHS-Primary-Precedence: 1\r\n\r\nx");
        let view =
            crate::fields::inspect(msg.as_bytes(), &crate::fields::InspectOptions::default())
                .unwrap();
        let sio = view.sio_label.unwrap();
        assert_eq!(sio.label.marking.as_deref(), Some("ARMY UNCLASSIFIED"));
        assert_eq!(
            to_report(&sio.label.ess_label().unwrap().unwrap()),
            label(ARMY, 1)
        );
        assert_eq!(view.sio_label_history.len(), 1);
    }

    #[test]
    fn receivable_classifications_for_the_picker() {
        let s = set();
        let r = receivable_classifications(
            &s,
            None,
            &rcpts(&["bob@army.example", "x@navy.example"]),
            &[],
        );
        let allowed: Vec<(u16, bool)> = r
            .iter()
            .map(|c| (c.classification.value, c.allowed))
            .collect();
        assert_eq!(allowed, vec![(1, true), (3, true), (4, false)]);
        assert_eq!(r[2].refused.len(), 2);
        assert_eq!(r[0].why, None);
        let why = r[2].why.as_deref().unwrap_or_default();
        assert!(
            why.contains("bob@army.example") && why.contains("x@navy.example"),
            "{why}"
        );
        // A refusal for the next hop names the recipient it is for.
        let hop = [RecipientRef {
            address: "bob@army.example".into(),
            next_hop: Some("relay.unknown.example".into()),
        }];
        let r = receivable_classifications(&s, None, &hop, &[]);
        let why = r[1].why.as_deref().unwrap_or_default();
        assert!(!r[1].allowed, "{r:?}");
        assert!(
            why.starts_with("bob@army.example: next hop relay.unknown.example"),
            "{why}"
        );
        assert!(
            receivable_classifications(&s, Some("1.9.9"), &rcpts(&["bob@army.example"]), &[])
                .is_empty()
        );
        assert_eq!(
            receivable_classifications(&s, Some(NAVY), &rcpts(&["bob@army.example"]), &[]).len(),
            2
        );
    }
}
