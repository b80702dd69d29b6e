//! The `mmhs` binary's message subcommands (`inspect`, `sign`, `encrypt`, `decrypt`,
//! `verify`, `import-pkcs12`) against a throwaway OpenSSL PKI made at test time, in both
//! directions: OpenSSL verifies / decrypts what `mmhs` produces and `mmhs` verifies / decrypts
//! what `openssl cms` produces. Exit codes: 0 success/valid, 1 not valid, 2 unusable input
//! with one JSON `{code, message}` line on stderr.
#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use support::cli::{error_code, json, mmhs, mmhs_ok};
use support::pki::{ok, openssl, Alg, Pki};

const AT: &str = "2030-01-01T00:00:00Z";

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let p = Pki::new(
            "cli-smime",
            &[
                ("alice", "alice@example.mil", Alg::Rsa),
                ("bob", "bob@example.mil", Alg::Ec),
            ],
        );
        // an EC recipient needs keyAgreement (RFC 8550 §4.4.2); the shared PKI's EC users have
        // keyEncipherment, so carol is issued here.
        ok(&p.dir, &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "carol.key"]);
        ok(&p.dir, &["req", "-new", "-key", "carol.key", "-out", "carol.csr", "-subj", "/O=MMHS Test/CN=carol", "-config", "req.cnf"]);
        p.write(
            "carol.ext",
            b"basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:carol@example.mil\n",
        );
        ok(&p.dir, &["x509", "-req", "-in", "carol.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "9000", "-days", "3650", "-out", "carol.pem", "-extfile", "carol.ext"]);
        p.write("body.txt", b"Proceed to grid 123.\r\n");
        p.write(
            "msg.eml",
            b"From: Alice <alice@example.mil>\r\nTo: bob@example.mil\r\nSubject: Exercise\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <cli-1@example.mil>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMMHS-Extended-Authorisation-Info: Mon, 1 Jan 2029 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nProceed to grid 123.\r\n",
        );
        p
    })
}

