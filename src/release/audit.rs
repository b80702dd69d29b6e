//! The audit trail of draft-melnikov-mmhs-profile-09 §5.2 (MUA), §6.2 (MSA) and §7.2 (MTA).
//!
//! The core *produces* records; storing them is the caller's job (the server keeps them in
//! SQLite, the extension in extension storage). Each record carries the SHA-256 hash of the
//! previous record, and its own hash over its canonical JSON, so [`verify_audit_log`] detects any
//! edit, insertion, reordering or deletion inside the log. Deleting the *newest* records cannot
//! be seen from the chain alone: callers that must detect it keep the last hash elsewhere
//! (e.g. printed in a daily report) and pass it as `expected_head`.
//!
//! Which attributes a record holds is fixed by the profile's tables, per agent and event:
//!
//! | agent | event | attributes (profile table) |
//! |---|---|---|
//! | MUA | submit, release, reject, defer | Authorizing Users Indication, Extended Authorization Info, MM Identification, Message Identification, Delivery/Non-delivery Notification, Receipt/Non-receipt Notification Request Indication, Primary/Copy Precedence, Primary and Copy Recipients Indication, Blind Copy Recipient Indication, Non-Repudiation of Receipt, Security Labels, Message Type (§5.2 "Submitted") |
//! | MUA | receive, deliver | Extended Authorization Info, MM Identification, Message Identification, Originator Indication, Primary/Copy Precedence, Security Labels, Delivery Timestamp Indication (§5.2 "Delivered/Received") |
//! | MSA | any | MM Identification, Message Identification, Submission Timestamp Indication, Priority (§6.2) |
//! | MTA | receive | MM Identification, Message Identification, Submission Timestamp Indication, Priority, Time of Transfer In (§7.2 "Inbound") |
//! | MTA | submit, deliver, release, reject | … Time of Transfer Out (§7.2 "Outbound") |
//! | any | defer | the agent's attributes above (without Time of Transfer), `deferredUntil`, `reason` |
//!
//! Release and reject records also carry the officer and (for reject) the reason — "policy may
//! require … additional information" (§5.2). Deferred delivery (§3.4.10: "When this service is
//! requested, it MUST be logged for audit and tracing purposes") is the `defer` event: a
//! message held for a future release time (RFC 4865), for release by an officer, or still
//! undelivered past its RFC 2852 deadline; its record carries `deferredUntil` and `reason`.
//!
//! The two identifiers are the profile's, defined once in [`MessageIdentifiers`] for every log
//! (the server's own log too): **MM Identification** is the `Message-ID` (§3.3.5, RFC 5322
//! §3.6.4: "A Military Message MUST be uniquely identified using the Message-ID header
//! field"); **Message Identification** is the SMTP `ENVID` (§3.3.6, RFC 3461 §4.4: the
//! identifier MUA and MTAs use to refer to a submitted message, returned as
//! `Original-Envelope-Id` in DSNs) — else, for a submission without ENVID, the agent's own
//! transaction id, the only handle the transfer system then has.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fields::address::addr_specs;
use crate::mime::entity;
use crate::mime::header::HeaderSection;
use crate::report::Problem;

/// The audited event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AuditEvent {
    /// A message submitted (by a user, or to the MTS).
    Submit,
    /// A message received (by an agent from another).
    Receive,
    /// A message authorised for release by an officer.
    Release,
    /// A message rejected (returned to the drafter) by an officer or a gate.
    Reject,
    /// A message delivered to a recipient's mailbox.
    Deliver,
    /// Delivery deferred (profile §3.4.10): held for a future release time (RFC 4865), for
    /// release by an officer, or past its RFC 2852 deadline and still being tried.
    Defer,
}

/// The agent writing the record (which table applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AuditAgent {
    /// Mail user agent (§5.2).
    Mua,
    /// Mail submission agent (§6.2).
    Msa,
    /// Mail transfer agent (§7.2).
    Mta,
}

/// The profile's identifiers of one message, the single definition every audit log uses
/// (draft-melnikov-mmhs-profile-09 §3.2 table, §5.2, §6.2, §7.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MessageIdentifiers {
    /// MM Identification (§3.3.5): the `Message-ID`, as `<id-left@id-right>`.
    pub mm_identification: Option<String>,
    /// Message Identification (§3.3.6): the SMTP `ENVID` (RFC 3461 §4.4), else the agent's
    /// transaction id.
    pub message_identification: Option<String>,
}

