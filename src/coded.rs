//! The one trait every error of the crate implements: a stable machine-readable code beside
//! the human message. A leaf: every module's own error type implements it without depending
//! on the aggregate [`crate::error::Error`], which sits at the top of the layers
//! (docs/design.md "Layers").

/// Something every module error implements: a stable code (kebab-case, documented in
/// `docs/cli.md` "Error codes", `docs/compose.md` "Error codes", `docs/js-api.md`)
/// that never changes once released.
pub trait Coded {
    /// Stable machine-readable code, e.g. `"header-crlf"`.
    fn code(&self) -> &'static str;
}
