//! Draft & Release end to end (draft-melnikov-mmhs-authorizing-users §3, RFC 7912): a single officer; two officers in order; the step-2
//! short-cut; a forged MMHS-Authorizing-Users listing; an invalid originator signature; a
//! rejection with reason; RFC 7912 review-signature form. Released messages are checked by
//! OpenSSL (`cms -verify` of the originator signature) and the countersignature by an
//! independent parser (`openssl asn1parse` to locate it, `openssl dgst -verify` over its signed
//! attributes, and its messageDigest against a hash of the original signature value).

use crate::support;

use std::sync::OnceLock;

use mail_parser::MimeHeaders;

use mmhs::release::{
    self, Decision, NextHop, Outcome, ReleasePolicy, ReleaseRequest, ReleaseResult,
};
use mmhs::rng::danger::SeededRng;
use mmhs::smime::{self, SignOptions};
use support::pki::{ok, openssl, Alg, Pki};

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        Pki::new(
            "release",
            &[
                ("alice", "alice@army.example", Alg::Rsa),
                ("o1", "o1@army.example", Alg::Rsa),
                ("o2", "o2@army.example", Alg::Ec),
            ],
        )
    })
}

fn now() -> time::OffsetDateTime {
    // Certificates are issued at test time; verify a little later. One instant for the whole
    // run, so a release time written by one call and expected by another is the same second.
    static NOW: std::sync::OnceLock<time::OffsetDateTime> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| time::OffsetDateTime::now_utc() + time::Duration::hours(1))
}

const DRAFT: &str = "From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nCc: carol@navy.example\r\nSubject: Convoy movement\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <draft-1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMMHS-Copy-Precedence: 1 (routine)\r\nMMHS-Extended-Authorisation-Info: Mon, 23 Nov 2026 12:00:00 +0000\r\nMT-Priority: 4\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";

fn signed_draft() -> Vec<u8> {
    let opts = SignOptions {
        signing_time: Some(now()),
        ..SignOptions::default()
    };
    smime::sign_message(
        DRAFT.as_bytes(),
        &pki().signer("alice"),
        &opts,
        &mut SeededRng::new(7),
    )
    .unwrap()
}

fn policy(officers: &[&str]) -> ReleasePolicy {
    ReleasePolicy {
        officers: officers.iter().map(|s| s.to_string()).collect(),
        require_release: vec!["*@army.example".into()],
        ..ReleasePolicy::default()
    }
}

fn run(raw: &[u8], officer: &str, policy: &ReleasePolicy, decision: Decision) -> ReleaseResult {
    let ctx = pki().verify_context(now());
    let signer = pki().signer(officer);
    release::release(
        &ReleaseRequest {
            raw,
            officer: &signer,
            verify: &ctx,
            policy,
            decision,
            envelope: None,
            now: now(),
        },
        &mut SeededRng::new(11),
    )
    .unwrap()
}

fn statuses(raw: &[u8]) -> (bool, Vec<(String, String)>, Vec<String>) {
    let r = mmhs::verify::verify(raw, &pki().verify_context(now())).unwrap();
    (
        r.valid,
        r.authorizing_users
            .iter()
            .map(|a| (a.address.clone(), a.status.to_string()))
            .collect(),
        r.problems.iter().map(|p| p.code.clone()).collect(),
    )
}

fn pair(a: &str, s: &str) -> (String, String) {
    (a.to_string(), s.to_string())
}

#[test]
fn single_officer_release_verifies() {
    let draft = signed_draft();
    let r = run(
        &draft,
        "o1",
        &policy(&["o1@army.example"]),
        Decision::Approve,
    );
    assert_eq!(
        r.outcome,
        Outcome::Released,
        "{:?} {:?}",
        r.problems,
        r.findings
    );
    assert_eq!(r.next, Some(NextHop::Transfer));
    let env = r.envelope.as_ref().unwrap();
    let rcpts: Vec<&str> = env.rcpts.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(rcpts, vec!["bob@navy.example", "carol@navy.example"]);
    assert_eq!(env.mail_from, "alice@army.example");
    assert_eq!(
        mmhs::verify::listed_authorizing_users(&r.message),
        vec!["o1@army.example"]
    );
    let (valid, st, problems) = statuses(&r.message);
    assert_eq!(st, vec![pair("o1@army.example", "countersigned")]);
    assert!(valid, "{problems:?}");
}

