//! The boundary agent's processing of one message: outbound (domain signature, domain
//! encryption), inbound (domain decryption, verification, the domain-signature requirement,
//! the result header), then re-injection into the MTA — the reply to the MTA is 250 only
//! once the re-injection was accepted, a 4xx when it was not (the MTA keeps the message and
//! retries), a 5xx when the policy refuses the message. Every outcome is an audit record
//! (draft-melnikov-mmhs-profile-09 §7.2).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::config::BoundaryConfig;
use super::domsec::{self, Decryption};
use super::policy::{self, DcaLookup, DomainPolicy, Encrypt, OnFailure, RouteKey};
use super::results::{self, Results, SmimeResult};
use crate::release::AuditFacts;
use crate::server::agent::{transaction_record, AgentReply};
use crate::server::audit::{self, AuditEvent};
use crate::server::config::AuthError;
use crate::server::msginfo::message_info;
use crate::server::pool::BlockingPool;
use crate::server::smtp::client::{self, ClientError, OutEnvelope};
use crate::server::smtp::host::{Extensions, Refusal, SessionHost, SessionSettings};
use crate::server::smtp::spool::Spooled;
use crate::server::smtp::Transaction;
use crate::server::store::Store;
use crate::server::{private_file, Error};
use crate::verify::VerifyContext;

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
            Reason::LabelRefused => "boundary-label-refused",
        }
    }

    /// Every code, for the documentation test.
    pub const ALL: [Reason; 12] = [
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

    fn verify_context(&self, at: OffsetDateTime) -> VerifyContext {
        VerifyContext {
            trust_anchors: self.config.trust_anchors.clone(),
            certificates: self.config.certificates.clone(),
            at: Some(at),
            ..VerifyContext::default()
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
    pub fn process(&self, direction: Direction, tx: &Transaction, data: &[u8]) -> Outcome {
        let at = OffsetDateTime::now_utc();
        match direction {
            Direction::Outbound => self.outbound(tx, data, at),
            Direction::Inbound => self.inbound(tx, data, at),
        }
    }

    fn outbound(&self, tx: &Transaction, data: &[u8], at: OffsetDateTime) -> Outcome {
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
                }
            }
        };
        let pol = *self.policy(&domain);
        let reject = |reason: Reason, detail: String| Outcome::Reject {
            reason,
            detail,
            action: pol.on_failure,
        };
        // §5 (no mlExpansionHistory, an envelopedData): decrypt with our DCA key (case (b)
        // for transmission) — the signatures inside must be checked before a domain
        // signature may be added (§3.3).
        let (message, was_encrypted) = match domsec::domain_decrypt(data, self.config.dca.as_ref())
        {
            Decryption::NotEncrypted => (data.to_vec(), false),
            Decryption::Decrypted(m) => (m, true),
            Decryption::NotForUs => {
                return reject(
                    Reason::Opaque,
                    "encrypted for others: its signatures cannot be checked (§3.3)".into(),
                )
            }
            Decryption::Failed(e) => return reject(Reason::DecryptFailed, e.to_string()),
        };
        let verified = match domsec::verify(&message, &self.verify_context(at)) {
            Ok(v) => v,
            Err(e) => return reject(Reason::Unreadable, e.to_string()),
        };
        let report = &verified.report;
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
        let mut rng = crate::rng::system_rng();
        let signed = match &self.config.signer {
            Some(signer) => match domsec::domain_sign(&message, signer, at, &mut rng) {
                Ok(m) => {
                    done.push("domain-signed".to_string());
                    m
                }
                // §2.6: our agent certificate does not name the originator's domain (mail of
                // a domain we do not serve, submitted through us): never signed, refused.
                Err(e @ crate::domain::Error::Naming(_)) => {
                    return reject(Reason::AgentNaming, e.to_string())
                }
                Err(e) => {
                    return Outcome::Retry {
                        reason: Reason::ProtectFailed,
                        detail: format!("domain signature: {e}"),
                    }
                }
            },
            None => message,
        };
        // §5 A: without an encryption policy, content that arrived encrypted leaves encrypted.
        if pol.encrypt == Encrypt::Dca || was_encrypted {
            let (anchors, certs) = (&self.config.trust_anchors, &self.config.certificates);
            let usable =
                |c: &x509_cert::Certificate| domsec::encrypts_validly(c, anchors, certs, at);
            let cert = match policy::dca_certificate(certs, &domain, usable) {
                Ok(c) => c,
                Err(DcaLookup::None) => {
                    return Outcome::Retry {
                        reason: Reason::NoDcaCertificate,
                        detail: format!(
                            "no valid DCA certificate for {domain} in the certificate directory"
                        ),
                    }
                }
                Err(DcaLookup::Ambiguous(n)) => {
                    return Outcome::Retry {
                        reason: Reason::NoDcaCertificate,
                        detail: format!("{n} DCA certificates for {domain}, equally specific"),
                    }
                }
            };
            match domsec::domain_encrypt(&signed, std::slice::from_ref(cert), &mut rng) {
                Ok(m) => {
                    done.push(format!(
                        "encrypted to the DCA of {domain} ({})",
                        cert.tbs_certificate().subject()
                    ));
                    return Outcome::Forward {
                        data: m,
                        detail: done.join("; "),
                    };
                }
                Err(e) => {
                    return Outcome::Retry {
                        reason: Reason::ProtectFailed,
                        detail: format!("encryption: {e}"),
                    }
                }
            }
        }
        if done.is_empty() {
            done.push("unchanged".into());
        }
        Outcome::Forward {
            data: signed,
            detail: done.join("; "),
        }
    }

    fn inbound(&self, tx: &Transaction, data: &[u8], at: OffsetDateTime) -> Outcome {
        let id = self.config.file.hostname.as_str();
        let data = results::strip_ours(data, id);
        let (message, decrypted) = match domsec::domain_decrypt(&data, self.config.dca.as_ref()) {
            Decryption::NotEncrypted | Decryption::NotForUs => (data, false),
            Decryption::Decrypted(m) => (m, true),
            Decryption::Failed(e) => {
                // Gateway draft §5.2: never relay what we failed to decrypt.
                return Outcome::Reject {
                    reason: Reason::DecryptFailed,
                    detail: e.to_string(),
                    action: self.config.file.default_remote.on_failure,
                };
            }
        };
        let verified = match domsec::verify(&message, &self.verify_context(at)) {
            Ok(v) => v,
            Err(e) => {
                return Outcome::Reject {
                    reason: Reason::Unreadable,
                    detail: e.to_string(),
                    action: self.config.file.default_remote.on_failure,
                }
            }
        };
        let report = &verified.report;
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
            let sigs = domsec::domain_signatures(&verified, address);
            let good = sigs.iter().find(|s| s.good());
            if identifier.is_none() {
                identifier = good.and_then(|g| {
                    g.agent_domains
                        .iter()
                        .find(|d| domsec::serves(d, domain))
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
                return Outcome::Reject {
                    reason,
                    detail,
                    action: pol.on_failure,
                };
            }
        }
        if any_required && !report.valid {
            let first = report.problems.first().map_or("", |p| p.code.as_str());
            return Outcome::Reject {
                reason: Reason::SignatureInvalid,
                detail: format!("the message does not verify ({first})"),
                action: first_policy.unwrap_or_default().on_failure,
            };
        }
        let mut label = String::new();
        if let Some(labels) = &self.config.labels {
            let rcpts: Vec<String> = tx.rcpts.iter().map(|r| r.address.clone()).collect();
            match policy::label_decision(labels, report, &rcpts, None) {
                Ok(text) => label = format!("; {text}"),
                Err(detail) => {
                    return Outcome::Reject {
                        reason: Reason::LabelRefused,
                        detail,
                        action: first_policy.unwrap_or_default().on_failure,
                    }
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
        } else {
            r.result = SmimeResult::Neutral;
            r.reason = "not-valid";
        }
        let detail = format!(
            "{}smime={} reason={}",
            if decrypted {
                "decrypted by our DCA; "
            } else {
                ""
            },
            r.result.as_str(),
            r.reason
        ) + &label;
        Outcome::Forward {
            data: results::add(&message, id, &r),
            detail,
        }
    }

    /// Write an audit record: the server's record and the profile's MTA record.
    fn audit(&self, ev: AuditEvent, tx: &Transaction, data: &[u8], detail: String) {
        let t = OffsetDateTime::now_utc();
        let info = message_info(data);
        let p = tx.effective_priority();
        let arrival = OffsetDateTime::from_unix_timestamp(tx.arrival).unwrap_or(t);
        let mut record = transaction_record(ev, tx, &info);
        record.detail = Some(detail.clone());
        let facts = AuditFacts {
            mm_identification: Some(tx.envid.clone().unwrap_or_else(|| tx.id.clone())),
            message_identification: info.message_id.as_ref().map(|m| format!("<{m}>")),
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
        // Read once from the spool, on the blocking pool (file I/O).
        let processed = self
            .off_reactor(move |b| {
                data.read_with_headroom(0)
                    .map(|data| (b.process(direction, &txc, &data), data))
            })
            .await
            .and_then(|r| r.map_err(|e| Error::Internal(format!("spool: {e}"))));
        match processed {
            Ok((Outcome::Forward { data, detail }, original)) => {
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
