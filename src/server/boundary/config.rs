//! The boundary agent's configuration file (JSON, `docs/domain.md` § "Configuration"), and
//! the key material it names, loaded once at start. Relative paths are relative to the
//! directory of the configuration file. Unknown fields are refused, so a misspelt policy
//! never silently falls back to a default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use x509_cert::Certificate;

use super::policy::DomainPolicy;
use crate::domain::dca::{domain_names, gateway_domains, DomainCertificateKind};
use crate::domain::naming::{address_domain, is_same_or_ascendant};
use crate::domain::uri::{parse_mail_uri, MailUri};
use crate::keys::PrivateKey;
use crate::server::Error;
use crate::smime::ml_expansion::UB_ML_EXPANSION_HISTORY;
use crate::smime::signed_build::parse_certificates_pem;
use crate::smime::Signer;

/// A key and its certificate, as PEM files.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyFiles {
    /// PKCS#8 private key (PEM).
    pub key: PathBuf,
    /// The certificate (PEM; further CERTIFICATE blocks are its chain).
    pub certificate: PathBuf,
}

/// Where the agent listens: one listener per direction, so the direction of a message is
/// decided by the MTA's own configuration (which of its services received it), never by a
/// header field the sender controls.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Listen {
    /// Mail submitted inside our domains (the MTA's submission service filters here).
    pub outbound: String,
    /// Mail arriving from other domains (the MTA's MX service filters here).
    pub inbound: String,
}

// The limits default to `mmhs serve`'s (docs/server.md, "Limits").
use crate::server::config::{
    default_blocking_jobs as d_blocking, default_idle_timeout as d_idle,
    default_max_sessions as d_sessions, default_max_sessions_per_client as d_sessions_client,
    default_max_size as d_max_size, default_message_budget as d_budget,
    default_session_timeout as d_session,
};

fn d_reinject_timeout() -> u64 {
    120
}

fn d_history_limit() -> usize {
    UB_ML_EXPANSION_HISTORY
}

/// The most members a list may have: one re-injection transaction carries them all, and an
/// SMTP server need accept no more than 100 recipients per transaction (RFC 5321 §4.5.3.1.8).
pub(crate) const MAX_LIST_MEMBERS: usize = 100;

/// A Mail List Agent's list (RFC 2634 §4; draft-melnikov-smime-msa-to-mda-04 §5), as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListFile {
    /// The members' addresses: the expanded message is re-injected to each.
    pub members: Vec<String>,
    /// The MLA's signing key and certificate (its certificate is the mailListIdentifier of
    /// the MLData records it adds, RFC 2634 §4.1).
    pub signing: KeyFiles,
    /// The key and certificate messages to the list are encrypted for; absent: the signing
    /// key and certificate.
    #[serde(default)]
    pub decryption: Option<KeyFiles>,
    /// The most MLData records a history may hold after this list's expansion (1–64,
    /// ub-ml-expansion-history of RFC 2634 §4.4).
    #[serde(default = "d_history_limit")]
    pub max_expansions: usize,
}

/// A list with its key material loaded.
#[derive(Debug)]
pub struct MailList {
    /// The list address (lower case).
    pub address: String,
    /// The members.
    pub members: Vec<String>,
    /// The MLA's signer.
    pub signer: Signer,
    /// The MLA's decryption key and certificate.
    pub decryption: (PrivateKey, Certificate),
    /// The expansion limit.
    pub max_expansions: usize,
}

