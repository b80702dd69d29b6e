// Locations and prerequisites for the e2e tests.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const WEBDRIVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(WEBDRIVER_DIR, "..");
export const WWW = join(REPO, "www");
export const SCREENSHOTS = resolve(join(process.env.TEST_OUTPUT ?? join(REPO, "test-output"), "screenshots"));
export const MMHS_BIN = process.env.MMHS_BIN ?? join(REPO, "target", "debug", "mmhs");

/**
 * Temporary directories made by these tests (extension builds, browser profiles, data dirs),
 * removed when the test process exits; set MMHS_E2E_KEEP=1 to keep them for debugging.
 */
const TEMP_DIRS = new Set();
export function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  TEMP_DIRS.add(d);
  return d;
}
process.on("exit", () => {
  if (process.env.MMHS_E2E_KEEP) return;
  for (const d of TEMP_DIRS) {
    try {
      rmSync(d, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      /* best effort */
    }
  }
});

/** A free loopback TCP port (bound then released). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * Build the unpacked extension into a temp dir, adding the test webmail origin; `grant` origins
 * get a host permission only (as if the user had allowed them in Settings → Webmail origins:
 * a browser permission prompt cannot be answered through WebDriver).
 */
export function buildExtension(origin, { grant = [] } = {}) {
  const out = tempDir("mmhs-ext-");
  const args = [join(WWW, "scripts", "build.mjs"), "--outdir", out];
  if (origin) args.push("--origin", origin);
  for (const g of grant) args.push("--grant", g);
  execFileSync(process.execPath, args, { cwd: WWW, stdio: ["ignore", "pipe", "inherit"] });
  return out;
}

/** Which wasm core functions the built extension carries (parsed from the wasm-bindgen JS glue). */
export function coreExports(extDir) {
  const glue = join(extDir, "core", "mmhs.js");
  if (!existsSync(glue)) return null;
  const js = readFileSync(glue, "utf8");
  const names = new Set();
  for (const m of js.matchAll(/export function ([A-Za-z0-9_$]+)\s*\(/g)) names.add(m[1]);
  for (const m of js.matchAll(/export \{([^}]*)\}/g)) for (const part of m[1].split(",")) names.add(part.trim().split(/\s+as\s+/).pop());
  return names;
}

/** Whether `mmhs serve` exists in the built binary. */
export function serveAvailable() {
  if (!existsSync(MMHS_BIN)) return `no mmhs binary at ${MMHS_BIN} (cargo build)`;
  const r = spawnSync(MMHS_BIN, ["serve", "--help"], { encoding: "utf8", timeout: 20000 });
  if (r.status !== 0) return `"mmhs serve" is not available yet (${(r.stderr || r.stdout || "").trim().split("\n")[0]})`;
  return null;
}

/**
 * Ask the built core itself (loaded in Node with `initSync`) whether `compose` takes the
 * security members the compose panel sends (`labels` for the SIO-Label header); returns the
 * missing thing, or null.
 */
export async function composeLabelsMissing(extDir) {
  const glue = join(extDir, "core", "mmhs.js");
  const m = await import(pathToFileURL(glue).href);
  m.initSync({ module: readFileSync(join(extDir, "core", "mmhs_bg.wasm")) });
  const req = { from: "a@army.example", to: [{ address: "b@navy.example" }], subject: "probe", body: "x", primaryPrecedence: 1, labels: { policy: "1.3.26.1.10.1", classification: 1, categories: [], sioLabel: true } };
  try {
    m.compose(req);
    return null;
  } catch (e) {
    return `wasm compose does not accept the "labels" member yet (${e.code ?? "error"}: ${String(e.message).slice(0, 120)})`;
  }
}

/**
 * The one preamble of the browser scenarios. What a scenario needs of this repository's build —
 * the `mmhs` binary with `serve` (`serve: true`), the wasm core in the extension with the
 * functions `exports` (`extDir` null: no core needed) — is never a reason to skip: `check` (the suite's first `before` hook)
 * fails the suite with every missing piece, so a core that lost an export fails the browser
 * step instead of passing it. What a scenario needs of the machine (`machine`: reasons such as
 * `roundcubeStackMissing()`, null when present) skips the suite with the reason outside
 * scripts/test.sh and fails it under scripts/test.sh (MMHS_TEST_SH=1), as the Rust tests of
 * machine components do. Returns `{ skip, missing, check }`; a caller may push more missing
 * pieces (probes of the core's behaviour) onto `missing` before the suite runs.
 */
export function scenarioPreamble(name, extDir, { exports = [], serve = true, machine = [] } = {}) {
  const missing = [];
  if (serve) {
    const s = serveAvailable();
    if (s) missing.push(s);
  }
  if (extDir !== null) {
    const have = coreExports(extDir);
    if (!have) missing.push("the wasm core is not built into the extension (scripts/test.sh pkg)");
    else for (const fn of exports) if (!have.has(fn)) missing.push(`the wasm core has no "${fn}"`);
  }
  const absent = machine.filter(Boolean);
  if (absent.length > 0 && !process.env.MMHS_TEST_SH) {
    const skip = `needs ${absent.join("; ")}`;
    console.log(`# ${name} skipped — ${skip}`);
    return { skip, missing, check() {} };
  }
  missing.push(...absent);
  return {
    skip: false,
    missing,
    check() {
      if (missing.length > 0) throw new Error(`${name} cannot run: ${missing.join("; ")}`);
    },
  };
}
