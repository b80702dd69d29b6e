//! Running `mmhs verify` from an integration test: the exit status and the JSON report.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};

/// `mmhs verify FILE --trust ca.pem --at AT [extra…]` in `dir`: the exit status and the report.
pub fn mmhs_verify(
    dir: &Path,
    file: &str,
    at: time::OffsetDateTime,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value) {
    let at = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mmhs"))
        .args(["verify", file, "--trust", "ca.pem", "--at", &at])
        .args(extra)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run mmhs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{file}: no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

/// Whether a JSON list of problems (or notes) carries `code`.
pub fn has_code(list: &serde_json::Value, code: &str) -> bool {
    list.as_array()
        .is_some_and(|a| a.iter().any(|p| p["code"] == code))
}
