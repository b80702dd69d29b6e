//! OpenSSL interop for signing, both directions, with a throwaway PKI made by the openssl CLI
//! at test time (no private key is committed): `openssl cms -verify` accepts what we produce
//! (RSA PKCS#1 v1.5 and PSS, ECDSA P-256; detached and opaque; SKI; no certificates; ESS
//! label, signature type; countersignature) and we verify what `openssl cms -sign` produces
//! (detached, `-nodetach`, `-binary`, DER, EC), with tampering and wrong keys failing with
//! the right problem code.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::OnceLock;

use mmhs::mmhs::ess_label::EssSecurityLabel;
use mmhs::report::VerifyReport;
use mmhs::smime::{self, RsaPadding, SignOptions, SignatureType, Signer};
use mmhs::verify::VerifyContext;

use crate::support::interop::cms_verify;
use crate::support::pki::{ok, openssl, Alg, Pki};

/// The PKI of these tests (`support::pki`): alice, bob (P-256) and rel sign; mallory has a
/// certificate of the same CA with alice's address and serial number.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let pki = Pki::new("sign-pki", &[]);
        for (name, alg, email, serial) in [
            ("alice", Alg::Rsa, "alice@army.example", 1001),
            ("bob", Alg::Ec, "bob@army.example", 1002),
            ("rel", Alg::Rsa, "releaser@army.example", 1003),
            ("mallory", Alg::Rsa, "alice@army.example", 1001),
        ] {
            let ext = format!("basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:{email}\n");
            pki.issue_ext(name, alg, ("ca.pem", "ca.key"), serial, &ext);
        }
        let dir = &pki.dir;
        std::fs::write(
            dir.join("msg.eml"),
            "From: Alice <alice@army.example>\r\nTo: bob@army.example\r\nSubject: interop\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <1@army.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello from the core.\r\nSecond line.\r\n",
        )
        .unwrap();
        std::fs::write(dir.join("content.txt"), "Content-Type: text/plain\r\n\r\nHello from OpenSSL.\r\n").unwrap();
        pki
    })
}

fn read(p: &Pki, f: &str) -> String {
    std::fs::read_to_string(p.dir.join(f)).unwrap()
}

fn signer(p: &Pki, name: &str) -> Signer {
    Signer::from_pem(
        &read(p, &format!("{name}.key")),
        &read(p, &format!("{name}.pem")),
        None,
    )
    .unwrap()
}

fn at() -> time::OffsetDateTime {
    time::macros::datetime!(2026-11-23 12:00:00 UTC)
}

/// `openssl cms -verify` on a file we wrote; returns (success, stdout content, stderr).
fn openssl_verify(p: &Pki, file: &str, extra: &[&str]) -> (bool, Vec<u8>, String) {
    cms_verify(
        &p.dir,
        file,
        "ca.pem",
        &[&["-purpose", "any"], extra].concat(),
    )
}

fn write(p: &Pki, name: &str, data: &[u8]) -> String {
    std::fs::write(p.dir.join(name), data).unwrap();
    name.to_string()
}

fn ours(p: &Pki, name: &str, opts: &SignOptions) -> Vec<u8> {
    let msg = std::fs::read(p.dir.join("msg.eml")).unwrap();
    smime::sign_message(&msg, &signer(p, name), opts, &mut mmhs::rng::system_rng()).unwrap()
}

fn assert_openssl_accepts(p: &Pki, file: &str, signed: &[u8], extra: &[&str]) {
    write(p, file, signed);
    let (okay, content, err) = openssl_verify(p, file, extra);
    assert!(okay, "openssl rejected {file}: {err}");
    let text = String::from_utf8_lossy(&content);
    assert!(
        text.contains("Hello from the core."),
        "{file}: content {text}"
    );
}

