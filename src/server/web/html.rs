//! Server-rendered pages: login, folder list, message view (headers and text shown as plain,
//! escaped text; raw download), compose. No JavaScript. Stable ids/data attributes for the
//! extension's content-script adapter: `#mmhs-webmail[data-user][data-officer]`,
//! `#message-list tr[data-id]`, `#message[data-id][data-raw-url]`, `#compose-form`.

use std::sync::Arc;

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::api::{submit, valid_folder, TOO_LARGE};
use super::security::{cookie, csrf_field, csrf_ok, CSRF_TOKEN, LOGIN_CSRF_COOKIE};
use super::{set_cookie, BodyRefused, ClientAddr, WebSession, WebState};
use crate::mime::encode::{
    mailbox, unstructured, EncodeError, Headers, Message, Part, TransferEncoding,
};
use crate::server::audit::ReleaseStatus;
use crate::server::config::AuthError;
use crate::server::smtp::client::OutEnvelope;
use crate::server::store::{folders, FolderInfo};

/// HTML-escape text.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#111;background:#fff}\
header{background:#1d3557;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}\
header a,header button{color:#fff}nav{padding:1rem;min-width:11rem;border-right:1px solid #ccc}\
.wrap{display:flex}main{padding:1rem;flex:1}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left}a{color:#0b4f9c}\
pre{white-space:pre-wrap;background:#f6f6f6;padding:.8rem;border:1px solid #ddd}\
label{display:block;margin-top:.6rem;font-weight:600}input,textarea,select{width:100%;max-width:48rem;padding:.3rem;font:inherit}\
button{padding:.4rem .9rem;margin-top:.6rem;font:inherit}.err{color:#a00000;font-weight:600}\
:focus{outline:3px solid #f4a261}";

pub(super) fn page(title: &str, session: Option<&WebSession>, body: &str) -> Html<String> {
    let head = match session {
        Some(s) => format!(
            "<header><strong>MMHS reference webmail</strong><span>{}</span>\
<form method=\"post\" action=\"/logout\">{}<button type=\"submit\">Log out</button></form></header>",
            esc(&s.address),
            csrf_field(&s.csrf)
        ),
        None => "<header><strong>MMHS reference webmail</strong></header>".to_string(),
    };
    let (user, officer) = session
        .map(|s| (esc(&s.address), s.officer))
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{} — MMHS webmail</title>\
<style>{STYLE}</style></head><body><div id=\"mmhs-webmail\" data-user=\"{user}\" data-officer=\"{officer}\">{head}{body}</div></body></html>",
        esc(title)
    ))
}

/// The user's folders for the navigation (none when the store cannot list them: the page
/// still renders).
pub(super) async fn folders_of(state: &WebState, s: &WebSession) -> Vec<FolderInfo> {
    let (address, officer) = (s.address.clone(), s.officer);
    state
        .with_store(move |st| st.folders(&address, officer))
        .await
        .unwrap_or_default()
}

pub(super) fn nav(folders: &[FolderInfo], current: &str) -> String {
    let mut o =
        String::from("<nav aria-label=\"Folders\"><p><a href=\"/compose\">Compose</a></p><ul>");
    for f in folders {
        let label = if f.name == "Release" {
            "Release queue"
        } else {
            &f.name
        };
        let cur = if f.name == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        o.push_str(&format!(
            "<li><a href=\"/folder/{}\"{cur}>{}</a> ({})</li>",
            esc(&f.name),
            esc(label),
            f.count
        ));
    }
    o.push_str("</ul><p><a href=\"/keys\">My keys</a></p></nav>");
    o
}

fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// A server fault: logged in full, answered with its stable code only.
fn internal(e: crate::server::Error) -> Response {
    eprintln!("mmhs serve: webmail: {e}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("internal server error ({})", e.code()),
    )
        .into_response()
}

/// A form refused before its handler saw it: an error page with its stable code.
fn form_refused(status: StatusCode, text: &str, code: &str) -> Response {
    (
        status,
        page(
            "Refused",
            None,
            &format!(
                "<main><h1>Request refused</h1><p class=\"err\" role=\"alert\">{} ({})</p>\
<p><a href=\"/login\">Log in</a></p></main>",
                esc(text),
                esc(code)
            ),
        ),
    )
        .into_response()
}

/// An HTML form's fields (`application/x-www-form-urlencoded`, HTML Living Standard
/// §4.10.21.7 "URL-encoded form data"; WHATWG URL Standard §5 `application/x-www-form-urlencoded`
/// parsing), read as `axum::Form` reads a POST body — at most [`super::body_limit`]
/// octets with a session, [`super::ANONYMOUS_BODY_LIMIT`] without one (the login form
/// included), [`super::parse_body`] — and parsed on the webmail's share of the blocking pool
/// ([`WebState::blocking`]): a compose form of tens of megabytes takes the parser long enough
/// to stall every other request if it ran on the async runtime. Rejections are error pages:
/// 415 for another media type, 413 `message-too-large` for a body above its limit, 422
/// `bad-request` for fields that do not parse.
pub(crate) struct WebForm<T>(pub T);

impl<T> FromRequest<WebState> for WebForm<T>
where
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let parse = |b: &[u8]| {
            serde_urlencoded::from_bytes::<T>(b).map_err(|e| {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("The form's fields could not be read: {e}."),
                )
            })
        };
        let form_type = |mime: &str| mime == "application/x-www-form-urlencoded";
        match super::parse_body(req, state, form_type, parse).await {
            Ok(v) => Ok(WebForm(v)),
            Err(BodyRefused::MediaType) => Err(form_refused(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The form was not sent as application/x-www-form-urlencoded.",
                "bad-request",
            )),
            Err(BodyRefused::Anonymous) => Err(form_refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "A form sent without a session carries at most {} KiB: log in first.",
                    super::ANONYMOUS_BODY_LIMIT / 1024
                ),
                TOO_LARGE,
            )),
            Err(BodyRefused::TooLarge) => Err(form_refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The form is larger than the configured maximum message size (maxMessageSize).",
                TOO_LARGE,
            )),
            Err(BodyRefused::Invalid(status, text)) => {
                Err(form_refused(status, &text, "bad-request"))
            }
            Err(BodyRefused::Internal(e)) => Err(internal(e)),
        }
    }
}

