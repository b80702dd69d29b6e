//! The thin `#[wasm_bindgen]` facade (compiled only for `wasm32`): camelCase JS functions,
//! objects in and out through serde-wasm-bindgen (JSON-compatible: plain objects, `null`
//! for missing values), bytes as `Uint8Array`, errors as a JS `Error` whose `.code` is the
//! stable [`crate::Error::code`]. No logic lives here: each export converts its arguments,
//! supplies what the pure core must not fetch itself (the clock from `Date.now()`, the
//! randomness from `crypto.getRandomValues` through getrandom's `wasm_js` backend), calls
//! one core function and converts the result.
//!
//! One file per export family, mirroring `src/cli/<name>.rs`. To add an export:
//! 1. write `src/wasm/<name>.rs` with a `#[wasm_bindgen(js_name = camelName)]` function
//!    returning `Result<_, JsValue>` (never panicking: every failure goes through
//!    [`js_error`] / [`error_value`]);
//! 2. take its request as the core's request type (`SignRequest`, `VerifyRequest`, …, whose
//!    TypeScript is generated into `api.d.ts` by `tests/ts_types.rs`) and name those types in
//!    `unchecked_param_type` / `unchecked_return_type` on `JsValue` arguments;
//! 3. add `mod <name>;` below, a test in `tests/wasm_api.rs` (headless Chromium) and
//!    `tests/js/*.test.mjs` (Node), and a line in `docs/js-api.md`.
// `#[wasm_bindgen]` requires exported functions to be `pub`; they are reached from
// JavaScript through the generated bindings, not from Rust paths.
#![allow(unreachable_pub)]

use serde::{de::DeserializeOwned, Serialize};

use crate::coded::Coded;
use wasm_bindgen::prelude::*;

mod certificate;
#[cfg(feature = "send")]
mod compose;
mod content;
#[cfg(feature = "send")]
mod keys;
mod label;
mod material;
#[cfg(feature = "send")]
mod mdn;
#[cfg(feature = "rust-crypto")]
mod receipt;
#[cfg(feature = "send")]
mod release;
mod smime;
mod version;
mod vocabulary;
mod webcrypto;
mod webcrypto_content;
#[cfg(feature = "send")]
mod webcrypto_encrypt;

#[cfg(feature = "send")]
pub use compose::compose;
pub use content::{attachment_bytes, read_content};
#[cfg(feature = "send")]
pub use keys::import_pkcs12;
#[cfg(feature = "send")]
pub use label::label_check;
pub use label::{label_equivalents, label_receivable};
#[cfg(feature = "send")]
pub use receipt::make_receipt_js;
#[cfg(feature = "rust-crypto")]
pub use receipt::verify_receipt;
#[cfg(feature = "send")]
pub use release::{audit_record, mixer_map, release, release_gate, verify_audit_log};
pub use smime::inspect;
#[cfg(feature = "rust-crypto")]
pub use smime::{decrypt, verify};
#[cfg(feature = "send")]
pub use smime::{encrypt, sign};
pub use version::version;
#[cfg(feature = "send")]
pub use webcrypto::sign_async;
#[cfg(feature = "rust-crypto")]
pub use webcrypto::unlock_key;
pub use webcrypto::{decrypt_async, verify_async};

/// The request and response types of the core, generated from their Rust definitions by
/// `tests/ts_types.rs` (ts-rs): one contract for the CLI's `--json`, this facade and the
/// extension.
#[wasm_bindgen(typescript_custom_section)]
const TS_API: &'static str = include_str!("api.d.ts");

/// Shared TypeScript declarations used by every export.
#[wasm_bindgen(typescript_custom_section)]
const TS_COMMON: &'static str = r#"
/** Every error thrown by this package is an `Error` with a stable kebab-case `code`. */
export interface MmhsError extends Error {
  /** Stable machine-readable code, e.g. `"request-invalid"` (see docs/js-api.md, "Facade error codes", and docs/cli.md, "Error codes"). */
  code: string;
}
"#;

/// Error codes produced by the facade itself (the core's own codes pass through unchanged).
pub mod codes {
    /// A JS argument did not have the documented shape (wrong type, missing field …): the
    /// core's request code.
    pub const REQUEST_INVALID: &str = crate::request::REQUEST_INVALID;
    /// A result could not be converted to a JS value (a bug: please report).
    pub const OUTPUT_UNSERIALIZABLE: &str = "output-unserializable";
    /// `Date.now()` returned a value that is not a representable time.
    pub const CLOCK_INVALID: &str = "clock-invalid";
}

/// A JS `Error` with `name = "MmhsError"` and a `.code` property.
pub(crate) fn error_value(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("MmhsError");
    // `Reflect::set` can only fail on frozen/proxy targets; a fresh Error is neither.
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

/// Convert a core error (the aggregate [`crate::Error`] or a module's own) into a JS `Error`
/// with its stable `.code`.
pub(crate) fn js_error<E: Coded + std::fmt::Display + ?Sized>(e: &E) -> JsValue {
    error_value(e.code(), &e.to_string())
}

/// Serialize a Rust value into a plain JS value (objects, arrays, `null`; never `Map`).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error_value(codes::OUTPUT_UNSERIALIZABLE, &e.to_string()))
}

/// Deserialize a JS argument into a core request type; `what` names it in the error
/// message. The value goes through `JSON.stringify` and [`crate::request::from_json`], so the
/// facade accepts exactly the JSON the CLI reads (`--json`), with the same size bound and the
/// same `request-invalid` errors for unknown fields and wrong types (serde-wasm-bindgen would
/// silently skip unknown fields). Byte arguments are taken separately ([`material::bytes`]).
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    crate::request::from_json(json_text(&value, what)?.as_bytes(), what).map_err(|e| js_error(&e))
}

/// Like [`from_js`] for a JS value that is not a request object (a list of PEM texts …).
pub(crate) fn value_from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    crate::request::value_from_json(json_text(&value, what)?.as_bytes(), what)
        .map_err(|e| js_error(&e))
}

/// `JSON.stringify(value)`.
pub(crate) fn json_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    js_sys::JSON::stringify(value)
        .map_err(|e| {
            let why = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            error_value(codes::REQUEST_INVALID, &format!("{what}: {why}"))
        })?
        .as_string()
        .ok_or_else(|| {
            error_value(
                codes::REQUEST_INVALID,
                &format!("{what}: expected a JSON value, got undefined or a function"),
            )
        })
}

/// Like [`from_js`], but `undefined` / `null` give `T::default()` (optional option bags).
pub(crate) fn from_js_or_default<T: DeserializeOwned + Default>(
    value: JsValue,
    what: &str,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(value, what)
    }
}

/// The browser's (or Node's) clock, `Date.now()`, as a UTC time.
pub(crate) fn now() -> Result<time::OffsetDateTime, JsValue> {
    let ms = js_sys::Date::now();
    if !ms.is_finite() {
        return Err(error_value(
            codes::CLOCK_INVALID,
            "Date.now() is not finite",
        ));
    }
    // f64 → i128 saturates, never panics; the range check is in `from_unix_timestamp_nanos`.
    let nanos = (ms * 1_000_000.0) as i128;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map_err(|e| error_value(codes::CLOCK_INVALID, &format!("Date.now(): {e}")))
}
