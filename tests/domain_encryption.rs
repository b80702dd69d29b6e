//! Encryption for and by a domain (draft-melnikov-smime-msa-to-mda-04 §4) and the S/MIME
//! gateway (draft-ramsdell-enc-smime-gateway-00), on a throwaway PKI made by OpenSSL at test
//! time (`support/pki.rs`): which certificate is a domain's (DCA by §2.6 name and keyUsage,
//! gateway by `smg_encryptor@domain`), the most specific domain, the client's choice per
//! recipient (cases (a), (b)), the receiving DCA decrypting and delivering or re-encrypting
//! (cases (b), (d)), the gateway outbound and inbound, what the recipient's report says —
//! and OpenSSL decrypting with the DCA's key.

use crate::support;

use std::sync::OnceLock;

use mmhs::domain::{
    dca_decrypt, dca_domains, dca_open, gateway_domains, gateway_inbound, gateway_outbound,
    recipient_certificates, DcaDelivery, DcaOutcome, DomainEncryption, GatewayInbound,
    MixedRecipients, RecipientVia,
};
use mmhs::error::Coded;
use mmhs::keys::PrivateKey;
use mmhs::report::RecipientKind;
use mmhs::rng::danger::SeededRng;
use mmhs::smime::{self, EncryptOptions, SignOptions};
use mmhs::verify::VerifyContext;
use support::pki::{Alg, Pki};
use x509_cert::Certificate;

const MESSAGE: &str = "From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: Logistics\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nMessage-ID: <dca-1@army.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nTwelve trucks, two tankers.\r\n";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let p = Pki::new(
            "domain-enc",
            &[
                ("alice", "alice@army.example", Alg::Rsa),
                ("bob", "bob@navy.example", Alg::Ec),
            ],
        );
        p.issue_san("navy-dca", "URI:smtp://navy.example", Alg::Rsa, 7001);
        p.issue_san("hq-navy-dca", "DNS:hq.navy.example", Alg::Ec, 7002);
        p.issue_agent(
            "navy-signer",
            "URI:smtp://navy.example",
            Alg::Ec,
            false,
            7003,
        );
        p.issue_san("xnavy-dca", "URI:smtp://xnavy.example", Alg::Rsa, 7004);
        p.issue_san("evil-dca", "URI:smtp://evil.example", Alg::Rsa, 7005);
        p.issue(
            "navy-gw",
            "smg_encryptor@navy.example",
            Alg::Rsa,
            ("ca.pem", "ca.key"),
            7006,
        );
        p.issue(
            "hq-gw",
            "smg_encryptor@hq.navy.example",
            Alg::Ec,
            ("ca.pem", "ca.key"),
            7007,
        );
        p.issue(
            "other-person",
            "encryptor@navy.example",
            Alg::Rsa,
            ("ca.pem", "ca.key"),
            7008,
        );
        p
    })
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

fn cert(name: &str) -> Certificate {
    pki().cert(name)
}

fn key(name: &str) -> (PrivateKey, Certificate) {
    let s = pki().signer(name);
    (s.key, s.cert)
}

fn ctx(keys: &[&str], certs: &[&str]) -> VerifyContext {
    VerifyContext {
        decryption_keys: keys.iter().map(|k| key(k)).collect(),
        certificates: certs.iter().map(|c| cert(c)).collect(),
        ..pki().verify_context(now())
    }
}

fn signed() -> Vec<u8> {
    smime::sign_message(
        MESSAGE.as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..SignOptions::default()
        },
        &mut SeededRng::new(1),
    )
    .unwrap()
}

fn encrypt(raw: &[u8], to: &[&str]) -> Vec<u8> {
    let certs: Vec<Certificate> = to.iter().map(|c| cert(c)).collect();
    smime::encrypt_message(
        raw,
        &certs,
        &EncryptOptions::default(),
        &mut SeededRng::new(2),
    )
    .unwrap()
}

