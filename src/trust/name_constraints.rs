//! Name constraints (RFC 5280 §4.2.1.10) as the state of path validation (RFC 5280 §6.1.2
//! (b), (c), §6.1.3 (b), (c), §6.1.4 (g)).
//!
//! The permitted subtrees are kept as the list of the permittedSubtrees of each certificate
//! that had them, and a name of a given form must be within at least one subtree of that form
//! in each of those sets that has subtrees of its form: that is the intersection of
//! §6.1.4 (g)(1), taken per name form, without computing it symbolically. A set without
//! subtrees of a form does not constrain names of that form. The excluded subtrees are kept as
//! their union (§6.1.4 (g)(2)): a name within any of them is refused.
//!
//! Name forms and how a name is within a subtree:
//!
//! - directoryName: the subject name (when not empty) and directoryName subjectAltNames; the
//!   name's first RDNs match the subtree's (RFC 5280 §7.1 comparison,
//!   [`super::name_match::dn_within`]).
//! - rfc822Name: rfc822Name subjectAltNames and the emailAddress attributes
//!   (1.2.840.113549.1.9.1) of the subject name, whether or not a subjectAltName is present
//!   (§4.2.1.10 requires the latter when there is none; applying it always is stricter). A
//!   constraint is a mailbox (that mailbox: the local part compared exactly in permitted
//!   subtrees, and ASCII case-insensitively in excluded subtrees so that a case variant of an
//!   excluded mailbox is still excluded; the host case-insensitively), a host (every mailbox
//!   at that host) or a domain with a leading period (every mailbox at a host within the
//!   domain, not at the domain's own host). The local part of a name must be a dot-atom
//!   (RFC 5322 §3.2.3) and its host a host name; a quoted local part or an address literal
//!   cannot be compared and is refused by any rfc822Name constraint.
//! - dNSName: a constraint matches the name itself and every subdomain, label by label
//!   ("example.com" matches "a.example.com", not "badexample.com"), case-insensitively; with
//!   a leading period only the subdomains; the empty constraint matches every name. A name
//!   whose first label is `*` is within a permitted subtree when `*` taken as a label is, and
//!   is within an excluded subtree also when a name it stands for is (so "*.example.com" is
//!   excluded by "a.example.com").
//! - uniformResourceIdentifier: the constraint applies to the host of the URI's authority
//!   (RFC 3986 §3.2.2): a host constraint matches that host exactly, a leading-period
//!   constraint hosts within the domain. A URI without an authority or host, or whose
//!   authority does not parse, is refused by any URI constraint; an IP-address host is within
//!   no URI constraint.
//! - iPAddress: a constraint is an address and a mask (8 octets for IPv4, 32 for IPv6); a name
//!   (4 or 16 octets) is within it when they are of the same family and agree on every bit
//!   the mask sets. An IPv4-mapped IPv6 name (::ffff:a.b.c.d) is also refused by an excluded
//!   IPv4 subtree its IPv4 address is within.
//! - otherName, ediPartyName, registeredID (and x400Address, which does not decode): not
//!   compared. A constraint of such a form refuses a certificate that has a name of that form
//!   (the name cannot be verified against it) and is otherwise inert.
//!
//! Work is bounded: at most [`MAX_SUBTREES`] subtrees are kept, and one check makes at most
//! [`MAX_COMPARISONS`] name-to-subtree comparisons.

use std::fmt;

use const_oid::ObjectIdentifier;
use der::{Tag, Tagged};
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName};
use x509_cert::name::Name;

use super::name_match::dn_within;

/// The most subtrees (permitted and excluded, over the whole path) the state keeps.
pub(crate) const MAX_SUBTREES: usize = 1024;

/// The most name-to-subtree comparisons one [`NameConstraintsState::check`] makes.
pub(crate) const MAX_COMPARISONS: usize = 1 << 16;

/// The PKCS #9 emailAddress attribute type (RFC 2985 §5.2.1), to which RFC 5280 §4.2.1.10
/// applies rfc822Name constraints.
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// Why a certificate's names or a nameConstraints extension were refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NcError {
    /// A name of the certificate is outside the permitted subtrees, within an excluded one,
    /// or cannot be compared with a constraint that applies to it (§6.1.3 (b), (c)).
    Violation(String),
    /// The nameConstraints extension is not as RFC 5280 §4.2.1.10 requires.
    Malformed(String),
    /// The processing bounds were exceeded.
    Limit(String),
}

impl fmt::Display for NcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NcError::Violation(why) => write!(f, "name constraint violation: {why}"),
            NcError::Malformed(why) => write!(f, "malformed name constraints: {why}"),
            NcError::Limit(why) => write!(f, "name constraints limit: {why}"),
        }
    }
}

impl std::error::Error for NcError {}

/// The name forms of GeneralName (RFC 5280 §4.2.1.6), as far as constraints are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Directory = 0,
    Rfc822 = 1,
    Dns = 2,
    Uri = 3,
    Ip = 4,
    Other = 5,
    EdiParty = 6,
    RegisteredId = 7,
}

/// How many [`Form`]s there are.
const FORMS: usize = 8;

impl Form {
    fn of(name: &GeneralName) -> Form {
        match name {
            GeneralName::DirectoryName(_) => Form::Directory,
            GeneralName::Rfc822Name(_) => Form::Rfc822,
            GeneralName::DnsName(_) => Form::Dns,
            GeneralName::UniformResourceIdentifier(_) => Form::Uri,
            GeneralName::IpAddress(_) => Form::Ip,
            GeneralName::OtherName(_) => Form::Other,
            GeneralName::EdiPartyName(_) => Form::EdiParty,
            GeneralName::RegisteredId(_) => Form::RegisteredId,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Form::Directory => "directoryName",
            Form::Rfc822 => "rfc822Name",
            Form::Dns => "dNSName",
            Form::Uri => "uniformResourceIdentifier",
            Form::Ip => "iPAddress",
            Form::Other => "otherName",
            Form::EdiParty => "ediPartyName",
            Form::RegisteredId => "registeredID",
        }
    }
}

/// A host name (RFC 1034 §3.5 labels, also allowing `_`), lower-cased, as its labels.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Host(Vec<String>);

impl Host {
    /// Parse `s`: non-empty labels of letters, digits, `-` and `_` separated by `.`, at most
    /// 63 octets each and 253 in all; no leading or trailing period.
    fn parse(s: &str) -> Option<Host> {
        if s.is_empty() || s.len() > 253 {
            return None;
        }
        let mut labels = Vec::new();
        for label in s.split('.') {
            if label.is_empty()
                || label.len() > 63
                || !label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return None;
            }
            labels.push(label.to_ascii_lowercase());
        }
        Some(Host(labels))
    }

    /// Whether `self` is `domain` or a subdomain of it (label-wise).
    fn within(&self, domain: &Host) -> bool {
        self.0.ends_with(&domain.0)
    }

    /// Whether `self` is a proper subdomain of `domain` (label-wise).
    fn strictly_within(&self, domain: &Host) -> bool {
        self.0.len() > domain.0.len() && self.within(domain)
    }
}

