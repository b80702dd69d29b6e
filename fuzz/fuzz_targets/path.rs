//! RFC 5280 path building and validation (`mmhs::trust::validate`) of hostile certificates
//! and CRLs against the NIST PKITS trust anchor: the input is a run of DER TLVs, each a
//! certificate or a CRL (anything else is skipped); the first certificate is validated with
//! the others as the message's certificates and the CRLs supplied. Name constraints,
//! policies (the RFC 9618 graph), basicConstraints, critical extensions and CRL scope are
//! all read before any signature is checked, so they meet whatever the input holds.
#![no_main]

use der::Decode;
use libfuzzer_sys::fuzz_target;
use mmhs::trust::{validate, Purpose, TrustContext};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

fuzz_target!(|data: &[u8]| {
    let anchor = Certificate::from_der(include_bytes!(
        "../../tests/vectors/pkits/certs/TrustAnchorRootCertificate.crt"
    ))
    .expect("the PKITS trust anchor is DER");
    let mut certs = Vec::new();
    let mut crls = Vec::new();
    let mut rest = data;
    while let Ok((tlv, after)) = mmhs::asn1::ber::Tlv::parse(rest) {
        if let Ok(c) = Certificate::from_der(tlv.raw) {
            certs.push(c);
        } else if let Ok(l) = CertificateList::from_der(tlv.raw) {
            crls.push(l);
        }
        rest = after;
    }
    let Some((leaf, extra)) = certs.split_first() else {
        return;
    };
    let ctx = TrustContext {
        anchors: vec![anchor],
        intermediates: Vec::new(),
        crls,
        at: time::OffsetDateTime::from_unix_timestamp(1_577_836_800).expect("2020-01-01"),
    };
    let r = validate(leaf, extra, &ctx, Purpose::Signing);
    assert!(
        !r.trusted || r.problems.is_empty(),
        "trusted with problems: {r:?}"
    );
});
