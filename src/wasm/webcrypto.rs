//! The WebCrypto provider (`crate::smime::key_operation`): `unlockKey`, `signAsync`,
//! `decryptAsync`, `verifyAsync`, `verifyReceiptAsync`, `makeReceiptAsync`, `releaseAsync`
//! (and `encryptAsync`, `webcrypto_encrypt`). The core begins the operation and names the
//! private-key operation it needs; this file answers it with SubtleCrypto (W3C Web Cryptography API) on a
//! non-extractable `CryptoKey`, or with the caller's own `sign` / `decrypt` callbacks, and
//! resumes the core. The core checks every answer (signatures are verified against the
//! certificate; content keys must decrypt and authenticate the content).
//!
//! Where WebCrypto lacks the algorithm the request is refused with `unsupported-algorithm`
//! and the sync exports (pure-Rust provider, password-encrypted key) remain:
//! RSAES-PKCS1-v1_5 key transport (not in WebCrypto), RSAES-OAEP whose MGF1 hash differs from
//! its hash or uses SHA-224 (a WebCrypto RSA-OAEP key fixes one hash for both).

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroizing;

#[cfg(feature = "send")]
use super::material::uint8_joined;
#[cfg(feature = "rust-crypto")]
use super::material::KeyUse;
use super::material::{bytes, certs, uint8};
use super::webcrypto_content::Plaintext;
use super::{error_value, from_js, js_error};
#[cfg(feature = "rust-crypto")]
use crate::keys::PrivateKey;
#[cfg(feature = "send")]
use crate::smime::key_operation::{ecdsa_der_from_fixed, SignRequest, SignatureScheme};
use crate::smime::key_operation::{DecryptRequest, DigestRequest, OaepHash, RsaDecryption};
use crate::smime::{DigestAlg, Error as SmimeError};
use crate::trust::{CheckHash, CheckKey, SignatureCheck};

#[wasm_bindgen(typescript_custom_section)]
const TS_WEBCRYPTO: &'static str = r#"
/** A private key held outside the core: its certificate and chain, and either the
 *  non-extractable WebCrypto keys of `unlockKey` (`cryptoKeys`) or callbacks that answer the
 *  core's requests (`sign`, `decrypt`; ECDSA signatures as WebCrypto returns them, r || s). */
export interface AsyncKey {
  certificate: string;
  chain?: string[];
  /** "rsa" or "ec" (set by `unlockKey`). */
  kind?: "rsa" | "ec";
  /** Set by `unlockKey`: name → non-extractable CryptoKey, e.g. "RSASSA-PKCS1-v1_5/SHA-256",
   *  "RSA-PSS/SHA-256", "RSA-OAEP/SHA-1", "ECDSA", "ECDH". */
  cryptoKeys?: Record<string, CryptoKey>;
  sign?: (request: SignKeyRequest) => Promise<Uint8Array | ArrayBuffer>;
  decrypt?: (request: DecryptKeyRequest) => Promise<Uint8Array | ArrayBuffer>;
}

/** "Sign `data`": the DER SignedAttributes (RFC 5652 §5.4). */
export interface SignKeyRequest {
  scheme: "rsaPkcs1v15" | "rsaPss" | "ecdsa";
  hash: "sha256" | "sha384" | "sha512";
  saltLength: number;
  data: Uint8Array;
}

/** "Decrypt this content-encryption key" (RSA) or "agree a secret with this ephemeral key"
 *  (ECDH P-256: answer the 32-octet shared secret Z). */
export type DecryptKeyRequest =
  | { op: "rsa"; scheme: { name: "pkcs1v15" } | { name: "oaep"; hash: string; mgfHash: string }; ciphertext: Uint8Array; label: Uint8Array }
  | { op: "ecdh"; publicKey: Uint8Array };
"#;

pub(crate) fn smime_err(e: SmimeError) -> JsValue {
    js_error(&e)
}

pub(crate) fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

pub(crate) fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(obj, &JsValue::from_str(key), value).map(|_| ())
}

/// `globalThis.crypto.subtle`.
fn subtle() -> Result<JsValue, JsValue> {
    let s = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    if s.is_undefined() || s.is_null() {
        return Err(js_error(&SmimeError::UnsupportedAlgorithm(
            "WebCrypto (crypto.subtle) is not available here".into(),
        )));
    }
    Ok(s)
}

/// Call `crypto.subtle[method](...args)`: its promise, the call started (each method copies
/// its input before it returns, W3C Web Cryptography API §14.3).
fn subtle_start(method: &str, args: &[JsValue]) -> Result<Promise, JsValue> {
    let s = subtle()?;
    let f: js_sys::Function = get(&s, method)?.dyn_into()?;
    f.apply(&s, &args.iter().collect::<Array>())?.dyn_into()
}

/// Call `crypto.subtle[method](...args)` and await its promise.
pub(crate) async fn subtle_call(method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    JsFuture::from(subtle_start(method, args)?).await
}

pub(crate) fn algorithm(name: &str, extra: &[(&str, JsValue)]) -> Result<JsValue, JsValue> {
    let o = Object::new();
    set(&o, "name", &JsValue::from_str(name))?;
    for (k, v) in extra {
        set(&o, k, v)?;
    }
    Ok(o.into())
}

fn webcrypto_hash(d: DigestAlg) -> &'static str {
    match d {
        DigestAlg::Sha1 => "SHA-1",
        DigestAlg::Sha256 => "SHA-256",
        DigestAlg::Sha384 => "SHA-384",
        DigestAlg::Sha512 => "SHA-512",
    }
}

fn oaep_hash(h: OaepHash) -> Option<&'static str> {
    match h {
        OaepHash::Sha1 => Some("SHA-1"),
        OaepHash::Sha256 => Some("SHA-256"),
        OaepHash::Sha384 => Some("SHA-384"),
        OaepHash::Sha512 => Some("SHA-512"),
        OaepHash::Sha224 => None,
    }
}

/// The WebCrypto keys one private key is imported as: (name in `cryptoKeys`, import
/// algorithm, usages). A WebCrypto RSA key is bound to one scheme and one hash.
#[cfg(feature = "rust-crypto")]
fn key_imports(key: &PrivateKey) -> Result<Vec<(String, JsValue, &'static str)>, JsValue> {
    let hashes = ["SHA-256", "SHA-384", "SHA-512"];
    let mut out = Vec::new();
    match key {
        PrivateKey::Rsa(_) => {
            for scheme in ["RSASSA-PKCS1-v1_5", "RSA-PSS"] {
                for h in hashes {
                    out.push((
                        format!("{scheme}/{h}"),
                        algorithm(scheme, &[("hash", JsValue::from_str(h))])?,
                        "sign",
                    ));
                }
            }
            for h in ["SHA-1", "SHA-256", "SHA-384", "SHA-512"] {
                out.push((
                    format!("RSA-OAEP/{h}"),
                    algorithm("RSA-OAEP", &[("hash", JsValue::from_str(h))])?,
                    "decrypt",
                ));
            }
        }
        PrivateKey::EcP256(_) => {
            let curve = [("namedCurve", JsValue::from_str("P-256"))];
            out.push(("ECDSA".into(), algorithm("ECDSA", &curve)?, "sign"));
            out.push(("ECDH".into(), algorithm("ECDH", &curve)?, "deriveBits"));
        }
    }
    Ok(out)
}

