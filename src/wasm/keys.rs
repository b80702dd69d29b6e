//! `importPkcs12(p12, password, options?)`: a PKCS#12 file → the private key re-encrypted as
//! an `ENCRYPTED PRIVATE KEY` PEM (PKCS#8 PBES2, PBKDF2-HMAC-SHA256 + AES-256-CBC) under the
//! export password (default: the PKCS#12 password), the certificate and chain as PEM, and the
//! certificate's e-mail addresses — the same JSON as `mmhs import-pkcs12`. The plaintext key
//! never leaves the core.

use der::EncodePem;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::material::bytes;
use super::{from_js_or_default, js_error, to_js};
use crate::keys::{self, DEFAULT_PBKDF2_ITERATIONS};

#[wasm_bindgen(typescript_custom_section)]
const TS_KEYS: &'static str = r#"
/** Options of `importPkcs12`. */
export interface ImportPkcs12Options {
  /** Password to encrypt the exported key with; default: the PKCS#12 password. */
  exportPassword?: string;
  /** PBKDF2 iterations of the exported key (default 600000, at least 10000). */
  iterations?: number;
}

/** What `importPkcs12` returns. */
export interface ImportedKey {
  /** `ENCRYPTED PRIVATE KEY` PEM — use as `KeyUse.encryptedPkcs8`. */
  encryptedPkcs8: string;
  /** The key's certificate (PEM). */
  certificate: string;
  /** The file's other certificates (PEM each). */
  chain: string[];
  /** The certificate's e-mail addresses. */
  emails: string[];
  /** The certificate's subject (RFC 4514). */
  subject: string;
}
"#;

/// JS `ImportPkcs12Options`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ImportOpts {
    #[serde(default)]
    export_password: Option<String>,
    #[serde(default)]
    iterations: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Imported {
    encrypted_pkcs8: String,
    certificate: String,
    chain: Vec<String>,
    emails: Vec<String>,
    subject: String,
}

/// Import a PKCS#12 file (`mmhs import-pkcs12`).
#[wasm_bindgen(js_name = importPkcs12, unchecked_return_type = "ImportedKey")]
pub fn import_pkcs12(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] p12: JsValue,
    password: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportPkcs12Options")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o: ImportOpts = from_js_or_default(
        options.unwrap_or(JsValue::UNDEFINED),
        "importPkcs12 options",
    )?;
    let der = bytes(&p12, "PKCS#12 file")?;
    let bundle = keys::import_pkcs12(&der, password).map_err(|e| js_error(&e.into()))?;
    let pem = |c: &x509_cert::Certificate| {
        c.to_pem(der::pem::LineEnding::LF)
            .map_err(|e| js_error(&keys::Error::CertificateMalformed(e.to_string()).into()))
    };
    let out = Imported {
        encrypted_pkcs8: keys::export_encrypted_pkcs8_with_iterations(
            &bundle.key,
            o.export_password.as_deref().unwrap_or(password),
            o.iterations.unwrap_or(DEFAULT_PBKDF2_ITERATIONS),
            &mut crate::rng::system_rng(),
        )
        .map_err(|e| js_error(&e.into()))?,
        certificate: pem(&bundle.cert)?,
        chain: bundle.chain.iter().map(pem).collect::<Result<_, _>>()?,
        emails: crate::trust::email_addresses(&bundle.cert),
        subject: bundle.cert.tbs_certificate().subject().to_string(),
    };
    to_js(&out)
}