fn bad_token(s: &WebSession) -> Response {
    (
        StatusCode::FORBIDDEN,
        page(
            "Refused",
            Some(s),
            &format!(
                "<main><h1>Request refused</h1><p class=\"err\" role=\"alert\">The form was out of date or not from this webmail ({CSRF_TOKEN}). Go back, reload the page and try again.</p></main>"
            ),
        ),
    )
        .into_response()
}

/// `GET /`.
pub(crate) async fn index(State(state): State<WebState>, headers: HeaderMap) -> Response {
    match state.session(&headers) {
        Some(_) => Redirect::to("/folder/Inbox").into_response(),
        None => to_login(),
    }
}

fn login_page(error: Option<&str>, address: &str, csrf: &str) -> Html<String> {
    let err = error
        .map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e)))
        .unwrap_or_default();
    page(
        "Log in",
        None,
        &format!(
            "<main><h1>Log in</h1>{err}<form method=\"post\" action=\"/login\" id=\"login-form\">{}\
<label for=\"address\">Address</label><input id=\"address\" name=\"address\" type=\"email\" autocomplete=\"username\" value=\"{}\" required>\
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
<button type=\"submit\">Log in</button></form>\
<p>Demo users: alice@army.example / alice-demo, officer@army.example / officer-demo, bob@navy.example / bob-demo.</p>\
<p>After logging in, <em>My keys</em> has your demo key (PKCS#12, password mmhs-demo) and the trust anchor for the extension.</p></main>",
            csrf_field(csrf),
            esc(address)
        ),
    )
}

/// A login page with a fresh login CSRF token and its cookie (HttpOnly, SameSite=Strict,
/// only sent to `/login`).
fn login_response(status: StatusCode, error: Option<&str>, address: &str) -> Response {
    let token = super::random_hex32();
    (
        status,
        [(
            header::SET_COOKIE,
            format!("{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict"),
        )],
        login_page(error, address, &token),
    )
        .into_response()
}

/// `GET /login`.
pub(crate) async fn login_form() -> Response {
    login_response(StatusCode::OK, None, "")
}

