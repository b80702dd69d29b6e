//! `cargo bench --bench smime`: throughput of the S/MIME core on 1 MiB and 10 MiB messages —
//! sign, verify (signature + RFC 5280 path), encrypt, decrypt — plus `inspect` (which reads
//! only the header section, so its MB/s is nominal) and `compose`.
//!
//! Beside each sign, verify, encrypt and decrypt case, the native peer of the same run:
//! OpenSSL 3 in-process (`benches/openssl-peer`, built here with cargo and linked to the
//! system's libcrypto) does the same operation on the same input — the message, or this
//! core's signed or encrypted output — with the same key, certificate and root, through
//! libcrypto's CMS API, twice: the CMS layer with DER in and out, and S/MIME in and out as
//! this core works; the line gives both medians and this core's time over each.
//! `MMHS_BENCH_PEER=0` leaves it out.
//!
//! A plain `std::time` loop (no criterion: nothing to add to Cargo.lock). Each case runs
//! until it has taken at least `MMHS_BENCH_SECS` seconds (default 2) and at least 3
//! iterations, and prints ops/s and MB/s (1 MB = 10^6 octets). Keys and certificates are
//! generated here at start-up: P-256 by the crate's own demo-PKI code, RSA-2048 by the
//! `openssl` CLI when it is installed (skipped otherwise). Performance is measured here,
//! never asserted in timed tests.
//!
//! The `dos` cases verify hostile certificate sets (docs/design.md, "Bounded path building"):
//! a message carrying `MMHS_BENCH_DOS_CERTS` (default 16) self-issued CA certificates with one
//! name and one key, and a SignedData of `MMHS_BENCH_DOS_SIGNERS` (default 800) SignerInfos
//! with as many certificates, validated at a given time and at each signature's signingTime;
//! and hostile header sections, each verified at a size and at four times it (the ratio of
//! the two times is about 4 when the work is linear, 16 when quadratic): a Content-Type of
//! `MMHS_BENCH_DOS_FIELDS` (default 2 000) parameters, as many distinct header fields, and a
//! signed message whose protected header (wrapped, message/rfc822; forwarded=no) carries as
//! many fields, repeated in its outer header (`verify` reads a header section of at most
//! 1 MiB and 10 000 fields, and refuses a larger one, so 4 n stays within them).
//!
//!   cargo bench --bench smime                 # everything
//!   cargo bench --bench smime -- verify 10MiB # only cases whose name contains every word
//!   cargo bench --bench smime -- dos          # the hostile certificate sets

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mmhs::compose::{compose, ComposeContext, ComposeRequest};
use mmhs::fields::{inspect, InspectOptions};
use mmhs::keys::PrivateKey;
use mmhs::server::pki;
use mmhs::smime::{
    decrypt_message, encrypt_message, sign_message, signed_build, EncryptOptions, SignOptions,
    Signer,
};
use mmhs::verify::{verify, verify_cms, VerifyContext};
use x509_cert::Certificate;

#[path = "../tests/support/pki.rs"]
mod openssl_pki;

const MIB: usize = 1024 * 1024;

