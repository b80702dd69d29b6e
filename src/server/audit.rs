//! The audit trail (draft-melnikov-mmhs-profile-09 §6.2 for the MSA, §7.2 for the MTA),
//! kept in the store as two linked hash chains:
//!
//! - `audit_core`: the profile's records, made by the core [`crate::release::audit_record`]
//!   (agent, event, exactly the table's attributes, `prevHash`, `hash`) and checkable by anyone
//!   with [`crate::release::verify_audit_log`] (the CLI, the extension). Written for
//!   submit (MSA submit), release (MSA release: the officers whose countersignature the gate
//!   verified), reject (MSA reject: the gate refused; reason), deliver (MTA deliver, with Time
//!   of Transfer Out), relay (MTA submit to the next hop, Time of Transfer Out) and deferred
//!   delivery (MSA defer, profile §3.4.10: a diversion to a Release queue, a message held for
//!   a future release time, a deadline passed while still being tried; `deferredUntil`,
//!   `reason`). Both logs identify a message the same way
//!   ([`crate::release::MessageIdentifiers`]: MM Identification = Message-ID, Message
//!   Identification = ENVID, else our transaction id).
//! - `audit`: the server's own log of everything it did (also DSNs and failures) with
//!   envelope detail; each row names the core record it wrote
//!   (`coreSeq`, `coreHash`). Chaining: `hash = SHA-256(prev_hash_hex || "\n" || record_json)`,
//!   first `prev_hash` = 64 zeros.
//!
//! [`verify`] checks both chains and their links. Retention: at least ten days (we never
//! delete). Deleting the newest records is only detectable against a head hash kept
//! elsewhere ([`head`]).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::store::{db_err, Store};
use super::Error;
use crate::release::{self, AuditAgent, AuditFacts};

/// Audited events.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum AuditEvent {
    /// A message was accepted for submission (MSA, §6.2).
    Submit,
    /// Delivered into a local mailbox (MTA transfer in, §7.2).
    Deliver,
    /// Diverted to a release officer's queue (Draft & Release).
    Divert,
    /// Refused by the gate.
    Reject,
    /// Handed to the next hop (MTA transfer out, §7.2).
    Relay,
    /// A delivery status notification was generated.
    Dsn,
    /// Delivery failed permanently.
    Fail,
    /// A message carrying verified authorisations (countersignatures) was accepted for
    /// transfer (Draft & Release: the officer's release reached the MSA).
    Release,
    /// A message from another domain was taken in by the boundary agent and handed on to
    /// our MTA (MTA transfer in, §7.2 "Inbound").
    Receive,
    /// The boundary agent refused a message its policy rejects (MTA reject).
    Refuse,
    /// The boundary agent kept a message its policy rejects in quarantine (MTA reject: not
    /// transferred).
    Quarantine,
    /// Delivery deferred (profile §3.4.10: logged for audit and tracing): held for a future
    /// release time (RFC 4865), or undelivered past an RFC 2852 deadline and still tried.
    Defer,
    /// A label-based access-control decision (draft-melnikov-mmhs-profile-09 §4.1.1): the
    /// label judged and the outcome (refusals are also `reject` / `refuse` records).
    Label,
}

impl AuditEvent {
    /// The profile record (agent, event) this server event produces, if any.
    pub fn core(self) -> Option<(AuditAgent, release::AuditEvent)> {
        match self {
            AuditEvent::Submit => Some((AuditAgent::Msa, release::AuditEvent::Submit)),
            AuditEvent::Release => Some((AuditAgent::Msa, release::AuditEvent::Release)),
            AuditEvent::Reject => Some((AuditAgent::Msa, release::AuditEvent::Reject)),
            AuditEvent::Deliver => Some((AuditAgent::Mta, release::AuditEvent::Deliver)),
            AuditEvent::Relay => Some((AuditAgent::Mta, release::AuditEvent::Submit)),
            AuditEvent::Receive => Some((AuditAgent::Mta, release::AuditEvent::Receive)),
            AuditEvent::Refuse | AuditEvent::Quarantine => {
                Some((AuditAgent::Mta, release::AuditEvent::Reject))
            }
            // Held in a release queue: delivery deferred until an officer releases it.
            AuditEvent::Divert | AuditEvent::Defer => {
                Some((AuditAgent::Msa, release::AuditEvent::Defer))
            }
            AuditEvent::Dsn | AuditEvent::Fail | AuditEvent::Label => None,
        }
    }
}

