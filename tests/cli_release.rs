//! The `mmhs` binary's Draft & Release subcommands (`release`, `countersign`,
//! `release-gate`, `mixer`, `audit record|verify`) with a throwaway OpenSSL PKI: a drafter's
//! signed message released by an officer is still accepted by `openssl cms -verify`, and
//! `mmhs verify` reports the officer as a countersigned authorizing user.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use support::cli::{json, mmhs};
use support::pki::{openssl, Alg, Pki};

const AT: &str = "2030-01-01T00:00:00Z";

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let p = Pki::new(
            "cli-release",
            &[
                ("drafter", "drafter@example.mil", Alg::Ec),
                ("officer", "officer@example.mil", Alg::Ec),
            ],
        );
        p.write(
            "draft.eml",
            b"From: Drafter <drafter@example.mil>\r\nTo: hq@example.mil\r\nSubject: Movement order\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <rel-1@example.mil>\r\nMMHS-Primary-Precedence: 2 (priority)\r\nMMHS-Extended-Authorisation-Info: Mon, 1 Jan 2029 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nMove at dawn.\r\n",
        );
        let out = mmhs(
            &p.dir,
            &[
                "sign", "draft.eml", "--key", "drafter.key", "--cert", "drafter.pem",
                "--protect-headers", "--at", AT,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        p.write("signed-draft.eml", &out.stdout);
        p
    })
}

fn officer_args(input: &str) -> Vec<&str> {
    vec![
        "release",
        input,
        "--key",
        "officer.key",
        "--cert",
        "officer.pem",
        "--trust",
        "ca.pem",
        "--at",
        AT,
    ]
}

#[test]
fn release_countersigns_and_openssl_still_verifies() {
    let p = pki();
    let mut args = officer_args("signed-draft.eml");
    args.extend([
        "--report",
        "release-report.json",
        "--envelope-out",
        "released.env.json",
    ]);
    let out = mmhs(&p.dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.write("released.eml", &out.stdout);
    let released = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(released.contains("MMHS-Authorizing-Users"), "{released}");
    let summary = json(p.read("release-report.json").as_bytes());
    assert_eq!(summary["outcome"], "released");
    assert_eq!(summary["next"], "transfer");
    let env = json(p.read("released.env.json").as_bytes());
    assert_eq!(env["rcpts"][0]["address"], "hq@example.mil");

    // the originator signature still verifies with OpenSSL
    let o = openssl(
        &p.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "released.eml",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // and mmhs verify reports the officer as countersigned
    let v = mmhs(
        &p.dir,
        &["verify", "released.eml", "--trust", "ca.pem", "--at", AT],
    );
    let report = json(&v.stdout);
    assert_eq!(v.status.code(), Some(0), "{report:#}");
    assert_eq!(
        report["authorizingUsers"][0]["address"],
        "officer@example.mil"
    );
    assert_eq!(report["authorizingUsers"][0]["status"], "countersigned");

    // the same officer again: the step-2 short-cut
    let mut again = officer_args("released.eml");
    again.push("--result-json");
    let out = mmhs(&p.dir, &again);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stdout)["outcome"], "alreadyReleased");
}

#[test]
fn reject_produces_a_notice_and_exit_1() {
    let p = pki();
    let mut args = officer_args("signed-draft.eml");
    args.extend(["--reject", "Wrong grid reference"]);
    let out = mmhs(&p.dir, &args);
    assert_eq!(out.status.code(), Some(1));
    let notice = String::from_utf8_lossy(&out.stdout);
    assert!(notice.contains("Wrong grid reference"), "{notice}");
    let summary = json(&out.stderr);
    assert_eq!(summary["outcome"], "rejected");
    assert_eq!(summary["next"], "drafter");

    // the `--decision reject --reason` spelling of the same
    let mut args = officer_args("signed-draft.eml");
    args.extend([
        "--decision",
        "reject",
        "--reason",
        "Again wrong",
        "--result-json",
    ]);
    let out = mmhs(&p.dir, &args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out.stdout)["outcome"], "rejected");
    let mut args = officer_args("signed-draft.eml");
    args.extend(["--decision", "reject"]);
    let out = mmhs(&p.dir, &args);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unsigned_draft_is_refused() {
    let p = pki();
    let out = mmhs(&p.dir, &officer_args("draft.eml"));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let summary = json(&out.stderr);
    assert_eq!(summary["outcome"], "refused");
    assert_eq!(
        summary["problems"][0]["code"],
        "release-originator-unverified"
    );
}

