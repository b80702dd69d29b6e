//! The boundary agent in process, against a scripted re-injection server on loopback (no
//! MTA needed): quarantine, the forged result header, never answering 250 before the
//! re-injection was accepted (server down, a recipient refused), one destination domain per
//! transaction, the originator requirement, and the documented codes. The real-MTA path is
//! tests/boundary_postfix.rs.

#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mmhs::server::boundary::{self, BoundaryConfig, Reason};
use mmhs::server::smtp::client::{self, ClientError, OutEnvelope};
use support::interop::{cms_decrypt, cms_verify, succeeded};
use support::pki::{Alg, Pki};
use support::server::{recording_hop, RecordingHop};

/// A scripted SMTP server standing for the MTA's re-injection smtpd: RCPT replies in order
/// (250 when the script runs out), every message received recorded.
fn reinjection(rcpt_replies: Vec<&'static str>) -> RecordingHop {
    recording_hop("250-reinject\r\n250 8BITMIME\r\n", rcpt_replies)
}

struct Setup {
    pki: Pki,
    running: boundary::Running,
}

fn pki() -> Pki {
    let pki = Pki::new(
        &format!("boundary-agent-{}", rand_tag()),
        &[
            ("alice", "alice@army.example", Alg::Ec),
            ("bob", "bob@navy.example", Alg::Ec),
        ],
    );
    pki.domain_agents();
    pki
}