/// Decrypt a stored key once (PBKDF2 once, by SubtleCrypto `deriveBits` for the PBES2
/// keys `exportKey` and OpenSSL write, `keys::begin_import_encrypted_pkcs8`; else
/// `keys::import_encrypted_pkcs8` in the module), check it against its certificate, and
/// import it into non-extractable WebCrypto keys; the PKCS#8 octets handed to `importKey`,
/// the password's and the derived key's are overwritten with zeros afterwards.
#[cfg(feature = "rust-crypto")]
#[wasm_bindgen(js_name = unlockKey, unchecked_return_type = "AsyncKey")]
pub async fn unlock_key(
    #[wasm_bindgen(unchecked_param_type = "KeyUse")] key: JsValue,
) -> Result<JsValue, JsValue> {
    let use_: KeyUse = from_js(key, "key")?;
    let derived = match use_.pending_import() {
        Some(pending) => {
            let password = use_.password.as_deref().unwrap_or("");
            match pbkdf2(pending.request(), password).await {
                // A SubtleCrypto that cannot derive it: the module does (the same key).
                Err(_) => None,
                Ok(derived) => Some(pending.finish(&derived)),
            }
        }
        None => None,
    };
    let signer = match derived {
        Some(key) => key
            .map_err(crate::smime::Error::from)
            .and_then(|key| use_.signer_with(key)),
        None => use_.signer(),
    }
    .map_err(|e| js_error(&e))?;
    drop(use_);
    let imports = key_imports(&signer.key)?;
    let kind = match signer.key {
        PrivateKey::Rsa(_) => "rsa",
        PrivateKey::EcP256(_) => "ec",
    };
    let der = signer.key.to_pkcs8_der().map_err(|e| js_error(&e))?;
    let pkcs8 = Uint8Array::from(der.as_bytes());
    drop(der);
    let mut result: Result<Vec<(String, JsValue)>, JsValue> = Ok(Vec::new());
    for (name, alg, usage) in imports {
        let usages: Array = std::iter::once(JsValue::from_str(usage)).collect();
        let r = subtle_call(
            "importKey",
            &[
                JsValue::from_str("pkcs8"),
                pkcs8.clone().into(),
                alg,
                JsValue::FALSE,
                usages.into(),
            ],
        )
        .await;
        match (r, &mut result) {
            (Ok(k), Ok(list)) => list.push((name, k)),
            (Err(e), Ok(_)) => {
                result = Err(js_error(&SmimeError::Key(format!(
                    "WebCrypto importKey {name}: {}",
                    js_message(&e)
                ))))
            }
            _ => {}
        }
        if result.is_err() {
            break;
        }
    }
    pkcs8.fill(0, 0, pkcs8.length());
    let keys = Object::new();
    for (name, k) in result? {
        set(&keys, &name, &k)?;
    }
    let out = Object::new();
    set(&out, "kind", &JsValue::from_str(kind))?;
    set(&out, "cryptoKeys", &keys.into())?;
    let pem = |c: &x509_cert::Certificate| {
        use der::EncodePem;
        c.to_pem(der::pem::LineEnding::LF)
            .map(|s| JsValue::from_str(&s))
            .map_err(|e| smime_err(SmimeError::Encode(e.to_string())))
    };
    set(&out, "certificate", &pem(&signer.cert)?)?;
    let chain: Array = signer.chain.iter().map(pem).collect::<Result<_, _>>()?;
    set(&out, "chain", &chain.into())?;
    Ok(out.into())
}

/// The certificate and chain of an `AsyncKey`.
fn key_certificates(
    key: &JsValue,
) -> Result<(x509_cert::Certificate, Vec<x509_cert::Certificate>), JsValue> {
    let pem = get(key, "certificate")?.as_string().ok_or_else(|| {
        error_value(
            super::codes::REQUEST_INVALID,
            "key: certificate (PEM) is required",
        )
    })?;
    let mut list = certs(&[pem.as_str()])?;
    if list.is_empty() {
        return Err(js_error(&crate::keys::Error::NoCertificate));
    }
    let cert = list.remove(0);
    let chain_v = get(key, "chain")?;
    if !chain_v.is_undefined() && !chain_v.is_null() {
        let chain: Vec<String> = super::value_from_js(chain_v, "key.chain")?;
        list.extend(certs(&chain)?);
    }
    Ok((cert, list))
}

/// A `CryptoKey` of an unlocked key by name.
fn crypto_key(key: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    let keys = get(key, "cryptoKeys")?;
    if keys.is_undefined() || keys.is_null() {
        return Ok(None);
    }
    let k = get(&keys, name)?;
    if k.is_undefined() || k.is_null() {
        return Err(smime_err(SmimeError::UnsupportedAlgorithm(format!(
            "the unlocked key has no WebCrypto key for {name}"
        ))));
    }
    // Keys are held non-extractable (`unlockKey`): a key a script could export is refused.
    if get(&k, "extractable")?.as_bool() != Some(false) {
        return Err(error_value(
            super::codes::REQUEST_INVALID,
            &format!("key.cryptoKeys[\"{name}\"] must be a non-extractable CryptoKey (unlockKey makes them)"),
        ));
    }
    Ok(Some(k))
}

/// Call the key's callback `name` (`sign` / `decrypt`) with `request`.
async fn callback(key: &JsValue, name: &str, request: JsValue) -> Result<Vec<u8>, JsValue> {
    let f = get(key, name)?;
    let f: js_sys::Function = f.dyn_into().map_err(|_| {
        error_value(
            super::codes::REQUEST_INVALID,
            &format!("key: give cryptoKeys (from unlockKey) or a {name} function"),
        )
    })?;
    let v = f.call1(key, &request)?;
    let v = match v.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await?,
        Err(v) => v,
    };
    answer_bytes(&v)
}

pub(crate) fn answer_bytes(v: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(b) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(b).to_vec());
    }
    bytes(v, "provider answer")
}

/// A SubtleCrypto `method` that failed for the signer's key or content: `signer-key-invalid`.
fn provider_failed(method: &str, e: &JsValue) -> JsValue {
    smime_err(SmimeError::Key(format!(
        "WebCrypto {method} failed: {}",
        js_message(e)
    )))
}

/// A view of `data` in the module's memory, without a copy, for a SubtleCrypto method that
/// copies its input before it returns (W3C Web Cryptography API §14.3: "get a copy of the
/// bytes held by the data parameter" is each method's first step, before the promise is
/// returned). The view is handed to that one call and never kept: it would go stale once
/// the memory grows.
pub(crate) fn wasm_view(data: &[u8]) -> Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    Uint8Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        data.as_ptr() as usize as u32,
        data.len() as u32,
    )
}

/// Content at most this long is hashed in the module rather than by SubtleCrypto: each
/// SubtleCrypto call is a round trip through the event loop (about 30 µs in Node 20 even for
/// 1 KiB), as long as hashing 2 KiB here.
const LOCAL_DIGEST_MAX: usize = 2 * 1024;

/// A message shorter than this is not searched for its signed content before the walk
/// (`verify::digest_ranges` reads the message head, the multipart/signed and its SignedData
/// once more than the walk does): its content, shorter than twice [`LOCAL_DIGEST_MAX`], is
/// hashed by the walk in about the time of the search and a SubtleCrypto round trip.
const DIGESTS_AHEAD_MIN: usize = 2 * LOCAL_DIGEST_MAX;

/// A digest asked for ([`start_digest`]): already answered (a short content hashed in the
/// module), or SubtleCrypto's under way.
pub(crate) enum PendingDigest {
    Ready(Vec<u8>),
    Asked(JsFuture, DigestAlg),
}

