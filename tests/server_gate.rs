//! The release gate of `mmhs serve` cannot be bypassed: each attack is built at test time
//! against the demo server (demo PKI, default release policy) and submitted over SMTP —
//! A. the officer's countersignature on a released message whose content was replaced,
//! B. a From the authenticated submitter does not own, and military mail without
//!    authentication (allowed only to release officers),
//! C. military fields only in the protected header (the outer header lies).
//! Each is refused (550 5.7.1 with its code) or held for release, never delivered.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;
use mmhs::release::{self, Decision, Outcome, ReleasePolicy, ReleaseRequest};
use mmhs::server::store::folders;
use mmhs::smime::{self, SignOptions, Signer};
use mmhs::verify::VerifyContext;

const ALICE: &str = "alice@army.example";
const OFFICER: &str = "officer@army.example";
const BOB: &str = "bob@navy.example";
const DRAFT: &str = "From: Alice Originator <alice@army.example>\r\nTo: Bob Recipient <bob@navy.example>\r\nSubject: Convoy movement\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <gate-1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";

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

/// Alice's header-protected (wrapped) signed draft.
fn signed_draft(srv: &mmhs::server::Running) -> Vec<u8> {
    smime::sign_message(
        &mmhs::protect::wrap(DRAFT.as_bytes()).unwrap(),
        &signer(srv, ALICE),
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}

/// Submit `data` over SMTP, authenticated as `user` (password `<name>-demo`) or not, with
/// this reverse-path and recipient; the final reply.
async fn submit(
    srv: &mmhs::server::Running,
    user: Option<&str>,
    mail_from: &str,
    rcpt: &str,
    data: &[u8],
) -> String {
    let mut c = Smtp::connect(srv.smtp_addr).await;
    match user {
        Some(u) => {
            let pass = format!("{}-demo", u.split('@').next().unwrap());
            c.ehlo_auth(u, &pass).await
        }
        None => assert!(c.cmd("EHLO mx.example").await.starts_with("250")),
    }
    let r = c.cmd(&format!("MAIL FROM:<{mail_from}>")).await;
    assert!(r.starts_with("250"), "{r}");
    let r = c.cmd(&format!("RCPT TO:<{rcpt}>")).await;
    assert!(r.starts_with("250"), "{r}");
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send_bytes(data).await;
    c.cmd(".").await
}

fn inbox(srv: &mmhs::server::Running, who: &str) -> usize {
    srv.agent.store.list(who, folders::INBOX).unwrap().len()
}

fn strip_outer_mmhs(raw: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let kept: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("mmhs-"))
        .collect();
    format!("{}\r\n\r\n{body}", kept.join("\r\n")).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gate_refuses_the_attacks_over_smtp() {
    let (srv, dir) = start_demo("gate-attacks").await;
    let draft = signed_draft(&srv);

    // A. Released by the officer, then its content replaced under the same SignerInfo.
    let policy: ReleasePolicy =
        serde_json::from_str(&read(&dir.join("release-policy.json"))).unwrap();
    let res = release::release(
        &ReleaseRequest {
            raw: &draft,
            officer: &signer(&srv, OFFICER),
            verify: &verify_ctx(&srv),
            policy: &policy,
            decision: Decision::Approve,
            envelope: None,
            now: time::OffsetDateTime::now_utc(),
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    assert_eq!(res.outcome, Outcome::Released, "{:?}", res.problems);
    let text = String::from_utf8_lossy(&res.message).to_string();
    let forged = text.replace("moves at dawn", "moves at dusk");
    assert_ne!(forged, text);
    // Nothing authorises it, so nothing vouches for the Sender and release time the release
    // wrote outside the signature (profile §3.4.3, §3.5.5): a hidden header difference.
    let r = submit(&srv, Some(ALICE), ALICE, BOB, forged.as_bytes()).await;
    assert!(
        r.starts_with("550 5.7.1") && r.contains("gate-header-mismatch"),
        "{r}"
    );
    // With the draft's own outer header back (it had neither field), it is diverted: the
    // countersignature carried over authorises nothing.
    let (head, body) = forged.split_once("\r\n\r\n").unwrap();
    let kept: Vec<&str> = head
        .split("\r\n")
        .filter(|l| {
            !l.starts_with("Sender:") && !l.starts_with("MMHS-Extended-Authorisation-Info:")
        })
        .collect();
    let forged = format!("{}\r\n\r\n{body}", kept.join("\r\n"));
    let r = submit(&srv, Some(ALICE), ALICE, BOB, forged.as_bytes()).await;
    assert!(r.starts_with("250") && r.contains("release"), "{r}");
    assert_eq!(inbox(&srv, BOB), 0, "the altered message is not delivered");
    let q = srv.agent.store.list(OFFICER, folders::RELEASE).unwrap();
    let reason = q[0].envelope.as_ref().unwrap()["divertReason"].to_string();
    // The verifier already refuses the carried-over countersignature (the officer is not
    // `countersigned`); the gate's whole-report rule would refuse it too.
    assert!(
        reason.contains("authorizing-user-unverified") || reason.contains("gate-report-invalid"),
        "{reason}"
    );
    // The officer cannot push it through either: he does not own alice's From.
    let r = submit(&srv, Some(OFFICER), ALICE, BOB, forged.as_bytes()).await;
    assert!(
        r.starts_with("550 5.7.1") && r.contains("gate-from-not-owned"),
        "{r}"
    );
    // The genuine release goes through, re-submitted by the officer.
    let r = submit(&srv, Some(OFFICER), ALICE, BOB, &res.message).await;
    assert!(r.starts_with("250 2.0.0") && !r.contains("release"), "{r}");
    assert_eq!(inbox(&srv, BOB), 1);

    // B. A From alice does not own: the exempt officer's.
    let as_officer = plain_message(
        OFFICER,
        BOB,
        "forged-officer",
        "MMHS-Primary-Precedence: 4\r\n",
    );
    let r = submit(&srv, Some(ALICE), ALICE, BOB, as_officer.as_bytes()).await;
    assert!(
        r.starts_with("550 5.7.1") && r.contains("gate-from-not-owned"),
        "{r}"
    );
    //    A Sender outside the policy's domain.
    let sender = plain_message(
        ALICE,
        BOB,
        "foreign-sender",
        "Sender: clerk@elsewhere.example\r\nMMHS-Primary-Precedence: 4\r\n",
    );
    let r = submit(&srv, Some(ALICE), ALICE, BOB, sender.as_bytes()).await;
    assert!(
        r.starts_with("550 5.7.1") && r.contains("gate-from-not-owned"),
        "{r}"
    );
    //    Unauthenticated: refused for a local non-officer, delivered to the officer.
    let r = submit(&srv, None, "", BOB, as_officer.as_bytes()).await;
    assert!(
        r.starts_with("550 5.7.1") && r.contains("gate-unauthenticated"),
        "{r}"
    );
    let to_officer = plain_message(
        ALICE,
        OFFICER,
        "for-the-officer",
        "MMHS-Primary-Precedence: 4\r\n",
    );
    let r = submit(&srv, None, "", OFFICER, to_officer.as_bytes()).await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    assert_eq!(inbox(&srv, OFFICER), 1);
    assert_eq!(inbox(&srv, BOB), 1, "nothing more reached bob");

    // C. Military fields only in the protected header.
    let hidden = strip_outer_mmhs(&draft);
    let r = submit(&srv, Some(ALICE), ALICE, BOB, &hidden).await;
    assert!(
        r.starts_with("550 5.7.1") && r.contains("gate-header-mismatch"),
        "{r}"
    );
    assert_eq!(inbox(&srv, BOB), 1);
    srv.shutdown().await;
}

/// draft-melnikov-smime-msa-to-mda-04 §2.6 at the submission gate: a domain signature over
/// alice's signed military message, made with an agent certificate of another domain
/// (`smtp://evil.example`, from a CA the server trusts, so only the naming rule is wrong), is
/// flagged (`domain-naming-mismatch`): the report is not valid, the gate holds the draft for
/// the officer, and the officer's release refuses it; it is never delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rogue_domain_signature_is_held_and_never_released() {
    use crate::support::pki::{Alg, Pki};
    let mut tag = [0u8; 4];
    mmhs::rng::Rng::fill_bytes(&mut mmhs::rng::system_rng(), &mut tag);
    let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    let pki = Pki::new(
        &format!("gate-rogue-{tag}"),
        &[("x", "x@evil.example", Alg::Ec)],
    );
    pki.domain_agents();
    let dir = temp_dir("gate-rogue");
    std::fs::create_dir_all(dir.join("trust")).unwrap();
    std::fs::copy(
        pki.dir.join("ca.pem"),
        dir.join("trust").join("evil-ca.pem"),
    )
    .unwrap();
    let srv = mmhs::server::start(options(dir.clone(), None, None, true))
        .await
        .unwrap();
    let rogue = smime::sign_message(
        &signed_draft(&srv),
        &pki.signer("evil-sig"),
        &SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            signature_type: vec![smime::SignatureType::Domain],
            ..SignOptions::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let report = mmhs::verify::verify(&rogue, &{
        let mut ctx = verify_ctx(&srv);
        ctx.trust_anchors
            .extend(mmhs::keys::certificates_from_pem(&read(&pki.dir.join("ca.pem"))).unwrap());
        ctx
    })
    .unwrap();
    assert!(
        !report.valid
            && report
                .problems
                .iter()
                .any(|p| p.code == "domain-naming-mismatch"),
        "{:?}",
        report.problems
    );
    // A draft goes to the officer's queue whatever it carries; what decides is the officer's
    // step 1, which verifies it (RFC 7912 §5) and refuses it: nothing is released.
    let r = submit(&srv, Some(ALICE), ALICE, BOB, &rogue).await;
    assert!(r.starts_with("250") && r.contains("release"), "{r}");
    assert_eq!(inbox(&srv, BOB), 0);
    let q = srv.agent.store.list(OFFICER, folders::RELEASE).unwrap();
    assert_eq!(q.len(), 1);
    let queued = srv.agent.store.get(OFFICER, q[0].id).unwrap().unwrap();
    let policy: ReleasePolicy =
        serde_json::from_str(&read(&dir.join("release-policy.json"))).unwrap();
    let mut ctx = verify_ctx(&srv);
    ctx.trust_anchors
        .extend(mmhs::keys::certificates_from_pem(&read(&pki.dir.join("ca.pem"))).unwrap());
    let res = release::release(
        &ReleaseRequest {
            raw: &queued.raw,
            officer: &signer(&srv, OFFICER),
            verify: &ctx,
            policy: &policy,
            decision: Decision::Approve,
            envelope: None,
            now: time::OffsetDateTime::now_utc(),
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    assert_eq!(res.outcome, Outcome::Refused, "{:?}", res.problems);
    assert!(
        res.problems
            .iter()
            .any(|p| p.code == "release-originator-unverified"),
        "{:?}",
        res.problems
    );
    srv.shutdown().await;
}
