//! The mailbox store: per-user folders of raw messages, the outbound/held queue and the
//! audit table, in one SQLite file (`<data>/mail.sqlite`, rusqlite with bundled SQLite).
//!
//! Durability: WAL journal with `synchronous=FULL`, so a transaction is on disk when
//! `commit()` returns. The SMTP agent commits the delivery transaction *before* replying
//! 250 (RFC 5321 §6.1: a 250 reply to DATA is a promise to deliver).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use std::io::{Read, Write};

use rusqlite::blob::ZeroBlob;
use rusqlite::{params, Connection, OptionalExtension, Transaction, MAIN_DB};
use serde::Serialize;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::msginfo::message_info;
use super::Error;
use crate::fields::mt_priority;
use crate::fields::mt_priority::stanag4406_level;
use crate::fields::precedence::Precedence;

/// Well-known folder names.
pub mod folders {
    /// Delivered mail.
    pub const INBOX: &str = "Inbox";
    /// Copies of what the user submitted through the webmail.
    pub const SENT: &str = "Sent";
    /// Release officers: messages waiting for authorisation (Draft & Release).
    pub const RELEASE: &str = "Release";
    /// Deleted messages (move target).
    pub const TRASH: &str = "Trash";
}

/// A folder with its message count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FolderInfo {
    /// Folder name.
    pub name: String,
    /// Number of messages.
    pub count: u64,
}

/// One stored message (without its bytes).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSummary {
    /// Store id.
    pub id: i64,
    /// Folder.
    pub folder: String,
    /// Unix seconds when stored.
    pub received_at: i64,
    /// Size in octets.
    pub size: i64,
    /// `Subject:`.
    pub subject: Option<String>,
    /// First `From:` address.
    pub from: Option<String>,
    /// `To:` addresses.
    pub to: Vec<String>,
    /// `Message-ID:`.
    pub message_id: Option<String>,
    /// `Date:` (RFC 3339).
    pub date: Option<String>,
    /// `MMHS-Primary-Precedence:` raw value, if any.
    pub primary_precedence: Option<String>,
    /// `SIO-Label:` raw value, if any.
    pub sio_label: Option<String>,
    /// The SMTP envelope the message arrived with (JSON), for Release-queue items.
    pub envelope: Option<serde_json::Value>,
    /// The MT-PRIORITY level the message is handled with under the STANAG4406 policy
    /// (RFC 6710 §5, Appendix A): from its precedence (primary, else copy;
    /// draft-melnikov-mmhs-profile-09 §3.2), else from the envelope's MT-PRIORITY, else 0.
    pub priority: i8,
    /// The delivery deadline (RFC 3339), the earlier of the envelope's DELIVERBY deadline
    /// (RFC 2852, `byDeadline` of Release-queue items) and the message's `Expires:`
    /// (RFC 2156; profile §3.4.17); `None` when neither is given.
    pub deadline: Option<String>,
    /// In the Sent folder: what became of a copy the submission agent diverted to a Release
    /// queue ([`crate::server::audit::release_status`]); absent for every other message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_status: Option<crate::server::audit::ReleaseStatus>,
}

/// A stored message with its bytes.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// Summary.
    pub summary: MessageSummary,
    /// Raw RFC 5322 bytes.
    pub raw: Vec<u8>,
}

/// A queued (held or to-be-relayed) transaction.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// Queue id.
    pub id: i64,
    /// Raw message.
    pub raw: Vec<u8>,
    /// Serialized [`super::smtp::Transaction`].
    pub transaction: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Whether the delay notice of an N-mode DELIVERBY deadline that passed was sent
    /// (RFC 2852 §4: once).
    pub by_notified: bool,
}

/// A Release-queue item whose DELIVERBY deadline has passed ([`Store::release_items_past_deadline`]).
#[derive(Debug, Clone)]
pub struct LateReleaseItem {
    /// Message id (one officer's copy).
    pub id: i64,
    /// The officer whose queue holds this copy.
    pub owner: String,
    /// The stored envelope JSON (`agent::envelope_json` with `byDeadline`).
    pub envelope: serde_json::Value,
    /// When it was diverted (unix seconds).
    pub received_at: i64,
    /// The drafted message.
    pub raw: Vec<u8>,
}

/// The store. One connection behind a mutex: the demo server's load is tiny and every
/// operation is a short transaction.
pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner TEXT NOT NULL,
  folder TEXT NOT NULL,
  raw BLOB NOT NULL,
  envelope TEXT,
  received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_owner_folder ON messages(owner, folder);
