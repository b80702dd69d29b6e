// Checks that every relative link in README.md, docs/*.md and webdriver/README.md points at a
// file or directory that exists (scripts/test.sh step `docs`). External links are not fetched.
import { existsSync, readdirSync, readFileSync } from "node:fs";
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
if (bad) process.exit(1);
console.log(`docs: links in ${files.length} files resolve`);
