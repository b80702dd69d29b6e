//! The crypto provider seam (src/smime/key_operation.rs): the step API driven by an external
//! provider — private-key code that is not the core's — gives what the sync functions give,
//! and the core refuses answers that do not fit (a signature by another key, a garbage
//! shared secret, a content key of the wrong size).
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use mmhs::error::Coded;
use mmhs::keys::PrivateKey;
use mmhs::rng::danger::SeededRng;
use mmhs::smime::key_operation::{
    ecdsa_der_from_fixed, DecryptRequest, RsaDecryption, SignatureScheme,
};
use mmhs::smime::{self, EncryptOptions, MessageDecryption, PendingSignedEntity, SignOptions};
use support::pki::{Alg, Pki};
use zeroize::Zeroizing;

const MSG: &[u8] = b"From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: seam\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <seam-1@army.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHold the bridge.\r\n";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        Pki::new(
            "key-operation",
            &[
                ("alice", "alice@army.example", Alg::Rsa),
                ("erin", "erin@army.example", Alg::Ec),
            ],
        )
    })
}

fn opts() -> SignOptions {
    SignOptions {
        signing_time: Some(time::macros::datetime!(2029-01-01 10:00 UTC)),
        ..SignOptions::default()
    }
}

fn rsa(key: &PrivateKey) -> &rsa::RsaPrivateKey {
    match key {
        PrivateKey::Rsa(k) => k,
        other => panic!("not RSA: {other:?}"),
    }
}

fn ec(key: &PrivateKey) -> &p256::SecretKey {
    match key {
        PrivateKey::EcP256(k) => k,
        other => panic!("not EC: {other:?}"),
    }
}

/// An external RSA PKCS#1 v1.5 signer: the `rsa` crate's own signing key type over the
/// octets, not the core's code.
fn external_rsa_sign(key: &rsa::RsaPrivateKey, data: &[u8]) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer};
    rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
        .sign(data)
        .to_vec()
}

fn valid(raw: &[u8]) -> bool {
    let p = pki();
    let ctx = p.verify_context(time::macros::datetime!(2029-01-02 00:00 UTC));
    let r = mmhs::verify::verify(raw, &ctx).unwrap();
    assert!(r.valid, "{:?}", r.problems);
    r.valid
}

#[test]
fn rsa_pkcs1_external_signer_is_byte_identical_to_the_sync_path() {
    let p = pki();
    let signer = p.signer("alice");
    for detached in [true, false] {
        let o = SignOptions { detached, ..opts() };
        let sync = smime::sign_message(MSG, &signer, &o, &mut SeededRng::new(7)).unwrap();
        let pending =
            PendingSignedEntity::begin_message(MSG, &signer.cert, &[], &o, &mut SeededRng::new(7))
                .unwrap();
        let req = pending.request();
        assert_eq!(req.scheme, SignatureScheme::RsaPkcs1v15);
        let sig = external_rsa_sign(rsa(&signer.key), &req.data);
        let stepped = pending.finish(&sig).unwrap();
        assert_eq!(stepped, sync, "detached={detached}");
        assert!(valid(&stepped));
    }
}

#[test]
fn ecdsa_external_signer_in_fixed_form_verifies() {
    let p = pki();
    let signer = p.signer("erin");
    let msg = String::from_utf8_lossy(MSG).replace("Alice <alice@", "Erin <erin@");
    let msg = msg.as_bytes();
    let pending =
        PendingSignedEntity::begin_message(msg, &signer.cert, &[], &opts(), &mut SeededRng::new(3))
            .unwrap();
    assert_eq!(pending.request().scheme, SignatureScheme::Ecdsa);
    // What WebCrypto returns: r || s (IEEE P1363).
    use p256::ecdsa::signature::Signer;
    let sk = p256::ecdsa::SigningKey::from(ec(&signer.key));
    let sig: p256::ecdsa::Signature = sk.sign(&pending.request().data);
    let der = ecdsa_der_from_fixed(&sig.to_bytes()).unwrap();
    let signed = pending.finish(&der).unwrap();
    assert!(valid(&signed));
    // The same through the sync path verifies too (ECDSA: compared by verification).
    assert!(valid(
        &smime::sign_message(msg, &signer, &opts(), &mut SeededRng::new(3)).unwrap()
    ));
}

#[test]
fn a_signature_that_does_not_fit_the_certificate_is_refused() {
    let p = pki();
    let alice = p.signer("alice");
    let erin = p.signer("erin");
    let begin = || {
        PendingSignedEntity::begin_message(MSG, &alice.cert, &[], &opts(), &mut SeededRng::new(1))
            .unwrap()
    };
    // A signature by another RSA key (a provider holding the wrong key).
    let other = rsa::RsaPrivateKey::new(&mut rand_for_tests(), 2048).unwrap();
    let pending = begin();
    let wrong = external_rsa_sign(&other, &pending.request().data);
    assert_eq!(
        pending.finish(&wrong).unwrap_err().code(),
        "signer-key-invalid"
    );
    // A signature over other octets by the right key.
    let pending = begin();
    let sig = external_rsa_sign(rsa(&alice.key), b"something else");
    assert_eq!(
        pending.finish(&sig).unwrap_err().code(),
        "signer-key-invalid"
    );
    // Garbage and nothing.
    assert_eq!(
        begin().finish(&[0u8; 256]).unwrap_err().code(),
        "signer-key-invalid"
    );
    assert_eq!(
        begin().finish(&[]).unwrap_err().code(),
        "signer-key-invalid"
    );
    // An ECDSA signature by erin's key for alice's RSA certificate.
    let pending = begin();
    use p256::ecdsa::signature::Signer;
    let sig: p256::ecdsa::Signature =
        p256::ecdsa::SigningKey::from(ec(&erin.key)).sign(&pending.request().data);
    assert_eq!(
        pending.finish(sig.to_der().as_bytes()).unwrap_err().code(),
        "signer-key-invalid"
    );
}

