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
    ecdsa_der_from_fixed, DecryptRequest, OaepHash, RsaDecryption, SignatureScheme,
};
use mmhs::smime::{
    self, ContentCipher, ContentEncryptRequest, EncryptOptions, KeyWrapAnswer, KeyWrapRequest,
    MessageDecryption, MessageEncryption, PendingSignedEntity, SignOptions,
};
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
                ("erin2", "erin@army.example", Alg::Ec),
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
        assert_eq!(pending.request().scheme, SignatureScheme::RsaPkcs1v15);
        // The same with the content digest by an external provider too: the octets to
        // digest are the canonical signed entity, exactly.
        let content = smime::SignedEntityContent::message(MSG).unwrap();
        let req = content.digest_request(smime::DigestAlg::Sha256);
        assert!(req
            .data
            .starts_with(b"Content-Type: text/plain\r\n\r\nHold the bridge."));
        let digest = external_sha256(req.data);
        let digested = content
            .begin(&digest, &signer.cert, &[], &o, &mut SeededRng::new(7))
            .unwrap();
        for pending in [pending, digested] {
            let sig = external_rsa_sign(rsa(&signer.key), &pending.request().data);
            let stepped = pending.finish(&sig).unwrap();
            assert_eq!(stepped, sync, "detached={detached}");
            assert!(valid(&stepped));
        }
    }
}

/// `pending` signed by `key` in Rust (seeded), assembled and released in pieces.
fn signed_by_key(pending: PendingSignedEntity, key: &PrivateKey, seed: u64) -> smime::SignedOutput {
    let sig = mmhs::smime::key_operation::sign_with_key(
        key,
        pending.request(),
        &mut SeededRng::new(seed),
    )
    .unwrap();
    pending
        .assemble(&sig)
        .unwrap()
        .release_output(None)
        .unwrap()
}

/// The entity a multipart/signed output carries in clear is known once the boundary is
/// chosen, before the digest and the signature: the same octets, in the same buffer, as the
/// output's second piece, and the head fits the bound given for it.
#[test]
fn the_entity_in_clear_is_known_before_the_signature() {
    let p = pki();
    let signer = p.signer("alice");
    for (detached, raw) in [
        (true, MSG.to_vec()),
        (true, MSG.iter().copied().filter(|b| *b != b'\r').collect()),
        (false, MSG.to_vec()),
    ] {
        let o = SignOptions { detached, ..opts() };
        let content = smime::SignedEntityContent::message_owned(raw).unwrap();
        assert!(content.entity_in_clear().is_none(), "no boundary yet");
        let content = content.with_boundary(&o, &mut SeededRng::new(3));
        let early = content
            .entity_in_clear()
            .map(|e| (e.as_ptr() as usize, e.to_vec()));
        assert_eq!(early.is_some(), detached);
        let bound = content.head_bound();
        let pending = content
            .begin_hashed(&signer.cert, &[], &o, &mut SeededRng::new(4))
            .unwrap();
        let out = signed_by_key(pending, &signer.key, 5);
        let [head, entity, _] = out.pieces();
        if let Some((at, octets)) = early {
            assert_eq!(entity.as_ptr() as usize, at);
            assert_eq!(entity, octets.as_slice());
            assert!(head.len() <= bound, "{} > {bound}", head.len());
        }
        assert!(valid(&out.into_vec()));
    }
}

