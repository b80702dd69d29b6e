//! Label-based access control at `mmhs serve` (docs/server.md, docs/security.md), over real
//! SMTP on loopback against the demo server as first run leaves it (demo PKI, demo security
//! policies `label-policies/army.json` + `navy.json`, unlabelled military mail given the
//! default label). The officer submits (his military mail needs no release), so each case
//! reaches the label decision:
//! - unlabelled military mail gets the default SIO-Label and SIO-Label-History;
//! - a label no recipient is cleared for is refused, 550 5.7.1, one line per reason;
//! - a label some recipients are not cleared for goes to the others, the refused get a
//!   failure DSN (5.7.1);
//! - a SIO-Label relabelling a signed SECRET message as UNCLASSIFIED is refused;
//! - a label of the navy policy is judged through the army's equivalence;
//! - a label of an unknown policy is refused.
//!
//! Every decision leaves an audit record.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;
use mmhs::ess::EssSecurityLabel;
use mmhs::fields::sio_label::SioLabel;
use mmhs::server::store::folders;
use mmhs::smime::{self, SignOptions, Signer};

const OFFICER: &str = "officer@army.example";
const ALICE: &str = "alice@army.example";
const BOB: &str = "bob@navy.example";
const ARMY: &str = "1.3.6.1.4.1.55555.1";
const NAVY: &str = "1.3.6.1.4.1.55555.2";

fn message(to: &[&str], subject: &str, extra: &str) -> String {
    format!(
        "From: Oscar <officer@army.example>\r\nTo: {}\r\nSubject: {subject}\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <{}@army.example>\r\nMMHS-Primary-Precedence: 2\r\n{extra}Content-Type: text/plain\r\n\r\nbody\r\n",
        to.join(", "),
        subject.replace(' ', "-")
    )
}

fn sio(policy: &str, class: u16) -> String {
    let l = SioLabel::from_ess(
        &EssSecurityLabel::new(policy, Some(class)),
        None,
        None,
        None,
    )
    .unwrap();
    format!("SIO-Label: {l}\r\n")
}

async fn submit(srv: &mmhs::server::Running, rcpts: &[&str], data: &[u8]) -> String {
    let mut c = Smtp::connect(srv.smtp_addr).await;
    c.ehlo_auth(OFFICER, "officer-demo").await;
    let r = c.cmd(&format!("MAIL FROM:<{OFFICER}>")).await;
    assert!(r.starts_with("250"), "{r}");
    for to in rcpts {
        let r = c.cmd(&format!("RCPT TO:<{to}> NOTIFY=FAILURE")).await;
        assert!(r.starts_with("250"), "{r}");
    }
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send_bytes(data).await;
    c.cmd(".").await
}

fn inbox(srv: &mmhs::server::Running, who: &str) -> Vec<Vec<u8>> {
    srv.agent
        .store
        .list(who, folders::INBOX)
        .unwrap()
        .iter()
        .map(|m| srv.agent.store.get(who, m.id).unwrap().unwrap().raw)
        .collect()
}

