//! `inspect`, `sign`, `encrypt`, `decrypt`, `verify`: the message functions, each a thin call
//! of the core with the same JSON as the CLI subcommand of the same name (docs/js-api.md).

use serde::Deserialize;
use time::OffsetDateTime;
use wasm_bindgen::prelude::*;

use super::material::{bytes, certs, crls, uint8, KeyUse};
use super::{codes, error_value, from_js, from_js_or_default, js_error, now, to_js};
use crate::mmhs::EssSecurityLabel as SecurityLabel;
use crate::mmhs::InspectOptions;
use crate::smime::{
    DigestAlg, EncryptOptions, KeyTransportPadding, ReceiptRequestOptions, RsaPadding, SignOptions,
    SignatureType,
};
use crate::verify::VerifyContext;

#[wasm_bindgen(typescript_custom_section)]
const TS_SMIME: &'static str = r#"
/** Options of `inspect`. */
export interface InspectOptions {
  /** The current time for the `expired` flag (RFC 3339); default `Date.now()`. `now` is an alias. */
  at?: string;
  now?: string;
  /** The reader's address: the view then carries `readerPrecedence` (docs/report.md). */
  reader?: string;
}

/** Options of `sign` (all optional). */
export interface SignOptions {
  /** multipart/signed (true, default) or application/pkcs7-mime signed-data (false). */
  detached?: boolean;
  digest?: "sha256" | "sha384" | "sha512";
  rsaPadding?: "pkcs1v15" | "pss";
  /** Identify the signer by subjectKeyIdentifier. */
  useSki?: boolean;
  /** Include the signer certificate and chain (default true). */
  includeCerts?: boolean;
  /** signingTime (RFC 3339); default `Date.now()`. */
  signingTime?: string;
  /** ESS security label (docs/report.md). */
  securityLabel?: Record<string, unknown>;
  /** signatureType attribute values (draft-melnikov-smime-msa-to-mda-04 §3): "originator",
   *  "domain", "additionalAttributes", "review", "delegatedOriginator". Domain, review and
   *  additional-attributes signatures become a new signed layer around the message; the
   *  certificate must name an agent of the originator's domain (docs/domain.md). */
  signatureType?: Array<"originator" | "domain" | "additionalAttributes" | "review" | "delegatedOriginator">;
  capabilities?: boolean;
  signingCertificateV2?: boolean;
  /** Wrap the message as message/rfc822; forwarded=no first (header protection). */
  protectHeaders?: boolean;
  /** Ask for signed receipts (RFC 2634 §2.2; docs/report.md "Signed receipts"). */
  receiptRequest?: ReceiptRequestOptions;
}

/** A signed-receipt request: who returns receipts, and where they go. */
export interface ReceiptRequestOptions {
  receiptsFrom: { kind: "all" } | { kind: "firstTier" } | { kind: "list"; recipients: string[][] };
  /** 1 to 16 addresses (usually the sender's own). */
  receiptsTo: string[];
}

/** Options of `encrypt`. */
export interface EncryptOptions {
  /** AuthEnvelopedData with AES-256-GCM. */
  gcm?: boolean;
  /** Compress (RFC 3274) before encrypting. */
  compress?: boolean;
  /** RSA key transport padding (default "oaep"). */
  rsaPadding?: "oaep";
  /** Wrap the message as message/rfc822; forwarded=no first (header protection). */
  protectHeaders?: boolean;
  /** Recipient addresses whose certificates are looked up in `certificates` (`mmhs encrypt
   *  --rcpt`): their own, or their domain's DCA or gateway certificate as `domainEncryption`
   *  says (draft-melnikov-smime-msa-to-mda-04 §4; docs/domain.md). */
  rcpt?: string[];
  /** Certificates (PEM texts) to look `rcpt` up in: personal, DCA and gateway certificates. */
  certificates?: string[];
  /** For `rcpt` (default "none"): the domain's certificate never, when the recipient has none
   *  of its own, as well as its own, or instead of it. */
  domainEncryption?: "none" | "whenNoPersonal" | "also" | "instead";
}

