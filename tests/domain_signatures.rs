//! DOMSEC signature types and the naming convention (draft-melnikov-smime-msa-to-mda-04 §2.5,
//! §2.6, §3) end to end on a throwaway PKI made at test time (`support/pki.rs`): domain-agent
//! certificates carrying `smtp://` / `submit://` URIs and dNSNames, generation of each
//! signature type with its rules, the per-signature verdict on receipt (`namingOk`,
//! `agentDomain`, the signer shown as the agent name, `domainVerified`) and the attacks on it
//! — a rogue agent of another organisation, a descendant domain, an account URI, a Sender
//! added outside the signature, a parallel SignerInfo of another type, a domain signature
//! that encapsulates nothing.

use crate::support;

use std::sync::OnceLock;

use mmhs::domain::{
    domain_sign, empty_signature_layer, ready_for_domain_signature, sign_typed,
    OriginatorAuthentication,
};
use mmhs::error::Coded;
use mmhs::report::{SignatureReport, SignatureType, VerifyReport};
use mmhs::rng::danger::SeededRng;
use mmhs::smime::{self, SignOptions, Signer};
use support::pki::{Alg, Pki};

const MESSAGE: &str = "From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: Convoy movement\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <domsig-1@army.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let p = Pki::new("domain-sig", &[("alice", "alice@army.example", Alg::Rsa)]);
        p.issue_san(
            "army-mta",
            "URI:smtp://army.example,DNS:army.example",
            Alg::Ec,
            5001,
        );
        p.issue_san("army-msa", "URI:submit://army.example", Alg::Rsa, 5002);
        p.issue_san("evil-mta", "URI:smtp://evil.example", Alg::Ec, 5003);
        p.issue_san("hq-mta", "DNS:hq.army.example", Alg::Ec, 5004);
        p.issue_san("account", "URI:smtp://alice@army.example", Alg::Ec, 5005);
        p
    })
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

fn opts(types: &[SignatureType]) -> SignOptions {
    SignOptions {
        signing_time: Some(now()),
        signature_type: types.to_vec(),
        ..SignOptions::default()
    }
}

fn signer(name: &str) -> Signer {
    pki().signer(name)
}

fn verify(raw: &[u8]) -> VerifyReport {
    mmhs::verify::verify(raw, &pki().verify_context(now())).unwrap()
}

fn codes(r: &VerifyReport) -> Vec<&str> {
    r.problems.iter().map(|p| p.code.as_str()).collect()
}

/// alice's originator signature on [`MESSAGE`] (or `message`).
fn originator_signed(message: &str) -> Vec<u8> {
    smime::sign_message(
        message.as_bytes(),
        &signer("alice"),
        &opts(&[]),
        &mut SeededRng::new(1),
    )
    .unwrap()
}

fn domain_signed(raw: &[u8], agent: &str) -> Vec<u8> {
    domain_sign(raw, &signer(agent), &opts(&[]), &mut SeededRng::new(2)).unwrap()
}

/// A domain-type signature made without the generation checks: what a rogue agent sends.
fn forged(raw: &[u8], agent: &str, types: &[SignatureType]) -> Vec<u8> {
    smime::sign_message(raw, &signer(agent), &opts(types), &mut SeededRng::new(3)).unwrap()
}

fn sig(r: &VerifyReport, layer: usize) -> &SignatureReport {
    r.signatures
        .iter()
        .find(|s| s.layer == layer)
        .unwrap_or_else(|| panic!("no signature at layer {layer}: {r:#?}"))
}

/// §3.3 / §2.5 method 2: the domain signature is a new signed layer around the originator's;
/// §2.6: its certificate names smtp://army.example, the originator's domain.
#[test]
fn domain_signature_over_the_originator_signature() {
    let raw = domain_signed(&originator_signed(MESSAGE), "army-mta");
    let r = verify(&raw);
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(r.layers.len(), 2);
    let d = sig(&r, 0);
    assert_eq!(d.signature_type, "domain");
    assert_eq!(d.naming_ok, Some(true));
    assert_eq!(d.agent_domain.as_deref(), Some("army.example"));
    assert_eq!(d.signer, "smtp://army.example");
    assert_eq!(d.address_match, None);
    let o = sig(&r, 1);
    assert_eq!(o.signature_type, "originator");
    assert_eq!(o.address_match, Some(true));
    assert_eq!(o.naming_ok, None);
    assert!(r.domain_verified);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["domainVerified"], true);
    assert_eq!(v["signatures"][0]["namingOk"], true);
    assert_eq!(v["signatures"][0]["agentDomain"], "army.example");
    assert!(v["signatures"][1].get("namingOk").is_none());
}

