//! Path validation against a throwaway PKI generated at test time with the openssl CLI
//! (nothing private is committed). Every certificate has explicit dates so the validation
//! time is fixed: certificates 2025-01-01 … 2035-01-01, validated at 2030-06-01.
#![cfg(not(target_arch = "wasm32"))]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support;
use support::interop::TempDir;

use der::{Decode, DecodePem, Encode};
use mmhs::trust::{self, Purpose, TrustContext};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

const CONF: &str = r#"
[ca]
default_ca = CA_default
[CA_default]
dir = $ENV::CA_DIR
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = yes
copy_extensions = none
default_days = 3650
[policy_any]
commonName = supplied
emailAddress = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_ca_len0]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_notca]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_sign]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::LEAF_EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_enc]
basicConstraints = CA:false
keyUsage = critical,keyEncipherment,keyAgreement
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::LEAF_EMAIL
[v3_server]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = email:$ENV::LEAF_EMAIL
[v3_any]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = anyExtendedKeyUsage
subjectAltName = email:$ENV::LEAF_EMAIL
"#;

const START: &str = "20250101000000Z";
const END: &str = "20350101000000Z";

fn at() -> time::OffsetDateTime {
    time::macros::datetime!(2030-06-01 12:00 UTC)
}

/// Run openssl in `dir` with the CA configuration `ca.cnf` there, the CA database in `ca_dir`
/// and `email` as the subject's address ([`support::pki::ok_env`]).
fn run(dir: &Path, ca_dir: &Path, email: &str, args: &[&str]) {
    let conf = dir.join("ca.cnf");
    support::pki::ok_env(
        dir,
        args,
        &[
            ("CA_DIR", ca_dir.as_os_str()),
            ("LEAF_EMAIL", OsStr::new(email)),
            ("OPENSSL_CONF", conf.as_os_str()),
        ],
    );
}

/// One CA: its directory (database), key and certificate file names.
struct Ca {
    dir: PathBuf,
    key: String,
    cert: String,
}

struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new_ca_dir(&self, name: &str) -> PathBuf {
        let d = self.dir.join(format!("db-{name}"));
        std::fs::create_dir_all(d.join("new")).unwrap();
        std::fs::write(d.join("index.txt"), "").unwrap();
        std::fs::write(d.join("serial"), "1000\n").unwrap();
        std::fs::write(d.join("crlnumber"), "01\n").unwrap();
        d
    }

    fn key(&self, name: &str, ec: bool) -> String {
        let key = format!("{name}.key");
        if ec {
            run(
                &self.dir,
                &self.dir,
                "x@x",
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
        } else {
            run(
                &self.dir,
                &self.dir,
                "x@x",
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
        }
        key
    }

    fn root(&self, name: &str) -> Ca {
        let dir = self.new_ca_dir(name);
        let key = self.key(name, false);
        let csr = format!("{name}.csr");
        let cert = format!("{name}.pem");
        run(
            &self.dir,
            &dir,
            "x@x",
            &[
                "req",
                "-new",
                "-key",
                &key,
                "-subj",
                &format!("/CN={name}"),
                "-out",
                &csr,
            ],
        );
        run(
            &self.dir,
            &dir,
            "x@x",
            &[
                "ca",
                "-batch",
                "-selfsign",
                "-keyfile",
                &key,
                "-in",
                &csr,
                "-out",
                &cert,
                "-extensions",
                "v3_ca",
                "-startdate",
                START,
                "-enddate",
                END,
                "-notext",
            ],
        );
        Ca { dir, key, cert }
    }

    /// Issue a certificate for `name` from `ca` with extensions `ext`.
    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        ca: &Ca,
        name: &str,
        email: &str,
        ext: &str,
        ec: bool,
        start: &str,
        end: &str,
        extra: &[&str],
    ) -> Ca {
        let dir = self.new_ca_dir(name);
        let key = self.key(name, ec);
        let csr = format!("{name}.csr");
        let cert = format!("{name}.pem");
        let subj = if email.is_empty() {
            format!("/CN={name}")
        } else {
            format!("/CN={name}/emailAddress={email}")
        };
        run(
            &self.dir,
            &dir,
            email,
            &["req", "-new", "-key", &key, "-subj", &subj, "-out", &csr],
        );
        let mut args = vec![
            "ca",
            "-batch",
            "-cert",
            &ca.cert,
            "-keyfile",
            &ca.key,
            "-in",
            &csr,
            "-out",
            &cert,
            "-extensions",
            ext,
            "-startdate",
            start,
            "-enddate",
            end,
            "-notext",
        ];
        args.extend_from_slice(extra);
        run(
            &self.dir,
            &ca.dir,
            if email.is_empty() { "x@x" } else { email },
            &args,
        );
        Ca { dir, key, cert }
    }

    fn revoke(&self, ca: &Ca, cert: &Ca) {
        run(
            &self.dir,
            &ca.dir,
            "x@x",
            &[
                "ca", "-cert", &ca.cert, "-keyfile", &ca.key, "-revoke", &cert.cert,
            ],
        );
    }

    fn crl(&self, ca: &Ca, name: &str, last: &str, next: &str) -> CertificateList {
        let out = format!("{name}.crl.pem");
        run(
            &self.dir,
            &ca.dir,
            "x@x",
            &[
                "ca",
                "-gencrl",
                "-cert",
                &ca.cert,
                "-keyfile",
                &ca.key,
                "-crl_lastupdate",
                last,
                "-crl_nextupdate",
                next,
                "-out",
                &out,
            ],
        );
        let der_out = format!("{name}.crl");
        run(
            &self.dir,
            &ca.dir,
            "x@x",
            &["crl", "-in", &out, "-outform", "DER", "-out", &der_out],
        );
        CertificateList::from_der(&std::fs::read(self.dir.join(der_out)).unwrap()).unwrap()
    }

    fn cert(&self, c: &Ca) -> Certificate {
        Certificate::from_pem(std::fs::read(self.dir.join(&c.cert)).unwrap()).unwrap()
    }
}

