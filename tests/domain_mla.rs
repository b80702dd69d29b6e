//! Mail List Agents (RFC 2634 §4) and domain signatures when MLAs are present
//! (draft-melnikov-smime-msa-to-mda-04 §5), on a throwaway PKI made by OpenSSL at test time
//! (`support/pki.rs`).
//!
//! Each of the seven examples of §5.1 is one test: the input message is built layer by layer
//! as the example writes it (S = signedData, E = envelopedData; S1 is alice's originator
//! signature, the other S are valid signatures that are not domain signatures, "All of the
//! signedData objects are valid and none of them are a domain signature"), the domain agent
//! of army.example (`smtp://army.example`, whose DCA key opens what was encrypted for the
//! domain) applies its domain signature, and the output's layers — outermost first, each
//! signed layer with its signature type and signer — are compared with the message the
//! example says is "sent out of the domain". Then the MLA: expansion of signed and
//! triple-wrapped messages, the history, loops, the limit, refusal of what does not verify.

use crate::support;

use std::sync::OnceLock;

use mmhs::domain::layers::{top_layer, TopLayer};
use mmhs::domain::OriginatorAuthentication;
use mmhs::domain_agent::{
    apply_domain_signature, expand, DomainAgent, DomainPolicy, MailListAgent,
};
use mmhs::error::Coded;
use mmhs::keys::PrivateKey;
use mmhs::rng::danger::SeededRng;
use mmhs::smime::ml_expansion::{
    EntityIdentifier, MlData, MlExpansionHistory, UB_ML_EXPANSION_HISTORY,
};
use mmhs::smime::{self, EncryptOptions, SignOptions, Signer};
use mmhs::verify::{VerifiedMessage, VerifyContext};
use support::pki::{Alg, Pki};
use x509_cert::Certificate;

const MESSAGE: &str = "From: Alice <alice@army.example>\r\nTo: staff@army.example, bob@navy.example\r\nSubject: Exercise orders\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nMessage-ID: <mla-1@army.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nOriginal Content: the exercise starts at dawn.\r\n";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let p = Pki::new(
            "domain-mla",
            &[
                ("alice", "alice@army.example", Alg::Rsa),
                ("bob", "bob@navy.example", Alg::Ec),
                ("carol", "carol@navy.example", Alg::Rsa),
            ],
        );
        // army.example's domain signing agent and its DCA (§2.6 names, encryption keyUsage).
        p.issue_san("army-mta", "URI:smtp://army.example", Alg::Ec, 6001);
        p.issue_san("army-dca", "URI:smtp://army.example", Alg::Rsa, 6002);
        p.issue_san("navy-dca", "URI:smtp://navy.example", Alg::Ec, 6003);
        // Two Mail List Agents of army.example (their certificates name the domain's agent,
        // so a member's verifier judges their signatures domain-style, §3.2).
        p.issue_san("army-mla", "URI:smtp://army.example", Alg::Rsa, 6004);
        p.issue_san("army-mla2", "URI:smtp://army.example", Alg::Ec, 6005);
        p
    })
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

fn opts() -> SignOptions {
    SignOptions {
        signing_time: Some(now()),
        ..SignOptions::default()
    }
}

fn signer(name: &str) -> Signer {
    pki().signer(name)
}

fn key(name: &str) -> (PrivateKey, Certificate) {
    let s = signer(name);
    (s.key, s.cert)
}

fn cert(name: &str) -> Certificate {
    pki().cert(name)
}

fn ctx(keys: &[&str]) -> VerifyContext {
    VerifyContext {
        decryption_keys: keys.iter().map(|k| key(k)).collect(),
        ..pki().verify_context(now())
    }
}

/// `S(raw)` by `who`.
fn s(raw: &[u8], who: &str, seed: u64) -> Vec<u8> {
    smime::sign_message(raw, &signer(who), &opts(), &mut SeededRng::new(seed)).unwrap()
}

