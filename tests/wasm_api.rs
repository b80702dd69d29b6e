//! The JS-facing API (`src/wasm/`) exercised in real headless Chromium:
//! `wasm-pack test --headless --chrome -- --test wasm_api` (see `scripts/test.sh`).
//!
//! These tests call the `#[wasm_bindgen]` exports exactly as JS sees them (`JsValue` in,
//! `JsValue` out) and check that bad input becomes a JS `Error` with a stable `.code`,
//! never a panic (a panic would abort the whole wasm instance).
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Read a property of a JS object.
fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("property read")
}

/// Assert that `result` is a JS `Error` named `MmhsError` carrying `code`.
fn assert_error_code(result: Result<JsValue, JsValue>, code: &str) {
    let err = result.expect_err("expected an MmhsError");
    let err: js_sys::Error = err.dyn_into().expect("thrown value is a JS Error");
    assert_eq!(err.name(), "MmhsError");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some(code));
    assert!(
        !String::from(err.message()).is_empty(),
        "error has a message"
    );
}

#[wasm_bindgen_test]
fn version_is_a_plain_object() {
    let v = mmhs::wasm::version().expect("version");
    assert!(v.is_object());
    // json_compatible(): a plain Object, not a Map
    assert!(v.dyn_ref::<js_sys::Map>().is_none());
    assert_eq!(
        get(&v, "version").as_string().as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(get(&v, "target").as_string().as_deref(), Some("wasm32"));
    assert_eq!(Object::keys(v.unchecked_ref::<Object>()).length(), 2);
}

// ---------------------------------------------------------------- test PKI (made here)

/// A throwaway P-256 PKI made in the test with the core's demo/test profile (`mmhs::pki`; no
/// key is committed; P-256 because unoptimised wasm RSA key generation would be slow).
mod pki {
    use std::sync::OnceLock;

    use p256::ecdsa::SigningKey;
    use pkcs8::{EncodePrivateKey, LineEnding};
    use x509_cert::der::EncodePem;
    use x509_cert::time::Validity;
    use x509_cert::Certificate;

    /// A user: PKCS#8 PEM key (unencrypted, test only) and certificate PEM.
    pub struct User {
        pub key: String,
        pub cert: String,
    }

    pub struct Pki {
        pub ca: String,
        pub drafter: User,
        pub officer: User,
    }

    fn validity() -> Validity {
        // From 2025-01-01 for ten years (fixed: no clock in the test; tests use `at` 2030).
        let start = time::macros::datetime!(2025-01-01 01:00 UTC);
        mmhs::pki::validity(start, 10).expect("validity")
    }

    fn user(ca_key: &SigningKey, ca: &Certificate, name: &str, address: &str) -> User {
        let subject = mmhs::pki::Subject {
            address,
            name,
            org: "MMHS Test",
        };
        let (key, cert) = mmhs::pki::issue_user(
            &mut mmhs::rng::system_rng(),
            ca_key,
            ca,
            &subject,
            validity(),
        )
        .expect("user certificate");
        User {
            key: key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string(),
            cert: cert.to_pem(LineEnding::LF).expect("pem"),
        }
    }

    pub fn get() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(|| {
            let (ca_key, ca) = mmhs::pki::make_ca(
                &mut mmhs::rng::system_rng(),
                "CN=Test Root,O=MMHS Test,C=GB",
                validity(),
            )
            .expect("CA");
            Pki {
                ca: ca.to_pem(LineEnding::LF).expect("pem"),
                drafter: user(&ca_key, &ca, "Drafter", "drafter@example.mil"),
                officer: user(&ca_key, &ca, "Officer", "officer@example.mil"),
            }
        })
    }
}

const AT: &str = "2030-01-01T00:00:00Z";

const DRAFT: &str = "From: Drafter <drafter@example.mil>\r\nTo: hq@example.mil\r\nSubject: Movement order\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <wasm-1@example.mil>\r\nMMHS-Primary-Precedence: 2 (priority)\r\nMMHS-Extended-Authorisation-Info: Mon, 1 Jan 2029 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nMove at dawn.\r\n";

/// Build a JS value from JSON text (what a JS caller would pass).
fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON")
}