/// The file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BoundaryFile {
    /// Our host name (greeting, `Authentication-Results` authserv-id, audit).
    pub hostname: String,
    /// The domains this agent serves (a sub-domain of one is served too).
    pub domains: Vec<String>,
    /// Listeners.
    pub listen: Listen,
    /// Where processed mail is re-injected: `smtp://host:port` of the MTA's second smtpd
    /// (the one without a content filter).
    pub reinject: String,
    /// Data directory: `audit.sqlite`, `spool/`, `quarantine/`.
    pub data_dir: PathBuf,
    /// Domain signing key and certificate (§3.3); without it nothing is domain-signed.
    #[serde(default)]
    pub signing: Option<KeyFiles>,
    /// Our Domain Confidentiality Authority key and certificate (§4.2).
    #[serde(default)]
    pub dca: Option<KeyFiles>,
    /// Our S/MIME gateway's key and domain certificate (`smg_encryptor@<domain>`,
    /// draft-ramsdell-enc-smime-gateway-00 §4): inbound messages encrypted for it are
    /// decrypted (§5.2).
    #[serde(default)]
    pub gateway: Option<KeyFiles>,
    /// Mail List Agent lists, by list address (one of our domains).
    #[serde(default)]
    pub lists: BTreeMap<String, ListFile>,
    /// Trust anchors (PEM files) for every signature verified.
    #[serde(default)]
    pub trust_anchors: Vec<PathBuf>,
    /// Directory of other domains' certificates (`*.pem`): their DCA certificates, their
    /// agents' signing certificates and intermediates.
    #[serde(default)]
    pub certificates: Option<PathBuf>,
    /// Policy per remote domain (most specific match wins).
    #[serde(default)]
    pub remote_domains: BTreeMap<String, DomainPolicy>,
    /// Policy for every other domain.
    #[serde(default)]
    pub default_remote: DomainPolicy,
    /// Outbound: domain-sign only messages carrying a valid originator signature (otherwise
    /// the MTA's submission authentication stands for the originator, §3.3).
    #[serde(default)]
    pub require_originator_signature: bool,
    /// Largest message (octets).
    #[serde(default = "d_max_size")]
    pub max_message_size: usize,
    /// Concurrent sessions.
    #[serde(default = "d_sessions")]
    pub max_sessions: usize,
    /// Concurrent sessions per client address.
    #[serde(default = "d_sessions_client")]
    pub max_sessions_per_client: usize,
    /// Idle time per read or write (seconds).
    #[serde(default = "d_idle")]
    pub idle_timeout_seconds: u64,
    /// Whole session (seconds).
    #[serde(default = "d_session")]
    pub session_timeout_seconds: u64,
    /// Per reply of the re-injection server (seconds).
    #[serde(default = "d_reinject_timeout")]
    pub reinject_timeout_seconds: u64,
    /// Messages processed (signed, encrypted, verified) at once.
    #[serde(default = "d_blocking")]
    pub blocking_jobs: usize,
    /// Per message, from the end of its DATA to the decision to re-inject, refuse or
    /// quarantine (milliseconds); past it `451 4.7.0` and nothing is re-injected.
    #[serde(default = "d_budget")]
    pub message_budget_millis: u64,
    /// Label-based access control (`crate::server::labels`, docs/security.md): outbound,
    /// every recipient with its remote domain as the next hop; inbound, every local
    /// recipient. `dir` is relative to this file's directory. Absent: not enforced.
    #[serde(default)]
    pub label_policy: Option<crate::server::labels::LabelPolicyConfig>,
}

/// The configuration with its key material loaded.
#[derive(Debug)]
pub struct BoundaryConfig {
    /// The file.
    pub file: BoundaryFile,
    /// The re-injection URI.
    pub reinject: MailUri,
    /// Domain signer.
    pub signer: Option<Signer>,
    /// DCA key and certificate.
    pub dca: Option<(PrivateKey, Certificate)>,
    /// Gateway key and domain certificate.
    pub gateway: Option<(PrivateKey, Certificate)>,
    /// The lists, by address.
    pub lists: BTreeMap<String, MailList>,
    /// Trust anchors.
    pub trust_anchors: Vec<Certificate>,
    /// The certificate directory's certificates.
    pub certificates: Vec<Certificate>,
    /// The directory's DCA certificates with the domains each serves (§2.6, §4.1).
    pub dca_certificates: NamedCertificates,
    /// The directory's gateway certificates with the domains each serves (gateway §4).
    pub gateway_certificates: NamedCertificates,
    /// The security policies, when labels are enforced.
    pub labels: Option<crate::server::labels::LabelEnforcement>,
}