#[test]
fn sign_detached_is_verified_by_openssl_and_by_mmhs() {
    let p = pki();
    let signed = mmhs_ok(
        &p.dir,
        &[
            "sign",
            "msg.eml",
            "--key",
            "alice.key",
            "--cert",
            "alice.pem",
            "--at",
            AT,
        ],
    );
    p.write("signed-detached.eml", &signed);
    assert!(String::from_utf8_lossy(&signed).contains("multipart/signed"));
    let out = openssl(
        &p.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "signed-detached.eml",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let report = json(&mmhs_ok(
        &p.dir,
        &[
            "verify",
            "signed-detached.eml",
            "--trust",
            "ca.pem",
            "--at",
            AT,
        ],
    ));
    assert_eq!(report["valid"], true, "{report:#}");
    assert_eq!(report["layers"][0], "signed");
    assert_eq!(report["signatures"][0]["emails"][0], "alice@example.mil");
}

#[test]
fn sign_opaque_ec_with_header_protection_is_verified_by_openssl() {
    let p = pki();
    let signed = mmhs_ok(
        &p.dir,
        &[
            "sign",
            "msg.eml",
            "--key",
            "bob.key",
            "--cert",
            "bob.pem",
            "--opaque",
            "--protect-headers",
            "--digest",
            "sha384",
            "--at",
            AT,
        ],
    );
    p.write("signed-opaque.eml", &signed);
    let out = openssl(
        &p.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "signed-opaque.eml",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inner = String::from_utf8_lossy(&out.stdout);
    assert!(inner.contains("forwarded=no"), "{inner}");
    assert!(inner.contains("Proceed to grid 123."));
}

#[test]
fn openssl_signed_message_verifies_and_tampering_is_not_valid() {
    let p = pki();
    ok(
        &p.dir,
        &[
            "cms",
            "-sign",
            "-in",
            "body.txt",
            "-text",
            "-signer",
            "bob.pem",
            "-inkey",
            "bob.key",
            "-from",
            "bob@example.mil",
            "-to",
            "alice@example.mil",
            "-subject",
            "Exercise",
            "-out",
            "ossl-signed.eml",
        ],
    );
    let report = json(&mmhs_ok(
        &p.dir,
        &["verify", "ossl-signed.eml", "--trust", "ca.pem", "--at", AT],
    ));
    assert_eq!(report["valid"], true, "{report:#}");

    let tampered = p.read("ossl-signed.eml").replace("grid 123", "grid 999");
    p.write("ossl-tampered.eml", tampered.as_bytes());
    let out = mmhs(
        &p.dir,
        &[
            "verify",
            "ossl-tampered.eml",
            "--trust",
            "ca.pem",
            "--at",
            AT,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out.stdout);
    assert_eq!(report["valid"], false);
    assert!(!report["problems"].as_array().unwrap().is_empty());
}

#[test]
fn verify_against_the_wrong_root_is_not_valid() {
    let p = pki();
    let signed = mmhs_ok(
        &p.dir,
        &[
            "sign", "msg.eml", "--key", "bob.key", "--cert", "bob.pem", "--at", AT,
        ],
    );
    p.write("signed-bob.eml", &signed);
    // bob.pem is not a CA: nothing chains to it
    let out = mmhs(
        &p.dir,
        &[
            "verify",
            "signed-bob.eml",
            "--trust",
            "alice.pem",
            "--at",
            AT,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out.stdout)["valid"], false);
}

#[test]
fn encrypt_is_decrypted_by_openssl_and_mmhs() {
    let p = pki();
    for gcm in [false, true] {
        let mut args = vec![
            "encrypt",
            "msg.eml",
            "--to",
            "alice.pem",
            "--to",
            "carol.pem",
        ];
        if gcm {
            args.push("--gcm");
        }
        let enc = mmhs_ok(&p.dir, &args);
        let name = format!("enc-{gcm}.eml");
        p.write(&name, &enc);
        // OpenSSL decrypts with the RSA (KTRI) and the EC (KARI) recipient.
        for who in ["alice", "carol"] {
            let out = openssl(
                &p.dir,
                &[
                    "cms",
                    "-decrypt",
                    "-in",
                    &name,
                    "-recip",
                    &format!("{who}.pem"),
                    "-inkey",
                    &format!("{who}.key"),
                ],
            );
            assert!(
                out.status.success(),
                "{who} gcm={gcm}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("Proceed to grid 123."));
        }
        let dec = mmhs_ok(
            &p.dir,
            &[
                "decrypt",
                &name,
                "--key",
                "carol.key",
                "--cert",
                "carol.pem",
            ],
        );
        assert!(String::from_utf8_lossy(&dec).contains("Proceed to grid 123."));
    }
}

#[test]
fn openssl_encrypted_message_is_decrypted_and_verify_unwraps_it() {
    let p = pki();
    ok(
        &p.dir,
        &[
            "cms",
            "-encrypt",
            "-in",
            "msg.eml",
            "-aes256",
            "-out",
            "ossl-enc.eml",
            "carol.pem",
        ],
    );
    let dec = mmhs_ok(
        &p.dir,
        &[
            "decrypt",
            "ossl-enc.eml",
            "--key",
            "carol.key",
            "--cert",
            "carol.pem",
        ],
    );
    assert!(String::from_utf8_lossy(&dec).contains("Proceed to grid 123."));

    // sign then encrypt; verify with the decryption key sees both layers
    let signed = mmhs_ok(
        &p.dir,
        &[
            "sign",
            "msg.eml",
            "--key",
            "alice.key",
            "--cert",
            "alice.pem",
            "--at",
            AT,
        ],
    );
    p.write("se-signed.eml", &signed);
    let enc = mmhs_ok(&p.dir, &["encrypt", "se-signed.eml", "--to", "carol.pem"]);
    p.write("se.eml", &enc);
    let out = mmhs(
        &p.dir,
        &[
            "verify",
            "se.eml",
            "--trust",
            "ca.pem",
            "--key",
            "carol.key",
            "--cert",
            "carol.pem",
            "--at",
            AT,
        ],
    );
    let report = json(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(
        report["layers"],
        serde_json::json!(["enveloped", "signed"]),
        "{report:#}"
    );
    assert_eq!(report["signatures"][0]["valid"], true, "{report:#}");
    // decrypt, then verify the signed message inside
    let dec = mmhs_ok(
        &p.dir,
        &[
            "decrypt",
            "se.eml",
            "--key",
            "carol.key",
            "--cert",
            "carol.pem",
        ],
    );
    p.write("se-dec.eml", &dec);
    let report = json(&mmhs_ok(
        &p.dir,
        &["verify", "se-dec.eml", "--trust", "ca.pem", "--at", AT],
    ));
    assert_eq!(report["signatures"][0]["valid"], true, "{report:#}");
}

#[test]
fn decrypt_with_the_wrong_key_is_a_typed_error() {
    let p = pki();
    let enc = mmhs_ok(&p.dir, &["encrypt", "msg.eml", "--to", "alice.pem"]);
    p.write("enc-alice.eml", &enc);
    let out = mmhs(
        &p.dir,
        &[
            "decrypt",
            "enc-alice.eml",
            "--key",
            "carol.key",
            "--cert",
            "carol.pem",
        ],
    );
    assert_eq!(error_code(&out), "decrypt-no-recipient");
}

#[test]
fn unusable_input_exits_2_with_a_json_error() {
    let p = pki();
    let out = mmhs(&p.dir, &["verify", "no-such.eml", "--trust", "ca.pem"]);
    assert_eq!(error_code(&out), "file-unreadable");
    let out = mmhs(&p.dir, &["inspect", "msg.eml", "--at", "yesterday"]);
    assert_eq!(error_code(&out), "time-invalid");
    let out = mmhs(
        &p.dir,
        &["sign", "msg.eml", "--key", "alice.key", "--cert", "bob.pem"],
    );
    assert_eq!(error_code(&out), "signer-key-invalid");
    let out = mmhs(&p.dir, &["sign", "msg.eml", "--cert", "bob.pem"]);
    assert_eq!(error_code(&out), "args-invalid");
    // clap usage errors: exit 2 too
    let out = mmhs(&p.dir, &["verify", "msg.eml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = mmhs(&p.dir, &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "compose",
        "inspect",
        "sign",
        "encrypt",
        "decrypt",
        "verify",
        "countersign",
        "release",
        "release-gate",
        "mixer",
        "audit",
        "import-pkcs12",
        "serve",
    ] {
        assert!(help.contains(cmd), "--help lists {cmd}");
    }
}

#[test]
fn inspect_prints_the_mmhs_view() {
    let p = pki();
    let view = json(&mmhs_ok(&p.dir, &["inspect", "msg.eml", "--at", AT]));
    let text = view.to_string();
    assert!(text.contains("flash"), "{view:#}");
}

fn p12(p: &Pki, name: &str, legacy: bool) {
    p.write("p12pass.txt", b"s3cret pass\n");
    let mut args = vec![
        "pkcs12",
        "-export",
        "-inkey",
        "bob.key",
        "-in",
        "bob.pem",
        "-certfile",
        "ca.pem",
        "-passout",
        "pass:s3cret pass",
        "-out",
        name,
    ];
    if legacy {
        args.push("-legacy");
    }
    ok(&p.dir, &args);
}

#[test]
fn import_pkcs12_default_and_legacy_then_sign_with_the_encrypted_key() {
    let p = pki();
    for legacy in [false, true] {
        let file = format!("bob-{legacy}.p12");
        p12(p, &file, legacy);
        let key = format!("bob-{legacy}.enc.pem");
        let imported = json(&mmhs_ok(
            &p.dir,
            &[
                "import-pkcs12",
                &file,
                "--password-file",
                "p12pass.txt",
                "--iterations",
                "10000",
                "--key-out",
                &key,
                "--cert-out",
                "bob-p12-cert.pem",
            ],
        ));
        let pem = imported["encryptedPkcs8"].as_str().unwrap();
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{imported:#}"
        );
        assert_eq!(imported["emails"][0], "bob@example.mil");
        assert_eq!(imported["chain"].as_array().unwrap().len(), 1);
        // OpenSSL reads the exported key with the password
        ok(
            &p.dir,
            &["pkey", "-in", &key, "-passin", "pass:s3cret pass", "-noout"],
        );
        // and mmhs signs with it
        let signed = mmhs_ok(
            &p.dir,
            &[
                "sign",
                "msg.eml",
                "--key",
                &key,
                "--password-file",
                "p12pass.txt",
                "--cert",
                "bob-p12-cert.pem",
                "--at",
                AT,
            ],
        );
        p.write("p12-signed.eml", &signed);
        let out = openssl(
            &p.dir,
            &[
                "cms",
                "-verify",
                "-in",
                "p12-signed.eml",
                "-CAfile",
                "ca.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // the p12 directly as signer
    let signed = mmhs_ok(
        &p.dir,
        &[
            "sign",
            "msg.eml",
            "--p12",
            "bob-false.p12",
            "--password-file",
            "p12pass.txt",
            "--at",
            AT,
        ],
    );
    assert!(!signed.is_empty());
    // a wrong password
    p.write("wrong.txt", b"nope\n");
    let out = mmhs(
        &p.dir,
        &[
            "import-pkcs12",
            "bob-false.p12",
            "--password-file",
            "wrong.txt",
        ],
    );
    assert_eq!(error_code(&out), "pkcs12-bad-password");
    let out = mmhs(&p.dir, &["import-pkcs12", "bob-false.p12"]);
    assert_eq!(error_code(&out), "args-invalid");
}

#[test]
fn compose_signs_with_the_key_flags_and_openssl_verifies() {
    let p = pki();
    p.write(
        "signed-request.json",
        br#"{"from": "alice@example.mil", "to": ["bob@example.mil"], "subject": "Signed order",
            "primaryPrecedence": "flash", "body": "Hold position.\n", "sign": true}"#,
    );
    let out = mmhs_ok(
        &p.dir,
        &[
            "compose",
            "signed-request.json",
            "--out",
            "composed",
            "--now",
            "2029-06-01T00:00:00Z",
            "--key",
            "alice.key",
            "--cert",
            "alice.pem",
        ],
    );
    assert_eq!(json(&out).as_array().unwrap().len(), 1);
    let o = openssl(
        &p.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "composed/01.eml",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = json(&mmhs_ok(
        &p.dir,
        &["verify", "composed/01.eml", "--trust", "ca.pem", "--at", AT],
    ));
    assert_eq!(report["valid"], true, "{report:#}");
}
