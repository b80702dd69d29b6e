//! `version()`: which build of the core is loaded.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_VERSION: &'static str = r#"
/** Version information of the loaded core. */
export interface VersionInfo {
  /** The crate version, e.g. `"0.1.0"`. */
  version: string;
  /** Always `"wasm32"` in this package (the CLI reports its native target). */
  target: string;
}
"#;

#[derive(serde::Serialize)]
struct VersionInfo {
    version: &'static str,
    target: &'static str,
}

/// The crate version and target, e.g. `{ version: "0.1.0", target: "wasm32" }`.
#[wasm_bindgen(js_name = version, unchecked_return_type = "VersionInfo")]
pub fn version() -> Result<JsValue, JsValue> {
    super::to_js(&VersionInfo {
        version: env!("CARGO_PKG_VERSION"),
        target: "wasm32",
    })
}
