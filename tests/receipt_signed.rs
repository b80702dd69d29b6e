//! Signed receipts (RFC 2634 §2; MMHS profile §4.1.7) end to end, on a throwaway PKI made by
//! the openssl CLI at test time (`support/pki.rs`):
//!
//! 1. alice asks for receipts (receiptRequest), the report shows the request, bob returns a
//!    signed receipt, alice verifies it against her sent message;
//! 2. interop both ways with the OpenSSL command line: `openssl cms -sign
//!    -receipt_request_to … -receipt_request_all` → we show the request and make a receipt that
//!    `openssl cms -verify_receipt` accepts; our original → `openssl cms -sign_receipt` makes a
//!    receipt we verify; `openssl cms -verify_receipt` accepts our receipt of our original;
//! 3. attacks, each refused with its code: a receipt for another message, a msgSigDigest over
//!    other attributes, another identifier, a signer not asked (receiptList, firstTier), a
//!    receipt requesting a receipt, a request on a domain signature, different requests on
//!    two SignerInfos; and no receipt at all for an unsigned, tampered, untrusted or
//!    unrequested message, for a receipt, or for a recipient the request does not name;
//! 4. compose: `sign.receiptRequest` on the inner signature of a triple-wrapped copy.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use mmhs::asn1::oid::{ID_CT_RECEIPT, ID_DATA};
use mmhs::mime::encode::base64_lines;
use mmhs::report::{ReceiptsFrom, VerifyReport};
use mmhs::rng::danger::SeededRng;
use mmhs::smime::key_operation::{
    decrypt_content_with_rust, decrypt_with_key, sign_with_key, DecryptRequest, SignRequest,
};
use mmhs::smime::receipt::{msg_sig_digest, msg_sig_digest_attribute, sign_receipt, Receipt};
use mmhs::smime::receipt_request::ReceiptRequest;
use mmhs::smime::signed_build::{assemble_signed_data, build_signer_info, signed_attributes};
use mmhs::smime::signed_parse::{parse_content_info, parse_signed_data};
use mmhs::smime::ContentDecryptRequest;
use mmhs::smime::EncryptOptions;
use mmhs::smime::{self, DigestAlg, ReceiptRequestOptions, SignOptions, SignatureType, Signer};
use mmhs::verify::{
    add_recipient_key, make_receipt, verify_message, ReceiptInProgress, ReceiptOptions,
    ReceiptStep, SignedReceipt, VerifyContext, MAX_DECRYPT_ROUNDS,
};
use support::attacks::{now, signature_der};
use support::pki::{ok, openssl, Alg, Imitation, Pki};
use zeroize::Zeroizing;

const ALICE: &str = "alice@army.example";
const BOB: &str = "bob@navy.example";
const CAROL: &str = "carol@army.example";
const MALLORY: &str = "mallory@army.example";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        Pki::new(
            "receipts",
            &[
                ("alice", ALICE, Alg::Rsa),
                ("bob", BOB, Alg::Ec),
                ("carol", CAROL, Alg::Rsa),
                ("mallory", MALLORY, Alg::Rsa),
            ],
        )
    })
}

/// An order from alice to bob and carol.
fn order(id: &str, text: &str) -> String {
    format!("From: Alice <{ALICE}>\r\nTo: {BOB}, {CAROL}\r\nSubject: Orders\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{id}@army.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{text}\r\n")
}

fn request(from: ReceiptsFrom) -> SignOptions {
    SignOptions {
        signing_time: Some(now()),
        receipt_request: Some(ReceiptRequestOptions {
            receipts_from: from,
            receipts_to: vec![ALICE.into()],
        }),
        ..SignOptions::default()
    }
}

/// `order(id)` signed by alice with a receipt request.
fn sent(id: &str, from: ReceiptsFrom, seed: u64) -> Vec<u8> {
    smime::sign_message(
        order(id, "Proceed at dawn.").as_bytes(),
        &pki().signer("alice"),
        &request(from),
        &mut SeededRng::new(seed),
    )
    .unwrap()
}

fn ctx() -> VerifyContext {
    pki().verify_context(now())
}

fn ctx_with(original: &[u8]) -> VerifyContext {
    VerifyContext {
        original: Some(original.to_vec()),
        ..ctx()
    }
}