#[test]
fn two_officers_in_order_and_shortcut() {
    let p = policy(&["o1@army.example", "o2@army.example"]);
    let r1 = run(&signed_draft(), "o1", &p, Decision::Approve);
    assert_eq!(r1.outcome, Outcome::Released);
    assert_eq!(r1.next, Some(NextHop::Officer));
    assert_eq!(
        r1.envelope.as_ref().unwrap().rcpts[0].address,
        "o2@army.example"
    );
    let r2 = run(&r1.message, "o2", &p, Decision::Approve);
    assert_eq!(r2.outcome, Outcome::Released, "{:?}", r2.problems);
    assert_eq!(r2.next, Some(NextHop::Transfer));
    assert_eq!(
        mmhs::verify::listed_authorizing_users(&r2.message),
        vec!["o1@army.example", "o2@army.example"]
    );
    let (valid, st, problems) = statuses(&r2.message);
    assert_eq!(
        st,
        vec![
            pair("o1@army.example", "countersigned"),
            pair("o2@army.example", "countersigned")
        ]
    );
    assert!(valid, "{problems:?}");
    // The originator's signature is still valid after two countersignatures.
    let rep = mmhs::verify::verify(&r2.message, &pki().verify_context(now())).unwrap();
    assert!(rep.signatures[0].valid && rep.signatures[0].trusted);
    assert_eq!(rep.signatures[0].countersignatures.len(), 2);

    // Step 2 short-cut: o1 processes it again — handed on unchanged.
    let again = run(&r2.message, "o1", &p, Decision::Approve);
    assert_eq!(again.outcome, Outcome::AlreadyReleased);
    assert_eq!(again.message, r2.message);
}

#[test]
fn forged_listing_is_flagged_and_stripped() {
    let draft = signed_draft();
    let forged = release::set_authorizing_users(&draft, &["o1@army.example".into()]).unwrap();
    let (valid, st, problems) = statuses(&forged);
    assert!(!valid);
    assert_eq!(st, vec![pair("o1@army.example", "notCountersigned")]);
    assert!(problems.contains(&"authorizing-user-not-countersigned".to_string()));
    // The gate diverts it.
    let rep = mmhs::verify::verify(&forged, &pki().verify_context(now())).unwrap();
    let d = release::release_gate(
        &forged,
        &policy(&["o1@army.example"]),
        &release::GateContext {
            report: &rep,
            submitter: Some("alice@army.example"),
            recipients: &[],
        },
    );
    assert_eq!(d.action, release::GateAction::ReleaseQueue);
    // o2 reviewing it strips the forged listing and lists only himself.
    let r = run(
        &forged,
        "o2",
        &policy(&["o2@army.example"]),
        Decision::Approve,
    );
    assert_eq!(r.stripped, vec!["o1@army.example"]);
    assert_eq!(
        mmhs::verify::listed_authorizing_users(&r.message),
        vec!["o2@army.example"]
    );
    let (valid, _, problems) = statuses(&r.message);
    assert!(valid, "{problems:?}");
}

#[test]
fn invalid_originator_is_refused() {
    let draft = signed_draft();
    let s = String::from_utf8(draft)
        .unwrap()
        .replace("moves at dawn", "moves at dusk");
    let r = run(
        s.as_bytes(),
        "o1",
        &policy(&["o1@army.example"]),
        Decision::Approve,
    );
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.problems[0].code, "release-originator-unverified");
    assert!(r.message.is_empty());
}