-- The Release-queue deadline sweep reads one folder across owners, every round.
CREATE INDEX IF NOT EXISTS messages_folder ON messages(folder);
CREATE TABLE IF NOT EXISTS queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  raw BLOB NOT NULL,
  txn TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  by_notified INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS dead_letter (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id INTEGER NOT NULL,
  raw BLOB NOT NULL,
  txn TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT NOT NULL,
  failed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  record TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_core (
  seq INTEGER PRIMARY KEY,
  record TEXT NOT NULL
);
-- A Sent copy's release status (audit::release_status) looks a message up by its
-- Message-ID in both logs; the expressions are the ones the queries use.
CREATE INDEX IF NOT EXISTS audit_mm ON audit(json_extract(record, '$.mmIdentification'));
CREATE INDEX IF NOT EXISTS audit_core_mm ON audit_core(json_extract(record, '$.attributes.mmIdentification'));
CREATE INDEX IF NOT EXISTS audit_core_seq ON audit(json_extract(record, '$.coreSeq'));
";

pub(crate) fn db_err(e: rusqlite::Error) -> Error {
    Error::Db(e.to_string())
}

/// Octets of a message read for its summary ([`Store::list`]): the header section is all a
/// summary needs, and a folder of large messages must not be read whole to list it.
pub const SUMMARY_READ: usize = 256 * 1024;

/// A `zeroblob(n)` of `raw`'s size, to be filled by [`write_blob`].
fn blob_size(raw: &[u8]) -> Result<ZeroBlob, Error> {
    i32::try_from(raw.len())
        .map(ZeroBlob)
        .map_err(|_| Error::Db("message too large for the store".into()))
}

/// Write `raw` into the `raw` column of row `id` of `table` through SQLite's incremental
/// blob I/O (`sqlite3_blob_write`): the bytes go from the caller's buffer to the pages, where
/// binding them as a parameter would first make SQLite's own copy of the whole message.
fn write_blob(tx: &Transaction<'_>, table: &str, id: i64, raw: &[u8]) -> Result<(), Error> {
    let mut blob = tx
        .blob_open(MAIN_DB, table, "raw", id, false)
        .map_err(db_err)?;
    blob.write_all(raw)
        .map_err(|e| Error::Db(format!("writing the message: {e}")))
}

impl Store {
    /// Open (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, Error> {
        // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the
        // database file's mode (src/os_unix.c, findCreateFileMode).
        super::private_file::ensure_private_file(path)?;
        let conn = Connection::open(path).map_err(db_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db_err)?;
        conn.execute_batch(SCHEMA).map_err(db_err)?;
        migrate_queue_columns(&conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A poisoned lock only means another thread panicked mid-call; SQLite rolled back
        // its open transaction, so the connection itself is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `f` in one transaction and commit it (durably) before returning.
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(db_err)?;
        let out = f(&tx)?;
        tx.commit().map_err(db_err)?;
        Ok(out)
    }

    /// Insert a message into `owner`'s `folder` (inside a transaction).
    pub fn insert_message(
        tx: &Transaction<'_>,
        owner: &str,
        folder: &str,
        raw: &[u8],
        envelope: Option<&serde_json::Value>,
        now: i64,
    ) -> Result<i64, Error> {
        let env = envelope.map(|e| e.to_string());
        tx.execute(
            "INSERT INTO messages(owner, folder, raw, envelope, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![owner.to_ascii_lowercase(), folder, blob_size(raw)?, env, now],
        )
        .map_err(db_err)?;
        let id = tx.last_insert_rowid();
        write_blob(tx, "messages", id, raw)?;
        Ok(id)
    }

    /// Convenience: insert one message in its own transaction.
    pub fn put(
        &self,
        owner: &str,
        folder: &str,
        raw: &[u8],
        envelope: Option<&serde_json::Value>,
        now: i64,
    ) -> Result<i64, Error> {
        self.transaction(|tx| Self::insert_message(tx, owner, folder, raw, envelope, now))
    }

    /// Folders of `owner` with counts; the standard folders are always listed.
    pub fn folders(&self, owner: &str, officer: bool) -> Result<Vec<FolderInfo>, Error> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT folder, COUNT(*) FROM messages WHERE owner = ?1 GROUP BY folder")
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![owner.to_ascii_lowercase()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(db_err)?;
        let mut counts: Vec<(String, i64)> = Vec::new();
        for r in rows {
            counts.push(r.map_err(db_err)?);
        }
        let mut names: Vec<&str> = vec![folders::INBOX, folders::SENT];
        if officer {
            names.push(folders::RELEASE);
        }
        names.push(folders::TRASH);
        let mut out: Vec<FolderInfo> = names
            .iter()
            .map(|n| FolderInfo {
                name: n.to_string(),
                count: counts
                    .iter()
                    .find(|(f, _)| f == n)
                    .map(|(_, c)| *c as u64)
                    .unwrap_or(0),
            })
            .collect();
        for (f, c) in counts {
            if !out.iter().any(|x| x.name == f) {
                out.push(FolderInfo {
                    name: f,
                    count: c as u64,
                });
            }
        }
        Ok(out)
    }

    /// Messages of `owner` in `folder`, newest first; the Release queue
    /// ([`folders::RELEASE`]) in the order an officer works it: highest precedence first
    /// ([`MessageSummary::priority`]), then longest waiting (draft-melnikov-mmhs-profile-09
    /// §6.1 item 5 applied to the drafts awaiting release).
    pub fn list(&self, owner: &str, folder: &str) -> Result<Vec<MessageSummary>, Error> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT id, folder, length(raw), envelope, received_at FROM messages \
                 WHERE owner = ?1 AND folder = ?2 ORDER BY id DESC",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![owner.to_ascii_lowercase(), folder], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for r in rows {
            let (id, folder, size, env, received_at) = r.map_err(db_err)?;
            // The header section only (SUMMARY_READ), through blob I/O: `length(raw)` above
            // reads no content, and the prefix is read without loading the rest.
            let mut head = Vec::new();
            let blob = conn
                .blob_open(MAIN_DB, "messages", "raw", id, true)
                .map_err(db_err)?;
            blob.take(SUMMARY_READ as u64)
                .read_to_end(&mut head)
                .map_err(|e| Error::Db(format!("reading message {id}: {e}")))?;
            let mut m = summary(id, folder, size, &head, env, received_at);
            if m.folder == folders::SENT {
                if let Some(mid) = m.message_id.as_deref() {
                    m.release_status = super::audit::release_status(&conn, owner, mid)?;
                }
            }
            out.push(m);
        }
        if folder == folders::RELEASE {
            out.sort_by_key(|m| (std::cmp::Reverse(m.priority), m.received_at, m.id));
        }
        Ok(out)
    }

    /// One message of `owner`.
    pub fn get(&self, owner: &str, id: i64) -> Result<Option<StoredMessage>, Error> {
        let conn = self.lock();
        conn.query_row(
            "SELECT id, folder, raw, envelope, received_at FROM messages WHERE owner = ?1 AND id = ?2",
            params![owner.to_ascii_lowercase(), id],
            row_to_stored,
        )
        .optional()
        .map_err(db_err)
    }

    /// Move a message of `owner` to `folder`; false when there is no such message.
    pub fn move_to(&self, owner: &str, id: i64, folder: &str) -> Result<bool, Error> {
        let conn = self.lock();
        let n = conn
            .execute(
                "UPDATE messages SET folder = ?3 WHERE owner = ?1 AND id = ?2",
                params![owner.to_ascii_lowercase(), id, folder],
            )
            .map_err(db_err)?;
        Ok(n > 0)
    }

    /// Delete a message of `owner`; false when there is no such message.
    pub fn delete(&self, owner: &str, id: i64) -> Result<bool, Error> {
        let conn = self.lock();
        let n = conn
            .execute(
                "DELETE FROM messages WHERE owner = ?1 AND id = ?2",
                params![owner.to_ascii_lowercase(), id],
            )
            .map_err(db_err)?;
        Ok(n > 0)
    }

    /// Replace the bytes of a stored message (used by tests and tools that simulate
    /// tampering; the webmail itself never edits messages).
    pub fn replace_raw(&self, id: i64, raw: &[u8]) -> Result<bool, Error> {
        let conn = self.lock();
        let n = conn
            .execute(
                "UPDATE messages SET raw = ?2 WHERE id = ?1",
                params![id, raw],
            )
            .map_err(db_err)?;
        Ok(n > 0)
    }

    /// Queue a transaction (inside a transaction). `priority` is its MT-PRIORITY rounded
    /// by the STANAG4406 policy (RFC 6710 §5, Appendix A): the queue's first sort key.
    pub fn enqueue(
        tx: &Transaction<'_>,
        raw: &[u8],
        transaction_json: &str,
        not_before: i64,
        priority: i8,
    ) -> Result<i64, Error> {
        tx.execute(
            "INSERT INTO queue(raw, txn, not_before, priority) VALUES (?1, ?2, ?3, ?4)",
            params![blob_size(raw)?, transaction_json, not_before, priority],
        )
        .map_err(db_err)?;
        let id = tx.last_insert_rowid();
        write_blob(tx, "queue", id, raw)?;
        Ok(id)
    }

    /// The ids of at most `limit` queue items due at `now` in delivery order: highest
    /// MT-PRIORITY first (RFC 6710; draft-melnikov-mmhs-profile-09 §6.1 item 5: a FLASH
    /// or OVERRIDE message never waits behind ROUTINE ones), then oldest first (the id is the order of acceptance, kept
    /// across retries). Each item's bytes are read when it is processed
    /// ([`Store::queue_item`]), one message at a time.
    ///
    /// The `queue_due` index (`priority DESC, id, not_before`) gives the order without a
    /// sort and covers the due test, so the work is bounded by `limit` plus the not-yet-due
    /// items scanned past, never a sort of the whole queue.
    pub fn due_ids(&self, now: i64, limit: usize) -> Result<Vec<i64>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare(DUE_IDS_SQL).map_err(db_err)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![now, limit], |r| r.get(0))
            .map_err(db_err)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(db_err)?);
        }
        Ok(out)
    }

    /// One queue item with its bytes, or `None` when it is no longer queued.
    pub fn queue_item(&self, id: i64) -> Result<Option<QueueItem>, Error> {
        read_queue_item(&self.lock(), id)
    }

    /// Number of queued items.
    pub fn queue_len(&self) -> Result<i64, Error> {
        let conn = self.lock();
        conn.query_row("SELECT COUNT(*) FROM queue", [], |r| r.get(0))
            .map_err(db_err)
    }

    /// Remove a queue item (inside a transaction).
    pub fn dequeue(tx: &Transaction<'_>, id: i64) -> Result<(), Error> {
        tx.execute("DELETE FROM queue WHERE id = ?1", params![id])
            .map_err(db_err)?;
        Ok(())
    }

    /// Move a queue item that could not be processed to the `dead_letter` table (inside a
    /// transaction), keeping its bytes, transaction and `error` for the administrator;
    /// returns the item, or `None` when it is no longer queued.
    pub fn dead_letter(
        tx: &Transaction<'_>,
        id: i64,
        error: &str,
        now: i64,
    ) -> Result<Option<QueueItem>, Error> {
        let item = read_queue_item(tx, id)?;
        if let Some(item) = &item {
            tx.execute(
                "INSERT INTO dead_letter(queue_id, raw, txn, attempts, error, failed_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    item.id,
                    item.raw,
                    item.transaction,
                    item.attempts,
                    error,
                    now
                ],
            )
            .map_err(db_err)?;
            Self::dequeue(tx, id)?;
        }
        Ok(item)
    }

    /// Number of dead-lettered queue items.
    pub fn dead_letter_len(&self) -> Result<i64, Error> {
        let conn = self.lock();
        conn.query_row("SELECT COUNT(*) FROM dead_letter", [], |r| r.get(0))
            .map_err(db_err)
    }

    /// Mark a queue item's N-mode deadline notice as sent (inside a transaction).
    pub fn mark_by_notified(tx: &Transaction<'_>, id: i64) -> Result<(), Error> {
        tx.execute(
            "UPDATE queue SET by_notified = 1 WHERE id = ?1",
            params![id],
        )
        .map_err(db_err)?;
        Ok(())
    }

    /// At most `limit` Release-queue copies whose DELIVERBY deadline (`byDeadline` of the
    /// stored envelope, RFC 3339 UTC) is before `now_rfc3339` and that were not yet handled
    /// (`byNotified` unset), earliest deadline first. The copies of one draft (one per
    /// officer) share the envelope's `transactionId`.
    pub fn release_items_past_deadline(
        &self,
        now_rfc3339: &str,
        limit: usize,
    ) -> Result<Vec<LateReleaseItem>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare(RELEASE_LATE_SQL).map_err(db_err)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![folders::RELEASE, now_rfc3339, limit], |r| {
                let env: String = r.get(2)?;
                Ok(LateReleaseItem {
                    id: r.get(0)?,
                    owner: r.get(1)?,
                    envelope: serde_json::from_str(&env).unwrap_or(serde_json::Value::Null),
                    received_at: r.get(3)?,
                    raw: r.get(4)?,
                })
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(db_err)?);
        }
        Ok(out)
    }

    /// The owners of the Release-queue copies of the draft with transaction id `txid`
    /// (inside a transaction).
    pub fn release_copies(tx: &Transaction<'_>, txid: &str) -> Result<Vec<String>, Error> {
        let mut stmt = tx
            .prepare(
                "SELECT owner FROM messages WHERE folder = ?1 AND json_valid(envelope) \
                 AND json_extract(envelope, '$.transactionId') = ?2 ORDER BY id",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![folders::RELEASE, txid], |r| r.get(0))
            .map_err(db_err)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(db_err)?);
        }
        Ok(out)
    }

    /// Remove every Release-queue copy of the draft `txid` (inside a transaction); returns
    /// how many.
    pub fn remove_release_copies(tx: &Transaction<'_>, txid: &str) -> Result<usize, Error> {
        tx.execute(
            "DELETE FROM messages WHERE folder = ?1 AND json_valid(envelope) \
             AND json_extract(envelope, '$.transactionId') = ?2",
            params![folders::RELEASE, txid],
        )
        .map_err(db_err)
    }

    /// Mark every Release-queue copy of the draft `txid` as notified of its passed deadline
    /// (`byNotified` in the envelope; inside a transaction).
    pub fn mark_release_notified(tx: &Transaction<'_>, txid: &str) -> Result<(), Error> {
        tx.execute(
            "UPDATE messages SET envelope = json_set(envelope, '$.byNotified', json('true')) \
             WHERE folder = ?1 AND json_valid(envelope) \
             AND json_extract(envelope, '$.transactionId') = ?2",
            params![folders::RELEASE, txid],
        )
        .map_err(db_err)?;
        Ok(())
    }

    /// Mark one Release-queue copy as handled (an envelope that cannot be read back: the
    /// sweep must not return to it every round; inside a transaction).
    pub fn mark_release_item_notified(tx: &Transaction<'_>, id: i64) -> Result<(), Error> {
        tx.execute(
            "UPDATE messages SET envelope = json_set(envelope, '$.byNotified', json('true')) \
             WHERE id = ?1 AND folder = ?2 AND json_valid(envelope)",
            params![id, folders::RELEASE],
        )
        .map_err(db_err)?;
        Ok(())
    }

    /// Record a failed attempt and push the item back.
    pub fn defer(&self, id: i64, not_before: i64, error: &str) -> Result<(), Error> {
        let conn = self.lock();
        conn.execute(
            "UPDATE queue SET attempts = attempts + 1, not_before = ?2, last_error = ?3 WHERE id = ?1",
            params![id, not_before, error],
        )
        .map_err(db_err)?;
        Ok(())
    }

    /// Run `f` with the connection (audit module).
    pub fn with_conn<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let conn = self.lock();
        f(&conn)
    }
}