/// Ask for a digest: SubtleCrypto `digest` over the octets where they lie ([`wasm_view`]; it
/// copies them before it returns, so the module may go on, even change them, while it
/// hashes), or in the module for a short content ([`LOCAL_DIGEST_MAX`]).
pub(crate) fn start_digest(req: &DigestRequest<'_>) -> Result<PendingDigest, JsValue> {
    if req.data.len() <= LOCAL_DIGEST_MAX {
        return Ok(PendingDigest::Ready(req.answer_with_rust()));
    }
    let promise = subtle_start(
        "digest",
        &[
            JsValue::from_str(webcrypto_hash(req.alg)),
            wasm_view(req.data).into(),
        ],
    )
    .map_err(|e| provider_failed("digest", &e))?;
    Ok(PendingDigest::Asked(JsFuture::from(promise), req.alg))
}

impl PendingDigest {
    /// The digest; its length is checked by the core.
    pub(crate) async fn answer(self) -> Result<Vec<u8>, JsValue> {
        match self {
            PendingDigest::Ready(d) => Ok(d),
            PendingDigest::Asked(f, alg) => {
                let d = f.await.map_err(|e| provider_failed("digest", &e))?;
                let d = answer_bytes(&d)?;
                DigestRequest { alg, data: &[] }
                    .check(&d)
                    .map_err(smime_err)?;
                Ok(d)
            }
        }
    }
}

/// Answer a signing request: a WebCrypto signature (ECDSA converted to DER) or the callback's.
#[cfg(feature = "send")]
async fn sign_request(key: &JsValue, req: &SignRequest) -> Result<Vec<u8>, JsValue> {
    let hash = webcrypto_hash(req.hash);
    let (name, alg) = match req.scheme {
        SignatureScheme::RsaPkcs1v15 => (
            format!("RSASSA-PKCS1-v1_5/{hash}"),
            algorithm("RSASSA-PKCS1-v1_5", &[])?,
        ),
        SignatureScheme::RsaPss => (
            format!("RSA-PSS/{hash}"),
            algorithm(
                "RSA-PSS",
                &[("saltLength", JsValue::from(req.salt_length as u32))],
            )?,
        ),
        SignatureScheme::Ecdsa => (
            "ECDSA".into(),
            algorithm("ECDSA", &[("hash", JsValue::from_str(hash))])?,
        ),
    };
    let fixed = match crypto_key(key, &name)? {
        Some(k) => {
            let sig = subtle_call("sign", &[alg, k, uint8(&req.data)])
                .await
                .map_err(|e| provider_failed("sign", &e))?;
            answer_bytes(&sig)?
        }
        None => {
            let r = Object::new();
            set(&r, "data", &uint8(&req.data))?;
            set(&r, "scheme", &super::to_js(&req.scheme)?)?;
            set(&r, "hash", &super::to_js(&req.hash)?)?;
            set(&r, "saltLength", &JsValue::from(req.salt_length as u32))?;
            callback(key, "sign", r.into()).await?
        }
    };
    if req.scheme == SignatureScheme::Ecdsa {
        return ecdsa_der_from_fixed(&fixed).map_err(smime_err);
    }
    Ok(fixed)
}

/// Answer a decryption request: the content-encryption key (RSA-OAEP) or the ECDH secret Z.
/// `Err(JsValue)` is a caller error (bad shape); `Ok(Err(_))` a key that did not fit.
async fn decrypt_request(
    key: &JsValue,
    req: &DecryptRequest,
) -> Result<Result<Zeroizing<Vec<u8>>, SmimeError>, JsValue> {
    let has_keys = !get(key, "cryptoKeys")?.is_undefined();
    if !has_keys {
        let r = Object::new();
        match req {
            DecryptRequest::Rsa { scheme, ciphertext } => {
                set(&r, "op", &JsValue::from_str("rsa"))?;
                set(&r, "scheme", &super::to_js(scheme)?)?;
                set(&r, "ciphertext", &uint8(ciphertext))?;
                let label = match scheme {
                    RsaDecryption::Oaep { label, .. } => label.as_slice(),
                    RsaDecryption::Pkcs1v15 => &[],
                };
                set(&r, "label", &uint8(label))?;
            }
            DecryptRequest::Ecdh { public_key } => {
                set(&r, "op", &JsValue::from_str("ecdh"))?;
                set(&r, "publicKey", &uint8(public_key))?;
            }
        }
        return Ok(callback(key, "decrypt", r.into())
            .await
            .map(Zeroizing::new)
            .map_err(|e| {
                SmimeError::DecryptFailed(format!(
                    "the key's decrypt callback failed: {}",
                    js_message(&e)
                ))
            }));
    }
    let result = match req {
        DecryptRequest::Rsa { .. } => match rsa_oaep_begin(key, req)? {
            Ok(p) => JsFuture::from(p).await,
            Err(e) => return Ok(Err(e)),
        },
        DecryptRequest::Ecdh { public_key } => {
            let Some(k) = crypto_key(key, "ECDH")? else {
                return Ok(Err(SmimeError::DecryptFailed("no ECDH key".into())));
            };
            let curve = [("namedCurve", JsValue::from_str("P-256"))];
            let peer = subtle_call(
                "importKey",
                &[
                    JsValue::from_str("raw"),
                    uint8(public_key),
                    algorithm("ECDH", &curve)?,
                    JsValue::TRUE,
                    Array::new().into(),
                ],
            )
            .await;
            match peer {
                Ok(peer) => {
                    subtle_call(
                        "deriveBits",
                        &[
                            algorithm("ECDH", &[("public", peer)])?,
                            k,
                            JsValue::from(256u32),
                        ],
                    )
                    .await
                }
                Err(e) => Err(e),
            }
        }
    };
    decrypt_answer(result)
}

/// WebCrypto's answer to a decryption request: the content key or secret, or why the key
/// could not recover it.
fn decrypt_answer(
    result: Result<JsValue, JsValue>,
) -> Result<Result<Zeroizing<Vec<u8>>, SmimeError>, JsValue> {
    Ok(match result {
        Ok(v) => Ok(Zeroizing::new(answer_bytes(&v)?)),
        Err(e) => Err(SmimeError::DecryptFailed(format!(
            "WebCrypto could not recover the content key with this private key: {}",
            js_message(&e)
        ))),
    })
}

/// Begin WebCrypto's RSA-OAEP decryption of the RSA request `req` with the unlocked key's
/// CryptoKey (its promise); `Ok(Err(_))` when WebCrypto cannot (RSAES-PKCS1-v1_5, an MGF1
/// hash other than the hash) or the key has none.
fn rsa_oaep_begin(
    key: &JsValue,
    req: &DecryptRequest,
) -> Result<Result<Promise, SmimeError>, JsValue> {
    let DecryptRequest::Rsa {
        scheme:
            RsaDecryption::Oaep {
                hash,
                mgf_hash,
                label,
            },
        ciphertext,
    } = req
    else {
        return Ok(Err(SmimeError::KeyProviderUnsupported(
            "RSAES-PKCS1-v1_5 key transport is not in WebCrypto, so the unlocked key cannot open it: decrypt with the key's password (sync decrypt)".into(),
        )));
    };
    let h = match (oaep_hash(*hash), hash == mgf_hash) {
        (Some(h), true) => h,
        _ => {
            return Ok(Err(SmimeError::KeyProviderUnsupported(format!(
                "RSA-OAEP with hash {hash:?} and MGF1 hash {mgf_hash:?} is not in WebCrypto, so the unlocked key cannot open it: decrypt with the key's password (sync decrypt)"
            ))))
        }
    };
    let Some(k) = crypto_key(key, &format!("RSA-OAEP/{h}"))? else {
        return Ok(Err(SmimeError::DecryptFailed("no RSA-OAEP key".into())));
    };
    let mut extra = Vec::new();
    if !label.is_empty() {
        extra.push(("label", uint8(label)));
    }
    Ok(Ok(subtle_start(
        "decrypt",
        &[algorithm("RSA-OAEP", &extra)?, k, uint8(ciphertext)],
    )?))
}