#[test]
fn rejection_with_reason_returns_a_notice() {
    let r = run(
        &signed_draft(),
        "o1",
        &policy(&["o1@army.example"]),
        Decision::Reject {
            reason: "Use IMMEDIATE, not FLASH, for convoy notices.".into(),
        },
    );
    assert_eq!(r.outcome, Outcome::Rejected);
    assert_eq!(r.next, Some(NextHop::Drafter));
    assert_eq!(
        r.envelope.as_ref().unwrap().rcpts[0].address,
        "alice@army.example"
    );
    let m = mail_parser::MessageParser::default()
        .parse(&r.message)
        .unwrap();
    assert_eq!(m.subject(), Some("Not released: Convoy movement"));
    assert!(m.body_text(0).unwrap().contains("Use IMMEDIATE, not FLASH"));
    assert!(String::from_utf8_lossy(&r.message).contains("Status: 5.7.1"));
}

#[test]
fn blocked_by_review() {
    let mut p = policy(&["o1@army.example"]);
    p.keywords = vec![serde_json::from_str(r#"{"pattern":"convoy","severity":"block"}"#).unwrap()];
    let r = run(&signed_draft(), "o1", &p, Decision::Approve);
    assert_eq!(r.outcome, Outcome::Blocked);
    assert_eq!(r.findings[0].code, "review-keyword");
}

#[test]
fn review_signature_form() {
    let mut p = policy(&["o1@army.example"]);
    p.form = release::AuthorizationForm::ReviewSignature;
    let r = run(&signed_draft(), "o1", &p, Decision::Approve);
    assert_eq!(r.outcome, Outcome::Released, "{:?}", r.problems);
    let rep = mmhs::verify::verify(&r.message, &pki().verify_context(now())).unwrap();
    assert_eq!(rep.authorizing_users[0].status, "countersigned");
    assert_eq!(
        rep.authorizing_users[0].form.as_deref(),
        Some("reviewSignature")
    );
    assert!(rep
        .signatures
        .iter()
        .any(|s| s.signature_type == "review" && s.valid));
    // The Sender and the release time are inside the review signature's content.
    assert!(rep.valid, "{:?}", rep.problems);
    assert_eq!(rep.sender, vec!["alice@army.example"]);
    assert_eq!(
        serde_json::to_value(&rep.mmhs).unwrap()["extendedAuthorisationInfo"].as_str(),
        Some(release_time_text().1.as_str())
    );
}

/// OpenSSL accepts the released message (originator signature), and an independent parser
/// confirms the countersignature.
#[test]
fn openssl_and_independent_countersignature_check() {
    let p = pki();
    let r = run(
        &signed_draft(),
        "o1",
        &policy(&["o1@army.example"]),
        Decision::Approve,
    );
    p.write("released.eml", &r.message);
    let out = openssl(
        &p.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "released.eml",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-out",
            "released.txt",
        ],
    );
    assert!(
        out.status.success(),
        "openssl cms -verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(p.read("released.txt").contains("The convoy moves at dawn."));

    // Extract the detached signature (DER) from the multipart/signed.
    let m = mail_parser::MessageParser::default()
        .parse(&r.message)
        .unwrap();
    let sig = m
        .parts
        .iter()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.subtype().is_some_and(|s| s.contains("pkcs7-signature")))
        })
        .expect("a pkcs7-signature part")
        .contents()
        .to_vec();
    p.write("sig.der", &sig);
    let dump = String::from_utf8(ok(
        &p.dir,
        &["asn1parse", "-inform", "DER", "-in", "sig.der"],
    ))
    .unwrap();
    let lines: Vec<Line> = dump.lines().filter_map(Line::parse).collect();
    // The countersignature attribute: OBJECT countersignature, then SET, then its SignerInfo.
    let cs_oid = lines
        .iter()
        .position(|l| l.text.contains("countersignature"))
        .expect("a countersignature attribute");
    let si = &lines[cs_oid + 2];
    assert!(
        si.text.contains("SEQUENCE"),
        "SignerInfo expected, got {}",
        si.text
    );
    let children: Vec<&Line> = lines[cs_oid + 3..]
        .iter()
        .take_while(|l| l.depth > si.depth)
        .filter(|l| l.depth == si.depth + 1)
        .collect();
    let attrs = children
        .iter()
        .find(|l| l.text.contains("cont [ 0 ]"))
        .expect("signed attributes");
    let sigval = children
        .iter()
        .rev()
        .find(|l| l.text.contains("OCTET STRING"))
        .expect("signature");
    // The originator's signature value: the OCTET STRING child of the outer SignerInfo just
    // before its unsigned attributes.
    let outer_si_depth = si.depth - 4; // SignerInfo > [1] > SEQUENCE attr > SET > SignerInfo
    let orig_sig = lines[..cs_oid]
        .iter()
        .rev()
        .find(|l| l.depth == outer_si_depth + 1 && l.text.contains("OCTET STRING"))
        .expect("originator signature value");

    let mut attrs_der = sig[attrs.offset..attrs.offset + attrs.hl + attrs.len].to_vec();
    attrs_der[0] = 0x31; // [0] IMPLICIT → SET OF for the signature input (RFC 5652 §5.4)
    p.write("cs_attrs.der", &attrs_der);
    p.write(
        "cs_sig.bin",
        &sig[sigval.offset + sigval.hl..sigval.offset + sigval.hl + sigval.len],
    );
    p.write(
        "orig_sig.bin",
        &sig[orig_sig.offset + orig_sig.hl..orig_sig.offset + orig_sig.hl + orig_sig.len],
    );
    let (ok_sig, out) = dgst_verify(&p.dir, "o1.pub", "cs_sig.bin", "cs_attrs.der");
    assert!(ok_sig, "openssl dgst -verify: {out}");
    // messageDigest = SHA-256 of the countersigned signature value (RFC 5652 §11.4).
    let digest = ok(&p.dir, &["dgst", "-sha256", "-binary", "orig_sig.bin"]);
    let adump = String::from_utf8(ok(
        &p.dir,
        &["asn1parse", "-inform", "DER", "-in", "cs_attrs.der"],
    ))
    .unwrap();
    let alines: Vec<Line> = adump.lines().filter_map(Line::parse).collect();
    let md = alines
        .iter()
        .position(|l| l.text.contains("messageDigest"))
        .expect("messageDigest");
    let val = alines[md + 2]
        .text
        .split("[HEX DUMP]:")
        .nth(1)
        .expect("hex dump")
        .trim()
        .to_string();
    let hex: String = digest.iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(val, hex);
    // And a tampered countersignature fails the same independent check.
    let mut bad = std::fs::read(p.dir.join("cs_attrs.der")).unwrap();
    let n = bad.len();
    bad[n - 1] ^= 1;
    p.write("cs_attrs_bad.der", &bad);
    let (ok_sig, out) = dgst_verify(&p.dir, "o1.pub", "cs_sig.bin", "cs_attrs_bad.der");
    assert!(!ok_sig, "a tampered countersignature verified: {out}");
}

