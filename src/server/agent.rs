//! The submission agent's message processing after DATA: priority determination (RFC 6710 /
//! RFC 6758), trace field, the release gate, local delivery, queueing for FUTURERELEASE and
//! relay, DSNs and audit records — each accepted message in **one SQLite transaction that
//! is committed before the 250 reply**.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Transaction as SqlTx;
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;

use super::audit::{self, AuditEvent, AuditRecord};
use super::config::Config;
use super::gate::{Gate, GateContext, GateDecision};
use super::labels;
use super::msginfo::{message_info, MessageInfo};
use super::pool::BlockingPool;
use super::smtp::client::{self, ClientError, OutEnvelope};
use super::smtp::dsn::{self, Action, DsnRecipient};
use super::smtp::spool::Spooled;
use super::smtp::{ByExpiry, DeliverBy, Notify, Recipient, Transaction};
use super::store::{folders, QueueItem, Store};
use super::{from_unix, rfc3339, Error};
use crate::cancel::Cancel;
use crate::domain::uri::MailUri;
use crate::fields::mt_priority::{stanag4406_level, MtPriority};
use crate::label_policy::LabelDecision;
use crate::mime::encode::{unstructured, Headers, Message, Part};
use crate::mime::entity;
use crate::mime::header::HeaderSection;
use crate::release::{AuditFacts, MessageIdentifiers};

/// A reply to the end of DATA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentReply {
    /// Code.
    pub code: u16,
    /// Enhanced status code.
    pub esc: [u8; 3],
    /// Text.
    pub text: String,
}

/// The agent shared by all SMTP sessions and the queue worker.
pub struct Agent {
    /// Configuration.
    pub config: Config,
    /// The store.
    pub store: Arc<Store>,
    /// The release gate.
    pub gate: Box<dyn Gate>,
    /// Next hop for non-local recipients (`--relay`).
    pub relay: Option<MailUri>,
    /// Password for AUTH PLAIN at the next hop, used with the URI's user name
    /// (`submit://user@host`; `mmhs serve` reads it from `MMHS_RELAY_PASSWORD`).
    pub relay_password: Option<String>,
    /// TLS towards the relay (from the relay URI's `tls` parameter); `None` = the URI's
    /// requirement with the system's trust anchors, decided at each attempt.
    pub relay_tls: Option<super::tls::RelayTls>,
    /// DKIM signing of relayed mail ([`super::dkim::DkimSigning`]).
    pub dkim_signing: Arc<super::dkim::DkimSigning>,
    /// DKIM verification on receipt ([`super::dkim::DkimVerifier`]).
    pub dkim_verifier: Arc<super::dkim::DkimVerifier>,
    /// Where messages being received spill beyond memory ([`super::smtp::spool`]);
    /// `mmhs serve` uses `<data>/spool`.
    pub spool_dir: std::path::PathBuf,
    /// Wakes the queue worker.
    pub wake: tokio::sync::Notify,
    /// The blocking pool's share for message work: the gate's verification and delivery
    /// commits ([`Agent::blocking`]; `blockingJobs` in config.json).
    message_pool: BlockingPool,
    /// The blocking pool's share for the webmail's SQLite calls and body parsing ([`Agent::interactive`];
    /// `interactiveJobs` in config.json).
    interactive_pool: BlockingPool,
    /// The blocking pool's share for password checks ([`Agent::password_check`];
    /// `passwordJobs` in config.json).
    password_pool: BlockingPool,
    counter: AtomicU64,
}

impl super::smtp::host::SessionHost for Agent {
    fn settings(&self) -> super::smtp::host::SessionSettings {
        super::smtp::host::SessionSettings {
            hostname: self.config.hostname.clone(),
            role: "mmhs submission agent",
            max_message_size: self.config.max_message_size,
            max_hold_seconds: self.config.max_hold_seconds,
            idle_timeout_seconds: self.config.idle_timeout_seconds,
            session_timeout_seconds: self.config.session_timeout_seconds,
        }
    }

    fn extensions(&self) -> super::smtp::host::Extensions {
        super::smtp::host::Extensions {
            auth: true,
            deliver_by: true,
            future_release: true,
        }
    }

    fn spool_dir(&self) -> &std::path::Path {
        &self.spool_dir
    }

    fn new_id(&self) -> String {
        Agent::new_id(self)
    }

    async fn authenticate(
        self: &Arc<Self>,
        user: String,
        password: String,
    ) -> Result<Result<String, super::config::AuthError>, Error> {
        // One password check for web and SMTP, under the account lockout
        // (crate::server::login_guard). The Argon2id hash runs on the password share of the
        // blocking pool, never on the async runtime.
        let me = self.clone();
        self.password_check(move || {
            Ok(me
                .config
                .authenticate_from(&user, &password, None)
                .map(|u| u.address.clone()))
        })
        .await
    }

    fn may_send_as(&self, user: Option<&str>, address: &str) -> bool {
        let Some(user) = user else {
            return true; // unauthenticated: like an MX, local delivery only (checked at RCPT)
        };
        if address.is_empty() || address.eq_ignore_ascii_case(user) {
            return true;
        }
        // A release officer re-submits released messages with the (local) originator's
        // reverse-path, so DSNs reach the originator.
        let cfg = &self.config;
        cfg.user(user).is_some_and(|u| u.officer) && cfg.user(address).is_some()
    }

    fn check_rcpt(
        &self,
        _tx: &Transaction,
        user: Option<&str>,
        address: &str,
    ) -> Result<(), super::smtp::host::Refusal> {
        use super::smtp::host::Refusal;
        let cfg = &self.config;
        if cfg.is_local_domain(address) {
            if cfg.user(address).is_none() {
                return Err(Refusal::new(550, [5, 1, 1], "No such user here"));
            }
        } else if self.relay.is_none() {
            return Err(Refusal::new(
                550,
                [5, 7, 1],
                "Relaying not configured: this server delivers only to its own users",
            ));
        } else if user.is_none() {
            return Err(Refusal::new(
                550,
                [5, 7, 1],
                "Relaying requires authentication",
            ));
        }
        Ok(())
    }

    async fn accept(self: &Arc<Self>, tx: Transaction, data: Spooled) -> AgentReply {
        Agent::accept(self, tx, data).await
    }
}

/// The profile's identifiers of the message of `tx` ([`crate::release::MessageIdentifiers`]:
/// MM Identification = Message-ID, Message Identification = ENVID, else our transaction id),
/// for the server's log and the profile's records alike.
pub(crate) fn transaction_identifiers(tx: &Transaction, info: &MessageInfo) -> MessageIdentifiers {
    MessageIdentifiers::new(
        info.message_id.as_deref(),
        tx.envid.as_deref(),
        Some(&tx.id),
    )
}

/// The profile attributes of every record about `tx`: the identifiers
/// ([`transaction_identifiers`]), Submission Timestamp and Priority.
fn base_facts(tx: &Transaction, info: &MessageInfo) -> AuditFacts {
    let ids = transaction_identifiers(tx, info);
    AuditFacts {
        mm_identification: ids.mm_identification,
        message_identification: ids.message_identification,
        submission_timestamp: Some(rfc3339(from_unix(tx.arrival))),
        priority: Some(tx.effective_priority()),
        ..AuditFacts::default()
    }
}

/// The end of the 250 reply to a message diverted to a Release queue (docs/server.md, "core
/// decision `releaseQueue`"): how a submitting client — the reference webmail among them —
/// learns that *this* message waits for an officer rather than going to its recipients.
pub const DIVERTED_FOR_RELEASE: &str = " for release authorisation";

/// Whether a successful reply of this agent to the message data says the message was
/// diverted to a Release queue ([`DIVERTED_FOR_RELEASE`]).
pub fn reply_diverted(code: u16, text: &str) -> bool {
    (200..300).contains(&code) && text.trim_end().ends_with(DIVERTED_FOR_RELEASE)
}

