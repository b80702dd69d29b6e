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

/// The JSON a command printed, after asserting it exited 0.
fn succeeded(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(out)
}

/// `mmhs mdn`: the read receipt (RFC 8098) a reader returns instead of a signed receipt — the
/// same JSON as wasm `makeMdn`; a request naming an injected address is unusable (exit 2).
#[test]
fn mdn_is_a_disposition_notification_with_a_null_reverse_path() {
    let p = pki();
    p.write(
        "mdn.json",
        br#"{"reader":"bob@navy.example","to":"alice@army.example","originalMessageId":"<o1@army.example>","originalSubject":"Orders","reportingUa":"mmhs-cli; test"}"#,
    );
    let out = mmhs(&["mdn", "mdn.json", "--now", &at(), "--out", "mdn.eml"]);
    let j = succeeded(&out);
    assert_eq!(j["envelope"]["mailFrom"], "");
    assert_eq!(j["envelope"]["rcpts"][0]["address"], ALICE);
    let raw = p.read("mdn.eml");
    assert!(raw.contains("Content-Type: multipart/report; report-type=disposition-notification;"));
    assert!(raw.contains("\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"));
    assert!(raw.contains("\r\nIn-Reply-To: <o1@army.example>\r\n"));
    // `mmhs inspect` reads it as an ordinary message
    let seen = json(&mmhs(&["inspect", "mdn.eml"]));
    assert_eq!(
        seen["subject"], "Disposition notification: Orders",
        "{seen}"
    );

    p.write(
        "mdn-bad.json",
        br#"{"reader":"bob@navy.example","to":"alice@army.example>\r\nRCPT TO:<eve@evil.example","reportingUa":"x"}"#,
    );
    let out = mmhs(&["mdn", "mdn-bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(refusal(&out), "header-crlf");
    p.write(
        "mdn-unknown.json",
        br#"{"reader":"bob@navy.example","to":"alice@army.example","reportingUa":"x","mailFrom":"eve@evil.example"}"#,
    );
    assert_eq!(mmhs(&["mdn", "mdn-unknown.json"]).status.code(), Some(2));
}

/// `mmhs certificate-info`: subject, fingerprint and addresses agree with `openssl x509`.
#[test]
fn certificate_info_agrees_with_openssl() {
    let p = pki();
    let out = mmhs(&["certificate-info", "bob.pem"]);
    let j = succeeded(&out);
    assert_eq!(j.as_array().map(Vec::len), Some(1));
    assert_eq!(j[0]["emailAddresses"][0], BOB);
    let fpr = String::from_utf8(support::pki::ok(
        &p.dir,
        &[
            "x509",
            "-in",
            "bob.pem",
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
    ))
    .unwrap();
    let fpr = fpr.trim().rsplit('=').next().unwrap().to_string();
    assert_eq!(j[0]["sha256Fingerprint"], fpr.as_str());
    let subject = String::from_utf8(support::pki::ok(
        &p.dir,
        &[
            "x509", "-in", "bob.pem", "-noout", "-subject", "-nameopt", "RFC2253",
        ],
    ))
    .unwrap();
    assert_eq!(
        j[0]["subject"],
        subject.trim().trim_start_matches("subject=")
    );
    p.write("not-a-cert.pem", b"hello");
    let out = mmhs(&["certificate-info", "not-a-cert.pem"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(refusal(&out), "certificate-missing");
}