/// The async facade's output in pieces — multipart/signed written around the entity left in
/// the message's buffer — is the message the sync path gives, octet for octet.
#[test]
fn signed_output_in_pieces_is_the_sync_message() {
    let p = pki();
    for (name, detached) in [("alice", true), ("alice", false), ("erin", true)] {
        let signer = p.signer(name);
        let o = SignOptions { detached, ..opts() };
        let sync = smime::sign_message(MSG, &signer, &o, &mut SeededRng::new(9)).unwrap();
        let pending =
            PendingSignedEntity::begin_message(MSG, &signer.cert, &[], &o, &mut SeededRng::new(9))
                .unwrap();
        let out = signed_by_key(pending, &signer.key, 9);
        let [head, entity, tail] = out.pieces();
        assert_eq!(
            [head, entity, tail].concat(),
            sync,
            "{name} detached={detached}"
        );
        assert_eq!(out.len(), sync.len());
        if detached {
            assert!(entity.starts_with(b"Content-Type: text/plain\r\n\r\nHold the bridge."));
            assert!(!tail.is_empty());
        } else {
            assert!(entity.is_empty() && tail.is_empty());
        }
        assert_eq!(out.into_vec(), sync);
        if name == "alice" {
            // (erin signs alice's message: a signature valid in itself, by another address)
            assert!(valid(&sync));
        }
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

/// The signature's own check answered by a provider (`signAsync` asks WebCrypto): a
/// confirmed signature gives the message of `finish`; one the provider refuses is verified
/// in Rust (still accepted when it fits, refused when it does not); an answer is bound to the
/// check it answers, so a "valid" for the right signature never covers a wrong one.
#[test]
fn a_signature_checked_by_a_provider_is_refused_unless_it_fits() {
    use mmhs::trust::SignatureChecks;
    let p = pki();
    let erin = p.signer("erin");
    let msg = String::from_utf8_lossy(MSG).replace("Alice <alice@", "Erin <erin@");
    let begin = || {
        PendingSignedEntity::begin_message(
            msg.as_bytes(),
            &erin.cert,
            &[],
            &opts(),
            &mut SeededRng::new(3),
        )
        .unwrap()
    };
    use p256::ecdsa::signature::Signer;
    let sk = p256::ecdsa::SigningKey::from(ec(&erin.key));
    let pending = begin();
    let good: p256::ecdsa::Signature = sk.sign(&pending.request().data);
    let good = good.to_der().as_bytes().to_vec();
    let plain = begin().finish(&good).unwrap();
    for answer in [true, false] {
        let checks = SignatureChecks::default();
        let pending = begin();
        let c = pending
            .signature_check(&good)
            .expect("ECDSA P-256 is delegated");
        checks.add(c, answer);
        assert_eq!(pending.finish_checked(&good, Some(&checks)).unwrap(), plain);
        // Assembled before the check is answered (`signAsync` assembles while WebCrypto
        // verifies), released by the same rule.
        let assembled = begin().assemble(&good).unwrap();
        assert_eq!(assembled.release(Some(&checks)).unwrap(), plain);
    }
    assert_eq!(
        begin().assemble(&good).unwrap().release(None).unwrap(),
        plain
    );
    // A signature over other octets by the same key is another check than the good one's,
    // verified in Rust and refused: whether the provider confirmed the good signature or
    // refused the wrong one.
    let wrong: p256::ecdsa::Signature = sk.sign(b"something else");
    let wrong = wrong.to_der().as_bytes().to_vec();
    let confirmed_good = SignatureChecks::default();
    confirmed_good.add(begin().signature_check(&good).unwrap(), true);
    let refused_wrong = SignatureChecks::default();
    refused_wrong.add(begin().signature_check(&wrong).unwrap(), false);
    for checks in [confirmed_good, refused_wrong] {
        let e = begin().finish_checked(&wrong, Some(&checks)).unwrap_err();
        assert_eq!(e.code(), "signer-key-invalid");
        // An assembled output with the wrong signature is never released.
        let e = begin()
            .assemble(&wrong)
            .unwrap()
            .release(Some(&checks))
            .unwrap_err();
        assert_eq!(e.code(), "signer-key-invalid");
    }
    let e = begin().assemble(&wrong).unwrap().release(None).unwrap_err();
    assert_eq!(e.code(), "signer-key-invalid");
    // Malformed DER is never delegated.
    assert!(begin().signature_check(&[0x30, 0x02, 0x02, 0x00]).is_none());
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
            // The message handed over, its body decoded in its own buffer: what `start`
            // gives, with CRLF and with LF line ends.
            let lf = String::from_utf8(enc.clone())
                .unwrap()
                .replace("\r\n", "\n");
            for raw in [enc.clone(), lf.into_bytes()] {
                let open = |mut d: MessageDecryption| {
                    let (_, req) = d.request().unwrap();
                    let answer = external_decrypt(&me.key, req);
                    d.resume(Ok(answer)).unwrap().expect("decrypted")
                };
                let borrowed = open(MessageDecryption::start(&raw, &[&me.cert]).unwrap());
                let owned = open(MessageDecryption::start_owned(raw, &[&me.cert]).unwrap());
                assert_eq!(owned, borrowed, "{name} gcm={gcm}");
            }
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

/// An external provider for the encryption steps: the `rsa` crate's OAEP encryption, `p256`'s
/// key generation and ECDH, the `cbc` / `aes-gcm` crates for the content — drawing from the
/// RNG in the order the core's own provider does, so the output can be compared byte for byte.
fn external_wrap(req: &KeyWrapRequest, rng: &mut SeededRng) -> KeyWrapAnswer {
    match req {
        KeyWrapRequest::RsaOaep {
            hash: OaepHash::Sha256,
            public_key,
            cek,
        } => {
            use rsa::pkcs8::DecodePublicKey;
            let pk = rsa::RsaPublicKey::from_public_key_der(public_key).unwrap();
            KeyWrapAnswer::EncryptedKey(
                pk.encrypt(rng, rsa::Oaep::<sha2::Sha256>::new(), cek)
                    .unwrap(),
            )
        }
        KeyWrapRequest::Ecdh { public_key } => {
            use p256::elliptic_curve::Generate;
            let peer = p256::PublicKey::from_sec1_bytes(public_key).unwrap();
            let eph = p256::SecretKey::generate_from_rng(rng);
            let z = p256::elliptic_curve::ecdh::diffie_hellman(
                eph.to_nonzero_scalar(),
                peer.as_affine(),
            );
            KeyWrapAnswer::Agreement {
                ephemeral_public_key: eph.public_key().to_sec1_bytes().to_vec(),
                shared_secret: Zeroizing::new(z.raw_secret_bytes().to_vec()),
            }
        }
        other => panic!("unexpected request {other:?}"),
    }
}

fn external_content(req: &ContentEncryptRequest<'_>) -> Vec<u8> {
    use aes_gcm::aead::AeadInOut;
    use aes_gcm::KeyInit;
    use cipher::block_padding::Pkcs7;
    use cipher::{BlockModeEncrypt, KeyIvInit};
    match req.cipher {
        ContentCipher::Aes256Cbc => cbc::Encryptor::<aes::Aes256>::new_from_slices(req.key, req.iv)
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(req.data),
        ContentCipher::Aes256Gcm => {
            let mut buf = req.data.to_vec();
            let nonce: [u8; 12] = req.iv.try_into().unwrap();
            let tag = aes_gcm::Aes256Gcm::new_from_slice(req.key)
                .unwrap()
                .encrypt_inout_detached((&nonce).into(), req.aad, buf.as_mut_slice().into())
                .unwrap();
            buf.extend_from_slice(&tag);
            buf
        }
        other => panic!("unexpected cipher {other:?}"),
    }
}

/// Drive the encryption steps with the external provider.
fn encrypt_externally(recipients: &[x509_cert::Certificate], gcm: bool, seed: u64) -> Vec<u8> {
    let o = EncryptOptions {
        gcm,
        ..EncryptOptions::default()
    };
    let mut rng = SeededRng::new(seed);
    let e = MessageEncryption::start(MSG, recipients, &o, &mut rng).unwrap();
    let answers = e
        .requests()
        .into_iter()
        .map(|r| external_wrap(r, &mut rng))
        .collect();
    let pending = e.resume(answers, &mut rng).unwrap();
    let ct = external_content(&pending.request());
    pending.finish(ct).unwrap()
}

#[test]
fn external_encryption_is_byte_identical_to_the_sync_path() {
    let p = pki();
    let (alice, erin) = (p.signer("alice"), p.signer("erin"));
    for gcm in [false, true] {
        for to in [
            vec![alice.cert.clone()],
            vec![erin.cert.clone()],
            vec![erin.cert.clone(), alice.cert.clone()],
        ] {
            let o = EncryptOptions {
                gcm,
                ..EncryptOptions::default()
            };
            let sync = smime::encrypt_message(MSG, &to, &o, &mut SeededRng::new(21)).unwrap();
            let steps = encrypt_externally(&to, gcm, 21);
            assert_eq!(steps, sync, "gcm={gcm}");
            for me in [&alice, &erin] {
                if to.contains(&me.cert) {
                    let out = smime::decrypt_message(&steps, &me.key, &me.cert).unwrap();
                    assert!(String::from_utf8_lossy(&out).contains("Hold the bridge."));
                }
            }
        }
    }
}

#[test]
fn encryption_answers_that_do_not_fit_are_refused() {
    let p = pki();
    let (alice, erin) = (p.signer("alice"), p.signer("erin"));
    let start = |to: &[x509_cert::Certificate]| {
        MessageEncryption::start(MSG, to, &EncryptOptions::default(), &mut SeededRng::new(3))
            .unwrap()
    };
    let refused = |e: MessageEncryption, a: Vec<KeyWrapAnswer>| {
        e.resume(a, &mut SeededRng::new(4)).unwrap_err().code()
    };
    let good_rsa = |e: &MessageEncryption| external_wrap(e.requests()[0], &mut SeededRng::new(5));
    // RSA: a ciphertext not as long as the modulus, all zeros, or an ECDH answer.
    let e = start(std::slice::from_ref(&alice.cert));
    let KeyWrapAnswer::EncryptedKey(k) = good_rsa(&e) else {
        panic!()
    };
    let short = KeyWrapAnswer::EncryptedKey(k[1..].to_vec());
    assert_eq!(refused(e, vec![short]), "encrypt-failed");
    let e = start(std::slice::from_ref(&alice.cert));
    let zeros = KeyWrapAnswer::EncryptedKey(vec![0; k.len()]);
    assert_eq!(refused(e, vec![zeros]), "encrypt-failed");
    // ECDH: not a point, the recipient's own key, a short secret, an RSA answer.
    let erin_point = ec(&erin.key).public_key().to_sec1_bytes().to_vec();
    let mut not_a_point = erin_point.clone();
    not_a_point[64] ^= 1;
    for (eph, z, what) in [
        (not_a_point, vec![1u8; 32], "not a point"),
        (erin_point.clone(), vec![1u8; 32], "the recipient's own key"),
        (external_eph_point(), vec![1u8; 31], "a secret of 31 octets"),
    ] {
        let e = start(std::slice::from_ref(&erin.cert));
        let a = KeyWrapAnswer::Agreement {
            ephemeral_public_key: eph,
            shared_secret: Zeroizing::new(z),
        };
        assert_eq!(refused(e, vec![a]), "encrypt-failed", "{what}");
    }
    let e = start(std::slice::from_ref(&erin.cert));
    assert_eq!(
        refused(e, vec![KeyWrapAnswer::EncryptedKey(k.clone())]),
        "encrypt-failed"
    );
    // Too few answers.
    let e = start(&[erin.cert.clone(), alice.cert.clone()]);
    assert_eq!(
        refused(e, vec![KeyWrapAnswer::EncryptedKey(k)]),
        "encrypt-failed"
    );
    // Content encrypted with another key or IV, or cut short.
    for gcm in [false, true] {
        let o = EncryptOptions {
            gcm,
            ..EncryptOptions::default()
        };
        let mut rng = SeededRng::new(6);
        let e =
            MessageEncryption::start(MSG, std::slice::from_ref(&alice.cert), &o, &mut rng).unwrap();
        let a = vec![external_wrap(e.requests()[0], &mut rng)];
        let pending = e.resume(a, &mut rng).unwrap();
        let req = pending.request();
        let other_key = vec![9u8; req.key.len()];
        let wrong_key = external_content(&ContentEncryptRequest {
            key: &other_key,
            ..req
        });
        let mut other_iv = req.iv.to_vec();
        other_iv[3] ^= 1;
        let wrong_iv = external_content(&ContentEncryptRequest {
            iv: &other_iv,
            ..req
        });
        let mut cut = external_content(&req);
        cut.truncate(cut.len() - 16);
        for bad in [wrong_key, wrong_iv, cut] {
            let mut rng = SeededRng::new(6);
            let e = MessageEncryption::start(MSG, std::slice::from_ref(&alice.cert), &o, &mut rng)
                .unwrap();
            let a = vec![external_wrap(e.requests()[0], &mut rng)];
            let pending = e.resume(a, &mut rng).unwrap();
            assert_eq!(pending.finish(bad).unwrap_err().code(), "encrypt-failed");
        }
    }
}

fn external_eph_point() -> Vec<u8> {
    p256::SecretKey::from_slice(&[3u8; 32])
        .unwrap()
        .public_key()
        .to_sec1_bytes()
        .to_vec()
}

/// The walk of `msg` with every request answered: done, not valid, `decrypt-failed` (an answer
/// that does not fit is a wrong key).
fn answered_as_decrypt_failed(msg: &[u8], ctx: &mmhs::verify::VerifyContext) {
    use mmhs::verify::{verify_message_step, VerifyStep};
    let VerifyStep::Done(v) = verify_message_step(msg, ctx).unwrap() else {
        panic!("every request was answered")
    };
    assert!(!v.report.valid);
    assert!(
        v.report.has_problem("decrypt-failed"),
        "{:?}",
        v.report.problems
    );
}

/// `msg` signed by `signer` and encrypted to `to` (AES-CBC), then that signed again and
/// encrypted to `outer_to` (AES-GCM): (signed, encrypted once, encrypted twice).
fn signed_and_encrypted_twice(
    msg: &[u8],
    signer: &smime::Signer,
    to: &[x509_cert::Certificate],
    outer_to: &smime::Signer,
    seed: u64,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let rng = |i: u64| SeededRng::new(seed + i);
    let signed = smime::sign_message(msg, signer, &opts(), &mut rng(0)).unwrap();
    let enc = smime::encrypt_message(&signed, to, &EncryptOptions::default(), &mut rng(1)).unwrap();
    let outer = smime::sign_message(&enc, signer, &opts(), &mut rng(2)).unwrap();
    let outer = smime::encrypt_message(
        &outer,
        std::slice::from_ref(&outer_to.cert),
        &EncryptOptions::gcm(),
        &mut rng(3),
    )
    .unwrap();
    (signed, enc, outer)
}

/// `verify` with the key held outside (its holder's answers between rounds) gives the report
/// `verify` gives with the key itself; a wrong answer is the same problem as a wrong key.
#[test]
fn verify_with_answers_gives_the_report_of_the_key() {
    use mmhs::smime::key_operation::DecryptAnswers;
    use mmhs::verify::{verify_message_step, VerifyStep, MAX_DECRYPT_ROUNDS};
    let p = pki();
    let (alice, erin) = (p.signer("alice"), p.signer("erin"));
    // Signed, encrypted, signed again, encrypted again: two decryption rounds.
    let (signed, enc, outer) = signed_and_encrypted_twice(
        MSG,
        &alice,
        &[erin.cert.clone(), alice.cert.clone()],
        &erin,
        1,
    );
    let at = time::macros::datetime!(2029-01-02 00:00 UTC);
    for (msg, rounds) in [(&enc, 1), (&outer, 2)] {
        let mut with_key = p.verify_context(at);
        with_key
            .decryption_keys
            .push((erin.key.clone(), erin.cert.clone()));
        let sync = mmhs::verify::verify_message(msg, &with_key).unwrap();
        assert!(sync.report.valid, "{:?}", sync.report.problems);
        let mut ctx = p.verify_context(at);
        ctx.decryption_answers = Some(DecryptAnswers::new(vec![erin.cert.clone()]));
        let mut asked = 0;
        let done = loop {
            assert!(asked <= MAX_DECRYPT_ROUNDS);
            match verify_message_step(msg, &ctx).unwrap() {
                VerifyStep::Done(v) => break v,
                VerifyStep::Decrypt(reqs) => {
                    asked += 1;
                    for (i, r) in reqs {
                        assert_eq!(i, 0);
                        let a = external_decrypt(&erin.key, &r);
                        ctx.decryption_answers.as_mut().unwrap().add(i, r, Ok(a));
                    }
                }
                VerifyStep::Check(_) | VerifyStep::DecryptContent(_) => {
                    panic!("signature values and contents are the core's here")
                }
            }
        };
        assert_eq!(asked, rounds);
        assert_eq!(
            serde_json::to_value(&done.report).unwrap(),
            serde_json::to_value(&sync.report).unwrap()
        );
        assert_eq!(done.content, sync.content);
    }
    // A holder answering garbage: the report of a wrong key (`decrypt-failed`), not valid.
    let mut ctx = p.verify_context(at);
    ctx.decryption_answers = Some(DecryptAnswers::new(vec![erin.cert.clone()]));
    let VerifyStep::Decrypt(reqs) = verify_message_step(&enc, &ctx).unwrap() else {
        panic!("a request is expected")
    };
    for (i, r) in reqs {
        let garbage = Zeroizing::new(vec![7u8; 32]);
        ctx.decryption_answers
            .as_mut()
            .unwrap()
            .add(i, r, Ok(garbage));
    }
    answered_as_decrypt_failed(&enc, &ctx);
    // An answer is bound to its request: an answer to another message's request is not used.
    let other = smime::encrypt_message(
        &signed,
        std::slice::from_ref(&erin.cert),
        &EncryptOptions::default(),
        &mut SeededRng::new(8),
    )
    .unwrap();
    let mut ctx = p.verify_context(at);
    let mut answers = DecryptAnswers::new(vec![erin.cert.clone()]);
    let mut d = MessageDecryption::start(&other, &[&erin.cert]).unwrap();
    let (_, r) = d.request().unwrap();
    let r = r.clone();
    let a = external_decrypt(&erin.key, &r);
    answers.add(0, r, Ok(a));
    ctx.decryption_answers = Some(answers);
    assert!(matches!(
        verify_message_step(&enc, &ctx).unwrap(),
        VerifyStep::Decrypt(_)
    ));
    let _ = d.resume(Err(smime::Error::DecryptFailed("unused".into())));
}

/// A message of about `size` octets from alice (76-character lines).
fn large_message(size: usize) -> Vec<u8> {
    let mut msg = b"From: Alice <alice@army.example>\r\nTo: erin@army.example\r\nSubject: large\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <large-1@army.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n".to_vec();
    let mut i = 0u32;
    while msg.len() < size {
        msg.extend_from_slice(format!("{i:08} {}\r\n", "x".repeat(67)).as_bytes());
        i += 1;
    }
    msg
}

/// The walk with a key held outside and its contents decrypted by the provider
/// (`DecryptAnswers::provider_decrypts_content`, as `verifyAsync` has WebCrypto do): every
/// request answered by the external provider. Returns the verification and the number of
/// content rounds.
///
/// `kept`: the walks share one `DigestAnswers` of the message, as `verifyAsync`'s do (the
/// body decoded once, a recorded request sharing it instead of copying the ciphertext).
fn verify_with_provider_contents(
    msg: &[u8],
    ctx: &mut mmhs::verify::VerifyContext,
    key: &PrivateKey,
    kept: bool,
) -> (mmhs::verify::Verified, usize) {
    use mmhs::verify::{
        verify_message_step_with_digests, DigestAnswers, VerifyStep, MAX_DECRYPT_ROUNDS,
    };
    let digests = DigestAnswers::new(msg);
    let mut content_rounds = 0;
    for _ in 0..MAX_DECRYPT_ROUNDS {
        let step = verify_message_step_with_digests(msg, ctx, kept.then_some(&digests)).unwrap();
        let answers = ctx.decryption_answers.as_mut().unwrap();
        match step {
            VerifyStep::Done(v) => return (*v, content_rounds),
            VerifyStep::Decrypt(reqs) => {
                for (i, r) in reqs {
                    let a = external_decrypt(key, &r);
                    answers.add(i, r, Ok(a));
                }
            }
            VerifyStep::DecryptContent(asks) => {
                content_rounds += 1;
                for ask in asks {
                    let plain = external_content_decrypt(&ask.request());
                    answers.add_content(ask, Ok(plain));
                }
            }
            VerifyStep::Check(_) => panic!("signature values are verified in Rust here"),
        }
    }
    panic!("more rounds than MAX_DECRYPT_ROUNDS")
}

/// `verify` with the key held outside and the contents decrypted by the provider gives the
/// report and content `verify` gives with the key itself, one content round per large layer;
/// a small content is decrypted by the walk; an answer is used only for the very request it
/// answers — not for a ciphertext that differs in one octet under the same key and IV, which
/// the core's check of the plaintext's first and last blocks would not notice.
#[test]
fn verify_with_contents_decrypted_by_the_provider_gives_the_report_of_the_key() {
    use mmhs::smime::key_operation::{DecryptAnswers, CONTENT_ASK_MIN};
    use mmhs::verify::{verify_message_step, VerifyStep};
    let p = pki();
    let (alice, erin) = (p.signer("alice"), p.signer("erin"));
    let at = time::macros::datetime!(2029-01-02 00:00 UTC);
    let big = large_message(2 * CONTENT_ASK_MIN);
    let (_, enc, outer) =
        signed_and_encrypted_twice(&big, &alice, std::slice::from_ref(&erin.cert), &erin, 41);
    let small = smime::encrypt_message(
        &smime::sign_message(MSG, &alice, &opts(), &mut SeededRng::new(45)).unwrap(),
        std::slice::from_ref(&erin.cert),
        &EncryptOptions::default(),
        &mut SeededRng::new(46),
    )
    .unwrap();
    let held = || {
        let mut ctx = p.verify_context(at);
        let mut answers = DecryptAnswers::new(vec![erin.cert.clone()]);
        answers.provider_decrypts_content();
        ctx.decryption_answers = Some(answers);
        ctx
    };
    let with_key = |msg: &[u8]| {
        let mut ctx = p.verify_context(at);
        ctx.decryption_keys
            .push((erin.key.clone(), erin.cert.clone()));
        mmhs::verify::verify_message(msg, &ctx).unwrap()
    };
    for (msg, rounds) in [(&enc, 1), (&outer, 2), (&small, 0)] {
        let sync = with_key(msg);
        assert!(sync.report.valid, "{:?}", sync.report.problems);
        for kept in [false, true] {
            let (v, content_rounds) =
                verify_with_provider_contents(msg, &mut held(), &erin.key, kept);
            assert_eq!(content_rounds, rounds, "kept={kept}");
            assert_eq!(
                serde_json::to_value(&v.report).unwrap(),
                serde_json::to_value(&sync.report).unwrap()
            );
            assert_eq!(v.content, sync.content);
        }
    }

    // Outside a step the walk decrypts the content itself: the key answered, no content.
    let mut ctx = held();
    let VerifyStep::Decrypt(reqs) = verify_message_step(&enc, &ctx).unwrap() else {
        panic!("the key's request is expected")
    };
    for (i, r) in reqs {
        let a = external_decrypt(&erin.key, &r);
        ctx.decryption_answers.as_mut().unwrap().add(i, r, Ok(a));
    }
    let v = mmhs::verify::verify_message(&enc, &ctx).unwrap();
    assert!(v.report.valid, "{:?}", v.report.problems);

    // The same ciphertext but one octet in its middle (same RecipientInfo, key and IV): its
    // own content request, whose answer is never taken for the original's, nor the
    // original's for it.
    let mut altered = enc.clone();
    let body = altered.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let mid = body + (altered.len() - body) / 2;
    let at_mid = (mid..altered.len())
        .find(|&i| altered[i].is_ascii_alphanumeric())
        .unwrap();
    altered[at_mid] = if altered[at_mid] == b'A' { b'B' } else { b'A' };
    // The walks of each message keep its decoded body: the requests share it.
    let asks_of = |msg: &[u8]| {
        let mut ctx = held();
        let kept = mmhs::verify::DigestAnswers::new(msg);
        loop {
            match mmhs::verify::verify_message_step_with_digests(msg, &ctx, Some(&kept)).unwrap() {
                VerifyStep::Decrypt(reqs) => {
                    for (i, r) in reqs {
                        let a = external_decrypt(&erin.key, &r);
                        ctx.decryption_answers.as_mut().unwrap().add(i, r, Ok(a));
                    }
                }
                VerifyStep::DecryptContent(asks) => return (ctx, asks),
                other => panic!("a content request is expected, not {other:?}"),
            }
        }
    };
    let (mut ctx_enc, asks_enc) = asks_of(&enc);
    let (mut ctx_alt, asks_alt) = asks_of(&altered);
    assert_eq!((asks_enc.len(), asks_alt.len()), (1, 1));
    let plain_enc = external_content_decrypt(&asks_enc[0].request());
    let plain_alt = external_content_decrypt(&asks_alt[0].request());
    assert_ne!(plain_enc, plain_alt);
    // Each answered with the other's plaintext under the other's request: asked again.
    ctx_enc
        .decryption_answers
        .as_mut()
        .unwrap()
        .add_content(asks_alt[0].clone(), Ok(plain_enc.clone()));
    ctx_alt
        .decryption_answers
        .as_mut()
        .unwrap()
        .add_content(asks_enc[0].clone(), Ok(plain_alt.clone()));
    for (msg, ctx) in [(&enc, &ctx_enc), (&altered, &ctx_alt)] {
        assert!(matches!(
            verify_message_step(msg, ctx).unwrap(),
            VerifyStep::DecryptContent(_)
        ));
    }
    // The altered message verified through the provider is what `verify` says of it with
    // the key: its content is not what was signed.
    let (v, _) = verify_with_provider_contents(&altered, &mut held(), &erin.key, true);
    let sync = with_key(&altered);
    assert!(!sync.report.valid);
    assert_eq!(
        serde_json::to_value(&v.report).unwrap(),
        serde_json::to_value(&sync.report).unwrap()
    );

    // A provider's plaintext that does not fit its ciphertext is the layer's decrypt-failed.
    let (mut ctx, asks) = asks_of(&enc);
    let mut wrong = plain_enc.clone();
    wrong[0] ^= 1;
    ctx.decryption_answers
        .as_mut()
        .unwrap()
        .add_content(asks[0].clone(), Ok(wrong));
    answered_as_decrypt_failed(&enc, &ctx);
}

/// The release procedure in steps, the officer's signature made outside the core, gives the
/// message `release` gives — countersignature and review-signature forms — and a signature
/// by another key is refused.
#[test]
fn release_steps_give_what_release_gives() {
    use mmhs::release::{
        self, AuthorizationForm, Decision, Outcome, ReleasePolicy, ReleaseRequest, ReleaseStep,
    };
    let p = pki();
    let (alice, officer) = (p.signer("alice"), p.signer("erin"));
    let at = time::macros::datetime!(2029-01-02 00:00 UTC);
    // A draft the default review passes (tests/release_procedure.rs).
    const DRAFT: &str = "From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: Convoy movement\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <draft-1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMMHS-Extended-Authorisation-Info: Mon, 1 Jan 2029 10:00:00 +0000\r\nMT-Priority: 4\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";
    let draft =
        smime::sign_message(DRAFT.as_bytes(), &alice, &opts(), &mut SeededRng::new(1)).unwrap();
    let ctx = p.verify_context(at);
    for form in [
        AuthorizationForm::Countersignature,
        AuthorizationForm::ReviewSignature,
    ] {
        let policy = ReleasePolicy {
            officers: vec!["erin@army.example".into()],
            require_release: vec!["*@army.example".into()],
            form,
            ..ReleasePolicy::default()
        };
        let sync = release::release(
            &ReleaseRequest {
                raw: &draft,
                officer: &officer,
                verify: &ctx,
                policy: &policy,
                decision: Decision::Approve,
                envelope: None,
                now: at,
            },
            &mut SeededRng::new(9),
        )
        .unwrap();
        assert_eq!(
            sync.outcome,
            Outcome::Released,
            "{:?} {:?}",
            sync.problems,
            sync.findings
        );
        let certs = (officer.cert.clone(), officer.chain.clone());
        let req = ReleaseRequest {
            raw: &draft,
            officer: &certs,
            verify: &ctx,
            policy: &policy,
            decision: Decision::Approve,
            envelope: None,
            now: at,
        };
        let step = || match release::begin_release(&req, &mut SeededRng::new(9)).unwrap() {
            ReleaseStep::Sign(p) => p,
            ReleaseStep::Done(r) => panic!("nothing to sign: {:?}", r.outcome),
        };
        let pending = step();
        assert_eq!(pending.request().scheme, SignatureScheme::Ecdsa);
        let sig: p256::ecdsa::Signature = {
            use signature::Signer;
            p256::ecdsa::SigningKey::from(ec(&officer.key)).sign(&pending.request().data)
        };
        let stepped = pending.finish(sig.to_der().as_bytes()).unwrap();
        assert_eq!(stepped.outcome, Outcome::Released);
        // ECDSA signatures differ in their nonce only when the signed octets differ: RFC 6979
        // makes both deterministic, so the messages are identical.
        assert_eq!(stepped.message, sync.message, "{form:?}");
        assert!(valid(&stepped.message));
        // Alice's key answering for the officer's certificate: refused.
        let pending = step();
        let wrong: p256::ecdsa::Signature = {
            use signature::Signer;
            p256::ecdsa::SigningKey::from(ec(&p.signer("erin2").key)).sign(&pending.request().data)
        };
        assert_eq!(
            pending
                .finish(wrong.to_der().as_bytes())
                .unwrap_err()
                .code(),
            "signer-key-invalid"
        );
    }
}

/// External AES for a content-decryption request: the `cbc` / `aes-gcm` crates called
/// directly, not the core's code.
fn external_content_decrypt(req: &mmhs::smime::ContentDecryptRequest<'_>) -> Vec<u8> {
    use aes_gcm::aead::AeadInOut;
    use aes_gcm::KeyInit;
    use cipher::block_padding::Pkcs7;
    use cipher::{BlockModeDecrypt, KeyIvInit};
    use mmhs::smime::ContentDecryptCipher;
    match req.cipher {
        ContentDecryptCipher::AesCbc { iv } => {
            cbc::Decryptor::<aes::Aes256>::new_from_slices(req.key, &iv)
                .unwrap()
                .decrypt_padded_vec::<Pkcs7>(req.ciphertext)
                .unwrap()
        }
        ContentDecryptCipher::AesGcm { nonce, tag_len } => {
            assert_eq!(tag_len, 16);
            let mut buf = req.ciphertext.to_vec();
            aes_gcm::Aes256Gcm::new_from_slice(req.key)
                .unwrap()
                .decrypt_inout_detached(
                    (&nonce).into(),
                    req.aad,
                    buf.as_mut_slice().into(),
                    req.tag.try_into().unwrap(),
                )
                .unwrap();
            buf
        }
        ContentDecryptCipher::Legacy => panic!("AES expected"),
    }
}

/// The content of a layer decrypted in a second step (as WebCrypto does in `decryptAsync`):
/// the same message; a plaintext that does not fit the ciphertext is refused.
#[test]
fn content_decryption_in_steps_gives_what_the_sync_path_gives() {
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
                &mut SeededRng::new(31),
            )
            .unwrap();
            let sync = smime::decrypt_message(&enc, &me.key, &me.cert).unwrap();
            let run = |tamper: Tamper, outside: bool, room: bool| {
                let mut d = MessageDecryption::start(&enc, &[&me.cert]).unwrap();
                let answer = external_decrypt(&me.key, d.request().unwrap().1);
                let k = d.resume_key(Ok(answer)).unwrap().expect("a key");
                let mut plain = external_content_decrypt(&d.content_request(&k).unwrap());
                let mut fits = usize::MAX;
                if room {
                    // The ciphertext with the blocks before it (decryptAsync: the outer
                    // fields are written over their end in WebCrypto's buffer): the answer
                    // is `room` octets of no use, then the plaintext.
                    let (req, room) = d.content_request_with_room(&k).expect("AES-CBC has room");
                    assert!(room > 0 && room % 16 == 0);
                    let all = external_content_decrypt(&req);
                    assert_eq!(all[room..], plain[..]);
                    plain = all[room..].to_vec();
                    fits = room;
                }
                match tamper {
                    Tamper::None => {}
                    Tamper::First => plain[0] ^= 1,
                    Tamper::Last => {
                        let last = plain.len() - 1;
                        plain[last] ^= 1;
                    }
                    Tamper::Shorter => {
                        plain.pop();
                    }
                }
                if !outside {
                    return d.finish_content(k, Ok(plain));
                }
                // The plaintext kept by the provider (decryptAsync: WebCrypto's buffer): the
                // core reads what it checks and returns the fields to put before it.
                assert!(d.content_is_entity());
                let mut read = |r: std::ops::Range<usize>| plain[r].to_vec();
                let fields = d.finish_outside(k, plain.len(), &mut read)?;
                assert!(fields.len() <= fits, "the outer fields fit in the room");
                Ok([fields, plain].concat())
            };
            for (outside, room) in [(false, false), (true, false), (true, true)] {
                if room && gcm {
                    let mut d = MessageDecryption::start(&enc, &[&me.cert]).unwrap();
                    let answer = external_decrypt(&me.key, d.request().unwrap().1);
                    let k = d.resume_key(Ok(answer)).unwrap().expect("a key");
                    assert!(d.content_request_with_room(&k).is_none(), "GCM has no room");
                    continue;
                }
                let how = format!("{name} gcm={gcm} outside={outside} room={room}");
                assert_eq!(run(Tamper::None, outside, room).unwrap(), sync, "{how}");
                for t in [Tamper::First, Tamper::Last, Tamper::Shorter] {
                    assert_eq!(
                        run(t, outside, room).unwrap_err().code(),
                        "decrypt-failed",
                        "{how} {t:?}"
                    );
                }
            }
        }
    }
}

