//! Golden corpus of the receive pipeline (`mmhs::verify::verify`): every message of
//! `tests/vectors/verify/<set>/corpus.json`, in the sets `rfc` (published samples of the
//! specifications), `interop` (other implementations' output), `malformed` (broken structure)
//! and `attacks` (messages built to be believed), must produce the report in
//! `tests/vectors/verify/<set>/<name>.json` — with LF and with CRLF line ends, as stored mail
//! has both (RFC 5322 §2.1 requires CRLF on the wire; RFC 8551 §3.1.1 canonicalises to CRLF
//! before signing, so the verdict must not depend on them). The time and the trust anchors of
//! each group of messages are fixed in `corpus.json`; nothing depends on the clock.
//!
//! On mismatch the actual report is written to `<name>.failed` (LF run) or
//! `<name>.crlf.failed`. `MMHS_UPDATE_GOLDEN=1` writes the reports that are missing (review
//! them by hand before committing) and, when `attacks/` has none of its generated messages,
//! builds them anew from `tests/support/attacks.rs` on a fresh throwaway PKI: the messages and
//! the PKI's root certificate are written, never a private key.
//!
//! `corpus.json`: `{"groups": [{"at" | "atFrom", "trustAnchors", "certificates",
//! "decryptionKeys", "algorithms", "messages"}]}` — paths relative to the set's directory
//! (`atFrom`: a file holding the RFC 3339 time); a message path ending
//! in `/` means every `.eml` below that directory; `algorithms` is `"legacy"` for the receive
//! policy that reports weak algorithms as notes, else strict.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use mmhs::algorithm_policy::AlgorithmPolicy;
use mmhs::keys::{certificates_from_der_or_pem, PrivateKey};
use mmhs::verify::VerifyContext;

use crate::support::golden::{line_end_variants, matches, update};