/// The shared PKI: built once per test binary.
struct Fixture {
    pki: Pki,
    root: Certificate,
    inter: Certificate,
    leaf: Certificate,
    leaf_ec: Certificate,
    leaf_enc: Certificate,
    expired: Certificate,
    future: Certificate,
    server_eku: Certificate,
    any_eku: Certificate,
    notca: Certificate,
    under_notca: Certificate,
    len0: Certificate,
    under_len0_sub: Certificate,
    len0_sub: Certificate,
    revoked: Certificate,
    crl_inter: CertificateList,
    crl_inter_stale: CertificateList,
    crl_root: CertificateList,
    other_root: Certificate,
    pss_leaf: Certificate,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        // the fixture lives as long as the test binary: its directory is kept
        let dir = std::mem::ManuallyDrop::new(TempDir::new("trust"));
        let pki = Pki { dir: dir.0.clone() };
        std::fs::write(pki.dir.join("ca.cnf"), CONF).unwrap();
        let root = pki.root("Test Root");
        let inter = pki.issue(
            &root,
            "Test Intermediate",
            "",
            "v3_ca",
            false,
            START,
            END,
            &[],
        );
        let leaf = pki.issue(
            &inter,
            "Alice",
            "Alice@Army.Example",
            "v3_sign",
            false,
            START,
            END,
            &[],
        );
        let leaf_ec = pki.issue(
            &inter,
            "Alice EC",
            "alice@army.example",
            "v3_sign",
            true,
            START,
            END,
            &[],
        );
        let leaf_enc = pki.issue(
            &inter,
            "Alice Enc",
            "alice@army.example",
            "v3_enc",
            true,
            START,
            END,
            &[],
        );
        let expired = pki.issue(
            &inter,
            "Old Alice",
            "alice@army.example",
            "v3_sign",
            false,
            START,
            "20280101000000Z",
            &[],
        );
        let future = pki.issue(
            &inter,
            "Future Alice",
            "alice@army.example",
            "v3_sign",
            false,
            "20320101000000Z",
            END,
            &[],
        );
        let server_eku = pki.issue(
            &inter,
            "Server",
            "srv@army.example",
            "v3_server",
            false,
            START,
            END,
            &[],
        );
        let any_eku = pki.issue(
            &inter,
            "Any",
            "any@army.example",
            "v3_any",
            false,
            START,
            END,
            &[],
        );
        let notca = pki.issue(&root, "Not A CA", "", "v3_notca", false, START, END, &[]);
        let under_notca = pki.issue(
            &notca,
            "Mallory",
            "mallory@army.example",
            "v3_sign",
            false,
            START,
            END,
            &[],
        );
        let len0 = pki.issue(&root, "Len0 CA", "", "v3_ca_len0", false, START, END, &[]);
        let len0_sub = pki.issue(&len0, "Len0 Sub CA", "", "v3_ca", false, START, END, &[]);
        let under_len0_sub = pki.issue(
            &len0_sub,
            "Deep",
            "deep@army.example",
            "v3_sign",
            false,
            START,
            END,
            &[],
        );
        let revoked = pki.issue(
            &inter,
            "Revoked Bob",
            "bob@army.example",
            "v3_sign",
            false,
            START,
            END,
            &[],
        );
        pki.revoke(&inter, &revoked);
        let crl_inter = pki.crl(&inter, "inter", "20300101000000Z", "20310101000000Z");
        let crl_inter_stale = pki.crl(&inter, "inter-stale", "20260101000000Z", "20260201000000Z");
        let crl_root = pki.crl(&root, "root", "20300101000000Z", "20310101000000Z");
        let other_root = pki.root("Other Root");
        let pss_leaf = pki.issue(
            &inter,
            "Pss Alice",
            "pss@army.example",
            "v3_sign",
            false,
            START,
            END,
            &[
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:32",
            ],
        );
        Fixture {
            root: pki.cert(&root),
            inter: pki.cert(&inter),
            leaf: pki.cert(&leaf),
            leaf_ec: pki.cert(&leaf_ec),
            leaf_enc: pki.cert(&leaf_enc),
            expired: pki.cert(&expired),
            future: pki.cert(&future),
            server_eku: pki.cert(&server_eku),
            any_eku: pki.cert(&any_eku),
            notca: pki.cert(&notca),
            under_notca: pki.cert(&under_notca),
            len0: pki.cert(&len0),
            len0_sub: pki.cert(&len0_sub),
            under_len0_sub: pki.cert(&under_len0_sub),
            revoked: pki.cert(&revoked),
            crl_inter,
            crl_inter_stale,
            crl_root,
            other_root: pki.cert(&other_root),
            pss_leaf: pki.cert(&pss_leaf),
            pki,
        }
    })
}