/// The receipts' Date and signingTime: one instant for the whole test run, so that two
/// receipts made in one test compare equal whatever second each was made in.
fn receipt_opts() -> ReceiptOptions {
    static DATE: OnceLock<time::OffsetDateTime> = OnceLock::new();
    ReceiptOptions {
        date: *DATE.get_or_init(now),
        message_id: "rct-1@navy.example".into(),
        include_certs: true,
        use_ski: false,
    }
}

fn receipt_by(who: &str, original: &[u8]) -> Result<Vec<u8>, mmhs::smime::Error> {
    make_receipt(
        original,
        &ctx(),
        &pki().signer(who),
        &receipt_opts(),
        &mut SeededRng::new(9),
    )
    .map(|r| r.message)
}

fn verify(message: &[u8], ctx: &VerifyContext) -> VerifyReport {
    verify_message(message, ctx).unwrap().report
}

fn codes(r: &VerifyReport) -> Vec<&str> {
    r.problems.iter().map(|p| p.code.as_str()).collect()
}

fn refused(r: Result<Vec<u8>, mmhs::smime::Error>, code: &str) {
    match r {
        Ok(_) => panic!("a receipt was made, expected refusal {code}"),
        Err(e) => assert_eq!(mmhs::error::Coded::code(&e), code, "{e}"),
    }
}

/// The original SignerInfo's signature value and signed attributes DER.
fn original_signer_info(original: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let der = signature_der(original);
    let ci = parse_content_info(&der).unwrap();
    let sd = parse_signed_data(ci.content).unwrap();
    let si = &sd.signer_infos[0];
    (si.signature.to_vec(), si.signed_attrs_der.clone().unwrap())
}

/// A receipt message around a ContentInfo, From the given address.
fn receipt_message(from: &str, ci: &[u8]) -> Vec<u8> {
    let mut m = format!("From: {from}\r\nTo: {ALICE}\r\nSubject: Signed receipt\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-receipt; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\n\r\n").into_bytes();
    m.extend_from_slice(&base64_lines(ci));
    m
}

/// A receipt built by hand by `who` (the attacker's tool: any Receipt, any msgSigDigest).
fn forged(who: &str, receipt: &Receipt, msd: &[u8]) -> Vec<u8> {
    let ci = sign_receipt(
        receipt,
        msd,
        &pki().signer(who),
        &SignOptions {
            signing_time: Some(now()),
            ..SignOptions::default()
        },
        &mut SeededRng::new(5),
    )
    .unwrap();
    receipt_message(&format!("{who}@{}", domain(who)), &ci)
}

fn domain(who: &str) -> &'static str {
    if who == "bob" {
        "navy.example"
    } else {
        "army.example"
    }
}

fn identifier_of(original: &[u8]) -> Vec<u8> {
    let r = verify(original, &ctx());
    let hex = r.receipt_request.expect("a request").identifier;
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// The Receipt and msgSigDigest an honest recipient computes for `original` (SHA-256).
fn honest_receipt(original: &[u8]) -> (Receipt, Vec<u8>) {
    let (sig, attrs) = original_signer_info(original);
    let receipt = Receipt {
        content_type: ID_DATA,
        signed_content_identifier: identifier_of(original),
        originator_signature_value: sig,
    };
    (receipt, msg_sig_digest(DigestAlg::Sha256, &attrs))
}

#[test]
fn request_is_shown_and_a_receipt_verifies_against_the_original() {
    let original = sent("o1", ReceiptsFrom::All, 1);
    let r = verify(&original, &ctx());
    assert!(r.valid, "{:?}", r.problems);
    let req = r.receipt_request.as_ref().expect("receiptRequest");
    assert_eq!(req.identifier.len(), 64);
    assert_eq!(req.receipts_from, ReceiptsFrom::All);
    assert_eq!(req.receipts_to, vec![vec![ALICE.to_string()]]);
    assert_eq!(req.signer, ALICE);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["receiptRequest"]["receiptsFrom"]["kind"], "all");

    let made = make_receipt(
        &original,
        &ctx(),
        &pki().signer("bob"),
        &receipt_opts(),
        &mut SeededRng::new(2),
    )
    .unwrap();
    assert_eq!(made.to, vec![ALICE.to_string()]);
    assert_eq!(made.identifier, req.identifier);
    let text = String::from_utf8_lossy(&made.message);
    assert!(text.contains("smime-type=signed-receipt"), "{text}");
    assert!(text.contains("In-Reply-To: <o1@army.example>"), "{text}");
    assert!(text.contains(&format!("From: {BOB}")), "{text}");

    let rr = verify(&made.message, &ctx_with(&original));
    assert!(rr.valid, "{:?}", rr.problems);
    let receipt = rr.receipt.as_ref().expect("receipt");
    assert!(receipt.verified && receipt.original_checked);
    assert_eq!(receipt.identifier, req.identifier);
    assert_eq!(receipt.from, vec![BOB.to_string()]);
    assert_eq!(receipt.content_type, ID_DATA.to_string());
    assert!(rr.receipt_request.is_none());
    let json = serde_json::to_value(&rr).unwrap();
    assert_eq!(json["receipt"]["verified"], true);

    // Without the original: a receipt of nothing in particular.
    let alone = verify(&made.message, &ctx());
    assert!(!alone.valid);
    assert_eq!(codes(&alone), vec!["receipt-original-unknown"]);
    assert!(!alone.receipt.unwrap().verified);
    // No receipt for a receipt.
    refused(
        receipt_by("alice", &made.message),
        "receipt-refused-receipt",
    );
}

