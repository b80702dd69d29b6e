//! The webmail's JSON API (see docs/server.md for the full contract).
//!
//! Errors are `{"code": "...", "message": "..."}` with codes `auth-required`,
//! `auth-failed`, `not-found`, `bad-request`, `raw-invalid`, `envelope-invalid`,
//! `smtp-rejected`, `smtp-unavailable`, `server-db`, `auth-locked`, `message-too-large`,
//! `csrf-cross-origin`. A server fault is logged and answered with its code only.

use std::time::Duration;

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{set_cookie, BodyRefused, ClientAddr, WebSession, WebState};
use crate::fields::mt_priority::MtPriority;
use crate::server::config::AuthError;
use crate::server::smtp::client::{self, ClientError, OutEnvelope, Reply};
use crate::server::smtp::{DeliverBy, Notify, Recipient};
use crate::server::store::folders;
use crate::server::tls::RelayTls;

/// An API error.
#[derive(Debug)]
pub(crate) struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// Message.
    pub message: String,
    /// SMTP reply, for `smtp-rejected`.
    pub reply: Option<Reply>,
}

impl ApiError {
    /// New error.
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            reply: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "code": self.code,
            "message": self.message,
            "smtpReply": self.reply,
        });
        (self.status, Json(body)).into_response()
    }
}

impl From<crate::server::Error> for ApiError {
    fn from(e: crate::server::Error) -> Self {
        eprintln!("mmhs serve: webmail API: {e}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.code(),
            "internal server error",
        )
    }
}

/// Stable code of a request body or message above the configured maximum.
pub(crate) const TOO_LARGE: &str = "message-too-large";

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        TOO_LARGE,
        "message larger than the configured maximum size (maxMessageSize)",
    )
}

/// A JSON request body, read as `axum::Json` reads it (`Content-Type: application/json` or
/// `+json`, at most [`super::body_limit`] octets; without a session, at most
/// [`super::ANONYMOUS_BODY_LIMIT`]: nobody who has not logged in makes the server read and
/// parse megabytes) and parsed on the webmail's share of the blocking pool
/// ([`WebState::blocking`]): a body of tens of megabytes (a 20 MiB message in base64) takes
/// the parser long enough to stall every other request if it ran on the async runtime.
/// Rejections are API errors: `message-too-large` (413) for a body above its limit,
/// `bad-request` otherwise.
pub(crate) struct ApiJson<T>(pub T);

impl<T> FromRequest<WebState> for ApiJson<T>
where
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let parse = |b: &[u8]| {
            axum::Json::<T>::from_bytes(b)
                .map(|Json(v)| v)
                .map_err(|r| (r.status(), r.body_text()))
        };
        match super::parse_body(req, state, json_media_type, parse).await {
            Ok(v) => Ok(ApiJson(v)),
            Err(BodyRefused::MediaType) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "bad-request",
                "Expected request with `Content-Type: application/json`",
            )),
            Err(BodyRefused::Anonymous) => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                TOO_LARGE,
                format!(
                    "a request without a session carries at most {} KiB: log in first",
                    super::ANONYMOUS_BODY_LIMIT / 1024
                ),
            )),
            Err(BodyRefused::TooLarge) => Err(too_large()),
            Err(BodyRefused::Invalid(status, text)) => {
                Err(ApiError::new(status, "bad-request", text))
            }
            Err(BodyRefused::Internal(e)) => Err(e.into()),
        }
    }
}

/// Whether a body's media type is JSON (RFC 8259 §11 `application/json`, or a structured
/// syntax suffix `+json`, RFC 6839 §3.1), as `axum::Json` requires.
fn json_media_type(mime: &str) -> bool {
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn auth(state: &WebState, headers: &HeaderMap) -> Result<WebSession, ApiError> {
    state.session(headers).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth-required",
            "log in first (POST /api/login)",
        )
    })
}

/// `POST /api/login` body.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginRequest {
    /// Address.
    pub address: String,
    /// Password.
    pub password: String,
}

/// `POST /api/login`.
pub(crate) async fn login(
    State(state): State<WebState>,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let (token, s) = match state
        .login_blocking(&req.address, &req.password, client)
        .await
    {
        Ok(x) => x,
        Err(e @ AuthError::Invalid) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                e.code(),
                "wrong address or password",
            ))
        }
        Err(e @ AuthError::Locked(wait)) => {
            let secs = wait.as_secs().max(1);
            let mut r = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                e.code(),
                format!("too many failed logins: try again in {secs} s"),
            )
            .into_response();
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(r);
        }
    };
    let body = serde_json::json!({
        "token": token,
        "address": s.address,
        "displayName": s.display_name,
        "officer": s.officer,
    });
    Ok(([(header::SET_COOKIE, set_cookie(&token))], Json(body)).into_response())
}

