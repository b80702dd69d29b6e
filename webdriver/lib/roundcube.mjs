// A real Roundcube stack on loopback for the e2e tests, from Debian's packages (scripts/setup.sh),
// started and stopped by the test with its own configuration under one temporary directory:
//   Dovecot   IMAP on a free port, users from a passwd-file, Maildir (<tmp>/mail/<domain>/<user>)
//   Postfix   submission (no AUTH, loopback clients only) on a free port, virtual delivery to
//             the same Maildirs
//   Roundcube `php -S 127.0.0.1:<free>` with a router script (docroot /var/lib/roundcube, the
//             Debian layout), SQLite database and logs in <tmp>, the repository's mmhs plugin
// Needs root (Postfix's master and Dovecot switch users), like tests/boundary_postfix.rs.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { REPO, freePort, tempDir } from "./env.mjs";

export const ROUNDCUBE_ROOT = "/var/lib/roundcube";
const NOBODY = 65534;

/** Why the stack cannot run here (null = it can): the packages scripts/setup.sh installs, and root. */
export function roundcubeStackMissing() {
  const need = { "/usr/sbin/postfix": "postfix", "/usr/sbin/dovecot": "dovecot-imapd", "/usr/bin/php": "php-cli", [`${ROUNDCUBE_ROOT}/index.php`]: "roundcube", "/usr/share/roundcube/program/lib/Roundcube/db/sqlite.php": "roundcube-sqlite3" };
  const missing = Object.entries(need).filter(([f]) => !existsSync(f)).map(([, p]) => p);
  if (missing.length > 0) return `missing Debian packages: ${missing.join(", ")} (scripts/setup.sh)`;
  if (process.getuid?.() !== 0) return "the Roundcube stack needs root (Postfix's master and Dovecot change users)";
  const php = spawnSync("php", ["-m"], { encoding: "utf8" });
  for (const m of ["pdo_sqlite", "mbstring", "intl"]) if (!php.stdout.includes(m)) return `php module ${m} missing (scripts/setup.sh)`;
  return null;
}

function waitPort(port, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = createConnection({ host: "127.0.0.1", port }, () => { s.destroy(); resolve(); });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > end) reject(new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 150);
      });
    };
    attempt();
  });
}

function run(cmd, args) {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
}

/** Start a daemon that detaches (its children must not hold our pipes open). */
function daemon(cmd, args, log) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"], timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}\n${existsSync(log) ? readFileSync(log, "utf8").slice(-3000) : ""}`);
}

/**
 * Start the stack for `users` ([{ address, password }]). Returns { origin, imapPort, smtpPort,
 * dir, maildirNew(address), inboxFiles(address), sentFiles(address), log(), stop() }.
 * `smtpHost` points Roundcube at another SMTP server than this stack's Postfix (e.g. `mmhs
 * serve`'s submission agent), `smtpAuth` makes Roundcube authenticate there as the logged-in
 * user with the login password (`%u` / `%p`).
 */