fn rand_for_tests() -> SeededRng {
    SeededRng::new(99)
}

/// An external provider: the `rsa` crate's OAEP and `p256`'s ECDH called directly.
fn external_decrypt(key: &PrivateKey, req: &DecryptRequest) -> Zeroizing<Vec<u8>> {
    match req {
        DecryptRequest::Rsa {
            scheme: RsaDecryption::Oaep { .. },
            ciphertext,
        } => Zeroizing::new(
            rsa(key)
                .decrypt(rsa::Oaep::<sha2::Sha256>::new(), ciphertext)
                .unwrap(),
        ),
        DecryptRequest::Ecdh { public_key } => {
            let peer = p256::PublicKey::from_sec1_bytes(public_key).unwrap();
            let z = p256::elliptic_curve::ecdh::diffie_hellman(
                ec(key).to_nonzero_scalar(),
                peer.as_affine(),
            );
            Zeroizing::new(z.raw_secret_bytes().to_vec())
        }
        other => panic!("unexpected request {other:?}"),
    }
}

#[test]
fn external_decryption_gives_what_the_sync_path_gives() {
    let p = pki();
    for name in ["alice", "erin"] {
        let me = p.signer(name);
        for gcm in [false, true] {
            let o = EncryptOptions {
                gcm,
                ..EncryptOptions::default()
            };
            let enc = smime::encrypt_message(
                MSG,
                std::slice::from_ref(&me.cert),
                &o,
                &mut SeededRng::new(5),
            )
            .unwrap();
            let sync = smime::decrypt_message(&enc, &me.key, &me.cert).unwrap();
            let mut d = MessageDecryption::start(&enc, &[&me.cert]).unwrap();
            let (index, req) = d.request().unwrap();
            assert_eq!(index, 0);
            let answer = external_decrypt(&me.key, req);
            let out = d.resume(Ok(answer)).unwrap().expect("decrypted");
            assert_eq!(out, sync, "{name} gcm={gcm}");
            assert!(String::from_utf8_lossy(&out).contains("Hold the bridge."));
        }
    }
}

/// erin's and alice's signers and a message encrypted to both.
fn to_erin_and_alice(seed: u64) -> (smime::Signer, smime::Signer, Vec<u8>) {
    let p = pki();
    let (erin, alice) = (p.signer("erin"), p.signer("alice"));
    let recipients = [erin.cert.clone(), alice.cert.clone()];
    let o = EncryptOptions::default();
    let enc = smime::encrypt_message(MSG, &recipients, &o, &mut SeededRng::new(seed)).unwrap();
    (erin, alice, enc)
}

#[test]
fn answers_that_do_not_recover_the_key_are_refused() {
    let p = pki();
    let (erin, alice, enc) = to_erin_and_alice(9);
    // A wrong shared secret: the AES key wrap integrity check fails.
    let mut d = MessageDecryption::start(&enc, &[&erin.cert]).unwrap();
    let e = d.resume(Ok(Zeroizing::new(vec![7u8; 32]))).unwrap_err();
    assert_eq!(e.code(), "decrypt-failed");
    // A secret of the wrong size.
    let mut d = MessageDecryption::start(&enc, &[&erin.cert]).unwrap();
    assert_eq!(
        d.resume(Ok(Zeroizing::new(vec![7u8; 5])))
            .unwrap_err()
            .code(),
        "decrypt-failed"
    );
    // A content key of the wrong size for RSA.
    let mut d = MessageDecryption::start(&enc, &[&alice.cert]).unwrap();
    assert_eq!(
        d.resume(Ok(Zeroizing::new(vec![1u8; 7])))
            .unwrap_err()
            .code(),
        "decrypt-failed"
    );
    // A random content key of the right size: CBC padding or the content check fails, or
    // at worst garbage — never the plaintext.
    let mut d = MessageDecryption::start(&enc, &[&alice.cert]).unwrap();
    match d.resume(Ok(Zeroizing::new(vec![1u8; 32]))) {
        Err(e) => assert_eq!(e.code(), "decrypt-failed"),
        Ok(Some(out)) => assert!(!String::from_utf8_lossy(&out).contains("Hold the bridge.")),
        Ok(None) => panic!("no second candidate exists"),
    }
    // The provider could not use its key: with one candidate, the error is the answer's.
    let mut d = MessageDecryption::start(&enc, &[&alice.cert]).unwrap();
    let e = d
        .resume(Err(smime::Error::DecryptFailed("token removed".into())))
        .unwrap_err();
    assert_eq!(e.to_string(), "token removed");
    // A certificate the message is not addressed to: nothing is asked of its key.
    let other = p.cert("ca");
    let d = MessageDecryption::start(&enc, &[&other]).unwrap();
    assert_eq!(d.request().unwrap_err().code(), "decrypt-no-recipient");
}

#[test]
fn a_failed_answer_moves_on_to_the_next_certificate() {
    let (erin, alice, enc) = to_erin_and_alice(11);
    let mut d = MessageDecryption::start(&enc, &[&erin.cert, &alice.cert]).unwrap();
    let (first, _) = d.request().unwrap();
    assert_eq!(first, 0);
    assert!(d
        .resume(Err(smime::Error::DecryptFailed("busy".into())))
        .unwrap()
        .is_none());
    let (second, req) = d.request().unwrap();
    assert_eq!(second, 1);
    let answer = external_decrypt(&alice.key, req);
    let out = d.resume(Ok(answer)).unwrap().unwrap();
    assert!(String::from_utf8_lossy(&out).contains("Hold the bridge."));
}
