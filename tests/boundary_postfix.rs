//! The boundary agent on a real MTA: two Postfix instances (Debian's postfix), army.example and
//! navy.example, each with its own configuration and queue directories under a temporary
//! directory, listening on 127.0.0.1 high ports only, delivering to Maildirs (virtual), routing
//! to each other over loopback (transport maps), each with its own `mmhs boundary` agent as its
//! after-queue content filter. The Postfix snippets are those of docs/domain.md.
//!
//! alice's signed military message, submitted to army's Postfix, is domain-signed and encrypted
//! to navy's DCA by army's agent, travels to navy's Postfix (recorded on the wire), is decrypted
//! and verified by navy's agent and delivered to bob's Maildir with an Authentication-Results
//! field; bob's copy verifies with the originator and the domain signature, and the OpenSSL
//! command line decrypts the wire copy with the DCA key and verifies the domain signature. An
//! inbound message without the required domain signature, and one domain-signed by an agent of
//! evil.example, are refused.
//!
//! Needs root (Postfix's master runs as root and drops privileges) and /usr/sbin/postfix
//! (scripts/setup.sh installs it). Outside scripts/test.sh the test is skipped, with a message,
//! when those are missing; under scripts/test.sh (MMHS_TEST_SH=1) it must run.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::pki::{Alg, Pki};
use support::postfix::*;

/// A TCP relay from a port to another that records what the client sent: the SMTP session
/// between the two domains' MTAs, as it was on the wire.
fn recording_relay(to: u16) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rec = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let Ok(mut server) = TcpStream::connect(("127.0.0.1", to)) else {
                return;
            };
            let mut c2 = client.try_clone().unwrap();
            let mut s2 = server.try_clone().unwrap();
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Both);
            });
            let rec = rec.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                loop {
                    let n = match client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    rec.lock().unwrap().extend_from_slice(&buf[..n]);
                    if server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = server.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    (port, seen)
}

/// The message data of the first DATA transaction in a recorded client stream, dot-unstuffed.
fn data_of(stream: &[u8]) -> Option<Vec<u8>> {
    let text = stream;
    let start = text.windows(6).position(|w| w == b"DATA\r\n")? + 6;
    let rest = &text[start..];
    let end = rest.windows(5).position(|w| w == b"\r\n.\r\n")?;
    let mut out = Vec::new();
    for line in rest[..end + 2].split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
    }
    Some(out)
}

fn audit_details(base: &Path, domain: &str) -> Vec<String> {
    let store =
        mmhs::server::Store::open(&base.join(format!("agent-{domain}/data/audit.sqlite"))).unwrap();
    assert!(matches!(mmhs::server::audit::verify(&store), Ok(Ok(_))));
    let core = mmhs::server::audit::core_records(&store).unwrap();
    let checked = mmhs::release::verify_audit_log(&core, &Default::default());
    assert!(checked.valid, "{:#?}", checked.problems);
    store
        .with_conn(|c| {
            let mut st = c.prepare("SELECT record FROM audit ORDER BY seq").unwrap();
            let rows = st
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .filter_map(|r| r.ok())
                .collect::<Vec<_>>();
            Ok(rows)
        })
        .unwrap()
}