/// The server's audit record of `ev` for the transaction `tx` carrying a message with `info`:
/// time now, the profile's identifiers ([`transaction_identifiers`]), submission time,
/// priority, precedence, label, authorizing users, envelope.
pub(crate) fn transaction_record(
    ev: AuditEvent,
    tx: &Transaction,
    info: &MessageInfo,
) -> AuditRecord {
    let p = tx.effective_priority();
    let ids = transaction_identifiers(tx, info);
    AuditRecord {
        event: ev,
        time: rfc3339(now()),
        mm_identification: ids.mm_identification,
        message_identification: ids.message_identification.unwrap_or_else(|| tx.id.clone()),
        envid: tx.envid.clone(),
        submission_time: rfc3339(from_unix(tx.arrival)),
        priority: p,
        priority_level: stanag4406_level(p),
        precedence: info
            .primary_precedence
            .clone()
            .or_else(|| info.copy_precedence.clone()),
        security_label: info.sio_label.clone(),
        authorizing_users: info.authorizing_users.clone().unwrap_or_default(),
        submitter: tx.submitter.clone(),
        mail_from: tx.mail_from.clone(),
        recipients: tx.rcpts.iter().map(|r| r.address.clone()).collect(),
        detail: None,
        core_seq: None,
        core_hash: None,
    }
}

/// Queue items taken per round of the queue worker (each read with its message only when processed).
pub(crate) const QUEUE_BATCH: usize = 32;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn rfc2822(t: OffsetDateTime) -> String {
    t.format(&Rfc2822).unwrap_or_default()
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The JSON envelope kept with Release-queue items so the officer's client can re-submit it:
/// compose's [`Envelope`](crate::compose::Envelope) as the transaction received it
/// ([`Transaction::envelope`]: `BY` with its absolute deadline), with `submitter` and
/// `transactionId`.
pub(crate) fn envelope_json(tx: &Transaction) -> serde_json::Value {
    let mut v = serde_json::to_value(tx.envelope()).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("submitter".into(), serde_json::json!(tx.submitter));
        o.insert("transactionId".into(), serde_json::json!(tx.id));
    }
    v
}

impl Agent {
    /// New agent.
    pub fn new(
        config: Config,
        store: Arc<Store>,
        gate: Box<dyn Gate>,
        relay: Option<MailUri>,
    ) -> Agent {
        Agent {
            store,
            gate,
            relay_tls: None,
            dkim_signing: Arc::new(super::dkim::DkimSigning::empty()),
            dkim_verifier: Arc::new(super::dkim::DkimVerifier::new(&config.dkim)),
            relay,
            relay_password: None,
            spool_dir: std::env::temp_dir(),
            wake: tokio::sync::Notify::new(),
            message_pool: BlockingPool::new(config.blocking_jobs),
            interactive_pool: BlockingPool::new(config.interactive_jobs),
            password_pool: BlockingPool::new(config.password_jobs),
            counter: AtomicU64::new(0),
            config,
        }
    }

