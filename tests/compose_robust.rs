//! Robustness: random text in every free-text member never panics; when compose accepts the
//! request, every copy is well-formed (CRLF, ≤ 998-octet lines, 7-bit header section) and the
//! subject, display names and file names come back exactly through mail-parser.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::compose::*;
use base64::Engine as _;
use mail_parser::MimeHeaders;
use mmhs::compose::compose;
use rand_core::Rng;

fn random_text(rng: &mut TestRng, max: usize, controls: bool) -> String {
    const POOL: &[char] = &[
        'a', 'Z', '0', ' ', ' ', '"', '\\', '=', '?', '_', ';', ',', '<', '>', '@', '(', ')', '.',
        ':', '\'', '%', '*', 'é', 'Ü', 'ß', '—', '中', '😀', '\t', '\r', '\n', '\u{7}',
    ];
    // the last three are CR, LF, BEL: only in some rounds
    let pool = if controls {
        POOL
    } else {
        &POOL[..POOL.len() - 3]
    };
    let len = (rng.next_u32() as usize) % max;
    (0..len)
        .map(|_| pool[(rng.next_u32() as usize) % pool.len()])
        .collect()
}

#[test]
fn random_text_members() {
    let mut gen = TestRng(2026);
    let mut accepted = 0;
    for round in 0..400 {
        let ctl = round % 8 == 0;
        let subject = random_text(&mut gen, 200, ctl);
        let name = random_text(&mut gen, 40, ctl);
        // path separators are refused in file names by design
        let filename = random_text(&mut gen, 90, ctl).replace('\\', "_");
        let body = random_text(&mut gen, 400, true);
        let req_json = serde_json::json!({
            "from": { "name": name, "address": "alice@army.example" },
            "to": [ { "name": name, "address": "bob@navy.example" } ],
            "bcc": [ "dave@army.example" ],
            "primaryPrecedence": "priority",
            "copyPrecedence": "routine",
            "subject": subject,
            "body": body,
            "attachments": [ { "filename": filename,
                               "data": base64::engine::general_purpose::STANDARD.encode(body.as_bytes()) } ]
        });
        let req = request(&req_json.to_string());
        let out = match compose(&req, &ctx(), &mut TestRng(round)) {
            Ok(out) => out,
            Err(e) => {
                // only the typed errors random text can legitimately cause
                use mmhs::error::Coded;
                assert!(
                    ["header-crlf", "header-control-char", "filename-invalid"].contains(&e.code()),
                    "round {round}: {e:?}"
                );
                continue;
            }
        };
        accepted += 1;
        for m in &out {
            assert_wellformed_lines(&m.raw);
            let head_end = m.raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            assert!(m.raw[..head_end].is_ascii(), "8-bit header");
            let p = parse(&m.raw);
            let want_subject = subject.clone();
            assert_eq!(
                p.subject().unwrap_or(""),
                want_subject.as_str(),
                "round {round}"
            );
            let from = p.from().and_then(|a| a.first()).unwrap();
            assert_eq!(from.address(), Some("alice@army.example"));
            if !name.trim().is_empty() {
                assert_eq!(from.name(), Some(name.as_str()), "round {round}");
            }
            let att = p.attachments().next().expect("attachment");
            assert_eq!(
                att.attachment_name(),
                Some(filename.as_str()),
                "round {round}"
            );
            assert_eq!(att.contents(), body.as_bytes());
        }
    }
    assert!(accepted > 200, "only {accepted} random requests accepted");
}
