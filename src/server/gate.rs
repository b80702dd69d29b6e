//! The release gate seam: does a submitted message go to the transfer system, to a release
//! officer's queue, or back to its sender? (draft-melnikov-mmhs-profile-09 §6.1 item 11 and
//! §7.1; draft-melnikov-mmhs-authorizing-users-00 §3; RFC 7912 §3.2.)
//!
//! The agent only needs the [`Gate`] trait. The server's gate is [`ReleaseGate`]: the core's
//! pure [`crate::release::release_gate`] (docs/release.md) with
//! - the release policy of the data directory (`<data>/release-policy.json`, written with
//!   [`DEFAULT_POLICY`] on first run: the demo officer releases every military message of
//!   `*@army.example`), and
//! - the SMTP AUTH identity and the envelope recipients, and
//! - one verification of every message ([`crate::release::verify_and_gate`]) against the
//!   trust anchors of the data directory (`<data>/pki/ca.cert.pem` and `<data>/trust/*.pem`)
//!   at the current time, so an officer counts as having authorised the message only when his
//!   countersignature (or RFC 7912 review signature) verifies and chains on a message whose
//!   whole report is valid, and military fields inside a protected header are seen.
//!
//! Mapping of the core decision: `transfer` → [`GateDecision::Transfer`] (with the officers
//! whose authorisation was verified, for the audit trail's release record); `releaseQueue` →
//! [`GateDecision::Divert`] into the Release folder of the next officer (or, when the policy
//! names no officer, of the policy's `releaseQueue` mailbox if it is a local user, else of
//! every configured officer); `refuse` → [`GateDecision::Refuse`] (SMTP 550 5.7.1 with the
//! problem code and text). Fail closed: a message that cannot be verified at all is refused,
//! and a `transfer` carrying problems is diverted, never transferred.
//!
//! With a security policy configured ([`ReleaseGate::labels`], `labelPolicy` in config.json,
//! `super::labels`), the same report also feeds the core's label-based access control
//! ([`crate::label_policy::decide`]; draft-melnikov-mmhs-profile-09 §4.1.1, §4.2.5): a
//! message the policy refuses as a whole is refused (550 5.7.1, one reply line per reason);
//! a `transfer` whose label some recipients are not cleared for becomes
//! [`GateDecision::TransferLabelled`] (the agent answers 250 for the message, and sends the
//! refused recipients a failure DSN); an unlabelled military message given the default label
//! carries the SIO-Label and SIO-Label-History fields to add — unless its header is protected
//! or it is encrypted (an outer-only field would differ from the protected header, RFC 9788
//! §4), when the default label decides access without being added. Remote recipients are judged with their domain
//! as the next hop.

use std::path::Path;

use super::config::Config;
use super::labels::LabelEnforcement;
use super::msginfo::MessageInfo;
use super::Error;
use crate::cancel::Cancel;
use crate::label_policy::{LabelAction, LabelDecision, LabelInput, RecipientRef};
use crate::release::{self, GateAction, ReleasePolicy};
use crate::verify::VerifyContext;

/// What the gate knows about a submission besides the message bytes.
#[derive(Debug, Clone, Copy)]
pub struct GateContext<'a> {
    /// SMTP AUTH identity, if the session authenticated.
    pub submitter: Option<&'a str>,
    /// Envelope sender.
    pub mail_from: &'a str,
    /// Envelope recipients.
    pub rcpts: &'a [String],
    /// Parsed header summary of the message.
    pub info: &'a MessageInfo,
    /// Server configuration (users, officers).
    pub config: &'a Config,
    /// Set when the message budget passed: the gate's verification stops
    /// (`verification-cancelled`) and its decision is not used. `None`: never.
    pub cancel: Option<&'a Cancel>,
}