/// `S(raw)` by `who` carrying an mlExpansionHistory (as an MLA's outer signature does).
fn s_ml(raw: &[u8], who: &str, history: &MlExpansionHistory, seed: u64) -> Vec<u8> {
    let o = SignOptions {
        extra_attributes: vec![history.to_attribute().unwrap()],
        ..opts()
    };
    smime::sign_message(raw, &signer(who), &o, &mut SeededRng::new(seed)).unwrap()
}

/// `E(raw)` for the certificates of `to`.
fn e(raw: &[u8], to: &[&str], seed: u64) -> Vec<u8> {
    let certs: Vec<Certificate> = to.iter().map(|n| cert(n)).collect();
    smime::encrypt_message(
        raw,
        &certs,
        &EncryptOptions::default(),
        &mut SeededRng::new(seed),
    )
    .unwrap()
}

fn s1() -> Vec<u8> {
    s(MESSAGE.as_bytes(), "alice", 1)
}

fn history_by(who: &str) -> MlExpansionHistory {
    MlExpansionHistory(vec![MlData {
        mail_list_identifier: EntityIdentifier::of(&cert(who), false).unwrap(),
        expansion_time: time::macros::datetime!(2026-12-04 11:00:00 UTC),
        ml_receipt_policy: None,
    }])
}

/// The layers of `raw` opened with `keys`, outermost first (`support::layers::shape`).
fn shape(raw: &[u8], keys: &[&str]) -> Vec<String> {
    support::layers::shape(raw, &ctx(keys), "Original Content: the exercise")
}

const DOMAIN: &str = "S[domain by smtp://army.example]";
const ALICE: &str = "S[originator by alice@army.example]";
/// The final signedData that carries the remembered attributes (S4 of example 4, S5 of
/// example 6): made by the domain agent, without a signatureType.
const CARRIER: &str = "S[originator by smtp://army.example]";

/// army.example's agent applies its domain signature (§5) with `policy`.
fn try_agent_sign(
    raw: &[u8],
    policy: &DomainPolicy,
    auth: OriginatorAuthentication,
) -> Result<mmhs::domain_agent::DomainSigned, mmhs::domain::Error> {
    let dca = key("army-dca");
    let agent = DomainAgent {
        signer: &signer("army-mta"),
        dca: Some(&dca),
    };
    let verified = VerifiedMessage::verify(raw, &ctx(&["army-dca"])).unwrap();
    apply_domain_signature(
        &verified,
        &agent,
        policy,
        auth,
        &opts(),
        &mut SeededRng::new(99),
    )
}

/// The same with the policy "encrypt (or not) for navy.example's DCA".
fn agent_sign(raw: &[u8], encrypt: bool) -> mmhs::domain_agent::DomainSigned {
    let policy = DomainPolicy {
        encrypt,
        recipients: vec![cert("navy-dca")],
        encrypt_options: EncryptOptions::default(),
    };
    try_agent_sign(raw, &policy, OriginatorAuthentication::Signature).unwrap()
}

/// The mlExpansionHistory of the outer signature of `raw`.
fn outer_history(raw: &[u8]) -> Option<MlExpansionHistory> {
    match top_layer(raw).unwrap() {
        TopLayer::Signed(s) => s.ml_history.unwrap(),
        _ => None,
    }
}

/// §5.1 example 1: "A message (S1 (Original Content)) (…) in which the signedData does not
/// include an mlExpansionHistory attribute is to have a 'domain signature' applied. (…) A new
/// signedData layer, S2, is created that contains a 'domain signature', resulting in the
/// following message sent out of the domain (S2 (S1 (Original Content)))."
#[test]
fn example_1_signed_message() {
    let out = agent_sign(&s1(), false);
    assert_eq!(shape(&out.message, &[]), [DOMAIN, ALICE]);
    assert_eq!(
        (out.stripped, out.decrypted, out.ml_layer),
        (0, false, false)
    );
}

