//! The whole receive pipeline (`mmhs::verify::verify`): MIME layers, CMS SignedData /
//! EnvelopedData / AuthEnvelopedData / CompressedData, signatures, path validation,
//! originator binding, labels, coverage, authorizing users, verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mmhs::verify::verify(data, mmhs_fuzz::verify_context());
});
