//! The naming convention of domain-based agents (draft-melnikov-smime-msa-to-mda-04 §2.6).
//!
//! > In order for a verifier to recognize a signing/encrypting certificate as the Domain-based
//! > sending agent's certificate, it MUST contain uniformResourceIdentifier GeneralName of the
//! > format "\<protocol>://\<fully-qualified-domain>" and/or dNSName of the format
//! > \<fully-qualified-domain> in its SubjectAltName \[RFC5280]. (…) \<protocol> is "submit" for
//! > MSAs and "smtp" for MTAs.
//! >
//! > Any message received where the domain part of the domain signing agent's name does not
//! > match, or is not an ascendant of, the originator's domain name MUST be flagged to the user.
//!
//! [`agent_names`] reads those names from a certificate's subjectAltName (RFC 5280 §4.2.1.6:
//! `uniformResourceIdentifier [6]`, `dNSName [2]`), the URIs with the one `smtp:` / `submit:`
//! parser ([`super::uri`], §6.1, §6.2); [`naming_verdict`] applies the rule to the
//! originator's addresses. Only the exact form `<protocol>://<fqdn>` (an optional final `/`)
//! names an agent: a URI with a user name designates an SMTP *account* (§6.1), not the agent
//! serving a domain, and a port or query changes nothing a certificate should assert — such
//! URIs, IP literals and wildcard or malformed DNS names name no agent (fail closed).
//! Domains are compared as ASCII (A-labels, RFC 5890), case-insensitively, on label
//! boundaries: `army.example` is an ascendant of `hq.army.example`, not of `xarmy.example`.
//! Pure functions, no I/O; used by `crate::verify` (the signer identity shown and the
//! per-signature verdict) and by [`super::signing`] (refusing to sign
//! with a certificate that breaks the rule).

use serde::{Deserialize, Serialize};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

use super::uri::{parse_mail_uri, Scheme};

/// Longest domain name (RFC 1035 §2.3.4: 255 octets on the wire, 253 as text).
const MAX_DOMAIN_LEN: usize = 253;

/// How a certificate names a domain agent (§2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AgentKind {
    /// `submit://<fqdn>`: a Message Submission Agent.
    Submit,
    /// `smtp://<fqdn>`: a Message Transfer Agent.
    Smtp,
    /// dNSName `<fqdn>`: an agent of that domain, role not stated.
    Dns,
}

/// One agent name of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentName {
    /// Which form named it.
    pub kind: AgentKind,
    /// The domain served, lower-case, without a final dot.
    pub domain: String,
    /// The name as the certificate writes it (the URI, or the dNSName): the identity shown.
    pub text: String,
}

