//! Third-party encrypted / compressed CMS vectors (see tests/vectors/*/PROVENANCE.md) and
//! what each must conclude.
#![cfg(not(target_arch = "wasm32"))]

use mmhs::error::Coded;
use mmhs::keys::{
    certificates_from_der_or_pem, certificates_from_pem, import_encrypted_pkcs8, import_pkcs12,
    key_matches_certificate, PrivateKey,
};
use mmhs::smime::{
    decompress_content_info, decrypt_content_info, decrypt_message, DecompressLimits, EncryptedKind,
};
use x509_cert::Certificate;

const SAMPLE: &[u8] = b"This is some sample content.";

fn lf(b: &[u8]) -> Vec<u8> {
    b.iter().copied().filter(|c| *c != b'\r').collect()
}

fn cert_der(b: &[u8]) -> Certificate {
    certificates_from_der_or_pem(b).unwrap().remove(0)
}

fn rfc4134_bob() -> (PrivateKey, Certificate) {
    (
        PrivateKey::from_pkcs8_der(include_bytes!("vectors/rfc4134/BobPrivRSAEncrypt.pri"))
            .unwrap(),
        cert_der(include_bytes!("vectors/rfc4134/BobRSASignByCarl.cer")),
    )
}

#[test]
fn rfc4134_5_1_ktri_3des() {
    let d =
        decrypt_content_info(include_bytes!("vectors/rfc4134/5.1.bin"), &[rfc4134_bob()]).unwrap();
    assert_eq!(d.content, SAMPLE);
    assert_eq!(d.content_cipher, "des-ede3-cbc");
    assert_eq!(d.kind, EncryptedKind::Enveloped);
}

#[test]
fn rfc4134_5_2_rc2_is_a_clean_unsupported_algorithm() {
    let e = decrypt_content_info(include_bytes!("vectors/rfc4134/5.2.bin"), &[rfc4134_bob()])
        .unwrap_err();
    assert_eq!(e.code(), "unsupported-algorithm");
}

#[test]
fn rfc4134_5_3_eml() {
    let (k, c) = rfc4134_bob();
    let out = decrypt_message(include_bytes!("vectors/rfc4134/5.3.eml"), &k, &c).unwrap();
    assert!(out.ends_with(SAMPLE), "{}", String::from_utf8_lossy(&out));
}

fn rfc9216_bob() -> (PrivateKey, Certificate) {
    (
        PrivateKey::from_pem(include_str!("vectors/rfc9216/lamps-bob.decrypt.p8.pem")).unwrap(),
        cert_der(include_bytes!(
            "vectors/rfc9216-certs/bob@smime.example.enc.pem"
        )),
    )
}

#[test]
fn rfc9216_bob_rsa_oaep() {
    let d = decrypt_content_info(
        include_bytes!("vectors/rfc9216/encryptedForBobRSAOaep.p7m"),
        &[rfc9216_bob()],
    )
    .unwrap();
    assert_eq!(lf(&d.content), SAMPLE);
    assert_eq!(d.key_management, "rsa-oaep");
}

#[test]
fn rfc9216_bob_and_dana_bob_decrypts() {
    // Bob's KTRI (OAEP) opens it; Dana's X25519 KARI is beside it (X25519 keys are not
    // supported by PrivateKey, so Dana is not tested).
    let d = decrypt_content_info(
        include_bytes!("vectors/rfc9216/encryptedForBobAndDana.p7m"),
        &[rfc9216_bob()],
    )
    .unwrap();
    assert_eq!(lf(&d.content), SAMPLE);
    assert_eq!(d.recipient_count, 2);
    assert!(
        PrivateKey::from_pem(include_str!("vectors/rfc9216/lamps-dana.decrypt.p8.pem")).is_err()
    );
}

#[test]
fn rfc9216_chacha20_poly1305_is_unsupported() {
    let e = decrypt_content_info(
        include_bytes!("vectors/rfc9216/authEnvelopedForBobChaCha20Poly1305.p7m"),
        &[rfc9216_bob()],
    )
    .unwrap_err();
    assert_eq!(e.code(), "unsupported-algorithm");
    // Dana-only X25519+HKDF message: Bob is not a recipient.
    let e = decrypt_content_info(
        include_bytes!("vectors/rfc9216/authEnvelopedForDanaX25519HKDF.p7m"),
        &[rfc9216_bob()],
    )
    .unwrap_err();
    assert_eq!(e.code(), "decrypt-no-recipient");
}

