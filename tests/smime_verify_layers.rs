//! `verify::verify` over every layer kind, with messages made by OpenSSL at test time (throwaway
//! PKI from `support/pki.rs`): triple wrapping (`openssl cms -sign`, `-encrypt`, `-sign`) with
//! RSA and EC recipients, AES-CBC and AES-GCM; compressed layers; header protection (wrapped,
//! `forwarded=no`) with a tampered outer header; ESS label vs SIO-Label; a release officer's
//! outer-only MMHS-Authorizing-Users on a wrapped message.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::io::Write;
use std::sync::OnceLock;

use mmhs::ess::EssSecurityLabel;
use mmhs::keys::PrivateKey;
use mmhs::report::VerifyReport;
use mmhs::rng::danger::SeededRng;
use mmhs::smime::{self, SignOptions};
use mmhs::verify::VerifyContext;
use support::pki::{ok, openssl, Alg, Pki};

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        Pki::new(
            "verify-layers",
            &[
                ("alice", "alice@army.example", Alg::Rsa),
                ("bob", "bob@navy.example", Alg::Rsa),
                ("carol", "carol@navy.example", Alg::Ec),
                ("o1", "o1@army.example", Alg::Rsa),
            ],
        )
    })
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

fn cert(name: &str) -> x509_cert::Certificate {
    mmhs::keys::certificates_from_pem(&pki().read(&format!("{name}.pem")))
        .unwrap()
        .remove(0)
}

fn ctx_with_keys(names: &[&str]) -> VerifyContext {
    let mut ctx = pki().verify_context(now());
    for n in names {
        ctx.decryption_keys.push((
            PrivateKey::from_pem(&pki().read(&format!("{n}.key"))).unwrap(),
            cert(n),
        ));
    }
    ctx
}

fn codes(r: &VerifyReport) -> Vec<&str> {
    r.problems.iter().map(|p| p.code.as_str()).collect()
}

const HEADERS: &str =
    "From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: Convoy movement\r\n";

/// The message OpenSSL signs first: header-protected (wrapped, forwarded=no) — the whole
/// message as message/rfc822 — so the outer header OpenSSL writes can be compared with it.
fn wrapped_entity() -> String {
    format!(
        "Content-Type: message/rfc822; forwarded=no\r\n\r\n{HEADERS}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n"
    )
}

