//! The verdict's binding rules under attack (`mmhs::verify`), each attack built at test time
//! on a throwaway PKI (`support/pki.rs`) and asserted refused with its specific code:
//!
//! 1. a countersignature by a self-made certificate carrying the officer's address, the
//!    officer's genuine certificate in the certificate set — and the same certificate copying
//!    the officer's subjectKeyIdentifier or issuer and serial number (RFC 5652 §5.3, §11.4);
//! 2. a genuine countersignature carried over to other content (RFC 5652 §11.4; RFC 7912 §3.2);
//! 3. a From or Sender the reader shows that is not the one checked (RFC 5322 §3.6, RFC 8551 §3);
//! 4. unsigned MMHS fields outside the signature (RFC 8551 §3.1; MMHS profile §4.2.6);
//! 5. problems listed cause first;
//! 6. legitimate traffic that must stay valid: SignedData of compressedData (RFC 3274 §1.1;
//!    MMHS profile §4.2.1.2.1) and signed forwards (draft-melnikov-iana-reg-forwarded §2).

use crate::support;

use std::sync::OnceLock;

use mmhs::report::{AuthorizationStatus, CountersignatureReport, SignatureReport, VerifyReport};
use mmhs::rng::danger::SeededRng;
use mmhs::smime::{self, SignOptions};
use support::attacks::{self, now, DRAFT, DRAFTER, OFFICER};
use support::pki::{ok, Alg, Imitation, Pki};

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        Pki::new(
            "verify-attacks",
            &[("alice", DRAFTER, Alg::Rsa), ("o1", OFFICER, Alg::Rsa)],
        )
    })
}

fn verify(raw: &[u8]) -> VerifyReport {
    mmhs::verify::verify(raw, &pki().verify_context(now())).unwrap()
}

fn codes(problems: &[mmhs::report::Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.code.as_str()).collect()
}

fn sign(message: &str, seed: u64) -> Vec<u8> {
    smime::sign_message(
        message.as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..SignOptions::default()
        },
        &mut SeededRng::new(seed),
    )
    .unwrap()
}

fn prepend(field: &str, message: &[u8]) -> Vec<u8> {
    let mut out = field.as_bytes().to_vec();
    out.extend_from_slice(message);
    out
}

fn officer_status(r: &VerifyReport) -> AuthorizationStatus {
    r.authorizing_users
        .iter()
        .find(|a| a.address.eq_ignore_ascii_case(OFFICER))
        .expect("the officer is listed")
        .status
}

/// The only countersignature of the message (on the originator signature).
fn countersignature(r: &VerifyReport) -> &CountersignatureReport {
    let cs: Vec<&CountersignatureReport> = r
        .signatures
        .iter()
        .flat_map(|s| &s.countersignatures)
        .collect();
    assert_eq!(cs.len(), 1, "{r:#?}");
    cs[0]
}

/// The signature that carries the countersignature.
fn countersigned(r: &VerifyReport) -> &SignatureReport {
    r.signatures
        .iter()
        .find(|s| !s.countersignatures.is_empty())
        .expect("a countersigned signature")
}

fn coverage(r: &VerifyReport, field: &str) -> Option<bool> {
    r.field_coverage
        .iter()
        .find(|c| c.field.eq_ignore_ascii_case(field))
        .map(|c| c.covered)
}

fn count(r: &VerifyReport, code: &str) -> usize {
    r.problems.iter().filter(|p| p.code == code).count()
}

fn note_about(r: &VerifyReport, code: &str, field: &str) -> bool {
    r.notes
        .iter()
        .any(|n| n.code == code && n.message.contains(field))
}

// ---- 1. Countersignature trusted on the wrong certificate ----

#[test]
fn genuine_release_is_valid() {
    // The reference the attacks below depart from.
    let r = verify(&attacks::released(pki()));
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(officer_status(&r), AuthorizationStatus::Countersigned);
    let cs = countersignature(&r);
    assert!(cs.valid && cs.trusted);
    assert_eq!(cs.emails, [OFFICER]);
}

