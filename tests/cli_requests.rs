//! `--json REQUEST.json` of `release`, `release-gate`, `receipt` and `import-pkcs12`
//! (docs/cli.md "Requests"): the flags build the core's request type (`ReleaseOptions`,
//! `ReleaseGateRequest`, `MakeReceiptRequest`, `ImportPkcs12Request`), `--json` reads the same
//! type as the wasm facade does, so both forms give the same output; a request with an unknown
//! or misspelt member is refused with `request-invalid` before anything is produced.
//! Throwaway OpenSSL PKI made at test time (`support/pki.rs`).
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use support::cli::{error_code, json, mmhs, mmhs_ok};
use support::pki::{ok, Alg, Pki};

const AT: &str = "2030-01-01T00:00:00Z";
const DRAFTER: &str = "drafter@example.mil";
const OFFICER: &str = "officer@example.mil";
const BOB: &str = "bob@example.mil";

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let p = Pki::new(
            "cli-requests",
            &[
                ("drafter", DRAFTER, Alg::Ec),
                ("officer", OFFICER, Alg::Ec),
                ("bob", BOB, Alg::Ec),
            ],
        );
        p.write(
            "draft.eml",
            format!("From: Drafter <{DRAFTER}>\r\nTo: {BOB}\r\nSubject: Movement order\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <req-1@example.mil>\r\nMMHS-Primary-Precedence: 2 (priority)\r\nMMHS-Extended-Authorisation-Info: Mon, 1 Jan 2029 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nMove at dawn.\r\n").as_bytes(),
        );
        let signed = mmhs_ok(
            &p.dir,
            &[
                "sign", "draft.eml", "--key", "drafter.key", "--cert", "drafter.pem",
                "--receipt-request", "all", "--receipt-to", DRAFTER, "--at", AT,
            ],
        );
        p.write("signed-draft.eml", &signed);
        p
    })
}

fn text(p: &Pki, file: &str) -> String {
    String::from_utf8(std::fs::read(p.dir.join(file)).unwrap()).unwrap()
}

/// Run `args`, then the same command with `--json FILE` holding `request`; both must exit
/// alike and print the same bytes.
fn same_output(
    p: &Pki,
    name: &str,
    flags: &[&str],
    json_args: &[&str],
    request: serde_json::Value,
) -> Vec<u8> {
    let file = format!("{name}-request.json");
    p.write(&file, request.to_string().as_bytes());
    let by_flags = mmhs(&p.dir, flags);
    let mut args = json_args.to_vec();
    args.extend(["--json", &file]);
    let by_json = mmhs(&p.dir, &args);
    assert_eq!(
        by_flags.status.code(),
        by_json.status.code(),
        "{name}: {}\n{}",
        String::from_utf8_lossy(&by_flags.stderr),
        String::from_utf8_lossy(&by_json.stderr)
    );
    assert!(
        !by_flags.stdout.is_empty(),
        "{name}: {}",
        String::from_utf8_lossy(&by_flags.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&by_flags.stdout),
        String::from_utf8_lossy(&by_json.stdout),
        "{name}: the flags and --json give the same output"
    );
    by_json.stdout
}