/** The context of `verify` (and of `makeReceipt` / `verifyReceipt`). */
export interface VerifyOptions {
  /** Trust anchors (PEM texts). */
  trustAnchors: string[];
  /** Extra certificates: intermediates, or signer certificates (PEM texts). */
  certificates?: string[];
  /** CRLs (PEM `X509 CRL` texts). */
  crls?: string[];
  /** Validation time (RFC 3339); default `Date.now()`. */
  at?: string;
  /** Key to decrypt enveloped layers. */
  decryptionKey?: KeyUse;
  /** Maximum nesting of S/MIME layers (default 8). */
  maxDepth?: number;
  /** Also return the innermost content: the result is then `{ report, content }`. */
  withContent?: boolean;
  /** Legacy receive: weak algorithms and keys become the note `weak-algorithm-accepted`
   *  instead of problems (default false: they make the report not valid). */
  allowWeak?: boolean;
  /** The reader's address: the report's `mmhs.readerPrecedence` says which precedence
   *  applies to this reader (MMHS profile §3.5.1, §3.5.2). */
  reader?: string;
  /** The authserv-ids (RFC 8601) whose `Authentication-Results` to read into the report's
   *  `authenticationResults` (default none); only fields above the first `Received`. */
  trustedAuthservIds?: string[];
}

/** The verification report (docs/report.md). */
export type VerifyReport = {
  valid: boolean;
  layers: string[];
  signatures: Array<Record<string, unknown>>;
  securityLabel: Record<string, unknown> | null;
  headerProtection: Record<string, unknown>;
  mmhs: Record<string, unknown> | null;
  authorizingUsers: Array<{ address: string; status: string }>;
  /** Results of trusted `Authentication-Results` fields (RFC 8601); never part of `valid`. */
  authenticationResults?: Array<{ authservId: string; method: string; result: string; reason?: string; properties: Record<string, string> }>;
  /** The signed-receipt request of the originator signature, when present. */
  receiptRequest?: { identifier: string; receiptsFrom: Record<string, unknown>; receiptsTo: string[][]; signer: string };
  /** When the message is a signed receipt. */
  receipt?: { identifier: string; contentType: string; signer: string; from: string[]; signingTime: string | null; originalChecked: boolean; verified: boolean; problems: Array<{ code: string; message: string }> };
  problems: Array<{ code: string; message: string }>;
  notes: Array<{ code: string; message: string }>;
};
"#;

fn time_or_now(t: Option<OffsetDateTime>) -> Result<OffsetDateTime, JsValue> {
    match t {
        Some(t) => Ok(t),
        None => now(),
    }
}

/// JS `InspectOptions`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InspectOpts {
    #[serde(default, with = "time::serde::rfc3339::option")]
    at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    now: Option<OffsetDateTime>,
    #[serde(default)]
    reader: Option<String>,
}

/// The MMHS view of a message's header fields (`mmhs inspect`).
#[wasm_bindgen(js_name = inspect, unchecked_return_type = "Record<string, unknown>")]
pub fn inspect(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "InspectOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o: InspectOpts =
        from_js_or_default(options.unwrap_or(JsValue::UNDEFINED), "inspect options")?;
    let raw = bytes(&raw, "message")?;
    let opts = InspectOptions {
        now: Some(time_or_now(o.at.or(o.now))?),
        reader: o.reader,
    };
    let view = crate::mmhs::inspect(&raw, &opts).map_err(|e| js_error(&e.into()))?;
    to_js(&view)
}

/// JS `SignOptions`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignOpts {
    detached: Option<bool>,
    digest: Option<String>,
    rsa_padding: Option<RsaPadding>,
    use_ski: Option<bool>,
    include_certs: Option<bool>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    signing_time: Option<OffsetDateTime>,
    security_label: Option<SecurityLabel>,
    signature_type: Option<Vec<SignatureType>>,
    capabilities: Option<bool>,
    signing_certificate_v2: Option<bool>,
    #[serde(default)]
    protect_headers: bool,
    receipt_request: Option<ReceiptRequestOptions>,
}

