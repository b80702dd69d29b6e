//! `mmhs serve` under slow messages.
//!
//! - The path-building attack: a signed military message whose certificates are self-issued
//!   CA certificates with one name (every ordering a candidate path), listing the officer in
//!   MMHS-Authorizing-Users so that the release gate verifies it, is submitted over SMTP; the
//!   SMTP reply arrives and the webmail answers HTTP meanwhile, within 1 s.
//! - Every message slot of the blocking pool held by a gate that does not return: the
//!   webmail's SQLite calls, an SMTP EHLO and an SMTP AUTH (Argon2id) are still answered —
//!   they run on the interactive share of the pool, or on the reactor.
//! - The store's connection held by a stalled write: the webmail's SQLite calls wait for it
//!   off the reactor, so requests that need no SQLite and an SMTP EHLO are still answered.
//! - A message whose processing outlasts its budget (`messageBudgetMillis`): the client gets
//!   `451 4.7.0` at the budget, nothing is stored, the worker's late result is dropped, and
//!   the client's retry is accepted once.
//! - A verification over its budget is cancelled (`GateContext::cancel`, the core's
//!   `verification-cancelled`): with one message slot, the next message is processed while
//!   the abandoned one would still have work left.
//! - A pathological message through the release gate itself (4 MiB signed 7 times over by
//!   the path-building certificate), one message slot and a 100 ms budget: `451 4.7.0`
//!   within bounded time, other sessions served, nothing stored nor audited, and the next
//!   message delivered once the cancelled verification gave its slot back.
//! - A flood of SMTP AUTH attempts with wrong passwords (each an Argon2id check): while they
//!   are in flight, a logged-in user's webmail pages, which need SQLite, answer within 1 s —
//!   password checks have their own share of the blocking pool.
//! - Large JSON bodies (`POST /api/send` with a 20 MiB message in base64) being parsed and
//!   decoded: on a single-threaded runtime, where anything run on the reactor would stop every
//!   other request, a logged-in user's `GET /api/me` is answered within 1 s while the bodies
//!   are still being parsed — the parsing runs on the webmail's share of the blocking pool.
//! - Large HTML forms (`POST /compose` with a 10 MiB text, percent-encoded, among millions
//!   of fields the form does not have) being parsed, checked and echoed back: on a
//!   single-threaded runtime, a logged-in user's `GET /folder/Inbox` page is answered within
//!   1 s while the forms are still being parsed — form parsing and the compose work run on
//!   the same share.
//! - Large stored messages (16 MiB of quoted-printable markup) being shown: on a
//!   single-threaded runtime, the runtime never stalls 1 s (a 5 ms ticker on it keeps running)
//!   and `GET /folder/Inbox` is answered within 1 s while their pages are rendered — the text
//!   is decoded and escaped on the same share.
//!
//! A few messages, loopback only, every wait bounded. Performance is measured by
//! `cargo bench --bench smime -- dos` and `--bench smtp_load`, never here.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::server::*;
use mmhs::server::{GateContext, GateDecision, Running};

const DRAFT: &str = "From: Alice Originator <alice@army.example>\r\nTo: Bob Recipient <bob@navy.example>\r\nSubject: Paths\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <paths-1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMT-Priority: 4\r\nMMHS-Authorizing-Users: officer@army.example\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nEvery ordering is a path.\r\n";

