//! RFC 5322 addresses — [RFC 5322 §3.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.4).
//! Used by MMHS-Exempted-Address (RFC 6477 §3.1), MMHS-Authorizing-Users (RFC 7912 §4) and
//! Disposition-Notification-To (RFC 8098 §2.1).
//!
//! ```text
//! address-list  = (address *("," address)) / obs-addr-list
//! address       = mailbox / group
//! mailbox       = name-addr / addr-spec
//! name-addr     = [display-name] angle-addr
//! angle-addr    = [CFWS] "<" addr-spec ">" [CFWS]
//! group         = display-name ":" [group-list] ";" [CFWS]
//! display-name  = phrase
//! addr-spec     = local-part "@" domain
//! local-part    = dot-atom / quoted-string / obs-local-part
//! domain        = dot-atom / domain-literal / obs-domain
//! ```
//!
//! Accepted on receipt: comments anywhere (a comment after a bare addr-spec becomes the
//! display name when there is none, the legacy `a@b (Name)` form), empty list elements
//! (obs-addr-list), RFC 2047 encoded-words in display names (decoded), obs-route in
//! angle-addr is not supported. Canonical text: `Name <local@domain>` with the name quoted
//! when it is not a plain phrase of atoms and RFC 2047-encoded when it is not ASCII; groups as
//! `Name: a@b, c@d;`; list items joined with `", "`.
//!
//! JSON: a mailbox is `{ "name": "…", "address": "local@domain" }` (`name` omitted when
//! absent); a group is `{ "group": "…", "members": [mailbox…] }`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::lex::{parse_quoted, quote};
use super::Error;
use crate::mime::encode::phrase as format_phrase;
use crate::mime::header::{decode_encoded_words, HeaderSection};

/// A mailbox: optional display name and an addr-spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Mailbox {
    /// Display name (decoded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The addr-spec `local-part@domain`.
    pub address: String,
}

impl Mailbox {
    /// Build a mailbox with no name, checking the addr-spec.
    pub fn new(address: &str) -> Result<Self, Error> {
        let mb: Mailbox = address.parse()?;
        Ok(Mailbox {
            name: None,
            address: mb.address,
        })
    }

    /// Case-insensitive comparison of the addr-spec (as RFC 7912 step 4 needs: "already
    /// present"). Domain names are case-insensitive; local parts are compared
    /// case-insensitively too, as almost every deployment does.
    pub fn same_address(&self, other: &str) -> bool {
        self.address.eq_ignore_ascii_case(other.trim())
    }

    /// The domain part.
    pub fn domain(&self) -> &str {
        self.address.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl FromStr for Mailbox {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let list: AddressList = s.parse()?;
        match list.0.as_slice() {
            [Address::Mailbox(m)] => Ok(m.clone()),
            _ => Err(Error::AddressInvalid(format!(
                "{s:?}: expected one mailbox"
            ))),
        }
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) if !n.is_empty() => write!(f, "{} <{}>", format_phrase(n), self.address),
            _ => f.write_str(&self.address),
        }
    }
}

/// An address: a mailbox or a named group of mailboxes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(untagged)]
pub enum Address {
    /// A single mailbox.
    Mailbox(Mailbox),
    /// A group (`Name: members;`).
    Group {
        /// The group's display name.
        group: String,
        /// Its members (may be empty, to hide identities).
        members: Vec<Mailbox>,
    },
}

impl Address {
    /// All mailboxes (a group's members, or the mailbox itself).
    pub fn mailboxes(&self) -> &[Mailbox] {
        match self {
            Address::Mailbox(m) => std::slice::from_ref(m),
            Address::Group { members, .. } => members,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Mailbox(m) => m.fmt(f),
            Address::Group { group, members } => {
                write!(f, "{}:", format_phrase(group))?;
                for (i, m) in members.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    m.fmt(f)?;
                }
                f.write_str(";")
            }
        }
    }
}

/// An RFC 5322 address-list (possibly empty when parsed from an all-empty obs-addr-list;
/// [`AddressList::from_str`] rejects an empty value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS))]
#[serde(transparent)]
pub struct AddressList(pub Vec<Address>);

impl AddressList {
    /// Every mailbox, groups flattened.
    pub fn mailboxes(&self) -> impl Iterator<Item = &Mailbox> {
        self.0.iter().flat_map(Address::mailboxes)
    }