fn digest(name: Option<&str>) -> Result<DigestAlg, JsValue> {
    match name.map(str::to_ascii_lowercase).as_deref() {
        None | Some("sha256") | Some("sha-256") => Ok(DigestAlg::Sha256),
        Some("sha384") | Some("sha-384") => Ok(DigestAlg::Sha384),
        Some("sha512") | Some("sha-512") => Ok(DigestAlg::Sha512),
        Some(other) => Err(error_value(
            codes::REQUEST_INVALID,
            &format!("sign options: digest {other:?} is not sha256, sha384 or sha512"),
        )),
    }
}

/// The message to sign (header-protected when asked) and the core's options, from the JS
/// arguments of `sign` / `signAsync`.
pub(crate) fn sign_input(
    raw: &JsValue,
    options: Option<JsValue>,
) -> Result<(Vec<u8>, SignOptions), JsValue> {
    let o: SignOpts = from_js_or_default(options.unwrap_or(JsValue::UNDEFINED), "sign options")?;
    let raw = bytes(raw, "message")?;
    let d = SignOptions::default();
    let opts = SignOptions {
        detached: o.detached.unwrap_or(d.detached),
        digest: digest(o.digest.as_deref())?,
        rsa_padding: o.rsa_padding.unwrap_or(d.rsa_padding),
        use_ski: o.use_ski.unwrap_or(d.use_ski),
        include_certs: o.include_certs.unwrap_or(d.include_certs),
        signing_time: Some(time_or_now(o.signing_time)?),
        security_label: o.security_label,
        signature_type: o.signature_type.unwrap_or_default(),
        capabilities: o.capabilities.unwrap_or(d.capabilities),
        signing_certificate_v2: o.signing_certificate_v2.unwrap_or(d.signing_certificate_v2),
        encryption_cert: None,
        receipt_request: o.receipt_request,
        extra_attributes: Vec::new(),
    };
    let input = if o.protect_headers {
        crate::protect::wrap(&raw).map_err(|e| js_error(&e.into()))?
    } else {
        raw
    };
    Ok((input, opts))
}

/// Sign a whole message (`mmhs sign`); returns the signed message.
#[wasm_bindgen(js_name = sign, unchecked_return_type = "Uint8Array")]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeyUse")] signer: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let key: KeyUse = from_js(signer, "signer")?;
    let (input, opts) = sign_input(&raw, options)?;
    let signer = key.signer()?;
    let out = crate::domain::sign_typed(&input, &signer, &opts, &mut crate::rng::system_rng())
        .map_err(|e| js_error(&e.into()))?;
    Ok(uint8(&out))
}

/// JS `EncryptOptions`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EncryptOpts {
    #[serde(default)]
    gcm: bool,
    #[serde(default)]
    compress: bool,
    rsa_padding: Option<String>,
    #[serde(default)]
    protect_headers: bool,
    #[serde(default)]
    rcpt: Vec<String>,
    #[serde(default)]
    certificates: Vec<String>,
    #[serde(default)]
    domain_encryption: crate::domain::DomainEncryption,
}

/// Encrypt a whole message to recipient certificates (`mmhs encrypt`).
#[wasm_bindgen(js_name = encrypt, unchecked_return_type = "Uint8Array")]
pub fn encrypt(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] recipients: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EncryptOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o: EncryptOpts =
        from_js_or_default(options.unwrap_or(JsValue::UNDEFINED), "encrypt options")?;
    let pems: Vec<String> = from_js(recipients, "recipients")?;
    let raw = bytes(&raw, "message")?;
    let refs: Vec<&str> = pems.iter().map(String::as_str).collect();
    let mut recipients = certs(&refs)?;
    if !o.rcpt.is_empty() {
        let pool_refs: Vec<&str> = o.certificates.iter().map(String::as_str).collect();
        let pool = certs(&pool_refs)?;
        let chosen =
            crate::domain::encryption_certificates(&o.rcpt, &pool, o.domain_encryption, |_| true)
                .map_err(|e| js_error(&e.into()))?;
        for c in chosen {
            if !recipients.contains(&c) {
                recipients.push(c);
            }
        }
    }
    let rsa_padding = match o.rsa_padding.as_deref() {
        None | Some("oaep") => KeyTransportPadding::Oaep,
        // PKCS#1 v1.5 key transport is weak (algorithm policy, docs/security.md): never produced.
        Some(other) => {
            return Err(error_value(
                codes::REQUEST_INVALID,
                &format!("encrypt options: rsaPadding {other:?} is not oaep"),
            ))
        }
    };
    let opts = EncryptOptions {
        gcm: o.gcm,
        compress: o.compress,
        rsa_padding,
        ..EncryptOptions::default()
    };
    let input = if o.protect_headers {
        crate::protect::wrap(&raw).map_err(|e| js_error(&e.into()))?
    } else {
        raw
    };
    let out =
        crate::smime::encrypt_message(&input, &recipients, &opts, &mut crate::rng::system_rng())
            .map_err(|e| js_error(&e.into()))?;
    Ok(uint8(&out))
}

