//! `mmhs label check|receivable|equivalents` (docs/cli.md, docs/security.md): the decision for
//! a message signed with an ESS security label, clearances from the policy directory and from
//! an RFC 5755 clearance attribute in a certificate issued by the OpenSSL command line — only
//! when that certificate chains to the trust anchors (a rogue CA's clearance asserts nothing).
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use mmhs::smime::ber::{constructed, primitive};
use support::cli::{error_code, json, mmhs};
use support::pki::{Alg, Pki};

const ARMY: &str = "1.3.6.1.4.1.55555.1";
const NAVY: &str = "1.3.6.1.4.1.55555.2";

/// subjectDirectoryAttributes { clearance { ARMY, classList {unclassified, restricted,
/// confidential} } } in openssl's `DER:` syntax.
fn clearance_extension() -> String {
    let policy = [0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01];
    let clearance = constructed(
        0x30,
        &[&primitive(0x06, &policy), &primitive(0x03, &[0x04, 0x70])],
    );
    let attr = constructed(
        0x30,
        &[
            &primitive(0x06, &[0x55, 0x04, 0x37]),
            &constructed(0x31, &[&clearance]),
        ],
    );
    let sda = constructed(0x30, &[&attr]);
    let hex: Vec<String> = sda.iter().map(|b| format!("{b:02X}")).collect();
    format!("2.5.29.9=DER:{}", hex.join(":"))
}

fn cleared_cert(pki: &Pki, name: &str, serial: usize) {
    let ext = format!(
        "basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nsubjectAltName=email:carol@navy.example\n{}\n",
        clearance_extension()
    );
    pki.issue_ext(name, Alg::Ec, ("ca.pem", "ca.key"), serial, &ext);
}

fn policies(pki: &Pki) {
    let dir = pki.dir.join("policies");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("army.json"),
        format!(
            r#"{{"policy":"{ARMY}","local":true,
              "classifications":[{{"value":1,"name":"u","marking":"ARMY UNCLASSIFIED"}},
                                 {{"value":2,"name":"r","marking":"ARMY RESTRICTED"}},
                                 {{"value":3,"name":"c","marking":"ARMY CONFIDENTIAL"}}],
              "equivalences":[{{"policy":"{NAVY}","classifications":[{{"theirs":30,"ours":3}}]}}],
              "clearances":{{"navy.example":2}}}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("navy.json"),
        format!(
            r#"{{"policy":"{NAVY}","classifications":[{{"value":30,"name":"c","marking":"NAVY CONFIDENTIAL"}}]}}"#
        ),
    )
    .unwrap();
}

fn labelled(pki: &Pki, class: u16) -> Vec<u8> {
    let msg = "From: alice@army.example\r\nTo: carol@navy.example\r\nSubject: x\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <l@army.example>\r\nMMHS-Primary-Precedence: 2\r\nContent-Type: text/plain\r\n\r\nx\r\n";
    pki.sign_labelled("alice", msg.as_bytes(), ARMY, class)
}

/// `mmhs label check` of `conf.eml` for carol under `trust`, with `extra` flags.
fn check(pki: &Pki, trust: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "label",
        "check",
        "--policy",
        "policies",
        "conf.eml",
        "--rcpt",
        "carol@navy.example",
        "--trust",
        trust,
    ];
    args.extend_from_slice(extra);
    mmhs(&pki.dir, &args)
}

/// `mmhs label receivable` for one recipient.
fn receivable(pki: &Pki, rcpt: &str) -> std::process::Output {
    let args = [
        "label",
        "receivable",
        "--policy",
        "policies",
        "--rcpt",
        rcpt,
    ];
    mmhs(&pki.dir, &args)
}

#[test]
fn label_check_with_policy_and_certificate_clearances() {
    let pki = Pki::new("cli-label", &[("alice", "alice@army.example", Alg::Ec)]);
    policies(&pki);
    cleared_cert(&pki, "carol-cleared", 9000);
    pki.write("conf.eml", &labelled(&pki, 3));
    // navy.example is cleared to RESTRICTED: CONFIDENTIAL is refused (exit 1).
    let out = check(&pki, "ca.pem", &[]);
    assert_eq!(out.status.code(), Some(1));
    let d = json(&out.stdout);
    assert_eq!(d["source"], "signed");
    assert_eq!(d["marking"], "ARMY CONFIDENTIAL");
    assert_eq!(d["recipients"][0]["code"], "label-not-cleared");
    // carol's certificate (issued by our CA, OpenSSL) clears her for CONFIDENTIAL.
    let out = check(&pki, "ca.pem", &["--clearance-cert", "carol-cleared.pem"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let d = json(&out.stdout);
    assert!(
        d["recipients"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("certificate"),
        "{d}"
    );

    // The same certificate from a rogue CA (not a trust anchor) asserts nothing.
    let rogue = Pki::new("cli-label-rogue", &[]);
    cleared_cert(&rogue, "carol-rogue", 9001);
    std::fs::copy(
        rogue.dir.join("carol-rogue.pem"),
        pki.dir.join("carol-rogue.pem"),
    )
    .unwrap();
    let out = check(&pki, "ca.pem", &["--clearance-cert", "carol-rogue.pem"]);
    assert_eq!(out.status.code(), Some(1));

    // Under a trust anchor that is not the signer's the signed label still restricts (the
    // signature value verifies; trust is the report's verdict): never treated as unlabelled.
    std::fs::copy(rogue.dir.join("ca.pem"), pki.dir.join("rogue-ca.pem")).unwrap();
    let out = check(&pki, "rogue-ca.pem", &[]);
    assert_eq!(out.status.code(), Some(1));
    let d = json(&out.stdout);
    assert_eq!(d["source"], "signed", "{d}");
    assert_eq!(d["recipients"][0]["code"], "label-not-cleared", "{d}");

    // receivable / equivalents.
    let out = receivable(&pki, "carol@navy.example");
    let r = json(&out.stdout);
    let allowed: Vec<(u64, bool)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["classification"]["value"].as_u64().unwrap(),
                c["allowed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(allowed, vec![(1, true), (2, true), (3, false)]);
    pki.write(
        "label.json",
        format!(r#"{{"policy":"{ARMY}","classification":3,"categories":[]}}"#).as_bytes(),
    );
    let out = mmhs(
        &pki.dir,
        &["label", "equivalents", "--policy", "policies", "label.json"],
    );
    let e = json(&out.stdout);
    assert_eq!(e[0]["label"]["policy"], NAVY);
    assert_eq!(e[0]["label"]["classification"], 30);
    assert_eq!(e[0]["marking"], "NAVY CONFIDENTIAL");

    // A policy directory that cannot be used.
    std::fs::write(
        pki.dir.join("policies/broken.json"),
        "{\"policy\":\"not an oid\"}",
    )
    .unwrap();
    let out = receivable(&pki, "x@y.example");
    assert_eq!(error_code(&out), "label-policy-invalid");
    let _ = std::fs::remove_dir_all(&pki.dir);
    let _ = std::fs::remove_dir_all(&rogue.dir);
}
