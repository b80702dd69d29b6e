//! Cross-site request and framing defences for every route (one middleware, [`guard`]).
//!
//! * **Origin check** on every state-changing request (any method but GET, HEAD, OPTIONS),
//!   HTML forms and JSON API alike (OWASP Cross-Site Request Forgery Prevention Cheat Sheet,
//!   "Verifying Origin with Standard Headers"). Browsers send `Origin` on every such request
//!   (Fetch §3.1.4 "Origin header", append a request `Origin` header); it must be the
//!   webmail's own origin, `http://` + `Host`. Without `Origin`, `Sec-Fetch-Site` (Fetch
//!   Metadata Request Headers §2.1) must be `same-origin` or `none`; without either, a
//!   `Referer` must be on the same origin. A request with none of the three comes from a
//!   non-browser client (the CLI, curl, tests), which no other web page can drive.
//! * **CSRF tokens**: every HTML form carries its session's token ([`csrf_field`]), checked
//!   with a constant-time comparison ([`csrf_ok`]); the login form, before any session, a
//!   token bound to a `mmhs_login_csrf` cookie.
//! * **Framing**: every response carries `Content-Security-Policy: frame-ancestors 'none'`
//!   (CSP Level 3 §6.4.2) and `X-Frame-Options: DENY` (RFC 7034), so no other page can
//!   overlay the webmail's buttons. The policy restricts nothing else: the extension puts its
//!   own frames and styles into the page.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::html::esc;
use crate::server::password::ct_eq;

/// The policy sent with every response.
pub(crate) const CSP: &str = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Name of the login form's CSRF cookie.
pub(crate) const LOGIN_CSRF_COOKIE: &str = "mmhs_login_csrf";

/// Stable code of a refused cross-origin request.
pub(crate) const CROSS_ORIGIN: &str = "csrf-cross-origin";
/// Stable code of a missing or wrong CSRF token.
pub(crate) const CSRF_TOKEN: &str = "csrf-token";

fn header_str<'a>(h: &'a HeaderMap, name: &header::HeaderName) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Whether a state-changing request comes from the webmail's own origin (module docs).
pub(crate) fn same_origin(h: &HeaderMap) -> bool {
    let host = header_str(h, &header::HOST);
    let own = |o: &str| {
        host.is_some_and(|host| {
            o.eq_ignore_ascii_case(&format!("http://{host}"))
                || o.eq_ignore_ascii_case(&format!("https://{host}"))
        })
    };
    if let Some(o) = h.get(header::ORIGIN) {
        return o.to_str().is_ok_and(own);
    }
    if let Some(site) = h.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    if let Some(r) = h.get(header::REFERER) {
        let Ok(r) = r.to_str() else { return false };
        let origin_part = r
            .find("://")
            .map(|i| {
                let rest = &r[i + 3..];
                let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                &r[..i + 3 + end]
            })
            .unwrap_or(r);
        return own(origin_part);
    }
    true
}

/// Constant-time check of a submitted CSRF token against the expected one.
pub(crate) fn csrf_ok(expected: &str, submitted: &str) -> bool {
    !expected.is_empty() && ct_eq(expected.as_bytes(), submitted.as_bytes())
}

/// The hidden form field carrying a CSRF token.
pub(crate) fn csrf_field(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(token)
    )
}

/// The value of a cookie of the request.
pub(crate) fn cookie(h: &HeaderMap, name: &str) -> Option<String> {
    for v in h.get_all(header::COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        for part in v.split(';') {
            if let Some((k, val)) = part.trim().split_once('=') {
                if k == name {
                    return Some(val.to_string());
                }
            }
        }
    }
    None
}

fn refuse(path: &str) -> Response {
    let message = "cross-origin request refused: state-changing requests must come from the webmail's own pages";
    if path.starts_with("/api/") {
        super::api::ApiError::new(StatusCode::FORBIDDEN, CROSS_ORIGIN, message).into_response()
    } else {
        (
            StatusCode::FORBIDDEN,
            super::html::page(
                "Refused",
                None,
                &format!(
                    "<main><h1>Request refused</h1><p class=\"err\" role=\"alert\">{} ({CROSS_ORIGIN})</p>\
<p><a href=\"/\">Back to the webmail</a></p></main>",
                    esc(message)
                ),
            ),
        )
            .into_response()
    }
}

/// The middleware: Origin check on state-changing requests, security headers on every
/// response.
pub(crate) async fn guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut resp = if !safe && !same_origin(req.headers()) {
        refuse(req.uri().path())
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn origin_rules() {
        let host = ("host", "127.0.0.1:8025");
        assert!(same_origin(&h(&[
            host,
            ("origin", "http://127.0.0.1:8025")
        ])));
        assert!(!same_origin(&h(&[
            host,
            ("origin", "http://127.0.0.1:9999")
        ])));
        assert!(!same_origin(&h(&[host, ("origin", "null")])));
        assert!(!same_origin(&h(&[("origin", "http://127.0.0.1:8025")])));
        assert!(!same_origin(&h(&[host, ("sec-fetch-site", "same-site")])));
        assert!(same_origin(&h(&[host, ("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&h(&[
            host,
            ("referer", "http://127.0.0.1:8025/compose")
        ])));
        assert!(!same_origin(&h(&[
            host,
            ("referer", "http://127.0.0.1:80250/x")
        ])));
        assert!(!same_origin(&h(&[
            host,
            ("referer", "http://127.0.0.1:9999/")
        ])));
        assert!(same_origin(&h(&[host])));
    }

    #[test]
    fn csrf_compare() {
        assert!(csrf_ok("abc", "abc"));
        assert!(!csrf_ok("abc", "abd"));
        assert!(!csrf_ok("", ""));
    }
}