/// `sign` with a key held outside the core (`AsyncKey`): the same options and result.
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = signAsync, unchecked_return_type = "Uint8Array")]
pub async fn sign_async(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AsyncKey")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SignRequest")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (cert, chain) = key_certificates(&key)?;
    let req = super::smime::sign_request(options)?;
    let opts = req.options(super::now()?);
    // SubtleCrypto may begin hashing the entity in the caller's octets, where the core finds
    // it from their first ones, while they are copied in and read.
    let early = early_digest(&raw, &req, &opts);
    // The message is handed over: its entity is made in the buffer it came in.
    let content = req
        .prepare(bytes(&raw, "message")?, &cert, &opts)
        .map_err(|e| js_error(&e))?;
    let mut rng = crate::rng::system_rng();
    // The boundary is searched for in the entity while SubtleCrypto hashes it. The early
    // digest is the entity's only when the core found the entity to be those very octets.
    let asked = match early {
        Some((at, asked)) if content.unchanged_from() == Some(at) => asked,
        _ => start_digest(&content.digest_request(opts.digest))?,
    };
    let content = content.with_boundary(&opts, &mut rng);
    // The entity multipart/signed carries in clear is copied out, too, to where the output
    // will hold it, while SubtleCrypto hashes it on its own thread; after the signature only
    // the head and the tail are (a signature part of at most `SIGNATURE_PART_ROOM` octets).
    let prefilled = content
        .entity_in_clear()
        .filter(|e| e.len() >= PREFILL_MIN)
        .and_then(|e| {
            super::material::Prefilled::copy_in(e, content.head_bound(), SIGNATURE_PART_ROOM)
        });
    let digest = asked.answer().await?;
    let pending = content
        .begin(&digest, &cert, &chain, &opts, &mut rng)
        .map_err(smime_err)?;
    let sig = sign_request(&key, pending.request()).await?;
    // The core verifies the answer with the certificate's key before it leaves; WebCrypto
    // does the math when it can (what it does not confirm is verified in Rust), and does it
    // while the core assembles the output, which it holds back until then.
    let check = pending.signature_check(&sig);
    let (assembled, confirmed) = {
        let mut verifying = std::pin::pin!(async {
            match &check {
                Some(c) => {
                    check_signatures(std::slice::from_ref(c)).await.first() == Some(&Some(true))
                }
                None => false,
            }
        });
        // Polled once here, so that WebCrypto's `verify` is under way before the assembly.
        let started = std::future::poll_fn(|cx| {
            std::task::Poll::Ready(std::future::Future::poll(verifying.as_mut(), cx))
        })
        .await;
        let assembled = pending.assemble(&sig).map_err(smime_err)?;
        let confirmed = match started {
            std::task::Poll::Ready(ok) => ok,
            std::task::Poll::Pending => verifying.await,
        };
        (assembled, confirmed)
    };
    let checks = crate::trust::SignatureChecks::default();
    if let Some(c) = check {
        checks.add(c, confirmed);
    }
    let out = assembled.release_output(Some(&checks)).map_err(smime_err)?;
    // The signed entity is copied out from where it was made, once.
    match prefilled {
        Some(p) => p.finish(out.pieces()),
        None => uint8_joined(&out.pieces()),
    }
}

/// The digest of the entity `req` signs in the caller's `raw`, begun before `raw` is copied
/// into the module: SubtleCrypto copies the octets from where the core finds the entity in
/// their first [`SIGN_HEAD_MAX`] ([`crate::domain::SignRequest::entity_start`]), and the
/// module copies the same octets in right after, before anything else can run — the two
/// copies are of one state of a buffer no other thread can write (a `SharedArrayBuffer`'s
/// view is left to the usual path). `None` for a string, a header section longer than the
/// head, a short entity ([`LOCAL_DIGEST_MAX`]), or a message whose entity the core will
/// make otherwise; also when SubtleCrypto refuses (the usual path then reports it).
#[cfg(feature = "send")]
fn early_digest(
    raw: &JsValue,
    req: &crate::domain::SignRequest,
    opts: &crate::smime::SignOptions,
) -> Option<(usize, PendingDigest)> {
    let a = raw.dyn_ref::<js_sys::Uint8Array>()?;
    if !a.buffer().is_instance_of::<js_sys::ArrayBuffer>() {
        return None;
    }
    let len = a.length();
    // A message no longer than a content hashed in the module is not looked at twice.
    if (len as usize) <= LOCAL_DIGEST_MAX {
        return None;
    }
    let head = a.subarray(0, len.min(SIGN_HEAD_MAX)).to_vec();
    let at = req.entity_start(&head, opts)?;
    let from = u32::try_from(at).ok()?;
    if ((len - from.min(len)) as usize) <= LOCAL_DIGEST_MAX {
        return None;
    }
    let promise = subtle_start(
        "digest",
        &[
            JsValue::from_str(webcrypto_hash(opts.digest)),
            a.subarray(from, len).into(),
        ],
    )
    .ok()?;
    Some((
        at,
        PendingDigest::Asked(JsFuture::from(promise), opts.digest),
    ))
}

/// PBKDF2 (RFC 8018 §5.2) by SubtleCrypto: the password's UTF-8 octets imported as a
/// non-extractable `PBKDF2` key, then `deriveBits`. The octets handed over are overwritten
/// with zeros once used.
#[cfg(feature = "rust-crypto")]
async fn pbkdf2(
    req: &crate::keys::Pbkdf2Request,
    password: &str,
) -> Result<zeroize::Zeroizing<Vec<u8>>, JsValue> {
    use crate::keys::Pbkdf2Hash;
    let secret = Uint8Array::from(password.as_bytes());
    let usages: Array = std::iter::once(JsValue::from_str("deriveBits")).collect();
    let base = subtle_call(
        "importKey",
        &[
            JsValue::from_str("raw"),
            secret.clone().into(),
            JsValue::from_str("PBKDF2"),
            JsValue::FALSE,
            usages.into(),
        ],
    )
    .await;
    secret.fill(0, 0, secret.length());
    let hash = webcrypto_hash(match req.hash {
        Pbkdf2Hash::Sha256 => DigestAlg::Sha256,
        Pbkdf2Hash::Sha384 => DigestAlg::Sha384,
        Pbkdf2Hash::Sha512 => DigestAlg::Sha512,
    });
    let alg = algorithm(
        "PBKDF2",
        &[
            ("hash", JsValue::from_str(hash)),
            ("salt", uint8(&req.salt)),
            ("iterations", JsValue::from(req.iterations)),
        ],
    )?;
    let bits = subtle_call(
        "deriveBits",
        &[alg, base?, JsValue::from((req.key_len * 8) as u32)],
    )
    .await?;
    let derived = zeroize::Zeroizing::new(answer_bytes(&bits)?);
    if let Some(b) = bits.dyn_ref::<js_sys::ArrayBuffer>() {
        let view = Uint8Array::new(b);
        view.fill(0, 0, view.length());
    }
    Ok(derived)
}

/// How much of a message [`early_digest`] reads for its header section.
#[cfg(feature = "send")]
const SIGN_HEAD_MAX: u32 = 64 * 1024;

