//! The submission agent's queue under hostile parameters and items: numeric MAIL parameters
//! beyond their grammars (RFC 2852 by-time, RFC 4865 holdfor-value, RFC 1870 size-value,
//! RFC 6710 priority-value) are refused at MAIL FROM; an unprocessable queue item is
//! dead-lettered and the next item is still delivered; and DSNs of unauthenticated sessions
//! never leave for an unverified reverse-path (no backscatter) nor carry the content back;
//! a panic while gating one message answers that message 451 and the next is accepted.
//! The queue delivers by MT-PRIORITY then age (RFC 6710; draft-melnikov-mmhs-profile-09
//! §6.1 item 5): a FLASH message submitted after 50 ROUTINE ones to a slow relay leaves
//! before the ROUTINE ones still queued.
//! Loopback only; the relay, when one is needed, is a closed loopback port or a scripted
//! loopback server.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;
use mmhs::server::smtp::{DeliverBy, Notify, Recipient, Transaction};
use mmhs::server::Store;

/// A closed loopback port: every relay attempt fails at once, transiently.
const DEAD_RELAY: &str = "smtp://127.0.0.1:1";

fn queued(mail_from: &str, rcpt: &str, by: Option<DeliverBy>) -> Transaction {
    Transaction {
        id: format!("test-{rcpt}"),
        helo: "test.example".into(),
        submitter: None,
        tls: false,
        mail_from: mail_from.into(),
        envid: None,
        ret_full: None,
        priority: None,
        body_8bit: false,
        by,
        hold_until: None,
        hold_for: None,
        rcpts: vec![Recipient {
            address: rcpt.into(),
            notify: Notify::default(),
            orcpt: None,
        }],
        arrival: time::OffsetDateTime::now_utc().unix_timestamp(),
    }
}

/// Queue `tx` with `raw`, due now, at the default priority.
fn enqueue_due(store: &Store, raw: &[u8], tx: &Transaction) {
    store
        .transaction(|sql| Store::enqueue(sql, raw, &serde_json::to_string(tx).unwrap(), 0, 0))
        .unwrap();
}