/// §5.1 example 2: "A message (S3 (S2 (S1 (Original Content)))) in which none of the
/// signedData layers includes an mlExpansionHistory attribute (…) A new signedData layer, S4,
/// is created that contains a 'domain signature', resulting in (…) (S4 (S3 (S2 (S1 (Original
/// Content)))))."
#[test]
fn example_2_three_signatures() {
    let msg = s(&s(&s1(), "alice", 2), "alice", 3);
    let out = agent_sign(&msg, false);
    assert_eq!(
        shape(&out.message, &[]),
        [DOMAIN, ALICE, ALICE, ALICE],
        "nothing is stripped"
    );
}

/// §5.1 example 3: "A message (E1 (S1 (Original Content))) (…) The encryptedContent is
/// decrypted. The signedData, S1, is verified. The decrypted content is wrapped in a new
/// signedData layer, S2, which contains a 'domain signature'. If local policy requires the
/// message to be encrypted (…) (E2 (S2 (S1 (Original Content))))), else (…) (S2 (S1
/// (Original Content)))."
#[test]
fn example_3_encrypted_for_the_domain() {
    let msg = e(&s1(), &["army-dca", "bob"], 3);
    let out = agent_sign(&msg, true);
    assert!(out.decrypted && out.encrypted);
    assert_eq!(shape(&out.message, &["navy-dca"]), ["E", DOMAIN, ALICE]);
    let out = agent_sign(&msg, false);
    assert_eq!(shape(&out.message, &[]), [DOMAIN, ALICE]);
}

/// §5.1 example 4: "A message (S2 (E1 (S1 (Original Content)))) in which S2 includes a
/// mlExpansionHistory attribute (…) S2 is stripped off and the message is decrypted. (…) The
/// decrypted message is wrapped in a signedData layer, S3, which contains a 'domain
/// signature'. If local policy requires the message to be encrypted (…) E2. A new signedData
/// layer, S4, is then wrapped around the envelopedData, E2, resulting in (…) (S4 (E2 (S3 (S1
/// (Original Content))))). If local policy does not require (…) (S4 (S3 (S1 (Original
/// Content))). The signedData S4, in both cases, contains the signed attributes from S2."
///
/// S2 is made by our own MLA: it expands (E0 (S1)) for a list whose member is the domain's
/// DCA.
#[test]
fn example_4_expanded_by_a_list() {
    let e0 = e(&s1(), &["army-mla"], 4);
    let mla_key = key("army-mla");
    let expanded = expand(
        &VerifiedMessage::verify(&e0, &ctx(&["army-mla"])).unwrap(),
        &MailListAgent {
            signer: &signer("army-mla"),
            decryption: Some(&mla_key),
            use_ski: false,
            receipt_policy: None,
            history_limit: UB_ML_EXPANSION_HISTORY,
            domain_signature: None,
        },
        &members(vec![cert("army-dca")]),
        now(),
        &opts(),
        &mut SeededRng::new(5),
    )
    .unwrap();
    let s2_history = outer_history(&expanded.message).expect("S2 carries the history");
    assert_eq!(
        shape(&expanded.message, &["army-dca"]),
        ["S[originator by smtp://army.example]", "E", ALICE]
    );

    let out = agent_sign(&expanded.message, true);
    assert!(out.ml_layer && out.decrypted && out.encrypted);
    assert_eq!(
        shape(&out.message, &["navy-dca"]),
        [CARRIER, "E", DOMAIN, ALICE]
    );
    assert_eq!(outer_history(&out.message), Some(s2_history.clone()));

    let out = agent_sign(&expanded.message, false);
    assert_eq!(shape(&out.message, &[]), [CARRIER, DOMAIN, ALICE]);
    assert_eq!(outer_history(&out.message), Some(s2_history));
}

