//! `mmhs compose` through the built binary: the golden request (tests/vectors/compose) gives
//! one file pair per copy with `--out`, the JSON array without, and bad requests exit 2 with
//! the compose error code.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};

const REQUEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/compose/golden-request.json"
);

fn mmhs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmhs"))
        .args(args)
        .output()
        .expect("run mmhs")
}

#[test]
fn compose_writes_one_pair_per_copy() {
    let dir = std::env::temp_dir().join(format!("mmhs-cli-compose-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let out = mmhs(&[
        "compose",
        REQUEST,
        "--out",
        d,
        "--now",
        "2026-11-23T12:00:00Z",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let copies = listed.as_array().unwrap();
    assert_eq!(copies.len(), 2, "{listed:#}");
    assert_eq!(copies[0]["kind"], "open");
    assert_eq!(copies[1]["kind"], "blind");
    assert_eq!(copies[0]["messageId"], copies[1]["messageId"]);
    let eml = std::fs::read_to_string(dir.join("01.eml")).unwrap();
    assert!(eml.contains("MMHS-Primary-Precedence"));
    assert!(
        !eml.contains("reviewer@army.example"),
        "Bcc not disclosed in the open copy"
    );
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("02.envelope.json")).unwrap()).unwrap();
    assert_eq!(env["rcpts"][0]["address"], "reviewer@army.example");

    // without --out: the ComposedMessage array (raw in base64), as the wasm compose returns
    let out = mmhs(&["compose", REQUEST, "--now", "2026-11-23T12:00:00Z"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v[0]["raw"].is_string() && v[0]["envelope"]["rcpts"].is_array());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_requests_exit_2_with_the_compose_code() {
    let dir = std::env::temp_dir().join(format!("mmhs-cli-compose-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let req = dir.join("bad.json");
    std::fs::write(
        &req,
        br#"{"from": "a@example.mil", "to": ["b@example.mil"], "primaryPrecedence": "soon", "body": "x"}"#,
    )
    .unwrap();
    let out = mmhs(&["compose", req.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["code"], "precedence-invalid");
    let _ = std::fs::remove_dir_all(&dir);
}