/// What a key holder answers to a decryption request.
type HolderAnswer = Result<Zeroizing<Vec<u8>>, smime::Error>;

/// A provider of content decryption: the plaintext of a content request.
type ContentProvider<'a> = &'a dyn Fn(&ContentDecryptRequest<'_>) -> Vec<u8>;

/// Drive [`ReceiptInProgress`] for bob's key held outside the core (what the wasm
/// `makeReceiptAsync` does with WebCrypto): `decrypt` and `sign` answer its requests, and
/// `contents`, when given, the content requests (the provider decrypts contents). Returns the
/// receipt (or refusal) and the number of decryption rounds (key and content).
fn receipt_held_elsewhere(
    original: &[u8],
    decrypt: &dyn Fn(&DecryptRequest) -> HolderAnswer,
    sign: &dyn Fn(&SignRequest) -> Vec<u8>,
    contents: Option<ContentProvider<'_>>,
) -> (Result<SignedReceipt, smime::Error>, usize) {
    let bob = pki().signer("bob");
    let mut r = ReceiptInProgress::begin(original, ctx(), &bob.cert, &bob.chain, receipt_opts());
    if contents.is_some() {
        r.provider_decrypts_content();
    }
    let mut rounds = 0;
    loop {
        match r.step() {
            Err(e) => return (Err(e), rounds),
            Ok(ReceiptStep::Decrypt(asked)) => {
                rounds += 1;
                assert!(rounds < MAX_DECRYPT_ROUNDS, "the rounds are bounded");
                for (i, q) in asked {
                    assert_eq!(i, 0, "one held key");
                    let a = decrypt(&q);
                    r.answer(i, q, a);
                }
            }
            Ok(ReceiptStep::DecryptContent(asked)) => {
                rounds += 1;
                let answer =
                    contents.expect("content requests only when the provider decrypts them");
                for ask in asked {
                    let plain = answer(&ask.request());
                    r.answer_content(ask, (Ok(plain), Vec::new()));
                }
            }
            Ok(ReceiptStep::Sign(p)) => {
                let sig = sign(p.request());
                return (p.finish(&sig), rounds);
            }
        }
    }
}

/// A recipient key held outside the core: the holder opens the encrypted original and signs
/// the receipt, which is byte for byte the one `make_receipt` makes with the key itself
/// (ECDSA nonces per RFC 6979); a holder answering with the wrong key gets no receipt.
#[test]
fn a_key_held_elsewhere_returns_the_receipt_the_key_returns() {
    let bob = pki().signer("bob");
    let signed = sent("h1", ReceiptsFrom::All, 11);
    let enc = smime::encrypt_message(
        &signed,
        std::slice::from_ref(&bob.cert),
        &EncryptOptions::default(),
        &mut SeededRng::new(12),
    )
    .unwrap();
    let decrypt = |q: &DecryptRequest| decrypt_with_key(&bob.key, q);
    let sign = |q: &SignRequest| sign_with_key(&bob.key, q, &mut SeededRng::new(13)).unwrap();
    // A large original: its content decrypted by the provider in a round of its own.
    let large = smime::sign_message(
        order(
            "h2",
            &"Proceed at dawn by the northern road.\r\n".repeat(2000),
        )
        .as_bytes(),
        &pki().signer("alice"),
        &request(ReceiptsFrom::All),
        &mut SeededRng::new(15),
    )
    .unwrap();
    let large_enc = smime::encrypt_message(
        &large,
        std::slice::from_ref(&bob.cert),
        &EncryptOptions::gcm(),
        &mut SeededRng::new(16),
    )
    .unwrap();
    let rust_aes = |q: &ContentDecryptRequest<'_>| decrypt_content_with_rust(q).unwrap();
    let aes: Option<ContentProvider<'_>> = Some(&rust_aes);
    // (original, the signed message inside, rounds, content provider)
    for (original, inside, rounds, contents) in [
        (&signed, &signed, 0, None),
        (&enc, &signed, 1, None),
        (&enc, &signed, 1, aes),
        (&large_enc, &large, 1, None),
        (&large_enc, &large, 2, aes),
    ] {
        let mut with_key = ctx();
        add_recipient_key(&mut with_key, &bob);
        let sync = make_receipt(
            original,
            &with_key,
            &bob,
            &receipt_opts(),
            &mut SeededRng::new(2),
        )
        .unwrap();
        let (held, asked) = receipt_held_elsewhere(original, &decrypt, &sign, contents);
        assert_eq!(asked, rounds);
        let held = held.unwrap();
        assert_eq!(held, sync);
        let rr = verify(&held.message, &ctx_with(inside));
        assert!(rr.valid, "{:?}", rr.problems);
        assert!(rr.receipt.unwrap().verified);
    }
    // Without an answer the encrypted original does not verify: refused, never signed.
    let never = |_: &SignRequest| -> Vec<u8> { panic!("nothing may be signed") };
    let no_answer = |_: &DecryptRequest| Err(smime::Error::DecryptFailed("locked".into()));
    let (r, _) = receipt_held_elsewhere(&enc, &no_answer, &never, None);
    refused(r.map(|r| r.message), "receipt-refused-invalid");
    // A holder answering with garbage (another key's secret): the same refusal.
    let garbage = |_: &DecryptRequest| Ok(Zeroizing::new(vec![7u8; 32]));
    let (r, _) = receipt_held_elsewhere(&enc, &garbage, &never, None);
    refused(r.map(|r| r.message), "receipt-refused-invalid");
    // A message encrypted to another recipient asks bob's key nothing and is refused.
    let carols = smime::encrypt_message(
        &signed,
        &[pki().cert("carol")],
        &EncryptOptions::default(),
        &mut SeededRng::new(14),
    )
    .unwrap();
    let (r, asked) = receipt_held_elsewhere(&carols, &decrypt, &never, None);
    assert_eq!(asked, 0);
    refused(r.map(|r| r.message), "receipt-refused-invalid");
    // A message that asks for no receipt: refused before anything is signed.
    let plain = smime::sign_message(
        order("h2", "No receipt.").as_bytes(),
        &pki().signer("alice"),
        &SignOptions::default(),
        &mut SeededRng::new(15),
    )
    .unwrap();
    let (r, _) = receipt_held_elsewhere(&plain, &decrypt, &never, None);
    refused(r.map(|r| r.message), "receipt-refused-not-requested");
    // A signature by another key answering for bob's certificate never leaves the core.
    let mallory = pki().signer("mallory");
    let wrong_sign = |q: &SignRequest| {
        sign_with_key(&mallory.key, q, &mut SeededRng::new(16)).unwrap_or_default()
    };
    let (r, _) = receipt_held_elsewhere(&signed, &decrypt, &wrong_sign, None);
    refused(r.map(|r| r.message), "signer-key-invalid");
    let zeros = |_: &SignRequest| vec![0u8; 64];
    let (r, _) = receipt_held_elsewhere(&signed, &decrypt, &zeros, None);
    refused(r.map(|r| r.message), "signer-key-invalid");
}

#[test]
fn receipts_from_decides_who_returns_one() {
    // receiptList naming carol: carol may, bob may not.
    let listed = sent(
        "o2",
        ReceiptsFrom::List {
            recipients: vec![vec![CAROL.into()]],
        },
        3,
    );
    let r = verify(&listed, &ctx());
    assert!(r.valid, "{:?}", r.problems);
    let from_carol = receipt_by("carol", &listed).unwrap();
    assert!(verify(&from_carol, &ctx_with(&listed)).valid);
    refused(receipt_by("bob", &listed), "receipt-refused-not-listed");
    // firstTier: bob (a To recipient) may.
    let first = sent("o3", ReceiptsFrom::FirstTier, 4);
    let from_bob = receipt_by("bob", &first).unwrap();
    let rr = verify(&from_bob, &ctx_with(&first));
    assert!(rr.valid, "{:?}", rr.problems);
}

#[test]
fn no_receipt_for_unsigned_tampered_untrusted_or_unrequested_messages() {
    // Unsigned: a request cannot even be carried; the message does not verify.
    refused(
        receipt_by("bob", order("u1", "x").as_bytes()),
        "receipt-refused-invalid",
    );
    // Tampered content: the request is on a signature that no longer verifies.
    let original = sent("t1", ReceiptsFrom::All, 5);
    let tampered = String::from_utf8(original.clone())
        .unwrap()
        .replace("Proceed at dawn.", "Proceed at noon.");
    let r = verify(tampered.as_bytes(), &ctx());
    assert!(r.receipt_request.is_some() && !r.valid);
    refused(
        receipt_by("bob", tampered.as_bytes()),
        "receipt-refused-invalid",
    );
    // Signed by a self-made certificate carrying alice's address: untrusted.
    let impostor = pki().impostor("fake-alice", ALICE, Imitation::Nothing);
    let forged_original = smime::sign_message(
        order("t2", "Proceed at dawn.").as_bytes(),
        &impostor,
        &request(ReceiptsFrom::All),
        &mut SeededRng::new(6),
    )
    .unwrap();
    refused(
        receipt_by("bob", &forged_original),
        "receipt-refused-invalid",
    );
    // Signed, valid, no request.
    let plain = smime::sign_message(
        order("t3", "Proceed.").as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signing_time: Some(now()),
            ..SignOptions::default()
        },
        &mut SeededRng::new(7),
    )
    .unwrap();
    assert!(verify(&plain, &ctx()).valid);
    refused(receipt_by("bob", &plain), "receipt-refused-not-requested");
}

