//! The message being received (DATA, RFC 5321 §4.1.1.4; BDAT chunks, RFC 3030 §2): the
//! first [`MEMORY`] octets in memory, the rest streamed to a file of the spool directory
//! (`<data>/spool/`, emptied at start), so that many slow transfers cost disk, not memory.
//! At its end the message becomes a [`Spooled`], which the agent reads **once**, into one
//! buffer of exactly its size with the trace field in front, on the blocking pool and only
//! once a message slot is free (at most `blockingJobs` at a time,
//! [`crate::server::Agent::blocking`]): messages waiting for a slot hold disk, not memory.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

/// Octets kept in memory before spilling to the spool file.
pub(crate) const MEMORY: usize = 256 * 1024;
/// Octets always kept in memory: the DATA receiver may take back the last octet it stored
/// (the CR of the terminating CRLF "." CRLF).
const KEEP: usize = 16;

/// One message being received.
pub(crate) struct Spool {
    dir: PathBuf,
    buf: Vec<u8>,
    file: Option<(PathBuf, tokio::fs::File)>,
    spilled: usize,
}

impl Spool {
    /// An empty spool whose file, if one is needed, goes into `dir`.
    pub(crate) fn new(dir: &Path) -> Spool {
        Spool {
            dir: dir.to_path_buf(),
            buf: Vec::new(),
            file: None,
            spilled: 0,
        }
    }

    /// The in-memory tail, for the DATA/BDAT receivers to append to.
    pub(crate) fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Octets received so far.
    /// Nothing received.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.spilled.saturating_add(self.buf.len())
    }

    /// Move all but the last octets to the spool file once more than [`MEMORY`] are held.
    pub(crate) async fn spill(&mut self) -> std::io::Result<()> {
        if self.buf.len() <= MEMORY {
            return Ok(());
        }
        let n = self.buf.len() - KEEP;
        if self.file.is_none() {
            std::fs::create_dir_all(&self.dir)?;
            let mut name = [0u8; 12];
            crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut name);
            let name: String = name.iter().map(|b| format!("{b:02x}")).collect();
            let path = self.dir.join(name);
            let mut opts = tokio::fs::OpenOptions::new();
            opts.write(true).read(true).create_new(true);
            #[cfg(unix)]
            opts.mode(0o600);
            let f = opts.open(&path).await?;
            self.file = Some((path, f));
        }
        if let Some((_, f)) = &mut self.file {
            f.write_all(self.buf.get(..n).unwrap_or(&[])).await?;
        }
        self.buf.drain(..n);
        self.spilled = self.spilled.saturating_add(n);
        Ok(())
    }

    /// Forget what was received (and its file).
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.spilled = 0;
        self.remove_file();
    }

    /// The whole message, for [`Spooled::read_with_headroom`]; the spool is empty afterwards.
    pub(crate) async fn take(&mut self) -> std::io::Result<Spooled> {
        let tail = std::mem::take(&mut self.buf);
        let spilled = std::mem::replace(&mut self.spilled, 0);
        let Some((path, mut f)) = self.file.take() else {
            return Ok(Spooled {
                file: None,
                spilled: 0,
                tail,
            });
        };
        let flushed = f.flush().await;
        let file = f.into_std().await;
        // From here on the Spooled owns the file and removes it when dropped.
        let spooled = Spooled {
            file: Some((path, file)),
            spilled,
            tail,
        };
        flushed?;
        Ok(spooled)
    }

    fn remove_file(&mut self) {
        if let Some((path, f)) = self.file.take() {
            drop(f);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.remove_file();
    }
}

/// A message received whole: the octets spilled to its spool file, then the in-memory tail.
/// The file is removed when this is dropped.
pub struct Spooled {
    file: Option<(PathBuf, std::fs::File)>,
    spilled: usize,
    tail: Vec<u8>,
}

impl Spooled {
    /// A message held in memory only.
    pub fn from_memory(data: Vec<u8>) -> Spooled {
        Spooled {
            file: None,
            spilled: 0,
            tail: data,
        }
    }

    /// Its size in octets.
    pub fn len(&self) -> usize {
        self.spilled.saturating_add(self.tail.len())
    }

    /// Nothing received.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The message, read once into one buffer allocated with `headroom` more octets than
    /// it needs, for a trace field to go in front without a second copy. Blocking file I/O:
    /// call it on the blocking pool.
    pub fn read_with_headroom(mut self, headroom: usize) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        out.try_reserve_exact(self.len().saturating_add(headroom))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::OutOfMemory, e))?;
        if let Some((_, f)) = &mut self.file {
            f.seek(SeekFrom::Start(0))?;
            out.resize(self.spilled, 0);
            f.read_exact(&mut out)?;
        }
        out.extend_from_slice(&self.tail);
        Ok(out)
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        if let Some((path, f)) = self.file.take() {
            drop(f);
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spills_and_reads_back() {
        let dir = std::env::temp_dir().join(format!("mmhs-spool-{}", std::process::id()));
        let mut s = Spool::new(&dir);
        let chunk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        let mut want = Vec::new();
        for _ in 0..5 {
            s.buf().extend_from_slice(&chunk);
            want.extend_from_slice(&chunk);
            s.spill().await.unwrap();
        }
        assert!(s.buf().len() <= MEMORY);
        assert_eq!(s.len(), want.len());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let whole = s.take().await.unwrap();
        assert!(s.is_empty());
        assert_eq!(whole.len(), want.len());
        let read = whole.read_with_headroom(100).unwrap();
        assert_eq!(
            read.capacity(),
            want.len() + 100,
            "one allocation of the final size"
        );
        assert_eq!(read, want);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "file removed");
        // A message never read (its client answered before a slot was free): dropping it
        // removes its file.
        s.buf().extend_from_slice(&want);
        s.spill().await.unwrap();
        let unread = s.take().await.unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        drop(unread);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "file removed");
        s.buf().extend_from_slice(&want);
        s.spill().await.unwrap();
        s.clear();
        assert!(s.is_empty());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "file removed");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