/// How a provider's plaintext is altered before the core checks it.
#[derive(Debug, Clone, Copy)]
enum Tamper {
    None,
    First,
    Last,
    Shorter,
}

/// The provider's digests of a decrypted plaintext (`add_content_with_digests`, as
/// `verifyAsync` adds SubtleCrypto's) are used only for a range of that very plaintext the walk
/// digests: the true digests give the key's report; a wrong value for that range fails closed
/// (`message-digest-mismatch`, never valid); a wrong value for another range is not used.
#[test]
fn digests_of_a_decrypted_plaintext_are_used_only_for_its_own_ranges() {
    use mmhs::smime::key_operation::{ContentDigest, DecryptAnswers, CONTENT_ASK_MIN};
    use mmhs::smime::DigestAlg;
    use mmhs::verify::{digest_ranges, verify_message_step, VerifyStep, MAX_DECRYPT_ROUNDS};
    let p = pki();
    let (alice, erin) = (p.signer("alice"), p.signer("erin"));
    let at = time::macros::datetime!(2029-01-02 00:00 UTC);
    let big = large_message(2 * CONTENT_ASK_MIN);
    let (_, enc, _) =
        signed_and_encrypted_twice(&big, &alice, std::slice::from_ref(&erin.cert), &erin, 61);
    let mut with_key = p.verify_context(at);
    with_key
        .decryption_keys
        .push((erin.key.clone(), erin.cert.clone()));
    let sync = mmhs::verify::verify_message(&enc, &with_key)
        .unwrap()
        .report;
    assert!(sync.valid, "{:?}", sync.problems);
    let run = |digests: &dyn Fn(&[u8]) -> Vec<ContentDigest>| {
        let mut ctx = p.verify_context(at);
        let mut answers = DecryptAnswers::new(vec![erin.cert.clone()]);
        answers.provider_decrypts_content();
        ctx.decryption_answers = Some(answers);
        for _ in 0..MAX_DECRYPT_ROUNDS {
            let step = verify_message_step(&enc, &ctx).unwrap();
            let answers = ctx.decryption_answers.as_mut().unwrap();
            match step {
                VerifyStep::Done(v) => return v.report,
                VerifyStep::Decrypt(reqs) => {
                    for (i, r) in reqs {
                        let a = external_decrypt(&erin.key, &r);
                        answers.add(i, r, Ok(a));
                    }
                }
                VerifyStep::DecryptContent(asks) => {
                    for ask in asks {
                        let plain = external_content_decrypt(&ask.request());
                        let d = digests(&plain);
                        answers.add_content_with_digests(ask, Ok(plain), d);
                    }
                }
                VerifyStep::Check(_) => panic!("signature values are verified in Rust here"),
            }
        }
        panic!("more rounds than MAX_DECRYPT_ROUNDS")
    };
    // SHA-256 of each range the walk will digest, by the `sha2` crate (not the core's code).
    let honest = |plain: &[u8]| -> Vec<ContentDigest> {
        let ranges = digest_ranges(plain);
        assert!(!ranges.is_empty(), "a signed entity inside");
        ranges
            .into_iter()
            .map(|r| {
                assert_eq!(r.alg, DigestAlg::Sha256);
                ContentDigest {
                    alg: r.alg,
                    digest: external_sha256(&plain[r.range.clone()]),
                    range: r.range,
                }
            })
            .collect()
    };
    let json = |r: &mmhs::report::VerifyReport| serde_json::to_value(r).unwrap();
    assert_eq!(json(&run(&honest)), json(&sync));
    let wrong_value = |plain: &[u8]| {
        let mut d = honest(plain);
        d[0].digest[0] ^= 1;
        d
    };
    let lied = run(&wrong_value);
    assert!(!lied.valid);
    assert!(
        lied.has_problem("message-digest-mismatch"),
        "{:?}",
        lied.problems
    );
    let other_range = |plain: &[u8]| {
        let mut d = wrong_value(plain);
        d[0].range.start += 1;
        d
    };
    assert_eq!(json(&run(&other_range)), json(&sync));
}