#[test]
fn a_receipt_for_another_message_is_refused() {
    let first = sent("a1", ReceiptsFrom::All, 11);
    let second = sent("a2", ReceiptsFrom::All, 12);
    let receipt = receipt_by("bob", &first).unwrap();
    assert!(verify(&receipt, &ctx_with(&first)).valid);
    let r = verify(&receipt, &ctx_with(&second));
    assert!(!r.valid);
    assert_eq!(codes(&r), vec!["receipt-not-for-original"]);
    assert!(!r.receipt.unwrap().verified);
}

#[test]
fn forged_receipt_fields_are_refused() {
    let original = sent("f1", ReceiptsFrom::All, 13);
    let (_, attrs) = original_signer_info(&original);
    let (good, msd) = honest_receipt(&original);
    // The honest construction verifies (the forging tool itself is sound).
    let honest = verify(&forged("bob", &good, &msd), &ctx_with(&original));
    assert!(honest.valid, "{:?}", honest.problems);
    // msgSigDigest over other attributes: acknowledges other content.
    let mut other_attrs = attrs.clone();
    let last = other_attrs.len() - 1;
    other_attrs[last] ^= 1;
    let r = verify(
        &forged(
            "bob",
            &good,
            &msg_sig_digest(DigestAlg::Sha256, &other_attrs),
        ),
        &ctx_with(&original),
    );
    assert_eq!(codes(&r), vec!["receipt-msg-sig-digest-mismatch"]);
    // Another identifier.
    let mut other_id = good.clone();
    other_id.signed_content_identifier[0] ^= 0xFF;
    let r = verify(&forged("bob", &other_id, &msd), &ctx_with(&original));
    assert_eq!(codes(&r), vec!["receipt-identifier-mismatch"]);
    // Another content type.
    let other_ct = Receipt {
        content_type: ID_CT_RECEIPT,
        ..good.clone()
    };
    let r = verify(&forged("bob", &other_ct, &msd), &ctx_with(&original));
    assert_eq!(codes(&r), vec!["receipt-content-type-mismatch"]);
}

