//! Attacks on the verdict's Draft & Release bindings, built at test time from a [`Pki`] with
//! the end entities `alice` (alice@army.example, the drafter) and `o1` (o1@army.example, the
//! release officer): shared by the core tests (`tests/verify_attacks.rs`) and the command-line
//! tests (`tests/cli_verify_attacks.rs`).
//!
//! - [`self_countersigned`]: the drafter countersigns her own signature (RFC 5652 §11.4) with a
//!   certificate she made carrying the officer's address, ships the officer's genuine
//!   certificate in the SignedData certificate set, and lists the officer in
//!   MMHS-Authorizing-Users (RFC 7912 §3.2).
//! - [`content_replaced`] / [`signer_info_moved`]: a countersignature signs only the
//!   countersigned signature value (RFC 5652 §11.4), so a genuine release can be carried over
//!   to other content.
//! - [`nested_path_building`]: work for an agent's message budget — a large message signed
//!   layer over layer by a certificate whose issuers are 16 self-issued CAs of one name.

#![allow(dead_code)]

use der::Encode;

use mmhs::asn1::oid::ID_DATA;
use mmhs::mime::encode::base64_lines;
use mmhs::mime::entity::{self, fields, media_type, split};
use mmhs::release::{self, Decision, Outcome, ReleasePolicy, ReleaseRequest};
use mmhs::rng::danger::SeededRng;
use mmhs::smime::signed_parse::{parse_content_info, parse_signed_data};
use mmhs::smime::{self, signed_build, DigestAlg, SignOptions, Signer};

use super::pki::Pki;

/// The drafter's address.
pub const DRAFTER: &str = "alice@army.example";
/// The release officer's address.
pub const OFFICER: &str = "o1@army.example";

/// The drafted military message (MMHS profile §3.4; no header protection).
pub const DRAFT: &str = "From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: Convoy movement\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <attack-1@army.example>\r\nMMHS-Primary-Precedence: 4 (flash)\r\nMMHS-Copy-Precedence: 1 (routine)\r\nMMHS-Extended-Authorisation-Info: Mon, 23 Nov 2026 12:00:00 +0000\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at dawn.\r\n";

/// The text the attacker wants released instead.
pub const OTHER_ENTITY: &str =
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nThe convoy moves at noon.\r\n";

/// The validation time: certificates are issued when the test runs; verify a little later.
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

fn opts() -> SignOptions {
    SignOptions {
        signing_time: Some(now()),
        ..SignOptions::default()
    }
}

/// [`DRAFT`] signed by alice (multipart/signed).
pub fn signed_draft(pki: &Pki) -> Vec<u8> {
    smime::sign_message(
        DRAFT.as_bytes(),
        &pki.signer("alice"),
        &opts(),
        &mut SeededRng::new(31),
    )
    .unwrap()
}

/// Attack 1: alice's signed draft, countersigned by `impostor` (identified by
/// subjectKeyIdentifier when `use_ski`, else by issuerAndSerialNumber), with the officer's
/// genuine certificate added to the SignedData certificate set, the officer listed in
/// MMHS-Authorizing-Users.
pub fn self_countersigned(pki: &Pki, impostor: &Signer, use_ski: bool) -> Vec<u8> {
    let mut impostor = impostor.clone();
    // Certificates of the chain go into the certificate set with the countersigner's.
    impostor.chain = vec![pki.cert("o1")];
    let cs_opts = SignOptions { use_ski, ..opts() };
    let countersigned = smime::countersign_message_with(
        &signed_draft(pki),
        0,
        &impostor,
        &cs_opts,
        &mut SeededRng::new(37),
    )
    .unwrap();
    release::set_authorizing_users(&countersigned, &[OFFICER.to_string()]).unwrap()
}

/// A message the officer genuinely released (`release::release`): alice's signature
/// countersigned by o1, MMHS-Authorizing-Users listing o1.
pub fn released(pki: &Pki) -> Vec<u8> {
    let ctx = pki.verify_context(now());
    let officer = pki.signer("o1");
    let policy = ReleasePolicy {
        officers: vec![OFFICER.into()],
        require_release: vec!["*@army.example".into()],
        ..ReleasePolicy::default()
    };
    let r = release::release(
        &ReleaseRequest {
            raw: &signed_draft(pki),
            officer: &officer,
            verify: &ctx,
            policy: &policy,
            decision: Decision::Approve,
            envelope: None,
            now: now(),
        },
        &mut SeededRng::new(41),
    )
    .unwrap();
    assert_eq!(r.outcome, Outcome::Released, "{:?}", r.problems);
    r.message
}