fn rand_tag() -> String {
    let mut b = [0u8; 4];
    mmhs::rng::Rng::fill_bytes(&mut mmhs::rng::system_rng(), &mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// navy.example's agent: army.example requires a domain signature (refused without), every
/// other domain is quarantined without one.
async fn navy(pki: Pki, reinject_port: u16, extra: serde_json::Value) -> Setup {
    let mut cfg = serde_json::json!({
        "hostname": "mta.navy.example",
        "domains": ["navy.example"],
        "listen": { "outbound": "127.0.0.1:0", "inbound": "127.0.0.1:0" },
        "reinject": format!("smtp://127.0.0.1:{reinject_port}"),
        "dataDir": "navy-data",
        "signing": { "key": "navy-sig.key", "certificate": "navy-sig.pem" },
        "dca": { "key": "navy-dca.key", "certificate": "navy-dca.pem" },
        "trustAnchors": ["ca.pem"],
        "remoteDomains": {
            "army.example": { "requireDomainSignature": true, "onFailure": "refuse" },
            "air.example": { "requireDomainSignature": false }
        },
        "defaultRemote": { "requireDomainSignature": true, "onFailure": "quarantine" },
        "reinjectTimeoutSeconds": 5
    });
    if let (Some(c), Some(e)) = (cfg.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    let path = pki.dir.join("navy.json");
    std::fs::write(&path, serde_json::to_vec(&cfg).unwrap()).unwrap();
    let config = BoundaryConfig::load(&path).unwrap();
    let running = boundary::start(config).await.unwrap();
    Setup { pki, running }
}

fn env(from: &str, to: &[&str]) -> OutEnvelope {
    OutEnvelope::new(from, to.iter().copied())
}

async fn send(
    port: u16,
    from: &str,
    to: &[&str],
    msg: &[u8],
) -> Result<client::Reply, ClientError> {
    client::send(
        &format!("127.0.0.1:{port}"),
        "mta.example",
        None,
        &env(from, to),
        msg,
        Duration::from_secs(20),
    )
    .await
    .map(|o| o.data_reply)
}

/// Send to bob@navy.example on the inbound listener.
async fn inbound(s: &Setup, from: &str, msg: &[u8]) -> Result<client::Reply, ClientError> {
    send(s.running.inbound.port(), from, &["bob@navy.example"], msg).await
}

/// The reply of a refused transaction.
fn refusal(r: Result<client::Reply, ClientError>) -> client::Reply {
    match r {
        Err(ClientError::Rejected { reply, .. }) => reply,
        other => panic!("not refused: {other:?}"),
    }
}

fn message(from: &str, subject: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: bob@navy.example\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n").into_bytes()
}

fn signed(pki: &Pki, signer: &str, domain_sig: bool, raw: &[u8]) -> Vec<u8> {
    let opts = mmhs::smime::SignOptions {
        signing_time: Some(time::OffsetDateTime::now_utc()),
        signature_type: if domain_sig {
            vec![mmhs::smime::SignatureType::Domain]
        } else {
            Vec::new()
        },
        ..Default::default()
    };
    mmhs::smime::sign_message(
        raw,
        &pki.signer(signer),
        &opts,
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}

fn audit(dir: &Path) -> Vec<String> {
    let store = mmhs::server::Store::open(&dir.join("audit.sqlite")).unwrap();
    assert!(matches!(mmhs::server::audit::verify(&store), Ok(Ok(_))));
    store
        .with_conn(|c| {
            let mut st = c.prepare("SELECT record FROM audit ORDER BY seq").unwrap();
            let rows: Vec<String> = st
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .filter_map(|r| r.ok())
                .collect();
            Ok(rows)
        })
        .unwrap()
}

fn data_dir(s: &Setup) -> PathBuf {
    s.pki.dir.join("navy-data")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_mail_of_an_unlisted_domain_is_quarantined_not_delivered() {
    let re = reinjection(vec![]);
    let s = navy(pki(), re.port, serde_json::json!({})).await;
    let raw = message("x@elsewhere.example", "unsigned");
    let r = inbound(&s, "x@elsewhere.example", &raw).await.unwrap();
    assert_eq!((r.code, r.enhanced.as_str()), (250, "2.6.0"), "{r}");
    assert!(r.message.contains("[domain-signature-missing]"), "{r}");
    assert!(
        re.received.lock().unwrap().is_empty(),
        "nothing re-injected"
    );
    let q = s.running.boundary.quarantine_dir().to_path_buf();
    let files: Vec<String> = std::fs::read_dir(&q)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let eml = files.iter().find(|f| f.ends_with(".eml")).unwrap();
    assert_eq!(std::fs::read(q.join(eml)).unwrap(), raw);
    let json = files.iter().find(|f| f.ends_with(".json")).unwrap();
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(q.join(json)).unwrap()).unwrap();
    assert_eq!(meta["reason"], "domain-signature-missing");
    assert!(audit(&data_dir(&s))
        .iter()
        .any(|r| r.contains("\"event\":\"quarantine\"") && r.contains("domain-signature-missing")));
    s.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_section_beyond_the_reader_limits_is_quarantined_unread() {
    // 10 001 one-line fields (and forged results of ours among them): not read whole — the
    // message is kept, as it arrived, for the administrator.
    let re = reinjection(vec![]);
    let s = navy(pki(), re.port, serde_json::json!({})).await;
    let mut raw: Vec<u8> = (0..10_001)
        .flat_map(|i| format!("X-F{i}: v\r\n").into_bytes())
        .collect();
    raw.extend_from_slice(&message("x@elsewhere.example", "many-fields"));
    let r = inbound(&s, "x@elsewhere.example", &raw).await.unwrap();
    assert_eq!((r.code, r.enhanced.as_str()), (250, "2.6.0"), "{r}");
    assert!(r.message.contains("[boundary-unreadable]"), "{r}");
    assert!(
        re.received.lock().unwrap().is_empty(),
        "nothing re-injected"
    );
    let q = s.running.boundary.quarantine_dir().to_path_buf();
    let eml = std::fs::read_dir(&q)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "eml"))
        .unwrap();
    assert_eq!(std::fs::read(eml).unwrap(), raw);
    s.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_results_of_ours_are_removed_and_a_good_domain_signature_passes() {
    let re = reinjection(vec![]);
    let s = navy(pki(), re.port, serde_json::json!({})).await;
    let mut raw = b"Authentication-Results: mta.navy.example; smime=pass reason=\"domain-signature-verified\"\r\n".to_vec();
    raw.extend(signed(
        &s.pki,
        "alice",
        false,
        &message("alice@army.example", "forged"),
    ));
    let mut raw = signed(&s.pki, "army-sig", true, &raw);
    // A sender's own gateway marker (draft-ramsdell-enc-smime-gateway-00 §5.2: only our
    // gateway says what it decrypted), in any case.
    raw.splice(
        0..0,
        b"smime-gateway-decrypted: navy.example\r\n".iter().copied(),
    );
    let r = inbound(&s, "alice@army.example", &raw).await.unwrap();
    assert_eq!(r.code, 250, "{r}");
    let got = re.received.lock().unwrap()[0].clone();
    let text = String::from_utf8_lossy(&got);
    assert!(
        !text
            .to_ascii_lowercase()
            .contains("smime-gateway-decrypted"),
        "{text}"
    );
    let report =
        mmhs::verify::verify(&got, &s.pki.verify_context(time::OffsetDateTime::now_utc())).unwrap();
    assert!(
        report.gateway_decrypted.is_empty() && report.valid,
        "{report:#?}"
    );
    assert_eq!(
        text.matches("Authentication-Results: mta.navy.example")
            .count(),
        1,
        "{text}"
    );
    assert!(text.starts_with("Authentication-Results: mta.navy.example;\r\n smime=pass reason=\"domain-signature-verified\"\r\n header.from=alice@army.example\r\n body.smime-identifier=army.example\r\n"), "{text}");
    s.running.shutdown().await;
}

/// RFC 7281 §3 for a domain whose policy requires nothing (air.example): a signature that
/// does not verify is `smime=fail`; one that verifies but does not make the report valid
/// (here: alice's certificate on an air.example originator) is `smime=neutral`. Both are
/// delivered with that verdict, never `pass`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_altered_signature_is_fail_and_an_unbound_one_neutral() {
    let re = reinjection(vec![]);
    let s = navy(pki(), re.port, serde_json::json!({})).await;
    let unbound = signed(&s.pki, "alice", false, &message("x@air.example", "unbound"));
    let r = inbound(&s, "x@air.example", &unbound).await.unwrap();
    assert_eq!(r.code, 250, "{r}");
    let mut altered = signed(&s.pki, "alice", false, &message("x@air.example", "altered"));
    let at = altered
        .windows(7)
        .position(|w| w == b"\r\nhello")
        .expect("the signed body");
    altered[at + 2..at + 7].copy_from_slice(b"HELLO");
    let r = inbound(&s, "x@air.example", &altered).await.unwrap();
    assert_eq!(r.code, 250, "{r}");
    let got = re.received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let first = String::from_utf8_lossy(&got[0]);
    assert!(
        first.starts_with(
            "Authentication-Results: mta.navy.example;\r\n smime=neutral reason=\"not-valid\"\r\n"
        ),
        "{first}"
    );
    let second = String::from_utf8_lossy(&got[1]);
    assert!(
        second.starts_with("Authentication-Results: mta.navy.example;\r\n smime=fail reason=\"message-digest-mismatch\"\r\n"),
        "{second}"
    );
    s.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_look_alike_domain_agent_and_a_modified_message_are_refused() {
    let re = reinjection(vec![]);
    let s = navy(pki(), re.port, serde_json::json!({})).await;
    // navy's own agent certificate (smtp://navy.example) domain-signs an army.example message:
    // valid and trusted, but not named for the originator's domain.
    let inner = signed(
        &s.pki,
        "alice",
        false,
        &message("alice@army.example", "misnamed"),
    );
    let raw = signed(&s.pki, "navy-sig", true, &inner);
    let reply = refusal(inbound(&s, "alice@army.example", &raw).await);
    assert_eq!(reply.code, 550);
    assert!(
        reply.message.contains("[domain-signature-naming]"),
        "{reply}"
    );
    // A correctly named domain signature over content changed afterwards.
    let good = signed(&s.pki, "army-sig", true, &inner);
    let text = String::from_utf8(good)
        .unwrap()
        .replacen("hello", "HELLO", 1);
    let reply = refusal(inbound(&s, "alice@army.example", text.as_bytes()).await);
    assert!(
        reply.message.contains("[domain-signature-invalid]"),
        "{reply}"
    );
    // A Sender of a domain that requires nothing does not lift the From domain's requirement.
    let raw = b"From: general@army.example\r\nSender: x@air.example\r\nTo: bob@navy.example\r\nSubject: s\r\n\r\nhi\r\n";
    let reply = refusal(inbound(&s, "x@air.example", raw).await);
    assert!(
        reply.message.contains("[domain-signature-missing]"),
        "{reply}"
    );
    // Claiming our own domain from outside needs our own domain signature.
    let raw = signed(
        &s.pki,
        "alice",
        false,
        &message("admiral@navy.example", "spoofed"),
    );
    let r = inbound(&s, "admiral@navy.example", &raw).await.unwrap();
    assert!(
        r.message.contains("Quarantined") && r.message.contains("[domain-signature-"),
        "{r}"
    );
    assert!(re.received.lock().unwrap().is_empty());
    s.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_250_before_the_reinjection_accepted_every_recipient() {
    // The re-injection server is down: 451, nothing lost.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = navy(pki(), closed, serde_json::json!({})).await;
    let raw = message("carol@air.example", "down");
    let reply = refusal(inbound(&s, "carol@air.example", &raw).await);
    assert_eq!(
        (reply.code, reply.enhanced.as_str()),
        (451, "4.4.1"),
        "{reply}"
    );
    assert!(audit(&data_dir(&s))
        .iter()
        .any(|r| r.contains("\"event\":\"fail\"")));
    s.running.shutdown().await;

    // One recipient refused for now: no data reaches the server, 451 for all.
    let re = reinjection(vec!["250 2.1.5 Ok", "450 4.2.0 Mailbox busy"]);
    let s = navy(pki(), re.port, serde_json::json!({})).await;
    let to = ["bob@navy.example", "dave@navy.example"];
    let reply = refusal(send(s.running.inbound.port(), "carol@air.example", &to, &raw).await);
    assert_eq!(reply.code, 451, "{reply}");
    // Refused for good: 554, the MTA returns the message.
    let re2 = reinjection(vec!["550 5.1.1 No such user", "250 2.1.5 Ok"]);
    let s2 = navy(pki(), re2.port, serde_json::json!({})).await;
    let reply = refusal(send(s2.running.inbound.port(), "carol@air.example", &to, &raw).await);
    assert_eq!(reply.code, 554, "{reply}");
    assert!(re.received.lock().unwrap().is_empty() && re2.received.lock().unwrap().is_empty());
    s.running.shutdown().await;
    s2.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_one_domain_per_transaction_and_the_originator_requirement() {
    let re = reinjection(vec![]);
    let s = navy(
        pki(),
        re.port,
        serde_json::json!({ "requireOriginatorSignature": true }),
    )
    .await;
    let out = s.running.outbound.port();
    // Two remote domains: the second recipient is deferred (452), the first one goes on.
    let raw = signed(
        &s.pki,
        "bob",
        false,
        &message("bob@navy.example", "two-domains"),
    );
    let to = ["x@army.example", "y@air.example"];
    let o = client::send(
        &format!("127.0.0.1:{out}"),
        "mta.example",
        None,
        &env("bob@navy.example", &to),
        &raw,
        Duration::from_secs(20),
    )
    .await
    .unwrap();
    assert_eq!(o.accepted, ["x@army.example"]);
    assert_eq!(o.rejected[0].1.code, 452);
    let got = re.received.lock().unwrap()[0].clone();
    let report =
        mmhs::verify::verify(&got, &s.pki.verify_context(time::OffsetDateTime::now_utc())).unwrap();
    assert_eq!(report.signatures[0].signature_type, "domain");
    // Unsigned: no originator signature, refused (army.example's onFailure).
    let reply = refusal(
        send(
            out,
            "bob@navy.example",
            &["x@army.example"],
            &message("bob@navy.example", "unsigned-out"),
        )
        .await,
    );
    assert!(
        reply.message.contains("[boundary-originator-unverified]"),
        "{reply}"
    );
    // A signature that does not verify forbids the domain signature (§3.3).
    let bad = String::from_utf8(raw.clone())
        .unwrap()
        .replacen("hello", "HELLO", 1);
    let reply = refusal(send(out, "bob@navy.example", &["x@army.example"], bad.as_bytes()).await);
    assert!(
        reply.message.contains("[boundary-signature-invalid]"),
        "{reply}"
    );
    // Mail of a domain we do not serve is never domain-signed by us (§2.6).
    let foreign = signed(
        &s.pki,
        "alice",
        false,
        &message("alice@army.example", "foreign"),
    );
    let reply = refusal(send(out, "alice@army.example", &["x@army.example"], &foreign).await);
    assert!(reply.message.contains("[agent-naming-invalid]"), "{reply}");
    assert_eq!(re.received.lock().unwrap().len(), 1);
    s.running.shutdown().await;
}

#[test]
fn every_reason_code_is_documented() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/domain.md"))
        .unwrap();
    for r in Reason::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", r.code())),
            "{} not in docs/domain.md",
            r.code()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_valid_dca_certificate_is_encrypted_to() {
    let re = reinjection(vec![]);
    let pki = pki();
    // A DCA certificate for air.example from a CA nobody trusts, beside a genuine one for
    // army.example, in the certificate directory.
    let foreign = Pki::new(
        &format!("boundary-foreign-{}", rand_tag()),
        &[("nobody", "nobody@air.example", Alg::Ec)],
    );
    foreign.issue_agent("air-dca", "URI:smtp://air.example", Alg::Rsa, true, 20);
    let certs = pki.dir.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(foreign.dir.join("air-dca.pem"), certs.join("air-dca.pem")).unwrap();
    std::fs::copy(pki.dir.join("army-dca.pem"), certs.join("army-dca.pem")).unwrap();
    let policies = serde_json::json!({
        "certificates": "certs",
        "remoteDomains": {
            "army.example": { "encrypt": "dca" },
            "air.example": { "encrypt": "dca" }
        }
    });
    let s = navy(pki, re.port, policies).await;
    let out = s.running.outbound.port();
    let raw = message("bob@navy.example", "to-the-dca");
    let reply = refusal(send(out, "bob@navy.example", &["y@air.example"], &raw).await);
    assert_eq!(reply.code, 451, "{reply}");
    assert!(
        reply.message.contains("[boundary-no-dca-certificate]"),
        "{reply}"
    );
    assert!(
        re.received.lock().unwrap().is_empty(),
        "never sent in clear"
    );
    let r = send(out, "bob@navy.example", &["x@army.example"], &raw)
        .await
        .unwrap();
    assert_eq!(r.code, 250, "{r}");
    let got = re.received.lock().unwrap()[0].clone();
    assert!(String::from_utf8_lossy(&got).contains("smime-type=enveloped-data"));
    let key = mmhs::keys::PrivateKey::from_pem(&s.pki.read("army-dca.key")).unwrap();
    let opened = mmhs::smime::decrypt_message(&got, &key, &s.pki.cert("army-dca")).unwrap();
    let read = mmhs::verify::verify_message(
        &opened,
        &s.pki.verify_context(time::OffsetDateTime::now_utc()),
    )
    .unwrap();
    assert!(read.report.domain_verified, "{:#?}", read.report);
    assert!(String::from_utf8_lossy(&read.content).contains("hello"));
    s.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbound_listener_relays_nowhere_and_a_misspelt_policy_does_not_start() {
    let re = reinjection(vec![]);
    let s = navy(pki(), re.port, serde_json::json!({})).await;
    // Mail from outside for another domain: the inbound listener is no open relay.
    let o = client::send(
        &format!("127.0.0.1:{}", s.running.inbound.port()),
        "mta.example",
        None,
        &env("x@air.example", &["y@army.example"]),
        &message("x@air.example", "relay"),
        Duration::from_secs(20),
    )
    .await;
    let reply = refusal(o.map(|o| o.data_reply));
    assert_eq!(
        (reply.code, reply.enhanced.as_str()),
        (550, "5.7.1"),
        "{reply}"
    );
    // A misspelt field never falls back to a default.
    let cfg = std::fs::read_to_string(s.pki.dir.join("navy.json"))
        .unwrap()
        .replace("\"remoteDomains\"", "\"remoteDomain\"");
    let bad = s.pki.dir.join("bad.json");
    std::fs::write(&bad, cfg).unwrap();
    let e = BoundaryConfig::load(&bad).unwrap_err();
    assert_eq!(e.code(), "server-config", "{e}");
    assert!(e.to_string().contains("remoteDomain"), "{e}");
    s.running.shutdown().await;
}

/// The per-message time budget (`messageBudgetMillis`, as `mmhs serve`'s): a message whose
/// processing outlasts it is answered `451 4.7.0` (the MTA keeps it and retries) and the
/// abandoned work re-injects nothing, also once it has finished.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_its_time_budget_a_message_is_deferred_and_nothing_is_reinjected() {
    let re = reinjection(vec![]);
    let s = navy(
        pki(),
        re.port,
        serde_json::json!({ "messageBudgetMillis": 1 }),
    )
    .await;
    // 1 MiB, signed twice: reading, hashing and verifying it takes far more than 1 ms.
    let body = "All stations, report status.\r\n".repeat(1 << 15);
    let raw = format!("From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: big\r\nMessage-ID: <big@test>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n{body}");
    let raw = signed(&s.pki, "alice", false, raw.as_bytes());
    let raw = signed(&s.pki, "army-sig", true, &raw);
    let reply = refusal(inbound(&s, "alice@army.example", &raw).await);
    assert_eq!(
        (reply.code, reply.enhanced.as_str()),
        (451, "4.7.0"),
        "{reply}"
    );
    assert!(reply.message.contains("[boundary-over-budget]"), "{reply}");
    // The abandoned verification ends on its own; what it produced is dropped.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        re.received.lock().unwrap().is_empty(),
        "nothing re-injected"
    );
    let trail = audit(&data_dir(&s));
    assert!(
        trail
            .iter()
            .any(|r| r.contains("\"event\":\"fail\"") && r.contains("boundary-over-budget")),
        "{trail:#?}"
    );
    assert!(!trail.iter().any(|r| r.contains("\"event\":\"receive\"")));
    s.running.shutdown().await;
}

/// A pathological inbound message — 4 MiB signed 7 times over by a certificate whose
/// issuers are 16 self-issued CAs of one name (every ordering a candidate path): seconds of
/// verification within every work limit of the core — with one message slot and a 100 ms
/// budget: answered `451 4.7.0` within bounded time, nothing re-injected, and the agent
/// serves the next connection, whose message gets the slot once the cancelled verification
/// gave it back (the MTA retries a 4xx, RFC 5321 §4.2.5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pathological_message_is_deferred_in_bounded_time_and_the_next_one_served() {
    const BUDGET: Duration = Duration::from_millis(100);
    let re = reinjection(vec![]);
    let s = navy(
        pki(),
        re.port,
        serde_json::json!({ "messageBudgetMillis": BUDGET.as_millis() as u64, "blockingJobs": 1 }),
    )
    .await;
    // 12 MiB signed 8 times over (the depth limit): well over the budget even with the
    // certificates decoded once and the path-building environments kept.
    let raw = support::attacks::nested_path_building(
        &s.pki,
        &message("alice@army.example", "paths"),
        8,
        12 << 20,
    );

    let t0 = std::time::Instant::now();
    let reply = refusal(inbound(&s, "alice@army.example", &raw).await);
    let took = t0.elapsed();
    assert_eq!(
        (reply.code, reply.enhanced.as_str()),
        (451, "4.7.0"),
        "{reply}"
    );
    assert!(reply.message.contains("[boundary-over-budget]"), "{reply}");
    assert!(
        took < BUDGET + Duration::from_secs(2),
        "answered after {took:?}"
    );

    // The next connection: an unsigned message of an unlisted domain needs the only slot,
    // and is quarantined within a few tries.
    let next = message("x@elsewhere.example", "next");
    let mut replies = Vec::new();
    for _ in 0..20 {
        let r = match inbound(&s, "x@elsewhere.example", &next).await {
            Ok(r) => r,
            Err(e) => refusal(Err(e)),
        };
        let done = r.code == 250;
        replies.push(r);
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let last = replies.last().unwrap();
    assert_eq!(
        (last.code, last.enhanced.as_str()),
        (250, "2.6.0"),
        "{replies:?}"
    );
    assert!(
        replies
            .iter()
            .all(|r| r.code == 250 || r.enhanced == "4.7.0"),
        "{replies:?}"
    );
    assert!(
        re.received.lock().unwrap().is_empty(),
        "nothing re-injected"
    );
    s.running.shutdown().await;
}

/// A list (RFC 2634 §4) travels alone in its transaction (its expansion replaces the
/// recipients); postings from outside and from inside are expanded; and a list configuration that names another domain's address, the list
/// among its members, or no member does not start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_travels_alone_and_a_bad_list_does_not_start() {
    let re = reinjection(vec![]);
    let pki = pki();
    let list = |address: &str, members: serde_json::Value| {
        serde_json::json!({ "lists": { address: {
            "members": members,
            "signing": { "key": "navy-sig.key", "certificate": "navy-sig.pem" }
        } } })
    };
    let s = navy(
        pki,
        re.port,
        list(
            "staff@navy.example",
            serde_json::json!(["bob@navy.example"]),
        ),
    )
    .await;
    let o = client::send(
        &format!("127.0.0.1:{}", s.running.inbound.port()),
        "mta.example",
        None,
        &env("x@air.example", &["staff@navy.example", "bob@navy.example"]),
        &message("x@air.example", "list-and-bob"),
        Duration::from_secs(20),
    )
    .await
    .unwrap();
    assert_eq!(o.accepted, ["staff@navy.example"]);
    assert_eq!(o.rejected[0].1.code, 452, "{:?}", o.rejected);
    // The accepted posting (air.example requires no domain signature) was expanded: the
    // list's signature, with a history of one, around the message.
    let ctx = s.pki.verify_context(time::OffsetDateTime::now_utc());
    let first = re.received.lock().unwrap()[0].clone();
    let r = mmhs::verify::verify(&first, &ctx).unwrap();
    assert_eq!(r.signatures[0].ml_expansion_history.len(), 1, "{r:#?}");
    // A posting from inside (outbound listener) is expanded as it is: bob's signature
    // inside the list's.
    let posting = signed(
        &s.pki,
        "bob",
        false,
        &message("bob@navy.example", "posting"),
    );
    let r = post_to_staff(&s, &posting).await;
    assert_eq!(r.code, 250, "{r}");
    let second = re.received.lock().unwrap()[1].clone();
    let r = mmhs::verify::verify(&second, &ctx).unwrap();
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[0].ml_expansion_history.len(), 1);
    assert_eq!(r.signatures[1].signer, "bob@navy.example");
    s.running.shutdown().await;
    let base = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(s.pki.dir.join("navy.json")).unwrap(),
    )
    .unwrap();
    for (bad, why) in [
        (
            list(
                "staff@army.example",
                serde_json::json!(["bob@navy.example"]),
            ),
            "our domains",
        ),
        (
            list(
                "staff@navy.example",
                serde_json::json!(["STAFF@navy.example"]),
            ),
            "its own members",
        ),
        (list("staff@navy.example", serde_json::json!([])), "members"),
    ] {
        let mut cfg = base.clone();
        cfg["lists"] = bad["lists"].clone();
        let path = s.pki.dir.join("bad-list.json");
        std::fs::write(&path, serde_json::to_vec(&cfg).unwrap()).unwrap();
        let e = BoundaryConfig::load(&path).unwrap_err();
        assert_eq!(e.code(), "server-config", "{e}");
        assert!(e.to_string().contains(why), "{e}");
    }
    // A list among another list's members (re-injection would deliver, not expand, it).
    let mut cfg = base.clone();
    let signing = serde_json::json!({ "key": "navy-sig.key", "certificate": "navy-sig.pem" });
    cfg["lists"] = serde_json::json!({
        "staff@navy.example": { "members": ["all@navy.example"], "signing": signing },
        "all@navy.example": { "members": ["bob@navy.example"], "signing": signing },
    });
    let path = s.pki.dir.join("nested-list.json");
    std::fs::write(&path, serde_json::to_vec(&cfg).unwrap()).unwrap();
    let e = BoundaryConfig::load(&path).unwrap_err();
    assert!(e.to_string().contains("is one of our lists"), "{e}");
}

/// Two valid DCA certificates of one domain (a rollover, msa-to-mda §4.1 with the core's
/// `domain_certificates`) each get a RecipientInfo; a domain whose policy is
/// `"encrypt": "gateway"` without a valid gateway certificate gets nothing in clear (`451`,
/// gateway §6), and a signing agent's certificate is never taken for a gateway's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dca_rollover_gets_both_and_a_gateway_policy_never_sends_in_clear() {
    let re = reinjection(vec![]);
    let pki = pki();
    pki.issue_agent("army-dca2", "URI:smtp://army.example", Alg::Rsa, true, 30);
    // A signing-only certificate that lists smg_encryptor@air.example: not an encryption
    // certificate (gateway §4 with keyUsage).
    pki.issue_agent(
        "air-sig",
        "email:smg_encryptor@air.example",
        Alg::Ec,
        false,
        31,
    );
    let certs = pki.dir.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    for c in ["army-dca", "army-dca2", "air-sig"] {
        std::fs::copy(
            pki.dir.join(format!("{c}.pem")),
            certs.join(format!("{c}.pem")),
        )
        .unwrap();
    }
    let s = navy(
        pki,
        re.port,
        serde_json::json!({
            "certificates": "certs",
            "remoteDomains": {
                "army.example": { "encrypt": "dca" },
                "air.example": { "encrypt": "gateway" }
            }
        }),
    )
    .await;
    let out = s.running.outbound.port();
    let raw = message("bob@navy.example", "rollover");
    let r = send(out, "bob@navy.example", &["x@army.example"], &raw)
        .await
        .unwrap();
    assert_eq!(r.code, 250, "{r}");
    let got = re.received.lock().unwrap()[0].clone();
    for dca in ["army-dca", "army-dca2"] {
        let key = mmhs::keys::PrivateKey::from_pem(&s.pki.read(&format!("{dca}.key"))).unwrap();
        let opened = mmhs::smime::decrypt_message(&got, &key, &s.pki.cert(dca)).unwrap();
        let read = mmhs::verify::verify_message(
            &opened,
            &s.pki.verify_context(time::OffsetDateTime::now_utc()),
        )
        .unwrap();
        assert!(read.report.domain_verified, "{dca}: {:#?}", read.report);
        assert!(
            String::from_utf8_lossy(&read.content).contains("hello"),
            "{dca}"
        );
    }
    let reply = refusal(send(out, "bob@navy.example", &["y@air.example"], &raw).await);
    assert_eq!(reply.code, 451, "{reply}");
    assert!(
        reply.message.contains("[boundary-no-gateway-certificate]"),
        "{reply}"
    );
    assert_eq!(re.received.lock().unwrap().len(), 1, "never sent in clear");
    s.running.shutdown().await;
}

/// Gateway inbound (draft-ramsdell-enc-smime-gateway-00 §5.2): a message encrypted for our
/// gateway's domain certificate is decrypted and passed on marked `gateway-decrypted` (header
/// field, result header, audit); one that names the gateway but does not decrypt is never
/// passed on; a gateway certificate without `smg_encryptor@<domain>` does not start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_decrypts_marks_and_never_relays_what_fails() {
    let re = reinjection(vec![]);
    let pki = pki();
    pki.issue_agent(
        "navy-gw",
        "email:smg_encryptor@navy.example",
        Alg::Rsa,
        true,
        33,
    );
    let s = navy(
        pki,
        re.port,
        serde_json::json!({
            "gateway": { "key": "navy-gw.key", "certificate": "navy-gw.pem" }
        }),
    )
    .await;
    let inner = signed(&s.pki, "alice", false, &message("alice@army.example", "gw"));
    let domain_signed = signed(&s.pki, "army-sig", true, &inner);
    let for_gw = mmhs::smime::encrypt_message(
        &domain_signed,
        &[s.pki.cert("navy-gw")],
        &Default::default(),
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let r = inbound(&s, "alice@army.example", &for_gw).await.unwrap();
    assert_eq!(r.code, 250, "{r}");
    let got = re.received.lock().unwrap()[0].clone();
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.contains("(gateway-decrypted by the S/MIME gateway of navy.example)"),
        "{text}"
    );
    let report =
        mmhs::verify::verify(&got, &s.pki.verify_context(time::OffsetDateTime::now_utc())).unwrap();
    assert_eq!(report.gateway_decrypted, ["navy.example"]);
    assert!(report.valid && report.domain_verified, "{report:#?}");
    // The same, its encrypted content damaged: never re-injected — quarantined, as
    // `defaultRemote` says (before decryption no originator domain is known).
    let t = String::from_utf8(for_gw).unwrap();
    let body_at = t.find("\r\n\r\n").unwrap() + 4 + 400;
    let mut damaged = t.into_bytes();
    for b in &mut damaged[body_at..body_at + 40] {
        if b.is_ascii_alphanumeric() {
            *b = if *b == b'A' { b'B' } else { b'A' };
        }
    }
    let reply = inbound(&s, "alice@army.example", &damaged).await.unwrap();
    assert!(
        reply.message.contains("Quarantined")
            && reply.message.contains("[boundary-decrypt-failed]"),
        "{reply}"
    );
    assert_eq!(re.received.lock().unwrap().len(), 1);
    // What decrypts to a header section beyond the header reader's limits: not read whole
    // to be marked, quarantined as unreadable.
    let many: String = (0..10_001).map(|i| format!("X-F{i}: v\r\n")).collect();
    let der = mmhs::smime::encrypt_content(
        format!("{many}Content-Type: text/plain\r\n\r\nhi\r\n").as_bytes(),
        &[s.pki.cert("navy-gw")],
        &Default::default(),
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let mut huge = b"From: alice@army.example\r\nTo: bob@navy.example\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    huge.extend_from_slice(&mmhs::mime::encode::base64_lines(&der));
    let reply = inbound(&s, "alice@army.example", &huge).await.unwrap();
    assert!(
        reply.message.contains("Quarantined") && reply.message.contains("[boundary-unreadable]"),
        "{reply}"
    );
    assert_eq!(re.received.lock().unwrap().len(), 1);
    assert!(audit(&data_dir(&s))
        .iter()
        .any(|r| r.contains("\"event\":\"receive\"")
            && r.contains("gateway-decrypted by our S/MIME gateway (navy.example)")));
    s.running.shutdown().await;
    // A gateway certificate must name smg_encryptor@<domain> (gateway §4).
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.pki.dir.join("navy.json")).unwrap())
            .unwrap();
    cfg["gateway"] = serde_json::json!({ "key": "navy-dca.key", "certificate": "navy-dca.pem" });
    let path = s.pki.dir.join("bad-gateway.json");
    std::fs::write(&path, serde_json::to_vec(&cfg).unwrap()).unwrap();
    let e = BoundaryConfig::load(&path).unwrap_err();
    assert_eq!(e.code(), "server-config", "{e}");
    assert!(e.to_string().contains("smg_encryptor"), "{e}");
}

