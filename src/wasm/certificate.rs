//! Certificates as a user is shown them: `certificateInfo(pemOrDer)` (subject, issuer,
//! validity, e-mail addresses, SHA-256 fingerprint — the same JSON as `mmhs
//! certificate-info`, [`crate::trust::certificate_info`]), `certificateStatus(request)`
//! (whether it validates now against the user's anchors, and the path to the anchor — `mmhs
//! certificate-status`, [`crate::trust::certificate_status`]) and
//! `encryptionRecipients(request)` (the certificate each recipient will be encrypted to —
//! `mmhs encryption-recipients`, [`crate::domain::encryption_recipients`]).

use wasm_bindgen::prelude::*;

use super::material::bytes;
#[cfg(feature = "rust-crypto")]
use super::{from_js, now};
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

/// A certificate's facts, its validation for a purpose against the trust anchors at a time
/// (default: now) and the path that validated.
#[cfg(feature = "rust-crypto")]
#[wasm_bindgen(js_name = certificateStatus, unchecked_return_type = "CertificateStatus")]
pub fn certificate_status(
    #[wasm_bindgen(unchecked_param_type = "CertificateStatusRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let req: crate::trust::CertificateStatusRequest =
        from_js(request, "certificate status request")?;
    let status = crate::trust::certificate_status(&req, now()?).map_err(|e| js_error(&e))?;
    to_js(&status)
}

/// Per recipient of `request.rcpt`, the certificates `encrypt` with this request would choose
/// and those it refuses, with why.
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = encryptionRecipients, unchecked_return_type = "RecipientCertificates[]")]
pub fn encryption_recipients(
    #[wasm_bindgen(unchecked_param_type = "EncryptRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let req: crate::domain::EncryptRequest = from_js(request, "encrypt request")?;
    let out = crate::domain::encryption_recipients(&req, now()?).map_err(|e| js_error(&e))?;
    to_js(&out)
}