export async function startRoundcube(users, { smtpHost = null, smtpAuth = false } = {}) {
  const dir = tempDir("mmhs-rc-");
  chmodSync(dir, 0o755); // postfix, dovecot and nobody traverse it
  const [imapPort, smtpPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const domains = [...new Set(users.map((u) => u.address.split("@")[1]))];
  for (const d of ["mail", "postfix/etc", "postfix/queue", "postfix/data", "dovecot/run", "rc/config", "rc/plugins", "rc/temp", "rc/logs"]) mkdirSync(join(dir, d), { recursive: true });
  for (const u of users) {
    const [local, domain] = u.address.split("@");
    for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(dir, "mail", domain, local, sub), { recursive: true });
  }
  run("chown", ["-R", `${NOBODY}:${NOBODY}`, join(dir, "mail")]);
  run("chown", ["postfix:postfix", join(dir, "postfix/data")]);

  // ---------------------------------------------------------------- Dovecot
  const passwd = users.map((u) => `${u.address}:{PLAIN}${u.password}:${NOBODY}:${NOBODY}::${join(dir, "mail", u.address.split("@")[1], u.address.split("@")[0])}::\n`).join("");
  writeFileSync(join(dir, "dovecot/passwd"), passwd, { mode: 0o640 });
  run("chown", ["root:dovecot", join(dir, "dovecot/passwd")]);
  writeFileSync(join(dir, "dovecot/dovecot.conf"), `# e2e: IMAP only, loopback, plaintext auth on loopback, Maildir
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/dovecot/run
state_dir = ${dir}/dovecot/run/state
instance_name = mmhs-e2e-${httpPort}
log_path = ${dir}/dovecot/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~
first_valid_uid = ${NOBODY}
mail_uid = ${NOBODY}
mail_gid = ${NOBODY}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/dovecot/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/dovecot/passwd
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`);
  daemon("/usr/sbin/dovecot", ["-c", join(dir, "dovecot/dovecot.conf")], join(dir, "dovecot/dovecot.log"));

  // ---------------------------------------------------------------- Postfix
  const pf = join(dir, "postfix");
  writeFileSync(join(pf, "vmailbox"), users.map((u) => `${u.address} ${u.address.split("@")[1]}/${u.address.split("@")[0]}/\n`).join(""));
  writeFileSync(join(pf, "etc/main.cf"), `compatibility_level = 3.6
queue_directory = ${pf}/queue
data_directory = ${pf}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.e2e.example
mydomain = e2e.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = ${domains.join(", ")}
virtual_mailbox_base = ${dir}/mail
virtual_mailbox_maps = texthash:${pf}/vmailbox
virtual_uid_maps = static:${NOBODY}
virtual_gid_maps = static:${NOBODY}
virtual_minimum_uid = 100
alias_maps =
alias_database =
smtp_dns_support_level = disabled
smtputf8_enable = no
biff = no
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
maillog_file = ${pf}/postfix.log
maillog_file_prefixes = ${pf}
`);
  writeFileSync(join(pf, "etc/master.cf"), `127.0.0.1:${smtpPort} inet n - n - - smtpd
  -o syslog_name=postfix/submission
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
`);
  daemon("/usr/sbin/postfix", ["-c", join(pf, "etc"), "start"], join(pf, "postfix.log"));

  // ---------------------------------------------------------------- Roundcube
  const rc = join(dir, "rc");
  symlinkSync(join(REPO, "roundcube", "plugins", "mmhs"), join(rc, "plugins", "mmhs"));
  // The plugins Debian ships (some are required by Roundcube itself).
  for (const p of readdirSync(join(ROUNDCUBE_ROOT, "plugins"))) if (p !== "mmhs") symlinkSync(join(ROUNDCUBE_ROOT, "plugins", p), join(rc, "plugins", p));
  for (const f of ["defaults.inc.php", "mimetypes.php"]) if (existsSync(`/etc/roundcube/${f}`)) symlinkSync(`/etc/roundcube/${f}`, join(rc, "config", f));
  const php = (v) => JSON.stringify(v).replace(/\$/g, "\\$");
  writeFileSync(join(rc, "config", "config.inc.php"), `<?php
// e2e configuration (webdriver/lib/roundcube.mjs)
$config = [];
$config['db_dsnw'] = ${php(`sqlite:///${rc}/roundcube.db?mode=0600`)};
$config['imap_host'] = ${php(`127.0.0.1:${imapPort}`)};
$config['smtp_host'] = ${php(smtpHost ?? `127.0.0.1:${smtpPort}`)};
$config['smtp_user'] = ${smtpAuth ? "'%u'" : "''"};
$config['smtp_pass'] = ${smtpAuth ? "'%p'" : "''"};
$config['smtp_log'] = true;
$config['smtp_debug'] = true; // the SMTP dialogue in logs/smtp.log (the tests read the parameters sent)
$config['log_dir'] = ${php(`${rc}/logs/`)};
$config['temp_dir'] = ${php(`${rc}/temp/`)};
$config['des_key'] = ${php(Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64"))};
$config['plugins'] = ['mmhs'];
$config['skin'] = 'elastic';
$config['enable_installer'] = false;
$config['enable_spellcheck'] = false;
$config['create_default_folders'] = true;
$config['sent_mbox'] = 'Sent';
$config['drafts_mbox'] = 'Drafts';
$config['trash_mbox'] = 'Trash';
$config['junk_mbox'] = '';
$config['identities_level'] = 3;
$config['login_rate_limit'] = 0;
$config['mmhs_max_message_size'] = 10485760;
$config['max_recipients'] = 20;
`);
  // php -S serves files of the Debian docroot itself; everything else is Roundcube's index.php
  // with the plugins directory of this test (the mmhs plugin of the repository).
  writeFileSync(join(rc, "router.php"), `<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (preg_match('#^/plugins/([a-z0-9_]+)/([A-Za-z0-9_./-]+\\.(js|css|png|svg|gif))$#', $path, $m) && strpos($m[2], '..') === false) {
    $f = ${php(`${rc}/plugins/`)} . $m[1] . '/' . $m[2];
    if (is_file($f)) {
        header('Content-Type: ' . ['js' => 'text/javascript', 'css' => 'text/css', 'png' => 'image/png', 'svg' => 'image/svg+xml', 'gif' => 'image/gif'][$m[3]]);
        readfile($f);
        return true;
    }
}
if ($path !== '/' && !preg_match('/\\.php$/', $path) && is_file(${php(ROUNDCUBE_ROOT)} . $path)) {
    return false;
}
define('RCUBE_PLUGINS_DIR', ${php(`${rc}/plugins/`)});
chdir(${php(ROUNDCUBE_ROOT)});
require ${php(`${ROUNDCUBE_ROOT}/index.php`)};
`);
  const child = spawn("php", ["-d", "post_max_size=16M", "-d", "memory_limit=256M", "-d", "display_errors=stderr", "-S", `127.0.0.1:${httpPort}`, "-t", ROUNDCUBE_ROOT, join(rc, "router.php")], {
    cwd: ROUNDCUBE_ROOT,
    env: { ...process.env, ROUNDCUBE_CONFIG_DIR: join(rc, "config"), PHP_CLI_SERVER_WORKERS: "4" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: the server and its workers are stopped together
  });
  let phpLog = "";
  child.stdout.on("data", (d) => { phpLog = (phpLog + d).slice(-20000); });
  child.stderr.on("data", (d) => { phpLog = (phpLog + d).slice(-20000); });

  const stack = {
    dir,
    origin: `http://127.0.0.1:${httpPort}`,
    imapPort,
    smtpPort,
    /** The `new` directory of a user's Maildir (Postfix's virtual delivery). */
    maildirNew(address) {
      const [local, domain] = address.split("@");
      return join(dir, "mail", domain, local, "new");
    },
    /** Every message file of a user's INBOX (new and cur). */
    inboxFiles(address) {
      const [local, domain] = address.split("@");
      const base = join(dir, "mail", domain, local);
      return ["new", "cur"].flatMap((s) => (existsSync(join(base, s)) ? readdirSync(join(base, s)).map((f) => join(base, s, f)) : []));
    },
    /** Messages of a user's Sent folder (Dovecot Maildir++ ".Sent"). */
    sentFiles(address) {
      const [local, domain] = address.split("@");
      const base = join(dir, "mail", domain, local, ".Sent");
      return ["new", "cur"].flatMap((s) => (existsSync(join(base, s)) ? readdirSync(join(base, s)).map((f) => join(base, s, f)) : []));
    },
    log() {
      const read = (f) => (existsSync(f) ? readFileSync(f, "utf8").slice(-4000) : "");
      return `--- php\n${phpLog}\n--- roundcube errors\n${read(join(rc, "logs/errors.log"))}\n--- smtp\n${read(join(rc, "logs/smtp.log"))}\n--- postfix\n${read(join(pf, "postfix.log"))}\n--- dovecot\n${read(join(dir, "dovecot/dovecot.log"))}`;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => { child.once("exit", r); setTimeout(r, 3000); });
        try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
        await exited;
      }
      child.stdout.destroy();
      child.stderr.destroy();
      spawnSync("/usr/sbin/postfix", ["-c", join(pf, "etc"), "stop"], { stdio: "ignore", timeout: 20000 });
      spawnSync("/usr/bin/doveadm", ["-c", join(dir, "dovecot/dovecot.conf"), "stop"], { stdio: "ignore", timeout: 20000 });
      // Whatever is left of ours (pid files in our own directories only).
      for (const f of [join(pf, "queue/pid/master.pid"), join(dir, "dovecot/run/master.pid")]) {
        const pid = existsSync(f) ? Number(readFileSync(f, "utf8").trim()) : 0;
        if (pid > 1 && existsSync(`/proc/${pid}`)) try { process.kill(pid, "SIGTERM"); } catch { /* gone */ }
      }
    },
  };
  try {
    await Promise.all([waitPort(imapPort), waitPort(smtpPort), waitPort(httpPort)]);
  } catch (err) {
    await stack.stop();
    throw new Error(`${err.message}\n${stack.log()}`);
  }
  return stack;
}

