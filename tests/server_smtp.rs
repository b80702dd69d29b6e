//! SMTP session tests against a real listener on 127.0.0.1 (ephemeral ports).
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;

use mmhs::server::audit;
use mmhs::server::store::folders;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ehlo_advertises_the_profile_extensions() {
    let (srv, _d) = start("ehlo", 10_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    let e = c.cmd("EHLO client.example").await;
    for kw in [
        "250-PIPELINING",
        "250-ENHANCEDSTATUSCODES",
        "250-8BITMIME",
        "250-CHUNKING",
        "250-SIZE 10000",
        "250-DSN",
        "250-MT-PRIORITY STANAG4406",
        "250-DELIVERBY",
        "250-FUTURERELEASE 3600 ",
        "250-STARTTLS",
        "250 AUTH PLAIN",
    ] {
        assert!(e.contains(kw), "missing {kw} in\n{e}");
    }
    assert!(c
        .cmd("RCPT TO:<bob@navy.example>")
        .await
        .starts_with("503 5.5.1"));
    assert!(c.cmd("FOO").await.starts_with("500 5.5.1"));
    assert!(c.cmd("QUIT").await.starts_with("221 2.0.0"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_commands_get_replies_in_order() {
    let (srv, _d) = start("pipe", 10_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.cmd("EHLO client.example").await;
    // RFC 2920: one write with MAIL, RCPT (good), RCPT (unknown user), DATA.
    c.send("MAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<bob@navy.example>\r\nRCPT TO:<nobody@navy.example>\r\nDATA\r\n")
        .await;
    let r1 = c.reply().await;
    let r2 = c.reply().await;
    let r3 = c.reply().await;
    let r4 = c.reply().await;
    assert!(r1.starts_with("250 2.1.0"), "{r1}");
    assert!(r2.starts_with("250 2.1.5"), "{r2}");
    assert!(r3.starts_with("550 5.1.1"), "{r3}");
    assert!(r4.starts_with("354"), "{r4}");
    c.send(&plain_message(
        "x@elsewhere.example",
        "bob@navy.example",
        "pipelined",
        "",
    ))
    .await;
    let r5 = c.cmd(".").await;
    assert!(r5.starts_with("250 2.0.0"), "{r5}");
    let inbox = srv
        .agent
        .store
        .list("bob@navy.example", folders::INBOX)
        .unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].subject.as_deref(), Some("pipelined"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_limit_is_enforced() {
    let (srv, _d) = start("size", 2_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.cmd("EHLO client.example").await;
    let r = c.cmd("MAIL FROM:<x@elsewhere.example> SIZE=5000").await;
    assert!(r.starts_with("552 5.3.4"), "{r}");
    // Declared small, sent big: refused after the data, nothing stored.
    assert!(c
        .cmd("MAIL FROM:<x@elsewhere.example> SIZE=100")
        .await
        .starts_with("250"));
    assert!(c.cmd("RCPT TO:<bob@navy.example>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    let big = plain_message("x@elsewhere.example", "bob@navy.example", "big", "")
        + &"x".repeat(3000)
        + "\r\n";
    c.send(&big).await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("552 5.3.4"), "{r}");
    assert!(srv
        .agent
        .store
        .list("bob@navy.example", folders::INBOX)
        .unwrap()
        .is_empty());
    // The session is still usable.
    assert!(c.cmd("NOOP").await.starts_with("250"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt_priority_syntax_and_trust() {
    let (srv, _d) = start("prio", 10_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.cmd("EHLO client.example").await;
    for bad in ["+3", "-0", "03", "10", "-10", "x"] {
        let r = c
            .cmd(&format!(
                "MAIL FROM:<x@elsewhere.example> MT-PRIORITY={bad}"
            ))
            .await;
        assert!(r.starts_with("501 5.5.2"), "MT-PRIORITY={bad}: {r}");
    }
    let r = c
        .cmd("MAIL FROM:<x@elsewhere.example> MT-PRIORITY=1 MT-PRIORITY=2")
        .await;
    assert!(r.starts_with("501 5.5.2"), "{r}");
    // Raised priority unauthenticated: refused (RFC 6710 §4); lowering is fine.
    let r = c.cmd("MAIL FROM:<x@elsewhere.example> MT-PRIORITY=4").await;
    assert!(r.starts_with("550 5.7.1"), "{r}");
    let r = c
        .cmd("MAIL FROM:<x@elsewhere.example> MT-PRIORITY=-2")
        .await;
    assert!(r.starts_with("250"), "{r}");
    assert!(c.cmd("RSET").await.starts_with("250"));
    // Authenticated: raised priority accepted.
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let r = c.cmd("MAIL FROM:<alice@army.example> MT-PRIORITY=4").await;
    assert!(r.starts_with("250 2.1.0"), "{r}");
    // Someone else's address is not alice's to use.
    assert!(c.cmd("RSET").await.starts_with("250"));
    let r = c.cmd("MAIL FROM:<bob@navy.example>").await;
    assert!(r.starts_with("550 5.7.1"), "{r}");
    // Wrong password.
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.cmd("EHLO client.example").await;
    use base64::Engine;
    let tok = base64::engine::general_purpose::STANDARD.encode("\0alice@army.example\0wrong");
    assert!(c
        .cmd(&format!("AUTH PLAIN {tok}"))
        .await
        .starts_with("535 5.7.8"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dsn_parameters_and_success_notification() {
    let (srv, _d) = start("dsn", 10_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let r = c
        .cmd("MAIL FROM:<alice@army.example> RET=HDRS ENVID=abc+2Bdef MT-PRIORITY=3 BY=600;R")
        .await;
    assert!(r.starts_with("250"), "{r}");
    let r = c
        .cmd("RCPT TO:<bob@navy.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+40navy.example")
        .await;
    assert!(r.starts_with("250 2.1.5"), "{r}");
    // NOTIFY given twice on one RCPT: 501.
    let r = c
        .cmd("RCPT TO:<bob@navy.example> NOTIFY=SUCCESS NOTIFY=NEVER")
        .await;
    assert!(r.starts_with("501"), "{r}");
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&plain_message(
        "alice@army.example",
        "bob@navy.example",
        "dsn-test",
        "",
    ))
    .await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("250 2.0.0"), "{r}");

    let bob = srv
        .agent
        .store
        .list("bob@navy.example", folders::INBOX)
        .unwrap();
    assert_eq!(bob.len(), 1);
    let m = srv
        .agent
        .store
        .get("bob@navy.example", bob[0].id)
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&m.raw).to_string();
    // Received with the RFC 6710 PRIORITY clause (value as received).
    // Our DKIM results (RFC 8601, Appendix B order) above our trace field.
    assert!(
        text.starts_with("Authentication-Results: mmhs.localhost;\r\n dkim=none\r\nReceived: from test.example by "),
        "{text}"
    );
    assert!(text.contains("PRIORITY 3;"), "{text}");

    let alice = srv
        .agent
        .store
        .list("alice@army.example", folders::INBOX)
        .unwrap();
    assert_eq!(alice.len(), 1, "one DSN");
    let dsn = srv
        .agent
        .store
        .get("alice@army.example", alice[0].id)
        .unwrap()
        .unwrap();
    let d = String::from_utf8_lossy(&dsn.raw).to_string();
    assert!(
        d.contains("Content-Type: multipart/report; report-type=delivery-status;"),
        "{d}"
    );
    assert!(d.contains("Original-Envelope-Id: abc+2Bdef\r\n"), "{d}");
    assert!(
        d.contains("Original-Recipient: rfc822;Bob@navy.example\r\n"),
        "{d}"
    );
    assert!(
        d.contains(
            "Final-Recipient: rfc822;bob@navy.example\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
        ),
        "{d}"
    );
    assert!(d.contains("MT-Priority: 3\r\n"), "{d}");
    assert!(d.contains("Content-Type: text/rfc822-headers"), "{d}");
    assert!(
        !d.contains("Hello dsn-test"),
        "RET=HDRS / success: headers only"
    );

    // Audit trail: submit + deliver + dsn, chained and intact.
    let recs = audit::records(&srv.agent.store).unwrap();
    let submit = recs
        .iter()
        .find(|r| r.event == audit::AuditEvent::Submit)
        .unwrap();
    // Profile §3.3.5 / §3.3.6: MM Identification = the Message-ID, Message Identification =
    // the ENVID.
    assert_eq!(
        submit.mm_identification.as_deref(),
        Some("<dsn-test.test@army.example>")
    );
    assert_eq!(submit.message_identification, "abc+def");
    assert_eq!(submit.priority, 3);
    assert_eq!(submit.priority_level, 4, "STANAG4406 rounds 3 up to 4");
    assert_eq!(submit.envid.as_deref(), Some("abc+def"));
    assert!(recs.iter().any(|r| r.event == audit::AuditEvent::Deliver));
    assert!(recs.iter().any(|r| r.event == audit::AuditEvent::Dsn));
    assert_eq!(
        audit::verify(&srv.agent.store).unwrap(),
        Ok(recs.len() as i64)
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliverby_futurerelease_and_bdat() {
    let (srv, _d) = start("hold", 10_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let r = c.cmd("MAIL FROM:<alice@army.example> BY=0;R").await;
    assert!(r.starts_with("501 5.5.4"), "{r}");
    let r = c.cmd("MAIL FROM:<alice@army.example> HOLDFOR=99999").await;
    assert!(
        r.starts_with("501 5.5.4"),
        "over the advertised maximum: {r}"
    );
    let r = c
        .cmd("MAIL FROM:<alice@army.example> HOLDFOR=10 HOLDUNTIL=2030-01-01T00:00:00Z")
        .await;
    assert!(r.starts_with("501"), "{r}");
    // Held for 4 s (long enough for a loaded CI machine to finish the transaction before the
    // hold ends), sent with BDAT (RFC 3030).
    assert!(c
        .cmd("MAIL FROM:<alice@army.example> HOLDFOR=4")
        .await
        .starts_with("250"));
    assert!(c.cmd("RCPT TO:<bob@navy.example>").await.starts_with("250"));
    let msg = plain_message("alice@army.example", "bob@navy.example", "held", "");
    let (a, b) = msg.as_bytes().split_at(20);
    c.send(&format!("BDAT {}\r\n", a.len())).await;
    c.send_bytes(a).await;
    assert!(c.reply().await.starts_with("250"));
    c.send(&format!("BDAT {} LAST\r\n", b.len())).await;
    c.send_bytes(b).await;
    let r = c.reply().await;
    assert!(
        r.starts_with("250 2.0.0") && r.contains("held for future release"),
        "{r}"
    );
    assert!(srv
        .agent
        .store
        .list("bob@navy.example", folders::INBOX)
        .unwrap()
        .is_empty());
    let store = srv.agent.store.clone();
    let got = eventually(|| {
        let l = store.list("bob@navy.example", folders::INBOX).unwrap();
        (!l.is_empty()).then_some(l)
    })
    .await;
    assert_eq!(got[0].subject.as_deref(), Some("held"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_gate_diverts_military_message_to_release_queue() {
    let (srv, _d) = start("gate", 10_000, None).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    assert!(c
        .cmd("MAIL FROM:<alice@army.example> MT-PRIORITY=4 BY=3600;NT")
        .await
        .starts_with("250"));
    assert!(c
        .cmd("RCPT TO:<bob@navy.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob+2Bq@navy.example")
        .await
        .starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&plain_message(
        "alice@army.example",
        "bob@navy.example",
        "flash",
        "MMHS-Primary-Precedence: flash\r\n",
    ))
    .await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("250") && r.contains("release"), "{r}");
    assert!(
        srv.agent
            .store
            .list("bob@navy.example", folders::INBOX)
            .unwrap()
            .is_empty(),
        "not delivered"
    );
    let q = srv
        .agent
        .store
        .list("officer@army.example", folders::RELEASE)
        .unwrap();
    assert_eq!(q.len(), 1);
    let env = q[0].envelope.as_ref().unwrap();
    assert_eq!(env["mailFrom"], "alice@army.example");
    assert_eq!(env["mailParams"]["mtPriority"], 4);
    assert_eq!(
        env["rcpts"][0]["notify"],
        serde_json::json!(["success", "delay"])
    );
    // compose's Envelope as received: BY with its absolute deadline (the byDeadline the
    // store's queries read), read back by the one envelope reader.
    let by = &env["mailParams"]["by"];
    assert_eq!(
        (&by["seconds"], &by["mode"], &by["trace"]),
        (
            &serde_json::json!(3600),
            &serde_json::json!("notify"),
            &serde_json::json!(true)
        )
    );
    assert_eq!(by["deadline"], env["byDeadline"]);
    assert!(by["deadline"].is_string());
    let read: mmhs::compose::Envelope = serde_json::from_value(env.clone()).unwrap();
    assert_eq!(
        read.rcpts[0].orcpt.as_deref(),
        Some("rfc822;bob+q@navy.example")
    );
    assert_eq!(read.mail_params.mt_priority, Some(4));
    // NOTIFY=DELAY: alice is told the message is held.
    let alice = srv
        .agent
        .store
        .list("alice@army.example", folders::INBOX)
        .unwrap();
    let dsn = srv
        .agent
        .store
        .get("alice@army.example", alice[0].id)
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&dsn.raw).contains("Action: delayed"));
    assert!(audit::records(&srv.agent.store)
        .unwrap()
        .iter()
        .any(|r| r.event == audit::AuditEvent::Divert));
    srv.shutdown().await;
}
