//! Correspondents' certificates, end to end in the core: what a verified message vouches for
//! (`report.correspondents`, `signatures[].certificate` / `chain`; src/verify/correspondents.rs),
//! what a stored certificate is worth now (`trust::certificate_status`) and which certificate
//! encryption chooses (`domain::encryption_recipients`, `encrypt_request` with trust anchors).
//! Real messages signed with a P-256 PKI made here (`mmhs::pki`, no committed key); each rule
//! is paired with the message that would break it.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::OnceLock;

use p256::ecdsa::SigningKey;
use pkcs8::{EncodePrivateKey, LineEnding};
use time::macros::datetime;
use time::OffsetDateTime;
use x509_cert::Certificate;

use mmhs::domain::{encrypt_request, encryption_recipients, EncryptRequest};
use mmhs::keys::certificate_pem;
use mmhs::report::VerifyReport;
use mmhs::smime::{sign_message, SignOptions, Signer};
use mmhs::trust::{certificate_status, CertificateStatusRequest, Purpose};
use mmhs::verify::{verify, VerifyContext};

const AT: OffsetDateTime = datetime!(2030-01-01 00:00 UTC);

struct Person {
    signer: Signer,
    pem: String,
}

struct World {
    ca: Certificate,
    ca_pem: String,
    bob: Person,
    /// bob's certificate of 2025, one year: expired at [`AT`].
    bob_expired: Person,
    mallory: Person,
    /// a certificate for bob under a root the reader does not trust
    rogue_bob: Person,
}

fn person(
    ca_key: &SigningKey,
    ca: &Certificate,
    name: &str,
    address: &str,
    start: OffsetDateTime,
    years: u32,
) -> Person {
    let validity = mmhs::pki::validity(start, years).expect("validity");
    let subject = mmhs::pki::Subject {
        address,
        name,
        org: "Navy",
    };
    let (key, cert) =
        mmhs::pki::issue_user(&mut mmhs::rng::system_rng(), ca_key, ca, &subject, validity)
            .expect("user");
    let key_pem = key.to_pkcs8_pem(LineEnding::LF).expect("key pem");
    let pem = certificate_pem(&cert).expect("pem");
    Person {
        signer: Signer::from_pem(&key_pem, &pem, None).expect("signer"),
        pem,
    }
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let start = datetime!(2025-01-01 01:00 UTC);
        let rng = &mut mmhs::rng::system_rng();
        let (ca_key, ca) = mmhs::pki::make_ca(
            rng,
            "CN=Navy Root,O=Navy,C=GB",
            mmhs::pki::validity(start, 10).unwrap(),
        )
        .unwrap();
        let (rogue_key, rogue) = mmhs::pki::make_ca(
            rng,
            "CN=Navy Root,O=Rogue,C=GB",
            mmhs::pki::validity(start, 10).unwrap(),
        )
        .unwrap();
        World {
            ca_pem: certificate_pem(&ca).unwrap(),
            bob: person(
                &ca_key,
                &ca,
                "Bob",
                "bob@navy.example",
                datetime!(2026-01-01 01:00 UTC),
                8,
            ),
            bob_expired: person(&ca_key, &ca, "Bob", "bob@navy.example", start, 1),
            mallory: person(&ca_key, &ca, "Mallory", "mallory@navy.example", start, 10),
            rogue_bob: person(&rogue_key, &rogue, "Bob", "bob@navy.example", start, 10),
            ca,
        }
    })
}

fn message(from: &str, sender: Option<&str>) -> Vec<u8> {
    let sender = sender
        .map(|s| format!("Sender: {s}\r\n"))
        .unwrap_or_default();
    format!(
        "From: {from}\r\n{sender}To: alice@navy.example\r\nSubject: Status\r\nDate: Tue, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <c-1@navy.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nAll well.\r\n"
    )
    .into_bytes()
}

fn signed(by: &Person, raw: &[u8]) -> Vec<u8> {
    sign_message(
        raw,
        &by.signer,
        &SignOptions::default(),
        &mut mmhs::rng::system_rng(),
    )
    .expect("sign")
}

fn read(raw: &[u8]) -> VerifyReport {
    let ctx = VerifyContext {
        trust_anchors: vec![world().ca.clone()],
        at: Some(AT),
        ..Default::default()
    };
    verify(raw, &ctx).expect("verify")
}