impl MessageIdentifiers {
    /// From the message's Message-ID (with or without angle brackets), the submission's
    /// ENVID and the agent's own transaction id (used only without an ENVID).
    pub fn new(message_id: Option<&str>, envid: Option<&str>, transaction: Option<&str>) -> Self {
        let clean = |s: &str| -> Option<String> {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        MessageIdentifiers {
            mm_identification: message_id.and_then(clean).map(|m| {
                let bare = m.trim_start_matches('<').trim_end_matches('>');
                format!("<{bare}>")
            }),
            message_identification: envid
                .and_then(clean)
                .or_else(|| transaction.and_then(clean)),
        }
    }
}

/// The facts an agent knows about a message; [`audit_record`] keeps only those the table asks
/// for. Build it with [`AuditFacts::from_message`] and add the envelope/timing facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct AuditFacts {
    /// MM Identification: the Message-ID ([`MessageIdentifiers`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mm_identification: Option<String>,
    /// Message Identification: the ENVID, else the agent's transaction id
    /// ([`MessageIdentifiers`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_identification: Option<String>,
    /// Authorizing Users Indication (MMHS-Authorizing-Users).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizing_users: Option<Vec<String>>,
    /// Extended Authorization Info (MMHS-Extended-Authorisation-Info).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_authorisation_info: Option<String>,
    /// Delivery/Non-delivery Notification requests (SMTP NOTIFY per recipient, "addr: NOTIFY").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_notification: Option<Vec<String>>,
    /// Receipt/Non-receipt Notification Request Indication (Disposition-Notification-To).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_notification_request: Option<String>,
    /// Primary Precedence (MMHS-Primary-Precedence, as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_precedence: Option<String>,
    /// Copy Precedence (MMHS-Copy-Precedence, as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_precedence: Option<String>,
    /// Primary Recipients Indication (To).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_recipients: Option<Vec<String>>,
    /// Copy Recipients Indication (Cc).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_recipients: Option<Vec<String>>,
    /// Blind Copy Recipient Indication (Bcc, or the envelope recipients of a Bcc copy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blind_copy_recipients: Option<Vec<String>>,
    /// Non-Repudiation of Receipt: whether a signed receipt was requested (ESS receiptRequest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_repudiation_of_receipt: Option<bool>,
    /// Security Labels (SIO-Label marking and/or the ESS label, as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_labels: Option<Vec<String>>,
    /// Message Type (MMHS-Message-Type, as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// Originator Indication (Sender, else From — profile §3.4.29).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originator: Option<String>,
    /// Delivery Timestamp Indication (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_timestamp: Option<String>,
    /// Submission Timestamp Indication (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission_timestamp: Option<String>,
    /// Priority (MT-Priority, −9..9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i8>,
    /// Time of Transfer In (RFC 3339; relaying MTAs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_of_transfer_in: Option<String>,
    /// Time of Transfer Out (RFC 3339; relaying MTAs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_of_transfer_out: Option<String>,
    /// The release officer (release and reject records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    /// The reason given (reject and defer records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Until when delivery is deferred (RFC 3339; defer records), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deferred_until: Option<String>,
}