/// `openssl dgst -sha256 -verify PUB -signature SIG DATA` in `dir`: (verified, its output).
fn dgst_verify(dir: &std::path::Path, public: &str, sig: &str, data: &str) -> (bool, String) {
    let v = openssl(
        dir,
        &[
            "dgst",
            "-sha256",
            "-verify",
            public,
            "-signature",
            sig,
            data,
        ],
    );
    let out = format!(
        "{} {}",
        String::from_utf8_lossy(&v.stdout),
        String::from_utf8_lossy(&v.stderr)
    );
    (out.contains("Verified OK"), out)
}

/// One line of `openssl asn1parse` output: `offset:d=depth hl=.. l=.. prim/cons: TEXT`.
struct Line {
    offset: usize,
    depth: usize,
    hl: usize,
    len: usize,
    text: String,
}

impl Line {
    fn parse(s: &str) -> Option<Line> {
        let (off, rest) = s.trim_start().split_once(':')?;
        let rest = rest.trim_start();
        let d = rest.strip_prefix("d=")?;
        let (depth, rest) = d.split_once(' ')?;
        let rest = rest.trim_start().strip_prefix("hl=")?;
        let (hl, rest) = rest.split_once(' ')?;
        let rest = rest.trim_start().strip_prefix("l=")?;
        let rest = rest.trim_start();
        let (len, text) = rest.split_once(' ')?;
        Some(Line {
            offset: off.trim().parse().ok()?,
            depth: depth.parse().ok()?,
            hl: hl.parse().ok()?,
            len: len.trim().parse().ok()?,
            text: text.to_string(),
        })
    }
}