#[test]
fn a_trusted_bound_signer_is_vouched_for_with_its_certificate_and_chain() {
    let w = world();
    let r = read(&signed(&w.bob, &message("Bob <bob@navy.example>", None)));
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.correspondents.len(), 1);
    assert_eq!(r.correspondents[0].address, "bob@navy.example");
    let sig = &r.signatures[r.correspondents[0].signature];
    assert_eq!(
        sig.certificate.as_deref(),
        Some(w.bob.pem.as_str()),
        "the certificate the SignerIdentifier named"
    );
    assert_eq!(
        sig.chain,
        vec![w.ca_pem.clone()],
        "the validated path up to the anchor"
    );
    // the JSON a caller reads
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        json["correspondents"],
        serde_json::json!([{ "address": "bob@navy.example", "signature": 0 }])
    );
    assert_eq!(
        json["signatures"][0]["certificate"],
        serde_json::json!(w.bob.pem)
    );
}

#[test]
fn an_untrusted_chain_vouches_for_nothing() {
    // a valid signature by a certificate for bob under a root the reader does not trust
    let w = world();
    let r = read(&signed(&w.rogue_bob, &message("bob@navy.example", None)));
    assert!(r.signatures[0].valid, "the signature itself verifies");
    assert!(!r.signatures[0].trusted);
    assert!(!r.valid);
    assert!(r.correspondents.is_empty());
    assert!(
        r.signatures[0].chain.is_empty(),
        "no path is shown as validated"
    );
    assert!(
        r.signatures[0].certificate.is_some(),
        "but the certificate can be inspected"
    );
    assert!(!serde_json::to_string(&r)
        .unwrap()
        .contains("\"correspondents\""));
}

#[test]
fn a_certificate_for_mallory_is_not_vouched_for_under_bob() {
    let w = world();
    let r = read(&signed(&w.mallory, &message("bob@navy.example", None)));
    assert!(!r.valid);
    assert!(r
        .problems
        .iter()
        .any(|p| p.code == "signer-address-mismatch"));
    assert!(r.correspondents.is_empty());
    // mallory as Sender on behalf of bob: only mallory's own address is vouched for
    let r = read(&signed(
        &w.mallory,
        &message("bob@navy.example", Some("mallory@navy.example")),
    ));
    assert!(
        r.correspondents
            .iter()
            .all(|c| c.address == "mallory@navy.example"),
        "{:?}",
        r.correspondents
    );
}

#[test]
fn an_altered_message_vouches_for_nothing() {
    let w = world();
    let s = signed(&w.bob, &message("bob@navy.example", None));
    let text = String::from_utf8(s)
        .unwrap()
        .replacen("All well.", "All lost.", 1);
    let r = read(text.as_bytes());
    assert!(!r.valid);
    assert!(r.correspondents.is_empty());
}

fn status(cert: &str, anchors: &[&str], purpose: Purpose) -> mmhs::trust::CertificateStatus {
    let req = CertificateStatusRequest {
        certificate: cert.to_string(),
        trust_anchors: anchors.iter().map(|a| a.to_string()).collect(),
        at: Some(AT),
        purpose: Some(purpose),
        ..Default::default()
    };
    certificate_status(&req, datetime!(2000-01-01 00:00 UTC)).expect("status")
}

#[test]
fn certificate_status_says_trusted_expired_or_untrusted_now() {
    let w = world();
    let ok = status(&w.bob.pem, &[&w.ca_pem], Purpose::Encryption);
    assert!(ok.trusted && ok.problems.is_empty(), "{:?}", ok.problems);
    assert_eq!(ok.certificate.email_addresses, vec!["bob@navy.example"]);
    assert_eq!(ok.chain.len(), 1);
    assert_eq!(ok.chain[0].pem, w.ca_pem);
    assert_eq!(
        ok.at, "2030-01-01T00:00:00Z",
        "the request's time, not the caller's clock"
    );
    let expired = status(&w.bob_expired.pem, &[&w.ca_pem], Purpose::Encryption);
    assert!(!expired.trusted);
    assert!(
        expired.problems.iter().any(|p| p.code == "cert-expired"),
        "{:?}",
        expired.problems
    );
    assert!(expired.chain.is_empty());
    let untrusted = status(&w.rogue_bob.pem, &[&w.ca_pem], Purpose::Signing);
    assert!(!untrusted.trusted);
    assert!(untrusted
        .problems
        .iter()
        .any(|p| p.code == "cert-untrusted"));
    let no_anchor = status(&w.bob.pem, &[], Purpose::Encryption);
    assert!(!no_anchor.trusted, "no trust anchor: nothing is trusted");
    // not a certificate
    let bad = CertificateStatusRequest {
        certificate: "junk".into(),
        ..Default::default()
    };
    assert_eq!(
        mmhs::coded::Coded::code(&certificate_status(&bad, AT).unwrap_err()),
        "certificate-missing"
    );
}

