//! A throwaway PKI made with the openssl CLI at test time (no private key is ever committed):
//! a root CA and end-entity S/MIME certificates (RSA-2048 or P-256, emailProtection EKU, SAN
//! rfc822Name; keyEncipherment for RSA, keyAgreement for P-256), valid for ten years — and
//! impostor certificates made outside it ([`Pki::impostor`]).

#![allow(dead_code)]

use std::ffi::OsStr;
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
    /// RSA-1024: a key the algorithm policy finds weak (`cert-weak-key`).
    Rsa1024,
}

/// Run the openssl CLI with `args` in `dir`.
pub fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    openssl_env(dir, args, &[])
}

/// [`openssl`] with extra environment variables (an `openssl ca` configuration may read its
/// database directory or a subject's address from them).
pub fn openssl_env(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .expect("the openssl CLI")
}

/// Run openssl with `args` in `dir`; fail the test with its stderr unless it succeeds; its
/// stdout.
pub fn ok(dir: &Path, args: &[&str]) -> Vec<u8> {
    ok_env(dir, args, &[])
}

/// [`ok`] with extra environment variables ([`openssl_env`]).
pub fn ok_env(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Vec<u8> {
    let out = openssl_env(dir, args, env);
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
        let pki = Pki { dir };
        for (i, (name, email, alg)) in people.iter().enumerate() {
            pki.issue(name, email, *alg, ("ca.pem", "ca.key"), 4096 + i);
        }
        pki
    }

    /// Issue the end entity `name` (`<name>.key`, `<name>.pem`, `<name>.pub`) under the CA
    /// whose certificate and key files are `ca`.
    pub fn issue(&self, name: &str, email: &str, alg: Alg, ca: (&str, &str), serial: usize) {
        self.issue_with(name, &format!("email:{email}"), alg, ca, serial, true)
    }

    /// Issue the end entity `name` under the root with the subjectAltName `san` in the openssl
    /// form, e.g. `URI:smtp://army.example,DNS:army.example` — a domain agent's certificate
    /// (draft-melnikov-smime-msa-to-mda-04 §2.6).
    pub fn issue_san(&self, name: &str, san: &str, alg: Alg, serial: usize) {
        self.issue_with(name, san, alg, ("ca.pem", "ca.key"), serial, true)
    }

    /// A domain agent's certificate (draft-melnikov-smime-msa-to-mda-04 §2.6) under the CA:
    /// `san` as an openssl subjectAltName value (e.g. `URI:smtp://army.example,DNS:army.example`),
    /// keyUsage digitalSignature + nonRepudiation for a signing agent, or keyEncipherment
    /// (RSA) / keyAgreement (P-256) for an encrypting one (a DCA); emailProtection EKU.
    pub fn issue_agent(&self, name: &str, san: &str, alg: Alg, encrypting: bool, serial: usize) {
        let usage = match (encrypting, alg) {
            (false, _) => "digitalSignature,nonRepudiation",
            (true, Alg::Rsa | Alg::Rsa1024) => "keyEncipherment",
            (true, Alg::Ec) => "keyAgreement",
        };
        let ext = format!("basicConstraints=CA:false\nkeyUsage=critical,{usage}\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName={san}\n");
        self.issue_ext(name, alg, ("ca.pem", "ca.key"), serial, &ext);
    }

    /// The domain agents of the boundary tests (§2.6 names): `army-sig`, `navy-sig` (signing,
    /// P-256, `smtp://` URI and dNSName), `army-dca`, `navy-dca` (DCAs, RSA), and `evil-sig`
    /// (a signing agent of evil.example).
    pub fn domain_agents(&self) {
        let agents = [
            (
                "army-sig",
                "URI:smtp://army.example,DNS:army.example",
                Alg::Ec,
                false,
            ),
            ("army-dca", "URI:smtp://army.example", Alg::Rsa, true),
            (
                "navy-sig",
                "URI:smtp://navy.example,DNS:navy.example",
                Alg::Ec,
                false,
            ),
            ("navy-dca", "URI:smtp://navy.example", Alg::Rsa, true),
            ("evil-sig", "URI:smtp://evil.example", Alg::Ec, false),
        ];
        for (i, (name, san, alg, encrypting)) in agents.into_iter().enumerate() {
            self.issue_agent(name, san, alg, encrypting, 10 + i);
        }
    }

    /// [`Pki::issue`], with an authorityKeyIdentifier only when `aki` (openssl cannot make one
    /// under a CA certificate without a subjectKeyIdentifier).
    fn issue_with(
        &self,
        name: &str,
        san: &str,
        alg: Alg,
        ca: (&str, &str),
        serial: usize,
        aki: bool,
    ) {
        let ext = format!("basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation,{}\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\n{}subjectAltName={san}\n",
            // RSA transports keys (KTRI), P-256 agrees on them (KARI, RFC 5753).
            match alg { Alg::Rsa | Alg::Rsa1024 => "keyEncipherment", Alg::Ec => "keyAgreement" },
            if aki { "authorityKeyIdentifier=keyid\n" } else { "" });
        self.issue_ext(name, alg, ca, serial, &ext);
    }

    /// A key of `alg` and a certificate for it under `ca` with the extensions `ext`
    /// (openssl extension file syntax).
    pub fn issue_ext(&self, name: &str, alg: Alg, ca: (&str, &str), serial: usize, ext: &str) {
        let dir = &self.dir;
        let key = format!("{name}.key");
        match alg {
            Alg::Rsa | Alg::Rsa1024 => ok(
                dir,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    if matches!(alg, Alg::Rsa1024) {
                        "rsa_keygen_bits:1024"
                    } else {
                        "rsa_keygen_bits:2048"
                    },
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
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
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

    /// A self-signed P-256 root `/O=MMHS Test/CN=<cn>` (`<stem>.key`, `<stem>.pem`).
    pub fn root(&self, stem: &str, cn: &str) {
        ok(
            &self.dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{stem}.key"),
                "-out",
                &format!("{stem}.pem"),
                "-subj",
                &format!("/O=MMHS Test/CN={cn}"),
                "-days",
                "3650",
                "-config",
                "ca.cnf",
            ],
        );
    }

    /// An intermediate CA `/O=MMHS Test/CN=<cn>` with a new P-256 key (`<stem>.key`,
    /// `<stem>.csr`), certified by the CA whose certificate and key files are `ca`, into
    /// `<out>.pem`. With an existing `<stem>.key` (a second call), the same key is certified
    /// again: a cross-certificate when `ca` is another CA.
    pub fn intermediate(&self, stem: &str, cn: &str, ca: (&str, &str), serial: usize, out: &str) {
        self.intermediate_with_digest(stem, cn, ca, serial, out, "-sha256")
    }

    /// [`Pki::intermediate`], signed by `ca` with the digest option `digest` of `openssl x509`
    /// (e.g. `-sha1`: a SHA-1 certificate signature the algorithm policy finds weak).
    pub fn intermediate_with_digest(
        &self,
        stem: &str,
        cn: &str,
        ca: (&str, &str),
        serial: usize,
        out: &str,
        digest: &str,
    ) {
        let dir = &self.dir;
        let key = format!("{stem}.key");
        let csr = format!("{stem}.csr");
        if !dir.join(&key).exists() {
            ok(
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
                    &format!("/O=MMHS Test/CN={cn}"),
                    "-config",
                    "req.cnf",
                ],
            );
        }
        std::fs::write(
            dir.join("intermediate.ext"),
            "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        ok(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                ca.0,
                "-CAkey",
                ca.1,
                "-set_serial",
                &serial.to_string(),
                "-days",
                "3650",
                "-out",
                &format!("{out}.pem"),
                "-extfile",
                "intermediate.ext",
                digest,
            ],
        );
    }

    /// The path-building attack material: `n` self-issued CA certificates that all have the
    /// subject and issuer `/O=MMHS Test/CN=<tag> CA`, none issued by the root, and the end
    /// entity `<tag>` (`<tag>@army.example`, key and certificate files `<tag>.key`, `<tag>.pem`)
    /// issued under that name. With `shared_key` the certificates share one P-256 key (each
    /// one's signature verifies with any other's key; AKI and SKI agree); without, each has its
    /// own key and none carries a key identifier. Either way every one may have issued every
    /// other by RFC 5280 name chaining. Returns the `n` certificates.
    pub fn same_name_cas(
        &self,
        tag: &str,
        n: usize,
        shared_key: bool,
    ) -> Vec<x509_cert::Certificate> {
        use der::DecodePem;
        let dir = &self.dir;
        std::fs::write(
            dir.join("loop.cnf"),
            "[req]\ndistinguished_name=dn\n[dn]\n[loop]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none\n",
        )
        .unwrap();
        let genkey = |key: &str| {
            ok(
                dir,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    key,
                ],
            )
        };
        let subject = format!("/O=MMHS Test/CN={tag} CA");
        let mut certs = Vec::with_capacity(n);
        for i in 0..n {
            let key = if shared_key {
                format!("{tag}-ca.key")
            } else {
                format!("{tag}-ca-{i}.key")
            };
            if i == 0 || !shared_key {
                genkey(&key);
            }
            let out = format!("{tag}-ca-{i}.pem");
            let mut args = vec![
                "req", "-x509", "-new", "-key", &key, "-subj", &subject, "-days", "3650", "-out",
                &out,
            ];
            let serial = (i + 1).to_string();
            args.extend(["-set_serial", &serial]);
            if shared_key {
                args.extend(["-config", "ca.cnf"]);
            } else {
                args.extend(["-config", "loop.cnf", "-extensions", "loop"]);
            }
            ok(dir, &args);
            certs.push(x509_cert::Certificate::from_pem(self.read(&out)).unwrap());
        }
        let ca_key = if shared_key {
            format!("{tag}-ca.key")
        } else {
            format!("{tag}-ca-0.key")
        };
        self.issue_with(
            tag,
            &format!("email:{tag}@army.example"),
            Alg::Ec,
            (&format!("{tag}-ca-0.pem"), &ca_key),
            8192,
            shared_key,
        );
        certs
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

    /// The certificate `<name>.pem` (or the PEM file `name` when it ends in `.pem`).
    pub fn cert(&self, name: &str) -> x509_cert::Certificate {
        use der::DecodePem;
        let file = if name.ends_with(".pem") {
            name.to_string()
        } else {
            format!("{name}.pem")
        };
        x509_cert::Certificate::from_pem(self.read(&file)).unwrap()
    }

    /// Copy the certificates `names` (`<name>.pem`) into the directory `to` (created).
    pub fn copy_certs(&self, to: &Path, names: &[&str]) {
        std::fs::create_dir_all(to).unwrap();
        for c in names {
            std::fs::copy(
                self.dir.join(format!("{c}.pem")),
                to.join(format!("{c}.pem")),
            )
            .unwrap();
        }
    }

    pub fn read(&self, f: &str) -> String {
        std::fs::read_to_string(self.dir.join(f)).unwrap()
    }

    pub fn write(&self, f: &str, data: &[u8]) {
        std::fs::write(self.dir.join(f), data).unwrap()
    }

    /// `msg` signed by `name` with the ESS security label `policy`, `class` (RFC 2634 §3.2).
    pub fn sign_labelled(&self, name: &str, msg: &[u8], policy: &str, class: u16) -> Vec<u8> {
        mmhs::smime::sign_message(
            msg,
            &self.signer(name),
            &mmhs::smime::SignOptions {
                signing_time: Some(time::OffsetDateTime::now_utc()),
                security_label: Some(mmhs::ess::EssSecurityLabel::new(policy, Some(class))),
                ..Default::default()
            },
            &mut mmhs::rng::system_rng(),
        )
        .unwrap()
    }

    pub fn signer(&self, name: &str) -> mmhs::smime::Signer {
        mmhs::smime::Signer::from_pem(
            &self.read(&format!("{name}.key")),
            &self.read(&format!("{name}.pem")),
            None,
        )
        .unwrap()
    }

    /// The signer `name` with `chain` as the extra certificates it includes.
    pub fn signer_with(
        &self,
        name: &str,
        chain: Vec<x509_cert::Certificate>,
    ) -> mmhs::smime::Signer {
        let mut s = self.signer(name);
        s.chain = chain;
        s
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
