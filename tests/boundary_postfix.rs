//! The boundary agent on a real MTA: two Postfix instances (Debian's postfix), army.example and
//! navy.example, each with its own configuration and queue directories under a temporary
//! directory, listening on 127.0.0.1 high ports only, delivering to Maildirs (virtual), routing
//! to each other over loopback (transport maps), each with its own `mmhs boundary` agent as its
//! after-queue content filter. The Postfix snippets are those of docs/domain.md.
//!
//! alice's signed military message, submitted to army's Postfix, is domain-signed and encrypted
//! to navy's DCA by army's agent, travels to navy's Postfix (recorded on the wire), is decrypted
//! and verified by navy's agent and delivered to bob's Maildir with an Authentication-Results
//! field; bob's copy verifies with the originator and the domain signature, and the OpenSSL
//! command line decrypts the wire copy with the DCA key and verifies the domain signature. An
//! inbound message without the required domain signature, and one domain-signed by an agent of
//! evil.example, are refused.
//!
//! Needs root (Postfix's master runs as root and drops privileges) and /usr/sbin/postfix
//! (scripts/setup.sh installs it). Outside scripts/test.sh the test is skipped, with a message,
//! when those are missing; under scripts/test.sh (MMHS_TEST_SH=1) it must run.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::pki::{Alg, Pki};

