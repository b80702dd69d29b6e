//! Label-based access control exports (docs/security.md): `labelCheck`, `labelReceivable`,
//! `labelEquivalents` — the same JSON as `mmhs label check|receivable|equivalents`, with the
//! policies given as the texts of their files.

use wasm_bindgen::prelude::*;

use super::{error_value, from_js, to_js};
use crate::label_policy::{policy::POLICY_INVALID, request};

fn policy_error(e: crate::label_policy::PolicyError) -> JsValue {
    error_value(POLICY_INVALID, &e.0)
}

/// The label decision for a message (`mmhs label check`).
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = labelCheck, unchecked_return_type = "LabelDecision")]
pub fn label_check(
    #[wasm_bindgen(unchecked_param_type = "CheckRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let r: request::CheckRequest = from_js(request, "label check request")?;
    to_js(&request::check(&r).map_err(policy_error)?)
}

/// Which classifications the recipients may receive (`mmhs label receivable`).
#[wasm_bindgen(js_name = labelReceivable, unchecked_return_type = "Array<ReceivableClass>")]
pub fn label_receivable(
    #[wasm_bindgen(unchecked_param_type = "ReceivableRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let r: request::ReceivableRequest = from_js(request, "label receivable request")?;
    to_js(&request::receivable(&r).map_err(policy_error)?)
}

/// The equivalent labels of a label (`mmhs label equivalents`).
#[wasm_bindgen(js_name = labelEquivalents, unchecked_return_type = "Array<Equivalent>")]
pub fn label_equivalents(
    #[wasm_bindgen(unchecked_param_type = "EquivalentsRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let r: request::EquivalentsRequest = from_js(request, "label equivalents request")?;
    to_js(&request::equivalents(&r).map_err(policy_error)?)
}
