//! A throwaway PKI made with the openssl CLI at test time (no private key is ever committed):
//! a root CA and end-entity S/MIME certificates (RSA-2048 or P-256, emailProtection EKU, SAN
//! rfc822Name; keyEncipherment for RSA, keyAgreement for P-256), valid for ten years.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A PKI in a temporary directory.
pub struct Pki {
    /// The directory holding `ca.pem`, `<name>.key`, `<name>.pem`.
    pub dir: PathBuf,
}

/// Key algorithm of an end entity.
#[derive(Clone, Copy)]
pub enum Alg {
    /// RSA-2048.
    Rsa,
    /// ECDSA / ECDH P-256.
    Ec,
}

pub fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI")
}

pub fn ok(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

impl Pki {
    /// Make a CA and the given end entities `(name, email, alg)`.
    pub fn new(tag: &str, people: &[(&str, &str, Alg)]) -> Pki {
        let dir = std::env::temp_dir().join(format!("mmhs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ca.cnf"),
            "[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
        )
        .unwrap();
        std::fs::write(dir.join("req.cnf"), "[req]\ndistinguished_name=dn\n[dn]\n").unwrap();
        ok(
            &dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/O=MMHS Test/CN=Test Root",
                "-days",
                "3650",
                "-config",
                "ca.cnf",
            ],
        );
        let pki = Pki { dir };
        for (i, (name, email, alg)) in people.iter().enumerate() {
            pki.issue(name, email, *alg, ("ca.pem", "ca.key"), 4096 + i);
        }
        pki
    }

    /// Issue the end entity `name` (`<name>.key`, `<name>.pem`, `<name>.pub`) under the CA
    /// whose certificate and key files are `ca`.
    pub fn issue(&self, name: &str, email: &str, alg: Alg, ca: (&str, &str), serial: usize) {
        let dir = &self.dir;
        let key = format!("{name}.key");
        match alg {
            Alg::Rsa => ok(
                dir,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                    "-out",
                    &key,
                ],
            ),
            Alg::Ec => ok(
                dir,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    &key,
                ],
            ),
        };
        ok(
            dir,
            &[
                "req",
                "-new",
                "-key",
                &key,
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/O=MMHS Test/CN={name}"),
                "-config",
                "req.cnf",
            ],
        );
        std::fs::write(
            dir.join(format!("{name}.ext")),
            format!("basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation,{}\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:{email}\n",
                // RSA transports keys (KTRI), P-256 agrees on them (KARI, RFC 5753).
                match alg { Alg::Rsa => "keyEncipherment", Alg::Ec => "keyAgreement" }),
        )
        .unwrap();
        ok(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                ca.0,
                "-CAkey",
                ca.1,
                "-set_serial",
                &serial.to_string(),
                "-days",
                "3650",
                "-out",
                &format!("{name}.pem"),
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
        ok(
            dir,
            &[
                "pkey",
                "-in",
                &key,
                "-pubout",
                "-out",
                &format!("{name}.pub"),
            ],
        );
    }

    /// The path-building attack material: `n` self-issued CA certificates that all have the
    /// subject and issuer `/O=MMHS Test/CN=Loop CA` and one P-256 key (so every one verifies as
    /// the issuer of every other, RFC 5280 §6.1 name chaining and AKI/SKI both agreeing),
    /// none issued by the root, and the end entity `loop` (`loop@army.example`) issued under
    /// that name. Returns the `n` certificates; the signer is `self.signer("loop")`.
    pub fn same_name_cas(&self, n: usize) -> Vec<x509_cert::Certificate> {
        use der::DecodePem;
        let dir = &self.dir;
        ok(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "loop-ca.key",
            ],
        );
        let mut certs = Vec::with_capacity(n);
        for i in 0..n {
            let out = format!("loop-ca-{i}.pem");
            ok(
                dir,
                &[
                    "req",
                    "-x509",
                    "-new",
                    "-key",
                    "loop-ca.key",
                    "-subj",
                    "/O=MMHS Test/CN=Loop CA",
                    "-set_serial",
                    &(i + 1).to_string(),
                    "-days",
                    "3650",
                    "-config",
                    "ca.cnf",
                    "-out",
                    &out,
                ],
            );
            certs.push(x509_cert::Certificate::from_pem(self.read(&out)).unwrap());
        }
        self.issue(
            "loop",
            "loop@army.example",
            Alg::Ec,
            ("loop-ca-0.pem", "loop-ca.key"),
            8192,
        );
        certs
    }

    pub fn read(&self, f: &str) -> String {
        std::fs::read_to_string(self.dir.join(f)).unwrap()
    }

    pub fn write(&self, f: &str, data: &[u8]) {
        std::fs::write(self.dir.join(f), data).unwrap()
    }

    pub fn signer(&self, name: &str) -> mmhs::smime::Signer {
        mmhs::smime::Signer::from_pem(
            &self.read(&format!("{name}.key")),
            &self.read(&format!("{name}.pem")),
            None,
        )
        .unwrap()
    }

    pub fn ca(&self) -> x509_cert::Certificate {
        use der::DecodePem;
        x509_cert::Certificate::from_pem(self.read("ca.pem")).unwrap()
    }

    pub fn verify_context(&self, at: time::OffsetDateTime) -> mmhs::smime::VerifyContext {
        mmhs::smime::VerifyContext {
            trust_anchors: vec![self.ca()],
            at: Some(at),
            ..Default::default()
        }
    }
}