impl AuditFacts {
    /// Read the header-derived facts from a raw message (unusable input gives empty facts for
    /// the header part: an audit record is written even for a message we cannot parse).
    pub fn from_message(raw: &[u8]) -> Self {
        let mut f = AuditFacts::default();
        let Ok(h) = HeaderSection::parse(entity::split(raw).0) else {
            return f;
        };
        let addrs = |name: &str| -> Option<Vec<String>> {
            let v = addr_specs(&h, name);
            (!v.is_empty()).then_some(v)
        };
        let raw_field = |name: &str| -> Option<String> {
            h.value(name)
                .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        };
        let message_id = h.value("message-id");
        let message_id = message_id.as_deref().and_then(entity::first_msg_id);
        f.set_identifiers(MessageIdentifiers::new(message_id, None, None));
        f.primary_recipients = addrs("to");
        f.copy_recipients = addrs("cc");
        f.blind_copy_recipients = addrs("bcc");
        f.originator = addrs("sender")
            .or_else(|| addrs("from"))
            .and_then(|v| v.into_iter().next());
        f.authorizing_users = raw_field("MMHS-Authorizing-Users").map(|v| {
            v.split(',')
                .map(|a| {
                    a.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string()
                })
                .filter(|a| !a.is_empty())
                .collect()
        });
        f.extended_authorisation_info = raw_field("MMHS-Extended-Authorisation-Info");
        f.receipt_notification_request = raw_field("Disposition-Notification-To");
        f.primary_precedence = raw_field("MMHS-Primary-Precedence");
        f.copy_precedence = raw_field("MMHS-Copy-Precedence");
        f.message_type = raw_field("MMHS-Message-Type");
        f.security_labels = raw_field("SIO-Label").map(|v| vec![v]);
        f.priority = raw_field("MT-Priority")
            .and_then(|v| {
                v.split(|c: char| c == '(' || c.is_whitespace())
                    .next()
                    .map(str::to_string)
            })
            .and_then(|v| v.parse::<i8>().ok());
        f
    }

    /// Set MM Identification and, when known, Message Identification.
    pub fn set_identifiers(&mut self, ids: MessageIdentifiers) {
        if ids.mm_identification.is_some() {
            self.mm_identification = ids.mm_identification;
        }
        if ids.message_identification.is_some() {
            self.message_identification = ids.message_identification;
        }
    }

    /// Keep only the attributes the profile's table lists for this agent and event.
    fn restrict(mut self, agent: AuditAgent, event: AuditEvent) -> Self {
        use AuditAgent::*;
        use AuditEvent::*;
        let keep = |b: bool, v: &mut dyn FnMut()| {
            if !b {
                v()
            }
        };
        let (mua_sub, mua_rcv) = (
            agent == Mua && matches!(event, Submit | Release | Reject | Defer),
            agent == Mua && matches!(event, Receive | Deliver),
        );
        let mta = agent == Mta;
        let msa_or_mta = matches!(agent, Msa | Mta);
        keep(mua_sub, &mut || self.authorizing_users = None);
        keep(mua_sub || mua_rcv, &mut || {
            self.extended_authorisation_info = None
        });
        keep(mua_sub, &mut || self.delivery_notification = None);
        keep(mua_sub, &mut || self.receipt_notification_request = None);
        keep(mua_sub || mua_rcv, &mut || self.primary_precedence = None);
        keep(mua_sub || mua_rcv, &mut || self.copy_precedence = None);
        keep(mua_sub, &mut || self.primary_recipients = None);
        keep(mua_sub, &mut || self.copy_recipients = None);
        keep(mua_sub, &mut || self.blind_copy_recipients = None);
        keep(mua_sub, &mut || self.non_repudiation_of_receipt = None);
        keep(mua_sub || mua_rcv, &mut || self.security_labels = None);
        keep(mua_sub, &mut || self.message_type = None);
        keep(mua_rcv, &mut || self.originator = None);
        keep(mua_rcv, &mut || self.delivery_timestamp = None);
        keep(msa_or_mta, &mut || self.submission_timestamp = None);
        keep(msa_or_mta, &mut || self.priority = None);
        keep(mta && event == Receive, &mut || {
            self.time_of_transfer_in = None
        });
        keep(mta && !matches!(event, Receive | Defer), &mut || {
            self.time_of_transfer_out = None
        });
        keep(matches!(event, Release | Reject), &mut || {
            self.officer = None
        });
        keep(matches!(event, Reject | Defer), &mut || self.reason = None);
        keep(event == Defer, &mut || self.deferred_until = None);
        self
    }
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Position in the log, from 0.
    pub seq: u64,
    /// When the event happened (RFC 3339, UTC).
    pub time: String,
    /// The agent writing the record.
    pub agent: AuditAgent,
    /// The event.
    pub event: AuditEvent,
    /// The table's attributes.
    pub attributes: AuditFacts,
    /// Hex SHA-256 of the previous record (`hash`), or 64 zeros for the first record.
    pub prev_hash: String,
    /// Hex SHA-256 over this record's canonical JSON without `hash`.
    pub hash: String,
}