/// [`Store::release_items_past_deadline`]'s query (named for the query-plan test): the
/// `messages_folder` index keeps it to the Release folder's rows.
const RELEASE_LATE_SQL: &str = "SELECT id, owner, envelope, received_at, raw FROM messages \
     INDEXED BY messages_folder \
     WHERE folder = ?1 AND envelope IS NOT NULL AND json_valid(envelope) \
     AND json_type(envelope, '$.byDeadline') = 'text' \
     AND json_extract(envelope, '$.byDeadline') < ?2 \
     AND json_extract(envelope, '$.byNotified') IS NULL \
     ORDER BY json_extract(envelope, '$.byDeadline'), id LIMIT ?3";

/// [`Store::due_ids`]'s query (named for the query-plan test).
const DUE_IDS_SQL: &str = "SELECT id FROM queue INDEXED BY queue_due WHERE not_before <= ?1 \
     ORDER BY priority DESC, id LIMIT ?2";

/// Add the queue's `priority` and `by_notified` columns to a store created before they
/// existed (SQLite's `CREATE TABLE IF NOT EXISTS` leaves an existing table as it is), then its
/// index. Items queued before get 0: the SMTP default priority (RFC 6710 §3), and no
/// deadline notice sent.
fn migrate_queue_columns(conn: &Connection) -> Result<(), Error> {
    for column in ["priority", "by_notified"] {
        let has: bool = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('queue') WHERE name = ?1",
                params![column],
                |r| r.get::<_, i64>(0),
            )
            .map_err(db_err)?
            > 0;
        if !has {
            conn.execute_batch(&format!(
                "ALTER TABLE queue ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0"
            ))
            .map_err(db_err)?;
        }
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS queue_due ON queue(priority DESC, id, not_before)",
    )
    .map_err(db_err)
}