/// §5.1 example 5: "A message (S3 (S2 (E1 (S1 (Original Content))))) in which none of the
/// signedData layers include a mlExpansionHistory attribute (…) When the envelopedData E1 is
/// found the signedData objects S3 and S2 are stripped off. The encryptedContent is
/// decrypted. (…) wrapped in a new signedData layer, S4, which contains a 'domain signature'.
/// If local policy requires (…) (E2 (S4 (S1 (Original Content)))), else (…) (S4 (S1
/// (Original Content)))."
#[test]
fn example_5_signatures_over_an_encrypted_layer() {
    let msg = s(
        &s(&e(&s1(), &["army-dca", "bob"], 5), "alice", 6),
        "alice",
        7,
    );
    assert_eq!(shape(&msg, &["army-dca"]), [ALICE, ALICE, "E", ALICE]);
    let out = agent_sign(&msg, true);
    assert_eq!(out.stripped, 2, "S3 and S2 are stripped");
    assert_eq!(shape(&out.message, &["navy-dca"]), ["E", DOMAIN, ALICE]);
    let out = agent_sign(&msg, false);
    assert_eq!(shape(&out.message, &[]), [DOMAIN, ALICE]);
}

/// §5.1 example 6: "A message (S3 (S2 (E1 (S1 (Original Content))))) in which S3 includes a
/// mlExpansionHistory attribute (…) The signedData object S3 is stripped off. When the
/// envelopedData layer, E1, is found the signedData object S2 is stripped off. The
/// encryptedContent is decrypted. (…) a new signedData layer, S4, which contains a 'domain
/// signature'. If local policy requires (…) E2. A new signedData layer, S5, is then wrapped
/// around the envelopedData, E2, resulting in (…) (S5 (E2 (S4 (S1 (Original Content))))).
/// If local policy does not require (…) (S5 (S4 (S1 (Original Content)). The signedData
/// S5, in both cases, contains the signed attributes from S3."
#[test]
fn example_6_history_above_a_signature_over_an_encrypted_layer() {
    let history = history_by("army-mla2");
    let msg = s_ml(
        &s(&e(&s1(), &["army-dca", "bob"], 8), "alice", 9),
        "army-mla",
        &history,
        10,
    );
    let out = agent_sign(&msg, true);
    assert_eq!(out.stripped, 2, "S3 and S2 are stripped");
    assert_eq!(
        shape(&out.message, &["navy-dca"]),
        [CARRIER, "E", DOMAIN, ALICE]
    );
    assert_eq!(outer_history(&out.message), Some(history.clone()));
    let out = agent_sign(&msg, false);
    assert_eq!(shape(&out.message, &[]), [CARRIER, DOMAIN, ALICE]);
    assert_eq!(outer_history(&out.message), Some(history));
}

/// §5.1 example 7: "A message (S3 (E2 (S2 (E1 (S1 (Original Content)))))) in which S3 does
/// not include a mlExpansionHistory attribute (…) When the envelopedData E2 is found the
/// signedData object S3 is stripped off. The encryptedContent is decrypted. The signedData
/// object S2 is verified, the envelopedData E1 is decrypted and the signedData object S1 is
/// verified. The signedData object S2 is wrapped in a new signedData layer S4, which contains
/// a 'domain signature'. Since there is an envelopedData E1 lower down in the message, the new
/// message is wrapped in an envelopedData layer, E3, resulting in (…) (E3 (S4 (S2 (E1 (S1
/// (Original Content))))))."
///
/// The local policy here does not require encryption: E3 is the §5 MUST.
#[test]
fn example_7_an_encrypted_layer_lower_down_forces_encryption() {
    let e1 = e(&s1(), &["army-dca", "bob"], 11);
    let msg = s(&e(&s(&e1, "alice", 12), &["army-dca"], 13), "alice", 14);
    let out = agent_sign(&msg, false);
    assert!(
        out.encrypted,
        "§5: MUST be encapsulated by an envelopedData"
    );
    // navy's DCA opens E3, bob opens E1 (the agent left it as it was).
    assert_eq!(
        shape(&out.message, &["navy-dca", "bob"]),
        ["E", DOMAIN, ALICE, "E", ALICE]
    );
    // Without recipient certificates the agent cannot honour the MUST: refused.
    let err = try_agent_sign(
        &msg,
        &DomainPolicy::default(),
        OriginatorAuthentication::Signature,
    )
    .unwrap_err();
    assert_eq!(err.code(), "no-recipient-certificate");
}

