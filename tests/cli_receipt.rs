//! Signed receipts on the command line (RFC 2634 §2; MMHS profile §4.1.7): `mmhs sign
//! --receipt-request …` asks, `mmhs verify` shows the request, `mmhs receipt` answers (or
//! refuses with exit 1 and the refusal code on stderr), and `mmhs verify --original SENT`
//! checks the receipt against the sent message — exit 0 only when it proves receipt of that
//! message. Throwaway OpenSSL PKI made at test time (`support/pki.rs`).
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use support::attacks::now;
use support::pki::{Alg, Pki};

const ALICE: &str = "alice@army.example";
const BOB: &str = "bob@navy.example";
const CAROL: &str = "carol@army.example";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        Pki::new(
            "cli-receipt",
            &[
                ("alice", ALICE, Alg::Rsa),
                ("bob", BOB, Alg::Ec),
                ("carol", CAROL, Alg::Rsa),
            ],
        )
    })
}

fn at() -> String {
    now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn mmhs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmhs"))
        .args(args)
        .current_dir(&pki().dir)
        .stdin(Stdio::null())
        .output()
        .expect("run mmhs")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// alice's order to bob and carol, signed with the given receipt flags, written to `file`.
fn sent(file: &str, flags: &[&str]) {
    let p = pki();
    p.write(
        &format!("{file}.in"),
        format!("From: {ALICE}\r\nTo: {BOB}, {CAROL}\r\nSubject: Orders\r\nMessage-ID: <{file}@army.example>\r\nContent-Type: text/plain\r\n\r\nProceed.\r\n").as_bytes(),
    );
    let at = at();
    let mut args = vec![
        "sign",
        &*format!("{file}.in"),
        "--key",
        "alice.key",
        "--cert",
        "alice.pem",
        "--at",
        &at,
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    args.extend(flags.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = mmhs(&refs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.write(file, &out.stdout);
}

fn receipt(original: &str, who: &str, out_file: &str) -> Output {
    let at = at();
    let out = mmhs(&[
        "receipt",
        original,
        "--key",
        &format!("{who}.key"),
        "--cert",
        &format!("{who}.pem"),
        "--trust",
        "ca.pem",
        "--at",
        &at,
        "--message-id",
        "r1@navy.example",
    ]);
    if out.status.success() {
        pki().write(out_file, &out.stdout);
    }
    out
}

fn verify(file: &str, original: Option<&str>) -> (Option<i32>, serde_json::Value) {
    let at = at();
    let mut args = vec!["verify", file, "--trust", "ca.pem", "--at", &at];
    if let Some(o) = original {
        args.extend(["--original", o]);
    }
    let out = mmhs(&args);
    (out.status.code(), json(&out))
}

fn refusal(out: &Output) -> String {
    let line = String::from_utf8_lossy(&out.stderr);
    let v: serde_json::Value =
        serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{e}: {line}"));
    v["code"].as_str().unwrap_or_default().to_string()
}

#[test]
fn sign_request_receipt_and_verify_against_the_original() {
    sent(
        "order1.eml",
        &["--receipt-request", "all", "--receipt-to", ALICE],
    );
    let (code, r) = verify("order1.eml", None);
    assert_eq!(code, Some(0), "{r:#}");
    assert_eq!(r["receiptRequest"]["receiptsFrom"]["kind"], "all");
    assert_eq!(r["receiptRequest"]["receiptsTo"][0][0], ALICE);

    let out = receipt("order1.eml", "bob", "receipt1.eml");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, r) = verify("receipt1.eml", Some("order1.eml"));
    assert_eq!(code, Some(0), "{r:#}");
    assert_eq!(r["receipt"]["verified"], true);
    assert_eq!(r["receipt"]["from"][0], BOB);
    // Without the original, or against another message: exit 1.
    let (code, r) = verify("receipt1.eml", None);
    assert_eq!(code, Some(1));
    assert_eq!(r["problems"][0]["code"], "receipt-original-unknown");
    sent(
        "order2.eml",
        &["--receipt-request", "all", "--receipt-to", ALICE],
    );
    let (code, r) = verify("receipt1.eml", Some("order2.eml"));
    assert_eq!(code, Some(1));
    assert_eq!(r["problems"][0]["code"], "receipt-not-for-original");
}

#[test]
fn receipt_refusals_exit_1_with_their_code() {
    // receiptList names carol only.
    sent(
        "order3.eml",
        &[
            "--receipt-request",
            "list",
            "--receipt-from",
            CAROL,
            "--receipt-to",
            ALICE,
        ],
    );
    let out = receipt("order3.eml", "bob", "never.eml");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(refusal(&out), "receipt-refused-not-listed");
    assert!(out.stdout.is_empty());
    assert!(receipt("order3.eml", "carol", "receipt3.eml")
        .status
        .success());
    // No request.
    sent("order4.eml", &[]);
    let out = receipt("order4.eml", "bob", "never.eml");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(refusal(&out), "receipt-refused-not-requested");
    // A tampered original: no receipt.
    sent(
        "order5.eml",
        &["--receipt-request", "all", "--receipt-to", ALICE],
    );
    let tampered = pki().read("order5.eml").replace("Proceed.", "Retreat.");
    pki().write("order5-t.eml", tampered.as_bytes());
    let out = receipt("order5-t.eml", "bob", "never.eml");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(refusal(&out), "receipt-refused-invalid");
    // --receipt-from without `list`: unusable arguments.
    pki().write("order6.eml.in", b"From: alice@army.example\r\n\r\nx\r\n");
    let out = mmhs(&[
        "sign",
        "order6.eml.in",
        "--key",
        "alice.key",
        "--cert",
        "alice.pem",
        "--receipt-request",
        "all",
        "--receipt-from",
        BOB,
        "--receipt-to",
        ALICE,
    ]);
    assert_eq!(out.status.code(), Some(2));
}