#[test]
fn openssl_verifies_rsa_detached_and_opaque() {
    let p = pki();
    let mut o = SignOptions {
        signing_time: Some(at()),
        ..Default::default()
    };
    let signed = ours(p, "alice", &o);
    let text = String::from_utf8_lossy(&signed);
    assert!(text.contains("micalg=sha-256"));
    assert!(text.starts_with("From: Alice <alice@army.example>\r\n"));
    assert_openssl_accepts(p, "rsa-detached.eml", &signed, &[]);
    o.detached = false;
    assert_openssl_accepts(p, "rsa-opaque.eml", &ours(p, "alice", &o), &[]);
}

#[test]
fn openssl_verifies_rsa_pss_sha384_and_sha512() {
    let p = pki();
    for (i, d) in [
        smime::DigestAlg::Sha256,
        smime::DigestAlg::Sha384,
        smime::DigestAlg::Sha512,
    ]
    .into_iter()
    .enumerate()
    {
        let o = SignOptions {
            rsa_padding: RsaPadding::Pss,
            digest: d,
            detached: i % 2 == 0,
            ..Default::default()
        };
        assert_openssl_accepts(p, &format!("rsa-pss-{i}.eml"), &ours(p, "alice", &o), &[]);
    }
}

#[test]
fn openssl_verifies_ecdsa_p256() {
    let p = pki();
    let o = SignOptions::default();
    assert_openssl_accepts(p, "ec-detached.eml", &ours(p, "bob", &o), &[]);
    let o = SignOptions {
        detached: false,
        digest: smime::DigestAlg::Sha384,
        ..Default::default()
    };
    assert_openssl_accepts(p, "ec-opaque.eml", &ours(p, "bob", &o), &[]);
}

#[test]
fn openssl_verifies_ski_no_certs_label_and_signature_type() {
    let p = pki();
    let o = SignOptions {
        use_ski: true,
        include_certs: false,
        signing_time: Some(at()),
        security_label: Some({
            let mut l = EssSecurityLabel::new("1.3.6.1.4.1.22112.1.1", Some(3));
            l.privacy_mark = Some("NATO CONFIDENTIAL".into());
            l
        }),
        signature_type: vec![SignatureType::Originator],
        ..Default::default()
    };
    let signed = ours(p, "alice", &o);
    assert_openssl_accepts(p, "ski-nocerts.eml", &signed, &["-certfile", "alice.pem"]);
    // The label and the signature type attribute are visible to OpenSSL.
    let out = openssl(
        &p.dir,
        &["cms", "-cmsout", "-print", "-in", "ski-nocerts.eml"],
    );
    let dump = String::from_utf8_lossy(&out.stdout);
    assert!(dump.contains("id-smime-aa-securityLabel"), "{dump}");
    assert!(
        dump.contains("id-smime-aa-signatureType") || dump.contains("1.2.840.113549.1.9.16.2.28"),
        "{dump}"
    );
    // And we read it back.
    let ctx = VerifyContext {
        certificates: smime::signed_build::parse_certificates_pem(&read(p, "alice.pem")).unwrap(),
        ..Default::default()
    };
    let r = mmhs::verify::verify(&signed, &ctx).unwrap();
    assert!(r.signatures[0].valid, "{:?}", r.problems);
    assert_eq!(r.signatures[0].address_match, Some(true));
    assert_eq!(r.signatures[0].signature_type, "originator");
    assert_eq!(r.security_label.as_ref().unwrap().classification, Some(3));
}

