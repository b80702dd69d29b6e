//! A real MTA for the boundary agent's tests and benchmark: Postfix instances (Debian's
//! postfix) with their own configuration, queue and Maildir directories under a temporary
//! directory, listening on 127.0.0.1 high ports only, each filtered by its own `mmhs boundary`
//! process; everything is stopped on drop, also when a test fails. The main.cf and master.cf
//! written here are those of docs/domain.md ("Postfix configuration").

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::pki::Pki;

pub const POSTFIX: &str = "/usr/sbin/postfix";

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Whether to run; panics under scripts/test.sh when the MTA cannot run.
pub fn postfix_usable() -> bool {
    super::required(
        Path::new(POSTFIX).exists() && is_root(),
        "boundary_postfix",
        "the real-MTA test needs /usr/sbin/postfix (scripts/setup.sh) and root",
    )
}

/// A loopback port that is free now and that no outgoing connection will take meanwhile: a
/// port from bind(0) lies in the kernel's ephemeral range (32768–60999 on Linux), where the
/// source ports of the Postfix instances' own SMTP connections are drawn too, so it can be
/// taken between this call and the daemon's bind. Ports here come from below that range,
/// from a per-process start and a counter, so tests running in parallel (in this process or
/// another) do not hand out the same port.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = 20_000 + (std::process::id() * 389) % 10_000;
    for _ in 0..2_000 {
        let port = 20_000 + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % 12_000;
        if TcpListener::bind(("127.0.0.1", port as u16)).is_ok() {
            return port as u16;
        }
    }
    panic!("no free loopback port in 20000-31999")
}

/// A started Postfix instance; stopped (and its processes gone) on drop, also on failure.
pub struct PostfixInstance {
    dir: PathBuf,
}

impl PostfixInstance {
    pub fn conf(&self) -> PathBuf {
        self.dir.join("etc")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("postfix.log")).unwrap_or_default()
    }

    pub fn maildir_new(&self, domain: &str, user: &str) -> PathBuf {
        self.dir.join("mail").join(domain).join(user).join("new")
    }
}

impl Drop for PostfixInstance {
    fn drop(&mut self) {
        let _ = Command::new(POSTFIX)
            .args(["-c"])
            .arg(self.conf())
            .arg("stop")
            .output();
        // `postfix stop` waits for master; make sure nothing of ours is left.
        let pid_file = self.dir.join("queue/pid/master.pid");
        if let Ok(pid) = std::fs::read_to_string(&pid_file) {
            let pid = pid.trim();
            if !pid.is_empty() && Path::new(&format!("/proc/{pid}")).exists() {
                let _ = Command::new("kill").arg(pid).output();
            }
        }
    }
}

/// Ports of one mail domain: its Postfix services and its agent's listeners.
#[derive(Clone, Copy)]
pub struct Ports {
    pub submission: u16,
    pub mx: u16,
    pub reinject: u16,
    pub agent_out: u16,
    pub agent_in: u16,
}

impl Ports {
    pub fn new() -> Ports {
        Ports {
            submission: free_port(),
            mx: free_port(),
            reinject: free_port(),
            agent_out: free_port(),
            agent_in: free_port(),
        }
    }
}

