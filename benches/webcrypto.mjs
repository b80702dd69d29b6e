// Benchmark (not a test) of the private-key operations at 1 KiB in Node, one process run:
// the sync wasm API (key from PEM, and from the password-encrypted PKCS#8: PBKDF2 at every
// call), the async wasm API on WebCrypto with a key unlocked once (`unlockKey`, `signAsync`,
// `decryptAsync`), and PKI.js on the same WebCrypto (its SignedData / EnvelopedData, DER in and
// out). Keys are made here with the openssl CLI; nothing is committed. Run:
//
//   scripts/build-wasm.sh nodejs target/pkg-node
//   npm ci   # PKI.js is a devDependency of the repository root
//   node benches/webcrypto.mjs [--quick]
//
// Medians in milliseconds. MMHS_PKG_NODE overrides the package directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { mmhs } from '../tests/js/pkg.mjs';

const quick = process.argv.includes('--quick');
const AT = '2030-01-01T00:00:00Z';
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

const body = 'x'.repeat(1024 - 2) + '\r\n';
const message = (from) =>
  `From: ${from}@example.mil\r\nTo: hq@example.mil\r\nSubject: Bench\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\n` +
  `Message-ID: <bench@example.mil>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n${body}`;

async function median(fn, n) {
  await fn();
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
  const b64 = text.slice(text.indexOf('\r\n\r\n') + 4);
  const ci = pkijs.ContentInfo.fromBER(ab(Buffer.from(b64, 'base64')));
  const env = new pkijs.EnvelopedData({ schema: ci.content });
  const cert = pkijs.Certificate.fromBER(ab(u.certDer));
  return () => env.decrypt(0, { recipientCertificate: cert, recipientPrivateKey: ab(u.pkcs8Der) }, pkiCrypto);
}

const n = quick ? 20 : 100;
const rows = [];
async function cell(op, size, fn, runs = n) {
  try {
    rows.push([op, size, (await median(fn, runs)).toFixed(2)]);
  } catch (e) {
    rows.push([op, size, `failed: ${e.code ?? ''} ${e.message}`]);
  }
}

const data = new TextEncoder().encode(message('p256'));
for (const [name, label, alg] of [
  ['p256', 'P-256', { name: 'ECDSA', namedCurve: 'P-256' }],
  ['rsa', 'RSA-2048', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }],
]) {
  const m = message(name);
  const unlocked = await mmhs.unlockKey(users[name].plain);
  await cell(`sign ${label}: sync wasm (PEM key)`, '1 KiB', () => mmhs.sign(m, users[name].plain, { signingTime: AT }));
  await cell(`sign ${label}: sync wasm (stored key, PBKDF2 600 000)`, '1 KiB', () => mmhs.sign(m, users[name].stored, { signingTime: AT }), 3);
  await cell(`sign ${label}: signAsync, key unlocked once (WebCrypto)`, '1 KiB', () => mmhs.signAsync(m, unlocked, { signingTime: AT }));
  const pki = await pkijsSigner(users[name], alg);
  await cell(`sign ${label}: PKI.js on WebCrypto`, '1 KiB', () => pki(data));
}
await cell('unlockKey P-256 (PBKDF2 600 000 once + importKey)', '–', () => mmhs.unlockKey(users.p256.stored), 3);

for (const [name, label] of [['rsa', 'KTRI RSA-OAEP'], ['p256', 'KARI ECDH P-256']]) {
  const enc = mmhs.encrypt(message(name), [users[name].plain.certificate]);
  const unlocked = await mmhs.unlockKey(users[name].plain);
  await cell(`decrypt ${label}: sync wasm (PEM key)`, '1 KiB', () => mmhs.decrypt(enc, users[name].plain));
  await cell(`decrypt ${label}: decryptAsync, key unlocked once (WebCrypto)`, '1 KiB', () => mmhs.decryptAsync(enc, unlocked));
  await cell(`decrypt ${label}: PKI.js on WebCrypto`, '1 KiB', await pkijsDecrypt(users[name], enc));
}

console.log(`webcrypto bench: Node ${process.version}, medians of ${n} runs (3 for PBKDF2 rows)\n`);
console.log('| operation | size | ms |\n|---|---|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
