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
            return Ok(encoded);
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
/// surrogates become U+FFFD, as in a Rust `String` made from it), natively and in one pass.
/// A string whose UTF-8 is as long as it is (ASCII, as messages on the wire are) is written
/// by `encodeInto` straight into the module's memory (§8.2.2: it stops when the destination
/// is full, so a longer encoding is seen by `read`); any other is encoded by `encode` and
/// copied in once. `None` without a `TextEncoder`.
fn utf8(s: &js_sys::JsString) -> Option<Vec<u8>> {
    let class: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("TextEncoder"))
            .ok()?
            .dyn_into()
            .ok()?;
    let encoder = js_sys::Reflect::construct(&class, &js_sys::Array::new()).ok()?;
    let method = |name: &str| -> Option<js_sys::Function> {
        js_sys::Reflect::get(&encoder, &JsValue::from_str(name))
            .ok()?
            .dyn_into()
            .ok()
    };
    let units = s.length() as usize;
    if let Some(encode_into) = method("encodeInto") {
        let mut out = vec![0u8; units];
        // The view is made after the allocation (which may grow the memory) and used by
        // this one call only.
        let view = super::webcrypto::wasm_view(&out);
        let result = encode_into.call2(&encoder, s, &view).ok()?;
        let count = |k: &str| {
            js_sys::Reflect::get(&result, &JsValue::from_str(k))
                .ok()
                .and_then(|v| v.as_f64())
        };
        if count("read") == Some(units as f64) {
            let written = count("written")? as usize;
            out.truncate(written);
            return Some(out);
        }
    }
    let encoded: js_sys::Uint8Array = method("encode")?.call1(&encoder, s).ok()?.dyn_into().ok()?;
    Some(encoded.to_vec())
}

/// Bytes out as a `Uint8Array`.
pub(crate) fn uint8(bytes: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(bytes).into()
}

/// Octets given in pieces out as one `Uint8Array`, each piece copied into it once from the
/// module's memory ([`super::webcrypto::wasm_view`]: nothing is allocated in the module
/// between a view's making and its copy). `output-unserializable` past 4 GiB in all.
#[cfg(feature = "send")]
pub(crate) fn uint8_joined(pieces: &[&[u8]]) -> Result<JsValue, JsValue> {
    let too_long = || error_value(codes::OUTPUT_UNSERIALIZABLE, "the output exceeds 4 GiB");
    let total = pieces
        .iter()
        .try_fold(0u32, |n, p| n.checked_add(u32::try_from(p.len()).ok()?))
        .ok_or_else(too_long)?;
    let out = js_sys::Uint8Array::new_with_length(total);
    let mut at = 0u32;
    for p in pieces {
        out.set(&super::webcrypto::wasm_view(p), at);
        // Within `total`, which is a u32.
        at = at.saturating_add(p.len() as u32);
    }
    Ok(out.into())
}

/// Replace property `key` of a JS object by a `Uint8Array` of `bytes`.
pub(crate) fn set_bytes(obj: &JsValue, key: &str, bytes: &[u8]) -> Result<(), JsValue> {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), &uint8(bytes))
        .map(|_| ())
        .map_err(|_| error_value(codes::OUTPUT_UNSERIALIZABLE, &format!("cannot set {key}")))
}
