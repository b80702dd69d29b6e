//! The one verification report every caller renders (see `docs/report.md`).

use serde::{Deserialize, Serialize};

/// A problem found in a message: a stable `code` (kebab-case, documented in
/// `docs/report.md`) and a human `message`. Problems are findings about the *input*; they are
/// reported, never hidden, and any problem makes a report not `valid`.
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
