//! `certificateInfo(pemOrDer)`: what a person is shown about a certificate before trusting it
//! or encrypting to it (subject, issuer, validity, e-mail addresses, SHA-256 fingerprint) —
//! the same JSON as `mmhs certificate-info` ([`crate::trust::certificate_info`]).

use wasm_bindgen::prelude::*;

use super::material::bytes;
use super::{js_error, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS_CERTIFICATE: &'static str = r#"
/** One certificate as `certificateInfo` shows it (docs/js-api.md). */
export interface CertificateInfo {
  /** RFC 4514 subject, most specific RDN first (`CN=…,O=…`). */
  subject: string;
  /** RFC 4514 issuer. */
  issuer: string;
  /** Serial number, upper-case hex. */
  serialNumber: string;
  /** notBefore, RFC 3339 UTC. */
  notBefore: string;
  /** notAfter, RFC 3339 UTC. */
  notAfter: string;
  /** subjectAltName rfc822Name, then subject emailAddress; domain lower-cased, no duplicates. */
  emailAddresses: string[];
  /** SHA-256 of the DER, colon-separated upper-case hex. */
  sha256Fingerprint: string;
  /** The certificate as one PEM block (LF line ends), re-encoded from its DER. */
  pem: string;
}
"#;

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
