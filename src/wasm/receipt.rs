//! `makeReceipt`, `verifyReceipt`: signed receipts (RFC 2634 §2; `docs/report.md` "Signed
//! receipts"), each a thin call of the core with the same inputs as `mmhs receipt` and
//! `mmhs verify --original` (docs/js-api.md).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use wasm_bindgen::prelude::*;

use super::material::{bytes, KeyUse};
use super::smime::VerifyOpts;
use super::{from_js, js_error, now, to_js};
use crate::verify::{make_receipt, ReceiptOptions};

#[wasm_bindgen(typescript_custom_section)]
const TS_RECEIPT: &'static str = r#"
/** Options of `makeReceipt`'s receipt message. */
export interface ReceiptOptions {
  /** Message-ID of the receipt message, without angle brackets. */
  messageId: string;
  /** Date and signingTime of the receipt (RFC 3339); default `Date.now()`. */
  date?: string;
  /** Include the recipient's certificate and chain (default true). */
  includeCerts?: boolean;
  /** Identify the signer by subjectKeyIdentifier. */
  useSki?: boolean;
}

/** A signed receipt ready to send: the message and its SMTP recipients (receiptsTo). */
export interface SignedReceipt {
  message: Uint8Array;
  to: string[];
  /** The signedContentIdentifier answered, hex. */
  identifier: string;
}
"#;

/// JS `ReceiptOptions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReceiptOpts {
    message_id: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    date: Option<OffsetDateTime>,
    include_certs: Option<bool>,
    #[serde(default)]
    use_ski: bool,
}

#[derive(Serialize)]
struct Made<'a> {
    to: &'a [String],
    identifier: &'a str,
}

/// The signed receipt `signer` (the recipient) returns for `raw` (`mmhs receipt`): `raw` is
/// verified first under `verifyOptions` (the recipient's key also opens it when encrypted);
/// refused with an `MmhsError` whose code is `receipt-refused-*` unless its report is valid
/// and a verified originator signature asks this recipient for a receipt.
#[wasm_bindgen(js_name = makeReceipt, unchecked_return_type = "SignedReceipt")]
pub fn make_receipt_js(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeyUse")] signer: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] verify_options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ReceiptOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let v: VerifyOpts = from_js(verify_options, "verify options")?;
    let o: ReceiptOpts = from_js(options, "receipt options")?;
    let key: KeyUse = from_js(signer, "signer")?;
    let raw = bytes(&raw, "message")?;
    let signer = key.signer()?;
    let mut ctx = v.context()?;
    ctx.certificates.extend(signer.chain.iter().cloned());
    ctx.decryption_keys
        .push((signer.key.clone(), signer.cert.clone()));
    let opts = ReceiptOptions {
        date: match o.date.or(v.at) {
            Some(t) => t,
            None => now()?,
        },
        message_id: o.message_id,
        include_certs: o.include_certs.unwrap_or(true),
        use_ski: o.use_ski,
    };
    let r = make_receipt(&raw, &ctx, &signer, &opts, &mut crate::rng::system_rng())
        .map_err(|e| js_error(&e.into()))?;
    let out = to_js(&Made {
        to: &r.to,
        identifier: &r.identifier,
    })?;
    super::material::set_bytes(&out, "message", &r.message)?;
    Ok(out)
}

/// Verify a signed receipt against the original it answers (`mmhs verify --original`):
/// the report's `receipt.verified` says whether it proves receipt of `original`.
#[wasm_bindgen(js_name = verifyReceipt, unchecked_return_type = "VerifyReport")]
pub fn verify_receipt(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] original: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: VerifyOpts = from_js(options, "verify options")?;
    let raw = bytes(&raw, "message")?;
    let mut ctx = o.context()?;
    ctx.original = Some(bytes(&original, "original")?);
    let report = crate::verify::verify(&raw, &ctx).map_err(|e| js_error(&e.into()))?;
    to_js(&report)
}