/// Attack 2, first form: the released multipart/signed message with its signed text
/// replaced by [`OTHER_ENTITY`]'s, the SignerInfo (and its countersignature) kept.
pub fn content_replaced(released: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(released.to_vec()).unwrap();
    assert_eq!(text.matches("The convoy moves at dawn.").count(), 1);
    text.replace("The convoy moves at dawn.", "The convoy moves at noon.")
        .into_bytes()
}

/// The ContentInfo(SignedData) DER of a multipart/signed message.
pub fn signature_der(message: &[u8]) -> Vec<u8> {
    let (header, body) = split(message);
    let fs = fields(header);
    let ct = media_type(&entity::field(&fs, "content-type").unwrap().value);
    assert_eq!(ct.mime, "multipart/signed");
    let parts = entity::multipart_parts(body, ct.param("boundary").unwrap()).unwrap();
    let (ph, pb) = split(parts[1]);
    let pfs = fields(ph);
    let cte = entity::field(&pfs, "content-transfer-encoding").map(|f| f.value.clone());
    entity::decode_transfer(pb, cte.as_deref()).unwrap()
}

/// Attack 2, second form: the released message's countersigned SignerInfo moved into a new
/// SignedData encapsulating [`OTHER_ENTITY`], with the same certificates and outer header
/// fields (application/pkcs7-mime). With `fresh`, that signer also signs the new content
/// (a drafter re-using a release for another text).
pub fn signer_info_moved(released: &[u8], fresh: Option<&Signer>) -> Vec<u8> {
    let der = signature_der(released);
    let ci = parse_content_info(&der).unwrap();
    let sd = parse_signed_data(ci.content).unwrap();
    assert_eq!(sd.signer_infos.len(), 1);
    let moved = sd.signer_infos[0].raw.to_der().unwrap().into_owned();
    let certs: Vec<Vec<u8>> = sd
        .certificates
        .iter()
        .map(|c| c.to_der().unwrap())
        .collect();
    let content = OTHER_ENTITY.as_bytes();
    let mut signer_infos = Vec::new();
    if let Some(signer) = fresh {
        let attrs = signed_build::signed_attributes(
            signer,
            &opts(),
            ID_DATA,
            &DigestAlg::Sha256.hash(content),
        )
        .unwrap();
        signer_infos.push(
            signed_build::build_signer_info(signer, &opts(), attrs, &mut SeededRng::new(43))
                .unwrap(),
        );
    }
    signer_infos.push(moved);
    let new_der = signed_build::assemble_signed_data(
        1,
        &[DigestAlg::Sha256.algorithm_identifier().to_der().unwrap()],
        ID_DATA,
        Some(content),
        &certs,
        &signer_infos,
    )
    .unwrap();
    let mut out = Vec::new();
    for f in fields(split(released).0) {
        let n = f.name.to_ascii_lowercase();
        if !(n.starts_with("content-") || n == "mime-version") {
            out.extend_from_slice(f.raw);
        }
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    out.extend_from_slice(&base64_lines(&new_der));
    out
}

/// `raw` with `padding` more octets of body, signed `layers` times (at most the core's depth
/// limit of 8) by the end entity `loop` of `pki` whose issuers are 16 self-issued CAs of one
/// name (every ordering a candidate path, [`Pki::same_name_cas`]): each layer is decoded,
/// hashed and path-built again. Within every work limit of the core, so its cost is what
/// only a time budget bounds (`messageBudgetMillis`).
pub fn nested_path_building(pki: &Pki, raw: &[u8], layers: usize, padding: usize) -> Vec<u8> {
    let signer = pki.signer_with("loop", pki.same_name_cas("loop", 16, false));
    let line = b"Every ordering is a path; every layer is decoded again.\r\n";
    let mut signed = raw.to_vec();
    signed.extend(line.iter().cycle().take(padding / line.len() * line.len()));
    for _ in 0..layers {
        signed = smime::sign_message(
            &signed,
            &signer,
            &SignOptions {
                signing_time: Some(time::OffsetDateTime::now_utc()),
                ..SignOptions::default()
            },
            &mut mmhs::rng::system_rng(),
        )
        .unwrap();
    }
    signed
}
