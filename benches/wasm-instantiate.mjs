// Benchmark (not a test): how long the browser package takes to start in Chromium — fetch,
// `WebAssembly.instantiateStreaming` (compile + instantiate) and wasm-bindgen's start, as the
// extension's first call pays it — in a fresh headless Chromium per run (nothing cached), the
// package served from 127.0.0.1 as `application/wasm`. Run:
//
//   scripts/build-wasm.sh web pkg
//   node benches/wasm-instantiate.mjs [PKG_DIR] [RUNS] [MODULE]   # default pkg/, 5 runs, mmhs
//
// MODULE is mmhs (every export) or mmhs_read (the read module the extension opens a message
// with; docs/js-api.md).
//
// Prints each run and the median, in milliseconds (performance.now() in the page); also the
// wasm's size, raw and gzip -9. CHROMIUM overrides the browser binary.
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';

const pkg = path.resolve(process.argv[2] ?? 'pkg');
const runs = Number(process.argv[3] ?? 5);
const name = process.argv[4] ?? 'mmhs';
if (!['mmhs', 'mmhs_read'].includes(name)) throw new Error(`unknown module ${name}`);
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const wasm = readFileSync(path.join(pkg, `${name}_bg.wasm`));
const glue = readFileSync(path.join(pkg, `${name}.js`));

const page = `<!doctype html><meta charset="utf-8"><body><pre id="out">pending</pre><script type="module">
const out = document.getElementById('out');
try {
  const t0 = performance.now();
  const m = await import('/mmhs.js');
  const t1 = performance.now();
  await m.default(fetch('/mmhs_bg.wasm'));
  const t2 = performance.now();
  const v = m.version();
  const t3 = performance.now();
  await fetch('/result', { method: 'POST', body: JSON.stringify({ glue: t1 - t0, init: t2 - t1, firstCall: t3 - t2 }) });
} catch (e) {
  await fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(e) }) });
}
</script>`;

let waiting = null;
const server = createServer((req, res) => {
  if (req.url === '/result') {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      res.writeHead(204).end();
      waiting?.(JSON.parse(data));
    });
    return;
  }
  const body = { '/': page, '/mmhs.js': glue, '/mmhs_bg.wasm': wasm }[req.url];
  const type = { '/': 'text/html', '/mmhs.js': 'text/javascript', '/mmhs_bg.wasm': 'application/wasm' }[req.url];
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const once = () =>
  new Promise((resolve, reject) => {
    const profile = mkdtempSync(path.join(tmpdir(), 'mmhs-instantiate-'));
    const child = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-extensions', `--user-data-dir=${profile}`, url], { stdio: 'ignore', detached: true });
    const done = (f) => {
      clearTimeout(timer);
      waiting = null;
      // the whole process group: Chromium's helper processes write to the profile too
      child.on('exit', () => {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        f();
      });
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => done(() => reject(new Error('no result in 60 s'))), 60000);
    waiting = (r) => done(() => (r.error ? reject(new Error(r.error)) : resolve(r)));
  });

const results = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  results.push(r);
  console.log(`run ${i + 1}: glue ${r.glue.toFixed(1)} ms, fetch + instantiateStreaming + start ${r.init.toFixed(1)} ms, first call ${r.firstCall.toFixed(2)} ms`);
}
server.close();
const med = (k) => results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
console.log(`\n${name}_bg.wasm ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} gzipped; ` +
  `median of ${runs} fresh Chromium runs: init ${med('init').toFixed(1)} ms (glue import ${med('glue').toFixed(1)} ms, first call ${med('firstCall').toFixed(2)} ms)`);
