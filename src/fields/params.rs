//! MIME parameter lists with RFC 2231 extensions, as used by SIO-Label and SIO-Label-History
//! ([RFC 7444 §4](https://www.rfc-editor.org/rfc/rfc7444#section-4)).
//!
//! ```text
//! parameter        = regular-parameter / extended-parameter          ; RFC 2231 §7
//! regular-parameter = regular-parameter-name "=" value
//! regular-parameter-name = attribute [section]
//! extended-parameter = (extended-initial-name "=" extended-initial-value)
//!                    / (extended-other-names "=" extended-other-values)
//! extended-initial-name  = attribute [initial-section] "*"
//! extended-initial-value = [charset] "'" [language] "'" extended-other-values
//! extended-other-values  = *(ext-octet / attribute-char)
//! ext-octet   = "%" 2(DIGIT / "A"-"F")
//! section     = "*" 1*DIGIT
//! value       = token / quoted-string                                   ; RFC 2045 §5.1
//! tspecials   = "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "\" / <"> / "/" / "[" / "]" / "?" / "="
//! ```
//!
//! [`parse_params`] reassembles continuations (`label*0=…; label*1=…`) in section order,
//! decodes charset-marked values (`marking*=utf-8'en'%E2%80%A6`) and lower-cases the names.
//! Comments between parameters are skipped. A repeated parameter or a gap in the sections is
//! `parameter-invalid`. The one parameter writer, [`crate::mime::encode::param_text`], writes
//! them: a token when possible, else a quoted-string, RFC 2231 UTF-8 encoding for non-ASCII,
//! and continuations every 60 characters so that the field can be folded between parameters.

use std::collections::BTreeMap;

use super::lex::parse_quoted;
use super::Error;
use crate::mime::header::decode_charset;

/// Maximum number of continuation sections accepted.
const MAX_SECTIONS: u32 = 1000;

/// Parsed parameters in order of first appearance: `(lower-case name, decoded value)`.
pub(crate) type Params = Vec<(String, String)>;

fn is_tspecial(c: char) -> bool {
    matches!(
        c,
        '(' | ')' | '<' | '>' | '@' | ',' | ';' | ':' | '\\' | '"' | '/' | '[' | ']' | '?' | '='
    )
}

fn is_token_char(c: char) -> bool {
    c.is_ascii() && !c.is_ascii_control() && c != ' ' && !is_tspecial(c)
}

fn bad(s: &str, why: &str) -> Error {
    Error::ParameterInvalid(format!("{s:?}: {why}"))
}

fn skip_cfws(mut s: &str) -> Result<&str, Error> {
    loop {
        s = s.trim_start_matches([' ', '\t', '\r', '\n']);
        if s.starts_with('(') {
            let end = super::lex::comment_end(s).ok_or_else(|| bad(s, "unterminated comment"))?;
            s = s.get(end + 1..).unwrap_or_default();
        } else {
            return Ok(s);
        }
    }
}

struct Segment {
    extended: bool,
    value: String,
}

/// Parse a `;`-separated parameter list (the whole SIO-Label value).
pub(crate) fn parse_params(s: &str) -> Result<Params, Error> {
    // name -> (order, simple value or sections)
    let mut order: Vec<String> = Vec::new();
    let mut simple: BTreeMap<String, Segment> = BTreeMap::new();
    let mut sections: BTreeMap<String, BTreeMap<u32, Segment>> = BTreeMap::new();
    let mut rest = skip_cfws(s)?;
    while !rest.is_empty() {
        let name_len = rest
            .char_indices()
            .find(|(_, c)| !is_token_char(*c))
            .map_or(rest.len(), |(i, _)| i);
        let full_name = rest.get(..name_len).unwrap_or_default();
        if full_name.is_empty() {
            return Err(bad(s, "expected a parameter name"));
        }
        rest = skip_cfws(rest.get(name_len..).unwrap_or_default())?;
        rest = rest
            .strip_prefix('=')
            .ok_or_else(|| bad(s, "expected '='"))?;
        rest = skip_cfws(rest)?;
        let value = if rest.starts_with('"') {
            let (v, after) =
                parse_quoted(rest).ok_or_else(|| bad(s, "unterminated quoted string"))?;
            rest = after;
            v
        } else {
            let len = rest
                .char_indices()
                .find(|(_, c)| !is_token_char(*c))
                .map_or(rest.len(), |(i, _)| i);
            let v = rest.get(..len).unwrap_or_default();
            if v.is_empty() {
                return Err(bad(s, "empty value"));
            }
            rest = rest.get(len..).unwrap_or_default();
            v.to_string()
        };
        // Split "name*3*" into name, section, extended.
        let lower = full_name.to_ascii_lowercase();
        let (base, extended) = match lower.strip_suffix('*') {
            Some(b) => (b.to_string(), true),
            None => (lower.clone(), false),
        };
        let (base, section) = match base.split_once('*') {
            Some((b, n)) => {
                let canonical = n == "0" || !n.starts_with('0');
                let n: u32 = n
                    .parse()
                    .ok()
                    .filter(|v| canonical && *v < MAX_SECTIONS)
                    .ok_or_else(|| bad(s, "bad section number"))?;
                (b.to_string(), Some(n))
            }
            None => (base, None),
        };
        if base.is_empty() {
            return Err(bad(s, "empty parameter name"));
        }
        if !order.contains(&base) {
            order.push(base.clone());
        }
        let seg = Segment { extended, value };
        match section {
            None => {
                if simple.insert(base.clone(), seg).is_some() || sections.contains_key(&base) {
                    return Err(bad(s, &format!("parameter {base:?} repeated")));
                }
            }
            Some(n) => {
                if simple.contains_key(&base)
                    || sections
                        .entry(base.clone())
                        .or_default()
                        .insert(n, seg)
                        .is_some()
                {
                    return Err(bad(s, &format!("parameter {base:?} repeated")));
                }
            }
        }
        rest = skip_cfws(rest)?;
        if rest.is_empty() {
            break;
        }
        rest = rest
            .strip_prefix(';')
            .ok_or_else(|| bad(s, "expected ';'"))?;
        rest = skip_cfws(rest)?;
    }
    let mut out = Vec::with_capacity(order.len());
    for name in order {
        let value = if let Some(seg) = simple.remove(&name) {
            if seg.extended {
                decode_extended(&seg.value, true, &mut None)
                    .ok_or_else(|| bad(s, "bad RFC 2231 value"))?
            } else {
                seg.value
            }
        } else {
            let secs = sections.remove(&name).unwrap_or_default();
            let mut bytes_charset: Option<String> = None;
            let mut value = String::new();
            let mut pending: Vec<u8> = Vec::new();
            for (i, (n, seg)) in secs.iter().enumerate() {
                if *n as usize != i {
                    return Err(bad(s, &format!("parameter {name:?}: missing section {i}")));
                }
                if seg.extended {
                    let decoded = decode_extended_bytes(&seg.value, i == 0, &mut bytes_charset)
                        .ok_or_else(|| bad(s, "bad RFC 2231 value"))?;
                    pending.extend_from_slice(&decoded);
                } else {
                    flush(&mut pending, &bytes_charset, &mut value)
                        .ok_or_else(|| bad(s, "unknown charset"))?;
                    value.push_str(&seg.value);
                }
            }
            flush(&mut pending, &bytes_charset, &mut value)
                .ok_or_else(|| bad(s, "unknown charset"))?;
            value
        };
        out.push((name, value));
    }
    Ok(out)
}

