//! Body encodings we write (RFC 2045 §6): canonical CRLF text, `7bit` checks,
//! `quoted-printable` (§6.7) and `base64` (§6.8).

use base64::Engine as _;

use super::MAX_LINE;

/// Content-Transfer-Encoding values we produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferEncoding {
    /// `7bit`: ASCII text with short lines (already CRLF-normalised).
    SevenBit,
    /// `8bit`: only used for `message/rfc822` parts that carry 8-bit octets (RFC 2046 §5.2.1
    /// forbids base64/quoted-printable there); the submission needs `BODY=8BITMIME`.
    EightBit,
    /// `quoted-printable` (RFC 2045 §6.7), for text with non-ASCII or long lines.
    QuotedPrintable,
    /// `base64` (RFC 2045 §6.8), for attachments.
    Base64,
}

impl TransferEncoding {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferEncoding::SevenBit => "7bit",
            TransferEncoding::EightBit => "8bit",
            TransferEncoding::QuotedPrintable => "quoted-printable",
            TransferEncoding::Base64 => "base64",
        }
    }
}

/// Normalise every line end (CRLF, bare LF, bare CR) to CRLF and make sure the text ends with
/// one. MIME text is CRLF-canonical (RFC 2046 §4.1.1).
pub fn normalize_crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32 + 2);
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// True when CRLF-normalised `text` may go out as `7bit`: only ASCII, no NUL, lines ≤ 998.
pub fn is_7bit_safe(text: &[u8]) -> bool {
    text.iter().all(|&b| b != 0 && b < 0x80) && max_line_len(text) <= MAX_LINE
}

/// Longest line (without CRLF) of `text`.
pub fn max_line_len(text: &[u8]) -> usize {
    text.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
        .max()
        .unwrap_or(0)
}

/// Quoted-printable encoding of CRLF-normalised text (RFC 2045 §6.7): line breaks stay hard
/// CRLF breaks, `=` and non-ASCII/control octets become `=XX`, trailing whitespace is
/// encoded, lines are soft-broken with `=` at 76 columns. A line beginning with `From ` or
/// `.` gets its first character encoded so naive mbox/SMTP agents cannot alter it.
pub fn quoted_printable(text: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(text.len() * 11 / 10 + 8);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let n_lines = lines.len();
    for (li, raw_line) in lines.into_iter().enumerate() {
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        let is_last = li + 1 == n_lines;
        if is_last && line.is_empty() {
            break; // text ended with CRLF
        }
        let mut col = 0usize;
        let len = line.len();
        let from_line = line.starts_with(b"From ");
        for (i, &b) in line.iter().enumerate() {
            let at_end = i + 1 == len;
            let encode = match b {
                b'=' => true,
                b' ' | b'\t' => at_end,
                b'.' if i == 0 => true,
                b'F' if i == 0 && from_line => true,
                33..=126 => false,
                _ => true,
            };
            let width = if encode { 3 } else { 1 };
            // keep room for the soft-break "=" (76 columns including it)
            let limit = if at_end { 76 } else { 75 };
            if col + width > limit {
                out.extend_from_slice(b"=\r\n");
                col = 0;
            }
            if encode {
                out.push(b'=');
                out.push(HEX[(b >> 4) as usize & 0xF]);
                out.push(HEX[(b & 0xF) as usize]);
            } else {
                out.push(b);
            }
            col += width;
        }
        if !is_last {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Base64 with 76-character lines and CRLF (RFC 2045 §6.8): each 57-octet run of `data` is
/// encoded straight into its line of the output.
pub fn base64_lines(data: &[u8]) -> Vec<u8> {
    const LINE_OCTETS: usize = 57; // 76 symbols
    let mut out = String::with_capacity(data.len().div_ceil(LINE_OCTETS) * 78);
    for chunk in data.chunks(LINE_OCTETS) {
        base64::engine::general_purpose::STANDARD.encode_string(chunk, &mut out);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qp_rules() {
        let t = normalize_crlf("Grüße = 1 \nFrom me\n.\n".as_bytes());
        let qp = String::from_utf8(quoted_printable(&t)).unwrap();
        assert_eq!(qp, "Gr=C3=BC=C3=9Fe =3D 1=20\r\n=46rom me\r\n=2E\r\n");
        let long = normalize_crlf("x".repeat(200).as_bytes());
        let qp = String::from_utf8(quoted_printable(&long)).unwrap();
        for l in qp.split("\r\n") {
            assert!(l.len() <= 76);
        }
        assert_eq!(qp.replace("=\r\n", ""), format!("{}\r\n", "x".repeat(200)));
    }

    #[test]
    fn crlf_normalisation() {
        assert_eq!(normalize_crlf(b"a\nb\r\nc\rd"), b"a\r\nb\r\nc\r\nd\r\n");
        assert_eq!(normalize_crlf(b""), b"");
    }
}
