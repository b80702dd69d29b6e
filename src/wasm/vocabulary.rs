//! `mmhsVocabulary()`: the standard precedences (with their STANAG4406 MT-PRIORITY) and
//! message types the compose panel offers — the same JSON as `mmhs vocabulary`
//! ([`crate::fields::vocabulary`]).

use wasm_bindgen::prelude::*;

/// The standard precedences and message types.
#[wasm_bindgen(js_name = mmhsVocabulary, unchecked_return_type = "MmhsVocabulary")]
pub fn mmhs_vocabulary() -> Result<JsValue, JsValue> {
    super::to_js(&crate::fields::vocabulary::vocabulary())
}