/// Certificates with the domains each serves, as `crate::domain::domain_certificates` takes
/// them.
pub(crate) type NamedCertificates = Vec<(Certificate, Vec<(DomainCertificateKind, String)>)>;

/// The directory's certificates of one kind.
fn named(certs: &[Certificate], kind: DomainCertificateKind) -> NamedCertificates {
    domain_names(certs)
        .into_iter()
        .map(|(c, names)| (c, names.into_iter().filter(|(k, _)| *k == kind).collect()))
        .filter(|(_, names): &(Certificate, Vec<_>)| !names.is_empty())
        .collect()
}

fn key_pair(base: &Path, k: &KeyFiles, what: &str) -> Result<(PrivateKey, Certificate), Error> {
    let key = PrivateKey::from_pem(&read(base, &k.key)?)
        .map_err(|e| cfg_err(format!("{what} key: {e}")))?;
    let cert = certs(base, &k.certificate)?
        .into_iter()
        .next()
        .ok_or_else(|| cfg_err(format!("{what}: no CERTIFICATE in the certificate file")))?;
    Ok((key, cert))
}

fn load_list(
    base: &Path,
    domains: &[String],
    address: &str,
    l: &ListFile,
) -> Result<MailList, Error> {
    let bad = |m: String| cfg_err(format!("list {address}: {m}"));
    let ours = address_domain(address)
        .is_some_and(|d| domains.iter().any(|o| is_same_or_ascendant(o, &d)));
    if !ours {
        return Err(bad("a list address must be in one of our domains".into()));
    }
    if l.members.is_empty() || l.members.len() > MAX_LIST_MEMBERS {
        return Err(bad(format!(
            "{} members (1 to {MAX_LIST_MEMBERS})",
            l.members.len()
        )));
    }
    let mut members: Vec<String> = Vec::with_capacity(l.members.len());
    for m in &l.members {
        let m = m.trim().to_ascii_lowercase();
        if address_domain(&m).is_none() || m.contains(['<', '>', ' ', ',']) {
            return Err(bad(format!("member {m:?} is not an address")));
        }
        if m == address {
            return Err(bad("the list is one of its own members".into()));
        }
        if !members.contains(&m) {
            members.push(m);
        }
    }
    if l.max_expansions == 0 || l.max_expansions > UB_ML_EXPANSION_HISTORY {
        return Err(bad(format!(
            "maxExpansions {} is not 1 to {UB_ML_EXPANSION_HISTORY} (RFC 2634 §4.4)",
            l.max_expansions
        )));
    }
    let signer = Signer::from_pem(
        &read(base, &l.signing.key)?,
        &read(base, &l.signing.certificate)?,
        None,
    )
    .map_err(|e| bad(format!("signing: {e}")))?;
    let decryption = key_pair(
        base,
        l.decryption.as_ref().unwrap_or(&l.signing),
        "decryption",
    )
    .map_err(|e| bad(e.to_string()))?;
    Ok(MailList {
        address: address.to_string(),
        members,
        signer,
        decryption,
        max_expansions: l.max_expansions,
    })
}

fn cfg_err(what: impl std::fmt::Display) -> Error {
    Error::Config(what.to_string())
}

fn read(base: &Path, p: &Path) -> Result<String, Error> {
    let path = base.join(p);
    std::fs::read_to_string(&path).map_err(|e| cfg_err(format!("{}: {e}", path.display())))
}

fn certs(base: &Path, p: &Path) -> Result<Vec<Certificate>, Error> {
    let text = read(base, p)?;
    parse_certificates_pem(&text).map_err(|e| cfg_err(format!("{}: {e}", p.display())))
}