/// Decrypt an S/MIME encrypted message (`mmhs decrypt`).
#[wasm_bindgen(js_name = decrypt, unchecked_return_type = "Uint8Array")]
pub fn decrypt(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeyUse")] key: JsValue,
) -> Result<JsValue, JsValue> {
    let key: KeyUse = from_js(key, "key")?;
    let raw = bytes(&raw, "message")?;
    let s = key.signer()?;
    let out =
        crate::smime::decrypt_message(&raw, &s.key, &s.cert).map_err(|e| js_error(&e.into()))?;
    Ok(uint8(&out))
}

/// JS `VerifyOptions`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct VerifyOpts {
    #[serde(default)]
    pub(crate) trust_anchors: Vec<String>,
    #[serde(default)]
    pub(crate) certificates: Vec<String>,
    #[serde(default)]
    pub(crate) crls: Vec<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub(crate) at: Option<OffsetDateTime>,
    #[serde(default)]
    pub(crate) decryption_key: Option<KeyUse>,
    #[serde(default)]
    pub(crate) max_depth: usize,
    #[serde(default)]
    pub(crate) with_content: bool,
    #[serde(default)]
    pub(crate) allow_weak: bool,
    #[serde(default)]
    pub(crate) reader: Option<String>,
    #[serde(default)]
    pub(crate) trusted_authserv_ids: Vec<String>,
}

impl VerifyOpts {
    /// The core's context (the clock is `Date.now()` unless `at` is given).
    pub(crate) fn context(&self) -> Result<VerifyContext, JsValue> {
        let anchors: Vec<&str> = self.trust_anchors.iter().map(String::as_str).collect();
        let extra: Vec<&str> = self.certificates.iter().map(String::as_str).collect();
        let mut ctx = VerifyContext {
            trust_anchors: certs(&anchors)?,
            certificates: certs(&extra)?,
            crls: crls(&self.crls)?,
            at: Some(time_or_now(self.at)?),
            max_depth: self.max_depth,
            algorithms: crate::algorithm_policy::AlgorithmPolicy {
                allow_weak: self.allow_weak,
            },
            reader: self.reader.clone(),
            trusted_authserv_ids: self.trusted_authserv_ids.clone(),
            ..VerifyContext::default()
        };
        if let Some(k) = &self.decryption_key {
            let s = k.signer()?;
            ctx.certificates.extend(s.chain.iter().cloned());
            ctx.decryption_keys.push((s.key, s.cert));
        }
        Ok(ctx)
    }
}

/// Verify every S/MIME layer; returns the report (docs/report.md) with `authorizingUsers`.
/// A message that does not verify is a report with `valid: false`, not an error.
#[wasm_bindgen(js_name = verify, unchecked_return_type = "VerifyReport | { report: VerifyReport; content: Uint8Array }")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: VerifyOpts = from_js(options, "verify options")?;
    let raw = bytes(&raw, "message")?;
    let ctx = o.context()?;
    if o.with_content {
        let v = crate::verify::verify_message(&raw, &ctx).map_err(|e| js_error(&e.into()))?;
        let report = v.report;
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &JsValue::from_str("report"), &to_js(&report)?)
            .map_err(|_| error_value(codes::OUTPUT_UNSERIALIZABLE, "cannot set report"))?;
        super::material::set_bytes(&out, "content", &v.content)?;
        return Ok(out.into());
    }
    let report = crate::verify::verify(&raw, &ctx).map_err(|e| js_error(&e.into()))?;
    to_js(&report)
}
