//! `mmhs serve` under the path-building attack: a signed military message whose certificates
//! are self-issued CA certificates with one name (every ordering a candidate path), listing
//! the officer in MMHS-Authorizing-Users so that the release gate verifies it, is submitted
//! over SMTP; the SMTP reply arrives and the webmail answers HTTP meanwhile, within 1 s. A few messages,
//! loopback only. Performance is measured by `cargo bench --bench smime -- dos`, never here.
#![cfg(not(target_arch = "wasm32"))]

mod server_common;
mod support;

use mmhs::smime::{sign_message, SignOptions};
use server_common::*;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_name_certificates_do_not_stall_the_gate() {
    let (srv, dir) = start_demo("server-dos").await;
    let p = support::pki::Pki::new("server-dos", &[]);
    let signer = p.signer_with("loop", p.same_name_cas("loop", 16, false));
    let signed = sign_message(
        DRAFT.as_bytes(),
        &signer,
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
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