/// One audit record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// What happened.
    pub event: AuditEvent,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// MM Identification: the message's `Message-ID:` (`<…>`; [`release::MessageIdentifiers`]).
    pub mm_identification: Option<String>,
    /// Message Identification: the ENVID, else our transaction id
    /// ([`release::MessageIdentifiers`]).
    pub message_identification: String,
    /// The ENVID of the submission, if any (RFC 3461).
    pub envid: Option<String>,
    /// Submission Timestamp Indication (RFC 3339).
    pub submission_time: String,
    /// Priority: MT-PRIORITY as received (RFC 6710), and the internal STANAG 4406 level.
    pub priority: i8,
    /// The STANAG 4406 level used internally (RFC 6710 §5 rounding).
    pub priority_level: i8,
    /// Primary / copy precedence fields, if present.
    pub precedence: Option<String>,
    /// Security label (`SIO-Label:`), if present.
    pub security_label: Option<String>,
    /// Authorizing users listed in the message.
    pub authorizing_users: Vec<String>,
    /// Authenticated submitter (SMTP AUTH identity), if any.
    pub submitter: Option<String>,
    /// Envelope sender.
    pub mail_from: String,
    /// Envelope recipients concerned by this event.
    pub recipients: Vec<String>,
    /// Free text: gate decision, next hop, error.
    pub detail: Option<String>,
    /// Sequence number of the profile record written with this one (`audit_core`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_seq: Option<u64>,
    /// Hash of that profile record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_hash: Option<String>,
}

const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn chain_hash(prev: &str, record: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(record.as_bytes());
    let d = h.finalize();
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The newest profile record.
fn last_core(conn: &Connection) -> Result<Option<release::AuditRecord>, Error> {
    let last: Option<String> = conn
        .query_row(
            "SELECT record FROM audit_core ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    last.map(|j| serde_json::from_str(&j).map_err(|e| Error::Db(format!("audit_core record: {e}"))))
        .transpose()
}

/// Append a record inside an open connection/transaction; when `facts` is given and the
/// event has a profile record ([`AuditEvent::core`]), the core record is made from them and
/// appended to `audit_core` first.
pub fn append_with(
    conn: &Connection,
    record: &AuditRecord,
    facts: Option<AuditFacts>,
    at: time::OffsetDateTime,
) -> Result<i64, Error> {
    let mut record = record.clone();
    if let (Some((agent, event)), Some(facts)) = (record.event.core(), facts) {
        let prev = last_core(conn)?;
        let core = release::audit_record(agent, event, facts, at, prev.as_ref());
        let json = serde_json::to_string(&core).map_err(|e| Error::Io(e.to_string()))?;
        conn.execute(
            "INSERT INTO audit_core(seq, record) VALUES (?1, ?2)",
            params![core.seq as i64, json],
        )
        .map_err(db_err)?;
        record.core_seq = Some(core.seq);
        record.core_hash = Some(core.hash);
    }
    append(conn, &record)
}

/// Append a server record (no profile record) inside an open connection/transaction.
pub fn append(conn: &Connection, record: &AuditRecord) -> Result<i64, Error> {
    let json = serde_json::to_string(record).map_err(|e| Error::Io(e.to_string()))?;
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, ZERO.to_string()),
    };
    let hash = chain_hash(&prev, &json);
    conn.execute(
        "INSERT INTO audit(seq, record, prev_hash, hash) VALUES (?1, ?2, ?3, ?4)",
        params![seq, json, prev, hash],
    )
    .map_err(db_err)?;
    Ok(seq)
}

/// What became of a draft the submission agent diverted to a Release queue (Draft & Release,
/// draft-melnikov-mmhs-profile-09 §6.1), as the drafter's Sent folder shows it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ReleaseStatus {
    /// Diverted to a Release queue; no officer has released or returned it yet.
    Awaiting,
    /// An officer's authorisation (countersignature) verified at the gate: the message went on
    /// to its recipients (the *release* record).
    Released,
    /// Returned to the drafter: an officer's return-to-sender notice (the *reject* record the
    /// gate writes for it, `crate::release::rejection_notice`), or its DELIVERBY deadline passed
    /// in the queue in R mode (RFC 2852 §4: the *fail* record).
    Returned,
}

