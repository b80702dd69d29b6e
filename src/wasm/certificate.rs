//! `certificateInfo(pemOrDer)`: what a person is shown about a certificate before trusting it
//! or encrypting to it (subject, issuer, validity, e-mail addresses, SHA-256 fingerprint) —
//! the same JSON as `mmhs certificate-info` ([`crate::trust::certificate_info`]).

use wasm_bindgen::prelude::*;

use super::material::bytes;
use super::{js_error, to_js};

/// Inspect every certificate of a PEM text (or one DER certificate), in order. Throws
/// `certificate-malformed` / `certificate-missing`. Validates nothing.
#[wasm_bindgen(js_name = certificateInfo, unchecked_return_type = "CertificateInfo[]")]
pub fn certificate_info(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
) -> Result<JsValue, JsValue> {
    let input = bytes(&input, "certificate")?;
    let info = crate::trust::certificate_info(&input).map_err(|e| js_error(&e))?;
    to_js(&info)
}
