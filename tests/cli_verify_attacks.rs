//! `mmhs verify` refuses the Draft & Release attacks of `support/attacks.rs` (built at test
//! time on a throwaway OpenSSL PKI): exit status 1 and a JSON report with `valid: false` and
//! the specific refusal (RFC 5652 §5.3, §11.4; RFC 7912 §3.2). The genuine release is the
//! control: exit 0, the officer `countersigned`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::process::{Command, Stdio};
use std::sync::OnceLock;

use support::attacks::{self, now, DRAFTER, OFFICER};
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
    let at = now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mmhs"))
        .args(["verify", file, "--trust", "ca.pem", "--at", &at])
        .current_dir(&p.dir)
        .stdin(Stdio::null())
        .output()
        .expect("run mmhs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{file}: no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

fn has_code(list: &serde_json::Value, code: &str) -> bool {
    list.as_array()
        .is_some_and(|a| a.iter().any(|p| p["code"] == code))
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
