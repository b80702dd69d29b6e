//! Third-party vectors for SignedData verification (provenance: tests/vectors/PROVENANCE.md).
//!
//! Trust is not decided here (path validation is the trust module's); these tests check the
//! signature-level verdict (`signatures[i].valid`) and the problem codes.
#![cfg(not(target_arch = "wasm32"))]

use mmhs::smime::signed_parse;
use mmhs::verify::VerifyContext;

/// RFC 4134's examples sign with SHA-1 (and DSA): they are read with the legacy receive
/// policy here; the default refuses them ([`rfc4134_is_weak_by_default`]).
fn ctx() -> VerifyContext {
    VerifyContext {
        algorithms: mmhs::algorithm_policy::AlgorithmPolicy::legacy(),
        ..VerifyContext::default()
    }
}

fn codes(r: &mmhs::report::VerifyReport) -> Vec<String> {
    r.problems.iter().map(|p| p.code.clone()).collect()
}

macro_rules! v {
    ($p:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/", $p)) as &[u8]
    };
}

#[test]
fn rfc4134_is_weak_by_default() {
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.2.bin"), None, &VerifyContext::default());
    let s = &v.report.signatures[0];
    assert!(!s.valid);
    assert!(s
        .problems
        .iter()
        .any(|p| p.code == "weak-algorithm" && p.message.contains("sha-1")));
    // DSA (4.4's signer AliceDSS): the signature and the key.
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.4.bin"), None, &VerifyContext::default());
    let msgs: Vec<&str> = v
        .report
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert!(msgs.iter().any(|m| m.contains("a DSA key")), "{msgs:?}");
    // The legacy policy: the same findings are notes.
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.2.bin"), None, &ctx());
    assert!(v.report.signatures[0].valid);
    assert!(v
        .report
        .notes
        .iter()
        .any(|n| n.code == "weak-algorithm-accepted"));
}

#[test]
fn rfc4134_4_2_rsa_without_signed_attributes() {
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.2.bin"), None, &ctx());
    assert_eq!(v.report.signatures.len(), 1);
    let s = &v.report.signatures[0];
    assert!(s.valid, "{:?}", s.problems);
    assert_eq!(v.content, b"This is some sample content.");
    assert!(s.subject.as_deref().unwrap_or("").contains("Alice"));
}

#[test]
fn rfc4134_4_3_detached_with_excontent() {
    let v = mmhs::verify::verify_cms(
        v!("rfc4134/4.3.bin"),
        Some(v!("rfc4134/ExContent.bin")),
        &ctx(),
    );
    assert!(v.report.signatures[0].valid, "{:?}", v.report.problems);
    // Without the content it cannot verify.
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.3.bin"), None, &ctx());
    assert!(v.report.has_problem("content-missing"));
    // Other content: digest mismatch.
    // No signed attributes in 4.3: the signature covers the content digest directly.
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.3.bin"), Some(b"tampered"), &ctx());
    assert!(!v.report.signatures[0].valid);
    assert!(v.report.has_problem("signature-invalid"));
}

#[test]
fn rfc4134_4_4_countersignature() {
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.4.bin"), None, &ctx());
    let s = &v.report.signatures[0];
    assert!(s.valid, "{:?}", s.problems);
    assert!(s.signing_time.is_some());
    assert_eq!(s.countersignatures.len(), 1, "{s:?}");
    assert!(
        s.countersignatures[0].valid,
        "{:?}",
        s.countersignatures[0].problems
    );
}

#[test]
fn rfc4134_4_5_and_4_7_ski() {
    for (name, bytes) in [
        ("4.5", v!("rfc4134/4.5.bin")),
        ("4.7", v!("rfc4134/4.7.bin")),
    ] {
        let v = mmhs::verify::verify_cms(bytes, None, &ctx());
        assert!(!v.report.signatures.is_empty(), "{name}");
        for s in &v.report.signatures {
            assert!(s.valid, "{name}: {:?}", s.problems);
        }
    }
}

#[test]
fn rfc4134_4_11_certs_only_is_not_signed() {
    let v = mmhs::verify::verify_cms(v!("rfc4134/4.11.bin"), None, &ctx());
    assert!(v.report.signatures.is_empty());
    assert!(!v.report.valid);
    assert!(v.report.has_problem("no-signers"), "{:?}", codes(&v.report));
}

