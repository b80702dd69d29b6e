//! Fixtures shared by the fuzz targets: the trust anchors, decryption key and time that
//! `verify` runs with. All come from third-party vectors under `tests/vectors/` (see their
//! PROVENANCE notes), so the signed and encrypted seeds there reach the signature, path
//! validation and decryption code instead of stopping at "untrusted".

use std::sync::OnceLock;

use der::Decode;
use mmhs::keys::{import_pkcs12, pem_blocks};
use mmhs::verify::VerifyContext;
use x509_cert::Certificate;

/// The validation time: inside the validity of every anchor and end-entity certificate
/// below (RFC 4134's certificates run 1999–2039).
pub fn fixed_time() -> time::OffsetDateTime {
    time::macros::datetime!(2026-01-01 00:00:00 UTC)
}

/// RFC 4134 §2 CarlRSASelf (signer of the RFC 4134 examples' certificates) and OpenSSL's
/// `smroot.pem` test root; Bob's key and certificate from the Autocrypt / RFC 9788
/// header-protection samples (PKCS#12, password `bob`), to open their encrypted layers.
pub fn verify_context() -> &'static VerifyContext {
    static CTX: OnceLock<VerifyContext> = OnceLock::new();
    CTX.get_or_init(|| {
        let carl = Certificate::from_der(include_bytes!(
            "../../tests/vectors/rfc4134/CarlRSASelf.cer"
        ))
        .expect("RFC 4134 CarlRSASelf.cer is DER");
        let smroot = mmhs::keys::certificates_from_pem(include_str!(
            "../../tests/vectors/openssl/smroot.pem"
        ))
        .expect("OpenSSL smroot.pem is PEM");
        let (_, p12) = pem_blocks(include_str!("../../tests/vectors/autocrypt/bob.p12"))
            .next()
            .expect("bob.p12 holds one PEM block")
            .expect("bob.p12 is PEM");
        let bob = import_pkcs12(&p12, "bob").expect("bob.p12 opens with password bob");
        let mut trust_anchors = vec![carl];
        trust_anchors.extend(smroot);
        VerifyContext {
            trust_anchors,
            at: Some(fixed_time()),
            decryption_keys: vec![(bob.key, bob.cert)],
            ..VerifyContext::default()
        }
    })
}

/// The signer of the `sign` target: OpenSSL's `test/smime-certs/smec3.pem` (a P-256 key and
/// its certificate, issued by `smroot.pem`, one of [`verify_context`]'s anchors).
pub fn signer() -> &'static mmhs::smime::Signer {
    static S: OnceLock<mmhs::smime::Signer> = OnceLock::new();
    S.get_or_init(|| {
        let pem = include_str!("../../tests/vectors/openssl-envelope/smec3.pem");
        mmhs::smime::Signer::from_pem(pem, pem, None)
            .expect("smec3.pem holds a P-256 key and its certificate")
    })
}

/// The report `verifyAsync` arrives at (docs/design.md "Crypto provider seam", Verifying): the
/// digests of the signed content are expected before the walk, which takes the signed
/// messageDigest values for them, and answered after it (here by the pure-Rust hash, as
/// SubtleCrypto would); a walk whose claims the digests do not confirm is walked again.
pub fn verify_with_digests_after_the_walk(
    raw: &[u8],
    ctx: &VerifyContext,
) -> Result<mmhs::report::VerifyReport, mmhs::smime::Error> {
    use mmhs::verify::{
        digest_ranges, verify_message_step_with_digests, verify_message_with_digests,
        DigestAnswers, VerifyStep,
    };
    let ranges = digest_ranges(raw);
    let mut digests = DigestAnswers::new(raw);
    for r in &ranges {
        digests.expect(r.clone());
    }
    let step = verify_message_step_with_digests(raw, ctx, Some(&digests))?;
    for r in &ranges {
        if let Some(q) = r.request(raw) {
            digests.add(r.clone(), q.answer_with_rust());
        }
    }
    digests.settle();
    let answers = match &step {
        VerifyStep::Check(round) => vec![Some(false); round.requests().len()],
        _ => Vec::new(),
    };
    match step {
        VerifyStep::Done(v) => return Ok(v.report),
        VerifyStep::Check(round) => {
            if let Some(v) = round.finish(ctx, &answers, Some(&digests)) {
                return Ok(v.report);
            }
        }
        VerifyStep::Decrypt(_) | VerifyStep::DecryptContent(_) => {}
    }
    verify_message_with_digests(raw, ctx, Some(&digests)).map(|v| v.report)
}
