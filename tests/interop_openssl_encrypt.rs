//! OpenSSL interop for encryption, both directions, with a throwaway PKI made at test time:
//! `openssl cms -decrypt` opens what we produce (KARI P-256, KTRI OAEP and v1.5, several
//! recipients, AuthEnvelopedData AES-GCM, SKI recipient ids, compressed inside), and we open
//! what `openssl cms -encrypt` produces (RSA v1.5 and OAEP, EC, AES-128/256-CBC, AES-GCM,
//! SKI ids, BER streaming output).
#![cfg(not(target_arch = "wasm32"))]

use crate::support::interop::{
    cms_decrypt, openssl, openssl_try, succeeded, Pki, User, ENTITY, MESSAGE,
};
use mmhs::error::Coded;
use mmhs::smime::{
    self, decrypt_content_info, decrypt_message, encrypt_message, ContentCipher, EncryptOptions,
    EncryptedKind, KeyTransportPadding, RecipientIdKind,
};

fn rng() -> mmhs::rng::SystemRng {
    mmhs::rng::system_rng()
}

/// A ContentInfo decrypted by a `Decryption` it is handed to (`start_owned`), answered by
/// the user's key. On the way, every prefix of it gives the request the whole gives, or
/// none (`Decryption::early_request`), and the whole gives it.
fn decrypt_handed_over(der_or_ber: Vec<u8>, user: &User) -> Vec<u8> {
    let certs = [&user.cert];
    let first = smime::Decryption::start(&der_or_ber, &certs)
        .unwrap()
        .request()
        .map(|(i, r)| (i, r.clone()))
        .unwrap();
    assert_eq!(
        smime::Decryption::early_request(&der_or_ber, &certs),
        Some(first.clone())
    );
    for len in 0..der_or_ber.len() {
        let early = smime::Decryption::early_request(&der_or_ber[..len], &certs);
        assert!(
            early.is_none() || early == Some(first.clone()),
            "prefix of {len}"
        );
    }
    let mut d = smime::Decryption::start_owned(der_or_ber, &certs).unwrap();
    loop {
        let answer = smime::key_operation::decrypt_with_key(&user.key, d.request().unwrap().1);
        if let Some(done) = d.resume(answer).unwrap() {
            return done.content;
        }
    }
}

/// Encrypt MESSAGE with our code, write it, and have OpenSSL decrypt it for `user`.
fn openssl_decrypts(pki: &Pki, ours: &[u8], user: &User, file: &str) -> Vec<u8> {
    std::fs::write(pki.dir.path(file), ours).unwrap();
    let (cert, key) = (user.cert_path.to_str(), user.key_path.to_str());
    succeeded(cms_decrypt(
        &pki.dir.0,
        file,
        cert.unwrap(),
        key.unwrap(),
        &[],
    ))
}

fn outer_headers_kept(out: &[u8]) {
    let s = String::from_utf8_lossy(out);
    assert!(s.starts_with("From: alice@army.example\r\n"), "{s}");
    assert!(s.contains("\r\nSubject: FLASH exercise traffic\r\n"));
    assert!(s.contains("\r\nMMHS-Primary-Precedence: 5 (flash)\r\n"));
    assert!(s.contains("\r\nMIME-Version: 1.0\r\n"));
    assert!(!s.contains("EXERCISE"), "plaintext leaked outside");
}

#[test]
fn kari_p256_default_openssl_decrypts() {
    let pki = Pki::new("kari");
    let alice = pki.user("alice", true);
    let out = encrypt_message(
        MESSAGE,
        std::slice::from_ref(&alice.cert),
        &EncryptOptions::default(),
        &mut rng(),
    )
    .unwrap();
    outer_headers_kept(&out);
    let s = String::from_utf8_lossy(&out);
    // folded at 78 columns between parameters (RFC 5322 §2.1.1, as in RFC 8551 §3.3)
    assert!(s.contains(
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data;\r\n name=smime.p7m\r\n"
    ));
    assert_eq!(openssl_decrypts(&pki, &out, &alice, "kari.eml"), ENTITY);
    // And we read our own output, returning outer headers + the entity.
    let back = decrypt_message(&out, &alice.key, &alice.cert).unwrap();
    assert!(back.ends_with(ENTITY));
    assert!(back.starts_with(b"From: alice@army.example\r\n"));
    let t = String::from_utf8_lossy(&back);
    assert!(!t.contains("pkcs7-mime"));
}

