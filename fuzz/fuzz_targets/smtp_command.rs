//! The SMTP submission agent's command reading (RFC 5321 §4.1, through `smtp-proto`) and
//! our strict MAIL / RCPT parameter checks (`server::smtp::params::scan`: RFC 3461, 6710,
//! 4865, 2852), plus the MT-PRIORITY value grammar (RFC 6710 §3).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::fields::mt_priority::MtPriority;
use mmhs::server::smtp::{params, session};

fuzz_target!(|data: &[u8]| {
    session::fuzz_commands(data);
    let _ = params::scan(data, true);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = MtPriority::from_parameter(s);
    }
});