/// The gate's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateDecision {
    /// Release to the transfer system (deliver / relay).
    Transfer {
        /// Officers whose authorisation was verified (empty for messages that need none).
        authorized: Vec<String>,
    },
    /// Put the message in these officers' Release queues instead.
    Divert {
        /// Officer addresses.
        officers: Vec<String>,
        /// Why (shown to the officer, written to the audit trail).
        reason: String,
    },
    /// Release to the transfer system under the security policy: only the recipients the
    /// label decision allows; the others are refused after acceptance (failure DSN).
    TransferLabelled {
        /// Officers whose authorisation was verified.
        authorized: Vec<String>,
        /// The label decision (its refused recipients, its audit text).
        label: Box<LabelDecision>,
        /// Header fields to put in front of the message (the default label's SIO-Label and
        /// SIO-Label-History, RFC 7444 §4–§5), CRLF-terminated; empty for none.
        add_fields: String,
    },
    /// Refuse the submission (SMTP 550 5.7.1).
    Refuse {
        /// Stable problem code.
        code: String,
        /// Human reason (goes into the SMTP reply text).
        reason: String,
    },
}

/// A submission gate. Implemented by [`ReleaseGate`] and by any
/// `Fn(&[u8], &GateContext) -> GateDecision + Send + Sync`.
pub trait Gate: Send + Sync {
    /// Decide what happens to `raw`.
    fn decide(&self, raw: &[u8], ctx: &GateContext<'_>) -> GateDecision;
}

impl<F> Gate for F
where
    F: Fn(&[u8], &GateContext<'_>) -> GateDecision + Send + Sync,
{
    fn decide(&self, raw: &[u8], ctx: &GateContext<'_>) -> GateDecision {
        self(raw, ctx)
    }
}

/// The release policy written to `<data>/release-policy.json` on first run (JSON of
/// [`ReleasePolicy`], docs/release.md): the demo release officer must authorise (countersign)
/// every military message drafted in `army.example`, except his own.
pub(crate) const DEFAULT_POLICY: &str = r#"{
  "form": "countersignature",
  "countersign": true,
  "officers": ["officer@army.example"],
  "requireRelease": ["*@army.example"],
  "exempt": ["officer@army.example"],
  "requiredFields": ["primaryPrecedence"]
}
"#;

/// The server's gate: the core `releaseGate` with verified authorisations (module docs).
#[derive(Debug, Clone)]
pub struct ReleaseGate {
    /// The release policy.
    pub policy: ReleasePolicy,
    /// Trust anchors and certificates for verifying countersignatures (`at` is set per
    /// message to the current time).
    pub trust: VerifyContext,
    /// Label-based access control; `None`: labels are not enforced.
    pub labels: Option<LabelEnforcement>,
}

fn read_pem_certs(path: &Path, out: &mut Vec<x509_cert::Certificate>) -> Result<(), Error> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let certs = crate::keys::certificates_from_pem(&text)
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    out.extend(certs);
    Ok(())
}

impl ReleaseGate {
    /// A gate with this policy and these trust anchors.
    pub fn new(policy: ReleasePolicy, trust_anchors: Vec<x509_cert::Certificate>) -> ReleaseGate {
        ReleaseGate {
            policy,
            trust: VerifyContext {
                trust_anchors,
                ..VerifyContext::default()
            },
            labels: None,
        }
    }

    /// The same gate enforcing a security policy.
    pub fn with_labels(mut self, labels: Option<LabelEnforcement>) -> ReleaseGate {
        self.labels = labels;
        self
    }

    /// Load the gate of a data directory: `release-policy.json` (created with
    /// [`DEFAULT_POLICY`] when absent) and the trust anchors `pki/ca.cert.pem` and
    /// `trust/*.pem` (those present).
    pub fn load(data: &Path) -> Result<ReleaseGate, Error> {
        let path = data.join("release-policy.json");
        if !path.exists() {
            super::private_file::write_private(&path, DEFAULT_POLICY.as_bytes())?;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        let policy: ReleasePolicy = serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let mut anchors = Vec::new();
        let ca = data.join("pki").join("ca.cert.pem");
        if ca.exists() {
            read_pem_certs(&ca, &mut anchors)?;
        }
        let dir = data.join("trust");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut files: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "pem"))
                .collect();
            files.sort();
            for f in files {
                read_pem_certs(&f, &mut anchors)?;
            }
        }
        Ok(ReleaseGate::new(policy, anchors))
    }

    /// Where a `releaseQueue` decision without a named officer goes.
    fn queue_owners(&self, d: &release::GateDecision, config: &Config) -> Vec<String> {
        if !d.officers.is_empty() {
            return d.officers.clone();
        }
        if let Some(m) = d.mailbox.as_deref().filter(|m| config.user(m).is_some()) {
            return vec![m.to_string()];
        }
        let officers: Vec<String> = config
            .users
            .iter()
            .filter(|u| u.officer)
            .map(|u| u.address.clone())
            .collect();
        if officers.is_empty() {
            self.policy.officers.clone()
        } else {
            officers
        }
    }
}