#[test]
fn kari_p256_aes128_and_ski_openssl_decrypts() {
    let pki = Pki::new("kari128");
    let alice = pki.user("alice", true);
    let opts = EncryptOptions {
        cipher: Some(ContentCipher::Aes128Cbc),
        recipient_id: RecipientIdKind::SubjectKeyIdentifier,
        ..Default::default()
    };
    let out = encrypt_message(
        MESSAGE,
        std::slice::from_ref(&alice.cert),
        &opts,
        &mut rng(),
    )
    .unwrap();
    assert_eq!(openssl_decrypts(&pki, &out, &alice, "k.eml"), ENTITY);
}

#[test]
fn ktri_oaep_openssl_decrypts() {
    let pki = Pki::new("ktri");
    let bob = pki.user("bob", false);
    // PKCS#1 v1.5 key transport is weak (algorithm policy) and cannot be asked for.
    for padding in [KeyTransportPadding::Oaep] {
        for id in [
            RecipientIdKind::IssuerAndSerialNumber,
            RecipientIdKind::SubjectKeyIdentifier,
        ] {
            let opts = EncryptOptions {
                rsa_padding: padding,
                recipient_id: id,
                ..Default::default()
            };
            let out = encrypt_message(MESSAGE, std::slice::from_ref(&bob.cert), &opts, &mut rng())
                .unwrap();
            assert_eq!(
                openssl_decrypts(&pki, &out, &bob, "ktri.eml"),
                ENTITY,
                "{padding:?} {id:?}"
            );
            assert!(decrypt_message(&out, &bob.key, &bob.cert)
                .unwrap()
                .ends_with(ENTITY));
        }
    }
}

#[test]
fn several_recipients_each_decrypts() {
    let pki = Pki::new("multi");
    let sender = pki.user("alice", true);
    let bob = pki.user("bob", false);
    let carol = pki.user("carol", true);
    let recipients = [bob.cert.clone(), carol.cert.clone(), sender.cert.clone()];
    for opts in [EncryptOptions::default(), EncryptOptions::gcm()] {
        let out = encrypt_message(MESSAGE, &recipients, &opts, &mut rng()).unwrap();
        for u in [&sender, &bob, &carol] {
            assert_eq!(
                openssl_decrypts(&pki, &out, u, "m.eml"),
                ENTITY,
                "{}",
                u.name
            );
            assert!(decrypt_message(&out, &u.key, &u.cert)
                .unwrap()
                .ends_with(ENTITY));
        }
    }
}

#[test]
fn auth_enveloped_gcm_openssl_decrypts() {
    let pki = Pki::new("gcm");
    let alice = pki.user("alice", true);
    let bob = pki.user("bob", false);
    for c in [ContentCipher::Aes128Gcm, ContentCipher::Aes256Gcm] {
        let opts = EncryptOptions {
            cipher: Some(c),
            ..Default::default()
        };
        let out = encrypt_message(
            MESSAGE,
            &[alice.cert.clone(), bob.cert.clone()],
            &opts,
            &mut rng(),
        )
        .unwrap();
        assert!(String::from_utf8_lossy(&out).contains("smime-type=authEnveloped-data"));
        assert_eq!(openssl_decrypts(&pki, &out, &alice, "g.eml"), ENTITY);
        assert_eq!(openssl_decrypts(&pki, &out, &bob, "g.eml"), ENTITY);
    }
}

#[test]
fn auto_mode_uses_capabilities() {
    use const_oid::ObjectIdentifier;
    let gcm256 = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.46");
    let cbc256 = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
    let mut opts = EncryptOptions {
        recipient_capabilities: vec![Some(vec![gcm256, cbc256]), Some(vec![gcm256])],
        ..Default::default()
    };
    assert_eq!(
        smime::choose_content_cipher(&opts, 2),
        ContentCipher::Aes256Gcm
    );
    opts.recipient_capabilities[1] = Some(vec![cbc256]);
    assert_eq!(
        smime::choose_content_cipher(&opts, 2),
        ContentCipher::Aes256Cbc
    );
    opts.recipient_capabilities[1] = None;
    assert_eq!(
        smime::choose_content_cipher(&opts, 2),
        ContentCipher::Aes256Cbc
    );
    opts.recipient_capabilities = vec![Some(vec![]), Some(vec![gcm256])];
    assert_eq!(
        smime::choose_content_cipher(&opts, 2),
        ContentCipher::Aes128Cbc
    );
    assert_eq!(
        smime::choose_content_cipher(&EncryptOptions::gcm(), 1),
        ContentCipher::Aes256Gcm
    );
}