#[test]
fn release_flags_and_json_give_the_same_result() {
    let p = pki();
    let officer = serde_json::json!({
        "pkcs8": text(p, "officer.key"),
        "certificate": text(p, "officer.pem"),
    });
    let ca = text(p, "ca.pem");
    for decision in ["review", "approve"] {
        let out = same_output(
            p,
            &format!("release-{decision}"),
            &[
                "release",
                "signed-draft.eml",
                "--key",
                "officer.key",
                "--cert",
                "officer.pem",
                "--trust",
                "ca.pem",
                "--decision",
                decision,
                "--at",
                AT,
                "--result-json",
            ],
            &["release", "signed-draft.eml", "--result-json"],
            serde_json::json!({
                "officer": officer,
                "trustAnchors": [ca],
                "decision": decision,
                "at": AT,
            }),
        );
        let r = json(&out);
        let want = if decision == "review" {
            "reviewed"
        } else {
            "released"
        };
        assert_eq!(r["outcome"], want, "{r:#}");
    }
    // the officer from the key flags, the rest from the request
    p.write(
        "release-keyless.json",
        serde_json::json!({ "trustAnchors": [ca], "decision": "review", "at": AT })
            .to_string()
            .as_bytes(),
    );
    let out = mmhs(
        &p.dir,
        &[
            "release",
            "signed-draft.eml",
            "--key",
            "officer.key",
            "--cert",
            "officer.pem",
            "--json",
            "release-keyless.json",
            "--result-json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stdout)["outcome"], "reviewed");
}

/// An officer given twice (in the request and by the key flags) or not at all is refused:
/// the CLI never guesses which key countersigns.
#[test]
fn release_request_names_exactly_one_officer() {
    let p = pki();
    let officer = serde_json::json!({
        "pkcs8": text(p, "officer.key"),
        "certificate": text(p, "officer.pem"),
    });
    let ca = text(p, "ca.pem");
    p.write(
        "release-twice.json",
        serde_json::json!({ "officer": officer, "trustAnchors": [ca], "decision": "approve", "at": AT })
            .to_string()
            .as_bytes(),
    );
    let out = mmhs(
        &p.dir,
        &[
            "release",
            "signed-draft.eml",
            "--key",
            "drafter.key",
            "--cert",
            "drafter.pem",
            "--json",
            "release-twice.json",
        ],
    );
    assert!(out.stdout.is_empty());
    assert_eq!(error_code(&out), "request-invalid");
    p.write(
        "release-none.json",
        serde_json::json!({ "trustAnchors": [ca], "decision": "approve", "at": AT })
            .to_string()
            .as_bytes(),
    );
    let out = mmhs(
        &p.dir,
        &["release", "signed-draft.eml", "--json", "release-none.json"],
    );
    assert!(out.stdout.is_empty());
    assert_eq!(error_code(&out), "request-invalid");
    // --json replaces the option flags: both at once is a usage error
    let out = mmhs(
        &p.dir,
        &[
            "release",
            "signed-draft.eml",
            "--json",
            "release-none.json",
            "--decision",
            "review",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn release_gate_flags_and_json_give_the_same_decision() {
    let p = pki();
    let ca = text(p, "ca.pem");
    let policy = serde_json::json!({ "officers": [OFFICER] });
    p.write("gate-policy.json", policy.to_string().as_bytes());
    let out = same_output(
        p,
        "gate",
        &[
            "release-gate",
            "signed-draft.eml",
            "--policy",
            "gate-policy.json",
            "--submitter",
            DRAFTER,
            "--rcpt",
            BOB,
            "--trust",
            "ca.pem",
            "--at",
            AT,
        ],
        &["release-gate", "signed-draft.eml", "--trust", "ca.pem"],
        serde_json::json!({
            "policy": policy,
            "submitter": DRAFTER,
            "recipients": [BOB],
            "at": AT,
        }),
    );
    let d = json(&out);
    assert_eq!(d["action"], "releaseQueue", "{d:#}");
    // the trust anchors may also travel in the request
    p.write(
        "gate-anchors.json",
        serde_json::json!({ "policy": policy, "submitter": DRAFTER, "recipients": [BOB], "at": AT, "trustAnchors": [ca] })
            .to_string()
            .as_bytes(),
    );
    let again = mmhs_ok(
        &p.dir,
        &[
            "release-gate",
            "signed-draft.eml",
            "--json",
            "gate-anchors.json",
        ],
    );
    assert_eq!(json(&again), d);
}

#[test]
fn receipt_flags_and_json_give_the_same_receipt() {
    let p = pki();
    let out = same_output(
        p,
        "receipt",
        &[
            "receipt",
            "signed-draft.eml",
            "--key",
            "bob.key",
            "--cert",
            "bob.pem",
            "--trust",
            "ca.pem",
            "--at",
            AT,
            "--message-id",
            "rcpt-1@example.mil",
        ],
        &[
            "receipt",
            "signed-draft.eml",
            "--key",
            "bob.key",
            "--cert",
            "bob.pem",
            "--trust",
            "ca.pem",
            "--at",
            AT,
        ],
        serde_json::json!({ "messageId": "rcpt-1@example.mil" }),
    );
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("smime-type=signed-receipt"), "{text}");
    assert!(text.contains("rcpt-1@example.mil"), "{text}");
}

#[test]
fn import_pkcs12_flags_and_json_import_the_same_key() {
    let p = pki();
    p.write("p12-pass.txt", b"p12 pass\n");
    p.write("export-pass.txt", b"export pass\n");
    ok(
        &p.dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "bob.key",
            "-in",
            "bob.pem",
            "-certfile",
            "ca.pem",
            "-passout",
            "pass:p12 pass",
            "-out",
            "bob-requests.p12",
        ],
    );
    let by_flags = json(&mmhs_ok(
        &p.dir,
        &[
            "import-pkcs12",
            "bob-requests.p12",
            "--password-file",
            "p12-pass.txt",
            "--export-password-file",
            "export-pass.txt",
            "--iterations",
            "10000",
            "--key-out",
            "flags.key",
        ],
    ));
    p.write(
        "import-request.json",
        br#"{"exportPassword": "export pass", "iterations": 10000}"#,
    );
    let by_json = json(&mmhs_ok(
        &p.dir,
        &[
            "import-pkcs12",
            "bob-requests.p12",
            "--password-file",
            "p12-pass.txt",
            "--json",
            "import-request.json",
            "--key-out",
            "json.key",
        ],
    ));
    // the encrypted key differs by its random salt and IV only: every other member is equal,
    // and both keys, opened with the export password, sign alike (ECDSA, RFC 6979; opaque
    // signed-data, so no random MIME boundary)
    for k in ["certificate", "chain", "emails", "subject"] {
        assert_eq!(by_flags[k], by_json[k], "{k}");
    }
    assert_ne!(by_flags["encryptedPkcs8"], by_json["encryptedPkcs8"]);
    let sign = |key: &str| {
        mmhs_ok(
            &p.dir,
            &[
                "sign",
                "draft.eml",
                "--key",
                key,
                "--cert",
                "bob.pem",
                "--password-file",
                "export-pass.txt",
                "--at",
                AT,
                "--opaque",
            ],
        )
    };
    assert_eq!(
        String::from_utf8_lossy(&sign("flags.key")),
        String::from_utf8_lossy(&sign("json.key"))
    );
}

/// Every request refuses what it does not know: a misspelt member must never be dropped
/// silently (an `exportPasword` would export under the PKCS#12 password, an `officr` would
/// countersign with another key).
#[test]
fn json_requests_refuse_unknown_members() {
    let p = pki();
    p.write("p12-pass.txt", b"p12 pass\n");
    ok(
        &p.dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "bob.key",
            "-in",
            "bob.pem",
            "-passout",
            "pass:p12 pass",
            "-out",
            "bob-unknown.p12",
        ],
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "release",
                "signed-draft.eml",
                "--key",
                "officer.key",
                "--cert",
                "officer.pem",
                "--trust",
                "ca.pem",
            ],
            r#"{"decision": "approve", "at": "2030-01-01T00:00:00Z", "officr": {}}"#,
        ),
        (
            &[
                "release",
                "signed-draft.eml",
                "--key",
                "officer.key",
                "--cert",
                "officer.pem",
                "--trust",
                "ca.pem",
            ],
            r#"{"decision": "maybe"}"#,
        ),
        (
            &[
                "release",
                "signed-draft.eml",
                "--key",
                "officer.key",
                "--cert",
                "officer.pem",
                "--trust",
                "ca.pem",
            ],
            r#"[]"#,
        ),
        (
            &["release-gate", "signed-draft.eml", "--trust", "ca.pem"],
            r#"{"submiter": "drafter@example.mil"}"#,
        ),
        (
            &["release-gate", "signed-draft.eml", "--trust", "ca.pem"],
            r#"{"recipients": "bob@example.mil"}"#,
        ),
        (
            &[
                "receipt",
                "signed-draft.eml",
                "--key",
                "bob.key",
                "--cert",
                "bob.pem",
                "--trust",
                "ca.pem",
            ],
            r#"{"messageId": "r@example.mil", "useSKI": true}"#,
        ),
        (
            &[
                "receipt",
                "signed-draft.eml",
                "--key",
                "bob.key",
                "--cert",
                "bob.pem",
                "--trust",
                "ca.pem",
            ],
            r#"{"date": "2030-01-01T00:00:00Z"}"#,
        ),
        (
            &[
                "import-pkcs12",
                "bob-unknown.p12",
                "--password-file",
                "p12-pass.txt",
            ],
            r#"{"exportPasword": "x"}"#,
        ),
        (
            &[
                "import-pkcs12",
                "bob-unknown.p12",
                "--password-file",
                "p12-pass.txt",
            ],
            r#"{"iterations": "many"}"#,
        ),
    ];
    for (i, (args, request)) in cases.iter().enumerate() {
        let file = format!("unknown-{i}.json");
        p.write(&file, request.as_bytes());
        let mut all = args.to_vec();
        all.extend(["--json", &file]);
        let out = mmhs(&p.dir, &all);
        assert!(
            out.stdout.is_empty(),
            "{} {request}: nothing is produced",
            args[0]
        );
        assert_eq!(error_code(&out), "request-invalid", "{} {request}", args[0]);
    }
}
