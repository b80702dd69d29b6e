//! The bulk content decryption of `decryptAsync` (and the content key import `encryptAsync`
//! shares): AES-CBC and AES-GCM by SubtleCrypto (W3C Web Cryptography API), a legacy cipher
//! WebCrypto lacks by the core (`crate::smime::key_operation::decrypt_content_with_rust`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::material::uint8;
use super::webcrypto::{algorithm, answer_bytes, js_message, subtle_call};
use crate::smime::{ContentDecryptCipher, ContentDecryptRequest, Error as SmimeError};

/// Import a content-encryption key as a non-extractable AES key for `usage`; the octets
/// handed to WebCrypto are overwritten with zeros afterwards. The outer `Err` is a caller
/// error, the inner one WebCrypto's refusal.
pub(crate) async fn import_content_key(
    name: &str,
    key: &[u8],
    usage: &str,
) -> Result<Result<JsValue, JsValue>, JsValue> {
    let usages: Array = std::iter::once(JsValue::from_str(usage)).collect();
    let key_js = Uint8Array::from(key);
    let r = subtle_call(
        "importKey",
        &[
            JsValue::from_str("raw"),
            key_js.clone().into(),
            algorithm(name, &[])?,
            JsValue::FALSE,
            usages.into(),
        ],
    )
    .await;
    key_js.fill(0, 0, key_js.length());
    Ok(r)
}

/// A decrypted content where it lies: the buffer SubtleCrypto returned (not copied into the
/// module), or what the core decrypted (a legacy cipher).
pub(crate) enum Plaintext {
    /// SubtleCrypto's answer.
    Js(Uint8Array),
    /// The pure-Rust provider's answer.
    Wasm(Vec<u8>),
}

impl Plaintext {
    /// The octets, in the module.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self {
            Plaintext::Js(a) => a.to_vec(),
            Plaintext::Wasm(v) => v,
        }
    }
}

/// Answer a content-decryption request with SubtleCrypto (AES-CBC, AES-GCM with the tag
/// appended to the ciphertext as WebCrypto expects); a legacy cipher WebCrypto lacks is
/// decrypted in wasm. `Err(JsValue)` is a caller error; `Ok(Err(_))` content that does not
/// decrypt (bad padding: `decrypt-failed`; a tag that does not verify: `decrypt-auth-failed`).
/// SubtleCrypto's answer is left where it is ([`Plaintext::Js`]).
pub(crate) async fn decrypt_content(
    req: &ContentDecryptRequest<'_>,
) -> Result<Result<Plaintext, SmimeError>, JsValue> {
    let (name, params) = match req.cipher {
        ContentDecryptCipher::AesCbc { iv } => ("AES-CBC", vec![("iv", uint8(&iv))]),
        ContentDecryptCipher::AesGcm { nonce, tag_len } => {
            let mut p = vec![
                ("iv", uint8(&nonce)),
                ("tagLength", JsValue::from((tag_len * 8) as u32)),
            ];
            if !req.aad.is_empty() {
                p.push(("additionalData", uint8(req.aad)));
            }
            ("AES-GCM", p)
        }
        ContentDecryptCipher::Legacy => {
            return Ok(
                crate::smime::key_operation::decrypt_content_with_rust(req).map(Plaintext::Wasm)
            )
        }
    };
    let key = match import_content_key(name, req.key, "decrypt").await? {
        Ok(k) => k,
        Err(e) => {
            return Ok(Err(SmimeError::DecryptFailed(format!(
                "WebCrypto importKey (content key) failed: {}",
                js_message(&e)
            ))))
        }
    };
    // The ciphertext reaches WebCrypto as one view of the module's memory (CBC), or with
    // the GCM tag appended in one buffer, as WebCrypto expects it.
    let data = if req.tag.is_empty() {
        super::webcrypto::wasm_view(req.ciphertext)
    } else {
        let data = Uint8Array::new_with_length((req.ciphertext.len() + req.tag.len()) as u32);
        data.subarray(0, req.ciphertext.len() as u32)
            .copy_from(req.ciphertext);
        data.subarray(req.ciphertext.len() as u32, data.length())
            .copy_from(req.tag);
        data
    };
    let r = subtle_call("decrypt", &[algorithm(name, &params)?, key, data.into()]).await;
    Ok(match r {
        Ok(v) => Ok(match v.dyn_ref::<js_sys::ArrayBuffer>() {
            Some(b) => Plaintext::Js(Uint8Array::new(b)),
            None => Plaintext::Wasm(answer_bytes(&v)?),
        }),
        Err(_) if name == "AES-GCM" => Err(SmimeError::DecryptAuthFailed(
            "AES-GCM authentication failed: the message was modified, or the key is wrong".into(),
        )),
        Err(_) => Err(SmimeError::DecryptFailed(
            "content did not decrypt (bad padding): wrong key or corrupted message".into(),
        )),
    })
}
