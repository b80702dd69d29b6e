//! `mmhs verify` refuses the verdict attacks, built at test time on a throwaway OpenSSL PKI
//! (`support/attacks.rs`): exit status 1 and a JSON report with `valid: false` and the
//! specific refusal — a countersignature by the wrong certificate or carried over to other
//! content (RFC 5652 §5.3, §11.4; RFC 7912 §3.2), a second From (RFC 5322 §3.6), a precedence
//! outside the signature (RFC 8551 §3.1), a certificate set built for exponential path
//! building (RFC 4158). The genuine release is the control: exit 0, the officer
//! `countersigned`.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use support::attacks::{self, now, DRAFTER, OFFICER};
use support::cli::{has_code, mmhs_verify};
use support::pki::{Alg, Imitation, Pki};

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        Pki::new(
            "cli-verify-attacks",
            &[("alice", DRAFTER, Alg::Rsa), ("o1", OFFICER, Alg::Rsa)],
        )
    })
}

/// `mmhs verify FILE --trust ca.pem --at NOW` on `message`: the exit status and the report.
fn verify(file: &str, message: &[u8]) -> (Option<i32>, serde_json::Value) {
    let p = pki();
    p.write(file, message);
    mmhs_verify(&p.dir, file, now(), &[])
}

fn officer_status(report: &serde_json::Value) -> &serde_json::Value {
    report["authorizingUsers"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["address"] == OFFICER))
        .map(|u| &u["status"])
        .unwrap_or_else(|| panic!("the officer is listed: {report:#}"))
}

#[test]
fn genuine_release_exits_zero() {
    let (code, r) = verify("released.eml", &attacks::released(pki()));
    assert_eq!(code, Some(0), "{r:#}");
    assert_eq!(r["valid"], true);
    assert_eq!(officer_status(&r), "countersigned");
}

#[test]
fn self_made_countersigner_certificate_is_refused() {
    let impostor = pki().impostor("impostor", OFFICER, Imitation::Nothing);
    let (code, r) = verify(
        "self-countersigned.eml",
        &attacks::self_countersigned(pki(), &impostor, false),
    );
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["valid"], false);
    let cs = &r["signatures"][0]["countersignatures"][0];
    assert_eq!(cs["emails"][0], OFFICER, "{r:#}");
    assert_eq!(cs["trusted"], false);
    assert!(has_code(&cs["problems"], "cert-untrusted"), "{cs:#}");
    assert_eq!(officer_status(&r), "untrusted");
    assert!(
        has_code(&r["problems"], "authorizing-user-untrusted"),
        "{r:#}"
    );
}

#[test]
fn countersigner_identifier_matching_two_certificates_is_refused() {
    for (name, imitation, use_ski) in [
        ("cli-imp-ski", Imitation::SubjectKeyIdentifier("o1"), true),
        ("cli-imp-isn", Imitation::IssuerAndSerial("o1"), false),
    ] {
        let impostor = pki().impostor(name, OFFICER, imitation);
        let (code, r) = verify(
            &format!("{name}.eml"),
            &attacks::self_countersigned(pki(), &impostor, use_ski),
        );
        assert_eq!(code, Some(1), "{name}: {r:#}");
        assert_eq!(r["valid"], false, "{name}");
        let cs = &r["signatures"][0]["countersignatures"][0];
        assert!(
            has_code(&cs["problems"], "signer-cert-ambiguous"),
            "{name}: {cs:#}"
        );
        assert_eq!(cs["emails"], serde_json::json!([]), "{name}");
        assert_eq!(officer_status(&r), "notCountersigned", "{name}");
    }
}