/// §2.5 method 1 + §3.2 ("could be encapsulating an empty signature"): an unsigned message
/// gets an empty signature layer, then the domain signature; a message carrying only that
/// domain signature is domain-verified, not `no-originator-signature`.
#[test]
fn domain_signature_alone_is_domain_verified() {
    let raw = domain_signed(MESSAGE.as_bytes(), "army-mta");
    let r = verify(&raw);
    assert!(r.valid, "{:#?}", r.problems);
    assert!(r.domain_verified);
    assert_eq!(r.layers.len(), 2);
    assert_eq!(r.signatures.len(), 1);
    assert!(!codes(&r).contains(&"no-originator-signature"));
    assert!(r.notes.iter().any(|n| n.code == "empty-signature-layer"));
    // What is verified is the domain: the From outside the signed entity is not covered.
    let from = r
        .field_coverage
        .iter()
        .find(|f| f.field.eq_ignore_ascii_case("from"));
    assert_eq!(from.map(|f| f.covered), Some(false));
    // The empty layer alone is a layer, not an error; it signs nothing.
    let r = verify(&empty_signature_layer(MESSAGE.as_bytes()).unwrap());
    assert_eq!(codes(&r), vec!["not-signed"]);
    assert!(r.notes.iter().any(|n| n.code == "empty-signature-layer"));
}

/// §2.6: an agent certificate for evil.example on an army.example message MUST be flagged —
/// refused at generation, flagged on receipt when a rogue agent makes it anyway.
#[test]
fn rogue_domain_signature_is_flagged() {
    let inner = originator_signed(MESSAGE);
    let e = domain_sign(
        &inner,
        &signer("evil-mta"),
        &opts(&[]),
        &mut SeededRng::new(4),
    )
    .unwrap_err();
    assert_eq!(e.code(), "agent-naming-invalid");

    let r = verify(&forged(&inner, "evil-mta", &[SignatureType::Domain]));
    assert!(!r.valid);
    assert!(!r.domain_verified);
    let d = sig(&r, 0);
    assert_eq!(d.naming_ok, Some(false));
    assert_eq!(d.agent_domain.as_deref(), Some("evil.example"));
    assert_eq!(d.signer, "smtp://evil.example");
    assert!(
        codes(&r).contains(&"domain-naming-mismatch"),
        "{:?}",
        codes(&r)
    );

    // Alone (over an empty layer): flagged, and nothing authenticates the originator.
    let layered = empty_signature_layer(MESSAGE.as_bytes()).unwrap();
    let r = verify(&forged(&layered, "evil-mta", &[SignatureType::Domain]));
    assert!(!r.valid);
    assert!(!r.domain_verified);
    let c = codes(&r);
    assert!(c.contains(&"domain-naming-mismatch"), "{c:?}");
    assert!(c.contains(&"no-originator-signature"), "{c:?}");
}

/// §2.6 "does not match, or is not an ascendant of": a descendant (hq.army.example for
/// army.example) fails; an ascendant (army.example for hq.army.example) passes; dNSName works
/// like the URI.
#[test]
fn ascendants_pass_descendants_fail() {
    let r = verify(&forged(
        &originator_signed(MESSAGE),
        "hq-mta",
        &[SignatureType::Domain],
    ));
    assert!(codes(&r).contains(&"domain-naming-mismatch"));
    assert_eq!(sig(&r, 0).agent_domain.as_deref(), Some("hq.army.example"));
    assert_eq!(sig(&r, 0).signer, "hq.army.example");

    let hq = MESSAGE.replace("alice@army.example", "ops@hq.army.example");
    let r = verify(&domain_signed(hq.as_bytes(), "army-mta"));
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(sig(&r, 0).naming_ok, Some(true));
}

/// An smtp: URI with a user name designates an account (§6.1), not the agent of a domain.
#[test]
fn account_uri_names_no_agent() {
    let e = domain_sign(
        MESSAGE.as_bytes(),
        &signer("account"),
        &opts(&[]),
        &mut SeededRng::new(5),
    )
    .unwrap_err();
    assert_eq!(e.code(), "agent-naming-invalid");
    let layered = empty_signature_layer(MESSAGE.as_bytes()).unwrap();
    let r = verify(&forged(&layered, "account", &[SignatureType::Domain]));
    let d = sig(&r, 0);
    assert_eq!(d.naming_ok, Some(false));
    assert_eq!(d.agent_domain, None);
    assert!(codes(&r).contains(&"domain-naming-mismatch"));
}