/// The all-zero hash that precedes the first record.
pub(crate) const GENESIS_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Make the next record of a log.
pub fn audit_record(
    agent: AuditAgent,
    event: AuditEvent,
    facts: AuditFacts,
    time: time::OffsetDateTime,
    prev: Option<&AuditRecord>,
) -> AuditRecord {
    let time = time
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut r = AuditRecord {
        seq: prev.map(|p| p.seq + 1).unwrap_or(0),
        time,
        agent,
        event,
        attributes: facts.restrict(agent, event),
        prev_hash: prev
            .map(|p| p.hash.clone())
            .unwrap_or_else(|| GENESIS_HASH.to_string()),
        hash: String::new(),
    };
    r.hash = record_hash(&r);
    r
}

fn record_hash(r: &AuditRecord) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Canon<'a> {
        seq: u64,
        time: &'a str,
        agent: AuditAgent,
        event: AuditEvent,
        attributes: &'a AuditFacts,
        prev_hash: &'a str,
    }
    let canon = Canon {
        seq: r.seq,
        time: &r.time,
        agent: r.agent,
        event: r.event,
        attributes: &r.attributes,
        prev_hash: &r.prev_hash,
    };
    let json = serde_json::to_vec(&canon).unwrap_or_default();
    hex(&Sha256::digest(&json))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Options for [`verify_audit_log`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default)]
pub struct AuditVerifyOptions {
    /// The hash of the newest record as recorded elsewhere; detects deletion at the end.
    pub expected_head: Option<String>,
    /// Retention period in days (default 10, the profile's minimum; smaller values are raised
    /// to 10). With `now`, records may only have been pruned from the start of the log when
    /// they are older than the retention period; see [`verify_audit_log`].
    pub retention_days: Option<u32>,
    /// The current time (RFC 3339), for the retention check.
    pub now: Option<String>,
}

/// Result of [`verify_audit_log`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    /// True when the chain is intact and nothing is flagged.
    pub valid: bool,
    /// Number of records checked.
    pub records: usize,
    /// Problems, each naming the record index in its message.
    pub problems: Vec<Problem>,
}

/// The retention period in force: at least ten days (profile §5.2, §6.2, §7.2).
pub(crate) fn retention_days(configured: Option<u32>) -> u32 {
    configured.unwrap_or(10).max(10)
}

