//! Domain signatures made by Bouncy Castle (bcpkix, Debian's libbcpkix-java, installed by
//! scripts/setup.sh with a JDK): `tests/interop_bc/DomainSign.java`, compiled and run at test
//! time on a PKI made by OpenSSL, signs alice's signed message (made by the core) with an
//! agent's key as an encapsulated SignedData carrying the signatureType attribute
//! (draft-melnikov-smime-msa-to-mda-04 §3.2, id-sti-domainSig) — the third-party form of a
//! domain signature that `openssl cms -sign` cannot make (it adds no arbitrary signed
//! attribute). The core reads it as a domain signature with the §2.6 naming verdict: the
//! army.example agent's is `namingOk` and makes the message domain-verified; evil.example's
//! on the same army.example message is flagged (`domain-naming-mismatch`).
//!
//! Needs `java`, `javac` and the Bouncy Castle jars; outside scripts/test.sh the test is
//! skipped, with a message, when they are missing; under scripts/test.sh (MMHS_TEST_SH=1) it
//! must run.

#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mmhs::mime::entity::{fields, split};
use support::interop::{cms_verify, succeeded};
use support::pki::{Alg, Pki};

const JARS: [&str; 3] = [
    "/usr/share/java/bcprov.jar",
    "/usr/share/java/bcpkix.jar",
    "/usr/share/java/bcutil.jar",
];
const ID_STI_DOMAIN_SIG: &str = "1.2.840.113549.1.9.16.9.2";

fn have(cmd: &str) -> bool {
    Command::new(cmd).arg("-version").output().is_ok()
}

/// Whether Bouncy Castle can run here; panics under scripts/test.sh when it cannot.
fn bc_usable() -> bool {
    support::required(
        have("java") && have("javac") && JARS.iter().all(|j| Path::new(j).exists()),
        "interop_bc",
        "the Bouncy Castle test needs java, javac and libbcpkix-java (scripts/setup.sh)",
    )
}

/// Run `cmd`, which must succeed.
fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compile DomainSign.java into `dir`; the classpath to run it.
fn compile(dir: &Path) -> String {
    let classes = dir.join("classes");
    std::fs::create_dir_all(&classes).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop_bc/DomainSign.java");
    let cp = JARS.join(":");
    run(Command::new("javac")
        .args(["-cp", &cp, "-d"])
        .arg(&classes)
        .arg(&src));
    format!("{cp}:{}", classes.display())
}

/// `raw`'s outer header fields (all but `Content-*` and `MIME-Version`) and its MIME entity
/// (the `Content-*` fields and the body): what a signature encapsulating the message signs
/// (RFC 8551 §3.1) and what stays outside.
fn outer_and_entity(raw: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (header, body) = split(raw);
    let (mut outer, mut entity) = (Vec::new(), Vec::new());
    for f in fields(header) {
        let name = f.name.to_ascii_lowercase();
        if name.starts_with("content-") {
            entity.extend_from_slice(f.raw);
        } else if name != "mime-version" {
            outer.extend_from_slice(f.raw);
        }
    }
    entity.extend_from_slice(b"\r\n");
    entity.extend_from_slice(body);
    (outer, entity)
}

/// alice's signed message domain-signed by Bouncy Castle with `agent`'s key: an
/// application/pkcs7-mime signed-data message with alice's outer header fields.
fn bc_domain_signed(pki: &Pki, classpath: &str, agent: &str, inner: &[u8]) -> Vec<u8> {
    let (outer, entity) = outer_and_entity(inner);
    let content = pki.dir.join(format!("{agent}-content.bin"));
    std::fs::write(&content, &entity).unwrap();
    let der: PathBuf = pki.dir.join(format!("{agent}-bc.der"));
    run(Command::new("java")
        .args(["-cp", classpath, "DomainSign"])
        .arg(pki.dir.join(format!("{agent}.key")))
        .arg(pki.dir.join(format!("{agent}.pem")))
        .arg(&content)
        .arg(&der)
        .arg(ID_STI_DOMAIN_SIG));
    let b64 = base64_lines(&std::fs::read(&der).unwrap());
    let mut msg = outer;
    msg.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7m\r\n\r\n");
    msg.extend_from_slice(b64.as_bytes());
    msg
}

fn base64_lines(der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push_str("\r\n");
    }
    out
}

#[test]
fn bouncy_castle_domain_signatures_get_the_naming_verdict() {
    if !bc_usable() {
        return;
    }
    let pki = Pki::new("interop-bc", &[("alice", "alice@army.example", Alg::Ec)]);
    pki.domain_agents();
    let classpath = compile(&pki.dir);
    let inner = support::postfix::alice_message(&pki, "bc domain signature");
    let ctx = pki.verify_context(time::OffsetDateTime::now_utc());

    // army.example's agent (URI:smtp://army.example, DNS:army.example): a domain signature
    // with a correct name; the message is domain-verified, alice's signature inside.
    let msg = bc_domain_signed(&pki, &classpath, "army-sig", &inner);
    let r = mmhs::verify::verify(&msg, &ctx).unwrap();
    assert!(r.valid, "{:#?}", r.problems);
    assert!(r.domain_verified, "{r:#?}");
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[0].signature_type, "domain");
    assert_eq!(r.signatures[0].signer, "smtp://army.example");
    assert_eq!(r.signatures[0].naming_ok, Some(true));
    assert_eq!(
        r.signatures[0].agent_domain.as_deref(),
        Some("army.example")
    );
    assert_eq!(r.signatures[1].signer, "alice@army.example");
    assert_eq!(r.signatures[1].address_match, Some(true));
    // OpenSSL agrees that Bouncy Castle's signature verifies.
    pki.write("bc-army.eml", &msg);
    succeeded(cms_verify(
        &pki.dir,
        "bc-army.eml",
        "ca.pem",
        &["-out", "bc-army-inner.eml"],
    ));

    // evil.example's agent on the same army.example message: valid, trusted, and flagged.
    let rogue = bc_domain_signed(&pki, &classpath, "evil-sig", &inner);
    let r = mmhs::verify::verify(&rogue, &ctx).unwrap();
    assert_eq!(r.signatures[0].signature_type, "domain");
    assert!(r.signatures[0].valid && r.signatures[0].trusted, "{r:#?}");
    assert_eq!(r.signatures[0].naming_ok, Some(false));
    assert!(!r.valid && !r.domain_verified);
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == "domain-naming-mismatch"),
        "{:#?}",
        r.problems
    );
    let _ = std::fs::remove_dir_all(&pki.dir);
}
