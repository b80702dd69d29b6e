//! Malformed requests give typed errors with stable codes, never a panic.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::compose::*;
use mmhs::compose::{compose, ComposeContext, ComposeRequest, Limits};
use mmhs::error::Coded;

const BASE: &str = r#"{ "from": "alice@army.example", "to": ["bob@navy.example"],
  "primaryPrecedence": "routine", "body": "x" }"#;

/// Patch the base request with `patch` (top-level members replaced) and compose.
fn code_for(patch: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(BASE).unwrap();
    for (k, val) in patch.as_object().unwrap() {
        if val.is_null() {
            v.as_object_mut().unwrap().remove(k);
        } else {
            v[k] = val.clone();
        }
    }
    let json = serde_json::to_vec(&v).unwrap();
    match ComposeRequest::from_json(&json) {
        Err(e) => e.code().to_string(),
        Ok(req) => match compose(&req, &ctx(), &mut TestRng(1)) {
            Ok(_) => "ok".to_string(),
            Err(e) => {
                // every error has a non-empty human message too
                assert!(!e.to_string().is_empty());
                e.code().to_string()
            }
        },
    }
}

#[test]
fn base_is_ok() {
    assert_eq!(code_for(serde_json::json!({})), "ok");
}

#[test]
fn typed_errors() {
    use serde_json::json;
    let cases = [
        // precedences
        (json!({"primaryPrecedence": "urgent"}), "precedence-invalid"),
        (json!({"primaryPrecedence": 300}), "precedence-invalid"),
        (
            json!({"primaryPrecedence": "flash\r\nBcc: x@y.example"}),
            "precedence-invalid",
        ),
        (
            json!({"primaryPrecedence": null}),
            "primary-precedence-missing",
        ),
        (
            json!({"copyPrecedence": "routine"}),
            "copy-precedence-without-cc",
        ),
        (json!({"cc": ["c@x.example"]}), "copy-precedence-missing"),
        (
            json!({"to": [], "cc": ["c@x.example"], "copyPrecedence": "flash"}),
            "primary-precedence-without-to",
        ),
        // message type
        (json!({"messageType": "party"}), "message-type-invalid"),
        (
            json!({"messageType": {"type": "exercise", "identifier": "BAD\u{e9}"}}),
            "message-type-invalid",
        ),
        (json!({"messageType": 50}), "message-type-invalid"),
        (json!({"primaryPrecedence": 7}), "precedence-invalid"),
        (json!({"primaryPrecedence": "40"}), "precedence-invalid"),
        // RFC 6477 / RFC 2156 grammars (crate::fields types)
        (
            json!({"originatorReference": "\u{dc}BER"}),
            "military-string-invalid",
        ),
        (
            json!({"originatorPlad": "x".repeat(70)}),
            "military-string-invalid",
        ),
        (
            json!({"handlingInstructions": ["OK", "not;ok"]}),
            "military-string-invalid",
        ),
        (json!({"subjectIndicatorCodes": ["AB"]}), "sic-invalid"),
        (
            json!({"subjectIndicatorCodes": ["AAA","BBB","CCC","DDD","EEE","FFF","GGG","HHH","III"]}),
            "sic-invalid",
        ),
        (
            json!({"originalEncodedInformationTypes": ["Telex, G3-Fax"]}),
            "field-value-invalid",
        ),
        (
            json!({"originalEncodedInformationTypes": ["Smoke-Signals"]}),
            "field-value-invalid",
        ),
        // CR/LF and control characters in header values
        (
            json!({"subject": "hello\r\nBcc: eve@evil.example"}),
            "header-crlf",
        ),
        (json!({"subject": "hello\nworld"}), "header-crlf"),
        (json!({"subject": "bell\u{7}"}), "header-control-char"),
        (
            json!({"from": {"name": "A\r\nB", "address": "alice@army.example"}}),
            "header-crlf",
        ),
        (
            json!({"to": [{"name": "Bob\n", "address": "bob@navy.example"}]}),
            "header-crlf",
        ),
        (json!({"subject": "x".repeat(5000)}), "header-too-long"),
        (json!({"originatorReference": "REF\r\n1"}), "header-crlf"),
        (
            json!({"attachments": [{"filename": "a\r\nb.txt", "data": ""}]}),
            "filename-invalid",
        ),
        // addresses and recipients
        (json!({"from": null}), "from-missing"),
        (json!({"from": "not-an-address"}), "address-invalid"),
        (
            json!({"to": ["bob@navy.example>, <eve@evil.example"]}),
            "address-invalid",
        ),
        (json!({"to": []}), "no-recipients"),
        (
            json!({"bcc": ["BOB@NAVY.EXAMPLE"], "copyPrecedence": "routine"}),
            "recipient-duplicate",
        ),
        (
            json!({"from": ["a@army.example", "b@army.example"]}),
            "sender-required",
        ),
        // ids, notify, envid, times, language
        (
            json!({"references": ["not a msg id"]}),
            "message-id-invalid",
        ),
        (json!({"messageId": "<x@y"}), "message-id-invalid"),
        (json!({"notify": ["never", "failure"]}), "notify-invalid"),
        (json!({"notify": []}), "notify-invalid"),
        (json!({"notify": ["sometimes"]}), "request-invalid"),
        (json!({"envid": "x".repeat(101)}), "envid-invalid"),
        (json!({"expires": "2026-11-23T11:00:00Z"}), "time-in-past"),
        (
            json!({"deferredDelivery": "2026-11-23T11:00:00Z"}),
            "time-in-past",
        ),
        (
            json!({"deferredDelivery": "2026-11-24T11:00:00Z", "holdFor": 60}),
            "delivery-times-conflict",
        ),
        (
            json!({"deferredDelivery": "2026-11-24T11:00:00Z", "latestDelivery": "2026-11-24T10:00:00Z"}),
            "delivery-times-conflict",
        ),
        (json!({"holdFor": 0}), "time-out-of-range"),
        (json!({"language": ["en_GB"]}), "language-tag-invalid"),
        // attachments and forwarded messages
        (
            json!({"attachments": [{"filename": "a.bin", "data": "!!!"}]}),
            "base64-invalid",
        ),
        (
            json!({"attachments": [{"filename": "../etc/passwd", "data": ""}]}),
            "filename-invalid",
        ),
        (
            json!({"attachments": [{"filename": "a", "contentType": "multipart/mixed", "data": ""}]}),
            "content-type-invalid",
        ),
        (
            json!({"attachments": [{"filename": "a", "contentType": "text", "data": ""}]}),
            "content-type-invalid",
        ),
        (
            json!({"forwarded": [{"data": "bm90IGEgbWVzc2FnZQ=="}]}),
            "forwarded-invalid",
        ),
        // schema
        (
            json!({"expries": "2027-01-01T00:00:00Z"}),
            "request-invalid",
        ),
        (json!({"subject": 42}), "request-invalid"),
        (json!({"expires": "tomorrow"}), "request-invalid"),
    ];
    for (patch, want) in cases {
        assert_eq!(code_for(patch.clone()), want, "patch {patch}");
    }
}

