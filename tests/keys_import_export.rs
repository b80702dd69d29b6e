//! Key import/export: PKCS#12 from `openssl pkcs12 -export` (OpenSSL 3 default PBES2 and
//! `-legacy` 3DES/RC2-40), our PKCS#12 export read back by us and by `openssl pkcs12`,
//! encrypted PKCS#8 round trips and OpenSSL interop, PEM certificate lists, and the error
//! codes for wrong passwords.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::interop as pki;

use mmhs::error::Coded;
use mmhs::keys::{
    begin_import_encrypted_pkcs8, certificates_from_pem, export_encrypted_pkcs8_with_iterations,
    export_pkcs12, import_encrypted_pkcs8, import_pkcs12, key_matches_certificate, Pbkdf2Hash,
    PrivateKey,
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
fn pkcs12_export_round_trips_and_openssl_reads_it() {
    let pki = Pki::new("p12x");
    let ca_pem = std::fs::read_to_string(pki.dir.path("ca.pem")).unwrap();
    let ca = certificates_from_pem(&ca_pem).unwrap().remove(0);
    for ec in [false, true] {
        let u = pki.user(if ec { "alice" } else { "bob" }, ec);
        let pw = "pw-1 \u{e9}";
        let der = export_pkcs12(
            &u.key,
            &u.cert,
            std::slice::from_ref(&ca),
            "alice",
            pw,
            &mut rng(),
        )
        .unwrap();
        // Our importer reads it back whole.
        let b = import_pkcs12(&der, pw).unwrap();
        assert_eq!(b.cert, u.cert);
        assert_eq!(b.chain, vec![ca.clone()]);
        assert!(key_matches_certificate(&b.key, &u.cert));
        assert_eq!(
            import_pkcs12(&der, "wrong").unwrap_err().code(),
            "pkcs12-bad-password"
        );
        // A flipped octet in the AuthenticatedSafe fails the MAC (or the parse), never
        // yields a key.
        let mut bad = der.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 0x01;
        assert!(import_pkcs12(&bad, pw).is_err());
        // OpenSSL verifies the MAC, decrypts the key and finds both certificates.
        std::fs::write(pki.dir.path("x.p12"), &der).unwrap();
        let out = openssl(
            &pki.dir.0,
            &[
                "pkcs12",
                "-in",
                "x.p12",
                "-passin",
                &format!("pass:{pw}"),
                "-nodes",
            ],
        );
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out.matches("-----BEGIN CERTIFICATE-----").count(),
            2,
            "{out}"
        );
        assert!(out.contains("friendlyName: alice"), "{out}");
        let k = PrivateKey::from_pem(&out).unwrap();
        assert!(key_matches_certificate(&k, &u.cert));
        let (ok, _, _) = openssl_try(
            &pki.dir.0,
            &["pkcs12", "-in", "x.p12", "-passin", "pass:wrong", "-nodes"],
        );
        assert!(!ok, "OpenSSL must refuse the wrong password");
    }
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

/// `openssl pkcs8 -topk8` of `key` with the password "pw" and `extra` options: the PEM.
fn openssl_pkcs8(pki: &Pki, key: &std::path::Path, extra: &[&str]) -> String {
    let mut args = vec![
        "pkcs8",
        "-topk8",
        "-in",
        key.to_str().unwrap(),
        "-passout",
        "pass:pw",
    ];
    args.extend_from_slice(extra);
    let (ok, out, err) = openssl_try(&pki.dir.0, &args);
    assert!(ok, "{err}");
    String::from_utf8(out).unwrap()
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
            let k = import_encrypted_pkcs8(&openssl_pkcs8(&pki, &u.key_path, v), "pw").unwrap();
            assert!(key_matches_certificate(&k, &u.cert), "{v:?}");
        }
    }
}