/// `E(raw)` for the certificates of `to` (PKI names).
fn encrypted(pki: &Pki, raw: &[u8], to: &[&str]) -> Vec<u8> {
    let certs: Vec<x509_cert::Certificate> = to.iter().map(|n| pki.cert(n)).collect();
    mmhs::smime::encrypt_message(
        raw,
        &certs,
        &Default::default(),
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}

/// A history of one expansion by the list whose certificate is `list`.
fn history(pki: &Pki, list: &str) -> mmhs::smime::ml_expansion::MlExpansionHistory {
    use mmhs::smime::ml_expansion::{EntityIdentifier, MlData, MlExpansionHistory};
    MlExpansionHistory(vec![MlData {
        mail_list_identifier: EntityIdentifier::of(&pki.cert(list), false).unwrap(),
        expansion_time: time::macros::datetime!(2026-12-04 11:00:00 UTC),
        ml_receipt_policy: None,
    }])
}

/// `S(raw)` by `who` carrying `h` (as a list's outer signature does, RFC 2634 §4.2).
fn signed_with_history(
    pki: &Pki,
    who: &str,
    h: &mmhs::smime::ml_expansion::MlExpansionHistory,
    raw: &[u8],
) -> Vec<u8> {
    let opts = mmhs::smime::SignOptions {
        signing_time: Some(time::OffsetDateTime::now_utc()),
        extra_attributes: vec![h.to_attribute().unwrap()],
        ..Default::default()
    };
    mmhs::smime::sign_message(raw, &pki.signer(who), &opts, &mut mmhs::rng::system_rng()).unwrap()
}

/// A verification context holding the keys of `keys` (PKI names).
fn ctx_with(pki: &Pki, keys: &[&str]) -> mmhs::verify::VerifyContext {
    mmhs::verify::VerifyContext {
        decryption_keys: keys
            .iter()
            .map(|k| {
                (
                    mmhs::keys::PrivateKey::from_pem(&pki.read(&format!("{k}.key"))).unwrap(),
                    pki.cert(k),
                )
            })
            .collect(),
        ..pki.verify_context(time::OffsetDateTime::now_utc())
    }
}

fn copy_certs(pki: &Pki, names: &[&str]) {
    pki.copy_certs(&pki.dir.join("certs"), names);
}

/// The outer signedData's mlExpansionHistory of `raw`.
fn outer_history(raw: &[u8]) -> Option<mmhs::smime::ml_expansion::MlExpansionHistory> {
    match mmhs::domain::layers::top_layer(raw).unwrap() {
        mmhs::domain::layers::TopLayer::Signed(s) => s.ml_history.unwrap(),
        _ => None,
    }
}

/// A §5.1 example: its name, the input, the layers sent out of the domain, whether the outer
/// signedData carries the history, and what the audit record says.
type Example = (&'static str, Vec<u8>, Vec<&'static str>, bool, &'static str);

const NAVY_DOMAIN: &str = "S[domain by smtp://navy.example]";
const BOB: &str = "S[originator by bob@navy.example]";
/// The new outer signedData that carries a list's signed attributes (§5 S4 of example 4, S5
/// of example 6): made by the domain agent, without a signatureType.
const NAVY_CARRIER: &str = "S[originator by smtp://navy.example]";

/// draft-melnikov-smime-msa-to-mda-04 §5.1 examples 4 to 7 through navy's outbound listener
/// (`domain::apply_domain_signature`), the message going to alice@army.example. army.example's
/// policy asks for no encryption; the agent's local policy (§5: "If local policy requires the
/// message to be encrypted") is that content which travelled encrypted never leaves in
/// clear, so each example takes its "local policy requires encryption" branch, to army's DCA.
/// "S" signatures other than the domain's and the carriers are bob's or a list's (valid, none
/// of them a domain signature, as §5.1 assumes); the inner envelopedData E1 is for our DCA
/// (and alice), so §3.3's "including those that have been encrypted" can be honoured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn section_5_examples_4_to_7_leave_through_the_outbound_listener() {
    let re = reinjection(vec![]);
    let pki = pki();
    copy_certs(&pki, &["army-dca"]);
    let s = navy(pki, re.port, serde_json::json!({ "certificates": "certs" })).await;
    let out = s.running.outbound.port();
    let pki = &s.pki;
    let s1 = signed(pki, "bob", false, &message("bob@navy.example", "section-5"));
    let h = history(pki, "navy-sig");
    let examples: Vec<Example> = vec![
        // Example 4: (S2 (E1 (S1))), S2 with the history → (S4 (E2 (S3 (S1)))).
        (
            "example 4",
            signed_with_history(pki, "navy-sig", &h, &encrypted(pki, &s1, &["navy-dca"])),
            vec![NAVY_CARRIER, "E", NAVY_DOMAIN, BOB],
            true,
            "decrypted by our DCA; domain-signed; encrypted to the DCA of army.example",
        ),
        // Example 5: (S3 (S2 (E1 (S1)))) without history → (E2 (S4 (S1))).
        (
            "example 5",
            signed(
                pki,
                "bob",
                false,
                &signed(pki, "bob", false, &encrypted(pki, &s1, &["navy-dca", "alice"])),
            ),
            vec!["E", NAVY_DOMAIN, BOB],
            false,
            "2 signedData layer(s) stripped (§5); decrypted by our DCA; domain-signed",
        ),
        // Example 6: (S3 (S2 (E1 (S1)))), S3 with the history → (S5 (E2 (S4 (S1)))).
        (
            "example 6",
            signed_with_history(
                pki,
                "navy-sig",
                &h,
                &signed(pki, "bob", false, &encrypted(pki, &s1, &["navy-dca"])),
            ),
            vec![NAVY_CARRIER, "E", NAVY_DOMAIN, BOB],
            true,
            "2 signedData layer(s) stripped (§5); decrypted by our DCA; domain-signed; encrypted to the DCA of army.example",
        ),
        // Example 7: (S3 (E2 (S2 (E1 (S1))))) → (E3 (S4 (S2 (E1 (S1))))): E1 stays as it
        // is, for our DCA and alice.
        (
            "example 7",
            signed(
                pki,
                "bob",
                false,
                &encrypted(
                    pki,
                    &signed(pki, "bob", false, &encrypted(pki, &s1, &["navy-dca", "alice"])),
                    &["navy-dca"],
                ),
            ),
            vec!["E", NAVY_DOMAIN, BOB, "E", BOB],
            false,
            "1 signedData layer(s) stripped (§5); decrypted by our DCA; domain-signed; encrypted",
        ),
    ];
    for (i, (name, input, expected, carrier, detail)) in examples.into_iter().enumerate() {
        let r = send(out, "bob@navy.example", &["alice@army.example"], &input)
            .await
            .unwrap();
        assert_eq!(r.code, 250, "{name}: {r}");
        let got = re.received.lock().unwrap()[i].clone();
        assert!(
            !String::from_utf8_lossy(&got).contains("hello"),
            "{name}: nothing in clear"
        );
        assert_eq!(
            support::layers::shape(&got, &ctx_with(pki, &["army-dca", "alice"]), "hello"),
            expected,
            "{name}"
        );
        // "The signedData S4 (…) contains the signed attributes from S2": the history.
        assert_eq!(outer_history(&got), carrier.then(|| h.clone()), "{name}");
        let records = audit(&data_dir(&s));
        let last = records.last().unwrap();
        assert!(
            last.contains("\"event\":\"relay\"") && last.contains(detail),
            "{name}: {last}"
        );
    }
    // Example 4's shape with E1 not for our DCA: the signatures inside cannot be checked, so
    // no domain signature is added (§3.3); nothing leaves.
    let opaque = signed_with_history(pki, "navy-sig", &h, &encrypted(pki, &s1, &["alice"]));
    let reply = refusal(send(out, "bob@navy.example", &["alice@army.example"], &opaque).await);
    assert!(
        reply.message.contains("[boundary-content-opaque]"),
        "{reply}"
    );
    // A signature inside the encrypted layer that does not verify (bob's content modified
    // before it was encrypted for our DCA) forbids it too.
    let tampered = String::from_utf8(s1.clone())
        .unwrap()
        .replacen("hello", "HELLO", 1);
    let bad = signed_with_history(
        pki,
        "navy-sig",
        &h,
        &encrypted(pki, tampered.as_bytes(), &["navy-dca"]),
    );
    let reply = refusal(send(out, "bob@navy.example", &["alice@army.example"], &bad).await);
    assert!(
        reply.message.contains("[boundary-signature-invalid]"),
        "{reply}"
    );
    assert_eq!(re.received.lock().unwrap().len(), 4);
    s.running.shutdown().await;
}

/// A list member outside our domains leaves with our domain signature (§5): the list signs
/// over our domain signature, so the member's domain sees it, and a later list that strips
/// the outer signedData keeps it. Each member domain gets its own copy and transaction; the
/// local members' copy does not leave the domain and carries no domain signature. An
/// encrypted posting is re-encrypted for the members and, for the remote member, its
/// domain's DCA too (content that travelled encrypted goes at least to the domain's DCA, as
/// every outbound message). A posting from another domain is not ours to vouch for (§2.6):
/// expanded with the list's signature only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_members_outside_our_domains_get_our_domain_signature() {
    let re = reinjection(vec![]);
    let pki = pki();
    copy_certs(&pki, &["army-dca", "alice", "bob"]);
    let list = serde_json::json!({ "staff@navy.example": {
        "members": ["bob@navy.example", "alice@army.example"],
        "signing": { "key": "navy-sig.key", "certificate": "navy-sig.pem" },
        "decryption": { "key": "navy-dca.key", "certificate": "navy-dca.pem" }
    } });
    let s = navy(
        pki,
        re.port,
        serde_json::json!({ "certificates": "certs", "lists": list }),
    )
    .await;
    let pki = &s.pki;
    let list_sig = "S[originator by smtp://navy.example]";
    // A signed posting from inside.
    let posting = signed(pki, "bob", false, &message("bob@navy.example", "to-staff"));
    let r = post_to_staff(&s, &posting).await;
    assert_eq!(r.code, 250, "{r}");
    assert_eq!(
        *re.envelopes.lock().unwrap(),
        [["bob@navy.example"], ["alice@army.example"]],
        "one transaction per member domain"
    );
    let ctx = pki.verify_context(time::OffsetDateTime::now_utc());
    let local = copy_for(&re, "bob@navy.example");
    assert_eq!(
        support::layers::shape(&local, &ctx, "hello"),
        [list_sig, BOB]
    );
    let got = copy_for(&re, "alice@army.example");
    assert_eq!(
        support::layers::shape(&got, &ctx, "hello"),
        [list_sig, NAVY_DOMAIN, BOB]
    );
    assert_eq!(outer_history(&got).map(|h| h.0.len()), Some(1));
    // What army's agent reads: domain-verified by navy.example's agent.
    let report = mmhs::verify::verify(&got, &ctx).unwrap();
    assert!(report.valid && report.domain_verified, "{report:#?}");
    // A later list strips the outer signedData and every one above it: ours survives.
    let again = support::layers::expand_by(&pki.signer("army-sig"), &got, &ctx);
    assert_eq!(
        support::layers::shape(&again.message, &ctx, "hello"),
        ["S[originator by smtp://army.example]", NAVY_DOMAIN, BOB]
    );
    // An encrypted posting (for the list's key): re-encrypted for bob in his copy, for
    // alice and army's DCA in hers, the domain signature inside.
    let triple = signed(pki, "bob", false, &encrypted(pki, &posting, &["navy-dca"]));
    let r = post_to_staff(&s, &triple).await;
    assert_eq!(r.code, 250, "{r}");
    let local = copy_for(&re, "bob@navy.example");
    assert_eq!(
        support::layers::shape(&local, &ctx_with(pki, &["bob"]), "hello"),
        [list_sig, "E", BOB]
    );
    let got = copy_for(&re, "alice@army.example");
    for key in ["alice", "army-dca"] {
        assert_eq!(
            support::layers::shape(&got, &ctx_with(pki, &[key]), "hello"),
            [list_sig, "E", NAVY_DOMAIN, BOB],
            "opened with {key}'s key"
        );
    }
    // A posting from air.example (which requires nothing) is not domain-signed by us.
    let foreign = message("x@air.example", "foreign-posting");
    let r = inbound_to(&s, "x@air.example", "staff@navy.example", &foreign).await;
    assert_eq!(r.code, 250, "{r}");
    for member in ["bob@navy.example", "alice@army.example"] {
        let report = mmhs::verify::verify(&copy_for(&re, member), &ctx).unwrap();
        assert_eq!(report.signatures.len(), 1, "{member}: {report:#?}");
        assert!(!report.domain_verified);
    }
    let records = audit(&data_dir(&s));
    assert_eq!(
        records
            .iter()
            .filter(|r| r.contains("domain-signed under the list's signature (§5)"))
            .count(),
        2,
        "{records:#?}"
    );
    assert!(
        records.iter().any(|r| r.contains("foreign-posting")
            && r.contains("not domain-signed: our agent does not serve the originator's domain")),
        "{records:#?}"
    );
    s.running.shutdown().await;
}