/// Login form.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    address: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /login`.
pub(crate) async fn login(
    State(state): State<WebState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    WebForm(f): WebForm<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !csrf_ok(&expected, &f.csrf) {
        return login_response(
            StatusCode::FORBIDDEN,
            Some(&format!(
                "The login form was out of date or not from this webmail ({CSRF_TOKEN}); please log in again."
            )),
            &f.address,
        );
    }
    match state.login_blocking(&f.address, &f.password, client).await {
        Ok((token, _)) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, set_cookie(&token)),
                (header::LOCATION, "/folder/Inbox".to_string()),
            ],
        )
            .into_response(),
        Err(AuthError::Invalid) => login_response(
            StatusCode::UNAUTHORIZED,
            Some("Wrong address or password."),
            &f.address,
        ),
        Err(AuthError::Locked(wait)) => {
            let mut r = login_response(
                StatusCode::TOO_MANY_REQUESTS,
                Some(&format!(
                    "Too many failed logins: try again in {} minute(s) (auth-locked).",
                    wait.as_secs().div_ceil(60).max(1)
                )),
                &f.address,
            );
            if let Ok(v) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

/// Forms whose only field is the CSRF token (logout, delete).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`.
pub(crate) async fn logout(
    State(state): State<WebState>,
    headers: HeaderMap,
    WebForm(f): WebForm<TokenForm>,
) -> Response {
    if let Some(s) = state.session(&headers) {
        if !csrf_ok(&s.csrf, &f.csrf) {
            return bad_token(&s);
        }
    }
    state.logout(&headers);
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{}=; Path=/; Max-Age=0", super::COOKIE),
            ),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response()
}

