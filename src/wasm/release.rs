//! Draft & Release exports (docs/release.md): `release`, `releaseGate`, `mixerMap`,
//! `auditRecord`, `verifyAuditLog` — the same JSON as `mmhs release`, `mmhs release-gate`,
//! `mmhs mixer`, `mmhs audit record` and `mmhs audit verify`.

use serde::Deserialize;
use time::OffsetDateTime;
use wasm_bindgen::prelude::*;

use super::material::{bytes, set_bytes};
use super::{codes, error_value, from_js, from_js_or_default, js_error, now, to_js};
use crate::release::{
    self, AuditAgent, AuditEvent, AuditFacts, AuditRecord, AuditVerifyOptions, InternetHeading,
    IpmsHeading, ReleaseGateRequest, ReleaseOptions, ReleaseRequest,
};

#[wasm_bindgen(typescript_custom_section)]
const TS_RELEASE: &'static str = r#"
/** The result of `release` (docs/release.md). */
export interface ReleaseResult {
  outcome: "released" | "alreadyReleased" | "refused" | "rejected" | "bounced" | "blocked" | "reviewed";
  /** The released message, or the notice to the drafter (empty when refused/blocked/reviewed). */
  message: Uint8Array;
  envelope: Envelope | null;
  next: "transfer" | "officer" | "drafter" | null;
  findings: Array<Record<string, unknown>>;
  report: VerifyReport;
  stripped: string[];
  problems: Array<{ code: string; message: string }>;
}

/** Options of `mixerMap`. */
export interface MixerOptions {
  direction: "toX400" | "toInternet";
  /** toInternet: treat every message as military (gateway configuration). */
  allMilitary?: boolean;
}

/** The input of `auditRecord`. */
export interface AuditRecordInput {
  agent: "mua" | "msa" | "mta";
  event: "submit" | "receive" | "release" | "reject" | "deliver";
  /** Read header facts from this message. */
  message?: MessageInput;
  /** Facts (docs/release.md "Audit trail"); override the message's. */
  facts?: Record<string, unknown>;
  /** The previous record of the log (the new one chains to it). */
  prev?: AuditRecord;
  /** Event time (RFC 3339); default `Date.now()`. */
  at?: string;
}

export type AuditRecord = Record<string, unknown> & { seq: number; hash: string; prevHash: string };

/** Options of `verifyAuditLog`. */
export interface AuditVerifyOptions {
  expectedHead?: string;
  retentionDays?: number;
  /** RFC 3339; default `Date.now()`. */
  now?: string;
}
"#;

/// The release officer's procedure (`mmhs release --json`).
#[wasm_bindgen(js_name = release, unchecked_return_type = "ReleaseResult")]
pub fn release(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ReleaseOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: ReleaseOptions = from_js(options, "release options")?;
    let raw = bytes(&raw, "message")?;
    let clock = now()?;
    let ctx = o.context(clock).map_err(|e| js_error(&e))?;
    let officer = o
        .officer()
        .and_then(|k| k.signer().map_err(Into::into))
        .map_err(|e| js_error(&e))?;
    let policy = o.policy.clone().unwrap_or_default();
    let req = ReleaseRequest {
        raw: &raw,
        officer: &officer,
        verify: &ctx,
        policy: &policy,
        decision: o.decision.decision().map_err(|e| js_error(&e))?,
        envelope: o.envelope.as_ref(),
        now: o.time(clock),
    };
    let result = release::release(&req, &mut crate::rng::system_rng()).map_err(|e| js_error(&e))?;
    release_result_js(&result)
}

/// A `ReleaseResult` for JS: `message` as bytes.
pub(crate) fn release_result_js(result: &release::ReleaseResult) -> Result<JsValue, JsValue> {
    let obj = to_js(result)?;
    set_bytes(&obj, "message", &result.message)?;
    Ok(obj)
}

/// The submission gate (`mmhs release-gate`): transfer, release queue or refuse.
#[wasm_bindgen(js_name = releaseGate, unchecked_return_type = "Record<string, unknown>")]
pub fn release_gate(
    #[wasm_bindgen(unchecked_param_type = "MessageInput")] raw: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ReleaseGateRequest")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let o: ReleaseGateRequest = from_js_or_default(
        options.unwrap_or(JsValue::UNDEFINED),
        "release gate request",
    )?;
    let raw = bytes(&raw, "message")?;
    let policy = o.policy.clone().unwrap_or_default();
    let ctx = o.context(now()?).map_err(|e| js_error(&e))?;
    let d = release::verify_and_gate(&raw, &policy, o.submitter.as_deref(), &o.recipients, &ctx)
        .map_err(|e| js_error(&e))?;
    to_js(&d)
}

