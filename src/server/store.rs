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

use super::msginfo::message_info;
use super::Error;

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
CREATE TABLE IF NOT EXISTS queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  raw BLOB NOT NULL,
  txn TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
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

    /// Messages of `owner` in `folder`, newest first.
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
            out.push(summary(id, folder, size, &head, env, received_at));
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

    /// Queue a transaction (inside a transaction).
    pub fn enqueue(
        tx: &Transaction<'_>,
        raw: &[u8],
        transaction_json: &str,
        not_before: i64,
    ) -> Result<i64, Error> {
        tx.execute(
            "INSERT INTO queue(raw, txn, not_before) VALUES (?1, ?2, ?3)",
            params![blob_size(raw)?, transaction_json, not_before],
        )
        .map_err(db_err)?;
        let id = tx.last_insert_rowid();
        write_blob(tx, "queue", id, raw)?;
        Ok(id)
    }

    /// The ids of at most `limit` queue items due at `now`, oldest first; each item's bytes
    /// are read when it is processed ([`Store::queue_item`]), one message at a time.
    pub fn due_ids(&self, now: i64, limit: usize) -> Result<Vec<i64>, Error> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT id FROM queue WHERE not_before <= ?1 ORDER BY id LIMIT ?2")
            .map_err(db_err)?;
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

fn read_queue_item(conn: &Connection, id: i64) -> Result<Option<QueueItem>, Error> {
    conn.query_row(
        "SELECT id, raw, txn, attempts FROM queue WHERE id = ?1",
        params![id],
        |r| {
            Ok(QueueItem {
                id: r.get(0)?,
                raw: r.get(1)?,
                transaction: r.get(2)?,
                attempts: r.get(3)?,
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
        envelope: envelope.and_then(|e| serde_json::from_str(&e).ok()),
    }
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

    #[test]
    fn blob_io_round_trip_and_summaries_from_the_header_section() {
        let dir = std::env::temp_dir().join(format!("mmhs-store-blob-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&dir.join("mail.sqlite")).unwrap();
        // A body well beyond what a listing reads.
        let mut raw = b"From: <a@army.example>\r\nSubject: big\r\n\r\n".to_vec();
        while raw.len() < 3 * SUMMARY_READ {
            raw.extend_from_slice(b"0123456789abcdef0123456789abcdef\r\n");
        }
        let id = store.put("b@navy.example", "Inbox", &raw, None, 1).unwrap();
        store
            .transaction(|tx| Store::enqueue(tx, &raw, "{}", 1).map(|_| ()))
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
}
