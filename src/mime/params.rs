//! Reading MIME parameter lists: the one reader behind media types (`Content-Type`,
//! `Content-Disposition`) and the MMHS fields written as parameter lists (SIO-Label and
//! SIO-Label-History, RFC 7444 §4).
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
//! ```
//!
//! [`read_params`] splits the list at the `;` outside quoted strings and comments (RFC 5322
//! §3.2.2 CFWS is allowed around every token), reassembles continuations (`title*0=…;
//! title*1=…`, RFC 2231 §3) in section order, decodes charset-marked values
//! (`title*=utf-8'en'%E2%80%A6`, §4, §4.1) and lower-cases the names. Like the header reader
//! it records defects rather than failing: a received message is read best effort (a
//! malformed parameter keeps the `name=value` reading of RFC 2045, a repeated one its first
//! occurrence, continuations stop at a missing section, an unknown charset reads as UTF-8),
//! while a grammar that must be exact (the SIO-Label fields) refuses any defect with
//! [`ParamList::strict`]. When a name comes in more than one form, `name*` wins over the
//! continuations, which win over the plain `name` (RFC 2231 §4: the extended form carries
//! the charset). The one parameter writer, [`crate::mime::encode::param_text`], writes what
//! this reader reads back unchanged.

use std::collections::BTreeMap;

use super::encode::is_token_char;
use super::header::{charset_text, hex_octet_after};

/// Highest continuation section number accepted (RFC 2231 §3 sets none; this bounds the
/// work on a hostile value).
const MAX_SECTIONS: u32 = 1000;

/// A parameter list as read: the parameters in order of first appearance (lower-case name,
/// decoded value) and the first defect found, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParamList {
    /// `(name, value)`, names lower case and without RFC 2231 section marks.
    pub(crate) params: Vec<(String, String)>,
    /// What made the list not conform to RFC 2045 §5.1 / RFC 2231, when something did.
    pub(crate) defect: Option<String>,
}

impl ParamList {
    /// The parameters, or the first defect: for grammars that allow no deviation.
    pub(crate) fn strict(self) -> Result<Vec<(String, String)>, String> {
        match self.defect {
            Some(d) => Err(d),
            None => Ok(self.params),
        }
    }

    fn defect(&mut self, why: String) {
        if self.defect.is_none() {
            self.defect = Some(why);
        }
    }
}

/// A field value that starts with something other than a parameter (a media type, a
/// disposition type): that first element, without comments and trimmed, and the parameters
/// after it.
pub(crate) fn read_value(value: &str) -> (String, ParamList) {
    let (segments, open) = segments(value);
    let head = segments.first().copied().unwrap_or_default();
    let head = strip_cfws(head).unwrap_or(head);
    let head = head
        .split(['(', ' ', '\t', '\r', '\n'])
        .next()
        .unwrap_or_default();
    let mut list = read_segments(segments.get(1..).unwrap_or_default());
    if let Some(why) = open {
        list.defect(why.into());
    }
    (head.to_string(), list)
}

