//! `makeReceipt`, `verifyReceipt`: signed receipts (RFC 2634 §2; `docs/report.md` "Signed
//! receipts"), each a thin call of the core with the same inputs as `mmhs receipt` and
//! `mmhs verify --original` (docs/js-api.md).

use wasm_bindgen::prelude::*;

use super::material::bytes;
#[cfg(feature = "send")]
use super::material::KeyUse;
use super::{from_js, js_error, now, to_js};
use crate::verify::VerifyRequest;
#[cfg(feature = "send")]
use crate::verify::{MakeReceiptRequest, SignedReceipt};

#[cfg(feature = "send")]
#[derive(serde::Serialize)]
struct Made<'a> {
    to: &'a [String],
    identifier: &'a str,
}

/// The signed receipt `signer` (the recipient) returns for `raw` (`mmhs receipt`): `raw` is
/// verified first under `verifyOptions` (the recipient's key also opens it when encrypted);
/// refused with an `MmhsError` whose code is `receipt-refused-*` unless its report is valid
/// and a verified originator signature asks this recipient for a receipt.
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = makeReceipt, unchecked_return_type = "SignedReceipt")]
pub fn make_receipt_js(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeyUse")] signer: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyRequest")] verify_options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MakeReceiptRequest")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let v: VerifyRequest = from_js(verify_options, "verify request")?;
    let o: MakeReceiptRequest = from_js(options, "receipt request")?;
    let key: KeyUse = from_js(signer, "signer")?;
    let raw = bytes(&raw, "message")?;
    let signer = key.signer().map_err(|e| js_error(&e))?;
    let clock = now()?;
    let ctx = v.context(clock).map_err(|e| js_error(&e))?;
    let r = o
        .make(&raw, ctx, &signer, clock, &mut crate::rng::system_rng())
        .map_err(|e| js_error(&e))?;
    signed_receipt_js(&r)
}

/// A `SignedReceipt` for JS: `message` as bytes.
#[cfg(feature = "send")]
pub(crate) fn signed_receipt_js(r: &SignedReceipt) -> Result<JsValue, JsValue> {
    let out = to_js(&Made {
        to: &r.to,
        identifier: &r.identifier,
    })?;
    super::material::set_bytes(&out, "message", &r.message)?;
    Ok(out)
}

/// Verify a signed receipt against the original it answers (`mmhs verify --original`):
/// the report's `receipt.verified` says whether it proves receipt of `original`.
#[cfg(feature = "rust-crypto")]
#[wasm_bindgen(js_name = verifyReceipt, unchecked_return_type = "VerifyReport")]
pub fn verify_receipt(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] original: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyRequest")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: VerifyRequest = from_js(options, "verify request")?;
    let raw = bytes(&raw, "message")?;
    let mut ctx = o.context(now()?).map_err(|e| js_error(&e))?;
    ctx.original = Some(bytes(&original, "original")?);
    let report = crate::verify::verify(&raw, &ctx).map_err(|e| js_error(&e))?;
    to_js(&report)
}