/// The request read from the first lines of a message (`MessageDecryption::early_request`,
/// the head start `decryptAsync` gives an RSA key) is the first request of the whole or none:
/// none for a message that is not encrypted or not addressed to the key, and none when its
/// RecipientInfos do not fit in those lines.
#[test]
fn an_early_request_is_the_first_request_or_none() {
    let p = pki();
    let (alice, erin) = (p.signer("alice"), p.signer("erin"));
    let first = |msg: &[u8], who: &smime::Signer| {
        MessageDecryption::start(msg, &[&who.cert])
            .ok()
            .and_then(|d| d.request().ok().map(|(i, r)| (i, r.clone())))
    };
    // Alice's RecipientInfo 40 times, then erin's: about 16 KiB of RecipientInfos; and 160
    // times: about 64 KiB, more than the lines read.
    for (n, fits) in [(40, true), (160, false)] {
        let mut to = vec![alice.cert.clone(); n];
        to.push(erin.cert.clone());
        let opts = EncryptOptions::default();
        let many = smime::encrypt_message(MSG, &to, &opts, &mut SeededRng::new(51)).unwrap();
        for who in [&alice, &erin] {
            let early = MessageDecryption::early_request(&many, &[&who.cert]);
            assert!(first(&many, who).is_some());
            match fits {
                true => assert_eq!(early, first(&many, who), "{n}"),
                false => assert_eq!(early, None, "{n}"),
            }
        }
    }
    // Not encrypted, not for this key, not a message.
    let signed = smime::sign_message(MSG, &alice, &opts(), &mut SeededRng::new(52)).unwrap();
    let to_erin = smime::encrypt_message(
        MSG,
        std::slice::from_ref(&erin.cert),
        &EncryptOptions::default(),
        &mut SeededRng::new(53),
    )
    .unwrap();
    for (msg, who) in [(&signed, &alice), (&to_erin, &alice)] {
        assert_eq!(MessageDecryption::early_request(msg, &[&who.cert]), None);
    }
    assert_eq!(
        MessageDecryption::early_request(b"\x00\xff", &[&alice.cert]),
        None
    );
    assert_eq!(
        MessageDecryption::early_request(&to_erin, &[&erin.cert]),
        first(&to_erin, &erin)
    );
}

