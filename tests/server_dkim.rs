//! DKIM (RFC 6376) in the submission agent: signing of relayed mail per `From:` domain,
//! verification on receipt with `mail-auth` and an `Authentication-Results` field (RFC 8601),
//! forged results of our authserv-id removed on entry; a large relayed message, its
//! MT-Priority tunnelled (RFC 6758 §4) to a next hop without MT-PRIORITY, arrives intact and
//! its signature over the bytes as sent verifies. Keys come from in-memory key tables, never
//! from DNS.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;

use std::collections::BTreeMap;

use mmhs::server::dkim::{
    generated_record, DkimOutcome, DkimSettings, DkimSigning, DkimVerifier, SigningDomain,
};

fn settings(domain: &str) -> DkimSettings {
    DkimSettings {
        verify: true,
        signing: vec![SigningDomain {
            domain: domain.into(),
            selector: "mmhs".into(),
            key_path: None,
        }],
        key_table: None,
    }
}

fn table(entries: &[(&str, &str)]) -> DkimSettings {
    DkimSettings {
        verify: true,
        signing: vec![],
        key_table: Some(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

const MSG: &str = "From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: orders\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <dkim.1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nMove at dawn.\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_then_verify_and_every_tampering_fails() {
    let dir = temp_dir("dkim-unit");
    let signing = DkimSigning::load(&dir, &settings("army.example")).unwrap();
    let record = generated_record(&dir, "mmhs", "army.example").expect("TXT record written");
    assert!(record.starts_with("v=DKIM1; k=ed25519; p="), "{record}");
    let signed = signing.sign(MSG.as_bytes()).unwrap();
    let text = String::from_utf8_lossy(&signed).to_string();
    assert!(text.starts_with("DKIM-Signature:"), "{text}");
    for f in ["from", "subject", "mmhs-primary-precedence", "message-id"] {
        assert!(
            text.to_ascii_lowercase().contains(f),
            "h= covers {f}: {text}"
        );
    }
    // A message of another domain is not signed.
    let other = MSG.replace("alice@army.example", "x@elsewhere.example");
    assert_eq!(signing.sign(other.as_bytes()).unwrap(), other.as_bytes());

    let good = DkimVerifier::new(&table(&[("mmhs._domainkey.army.example", &record)]));
    let v = good.verify(&signed).await;
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].outcome, DkimOutcome::Pass, "{v:?}");
    assert_eq!(v[0].domain.as_deref(), Some("army.example"));
    assert_eq!(v[0].selector.as_deref(), Some("mmhs"));

    // Attacks on the signed bytes: body, a signed header, the precedence.
    for (from, to) in [
        ("Move at dawn.", "Move at dusk."),
        ("Subject: orders", "Subject: 0rders"),
        ("4 (flash)", "5 (override)"),
    ] {
        let tampered = text.replacen(from, to, 1);
        let v = good.verify(tampered.as_bytes()).await;
        assert_eq!(v[0].outcome, DkimOutcome::Fail, "{from} → {to}: {v:?}");
    }
    // A signature made with another key under the same name.
    let dir2 = temp_dir("dkim-unit-2");
    let impostor = DkimSigning::load(&dir2, &settings("army.example")).unwrap();
    let forged = impostor.sign(MSG.as_bytes()).unwrap();
    assert_eq!(good.verify(&forged).await[0].outcome, DkimOutcome::Fail);
    // No key for the selector: permerror, and the table is never a way to reach DNS.
    let empty = DkimVerifier::new(&table(&[]));
    assert_eq!(
        empty.verify(&signed).await[0].outcome,
        DkimOutcome::Permerror
    );
    // Unsigned.
    assert_eq!(
        good.verify(MSG.as_bytes()).await[0].outcome,
        DkimOutcome::None
    );
}