/// §5 "Locate the RecipientInfo for the local DCA": an envelopedData encrypted only for bob
/// cannot be opened by army's agent; it refuses rather than sign what it could not verify
/// (§3.3: "including those that have been encrypted").
#[test]
fn an_encrypted_layer_not_for_the_local_dca_is_refused() {
    let msg = e(&s1(), &["bob"], 16);
    let err = try_agent_sign(
        &msg,
        &DomainPolicy::default(),
        OriginatorAuthentication::External,
    )
    .unwrap_err();
    assert_eq!(err.code(), "domain-signature-refused", "{err}");
}

fn mla<'a>(who: &'a Signer, k: &'a (PrivateKey, Certificate), use_ski: bool) -> MailListAgent<'a> {
    MailListAgent {
        signer: who,
        decryption: Some(k),
        use_ski,
        receipt_policy: None,
        history_limit: UB_ML_EXPANSION_HISTORY,
        domain_signature: None,
    }
}

fn run_expand(
    raw: &[u8],
    who: &str,
    members: &[&str],
    use_ski: bool,
) -> Result<mmhs::domain_agent::Expansion, mmhs::domain::Error> {
    let s = signer(who);
    let k = key(who);
    let members: Vec<Certificate> = members.iter().map(|m| cert(m)).collect();
    expand(
        &VerifiedMessage::verify(raw, &ctx(&[who])).unwrap(),
        &mla(&s, &k, use_ski),
        &self::members(members),
        now(),
        &opts(),
        &mut SeededRng::new(20),
    )
}

/// The members' encryption certificates, encryption not required by their domain (only
/// encrypted content is re-encrypted).
fn members(recipients: Vec<Certificate>) -> DomainPolicy {
    DomainPolicy {
        recipients,
        ..DomainPolicy::default()
    }
}

/// RFC 2634 §4.2: a signed-only message is wrapped, not stripped: the originator's signature
/// stays; the MLA's new outer signature carries a history of one MLData naming it.
#[test]
fn mla_wraps_a_signed_message() {
    let out = run_expand(&s1(), "army-mla", &[], false).unwrap();
    assert_eq!(out.stripped, 0);
    assert!(!out.reencrypted);
    let h = outer_history(&out.message).unwrap();
    assert_eq!(h, out.history);
    assert_eq!(h.0.len(), 1);
    assert!(h.0[0].mail_list_identifier.names(&cert("army-mla")));
    assert_eq!(
        shape(&out.message, &[]),
        ["S[originator by smtp://army.example]", ALICE]
    );
    // A member's report shows who expanded the message and when.
    let r = mmhs::verify::verify(&out.message, &ctx(&[])).unwrap();
    let h = &r.signatures[0].ml_expansion_history;
    assert_eq!(h.len(), 1);
    assert!(h[0].mail_list_identifier.starts_with("issuer "), "{h:?}");
    assert_eq!(h[0].receipt_policy, None);
    assert!(r.notes.iter().any(|n| n.code == "ml-expanded"));
    assert!(r.signatures[1].ml_expansion_history.is_empty());
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["signatures"][0]["mlExpansionHistory"][0]["expansionTime"].is_string());
    assert!(json["signatures"][1].get("mlExpansionHistory").is_none());
}

