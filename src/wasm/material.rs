//! Inputs shared by the exports: message bytes, PEM certificates, and the core's stored key
//! ([`KeyUse`], the shape the extension keeps in `chrome.storage.local`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use x509_cert::Certificate;

use super::{codes, error_value, js_error};
use crate::keys;
#[cfg(feature = "rust-crypto")]
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

/// An output whose largest piece was copied out ahead ([`Self::copy_in`]) — a signed
/// entity multipart/signed carries in clear, copied while SubtleCrypto hashes it — into a
/// buffer with room for the pieces around it, which [`Self::finish`] writes.
#[cfg(feature = "send")]
pub(crate) struct Prefilled {
    buf: js_sys::Uint8Array,
    /// Where the piece lies in the module's memory, and its length: the piece `finish` is
    /// given must be this very one.
    at: usize,
    len: u32,
    before: u32,
    after: u32,
}

#[cfg(feature = "send")]
impl Prefilled {
    /// A buffer of `before` + the piece + `after` octets, the piece copied in after
    /// `before`; `None` past 4 GiB.
    pub(crate) fn copy_in(piece: &[u8], before: usize, after: usize) -> Option<Prefilled> {
        let len = u32::try_from(piece.len()).ok()?;
        let before = u32::try_from(before).ok()?;
        let after = u32::try_from(after).ok()?;
        let total = before.checked_add(len)?.checked_add(after)?;
        let buf = js_sys::Uint8Array::new_with_length(total);
        buf.set(&super::webcrypto::wasm_view(piece), before);
        Some(Prefilled {
            buf,
            at: piece.as_ptr() as usize,
            len,
            before,
            after,
        })
    }

    /// The output `[head, piece, tail]` as one `Uint8Array`: a view of the buffer with the
    /// head written just before the piece and the tail just after it, when the piece is the
    /// one copied in and the head and tail fit; otherwise joined afresh ([`uint8_joined`]).
    pub(crate) fn finish(self, pieces: [&[u8]; 3]) -> Result<JsValue, JsValue> {
        let [head, piece, tail] = pieces;
        let fits = |p: &[u8], room: u32| u32::try_from(p.len()).is_ok_and(|n| n <= room);
        if piece.as_ptr() as usize != self.at
            || u32::try_from(piece.len()) != Ok(self.len)
            || !fits(head, self.before)
            || !fits(tail, self.after)
        {
            return uint8_joined(&pieces);
        }
        // Within `before` and `after`, which fit in u32 with the piece.
        let start = self.before - head.len() as u32;
        let end = self.before + self.len;
        self.buf.set(&super::webcrypto::wasm_view(head), start);
        self.buf.set(&super::webcrypto::wasm_view(tail), end);
        Ok(self.buf.subarray(start, end + tail.len() as u32).into())
    }
}

/// Replace property `key` of a JS object by a `Uint8Array` of `bytes`.
pub(crate) fn set_bytes(obj: &JsValue, key: &str, bytes: &[u8]) -> Result<(), JsValue> {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), &uint8(bytes))
        .map(|_| ())
        .map_err(|_| error_value(codes::OUTPUT_UNSERIALIZABLE, &format!("cannot set {key}")))
}