/// A dNSName or URI host constraint.
#[derive(Clone, Debug)]
enum DomainConstraint {
    /// The empty constraint: every name.
    Any,
    /// A host: for dNSName the host and its subdomains, for a URI the host only.
    Host(Host),
    /// A leading-period domain: its subdomains only.
    Subdomains(Host),
}

impl DomainConstraint {
    fn parse(s: &str) -> Option<DomainConstraint> {
        if s.is_empty() {
            Some(DomainConstraint::Any)
        } else if let Some(rest) = s.strip_prefix('.') {
            Host::parse(rest).map(DomainConstraint::Subdomains)
        } else {
            Host::parse(s).map(DomainConstraint::Host)
        }
    }
}

/// An rfc822Name constraint.
#[derive(Clone, Debug)]
enum MailConstraint {
    /// The empty constraint: every mailbox.
    Any,
    /// One mailbox.
    Mailbox(Mailbox),
    /// Every mailbox at a host.
    Host(Host),
    /// Every mailbox at a host within a domain.
    Domain(Host),
}

/// A mailbox: a dot-atom local part (as written) and a host.
#[derive(Clone, Debug)]
struct Mailbox {
    local: String,
    host: Host,
}

impl Mailbox {
    /// Parse `local@host` with a dot-atom local part (RFC 5322 §3.2.3) and a host name.
    fn parse(s: &str) -> Option<Mailbox> {
        let (local, host) = s.split_once('@')?;
        if !is_dot_atom(local) {
            return None;
        }
        Some(Mailbox {
            local: local.to_owned(),
            host: Host::parse(host)?,
        })
    }
}

/// Whether `s` is an RFC 5322 §3.2.3 dot-atom: atext runs separated by single periods.
fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
        })
}

/// An iPAddress constraint: address and mask of 4 (IPv4) or 16 (IPv6) octets.
#[derive(Clone, Debug)]
struct IpConstraint {
    address: Vec<u8>,
    mask: Vec<u8>,
}

impl IpConstraint {
    /// Whether the address `ip` is within this constraint.
    fn contains(&self, ip: &[u8]) -> bool {
        ip.len() == self.address.len()
            && ip
                .iter()
                .zip(&self.address)
                .zip(&self.mask)
                .all(|((n, a), m)| n & m == a & m)
    }
}

/// One subtree, validated.
#[derive(Clone, Debug)]
enum Constraint {
    Directory(Name),
    Rfc822(MailConstraint),
    Dns(DomainConstraint),
    Uri(DomainConstraint),
    Ip(IpConstraint),
    /// A form whose names are not compared.
    Unsupported,
}

impl Constraint {
    /// Validate `subtree` (RFC 5280 §4.2.1.10).
    fn parse(subtree: &GeneralSubtree) -> Result<(Form, Constraint), NcError> {
        let form = Form::of(&subtree.base);
        if subtree.minimum != 0 || subtree.maximum.is_some() {
            return Err(NcError::Malformed(format!(
                "a {} subtree has minimum {} and maximum {:?}: minimum MUST be zero and \
                 maximum MUST be absent",
                form.label(),
                subtree.minimum,
                subtree.maximum
            )));
        }
        let malformed = |what: &str| {
            NcError::Malformed(format!(
                "{} constraint {what:?} is not well formed",
                form.label()
            ))
        };
        let constraint = match &subtree.base {
            GeneralName::DirectoryName(name) => Constraint::Directory(name.clone()),
            GeneralName::Rfc822Name(s) => {
                let s = s.as_str();
                let parsed = if s.is_empty() {
                    Some(MailConstraint::Any)
                } else if s.contains('@') {
                    Mailbox::parse(s).map(MailConstraint::Mailbox)
                } else if let Some(rest) = s.strip_prefix('.') {
                    Host::parse(rest).map(MailConstraint::Domain)
                } else {
                    Host::parse(s).map(MailConstraint::Host)
                };
                Constraint::Rfc822(parsed.ok_or_else(|| malformed(s))?)
            }
            GeneralName::DnsName(s) => Constraint::Dns(
                DomainConstraint::parse(s.as_str()).ok_or_else(|| malformed(s.as_str()))?,
            ),
            GeneralName::UniformResourceIdentifier(s) => Constraint::Uri(
                DomainConstraint::parse(s.as_str()).ok_or_else(|| malformed(s.as_str()))?,
            ),
            GeneralName::IpAddress(octets) => {
                let bytes = octets.as_bytes();
                if bytes.len() != 8 && bytes.len() != 32 {
                    return Err(NcError::Malformed(format!(
                        "an iPAddress constraint has {} octets, not 8 (IPv4) or 32 (IPv6)",
                        bytes.len()
                    )));
                }
                let (address, mask) = bytes.split_at(bytes.len() / 2);
                Constraint::Ip(IpConstraint {
                    address: address.to_vec(),
                    mask: mask.to_vec(),
                })
            }
            GeneralName::OtherName(_)
            | GeneralName::EdiPartyName(_)
            | GeneralName::RegisteredId(_) => Constraint::Unsupported,
        };
        Ok((form, constraint))
    }
}

/// Subtrees sorted by name form.
#[derive(Clone, Debug, Default)]
struct ByForm([Vec<Constraint>; FORMS]);

impl ByForm {
    fn of(&self, form: Form) -> &[Constraint] {
        self.0.get(form as usize).map_or(&[], Vec::as_slice)
    }

    fn push(&mut self, form: Form, constraint: Constraint) {
        if let Some(list) = self.0.get_mut(form as usize) {
            list.push(constraint);
        }
    }
}

