//! `mmhs serve` under slow SMTP clients: the session limit answers the connection over it
//! with 421 while the admitted slow sessions leave the webmail responsive, and the
//! whole-session deadline ends a session that trickles one byte at a time within its idle
//! timeout. Loopback only; at most 21 connections; every wait is bounded by `T`.
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use crate::support::server::*;
use mmhs::server::{Config, Running};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

async fn start_with(name: &str, config: Config) -> (Running, std::path::PathBuf) {
    start_configured(name, config, None).await
}

async fn first_line(r: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    tokio::time::timeout(T, r.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    line
}

/// Send `EHLO slow.example\r\n` one byte every `every`, for at most `bytes` bytes.
async fn trickle(
    mut s: BufReader<TcpStream>,
    every: Duration,
    bytes: usize,
) -> BufReader<TcpStream> {
    for b in b"EHLO slow.example\r\n".iter().cycle().take(bytes) {
        if s.get_mut().write_all(&[*b]).await.is_err() {
            break;
        }
        tokio::time::sleep(every).await;
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_sessions_are_limited_and_the_webmail_stays_responsive() {
    let mut cfg = test_config(1 << 20);
    cfg.max_sessions = 20;
    cfg.max_sessions_per_client = 20;
    let (srv, dir) = start_with("limits-sessions", cfg).await;
    let mut slow = Vec::new();
    for _ in 0..20 {
        let s = TcpStream::connect(srv.smtp_addr).await.unwrap();
        let mut r = BufReader::new(s);
        let g = first_line(&mut r).await;
        assert!(g.starts_with("220"), "{g}");
        slow.push(tokio::spawn(trickle(r, Duration::from_millis(200), 10)));
    }
    let t0 = Instant::now();
    let page = http(srv.http_addr, "GET", "/", &[], None).await;
    let took = t0.elapsed();
    assert!(page.status < 400, "{}", page.status);
    assert!(took < Duration::from_secs(1), "GET / took {took:?}");
    // The 21st connection is over the limit.
    let s = TcpStream::connect(srv.smtp_addr).await.unwrap();
    let mut r = BufReader::new(s);
    let refused = first_line(&mut r).await;
    assert!(refused.starts_with("421 4.3.2"), "{refused}");
    for t in slow {
        drop(t.await.unwrap());
    }
    // Their slots are free again once they are gone.
    let mut c = None;
    for _ in 0..50 {
        let s = TcpStream::connect(srv.smtp_addr).await.unwrap();
        let mut r = BufReader::new(s);
        if first_line(&mut r).await.starts_with("220") {
            c = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.is_some(), "slots not released");
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_session_ends_at_the_session_deadline() {
    let mut cfg = test_config(1 << 20);
    cfg.idle_timeout_seconds = 5;
    cfg.session_timeout_seconds = 2;
    let (srv, dir) = start_with("limits-deadline", cfg).await;
    let s = TcpStream::connect(srv.smtp_addr).await.unwrap();
    let mut r = BufReader::new(s);
    assert!(first_line(&mut r).await.starts_with("220"));
    // One byte every 300 ms, well within the idle timeout, for at most 9 s.
    let writer = tokio::spawn(async move {
        let mut r = r;
        let mut bye = String::new();
        for b in b"NOOP".iter().cycle().take(30) {
            if r.get_mut().write_all(&[*b]).await.is_err() {
                break;
            }
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(300), r.read_line(&mut bye)).await
            {
                if n > 0 {
                    break;
                }
            }
        }
        bye
    });
    let bye = tokio::time::timeout(T, writer).await.unwrap().unwrap();
    assert!(bye.starts_with("421 4.4.2"), "{bye:?}");
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_messages_are_spooled_to_disk_while_received() {
    let (srv, dir) = crate::support::server::start("limits-spool", 4 << 20, None).await;
    let spool = dir.join("spool");
    // ~1.2 MiB of dot-stuffed lines: well beyond what a session keeps in memory.
    let mut body = String::new();
    for i in 0..20_000 {
        body.push_str(&format!(
            "..line {i:05} of the spooled message, dot-stuffed\r\n"
        ));
    }
    let msg = plain_message("alice@army.example", "bob@navy.example", "spooled", "");
    let data = format!("{msg}{body}");
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    assert!(c
        .cmd("MAIL FROM:<alice@army.example>")
        .await
        .starts_with("250"));
    assert!(c.cmd("RCPT TO:<bob@navy.example>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    let (first, rest) = data.as_bytes().split_at(data.len() / 2);
    c.send_bytes(first).await;
    eventually(|| (std::fs::read_dir(&spool).ok()?.count() == 1).then_some(())).await;
    c.send_bytes(rest).await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("250"), "{r}");
    assert_eq!(
        std::fs::read_dir(&spool).unwrap().count(),
        0,
        "spool file left"
    );
    let store = srv.agent.store.clone();
    let list = store.list("bob@navy.example", "Inbox").unwrap();
    let m = store.get("bob@navy.example", list[0].id).unwrap().unwrap();
    let want = format!(
        "{msg}{}",
        body.replace("\r\n..", "\r\n.").replacen("..", ".", 1)
    );
    assert!(m.raw.ends_with(want.as_bytes()), "message not byte-exact");
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