fn ctx(f: &Fixture) -> TrustContext {
    TrustContext {
        anchors: vec![f.root.clone()],
        intermediates: vec![],
        crls: vec![],
        at: at(),
    }
}

fn codes(r: &trust::PathResult) -> Vec<String> {
    r.problems.iter().map(|p| p.code.clone()).collect()
}

#[test]
fn valid_chain_rsa_and_ec() {
    let f = fixture();
    for leaf in [&f.leaf, &f.leaf_ec, &f.pss_leaf, &f.any_eku] {
        let r = trust::validate(
            leaf,
            std::slice::from_ref(&f.inter),
            &ctx(f),
            Purpose::Signing,
        );
        assert!(r.trusted, "{:?}", r.problems);
        assert!(r.problems.is_empty());
        assert_eq!(r.chain.len(), 3);
        assert_eq!(r.chain[1], "CN=Test Intermediate");
        assert_eq!(r.chain[2], "CN=Test Root");
    }
    // Intermediate from the context instead of the message.
    let mut c = ctx(f);
    c.intermediates.push(f.inter.clone());
    let r = trust::validate(&f.leaf, &[], &c, Purpose::Signing);
    assert!(r.trusted, "{:?}", r.problems);
}

#[test]
fn missing_intermediate_or_other_anchor_is_untrusted() {
    let f = fixture();
    let r = trust::validate(&f.leaf, &[], &ctx(f), Purpose::Signing);
    assert!(!r.trusted);
    assert_eq!(codes(&r), ["cert-untrusted"]);
    let mut c = ctx(f);
    c.anchors = vec![f.other_root.clone()];
    let r = trust::validate(
        &f.leaf,
        std::slice::from_ref(&f.inter),
        &c,
        Purpose::Signing,
    );
    assert_eq!(codes(&r), ["cert-untrusted"]);
    assert_eq!(
        r.chain,
        ["EMAIL=Alice@Army.Example,CN=Alice", "CN=Test Intermediate"]
    );
    // No anchors at all.
    c.anchors.clear();
    let r = trust::validate(
        &f.leaf,
        std::slice::from_ref(&f.inter),
        &c,
        Purpose::Signing,
    );
    assert_eq!(codes(&r), ["cert-untrusted"]);
}

#[test]
fn expired_and_not_yet_valid() {
    let f = fixture();
    let r = trust::validate(
        &f.expired,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Signing,
    );
    assert!(!r.trusted);
    assert_eq!(codes(&r), ["cert-expired"]);
    let r = trust::validate(
        &f.future,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Signing,
    );
    assert_eq!(codes(&r), ["cert-not-yet-valid"]);
    // The whole chain expired: validating in 2040.
    let mut c = ctx(f);
    c.at = time::macros::datetime!(2040-01-01 0:00 UTC);
    let r = trust::validate(
        &f.leaf,
        std::slice::from_ref(&f.inter),
        &c,
        Purpose::Signing,
    );
    assert_eq!(codes(&r), ["cert-expired"]);
}