/// `openssl cms -sign` (inner), `-encrypt` to `recip` with `cipher` (RSAES-OAEP for RSA
/// recipients), `-sign` (outer), with
/// the outer From/To/Subject of [`HEADERS`].
fn openssl_triple_wrap(tag: &str, recip: &str, cipher: &str) -> Vec<u8> {
    let p = pki();
    let d = &p.dir;
    p.write(&format!("{tag}-in.eml"), wrapped_entity().as_bytes());
    let sign = |inp: &str, out: &str, headers: bool| {
        let mut args = vec![
            "cms",
            "-sign",
            "-in",
            inp,
            "-out",
            out,
            "-signer",
            "alice.pem",
            "-inkey",
            "alice.key",
            "-md",
            "sha256",
        ];
        if headers {
            args.extend([
                "-from",
                "alice@army.example",
                "-to",
                "bob@navy.example",
                "-subject",
                "Convoy movement",
            ]);
        }
        ok(d, &args);
    };
    sign(&format!("{tag}-in.eml"), &format!("{tag}-s1.eml"), false);
    let recip_pem = format!("{recip}.pem");
    let mut args = vec![
        "cms",
        "-encrypt",
        "-in",
        &format!("{tag}-s1.eml"),
        "-out",
        &format!("{tag}-e.eml"),
        cipher,
        "-recip",
        &recip_pem,
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    // RSAES-OAEP: OpenSSL's default RSA key transport (PKCS#1 v1.5) is weak by the
    // algorithm policy (tests/algorithm_policy.rs). carol is the P-256 (ECDH) recipient.
    if recip != "carol" {
        args.extend(["-keyopt".into(), "rsa_padding_mode:oaep".into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(d, &args);
    sign(&format!("{tag}-e.eml"), &format!("{tag}-t.eml"), true);
    std::fs::read(d.join(format!("{tag}-t.eml"))).unwrap()
}

#[test]
fn openssl_triple_wrapped_unwraps_fully() {
    for (tag, recip, cipher, layer) in [
        ("rsa-cbc", "bob", "-aes-256-cbc", "enveloped"),
        ("rsa-gcm", "bob", "-aes-128-gcm", "authEnveloped"),
        ("ec-cbc", "carol", "-aes-128-cbc", "enveloped"),
    ] {
        let msg = openssl_triple_wrap(tag, recip, cipher);
        let v = mmhs::verify::verify_message(&msg, &ctx_with_keys(&[recip])).unwrap();
        let r = &v.report;
        assert!(r.valid, "{tag}: {:?}", r.problems);
        assert_eq!(r.layers, ["signed", layer, "signed"], "{tag}");
        assert_eq!(r.signatures.len(), 2, "{tag}");
        for s in &r.signatures {
            assert!(s.valid && s.trusted, "{tag}: {s:?}");
            assert_eq!(s.signer, "alice@army.example");
            assert_eq!(s.address_match, Some(true));
        }
        assert_eq!(r.signatures[0].layer, 0);
        assert_eq!(r.signatures[1].layer, 2);
        assert_eq!(r.header_protection.scheme, "wrapped", "{tag}");
        assert_eq!(r.header_protection.forwarded, "no");
        assert!(r.header_protection.mismatches.is_empty(), "{tag}: {r:?}");
        assert_eq!(
            serde_json::to_value(&r.mmhs).unwrap()["subject"],
            "Convoy movement",
            "{tag}: {}",
            serde_json::to_value(&r.mmhs).unwrap()
        );
        let content = String::from_utf8_lossy(&v.content);
        assert!(content.contains("The convoy moves at dawn."), "{content}");
        // The JSON contract.
        let j = serde_json::to_value(r).unwrap();
        assert_eq!(j["layers"][1], layer);
        assert_eq!(j["headerProtection"]["scheme"], "wrapped");
    }
}

#[test]
fn triple_wrapped_without_the_key_names_the_layer() {
    let msg = openssl_triple_wrap("nokey", "bob", "-aes-256-cbc");
    // No key at all.
    let r = mmhs::verify::verify(&msg, &pki().verify_context(now())).unwrap();
    assert!(!r.valid);
    assert_eq!(r.layers, ["signed", "enveloped"]);
    assert!(r.has_problem("no-decryption-key"), "{:?}", r.problems);
    assert!(r
        .problems
        .iter()
        .any(|p| p.message.contains("layer 2 (enveloped)")));
    // A key that is not a recipient.
    let r = mmhs::verify::verify(&msg, &ctx_with_keys(&["carol"])).unwrap();
    assert!(!r.valid);
    assert!(r.has_problem("no-decryption-key"), "{:?}", r.problems);
    // The outer signature is still reported as good.
    assert!(r.signatures[0].valid && r.signatures[0].trusted);
}

#[test]
fn tampered_outer_header_of_a_wrapped_message_is_flagged() {
    let msg = openssl_triple_wrap("tamper", "bob", "-aes-256-cbc");
    let text = String::from_utf8(msg).unwrap();
    assert!(text.contains("Subject: Convoy movement"));
    let tampered = text.replacen("Subject: Convoy movement", "Subject: Convoy cancelled", 1);
    let tampered = tampered.replacen("From: alice@army.example", "From: mallory@army.example", 1);
    let r = mmhs::verify::verify(tampered.as_bytes(), &ctx_with_keys(&["bob"])).unwrap();
    assert!(!r.valid);
    // The signatures themselves are fine: only the unprotected header changed.
    assert!(r.signatures.iter().all(|s| s.valid && s.trusted));
    let fields: Vec<&str> = r
        .header_protection
        .mismatches
        .iter()
        .map(|m| m.field.as_str())
        .collect();
    assert!(fields.contains(&"Subject"), "{fields:?}");
    assert!(fields.contains(&"From"), "{fields:?}");
    let subj = r
        .header_protection
        .mismatches
        .iter()
        .find(|m| m.field == "Subject")
        .unwrap();
    assert_eq!(subj.outer.as_deref(), Some("Convoy cancelled"));
    assert_eq!(subj.inner.as_deref(), Some("Convoy movement"));
    let c = codes(&r);
    assert!(c.contains(&"hp-header-mismatch"), "{c:?}");
    assert!(c.contains(&"hp-from-mismatch"), "{c:?}");
    // The signer is compared with the protected From, which is Alice's.
    assert!(!c.contains(&"signer-address-mismatch"), "{c:?}");
    // The MMHS view shows the protected header.
    assert_eq!(
        serde_json::to_value(&r.mmhs).unwrap()["subject"],
        "Convoy movement"
    );
}

/// A CompressedData ContentInfo of `entity`: `openssl cms -compress` when this OpenSSL has
/// zlib, else ours (OpenSSL builds without zlib refuse -compress: "unsupported compression
/// algorithm"). Either way the result must parse with `openssl asn1parse` as CompressedData
/// with id-alg-zlibCompress.
fn compressed_part(tag: &str, entity: &str) -> String {
    let p = pki();
    p.write(&format!("{tag}-c-in.eml"), entity.as_bytes());
    let out = openssl(
        &p.dir,
        &[
            "cms",
            "-compress",
            "-in",
            &format!("{tag}-c-in.eml"),
            "-out",
            &format!("{tag}-c.eml"),
        ],
    );
    let part = if out.status.success() {
        p.read(&format!("{tag}-c.eml"))
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("unsupported compression"),
            "openssl cms -compress: {err}"
        );
        let der = smime::compress_content(entity.as_bytes()).unwrap();
        p.write(&format!("{tag}-c.der"), &der);
        let dump = String::from_utf8(ok(
            &p.dir,
            &[
                "asn1parse",
                "-inform",
                "DER",
                "-in",
                &format!("{tag}-c.der"),
            ],
        ))
        .unwrap();
        assert!(dump.contains("id-smime-ct-compressedData"), "{dump}");
        assert!(dump.contains("zlib compression"), "{dump}");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        format!(
            "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n"
        )
    };
    part
}

#[test]
fn signed_compressed_message_verifies() {
    let p = pki();
    let part = compressed_part(
        "sc",
        "Content-Type: text/plain; charset=us-ascii\r\n\r\nCompressed convoy orders.\r\n",
    );
    p.write("sc-part.eml", part.as_bytes());
    ok(
        &p.dir,
        &[
            "cms",
            "-sign",
            "-in",
            "sc-part.eml",
            "-out",
            "sc.eml",
            "-signer",
            "alice.pem",
            "-inkey",
            "alice.key",
            "-from",
            "alice@army.example",
            "-to",
            "bob@navy.example",
            "-subject",
            "Compressed",
        ],
    );
    let msg = std::fs::read(p.dir.join("sc.eml")).unwrap();
    let v = mmhs::verify::verify_message(&msg, &pki().verify_context(now())).unwrap();
    assert!(v.report.valid, "{:?}", v.report.problems);
    assert_eq!(v.report.layers, ["signed", "compressed"]);
    assert!(String::from_utf8_lossy(&v.content).contains("Compressed convoy orders."));

    // A decompression limit below the content size is a problem, not a crash.
    let mut ctx = pki().verify_context(now());
    ctx.decompress_limits.max_size = 10;
    let r = mmhs::verify::verify(&msg, &ctx).unwrap();
    assert!(!r.valid);
    assert!(r.has_problem("decompress-limit"), "{:?}", r.problems);
}

#[test]
fn encrypted_compressed_by_us_and_signed_by_openssl() {
    // sign(openssl) → encrypt(ours, compress) : layers signed, enveloped, compressed.
    let p = pki();
    let inner = format!(
        "{HEADERS}MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nSquashed and sealed.\r\n"
    );
    let enc = smime::encrypt_message(
        inner.as_bytes(),
        &[cert("bob"), cert("alice")],
        &smime::EncryptOptions {
            compress: true,
            ..Default::default()
        },
        &mut SeededRng::new(3),
    )
    .unwrap();
    p.write("ec-part.eml", &enc);
    ok(
        &p.dir,
        &[
            "cms",
            "-sign",
            "-in",
            "ec-part.eml",
            "-out",
            "ec.eml",
            "-signer",
            "alice.pem",
            "-inkey",
            "alice.key",
            "-from",
            "alice@army.example",
            "-to",
            "bob@navy.example",
            "-subject",
            "Convoy movement",
        ],
    );
    let msg = std::fs::read(p.dir.join("ec.eml")).unwrap();
    let v = mmhs::verify::verify_message(&msg, &ctx_with_keys(&["bob"])).unwrap();
    assert!(v.report.valid, "{:?}", v.report.problems);
    assert_eq!(v.report.layers, ["signed", "enveloped", "compressed"]);
    assert!(String::from_utf8_lossy(&v.content).contains("Squashed and sealed."));
}

#[test]
fn gzip_and_zlib_bodies_rfc6713() {
    use flate2::write::{GzEncoder, ZlibEncoder};
    let entity = b"Content-Type: text/plain\r\n\r\nInflated text.\r\n";
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(entity).unwrap();
    let gz = gz.finish().unwrap();
    let mut zl = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zl.write_all(entity).unwrap();
    let zl = zl.finish().unwrap();
    for (media, data) in [("application/gzip", gz), ("application/zlib", zl)] {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
        let msg = format!(
            "{HEADERS}MIME-Version: 1.0\r\nContent-Type: {media}\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n"
        );
        let signed = smime::sign_message(
            msg.as_bytes(),
            &pki().signer("alice"),
            &SignOptions {
                signing_time: Some(now()),
                ..Default::default()
            },
            &mut SeededRng::new(5),
        )
        .unwrap();
        let v = mmhs::verify::verify_message(&signed, &pki().verify_context(now())).unwrap();
        assert!(v.report.valid, "{media}: {:?}", v.report.problems);
        assert_eq!(v.report.layers, ["signed", "compressed"], "{media}");
        assert!(String::from_utf8_lossy(&v.content).contains("Inflated text."));
    }
}

fn label(classification: u16) -> EssSecurityLabel {
    let mut l = EssSecurityLabel::new("1.3.6.1.4.1.22112.1.1", Some(classification));
    l.privacy_mark = Some("NATO CONFIDENTIAL".into());
    l
}

fn labelled(sio_classification: u16, ess_classification: u16) -> Vec<u8> {
    let sio = label(sio_classification).to_base64().unwrap();
    let msg = format!(
        "{HEADERS}SIO-Label: marking=\"NATO CONFIDENTIAL\"; type=\":ess\"; label=\"{sio}\"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nLabelled.\r\n"
    );
    smime::sign_message(
        msg.as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            security_label: Some(label(ess_classification)),
            ..Default::default()
        },
        &mut SeededRng::new(9),
    )
    .unwrap()
}

#[test]
fn ess_label_against_sio_label() {
    // Agreeing labels: valid, and OpenSSL verifies the signature carrying the ESS label.
    let good = labelled(3, 3);
    let r = mmhs::verify::verify(&good, &pki().verify_context(now())).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.security_label.as_ref().unwrap().classification, Some(3));
    assert_eq!(
        serde_json::to_value(&r.mmhs).unwrap()["sioLabel"]["ess"]["classification"],
        3,
        "{}",
        serde_json::to_value(&r.mmhs).unwrap()
    );
    pki().write("label-good.eml", &good);
    ok(
        &pki().dir,
        &[
            "cms",
            "-verify",
            "-in",
            "label-good.eml",
            "-CAfile",
            "ca.pem",
            "-out",
            "label-good.out",
        ],
    );
    // SIO-Label says SECRET (4), the signed label CONFIDENTIAL (3).
    let bad = labelled(4, 3);
    let r = mmhs::verify::verify(&bad, &pki().verify_context(now())).unwrap();
    assert!(!r.valid);
    assert!(r.signatures[0].valid && r.signatures[0].trusted);
    assert!(r.has_problem("sio-label-mismatch"), "{:?}", r.problems);
}

const DRAFT: &str = "From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: Convoy movement\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <wrapped-1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMMHS-Copy-Precedence: 1 (routine)\r\nMMHS-Extended-Authorisation-Info: Mon, 23 Nov 2026 12:00:00 +0000\r\nMT-Priority: 4\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";

fn signed_wrapped_draft() -> Vec<u8> {
    let wrapped = mmhs::protect::wrap(DRAFT.as_bytes()).unwrap();
    smime::sign_message(
        &wrapped,
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..Default::default()
        },
        &mut SeededRng::new(13),
    )
    .unwrap()
}