    /// Whether any group syntax is used.
    pub fn has_groups(&self) -> bool {
        self.0.iter().any(|a| matches!(a, Address::Group { .. }))
    }

    /// Check every name/address for CR/LF/NUL and every addr-spec for syntax (for values
    /// built from JSON before formatting).
    pub fn validate(&self) -> Result<(), Error> {
        for a in &self.0 {
            if let Address::Group { group, .. } = a {
                super::lex::check_value(group)?;
            }
            for m in a.mailboxes() {
                if let Some(n) = &m.name {
                    super::lex::check_value(n)?;
                }
                super::lex::check_value(&m.address)?;
                check_addr_spec(&m.address)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for AddressList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            a.fmt(f)?;
        }
        Ok(())
    }
}

impl FromStr for AddressList {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse_list(s, false)
    }
}

/// Parse an `address-list`; `lenient` also reads an addr-spec written as an unquoted display
/// name (`a@b <c@d>`, see [`value_addr_specs`]).
fn parse_list(s: &str, lenient: bool) -> Result<AddressList, Error> {
    let toks = tokenize(s)?;
    let mut p = Parser {
        toks,
        pos: 0,
        src: s,
        lenient,
    };
    let list = p.address_list()?;
    if list.is_empty() {
        return Err(Error::AddressInvalid(format!("{s:?}: empty address list")));
    }
    Ok(AddressList(list))
}

/// The addr-specs of every field named `name` in a header section, in order (RFC 5322 §3.4
/// `address-list`, groups read through); a field whose value is not an address list
/// contributes none.
pub(crate) fn addr_specs(section: &HeaderSection<'_>, name: &str) -> Vec<String> {
    section
        .get_all(name)
        .flat_map(|f| value_addr_specs(&f.unfolded()))
        .collect()
}

/// The addr-specs of one `address-list` value, in order, as written (RFC 5322 §3.4;
/// groups read through, comments and display names dropped). What a reader shows is what
/// counts, so an addr-spec written as an unquoted display name (`a@b <c@d>`, which
/// [`AddressList`]'s `FromStr` refuses) yields the angle-addr `c@d`. A value that is not an
/// address list names no one: a caller binding a signer to these addresses then finds no
/// match, so it fails closed.
pub fn value_addr_specs(value: &str) -> Vec<String> {
    parse_list(value, true)
        .map(|l| l.mailboxes().map(|m| m.address.clone()).collect())
        .unwrap_or_default()
}

/// The addr-specs of one value that is exactly an `address-list` (RFC 5322 §3.4, as
/// [`AddressList`]'s `FromStr` reads it: groups read through, surrounding white space
/// allowed); none when it is not one — for a field whose list decides (MMHS-Authorizing-Users,
/// RFC 7912 §4), where [`value_addr_specs`]' reading of a malformed list as a reader shows it
/// must not name anyone.
pub fn exact_addr_specs(value: &str) -> Vec<String> {
    value
        .trim()
        .parse::<AddressList>()
        .map(|l| l.mailboxes().map(|m| m.address.clone()).collect())
        .unwrap_or_default()
}

/// [`value_addr_specs`] in the comparison form of [`normalize_address`].
pub fn addresses(value: &str) -> Vec<String> {
    value_addr_specs(value)
        .iter()
        .map(|a| normalize_address(a))
        .collect()
}

/// Normalise an address for comparison: domain lower case, local part ASCII lower case
/// (RFC 9788 §4.4 comparison).
pub fn normalize_address(a: &str) -> String {
    a.trim().to_ascii_lowercase()
}

/// `atext` (RFC 5322 §3.2.3) for one octet.
fn is_atext(b: u8) -> bool {
    b.is_ascii() && crate::mime::encode::is_atext(char::from(b))
}

/// Check an addr-spec: dot-atom or quoted local part, '@', dot-atom or literal domain.
fn check_addr_spec(a: &str) -> Result<(), Error> {
    let err = || Error::AddressInvalid(format!("{a:?}: not an addr-spec"));
    let (local, domain) = a.rsplit_once('@').ok_or_else(err)?;
    let dot_atom = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| is_atext(b) || b >= 0x80))
    };
    let local_ok =
        dot_atom(local) || (local.len() >= 2 && local.starts_with('"') && local.ends_with('"'));
    let domain_ok = dot_atom(domain) || (domain.starts_with('[') && domain.ends_with(']'));
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(err())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An atom or dot-atom run (text, no spaces).
    Atom(String),
    /// A quoted string (unescaped content).
    Quoted(String),
    /// A domain literal including brackets.
    Literal(String),
    /// One of `< > @ , ; : .`
    Special(char),
    /// A comment's text.
    Comment(String),
}

