//! A finding about an input: a stable code and a human message ([`Problem`]), the unit of
//! every report (`report::VerifyReport`, `fields::inspect`, the algorithm policy, …).

use serde::{Deserialize, Serialize};

/// A problem found in a message: a stable `code` (kebab-case, documented in
/// `docs/report.md`) and a human `message`. Problems are findings about the *input*; they are
/// reported, never hidden, and any problem makes a report not `valid`.
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Stable machine-readable code, e.g. `"mmhs-duplicate-field"`.
    pub code: String,
    /// Human explanation.
    pub message: String,
}

impl Problem {
    /// Build a problem.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Problem {
            code: code.to_string(),
            message: message.into(),
        }
    }
}