#[test]
fn released_wrapped_message_outer_only_authorizing_users() {
    use mmhs::release::{self, Decision, Outcome, ReleasePolicy, ReleaseRequest};
    let draft = signed_wrapped_draft();
    let r = mmhs::verify::verify(&draft, &pki().verify_context(now())).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.header_protection.scheme, "wrapped");
    assert_eq!(
        serde_json::to_value(&r.mmhs).unwrap()["primaryPrecedence"]["value"],
        4,
        "{}",
        serde_json::to_value(&r.mmhs).unwrap()
    );

    // The officer countersigns and adds MMHS-Authorizing-Users outside the signature.
    let ctx = pki().verify_context(now());
    let policy = ReleasePolicy {
        officers: vec!["o1@army.example".into()],
        require_release: vec!["*@army.example".into()],
        ..ReleasePolicy::default()
    };
    let signer = pki().signer("o1");
    let released = release::release(
        &ReleaseRequest {
            raw: &draft,
            officer: &signer,
            verify: &ctx,
            policy: &policy,
            decision: Decision::Approve,
            envelope: None,
            now: now(),
        },
        &mut SeededRng::new(17),
    )
    .unwrap();
    assert_eq!(
        released.outcome,
        Outcome::Released,
        "{:?}",
        released.problems
    );
    let r = mmhs::verify::verify(&released.message, &ctx).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert!(r.header_protection.mismatches.is_empty(), "{r:?}");
    assert_eq!(r.authorizing_users.len(), 1);
    assert_eq!(r.authorizing_users[0].address, "o1@army.example");
    assert_eq!(r.authorizing_users[0].status, "countersigned");
    assert!(r
        .notes
        .iter()
        .any(|n| n.code == "authorizing-users-outer-only"));
    // The countersignature protects the outer-only listing.
    assert!(r
        .field_coverage
        .iter()
        .any(|c| c.field.eq_ignore_ascii_case("MMHS-Authorizing-Users") && c.covered));
    // Verifying again gives the same report.
    let r2 = mmhs::verify::verify(&released.message, &ctx).unwrap();
    assert_eq!(r2, r);

    // A forged outer listing (no countersignature): a mismatch and not countersigned.
    let forged = release::set_authorizing_users(&draft, &["o1@army.example".into()]).unwrap();
    let r = mmhs::verify::verify(&forged, &ctx).unwrap();
    assert!(!r.valid);
    assert_eq!(r.authorizing_users[0].status, "notCountersigned");
    assert!(r.has_problem("authorizing-user-not-countersigned"));
    assert!(r
        .header_protection
        .mismatches
        .iter()
        .any(|m| m.field.eq_ignore_ascii_case("MMHS-Authorizing-Users")));
    assert!(!r
        .notes
        .iter()
        .any(|n| n.code == "authorizing-users-outer-only"));
    // The forged listing is not covered; the protected precedence is.
    let coverage = |r: &mmhs::report::VerifyReport, f: &str| {
        r.field_coverage
            .iter()
            .find(|c| c.field.eq_ignore_ascii_case(f))
            .map(|c| c.covered)
    };
    assert_eq!(coverage(&r, "MMHS-Authorizing-Users"), Some(false));
    assert!(r.notes.iter().any(|n| n.code == "field-not-covered"));
}