#[test]
fn a_receipt_by_someone_not_asked_is_refused() {
    // receiptList names carol; bob signs a receipt anyway.
    let listed = sent(
        "s1",
        ReceiptsFrom::List {
            recipients: vec![vec![CAROL.into()]],
        },
        14,
    );
    let (receipt, msd) = honest_receipt(&listed);
    let r = verify(&forged("bob", &receipt, &msd), &ctx_with(&listed));
    assert_eq!(codes(&r), vec!["receipt-signer-not-requested"]);
    // firstTier: mallory is not a recipient of the original.
    let first = sent("s2", ReceiptsFrom::FirstTier, 15);
    let (receipt, msd) = honest_receipt(&first);
    let r = verify(&forged("mallory", &receipt, &msd), &ctx_with(&first));
    assert_eq!(codes(&r), vec!["receipt-signer-not-requested"]);
}

/// A SignedData of one or more SignerInfos, each by `signer` with the extra attributes given.
fn signed_with_attrs(
    content: &[u8],
    ct: const_oid::ObjectIdentifier,
    extra: &[Vec<Vec<u8>>],
) -> Vec<u8> {
    use der::Encode;
    let signer: Signer = pki().signer("alice");
    let opts = SignOptions {
        signing_time: Some(now()),
        ..SignOptions::default()
    };
    let digest = opts.digest.hash(content);
    let mut rng = SeededRng::new(17);
    let sis: Vec<Vec<u8>> = extra
        .iter()
        .map(|x| {
            let mut attrs = signed_attributes(&signer, &opts, ct, &digest).unwrap();
            attrs.extend(x.iter().cloned());
            build_signer_info(&signer, &opts, attrs, &mut rng).unwrap()
        })
        .collect();
    assemble_signed_data(
        if ct == ID_DATA { 1 } else { 3 },
        &[opts.digest.algorithm_identifier().to_der().unwrap()],
        ct,
        Some(content),
        &[signer.cert.to_der().unwrap()],
        &sis,
    )
    .unwrap()
}

