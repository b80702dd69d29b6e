//! The boundary agent's decisions that need no I/O: which policy applies to a domain (the
//! most specific configured domain, draft-ramsdell-enc-smime-gateway-00 §4) and which
//! recipients may share one transaction. Which DCA or gateway certificate encrypts for a
//! domain is the core's rule (`crate::domain::domain_certificates`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::naming::is_same_or_ascendant as serves;

/// Encryption applied to messages for a remote domain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Encrypt {
    /// None (link encryption, or none at all).
    #[default]
    None,
    /// To the remote domain's DCA certificate (§4.1, case (c)/(d)).
    Dca,
    /// To the remote domain's S/MIME gateway certificate (`smg_encryptor@<domain>`,
    /// draft-ramsdell-enc-smime-gateway-00 §5.1).
    Gateway,
}

/// What happens to a message that fails the policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnFailure {
    /// Refused with a 5xx reply: the MTA returns it to its sender.
    #[default]
    Refuse,
    /// Accepted and kept in the quarantine directory, not delivered.
    Quarantine,
}

/// The policy for one remote domain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DomainPolicy {
    /// Outbound: encryption.
    #[serde(default)]
    pub encrypt: Encrypt,
    /// Inbound: a valid, trusted, correctly named domain signature of the originator's
    /// domain is required (§3.3).
    #[serde(default)]
    pub require_domain_signature: bool,
    /// Failures: refuse or quarantine.
    #[serde(default)]
    pub on_failure: OnFailure,
}

/// The domain of an address (lower case), if it has one.
pub(crate) fn domain_of(address: &str) -> Option<String> {
    let (_, d) = address.trim().rsplit_once('@')?;
    let d = d
        .trim_end_matches('>')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

/// The label decision of a message crossing the boundary (draft-melnikov-mmhs-profile-09
/// §7.1: border MTAs enforce the correctness of ESS security labels and SIO-Label; §4.1.1
/// access control): each recipient, with `next_hop` (outbound: the remote domain; inbound:
/// none, local delivery). A content filter answers once per message, so one refused
/// recipient refuses the message. `Ok(audit text)` or `Err(refusal detail)`.
pub(crate) fn label_decision(
    labels: &crate::server::labels::LabelEnforcement,
    report: &crate::report::VerifyReport,
    rcpts: &[String],
    next_hop: Option<&str>,
) -> Result<String, String> {
    use crate::label_policy::{LabelAction, LabelInput, RecipientRef};
    let refs = rcpts
        .iter()
        .map(|r| RecipientRef {
            address: r.clone(),
            next_hop: next_hop.map(String::from),
        })
        .collect();
    let d = labels.decide(LabelInput::from_report(report), refs);
    let text = crate::server::labels::audit_text(&d);
    if d.action == LabelAction::Refuse || d.refused().next().is_some() {
        Err(text)
    } else {
        Ok(text)
    }
}

/// Whether `domain` is one of `ours` or below one of them.
pub(crate) fn is_ours(ours: &[String], domain: &str) -> bool {
    ours.iter().any(|o| serves(o, domain))
}

/// The policy for `domain`: the most specific configured domain that is `domain` or an
/// ascendant of it (gateway §4: `sub.domain` before `domain`), else the default. Returns the
/// configured domain that matched, if any.
pub(crate) fn policy_for<'a>(
    remote: &'a BTreeMap<String, DomainPolicy>,
    default: &'a DomainPolicy,
    domain: &str,
) -> (Option<&'a str>, &'a DomainPolicy) {
    remote
        .iter()
        .filter(|(k, _)| serves(k, domain))
        .max_by_key(|(k, _)| k.len())
        .map_or((None, default), |(k, p)| (Some(k.as_str()), p))
}

/// Which transaction a recipient belongs to. One transaction carries one message, and what
/// the agent does to it depends on the recipients' domain: recipients of different keys are
/// refused with 452 (RFC 5321 §4.5.3.1.10) so the MTA sends them in another transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RouteKey {
    /// A recipient in one of our domains.
    Internal,
    /// A recipient in this remote domain.
    Remote(String),
}

/// The route key of a recipient seen on the outbound listener.
pub(crate) fn outbound_key(ours: &[String], recipient: &str) -> Option<RouteKey> {
    let d = domain_of(recipient)?;
    Some(if is_ours(ours, &d) {
        RouteKey::Internal
    } else {
        RouteKey::Remote(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_policy_wins() {
        let mut remote = BTreeMap::new();
        let strict = DomainPolicy {
            require_domain_signature: true,
            ..Default::default()
        };
        let sub = DomainPolicy {
            on_failure: OnFailure::Quarantine,
            ..Default::default()
        };
        remote.insert("navy.example".to_string(), strict);
        remote.insert("fleet.navy.example".to_string(), sub);
        let def = DomainPolicy::default();
        assert_eq!(
            policy_for(&remote, &def, "navy.example"),
            (Some("navy.example"), &strict)
        );
        assert_eq!(
            policy_for(&remote, &def, "a.fleet.navy.example"),
            (Some("fleet.navy.example"), &sub)
        );
        // A look-alike is not a sub-domain.
        assert_eq!(policy_for(&remote, &def, "evilnavy.example"), (None, &def));
        assert_eq!(policy_for(&remote, &def, "navy.example.evil"), (None, &def));
    }

    #[test]
    fn routes() {
        let ours = vec!["army.example".to_string()];
        assert_eq!(
            outbound_key(&ours, "carol@hq.army.example"),
            Some(RouteKey::Internal)
        );
        assert_eq!(
            outbound_key(&ours, "bob@NAVY.example"),
            Some(RouteKey::Remote("navy.example".into()))
        );
        assert_eq!(
            outbound_key(&ours, "x@notarmy.example"),
            Some(RouteKey::Remote("notarmy.example".into()))
        );
        assert_eq!(outbound_key(&ours, "postmaster"), None);
    }

    #[test]
    fn policy_json_refuses_unknown_fields() {
        let p: DomainPolicy = serde_json::from_str(
            r#"{"encrypt":"dca","requireDomainSignature":true,"onFailure":"quarantine"}"#,
        )
        .unwrap();
        assert_eq!(p.encrypt, Encrypt::Dca);
        assert!(
            serde_json::from_str::<DomainPolicy>(r#"{"requireDomainSignatures":true}"#).is_err()
        );
        let p: DomainPolicy = serde_json::from_str(r#"{"encrypt":"gateway"}"#).unwrap();
        assert_eq!(p.encrypt, Encrypt::Gateway);
        assert!(serde_json::from_str::<DomainPolicy>(r#"{"encrypt":"gatway"}"#).is_err());
    }
}
