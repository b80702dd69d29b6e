//! `cargo bench --bench smtp_load`: the submission agent under load — submissions per second
//! through SMTP (RFC 5321, AUTH PLAIN RFC 4954) into the SQLite store with 1, 10 and 50
//! concurrent clients, p50 / p99 latency of one submission (MAIL FROM to the reply after the
//! final dot), and the peak resident memory of this process (server and clients) while 20
//! clients each submit one 20 MiB message concurrently (the peak is reset before that phase,
//! so it is that phase's own).
//!
//! The server is `mmhs::server::start` on 127.0.0.1 with ephemeral ports and a temporary data
//! directory (removed afterwards); each client authenticates once and then submits messages
//! in one session (RSET-free: each transaction ends with its reply). Performance is measured
//! here, never asserted in tests. Sizes: `MMHS_LOAD_MESSAGES` (per client, default 20),
//! `MMHS_LOAD_BIG_MIB` (default 20).
//!
//!   cargo bench --bench smtp_load

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use mmhs::server::{self, Config, ServerOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const USER: &str = "alice@army.example";
const PASSWORD: &str = "alice-demo";
const RCPT: &str = "bob@navy.example";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One SMTP client session.
struct Client {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Result<Client, String> {
        let s = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let (r, w) = s.into_split();
        let mut c = Client {
            r: BufReader::new(r),
            w,
        };
        c.expect("220").await?;
        c.cmd("EHLO load.example", "250").await?;
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("\0{USER}\0{PASSWORD}").as_bytes());
        c.cmd(&format!("AUTH PLAIN {token}"), "235").await?;
        Ok(c)
    }

    async fn reply(&mut self) -> Result<String, String> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let n = self
                .r
                .read_line(&mut line)
                .await
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err(format!("connection closed after {all:?}"));
            }
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(all);
            }
        }
    }

    async fn expect(&mut self, code: &str) -> Result<String, String> {
        let r = self.reply().await?;
        if r.starts_with(code) {
            Ok(r)
        } else {
            Err(format!("expected {code}, got {r}"))
        }
    }

    async fn cmd(&mut self, line: &str, code: &str) -> Result<String, String> {
        self.w
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        self.expect(code).await
    }

    /// One whole transaction; returns its duration.
    async fn submit(&mut self, message: &[u8]) -> Result<Duration, String> {
        let t = Instant::now();
        self.cmd(&format!("MAIL FROM:<{USER}>"), "250").await?;
        self.cmd(&format!("RCPT TO:<{RCPT}>"), "250").await?;
        self.cmd("DATA", "354").await?;
        self.w.write_all(message).await.map_err(|e| e.to_string())?;
        self.w
            .write_all(b".\r\n")
            .await
            .map_err(|e| e.to_string())?;
        self.expect("250").await?;
        Ok(t.elapsed())
    }
}

/// A civilian message of about `body` octets (dot-stuffing is not needed: no line starts
/// with a dot).
fn message(n: usize, body: usize) -> Vec<u8> {
    let mut m = format!(
        "From: {USER}\r\nTo: {RCPT}\r\nSubject: load {n}\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <load-{n}@army.example>\r\n\r\n"
    )
    .into_bytes();
    let line = b"The quick brown fox jumps over the lazy dog, 0123456789 abcdefghij.\r\n";
    while m.len() < body {
        m.extend_from_slice(line);
    }
    m
}

/// Start a new high-water mark of the resident set at the current size (Linux
/// `/proc/PID/clear_refs`, value 5: "reset the peak resident set size"), so the next
/// [`peak_rss_mib`] is the peak of what follows alone.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Peak resident set size of this process (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run_clients(
    addr: SocketAddr,
    clients: usize,
    per_client: usize,
    body: usize,
) -> Result<(Duration, Vec<Duration>), String> {
    let message = Arc::new(message(0, body));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let message = message.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr).await?;
            let mut lat = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                lat.push(c.submit(&message).await?);
            }
            let _ = c.cmd("QUIT", "221").await;
            Ok::<_, String>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    all.sort();
    Ok((start.elapsed(), all))
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokio: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(bench()) {
        eprintln!("smtp_load: {e}");
        std::process::exit(1);
    }
}

async fn bench() -> Result<(), String> {
    let per_client = env_usize("MMHS_LOAD_MESSAGES", 20);
    let big_mib = env_usize("MMHS_LOAD_BIG_MIB", 20);
    let dir = std::env::temp_dir().join(format!("mmhs-smtp-load-{}", std::process::id()));
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| e.to_string())?;
    }
    let mut config = Config::demo().map_err(|e| e.to_string())?;
    config.max_message_size = (big_mib + 1) * 1024 * 1024;
    // Every client comes from 127.0.0.1: allow the 50 concurrent sessions measured.
    config.max_sessions = config.max_sessions.max(64);
    config.max_sessions_per_client = config.max_sessions_per_client.max(64);
    let running = server::start(ServerOptions {
        data: dir.clone(),
        http: "127.0.0.1:0".into(),
        smtp: "127.0.0.1:0".into(),
        relay: None,
        relay_password: None,
        config: Some(config),
        gate: None,
        demo_pki: false,
    })
    .await
    .map_err(|e| e.to_string())?;
    let addr = running.smtp_addr;

    println!("| clients | submissions | submissions/s | p50 | p99 |");
    println!("|---|---|---|---|---|");
    for clients in [1usize, 10, 50] {
        let (total, lat) = run_clients(addr, clients, per_client, 4 * 1024).await?;
        println!(
            "| {clients} | {} | {:.0} | {:.1} ms | {:.1} ms |",
            lat.len(),
            lat.len() as f64 / total.as_secs_f64(),
            percentile(&lat, 0.50).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
        );
    }
    let high_water = peak_rss_mib().unwrap_or(0.0);
    let reset = reset_peak_rss();
    let before = peak_rss_mib().unwrap_or(0.0);
    let (total, lat) = run_clients(addr, 20, 1, big_mib * 1024 * 1024).await?;
    let after = peak_rss_mib().unwrap_or(0.0);
    println!(
        "\n20 concurrent {big_mib} MiB submissions: {:.1} s in all, p50 {:.0} ms; peak RSS of the process {:.0} MiB (at the start of this phase: {:.0} MiB{}; high-water mark of the earlier phases: {:.0} MiB)",
        total.as_secs_f64(),
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        after,
        before,
        if reset { "" } else { ", peak not reset: the figure may be an earlier phase's" },
        high_water
    );
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
