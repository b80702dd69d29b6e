//! `mmhs::fields::inspect`: the MMHS view of a received message's header section.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::fields::{inspect, InspectOptions};

fuzz_target!(|data: &[u8]| {
    let opts = InspectOptions {
        now: Some(mmhs_fuzz::fixed_time()),
        ..Default::default()
    };
    let _ = inspect(data, &opts);
});