/// RFC 7912 §3.3.1/§3.3.2: an encrypted draft is triple-wrapped (sign, encrypt to the
/// recipients, the officer and the drafter, sign) and the officer authorises the OUTER
/// signature; a draft whose outermost layer is encryption cannot be authorised.
#[test]
fn triple_wrapped_draft_is_released_on_its_outer_signature() {
    let p = pki();
    let (alice, o1, o2) = (p.signer("alice"), p.signer("o1"), p.signer("o2"));
    let opts = SignOptions {
        signing_time: Some(now()),
        ..SignOptions::default()
    };
    let inner =
        smime::sign_message(DRAFT.as_bytes(), &alice, &opts, &mut SeededRng::new(1)).unwrap();
    // o2 stands in for the addressee here: any certificate of the recipient side will do.
    let to = [o2.cert.clone(), o1.cert.clone(), alice.cert.clone()];
    let enc =
        smime::encrypt_message(&inner, &to, &Default::default(), &mut SeededRng::new(2)).unwrap();
    let outer = smime::sign_message(&enc, &alice, &opts, &mut SeededRng::new(3)).unwrap();

    let mut officer_ctx = p.verify_context(now());
    officer_ctx
        .decryption_keys
        .push((o1.key.clone(), o1.cert.clone()));
    let pol = policy(&["o1@army.example"]);
    let release_as_o1 = |raw: &[u8], seed: u64| {
        let req = ReleaseRequest {
            raw,
            officer: &o1,
            verify: &officer_ctx,
            policy: &pol,
            decision: Decision::Approve,
            envelope: None,
            now: now(),
        };
        release::release(&req, &mut SeededRng::new(seed)).unwrap()
    };
    let r = release_as_o1(&outer, 4);
    assert_eq!(r.outcome, Outcome::Released, "{:?}", r.problems);
    // The officer reviewed the decrypted content.
    assert_eq!(
        r.report.layers,
        vec!["signed", "enveloped", "signed"],
        "{:?}",
        r.report.problems
    );

    // The addressee decrypts and sees both originator signatures and the officer's
    // countersignature on the outer one.
    let mut rctx = p.verify_context(now());
    rctx.decryption_keys.push((o2.key.clone(), o2.cert.clone()));
    let rep = mmhs::verify::verify(&r.message, &rctx).unwrap();
    assert_eq!(rep.layers, vec!["signed", "enveloped", "signed"]);
    assert!(rep.valid, "{:?}", rep.problems);
    assert_eq!(rep.signatures.len(), 2);
    assert!(rep.signatures.iter().all(|s| s.valid && s.trusted));
    let statuses: Vec<(String, String)> = rep
        .authorizing_users
        .iter()
        .map(|a| (a.address.clone(), a.status.to_string()))
        .collect();
    assert_eq!(statuses, vec![pair("o1@army.example", "countersigned")]);

    // Signed then encrypted (no outer signature): refused in step 1.
    let r = release_as_o1(&enc, 5);
    assert_eq!(r.outcome, Outcome::Refused);
    assert!(r
        .problems
        .iter()
        .any(|p| p.code == "release-originator-unverified"));
}