/// The last message re-injected to `member`.
fn copy_for(re: &RecordingHop, member: &str) -> Vec<u8> {
    let envelopes = re.envelopes.lock().unwrap();
    let i = envelopes
        .iter()
        .rposition(|e| e.iter().any(|a| a == member))
        .unwrap_or_else(|| panic!("nothing re-injected to {member}: {envelopes:?}"));
    re.received.lock().unwrap()[i].clone()
}

/// Each list copy for members of another domain takes that domain's outbound decision, as
/// a message sent to it directly would (docs/domain.md, "Outbound" steps 3 and 4): army.example
/// asks for its DCA (`"encrypt": "dca"`), so alice's copy leaves encrypted — §5.1 example 4's
/// "(S4 (E2 (S3 (S1 (Original Content)))))", the list's signature as S4 — and never in clear;
/// air.example is not cleared for the posting's label, so its member's copy is refused with
/// `boundary-label-refused` while the others go; and a member domain asking for a DCA for
/// which the directory holds no valid certificate makes the whole posting wait (`451
/// boundary-no-dca-certificate`) with nothing sent, not even the local copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_copies_for_other_domains_take_their_outbound_policy() {
    const NAVY_POLICY: &str = "1.3.6.1.4.1.55555.2";
    let re = reinjection(vec![]);
    let pki = pki();
    copy_certs(&pki, &["army-dca"]);
    let class = |v: u16, m: &str| serde_json::json!({ "value": v, "name": m, "marking": m });
    let policies = pki.dir.join("label-policies");
    std::fs::create_dir_all(&policies).unwrap();
    let label_policy = serde_json::json!({
        "policy": NAVY_POLICY, "local": true,
        "classifications": [class(1, "NAVY UNCLASSIFIED"), class(2, "NAVY RESTRICTED")],
        "clearances": { "army.example": 2, "air.example": 1, "sea.example": 2 }
    });
    std::fs::write(policies.join("navy.json"), label_policy.to_string()).unwrap();
    let signing = serde_json::json!({ "key": "navy-sig.key", "certificate": "navy-sig.pem" });
    let s = navy(
        pki,
        re.port,
        serde_json::json!({
            "certificates": "certs",
            "labelPolicy": { "dir": policies, "unlabelled": "refuse" },
            "remoteDomains": {
                "army.example": { "encrypt": "dca", "requireDomainSignature": true, "onFailure": "refuse" },
                "air.example": { "onFailure": "refuse" },
                "sea.example": { "encrypt": "dca" }
            },
            "lists": {
                "staff@navy.example": {
                    "members": ["bob@navy.example", "alice@army.example", "x@air.example"],
                    "signing": signing
                },
                "ops@navy.example": {
                    "members": ["bob@navy.example", "y@sea.example"],
                    "signing": signing
                }
            }
        }),
    )
    .await;
    let pki = &s.pki;
    let posting = pki.sign_labelled(
        "bob",
        &message("bob@navy.example", "labelled-posting"),
        NAVY_POLICY,
        2,
    );
    let r = post_to_staff(&s, &posting).await;
    assert_eq!(r.code, 250, "{r}");
    assert!(
        r.message
            .contains("1 member group(s) refused by the policy [boundary-label-refused]"),
        "{r}"
    );
    let envelopes = re.envelopes.lock().unwrap().clone();
    assert_eq!(envelopes, [["bob@navy.example"], ["alice@army.example"]]);
    // alice's copy: encrypted to army's DCA, never in clear; army's DCA key reads the list's
    // signature, the envelopedData, our domain signature and bob's.
    let army_copy = copy_for(&re, "alice@army.example");
    assert!(!String::from_utf8_lossy(&army_copy).contains("hello"));
    assert_eq!(
        support::layers::shape(&army_copy, &ctx_with(pki, &["army-dca"]), "hello"),
        [
            "S[originator by smtp://navy.example]",
            "E",
            NAVY_DOMAIN,
            BOB
        ]
    );
    assert_eq!(outer_history(&army_copy).map(|h| h.0.len()), Some(1));
    // OpenSSL independently: the list's signature verifies, army's DCA key decrypts what it
    // covers, and our domain signature inside verifies.
    pki.write("army-copy.eml", &army_copy);
    succeeded(cms_verify(
        &pki.dir,
        "army-copy.eml",
        "ca.pem",
        &["-purpose", "any", "-out", "army-copy-e.eml"],
    ));
    succeeded(cms_decrypt(
        &pki.dir,
        "army-copy-e.eml",
        "army-dca.pem",
        "army-dca.key",
        &["-out", "army-copy-domain.eml"],
    ));
    succeeded(cms_verify(
        &pki.dir,
        "army-copy-domain.eml",
        "ca.pem",
        &["-purpose", "any", "-out", "army-copy-bob.eml"],
    ));
    let records = audit(&data_dir(&s));
    assert!(
        records.iter().any(|r| r.contains("\"event\":\"refuse\"")
            && r.contains("boundary-label-refused")
            && r.contains("x@air.example")),
        "{records:#?}"
    );
    assert!(
        records.iter().any(|r| r.contains("\"event\":\"relay\"")
            && r.contains("alice@army.example")
            && r.contains("encrypted to the DCA of army.example")
            && r.contains("label allow")),
        "{records:#?}"
    );
    // sea.example asks for a DCA and has none in the directory: nothing leaves.
    let before = re.received.lock().unwrap().len();
    let reply = refusal(
        send(
            s.running.outbound.port(),
            "bob@navy.example",
            &["ops@navy.example"],
            &posting,
        )
        .await,
    );
    assert_eq!(reply.code, 451, "{reply}");
    assert!(
        reply.message.contains("[boundary-no-dca-certificate]"),
        "{reply}"
    );
    assert_eq!(re.received.lock().unwrap().len(), before, "nothing sent");
    s.running.shutdown().await;
}

