//! The algorithm policy (`mmhs::algorithm_policy`, docs/security.md "Algorithm policy") on
//! messages made at test time with the OpenSSL CLI on a throwaway PKI: a 1024-bit RSA signer,
//! a SHA-1 signature, a SHA-1-signed intermediate CA, 3DES content encryption with PKCS#1 v1.5
//! key transport. Each is reported; by default (strict) the verdict is not valid, with
//! `--allow-weak` / `AlgorithmPolicy::legacy` it is decided by everything else and the
//! weakness is the note `weak-algorithm-accepted`. Our producers refuse every weak choice.
//! The core (`verify`) and the CLI (`mmhs verify`) are checked on the same messages.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use mmhs::algorithm_policy::AlgorithmPolicy;
use mmhs::keys::PrivateKey;
use mmhs::report::VerifyReport;
use mmhs::verify::VerifyContext;
use support::cli::{has_code, mmhs_verify};
use support::pki::{ok, Alg, Pki};

const ALICE: &str = "alice@army.example";
const WEAK: &str = "weak@army.example";
const DAVE: &str = "dave@army.example";
const BOB: &str = "bob@navy.example";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let p = Pki::new(
            "algorithm-policy",
            &[
                ("alice", ALICE, Alg::Rsa),
                ("weak", WEAK, Alg::Rsa1024),
                ("bob", BOB, Alg::Rsa),
            ],
        );
        // An intermediate CA whose certificate the (RSA) root signed with SHA-1, and dave
        // under it (P-256, his own signatures SHA-256).
        p.intermediate_with_digest(
            "sha1ca",
            "SHA-1 CA",
            ("ca.pem", "ca.key"),
            9001,
            "sha1ca",
            "-sha1",
        );
        p.issue("dave", DAVE, Alg::Ec, ("sha1ca.pem", "sha1ca.key"), 9002);
        p.write(
            "body.txt",
            b"Content-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n",
        );
        p
    })
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

/// `openssl cms -sign` of body.txt by `name` (address `from`) with digest `md`, the extra
/// certificates `certfile` included; From / To / Subject added by OpenSSL.
fn openssl_signed(out: &str, name: &str, from: &str, md: &str, certfile: Option<&str>) -> Vec<u8> {
    let p = pki();
    let (signer, key) = (format!("{name}.pem"), format!("{name}.key"));
    let mut args = vec![
        "cms", "-sign", "-in", "body.txt", "-out", out, "-signer", &signer, "-inkey", &key, "-md",
        md, "-from", from, "-to", BOB, "-subject", "Convoy",
    ];
    if let Some(c) = certfile {
        args.extend(["-certfile", c]);
    }
    ok(&p.dir, &args);
    std::fs::read(p.dir.join(out)).unwrap()
}

/// `openssl cms -encrypt` of `input` (a file of the PKI directory) to bob with `opts`.
fn openssl_encrypted(input: &str, out: &str, opts: &[&str]) -> Vec<u8> {
    let p = pki();
    let mut args = vec![
        "cms", "-encrypt", "-in", input, "-out", out, "-from", ALICE, "-to", BOB, "-subject",
        "Convoy", "-recip", "bob.pem",
    ];
    args.extend(opts);
    ok(&p.dir, &args);
    std::fs::read(p.dir.join(out)).unwrap()
}

fn context(policy: AlgorithmPolicy) -> VerifyContext {
    let mut ctx = pki().verify_context(now());
    ctx.algorithms = policy;
    ctx.decryption_keys.push((
        PrivateKey::from_pem(&pki().read("bob.key")).unwrap(),
        pki().cert("bob"),
    ));
    ctx
}

fn verify(raw: &[u8], policy: AlgorithmPolicy) -> VerifyReport {
    mmhs::verify::verify(raw, &context(policy)).unwrap()
}

fn codes(list: &[mmhs::Problem]) -> Vec<&str> {
    list.iter().map(|p| p.code.as_str()).collect()
}

/// Strict: not valid, `code` among the problems with `what` in its message, no note.
/// Legacy: valid, trusted, the note `weak-algorithm-accepted` naming `what`, no problem.
fn assert_policy(raw: &[u8], code: &str, what: &str) {
    let r = verify(raw, AlgorithmPolicy::strict());
    assert!(!r.valid, "strict: {:#?}", r.problems);
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == code && p.message.contains(what)),
        "strict: no {code} naming {what}: {:#?}",
        r.problems
    );
    assert!(r.notes.iter().all(|n| n.code != "weak-algorithm-accepted"));

    let r = verify(raw, AlgorithmPolicy::legacy());
    assert!(r.valid, "legacy: {:#?}", r.problems);
    assert!(r.signatures.iter().all(|s| s.valid && s.trusted));
    let n = r
        .notes
        .iter()
        .find(|n| n.code == "weak-algorithm-accepted" && n.message.contains(what))
        .unwrap_or_else(|| panic!("legacy: no note naming {what}: {:#?}", r.notes));
    assert!(n.message.contains("legacy"), "{}", n.message);
}

