// Builds the unpacked extension into dist/ (or --outdir DIR): bundles the scripts with esbuild,
// copies pages, CSS, manifest and the wasm core (../pkg/mmhs{,_read}.js + mmhs{,_read}_bg.wasm, when built).
//   node scripts/build.mjs [--outdir DIR] [--origin http://127.0.0.1:PORT ...] [--grant http://127.0.0.1:PORT ...]
// --origin adds webmail origins (host permissions, content-script matches, adapter) — used by
// the e2e tests, whose `mmhs serve` listens on an ephemeral port.
// --grant adds a host permission only, as if the user had already allowed that origin in
// Settings → Webmail origins (a browser permission prompt cannot be answered through
// WebDriver); the content script is still registered at run time by the settings page.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const www = resolve(here, "..");
const args = process.argv.slice(2);
let outdir = join(www, "dist");
const extraOrigins = [];
const granted = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--outdir") outdir = resolve(args[++i]);
  else if (args[i] === "--origin") extraOrigins.push(args[++i]);
  else if (args[i] === "--grant") granted.push(args[++i]);
  else throw new Error(`unknown argument ${args[i]}`);
}
for (const o of [...extraOrigins, ...granted]) {
  const u = new URL(o);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) throw new Error(`--origin must be loopback: ${o}`);
}
const origins = ["http://127.0.0.1:8025", "http://localhost:8025", ...extraOrigins.map((o) => new URL(o).origin)];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  sourcemap: "linked",
  target: "chrome116",
  logLevel: "warning",
  define: { __MMHS_ORIGINS__: JSON.stringify(origins) },
};
await build({ ...common, entryPoints: { background: join(www, "src/background/worker.ts") }, outdir, format: "esm" });
await build({ ...common, entryPoints: { content: join(www, "src/content/content.ts") }, outdir, format: "iife" });
// The pages' dedicated core worker (module worker: it imports core/mmhs.js).
await build({ ...common, entryPoints: { "core-worker": join(www, "src/core/core-worker.ts") }, outdir, format: "esm" });
await build({
  ...common,
  entryPoints: Object.fromEntries(["reader", "compose", "release", "sent", "options", "popup"].map((p) => [`pages/${p}`, join(www, `src/pages/${p}.ts`)])),
  outdir,
  format: "esm",
  splitting: true,
  chunkNames: "pages/chunks/[name]-[hash]",
});

for (const f of ["reader.html", "compose.html", "release.html", "sent.html", "options.html", "popup.html", "ui.css"]) cpSync(join(www, "static", f), join(outdir, f));

const manifest = JSON.parse(readFileSync(join(www, "static/manifest.json"), "utf8"));
const patterns = origins.map((o) => `${o}/*`);
manifest.host_permissions = [...patterns, ...granted.map((o) => `${new URL(o).origin}/*`)];
manifest.content_scripts[0].matches = patterns;
manifest.web_accessible_resources[0].matches = patterns;
writeFileSync(join(outdir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

// MMHS_PKG (set by scripts/test.sh) overrides the default ../pkg
const pkg = process.env.MMHS_PKG ? resolve(process.env.MMHS_PKG) : resolve(www, "..", "pkg");
// Both modules of the core (scripts/build-wasm.sh; src/shared/core-modules.ts): the read
// module a reader loads first, and the full one.
const coreFiles = ["mmhs.js", "mmhs_bg.wasm", "mmhs_read.js", "mmhs_read_bg.wasm"];
if (coreFiles.every((f) => existsSync(join(pkg, f)))) {
  mkdirSync(join(outdir, "core"), { recursive: true });
  for (const f of coreFiles) cpSync(join(pkg, f), join(outdir, "core", f));
  console.log(`build: wasm core (full and read modules) copied from ${pkg}`);
} else {
  console.warn(`build: WARNING no wasm core at ${pkg} (run scripts/build-wasm.sh web pkg in the crate root); the extension will show "core-unavailable"`);
}
console.log(`build: extension written to ${outdir} (webmail origins: ${origins.join(", ")})`);