const SETS: [&str; 4] = ["rfc", "interop", "malformed", "attacks"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/verify")
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Corpus {
    groups: Vec<Group>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Group {
    /// RFC 3339; absent: path validation uses each signature's signingTime.
    #[serde(default, with = "time::serde::rfc3339::option")]
    at: Option<time::OffsetDateTime>,
    /// A file holding the RFC 3339 time instead: that of generated messages.
    #[serde(default)]
    at_from: Option<String>,
    #[serde(default)]
    trust_anchors: Vec<String>,
    #[serde(default)]
    certificates: Vec<String>,
    /// `[key (PKCS#8 PEM), certificate]` pairs.
    #[serde(default)]
    decryption_keys: Vec<(String, String)>,
    #[serde(default)]
    algorithms: Option<String>,
    messages: Vec<String>,
}

fn certificates(dir: &Path, files: &[String]) -> Vec<x509_cert::Certificate> {
    files
        .iter()
        .flat_map(|f| {
            let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            certificates_from_der_or_pem(&bytes).unwrap_or_else(|e| panic!("{f}: {e}"))
        })
        .collect()
}

impl Group {
    fn context(&self, dir: &Path) -> VerifyContext {
        let decryption_keys = self
            .decryption_keys
            .iter()
            .map(|(key, cert)| {
                let pem = std::fs::read_to_string(dir.join(key)).unwrap();
                let key = PrivateKey::from_pem(&pem).unwrap_or_else(|e| panic!("{key}: {e}"));
                (key, certificates(dir, std::slice::from_ref(cert)).remove(0))
            })
            .collect();
        let algorithms = match self.algorithms.as_deref() {
            None | Some("strict") => AlgorithmPolicy::strict(),
            Some("legacy") => AlgorithmPolicy::legacy(),
            Some(other) => panic!("unknown algorithm policy {other}"),
        };
        let at = self.at.or_else(|| {
            let file = self.at_from.as_ref()?;
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let rfc3339 = &time::format_description::well_known::Rfc3339;
            Some(time::OffsetDateTime::parse(text.trim(), rfc3339).unwrap())
        });
        VerifyContext {
            trust_anchors: certificates(dir, &self.trust_anchors),
            certificates: certificates(dir, &self.certificates),
            at,
            decryption_keys,
            algorithms,
            ..VerifyContext::default()
        }
    }

    /// The message files of the group, sorted.
    fn messages(&self, dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for m in &self.messages {
            if let Some(sub) = m.strip_suffix('/') {
                let mut stack = vec![dir.join(sub)];
                while let Some(d) = stack.pop() {
                    for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{m}: {e}")) {
                        let p = e.unwrap().path();
                        if p.is_dir() {
                            stack.push(p);
                        } else if p.extension().is_some_and(|x| x == "eml") {
                            out.push(p);
                        }
                    }
                }
            } else {
                out.push(dir.join(m));
            }
        }
        out.sort();
        out
    }
}

/// The report as JSON, or `{"error": code}` when the input is not a message at all.
fn report(raw: &[u8], ctx: &VerifyContext) -> serde_json::Value {
    use mmhs::error::Coded;
    match mmhs::verify::verify(raw, ctx) {
        Ok(r) => serde_json::to_value(&r).unwrap(),
        Err(e) => serde_json::json!({ "error": e.code() }),
    }
}

/// A set's directory and its corpus.
fn corpus(set: &str) -> (PathBuf, Corpus) {
    let dir = root().join(set);
    let corpus: Corpus = serde_json::from_slice(
        &std::fs::read(dir.join("corpus.json")).unwrap_or_else(|e| panic!("{set}: {e}")),
    )
    .unwrap_or_else(|e| panic!("{set}/corpus.json: {e}"));
    (dir, corpus)
}

/// Run one set; returns the mismatches and the number of messages.
fn run_set(set: &str) -> (Vec<String>, usize) {
    let (dir, corpus) = corpus(set);
    let mut failures = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for group in &corpus.groups {
        let ctx = group.context(&dir);
        let messages = group.messages(&dir);
        assert!(!messages.is_empty(), "{set}: a group without messages");
        for eml in messages {
            let name = eml.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                names.insert(name.clone()),
                "{set}: two messages named {name}"
            );
            let raw = std::fs::read(&eml).unwrap_or_else(|e| panic!("{}: {e}", eml.display()));
            let expected_path = dir.join(format!("{name}.json"));
            for (variant, input, failed_ext) in line_end_variants(&raw) {
                if !matches(&expected_path, failed_ext, &report(&input, &ctx)) {
                    failures.push(format!("{set}/{name} ({variant})"));
                }
            }
        }
    }
    // Every expected report belongs to a message: a removed vector takes its report along.
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.extension().is_some_and(|x| x == "json") && stem != "corpus" {
            assert!(names.contains(&stem), "{}: no message", p.display());
        }
    }
    (failures, names.len())
}

fn golden(set: &str, at_least: usize) {
    let (failures, n) = run_set(set);
    assert!(n >= at_least, "{set}: only {n} messages");
    assert!(
        failures.is_empty(),
        "golden mismatches (see .failed files): {failures:#?}"
    );
}

#[test]
fn rfc() {
    golden("rfc", 5);
}

#[test]
fn interop() {
    golden("interop", 3);
}

#[test]
fn malformed() {
    golden("malformed", 8);
}

#[test]
fn attacks() {
    if update() {
        generate_attacks();
    }
    golden("attacks", 30);
}

/// What each set's reports must say whatever their details: nothing in `malformed` or
/// `attacks` verifies as valid except the reference messages named `genuine-*`.
#[test]
fn no_malformed_or_attack_message_is_valid() {
    for set in ["malformed", "attacks"] {
        let dir = root().join(set);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            if p.extension().is_none_or(|x| x != "json") || stem == "corpus" {
                continue;
            }
            let report: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            let valid = report["valid"].as_bool().unwrap_or(false);
            assert_eq!(valid, stem.starts_with("genuine-"), "{}", p.display());
        }
    }
    assert!(SETS
        .iter()
        .all(|s| root().join(s).join("corpus.json").exists()));
}