/// Submit `data` as alice; the final reply.
async fn submit(addr: std::net::SocketAddr, data: Vec<u8>) -> String {
    let mut c = Smtp::connect(addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let r = c.cmd("MAIL FROM:<alice@army.example> MT-PRIORITY=4").await;
    assert!(r.starts_with("250"), "{r}");
    let r = c.cmd("RCPT TO:<bob@navy.example>").await;
    assert!(r.starts_with("250"), "{r}");
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send_bytes(&data).await;
    c.cmd(".").await
}

/// [`DRAFT`] signed by a certificate whose issuers are 16 self-issued CAs of one name (every
/// ordering a candidate path), with the PKI to remove afterwards.
fn path_building_message(name: &str) -> (support::pki::Pki, Vec<u8>) {
    let p = support::pki::Pki::new(name, &[]);
    let signed = support::attacks::nested_path_building(&p, DRAFT.as_bytes(), 1, 0);
    (p, signed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_name_certificates_do_not_stall_the_gate() {
    let (srv, dir) = start_demo("server-dos").await;
    let (p, signed) = path_building_message("server-dos");
    for _ in 0..3 {
        let smtp = tokio::spawn(submit(srv.smtp_addr, signed.clone()));
        // The gate's verification runs on the blocking pool: the webmail answers meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let t0 = std::time::Instant::now();
        let page = http(srv.http_addr, "GET", "/", &[], None).await;
        let took = t0.elapsed();
        assert!(page.status < 400, "{}", page.status);
        assert!(
            took < std::time::Duration::from_secs(1),
            "GET / took {took:?}"
        );
        // every helper read is bounded by `T`: a stalled gate fails here
        let reply = smtp.await.unwrap();
        eprintln!("gate reply: {reply}");
        assert!(reply.starts_with('2') || reply.starts_with('5'), "{reply}");
    }
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&p.dir);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Start with `gate` and the blocking limits given; demo users, no PKI.
async fn start_gated(
    name: &str,
    blocking_jobs: usize,
    budget_millis: u64,
    gate: impl Fn(&[u8], &GateContext<'_>) -> GateDecision + Send + Sync + 'static,
) -> (Running, std::path::PathBuf) {
    let mut config = test_config(1 << 20);
    config.blocking_jobs = blocking_jobs;
    config.message_budget_millis = budget_millis;
    start_configured(name, config, Some(Box::new(gate))).await
}

/// Submit `msg` as alice to bob; the reply to the final dot.
async fn submit_plain(addr: std::net::SocketAddr, msg: String) -> String {
    let mut c = Smtp::connect(addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    c.transaction("alice@army.example", "bob@navy.example", &msg)
        .await
}

/// A new SMTP session, greeted and its EHLO answered within 1 s.
async fn responsive_session(addr: std::net::SocketAddr) -> Smtp {
    let t0 = Instant::now();
    let mut c = Smtp::connect(addr).await;
    let ehlo = c.cmd("EHLO responsive.example").await;
    let took = t0.elapsed();
    assert!(ehlo.starts_with("250"), "{ehlo}");
    assert!(
        took < Duration::from_secs(1),
        "greeting + EHLO took {took:?}"
    );
    c
}

fn audit_rows(srv: &Running) -> i64 {
    srv.agent
        .store
        .with_conn(|c| {
            c.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
                .map_err(|e| mmhs::server::Error::Db(e.to_string()))
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_message_pool_leaves_the_webmail_and_smtp_responsive() {
    // Each gate call holds its message slot until `release` (at most 10 s): with
    // blockingJobs = 2, two submissions take every slot.
    let entered = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(AtomicBool::new(false));
    let (e, r) = (entered.clone(), release.clone());
    let (srv, dir) = start_gated(
        "dos-busy-pool",
        2,
        60_000,
        move |_: &[u8], _: &GateContext<'_>| {
            e.fetch_add(1, Ordering::SeqCst);
            let t0 = Instant::now();
            while !r.load(Ordering::SeqCst) && t0.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(5));
            }
            GateDecision::Transfer { authorized: vec![] }
        },
    )
    .await;
    let token = api_login(srv.http_addr, "bob@navy.example", "bob-demo").await;
    let held: Vec<_> = (0..2)
        .map(|i| {
            let msg = plain_message(
                "alice@army.example",
                "bob@navy.example",
                &format!("held{i}"),
                "",
            );
            tokio::spawn(submit_plain(srv.smtp_addr, msg))
        })
        .collect();
    eventually(|| (entered.load(Ordering::SeqCst) == 2).then_some(())).await;

    // The webmail's SQLite calls (folder list, message list) run beside the held slots.
    for path in ["/api/folders", "/api/folders/Inbox/messages"] {
        let t0 = Instant::now();
        let r = api_get(srv.http_addr, &token, path).await;
        let took = t0.elapsed();
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert!(took < Duration::from_secs(1), "{path} took {took:?}");
    }
    // A new SMTP session is greeted and its EHLO answered.
    let mut c = responsive_session(srv.smtp_addr).await;
    // AUTH's Argon2id check does not wait for a message slot: it is answered while both
    // are still held (the gate lets go only after this).
    use base64::Engine;
    let plain = base64::engine::general_purpose::STANDARD.encode("\0bob@navy.example\0bob-demo");
    let auth = tokio::time::timeout(
        Duration::from_secs(5),
        c.cmd(&format!("AUTH PLAIN {plain}")),
    )
    .await
    .expect("AUTH waited for a message slot");
    assert!(auth.starts_with("235 2.7.0"), "{auth}");
    assert!(!release.load(Ordering::SeqCst));

    release.store(true, Ordering::SeqCst);
    for h in held {
        let reply = h.await.unwrap();
        assert!(reply.starts_with("250"), "{reply}");
    }
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_its_budget_gets_451_and_is_not_stored() {
    // The first gate call works for 2 s (bounded, like a verification at its work limits);
    // later ones are quick. The budget is 500 ms.
    let calls = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let (c, d) = (calls.clone(), done.clone());
    let (srv, dir) = start_gated(
        "dos-budget",
        1,
        500,
        move |_: &[u8], _: &GateContext<'_>| {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                std::thread::sleep(Duration::from_secs(2));
            }
            d.fetch_add(1, Ordering::SeqCst);
            GateDecision::Transfer { authorized: vec![] }
        },
    )
    .await;
    let before = audit_rows(&srv);
    let msg = plain_message("alice@army.example", "bob@navy.example", "budget", "");

    let t0 = Instant::now();
    let reply = submit_plain(srv.smtp_addr, msg.clone()).await;
    let took = t0.elapsed();
    assert!(reply.starts_with("451 4.7.0"), "{reply}");
    assert!(
        took < Duration::from_millis(1800),
        "the client waited for the worker: {took:?}"
    );
    assert_eq!(
        done.load(Ordering::SeqCst),
        0,
        "answered before the gate ended"
    );

    // The worker ends its work and drops it: nothing delivered, queued or audited.
    eventually(|| (done.load(Ordering::SeqCst) == 1).then_some(())).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let store = srv.agent.store.clone();
    assert!(store.list("bob@navy.example", "Inbox").unwrap().is_empty());
    assert_eq!(store.queue_len().unwrap(), 0);
    assert_eq!(
        audit_rows(&srv),
        before,
        "an abandoned message leaves no record"
    );

    // The client kept the message; its retry is delivered, once.
    let reply = submit_plain(srv.smtp_addr, msg).await;
    assert!(reply.starts_with("250"), "{reply}");
    assert_eq!(store.list("bob@navy.example", "Inbox").unwrap().len(), 1);
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_store_leaves_the_reactor_free() {
    let (srv, dir) = start_gated(
        "dos-stalled-store",
        2,
        60_000,
        |_: &[u8], _: &GateContext<'_>| GateDecision::Transfer { authorized: vec![] },
    )
    .await;
    let token = api_login(srv.http_addr, "bob@navy.example", "bob-demo").await;
    // A write that stalls for 2 s holding the store (a slow disk, a large commit).
    let store = srv.agent.store.clone();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        store
            .with_conn(|_| {
                let _ = held_tx.send(());
                std::thread::sleep(Duration::from_secs(2));
                Ok(())
            })
            .unwrap();
    });
    held_rx.recv_timeout(T).unwrap();
    // More webmail SQLite calls than the runtime has worker threads: on the reactor they
    // would block every worker until the store is free.
    let waiting: Vec<_> = (0..4)
        .map(|_| {
            let token = token.clone();
            let addr = srv.http_addr;
            tokio::spawn(async move { api_get(addr, &token, "/api/folders").await.status })
        })
        .collect();
    // A std sleep: the test's own thread waits here, so the clock below is not started
    // late by timers that stalled workers would not fire.
    std::thread::sleep(Duration::from_millis(200));
    let t0 = Instant::now();
    let me = api_get(srv.http_addr, &token, "/api/me").await;
    let took = t0.elapsed();
    assert_eq!(me.status, 200);
    assert!(took < Duration::from_secs(1), "GET /api/me took {took:?}");
    responsive_session(srv.smtp_addr).await;
    for w in waiting {
        assert_eq!(w.await.unwrap(), 200);
    }
    holder.join().unwrap();
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_its_budget_is_cancelled_and_frees_its_slot() {
    // One message slot. The first gate call verifies the path-building message (16
    // same-named CAs) again and again with the gate context's cancellation flag — work that
    // would hold the slot for 60 s — and ends only when the core answers
    // `verification-cancelled`; later calls are quick. The budget is 300 ms.
    let (p, slow) = path_building_message("dos-cancel");
    let calls = Arc::new(AtomicUsize::new(0));
    let cancelled = Arc::new(AtomicBool::new(false));
    let (c, k) = (calls.clone(), cancelled.clone());
    let (srv, dir) = start_gated(
        "dos-cancel",
        1,
        300,
        move |_: &[u8], ctx: &GateContext<'_>| {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                let vc = mmhs::verify::VerifyContext {
                    at: Some(time::OffsetDateTime::now_utc()),
                    cancel: ctx.cancel.cloned(),
                    ..Default::default()
                };
                let end = Instant::now() + Duration::from_secs(60);
                while Instant::now() < end {
                    if let Err(e) = mmhs::verify::verify(&slow, &vc) {
                        assert_eq!(mmhs::error::Coded::code(&e), "verification-cancelled");
                        k.store(true, Ordering::SeqCst);
                        break;
                    }
                }
            }
            GateDecision::Transfer { authorized: vec![] }
        },
    )
    .await;
    let msg = plain_message("alice@army.example", "bob@navy.example", "cancel", "");
    let reply = submit_plain(srv.smtp_addr, msg.clone()).await;
    assert!(reply.starts_with("451 4.7.0"), "{reply}");
    // The abandoned verification stops at its next check point: the only slot is free again
    // long before its 60 s of work (a generous bound, not a measurement).
    eventually(|| cancelled.load(Ordering::SeqCst).then_some(())).await;
    let t0 = Instant::now();
    let reply = submit_plain(srv.smtp_addr, msg).await;
    assert!(reply.starts_with("250"), "{reply}");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let store = srv.agent.store.clone();
    assert_eq!(store.list("bob@navy.example", "Inbox").unwrap().len(), 1);
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&p.dir);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_in_flight_leave_the_webmail_responsive() {
    const SESSIONS: usize = 16;
    const ATTEMPTS: usize = 4;
    let mut config = test_config(1 << 20);
    config.max_sessions_per_client = 64;
    let (srv, dir) = start_configured("dos-auth-flood", config, None).await;
    let token = api_login(srv.http_addr, "bob@navy.example", "bob-demo").await;

    // Unauthenticated clients guess passwords, back to back, each session for addresses of
    // its own (a known or an unknown address costs the same Argon2id check; distinct
    // addresses stay below the account lockout, which would skip the check).
    let sent = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let guessers: Vec<_> = (0..SESSIONS)
        .map(|i| {
            let (sent, answered) = (sent.clone(), answered.clone());
            let addr = srv.smtp_addr;
            tokio::spawn(async move {
                use base64::Engine;
                let mut c = Smtp::connect(addr).await;
                let e = c.cmd("EHLO guesser.example").await;
                assert!(e.starts_with("250"), "{e}");
                for k in 0..ATTEMPTS {
                    let plain = base64::engine::general_purpose::STANDARD
                        .encode(format!("\0guess{i}-{k}@army.example\0wrong-{k}"));
                    c.send(&format!("AUTH PLAIN {plain}\r\n")).await;
                    sent.fetch_add(1, Ordering::SeqCst);
                    let r = c.reply().await;
                    assert!(r.starts_with("535 5.7.8"), "{r}");
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    eventually(|| (sent.load(Ordering::SeqCst) >= SESSIONS).then_some(())).await;

    // The logged-in user's webmail, which reads SQLite off the reactor, answers meanwhile.
    for path in ["/api/folders", "/api/folders/Inbox/messages", "/api/me"] {
        let t0 = Instant::now();
        let r = api_get(srv.http_addr, &token, path).await;
        let took = t0.elapsed();
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert!(took < Duration::from_secs(1), "{path} took {took:?}");
    }
    let done = answered.load(Ordering::SeqCst);
    assert!(
        done < SESSIONS * ATTEMPTS,
        "the guesses were over before the pages were asked for ({done} answered)"
    );
    for g in guessers {
        g.await.unwrap();
    }
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_gate_over_its_budget_answers_451_and_serves_the_next_message() {
    // 12 MiB signed 8 times over (the depth limit) by the path-building certificate, within
    // every work limit of the core: about 0.7 s from submission to a reply without a budget
    // (debug build; certificates decoded once and environments kept, the path building
    // itself is no longer the larger part). One message slot; a 100 ms budget.
    const BUDGET: Duration = Duration::from_millis(100);
    let p = support::pki::Pki::new("dos-gate-budget", &[]);
    let slow = support::attacks::nested_path_building(&p, DRAFT.as_bytes(), 8, 12 << 20);
    let mut config = test_config(16 << 20);
    config.blocking_jobs = 1;
    config.message_budget_millis = BUDGET.as_millis() as u64;
    let dir = temp_dir("dos-gate-budget");
    let srv = mmhs::server::start(options(dir.clone(), Some(config), None, true))
        .await
        .unwrap();
    let before = audit_rows(&srv);

    let t0 = Instant::now();
    let reply = submit(srv.smtp_addr, slow).await;
    let took = t0.elapsed();
    assert!(reply.starts_with("451 4.7.0"), "{reply}");
    assert!(
        took < BUDGET + Duration::from_secs(2),
        "answered after {took:?}"
    );
    // Other sessions are served meanwhile.
    responsive_session(srv.smtp_addr).await;

    // The next message needs the only slot, which the cancelled verification gives back at
    // its next check point. Like any client after a 4xx, it tries again (RFC 5321 §4.2.5):
    // delivered, once, within a few tries.
    let msg = plain_message("alice@army.example", "bob@navy.example", "after", "");
    let mut replies = Vec::new();
    for _ in 0..20 {
        let reply = submit_plain(srv.smtp_addr, msg.clone()).await;
        let done = reply.starts_with("250");
        replies.push(reply);
        if done {
            break;
        }
        assert!(
            replies.last().unwrap().starts_with("451 4.7.0"),
            "{replies:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(replies.last().unwrap().starts_with("250"), "{replies:?}");
    let store = srv.agent.store.clone();
    let inbox = store.list("bob@navy.example", "Inbox").unwrap();
    assert_eq!(inbox.len(), 1, "only the plain message is stored, once");
    assert_eq!(inbox[0].subject.as_deref(), Some("after"));
    assert_eq!(store.queue_len().unwrap(), 0);
    // The abandoned message left no record in the audit trail.
    let records: i64 = srv
        .agent
        .store
        .with_conn(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM audit WHERE record LIKE '%paths-1@army.example%'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| mmhs::server::Error::Db(e.to_string()))
        })
        .unwrap();
    assert_eq!(records, 0, "records of the abandoned message");
    assert!(
        audit_rows(&srv) > before,
        "the delivered message is audited"
    );
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&p.dir);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `POST path` of `body` (of media type `content_type`) with the header field `auth`
/// (`Name: value`) over a connection of its own: `sent` is counted once the whole request is
/// written, `answered` once the response is read; the response's status and body.
#[allow(clippy::too_many_arguments)]
async fn post_counted(
    addr: std::net::SocketAddr,
    path: &'static str,
    auth: String,
    content_type: &'static str,
    body: Arc<Vec<u8>>,
    sent: Arc<AtomicUsize>,
    answered: Arc<AtomicUsize>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::time::timeout(T, tokio::net::TcpStream::connect(addr))
        .await
        .unwrap()
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    tokio::time::timeout(T, async {
        s.write_all(head.as_bytes()).await?;
        s.write_all(&body).await
    })
    .await
    .unwrap()
    .unwrap();
    sent.fetch_add(1, Ordering::SeqCst);
    let mut resp = Vec::new();
    tokio::time::timeout(T * 6, s.read_to_end(&mut resp))
        .await
        .unwrap()
        .unwrap();
    answered.fetch_add(1, Ordering::SeqCst);
    let text = String::from_utf8_lossy(&resp).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// `n` copies of `body` posted at once ([`post_counted`]), returned once every one is written
/// whole: the tasks that read their responses, and the count of responses read.
async fn post_all(
    addr: std::net::SocketAddr,
    n: usize,
    path: &'static str,
    auth: String,
    content_type: &'static str,
    body: Arc<Vec<u8>>,
) -> (
    Vec<tokio::task::JoinHandle<(u16, String)>>,
    Arc<AtomicUsize>,
) {
    let sent = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let posts = (0..n)
        .map(|_| {
            tokio::spawn(post_counted(
                addr,
                path,
                auth.clone(),
                content_type,
                body.clone(),
                sent.clone(),
                answered.clone(),
            ))
        })
        .collect();
    let t0 = Instant::now();
    while sent.load(Ordering::SeqCst) < n {
        assert!(t0.elapsed() < T, "the bodies were not sent in time");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (posts, answered)
}

// One runtime thread for the server and the clients: work on the reactor would hold up
// every request until it ends.
#[tokio::test(flavor = "current_thread")]
async fn large_json_bodies_are_parsed_off_the_runtime() {
    const POSTS: usize = 3;
    let (srv, dir) = start_configured("dos-json", test_config(21 << 20), None).await;
    let token = api_login(srv.http_addr, "alice@army.example", "alice-demo").await;
    let auth = format!("Bearer {token}");

    // A 10 MiB message as compose hands it over (base64), beside 7 million numbers in a field
    // the server ignores (each one visited by the parser: a body that costs more parsing
    // for its size), with an envelope the server refuses only once the whole body is parsed
    // and the message decoded (no recipients): each request's work is the parsing, and
    // nothing is submitted.
    let mut message =
        plain_message("alice@army.example", "bob@navy.example", "Large", "").into_bytes();
    let line = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n";
    while message.len() < 10 << 20 {
        message.extend_from_slice(line);
    }
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.encode(&message);
    drop(message);
    let mut body = format!(
        r#"{{"raw":"{raw}","encoding":"base64","envelope":{{"mailFrom":"alice@army.example","rcpts":[]}},"padding":[0"#
    )
    .into_bytes();
    drop(raw);
    while body.len() < 28 << 20 {
        body.extend_from_slice(b",0");
    }
    body.extend_from_slice(b"]}");

    let (posts, answered) = post_all(
        srv.http_addr,
        POSTS,
        "/api/send",
        format!("Authorization: {auth}"),
        "application/json",
        Arc::new(body),
    )
    .await;

    // Every body is on the server; it parses them while the user asks for a page.
    let t0 = Instant::now();
    let me = api_get(srv.http_addr, &token, "/api/me").await;
    let took = t0.elapsed();
    let done = answered.load(Ordering::SeqCst);
    assert_eq!(me.status, 200, "{}", me.text());
    assert!(took < Duration::from_secs(1), "GET /api/me took {took:?}");
    assert!(
        done < POSTS,
        "the bodies were parsed before the page was asked for ({done} answered)"
    );

    // Each body was parsed whole and its message decoded: the envelope is what is refused.
    for p in posts {
        let (status, text) = p.await.unwrap();
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("envelope-invalid"), "{text}");
    }
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

// One runtime thread for the server and the clients, as above.
#[tokio::test(flavor = "current_thread")]
async fn large_form_bodies_are_parsed_off_the_runtime() {
    const POSTS: usize = 3;
    let (srv, dir) = start_configured("dos-form", test_config(21 << 20), None).await;
    let cookie = html_login(srv.http_addr, "alice@army.example", "alice-demo").await;
    let page = http(
        srv.http_addr,
        "GET",
        "/compose",
        &[("Cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = csrf_of(&page.text());

    // A 10 MiB text as a browser sends it (spaces as '+', markup and line ends
    // percent-encoded), with a recipient the form refuses only once the whole form is parsed,
    // beside millions of fields the form does not have (each one visited by the parser):
    // each request's work is the parsing, the check and the page that keeps the text;
    // nothing is submitted.
    let mut body = format!("csrf={csrf}&to=not-an-address&subject=Large&body=").into_bytes();
    let line = b"0123456789+abcdefghijklmnopqrstuvwxyz+%3Cb%3E%26%3C%2Fb%3E+0123456789%0D%0A";
    while body.len() < 10 << 20 {
        body.extend_from_slice(line);
    }
    while body.len() < 28 << 20 {
        body.extend_from_slice(b"&p=0");
    }
    let (posts, answered) = post_all(
        srv.http_addr,
        POSTS,
        "/compose",
        format!("Cookie: {cookie}"),
        "application/x-www-form-urlencoded",
        Arc::new(body),
    )
    .await;

    // Every form is on the server; it parses them while the user asks for a page (which
    // needs SQLite, on the same share of the pool).
    let t0 = Instant::now();
    let inbox = http(
        srv.http_addr,
        "GET",
        "/folder/Inbox",
        &[("Cookie", &cookie)],
        None,
    )
    .await;
    let took = t0.elapsed();
    let done = answered.load(Ordering::SeqCst);
    assert_eq!(inbox.status, 200, "{}", inbox.text());
    assert!(inbox.text().contains("data-folder=\"Inbox\""));
    assert!(
        took < Duration::from_secs(1),
        "GET /folder/Inbox took {took:?}"
    );
    assert!(
        done < POSTS,
        "the forms were parsed before the page was asked for ({done} answered)"
    );

    // Each form was parsed whole: the recipient is what is refused, and the page keeps the
    // text typed, escaped.
    for p in posts {
        let (status, text) = p.await.unwrap();
        assert_eq!(status, 400, "{}", &text[..text.len().min(2000)]);
        assert!(text.contains("Invalid recipient address."));
        assert!(text.contains("abcdefghijklmnopqrstuvwxyz &lt;b&gt;&amp;&lt;/b&gt; 0123456789\r\n"));
    }
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

// One runtime thread for the server and the clients, as above.
#[tokio::test(flavor = "current_thread")]
async fn large_message_pages_are_rendered_off_the_runtime() {
    const GETS: usize = 3;
    let (srv, dir) = start_configured("dos-page", test_config(21 << 20), None).await;
    let addr = srv.http_addr;
    let token = api_login(addr, "alice@army.example", "alice-demo").await;
    let cookie = html_login(addr, "alice@army.example", "alice-demo").await;

    // A 16 MiB quoted-printable text of markup in Alice's Inbox: its page decodes and
    // escapes every line of it.
    let mut raw = String::from(
        "From: bob@navy.example\r\nTo: alice@army.example\r\nSubject: Large\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n",
    );
    while raw.len() < 16 << 20 {
        raw.push_str("=3Cb=3E&=3C/b=3E caf=C3=A9 0123456789 abcdefghijklmnopqrstuvwxyz\r\n");
    }
    let r = api_post(
        addr,
        &token,
        "/api/folders/Inbox/messages",
        &serde_json::json!({ "raw": raw }),
    )
    .await;
    drop(raw);
    assert_eq!(r.status, 201, "{}", r.text());
    let path = format!("/message/{}", r.json()["id"]);

    // The longest the runtime went without running a 5 ms ticker, while the pages are shown.
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut longest = Duration::ZERO;
            let mut last = Instant::now();
            while !stop.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(5)).await;
                longest = longest.max(last.elapsed());
                last = Instant::now();
            }
            longest
        })
    };
    let answered = Arc::new(AtomicUsize::new(0));
    let gets: Vec<_> = (0..GETS)
        .map(|_| {
            let (cookie, path, answered) = (cookie.clone(), path.clone(), answered.clone());
            tokio::spawn(async move {
                let r = http(addr, "GET", &path, &[("Cookie", &cookie)], None).await;
                answered.fetch_add(1, Ordering::SeqCst);
                r
            })
        })
        .collect();
    // Let the requests reach the server and their messages be read from the store.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let t0 = Instant::now();
    let inbox = http(addr, "GET", "/folder/Inbox", &[("Cookie", &cookie)], None).await;
    let took = t0.elapsed();
    let done = answered.load(Ordering::SeqCst);
    assert_eq!(inbox.status, 200, "{}", inbox.text());
    assert!(
        took < Duration::from_secs(1),
        "GET /folder/Inbox took {took:?}"
    );
    assert!(
        done < GETS,
        "the pages were rendered before the inbox was asked for ({done} answered)"
    );

    // Each page has the whole text, decoded and escaped.
    let mut pages = Vec::new();
    for g in gets {
        pages.push(g.await.unwrap());
    }
    stop.store(true, Ordering::SeqCst);
    let longest = ticker.await.unwrap();
    assert!(
        longest < Duration::from_secs(1),
        "the runtime stalled {longest:?} while the pages were shown"
    );
    for r in pages {
        assert_eq!(r.status, 200);
        let text = r.text();
        assert!(text.contains("&lt;b&gt;&amp;&lt;/b&gt; café 0123456789"));
        assert!(text.matches("café").count() > 200_000);
    }
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
