//! `compose(request, options?)`: a compose request (`docs/compose.md`) → finished messages
//! with their SMTP envelopes. The request is taken as a JS object or a JSON string and goes
//! through the very same JSON parser as the CLI ([`ComposeRequest::from_json`]: same size
//! limit, same unknown-field and type errors). The clock is `Date.now()` unless
//! `options.now` is given; randomness (Message-ID, boundaries) is `crypto.getRandomValues`.

use wasm_bindgen::prelude::*;

use super::{codes, error_value, from_js, from_js_or_default, js_error, now, to_js};
use crate::compose::{self, ComposeOptions, ComposeRequest};

/// Compose a request into one message per copy (open recipients, then one per Bcc).
/// Throws an `MmhsError` with the compose error's `.code` (e.g. `precedence-invalid`).
#[wasm_bindgen(js_name = compose, unchecked_return_type = "ComposedMessage[]")]
pub fn compose(
    #[wasm_bindgen(unchecked_param_type = "(ComposeRequest & { signer?: KeyUse }) | string")]
    request: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ComposeOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let mut options: ComposeOptions =
        from_js_or_default(options.unwrap_or(JsValue::UNDEFINED), "compose options")?;
    let request = take_signer(request, &mut options)?;
    let json = request_json(&request)?;
    let request = ComposeRequest::from_json(json.as_bytes()).map_err(|e| js_error(&e))?;
    let ctx = options.context(now()?);
    let material = options.material().map_err(|e| js_error(&e))?;
    let copies =
        compose::compose_with_material(&request, &ctx, &material, &mut crate::rng::system_rng())
            .map_err(|e| js_error(&e))?;

    let out = js_sys::Array::new();
    for copy in &copies {
        // Serialise the JSON form, then replace `raw` (base64 in JSON) by the bytes.
        let obj = to_js(copy)?;
        let raw = js_sys::Uint8Array::from(copy.raw.as_slice());
        js_sys::Reflect::set(&obj, &JsValue::from_str("raw"), &raw)
            .map_err(|_| error_value(codes::OUTPUT_UNSERIALIZABLE, "cannot set raw"))?;
        out.push(&obj);
    }
    Ok(out.into())
}

/// The request as JSON text: a string is taken as is, anything else is `JSON.stringify`-ed.
fn request_json(request: &JsValue) -> Result<String, JsValue> {
    if let Some(s) = request.as_string() {
        return Ok(s);
    }
    if !request.is_object() {
        return Err(error_value(
            codes::REQUEST_INVALID,
            "compose request: expected an object or a JSON string",
        ));
    }
    js_sys::JSON::stringify(request)
        .map_err(|e| {
            let why = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            error_value(codes::REQUEST_INVALID, &format!("compose request: {why}"))
        })?
        .as_string()
        .ok_or_else(|| error_value(codes::REQUEST_INVALID, "compose request: not serialisable"))
}

/// The extension passes the stored key as `request.signer` (docs/extension.md): take it out
/// of a request object (a copy; the caller's object is not changed) into `options.signer`.
fn take_signer(request: JsValue, options: &mut ComposeOptions) -> Result<JsValue, JsValue> {
    if !request.is_object() {
        return Ok(request);
    }
    let key = JsValue::from_str("signer");
    let signer = js_sys::Reflect::get(&request, &key).unwrap_or_default();
    if signer.is_undefined() || signer.is_null() {
        return Ok(request);
    }
    if options.signer.is_none() {
        options.signer = Some(from_js(signer, "compose request signer")?);
    }
    let copy = js_sys::Object::assign(&js_sys::Object::new(), request.unchecked_ref());
    let _ = js_sys::Reflect::delete_property(&copy, &key);
    Ok(copy.into())
}