/// A name of the certificate, parsed for comparison.
enum Parsed<'a> {
    Directory(&'a Name),
    Mailbox(Mailbox),
    Dns { host: Host, wildcard: bool },
    Uri(UriHost),
    Ip(&'a [u8]),
}

/// The host of a URI's authority.
enum UriHost {
    Name(Host),
    /// An IPv4address or IP-literal host.
    Address,
}

/// A name of the certificate as found, before parsing.
enum Found<'a> {
    General(&'a GeneralName),
    Subject(&'a Name),
    /// An emailAddress attribute value of the subject: its tag and content octets.
    Email(Tag, &'a [u8]),
}

impl Found<'_> {
    fn form(&self) -> Form {
        match self {
            Found::General(g) => Form::of(g),
            Found::Subject(_) => Form::Directory,
            Found::Email(..) => Form::Rfc822,
        }
    }

    fn describe(&self) -> String {
        match self {
            Found::General(GeneralName::DirectoryName(n)) => {
                format!("directoryName \"{}\"", super::name_string(n))
            }
            Found::Subject(n) => format!("subject \"{}\"", super::name_string(n)),
            Found::General(GeneralName::Rfc822Name(s)) => format!("rfc822Name {:?}", s.as_str()),
            Found::General(GeneralName::DnsName(s)) => format!("dNSName {:?}", s.as_str()),
            Found::General(GeneralName::UniformResourceIdentifier(s)) => {
                format!("uniformResourceIdentifier {:?}", s.as_str())
            }
            Found::General(GeneralName::IpAddress(o)) => {
                format!("iPAddress {:02x?}", o.as_bytes())
            }
            Found::General(g) => Form::of(g).label().to_owned(),
            Found::Email(_, octets) => {
                format!("subject emailAddress {:?}", String::from_utf8_lossy(octets))
            }
        }
    }

    /// Parse the name for comparison; `None` when it is not well formed for its form.
    fn parse(&self) -> Option<Parsed<'_>> {
        match self {
            Found::Subject(n) => Some(Parsed::Directory(n)),
            Found::Email(tag, octets) => match tag {
                Tag::Ia5String | Tag::Utf8String => std::str::from_utf8(octets)
                    .ok()
                    .filter(|s| s.is_ascii())
                    .and_then(Mailbox::parse)
                    .map(Parsed::Mailbox),
                _ => None,
            },
            Found::General(g) => match g {
                GeneralName::DirectoryName(n) => Some(Parsed::Directory(n)),
                GeneralName::Rfc822Name(s) => Mailbox::parse(s.as_str()).map(Parsed::Mailbox),
                GeneralName::DnsName(s) => {
                    let s = s.as_str();
                    match s.strip_prefix("*.") {
                        Some(rest) => Host::parse(rest).map(|h| Parsed::Dns {
                            host: h,
                            wildcard: true,
                        }),
                        None => Host::parse(s).map(|h| Parsed::Dns {
                            host: h,
                            wildcard: false,
                        }),
                    }
                }
                GeneralName::UniformResourceIdentifier(s) => uri_host(s.as_str()).map(Parsed::Uri),
                GeneralName::IpAddress(o) => {
                    let b = o.as_bytes();
                    (b.len() == 4 || b.len() == 16).then_some(Parsed::Ip(b))
                }
                GeneralName::OtherName(_)
                | GeneralName::EdiPartyName(_)
                | GeneralName::RegisteredId(_) => None,
            },
        }
    }
}

/// The host of `uri`'s authority (RFC 3986 §3, §3.2.2), or `None` when the URI has no
/// authority, an empty host, or an authority that does not parse.
fn uri_host(uri: &str) -> Option<UriHost> {
    let (scheme, rest) = uri.split_once(':')?;
    let mut scheme_chars = scheme.bytes();
    if !scheme_chars.next().is_some_and(|b| b.is_ascii_alphabetic())
        || !scheme_chars.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let rest = rest.strip_prefix("//")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    // RFC 3986 §3.2: unreserved, pct-encoded, sub-delims, ":", "@", and "[" "]" for an
    // IP-literal. Anything else (a backslash, white space) is read differently by different
    // parsers, so is refused.
    if !authority
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:@[]".contains(&b))
    {
        return None;
    }
    let host_port = match authority.split_once('@') {
        // userinfo may not contain "@" (RFC 3986 §3.2.1)
        Some((_, after)) if after.contains('@') => return None,
        Some((_, after)) => after,
        None => authority,
    };
    let port_ok = |port: Option<&str>| port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if let Some(literal) = host_port.strip_prefix('[') {
        let (inner, after) = literal.split_once(']')?;
        if inner.is_empty() || inner.contains('[') {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        return port_ok(port).then_some(UriHost::Address);
    }
    let (host, port) = match host_port.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    if !port_ok(port) {
        return None;
    }
    if host.is_empty() {
        return None;
    }
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some(UriHost::Address);
    }
    Host::parse(host).map(UriHost::Name)
}

/// Counts comparisons against [`MAX_COMPARISONS`].
struct Budget(usize);

impl Budget {
    fn spend(&mut self) -> Result<(), NcError> {
        self.0 = self.0.checked_sub(1).ok_or_else(|| {
            NcError::Limit(format!(
                "more than {MAX_COMPARISONS} name-to-subtree comparisons"
            ))
        })?;
        Ok(())
    }
}

/// Whether `name` is within `constraint` (of the same form). `excluded` selects the reading
/// that refuses more where the two differ: the mailbox local part compared ASCII
/// case-insensitively, a wildcard dNSName within a subtree of a name it stands for, and an
/// IPv4-mapped IPv6 address within an IPv4 subtree.
fn within(constraint: &Constraint, name: &Parsed<'_>, excluded: bool) -> bool {
    match (constraint, name) {
        (Constraint::Directory(subtree), Parsed::Directory(n)) => dn_within(subtree, n),
        (Constraint::Rfc822(c), Parsed::Mailbox(m)) => match c {
            MailConstraint::Any => true,
            MailConstraint::Mailbox(b) => {
                b.host == m.host
                    && if excluded {
                        b.local.eq_ignore_ascii_case(&m.local)
                    } else {
                        b.local == m.local
                    }
            }
            MailConstraint::Host(h) => m.host == *h,
            MailConstraint::Domain(d) => m.host.strictly_within(d),
        },
        (Constraint::Dns(c), Parsed::Dns { host, wildcard }) => match c {
            DomainConstraint::Any => true,
            // For "*.rest", with `*` taken as a label: constraints have no `*` label, so
            // "*.rest" is within `h` exactly when "rest" is, and within ".d" when "rest" is
            // "d" or within it.
            DomainConstraint::Host(h) if *wildcard => {
                host.within(h)
                    // "*.rest" stands for every "x.rest": excluded when "x.rest" is the subtree
                    || (excluded && h.0.split_first().is_some_and(|(_, tail)| *tail == *host.0))
            }
            DomainConstraint::Host(h) => host.within(h),
            DomainConstraint::Subdomains(d) if *wildcard => host.within(d),
            DomainConstraint::Subdomains(d) => host.strictly_within(d),
        },
        (Constraint::Uri(c), Parsed::Uri(uri)) => match (c, uri) {
            (DomainConstraint::Any, _) => true,
            (_, UriHost::Address) => false,
            (DomainConstraint::Host(h), UriHost::Name(n)) => n == h,
            (DomainConstraint::Subdomains(d), UriHost::Name(n)) => n.strictly_within(d),
        },
        (Constraint::Ip(c), Parsed::Ip(ip)) => {
            c.contains(ip)
                || (excluded
                    && c.address.len() == 4
                    && ip.len() == 16
                    && ip.starts_with(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])
                    && ip.get(12..).is_some_and(|v4| c.contains(v4)))
        }
        _ => false,
    }
}

/// The name constraints state of path validation (RFC 5280 §6.1.2 (b), (c)).
#[derive(Clone, Debug, Default)]
pub(crate) struct NameConstraintsState {
    /// The permittedSubtrees of each certificate that had them, in path order.
    permitted: Vec<ByForm>,
    /// The union of the excludedSubtrees.
    excluded: ByForm,
    /// How many subtrees are kept.
    subtrees: usize,
    /// Per [`Form`], whether some subtree (permitted or excluded) is of that form.
    constrained: [bool; FORMS],
}

impl NameConstraintsState {
    /// §6.1.2 (b), (c): permitted_subtrees is every name, excluded_subtrees is none.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Whether some subtree, permitted or excluded, is of `form`.
    fn constrains(&self, form: Form) -> bool {
        self.constrained.get(form as usize).copied().unwrap_or(true)
    }