/// An entity at least this long is copied out while SubtleCrypto hashes it
/// ([`super::material::Prefilled`]); a shorter one with the rest, after the signature.
#[cfg(feature = "send")]
const PREFILL_MIN: usize = 64 * 1024;

/// The room left after a prefilled entity for multipart/signed's signature part: its header
/// fields, the base64 of the SignedData (the signer's certificate and chain, the signed
/// attributes, the signature) and the close delimiter. A larger one is joined afresh.
#[cfg(feature = "send")]
const SIGNATURE_PART_ROOM: usize = 64 * 1024;

/// `decrypt` with a key held outside the core (`AsyncKey`). The `Uint8Array` may be a view
/// into a larger buffer (`byteOffset` more than 0: an AES-CBC content is handed out where
/// WebCrypto decrypted it); use the view, not its whole `buffer`.
#[wasm_bindgen(js_name = decryptAsync, unchecked_return_type = "Uint8Array")]
pub async fn decrypt_async(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AsyncKey")] key: JsValue,
) -> Result<JsValue, JsValue> {
    let (cert, _) = key_certificates(&key)?;
    let raw = bytes(&raw, "message")?;
    // An unlocked RSA key begins its RSA-OAEP operation on the RecipientInfo read from the
    // body's first lines while the whole body is decoded; its answer is used only for that
    // very request ([`EarlyDecryption`]).
    let mut early = EarlyDecryption::read_ahead(&raw, &key, &cert, 0)?;
    // The body is decoded in the buffer the message came in.
    let mut d = crate::smime::MessageDecryption::start_owned(raw, &[&cert]).map_err(smime_err)?;
    // Each round consumes one matching RecipientInfo; `request` fails once none is left.
    loop {
        let (i, req) = d.request().map_err(smime_err)?;
        let req = req.clone();
        let answer = match early.take() {
            Some(e) if e.is_for(i, &req) => e.answer().await?,
            _ => decrypt_request(&key, &req).await?,
        };
        if let Some(k) = d.resume_key(answer).map_err(smime_err)? {
            // AES-CBC: the ciphertext with the blocks before it, so that SubtleCrypto's
            // buffer has room for the outer fields before the entity
            // (`MessageDecryption::content_request_with_room`).
            let roomy = match d.content_request_with_room(&k) {
                Some((creq, room)) => Some((
                    super::webcrypto_content::decrypt_content(&creq).await?,
                    room,
                )),
                None => None,
            };
            let (kept, room) = match roomy {
                Some((kept, room)) => (kept, room),
                None => match d.content_request(&k) {
                    Ok(creq) => (super::webcrypto_content::decrypt_content(&creq).await?, 0),
                    Err(e) => (Err(e), 0),
                },
            };
            let plain = match kept {
                // The entity stays in the buffer SubtleCrypto returned: the core checks the
                // blocks it needs and writes the outer fields, and the message is handed out
                // where it lies, the fields written into the room before it (else joined
                // once, outside the module): no copy in and out of a 10 MiB content.
                Ok(Plaintext::Js(answer)) if d.content_is_entity() => {
                    let Some(len) = (answer.length() as usize).checked_sub(room) else {
                        let short = SmimeError::DecryptFailed(
                            "the content decryption answer does not fit the ciphertext".into(),
                        );
                        return Err(smime_err(short));
                    };
                    let plain = answer.subarray(room as u32, answer.length());
                    let mut read = |r: std::ops::Range<usize>| {
                        plain.subarray(r.start as u32, r.end as u32).to_vec()
                    };
                    let fields = d.finish_outside(k, len, &mut read).map_err(smime_err)?;
                    return Ok(match room.checked_sub(fields.len()) {
                        Some(at) => {
                            // What the blocks before the ciphertext decrypted to is of no
                            // use: zeros, then the fields, then the entity.
                            answer.fill(0, 0, at as u32);
                            answer.subarray(at as u32, room as u32).copy_from(&fields);
                            answer.subarray(at as u32, answer.length()).into()
                        }
                        None => {
                            let out = Uint8Array::new_with_length((fields.len() + len) as u32);
                            out.subarray(0, fields.len() as u32).copy_from(&fields);
                            out.set(&plain, fields.len() as u32);
                            out.into()
                        }
                    });
                }
                Ok(p) => {
                    let mut v = p.into_vec();
                    v.drain(..room.min(v.len()));
                    Ok(v)
                }
                Err(e) => Err(e),
            };
            let out = d.finish_content(k, plain).map_err(smime_err)?;
            return Ok(uint8(&out));
        }
    }
}

/// Public keys imported for [`check_signatures`] (the trust anchors' and the usual
/// signers' keys recur from one verification to the next): at most this many, oldest out.
const IMPORTED_KEYS: usize = 32;

/// Certificate signatures WebCrypto confirmed ([`SignatureCheck::pki_object`]), exactly as
/// checked (key, hash, signed octets, value): a signer's certificate and its CA's recur in
/// every message they sign, and the same octets verify the same way again. A message's own
/// signature is always verified. At most this many, oldest out.
const CONFIRMED_CERTIFICATE_SIGNATURES: usize = 32;

thread_local! {
    static VERIFY_KEYS: std::cell::RefCell<crate::memo::Memo<(CheckKey, CheckHash), JsValue>> =
        const { std::cell::RefCell::new(crate::memo::Memo::new(IMPORTED_KEYS)) };
    static CONFIRMED: std::cell::RefCell<crate::memo::Memo<SignatureCheck, ()>> = const {
        std::cell::RefCell::new(crate::memo::Memo::new(CONFIRMED_CERTIFICATE_SIGNATURES))
    };
}

/// Whether WebCrypto confirmed exactly this certificate signature before ([`CONFIRMED`]).
fn confirmed_before(c: &SignatureCheck) -> bool {
    c.pki_object && CONFIRMED.with(|m| m.borrow().find(|q, _| q == c).is_some())
}

/// Checks begun before the walk asked them back ([`announced`]), each with its WebCrypto
/// call under way: at most this many, oldest out.
const BEGUN_EARLY: usize = 8;

thread_local! {
    static EARLY: std::cell::RefCell<Vec<(SignatureCheck, Begun)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A check's WebCrypto verification, begun: its `verify` under way, or the `importKey` of its
/// key that the `verify` waits for. Each promise is a `JsFuture` from the start, so that a
/// rejection is handled even when nothing awaits it.
enum Begun {
    Verify(JsFuture),
    Import(JsFuture),
    Failed,
}

fn hash_name(h: CheckHash) -> &'static str {
    match h {
        CheckHash::Sha1 => "SHA-1",
        CheckHash::Sha256 => "SHA-256",
        CheckHash::Sha384 => "SHA-384",
        CheckHash::Sha512 => "SHA-512",
    }
}

thread_local! {
    /// The algorithm dictionaries [`begin_verify`] passes, each made once: `verify` reads
    /// its members into an algorithm of its own and keeps nothing of the object (W3C Web
    /// Cryptography API §18.4, normalizing an algorithm), so the same object serves every
    /// call. Keyed by [`VerifyAlgorithm`]; at most [`VERIFY_ALGORITHM_OBJECTS`], oldest out
    /// (RSA-PSS salt lengths are the sender's to choose).
    static VERIFY_ALGORITHMS: std::cell::RefCell<crate::memo::Memo<VerifyAlgorithm, JsValue>> =
        const { std::cell::RefCell::new(crate::memo::Memo::new(VERIFY_ALGORITHM_OBJECTS)) };
}

