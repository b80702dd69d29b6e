//! Key downloads for the logged-in user: the demo PKI's PKCS#12 (key + certificate + CA,
//! password [`DEMO_P12_PASSWORD`]), the certificate and the trust anchor, so a newcomer can
//! import them into the extension's Settings. Only the logged-in user's own PKCS#12 is ever
//! served. Error codes: `auth-required`, `keys-unavailable` (404: no demo PKI, or none for
//! this user).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use super::api::ApiError;
use super::html::{esc, folders_of, nav, page};
use super::{WebSession, WebState};
use crate::server::pki::{UserKeyFiles, DEMO_P12_PASSWORD};

fn session(state: &WebState, headers: &HeaderMap) -> Result<WebSession, ApiError> {
    state.session(headers).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth-required",
            "log in first (POST /api/login)",
        )
    })
}

fn unavailable(what: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "keys-unavailable", what)
}

fn user_files<'a>(state: &'a WebState, s: &WebSession) -> Option<&'a UserKeyFiles> {
    state
        .pki
        .as_ref()?
        .users
        .iter()
        .find(|u| u.address.eq_ignore_ascii_case(&s.address))
}

async fn download(path: &std::path::Path, mime: &str, name: &str) -> Result<Response, ApiError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|_| unavailable("the file is not there"))?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/keys`: what can be downloaded.
pub(crate) async fn info(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = session(&state, &headers)?;
    let mine = user_files(&state, &s).filter(|u| u.p12.exists());
    Ok(Json(serde_json::json!({
        "address": s.address,
        "pkcs12": mine.map(|_| serde_json::json!({
            "url": "/api/keys/pkcs12",
            "filename": format!("{}.p12", s.address),
            "password": DEMO_P12_PASSWORD,
        })),
        "certificate": mine.map(|_| "/api/keys/certificate"),
        "trustAnchor": state.pki.as_ref().filter(|p| p.ca_cert.exists()).map(|_| "/api/keys/trust-anchor"),
    })))
}

/// `GET /api/keys/pkcs12`: the logged-in user's PKCS#12 (`application/x-pkcs12`).
pub(crate) async fn pkcs12(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    own_file(&state, &headers, |u| &u.p12, "application/x-pkcs12", "p12").await
}

/// `GET /api/keys/certificate`: the logged-in user's certificate (PEM).
pub(crate) async fn certificate(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    own_file(
        &state,
        &headers,
        |u| &u.cert,
        "application/x-pem-file",
        "cert.pem",
    )
    .await
}

/// Download one of the logged-in user's own demo key files as `<address>.<suffix>`.
async fn own_file(
    state: &WebState,
    headers: &HeaderMap,
    pick: fn(&UserKeyFiles) -> &std::path::PathBuf,
    mime: &str,
    suffix: &str,
) -> Result<Response, ApiError> {
    let s = session(state, headers)?;
    let u = user_files(state, &s).ok_or_else(|| unavailable("no demo key for this user"))?;
    download(pick(u), mime, &format!("{}.{suffix}", s.address)).await
}

/// `GET /api/keys/trust-anchor`: the demo root CA certificate (PEM).
pub(crate) async fn trust_anchor(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    session(&state, &headers)?;
    let p = state
        .pki
        .as_ref()
        .ok_or_else(|| unavailable("this server has no demo PKI"))?;
    download(&p.ca_cert, "application/x-pem-file", "mmhs-demo-ca.pem").await
}

/// `GET /keys`: the same as a page.
pub(crate) async fn page_handler(state: &WebState, s: &WebSession) -> Html<String> {
    let mine = user_files(state, s).filter(|u| u.p12.exists());
    let folders = folders_of(state, s).await;
    let body = match mine {
        Some(_) => format!(
            "<p>These are the demo keys made for <strong>{}</strong> when this server first ran. \
Import them in the MMHS extension: <em>Settings → Import a PKCS#12</em> with the password below, \
then <em>Trust anchors → add</em> the demo CA certificate.</p>\
<ul id=\"key-downloads\">\
<li><a id=\"download-pkcs12\" href=\"/api/keys/pkcs12\" download>Key and certificate (PKCS#12, .p12)</a> — \
password <code id=\"pkcs12-password\">{}</code></li>\
<li><a id=\"download-certificate\" href=\"/api/keys/certificate\" download>Certificate only (PEM)</a></li>\
<li><a id=\"download-trust-anchor\" href=\"/api/keys/trust-anchor\" download>Trust anchor: MMHS Demo Root CA (PEM)</a></li>\
</ul><p>Demo material only: the password is the same for every demo user.</p>",
            esc(&s.address),
            esc(DEMO_P12_PASSWORD)
        ),
        None => "<p>This server has no demo key for you (it was started without the demo PKI, \
or your account was added later).</p>"
            .to_string(),
    };
    page(
        "My keys",
        Some(s),
        &format!(
            "<div class=\"wrap\">{}<main><h1>My keys</h1>{body}</main></div>",
            nav(&folders, "")
        ),
    )
}

/// `GET /keys`.
pub(crate) async fn page_route(State(state): State<WebState>, headers: HeaderMap) -> Response {
    match state.session(&headers) {
        Some(s) => page_handler(&state, &s).await.into_response(),
        None => axum::response::Redirect::to("/login").into_response(),
    }
}
