//! The whole receive pipeline (`mmhs::verify::verify`): MIME layers, CMS SignedData /
//! EnvelopedData / AuthEnvelopedData / CompressedData, signatures, path validation,
//! originator binding, labels, coverage, authorizing users, verdict — and, differentially,
//! the walk `verifyAsync` runs while the signed content is still being hashed
//! (`mmhs_fuzz::verify_with_digests_after_the_walk`): whatever the message, its report is
//! `verify`'s (a messageDigest taken before the digest is known never stands unconfirmed).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::error::Coded;

fuzz_target!(|data: &[u8]| {
    let ctx = mmhs_fuzz::verify_context();
    let report = mmhs::verify::verify(data, ctx);
    let stepped = mmhs_fuzz::verify_with_digests_after_the_walk(data, ctx);
    match (&report, &stepped) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "verify and the walk before the digests differ"),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code()),
        _ => panic!("verify and the walk before the digests differ: {report:?} / {stepped:?}"),
    }
});
