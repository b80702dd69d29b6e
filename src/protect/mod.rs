//! Header protection, both schemes, as pure MIME functions (see `docs/report.md`, "Header
//! protection and release"):
//!
//! - [`wrap()`] / [`wrap_parts`]: the MMHS profile's wrapped form — the whole message as
//!   `message/rfc822; forwarded=no` inside the S/MIME layer (draft-melnikov-mmhs-profile-09
//!   §4.2.6, draft-melnikov-iana-reg-forwarded-00).
//! - [`inject()`] / [`inject_with`]: RFC 9788 injected headers (`hp="clear"` / `hp="cipher"`,
//!   `HP-Outer`, header confidentiality policy [`Hcp`], Legacy Display Element).
//! - [`analyze()`]: on receipt, the scheme (including the older draft forms), the protected
//!   fields to render, and every outer/inner mismatch; [`remove_legacy_display`] gives the
//!   payload to render without its Legacy Display Element.
//!
//! The S/MIME layer (crate::smime) signs and/or encrypts the entity these functions produce
//! and, on receipt, hands [`analyze()`] the outer header section and the innermost entity.

mod analyze;
mod error;
mod fields;
mod inject;
mod legacy;
mod wrap;

pub use analyze::{analyze, codes, HeaderProtection, SUBJECT_PLACEHOLDERS};
pub use error::Error;
pub use fields::{is_structural, COMPARED};
pub use inject::{hcp, inject, inject_with, Hcp, InjectOptions, Injected};
pub use legacy::remove_legacy_display;
pub use wrap::{wrap, wrap_parts, Wrapped, WRAPPER_CONTENT_TYPE};
