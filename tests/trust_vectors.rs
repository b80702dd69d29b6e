//! Path validation with third-party certificates: RFC 9216 (valid in 2022) and RFC 4134
//! (legacy, refused). Provenance in tests/vectors/*/PROVENANCE.md.
#![cfg(not(target_arch = "wasm32"))]

use der::{Decode, DecodePem};
use mmhs::trust::{self, Purpose, TrustContext};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

macro_rules! pem {
    ($f:literal) => {
        from_pem_with_text(include_str!(concat!("vectors/rfc9216-certs/", $f)))
    };
}

/// The files carry an explanatory text before the PEM block.
fn from_pem_with_text(s: &str) -> Certificate {
    let start = s.find("-----BEGIN CERTIFICATE-----").unwrap();
    let end = s[start..].find("-----END CERTIFICATE-----").unwrap() + start + 25;
    Certificate::from_pem(&s[start..end]).unwrap()
}

fn ctx(anchors: Vec<Certificate>) -> TrustContext {
    TrustContext {
        anchors,
        intermediates: vec![],
        crls: vec![],
        at: time::macros::datetime!(2022-06-01 0:00 UTC),
    }
}

fn codes(r: &trust::PathResult) -> Vec<String> {
    r.problems.iter().map(|p| p.code.clone()).collect()
}

#[test]
fn rfc9216_rsa_signers_chain_in_2022() {
    let root = pem!("Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem");
    for leaf in [
        pem!("alice@smime.example.sig.pem"),
        pem!("bob@smime.example.sig.pem"),
    ] {
        let r = trust::validate(&leaf, &[], &ctx(vec![root.clone()]), Purpose::Signing);
        assert!(r.trusted, "{:?}", r.problems);
        assert_eq!(r.chain.len(), 2);
        assert_eq!(
            r.chain[1],
            "CN=Sample LAMPS RSA Certification Authority,OU=LAMPS WG,O=IETF"
        );
    }
    assert_eq!(
        trust::email_addresses(&pem!("alice@smime.example.sig.pem")),
        ["alice@smime.example"]
    );
    assert!(trust::address_matches(
        &pem!("alice@smime.example.sig.pem"),
        "Alice@SMIME.example"
    ));
}

#[test]
fn rfc9216_key_usage_separates_sig_and_enc() {
    let root = pem!("Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem");
    let enc = pem!("alice@smime.example.enc.pem");
    let r = trust::validate(&enc, &[], &ctx(vec![root.clone()]), Purpose::Encryption);
    assert!(r.trusted, "{:?}", r.problems);
    let r = trust::validate(&enc, &[], &ctx(vec![root.clone()]), Purpose::Signing);
    assert_eq!(codes(&r), ["cert-key-usage"]);
    let sig = pem!("bob@smime.example.sig.pem");
    let r = trust::validate(&sig, &[], &ctx(vec![root]), Purpose::Encryption);
    assert_eq!(codes(&r), ["cert-key-usage"]);
}

#[test]
fn rfc9216_wrong_anchor_and_time() {
    let ed_root = pem!("Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem");
    let alice = pem!("alice@smime.example.sig.pem");
    let r = trust::validate(&alice, &[], &ctx(vec![ed_root.clone()]), Purpose::Signing);
    assert_eq!(codes(&r), ["cert-untrusted"]);
    // Through the cross-certificate the path exists, but its signature is Ed25519 (unsupported).
    let cross = pem!("Sample_LAMPS_RSA_Certification_Authority.crosssigned.pem");
    let r = trust::validate(
        &alice,
        &[cross],
        &ctx(vec![ed_root.clone()]),
        Purpose::Signing,
    );
    assert!(!r.trusted);
    assert_eq!(codes(&r), ["cert-bad-signature"]);
    assert_eq!(r.chain.len(), 3);
    // Carlos is signed by the Ed25519 CA.
    let carlos = pem!("carlos@smime.example.sig.pem");
    let r = trust::validate(&carlos, &[], &ctx(vec![ed_root]), Purpose::Signing);
    assert_eq!(codes(&r), ["cert-bad-signature"]);
    // In 2018 Alice's certificate (and the root) were not yet valid.
    let mut c = ctx(vec![pem!(
        "Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem"
    )]);
    c.at = time::macros::datetime!(2018-01-01 0:00 UTC);
    let r = trust::validate(&alice, &[], &c, Purpose::Signing);
    assert_eq!(codes(&r), ["cert-not-yet-valid"]);
}

#[test]
fn rfc9216_both_anchors_pick_the_rsa_path() {
    let anchors = vec![
        pem!("Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem"),
        pem!("Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem"),
    ];
    let extra = [
        pem!("Sample_LAMPS_RSA_Certification_Authority.crosssigned.pem"),
        pem!("Sample_LAMPS_Ed25519_Certification_Authority.crosssigned.pem"),
    ];
    let r = trust::validate(
        &pem!("alice@smime.example.sig.pem"),
        &extra,
        &ctx(anchors),
        Purpose::Signing,
    );
    assert!(r.trusted, "{:?}", r.problems);
}

#[test]
fn rfc4134_legacy_pki_is_refused_as_weak() {
    let carl = Certificate::from_der(include_bytes!("vectors/rfc4134/CarlRSASelf.cer")).unwrap();
    let alice =
        Certificate::from_der(include_bytes!("vectors/rfc4134/AliceRSASignByCarl.cer")).unwrap();
    let bob =
        Certificate::from_der(include_bytes!("vectors/rfc4134/BobRSASignByCarl.cer")).unwrap();
    // The RFC 4134 CRLs are version 1 (no version field): x509-cert 0.3 cannot decode them,
    // so a caller cannot even put them into a TrustContext (documented in docs/report.md, "Certificates").
    assert!(
        <CertificateList>::from_der(include_bytes!("vectors/rfc4134/CarlRSACRLForAll.crl"))
            .is_err()
    );
    let mut c = ctx(vec![carl]);
    c.at = time::macros::datetime!(2005-01-01 0:00 UTC);
    for (leaf, purpose) in [(&alice, Purpose::Signing), (&bob, Purpose::Encryption)] {
        // The algorithm policy (strict by default): RSA-1024 keys (the leaf's and Carl's)
        // and sha1WithRSAEncryption signatures.
        let r = trust::validate(leaf, &[], &c, purpose);
        assert!(!r.trusted);
        let mut got = codes(&r);
        got.sort();
        assert_eq!(got, ["cert-weak-key", "weak-algorithm"], "{:?}", r.problems);
        assert!(r
            .problems
            .iter()
            .any(|p| p.message.contains("sha1-with-rsa")));
        assert_eq!(
            r.chain,
            [
                leaf.tbs_certificate().subject().to_string(),
                "CN=CarlRSA".to_string()
            ]
        );
        // Legacy receive accepts them (the path validation verifies the SHA-1 signatures), as notes.
        let none: [&Certificate; 0] = [];
        let r = trust::Validator::new(&c, none)
            .with_algorithm_policy(mmhs::algorithm_policy::AlgorithmPolicy::legacy())
            .validate(leaf, purpose);
        assert!(r.trusted, "{:?}", r.problems);
        let notes: Vec<&str> = r.notes.iter().map(|n| n.message.as_str()).collect();
        assert!(notes.iter().any(|n| n.contains("1024 bits")), "{notes:?}");
        assert!(
            notes.iter().any(|n| n.contains("sha1-with-rsa")),
            "{notes:?}"
        );
        assert!(r.notes.iter().all(|n| n.code == "weak-algorithm-accepted"));
    }
}