/// §2.6, §4.1: a DCA is named by the naming convention and told from a signing agent by
/// keyUsage; gateway §4: `smg_encryptor@domain`, nothing else.
#[test]
fn which_certificates_are_a_domains() {
    assert_eq!(dca_domains(&cert("navy-dca")), ["navy.example"]);
    assert_eq!(dca_domains(&cert("hq-navy-dca")), ["hq.navy.example"]);
    assert!(
        dca_domains(&cert("navy-signer")).is_empty(),
        "a signing-only agent is not a DCA"
    );
    assert!(dca_domains(&cert("bob")).is_empty());
    assert!(dca_domains(&cert("navy-gw")).is_empty());
    assert_eq!(gateway_domains(&cert("navy-gw")), ["navy.example"]);
    assert_eq!(gateway_domains(&cert("hq-gw")), ["hq.navy.example"]);
    assert!(gateway_domains(&cert("other-person")).is_empty());
    assert!(gateway_domains(&cert("navy-dca")).is_empty());
}

fn certs(names: &[&str]) -> Vec<Certificate> {
    names.iter().map(|n| cert(n)).collect()
}

/// §4 cases (a) and (b): per recipient, its own certificate and/or its domain's DCA or
/// gateway certificate, as the mode says; never a certificate of another domain.
#[test]
fn a_client_chooses_per_recipient() {
    let all = certs(&[
        "bob",
        "navy-dca",
        "navy-signer",
        "xnavy-dca",
        "evil-dca",
        "navy-gw",
    ]);
    let any = |_: &Certificate| true;
    let pick = |addr: &str, mode| recipient_certificates(addr, &all, mode, any);
    assert_eq!(
        pick("bob@navy.example", DomainEncryption::None).unwrap(),
        [(0, RecipientVia::Personal)]
    );
    assert_eq!(
        pick("bob@navy.example", DomainEncryption::WhenNoPersonal).unwrap(),
        [(0, RecipientVia::Personal)]
    );
    let dca = RecipientVia::Dca {
        domain: "navy.example".into(),
    };
    let gw = RecipientVia::Gateway {
        domain: "navy.example".into(),
    };
    // carol has no certificate: the DCA and the gateway of navy.example (same level).
    assert_eq!(
        pick("carol@navy.example", DomainEncryption::WhenNoPersonal).unwrap(),
        [(1, dca.clone()), (5, gw.clone())]
    );
    assert_eq!(
        pick("bob@navy.example", DomainEncryption::Also).unwrap(),
        [(0, RecipientVia::Personal), (1, dca.clone()), (5, gw)]
    );
    assert_eq!(
        pick("bob@navy.example", DomainEncryption::Instead)
            .unwrap()
            .len(),
        2
    );
    // Without domain encryption, no personal certificate: refused, never sent in clear.
    let err = pick("carol@navy.example", DomainEncryption::None).unwrap_err();
    assert_eq!(err.code(), "no-recipient-certificate");
    // xnavy.example and evil.example serve nothing of navy.example; a signing-only agent
    // is never encrypted to.
    let others = certs(&["xnavy-dca", "evil-dca", "navy-signer"]);
    let err = recipient_certificates(
        "carol@navy.example",
        &others,
        DomainEncryption::Instead,
        any,
    )
    .unwrap_err();
    assert_eq!(err.code(), "no-recipient-certificate");
    // The caller's validity check is applied.
    let err = recipient_certificates(
        "carol@navy.example",
        &all,
        DomainEncryption::Instead,
        |c: &Certificate| c != &cert("navy-dca") && c != &cert("navy-gw"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "no-recipient-certificate");
}

/// Gateway §4: "if it holds domain certificates for both <sub.domain> and domain, it MUST use
/// the certificate for <sub.domain> when sending to a recipient in <sub.domain>".
#[test]
fn the_most_specific_domain_wins() {
    let all = certs(&["navy-dca", "navy-gw", "hq-navy-dca", "hq-gw"]);
    let got = recipient_certificates(
        "dave@hq.navy.example",
        &all,
        DomainEncryption::Instead,
        |_| true,
    )
    .unwrap();
    assert_eq!(
        got,
        [
            (
                2,
                RecipientVia::Dca {
                    domain: "hq.navy.example".into()
                }
            ),
            (
                3,
                RecipientVia::Gateway {
                    domain: "hq.navy.example".into()
                }
            )
        ]
    );
    // A deeper domain is served by the nearest ascendant that has a certificate.
    let got = recipient_certificates(
        "erin@ops.hq.navy.example",
        &all,
        DomainEncryption::Instead,
        |_| true,
    )
    .unwrap();
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|(i, _)| *i >= 2));
}