impl BoundaryConfig {
    /// Read and check `path`, and load what it names.
    pub fn load(path: &Path) -> Result<BoundaryConfig, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| cfg_err(format!("{}: {e}", path.display())))?;
        let file: BoundaryFile =
            serde_json::from_str(&text).map_err(|e| cfg_err(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::from_file(file, base)
    }

    /// Check a parsed file and load what it names (paths relative to `base`).
    pub fn from_file(mut file: BoundaryFile, base: &Path) -> Result<BoundaryConfig, Error> {
        if file.domains.is_empty() {
            return Err(cfg_err(
                "\"domains\" is empty: the agent must serve a domain",
            ));
        }
        for d in file.domains.iter_mut() {
            *d = d.trim().trim_end_matches('.').to_ascii_lowercase();
        }
        file.remote_domains = std::mem::take(&mut file.remote_domains)
            .into_iter()
            .map(|(k, v)| (k.trim().trim_end_matches('.').to_ascii_lowercase(), v))
            .collect();
        let reinject = parse_mail_uri(&file.reinject)?;
        let signer = match &file.signing {
            Some(k) => Some(
                Signer::from_pem(&read(base, &k.key)?, &read(base, &k.certificate)?, None)
                    .map_err(|e| cfg_err(format!("signing: {e}")))?,
            ),
            None => None,
        };
        let dca = match &file.dca {
            Some(k) => Some(key_pair(base, k, "dca")?),
            None => None,
        };
        let gateway = match &file.gateway {
            Some(k) => {
                let pair = key_pair(base, k, "gateway")?;
                if gateway_domains(&pair.1).is_empty() {
                    return Err(cfg_err(
                        "gateway: the certificate lists no smg_encryptor@<domain> address allowed to encrypt (draft-ramsdell-enc-smime-gateway-00 §4)",
                    ));
                }
                Some(pair)
            }
            None => None,
        };
        let mut lists = BTreeMap::new();
        for (address, l) in &file.lists {
            let address = address.trim().to_ascii_lowercase();
            let list = load_list(base, &file.domains, &address, l)?;
            lists.insert(address, list);
        }
        // The expanded message is re-injected past the agent: a list among another's members
        // would be delivered as a mailbox, never expanded.
        for l in lists.values() {
            if let Some(m) = l.members.iter().find(|m| lists.contains_key(m.as_str())) {
                return Err(cfg_err(format!(
                    "list {}: member {m} is one of our lists, which re-injection does not expand",
                    l.address
                )));
            }
        }
        let mut trust_anchors = Vec::new();
        for p in &file.trust_anchors {
            trust_anchors.extend(certs(base, p)?);
        }
        let mut certificates = Vec::new();
        if let Some(dir) = &file.certificates {
            let dir = base.join(dir);
            let entries =
                std::fs::read_dir(&dir).map_err(|e| cfg_err(format!("{}: {e}", dir.display())))?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pem"))
                .collect();
            paths.sort();
            for p in paths {
                certificates.extend(certs(Path::new(""), &p)?);
            }
        }
        let data_dir = base.join(&file.data_dir);
        file.data_dir = data_dir;
        let labels = file
            .label_policy
            .as_ref()
            .map(|c| crate::server::labels::LabelEnforcement::load(base, c))
            .transpose()?;
        Ok(BoundaryConfig {
            file,
            reinject,
            signer,
            dca,
            gateway,
            lists,
            trust_anchors,
            dca_certificates: named(&certificates, DomainCertificateKind::Dca),
            gateway_certificates: named(&certificates, DomainCertificateKind::Gateway),
            certificates,
            labels,
        })
    }

    /// The list `address` names, if it is one of ours.
    pub fn list(&self, address: &str) -> Option<&MailList> {
        self.lists.get(&address.trim().to_ascii_lowercase())
    }
}