#[test]
fn compressed_inside_encryption() {
    let pki = Pki::new("comp");
    let bob = pki.user("bob", false);
    let opts = EncryptOptions {
        compress: true,
        ..Default::default()
    };
    let out = encrypt_message(MESSAGE, std::slice::from_ref(&bob.cert), &opts, &mut rng()).unwrap();
    let inner = openssl_decrypts(&pki, &out, &bob, "c.eml");
    let s = String::from_utf8_lossy(&inner);
    assert!(s.starts_with(
        "Content-Type: application/pkcs7-mime; smime-type=compressed-data;\r\n name=smime.p7z\r\n"
    ));
    // OpenSSL decompresses it only when built with zlib (Debian's 3.0 is not); when it is,
    // the result must be our entity.
    std::fs::write(pki.dir.path("inner.eml"), &inner).unwrap();
    let (ok, stdout, stderr) = openssl_try(&pki.dir.0, &["cms", "-uncompress", "-in", "inner.eml"]);
    if ok {
        assert_eq!(stdout, ENTITY);
    } else {
        assert!(
            stderr.to_lowercase().contains("compress") || stderr.contains("zlib"),
            "{stderr}"
        );
    }
    // We unwrap both layers.
    let dec = decrypt_message(&out, &bob.key, &bob.cert).unwrap();
    let plain = smime::decompress_message(&dec, &smime::DecompressLimits::default()).unwrap();
    assert!(plain.ends_with(ENTITY));
    assert!(plain.starts_with(b"From: alice@army.example\r\n"));
}

fn openssl_encrypt(pki: &Pki, args: &[&str], recips: &[&User]) -> Vec<u8> {
    std::fs::write(pki.dir.path("entity.txt"), ENTITY).unwrap();
    let mut a: Vec<&str> = vec!["cms", "-encrypt", "-in", "entity.txt"];
    a.extend_from_slice(args);
    for r in recips {
        a.push("-recip");
        a.push(r.cert_path.to_str().unwrap());
    }
    openssl(&pki.dir.0, &a)
}

#[test]
fn we_decrypt_openssl_rsa_and_ec() {
    let pki = Pki::new("oss");
    let alice = pki.user("alice", true);
    let bob = pki.user("bob", false);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "des-ede3-cbc"), // OpenSSL 3.0's default content cipher
        (vec!["-aes128"], "aes-128-cbc"),
        (vec!["-aes192"], "aes-192-cbc"),
        (vec!["-aes256", "-keyid"], "aes-256-cbc"),
        (vec!["-aes-128-gcm"], "aes-128-gcm"),
        (vec!["-aes-256-gcm"], "aes-256-gcm"),
        (vec!["-des3"], "des-ede3-cbc"),
    ];
    for (args, cipher) in cases {
        let out = openssl_encrypt(&pki, &args, &[&alice, &bob]);
        for u in [&alice, &bob] {
            let dec = decrypt_message(&out, &u.key, &u.cert)
                .unwrap_or_else(|e| panic!("{args:?} for {}: {e}", u.name));
            assert_eq!(
                dec.strip_prefix(b"MIME-Version: 1.0\r\n".as_slice())
                    .unwrap_or(&dec),
                ENTITY,
                "{args:?}"
            );
        }
        // Layer-level API reports the cipher.
        let (_, body) = out.split_at(find_blank(&out));
        let der = base64_body(body);
        let d = decrypt_content_info(&der, &[(bob.key.clone(), bob.cert.clone())]).unwrap();
        assert_eq!(d.content_cipher, cipher);
        assert_eq!(d.content, ENTITY);
        // Handed over, the DER's primitive encryptedContent is read where it lies: the same.
        assert_eq!(decrypt_handed_over(der.clone(), &bob), d.content);
        let expected_kind = if cipher.ends_with("gcm") {
            EncryptedKind::AuthEnveloped
        } else {
            EncryptedKind::Enveloped
        };
        assert_eq!(d.kind, expected_kind);
        let d = decrypt_content_info(&der, &[(alice.key.clone(), alice.cert.clone())]).unwrap();
        assert!(
            d.key_management.starts_with("ecdh-sha1kdf-"),
            "{}",
            d.key_management
        );
    }
}