/// The most tokens an address list is read with (atoms, quoted strings, comments, domain
/// literals and specials; a mailbox with a display name is some ten). A token list holds
/// tens of octets per token, so a field of a million one-octet tokens (`a@b.c,` repeated, a
/// field within the header reader's limits) held about 50 times its octets; more is not an
/// address list (it names no one).
pub const MAX_ADDRESS_TOKENS: usize = 65_536;

fn too_many_tokens() -> Error {
    Error::AddressInvalid(format!(
        "an address list of more than {MAX_ADDRESS_TOKENS} tokens"
    ))
}

fn tokenize(s: &str) -> Result<Vec<Tok>, Error> {
    let err = |why: &str| Error::AddressInvalid(format!("{s:?}: {why}"));
    let mut toks = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if toks.len() > MAX_ADDRESS_TOKENS {
            return Err(too_many_tokens());
        }
        match c {
            ' ' | '\t' | '\r' | '\n' => rest = rest.get(1..).unwrap_or_default(),
            '"' => {
                let (q, after) =
                    parse_quoted(rest).ok_or_else(|| err("unterminated quoted string"))?;
                toks.push(Tok::Quoted(q));
                rest = after;
            }
            '(' => {
                let end =
                    super::lex::comment_end(rest).ok_or_else(|| err("unterminated comment"))?;
                toks.push(Tok::Comment(
                    rest.get(1..end).unwrap_or_default().trim().to_string(),
                ));
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            '[' => {
                let end = rest
                    .find(']')
                    .ok_or_else(|| err("unterminated domain literal"))?;
                toks.push(Tok::Literal(
                    rest.get(..=end).unwrap_or_default().to_string(),
                ));
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            '<' | '>' | '@' | ',' | ';' | ':' | '.' => {
                toks.push(Tok::Special(c));
                rest = rest.get(1..).unwrap_or_default();
            }
            ')' | ']' | '\\' => return Err(err("unexpected special character")),
            _ => {
                let len: usize = rest
                    .char_indices()
                    .find(|(_, ch)| {
                        matches!(
                            ch,
                            ' ' | '\t'
                                | '\r'
                                | '\n'
                                | '"'
                                | '('
                                | ')'
                                | '<'
                                | '>'
                                | '@'
                                | ','
                                | ';'
                                | ':'
                                | '.'
                                | '['
                                | ']'
                                | '\\'
                        )
                    })
                    .map_or(rest.len(), |(i, _)| i);
                let word = rest.get(..len).unwrap_or_default();
                if word.chars().any(|ch| ch.is_control()) {
                    return Err(err("control character"));
                }
                toks.push(Tok::Atom(word.to_string()));
                rest = rest.get(len..).unwrap_or_default();
            }
        }
    }
    if toks.len() > MAX_ADDRESS_TOKENS {
        return Err(too_many_tokens());
    }
    Ok(toks)
}

struct Parser<'s> {
    toks: Vec<Tok>,
    pos: usize,
    src: &'s str,
    /// Read `a@b <c@d>` as the mailbox `c@d` named `a@b` instead of refusing it.
    lenient: bool,
}

