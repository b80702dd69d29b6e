//! The boundary agent's configuration file (JSON, `docs/domain.md` § "Configuration"), and
//! the key material it names, loaded once at start. Relative paths are relative to the
//! directory of the configuration file. Unknown fields are refused, so a misspelt policy
//! never silently falls back to a default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use x509_cert::Certificate;

use super::policy::DomainPolicy;
use crate::domain::uri::{parse_mail_uri, MailUri};
use crate::keys::PrivateKey;
use crate::server::Error;
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
    default_max_size as d_max_size, default_session_timeout as d_session,
};

fn d_reinject_timeout() -> u64 {
    120
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
    /// Trust anchors.
    pub trust_anchors: Vec<Certificate>,
    /// The certificate directory's certificates.
    pub certificates: Vec<Certificate>,
    /// The security policies, when labels are enforced.
    pub labels: Option<crate::server::labels::LabelEnforcement>,
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
            Some(k) => {
                let key = PrivateKey::from_pem(&read(base, &k.key)?)
                    .map_err(|e| cfg_err(format!("dca key: {e}")))?;
                let cert = certs(base, &k.certificate)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| cfg_err("dca: no CERTIFICATE in the certificate file"))?;
                Some((key, cert))
            }
            None => None,
        };
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
            trust_anchors,
            certificates,
            labels,
        })
    }
}