/// §4 case (b) for transmission, cases (b)/(d) for reception: alice encrypts for bob and
/// navy's DCA; the DCA decrypts it and delivers it plain or re-encrypted for bob alone;
/// alice's signature inside still verifies.
#[test]
fn the_receiving_dca_delivers_or_reencrypts() {
    let msg = encrypt(&signed(), &["bob", "navy-dca"]);
    let dca = key("navy-dca");
    let DcaOutcome::Decrypted(plain) = dca_decrypt(
        &msg,
        &dca,
        &DcaDelivery::Plain,
        &EncryptOptions::default(),
        &mut SeededRng::new(3),
    )
    .unwrap() else {
        panic!("not decrypted")
    };
    let r = mmhs::verify::verify(&plain, &ctx(&[], &[])).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.layers, ["signed"]);

    let DcaOutcome::Decrypted(again) = dca_decrypt(
        &msg,
        &dca,
        &DcaDelivery::ReEncrypt(vec![cert("bob")]),
        &EncryptOptions::default(),
        &mut SeededRng::new(4),
    )
    .unwrap() else {
        panic!("not decrypted")
    };
    let r = mmhs::verify::verify(&again, &ctx(&["bob"], &[])).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.layers, ["enveloped", "signed"]);
    let r = mmhs::verify::verify(&again, &ctx(&["navy-dca"], &[])).unwrap();
    assert!(
        r.has_problem("no-decryption-key"),
        "the DCA no longer reads it"
    );

    // Not for the DCA, or not encrypted: passed on as it is.
    let for_bob = encrypt(&signed(), &["bob"]);
    assert_eq!(
        dca_decrypt(
            &for_bob,
            &dca,
            &DcaDelivery::Plain,
            &EncryptOptions::default(),
            &mut SeededRng::new(5)
        )
        .unwrap(),
        DcaOutcome::NotForUs
    );
    assert_eq!(
        dca_decrypt(
            &signed(),
            &dca,
            &DcaDelivery::Plain,
            &EncryptOptions::default(),
            &mut SeededRng::new(6)
        )
        .unwrap(),
        DcaOutcome::NotEncrypted
    );
}

/// An agent with or without a DCA key (`dca_open`): without one, an encrypted message is
/// not for it (never mistaken for content it may sign over), anything else is not encrypted
/// — a message whose top layer cannot be read included, left to the receive pipeline.
#[test]
fn dca_open_with_and_without_a_key() {
    let for_dca = encrypt(&signed(), &["navy-dca"]);
    assert_eq!(dca_open(&for_dca, None).unwrap(), DcaOutcome::NotForUs);
    assert_eq!(dca_open(&signed(), None).unwrap(), DcaOutcome::NotEncrypted);
    let broken = b"Content-Type: multipart/signed; boundary=x\r\n\r\n--x--\r\n";
    assert_eq!(dca_open(broken, None).unwrap(), DcaOutcome::NotEncrypted);
    let dca = key("navy-dca");
    let Ok(DcaOutcome::Decrypted(plain)) = dca_open(&for_dca, Some(&dca)) else {
        panic!("not decrypted")
    };
    assert_eq!(
        mmhs::verify::verify(&plain, &ctx(&[], &[])).unwrap().layers,
        ["signed"]
    );
    let for_bob = encrypt(&signed(), &["bob"]);
    assert_eq!(
        dca_open(&for_bob, Some(&dca)).unwrap(),
        DcaOutcome::NotForUs
    );
}

/// A layer addressed to the DCA that does not decrypt is an error, never passed on
/// (gateway §5.2 step 2).
#[test]
fn a_corrupted_layer_for_the_dca_is_an_error() {
    // AES-256-GCM: a modified ciphertext fails its tag (CBC would decrypt to garbage).
    let msg = String::from_utf8(
        smime::encrypt_message(
            &signed(),
            &[cert("navy-dca")],
            &EncryptOptions::gcm(),
            &mut SeededRng::new(2),
        )
        .unwrap(),
    )
    .unwrap();
    // Flip base64 characters well inside the ciphertext (the last lines of the body).
    let lines: Vec<&str> = msg.split("\r\n").collect();
    let n = lines.len();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    for l in out.iter_mut().take(n - 3).skip(n - 6) {
        *l = l.chars().rev().collect();
    }
    let broken = out.join("\r\n");
    let err = dca_decrypt(
        broken.as_bytes(),
        &key("navy-dca"),
        &DcaDelivery::Plain,
        &EncryptOptions::default(),
        &mut SeededRng::new(7),
    )
    .unwrap_err();
    assert!(
        [
            "decrypt-auth-failed",
            "decrypt-failed",
            "cms-malformed",
            "smime-malformed"
        ]
        .contains(&err.code()),
        "{}: {err}",
        err.code()
    );
}