impl Parser<'_> {
    fn err(&self, why: &str) -> Error {
        Error::AddressInvalid(format!("{:?}: {why}", self.src))
    }

    /// Next non-comment token (comments are collected into `comments`).
    fn peek(&self) -> Option<&Tok> {
        self.toks
            .get(self.pos..)?
            .iter()
            .find(|t| !matches!(t, Tok::Comment(_)))
    }

    fn next(&mut self) -> Option<Tok> {
        while let Some(t) = self.toks.get(self.pos) {
            self.pos += 1;
            if !matches!(t, Tok::Comment(_)) {
                return Some(t.clone());
            }
        }
        None
    }

    fn address_list(&mut self) -> Result<Vec<Address>, Error> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => break,
                Some(Tok::Special(',')) => {
                    self.next();
                    continue;
                }
                _ => {}
            }
            out.push(self.address()?);
            match self.next() {
                None => break,
                Some(Tok::Special(',')) => {}
                Some(_) => return Err(self.err("expected ',' between addresses")),
            }
        }
        Ok(out)
    }

    /// Collect a phrase / local-part: words and dots, until a special other than '.'.
    fn words(&mut self) -> Vec<Tok> {
        let mut w = Vec::new();
        while let Some(t) = self.peek() {
            match t {
                Tok::Atom(_) | Tok::Quoted(_) | Tok::Special('.') => {
                    if let Some(t) = self.next() {
                        w.push(t);
                    }
                }
                _ => break,
            }
        }
        w
    }

    fn address(&mut self) -> Result<Address, Error> {
        self.address_in(false)
    }

    /// An address; `in_group` for a group's member, which may not be a group itself (RFC
    /// 5322 §3.4: a group's list is a `mailbox-list`) — refused where the member's own ':'
    /// is seen, so that a value of nested groups (`g:g:g:…`) is refused at the second, not
    /// parsed one level deeper for each.
    fn address_in(&mut self, in_group: bool) -> Result<Address, Error> {
        if self.lenient {
            if let Some(m) = self.addr_spec_as_name()? {
                return Ok(Address::Mailbox(m));
            }
        }
        let start = self.pos;
        let words = self.words();
        match self.peek() {
            Some(Tok::Special('<')) => {
                self.next();
                let address = self.addr_spec()?;
                if self.next() != Some(Tok::Special('>')) {
                    return Err(self.err("expected '>'"));
                }
                Ok(Address::Mailbox(Mailbox {
                    name: phrase(&words),
                    address,
                }))
            }
            Some(Tok::Special(':')) if in_group => Err(self.err("nested group")),
            Some(Tok::Special(':')) => {
                self.next();
                let group = phrase(&words).unwrap_or_default();
                let mut members = Vec::new();
                loop {
                    match self.peek() {
                        Some(Tok::Special(';')) => {
                            self.next();
                            break;
                        }
                        Some(Tok::Special(',')) => {
                            self.next();
                        }
                        None => return Err(self.err("group without ';'")),
                        _ => match self.address_in(true)? {
                            Address::Mailbox(m) => members.push(m),
                            Address::Group { .. } => return Err(self.err("nested group")),
                        },
                    }
                }
                Ok(Address::Group { group, members })
            }
            Some(Tok::Special('@')) => {
                self.pos = start;
                let address = self.addr_spec()?;
                // legacy "addr (Name)": a comment right after the addr-spec names it
                let name = match self.toks.get(self.pos) {
                    Some(Tok::Comment(c)) if !c.is_empty() => {
                        Some(decode_encoded_words(c).into_owned())
                    }
                    _ => None,
                };
                Ok(Address::Mailbox(Mailbox { name, address }))
            }
            _ => Err(self.err("expected an address")),
        }
    }

    /// `a@b <c@d>` (also `a@b . <c@d>`): an addr-spec written as an unquoted display name
    /// (RFC 5322 §3.2.5 allows no '@' in a phrase; legacy and hostile mail do it). Readers
    /// show the angle-addr, so that is the address and the text before it the name. `None`
    /// (position unchanged) unless words with an '@' are followed by an angle-addr.
    fn addr_spec_as_name(&mut self) -> Result<Option<Mailbox>, Error> {
        let mark = self.pos;
        let mut name = String::new();
        let mut at = false;
        while let Some(t) = self.peek() {
            match t {
                Tok::Atom(w) | Tok::Quoted(w) => {
                    if !name.is_empty() && !name.ends_with(['.', '@']) {
                        name.push(' ');
                    }
                    name.push_str(w);
                }
                Tok::Special(c @ ('.' | '@')) => {
                    at |= *c == '@';
                    name.push(*c);
                }
                _ => break,
            }
            self.next();
        }
        if !at || self.peek() != Some(&Tok::Special('<')) {
            self.pos = mark;
            return Ok(None);
        }
        self.next();
        let address = self.addr_spec()?;
        if self.next() != Some(Tok::Special('>')) {
            return Err(self.err("expected '>'"));
        }
        Ok(Some(Mailbox {
            name: Some(name),
            address,
        }))
    }

    fn addr_spec(&mut self) -> Result<String, Error> {
        let local = self.words();
        if local.is_empty() {
            return Err(self.err("missing local part"));
        }
        // RFC 5322 §3.4.1: the local part is its words' characters, quotes removed; written
        // back as a dot-atom when it is one, else as one quoted-string (an obs-local-part
        // such as `a."b c"` becomes `"a.b c"`).
        let mut lp = String::new();
        let mut expect_word = true;
        for t in &local {
            match (t, expect_word) {
                (Tok::Atom(a), true) => lp.push_str(a),
                (Tok::Quoted(q), true) => lp.push_str(q),
                (Tok::Special('.'), false) => lp.push('.'),
                _ => return Err(self.err("bad local part")),
            }
            expect_word = !expect_word;
        }
        if expect_word {
            return Err(self.err("local part ends with '.'"));
        }
        if needs_quoting(&lp) {
            lp = quote(&lp);
        }
        if self.next() != Some(Tok::Special('@')) {
            return Err(self.err("expected '@'"));
        }
        let mut domain = String::new();
        match self.next() {
            Some(Tok::Literal(l)) => domain.push_str(&l),
            Some(Tok::Atom(a)) => {
                domain.push_str(&a);
                while self.peek() == Some(&Tok::Special('.')) {
                    self.next();
                    match self.next() {
                        Some(Tok::Atom(a)) => {
                            domain.push('.');
                            domain.push_str(&a);
                        }
                        _ => return Err(self.err("bad domain")),
                    }
                }
            }
            _ => return Err(self.err("missing domain")),
        }
        if lp.chars().any(|c| c.is_control()) || domain.chars().any(|c| c.is_control()) {
            return Err(self.err("control character"));
        }
        Ok(format!("{lp}@{domain}"))
    }
}