    /// Run message work — the gate's verification, delivery and queue commits
    /// (`synchronous=FULL` fsyncs) — on tokio's blocking pool, at most `blockingJobs` at a
    /// time ([`BlockingPool`]), so that the reactor keeps serving every other session and
    /// HTTP request meanwhile. A panic in `f` comes back as [`Error::Internal`].
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        self.message_pool.run(f).await
    }

    /// Run the webmail's SQLite calls and the parsing of its JSON bodies and HTML forms on tokio's blocking
    /// pool, at most `interactiveJobs` at a time. Its own share, apart from [`Agent::blocking`] and [`Agent::password_check`]:
    /// a burst of slow messages holding every message slot, or of password guesses, must not
    /// keep logged-in users from reading their mail.
    pub async fn interactive<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        self.interactive_pool.run(f).await
    }

    /// Run a password check (Argon2id, RFC 9106: web logins and SMTP AUTH) on tokio's
    /// blocking pool, at most `passwordJobs` at a time. Its own share: anyone who can reach
    /// the login form or the SMTP listener can ask for these checks (19 MiB and tens of
    /// milliseconds each), so a flood of guesses waits here, neither for the webmail's
    /// SQLite calls nor delaying accepted mail.
    pub async fn password_check<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        self.password_pool.run(f).await
    }

    /// A fresh transaction id.
    pub fn new_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "{:x}{:04x}{}",
            now().unix_timestamp(),
            n & 0xffff,
            random_hex(4)
        )
    }

    fn audit_base(&self, ev: AuditEvent, tx: &Transaction, info: &MessageInfo) -> AuditRecord {
        transaction_record(ev, tx, info)
    }

    fn audit(
        &self,
        sql: &SqlTx<'_>,
        ev: AuditEvent,
        tx: &Transaction,
        info: &MessageInfo,
        rcpts: Option<Vec<String>>,
        detail: Option<String>,
    ) -> Result<(), Error> {
        self.audit_full(sql, ev, tx, info, rcpts, detail, None, None)
    }

    /// Is this an officer's return-to-sender notice (`crate::release::rejection_notice`:
    /// `Diagnostic-Code: X-MMHS-Release; refused by <officer>: <reason>`) submitted by an
    /// authenticated release officer? Returns (officer, reason, the drafted Message-ID from
    /// `In-Reply-To`), for the audit trail's *reject* record.
    fn officer_rejection(
        &self,
        tx: &Transaction,
        msg: &[u8],
    ) -> Option<(String, String, Option<String>)> {
        let submitter = tx.submitter.as_deref()?;
        if !self.config.user(submitter).is_some_and(|u| u.officer) {
            return None;
        }
        const MARK: &[u8] = b"Diagnostic-Code: X-MMHS-Release; refused by ";
        let at = msg.windows(MARK.len()).position(|w| w == MARK)?;
        let rest = msg.get(at + MARK.len()..)?;
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(rest.len())
            .min(2000);
        let line = String::from_utf8_lossy(rest.get(..end)?).to_string();
        let (officer, reason) = line.split_once(": ").unwrap_or((line.as_str(), ""));
        let drafted = HeaderSection::parse(entity::split(msg).0)
            .ok()
            .and_then(|h| h.value("in-reply-to"))
            .and_then(|v| entity::first_msg_id(&v).map(|t| format!("<{t}>")));
        Some((
            officer.trim().to_string(),
            reason.trim().to_string(),
            drafted,
        ))
    }

    /// Write the server record and, for the events the profile audits, the profile record
    /// (crate::release::audit): the identifiers, Submission Timestamp and Priority
    /// ([`base_facts`]); Time of Transfer Out (MTA records); the officer(s) of a release; the
    /// reason of a reject; `about`, the drafted message's Message-ID an officer's notice
    /// answers, as MM Identification.
    #[allow(clippy::too_many_arguments)]
    fn audit_full(
        &self,
        sql: &SqlTx<'_>,
        ev: AuditEvent,
        tx: &Transaction,
        info: &MessageInfo,
        rcpts: Option<Vec<String>>,
        detail: Option<String>,
        officer: Option<String>,
        about: Option<String>,
    ) -> Result<(), Error> {
        let t = now();
        let mut r = self.audit_base(ev, tx, info);
        if let Some(rc) = rcpts {
            r.recipients = rc;
        }
        let base = base_facts(tx, info);
        let facts = AuditFacts {
            // A reject record of an officer's notice is about the drafted message.
            mm_identification: about.or(base.mm_identification.clone()),
            time_of_transfer_out: Some(rfc3339(t)),
            officer,
            reason: if ev == AuditEvent::Reject {
                detail.clone()
            } else {
                None
            },
            ..base
        };
        r.detail = detail;
        audit::append_with(sql, &r, Some(facts), t).map(|_| ())
    }

    /// A deferred delivery (draft-melnikov-mmhs-profile-09 §3.4.10: "it MUST be logged for
    /// audit and tracing purposes"): the server's record `ev` and the profile's `defer`
    /// record, with `deferredUntil` (when known) and the reason.
    fn audit_defer(
        &self,
        sql: &SqlTx<'_>,
        ev: AuditEvent,
        tx: &Transaction,
        info: &MessageInfo,
        until: Option<i64>,
        reason: String,
    ) -> Result<(), Error> {
        let mut r = self.audit_base(ev, tx, info);
        r.detail = Some(reason.clone());
        let facts = AuditFacts {
            deferred_until: until.map(|u| rfc3339(from_unix(u))),
            reason: Some(reason),
            ..base_facts(tx, info)
        };
        audit::append_with(sql, &r, Some(facts), now()).map(|_| ())
    }

    /// Process a received message (end of DATA / last BDAT): read it once from its spool,
    /// the gate's verification and the commit, on the blocking pool ([`Agent::blocking`]),
    /// within the message budget (`messageBudgetMillis`).
    ///
    /// The budget runs from now to the decision to commit, waiting for a slot included.
    /// Past it the client gets `451 4.7.0` (RFC 5321 §4.2.5: the message is not accepted and
    /// stays the client's to retry) and the worker, which may still be finishing its bounded
    /// verification, stores nothing: of the session's deadline and the worker's commit,
    /// whichever claims the message first wins (`Claim`). Abandoning sets the claim's
    /// cancellation flag ([`crate::cancel`]): the gate's verification stops at its next
    /// check point (`verification-cancelled`) and the worker frees its slot promptly
    /// ([`BlockingPool`]) instead of running to the core's work limits.
    pub async fn accept(self: &Arc<Self>, tx: Transaction, message: Spooled) -> AgentReply {
        let budget = Duration::from_millis(self.config.message_budget_millis.max(1));
        let start = tokio::time::Instant::now();
        let deadline = start.checked_add(budget).unwrap_or(start);
        let claim = Arc::new(Claim::default());
        let (me, c) = (self.clone(), claim.clone());
        let work = self.blocking(move || me.accept_inner(tx, message, &c, deadline));
        tokio::pin!(work);
        let result = match tokio::time::timeout_at(deadline, &mut work).await {
            Ok(r) => r,
            Err(_) if claim.abandon() => {
                return AgentReply {
                    code: 451,
                    esc: [4, 7, 0],
                    text: format!(
                        "Message not accepted: processing exceeded its time budget ({} ms), try again later",
                        budget.as_millis()
                    ),
                };
            }
            // The worker has begun its commit: a bounded write, wait for its outcome.
            Err(_) => work.await,
        };
        match result {
            Ok(r) => {
                self.wake.notify_one();
                r
            }
            Err(e) => {
                eprintln!("mmhs serve: message not accepted: {e}");
                AgentReply {
                    code: 451,
                    esc: [4, 3, 0],
                    text: format!("Local error, message not accepted [{}]", e.code()),
                }
            }
        }
    }

    /// The trace field (RFC 5321 §4.4) with the RFC 6710 §6 PRIORITY clause; the protocol
    /// names of RFC 3848 (`S`: over TLS, `A`: authenticated).
    fn received_field(&self, tx: &Transaction, priority: i8, t: OffsetDateTime) -> String {
        let with = match (tx.tls, tx.submitter.is_some()) {
            (true, true) => "ESMTPSA",
            (true, false) => "ESMTPS",
            (false, true) => "ESMTPA",
            (false, false) => "ESMTP",
        };
        format!(
            "Received: from {} by {} with {with} id {}\r\n\tPRIORITY {priority}; {}\r\n",
            sanitize(&tx.helo),
            self.config.hostname,
            tx.id,
            rfc2822(t)
        )
    }

    /// The `Authentication-Results` field of DKIM verification (profile §4.1.2: "On
    /// reception the MMHS MUST support verification of S/MIME and DKIM digital
    /// signatures"), when `dkim.verify` is on.
    fn dkim_results(&self, msg: &[u8], deadline: tokio::time::Instant) -> Option<String> {
        if !self.config.dkim.verify {
            return None;
        }
        let verdicts = self.dkim_verifier.verify_blocking(msg, Some(deadline));
        let infos: Vec<_> = verdicts.iter().map(|v| v.resinfo()).collect();
        Some(super::boundary::results::resinfo_field(
            &self.config.hostname,
            &infos,
        ))
    }

    /// The worker's part of [`Agent::accept`]: every step between the end of DATA and the
    /// commit runs under the message budget. The claim's cancellation flag is looked at
    /// before each step (the spool read, DKIM, the gate) and inside the gate's verification
    /// ([`crate::cancel`]); DKIM's key lookups end at `deadline`.
    fn accept_inner(
        &self,
        mut tx: Transaction,
        message: Spooled,
        claim: &Claim,
        deadline: tokio::time::Instant,
    ) -> Result<AgentReply, Error> {
        if claim.cancel.is_cancelled() {
            // The budget passed while the message waited for its slot.
            return Ok(Claim::abandoned_reply());
        }
        let t = now();
        // Read once, into one buffer with room for the trace field in front (the longest
        // priority, -9, gives the longest field).
        let room = self.received_field(&tx, -9, t).len();
        let mut msg = message
            .read_with_headroom(room)
            .map_err(|e| Error::Io(format!("reading the spooled message: {e}")))?;
        let info = message_info(&msg);
        // RFC 6758 §3: no MAIL parameter but exactly one valid MT-Priority field ⇒ use it,
        // subject to the trust rules (raised priority only from authenticated submitters).
        if tx.priority.is_none() && info.mt_priority_fields.len() == 1 {
            let v = info
                .mt_priority_fields
                .first()
                .and_then(|v| v.parse::<MtPriority>().ok())
                .map(MtPriority::value);
            if let Some(p) = v {
                if p <= 0 || tx.submitter.is_some() {
                    tx.priority = Some(p);
                }
            }
        }
        let received = self.received_field(&tx, tx.effective_priority(), t);
        // RFC 8601 §5: an Authentication-Results field claiming our authserv-id that we did
        // not add is removed on entry; ours (DKIM, RFC 6376, profile §4.2.4) goes on top.
        if claim.cancel.is_cancelled() {
            return Ok(Claim::abandoned_reply());
        }
        let auth_results = self.dkim_results(&msg, deadline);
        if claim.cancel.is_cancelled() {
            return Ok(Claim::abandoned_reply());
        }
        if super::boundary::results::claims_ours(&msg, &self.config.hostname) {
            msg = super::boundary::results::strip_ours(&msg, &self.config.hostname);
        }
        let mut trace = auth_results.unwrap_or_default();
        trace.push_str(&received);
        prepend(&mut msg, trace.as_bytes());

        let rcpt_addrs: Vec<String> = tx.rcpts.iter().map(|r| r.address.clone()).collect();
        let decision = self.gate.decide(
            &msg,
            &GateContext {
                submitter: tx.submitter.as_deref(),
                mail_from: &tx.mail_from,
                rcpts: &rcpt_addrs,
                info: &info,
                config: &self.config,
                cancel: Some(&claim.cancel),
            },
        );
        if !claim.commit() {
            // The client was answered 451 and keeps the message: nothing is recorded.
            return Ok(Claim::abandoned_reply());
        }
        let now_s = t.unix_timestamp();
        match decision {
            GateDecision::Refuse { code, reason } => {
                self.store.transaction(|sql| {
                    self.audit(
                        sql,
                        AuditEvent::Reject,
                        &tx,
                        &info,
                        None,
                        Some(format!("{code}: {reason}")),
                    )
                })?;
                Ok(AgentReply {
                    code: 550,
                    esc: [5, 7, 1],
                    text: format!("Refused by the release gate: {reason} [{code}]"),
                })
            }
            GateDecision::Divert { officers, reason } => {
                let mut env = envelope_json(&tx);
                if let Some(o) = env.as_object_mut() {
                    o.insert(
                        "divertReason".into(),
                        serde_json::Value::String(reason.clone()),
                    );
                    // The absolute DELIVERBY deadline (RFC 2852 §4: arrival + by-time), shown
                    // in the Release queue.
                    if let Some(by) = tx.by {
                        o.insert(
                            "byDeadline".into(),
                            serde_json::Value::String(rfc3339(from_unix(by.deadline))),
                        );
                    }
                }
                self.store.transaction(|sql| {
                    self.audit(sql, AuditEvent::Submit, &tx, &info, None, None)?;
                    for o in &officers {
                        Store::insert_message(sql, o, folders::RELEASE, &msg, Some(&env), now_s)?;
                    }
                    self.audit_defer(
                        sql,
                        AuditEvent::Divert,
                        &tx,
                        &info,
                        None,
                        format!("release queue of {}: {reason}", officers.join(", ")),
                    )?;
                    let delayed: Vec<DsnRecipient> = tx
                        .rcpts
                        .iter()
                        .filter(|r| r.notify.wants_delay())
                        .map(|r| {
                            dsn_rcpt(
                                r,
                                Action::Delayed,
                                "4.7.0",
                                Some("held for release by an authorizing officer"),
                            )
                        })
                        .collect();
                    self.emit_dsn(sql, &tx, &info, &msg, delayed, false)?;
                    Ok(())
                })?;
                Ok(AgentReply {
                    code: 250,
                    esc: [2, 0, 0],
                    text: format!("Queued as {}{DIVERTED_FOR_RELEASE}", tx.id),
                })
            }
            GateDecision::Transfer { authorized } => {
                self.transfer(tx, &info, &msg, authorized, None, now_s)
            }
            GateDecision::TransferLabelled {
                authorized,
                label,
                add_fields,
            } => {
                prepend(&mut msg, add_fields.as_bytes());
                self.transfer(tx, &info, &msg, authorized, Some(&label), now_s)
            }
        }
    }

    /// Transfer an accepted message: local delivery, the queue for held and remote
    /// recipients. Under a label decision, its refused recipients are taken out, get a failure
    /// DSN (5.7.1, the reason) and a reject record; the decision itself is audited.
    fn transfer(
        &self,
        mut tx: Transaction,
        info: &MessageInfo,
        msg: &[u8],
        authorized: Vec<String>,
        label: Option<&LabelDecision>,
        now_s: i64,
    ) -> Result<AgentReply, Error> {
        let mut refused: Vec<(Recipient, String)> = Vec::new();
        if let Some(l) = label {
            let (keep, out): (Vec<Recipient>, Vec<Recipient>) =
                tx.rcpts.drain(..).partition(|r| l.allows(&r.address));
            tx.rcpts = keep;
            for r in out {
                let why = l
                    .recipients
                    .iter()
                    .find(|d| d.address.eq_ignore_ascii_case(&r.address))
                    .map(|d| {
                        format!(
                            "{} [{}]",
                            d.reason,
                            d.code
                                .as_deref()
                                .unwrap_or(crate::label_policy::codes::LABEL_NOT_CLEARED)
                        )
                    })
                    .unwrap_or_else(|| "not cleared for the message's security label".into());
                refused.push((r, why));
            }
        }
        let rejection = self.officer_rejection(&tx, msg);
        let held = tx.hold_until.is_some_and(|h| h > now_s);
        let (local, remote) = self.local_and_remote(&tx.rcpts);
        self.store.transaction(|sql| {
            self.audit(sql, AuditEvent::Submit, &tx, info, None, None)?;
            if let Some(l) = label {
                self.audit(
                    sql,
                    AuditEvent::Label,
                    &tx,
                    info,
                    None,
                    Some(labels::audit_text(l)),
                )?;
            }
            if !refused.is_empty() {
                self.refuse_after_acceptance(sql, &tx, info, msg, &refused)?;
            }
            if !authorized.is_empty() {
                self.audit_full(
                    sql,
                    AuditEvent::Release,
                    &tx,
                    info,
                    None,
                    Some(format!("authorisation verified: {}", authorized.join(", "))),
                    Some(authorized.join(", ")),
                    None,
                )?;
            }
            if let Some((officer, reason, drafted)) = &rejection {
                self.audit_full(
                    sql,
                    AuditEvent::Reject,
                    &tx,
                    info,
                    None,
                    Some(format!("release refused by {officer}: {reason}")),
                    Some(officer.clone()),
                    drafted.clone(),
                )?;
            }
            let mut queued = remote.clone();
            if held {
                self.audit_defer(
                    sql,
                    AuditEvent::Defer,
                    &tx,
                    info,
                    tx.hold_until,
                    "held for future release (RFC 4865 FUTURERELEASE)".into(),
                )?;
                queued.extend(local.iter().cloned());
            } else {
                self.deliver_local(sql, &tx, info, msg, &local)?;
            }
            if !queued.is_empty() {
                let mut q = tx.clone();
                q.rcpts = queued;
                let json = serde_json::to_string(&q).map_err(|e| Error::Io(e.to_string()))?;
                Store::enqueue(
                    sql,
                    msg,
                    &json,
                    tx.hold_until.unwrap_or(now_s),
                    q.queue_priority(),
                )?;
            }
            Ok(())
        })?;
        Ok(AgentReply {
            code: 250,
            esc: [2, 0, 0],
            text: match (held, refused.len()) {
                (true, 0) => format!("Queued as {}; held for future release", tx.id),
                (false, 0) => format!("Queued as {}", tx.id),
                (h, n) => format!(
                    "Queued as {}{}; {n} recipient(s) refused by the security policy (failure DSN follows)",
                    tx.id,
                    if h { ", held for future release" } else { "" }
                ),
            },
        })
    }

    /// Recipients the security policy refuses after the message was accepted for others: a
    /// reject record naming them and a failure DSN (RFC 3461; status 5.7.1) with each reason.
    fn refuse_after_acceptance(
        &self,
        sql: &SqlTx<'_>,
        tx: &Transaction,
        info: &MessageInfo,
        msg: &[u8],
        refused: &[(Recipient, String)],
    ) -> Result<(), Error> {
        self.audit(
            sql,
            AuditEvent::Reject,
            tx,
            info,
            Some(refused.iter().map(|(r, _)| r.address.clone()).collect()),
            Some(
                refused
                    .iter()
                    .map(|(r, why)| format!("<{}> {why}", r.address))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        )?;
        let failed: Vec<DsnRecipient> = refused
            .iter()
            .filter(|(r, _)| r.notify.wants_failure())
            .map(|(r, why)| dsn_rcpt(r, Action::Failed, "5.7.1", Some(why)))
            .collect();
        self.emit_dsn(sql, tx, info, msg, failed, true)
    }

    /// Deliver to local mailboxes, with success DSNs and audit.
    fn deliver_local(
        &self,
        sql: &SqlTx<'_>,
        tx: &Transaction,
        info: &MessageInfo,
        msg: &[u8],
        rcpts: &[Recipient],
    ) -> Result<(), Error> {
        if rcpts.is_empty() {
            return Ok(());
        }
        let now_s = now().unix_timestamp();
        for r in rcpts {
            Store::insert_message(sql, &r.address, folders::INBOX, msg, None, now_s)?;
        }
        self.audit(
            sql,
            AuditEvent::Deliver,
            tx,
            info,
            Some(rcpts.iter().map(|r| r.address.clone()).collect()),
            Some(format!("delivered at {}", rfc3339(now()))),
        )?;
        let ok: Vec<DsnRecipient> = rcpts
            .iter()
            .filter(|r| r.notify.wants_success())
            .map(|r| dsn_rcpt(r, Action::Delivered, "2.0.0", None))
            .collect();
        self.emit_dsn(sql, tx, info, msg, ok, false)
    }

    /// Generate a DSN to the reverse-path (never to the null path, RFC 3461 §5.2).
    fn emit_dsn(
        &self,
        sql: &SqlTx<'_>,
        tx: &Transaction,
        info: &MessageInfo,
        original: &[u8],
        rcpts: Vec<DsnRecipient>,
        failure: bool,
    ) -> Result<(), Error> {
        if rcpts.is_empty() || tx.mail_from.is_empty() {
            return Ok(());
        }
        // No backscatter (RFC 5321 §6.2: "attack" messages): the reverse-path of an
        // unauthenticated session is unverified, so its DSNs go only to a local mailbox, and
        // never carry the content back (RET=FULL, RFC 3461 §4.3, is honoured for
        // authenticated submitters only).
        let local = self.config.user(&tx.mail_from).is_some();
        let verified = tx.submitter.is_some();
        let not_sent = |why: &str| {
            self.audit(
                sql,
                AuditEvent::Dsn,
                tx,
                info,
                None,
                Some(format!("DSN to {} not sent: {why}", tx.mail_from)),
            )
        };
        if !verified && !local {
            return not_sent("unauthenticated submission, reverse-path not local");
        }
        let t = now();
        let mid = format!("dsn-{}@{}", self.new_id(), self.config.hostname);
        let boundary = format!("=_dsn_{}", random_hex(12));
        let arrival = rfc2822(from_unix(tx.arrival));
        let date = rfc2822(t);
        let built = dsn::build(&dsn::DsnRequest {
            reporting_mta: &self.config.hostname,
            to: &tx.mail_from,
            envid: tx.envid.as_deref(),
            arrival_date: &arrival,
            date: &date,
            message_id: &mid,
            boundary: &boundary,
            priority: tx.effective_priority(),
            recipients: &rcpts,
            return_full: failure && verified && tx.ret_full == Some(true),
            original,
        });
        let Ok(bytes) = built else {
            return not_sent("a header line would exceed 998 octets");
        };
        let detail = format!(
            "DSN {} to {} for {}",
            rcpts
                .iter()
                .map(|r| format!("{:?}", r.action).to_lowercase())
                .collect::<Vec<_>>()
                .join(","),
            tx.mail_from,
            rcpts
                .iter()
                .map(|r| r.final_recipient.clone())
                .collect::<Vec<_>>()
                .join(",")
        );
        if local {
            Store::insert_message(
                sql,
                &tx.mail_from,
                folders::INBOX,
                &bytes,
                None,
                t.unix_timestamp(),
            )?;
        } else if self.relay.is_some() {
            let q = Transaction {
                id: self.new_id(),
                helo: self.config.hostname.clone(),
                submitter: None,
                tls: false,
                mail_from: String::new(),
                envid: None,
                ret_full: None,
                priority: tx.priority,
                body_8bit: false,
                by: None,
                hold_until: None,
                hold_for: None,
                rcpts: vec![Recipient {
                    address: tx.mail_from.clone(),
                    notify: Notify {
                        never: true,
                        explicit: true,
                        ..Notify::default()
                    },
                    orcpt: None,
                }],
                arrival: t.unix_timestamp(),
            };
            let json = serde_json::to_string(&q).map_err(|e| Error::Io(e.to_string()))?;
            Store::enqueue(sql, &bytes, &json, t.unix_timestamp(), q.queue_priority())?;
        } else {
            return self.audit(
                sql,
                AuditEvent::Dsn,
                tx,
                info,
                None,
                Some(format!(
                    "{detail}: no route to the reverse-path, DSN dropped"
                )),
            );
        }
        self.audit(sql, AuditEvent::Dsn, tx, info, None, Some(detail))
    }

    /// Process due queue items once (held messages whose time has come, relaying), at most
    /// [`QUEUE_BATCH`] per round, in the store's delivery order ([`Store::due_ids`]: highest
    /// MT-PRIORITY, then oldest; RFC 6710, draft-melnikov-mmhs-profile-09 §6.1 item 5).
    ///
    /// The order is read again before each item, so a FLASH message accepted while ROUTINE
    /// items are being relayed is the next one out, not the next round's; each read is
    /// bounded by the round's size, and an item is attempted at most once per round.
    ///
    /// Each item is processed in its own task and its own SQLite transaction: an error or a
    /// panic while processing one item dead-letters that item (kept in the store's
    /// `dead_letter` table, audited, failure DSN when one is due) and the others go on, so one
    /// bad item never stops delivery of the rest (RFC 5321 §6.1: accepted mail is delivered
    /// or reported, never silently dropped).
    pub async fn run_queue_once(self: &Arc<Self>) -> Result<usize, Error> {
        let me = self.clone();
        if let Err(e) = self
            .blocking(move || me.run_release_deadlines_once(now()))
            .await
        {
            eprintln!("mmhs serve: release-queue deadlines: {e}");
        }
        let mut done: Vec<i64> = Vec::with_capacity(QUEUE_BATCH);
        while done.len() < QUEUE_BATCH {
            let now_s = now().unix_timestamp();
            let store = self.store.clone();
            // Items of this round still due come first at most `done.len()` times.
            let want = done.len() + 1;
            let ids = self.blocking(move || store.due_ids(now_s, want)).await?;
            let Some(id) = ids.into_iter().find(|i| !done.contains(i)) else {
                break;
            };
            done.push(id);
            let me = self.clone();
            let failure = match tokio::spawn(me.load_and_process(id, now_s)).await {
                Ok(Ok(())) => continue,
                Ok(Err(e)) => format!("{e} [{}]", e.code()),
                Err(j) if j.is_panic() => "internal error while processing the item".to_string(),
                Err(j) => j.to_string(),
            };
            eprintln!("mmhs serve: queue item {id}: {failure}; moved to the dead-letter table");
            let me = self.clone();
            if let Err(e) = self.blocking(move || me.dead_letter(id, &failure)).await {
                eprintln!("mmhs serve: queue item {id}: dead-lettering failed: {e}");
            }
        }
        Ok(done.len())
    }

    /// Read one queue item (its bytes only now: one queued message in memory at a time) and
    /// process it.
    async fn load_and_process(self: Arc<Self>, id: i64, now_s: i64) -> Result<(), Error> {
        let store = self.store.clone();
        match self.blocking(move || store.queue_item(id)).await? {
            Some(item) => self.process_item(item, now_s).await,
            None => Ok(()),
        }
    }

    /// One queue item: the BY check, the relay attempt, then the commit of its outcome.
    async fn process_item(self: Arc<Self>, mut item: QueueItem, now_s: i64) -> Result<(), Error> {
        let tx = serde_json::from_str::<Transaction>(&item.transaction)
            .map_err(|e| Error::Internal(format!("unreadable queued transaction: {e}")))?;
        // RFC 2852 §4: R mode past its deadline ⇒ fail (5.4.7), N mode ⇒ notify once and go on.
        match tx.by.map(|by| by.past_deadline(now_s)) {
            Some(Some(ByExpiry::Return)) => {
                let me = self.clone();
                return self.blocking(move || me.expire_item(&item, &tx)).await;
            }
            Some(Some(ByExpiry::Notify)) if !item.by_notified => {
                let (me, it, t) = (self.clone(), item.clone(), tx.clone());
                self.blocking(move || me.notify_late_item(&it, &t)).await?;
                item.by_notified = true;
            }
            _ => {}
        }
        let remote: Vec<Recipient> = tx
            .rcpts
            .iter()
            .filter(|r| !self.config.is_local_domain(&r.address))
            .cloned()
            .collect();
        let relay_result = if remote.is_empty() {
            None
        } else {
            // Shared with the DKIM signing job for the attempt, then taken back (no copy).
            let raw = Arc::new(std::mem::take(&mut item.raw));
            let r = self.relay_out(&tx, &remote, raw.clone()).await;
            item.raw = Arc::try_unwrap(raw).unwrap_or_else(|shared| shared.to_vec());
            if let Err(e) = &r {
                // Why the attempt failed (it is retried, or given up with a DSN).
                eprintln!("mmhs serve: relay of {}: {e} [{}]", tx.id, e.code());
            }
            Some(r)
        };
        let me = self.clone();
        self.blocking(move || me.settle_item(&item, &tx, relay_result, now_s))
            .await
    }

    /// Give up on `rcpts` of `tx`: a failure record in the audit trail, and a failure DSN
    /// (RFC 3464 §2.3, action `failed`) for those that asked for one (RFC 3461 NOTIFY).
    fn give_up(
        &self,
        sql: &SqlTx<'_>,
        tx: &Transaction,
        info: &MessageInfo,
        raw: &[u8],
        rcpts: &[Recipient],
        why: &GiveUp<'_>,
    ) -> Result<(), Error> {
        let failed: Vec<DsnRecipient> = rcpts
            .iter()
            .filter(|r| r.notify.wants_failure())
            .map(|r| dsn_rcpt(r, Action::Failed, why.status, Some(why.diagnostic)))
            .collect();
        self.audit(
            sql,
            AuditEvent::Fail,
            tx,
            info,
            None,
            Some(why.reason.into()),
        )?;
        self.emit_dsn(sql, tx, info, raw, failed, true)
    }

    /// A queued item whose R-mode BY deadline has passed: failure DSN, dequeue.
    fn expire_item(&self, item: &QueueItem, tx: &Transaction) -> Result<(), Error> {
        let info = message_info(&item.raw);
        self.store.transaction(|sql| {
            self.return_late(sql, tx, &info, &item.raw, "", "BY deadline expired")?;
            Store::dequeue(sql, item.id)
        })
    }

    /// RFC 2852 §4, R mode past its deadline: the message is returned — a failure DSN
    /// (5.4.7, the by-time and deadline in the diagnostic, `context` appended) for the
    /// recipients that asked for one, and a *fail* audit record with `reason`.
    fn return_late(
        &self,
        sql: &SqlTx<'_>,
        tx: &Transaction,
        info: &MessageInfo,
        raw: &[u8],
        context: &str,
        reason: &str,
    ) -> Result<(), Error> {
        let diagnostic = tx
            .by
            .map(|by| format!("{}{context}", by_diagnostic(&by)))
            .unwrap_or_else(|| format!("delivery time (BY) expired{context}"));
        self.give_up(
            sql,
            tx,
            info,
            raw,
            &tx.rcpts,
            &GiveUp {
                status: "5.4.7",
                diagnostic: &diagnostic,
                reason,
            },
        )
    }

    /// A queued item whose N-mode BY deadline has passed (RFC 2852 §4): a delay DSN
    /// (RFC 3464, action `delayed`, status 4.4.7, the by-time in the diagnostic) to the
    /// envelope sender for every recipient still pending — the N by-mode is itself the
    /// request for this notice, so only NOTIFY=NEVER (RFC 3461 §4.1) suppresses it — a
    /// deferred-delivery audit record, and the item marked so that this happens once.
    /// Delivery attempts go on.
    fn notify_late_item(&self, item: &QueueItem, tx: &Transaction) -> Result<(), Error> {
        let Some(by) = tx.by else {
            return Ok(());
        };
        let info = message_info(&item.raw);
        let diagnostic = by_diagnostic(&by);
        let delayed = late_notices(tx, &diagnostic);
        self.store.transaction(|sql| {
            self.audit_defer(
                sql,
                AuditEvent::Defer,
                tx,
                &info,
                None,
                format!("{diagnostic} (N mode: sender notified)"),
            )?;
            self.emit_dsn(sql, tx, &info, &item.raw, delayed, false)?;
            Store::mark_by_notified(sql, item.id)
        })
    }

    /// Act on Release-queue drafts whose DELIVERBY deadline passed while they waited for an
    /// officer (RFC 2852 §4, draft-melnikov-mmhs-profile-09 §3.4.24), at most
    /// [`QUEUE_BATCH`] drafts per call:
    /// - R mode: the draft is returned — a failure DSN (5.4.7, the by-time in the
    ///   diagnostic) to the drafter (the envelope sender) and every officer's copy leaves
    ///   the queue;
    /// - N mode: a delay DSN (4.4.7) to the drafter and a notice to each officer holding a
    ///   copy; the draft stays, marked so that this happens once.
    ///
    /// Each is audited (`fail` for a return, `defer` for a notice).
    pub fn run_release_deadlines_once(&self, now: OffsetDateTime) -> Result<usize, Error> {
        let late = self
            .store
            .release_items_past_deadline(&rfc3339(now), QUEUE_BATCH)?;
        let mut done: Vec<String> = Vec::new();
        for item in late {
            let Some(tx) = held_transaction(&item.envelope, item.received_at) else {
                // An envelope we cannot read back (no sender, no BY): nobody to notify. Mark
                // it so the sweep does not come back to it every round; the officer still
                // sees the draft and its deadline.
                eprintln!(
                    "mmhs serve: release-queue item {} of {}: unreadable envelope, deadline not acted on",
                    item.id, item.owner
                );
                self.store
                    .transaction(|sql| Store::mark_release_item_notified(sql, item.id))?;
                continue;
            };
            if done.contains(&tx.id) {
                continue;
            }
            done.push(tx.id.clone());
            self.release_deadline(&item, &tx, now)?;
        }
        Ok(done.len())
    }

    /// One Release-queue draft past its deadline ([`Agent::run_release_deadlines_once`]).
    fn release_deadline(
        &self,
        item: &super::store::LateReleaseItem,
        tx: &Transaction,
        now: OffsetDateTime,
    ) -> Result<(), Error> {
        let Some(by) = tx.by else {
            return Ok(());
        };
        let info = message_info(&item.raw);
        let diagnostic = by_diagnostic(&by);
        self.store.transaction(|sql| {
            let officers = Store::release_copies(sql, &tx.id)?;
            if by.return_mode {
                self.return_late(
                    sql,
                    tx,
                    &info,
                    &item.raw,
                    " while waiting for release",
                    &format!(
                        "BY deadline expired in the release queue of {}: returned to the drafter",
                        officers.join(", ")
                    ),
                )?;
                Store::remove_release_copies(sql, &tx.id)?;
                return Ok(());
            }
            let delayed = late_notices(
                tx,
                &format!("{diagnostic}; still waiting for release"),
            );
            self.emit_dsn(sql, tx, &info, &item.raw, delayed, false)?;
            let notice = self.officer_deadline_notice(&item.raw, &by, &officers, now)?;
            for o in &officers {
                Store::insert_message(sql, o, folders::INBOX, &notice, None, now.unix_timestamp())?;
            }
            self.audit_defer(
                sql,
                AuditEvent::Defer,
                tx,
                &info,
                None,
                format!(
                    "{diagnostic} in the release queue of {} (N mode: drafter and officers notified)",
                    officers.join(", ")
                ),
            )?;
            Store::mark_release_notified(sql, &tx.id)
        })
    }

    /// The notice to the officers holding a draft whose N-mode deadline passed, built with
    /// the [`Part`] tree (subject as RFC 2047 `unstructured` text, body CRLF text).
    fn officer_deadline_notice(
        &self,
        draft: &[u8],
        by: &DeliverBy,
        officers: &[String],
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, Error> {
        let head = HeaderSection::parse(entity::split(draft).0).ok();
        // Display text from the draft: no control characters (no header injection), bounded.
        let subject: String = head
            .as_ref()
            .and_then(|h| h.get("subject"))
            .map(|f| {
                f.display_value()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect()
            })
            .unwrap_or_else(|| "(no subject)".to_string());
        let msgid = head
            .as_ref()
            .and_then(|h| h.value("message-id"))
            .and_then(|v| entity::first_msg_id(&v).map(sanitize))
            .filter(|m| !m.is_empty())
            .map(|m| format!("<{m}>"));
        let host = &self.config.hostname;
        let mut headers = Headers::new();
        headers.push(
            "From",
            format!("Mail Delivery System <MAILER-DAEMON@{host}>"),
        );
        headers.push(
            "To",
            officers
                .iter()
                .map(|o| format!("<{}>", sanitize(o)))
                .collect::<Vec<_>>()
                .join(", "),
        );
        headers.push(
            "Subject",
            unstructured(&format!("Release deadline passed: {subject}")),
        );
        headers.push("Date", rfc2822(now));
        headers.push("Message-ID", format!("<deadline-{}@{host}>", self.new_id()));
        headers.push("Auto-Submitted", "auto-generated");
        if let Some(id) = &msgid {
            headers.push("References", id.as_str());
        }
        let text = format!(
            "The draft \"{subject}\"{} in your release queue was to be delivered by {} (DELIVERBY {};N, RFC 2852).\r\nThat time has passed. The drafter has been notified; the draft stays in the queue.\r\n",
            msgid.map(|i| format!(" {i}")).unwrap_or_default(),
            rfc3339(from_unix(by.deadline)),
            by.by_time,
        );
        Message {
            headers,
            body: Part::text("plain", &text, Headers::new()),
        }
        .to_bytes()
        .map_err(|_| Error::Internal("deadline notice: a header line exceeds 998 octets".into()))
    }

    /// `rcpts` split into those in our local domains (delivered here) and the rest (relayed).
    fn local_and_remote(&self, rcpts: &[Recipient]) -> (Vec<Recipient>, Vec<Recipient>) {
        rcpts
            .iter()
            .cloned()
            .partition(|r| self.config.is_local_domain(&r.address))
    }

    /// Commit the outcome of one item: local delivery, relay result, retry or give up.
    fn settle_item(
        &self,
        item: &QueueItem,
        tx: &Transaction,
        relay_result: Option<Result<client::SendOutcome, ClientError>>,
        now_s: i64,
    ) -> Result<(), Error> {
        let info = message_info(&item.raw);
        let (local, remote) = self.local_and_remote(&tx.rcpts);
        self.store.transaction(|sql| {
            self.deliver_local(sql, tx, &info, &item.raw, &local)?;
            let mut retry: Vec<Recipient> = Vec::new();
            if let Some(res) = &relay_result {
                match res {
                    Ok(out) => {
                        self.audit(
                            sql,
                            AuditEvent::Relay,
                            tx,
                            &info,
                            Some(out.accepted.clone()),
                            Some(format!(
                                "transferred out to {} at {}",
                                self.relay
                                    .as_ref()
                                    .map(|r| r.to_string())
                                    .unwrap_or_default(),
                                rfc3339(now())
                            )),
                        )?;
                        let mut dsns = Vec::new();
                        for r in &remote {
                            if out.accepted.contains(&r.address) {
                                if !out.server_dsn && r.notify.wants_success() {
                                    dsns.push(dsn_rcpt(r, Action::Relayed, "2.0.0", None));
                                }
                            } else if let Some((_, reply)) =
                                out.rejected.iter().find(|(a, _)| a == &r.address)
                            {
                                if reply.is_transient() {
                                    retry.push(r.clone());
                                } else if r.notify.wants_failure() {
                                    dsns.push(dsn_rcpt(
                                        r,
                                        Action::Failed,
                                        &status_of(reply),
                                        Some(&reply.to_string()),
                                    ));
                                }
                            }
                        }
                        let failure = dsns.iter().any(|d| d.action == Action::Failed);
                        self.emit_dsn(sql, tx, &info, &item.raw, dsns, failure)?;
                    }
                    Err(ClientError::Rejected { reply, .. }) if !reply.is_transient() => {
                        let dsns: Vec<DsnRecipient> = remote
                            .iter()
                            .filter(|r| r.notify.wants_failure())
                            .map(|r| {
                                dsn_rcpt(
                                    r,
                                    Action::Failed,
                                    &status_of(reply),
                                    Some(&reply.to_string()),
                                )
                            })
                            .collect();
                        self.audit(
                            sql,
                            AuditEvent::Fail,
                            tx,
                            &info,
                            None,
                            Some(reply.to_string()),
                        )?;
                        self.emit_dsn(sql, tx, &info, &item.raw, dsns, true)?;
                    }
                    Err(_) => retry = remote.clone(),
                }
            }
            Store::dequeue(sql, item.id)?;
            if !retry.is_empty() {
                let attempts = item.attempts + 1;
                if attempts >= 8 {
                    self.give_up(
                        sql,
                        tx,
                        &info,
                        &item.raw,
                        &retry,
                        &GiveUp {
                            status: "4.4.1",
                            diagnostic: "next hop unreachable, giving up",
                            reason: "retries exhausted",
                        },
                    )?;
                } else {
                    let mut q = tx.clone();
                    q.rcpts = retry;
                    let json = serde_json::to_string(&q).map_err(|e| Error::Io(e.to_string()))?;
                    let id = Store::enqueue(
                        sql,
                        &item.raw,
                        &json,
                        now_s.saturating_add(attempts.saturating_mul(30)),
                        q.queue_priority(),
                    )?;
                    sql.execute(
                        "UPDATE queue SET attempts = ?2, by_notified = ?3 WHERE id = ?1",
                        rusqlite::params![id, attempts, i64::from(item.by_notified)],
                    )
                    .map_err(super::store::db_err)?;
                }
            }
            Ok(())
        })
    }

    /// Move a queue item that could not be processed to the dead-letter table, with an
    /// audit record and a failure DSN (RFC 3461 §4.1) when possible; if even that fails,
    /// move it alone.
    fn dead_letter(&self, id: i64, reason: &str) -> Result<(), Error> {
        let now_s = now().unix_timestamp();
        let full = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.store.transaction(|sql| {
                let Some(item) = Store::dead_letter(sql, id, reason, now_s)? else {
                    return Ok(());
                };
                let Ok(tx) = serde_json::from_str::<Transaction>(&item.transaction) else {
                    return Ok(());
                };
                let info = message_info(&item.raw);
                self.audit(
                    sql,
                    AuditEvent::Fail,
                    &tx,
                    &info,
                    None,
                    Some(format!("dead-lettered: {reason}")),
                )?;
                let failed: Vec<DsnRecipient> = tx
                    .rcpts
                    .iter()
                    .filter(|r| r.notify.wants_failure())
                    .map(|r| {
                        dsn_rcpt(
                            r,
                            Action::Failed,
                            "5.3.0",
                            Some("internal mail system error"),
                        )
                    })
                    .collect();
                self.emit_dsn(sql, &tx, &info, &item.raw, failed, true)
            })
        }));
        match full {
            Ok(Ok(())) => Ok(()),
            _ => self
                .store
                .transaction(|sql| Store::dead_letter(sql, id, reason, now_s).map(|_| ())),
        }
    }

    async fn relay_out(
        &self,
        tx: &Transaction,
        rcpts: &[Recipient],
        raw: Arc<Vec<u8>>,
    ) -> Result<client::SendOutcome, ClientError> {
        let Some(relay) = &self.relay else {
            return Err(ClientError::Unavailable("no relay configured".into()));
        };
        let now_s = now().unix_timestamp();
        let by = tx.by.map(|b| {
            let mut b = b;
            // RFC 2852 §4: pass on the remaining time, within the by-time grammar's 9 digits.
            b.by_time = b
                .deadline
                .saturating_sub(now_s)
                .clamp(1, super::smtp::params::MAX_BY_TIME);
            b
        });
        let env = OutEnvelope::from_transaction(tx, rcpts, by);
        let auth = relay.user.as_deref().zip(self.relay_password.as_deref());
        let tls = match &self.relay_tls {
            Some(t) => t.clone(),
            None => {
                super::tls::RelayTls::new(relay.tls, self.config.tls.relay_trust_anchors.as_deref())
                    .map_err(|e| ClientError::TlsRequired(e.to_string()))?
            }
        };
        let addr = relay.socket_addr_string();
        let hop = client::Hop {
            addr: &addr,
            host: &relay.host,
            tls: &tls,
            helo: &self.config.hostname,
            auth,
            dkim: Some(client::Dkim {
                keys: &self.dkim_signing,
                pool: &self.message_pool,
            }),
        };
        client::send_via(&hop, &env, raw, Duration::from_secs(60)).await
    }
}

