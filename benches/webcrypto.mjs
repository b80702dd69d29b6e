// Benchmark (not a test) in Node, one process run: sign / verify (with chain) / encrypt /
// decrypt × RSA-2048, P-256, KTRI RSA-OAEP and RSAES-PKCS1-v1_5, KARI ECDH P-256 with AES-CBC and
// AES-GCM × 1 KiB, 100 KiB, 1 MiB, 10 MiB — the sync wasm API (key from PEM), the async wasm API on WebCrypto
// (`unlockKey` once, then `signAsync`, `verifyAsync`, `encryptAsync`, `decryptAsync`), and
// PKI.js on the same WebCrypto (its SignedData / EnvelopedData, DER in and out: less work than
// our S/MIME in and out) — plus the stored-key (PBKDF2 600 000) rows at 1 KiB; beside them
// OpenSSL 3 in-process, the native ceiling: benches/openssl-peer (built here with cargo,
// linked to the system's libcrypto) runs each cell's operation through libcrypto's CMS API
// on the same input (the message, or the sync API's signed or encrypted output) after the
// rows are timed, in the same run, twice: the CMS layer alone with DER in and out (as PKI.js;
// the signed content given apart) and S/MIME in and out (SMIME_read_CMS / SMIME_write_CMS,
// as `openssl cms` and as our API). Keys are made here with the openssl CLI; nothing is committed. Run:
//
//   scripts/build-wasm.sh nodejs target/pkg-node
//   npm ci   # PKI.js is a devDependency of the repository root
//   node benches/webcrypto.mjs [--quick] [--small] [--memory]
//     --quick: 1 KiB and 1 MiB, fewer runs
//     --small: 1 KiB only, 200 runs (the small-message cells)
//     --memory: only the peak memory of one 10 MiB operation per fresh process (below)
//     --only=TEXT: only the operations whose name contains TEXT (e.g. --only=decrypt)
//
// Medians in milliseconds, each after as many untimed calls as it times, and a second of
// them at least (median()).
// MMHS_PKG_NODE overrides the package directory.
//
// Peak memory (--memory, and after the timing table otherwise): each 10 MiB async operation
// runs once in a fresh Node process (this script with --memory-child=OP) on a message made
// here; the child reports the module's linear memory before and after (wasm memory only
// grows, so "after" is the operation's high-water mark). Beside it, JS holds the input and
// the result (and WebCrypto its own copy of what it hashes or decrypts while it works).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';

// The full module's instance, for its memory size: the package creates it on import (told
// from any other instance in the process, such as the read module's, by its signAsync).
const instances = [];
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args) {
    const instance = Reflect.construct(target, args);
    instances.push(instance);
    return instance;
  },
});
const { mmhs } = await import('../tests/js/pkg.mjs');
const wasmInstance = instances.find((i) => typeof i.exports.signAsync === 'function');
const wasmMemory = () => wasmInstance.exports.memory.buffer.byteLength;

const quick = process.argv.includes('--quick');
const memoryOnly = process.argv.includes('--memory');
const memoryChild = process.argv.find((a) => a.startsWith('--memory-child='))?.slice('--memory-child='.length);
const small = process.argv.includes('--small');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? '';
const AT = '2030-01-01T00:00:00Z';
const MIB = 1 << 20;

if (memoryChild) {
  // One operation on the prepared 10 MiB input, in this fresh process.
  const dir = process.env.MMHS_BENCH_DIR;
  const [op, name] = memoryChild.split(':');
  const input = new Uint8Array(readFileSync(path.join(dir, `${memoryChild.replace(':', '-')}.in`)));
  const plain = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  const key = await mmhs.unlockKey(plain);
  const ca = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  const before = wasmMemory();
  if (op === 'sign') await mmhs.signAsync(input, key, { signingTime: AT });
  else if (op === 'verify') await mmhs.verifyAsync(input, { trustAnchors: [ca], at: AT });
  else await mmhs.decryptAsync(input, key);
  console.log(JSON.stringify({ size: input.length, before, after: wasmMemory() }));
  process.exit(0);
}

