//! `inspect`, `sign`, `encrypt`, `decrypt`, `verify`: the message functions, each a thin call
//! of the core with the core's request type — the same JSON as the CLI subcommand of the same
//! name with `--json` (docs/js-api.md).

use wasm_bindgen::prelude::*;

#[cfg(feature = "rust-crypto")]
use super::from_js;
use super::material::bytes;
#[cfg(feature = "rust-crypto")]
use super::material::{uint8, KeyUse};
use super::{from_js_or_default, js_error, now, to_js};
#[cfg(feature = "send")]
use super::{material::certs, value_from_js};
#[cfg(feature = "send")]
use crate::domain::{EncryptRequest, SignRequest};
use crate::fields::InspectRequest;
#[cfg(feature = "rust-crypto")]
use crate::verify::VerifyRequest;

#[wasm_bindgen(typescript_custom_section)]
const TS_SMIME: &'static str = r#"
/** `verify` with `withContent`: the report and the innermost content to render. */
export interface VerifiedContent {
  report: VerifyReport;
  content: Uint8Array;
}

/** Former names of the request types. */
export type InspectOptions = InspectRequest;
export type SignOptions = SignRequest;
export type EncryptOptions = EncryptRequest;
export type VerifyOptions = VerifyRequest;
export type ReceiptOptions = MakeReceiptRequest;
export type ImportPkcs12Options = ImportPkcs12Request;
export type ReleaseGateOptions = ReleaseGateRequest;
"#;

/// The MMHS view of a message's header fields (`mmhs inspect`).
#[wasm_bindgen(js_name = inspect, unchecked_return_type = "MmhsView")]
pub fn inspect(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "InspectRequest")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let req: InspectRequest =
        from_js_or_default(options.unwrap_or(JsValue::UNDEFINED), "inspect request")?;
    let raw = bytes(&raw, "message")?;
    let view = crate::fields::inspect(&raw, &req.options(now()?)).map_err(|e| js_error(&e))?;
    to_js(&view)
}

/// The sign request of `sign` / `signAsync` (absent: every default).
#[cfg(feature = "send")]
pub(crate) fn sign_request(options: Option<JsValue>) -> Result<SignRequest, JsValue> {
    from_js_or_default(options.unwrap_or(JsValue::UNDEFINED), "sign request")
}

/// Sign a whole message (`mmhs sign`); returns the signed message.
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = sign, unchecked_return_type = "Uint8Array")]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeyUse")] signer: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SignRequest")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let key: KeyUse = from_js(signer, "signer")?;
    let req = sign_request(options)?;
    let raw = bytes(&raw, "message")?;
    let signer = key.signer().map_err(|e| js_error(&e))?;
    let out =
        crate::domain::sign_request(raw, &signer, &req, now()?, &mut crate::rng::system_rng())
            .map_err(|e| js_error(&e))?;
    Ok(uint8(&out))
}

/// Encrypt a whole message to recipient certificates (`mmhs encrypt`).
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = encrypt, unchecked_return_type = "Uint8Array")]
pub fn encrypt(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] recipients: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EncryptRequest")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (raw, recipients, req) = encrypt_args(&raw, recipients, options)?;
    let out = crate::domain::encrypt_request(
        raw,
        recipients,
        &req,
        now()?,
        &mut crate::rng::system_rng(),
    )
    .map_err(|e| js_error(&e))?;
    Ok(uint8(&out))
}

/// The arguments of `encrypt` and `encryptAsync`: the message, the recipient certificates
/// (PEM texts) and the request.
#[cfg(feature = "send")]
pub(crate) fn encrypt_args(
    raw: &JsValue,
    recipients: JsValue,
    options: Option<JsValue>,
) -> Result<(Vec<u8>, Vec<x509_cert::Certificate>, EncryptRequest), JsValue> {
    let req: EncryptRequest =
        from_js_or_default(options.unwrap_or(JsValue::UNDEFINED), "encrypt request")?;
    let pems: Vec<String> = value_from_js(recipients, "recipients")?;
    Ok((bytes(raw, "message")?, certs(&pems)?, req))
}

/// Decrypt an S/MIME encrypted message (`mmhs decrypt`).
#[cfg(feature = "rust-crypto")]
#[wasm_bindgen(js_name = decrypt, unchecked_return_type = "Uint8Array")]
pub fn decrypt(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeyUse")] key: JsValue,
) -> Result<JsValue, JsValue> {
    let key: KeyUse = from_js(key, "key")?;
    let raw = bytes(&raw, "message")?;
    let s = key.signer().map_err(|e| js_error(&e))?;
    let out = crate::smime::decrypt_message(&raw, &s.key, &s.cert).map_err(|e| js_error(&e))?;
    Ok(uint8(&out))
}

/// Verify every S/MIME layer; returns the report (docs/report.md) with `authorizingUsers`.
/// A message that does not verify is a report with `valid: false`, not an error.
#[cfg(feature = "rust-crypto")]
#[wasm_bindgen(js_name = verify, unchecked_return_type = "VerifyReport | VerifiedContent")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyRequest")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let req: VerifyRequest = from_js(options, "verify request")?;
    let raw = bytes(&raw, "message")?;
    let ctx = req.context(now()?).map_err(|e| js_error(&e))?;
    if req.with_content {
        let v = crate::verify::verify_message(&raw, &ctx).map_err(|e| js_error(&e))?;
        return verified_js(&v, true);
    }
    let report = crate::verify::verify(&raw, &ctx).map_err(|e| js_error(&e))?;
    to_js(&report)
}

/// A verification as `verify` returns it: the report, or `{ report, content }`.
pub(crate) fn verified_js(
    v: &crate::verify::Verified,
    with_content: bool,
) -> Result<JsValue, JsValue> {
    if !with_content {
        return to_js(&v.report);
    }
    let out = to_js(&WithContent { report: &v.report })?;
    super::material::set_bytes(&out, "content", &v.content)?;
    Ok(out)
}

/// `{ report, content }`: the report, then `content` set as bytes.
#[derive(serde::Serialize)]
struct WithContent<'a> {
    report: &'a crate::report::VerifyReport,
}
