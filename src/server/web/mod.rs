//! The reference webmail: server-rendered HTML ([`html`]) and a JSON API ([`api`]) on axum.
//! It knows nothing of MMHS: it stores, lists and moves messages, and submits every message
//! over SMTP to the submission agent.
//!
//! Sessions: `POST /login` or `POST /api/login` creates a random 256-bit token kept in
//! memory, returned as the `mmhs_session` cookie (HttpOnly, SameSite=Strict) and, for the
//! API, in the JSON body for use as `Authorization: Bearer <token>`. A session ends after
//! `sessionIdleSeconds` without use or `sessionMaxSeconds` after login (OWASP Session
//! Management Cheat Sheet, "Session Expiration"). It holds no password: SMTP AUTH on the
//! user's behalf uses a submission token (`crate::server::login_guard`) that dies with it.
//!
//! Cross-site requests ([`security`]): SameSite=Strict does not separate ports (RFC 6265bis,
//! "Same-site and Cross-site Requests": a site is scheme and registrable domain; RFC 6265
//! §8.5: cookies do not isolate by port), so every state-changing request must come from the
//! webmail's own origin, and every HTML form carries the session's CSRF token.

pub(crate) mod api;
pub(crate) mod html;
pub(crate) mod keys;
pub(crate) mod security;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;

use super::agent::Agent;
use super::config::AuthError;
use super::store::Store;

/// A logged-in user.
#[derive(Debug, Clone)]
pub(crate) struct WebSession {
    /// Address.
    pub address: String,
    /// Display name.
    pub display_name: String,
    /// Submission token for SMTP AUTH on the user's behalf (memory only; not the password).
    pub submission_token: String,
    /// Release officer.
    pub officer: bool,
    /// The session's CSRF token, in every HTML form it is shown.
    pub csrf: String,
}

struct SessionEntry {
    session: WebSession,
    created: Instant,
    last_seen: Instant,
}

/// Most sessions kept at once; the oldest goes when a login would exceed it.
const MAX_SESSIONS: usize = 10_000;

/// The client's address, when the server was started with connection info.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