#[test]
fn countersignature_by_a_self_made_certificate_with_the_officers_address_is_untrusted() {
    let impostor = pki().impostor("impostor", OFFICER, Imitation::Nothing);
    let msg = attacks::self_countersigned(pki(), &impostor, false);
    // The officer's genuine certificate really is in the SignedData certificate set.
    let der = attacks::signature_der(&msg);
    let ci = smime::signed_parse::parse_content_info(&der).unwrap();
    let sd = smime::signed_parse::parse_signed_data(ci.content).unwrap();
    assert!(sd.certificates.contains(&pki().cert("o1")));
    assert!(sd.certificates.contains(&impostor.cert));

    let r = verify(&msg);
    assert!(!r.valid);
    // alice's own signature is genuine; the countersignature verifies with the impostor
    // certificate its SignerIdentifier names, and that certificate does not chain.
    let s = countersigned(&r);
    assert!(s.valid && s.trusted, "{:?}", s.problems);
    let cs = countersignature(&r);
    assert!(cs.valid, "{:?}", cs.problems);
    assert!(!cs.trusted);
    assert!(
        codes(&cs.problems).contains(&"cert-untrusted"),
        "{:?}",
        cs.problems
    );
    assert!(
        cs.subject
            .as_deref()
            .is_some_and(|s| s.contains("Impostor")),
        "{:?}",
        cs.subject
    );
    assert_ne!(officer_status(&r), AuthorizationStatus::Countersigned);
    assert_eq!(officer_status(&r), AuthorizationStatus::Untrusted);
    assert!(r.has_problem("cert-untrusted"), "{:?}", r.problems);
    assert!(
        r.has_problem("authorizing-user-untrusted"),
        "{:?}",
        r.problems
    );
    assert_eq!(coverage(&r, "MMHS-Authorizing-Users"), Some(false));
}

#[test]
fn countersignature_whose_identifier_matches_two_certificates_is_ambiguous() {
    let o1 = pki().cert("o1");
    for (name, imitation, use_ski) in [
        ("imp-ski", Imitation::SubjectKeyIdentifier("o1"), true),
        ("imp-isn", Imitation::IssuerAndSerial("o1"), false),
    ] {
        let impostor = pki().impostor(name, OFFICER, imitation);
        // The forged certificate matches the officer's identifier, with another key.
        let (fake, real) = (impostor.cert.tbs_certificate(), o1.tbs_certificate());
        assert_ne!(
            fake.subject_public_key_info(),
            real.subject_public_key_info()
        );
        if use_ski {
            type Ski = x509_cert::ext::pkix::SubjectKeyIdentifier;
            let ski = |t: &x509_cert::TbsCertificate| t.get_extension::<Ski>().unwrap().unwrap().1;
            assert_eq!(ski(fake), ski(real), "{name}");
        } else {
            assert_eq!(fake.issuer(), real.issuer(), "{name}");
            assert_eq!(fake.serial_number(), real.serial_number(), "{name}");
        }

        let r = verify(&attacks::self_countersigned(pki(), &impostor, use_ski));
        assert!(!r.valid, "{name}");
        let cs = countersignature(&r);
        assert!(
            codes(&cs.problems).contains(&"signer-cert-ambiguous"),
            "{name}: {:?}",
            cs.problems
        );
        // Attributed to neither certificate: no identity, no address, not valid, not trusted.
        assert!(!cs.valid && !cs.trusted, "{name}");
        assert!(cs.emails.is_empty(), "{name}: {:?}", cs.emails);
        assert_eq!(cs.subject, None, "{name}");
        assert_eq!(
            officer_status(&r),
            AuthorizationStatus::NotCountersigned,
            "{name}"
        );
        assert!(r.has_problem("signer-cert-ambiguous"), "{name}");
        assert!(
            r.has_problem("authorizing-user-not-countersigned"),
            "{name}: {:?}",
            r.problems
        );
    }
}

// ---- 2. Countersignature that authorises nothing ----