#[test]
fn openssl_1_1_1_kari_p256_3des_wrap() {
    let pem = include_str!("vectors/openssl-envelope/smec3.pem");
    let key = PrivateKey::from_pem(pem).unwrap();
    let cert = certificates_from_pem(pem).unwrap().remove(0);
    let out = decrypt_message(
        include_bytes!("vectors/openssl-envelope/ciphertext_from_1_1_1.cms"),
        &key,
        &cert,
    )
    .unwrap();
    let content = include_bytes!("vectors/openssl-envelope/smcont.txt");
    assert!(
        lf(&out).ends_with(&lf(content)),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn covert_content_original_mail() {
    let key = import_encrypted_pkcs8(
        include_str!("vectors/covert/manager@bigcorporation.key"),
        "test12345678",
    )
    .unwrap();
    let cert = cert_der(include_bytes!("vectors/covert/manager@bigcorporation.crt"));
    assert!(key_matches_certificate(&key, &cert));
    let out = decrypt_message(
        include_bytes!("vectors/covert/00-original-mail.eml"),
        &key,
        &cert,
    )
    .unwrap();
    let s = String::from_utf8_lossy(&out);
    assert!(
        s.starts_with("Subject: Testcase 'original-email' (S/MIME)"),
        "{s}"
    );
    assert!(s.to_ascii_lowercase().contains("content-type:"), "{s}");
    assert!(!s.contains("application/pkcs7-mime"));
    // The same ciphertext embedded in a multipart reply must not be auto-decrypted
    // (EFAIL-style decryption oracle): only a top-level encrypted body is opened.
    let e = decrypt_message(
        include_bytes!("vectors/covert/01-reply-mix-822.eml"),
        &key,
        &cert,
    )
    .unwrap_err();
    assert_eq!(e.code(), "not-encrypted");
    // The .pfx holds the same key and certificate.
    let b = import_pkcs12(
        include_bytes!("vectors/covert/manager@bigcorporation.pfx"),
        "test12345678",
    )
    .unwrap();
    assert_eq!(b.cert, cert);
    assert_eq!(
        import_encrypted_pkcs8(
            include_str!("vectors/covert/manager@bigcorporation.key"),
            "nope"
        )
        .unwrap_err()
        .code(),
        "key-bad-password"
    );
}

fn autocrypt_bob() -> (PrivateKey, Certificate) {
    let armoured = include_str!("vectors/autocrypt/bob.p12");
    let (label, der) = mmhs::keys::pem_blocks(armoured).next().unwrap().unwrap();
    assert_eq!(label, "PKCS12");
    let b = import_pkcs12(&der, "bob").unwrap();
    assert_eq!(
        import_pkcs12(&der, "alice").unwrap_err().code(),
        "pkcs12-bad-password"
    );
    (b.key, b.cert)
}

#[test]
fn autocrypt_bob_p12_decrypts_the_samples() {
    let (key, cert) = autocrypt_bob();
    for (eml, inner) in [
        (
            &include_bytes!("vectors/header-protection/autocrypt-smime-sign+enc.eml")[..],
            &include_bytes!("vectors/autocrypt/smime-sign+enc.inner")[..],
        ),
        (
            &include_bytes!("vectors/header-protection/autocrypt-smime-enc+legacy-disp.eml")[..],
            &include_bytes!("vectors/header-protection/autocrypt-smime-enc+legacy-disp.inner")[..],
        ),
    ] {
        let out = decrypt_message(eml, &key, &cert).unwrap();
        let (out, inner) = (lf(&out), lf(inner));
        // The published ".inner" is the decrypted entity (sometimes with the protected
        // header fields at its top); ours is outer fields + that entity.
        let body_start = |m: &[u8]| m.windows(2).position(|w| w == b"\n\n").unwrap();
        assert_eq!(
            &out[body_start(&out)..],
            &inner[body_start(&inner)..],
            "{}",
            String::from_utf8_lossy(&out)
        );
    }
}

#[test]
fn rustcrypto_compressed_data() {
    let out = decompress_content_info(
        include_bytes!("vectors/rustcrypto/compressed_data.bin"),
        &DecompressLimits::default(),
    )
    .unwrap();
    assert_eq!(out, include_bytes!("vectors/rustcrypto/data.txt"));
}

#[test]
fn rustcrypto_example_pfx_rc2_40() {
    let b = import_pkcs12(include_bytes!("vectors/rustcrypto/example.pfx"), "hunter42").unwrap();
    assert!(key_matches_certificate(&b.key, &b.cert));
}

#[test]
fn rustcrypto_others_are_not_for_us() {
    let ours = (
        PrivateKey::from_pkcs8_der(include_bytes!("vectors/rustcrypto/p256-priv.der")).unwrap(),
        rfc9216_bob().1,
    );
    for (name, blob) in [
        (
            "kari P-384",
            &include_bytes!("vectors/rustcrypto/enveloped_data_kari.bin")[..],
        ),
        (
            "ktri",
            &include_bytes!("vectors/rustcrypto/enveloped_data_ktri.bin")[..],
        ),
        (
            "kekri",
            &include_bytes!("vectors/rustcrypto/enveloped_data_kekri.bin")[..],
        ),
        (
            "AWS KMS BER",
            &include_bytes!("vectors/rustcrypto/kms_ciphertext_for_recipient_1.ber")[..],
        ),
    ] {
        let e = decrypt_content_info(blob, std::slice::from_ref(&ours)).unwrap_err();
        assert!(
            matches!(e.code(), "decrypt-no-recipient" | "unsupported-algorithm"),
            "{name}: {e}"
        );
    }
}
