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

use time::OffsetDateTime;

use super::config::{BoundaryConfig, MailList};
use super::domsec;
use super::policy::{self, DomainPolicy, Encrypt, OnFailure, RouteKey};
use super::results::{self, Results, SmimeResult};
use crate::cancel::Cancel;
use crate::domain::OriginatorAuthentication;
use crate::domain::{self, DcaOutcome, DomainEncryption, GatewayInbound};
use crate::domain_agent::{self, BelowSignatures, MailListAgent};
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
    },
    /// A list's expansion (RFC 2634 §4): one copy per group of members — the members in our
    /// domains, and those of each remote domain apart (each held to that domain's outbound
    /// decision) — each re-injected in its own transaction; `refused` the groups the
    /// outbound policy refused (audited, quarantined as their domain says, never sent).
    Expanded {
        /// The copies to re-inject, at least one.
        copies: Vec<ListCopy>,
        /// The member groups refused.
        refused: Vec<RefusedCopy>,
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

impl Outcome {
    /// The message budget passed during the work (docs/server.md, "Message budget"): the
    /// MTA has been answered `451 4.7.0` already and this outcome is dropped; returning it
    /// at the next check point frees the message's slot instead of signing, encrypting or
    /// expanding for nobody.
    fn over_budget(step: &str) -> Outcome {
        Outcome::Retry {
            reason: Reason::OverBudget,
            detail: format!("cancelled before {step}"),
        }
    }
}

/// One copy of a list's expansion.
#[derive(Debug)]
pub struct ListCopy {
    /// The members it is re-injected to.
    pub members: Vec<String>,
    /// The message.
    pub data: Vec<u8>,
    /// What was done, for the audit record.
    pub detail: String,
}

/// A group of list members whose copy the outbound policy refused.
#[derive(Debug)]
pub struct RefusedCopy {
    /// The members.
    pub members: Vec<String>,
    /// Why.
    pub reason: Reason,
    /// Detail.
    pub detail: String,
    /// Refuse or quarantine (the members' domain's `onFailure`).
    pub action: OnFailure,
}

/// What the outbound policy decided for mail to one remote domain (docs/domain.md,
/// "Outbound", steps 3 and 4): the label decision, and the certificates the message leaves
/// encrypted to — none: it may leave in clear.
struct OutboundDecision {
    /// The label decision's audit text, when labels are enforced.
    label: Option<String>,
    /// The encryption the domain gets (its policy, `dca` for content that travelled
    /// encrypted).
    encrypt: Encrypt,
    /// The domain's DCA or gateway certificates (empty with [`Encrypt::None`]).
    recipients: Vec<x509_cert::Certificate>,
    /// What the audit record says of the encryption.
    encrypted_for: String,
}

/// The report problems that mean a signature did not verify cryptographically (RFC 7281 §3
/// `smime=fail`).
const DID_NOT_VERIFY: [&str; 2] = ["signature-invalid", "message-digest-mismatch"];

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

use crate::server::rfc3339;

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
                    Ok(_) if cancel.is_cancelled() => Outcome::over_budget("the list expansion"),
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
    /// content re-encrypted for the members. One copy per group of members, each re-injected
    /// in its own transaction ([`Outcome::Expanded`]): the members in our domains (their own
    /// certificates from the directory, else their domain's DCA or gateway), and apart the
    /// members of each remote domain, whose copy leaves the domain without passing the
    /// outbound listener and so takes the outbound decision here
    /// ([`Self::outbound_decision`], as every message to that domain): its label policy, and
    /// its encryption — the domain's DCA or gateway certificates, required when the domain's
    /// policy or encrypted content asks for encryption (`451` otherwise, nothing sent), and
    /// the members' own certificates when they have one. Such a copy carries our domain
    /// signature under the list's signature (§5; `domain_signature`), encrypted when the
    /// decision says so: "(S4 (E2 (S3 (S1 (Original Content)))))" of §5.1 example 4, the
    /// list's signature as S4. A group the label policy refuses is refused (or quarantined)
    /// alone; a loop, a full history or a message that does not verify refuses the whole
    /// message. `auth` is how the originator was authenticated (§3.3).
    fn expand(
        &self,
        list: &MailList,
        message: &VerifiedMessage<'_>,
        auth: OriginatorAuthentication,
        before: &str,
        at: OffsetDateTime,
    ) -> Outcome {
        let before = if before.is_empty() {
            String::new()
        } else {
            format!("{before}; ")
        };
        let ours = &self.config.file.domains;
        let mut local = Vec::new();
        let mut remote: Vec<(String, Vec<String>)> = Vec::new();
        for m in &list.members {
            match policy::outbound_key(ours, m) {
                Some(RouteKey::Remote(d)) => match remote.iter_mut().find(|(x, _)| *x == d) {
                    Some((_, g)) => g.push(m.clone()),
                    None => remote.push((d, vec![m.clone()])),
                },
                _ => local.push(m.clone()),
            }
        }
        let mut copies = Vec::new();
        let mut refused = Vec::new();
        if !local.is_empty() {
            let certs = domain::encryption_certificates(
                &local,
                &self.config.certificates,
                DomainEncryption::WhenNoPersonal,
                self.usable(at),
            );
            let members = domain_agent::DomainPolicy {
                encrypt: false,
                recipients: certs.as_ref().cloned().unwrap_or_default(),
                encrypt_options: EncryptOptions::default(),
            };
            let missing = certs.err().map(|e| e.to_string());
            match self.list_copy(list, message, (None, None), &members, missing, at) {
                Ok(detail) => copies.push(ListCopy {
                    detail: format!("{before}{}", detail.1),
                    data: detail.0,
                    members: local,
                }),
                Err(o) => return o,
            }
        }
        for (domain, group) in remote {
            let decision = match self.outbound_decision(&domain, message.report(), &group, at) {
                Ok(d) => d,
                Err(Outcome::Reject {
                    reason,
                    detail,
                    action,
                }) => {
                    refused.push(RefusedCopy {
                        detail: format!(
                            "list {}: the copy for {} ({domain}): {detail}",
                            list.address,
                            group.join(", ")
                        ),
                        members: group,
                        reason,
                        action,
                    });
                    continue;
                }
                Err(o) => return o,
            };
            // The members' own certificates join the domain's, so that a member whose
            // domain passes the layer on can read it.
            let mut recipients = decision.recipients.clone();
            if decision.encrypt != Encrypt::None {
                for m in &group {
                    let own = domain::recipient_certificates(
                        m,
                        &self.config.certificates,
                        DomainEncryption::None,
                        self.usable(at),
                    )
                    .unwrap_or_default();
                    for (i, _) in own {
                        if let Some(c) = self.config.certificates.get(i) {
                            if !recipients.contains(c) {
                                recipients.push(c.clone());
                            }
                        }
                    }
                }
            }
            let members = domain_agent::DomainPolicy {
                encrypt: decision.encrypt != Encrypt::None,
                recipients,
                encrypt_options: EncryptOptions::default(),
            };
            let signature = self.list_domain_signature(message, &group, auth);
            match self.list_copy(list, message, signature, &members, None, at) {
                Ok((data, detail)) => {
                    let mut done = vec![format!("{before}{detail}")];
                    done.extend(decision.label);
                    if members.encrypt {
                        done.push(decision.encrypted_for);
                    }
                    copies.push(ListCopy {
                        detail: done.join("; "),
                        data,
                        members: group,
                    });
                }
                Err(o) => return o,
            }
        }
        if copies.is_empty() {
            let detail = refused
                .iter()
                .map(|r| r.detail.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            return match refused.first() {
                Some(r) => Outcome::Reject {
                    reason: r.reason,
                    detail,
                    action: r.action,
                },
                None => Outcome::Reject {
                    reason: Reason::MlRefused,
                    detail: format!("list {}: no member", list.address),
                    action: OnFailure::Refuse,
                },
            };
        }
        Outcome::Expanded { copies, refused }
    }

    /// One copy of a list's expansion (the core's `crate::domain_agent::expand`) for the
    /// members whose certificates `members` holds, with our domain signature under the list's
    /// when `signature` gives one (the second value: why not, for the audit); `missing` why
    /// a member had no certificate. The message and the audit detail, or the outcome of a
    /// failure.
    fn list_copy(
        &self,
        list: &MailList,
        message: &VerifiedMessage<'_>,
        signature: (
            Option<(&crate::smime::Signer, OriginatorAuthentication)>,
            Option<String>,
        ),
        members: &domain_agent::DomainPolicy,
        missing: Option<String>,
        at: OffsetDateTime,
    ) -> Result<(Vec<u8>, String), Outcome> {
        let refuse = |reason: Reason, e: &domain::Error| Outcome::Reject {
            reason,
            detail: format!("list {}: {e}", list.address),
            action: OnFailure::Refuse,
        };
        let (domain_signature, unsigned) = signature;
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
            members,
            at,
            &opts,
            &mut crate::rng::system_rng(),
        );
        let x = match expanded {
            Ok(x) => x,
            Err(e @ domain::Error::MlLoop(_)) => return Err(refuse(Reason::MlLoop, &e)),
            Err(e @ domain::Error::MlHistoryLimit(_)) => {
                return Err(refuse(Reason::MlHistoryLimit, &e))
            }
            Err(
                e @ (domain::Error::MlHistory(_)
                | domain::Error::MlRefused(_)
                | domain::Error::NotRecipient(_)),
            ) => return Err(refuse(Reason::MlRefused, &e)),
            Err(domain::Error::NoRecipientCertificate(m)) => {
                return Err(Outcome::Retry {
                    reason: Reason::NoMemberCertificate,
                    detail: format!("list {}: {}", list.address, missing.unwrap_or(m)),
                })
            }
            Err(e @ domain::Error::Smime(_)) => return Err(refuse(Reason::Unreadable, &e)),
            Err(e @ domain::Error::NotReady(_)) => {
                return Err(refuse(Reason::OriginatorUnverified, &e))
            }
            Err(e) => {
                return Err(Outcome::Retry {
                    reason: Reason::ProtectFailed,
                    detail: format!("list {}: {e}", list.address),
                })
            }
        };
        let signed = match (&mla.domain_signature, unsigned) {
            (Some(_), _) => "; domain-signed under the list's signature (§5)".to_string(),
            (None, Some(why)) => format!("; not domain-signed: {why}"),
            (None, None) => String::new(),
        };
        let detail = format!(
            "expanded by the list {} for {} members (mlExpansionHistory of {}{}){signed}",
            list.address,
            list.members.len(),
            x.history.0.len(),
            if x.reencrypted {
                "; re-encrypted for the members"
            } else if x.encrypted {
                "; encrypted for the members' domain"
            } else {
                ""
            }
        );
        Ok((x.message, detail))
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
        if cancel.is_cancelled() {
            return Outcome::over_budget("the label decision");
        }
        let rcpts: Vec<String> = tx.rcpts.iter().map(|r| r.address.clone()).collect();
        let OutboundDecision {
            label,
            encrypt: mode,
            recipients,
            encrypted_for,
        } = match self.outbound_decision(&domain, report, &rcpts, at) {
            Ok(d) => d,
            Err(o) => return o,
        };
        let mut done: Vec<String> = label.into_iter().collect();
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
        if cancel.is_cancelled() {
            return Outcome::over_budget("the domain signature");
        }
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
        }
    }

    /// The outbound decision for mail to `rcpts` of the remote `domain` (docs/domain.md,
    /// "Outbound", steps 3 and 4), the one the ordinary outbound path and each list copy for
    /// members of another domain take: the label policy with `domain` as the next hop
    /// (refused: `boundary-label-refused`, as the domain's `onFailure` says), then the
    /// encryption — the domain's `encrypt`, and our local policy in the words of §5 ("If
    /// local policy requires the message to be encrypted"): content that travelled encrypted,
    /// at any depth, never leaves the domain in clear, so it goes at least to the domain's
    /// DCA — with the certificates of [`Self::remote_certificates`] (none: `451`).
    fn outbound_decision(
        &self,
        domain: &str,
        report: &VerifyReport,
        rcpts: &[String],
        at: OffsetDateTime,
    ) -> Result<OutboundDecision, Outcome> {
        let pol = *self.policy(domain);
        let label = match &self.config.labels {
            Some(labels) => match policy::label_decision(labels, report, rcpts, Some(domain)) {
                Ok(text) => Some(text),
                Err(detail) => {
                    return Err(Outcome::Reject {
                        reason: Reason::LabelRefused,
                        detail,
                        action: pol.on_failure,
                    })
                }
            },
            None => None,
        };
        let encrypted = report
            .layers
            .iter()
            .any(|l| matches!(l, Layer::Enveloped | Layer::AuthEnveloped));
        let encrypt = match pol.encrypt {
            Encrypt::None if encrypted => Encrypt::Dca,
            m => m,
        };
        let (recipients, encrypted_for) = self.remote_certificates(encrypt, domain, at)?;
        Ok(OutboundDecision {
            label,
            encrypt,
            recipients,
            encrypted_for,
        })
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
                    .map(|f| crate::trust::subject_string(f.cert))
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
        // The header section within the header reader's limits (1 MiB, 10 000 fields) before
        // anything reads it whole: the verification below refuses a larger one anyway, and
        // read whole a section of one-line fields takes many times its size.
        if let Err(e) = crate::mime::HeaderSection::parse(data) {
            return Outcome::Reject {
                reason: Reason::Unreadable,
                detail: format!("header section: {e}"),
                action: self.config.file.default_remote.on_failure,
            };
        }
        let id = self.config.file.hostname.as_str();
        let data = results::strip_ours(data, id);
        if cancel.is_cancelled() {
            return Outcome::over_budget("decryption");
        }
        let (message, decrypted, gateway) = match self.open_inbound(&data) {
            Ok(o) => o,
            // What decrypted but has a header section beyond the header reader's limits.
            Err(e @ domain::Error::Smime(crate::smime::Error::Header(_))) => {
                return Outcome::Reject {
                    reason: Reason::Unreadable,
                    detail: e.to_string(),
                    action: self.config.file.default_remote.on_failure,
                };
            }
            Err(e) => {
                // Gateway draft §5.2: never relay what we failed to decrypt.
                return Outcome::Reject {
                    reason: Reason::DecryptFailed,
                    detail: e.to_string(),
                    action: self.config.file.default_remote.on_failure,
                };
            }
        };
        // Our DCA's (and gateway's) key opens a layer for the domain below a signed one too
        // (a list's signature over content encrypted for its members and their domain, §5),
        // so that every signature inside is checked before anything is stripped.
        let keys: Vec<_> = list
            .map(|l| &l.decryption)
            .into_iter()
            .chain(self.config.dca.as_ref())
            .chain(self.config.gateway.as_ref())
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
        if cancel.is_cancelled() {
            return Outcome::over_budget("the inbound policy");
        }
        // A layer for our DCA or gateway under signed layers (§4.2; a list's expansion
        // encrypted for our domain): verified, stripped, decrypted, delivered plain. A list
        // of ours expands what it receives by its own rules (§5) instead.
        if list.is_none() && !decrypted && gateway.is_none() {
            match self.open_below(&verified) {
                Ok(None) => {}
                Ok(Some((opened, gateway))) => {
                    return self.inbound_opened(tx, opened, gateway, &keys, at, cancel)
                }
                Err(o) => return o,
            }
        }
        let (r, detail) = match self.inbound_verdict(tx, &verified, decrypted, gateway) {
            Ok(v) => v,
            Err(o) => return o,
        };
        // A list expands the message as verified here (RFC 2634 §4.2, verified once); the
        // result header goes on what is re-injected.
        let Some(l) = list else {
            return Outcome::Forward {
                data: results::add(&message, id, &r),
                detail,
            };
        };
        match self.expand(
            l,
            &verified,
            OriginatorAuthentication::Signature,
            &detail,
            at,
        ) {
            Outcome::Expanded { copies, refused } => Outcome::Expanded {
                copies: copies
                    .into_iter()
                    .map(|c| ListCopy {
                        data: results::add(&c.data, id, &r),
                        ..c
                    })
                    .collect(),
                refused,
            },
            other => other,
        }
    }

    /// An inbound message signed above a layer for our DCA, else for our S/MIME gateway
    /// (the core's `crate::domain_agent::open_below_signatures`; msa-to-mda §4, §4.2, §5.1):
    /// the decrypted message with what was stripped, and our gateway's domain when the
    /// gateway's key opened it. `Ok(None)`: no such layer, the message goes on as it is.
    /// A signature that does not verify, or a layer that could not be read, is refused
    /// (`boundary-signature-invalid`: stripping the layer would deliver a message that looks
    /// verified); a layer for us that does not decrypt, `boundary-decrypt-failed`.
    fn open_below(
        &self,
        verified: &VerifiedMessage<'_>,
    ) -> Result<Option<(domain_agent::OpenedBelow, Option<String>)>, Outcome> {
        let report = verified.report();
        let from = report.from.first().map(String::as_str).unwrap_or_default();
        let on_failure = self
            .policy(&policy::domain_of(from).unwrap_or_default())
            .on_failure;
        let ours = self
            .config
            .dca
            .iter()
            .map(|k| (k, None))
            .chain(self.config.gateway.iter().map(|k| {
                let d = domain::gateway_domains(&k.1).into_iter().next();
                (k, Some(d.unwrap_or_default()))
            }));
        for (key, gateway) in ours {
            match domain_agent::open_below_signatures(verified, key) {
                Ok(BelowSignatures::NotForUs) => {}
                Ok(BelowSignatures::Opened(o)) => return Ok(Some((o, gateway))),
                Ok(BelowSignatures::Unverified(why)) => {
                    return Err(Outcome::Reject {
                        reason: Reason::SignatureInvalid,
                        detail: format!(
                            "a layer for our {} lies under signed layers and {why}: not decrypted, since removing the layers above it would hide the failure (§4.2, §5.1)",
                            if gateway.is_some() { "S/MIME gateway" } else { "DCA" }
                        ),
                        action: on_failure,
                    })
                }
                Err(e) => {
                    return Err(Outcome::Reject {
                        reason: Reason::DecryptFailed,
                        detail: e.to_string(),
                        action: on_failure,
                    })
                }
            }
        }
        Ok(None)
    }

    /// Deliver what [`Self::open_below`] opened: the decrypted message (marked when our
    /// gateway decrypted it, gateway §5.2) verified again — it is what the recipient reads —
    /// and held to the inbound policy, its result header saying that outer signature layers
    /// were verified and removed, the audit record naming their signers and history.
    fn inbound_opened(
        &self,
        tx: &Transaction,
        opened: domain_agent::OpenedBelow,
        gateway: Option<String>,
        keys: &[&(crate::keys::PrivateKey, x509_cert::Certificate)],
        at: OffsetDateTime,
        cancel: &Cancel,
    ) -> Outcome {
        let id = self.config.file.hostname.as_str();
        let message = match &gateway {
            Some(d) => domain::gateway::marked(&opened.message, d),
            None => opened.message,
        };
        let verified =
            match VerifiedMessage::verify(&message, &self.verify_context(at, keys, cancel)) {
                Ok(v) => v,
                Err(e) => {
                    return Outcome::Reject {
                        reason: Reason::Unreadable,
                        detail: e.to_string(),
                        action: self.config.file.default_remote.on_failure,
                    }
                }
            };
        let (mut r, detail) =
            match self.inbound_verdict(tx, &verified, gateway.is_none(), gateway.clone()) {
                Ok(v) => v,
                Err(o) => return o,
            };
        r.removed_layers = opened.stripped;
        let history = opened
            .history
            .map(|h| format!(", with an mlExpansionHistory of {}", h.0.len()))
            .unwrap_or_default();
        let detail = format!(
            "{} outer signedData layer(s) by {}{history} verified and removed (§4.2, §5.1); {detail}",
            opened.stripped,
            opened.signers.join(", ")
        );
        Outcome::Forward {
            data: results::add(&message, id, &r),
            detail,
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
            removed_layers: 0,
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
        } else if let Some(code) = report
            .problems
            .iter()
            .find_map(|p| DID_NOT_VERIFY.iter().find(|c| **c == p.code))
        {
            // RFC 7281 §3 "fail": a signature did not verify (its value, or the digest of the
            // content it signs, is wrong: altered in transit), as opposed to one that verified
            // but is not trusted or not bound to the originator ("neutral").
            r.result = SmimeResult::Fail;
            r.reason = code;
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
            all_or_nothing: true,
            ..OutEnvelope::from_transaction(tx, &tx.rcpts, None)
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
        let start = tokio::time::Instant::now();
        let deadline = start.checked_add(budget).unwrap_or(start);
        let cancel = Cancel::new();
        let flag = cancel.clone();
        // Read once from the spool, on the blocking pool (file I/O).
        let work = self.off_reactor(move |b| {
            if flag.is_cancelled() {
                // The budget passed while the message waited for its slot.
                return Ok((Outcome::over_budget("reading the spool"), Vec::new()));
            }
            data.read_with_headroom(0)
                .map(|data| (b.process(direction, &txc, &data, &flag), data))
        });
        // A decision that comes after the deadline is past the budget too, however late the
        // timer is seen (a busy machine may run the whole check before it): nothing has been
        // forwarded or quarantined yet.
        let decision = tokio::time::timeout_at(deadline, work).await.ok();
        let processed = match decided_in_time(decision, tokio::time::Instant::now(), deadline) {
            Some(r) => r.and_then(|r| r.map_err(|e| Error::Internal(format!("spool: {e}")))),
            None => {
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
            Ok((Outcome::Forward { data, detail }, original)) => {
                self.forward(direction, vec![(tx, data, detail)], original)
                    .await
            }
            Ok((Outcome::Expanded { copies, refused }, original)) => {
                self.forward_expansion(direction, tx, copies, refused, original)
                    .await
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

    /// Re-inject each copy in its own transaction, in order; 250 only once the MTA accepted
    /// every copy for every recipient. A failure stops there and is answered `451` (or `554`
    /// when the re-injection refused permanently): the MTA keeps the message; copies already
    /// accepted are audited, and are sent again when the MTA retries (a duplicate rather than
    /// a loss).
    async fn forward(
        self: &Arc<Self>,
        direction: Direction,
        copies: Vec<(Transaction, Vec<u8>, String)>,
        original: Vec<u8>,
    ) -> AgentReply {
        let total = copies.len();
        let mut id = None;
        for (done, (tx, data, detail)) in copies.into_iter().enumerate() {
            id.get_or_insert_with(|| tx.id.clone());
            match self.reinject(&tx, &data).await {
                Ok(reply) => {
                    let ev = match direction {
                        Direction::Outbound => AuditEvent::Relay,
                        Direction::Inbound => AuditEvent::Receive,
                    };
                    let detail = format!("{detail}; re-injected: {reply}");
                    self.audit_off_reactor(ev, tx, data, detail).await;
                }
                Err(e) => {
                    let (code, esc, mut text) = match &e {
                        ClientError::Rejected { reply, .. } if !reply.is_transient() => {
                            (554, [5, 0, 0], format!("Re-injection refused: {reply}"))
                        }
                        _ => (
                            451,
                            [4, 4, 1],
                            format!("Re-injection failed, try again later: {e}"),
                        ),
                    };
                    if done > 0 {
                        text = format!("{text} (after {done} of {total} copies were accepted)");
                    }
                    let ev = if code >= 500 {
                        AuditEvent::Refuse
                    } else {
                        AuditEvent::Fail
                    };
                    self.audit_off_reactor(ev, tx, original, text.clone()).await;
                    return AgentReply { code, esc, text };
                }
            }
        }
        AgentReply {
            code: 250,
            esc: [2, 0, 0],
            text: format!("Processed and queued as {}", id.unwrap_or_default()),
        }
    }

    /// A list's expansion ([`Outcome::Expanded`]): the refused member groups are audited and,
    /// as their domain's `onFailure` says, quarantined (each as `<id>-<n>`), then every copy
    /// is re-injected to its members ([`Self::forward`]).
    async fn forward_expansion(
        self: &Arc<Self>,
        direction: Direction,
        tx: Transaction,
        copies: Vec<ListCopy>,
        refused: Vec<RefusedCopy>,
        original: Vec<u8>,
    ) -> AgentReply {
        let with_members = |tx: &Transaction, id: String, members: Vec<String>| Transaction {
            id,
            rcpts: members
                .into_iter()
                .map(|address| Recipient {
                    address,
                    notify: Notify::default(),
                    orcpt: None,
                })
                .collect(),
            ..tx.clone()
        };
        let mut noted = Vec::new();
        for (n, r) in refused.into_iter().enumerate() {
            let txr = with_members(&tx, format!("{}-{}", tx.id, n + 1), r.members);
            let msg = original.clone();
            let set_aside = self
                .off_reactor(move |b| b.set_aside(&txr, &msg, r.reason, r.detail, r.action))
                .await
                .and_then(|r| r);
            match set_aside {
                Ok(_) => noted.push(r.reason.code()),
                Err(e) => {
                    return AgentReply {
                        code: 451,
                        esc: [4, 3, 0],
                        text: format!("Quarantine unavailable, try again later [{}]", e.code()),
                    }
                }
            }
        }
        let copies = copies
            .into_iter()
            .map(|c| {
                let t = with_members(&tx, tx.id.clone(), c.members);
                (t, c.data, c.detail)
            })
            .collect();
        let mut reply = self.forward(direction, copies, original).await;
        if reply.code == 250 && !noted.is_empty() {
            reply.text = format!(
                "{}; {} member group(s) refused by the policy [{}]",
                reply.text,
                noted.len(),
                noted.join("] [")
            );
        }
        reply
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
                b.set_aside(&txc, &original, reason, detail.clone(), action)
                    .map(|q| (q, detail))
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

    /// Audit a refusal, or quarantine the message and audit that, as `action` says: whether
    /// it was quarantined. A quarantine that cannot be written is audited as a failure.
    fn set_aside(
        &self,
        tx: &Transaction,
        original: &[u8],
        reason: Reason,
        detail: String,
        action: OnFailure,
    ) -> Result<bool, Error> {
        let record = format!("{}: {detail}", reason.code());
        match action {
            OnFailure::Refuse => {
                self.audit(AuditEvent::Refuse, tx, original, record);
                Ok(false)
            }
            OnFailure::Quarantine => match self.quarantine(tx, original, reason, &detail) {
                Ok(()) => {
                    self.audit(AuditEvent::Quarantine, tx, original, record);
                    Ok(true)
                }
                Err(e) => {
                    let why = format!("{record}; quarantine failed: {e}");
                    self.audit(AuditEvent::Fail, tx, original, why);
                    Err(e)
                }
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

/// A message's decision when it came within its budget: `None` when the timer fired first
/// (`decision` is `None`) or when the decision arrived (`decided_at`) after the deadline —
/// a busy runtime may poll a finished check before its timer (docs/server.md, "Message
/// budget").
fn decided_in_time<T>(
    decision: Option<T>,
    decided_at: tokio::time::Instant,
    deadline: tokio::time::Instant,
) -> Option<T> {
    decision.filter(|_| decided_at <= deadline)
}

#[cfg(test)]
mod tests {
    use super::decided_in_time;
    use tokio::time::{Duration, Instant};

    #[test]
    fn a_decision_after_the_deadline_is_over_the_budget() {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(30);
        assert_eq!(decided_in_time(Some(1), start, deadline), Some(1));
        assert_eq!(decided_in_time(Some(1), deadline, deadline), Some(1));
        // Finished, but seen after the deadline: the timer was late, the budget is not.
        let late = deadline + Duration::from_millis(1);
        assert_eq!(decided_in_time(Some(1), late, deadline), None);
        assert_eq!(decided_in_time(None::<u8>, start, deadline), None);
    }
}
