//! The code that uses WebAssembly's 128-bit vector instructions as the package runs it (built
//! for wasm32 with them, `.cargo/config.toml`), in headless Chromium, against plain
//! reference implementations: `wasm-pack test --headless --chrome -- --test wasm_vector`
//! (scripts/test.sh wasm).
//! - the base64 body decoder, 16 symbols a step, against whole-body decoding (RFC 2045 §6.8:
//!   white space removed, then RFC 4648 §4), into a new buffer and in the message's own;
//! - the canonical form's search for bare LF line ends (RFC 8551 §3.1.1), 16 octets a step,
//!   against inserting a CR before every LF that has none.
#![cfg(target_arch = "wasm32")]

use base64::Engine;
use mmhs::mime::entity::{base64_decode, base64_decode_in_place, canonical_crlf};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The whole-body decoding every body must decode as: white space removed, padding optional,
/// unused trailing bits ignored.
fn reference(body: &[u8]) -> Result<Vec<u8>, ()> {
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    lenient.decode(clean).map_err(|_| ())
}

fn assert_decodes_as_reference(body: &[u8]) {
    let decoded = base64_decode(body).map_err(|_| ());
    assert_eq!(
        decoded,
        reference(body),
        "{:?}",
        String::from_utf8_lossy(body)
    );
    // Decoded in the message's own buffer, after its header section: the same.
    let mut message = vec![b'H'; 40];
    message.extend_from_slice(body);
    assert_eq!(
        base64_decode_in_place(message, 40, 32)
            .map(|d| d[32..].to_vec())
            .map_err(|_| ()),
        decoded,
        "in place: {:?}",
        String::from_utf8_lossy(body)
    );
}

/// A xorshift generator: the same bodies on every run.
fn generator() -> impl FnMut(u64) -> u64 {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}

#[wasm_bindgen_test]
fn every_octet_at_every_place_of_a_block_is_judged_as_the_reference_does() {
    let data: Vec<u8> = (0u32..144).map(|i| (i * 37 % 256) as u8).collect();
    let text = base64::engine::general_purpose::STANDARD.encode(&data);
    let lines: Vec<&[u8]> = text.as_bytes().chunks(64).collect();
    let good = lines.join(&b"\r\n"[..]);
    assert_eq!(base64_decode(&good).unwrap(), data);
    for at in [0usize, 1, 7, 8, 14, 15, 16, 31, 47, 63, 66, 80, 95] {
        for octet in 0..=255u8 {
            let mut body = good.clone();
            body[at] = octet;
            assert_decodes_as_reference(&body);
        }
    }
}

/// Lines of 76 symbols (RFC 2045 §6.8's widest) end in 12 symbols that are decoded as the
/// last block of 16, overlapping the block before: every octet at every place of that block.
#[wasm_bindgen_test]
fn every_octet_in_the_overlapping_last_block_of_a_line_is_judged_as_the_reference_does() {
    let data: Vec<u8> = (0u32..171).map(|i| (i * 101 % 256) as u8).collect();
    let text = base64::engine::general_purpose::STANDARD.encode(&data);
    let lines: Vec<&[u8]> = text.as_bytes().chunks(76).collect();
    let good = lines.join(&b"\r\n"[..]);
    assert_eq!(base64_decode(&good).unwrap(), data);
    for at in (44..78).chain(78 + 56..78 + 78) {
        for octet in 0..=255u8 {
            let mut body = good.clone();
            body[at] = octet;
            assert_decodes_as_reference(&body);
        }
    }
    // Runs of 16 + 4k symbols, in one line each.
    for len in [20usize, 24, 28, 36, 44, 60] {
        let data: Vec<u8> = (0..len / 4 * 3).map(|i| (i * 7) as u8).collect();
        let body = base64::engine::general_purpose::STANDARD.encode(&data);
        assert_eq!(base64_decode(body.as_bytes()).unwrap(), data, "{len}");
        for at in 0..len {
            let mut bad = body.clone().into_bytes();
            bad[at] = b'*';
            assert_decodes_as_reference(&bad);
        }
    }
}