/// main.cf and master.cf as docs/domain.md shows them ("Postfix configuration").
pub fn start_postfix(
    base: &Path,
    domain: &str,
    p: Ports,
    users: &[&str],
    routes: &[(&str, u16)],
) -> PostfixInstance {
    let dir = base.join(domain);
    let etc = dir.join("etc");
    for d in ["etc", "queue", "data", "mail"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    // Deliveries run as nobody (the virtual agent never delivers as root).
    let status = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(dir.join("mail"))
        .status()
        .unwrap();
    assert!(status.success());
    // Postfix's own state (master.lock, caches) belongs to its mail_owner.
    let status = Command::new("chown")
        .args(["postfix:postfix"])
        .arg(dir.join("data"))
        .status()
        .unwrap();
    assert!(status.success());
    let d = dir.display();
    let vmailbox: String = users
        .iter()
        .map(|u| format!("{u}@{domain} {domain}/{u}/\n"))
        .collect();
    std::fs::write(dir.join("vmailbox"), vmailbox).unwrap();
    let transport: String = routes
        .iter()
        .map(|(dom, port)| format!("{dom} smtp:[127.0.0.1]:{port}\n"))
        .collect();
    std::fs::write(dir.join("transport"), transport).unwrap();
    let main_cf = format!(
        "compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.{domain}
mydomain = {domain}
myorigin = $mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {d}/mail
virtual_mailbox_maps = texthash:{d}/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
transport_maps = texthash:{d}/transport
alias_maps =
alias_database =
smtp_dns_support_level = disabled
smtputf8_enable = no
biff = no
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
maillog_file = {d}/postfix.log
maillog_file_prefixes = {d}
# The boundary agent: one recipient per transaction.
mmhs-boundary_destination_recipient_limit = 1
"
    );
    let master_cf = format!(
        "# Submission from our users: filtered by the agent's outbound listener.
127.0.0.1:{sub} inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o content_filter=mmhs-boundary:[127.0.0.1]:{out}
# Mail from other domains (MX): filtered by the agent's inbound listener.
127.0.0.1:{mx} inet n - n - - smtpd
  -o content_filter=mmhs-boundary:[127.0.0.1]:{inb}
# Re-injection from the agent: no content filter, no second round of checks.
127.0.0.1:{re} inet n - n - - smtpd
  -o syslog_name=postfix/reinject
  -o content_filter=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o smtpd_relay_restrictions=permit_mynetworks,reject
  -o mynetworks=127.0.0.0/8
# The agent itself, reached with SMTP.
mmhs-boundary unix - - n - 4 smtp
  -o syslog_name=postfix/mmhs-boundary
  -o smtp_send_xforward_command=no
  -o disable_mime_output_conversion=yes
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
",
        sub = p.submission,
        out = p.agent_out,
        mx = p.mx,
        inb = p.agent_in,
        re = p.reinject,
    );
    std::fs::write(etc.join("main.cf"), main_cf).unwrap();
    std::fs::write(etc.join("master.cf"), master_cf).unwrap();
    let inst = PostfixInstance { dir: dir.clone() };
    let out = Command::new(POSTFIX)
        .arg("-c")
        .arg(&etc)
        .arg("start")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "postfix -c {} start: {}{}\n{}",
        etc.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        inst.log()
    );
    for port in [p.submission, p.mx, p.reinject] {
        wait_listening(port);
    }
    inst
}