/// Check a log (oldest first): every record's hash, the chain of `prevHash`, the sequence
/// numbers, the expected head, and — when the log does not start at the genesis record
/// (older records pruned) — that it still covers the whole retention period.
pub fn verify_audit_log(records: &[AuditRecord], opts: &AuditVerifyOptions) -> AuditVerification {
    let mut problems = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if record_hash(r) != r.hash {
            problems.push(Problem::new(
                "audit-record-altered",
                format!(
                    "record {i} (seq {}) does not match its hash: it was edited",
                    r.seq
                ),
            ));
        }
        if i == 0 {
            if r.seq == 0 && r.prev_hash != GENESIS_HASH {
                problems.push(Problem::new(
                    "audit-chain-broken",
                    "the first record (seq 0) does not start from the genesis hash",
                ));
            }
            continue;
        }
        let p = &records[i - 1];
        if r.prev_hash != p.hash {
            problems.push(Problem::new(
                "audit-chain-broken",
                format!(
                    "record {i} (seq {}) does not follow record {} (seq {}): records were deleted, inserted or reordered",
                    r.seq,
                    i - 1,
                    p.seq
                ),
            ));
        }
        if r.seq != p.seq.wrapping_add(1) {
            problems.push(Problem::new(
                "audit-sequence-gap",
                format!("sequence jumps from {} to {} at record {i}", p.seq, r.seq),
            ));
        }
    }
    if let (Some(head), Some(last)) = (&opts.expected_head, records.last()) {
        if &last.hash != head {
            problems.push(Problem::new(
                "audit-head-mismatch",
                "the newest record is not the expected head: records were deleted at the end",
            ));
        }
    }
    if let (Some(first), Some(now)) = (records.first(), &opts.now) {
        if first.seq != 0 {
            let parse = |s: &str| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
            };
            if let (Some(t0), Some(now)) = (parse(&first.time), parse(now)) {
                let keep = time::Duration::days(i64::from(retention_days(opts.retention_days)));
                if t0 > now - keep {
                    problems.push(Problem::new(
                        "audit-retention-violated",
                        format!(
                            "records before seq {} were removed although they are younger than the {}-day retention period",
                            first.seq,
                            retention_days(opts.retention_days)
                        ),
                    ));
                }
            }
        }
    }
    AuditVerification {
        valid: problems.is_empty(),
        records: records.len(),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const MSG: &[u8] = b"From: alice@army.example\r\nTo: bob@navy.example\r\nCc: carol@navy.example\r\nMessage-ID: <m1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMMHS-Copy-Precedence: 1\r\nMT-Priority: 4\r\nMMHS-Message-Type: 1 (operation)\r\nSIO-Label: marking=\"NATO SECRET\"\r\nMMHS-Authorizing-Users: officer@army.example\r\n\r\nbody\r\n";

    fn log() -> Vec<AuditRecord> {
        let mut v: Vec<AuditRecord> = Vec::new();
        let t = datetime!(2026-11-23 10:00 UTC);
        for (i, (agent, event)) in [
            (AuditAgent::Mua, AuditEvent::Submit),
            (AuditAgent::Msa, AuditEvent::Submit),
            (AuditAgent::Mua, AuditEvent::Release),
            (AuditAgent::Mta, AuditEvent::Receive),
            (AuditAgent::Mua, AuditEvent::Deliver),
        ]
        .into_iter()
        .enumerate()
        {
            let mut f = AuditFacts::from_message(MSG);
            f.set_identifiers(MessageIdentifiers::new(None, Some("ENV1"), Some("q-7")));
            f.officer = Some("officer@army.example".into());
            f.submission_timestamp = Some("2026-11-23T10:00:00Z".into());
            let r = audit_record(
                agent,
                event,
                f,
                t + time::Duration::minutes(i as i64),
                v.last(),
            );
            v.push(r);
        }
        v
    }

    #[test]
    fn tables_pick_their_attributes() {
        let l = log();
        let mua_sub = &l[0].attributes;
        assert_eq!(mua_sub.primary_precedence.as_deref(), Some("4 (flash)"));
        assert_eq!(
            mua_sub.authorizing_users,
            Some(vec!["officer@army.example".to_string()])
        );
        assert_eq!(
            mua_sub.primary_recipients,
            Some(vec!["bob@navy.example".to_string()])
        );
        assert_eq!(mua_sub.priority, None, "priority is not in the MUA table");
        assert_eq!(mua_sub.officer, None);
        let msa = &l[1].attributes;
        assert_eq!(msa.priority, Some(4));
        // Profile §3.3.5: MM Identification = Message-ID; §3.3.6: Message Identification =
        // ENVID (the agent's transaction id only without one).
        assert_eq!(msa.mm_identification.as_deref(), Some("<m1@army.example>"));
        assert_eq!(msa.message_identification.as_deref(), Some("ENV1"));
        assert_eq!(
            msa.primary_precedence, None,
            "precedence is not in the MSA table"
        );
        assert_eq!(
            l[2].attributes.officer.as_deref(),
            Some("officer@army.example")
        );
        let rcv = &l[4].attributes;
        assert_eq!(rcv.originator.as_deref(), Some("alice@army.example"));
        assert_eq!(
            rcv.security_labels,
            Some(vec!["marking=\"NATO SECRET\"".to_string()])
        );
        assert_eq!(rcv.primary_recipients, None);
    }

    #[test]
    fn identifiers_are_the_profiles() {
        let ids = MessageIdentifiers::new(Some("m1@army.example"), Some("ENV1"), Some("q-7"));
        assert_eq!(ids.mm_identification.as_deref(), Some("<m1@army.example>"));
        assert_eq!(ids.message_identification.as_deref(), Some("ENV1"));
        // Brackets are not doubled; no ENVID ⇒ the transaction id; blanks are absent.
        let ids = MessageIdentifiers::new(Some("<m1@army.example>"), Some(" "), Some("q-7"));
        assert_eq!(ids.mm_identification.as_deref(), Some("<m1@army.example>"));
        assert_eq!(ids.message_identification.as_deref(), Some("q-7"));
        assert_eq!(
            MessageIdentifiers::new(None, None, None),
            MessageIdentifiers::default()
        );
        // A message's own facts carry its Message-ID as MM Identification, never as Message
        // Identification (the two were once swapped).
        let f = AuditFacts::from_message(MSG);
        assert_eq!(f.mm_identification.as_deref(), Some("<m1@army.example>"));
        assert_eq!(f.message_identification, None);
    }

    #[test]
    fn deferred_delivery_keeps_its_time_and_reason() {
        let t = time::OffsetDateTime::UNIX_EPOCH;
        let mut f = AuditFacts::from_message(MSG);
        f.set_identifiers(MessageIdentifiers::new(None, Some("ENV1"), None));
        f.deferred_until = Some("2026-11-24T00:00:00Z".into());
        f.reason = Some("held for future release".into());
        f.priority = Some(4);
        f.time_of_transfer_out = Some("2026-11-23T00:00:00Z".into());
        let msa = audit_record(AuditAgent::Msa, AuditEvent::Defer, f.clone(), t, None);
        let a = &msa.attributes;
        assert_eq!(a.deferred_until.as_deref(), Some("2026-11-24T00:00:00Z"));
        assert_eq!(a.reason.as_deref(), Some("held for future release"));
        assert_eq!(a.mm_identification.as_deref(), Some("<m1@army.example>"));
        assert_eq!(a.message_identification.as_deref(), Some("ENV1"));
        assert_eq!(a.priority, Some(4));
        let mta = audit_record(AuditAgent::Mta, AuditEvent::Defer, f.clone(), t, None);
        assert_eq!(mta.attributes.time_of_transfer_out, None, "not a transfer");
        // Other events never carry deferredUntil.
        let sub = audit_record(AuditAgent::Msa, AuditEvent::Submit, f, t, None);
        assert_eq!(sub.attributes.deferred_until, None);
        assert_eq!(sub.attributes.reason, None);
    }

    #[test]
    fn intact_log_verifies() {
        let l = log();
        let v = verify_audit_log(
            &l,
            &AuditVerifyOptions {
                expected_head: Some(l[4].hash.clone()),
                ..Default::default()
            },
        );
        assert!(v.valid, "{:?}", v.problems);
        assert_eq!(v.records, 5);
    }

    #[test]
    fn edit_is_detected() {
        let mut l = log();
        l[2].attributes.officer = Some("mallory@army.example".into());
        let v = verify_audit_log(&l, &AuditVerifyOptions::default());
        assert!(!v.valid);
        assert_eq!(v.problems[0].code, "audit-record-altered");
    }

    #[test]
    fn edit_with_rehash_is_detected_by_chain() {
        let mut l = log();
        l[2].attributes.officer = Some("mallory@army.example".into());
        l[2].hash = record_hash(&l[2]);
        let v = verify_audit_log(&l, &AuditVerifyOptions::default());
        assert!(v.problems.iter().any(|p| p.code == "audit-chain-broken"));
    }

    #[test]
    fn deletion_is_detected() {
        let mut l = log();
        l.remove(2);
        let v = verify_audit_log(&l, &AuditVerifyOptions::default());
        assert!(v.problems.iter().any(|p| p.code == "audit-chain-broken"));
        assert!(v.problems.iter().any(|p| p.code == "audit-sequence-gap"));
        let mut l = log();
        let head = l[4].hash.clone();
        l.pop();
        let v = verify_audit_log(
            &l,
            &AuditVerifyOptions {
                expected_head: Some(head),
                ..Default::default()
            },
        );
        assert_eq!(v.problems[0].code, "audit-head-mismatch");
    }

    #[test]
    fn pruning_respects_retention() {
        let l = log();
        let tail = &l[2..];
        let early = AuditVerifyOptions {
            now: Some("2026-11-25T00:00:00Z".into()),
            ..Default::default()
        };
        assert_eq!(
            verify_audit_log(tail, &early).problems[0].code,
            "audit-retention-violated"
        );
        let late = AuditVerifyOptions {
            now: Some("2026-12-20T00:00:00Z".into()),
            ..Default::default()
        };
        assert!(verify_audit_log(tail, &late).valid);
        assert_eq!(retention_days(Some(3)), 10);
        assert_eq!(retention_days(Some(30)), 30);
    }
}