/// The diagnostic of a passed DELIVERBY deadline: the by-time as received and the deadline.
fn by_diagnostic(by: &DeliverBy) -> String {
    format!(
        "delivery time expired: BY={};{} (deadline {})",
        by.by_time,
        if by.return_mode { "R" } else { "N" },
        rfc3339(from_unix(by.deadline))
    )
}

/// The delay notices of an N-mode deadline that passed (RFC 2852 §4): every recipient still
/// pending gets one — the N by-mode is itself the request — except those that asked for no
/// notification at all (NOTIFY=NEVER, RFC 3461 §4.1).
fn late_notices(tx: &Transaction, diagnostic: &str) -> Vec<DsnRecipient> {
    tx.rcpts
        .iter()
        .filter(|r| !r.notify.never)
        .map(|r| dsn_rcpt(r, Action::Delayed, "4.4.7", Some(diagnostic)))
        .collect()
}

/// The transaction of a draft held in a Release queue, read back from its stored envelope
/// ([`envelope_json`] with `byDeadline`; compose's [`Envelope`](crate::compose::Envelope)
/// reader, which also takes the by-value and keyword spellings of items stored before) and
/// its arrival time: what a DSN about it needs.
fn held_transaction(stored: &serde_json::Value, arrival: i64) -> Option<Transaction> {
    let env: crate::compose::Envelope = serde_json::from_value(stored.clone()).ok()?;
    let text = |k: &str| stored.get(k).and_then(|s| s.as_str()).map(str::to_string);
    let deadline = OffsetDateTime::parse(&text("byDeadline")?, &Rfc3339)
        .ok()?
        .unix_timestamp();
    let p = &env.mail_params;
    let by = p.by.as_ref()?;
    Some(Transaction {
        id: text("transactionId")?,
        helo: String::new(),
        submitter: text("submitter"),
        mail_from: env.mail_from.clone(),
        envid: p.envid.clone(),
        ret_full: p.ret.map(|r| r == crate::compose::request::Ret::Full),
        priority: p.mt_priority,
        body_8bit: false,
        by: Some(DeliverBy {
            by_time: by.seconds,
            deadline,
            return_mode: by.mode == crate::compose::request::ByMode::Return,
            trace: by.trace,
        }),
        hold_until: None,
        hold_for: None,
        rcpts: env.rcpts.iter().map(Recipient::from_rcpt).collect(),
        arrival,
        // a draft rebuilt from the release queue's envelope: the trace field was written
        // when it arrived
        tls: false,
    })
}