#[wasm_bindgen_test]
fn encodings_in_lines_decode_to_their_data() {
    let mut next = generator();
    for _ in 0..2_000 {
        let data: Vec<u8> = (0..next(2_000)).map(|_| next(256) as u8).collect();
        let mut text = base64::engine::general_purpose::STANDARD.encode(&data);
        if next(2) == 0 {
            text = text.trim_end_matches('=').to_string();
        }
        let width = [64usize, 76, 16, 32, 48, 1 + next(120) as usize][next(6) as usize];
        let eol: &[u8] = [&b"\r\n"[..], b"\n", b" \r\n"][next(3) as usize];
        let mut body = text.as_bytes().chunks(width).collect::<Vec<_>>().join(eol);
        let changed = next(3) == 0 && !body.is_empty();
        if changed {
            let at = next(body.len() as u64) as usize;
            body[at] = next(256) as u8;
        }
        assert_decodes_as_reference(&body);
        if !changed {
            assert_eq!(base64_decode(&body).unwrap(), data);
        }
    }
}

/// Runs of uniform lines are decoded in one loop that stops before a line it cannot take: a
/// stray octet, padding or another line end in any line of a long run — the first, one in
/// the middle, the last whole one, the short last one — is judged as the reference does.
#[wasm_bindgen_test]
fn a_stray_octet_in_any_line_of_a_run_is_judged_as_the_reference_does() {
    let data: Vec<u8> = (0u32..57 * 40 + 20)
        .map(|i| (i * 167 % 256) as u8)
        .collect();
    let text = base64::engine::general_purpose::STANDARD.encode(&data);
    for width in [76usize, 64, 20] {
        for eol in [&b"\r\n"[..], b"\n"] {
            let body = text.as_bytes().chunks(width).collect::<Vec<_>>().join(eol);
            assert_eq!(base64_decode(&body).unwrap(), data);
            let lines = body.len() / (width + eol.len());
            for line in [0, 1, lines / 2, lines - 1, lines] {
                let start = line * (width + eol.len());
                for at in [0usize, 5, 15, 16, width - 1] {
                    for octet in [b'*', b'=', b' ', b'\n', 0xC3] {
                        let mut b = body.clone();
                        if let Some(o) = b.get_mut(start + at) {
                            *o = octet;
                            assert_decodes_as_reference(&b);
                        }
                    }
                }
            }
        }
    }
}

/// CR before every LF that has none.
fn canonical_reference(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' && (i == 0 || data[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[wasm_bindgen_test]
fn a_bare_lf_anywhere_is_found() {
    // CRLF lines of 7 octets: one LF made bare (its CR replaced) at every place, a bare LF
    // first, a lone CR, and the LF as the very first and last octet.
    let lines: Vec<u8> = b"abcde\r\n".repeat(12);
    assert_eq!(&*canonical_crlf(&lines), &lines[..]);
    for len in [0usize, 1, 15, 16, 17, 31, 32, 33, lines.len()] {
        let data = &lines[..len];
        assert_eq!(&*canonical_crlf(data), &canonical_reference(data)[..]);
        for at in 0..len {
            for octet in [b'\n', b'\r', b'x'] {
                let mut d = data.to_vec();
                d[at] = octet;
                assert_eq!(&*canonical_crlf(&d), &canonical_reference(&d)[..], "{d:?}");
            }
        }
    }
}

#[wasm_bindgen_test]
fn random_line_ends_become_canonical() {
    let mut next = generator();
    for _ in 0..3_000 {
        let data: Vec<u8> = (0..next(300))
            .map(|_| match next(10) {
                0 => b'\n',
                1 => b'\r',
                _ => b'a' + next(26) as u8,
            })
            .collect();
        let canon = canonical_crlf(&data);
        assert_eq!(&*canon, &canonical_reference(&data)[..]);
        // Borrowed exactly when nothing changes.
        assert_eq!(
            matches!(canon, std::borrow::Cow::Borrowed(_)),
            canon.len() == data.len()
        );
    }
}
