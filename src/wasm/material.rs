//! Inputs shared by the exports: message bytes, PEM certificates, and the core's stored key
//! ([`KeyUse`], the shape the extension keeps in `chrome.storage.local`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use x509_cert::Certificate;

use super::{codes, error_value, js_error};
use crate::keys;
pub(crate) use crate::smime::KeyUse;

#[wasm_bindgen(typescript_custom_section)]
const TS_MATERIAL: &'static str = r#"
/** A message as bytes, or as a string (UTF-8 encoded). */
export type MessageInput = Uint8Array | string;
"#;

/// Parse PEM texts (each may hold several CERTIFICATE blocks).
pub(crate) fn certs<T: AsRef<[u8]>>(pems: &[T]) -> Result<Vec<Certificate>, JsValue> {
    keys::certificates_from_texts(pems).map_err(|e| js_error(&e))
}

/// A message argument: `Uint8Array` (copied) or a string (UTF-8).
pub(crate) fn bytes(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = value.dyn_ref::<js_sys::JsString>() {
        if let Some(encoded) = utf8(s) {
            return Ok(encoded.to_vec());
        }
    }
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(a) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(a.to_vec());
    }
    Err(error_value(
        codes::REQUEST_INVALID,
        &format!("{what}: expected a Uint8Array or a string"),
    ))
}

/// A string's UTF-8 encoding by the host's `TextEncoder` (WHATWG Encoding §8.2: lone
/// surrogates become U+FFFD, as in a Rust `String` made from it), natively and in one pass,
/// so that a large message crosses into the module with one copy; `None` without a
/// `TextEncoder`.
fn utf8(s: &js_sys::JsString) -> Option<js_sys::Uint8Array> {
    let class: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("TextEncoder"))
            .ok()?
            .dyn_into()
            .ok()?;
    let encoder = js_sys::Reflect::construct(&class, &js_sys::Array::new()).ok()?;
    let encode: js_sys::Function = js_sys::Reflect::get(&encoder, &JsValue::from_str("encode"))
        .ok()?
        .dyn_into()
        .ok()?;
    encode.call1(&encoder, s).ok()?.dyn_into().ok()
}

/// Bytes out as a `Uint8Array`.
pub(crate) fn uint8(bytes: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(bytes).into()
}

/// Replace property `key` of a JS object by a `Uint8Array` of `bytes`.
pub(crate) fn set_bytes(obj: &JsValue, key: &str, bytes: &[u8]) -> Result<(), JsValue> {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), &uint8(bytes))
        .map(|_| ())
        .map_err(|_| error_value(codes::OUTPUT_UNSERIALIZABLE, &format!("cannot set {key}")))
}