/// The release time as the release writes it: UTC, whole seconds.
fn release_time_text() -> (String, String) {
    let t = release::release_time(now()).unwrap();
    (
        mmhs::fields::date_time::DateTime(t).to_string(),
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
    )
}

fn field(raw: &[u8], name: &str) -> Vec<String> {
    let hs = mmhs::mime::HeaderSection::parse(raw).unwrap();
    hs.get_all(name)
        .map(|f| f.unfolded().trim().to_string())
        .collect()
}

fn wrapped_draft() -> Vec<u8> {
    let wrapped = mmhs::protect::wrap(DRAFT.as_bytes()).unwrap();
    smime::sign_message(
        &wrapped,
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..SignOptions::default()
        },
        &mut SeededRng::new(7),
    )
    .unwrap()
}

#[test]
fn release_writes_the_sender_and_the_time_of_release() {
    let (eai, eai_rfc3339) = release_time_text();
    for (what, draft) in [("signed", signed_draft()), ("wrapped", wrapped_draft())] {
        let r = run(
            &draft,
            "o1",
            &policy(&["o1@army.example"]),
            Decision::Approve,
        );
        assert_eq!(r.outcome, Outcome::Released, "{what}: {:?}", r.problems);
        // Profile §3.4.3: Sender (the originator, whom step 1 verified) with
        // MMHS-Authorizing-Users; §3.5.5 / RFC 6477 §3.2: the time of release, not of drafting.
        assert_eq!(
            field(&r.message, "Sender"),
            vec!["alice@army.example"],
            "{what}"
        );
        assert_eq!(
            field(&r.message, "From"),
            vec!["Alice <alice@army.example>"],
            "{what}"
        );
        assert_eq!(
            field(&r.message, "MMHS-Extended-Authorisation-Info"),
            vec![eai.clone()],
            "{what}"
        );
        assert_ne!(eai, "Mon, 23 Nov 2026 12:00:00 +0000");
        let rep = mmhs::verify::verify(&r.message, &pki().verify_context(now())).unwrap();
        assert!(rep.valid, "{what}: {:?}", rep.problems);
        assert_eq!(rep.sender, vec!["alice@army.example"], "{what}");
        assert_eq!(
            serde_json::to_value(&rep.mmhs).unwrap()["extendedAuthorisationInfo"].as_str(),
            Some(eai_rfc3339.as_str()),
            "{what}: the reader shows the release time"
        );
        // The countersignature's signingTime is that time: what binds the outer value.
        assert_eq!(
            rep.signatures[0].countersignatures[0]
                .signing_time
                .as_deref(),
            Some(eai_rfc3339.as_str())
        );
        // MIXER (§5.1): Sender → originator; From + the field → authorizing-users.
        let x400 = release::to_x400(&release::InternetHeading {
            from: vec!["alice@army.example".into()],
            sender: rep.sender.first().cloned(),
            authorizing_users: Some(mmhs::verify::listed_authorizing_users(&r.message)),
        });
        assert_eq!(
            x400.heading.originator.as_deref(),
            Some("alice@army.example")
        );
        assert!(x400
            .heading
            .authorizing_users
            .contains(&"o1@army.example".to_string()));
    }
    // A second officer overwrites the time with his own; the verifier binds the latest.
    let p = policy(&["o1@army.example", "o2@army.example"]);
    let r1 = run(&wrapped_draft(), "o1", &p, Decision::Approve);
    let r2 = run(&r1.message, "o2", &p, Decision::Approve);
    assert_eq!(field(&r2.message, "Sender"), vec!["alice@army.example"]);
    assert_eq!(
        field(&r2.message, "MMHS-Extended-Authorisation-Info").len(),
        1
    );
    let rep = mmhs::verify::verify(&r2.message, &pki().verify_context(now())).unwrap();
    assert!(rep.valid, "{:?}", rep.problems);
    let notes: Vec<&str> = rep.notes.iter().map(|n| n.code.as_str()).collect();
    for n in [
        "authorizing-users-outer-only",
        "sender-outer-only",
        "release-time-outer",
    ] {
        assert!(notes.contains(&n), "{n}: {notes:?}");
    }
    for f in [
        "Sender",
        "MMHS-Extended-Authorisation-Info",
        "MMHS-Authorizing-Users",
    ] {
        assert!(
            rep.field_coverage
                .iter()
                .any(|c| c.field.eq_ignore_ascii_case(f) && c.covered),
            "{f}: {:?}",
            rep.field_coverage
        );
    }
}

