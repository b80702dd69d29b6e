//! The compose request (`ComposeRequest::from_json`, docs/compose.md) and `compose` itself
//! with a seeded RNG and a fixed time: field checks, header building, MIME body, envelopes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::compose::{compose, ComposeContext, ComposeRequest};
use mmhs::rng::danger::SeededRng;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = ComposeRequest::from_json(data) {
        let ctx = ComposeContext::new(mmhs_fuzz::fixed_time());
        let _ = compose(&req, &ctx, &mut SeededRng::new(1));
    }
});
