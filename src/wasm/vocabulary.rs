//! `mmhsVocabulary()`: the standard precedences (with their STANAG4406 MT-PRIORITY) and
//! message types the compose panel offers — the same JSON as `mmhs vocabulary`
//! ([`crate::fields::vocabulary`]).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_VOCABULARY: &'static str = r#"
/** The standard values of RFC 6477 §3.8 / §3.10 (docs/js-api.md). */
export interface MmhsVocabulary {
  /** deferred (0) … override (5), with MT-PRIORITY under the STANAG4406 policy (RFC 6710 App. A). */
  precedences: Array<{ value: number; name: string; mtPriority: number }>;
  /** exercise (0) … drill (3). */
  messageTypes: Array<{ value: number; name: string }>;
}
"#;

/// The standard precedences and message types.
#[wasm_bindgen(js_name = mmhsVocabulary, unchecked_return_type = "MmhsVocabulary")]
pub fn mmhs_vocabulary() -> Result<JsValue, JsValue> {
    super::to_js(&crate::fields::vocabulary::vocabulary())
}