/// The messages of `tests/support/attacks.rs`, built on a fresh PKI when `attacks/` has none
/// of them (`MMHS_UPDATE_GOLDEN=1`): the drafter `alice`, the officer `o1`.
fn generate_attacks() {
    use crate::support::attacks::{self, DRAFTER, OFFICER};
    use crate::support::pki::{Alg, Imitation, Pki};

    let dir = root().join("attacks");
    /// A message built on the PKI.
    type Make = Box<dyn Fn(&Pki) -> Vec<u8>>;
    let generated: Vec<(&str, Make)> = vec![
        ("genuine-release", Box::new(attacks::released)),
        (
            "countersigned-by-self-made-officer-certificate",
            Box::new(|p| {
                let imp = p.impostor("impostor", OFFICER, Imitation::Nothing);
                attacks::self_countersigned(p, &imp, false)
            }),
        ),
        (
            "countersigner-ski-matches-two-certificates",
            Box::new(|p| {
                let imp = p.impostor("imp-ski", OFFICER, Imitation::SubjectKeyIdentifier("o1"));
                attacks::self_countersigned(p, &imp, true)
            }),
        ),
        (
            "countersigner-issuer-serial-matches-two-certificates",
            Box::new(|p| {
                let imp = p.impostor("imp-isn", OFFICER, Imitation::IssuerAndSerial("o1"));
                attacks::self_countersigned(p, &imp, false)
            }),
        ),
        (
            "released-content-replaced",
            Box::new(|p| attacks::content_replaced(&attacks::released(p))),
        ),
        (
            "released-signer-info-moved",
            Box::new(|p| attacks::signer_info_moved(&attacks::released(p), None)),
        ),
        (
            "released-signer-info-moved-beside-fresh-signature",
            Box::new(|p| {
                attacks::signer_info_moved(&attacks::released(p), Some(&p.signer("alice")))
            }),
        ),
    ];
    let path = |name: &str| dir.join("generated").join(format!("{name}.eml"));
    if generated.iter().any(|(name, _)| path(name).exists()) {
        return;
    }
    std::fs::create_dir_all(dir.join("generated")).unwrap();
    let pki = Pki::new(
        "verify-golden",
        &[("alice", DRAFTER, Alg::Rsa), ("o1", OFFICER, Alg::Rsa)],
    );
    std::fs::write(dir.join("generated/ca.pem"), pki.read("ca.pem")).unwrap();
    for (name, make) in &generated {
        std::fs::write(path(name), make(&pki)).unwrap();
    }
    // The validation time of the generated group: when the messages were made.
    let at = attacks::now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    std::fs::write(dir.join("generated/at.txt"), at + "\n").unwrap();
}

