//! Golden corpus for `mmhs::inspect`: every `tests/vectors/mmhs/*.eml` must produce the view
//! in the matching `*.json`, with LF and with CRLF line ends (both occur in
//! stored mail; RFC 5322 §2.1 requires CRLF on the wire). On mismatch
//! the actual view is written to `*.failed` (LF run) or `*.crlf.failed` next to the vector.
//! Set `MMHS_UPDATE_GOLDEN=1` to (re)write missing `.json` files — review them by hand.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use mmhs::fields::{inspect, InspectOptions};

use crate::support::golden::{line_end_variants, matches};

fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-01-01 00:00:00 UTC)
}

fn vectors() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/mmhs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    v.sort();
    v
}

#[test]
fn golden_corpus() {
    let opts = InspectOptions {
        now: Some(now()),
        ..Default::default()
    };
    let files = vectors();
    assert!(files.len() >= 10, "corpus missing");
    let mut failures = Vec::new();
    for eml in &files {
        let raw = std::fs::read(eml).unwrap();
        let expected_path = eml.with_extension("json");
        for (variant, input, failed_ext) in line_end_variants(&raw) {
            let view = inspect(&input, &opts).unwrap_or_else(|e| panic!("{}: {e}", eml.display()));
            let actual = serde_json::to_value(&view).unwrap();
            if !matches(&expected_path, failed_ext, &actual) {
                failures.push(format!("{} ({variant})", eml.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (see .failed files): {failures:#?}"
    );
}

#[test]
fn views_round_trip_through_json() {
    let opts = InspectOptions {
        now: Some(now()),
        ..Default::default()
    };
    for eml in vectors() {
        let view = inspect(&std::fs::read(&eml).unwrap(), &opts).unwrap();
        let json = serde_json::to_string(&view).unwrap();
        let back: mmhs::fields::MmhsView = serde_json::from_str(&json).unwrap();
        assert_eq!(back, view, "{}", eml.display());
    }
}

#[test]
fn options_json() {
    let o: InspectOptions = serde_json::from_str(r#"{"now":"2026-01-01T00:00:00Z"}"#).unwrap();
    assert_eq!(o.now, Some(now()));
    let o: InspectOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(o.now, None);
}

#[test]
fn unusable_input_is_an_error_with_a_code() {
    use mmhs::error::Coded;
    let opts = InspectOptions::default();
    for (input, code) in [
        (&b""[..], "not-a-message"),
        (b"just some text\n", "not-a-message"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not-a-message"),
    ] {
        assert_eq!(inspect(input, &opts).unwrap_err().code(), code);
    }
    let top: mmhs::Error = inspect(b"", &opts).unwrap_err().into();
    assert_eq!(top.code(), "not-a-message");
}

/// `readerPrecedence` (MMHS profile §3.5.1, §3.5.2): the To recipient of the all-fields vector
/// acts on its primary precedence (FLASH), the Cc recipient on the copy precedence (DEFERRED);
/// an address only in a display name, or in no recipient field, gets no precedence.
#[test]
fn reader_precedence_by_recipient_field() {
    let raw = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/mmhs/rfc6477-all-fields.eml"),
    )
    .unwrap();
    let view = |reader: &str| {
        let opts = InspectOptions {
            now: Some(now()),
            reader: Some(reader.into()),
        };
        serde_json::to_value(inspect(&raw, &opts).unwrap()).unwrap()["readerPrecedence"].clone()
    };
    assert_eq!(
        view("CMDR@ship.example.mil"),
        serde_json::json!({ "reader": "CMDR@ship.example.mil", "role": "action", "field": "To",
                            "precedence": { "value": 4, "name": "flash" } })
    );
    assert_eq!(
        view("ops@hq.example.mil"),
        serde_json::json!({ "reader": "ops@hq.example.mil", "role": "information", "field": "Cc",
                            "precedence": { "value": 0, "name": "deferred" } })
    );
    // the display name "Cmdr" is no address; the exempted address is no recipient
    for reader in ["Cmdr", "exempt1@hq.example.mil"] {
        assert_eq!(view(reader)["role"], "notListed");
        assert!(view(reader).get("precedence").is_none());
    }
    // without a reader nothing is claimed
    let plain = serde_json::to_value(
        inspect(
            &raw,
            &InspectOptions {
                now: Some(now()),
                ..Default::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert!(plain.get("readerPrecedence").is_none());
}
