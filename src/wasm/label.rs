//! Label-based access control exports (docs/security.md): `labelCheck`, `labelReceivable`,
//! `labelEquivalents` — the same JSON as `mmhs label check|receivable|equivalents`, with the
//! policies given as the texts of their files.

use wasm_bindgen::prelude::*;

use super::{error_value, from_js, to_js};
use crate::label_policy::{policy::POLICY_INVALID, request};

#[wasm_bindgen(typescript_custom_section)]
const TS_LABEL: &'static str = r#"
/** A security policy file's text (docs/security.md, "Security policy files"). */
export type SecurityPolicyText = string;

/** The request of `labelCheck`. */
export interface LabelCheckRequest {
  policies: SecurityPolicyText[];
  /** The message's verification report (`verify`): its labels and military flag. */
  report?: VerifyReport;
  /** Recipients, certificate clearances, unlabelled mode (docs/security.md). */
  input?: Record<string, unknown>;
}

/** The request of `labelReceivable`. */
export interface LabelReceivableRequest {
  policies: SecurityPolicyText[];
  recipients: string[];
  /** The policy whose classifications are listed (default: the local one). */
  policy?: string;
}

/** The request of `labelEquivalents`. */
export interface LabelEquivalentsRequest {
  policies: SecurityPolicyText[];
  label: { policy: string; classification?: number; categories: Array<{ type: string; value: string }> };
}
"#;

fn policy_error(e: crate::label_policy::PolicyError) -> JsValue {
    error_value(POLICY_INVALID, &e.0)
}

/// The label decision for a message (`mmhs label check`).
#[wasm_bindgen(js_name = labelCheck, unchecked_return_type = "Record<string, unknown>")]
pub fn label_check(
    #[wasm_bindgen(unchecked_param_type = "LabelCheckRequest")] req: JsValue,
) -> Result<JsValue, JsValue> {
    let r: request::CheckRequest = from_js(req, "label check request")?;
    to_js(&request::check(&r).map_err(policy_error)?)
}

/// Which classifications the recipients may receive (`mmhs label receivable`).
#[wasm_bindgen(js_name = labelReceivable, unchecked_return_type = "Array<Record<string, unknown>>")]
pub fn label_receivable(
    #[wasm_bindgen(unchecked_param_type = "LabelReceivableRequest")] req: JsValue,
) -> Result<JsValue, JsValue> {
    let r: request::ReceivableRequest = from_js(req, "label receivable request")?;
    to_js(&request::receivable(&r).map_err(policy_error)?)
}

/// The equivalent labels of a label (`mmhs label equivalents`).
#[wasm_bindgen(js_name = labelEquivalents, unchecked_return_type = "Array<Record<string, unknown>>")]
pub fn label_equivalents(
    #[wasm_bindgen(unchecked_param_type = "LabelEquivalentsRequest")] req: JsValue,
) -> Result<JsValue, JsValue> {
    let r: request::EquivalentsRequest = from_js(req, "label equivalents request")?;
    to_js(&request::equivalents(&r).map_err(policy_error)?)
}
