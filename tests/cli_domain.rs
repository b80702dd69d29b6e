//! Domain signatures through the `mmhs` binary and the OpenSSL command line
//! (draft-melnikov-smime-msa-to-mda-04 §2.5, §2.6, §3), on a throwaway PKI made at test time
//! with domain-agent certificates (SAN `URI:smtp://army.example`, `DNS:army.example`):
//!
//! - `mmhs sign --signature-type domain` over alice's signed message → `openssl cms -verify`
//!   accepts the domain signature and then alice's inside it; `mmhs verify` reports
//!   `namingOk`, `agentDomain`, `domainVerified`;
//! - a rogue agent (evil.example) is refused by `mmhs sign` (`agent-naming-invalid`, exit 2)
//!   and flagged by `mmhs verify` when OpenSSL makes the signature anyway
//!   (`domain-naming-mismatch`, exit 1);
//! - OpenSSL cannot add the signatureType attribute (`openssl cms -sign` has no option for
//!   arbitrary signed attributes): its signature with army.example's agent certificate around
//!   alice's signed message is judged domain-style (§3.2: an untyped signature is the
//!   originator's only when it encapsulates no signature) — `namingOk` true, no
//!   `addressMatch`, valid.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use support::cli::{error_code, mmhs, stdout_of_success};
use support::interop::{cms_verify, succeeded};
use support::pki::{ok, Alg, Pki};

const AT: &str = "2030-01-01T00:00:00Z";

const MESSAGE: &[u8] = b"From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: Exercise\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <cli-domain-1@army.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nProceed to grid 123.\r\n";

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let p = Pki::new("cli-domain", &[("alice", "alice@army.example", Alg::Rsa)]);
        p.issue_san(
            "army-mta",
            "URI:smtp://army.example,DNS:army.example",
            Alg::Ec,
            6001,
        );
        p.issue_san("evil-mta", "URI:smtp://evil.example", Alg::Rsa, 6002);
        p.write("msg.eml", MESSAGE);
        let signed = stdout_of_success(&sign_typed(&p, "msg.eml", "alice", "originator"));
        p.write("alice.eml", &signed);
        // The signed entity (Content-Type multipart/signed + body), what OpenSSL signs around.
        let (_, entity) = mmhs::smime::sign::split_entity(&signed);
        p.write("alice-entity.eml", &entity);
        p
    })
}

/// `openssl cms -verify` of `file` against the root; its output (the signed content).
fn openssl_verify(p: &Pki, file: &str) -> Vec<u8> {
    succeeded(cms_verify(&p.dir, file, "ca.pem", &["-purpose", "any"]))
}

/// `mmhs sign IN --key <signer>.key --cert <signer>.pem --signature-type TYPES --at AT`.
fn sign_typed(p: &Pki, input: &str, signer: &str, types: &str) -> std::process::Output {
    let (key, cert) = (format!("{signer}.key"), format!("{signer}.pem"));
    mmhs(
        &p.dir,
        &[
            "sign",
            input,
            "--key",
            &key,
            "--cert",
            &cert,
            "--signature-type",
            types,
            "--at",
            AT,
        ],
    )
}