/// RFC 2634 §4.2.3.1: a triple-wrapped message (S2 (E (S1))) encrypted for the list: the
/// outer S2 is stripped (its attributes remembered), E is opened with the MLA's key and its
/// content encrypted for the members; S1 is unchanged. bob reads it, the list key no longer
/// does.
#[test]
fn mla_reencrypts_a_triple_wrapped_message_for_the_members() {
    let msg = s(&e(&s1(), &["army-mla"], 21), "alice", 22);
    let out = run_expand(&msg, "army-mla", &["bob", "carol"], false).unwrap();
    assert_eq!((out.stripped, out.reencrypted), (1, true));
    assert_eq!(
        shape(&out.message, &["bob"]),
        ["S[originator by smtp://army.example]", "E", ALICE]
    );
    assert_eq!(shape(&out.message, &["carol"]).len(), 3);
    let r = mmhs::verify::verify(&out.message, &ctx(&["army-mla"])).unwrap();
    assert!(r.problems.iter().any(|p| p.code == "no-decryption-key"));
}

/// RFC 2634 §4.1: a second list appends its MLData after the first one's.
#[test]
fn a_second_list_appends_to_the_history() {
    let first = run_expand(&s1(), "army-mla", &[], true).unwrap();
    let second = run_expand(&first.message, "army-mla2", &[], false).unwrap();
    assert_eq!(
        second.stripped, 1,
        "the first list's outer signature is replaced"
    );
    let h = outer_history(&second.message).unwrap();
    assert_eq!(h.0.len(), 2);
    assert!(h.0[0].mail_list_identifier.names(&cert("army-mla")));
    assert!(h.0[1].mail_list_identifier.names(&cert("army-mla2")));
    assert_eq!(
        shape(&second.message, &[]),
        ["S[originator by smtp://army.example]", ALICE]
    );
}

/// RFC 2634 §4.1.1: a list that finds itself in the history discontinues expansion — also
/// when it recorded itself by subjectKeyIdentifier and now uses issuer and serial number,
/// and also through another list.
#[test]
fn expansion_loops_are_refused() {
    let first = run_expand(&s1(), "army-mla", &[], true).unwrap();
    let again = run_expand(&first.message, "army-mla", &[], false).unwrap_err();
    assert_eq!(again.code(), "ml-expansion-loop", "{again}");
    let via = run_expand(&first.message, "army-mla2", &[], false).unwrap();
    let back = run_expand(&via.message, "army-mla", &[], false).unwrap_err();
    assert_eq!(back.code(), "ml-expansion-loop");
}

/// RFC 2634 §4.4: ub-ml-expansion-history = 64 — a history that is full takes no 65th record.
#[test]
fn a_full_history_is_refused() {
    let one = history_by("army-mla2").0.remove(0);
    let full = MlExpansionHistory(vec![one; 64]);
    let msg = s_ml(&s1(), "army-mla2", &full, 23);
    let err = run_expand(&msg, "army-mla", &[], false).unwrap_err();
    assert_eq!(err.code(), "ml-history-limit", "{err}");
    let ok = MlExpansionHistory(full.0[..63].to_vec());
    let msg = s_ml(&s1(), "army-mla2", &ok, 24);
    assert_eq!(
        run_expand(&msg, "army-mla", &[], false)
            .unwrap()
            .history
            .0
            .len(),
        64
    );
}

/// A local expansion limit below ub-ml-expansion-history (RFC 2634 §4.4) refuses a history
/// that reached it; one above 64 is taken as 64, and 0 as 1.
#[test]
fn a_local_expansion_limit_is_applied() {
    let one = history_by("army-mla2").0.remove(0);
    let two = MlExpansionHistory(vec![one.clone(), one]);
    let msg = s_ml(&s1(), "army-mla2", &two, 27);
    let (s, k) = (signer("army-mla"), key("army-mla"));
    let run = |limit: usize| {
        let mut m = mla(&s, &k, false);
        m.history_limit = limit;
        expand(
            &VerifiedMessage::verify(&msg, &ctx(&["army-mla"])).unwrap(),
            &m,
            &DomainPolicy::default(),
            now(),
            &opts(),
            &mut SeededRng::new(28),
        )
    };
    assert_eq!(run(2).unwrap_err().code(), "ml-history-limit");
    assert_eq!(run(0).unwrap_err().code(), "ml-history-limit");
    assert_eq!(run(3).unwrap().history.0.len(), 3);
    assert_eq!(run(1000).unwrap().history.0.len(), 3);
}