/// JS `MixerOptions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MixerOpts {
    direction: String,
    #[serde(default)]
    all_military: bool,
}

/// MIXER mapping (`mmhs mixer to-x400|to-internet`): `heading` is an `InternetHeading`
/// (`{from, sender, authorizingUsers}`) for `toX400`, an `IpmsHeading`
/// (`{originator, authorizingUsers, headingExtensions}`) for `toInternet`.
#[wasm_bindgen(js_name = mixerMap, unchecked_return_type = "Record<string, unknown>")]
pub fn mixer_map(
    #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] heading: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MixerOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: MixerOpts = from_js(options, "mixer options")?;
    match o.direction.as_str() {
        "toX400" => {
            let h: InternetHeading = from_js(heading, "internet heading")?;
            to_js(&release::to_x400(&h))
        }
        "toInternet" => {
            let h: IpmsHeading = from_js(heading, "IPMS heading")?;
            to_js(&release::to_internet(&h, o.all_military))
        }
        other => Err(error_value(
            codes::REQUEST_INVALID,
            &format!("mixer options: direction {other:?} is not toX400 or toInternet"),
        )),
    }
}

/// JS `AuditRecordInput`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuditIn {
    agent: AuditAgent,
    event: AuditEvent,
    #[serde(default)]
    facts: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    prev: Option<AuditRecord>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    at: Option<OffsetDateTime>,
}

/// Make the next audit record (`mmhs audit record`); the caller stores it.
#[wasm_bindgen(js_name = auditRecord, unchecked_return_type = "AuditRecord")]
pub fn audit_record(
    #[wasm_bindgen(unchecked_param_type = "AuditRecordInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    // `message` is bytes: take it out before the serde conversion of the rest.
    let message = js_sys::Reflect::get(&input, &JsValue::from_str("message")).unwrap_or_default();
    let rest = if input.is_object() {
        let copy = js_sys::Object::assign(&js_sys::Object::new(), input.unchecked_ref());
        let _ = js_sys::Reflect::delete_property(&copy, &JsValue::from_str("message"));
        JsValue::from(copy)
    } else {
        input
    };
    let a: AuditIn = from_js(rest, "audit record input")?;
    let mut facts = if message.is_undefined() || message.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        serde_json::to_value(AuditFacts::from_message(&bytes(&message, "message")?))
            .map_err(|e| error_value(codes::OUTPUT_UNSERIALIZABLE, &e.to_string()))?
    };
    if let (Some(f), Some(extra)) = (facts.as_object_mut(), a.facts) {
        f.extend(extra);
    }
    let facts: AuditFacts = serde_json::from_value(facts)
        .map_err(|e| error_value(codes::REQUEST_INVALID, &format!("audit facts: {e}")))?;
    let at = match a.at {
        Some(t) => t,
        None => now()?,
    };
    to_js(&release::audit_record(
        a.agent,
        a.event,
        facts,
        at,
        a.prev.as_ref(),
    ))
}

/// Check an audit log (`mmhs audit verify`): an array of records, oldest first, or the
/// JSON-lines text.
#[wasm_bindgen(js_name = verifyAuditLog, unchecked_return_type = "{ valid: boolean; records: number; problems: Array<{ code: string; message: string }> }")]
pub fn verify_audit_log(
    #[wasm_bindgen(unchecked_param_type = "AuditRecord[] | string")] records: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AuditVerifyOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let mut opts: AuditVerifyOptions = from_js_or_default(
        options.unwrap_or(JsValue::UNDEFINED),
        "audit verify options",
    )?;
    let records: Vec<AuditRecord> = match records.as_string() {
        Some(text) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    error_value(
                        codes::REQUEST_INVALID,
                        &format!("audit log line {}: {e}", i + 1),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        None => super::value_from_js(records, "audit log")?,
    };
    if opts.now.is_none() {
        opts.now = now()?
            .format(&time::format_description::well_known::Rfc3339)
            .ok();
    }
    to_js(&release::verify_audit_log(&records, &opts))
}