const POSTFIX: &str = "/usr/sbin/postfix";

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Whether to run; panics under scripts/test.sh when the MTA cannot run.
fn postfix_usable() -> bool {
    let ok = Path::new(POSTFIX).exists() && is_root();
    if !ok {
        let why = "the real-MTA test needs /usr/sbin/postfix (scripts/setup.sh) and root";
        assert!(
            std::env::var_os("MMHS_TEST_SH").is_none(),
            "{why}: under scripts/test.sh it must run"
        );
        eprintln!("SKIPPED boundary_postfix: {why}");
    }
    ok
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A started Postfix instance; stopped (and its processes gone) on drop, also on failure.
struct PostfixInstance {
    dir: PathBuf,
}

impl PostfixInstance {
    fn conf(&self) -> PathBuf {
        self.dir.join("etc")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("postfix.log")).unwrap_or_default()
    }

    fn maildir_new(&self, domain: &str, user: &str) -> PathBuf {
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
struct Ports {
    submission: u16,
    mx: u16,
    reinject: u16,
    agent_out: u16,
    agent_in: u16,
}

impl Ports {
    fn new() -> Ports {
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
fn start_postfix(
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
# The boundary agent: a content filter with one recipient domain per transaction.
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

fn wait_listening(port: u16) {
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
struct Agent {
    child: Child,
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_agent(config: &Path, p: Ports) -> Agent {
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

/// A TCP relay from a port to another that records what the client sent: the SMTP session
/// between the two domains' MTAs, as it was on the wire.
fn recording_relay(to: u16) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rec = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let Ok(mut server) = TcpStream::connect(("127.0.0.1", to)) else {
                return;
            };
            let mut c2 = client.try_clone().unwrap();
            let mut s2 = server.try_clone().unwrap();
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Both);
            });
            let rec = rec.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                loop {
                    let n = match client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    rec.lock().unwrap().extend_from_slice(&buf[..n]);
                    if server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = server.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    (port, seen)
}

/// The message data of the first DATA transaction in a recorded client stream, dot-unstuffed.
fn data_of(stream: &[u8]) -> Option<Vec<u8>> {
    let text = stream;
    let start = text.windows(6).position(|w| w == b"DATA\r\n")? + 6;
    let rest = &text[start..];
    let end = rest.windows(5).position(|w| w == b"\r\n.\r\n")?;
    let mut out = Vec::new();
    for line in rest[..end + 2].split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
    }
    Some(out)
}

/// Submit one message with a minimal SMTP client.
fn smtp_send(port: u16, from: &str, to: &str, msg: &[u8]) -> String {
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

fn wait_for<T>(what: &str, secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
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

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// alice's military message, signed by alice with the core.
fn alice_message(pki: &Pki, subject: &str) -> Vec<u8> {
    let msg = format!(
        "From: Alice <alice@army.example>\r\nTo: Bob <bob@navy.example>\r\nSubject: {subject}\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{}@army.example>\r\nMMHS-Primary-Precedence: 3 (immediate)\r\nMMHS-Message-Type: 1 (operation)\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nProceed to grid 1234.\r\n",
        subject.replace(' ', "-")
    );
    let opts = mmhs::smime::SignOptions {
        signing_time: Some(time::OffsetDateTime::now_utc()),
        ..Default::default()
    };
    mmhs::smime::sign_message(
        msg.as_bytes(),
        &pki.signer("alice"),
        &opts,
        &mut mmhs::rng::system_rng(),
    )
    .unwrap()
}

fn agent_config(
    pki: &Pki,
    base: &Path,
    domain: &str,
    p: Ports,
    peer: &str,
    certs: &[&str],
) -> PathBuf {
    let dir = base.join(format!("agent-{domain}"));
    let cdir = dir.join("certs");
    std::fs::create_dir_all(&cdir).unwrap();
    for c in certs {
        std::fs::copy(
            pki.dir.join(format!("{c}.pem")),
            cdir.join(format!("{c}.pem")),
        )
        .unwrap();
    }
    let short = domain.split('.').next().unwrap();
    let cfg = serde_json::json!({
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
    let path = dir.join("boundary.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&cfg).unwrap()).unwrap();
    path
}

fn audit_details(base: &Path, domain: &str) -> Vec<String> {
    let store =
        mmhs::server::Store::open(&base.join(format!("agent-{domain}/data/audit.sqlite"))).unwrap();
    assert!(matches!(mmhs::server::audit::verify(&store), Ok(Ok(_))));
    let core = mmhs::server::audit::core_records(&store).unwrap();
    let checked = mmhs::release::verify_audit_log(&core, &Default::default());
    assert!(checked.valid, "{:#?}", checked.problems);
    store
        .with_conn(|c| {
            let mut st = c.prepare("SELECT record FROM audit ORDER BY seq").unwrap();
            let rows = st
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .filter_map(|r| r.ok())
                .collect::<Vec<_>>();
            Ok(rows)
        })
        .unwrap()
}

#[test]
fn army_to_navy_through_two_postfix_instances() {
    if !postfix_usable() {
        return;
    }
    let pki = Pki::new(
        "boundary",
        &[
            ("alice", "alice@army.example", Alg::Ec),
            ("bob", "bob@navy.example", Alg::Ec),
        ],
    );
    pki.domain_agents();
    let base = pki.dir.join("mta");
    let (army, navy) = (Ports::new(), Ports::new());
    // army → navy over a recording relay; navy → army directly.
    let (wire_port, wire) = recording_relay(navy.mx);
    let army_cfg = agent_config(
        &pki,
        &base,
        "army.example",
        army,
        "navy.example",
        &["navy-dca", "navy-sig"],
    );
    let navy_cfg = agent_config(
        &pki,
        &base,
        "navy.example",
        navy,
        "army.example",
        &["army-dca", "army-sig"],
    );
    let _army_agent = start_agent(&army_cfg, army);
    let _navy_agent = start_agent(&navy_cfg, navy);
    let army_mta = start_postfix(
        &base,
        "army.example",
        army,
        &["alice"],
        &[("navy.example", wire_port)],
    );
    let navy_mta = start_postfix(
        &base,
        "navy.example",
        navy,
        &["bob"],
        &[("army.example", army.mx)],
    );

    // 1. alice → army's Postfix → army's agent (domain-sign, encrypt) → navy → bob.
    let signed = alice_message(&pki, "grid reference");
    let rep = smtp_send(
        army.submission,
        "alice@army.example",
        "bob@navy.example",
        &signed,
    );
    assert!(rep.starts_with("250"), "{rep}");
    let bob_new = navy_mta.maildir_new("navy.example", "bob");
    let delivered = wait_for("bob's Maildir", 40, || {
        files_in(&bob_new).into_iter().next()
    });
    let copy = std::fs::read(&delivered).unwrap();
    let text = String::from_utf8_lossy(&copy);
    assert!(
        text.contains("Authentication-Results: mta.navy.example;\r\n smime=pass reason=\"domain-signature-verified\"")
            || text.contains("Authentication-Results: mta.navy.example;\n smime=pass reason=\"domain-signature-verified\""),
        "{text}"
    );
    assert!(text.contains("body.smime-identifier=army.example"));
    assert!(text.contains("decrypted by the domain confidentiality authority"));
    // bob's copy verifies: the domain signature over alice's originator signature.
    let ctx = pki.verify_context(time::OffsetDateTime::now_utc());
    let report = mmhs::verify::verify(&copy, &ctx).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    let types: Vec<String> = report
        .signatures
        .iter()
        .map(|s| format!("{}:{}:{}", s.signature_type, s.valid, s.trusted))
        .collect();
    assert_eq!(types, ["domain:true:true", "originator:true:true"]);
    assert_eq!(report.signatures[1].signer, "alice@army.example");

    // 2. What travelled between the domains: encrypted; OpenSSL decrypts it with navy's DCA
    //    key and verifies army's domain signature (and alice's inside it).
    let on_wire = wait_for("the recorded transfer", 10, || {
        data_of(&wire.lock().unwrap())
    });
    let wire_text = String::from_utf8_lossy(&on_wire);
    assert!(
        wire_text.contains("smime-type=enveloped-data"),
        "{wire_text}"
    );
    assert!(!wire_text.contains("Proceed to grid"));
    pki.write("wire.eml", &on_wire);
    support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-decrypt",
            "-in",
            "wire.eml",
            "-inkey",
            "navy-dca.key",
            "-recip",
            "navy-dca.pem",
            "-out",
            "domain-signed.eml",
        ],
    );
    support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "domain-signed.eml",
            "-CAfile",
            "ca.pem",
            "-out",
            "alice-signed.eml",
        ],
    );
    let printed = support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-cmsout",
            "-print",
            "-in",
            "domain-signed.eml",
            "-inform",
            "SMIME",
        ],
    );
    let printed = String::from_utf8_lossy(&printed);
    assert!(
        printed.contains("signatureType") || printed.contains("1.2.840.113549.1.9.16.2.28"),
        "{printed}"
    );
    assert!(
        printed.contains("1.2.840.113549.1.9.16.9.2") || printed.contains("domainSig"),
        "{printed}"
    );
    support::pki::ok(
        &pki.dir,
        &[
            "cms",
            "-verify",
            "-in",
            "alice-signed.eml",
            "-CAfile",
            "ca.pem",
            "-out",
            "content.txt",
        ],
    );
    assert!(pki.read("content.txt").contains("Proceed to grid 1234."));

    // 3. Refusals at navy's boundary, straight to its MX (as another domain's MTA would):
    //    alice's signature only (no domain signature), and a domain signature by an agent
    //    of evil.example on an army.example message.
    let rep = smtp_send(
        navy.mx,
        "alice@army.example",
        "bob@navy.example",
        &alice_message(&pki, "no domain signature"),
    );
    assert!(rep.starts_with("250"), "{rep}");
    let evil = mmhs::smime::sign_message(
        &alice_message(&pki, "rogue domain signature"),
        &pki.signer("evil-sig"),
        &mmhs::smime::SignOptions {
            signature_type: vec![mmhs::smime::SignatureType::Domain],
            signing_time: Some(time::OffsetDateTime::now_utc()),
            ..Default::default()
        },
        &mut mmhs::rng::system_rng(),
    )
    .unwrap();
    let rep = smtp_send(navy.mx, "alice@army.example", "bob@navy.example", &evil);
    assert!(rep.starts_with("250"), "{rep}");
    let log = wait_for("navy's two refusals", 30, || {
        let log = navy_mta.log();
        (log.contains("[domain-signature-missing]") && log.contains("[domain-signature-naming]"))
            .then_some(log)
    });
    assert!(
        log.contains("said: 550 5.7.1 Refused by the domain security policy"),
        "{log}"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        files_in(&bob_new).len(),
        1,
        "only the domain-signed message reached bob"
    );

    // 4. Every action is in the audit trails, both hash chains intact.
    let army_audit = audit_details(&base, "army.example");
    assert!(
        army_audit.iter().any(|r| r.contains("\"event\":\"relay\"")
            && r.contains("domain-signed; encrypted to the DCA of navy.example")),
        "{army_audit:#?}"
    );
    let navy_audit = audit_details(&base, "navy.example");
    assert!(
        navy_audit
            .iter()
            .any(|r| r.contains("\"event\":\"receive\"")
                && r.contains("decrypted by our DCA; smime=pass")),
        "{navy_audit:#?}"
    );
    assert!(navy_audit
        .iter()
        .any(|r| r.contains("\"event\":\"refuse\"") && r.contains("domain-signature-missing")));
    assert!(navy_audit
        .iter()
        .any(|r| r.contains("\"event\":\"refuse\"") && r.contains("domain-signature-naming")));
    drop(army_mta);
}
