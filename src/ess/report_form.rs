//! The report form of an ESS security label (RFC 2634 §3.2): the JSON every report and
//! request carries (`report::VerifyReport::security_label`, label policies, compose).

use serde::{Deserialize, Serialize};

/// An ESS security label (RFC 2634 §3.2) as JSON.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SecurityLabel {
    /// security-policy-identifier, dotted OID.
    pub policy: String,
    /// security-classification (0 unmarked … 5 top-secret, or policy-defined up to 256).
    pub classification: Option<u32>,
    /// privacy-mark (PrintableString or UTF8String).
    pub privacy_mark: Option<String>,
    /// security-categories.
    pub categories: Vec<SecurityCategory>,
}

/// One SecurityCategory: `type` OID and the DER of `value`, base64.
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(rename = "ReportSecurityCategory")
)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SecurityCategory {
    /// The category type, dotted OID.
    #[serde(rename = "type")]
    pub kind: String,
    /// The DER encoding of the value (inside the `[1]` tag), base64.
    pub value: String,
}