fn status_of(reply: &client::Reply) -> String {
    if reply.enhanced.is_empty() {
        format!("{}.0.0", reply.code / 100)
    } else {
        reply.enhanced.clone()
    }
}

/// Why delivery to some recipients ends in failure ([`Agent::give_up`]).
struct GiveUp<'a> {
    /// RFC 3463 status code.
    status: &'a str,
    /// Diagnostic text of the DSN.
    diagnostic: &'a str,
    /// Detail of the audit record.
    reason: &'a str,
}

fn dsn_rcpt(r: &Recipient, action: Action, status: &str, diag: Option<&str>) -> DsnRecipient {
    DsnRecipient {
        final_recipient: r.address.clone(),
        original_recipient: r.orcpt.clone(),
        action,
        status: status.to_string(),
        diagnostic: diag.map(str::to_string),
    }
}

/// Put `prefix` in front of `buf`, within its spare capacity when it has room (no second
/// copy of the message).
fn prepend(buf: &mut Vec<u8>, prefix: &[u8]) {
    let n = buf.len();
    buf.resize(n.saturating_add(prefix.len()), 0);
    buf.copy_within(..n, prefix.len());
    if let Some(head) = buf.get_mut(..prefix.len()) {
        head.copy_from_slice(prefix);
    }
}

