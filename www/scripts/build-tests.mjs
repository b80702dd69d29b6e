// Bundles test/*.test.ts for node:test into test-build/ (the pure modules need no browser).
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const www = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(www, "test-build");
rmSync(outdir, { recursive: true, force: true });
const tests = readdirSync(join(www, "test")).filter((f) => f.endsWith(".test.ts"));
await build({
  entryPoints: tests.map((t) => join(www, "test", t)),
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  define: { __MMHS_ORIGINS__: JSON.stringify(["http://127.0.0.1:8025", "http://localhost:8025"]) },
  logLevel: "warning",
});
