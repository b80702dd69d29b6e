//! The audit trail (draft-melnikov-mmhs-profile-09 §6.2 for the MSA, §7.2 for the MTA),
//! kept as a hash-chained log in the store's `audit` table.
//!
//! Profile §6.2 (MSA, submitted messages): MM Identification, Message Identification,
//! Submission Timestamp Indication, Priority. §7.2 (MTA, inbound/outbound): the same plus
//! Time of Transfer In / Out. Retention: at least ten days (we never delete).
//!
//! **Seam.** Issue 4 brings the core `release` audit record type and `verifyAuditLog`.
//! Until then the record is [`AuditRecord`] below, serialised as JSON; the chaining is
//! `hash = SHA-256(prev_hash_hex || "\n" || record_json)` with `prev_hash` of the first
//! record = 64 zeros. Swapping in the core type only changes what `record` holds.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::store::{db_err, Store};
use super::Error;

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
}

/// One audit record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// What happened.
    pub event: AuditEvent,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// MM Identification: the message's `Message-ID:`.
    pub mm_identification: Option<String>,
    /// Message Identification: the transfer identifier (our transaction id; ENVID if given).
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

/// Append a record inside an open connection/transaction.
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

/// Why a log failed verification. Code: `audit-chain-broken`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at record {seq}: {reason}")]
pub struct ChainError {
    /// First bad sequence number.
    pub seq: i64,
    /// What is wrong.
    pub reason: String,
}

/// Verify the whole chain: consecutive sequence numbers from 1, each `prev_hash` equal to
/// the previous record's hash, each hash recomputed. Returns the number of records.
/// Detects edits, deletions (gaps or broken links) and reordering; truncation of the tail
/// is detectable only against an externally kept head hash ([`head`]).
pub fn verify(store: &Store) -> Result<Result<i64, ChainError>, Error> {
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
        conn.query_row("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db_err)
    })
}

/// All records, oldest first.
pub fn records(store: &Store) -> Result<Vec<AuditRecord>, Error> {
    store.with_conn(|conn| {
        let mut stmt = conn
            .prepare("SELECT record FROM audit ORDER BY seq")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(db_err)?;
        let mut out = Vec::new();
        for r in rows {
            let s = r.map_err(db_err)?;
            if let Ok(rec) = serde_json::from_str(&s) {
                out.push(rec);
            }
        }
        Ok(out)
    })
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
            store.with_conn(|c| append(c, &rec(n))).unwrap();
        }
        assert_eq!(verify(&store).unwrap(), Ok(3));
        store
            .with_conn(|c| {
                c.execute("UPDATE audit SET record = replace(record, 't1', 't9') WHERE seq = 2", [])
                    .map_err(db_err)
            })
            .unwrap();
        assert_eq!(verify(&store).unwrap().unwrap_err().seq, 2);
        store
            .with_conn(|c| c.execute("DELETE FROM audit WHERE seq = 2", []).map_err(db_err))
            .unwrap();
        assert_eq!(verify(&store).unwrap().unwrap_err().seq, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