#[test]
fn genuine_countersignature_carried_over_to_other_content_authorises_nothing() {
    let released = attacks::released(pki());
    let alice = pki().signer("alice");
    for (what, msg) in [
        ("content replaced", attacks::content_replaced(&released)),
        (
            "SignerInfo moved",
            attacks::signer_info_moved(&released, None),
        ),
        (
            "SignerInfo moved beside a fresh signature of alice",
            attacks::signer_info_moved(&released, Some(&alice)),
        ),
    ] {
        let r = verify(&msg);
        assert!(!r.valid, "{what}");
        // The originator signature the countersignature hangs on no longer matches.
        let s = countersigned(&r);
        assert!(!s.valid, "{what}");
        assert!(
            codes(&s.problems).contains(&"message-digest-mismatch"),
            "{what}: {:?}",
            s.problems
        );
        // The countersignature itself is the officer's genuine one.
        let cs = countersignature(&r);
        assert!(cs.valid && cs.trusted, "{what}: {:?}", cs.problems);
        assert_eq!(cs.emails, [OFFICER], "{what}");
        assert_eq!(officer_status(&r), AuthorizationStatus::Invalid, "{what}");
        assert!(r.has_problem("countersignature-orphaned"), "{what}");
        assert!(r.has_problem("message-digest-mismatch"), "{what}");
        assert!(
            r.has_problem("authorizing-user-countersignature-invalid"),
            "{what}: {:?}",
            r.problems
        );
        assert_eq!(r.problems[0].code, "message-digest-mismatch", "{what}");
    }
    // With the fresh signature, alice's new text is validly signed — and still not released.
    let r = verify(&attacks::signer_info_moved(&released, Some(&alice)));
    assert!(r.signatures[0].valid && r.signatures[0].trusted);
    assert!(r.signatures[0].countersignatures.is_empty());
}

// ---- 3. Sender shown ≠ sender checked ----

const PLAIN: &str = "From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: Supplies\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <plain-1@army.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSend fuel.\r\n";

#[test]
fn two_from_fields_signed_by_the_second_are_refused() {
    let msg = PLAIN.replace(
        "From: alice@army.example\r\n",
        "From: mallory@evil.example\r\nFrom: alice@army.example\r\n",
    );
    let r = verify(&sign(&msg, 51));
    assert!(!r.valid);
    assert_eq!(
        count(&r, "originator-field-duplicate"),
        1,
        "{:?}",
        r.problems
    );
    assert_eq!(r.from, ["mallory@evil.example", DRAFTER]);
}

#[test]
fn originator_fields_prepended_outside_the_signature_are_refused() {
    // From prepended to a message signed without header protection.
    let signed = sign(PLAIN, 53);
    assert!(verify(&signed).valid);
    let r = verify(&prepend("From: mallory@evil.example\r\n", &signed));
    assert!(!r.valid);
    assert_eq!(
        count(&r, "originator-field-duplicate"),
        1,
        "{:?}",
        r.problems
    );
    assert_eq!(r.from, ["mallory@evil.example", DRAFTER]);

    // A Sender added to a message signed by its From: the Sender is the one responsible
    // (RFC 5322 §3.6.2), so the signature must be his — it is not.
    let r = verify(&prepend("Sender: mallory@evil.example\r\n", &signed));
    assert!(!r.valid);
    assert!(r.has_problem("signer-address-mismatch"), "{:?}", r.problems);
    assert_eq!(r.sender, ["mallory@evil.example"]);

    // Sender prepended to a message sent by alice on behalf of a shared mailbox.
    let shared = PLAIN.replace(
        "From: alice@army.example\r\n",
        "From: ops@army.example\r\nSender: alice@army.example\r\n",
    );
    let signed = sign(&shared, 55);
    assert!(verify(&signed).valid);
    let r = verify(&prepend("Sender: mallory@evil.example\r\n", &signed));
    assert!(!r.valid);
    assert!(
        r.has_problem("originator-field-duplicate"),
        "{:?}",
        r.problems
    );
    assert_eq!(r.sender, ["mallory@evil.example", DRAFTER]);

    // Header-protected: a From prepended outside is a duplicate in the outer header, whatever
    // the protected header says.
    let signed = sign(
        std::str::from_utf8(&mmhs::protect::wrap(PLAIN.as_bytes()).unwrap()).unwrap(),
        57,
    );
    assert!(verify(&signed).valid);
    let r = verify(&prepend("From: mallory@evil.example\r\n", &signed));
    assert!(!r.valid);
    assert!(
        r.has_problem("originator-field-duplicate"),
        "{:?}",
        r.problems
    );
    assert_eq!(r.from, [DRAFTER]);
}

#[test]
fn from_listing_another_mailbox_beside_the_signer_is_refused() {
    // RFC 5322 §3.6.2: a From with several mailboxes needs a Sender naming the one
    // responsible. Without it a reader shows the first mailbox while the signature is bound
    // to another ("from is sender", class I3 of tests/vectors/johnny).
    let text = String::from_utf8(sign(PLAIN, 59)).unwrap();
    let rewritten = text.replacen(
        "From: alice@army.example",
        "From: mallory@evil.example, alice@army.example",
        1,
    );
    assert_ne!(rewritten, text);
    let r = verify(rewritten.as_bytes());
    assert!(!r.valid);
    assert!(
        r.has_problem("originator-field-duplicate"),
        "{:?}",
        r.problems
    );
    assert_eq!(r.from, ["mallory@evil.example", DRAFTER]);

    // With a Sender naming the signer the form is legitimate.
    let on_behalf = PLAIN.replace(
        "From: alice@army.example\r\n",
        "From: ops@army.example, hq@army.example\r\nSender: alice@army.example\r\n",
    );
    let r = verify(&sign(&on_behalf, 59));
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.from, ["ops@army.example", "hq@army.example"]);
}

