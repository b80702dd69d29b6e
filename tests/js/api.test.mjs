// Every export of the Node wasm package against a throwaway OpenSSL PKI made here (no key is
// committed): OpenSSL verifies / decrypts what the package produces and the package verifies /
// decrypts / imports what OpenSSL produces. Errors are MmhsError objects with a stable code.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mmhs, mmhsRead, throwsCode } from './pkg.mjs';

const AT = '2030-01-01T00:00:00Z';
const dir = mkdtempSync(path.join(tmpdir(), 'mmhs-js-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function openssl(...args) {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}
const read = (f) => readFileSync(path.join(dir, f), 'utf8');
const write = (f, data) => writeFileSync(path.join(dir, f), data);

// --- PKI: a root and two P-256 S/MIME users
writeFileSync(
  path.join(dir, 'ca.cnf'),
  '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
);
write('req.cnf', '[req]\ndistinguished_name=dn\n[dn]\n');
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-subj', '/O=MMHS Test/CN=Test Root', '-days', '3650', '-config', 'ca.cnf');
const users = {};
for (const [i, name] of ['drafter', 'officer'].entries()) {
  const email = `${name}@example.mil`;
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=MMHS Test/CN=${name}`, '-config', 'req.cnf');
  write(`${name}.ext`, `basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:${email}\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(100 + i),
    '-days', '3650', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  users[name] = { pkcs8: read(`${name}.key`), certificate: read(`${name}.pem`) };
}
const ca = read('ca.pem');
const DRAFT =
  'From: Drafter <drafter@example.mil>\r\nTo: hq@example.mil\r\nSubject: Movement order\r\n' +
  'Date: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <js-1@example.mil>\r\n' +
  'MMHS-Primary-Precedence: 2 (priority)\r\nMMHS-Extended-Authorisation-Info: Mon, 1 Jan 2029 10:00:00 +0000\r\n' +
  'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nMove at dawn.\r\n';
const text = (u8) => Buffer.from(u8).toString('utf8');

test('the package exports every documented function', () => {
  for (const f of ['compose', 'inspect', 'sign', 'encrypt', 'decrypt', 'verify', 'importPkcs12', 'release',
    'releaseGate', 'mixerMap', 'auditRecord', 'verifyAuditLog', 'makeReceipt', 'verifyReceipt', 'version',
    'certificateInfo', 'certificateStatus', 'encryptionRecipients', 'makeMdn', 'mmhsVocabulary']) {
    assert.equal(typeof mmhs[f], 'function', f);
  }
});

test('inspect shows the MMHS view', () => {
  const v = mmhs.inspect(new TextEncoder().encode(DRAFT), { at: AT });
  assert.equal(v.primaryPrecedence.name, 'priority');
  throwsCode(assert, () => mmhs.inspect(42), 'request-invalid');
});

test('a string message is its UTF-8 (TextEncoder): ASCII, other characters, lone surrogates', () => {
  for (const subject of ['Movement order', 'Café – 😀 orders', 'lone \uD800 surrogate', '']) {
    const m = DRAFT.replace('Movement order', subject);
    const fromString = mmhs.inspect(m, { at: AT });
    assert.deepEqual(fromString, mmhs.inspect(new TextEncoder().encode(m), { at: AT }), subject);
    assert.equal(fromString.subject, new TextDecoder().decode(new TextEncoder().encode(subject)), subject);
  }
});

test('sign: OpenSSL verifies; mmhs verifies; tampering is not valid', () => {
  const signed = mmhs.sign(DRAFT, users.drafter, { signingTime: AT });
  assert.ok(signed instanceof Uint8Array);
  write('signed.eml', signed);
  openssl('cms', '-verify', '-in', 'signed.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
  const report = mmhs.verify(signed, { trustAnchors: [ca], at: AT });
  assert.equal(report.valid, true, JSON.stringify(report.problems));
  assert.equal(report.signatures[0].emails[0], 'drafter@example.mil');
  const bad = mmhs.verify(text(signed).replace('Move at dawn', 'Move at noon'), { trustAnchors: [ca], at: AT });
  assert.equal(bad.valid, false);
  throwsCode(assert, () => mmhs.sign(DRAFT, { pkcs8: users.officer.pkcs8, certificate: users.drafter.certificate }), 'signer-key-invalid');
  throwsCode(assert, () => mmhs.verify(DRAFT, { trustAnchors: [ca], extra: 1 }), 'request-invalid');
});

test('OpenSSL-signed messages verify', () => {
  write('body.txt', 'Move at dawn.\r\n');
  openssl('cms', '-sign', '-in', 'body.txt', '-text', '-signer', 'officer.pem', '-inkey', 'officer.key', '-nodetach',
    '-from', 'officer@example.mil', '-to', 'hq@example.mil', '-subject', 'Order', '-out', 'ossl.eml');
  const report = mmhs.verify(readFileSync(path.join(dir, 'ossl.eml')), { trustAnchors: [ca], at: AT });
  assert.equal(report.valid, true, JSON.stringify(report.problems));
});

test('algorithm policy: a 1024-bit RSA SHA-1 signer is not valid; allowWeak reports it as a note', () => {
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'legacy.key');
  openssl('req', '-new', '-key', 'legacy.key', '-out', 'legacy.csr', '-subj', '/O=MMHS Test/CN=legacy', '-config', 'req.cnf');
  write('legacy.ext', 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:legacy@example.mil\n');
  openssl('x509', '-req', '-in', 'legacy.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '300', '-days', '3650',
    '-out', 'legacy.pem', '-extfile', 'legacy.ext');
  write('body.txt', 'Move at dawn.\r\n');
  openssl('cms', '-sign', '-in', 'body.txt', '-text', '-signer', 'legacy.pem', '-inkey', 'legacy.key', '-md', 'sha1',
    '-from', 'legacy@example.mil', '-to', 'hq@example.mil', '-subject', 'Order', '-out', 'legacy.eml');
  const raw = readFileSync(path.join(dir, 'legacy.eml'));
  const strict = mmhs.verify(raw, { trustAnchors: [ca], at: AT });
  assert.equal(strict.valid, false);
  const codes = strict.problems.map((p) => p.code);
  assert.ok(codes.includes('weak-algorithm'), JSON.stringify(strict.problems));
  assert.ok(codes.includes('cert-weak-key'), JSON.stringify(strict.problems));
  const legacy = mmhs.verify(raw, { trustAnchors: [ca], at: AT, allowWeak: true });
  assert.equal(legacy.valid, true, JSON.stringify(legacy.problems));
  assert.ok(legacy.notes.some((n) => n.code === 'weak-algorithm-accepted' && /1024 bits/.test(n.message)));
  assert.ok(legacy.notes.some((n) => n.code === 'weak-algorithm-accepted' && /sha-1/.test(n.message)));
  throwsCode(assert, () => mmhs.verify(raw, { trustAnchors: [ca], allowWeak: 'yes' }), 'request-invalid');
  // Nothing weak is produced: not signed with, not encrypted to, no PKCS#1 v1.5 key transport.
  const weakSigner = { pkcs8: read('legacy.key'), certificate: read('legacy.pem') };
  throwsCode(assert, () => mmhs.sign(DRAFT, weakSigner, {}), 'signer-key-invalid');
  throwsCode(assert, () => mmhs.encrypt(DRAFT, [read('legacy.pem')], {}), 'encrypt-recipient-invalid');
  throwsCode(assert, () => mmhs.encrypt(DRAFT, [users.officer.certificate], { rsaPadding: 'pkcs1v15' }), 'request-invalid');
});

test('encrypt: OpenSSL decrypts; decrypt reads OpenSSL output', () => {
  const enc = mmhs.encrypt(DRAFT, [users.officer.certificate], {});
  write('enc.eml', enc);
  const out = openssl('cms', '-decrypt', '-in', 'enc.eml', '-recip', 'officer.pem', '-inkey', 'officer.key');
  assert.match(out.toString(), /Move at dawn/);
  assert.match(text(mmhs.decrypt(enc, users.officer)), /Move at dawn/);
  write('draft.eml', DRAFT);
  openssl('cms', '-encrypt', '-in', 'draft.eml', '-aes256', '-out', 'ossl-enc.eml', 'officer.pem');
  assert.match(text(mmhs.decrypt(readFileSync(path.join(dir, 'ossl-enc.eml')), users.officer)), /Move at dawn/);
  throwsCode(assert, () => mmhs.decrypt(enc, users.drafter), 'decrypt-no-recipient');
  throwsCode(assert, () => mmhs.encrypt(DRAFT, ['not a pem'], {}), 'certificate-missing');
});

test('importPkcs12: OpenSSL default and -legacy files; the key then signs', () => {
  for (const legacy of [false, true]) {
    const args = ['pkcs12', '-export', '-inkey', 'officer.key', '-in', 'officer.pem', '-certfile', 'ca.pem',
      '-passout', 'pass:pw 1', '-out', `o-${legacy}.p12`];
    if (legacy) args.push('-legacy');
    openssl(...args);
    const k = mmhs.importPkcs12(readFileSync(path.join(dir, `o-${legacy}.p12`)), 'pw 1', { iterations: 10000 });
    assert.match(k.encryptedPkcs8, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    assert.deepEqual(k.emails, ['officer@example.mil']);
    assert.equal(k.chain.length, 1);
    write('imported.pem', k.encryptedPkcs8);
    openssl('pkey', '-in', 'imported.pem', '-passin', 'pass:pw 1', '-noout');
    const signed = mmhs.sign(DRAFT, { encryptedPkcs8: k.encryptedPkcs8, password: 'pw 1', certificate: k.certificate, chain: k.chain });
    write('p12signed.eml', signed);
    openssl('cms', '-verify', '-in', 'p12signed.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
    throwsCode(assert, () => mmhs.sign(DRAFT, { encryptedPkcs8: k.encryptedPkcs8, password: 'wrong', certificate: k.certificate }), 'key-bad-password');
  }
  throwsCode(assert, () => mmhs.importPkcs12(readFileSync(path.join(dir, 'o-false.p12')), 'wrong'), 'pkcs12-bad-password');
  throwsCode(assert, () => mmhs.importPkcs12(new Uint8Array([1, 2, 3]), 'x'), 'pkcs12-malformed');
});

test('release: approve (OpenSSL still verifies), reject, refuse; gate', () => {
  const signed = mmhs.sign(DRAFT, users.drafter, { signingTime: AT, protectHeaders: true });
  const opts = (decision) => ({ officer: users.officer, trustAnchors: [ca], at: AT, decision });
  const r = mmhs.release(signed, opts('approve'));
  assert.equal(r.outcome, 'released', JSON.stringify(r.problems));
  assert.equal(r.next, 'transfer');
  assert.ok(r.message instanceof Uint8Array);
  write('released.eml', r.message);
  openssl('cms', '-verify', '-in', 'released.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
  const rep = mmhs.verify(r.message, { trustAnchors: [ca], at: AT });
  assert.deepEqual(rep.authorizingUsers.map((a) => [a.address, a.status]), [['officer@example.mil', 'countersigned']]);

  const rej = mmhs.release(signed, opts({ reject: 'Wrong grid' }));
  assert.equal(rej.outcome, 'rejected');
  assert.match(text(rej.message), /Wrong grid/);
  assert.equal(mmhs.release(DRAFT, opts('approve')).outcome, 'refused');
  throwsCode(assert, () => mmhs.release(signed, opts('perhaps')), 'request-invalid');

  const policy = { officers: ['officer@example.mil'] };
  const gate = (raw, extra) => mmhs.releaseGate(raw, { policy, trustAnchors: [ca], at: AT, ...extra });
  const submitter = 'drafter@example.mil';
  assert.equal(gate(signed, { submitter }).action, 'releaseQueue');
  assert.equal(gate(r.message, { submitter }).action, 'transfer');
  // Unauthenticated military mail is refused unless addressed to an officer; a From the
  // submitter does not own is refused.
  const unauth = gate(signed, { recipients: ['hq@example.mil'] });
  assert.equal(unauth.action, 'refuse');
  assert.equal(unauth.problems[0].code, 'gate-unauthenticated');
  const foreign = gate(signed, { submitter: 'mallory@example.mil' });
  assert.equal(foreign.action, 'refuse');
  assert.equal(foreign.problems[0].code, 'gate-from-not-owned');
});

test('mixerMap both ways', () => {
  const x = mmhs.mixerMap({ from: ['a@example.mil'], authorizingUsers: ['o@example.mil'] }, { direction: 'toX400' });
  assert.equal(x.heading.originator, 'a@example.mil');
  assert.deepEqual(x.heading.authorizingUsers, ['o@example.mil']);
  const i = mmhs.mixerMap({ originator: 'a@example.mil', authorizingUsers: ['o@example.mil'] }, { direction: 'toInternet', allMilitary: true });
  assert.equal(i.military, true);
  throwsCode(assert, () => mmhs.mixerMap({}, { direction: 'up' }), 'request-invalid');
});

test('audit log: chained records, tampering detected, JSON lines accepted', () => {
  const r0 = mmhs.auditRecord({ agent: 'msa', event: 'submit', message: DRAFT, at: AT });
  const r1 = mmhs.auditRecord({ agent: 'msa', event: 'release', prev: r0, facts: { officer: 'officer@example.mil' }, at: AT });
  assert.equal(r1.prevHash, r0.hash);
  assert.equal(mmhs.verifyAuditLog([r0, r1]).valid, true);
  assert.equal(mmhs.verifyAuditLog(`${JSON.stringify(r0)}\n${JSON.stringify(r1)}\n`).valid, true);
  assert.equal(mmhs.verifyAuditLog([r1]).valid, false);
  assert.equal(mmhs.verifyAuditLog([{ ...r0, event: 'reject' }, r1]).valid, false);
  throwsCode(assert, () => mmhs.auditRecord({ agent: 'robot', event: 'submit' }), 'request-invalid');
});

test('compose with sign and options.signer: OpenSSL verifies', () => {
  const req = { from: 'drafter@example.mil', to: ['hq@example.mil'], subject: 'Signed', primaryPrecedence: 'priority', body: 'Hold.\n', sign: true };
  const [m] = mmhs.compose(req, { now: AT, signer: users.drafter });
  write('composed.eml', m.raw);
  openssl('cms', '-verify', '-in', 'composed.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
  assert.equal(mmhs.verify(m.raw, { trustAnchors: [ca], at: AT }).valid, true);
  // sign without any key: a typed error, not a panic
  let err;
  try { mmhs.compose(req, { now: AT }); } catch (e) { err = e; }
  assert.equal(err?.name, 'MmhsError');
  assert.match(err.code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
});

test('verify opens an encrypted layer with decryptionKey', () => {
  const signed = mmhs.sign(DRAFT, users.drafter, { signingTime: AT });
  const enc = mmhs.encrypt(signed, [users.officer.certificate], { gcm: true });
  const report = mmhs.verify(enc, { trustAnchors: [ca], at: AT, decryptionKey: users.officer });
  assert.deepEqual(report.layers, ['authEnveloped', 'signed']);
  assert.equal(report.signatures[0].valid, true);
  const both = mmhs.verify(enc, { trustAnchors: [ca], at: AT, decryptionKey: users.officer, withContent: true });
  assert.match(text(both.content), /Move at dawn/);
});

// The requests the CLI refuses with `--json` (tests/cli_smime.rs) are refused here with the same
// code: one request type per operation, parsed by the same core function.
test('unknown members and wrong types are refused as by the CLI', () => {
  const key = users.drafter;
  const cases = [
    () => mmhs.sign(DRAFT, key, { protectHeader: true }),
    () => mmhs.sign(DRAFT, key, { detached: 'no' }),
    () => mmhs.sign(DRAFT, key, { digest: 'md5' }),
    () => mmhs.sign(DRAFT, key, { signatureType: ['forged'] }),
    // serde would read a struct from an array of its members: `[]` would be every default
    () => mmhs.sign(DRAFT, key, []),
    () => mmhs.verify(DRAFT, [[ca]]),
    () => mmhs.sign(DRAFT, { ...key, passphrase: 'x' }),
    () => mmhs.verify(DRAFT, { trustAnchors: [], allowWeak: true, trustEverything: true }),
    () => mmhs.verify(DRAFT, { trustAnchors: 'not a list' }),
    () => mmhs.verify(DRAFT, { trustAnchors: [], decryptionKey: { certificate: 'x', pkcs12: 'y' } }),
    () => mmhs.encrypt(DRAFT, [key.certificate], { gcm: true, cipher: 'des' }),
    () => mmhs.encrypt(DRAFT, [key.certificate], { rsaPadding: 'pkcs1v15' }),
    () => mmhs.encrypt(DRAFT, [key.certificate], { domainEncryption: 'always' }),
    () => mmhs.inspect(DRAFT, { at: 'yesterday' }),
    () => mmhs.inspect(DRAFT, { at: AT, readr: 'bob@example.mil' }),
    () => mmhs.importPkcs12(new Uint8Array([0x30]), 'pw', { iterations: 'many' }),
    () => mmhs.releaseGate(DRAFT, { trustAnchors: [ca], submiter: 'drafter@example.mil' }),
    () => mmhs.makeReceipt(DRAFT, key, { trustAnchors: [ca] }, { messageId: 'r@example.mil', useSKI: true }),
  ];
  for (const c of cases) throwsCode(assert, c, 'request-invalid');
});

// The read module (scripts/build-wasm.sh; www/src/shared/core-modules.ts routes these calls to
// it): exactly the functions the extension expects there, and the same answers as the full
// module for the same message.
test('the read module exports exactly the read functions the extension routes to it', () => {
  const read = mmhsRead();
  const ts = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www', 'src', 'shared', 'core-modules.ts'), 'utf8');
  const list = /READ_CORE_FUNCTIONS = \[([^\]]*)\]/.exec(ts);
  assert.ok(list, 'READ_CORE_FUNCTIONS in core-modules.ts');
  const expected = [...list[1].matchAll(/"([A-Za-z0-9]+)"/g)].map((m) => m[1]).sort();
  const exported = Object.keys(read).filter((k) => typeof read[k] === 'function' && !k.startsWith('__')).sort();
  assert.deepEqual(exported, expected);
  for (const f of expected) assert.equal(typeof mmhs[f], 'function', `the full module has ${f} too`);
  for (const f of ['sign', 'signAsync', 'encrypt', 'encryptAsync', 'compose', 'release', 'releaseAsync', 'makeReceipt', 'importPkcs12']) {
    assert.equal(read[f], undefined, `the read module cannot ${f}`);
  }
  // Nor what needs the pure-Rust crypto provider: a stored key opened in the core, or a
  // signature value verified without WebCrypto.
  for (const f of ['verify', 'decrypt', 'verifyReceipt', 'unlockKey', 'certificateStatus']) {
    assert.equal(read[f], undefined, `the read module has no ${f}`);
  }
});

test('the read module verifies and decrypts as the full module does', async () => {
  const read = mmhsRead();
  const signed = mmhs.sign(DRAFT, users.drafter, { signingTime: AT });
  const ctx = { trustAnchors: [ca], at: AT };
  assert.deepEqual(await read.verifyAsync(signed, ctx), mmhs.verify(signed, ctx));
  const tampered = text(signed).replace('Move at dawn', 'Move at noon');
  const bad = await read.verifyAsync(tampered, ctx);
  assert.equal(bad.valid, false);
  assert.deepEqual(bad, mmhs.verify(tampered, ctx));
  // A key unlocked by the full module (its stored form is opened there) opens a message in
  // the read module.
  const enc = mmhs.encrypt(signed, [users.officer.certificate], { gcm: true });
  const unlocked = await mmhs.unlockKey(users.officer);
  assert.deepEqual(await read.decryptAsync(enc, unlocked), mmhs.decrypt(enc, users.officer));
  const opened = await read.verifyAsync(enc, { ...ctx, withContent: true }, unlocked);
  assert.deepEqual(opened, mmhs.verify(enc, { ...ctx, decryptionKey: users.officer, withContent: true }));
  assert.equal(opened.report.valid, true, JSON.stringify(opened.report.problems));
  const signedAsync = await mmhs.signAsync(DRAFT, await mmhs.unlockKey(users.drafter), { signingTime: AT });
  assert.equal((await read.verifyAsync(signedAsync, ctx)).valid, true);
});
