//! Draft & Release exports (docs/release.md): `release`, `releaseGate`, `mixerMap`,
//! `auditRecord`, `verifyAuditLog` — the same JSON as `mmhs release`, `mmhs release-gate`,
//! `mmhs mixer`, `mmhs audit record` and `mmhs audit verify`.

use wasm_bindgen::prelude::*;

use super::material::{bytes, set_bytes};
use super::{codes, error_value, from_js, from_js_or_default, js_error, now, to_js};
use crate::release::{
    self, AuditRecord, AuditRecordRequest, AuditVerifyOptions, MixerRequest, ReleaseGateRequest,
    ReleaseOptions,
};

/// The release officer's procedure (`mmhs release --json`).
#[wasm_bindgen(js_name = release, unchecked_return_type = "ReleaseResult")]
pub fn release(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ReleaseOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: ReleaseOptions = from_js(options, "release options")?;
    let raw = bytes(&raw, "message")?;
    let clock = now()?;
    let ctx = o.context(clock).map_err(|e| js_error(&e))?;
    let result = o
        .release(&raw, None, &ctx, clock, &mut crate::rng::system_rng())
        .map_err(|e| js_error(&e))?;
    release_result_js(&result)
}

/// A `ReleaseResult` for JS: `message` as bytes.
pub(crate) fn release_result_js(result: &release::ReleaseResult) -> Result<JsValue, JsValue> {
    let obj = to_js(result)?;
    set_bytes(&obj, "message", &result.message)?;
    Ok(obj)
}

/// The submission gate (`mmhs release-gate`): transfer, release queue or refuse.
#[wasm_bindgen(js_name = releaseGate, unchecked_return_type = "GateDecision")]
pub fn release_gate(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ReleaseGateRequest")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o: ReleaseGateRequest = from_js_or_default(
        options.unwrap_or(JsValue::UNDEFINED),
        "release gate request",
    )?;
    let raw = bytes(&raw, "message")?;
    let ctx = o.context(now()?).map_err(|e| js_error(&e))?;
    to_js(&o.gate(&raw, &ctx).map_err(|e| js_error(&e))?)
}

/// MIXER mapping (`mmhs mixer to-x400|to-internet`): `heading` is an `InternetHeading`
/// (`{from, sender, authorizingUsers}`) for `toX400`, an `IpmsHeading`
/// (`{originator, authorizingUsers, headingExtensions}`) for `toInternet`.
#[wasm_bindgen(js_name = mixerMap, unchecked_return_type = "MixerResult")]
pub fn mixer_map(
    #[wasm_bindgen(unchecked_param_type = "InternetHeading | IpmsHeading")] heading: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MixerRequest")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: MixerRequest = from_js(options, "mixer request")?;
    let heading = super::json_text(&heading, "heading")?;
    to_js(&o.map(heading.as_bytes()).map_err(|e| js_error(&e))?)
}

/// Make the next audit record (`mmhs audit record`); the caller stores it.
#[wasm_bindgen(js_name = auditRecord, unchecked_return_type = "AuditRecord")]
pub fn audit_record(
    #[wasm_bindgen(unchecked_param_type = "AuditRecordRequest & { message?: MessageInput }")]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    // `message` is bytes: take it out before the JSON conversion of the rest.
    let message = js_sys::Reflect::get(&input, &JsValue::from_str("message")).unwrap_or_default();
    let rest = if input.is_object() {
        let copy = js_sys::Object::assign(&js_sys::Object::new(), input.unchecked_ref());
        let _ = js_sys::Reflect::delete_property(&copy, &JsValue::from_str("message"));
        JsValue::from(copy)
    } else {
        input
    };
    let a: AuditRecordRequest = from_js(rest, "audit record request")?;
    let message = if message.is_undefined() || message.is_null() {
        None
    } else {
        Some(bytes(&message, "message")?)
    };
    to_js(
        &a.record(message.as_deref(), now()?)
            .map_err(|e| js_error(&e))?,
    )
}

/// Check an audit log (`mmhs audit verify`): an array of records, oldest first, or the
/// JSON-lines text.
#[wasm_bindgen(js_name = verifyAuditLog, unchecked_return_type = "AuditVerification")]
pub fn verify_audit_log(
    #[wasm_bindgen(unchecked_param_type = "AuditRecord[] | string")] records: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AuditVerifyOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let mut opts: AuditVerifyOptions = from_js_or_default(
        options.unwrap_or(JsValue::UNDEFINED),
        "audit verify options",
    )?;
    let records: Vec<AuditRecord> = match records.as_string() {
        Some(text) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    error_value(
                        codes::REQUEST_INVALID,
                        &format!("audit log line {}: {e}", i + 1),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        None => super::value_from_js(records, "audit log")?,
    };
    if opts.now.is_none() {
        opts.now = now()?
            .format(&time::format_description::well_known::Rfc3339)
            .ok();
    }
    to_js(&release::verify_audit_log(&records, &opts))
}
