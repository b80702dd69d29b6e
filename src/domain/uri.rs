//! `smtp:` and `submit:` URIs (draft-melnikov-smime-msa-to-mda-04 §6.1, §6.2).
//!
//! ```text
//! smtpuri   = "smtp://"   authority ["/" ["?" query]]   ; port defaults to 25
//! submituri = "submit://" authority ["/" ["?" query]]   ; port defaults to 587
//! authority = [ userinfo "@" ] host [ ":" port ]        ; RFC 3986 §3.2
//! ```
//! SMTP user names are UTF-8 and percent-encoded (RFC 3986 §2.1). The query component is
//! reserved for future extensions (§6.1); we keep it and give meaning to one parameter of our
//! own, `tls` ([`TlsRequirement`]: `tls=required`, `tls=opportunistic`, `tls=none`), which a
//! relay URI uses to say whether STARTTLS (RFC 3207) must succeed. Other parameters are kept
//! and ignored.
//! Pure function, no I/O: the server reads its relay from such a URI, and
//! [`super::naming`] reads the agent names of a certificate's subjectAltName with it (§2.6).

use std::fmt;

/// Which registered scheme the URI used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `smtp://` — an SMTP relay/MTA (RFC 5321), default port 25.
    Smtp,
    /// `submit://` — a Submission server (RFC 6409), default port 587.
    Submit,
}

impl Scheme {
    /// The scheme name as written in URIs (`smtp`, `submit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Smtp => "smtp",
            Scheme::Submit => "submit",
        }
    }

    /// The port used when the URI has none (§6.1: 25, §6.2: 587).
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Smtp => 25,
            Scheme::Submit => 587,
        }
    }
}

/// A parsed `smtp:` / `submit:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailUri {
    /// The scheme.
    pub scheme: Scheme,
    /// The user name from the userinfo, percent-decoded (UTF-8), if any.
    pub user: Option<String>,
    /// Host: a reg-name (lower-cased), an IPv4 address, or an IPv6 address without brackets.
    pub host: String,
    /// Port (explicit, or the scheme's default).
    pub port: u16,
    /// Whether the port was written in the URI.
    pub explicit_port: bool,
    /// The raw query, if any (reserved by the spec; only `tls` is interpreted).
    pub query: Option<String>,
    /// The `tls` parameter of the query (absent ⇒ [`TlsRequirement::Opportunistic`]).
    pub tls: TlsRequirement,
}

/// What a client connecting to the URI's server does about STARTTLS (RFC 3207).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsRequirement {
    /// `tls=none`: never start TLS.
    None,
    /// `tls=opportunistic` (the default): start TLS when the server offers it, without
    /// authenticating it (RFC 7435); go on in cleartext when it does not.
    #[default]
    Opportunistic,
    /// `tls=required`: TLS must be negotiated and the server's certificate verified; a server
    /// that does not offer STARTTLS is a temporary failure (RFC 3207 §4.1: the client may
    /// decide not to send).
    Required,
}

impl TlsRequirement {
    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsRequirement::None => "none",
            TlsRequirement::Opportunistic => "opportunistic",
            TlsRequirement::Required => "required",
        }
    }
}

impl MailUri {
    /// `host:port` suitable for `TcpStream::connect` (IPv6 literals bracketed).
    pub fn socket_addr_string(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for MailUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}",
            self.scheme.as_str(),
            self.socket_addr_string()
        )?;
        if self.tls != TlsRequirement::Opportunistic {
            write!(f, "/?tls={}", self.tls.as_str())?;
        }
        Ok(())
    }
}

/// Why a URI was refused. Code: `uri-invalid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid smtp:/submit: URI: {0}")]
pub struct UriError(pub String);

impl UriError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        "uri-invalid"
    }
}

fn err(m: impl Into<String>) -> UriError {
    UriError(m.into())
}

/// Parse an `smtp://` or `submit://` URI (scheme case-insensitive, RFC 3986 §3.1).
pub fn parse_mail_uri(input: &str) -> Result<MailUri, UriError> {
    if input.len() > 2048 {
        return Err(err("URI too long"));
    }
    if input
        .bytes()
        .any(|b| b.is_ascii_control() || b == b' ' || b >= 0x80)
    {
        return Err(err("URI contains spaces, control or non-ASCII characters"));
    }
    let (scheme_str, rest) = input
        .split_once("://")
        .ok_or_else(|| err("expected smtp://host[:port] or submit://host[:port]"))?;
    let scheme = if scheme_str.eq_ignore_ascii_case("smtp") {
        Scheme::Smtp
    } else if scheme_str.eq_ignore_ascii_case("submit") {
        Scheme::Submit
    } else {
        return Err(err(format!("unknown scheme {scheme_str:?}")));
    };
    // authority ends at the first "/", "?" or "#".
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let query = parse_tail(tail)?;
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let user = match userinfo {
        Some(u) => {
            // userinfo = user [":" password]; a password in a URI is deprecated (RFC 3986 §3.2.1)
            let name = u.split(':').next().unwrap_or("");
            if name.is_empty() {
                return Err(err("empty user name"));
            }
            Some(percent_decode(name)?)
        }
        None => None,
    };
    let (host, port_str) = split_host_port(hostport)?;
    if host.is_empty() {
        return Err(err("missing host"));
    }
    let (port, explicit_port) = match port_str {
        None | Some("") => (scheme.default_port(), false),
        Some(p) => {
            if !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 5 {
                return Err(err(format!("bad port {p:?}")));
            }
            let n: u32 = p.parse().map_err(|_| err(format!("bad port {p:?}")))?;
            if n == 0 || n > 65535 {
                return Err(err(format!("port {n} out of range")));
            }
            (n as u16, true)
        }
    };
    let tls = tls_parameter(query.as_deref())?;
    Ok(MailUri {
        scheme,
        user,
        host,
        port,
        explicit_port,
        query,
        tls,
    })
}

