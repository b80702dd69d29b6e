//! `importPkcs12(p12, password, options?)`: a PKCS#12 file → the core's `ImportedKey`
//! ([`crate::trust::import_pkcs12_request`]): the private key re-encrypted as an `ENCRYPTED
//! PRIVATE KEY` PEM under the export password (default: the PKCS#12 password), the
//! certificate and chain as PEM, and the certificate's e-mail addresses — the same JSON as
//! `mmhs import-pkcs12`. The plaintext key never leaves the core.

use wasm_bindgen::prelude::*;

use super::material::bytes;
use super::{from_js_or_default, js_error, to_js};
use crate::trust::{import_pkcs12_request, ImportPkcs12Request};

/// Import a PKCS#12 file (`mmhs import-pkcs12`).
#[wasm_bindgen(js_name = importPkcs12, unchecked_return_type = "ImportedKey")]
pub fn import_pkcs12(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] p12: JsValue,
    password: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportPkcs12Request")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let req: ImportPkcs12Request = from_js_or_default(
        options.unwrap_or(JsValue::UNDEFINED),
        "importPkcs12 request",
    )?;
    let der = bytes(&p12, "PKCS#12 file")?;
    let out = import_pkcs12_request(&der, password, &req, &mut crate::rng::system_rng())
        .map_err(|e| js_error(&e))?;
    to_js(&out)
}