/// RFC 2634 §4.2: the MLA verifies before it expands — a modified content, a signer that does
/// not chain, or an encrypted layer it cannot open are refused.
#[test]
fn what_does_not_verify_is_not_expanded() {
    let signed = String::from_utf8(s(MESSAGE.as_bytes(), "alice", 25)).unwrap();
    let tampered = signed.replace("starts at dawn", "starts at dusk");
    assert_ne!(tampered, signed);
    let err = run_expand(tampered.as_bytes(), "army-mla", &[], false).unwrap_err();
    assert_eq!(err.code(), "ml-expansion-refused", "{err}");
    let not_for_list = e(&s1(), &["bob"], 26);
    let err = run_expand(&not_for_list, "army-mla", &["carol"], false).unwrap_err();
    assert_eq!(err.code(), "ml-expansion-refused", "{err}");
}

/// RFC 2634 §4.2: the MLA's new outer signature "MUST include all signed attributes from the
/// original outer signedData": alice's outer signature over the envelopedData of her
/// triple-wrapped message carries an ESS security label; the MLA's signature carries it on.
#[test]
fn the_outer_signatures_attributes_are_carried_over() {
    let mut label = mmhs::fields::EssSecurityLabel::new("1.3.6.1.4.1.22112.1.1", Some(3));
    label.privacy_mark = Some("NATO CONFIDENTIAL".into());
    let labelled = SignOptions {
        security_label: Some(label),
        ..opts()
    };
    let outer = smime::sign_message(
        &e(&s1(), &["army-mla"], 27),
        &signer("alice"),
        &labelled,
        &mut SeededRng::new(28),
    )
    .unwrap();
    let out = run_expand(&outer, "army-mla", &["bob"], false).unwrap();
    let TopLayer::Signed(s) = top_layer(&out.message).unwrap() else {
        panic!("not signed")
    };
    let oids: Vec<String> = s.signers[0].iter().map(|a| a.oid.to_string()).collect();
    assert!(
        oids.contains(&"1.2.840.113549.1.9.16.2.2".to_string()),
        "eSSSecurityLabel carried: {oids:?}"
    );
    assert!(oids.contains(&"1.2.840.113549.1.9.16.2.3".to_string()));
    let r = mmhs::verify::verify(&out.message, &ctx(&["bob"])).unwrap();
    let mla_sig = r.signatures.iter().find(|x| x.layer == 0).unwrap();
    assert_eq!(
        mla_sig.security_label.as_ref().unwrap().classification,
        Some(3)
    );
}