#[test]
fn sender_prepended_to_a_released_message_is_the_originator_and_mismatches() {
    // With MMHS-Authorizing-Users the originator is the Sender (MMHS profile §3.4.29); the
    // release wrote the drafter's (§3.4.3). A Sender put in its place outside the signature
    // becomes the address the signature must carry; one prepended beside it is a second
    // Sender (RFC 5322 §3.6).
    let released = attacks::released(pki());
    let text = String::from_utf8(released.clone()).unwrap();
    assert!(text.contains("Sender: alice@army.example\r\n"));
    let r = verify(
        text.replace(
            "Sender: alice@army.example\r\n",
            "Sender: mallory@evil.example\r\n",
        )
        .as_bytes(),
    );
    assert!(!r.valid);
    assert_eq!(r.sender, ["mallory@evil.example"]);
    assert!(r.has_problem("signer-address-mismatch"), "{:?}", r.problems);
    assert_eq!(r.signatures[0].address_match, Some(false));
    assert_ne!(officer_status(&r), AuthorizationStatus::Countersigned);
    let r = verify(&prepend("Sender: mallory@evil.example\r\n", &released));
    assert!(!r.valid);
    assert!(
        r.has_problem("originator-field-duplicate"),
        "{:?}",
        r.problems
    );
}

// ---- 4. Unsigned MMHS fields presented as verified ----

#[test]
fn mmhs_fields_prepended_without_header_protection_are_not_covered() {
    let signed = sign(PLAIN, 61);
    let r = verify(&signed);
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(coverage(&r, "MMHS-Primary-Precedence"), None);

    let r = verify(&prepend("MMHS-Primary-Precedence: 5\r\n", &signed));
    // What the reader is shown …
    assert_eq!(
        serde_json::to_value(&r.mmhs).unwrap()["primaryPrecedence"]["value"],
        5,
        "{}",
        serde_json::to_value(&r.mmhs).unwrap()
    );
    // … is marked as not covered by the signature.
    assert_eq!(coverage(&r, "MMHS-Primary-Precedence"), Some(false));
    assert!(
        note_about(&r, "field-not-covered", "MMHS-Primary-Precedence"),
        "{:?}",
        r.notes
    );

    let label = "SIO-Label: marking=\"NATO SECRET\"; fgcolor=black; bgcolor=red\r\n";
    let r = verify(&prepend(label, &signed));
    assert!(
        !serde_json::to_value(&r.mmhs).unwrap()["sioLabel"].is_null(),
        "{}",
        serde_json::to_value(&r.mmhs).unwrap()
    );
    assert_eq!(coverage(&r, "SIO-Label"), Some(false));
    assert!(
        note_about(&r, "field-not-covered", "SIO-Label"),
        "{:?}",
        r.notes
    );
}

#[test]
fn outer_precedence_differing_from_the_protected_one_is_a_mismatch() {
    let signed = sign(
        std::str::from_utf8(&mmhs::protect::wrap(DRAFT.as_bytes()).unwrap()).unwrap(),
        63,
    );
    let r = verify(&signed);
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.header_protection.scheme, "wrapped");
    assert_eq!(coverage(&r, "MMHS-Primary-Precedence"), Some(true));
    assert!(!note_about(
        &r,
        "field-not-covered",
        "MMHS-Primary-Precedence"
    ));

    // The outer copy (the first occurrence: outer fields precede the signed wrapper) raised.
    let text = String::from_utf8(signed).unwrap();
    let tampered = text.replacen(
        "MMHS-Primary-Precedence: 4 (flash)",
        "MMHS-Primary-Precedence: 5 (override)",
        1,
    );
    assert_ne!(tampered, text);
    let r = verify(tampered.as_bytes());
    assert!(!r.valid);
    assert!(r.has_problem("hp-header-mismatch"), "{:?}", r.problems);
    assert!(r
        .header_protection
        .mismatches
        .iter()
        .any(|m| m.field.eq_ignore_ascii_case("MMHS-Primary-Precedence")));
    assert_eq!(coverage(&r, "MMHS-Primary-Precedence"), Some(false));
    // The precedence shown is the protected one.
    assert_eq!(
        serde_json::to_value(&r.mmhs).unwrap()["primaryPrecedence"]["value"],
        4,
        "{}",
        serde_json::to_value(&r.mmhs).unwrap()
    );
}