/// `GET /folder/{name}`.
pub(crate) async fn folder(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    let Some(s) = state.session(&headers) else {
        return to_login();
    };
    let (address, folder) = (s.address.clone(), name.clone());
    let msgs = match state.with_store(move |st| st.list(&address, &folder)).await {
        Ok(m) => m,
        Err(e) => return internal(e),
    };
    let folders = folders_of(&state, &s).await;
    let title = if name == "Release" {
        "Release queue".to_string()
    } else {
        name.clone()
    };
    // The Release queue (officers) shows when each draft was submitted and its deadline
    // (DELIVERBY / Expires), in the store's order: precedence, then waiting time.
    // A passed deadline is marked (both are RFC 3339 UTC seconds, so they compare as text).
    let release = name == "Release";
    let sent = name == folders::SENT;
    let rfc3339 = |t: time::OffsetDateTime| {
        t.replace_nanosecond(0)
            .unwrap_or(t)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let now = rfc3339(time::OffsetDateTime::now_utc());
    let mut rows = String::new();
    for m in &msgs {
        let when = if release {
            let deadline = match m.deadline.as_deref() {
                None => "none".to_string(),
                Some(d) if d < now.as_str() => {
                    format!("<strong class=\"passed\">{} (passed)</strong>", esc(d))
                }
                Some(d) => esc(d),
            };
            format!(
                "<td>{}</td><td>{deadline}</td>",
                esc(&time::OffsetDateTime::from_unix_timestamp(m.received_at)
                    .map(rfc3339)
                    .unwrap_or_default()),
            )
        } else if sent {
            // What became of a copy diverted to a Release queue (audit::release_status).
            let status = match m.release_status {
                Some(ReleaseStatus::Awaiting) => {
                    "<td data-release-status=\"awaiting\">awaiting release</td>"
                }
                Some(ReleaseStatus::Released) => {
                    "<td data-release-status=\"released\">released</td>"
                }
                Some(ReleaseStatus::Returned) => {
                    "<td data-release-status=\"returned\"><strong>returned</strong></td>"
                }
                None => "<td></td>",
            };
            format!("<td>{}</td>{status}", esc(m.date.as_deref().unwrap_or("")))
        } else {
            format!("<td>{}</td>", esc(m.date.as_deref().unwrap_or("")))
        };
        rows.push_str(&format!(
            "<tr data-id=\"{}\"><td>{}</td><td><a href=\"/message/{}\">{}</a></td><td>{}</td>{when}</tr>",
            m.id,
            esc(m.from.as_deref().unwrap_or("")),
            m.id,
            esc(m.subject.as_deref().filter(|x| !x.is_empty()).unwrap_or("(no subject)")),
            esc(m.primary_precedence.as_deref().unwrap_or("")),
        ));
    }
    let when_heads = if release {
        "<th scope=\"col\">Submitted</th><th scope=\"col\">Deadline</th>"
    } else if sent {
        "<th scope=\"col\">Date</th><th scope=\"col\">Release</th>"
    } else {
        "<th scope=\"col\">Date</th>"
    };
    let table = if msgs.is_empty() {
        "<p>No messages.</p>".to_string()
    } else {
        format!(
            "<table id=\"message-list\"><caption class=\"sr\">{}</caption><thead><tr><th scope=\"col\">From</th><th scope=\"col\">Subject</th>\
<th scope=\"col\">Precedence</th>{when_heads}</tr></thead><tbody>{rows}</tbody></table>",
            esc(&title)
        )
    };
    page(
        &title,
        Some(&s),
        &format!(
            "<div class=\"wrap\">{}<main data-folder=\"{}\"><h1>{}</h1>{table}</main></div>",
            nav(&folders, &name),
            esc(&name),
            esc(&title)
        ),
    )
    .into_response()
}

/// The message's text as the webmail page shows it (unverified: the extension's reader is
/// where a verdict is shown): the core's reading of the content ([`crate::mime::content`],
/// charset-decoded, bounded), the same the extension renders.
fn text_body(raw: &[u8]) -> String {
    use crate::mime::content::{read_content, ContentLimits, ReadContentRequest};
    match read_content(
        raw,
        &ReadContentRequest::default(),
        &ContentLimits::default(),
    ) {
        Ok(view) => view
            .body
            .unwrap_or_else(|| "(no text part — download the raw message)".into()),
        Err(_) => String::from_utf8_lossy(raw).to_string(),
    }
}

/// `GET /message/{id}`.
pub(crate) async fn message(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let Some(s) = state.session(&headers) else {
        return to_login();
    };
    let address = s.address.clone();
    let m = match state.with_store(move |st| st.get(&address, id)).await {
        Ok(Some(m)) => m,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such message").into_response(),
        Err(e) => return internal(e),
    };
    let folders = folders_of(&state, &s).await;
    // The message's text is decoded and escaped — up to `maxMessageSize` of it — on the
    // webmail's share of the blocking pool, not the async runtime.
    match state
        .blocking(move || Ok(message_page(&s, &m, id, &folders)))
        .await
    {
        Ok(html) => html.into_response(),
        Err(e) => internal(e),
    }
}

/// The page of a stored message: its header section and text, escaped, with the move and
/// delete forms.
fn message_page(
    s: &WebSession,
    m: &crate::server::store::StoredMessage,
    id: i64,
    folders: &[FolderInfo],
) -> Html<String> {
    let sm = &m.summary;
    let header_text = String::from_utf8_lossy(crate::mime::entity::split(&m.raw).0).to_string();
    let body = text_body(&m.raw);
    let mut folders_opts = String::new();
    for f in folders {
        folders_opts.push_str(&format!("<option>{}</option>", esc(&f.name)));
    }
    let html = format!(
        "<div class=\"wrap\">{nav}<main><article id=\"message\" data-id=\"{id}\" data-raw-url=\"/api/messages/{id}/raw\" data-folder=\"{folder}\">\
<h1>{subject}</h1><p>From {from} · To {to}</p>\
<p><a href=\"/message/{id}/raw\" download>Download raw message (.eml)</a></p>\
<details><summary>Header fields</summary><pre>{hdr}</pre></details>\
<section aria-label=\"Message text\"><pre id=\"message-body\">{body}</pre></section></article>\
<form method=\"post\" action=\"/message/{id}/move\">{csrf}<label for=\"folder\">Move to folder</label>\
<select id=\"folder\" name=\"folder\">{folders_opts}</select><button type=\"submit\">Move</button></form>\
<form method=\"post\" action=\"/message/{id}/delete\">{csrf}<button type=\"submit\">Delete</button></form></main></div>",
        csrf = csrf_field(&s.csrf),
        nav = nav(folders, &sm.folder),
        folder = esc(&sm.folder),
        subject = esc(sm.subject.as_deref().unwrap_or("(no subject)")),
        from = esc(sm.from.as_deref().unwrap_or("")),
        to = esc(&sm.to.join(", ")),
        hdr = esc(&header_text),
        body = esc(&body),
    );
    page(sm.subject.as_deref().unwrap_or("Message"), Some(s), &html)
}

/// Move form.
#[derive(Debug, Deserialize)]
pub(crate) struct MoveForm {
    folder: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /message/{id}/move`.
pub(crate) async fn move_message(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    WebForm(f): WebForm<MoveForm>,
) -> Response {
    let Some(s) = state.session(&headers) else {
        return to_login();
    };
    if !csrf_ok(&s.csrf, &f.csrf) {
        return bad_token(&s);
    }
    if !valid_folder(&f.folder) {
        return (StatusCode::BAD_REQUEST, "invalid folder").into_response();
    }
    let (address, folder) = (s.address.clone(), f.folder.clone());
    match state
        .with_store(move |st| st.move_to(&address, id, &folder))
        .await
    {
        Ok(true) => Redirect::to(&format!("/folder/{}", f.folder)).into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "no such message").into_response(),
        Err(e) => internal(e),
    }
}

/// `POST /message/{id}/delete`.
pub(crate) async fn delete_message(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    WebForm(f): WebForm<TokenForm>,
) -> Response {
    let Some(s) = state.session(&headers) else {
        return to_login();
    };
    if !csrf_ok(&s.csrf, &f.csrf) {
        return bad_token(&s);
    }
    let address = s.address.clone();
    match state.with_store(move |st| st.delete(&address, id)).await {
        Ok(_) => Redirect::to("/folder/Inbox").into_response(),
        Err(e) => internal(e),
    }
}

/// The compose page with `msg` above the form and what the user typed in it. The page is
/// rendered (the typed text escaped, up to [`super::body_limit`] octets of it) on the
/// webmail's share of the blocking pool ([`WebState::blocking`]), not the async runtime.
async fn compose_page(
    state: &WebState,
    s: &WebSession,
    status: StatusCode,
    msg: &str,
    typed: Arc<ComposeForm>,
) -> Response {
    let folders = folders_of(state, s).await;
    let (s, msg) = (s.clone(), msg.to_string());
    let html = state
        .blocking(move || {
            Ok(page(
                "Compose",
                Some(&s),
                &format!(
                    "<div class=\"wrap\">{}<main><h1>Compose</h1>{msg}<form method=\"post\" action=\"/compose\" id=\"compose-form\">{}\
<label for=\"to\">To (comma-separated)</label><input id=\"to\" name=\"to\" value=\"{}\" required>\
<label for=\"cc\">Cc</label><input id=\"cc\" name=\"cc\" value=\"{}\">\
<label for=\"subject\">Subject</label><input id=\"subject\" name=\"subject\" value=\"{}\">\
<label for=\"body\">Message</label><textarea id=\"body\" name=\"body\" rows=\"14\">{}</textarea>\
<button type=\"submit\">Send</button></form></main></div>",
                    nav(&folders, ""),
                    csrf_field(&s.csrf),
                    esc(&typed.to),
                    esc(&typed.cc),
                    esc(&typed.subject),
                    esc(&typed.body)
                ),
            ))
        })
        .await;
    match html {
        Ok(html) => (status, html).into_response(),
        Err(e) => internal(e),
    }
}

/// `GET /compose`.
pub(crate) async fn compose_form(State(state): State<WebState>, headers: HeaderMap) -> Response {
    match state.session(&headers) {
        Some(s) => compose_page(&state, &s, StatusCode::OK, "", Arc::default()).await,
        None => to_login(),
    }
}

/// Compose form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ComposeForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cc: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

fn split_addrs(s: &str) -> Vec<String> {
    s.split([',', ';'])
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

fn valid_addr(a: &str) -> bool {
    a.len() <= 254
        && a.contains('@')
        && a.chars()
            .all(|c| c.is_ascii_graphic() && !"<>()[],;:\\\"".contains(c))
}

/// Build a plain text/plain message (RFC 5322, RFC 2045) with the [`Part`] tree: the
/// display name as a `phrase` and the subject as `unstructured` text (RFC 2047 encoded-words
/// where they are not ASCII), the body CRLF, `7bit` when ASCII, else `8bit`. Fails when a
/// header line would exceed 998 octets (RFC 5322 §2.1.1).
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_plain(
    from_name: &str,
    from: &str,
    to: &[String],
    cc: &[String],
    subject: &str,
    body: &str,
    date: &str,
    msgid: &str,
) -> Result<Vec<u8>, EncodeError> {
    let name: String = from_name.chars().filter(|c| !c.is_control()).collect();
    let mut headers = Headers::new();
    headers.push("From", mailbox(Some(&name), from));
    headers.push("To", to.join(", "));
    if !cc.is_empty() {
        headers.push("Cc", cc.join(", "));
    }
    headers.push("Subject", unstructured(subject));
    headers.push("Date", date);
    headers.push("Message-ID", format!("<{msgid}>"));
    let mut text = String::with_capacity(body.len() + 64);
    for line in body.replace("\r\n", "\n").split('\n') {
        text.push_str(line);
        text.push_str("\r\n");
    }
    let mut mime = Headers::new();
    mime.push("Content-Type", "text/plain; charset=utf-8");
    mime.push(
        "Content-Transfer-Encoding",
        if body.is_ascii() {
            TransferEncoding::SevenBit.as_str()
        } else {
            TransferEncoding::EightBit.as_str()
        },
    );
    Message {
        headers,
        body: Part::leaf(mime, text.into_bytes()),
    }
    .to_bytes()
}

/// The message and envelope of a compose form, or why it cannot be sent (the status and the
/// message shown above the kept form). Its work grows with the form (the body copied with
/// CRLF line ends, scanned for 8-bit octets), so it runs on the blocking pool.
fn compose_message(
    s: &WebSession,
    f: &ComposeForm,
    date: &str,
    msgid: &str,
) -> Result<(Vec<u8>, OutEnvelope), (StatusCode, &'static str)> {
    let to = split_addrs(&f.to);
    let cc = split_addrs(&f.cc);
    if to.is_empty() || to.iter().chain(cc.iter()).any(|a| !valid_addr(a)) {
        return Err((StatusCode::BAD_REQUEST, "Invalid recipient address."));
    }
    if f.subject.contains(['\r', '\n']) {
        return Err((
            StatusCode::BAD_REQUEST,
            "The subject may not contain line breaks.",
        ));
    }
    let raw = build_plain(
        &s.display_name,
        &s.address,
        &to,
        &cc,
        &f.subject,
        &f.body,
        date,
        msgid,
    )
    .map_err(|_| {
        (
            StatusCode::BAD_REQUEST,
            "Not sent: a header line would be longer than 998 characters.",
        )
    })?;
    let mut env = OutEnvelope::new(&s.address, to.iter().chain(cc.iter()).cloned());
    env.envelope.mail_params.eight_bit_mime = raw.iter().any(|b| *b >= 0x80);
    Ok((raw, env))
}

/// `POST /compose`.
pub(crate) async fn compose(
    State(state): State<WebState>,
    headers: HeaderMap,
    WebForm(f): WebForm<ComposeForm>,
) -> Response {
    let Some(s) = state.session(&headers) else {
        return to_login();
    };
    let f = Arc::new(f);
    if !csrf_ok(&s.csrf, &f.csrf) {
        return compose_page(
            &state,
            &s,
            StatusCode::FORBIDDEN,
            &format!("<p class=\"err\" role=\"alert\">Not sent: the form was out of date or not from this webmail ({CSRF_TOKEN}). Your text is kept below; send again.</p>"),
            f,
        )
        .await;
    }
    let now = time::OffsetDateTime::now_utc();
    let date = now
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let mut r = [0u8; 12];
    crate::rng::Rng::fill_bytes(&mut crate::rng::system_rng(), &mut r);
    let domain = s
        .address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("localhost");
    let msgid = format!(
        "{}.{}@{domain}",
        now.unix_timestamp(),
        r.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let built = {
        let (s, f) = (s.clone(), f.clone());
        state
            .blocking(move || Ok(compose_message(&s, &f, &date, &msgid)))
            .await
    };
    let (raw, env) = match built {
        Ok(Ok(m)) => m,
        Ok(Err((status, msg))) => {
            return compose_page(
                &state,
                &s,
                status,
                &format!("<p class=\"err\" role=\"alert\">{}</p>", esc(msg)),
                f,
            )
            .await
        }
        Err(e) => return internal(e),
    };
    match submit(&state, &s, &raw, &env, true).await {
        Ok(_) => Redirect::to("/folder/Sent").into_response(),
        Err(e) => {
            compose_page(
                &state,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "<p class=\"err\" role=\"alert\">Not sent: {} ({})</p>",
                    esc(&e.message),
                    esc(e.code)
                ),
                f,
            )
            .await
        }
    }
}