fn next_hop_config(key_table: &[(&str, &str)]) -> mmhs::server::Config {
    let mut cfg = test_config(100_000);
    cfg.hostname = "msa-b.localhost".into();
    cfg.users = vec![carol()];
    cfg.dkim = table(key_table);
    cfg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_mail_is_signed_and_the_next_hop_records_dkim_pass() {
    // msa-a signs army.example (the demo configuration, key generated on first start).
    let dir_a = temp_dir("dkim-a");
    // The key exists before msa-b is configured with its record (as DNS would publish it).
    DkimSigning::load(&dir_a, &test_config(1).dkim).unwrap();
    let record = generated_record(&dir_a, "mmhs", "army.example").unwrap();
    let (b, _db) = start_configured(
        "dkim-b",
        next_hop_config(&[("mmhs._domainkey.army.example", &record)]),
        None,
    )
    .await;
    let a = mmhs::server::start(mmhs::server::ServerOptions {
        relay: Some(
            mmhs::server::parse_mail_uri(&format!("smtp://127.0.0.1:{}", b.smtp_addr.port()))
                .unwrap(),
        ),
        ..options(dir_a, Some(test_config(100_000)), None, false)
    })
    .await
    .unwrap();
    alice_to_carol(a.smtp_addr, "signed").await;
    let text = first_in_inbox(&b.agent.store, "carol@other.example").await;
    assert!(
        text.starts_with(
            "Authentication-Results: msa-b.localhost;\r\n dkim=pass header.d=army.example header.s=mmhs\r\n"
        ),
        "{text}"
    );
    assert!(text.contains("DKIM-Signature:"), "{text}");
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_results_of_our_authserv_id_are_removed_on_entry() {
    let (b, _db) = start_configured("dkim-forged", next_hop_config(&[]), None).await;
    let mut c = Smtp::connect(b.smtp_addr).await;
    assert!(c.cmd("EHLO mx.elsewhere.example").await.starts_with("250"));
    // The sender claims a DKIM pass in the receiving agent's own name, twice (one with a
    // comment and different case), and one result of another authserv-id.
    let forged = "Authentication-Results: msa-b.localhost; dkim=pass header.d=army.example\r\n\
Authentication-Results: MSA-B.LOCALHOST (trusted); dkim=pass\r\n\
Authentication-Results: relay.elsewhere.example; dkim=pass header.d=army.example\r\n";
    let data = plain_message(
        "alice@army.example",
        "carol@other.example",
        "forged",
        forged,
    );
    let r = c
        .transaction("mallory@elsewhere.example", "carol@other.example", &data)
        .await;
    assert!(r.starts_with("250"), "{r}");
    let text = first_in_inbox(&b.agent.store, "carol@other.example").await;
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.to_ascii_lowercase()
                .starts_with("authentication-results: msa-b.localhost")
        })
        .collect();
    assert_eq!(ours.len(), 1, "only the field we added: {text}");
    assert!(
        text.starts_with("Authentication-Results: msa-b.localhost;\r\n dkim=none\r\n"),
        "{text}"
    );
    assert!(
        text.contains("Authentication-Results: relay.elsewhere.example;"),
        "other authserv-ids are not ours to remove"
    );
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_tunnelled_message_is_relayed_intact_and_its_signature_verifies() {
    // A next hop without MT-PRIORITY: the relay tunnels the priority (RFC 6758 §4).
    let hop = recording_hop("250-hop.localhost\r\n250 8BITMIME\r\n", Vec::new());
    let uri = format!("smtp://127.0.0.1:{}", hop.port);
    let dir = temp_dir("dkim-tunnel");
    DkimSigning::load(&dir, &test_config(1).dkim).unwrap();
    let record = generated_record(&dir, "mmhs", "army.example").unwrap();
    let a = mmhs::server::start(mmhs::server::ServerOptions {
        relay: Some(mmhs::server::parse_mail_uri(&uri).unwrap()),
        ..options(dir.clone(), Some(test_config(1 << 20)), None, false)
    })
    .await
    .unwrap();
    // About 300 KiB (several of the relay's 64 KiB blocks), every 7th line starting with a
    // dot; the message's own MT-Priority field (2) is replaced by the envelope's (4).
    let body: String = (0..3000)
        .map(|i| {
            if i % 7 == 0 {
                format!(".dot line {i:05} {}\r\n", "x".repeat(80))
            } else {
                format!("line {i:05} {}\r\n", "y".repeat(85))
            }
        })
        .collect();
    let msg = format!(
        "From: <alice@army.example>\r\nTo: <carol@other.example>\r\nSubject: tunnelled\r\n\
Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <tunnelled@army.example>\r\nMT-Priority: 2\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n{body}"
    );
    let mut c = Smtp::connect(a.smtp_addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let r = c.cmd("MAIL FROM:<alice@army.example> MT-PRIORITY=4").await;
    assert!(r.starts_with("250"), "{r}");
    let r = c.cmd("RCPT TO:<carol@other.example>").await;
    assert!(r.starts_with("250"), "{r}");
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(&msg.replace("\r\n.", "\r\n..")).await;
    let r = c.cmd(".").await;
    assert!(r.starts_with("250"), "{r}");

    let got = eventually(|| hop.received.lock().unwrap().first().cloned()).await;
    let text = String::from_utf8_lossy(&got).to_string();
    assert!(text.starts_with("DKIM-Signature:"), "{}", &text[..200]);
    let header = &text[..text.find("\r\n\r\n").unwrap()];
    let fields: Vec<&str> = header
        .split("\r\n")
        .filter(|l| l.to_ascii_lowercase().starts_with("mt-priority:"))
        .collect();
    assert_eq!(fields, ["MT-Priority: 4"], "{header}");
    assert!(text.ends_with(&body), "the body arrives as it was sent");
    let verifier = DkimVerifier::new(&table(&[("mmhs._domainkey.army.example", &record)]));
    let v = verifier.verify(&got).await;
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].outcome, DkimOutcome::Pass, "{v:?}");
    a.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
