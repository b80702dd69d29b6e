//! `makeMdn(request)`: the reader's message disposition notification (RFC 8098) and its
//! envelope (null reverse-path) — the same JSON as `mmhs mdn` ([`crate::compose::mdn`]),
//! with `raw` as a `Uint8Array`. The clock is `Date.now()`; the boundary and a missing
//! Message-ID come from `crypto.getRandomValues`.

use wasm_bindgen::prelude::*;

use super::material::set_bytes;
use super::{from_js, js_error, now, to_js};
use crate::compose::{make_mdn, MdnRequest};

/// Build the MDN of `request` now. Throws an `MmhsError` with the compose error's `.code`
/// (`address-invalid`, `header-crlf`, `message-id-invalid`, `request-invalid` …).
#[wasm_bindgen(js_name = makeMdn, unchecked_return_type = "Mdn")]
pub fn make_mdn_js(
    #[wasm_bindgen(unchecked_param_type = "MdnRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let request: MdnRequest = from_js(request, "MDN request")?;
    let mdn =
        make_mdn(&request, now()?, &mut crate::rng::system_rng()).map_err(|e| js_error(&e))?;
    let out = to_js(&mdn)?;
    set_bytes(&out, "raw", &mdn.raw)?;
    Ok(out)
}