fn key_use(u: &pki::User) -> JsValue {
    js(&serde_json::json!({ "pkcs8": u.key, "certificate": u.cert }).to_string())
}

fn verify_opts() -> JsValue {
    js(&serde_json::json!({ "trustAnchors": [pki::get().ca], "at": AT }).to_string())
}

fn bytes_of(v: &JsValue) -> Vec<u8> {
    v.dyn_ref::<js_sys::Uint8Array>()
        .expect("a Uint8Array")
        .to_vec()
}

fn signed_draft() -> JsValue {
    let p = pki::get();
    mmhs::wasm::sign(
        JsValue::from_str(DRAFT),
        key_use(&p.drafter),
        Some(js(&format!(
            "{{\"signingTime\": \"{AT}\", \"protectHeaders\": true}}"
        ))),
    )
    .expect("sign")
}

#[wasm_bindgen_test]
fn compose_returns_messages_and_rejects_bad_requests() {
    let req = js(
        r#"{"from": "a@example.mil", "to": ["b@example.mil"], "subject": "S",
        "primaryPrecedence": "flash", "extendedAuthorisationInfo": "2029-01-01T00:00:00Z", "body": "x"}"#,
    );
    let out =
        mmhs::wasm::compose(req, Some(js(&format!("{{\"now\": \"{AT}\"}}")))).expect("compose");
    let arr: js_sys::Array = out.dyn_into().expect("array");
    assert_eq!(arr.length(), 1);
    let raw = bytes_of(&get(&arr.get(0), "raw"));
    assert!(String::from_utf8_lossy(&raw).contains("MMHS-Primary-Precedence"));
    assert_error_code(
        mmhs::wasm::compose(
            js(
                r#"{"from": "a@example.mil", "to": ["b@example.mil"], "primaryPrecedence": "soon", "body": "x"}"#,
            ),
            None,
        ),
        "precedence-invalid",
    );
    assert_error_code(
        mmhs::wasm::compose(JsValue::from_f64(3.0), None),
        "request-invalid",
    );
}