/**
 * A Roundcube session driven from Node (for checks that need no browser): login with the
 * login form's request token, then the mmhs plugin's meta element gives the session's token.
 */
export class RoundcubeSession {
  constructor(origin) {
    this.origin = origin;
    this.cookies = new Map();
    this.token = null;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async fetch(path, init = {}) {
    const headers = { ...(init.headers ?? {}), Cookie: this.cookieHeader() };
    const r = await fetch(this.origin + path, { ...init, headers, redirect: "manual" });
    for (const c of r.headers.getSetCookie()) {
      const [kv] = c.split(";");
      const i = kv.indexOf("=");
      const v = kv.slice(i + 1);
      if (v === "deleted" || v === "") this.cookies.delete(kv.slice(0, i));
      else this.cookies.set(kv.slice(0, i), v);
    }
    return r;
  }

  async login(user) {
    const page = await (await this.fetch("/?_task=login")).text();
    const token = /name="_token" value="([^"]+)"/.exec(page)?.[1];
    if (!token) throw new Error("no _token on Roundcube's login page");
    const body = new URLSearchParams({ _token: token, _task: "login", _action: "login", _timezone: "UTC", _url: "", _user: user.address, _pass: user.password });
    const r = await this.fetch("/?_task=login", { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    if (r.status !== 302) throw new Error(`Roundcube login ${user.address}: HTTP ${r.status}`);
    const mail = await (await this.fetch("/?_task=mail&_mbox=INBOX")).text();
    this.token = /<meta name="mmhs-roundcube" content="([^"]+)"/.exec(mail)?.[1] ?? null;
    if (!this.token) throw new Error("the mmhs plugin's meta element is missing from Roundcube's mail page");
    return this;
  }

  /** POST the plugin's send action; `opts.token` overrides the request token (null = none). */
  async send(body, opts = {}) {
    const token = "token" in opts ? opts.token : this.token;
    const headers = { "Content-Type": opts.contentType ?? "application/json" };
    if (token !== null) headers["X-Roundcube-Request"] = token;
    const r = await this.fetch("/?_task=mail&_action=plugin.mmhs-send", { method: opts.method ?? "POST", headers, body: typeof body === "string" || body === undefined ? body : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
  }
}