#[test]
fn encryption_never_chooses_an_expired_or_untrusted_certificate() {
    let w = world();
    let lookup = |certs: &[&str]| EncryptRequest {
        rcpt: vec!["bob@navy.example".into(), "carol@navy.example".into()],
        certificates: certs.iter().map(|c| c.to_string()).collect(),
        trust_anchors: Some(vec![w.ca_pem.clone()]),
        at: Some(AT),
        ..Default::default()
    };
    let both = encryption_recipients(
        &lookup(&[&w.bob_expired.pem, &w.rogue_bob.pem, &w.bob.pem]),
        AT,
    )
    .unwrap();
    assert_eq!(both[0].address, "bob@navy.example");
    assert_eq!(both[0].chosen.len(), 1);
    assert_eq!(
        both[0].chosen[0].certificate.pem, w.bob.pem,
        "the valid one, not the first one"
    );
    let refused: Vec<&str> = both[0]
        .refused
        .iter()
        .map(|r| r.problems[0].code.as_str())
        .collect();
    assert_eq!(refused, vec!["cert-expired", "cert-untrusted"]);
    assert!(both[1].chosen.is_empty(), "carol has no certificate");
    let only_expired = encryption_recipients(&lookup(&[&w.bob_expired.pem]), AT).unwrap();
    assert!(only_expired[0].chosen.is_empty());

    // `encrypt` makes the same choice: with the expired one only, it refuses (never in clear)
    let raw = message("alice@navy.example", None);
    let req = |certs: Vec<String>, anchors: Option<Vec<String>>| EncryptRequest {
        rcpt: vec!["bob@navy.example".into()],
        certificates: certs,
        trust_anchors: anchors,
        at: Some(AT),
        ..Default::default()
    };
    let rng = &mut mmhs::rng::system_rng();
    let e = encrypt_request(
        raw.clone(),
        Vec::new(),
        &req(
            vec![w.bob_expired.pem.clone()],
            Some(vec![w.ca_pem.clone()]),
        ),
        AT,
        rng,
    )
    .unwrap_err();
    assert_eq!(mmhs::coded::Coded::code(&e), "no-recipient-certificate");
    let e = encrypt_request(
        raw.clone(),
        Vec::new(),
        &req(vec![w.bob.pem.clone()], Some(Vec::new())),
        AT,
        rng,
    )
    .unwrap_err();
    assert_eq!(
        mmhs::coded::Coded::code(&e),
        "no-recipient-certificate",
        "no anchor: nothing is usable"
    );
    let out = encrypt_request(
        raw.clone(),
        Vec::new(),
        &req(
            vec![w.bob_expired.pem.clone(), w.bob.pem.clone()],
            Some(vec![w.ca_pem.clone()]),
        ),
        AT,
        rng,
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&out).contains("enveloped-data"));
    let opened = mmhs::smime::decrypt_message(&out, &w.bob.signer.key, &w.bob.signer.cert);
    assert!(opened.is_ok(), "bob's valid certificate was encrypted to");
    let expired =
        mmhs::smime::decrypt_message(&out, &w.bob_expired.signer.key, &w.bob_expired.signer.cert);
    assert!(
        expired.is_err(),
        "the expired certificate was not encrypted to"
    );
    // without trust anchors the caller's certificates are taken as given (the CLI's choice)
    assert!(encrypt_request(
        raw,
        Vec::new(),
        &req(vec![w.bob_expired.pem.clone()], None),
        AT,
        rng
    )
    .is_ok());
}