fn flush(pending: &mut Vec<u8>, charset: &Option<String>, out: &mut String) -> Option<()> {
    if pending.is_empty() {
        return Some(());
    }
    let cs = charset
        .as_deref()
        .filter(|c| !c.is_empty())
        .unwrap_or("us-ascii");
    out.push_str(&decode_charset(cs, pending)?);
    pending.clear();
    Some(())
}

fn decode_extended(v: &str, initial: bool, charset: &mut Option<String>) -> Option<String> {
    let bytes = decode_extended_bytes(v, initial, charset)?;
    let cs = charset
        .as_deref()
        .filter(|c| !c.is_empty())
        .unwrap_or("us-ascii");
    decode_charset(cs, &bytes)
}

fn decode_extended_bytes(v: &str, initial: bool, charset: &mut Option<String>) -> Option<Vec<u8>> {
    let data = if initial {
        let mut parts = v.splitn(3, '\'');
        let cs = parts.next()?;
        let _lang = parts.next()?;
        let data = parts.next()?;
        *charset = Some(cs.to_string());
        data
    } else {
        v
    };
    let b = data.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = data.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;
    use crate::mime::encode::param_text;

    fn get<'a>(p: &'a Params, n: &str) -> Option<&'a str> {
        p.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str())
    }

    #[test]
    fn rfc2231_examples() {
        // RFC 2231 §3, §4, §4.1 examples
        let p = parse_params(
            "URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
        )
        .unwrap();
        assert_eq!(
            get(&p, "url"),
            Some("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
        );
        let p = parse_params("title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A").unwrap();
        assert_eq!(get(&p, "title"), Some("This is ***fun***"));
        let p = parse_params(
            "title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
        )
        .unwrap();
        assert_eq!(
            get(&p, "title"),
            Some("This is even more ***fun*** isn't it!")
        );
    }

    #[test]
    fn charset_and_comments() {
        let p = parse_params("marking*=utf-8''GR%C3%9C%C3%9F (c) ; fgcolor = red").unwrap();
        assert_eq!(get(&p, "marking"), Some("GRÜß"));
        assert_eq!(get(&p, "fgcolor"), Some("red"));
    }

    /// The parameters the one writer ([`param_text`]) produces read back unchanged.
    #[test]
    fn format_round_trip() {
        let long = "A".repeat(150);
        for v in [
            "red",
            ":ess",
            "EXAMPLE CONFIDENTIAL",
            "a \"q\" \\ b",
            "Geheim – NUR für den Dienstgebrauch",
            long.as_str(),
            &"é".repeat(80),
        ] {
            let f = param_text("marking", v);
            let p = parse_params(&f).unwrap();
            assert_eq!(get(&p, "marking"), Some(v), "{f}");
        }
        assert_eq!(param_text("fgcolor", "red"), "fgcolor=red");
        assert_eq!(param_text("type", ":ess"), "type=\":ess\"");
    }

    #[test]
    fn invalid() {
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
        ] {
            assert_eq!(
                parse_params(bad).unwrap_err().code(),
                "parameter-invalid",
                "{bad}"
            );
        }
    }
}