/// PBKDF2 (RFC 8018 §5.2) written out, as a provider would answer.
fn pbkdf2(hash: Pbkdf2Hash, password: &[u8], salt: &[u8], iterations: u32, len: usize) -> Vec<u8> {
    macro_rules! with {
        ($d:ty) => {{
            use hmac::{KeyInit, Mac};
            let prf = |data: &[&[u8]]| {
                let mut mac = <hmac::Hmac<$d> as KeyInit>::new_from_slice(password).unwrap();
                for d in data {
                    mac.update(d);
                }
                mac.finalize().into_bytes().to_vec()
            };
            let mut out = Vec::new();
            for block in 1u32.. {
                let mut u = prf(&[salt, &block.to_be_bytes()]);
                let mut t = u.clone();
                for _ in 1..iterations {
                    u = prf(&[&u]);
                    t.iter_mut().zip(&u).for_each(|(a, b)| *a ^= b);
                }
                out.extend_from_slice(&t);
                if out.len() >= len {
                    break;
                }
            }
            out.truncate(len);
            out
        }};
    }
    match hash {
        Pbkdf2Hash::Sha256 => with!(sha2::Sha256),
        Pbkdf2Hash::Sha384 => with!(sha2::Sha384),
        Pbkdf2Hash::Sha512 => with!(sha2::Sha512),
    }
}

/// A stored key opened in steps — PBKDF2 by a provider, AES-CBC and PKCS#8 by the core — is
/// the key the whole import opens, for our export and OpenSSL's PBES2 variants; a wrong
/// password's derivation is `key-bad-password` as in the whole import; what the steps do not
/// cover (scrypt, the legacy PBEs, a plain key, SHA-224) is left to the whole import.
#[test]
fn encrypted_pkcs8_in_steps_opens_what_the_whole_import_opens() {
    let pki = Pki::new("p8-steps");
    let u = pki.user("carol", true);
    let ours = export_encrypted_pkcs8_with_iterations(&u.key, "pw", 10_000, &mut rng()).unwrap();
    let mut keys = vec![(ours, Some((Pbkdf2Hash::Sha256, 32)))];
    for (cipher, prf, expect) in [
        (
            "aes-128-cbc",
            "hmacWithSHA256",
            Some((Pbkdf2Hash::Sha256, 16)),
        ),
        (
            "aes-192-cbc",
            "hmacWithSHA384",
            Some((Pbkdf2Hash::Sha384, 24)),
        ),
        (
            "aes-256-cbc",
            "hmacWithSHA512",
            Some((Pbkdf2Hash::Sha512, 32)),
        ),
        ("aes-256-cbc", "hmacWithSHA224", None),
        ("des3", "hmacWithSHA256", None),
    ] {
        let v2 = ["-v2", cipher, "-v2prf", prf, "-iter", "10000"];
        keys.push((openssl_pkcs8(&pki, &u.key_path, &v2), expect));
    }
    for v in [&["-scrypt"][..], &["-v1", "PBE-SHA1-3DES"][..]] {
        keys.push((openssl_pkcs8(&pki, &u.key_path, v), None));
    }
    let plain = std::fs::read_to_string(&u.key_path).unwrap();
    keys.push((plain, None));
    // hmacWithSHA1: neither way (pkcs5 without its `sha1-insecure` PRF).
    let v2 = ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1"];
    let sha1 = openssl_pkcs8(&pki, &u.key_path, &v2);
    assert!(begin_import_encrypted_pkcs8(&sha1).is_none());
    assert!(import_encrypted_pkcs8(&sha1, "pw").is_err());
    for (pem, expect) in keys {
        let whole = import_encrypted_pkcs8(&pem, "pw").unwrap();
        let Some(pending) = begin_import_encrypted_pkcs8(&pem) else {
            assert_eq!(expect, None, "{pem}");
            continue;
        };
        let req = pending.request().clone();
        assert_eq!(Some((req.hash, req.key_len)), expect);
        assert_eq!(req.iterations, 10_000);
        let derived = pbkdf2(req.hash, b"pw", &req.salt, req.iterations, req.key_len);
        let key = pending.finish(&derived).unwrap();
        assert_eq!(
            key.to_pkcs8_der().unwrap().as_bytes(),
            whole.to_pkcs8_der().unwrap().as_bytes()
        );
        // A wrong password: the derivation gives another key, the padding or the PKCS#8
        // does not come out.
        let wrong = pbkdf2(req.hash, b"wrong", &req.salt, req.iterations, req.key_len);
        let err = begin_import_encrypted_pkcs8(&pem)
            .unwrap()
            .finish(&wrong)
            .unwrap_err();
        assert_eq!(
            err.code(),
            import_encrypted_pkcs8(&pem, "wrong").unwrap_err().code()
        );
        assert_eq!(err.code(), "key-bad-password");
        // A provider answering with the wrong length is refused, not taken for a key.
        let short = begin_import_encrypted_pkcs8(&pem)
            .unwrap()
            .finish(&derived[1..]);
        assert!(short.is_err());
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
