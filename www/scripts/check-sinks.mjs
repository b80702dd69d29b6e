// Fails on HTML sinks in www/src (STYLE.md habit 13, after FlowCrypt test/source/patterns.ts).
// Every DOM node is built with createElement/textContent; nothing parses HTML strings.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("../src", import.meta.url).pathname;
const patterns = [
  [/\binnerHTML\b/, "innerHTML"],
  [/\bouterHTML\b/, "outerHTML"],
  [/\binsertAdjacentHTML\b/, "insertAdjacentHTML"],
  [/\bdocument\s*\.\s*write(ln)?\b/, "document.write"],
  [/\bcreateContextualFragment\b/, "createContextualFragment"],
  [/\bDOMParser\b/, "DOMParser"],
  [/\bsrcdoc\b/, "srcdoc"],
];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|js|mjs|html)$/.test(name)) yield p;
  }
}

let failures = 0;
const dirs = [root, new URL("../static", import.meta.url).pathname];
for (const dir of dirs) {
  for (const file of walk(dir)) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      for (const [re, name] of patterns) {
        if (re.test(line)) {
          console.error(`${relative(process.cwd(), file)}:${i + 1}: HTML sink "${name}" is forbidden`);
          failures++;
        }
      }
    });
  }
}
if (failures > 0) {
  console.error(`check-sinks: ${failures} HTML sink(s) found`);
  process.exit(1);
}
console.log("check-sinks: no HTML sinks in src/ or static/");