// ---- 5. Problem order ----

#[test]
fn untrusted_signer_is_the_first_problem_before_the_header_mismatch_it_explains() {
    static ROGUE: OnceLock<Pki> = OnceLock::new();
    let rogue =
        ROGUE.get_or_init(|| Pki::new("verify-attacks-rogue", &[("alice", DRAFTER, Alg::Rsa)]));
    let wrapped = mmhs::protect::wrap(DRAFT.as_bytes()).unwrap();
    let signed = smime::sign_message(
        &wrapped,
        &rogue.signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..SignOptions::default()
        },
        &mut SeededRng::new(67),
    )
    .unwrap();
    let text = String::from_utf8(signed).unwrap();
    let tampered = text.replacen("Subject: Convoy movement", "Subject: Convoy cancelled", 1);
    assert_ne!(tampered, text);
    let r = verify(tampered.as_bytes());
    assert!(!r.valid);
    assert!(r.has_problem("hp-header-mismatch"), "{:?}", r.problems);
    assert_eq!(r.problems[0].code, "cert-untrusted", "{:?}", r.problems);
}

// ---- 6. Legitimate traffic that must stay valid ----

const INNER: &str =
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";

/// A message around a SignedData (`der`) as application/pkcs7-mime.
fn pkcs7_message(der: &[u8]) -> Vec<u8> {
    let mut out = b"From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: Compressed\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    out.extend_from_slice(&mmhs::mime::encode::base64_lines(der));
    out
}

#[test]
fn signed_data_of_compressed_data_verifies_and_inflates() {
    use der::Encode;
    use smime::signed_build;
    let ci = smime::compress_content(INNER.as_bytes()).unwrap();
    let compressed = smime::signed_parse::parse_content_info(&ci)
        .unwrap()
        .content
        .raw
        .to_vec();
    let id_ct_compressed_data =
        const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.9");

    // OpenSSL signs the CompressedData as eContent (compress, then sign).
    let p = pki();
    p.write("compressed.der", &compressed);
    ok(
        &p.dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-outform",
            "DER",
            "-md",
            "sha256",
            "-econtent_type",
            "1.2.840.113549.1.9.16.1.9",
            "-signer",
            "alice.pem",
            "-inkey",
            "alice.key",
            "-in",
            "compressed.der",
            "-out",
            "signed-compressed.der",
        ],
    );
    let by_openssl = std::fs::read(p.dir.join("signed-compressed.der")).unwrap();

    // And so do we.
    let alice = p.signer("alice");
    let opts = SignOptions {
        signing_time: Some(now()),
        ..SignOptions::default()
    };
    let attrs = signed_build::signed_attributes(
        &alice,
        &opts,
        id_ct_compressed_data,
        &smime::DigestAlg::Sha256.hash(&compressed),
    )
    .unwrap();
    let si =
        signed_build::build_signer_info(&alice, &opts, attrs, &mut SeededRng::new(71)).unwrap();
    let by_us = signed_build::assemble_signed_data(
        3,
        &[smime::DigestAlg::Sha256
            .algorithm_identifier()
            .to_der()
            .unwrap()],
        id_ct_compressed_data,
        Some(&compressed),
        &[alice.cert.to_der().unwrap()],
        &[si],
    )
    .unwrap();

    for (who, der) in [("openssl", by_openssl), ("mmhs", by_us)] {
        let v = mmhs::verify::verify_message(&pkcs7_message(&der), &pki().verify_context(now()))
            .unwrap();
        assert!(v.report.valid, "{who}: {:?}", v.report.problems);
        assert_eq!(v.report.layers, ["signed", "compressed"], "{who}");
        assert!(
            v.content.ends_with(INNER.as_bytes()),
            "{who}: {}",
            String::from_utf8_lossy(&v.content)
        );
    }
}

