//! `encryptAsync`: the encryption steps of the core (`crate::smime::Encryption`) answered by
//! SubtleCrypto (W3C Web Cryptography API) — RSA-OAEP `encrypt` of the content-encryption
//! key with the recipient's public key, ECDH P-256 with a fresh non-extractable ephemeral key
//! (`generateKey`, `deriveBits`), and AES-CBC / AES-GCM `encrypt` of the content. The core
//! derives the key-encryption key and wraps the CEK (X9.63 KDF, AES key wrap: a few blocks)
//! and checks every answer (RSA ciphertext length, a valid ephemeral point, the first and
//! last content blocks).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::js_error;
use super::material::uint8;
use super::webcrypto::{algorithm, answer_bytes, get, js_message, smime_err, subtle_call};
use super::webcrypto_content::import_content_key;
use crate::smime::key_operation::OaepHash;
use crate::smime::{ContentEncryptRequest, Error as SmimeError, KeyWrapAnswer, KeyWrapRequest};

fn failed(what: &str, e: &JsValue) -> JsValue {
    smime_err(SmimeError::EncryptFailed(format!(
        "WebCrypto {what} failed: {}",
        js_message(e)
    )))
}

fn curve() -> [(&'static str, JsValue); 1] {
    [("namedCurve", JsValue::from_str("P-256"))]
}

/// Answer a key-transport or key-agreement request with SubtleCrypto.
pub(crate) async fn wrap_request(req: &KeyWrapRequest) -> Result<KeyWrapAnswer, JsValue> {
    match req {
        KeyWrapRequest::RsaOaep {
            hash,
            public_key,
            cek,
        } => {
            let h = match hash {
                OaepHash::Sha256 => "SHA-256",
                OaepHash::Sha384 => "SHA-384",
                OaepHash::Sha512 => "SHA-512",
                other => {
                    return Err(smime_err(SmimeError::UnsupportedAlgorithm(format!(
                        "RSA-OAEP with {other:?} is not produced"
                    ))))
                }
            };
            let alg = algorithm("RSA-OAEP", &[("hash", JsValue::from_str(h))])?;
            let usages: Array = std::iter::once(JsValue::from_str("encrypt")).collect();
            let key = subtle_call(
                "importKey",
                &[
                    JsValue::from_str("spki"),
                    uint8(public_key),
                    alg,
                    JsValue::FALSE,
                    usages.into(),
                ],
            )
            .await
            .map_err(|e| failed("importKey (RSA-OAEP public key)", &e))?;
            let cek_js = Uint8Array::from(&cek[..]);
            let ct = subtle_call(
                "encrypt",
                &[algorithm("RSA-OAEP", &[])?, key, cek_js.clone().into()],
            )
            .await;
            cek_js.fill(0, 0, cek_js.length());
            let ct = ct.map_err(|e| failed("encrypt (RSA-OAEP)", &e))?;
            Ok(KeyWrapAnswer::EncryptedKey(answer_bytes(&ct)?))
        }
        KeyWrapRequest::Ecdh { public_key } => {
            let usages: Array = std::iter::once(JsValue::from_str("deriveBits")).collect();
            let pair = subtle_call(
                "generateKey",
                &[algorithm("ECDH", &curve())?, JsValue::FALSE, usages.into()],
            )
            .await
            .map_err(|e| failed("generateKey (ECDH P-256)", &e))?;
            let public = subtle_call(
                "exportKey",
                &[JsValue::from_str("raw"), get(&pair, "publicKey")?],
            )
            .await
            .map_err(|e| failed("exportKey (ephemeral public key)", &e))?;
            let peer = subtle_call(
                "importKey",
                &[
                    JsValue::from_str("raw"),
                    uint8(public_key),
                    algorithm("ECDH", &curve())?,
                    JsValue::TRUE,
                    Array::new().into(),
                ],
            )
            .await
            .map_err(|e| failed("importKey (recipient public key)", &e))?;
            let z = subtle_call(
                "deriveBits",
                &[
                    algorithm("ECDH", &[("public", peer)])?,
                    get(&pair, "privateKey")?,
                    JsValue::from(256u32),
                ],
            )
            .await
            .map_err(|e| failed("deriveBits (ECDH)", &e))?;
            Ok(KeyWrapAnswer::Agreement {
                ephemeral_public_key: answer_bytes(&public)?,
                shared_secret: Zeroizing::new(answer_bytes(&z)?),
            })
        }
    }
}

/// Answer a content-encryption request with SubtleCrypto: AES-CBC (PKCS#7 padding, as CMS,
/// RFC 5652 §6.3) or AES-GCM with a 128-bit tag appended (RFC 5084 §3.2).
pub(crate) async fn encrypt_content(req: &ContentEncryptRequest<'_>) -> Result<Vec<u8>, JsValue> {
    let name = if req.cipher.is_aead() {
        "AES-GCM"
    } else {
        "AES-CBC"
    };
    let key = import_content_key(name, req.key, "encrypt")
        .await?
        .map_err(|e| failed("importKey (content key)", &e))?;
    let mut params = vec![("iv", uint8(req.iv))];
    if req.cipher.is_aead() {
        params.push(("tagLength", JsValue::from(128u32)));
        if !req.aad.is_empty() {
            params.push(("additionalData", uint8(req.aad)));
        }
    }
    let data: JsValue = Uint8Array::from(req.data).into();
    let ct = subtle_call("encrypt", &[algorithm(name, &params)?, key, data])
        .await
        .map_err(|e| failed("encrypt (content)", &e))?;
    answer_bytes(&ct)
}

/// `encrypt` with the public-key and bulk cipher work done by WebCrypto: the same options and
/// result.
#[wasm_bindgen(js_name = encryptAsync, unchecked_return_type = "Uint8Array")]
pub async fn encrypt_async(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] recipients: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EncryptRequest")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (raw, recipients, req) = super::smime::encrypt_args(&raw, recipients, options)?;
    let mut rng = crate::rng::system_rng();
    let e = crate::domain::begin_encrypt_request(raw, recipients, &req, super::now()?, &mut rng)
        .map_err(|e| js_error(&e))?;
    let mut answers = Vec::new();
    for r in e.requests() {
        answers.push(wrap_request(r).await?);
    }
    let pending = e.resume(answers, &mut rng).map_err(smime_err)?;
    let ct = encrypt_content(&pending.request()).await?;
    let out = pending.finish(ct).map_err(smime_err)?;
    Ok(uint8(&out))
}
