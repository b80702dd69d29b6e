//! Inputs shared by the exports: message bytes, PEM certificates, CRLs, and a stored key
//! (`KeyUse`: an `ENCRYPTED PRIVATE KEY` PEM with its password, or a plain PEM key, plus the
//! certificate and chain) — the shape the extension keeps in `chrome.storage.local`.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use x509_cert::Certificate;
use zeroize::Zeroize;

use super::{codes, error_value, js_error};
use crate::keys::{self, PrivateKey};
use crate::smime::Signer;

#[wasm_bindgen(typescript_custom_section)]
const TS_MATERIAL: &'static str = r#"
/** A private key with its certificate, as stored by the extension. Give `encryptedPkcs8`
 * (an `ENCRYPTED PRIVATE KEY` PEM, e.g. from `importPkcs12`) with its `password`, or a
 * plain PEM key in `pkcs8` (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`). */
export interface KeyUse {
  encryptedPkcs8?: string;
  pkcs8?: string;
  password?: string;
  /** The key's certificate (PEM). */
  certificate: string;
  /** Further certificates to include (PEM each). */
  chain?: string[];
}

/** A message as bytes, or as a string (UTF-8 encoded). */
export type MessageInput = Uint8Array | string;
"#;

/// JS `KeyUse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct KeyUse {
    #[serde(default)]
    encrypted_pkcs8: Option<String>,
    #[serde(default)]
    pkcs8: Option<String>,
    #[serde(default)]
    password: Option<String>,
    certificate: String,
    #[serde(default)]
    chain: Vec<String>,
}

impl Drop for KeyUse {
    fn drop(&mut self) {
        self.encrypted_pkcs8.zeroize();
        self.pkcs8.zeroize();
        self.password.zeroize();
    }
}

impl KeyUse {
    /// Decrypt / decode the key and check it matches the certificate.
    pub(crate) fn signer(&self) -> Result<Signer, JsValue> {
        let key = match (&self.encrypted_pkcs8, &self.pkcs8) {
            (Some(pem), _) => {
                let pw = self.password.as_deref().unwrap_or("");
                keys::import_encrypted_pkcs8(pem, pw).map_err(|e| js_error(&e.into()))?
            }
            (None, Some(pem)) => PrivateKey::from_pem(pem).map_err(|e| js_error(&e.into()))?,
            (None, None) => {
                return Err(error_value(
                    codes::REQUEST_INVALID,
                    "key: give encryptedPkcs8 (with password) or pkcs8",
                ))
            }
        };
        let mut certs = certs(&[self.certificate.as_str()])?;
        if certs.is_empty() {
            return Err(js_error(&keys::Error::NoCertificate.into()));
        }
        let cert = certs.remove(0);
        let chain_refs: Vec<&str> = self.chain.iter().map(String::as_str).collect();
        certs.extend(self::certs(&chain_refs)?);
        let s = Signer {
            key,
            cert,
            chain: certs,
        };
        s.check().map_err(|e| js_error(&e.into()))?;
        Ok(s)
    }
}

/// Parse PEM texts (each may hold several CERTIFICATE blocks).
pub(crate) fn certs(pems: &[&str]) -> Result<Vec<Certificate>, JsValue> {
    let mut out = Vec::new();
    for p in pems {
        out.extend(
            keys::certificates_from_der_or_pem(p.as_bytes()).map_err(|e| js_error(&e.into()))?,
        );
    }
    Ok(out)
}

/// Parse CRLs given as PEM (`X509 CRL` blocks).
pub(crate) fn crls(pems: &[String]) -> Result<Vec<Vec<u8>>, JsValue> {
    let mut out = Vec::new();
    for p in pems {
        for block in keys::pem_blocks(p) {
            let (label, der) = block.map_err(|e| js_error(&e.into()))?;
            if label == "X509 CRL" {
                out.push(der);
            }
        }
    }
    Ok(out)
}

/// A message argument: `Uint8Array` (copied) or a string (UTF-8).
pub(crate) fn bytes(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(a) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(a.to_vec());
    }
    Err(error_value(
        codes::REQUEST_INVALID,
        &format!("{what}: expected a Uint8Array or a string"),
    ))
}

/// Bytes out as a `Uint8Array`.
pub(crate) fn uint8(bytes: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(bytes).into()
}

/// Replace property `key` of a JS object by a `Uint8Array` of `bytes`.
pub(crate) fn set_bytes(obj: &JsValue, key: &str, bytes: &[u8]) -> Result<(), JsValue> {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), &uint8(bytes))
        .map(|_| ())
        .map_err(|_| error_value(codes::OUTPUT_UNSERIALIZABLE, &format!("cannot set {key}")))
}
