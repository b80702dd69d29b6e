//! Draft & Release through the running server (MMHS profile §6.1 item 11): the demo PKI and users made on first
//! run; a signed military message from the originator lands in the officer's Release queue,
//! not with the recipient; the officer releases it with the core procedure
//! (`release::release`, countersignature) and re-submits through the webmail API; the gate
//! verifies the countersignature and the message is delivered, with the NOTIFY=SUCCESS DSN to
//! the originator; a malformed submission is refused with 550 5.7.1; the audit trail (server
//! chain + profile records) verifies, and tampering is detected. Also: the demo keys are
//! downloadable as PKCS#12 and import with the documented password (ours and OpenSSL's).
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;
use base64::Engine;
use mmhs::release::{self, Decision, Outcome, ReleasePolicy, ReleaseRequest};
use mmhs::server::audit;
use mmhs::server::pki::DEMO_P12_PASSWORD;
use mmhs::server::store::folders;
use mmhs::smime::{self, SignOptions, Signer};
use mmhs::verify::VerifyContext;

const DRAFT: &str = "From: Alice Originator <alice@army.example>\r\nTo: Bob Recipient <bob@navy.example>\r\nSubject: Convoy movement\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <convoy-1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMMHS-Copy-Precedence: 1 (routine)\r\nMT-Priority: 4\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";

