//! Header protection on receipt with third-party vectors (tests/vectors/header-protection,
//! provenance there), plus round trips of our own wrap / inject output and attack variants.
#![cfg(not(target_arch = "wasm32"))]

use mmhs::mime::entity::{media_type, multipart_parts, split};
use mmhs::protect::{self, Hcp, InjectOptions};

macro_rules! v {
    ($f:literal) => {
        include_bytes!(concat!("vectors/header-protection/", $f)).as_slice()
    };
}

fn outer(eml: &[u8]) -> &[u8] {
    split(eml).0
}

fn codes(hp: &protect::HeaderProtection) -> Vec<&str> {
    hp.problems.iter().map(|p| p.code.as_str()).collect()
}

fn crlf(b: &[u8]) -> Vec<u8> {
    mmhs::mime::encode::normalize_crlf(b)
}

fn header(hp: &protect::HeaderProtection, name: &str) -> Option<String> {
    hp.protected_headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// Run with LF (as stored) and CRLF line ends.
fn both(eml: &[u8], payload: &[u8], encrypted: bool) -> protect::HeaderProtection {
    let a = protect::analyze(outer(eml), payload, encrypted);
    let e2 = crlf(eml);
    let b = protect::analyze(outer(&e2), &crlf(payload), encrypted);
    assert_eq!(a, b, "LF and CRLF analyses differ");
    a
}

#[test]
fn no_header_protection() {
    let hp = both(v!("smime-one-part.eml"), v!("smime-one-part.inner"), false);
    assert_eq!(hp.scheme, "none");
    assert_eq!(hp.forwarded, "absent");
    assert!(hp.problems.is_empty() && hp.mismatches.is_empty() && hp.protected_headers.is_empty());
}

#[test]
fn draft_injected_signed() {
    let hp = both(
        v!("smime-one-part-injected.eml"),
        v!("smime-one-part-injected.inner"),
        false,
    );
    assert_eq!(hp.scheme, "injected");
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    assert!(hp.mismatches.is_empty());
    assert_eq!(
        header(&hp, "Subject").as_deref(),
        Some("smime-one-part-injected")
    );
    assert_eq!(
        header(&hp, "User-Agent").as_deref(),
        Some("Sample MUA Version 1.0")
    );
    assert!(!hp.legacy_display_part_removed);

    // multipart/signed: the first part is the payload root.
    let eml = v!("smime-multipart-injected.eml");
    let (h, body) = split(eml);
    let ct = media_type(
        &String::from_utf8_lossy(h)
            .split("Content-Type:")
            .nth(1)
            .unwrap()
            .split("\nSubject")
            .next()
            .unwrap()
            .replace('\n', ""),
    );
    let parts = multipart_parts(body, ct.param("boundary").unwrap()).unwrap();
    let hp = both(eml, parts[0], false);
    assert_eq!(hp.scheme, "injected");
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
}

#[test]
fn draft_wrapped() {
    let hp = both(
        v!("smime-one-part-complex-wrapped.eml"),
        v!("smime-one-part-complex-wrapped.inner"),
        false,
    );
    assert_eq!(hp.scheme, "wrapped");
    assert_eq!(hp.forwarded, "absent");
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    assert_eq!(
        header(&hp, "Subject").as_deref(),
        Some("smime-one-part-complex-wrapped")
    );
}

#[test]
fn draft_encrypted_minimal_obscures_subject() {
    let hp = both(
        v!("smime-enc-signed-injected-minimal.eml"),
        v!("smime-enc-signed-injected-minimal.inner.inner"),
        true,
    );
    assert_eq!(hp.scheme, "injected");
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    assert_eq!(hp.obscured.len(), 1);
    assert_eq!(hp.obscured[0].field, "Subject");
    assert_eq!(hp.obscured[0].outer.as_deref(), Some("[...]"));
    assert_eq!(
        hp.obscured[0].inner.as_deref(),
        Some("smime-enc-signed-injected-minimal")
    );
    assert_eq!(
        header(&hp, "Subject").as_deref(),
        Some("smime-enc-signed-injected-minimal")
    );
    assert!(header(&hp, "HP-Obscured").is_none());

    // An attacker who changes the outer Subject is caught: HP-Obscured says "[...]".
    let tampered = String::from_utf8_lossy(v!("smime-enc-signed-injected-minimal.eml"))
        .replace("Subject: [...]", "Subject: Urgent: wire money");
    let hp = protect::analyze(
        outer(tampered.as_bytes()),
        v!("smime-enc-signed-injected-minimal.inner.inner"),
        true,
    );
    assert_eq!(codes(&hp), ["hp-header-mismatch"]);
    assert_eq!(hp.mismatches[0].field, "Subject");
}

#[test]
fn draft_encrypted_strong_with_legacy_display() {
    let payload = v!("smime-enc-signed-injected-strong-legacy.inner.inner");
    let hp = both(
        v!("smime-enc-signed-injected-strong-legacy.eml"),
        payload,
        true,
    );
    assert_eq!(hp.scheme, "injected");
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    let mut fields: Vec<&str> = hp.obscured.iter().map(|m| m.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, ["Message-ID", "Subject", "User-Agent"]);
    assert!(hp
        .obscured
        .iter()
        .any(|m| m.field == "User-Agent" && m.outer.is_none()));
    assert!(hp.legacy_display_part_removed);
    let clean = protect::remove_legacy_display(payload).unwrap();
    let (_, body) = split(&clean);
    assert!(body.starts_with(b"This is the smime-enc-signed-injected-strong-legacy message."));
    // The protected fields stay in the header section.
    assert!(String::from_utf8_lossy(&clean)
        .contains("\nSubject: smime-enc-signed-injected-strong-legacy\r\n"));
}

#[test]
fn autocrypt_signed_and_encrypted() {
    let hp = both(
        v!("autocrypt-smime-onepart-signed.eml"),
        v!("autocrypt-smime-onepart-signed.inner"),
        false,
    );
    assert_eq!(hp.scheme, "injected");
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    assert_eq!(
        header(&hp, "Subject").as_deref(),
        Some("The FooCorp contract")
    );

    let hp = both(
        v!("autocrypt-smime-sign+enc.eml"),
        v!("autocrypt-smime-sign+enc.inner.inner"),
        true,
    );
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    assert_eq!(hp.obscured.len(), 1);
    assert_eq!(hp.obscured[0].outer.as_deref(), Some("..."));
    assert!(!hp.legacy_display_part_removed);

    // The same "..." on a message that was NOT encrypted is not explained.
    let hp = protect::analyze(
        outer(v!("autocrypt-smime-sign+enc.eml")),
        v!("autocrypt-smime-sign+enc.inner.inner"),
        false,
    );
    assert_eq!(codes(&hp), ["hp-header-mismatch"]);
}

#[test]
fn autocrypt_legacy_display_part() {
    for (eml, payload) in [
        (
            v!("autocrypt-smime-sign+enc+legacy-disp.eml"),
            v!("autocrypt-smime-sign+enc+legacy-disp.inner.inner"),
        ),
        (
            v!("autocrypt-smime-enc+legacy-disp.eml"),
            v!("autocrypt-smime-enc+legacy-disp.inner"),
        ),
    ] {
        let hp = both(eml, payload, true);
        assert!(hp.problems.is_empty(), "{:?}", hp.problems);
        assert!(hp.legacy_display_part_removed);
        let clean = String::from_utf8(protect::remove_legacy_display(payload).unwrap()).unwrap();
        assert!(clean.contains("Hi Bob!"));
        assert_eq!(
            clean.matches("Subject: BarCorp contract signed").count(),
            1,
            "{clean}"
        );
        assert_eq!(clean.matches("--6ae\r\n").count(), 1);
    }
}

#[test]
fn spoofed_outer_from_is_phishing_level() {
    let tampered = String::from_utf8_lossy(v!("smime-one-part-injected.eml")).replace(
        "From: Alice <alice@smime.example>",
        "From: Alice <ceo@smime.example>",
    );
    let hp = protect::analyze(
        outer(tampered.as_bytes()),
        v!("smime-one-part-injected.inner"),
        false,
    );
    assert_eq!(codes(&hp), ["hp-from-mismatch"]);
    assert_eq!(
        hp.mismatches[0].outer.as_deref(),
        Some("Alice <ceo@smime.example>")
    );
    assert_eq!(
        hp.mismatches[0].inner.as_deref(),
        Some("Alice <alice@smime.example>")
    );
    // Same address, different display name: reported, but not as From spoofing.
    let renamed = String::from_utf8_lossy(v!("smime-one-part-injected.eml")).replace(
        "From: Alice <alice@smime.example>",
        "From: The Boss <ALICE@smime.example>",
    );
    let hp = protect::analyze(
        outer(renamed.as_bytes()),
        v!("smime-one-part-injected.inner"),
        false,
    );
    assert_eq!(codes(&hp), ["hp-header-mismatch"]);
    assert_eq!(hp.mismatches[0].field, "From");
}

const MSG: &str = "Date: Sat, 20 Feb 2021 10:09:02 -0500\r\nFrom: Alice <alice@army.example>\r\nTo: Bob <bob@army.example>\r\nSubject: Attack at dawn\r\nMessage-ID: <1@army.example>\r\nMMHS-Primary-Precedence: 3\r\nMMHS-Message-Type: 0\r\nSIO-Label: marking=\"NATO SECRET\"; fgcolor=black\r\nKeywords: ops\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nProceed.\r\n";

#[test]
fn wrap_round_trip_and_forwarded_values() {
    let w = protect::wrap_parts(MSG.as_bytes()).unwrap();
    let hp = protect::analyze(&w.outer_headers, &w.entity, false);
    assert_eq!(hp.scheme, "wrapped");
    assert_eq!(hp.forwarded, "no");
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    assert_eq!(header(&hp, "MMHS-Primary-Precedence").as_deref(), Some("3"));
    assert_eq!(hp.protected_headers.len(), 9);

    // An MMHS field changed outside the signature.
    let outer = String::from_utf8(w.outer_headers.clone())
        .unwrap()
        .replace("MMHS-Primary-Precedence: 3", "MMHS-Primary-Precedence: 5");
    let hp = protect::analyze(outer.as_bytes(), &w.entity, false);
    assert_eq!(codes(&hp), ["hp-header-mismatch"]);
    assert_eq!(hp.mismatches[0].field, "MMHS-Primary-Precedence");
    assert_eq!(hp.mismatches[0].outer.as_deref(), Some("5"));
    // An outer-only MMHS field (added in transit) is a mismatch too.
    let outer = format!(
        "{}MMHS-Copy-Precedence: 1\r\n",
        String::from_utf8(w.outer_headers.clone()).unwrap()
    );
    let hp = protect::analyze(outer.as_bytes(), &w.entity, false);
    assert_eq!(hp.mismatches[0].field, "MMHS-Copy-Precedence");
    assert!(hp.mismatches[0].inner.is_none());

    // forwarded=yes / absent: a forwarded message, not header protection.
    for (ct, fwd) in [
        ("message/rfc822; forwarded=yes", "yes"),
        ("message/rfc822", "absent"),
        ("message/global; forwarded=\"YES\"", "yes"),
    ] {
        let entity = String::from_utf8(w.entity.clone()).unwrap().replacen(
            protect::WRAPPER_CONTENT_TYPE,
            ct,
            1,
        );
        let hp = protect::analyze(&w.outer_headers, entity.as_bytes(), false);
        assert_eq!(hp.scheme, "none");
        assert_eq!(hp.forwarded, fwd);
        // A forward is legitimate traffic: a note, never a problem.
        assert!(codes(&hp).is_empty(), "{:?}", hp.problems);
        assert_eq!(
            hp.notes.iter().map(|n| n.code.as_str()).collect::<Vec<_>>(),
            ["hp-forwarded"]
        );
        assert!(hp.protected_headers.is_empty());
    }
    // Full-message form.
    let full = protect::wrap(MSG.as_bytes()).unwrap();
    let (h, entity_body) = split(&full);
    assert!(String::from_utf8_lossy(h)
        .ends_with("MIME-Version: 1.0\r\nContent-Type: message/rfc822; forwarded=no\r\n"));
    assert_eq!(entity_body, MSG.as_bytes());
}

#[test]
fn inject_round_trips() {
    // Signed only: hp="clear", outer unchanged.
    let i = protect::inject(MSG.as_bytes(), false, Hcp::Baseline).unwrap();
    let hp = protect::analyze(&i.outer_headers, &i.payload_entity, false);
    assert_eq!(hp.scheme, "injected");
    assert!(hp.problems.is_empty() && hp.obscured.is_empty(), "{:?}", hp);

    // Encrypted, baseline: Subject obscured, Keywords removed, both explained by HP-Outer.
    let i = protect::inject_with(
        MSG.as_bytes(),
        &InjectOptions {
            confidential: true,
            policy: Hcp::Baseline,
            legacy_display: true,
        },
    )
    .unwrap();
    let hp = protect::analyze(&i.outer_headers, &i.payload_entity, true);
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    let mut f: Vec<&str> = hp.obscured.iter().map(|m| m.field.as_str()).collect();
    f.sort();
    assert_eq!(f, ["Keywords", "Subject"]);
    assert!(hp.legacy_display_part_removed);
    assert_eq!(header(&hp, "Subject").as_deref(), Some("Attack at dawn"));
    assert!(header(&hp, "HP-Outer").is_none());
    let clean = protect::remove_legacy_display(&i.payload_entity).unwrap();
    assert!(clean.ends_with(b"\r\n\r\nProceed.\r\n"));

    // Encrypted, shy.
    let i = protect::inject(MSG.as_bytes(), true, Hcp::Shy).unwrap();
    let o = String::from_utf8(i.outer_headers.clone()).unwrap();
    assert!(o.contains("From: alice@army.example\r\n"));
    assert!(o.contains("Date: Sat, 20 Feb 2021 15:09:02 +0000\r\n"));
    let hp = protect::analyze(&i.outer_headers, &i.payload_entity, true);
    assert!(hp.problems.is_empty(), "{:?}", hp.problems);
    assert_eq!(hp.obscured.len(), 5);

    // HP-Outer declares what was exposed: a changed outer value is caught.
    let i = protect::inject(MSG.as_bytes(), true, Hcp::Baseline).unwrap();
    let o = String::from_utf8(i.outer_headers.clone())
        .unwrap()
        .replace("Subject: [...]", "Subject: Stand down");
    let hp = protect::analyze(o.as_bytes(), &i.payload_entity, true);
    assert_eq!(codes(&hp), ["hp-header-mismatch"]);
    // hp="cipher" seen without encryption: flagged, and HP-Outer is not honoured.
    let hp = protect::analyze(&i.outer_headers, &i.payload_entity, false);
    assert!(codes(&hp).contains(&"hp-cipher-unencrypted"));
    assert!(codes(&hp).contains(&"hp-header-mismatch"));
}

#[test]
fn garbage_does_not_panic() {
    for (o, p) in [
        (&b""[..], &b""[..]),
        (b"\xff\xfe:\r\n", b"Content-Type: message/rfc822; forwarded=no\r\n\r\n\xff"),
        (b"From: a", b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n"),
        (b"From: a", b"Content-Type: text/plain; hp=cipher; hp-legacy-display=1\r\nHP-Outer: :\r\nHP-Outer: x\r\n\r\nA: b"),
        (b"From: a", b"Content-Type: text/plain; protected-headers=v1\r\nHP-Removed: ,,\r\n"),
    ] {
        let _ = protect::analyze(o, p, true);
        let _ = protect::remove_legacy_display(p);
    }
}

/// Sections of thousands of fields (the header parser's limit is 10 000) are compared in one
/// pass: each name looked up once in each section and in the HP-Outer declarations, not
/// searched for per field (9 000 fields took 5.7 s in a debug build). The comparison is the
/// same: an undeclared outer change is a mismatch, a declared one is obscured.
#[test]
fn many_fields_are_compared_in_one_pass() {
    let n = 3000;
    let mut payload =
        String::from("Content-Type: text/plain; hp=cipher\r\nFrom: a@army.example\r\n");
    let mut outer = String::from("From: a@army.example\r\n");
    for i in 0..n {
        payload.push_str(&format!("X-F{i}: v{i}\r\n"));
        outer.push_str(&match i % 3 {
            0 => format!("X-F{i}: v{i}\r\n"),
            1 => format!("x-f{i}: changed {i}\r\n"),
            _ => format!("X-F{i}: o{i}\r\n"),
        });
    }
    for i in (2..n).step_by(3) {
        payload.push_str(&format!("HP-Outer: x-f{i}: o{i}\r\n"));
    }
    payload.push_str("\r\nbody\r\n");
    let hp = protect::analyze(outer.as_bytes(), payload.as_bytes(), true);
    assert_eq!(hp.mismatches.len(), n / 3);
    assert_eq!(hp.obscured.len(), n / 3);
    let m = &hp.mismatches[0];
    assert_eq!(
        (m.field.as_str(), m.outer.as_deref(), m.inner.as_deref()),
        ("X-F1", Some("changed 1"), Some("v1"))
    );
    assert_eq!(hp.obscured[0].field, "X-F2");
    assert_eq!(
        codes(&hp)
            .iter()
            .filter(|c| **c == "hp-header-mismatch")
            .count(),
        n / 3
    );
}