/// The report says for whom each encrypted layer was (`encryption`, note
/// `encrypted-for-domain`), with the certificates the reader supplied.
#[test]
fn the_report_names_the_domain_recipients() {
    let msg = encrypt(&signed(), &["bob", "navy-dca"]);
    let r = mmhs::verify::verify(&msg, &ctx(&["bob"], &["navy-dca"])).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.encryption.len(), 1);
    // RecipientInfos is a SET: DER order, not the order they were given in.
    let rs = &r.encryption[0].recipients;
    assert_eq!(rs.len(), 2);
    let bob = rs
        .iter()
        .find(|x| x.kind == Some(RecipientKind::Personal))
        .unwrap();
    assert!(bob.decrypted_here);
    assert_eq!(bob.certificate.as_deref(), Some("bob@navy.example"));
    let dca = rs
        .iter()
        .find(|x| x.kind == Some(RecipientKind::Dca))
        .unwrap();
    assert!(!dca.decrypted_here);
    assert_eq!(dca.domain.as_deref(), Some("navy.example"));
    assert_eq!(dca.certificate.as_deref(), Some("smtp://navy.example"));
    assert!(r.notes.iter().any(|n| n.code == "encrypted-for-domain"));
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["encryption"][0]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "dca" && x["domain"] == "navy.example"));
    // Unknown certificates stay unknown; nothing is invented.
    let r = mmhs::verify::verify(&msg, &ctx(&["bob"], &[])).unwrap();
    assert_eq!(
        r.encryption[0]
            .recipients
            .iter()
            .filter(|x| x.kind.is_none())
            .count(),
        1
    );
    assert!(!r.notes.iter().any(|n| n.code == "encrypted-for-domain"));
}