fn verify_json(p: &Pki, file: &str) -> (Option<i32>, serde_json::Value) {
    let out = mmhs(&p.dir, &["verify", file, "--trust", "ca.pem", "--at", AT]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify {file}: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect()
}

/// OpenSSL signs `alice-entity.eml` with `agent`'s certificate (no signatureType: it cannot
/// add one), outer From/To/Subject given, written to `out`.
fn openssl_agent_sign(p: &Pki, agent: &str, out: &str) {
    ok(
        &p.dir,
        &[
            "cms",
            "-sign",
            "-in",
            "alice-entity.eml",
            "-signer",
            &format!("{agent}.pem"),
            "-inkey",
            &format!("{agent}.key"),
            "-md",
            "sha256",
            "-from",
            "alice@army.example",
            "-to",
            "bob@navy.example",
            "-subject",
            "Exercise",
            "-out",
            out,
        ],
    );
}

#[test]
fn domain_signature_by_the_cli_verifies_in_openssl_and_mmhs() {
    let p = pki();
    let out = sign_typed(p, "alice.eml", "army-mta", "domain");
    let signed = stdout_of_success(&out);
    p.write("domain.eml", &signed);
    // OpenSSL accepts the domain signature; what it covers is alice's signed entity, which
    // OpenSSL accepts in turn.
    let inner = openssl_verify(p, "domain.eml");
    assert!(String::from_utf8_lossy(&inner).contains("multipart/signed"));
    p.write("domain-inner.eml", &inner);
    let content = openssl_verify(p, "domain-inner.eml");
    assert!(String::from_utf8_lossy(&content).contains("Proceed to grid 123."));
    // OpenSSL reads the signatureType attribute (1.2.840.113549.1.9.16.2.28) and its value
    // id-sti-domainSig (1.2.840.113549.1.9.16.9.2).
    let printed = String::from_utf8_lossy(&ok(
        &p.dir,
        &["cms", "-cmsout", "-print", "-in", "domain.eml"],
    ))
    .into_owned();
    assert!(printed.contains("signatureType"), "{printed}");
    assert!(
        printed.contains("1.2.840.113549.1.9.16.9.2") || printed.contains("domainSig"),
        "{printed}"
    );
    let (status, v) = verify_json(p, "domain.eml");
    assert_eq!(status, Some(0), "{v:#}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["domainVerified"], true);
    assert_eq!(v["signatures"][0]["signatureType"], "domain");
    assert_eq!(v["signatures"][0]["namingOk"], true);
    assert_eq!(v["signatures"][0]["agentDomain"], "army.example");
    assert_eq!(v["signatures"][0]["signer"], "smtp://army.example");
    assert_eq!(v["signatures"][1]["addressMatch"], true);
    assert!(v["signatures"][1].get("namingOk").is_none());
}

#[test]
fn rogue_agent_is_refused_and_flagged() {
    let p = pki();
    let out = sign_typed(p, "alice.eml", "evil-mta", "domain");
    assert_eq!(error_code(&out), "agent-naming-invalid");

    // The rogue agent signs anyway, with OpenSSL.
    openssl_agent_sign(p, "evil-mta", "rogue.eml");
    let (status, v) = verify_json(p, "rogue.eml");
    assert_eq!(status, Some(1), "{v:#}");
    assert_eq!(v["valid"], false);
    assert_eq!(v["domainVerified"], false);
    assert_eq!(v["signatures"][0]["namingOk"], false);
    assert_eq!(v["signatures"][0]["agentDomain"], "evil.example");
    assert!(codes(&v).contains(&"domain-naming-mismatch".to_string()));
}

#[test]
fn openssl_agent_signature_is_judged_domain_style() {
    let p = pki();
    openssl_agent_sign(p, "army-mta", "ossl-agent.eml");
    let (status, v) = verify_json(p, "ossl-agent.eml");
    assert_eq!(status, Some(0), "{v:#}");
    let s = &v["signatures"][0];
    assert_eq!(
        s["signatureType"], "originator",
        "no attribute: OpenSSL cannot add one"
    );
    assert_eq!(s["namingOk"], true);
    assert_eq!(s["agentDomain"], "army.example");
    assert_eq!(s["addressMatch"], serde_json::Value::Null);
    assert_eq!(v["signatures"][1]["addressMatch"], true);
    // Not typed domainSig (§3.3): the originator's own signature is what verifies her.
    assert_eq!(v["domainVerified"], false);
}

#[test]
fn forbidden_signature_type_lists_are_refused() {
    let p = pki();
    for (types, code) in [
        ("additionalAttributes,domain", "signature-type-invalid"),
        ("domain,domain", "signature-type-invalid"),
    ] {
        let out = sign_typed(p, "alice.eml", "army-mta", types);
        assert_eq!(error_code(&out), code, "{types}");
    }
    let out = sign_typed(p, "msg.eml", "alice", "domainish");
    assert_eq!(error_code(&out), "args-invalid");
}