#[test]
fn countersign_subcommand_adds_a_countersignature() {
    let p = pki();
    let out = mmhs(
        &p.dir,
        &[
            "countersign",
            "signed-draft.eml",
            "--key",
            "officer.key",
            "--cert",
            "officer.pem",
            "--at",
            AT,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.write("countersigned.eml", &out.stdout);
    let v = mmhs(
        &p.dir,
        &[
            "verify",
            "countersigned.eml",
            "--trust",
            "ca.pem",
            "--at",
            AT,
        ],
    );
    let report = json(&v.stdout);
    let text = report["signatures"].to_string();
    assert!(text.contains("officer@example.mil"), "{report:#}");
    let o = openssl(
        &p.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "countersigned.eml",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn release_gate_routes_unreleased_and_released_messages() {
    let p = pki();
    p.write(
        "policy.json",
        br#"{"officers": ["officer@example.mil"], "releaseQueue": "release@example.mil"}"#,
    );
    let out = mmhs(
        &p.dir,
        &[
            "release-gate",
            "signed-draft.eml",
            "--policy",
            "policy.json",
            "--submitter",
            "drafter@example.mil",
            "--trust",
            "ca.pem",
            "--at",
            AT,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = json(&out.stdout);
    assert_eq!(d["action"], "releaseQueue", "{d:#}");
    assert_eq!(d["officers"][0], "officer@example.mil");

    let mut args = officer_args("signed-draft.eml");
    args.extend(["--policy", "policy.json"]);
    let out = mmhs(&p.dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.write("released-policy.eml", &out.stdout);
    let out = mmhs(
        &p.dir,
        &[
            "release-gate",
            "released-policy.eml",
            "--policy",
            "policy.json",
            "--submitter",
            "drafter@example.mil",
            "--trust",
            "ca.pem",
            "--at",
            AT,
        ],
    );
    let d = json(&out.stdout);
    assert_eq!(d["action"], "transfer", "{d:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn mixer_maps_both_ways() {
    let p = pki();
    p.write(
        "inet.json",
        br#"{"from": ["a@example.mil"], "sender": "s@example.mil", "authorizingUsers": ["o@example.mil"]}"#,
    );
    let out = mmhs(&p.dir, &["mixer", "to-x400", "inet.json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = json(&out.stdout);
    assert_eq!(m["heading"]["originator"], "s@example.mil");
    assert_eq!(
        m["heading"]["authorizingUsers"],
        serde_json::json!(["a@example.mil", "o@example.mil"])
    );

    let out = mmhs(&p.dir, &["mixer", "to-x400", "--message", "draft.eml"]);
    assert_eq!(
        json(&out.stdout)["heading"]["originator"],
        "drafter@example.mil"
    );

    p.write(
        "ipms.json",
        br#"{"originator": "s@example.mil", "authorizingUsers": ["o@example.mil"], "headingExtensions": ["primaryPrecedence"]}"#,
    );
    let out = mmhs(&p.dir, &["mixer", "to-internet", "ipms.json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = json(&out.stdout);
    assert_eq!(m["military"], true);
    assert!(m["heading"].to_string().contains("o@example.mil"), "{m:#}");

    p.write("bad.json", b"{\"from\": 7}");
    let out = mmhs(&p.dir, &["mixer", "to-x400", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn audit_log_chains_and_tampering_is_detected() {
    let p = pki();
    let _ = std::fs::remove_file(p.dir.join("audit.jsonl"));
    for (event, at) in [
        ("submit", "2030-01-01T00:00:00Z"),
        ("release", "2030-01-01T00:01:00Z"),
        ("deliver", "2030-01-01T00:02:00Z"),
    ] {
        let out = mmhs(
            &p.dir,
            &[
                "audit",
                "record",
                "--agent",
                "msa",
                "--event",
                event,
                "--message",
                "draft.eml",
                "--log",
                "audit.jsonl",
                "--at",
                at,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = mmhs(&p.dir, &["audit", "verify", "audit.jsonl"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json(&out.stdout);
    assert_eq!(v["valid"], true);
    assert_eq!(v["records"], 3);

    // edit the middle record
    let log = p.read("audit.jsonl");
    let lines: Vec<&str> = log.lines().collect();
    let edited = lines[1].replace("\"release\"", "\"reject\"");
    assert_ne!(edited, lines[1]);
    p.write(
        "edited.jsonl",
        format!("{}\n{}\n{}\n", lines[0], edited, lines[2]).as_bytes(),
    );
    let out = mmhs(&p.dir, &["audit", "verify", "edited.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out.stdout)["valid"], false);
    // delete the middle record
    p.write(
        "deleted.jsonl",
        format!("{}\n{}\n", lines[0], lines[2]).as_bytes(),
    );
    let out = mmhs(&p.dir, &["audit", "verify", "deleted.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    // not JSON
    p.write("junk.jsonl", b"not json\n");
    let out = mmhs(&p.dir, &["audit", "verify", "junk.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn release_of_a_draft_signed_without_header_protection() {
    let p = pki();
    let out = mmhs(
        &p.dir,
        &[
            "sign",
            "draft.eml",
            "--key",
            "drafter.key",
            "--cert",
            "drafter.pem",
            "--at",
            AT,
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    p.write("plain-signed.eml", &out.stdout);
    let mut args = officer_args("plain-signed.eml");
    args.push("--result-json");
    let out = mmhs(&p.dir, &args);
    let r = json(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert_eq!(r["outcome"], "released");
    assert_eq!(r["report"]["valid"], true);
}

/// `mmhs release-gate FILE --policy policy-attacks.json --trust ca.pem --at AT ARGS…`: exit
/// code and decision.
fn gate(p: &Pki, file: &str, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut all = vec![
        "release-gate",
        file,
        "--policy",
        "policy-attacks.json",
        "--trust",
        "ca.pem",
        "--at",
        AT,
    ];
    all.extend(args);
    let out = mmhs(&p.dir, &all);
    let d = json(&out.stdout);
    (out.status.code(), d)
}

fn first_code(d: &serde_json::Value) -> &str {
    d["problems"][0]["code"].as_str().unwrap_or("")
}

/// The header section of `raw` without its MMHS-* fields (outside every signature).
fn strip_outer_mmhs(raw: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("header/body");
    let kept: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("mmhs-"))
        .collect();
    format!("{}\r\n\r\n{body}", kept.join("\r\n")).into_bytes()
}

#[test]
fn release_gate_refuses_the_attacks() {
    const DRAFTER: &str = "drafter@example.mil";
    const OFFICER: &str = "officer@example.mil";
    let p = pki();
    p.write(
        "policy-attacks.json",
        br#"{"officers": ["officer@example.mil"], "requireRelease": ["*@example.mil"], "exempt": ["officer@example.mil"]}"#,
    );
    let mut args = officer_args("signed-draft.eml");
    args.extend(["--policy", "policy-attacks.json"]);
    let out = mmhs(&p.dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let released = out.stdout;
    p.write("attack-released.eml", &released);
    let (rc, d) = gate(p, "attack-released.eml", &["--submitter", DRAFTER]);
    assert_eq!(
        (rc, d["action"].as_str()),
        (Some(0), Some("transfer")),
        "{d:#}"
    );

    // A. The officer's countersigned SignerInfo over other content: its countersignature still
    //    verifies, the message does not — no authorisation.
    let text = String::from_utf8_lossy(&released).to_string();
    assert!(text.contains("Move at dawn."));
    p.write(
        "attack-a.eml",
        text.replace("Move at dawn.", "Move at dusk.").as_bytes(),
    );
    let (rc, d) = gate(p, "attack-a.eml", &["--submitter", DRAFTER]);
    // The verifier already refuses the orphaned countersignature (the officer is not
    // `countersigned`); the gate's own whole-report rule would refuse it too. With nothing
    // authorised, the Sender the release wrote outside the signature is vouched for by
    // nobody: a hidden header difference, refused (profile §3.4.3, RFC 9788 §4).
    assert_eq!(
        (rc, d["action"].as_str(), first_code(&d)),
        (Some(1), Some("refuse"), "gate-header-mismatch"),
        "{d:#}"
    );
    assert_eq!(d["authorized"], serde_json::json!([]));

    // B. The drafter is the authenticated submitter.
    let (rc, d) = gate(
        p,
        "signed-draft.eml",
        &["--submitter", "intruder@example.mil"],
    );
    assert_eq!(
        (rc, first_code(&d)),
        (Some(1), "gate-from-not-owned"),
        "{d:#}"
    );
    assert!(d["smtpReply"].as_str().unwrap().starts_with("550 5.7.1"));
    let (rc, d) = gate(p, "signed-draft.eml", &["--rcpt", "hq@example.mil"]);
    assert_eq!(
        (rc, first_code(&d)),
        (Some(1), "gate-unauthenticated"),
        "{d:#}"
    );
    let (rc, d) = gate(p, "signed-draft.eml", &["--rcpt", OFFICER]);
    assert_eq!(
        (rc, d["action"].as_str()),
        (Some(0), Some("transfer")),
        "{d:#}"
    );
    // The officer may re-submit the draft he validly released, not the altered one.
    let (_, d) = gate(p, "attack-released.eml", &["--submitter", OFFICER]);
    assert_eq!(d["action"], "transfer", "{d:#}");
    assert_eq!(d["drafter"], DRAFTER);
    let (rc, d) = gate(p, "attack-a.eml", &["--submitter", OFFICER]);
    assert_eq!(
        (rc, d["action"].as_str()),
        (Some(1), Some("refuse")),
        "{d:#}"
    );
    assert!(
        ["gate-header-mismatch", "gate-from-not-owned"].contains(&first_code(&d)),
        "{d:#}"
    );
    // With the outer fields of the draft back (no Sender, the drafting time), the altered
    // message is only diverted: its countersignature authorises nothing.
    p.write(
        "attack-a2.eml",
        text.replace("Move at dawn.", "Move at dusk.")
            .replace("Sender: drafter@example.mil\r\n", "")
            .replace(
                "MMHS-Extended-Authorisation-Info: Tue, 01 Jan 2030 00:00:00 +0000",
                "MMHS-Extended-Authorisation-Info: Mon, 1 Jan 2029 10:00:00 +0000",
            )
            .as_bytes(),
    );
    let (rc, d) = gate(p, "attack-a2.eml", &["--submitter", DRAFTER]);
    assert_eq!(
        (rc, d["action"].as_str()),
        (Some(0), Some("releaseQueue")),
        "{d:#}"
    );
    assert!(
        ["authorizing-user-unverified", "gate-report-invalid"].contains(&first_code(&d)),
        "{d:#}"
    );
    assert_eq!(d["authorized"], serde_json::json!([]));

    // C. Military fields only in the protected header: the outer header lies.
    let signed = std::fs::read(p.dir.join("signed-draft.eml")).unwrap();
    p.write("attack-c.eml", &strip_outer_mmhs(&signed));
    let (rc, d) = gate(p, "attack-c.eml", &["--submitter", DRAFTER]);
    assert_eq!(
        (rc, first_code(&d)),
        (Some(1), "gate-header-mismatch"),
        "{d:#}"
    );
    assert_eq!(d["military"], true);
    //    Encrypted outermost (to the officer too), MMHS fields only inside: nothing to judge.
    let out = mmhs(
        &p.dir,
        &[
            "encrypt",
            "signed-draft.eml",
            "--to",
            "officer.pem",
            "--protect-headers",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.write("attack-c2.eml", &strip_outer_mmhs(&out.stdout));
    let (rc, d) = gate(p, "attack-c2.eml", &["--submitter", DRAFTER]);
    assert_eq!(
        (rc, first_code(&d)),
        (Some(1), "gate-content-opaque"),
        "{d:#}"
    );
}