#[test]
fn countersignature_carried_over_to_other_content_is_refused() {
    let released = attacks::released(pki());
    for (file, msg) in [
        ("replaced.eml", attacks::content_replaced(&released)),
        ("moved.eml", attacks::signer_info_moved(&released, None)),
    ] {
        let (code, r) = verify(file, &msg);
        assert_eq!(code, Some(1), "{file}: {r:#}");
        assert_eq!(r["valid"], false, "{file}");
        let s = &r["signatures"][0];
        assert_eq!(s["valid"], false, "{file}");
        assert!(
            has_code(&s["problems"], "message-digest-mismatch"),
            "{file}: {s:#}"
        );
        // The officer's countersignature is genuine, and authorises nothing here.
        assert_eq!(s["countersignatures"][0]["valid"], true, "{file}");
        assert_eq!(s["countersignatures"][0]["trusted"], true, "{file}");
        assert_eq!(officer_status(&r), "invalid", "{file}");
        assert!(
            has_code(&r["problems"], "countersignature-orphaned"),
            "{file}: {r:#}"
        );
        assert_eq!(
            r["problems"][0]["code"], "message-digest-mismatch",
            "{file}"
        );
    }
}

/// `text` with `field` prepended outside every signature.
fn prepend(field: &str, message: &[u8]) -> Vec<u8> {
    let mut out = field.as_bytes().to_vec();
    out.extend_from_slice(message);
    out
}

#[test]
fn second_from_outside_the_signature_is_refused() {
    // The sender shown must be the sender checked (RFC 5322 §3.6).
    let signed = attacks::signed_draft(pki());
    let (code, r) = verify(
        "two-from.eml",
        &prepend("From: general@army.example\r\n", &signed),
    );
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["valid"], false);
    assert!(
        has_code(&r["problems"], "originator-field-duplicate"),
        "{r:#}"
    );
    // The report carries every address a reader must show.
    assert_eq!(r["from"][0], "general@army.example", "{r:#}");
    assert_eq!(r["from"].as_array().map(Vec::len), Some(2));
}

#[test]
fn unsigned_precedence_is_reported_not_covered() {
    // A precedence the signature does not cover is not presented as verified.
    let signed = attacks::signed_draft(pki());
    let (_, clean) = verify("clean.eml", &signed);
    let (_, r) = verify(
        "override.eml",
        &prepend("MMHS-Copy-Precedence: 5\r\n", &signed),
    );
    let covered = |r: &serde_json::Value, field: &str| {
        r["fieldCoverage"]
            .as_array()
            .and_then(|a| {
                a.iter().find(|c| {
                    c["field"]
                        .as_str()
                        .is_some_and(|f| f.eq_ignore_ascii_case(field))
                })
            })
            .map(|c| c["covered"].clone())
    };
    assert_eq!(
        covered(&r, "MMHS-Copy-Precedence"),
        Some(serde_json::Value::Bool(false)),
        "{r:#}"
    );
    assert!(has_code(&r["notes"], "field-not-covered"), "{r:#}");
    // The signed draft itself is header-protected: its own precedence is covered.
    assert_eq!(
        covered(&clean, "MMHS-Primary-Precedence"),
        Some(serde_json::Value::Bool(
            clean["headerProtection"]["scheme"] != "none"
        )),
        "{clean:#}"
    );
}

#[test]
fn same_name_certificate_set_is_refused_within_the_budget() {
    // Exponential path building: 16 self-issued CA certificates of one name, each with its
    // own key, carried by the message. `mmhs verify` answers (bounded work) and refuses.
    let p = pki();
    let cas = p.same_name_cas("cli-dos", 16, false);
    let signer = p.signer_with("cli-dos", cas);
    let msg = "From: <cli-dos@army.example>\r\nTo: bob@navy.example\r\nSubject: paths\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
    let signed = mmhs::smime::sign_message(
        msg.as_bytes(),
        &signer,
        &mmhs::smime::SignOptions {
            signing_time: Some(now()),
            ..Default::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let (code, r) = verify("same-name.eml", &signed);
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["valid"], false);
    let sig = &r["signatures"][0];
    assert_eq!(sig["valid"], true, "the signature itself verifies: {sig:#}");
    assert_eq!(sig["trusted"], false);
    assert!(
        has_code(&sig["problems"], "path-budget-exhausted")
            || has_code(&sig["problems"], "cert-untrusted"),
        "{sig:#}"
    );
}