pub(crate) fn random_hex32() -> String {
    let mut b = [0u8; 32];
    crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Shared web state.
#[derive(Clone)]
pub(crate) struct WebState {
    /// The agent (store, config).
    pub agent: Arc<Agent>,
    /// Where to submit.
    pub smtp_addr: SocketAddr,
    /// The demo PKI (key downloads), when the server made one.
    pub pki: Option<Arc<super::pki::DemoPki>>,
    sessions: Arc<Mutex<HashMap<String, SessionEntry>>>,
}

/// Cookie name.
pub(crate) const COOKIE: &str = "mmhs_session";

impl WebState {
    /// New state.
    pub(crate) fn new(agent: Arc<Agent>, smtp_addr: SocketAddr) -> WebState {
        WebState {
            agent,
            smtp_addr,
            pki: None,
            sessions: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// With the demo PKI (enables the key downloads).
    pub(crate) fn with_pki(mut self, pki: Option<super::pki::DemoPki>) -> WebState {
        self.pki = pki.map(Arc::new);
        self
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, SessionEntry>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn idle(&self) -> Duration {
        Duration::from_secs(self.agent.config.session_idle_seconds)
    }

    fn max_age(&self) -> Duration {
        Duration::from_secs(self.agent.config.session_max_seconds)
    }

    fn expired(&self, e: &SessionEntry, now: Instant) -> bool {
        now.duration_since(e.last_seen) >= self.idle()
            || now.duration_since(e.created) >= self.max_age()
    }

    /// Run `f` with the store on the agent's interactive share of the blocking pool
    /// ([`Agent::interactive`]): SQLite calls wait for the store's lock and for disk, which
    /// must not stall the async runtime. A failure of the pool is an error (fail closed).
    pub(crate) async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, super::Error> + Send + 'static,
    ) -> Result<T, super::Error> {
        let store = self.agent.store.clone();
        self.blocking(move || f(&store)).await
    }

    /// Run `f` on the agent's interactive share of the blocking pool
    /// ([`Agent::interactive`]): a request's work that grows with its body — parsing a JSON
    /// body or an HTML form of up to [`body_limit`] octets, decoding the message it carries,
    /// building the message of a compose form — must not stall the async runtime. A failure of the pool is an error (fail closed).
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, super::Error> + Send + 'static,
    ) -> Result<T, super::Error> {
        self.agent.interactive(f).await
    }

    /// [`WebState::login`] on the agent's password share of the blocking pool
    /// ([`Agent::password_check`]): the password hash (Argon2id, RFC 9106) is deliberately
    /// expensive and must not stall the async runtime. A failure of the pool itself is an
    /// invalid login (fail closed).
    pub(crate) async fn login_blocking(
        &self,
        address: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<(String, WebSession), AuthError> {
        let (st, address, password) = (self.clone(), address.to_string(), password.to_string());
        self.agent
            .password_check(move || Ok(st.login(&address, &password, client)))
            .await
            .unwrap_or(Err(AuthError::Invalid))
    }

    /// Check credentials (under the lockout policy) and open a session; returns the token.
    pub(crate) fn login(
        &self,
        address: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<(String, WebSession), AuthError> {
        let cfg = &self.agent.config;
        let u = cfg.authenticate_from(address.trim(), password, client)?;
        let token = random_hex32();
        let s = WebSession {
            address: u.address.clone(),
            display_name: u.display_name.clone(),
            submission_token: cfg.guard.issue_submission_token(&u.address, self.max_age()),
            officer: u.officer,
            csrf: random_hex32(),
        };
        let now = Instant::now();
        let mut sessions = self.sessions();
        let dead: Vec<String> = sessions
            .iter()
            .filter(|(_, e)| self.expired(e, now))
            .map(|(k, _)| k.clone())
            .collect();
        for k in dead {
            if let Some(e) = sessions.remove(&k) {
                cfg.guard
                    .revoke_submission_token(&e.session.submission_token);
            }
        }
        if sessions.len() >= MAX_SESSIONS {
            let oldest = sessions
                .iter()
                .min_by_key(|(_, e)| e.created)
                .map(|(k, _)| k.clone());
            if let Some(e) = oldest.and_then(|k| sessions.remove(&k)) {
                cfg.guard
                    .revoke_submission_token(&e.session.submission_token);
            }
        }
        sessions.insert(
            token.clone(),
            SessionEntry {
                session: s.clone(),
                created: now,
                last_seen: now,
            },
        );
        Ok((token, s))
    }

    /// End a session.
    pub(crate) fn logout(&self, headers: &HeaderMap) {
        if let Some(t) = token_of(headers) {
            if let Some(e) = self.sessions().remove(&t) {
                self.agent
                    .config
                    .guard
                    .revoke_submission_token(&e.session.submission_token);
            }
        }
    }

    /// The session of a request (cookie or bearer token), if it has not expired.
    pub(crate) fn session(&self, headers: &HeaderMap) -> Option<WebSession> {
        let t = token_of(headers)?;
        let now = Instant::now();
        let mut sessions = self.sessions();
        let e = sessions.get_mut(&t)?;
        if self.expired(e, now) {
            if let Some(e) = sessions.remove(&t) {
                self.agent
                    .config
                    .guard
                    .revoke_submission_token(&e.session.submission_token);
            }
            return None;
        }
        e.last_seen = now;
        Some(e.session.clone())
    }
}

fn token_of(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    for v in headers.get_all(axum::http::header::COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        for part in v.split(';') {
            if let Some((k, val)) = part.trim().split_once('=') {
                if k == COOKIE {
                    return Some(val.to_string());
                }
            }
        }
    }
    None
}

/// `Set-Cookie` value for a token.
pub(crate) fn set_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict")
}

/// The largest request body: the configured message size (`maxMessageSize`, the SMTP SIZE
/// too) as base64 (4/3), plus room for the JSON envelope.
pub(crate) fn body_limit(max_message_size: usize) -> usize {
    max_message_size
        .saturating_add(2)
        .saturating_div(3)
        .saturating_mul(4)
        .saturating_add(64 * 1024)
}

/// The largest body (JSON or HTML form) read from a request without a session (the
/// address and password of `POST /api/login` or `POST /login`, or a request that will be
/// refused `auth-required` or sent to the login page): the body limit of [`body_limit`] is
/// for logged-in users only.
pub(crate) const ANONYMOUS_BODY_LIMIT: usize = 64 * 1024;

/// Why a request body was not parsed ([`parse_body`]).
#[derive(Debug)]
pub(crate) enum BodyRefused {
    /// Its `Content-Type` is not the one the route reads.
    MediaType,
    /// A request without a session carried more than [`ANONYMOUS_BODY_LIMIT`] octets.
    Anonymous,
    /// A logged-in user's request carried more than [`body_limit`] octets.
    TooLarge,
    /// It could not be read (the client broke off) or did not parse: status and reason.
    Invalid(axum::http::StatusCode, String),
    /// The blocking pool failed (fail closed).
    Internal(super::Error),
}

/// A parser of a body: its value, or the status and reason of its refusal.
pub(crate) type BodyParser<T> = fn(&[u8]) -> Result<T, (axum::http::StatusCode, String)>;

/// The body of a request, parsed — by the JSON API ([`api::ApiJson`]) and the HTML forms
/// ([`html::WebForm`]) alike. Its media type must pass `media_type_ok`; it is read whole,
/// with a session at most [`body_limit`] octets (the router's `DefaultBodyLimit`), without
/// one at most [`ANONYMOUS_BODY_LIMIT`] (nobody who has not logged in makes the server read
/// and parse megabytes); then `parse` runs on the webmail's share of the blocking pool
/// ([`WebState::blocking`]): a body of tens of megabytes takes a parser long enough to stall
/// every other request if it ran on the async runtime.
pub(crate) async fn parse_body<T: Send + 'static>(
    req: axum::extract::Request,
    state: &WebState,
    media_type_ok: fn(&str) -> bool,
    parse: BodyParser<T>,
) -> Result<T, BodyRefused> {
    use axum::extract::FromRequest;
    if !media_type_ok(&body_media_type(req.headers())) {
        return Err(BodyRefused::MediaType);
    }
    let body = if state.session(req.headers()).is_none() {
        // A body cut short by its client gets the same answer, which nobody reads.
        axum::body::to_bytes(req.into_body(), ANONYMOUS_BODY_LIMIT)
            .await
            .map_err(|_| BodyRefused::Anonymous)?
    } else {
        match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(r) if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(BodyRefused::TooLarge)
            }
            Err(r) => return Err(BodyRefused::Invalid(r.status(), r.body_text())),
        }
    };
    match state.blocking(move || Ok(parse(&body))).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err((status, text))) => Err(BodyRefused::Invalid(status, text)),
        Err(e) => Err(BodyRefused::Internal(e)),
    }
}

