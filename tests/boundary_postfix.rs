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

use crate::support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::interop::{cms_decrypt, cms_verify, succeeded};
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

/// `openssl cms -verify` of `input` against the test CA, the signed content written to `out`
/// (files in the PKI directory).
fn openssl_verify(pki: &Pki, input: &str, out: &str) {
    succeeded(cms_verify(&pki.dir, input, "ca.pem", &["-out", out]));
}

/// `openssl cms -decrypt` of `input` with the key and certificate files given, to `out`.
fn openssl_decrypt(pki: &Pki, input: &str, key: &str, cert: &str, out: &str) {
    succeeded(cms_decrypt(&pki.dir, input, cert, key, &["-out", out]));
}

/// The PKI of the tests: alice@army.example and bob@navy.example (P-256), `more` people, and
/// the domains' agents (`Pki::domain_agents`).
fn army_and_navy(name: &str, more: &[(&str, &str, Alg)]) -> Pki {
    let mut people = vec![
        ("alice", "alice@army.example", Alg::Ec),
        ("bob", "bob@navy.example", Alg::Ec),
    ];
    people.extend_from_slice(more);
    let pki = Pki::new(name, &people);
    pki.domain_agents();
    pki
}

#[test]
fn army_to_navy_through_two_postfix_instances() {
    if !postfix_usable() {
        return;
    }
    let pki = army_and_navy("boundary", &[]);
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
    openssl_decrypt(
        &pki,
        "wire.eml",
        "navy-dca.key",
        "navy-dca.pem",
        "domain-signed.eml",
    );
    openssl_verify(&pki, "domain-signed.eml", "alice-signed.eml");
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
    openssl_verify(&pki, "alice-signed.eml", "content.txt");
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

/// alice's triple-wrapped message (RFC 2634 §1.1: signed, encrypted for the list, signed),
/// domain-signed by army's agent key (§3.3), as army's MTA would hand it to navy's MX.
fn to_the_list(pki: &Pki, subject: &str) -> Vec<u8> {
    let inner = alice_message_with(pki, subject, "All hands: muster at 0600.\r\n");
    let encrypted = mmhs::smime::encrypt_message(
        &inner,
        &[pki.cert("staff")],
        &Default::default(),
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let outer = sign(pki, "alice", &encrypted, false);
    sign(pki, "army-sig", &outer, true)
}

fn sign(pki: &Pki, who: &str, raw: &[u8], domain: bool) -> Vec<u8> {
    mmhs::smime::sign_message(
        raw,
        &pki.signer(who),
        &mmhs::smime::SignOptions {
            signature_type: if domain {
                vec![mmhs::smime::SignatureType::Domain]
            } else {
                Vec::new()
            },
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..Default::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}

/// alice's signed message `subject`, submitted to army's Postfix for `rcpt`: the copy in the
/// navy.example Maildir of `user`, which navy's agent passed as `domain-signature-verified`.
fn submit_and_receive(d: &TwoDomains, pki: &Pki, rcpt: &str, user: &str, subject: &str) -> Vec<u8> {
    let rep = smtp_send(
        d.army.submission,
        "alice@army.example",
        rcpt,
        &alice_message(pki, subject),
    );
    assert!(rep.starts_with("250"), "{rep}");
    received_verified(d, user)
}

/// The first message in the navy.example Maildir of `user`, which navy's agent passed as
/// `domain-signature-verified`.
fn received_verified(d: &TwoDomains, user: &str) -> Vec<u8> {
    let new = d.navy_mta.maildir_new("navy.example", user);
    let path = wait_for(&format!("{user}'s copy"), 40, || {
        files_in(&new).into_iter().next()
    });
    let copy = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&copy);
    assert!(
        text.contains("smime=pass reason=\"domain-signature-verified\""),
        "{text}"
    );
    copy
}

/// The agent configuration's `lists` with one list, `address`, signed with the PKI's
/// `staff` key.
fn list_of(pki: &Pki, address: &str, members: &[&str]) -> serde_json::Value {
    serde_json::json!({
        address: {
            "members": members,
            "signing": {
                "key": pki.dir.join("staff.key"),
                "certificate": pki.dir.join("staff.pem"),
            }
        }
    })
}

/// A Mail List Agent at navy's boundary (RFC 2634 §4; msa-to-mda §5): alice's
/// triple-wrapped message to staff@navy.example, encrypted for the list, is verified,
/// re-encrypted for bob and carol under the list's signature with an mlExpansionHistory, and
/// delivered to both; OpenSSL verifies the list's signature and decrypts each copy with the
/// member's key. A message the list already expanded is refused (RFC 2634 §4.1.1).
#[test]
fn a_list_at_navys_boundary_expands_for_its_members() {
    if !postfix_usable() {
        return;
    }
    let pki = army_and_navy(
        "boundary-mla",
        &[
            ("carol", "carol@navy.example", Alg::Rsa),
            ("staff", "staff@navy.example", Alg::Rsa),
        ],
    );
    let mut list = list_of(
        &pki,
        "staff@navy.example",
        &["bob@navy.example", "carol@navy.example"],
    );
    list["staff@navy.example"]["maxExpansions"] = serde_json::json!(8);
    let d = two_domains_with(
        &pki,
        |navy_mx| navy_mx,
        DomainSetup::army(),
        DomainSetup {
            users: vec!["bob", "carol", "staff"],
            certs: vec!["army-dca", "army-sig", "bob", "carol"],
            extra: serde_json::json!({ "lists": list }),
        },
    );
    let rep = smtp_send(
        d.navy.mx,
        "alice@army.example",
        "staff@navy.example",
        &to_the_list(&pki, "muster"),
    );
    assert!(rep.starts_with("250"), "{rep}");
    let ctx = pki.verify_context(time::OffsetDateTime::now_utc());
    for (member, key_alg) in [("bob", "EC"), ("carol", "RSA")] {
        let copy = received_verified(&d, member);
        let text = String::from_utf8_lossy(&copy);
        assert!(!text.contains("muster at 0600"), "re-encrypted: {key_alg}");
        // The member's reader: the list's signature with its history, alice's inside.
        let mut mctx = ctx.clone();
        mctx.decryption_keys = vec![(
            mmhs::keys::PrivateKey::from_pem(&pki.read(&format!("{member}.key"))).unwrap(),
            pki.cert(member),
        )];
        let report = mmhs::verify::verify(&copy, &mctx).unwrap();
        assert!(report.valid, "{:#?}", report.problems);
        let h = &report.signatures[0].ml_expansion_history;
        assert_eq!(h.len(), 1, "{:#?}", report.signatures);
        // The list's signature is the list's (RFC 2634 §4.2): not bound to alice's address,
        // no naming rule; alice's is the originator signature.
        assert_eq!(report.signatures[0].signer, "staff@navy.example");
        assert_eq!(report.signatures[0].address_match, None);
        assert_eq!(report.signatures[0].naming_ok, None);
        assert_eq!(report.signatures[1].address_match, Some(true));
        assert_eq!(report.signatures[1].signer, "alice@army.example");
        let json = serde_json::to_value(&report).unwrap();
        assert!(json["signatures"][0]["mlExpansionHistory"][0]["expansionTime"].is_string());
        // OpenSSL: the list's signature verifies; the member's key decrypts what it covers;
        // alice's signature inside verifies.
        pki.write(&format!("{member}.eml"), &copy);
        openssl_verify(
            &pki,
            &format!("{member}.eml"),
            &format!("{member}-enveloped.eml"),
        );
        openssl_decrypt(
            &pki,
            &format!("{member}-enveloped.eml"),
            &format!("{member}.key"),
            &format!("{member}.pem"),
            &format!("{member}-signed.eml"),
        );
        openssl_verify(
            &pki,
            &format!("{member}-signed.eml"),
            &format!("{member}.txt"),
        );
        assert!(pki
            .read(&format!("{member}.txt"))
            .contains("muster at 0600"));
    }
    // A loop: a message this list already expanded comes back to it.
    let once = support::layers::expand_by(&pki.signer("staff"), &alice_message(&pki, "loop"), &ctx);
    let looped = sign(&pki, "army-sig", &once.message, true);
    let rep = smtp_send(
        d.navy.mx,
        "alice@army.example",
        "staff@navy.example",
        &looped,
    );
    assert!(rep.starts_with("250"), "{rep}");
    let log = wait_for("the loop's refusal", 30, || {
        let log = d.navy_mta.log();
        log.contains("[ml-expansion-loop]").then_some(log)
    });
    assert!(log.contains("said: 550 5.7.1"), "{log}");
    std::thread::sleep(Duration::from_millis(500));
    for member in ["bob", "carol"] {
        assert_eq!(
            files_in(&d.navy_mta.maildir_new("navy.example", member)).len(),
            1,
            "the looped message reached {member}"
        );
    }
    let navy_audit = audit_details(&d.base, "navy.example");
    assert!(
        navy_audit
            .iter()
            .any(|r| r.contains("\"event\":\"receive\"")
                && r.contains("expanded by the list staff@navy.example for 2 members")
                && r.contains("re-encrypted for the members")),
        "{navy_audit:#?}"
    );
    assert!(navy_audit
        .iter()
        .any(|r| r.contains("\"event\":\"refuse\"") && r.contains("ml-expansion-loop")));
    drop(d);
    let _ = std::fs::remove_dir_all(&pki.dir);
}

/// A list at army's boundary with a member at navy (msa-to-mda §5): alice's signed posting
/// to staff@army.example is expanded by army's agent, which adds army's domain signature under
/// the list's signature because bob is outside army.example (the expansion is re-injected
/// past the outbound listener) and, army's policy for navy.example asking for navy's DCA,
/// encrypts bob's copy to it under the list's signature — §5.1 example 4's "(S4 (E2 (S3 (S1
/// (Original Content)))))". Navy's agent finds the layer for its DCA under the list's
/// signature: verifies that signature, strips it and decrypts (§4.2, §5.1), and, requiring
/// army's domain signature, passes the result to bob. OpenSSL verifies the two signatures
/// one inside the other: army's domain signature, alice's. alice, the local member, gets her
/// own copy: the list's signature over hers.
#[test]
fn a_list_member_in_another_domain_receives_it_domain_signed() {
    if !postfix_usable() {
        return;
    }
    let pki = army_and_navy(
        "boundary-mla-out",
        &[("staff", "staff@army.example", Alg::Rsa)],
    );
    let list = list_of(
        &pki,
        "staff@army.example",
        &["alice@army.example", "bob@navy.example"],
    );
    let d = two_domains_with(
        &pki,
        |navy_mx| navy_mx,
        DomainSetup {
            users: vec!["alice", "staff"],
            certs: vec!["navy-dca", "navy-sig"],
            extra: serde_json::json!({ "lists": list }),
        },
        DomainSetup::navy(),
    );
    let copy = submit_and_receive(&d, &pki, "staff@army.example", "bob", "staff posting");
    let text = String::from_utf8_lossy(&copy);
    let ctx = pki.verify_context(time::OffsetDateTime::now_utc());
    assert!(
        text.contains("body.smime-identifier=army.example")
            && text.contains("(decrypted by the domain confidentiality authority)")
            && text.contains("(1 outer signature layer(s) verified and removed)"),
        "{text}"
    );
    let report = mmhs::verify::verify(&copy, &ctx).unwrap();
    assert!(report.valid && report.domain_verified, "{report:#?}");
    let sigs: Vec<String> = report
        .signatures
        .iter()
        .map(|s| format!("{} by {}", s.signature_type, s.signer))
        .collect();
    assert_eq!(
        sigs,
        [
            "domain by smtp://army.example",
            "originator by alice@army.example"
        ]
    );
    assert_eq!(report.signatures[0].naming_ok, Some(true));
    assert_eq!(report.signatures[1].address_match, Some(true));
    pki.write("bob-list.eml", &copy);
    openssl_verify(&pki, "bob-list.eml", "bob-list-alice.eml");
    openssl_verify(&pki, "bob-list-alice.eml", "bob-list.txt");
    assert!(pki.read("bob-list.txt").contains("Proceed to grid 1234"));
    // alice, the local member, gets her copy: the list's signature over hers.
    let alice_new = d.army_mta.maildir_new("army.example", "alice");
    let path = wait_for("alice's copy", 40, || {
        files_in(&alice_new).into_iter().next()
    });
    let report = mmhs::verify::verify(&std::fs::read(&path).unwrap(), &ctx).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.signatures[0].ml_expansion_history.len(), 1);
    let navy_audit = audit_details(&d.base, "navy.example");
    assert!(
        navy_audit.iter().any(|r| r.contains("\"event\":\"receive\"")
            && r.contains("1 outer signedData layer(s) by staff@army.example, with an mlExpansionHistory of 1 verified and removed")),
        "{navy_audit:#?}"
    );
    let army_audit = audit_details(&d.base, "army.example");
    assert!(
        army_audit.iter().any(|r| r
            .contains("expanded by the list staff@army.example for 2 members")
            && r.contains("domain-signed under the list's signature")
            && r.contains("encrypted to the DCA of navy.example")),
        "{army_audit:#?}"
    );
    drop(d);
    let _ = std::fs::remove_dir_all(&pki.dir);
}

/// The S/MIME gateway (draft-ramsdell-enc-smime-gateway-00): army's agent encrypts mail for
/// dave@navy.example, who has no certificate, to navy's gateway certificate
/// (`smg_encryptor@navy.example`, §5.1); navy's agent decrypts it (§5.2) and delivers it
/// marked `gateway-decrypted`; dave's reader says so. OpenSSL decrypts the wire copy with the
/// gateway key.
#[test]
fn army_encrypts_to_navys_gateway_and_navy_marks_what_it_decrypted() {
    if !postfix_usable() {
        return;
    }
    let pki = Pki::new(
        "boundary-gateway",
        &[("alice", "alice@army.example", Alg::Ec)],
    );
    pki.domain_agents();
    pki.issue_agent(
        "navy-gw",
        "email:smg_encryptor@navy.example",
        Alg::Rsa,
        true,
        40,
    );
    let mut wire = None;
    let d = two_domains_with(
        &pki,
        |navy_mx| {
            let (port, seen) = recording_relay(navy_mx);
            wire = Some(seen);
            port
        },
        DomainSetup {
            users: vec!["alice"],
            certs: vec!["navy-sig", "navy-gw"],
            extra: serde_json::json!({
                "remoteDomains": {
                    "navy.example": { "encrypt": "gateway", "requireDomainSignature": true }
                }
            }),
        },
        DomainSetup {
            users: vec!["dave"],
            certs: vec!["army-dca", "army-sig"],
            extra: serde_json::json!({
                "gateway": {
                    "key": pki.dir.join("navy-gw.key"),
                    "certificate": pki.dir.join("navy-gw.pem"),
                }
            }),
        },
    );
    let wire = wire.unwrap();
    let copy = submit_and_receive(&d, &pki, "dave@navy.example", "dave", "gateway");
    let text = String::from_utf8_lossy(&copy);
    assert!(
        text.contains("(gateway-decrypted by the S/MIME gateway of navy.example)"),
        "{text}"
    );
    assert!(text.contains("SMIME-Gateway-Decrypted: navy.example"));
    let report =
        mmhs::verify::verify(&copy, &pki.verify_context(time::OffsetDateTime::now_utc())).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    assert_eq!(report.gateway_decrypted, ["navy.example"]);
    assert!(report.notes.iter().any(|n| n.code == "gateway-decrypted"));
    assert!(report.domain_verified);
    // On the wire: encrypted for the gateway only; OpenSSL opens it with the gateway key.
    let on_wire = wait_for("the recorded transfer", 10, || {
        data_of(&wire.lock().unwrap())
    });
    assert!(String::from_utf8_lossy(&on_wire).contains("smime-type=enveloped-data"));
    pki.write("gw-wire.eml", &on_wire);
    openssl_decrypt(
        &pki,
        "gw-wire.eml",
        "navy-gw.key",
        "navy-gw.pem",
        "gw-domain-signed.eml",
    );
    openssl_verify(&pki, "gw-domain-signed.eml", "/dev/null");
    let army_audit = audit_details(&d.base, "army.example");
    assert!(
        army_audit.iter().any(|r| r.contains("\"event\":\"relay\"")
            && r.contains("domain-signed; encrypted to the S/MIME gateway of navy.example")),
        "{army_audit:#?}"
    );
    let navy_audit = audit_details(&d.base, "navy.example");
    assert!(
        navy_audit
            .iter()
            .any(|r| r.contains("\"event\":\"receive\"")
                && r.contains("gateway-decrypted by our S/MIME gateway (navy.example)")),
        "{navy_audit:#?}"
    );
    drop(d);
    let _ = std::fs::remove_dir_all(&pki.dir);
}

/// The per-message time budget on a real MTA: navy's agent, allowed 1 ms per message, answers
/// Postfix `451 4.7.0 … [boundary-over-budget]` for army's domain-signed and encrypted
/// message; Postfix keeps it queued (deferred) and bob receives nothing.
#[test]
fn over_the_budget_postfix_keeps_the_message_queued() {
    if !postfix_usable() {
        return;
    }
    let pki = army_and_navy("boundary-budget", &[]);
    let d = two_domains_with(
        &pki,
        |navy_mx| navy_mx,
        DomainSetup::army(),
        DomainSetup {
            extra: serde_json::json!({ "messageBudgetMillis": 1 }),
            ..DomainSetup::navy()
        },
    );
    let rep = smtp_send(
        d.army.submission,
        "alice@army.example",
        "bob@navy.example",
        &alice_message(&pki, "over budget"),
    );
    assert!(rep.starts_with("250"), "{rep}");
    let log = wait_for("navy's deferral", 40, || {
        let log = d.navy_mta.log();
        (log.contains("[boundary-over-budget]") && log.contains("status=deferred")).then_some(log)
    });
    assert!(log.contains("said: 451 4.7.0"), "{log}");
    // Still queued: deferred, or in the active queue for its next attempt (the test
    // instances retry after 1–2 s, so under load the file may be caught in either).
    let queue = d.base.join("navy.example/queue");
    wait_for("the message in navy's queue", 20, || {
        let n: usize = ["deferred", "active"]
            .iter()
            .flat_map(|q| files_in(&queue.join(q)))
            .map(|sub| {
                if sub.is_dir() {
                    files_in(&sub).len()
                } else {
                    1
                }
            })
            .sum();
        (n >= 1).then_some(())
    });
    assert!(files_in(&d.navy_mta.maildir_new("navy.example", "bob")).is_empty());
    let navy_audit = audit_details(&d.base, "navy.example");
    assert!(navy_audit
        .iter()
        .any(|r| r.contains("\"event\":\"fail\"") && r.contains("boundary-over-budget")));
    assert!(!navy_audit
        .iter()
        .any(|r| r.contains("\"event\":\"receive\"")));
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
    let pki = army_and_navy("boundary-labels", &[]);
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
    let label_policy = |domain: &str, policy: &serde_json::Value| {
        let dir = pki.dir.join(format!("policies-{domain}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("policy.json"), policy.to_string()).unwrap();
        serde_json::json!({ "labelPolicy": { "dir": dir, "unlabelled": "refuse" } })
    };
    let d = two_domains_with(
        &pki,
        |mx| mx,
        DomainSetup {
            extra: label_policy("army.example", &army),
            ..DomainSetup::army()
        },
        DomainSetup {
            extra: label_policy("navy.example", &navy),
            ..DomainSetup::navy()
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