fn read_queue_item(conn: &Connection, id: i64) -> Result<Option<QueueItem>, Error> {
    conn.query_row(
        "SELECT id, raw, txn, attempts, by_notified FROM queue WHERE id = ?1",
        params![id],
        |r| {
            Ok(QueueItem {
                id: r.get(0)?,
                raw: r.get(1)?,
                transaction: r.get(2)?,
                attempts: r.get(3)?,
                by_notified: r.get::<_, i64>(4)? != 0,
            })
        },
    )
    .optional()
    .map_err(db_err)
}

/// The summary of a message from its header section (`head`: the message or a prefix of it
/// that holds the header section).
fn summary(
    id: i64,
    folder: String,
    size: i64,
    head: &[u8],
    envelope: Option<String>,
    received_at: i64,
) -> MessageSummary {
    let info = message_info(head);
    let envelope: Option<serde_json::Value> = envelope.and_then(|e| serde_json::from_str(&e).ok());
    let priority = handling_priority(&info, envelope.as_ref());
    let by_deadline = envelope
        .as_ref()
        .and_then(|e| e.get("byDeadline"))
        .and_then(|d| d.as_str())
        .and_then(|d| OffsetDateTime::parse(d, &Rfc3339).ok())
        .map(|d| d.unix_timestamp());
    let deadline = [by_deadline, info.expires]
        .into_iter()
        .flatten()
        .min()
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| t.format(&Rfc3339).ok());
    MessageSummary {
        id,
        folder,
        received_at,
        size,
        subject: info.subject,
        from: info.from,
        to: info.to,
        message_id: info.message_id,
        date: info.date,
        primary_precedence: info.primary_precedence,
        sio_label: info.sio_label,
        envelope,
        priority,
        deadline,
        release_status: None,
    }
}