#[test]
fn originator_is_sender_when_authorizing_users_are_present() {
    // From: the authorizing officer; Sender: the drafter who signed (profile §3.4.29).
    let msg = "From: o1@army.example\r\nSender: alice@army.example\r\nMMHS-Authorizing-Users: o1@army.example\r\nTo: bob@navy.example\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nx\r\n";
    let signed = smime::sign_message(
        msg.as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..Default::default()
        },
        &mut SeededRng::new(19),
    )
    .unwrap();
    let r = mmhs::verify::verify(&signed, &pki().verify_context(now())).unwrap();
    assert_eq!(
        r.signatures[0].address_match,
        Some(true),
        "{:?}",
        r.problems
    );
    // o1 is listed but did not countersign.
    assert_eq!(r.authorizing_users[0].status, "notCountersigned");
    assert!(!r.valid);
    // Signed by the officer instead: not the originator.
    let signed = smime::sign_message(
        msg.as_bytes(),
        &pki().signer("o1"),
        &SignOptions {
            signing_time: Some(now()),
            ..Default::default()
        },
        &mut SeededRng::new(19),
    )
    .unwrap();
    let r = mmhs::verify::verify(&signed, &pki().verify_context(now())).unwrap();
    assert_eq!(r.signatures[0].address_match, Some(false));
    assert!(r.has_problem("signer-address-mismatch"));
}

