// Node-side helpers for the reference webmail's JSON API (docs/server.md) and its data dir:
// used by the e2e tests to check where messages landed, independently of the extension.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MMHS_BIN } from "./env.mjs";

/** Demo users created by `mmhs serve` on first run (src/server/config.rs DEMO_USERS). */
export const USERS = {
  alice: { address: "alice@army.example", password: "alice-demo" },
  officer: { address: "officer@army.example", password: "officer-demo" },
  bob: { address: "bob@navy.example", password: "bob-demo" },
};

export class Api {
  constructor(origin, token) {
    this.origin = origin;
    this.token = token;
  }

  static async login(origin, user) {
    const r = await fetch(`${origin}/api/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ address: user.address, password: user.password }) });
    if (!r.ok) throw new Error(`login ${user.address}: HTTP ${r.status} ${await r.text()}`);
    return new Api(origin, (await r.json()).token);
  }

  async get(path) {
    const r = await fetch(this.origin + path, { headers: { Authorization: `Bearer ${this.token}` } });
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${await r.text()}`);
    return r;
  }

  async list(folder) {
    return (await (await this.get(`/api/folders/${encodeURIComponent(folder)}/messages`)).json()).messages;
  }

  /** Submit a raw message (bytes) through the webmail's `/api/send` with its envelope. */
  async send(raw, envelope) {
    const r = await fetch(`${this.origin}/api/send`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ raw: Buffer.from(raw).toString("base64"), encoding: "base64", envelope }),
    });
    if (!r.ok) throw new Error(`POST /api/send: HTTP ${r.status} ${await r.text()}`);
    return r.json();
  }

  async raw(id) {
    return Buffer.from(await (await this.get(`/api/messages/${id}/raw`)).arrayBuffer());
  }

  /** Poll a folder until a message matching `pred` appears (bounded). */
  async waitFor(folder, pred, timeoutMs = 30_000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.list(folder)).find(pred);
      if (found) return found;
      if (Date.now() > end) throw new Error(`no matching message in ${folder} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** PKCS#12 for a demo user, made with the openssl CLI from the demo PKI's PEM files. */
export function makePkcs12(dataDir, address, password, outDir) {
  const pki = join(dataDir, "pki");
  const out = join(outDir, `${address}.p12`);
  execFileSync("openssl", ["pkcs12", "-export", "-inkey", join(pki, `${address}.key.pem`), "-in", join(pki, `${address}.cert.pem`), "-certfile", join(pki, "ca.cert.pem"), "-passout", `pass:${password}`, "-out", out]);
  return out;
}

export function caPem(dataDir) {
  const f = join(dataDir, "pki", "ca.cert.pem");
  if (!existsSync(f)) throw new Error(`no demo CA at ${f}`);
  return readFileSync(f, "utf8");
}

/**
 * Alter a stored message behind the webmail's back (scenario 4): replace `from` by `to` in the
 * raw bytes of message `id` directly in the SQLite store.
 */
export function tamperStored(dataDir, id, from, to) {
  const db = join(dataDir, "mail.sqlite");
  const script = `
import sqlite3, sys
db, mid, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()
c = sqlite3.connect(db)
(raw,) = c.execute("SELECT raw FROM messages WHERE id = ?", (mid,)).fetchone()
assert a in raw, "marker not found in stored message"
c.execute("UPDATE messages SET raw = ? WHERE id = ?", (raw.replace(a, b, 1), mid))
c.commit()
`;
  execFileSync("python3", ["-c", script, db, String(id), from, to]);
}

/**
 * The core's verification report of `raw` (`mmhs verify --trust <demo CA> --at <now>`,
 * docs/cli.md), independently of the extension: what the reader must render.
 */
export function verifyReport(dataDir, raw, outDir) {
  const eml = join(outDir, `verify-${Date.now()}.eml`);
  writeFileSync(eml, raw);
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const r = spawnSync(MMHS_BIN, ["verify", eml, "--trust", join(dataDir, "pki", "ca.cert.pem"), "--at", at], { encoding: "utf8", timeout: 30000 });
  // exit 0 = valid, 1 = not valid; anything else is a failure of the command itself
  if (r.status !== 0 && r.status !== 1) throw new Error(`mmhs verify: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
