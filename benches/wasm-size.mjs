// Where the bytes of the wasm package go (not a test): section sizes, code bytes per crate and
// the largest functions, read from the module's name section. Needs a build that keeps the
// names, i.e. without build-wasm.sh's wasm-opt stripping:
//
//   MMHS_WASM_OPT=0 scripts/build-wasm.sh nodejs target/pkg-size
//   node benches/wasm-size.mjs target/pkg-size/mmhs_bg.wasm [TOP]
//
// A function counts for the crate of the first `crate::` path in its (demangled) name, so
// generic code monomorphised elsewhere is attributed approximately. Format: WebAssembly core
// specification §5.5 (binary modules) and appendix "Name section".
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  console.error('usage: node benches/wasm-size.mjs FILE.wasm [TOP]');
  process.exit(2);
}
const b = readFileSync(file);
let p = 8; // after the magic number and version
const leb = () => {
  let r = 0, s = 0, x;
  do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return r;
};
const skipLimits = () => { const flags = b[p++]; leb(); if (flags & 1) leb(); };

const sections = [];
let funcImports = 0, code = null, names = null;
while (p < b.length) {
  const id = b[p++];
  const len = leb();
  const end = p + len;
  let name = '';
  if (id === 0) { const n = leb(); name = b.subarray(p, p + n).toString(); p += n; }
  sections.push(`${id === 0 ? 'custom:' + name : 'id ' + id}=${len}`);
  if (id === 2) { // imports: only function imports shift the function index space
    for (let i = 0, n = leb(); i < n; i++) {
      for (let k = 0; k < 2; k++) { const l = leb(); p += l; } // module and field names
      const kind = b[p++];
      if (kind === 0) { leb(); funcImports++; }
      else if (kind === 1) { p++; skipLimits(); }
      else if (kind === 2) skipLimits();
      else p += 2;
    }
  }
  if (id === 10) code = p;
  if (id === 0 && name === 'name') names = [p, end];
  p = end;
}
console.log(`${file}: ${b.length} bytes; sections ${sections.join(' ')}`);

const fnName = new Map();
if (names) {
  p = names[0];
  while (p < names[1]) {
    const sub = b[p++];
    const end = leb() + p;
    if (sub === 1) {
      for (let i = 0, n = leb(); i < n; i++) {
        const idx = leb();
        const l = leb();
        fnName.set(idx, b.subarray(p, p + l).toString());
        p += l;
      }
    }
    p = end;
  }
} else {
  console.log('no name section: build with MMHS_WASM_OPT=0 to keep the names');
}
if (code === null) process.exit(0);

p = code;
const fns = [];
for (let i = 0, n = leb(); i < n; i++) {
  const l = leb();
  fns.push([l, fnName.get(funcImports + i) ?? `func ${funcImports + i}`]);
  p += l;
}
fns.sort((x, y) => y[0] - x[0]);
const total = fns.reduce((a, [l]) => a + l, 0);
const byCrate = new Map();
for (const [l, n] of fns) {
  const crate = n.match(/([a-z_][a-z0-9_]*)::/)?.[1] ?? '(unnamed)';
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + l);
}
console.log(`\n${fns.length} functions, ${total} bytes of code\n\nbytes     crate`);
for (const [c, l] of [...byCrate].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`${String(l).padStart(8)}  ${c}`);
}
console.log('\nbytes     function');
for (const [l, n] of fns.slice(0, top)) console.log(`${String(l).padStart(8)}  ${n.slice(0, 150)}`);
