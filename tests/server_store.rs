//! Crash safety: a message answered with 250 is committed. The real `mmhs serve` binary is
//! killed with SIGKILL right after the 250, then the store is reopened and the message is
//! there. Also: relaying through a second server given as an smtp:// URI.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;

use std::io::BufRead;
use std::process::{Command, Stdio};

use mmhs::server::store::{folders, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_committed_before_250_survives_kill() {
    let dir = temp_dir("crash");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mmhs"))
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--smtp",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read the banner until the SMTP address line (bounded by the child's output).
    let smtp_addr = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("mmhs serve: SMTP") {
                let addr = rest.split_whitespace().next().unwrap().to_string();
                // keep draining in the background so the child never blocks on stdout
                std::thread::spawn(move || for _ in lines {});
                return addr;
            }
        }
        panic!("no SMTP line");
    });
    let smtp_addr: std::net::SocketAddr =
        tokio::time::timeout(std::time::Duration::from_secs(60), smtp_addr)
            .await
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
    let mut c = Smtp::connect(smtp_addr).await;
    c.cmd("EHLO crash.example").await;
    assert!(c
        .cmd("MAIL FROM:<x@elsewhere.example>")
        .await
        .starts_with("250"));
    assert!(c.cmd("RCPT TO:<bob@navy.example>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&plain_message(
        "x@elsewhere.example",
        "bob@navy.example",
        "durable",
        "",
    ))
    .await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    child.wait().unwrap();
    let store = Store::open(&dir.join("mail.sqlite")).unwrap();
    let inbox = store.list("bob@navy.example", folders::INBOX).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].subject.as_deref(), Some("durable"));
    assert_eq!(
        mmhs::server::audit::verify(&store).unwrap().map(|n| n >= 2),
        Ok(true)
    );
    // First run made the demo PKI and config.
    assert!(dir.join("pki/ca.cert.pem").exists());
    assert!(dir.join("pki/alice@army.example.key.pem").exists());
    assert!(dir.join("config.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_non_local_mail_to_smtp_uri() {
    // "Remote" MTA: a second server whose only user is carol@other.example.
    let dir_b = temp_dir("relay-b");
    let mut cfg_b = test_config(100_000);
    cfg_b.hostname = "mta-b.localhost".into();
    cfg_b.users = vec![mmhs::server::config::UserConfig {
        address: "carol@other.example".into(),
        display_name: "Carol".into(),
        password_hash: mmhs::server::config::hash_password("carol").unwrap(),
        officer: false,
    }];
    let b = mmhs::server::start(mmhs::server::ServerOptions {
        data: dir_b,
        http: "127.0.0.1:0".into(),
        smtp: "127.0.0.1:0".into(),
        relay: None,
        relay_password: None,
        config: Some(cfg_b),
        gate: None,
        demo_pki: false,
    })
    .await
    .unwrap();
    let uri = format!("smtp://{}", b.smtp_addr);
    let (a, _d) = start("relay-a", 100_000, Some(&uri)).await;
    let mut c = Smtp::connect(a.smtp_addr).await;
    // Unauthenticated relaying is refused.
    c.cmd("EHLO client.example").await;
    assert!(c
        .cmd("MAIL FROM:<x@elsewhere.example>")
        .await
        .starts_with("250"));
    assert!(c
        .cmd("RCPT TO:<carol@other.example>")
        .await
        .starts_with("550 5.7.1"));
    let mut c = Smtp::connect(a.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    assert!(c
        .cmd("MAIL FROM:<alice@army.example> MT-PRIORITY=-3 ENVID=rel1")
        .await
        .starts_with("250"));
    assert!(c
        .cmd("RCPT TO:<carol@other.example> NOTIFY=SUCCESS")
        .await
        .starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&plain_message(
        "alice@army.example",
        "carol@other.example",
        "relayed",
        "",
    ))
    .await;
    assert!(c.cmd(".").await.starts_with("250"));
    let store_b = b.agent.store.clone();
    let got = eventually(|| {
        let l = store_b.list("carol@other.example", folders::INBOX).unwrap();
        (!l.is_empty()).then_some(l)
    })
    .await;
    let m = store_b
        .get("carol@other.example", got[0].id)
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&m.raw).to_string();
    // Two trace fields; the next hop got MT-PRIORITY as received (-3), not the rounded -2.
    assert_eq!(text.matches("Received: ").count(), 2, "{text}");
    assert!(
        text.starts_with("Authentication-Results: mta-b.localhost;")
            && text.contains("\r\nReceived: from mmhs.localhost by mta-b.localhost with ESMTPS"),
        "{text}"
    );
    assert!(text.contains("PRIORITY -3;"), "{text}");
    // B advertised DSN, so B (not A) sends the success DSN back to alice's domain — which B
    // cannot route (no relay): it records the drop in its audit trail.
    let recs = mmhs::server::audit::records(&b.agent.store).unwrap();
    assert!(recs
        .iter()
        .any(|r| r.event == mmhs::server::audit::AuditEvent::Dsn
            && r.envid.as_deref() == Some("rel1")));
    // A writes its relay record once B's 250 has arrived, possibly after B delivered.
    let store_a = a.agent.store.clone();
    eventually(|| {
        mmhs::server::audit::records(&store_a)
            .unwrap()
            .iter()
            .any(|r| r.event == mmhs::server::audit::AuditEvent::Relay)
            .then_some(())
    })
    .await;
    // The relay is audited as the MTA's transfer out (profile §7.2), and the trail verifies.
    let core = mmhs::server::audit::core_records(&store_a).unwrap();
    assert!(core
        .iter()
        .any(|r| r.agent == mmhs::release::AuditAgent::Mta
            && r.event == mmhs::release::AuditEvent::Submit
            && r.attributes.time_of_transfer_out.is_some()));
    assert!(mmhs::server::audit::verify(&store_a).unwrap().is_ok());
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_to_submit_uri_with_auth() {
    // Next hop: a submission server (AUTH required for relaying) where alice has an account.
    let dir_b = temp_dir("submit-b");
    let mut cfg_b = test_config(100_000);
    cfg_b.hostname = "msa-b.localhost".into();
    cfg_b.users = vec![
        mmhs::server::config::UserConfig {
            address: "alice@army.example".into(),
            display_name: "Alice at B".into(),
            password_hash: mmhs::server::config::hash_password("relay-secret").unwrap(),
            officer: false,
        },
        mmhs::server::config::UserConfig {
            address: "carol@other.example".into(),
            display_name: "Carol".into(),
            password_hash: mmhs::server::config::hash_password("carol").unwrap(),
            officer: false,
        },
    ];
    let b = mmhs::server::start(mmhs::server::ServerOptions {
        data: dir_b,
        http: "127.0.0.1:0".into(),
        smtp: "127.0.0.1:0".into(),
        relay: None,
        relay_password: None,
        config: Some(cfg_b),
        gate: None,
        demo_pki: false,
    })
    .await
    .unwrap();
    // A relays with submit://alice%40army.example@host:port and the password.
    let uri = format!("submit://alice%40army.example@{}", b.smtp_addr);
    let parsed = mmhs::server::parse_mail_uri(&uri).unwrap();
    assert_eq!(parsed.user.as_deref(), Some("alice@army.example"));
    let dir_a = temp_dir("submit-a");
    let mut cfg_a = test_config(100_000);
    cfg_a
        .users
        .retain(|u| !u.address.ends_with("@other.example"));
    let a = mmhs::server::start(mmhs::server::ServerOptions {
        data: dir_a,
        http: "127.0.0.1:0".into(),
        smtp: "127.0.0.1:0".into(),
        relay: Some(parsed),
        relay_password: Some("relay-secret".into()),
        config: Some(cfg_a),
        gate: None,
        demo_pki: false,
    })
    .await
    .unwrap();
    let mut c = Smtp::connect(a.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    assert!(c
        .cmd("MAIL FROM:<alice@army.example>")
        .await
        .starts_with("250"));
    assert!(c
        .cmd("RCPT TO:<carol@other.example>")
        .await
        .starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&plain_message(
        "alice@army.example",
        "carol@other.example",
        "submitted",
        "",
    ))
    .await;
    assert!(c.cmd(".").await.starts_with("250"));
    let store_b = b.agent.store.clone();
    let got = eventually(|| {
        let l = store_b.list("carol@other.example", folders::INBOX).unwrap();
        (!l.is_empty()).then_some(l)
    })
    .await;
    let m = store_b
        .get("carol@other.example", got[0].id)
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&m.raw).to_string();
    assert!(
        text.contains("\r\nReceived: from mmhs.localhost by msa-b.localhost with ESMTPSA"),
        "authenticated over (opportunistic) TLS at the next hop: {text}"
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[test]
fn relay_uri_parsing() {
    use mmhs::server::{parse_mail_uri, Scheme};
    let u = parse_mail_uri("submit://msa.army.example").unwrap();
    assert_eq!((u.scheme, u.port), (Scheme::Submit, 587));
    let u = parse_mail_uri("smtp://mx.navy.example").unwrap();
    assert_eq!((u.scheme, u.port), (Scheme::Smtp, 25));
    let u = parse_mail_uri("smtp://127.0.0.1:2525/").unwrap();
    assert_eq!(u.to_string(), "smtp://127.0.0.1:2525");
    assert_eq!(
        parse_mail_uri("imap://x").unwrap_err().code(),
        "uri-invalid"
    );
}
