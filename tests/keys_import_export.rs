//! Key import/export: PKCS#12 from `openssl pkcs12 -export` (OpenSSL 3 default PBES2 and
//! `-legacy` 3DES/RC2-40), encrypted PKCS#8 round trips and OpenSSL interop, PEM
//! certificate lists, and the error codes for wrong passwords.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::interop as pki;

use mmhs::error::Coded;
use mmhs::keys::{
    certificates_from_pem, export_encrypted_pkcs8_with_iterations, import_encrypted_pkcs8,
    import_pkcs12, key_matches_certificate, PrivateKey,
};
use pki::{openssl, openssl_try, Pki};

fn rng() -> mmhs::rng::SystemRng {
    mmhs::rng::system_rng()
}

#[test]
fn pkcs12_default_and_legacy_import() {
    let pki = Pki::new("p12");
    for ec in [false, true] {
        let u = pki.user(if ec { "alice" } else { "bob" }, ec);
        let key = u.key_path.to_str().unwrap();
        let cert = u.cert_path.to_str().unwrap();
        for legacy in [false, true] {
            let mut args = vec![
                "pkcs12",
                "-export",
                "-inkey",
                key,
                "-in",
                cert,
                "-certfile",
                "ca.pem",
                "-passout",
                "pass:s3cret \u{e9}t\u{e9}",
                "-out",
                "u.p12",
                "-name",
                "user",
            ];
            if legacy {
                args.push("-legacy");
            }
            openssl(&pki.dir.0, &args);
            let der = std::fs::read(pki.dir.path("u.p12")).unwrap();
            let b = import_pkcs12(&der, "s3cret \u{e9}t\u{e9}")
                .unwrap_or_else(|e| panic!("ec={ec} legacy={legacy}: {e}"));
            assert_eq!(b.cert, u.cert);
            assert!(key_matches_certificate(&b.key, &b.cert));
            assert_eq!(b.chain.len(), 1, "the CA certificate");
            let e = import_pkcs12(&der, "wrong").unwrap_err();
            assert_eq!(e.code(), "pkcs12-bad-password");
        }
    }
}

#[test]
fn pkcs12_with_sha256_mac_and_empty_password() {
    let pki = Pki::new("p12b");
    let u = pki.user("bob", false);
    openssl(
        &pki.dir.0,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            u.key_path.to_str().unwrap(),
            "-in",
            u.cert_path.to_str().unwrap(),
            "-passout",
            "pass:",
            "-macalg",
            "sha512",
            "-out",
            "e.p12",
        ],
    );
    let der = std::fs::read(pki.dir.path("e.p12")).unwrap();
    let b = import_pkcs12(&der, "").unwrap();
    assert_eq!(b.cert, u.cert);
    assert!(b.chain.is_empty());
}

#[test]
fn pkcs12_garbage_is_malformed() {
    assert_eq!(
        import_pkcs12(b"not a pfx", "x").unwrap_err().code(),
        "pkcs12-malformed"
    );
    assert_eq!(
        import_pkcs12(&[0x30, 0x03, 0x02, 0x01, 0x03], "x")
            .unwrap_err()
            .code(),
        "pkcs12-malformed"
    );
}

#[test]
fn encrypted_pkcs8_round_trip_and_openssl_reads_it() {
    let pki = Pki::new("p8");
    for ec in [false, true] {
        let u = pki.user(if ec { "alice" } else { "bob" }, ec);
        let pem =
            export_encrypted_pkcs8_with_iterations(&u.key, "correct horse", 20_000, &mut rng())
                .unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        let back = import_encrypted_pkcs8(&pem, "correct horse").unwrap();
        assert!(key_matches_certificate(&back, &u.cert));
        assert_eq!(
            import_encrypted_pkcs8(&pem, "wrong").unwrap_err().code(),
            "key-bad-password"
        );
        // OpenSSL decrypts our export to the same key.
        std::fs::write(pki.dir.path("enc.pem"), &pem).unwrap();
        let plain = openssl(
            &pki.dir.0,
            &["pkey", "-in", "enc.pem", "-passin", "pass:correct horse"],
        );
        let k = PrivateKey::from_pem(&String::from_utf8(plain).unwrap()).unwrap();
        assert!(key_matches_certificate(&k, &u.cert));
        // And we read what OpenSSL encrypts: PBES2 default, and the legacy PBE-SHA1-3DES.
        for v in [&["-v2", "aes-256-cbc"][..], &["-v1", "PBE-SHA1-3DES"][..]] {
            let mut args = vec![
                "pkcs8",
                "-topk8",
                "-in",
                u.key_path.to_str().unwrap(),
                "-passout",
                "pass:pw",
            ];
            args.extend_from_slice(v);
            let (ok, out, err) = openssl_try(&pki.dir.0, &args);
            assert!(ok, "{err}");
            let k = import_encrypted_pkcs8(&String::from_utf8(out).unwrap(), "pw").unwrap();
            assert!(key_matches_certificate(&k, &u.cert), "{v:?}");
        }
    }
}

#[test]
fn certificates_from_pem_reads_chains() {
    let pki = Pki::new("pem");
    let u = pki.user("bob", false);
    let mut text = std::fs::read_to_string(&u.cert_path).unwrap();
    text.push_str("junk between blocks\n");
    text.push_str(&std::fs::read_to_string(pki.dir.path("ca.pem")).unwrap());
    text.push_str(&std::fs::read_to_string(&u.key_path).unwrap());
    let certs = certificates_from_pem(&text).unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0], u.cert);
    assert_eq!(
        certificates_from_pem("no pem here").unwrap_err().code(),
        "certificate-missing"
    );
    let e = import_encrypted_pkcs8("nothing", "x").unwrap_err();
    assert_eq!(e.code(), "keys-malformed");
}