impl Gate for ReleaseGate {
    fn decide(&self, raw: &[u8], ctx: &GateContext<'_>) -> GateDecision {
        // One verification of every message: whether it is military may only show in its
        // protected header, and both decisions are made from that one report.
        let mut vc = self.trust.clone();
        vc.at = Some(time::OffsetDateTime::now_utc());
        vc.cancel = ctx.cancel.cloned();
        let report = match crate::verify::verify(raw, &vc) {
            Ok(r) => r,
            Err(e) => {
                return GateDecision::Refuse {
                    code: release::gate::codes::UNPARSABLE.into(),
                    reason: format!("the message cannot be verified: {e}"),
                }
            }
        };
        if crate::cancel::is_cancelled(ctx.cancel) {
            // The budget passed at the end of the verification: the decision is not used
            // (docs/server.md, "Message budget"), so neither is the label decision made.
            return GateDecision::Refuse {
                code: crate::coded::Coded::code(&crate::smime::Error::Cancelled).into(),
                reason: crate::smime::Error::Cancelled.to_string(),
            };
        }
        let d = release::release_gate(
            raw,
            &self.policy,
            &release::GateContext {
                submitter: ctx.submitter,
                recipients: ctx.rcpts,
                report: &report,
            },
        );
        let label = self.labels.as_ref().map(|l| {
            let mut input = LabelInput::from_report(&report);
            input.military |= d.military;
            let rcpts = ctx
                .rcpts
                .iter()
                .map(|r| RecipientRef {
                    address: r.clone(),
                    next_hop: (!ctx.config.is_local_domain(r))
                        .then(|| r.rsplit_once('@').map(|(_, dom)| dom.to_ascii_lowercase()))
                        .flatten(),
                })
                .collect();
            l.decide(input, rcpts)
        });
        let mapped = self.map(d, ctx.config);
        // Under header protection (RFC 9788, wrapped) an added outer field would differ from
        // the protected header the recipient reads — and inside an encrypted layer the gate
        // cannot see whether there is one: the default label then only decides.
        let protected = report.header_protection.scheme != crate::report::HpScheme::None
            || report.layers.iter().any(|l| {
                matches!(
                    l,
                    crate::report::Layer::Enveloped | crate::report::Layer::AuthEnveloped
                )
            });
        match label {
            None => mapped,
            Some(l) => with_label(mapped, l, ctx.config, protected),
        }
    }
}

/// Combine the release decision with the label decision (module docs).
fn with_label(
    d: GateDecision,
    l: LabelDecision,
    config: &Config,
    protected_header: bool,
) -> GateDecision {
    if l.action == LabelAction::Refuse {
        let code = l
            .problems
            .first()
            .map(|p| p.code.clone())
            .or_else(|| l.refused().next().and_then(|r| r.code.clone()))
            .unwrap_or_else(|| crate::label_policy::codes::LABEL_NOT_CLEARED.into());
        let mut lines = vec!["the security policy refuses the message:".to_string()];
        lines.extend(l.refusal_lines());
        return GateDecision::Refuse {
            code,
            reason: lines.join("\n"),
        };
    }
    match d {
        GateDecision::Transfer { authorized } => {
            let add_fields = match (l.action, &l.label) {
                (LabelAction::AllowWithDefault, Some(label)) if !protected_header => {
                    match crate::label_policy::default_label_fields(
                        label,
                        l.marking.as_deref(),
                        &config.hostname,
                        time::OffsetDateTime::now_utc(),
                    ) {
                        Ok(f) => f,
                        Err(e) => {
                            return GateDecision::Refuse {
                                code: crate::label_policy::codes::LABEL_MISSING.into(),
                                reason: format!("the default label cannot be added: {e}"),
                            }
                        }
                    }
                }
                _ => String::new(),
            };
            GateDecision::TransferLabelled {
                authorized,
                label: Box::new(l),
                add_fields,
            }
        }
        GateDecision::Divert {
            officers,
            mut reason,
        } => {
            // The officer's release is gated again; the refusals are shown to him now.
            for line in l.refusal_lines() {
                reason.push_str(&format!("; {line}"));
            }
            GateDecision::Divert { officers, reason }
        }
        other => other,
    }
}