/// How many `verify` algorithm dictionaries [`VERIFY_ALGORITHMS`] keeps: ECDSA's four hashes,
/// RSASSA-PKCS1-v1_5, and RSA-PSS's usual salt lengths (one per hash).
const VERIFY_ALGORITHM_OBJECTS: usize = 8;

/// What a `verify` algorithm dictionary says: ECDSA's hash; RSASSA-PKCS1-v1_5 (its hash is
/// the key's); RSA-PSS's salt length (its hash is the key's).
#[derive(Clone, Copy, PartialEq, Eq)]
enum VerifyAlgorithm {
    Ecdsa(CheckHash),
    RsaPkcs1,
    RsaPss(usize),
}

/// The `verify` algorithm of `c` ([`VERIFY_ALGORITHMS`]).
fn verify_algorithm(c: &SignatureCheck) -> Result<JsValue, JsValue> {
    let which = match c.key {
        CheckKey::Ec { .. } => VerifyAlgorithm::Ecdsa(c.hash),
        CheckKey::Rsa { .. } => VerifyAlgorithm::RsaPkcs1,
        CheckKey::RsaPss { salt, .. } => VerifyAlgorithm::RsaPss(salt),
    };
    if let Some(a) =
        VERIFY_ALGORITHMS.with(|m| m.borrow().find(|k, _| *k == which).map(|(_, a)| a.clone()))
    {
        return Ok(a);
    }
    let a = match which {
        VerifyAlgorithm::Ecdsa(h) => {
            algorithm("ECDSA", &[("hash", JsValue::from_str(hash_name(h)))])?
        }
        VerifyAlgorithm::RsaPkcs1 => algorithm("RSASSA-PKCS1-v1_5", &[])?,
        VerifyAlgorithm::RsaPss(salt) => {
            algorithm("RSA-PSS", &[("saltLength", JsValue::from(salt as u32))])?
        }
    };
    VERIFY_ALGORITHMS.with(|m| m.borrow_mut().keep(which, a.clone()));
    Ok(a)
}

/// WebCrypto's `verify` of `c` with the imported `key`.
fn begin_verify(c: &SignatureCheck, key: &JsValue) -> Begun {
    verify_algorithm(c)
        .and_then(|alg| {
            subtle_start(
                "verify",
                &[alg, key.clone(), uint8(&c.signature), uint8(&c.message)],
            )
        })
        .map_or(Begun::Failed, |p| Begun::Verify(JsFuture::from(p)))
}

/// Begin `c`: `verify` with its key imported before ([`VERIFY_KEYS`]), or the `importKey`.
fn begin(c: &SignatureCheck) -> Begun {
    let cached = VERIFY_KEYS.with(|k| {
        k.borrow()
            .find(|(key, h), _| {
                *key == c.key && (*h == c.hash || matches!(key, CheckKey::Ec { .. }))
            })
            .map(|(_, v)| v.clone())
    });
    if let Some(key) = cached {
        return begin_verify(c, &key);
    }
    let (format, data, alg) = match &c.key {
        CheckKey::Ec { curve, point } => (
            "raw",
            point,
            algorithm("ECDSA", &[("namedCurve", JsValue::from_str(curve))]),
        ),
        // A WebCrypto RSA key is bound to one scheme and one hash.
        CheckKey::Rsa { spki } => (
            "spki",
            spki,
            algorithm(
                "RSASSA-PKCS1-v1_5",
                &[("hash", JsValue::from_str(hash_name(c.hash)))],
            ),
        ),
        CheckKey::RsaPss { spki, .. } => (
            "spki",
            spki,
            algorithm("RSA-PSS", &[("hash", JsValue::from_str(hash_name(c.hash)))]),
        ),
    };
    let usages: Array = std::iter::once(JsValue::from_str("verify")).collect();
    alg.and_then(|alg| {
        subtle_start(
            "importKey",
            &[
                JsValue::from_str(format),
                uint8(data),
                alg,
                JsValue::FALSE,
                usages.into(),
            ],
        )
    })
    .map_or(Begun::Failed, |p| Begun::Import(JsFuture::from(p)))
}

/// [`SignatureChecks::announcing`]'s announcement: the walk asked `c`, and goes on walking
/// while WebCrypto verifies it (the answer is taken by [`check_signatures`] for exactly
/// this check, after the step, as if it had been begun then).
fn announced(c: &SignatureCheck) {
    if confirmed_before(c) || EARLY.with(|e| e.borrow().iter().any(|(q, _)| q == c)) {
        return;
    }
    let b = begin(c);
    EARLY.with(|e| {
        let mut e = e.borrow_mut();
        if e.len() == BEGUN_EARLY {
            e.remove(0);
        }
        e.push((c.clone(), b));
    });
}

/// The verification of `c` begun by [`announced`], taken out, or begun now.
fn begun(c: &SignatureCheck) -> Begun {
    EARLY
        .with(|e| {
            let mut e = e.borrow_mut();
            let i = e.iter().position(|(q, _)| q == c)?;
            Some(e.remove(i).1)
        })
        .unwrap_or_else(|| begin(c))
}

/// Drop what [`announced`] began and no step took: an answer is only ever taken from a
/// verification begun by the same walk's step.
fn forget_early() {
    EARLY.with(|e| e.borrow_mut().clear());
}

/// Verify signature values with WebCrypto (`importKey` of the public key, or the key
/// imported before; `verify`), every request begun before any is awaited (or begun as the
/// walk asked it, [`announced`]); `false` for a value it refuses or cannot check (the core
/// then verifies that one in Rust). A certificate signature it confirmed before, exactly as
/// asked now, is not asked again.
#[cfg(feature = "send")]
async fn check_signatures(requests: &[SignatureCheck]) -> Vec<Option<bool>> {
    let begun = begin_checks(requests);
    signature_answers(requests, begun).await
}

/// Begin verifying `requests` with WebCrypto (or take those begun early, [`announced`]),
/// none awaited; `None` for one WebCrypto confirmed before ([`confirmed_before`]).
fn begin_checks(requests: &[SignatureCheck]) -> Vec<Option<Begun>> {
    let begun = requests
        .iter()
        .map(|c| (!confirmed_before(c)).then(|| begun(c)))
        .collect();
    forget_early();
    begun
}

/// The answers to `requests`, whose verifications [`begin_checks`] began: `Some(false)` for
/// a value WebCrypto says does not verify, `None` for one it could not check (a key it
/// refused to import, a rejected `verify`).
async fn signature_answers(
    requests: &[SignatureCheck],
    begun: Vec<Option<Begun>>,
) -> Vec<Option<bool>> {
    // The keys imported first, in order, each verification begun once its key is there.
    let mut verifies = Vec::with_capacity(requests.len());
    for (c, b) in requests.iter().zip(begun) {
        verifies.push(match b {
            Some(Begun::Import(f)) => match f.await {
                Ok(key) => {
                    VERIFY_KEYS
                        .with(|keys| keys.borrow_mut().keep((c.key.clone(), c.hash), key.clone()));
                    Some(begin_verify(c, &key))
                }
                Err(_) => Some(Begun::Failed),
            },
            other => other,
        });
    }
    let mut out = Vec::with_capacity(requests.len());
    for (c, v) in requests.iter().zip(verifies) {
        let ok = match v {
            None => Some(true),
            Some(Begun::Verify(f)) => {
                let ok = f.await.ok().and_then(|b| b.as_bool());
                if ok == Some(true) && c.pki_object {
                    CONFIRMED.with(|m| m.borrow_mut().keep(c.clone(), ()));
                }
                ok
            }
            Some(Begun::Import(_) | Begun::Failed) => None,
        };
        out.push(ok);
    }
    out
}