/// [`MessageSummary::priority`]: the STANAG4406 level of the message's precedence (primary,
/// else copy; `crate::fields::mt_priority::derive`), else of the envelope's MT-PRIORITY, else 0
/// (RFC 6710 §3: no priority means 0).
fn handling_priority(
    info: &super::msginfo::MessageInfo,
    envelope: Option<&serde_json::Value>,
) -> i8 {
    let precedence = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<Precedence>().ok());
    let from_envelope = || {
        envelope
            .and_then(|e| e.pointer("/mailParams/mtPriority"))
            .and_then(|p| p.as_i64())
            .and_then(|p| i8::try_from(p).ok())
            .filter(|p| (-9..=9).contains(p))
    };
    mt_priority::derive(
        precedence(&info.primary_precedence),
        precedence(&info.copy_precedence),
    )
    .or_else(from_envelope)
    .map(stanag4406_level)
    .unwrap_or(0)
}

fn row_to_stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    let raw: Vec<u8> = r.get(2)?;
    let size = i64::try_from(raw.len()).unwrap_or(i64::MAX);
    let summary = summary(r.get(0)?, r.get(1)?, size, &raw, r.get(3)?, r.get(4)?);
    Ok(StoredMessage { summary, raw })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory of this test's own (the test removes it when done).
    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mmhs-store-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A store in a [`temp_dir`].
    fn temp_store(name: &str) -> (std::path::PathBuf, Store) {
        let dir = temp_dir(name);
        let store = Store::open(&dir.join("mail.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn blob_io_round_trip_and_summaries_from_the_header_section() {
        let (dir, store) = temp_store("blob");
        // A body well beyond what a listing reads.
        let mut raw = b"From: <a@army.example>\r\nSubject: big\r\n\r\n".to_vec();
        while raw.len() < 3 * SUMMARY_READ {
            raw.extend_from_slice(b"0123456789abcdef0123456789abcdef\r\n");
        }
        let id = store.put("b@navy.example", "Inbox", &raw, None, 1).unwrap();
        store
            .transaction(|tx| Store::enqueue(tx, &raw, "{}", 1, 0).map(|_| ()))
            .unwrap();
        let list = store.list("b@navy.example", "Inbox").unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            list[0].size,
            raw.len() as i64,
            "the whole size, not the part read"
        );
        assert_eq!(list[0].subject.as_deref(), Some("big"));
        let got = store.get("b@navy.example", id).unwrap().unwrap();
        assert_eq!(got.raw, raw, "written through blob I/O byte for byte");
        let due = store.due_ids(1, 10).unwrap();
        assert_eq!(due.len(), 1);
        let item = store.queue_item(due[0]).unwrap().unwrap();
        assert_eq!(item.raw, raw);
        assert!(store.queue_item(due[0] + 1).unwrap().is_none());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn due_items_by_priority_then_age_through_the_index() {
        let (dir, store) = temp_store("due");
        // (priority, not_before): ROUTINE -2, FLASH 4, OVERRIDE 6, DEFERRED -4.
        let items = [
            (-2, 10), // 1: routine, oldest
            (-2, 10), // 2: routine
            (4, 10),  // 3: flash
            (6, 99),  // 4: override held until 99: not due at 50, however high
            (-4, 10), // 5: deferred
            (4, 10),  // 6: flash, younger than 3
            (-2, 10), // 7: routine
        ];
        let ids: Vec<i64> = store
            .transaction(|tx| {
                items
                    .iter()
                    .map(|(p, nb)| Store::enqueue(tx, b"x", "{}", *nb, *p))
                    .collect()
            })
            .unwrap();
        let pick = |i: usize| ids[i - 1];
        assert_eq!(
            store.due_ids(50, 100).unwrap(),
            vec![pick(3), pick(6), pick(1), pick(2), pick(7), pick(5)]
        );
        // The limit bounds the answer, and it keeps the order's head.
        assert_eq!(store.due_ids(50, 2).unwrap(), vec![pick(3), pick(6)]);
        // Once due, the held OVERRIDE message goes first.
        assert_eq!(store.due_ids(99, 1).unwrap(), vec![pick(4)]);
        assert!(store.due_ids(9, 100).unwrap().is_empty());
        // The order comes from the index, not from sorting the whole queue.
        let plan: Vec<String> = store
            .with_conn(|c| {
                let mut st = c
                    .prepare(&format!("EXPLAIN QUERY PLAN {DUE_IDS_SQL}"))
                    .map_err(db_err)?;
                let rows = st
                    .query_map(params![50, 10], |r| r.get::<_, String>(3))
                    .map_err(db_err)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
            })
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains("queue_due"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_store_from_before_the_priority_column_is_migrated() {
        let dir = temp_dir("mig");
        let path = dir.join("mail.sqlite");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE queue (id INTEGER PRIMARY KEY AUTOINCREMENT, raw BLOB NOT NULL, \
                 txn TEXT NOT NULL, not_before INTEGER NOT NULL, \
                 attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT); \
                 INSERT INTO queue(raw, txn, not_before) VALUES (x'00', '{}', 1);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let flash = store
            .transaction(|tx| Store::enqueue(tx, b"x", "{}", 1, 4))
            .unwrap();
        // The old item has the default priority 0 and waits behind FLASH, and no deadline
        // notice sent yet.
        assert_eq!(store.due_ids(1, 10).unwrap(), vec![flash, 1]);
        assert!(!store.queue_item(1).unwrap().unwrap().by_notified);
        store
            .transaction(|tx| Store::mark_by_notified(tx, 1))
            .unwrap();
        assert!(store.queue_item(1).unwrap().unwrap().by_notified);
        drop(store);
        // Opening again changes nothing.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.due_ids(1, 10).unwrap(), vec![flash, 1]);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn release_items_past_their_deadline_once_per_draft_copy() {
        let (dir, store) = temp_store("late");
        let raw = b"From: <alice@army.example>\r\nSubject: d\r\n\r\nbody\r\n";
        let put = |owner: &str, env: serde_json::Value| {
            store
                .put(owner, folders::RELEASE, raw, Some(&env), 1)
                .unwrap()
        };
        let env = |id: &str, deadline: Option<&str>| {
            let mut v = serde_json::json!({"transactionId": id, "mailFrom": "alice@army.example"});
            if let Some(d) = deadline {
                v["byDeadline"] = serde_json::json!(d);
            }
            v
        };
        // One draft in two officers' queues, one not yet due, one without a deadline, one
        // whose deadline is not a string, and an Inbox message with a past deadline.
        put("o1@army.example", env("t1", Some("2026-01-01T00:00:00Z")));
        put("o2@army.example", env("t1", Some("2026-01-01T00:00:00Z")));
        put("o1@army.example", env("t2", Some("2027-01-01T00:00:00Z")));
        put("o1@army.example", env("t3", None));
        put(
            "o1@army.example",
            serde_json::json!({"transactionId": "t4", "byDeadline": 5}),
        );
        store
            .put(
                "o1@army.example",
                folders::INBOX,
                raw,
                Some(&env("t5", Some("2026-01-01T00:00:00Z"))),
                1,
            )
            .unwrap();
        let now = "2026-06-01T00:00:00Z";
        let late = store.release_items_past_deadline(now, 10).unwrap();
        let ids: Vec<&str> = late
            .iter()
            .map(|l| l.envelope["transactionId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["t1", "t1"]);
        store
            .transaction(|tx| {
                assert_eq!(
                    Store::release_copies(tx, "t1")?,
                    ["o1@army.example", "o2@army.example"]
                );
                Store::mark_release_notified(tx, "t1")
            })
            .unwrap();
        assert!(store
            .release_items_past_deadline(now, 10)
            .unwrap()
            .is_empty());
        // Marked, not removed: still in both queues.
        assert_eq!(
            store
                .list("o2@army.example", folders::RELEASE)
                .unwrap()
                .len(),
            1
        );
        let n = store
            .transaction(|tx| Store::remove_release_copies(tx, "t1"))
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            store
                .list("o1@army.example", folders::RELEASE)
                .unwrap()
                .len(),
            3
        );
        // Later, t2 is due too; the limit bounds each read.
        let later = store
            .release_items_past_deadline("2028-01-01T00:00:00Z", 1)
            .unwrap();
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].envelope["transactionId"], "t2");
        // The read goes through the folder index.
        let plan: Vec<String> = {
            let conn = store.lock();
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {RELEASE_LATE_SQL}"))
                .unwrap();
            stmt.query_map(params![folders::RELEASE, now, 10], |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
        };
        assert!(plan.join("\n").contains("messages_folder"), "{plan:?}");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn release_queue_by_precedence_then_waiting_time_with_deadlines() {
        let (dir, store) = temp_store("rel");
        let officer = "officer@army.example";
        let draft = |subject: &str, extra: &str| {
            format!("From: <alice@army.example>\r\nSubject: {subject}\r\n{extra}\r\nbody\r\n")
        };
        let env = |v: serde_json::Value| Some(v);
        // Put in an order that is neither the expected one nor its reverse.
        let put = |subject: &str, extra: &str, e: Option<serde_json::Value>, at: i64| {
            store
                .put(
                    officer,
                    folders::RELEASE,
                    draft(subject, extra).as_bytes(),
                    e.as_ref(),
                    at,
                )
                .unwrap()
        };
        put(
            "routine-old",
            "MMHS-Primary-Precedence: 1 (routine)\r\n",
            None,
            100,
        );
        put(
            "flash-new",
            "MMHS-Primary-Precedence: flash\r\nExpires: Thu, 1 Jan 1970 01:00:00 +0000\r\n",
            env(serde_json::json!({"byDeadline": "1970-01-01T00:30:00Z"})),
            300,
        );
        put("routine-new", "MMHS-Primary-Precedence: 1\r\n", None, 200);
        put(
            "flash-old",
            "MMHS-Primary-Precedence: 4 (flash)\r\nExpires: Thu, 1 Jan 1970 00:10:00 +0000\r\n",
            None,
            250,
        );
        // No precedence field: the envelope's MT-PRIORITY (2: IMMEDIATE) orders it.
        put(
            "by-envelope",
            "",
            env(serde_json::json!({"mailParams": {"mtPriority": 2}})),
            50,
        );
        // A copy precedence only (no primary recipients): OVERRIDE.
        put(
            "override-copy",
            "MMHS-Copy-Precedence: override\r\n",
            None,
            400,
        );
        // Neither, and an out-of-range envelope value: 0 (PRIORITY level), not trusted as 99.
        put(
            "unmarked",
            "",
            env(serde_json::json!({"mailParams": {"mtPriority": 99}})),
            10,
        );
        let list = store.list(officer, folders::RELEASE).unwrap();
        let order: Vec<&str> = list.iter().filter_map(|m| m.subject.as_deref()).collect();
        assert_eq!(
            order,
            [
                "override-copy",
                "flash-old",
                "flash-new",
                "by-envelope",
                "unmarked",
                "routine-old",
                "routine-new"
            ]
        );
        let deadline = |s: &str| {
            list.iter()
                .find(|m| m.subject.as_deref() == Some(s))
                .and_then(|m| m.deadline.clone())
        };
        // The earlier of DELIVERBY and Expires.
        assert_eq!(
            deadline("flash-new").as_deref(),
            Some("1970-01-01T00:30:00Z")
        );
        assert_eq!(
            deadline("flash-old").as_deref(),
            Some("1970-01-01T00:10:00Z")
        );
        assert_eq!(deadline("routine-old"), None);
        // Other folders keep newest first.
        store
            .put(
                officer,
                folders::INBOX,
                draft("a", "MMHS-Primary-Precedence: 5\r\n").as_bytes(),
                None,
                1,
            )
            .unwrap();
        store
            .put(officer, folders::INBOX, draft("b", "").as_bytes(), None, 2)
            .unwrap();
        let inbox: Vec<String> = store
            .list(officer, folders::INBOX)
            .unwrap()
            .into_iter()
            .filter_map(|m| m.subject)
            .collect();
        assert_eq!(inbox, ["b", "a"]);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