fn needs_quoting(local: &str) -> bool {
    local.is_empty()
        || !local
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| is_atext(b) || b >= 0x80))
}

fn phrase(words: &[Tok]) -> Option<String> {
    if words.is_empty() {
        return None;
    }
    let mut out = String::new();
    for t in words {
        match t {
            Tok::Atom(a) | Tok::Quoted(a) => {
                if !out.is_empty() && !out.ends_with('.') {
                    out.push(' ');
                }
                out.push_str(a);
            }
            Tok::Special('.') => out.push('.'),
            _ => {}
        }
    }
    Some(decode_encoded_words(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coded::Coded;

    /// Groups nested in groups are refused (RFC 5322 §3.4) at the second level, however
    /// deep the nesting: a value of tens of thousands of `g:` overflowed the stack.
    #[test]
    fn nested_groups_are_refused_without_recursion() {
        assert!("g: h: a@b.c; ;".parse::<AddressList>().is_err());
        assert!("g: a@b.c, h: d@e.f;;".parse::<AddressList>().is_err());
        let deep = "g:".repeat(MAX_ADDRESS_TOKENS / 2);
        assert!(deep.parse::<AddressList>().is_err());
        assert!(value_addr_specs(&deep).is_empty());
        assert!(value_addr_specs(&format!("{deep}a@b.c{}", ";".repeat(30_000))).is_empty());
        // One level is a group.
        assert_eq!(value_addr_specs("g: a@b.c, d@e.f;"), ["a@b.c", "d@e.f"]);
    }

    /// An address list is read up to [`MAX_ADDRESS_TOKENS`] tokens and refused past them.
    #[test]
    fn an_address_list_of_too_many_tokens_names_no_one() {
        // "a@b.c," is six tokens; the last comma is left off.
        let n = MAX_ADDRESS_TOKENS / 6;
        let at = "a@b.c,".repeat(n);
        let at = at.trim_end_matches(',');
        assert_eq!(value_addr_specs(at).len(), n);
        let over = format!("{at},a@b.c");
        assert!(over.parse::<AddressList>().is_err());
        assert!(value_addr_specs(&over).is_empty());
        assert!(addresses(&over).is_empty());
        let comments = format!("{}a@b.c", "(x)".repeat(MAX_ADDRESS_TOKENS));
        assert!(value_addr_specs(&comments).is_empty());
    }

    #[test]
    fn forms() {
        let l: AddressList =
            "\"Smith, J\" <j.smith@example.mil>, b@example.mil (Bob), Releasers: r1@x.mil, R Two <r2@x.mil>;, Empty:;"
                .parse()
                .unwrap();
        assert_eq!(l.0.len(), 4);
        assert_eq!(
            l.0[0],
            Address::Mailbox(Mailbox {
                name: Some("Smith, J".into()),
                address: "j.smith@example.mil".into()
            })
        );
        assert_eq!(
            l.0[1],
            Address::Mailbox(Mailbox {
                name: Some("Bob".into()),
                address: "b@example.mil".into()
            })
        );
        assert_eq!(l.mailboxes().count(), 4);
        assert_eq!(
            l.to_string(),
            "\"Smith, J\" <j.smith@example.mil>, Bob <b@example.mil>, Releasers: r1@x.mil, R Two <r2@x.mil>;, Empty:;"
        );
        assert_eq!(l.to_string().parse::<AddressList>().unwrap(), l);
    }

    #[test]
    fn encoded_and_quoted() {
        let m: Mailbox = "=?utf-8?q?Ren=C3=A9?= <rene@example.fr>".parse().unwrap();
        assert_eq!(m.name.as_deref(), Some("René"));
        let s = m.to_string();
        assert!(s.starts_with("=?utf-8?"), "{s}");
        assert_eq!(s.parse::<Mailbox>().unwrap(), m);
        let q: Mailbox = "\"john doe\"@example.com".parse().unwrap();
        assert_eq!(q.address, "\"john doe\"@example.com");
        let lit: Mailbox = "x@[192.0.2.1]".parse().unwrap();
        assert_eq!(lit.domain(), "[192.0.2.1]");
    }

    #[test]
    fn json_form() {
        let l: AddressList = "A <a@x.mil>, G: b@x.mil;".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"[{"name":"A","address":"a@x.mil"},{"group":"G","members":[{"address":"b@x.mil"}]}]"#
        );
        let back: AddressList = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
        assert_eq!(back, l);
    }

    #[test]
    fn addresses_of_a_value() {
        assert_eq!(
            addresses("\"Doe, J\" <J.Doe@Army.Example>, x@y.z (c)"),
            vec!["j.doe@army.example".to_string(), "x@y.z".to_string()]
        );
        assert_eq!(
            addresses("Office: a@b.example, (c, d) c@d.example;"),
            vec!["a@b.example".to_string(), "c@d.example".to_string()]
        );
        // An addr-spec as the display name: the angle-addr is the address (what a reader
        // shows and what a signature must be bound to), never the name.
        for confusing in [
            "manager@bigcorporation.de <Eve@BigCorporation.de>",
            "manager@bigcorporation.de      . <Eve@BigCorporation.de>",
        ] {
            assert_eq!(
                addresses(confusing),
                vec!["eve@bigcorporation.de".to_string()],
                "{confusing}"
            );
        }
        // … which the strict grammar (MMHS fields, inspect) still refuses.
        assert!("manager@x.example <eve@x.example>"
            .parse::<Mailbox>()
            .is_err());
        assert_eq!(value_addr_specs("Eve@X.example"), vec!["Eve@X.example"]);
        // Not an address list: no one, so a signer bound to it finds no match.
        for bad in ["(a@b.example", "a@b.example <c@d.example", "a@b c@d", ""] {
            assert!(addresses(bad).is_empty(), "{bad}");
        }
        // A list that decides names no one unless it is exactly a list.
        assert!(exact_addr_specs("manager@x.example <eve@x.example>").is_empty());
        assert!(exact_addr_specs("not an address").is_empty());
        assert_eq!(
            exact_addr_specs(" G: a@b.example, Eve <e@x.example>; ,c@d.example "),
            ["a@b.example", "e@x.example", "c@d.example"]
        );
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "no-at-sign",
            "a@",
            "@b",
            "<a@b",
            "a@b c@d",
            "G: a@b",
            "a..b@c",
            "(unterminated a@b",
        ] {
            assert_eq!(
                bad.parse::<AddressList>().unwrap_err().code(),
                "address-invalid",
                "{bad}"
            );
        }
        let l = AddressList(vec![Address::Mailbox(Mailbox {
            name: Some("x\r\nBcc: y".into()),
            address: "a@b".into(),
        })]);
        assert_eq!(l.validate().unwrap_err().code(), "header-crlf");
    }
}