/// Gateway §5.1 and §6: one encrypted copy per destination domain certificate, the
/// recipients without one in clear — or refused when the policy forbids mixing.
#[test]
fn gateway_outbound_groups_recipients_by_domain_certificate() {
    let gws = certs(&["navy-gw", "hq-gw"]);
    let rcpts: Vec<String> = [
        "bob@navy.example",
        "dave@hq.navy.example",
        "carol@navy.example",
        "zed@other.example",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let copies = gateway_outbound(
        MESSAGE.as_bytes(),
        &rcpts,
        &gws,
        |_| true,
        MixedRecipients::Allow,
        &EncryptOptions::default(),
        &mut SeededRng::new(8),
    )
    .unwrap();
    assert_eq!(copies.len(), 3);
    assert_eq!(
        copies[0].recipients,
        ["bob@navy.example", "carol@navy.example"]
    );
    assert_eq!(copies[0].encrypted_for, ["navy.example"]);
    assert_eq!(copies[1].recipients, ["dave@hq.navy.example"]);
    assert_eq!(copies[1].encrypted_for, ["hq.navy.example"]);
    assert_eq!(copies[2].recipients, ["zed@other.example"]);
    assert!(copies[2].encrypted_for.is_empty());
    let r = mmhs::verify::verify(&copies[1].message, &ctx(&["hq-gw"], &[])).unwrap();
    assert_eq!(r.layers, ["enveloped"]);
    let r = mmhs::verify::verify(&copies[1].message, &ctx(&["navy-gw"], &[])).unwrap();
    assert!(
        r.has_problem("no-decryption-key"),
        "sub.domain's copy is not navy's"
    );

    let err = gateway_outbound(
        MESSAGE.as_bytes(),
        &rcpts,
        &gws,
        |_| true,
        MixedRecipients::Refuse,
        &EncryptOptions::default(),
        &mut SeededRng::new(9),
    )
    .unwrap_err();
    assert_eq!(err.code(), "gateway-mixed-recipients");
}

/// Gateway §5.2: decrypt what is for the gateway and mark it; relay anything else
/// unaltered but for a marker a sender forged; the recipient's report says the content was
/// decrypted by the gateway, and keeps alice's signature verdict.
#[test]
fn gateway_inbound_decrypts_and_marks() {
    let gw = key("navy-gw");
    let msg = encrypt(&signed(), &["navy-gw"]);
    let GatewayInbound::Decrypted(out) = gateway_inbound(&msg, &gw).unwrap() else {
        panic!("not decrypted")
    };
    assert!(out.starts_with(b"SMIME-Gateway-Decrypted: navy.example\r\n"));
    let r = mmhs::verify::verify(&out, &ctx(&[], &[])).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.gateway_decrypted, ["navy.example"]);
    assert!(r.notes.iter().any(|n| n.code == "gateway-decrypted"));
    assert_eq!(r.layers, ["signed"], "no encrypted layer is claimed");

    // A sender's forged marker on a plain message is removed before relaying.
    let forged = format!("SMIME-Gateway-Decrypted: navy.example\r\n{MESSAGE}");
    let GatewayInbound::Relay(relayed) = gateway_inbound(forged.as_bytes(), &gw).unwrap() else {
        panic!("a plain message is relayed")
    };
    let r = mmhs::verify::verify(&relayed, &ctx(&[], &[])).unwrap();
    assert!(r.gateway_decrypted.is_empty());
    assert!(!r.notes.iter().any(|n| n.code == "gateway-decrypted"));
    // …and on an encrypted message for someone else, too.
    let for_bob = format!(
        "SMIME-Gateway-Decrypted: navy.example\r\n{}",
        String::from_utf8(encrypt(&signed(), &["bob"])).unwrap()
    );
    let GatewayInbound::Relay(relayed) = gateway_inbound(for_bob.as_bytes(), &gw).unwrap() else {
        panic!("relayed")
    };
    assert!(!String::from_utf8_lossy(&relayed).contains("SMIME-Gateway-Decrypted"));
    // …and inside the encrypted entity, whose header fields join the outer ones.
    let entity =
        b"SMIME-Gateway-Decrypted: other.example\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
    let der = smime::encrypt_content(
        entity,
        &[cert("navy-gw")],
        &EncryptOptions::default(),
        &mut SeededRng::new(10),
    )
    .unwrap();
    let mut inside = b"From: alice@army.example\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    inside.extend_from_slice(&mmhs::mime::encode::base64_lines(&der));
    let GatewayInbound::Decrypted(out) = gateway_inbound(&inside, &gw).unwrap() else {
        panic!("not decrypted")
    };
    let r = mmhs::verify::verify(&out, &ctx(&[], &[])).unwrap();
    assert_eq!(
        r.gateway_decrypted,
        ["navy.example"],
        "only the gateway's own field"
    );
    // What decrypts to a header section beyond the header reader's limits is not read whole
    // to be marked: refused, as `verify` would refuse it.
    let many: String = (0..10_001).map(|i| format!("X-F{i}: v\r\n")).collect();
    let entity = format!("{many}Content-Type: text/plain\r\n\r\nhi\r\n");
    let der = smime::encrypt_content(
        entity.as_bytes(),
        &[cert("navy-gw")],
        &EncryptOptions::default(),
        &mut SeededRng::new(11),
    )
    .unwrap();
    let mut inside = b"From: alice@army.example\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    inside.extend_from_slice(&mmhs::mime::encode::base64_lines(&der));
    let err = gateway_inbound(&inside, &gw).unwrap_err();
    assert_eq!(err.code(), "header-too-many-fields");
    // A key without a gateway certificate is refused.
    let err = gateway_inbound(&msg, &key("navy-dca")).unwrap_err();
    assert_eq!(err.code(), "agent-naming-invalid");
}

/// OpenSSL decrypts with the DCA's key what a client encrypted for bob and navy's DCA
/// (case (b)), and what the receiving DCA re-encrypted for bob.
#[test]
fn openssl_decrypts_with_the_dca_key() {
    let msg = encrypt(&signed(), &["bob", "navy-dca"]);
    pki().write("to-dca.eml", &msg);
    let out = support::pki::ok(
        &pki().dir,
        &[
            "cms",
            "-decrypt",
            "-in",
            "to-dca.eml",
            "-inkey",
            "navy-dca.key",
            "-recip",
            "navy-dca.pem",
        ],
    );
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("multipart/signed"), "{text}");
    // openssl's output is alice's signed entity: verify it with the CA.
    pki().write("from-dca.eml", &out);
    let verified = support::pki::ok(
        &pki().dir,
        &["cms", "-verify", "-in", "from-dca.eml", "-CAfile", "ca.pem"],
    );
    assert!(String::from_utf8_lossy(&verified).contains("Twelve trucks"));
}