#[test]
fn rfc4134_4_8_multipart_signed_and_4_9_opaque() {
    for (name, bytes) in [
        ("4.8", v!("rfc4134/4.8.eml")),
        ("4.9", v!("rfc4134/4.9.eml")),
    ] {
        let r = mmhs::verify::verify(bytes, &ctx()).unwrap();
        assert_eq!(r.layers, vec!["signed"], "{name}");
        assert!(
            r.signatures[0].valid,
            "{name}: {:?}",
            r.signatures[0].problems
        );
        // RFC 4134's messages are From AliceDSS@examples.com, the certificate says
        // AliceDSS@example.com: a genuine mismatch, reported.
        assert_eq!(r.signatures[0].address_match, Some(false));
        assert!(r.has_problem("signer-address-mismatch"));
        // No trust anchors are configured in this test: never valid overall.
        assert!(!r.valid);
        assert!(!r.signatures[0].trusted);
        // ... and no validation time was given: path validation cannot even start.
        assert!(r.has_problem("validation-time-unknown"));
    }
}

#[test]
fn rfc4134_8_tampered_body_fails() {
    let raw = v!("rfc4134/4.8.eml");
    let text = String::from_utf8_lossy(raw).into_owned();
    let tampered = text.replacen(
        "This is some sample content.",
        "This is some sample c0ntent.",
        1,
    );
    assert_ne!(text, tampered);
    let r = mmhs::verify::verify(tampered.as_bytes(), &ctx()).unwrap();
    assert!(!r.signatures[0].valid);
    // 4.8 has no signed attributes: the signature over the content digest fails.
    assert!(r.has_problem("signature-invalid"), "{:?}", codes(&r));
}

#[test]
fn openssl_bad_attribute_vectors_fail() {
    for (name, bytes, code) in [
        (
            "bad_signtime_attr",
            v!("openssl/bad_signtime_attr.cms"),
            "attr-must-be-signed",
        ),
        (
            "no_ct_attr",
            v!("openssl/no_ct_attr.cms"),
            "signed-attr-missing",
        ),
        (
            "no_md_attr",
            v!("openssl/no_md_attr.cms"),
            "signed-attr-missing",
        ),
        (
            "ct_multiple_attr",
            v!("openssl/ct_multiple_attr.cms"),
            "signed-attr-malformed",
        ),
    ] {
        let v = mmhs::verify::verify_cms(bytes, None, &ctx());
        assert!(!v.report.valid, "{name}");
        assert!(
            v.report.signatures.iter().all(|s| !s.valid),
            "{name} must not verify: {:?}",
            v.report.signatures
        );
        assert!(v.report.has_problem(code), "{name}: {:?}", codes(&v.report));
    }
}

#[test]
fn rustcrypto_bad_signer_infos_are_rejected() {
    for (name, bytes) in [
        (
            "explicit attrs",
            v!("rustcrypto/signer_info_explicit_attrs.bin"),
        ),
        (
            "sequence not set",
            v!("rustcrypto/signer_info_sequence_not_set.bin"),
        ),
    ] {
        let t = mmhs::asn1::ber::Tlv::parse_all(bytes).unwrap();
        assert!(
            signed_parse::parse_signer_infos(&t).is_err(),
            "{name} accepted"
        );
    }
}

#[test]
fn rustcrypto_ber_and_der_forms_agree() {
    let der = mmhs::verify::verify_cms(v!("rustcrypto/cms_der.bin"), None, &ctx());
    let ber = mmhs::verify::verify_cms(v!("rustcrypto/cms_ber.bin"), None, &ctx());
    assert_eq!(der.content, ber.content);
    assert_eq!(der.report.signatures.len(), ber.report.signatures.len());
    for (a, b) in der.report.signatures.iter().zip(&ber.report.signatures) {
        assert_eq!(a.valid, b.valid);
    }
    let sd = mmhs::verify::verify_cms(v!("rustcrypto/sd.cms"), None, &ctx());
    assert!(
        sd.report.signatures.iter().all(|s| s.valid),
        "{:?}",
        sd.report.problems
    );
}

#[test]
fn ess_security_label_vectors() {
    for (name, bytes) in [
        ("rfc2634", v!("ess/rfc2634_SignedMessageTestCase.der")),
        ("rfc5035", v!("ess/rfc5035_SignedMessageTestCase.der")),
    ] {
        let v = mmhs::verify::verify_cms(bytes, None, &ctx());
        let s = &v.report.signatures[0];
        assert!(s.valid, "{name}: {:?}", s.problems);
        let l = s.security_label.as_ref().expect("label");
        assert_eq!(l.policy, "1.3.6.1.4.1.22112.1.1");
        assert_eq!(l.classification, Some(1));
        assert_eq!(l.privacy_mark.as_deref(), Some("Boagus Privacy Mark"));
        assert_eq!(v.report.security_label.as_ref(), Some(l));
    }
}