#[test]
fn openssl_verifies_countersigned_message_and_we_verify_the_countersignature() {
    let p = pki();
    for detached in [true, false] {
        let o = SignOptions {
            detached,
            signing_time: Some(at()),
            ..Default::default()
        };
        let signed = ours(p, "alice", &o);
        let cs = smime::countersign_message(
            &signed,
            0,
            &signer(p, "rel"),
            at(),
            &mut mmhs::rng::system_rng(),
        )
        .unwrap();
        // Everything the original signature covers is unchanged.
        if detached {
            let b = "This is a cryptographically signed message";
            let first = |m: &[u8]| {
                let s = String::from_utf8_lossy(m).into_owned();
                let i = s.find(b).unwrap();
                let j = s.find("application/pkcs7-signature; name").unwrap();
                s[i..j].to_string()
            };
            assert_eq!(first(&signed), first(&cs));
        }
        let name = format!("countersigned-{detached}.eml");
        assert_openssl_accepts(p, &name, &cs, &[]);
        let out = openssl(&p.dir, &["cms", "-cmsout", "-print", "-in", &name]);
        let dump = String::from_utf8_lossy(&out.stdout);
        assert!(
            dump.contains("pkcs9_countersignature") || dump.contains("countersignature"),
            "{dump}"
        );
        let r = mmhs::verify::verify(&cs, &VerifyContext::default()).unwrap();
        let s = &r.signatures[0];
        assert!(s.valid, "{:?}", s.problems);
        assert_eq!(s.countersignatures.len(), 1);
        assert!(
            s.countersignatures[0].valid,
            "{:?}",
            s.countersignatures[0].problems
        );
        assert_eq!(s.countersignatures[0].signer, "releaser@army.example");
        // A second countersignature on top.
        let cs2 = smime::countersign_message(
            &cs,
            0,
            &signer(p, "bob"),
            at(),
            &mut mmhs::rng::system_rng(),
        )
        .unwrap();
        let r = mmhs::verify::verify(&cs2, &VerifyContext::default()).unwrap();
        assert_eq!(r.signatures[0].countersignatures.len(), 2);
        assert!(r.signatures[0].countersignatures.iter().all(|c| c.valid));
        assert_openssl_accepts(p, &format!("countersigned2-{detached}.eml"), &cs2, &[]);
    }
    // Bad index.
    let signed = ours(p, "alice", &SignOptions::default());
    let e = smime::countersign_message(
        &signed,
        3,
        &signer(p, "rel"),
        at(),
        &mut mmhs::rng::system_rng(),
    )
    .unwrap_err();
    assert_eq!(mmhs::error::Coded::code(&e), "signer-index-invalid");
}

fn openssl_sign(p: &Pki, out: &str, extra: &[&str], signer_name: &str) -> Vec<u8> {
    let cert = format!("{signer_name}.pem");
    let key = format!("{signer_name}.key");
    let mut args = vec![
        "cms",
        "-sign",
        "-in",
        "content.txt",
        "-signer",
        &cert,
        "-inkey",
        &key,
        "-out",
        out,
        "-from",
        "Alice <alice@army.example>",
        "-to",
        "bob@army.example",
        "-subject",
        "from openssl",
    ];
    args.extend_from_slice(extra);
    ok(&p.dir, &args);
    std::fs::read(p.dir.join(out)).unwrap()
}

fn verify_ok(raw: &[u8]) -> VerifyReport {
    let r = mmhs::verify::verify(raw, &VerifyContext::default()).unwrap();
    assert_eq!(r.signatures.len(), 1, "{:?}", r.problems);
    assert!(r.signatures[0].valid, "{:?}", r.signatures[0].problems);
    r
}

#[test]
fn we_verify_openssl_detached_nodetach_binary() {
    let p = pki();
    for (name, extra) in [
        ("o-detached.eml", vec![]),
        ("o-nodetach.eml", vec!["-nodetach"]),
        ("o-binary.eml", vec!["-binary"]),
        ("o-binary-nodetach.eml", vec!["-binary", "-nodetach"]),
        ("o-pss.eml", vec!["-keyopt", "rsa_padding_mode:pss"]),
    ] {
        let raw = openssl_sign(p, name, &extra, "alice");
        let r = verify_ok(&raw);
        assert_eq!(r.signatures[0].address_match, Some(true), "{name}");
        assert_eq!(r.signatures[0].signer, "alice@army.example");
        let v = mmhs::verify::verify_message(&raw, &VerifyContext::default()).unwrap();
        assert!(
            String::from_utf8_lossy(&v.content).contains("Hello from OpenSSL."),
            "{name}"
        );
    }
    let raw = openssl_sign(p, "o-ec.eml", &[], "bob");
    let r = verify_ok(&raw);
    // bob signed a message From alice: flagged.
    assert!(r.has_problem("signer-address-mismatch"));
    let raw = openssl_sign(p, "o-ec-opaque.eml", &["-nodetach", "-md", "sha512"], "bob");
    verify_ok(&raw);
}