/// The draft injected form (`protected-headers="v1"`), signed; `outer` is the header section
/// outside the signature.
fn v1_message(outer: &str, extra_inner: &str) -> Vec<u8> {
    let entity = format!(
        "Content-Type: text/plain; charset=us-ascii; protected-headers=\"v1\"\r\nFrom: alice@army.example\r\nTo: bob@navy.example\r\nSubject: Convoy movement\r\nMessage-ID: <v1@army.example>\r\n{extra_inner}\r\nThe convoy moves at dawn.\r\n"
    );
    let signed = smime::sign_entity(
        entity.as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..Default::default()
        },
        &mut SeededRng::new(23),
    )
    .unwrap();
    let mut m = format!("{outer}MIME-Version: 1.0\r\n").into_bytes();
    m.extend_from_slice(&signed);
    m
}

#[test]
fn injected_v1_headers_hp_removed_and_mismatch() {
    let ctx = pki().verify_context(now());
    let same = format!("{HEADERS}Message-ID: <v1@army.example>\r\n");
    let r = mmhs::verify::verify(&v1_message(&same, ""), &ctx).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.header_protection.scheme, "injected");
    assert_eq!(r.header_protection.forwarded, "absent");
    assert!(r.header_protection.mismatches.is_empty());
    assert_eq!(
        serde_json::to_value(&r.mmhs).unwrap()["messageId"],
        "v1@army.example",
        "{}",
        serde_json::to_value(&r.mmhs).unwrap()
    );

    // HP-Removed explains a field missing outside.
    let r = mmhs::verify::verify(&v1_message(HEADERS, "HP-Removed: Message-ID\r\n"), &ctx).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert!(r.header_protection.mismatches.is_empty());

    // Not declared: the same missing field is a mismatch.
    let r = mmhs::verify::verify(&v1_message(HEADERS, ""), &ctx).unwrap();
    assert!(!r.valid);
    assert!(r.has_problem("hp-header-mismatch"), "{:?}", r.problems);
    let m = &r.header_protection.mismatches[0];
    assert_eq!(m.field, "Message-ID");
    assert_eq!(m.outer, None);

    // HP-Obscured declares the outer Subject; another outer Subject is a mismatch.
    let obscured = "HP-Obscured: Subject: [...]\r\n";
    let outer = "From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: [...]\r\nMessage-ID: <v1@army.example>\r\n";
    let r = mmhs::verify::verify(&v1_message(outer, obscured), &ctx).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    let tampered = outer.replace("[...]", "Convoy cancelled");
    let r = mmhs::verify::verify(&v1_message(&tampered, obscured), &ctx).unwrap();
    assert!(!r.valid);
    assert_eq!(r.header_protection.mismatches[0].field, "Subject");
}