#[wasm_bindgen_test]
fn inspect_shows_the_precedence_and_rejects_non_messages() {
    let v = mmhs::wasm::inspect(
        JsValue::from_str(DRAFT),
        Some(js(&format!("{{\"at\": \"{AT}\"}}"))),
    )
    .expect("inspect");
    assert!(js_sys::JSON::stringify(&v)
        .unwrap()
        .as_string()
        .unwrap()
        .contains("\"name\":\"priority\""));
    assert_error_code(
        mmhs::wasm::inspect(JsValue::from_f64(1.0), None),
        "request-invalid",
    );
    assert_error_code(
        mmhs::wasm::inspect(JsValue::from_str(DRAFT), Some(js(r#"{"bogus": 1}"#))),
        "request-invalid",
    );
}

#[wasm_bindgen_test]
fn sign_then_verify_and_tampering() {
    let signed = bytes_of(&signed_draft());
    let report = mmhs::wasm::verify(js_sys::Uint8Array::from(&signed[..]).into(), verify_opts())
        .expect("verify");
    assert_eq!(get(&report, "valid").as_bool(), Some(true));
    let sigs: js_sys::Array = get(&report, "signatures").dyn_into().unwrap();
    assert_eq!(sigs.length(), 1);

    let tampered = String::from_utf8_lossy(&signed).replace("Move at dawn", "Move at noon");
    let report =
        mmhs::wasm::verify(JsValue::from_str(&tampered), verify_opts()).expect("verify report");
    assert_eq!(get(&report, "valid").as_bool(), Some(false));

    // with the content
    let both = mmhs::wasm::verify(
        js_sys::Uint8Array::from(&signed[..]).into(),
        js(
            &serde_json::json!({ "trustAnchors": [pki::get().ca], "at": AT, "withContent": true })
                .to_string(),
        ),
    )
    .expect("verify");
    let content = bytes_of(&get(&both, "content"));
    assert!(String::from_utf8_lossy(&content).contains("Move at dawn"));

    // errors
    let p = pki::get();
    assert_error_code(
        mmhs::wasm::verify(
            JsValue::from_str(DRAFT),
            js(r#"{"trustAnchors": ["garbage"]}"#),
        ),
        "certificate-missing",
    );
    let wrong = js(
        &serde_json::json!({ "pkcs8": p.officer.key, "certificate": p.drafter.cert }).to_string(),
    );
    assert_error_code(
        mmhs::wasm::sign(JsValue::from_str(DRAFT), wrong, None),
        "signer-key-invalid",
    );
    assert_error_code(
        mmhs::wasm::sign(
            JsValue::from_str(DRAFT),
            js(&serde_json::json!({ "certificate": p.drafter.cert }).to_string()),
            None,
        ),
        "request-invalid",
    );
    assert_error_code(
        mmhs::wasm::sign(
            JsValue::from_str(DRAFT),
            key_use(&p.drafter),
            Some(js(r#"{"digest": "md5"}"#)),
        ),
        "request-invalid",
    );
}

/// The draft with about 140 KiB of body ("northern" on every line), clear-signed by the
/// drafter.
fn large_signed_draft() -> String {
    let line = "Move at dawn by the northern road.\r\n";
    let big = DRAFT.replace("Move at dawn.\r\n", &line.repeat(4000));
    let signed = mmhs::wasm::sign(
        JsValue::from_str(&big),
        key_use(&pki::get().drafter),
        Some(js(&format!("{{\"signingTime\": \"{AT}\"}}"))),
    )
    .expect("sign");
    String::from_utf8(bytes_of(&signed)).expect("ASCII")
}

/// `verifyAsync` of a message whose signed content is large enough for SubtleCrypto's
/// `digest` (the walk runs while Chromium hashes, taking each signed messageDigest for the
/// digest until Chromium's answer confirms it): the report `verify` gives; content altered
/// under its signature, early or late, is `message-digest-mismatch`.
#[wasm_bindgen_test]
async fn verify_async_walks_while_the_browser_hashes() {
    let text = large_signed_draft();
    let late = text.rfind("northern").expect("the body");
    let mut altered_late = text.clone();
    altered_late.replace_range(late..late + 8, "southern");
    let stringify = |v: &JsValue| String::from(js_sys::JSON::stringify(v).expect("JSON"));
    for (what, message) in [
        ("as signed", text.clone()),
        ("altered early", text.replacen("northern", "southern", 1)),
        ("altered late", altered_late),
    ] {
        let sync = mmhs::wasm::verify(JsValue::from_str(&message), verify_opts()).expect("verify");
        let async_ = mmhs::wasm::verify_async(JsValue::from_str(&message), verify_opts(), None)
            .await
            .expect("verifyAsync");
        assert_eq!(stringify(&async_), stringify(&sync), "{what}");
        let problems = stringify(&get(&async_, "problems"));
        if what == "as signed" {
            assert_eq!(get(&async_, "valid").as_bool(), Some(true), "{problems}");
        } else {
            assert_eq!(get(&async_, "valid").as_bool(), Some(false), "{what}");
            assert!(
                problems.contains("message-digest-mismatch"),
                "{what}: {problems}"
            );
        }
    }
}

/// `verifyAsync` of a large signed-then-encrypted message with the unlocked key in Chromium:
/// the browser decrypts the content and hashes the signed content inside it between the
/// walks; the report and content are those `verify` gives with the key, as signed and with
/// the signed content altered before encryption.
#[wasm_bindgen_test]
async fn verify_async_of_encrypted_mail_has_the_browser_decrypt_and_hash() {
    let p = pki::get();
    let officer = mmhs::wasm::unlock_key(key_use(&p.officer))
        .await
        .expect("unlock");
    let text = large_signed_draft();
    let stringify = |v: &JsValue| String::from(js_sys::JSON::stringify(v).expect("JSON"));
    let opts = |with_key: bool| {
        let mut o = serde_json::json!({ "trustAnchors": [p.ca], "at": AT, "withContent": true });
        if with_key {
            o["decryptionKey"] =
                serde_json::json!({ "pkcs8": p.officer.key, "certificate": p.officer.cert });
        }
        js(&o.to_string())
    };
    for (what, message) in [
        ("as signed", text.clone()),
        ("altered", text.replacen("northern", "southern", 1)),
    ] {
        for gcm in [false, true] {
            let enc = mmhs::wasm::encrypt(
                JsValue::from_str(&message),
                js(&serde_json::json!([p.officer.cert]).to_string()),
                Some(js(&format!("{{\"gcm\": {gcm}}}"))),
            )
            .expect("encrypt");
            let sync = mmhs::wasm::verify(enc.clone(), opts(true)).expect("verify");
            let async_ = mmhs::wasm::verify_async(enc, opts(false), Some(officer.clone()))
                .await
                .expect("verifyAsync");
            let report = |v: &JsValue| stringify(&get(v, "report"));
            assert_eq!(report(&async_), report(&sync), "{what} gcm={gcm}");
            assert_eq!(
                bytes_of(&get(&async_, "content")),
                bytes_of(&get(&sync, "content")),
                "{what} gcm={gcm}"
            );
            let valid = get(&get(&async_, "report"), "valid").as_bool();
            assert_eq!(valid, Some(what == "as signed"), "{what} gcm={gcm}");
        }
    }
}

#[wasm_bindgen_test]
fn encrypt_then_decrypt_with_ecdh() {
    let p = pki::get();
    let enc = mmhs::wasm::encrypt(
        JsValue::from_str(DRAFT),
        js(&serde_json::json!([p.officer.cert]).to_string()),
        Some(js(r#"{"gcm": true}"#)),
    )
    .expect("encrypt");
    let enc_bytes = bytes_of(&enc);
    assert!(String::from_utf8_lossy(&enc_bytes).contains("authEnveloped-data"));
    let dec = mmhs::wasm::decrypt(enc.clone(), key_use(&p.officer)).expect("decrypt");
    assert!(String::from_utf8_lossy(&bytes_of(&dec)).contains("Move at dawn"));
    assert_error_code(
        mmhs::wasm::decrypt(enc, key_use(&p.drafter)),
        "decrypt-no-recipient",
    );
    assert_error_code(
        mmhs::wasm::encrypt(JsValue::from_str(DRAFT), js("[]"), None),
        "encrypt-no-recipient",
    );
    assert_error_code(
        mmhs::wasm::decrypt(JsValue::from_str(DRAFT), key_use(&p.officer)),
        "not-encrypted",
    );
}

#[wasm_bindgen_test]
fn import_pkcs12_rejects_garbage() {
    assert_error_code(
        mmhs::wasm::import_pkcs12(
            js_sys::Uint8Array::from(&b"not a pfx"[..]).into(),
            "pw",
            None,
        ),
        "pkcs12-malformed",
    );
    assert_error_code(
        mmhs::wasm::import_pkcs12(JsValue::from_f64(1.0), "pw", None),
        "request-invalid",
    );
}

fn release_opts(decision: &str) -> JsValue {
    let p = pki::get();
    js(&format!(
        "{{\"officer\": {}, \"trustAnchors\": {}, \"at\": \"{AT}\", \"decision\": {decision}}}",
        serde_json::json!({ "pkcs8": p.officer.key, "certificate": p.officer.cert }),
        serde_json::json!([p.ca]),
    ))
}

#[wasm_bindgen_test]
fn release_approve_reject_and_refuse() {
    let signed = signed_draft();
    let r = mmhs::wasm::release(signed.clone(), release_opts("\"approve\"")).expect("release");
    assert_eq!(get(&r, "outcome").as_string().as_deref(), Some("released"));
    let released = bytes_of(&get(&r, "message"));
    assert!(String::from_utf8_lossy(&released).contains("MMHS-Authorizing-Users"));
    let report = mmhs::wasm::verify(
        js_sys::Uint8Array::from(&released[..]).into(),
        verify_opts(),
    )
    .expect("verify");
    assert_eq!(get(&report, "valid").as_bool(), Some(true));
    let au: js_sys::Array = get(&report, "authorizingUsers").dyn_into().unwrap();
    assert_eq!(
        get(&au.get(0), "status").as_string().as_deref(),
        Some("countersigned")
    );

    let r = mmhs::wasm::release(signed.clone(), release_opts(r#"{"reject": "Wrong grid"}"#))
        .expect("reject");
    assert_eq!(get(&r, "outcome").as_string().as_deref(), Some("rejected"));
    assert!(String::from_utf8_lossy(&bytes_of(&get(&r, "message"))).contains("Wrong grid"));

    let r = mmhs::wasm::release(JsValue::from_str(DRAFT), release_opts("\"approve\""))
        .expect("refused is a result");
    assert_eq!(get(&r, "outcome").as_string().as_deref(), Some("refused"));

    assert_error_code(
        mmhs::wasm::release(signed, release_opts("\"maybe\"")),
        "request-invalid",
    );
}

#[wasm_bindgen_test]
fn release_gate_queues_an_unreleased_military_message() {
    let d = mmhs::wasm::release_gate(
        signed_draft(),
        Some(js(
            r#"{"policy": {"officers": ["officer@example.mil"]}, "submitter": "drafter@example.mil"}"#,
        )),
    )
    .expect("gate");
    assert_eq!(
        get(&d, "action").as_string().as_deref(),
        Some("releaseQueue")
    );
    assert_eq!(get(&d, "military").as_bool(), Some(true));
    assert_error_code(
        mmhs::wasm::release_gate(signed_draft(), Some(js(r#"{"policy": {"officers": 3}}"#))),
        "request-invalid",
    );
}

#[wasm_bindgen_test]
fn mixer_map_both_directions() {
    let m = mmhs::wasm::mixer_map(
        js(r#"{"from": ["a@example.mil"], "sender": "s@example.mil", "authorizingUsers": ["o@example.mil"]}"#),
        js(r#"{"direction": "toX400"}"#),
    )
    .expect("toX400");
    let h = get(&m, "heading");
    assert_eq!(
        get(&h, "originator").as_string().as_deref(),
        Some("s@example.mil")
    );
    let m = mmhs::wasm::mixer_map(
        js(r#"{"originator": "s@example.mil", "authorizingUsers": ["o@example.mil"], "headingExtensions": ["x"]}"#),
        js(r#"{"direction": "toInternet"}"#),
    )
    .expect("toInternet");
    assert_eq!(get(&m, "military").as_bool(), Some(true));
    assert_error_code(
        mmhs::wasm::mixer_map(js("{}"), js(r#"{"direction": "sideways"}"#)),
        "request-invalid",
    );
}

#[wasm_bindgen_test]
fn audit_records_chain_and_tampering_is_detected() {
    let input = js_sys::Object::new();
    Reflect::set(&input, &"agent".into(), &"msa".into()).unwrap();
    Reflect::set(&input, &"event".into(), &"submit".into()).unwrap();
    Reflect::set(&input, &"at".into(), &AT.into()).unwrap();
    Reflect::set(
        &input,
        &"message".into(),
        &js_sys::Uint8Array::from(DRAFT.as_bytes()),
    )
    .unwrap();
    let r0 = mmhs::wasm::audit_record(input.into()).expect("record");
    assert_eq!(get(&r0, "seq").as_f64(), Some(0.0));
    let next = js_sys::Object::new();
    Reflect::set(&next, &"agent".into(), &"msa".into()).unwrap();
    Reflect::set(&next, &"event".into(), &"release".into()).unwrap();
    Reflect::set(&next, &"at".into(), &AT.into()).unwrap();
    Reflect::set(&next, &"prev".into(), &r0).unwrap();
    Reflect::set(
        &next,
        &"facts".into(),
        &js(r#"{"officer": "officer@example.mil"}"#),
    )
    .unwrap();
    let r1 = mmhs::wasm::audit_record(next.into()).expect("record");
    assert_eq!(get(&r1, "prevHash"), get(&r0, "hash"));

    let log = js_sys::Array::of2(&r0, &r1);
    let v = mmhs::wasm::verify_audit_log(log.clone().into(), None).expect("verify");
    assert_eq!(get(&v, "valid").as_bool(), Some(true));

    Reflect::set(&r0, &"time".into(), &"2030-01-02T00:00:00Z".into()).unwrap();
    let v = mmhs::wasm::verify_audit_log(log.into(), None).expect("verify");
    assert_eq!(get(&v, "valid").as_bool(), Some(false));

    assert_error_code(
        mmhs::wasm::verify_audit_log(JsValue::from_str("not json"), None),
        "request-invalid",
    );
    assert_error_code(
        mmhs::wasm::audit_record(js(r#"{"agent": "robot", "event": "submit"}"#)),
        "request-invalid",
    );
}

#[wasm_bindgen_test]
fn compose_signs_with_the_request_signer() {
    let p = pki::get();
    let req = js(&serde_json::json!({
        "from": "drafter@example.mil", "to": ["hq@example.mil"], "subject": "Signed",
        "primaryPrecedence": "priority", "body": "Hold.\n", "sign": true,
        "signer": { "pkcs8": p.drafter.key, "certificate": p.drafter.cert }
    })
    .to_string());
    let out =
        mmhs::wasm::compose(req, Some(js(&format!("{{\"now\": \"{AT}\"}}")))).expect("compose");
    let arr: js_sys::Array = out.dyn_into().expect("array");
    let raw = bytes_of(&get(&arr.get(0), "raw"));
    assert!(String::from_utf8_lossy(&raw).contains("multipart/signed"));
    let report = mmhs::wasm::verify(js_sys::Uint8Array::from(&raw[..]).into(), verify_opts())
        .expect("verify");
    assert_eq!(get(&report, "valid").as_bool(), Some(true));
}

/// The WebCrypto provider in Chromium: `unlockKey` → non-extractable CryptoKeys, `signAsync`
/// verifies, `decryptAsync` gives what `decrypt` gives; a key for another certificate refused.
#[wasm_bindgen_test]
async fn unlock_sign_and_decrypt_with_webcrypto() {
    use wasm_bindgen_futures::JsFuture;
    let p = pki::get();
    let drafter = mmhs::wasm::unlock_key(key_use(&p.drafter))
        .await
        .expect("unlock");
    let keys = get(&drafter, "cryptoKeys");
    let ecdsa = get(&keys, "ECDSA");
    assert_eq!(get(&ecdsa, "extractable").as_bool(), Some(false));
    let signed = mmhs::wasm::sign_async(
        JsValue::from_str(DRAFT),
        drafter.clone(),
        Some(js(&format!("{{\"signingTime\": \"{AT}\"}}"))),
    )
    .await
    .expect("signAsync");
    let report = mmhs::wasm::verify(signed, verify_opts()).expect("verify");
    assert_eq!(get(&report, "valid").as_bool(), Some(true));

    let officer = mmhs::wasm::unlock_key(key_use(&p.officer))
        .await
        .expect("unlock");
    let enc = mmhs::wasm::encrypt(
        JsValue::from_str(DRAFT),
        js(&serde_json::json!([p.officer.cert]).to_string()),
        None,
    )
    .expect("encrypt");
    let sync = bytes_of(&mmhs::wasm::decrypt(enc.clone(), key_use(&p.officer)).expect("decrypt"));
    let async_ = mmhs::wasm::decrypt_async(enc.clone(), officer.clone())
        .await
        .expect("decryptAsync");
    assert_eq!(bytes_of(&async_), sync);
    // Not addressed to the drafter; the officer's keys with the drafter's certificate.
    assert_error_code(
        mmhs::wasm::decrypt_async(enc, drafter).await,
        "decrypt-no-recipient",
    );
    let mixed = js_sys::Object::assign(&Object::new(), officer.unchecked_ref());
    Reflect::set(
        &mixed,
        &"certificate".into(),
        &JsValue::from_str(&p.drafter.cert),
    )
    .unwrap();
    assert_error_code(
        mmhs::wasm::sign_async(JsValue::from_str(DRAFT), mixed.into(), None).await,
        "signer-key-invalid",
    );
    // The CryptoKey cannot be exported.
    let subtle = get(&get(&js_sys::global(), "crypto"), "subtle");
    let export: js_sys::Function = get(&subtle, "exportKey").dyn_into().unwrap();
    let promise: js_sys::Promise = export
        .call2(&subtle, &"pkcs8".into(), &ecdsa)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(JsFuture::from(promise).await.is_err());
}