/// A content the provider keeps is read only where the checks need it: three blocks and the
/// entity up to its first line end, whatever its size.
#[test]
fn a_content_kept_outside_is_read_only_where_it_is_checked() {
    let p = pki();
    let me = p.signer("alice");
    let mut msg =
        b"From: a@army.example\r\nSubject: large\r\nContent-Type: text/plain\r\n\r\n".to_vec();
    while msg.len() < 1 << 20 {
        msg.extend_from_slice(
            b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqr\r\n",
        );
    }
    for gcm in [false, true] {
        let o = EncryptOptions {
            gcm,
            ..EncryptOptions::default()
        };
        let enc = smime::encrypt_message(
            &msg,
            std::slice::from_ref(&me.cert),
            &o,
            &mut SeededRng::new(3),
        )
        .unwrap();
        let sync = smime::decrypt_message(&enc, &me.key, &me.cert).unwrap();
        let mut d = MessageDecryption::start(&enc, &[&me.cert]).unwrap();
        // The request read from the body's first lines only is the same.
        let (i, req) = d.request().unwrap();
        assert_eq!(
            MessageDecryption::early_request(&enc, &[&me.cert]),
            Some((i, req.clone()))
        );
        let answer = external_decrypt(&me.key, d.request().unwrap().1);
        let k = d.resume_key(Ok(answer)).unwrap().expect("a key");
        // The core's own answer stands in for the provider's.
        let req = d.content_request(&k).unwrap();
        let plain = mmhs::smime::key_operation::decrypt_content_with_rust(&req).unwrap();
        let (mut calls, mut octets) = (0, 0);
        let mut read = |r: std::ops::Range<usize>| {
            calls += 1;
            octets += r.len();
            plain[r].to_vec()
        };
        let fields = d.finish_outside(k, plain.len(), &mut read).unwrap();
        assert_eq!([fields, plain.clone()].concat(), sync, "gcm={gcm}");
        assert!(
            calls <= 4 && octets <= 64 * 1024 + 48,
            "gcm={gcm}: {calls} reads, {octets} octets"
        );
    }
}