/// `POST /api/logout`.
pub(crate) async fn logout(State(state): State<WebState>, headers: HeaderMap) -> StatusCode {
    state.logout(&headers);
    StatusCode::NO_CONTENT
}

/// `GET /api/me`.
pub(crate) async fn me(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = auth(&state, &headers)?;
    Ok(Json(serde_json::json!({
        "address": s.address,
        "displayName": s.display_name,
        "officer": s.officer,
    })))
}

/// `GET /api/folders`.
pub(crate) async fn folders(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = auth(&state, &headers)?;
    let (address, officer) = (s.address.clone(), s.officer);
    let f = state
        .with_store(move |st| st.folders(&address, officer))
        .await?;
    Ok(Json(serde_json::json!({ "folders": f })))
}

/// `GET /api/folders/{name}/messages`.
pub(crate) async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = auth(&state, &headers)?;
    let (address, folder) = (s.address.clone(), name.clone());
    let m = state
        .with_store(move |st| st.list(&address, &folder))
        .await?;
    Ok(Json(serde_json::json!({ "folder": name, "messages": m })))
}

/// `POST /api/folders/{name}/messages` body: store a message without sending it (IMAP
/// APPEND's job: drafts, imports, test fixtures such as a deliberately altered copy).
#[derive(Debug, Deserialize)]
pub(crate) struct AppendRequest {
    /// The message: text (default) or base64 per `encoding`.
    pub raw: String,
    /// `"text"` (default) or `"base64"`.
    #[serde(default)]
    pub encoding: Option<String>,
}

fn decode_raw(raw: String, encoding: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let bytes = match encoding.unwrap_or("text") {
        "text" => raw.into_bytes(),
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "raw-invalid",
                    format!("raw is not base64: {e}"),
                )
            })?,
        o => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "raw-invalid",
                format!("encoding must be text or base64, not {o}"),
            ))
        }
    };
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "raw-invalid",
            "empty message",
        ));
    }
    Ok(bytes)
}

/// [`decode_raw`] on the webmail's share of the blocking pool ([`WebState::blocking`]): a
/// message of up to `maxMessageSize` octets is decoded off the async runtime.
async fn decode_raw_blocking(
    state: &WebState,
    raw: String,
    encoding: Option<String>,
) -> Result<Vec<u8>, ApiError> {
    state
        .blocking(move || Ok(decode_raw(raw, encoding.as_deref())))
        .await?
}

/// `POST /api/folders/{name}/messages`: append a message to one of the user's folders.
pub(crate) async fn append(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    ApiJson(req): ApiJson<AppendRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let s = auth(&state, &headers)?;
    if !valid_folder(&name) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "invalid folder name",
        ));
    }
    let raw = decode_raw_blocking(&state, req.raw, req.encoding).await?;
    if raw.len() > state.agent.config.max_message_size {
        return Err(too_large());
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let address = s.address.clone();
    let id = state
        .with_store(move |st| st.put(&address, &name, &raw, None, now))
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

/// `GET /api/messages/{id}`.
pub(crate) async fn get_message(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = auth(&state, &headers)?;
    let address = s.address.clone();
    let m = state
        .with_store(move |st| st.get(&address, id))
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not-found", "no such message"))?;
    let v = serde_json::to_value(&m.summary)
        .map_err(|e| crate::server::Error::Io(format!("summary JSON: {e}")))?;
    Ok(Json(v))
}

/// `GET /api/messages/{id}/raw` (and `/message/{id}/raw`): the exact stored bytes.
pub(crate) async fn raw(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let s = auth(&state, &headers)?;
    let address = s.address.clone();
    let m = state
        .with_store(move |st| st.get(&address, id))
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not-found", "no such message"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"message-{id}.eml\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        m.raw,
    )
        .into_response())
}

/// `POST /api/messages/{id}/move` body.
#[derive(Debug, Deserialize)]
pub(crate) struct MoveRequest {
    /// Target folder.
    pub folder: String,
}

/// Validate a folder name (1..64 printable characters, no `/`).
pub(crate) fn valid_folder(f: &str) -> bool {
    !f.is_empty() && f.len() <= 64 && f.chars().all(|c| !c.is_control() && c != '/')
}

