//! The rules of the golden corpora (`tests/mmhs_inspect.rs`, `tests/verify_golden.rs`): every
//! input is checked with LF and with CRLF line ends (both occur in stored mail; RFC 5322 §2.1
//! requires CRLF on the wire), the actual JSON is compared with the expected file, a mismatch
//! writes `<name>.failed` (LF run) or `<name>.crlf.failed` beside it, and
//! `MMHS_UPDATE_GOLDEN=1` writes the expected files that are missing.

use std::path::Path;

/// Whether missing expected files are to be written (`MMHS_UPDATE_GOLDEN`).
pub fn update() -> bool {
    std::env::var_os("MMHS_UPDATE_GOLDEN").is_some()
}

/// `raw` with every CRLF turned into LF.
pub fn lf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, &b) in raw.iter().enumerate() {
        if !(b == b'\r' && raw.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// `raw` with every line ending in CRLF.
pub fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 20);
    for &b in &lf(raw) {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The two forms an input is checked in: (name, bytes, extension of the mismatch file).
pub fn line_end_variants(raw: &[u8]) -> [(&'static str, Vec<u8>, &'static str); 2] {
    [
        ("LF", lf(raw), "failed"),
        ("CRLF", crlf(raw), "crlf.failed"),
    ]
}

/// Compare `actual` with the JSON file `expected` (written first when missing and
/// [`update`]); on a mismatch write `actual` to `expected` with the extension `failed_ext`,
/// on a match remove that file. Whether they matched.
pub fn matches(expected: &Path, failed_ext: &str, actual: &serde_json::Value) -> bool {
    let pretty = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if !expected.exists() && update() {
        std::fs::write(expected, &pretty).unwrap();
    }
    let wanted: serde_json::Value = match std::fs::read(expected) {
        Ok(b) => serde_json::from_slice(&b).unwrap(),
        Err(_) => serde_json::Value::Null,
    };
    let failed = expected.with_extension(failed_ext);
    if wanted == *actual {
        let _ = std::fs::remove_file(&failed);
        true
    } else {
        std::fs::write(&failed, &pretty).unwrap();
        false
    }
}