/// The media type of a request's body (`Content-Type`, RFC 9110 §8.3), lower case without
/// parameters; empty when there is none.
pub(crate) fn body_media_type(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| crate::mime::entity::media_type(ct).mime)
        .unwrap_or_default()
}

/// All routes.
pub(crate) fn router(state: WebState) -> Router {
    let limit = body_limit(state.agent.config.max_message_size);
    Router::new()
        .route("/", get(html::index))
        .route("/login", get(html::login_form).post(html::login))
        .route("/logout", post(html::logout))
        .route("/folder/{name}", get(html::folder))
        .route("/message/{id}", get(html::message))
        .route("/message/{id}/raw", get(api::raw))
        .route("/message/{id}/move", post(html::move_message))
        .route("/message/{id}/delete", post(html::delete_message))
        .route("/compose", get(html::compose_form).post(html::compose))
        .route("/keys", get(keys::page_route))
        .route("/api/keys", get(keys::info))
        .route("/api/keys/pkcs12", get(keys::pkcs12))
        .route("/api/keys/certificate", get(keys::certificate))
        .route("/api/keys/trust-anchor", get(keys::trust_anchor))
        .route("/api/login", post(api::login))
        .route("/api/logout", post(api::logout))
        .route("/api/me", get(api::me))
        .route("/api/folders", get(api::folders))
        .route(
            "/api/folders/{name}/messages",
            get(api::list).post(api::append),
        )
        .route(
            "/api/messages/{id}",
            get(api::get_message).delete(api::delete),
        )
        .route("/api/messages/{id}/raw", get(api::raw))
        .route("/api/messages/{id}/move", post(api::move_message))
        .route("/api/send", post(api::send))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(security::guard))
        .with_state(state)
}