/// `POST /api/messages/{id}/move`.
pub(crate) async fn move_message(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<MoveRequest>,
) -> Result<StatusCode, ApiError> {
    let s = auth(&state, &headers)?;
    if !valid_folder(&req.folder) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "invalid folder name",
        ));
    }
    let address = s.address.clone();
    if state
        .with_store(move |st| st.move_to(&address, id, &req.folder))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no such message",
        ))
    }
}

/// `DELETE /api/messages/{id}`.
pub(crate) async fn delete(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let s = auth(&state, &headers)?;
    let address = s.address.clone();
    if state.with_store(move |st| st.delete(&address, id)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no such message",
        ))
    }
}

/// One or several NOTIFY keywords.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum NotifyValue {
    /// `["SUCCESS", "FAILURE"]`.
    List(Vec<String>),
    /// `"SUCCESS,FAILURE"`.
    One(String),
}

/// BY as the SMTP value `"125;R"` or an object.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum ByValue {
    /// `"125;R"`, `"-10;NT"`.
    Text(String),
    /// `{ "seconds": 125, "mode": "R", "trace": false }`, or compose's `DeliverBy`
    /// `{ "seconds", "mode": "return"|"notify", "trace", "deadline": RFC 3339 }`.
    Object {
        /// Relative seconds.
        #[serde(alias = "time", alias = "byTime")]
        seconds: i64,
        /// `"R"` / `"return"` or `"N"` / `"notify"`.
        mode: String,
        /// Trace.
        #[serde(default)]
        trace: bool,
        /// Absolute deadline (RFC 3339): when given, the by-time is recomputed from it at
        /// submission (a message released later keeps its deadline, RFC 2852 §4).
        #[serde(default)]
        deadline: Option<String>,
    },
}

/// MAIL FROM parameters (compose's `Envelope.mailParams`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MailParams {
    /// ENVID.
    pub envid: Option<String>,
    /// `"FULL"` / `"HDRS"`.
    pub ret: Option<String>,
    /// BY.
    pub by: Option<ByValue>,
    /// HOLDUNTIL, RFC 3339 UTC (`2026-11-23T15:00:00Z`).
    pub hold_until: Option<String>,
    /// HOLDFOR seconds.
    pub hold_for: Option<u64>,
    /// MT-PRIORITY -9..9.
    pub mt_priority: Option<i64>,
}

/// One recipient (compose's `Envelope.rcpts[]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RcptSpec {
    /// Address.
    pub address: String,
    /// NOTIFY.
    pub notify: Option<NotifyValue>,
    /// ORCPT address (`rfc822;` prefix optional).
    pub orcpt: Option<String>,
}

/// The SMTP envelope (compose's `Envelope` serde shape).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvelopeSpec {
    /// Reverse-path.
    pub mail_from: String,
    /// MAIL parameters.
    #[serde(default)]
    pub mail_params: MailParams,
    /// Recipients.
    pub rcpts: Vec<RcptSpec>,
}

/// `POST /api/send` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendRequest {
    /// The message: text (default) or base64 per `encoding`.
    pub raw: String,
    /// `"text"` (default) or `"base64"`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// The envelope.
    pub envelope: EnvelopeSpec,
    /// Store a copy in Sent (default true).
    #[serde(default)]
    pub save_sent: Option<bool>,
}

fn bad_env(m: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "envelope-invalid", m)
}

fn clean_addr(a: &str) -> Result<String, ApiError> {
    let a = a.trim().trim_start_matches('<').trim_end_matches('>');
    if a.len() > 254
        || a.chars()
            .any(|c| c.is_control() || c == ' ' || c == '<' || c == '>')
    {
        return Err(bad_env(format!("invalid address {a:?}")));
    }
    Ok(a.to_string())
}

