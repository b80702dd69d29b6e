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
use serde::Deserialize;

use super::{set_cookie, BodyRefused, ClientAddr, WebSession, WebState};
use crate::compose::Envelope;
use crate::server::config::AuthError;
use crate::server::smtp::client::{self, ClientError, OutEnvelope, Reply};
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

/// `POST /api/send` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendRequest {
    /// The message: text (default) or base64 per `encoding`.
    pub raw: String,
    /// `"text"` (default) or `"base64"`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// The envelope: compose's [`Envelope`] in any of the spellings its reader accepts,
    /// read after the request so that a malformed one is `envelope-invalid`.
    pub envelope: serde_json::Value,
    /// Store a copy in Sent (default true).
    #[serde(default)]
    pub save_sent: Option<bool>,
}

fn bad_env(m: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "envelope-invalid", m)
}

/// Read, rebase and check the JSON envelope (compose's [`Envelope`], the one home of its
/// spellings and bounds) and convert it into what the SMTP client sends.
pub(crate) fn to_out_envelope(
    json: serde_json::Value,
    raw: &[u8],
    now: time::OffsetDateTime,
) -> Result<OutEnvelope, ApiError> {
    let mut env: Envelope = serde_json::from_value(json).map_err(|e| bad_env(e.to_string()))?;
    // RFC 2852 §4: a deadline counts from now; a passed one in mode R is refused by check().
    env.rebase_deliver_by(now);
    env.check().map_err(|e| bad_env(e.to_string()))?;
    let body_8bit = raw.iter().any(|b| *b >= 0x80);
    Ok(OutEnvelope::from_envelope(env, body_8bit))
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
    let env = to_out_envelope(req.envelope, &raw, time::OffsetDateTime::now_utc())?;
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
    use crate::compose::request::ByMode;

    const NOW: time::OffsetDateTime = time::macros::datetime!(2026-11-23 12:00 UTC);

    fn envelope(by: &str) -> serde_json::Value {
        serde_json::from_str(&format!(
            r#"{{"mailFrom":"a@x.example","mailParams":{{"by":{by}}},"rcpts":[{{"address":"b@y.example"}}]}}"#
        ))
        .unwrap()
    }

    fn by(by: &str) -> Result<DeliverByOut, ApiError> {
        to_out_envelope(envelope(by), b"x", NOW).map(|e| {
            let b = e.envelope.mail_params.by.unwrap();
            (b.seconds, b.mode == ByMode::Return, b.trace)
        })
    }

    type DeliverByOut = (i64, bool, bool);

    #[test]
    fn by_accepts_compose_and_smtp_spellings() {
        // compose's DeliverBy serialisation, passed on verbatim by the extension
        assert_eq!(
            by(r#"{"seconds":3600,"mode":"return","trace":false}"#).unwrap(),
            (3600, true, false)
        );
        // with a deadline the time limit is recomputed at submission
        assert_eq!(
            by(r#"{"seconds":1,"mode":"return","trace":false,"deadline":"2026-11-23T13:00:00Z"}"#)
                .unwrap(),
            (3600, true, false)
        );
        assert_eq!(
            by(r#"{"seconds":60,"mode":"notify","trace":true}"#).unwrap(),
            (60, false, true)
        );
        assert_eq!(
            by(r#"{"seconds":60,"mode":"N"}"#).unwrap(),
            (60, false, false)
        );
        assert_eq!(by(r#""125;RT""#).unwrap(), (125, true, true));
        assert_eq!(by(r#""-10;N""#).unwrap(), (-10, false, false));
    }

    #[test]
    fn bad_envelopes_are_envelope_invalid() {
        for bad in [
            r#"{"seconds":60,"mode":"later"}"#,
            // RFC 2852 §4: by-time is at most 9 digits, in either spelling
            r#""1000000000;R""#,
            r#"{"seconds":1000000000,"mode":"R"}"#,
            r#"{"seconds":9223372036854775807,"mode":"N"}"#,
            // a deadline 10^10 s away overflows the by-time once rebased
            r#"{"seconds":1,"mode":"N","deadline":"2343-01-01T00:00:00Z"}"#,
            // mode R with a passed deadline or a non-positive by-time
            r#"{"seconds":60,"mode":"R","deadline":"2026-11-23T11:00:00Z"}"#,
            r#""0;R""#,
            r#"{"seconds":60,"mode":"R","deadline":"tomorrow"}"#,
            r#""60;X""#,
            r#"60"#,
        ] {
            let e = by(bad).expect_err(bad);
            assert_eq!(e.code, "envelope-invalid", "{bad}: {}", e.message);
        }
        for bad in [
            serde_json::json!({"mailFrom": "a@x.example", "rcpts": []}),
            serde_json::json!({"mailFrom": "a@x.example", "mailParams": {"mtPriority": 300}, "rcpts": [{"address": "b@y.example"}]}),
            serde_json::json!({"mailFrom": "a@x.example\r\nRCPT TO:<c@z.example>", "rcpts": [{"address": "b@y.example"}]}),
            serde_json::json!({"mailFrom": "a@x.example", "rcpts": [{"address": "b@y.example> NOTIFY=NEVER"}]}),
            serde_json::json!({"mailFrom": "a@x.example", "rcpts": [{"address": "b@y.example", "notify": "NEVER,SUCCESS"}]}),
            serde_json::json!({"mailFrom": "a@x.example", "mailParams": {"holdUntil": "2026-11-23T15:00:00Z\r\nRSET"}, "rcpts": [{"address": "b@y.example"}]}),
            serde_json::json!({"mailFrom": "a@x.example", "mailParams": {"holdFor": 1_000_000_000u64}, "rcpts": [{"address": "b@y.example"}]}),
            serde_json::json!({"mailFrom": "a@x.example", "mailParams": {"envid": "x".repeat(101)}, "rcpts": [{"address": "b@y.example"}]}),
        ] {
            let e = to_out_envelope(bad.clone(), b"x", NOW).expect_err(&bad.to_string());
            assert_eq!(e.code, "envelope-invalid", "{bad}: {}", e.message);
        }
    }
}
