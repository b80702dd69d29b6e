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
