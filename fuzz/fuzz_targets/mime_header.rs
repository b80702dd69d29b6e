//! `mmhs::mime::header::HeaderSection::parse` (RFC 5322 §2.2 header section, with spans and
//! defects), then every field's unfolded and displayed value (RFC 2047 encoded words).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::mime::header::HeaderSection;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = HeaderSection::parse(data) {
        for f in &h.fields {
            let _ = f.unfolded();
            let _ = f.display_value();
        }
    }
});
