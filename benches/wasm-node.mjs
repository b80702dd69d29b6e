// Benchmark (not a test) of the wasm build in Node: sign, verify, encrypt and decrypt at
// 1 KiB, 1 MiB and 10 MiB, printed as a table (the native counterpart is
// `cargo bench --bench smime`). Keys are made here with the openssl CLI (P-256; nothing is
// committed). Run after an optimised Node build of the package:
//
//   scripts/build-wasm.sh nodejs target/pkg-node   # scripts/test.sh pkg does this
//   node benches/wasm-node.mjs [--quick]
//
// MMHS_PKG_NODE overrides the package directory. `--quick` runs only 1 KiB and 1 MiB.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mmhs } from '../tests/js/pkg.mjs';

const quick = process.argv.includes('--quick');
const AT = '2030-01-01T00:00:00Z';
const dir = mkdtempSync(path.join(tmpdir(), 'mmhs-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const write = (f, data) => writeFileSync(path.join(dir, f), data);
const read = (f) => readFileSync(path.join(dir, f), 'utf8');

// A root and one P-256 S/MIME user (signing and key agreement).
write('ca.cnf', '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
write('req.cnf', '[req]\ndistinguished_name=dn\n[dn]\n');
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-subj', '/O=MMHS Bench/CN=Bench Root', '-days', '3650', '-config', 'ca.cnf');
openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'u.key');
openssl('req', '-new', '-key', 'u.key', '-out', 'u.csr', '-subj', '/O=MMHS Bench/CN=user', '-config', 'req.cnf');
write('u.ext', 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:user@example.mil\n');
openssl('x509', '-req', '-in', 'u.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '7', '-days', '3650',
  '-out', 'u.pem', '-extfile', 'u.ext');
const user = { pkcs8: read('u.key'), certificate: read('u.pem') };
const ca = read('ca.pem');

function message(size) {
  const head =
    'From: User <user@example.mil>\r\nTo: hq@example.mil\r\nSubject: Bench\r\n' +
    'Date: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <bench@example.mil>\r\n' +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n';
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQ\r\n';
  return Buffer.from(head + line.repeat(Math.max(1, Math.ceil(size / line.length))));
}

/** Run `fn` at least 3 times and for at least 1 s (at most 50 runs); mean ms per run. */
function time(fn) {
  fn(); // warm-up
  let runs = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (runs < 3 || (elapsed < 1000 && runs < 50)) {
    fn();
    runs += 1;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return elapsed / runs;
}

const sizes = quick ? [['1 KiB', 1024], ['1 MiB', 1 << 20]] : [['1 KiB', 1024], ['1 MiB', 1 << 20], ['10 MiB', 10 << 20]];
const rows = [];
for (const [label, size] of sizes) {
  const msg = message(size);
  const signed = mmhs.sign(msg, user, { signingTime: AT });
  const enc = mmhs.encrypt(msg, [user.certificate], {});
  const check = mmhs.verify(signed, { trustAnchors: [ca], at: AT });
  if (!check.valid) throw new Error(`bench setup: signed message does not verify: ${JSON.stringify(check.problems)}`);
  const ops = [
    ['sign', () => mmhs.sign(msg, user, { signingTime: AT })],
    ['verify', () => mmhs.verify(signed, { trustAnchors: [ca], at: AT })],
    ['encrypt', () => mmhs.encrypt(msg, [user.certificate], {})],
    ['decrypt', () => mmhs.decrypt(enc, user)],
  ];
  for (const [op, fn] of ops) {
    const ms = time(fn);
    rows.push([op, label, ms.toFixed(2), ((msg.length / (1 << 20)) / (ms / 1000)).toFixed(1)]);
  }
}
const header = ['operation', 'size', 'ms/op', 'MiB/s'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const fmt = (r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`mmhs ${mmhs.version().version} — wasm in Node ${process.version}`);
console.log(fmt(header));
for (const r of rows) console.log(fmt(r));