fn read(p: &std::path::Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn signer(srv: &mmhs::server::Running, addr: &str) -> Signer {
    let pki = srv.pki.as_ref().unwrap();
    let u = pki.users.iter().find(|u| u.address == addr).unwrap();
    Signer::from_pem(&read(&u.key), &read(&u.chain), None).unwrap()
}

fn verify_ctx(srv: &mmhs::server::Running) -> VerifyContext {
    let ca = read(&srv.pki.as_ref().unwrap().ca_cert);
    VerifyContext {
        trust_anchors: mmhs::keys::certificates_from_pem(&ca).unwrap(),
        at: Some(time::OffsetDateTime::now_utc()),
        ..VerifyContext::default()
    }
}

async fn submit_smtp(srv: &mmhs::server::Running, data: &[u8]) -> String {
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let r = c
        .cmd("MAIL FROM:<alice@army.example> ENVID=convoy-1 MT-PRIORITY=4")
        .await;
    assert!(r.starts_with("250"), "{r}");
    let r = c
        .cmd("RCPT TO:<bob@navy.example> NOTIFY=SUCCESS ORCPT=rfc822;bob@navy.example")
        .await;
    assert!(r.starts_with("250"), "{r}");
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send_bytes(data).await;
    c.cmd(".").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_message_is_held_released_and_delivered() {
    let (srv, dir) = start_demo("release-flow").await;
    assert!(srv.first_run);
    assert!(dir.join("release-policy.json").exists());
    let store = srv.agent.store.clone();

    // 1. Alice header-protects (wrapped, forwarded=no), signs and submits: the gate diverts
    //    it to the officer's Release queue.
    let wrapped = mmhs::protect::wrap(DRAFT.as_bytes()).unwrap();
    let draft = smime::sign_message(
        &wrapped,
        &signer(&srv, "alice@army.example"),
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let r = submit_smtp(&srv, &draft).await;
    assert!(r.starts_with("250 2.0.0") && r.contains("release"), "{r}");
    assert!(store
        .list("bob@navy.example", folders::INBOX)
        .unwrap()
        .is_empty());
    let q = store
        .list("officer@army.example", folders::RELEASE)
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].primary_precedence.as_deref(), Some("4 (flash)"));

    // 2. The officer reads it through the webmail API and releases it with the core procedure.
    let http = srv.http_addr;
    let officer = api_login(http, "officer@army.example", "officer-demo").await;
    let list = api_get(http, &officer, "/api/folders/Release/messages")
        .await
        .json();
    let item = list["messages"][0].clone();
    let id = item["id"].as_i64().unwrap();
    let raw = api_get(http, &officer, &format!("/api/messages/{id}/raw"))
        .await
        .body;
    assert!(raw.len() > draft.len(), "Received: trace field added");
    let policy: ReleasePolicy =
        serde_json::from_str(&read(&dir.join("release-policy.json"))).unwrap();
    let ctx = verify_ctx(&srv);
    let officer_signer = signer(&srv, "officer@army.example");
    let released_at = release::release_time(time::OffsetDateTime::now_utc()).unwrap();
    let res = release::release(
        &ReleaseRequest {
            raw: &raw,
            officer: &officer_signer,
            verify: &ctx,
            policy: &policy,
            decision: Decision::Approve,
            envelope: None,
            now: released_at,
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    assert_eq!(
        res.outcome,
        Outcome::Released,
        "{:?} {:?}",
        res.problems,
        res.findings
    );
    let envelope = item["envelope"].clone();
    assert_eq!(
        envelope["rcpts"][0]["notify"],
        serde_json::json!(["success"])
    );
    let r = api_post(
        http,
        &officer,
        "/api/send",
        &serde_json::json!({
            "raw": base64::engine::general_purpose::STANDARD.encode(&res.message),
            "encoding": "base64",
            "envelope": envelope,
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // 3. Delivered to Bob, countersignature intact; Alice gets the success DSN.
    let inbox = store.list("bob@navy.example", folders::INBOX).unwrap();
    assert_eq!(inbox.len(), 1, "released message delivered");
    let got = store.get("bob@navy.example", inbox[0].id).unwrap().unwrap();
    let report = mmhs::verify::verify(&got.raw, &ctx).unwrap();
    assert!(report.valid, "{:?}", report.problems);
    assert_eq!(report.authorizing_users.len(), 1);
    assert_eq!(report.authorizing_users[0].address, "officer@army.example");
    assert_eq!(report.authorizing_users[0].status, "countersigned");
    // The release output (profile §3.4.3, §3.5.5): Sender = the originator, and the time of
    // release (not the draft's), bound to the officer's countersignature.
    let head = mmhs::mime::HeaderSection::parse(&got.raw).unwrap();
    let one = |n: &str| -> Vec<String> {
        head.get_all(n)
            .map(|f| f.unfolded().trim().to_string())
            .collect()
    };
    assert_eq!(one("Sender"), vec!["alice@army.example"]);
    assert_eq!(
        one("MMHS-Extended-Authorisation-Info"),
        vec![mmhs::fields::date_time::DateTime(released_at).to_string()]
    );
    assert_eq!(report.sender, vec!["alice@army.example"]);
    assert_eq!(
        serde_json::to_value(&report.mmhs).unwrap()["extendedAuthorisationInfo"].as_str(),
        Some(
            released_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
                .as_str()
        )
    );
    let alice = store.list("alice@army.example", folders::INBOX).unwrap();
    let dsn = alice
        .iter()
        .map(|m| store.get("alice@army.example", m.id).unwrap().unwrap().raw)
        .map(|r| String::from_utf8_lossy(&r).to_string())
        .find(|t| t.contains("Action: delivered"))
        .expect("success DSN to the originator");
    assert!(dsn.contains("multipart/report"), "{dsn}");
    assert!(dsn.contains("report-type=delivery-status"), "{dsn}");
    assert!(dsn.contains("Original-Envelope-Id: convoy-1"), "{dsn}");
    assert!(
        dsn.contains("Final-Recipient: rfc822;bob@navy.example"),
        "{dsn}"
    );
    assert!(dsn.contains("Status: 2.0.0"), "{dsn}");

    // 4. Refusal: two MMHS-Authorizing-Users fields (RFC 7912 §4) → 550 5.7.1.
    let bad = DRAFT.replace(
        "MT-Priority: 4\r\n",
        "MT-Priority: 4\r\nMMHS-Authorizing-Users: officer@army.example\r\nMMHS-Authorizing-Users: officer@army.example\r\n",
    );
    let r = submit_smtp(&srv, bad.as_bytes()).await;
    assert!(r.starts_with("550 5.7.1"), "{r}");
    assert!(r.contains("authorizing-users-duplicate"), "{r}");

    // 4b. A second draft is returned by the officer with a reason: the notice reaches Alice
    //     and the MSA audits the officer's rejection.
    let second = DRAFT
        .replace("convoy-1@", "convoy-2@")
        .replace("dawn", "dusk");
    let draft2 = smime::sign_message(
        &mmhs::protect::wrap(second.as_bytes()).unwrap(),
        &signer(&srv, "alice@army.example"),
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    assert!(submit_smtp(&srv, &draft2).await.contains("release"));
    let q = store
        .list("officer@army.example", folders::RELEASE)
        .unwrap();
    let item2 = q
        .iter()
        .find(|m| m.message_id.as_deref() == Some("convoy-2@army.example"))
        .expect("second draft queued");
    let queued = store
        .get("officer@army.example", item2.id)
        .unwrap()
        .unwrap();
    let res = release::release(
        &ReleaseRequest {
            raw: &queued.raw,
            officer: &officer_signer,
            verify: &ctx,
            policy: &policy,
            decision: Decision::Reject {
                reason: "Wrong route for the convoy".into(),
            },
            envelope: None,
            now: time::OffsetDateTime::now_utc(),
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    assert_eq!(res.outcome, Outcome::Rejected, "{:?}", res.problems);
    let r = api_post(
        http,
        &officer,
        "/api/send",
        &serde_json::json!({
            "raw": base64::engine::general_purpose::STANDARD.encode(&res.message),
            "encoding": "base64",
            "envelope": res.envelope,
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(store
        .list("alice@army.example", folders::INBOX)
        .unwrap()
        .iter()
        .any(|m| m.subject.as_deref().unwrap_or("").contains("Not released")));
    assert_eq!(
        store
            .list("bob@navy.example", folders::INBOX)
            .unwrap()
            .len(),
        1,
        "the rejected draft never reached Bob"
    );

    // 5. Audit: server records and profile records, both chained and linked.
    let recs = audit::records(&store).unwrap();
    let events: Vec<_> = recs.iter().map(|r| r.event).collect();
    for e in [
        audit::AuditEvent::Submit,
        audit::AuditEvent::Divert,
        audit::AuditEvent::Release,
        audit::AuditEvent::Deliver,
        audit::AuditEvent::Dsn,
        audit::AuditEvent::Reject,
    ] {
        assert!(events.contains(&e), "{e:?} missing from {events:?}");
    }
    let core = audit::core_records(&store).unwrap();
    let v = release::verify_audit_log(&core, &release::AuditVerifyOptions::default());
    assert!(v.valid, "{:?}", v.problems);
    let find = |agent: release::AuditAgent, event: release::AuditEvent| {
        core.iter()
            .find(|r| r.agent == agent && r.event == event)
            .unwrap_or_else(|| panic!("{agent:?} {event:?} record missing"))
    };
    // Profile §3.3.5 / §3.3.6: MM Identification = Message-ID, Message Identification =
    // ENVID — in the profile's records and in the server's own log alike.
    let sub = find(release::AuditAgent::Msa, release::AuditEvent::Submit);
    assert_eq!(
        sub.attributes.mm_identification.as_deref(),
        Some("<convoy-1@army.example>")
    );
    assert_eq!(
        sub.attributes.message_identification.as_deref(),
        Some("convoy-1")
    );
    let server_sub = recs
        .iter()
        .find(|r| r.event == audit::AuditEvent::Submit)
        .unwrap();
    assert_eq!(
        server_sub.mm_identification.as_deref(),
        Some("<convoy-1@army.example>")
    );
    assert_eq!(server_sub.message_identification, "convoy-1");
    // The hold in the release queue is deferred delivery (§3.4.10), logged.
    let held = find(release::AuditAgent::Msa, release::AuditEvent::Defer);
    assert_eq!(
        held.attributes.mm_identification.as_deref(),
        Some("<convoy-1@army.example>")
    );
    assert!(held
        .attributes
        .reason
        .as_deref()
        .unwrap()
        .contains("release queue of officer@army.example"));
    assert_eq!(sub.attributes.priority, Some(4));
    assert!(sub.attributes.submission_timestamp.is_some());
    let rel = find(release::AuditAgent::Msa, release::AuditEvent::Release);
    assert_eq!(
        rel.attributes.officer.as_deref(),
        Some("officer@army.example")
    );
    let del = find(release::AuditAgent::Mta, release::AuditEvent::Deliver);
    assert!(del.attributes.time_of_transfer_out.is_some());
    let officer_rej = core
        .iter()
        .find(|r| {
            r.event == release::AuditEvent::Reject
                && r.attributes.officer.as_deref() == Some("officer@army.example")
        })
        .expect("the officer's rejection is audited");
    assert!(officer_rej
        .attributes
        .reason
        .as_deref()
        .unwrap()
        .contains("Wrong route for the convoy"));
    assert_eq!(
        officer_rej.attributes.mm_identification.as_deref(),
        Some("<convoy-2@army.example>")
    );
    let rej = find(release::AuditAgent::Msa, release::AuditEvent::Reject);
    assert!(rej
        .attributes
        .reason
        .as_deref()
        .unwrap()
        .contains("authorizing-users-duplicate"));
    let n = audit::verify(&store).unwrap().unwrap();
    assert_eq!(n, recs.len() as i64);

    let verify_cli = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mmhs"))
            .args(["serve", "--verify-audit", "--data"])
            .arg(&dir)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (rc, text) = verify_cli();
    assert_eq!(rc, Some(0), "{text}");
    assert!(text.contains("audit trail intact"), "{text}");

    // Tampering: a profile record (change the officer), then a server record.
    let tamper = |sql: &str| {
        store
            .with_conn(|c| {
                c.execute(sql, [])
                    .map_err(|e| mmhs::server::Error::Db(e.to_string()))
            })
            .unwrap()
    };
    tamper("UPDATE audit_core SET record = replace(record, 'officer@army.example', 'mallory@army.example')");
    let e = audit::verify(&store).unwrap().unwrap_err();
    assert!(e.reason.contains("audit-record-altered"), "{e}");
    let (rc, text) = verify_cli();
    assert_eq!(rc, Some(1), "{text}");
    assert!(text.contains("BROKEN"), "{text}");
    let core = audit::core_records(&store).unwrap();
    assert!(!release::verify_audit_log(&core, &Default::default()).valid);
    tamper("UPDATE audit_core SET record = replace(record, 'mallory@army.example', 'officer@army.example')");
    assert!(audit::verify(&store).unwrap().is_ok(), "restored");
    tamper("UPDATE audit SET record = replace(record, 'bob@navy.example', 'eve@navy.example') WHERE seq = 2");
    assert_eq!(audit::verify(&store).unwrap().unwrap_err().seq, 2);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_keys_download_as_pkcs12() {
    let (srv, dir) = start_demo("keys").await;
    let http = srv.http_addr;
    // Not logged in: nothing.
    assert_eq!(
        crate::support::server::http(http, "GET", "/api/keys/pkcs12", &[], None)
            .await
            .status,
        401
    );
    let alice = api_login(http, "alice@army.example", "alice-demo").await;
    let info = api_get(http, &alice, "/api/keys").await.json();
    assert_eq!(info["pkcs12"]["password"], DEMO_P12_PASSWORD);
    assert_eq!(info["pkcs12"]["url"], "/api/keys/pkcs12");
    assert_eq!(info["trustAnchor"], "/api/keys/trust-anchor");
    let p12 = api_get(http, &alice, "/api/keys/pkcs12").await;
    assert_eq!(p12.status, 200);
    assert_eq!(p12.header("content-type"), Some("application/x-pkcs12"));
    let bundle = mmhs::keys::import_pkcs12(&p12.body, DEMO_P12_PASSWORD).unwrap();
    assert_eq!(
        mmhs::trust::email_addresses(&bundle.cert),
        vec!["alice@army.example".to_string()]
    );
    let ta = api_get(http, &alice, "/api/keys/trust-anchor").await;
    assert_eq!(ta.status, 200);
    let anchors = mmhs::keys::certificates_from_pem(&ta.text()).unwrap();
    assert_eq!(bundle.chain, anchors, "the PKCS#12 carries the CA");
    // The HTML page links them.
    let page = crate::support::server::http(
        http,
        "GET",
        "/keys",
        &[("Cookie", &format!("mmhs_session={alice}"))],
        None,
    )
    .await
    .text();
    assert!(page.contains("href=\"/api/keys/pkcs12\""), "{page}");
    assert!(page.contains(DEMO_P12_PASSWORD));

    // OpenSSL reads it with the documented password (when the CLI is installed).
    let f = dir.join("alice-download.p12");
    std::fs::write(&f, &p12.body).unwrap();
    if let Ok(out) = std::process::Command::new("openssl")
        .args(["pkcs12", "-in"])
        .arg(&f)
        .args(["-passin", &format!("pass:{DEMO_P12_PASSWORD}"), "-nodes"])
        .output()
    {
        assert!(
            out.status.success(),
            "openssl pkcs12: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("BEGIN PRIVATE KEY"), "{text}");
        assert_eq!(text.matches("BEGIN CERTIFICATE").count(), 2, "{text}");
    }
    // Another user's key is never served: bob gets his own.
    let bob = api_login(http, "bob@navy.example", "bob-demo").await;
    let b = api_get(http, &bob, "/api/keys/pkcs12").await;
    let bb = mmhs::keys::import_pkcs12(&b.body, DEMO_P12_PASSWORD).unwrap();
    assert_eq!(
        mmhs::trust::email_addresses(&bb.cert),
        vec!["bob@navy.example".to_string()]
    );
    srv.shutdown().await;
}

/// A DELIVERBY deadline (RFC 2852 §4) that passes while a draft waits in the Release queue
/// is acted on: R mode returns the draft to the drafter (failed DSN) and every copy leaves
/// the queue; N mode notifies the drafter (delayed DSN) and the officers once, and the draft
/// stays. The sweep takes the time as a parameter: the test runs it "after" the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_passing_in_the_release_queue_is_acted_on() {
    let (srv, _dir) = start_demo("release-deadline").await;
    let store = srv.agent.store.clone();
    let alice = signer(&srv, "alice@army.example");
    let submit = |id: &str, by: &str, extra: &str| {
        let text = DRAFT
            .replace("convoy-1@", &format!("{id}@"))
            .replace("MT-Priority: 4\r\n", &format!("MT-Priority: 4\r\n{extra}"));
        let draft = smime::sign_message(
            &mmhs::protect::wrap(text.as_bytes()).unwrap(),
            &alice,
            &SignOptions {
                signing_time: Some(time::OffsetDateTime::now_utc()),
                ..SignOptions::default()
            },
            &mut mmhs::rng::system_rng(),
        )
        .unwrap();
        let (srv_addr, by, id) = (srv.smtp_addr, by.to_string(), id.to_string());
        async move {
            let mut c = Smtp::connect(srv_addr).await;
            c.ehlo_auth("alice@army.example", "alice-demo").await;
            let mail = format!("MAIL FROM:<alice@army.example> ENVID={id} {by}");
            assert!(c.cmd(&mail).await.starts_with("250"));
            assert!(c
                .cmd("RCPT TO:<bob@navy.example> NOTIFY=FAILURE")
                .await
                .starts_with("250"));
            assert!(c.cmd("DATA").await.starts_with("354"));
            c.send_bytes(&draft).await;
            let r = c.cmd(".").await;
            assert!(r.contains("release"), "{r}");
        }
    };
    submit("ret-1", "BY=600;R", "").await;
    submit("note-1", "BY=600;N", "").await;
    submit("none-1", "", "").await;
    // Expired (RFC 2156 Expires) but without DELIVERBY: shown as a passed deadline, not removed.
    submit("old-1", "", "Expires: Mon, 23 Nov 2026 13:00:00 +0000\r\n").await;
    let queue = |owner: &str| -> Vec<String> {
        store
            .list(owner, folders::RELEASE)
            .unwrap()
            .into_iter()
            .filter_map(|m| m.message_id)
            .collect()
    };
    let texts = |owner: &str| -> Vec<String> {
        store
            .list(owner, folders::INBOX)
            .unwrap()
            .iter()
            .map(|m| store.get(owner, m.id).unwrap().unwrap().raw)
            .map(|r| String::from_utf8_lossy(&r).to_string())
            .collect()
    };
    assert_eq!(queue("officer@army.example").len(), 4);
    let cookie = html_login(srv.http_addr, "officer@army.example", "officer-demo").await;
    let page = crate::support::server::http(
        srv.http_addr,
        "GET",
        "/folder/Release",
        &[("Cookie", &cookie)],
        None,
    )
    .await
    .text();
    assert_eq!(page.matches("(passed)").count(), 1, "{page}");
    assert!(page.contains("2026-11-23T13:00:00Z (passed)"), "{page}");
    // An item whose envelope cannot be read back (no sender to notify): skipped once, not
    // every round.
    store
        .put(
            "officer@army.example",
            folders::RELEASE,
            b"Subject: bogus\r\n\r\nx\r\n",
            Some(&serde_json::json!({"byDeadline": "2020-01-01T00:00:00Z"})),
            0,
        )
        .unwrap();
    // Before the deadline nothing happens.
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(srv.agent.run_release_deadlines_once(now).unwrap(), 0);
    // After it: both drafts with a deadline are handled, the one without is not.
    let later = now + time::Duration::seconds(700);
    assert_eq!(srv.agent.run_release_deadlines_once(later).unwrap(), 2);
    assert_eq!(
        queue("officer@army.example"),
        vec![
            "note-1@army.example",
            "none-1@army.example",
            "old-1@army.example"
        ],
        "R: the draft left the queue; N: it stays"
    );
    let alice_mail = texts("alice@army.example");
    let failed = alice_mail
        .iter()
        .find(|t| t.contains("Original-Envelope-Id: ret-1"))
        .expect("R: returned to the drafter");
    assert!(failed.contains("Action: failed"), "{failed}");
    assert!(failed.contains("Status: 5.4.7"), "{failed}");
    assert!(failed.contains("BY=600;R"), "{failed}");
    let delayed = alice_mail
        .iter()
        .find(|t| t.contains("Original-Envelope-Id: note-1"))
        .expect("N: the drafter is notified");
    assert!(delayed.contains("Action: delayed"), "{delayed}");
    assert!(delayed.contains("Status: 4.4.7"), "{delayed}");
    assert!(delayed.contains("BY=600;N"), "{delayed}");
    let officer_mail = texts("officer@army.example");
    assert_eq!(officer_mail.len(), 1, "{officer_mail:?}");
    assert!(
        officer_mail[0].contains("Release deadline passed: Convoy movement"),
        "{}",
        officer_mail[0]
    );
    assert!(officer_mail[0].contains("<note-1@army.example>"));
    // Once: a later sweep changes nothing.
    let n = alice_mail.len();
    assert_eq!(
        srv.agent
            .run_release_deadlines_once(later + time::Duration::seconds(60))
            .unwrap(),
        0
    );
    assert_eq!(texts("alice@army.example").len(), n);
    assert_eq!(texts("officer@army.example").len(), 1);
    assert_eq!(queue("officer@army.example").len(), 3);
    assert!(store
        .release_items_past_deadline("2100-01-01T00:00:00Z", 100)
        .unwrap()
        .is_empty());
    // Both are in the audit trail: the return as a failure, the notice as deferred delivery.
    let recs = audit::records(&store).unwrap();
    assert!(recs.iter().any(|r| r.event == audit::AuditEvent::Fail
        && r.message_identification == "ret-1"
        && r.detail
            .as_deref()
            .unwrap_or("")
            .contains("returned to the drafter")));
    let core = audit::core_records(&store).unwrap();
    assert!(core.iter().any(|r| r.event == release::AuditEvent::Defer
        && r.attributes.message_identification.as_deref() == Some("note-1")
        && r.attributes
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("N mode")));
    assert!(audit::verify(&store).unwrap().is_ok());
    srv.shutdown().await;
}

/// Sign `DRAFT` as alice with the Message-ID `<{id}@army.example>` (wrapped header protection).
fn alice_draft(srv: &mmhs::server::Running, id: &str) -> Vec<u8> {
    let text = DRAFT.replace("convoy-1@army.example", &format!("{id}@army.example"));
    smime::sign_message(
        &mmhs::protect::wrap(text.as_bytes()).unwrap(),
        &signer(srv, "alice@army.example"),
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}

async fn send_as(
    http: std::net::SocketAddr,
    token: &str,
    raw: &[u8],
    envelope: serde_json::Value,
) -> serde_json::Value {
    let r = api_post(
        http,
        token,
        "/api/send",
        &serde_json::json!({
            "raw": base64::engine::general_purpose::STANDARD.encode(raw),
            "encoding": "base64",
            "envelope": envelope,
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// The drafter's Sent listing: `releaseStatus` of the copy with Message-ID `<{id}@…>`.
async fn sent_status(http: std::net::SocketAddr, token: &str, id: &str) -> serde_json::Value {
    let list = api_get(http, token, "/api/folders/Sent/messages")
        .await
        .json();
    let m = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["messageId"] == format!("{id}@army.example"))
        .unwrap_or_else(|| panic!("{id} not in Sent: {list}"))
        .clone();
    m.get("releaseStatus")
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

/// Draft & Release seen from the drafter (profile §6.1): `POST /api/send` says whether *this*
/// message went to the Release queue (`releaseQueue`, from the agent's 250 reply), and the
/// Sent listing gives each diverted copy's `releaseStatus` — awaiting, then released or
/// returned — from the audit trail. A forged "return" notice from a non-officer, a gate
/// refusal of a message reusing the Message-ID and another user's submission do not change it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sent_copies_show_whether_they_await_release_were_released_or_returned() {
    // The extension reads the same reply through Roundcube (www/src/shared/release-queue.ts).
    assert!(
        include_str!("../www/src/shared/release-queue.ts").contains(&format!(
            "DIVERTED_FOR_RELEASE = \"{}\"",
            mmhs::server::agent::DIVERTED_FOR_RELEASE
        )),
        "the extension's copy of the agent's reply marker"
    );
    let (srv, dir) = start_demo("release-status").await;
    let http = srv.http_addr;
    let alice = api_login(http, "alice@army.example", "alice-demo").await;
    let officer = api_login(http, "officer@army.example", "officer-demo").await;
    let to_bob = serde_json::json!({ "mailFrom": "alice@army.example", "rcpts": [{ "address": "bob@navy.example" }] });

    // A civilian message (no MMHS fields) goes straight through: not diverted, no status.
    let plain = b"From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: lunch\r\nMessage-ID: <lunch-1@army.example>\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\r\nNoon?\r\n";
    let r = send_as(http, &alice, plain, to_bob.clone()).await;
    assert_eq!(r["releaseQueue"], false, "{r}");
    assert_eq!(
        sent_status(http, &alice, "lunch-1").await,
        serde_json::Value::Null
    );

    // Two military drafts: both diverted, both awaiting.
    for id in ["status-ok", "status-back"] {
        let r = send_as(http, &alice, &alice_draft(&srv, id), to_bob.clone()).await;
        assert_eq!(r["releaseQueue"], true, "{r}");
        assert!(
            r["reply"]["message"]
                .as_str()
                .unwrap()
                .ends_with("for release authorisation"),
            "{r}"
        );
        assert_eq!(sent_status(http, &alice, id).await, "awaiting");
    }

    // Attacks that must not move the status: bob mails alice a look-alike return notice
    // about the draft (he is no officer) …
    let forged = "From: bob@navy.example\r\nTo: alice@army.example\r\nSubject: Not released: Convoy movement\r\nMessage-ID: <forged-1@navy.example>\r\nIn-Reply-To: <status-back@army.example>\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nDiagnostic-Code: X-MMHS-Release; refused by officer@army.example: forged\r\n";
    let bob = api_login(http, "bob@navy.example", "bob-demo").await;
    send_as(
        http,
        &bob,
        forged.as_bytes(),
        serde_json::json!({ "mailFrom": "bob@navy.example", "rcpts": [{ "address": "alice@army.example" }] }),
    )
    .await;
    // … and a malformed message reusing the Message-ID is refused by the gate (a reject
    // record without an officer).
    let dup = DRAFT
        .replace("convoy-1@army.example", "status-back@army.example")
        .replace(
            "MT-Priority: 4\r\n",
            "MT-Priority: 4\r\nMMHS-Authorizing-Users: officer@army.example\r\nMMHS-Authorizing-Users: officer@army.example\r\n",
        );
    let refused = api_post(
        http,
        &alice,
        "/api/send",
        &serde_json::json!({ "raw": dup, "envelope": to_bob.clone() }),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert_eq!(sent_status(http, &alice, "status-back").await, "awaiting");

    // The officer releases one and returns the other.
    let policy: ReleasePolicy =
        serde_json::from_str(&read(&dir.join("release-policy.json"))).unwrap();
    let ctx = verify_ctx(&srv);
    let officer_signer = signer(&srv, "officer@army.example");
    let queue = api_get(http, &officer, "/api/folders/Release/messages")
        .await
        .json();
    for (id, decision) in [
        ("status-ok", Decision::Approve),
        (
            "status-back",
            Decision::Reject {
                reason: "Wrong route".into(),
            },
        ),
    ] {
        let item = queue["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["messageId"] == format!("{id}@army.example"))
            .unwrap()
            .clone();
        let raw = api_get(http, &officer, &format!("/api/messages/{}/raw", item["id"]))
            .await
            .body;
        let res = release::release(
            &ReleaseRequest {
                raw: &raw,
                officer: &officer_signer,
                verify: &ctx,
                policy: &policy,
                decision,
                envelope: None,
                now: release::release_time(time::OffsetDateTime::now_utc()).unwrap(),
            },
            &mut mmhs::rng::system_rng(),
        )
        .unwrap();
        let envelope = if res.outcome == Outcome::Released {
            item["envelope"].clone()
        } else {
            serde_json::to_value(&res.envelope).unwrap()
        };
        let r = send_as(http, &officer, &res.message, envelope).await;
        assert_eq!(
            r["releaseQueue"], false,
            "the release is not diverted again: {r}"
        );
    }
    assert_eq!(sent_status(http, &alice, "status-ok").await, "released");
    assert_eq!(sent_status(http, &alice, "status-back").await, "returned");
    // Another user's Sent folder never learns alice's statuses.
    let bobs = api_get(http, &bob, "/api/folders/Sent/messages")
        .await
        .json();
    assert!(bobs["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m.get("releaseStatus").is_none()));

    // The reference webmail's own Sent view shows the same.
    let cookie = html_login(http, "alice@army.example", "alice-demo").await;
    let page = crate::support::server::http(
        http,
        "GET",
        "/folder/Sent",
        &[("Cookie", cookie.as_str())],
        None,
    )
    .await
    .text();
    assert!(page.contains("<th scope=\"col\">Release</th>"), "{page}");
    assert!(page.contains("data-release-status=\"released\""), "{page}");
    assert!(page.contains("data-release-status=\"returned\""), "{page}");
}