/// A provider of signature checks that is not the core's code: ECDSA with the fixed-size
/// signature (RFC 7518 §3.4) over the hash of the message, RSASSA-PKCS1-v1_5 and RSASSA-PSS
/// (MGF1 with the same hash, the given salt length) with the key's SubjectPublicKeyInfo —
/// what WebCrypto's `importKey` + `verify` do in the browser.
fn provider(c: &mmhs::trust::SignatureCheck) -> bool {
    use mmhs::trust::{CheckHash, CheckKey};
    use sha2::Digest;
    use signature::hazmat::PrehashVerifier;
    let hashed = match c.hash {
        CheckHash::Sha1 => sha1::Sha1::digest(&c.message).to_vec(),
        CheckHash::Sha256 => sha2::Sha256::digest(&c.message).to_vec(),
        CheckHash::Sha384 => sha2::Sha384::digest(&c.message).to_vec(),
        CheckHash::Sha512 => sha2::Sha512::digest(&c.message).to_vec(),
    };
    match &c.key {
        CheckKey::Ec {
            curve: "P-256",
            point,
        } => {
            let (Ok(k), Ok(s)) = (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p256::ecdsa::Signature::from_slice(&c.signature),
            ) else {
                return false;
            };
            k.verify_prehash(&hashed, &s).is_ok()
        }
        CheckKey::Ec {
            curve: "P-384",
            point,
        } => {
            let (Ok(k), Ok(s)) = (
                p384::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p384::ecdsa::Signature::from_slice(&c.signature),
            ) else {
                return false;
            };
            k.verify_prehash(&hashed, &s).is_ok()
        }
        CheckKey::Ec { .. } => false,
        CheckKey::Rsa { spki } => {
            use rsa::pkcs8::DecodePublicKey;
            let Ok(k) = rsa::RsaPublicKey::from_public_key_der(spki) else {
                return false;
            };
            let scheme = match c.hash {
                CheckHash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                CheckHash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                CheckHash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                CheckHash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            k.verify(scheme, &hashed, &c.signature).is_ok()
        }
        CheckKey::RsaPss { spki, salt } => {
            use rsa::pkcs8::DecodePublicKey;
            let Ok(k) = rsa::RsaPublicKey::from_public_key_der(spki) else {
                return false;
            };
            let r = match c.hash {
                CheckHash::Sha1 => k.verify(
                    rsa::Pss::<sha1::Sha1>::new_with_salt(*salt),
                    &hashed,
                    &c.signature,
                ),
                CheckHash::Sha256 => k.verify(
                    rsa::Pss::<sha2::Sha256>::new_with_salt(*salt),
                    &hashed,
                    &c.signature,
                ),
                CheckHash::Sha384 => k.verify(
                    rsa::Pss::<sha2::Sha384>::new_with_salt(*salt),
                    &hashed,
                    &c.signature,
                ),
                CheckHash::Sha512 => k.verify(
                    rsa::Pss::<sha2::Sha512>::new_with_salt(*salt),
                    &hashed,
                    &c.signature,
                ),
            };
            r.is_ok()
        }
    }
}

thread_local! {
    /// The signature checks announced during the current step ([`announced`]).
    static ANNOUNCED: std::cell::RefCell<Vec<mmhs::trust::SignatureCheck>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// [`mmhs::trust::SignatureChecks::announcing`]'s announcement, noted.
fn announced(c: &mmhs::trust::SignatureCheck) {
    ANNOUNCED.with(|a| a.borrow_mut().push(c.clone()));
}

/// The report of [`mmhs::verify::verify_message_step`] with signature values answered by
/// `answer` between rounds (as `verifyAsync` answers them with WebCrypto), or the error code;
/// also the number of values asked. Every step announces exactly the requests it returns,
/// in their order, each once ([`announced`]: `verifyAsync` begins them as announced).
fn stepped(
    raw: &[u8],
    ctx: &VerifyContext,
    answer: &dyn Fn(&mmhs::trust::SignatureCheck) -> bool,
) -> (serde_json::Value, usize) {
    use mmhs::error::Coded;
    use mmhs::verify::{verify_message_step, VerifyStep, MAX_DECRYPT_ROUNDS};
    let mut asked = 0;
    for _ in 0..MAX_DECRYPT_ROUNDS {
        ANNOUNCED.with(|a| a.borrow_mut().clear());
        let step = verify_message_step(raw, ctx);
        let announced = ANNOUNCED.with(|a| std::mem::take(&mut *a.borrow_mut()));
        match step {
            Err(e) => return (serde_json::json!({ "error": e.code() }), asked),
            Ok(VerifyStep::Done(v)) => {
                assert!(
                    announced.is_empty(),
                    "a step without requests announced some"
                );
                return (serde_json::to_value(&v.report).unwrap(), asked);
            }
            Ok(VerifyStep::Decrypt(_) | VerifyStep::DecryptContent(_)) => {
                panic!("no key is held outside the core here")
            }
            Ok(VerifyStep::Check(round)) => {
                assert_eq!(
                    round.requests(),
                    &announced[..],
                    "the step's requests as announced"
                );
                asked += round.requests().len();
                let answers: Vec<Option<bool>> =
                    round.requests().iter().map(|c| Some(answer(c))).collect();
                if let Some(v) = round.finish(ctx, &answers, None) {
                    return (serde_json::to_value(&v.report).unwrap(), asked);
                }
            }
        }
    }
    let v = mmhs::verify::verify_message(raw, ctx).unwrap();
    (serde_json::to_value(&v.report).unwrap(), asked)
}

/// Every message of every set verified with its signature values checked by a provider
/// (`verifyAsync`'s seam) gives the report of `verify`: with an honest provider, with one
/// that answers every value "does not verify" (the core then verifies each in Rust), and
/// with the answers of the whole group kept (an answer for one message's signature is never
/// taken for another's, so the forged messages of `attacks` stay what they are).
#[test]
fn reports_with_a_signature_provider_are_the_reports_of_verify() {
    let mut delegated = 0;
    for set in SETS {
        let (dir, corpus) = corpus(set);
        for group in &corpus.groups {
            let mut ctx = group.context(&dir);
            let shared = mmhs::trust::SignatureChecks::announcing(announced);
            for eml in group.messages(&dir) {
                let raw = std::fs::read(&eml).unwrap();
                let expected = report(&raw, &ctx);
                let name = eml.display();
                for (what, answer) in [
                    ("honest", &provider as &dyn Fn(&_) -> bool),
                    ("refusing", &|_: &_| false),
                ] {
                    ctx.signature_checks =
                        Some(mmhs::trust::SignatureChecks::announcing(announced));
                    let (got, asked) = stepped(&raw, &ctx, answer);
                    assert_eq!(got, expected, "{name}: {what} provider");
                    delegated += asked;
                }
                ctx.signature_checks = Some(shared.clone());
                let (got, _) = stepped(&raw, &ctx, &provider);
                assert_eq!(got, expected, "{name}: the group's answers kept");
                ctx.signature_checks = Some(shared.clone());
                let (got, _) = stepped(&raw, &ctx, &|_: &_| false);
                assert_eq!(got, expected, "{name}: the group's answers, then refusals");
            }
        }
    }
    assert!(
        delegated > 50,
        "only {delegated} signature values went to the provider"
    );
}

/// The report of [`mmhs::verify::verify_message_step_with_digests`] as `verifyAsync` runs
/// it: the digests of the signed content are expected before the walk (SubtleCrypto hashes
/// while the core walks) and answered by `hash` after it, signature values by `provider`;
/// also the number of digest claims the walks made.
fn stepped_with_digests(
    raw: &[u8],
    ctx: &VerifyContext,
    hash: fn(&mmhs::smime::DigestRequest<'_>) -> Option<Vec<u8>>,
) -> (serde_json::Value, usize) {
    use mmhs::error::Coded;
    use mmhs::verify::{
        digest_ranges, verify_message_step_with_digests, DigestAnswers, VerifyStep,
        MAX_DECRYPT_ROUNDS,
    };
    let mut digests = DigestAnswers::new(raw);
    let ranges = digest_ranges(raw);
    for r in &ranges {
        digests.expect(r.clone());
    }
    let mut claims = 0;
    let mut settled = false;
    for _ in 0..MAX_DECRYPT_ROUNDS {
        let step = verify_message_step_with_digests(raw, ctx, Some(&digests));
        if !settled {
            for r in &ranges {
                if let Some(d) = r.request(raw).and_then(|q| hash(&q)) {
                    digests.add(r.clone(), d);
                }
            }
            digests.settle();
            settled = true;
        }
        match step {
            Err(e) => return (serde_json::json!({ "error": e.code() }), claims),
            Ok(VerifyStep::Done(v)) => return (serde_json::to_value(&v.report).unwrap(), claims),
            Ok(VerifyStep::Decrypt(_) | VerifyStep::DecryptContent(_)) => {
                panic!("no key is held outside the core here")
            }
            Ok(VerifyStep::Check(round)) => {
                claims += round.digest_claims().len();
                let answers: Vec<Option<bool>> =
                    round.requests().iter().map(|c| Some(provider(c))).collect();
                if let Some(v) = round.finish(ctx, &answers, Some(&digests)) {
                    return (serde_json::to_value(&v.report).unwrap(), claims);
                }
            }
        }
    }
    let v = mmhs::verify::verify_message_with_digests(raw, ctx, Some(&digests)).unwrap();
    (serde_json::to_value(&v.report).unwrap(), claims)
}

/// Every message of every set, its content digests taken from the signed messageDigest
/// attributes while the provider hashes (`verifyAsync`), gives the report of `verify`: with
/// an honest provider, and with one that never answers (the core then hashes) — a walk that
/// took a claim never stands unconfirmed, so the forged and altered messages of `attacks`
/// stay what they are, and a message whose content does not match its messageDigest is
/// reported as such.
#[test]
fn reports_with_digests_taken_before_the_provider_answers_are_the_reports_of_verify() {
    let mut claimed = 0;
    let mut messages = 0;
    for set in SETS {
        let (dir, corpus) = corpus(set);
        for group in &corpus.groups {
            let mut ctx = group.context(&dir);
            for eml in group.messages(&dir) {
                let raw = std::fs::read(&eml).unwrap();
                ctx.signature_checks = None;
                let expected = report(&raw, &ctx);
                let name = eml.display();
                fn honest(q: &mmhs::smime::DigestRequest<'_>) -> Option<Vec<u8>> {
                    Some(q.answer_with_rust())
                }
                fn silent(_: &mmhs::smime::DigestRequest<'_>) -> Option<Vec<u8>> {
                    None
                }
                type Hash = fn(&mmhs::smime::DigestRequest<'_>) -> Option<Vec<u8>>;
                for (what, hash) in [("honest", honest as Hash), ("silent", silent)] {
                    ctx.signature_checks = Some(mmhs::trust::SignatureChecks::default());
                    let (got, n) = stepped_with_digests(&raw, &ctx, hash);
                    assert_eq!(got, expected, "{name}: {what} digest provider");
                    if what == "honest" {
                        claimed += n;
                        messages += usize::from(n > 0);
                    }
                }
            }
        }
    }
    assert!(
        messages > 20 && claimed >= messages,
        "only {messages} messages ({claimed} digests) were walked before their digests"
    );
}

/// A walk that took a content digest from the messageDigest attribute is discarded when
/// the provider's digest differs — a message whose content was altered after signing —,
/// when the provider gives none, and when a claim is confirmed by nobody; it is never a
/// result outside the round, and outside a recording step an expected digest is computed.
#[test]
fn a_digest_claim_stands_only_when_the_provider_confirms_it() {
    use mmhs::verify::{
        digest_ranges, verify_message_step_with_digests, verify_message_with_digests,
        DigestAnswers, VerifyStep,
    };
    let (dir, corpus) = corpus("attacks");
    let mut tampered = 0;
    for group in &corpus.groups {
        let ctx = group.context(&dir);
        for eml in group.messages(&dir) {
            let raw = std::fs::read(&eml).unwrap();
            let ranges = digest_ranges(&raw);
            if ranges.is_empty() {
                continue;
            }
            let mut digests = DigestAnswers::new(&raw);
            for r in &ranges {
                digests.expect(r.clone());
            }
            // Outside a recording step an expected digest is computed: the report of
            // `verify` (the content is hashed by the core).
            assert_eq!(
                serde_json::to_value(
                    &verify_message_with_digests(&raw, &ctx, Some(&digests))
                        .unwrap()
                        .report
                )
                .unwrap(),
                report(&raw, &ctx),
                "{}",
                eml.display()
            );
            let Ok(VerifyStep::Check(round)) =
                verify_message_step_with_digests(&raw, &ctx, Some(&digests))
            else {
                continue;
            };
            if round.digest_claims().is_empty() {
                continue;
            }
            let truth: Vec<_> = ranges
                .iter()
                .map(|r| (r.clone(), r.request(&raw).unwrap().answer_with_rust()))
                .collect();
            let matches = round
                .digest_claims()
                .iter()
                .all(|c| truth.iter().any(|(r, d)| *r == c.range && *d == c.digest));
            let answers = vec![Some(true); round.requests().len()];
            if !matches {
                tampered += 1;
                let mut answered = digests.clone();
                for (r, d) in &truth {
                    answered.add(r.clone(), d.clone());
                }
                let unanswered = digests.clone();
                let round_again = || match verify_message_step_with_digests(
                    &raw,
                    &ctx,
                    Some(&digests),
                )
                .unwrap()
                {
                    VerifyStep::Check(r) => r,
                    _ => panic!("the step took the digests again"),
                };
                assert!(round_again()
                    .finish(&ctx, &answers, Some(&answered))
                    .is_none());
                assert!(round_again()
                    .finish(&ctx, &answers, Some(&unanswered))
                    .is_none());
                assert!(round_again().finish(&ctx, &answers, None).is_none());
                assert!(round.finish(&ctx, &answers, None).is_none());
            }
        }
    }
    assert!(tampered > 0, "no altered content among the attacks");
}

/// Outside a step, a value nobody answered is verified in Rust: a forged signature is never
/// taken as valid for want of an answer.
#[test]
fn unanswered_signature_values_are_verified_in_rust() {
    let (dir, corpus) = corpus("attacks");
    let mut checked = 0;
    for group in &corpus.groups {
        let mut ctx = group.context(&dir);
        for eml in group.messages(&dir) {
            let raw = std::fs::read(&eml).unwrap();
            let expected = report(&raw, &ctx);
            ctx.signature_checks = Some(mmhs::trust::SignatureChecks::default());
            assert_eq!(report(&raw, &ctx), expected, "{}", eml.display());
            // A recording step is never a result: its values are asked first.
            if let Ok(mmhs::verify::VerifyStep::Check(round)) =
                mmhs::verify::verify_message_step(&raw, &ctx)
            {
                assert!(!round.requests().is_empty());
                assert!(
                    round.finish(&ctx, &[], None).is_none(),
                    "no answers: not a result"
                );
                checked += 1;
            }
            ctx.signature_checks = None;
        }
    }
    assert!(checked > 10, "only {checked} messages asked for checks");
}

/// The SignerInfos' digest algorithms read ahead of the walk (`verify::digest_ranges`, with
/// `signed_parse::signer_digest_algorithms`, which decodes neither certificates nor signed
/// attributes) are the ones the full parse reads, for every SignedData of every set: the
/// signature part of a multipart/signed and an application/pkcs7-mime body.
#[test]
fn signer_digest_algorithms_read_ahead_are_those_of_the_full_parse() {
    use mmhs::mime::entity;
    use mmhs::smime::signed_parse::{
        parse_content_info, parse_signed_data, signer_digest_algorithms,
    };
    let mut compared = 0;
    for set in SETS {
        let (dir, corpus) = corpus(set);
        for group in &corpus.groups {
            for eml in group.messages(&dir) {
                let raw = std::fs::read(&eml).unwrap();
                let (header, body) = entity::split(&raw);
                let fields = entity::fields(header);
                let ct = entity::entity_media_type(&fields);
                let (part_fields, part_body) = match ct.param("boundary") {
                    Some(b) if ct.mime == "multipart/signed" => {
                        let Some(parts) = entity::multipart_parts(body, b) else {
                            continue;
                        };
                        let Some(sig) = parts.get(1) else { continue };
                        let (h, b) = entity::split(sig);
                        (entity::fields(h), b)
                    }
                    _ => (fields, body),
                };
                let cte = entity::field(&part_fields, "content-transfer-encoding")
                    .map(|f| f.value.to_string());
                let Ok(der) = entity::decode_transfer(part_body, cte.as_deref()) else {
                    continue;
                };
                let Ok(ci) = parse_content_info(&der) else {
                    continue;
                };
                let Ok(sd) = parse_signed_data(ci.content) else {
                    continue;
                };
                let full: Vec<_> = sd
                    .signer_infos
                    .iter()
                    .map(|si| si.digest_alg.clone())
                    .collect();
                let ahead = signer_digest_algorithms(ci.content, usize::MAX)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", eml.display()));
                assert_eq!(ahead, full, "{}", eml.display());
                assert_eq!(
                    signer_digest_algorithms(ci.content, 1).unwrap(),
                    full.iter().take(1).cloned().collect::<Vec<_>>()
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 30, "{compared} SignedData compared");
}