/// Who ends one message's wait for its reply ([`Agent::accept`]): the worker, deciding to
/// commit, or the session, past the message budget. The first to claim it wins; the other
/// backs off. The session's claim also cancels the worker's verification.
#[derive(Debug, Default)]
pub(crate) struct Claim {
    state: AtomicU8,
    /// Set when the session abandons the message: the gate stops verifying.
    cancel: Cancel,
}

impl Claim {
    const PENDING: u8 = 0;
    const COMMITTING: u8 = 1;
    const ABANDONED: u8 = 2;

    /// The worker's claim: true when it may commit (the client is still waiting).
    fn commit(&self) -> bool {
        self.state
            .compare_exchange(
                Self::PENDING,
                Self::COMMITTING,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
    }

    /// What the worker returns for a message it abandoned (never sent: the session has
    /// answered `451 4.7.0` already).
    fn abandoned_reply() -> AgentReply {
        AgentReply {
            code: 451,
            esc: [4, 7, 0],
            text: "abandoned after the time budget".into(),
        }
    }

    /// The session's claim: true when the worker has not begun to commit, which then never
    /// will; its verification is then cancelled.
    fn abandon(&self) -> bool {
        let abandoned = self
            .state
            .compare_exchange(
                Self::PENDING,
                Self::ABANDONED,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok();
        if abandoned {
            self.cancel.cancel();
        }
        abandoned
    }
}

fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Release-queue item is read back the same from the envelope kept today and from the
    /// spellings kept before (BY as a by-value, upper-case keywords, null members, a bare
    /// ORCPT address); an item without its deadline or transaction id gives none.
    #[test]
    fn held_transactions_read_both_kept_forms() {
        let rcpt = Recipient {
            address: "bob@navy.example".into(),
            notify: Notify {
                explicit: true,
                success: true,
                delay: true,
                ..Notify::default()
            },
            orcpt: Some("bob@navy.example".into()),
        };
        let tx = Transaction {
            id: "t7".into(),
            helo: String::new(),
            submitter: Some("alice@army.example".into()),
            tls: false,
            mail_from: "alice@army.example".into(),
            envid: Some("E7".into()),
            ret_full: Some(false),
            priority: Some(3),
            body_8bit: false,
            by: Some(DeliverBy {
                by_time: 600,
                deadline: 1_800_000_600,
                return_mode: true,
                trace: true,
            }),
            hold_until: None,
            hold_for: None,
            rcpts: vec![rcpt],
            arrival: 1_800_000_000,
        };
        let deadline = rfc3339(from_unix(1_800_000_600));
        let mut kept = envelope_json(&tx);
        kept["byDeadline"] = serde_json::json!(deadline);
        let before = serde_json::json!({
            "mailFrom": "alice@army.example",
            "mailParams": {"envid": "E7", "ret": "HDRS", "by": "600;RT", "holdUntil": null,
                           "holdFor": null, "mtPriority": 3},
            "rcpts": [{"address": "bob@navy.example", "notify": ["SUCCESS", "DELAY"],
                       "orcpt": "bob@navy.example"}],
            "submitter": "alice@army.example", "transactionId": "t7", "byDeadline": deadline,
        });
        for stored in [&kept, &before] {
            assert_eq!(
                held_transaction(stored, tx.arrival).as_ref(),
                Some(&tx),
                "{stored}"
            );
        }
        for missing in ["byDeadline", "transactionId"] {
            let mut v = kept.clone();
            v.as_object_mut().unwrap().remove(missing);
            assert_eq!(held_transaction(&v, tx.arrival), None, "without {missing}");
        }
    }
}