/// The base64 body of an OpenSSL S/MIME part, decoded.
fn smime_body(part: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let text = String::from_utf8_lossy(part);
    let (_, body) = text
        .split_once("\n\n")
        .or_else(|| text.split_once("\r\n\r\n"))
        .unwrap();
    let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .unwrap()
}

fn smime_part(smime_type: &str, der: &[u8]) -> Vec<u8> {
    use base64::Engine;
    format!(
        "{HEADERS}MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
    .into_bytes()
}

#[test]
fn modified_ciphertext_is_a_decrypt_problem() {
    openssl_triple_wrap("mod", "bob", "-aes-128-gcm");
    let der = smime_body(&std::fs::read(pki().dir.join("mod-e.eml")).unwrap());
    // Untouched: the inner signed layer verifies (no outer signature here).
    let r = mmhs::verify::verify(
        &smime_part("authEnveloped-data", &der),
        &ctx_with_keys(&["bob"]),
    )
    .unwrap();
    assert_eq!(r.layers, ["authEnveloped", "signed"]);
    assert!(r.valid, "{:?}", r.problems);
    // The GCM tag (last octets of the AuthEnvelopedData) modified.
    let mut bad = der.clone();
    if let Some(b) = bad.last_mut() {
        *b ^= 1;
    }
    let r = mmhs::verify::verify(
        &smime_part("authEnveloped-data", &bad),
        &ctx_with_keys(&["bob"]),
    )
    .unwrap();
    assert!(!r.valid);
    assert_eq!(r.layers, ["authEnveloped"]);
    assert!(r.has_problem("decrypt-auth-failed"), "{:?}", r.problems);
}

#[test]
fn truncated_and_corrupted_messages_never_panic() {
    let msg = openssl_triple_wrap("trunc", "bob", "-aes-256-cbc");
    let ctx = ctx_with_keys(&["bob"]);
    let step = (msg.len() / 60).max(1);
    for n in (1..msg.len()).step_by(step) {
        if let Ok(r) = mmhs::verify::verify(&msg[..n], &ctx) {
            assert!(!r.valid, "truncated at {n} is not valid");
        }
        let mut m = msg.clone();
        if let Some(b) = m.get_mut(n) {
            *b = b.wrapping_add(1);
        }
        let _ = mmhs::verify::verify(&m, &ctx);
    }
}

#[test]
fn non_ascii_header_field_names_never_panic() {
    // RFC 5322 §3.6.8 allows printable US-ASCII field names only; a malformed name with a
    // multi-byte character across its eighth octet must be an ordinary (non-MIME) field to
    // sign, encrypt, decrypt and verify — never a panic (in wasm a panic kills the module).
    let msg = "From: alice@army.example\r\nContenté-Foo: 1\r\nXéééé: 2\r\nTo: bob@navy.example\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
    let signed = smime::sign_message(
        msg.as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..Default::default()
        },
        &mut SeededRng::new(31),
    )
    .unwrap();
    let r = mmhs::verify::verify(&signed, &pki().verify_context(now())).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    let enc = smime::encrypt_message(
        &signed,
        &[cert("bob")],
        &smime::EncryptOptions::default(),
        &mut SeededRng::new(32),
    )
    .unwrap();
    let key = PrivateKey::from_pem(&pki().read("bob.key")).unwrap();
    let dec = smime::decrypt_message(&enc, &key, &cert("bob")).unwrap();
    assert!(String::from_utf8_lossy(&dec).contains("Contenté-Foo: 1"));
    let r = mmhs::verify::verify(&enc, &ctx_with_keys(&["bob"])).unwrap();
    assert!(r.valid, "{:?}", r.problems);
}