#[test]
fn strong_message_is_valid_without_notes() {
    let raw = openssl_signed("strong.eml", "alice", ALICE, "sha256", None);
    let r = verify(&raw, AlgorithmPolicy::strict());
    assert!(r.valid, "{:#?}", r.problems);
    assert!(r.notes.is_empty(), "{:#?}", r.notes);
    // AES-256 with RSAES-OAEP: nothing weak either.
    openssl_signed("strong-s.eml", "alice", ALICE, "sha256", None);
    let enc = openssl_encrypted(
        "strong-s.eml",
        "strong-e.eml",
        &["-aes256", "-keyopt", "rsa_padding_mode:oaep"],
    );
    let r = verify(&enc, AlgorithmPolicy::strict());
    assert!(r.valid, "{:#?}", r.problems);
    assert!(r.notes.is_empty(), "{:#?}", r.notes);
}

#[test]
fn rsa_1024_signer_is_a_weak_key() {
    let raw = openssl_signed("weak-key.eml", "weak", WEAK, "sha256", None);
    assert_policy(&raw, "cert-weak-key", "1024 bits");
    let r = verify(&raw, AlgorithmPolicy::strict());
    // The signature value verifies; the certificate is not trusted.
    assert!(r.signatures[0].valid && !r.signatures[0].trusted);
    assert_eq!(codes(&r.signatures[0].problems), ["cert-weak-key"]);
}

#[test]
fn sha1_signature_is_weak() {
    let raw = openssl_signed("sha1.eml", "alice", ALICE, "sha1", None);
    assert_policy(&raw, "weak-algorithm", "sha-1");
    let r = verify(&raw, AlgorithmPolicy::strict());
    assert!(
        !r.signatures[0].valid,
        "a SHA-1 signature is not a valid signature"
    );
    assert_eq!(r.signatures[0].digest_algorithm, "sha-1");
}

#[test]
fn sha1_signed_intermediate_is_weak() {
    let raw = openssl_signed("sha1-ca.eml", "dave", DAVE, "sha256", Some("sha1ca.pem"));
    assert_policy(&raw, "weak-algorithm", "CN=SHA-1 CA");
    let r = verify(&raw, AlgorithmPolicy::strict());
    assert!(r.signatures[0].valid && !r.signatures[0].trusted);
    let p = &r.signatures[0].problems[0];
    assert!(p.message.contains("sha1-with-rsa"), "{}", p.message);
}

#[test]
fn triple_des_with_pkcs1_v15_key_transport_is_weak() {
    openssl_signed("des3-s.eml", "alice", ALICE, "sha256", None);
    // OpenSSL's RSA key transport default is RSAES-PKCS1-v1_5.
    let raw = openssl_encrypted("des3-s.eml", "des3-e.eml", &["-des3"]);
    assert_policy(&raw, "weak-algorithm", "des-ede3-cbc");
    assert_policy(&raw, "weak-algorithm", "rsa-pkcs1-v1_5");
    let r = verify(&raw, AlgorithmPolicy::strict());
    assert_eq!(r.layers, ["enveloped", "signed"]);
    // The content was still read: the inner signature is judged as usual.
    assert!(r.signatures[0].valid && r.signatures[0].trusted);
    // The weak layer is named.
    assert!(r
        .problems
        .iter()
        .any(|p| p.message.starts_with("layer 1 (enveloped)")));
}