fn audit_details(srv: &mmhs::server::Running) -> Vec<String> {
    mmhs::server::audit::records(&srv.agent.store)
        .unwrap()
        .into_iter()
        .map(|r| {
            format!(
                "{}: {}",
                serde_json::to_value(r.event).unwrap().as_str().unwrap(),
                r.detail.unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_enforces_the_security_policy_over_smtp() {
    let (srv, dir) = start_demo("labels").await;
    assert!(dir.join("label-policies/army.json").exists());

    // Unlabelled military mail: the default label is added, with its history.
    let r = submit(&srv, &[BOB], message(&[BOB], "unlabelled", "").as_bytes()).await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let got = String::from_utf8_lossy(&inbox(&srv, BOB)[0]).to_string();
    assert!(
        got.contains("SIO-Label: marking=\"ARMY UNCLASSIFIED\""),
        "{got}"
    );
    assert!(got.contains("SIO-Label-History: change=add"), "{got}");

    // SECRET to bob (navy.example is cleared to RESTRICTED): refused, one line per reason.
    let r = submit(
        &srv,
        &[BOB],
        message(&[BOB], "secret", &sio(ARMY, 4)).as_bytes(),
    )
    .await;
    assert!(r.starts_with("550-5.7.1"), "{r}");
    assert!(r.contains("label-not-cleared: <bob@navy.example>"), "{r}");
    assert!(r.lines().last().unwrap().starts_with("550 5.7.1"), "{r}");
    assert_eq!(inbox(&srv, BOB).len(), 1);

    // CONFIDENTIAL to alice (cleared) and bob (not): alice receives it, bob does not, the
    // officer gets a failure DSN naming bob.
    let r = submit(
        &srv,
        &[ALICE, BOB],
        message(&[ALICE, BOB], "confidential", &sio(ARMY, 3)).as_bytes(),
    )
    .await;
    assert!(
        r.starts_with("250 2.0.0") && r.contains("1 recipient(s) refused"),
        "{r}"
    );
    assert_eq!(inbox(&srv, ALICE).len(), 1);
    assert_eq!(inbox(&srv, BOB).len(), 1);
    let dsn = eventually(|| {
        inbox(&srv, OFFICER)
            .into_iter()
            .map(|m| String::from_utf8_lossy(&m).to_string())
            .find(|m| m.contains("multipart/report"))
    })
    .await;
    assert!(
        dsn.contains("Final-Recipient: rfc822;bob@navy.example"),
        "{dsn}"
    );
    assert!(dsn.contains("Status: 5.7.1"), "{dsn}");
    assert!(dsn.contains("label-not-cleared"), "{dsn}");

    // Attacker's relabel: signed SECRET, SIO-Label UNCLASSIFIED added outside the signature.
    let pki = srv.pki.as_ref().unwrap();
    let me = pki.users.iter().find(|u| u.address == OFFICER).unwrap();
    let signer = Signer::from_pem(
        &std::fs::read_to_string(&me.key).unwrap(),
        &std::fs::read_to_string(&me.chain).unwrap(),
        None,
    )
    .unwrap();
    let signed = smime::sign_message(
        message(&[ALICE], "signed", "").as_bytes(),
        &signer,
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            security_label: Some(EssSecurityLabel::new(ARMY, Some(4))),
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let mut relabelled = sio(ARMY, 1).into_bytes();
    relabelled.extend_from_slice(&signed);
    let r = submit(&srv, &[ALICE], &relabelled).await;
    assert!(
        r.starts_with("550") && r.contains("sio-label-mismatch"),
        "{r}"
    );
    // The signed label alone is judged: alice is cleared for SECRET.
    let r = submit(&srv, &[ALICE], &signed).await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    assert_eq!(inbox(&srv, ALICE).len(), 2);

    // A header-protected unlabelled message: the default label decides, nothing is added
    // outside the protected header (RFC 9788 §4).
    let wrapped = smime::sign_message(
        &mmhs::protect::wrap(message(&[ALICE], "wrapped", "").as_bytes()).unwrap(),
        &signer,
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let r = submit(&srv, &[ALICE], &wrapped).await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let got = inbox(&srv, ALICE);
    let last = got
        .iter()
        .map(|m| String::from_utf8_lossy(m).to_string())
        .find(|m| m.contains("forwarded=no"))
        .unwrap();
    assert!(!last.contains("SIO-Label"), "{last}");

    // Encrypted (the gate cannot see whether a protected header is inside): the default
    // label decides, nothing is added.
    let alice_cert = mmhs::keys::certificates_from_pem(
        &std::fs::read_to_string(&pki.users.iter().find(|u| u.address == ALICE).unwrap().cert)
            .unwrap(),
    )
    .unwrap()
    .remove(0);
    let sealed = smime::encrypt_message(
        message(&[ALICE], "sealed", "").as_bytes(),
        &[alice_cert],
        &smime::EncryptOptions::default(),
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let r = submit(&srv, &[ALICE], &sealed).await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let got = inbox(&srv, ALICE);
    let last = got
        .iter()
        .map(|m| String::from_utf8_lossy(m).to_string())
        .find(|m| m.contains("enveloped-data"))
        .unwrap();
    assert!(!last.contains("SIO-Label"), "{last}");

    // NAVY RESTRICTED is ARMY RESTRICTED: bob may receive it; NAVY CONFIDENTIAL not.
    let r = submit(
        &srv,
        &[BOB],
        message(&[BOB], "navy restricted", &sio(NAVY, 2)).as_bytes(),
    )
    .await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let r = submit(
        &srv,
        &[BOB],
        message(&[BOB], "navy conf", &sio(NAVY, 3)).as_bytes(),
    )
    .await;
    assert!(
        r.starts_with("550") && r.contains("label-not-cleared"),
        "{r}"
    );

    // Unknown policy.
    let r = submit(
        &srv,
        &[BOB],
        message(&[BOB], "unknown", &sio("1.2.3.4", 1)).as_bytes(),
    )
    .await;
    assert!(
        r.starts_with("550") && r.contains("label-policy-unknown"),
        "{r}"
    );

    // Every decision is audited: label records for the accepted ones, reject records with
    // the reasons for the refused.
    let audit = audit_details(&srv);
    let labels = audit.iter().filter(|d| d.starts_with("label: ")).count();
    assert_eq!(labels, 6, "{audit:#?}");
    assert!(
        audit
            .iter()
            .any(|d| d.starts_with("label: label allowWithDefault: ARMY UNCLASSIFIED")),
        "{audit:#?}"
    );
    assert!(
        audit
            .iter()
            .any(|d| d.starts_with("reject: ") && d.contains("label-policy-unknown")),
        "{audit:#?}"
    );
    assert!(
        audit
            .iter()
            .any(|d| d.starts_with("reject: <bob@navy.example>")),
        "{audit:#?}"
    );
    srv.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}