fn opaque_message(ci: &[u8]) -> Vec<u8> {
    let mut m = format!("From: {ALICE}\r\nTo: {BOB}\r\nSubject: Orders\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\n\r\n").into_bytes();
    m.extend_from_slice(&base64_lines(ci));
    m
}

fn request_attr(seed: u64) -> Vec<u8> {
    ReceiptRequest::generate(
        ReceiptsFrom::All,
        &[ALICE.into()],
        &mut SeededRng::new(seed),
    )
    .unwrap()
    .attribute()
    .unwrap()
}

#[test]
fn requests_in_the_wrong_place_are_problems() {
    // Two SignerInfos asking differently (RFC 2634 §2.2.1).
    let entity = b"Content-Type: text/plain\r\n\r\nProceed.\r\n";
    let ci = signed_with_attrs(
        entity,
        ID_DATA,
        &[vec![request_attr(1)], vec![request_attr(2)]],
    );
    let r = verify(&opaque_message(&ci), &ctx());
    assert!(
        codes(&r).contains(&"receipt-request-inconsistent"),
        "{:?}",
        r.problems
    );
    refused(
        receipt_by("bob", &opaque_message(&ci)),
        "receipt-refused-invalid",
    );
    // The same request twice is fine.
    let ci = signed_with_attrs(
        entity,
        ID_DATA,
        &[vec![request_attr(1)], vec![request_attr(1)]],
    );
    let r = verify(&opaque_message(&ci), &ctx());
    assert!(r.valid, "{:?}", r.problems);
    // On a domain signature.
    let domain = smime::sign_message(
        order("w1", "x").as_bytes(),
        &pki().signer("alice"),
        &SignOptions {
            signature_type: vec![SignatureType::Domain],
            ..request(ReceiptsFrom::All)
        },
        &mut SeededRng::new(3),
    )
    .unwrap();
    let r = verify(&domain, &ctx());
    assert!(
        codes(&r).contains(&"receipt-request-misplaced"),
        "{:?}",
        r.problems
    );
    assert!(r.receipt_request.is_none());
    // A receipt that requests a receipt (RFC 2634 §2.2): built by hand.
    let original = sent("w2", ReceiptsFrom::All, 18);
    let (receipt, msd) = honest_receipt(&original);
    let msd = msg_sig_digest_attribute(&msd).unwrap();
    let ci = signed_with_attrs(
        &receipt.to_der().unwrap(),
        ID_CT_RECEIPT,
        &[vec![msd, request_attr(4)]],
    );
    let r = verify(&receipt_message(ALICE, &ci), &ctx_with(&original));
    assert!(
        codes(&r).contains(&"receipt-request-in-receipt"),
        "{:?}",
        r.problems
    );
    // A receipt without msgSigDigest.
    let ci = signed_with_attrs(&receipt.to_der().unwrap(), ID_CT_RECEIPT, &[vec![]]);
    let r = verify(&receipt_message(ALICE, &ci), &ctx_with(&original));
    assert!(
        codes(&r).contains(&"signed-attr-missing"),
        "{:?}",
        r.problems
    );
    // A Receipt that is not one.
    let ci = signed_with_attrs(b"\x30\x03\x02\x01\x01", ID_CT_RECEIPT, &[vec![]]);
    let r = verify(&receipt_message(ALICE, &ci), &ctx_with(&original));
    assert!(codes(&r).contains(&"receipt-malformed"), "{:?}", r.problems);
}

