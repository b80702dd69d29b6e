//! The JSON requests of the core's operations, read one way by every facade.
//!
//! Each operation has one request type beside it (`SignRequest` in `domain/request.rs`,
//! `VerifyRequest` in `verify/request.rs`, …): serde camelCase with unknown fields refused,
//! so a misspelt option (`"protectHeader"`) is an error and never a silently dropped
//! protection. The CLI builds the same types from its flags or reads them with `--json`, the
//! wasm facade deserialises them from the JS object, and the extension's TypeScript types are
//! generated from them (`tests/ts_types.rs` → `src/wasm/api.d.ts`): "the same JSON in the
//! CLI and in wasm" holds by construction.
//!
//! Time is never read here: a request carries an optional time and the caller supplies
//! "now" (the CLI the system clock, the wasm facade `Date.now()`).

use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::coded::Coded;

/// A request does not have the documented shape: not JSON, a wrong type, a missing or
/// unknown field, a value outside its closed set.
pub const REQUEST_INVALID: &str = "request-invalid";
/// A request is larger than [`MAX_REQUEST_BYTES`].
pub const REQUEST_TOO_LARGE: &str = "request-too-large";

/// A request that cannot be read; each variant has a stable [`Coded::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not JSON, a wrong type, a missing or unknown field, a value outside its closed set.
    /// Code [`REQUEST_INVALID`].
    #[error("{0}")]
    Invalid(String),
    /// Larger than [`MAX_REQUEST_BYTES`]. Code [`REQUEST_TOO_LARGE`].
    #[error("{0}")]
    TooLarge(String),
}

impl Coded for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => REQUEST_INVALID,
            Error::TooLarge(_) => REQUEST_TOO_LARGE,
        }
    }
}

/// Largest JSON request read: 48 MiB (attachments travel base64 inside a compose request,
/// certificates, CRLs and policies as PEM texts inside the others).
pub const MAX_REQUEST_BYTES: usize = 48 * 1024 * 1024;

/// Parse a JSON request, which must be a JSON object; `what` names it in messages ("sign
/// request" …). serde would also read a struct from an array of its members in order (`[]`
/// is then every default): a request given as anything but an object is refused.
pub fn from_json<T: DeserializeOwned>(json: &[u8], what: &str) -> Result<T, Error> {
    match json
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        Some(b'{') => value_from_json(json, what),
        _ => Err(invalid(what, "expected a JSON object")),
    }
}

/// Parse any JSON value of a request (a list of certificates, an audit log …), bounded like
/// [`from_json`].
pub fn value_from_json<T: DeserializeOwned>(json: &[u8], what: &str) -> Result<T, Error> {
    if json.len() > MAX_REQUEST_BYTES {
        return Err(Error::TooLarge(format!(
            "{what}: {} octets is more than {MAX_REQUEST_BYTES}",
            json.len()
        )));
    }
    serde_json::from_slice(json).map_err(|e| invalid(what, e))
}

/// A [`REQUEST_INVALID`] error naming the request and what is wrong with it.
pub fn invalid(what: &str, why: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{what}: {why}"))
}

/// The request's time, else the caller's clock.
pub fn time_or(at: Option<OffsetDateTime>, now: OffsetDateTime) -> OffsetDateTime {
    at.unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[serde(default)]
        a: Option<u8>,
    }

    #[test]
    fn each_refusal_has_its_stable_code() {
        // serde's array form of a struct, a bare value, an unknown member, a wrong type
        for bad in [
            &b"[]"[..],
            b"[1]",
            b"7",
            b"\"x\"",
            b"{\"b\":1}",
            b"{\"a\":\"1\"}",
            b"{",
        ] {
            let e = from_json::<Probe>(bad, "probe request").unwrap_err();
            assert_eq!(
                e.code(),
                REQUEST_INVALID,
                "{}",
                String::from_utf8_lossy(bad)
            );
            assert!(e.to_string().starts_with("probe request: "), "{e}");
        }
        let mut big = b"{\"a\":1}".to_vec();
        big.resize(MAX_REQUEST_BYTES + 1, b' ');
        let e = from_json::<Probe>(&big, "probe request").unwrap_err();
        assert_eq!(e.code(), REQUEST_TOO_LARGE);
        assert_eq!(
            from_json::<Probe>(b" \r\n{\"a\":1}", "probe request")
                .unwrap()
                .a,
            Some(1)
        );
    }

    #[test]
    fn the_facades_see_the_same_codes() {
        let e: crate::Error = invalid("sign request", "expected a JSON object").into();
        assert_eq!(e.code(), REQUEST_INVALID);
        let e: crate::smime::Error = invalid("key", "no key").into();
        assert_eq!(e.code(), REQUEST_INVALID);
        let e: crate::release::Error = invalid("decision", "\"maybe\"").into();
        assert_eq!(crate::Error::from(e).code(), REQUEST_INVALID);
    }
}