fn inbox_subjects(store: &Store, owner: &str) -> Vec<String> {
    store
        .list(owner, "Inbox")
        .unwrap()
        .into_iter()
        .filter_map(|m| m.subject)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_parameters_are_refused_at_mail_from() {
    let (srv, dir) = start("queue-params", 1 << 20, Some(DEAD_RELAY)).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    for p in [
        // the overflowing deadline of the report: beyond RFC 2852's 9-digit by-time
        "BY=-9223372036854775806;N HOLDFOR=60",
        "BY=-9223372036854775806;N",
        "BY=1000000000;R",
        "HOLDFOR=1000000000",
        "HOLDFOR=18446744073709551615",
        "SIZE=123456789012345678901",
        "MT-PRIORITY=99",
    ] {
        let r = c.cmd(&format!("MAIL FROM:<alice@army.example> {p}")).await;
        assert!(r.starts_with("501 5.5."), "{p}: {r}");
    }
    // The bounds themselves are accepted, and the transaction is delivered.
    let r = c
        .cmd("MAIL FROM:<alice@army.example> BY=-999999999;N HOLDFOR=1")
        .await;
    assert!(r.starts_with("250"), "{r}");
    assert!(c.cmd("RCPT TO:<bob@navy.example>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    let msg = plain_message("alice@army.example", "bob@navy.example", "in-bounds", "");
    c.send(&msg).await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("250"), "{r}");
    let store = srv.agent.store.clone();
    eventually(|| {
        srv.agent.wake.notify_one();
        inbox_subjects(&store, "bob@navy.example")
            .contains(&"in-bounds".to_string())
            .then_some(())
    })
    .await;
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poisoned_queue_items_do_not_stop_the_next() {
    let (srv, dir) = start("queue-poison", 1 << 20, Some(DEAD_RELAY)).await;
    let store = srv.agent.store.clone();
    let raw = plain_message("alice@army.example", "bob@navy.example", "after-poison", "");
    // An N-mode deadline at the bottom of i64 (what a stored item of an older version may
    // hold): the remaining time passed on to the relay is computed from it.
    let overflowing = queued(
        "alice@army.example",
        "x@far.example",
        Some(DeliverBy {
            by_time: i64::MIN + 2,
            deadline: i64::MIN + 2,
            return_mode: false,
            trace: false,
        }),
    );
    let good = queued("alice@army.example", "bob@navy.example", None);
    store
        .transaction(|sql| {
            Store::enqueue(sql, b"not a message", "{not json", 0, 0)?;
            Store::enqueue(
                sql,
                raw.as_bytes(),
                &serde_json::to_string(&overflowing).unwrap(),
                0,
                0,
            )?;
            Store::enqueue(
                sql,
                raw.as_bytes(),
                &serde_json::to_string(&good).unwrap(),
                0,
                0,
            )
        })
        .unwrap();
    srv.agent.wake.notify_one();
    eventually(|| {
        inbox_subjects(&store, "bob@navy.example")
            .contains(&"after-poison".to_string())
            .then_some(())
    })
    .await;
    // The unreadable item is kept for the administrator, not silently dropped.
    eventually(|| (store.dead_letter_len().unwrap() >= 1).then_some(())).await;
    // The worker is still alive: a later item is delivered too.
    let later = queued("alice@army.example", "officer@army.example", None);
    store
        .transaction(|sql| {
            Store::enqueue(
                sql,
                raw.as_bytes(),
                &serde_json::to_string(&later).unwrap(),
                0,
                0,
            )
        })
        .unwrap();
    srv.agent.wake.notify_one();
    eventually(|| (!inbox_subjects(&store, "officer@army.example").is_empty()).then_some(())).await;
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_dsn_to_an_unverified_reverse_path() {
    let (srv, dir) = start("queue-backscatter", 1 << 20, Some(DEAD_RELAY)).await;
    let store = srv.agent.store.clone();
    // Unauthenticated: a forged reverse-path asking for every notification.
    let mut c = Smtp::connect(srv.smtp_addr).await;
    assert!(c.cmd("EHLO attacker.example").await.starts_with("250"));
    let r = c
        .cmd("MAIL FROM:<victim@far.example> RET=FULL ENVID=attack")
        .await;
    assert!(r.starts_with("250"), "{r}");
    let r = c
        .cmd("RCPT TO:<bob@navy.example> NOTIFY=SUCCESS,FAILURE,DELAY")
        .await;
    assert!(r.starts_with("250"), "{r}");
    assert!(c.cmd("DATA").await.starts_with("354"));
    let msg = plain_message(
        "victim@far.example",
        "bob@navy.example",
        "backscatter",
        "X-Attacker-Payload: buy now\r\n",
    );
    c.send(&msg).await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("250"), "{r}");
    assert!(inbox_subjects(&store, "bob@navy.example").contains(&"backscatter".to_string()));
    // The delivery and its DSN decision were committed before the 250: a DSN for the victim
    // would be in the relay queue now (the relay is unreachable, so it would stay there).
    assert_eq!(
        store.queue_len().unwrap(),
        0,
        "a DSN was queued for the victim"
    );

    // Authenticated, the same request gets its success DSN in the sender's own mailbox.
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    assert!(c
        .cmd("MAIL FROM:<alice@army.example> RET=FULL")
        .await
        .starts_with("250"));
    assert!(c
        .cmd("RCPT TO:<bob@navy.example> NOTIFY=SUCCESS")
        .await
        .starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&plain_message(
        "alice@army.example",
        "bob@navy.example",
        "legit",
        "",
    ))
    .await;
    assert!(c.cmd(".").await.starts_with("250"));
    assert!(inbox_subjects(&store, "alice@army.example")
        .iter()
        .any(|s| s.starts_with("Delivery Status Notification")));
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ret_full_never_returns_content_to_an_unverified_sender() {
    let (srv, dir) = start("queue-retfull", 1 << 20, None).await;
    let store = srv.agent.store.clone();
    // An unauthenticated transaction claiming alice's (local) reverse-path, RET=FULL, whose
    // R-mode BY deadline has passed while it was queued: the failure DSN goes to alice's
    // mailbox with the header section only.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = queued(
        "alice@army.example",
        "bob@navy.example",
        Some(DeliverBy {
            by_time: 1,
            deadline: now - 10,
            return_mode: true,
            trace: false,
        }),
    );
    tx.ret_full = Some(true);
    let raw = "From: <alice@army.example>\r\nTo: <bob@navy.example>\r\nSubject: late\r\n\r\nSECRET-BODY\r\n";
    enqueue_due(&store, raw.as_bytes(), &tx);
    srv.agent.wake.notify_one();
    let dsn = eventually(|| {
        let list = store.list("alice@army.example", "Inbox").unwrap();
        let m = list.first()?;
        store.get("alice@army.example", m.id).unwrap()
    })
    .await;
    let text = String::from_utf8_lossy(&dsn.raw).to_string();
    assert!(text.contains("Action: failed"), "{text}");
    assert!(text.contains("text/rfc822-headers"), "{text}");
    assert!(!text.contains("SECRET-BODY"), "{text}");
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_the_gate_costs_one_message_not_the_server() {
    use mmhs::server::{GateContext, GateDecision};
    let dir = temp_dir("queue-gate-panic");
    let gate = |raw: &[u8], _: &GateContext<'_>| -> GateDecision {
        if raw.windows(4).any(|w| w == b"BOOM") {
            panic!("gate failure injected by the test");
        }
        GateDecision::Transfer { authorized: vec![] }
    };
    let srv = mmhs::server::start(mmhs::server::ServerOptions {
        data: dir.clone(),
        http: "127.0.0.1:0".into(),
        smtp: "127.0.0.1:0".into(),
        relay: None,
        relay_password: None,
        config: Some(test_config(1 << 20)),
        gate: Some(Box::new(gate)),
        demo_pki: false,
    })
    .await
    .unwrap();
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    for (subject, want) in [("BOOM", "451 4.3.0"), ("after-boom", "250")] {
        assert!(c
            .cmd("MAIL FROM:<alice@army.example>")
            .await
            .starts_with("250"));
        assert!(c.cmd("RCPT TO:<bob@navy.example>").await.starts_with("250"));
        assert!(c.cmd("DATA").await.starts_with("354"));
        c.send(&plain_message(
            "alice@army.example",
            "bob@navy.example",
            subject,
            "",
        ))
        .await;
        let r = c.cmd(".").await;
        assert!(r.starts_with(want), "{subject}: {r}");
    }
    assert_eq!(
        inbox_subjects(&srv.agent.store, "bob@navy.example"),
        vec!["after-boom".to_string()]
    );
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flash_leaves_before_queued_routine_messages() {
    // The next hop holds the first message until all are submitted, then takes 10 ms each.
    let relay = slow_relay(std::time::Duration::from_millis(10));
    let relayed = relay.received.clone();
    let (srv, dir) = start("queue-precedence", 100_000, Some(&relay.uri)).await;
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let mut send = async |priority: &str, subject: &str| {
        let r = c
            .cmd(&format!(
                "MAIL FROM:<alice@army.example> MT-PRIORITY={priority}"
            ))
            .await;
        assert!(r.starts_with("250"), "{r}");
        let r = c.cmd("RCPT TO:<carol@other.example>").await;
        assert!(r.starts_with("250"), "{r}");
        assert!(c.cmd("DATA").await.starts_with("354"));
        c.send(&plain_message(
            "alice@army.example",
            "carol@other.example",
            subject,
            "",
        ))
        .await;
        let r = c.cmd(".").await;
        assert!(r.starts_with("250"), "{r}");
    };
    // ROUTINE is -2 under the STANAG4406 policy, FLASH 4 (RFC 6710 Appendix A).
    for i in 0..50 {
        send("-2", &format!("routine-{i}")).await;
    }
    send("4", "flash").await;
    // What had reached the next hop when FLASH was accepted (the message being relayed at
    // that moment included): FLASH goes next, before every ROUTINE message still queued.
    let before = relayed.lock().unwrap().len();
    assert!(
        before < 50,
        "ROUTINE messages must still be queued for the test to mean anything ({before} gone)"
    );
    relay.open.store(true, std::sync::atomic::Ordering::SeqCst);
    let order = {
        let start = std::time::Instant::now();
        loop {
            let got = relayed.lock().unwrap().clone();
            if got.len() == 51 {
                break got;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "only {} of 51 relayed",
                got.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let flash_at = order.iter().position(|s| s == "flash").unwrap();
    assert!(
        flash_at <= before,
        "FLASH left at position {flash_at}, {before} messages had left when it was accepted: {order:?}"
    );
    // The ROUTINE messages keep their order of submission among themselves.
    let routine: Vec<&String> = order.iter().filter(|s| *s != "flash").collect();
    let expected: Vec<String> = (0..50).map(|i| format!("routine-{i}")).collect();
    assert_eq!(routine, expected.iter().collect::<Vec<_>>());
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// RFC 2852 §4, N mode: a queued message whose deadline passed before delivery gets one
/// "delayed" DSN (RFC 3464, status 4.4.7, with the by-time) to the envelope sender, and the
/// agent keeps trying; NOTIFY=NEVER suppresses the notice; R mode is returned (failed DSN).
/// The deadline is set in the past instead of waiting for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_mode_deadline_notifies_once_and_keeps_trying() {
    let (srv, dir) = start("queue-by-n", 1 << 20, Some(DEAD_RELAY)).await;
    let store = srv.agent.store.clone();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = queued(
        "alice@army.example",
        "x@far.example",
        Some(DeliverBy {
            by_time: 60,
            deadline: now - 5,
            return_mode: false,
            trace: false,
        }),
    );
    tx.envid = Some("late-1".into());
    // A second recipient that asked never to be notified.
    tx.rcpts.push(Recipient {
        address: "y@far.example".into(),
        notify: Notify {
            never: true,
            explicit: true,
            ..Notify::default()
        },
        orcpt: None,
    });
    let raw = plain_message("alice@army.example", "x@far.example", "late-n", "");
    enqueue_due(&store, raw.as_bytes(), &tx);
    let delays = || -> Vec<String> {
        store
            .list("alice@army.example", "Inbox")
            .unwrap()
            .iter()
            .map(|m| store.get("alice@army.example", m.id).unwrap().unwrap().raw)
            .map(|r| String::from_utf8_lossy(&r).to_string())
            .filter(|t| t.contains("Action: delayed"))
            .collect()
    };
    let attempts = || -> i64 {
        store
            .with_conn(|c| {
                c.query_row("SELECT COALESCE(MAX(attempts), -1) FROM queue", [], |r| {
                    r.get(0)
                })
                .map_err(|e| mmhs::server::Error::Db(e.to_string()))
            })
            .unwrap()
    };
    srv.agent.wake.notify_one();
    let first = eventually(|| delays().first().cloned()).await;
    assert!(first.contains("Status: 4.4.7"), "{first}");
    assert!(first.contains("BY=60;N"), "{first}");
    assert!(first.contains("Original-Envelope-Id: late-1"), "{first}");
    assert!(
        first.contains("Final-Recipient: rfc822;x@far.example"),
        "{first}"
    );
    assert!(!first.contains("y@far.example"), "NOTIFY=NEVER: {first}");
    // Still queued and retried (the relay is down), never notified twice.
    eventually(|| (attempts() >= 1).then_some(())).await;
    for round in 2..=3 {
        store
            .with_conn(|c| {
                c.execute("UPDATE queue SET not_before = 0", [])
                    .map_err(|e| mmhs::server::Error::Db(e.to_string()))
            })
            .unwrap();
        srv.agent.wake.notify_one();
        eventually(|| (attempts() >= round).then_some(())).await;
    }
    assert_eq!(store.queue_len().unwrap(), 1, "N mode keeps trying");
    assert_eq!(delays().len(), 1, "one delay notice, not one per attempt");
    // The deferral is in the audit trail (profile §3.4.10), with the profile's identifiers.
    let core = mmhs::server::audit::core_records(&store).unwrap();
    let defer = core
        .iter()
        .find(|r| r.event == mmhs::release::AuditEvent::Defer)
        .expect("deferred delivery audited");
    assert_eq!(
        defer.attributes.message_identification.as_deref(),
        Some("late-1")
    );
    assert!(defer
        .attributes
        .reason
        .as_deref()
        .unwrap()
        .contains("BY=60;N"));
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
