//! Running the built `mmhs` binary in a test directory (native integration tests only):
//! exit 0 success / valid, 1 not valid, 2 unusable input with one JSON `{code, message}` line
//! on stderr (docs/cli.md); `mmhs verify` with its exit status and JSON report.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Run the binary in `dir`.
pub fn mmhs(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmhs"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run mmhs")
}

/// Run, expect exit 0, return stdout.
pub fn mmhs_ok(dir: &Path, args: &[&str]) -> Vec<u8> {
    stdout_of_success(&mmhs(dir, args))
}

/// The stdout of a run that must have exited 0.
pub fn stdout_of_success(out: &Output) -> Vec<u8> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.clone()
}

/// The code of the JSON error line of an exit-2 run.
pub fn error_code(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stderr);
    let v: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON error line");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    v["code"].as_str().expect("code").to_string()
}

/// Parse JSON output.
pub fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("JSON on stdout")
}

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