pub fn wait_listening(port: u16) {
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(15),
            "nothing listens on 127.0.0.1:{port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `mmhs boundary` process; killed on drop.
pub struct Agent {
    child: Child,
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_agent(config: &Path, p: Ports) -> Agent {
    let child = Command::new(env!("CARGO_BIN_EXE_mmhs"))
        .args(["boundary", "--config"])
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let agent = Agent { child };
    wait_listening(p.agent_out);
    wait_listening(p.agent_in);
    agent
}

/// Submit one message with a minimal SMTP client.
pub fn smtp_send(port: u16, from: &str, to: &str, msg: &[u8]) -> String {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut w = s;
    let mut reply = || {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    };
    assert!(reply().starts_with("220"));
    for cmd in [
        "EHLO client.test\r\n".to_string(),
        format!("MAIL FROM:<{from}>\r\n"),
        format!("RCPT TO:<{to}>\r\n"),
        "DATA\r\n".to_string(),
    ] {
        w.write_all(cmd.as_bytes()).unwrap();
        let rep = reply();
        assert!(
            rep.starts_with('2') || rep.starts_with('3'),
            "{cmd:?} → {rep}"
        );
    }
    let mut data = Vec::new();
    for line in msg.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            data.push(b'.');
        }
        data.extend_from_slice(line);
    }
    if !data.ends_with(b"\r\n") {
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
    w.write_all(&data).unwrap();
    let rep = reply();
    let _ = w.write_all(b"QUIT\r\n");
    rep
}

pub fn wait_for<T>(what: &str, secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
    let t0 = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// alice's military message, signed by alice with the core.
pub fn alice_message(pki: &Pki, subject: &str) -> Vec<u8> {
    alice_message_with(pki, subject, "Proceed to grid 1234.\r\n")
}

/// alice's military message with `body`, signed by alice with the core.
pub fn alice_message_with(pki: &Pki, subject: &str, body: &str) -> Vec<u8> {
    let opts = mmhs::smime::SignOptions {
        signing_time: Some(time::OffsetDateTime::now_utc()),
        ..Default::default()
    };
    mmhs::smime::sign_message(
        alice_text(subject, body).as_bytes(),
        &pki.signer("alice"),
        &opts,
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}

/// alice's military message to bob with `body`, unsigned.
pub fn alice_text(subject: &str, body: &str) -> String {
    format!(
        "From: Alice <alice@army.example>\r\nTo: Bob <bob@navy.example>\r\nSubject: {subject}\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{}@army.example>\r\nMMHS-Primary-Precedence: 3 (immediate)\r\nMMHS-Message-Type: 1 (operation)\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{body}",
        subject.replace(' ', "-")
    )
}

/// army.example and navy.example, each a Postfix instance with its boundary agent (their
/// agent certificates from [`Pki::domain_agents`]); army reaches navy's MX through the port
/// `army_to_navy` returns for it (the MX itself, or a relay in front of it). Everything stops
/// on drop, the MTAs first.
pub struct TwoDomains {
    /// army's Postfix.
    pub army_mta: PostfixInstance,
    /// navy's Postfix.
    pub navy_mta: PostfixInstance,
    /// army's ports.
    pub army: Ports,
    /// navy's ports.
    pub navy: Ports,
    /// The directory of both (`agent-<domain>/`, `<domain>/`).
    pub base: PathBuf,
    _agents: (Agent, Agent),
}

/// What one domain of [`two_domains_with`] has beyond the defaults.
pub struct DomainSetup {
    /// Its Maildir users (local parts).
    pub users: Vec<&'static str>,
    /// Certificates of the PKI directory (`<name>.pem`) in its agent's certificate directory.
    pub certs: Vec<&'static str>,
    /// Top-level keys of its agent's configuration replacing the defaults.
    pub extra: serde_json::Value,
}

impl DomainSetup {
    /// army.example: alice, navy's DCA and agent certificates.
    pub fn army() -> DomainSetup {
        DomainSetup {
            users: vec!["alice"],
            certs: vec!["navy-dca", "navy-sig"],
            extra: serde_json::json!({}),
        }
    }

    /// navy.example: bob, army's DCA and agent certificates.
    pub fn navy() -> DomainSetup {
        DomainSetup {
            users: vec!["bob"],
            certs: vec!["army-dca", "army-sig"],
            extra: serde_json::json!({}),
        }
    }
}

/// Start [`TwoDomains`] under `<pki dir>/mta`: [`DomainSetup::army`] and
/// [`DomainSetup::navy`].
pub fn two_domains(pki: &Pki, army_to_navy: impl FnOnce(u16) -> u16) -> TwoDomains {
    two_domains_with(pki, army_to_navy, DomainSetup::army(), DomainSetup::navy())
}

/// [`two_domains`] with each domain's users, certificates and configuration given.
pub fn two_domains_with(
    pki: &Pki,
    army_to_navy: impl FnOnce(u16) -> u16,
    army_setup: DomainSetup,
    navy_setup: DomainSetup,
) -> TwoDomains {
    let base = pki.dir.join("mta");
    let (army, navy) = (Ports::new(), Ports::new());
    let navy_route = army_to_navy(navy.mx);
    let army_cfg = agent_config(
        pki,
        &base,
        "army.example",
        army,
        "navy.example",
        &army_setup.certs,
        &army_setup.extra,
    );
    let navy_cfg = agent_config(
        pki,
        &base,
        "navy.example",
        navy,
        "army.example",
        &navy_setup.certs,
        &navy_setup.extra,
    );
    let agents = (start_agent(&army_cfg, army), start_agent(&navy_cfg, navy));
    let army_mta = start_postfix(
        &base,
        "army.example",
        army,
        &army_setup.users,
        &[("navy.example", navy_route)],
    );
    let navy_mta = start_postfix(
        &base,
        "navy.example",
        navy,
        &navy_setup.users,
        &[("army.example", army.mx)],
    );
    TwoDomains {
        army_mta,
        navy_mta,
        army,
        navy,
        base,
        _agents: agents,
    }
}

/// The agent's configuration file for `domain` (docs/domain.md, "Configuration"), with
/// top-level keys of `extra` replacing the defaults.
pub fn agent_config(
    pki: &Pki,
    base: &Path,
    domain: &str,
    p: Ports,
    peer: &str,
    certs: &[&str],
    extra: &serde_json::Value,
) -> PathBuf {
    let dir = base.join(format!("agent-{domain}"));
    pki.copy_certs(&dir.join("certs"), certs);
    let short = domain.split('.').next().unwrap();
    let mut cfg = serde_json::json!({
        "hostname": format!("mta.{domain}"),
        "domains": [domain],
        "listen": {
            "outbound": format!("127.0.0.1:{}", p.agent_out),
            "inbound": format!("127.0.0.1:{}", p.agent_in),
        },
        "reinject": format!("smtp://127.0.0.1:{}", p.reinject),
        "dataDir": "data",
        "signing": {
            "key": pki.dir.join(format!("{short}-sig.key")),
            "certificate": pki.dir.join(format!("{short}-sig.pem")),
        },
        "dca": {
            "key": pki.dir.join(format!("{short}-dca.key")),
            "certificate": pki.dir.join(format!("{short}-dca.pem")),
        },
        "trustAnchors": [pki.dir.join("ca.pem")],
        "certificates": "certs",
        "remoteDomains": {
            peer: { "encrypt": "dca", "requireDomainSignature": true, "onFailure": "refuse" }
        },
        "defaultRemote": { "encrypt": "none", "requireDomainSignature": true, "onFailure": "quarantine" },
        "requireOriginatorSignature": true,
        "idleTimeoutSeconds": 30,
        "reinjectTimeoutSeconds": 20,
    });
    if let (Some(c), Some(e)) = (cfg.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    let path = dir.join("boundary.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&cfg).unwrap()).unwrap();
    path
}
