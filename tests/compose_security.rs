//! Compose with the security options (MMHS profile §4): `sign`, `encrypt`, `labels`, `protectHeaders`,
//! `compress`, triple wrapping — checked by OpenSSL (`openssl cms -verify / -decrypt /
//! -uncompress`) and by our own `mmhs::verify::verify`, with a throwaway PKI made by the openssl
//! CLI at test time (tests/support/pki.rs; no private key is committed).
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use mmhs::compose::{compose, compose_with_keys, ComposeContext, ComposeKeys, ComposeRequest};
use mmhs::error::Coded;
use mmhs::report::VerifyReport;
use mmhs::verify::VerifyContext;
use serde_json::{json, Value};
use support::interop::{cms_decrypt, cms_verify, openssl_try, succeeded};
use support::pki::{Alg, Pki};

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        Pki::new(
            "compose-security",
            &[
                ("alice", "alice@army.example", Alg::Rsa),
                ("bob", "bob@navy.example", Alg::Ec),
                ("carol", "carol@navy.example", Alg::Rsa),
                ("dave", "dave@army.example", Alg::Ec),
                ("erin", "erin@army.example", Alg::Ec),
            ],
        )
    })
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

const POLICY: &str = "1.3.26.1.3.1";

/// A FLASH message from alice to bob (To), carol (Cc) and dave (Bcc), with `extra` merged in.
fn request(extra: Value) -> Value {
    let mut r = json!({
        "from": "alice@army.example",
        "to": ["bob@navy.example"],
        "cc": ["carol@navy.example"],
        "bcc": ["dave@army.example"],
        "primaryPrecedence": "flash",
        "copyPrecedence": "routine",
        "subject": "Exercise CANDLE FISH: move to grid 123456",
        "body": "EXERCISE EXERCISE EXERCISE\nProceed as planned.\n",
    });
    if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            r.insert(k.clone(), v.clone());
        }
    }
    r
}

fn sign_as(name: &str) -> Value {
    json!({ "key": pki().read(&format!("{name}.key")), "certificate": pki().read(&format!("{name}.pem")) })
}

fn label() -> Value {
    json!({
        "policy": POLICY,
        "classification": 4,
        "privacyMark": "NATO SECRET",
        "sioLabel": { "marking": "NATO SECRET", "fgcolor": "black", "bgcolor": "red" },
    })
}

fn try_compose(req: Value) -> Result<Vec<mmhs::compose::ComposedMessage>, mmhs::compose::Error> {
    let req = ComposeRequest::from_json(req.to_string().as_bytes())?;
    compose(
        &req,
        &ComposeContext::new(now()),
        &mut mmhs::rng::system_rng(),
    )
}

fn compose_ok(req: Value) -> Vec<Vec<u8>> {
    match try_compose(req) {
        Ok(c) => c.into_iter().map(|c| c.raw).collect(),
        Err(e) => panic!("compose failed: {} ({e})", e.code()),
    }
}

fn code(req: Value) -> String {
    match try_compose(req) {
        Ok(_) => panic!("compose succeeded"),
        Err(e) => e.code().to_string(),
    }
}