/// One key pair with its certificate and the CA that issued it.
struct Identity {
    label: &'static str,
    key_pem: String,
    cert_pem: String,
    ca_pem: String,
    ca: Certificate,
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn first_cert(pem: &str) -> Certificate {
    mmhs::keys::certificates_from_pem(pem)
        .expect("certificate PEM")
        .into_iter()
        .next()
        .expect("one certificate")
}

/// P-256 (ECDSA signatures, ECDH key agreement) from the crate's demo-PKI generator.
fn p256_identity(dir: &Path) -> Identity {
    let (files, _) = pki::ensure_demo_pki(
        &dir.join("p256"),
        &[pki::Subject {
            address: "bench@army.example",
            name: "Bench P-256",
            org: "army.example",
        }],
    )
    .expect("demo PKI");
    let user = &files.users[0];
    let ca_pem = read(&files.ca_cert);
    Identity {
        label: "p256",
        key_pem: read(&user.key),
        cert_pem: read(&user.cert),
        ca: first_cert(&ca_pem),
        ca_pem,
    }
}

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// RSA-2048 (PKCS#1 v1.5 signatures, RSAES-OAEP key transport): a CA and an S/MIME end
/// entity made with the openssl CLI; `None` when openssl is missing.
fn rsa_identity(dir: &Path) -> Option<Identity> {
    let d = dir.join("rsa");
    std::fs::create_dir_all(&d).ok()?;
    std::fs::write(
        d.join("ee.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=emailProtection\nsubjectAltName=email:bench@army.example\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .ok()?;
    let ok = openssl(
        &d,
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
            "-days",
            "30",
            "-subj",
            "/CN=Bench RSA CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    ) && openssl(
        &d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ee.key",
            "-out",
            "ee.csr",
            "-subj",
            "/CN=Bench RSA",
        ],
    ) && openssl(
        &d,
        &[
            "x509",
            "-req",
            "-in",
            "ee.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "ee.ext",
            "-out",
            "ee.pem",
        ],
    );
    if !ok {
        eprintln!("bench: openssl CLI unavailable or failed: RSA cases skipped");
        return None;
    }
    let ca_pem = read(&d.join("ca.pem"));
    Some(Identity {
        label: "rsa2048",
        key_pem: read(&d.join("ee.key")),
        cert_pem: read(&d.join("ee.pem")),
        ca: first_cert(&ca_pem),
        ca_pem,
    })
}

/// A text/plain message of about `size` octets (76-column ASCII lines, CRLF).
fn message(size: usize) -> Vec<u8> {
    let mut m = b"From: Bench <bench@army.example>\r\nTo: bob@navy.example\r\n\
Subject: benchmark\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\
Message-ID: <bench@army.example>\r\nMMHS-Primary-Precedence: 4\r\n\
MMHS-Extended-Authorisation-Info: Mon, 23 Nov 2026 12:00:00 +0000\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        .to_vec();
    let line: Vec<u8> = (0..76u8).map(|i| b'A' + (i % 26)).collect();
    while m.len() < size {
        m.extend_from_slice(&line);
        m.extend_from_slice(b"\r\n");
    }
    m
}

struct Bench {
    filter: Vec<String>,
    min: Duration,
}

impl Bench {
    /// Time `f` (which processes `bytes` octets per call) and print the rate; its ms/op, or
    /// `None` when the filter leaves it out.
    fn run(&self, name: &str, bytes: usize, mut f: impl FnMut()) -> Option<f64> {
        if !self.filter.iter().all(|w| name.contains(w.as_str())) {
            return None;
        }
        f(); // warm-up, and fail early
        let (mut n, start) = (0u32, Instant::now());
        while n < 3 || start.elapsed() < self.min {
            f();
            n += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let ops = f64::from(n) / secs;
        let ms = 1e3 * secs / f64::from(n);
        println!(
            "{name:<36} {n:>6} iter  {ms:>10.3} ms/op  {ops:>10.2} ops/s  {:>8.1} MB/s",
            ops * bytes as f64 / 1e6
        );
        Some(ms)
    }
}

/// OpenSSL 3 in-process, the native peer (module documentation): the `benches/openssl-peer`
/// program, given one job at a time.
struct Peer {
    bin: PathBuf,
    dir: PathBuf,
}

impl Peer {
    /// Build the peer (cargo, its own workspace, into this build's target directory).
    fn build(dir: &Path) -> Result<Peer, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--quiet", "--release", "--manifest-path"])
            .arg(root.join("benches/openssl-peer/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .output()
            .map_err(|e| format!("cargo: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Peer {
            bin: target.join("release/mmhs-openssl-peer"),
            dir: dir.join("openssl-peer"),
        })
    }

    /// The peer's medians (CMS DER, S/MIME) in ms for `op` on `input` by `id`'s key.
    fn time(&self, id: &Identity, op: &str, input: &[u8]) -> Result<(f64, f64), String> {
        let dir = self.dir.join(id.label);
        let write = |name: &str, data: &[u8]| {
            std::fs::write(dir.join(name), data).map_err(|e| format!("{name}: {e}"))
        };
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        write(&format!("{}.key", id.label), id.key_pem.as_bytes())?;
        write(&format!("{}.pem", id.label), id.cert_pem.as_bytes())?;
        write("ca.pem", id.ca_pem.as_bytes())?;
        write("input", input)?;
        // five timed calls after five untimed ones and a second of them at least
        let job = format!(
            "{op}\t{}\t{}\t0\t5\t1000\n",
            id.label,
            dir.join("input").display()
        );
        write("jobs.tsv", job.as_bytes())?;
        let out = Command::new(&self.bin)
            .arg(dir.join("jobs.tsv"))
            .output()
            .map_err(|e| format!("{}: {e}", self.bin.display()))?;
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let mut ms = line.split('\t').map(str::parse::<f64>);
        match (ms.next(), ms.next()) {
            (Some(Ok(der)), Some(Ok(smime))) => Ok((der, smime)),
            _ if line.is_empty() => Err(format!(
                "no answer ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            _ => Err(line),
        }
    }

    /// Print the peer's line under a case that took `ours` ms/op.
    fn compare(peer: Option<&Peer>, id: &Identity, op: &str, input: &[u8], ours: Option<f64>) {
        let (Some(peer), Some(ours)) = (peer, ours) else {
            return;
        };
        match peer.time(id, op, input) {
            Ok((der, smime)) => println!(
                "{:<36} OpenSSL in-process: CMS DER {der:.3} ms/op, S/MIME {smime:.3} ms/op; \
                 this core {:.2}× DER, {:.2}× S/MIME",
                "",
                ours / der,
                ours / smime
            ),
            Err(e) => println!("{:<36} OpenSSL in-process: {e}", ""),
        }
    }
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The hostile certificate sets of the module documentation.
fn dos(
    bench: &Bench,
    id: &Identity,
    now: time::OffsetDateTime,
    rng: &mut impl mmhs::rng::CryptoRng,
) {
    if !bench.filter.is_empty() && !bench.filter.iter().any(|w| w == "dos") {
        return;
    }
    // (a) n self-issued certificates with one name (one key, or a key each): every ordering
    // of them is a path.
    let n = env_count("MMHS_BENCH_DOS_CERTS", 16);
    if Command::new("openssl").arg("version").output().is_ok() {
        let p = openssl_pki::Pki::new("bench-dos", &[]);
        for (tag, shared_key) in [("one-key", true), ("own-keys", false)] {
            let signer = p.signer_with(tag, p.same_name_cas(tag, n, shared_key));
            let opts = SignOptions {
                signing_time: Some(now),
                ..SignOptions::default()
            };
            let signed = sign_message(&message(1024), &signer, &opts, rng).expect("sign");
            let ctx = VerifyContext {
                trust_anchors: vec![p.ca()],
                at: Some(now),
                ..VerifyContext::default()
            };
            bench.run(
                &format!("verify dos {n} same-name certs {tag} ({} B)", signed.len()),
                signed.len(),
                || {
                    black_box(verify(&signed, &ctx).expect("verify"));
                },
            );
        }
        let _ = std::fs::remove_dir_all(&p.dir);
    } else {
        eprintln!("bench: openssl CLI unavailable: the same-name certificates case is skipped");
    }

    // (b) m SignerInfos (one key, different signingTimes) and m certificates in one SignedData.
    let m = env_count("MMHS_BENCH_DOS_SIGNERS", 800);
    let signer = Signer::from_pem(&id.key_pem, &id.cert_pem, None).expect("signer");
    let content = message(1024);
    let base = SignOptions::default();
    let digest = base.digest.hash(&content);
    let mut infos = Vec::with_capacity(m);
    for i in 0..m {
        let opts = SignOptions {
            signing_time: Some(now - time::Duration::seconds(i as i64)),
            ..SignOptions::default()
        };
        let attrs =
            signed_build::signed_attributes(&signer, &opts, mmhs::asn1::oid::ID_DATA, &digest)
                .expect("attributes");
        infos.push(signed_build::build_signer_info(&signer, &opts, attrs, rng).expect("sign"));
    }
    let mut certs = vec![der::Encode::to_der(&signer.cert).expect("DER")];
    for i in 1..m {
        let validity = mmhs::pki::validity(now, 10).expect("validity");
        let (_, c) =
            mmhs::pki::make_ca(rng, &format!("CN=Decoy {i},O=Bench,C=GB"), validity).expect("CA");
        certs.push(der::Encode::to_der(&c).expect("DER"));
    }
    let alg = der::Encode::to_der(&base.digest.algorithm_identifier()).expect("DER");
    let sd = signed_build::assemble_signed_data(
        1,
        &[alg],
        mmhs::asn1::oid::ID_DATA,
        Some(&content),
        &certs,
        &infos,
    )
    .expect("SignedData");
    for (what, at) in [("at", Some(now)), ("signingTime", None)] {
        let ctx = VerifyContext {
            trust_anchors: vec![id.ca.clone()],
            at,
            ..VerifyContext::default()
        };
        bench.run(
            &format!("verify dos {m}x{m} {what} ({} B)", sd.len()),
            sd.len(),
            || {
                black_box(verify_cms(&sd, None, &ctx));
            },
        );
    }
}

/// A message whose header section carries `n` items made by `item` (after the usual fields).
fn hostile_header(n: usize, item: impl Fn(usize) -> String) -> Vec<u8> {
    let mut m = String::from(
        "From: bench@army.example\r\nTo: bob@navy.example\r\nSubject: hostile\r\nMIME-Version: 1.0\r\n",
    );
    for i in 0..n {
        m.push_str(&item(i));
    }
    m.push_str("\r\nbody\r\n");
    m.into_bytes()
}

/// The hostile header sections of the module documentation, each at `n` and `4 n`.
fn dos_headers(
    bench: &Bench,
    id: &Identity,
    now: time::OffsetDateTime,
    rng: &mut impl mmhs::rng::CryptoRng,
) {
    let n = env_count("MMHS_BENCH_DOS_FIELDS", 2_000);
    let ctx = VerifyContext {
        trust_anchors: vec![id.ca.clone()],
        at: Some(now),
        ..VerifyContext::default()
    };
    let signer = Signer::from_pem(&id.key_pem, &id.cert_pem, None).expect("signer");
    let opts = SignOptions {
        signing_time: Some(now),
        ..SignOptions::default()
    };
    type Shape = fn(usize) -> Vec<u8>;
    let shapes: [(&str, Shape); 3] = [
        ("parameters", |k| {
            let mut m = hostile_header(0, |_| String::new());
            let at = m.len() - "\r\nbody\r\n".len();
            let mut ct = String::from("Content-Type: text/plain");
            for i in 0..k {
                ct.push_str(&format!(";\r\n p{i}={i}"));
            }
            ct.push_str("\r\n");
            m.splice(at..at, ct.into_bytes());
            m
        }),
        ("fields", |k| {
            hostile_header(k, |i| format!("X-F{i}: v{i}\r\n"))
        }),
        ("protected fields", |k| {
            hostile_header(k, |i| format!("X-F{i}: v{i}\r\n"))
        }),
    ];
    for (what, make) in shapes {
        let mut times = Vec::new();
        for k in [n, 4 * n] {
            let mut msg = make(k);
            if what == "protected fields" {
                // Wrapped and signed; the outer header repeats every field.
                let wrapped = mmhs::protect::wrap(&msg).expect("wrap");
                msg = sign_message(&wrapped, &signer, &opts, rng).expect("sign");
            }
            let label = format!("verify dos header {k} {what} ({} B)", msg.len());
            times.push(bench.run(&label, msg.len(), || {
                black_box(verify(&msg, &ctx).expect("verify"));
            }));
        }
        if let [Some(a), Some(b)] = times[..] {
            println!("{:<36} ×4 input: ×{:.1} time", "", b / a);
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; everything else that is not a flag filters by name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let secs: f64 = std::env::var("MMHS_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let bench = Bench {
        filter,
        min: Duration::from_secs_f64(secs),
    };
    let tmp = std::env::temp_dir().join(format!("mmhs-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut rng = mmhs::rng::system_rng();
    let mut identities = vec![p256_identity(&tmp)];
    identities.extend(rsa_identity(&tmp));
    // after the certificates were made (their notBefore is "now"), a little later still
    let now = time::OffsetDateTime::now_utc() + time::Duration::seconds(5);
    let peer = match std::env::var("MMHS_BENCH_PEER").as_deref() {
        Ok("0") => None,
        _ => Peer::build(&tmp)
            .map_err(|e| eprintln!("bench: OpenSSL peer unavailable (benches/openssl-peer): {e}"))
            .ok(),
    };
    let peer = peer.as_ref();

    for size in [MIB, 10 * MIB] {
        let msg = message(size);
        let tag = format!("{}MiB", size / MIB);
        for id in &identities {
            let signer = Signer::from_pem(&id.key_pem, &id.cert_pem, None).expect("signer");
            let key = PrivateKey::from_pem(&id.key_pem).expect("private key");
            let cert = first_cert(&id.cert_pem);
            let opts = SignOptions {
                signing_time: Some(now),
                ..SignOptions::default()
            };
            let signed = sign_message(&msg, &signer, &opts, &mut rng).expect("sign");
            let ctx = VerifyContext {
                trust_anchors: vec![id.ca.clone()],
                at: Some(now),
                ..VerifyContext::default()
            };
            let report = verify(&signed, &ctx).expect("verify");
            assert!(
                report.valid,
                "{}: own signature must verify: {report:?}",
                id.label
            );
            let encrypted = encrypt_message(
                &msg,
                std::slice::from_ref(&cert),
                &EncryptOptions::default(),
                &mut rng,
            )
            .expect("encrypt");
            let decrypted = decrypt_message(&encrypted, &key, &cert).expect("decrypt");
            assert!(decrypted.len() >= size, "{}: decrypt round trip", id.label);

            let ms = bench.run(&format!("sign    {tag:>5} {}", id.label), msg.len(), || {
                black_box(sign_message(&msg, &signer, &opts, &mut rng).expect("sign"));
            });
            Peer::compare(peer, id, "sign", &msg, ms);
            let ms = bench.run(
                &format!("verify  {tag:>5} {}", id.label),
                signed.len(),
                || {
                    black_box(verify(&signed, &ctx).expect("verify"));
                },
            );
            Peer::compare(peer, id, "verify", &signed, ms);
            let ms = bench.run(&format!("encrypt {tag:>5} {}", id.label), msg.len(), || {
                black_box(
                    encrypt_message(
                        &msg,
                        std::slice::from_ref(&cert),
                        &EncryptOptions::default(),
                        &mut rng,
                    )
                    .expect("encrypt"),
                );
            });
            Peer::compare(peer, id, "encrypt", &msg, ms);
            let ms = bench.run(
                &format!("decrypt {tag:>5} {}", id.label),
                encrypted.len(),
                || {
                    black_box(decrypt_message(&encrypted, &key, &cert).expect("decrypt"));
                },
            );
            Peer::compare(peer, id, "decrypt", &encrypted, ms);
        }
        let opts = InspectOptions {
            now: Some(now),
            ..Default::default()
        };
        bench.run(&format!("inspect {tag:>5}"), msg.len(), || {
            black_box(inspect(&msg, &opts).expect("inspect"));
        });
    }

    dos(&bench, &identities[0], now, &mut rng);
    if bench.filter.is_empty() || bench.filter.iter().any(|w| w == "dos") {
        dos_headers(&bench, &identities[0], now, &mut rng);
    }

    // compose: the golden request of tests/vectors/compose (three copies, attachment).
    let req_json = include_bytes!("../tests/vectors/compose/golden-request.json");
    let req = ComposeRequest::from_json(req_json).expect("compose request");
    let ctx = ComposeContext::new(time::macros::datetime!(2026-11-23 12:00:00 UTC));
    bench.run("compose golden-request", req_json.len(), || {
        black_box(compose(&req, &ctx, &mut rng).expect("compose"));
    });

    let _ = std::fs::remove_dir_all(&tmp);
}