/// An inbound message whose layer for our DCA lies under a signed layer — army's list
/// signature over content encrypted for navy's DCA, what army's agent sends a list member of
/// navy.example whose domain asks for DCA encryption — is decrypted for our domain (§4: "In
/// cases (b) and (d) the message SHOULD be decrypted before the originators 'domain
/// signature' is obtained and verified"; §7: "the message is decrypted by the end users DCA
/// the message will be in plain text"). The signedData above it signed the ciphertext, so as
/// in §5.1 example 5 — "The signedData objects S3 and S2 are verified. When the envelopedData
/// E1 is found the signedData objects S3 and S2 are stripped off. The encryptedContent is
/// decrypted." — it is verified, then stripped: bob receives (S_domain (S_alice (content))),
/// the result header saying a layer was verified and removed. An outer signature that does
/// not verify (the list's signature moved onto another ciphertext for our DCA) is refused,
/// never decrypted into a delivery that looks verified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_layer_for_our_dca_under_a_signature_is_verified_stripped_and_decrypted() {
    let re = reinjection(vec![]);
    let pki = pki();
    let s = navy(pki, re.port, serde_json::json!({})).await;
    let pki = &s.pki;
    let domain_signed = |subject: &str| {
        let alice = signed(pki, "alice", false, &message("alice@army.example", subject));
        signed(pki, "army-sig", true, &alice)
    };
    let h = history(pki, "army-sig");
    let e1 = encrypted(pki, &domain_signed("listed"), &["navy-dca"]);
    let from_list = signed_with_history(pki, "army-sig", &h, &e1);
    let r = inbound(&s, "alice@army.example", &from_list).await.unwrap();
    assert_eq!(r.code, 250, "{r}");
    let got = re.received.lock().unwrap()[0].clone();
    let text = String::from_utf8_lossy(&got).to_string();
    assert!(
        text.contains("smime=pass reason=\"domain-signature-verified\"")
            && text.contains("(decrypted by the domain confidentiality authority)")
            && text.contains("(1 outer signature layer(s) verified and removed)"),
        "{text}"
    );
    let ctx = pki.verify_context(time::OffsetDateTime::now_utc());
    assert_eq!(
        support::layers::shape(&got, &ctx, "hello"),
        [
            "S[domain by smtp://army.example]",
            "S[originator by alice@army.example]"
        ]
    );
    let records = audit(&data_dir(&s));
    assert!(
        records.iter().any(|r| r.contains("\"event\":\"receive\"")
            && r.contains("1 outer signedData layer(s) by smtp://army.example, with an mlExpansionHistory of 1 verified and removed")),
        "{records:#?}"
    );
    // The attack: the list's valid signature over E1 moved onto E2, another ciphertext for
    // our DCA whose content is validly domain-signed. Decrypting and stripping would deliver
    // a verified-looking message; the outer signature does not verify: refused.
    let e2 = encrypted(pki, &domain_signed("forged"), &["navy-dca"]);
    let body = |m: &[u8]| {
        let t = String::from_utf8(m.to_vec()).unwrap();
        let at = t.find("\r\n\r\n").unwrap() + 4;
        t[at..].trim_end().to_string()
    };
    let signed_text = String::from_utf8(from_list.clone()).unwrap();
    assert!(signed_text.contains(&body(&e1)), "E1 sits verbatim in S");
    let moved = signed_text.replace(&body(&e1), &body(&e2));
    let reply = refusal(inbound(&s, "alice@army.example", moved.as_bytes()).await);
    assert_eq!(reply.code, 550, "{reply}");
    assert!(
        reply.message.contains("[boundary-signature-invalid]"),
        "{reply}"
    );
    assert_eq!(
        re.received.lock().unwrap().len(),
        1,
        "nothing else delivered"
    );
    s.running.shutdown().await;
}

/// Send to `to` on the inbound listener.
async fn inbound_to(s: &Setup, from: &str, to: &str, msg: &[u8]) -> client::Reply {
    send(s.running.inbound.port(), from, &[to], msg)
        .await
        .unwrap()
}

/// bob's posting to staff@navy.example on the outbound listener.
async fn post_to_staff(s: &Setup, msg: &[u8]) -> client::Reply {
    send(
        s.running.outbound.port(),
        "bob@navy.example",
        &["staff@navy.example"],
        msg,
    )
    .await
    .unwrap()
}