#[test]
fn key_usage_and_eku() {
    let f = fixture();
    let r = trust::validate(
        &f.server_eku,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Signing,
    );
    assert_eq!(codes(&r), ["cert-eku"]);
    // An encryption-only certificate used for signing, and the reverse.
    let r = trust::validate(
        &f.leaf_enc,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Signing,
    );
    assert_eq!(codes(&r), ["cert-key-usage"]);
    let r = trust::validate(
        &f.leaf_enc,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Encryption,
    );
    assert!(r.trusted, "{:?}", r.problems);
    let r = trust::validate(
        &f.leaf,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Encryption,
    );
    assert_eq!(codes(&r), ["cert-key-usage"]);
}

#[test]
fn non_ca_issuer_and_path_length() {
    let f = fixture();
    let r = trust::validate(
        &f.under_notca,
        std::slice::from_ref(&f.notca),
        &ctx(f),
        Purpose::Signing,
    );
    assert!(!r.trusted);
    assert_eq!(codes(&r), ["cert-not-ca"]);
    let r = trust::validate(
        &f.under_len0_sub,
        &[f.len0_sub.clone(), f.len0.clone()],
        &ctx(f),
        Purpose::Signing,
    );
    assert!(!r.trusted);
    assert_eq!(codes(&r), ["path-too-long"]);
}

#[test]
fn revocation_with_crls() {
    let f = fixture();
    let mut c = ctx(f);
    c.crls = vec![f.crl_inter.clone(), f.crl_root.clone()];
    let r = trust::validate(
        &f.revoked,
        std::slice::from_ref(&f.inter),
        &c,
        Purpose::Signing,
    );
    assert!(!r.trusted);
    assert_eq!(codes(&r), ["cert-revoked"]);
    // Others under the same CA are fine with the same CRLs.
    let r = trust::validate(
        &f.leaf,
        std::slice::from_ref(&f.inter),
        &c,
        Purpose::Signing,
    );
    assert!(r.trusted, "{:?}", r.problems);
    // Only the intermediate's CRL: the intermediate itself is not checked (no root CRL).
    c.crls = vec![f.crl_inter.clone()];
    let r = trust::validate(
        &f.leaf,
        std::slice::from_ref(&f.inter),
        &c,
        Purpose::Signing,
    );
    assert!(r.trusted, "{:?}", r.problems);
    // Without CRLs the revoked certificate validates (nothing says otherwise).
    let r = trust::validate(
        &f.revoked,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Signing,
    );
    assert!(r.trusted, "{:?}", r.problems);
    // A stale CRL from the issuer cannot settle the status.
    c.crls = vec![f.crl_inter_stale.clone()];
    let r = trust::validate(
        &f.leaf,
        std::slice::from_ref(&f.inter),
        &c,
        Purpose::Signing,
    );
    assert_eq!(codes(&r), ["cert-revocation-unknown"]);
}

/// A path that validated is valid again for the same certificates (the same octets) at a
/// time within all their validity periods — and only then, and only without CRLs.
#[test]
fn a_path_that_validated_before_is_judged_again_where_anything_differs() {
    let f = fixture();
    let inter = std::slice::from_ref(&f.inter);
    let validate = |leaf: &Certificate, c: &TrustContext| {
        codes(&trust::validate(leaf, inter, c, Purpose::Signing))
    };
    let none: [&str; 0] = [];
    // Without CRLs the revoked certificate validates; with them it is revoked, however
    // often it validated before.
    for _ in 0..2 {
        assert_eq!(validate(&f.revoked, &ctx(f)), none);
    }
    let mut with_crls = ctx(f);
    with_crls.crls = vec![f.crl_inter.clone(), f.crl_root.clone()];
    assert_eq!(validate(&f.revoked, &with_crls), ["cert-revoked"]);
    // A copy of a certificate that validated, one octet of its signature changed.
    assert_eq!(validate(&f.leaf, &ctx(f)), none);
    let mut der = f.leaf.to_der().unwrap();
    let n = der.len() - 5;
    der[n] ^= 0x01;
    let bad = Certificate::from_der(&der).unwrap();
    assert_eq!(validate(&bad, &ctx(f)), ["cert-bad-signature"]);
    // The same path after, and before, its certificates' validity.
    let mut later = ctx(f);
    later.at = time::macros::datetime!(2036-01-01 0:00 UTC);
    assert_eq!(validate(&f.leaf, &later), ["cert-expired"]);
    let mut earlier = ctx(f);
    earlier.at = time::macros::datetime!(2024-06-01 0:00 UTC);
    assert_eq!(validate(&f.leaf, &earlier), ["cert-not-yet-valid"]);
    let mut within = ctx(f);
    within.at = time::macros::datetime!(2034-12-31 23:00 UTC);
    assert_eq!(validate(&f.leaf, &within), none);
}