/// The originator the rule compares with is the Sender, else the From: a Sender added outside
/// the signatures moves the originator to evil.example — the genuine army.example domain
/// signature then no longer matches and the message is flagged (fail closed), never
/// "domain-verified" for a domain its agent does not serve.
#[test]
fn a_sender_added_outside_is_not_trusted() {
    let raw = domain_signed(MESSAGE.as_bytes(), "army-mta");
    let mut tampered = b"Sender: mallory@evil.example\r\n".to_vec();
    tampered.extend_from_slice(&raw);
    let r = verify(&tampered);
    assert!(!r.valid);
    assert!(!r.domain_verified);
    assert_eq!(sig(&r, 0).naming_ok, Some(false));
    assert!(codes(&r).contains(&"domain-naming-mismatch"));
}

/// §3.7: a delegated originator signature by a correctly named MSA is valid, even with no
/// other signature; by another organisation's agent it is flagged and authenticates nobody.
#[test]
fn delegated_originator_signature() {
    let types = [SignatureType::DelegatedOriginator];
    let raw = sign_typed(
        MESSAGE.as_bytes(),
        &signer("army-msa"),
        &opts(&types),
        &mut SeededRng::new(6),
    )
    .unwrap();
    let r = verify(&raw);
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(
        r.layers.len(),
        1,
        "a delegated originator signature need not encapsulate"
    );
    let s = sig(&r, 0);
    assert_eq!(s.signature_type, "delegatedOriginator");
    assert_eq!(s.naming_ok, Some(true));
    assert_eq!(s.signer, "submit://army.example");

    let r = verify(&forged(MESSAGE.as_bytes(), "evil-mta", &types));
    assert!(!r.valid);
    let c = codes(&r);
    assert!(c.contains(&"domain-naming-mismatch"), "{c:?}");
    assert!(c.contains(&"no-originator-signature"), "{c:?}");
}

/// §3.4: an additional-attributes signature (here carrying an ESS security label) encapsulates
/// the originator's; §3.2: additionalAttributes stands alone.
#[test]
fn additional_attributes_signature() {
    let label: mmhs::fields::EssSecurityLabel = serde_json::from_value(serde_json::json!({
        "policy": "1.3.6.1.4.1.99999.1", "classification": 2
    }))
    .unwrap();
    let o = SignOptions {
        security_label: Some(label),
        ..opts(&[SignatureType::AdditionalAttributes])
    };
    let raw = sign_typed(
        &originator_signed(MESSAGE),
        &signer("army-mta"),
        &o,
        &mut SeededRng::new(7),
    )
    .unwrap();
    let r = verify(&raw);
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(r.layers.len(), 2);
    assert_eq!(sig(&r, 0).signature_type, "additionalAttributes");
    assert_eq!(sig(&r, 0).naming_ok, Some(true));
    assert!(sig(&r, 0).security_label.is_some());
    assert!(
        !r.domain_verified,
        "only a domain signature makes the message domain-verified"
    );

    let e = sign_typed(
        MESSAGE.as_bytes(),
        &signer("army-mta"),
        &opts(&[SignatureType::AdditionalAttributes, SignatureType::Domain]),
        &mut SeededRng::new(8),
    )
    .unwrap_err();
    assert_eq!(e.code(), "signature-type-invalid");
}

/// §3.2: "All signature types, except the originator and the delegated originator types, MUST
/// encapsulate other signatures" — a domain signature straight over the content is flagged.
#[test]
fn domain_signature_that_encapsulates_nothing() {
    let r = verify(&forged(
        MESSAGE.as_bytes(),
        "army-mta",
        &[SignatureType::Domain],
    ));
    assert!(!r.valid);
    assert!(codes(&r).contains(&"signature-type-not-encapsulating"));
}