/// Convert the JSON envelope into what the SMTP client sends.
pub(crate) fn to_out_envelope(e: &EnvelopeSpec, raw: &[u8]) -> Result<OutEnvelope, ApiError> {
    let mp = &e.mail_params;
    let ret_full = match mp.ret.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None => None,
        Some("FULL") => Some(true),
        Some("HDRS") => Some(false),
        Some(o) => return Err(bad_env(format!("ret must be FULL or HDRS, not {o}"))),
    };
    let mt_priority = match mp.mt_priority {
        None => None,
        Some(p) => Some(
            i8::try_from(p)
                .ok()
                .and_then(|p| MtPriority::new(p).ok())
                .map(MtPriority::value)
                .ok_or_else(|| bad_env("mtPriority must be -9..9"))?,
        ),
    };
    let by = match &mp.by {
        None => None,
        Some(ByValue::Text(t)) => {
            let (secs, mode) = t
                .split_once(';')
                .ok_or_else(|| bad_env("by must look like \"125;R\""))?;
            let seconds: i64 = secs.trim().parse().map_err(|_| bad_env("bad by-time"))?;
            let mode = mode.trim().to_ascii_uppercase();
            Some(by_of(seconds, &mode)?)
        }
        Some(ByValue::Object {
            seconds,
            mode,
            trace,
            deadline,
        }) => {
            let mode = match mode.to_ascii_lowercase().as_str() {
                "r" | "return" => "R",
                "n" | "notify" => "N",
                _ => return Err(bad_env("by mode must be R (return) or N (notify)")),
            };
            let m = format!("{mode}{}", if *trace { "T" } else { "" });
            let seconds = match deadline {
                None => *seconds,
                Some(d) => {
                    let d = time::OffsetDateTime::parse(
                        d,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .map_err(|_| bad_env("by.deadline must be an RFC 3339 date-time"))?;
                    (d - time::OffsetDateTime::now_utc()).whole_seconds()
                }
            };
            Some(by_of(seconds, &m)?)
        }
    };
    if mp.hold_for.is_some() && mp.hold_until.is_some() {
        return Err(bad_env("give only one of holdFor and holdUntil"));
    }
    if let Some(h) = &mp.hold_until {
        time::OffsetDateTime::parse(h, &time::format_description::well_known::Rfc3339)
            .map_err(|_| bad_env("holdUntil must be an RFC 3339 date-time"))?;
    }
    if let Some(id) = &mp.envid {
        if id.is_empty() || id.len() > 100 || id.chars().any(|c| c.is_control()) {
            return Err(bad_env("envid must be 1..100 printable characters"));
        }
    }
    let mut rcpts = Vec::new();
    for r in &e.rcpts {
        let mut n = Notify::default();
        if let Some(v) = &r.notify {
            let words: Vec<String> = match v {
                NotifyValue::List(l) => l.clone(),
                NotifyValue::One(s) => s.split(',').map(str::to_string).collect(),
            };
            n.explicit = true;
            for w in words {
                match w.trim().to_ascii_uppercase().as_str() {
                    "NEVER" => n.never = true,
                    "SUCCESS" => n.success = true,
                    "FAILURE" => n.failure = true,
                    "DELAY" => n.delay = true,
                    o => return Err(bad_env(format!("unknown NOTIFY keyword {o}"))),
                }
            }
            if n.never && (n.success || n.failure || n.delay) {
                return Err(bad_env("NOTIFY=NEVER cannot be combined"));
            }
        }
        let orcpt = match &r.orcpt {
            None => None,
            Some(o) => {
                let o = o.strip_prefix("rfc822;").unwrap_or(o);
                Some(clean_addr(o)?)
            }
        };
        rcpts.push(Recipient {
            address: clean_addr(&r.address)?,
            notify: n,
            orcpt,
        });
    }
    if rcpts.is_empty() {
        return Err(bad_env("no recipients"));
    }
    Ok(OutEnvelope {
        mail_from: if e.mail_from.trim().is_empty() {
            String::new()
        } else {
            clean_addr(&e.mail_from)?
        },
        envid: mp.envid.clone(),
        ret_full,
        mt_priority,
        by,
        hold_for: mp.hold_for,
        hold_until: mp.hold_until.clone(),
        body_8bit: raw.iter().any(|b| *b >= 0x80),
        rcpts,
        all_or_nothing: false,
    })
}

fn by_of(seconds: i64, mode: &str) -> Result<DeliverBy, ApiError> {
    let (return_mode, trace) = match mode {
        "R" => (true, false),
        "RT" => (true, true),
        "N" => (false, false),
        "NT" => (false, true),
        _ => return Err(bad_env("by mode must be R, N, RT or NT")),
    };
    Ok(DeliverBy {
        by_time: seconds,
        deadline: 0,
        return_mode,
        trace,
    })
}