    /// §6.1.3 (b), (c): the subject name and the subjectAltName names of the certificate
    /// must be within the permitted subtrees and not within the excluded subtrees. The
    /// subject is a directoryName when not empty, and each of its emailAddress attributes an
    /// rfc822Name (§4.2.1.10). (§6.1.3 (b) and (c) do not apply to a self-issued
    /// certificate that is not the last of the path; the caller skips those.)
    pub(crate) fn check(
        &self,
        subject: &Name,
        san: Option<&SubjectAltName>,
    ) -> Result<(), NcError> {
        if self.subtrees == 0 {
            return Ok(());
        }
        let mut found = Vec::new();
        if !subject.is_empty() {
            found.push(Found::Subject(subject));
        }
        for atv in subject.iter() {
            if atv.oid == EMAIL_ADDRESS {
                found.push(Found::Email(atv.value.tag(), atv.value.value()));
            }
        }
        if let Some(san) = san {
            found.extend(san.0.iter().map(Found::General));
        }
        let mut budget = Budget(MAX_COMPARISONS);
        for name in &found {
            let form = name.form();
            if !self.constrains(form) {
                continue;
            }
            let Some(parsed) = name.parse() else {
                return Err(NcError::Violation(match form {
                    Form::Other | Form::EdiParty | Form::RegisteredId => format!(
                        "the certificate has a name of form {} and there is a constraint of \
                         that form, which is not supported",
                        form.label()
                    ),
                    _ => format!(
                        "{} is not well formed and cannot be compared with the {} constraints",
                        name.describe(),
                        form.label()
                    ),
                }));
            };
            for c in self.excluded.of(form) {
                budget.spend()?;
                if within(c, &parsed, true) {
                    return Err(NcError::Violation(format!(
                        "{} is within an excluded subtree",
                        name.describe()
                    )));
                }
            }
            for set in &self.permitted {
                let subtrees = set.of(form);
                if subtrees.is_empty() {
                    continue;
                }
                let mut inside = false;
                for c in subtrees {
                    budget.spend()?;
                    if within(c, &parsed, false) {
                        inside = true;
                        break;
                    }
                }
                if !inside {
                    return Err(NcError::Violation(format!(
                        "{} is not within the permitted subtrees",
                        name.describe()
                    )));
                }
            }
        }
        Ok(())
    }

