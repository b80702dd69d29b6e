//! Golden test: a fixed request, time and RNG give byte-identical messages and envelopes.
//! Regenerate (after an intended change, then review the diff) with
//! `MMHS_UPDATE_GOLDEN=1 cargo test --test compose_golden`.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::compose::*;
use mmhs::compose::compose;

const REQUEST: &str = include_str!("vectors/compose/golden-request.json");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/compose");

#[test]
fn golden_request_gives_golden_messages() {
    let req = request(REQUEST);
    let out = compose(&req, &ctx(), &mut TestRng(0x4d4d_4853)).expect("composes");
    // the same inputs give the same bytes
    let again = compose(&req, &ctx(), &mut TestRng(0x4d4d_4853)).unwrap();
    assert_eq!(out, again);
    assert_eq!(out.len(), 2, "open copy + one Bcc copy");
    let update = std::env::var_os("MMHS_UPDATE_GOLDEN").is_some();
    for (i, m) in out.iter().enumerate() {
        let eml = format!("{DIR}/golden-{:02}.eml", i + 1);
        let env = format!("{DIR}/golden-{:02}.envelope.json", i + 1);
        let env_json = serde_json::to_string_pretty(&m.envelope).unwrap() + "\n";
        let lines = format!(
            "{}\n{}\n",
            m.envelope.mail_from_line(),
            m.envelope.rcpt_lines().join("\n")
        );
        let smtp = format!("{DIR}/golden-{:02}.smtp.txt", i + 1);
        if update {
            std::fs::write(&eml, &m.raw).unwrap();
            std::fs::write(&env, &env_json).unwrap();
            std::fs::write(&smtp, &lines).unwrap();
        }
        assert_eq!(
            m.raw,
            std::fs::read(&eml).expect("golden .eml present"),
            "{eml}"
        );
        assert_eq!(env_json, std::fs::read_to_string(&env).unwrap(), "{env}");
        assert_eq!(lines, std::fs::read_to_string(&smtp).unwrap(), "{smtp}");
        parse(&m.raw);
    }
}
