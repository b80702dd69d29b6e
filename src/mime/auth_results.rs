//! The `Authentication-Results` header field (RFC 8601 §2.2), read strictly: the one
//! grammar shared by the agents that write it (`server::boundary::results`) and the reader
//! that shows it (`verify::auth_results`).
//!
//! ```text
//! authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
//!                   ( no-result / 1*resinfo ) [CFWS] CRLF
//! authserv-id     = value                       ; RFC 2045 token / quoted-string
//! no-result       = [CFWS] ";" [CFWS] "none"
//! resinfo         = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
//! methodspec      = [CFWS] method [CFWS] "=" [CFWS] result
//! reasonspec      = "reason" [CFWS] "=" [CFWS] value
//! propspec        = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
//! method          = Keyword [ [CFWS] "/" [CFWS] method-version ]
//! pvalue          = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
//! Keyword         = ldh-str
//! ```
//!
//! Anything outside the grammar makes the whole field malformed ([`parse`] returns `None`):
//! a reader never shows part of a field it could not read.

/// Longest field value read (octets); longer ones are malformed (bounded work).
pub(crate) const MAX_VALUE_LEN: usize = 16 * 1024;
/// Most `resinfo`s read from one field.
pub(crate) const MAX_RESINFOS: usize = 64;
/// Deepest comment nesting read.
const MAX_COMMENT_DEPTH: usize = 8;

/// One `resinfo` as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResultInfo {
    /// Method keyword, lower-cased (`dkim`, `spf`, `smime`, …; a method version is dropped).
    pub method: String,
    /// Result keyword, lower-cased (`pass`, `fail`, …, RFC 8601 §2.7).
    pub result: String,
    /// The `reason` value, when present.
    pub reason: Option<String>,
    /// `ptype.property` (lower-cased) and value, in order; the first of a repeated name only.
    pub properties: Vec<(String, String)>,
}

/// A parsed field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthResults {
    /// The authserv-id, as written (compare case-insensitively: it is a domain name).
    pub authserv_id: String,
    /// The results; empty for `none` (RFC 8601 §2.2 `no-result`).
    pub results: Vec<ResultInfo>,
}