/// §3.2: "If there is more than one SignerInfo in a signerInfos (…) the SignatureType
/// attribute in all the SignerInfos MUST contain the same content": a parallel domain
/// SignerInfo next to the originator's is flagged.
#[test]
fn parallel_signer_infos_of_different_types() {
    use mmhs::smime::signed_build::{assemble_signed_data, build_signer_info, signed_attributes};
    let (outer, entity) = smime::sign::split_entity(MESSAGE.as_bytes());
    let digest = smime::DigestAlg::Sha256;
    let id_data = const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    let mut rng = SeededRng::new(9);
    let mut infos = Vec::new();
    let mut certs = Vec::new();
    for (who, types) in [("alice", vec![]), ("army-mta", vec![SignatureType::Domain])] {
        let s = signer(who);
        let o = SignOptions {
            detached: false,
            ..opts(&types)
        };
        let attrs = signed_attributes(&s, &o, id_data, &digest.hash(&entity)).unwrap();
        infos.push(build_signer_info(&s, &o, attrs, &mut rng).unwrap());
        certs.push(der::Encode::to_der(&s.cert).unwrap());
    }
    let alg = der::Encode::to_der(&digest.algorithm_identifier()).unwrap();
    let cms = assemble_signed_data(1, &[alg], id_data, Some(&entity), &certs, &infos).unwrap();
    let mut raw = outer;
    raw.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    raw.extend_from_slice(&mmhs::mime::encode::base64_lines(&cms));
    let r = verify(&raw);
    assert!(!r.valid);
    assert!(
        codes(&r).contains(&"signature-type-inconsistent"),
        "{:?}",
        codes(&r)
    );
}

/// §3.3: "If the originator's authenticity is not successfully verified or all the signatures
/// present are not valid, a 'domain signature' MUST NOT be generated."
#[test]
fn preconditions_of_a_domain_signature() {
    let signed = originator_signed(MESSAGE);
    let r = verify(&signed);
    assert!(ready_for_domain_signature(&r, OriginatorAuthentication::Signature).is_ok());

    let tampered = String::from_utf8(signed)
        .unwrap()
        .replace("at dawn", "at noon");
    let r = verify(tampered.as_bytes());
    let e = ready_for_domain_signature(&r, OriginatorAuthentication::External).unwrap_err();
    assert_eq!(e.code(), "domain-signature-refused");

    let r = verify(MESSAGE.as_bytes());
    assert!(ready_for_domain_signature(&r, OriginatorAuthentication::Signature).is_err());
    assert!(ready_for_domain_signature(&r, OriginatorAuthentication::External).is_ok());

    // alice's signature under another From: not bound to the originator.
    let other = MESSAGE.replace("alice@army.example", "carol@army.example");
    let r = verify(&originator_signed(&other));
    assert!(ready_for_domain_signature(&r, OriginatorAuthentication::Signature).is_err());
}

/// A personal certificate (e-mail address, no agent name) cannot make a domain signature.
#[test]
fn personal_certificate_cannot_domain_sign() {
    let e = domain_sign(
        MESSAGE.as_bytes(),
        &signer("alice"),
        &opts(&[]),
        &mut SeededRng::new(10),
    )
    .unwrap_err();
    assert_eq!(e.code(), "agent-naming-invalid");
}

/// §2.5: "A reviewer then signs this encrypted data, which is then encapsulated by a domain
/// signature" — a domain signature around an encrypted (triple-wrap inner) message is a new
/// signed layer over the EnvelopedData; the recipient with the key reads every layer, one
/// without it is told which layer it cannot open.
#[test]
fn domain_signature_around_an_encrypted_message() {
    let encrypted = smime::encrypt_message(
        &originator_signed(MESSAGE),
        &[pki().cert("alice")],
        &smime::EncryptOptions::default(),
        &mut SeededRng::new(11),
    )
    .unwrap();
    let raw = domain_signed(&encrypted, "army-mta");
    let mut ctx = pki().verify_context(now());
    ctx.decryption_keys = vec![(
        mmhs::keys::PrivateKey::from_pem(&pki().read("alice.key")).unwrap(),
        pki().cert("alice"),
    )];
    let r = mmhs::verify::verify(&raw, &ctx).unwrap();
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(r.layers, vec!["signed", "enveloped", "signed"]);
    assert!(r.domain_verified);
    assert!(r.notes.iter().all(|n| n.code != "empty-signature-layer"));

    let r = verify(&raw);
    assert!(!r.valid);
    assert!(codes(&r).contains(&"no-decryption-key"));
    // The domain signature itself verifies and is correctly named; the layer it encapsulates
    // is one this reader cannot open, which is not a DOMSEC violation.
    assert_eq!(sig(&r, 0).naming_ok, Some(true));
    assert!(sig(&r, 0).valid && sig(&r, 0).trusted);
    assert!(!codes(&r).contains(&"signature-type-not-encapsulating"));
}