/// `verify` with the decryption key held outside the core (`AsyncKey`, third argument; the
/// request's own `decryptionKey` works as with `verify`): the walk is the same, its
/// decryption requests are answered by WebCrypto or the key's callback between rounds
/// (`verify::verify_message_step`), and a large layer's content decrypted by SubtleCrypto, so
/// the report is the one `verify` gives with the key.
#[wasm_bindgen(js_name = verifyAsync, unchecked_return_type = "VerifyReport | VerifiedContent")]
pub async fn verify_async(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyRequest")] options: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AsyncKey")] decryption_key: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let req: crate::verify::VerifyRequest = from_js(options, "verify request")?;
    let raw = bytes(&raw, "message")?;
    let mut ctx = req.context(super::now()?).map_err(|e| js_error(&e))?;
    ctx.without_content = !req.with_content;
    let with_content = req.with_content;
    verified_with_held_key(&raw, ctx, decryption_key, |v| {
        super::smime::verified_js(v, with_content)
    })
    .await
}

/// `verifyReceipt` with the decryption key held outside the core (`AsyncKey`, fourth
/// argument): the key opens the original (the sent copy) when it is encrypted, as the
/// request's `decryptionKey` does for `verifyReceipt`.
#[wasm_bindgen(js_name = verifyReceiptAsync, unchecked_return_type = "VerifyReport")]
pub async fn verify_receipt_async(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] original: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyRequest")] options: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AsyncKey")] decryption_key: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let req: crate::verify::VerifyRequest = from_js(options, "verify request")?;
    let raw = bytes(&raw, "message")?;
    let mut ctx = req.context(super::now()?).map_err(|e| js_error(&e))?;
    ctx.original = Some(bytes(&original, "original")?);
    ctx.without_content = true;
    verified_with_held_key(&raw, ctx, decryption_key, |v| super::to_js(&v.report)).await
}

/// Verify `raw` in `ctx`, answering the walk's decryption requests with `key` (an
/// `AsyncKey`, when given) and its content requests with SubtleCrypto between rounds, at most
/// `MAX_DECRYPT_ROUNDS` times; a layer still unanswered after that is reported as the walk
/// reports a key that does not open it.
async fn verified_with_held_key(
    raw: &[u8],
    mut ctx: crate::verify::VerifyContext,
    key: Option<JsValue>,
    present: impl Fn(&crate::verify::Verified) -> Result<JsValue, JsValue>,
) -> Result<JsValue, JsValue> {
    use crate::verify::{verify_message_step_with_digests, VerifyStep, MAX_DECRYPT_ROUNDS};
    let key = key.filter(|k| !k.is_undefined() && !k.is_null());
    let mut early = None;
    if let Some(k) = &key {
        let (cert, chain) = key_certificates(k)?;
        ctx.add_held_key(&cert, &chain);
        // An unlocked RSA key (WebCrypto, nothing a callback would be asked) begins its
        // private-key operation on the outer layer's RecipientInfo, read from the body's first
        // lines, while the first walk runs; its answer is used only when a walk asks that very
        // request of that very key (as `decryptAsync` does).
        let held = ctx
            .decryption_answers
            .as_ref()
            .map_or(0, |a| a.certificates.len().saturating_sub(1));
        early = EarlyDecryption::read_ahead(raw, k, &cert, held)?;
    }
    // The contents of the layers the key opens are decrypted by SubtleCrypto between walks,
    // as `decryptAsync` decrypts them (a small one, or a legacy cipher, by the walk).
    if let Some(a) = ctx.decryption_answers.as_mut() {
        a.provider_decrypts_content();
    }
    // The signed content's digests by WebCrypto where it lies in the message (one pass each,
    // no copy), begun before the walk, which runs while SubtleCrypto hashes: the first walk
    // takes the signed messageDigest values and stands only if the digests confirm them
    // (`verify::DigestAnswers::expect`); a digest WebCrypto does not give is computed by the
    // walk itself.
    let mut digests = crate::verify::DigestAnswers::new(raw);
    let mut hashing = Vec::new();
    let ranges = if raw.len() < DIGESTS_AHEAD_MIN {
        Vec::new()
    } else {
        crate::verify::digest_ranges(raw)
    };
    for range in ranges {
        match range.request(raw).map(|req| start_digest(&req)) {
            Some(Ok(PendingDigest::Ready(d))) => digests.add(range, d),
            Some(Ok(pending)) => {
                digests.expect(range.clone());
                hashing.push((range, pending));
            }
            Some(Err(_)) | None => {}
        }
    }
    ctx.signature_checks =
        Some(crate::trust::SignatureChecks::announcing(announced).named("WebCrypto"));
    for _ in 0..MAX_DECRYPT_ROUNDS {
        forget_early();
        let step = verify_message_step_with_digests(raw, &ctx, Some(&digests));
        let asked = match step.map_err(smime_err)? {
            VerifyStep::Done(v) => return present(&v),
            VerifyStep::Decrypt(asked) => asked,
            VerifyStep::DecryptContent(asked) => {
                let Some(answers) = ctx.decryption_answers.as_mut() else {
                    break;
                };
                for ask in asked {
                    let (plain, digests) = content_answer(&ask).await?;
                    answers.add_content_with_digests(ask, plain, digests);
                }
                continue;
            }
            VerifyStep::Check(round) => {
                // The signature values are checked while SubtleCrypto still hashes, and the
                // walk's report is made ready meanwhile: handed out only if the walk stands.
                let begun = begin_checks(round.requests());
                let presented = present(round.walk());
                let answers = signature_answers(round.requests(), begun).await;
                settle_digests(&mut digests, &mut hashing).await;
                match round.finish(&ctx, &answers, Some(&digests)) {
                    Some(_) => return presented,
                    None => continue,
                }
            }
        };
        settle_digests(&mut digests, &mut hashing).await;
        let (Some(k), Some(answers)) = (&key, ctx.decryption_answers.as_mut()) else {
            break;
        };
        for (i, r) in asked {
            let a = match early.take() {
                Some(e) if e.is_for(i, &r) => e.answer().await?,
                other => {
                    early = other;
                    decrypt_request(k, &r).await?
                }
            };
            answers.add(i, r, a);
        }
    }
    // Still unanswered after the bound: the report says which layer could not be opened;
    // outside a step, signature values the provider did not confirm are verified in Rust.
    settle_digests(&mut digests, &mut hashing).await;
    let v =
        crate::verify::verify_message_with_digests(raw, &ctx, Some(&digests)).map_err(smime_err)?;
    present(&v)
}

/// A private-key operation begun before it is asked ([`decrypt_async`],
/// [`verified_with_held_key`]): the key's index among the certificates it is asked for, the
/// request, and WebCrypto's operation under way (polled once, so that its first call is
/// made), or its answer when that was already given. Its answer is used only for that very
/// request of that very key, a head start, never a decision. Dropped unused, its promises'
/// rejections are still handled (`JsFuture`).
struct EarlyDecryption {
    held: usize,
    req: DecryptRequest,
    answer: EarlyAnswer,
}

type DecryptAnswer = Result<Result<Zeroizing<Vec<u8>>, SmimeError>, JsValue>;

enum EarlyAnswer {
    Pending(std::pin::Pin<Box<dyn std::future::Future<Output = DecryptAnswer>>>),
    Ready(DecryptAnswer),
}