#[test]
fn we_decrypt_openssl_oaep_and_ber_stream() {
    let pki = Pki::new("oaep");
    let bob = pki.user("bob", false);
    std::fs::write(pki.dir.path("entity.txt"), ENTITY).unwrap();
    let bob_cert = bob.cert_path.to_str().unwrap();
    for md in ["sha1", "sha256"] {
        let oaep_md = format!("rsa_oaep_md:{md}");
        let ber = openssl(
            &pki.dir.0,
            &[
                "cms",
                "-encrypt",
                "-in",
                "entity.txt",
                "-aes256",
                "-outform",
                "DER",
                "-stream",
                "-recip",
                bob_cert,
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                &oaep_md,
            ],
        );
        // -stream writes BER with indefinite lengths and a chunked encryptedContent.
        assert_eq!(&ber[..2], &[0x30, 0x80]);
        let d = decrypt_content_info(&ber, &[(bob.key.clone(), bob.cert.clone())]).unwrap();
        assert_eq!(d.content, ENTITY);
        assert_eq!(d.key_management, "rsa-oaep");
        // Handed over, the chunked encryptedContent is gathered: the same.
        assert_eq!(decrypt_handed_over(ber, &bob), ENTITY);
    }
}

#[test]
fn wrong_key_gives_the_right_code() {
    let pki = Pki::new("wrong");
    let alice = pki.user("alice", true);
    let bob = pki.user("bob", false);
    let eve = pki.user("eve", false);
    let eve_ec = pki.user("mallory", true);
    let out = encrypt_message(
        MESSAGE,
        &[alice.cert.clone(), bob.cert.clone()],
        &EncryptOptions::default(),
        &mut rng(),
    )
    .unwrap();
    // Not a recipient at all.
    let e = decrypt_message(&out, &eve.key, &eve.cert).unwrap_err();
    assert_eq!(e.code(), "decrypt-no-recipient");
    // Bob's certificate but Eve's key: the RSA decryption fails.
    let e = decrypt_message(&out, &eve.key, &bob.cert).unwrap_err();
    assert_eq!(e.code(), "decrypt-failed");
    // Alice's certificate but another EC key: the key unwrap fails.
    let e = decrypt_message(&out, &eve_ec.key, &alice.cert).unwrap_err();
    assert_eq!(e.code(), "decrypt-failed");
    // GCM: flip one ciphertext bit → decrypt-auth-failed.
    let out = encrypt_message(
        MESSAGE,
        std::slice::from_ref(&bob.cert),
        &EncryptOptions::gcm(),
        &mut rng(),
    )
    .unwrap();
    let split = find_blank(&out);
    let mut der = base64_body(&out[split..]);
    let n = der.len();
    der[n - 20] ^= 1; // inside the ciphertext, before the 16-octet mac
    let e = decrypt_content_info(&der, &[(bob.key.clone(), bob.cert.clone())]).unwrap_err();
    assert_eq!(e.code(), "decrypt-auth-failed");
    // Not encrypted at all.
    let e = decrypt_message(MESSAGE, &bob.key, &bob.cert).unwrap_err();
    assert_eq!(e.code(), "not-encrypted");
    // No recipients.
    let e = encrypt_message(MESSAGE, &[], &EncryptOptions::default(), &mut rng()).unwrap_err();
    assert_eq!(e.code(), "encrypt-no-recipient");
}

#[test]
fn recipient_key_usage_is_enforced() {
    let pki = Pki::new("ku");
    let d = &pki.dir.0;
    std::fs::write(d.join("sign.ext"), "keyUsage=digitalSignature\n").unwrap();
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "s.key",
            "-out",
            "s.csr",
            "-subj",
            "/CN=signer",
        ],
    );
    pki.certify("s.csr", "s.pem", "sign.ext");
    let cert =
        mmhs::keys::certificates_from_pem(&std::fs::read_to_string(d.join("s.pem")).unwrap())
            .unwrap()
            .remove(0);
    let e = encrypt_message(MESSAGE, &[cert], &EncryptOptions::default(), &mut rng()).unwrap_err();
    assert_eq!(e.code(), "encrypt-recipient-invalid");
}

fn find_blank(m: &[u8]) -> usize {
    m.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| m.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
        .unwrap()
}

fn base64_body(b: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let clean: Vec<u8> = b
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .unwrap()
}
