//! Helpers of the compose tests: a deterministic RNG, fixed time, readers of composed messages.

use std::convert::Infallible;

use mmhs::compose::{ComposeContext, ComposeRequest};

/// SplitMix64: deterministic, test-only. Marked "crypto" only so it can stand in for the
/// platform CSPRNG in byte-exact tests; never use outside tests.
pub struct TestRng(pub u64);

impl rand_core::TryRng for TestRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for TestRng {}

/// 2026-11-23T12:00:00Z.
pub fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-11-23 12:00:00 UTC)
}

pub fn ctx() -> ComposeContext {
    ComposeContext::new(now()).with_message_id_domain("army.example")
}

pub fn request(json: &str) -> ComposeRequest {
    ComposeRequest::from_json(json.as_bytes()).expect("request parses")
}

/// Parse with mail-parser and return it, failing the test when it cannot.
pub fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(raw)
        .expect("mail-parser parses the message")
}

/// Raw (unfolded, trimmed) value of the first field with this name, from our own bytes.
pub fn field(raw: &[u8], name: &str) -> Option<String> {
    fields(raw, name).into_iter().next()
}

/// Every value of a field (unfolded, trimmed) in the header section.
pub fn fields(raw: &[u8], name: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t");
    unfolded
        .split("\r\n")
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
        .collect()
}

/// Every line is CRLF-terminated and at most 998 octets.
pub fn assert_wellformed_lines(raw: &[u8]) {
    assert!(raw.ends_with(b"\r\n"));
    for line in raw.split(|&b| b == b'\n') {
        assert!(line.len() <= 999, "line too long");
        if !line.is_empty() {
            assert!(line.ends_with(b"\r"), "bare LF");
        }
    }
    assert!(
        !raw.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n'),
        "bare CR"
    );
}