/// Submit `raw` with `env` over SMTP as the session's user; store a copy in Sent.
pub(crate) async fn submit(
    state: &WebState,
    s: &WebSession,
    raw: &[u8],
    env: &OutEnvelope,
    save_sent: bool,
) -> Result<(client::SendOutcome, Option<i64>), ApiError> {
    // STARTTLS when the listener offers it, so that the submission works whether or not
    // the listener accepts AUTH in cleartext on loopback (`tls.plaintextAuthOnLoopback`).
    let tls = RelayTls::loopback().map_err(|e| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: e.code(),
        message: e.to_string(),
        reply: None,
    })?;
    let addr = state.smtp_addr.to_string();
    let ip = state.smtp_addr.ip().to_string();
    let hop = client::Hop {
        addr: &addr,
        host: &ip,
        tls: &tls,
        helo: "webmail.localhost",
        auth: Some((&s.address, &s.submission_token)),
        dkim: None,
    };
    let out = client::send_via(&hop, env, raw, Duration::from_secs(30))
        .await
        .map_err(|e| {
            let (status, reply, message) = match &e {
                ClientError::Rejected { reply, .. } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(reply.clone()),
                    e.to_string(),
                ),
                ClientError::Unavailable(_) | ClientError::TlsRequired(_) => {
                    eprintln!("mmhs serve: webmail submission: {e}");
                    (
                        StatusCode::BAD_GATEWAY,
                        None,
                        "the submission agent is unavailable".to_string(),
                    )
                }
            };
            ApiError {
                status,
                code: e.code(),
                message,
                reply,
            }
        })?;
    let sent_id = if save_sent {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (address, raw) = (s.address.clone(), raw.to_vec());
        Some(
            state
                .with_store(move |st| st.put(&address, folders::SENT, &raw, None, now))
                .await?,
        )
    } else {
        None
    };
    Ok((out, sent_id))
}

/// `POST /api/send`: send this raw message with this SMTP envelope.
pub(crate) async fn send(
    State(state): State<WebState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SendRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let s = auth(&state, &headers)?;
    let raw = decode_raw_blocking(&state, req.raw, req.encoding).await?;
    if raw.len() > state.agent.config.max_message_size {
        return Err(too_large());
    }
    let env = to_out_envelope(&req.envelope, &raw)?;
    let (out, sent_id) = submit(&state, &s, &raw, &env, req.save_sent.unwrap_or(true)).await?;
    Ok(Json(serde_json::json!({
        "ok": true,
        "accepted": out.accepted,
        "rejected": out.rejected.iter().map(|(a, r)| serde_json::json!({"address": a, "reply": r})).collect::<Vec<_>>(),
        "releaseQueue": crate::server::agent::reply_diverted(out.data_reply.code, &out.data_reply.message),
        "reply": out.data_reply,
        "sentId": sent_id,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(by: &str) -> EnvelopeSpec {
        serde_json::from_str(&format!(
            r#"{{"mailFrom":"a@x.example","mailParams":{{"by":{by}}},"rcpts":[{{"address":"b@y.example"}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn by_accepts_compose_and_smtp_spellings() {
        // compose's DeliverBy serialisation (docs/compose.md), passed on verbatim by the extension
        let e = envelope(r#"{"seconds":3600,"mode":"return","trace":false}"#);
        let by = to_out_envelope(&e, b"x").unwrap().by.unwrap();
        assert_eq!((by.by_time, by.return_mode, by.trace), (3600, true, false));
        // with a deadline the time limit is recomputed at submission
        let deadline = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let e = envelope(&format!(
            r#"{{"seconds":1,"mode":"return","trace":false,"deadline":"{deadline}"}}"#
        ));
        let by = to_out_envelope(&e, b"x").unwrap().by.unwrap();
        assert!((3500..=3600).contains(&by.by_time), "{}", by.by_time);
        let e = envelope(r#"{"seconds":60,"mode":"notify","trace":true}"#);
        let by = to_out_envelope(&e, b"x").unwrap().by.unwrap();
        assert_eq!((by.by_time, by.return_mode, by.trace), (60, false, true));
        let e = envelope(r#"{"seconds":60,"mode":"N"}"#);
        assert!(!to_out_envelope(&e, b"x").unwrap().by.unwrap().return_mode);
        let e = envelope(r#""125;RT""#);
        let by = to_out_envelope(&e, b"x").unwrap().by.unwrap();
        assert_eq!((by.by_time, by.return_mode, by.trace), (125, true, true));
        let e = envelope(r#"{"seconds":60,"mode":"later"}"#);
        assert_eq!(
            to_out_envelope(&e, b"x").unwrap_err().code,
            "envelope-invalid"
        );
    }
}