/// Read a whole value as a `;`-separated parameter list (SIO-Label, SIO-Label-History).
pub(crate) fn read_params(value: &str) -> ParamList {
    let (segments, open) = segments(value);
    let mut list = read_segments(&segments);
    if let Some(why) = open {
        list.defect(why.into());
    }
    list
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

/// Split at the first `;` outside quoted strings and comments (RFC 5322 §3.2.2, §3.2.4):
/// the element before it and the rest after it.
pub(crate) fn split_semicolon(s: &str) -> Option<(&str, &str)> {
    let (segments, _) = segments(s);
    let first = segments.first().filter(|_| segments.len() > 1)?;
    Some((first, s.get(first.len() + 1..)?))
}

/// `s` without leading CFWS (RFC 5322 §3.2.2); `None` for an unterminated comment.
fn strip_cfws(mut s: &str) -> Option<&str> {
    loop {
        s = s.trim_start_matches([' ', '\t', '\r', '\n']);
        if s.starts_with('(') {
            s = s.get(comment_end(s)? + 1..).unwrap_or_default();
        } else {
            return Some(s);
        }
    }
}

/// Split at each `;` outside quoted strings and comments; also says when a quoted string
/// or a comment is left open.
fn segments(value: &str) -> (Vec<&str>, Option<&'static str>) {
    let mut out = Vec::new();
    let (mut start, mut depth, mut quoted, mut escaped) = (0, 0usize, false, false);
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => escaped = true,
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ';' if !quoted && depth == 0 => {
                out.push(value.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value.get(start..).unwrap_or_default());
    let open = if quoted {
        Some("unterminated quoted string")
    } else if depth > 0 {
        Some("unterminated comment")
    } else {
        None
    };
    (out, open)
}

/// One `name=value` as written: the name split into its base, section and `*` mark.
struct Written {
    base: String,
    section: Option<u32>,
    extended: bool,
    value: String,
}

/// The RFC 2045 §5.1 `token` `s` starts with (perhaps empty) and the rest.
fn token(s: &str) -> (&str, &str) {
    let len = s
        .char_indices()
        .find(|(_, c)| !is_token_char(*c))
        .map_or(s.len(), |(i, _)| i);
    s.split_at(len)
}

/// `CFWS name CFWS "=" CFWS value CFWS`, exactly (RFC 2045 §5.1, RFC 2231 §7).
fn exact(segment: &str) -> Result<(&str, String), &'static str> {
    let rest = strip_cfws(segment).ok_or("unterminated comment")?;
    let (name, rest) = token(rest);
    if name.is_empty() {
        return Err("expected a parameter name");
    }
    let rest = strip_cfws(rest).ok_or("unterminated comment")?;
    let rest = rest.strip_prefix('=').ok_or("expected '='")?;
    let rest = strip_cfws(rest).ok_or("unterminated comment")?;
    let (value, rest) = if rest.starts_with('"') {
        parse_quoted(rest).ok_or("unterminated quoted string")?
    } else {
        let (v, rest) = token(rest);
        if v.is_empty() {
            return Err("empty value");
        }
        (v.to_string(), rest)
    };
    match strip_cfws(rest) {
        Some("") => Ok((name, value)),
        Some(_) => Err("expected ';'"),
        None => Err("unterminated comment"),
    }
}

/// The RFC 2045 reading of a segment that is not exact: `name=value` split at the first
/// `=`, the value trimmed and unquoted (what agents in the field write, e.g. an unquoted
/// file name with spaces).
fn loose(segment: &str) -> Option<(&str, String)> {
    let (name, value) = segment.split_once('=')?;
    let value = value.trim();
    let unquoted = parse_quoted(value)
        .filter(|(_, rest)| rest.is_empty())
        .map_or_else(|| value.to_string(), |(v, _)| v);
    Some((name.trim(), unquoted))
}

/// Split `name*3*` into `name`, section 3 and the extended mark (RFC 2231 §7).
fn written(name: &str, value: String) -> Result<Written, &'static str> {
    let lower = name.to_ascii_lowercase();
    let (base, extended) = match lower.strip_suffix('*') {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let (base, section) = match base.split_once('*') {
        Some((b, n)) => {
            let canonical = n == "0" || !n.starts_with('0');
            let n = n
                .parse::<u32>()
                .ok()
                .filter(|v| canonical && *v < MAX_SECTIONS)
                .ok_or("bad section number")?;
            (b, Some(n))
        }
        None => (base, None),
    };
    if base.is_empty() {
        return Err("empty parameter name");
    }
    Ok(Written {
        base: base.to_string(),
        section,
        extended,
        value,
    })
}

/// The forms one parameter was written in.
#[derive(Default)]
struct Forms {
    plain: Option<String>,
    extended: Option<String>,
    sections: BTreeMap<u32, (bool, String)>,
}

/// Set `slot` unless it is set; true when it was (a repeat).
fn keep_first(slot: &mut Option<String>, value: String) -> bool {
    if slot.is_some() {
        return true;
    }
    *slot = Some(value);
    false
}

fn read_segments(segments: &[&str]) -> ParamList {
    let mut list = ParamList::default();
    let mut order: Vec<String> = Vec::new();
    let mut forms: BTreeMap<String, Forms> = BTreeMap::new();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        if strip_cfws(segment) == Some("") {
            if i != last {
                list.defect(format!("{segment:?}: expected a parameter name"));
            }
            continue;
        }
        let (name, value) = match exact(segment) {
            Ok(nv) => nv,
            Err(why) => {
                list.defect(format!("{segment:?}: {why}"));
                match loose(segment) {
                    Some(nv) => nv,
                    None => continue,
                }
            }
        };
        let w = match written(name, value) {
            Ok(w) => w,
            Err(why) => {
                list.defect(format!("{segment:?}: {why}"));
                continue;
            }
        };
        // The order of first appearance, kept as each name is first met (a search of
        // `order` per parameter would make a field of many parameters quadratic).
        let f = match forms.entry(w.base.clone()) {
            std::collections::btree_map::Entry::Vacant(v) => {
                order.push(w.base.clone());
                v.insert(Forms::default())
            }
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
        };
        // A repeated parameter keeps its first occurrence.
        let repeated = match (w.section, w.extended) {
            (None, false) => keep_first(&mut f.plain, w.value),
            (None, true) => keep_first(&mut f.extended, w.value),
            (Some(n), ext) => match f.sections.entry(n) {
                std::collections::btree_map::Entry::Occupied(_) => true,
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert((ext, w.value));
                    false
                }
            },
        };
        let forms_used = [
            f.plain.is_some(),
            f.extended.is_some(),
            !f.sections.is_empty(),
        ];
        if repeated || forms_used.iter().filter(|u| **u).count() > 1 {
            list.defect(format!("parameter {:?} repeated", w.base));
        }
    }
    for name in order {
        let Some(f) = forms.remove(&name) else {
            continue;
        };
        let value = if let Some(v) = f.extended {
            let (bytes, charset) = extended_bytes(&v, true, &name, &mut list);
            text(&charset, &bytes, &name, &mut list)
        } else if !f.sections.is_empty() {
            continuations(&name, &f.sections, &mut list)
        } else {
            f.plain.unwrap_or_default()
        };
        list.params.push((name, value));
    }
    list
}