#[test]
fn rfc3114_label_with_categories_inside_signed_data() {
    // SignedData over AuthEnvelopedData: the label is on the outer signature.
    let v = mmhs::verify::verify_cms(v!("ess/rfc3114_SecurityLabelTestCase.der"), None, &ctx());
    let s = &v.report.signatures[0];
    assert!(s.valid, "{:?}", s.problems);
    let l = s.security_label.as_ref().expect("label");
    assert_eq!(l.policy, "1.2.840.113549.1.9.16.7.3");
    assert_eq!(l.classification, Some(8));
    assert_eq!(l.categories.len(), 1);
}

#[test]
fn openssl_empty_digest_set_is_handled() {
    let r = mmhs::verify::verify(v!("openssl/pkcs7-empty-digest-set.eml"), &ctx()).unwrap();
    assert!(!r.valid);
}

fn johnny(path: &str) -> mmhs::report::VerifyReport {
    let p = format!("{}/tests/vectors/johnny/{path}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(&p).unwrap();
    mmhs::verify::verify(&raw, &ctx()).unwrap()
}

#[test]
fn johnny_attacks_never_verify_as_valid_signed_from_sender() {
    let root = format!("{}/tests/vectors/johnny", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in ["01-cms", "03-mime", "04-id", "05-ui"] {
        let mut stack = vec![std::path::PathBuf::from(format!("{root}/{dir}"))];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                if p.file_name().unwrap() == "valid_email_from_manager.eml" {
                    continue;
                }
                let raw = std::fs::read(&p).unwrap();
                let r = mmhs::verify::verify(&raw, &ctx()).unwrap();
                assert!(!r.valid, "{} verified as valid", p.display());
                n += 1;
            }
        }
    }
    assert!(n >= 25, "only {n} attack files");
}

#[test]
fn johnny_c3_no_signer_infos_is_not_signed() {
    for p in [
        "01-cms/c3_no-signerInfos/no_signerInfos_detached.eml",
        "01-cms/c3_no-signerInfos/no_certificates/no_signerInfos_no_certificates_detached.eml",
    ] {
        let r = johnny(p);
        assert!(r.signatures.is_empty(), "{p}");
        assert!(r.has_problem("no-signers"), "{p}: {:?}", codes(&r));
    }
}

#[test]
fn johnny_c2_multiple_signers_each_reported() {
    for p in [
        "01-cms/c2_multiple-signerInfos/multiple_signerInfos_prepend_johnny.eml",
        "01-cms/c2_multiple-signerInfos/multiple_signerInfos_append_johnny.eml",
    ] {
        let r = johnny(p);
        assert!(r.signatures.len() >= 2, "{p}: {:?}", r.signatures);
        assert!(r.signatures.iter().any(|s| !s.valid), "{p}");
    }
}

#[test]
fn johnny_identity_attacks_flag_address_mismatch() {
    let root = format!("{}/tests/vectors/johnny/04-id", env!("CARGO_MANIFEST_DIR"));
    for sub in ["i1-sender-signer-checks", "i2-display-name-confusion"] {
        for e in std::fs::read_dir(format!("{root}/{sub}")).unwrap() {
            let p = e.unwrap().path();
            if p.ends_with("i2-from-contains-signer-smime.eml") {
                // From: "The Manager <eve@…>" signed by eve: the address does match; the
                // report names the real signer, never the display name.
                let r = mmhs::verify::verify(&std::fs::read(&p).unwrap(), &ctx()).unwrap();
                assert_eq!(r.signatures[0].signer, "eve@bigcorporation.de");
                assert!(!r.valid);
                continue;
            }
            let raw = std::fs::read(&p).unwrap();
            let r = mmhs::verify::verify(&raw, &ctx()).unwrap();
            assert!(
                r.has_problem("signer-address-mismatch")
                    || r.has_problem("from-display-name-address")
                    || r.signatures.iter().all(|s| !s.valid),
                "{}: {:?}",
                p.display(),
                codes(&r)
            );
        }
    }
}

#[test]
fn johnny_baselines_verify_at_signature_level() {
    for p in [
        "assets/valid-signed/manager-smime.eml",
        "01-cms/valid_email_from_manager.eml",
    ] {
        let r = johnny(p);
        assert!(!r.signatures.is_empty(), "{p}");
        assert!(r.signatures[0].valid, "{p}: {:?}", r.signatures[0].problems);
        assert_eq!(r.signatures[0].address_match, Some(true), "{p}");
    }
}
