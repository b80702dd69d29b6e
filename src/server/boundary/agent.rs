//! The boundary agent's processing of one message: outbound (domain signature, domain
//! encryption to a DCA or an S/MIME gateway), inbound (domain or gateway decryption,
//! verification, the domain-signature requirement, the result header), Mail List Agent
//! expansion for our lists (RFC 2634 §4, draft-melnikov-smime-msa-to-mda-04 §5), within the
//! per-message time budget, then re-injection into the MTA — the reply to the MTA is 250 only
//! once the re-injection was accepted, a 4xx when it was not (the MTA keeps the message and
//! retries), a 5xx when the policy refuses the message. Every outcome is an audit record
//! (draft-melnikov-mmhs-profile-09 §7.2).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::config::{BoundaryConfig, MailList};
use super::domsec;
use super::policy::{self, DomainPolicy, Encrypt, OnFailure, RouteKey};
use super::results::{self, Results, SmimeResult};
use crate::cancel::Cancel;
use crate::domain::OriginatorAuthentication;
use crate::domain::{self, DcaOutcome, DomainEncryption, GatewayInbound};
use crate::domain_agent::{self, MailListAgent};
use crate::release::AuditFacts;
use crate::report::{Layer, VerifyReport};
use crate::server::agent::{transaction_identifiers, transaction_record, AgentReply};
use crate::server::audit::{self, AuditEvent};
use crate::server::config::AuthError;
use crate::server::msginfo::message_info;
use crate::server::pool::BlockingPool;
use crate::server::smtp::client::{self, ClientError, OutEnvelope};
use crate::server::smtp::host::{Extensions, Refusal, SessionHost, SessionSettings};
use crate::server::smtp::spool::Spooled;
use crate::server::smtp::{Notify, Recipient, Transaction};
use crate::server::store::Store;
use crate::server::{private_file, Error};
use crate::smime::{EncryptOptions, SignOptions};
use crate::verify::open::codes as open_codes;
use crate::verify::{VerifiedMessage, VerifyContext};

/// Which listener a message came in on: the MTA decides, by the service that received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Submitted inside our domains.
    Outbound,
    /// Arrived from another domain.
    Inbound,
}

/// Why a message failed the policy, or could not be processed. The codes are documented in
/// `docs/domain.md` and appear in replies, audit records and the result header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Inbound: no domain signature, and the policy requires one.
    DomainSignatureMissing,
    /// Inbound: a domain signature whose value or certificate path does not verify.
    DomainSignatureInvalid,
    /// Inbound: a domain signature by an agent not named for the originator's domain (§2.6).
    DomainSignatureNaming,
    /// A signature present does not verify (the report is not valid).
    SignatureInvalid,
    /// Outbound: no valid originator signature, and the configuration requires one.
    OriginatorUnverified,
    /// Outbound: encrypted content we cannot open, so its signatures cannot be checked.
    Opaque,
    /// A layer addressed to our DCA does not decrypt.
    DecryptFailed,
    /// The message cannot be read at all.
    Unreadable,
    /// Outbound: encryption required, and no DCA certificate for the domain.
    NoDcaCertificate,
    /// Outbound: signing or encryption failed.
    ProtectFailed,
    /// Outbound: our agent certificate does not name the originator's domain (§2.6).
    AgentNaming,
    /// Outbound: gateway encryption required, and no gateway certificate for the domain.
    NoGatewayCertificate,
    /// A list's own identifier is in the message's mlExpansionHistory (RFC 2634 §4.1.1).
    MlLoop,
    /// The mlExpansionHistory reached the list's expansion limit (RFC 2634 §4.4).
    MlHistoryLimit,
    /// The list refuses to expand: a signature does not verify, the history is malformed,
    /// or the message is encrypted and not for the list (RFC 2634 §4.2).
    MlRefused,
    /// The message to a list is encrypted and a member has no usable certificate.
    NoMemberCertificate,
    /// Processing exceeded the per-message time budget (`messageBudgetMillis`).
    OverBudget,
    /// The security policy refuses the message's label for a recipient or the next hop
    /// (docs/security.md, label-based access control).
    LabelRefused,
}

impl Reason {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::DomainSignatureMissing => "domain-signature-missing",
            Reason::DomainSignatureInvalid => "domain-signature-invalid",
            Reason::DomainSignatureNaming => "domain-signature-naming",
            Reason::SignatureInvalid => "boundary-signature-invalid",
            Reason::OriginatorUnverified => "boundary-originator-unverified",
            Reason::Opaque => "boundary-content-opaque",
            Reason::DecryptFailed => "boundary-decrypt-failed",
            Reason::Unreadable => "boundary-unreadable",
            Reason::NoDcaCertificate => "boundary-no-dca-certificate",
            Reason::ProtectFailed => "boundary-protect-failed",
            Reason::AgentNaming => "agent-naming-invalid",
            Reason::NoGatewayCertificate => "boundary-no-gateway-certificate",
            Reason::MlLoop => "ml-expansion-loop",
            Reason::MlHistoryLimit => "ml-history-limit",
            Reason::MlRefused => "ml-expansion-refused",
            Reason::NoMemberCertificate => "boundary-no-member-certificate",
            Reason::OverBudget => "boundary-over-budget",
            Reason::LabelRefused => "boundary-label-refused",
        }
    }

    /// Every code, for the documentation test.
    pub const ALL: [Reason; 18] = [
        Reason::DomainSignatureMissing,
        Reason::DomainSignatureInvalid,
        Reason::DomainSignatureNaming,
        Reason::SignatureInvalid,
        Reason::OriginatorUnverified,
        Reason::Opaque,
        Reason::DecryptFailed,
        Reason::Unreadable,
        Reason::NoDcaCertificate,
        Reason::ProtectFailed,
        Reason::AgentNaming,
        Reason::NoGatewayCertificate,
        Reason::MlLoop,
        Reason::MlHistoryLimit,
        Reason::MlRefused,
        Reason::NoMemberCertificate,
        Reason::OverBudget,
        Reason::LabelRefused,
    ];
}

