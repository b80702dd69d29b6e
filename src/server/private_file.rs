//! Files that hold secrets (config.json with password hashes, mail.sqlite, the release
//! policy, private keys and PKCS#12 files) are created readable by the owner only: the data
//! directory with mode 0700 and each file with mode 0600 **at creation** (`open(2)` with a
//! mode), written to a temporary file in the same directory and renamed into place
//! (`rename(2)` is atomic within one file system), so no other user ever sees a moment when
//! the file is readable or half written. Nothing is `chmod`-ed after writing.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use super::Error;

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io(format!("{}: {e}", path.display()))
}

fn private_open() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// Create `dir` (and missing parents) with mode 0700. An existing directory is left as it
/// is; [`is_private`] tells whether others can enter it.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| io(dir, e))
}

/// Whether only the owner may read `path` (always true off Unix).
pub(crate) fn is_private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Write `data` to `path` atomically, the file created with mode 0600 (module docs).
pub(crate) fn write_private(path: &Path, data: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut r = [0u8; 6];
    crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut r);
    let tmp = dir.join(format!(
        ".{name}.{}.tmp",
        r.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    let result = (|| {
        let mut f = private_open().open(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(data).map_err(|e| io(&tmp, e))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Create an empty file at `path` with mode 0600 unless it exists (SQLite then opens it and
/// gives its `-wal` and `-shm` files the database file's mode).
pub(crate) fn ensure_private_file(path: &Path) -> Result<(), Error> {
    match private_open().open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}
