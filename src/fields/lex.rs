//! Small lexical helpers shared by the field grammars (RFC 5322 §3.2: comments, CFWS,
//! quoted strings; RFC 2156 `ps-char`).

use super::Error;

/// Remove RFC 5322 comments (nested, with quoted-pairs) outside quoted strings and return
/// the rest, trimmed, plus the text of the comments (outermost level, in order).
/// Unbalanced parentheses are an error (`what` names the grammar for the message).
pub(crate) fn strip_comments(s: &str) -> Result<(String, Vec<String>), &'static str> {
    let mut out = String::with_capacity(s.len());
    let mut comments = Vec::new();
    let mut depth = 0usize;
    let mut in_quote = false;
    let mut current = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if depth > 0 {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        current.push(n);
                    }
                }
                '(' => {
                    depth += 1;
                    current.push(c);
                }
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        comments.push(std::mem::take(&mut current).trim().to_string());
                        out.push(' ');
                    } else {
                        current.push(c);
                    }
                }
                _ => current.push(c),
            }
            continue;
        }
        if in_quote {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => in_quote = false,
                _ => {}
            }
            continue;
        }
        match c {
            '(' => depth = 1,
            ')' => return Err("unbalanced ')'"),
            '"' => {
                in_quote = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    if depth > 0 {
        return Err("unterminated comment");
    }
    if in_quote {
        return Err("unterminated quoted string");
    }
    Ok((out.trim().to_string(), comments))
}

/// RFC 2156 / X.208 PrintableString character (the one definition is ASN.1's).
pub(crate) use crate::asn1::is_printable_char as is_ps_char;

/// RFC 5322 `nonneg-integer`-like: `"0" / NZ-DIGIT *DIGIT` (RFC 6477 §4).
pub(crate) fn parse_nonneg_integer(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// RFC 5322 quoted-strings and comments are read by the MIME toolkit's lexer.
pub(crate) use crate::mime::params::{comment_end, parse_quoted, split_semicolon};

/// A field value that is an RFC 2231 parameter list (SIO-Label, SIO-Label-History: RFC 7444
/// §4), read by the one parameter reader, [`crate::mime::params`], exactly: any defect is
/// `parameter-invalid`.
pub(crate) fn parse_params(s: &str) -> Result<Vec<(String, String)>, Error> {
    crate::mime::params::read_params(s)
        .strict()
        .map_err(Error::ParameterInvalid)
}

/// Quote `s` as an RFC 5322 quoted-string (escaping `"` and `\`).
pub(crate) use crate::mime::encode::quoted_string as quote;

/// Reject CR/LF/NUL in a value we are about to format (header injection).
pub(crate) fn check_value(s: &str) -> Result<(), Error> {
    crate::mime::header::check_header_value(s).map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    /// The SIO-Label grammars take a parameter list only when it is exact: every defect the
    /// best-effort reading of a media type would pass over is `parameter-invalid` here.
    #[test]
    fn parameter_lists_are_read_exactly() {
        for bad in [
            "a",
            "a=",
            "a=\"x",
            "a=1; a=2",
            "a*0=x; a*2=y",
            "a=1 b=2",
            "=x",
            "a*=utf-8'x",
            "a*x=1",
            "a*01=1",
            "a=1;;b=2",
            "a*=utf-8''%4",
            "a*=x-unknown-charset''%41",
            "a=1; a*=utf-8''b",
        ] {
            assert_eq!(
                parse_params(bad).unwrap_err().code(),
                "parameter-invalid",
                "{bad}"
            );
        }
        assert_eq!(
            parse_params("marking*0*=utf-8''GR%C3%9C; marking*1=\"SS\" (c); type=\":ess\"")
                .unwrap(),
            [
                ("marking".to_string(), "GRÜSS".to_string()),
                ("type".to_string(), ":ess".to_string())
            ]
        );
    }
}