/// An external digest provider: the `sha2` crate's own hasher over the octets the core
/// names, not the core's code.
fn external_sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

#[test]
fn a_digest_that_does_not_fit_is_refused_or_fails_verification() {
    use mmhs::smime::{DigestAlg, SignedEntityContent};
    let p = pki();
    let signer = p.signer("alice");
    let content = || SignedEntityContent::message(MSG).unwrap();
    // A digest of another length (SHA-1's, nothing, SHA-512's) never reaches a SignerInfo.
    for wrong in [vec![0u8; 20], Vec::new(), vec![0u8; 64]] {
        let err = content()
            .begin(&wrong, &signer.cert, &[], &opts(), &mut SeededRng::new(7))
            .unwrap_err();
        assert_eq!(err.code(), "signer-key-invalid", "{} octets", wrong.len());
    }
    // A digest of the right length over other octets (a faulty provider) makes a message
    // whose signature the recipient refuses: never one that verifies.
    let c = content();
    let mut other = external_sha256(c.digest_request(DigestAlg::Sha256).data);
    other[0] ^= 1;
    let pending = c
        .begin(&other, &signer.cert, &[], &opts(), &mut SeededRng::new(7))
        .unwrap();
    let sig = external_rsa_sign(rsa(&signer.key), &pending.request().data);
    let signed = pending.finish(&sig).unwrap();
    let ctx = p.verify_context(time::macros::datetime!(2029-01-02 00:00 UTC));
    let r = mmhs::verify::verify(&signed, &ctx).unwrap();
    assert!(!r.valid);
    assert!(r
        .problems
        .iter()
        .any(|p| p.code == "message-digest-mismatch"));
}

