//! File, stdin/stdout and time helpers shared by the subcommands. Every failure is an
//! [`Error::Input`] with a stable code (listed in `docs/cli.md`).

use std::io::{Read, Write};
use std::path::Path;

use time::OffsetDateTime;

use crate::{Error, Result};

/// A file could not be read.
pub(super) const FILE_UNREADABLE: &str = "file-unreadable";
/// A file is larger than the subcommand accepts.
pub(super) const FILE_TOO_LARGE: &str = "file-too-large";
/// Output could not be written.
pub(super) const OUTPUT_FAILED: &str = "output-failed";
/// A `--now` / `--at` value is not an RFC 3339 time.
pub(super) const TIME_INVALID: &str = "time-invalid";

/// Largest input file (message, request, key …) any subcommand reads: 64 MiB.
pub(super) const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Read a whole file, or stdin when `path` is `-`, refusing more than [`MAX_INPUT_BYTES`].
/// `what` names the file in messages ("request", "message" …).
pub(super) fn read_input(path: &Path, what: &str) -> Result<Vec<u8>> {
    let unreadable = |e: std::io::Error| {
        Error::input(
            FILE_UNREADABLE,
            format!("cannot read {what} {}: {e}", path.display()),
        )
    };
    let mut buf = Vec::new();
    let n = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(unreadable)?
    } else {
        std::fs::File::open(path)
            .map_err(unreadable)?
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(unreadable)?
    };
    if n as u64 > MAX_INPUT_BYTES {
        return Err(Error::input(
            FILE_TOO_LARGE,
            format!(
                "{what} {} is larger than {MAX_INPUT_BYTES} octets",
                path.display()
            ),
        ));
    }
    Ok(buf)
}

/// Write a file (creating or truncating it).
pub(super) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| {
        Error::input(
            OUTPUT_FAILED,
            format!("cannot write {}: {e}", path.display()),
        )
    })
}

/// Create a directory and its parents.
pub(super) fn create_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| {
        Error::input(
            OUTPUT_FAILED,
            format!("cannot create directory {}: {e}", path.display()),
        )
    })
}

/// Write bytes to stdout.
pub(super) fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::input(OUTPUT_FAILED, format!("cannot write to stdout: {e}")))
}

/// Pretty JSON with a final newline.
pub(super) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::input(OUTPUT_FAILED, format!("cannot serialise JSON: {e}")))?;
    v.push(b'\n');
    Ok(v)
}

/// Print a value as pretty JSON on stdout.
pub(super) fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    write_stdout(&to_json(value)?)
}

/// Parse an RFC 3339 time given on the command line (`flag` names it in messages).
pub(super) fn parse_time(flag: &str, value: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).map_err(|e| {
        Error::input(
            TIME_INVALID,
            format!("{flag} {value:?} is not an RFC 3339 time: {e}"),
        )
    })
}

/// The time of `flag` when it is given (`time-invalid` when it is not RFC 3339): a request's
/// optional time, which the core resolves against the caller's clock.
pub(super) fn optional_time(flag: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>> {
    value.map(|v| parse_time(flag, v)).transpose()
}

/// The given time, or the system clock (the CLI is where the clock is read; the core takes
/// time as a parameter).
pub(super) fn time_or_now(flag: &str, value: Option<&str>) -> Result<OffsetDateTime> {
    match value {
        Some(v) => parse_time(flag, v),
        None => Ok(OffsetDateTime::now_utc()),
    }
}