/// The released fields live outside the drafter's signature: whoever handles the message
/// could rewrite them. Each rewrite is refused by the verifier.
#[test]
fn a_rewritten_sender_or_release_time_is_refused() {
    let released = run(
        &wrapped_draft(),
        "o1",
        &policy(&["o1@army.example"]),
        Decision::Approve,
    )
    .message;
    let text = String::from_utf8(released.clone()).unwrap();
    let (eai, _) = release_time_text();
    let attacks = [
        // The officer (or anybody on the path) names himself the originator.
        (
            "sender is the officer",
            text.replace("Sender: alice@army.example", "Sender: o1@army.example"),
        ),
        (
            "sender is a stranger",
            text.replace("Sender: alice@army.example", "Sender: mallory@army.example"),
        ),
        // A second Sender next to the bound one.
        (
            "two senders",
            text.replace(
                "Sender: alice@army.example\r\n",
                "Sender: alice@army.example\r\nSender: mallory@army.example\r\n",
            ),
        ),
        // The release time moved: earlier (before a deadline) or later.
        (
            "release time moved",
            text.replace(&eai, "Tue, 24 Nov 2026 12:00:00 +0000"),
        ),
        (
            "release time one second off",
            text.replace(
                &eai,
                &mmhs::fields::date_time::DateTime(
                    release::release_time(now()).unwrap() + time::Duration::seconds(1),
                )
                .to_string(),
            ),
        ),
    ];
    for (what, m) in attacks {
        assert_ne!(m, text, "{what}: the attack changed nothing");
        let rep = mmhs::verify::verify(m.as_bytes(), &pki().verify_context(now())).unwrap();
        assert!(!rep.valid, "{what}: accepted");
        let codes: Vec<&str> = rep.problems.iter().map(|p| p.code.as_str()).collect();
        assert!(
            codes.contains(&"hp-header-mismatch") || codes.contains(&"originator-field-duplicate"),
            "{what}: {codes:?}"
        );
    }
    // Without the officer's countersignature the same fields explain nothing: a Sender and a
    // release time written onto a draft by its drafter (or the path) stay mismatches.
    let unreleased =
        release::set_release_fields(&wrapped_draft(), "alice@army.example", now()).unwrap();
    let rep = mmhs::verify::verify(&unreleased, &pki().verify_context(now())).unwrap();
    assert!(!rep.valid);
    assert!(rep.notes.iter().all(|n| n.code != "sender-outer-only"));
    // Unwrapped: the outer Sender is what the signature is bound to.
    let plain = run(
        &signed_draft(),
        "o1",
        &policy(&["o1@army.example"]),
        Decision::Approve,
    )
    .message;
    let forged = String::from_utf8(plain)
        .unwrap()
        .replace("Sender: alice@army.example", "Sender: o1@army.example");
    let rep = mmhs::verify::verify(forged.as_bytes(), &pki().verify_context(now())).unwrap();
    assert!(!rep.valid);
    assert!(rep.signatures[0]
        .problems
        .iter()
        .any(|p| p.code == "signer-address-mismatch"));
}

