//! Transport security of `mmhs serve` over 127.0.0.1: STARTTLS on the submission port
//! (RFC 3207), AUTH only after TLS, the command injection of the CVE-2011-0411 class refused,
//! HTTPS for the webmail, STARTTLS of the relay client (opportunistic and `tls=required`),
//! cross-checked with `openssl s_client -starttls smtp` when the OpenSSL CLI is installed.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;

use std::sync::Arc;

use mmhs::server::store::folders;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A rustls client trusting exactly the server's generated certificate.
fn client_trusting(cert_pem: &std::path::Path) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert_pem).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(mmhs::server::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// Read one complete SMTP reply from any stream.
async fn reply<S: tokio::io::AsyncRead + Unpin>(r: &mut BufReader<S>) -> String {
    read_reply(r).await
}

async fn cmd<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    c: &mut BufReader<S>,
    line: &str,
) -> String {
    c.get_mut()
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .unwrap();
    reply(c).await
}

fn no_plaintext_auth() -> mmhs::server::Config {
    let mut cfg = test_config(100_000);
    cfg.tls.plaintext_auth_on_loopback = false;
    cfg
}

fn auth_plain(user: &str, pass: &str) -> String {
    use base64::Engine;
    let t = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{pass}"));
    format!("AUTH PLAIN {t}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_then_auth_and_a_message_over_tls() {
    let (srv, _d) = start_configured("tls-auth", no_plaintext_auth(), None).await;
    let identity = srv.tls_identity.clone().expect("certificate generated");
    assert!(identity.generated, "generated into the data directory");
    let sock = TcpStream::connect(srv.smtp_addr).await.unwrap();
    let mut c = BufReader::new(sock);
    assert!(reply(&mut c).await.starts_with("220"));
    let e = cmd(&mut c, "EHLO client.example").await;
    assert!(e.contains("250 STARTTLS"), "{e}");
    assert!(
        !e.contains("AUTH"),
        "AUTH must not be offered before TLS:\n{e}"
    );
    // Attacker's view: a password in cleartext is refused before it is checked.
    let r = cmd(&mut c, &auth_plain("alice@army.example", "alice-demo")).await;
    assert!(r.starts_with("538 5.7.11"), "{r}");
    assert!(cmd(&mut c, "STARTTLS").await.starts_with("220 2.0.0"));
    let tls = client_trusting(&identity.cert)
        .connect(ServerName::try_from("localhost").unwrap(), c.into_inner())
        .await
        .expect("handshake with the generated certificate");
    let mut c = BufReader::new(tls);
    // RFC 3207 §4.2: the EHLO of before is forgotten.
    assert!(cmd(&mut c, "MAIL FROM:<alice@army.example>")
        .await
        .starts_with("503"));
    let e = cmd(&mut c, "EHLO client.example").await;
    assert!(!e.contains("STARTTLS"), "not offered twice:\n{e}");
    assert!(e.contains("AUTH PLAIN"), "{e}");
    assert!(cmd(&mut c, "STARTTLS").await.starts_with("503"));
    let r = cmd(&mut c, &auth_plain("alice@army.example", "alice-demo")).await;
    assert!(r.starts_with("235"), "{r}");
    assert!(cmd(&mut c, "MAIL FROM:<alice@army.example>")
        .await
        .starts_with("250"));
    assert!(cmd(&mut c, "RCPT TO:<bob@navy.example>")
        .await
        .starts_with("250"));
    assert!(cmd(&mut c, "DATA").await.starts_with("354"));
    c.get_mut()
        .write_all(
            plain_message("alice@army.example", "bob@navy.example", "overtls", "").as_bytes(),
        )
        .await
        .unwrap();
    assert!(cmd(&mut c, ".").await.starts_with("250"));
    let l = srv
        .agent
        .store
        .list("bob@navy.example", folders::INBOX)
        .unwrap();
    let m = srv
        .agent
        .store
        .get("bob@navy.example", l[0].id)
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&m.raw);
    assert!(text.contains("with ESMTPSA id"), "RFC 3848 trace: {text}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_pipelined_after_starttls_are_discarded() {
    let (srv, _d) = start_configured("tls-inject", no_plaintext_auth(), None).await;
    let identity = srv.tls_identity.clone().unwrap();
    let sock = TcpStream::connect(srv.smtp_addr).await.unwrap();
    let mut c = BufReader::new(sock);
    assert!(reply(&mut c).await.starts_with("220"));
    cmd(&mut c, "EHLO client.example").await;
    // The CVE-2011-0411 attack: a man in the middle appends cleartext commands to the
    // client's STARTTLS, hoping the server runs them inside the TLS session.
    c.get_mut()
        .write_all(
            b"STARTTLS\r\nEHLO evil.example\r\nMAIL FROM:<evil@elsewhere.example>\r\nRCPT TO:<bob@navy.example>\r\n",
        )
        .await
        .unwrap();
    let r = reply(&mut c).await;
    assert!(r.starts_with("220 2.0.0"), "{r}");
    assert!(c.buffer().is_empty(), "nothing but the 220 in cleartext");
    let tls = client_trusting(&identity.cert)
        .connect(ServerName::try_from("localhost").unwrap(), c.into_inner())
        .await
        .unwrap();
    let mut c = BufReader::new(tls);
    // The first reply over TLS answers our EHLO, not an injected command…
    let e = cmd(&mut c, "EHLO client.example").await;
    assert!(e.starts_with("250-"), "{e}");
    assert!(!e.contains("Sender OK") && !e.contains("evil"), "{e}");
    // …and the injected MAIL never opened a transaction.
    let r = cmd(&mut c, "RCPT TO:<bob@navy.example>").await;
    assert!(
        r.starts_with("503 5.5.1"),
        "injected MAIL must not count: {r}"
    );
    assert!(cmd(&mut c, "QUIT").await.starts_with("221"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_listener_allows_plaintext_auth_by_default() {
    let (srv, _d) = start("tls-loopback", 10_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    let e = c.cmd("EHLO client.example").await;
    assert!(
        e.contains("250-STARTTLS") && e.contains("AUTH PLAIN"),
        "{e}"
    );
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_handshake_ends_the_session() {
    let (srv, _d) = start_configured("tls-garbage", no_plaintext_auth(), None).await;
    let sock = TcpStream::connect(srv.smtp_addr).await.unwrap();
    let mut c = BufReader::new(sock);
    reply(&mut c).await;
    cmd(&mut c, "EHLO client.example").await;
    assert!(cmd(&mut c, "STARTTLS").await.starts_with("220"));
    // Cleartext where the ClientHello belongs: the server closes, runs nothing.
    c.get_mut()
        .write_all(b"MAIL FROM:<evil@elsewhere.example>\r\n\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let n = tokio::time::timeout(T, c.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&rest[..n]);
    assert!(!text.contains("250"), "{text}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webmail_over_https_with_the_generated_certificate() {
    let mut cfg = test_config(100_000);
    cfg.tls.https = true;
    let (srv, _d) = start_configured("tls-https", cfg, None).await;
    assert!(srv.https);
    let identity = srv.tls_identity.clone().unwrap();
    let sock = TcpStream::connect(srv.http_addr).await.unwrap();
    let mut tls = client_trusting(&identity.cert)
        .connect(ServerName::try_from("localhost").unwrap(), sock)
        .await
        .expect("HTTPS handshake");
    tls.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut body = Vec::new();
    tokio::time::timeout(T, tls.read_to_end(&mut body))
        .await
        .unwrap()
        .ok();
    let text = String::from_utf8_lossy(&body);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    // Plain HTTP on the HTTPS port gets no page.
    let mut plain = TcpStream::connect(srv.http_addr).await.unwrap();
    plain
        .write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 256];
    let n = tokio::time::timeout(T, plain.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert!(!String::from_utf8_lossy(&buf[..n]).contains("HTTP/1.1 200"));
    srv.shutdown().await;
}

/// Start a next hop "msa-b" for `other.example` (carol), with STARTTLS on or off.
async fn next_hop(name: &str, starttls: bool) -> (mmhs::server::Running, std::path::PathBuf) {
    let mut cfg = test_config(100_000);
    cfg.hostname = "msa-b.localhost".into();
    cfg.tls.starttls = starttls;
    cfg.users = vec![carol()];
    start_configured(name, cfg, None).await
}

/// Wait until the relay's first attempt has failed and its item is queued again.
async fn first_attempt_failed(a: &mmhs::server::Running) {
    let store_a = a.agent.store.clone();
    eventually(|| {
        let q = store_a.with_conn(|c| {
            c.query_row("SELECT COUNT(*) FROM queue WHERE attempts > 0", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| mmhs::server::Error::Db(e.to_string()))
        });
        (q.ok()? > 0).then_some(())
    })
    .await;
}

/// Start "msa-a" relaying to `uri`, trusting `anchors` for `tls=required`.
async fn relaying_to(
    name: &str,
    uri: &str,
    anchors: Option<std::path::PathBuf>,
) -> (mmhs::server::Running, std::path::PathBuf) {
    let dir = temp_dir(name);
    let mut cfg = test_config(100_000);
    cfg.tls.relay_trust_anchors = anchors;
    let running = mmhs::server::start(mmhs::server::ServerOptions {
        relay: Some(mmhs::server::parse_mail_uri(uri).unwrap()),
        ..options(dir.clone(), Some(cfg), None, false)
    })
    .await
    .unwrap();
    (running, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_requires_tls_and_verifies_the_next_hop() {
    let (b, _db) = next_hop("tls-relay-b", true).await;
    let anchors = b.tls_identity.as_ref().unwrap().cert.clone();
    let uri = format!("smtp://127.0.0.1:{}/?tls=required", b.smtp_addr.port());
    let (a, _da) = relaying_to("tls-relay-a", &uri, Some(anchors)).await;
    alice_to_carol(a.smtp_addr, "required").await;
    let text = first_in_inbox(&b.agent.store, "carol@other.example").await;
    assert!(
        text.contains("by msa-b.localhost with ESMTPS id"),
        "relayed over TLS: {text}"
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_without_starttls_keeps_the_message_when_tls_is_required() {
    // The downgrade attack: the next hop (or a man in the middle) does not offer STARTTLS.
    let (c, _dc) = next_hop("tls-relay-c", false).await;
    let uri = format!("smtp://127.0.0.1:{}/?tls=required", c.smtp_addr.port());
    let anchors = temp_dir("tls-anchors").join("none.pem");
    // Anchors that do not exist are a configuration error at start…
    let dir = temp_dir("tls-relay-bad");
    let mut cfg = test_config(100_000);
    cfg.tls.relay_trust_anchors = Some(anchors);
    let e = mmhs::server::start(mmhs::server::ServerOptions {
        relay: Some(mmhs::server::parse_mail_uri(&uri).unwrap()),
        ..options(dir, Some(cfg), None, false)
    })
    .await
    .err()
    .expect("missing trust anchors refused");
    assert_eq!(e.code(), "server-config");
    // …and with real anchors, a hop without STARTTLS gets nothing.
    let (b, _db) = next_hop("tls-relay-b2", true).await;
    let anchors = b.tls_identity.as_ref().unwrap().cert.clone();
    let (a, _da) = relaying_to("tls-relay-a2", &uri, Some(anchors)).await;
    alice_to_carol(a.smtp_addr, "downgrade").await;
    // The first attempt runs at once; give it time to fail, then look.
    first_attempt_failed(&a).await;
    assert_eq!(
        a.agent.store.queue_len().unwrap(),
        1,
        "message kept for retry"
    );
    assert!(c
        .agent
        .store
        .list("carol@other.example", folders::INBOX)
        .unwrap()
        .is_empty());
    a.shutdown().await;
    b.shutdown().await;
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_with_a_certificate_not_trusted_is_refused_when_required() {
    // A man in the middle with a certificate of its own (here: a hop whose certificate
    // is not among the anchors) must not receive the message.
    let (b, _db) = next_hop("tls-relay-mitm", true).await;
    let (other, _do) = next_hop("tls-relay-other", true).await;
    let wrong_anchor = other.tls_identity.as_ref().unwrap().cert.clone();
    let uri = format!("smtp://127.0.0.1:{}/?tls=required", b.smtp_addr.port());
    let (a, _da) = relaying_to("tls-relay-a3", &uri, Some(wrong_anchor)).await;
    alice_to_carol(a.smtp_addr, "mitm").await;
    first_attempt_failed(&a).await;
    assert!(b
        .agent
        .store
        .list("carol@other.example", folders::INBOX)
        .unwrap()
        .is_empty());
    a.shutdown().await;
    b.shutdown().await;
    other.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_s_client_starttls_smtp_verifies_the_generated_certificate() {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        // scripts/setup.sh installs the OpenSSL CLI; under scripts/test.sh its absence fails.
        assert!(std::env::var("MMHS_TEST_SH").is_err(), "openssl missing");
        return;
    }
    let (srv, _d) = start_configured("tls-openssl", no_plaintext_auth(), None).await;
    let cert = srv.tls_identity.clone().unwrap().cert;
    let addr = srv.smtp_addr;
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new("openssl")
            .args(["s_client", "-starttls", "smtp", "-connect"])
            .arg(addr.to_string())
            .arg("-CAfile")
            .arg(&cert)
            .args([
                "-verify_return_error",
                "-verify_hostname",
                "localhost",
                "-crlf",
                "-quiet",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"EHLO openssl.example\nQUIT\n").unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("250 AUTH PLAIN") || stdout.contains("AUTH PLAIN"),
        "AUTH offered over TLS: {stdout}\n{stderr}"
    );
    assert!(stdout.contains("221"), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("verify return:1") || stderr.contains("Verification: OK"),
        "{stderr}"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webmail_submits_over_starttls_when_cleartext_auth_is_off() {
    let (srv, _d) = start_configured("tls-webmail", no_plaintext_auth(), None).await;
    let addr = srv.http_addr;
    let alice = api_login(addr, "alice@army.example", "alice-demo").await;
    let raw = plain_message("alice@army.example", "bob@navy.example", "webmail-tls", "");
    let env = serde_json::json!({"mailFrom": "alice@army.example", "rcpts": [{"address": "bob@navy.example"}]});
    let r = api_post(
        addr,
        &alice,
        "/api/send",
        &serde_json::json!({"raw": raw, "envelope": env}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let text = first_in_inbox(&srv.agent.store, "bob@navy.example").await;
    assert!(text.contains("with ESMTPSA id"), "{text}");
    srv.shutdown().await;
}

/// A scripted next hop: greets, answers EHLO with `ehlo`, then answers the next command
/// with `reply` in one write, and records every line it read.
async fn scripted_hop(
    ehlo: &'static str,
    reply: &'static str,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<String>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let mut c = BufReader::new(s);
        let mut seen = String::new();
        c.get_mut().write_all(b"220 hop ESMTP\r\n").await.unwrap();
        for answer in [ehlo, reply] {
            let mut line = String::new();
            if c.read_line(&mut line).await.unwrap_or(0) == 0 {
                break;
            }
            seen.push_str(&line);
            c.get_mut().write_all(answer.as_bytes()).await.unwrap();
        }
        // Whatever else the client sends before it closes.
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(T, c.read_to_end(&mut rest)).await;
        seen.push_str(&String::from_utf8_lossy(&rest));
        seen
    });
    (addr, task)
}

fn envelope() -> mmhs::server::smtp::client::OutEnvelope {
    mmhs::server::smtp::client::OutEnvelope::new("alice@army.example", ["carol@other.example"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_client_refuses_cleartext_injected_after_the_servers_220() {
    use mmhs::domain::uri::TlsRequirement;
    use mmhs::server::smtp::client::{send_via, Hop};
    use mmhs::server::tls::RelayTls;
    // The server-side twin of the STARTTLS injection: bytes after the 220 would be read as if
    // they had come over TLS.
    let (addr, task) = scripted_hop(
        "250-hop\r\n250 STARTTLS\r\n",
        "220 2.0.0 go ahead\r\n250 2.0.0 injected\r\n",
    )
    .await;
    let dir = temp_dir("tls-client-inject");
    let id = mmhs::server::tls::ensure_server_identity(&dir, &Default::default(), "hop").unwrap();
    let tls = RelayTls::new(TlsRequirement::Required, Some(&id.cert)).unwrap();
    let hop = Hop {
        addr: &addr.to_string(),
        host: "127.0.0.1",
        tls: &tls,
        helo: "msa.example",
        auth: Some(("alice@army.example", "secret")),
        dkim: None,
    };
    let e = send_via(&hop, &envelope(), b"Subject: x\r\n\r\nx\r\n", T)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "smtp-tls-required", "{e}");
    let seen = task.await.unwrap();
    assert!(!seen.contains("AUTH") && !seen.contains("MAIL"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_client_never_sends_a_password_in_cleartext_when_tls_was_meant() {
    use mmhs::domain::uri::TlsRequirement;
    use mmhs::server::smtp::client::{send_via, Hop};
    use mmhs::server::tls::RelayTls;
    // STARTTLS stripped from the EHLO reply (opportunistic policy, relay with a user name).
    let (addr, task) = scripted_hop("250-hop\r\n250 AUTH PLAIN\r\n", "235 2.7.0 ok\r\n").await;
    let tls = RelayTls::new(TlsRequirement::Opportunistic, None).unwrap();
    let hop = Hop {
        addr: &addr.to_string(),
        host: "127.0.0.1",
        tls: &tls,
        helo: "msa.example",
        auth: Some(("alice@army.example", "secret")),
        dkim: None,
    };
    let e = send_via(&hop, &envelope(), b"Subject: x\r\n\r\nx\r\n", T)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "smtp-unavailable", "{e}");
    let seen = task.await.unwrap();
    assert!(
        !seen.contains("AUTH"),
        "no credentials in cleartext: {seen}"
    );
}
