//! MT-PRIORITY (RFC 6710) with the STANAG4406 Priority Assignment Policy (RFC 6710
//! Appendix A; draft-melnikov-mmhs-profile-09 §6.1 item 5 requires advertising it).
//!
//! ```text
//! priority-value = (["-"] NZDIGIT) / "0"      ; -9..9, no "+", no "-0", no leading zeros
//! ```
//! STANAG4406 levels: override 6, flash 4, immediate 2, priority 0, routine -2, deferred -4.
//! Unsupported values are rounded *up* to the next supported level, or to the highest
//! (RFC 6710 §5): ≤-4 → -4, -3 → -2, -1 → 0, 1 → 2, 3 → 4, ≥5 → 6.

/// The policy name advertised after the EHLO keyword.
pub const POLICY: &str = "STANAG4406";

/// Parse a priority-value strictly (RFC 6710 §3 ABNF).
pub fn parse_priority_value(s: &str) -> Option<i8> {
    let b = s.as_bytes();
    match b {
        [b'0'] => Some(0),
        [d @ b'1'..=b'9'] => Some((d - b'0') as i8),
        [b'-', d @ b'1'..=b'9'] => Some(-((d - b'0') as i8)),
        _ => None,
    }
}

/// Round to the STANAG4406 level used internally (RFC 6710 §5).
pub fn stanag4406_level(p: i8) -> i8 {
    match p {
        i8::MIN..=-4 => -4,
        -3..=-2 => -2,
        -1..=0 => 0,
        1..=2 => 2,
        3..=4 => 4,
        _ => 6,
    }
}

/// MT-PRIORITY for an MMHS precedence (RFC 6710 Appendix A, Table 1).
pub fn from_precedence(precedence: u32) -> Option<i8> {
    match precedence {
        5 => Some(6),
        4 => Some(4),
        3 => Some(2),
        2 => Some(0),
        1 => Some(-2),
        0 => Some(-4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_syntax() {
        for (s, v) in [("0", 0), ("9", 9), ("-9", -9), ("4", 4), ("-4", -4)] {
            assert_eq!(parse_priority_value(s), Some(v), "{s}");
        }
        for s in ["+3", "-0", "03", "10", "-10", "", "a", " 1", "1 "] {
            assert_eq!(parse_priority_value(s), None, "{s}");
        }
    }

    #[test]
    fn stanag_rounding() {
        let got: Vec<i8> = (-9..=9).map(stanag4406_level).collect();
        assert_eq!(
            got,
            vec![-4, -4, -4, -4, -4, -4, -2, -2, 0, 0, 2, 2, 4, 4, 6, 6, 6, 6, 6]
        );
        assert_eq!(from_precedence(4), Some(4));
        assert_eq!(from_precedence(5), Some(6));
        assert_eq!(from_precedence(0), Some(-4));
    }
}