/// The value of continuation sections (RFC 2231 §3, §4.1): extended sections are
/// percent-decoded octets in the charset of section 0; plain sections are text.
fn continuations(
    name: &str,
    sections: &BTreeMap<u32, (bool, String)>,
    list: &mut ParamList,
) -> String {
    let mut value = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut charset = String::new();
    for (i, (n, (extended, v))) in sections.iter().enumerate() {
        if *n as usize != i {
            list.defect(format!("parameter {name:?}: missing section {i}"));
            break;
        }
        if *extended {
            let (bytes, cs) = extended_bytes(v, i == 0, name, list);
            if i == 0 {
                charset = cs;
            }
            pending.extend_from_slice(&bytes);
        } else {
            value.push_str(&text(&charset, &pending, name, list));
            pending.clear();
            value.push_str(v);
        }
    }
    value.push_str(&text(&charset, &pending, name, list));
    value
}

/// The octets of an extended value and, for an initial one, its charset (RFC 2231 §4:
/// `charset'language'%XX…`). A malformed one is a defect, read as far as it goes: without
/// the two quotes it has no charset, a `%` without two hex digits stays as it is.
fn extended_bytes(v: &str, initial: bool, name: &str, list: &mut ParamList) -> (Vec<u8>, String) {
    let (charset, data) = if initial {
        let mut parts = v.splitn(3, '\'');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(cs), Some(_language), Some(data)) => (cs.to_string(), data),
            _ => {
                list.defect(format!("parameter {name:?}: no charset'language' prefix"));
                (String::new(), v)
            }
        }
    } else {
        (String::new(), v)
    };
    let b = data.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            if let Some(x) = hex_octet_after(b, i) {
                out.push(x);
                i += 3;
                continue;
            }
            list.defect(format!("parameter {name:?}: bad %-escape"));
        }
        out.push(c);
        i += 1;
    }
    (out, charset)
}