impl ReleaseGate {
    /// The server action of a core decision; fails closed: a `transfer` carrying problems is
    /// diverted, a `refuse` without a problem still refuses.
    fn map(&self, d: release::GateDecision, config: &Config) -> GateDecision {
        match d.action {
            GateAction::Transfer if d.problems.is_empty() => GateDecision::Transfer {
                authorized: d.authorized,
            },
            GateAction::Refuse => {
                let (code, reason) = d
                    .problems
                    .first()
                    .map(|p| (p.code.clone(), p.message.clone()))
                    .unwrap_or_else(|| ("gate-refused".into(), "refused by policy".into()));
                GateDecision::Refuse { code, reason }
            }
            GateAction::Transfer | GateAction::ReleaseQueue => {
                let officers = self.queue_owners(&d, config);
                if officers.is_empty() {
                    return GateDecision::Refuse {
                        code: "gate-no-officer".into(),
                        reason: "the message needs release but no release officer is configured"
                            .into(),
                    };
                }
                let mut reason = format!(
                    "military message from {} needs release by {}",
                    d.drafter.as_deref().unwrap_or("(unknown)"),
                    officers.join(", ")
                );
                for p in &d.problems {
                    reason.push_str(&format!("; {} ({})", p.message, p.code));
                }
                GateDecision::Divert { officers, reason }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::msginfo::message_info;

    fn decide(gate: &ReleaseGate, raw: &[u8], submitter: Option<&str>) -> GateDecision {
        let c = Config::demo().unwrap();
        let info = message_info(raw);
        gate.decide(
            raw,
            &GateContext {
                submitter,
                mail_from: "alice@army.example",
                rcpts: &[],
                info: &info,
                config: &c,
                cancel: None,
            },
        )
    }

    #[test]
    fn default_policy_parses_and_gates() {
        let policy: ReleasePolicy = serde_json::from_str(DEFAULT_POLICY).unwrap();
        assert_eq!(policy.officers, vec!["officer@army.example"]);
        let gate = ReleaseGate::new(policy, vec![]);
        let plain = b"From: alice@army.example\r\nTo: bob@navy.example\r\n\r\nx";
        assert_eq!(
            decide(&gate, plain, Some("alice@army.example")),
            GateDecision::Transfer { authorized: vec![] }
        );
        let mil = b"From: alice@army.example\r\nTo: bob@navy.example\r\nMMHS-Primary-Precedence: 4\r\n\r\nx";
        assert!(
            matches!(decide(&gate, mil, Some("alice@army.example")), GateDecision::Divert { officers, .. } if officers == vec!["officer@army.example"])
        );
        // A listing without a verifiable countersignature does not count, even from the
        // officer: he does not own alice's From.
        let rel = b"From: alice@army.example\r\nTo: bob@navy.example\r\nMMHS-Primary-Precedence: 4\r\nMMHS-Authorizing-Users: officer@army.example\r\n\r\nx";
        assert!(matches!(
            decide(&gate, rel, Some("officer@army.example")),
            GateDecision::Refuse { code, .. } if code == "gate-from-not-owned"
        ));
        assert!(matches!(
            decide(&gate, rel, Some("alice@army.example")),
            GateDecision::Divert { .. }
        ));
        let dup = b"From: alice@army.example\r\nMMHS-Primary-Precedence: 4\r\nMMHS-Authorizing-Users: a@b\r\nMMHS-Authorizing-Users: c@d\r\n\r\nx";
        assert!(matches!(
            decide(&gate, dup, None),
            GateDecision::Refuse { code, .. } if code == "authorizing-users-duplicate"
        ));
        // The officer's own military messages are exempt.
        let own = b"From: officer@army.example\r\nTo: bob@navy.example\r\nMMHS-Primary-Precedence: 4\r\n\r\nx";
        assert!(matches!(
            decide(&gate, own, Some("officer@army.example")),
            GateDecision::Transfer { .. }
        ));
    }
}