#[test]
fn not_json() {
    let e = ComposeRequest::from_json(b"{ nope").unwrap_err();
    assert_eq!(e.code(), "request-invalid");
}

#[test]
fn oversized_request() {
    let big = vec![b' '; mmhs::compose::request::MAX_REQUEST_BYTES + 1];
    let e = ComposeRequest::from_json(&big).unwrap_err();
    assert_eq!(e.code(), "request-too-large");
}

#[test]
fn oversized_message_and_counts() {
    let limits = Limits {
        max_recipients: 2,
        max_attachments: 1,
        max_message_bytes: 4096,
    };
    let ctx: ComposeContext = ctx().with_limits(limits);
    let req = request(
        r#"{ "from": "alice@army.example", "to": ["b@x.example", "c@x.example", "d@x.example"],
             "primaryPrecedence": "routine" }"#,
    );
    let e = compose(&req, &ctx, &mut TestRng(1)).unwrap_err();
    assert_eq!(e.code(), "too-many-recipients");

    let big = "A".repeat(8000);
    let req = request(&format!(
        r#"{{ "from": "alice@army.example", "to": ["b@x.example"], "primaryPrecedence": "routine",
             "body": "{big}" }}"#
    ));
    let e = compose(&req, &ctx, &mut TestRng(1)).unwrap_err();
    assert_eq!(e.code(), "message-too-large");

    let req = request(
        r#"{ "from": "alice@army.example", "to": ["b@x.example"], "primaryPrecedence": "routine",
             "attachments": [ {"filename": "a", "data": ""}, {"filename": "b", "data": ""} ] }"#,
    );
    let e = compose(&req, &ctx, &mut TestRng(1)).unwrap_err();
    assert_eq!(e.code(), "too-many-attachments");
}

#[test]
fn errors_convert_to_crate_error_with_code() {
    let req = request(r#"{ "from": "alice@army.example", "to": ["b@x.example"] }"#);
    let e: mmhs::Error = compose(&req, &ctx(), &mut TestRng(1)).unwrap_err().into();
    assert_eq!(e.code(), "primary-precedence-missing");
    let j = mmhs::error::ErrorJson::from(&e);
    assert_eq!(j.code, "primary-precedence-missing");
}
