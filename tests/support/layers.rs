//! The S/MIME layers of a message as draft-melnikov-smime-msa-to-mda-04 §5.1 writes them —
//! `S` for a signedData, `E` for an envelopedData — for tests that compare what an agent sent
//! with the message an example says is "sent out of the domain"; and a Mail List Agent's
//! expansion (RFC 2634 §4) for tests that send one to an agent.

#![allow(dead_code)]

use mmhs::verify::VerifyContext;

/// The layers of `raw` opened with `ctx`, outermost first: `E` for an encrypted layer,
/// `S[type by signer]` for a signed one (`; ` between parallel signatures). Every layer must
/// open, every signature must be valid and trusted, and the content must contain `content`.
pub fn shape(raw: &[u8], ctx: &VerifyContext, content: &str) -> Vec<String> {
    let v = mmhs::verify::verify_message(raw, ctx).unwrap();
    let r = &v.report;
    assert!(
        r.problems
            .iter()
            .all(|p| !matches!(p.code.as_str(), "no-decryption-key" | "decrypt-failed")),
        "{:?}",
        r.problems
    );
    for s in &r.signatures {
        assert!(s.valid && s.trusted, "{} {:?}", s.signer, s.problems);
    }
    assert!(
        String::from_utf8_lossy(&v.content).contains(content),
        "the original content is not reached"
    );
    r.layers
        .iter()
        .enumerate()
        .map(|(i, l)| match l.as_str() {
            "signed" => {
                let sigs: Vec<String> = r
                    .signatures
                    .iter()
                    .filter(|s| s.layer == i)
                    .map(|s| format!("{} by {}", s.signature_type, s.signer))
                    .collect();
                format!("S[{}]", sigs.join("; "))
            }
            "enveloped" | "authEnveloped" => "E".to_string(),
            other => other.to_string(),
        })
        .collect()
}

/// `raw` expanded once by the list whose signer is `list` (no members to re-encrypt for,
/// history limit 64, signed now), verified with `ctx`.
pub fn expand_by(
    list: &mmhs::smime::Signer,
    raw: &[u8],
    ctx: &VerifyContext,
) -> mmhs::domain_agent::Expansion {
    mmhs::domain_agent::expand(
        &mmhs::verify::VerifiedMessage::verify(raw, ctx).unwrap(),
        &mmhs::domain_agent::MailListAgent {
            signer: list,
            decryption: None,
            use_ski: false,
            receipt_policy: None,
            history_limit: 64,
            domain_signature: None,
        },
        &Default::default(),
        time::OffsetDateTime::now_utc(),
        &mmhs::smime::SignOptions {
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..Default::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}