#[test]
fn tampered_certificate_signature() {
    let f = fixture();
    let mut der = f.leaf.to_der().unwrap();
    // Flip a byte inside the signature value (the last bytes of the encoding).
    let n = der.len() - 5;
    der[n] ^= 0x01;
    let bad = Certificate::from_der(&der).unwrap();
    let r = trust::validate(
        &bad,
        std::slice::from_ref(&f.inter),
        &ctx(f),
        Purpose::Signing,
    );
    assert!(!r.trusted);
    assert_eq!(codes(&r), ["cert-bad-signature"]);
}

#[test]
fn leaf_that_is_an_anchor_is_trusted() {
    let f = fixture();
    let mut c = ctx(f);
    c.anchors.push(f.leaf.clone());
    let r = trust::validate(&f.leaf, &[], &c, Purpose::Signing);
    assert!(r.trusted, "{:?}", r.problems);
}

#[test]
fn email_addresses_and_matching() {
    let f = fixture();
    assert_eq!(trust::email_addresses(&f.leaf), ["Alice@army.example"]);
    assert!(trust::address_matches(&f.leaf, "alice@ARMY.example"));
    assert!(trust::address_matches(&f.leaf, "<ALICE@army.example>"));
    assert!(!trust::address_matches(&f.leaf, "alice@navy.example"));
    assert!(!trust::address_matches(&f.leaf, "bob@army.example"));
    assert!(!trust::address_matches(&f.leaf, "not an address"));
    assert!(trust::email_addresses(&f.root).is_empty());
}

/// The one signature verifier (`smime::algorithms::verify_signature`, which CMS uses) on
/// certificate signatures: RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA.
#[test]
fn verify_signature_of_certificates_rsa_pss_ec() {
    use mmhs::smime::algorithms::{verify_signature, VerifyFailure};
    let f = fixture();
    let inter_spki = f.inter.tbs_certificate().subject_public_key_info().clone();
    for leaf in [&f.leaf, &f.pss_leaf, &f.leaf_ec] {
        let tbs = leaf.tbs_certificate().to_der().unwrap();
        let sig = leaf.signature().raw_bytes();
        let d = mmhs::smime::DigestAlg::Sha256;
        verify_signature(&inter_spki, d, leaf.signature_algorithm(), &tbs, sig).unwrap();
        let mut bad = tbs.clone();
        bad[20] ^= 1;
        let e =
            verify_signature(&inter_spki, d, leaf.signature_algorithm(), &bad, sig).unwrap_err();
        assert!(matches!(e, VerifyFailure::Invalid(_)), "{e:?}");
    }
}

/// `openssl dgst -sign` output checked with a bare key algorithm and the digest algorithm, as
/// CMS names them (RFC 5754 §3.2); SHA-1 verifies arithmetically and is the algorithm
/// policy's to refuse (`mmhs::algorithm_policy::signature`).
#[test]
fn verify_signature_of_openssl_dgst_output() {
    use mmhs::smime::algorithms::{verify_signature, VerifyFailure};
    use mmhs::smime::DigestAlg;
    let f = fixture();
    let dir = &f.pki.dir;
    std::fs::write(dir.join("msg.bin"), b"The message to be signed").unwrap();
    for (key, cert, alg) in [
        ("Alice.key", &f.leaf, "1.2.840.113549.1.1.1"),
        ("Alice EC.key", &f.leaf_ec, "1.2.840.10045.2.1"),
    ] {
        run(
            dir,
            dir,
            "x@x",
            &[
                "dgst", "-sha256", "-sign", key, "-out", "msg.sig", "msg.bin",
            ],
        );
        let sig = std::fs::read(dir.join("msg.sig")).unwrap();
        let spki = cert.tbs_certificate().subject_public_key_info().clone();
        let sig_alg = spki::AlgorithmIdentifierOwned {
            oid: alg.parse().unwrap(),
            parameters: None,
        };
        verify_signature(
            &spki,
            DigestAlg::Sha256,
            &sig_alg,
            b"The message to be signed",
            &sig,
        )
        .unwrap();
        let e = verify_signature(
            &spki,
            DigestAlg::Sha256,
            &sig_alg,
            b"The message to be signeD",
            &sig,
        )
        .unwrap_err();
        assert!(matches!(e, VerifyFailure::Invalid(_)), "{e:?}");
        let sha1 = const_oid::db::rfc5912::ID_SHA_1;
        let w = mmhs::algorithm_policy::signature(Some(&sha1), &sig_alg).unwrap();
        assert_eq!(w.code, "weak-algorithm");
    }
}