/// RFC 4134 §4.10 (third-party: Bouncy Castle's extraction of the RFC's examples,
/// tests/vectors/rfc4134/PROVENANCE.md): a SignedData whose signed attributes carry an
/// mlExpansionHistory written by another implementation — one MLData, mailListIdentifier the
/// subjectKeyIdentifier '5738299', expansionTime 19990311104433Z, mlReceiptPolicy insteadOf
/// one GeneralNames of two directoryNames. Our reader decodes it; the §5 search takes its
/// layer as the "outer" signedData; the report shows the history; and a Mail List Agent does
/// not expand it under the default algorithm policy (SHA-1 and DSA: not valid, RFC 2634
/// §4.2 "verify before using").
#[test]
fn rfc4134_4_10_a_third_party_ml_expansion_history() {
    use base64::Engine as _;
    let der = include_bytes!("vectors/rfc4134/4.10.bin");
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let msg = format!(
        "From: AliceDSS@example.com\r\nTo: list@example.com\r\nSubject: RFC 4134 4.10\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        lines.join("\r\n")
    );
    let h = outer_history(msg.as_bytes()).expect("an mlExpansionHistory");
    assert_eq!(h.0.len(), 1);
    assert_eq!(
        h.0[0].mail_list_identifier,
        EntityIdentifier::SubjectKeyIdentifier(b"5738299".to_vec())
    );
    assert_eq!(
        h.0[0].expansion_time,
        time::macros::datetime!(1999-03-11 10:44:33 UTC)
    );
    match &h.0[0].ml_receipt_policy {
        Some(mmhs::smime::ml_expansion::MlReceiptPolicy::InsteadOf(names)) => {
            assert_eq!(names.len(), 1)
        }
        other => panic!("{other:?}"),
    }
    let search = mmhs::domain_agent::search_outer(msg.as_bytes()).unwrap();
    assert_eq!(search.ml_layer.map(|l| l.history), Some(h));
    assert!(!search.encrypted);
    // The report (legacy algorithms, to read the 1999 signature): the history is shown.
    let legacy = VerifyContext {
        algorithms: mmhs::algorithm_policy::AlgorithmPolicy::legacy(),
        ..VerifyContext::default()
    };
    let r = mmhs::verify::verify(msg.as_bytes(), &legacy).unwrap();
    let shown = &r.signatures[0].ml_expansion_history;
    assert_eq!(shown.len(), 1, "{:#?}", r.signatures);
    assert!(r.notes.iter().any(|n| n.code == "ml-expanded"));
    // Expansion under the default policy: refused, never re-signed.
    let err = run_expand(msg.as_bytes(), "army-mla", &[], false).unwrap_err();
    assert_eq!(err.code(), "ml-expansion-refused", "{err}");
}

/// RFC 2634 §4.2: a list's signature (no signatureType, its own mlExpansionHistory, a signed
/// layer under it) is the list's — made with a personal certificate of another domain
/// (bob@navy.example expanding alice's army.example message) it is bound neither to the
/// originator's address nor by the naming rule, and alice's signature inside is the
/// originator's. A history does not make a signature over nothing, or over another
/// person's signature, pass for the originator's.
#[test]
fn a_list_signature_is_the_lists_not_the_originators() {
    let listed = s_ml(&s1(), "bob", &history_by("bob"), 30);
    let r = mmhs::verify::verify(&listed, &ctx(&[])).unwrap();
    assert!(r.valid, "{:#?}", r.problems);
    assert_eq!(r.signatures[0].signer, "bob@navy.example");
    assert_eq!(
        (r.signatures[0].address_match, r.signatures[0].naming_ok),
        (None, None)
    );
    assert_eq!(r.signatures[1].address_match, Some(true));
    // Over the content alone: nothing under it, so it is the originator signature of §3.2,
    // and bob is not alice.
    let alone = s_ml(MESSAGE.as_bytes(), "bob", &history_by("bob"), 31);
    let r = mmhs::verify::verify(&alone, &ctx(&[])).unwrap();
    assert!(!r.valid);
    assert!(r.signatures[0]
        .problems
        .iter()
        .any(|p| p.code == "signer-address-mismatch"));
    // Over carol's signature on alice's From: carol's is still bound to alice's address.
    let carols = s(MESSAGE.as_bytes(), "carol", 32);
    let wrapped = s_ml(&carols, "bob", &history_by("bob"), 33);
    let r = mmhs::verify::verify(&wrapped, &ctx(&[])).unwrap();
    assert!(!r.valid);
    assert!(r.signatures[1]
        .problems
        .iter()
        .any(|p| p.code == "signer-address-mismatch"));
    // Only list signatures and no originator signature at all: not valid.
    let two = s_ml(&alone, "carol", &history_by("carol"), 34);
    let r = mmhs::verify::verify(&two, &ctx(&[])).unwrap();
    assert!(!r.valid);
}