/// The outcome of processing.
#[derive(Debug)]
pub enum Outcome {
    /// Hand these octets on; `detail` says what was done.
    Forward {
        /// The message to re-inject.
        data: Vec<u8>,
        /// What was done, for the audit record.
        detail: String,
        /// Re-inject to these recipients instead of the transaction's (a list's members).
        recipients: Option<Vec<String>>,
    },
    /// The policy rejects the message.
    Reject {
        /// Why.
        reason: Reason,
        /// Detail.
        detail: String,
        /// Refuse or quarantine.
        action: OnFailure,
    },
    /// A failure the MTA should retry later (configuration being fixed, resources).
    Retry {
        /// Why.
        reason: Reason,
        /// Detail.
        detail: String,
    },
}

/// The agent shared by both listeners.
pub struct Boundary {
    /// Configuration and keys.
    pub config: BoundaryConfig,
    /// The audit trail (`<data>/audit.sqlite`).
    pub store: Arc<Store>,
    spool_dir: PathBuf,
    quarantine_dir: PathBuf,
    slots: BlockingPool,
    counter: AtomicU64,
}

/// One listener: the agent and the direction its messages travel.
pub struct Listener {
    /// The agent.
    pub boundary: Arc<Boundary>,
    /// Direction.
    pub direction: Direction,
}