    /// §6.1.4 (g): add the certificate's nameConstraints: its permittedSubtrees narrow the
    /// permitted subtrees (g)(1) and its excludedSubtrees join the excluded ones (g)(2). The
    /// extension MUST NOT be empty, each GeneralSubtrees has at least one subtree, minimum
    /// MUST be zero and maximum MUST be absent (§4.2.1.10). On error the state is unchanged.
    pub(crate) fn update(&mut self, nc: &NameConstraints) -> Result<(), NcError> {
        let permitted = nc.permitted_subtrees.as_deref();
        let excluded = nc.excluded_subtrees.as_deref();
        if permitted.is_none() && excluded.is_none() {
            return Err(NcError::Malformed(
                "nameConstraints has neither permittedSubtrees nor excludedSubtrees".to_owned(),
            ));
        }
        if permitted.is_some_and(<[_]>::is_empty) || excluded.is_some_and(<[_]>::is_empty) {
            return Err(NcError::Malformed(
                "nameConstraints has an empty GeneralSubtrees (SIZE (1..MAX))".to_owned(),
            ));
        }
        let permitted = permitted.unwrap_or_default();
        let excluded = excluded.unwrap_or_default();
        let total = self
            .subtrees
            .saturating_add(permitted.len())
            .saturating_add(excluded.len());
        if total > MAX_SUBTREES {
            return Err(NcError::Limit(format!(
                "more than {MAX_SUBTREES} name constraint subtrees in the path"
            )));
        }
        let mut new_permitted = ByForm::default();
        let mut constrained = self.constrained;
        for subtree in permitted {
            let (form, c) = Constraint::parse(subtree)?;
            new_permitted.push(form, c);
            if let Some(flag) = constrained.get_mut(form as usize) {
                *flag = true;
            }
        }
        let mut new_excluded = Vec::with_capacity(excluded.len());
        for subtree in excluded {
            let (form, c) = Constraint::parse(subtree)?;
            new_excluded.push((form, c));
            if let Some(flag) = constrained.get_mut(form as usize) {
                *flag = true;
            }
        }
        if !permitted.is_empty() {
            self.permitted.push(new_permitted);
        }
        for (form, c) in new_excluded {
            self.excluded.push(form, c);
        }
        self.constrained = constrained;
        self.subtrees = total;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{Any, Ia5String, OctetString};
    use std::str::FromStr;
    use x509_cert::ext::pkix::name::OtherName;

    fn dn(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }
    fn dir(s: &str) -> GeneralName {
        GeneralName::DirectoryName(dn(s))
    }
    fn mail(s: &str) -> GeneralName {
        GeneralName::Rfc822Name(Ia5String::new(s).unwrap())
    }
    fn dns(s: &str) -> GeneralName {
        GeneralName::DnsName(Ia5String::new(s).unwrap())
    }
    fn uri(s: &str) -> GeneralName {
        GeneralName::UniformResourceIdentifier(Ia5String::new(s).unwrap())
    }
    fn ip(octets: &[u8]) -> GeneralName {
        GeneralName::IpAddress(OctetString::new(octets).unwrap())
    }
    fn other() -> GeneralName {
        GeneralName::OtherName(OtherName {
            type_id: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.20.2.3"),
            value: Any::new(Tag::Utf8String, b"user@example.com".as_slice()).unwrap(),
        })
    }
    fn rid() -> GeneralName {
        GeneralName::RegisteredId(ObjectIdentifier::new_unwrap("1.2.3.4"))
    }
    fn subtrees(names: Vec<GeneralName>) -> Option<Vec<GeneralSubtree>> {
        (!names.is_empty()).then(|| {
            names
                .into_iter()
                .map(|base| GeneralSubtree {
                    base,
                    minimum: 0,
                    maximum: None,
                })
                .collect()
        })
    }
    fn nc(permitted: Vec<GeneralName>, excluded: Vec<GeneralName>) -> NameConstraints {
        NameConstraints {
            permitted_subtrees: subtrees(permitted),
            excluded_subtrees: subtrees(excluded),
        }
    }
    fn state(ncs: &[NameConstraints]) -> NameConstraintsState {
        let mut s = NameConstraintsState::new();
        for c in ncs {
            s.update(c).unwrap();
        }
        s
    }
    fn san(names: Vec<GeneralName>) -> SubjectAltName {
        SubjectAltName(names)
    }
    /// Check a certificate with an empty subject and the subjectAltNames `names`.
    fn ok_san(s: &NameConstraintsState, names: Vec<GeneralName>) -> bool {
        match s.check(&Name::default(), Some(&san(names))) {
            Ok(()) => true,
            Err(NcError::Violation(_)) => false,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    fn ok_subject(s: &NameConstraintsState, subject: &str) -> bool {
        match s.check(&dn(subject), None) {
            Ok(()) => true,
            Err(NcError::Violation(_)) => false,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    const EMAIL: &str = "1.2.840.113549.1.9.1";

    #[test]
    fn initial_state_permits_everything() {
        let s = NameConstraintsState::new();
        assert!(ok_subject(&s, "CN=anything,C=US"));
        assert!(ok_san(
            &s,
            vec![
                mail("a@b.c"),
                dns("x"),
                uri("urn:x"),
                ip(&[1]),
                other(),
                rid()
            ]
        ));
    }

    #[test]
    fn dn_permitted() {
        let s = state(&[nc(vec![dir("O=Test Certificates 2011,C=US")], vec![])]);
        assert!(ok_subject(&s, "CN=Valid,O=Test Certificates 2011,C=US"));
        assert!(ok_subject(&s, "CN=Valid,O=test certificates  2011,C=us"));
        assert!(!ok_subject(&s, "CN=Invalid,O=Test Certificates 2012,C=US"));
        assert!(!ok_subject(&s, "CN=Invalid,O=Test Certificates 2011,C=GB"));
        assert!(!ok_subject(&s, "C=US"));
        // directoryName subjectAltNames are checked too
        assert!(ok_san(&s, vec![dir("CN=x,O=Test Certificates 2011,C=US")]));
        assert!(!ok_san(&s, vec![dir("CN=x,O=Other,C=US")]));
        let bad_alt = san(vec![dir("CN=x,O=Other,C=US")]);
        assert!(s
            .check(
                &dn("CN=Valid,O=Test Certificates 2011,C=US"),
                Some(&bad_alt)
            )
            .is_err());
        // an empty subject is not a name to check; other forms are not constrained
        assert!(ok_san(&s, vec![dns("example.com"), mail("a@example.com")]));
        assert!(s.check(&Name::default(), None).is_ok());
    }

    #[test]
    fn dn_excluded() {
        let s = state(&[nc(
            vec![],
            vec![dir("OU=excludedSubtree1,O=Test Certificates 2011,C=US")],
        )]);
        assert!(!ok_subject(
            &s,
            "CN=x,OU=excludedSubtree1,O=Test Certificates 2011,C=US"
        ));
        assert!(!ok_subject(
            &s,
            "OU=excludedSubtree1,O=Test Certificates 2011,C=US"
        ));
        // case and space variants are the same name (RFC 5280 §7.1) and stay excluded
        assert!(!ok_subject(
            &s,
            "CN=x,OU=EXCLUDEDSUBTREE1 ,O=Test  Certificates 2011,C=US"
        ));
        assert!(ok_subject(
            &s,
            "CN=x,OU=excludedSubtree2,O=Test Certificates 2011,C=US"
        ));
        assert!(ok_subject(&s, "O=Test Certificates 2011,C=US"));
        assert!(!ok_san(
            &s,
            vec![dir(
                "CN=y,OU=excludedSubtree1,O=Test Certificates 2011,C=US"
            )]
        ));
    }

    #[test]
    fn dn_permitted_and_excluded_in_one_certificate() {
        let s = state(&[nc(
            vec![dir("O=Test Certificates 2011,C=US")],
            vec![dir("OU=excluded,O=Test Certificates 2011,C=US")],
        )]);
        assert!(ok_subject(&s, "CN=x,OU=ok,O=Test Certificates 2011,C=US"));
        assert!(!ok_subject(
            &s,
            "CN=x,OU=excluded,O=Test Certificates 2011,C=US"
        ));
        assert!(!ok_subject(&s, "CN=x,O=Elsewhere,C=US"));
    }

    #[test]
    fn dn_nested_permitted_subtrees_intersect() {
        let s = state(&[
            nc(vec![dir("O=Test Certificates 2011,C=US")], vec![]),
            nc(
                vec![dir("OU=permittedSubtree1,O=Test Certificates 2011,C=US")],
                vec![],
            ),
        ]);
        assert!(ok_subject(
            &s,
            "CN=x,OU=permittedSubtree1,O=Test Certificates 2011,C=US"
        ));
        assert!(!ok_subject(
            &s,
            "CN=x,OU=permittedSubtree2,O=Test Certificates 2011,C=US"
        ));
        // a later certificate cannot widen what an earlier one permitted
        let widened = state(&[
            nc(
                vec![dir("OU=permittedSubtree1,O=Test Certificates 2011,C=US")],
                vec![],
            ),
            nc(vec![dir("O=Test Certificates 2011,C=US")], vec![]),
        ]);
        assert!(!ok_subject(
            &widened,
            "CN=x,OU=permittedSubtree2,O=Test Certificates 2011,C=US"
        ));
        assert!(ok_subject(
            &widened,
            "CN=x,OU=permittedSubtree1,O=Test Certificates 2011,C=US"
        ));
        // disjoint permitted subtrees leave no directory name permitted
        let disjoint = state(&[
            nc(vec![dir("O=A,C=US")], vec![]),
            nc(vec![dir("O=B,C=US")], vec![]),
        ]);
        assert!(!ok_subject(&disjoint, "CN=x,O=A,C=US"));
        assert!(!ok_subject(&disjoint, "CN=x,O=B,C=US"));
        // but names of other forms are not constrained by them
        assert!(ok_san(&disjoint, vec![dns("example.com")]));
    }

    #[test]
    fn several_subtrees_of_one_certificate_are_a_union() {
        let s = state(&[nc(vec![dir("OU=a,O=T,C=US"), dir("OU=b,O=T,C=US")], vec![])]);
        assert!(ok_subject(&s, "CN=x,OU=a,O=T,C=US"));
        assert!(ok_subject(&s, "CN=x,OU=b,O=T,C=US"));
        assert!(!ok_subject(&s, "CN=x,OU=c,O=T,C=US"));
    }

    #[test]
    fn excluded_subtrees_accumulate() {
        let s = state(&[
            nc(vec![], vec![dns("a.example")]),
            nc(vec![], vec![dns("b.example")]),
        ]);
        assert!(!ok_san(&s, vec![dns("x.a.example")]));
        assert!(!ok_san(&s, vec![dns("x.b.example")]));
        assert!(ok_san(&s, vec![dns("x.c.example")]));
    }

    #[test]
    fn a_set_constrains_only_its_forms() {
        let s = state(&[nc(vec![dns("example.com")], vec![])]);
        assert!(ok_san(
            &s,
            vec![mail("a@elsewhere.org"), uri("http://elsewhere.org/")]
        ));
        assert!(ok_subject(&s, "CN=x,O=Elsewhere"));
        assert!(!ok_san(
            &s,
            vec![mail("a@elsewhere.org"), dns("elsewhere.org")]
        ));
        // a later set with only rfc822Name subtrees leaves the dNSName subtrees in force
        let s = state(&[
            nc(vec![dns("example.com")], vec![]),
            nc(vec![mail("example.com")], vec![]),
        ]);
        assert!(ok_san(
            &s,
            vec![dns("www.example.com"), mail("a@example.com")]
        ));
        assert!(!ok_san(&s, vec![dns("www.example.org")]));
        assert!(!ok_san(&s, vec![mail("a@example.org")]));
    }

    #[test]
    fn rfc822_host() {
        let s = state(&[nc(vec![mail("testcertificates.gov")], vec![])]);
        assert!(ok_san(&s, vec![mail("Test21EE@testcertificates.gov")]));
        assert!(ok_san(&s, vec![mail("a@TestCertificates.GOV")]));
        assert!(!ok_san(&s, vec![mail("a@sub.testcertificates.gov")]));
        assert!(!ok_san(&s, vec![mail("a@invalidtestcertificates.gov")]));
        assert!(!ok_san(&s, vec![mail("a@testcertificates.gov.evil")]));
        // every name of the form must be within
        assert!(!ok_san(
            &s,
            vec![mail("a@testcertificates.gov"), mail("b@evil.gov")]
        ));
    }

    #[test]
    fn rfc822_domain() {
        let s = state(&[nc(vec![mail(".testcertificates.gov")], vec![])]);
        assert!(ok_san(&s, vec![mail("a@mailserver.testcertificates.gov")]));
        assert!(ok_san(&s, vec![mail("a@x.y.TESTCERTIFICATES.gov")]));
        assert!(!ok_san(&s, vec![mail("a@testcertificates.gov")]));
        assert!(!ok_san(&s, vec![mail("a@badtestcertificates.gov")]));
        let ex = state(&[nc(vec![], vec![mail(".testcertificates.gov")])]);
        assert!(!ok_san(
            &ex,
            vec![mail("a@mailserver.testcertificates.gov")]
        ));
        assert!(ok_san(&ex, vec![mail("a@testcertificates.gov")]));
        assert!(ok_san(&ex, vec![mail("a@badtestcertificates.gov")]));
    }

    #[test]
    fn rfc822_mailbox() {
        let s = state(&[nc(vec![mail("Alice@example.com")], vec![])]);
        assert!(ok_san(&s, vec![mail("Alice@EXAMPLE.com")]));
        assert!(!ok_san(&s, vec![mail("alice@example.com")]));
        assert!(!ok_san(&s, vec![mail("Bob@example.com")]));
        assert!(!ok_san(&s, vec![mail("Alice@sub.example.com")]));
        // an excluded mailbox also excludes its case variants
        let ex = state(&[nc(vec![], vec![mail("Alice@example.com")])]);
        assert!(!ok_san(&ex, vec![mail("alice@example.com")]));
        assert!(!ok_san(&ex, vec![mail("ALICE@Example.Com")]));
        assert!(ok_san(&ex, vec![mail("bob@example.com")]));
    }

    #[test]
    fn rfc822_malformed_names_are_refused_under_a_constraint() {
        let p = state(&[nc(vec![mail("example.com")], vec![])]);
        let e = state(&[nc(vec![], vec![mail("evil.com")])]);
        for bad in [
            "noat",
            "a@b@example.com",
            "\"a@b\"@example.com",
            "\"quoted\"@example.com",
            "a@",
            "@example.com",
            "a@example.com.",
            "a@.example.com",
            "a..b@example.com",
            "a b@example.com",
            "a@[192.0.2.1]",
            "a@exa mple.com",
            "",
        ] {
            assert!(!ok_san(&p, vec![mail(bad)]), "{bad}");
            assert!(!ok_san(&e, vec![mail(bad)]), "{bad}");
            // without an rfc822Name constraint the name is not looked at
            assert!(ok_san(
                &state(&[nc(vec![dns("example.com")], vec![])]),
                vec![mail(bad)]
            ));
        }
    }

    #[test]
    fn subject_email_address_is_an_rfc822_name() {
        let s = state(&[nc(vec![mail("testcertificates.gov")], vec![])]);
        let good = format!("CN=x,{EMAIL}=Test27EE@testcertificates.gov,O=T,C=US");
        let bad = format!("CN=x,{EMAIL}=Test28EE@invalidcertificates.gov,O=T,C=US");
        assert!(ok_subject(&s, &good));
        assert!(!ok_subject(&s, &bad));
        // applied also when a subjectAltName is present
        let alt = san(vec![mail("a@testcertificates.gov")]);
        assert!(s.check(&dn(&bad), Some(&alt)).is_err());
        assert!(s.check(&dn(&good), Some(&alt)).is_ok());
        // excluded
        let ex = state(&[nc(vec![], vec![mail(".evil.gov")])]);
        assert!(!ok_subject(&ex, &format!("CN=x,{EMAIL}=a@mail.evil.gov")));
        assert!(ok_subject(&ex, &format!("CN=x,{EMAIL}=a@good.gov")));
        // a malformed address cannot be checked
        assert!(!ok_subject(&s, &format!("CN=x,{EMAIL}=not-an-address")));
        assert!(!ok_subject(&ex, &format!("CN=x,{EMAIL}=a@b@good.gov")));
        // an emailAddress in a type that cannot hold one (here a BMPString) is refused
        let bmp = dn(&format!("CN=x,{EMAIL}=#1e06006100400062"));
        assert!(s.check(&bmp, None).is_err());
        // without an rfc822Name constraint, not looked at
        let d = state(&[nc(vec![dns("example.com")], vec![])]);
        assert!(ok_subject(&d, &format!("CN=x,{EMAIL}=not-an-address")));
    }

    #[test]
    fn dn_and_rfc822_together() {
        // PKITS 4.13.27–29 shape: a directoryName and an rfc822Name permitted subtree
        let s = state(&[nc(
            vec![
                dir("O=Test Certificates 2011,C=US"),
                mail("testcertificates.gov"),
            ],
            vec![],
        )]);
        let subject = |email: &str, o: &str| format!("CN=x,{EMAIL}={email},O={o},C=US");
        assert!(ok_subject(
            &s,
            &subject("a@testcertificates.gov", "Test Certificates 2011")
        ));
        assert!(!ok_subject(
            &s,
            &subject("a@invalidcertificates.gov", "Test Certificates 2011")
        ));
        assert!(!ok_subject(&s, &subject("a@testcertificates.gov", "Other")));
        let alt = san(vec![mail("b@invalidcertificates.gov")]);
        assert!(s
            .check(
                &dn(&subject("a@testcertificates.gov", "Test Certificates 2011")),
                Some(&alt)
            )
            .is_err());
    }

    #[test]
    fn dns_label_boundaries() {
        let s = state(&[nc(vec![dns("testcertificates.gov")], vec![])]);
        assert!(ok_san(&s, vec![dns("testcertificates.gov")]));
        assert!(ok_san(&s, vec![dns("www.testcertificates.gov")]));
        assert!(ok_san(&s, vec![dns("A.B.TestCertificates.Gov")]));
        assert!(!ok_san(&s, vec![dns("invalidtestcertificates.gov")]));
        assert!(!ok_san(&s, vec![dns("testcertificates.gov.evil")]));
        assert!(!ok_san(&s, vec![dns("gov")]));
        let ex = state(&[nc(vec![], vec![dns("example.com")])]);
        assert!(!ok_san(&ex, vec![dns("example.com")]));
        assert!(!ok_san(&ex, vec![dns("x.EXAMPLE.com")]));
        assert!(ok_san(&ex, vec![dns("badexample.com")]));
    }

    #[test]
    fn dns_leading_period_and_empty() {
        let s = state(&[nc(vec![dns(".example.com")], vec![])]);
        assert!(ok_san(&s, vec![dns("a.example.com")]));
        assert!(!ok_san(&s, vec![dns("example.com")]));
        assert!(!ok_san(&s, vec![dns("badexample.com")]));
        let all = state(&[nc(vec![], vec![dns("")])]);
        assert!(!ok_san(&all, vec![dns("anything.example")]));
        assert!(ok_san(&all, vec![mail("a@example.com")]));
        let any = state(&[nc(vec![dns("")], vec![])]);
        assert!(ok_san(&any, vec![dns("anything.example")]));
    }

    #[test]
    fn dns_wildcards() {
        let p = state(&[nc(vec![dns("example.com")], vec![])]);
        assert!(ok_san(&p, vec![dns("*.example.com")]));
        let narrow = state(&[nc(vec![dns("a.example.com")], vec![])]);
        assert!(!ok_san(&narrow, vec![dns("*.example.com")]));
        let ex = state(&[nc(vec![], vec![dns("secret.example.com")])]);
        assert!(!ok_san(&ex, vec![dns("*.example.com")]));
        assert!(!ok_san(&ex, vec![dns("*.secret.example.com")]));
        assert!(ok_san(&ex, vec![dns("*.other.example.com")]));
        let ex_deep = state(&[nc(vec![], vec![dns("a.b.example.com")])]);
        assert!(ok_san(&ex_deep, vec![dns("*.example.com")]));
        let ex_dom = state(&[nc(vec![], vec![dns(".example.com")])]);
        assert!(!ok_san(&ex_dom, vec![dns("*.example.com")]));
    }

    #[test]
    fn dns_malformed_names_are_refused_under_a_constraint() {
        let p = state(&[nc(vec![dns("example.com")], vec![])]);
        let e = state(&[nc(vec![], vec![dns("evil.com")])]);
        for bad in [
            "",
            ".example.com",
            "example.com.",
            "a..example.com",
            "a b.example.com",
            "a*.example.com",
            "*",
            "x.*.example.com",
            "a@example.com",
            "evil.com/x",
            "evil.com\u{0}",
        ] {
            assert!(!ok_san(&p, vec![dns(bad)]), "{bad:?}");
            assert!(!ok_san(&e, vec![dns(bad)]), "{bad:?}");
        }
        // 63-octet labels are fine, 64 are not
        let long = format!("{}.example.com", "a".repeat(63));
        assert!(ok_san(&p, vec![dns(&long)]));
        let too_long = format!("{}.example.com", "a".repeat(64));
        assert!(!ok_san(&p, vec![dns(&too_long)]));
    }

    #[test]
    fn uri_hosts() {
        let host = state(&[nc(vec![uri("testcertificates.gov")], vec![])]);
        assert!(ok_san(&host, vec![uri("http://testcertificates.gov/")]));
        assert!(ok_san(
            &host,
            vec![uri("https://TestCertificates.gov:8443/a?b#c")]
        ));
        assert!(ok_san(&host, vec![uri("ldap://testcertificates.gov")]));
        assert!(ok_san(
            &host,
            vec![uri("http://user:pw@testcertificates.gov/")]
        ));
        assert!(!ok_san(
            &host,
            vec![uri("http://www.testcertificates.gov/")]
        ));
        assert!(!ok_san(
            &host,
            vec![uri("http://invalidtestcertificates.gov/")]
        ));
        let domain = state(&[nc(vec![uri(".testcertificates.gov")], vec![])]);
        assert!(ok_san(
            &domain,
            vec![uri("http://www.testcertificates.gov/")]
        ));
        assert!(!ok_san(&domain, vec![uri("http://testcertificates.gov/")]));
        assert!(!ok_san(
            &domain,
            vec![uri("http://badtestcertificates.gov/")]
        ));
    }

    #[test]
    fn uri_attacks_fail_closed() {
        let p = state(&[nc(vec![uri("good.com")], vec![])]);
        let e = state(&[nc(vec![], vec![uri("evil.com")])]);
        // the host is after the userinfo
        assert!(!ok_san(&p, vec![uri("http://good.com@evil.com/")]));
        assert!(!ok_san(&e, vec![uri("http://good.com@evil.com/")]));
        assert!(ok_san(&p, vec![uri("http://evil.com@good.com/")]));
        // the host ends at the first '/', '?' or '#'
        assert!(!ok_san(&e, vec![uri("http://evil.com/good.com")]));
        assert!(!ok_san(&e, vec![uri("http://evil.com?good.com")]));
        assert!(!ok_san(&e, vec![uri("http://evil.com#@good.com")]));
        assert!(!ok_san(&p, vec![uri("http://evil.com#@good.com")]));
        for bad in [
            "mailto:a@good.com",
            "urn:good.com",
            "good.com",
            "//good.com/",
            "http:good.com",
            "file:///etc/passwd",
            "http://",
            "http://:80/",
            "http://evil.com\\@good.com/",
            "http://a@b@good.com/",
            "http://%65vil.com/",
            "http://evil.com./",
            "http://good.com:8x/",
            "http://good.com /",
            "1http://good.com/",
            "http://[::1/",
            "http://[::1]x/",
        ] {
            assert!(!ok_san(&p, vec![uri(bad)]), "{bad}");
            assert!(!ok_san(&e, vec![uri(bad)]), "{bad}");
        }
        // an IP-address host is within no domain constraint
        assert!(!ok_san(&p, vec![uri("http://192.0.2.1/")]));
        assert!(!ok_san(&p, vec![uri("http://[2001:db8::1]:443/")]));
        assert!(ok_san(&e, vec![uri("http://192.0.2.1/")]));
        assert!(ok_san(&e, vec![uri("http://[2001:db8::1]/")]));
    }

    #[test]
    fn ip_masks() {
        let v4 = state(&[nc(vec![ip(&[192, 168, 0, 0, 255, 255, 0, 0])], vec![])]);
        assert!(ok_san(&v4, vec![ip(&[192, 168, 5, 1])]));
        assert!(!ok_san(&v4, vec![ip(&[192, 169, 0, 1])]));
        assert!(!ok_san(&v4, vec![ip(&[10, 0, 0, 1])]));
        // another family is not within
        let mut v6 = [0u8; 16];
        v6[..4].copy_from_slice(&[192, 168, 0, 0]);
        assert!(!ok_san(&v4, vec![ip(&v6)]));
        let mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 5, 1];
        assert!(!ok_san(&v4, vec![ip(&mapped)]));

        let mut c6 = vec![0x20, 0x01, 0x0d, 0xb8];
        c6.extend([0; 12]);
        c6.extend([0xff; 4]);
        c6.extend([0; 12]);
        let ex6 = state(&[nc(vec![], vec![ip(&c6)])]);
        let mut in6 = [0u8; 16];
        in6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        in6[15] = 1;
        assert!(!ok_san(&ex6, vec![ip(&in6)]));
        in6[3] = 0xb9;
        assert!(ok_san(&ex6, vec![ip(&in6)]));
        assert!(ok_san(&ex6, vec![ip(&[32, 1, 13, 184])]));

        // an excluded IPv4 subtree also refuses the IPv4-mapped IPv6 form of its addresses
        let ex4 = state(&[nc(vec![], vec![ip(&[10, 0, 0, 0, 255, 0, 0, 0])])]);
        assert!(!ok_san(&ex4, vec![ip(&[10, 1, 2, 3])]));
        assert!(!ok_san(
            &ex4,
            vec![ip(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3])]
        ));
        assert!(ok_san(&ex4, vec![ip(&[11, 1, 2, 3])]));

        // a host address constraint (full mask) and the zero mask
        let one = state(&[nc(vec![ip(&[192, 0, 2, 7, 255, 255, 255, 255])], vec![])]);
        assert!(ok_san(&one, vec![ip(&[192, 0, 2, 7])]));
        assert!(!ok_san(&one, vec![ip(&[192, 0, 2, 8])]));
        let zero = state(&[nc(vec![], vec![ip(&[0; 8])])]);
        assert!(!ok_san(&zero, vec![ip(&[8, 8, 8, 8])]));

        // malformed names under an iPAddress constraint
        for bad in [&[][..], &[1, 2, 3], &[1, 2, 3, 4, 5], &[0; 8], &[0; 32]] {
            assert!(!ok_san(&v4, vec![ip(bad)]));
            assert!(!ok_san(&ex4, vec![ip(bad)]));
        }
    }

    #[test]
    fn malformed_ip_constraints() {
        for len in [0usize, 4, 5, 16, 31, 33] {
            let mut s = NameConstraintsState::new();
            assert!(
                matches!(
                    s.update(&nc(vec![ip(&vec![0; len])], vec![])),
                    Err(NcError::Malformed(_))
                ),
                "{len}"
            );
            assert!(matches!(
                s.update(&nc(vec![], vec![ip(&vec![0; len])])),
                Err(NcError::Malformed(_))
            ));
        }
    }

    #[test]
    fn unsupported_forms_fail_closed() {
        let p = state(&[nc(vec![other()], vec![])]);
        assert!(!ok_san(&p, vec![other()]));
        assert!(ok_san(&p, vec![dns("example.com"), mail("a@example.com")]));
        assert!(ok_subject(&p, "CN=x"));
        let e = state(&[nc(vec![], vec![rid()])]);
        assert!(!ok_san(&e, vec![rid()]));
        assert!(ok_san(&e, vec![other()]));
        // a certificate's otherName under only other constraints is not looked at
        let d = state(&[nc(vec![dns("example.com")], vec![])]);
        assert!(ok_san(&d, vec![other(), rid()]));
    }

    #[test]
    fn malformed_extensions() {
        let mut s = NameConstraintsState::new();
        let is_malformed = |r: Result<(), NcError>| matches!(r, Err(NcError::Malformed(_)));
        assert!(is_malformed(s.update(&nc(vec![], vec![]))));
        assert!(is_malformed(s.update(&NameConstraints {
            permitted_subtrees: Some(vec![]),
            excluded_subtrees: None,
        })));
        assert!(is_malformed(s.update(&NameConstraints {
            permitted_subtrees: subtrees(vec![dns("example.com")]),
            excluded_subtrees: Some(vec![]),
        })));
        let with = |minimum, maximum| NameConstraints {
            permitted_subtrees: Some(vec![GeneralSubtree {
                base: dns("example.com"),
                minimum,
                maximum,
            }]),
            excluded_subtrees: None,
        };
        assert!(is_malformed(s.update(&with(1, None))));
        assert!(is_malformed(s.update(&with(0, Some(0)))));
        assert!(is_malformed(s.update(&with(0, Some(5)))));
        assert!(s.update(&with(0, None)).is_ok());
        // malformed constraint strings
        for bad in [
            nc(vec![dns("a..b")], vec![]),
            nc(vec![], vec![dns("*.example.com")]),
            nc(vec![], vec![dns("example.com.")]),
            nc(vec![], vec![uri("http://example.com")]),
            nc(vec![], vec![uri("example.com/path")]),
            nc(vec![], vec![mail("a@b@example.com")]),
            nc(vec![], vec![mail("@example.com")]),
            nc(vec![], vec![mail("a@")]),
            nc(vec![], vec![mail("..example.com")]),
        ] {
            let mut t = NameConstraintsState::new();
            assert!(is_malformed(t.update(&bad)), "{bad:?}");
        }
        // a failed update leaves the state unchanged
        let mut u = state(&[nc(vec![dns("example.com")], vec![])]);
        assert!(is_malformed(
            u.update(&nc(vec![dns("other.com")], vec![ip(&[1, 2, 3])]))
        ));
        assert!(ok_san(&u, vec![dns("www.example.com")]));
        assert_eq!(u.subtrees, 1);
        assert_eq!(u.permitted.len(), 1);
    }

    #[test]
    fn subtree_limit() {
        let many = |n: usize| -> Vec<GeneralName> {
            (0..n).map(|i| dns(&format!("h{i}.example"))).collect()
        };
        let mut s = NameConstraintsState::new();
        assert!(s.update(&nc(vec![], many(MAX_SUBTREES))).is_ok());
        assert!(matches!(
            s.update(&nc(vec![], many(1))),
            Err(NcError::Limit(_))
        ));
        let mut t = NameConstraintsState::new();
        assert!(t.update(&nc(many(600), vec![])).is_ok());
        assert!(matches!(
            t.update(&nc(many(300), many(200))),
            Err(NcError::Limit(_))
        ));
        assert!(t.update(&nc(many(300), many(100))).is_ok());
    }

    #[test]
    fn comparison_limit() {
        let excluded: Vec<GeneralName> = (0..1000).map(|i| dns(&format!("h{i}.example"))).collect();
        let s = state(&[nc(vec![], excluded)]);
        let few: Vec<GeneralName> = (0..60).map(|i| dns(&format!("n{i}.other"))).collect();
        assert!(ok_san(&s, few));
        let names: Vec<GeneralName> = (0..100).map(|i| dns(&format!("n{i}.other"))).collect();
        assert!(matches!(
            s.check(&Name::default(), Some(&san(names))),
            Err(NcError::Limit(_))
        ));
        // names of unconstrained forms cost nothing
        let mails: Vec<GeneralName> = (0..100_000).map(|i| mail(&format!("u{i}@x.y"))).collect();
        assert!(ok_san(&s, mails));
    }

    #[test]
    fn errors_display() {
        assert!(NcError::Violation("x".into())
            .to_string()
            .contains("violation"));
        assert!(NcError::Malformed("x".into())
            .to_string()
            .contains("malformed"));
        assert!(NcError::Limit("x".into()).to_string().contains("limit"));
    }
}