/// The authserv-id of a field value: the first token, before `;`, a version or a comment
/// (RFC 8601 §2.2). Lenient on purpose: the agents remove every field *claiming* their
/// authserv-id (RFC 8601 §5), malformed or not.
pub fn authserv_id(value: &str) -> &str {
    value
        .trim_start()
        .split(|c: char| c == ';' || c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
}

/// Parse an unfolded field value (after the colon); `None` when it is not RFC 8601 §2.2.
pub(crate) fn parse(value: &str) -> Option<AuthResults> {
    if value.len() > MAX_VALUE_LEN || !value.is_ascii() {
        return None;
    }
    let mut p = Parser {
        s: value.as_bytes(),
        i: 0,
    };
    p.cfws()?;
    let authserv_id = p.value()?;
    if authserv_id.is_empty() {
        return None;
    }
    p.cfws()?;
    // authres-version: 1*DIGIT (only "1" is defined, RFC 8601 §2.2).
    if p.peek().is_some_and(|b| b.is_ascii_digit()) {
        let v = p.take_while(|b| b.is_ascii_digit());
        if v != "1" {
            return None;
        }
        p.cfws()?;
    }
    let mut results = Vec::new();
    let mut first = true;
    loop {
        p.cfws()?;
        match p.peek() {
            None if !first => break,
            Some(b';') => p.i += 1,
            _ => return None,
        }
        p.cfws()?;
        let method = p.keyword()?;
        p.cfws()?;
        if first && method.eq_ignore_ascii_case("none") && p.peek().is_none() {
            return Some(AuthResults {
                authserv_id,
                results,
            });
        }
        first = false;
        if p.peek() == Some(b'/') {
            p.i += 1;
            p.cfws()?;
            if p.take_while(|b| b.is_ascii_digit()).is_empty() {
                return None;
            }
            p.cfws()?;
        }
        p.expect(b'=')?;
        p.cfws()?;
        let result = p.keyword()?;
        let mut info = ResultInfo {
            method: method.to_ascii_lowercase(),
            result: result.to_ascii_lowercase(),
            reason: None,
            properties: Vec::new(),
        };
        // reasonspec, then propspecs, up to the next ";" or the end.
        let mut seen_prop = false;
        loop {
            p.cfws()?;
            match p.peek() {
                None | Some(b';') => break,
                _ => {}
            }
            let name = p.keyword()?;
            p.cfws()?;
            if name.eq_ignore_ascii_case("reason") && !seen_prop && info.reason.is_none() {
                p.expect(b'=')?;
                p.cfws()?;
                info.reason = Some(p.value()?);
                continue;
            }
            p.expect(b'.')?;
            p.cfws()?;
            let property = p.keyword()?;
            p.cfws()?;
            p.expect(b'=')?;
            p.cfws()?;
            let v = p.pvalue()?;
            seen_prop = true;
            let key = format!(
                "{}.{}",
                name.to_ascii_lowercase(),
                property.to_ascii_lowercase()
            );
            if !info.properties.iter().any(|(k, _)| *k == key) {
                info.properties.push((key, v));
            }
        }
        if results.len() >= MAX_RESINFOS {
            return None;
        }
        results.push(info);
    }
    Some(AuthResults {
        authserv_id,
        results,
    })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

/// RFC 2045 `tspecials`.
fn is_tspecial(b: u8) -> bool {
    b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// RFC 5322 `atext`.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.i += 1)
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> String {
        let start = self.i;
        while self.peek().is_some_and(&f) {
            self.i += 1;
        }
        String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or(&[])).into_owned()
    }

    /// `[CFWS]`: whitespace and (nested, quoted-pair aware) comments; `None` on an unclosed
    /// or too deeply nested comment.
    fn cfws(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.i += 1,
                Some(b'(') => {
                    let mut depth = 0usize;
                    loop {
                        match self.peek()? {
                            b'(' => {
                                depth += 1;
                                if depth > MAX_COMMENT_DEPTH {
                                    return None;
                                }
                            }
                            b')' => depth -= 1,
                            b'\\' => self.i += 1,
                            _ => {}
                        }
                        self.i += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
                _ => return Some(()),
            }
        }
    }

    /// `Keyword = ldh-str` (RFC 5321 §4.1.2): letters, digits, hyphens, not ending in one.
    fn keyword(&mut self) -> Option<String> {
        let k = self.take_while(|b| b.is_ascii_alphanumeric() || b == b'-');
        (!k.is_empty() && !k.ends_with('-')).then_some(k)
    }

    /// RFC 5322 `quoted-string` content (the opening quote at the cursor).
    fn quoted(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let c = self.peek()?;
                    out.push(char::from(c));
                    self.i += 1;
                }
                b'\r' | b'\n' => self.i += 1,
                c => {
                    out.push(char::from(c));
                    self.i += 1;
                }
            }
        }
    }

    /// RFC 2045 `value = token / quoted-string`.
    fn value(&mut self) -> Option<String> {
        if self.peek() == Some(b'"') {
            return self.quoted();
        }
        let t = self.take_while(|b| b.is_ascii_graphic() && !is_tspecial(b));
        (!t.is_empty()).then_some(t)
    }

    /// `pvalue`: a `value`, or `[[local-part] "@"] domain-name` (RFC 8601 §2.2).
    fn pvalue(&mut self) -> Option<String> {
        if self.peek() == Some(b'"') {
            let local = self.quoted()?;
            if self.peek() != Some(b'@') {
                return Some(local);
            }
            self.i += 1;
            let domain = self.take_while(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            return valid_domain(&domain).then(|| format!("\"{local}\"@{domain}"));
        }
        let v = self.take_while(|b| is_atext(b) || b == b'.' || b == b'@');
        if v.is_empty() {
            return None;
        }
        match v.rsplit_once('@') {
            // `local-part@domain-name` or `@domain-name`: one "@", a dot-atom before it.
            Some((local, domain)) => {
                let local_ok = local.is_empty()
                    || (!local.contains('@')
                        && local
                            .split('.')
                            .all(|a| !a.is_empty() && a.bytes().all(is_atext)));
                (local_ok && valid_domain(domain)).then_some(v)
            }
            // A token (RFC 2045) or a domain name.
            None => v.bytes().all(|b| !is_tspecial(b)).then_some(v),
        }
    }
}