/// §3.5: "An entity generating a review signature MUST do so using a certificate that follows
/// the naming convention (…) On reception, a check MUST be made": an agent certificate is
/// checked like a domain signature's; a person's review signature (RFC 7912 §3.3, an
/// e-mail certificate) is judged by the authorizing-users rules and carries no `namingOk`.
#[test]
fn review_signatures_by_agents_follow_the_naming_rule() {
    let inner = originator_signed(MESSAGE);
    let review = [SignatureType::Review];
    let r = verify(
        &sign_typed(
            &inner,
            &signer("army-mta"),
            &opts(&review),
            &mut SeededRng::new(12),
        )
        .unwrap(),
    );
    assert_eq!(sig(&r, 0).signature_type, "review");
    assert_eq!(sig(&r, 0).naming_ok, Some(true));
    assert!(!codes(&r).contains(&"domain-naming-mismatch"));

    let e = sign_typed(
        &inner,
        &signer("evil-mta"),
        &opts(&review),
        &mut SeededRng::new(13),
    )
    .unwrap_err();
    assert_eq!(e.code(), "agent-naming-invalid");
    let r = verify(&forged(&inner, "evil-mta", &review));
    assert_eq!(sig(&r, 0).naming_ok, Some(false));
    assert!(codes(&r).contains(&"domain-naming-mismatch"));

    let r = verify(&forged(&inner, "alice", &review));
    assert_eq!(sig(&r, 0).naming_ok, None);
    assert!(!codes(&r).contains(&"domain-naming-mismatch"));
}

/// The third-party domain signatures of `tests/vectors/domain/` (OpenSSL's `cms -sign` and
/// Bouncy Castle's, around alice's OpenSSL-signed message; PROVENANCE.md there) verify with
/// the §2.6 naming verdict: "Any message received where the domain part of the domain
/// signing agent's name does not match, or is not an ascendant of, the originator's domain
/// name MUST be flagged to the user."
#[test]
fn third_party_domain_signature_vectors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/domain");
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let at = time::OffsetDateTime::parse(
        String::from_utf8(read("at.txt")).unwrap().trim(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ctx = mmhs::verify::VerifyContext {
        trust_anchors: mmhs::keys::certificates_from_der_or_pem(&read("ca.pem")).unwrap(),
        at: Some(at),
        ..Default::default()
    };
    // OpenSSL cannot add signatureType: its agent signature is judged domain-style (§3.2:
    // absent, over another signature, an agent certificate) — the naming rule applies, but
    // only a signature typed id-sti-domainSig makes the message `domainVerified` (§3.3).
    for (file, signature_type, naming_ok, domain_verified) in [
        ("openssl-army-sig.eml", "originator", true, false),
        ("openssl-evil-sig.eml", "originator", false, false),
        ("bc-army-sig.eml", "domain", true, true),
        ("bc-evil-sig.eml", "domain", false, false),
    ] {
        let r = mmhs::verify::verify(&read(file), &ctx).unwrap();
        assert_eq!(r.signatures.len(), 2, "{file}: {r:#?}");
        let (agent, alice) = (&r.signatures[0], &r.signatures[1]);
        assert_eq!(agent.signature_type.to_string(), signature_type, "{file}");
        assert!(agent.valid && agent.trusted, "{file}: {:?}", agent.problems);
        assert_eq!(agent.naming_ok, Some(naming_ok), "{file}");
        assert_eq!(alice.signer, "alice@army.example", "{file}");
        assert_eq!(alice.address_match, Some(true), "{file}");
        let flagged = r
            .problems
            .iter()
            .any(|p| p.code == "domain-naming-mismatch");
        assert_eq!(flagged, !naming_ok, "{file}: {:#?}", r.problems);
        assert_eq!(r.valid, naming_ok, "{file}: {:#?}", r.problems);
        assert_eq!(r.domain_verified, domain_verified, "{file}");
        assert_eq!(agent.address_match, None, "{file}: an agent, not a mailbox");
        if naming_ok {
            assert_eq!(agent.signer, "smtp://army.example", "{file}");
            assert_eq!(
                agent.agent_domain.as_deref(),
                Some("army.example"),
                "{file}"
            );
        }
    }
}