/// A recipient certificate whose RSAPublicKey is not a key (an even public exponent here:
/// RFC 8017 §3.1 makes e odd) is not encrypted to, sync or through the steps a provider
/// answers, although only the provider computes with it.
#[test]
fn a_malformed_rsa_key_is_not_encrypted_to() {
    use der::{Decode, Encode};
    use mmhs::error::Coded;
    let p = pki();
    let good = p.cert("alice").to_der().unwrap();
    // INTEGER 65537 → INTEGER 65536, the exponent of the subject's key.
    let at = good
        .windows(5)
        .position(|w| w == [0x02, 0x03, 0x01, 0x00, 0x01])
        .expect("alice's key has the exponent 65537");
    let mut bad = good.clone();
    bad[at + 4] = 0x00;
    let cert = x509_cert::Certificate::from_der(&bad).unwrap();
    let message = b"Content-Type: text/plain\r\n\r\nx\r\n";
    let opts = mmhs::smime::EncryptOptions::default();
    let e = mmhs::smime::encrypt_message(
        message,
        std::slice::from_ref(&cert),
        &opts,
        &mut mmhs::rng::system_rng(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "encrypt-recipient-invalid");
    assert!(e.to_string().contains("bad RSA key"), "{e}");
    let Err(e) = mmhs::smime::Encryption::start(&[cert], &opts, &mut mmhs::rng::system_rng())
    else {
        panic!("a request was made for a key that is not one");
    };
    assert_eq!(e.code(), "encrypt-recipient-invalid");
    // The certificate as issued is encrypted to.
    let cert = x509_cert::Certificate::from_der(&good).unwrap();
    mmhs::smime::encrypt_message(message, &[cert], &opts, &mut mmhs::rng::system_rng()).unwrap();
}

#[test]
fn nothing_weak_is_produced() {
    use mmhs::error::Coded;
    let p = pki();
    // A 1024-bit RSA key does not sign …
    let e =
        mmhs::smime::Signer::from_pem(&p.read("weak.key"), &p.read("weak.pem"), None).unwrap_err();
    assert_eq!(e.code(), "signer-key-invalid");
    assert!(e.to_string().contains("1024 bits"), "{e}");
    // … and is not encrypted to.
    let e = mmhs::smime::encrypt_message(
        b"Content-Type: text/plain\r\n\r\nx\r\n",
        &[p.cert("weak")],
        &mmhs::smime::EncryptOptions::default(),
        &mut mmhs::rng::system_rng(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "encrypt-recipient-invalid");
    // SHA-1 does not sign.
    let opts = mmhs::smime::SignOptions {
        digest: mmhs::smime::DigestAlg::Sha1,
        ..Default::default()
    };
    let e = mmhs::smime::sign_message(
        b"From: alice@army.example\r\nContent-Type: text/plain\r\n\r\nx\r\n",
        &p.signer("alice"),
        &opts,
        &mut mmhs::rng::system_rng(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "unsupported-algorithm");
    // PKCS#1 v1.5 key transport cannot even be asked for.
    assert!(serde_json::from_str::<mmhs::smime::KeyTransportPadding>("\"pkcs1v15\"").is_err());
}

/// `mmhs verify FILE --trust ca.pem --key bob.key --cert bob.pem [--allow-weak]`.
fn cli_verify(file: &str, allow_weak: bool) -> (Option<i32>, serde_json::Value) {
    let mut extra = vec!["--key", "bob.key", "--cert", "bob.pem"];
    if allow_weak {
        extra.push("--allow-weak");
    }
    mmhs_verify(&pki().dir, file, now(), &extra)
}

#[test]
fn cli_verify_refuses_weak_and_allow_weak_accepts_with_a_note() {
    openssl_signed("cli-weak-key.eml", "weak", WEAK, "sha256", None);
    openssl_signed("cli-sha1.eml", "alice", ALICE, "sha1", None);
    openssl_signed(
        "cli-sha1-ca.eml",
        "dave",
        DAVE,
        "sha256",
        Some("sha1ca.pem"),
    );
    openssl_signed("cli-des3-s.eml", "alice", ALICE, "sha256", None);
    openssl_encrypted("cli-des3-s.eml", "cli-des3.eml", &["-des3"]);
    for (file, code) in [
        ("cli-weak-key.eml", "cert-weak-key"),
        ("cli-sha1.eml", "weak-algorithm"),
        ("cli-sha1-ca.eml", "weak-algorithm"),
        ("cli-des3.eml", "weak-algorithm"),
    ] {
        let (status, r) = cli_verify(file, false);
        assert_eq!(status, Some(1), "{file}: {r:#}");
        assert_eq!(r["valid"], false, "{file}");
        assert!(has_code(&r["problems"], code), "{file}: {r:#}");
        let (status, r) = cli_verify(file, true);
        assert_eq!(status, Some(0), "{file}: {r:#}");
        assert_eq!(r["valid"], true, "{file}");
        assert!(
            has_code(&r["notes"], "weak-algorithm-accepted"),
            "{file}: {r:#}"
        );
        assert!(!has_code(&r["problems"], code), "{file}");
    }
}