impl EarlyDecryption {
    /// The operation of an unlocked RSA key (WebCrypto, nothing a callback would be asked)
    /// on the outer layer's RecipientInfo addressed to `cert`, read from the body's first
    /// lines (`MessageDecryption::early_request`), begun as key `index`; `None` for any
    /// other key or message. RSA only: an ECDH agreement takes about a quarter of RSA-OAEP's
    /// time and begins with an import, so reading ahead cost more than it saved (measured).
    fn read_ahead(
        raw: &[u8],
        key: &JsValue,
        cert: &x509_cert::Certificate,
        index: usize,
    ) -> Result<Option<Self>, JsValue> {
        let rsa = cert
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm
            .oid
            == crate::asn1::oid::RSA_ENCRYPTION;
        if !rsa || get(key, "cryptoKeys")?.is_undefined() {
            return Ok(None);
        }
        Ok(crate::smime::MessageDecryption::early_request(raw, &[cert])
            .filter(|(_, req)| matches!(req, DecryptRequest::Rsa { .. }))
            .map(|(_, req)| Self::begin(key, index, req)))
    }

    fn begin(key: &JsValue, held: usize, req: DecryptRequest) -> Self {
        let (key, asked) = (key.clone(), req.clone());
        let mut pending: std::pin::Pin<Box<dyn std::future::Future<Output = DecryptAnswer>>> =
            Box::pin(async move { decrypt_request(&key, &asked).await });
        let waker = std::task::Waker::noop();
        let answer = match pending
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker))
        {
            std::task::Poll::Ready(a) => EarlyAnswer::Ready(a),
            std::task::Poll::Pending => EarlyAnswer::Pending(pending),
        };
        EarlyDecryption { held, req, answer }
    }

    /// Whether this is the walk's request `req` of held key `held`.
    fn is_for(&self, held: usize, req: &DecryptRequest) -> bool {
        self.held == held && self.req == *req
    }

    async fn answer(self) -> DecryptAnswer {
        match self.answer {
            EarlyAnswer::Ready(a) => a,
            EarlyAnswer::Pending(p) => p.await,
        }
    }
}

/// Answer a content request of the walk: SubtleCrypto's plaintext (`decryptAsync`'s content
/// decryption) and its digests of the signed content inside it.
async fn content_answer(
    ask: &crate::smime::key_operation::ContentDecryptAsk,
) -> Result<crate::smime::key_operation::ContentAnswer, JsValue> {
    let plain = super::webcrypto_content::decrypt_content(&ask.request())
        .await?
        .map(Plaintext::into_vec);
    let digests = match &plain {
        Ok(p) => plaintext_digests(p).await,
        Err(_) => Vec::new(),
    };
    Ok((plain, digests))
}

/// SubtleCrypto's digests of the signed content inside a decrypted plaintext, where it lies
/// in it (`verify::digest_ranges`: the first body part of a multipart/signed); a digest it
/// does not give is computed by the walk.
async fn plaintext_digests(plain: &[u8]) -> Vec<crate::smime::key_operation::ContentDigest> {
    let mut pending = Vec::new();
    for r in crate::verify::digest_ranges(plain) {
        if let Some(Ok(d)) = r.request(plain).map(|q| start_digest(&q)) {
            pending.push((r, d));
        }
    }
    let mut out = Vec::with_capacity(pending.len());
    for (r, d) in pending {
        if let Ok(digest) = d.answer().await {
            out.push(crate::smime::key_operation::ContentDigest {
                alg: r.alg,
                range: r.range,
                digest,
            });
        }
    }
    out
}

/// Wait for the digests SubtleCrypto is computing and add its answers; a digest it did not
/// give is then computed by the walk.
async fn settle_digests(
    digests: &mut crate::verify::DigestAnswers<'_>,
    hashing: &mut Vec<(crate::verify::DigestRange, PendingDigest)>,
) {
    for (range, pending) in hashing.drain(..) {
        if let Ok(d) = pending.answer().await {
            digests.add(range, d);
        }
    }
    digests.settle();
}

/// `makeReceipt` with the recipient's key held outside the core (`AsyncKey`, second
/// argument; the same requests and result): the core verifies the original and decides
/// (`verify::ReceiptInProgress`), the key opens an encrypted original and signs the receipt;
/// the signature is verified with the recipient's certificate before the receipt is returned.
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = makeReceiptAsync, unchecked_return_type = "SignedReceipt")]
pub async fn make_receipt_async(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AsyncKey")] signer: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyRequest")] verify_options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MakeReceiptRequest")] options: JsValue,
) -> Result<JsValue, JsValue> {
    use crate::verify::ReceiptStep;
    let v: crate::verify::VerifyRequest = from_js(verify_options, "verify request")?;
    let o: crate::verify::MakeReceiptRequest = from_js(options, "receipt request")?;
    let raw = bytes(&raw, "message")?;
    let (cert, chain) = key_certificates(&signer)?;
    let clock = super::now()?;
    let ctx = v.context(clock).map_err(|e| js_error(&e))?;
    let mut receipt = o.begin(&raw, ctx, &cert, &chain, clock);
    receipt.provider_decrypts_content();
    // `step` bounds the rounds (`verify::MAX_DECRYPT_ROUNDS`), then decides.
    loop {
        match receipt.step().map_err(|e| js_error(&e))? {
            ReceiptStep::Decrypt(asked) => {
                for (i, r) in asked {
                    let a = decrypt_request(&signer, &r).await?;
                    receipt.answer(i, r, a);
                }
            }
            ReceiptStep::DecryptContent(asked) => {
                for ask in asked {
                    let a = content_answer(&ask).await?;
                    receipt.answer_content(ask, a);
                }
            }
            ReceiptStep::Sign(pending) => {
                let sig = sign_request(&signer, pending.request()).await?;
                let made = pending.finish(&sig).map_err(|e| js_error(&e))?;
                return super::receipt::signed_receipt_js(&made);
            }
        }
    }
}

/// `release` with the officer's key held outside the core (`AsyncKey`, third argument;
/// `options.officer` must be absent): steps 1–3 and the pending signature in the core
/// (`release::begin_release`), the signature by WebCrypto or the key's callback, verified
/// with the officer's certificate before steps 4–5 complete.
#[cfg(feature = "send")]
#[wasm_bindgen(js_name = releaseAsync, unchecked_return_type = "ReleaseResult")]
pub async fn release_async(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ReleaseOptions")] options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AsyncKey")] officer: JsValue,
) -> Result<JsValue, JsValue> {
    use crate::release::{self, ReleaseRequest, ReleaseStep};
    let o: crate::release::ReleaseOptions = from_js(options, "release options")?;
    if o.officer.is_some() {
        return Err(error_value(
            super::codes::REQUEST_INVALID,
            "releaseAsync takes the officer's key as its third argument, not in options.officer",
        ));
    }
    let raw = bytes(&raw, "message")?;
    let clock = super::now()?;
    let ctx = o.context(clock).map_err(|e| js_error(&e))?;
    let certs = key_certificates(&officer)?;
    let policy = o.policy.clone().unwrap_or_default();
    let req = ReleaseRequest {
        raw: &raw,
        officer: &certs,
        verify: &ctx,
        policy: &policy,
        decision: o.decision.decision().map_err(|e| js_error(&e))?,
        envelope: o.envelope.as_ref(),
        now: o.time(clock),
    };
    let mut rng = crate::rng::system_rng();
    let result = match release::begin_release(&req, &mut rng).map_err(|e| js_error(&e))? {
        ReleaseStep::Done(r) => *r,
        ReleaseStep::Sign(pending) => {
            let sig = sign_request(&officer, pending.request()).await?;
            pending.finish(&sig).map_err(|e| js_error(&e))?
        }
    };
    super::release::release_result_js(&result)
}