fn s(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// The header section of a message (up to the first empty line), unfolded.
fn header(raw: &[u8]) -> String {
    let t = s(raw);
    t.split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .replace("\r\n ", " ")
}

/// `openssl cms ARGS -in FILE` on `data` written to `file` in the PKI directory
/// ([`openssl_try`]): (success, stdout — the content or plaintext —, stderr).
fn cms(file: &str, data: &[u8], args: &[&str]) -> (bool, Vec<u8>, String) {
    let p = pki();
    p.write(file, data);
    let mut a = vec!["cms"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["-in", file]);
    openssl_try(&p.dir, &a)
}

/// `openssl cms -verify` of `data` against the PKI's root: the signed content.
fn openssl_verify(file: &str, data: &[u8]) -> Vec<u8> {
    let p = pki();
    p.write(file, data);
    succeeded(cms_verify(&p.dir, file, "ca.pem", &[]))
}

/// `openssl cms -decrypt` of `data` with `who`'s key: the plaintext, or OpenSSL's stderr.
fn openssl_decrypt(file: &str, data: &[u8], who: &str) -> Result<Vec<u8>, String> {
    let p = pki();
    p.write(file, data);
    let (cert, key) = (format!("{who}.pem"), format!("{who}.key"));
    match cms_decrypt(&p.dir, file, &cert, &key, &[]) {
        (true, out, _) => Ok(out),
        (false, _, err) => Err(err),
    }
}

fn verify_ctx(decrypt_as: Option<&str>) -> VerifyContext {
    let mut ctx = pki().verify_context(now());
    if let Some(who) = decrypt_as {
        let key = mmhs::keys::PrivateKey::from_pem(&pki().read(&format!("{who}.key"))).unwrap();
        let cert = {
            use der::DecodePem;
            x509_cert::Certificate::from_pem(pki().read(&format!("{who}.pem"))).unwrap()
        };
        ctx.decryption_keys.push((key, cert));
    }
    ctx
}

fn our_verify(raw: &[u8], decrypt_as: Option<&str>) -> VerifyReport {
    mmhs::verify::verify(raw, &verify_ctx(decrypt_as)).expect("a message")
}

fn assert_valid_with_label(r: &VerifyReport) {
    assert!(r.valid, "not valid: {:#?}", r.problems);
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    assert!(!r.signatures.is_empty());
    let l = r.security_label.as_ref().expect("a security label");
    assert_eq!(l.policy, POLICY);
    assert_eq!(l.classification, Some(4));
    assert_eq!(l.privacy_mark.as_deref(), Some("NATO SECRET"));
    for sig in &r.signatures {
        assert!(sig.valid && sig.trusted, "{sig:#?}");
        assert_eq!(sig.security_label.as_ref(), Some(l));
    }
}

#[test]
fn signed_labelled_wrapped_is_accepted_by_openssl_and_us() {
    let copies = compose_ok(request(
        json!({ "sign": sign_as("alice"), "labels": label() }),
    ));
    assert_eq!(copies.len(), 2, "open copy + one Bcc copy");
    for (i, raw) in copies.iter().enumerate() {
        let h = header(raw);
        assert!(h.contains("\r\nSIO-Label: marking=\"NATO SECRET\"; fgcolor=black; bgcolor=red; type=\":ess\"; label="), "{h}");
        assert!(
            h.contains("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\""),
            "{h}"
        );
        assert!(h.contains("MMHS-Primary-Precedence: flash"), "{h}");
        // OpenSSL accepts the signature and hands back the wrapper entity.
        let inner = openssl_verify(&format!("signed-{i}.eml"), raw);
        let inner = s(&inner);
        assert!(
            inner.starts_with("Content-Type: message/rfc822; forwarded=no\r\n\r\n"),
            "{inner}"
        );
        assert!(inner.contains("\r\nSubject: Exercise CANDLE FISH: move to grid 123456\r\n"));
        assert!(inner.contains("\r\nSIO-Label: marking=\"NATO SECRET\""));
        // We accept it too, with the label, the wrapped scheme and no mismatch.
        let r = our_verify(raw, None);
        assert_valid_with_label(&r);
        assert_eq!(r.layers, vec!["signed"]);
        assert_eq!(r.header_protection.scheme, "wrapped");
        assert_eq!(r.header_protection.forwarded, "no");
        assert!(r.header_protection.mismatches.is_empty());
        assert_eq!(r.signatures.len(), 1);
        assert_eq!(r.signatures[0].signer, "alice@army.example");
    }
    // Bcc is disclosed only in the Bcc copy, inside and outside the signature.
    assert!(!s(&copies[0]).contains("dave@army.example"));
    assert!(s(&copies[1]).contains("Bcc: dave@army.example"));
}

#[test]
fn ec_signer_pss_free_options_opaque_ski_sha384() {
    // bob signs (P-256, ECDSA), opaque signed-data, SKI, SHA-384, originator signature type,
    // `securityLabel` alias without SIO-Label.
    let req = json!({
        "from": "bob@navy.example",
        "to": ["alice@army.example"],
        "primaryPrecedence": "immediate",
        "body": "hello",
        "sign": {
            "key": pki().read("bob.key"), "certificate": pki().read("bob.pem"),
            "opaque": true, "signerIdentifier": "ski", "digest": "sha384",
            "signatureType": ["originator"],
        },
        "securityLabel": { "policy": POLICY, "classification": 4, "privacyMark": "NATO SECRET" },
    });
    let copies = compose_ok(req);
    let raw = &copies[0];
    assert!(header(raw).contains("smime-type=signed-data"));
    assert!(!header(raw).contains("SIO-Label"));
    openssl_verify("ec-opaque.eml", raw);
    let r = our_verify(raw, None);
    assert_valid_with_label(&r);
    assert_eq!(r.signatures[0].signature_type, "originator");
}

#[test]
fn rsa_pss_without_certificates() {
    let mut sign = sign_as("alice");
    sign["rsaPadding"] = json!("pss");
    sign["includeCertificates"] = json!(false);
    let copies = compose_ok(request(
        json!({ "bcc": [], "sign": sign, "protectHeaders": "none" }),
    ));
    let raw = &copies[0];
    // Without certificates OpenSSL needs the signer's certificate given.
    let (ok, out, err) = cms(
        "pss.eml",
        raw,
        &["-verify", "-CAfile", "ca.pem", "-certfile", "alice.pem"],
    );
    assert!(ok, "{err}");
    assert!(
        s(&out).starts_with("Content-Type: text/plain"),
        "{}",
        s(&out)
    );
    let mut ctx = verify_ctx(None);
    ctx.certificates.push({
        use der::DecodePem;
        x509_cert::Certificate::from_pem(pki().read("alice.pem")).unwrap()
    });
    let r = mmhs::verify::verify(raw, &ctx).unwrap();
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(r.header_protection.scheme, "none");
}

#[test]
fn signed_encrypted_compressed_each_copy_for_its_own_recipients() {
    let copies = compose_ok(request(json!({
        "sign": sign_as("alice"),
        "labels": label(),
        "compress": true,
        "encrypt": { "certificates": [pki().read("bob.pem"), pki().read("carol.pem"), pki().read("dave.pem")] },
    })));
    assert_eq!(copies.len(), 2);
    let (open, blind) = (&copies[0], &copies[1]);
    for raw in [open, blind] {
        let h = header(raw);
        // capabilities unknown → AES-CBC EnvelopedData
        assert!(h.contains("smime-type=enveloped-data"), "{h}");
        assert!(!s(raw).contains("EXERCISE"), "plaintext leaked");
    }
    // Open copy: bob (EC, KARI), carol (RSA, KTRI) and the sender read it; dave does not.
    for who in ["bob", "carol", "alice"] {
        let dec = openssl_decrypt(&format!("open-{who}.eml"), open, who)
            .unwrap_or_else(|e| panic!("{who} cannot decrypt: {e}"));
        let inner = openssl_verify(&format!("open-{who}-dec.eml"), &dec);
        assert!(
            s(&inner).contains("smime-type=compressed-data"),
            "{}",
            s(&inner)
        );
        // OpenSSL decompresses only when built with zlib (Debian's 3.0.19 is not): then the
        // result must be the wrapped message; else it must fail on the algorithm, not the
        // structure.
        let (ok, plain, err) = cms(&format!("open-{who}-z.eml"), &inner, &["-uncompress"]);
        let plain = if ok {
            plain
        } else {
            assert!(err.contains("unsupported compression algorithm"), "{err}");
            mmhs::smime::decompress_message(&inner, &mmhs::smime::DecompressLimits::default())
                .unwrap()
        };
        let plain = s(&plain);
        assert!(
            plain.starts_with("Content-Type: message/rfc822; forwarded=no"),
            "{plain}"
        );
        assert!(plain.contains("EXERCISE EXERCISE EXERCISE"));
        assert!(!plain.contains("dave@army.example"));
    }
    assert!(openssl_decrypt("open-dave.eml", open, "dave").is_err());
    // Bcc copy: dave and the sender only — bob's and carol's certificates are not in it.
    for who in ["dave", "alice"] {
        openssl_decrypt(&format!("blind-{who}.eml"), blind, who)
            .unwrap_or_else(|e| panic!("{who} cannot decrypt the Bcc copy: {e}"));
    }
    for who in ["bob", "carol"] {
        assert!(openssl_decrypt(&format!("blind-{who}.eml"), blind, who).is_err());
    }
    // Ours: decrypt as bob (EC), carol (RSA), the sender; verify; decompress.
    for who in ["bob", "carol", "alice"] {
        let r = our_verify(open, Some(who));
        assert_valid_with_label(&r);
        assert_eq!(r.layers, vec!["enveloped", "signed", "compressed"]);
        assert_eq!(r.header_protection.scheme, "wrapped");
        assert_eq!(r.header_protection.forwarded, "no");
    }
    assert_valid_with_label(&our_verify(blind, Some("dave")));
    // dave's key does not open the open copy.
    assert!(!our_verify(open, Some("dave")).valid);
}

#[test]
fn gcm_when_every_recipient_advertises_it() {
    let gcm = |who: &str| json!({ "certificate": pki().read(&format!("{who}.pem")), "capabilities": ["aes256-gcm", "aes256-cbc"] });
    let copies = compose_ok(request(json!({
        "bcc": [],
        "sign": sign_as("alice"),
        "encrypt": { "certificates": [gcm("bob"), gcm("carol")] },
    })));
    let raw = &copies[0];
    assert!(
        header(raw).contains("smime-type=authEnveloped-data"),
        "{}",
        header(raw)
    );
    for who in ["bob", "carol", "alice"] {
        let dec = openssl_decrypt(&format!("gcm-{who}.eml"), raw, who)
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        openssl_verify(&format!("gcm-{who}-dec.eml"), &dec);
    }
    let r = our_verify(raw, Some("carol"));
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(r.layers, vec!["authEnveloped", "signed"]);

    // One recipient without advertised capabilities → AES-CBC EnvelopedData.
    let copies = compose_ok(request(json!({
        "bcc": [],
        "sign": sign_as("alice"),
        "encrypt": { "certificates": [gcm("bob"), pki().read("carol.pem")], "keyTransport": "oaep" },
    })));
    assert!(header(&copies[0]).contains("smime-type=enveloped-data"));
    openssl_decrypt("cbc-carol.eml", &copies[0], "carol").unwrap();
}

#[test]
fn triple_wrapped() {
    let mut sign = sign_as("alice");
    sign["tripleWrap"] = json!(true);
    let copies = compose_ok(request(json!({
        "bcc": [],
        "sign": sign,
        "labels": label(),
        "encrypt": { "certificates": [pki().read("bob.pem"), pki().read("carol.pem")] },
    })));
    let raw = &copies[0];
    assert!(header(raw).contains("multipart/signed"));
    let outer = openssl_verify("triple.eml", raw);
    assert!(s(&outer).contains("smime-type=enveloped-data"));
    let dec = openssl_decrypt("triple-dec.eml", &outer, "bob").unwrap();
    let inner = openssl_verify("triple-inner.eml", &dec);
    assert!(s(&inner).starts_with("Content-Type: message/rfc822; forwarded=no"));
    let r = our_verify(raw, Some("bob"));
    assert_valid_with_label(&r);
    assert_eq!(r.layers, vec!["signed", "enveloped", "signed"]);
    assert_eq!(r.signatures.len(), 2);
}

#[test]
fn injected_header_protection() {
    // Signed only: hp="clear", outer header unchanged.
    let copies = compose_ok(request(json!({
        "bcc": [], "sign": sign_as("alice"), "labels": label(), "protectHeaders": "injected",
    })));
    let raw = &copies[0];
    let inner = openssl_verify("inj-clear.eml", raw);
    let inner = s(&inner);
    assert!(inner.contains("hp=\"clear\""), "{inner}");
    assert!(inner.contains("\r\nSubject: Exercise CANDLE FISH"));
    let r = our_verify(raw, None);
    assert_valid_with_label(&r);
    assert_eq!(r.header_protection.scheme, "injected");

    // Encrypted: hp="cipher", the outer Subject is hidden by hcp_baseline.
    let copies = compose_ok(request(json!({
        "bcc": [], "sign": sign_as("alice"), "labels": label(),
        "protectHeaders": { "scheme": "injected", "policy": "baseline" },
        "encrypt": { "certificates": [pki().read("bob.pem"), pki().read("carol.pem")] },
    })));
    let raw = &copies[0];
    let h = header(raw);
    assert!(h.contains("\r\nSubject: [...]\r\n"), "{h}");
    let dec = openssl_decrypt("inj-cipher.eml", raw, "carol").unwrap();
    let inner = s(&openssl_verify("inj-cipher-dec.eml", &dec));
    assert!(inner.contains("hp=\"cipher\""), "{inner}");
    assert!(inner.contains("HP-Outer: Subject: [...]"), "{inner}");
    let r = our_verify(raw, Some("carol"));
    assert_valid_with_label(&r);
    assert_eq!(r.header_protection.scheme, "injected");
}

#[test]
fn keys_from_the_caller() {
    let signer = pki().signer("alice");
    let certs: Vec<x509_cert::Certificate> = ["bob", "carol", "dave"]
        .iter()
        .map(|w| {
            use der::DecodePem;
            x509_cert::Certificate::from_pem(pki().read(&format!("{w}.pem"))).unwrap()
        })
        .collect();
    let keys = ComposeKeys {
        signer: Some(&signer),
        sender_certificate: None,
        recipient_certificates: &certs,
    };
    let req = ComposeRequest::from_json(
        request(json!({ "sign": true, "encrypt": true, "labels": label() }))
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let copies = compose_with_keys(
        &req,
        &ComposeContext::new(now()),
        &keys,
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    assert_eq!(copies.len(), 2);
    let r = our_verify(&copies[1].raw, Some("dave"));
    assert_valid_with_label(&r);
    // The key never appears in the serialised request.
    assert!(!serde_json::to_string(&req).unwrap().contains("PRIVATE KEY"));
}

#[test]
fn error_codes() {
    let sign = sign_as("alice");
    // a key that is not a key
    let mut bad = sign.clone();
    bad["key"] = json!("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assert_eq!(code(request(json!({ "sign": bad }))), "signer-key-invalid");
    // a key that does not match the certificate
    let mut other = sign.clone();
    other["key"] = json!(pki().read("carol.key"));
    assert_eq!(
        code(request(json!({ "sign": other }))),
        "signer-key-invalid"
    );
    // sign without any key
    assert_eq!(code(request(json!({ "sign": true }))), "signer-missing");
    let mut no_cert = sign.clone();
    no_cert["certificate"] = Value::Null;
    assert_eq!(code(request(json!({ "sign": no_cert }))), "signer-missing");
    // signer is not the From / Sender
    assert_eq!(
        code(request(json!({ "sign": sign_as("erin") }))),
        "signer-address-mismatch"
    );
    // a recipient without a certificate
    assert_eq!(
        code(request(
            json!({ "sign": sign.clone(), "encrypt": { "certificates": [pki().read("bob.pem")] } })
        )),
        "recipient-certificate-missing"
    );
    // encrypt with no sender certificate at all
    assert_eq!(
        code(request(
            json!({ "encrypt": { "certificates": [pki().read("bob.pem")] } })
        )),
        "sender-certificate-missing"
    );
    assert_eq!(
        code(request(
            json!({ "sign": sign.clone(), "encrypt": { "certificates": ["not a pem"] } })
        )),
        "certificate-invalid"
    );
    // option conflicts
    assert_eq!(
        code(request(json!({ "compress": true }))),
        "security-option-conflict"
    );
    assert_eq!(
        code(request(json!({ "protectHeaders": "wrapped" }))),
        "security-option-conflict"
    );
    assert_eq!(
        code(request(json!({ "labels": { "policy": POLICY } }))),
        "security-option-conflict"
    );
    let mut tw = sign.clone();
    tw["tripleWrap"] = json!(true);
    assert_eq!(
        code(request(json!({ "sign": tw }))),
        "security-option-conflict"
    );
    // draft-melnikov-smime-msa-to-mda-04 §3.2: types that must encapsulate another signature,
    // and additionalAttributes with another type, are not made by compose.
    for types in [
        json!(["domain"]),
        json!(["review"]),
        json!(["additionalAttributes"]),
        json!(["originator", "domain"]),
        json!(["originator", "originator"]),
    ] {
        let mut st = sign.clone();
        st["signatureType"] = types.clone();
        assert_eq!(
            code(request(json!({ "sign": st }))),
            "security-option-conflict",
            "{types}"
        );
    }
    // a label that cannot be encoded
    assert_eq!(
        code(request(
            json!({ "sign": sign.clone(), "labels": { "policy": "not an oid" } })
        )),
        "label-invalid"
    );
    // CR/LF in the SIO-Label marking
    assert_eq!(
        code(request(
            json!({ "sign": sign.clone(), "labels": { "policy": POLICY, "sioLabel": { "marking": "A\r\nBcc: x@y" } } })
        )),
        "header-crlf"
    );
    // schema
    let mut typo = sign.clone();
    typo["digets"] = json!("sha256");
    assert_eq!(code(request(json!({ "sign": typo }))), "request-invalid");
    assert_eq!(
        code(request(
            json!({ "sign": sign.clone(), "protectHeaders": "sideways" })
        )),
        "request-invalid"
    );
    let mut sha1 = sign;
    sha1["digest"] = json!("sha1");
    assert_eq!(
        code(request(json!({ "sign": sha1 }))),
        "unsupported-algorithm"
    );
}

#[test]
fn sio_label_alone_and_encrypt_only() {
    // A label with sioLabel and no signature: only the header field, no S/MIME.
    let copies = compose_ok(request(json!({
        "bcc": [], "labels": { "policy": POLICY, "classification": 2, "sioLabel": true },
    })));
    let h = header(&copies[0]);
    assert!(h.contains("\r\nSIO-Label: type=\":ess\"; label="), "{h}");
    assert!(h.contains("Content-Type: text/plain"), "{h}");
    let view = mmhs::fields::inspect(&copies[0], &Default::default()).unwrap();
    let view = serde_json::to_string(&view).unwrap();
    assert!(view.contains(POLICY), "{view}");

    // Encrypt only: wrapped by default, sender certificate given explicitly.
    let copies = compose_ok(request(json!({
        "bcc": [],
        "encrypt": {
            "certificates": [pki().read("bob.pem"), pki().read("carol.pem")],
            "senderCertificate": pki().read("alice.pem"),
            "cipher": "aes128-cbc",
        },
    })));
    let raw = &copies[0];
    assert!(header(raw).contains("smime-type=enveloped-data"));
    for who in ["bob", "alice"] {
        let dec = openssl_decrypt(&format!("enc-only-{who}.eml"), raw, who).unwrap();
        let dec = s(&dec);
        assert!(
            dec.starts_with("Content-Type: message/rfc822; forwarded=no"),
            "{dec}"
        );
        assert!(dec.contains("EXERCISE EXERCISE EXERCISE"));
    }
}
