//! Path building under hostile certificate sets: a message carrying many self-issued CA
//! certificates with one name (every ordering of them is a candidate path) is refused within
//! the work budget (`path-budget-exhausted`, or `cert-untrusted` when repetition pruning
//! already ends the search), while a real chain among cross-certificates and decoys still
//! validates. The certificates are made at test time with the openssl CLI
//! (tests/support/pki.rs). Performance is measured by `cargo bench --bench smime -- dos`,
//! never here.

use crate::support;

use mmhs::smime::{sign_message, SignOptions};
use mmhs::trust::{self, codes, Purpose, TrustContext, Validator, MAX_PATH_NODES};
use mmhs::verify::{verify, VerifyContext};
use support::pki::{Alg, Pki};
use x509_cert::Certificate;

fn at() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::seconds(60)
}

/// A message from `<tag>@army.example`.
fn message(tag: &str) -> Vec<u8> {
    format!(
        "From: <{tag}@army.example>\r\nTo: bob@navy.example\r\nSubject: paths\r\n\
Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <{tag}@army.example>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    )
    .into_bytes()
}

fn trust_context(anchor: Certificate) -> TrustContext {
    TrustContext {
        anchors: vec![anchor],
        intermediates: Vec::new(),
        crls: Vec::new(),
        at: at(),
    }
}

fn codes_of(problems: &[mmhs::report::Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.code.as_str()).collect()
}

/// Sign with `tag`'s key carrying `extra`, verify against the root; return the signature's
/// problem codes after checking it is cryptographically valid but not trusted.
fn verify_refused(p: &Pki, tag: &str, extra: Vec<Certificate>) -> Vec<String> {
    let signer = p.signer_with(tag, extra);
    let opts = SignOptions {
        signing_time: Some(at()),
        ..SignOptions::default()
    };
    let signed = sign_message(&message(tag), &signer, &opts, &mut mmhs::rng::system_rng()).unwrap();
    let report = verify(&signed, &p.verify_context(at())).unwrap();
    assert!(!report.valid);
    let sig = &report.signatures[0];
    assert!(
        sig.valid,
        "the signature itself verifies: {:?}",
        sig.problems
    );
    assert!(!sig.trusted);
    sig.problems.iter().map(|p| p.code.clone()).collect()
}

#[test]
fn same_name_certificates_with_one_key_are_pruned_as_repetitions() {
    let p = Pki::new("trust-dos-one-key", &[]);
    let cas = p.same_name_cas("onekey", 16, true);
    let leaf = p.cert("onekey.pem");
    let ctx = trust_context(p.ca());
    let v = Validator::new(&ctx, &cas);
    let r = v.validate(&leaf, Purpose::Signing);
    assert_eq!(codes_of(&r.problems), [codes::CERT_UNTRUSTED]);
    // the leaf's issuer (16 × 2 passes), then from each the others, all repetitions
    assert!(
        v.nodes_explored() <= 16 * 2 + 16 * 16 * 2,
        "{}",
        v.nodes_explored()
    );

    let codes = verify_refused(&p, "onekey", cas);
    assert_eq!(codes, [codes::CERT_UNTRUSTED]);
    let _ = std::fs::remove_dir_all(&p.dir);
}

#[test]
fn same_name_certificates_with_own_keys_exhaust_the_budget() {
    let p = Pki::new("trust-dos-own-keys", &[]);
    let cas = p.same_name_cas("ownkeys", 24, false);
    let leaf = p.cert("ownkeys.pem");
    let ctx = trust_context(p.ca());
    for n in [16, 24] {
        let v = Validator::new(&ctx, &cas[..n]);
        let r = v.validate(&leaf, Purpose::Signing);
        assert!(!r.trusted);
        assert_eq!(codes_of(&r.problems), [codes::PATH_BUDGET_EXHAUSTED]);
        assert_eq!(v.nodes_explored(), MAX_PATH_NODES);
        // the same leaf again is answered from the memo
        assert_eq!(v.validate(&leaf, Purpose::Signing), r);
        assert_eq!(v.nodes_explored(), MAX_PATH_NODES);
    }
    // the one-shot API has the same bound
    let r = trust::validate(&leaf, &cas, &ctx, Purpose::Signing);
    assert_eq!(codes_of(&r.problems), [codes::PATH_BUDGET_EXHAUSTED]);

    let codes = verify_refused(&p, "ownkeys", cas[..16].to_vec());
    assert_eq!(codes, [codes::PATH_BUDGET_EXHAUSTED]);
    let _ = std::fs::remove_dir_all(&p.dir);
}

#[test]
fn many_leaves_share_one_validator_budget() {
    let p = Pki::new("trust-dos-many-leaves", &[]);
    let cas = p.same_name_cas("leaves", 16, false);
    let ctx = trust_context(p.ca());
    let v = Validator::new(&ctx, &cas);
    // every self-issued CA certificate as a leaf of its own: each search explores the others
    let results: Vec<_> = cas
        .iter()
        .map(|c| v.validate(c, Purpose::Signing))
        .collect();
    assert!(results.iter().all(|r| !r.trusted));
    assert!(results.iter().all(|r| r
        .problems
        .iter()
        .any(|p| p.code == codes::PATH_BUDGET_EXHAUSTED)));
    assert_eq!(v.nodes_explored(), trust::MAX_VALIDATOR_NODES);
    let _ = std::fs::remove_dir_all(&p.dir);
}

#[test]
fn real_chain_among_cross_certificates_and_decoys_validates() {
    let p = Pki::new("trust-dos-legit", &[]);
    p.intermediate("sub", "inter CA", ("ca.pem", "ca.key"), 10, "sub");
    p.issue(
        "alice",
        "alice@army.example",
        Alg::Ec,
        ("sub.pem", "sub.key"),
        100, // not a decoy's serial: its issuerAndSerialNumber must name alice's certificate
    );
    // the same intermediate key certified by a root nobody trusts, and same-named decoys
    // (subject "inter CA", no key identifiers) listed first
    p.root("other", "Other Root");
    p.intermediate(
        "sub",
        "inter CA",
        ("other.pem", "other.key"),
        12,
        "sub-cross",
    );
    let mut extra = p.same_name_cas("inter", 16, false);
    extra.push(p.cert("sub-cross.pem"));
    extra.push(p.cert("sub.pem"));
    extra.push(p.cert("other.pem"));

    let ctx = trust_context(p.ca());
    let v = Validator::new(&ctx, &extra);
    let r = v.validate(&p.cert("alice.pem"), Purpose::Signing);
    assert!(r.trusted, "{:?}", r.problems);
    assert_eq!(r.chain.len(), 3, "{:?}", r.chain);
    assert!(v.nodes_explored() < 100, "{}", v.nodes_explored());

    let signer = p.signer_with("alice", extra);
    let opts = SignOptions {
        signing_time: Some(at()),
        ..SignOptions::default()
    };
    let signed = sign_message(
        &message("alice"),
        &signer,
        &opts,
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let ctx = VerifyContext {
        trust_anchors: vec![p.ca()],
        at: Some(at()),
        ..VerifyContext::default()
    };
    let report = verify(&signed, &ctx).unwrap();
    let sig = &report.signatures[0];
    assert!(sig.valid && sig.trusted, "{:?}", sig.problems);
    let _ = std::fs::remove_dir_all(&p.dir);
}