// ---- OpenSSL interop -------------------------------------------------------------------

fn write(name: &str, data: &[u8]) -> String {
    pki().write(name, data);
    name.to_string()
}

/// The ContentInfo DER of a receipt message (OpenSSL 3.0 reads `-rctform` PEM or DER only).
fn receipt_der(message: &[u8]) -> Vec<u8> {
    let (_, body) = mmhs::mime::entity::split(message);
    mmhs::mime::entity::decode_transfer(body, Some("base64")).unwrap()
}

/// `openssl cms -verify_receipt RECEIPT.der -in ORIGINAL.eml` (CA: the test root).
fn verify_receipt_with_openssl(receipt_der: &str, original: &str) -> std::process::Output {
    openssl(
        &pki().dir,
        &[
            "cms",
            "-verify_receipt",
            receipt_der,
            "-rctform",
            "DER",
            "-in",
            original,
            "-inform",
            "SMIME",
            "-CAfile",
            "ca.pem",
        ],
    )
}

/// Mail header fields around OpenSSL's S/MIME output (it writes only the MIME ones).
fn with_header(from: &str, to: &str, id: &str, smime: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Orders\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{id}@army.example>\r\n"
    )
    .into_bytes();
    m.extend_from_slice(smime);
    m
}

#[test]
fn openssl_request_we_answer_openssl_verifies_our_receipt() {
    let dir = &pki().dir;
    write(
        "body.txt",
        b"Content-Type: text/plain\r\n\r\nProceed at dawn.\r\n",
    );
    let out = ok(
        dir,
        &[
            "cms",
            "-sign",
            "-in",
            "body.txt",
            "-signer",
            "alice.pem",
            "-inkey",
            "alice.key",
            "-receipt_request_all",
            "-receipt_request_to",
            ALICE,
            "-md",
            "sha256",
        ],
    );
    let original = with_header(ALICE, BOB, "ossl1", &out);
    let r = verify(&original, &ctx());
    assert!(r.valid, "{:?}", r.problems);
    let req = r
        .receipt_request
        .as_ref()
        .expect("OpenSSL's receiptRequest");
    assert_eq!(req.receipts_from, ReceiptsFrom::All);
    assert_eq!(req.receipts_to, vec![vec![ALICE.to_string()]]);

    let receipt = receipt_by("bob", &original).unwrap();
    assert!(verify(&receipt, &ctx_with(&original)).valid);
    let orig_file = write("ossl-original.eml", &original);
    let rct_file = write("ours-receipt.der", &receipt_der(&receipt));
    let v = verify_receipt_with_openssl(&rct_file, &orig_file);
    assert!(
        v.status.success(),
        "openssl -verify_receipt refused our receipt: {}",
        String::from_utf8_lossy(&v.stderr)
    );
    // OpenSSL refuses our receipt against another original too (the check is real).
    let other = sent("ossl-other", ReceiptsFrom::All, 21);
    let other_file = write("ours-other.eml", &other);
    let v = verify_receipt_with_openssl(&rct_file, &other_file);
    assert!(!v.status.success());
}

