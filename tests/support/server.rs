//! `mmhs serve` for the server tests: start a server on 127.0.0.1 with
//! ephemeral ports in a temp dir, a tiny SMTP line client and a tiny HTTP/1.1 client.

use std::path::PathBuf;
use std::time::Duration;

use mmhs::server::{self, Config, Running, ServerOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub const T: Duration = Duration::from_secs(10);

pub fn temp_dir(name: &str) -> PathBuf {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let d = std::env::temp_dir().join(format!("mmhs-{name}-{hex}"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn test_config(max_size: usize) -> Config {
    let mut c = Config::demo().unwrap();
    // DKIM keys come from a (here empty) key table, never from DNS: tests stay on 127.0.0.1.
    c.dkim.key_table = Some(Default::default());
    c.max_message_size = max_size;
    c.max_hold_seconds = 3600;
    c
}

pub async fn start(name: &str, max_size: usize, relay: Option<&str>) -> (Running, PathBuf) {
    let dir = temp_dir(name);
    let running = server::start(ServerOptions {
        relay: relay.map(|r| server::parse_mail_uri(r).unwrap()),
        ..options(dir.clone(), Some(test_config(max_size)), None, false)
    })
    .await
    .unwrap();
    (running, dir)
}

/// The options of a server on 127.0.0.1 (ephemeral ports) with its data in `data`, without a
/// relay.
pub fn options(
    data: PathBuf,
    config: Option<Config>,
    gate: Option<Box<dyn server::Gate>>,
    demo_pki: bool,
) -> ServerOptions {
    ServerOptions {
        data,
        http: "127.0.0.1:0".into(),
        smtp: "127.0.0.1:0".into(),
        relay: None,
        relay_password: None,
        config,
        gate,
        demo_pki,
    }
}

/// Start with this configuration and gate (`None`: the data directory's release gate), without
/// the demo PKI.
pub async fn start_configured(
    name: &str,
    config: Config,
    gate: Option<Box<dyn server::Gate>>,
) -> (Running, PathBuf) {
    let dir = temp_dir(name);
    let running = server::start(options(dir.clone(), Some(config), gate, false))
        .await
        .unwrap();
    (running, dir)
}

/// Read one complete SMTP reply (RFC 5321 §4.2: every line but the last has `-` after the
/// code) from any buffered stream, plain or TLS, within [`T`].
pub async fn read_reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> String {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(T, r.read_line(&mut line))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "connection closed; got so far: {all}");
        all.push_str(&line);
        if line.as_bytes().get(3) != Some(&b'-') {
            return all;
        }
    }
}

pub struct Smtp {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
}

impl Smtp {
    pub async fn connect(addr: std::net::SocketAddr) -> Smtp {
        let s = tokio::time::timeout(T, TcpStream::connect(addr))
            .await
            .unwrap()
            .unwrap();
        let (r, w) = s.into_split();
        let mut c = Smtp {
            r: BufReader::new(r),
            w,
        };
        let g = c.reply().await;
        assert!(g.starts_with("220"), "{g}");
        c
    }

    /// Read one complete reply (all lines).
    pub async fn reply(&mut self) -> String {
        read_reply(&mut self.r).await
    }

    pub async fn send(&mut self, data: &str) {
        self.w.write_all(data.as_bytes()).await.unwrap();
    }

    pub async fn send_bytes(&mut self, data: &[u8]) {
        self.w.write_all(data).await.unwrap();
    }

    pub async fn cmd(&mut self, line: &str) -> String {
        self.send(&format!("{line}\r\n")).await;
        self.reply().await
    }

    /// One mail transaction from `from` to `to` with `data` (dot-stuffed, without the final
    /// dot); the reply to the final dot.
    pub async fn transaction(&mut self, from: &str, to: &str, data: &str) -> String {
        let r = self.cmd(&format!("MAIL FROM:<{from}>")).await;
        assert!(r.starts_with("250"), "{r}");
        let r = self.cmd(&format!("RCPT TO:<{to}>")).await;
        assert!(r.starts_with("250"), "{r}");
        let r = self.cmd("DATA").await;
        assert!(r.starts_with("354"), "{r}");
        self.send(data).await;
        self.cmd(".").await
    }

    pub async fn ehlo_auth(&mut self, user: &str, pass: &str) {
        let e = self.cmd("EHLO test.example").await;
        assert!(e.starts_with("250"), "{e}");
        use base64::Engine;
        let tok = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{pass}"));
        let a = self.cmd(&format!("AUTH PLAIN {tok}")).await;
        assert!(a.starts_with("235 2.7.0"), "{a}");
    }
}

pub fn plain_message(from: &str, to: &str, subject: &str, extra_headers: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\
Message-ID: <{subject}.test@army.example>\r\n{extra_headers}MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello {subject}.\r\n"
    )
}

/// A user of another domain, for a next hop: `carol@other.example`, password `carol`.
pub fn carol() -> mmhs::server::config::UserConfig {
    mmhs::server::config::UserConfig {
        address: "carol@other.example".into(),
        display_name: "Carol".into(),
        password_hash: mmhs::server::config::hash_password("carol").unwrap(),
        officer: false,
    }
}

/// Alice (authenticated) submits a plain message to carol@other.example at `addr`.
pub async fn alice_to_carol(addr: std::net::SocketAddr, subject: &str) {
    let mut c = Smtp::connect(addr).await;
    c.ehlo_auth("alice@army.example", "alice-demo").await;
    let data = plain_message("alice@army.example", "carol@other.example", subject, "");
    let r = c
        .transaction("alice@army.example", "carol@other.example", &data)
        .await;
    assert!(r.starts_with("250"), "{r}");
}

/// The first message in `address`'s inbox of `store`, once there is one (10 s at most).
pub async fn first_in_inbox(store: &mmhs::server::Store, address: &str) -> String {
    let got = eventually(|| {
        let l = store
            .list(address, mmhs::server::store::folders::INBOX)
            .unwrap();
        (!l.is_empty()).then_some(l)
    })
    .await;
    let m = store.get(address, got[0].id).unwrap().unwrap();
    String::from_utf8_lossy(&m.raw).to_string()
}

/// Poll `f` until it returns Some, for at most 10 s.
pub async fn eventually<F, R>(mut f: F) -> R
where
    F: FnMut() -> Option<R>,
{
    let start = std::time::Instant::now();
    loop {
        if let Some(r) = f() {
            return r;
        }
        assert!(start.elapsed() < T, "condition not reached in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
}

/// A minimal HTTP/1.1 request (Connection: close).
pub async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &[u8])>,
) -> HttpResponse {
    let s = tokio::time::timeout(T, TcpStream::connect(addr))
        .await
        .unwrap()
        .unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some((ct, b)) = body {
        req.push_str(&format!(
            "Content-Type: {ct}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if let Some((_, b)) = body {
        bytes.extend_from_slice(b);
    }
    // Write while reading: a server may answer (413) and close before it has read a body
    // that is too large, so the write can fail with a broken pipe while the answer is there.
    let (mut r, mut w) = s.into_split();
    let writer = tokio::spawn(async move {
        if let Err(e) = w.write_all(&bytes).await {
            assert!(
                matches!(
                    e.kind(),
                    std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                ),
                "{e}"
            );
        }
        w
    });
    let mut resp = Vec::new();
    match tokio::time::timeout(T, r.read_to_end(&mut resp))
        .await
        .unwrap()
    {
        Ok(_) => {}
        Err(e) if !resp.is_empty() && e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("reading the HTTP response: {e}"),
    }
    let _ = writer.await;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no header end");
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    let mut body = resp[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 2 + n + 2..];
        }
        body = out;
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

/// `POST /api/login` with this address and password: the response, whatever it is.
pub async fn api_login_response(
    addr: std::net::SocketAddr,
    user: &str,
    pass: &str,
) -> HttpResponse {
    let body = serde_json::json!({"address": user, "password": pass}).to_string();
    http(
        addr,
        "POST",
        "/api/login",
        &[],
        Some(("application/json", body.as_bytes())),
    )
    .await
}

/// Log in through the JSON API; the session token.
pub async fn api_login(addr: std::net::SocketAddr, user: &str, pass: &str) -> String {
    let r = api_login_response(addr, user, pass).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

pub async fn api_get(addr: std::net::SocketAddr, token: &str, path: &str) -> HttpResponse {
    let auth = format!("Bearer {token}");
    http(addr, "GET", path, &[("Authorization", &auth)], None).await
}

pub async fn api_post(
    addr: std::net::SocketAddr,
    token: &str,
    path: &str,
    json: &serde_json::Value,
) -> HttpResponse {
    let auth = format!("Bearer {token}");
    let b = json.to_string();
    http(
        addr,
        "POST",
        path,
        &[("Authorization", &auth)],
        Some(("application/json", b.as_bytes())),
    )
    .await
}

/// Start a server as `mmhs serve` does on first run: demo users (config.json), demo PKI,
/// default release policy — in a fresh temp data dir.
pub async fn start_demo(name: &str) -> (Running, PathBuf) {
    let dir = temp_dir(name);
    let running = server::start(options(dir.clone(), None, None, true))
        .await
        .unwrap();
    (running, dir)
}

/// The value of the hidden `csrf` field of an HTML page.
pub fn csrf_of(page: &str) -> String {
    let i = page
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field: {page}"))
        + "name=\"csrf\" value=\"".len();
    page[i..].split('"').next().unwrap().to_string()
}

/// The `name=value` part of a response's Set-Cookie.
pub fn cookie_pair(r: &HttpResponse) -> String {
    r.header("set-cookie")
        .unwrap_or_else(|| panic!("no Set-Cookie: {}", r.text()))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Log in through the HTML form as a browser does (GET /login for the login CSRF cookie and
/// token, POST /login with both); returns the raw response of the POST.
pub async fn html_login_response(
    addr: std::net::SocketAddr,
    user: &str,
    pass: &str,
    extra: &[(&str, &str)],
) -> HttpResponse {
    let r = http(addr, "GET", "/login", &[], None).await;
    assert_eq!(r.status, 200);
    let login_cookie = cookie_pair(&r);
    let token = csrf_of(&r.text());
    let form = format!(
        "address={}&password={}&csrf={token}",
        user.replace('@', "%40"),
        pass
    );
    let mut headers = vec![("Cookie", login_cookie.as_str())];
    headers.extend_from_slice(extra);
    http(
        addr,
        "POST",
        "/login",
        &headers,
        Some(("application/x-www-form-urlencoded", form.as_bytes())),
    )
    .await
}

/// Log in through the HTML form; returns the session cookie pair.
pub async fn html_login(addr: std::net::SocketAddr, user: &str, pass: &str) -> String {
    let r = html_login_response(addr, user, pass, &[]).await;
    assert_eq!(r.status, 303, "{}", r.text());
    cookie_pair(&r)
}

/// A scripted next-hop SMTP server on 127.0.0.1, one connection at a time: EHLO answered
/// `ehlo`, RCPT the `rcpt_replies` in order (`250` once they run out), and each message's
/// data — dot-stuffing undone (RFC 5321 §4.5.2) — handed to `on_data`, whose reply ends the
/// transaction (with the transaction's RCPT TO addresses). Its address.
pub fn scripted_hop(
    ehlo: &'static str,
    rcpt_replies: Vec<&'static str>,
    on_data: impl Fn(Vec<u8>, Vec<String>) -> &'static str + Send + 'static,
) -> std::net::SocketAddr {
    use std::io::{BufRead, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let _ = conn.set_read_timeout(Some(T));
            let Ok(read_half) = conn.try_clone() else {
                return;
            };
            let mut r = std::io::BufReader::new(read_half);
            let mut w = conn;
            let _ = w.write_all(b"220 hop.localhost ESMTP\r\n");
            let mut replies = rcpt_replies.clone().into_iter();
            let mut rcpts: Vec<String> = Vec::new();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let cmd = line.to_ascii_uppercase();
                let answer: String = if cmd.starts_with("EHLO") {
                    ehlo.into()
                } else if cmd.starts_with("MAIL") {
                    rcpts.clear();
                    "250 2.1.0 Ok\r\n".into()
                } else if cmd.starts_with("RCPT") {
                    let address = line.trim_end().get(8..).unwrap_or_default();
                    let address = address.trim_start_matches('<').split('>').next();
                    rcpts.push(address.unwrap_or_default().to_string());
                    format!("{}\r\n", replies.next().unwrap_or("250 2.1.5 Ok"))
                } else if cmd.starts_with("DATA") {
                    let _ = w.write_all(b"354 go\r\n");
                    let mut data = Vec::new();
                    let mut complete = false;
                    loop {
                        let mut l = Vec::new();
                        if r.read_until(b'\n', &mut l).unwrap_or(0) == 0 {
                            break;
                        }
                        if l == b".\r\n" {
                            complete = true;
                            break;
                        }
                        data.extend_from_slice(l.strip_prefix(b".").unwrap_or(&l));
                    }
                    if !complete {
                        break;
                    }
                    on_data(data, std::mem::take(&mut rcpts)).into()
                } else if cmd.starts_with("QUIT") {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    "250 ok\r\n".into()
                };
                if w.write_all(answer.as_bytes()).is_err() {
                    break;
                }
            }
        }
    });
    addr
}

/// A next hop recording every message: see [`recording_hop`].
pub struct RecordingHop {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The data of each message received (dot-stuffing undone), in order.
    pub received: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    /// The RCPT TO addresses of each message received, in the same order.
    pub envelopes: std::sync::Arc<std::sync::Mutex<Vec<Vec<String>>>>,
}

/// A [`scripted_hop`] that accepts every message and records its data and recipients.
pub fn recording_hop(ehlo: &'static str, rcpt_replies: Vec<&'static str>) -> RecordingHop {
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let envelopes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (rec, envs) = (received.clone(), envelopes.clone());
    let addr = scripted_hop(ehlo, rcpt_replies, move |data, rcpts| {
        rec.lock().unwrap().push(data);
        envs.lock().unwrap().push(rcpts);
        "250 2.0.0 Ok: queued\r\n"
    });
    RecordingHop {
        port: addr.port(),
        received,
        envelopes,
    }
}

/// A slow next hop: see [`slow_relay`].
pub struct SlowRelay {
    /// Its `smtp://` URI.
    pub uri: String,
    /// The `Subject:` of each message, in the order their data was received.
    pub received: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Closed (false) at start: the relay then holds its reply to the end of data until it is
    /// opened (at most [`T`]), so a test can know what waits in the sender's queue.
    pub open: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// A [`scripted_hop`] with MT-PRIORITY that answers each message's end of data after `delay`
/// (and after [`SlowRelay::open`]), recording the `Subject:` of each message before it waits.
pub fn slow_relay(delay: Duration) -> SlowRelay {
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let rec = got.clone();
    let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gate = open.clone();
    let addr = scripted_hop(
        "250-slow.localhost\r\n250-8BITMIME\r\n250 MT-PRIORITY STANAG4406\r\n",
        Vec::new(),
        move |data, _rcpts| {
            let text = String::from_utf8_lossy(&data);
            let subject = text
                .split("\r\n")
                .find_map(|l| l.strip_prefix("Subject: "))
                .unwrap_or_default()
                .trim_end()
                .to_string();
            rec.lock().unwrap().push(subject);
            let start = std::time::Instant::now();
            while !gate.load(std::sync::atomic::Ordering::SeqCst) && start.elapsed() < T {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(delay);
            "250 2.0.0 queued\r\n"
        },
    );
    SlowRelay {
        uri: format!("smtp://{addr}"),
        received: got,
        open,
    }
}