/// A caller that wants the report only (`verifyAsync` without `withContent`): the same
/// report, and no copy of the content.
#[test]
fn a_report_without_content_is_the_same_report() {
    use mmhs::verify::verify_message;
    let p = pki();
    let alice = p.signer("alice");
    let mut ctx = p.verify_context(time::macros::datetime!(2029-01-02 00:00 UTC));
    let signed = smime::sign_message(MSG, &alice, &opts(), &mut SeededRng::new(5)).unwrap();
    for m in [&signed[..], MSG] {
        ctx.without_content = false;
        let full = verify_message(m, &ctx).unwrap();
        assert!(!full.content.is_empty());
        ctx.without_content = true;
        let bare = verify_message(m, &ctx).unwrap();
        assert!(bare.content.is_empty());
        assert_eq!(
            serde_json::to_value(&bare.report).unwrap(),
            serde_json::to_value(&full.report).unwrap()
        );
    }
}

#[test]
fn verify_digest_answers_are_used_only_for_their_own_octets() {
    use mmhs::verify::{digest_ranges, verify_message, verify_message_with_digests, DigestAnswers};
    let p = pki();
    let alice = p.signer("alice");
    let ctx = p.verify_context(time::macros::datetime!(2029-01-02 00:00 UTC));
    let signed = smime::sign_message(MSG, &alice, &opts(), &mut SeededRng::new(5)).unwrap();
    let ranges = digest_ranges(&signed);
    assert_eq!(ranges.len(), 1);
    let req = ranges[0].request(&signed).unwrap();
    assert!(req
        .data
        .starts_with(b"Content-Type: text/plain\r\n\r\nHold the bridge."));
    let report = |v: mmhs::verify::Verified| serde_json::to_value(v.report).unwrap();
    let sync = verify_message(&signed, &ctx).unwrap();
    assert!(sync.report.valid);
    let sync = report(sync);

    // The right answers: the report of the core's own digest.
    let mut answers = DigestAnswers::new(&signed);
    answers.add(ranges[0].clone(), external_sha256(req.data));
    assert_eq!(
        report(verify_message_with_digests(&signed, &ctx, Some(&answers)).unwrap()),
        sync
    );

    // A wrong answer is used, and fails closed.
    let mut wrong = DigestAnswers::new(&signed);
    let mut d = external_sha256(req.data);
    d[31] ^= 0x80;
    wrong.add(ranges[0].clone(), d);
    let digest_mismatch = |v: mmhs::verify::Verified| {
        !v.report.valid
            && v.report
                .problems
                .iter()
                .any(|p| p.code == "message-digest-mismatch")
    };
    assert!(digest_mismatch(
        verify_message_with_digests(&signed, &ctx, Some(&wrong)).unwrap()
    ));

    // The right answers for this message, given with another message of the same length
    // whose signed content was altered: not used (the alteration is seen), nor are they
    // for an equal copy of the message elsewhere in memory (hashed by the core again).
    let tampered = String::from_utf8(signed.clone())
        .unwrap()
        .replacen("Hold the bridge.", "Blow the bridge.", 1)
        .into_bytes();
    assert_eq!(tampered.len(), signed.len());
    assert!(digest_mismatch(
        verify_message_with_digests(&tampered, &ctx, Some(&answers)).unwrap()
    ));
    let copy = signed.clone();
    assert_eq!(
        report(verify_message_with_digests(&copy, &ctx, Some(&wrong)).unwrap()),
        sync
    );

    // Bare LF line ends: the walk verifies a canonical copy, so no answer applies.
    let lf = String::from_utf8(signed.clone())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    let mut lf_wrong = DigestAnswers::new(&lf);
    for r in digest_ranges(&lf) {
        lf_wrong.add(r, vec![0u8; 32]);
    }
    let v = verify_message_with_digests(&lf, &ctx, Some(&lf_wrong)).unwrap();
    assert!(v.report.valid, "{:?}", v.report.problems);

    // Opaque signing: nothing of the message is digested as it lies.
    let opaque = smime::sign_message(
        MSG,
        &alice,
        &SignOptions {
            detached: false,
            ..opts()
        },
        &mut SeededRng::new(5),
    )
    .unwrap();
    assert!(digest_ranges(&opaque).is_empty());
}