/// The `tls` parameter of a query (`name=value` pairs separated by `&`): at most once, one of
/// `none`, `opportunistic`, `required` (case-insensitive).
fn tls_parameter(query: Option<&str>) -> Result<TlsRequirement, UriError> {
    let mut found = None;
    for pair in query.unwrap_or("").split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !name.eq_ignore_ascii_case("tls") {
            continue;
        }
        if found.is_some() {
            return Err(err("the tls parameter is given more than once"));
        }
        found = Some(match value.to_ascii_lowercase().as_str() {
            "none" => TlsRequirement::None,
            "opportunistic" => TlsRequirement::Opportunistic,
            "required" => TlsRequirement::Required,
            other => {
                return Err(err(format!(
                    "tls={other:?}: expected none, opportunistic or required"
                )))
            }
        });
    }
    Ok(found.unwrap_or_default())
}

fn parse_tail(tail: &str) -> Result<Option<String>, UriError> {
    if tail.is_empty() {
        return Ok(None);
    }
    if tail.contains('#') {
        return Err(err("fragments are not allowed"));
    }
    // ["/" ["?" query]]: only an empty path is allowed.
    let after_slash = tail.strip_prefix('/').unwrap_or(tail);
    if after_slash.is_empty() {
        return Ok(None);
    }
    match after_slash.strip_prefix('?') {
        Some(q) => Ok(Some(q.to_string())),
        None => Err(err("smtp:/submit: URIs have no path")),
    }
}

fn split_host_port(hostport: &str) -> Result<(String, Option<&str>), UriError> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| err("unterminated IPv6 literal"))?;
        v6.parse::<std::net::Ipv6Addr>()
            .map_err(|_| err(format!("bad IPv6 literal {v6:?}")))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| err("garbage after IPv6 literal"))?,
            ),
        };
        return Ok((v6.to_string(), port));
    }
    let (host, port) = match hostport.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (hostport, None),
    };
    // reg-name: unreserved / pct-encoded / sub-delims; we accept DNS-style names and IPv4.
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return Err(err(format!("bad host {host:?}")));
    }
    Ok((host.to_ascii_lowercase(), port))
}

fn percent_decode(s: &str) -> Result<String, UriError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'%') => {
                let hex = s
                    .get(i + 1..i + 3)
                    .ok_or_else(|| err("truncated percent-encoding"))?;
                let v = u8::from_str_radix(hex, 16)
                    .map_err(|_| err(format!("bad percent-encoding %{hex}")))?;
                out.push(v);
                i += 3;
            }
            Some(&b) => {
                out.push(b);
                i += 1;
            }
            None => break,
        }
    }
    String::from_utf8(out).map_err(|_| err("user name is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports() {
        let u = parse_mail_uri("smtp://mx.example.net").unwrap();
        assert_eq!(
            (u.scheme, u.port, u.explicit_port),
            (Scheme::Smtp, 25, false)
        );
        let u = parse_mail_uri("submit://msa.example.net/").unwrap();
        assert_eq!((u.scheme, u.port), (Scheme::Submit, 587));
        assert_eq!(u.host, "msa.example.net");
    }

    #[test]
    fn explicit_port_user_and_query() {
        let u = parse_mail_uri("SUBMIT://J%C3%B6rg@MSA.Example.NET:2525/?x=1").unwrap();
        assert_eq!(u.user.as_deref(), Some("Jörg"));
        assert_eq!(u.host, "msa.example.net");
        assert_eq!(u.port, 2525);
        assert!(u.explicit_port);
        assert_eq!(u.query.as_deref(), Some("x=1"));
        assert_eq!(u.socket_addr_string(), "msa.example.net:2525");
    }

    #[test]
    fn tls_parameter() {
        let u = parse_mail_uri("smtp://127.0.0.1:2525/?tls=required").unwrap();
        assert_eq!(u.tls, TlsRequirement::Required);
        assert_eq!(u.to_string(), "smtp://127.0.0.1:2525/?tls=required");
        let u = parse_mail_uri("smtp://mx.example?x=1&TLS=None").unwrap();
        assert_eq!(u.tls, TlsRequirement::None);
        let u = parse_mail_uri("smtp://mx.example/?x=1").unwrap();
        assert_eq!(u.tls, TlsRequirement::Opportunistic);
        assert_eq!(u.to_string(), "smtp://mx.example:25");
        // A downgrade cannot hide behind a second parameter, nor an unknown value pass.
        for bad in [
            "smtp://mx.example/?tls=required&tls=none",
            "smtp://mx.example/?tls=yes",
            "smtp://mx.example/?tls",
        ] {
            assert_eq!(
                parse_mail_uri(bad).unwrap_err().code(),
                "uri-invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn ip_literals() {
        let u = parse_mail_uri("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(u.socket_addr_string(), "127.0.0.1:2525");
        let u = parse_mail_uri("smtp://[::1]:26").unwrap();
        assert_eq!(u.host, "::1");
        assert_eq!(u.socket_addr_string(), "[::1]:26");
        let u = parse_mail_uri("submit://[::1]").unwrap();
        assert_eq!(u.port, 587);
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "http://x",
            "smtp:x",
            "smtp://",
            "smtp://host:0",
            "smtp://host:65536",
            "smtp://host:ab",
            "smtp://host/path",
            "smtp://host#frag",
            "smtp://ho st",
            "smtp://[::1",
            "smtp://%zz@host",
            "smtp://@host",
        ] {
            let e = parse_mail_uri(bad).unwrap_err();
            assert_eq!(e.code(), "uri-invalid", "{bad}");
        }
    }
}