/// Step 2 on an unverifiable MMHS-Authorizing-Users: draft-melnikov-mmhs-authorizing-users-00
/// strips it (countersignature form), RFC 7912 §3.3 bounces the message with the reason
/// (review-signature form).
#[test]
fn unverified_listing_is_stripped_by_the_draft_and_bounced_by_rfc_7912() {
    let forged =
        release::set_authorizing_users(&signed_draft(), &["o1@army.example".into()]).unwrap();
    // draft-melnikov-mmhs-authorizing-users-00 §3 step 2: stripped, then released.
    let seed = run(
        &forged,
        "o2",
        &policy(&["o2@army.example"]),
        Decision::Approve,
    );
    assert_eq!(seed.outcome, Outcome::Released, "{:?}", seed.problems);
    assert_eq!(seed.stripped, vec!["o1@army.example"]);
    // RFC 7912: bounced to the drafter with the reason; nothing released.
    let mut p = policy(&["o2@army.example"]);
    p.form = release::AuthorizationForm::ReviewSignature;
    for decision in [
        Decision::Approve,
        Decision::Reject {
            reason: "whatever".into(),
        },
    ] {
        let r = run(&forged, "o2", &p, decision);
        assert_eq!(r.outcome, Outcome::Bounced);
        assert_eq!(r.next, Some(NextHop::Drafter));
        assert_eq!(r.problems[0].code, "release-authorisation-unverified");
        assert!(r.problems[0].message.contains("o1@army.example"));
        assert_eq!(
            r.envelope.as_ref().unwrap().rcpts[0].address,
            "alice@army.example"
        );
        let text = String::from_utf8_lossy(&r.message);
        assert!(text.contains("Status: 5.7.1"), "{text}");
        assert!(text.contains("o1@army.example"), "{text}");
        assert!(text.contains("RFC 7912"), "{text}");
        // The notice is not the message: no authorisation was added.
        assert!(mmhs::verify::listed_authorizing_users(&r.message).is_empty());
    }
    // A review only reports.
    let r = run(&forged, "o2", &p, Decision::Review);
    assert_eq!(r.outcome, Outcome::Reviewed);
    // A valid listing is not bounced in RFC 7912 form.
    let ok = run(&signed_draft(), "o2", &p, Decision::Approve);
    assert_eq!(ok.outcome, Outcome::Released, "{:?}", ok.problems);
    assert!(ok.stripped.is_empty() && ok.problems.is_empty());
}

/// The envelope a release hands on is written as MAIL FROM / RCPT TO lines: an address that
/// would inject a command (CR LF, a second parameter after `>`) or a parameter out of range is
/// refused (`release-malformed`), never written.
#[test]
fn an_envelope_that_would_inject_a_command_is_refused() {
    use mmhs::coded::Coded;
    let draft = signed_draft();
    let ctx = pki().verify_context(now());
    let signer = pki().signer("o1");
    let pol = policy(&["o1@army.example"]);
    let good: mmhs::compose::Envelope = serde_json::from_value(serde_json::json!({
        "mailFrom": "alice@army.example",
        "rcpts": [{"address": "bob@navy.example"}],
    }))
    .unwrap();
    let release_with = |env: &mmhs::compose::Envelope| {
        release::release(
            &ReleaseRequest {
                raw: &draft,
                officer: &signer,
                verify: &ctx,
                policy: &pol,
                decision: Decision::Approve,
                envelope: Some(env),
                now: now(),
            },
            &mut SeededRng::new(11),
        )
    };
    let ok = release_with(&good).unwrap();
    assert_eq!(ok.outcome, Outcome::Released);
    let mut injected = good.clone();
    injected.mail_from = "alice@army.example>\r\nRCPT TO:<eve@evil.example".into();
    let mut bad_rcpt = good.clone();
    bad_rcpt.rcpts[0].address = "bob@navy.example> NOTIFY=SUCCESS".into();
    let mut priority = good.clone();
    priority.mail_params.mt_priority = Some(42);
    for env in [injected, bad_rcpt, priority] {
        let err = release_with(&env).unwrap_err();
        assert_eq!(err.code(), "release-malformed", "{env:?}: {err}");
    }
}