/// An encrypted layer the verification could not open: not for our keys (its signatures
/// cannot be checked, so no domain signature may be added, §3.3), or for us and damaged.
fn unopened(report: &VerifyReport) -> Option<(Reason, String)> {
    report.problems.iter().find_map(|p| match p.code.as_str() {
        open_codes::NO_DECRYPTION_KEY => Some((
            Reason::Opaque,
            format!(
                "encrypted for others: its signatures cannot be checked (§3.3): {}",
                p.message
            ),
        )),
        open_codes::DECRYPT_FAILED | open_codes::DECRYPT_AUTH_FAILED => {
            Some((Reason::DecryptFailed, p.message.clone()))
        }
        _ => None,
    })
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl Boundary {
    /// The agent over a loaded configuration: creates the data directory (0700), opens the
    /// audit store, empties the spool.
    pub fn new(config: BoundaryConfig) -> Result<Boundary, Error> {
        let data = config.file.data_dir.clone();
        private_file::create_private_dir(&data)?;
        let store = Arc::new(Store::open(&data.join("audit.sqlite"))?);
        let spool_dir = data.join("spool");
        // Spool files of a previous run belong to transactions never answered 250.
        let _ = std::fs::remove_dir_all(&spool_dir);
        private_file::create_private_dir(&spool_dir)?;
        let quarantine_dir = data.join("quarantine");
        private_file::create_private_dir(&quarantine_dir)?;
        Ok(Boundary {
            slots: BlockingPool::new(config.file.blocking_jobs),
            config,
            store,
            spool_dir,
            quarantine_dir,
            counter: AtomicU64::new(0),
        })
    }

    /// Where quarantined messages are kept (`<id>.eml` and `<id>.json`).
    pub fn quarantine_dir(&self) -> &Path {
        &self.quarantine_dir
    }

    /// The receive pipeline's context with `keys` to open encrypted layers: our DCA's, so
    /// that signatures encrypted for the domain are checked (msa-to-mda §3.3, §5), a list's,
    /// so that its MLA verifies every signature, encrypted ones included (RFC 2634 §4.2).
    /// `cancel` is the message budget's flag (set when the budget passes: the verification
    /// stops, `verification-cancelled`).
    fn verify_context(
        &self,
        at: OffsetDateTime,
        keys: &[&(crate::keys::PrivateKey, x509_cert::Certificate)],
        cancel: &Cancel,
    ) -> VerifyContext {
        VerifyContext {
            trust_anchors: self.config.trust_anchors.clone(),
            certificates: self.config.certificates.clone(),
            at: Some(at),
            decryption_keys: keys.iter().map(|&k| k.clone()).collect(),
            cancel: Some(cancel.clone()),
            ..VerifyContext::default()
        }
    }

    /// Whether `cert` may be encrypted to now: it chains to our trust anchors and allows
    /// encryption (a certificate of the directory is never used otherwise).
    fn usable(&self, at: OffsetDateTime) -> impl Fn(&x509_cert::Certificate) -> bool + '_ {
        move |c| {
            domsec::encrypts_validly(c, &self.config.trust_anchors, &self.config.certificates, at)
        }
    }

    fn policy(&self, domain: &str) -> &DomainPolicy {
        policy::policy_for(
            &self.config.file.remote_domains,
            &self.config.file.default_remote,
            domain,
        )
        .1
    }

    /// Process one message (synchronous: run on the blocking pool).
    /// A transaction to one of our lists carries that recipient only
    /// ([`SessionHost::check_rcpt`]); inbound, the list expands what passed the inbound
    /// policy; outbound (a posting from inside our domains) it expands the message as it is.
    /// Once `cancel` is set (the message budget passed) verification stops early and the
    /// outcome is not to be used.
    pub fn process(
        &self,
        direction: Direction,
        tx: &Transaction,
        data: &[u8],
        cancel: &Cancel,
    ) -> Outcome {
        let at = OffsetDateTime::now_utc();
        let list = tx.rcpts.first().and_then(|r| self.config.list(&r.address));
        match (direction, list) {
            (Direction::Outbound, None) => self.outbound(tx, data, at, cancel),
            (Direction::Inbound, list) => self.inbound(tx, data, at, list, cancel),
            (Direction::Outbound, Some(l)) => {
                let keys: Vec<_> = std::iter::once(&l.decryption)
                    .chain(self.config.dca.as_ref())
                    .collect();
                match VerifiedMessage::verify(data, &self.verify_context(at, &keys, cancel)) {
                    Ok(m) => self.expand(l, &m, self.outbound_auth(), "", at),
                    Err(e) => Outcome::Reject {
                        reason: Reason::Unreadable,
                        detail: format!("list {}: {e}", l.address),
                        action: OnFailure::Refuse,
                    },
                }
            }
        }
    }

    /// How the originator of a message submitted inside our domains is authenticated before
    /// a domain signature (§3.3): by a bound originator signature with
    /// `requireOriginatorSignature`, else by the MTA's submission service.
    fn outbound_auth(&self) -> OriginatorAuthentication {
        if self.config.file.require_originator_signature {
            OriginatorAuthentication::Signature
        } else {
            OriginatorAuthentication::External
        }
    }

    /// Mail List Agent expansion with the core (`crate::domain_agent::expand`; RFC 2634 §4,
    /// msa-to-mda §5) of a message verified once by the caller (with the list's key): the
    /// "outer" signedData replaced by the list's signature with one more MLData, encrypted
    /// content re-encrypted for the members (their own certificates from the directory, else
    /// their domain's DCA or gateway; a member outside our domains also for its domain's DCA
    /// or gateway certificate when there is one, so that its domain's agent can verify what
    /// is inside), re-injected to every member. A loop, a full history or a message that
    /// does not verify is refused. When a member is outside our domains the expansion
    /// carries our domain signature under the list's signature (§5; `domain_signature`), so
    /// that it leaves the domain domain-signed although the re-injection does not pass the
    /// outbound listener again; `auth` is how the originator was authenticated (§3.3).
    fn expand(
        &self,
        list: &MailList,
        message: &VerifiedMessage<'_>,
        auth: OriginatorAuthentication,
        before: &str,
        at: OffsetDateTime,
    ) -> Outcome {
        let refuse = |reason: Reason, e: &domain::Error| Outcome::Reject {
            reason,
            detail: format!("list {}: {e}", list.address),
            action: OnFailure::Refuse,
        };
        let ours = &self.config.file.domains;
        let (local, remote): (Vec<String>, Vec<String>) = list
            .members
            .iter()
            .cloned()
            .partition(|m| policy::outbound_key(ours, m) == Some(RouteKey::Internal));
        let certificates = |members: &[String], mode| {
            domain::encryption_certificates(
                members,
                &self.config.certificates,
                mode,
                self.usable(at),
            )
        };
        let chosen = certificates(&local, DomainEncryption::WhenNoPersonal).and_then(|mut all| {
            for c in certificates(&remote, DomainEncryption::Also)? {
                if !all.contains(&c) {
                    all.push(c);
                }
            }
            Ok(all)
        });
        let (members, missing) = match chosen {
            Ok(c) => (c, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let (domain_signature, unsigned) = self.list_domain_signature(message, &remote, auth);
        let mla = MailListAgent {
            signer: &list.signer,
            decryption: Some(&list.decryption),
            use_ski: false,
            receipt_policy: None,
            history_limit: list.max_expansions,
            domain_signature,
        };
        let opts = SignOptions {
            signing_time: Some(at),
            ..SignOptions::default()
        };
        let expanded = domain_agent::expand(
            message,
            &mla,
            &members,
            at,
            &opts,
            &EncryptOptions::default(),
            &mut crate::rng::system_rng(),
        );
        let x = match expanded {
            Ok(x) => x,
            Err(e @ domain::Error::MlLoop(_)) => return refuse(Reason::MlLoop, &e),
            Err(e @ domain::Error::MlHistoryLimit(_)) => return refuse(Reason::MlHistoryLimit, &e),
            Err(
                e @ (domain::Error::MlHistory(_)
                | domain::Error::MlRefused(_)
                | domain::Error::NotRecipient(_)),
            ) => return refuse(Reason::MlRefused, &e),
            Err(domain::Error::NoRecipientCertificate(m)) => {
                return Outcome::Retry {
                    reason: Reason::NoMemberCertificate,
                    detail: format!("list {}: {}", list.address, missing.unwrap_or(m)),
                }
            }
            Err(e @ domain::Error::Smime(_)) => return refuse(Reason::Unreadable, &e),
            Err(e @ domain::Error::NotReady(_)) => return refuse(Reason::OriginatorUnverified, &e),
            Err(e) => {
                return Outcome::Retry {
                    reason: Reason::ProtectFailed,
                    detail: format!("list {}: {e}", list.address),
                }
            }
        };
        let sep = if before.is_empty() { "" } else { "; " };
        let signed = match (&mla.domain_signature, unsigned) {
            (Some(_), _) => "; domain-signed under the list's signature (§5)".to_string(),
            (None, Some(why)) => format!("; not domain-signed: {why}"),
            (None, None) => String::new(),
        };
        Outcome::Forward {
            data: x.message,
            detail: format!(
                "{before}{sep}expanded by the list {} for {} members (mlExpansionHistory of {}{}){signed}",
                list.address,
                list.members.len(),
                x.history.0.len(),
                if x.reencrypted {
                    "; re-encrypted for the members"
                } else {
                    ""
                }
            ),
            recipients: Some(list.members.clone()),
        }
    }

    /// Whether a list's expansion carries our domain signature (§5): only when a member is
    /// outside our domains (its copy is re-injected and leaves the domain without passing
    /// the outbound listener), we hold a signing key, and that key's certificate names the
    /// originator's domain (§2.6) — a posting from another domain is not ours to vouch for,
    /// and leaves with the list's signature only (the second value says why, for the audit).
    fn list_domain_signature(
        &self,
        message: &VerifiedMessage<'_>,
        remote: &[String],
        auth: OriginatorAuthentication,
    ) -> (
        Option<(&crate::smime::Signer, OriginatorAuthentication)>,
        Option<String>,
    ) {
        if remote.is_empty() {
            return (None, None);
        }
        let Some(signer) = &self.config.signer else {
            return (None, Some("no domain signing key".into()));
        };
        let originators = domain::signing::originator_addresses(message.raw());
        if !domain::naming_verdict(&signer.cert, &originators).ok {
            return (
                None,
                Some(format!(
                    "our agent does not serve the originator's domain ({}, §2.6)",
                    originators.join(", ")
                )),
            );
        }
        (Some((signer, auth)), None)
    }

    /// Outbound (draft-melnikov-smime-msa-to-mda-04 §3.3, §4, §5): the message is verified
    /// once, with our DCA's key so that signatures in layers encrypted for the domain are
    /// checked too (§3.3: "including those that have been encrypted"), judged by the
    /// policy, and domain-signed by the core's §5 rules (`crate::domain_agent::apply_domain_signature`):
    /// a message a list expanded keeps the list's mlExpansionHistory on the outer signedData,
    /// an envelopedData for our DCA is opened and the domain signature inside it encrypted for
    /// the recipient domain, an envelopedData lower down forces that encryption.
    fn outbound(
        &self,
        tx: &Transaction,
        data: &[u8],
        at: OffsetDateTime,
        cancel: &Cancel,
    ) -> Outcome {
        let ours = &self.config.file.domains;
        let key = tx
            .rcpts
            .first()
            .and_then(|r| policy::outbound_key(ours, &r.address));
        let domain = match key {
            Some(RouteKey::Remote(d)) => d,
            _ => {
                return Outcome::Forward {
                    data: data.to_vec(),
                    detail: "internal: unchanged".into(),
                    recipients: None,
                }
            }
        };
        let pol = *self.policy(&domain);
        let reject = |reason: Reason, detail: String| Outcome::Reject {
            reason,
            detail,
            action: pol.on_failure,
        };
        let keys: Vec<_> = self.config.dca.iter().collect();
        let message = match VerifiedMessage::verify(data, &self.verify_context(at, &keys, cancel)) {
            Ok(v) => v,
            Err(e) => return reject(Reason::Unreadable, e.to_string()),
        };
        let report = message.report();
        if let Some((reason, detail)) = unopened(report) {
            return reject(reason, detail);
        }
        if !report.signatures.is_empty() && !report.valid {
            let first = report.problems.first().map_or("", |p| p.code.as_str());
            return reject(
                Reason::SignatureInvalid,
                format!("a signature present does not verify ({first}): no domain signature may be added (§3.3)"),
            );
        }
        if self.config.file.require_originator_signature
            && !domsec::has_originator_signature(report)
        {
            return reject(
                Reason::OriginatorUnverified,
                "no valid originator signature (§3.3)".into(),
            );
        }
        let mut done = Vec::new();
        if let Some(labels) = &self.config.labels {
            let rcpts: Vec<String> = tx.rcpts.iter().map(|r| r.address.clone()).collect();
            match policy::label_decision(labels, report, &rcpts, Some(&domain)) {
                Ok(text) => done.push(text),
                Err(text) => return reject(Reason::LabelRefused, text),
            }
        }
        // Our local policy (§5: "If local policy requires the message to be encrypted"):
        // content that travelled encrypted, at any depth, never leaves the domain in clear.
        let encrypted = report
            .layers
            .iter()
            .any(|l| matches!(l, Layer::Enveloped | Layer::AuthEnveloped));
        let mode = match pol.encrypt {
            Encrypt::None if encrypted => Encrypt::Dca,
            m => m,
        };
        let (recipients, encrypted_for) = match self.remote_certificates(mode, &domain, at) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let Some(signer) = &self.config.signer else {
            return self.outbound_unsigned(data, &recipients, encrypted_for, done);
        };
        let agent = domain_agent::DomainAgent {
            signer,
            dca: self.config.dca.as_ref(),
        };
        let policy = domain_agent::DomainPolicy {
            encrypt: mode != Encrypt::None,
            recipients,
            encrypt_options: EncryptOptions::default(),
        };
        let auth = self.outbound_auth();
        let opts = SignOptions {
            signing_time: Some(at),
            ..SignOptions::default()
        };
        let mut rng = crate::rng::system_rng();
        let signed = match domain_agent::apply_domain_signature(
            &message, &agent, &policy, auth, &opts, &mut rng,
        ) {
            Ok(s) => s,
            // §2.6: our agent certificate does not name the originator's domain (mail of a
            // domain we do not serve, submitted through us): never signed, refused.
            Err(e @ domain::Error::Naming(_)) => return reject(Reason::AgentNaming, e.to_string()),
            // §3.3: the originator is not authenticated by a signature bound to it.
            Err(e @ domain::Error::NotReady(_)) => {
                return reject(Reason::OriginatorUnverified, e.to_string())
            }
            Err(e @ domain::Error::NotRecipient(_)) => {
                return reject(Reason::Opaque, e.to_string())
            }
            Err(e) => {
                return Outcome::Retry {
                    reason: Reason::ProtectFailed,
                    detail: format!("domain signature: {e}"),
                }
            }
        };
        if signed.stripped > 0 {
            done.push(format!(
                "{} signedData layer(s) stripped (§5)",
                signed.stripped
            ));
        }
        if signed.decrypted {
            done.push("decrypted by our DCA".into());
        }
        done.push("domain-signed".into());
        if signed.encrypted {
            done.push(encrypted_for);
        }
        if signed.ml_layer {
            done.push(
                "the list's signed attributes (mlExpansionHistory) on a new outer signedData (§5)"
                    .into(),
            );
        }
        Outcome::Forward {
            data: signed.message,
            detail: done.join("; "),
            recipients: None,
        }
    }

    /// Without a domain signing key (`signing` absent) nothing is domain-signed: the message
    /// leaves as it is, or, when it is to be encrypted (`recipients` not empty), with an
    /// envelopedData for our DCA at its top opened (§4 case (b)) and encrypted for the
    /// recipient domain (case (d)).
    fn outbound_unsigned(
        &self,
        data: &[u8],
        recipients: &[x509_cert::Certificate],
        encrypted_for: String,
        mut done: Vec<String>,
    ) -> Outcome {
        if recipients.is_empty() {
            done.push("unchanged".into());
            return Outcome::Forward {
                data: data.to_vec(),
                detail: done.join("; "),
                recipients: None,
            };
        }
        let plain = match domain::dca_open(data, self.config.dca.as_ref()) {
            Ok(DcaOutcome::Decrypted(m)) => m,
            Ok(_) => data.to_vec(),
            Err(e) => {
                return Outcome::Retry {
                    reason: Reason::ProtectFailed,
                    detail: format!("decryption: {e}"),
                }
            }
        };
        match domsec::domain_encrypt(&plain, recipients, &mut crate::rng::system_rng()) {
            Ok(m) => {
                done.push(encrypted_for);
                Outcome::Forward {
                    data: m,
                    detail: done.join("; "),
                    recipients: None,
                }
            }
            Err(e) => Outcome::Retry {
                reason: Reason::ProtectFailed,
                detail: format!("encryption: {e}"),
            },
        }
    }

    /// The certificates an outbound message for `domain` is encrypted to in `mode`, and what
    /// the audit record says of it: §4.1 (cases (c), (d)) every valid DCA certificate, or
    /// gateway §5.1 every valid S/MIME gateway certificate (`smg_encryptor@`), of the most
    /// specific domain serving `domain` (the core's choice, `crate::domain::domain_certificates`).
    /// None when encryption is required: `451` — the message is never sent in clear (gateway
    /// §6).
    fn remote_certificates(
        &self,
        mode: Encrypt,
        domain: &str,
        at: OffsetDateTime,
    ) -> Result<(Vec<x509_cert::Certificate>, String), Outcome> {
        let (named, reason, what) = match mode {
            Encrypt::None => return Ok((Vec::new(), String::new())),
            Encrypt::Dca => (
                &self.config.dca_certificates,
                Reason::NoDcaCertificate,
                "DCA certificate",
            ),
            Encrypt::Gateway => (
                &self.config.gateway_certificates,
                Reason::NoGatewayCertificate,
                "S/MIME gateway certificate (smg_encryptor@)",
            ),
        };
        let found = domain::domain_certificates(named, domain, self.usable(at));
        if found.is_empty() {
            return Err(Outcome::Retry {
                reason,
                detail: format!("no valid {what} for {domain} in the certificate directory"),
            });
        }
        let detail = match mode {
            Encrypt::Gateway => {
                let mut domains: Vec<&str> = Vec::new();
                for f in &found {
                    if !domains.contains(&f.domain) {
                        domains.push(f.domain);
                    }
                }
                format!("encrypted to the S/MIME gateway of {}", domains.join(", "))
            }
            _ => {
                let subjects: Vec<String> = found
                    .iter()
                    .map(|f| f.cert.tbs_certificate().subject().to_string())
                    .collect();
                format!("encrypted to the DCA of {domain} ({})", subjects.join(", "))
            }
        };
        Ok((found.iter().map(|f| f.cert.clone()).collect(), detail))
    }

    /// Decrypt for our DCA (§4.2), else for our S/MIME gateway (gateway §5.2): the message
    /// to verify, whether our DCA decrypted it, and the domain of our gateway when it did.
    /// Every `SMIME-Gateway-Decrypted` field that arrived is removed first: only our gateway
    /// says what it decrypted. What names our DCA or gateway but does not decrypt is an
    /// error (gateway §5.2: never relayed).
    fn open_inbound(&self, data: &[u8]) -> Result<(Vec<u8>, bool, Option<String>), domain::Error> {
        let data = domain::gateway::without_marker(data);
        match domain::dca_open(&data, self.config.dca.as_ref())? {
            DcaOutcome::Decrypted(m) => Ok((m, true, None)),
            DcaOutcome::NotEncrypted => Ok((data, false, None)),
            DcaOutcome::NotForUs => match &self.config.gateway {
                Some(gw) => match domain::gateway_inbound(&data, gw)? {
                    GatewayInbound::Decrypted(m) => {
                        Ok((m, false, domain::gateway_domains(&gw.1).into_iter().next()))
                    }
                    GatewayInbound::Relay(m) => Ok((m, false, None)),
                },
                None => Ok((data, false, None)),
            },
        }
    }

    fn inbound(
        &self,
        tx: &Transaction,
        data: &[u8],
        at: OffsetDateTime,
        list: Option<&MailList>,
        cancel: &Cancel,
    ) -> Outcome {
        let id = self.config.file.hostname.as_str();
        let data = results::strip_ours(data, id);
        let (message, decrypted, gateway) = match self.open_inbound(&data) {
            Ok(o) => o,
            Err(e) => {
                // Gateway draft §5.2: never relay what we failed to decrypt.
                return Outcome::Reject {
                    reason: Reason::DecryptFailed,
                    detail: e.to_string(),
                    action: self.config.file.default_remote.on_failure,
                };
            }
        };
        // Our DCA's key opens a layer for the domain below a signed one too (a list's
        // signature over content encrypted for its members and their domain, §5), so that
        // the domain signature inside is seen; the message is passed on as it is.
        let keys: Vec<_> = list
            .map(|l| &l.decryption)
            .into_iter()
            .chain(self.config.dca.as_ref())
            .collect();
        let verified =
            match VerifiedMessage::verify(&message, &self.verify_context(at, &keys, cancel)) {
                Ok(v) => v,
                Err(e) => {
                    return Outcome::Reject {
                        reason: Reason::Unreadable,
                        detail: e.to_string(),
                        action: self.config.file.default_remote.on_failure,
                    }
                }
            };
        let (r, detail) = match self.inbound_verdict(tx, &verified, decrypted, gateway) {
            Ok(v) => v,
            Err(o) => return o,
        };
        // A list expands the message as verified here (RFC 2634 §4.2, verified once); the
        // result header goes on what is re-injected.
        let (data, detail, recipients) = match list {
            None => (message.clone(), detail, None),
            Some(l) => match self.expand(
                l,
                &verified,
                OriginatorAuthentication::Signature,
                &detail,
                at,
            ) {
                Outcome::Forward {
                    data,
                    detail,
                    recipients,
                } => (data, detail, recipients),
                other => return other,
            },
        };
        Outcome::Forward {
            data: results::add(&data, id, &r),
            detail,
            recipients,
        }
    }

    /// The inbound policy on the verified message (steps 3 and 4 of docs/domain.md,
    /// "Inbound"): the domain-signature requirement of every originator domain, the label
    /// policy, and the result header's verdict with the audit detail; `Err` the outcome
    /// when the policy refuses.
    fn inbound_verdict(
        &self,
        tx: &Transaction,
        verified: &VerifiedMessage<'_>,
        decrypted: bool,
        gateway: Option<String>,
    ) -> Result<(Results, String), Outcome> {
        let report = verified.report();
        let verified = verified.verified();
        // Every originator domain the reader may be shown — each From and Sender address —
        // is held to its own policy: a Sender of an unlisted domain must not lift the
        // requirement of the From's domain.
        let mut originators: Vec<String> = report
            .sender
            .iter()
            .chain(report.from.iter())
            .cloned()
            .collect();
        if originators.is_empty() {
            originators.push(String::new());
        }
        let mut identifier = None;
        let mut any_required = false;
        let mut first_policy = None;
        for address in &originators {
            let domain = &policy::domain_of(address).unwrap_or_default();
            let mut pol = *self.policy(domain);
            first_policy.get_or_insert(pol);
            // Mail from outside claiming one of our own domains (or no originator at all)
            // proves itself with a domain signature, whatever the default says.
            if domain.is_empty() || policy::is_ours(&self.config.file.domains, domain) {
                pol.require_domain_signature = true;
            }
            let sigs = domsec::domain_signatures(verified, address);
            let good = sigs.iter().find(|s| s.good());
            if identifier.is_none() {
                identifier = good.and_then(|g| {
                    g.agent_domains
                        .iter()
                        .find(|d| domain::naming::is_same_or_ascendant(d, domain))
                        .cloned()
                });
            }
            if !pol.require_domain_signature {
                continue;
            }
            any_required = true;
            let failure = if good.is_some() {
                None
            } else if sigs.iter().any(|s| s.valid && s.trusted && !s.naming_ok) {
                let names: Vec<String> = sigs
                    .iter()
                    .flat_map(|s| s.agent_domains.iter().cloned())
                    .collect();
                Some((
                    Reason::DomainSignatureNaming,
                    format!(
                        "domain signature by an agent for {} on a message from {domain} (§2.6)",
                        names.join(", ")
                    ),
                ))
            } else if !sigs.is_empty() {
                Some((
                    Reason::DomainSignatureInvalid,
                    "the domain signature does not verify or does not chain to a trust anchor"
                        .to_string(),
                ))
            } else {
                Some((
                    Reason::DomainSignatureMissing,
                    format!("no domain signature of {domain:?}, and the policy requires one"),
                ))
            };
            if let Some((reason, detail)) = failure {
                return Err(Outcome::Reject {
                    reason,
                    detail,
                    action: pol.on_failure,
                });
            }
        }
        if any_required && !report.valid {
            let first = report.problems.first().map_or("", |p| p.code.as_str());
            return Err(Outcome::Reject {
                reason: Reason::SignatureInvalid,
                detail: format!("the message does not verify ({first})"),
                action: first_policy.unwrap_or_default().on_failure,
            });
        }
        let mut label = String::new();
        if let Some(labels) = &self.config.labels {
            let rcpts: Vec<String> = tx.rcpts.iter().map(|r| r.address.clone()).collect();
            match policy::label_decision(labels, report, &rcpts, None) {
                Ok(text) => label = format!("; {text}"),
                Err(detail) => {
                    return Err(Outcome::Reject {
                        reason: Reason::LabelRefused,
                        detail,
                        action: first_policy.unwrap_or_default().on_failure,
                    })
                }
            }
        }
        let good = identifier.is_some();
        let mut r = Results {
            result: SmimeResult::None,
            reason: "not-signed",
            from: report.from.first().cloned(),
            sender: report.sender.first().cloned(),
            identifier,
            decrypted,
            gateway_decrypted: gateway.clone(),
        };
        if report.signatures.is_empty() {
            r.result = SmimeResult::None;
            r.reason = "not-signed";
        } else if good && report.valid {
            r.result = SmimeResult::Pass;
            r.reason = "domain-signature-verified";
        } else if report.valid {
            r.result = SmimeResult::Pass;
            r.reason = "verified";
        } else if report
            .problems
            .iter()
            .any(|p| p.code == "signature-invalid")
        {
            // RFC 7281 §3 "fail": a signature did not verify (the signed content or the
            // signature value was altered), as opposed to one that verified but is not
            // trusted or not bound to the originator ("neutral").
            r.result = SmimeResult::Fail;
            r.reason = "signature-invalid";
        } else {
            r.result = SmimeResult::Neutral;
            r.reason = "not-valid";
        }
        let opened = match (&gateway, decrypted) {
            (Some(d), _) => format!("gateway-decrypted by our S/MIME gateway ({d}); "),
            (None, true) => "decrypted by our DCA; ".to_string(),
            (None, false) => String::new(),
        };
        let detail = format!("{opened}smime={} reason={}", r.result.as_str(), r.reason) + &label;
        Ok((r, detail))
    }

    /// Write an audit record: the server's record and the profile's MTA record.
    fn audit(&self, ev: AuditEvent, tx: &Transaction, data: &[u8], detail: String) {
        let t = OffsetDateTime::now_utc();
        let info = message_info(data);
        let p = tx.effective_priority();
        let arrival = OffsetDateTime::from_unix_timestamp(tx.arrival).unwrap_or(t);
        let mut record = transaction_record(ev, tx, &info);
        record.detail = Some(detail.clone());
        let ids = transaction_identifiers(tx, &info);
        let facts = AuditFacts {
            mm_identification: ids.mm_identification,
            message_identification: ids.message_identification,
            submission_timestamp: Some(rfc3339(arrival)),
            priority: Some(p),
            time_of_transfer_in: (ev == AuditEvent::Receive).then(|| rfc3339(t)),
            time_of_transfer_out: (ev != AuditEvent::Receive).then(|| rfc3339(t)),
            reason: matches!(ev, AuditEvent::Refuse | AuditEvent::Quarantine).then_some(detail),
            ..AuditFacts::default()
        };
        let written = self
            .store
            .transaction(|sql| audit::append_with(sql, &record, Some(facts), t).map(|_| ()));
        if let Err(e) = written {
            eprintln!(
                "mmhs boundary: audit record not written [{}]: {e}",
                e.code()
            );
        }
    }

    fn quarantine(
        &self,
        tx: &Transaction,
        data: &[u8],
        reason: Reason,
        detail: &str,
    ) -> Result<(), Error> {
        let meta = serde_json::json!({
            "transactionId": tx.id,
            "mailFrom": tx.mail_from,
            "rcpts": tx.rcpts.iter().map(|r| r.address.clone()).collect::<Vec<_>>(),
            "reason": reason.code(),
            "detail": detail,
            "time": rfc3339(OffsetDateTime::now_utc()),
        });
        private_file::write_private(&self.quarantine_dir.join(format!("{}.eml", tx.id)), data)?;
        private_file::write_private(
            &self.quarantine_dir.join(format!("{}.json", tx.id)),
            meta.to_string().as_bytes(),
        )
    }

    /// Hand `data` to the MTA's re-injection service with the transaction's envelope; every
    /// recipient or none (so one reply answers for all of them).
    async fn reinject(&self, tx: &Transaction, data: &[u8]) -> Result<client::Reply, ClientError> {
        let env = OutEnvelope {
            mail_from: tx.mail_from.clone(),
            envid: tx.envid.clone(),
            ret_full: tx.ret_full,
            mt_priority: tx.priority,
            by: None,
            hold_for: None,
            hold_until: None,
            body_8bit: tx.body_8bit,
            rcpts: tx.rcpts.clone(),
            all_or_nothing: true,
        };
        let timeout = Duration::from_secs(self.config.file.reinject_timeout_seconds.max(1));
        client::send(
            &self.config.reinject.socket_addr_string(),
            &self.config.file.hostname,
            None,
            &env,
            data,
            timeout,
        )
        .await
        .map(|o| o.data_reply)
    }

    /// Run `f` on the blocking pool (errors there are contained to this message).
    async fn off_reactor<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Boundary) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let me = self.clone();
        self.slots.run(move || Ok(f(&me))).await
    }

    /// Process and answer one message.
    pub async fn handle(
        self: &Arc<Self>,
        direction: Direction,
        tx: Transaction,
        data: Spooled,
    ) -> AgentReply {
        let txc = tx.clone();
        // The message budget runs from the end of DATA to the decision (docs/server.md,
        // "Message budget"): waiting for a slot, reading the spool, processing. Past it the
        // MTA is answered 451 4.7.0 and keeps the message; the abandoned work is cancelled
        // (its verification stops at its next check point, `crate::cancel`, and frees its
        // slot) and dropped here unseen — nothing is re-injected or quarantined, since both
        // happen only below, after the decision.
        let budget = Duration::from_millis(self.config.file.message_budget_millis.max(1));
        let cancel = Cancel::new();
        let flag = cancel.clone();
        // Read once from the spool, on the blocking pool (file I/O).
        let work = self.off_reactor(move |b| {
            data.read_with_headroom(0)
                .map(|data| (b.process(direction, &txc, &data, &flag), data))
        });
        let processed = match tokio::time::timeout(budget, work).await {
            Ok(r) => r.and_then(|r| r.map_err(|e| Error::Internal(format!("spool: {e}")))),
            Err(_) => {
                cancel.cancel();
                let text = format!(
                    "Message not processed within its time budget ({} ms), try again later [{}]",
                    budget.as_millis(),
                    Reason::OverBudget.code()
                );
                let d = format!("{}: {text}", Reason::OverBudget.code());
                self.audit_off_reactor(AuditEvent::Fail, tx, Vec::new(), d)
                    .await;
                return AgentReply {
                    code: 451,
                    esc: [4, 7, 0],
                    text,
                };
            }
        };
        match processed {
            Ok((
                Outcome::Forward {
                    data,
                    detail,
                    recipients,
                },
                original,
            )) => {
                let mut tx = tx;
                if let Some(members) = recipients {
                    tx.rcpts = members
                        .into_iter()
                        .map(|address| Recipient {
                            address,
                            notify: Notify::default(),
                            orcpt: None,
                        })
                        .collect();
                }
                self.forward(direction, tx, data, original, detail).await
            }
            Ok((
                Outcome::Reject {
                    reason,
                    detail,
                    action,
                },
                original,
            )) => self.reject(tx, original, reason, detail, action).await,
            Ok((Outcome::Retry { reason, detail }, original)) => {
                let text = format!(
                    "Cannot process now, try again later: {detail} [{}]",
                    reason.code()
                );
                let d = format!("{}: {detail}", reason.code());
                self.audit_off_reactor(AuditEvent::Fail, tx, original, d)
                    .await;
                AgentReply {
                    code: 451,
                    esc: [4, 7, 0],
                    text,
                }
            }
            Err(e) => AgentReply {
                code: 451,
                esc: [4, 3, 0],
                text: format!("Local error, try again later [{}]", e.code()),
            },
        }
    }

    async fn audit_off_reactor(
        self: &Arc<Self>,
        ev: AuditEvent,
        tx: Transaction,
        data: Vec<u8>,
        detail: String,
    ) {
        if let Err(e) = self
            .off_reactor(move |b| b.audit(ev, &tx, &data, detail))
            .await
        {
            eprintln!(
                "mmhs boundary: audit record not written [{}]: {e}",
                e.code()
            );
        }
    }

    /// Re-inject; 250 only once the MTA accepted the message for every recipient.
    async fn forward(
        self: &Arc<Self>,
        direction: Direction,
        tx: Transaction,
        data: Vec<u8>,
        original: Vec<u8>,
        detail: String,
    ) -> AgentReply {
        match self.reinject(&tx, &data).await {
            Ok(reply) => {
                let ev = match direction {
                    Direction::Outbound => AuditEvent::Relay,
                    Direction::Inbound => AuditEvent::Receive,
                };
                let id = tx.id.clone();
                let detail = format!("{detail}; re-injected: {reply}");
                self.audit_off_reactor(ev, tx, data, detail).await;
                AgentReply {
                    code: 250,
                    esc: [2, 0, 0],
                    text: format!("Processed and queued as {id}"),
                }
            }
            Err(e) => {
                let (code, esc, text) = match &e {
                    ClientError::Rejected { reply, .. } if !reply.is_transient() => {
                        (554, [5, 0, 0], format!("Re-injection refused: {reply}"))
                    }
                    _ => (
                        451,
                        [4, 4, 1],
                        format!("Re-injection failed, try again later: {e}"),
                    ),
                };
                let ev = if code >= 500 {
                    AuditEvent::Refuse
                } else {
                    AuditEvent::Fail
                };
                self.audit_off_reactor(ev, tx, original, text.clone()).await;
                AgentReply { code, esc, text }
            }
        }
    }

    /// Refuse (5xx) or quarantine (250 once the files are synced) per the policy.
    async fn reject(
        self: &Arc<Self>,
        tx: Transaction,
        original: Vec<u8>,
        reason: Reason,
        detail: String,
        action: OnFailure,
    ) -> AgentReply {
        let txc = tx.clone();
        let kept = self
            .off_reactor(move |b| {
                let record = format!("{}: {detail}", reason.code());
                match action {
                    OnFailure::Refuse => {
                        b.audit(AuditEvent::Refuse, &txc, &original, record);
                        Ok((false, detail))
                    }
                    OnFailure::Quarantine => match b.quarantine(&txc, &original, reason, &detail) {
                        Ok(()) => {
                            b.audit(AuditEvent::Quarantine, &txc, &original, record);
                            Ok((true, detail))
                        }
                        Err(e) => {
                            let why = format!("{record}; quarantine failed: {e}");
                            b.audit(AuditEvent::Fail, &txc, &original, why);
                            Err(e)
                        }
                    },
                }
            })
            .await
            .and_then(|r| r);
        match kept {
            Ok((true, _)) => AgentReply {
                code: 250,
                esc: [2, 6, 0],
                text: format!("Quarantined as {} [{}]", tx.id, reason.code()),
            },
            Ok((false, detail)) => AgentReply {
                code: 550,
                esc: [5, 7, 1],
                text: format!(
                    "Refused by the domain security policy: {detail} [{}]",
                    reason.code()
                ),
            },
            Err(e) => AgentReply {
                code: 451,
                esc: [4, 3, 0],
                text: format!("Quarantine unavailable, try again later [{}]", e.code()),
            },
        }
    }

    fn new_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut r = [0u8; 4];
        crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut r);
        format!(
            "b{:x}{:04x}{}",
            OffsetDateTime::now_utc().unix_timestamp(),
            n & 0xffff,
            r.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )
    }
}

