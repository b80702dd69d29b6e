// Checks that every relative link in README.md, docs/*.md and webdriver/README.md points at a
// file or directory that exists, and that every `docs/NAME.md` named in a comment or string of
// the sources (src/, www/src/, tests/, benches/, scripts/, roundcube/) exists (scripts/test.sh
// step `docs`). External links are not fetched.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const files = ["README.md", "webdriver/README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
let bad = 0;
for (const f of files) {
  const path = join(root, f);
  if (!existsSync(path)) continue;
  const text = readFileSync(path, "utf8").replace(/```[\s\S]*?```/g, "");
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1].split("#")[0];
    if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // anchors, http:, mailto:
    if (!existsSync(resolve(dirname(path), target))) {
      console.error(`${f}: broken link ${m[1]}`);
      bad++;
    }
  }
}

// Sources that point readers at a document: `docs/NAME.md` must exist.
const sourceDirs = ["src", "www/src", "tests", "benches", "scripts", "roundcube", "webdriver/tests"];
const sourceExt = /\.(rs|ts|mjs|js|php|sh|toml)$/;
let sources = 0;
function walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "vectors" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (sourceExt.test(name) && p !== fileURLToPath(import.meta.url)) {
      sources++;
      const text = readFileSync(p, "utf8");
      for (const m of text.matchAll(/\bdocs\/([A-Za-z0-9_.-]+\.md)/g)) {
        if (!existsSync(join(root, "docs", m[1]))) {
          console.error(`${p.slice(root.length + 1)}: names missing docs/${m[1]}`);
          bad++;
        }
      }
    }
  }
}
for (const d of sourceDirs) walk(join(root, d));
if (bad) process.exit(1);
console.log(`docs: links in ${files.length} files resolve; docs named in ${sources} source files exist`);