#[test]
fn army_to_navy_through_two_postfix_instances() {
    if !postfix_usable() {
        return;
    }
    let pki = Pki::new(
        "boundary",
        &[
            ("alice", "alice@army.example", Alg::Ec),
            ("bob", "bob@navy.example", Alg::Ec),
        ],
    );
    pki.domain_agents();
    // army → navy over a recording relay; navy → army directly.
    let mut wire = None;
    let d = two_domains(&pki, |navy_mx| {
        let (port, seen) = recording_relay(navy_mx);
        wire = Some(seen);
        port
    });
    let wire = wire.unwrap();
    let (army, navy, base) = (d.army, d.navy, d.base.clone());
    let navy_mta = &d.navy_mta;

    // 1. alice → army's Postfix → army's agent (domain-sign, encrypt) → navy → bob.
    let signed = alice_message(&pki, "grid reference");
    let rep = smtp_send(
        army.submission,
        "alice@army.example",
        "bob@navy.example",
        &signed,
    );
    assert!(rep.starts_with("250"), "{rep}");
    let bob_new = navy_mta.maildir_new("navy.example", "bob");
    let delivered = wait_for("bob's Maildir", 40, || {
        files_in(&bob_new).into_iter().next()
    });
    let copy = std::fs::read(&delivered).unwrap();
    let text = String::from_utf8_lossy(&copy);
    assert!(
        text.contains("Authentication-Results: mta.navy.example;\r\n smime=pass reason=\"domain-signature-verified\"")
            || text.contains("Authentication-Results: mta.navy.example;\n smime=pass reason=\"domain-signature-verified\""),
        "{text}"
    );
    assert!(text.contains("body.smime-identifier=army.example"));
    assert!(text.contains("decrypted by the domain confidentiality authority"));
    // bob's copy verifies: the domain signature over alice's originator signature.
    let ctx = pki.verify_context(time::OffsetDateTime::now_utc());
    let report = mmhs::verify::verify(&copy, &ctx).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    let types: Vec<String> = report
        .signatures
        .iter()
        .map(|s| format!("{}:{}:{}", s.signature_type, s.valid, s.trusted))
        .collect();
    assert_eq!(types, ["domain:true:true", "originator:true:true"]);
    assert_eq!(report.signatures[1].signer, "alice@army.example");

    // 2. What travelled between the domains: encrypted; OpenSSL decrypts it with navy's DCA
    //    key and verifies army's domain signature (and alice's inside it).
    let on_wire = wait_for("the recorded transfer", 10, || {
        data_of(&wire.lock().unwrap())
    });
    let wire_text = String::from_utf8_lossy(&on_wire);
    assert!(
        wire_text.contains("smime-type=enveloped-data"),
        "{wire_text}"
    );
    assert!(!wire_text.contains("Proceed to grid"));
    pki.write("wire.eml", &on_wire);
    support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-decrypt",
            "-in",
            "wire.eml",
            "-inkey",
            "navy-dca.key",
            "-recip",
            "navy-dca.pem",
            "-out",
            "domain-signed.eml",
        ],
    );
    support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "domain-signed.eml",
            "-CAfile",
            "ca.pem",
            "-out",
            "alice-signed.eml",
        ],
    );
    let printed = support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-cmsout",
            "-print",
            "-in",
            "domain-signed.eml",
            "-inform",
            "SMIME",
        ],
    );
    let printed = String::from_utf8_lossy(&printed);
    assert!(
        printed.contains("signatureType") || printed.contains("1.2.840.113549.1.9.16.2.28"),
        "{printed}"
    );
    assert!(
        printed.contains("1.2.840.113549.1.9.16.9.2") || printed.contains("domainSig"),
        "{printed}"
    );
    support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "alice-signed.eml",
            "-CAfile",
            "ca.pem",
            "-out",
            "content.txt",
        ],
    );
    assert!(pki.read("content.txt").contains("Proceed to grid 1234."));

    // 3. Refusals at navy's boundary, straight to its MX (as another domain's MTA would):
    //    alice's signature only (no domain signature), and a domain signature by an agent
    //    of evil.example on an army.example message.
    let rep = smtp_send(
        navy.mx,
        "alice@army.example",
        "bob@navy.example",
        &alice_message(&pki, "no domain signature"),
    );
    assert!(rep.starts_with("250"), "{rep}");
    let evil = mmhs::smime::sign_message(
        &alice_message(&pki, "rogue domain signature"),
        &pki.signer("evil-sig"),
        &mmhs::smime::SignOptions {
            signature_type: vec![mmhs::smime::SignatureType::Domain],
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..Default::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let rep = smtp_send(navy.mx, "alice@army.example", "bob@navy.example", &evil);
    assert!(rep.starts_with("250"), "{rep}");
    let log = wait_for("navy's two refusals", 30, || {
        let log = navy_mta.log();
        (log.contains("[domain-signature-missing]") && log.contains("[domain-signature-naming]"))
            .then_some(log)
    });
    assert!(
        log.contains("said: 550 5.7.1 Refused by the domain security policy"),
        "{log}"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        files_in(&bob_new).len(),
        1,
        "only the domain-signed message reached bob"
    );

    // 4. Every action is in the audit trails, both hash chains intact.
    let army_audit = audit_details(&base, "army.example");
    assert!(
        army_audit.iter().any(|r| r.contains("\"event\":\"relay\"")
            && r.contains("domain-signed; encrypted to the DCA of navy.example")),
        "{army_audit:#?}"
    );
    let navy_audit = audit_details(&base, "navy.example");
    assert!(
        navy_audit
            .iter()
            .any(|r| r.contains("\"event\":\"receive\"")
                && r.contains("decrypted by our DCA; smime=pass")),
        "{navy_audit:#?}"
    );
    assert!(navy_audit
        .iter()
        .any(|r| r.contains("\"event\":\"refuse\"") && r.contains("domain-signature-missing")));
    assert!(navy_audit
        .iter()
        .any(|r| r.contains("\"event\":\"refuse\"") && r.contains("domain-signature-naming")));
    // Passed: stop everything and remove the directories (kept when a test fails).
    drop(d);
    let _ = std::fs::remove_dir_all(&pki.dir);
}

/// alice's military message with a signed ESS security label of `policy`, `class`.
fn labelled_message(pki: &Pki, subject: &str, policy: &str, class: u16) -> Vec<u8> {
    pki.sign_labelled(
        "alice",
        alice_text(subject, "labelled\r\n").as_bytes(),
        policy,
        class,
    )
}

const ARMY_POLICY: &str = "1.3.6.1.4.1.55555.1";
const NAVY_POLICY: &str = "1.3.6.1.4.1.55555.2";

/// Label-based access control at both boundaries (docs/security.md): army's agent judges the
/// next hop navy.example (cleared to ARMY RESTRICTED), navy's agent judges bob in the navy's
/// own policy, through its equivalence from the army's. An ARMY SECRET message is refused at
/// army's boundary; an ARMY RESTRICTED one crosses both and reaches bob, mapped to NAVY
/// RESTRICTED at navy's boundary. Both decisions are in the audit trails.
#[test]
fn labels_enforced_at_both_boundaries() {
    if !postfix_usable() {
        return;
    }
    let pki = Pki::new(
        "boundary-labels",
        &[
            ("alice", "alice@army.example", Alg::Ec),
            ("bob", "bob@navy.example", Alg::Ec),
        ],
    );
    pki.domain_agents();
    let class = |v: u16, m: &str| serde_json::json!({ "value": v, "name": m, "marking": m });
    let army = serde_json::json!({
        "policy": ARMY_POLICY, "local": true,
        "classifications": [class(1, "ARMY UNCLASSIFIED"), class(2, "ARMY RESTRICTED"), class(4, "ARMY SECRET")],
        "clearances": { "navy.example": 2, "army.example": 4 }
    });
    let navy = serde_json::json!({
        "policy": NAVY_POLICY, "local": true,
        "classifications": [class(10, "NAVY UNCLASSIFIED"), class(20, "NAVY RESTRICTED"), class(40, "NAVY SECRET")],
        "equivalences": [{ "policy": ARMY_POLICY,
            "classifications": [{"theirs": 1, "ours": 10}, {"theirs": 2, "ours": 20}, {"theirs": 4, "ours": 40}] }],
        "clearances": { "bob@navy.example": { "classList": [10, 20] } }
    });
    let d = two_domains_with(
        &pki,
        |mx| mx,
        |domain, cfg| {
            let dir = pki.dir.join(format!("policies-{domain}"));
            std::fs::create_dir_all(&dir).unwrap();
            let policy = if domain == "army.example" {
                &army
            } else {
                &navy
            };
            std::fs::write(dir.join("policy.json"), policy.to_string()).unwrap();
            cfg["labelPolicy"] = serde_json::json!({ "dir": dir, "unlabelled": "refuse" });
        },
    );
    let (army_ports, base) = (d.army, d.base.clone());

    // Refused at army's boundary: navy.example is not cleared for ARMY SECRET.
    let secret = labelled_message(&pki, "secret plan", ARMY_POLICY, 4);
    let rep = smtp_send(
        army_ports.submission,
        "alice@army.example",
        "bob@navy.example",
        &secret,
    );
    assert!(rep.starts_with("250"), "{rep}");
    let log = wait_for("army's label refusal", 30, || {
        let log = d.army_mta.log();
        log.contains("[boundary-label-refused]").then_some(log)
    });
    assert!(log.contains("label-not-cleared"), "{log}");

    // Allowed: ARMY RESTRICTED, which navy maps to NAVY RESTRICTED for bob.
    let restricted = labelled_message(&pki, "restricted plan", ARMY_POLICY, 2);
    let rep = smtp_send(
        army_ports.submission,
        "alice@army.example",
        "bob@navy.example",
        &restricted,
    );
    assert!(rep.starts_with("250"), "{rep}");
    let bob_new = d.navy_mta.maildir_new("navy.example", "bob");
    let delivered = wait_for("bob's Maildir", 40, || {
        files_in(&bob_new).into_iter().next()
    });
    let text = String::from_utf8_lossy(&std::fs::read(&delivered).unwrap()).to_string();
    assert!(text.contains("restricted-plan"), "{text}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        files_in(&bob_new).len(),
        1,
        "the SECRET message never reached bob"
    );

    let army_audit = audit_details(&base, "army.example");
    assert!(
        army_audit.iter().any(|r| r.contains("\"event\":\"refuse\"")
            && r.contains("boundary-label-refused")
            && r.contains("label-not-cleared: <bob@navy.example>")),
        "{army_audit:#?}"
    );
    assert!(
        army_audit.iter().any(
            |r| r.contains("\"event\":\"relay\"") && r.contains("label allow: ARMY RESTRICTED")
        ),
        "{army_audit:#?}"
    );
    let navy_audit = audit_details(&base, "navy.example");
    assert!(
        navy_audit
            .iter()
            .any(|r| r.contains("\"event\":\"receive\"")
                && r.contains("label allow")
                && r.contains(
                    "through the equivalent label (policy 1.3.6.1.4.1.55555.2, classification 20)"
                )),
        "{navy_audit:#?}"
    );
    drop(d);
    let _ = std::fs::remove_dir_all(&pki.dir);
}