/// `domain-name` (RFC 6376 §3.5): dot-separated `ldh-str` labels.
fn valid_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(r: &ResultInfo) -> Vec<(&str, &str)> {
        r.properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn rfc8601_appendix_b_examples() {
        // RFC 8601 Appendix B.2, B.3, B.4, B.5, B.6 (unfolded).
        let r = parse("example.org 1; none").unwrap();
        assert_eq!(r.authserv_id, "example.org");
        assert!(r.results.is_empty());
        let r = parse("example.com; spf=pass smtp.mailfrom=example.net").unwrap();
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].method, "spf");
        assert_eq!(props(&r.results[0]), [("smtp.mailfrom", "example.net")]);
        let r = parse(
            "example.com; auth=pass (cram-md5) smtp.auth=sender@example.net; spf=pass smtp.mailfrom=example.net",
        )
        .unwrap();
        assert_eq!(r.results.len(), 2);
        assert_eq!(props(&r.results[0]), [("smtp.auth", "sender@example.net")]);
        let r = parse(
            "example.com; dkim=pass (good signature) header.d=mail-router.example.net; dkim=fail (bad signature) header.d=newyork.example.com",
        )
        .unwrap();
        assert_eq!(r.results[1].result, "fail");
        assert_eq!(props(&r.results[1]), [("header.d", "newyork.example.com")]);
        let r = parse(
            "mail-router.example.net; dkim=pass (good signature) header.d=newyork.example.com header.i=@newyork.example.com",
        )
        .unwrap();
        assert_eq!(
            props(&r.results[0]),
            [
                ("header.d", "newyork.example.com"),
                ("header.i", "@newyork.example.com")
            ]
        );
        let r = parse("example.com; sender-id=fail header.from=example.com; dkim=pass (good signature) header.d=sub.example.com").unwrap();
        assert_eq!(r.results[0].method, "sender-id");
    }

    #[test]
    fn what_the_agent_writes_reads_back() {
        let r = parse(
            "mmhs.localhost; dkim=fail reason=\"body hash\" header.d=army.example header.s=mmhs; dkim=pass header.d=navy.example",
        )
        .unwrap();
        assert_eq!(r.results[0].reason.as_deref(), Some("body hash"));
        assert_eq!(
            props(&r.results[0]),
            [("header.d", "army.example"), ("header.s", "mmhs")]
        );
        assert_eq!(r.results[1].result, "pass");
        let r = parse("\"mmhs.localhost\" (c (nested)) ; dkim / 1 = pass").unwrap();
        assert_eq!(r.authserv_id, "mmhs.localhost");
        assert_eq!(r.results[0].method, "dkim");
    }

    #[test]
    fn malformed_fields_are_refused() {
        for bad in [
            "",
            "example.com",
            "example.com;",
            "example.com dkim=pass",
            "example.com; dkim",
            "example.com; dkim=",
            "example.com; dkim=pass header.d",
            "example.com; dkim=pass header.d=",
            "example.com; dkim=pass header.d=a..b@c",
            "example.com; dkim=pass header.d=x@-bad.example",
            "example.com; dkim=pass (unclosed",
            "example.com; dkim=pass reason=\"unclosed",
            "example.com 2; dkim=pass",
            "example.com; none; dkim=pass",
            "example.com; dkim=pass; none",
            "exämple.com; dkim=pass",
            "example.com; dkim=pass header.d=army.example; ",
            "example.com; dkim-=pass",
            "(((((((((((deep))))))))))) example.com; none",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let long = format!(
            "example.com; dkim=pass header.d={}",
            "a".repeat(MAX_VALUE_LEN)
        );
        assert_eq!(parse(&long), None);
        let many = format!("example.com{}", "; dkim=pass".repeat(MAX_RESINFOS + 1));
        assert_eq!(parse(&many), None);
    }

    #[test]
    fn authserv_id_is_the_first_token() {
        assert_eq!(authserv_id("  a.example (c); dkim=pass"), "a.example");
        assert_eq!(authserv_id("a.example;none"), "a.example");
    }
}