const dir = mkdtempSync(path.join(tmpdir(), 'mmhs-bench-wc-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const write = (f, data) => writeFileSync(path.join(dir, f), data);
const read = (f) => readFileSync(path.join(dir, f), 'utf8');
const der = (pem) => Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
const ab = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

write('ca.cnf', '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
write('req.cnf', '[req]\ndistinguished_name=dn\n[dn]\n');
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-subj', '/O=MMHS Bench/CN=Bench Root', '-days', '3650', '-config', 'ca.cnf');
const users = {};
for (const [i, [name, alg, usage]] of [
  ['p256', ['EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'digitalSignature,keyAgreement'],
  ['rsa', ['RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'digitalSignature,keyEncipherment'],
].entries()) {
  openssl('genpkey', '-algorithm', ...alg, '-out', `${name}.key`);
  openssl('pkcs8', '-topk8', '-in', `${name}.key`, '-out', `${name}.p8`, '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256',
    '-iter', '600000', '-passout', 'pass:pw');
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`, '-out', `${name}.pk8`);
  openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=MMHS Bench/CN=${name}`, '-config', 'req.cnf');
  write(`${name}.ext`, `basicConstraints=CA:false\nkeyUsage=critical,${usage}\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nsubjectAltName=email:${name}@example.mil\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(10 + i),
    '-days', '3650', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  users[name] = {
    plain: { pkcs8: read(`${name}.key`), certificate: read(`${name}.pem`) },
    stored: { encryptedPkcs8: read(`${name}.p8`), password: 'pw', certificate: read(`${name}.pem`) },
    pkcs8Der: der(read(`${name}.pk8`)),
    certDer: der(read(`${name}.pem`)),
  };
}

// A text/plain message of about `size` octets (76-character lines).
const message = (from, size = 1024) => {
  const line = 'x'.repeat(76) + '\r\n';
  const body = line.repeat(Math.max(1, Math.floor(size / line.length)));
  return `From: ${from}@example.mil\r\nTo: hq@example.mil\r\nSubject: Bench\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\n` +
    `Message-ID: <bench@example.mil>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n${body}`;
};

// The median of `n` timed calls after untimed ones — `n` of them, and for at least WARM_MS: V8
// compiles both the module's functions and PKI.js's (and Node's WebCrypto glue) first with
// its baseline compilers and optimises the ones that run often, over hundreds of calls (100
// calls of a 1 KiB `signAsync` left both it and PKI.js mid-way: 0.62 → 0.43 ms and 2.06 →
// 1.40 ms after a second of calls), so the cells compare the three warmed up alike, as a
// long-lived extension runs them. The OpenSSL peer warms up by the same rule.
const WARM_MS = 1000;
async function median(fn, n) {
  const warmFrom = performance.now();
  for (let i = 0; i < n || performance.now() - warmFrom < WARM_MS; i++) await fn();
  const t = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

// PKI.js: SignedData with contentType, signingTime and messageDigest (RFC 5652 §5.4), the key
// imported once into WebCrypto (as `unlockKey` does), detached, DER out.
const pkiCrypto = pkijs.getCrypto(true);
async function pkijsSigner(u, alg) {
  const key = await crypto.subtle.importKey('pkcs8', ab(u.pkcs8Der), alg, false, ['sign']);
  const cert = pkijs.Certificate.fromBER(ab(u.certDer));
  return async (content) => {
    const digest = await crypto.subtle.digest('SHA-256', content);
    const sd = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
      signerInfos: [new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            new pkijs.Attribute({ type: '1.2.840.113549.1.9.3', values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })] }),
            new pkijs.Attribute({ type: '1.2.840.113549.1.9.5', values: [new asn1js.UTCTime({ valueDate: new Date(AT) })] }),
            new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: digest })] }),
          ],
        }),
      })],
      certificates: [cert],
    });
    await sd.sign(key, 0, 'SHA-256', content, pkiCrypto);
    return new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) }).toSchema().toBER(false);
  };
}

async function pkijsDecrypt(u, smime) {
  // The DER inside the S/MIME body.
  const text = Buffer.from(smime).toString('latin1');
  const blank = /\r?\n\r?\n/.exec(text);
  const b64 = blank ? text.slice(blank.index + blank[0].length) : '';
  const ci = pkijs.ContentInfo.fromBER(ab(Buffer.from(b64, 'base64')));
  const env = new pkijs.EnvelopedData({ schema: ci.content });
  const cert = pkijs.Certificate.fromBER(ab(u.certDer));
  return () => env.decrypt(0, { recipientCertificate: cert, recipientPrivateKey: ab(u.pkcs8Der) }, pkiCrypto);
}

// PKI.js verify of its own SignedData, with the chain to the root (checkChain).
const caCert = pkijs.Certificate.fromBER(ab(der(read('ca.pem'))));
async function pkijsVerifier(signer, content) {
  const ci = pkijs.ContentInfo.fromBER(await signer(content));
  const sd = new pkijs.SignedData({ schema: ci.content });
  return async () => {
    const r = await sd.verify({ signer: 0, data: content, trustedCerts: [caCert], checkChain: true, checkDate: new Date(AT) }, pkiCrypto);
    if (r !== true) throw new Error('PKI.js verify: not valid');
  };
}

// PKI.js EnvelopedData: RSA-OAEP SHA-256 (variant 1) or ECDH with the SHA-256 KDF (variant 2).
function pkijsEncrypter(u, kari, alg) {
  const cert = pkijs.Certificate.fromBER(ab(u.certDer));
  return async (content) => {
    const env = new pkijs.EnvelopedData();
    env.addRecipientByCertificate(cert, kari ? { kdfAlgorithm: 'SHA-256' } : { oaepHashAlgorithm: 'SHA-256' }, kari ? 2 : 1, pkiCrypto);
    await env.encrypt(alg, content, pkiCrypto);
    return new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.3', content: env.toSchema() }).toSchema().toBER(false);
  };
}

const sizes = memoryOnly ? [] : small ? [['1 KiB', 1024]] : quick ? [['1 KiB', 1024], ['1 MiB', 1 << 20]] : [['1 KiB', 1024], ['100 KiB', 100 << 10], ['1 MiB', 1 << 20], ['10 MiB', 10 << 20]];
const runsFor = (size) => (size <= 1024 ? (small ? 200 : quick ? 20 : 100) : size <= 100 << 10 ? 30 : size <= 1 << 20 ? (quick ? 5 : 10) : 5);
const rows = [];
async function time(fn, runs) {
  try {
    return (await median(fn, runs)).toFixed(2);
  } catch (e) {
    return `failed: ${e.code ?? e.name ?? ''} ${e.message}`.slice(0, 80);
  }
}
// The OpenSSL peer's jobs (benches/openssl-peer: the same operation on the same input through
// libcrypto's CMS API, run once all rows are timed): [row index, job line].
const peerJobs = [];
async function row(op, sizeLabel, runs, sync, async_, pki, peer) {
  if (!op.includes(only)) return;
  const cells = [];
  for (const fn of [sync, async_, pki]) cells.push(fn ? await time(fn, runs) : '–');
  const ratio = Number(cells[1]) && Number(cells[2]) ? `${(Number(cells[2]) / Number(cells[1])).toFixed(1)}×` : '–';
  if (peer) {
    const [peerOp, stem, input, gcm = false] = peer;
    const file = path.join(dir, `peer-${peerJobs.length}.in`);
    writeFileSync(file, input);
    peerJobs.push([rows.length, [peerOp, stem, file, gcm ? 1 : 0, runs, WARM_MS].join('\t')]);
  }
  rows.push([op, sizeLabel, '–', ...cells, ratio, '–']);
}

const unlocked = { p256: await mmhs.unlockKey(users.p256.plain), rsa: await mmhs.unlockKey(users.rsa.plain) };
const signers = {
  p256: await pkijsSigner(users.p256, { name: 'ECDSA', namedCurve: 'P-256' }),
  rsa: await pkijsSigner(users.rsa, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }),
};
const ca = read('ca.pem');
for (const [label, size] of sizes) {
  const runs = runsFor(size);
  for (const [name, alg] of [['p256', 'P-256'], ['rsa', 'RSA-2048']]) {
    const m = message(name, size);
    // The same octets to all: the message as bytes (what the extension signs, `compose`'s
    // output; a JS string costs its UTF-8 encoding on the way in, which PKI.js's input was
    // spared).
    const content = new TextEncoder().encode(m);
    await row(`sign ${alg}`, label, runs,
      () => mmhs.sign(content, users[name].plain, { signingTime: AT }),
      () => mmhs.signAsync(content, unlocked[name], { signingTime: AT }),
      () => signers[name](content),
      ['sign', name, m]);
    const signed = mmhs.sign(m, users[name].plain, { signingTime: AT });
    const vopts = { trustAnchors: [ca], at: AT };
    await row(`verify + chain ${alg}`, label, runs,
      () => mmhs.verify(signed, vopts),
      () => mmhs.verifyAsync(signed, vopts),
      await pkijsVerifier(signers[name], content),
      ['verify', name, signed]);
  }
  for (const [name, op, gcm, alg] of [
    ['rsa', 'KTRI RSA-OAEP, AES-256-CBC', false, { name: 'AES-CBC', length: 256 }],
    ['p256', 'KARI ECDH P-256, AES-256-CBC', false, { name: 'AES-CBC', length: 256 }],
    ['p256', 'KARI ECDH P-256, AES-256-GCM', true, { name: 'AES-GCM', length: 256 }],
  ]) {
    const m = message(name, size);
    const content = new TextEncoder().encode(m);
    const to = [users[name].plain.certificate];
    const pkiEnc = pkijsEncrypter(users[name], name === 'p256', alg);
    await row(`encrypt ${op}`, label, runs,
      () => mmhs.encrypt(content, to, { gcm }),
      () => mmhs.encryptAsync(content, to, { gcm }),
      () => pkiEnc(content),
      ['encrypt', name, m, gcm]);
    const enc = mmhs.encrypt(m, to, { gcm });
    const pkiDec = gcm ? null : await pkijsDecrypt(users[name], enc);
    await row(`decrypt ${op}`, label, runs,
      () => mmhs.decrypt(enc, users[name].plain),
      () => mmhs.decryptAsync(enc, unlocked[name]),
      pkiDec,
      ['decrypt', name, enc]);
  }
  // RSAES-PKCS1-v1_5 key transport, as OpenSSL makes it by default (receive only here, weak by
  // the algorithm policy; not in WebCrypto, so the async cell is its refusal,
  // `key-provider-unsupported`, and PKI.js on WebCrypto cannot decrypt it either).
  const v15Name = `v15-${size}`;
  write(`${v15Name}.txt`, message('rsa', size));
  openssl('cms', '-encrypt', '-in', `${v15Name}.txt`, '-aes256', '-out', `${v15Name}.eml`, 'rsa.pem');
  const v15 = readFileSync(path.join(dir, `${v15Name}.eml`));
  await row('decrypt KTRI RSAES-PKCS1-v1_5 (OpenSSL-made), AES-256-CBC', label, runs,
    () => mmhs.decrypt(v15, users.rsa.plain),
    () => mmhs.decryptAsync(v15, unlocked.rsa),
    await pkijsDecrypt(users.rsa, v15),
    ['decrypt', 'rsa', v15]);
}
// OpenSSL in-process on the same inputs (benches/openssl-peer, built here with cargo: it links
// the system's libcrypto, Debian's libssl-dev), the native ceiling of each cell.
let peerNote = '';
if (peerJobs.length) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target');
  try {
    execFileSync('cargo', ['build', '--quiet', '--release', '--manifest-path', path.join(repo, 'benches/openssl-peer/Cargo.toml')],
      { env: { ...process.env, CARGO_TARGET_DIR: target }, stdio: ['ignore', 'ignore', 'pipe'] });
    write('peer-jobs.tsv', peerJobs.map(([, line]) => line).join('\n') + '\n');
    const out = execFileSync(path.join(target, 'release/mmhs-openssl-peer'), [path.join(dir, 'peer-jobs.tsv')], { encoding: 'utf8' })
      .trim().split('\n');
    peerJobs.forEach(([i], k) => {
      const r = rows[i];
      const [der, smime] = (out[k] ?? '').split('\t').map(Number);
      r[2] = Number.isFinite(der) && Number.isFinite(smime) ? `${der.toFixed(2)} / ${smime.toFixed(2)}` : (out[k] ?? 'no answer').slice(0, 80);
      r[7] = Number.isFinite(der) && Number(r[4]) ? `${(Number(r[4]) / der).toFixed(1)}×` : '–';
    });
  } catch (e) {
    peerNote = `OpenSSL peer unavailable (benches/openssl-peer: cargo and libssl-dev): ${String(e.stderr ?? e.message).trim().slice(0, 200)}`;
  }
}
const m1 = message('p256');
const stored = memoryOnly ? [] : [
  ['sign P-256, stored key (PBKDF2 600 000 per call)', await time(() => mmhs.sign(m1, users.p256.stored, { signingTime: AT }), 3)],
  ['unlockKey P-256 (PBKDF2 600 000 once + importKey)', await time(() => mmhs.unlockKey(users.p256.stored), 3)],
];

// Peak memory of one 10 MiB operation, each in a fresh process (header comment).
const memoryRows = [];
if (!quick) {
  write('ca.pem', ca);
  for (const name of ['p256', 'rsa']) write(`${name}.json`, JSON.stringify(users[name].plain));
  const big = (name) => message(name, 10 * MIB);
  const inputs = [
    ['sign P-256', 'sign:p256', new TextEncoder().encode(big('p256'))],
    ['verify + chain P-256', 'verify:p256', mmhs.sign(big('p256'), users.p256.plain, { signingTime: AT })],
    ['decrypt KTRI RSA-OAEP, AES-256-CBC', 'decrypt:rsa', mmhs.encrypt(big('rsa'), [users.rsa.plain.certificate])],
    ['decrypt KARI ECDH P-256, AES-256-CBC', 'decrypt:p256', mmhs.encrypt(big('p256'), [users.p256.plain.certificate])],
  ];
  for (const [label, op, data] of inputs) {
    if (!label.includes(only)) continue;
    write(`${op.replace(':', '-')}.in`, data);
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), `--memory-child=${op}`], {
      env: { ...process.env, MMHS_BENCH_DIR: dir },
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop());
    const mib = (n) => (n / MIB).toFixed(1);
    memoryRows.push([label, mib(r.size), mib(r.before), mib(r.after), `${(r.after / r.size).toFixed(1)}×`]);
  }
}

if (rows.length) {
  console.log(`webcrypto bench: Node ${process.version}, PKI.js on Node's WebCrypto; medians of ${runsFor(1024)} runs at 1 KiB, ` +
    `${runsFor(100 << 10)} at 100 KiB, ${runsFor(1 << 20)} at 1 MiB, ${runsFor(10 << 20)} at 10 MiB; ms\n`);
  console.log('| operation | size | OpenSSL in-process: CMS DER / S/MIME | sync wasm (PEM key) | async wasm (WebCrypto, unlocked key) | PKI.js | PKI.js ÷ async | async ÷ OpenSSL DER |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  if (peerNote) console.log(`\n${peerNote}`);
}
if (stored.length) {
  console.log('\n| 1 KiB, stored key | ms |\n|---|---:|');
  for (const r of stored) console.log(`| ${r.join(' | ')} |`);
}
if (memoryRows.length) {
  console.log('\n| async operation, one in a fresh process | message MiB | wasm memory before MiB | wasm memory after (peak) MiB | peak ÷ message |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of memoryRows) console.log(`| ${r.join(' | ')} |`);
}
