//! Webmail security rules, each exercised by building the abuse at test time on loopback:
//! cross-origin form and API posts (another web app on 127.0.0.1 on another port), framing
//! headers, login lockout and its expiry (SMTP AUTH included), session expiry, password hash
//! upgrade, private file modes, the one message-size limit for JSON and SMTP, and the small
//! body limit of requests without a session (JSON bodies and HTML forms, the login form too).
#![cfg(not(target_arch = "wasm32"))]

use crate::support::server::*;

use mmhs::server::{self, Config, Running};

const EVIL: &str = "http://127.0.0.1:9999";

async fn start_with(
    name: &str,
    cfg: Option<Config>,
    demo_pki: bool,
) -> (Running, std::path::PathBuf) {
    let dir = temp_dir(name).join("data");
    let running = server::start(options(dir.clone(), cfg, None, demo_pki))
        .await
        .unwrap();
    (running, dir)
}

fn form(r: &str) -> Option<(&'static str, &[u8])> {
    Some(("application/x-www-form-urlencoded", r.as_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_posts_are_refused_same_origin_works() {
    let (srv, _d) = start("csrf", 100_000, None).await;
    let addr = srv.http_addr;
    let own = format!("http://{addr}");
    let cookie = html_login(addr, "alice@army.example", "alice-demo").await;
    let page = http(addr, "GET", "/compose", &[("Cookie", &cookie)], None).await;
    // framing headers on pages, errors and API answers alike
    for r in [
        &page,
        &http(addr, "GET", "/login", &[], None).await,
        &http(addr, "GET", "/api/folders", &[], None).await,
        &http(addr, "GET", "/no-such-page", &[], None).await,
    ] {
        assert!(r
            .header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
    }
    let csrf = csrf_of(&page.text());
    let body = format!("to=bob%40navy.example&subject=forged&body=x&csrf={csrf}");

    // Another web app on 127.0.0.1:9999 posts the compose form: the browser attaches the
    // cookie (SameSite does not separate ports) and Origin names the attacker.
    let r = http(
        addr,
        "POST",
        "/compose",
        &[("Cookie", &cookie), ("Origin", EVIL)],
        form(&body),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("csrf-cross-origin"));
    // Fetch-metadata and Referer fallbacks
    let r = http(
        addr,
        "POST",
        "/compose",
        &[("Cookie", &cookie), ("Sec-Fetch-Site", "same-site")],
        form(&body),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = http(
        addr,
        "POST",
        "/compose",
        &[("Cookie", &cookie), ("Referer", "http://127.0.0.1:9999/x")],
        form(&body),
    )
    .await;
    assert_eq!(r.status, 403);
    // login, delete, move and the JSON API too
    let r = html_login_response(
        addr,
        "alice@army.example",
        "alice-demo",
        &[("Origin", EVIL)],
    )
    .await;
    assert_eq!(r.status, 403);
    let token = api_login(addr, "alice@army.example", "alice-demo").await;
    let bearer = format!("Bearer {token}");
    let r = http(
        addr,
        "DELETE",
        "/api/messages/1",
        &[("Authorization", &bearer), ("Origin", EVIL)],
        None,
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "csrf-cross-origin");
    let r = http(
        addr,
        "POST",
        "/api/login",
        &[("Origin", EVIL)],
        Some((
            "application/json",
            br#"{"address":"alice@army.example","password":"alice-demo"}"#,
        )),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = http(
        addr,
        "POST",
        "/message/1/delete",
        &[("Cookie", &cookie), ("Origin", EVIL)],
        form(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(r.status, 403);

    // Same origin but without (or with a wrong) CSRF token: refused, the typed text kept.
    let typed = "to=bob%40navy.example&subject=Kept+subject&body=Kept+body&csrf=00";
    let r = http(
        addr,
        "POST",
        "/compose",
        &[("Cookie", &cookie), ("Origin", &own)],
        form(typed),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("Kept subject") && r.text().contains("Kept body"),
        "{}",
        r.text()
    );
    let r = http(
        addr,
        "POST",
        "/message/1/move",
        &[("Cookie", &cookie), ("Origin", &own)],
        form("folder=Trash"),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(srv
        .agent
        .store
        .list("bob@navy.example", "Inbox")
        .unwrap()
        .is_empty());

    // The webmail's own form, as the browser sends it: sent.
    let body = format!("to=bob%40navy.example&subject=genuine&body=x&csrf={csrf}");
    let r = http(
        addr,
        "POST",
        "/compose",
        &[
            ("Cookie", &cookie),
            ("Origin", &own),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        form(&body),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let inbox = srv.agent.store.list("bob@navy.example", "Inbox").unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].subject.as_deref(), Some("genuine"));
    // and logging out needs the token as well
    let r = http(
        addr,
        "POST",
        "/logout",
        &[("Cookie", &cookie), ("Origin", &own)],
        form("csrf=00"),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = http(
        addr,
        "POST",
        "/logout",
        &[("Cookie", &cookie), ("Origin", &own)],
        form(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(r.status, 303);
    let r = http(addr, "GET", "/compose", &[("Cookie", &cookie)], None).await;
    assert_eq!(r.status, 303, "session ended");
    srv.shutdown().await;
}

fn login_body(user: &str, pass: &str) -> Vec<u8> {
    serde_json::json!({"address": user, "password": pass})
        .to_string()
        .into_bytes()
}

async fn api_login_status(addr: std::net::SocketAddr, user: &str, pass: &str) -> HttpResponse {
    let b = login_body(user, pass);
    http(
        addr,
        "POST",
        "/api/login",
        &[],
        Some(("application/json", &b)),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_failures_lock_the_account_until_the_lock_expires() {
    let mut cfg = test_config(100_000);
    cfg.login_lock_seconds = 2;
    let (srv, _d) = start_with("lock", Some(cfg), false).await;
    let addr = srv.http_addr;
    for i in 0..10 {
        let r = api_login_status(addr, "bob@navy.example", &format!("wrong-{i}")).await;
        assert_eq!(r.status, 401, "attempt {i}");
        assert_eq!(r.json()["code"], "auth-failed");
    }
    // the 11th attempt, with the right password, is refused
    let r = api_login_status(addr, "bob@navy.example", "bob-demo").await;
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.json()["code"], "auth-locked");
    assert!(r.header("retry-after").is_some());
    // the HTML form and SMTP AUTH share the lock
    let r = html_login_response(addr, "bob@navy.example", "bob-demo", &[]).await;
    assert_eq!(r.status, 429);
    assert!(
        r.text().contains("value=\"bob@navy.example\""),
        "address kept"
    );
    let mut smtp = Smtp::connect(srv.smtp_addr).await;
    smtp.cmd("EHLO t.example").await;
    use base64::Engine;
    let tok = base64::engine::general_purpose::STANDARD.encode("\0bob@navy.example\0bob-demo");
    let a = smtp.cmd(&format!("AUTH PLAIN {tok}")).await;
    assert!(a.starts_with("454 4.7.0"), "{a}");
    // other accounts are not locked
    api_login(addr, "alice@army.example", "alice-demo").await;
    // an unknown address locks exactly like a known one
    for _ in 0..10 {
        assert_eq!(
            api_login_status(addr, "nobody@army.example", "x")
                .await
                .status,
            401
        );
    }
    assert_eq!(
        api_login_status(addr, "nobody@army.example", "x")
            .await
            .status,
        429
    );
    // the lock expires
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    let r = api_login_status(addr, "bob@navy.example", "bob-demo").await;
    assert_eq!(r.status, 200, "{}", r.text());
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_one_client_lock_that_client() {
    let mut cfg = test_config(100_000);
    cfg.login_client_lock_after = 5;
    let (srv, _d) = start_with("client-lock", Some(cfg), false).await;
    let addr = srv.http_addr;
    // one guess each at five accounts (no account reaches its own limit)
    for i in 0..5 {
        let r = api_login_status(addr, &format!("user{i}@army.example"), "guess").await;
        assert_eq!(r.status, 401);
    }
    let r = api_login_status(addr, "alice@army.example", "alice-demo").await;
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.json()["code"], "auth-locked");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_keeps_its_webmail_session_submitting() {
    let (srv, _d) = start("lock-session", 100_000, None).await;
    let addr = srv.http_addr;
    let token = api_login(addr, "alice@army.example", "alice-demo").await;
    // someone else guesses alice's password over SMTP until the account locks
    use base64::Engine;
    let mut smtp = Smtp::connect(srv.smtp_addr).await;
    smtp.cmd("EHLO t.example").await;
    for i in 0..11 {
        let tok = base64::engine::general_purpose::STANDARD
            .encode(format!("\0alice@army.example\0guess-{i}"));
        let a = smtp.cmd(&format!("AUTH PLAIN {tok}")).await;
        assert!(
            a.starts_with(if i < 10 { "535" } else { "454" }),
            "{i}: {a}"
        );
    }
    // the logged-in webmail still submits (its submission token, not the password)
    let raw = plain_message("alice@army.example", "bob@navy.example", "still-sends", "");
    let req = serde_json::json!({
        "raw": raw,
        "envelope": {"mailFrom": "alice@army.example", "rcpts": [{"address": "bob@navy.example"}]}
    });
    let r = api_post(addr, &token, "/api/send", &req).await;
    assert_eq!(r.status, 200, "{}", r.text());
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_when_idle() {
    let mut cfg = test_config(100_000);
    cfg.session_idle_seconds = 1;
    let (srv, _d) = start_with("idle", Some(cfg), false).await;
    let token = api_login(srv.http_addr, "alice@army.example", "alice-demo").await;
    assert_eq!(api_get(srv.http_addr, &token, "/api/me").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let r = api_get(srv.http_addr, &token, "/api/me").await;
    assert_eq!(r.status, 401);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_at_their_absolute_lifetime() {
    let mut cfg = test_config(100_000);
    cfg.session_max_seconds = 2;
    let (srv, _d) = start_with("absolute", Some(cfg), false).await;
    let token = api_login(srv.http_addr, "alice@army.example", "alice-demo").await;
    // in use all the time, yet it ends
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_millis(1000) {
        assert_eq!(api_get(srv.http_addr, &token, "/api/me").await.status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    assert_eq!(api_get(srv.http_addr, &token, "/api/me").await.status, 401);
    srv.shutdown().await;
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_creates_private_files_and_upgrades_legacy_hashes() {
    let (srv, dir) = start_with("modes", None, true).await;
    // a write makes sure the WAL files exist
    let token = api_login(srv.http_addr, "alice@army.example", "alice-demo").await;
    let raw = plain_message("alice@army.example", "alice@army.example", "m", "");
    let r = api_post(
        srv.http_addr,
        &token,
        "/api/folders/Inbox/messages",
        &serde_json::json!({"raw": raw}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("pki")), 0o700);
    let mut private = vec![
        dir.join("config.json"),
        dir.join("mail.sqlite"),
        dir.join("mail.sqlite-wal"),
        dir.join("mail.sqlite-shm"),
        dir.join("release-policy.json"),
    ];
    for e in std::fs::read_dir(dir.join("pki")).unwrap() {
        let p = e.unwrap().path();
        let n = p.to_string_lossy().to_string();
        if n.ends_with(".key.pem") || n.ends_with(".p12") {
            private.push(p);
        }
    }
    assert!(private.len() >= 5 + 6, "{private:?}");
    for p in &private {
        assert_eq!(mode(p), 0o600, "{}", p.display());
    }
    srv.shutdown().await;

    // A config.json from an older version: PBKDF2 at 20 000 iterations. It still verifies,
    // and the next login replaces it with Argon2id (the file stays 0600).
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let legacy = "pbkdf2-sha256$20000$000102030405060708090a0b0c0d0e0f$";
    let salt: Vec<u8> = (0u8..16).collect();
    let h = pbkdf2(b"alice-demo", &salt, 20_000);
    v["users"][0]["passwordHash"] = format!("{legacy}{h}").into();
    std::fs::write(dir.join("config.json"), v.to_string()).unwrap();
    let srv = server::start(options(dir.clone(), None, None, false))
        .await
        .unwrap();
    api_login(srv.http_addr, "alice@army.example", "alice-demo").await;
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        v["users"][0]["passwordHash"]
            .as_str()
            .unwrap()
            .starts_with("argon2id$"),
        "{v}"
    );
    assert_eq!(mode(&dir.join("config.json")), 0o600);
    // the upgraded hash is the one in force
    api_login(srv.http_addr, "alice@army.example", "alice-demo").await;
    srv.shutdown().await;
}

/// PBKDF2-HMAC-SHA256, one block (RFC 8018 §5.2), to build a legacy hash independently.
fn pbkdf2(pw: &[u8], salt: &[u8], iter: u32) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(pw).unwrap();
    let mut u = mac.clone();
    u.update(salt);
    u.update(&1u32.to_be_bytes());
    let mut prev: [u8; 32] = u.finalize().into_bytes().into();
    let mut out = prev;
    for _ in 1..iter {
        let mut m = mac.clone();
        m.update(&prev);
        prev = m.finalize().into_bytes().into();
        for (o, p) in out.iter_mut().zip(prev.iter()) {
            *o ^= p;
        }
    }
    out.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_size_limit_for_json_api_and_smtp() {
    let max = 3 * 1024 * 1024;
    let (srv, _d) = start("size", max, None).await;
    let addr = srv.http_addr;
    // SMTP advertises the configured maximum
    let mut smtp = Smtp::connect(srv.smtp_addr).await;
    let e = smtp.cmd("EHLO t.example").await;
    assert!(e.contains(&format!("SIZE {max}")), "{e}");
    let token = api_login(addr, "alice@army.example", "alice-demo").await;
    let send = |n: usize| {
        let mut raw = plain_message("alice@army.example", "bob@navy.example", "big", "");
        let line = "x".repeat(76) + "\r\n";
        while raw.len() < n {
            raw.push_str(&line);
        }
        raw.truncate(n);
        serde_json::json!({
            "raw": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, raw.as_bytes()),
            "encoding": "base64",
            "envelope": {"mailFrom": "alice@army.example", "rcpts": [{"address": "bob@navy.example"}]},
            "saveSent": false
        })
    };
    // 2.5 MiB, above axum's 2 MB default body limit (and 3.4 MB as base64): accepted
    let r = api_post(addr, &token, "/api/send", &send(2_500_000)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // above the configured maximum: 413 with a JSON code
    let r = api_post(addr, &token, "/api/send", &send(max + 10)).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], "message-too-large");
    // a body far above the limit is cut off by the body limit, same answer
    let huge =
        serde_json::json!({"raw": "y".repeat(max * 2), "envelope": {"mailFrom": "", "rcpts": []}});
    let r = api_post(addr, &token, "/api/send", &huge).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], "message-too-large");
    srv.shutdown().await;
}

/// `POST path` with `body` of media type `ct` and the given headers.
async fn post_as(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    ct: &str,
    body: &str,
) -> HttpResponse {
    http(addr, "POST", path, headers, Some((ct, body.as_bytes()))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_session_carries_at_most_64_kib() {
    const JSON: &str = "application/json";
    let (srv, _d) = start("anonymous-body", 3 * 1024 * 1024, None).await;
    let addr = srv.http_addr;
    let json = |pad: usize| {
        serde_json::json!({
            "address": "alice@army.example",
            "password": "alice-demo",
            "padding": "p".repeat(pad),
        })
        .to_string()
    };
    let large = json(100 * 1024);
    // Before login, a large body is refused without being read or parsed, whatever route.
    for path in ["/api/login", "/api/send", "/api/folders/Inbox/messages"] {
        let r = post_as(addr, path, &[], JSON, &large).await;
        assert_eq!(r.status, 413, "{path}: {}", r.text());
        assert_eq!(r.json()["code"], "message-too-large", "{path}");
    }
    // A forged or expired token is no session.
    let forged = [("Authorization", "Bearer 00")];
    let r = post_as(addr, "/api/send", &forged, JSON, &large).await;
    assert_eq!(r.status, 413, "{}", r.text());
    // A login of ordinary size is read (and its unknown field ignored).
    let small = json(16);
    let r = post_as(addr, "/api/login", &[], JSON, &small).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A body that does not say it is JSON is refused before it is read.
    let r = post_as(addr, "/api/login", &[], "text/plain", &small).await;
    assert_eq!(r.status, 415, "{}", r.text());
    assert_eq!(r.json()["code"], "bad-request");
    srv.shutdown().await;
}

/// `POST path` of `body` (of media type `ct`) with the header field `Cookie: cookie`.
async fn post_with_cookie(
    addr: std::net::SocketAddr,
    path: &str,
    cookie: &str,
    ct: &str,
    body: &str,
) -> HttpResponse {
    http(
        addr,
        "POST",
        path,
        &[("Cookie", cookie)],
        Some((ct, body.as_bytes())),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_a_session_carries_at_most_64_kib() {
    let (srv, _d) = start("anonymous-form", 3 * 1024 * 1024, None).await;
    let addr = srv.http_addr;
    const FORM: &str = "application/x-www-form-urlencoded";
    let r = http(addr, "GET", "/login", &[], None).await;
    assert_eq!(r.status, 200);
    let login_cookie = cookie_pair(&r);
    let token = csrf_of(&r.text());
    let login = |pad: usize| {
        format!(
            "address=alice%40army.example&password=alice-demo&csrf={token}&padding={}",
            "p".repeat(pad)
        )
    };
    // Before login, a large form is refused without being read or parsed, whatever route —
    // the login form too, with its valid token and right password.
    for path in ["/login", "/compose", "/logout", "/message/1/delete"] {
        let r = post_with_cookie(addr, path, &login_cookie, FORM, &login(100 * 1024)).await;
        assert_eq!(r.status, 413, "{path}: {}", r.text());
        assert!(r.text().contains("message-too-large"), "{path}");
        assert!(r.header("set-cookie").is_none(), "{path}: no session");
    }
    // A forged session cookie is no session.
    let forged = format!("{login_cookie}; mmhs_session=00");
    let r = post_with_cookie(addr, "/compose", &forged, FORM, &login(100 * 1024)).await;
    assert_eq!(r.status, 413, "{}", r.text());
    // A form that does not say it is URL-encoded is refused before it is read.
    let r = post_with_cookie(addr, "/login", &login_cookie, "text/plain", &login(16)).await;
    assert_eq!(r.status, 415, "{}", r.text());
    // Fields that do not parse (a required one missing) are refused with a page.
    let r = post_with_cookie(
        addr,
        "/login",
        &login_cookie,
        FORM,
        &format!("csrf={token}"),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("bad-request"), "{}", r.text());
    // A login form of ordinary size is read (its unknown field ignored).
    let r = post_with_cookie(addr, "/login", &login_cookie, FORM, &login(16)).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let session = cookie_pair(&r);
    // Logged in, a form above 64 KiB is read and parsed: the compose page that refuses it
    // keeps what was typed — for an invalid recipient, and for a wrong token.
    let page = http(addr, "GET", "/compose", &[("Cookie", &session)], None).await;
    let csrf = csrf_of(&page.text());
    let text = "x<y ".repeat(40 * 1024);
    let body = format!(
        "csrf={csrf}&to=not-an-address&subject=S&body={}",
        text.replace('<', "%3C").replace(' ', "+")
    );
    let forged = body.replace(&format!("csrf={csrf}"), "csrf=00");
    for (body, status, says) in [
        (&body, 400, "Invalid recipient address."),
        (&forged, 403, "csrf-token"),
    ] {
        let r = post_with_cookie(addr, "/compose", &session, FORM, body).await;
        assert_eq!(r.status, status, "{}", &r.text()[..2000]);
        assert!(r.text().contains(says), "{says}");
        assert!(r.text().contains(&"x&lt;y ".repeat(40 * 1024)), "{says}");
    }
    srv.shutdown().await;
}