/// A layer that names our certificate many times (a recipient is listed once per
/// certificate) has at most `MAX_KEY_CANDIDATES` private-key operations asked of us: each
/// answer that does not recover a key moves on, and after the last the layer fails with the
/// first error, as when every candidate fails. A key within them still opens the layer.
#[test]
fn private_key_operations_per_layer_are_capped() {
    let alice = pki().signer("alice");
    let n = 3 * smime::MAX_KEY_CANDIDATES;
    let recipients = vec![alice.cert.clone(); n];
    let enc = smime::encrypt_message(
        MSG,
        &recipients,
        &EncryptOptions::default(),
        &mut SeededRng::new(13),
    )
    .unwrap();
    let mut d = MessageDecryption::start(&enc, &[&alice.cert]).unwrap();
    let mut asked = 0;
    let last = loop {
        d.request().expect("a candidate is pending");
        asked += 1;
        match d.resume(Err(smime::Error::DecryptFailed(format!("no key {asked}")))) {
            Ok(None) => continue,
            Ok(Some(_)) => panic!("decrypted without a key"),
            Err(e) => break e,
        }
    };
    assert_eq!(asked, smime::MAX_KEY_CANDIDATES);
    assert_eq!(last.to_string(), "no key 1");
    assert!(d.request().is_err());
    // The last candidate tried still decrypts when its answer recovers the key.
    let mut d = MessageDecryption::start(&enc, &[&alice.cert]).unwrap();
    for _ in 1..smime::MAX_KEY_CANDIDATES {
        let failed = Err(smime::Error::DecryptFailed("no key".into()));
        assert!(d.resume(failed).unwrap().is_none());
    }
    let (_, req) = d.request().unwrap();
    let answer = external_decrypt(&alice.key, req);
    let out = d.resume(Ok(answer)).unwrap().expect("decrypted");
    assert!(String::from_utf8_lossy(&out).contains("Hold the bridge."));
    // The sync API tries no more: a key that fits none of them fails the layer.
    assert_eq!(
        smime::decrypt_message(&enc, &pki().signer("erin").key, &alice.cert)
            .unwrap_err()
            .code(),
        "decrypt-failed"
    );
}