/// Octets in `charset` (US-ASCII when empty, RFC 2231 §4); an unknown charset is a defect
/// and reads as UTF-8 with replacement characters.
fn text(charset: &str, bytes: &[u8], name: &str, list: &mut ParamList) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    let (text, known) = charset_text(charset, bytes);
    if !known {
        list.defect(format!("parameter {name:?}: unknown charset {charset:?}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::encode::param_text;

    fn get<'a>(p: &'a [(String, String)], n: &str) -> Option<&'a str> {
        p.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str())
    }

    fn strict(s: &str) -> Vec<(String, String)> {
        read_params(s).strict().unwrap()
    }

    /// A field of a hundred thousand parameters (a hostile Content-Type of about 1.5 MB) is
    /// read in one pass: each kept once, in order, a repeated one a defect. (Searching the
    /// names seen so far for each parameter made it quadratic: billions of comparisons.)
    #[test]
    fn many_parameters_are_read_in_order_once() {
        let n = 100_000;
        let mut value = String::from("text/plain");
        for i in 0..n {
            value.push_str(&format!(";\r\n p{i}={i}"));
        }
        value.push_str("; P7=again");
        let (head, list) = read_value(&value);
        assert_eq!(head, "text/plain");
        assert_eq!(list.params.len(), n);
        assert_eq!(list.params[0], ("p0".into(), "0".into()));
        assert_eq!(list.params[7], ("p7".into(), "7".into()));
        assert_eq!(
            list.params[n - 1],
            (format!("p{}", n - 1), format!("{}", n - 1))
        );
        assert_eq!(list.defect.as_deref(), Some("parameter \"p7\" repeated"));
    }

    #[test]
    fn rfc2231_examples() {
        // RFC 2231 §3, §4, §4.1 examples
        let p =
            strict("URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
        assert_eq!(
            get(&p, "url"),
            Some("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
        );
        let p = strict("title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
        assert_eq!(get(&p, "title"), Some("This is ***fun***"));
        let p = strict(
            "title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
        );
        assert_eq!(
            get(&p, "title"),
            Some("This is even more ***fun*** isn't it!")
        );
    }

    #[test]
    fn charset_and_comments() {
        let p = strict("marking*=utf-8''GR%C3%9C%C3%9F (c) ; fgcolor = red");
        assert_eq!(get(&p, "marking"), Some("GRÜß"));
        assert_eq!(get(&p, "fgcolor"), Some("red"));
        let p = strict("a=1 (x; y=\"z\"); b=\"q;(r)\"");
        assert_eq!(p, [("a".into(), "1".into()), ("b".into(), "q;(r)".into())]);
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
            let p = strict(&f);
            assert_eq!(get(&p, "marking"), Some(v), "{f}");
        }
    }

    /// Every deviation is a defect; the best-effort reading keeps what RFC 2045 agents
    /// would read.
    #[test]
    fn defects_and_their_best_effort_reading() {
        for (bad, best) in [
            ("a", vec![]),
            ("a=", vec![("a", "")]),
            ("a=\"x", vec![("a", "\"x")]),
            ("a=1; a=2", vec![("a", "1")]),
            ("a*0=x; a*2=y", vec![("a", "x")]),
            ("a=1 b=2", vec![("a", "1 b=2")]),
            ("=x", vec![]),
            ("a*=utf-8'x", vec![("a", "utf-8'x")]),
            ("a*x=1", vec![]),
            ("a*01=1", vec![]),
            ("a=1;;b=2", vec![("a", "1"), ("b", "2")]),
            ("; a=1", vec![("a", "1")]),
            ("a=1 (x", vec![("a", "1 (x")]),
            ("a*=utf-8''%E2%8", vec![("a", "\u{FFFD}%8")]),
            ("a*=x-unknown''%FF", vec![("a", "\u{FFFD}")]),
            ("a*=utf-8''%+A", vec![("a", "%+A")]),
            ("a*0=x; a*=y; a=z", vec![("a", "y")]),
            ("name=foo bar.txt", vec![("name", "foo bar.txt")]),
        ] {
            let list = read_params(bad);
            assert!(list.defect.is_some(), "{bad}");
            let best: Vec<(String, String)> = best
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            assert_eq!(list.params, best, "{bad}");
        }
        assert_eq!(read_params("a=1;").strict().unwrap().len(), 1);
        assert_eq!(read_params("").strict().unwrap().len(), 0);
    }

    #[test]
    fn first_semicolon_outside_quotes_and_comments() {
        assert_eq!(
            split_semicolon("a (;) \"b;\" ; c; d"),
            Some(("a (;) \"b;\" ", " c; d"))
        );
        assert_eq!(split_semicolon("a \"b;"), None);
        assert_eq!(split_semicolon("a"), None);
    }

    #[test]
    fn values_with_a_head() {
        let (head, list) = read_value("Text/Plain (c); charset=\"utf-8\"");
        assert_eq!(head, "Text/Plain");
        assert_eq!(list.strict().unwrap(), [("charset".into(), "utf-8".into())]);
        let (head, list) = read_value("attachment; filename*0*=utf-8''%C3%BC; filename*1=.txt");
        assert_eq!(head, "attachment");
        assert_eq!(get(&list.params, "filename"), Some("ü.txt"));
        assert_eq!(read_value("").0, "");
    }

    /// A hostile value is read in bounded work: a section number past the bound is refused
    /// without allocating for it.
    #[test]
    fn section_numbers_are_bounded() {
        let list = read_params("a*999999999=x; a*0=y");
        assert!(list.defect.is_some());
        assert_eq!(get(&list.params, "a"), Some("y"));
    }
}