#[test]
fn signed_forward_is_valid_with_a_note() {
    let forwarded = "From: commander@navy.example\r\nTo: alice@army.example\r\nSubject: Orders\r\nContent-Type: text/plain\r\n\r\nHold position.\r\n";
    for (param, expected) in [("; forwarded=yes", "yes"), ("", "absent")] {
        let msg = format!("From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: Fwd: Orders\r\nContent-Type: message/rfc822{param}\r\n\r\n{forwarded}");
        let r = verify(&sign(&msg, 73));
        assert!(r.valid, "{expected}: {:?}", r.problems);
        assert_eq!(r.header_protection.scheme, "none", "{expected}");
        assert_eq!(r.header_protection.forwarded, expected);
        assert!(
            r.notes.iter().any(|n| n.code == "hp-forwarded"),
            "{expected}: {:?}",
            r.notes
        );
        assert!(!r.has_problem("hp-forwarded"));
        // The sender shown is this message's, not the forwarded one's.
        assert_eq!(r.from, [DRAFTER], "{expected}");
    }
}

#[test]
fn more_signatures_than_the_budget_are_not_checked() {
    // Bounded work: each signature value costs a public-key operation, so a message may carry
    // at most MAX_SIGNATURES of them (SignerInfos and countersignatures together); the rest are
    // reported, never checked, and the message is not valid.
    use mmhs::smime::signed_verify::{MAX_SIGNATURES, SIGNATURE_LIMIT};
    let mut msg = sign(DRAFT, 71);
    let o1 = pki().signer("o1");
    let mut rng = SeededRng::new(72);
    for _ in 0..MAX_SIGNATURES {
        msg = smime::countersign_message(&msg, 0, &o1, now(), &mut rng).unwrap();
    }
    let r = verify(&msg);
    assert!(!r.valid);
    assert_eq!(r.signatures.len(), 1);
    assert_eq!(r.signatures[0].countersignatures.len(), MAX_SIGNATURES);
    // The originator signature and MAX_SIGNATURES - 1 countersignatures were checked.
    let checked = r.signatures[0]
        .countersignatures
        .iter()
        .filter(|c| c.valid)
        .count();
    assert_eq!(checked, MAX_SIGNATURES - 1);
    assert_eq!(count(&r, SIGNATURE_LIMIT), 1, "{:?}", codes(&r.problems));
    assert_eq!(r.problems[0].code, SIGNATURE_LIMIT);
}

#[test]
fn bare_cms_countersignature_is_a_signature_not_an_authorisation() {
    // A bare ContentInfo has no header and so no MMHS-Authorizing-Users: a valid, trusted
    // countersignature is just that (RFC 5652 §11.4), valid — neither "not listed" nor an
    // authorisation.
    let opts = SignOptions {
        signing_time: Some(now()),
        ..SignOptions::default()
    };
    let mut rng = SeededRng::new(81);
    let der =
        smime::sign_content(b"plain content", &pki().signer("alice"), &opts, &mut rng).unwrap();
    let der = smime::countersign_der(&der, 0, &pki().signer("o1"), &opts, &mut rng).unwrap();
    let v = mmhs::verify::verify_cms(&der, Some(b"plain content"), &pki().verify_context(now()));
    assert!(v.report.valid, "{:?}", v.report.problems);
    assert!(v.report.authorizing_users.is_empty());
    assert!(v.report.signatures[0].countersignatures[0].trusted);
    assert_eq!(v.content, b"plain content");
}

// ---- 7. Cancellation (the caller's time budget, `mmhs::cancel`) ----

#[test]
fn a_cancelled_verification_answers_an_error_and_no_report() {
    let raw = attacks::released(pki());
    let mut ctx = pki().verify_context(now());
    let plain = mmhs::verify::verify(&raw, &ctx).unwrap();
    // An unset flag changes nothing: the report is the same, field for field.
    let cancel = mmhs::cancel::Cancel::new();
    ctx.cancel = Some(cancel.clone());
    let unset = mmhs::verify::verify(&raw, &ctx).unwrap();
    assert_eq!(
        serde_json::to_value(&plain).unwrap(),
        serde_json::to_value(&unset).unwrap()
    );
    assert!(unset.valid, "{:?}", unset.problems);
    // Set: a typed error, for the report and for the content alike.
    cancel.cancel();
    let e = mmhs::verify::verify(&raw, &ctx).unwrap_err();
    assert_eq!(mmhs::error::Coded::code(&e), "verification-cancelled");
    let e = mmhs::verify::verify_message(&raw, &ctx).unwrap_err();
    assert_eq!(mmhs::error::Coded::code(&e), "verification-cancelled");
}