/// The [`ReleaseStatus`] of the message `message_id` (bare or in `<>`) drafted by `drafter`,
/// read from the audit trail: the newest of its records that are the drafter's own — a
/// *divert* or *release* of that Message-ID with the drafter as envelope sender (only the
/// drafter and officers may use that reverse-path, docs/server.md), an officer's *reject*
/// notice about it addressed to the drafter, or a *fail* with the drafter as sender after a
/// diversion. `None` when it was never diverted. A refusal by the gate (a *reject* without an
/// officer) or a forged notice from anyone else does not count. Indexed look-ups
/// (`audit_mm`, `audit_core_mm`, `audit_core_seq`), at most one row per query.
pub fn release_status(
    conn: &Connection,
    drafter: &str,
    message_id: &str,
) -> Result<Option<ReleaseStatus>, Error> {
    let bare = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    if bare.is_empty() {
        return Ok(None);
    }
    let mm = format!("<{bare}>");
    let drafter = drafter.to_ascii_lowercase();
    let own = |event: &str| -> Result<Option<i64>, Error> {
        conn.query_row(
            "SELECT MAX(seq) FROM audit WHERE json_extract(record, '$.mmIdentification') = ?1 \
             AND json_extract(record, '$.event') = ?2 \
             AND lower(json_extract(record, '$.mailFrom')) = ?3",
            params![mm, event, drafter],
            |r| r.get::<_, Option<i64>>(0),
        )
        .map_err(db_err)
    };
    let Some(diverted) = own("divert")? else {
        return Ok(None);
    };
    let released = own("release")?;
    let failed = own("fail")?.filter(|s| *s > diverted);
    let rejected: Option<i64> = conn
        .query_row(
            "SELECT MAX(a.seq) FROM audit_core c JOIN audit a \
             ON json_extract(a.record, '$.coreSeq') = c.seq \
             WHERE json_extract(c.record, '$.attributes.mmIdentification') = ?1 \
             AND json_extract(c.record, '$.event') = 'reject' \
             AND json_extract(c.record, '$.attributes.officer') IS NOT NULL \
             AND EXISTS (SELECT 1 FROM json_each(a.record, '$.recipients') \
                         WHERE lower(json_each.value) = ?2)",
            params![mm, drafter],
            |r| r.get::<_, Option<i64>>(0),
        )
        .map_err(db_err)?;
    let newest = [
        (Some(diverted), ReleaseStatus::Awaiting),
        (released, ReleaseStatus::Released),
        (rejected, ReleaseStatus::Returned),
        (failed, ReleaseStatus::Returned),
    ]
    .into_iter()
    .filter_map(|(seq, st)| seq.map(|s| (s, st)))
    .max_by_key(|(s, _)| *s)
    .map(|(_, st)| st);
    Ok(newest)
}

/// Why a log failed verification. Code: `audit-chain-broken`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at record {seq}: {reason}")]
pub struct ChainError {
    /// First bad sequence number.
    pub seq: i64,
    /// What is wrong.
    pub reason: String,
}

/// The profile records (`audit_core`), oldest first — the input of
/// [`crate::release::verify_audit_log`]. A row that is not a record JSON is an error
/// (`server-db`).
pub fn core_records(store: &Store) -> Result<Vec<release::AuditRecord>, Error> {
    json_rows(
        store,
        "SELECT record FROM audit_core ORDER BY seq",
        "audit_core",
    )
}

/// Every row of `sql` (one TEXT column of record JSON) decoded; a row that does not decode
/// is an error naming `table`, never silently skipped (a mangled audit row is evidence).
fn json_rows<T: serde::de::DeserializeOwned>(
    store: &Store,
    sql: &str,
    table: &str,
) -> Result<Vec<T>, Error> {
    store.with_conn(|conn| {
        let mut stmt = conn.prepare(sql).map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(db_err)?;
        let mut out = Vec::new();
        for r in rows {
            let s = r.map_err(db_err)?;
            out.push(
                serde_json::from_str(&s).map_err(|e| Error::Db(format!("{table} record: {e}")))?,
            );
        }
        Ok(out)
    })
}

/// Verify the whole trail: the server chain ([`verify_server_chain`]), the profile records
/// with [`crate::release::verify_audit_log`], and that every server record's `coreHash` is
/// the hash of the profile record it names. Returns the number of server records, or the
/// first problem (`seq` is the server record's, or 0 for a problem only in the profile log).
pub fn verify(store: &Store) -> Result<Result<i64, ChainError>, Error> {
    let n = match verify_server_chain(store)? {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let core = match core_records(store) {
        Ok(c) => c,
        Err(e) => {
            return Ok(Err(ChainError {
                seq: 0,
                reason: e.to_string(),
            }))
        }
    };
    let v = release::verify_audit_log(&core, &release::AuditVerifyOptions::default());
    if let Some(p) = v.problems.first() {
        return Ok(Err(ChainError {
            seq: 0,
            reason: format!("profile record log: {} ({})", p.message, p.code),
        }));
    }
    if core.first().is_some_and(|c| c.seq != 0) {
        return Ok(Err(ChainError {
            seq: 0,
            reason: "profile record log does not start at seq 0".into(),
        }));
    }
    for (seq, r) in records_with_seq(store)? {
        if let (Some(cs), Some(ch)) = (r.core_seq, &r.core_hash) {
            let found = usize::try_from(cs).ok().and_then(|i| core.get(i));
            if found.map(|c| &c.hash) != Some(ch) {
                return Ok(Err(ChainError {
                    seq,
                    reason: format!("profile record {cs} is missing or not the one recorded"),
                }));
            }
        }
    }
    Ok(Ok(n))
}

fn records_with_seq(store: &Store) -> Result<Vec<(i64, AuditRecord)>, Error> {
    store.with_conn(|conn| {
        let mut stmt = conn
            .prepare("SELECT seq, record FROM audit ORDER BY seq")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_err)?;
        let mut out = Vec::new();
        for r in rows {
            let (seq, s) = r.map_err(db_err)?;
            let rec = serde_json::from_str(&s)
                .map_err(|e| Error::Db(format!("audit record {seq}: {e}")))?;
            out.push((seq, rec));
        }
        Ok(out)
    })
}