/// The agent names of a certificate's subjectAltName, in certificate order: the
/// `smtp://<fqdn>` / `submit://<fqdn>` URIs and the dNSNames that name a domain (module
/// documentation); anything else is skipped.
pub fn agent_names(cert: &Certificate) -> Vec<AgentName> {
    let mut out: Vec<AgentName> = Vec::new();
    let Ok(Some((_, san))) = cert.tbs_certificate().get_extension::<SubjectAltName>() else {
        return out;
    };
    for gn in san.0.iter() {
        let name = match gn {
            GeneralName::UniformResourceIdentifier(u) => agent_uri(u.as_str()),
            GeneralName::DnsName(d) => domain_name(d.as_str()).map(|domain| AgentName {
                kind: AgentKind::Dns,
                domain,
                text: d.as_str().to_string(),
            }),
            _ => None,
        };
        if let Some(n) = name {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// The domains a certificate names agents of ([`agent_names`]), each once, in certificate
/// order.
pub fn agent_domains(cert: &Certificate) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in agent_names(cert) {
        if !out.contains(&n.domain) {
            out.push(n.domain);
        }
    }
    out
}

/// An `smtp://<fqdn>` or `submit://<fqdn>` URI as an agent name; `None` for any other URI.
pub fn agent_uri(text: &str) -> Option<AgentName> {
    let uri = parse_mail_uri(text).ok()?;
    if uri.user.is_some() || uri.explicit_port || uri.query.is_some() {
        return None;
    }
    let domain = domain_name(&uri.host)?;
    Some(AgentName {
        kind: match uri.scheme {
            Scheme::Smtp => AgentKind::Smtp,
            Scheme::Submit => AgentKind::Submit,
        },
        domain,
        text: text.to_string(),
    })
}

/// A fully-qualified domain name as text: LDH labels (RFC 1035 §2.3.1, RFC 5890 A-labels) of
/// 1–63 octets, at least two labels, not all-numeric (an IPv4 literal); lower-cased, a final
/// dot removed. `None` for anything else (wildcards, IP literals, underscores, empty labels).
pub fn domain_name(raw: &str) -> Option<String> {
    let d = raw.strip_suffix('.').unwrap_or(raw).to_ascii_lowercase();
    if d.is_empty() || d.len() > MAX_DOMAIN_LEN {
        return None;
    }
    let labels: Vec<&str> = d.split('.').collect();
    let ldh = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if labels.len() < 2 || !labels.iter().all(ldh) {
        return None;
    }
    if labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some(d)
}

/// Whether `agent` is `domain` or one of its ascendants (§2.6), on label boundaries. Both
/// must be domain names ([`domain_name`]).
pub fn is_same_or_ascendant(agent: &str, domain: &str) -> bool {
    let (Some(agent), Some(domain)) = (domain_name(agent), domain_name(domain)) else {
        return false;
    };
    domain == agent
        || domain
            .strip_suffix(agent.as_str())
            .is_some_and(|head| head.ends_with('.'))
}

/// The domain of an addr-spec (`local@domain`, optionally in angle brackets), as a domain name.
pub fn address_domain(addr: &str) -> Option<String> {
    let a = addr.trim();
    let a = a
        .strip_prefix('<')
        .and_then(|r| r.strip_suffix('>'))
        .unwrap_or(a);
    let (local, domain) = a.rsplit_once('@')?;
    if local.is_empty() {
        return None;
    }
    domain_name(domain)
}

/// The §2.6 verdict on one signer certificate against the originator addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingVerdict {
    /// The certificate names an agent whose domain equals or is an ascendant of the domain of
    /// every originator address (and there is at least one).
    pub ok: bool,
    /// The agent name that satisfies the rule; else the certificate's first agent name;
    /// `None` when the certificate names no agent.
    pub agent: Option<AgentName>,
}

/// Apply the naming rule (§2.6) to `cert` for a message whose originator addresses are
/// `originators` (the Sender, else the From). Without an originator address, or with one
/// whose domain is not a domain name, nothing can be matched: not ok.
pub fn naming_verdict(cert: &Certificate, originators: &[String]) -> NamingVerdict {
    let names = agent_names(cert);
    let domains: Option<Vec<String>> = originators.iter().map(|a| address_domain(a)).collect();
    let found = match domains {
        Some(ds) if !ds.is_empty() => names
            .iter()
            .find(|n| ds.iter().all(|d| is_same_or_ascendant(&n.domain, d))),
        _ => None,
    };
    NamingVerdict {
        ok: found.is_some(),
        agent: found.or(names.first()).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §2.6: "the domain part of the domain signing agent's name does not match, or is not an
    /// ascendant of, the originator's domain name MUST be flagged".
    #[test]
    fn the_agent_domain_equals_or_is_an_ascendant_of_the_originator_domain() {
        assert!(is_same_or_ascendant("army.example", "army.example"));
        assert!(is_same_or_ascendant("Army.Example.", "army.example"));
        assert!(is_same_or_ascendant("army.example", "hq.army.example"));
        assert!(is_same_or_ascendant("army.example", "a.b.army.example"));
        // Not on a label boundary, a descendant, a sibling, another organisation.
        assert!(!is_same_or_ascendant("army.example", "xarmy.example"));
        assert!(!is_same_or_ascendant("hq.army.example", "army.example"));
        assert!(!is_same_or_ascendant("navy.example", "army.example"));
        assert!(!is_same_or_ascendant("evil.example", "army.example"));
        assert!(!is_same_or_ascendant("", "army.example"));
        assert!(is_same_or_ascendant("army.example", "hq.ARMY.example."));
        assert!(!is_same_or_ascendant("army.example", "army.example.evil"));
    }

    /// §2.6: `"<protocol>://<fully-qualified-domain>"`, `<protocol>` "submit" for MSAs and
    /// "smtp" for MTAs.
    #[test]
    fn agent_uris_are_exactly_protocol_and_domain() {
        let n = agent_uri("smtp://Army.Example").unwrap();
        assert_eq!(
            (n.kind, n.domain.as_str(), n.text.as_str()),
            (AgentKind::Smtp, "army.example", "smtp://Army.Example")
        );
        let n = agent_uri("submit://msa.army.example/").unwrap();
        assert_eq!(
            (n.kind, n.domain.as_str()),
            (AgentKind::Submit, "msa.army.example")
        );
        for not_agent in [
            "http://army.example",
            "smtp://alice@army.example",
            "smtp://army.example:2525",
            "smtp://army.example/?x",
            "smtp://127.0.0.1",
            "smtp://[::1]",
            "smtp://army_example",
            "smtp://localhost",
            "mailto:alice@army.example",
        ] {
            assert_eq!(agent_uri(not_agent), None, "{not_agent}");
        }
    }

    #[test]
    fn domain_names_are_ldh_labels() {
        assert_eq!(
            domain_name("ARMY.example.").as_deref(),
            Some("army.example")
        );
        for bad in [
            "*.army.example",
            "army..example",
            "-army.example",
            "army",
            "10.0.0.1",
            "a b.example",
            "",
        ] {
            assert_eq!(domain_name(bad), None, "{bad}");
        }
        assert_eq!(domain_name(&format!("{}.example", "a".repeat(64))), None);
    }

    #[test]
    fn originator_domains_come_from_addr_specs() {
        assert_eq!(
            address_domain("<Alice@HQ.Army.Example>").as_deref(),
            Some("hq.army.example")
        );
        assert_eq!(address_domain("alice"), None);
    }
}