impl SessionHost for Listener {
    fn settings(&self) -> SessionSettings {
        let f = &self.boundary.config.file;
        SessionSettings {
            hostname: f.hostname.clone(),
            role: "mmhs boundary agent",
            max_message_size: f.max_message_size,
            max_hold_seconds: 0,
            idle_timeout_seconds: f.idle_timeout_seconds,
            session_timeout_seconds: f.session_timeout_seconds,
        }
    }

    fn extensions(&self) -> Extensions {
        Extensions {
            auth: false,
            deliver_by: false,
            future_release: false,
        }
    }

    fn spool_dir(&self) -> &Path {
        &self.boundary.spool_dir
    }

    fn new_id(&self) -> String {
        self.boundary.new_id()
    }

    async fn authenticate(
        self: &Arc<Self>,
        _user: String,
        _password: String,
    ) -> Result<Result<String, AuthError>, Error> {
        // Not offered (the MTA hands messages over without AUTH); asked anyway, no.
        Ok(Err(AuthError::Invalid))
    }

    fn may_send_as(&self, _user: Option<&str>, _address: &str) -> bool {
        // The MTA hands every message over: the reverse-path is its, as received.
        true
    }

    fn check_rcpt(
        &self,
        tx: &Transaction,
        _user: Option<&str>,
        address: &str,
    ) -> Result<(), Refusal> {
        let ours = &self.boundary.config.file.domains;
        let Some(key) = policy::outbound_key(ours, address) else {
            return Err(Refusal::new(
                501,
                [5, 1, 3],
                "Recipient address without a domain",
            ));
        };
        // A list's expansion replaces the recipients: a list address travels alone.
        let is_list = |a: &str| self.boundary.config.list(a).is_some();
        if let Some(first) = tx.rcpts.first() {
            if is_list(address) || is_list(&first.address) {
                return Err(Refusal::new(
                    452,
                    [4, 5, 3],
                    "A list address travels alone: send this recipient separately",
                ));
            }
        }
        match self.direction {
            Direction::Inbound if key != RouteKey::Internal => Err(Refusal::new(
                550,
                [5, 7, 1],
                "Inbound listener: recipients outside our domains are not relayed",
            )),
            Direction::Inbound => Ok(()),
            Direction::Outbound => {
                let first = tx
                    .rcpts
                    .first()
                    .and_then(|r| policy::outbound_key(ours, &r.address));
                match first {
                    Some(k) if k != key => Err(Refusal::new(
                        452,
                        [4, 5, 3],
                        "One destination domain per transaction: send this recipient separately",
                    )),
                    _ => Ok(()),
                }
            }
        }
    }

    async fn accept(self: &Arc<Self>, tx: Transaction, data: Spooled) -> AgentReply {
        self.boundary.handle(self.direction, tx, data).await
    }
}