#[test]
fn header_sections_beyond_the_reader_limits_are_refused_not_read() {
    // Read whole, a header section of one-line fields takes many times its octets (each
    // field's name, span and unfolded value): 39 MB of them took 0.9 GB. Every header section
    // the walk reads is read within the header reader's limits (10 000 fields, 1 MiB).
    use mmhs::error::Coded;
    let sign = |msg: &[u8], seed| {
        smime::sign_message(
            msg,
            &pki().signer("alice"),
            &SignOptions {
                signing_time: Some(now()),
                ..Default::default()
            },
            &mut SeededRng::new(seed),
        )
        .unwrap()
    };
    let ctx = pki().verify_context(now());
    let many = |prefix: &str, n: usize| -> String {
        (0..n).map(|i| format!("{prefix}{i}: v\r\n")).collect()
    };
    let plain = format!("{HEADERS}MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi\r\n");
    let signed = sign(plain.as_bytes(), 41);
    assert!(mmhs::verify::verify(&signed, &ctx).unwrap().valid);

    // The outer header: fields added on the path.
    let err = |m: &[u8]| mmhs::verify::verify(m, &ctx).unwrap_err().code();
    let outer = [many("X-F", 10_001).as_bytes(), &signed].concat();
    assert_eq!(err(&outer), "header-too-many-fields");
    let long = format!("X-Long: {}\r\n", "a".repeat(1024 * 1024));
    let outer = [long.as_bytes(), &signed].concat();
    assert_eq!(err(&outer), "header-too-large");
    // At the limit it is read (and, unsigned, the added fields are simply not covered).
    let outer = [many("X-F", 9_000).as_bytes(), &signed].concat();
    let r = mmhs::verify::verify(&outer, &ctx).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(
        r.field_coverage.iter().filter(|f| !f.covered).count(),
        9_000 + 3,
        "each added field and the unprotected From, To, Subject"
    );

    // An encrypted message's outer header, for decryption alike.
    let enc = smime::encrypt_message(
        &signed,
        &[cert("bob")],
        &smime::EncryptOptions::default(),
        &mut SeededRng::new(44),
    )
    .unwrap();
    let key = PrivateKey::from_pem(&pki().read("bob.key")).unwrap();
    let enc_many = [many("X-F", 10_001).as_bytes(), &enc].concat();
    let e = smime::decrypt_message(&enc_many, &key, &cert("bob")).unwrap_err();
    assert_eq!(e.code(), "header-too-many-fields");
    assert!(smime::decrypt_message(&enc, &key, &cert("bob")).is_ok());

    // A signed layer's entity (its Content-* fields are the signer's).
    let entity = format!(
        "{HEADERS}MIME-Version: 1.0\r\nContent-Type: text/plain\r\n{}\r\nhi\r\n",
        many("Content-X", 10_001)
    );
    let signed_many = sign(entity.as_bytes(), 42);
    assert_eq!(err(&signed_many), "header-too-many-fields");

    // The protected header of a wrapped message: header protection cannot read it (a
    // problem), the view shows nothing of it, and the message is not valid.
    let wrapped = format!(
        "{HEADERS}MIME-Version: 1.0\r\nContent-Type: message/rfc822; forwarded=no\r\n\r\n{HEADERS}{}Content-Type: text/plain\r\n\r\nhi\r\n",
        many("X-F", 10_001)
    );
    let r = mmhs::verify::verify(&sign(wrapped.as_bytes(), 43), &ctx).unwrap();
    assert!(!r.valid);
    assert!(r.signatures[0].valid && r.signatures[0].trusted);
    assert!(r.has_problem("hp-unreadable"), "{:?}", r.problems);
    assert!(r.field_coverage.len() < 100, "{}", r.field_coverage.len());
}