#[test]
fn we_verify_openssl_der_and_ber() {
    let p = pki();
    let der = openssl_sign(
        p,
        "o.der",
        &["-nodetach", "-outform", "DER", "-binary"],
        "alice",
    );
    let v = mmhs::verify::verify_cms(&der, None, &VerifyContext::default());
    assert!(v.report.signatures[0].valid, "{:?}", v.report.problems);
    // -stream makes OpenSSL write indefinite-length BER with chunked content.
    let ber = openssl_sign(
        p,
        "o.ber",
        &["-nodetach", "-outform", "DER", "-binary", "-stream"],
        "alice",
    );
    assert_ne!(ber, der);
    let vb = mmhs::verify::verify_cms(&ber, None, &VerifyContext::default());
    assert!(vb.report.signatures[0].valid, "{:?}", vb.report.problems);
    assert_eq!(vb.content, v.content);
    // And countersigning a BER SignedData re-encodes it to DER, still verifiable by OpenSSL.
    let cs = smime::countersign_der(
        &ber,
        0,
        &signer(p, "rel"),
        &SignOptions {
            signing_time: Some(at()),
            ..Default::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    write(p, "cs-from-ber.der", &cs);
    let out = openssl(
        &p.dir,
        &[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            "cs-from-ber.der",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-binary",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tampered_and_wrong_key_fail_with_codes() {
    let p = pki();
    // Tampered body of an OpenSSL detached signature.
    let raw = openssl_sign(p, "t-detached.eml", &[], "alice");
    let t = String::from_utf8_lossy(&raw).replacen("Hello from OpenSSL.", "Hello from 0penSSL.", 1);
    let r = mmhs::verify::verify(t.as_bytes(), &VerifyContext::default()).unwrap();
    assert!(!r.signatures[0].valid);
    assert!(r.has_problem("message-digest-mismatch"), "{:?}", r.problems);
    // Tampered body of our own opaque signature: flip one character inside the base64.
    let ours_raw = ours(
        p,
        "alice",
        &SignOptions {
            detached: false,
            ..Default::default()
        },
    );
    let v = mmhs::verify::verify_message(&ours_raw, &VerifyContext::default()).unwrap();
    assert!(v.report.signatures[0].valid);
    // Wrong key: mallory's certificate has alice's issuer and serial; a message without
    // certificates then names mallory's key, which did not sign.
    let raw = openssl_sign(p, "t-nocerts.eml", &["-nocerts"], "alice");
    let mallory = smime::signed_build::parse_certificates_pem(&read(p, "mallory.pem")).unwrap();
    let r = mmhs::verify::verify(
        &raw,
        &VerifyContext {
            certificates: mallory,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!r.signatures[0].valid);
    assert!(r.has_problem("signature-invalid"), "{:?}", r.problems);
    // No certificate at all.
    let r = mmhs::verify::verify(&raw, &VerifyContext::default()).unwrap();
    assert!(r.has_problem("signer-cert-not-found"), "{:?}", r.problems);
    // A key that does not match the certificate is refused when signing.
    let e = Signer::from_pem(&read(p, "bob.key"), &read(p, "alice.pem"), None).unwrap_err();
    assert_eq!(mmhs::error::Coded::code(&e), "signer-key-invalid");
}
