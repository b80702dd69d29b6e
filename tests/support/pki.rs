//! A throwaway PKI made with the openssl CLI at test time (no private key is ever committed):
//! a root CA and end-entity S/MIME certificates (RSA-2048 or P-256, emailProtection EKU, SAN
//! rfc822Name; keyEncipherment for RSA, keyAgreement for P-256), valid for ten years — and
//! impostor certificates made outside it ([`Pki::impostor`]).

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

/// What an impostor's certificate copies from a genuine certificate of the PKI. A
/// SignerIdentifier names its certificate by issuerAndSerialNumber or by subjectKeyIdentifier
/// (RFC 5652 §5.3); neither is a secret, so anyone can make a second certificate that matches.
#[derive(Clone, Copy)]
pub enum Imitation<'a> {
    /// Nothing: a self-signed certificate of its own.
    Nothing,
    /// The subjectKeyIdentifier of that end entity's certificate (otherwise self-signed).
    SubjectKeyIdentifier(&'a str),
    /// The issuer name and serial number of that end entity's certificate, issued by a rogue
    /// CA that bears the genuine CA's name.
    IssuerAndSerial(&'a str),
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
        for (i, (name, email, alg)) in people.iter().enumerate() {
            let key = format!("{name}.key");
            match alg {
                Alg::Rsa => ok(
                    &dir,
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
                    &dir,
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
                &dir,
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
                &dir,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-set_serial",
                    &format!("{}", 4096 + i),
                    "-days",
                    "3650",
                    "-out",
                    &format!("{name}.pem"),
                    "-extfile",
                    &format!("{name}.ext"),
                ],
            );
            ok(
                &dir,
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
        Pki { dir }
    }

    /// A certificate made outside this PKI (its own RSA key; never issued by `ca.pem`) with
    /// `email` as SAN rfc822Name and the S/MIME signing extensions, copying what `imitation`
    /// says from a genuine certificate. Writes `<name>.key` and `<name>.pem`; returns its signer.
    pub fn impostor(
        &self,
        name: &str,
        email: &str,
        imitation: Imitation<'_>,
    ) -> mmhs::smime::Signer {
        let dir = &self.dir;
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let ext = format!("{name}.ext");
        let pem = format!("{name}.pem");
        ok(
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
        );
        ok(
            dir,
            &[
                "req",
                "-new",
                "-key",
                &key,
                "-out",
                &csr,
                "-subj",
                &format!("/O=Impostor/CN={name}"),
                "-config",
                "req.cnf",
            ],
        );
        let ski = match imitation {
            Imitation::SubjectKeyIdentifier(victim) => {
                let out = ok(
                    dir,
                    &[
                        "x509",
                        "-in",
                        &format!("{victim}.pem"),
                        "-noout",
                        "-ext",
                        "subjectKeyIdentifier",
                    ],
                );
                let text = String::from_utf8(out).unwrap();
                text.lines()
                    .nth(1)
                    .expect("a subjectKeyIdentifier")
                    .trim()
                    .to_string()
            }
            _ => "hash".to_string(),
        };
        self.write(
            &ext,
            format!("basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier={ski}\nsubjectAltName=email:{email}\n").as_bytes(),
        );
        match imitation {
            Imitation::Nothing | Imitation::SubjectKeyIdentifier(_) => {
                ok(
                    dir,
                    &[
                        "x509", "-req", "-in", &csr, "-signkey", &key, "-days", "3650", "-extfile",
                        &ext, "-out", &pem,
                    ],
                );
            }
            Imitation::IssuerAndSerial(victim) => {
                let victim = format!("{victim}.pem");
                let field = |what: &str| {
                    let out = ok(
                        dir,
                        &["x509", "-in", &victim, "-noout", what, "-nameopt", "compat"],
                    );
                    let text = String::from_utf8(out).unwrap();
                    text.trim()
                        .split_once('=')
                        .expect("name=value")
                        .1
                        .to_string()
                };
                let (issuer, serial) = (field("-issuer"), field("-serial"));
                let (ca_key, ca_pem) = (format!("{name}-ca.key"), format!("{name}-ca.pem"));
                ok(
                    dir,
                    &[
                        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &ca_key,
                        "-out", &ca_pem, "-subj", &issuer, "-days", "3650", "-config", "ca.cnf",
                    ],
                );
                ok(
                    dir,
                    &[
                        "x509",
                        "-req",
                        "-in",
                        &csr,
                        "-CA",
                        &ca_pem,
                        "-CAkey",
                        &ca_key,
                        "-set_serial",
                        &format!("0x{serial}"),
                        "-days",
                        "3650",
                        "-extfile",
                        &ext,
                        "-out",
                        &pem,
                    ],
                );
            }
        }
        self.signer(name)
    }

    /// The certificate `<name>.pem`.
    pub fn cert(&self, name: &str) -> x509_cert::Certificate {
        use der::DecodePem;
        x509_cert::Certificate::from_pem(self.read(&format!("{name}.pem"))).unwrap()
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

    pub fn verify_context(&self, at: time::OffsetDateTime) -> mmhs::verify::VerifyContext {
        mmhs::verify::VerifyContext {
            trust_anchors: vec![self.ca()],
            at: Some(at),
            ..Default::default()
        }
    }
}
