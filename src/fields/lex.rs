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

/// Parse an RFC 5322 quoted-string starting at the beginning of `s` (which must start with
/// DQUOTE); returns the unescaped content and the rest after the closing quote.
pub(crate) fn parse_quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, s.get(i + 1..)?)),
            _ => out.push(c),
        }
    }
    None
}

/// Quote `s` as an RFC 5322 quoted-string (escaping `"` and `\`).
pub(crate) use crate::mime::encode::quoted_string as quote;

/// The byte index of the `)` that closes the RFC 5322 §3.2.2 comment `s` starts with (nested
/// comments and quoted-pairs allowed), or `None` when it is not closed.
pub(crate) fn comment_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Reject CR/LF/NUL in a value we are about to format (header injection).
pub(crate) fn check_value(s: &str) -> Result<(), Error> {
    crate::mime::header::check_header_value(s).map_err(Error::from)
}
