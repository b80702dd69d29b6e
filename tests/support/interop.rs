//! The OpenSSL command line for cross-checks ([`openssl`], [`openssl_try`]) and a throwaway PKI
//! made with it at test time (no private key is committed) whose users have the key and
//! certificate files `openssl cms` reads.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use mmhs::keys::{certificates_from_pem, PrivateKey};
use x509_cert::Certificate;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("mmhs-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run openssl with `args` in `dir`; fail the test with its stderr unless it succeeds; its stdout.
pub use super::pki::ok as openssl;

/// Run openssl with `args` in `dir`: (success, stdout, stderr).
pub fn openssl_try(dir: &Path, args: &[&str]) -> (bool, Vec<u8>, String) {
    let out = super::pki::openssl(dir, args);
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `openssl cms -verify -in FILE -CAfile CA [extra…]` in `dir` (S/MIME input unless `extra`
/// says `-inform`): (success, the signed content, stderr).
pub fn cms_verify(dir: &Path, file: &str, ca: &str, extra: &[&str]) -> (bool, Vec<u8>, String) {
    let mut args = vec!["cms", "-verify", "-in", file, "-CAfile", ca];
    args.extend_from_slice(extra);
    openssl_try(dir, &args)
}

/// `openssl cms -decrypt -in FILE -recip CERT -inkey KEY [extra…]` in `dir`: (success, the
/// plaintext, stderr).
pub fn cms_decrypt(
    dir: &Path,
    file: &str,
    cert: &str,
    key: &str,
    extra: &[&str],
) -> (bool, Vec<u8>, String) {
    let mut args = vec![
        "cms", "-decrypt", "-in", file, "-recip", cert, "-inkey", key,
    ];
    args.extend_from_slice(extra);
    openssl_try(dir, &args)
}

/// The stdout of an openssl run that must have succeeded.
pub fn succeeded((ok, stdout, stderr): (bool, Vec<u8>, String)) -> Vec<u8> {
    assert!(ok, "openssl failed: {stderr}");
    stdout
}

/// A user of the PKI: files `<name>.key` (PKCS#8 PEM) and `<name>.pem` (certificate).
pub struct User {
    pub name: String,
    pub key: PrivateKey,
    pub cert: Certificate,
    pub key_path: PathBuf,
    pub cert_path: PathBuf,
}

pub struct Pki {
    pub dir: TempDir,
}

impl Pki {
    /// A CA made by [`super::pki::Pki`] (the one recipe) in a directory removed on drop.
    pub fn new(tag: &str) -> Pki {
        let ca = super::pki::Pki::new(&format!("interop-{tag}"), &[]);
        let dir = TempDir(ca.dir);
        let d = &dir.0;
        std::fs::write(
            d.join("rsa.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nextendedKeyUsage=emailProtection\n",
        )
        .unwrap();
        std::fs::write(
            d.join("ec.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nextendedKeyUsage=emailProtection\n",
        )
        .unwrap();
        Pki { dir }
    }

    /// The CA certifies the request `csr` with the extensions of `extfile` (two days) into
    /// the certificate file `pem`.
    pub fn certify(&self, csr: &str, pem: &str, extfile: &str) {
        openssl(
            &self.dir.0,
            &[
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                pem,
                "-days",
                "2",
                "-extfile",
                extfile,
            ],
        );
    }

    /// Make a user with an RSA-2048 (`ec == false`) or P-256 key.
    pub fn user(&self, name: &str, ec: bool) -> User {
        let d = &self.dir.0;
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        let subj = format!("/CN={name}/emailAddress={name}@army.example");
        let mut args = vec!["req", "-newkey"];
        if ec {
            args.extend(["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
        } else {
            args.push("rsa:2048");
        }
        args.extend(["-nodes", "-keyout", &key, "-out", &csr, "-subj", &subj]);
        openssl(d, &args);
        self.certify(&csr, &pem, if ec { "ec.ext" } else { "rsa.ext" });
        let key_pem = std::fs::read_to_string(d.join(&key)).unwrap();
        let cert_pem = std::fs::read_to_string(d.join(&pem)).unwrap();
        User {
            name: name.to_string(),
            key: PrivateKey::from_pem(&key_pem).unwrap(),
            cert: certificates_from_pem(&cert_pem).unwrap().remove(0),
            key_path: d.join(key),
            cert_path: d.join(pem),
        }
    }
}

pub const MESSAGE: &[u8] = b"From: alice@army.example\r\n\
To: bob@army.example\r\n\
Subject: FLASH exercise traffic\r\n\
Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n\
Message-ID: <1@army.example>\r\n\
MMHS-Primary-Precedence: 5 (flash)\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
EXERCISE EXERCISE EXERCISE\r\n\
Move to grid 1234 5678 at 0600Z.\r\n";

/// The MIME entity of MESSAGE (what is encrypted).
pub const ENTITY: &[u8] = b"Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
EXERCISE EXERCISE EXERCISE\r\n\
Move to grid 1234 5678 at 0600Z.\r\n";
