//! `readContent(raw, request?)` and `attachmentBytes(raw, index, request?)`: what a reader
//! shows of a verified message's content and the decoded octets of one attachment — the same
//! JSON as `mmhs content` ([`crate::mime::content`]). `raw` is the `content` of `verify`
//! (`withContent: true`), or a message as received.

use wasm_bindgen::prelude::*;

use super::material::{bytes, uint8};
use super::{from_js_or_default, js_error, to_js};
use crate::mime::content::{self, ContentLimits, ReadContentRequest};

/// The content view of `raw`. Throws `content-too-large`, `request-invalid`.
#[wasm_bindgen(js_name = readContent, unchecked_return_type = "ContentView")]
pub fn read_content(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ReadContentRequest")] request: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let req: ReadContentRequest =
        from_js_or_default(request.unwrap_or(JsValue::UNDEFINED), "content request")?;
    let raw = bytes(&raw, "message")?;
    let view =
        content::read_content(&raw, &req, &ContentLimits::default()).map_err(|e| js_error(&e))?;
    to_js(&view)
}

/// The decoded octets of attachment `index` of `readContent(raw, request)`. Throws
/// `attachment-not-found`, `attachment-undecodable`, `content-too-large`.
#[wasm_bindgen(js_name = attachmentBytes, unchecked_return_type = "Uint8Array")]
pub fn attachment_bytes(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    index: u32,
    #[wasm_bindgen(unchecked_optional_param_type = "ReadContentRequest")] request: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let req: ReadContentRequest =
        from_js_or_default(request.unwrap_or(JsValue::UNDEFINED), "content request")?;
    let raw = bytes(&raw, "message")?;
    let out = content::attachment_bytes(&raw, index as usize, &req, &ContentLimits::default())
        .map_err(|e| js_error(&e))?;
    Ok(uint8(&out))
}
