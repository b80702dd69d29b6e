//! The reference webmail: server-rendered HTML ([`html`]) and a JSON API ([`api`]) on axum.
//! It knows nothing of MMHS: it stores, lists and moves messages, and submits every message
//! over SMTP (AUTH PLAIN with the logged-in user's credentials) to the submission agent.
//!
//! Sessions: `POST /login` or `POST /api/login` creates a random 256-bit token kept in
//! memory (with the password, needed for SMTP AUTH; never written to disk), returned as the
//! `mmhs_session` cookie (HttpOnly, SameSite=Strict) and, for the API, in the JSON body for
//! use as `Authorization: Bearer <token>`.

pub mod api;
pub mod html;
pub mod keys;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;

use super::agent::Agent;

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// Address.
    pub address: String,
    /// Display name.
    pub display_name: String,
    /// Password (for SMTP AUTH on the user's behalf; memory only).
    pub password: String,
    /// Release officer.
    pub officer: bool,
}

/// Shared web state.
#[derive(Clone)]
pub struct WebState {
    /// The agent (store, config).
    pub agent: Arc<Agent>,
    /// Where to submit.
    pub smtp_addr: SocketAddr,
    /// The demo PKI (key downloads), when the server made one.
    pub pki: Option<Arc<super::pki::DemoPki>>,
    sessions: Arc<Mutex<HashMap<String, WebSession>>>,
}

/// Cookie name.
pub const COOKIE: &str = "mmhs_session";

impl WebState {
    /// New state.
    pub fn new(agent: Arc<Agent>, smtp_addr: SocketAddr) -> WebState {
        WebState {
            agent,
            smtp_addr,
            pki: None,
            sessions: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// With the demo PKI (enables the key downloads).
    pub fn with_pki(mut self, pki: Option<super::pki::DemoPki>) -> WebState {
        self.pki = pki.map(Arc::new);
        self
    }

    /// Check credentials and open a session; returns the token.
    pub fn login(&self, address: &str, password: &str) -> Option<(String, WebSession)> {
        let u = self.agent.config.authenticate(address.trim(), password)?;
        let mut b = [0u8; 32];
        crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut b);
        let token: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let s = WebSession {
            address: u.address.clone(),
            display_name: u.display_name.clone(),
            password: password.to_string(),
            officer: u.officer,
        };
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), s.clone());
        Some((token, s))
    }

    /// End a session.
    pub fn logout(&self, headers: &HeaderMap) {
        if let Some(t) = token_of(headers) {
            self.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&t);
        }
    }

    /// The session of a request (cookie or bearer token).
    pub fn session(&self, headers: &HeaderMap) -> Option<WebSession> {
        let t = token_of(headers)?;
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&t)
            .cloned()
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
pub fn set_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict")
}

/// All routes.
pub fn router(state: WebState) -> Router {
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
        .with_state(state)
}