#[test]
fn openssl_answers_our_request_and_we_verify_its_receipt() {
    let dir = &pki().dir;
    let original = sent("ours1", ReceiptsFrom::All, 22);
    let orig_file = write("ours-original.eml", &original);
    // OpenSSL reads our request.
    let out = openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-in",
            &orig_file,
            "-CAfile",
            "ca.pem",
            "-receipt_request_print",
            "-out",
            "/dev/null",
        ],
    );
    assert!(out.status.success());
    // OpenSSL prints the request on its error stream.
    let printed = String::from_utf8_lossy(&out.stderr);
    assert!(printed.contains("Receipts From: All"), "{printed}");
    assert!(printed.contains(ALICE), "{printed}");
    // OpenSSL signs a receipt as bob; we verify it against our original.
    let rct = ok(
        dir,
        &[
            "cms",
            "-sign_receipt",
            "-in",
            &orig_file,
            "-signer",
            "bob.pem",
            "-inkey",
            "bob.key",
            "-CAfile",
            "ca.pem",
        ],
    );
    assert!(String::from_utf8_lossy(&rct).contains("signed-receipt"));
    let receipt = with_header(BOB, ALICE, "ossl-rct", &rct);
    let r = verify(&receipt, &ctx_with(&original));
    assert!(r.valid, "{:?}", r.problems);
    let view = r.receipt.as_ref().unwrap();
    assert!(view.verified);
    assert_eq!(view.from, vec![BOB.to_string()]);
    assert_eq!(
        Some(view.identifier.clone()),
        verify(&original, &ctx())
            .receipt_request
            .map(|q| q.identifier)
    );
    // And against another original of ours: refused.
    let other = sent("ours2", ReceiptsFrom::All, 23);
    let r = verify(&receipt, &ctx_with(&other));
    assert_eq!(codes(&r), vec!["receipt-not-for-original"]);
    // OpenSSL accepts our own receipt of our own original.
    let ours = receipt_by("bob", &original).unwrap();
    let ours_file = write("ours-rct2.der", &receipt_der(&ours));
    let v = verify_receipt_with_openssl(&ours_file, &orig_file);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

// ---- compose ---------------------------------------------------------------------------

#[test]
fn compose_requests_receipts_on_the_inner_signature_of_a_triple_wrap() {
    use mmhs::compose::{compose, ComposeContext, ComposeRequest};
    let p = pki();
    let req = serde_json::json!({
        "from": ALICE,
        "to": [BOB],
        "primaryPrecedence": "flash",
        "subject": "Move at dawn",
        "body": "Proceed.\n",
        "sign": {
            "key": p.read("alice.key"), "certificate": p.read("alice.pem"), "tripleWrap": true,
            "receiptRequest": { "receiptsFrom": { "kind": "firstTier" }, "receiptsTo": [ALICE] },
        },
        "encrypt": { "certificates": [p.read("bob.pem")], "senderCertificate": p.read("alice.pem") },
    });
    let parsed = ComposeRequest::from_json(req.to_string().as_bytes()).unwrap();
    let copies = compose(
        &parsed,
        &ComposeContext::new(now()),
        &mut SeededRng::new(40),
    )
    .unwrap();
    let sent = copies[0].raw.clone();
    let key_of = |who: &str| {
        let s = p.signer(who);
        VerifyContext {
            decryption_keys: vec![(s.key, s.cert)],
            ..ctx()
        }
    };
    // bob reads it: one request (the outer signature carries none), valid.
    let r = verify(&sent, &key_of("bob"));
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.layers.len(), 3);
    let req = r.receipt_request.expect("receiptRequest");
    assert_eq!(req.receipts_from, ReceiptsFrom::FirstTier);
    assert_eq!(req.signer, ALICE);
    // bob answers; alice checks the receipt against her copy (encrypted to her too).
    let receipt = make_receipt(
        &sent,
        &key_of("bob"),
        &p.signer("bob"),
        &receipt_opts(),
        &mut SeededRng::new(41),
    )
    .unwrap();
    let alice = VerifyContext {
        original: Some(sent.clone()),
        ..key_of("alice")
    };
    let rr = verify(&receipt.message, &alice);
    assert!(rr.valid, "{:?}", rr.problems);
    assert_eq!(rr.receipt.unwrap().identifier, req.identifier);
    // A bad receiptsTo is refused at compose time.
    let bad = serde_json::json!({
        "from": ALICE, "to": [BOB], "primaryPrecedence": "flash", "body": "x",
        "sign": {
            "key": p.read("alice.key"), "certificate": p.read("alice.pem"),
            "receiptRequest": { "receiptsFrom": { "kind": "all" }, "receiptsTo": [] },
        },
    });
    let parsed = ComposeRequest::from_json(bad.to_string().as_bytes()).unwrap();
    let e = compose(
        &parsed,
        &ComposeContext::new(now()),
        &mut SeededRng::new(42),
    )
    .unwrap_err();
    assert_eq!(mmhs::error::Coded::code(&e), "sign-options-invalid");
}
