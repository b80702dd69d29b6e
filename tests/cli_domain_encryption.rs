//! Encryption to a recipient domain's DCA or gateway through the `mmhs` binary
//! (draft-melnikov-smime-msa-to-mda-04 §4 case (b); draft-ramsdell-enc-smime-gateway-00):
//!
//! - `mmhs encrypt --rcpt carol@navy.example --certs … --domain-encryption when-no-personal`
//!   encrypts to navy's DCA because carol has no certificate; `openssl cms -decrypt` opens it
//!   with the DCA's key; `mmhs verify --key navy-dca.key` reports the recipient as the DCA of
//!   navy.example (`encryption[]`, note `encrypted-for-domain`);
//! - without domain encryption the same command refuses (`no-recipient-certificate`), never
//!   sending in clear;
//! - `mmhs compose` with `encrypt.domainEncryption: "whenNoPersonal"` does the same for a
//!   compose request, and refuses without it (`recipient-certificate-missing`).

#![cfg(not(target_arch = "wasm32"))]

use crate::support;

use std::sync::OnceLock;

use support::cli::{error_code, mmhs};
use support::interop::{cms_decrypt, succeeded};
use support::pki::{Alg, Pki};

const MESSAGE: &str = "From: Alice <alice@army.example>\r\nTo: carol@navy.example\r\nSubject: Fuel\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nMessage-ID: <cli-dca-1@army.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nTwo tankers at the pier.\r\n";

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let p = Pki::new(
            "cli-domain-enc",
            &[
                ("alice", "alice@army.example", Alg::Rsa),
                ("bob", "bob@navy.example", Alg::Ec),
            ],
        );
        p.issue_san("navy-dca", "URI:smtp://navy.example", Alg::Rsa, 8001);
        p.issue_san("evil-dca", "URI:smtp://evil.example", Alg::Rsa, 8002);
        p.write("message.eml", MESSAGE.as_bytes());
        p
    })
}

/// `mmhs encrypt message.eml --rcpt carol@navy.example --certs C … --domain-encryption MODE`.
fn encrypt_for_carol(certs: &[&str], mode: &str) -> std::process::Output {
    let mut args = vec!["encrypt", "message.eml", "--rcpt", "carol@navy.example"];
    for c in certs {
        args.extend(["--certs", c]);
    }
    args.extend(["--domain-encryption", mode]);
    mmhs(&pki().dir, &args)
}

/// `openssl cms -decrypt` of `file` with `who`'s key: (success, plaintext, stderr).
fn openssl_decrypt(file: &str, who: &str) -> (bool, Vec<u8>, String) {
    let (key, cert) = (format!("{who}.key"), format!("{who}.pem"));
    cms_decrypt(&pki().dir, file, &cert, &key, &[])
}

#[test]
fn encrypt_to_the_recipient_domains_dca() {
    let p = pki();
    let out = support::cli::stdout_of_success(&encrypt_for_carol(
        &["bob.pem", "navy-dca.pem", "evil-dca.pem"],
        "when-no-personal",
    ));
    p.write("to-dca.eml", &out);
    let plain = succeeded(openssl_decrypt("to-dca.eml", "navy-dca"));
    assert!(String::from_utf8_lossy(&plain).contains("Two tankers at the pier."));
    // bob's key is not a recipient: only the DCA was chosen for carol.
    assert!(!openssl_decrypt("to-dca.eml", "bob").0);

    // Not signed: exit 1 (not valid), the report on stdout.
    let report = support::cli::json(
        &(mmhs(
            &p.dir,
            &[
                "verify",
                "to-dca.eml",
                "--trust",
                "ca.pem",
                "--key",
                "navy-dca.key",
                "--cert",
                "navy-dca.pem",
            ],
        ))
        .stdout,
    );
    let r = &report["encryption"][0]["recipients"][0];
    assert_eq!(r["kind"], "dca", "{report}");
    assert_eq!(r["domain"], "navy.example");
    assert_eq!(r["decryptedHere"], true);
    assert!(report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["code"] == "encrypted-for-domain"));
}

#[test]
fn without_domain_encryption_nothing_is_sent_in_clear() {
    for mode in ["none", "also"] {
        let out = encrypt_for_carol(&["bob.pem", "evil-dca.pem"], mode);
        assert_eq!(error_code(&out), "no-recipient-certificate", "{mode}");
    }
    let out = encrypt_for_carol(&["navy-dca.pem"], "sometimes");
    assert_eq!(error_code(&out), "args-invalid");
}

fn compose_request(domain_encryption: Option<&str>) -> String {
    let p = pki();
    let mut encrypt = serde_json::json!({
        "certificates": [p.read("navy-dca.pem")],
        "senderCertificate": p.read("alice.pem"),
    });
    if let Some(m) = domain_encryption {
        encrypt["domainEncryption"] = serde_json::json!(m);
    }
    serde_json::json!({
        "from": "alice@army.example",
        "to": ["carol@navy.example"],
        "primaryPrecedence": "priority",
        "subject": "Fuel",
        "body": "Two tankers at the pier.\n",
        "encrypt": encrypt,
    })
    .to_string()
}

#[test]
fn compose_encrypts_to_the_dca_when_asked() {
    let p = pki();
    p.write(
        "req-dca.json",
        compose_request(Some("whenNoPersonal")).as_bytes(),
    );
    let out = mmhs(&p.dir, &["compose", "req-dca.json"]);
    let stdout = support::cli::stdout_of_success(&out);
    let v = support::cli::json(&stdout);
    let raw = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(v[0]["raw"].as_str().expect("raw"))
            .unwrap()
    };
    p.write("composed.eml", &raw);
    let plain = succeeded(openssl_decrypt("composed.eml", "navy-dca"));
    assert!(String::from_utf8_lossy(&plain).contains("Two tankers"));

    p.write("req-none.json", compose_request(None).as_bytes());
    let out = mmhs(&p.dir, &["compose", "req-none.json"]);
    assert_eq!(error_code(&out), "recipient-certificate-missing");
}