/// Verify the server chain: consecutive sequence numbers from 1, each `prev_hash` equal to
/// the previous record's hash, each hash recomputed. Returns the number of records.
/// Detects edits, deletions (gaps or broken links) and reordering; truncation of the tail
/// is detectable only against an externally kept head hash ([`head`]).
pub fn verify_server_chain(store: &Store) -> Result<Result<i64, ChainError>, Error> {
    store.with_conn(|conn| {
        let mut stmt = conn
            .prepare("SELECT seq, record, prev_hash, hash FROM audit ORDER BY seq")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(db_err)?;
        let mut expected_prev = ZERO.to_string();
        let mut expected_seq = 1;
        for row in rows {
            let (seq, record, prev, hash) = row.map_err(db_err)?;
            if seq != expected_seq {
                return Ok(Err(ChainError {
                    seq: expected_seq,
                    reason: format!("record missing (next present is {seq})"),
                }));
            }
            if prev != expected_prev {
                return Ok(Err(ChainError {
                    seq,
                    reason: "previous-hash link does not match".into(),
                }));
            }
            if chain_hash(&prev, &record) != hash {
                return Ok(Err(ChainError {
                    seq,
                    reason: "record content does not match its hash".into(),
                }));
            }
            expected_prev = hash;
            expected_seq += 1;
        }
        Ok(Ok(expected_seq - 1))
    })
}

/// The hash of the newest record (publish it elsewhere to detect truncation).
pub fn head(store: &Store) -> Result<Option<String>, Error> {
    store.with_conn(|conn| {
        conn.query_row(
            "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)
    })
}

/// All records, oldest first.
pub fn records(store: &Store) -> Result<Vec<AuditRecord>, Error> {
    json_rows(store, "SELECT record FROM audit ORDER BY seq", "audit")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(n: u32) -> AuditRecord {
        AuditRecord {
            event: AuditEvent::Submit,
            time: "2026-01-01T00:00:00Z".into(),
            mm_identification: Some(format!("{n}@x")),
            message_identification: format!("t{n}"),
            envid: None,
            submission_time: "2026-01-01T00:00:00Z".into(),
            priority: 0,
            priority_level: 0,
            precedence: None,
            security_label: None,
            authorizing_users: vec![],
            submitter: None,
            mail_from: "a@x".into(),
            recipients: vec!["b@x".into()],
            detail: None,
            core_seq: None,
            core_hash: None,
        }
    }

    #[test]
    fn chain_detects_edit_and_delete() {
        let dir = std::env::temp_dir().join(format!("mmhs-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.sqlite");
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).unwrap();
        for n in 0..3 {
            let facts = AuditFacts {
                mm_identification: Some(format!("t{n}")),
                ..AuditFacts::default()
            };
            store
                .with_conn(|c| {
                    append_with(c, &rec(n), Some(facts), time::OffsetDateTime::UNIX_EPOCH)
                })
                .unwrap();
        }
        assert_eq!(verify(&store).unwrap(), Ok(3));
        assert_eq!(core_records(&store).unwrap().len(), 3);
        // Editing a profile record is detected by the core verifier.
        store
            .with_conn(|c| {
                c.execute(
                    "UPDATE audit_core SET record = replace(record, '\"t2\"', '\"t7\"') WHERE seq = 2",
                    [],
                )
                .map_err(db_err)
            })
            .unwrap();
        let e = verify(&store).unwrap().unwrap_err();
        assert!(e.reason.contains("audit-record-altered"), "{e}");
        store
            .with_conn(|c| {
                c.execute(
                    "UPDATE audit SET record = replace(record, 't1', 't9') WHERE seq = 2",
                    [],
                )
                .map_err(db_err)
            })
            .unwrap();
        assert_eq!(verify(&store).unwrap().unwrap_err().seq, 2);
        store
            .with_conn(|c| {
                c.execute("DELETE FROM audit WHERE seq = 2", [])
                    .map_err(db_err)
            })
            .unwrap();
        assert_eq!(verify(&store).unwrap().unwrap_err().seq, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
