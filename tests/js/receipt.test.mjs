// Signed receipts through the Node wasm package (RFC 2634 §2; docs/report.md "Signed receipts"):
// `sign` with `receiptRequest`, `verify` shows the request, `makeReceipt` answers it (or throws
// `receipt-refused-*`), `verifyReceipt` checks the receipt against the sent message; OpenSSL's
// `cms -verify_receipt` accepts the package's receipt. Throwaway OpenSSL PKI made here.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mmhs, mmhsRead, throwsCode } from './pkg.mjs';

const AT = '2030-01-01T00:00:00Z';
const dir = mkdtempSync(path.join(tmpdir(), 'mmhs-js-receipt-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const read = (f) => readFileSync(path.join(dir, f), 'utf8');
const write = (f, data) => writeFileSync(path.join(dir, f), data);

write('ca.cnf', '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
write('req.cnf', '[req]\ndistinguished_name=dn\n[dn]\n');
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-subj', '/O=MMHS Test/CN=Test Root', '-days', '3650', '-config', 'ca.cnf');
const users = {};
for (const [i, name] of ['alice', 'bob'].entries()) {
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=MMHS Test/CN=${name}`, '-config', 'req.cnf');
  write(`${name}.ext`, `basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:${name}@example.mil\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(200 + i),
    '-days', '3650', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  users[name] = { pkcs8: read(`${name}.key`), certificate: read(`${name}.pem`) };
}
const ca = read('ca.pem');
const ORDER = (id) =>
  'From: alice@example.mil\r\nTo: bob@example.mil\r\nSubject: Orders\r\n' +
  `Date: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <${id}@example.mil>\r\n` +
  'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nMove at dawn.\r\n';
const REQUEST = { receiptsFrom: { kind: 'all' }, receiptsTo: ['alice@example.mil'] };
const ctx = { trustAnchors: [ca], at: AT };

test('alice asks, bob returns a signed receipt, alice verifies it against her sent message', async () => {
  assert.equal(typeof mmhs.makeReceipt, 'function');
  assert.equal(typeof mmhs.verifyReceipt, 'function');
  const sent = mmhs.sign(ORDER('r1'), users.alice, { signingTime: AT, receiptRequest: REQUEST });
  const report = mmhs.verify(sent, ctx);
  assert.equal(report.valid, true, JSON.stringify(report.problems));
  assert.equal(report.receiptRequest.receiptsFrom.kind, 'all');
  assert.deepEqual(report.receiptRequest.receiptsTo, [['alice@example.mil']]);

  const made = mmhs.makeReceipt(sent, users.bob, ctx, { messageId: 'rct-1@example.mil', date: AT });
  assert.ok(made.message instanceof Uint8Array);
  assert.deepEqual(made.to, ['alice@example.mil']);
  assert.equal(made.identifier, report.receiptRequest.identifier);

  const checked = mmhs.verifyReceipt(made.message, sent, ctx);
  assert.equal(checked.valid, true, JSON.stringify(checked.problems));
  assert.equal(checked.receipt.verified, true);
  assert.deepEqual(checked.receipt.from, ['bob@example.mil']);

  // Against another sent message: not a receipt for it.
  const other = mmhs.sign(ORDER('r2'), users.alice, { signingTime: AT, receiptRequest: REQUEST });
  const wrong = mmhs.verifyReceipt(made.message, other, ctx);
  assert.equal(wrong.valid, false);
  assert.equal(wrong.problems[0].code, 'receipt-not-for-original');
  // Plain verify of a receipt, without the original: not verified.
  assert.equal(mmhs.verify(made.message, ctx).receipt.verified, false);
  // The read module (WebCrypto only) gives the same reports.
  const readMod = mmhsRead();
  assert.deepEqual(await readMod.verifyReceiptAsync(made.message, sent, ctx), checked);
  assert.deepEqual(await readMod.verifyReceiptAsync(made.message, other, ctx), wrong);

  // OpenSSL accepts the package's receipt of the package's original.
  write('sent.eml', Buffer.from(sent));
  const body = Buffer.from(made.message).toString('utf8').split('\r\n\r\n').slice(1).join('');
  write('rct.der', Buffer.from(body.replace(/\s+/g, ''), 'base64'));
  openssl('cms', '-verify_receipt', 'rct.der', '-rctform', 'DER', '-in', 'sent.eml', '-inform', 'SMIME', '-CAfile', 'ca.pem');
});

test('makeReceipt refuses what it must not answer', () => {
  const plain = mmhs.sign(ORDER('r3'), users.alice, { signingTime: AT });
  throwsCode(assert, () => mmhs.makeReceipt(plain, users.bob, ctx, { messageId: 'x@example.mil' }), 'receipt-refused-not-requested');
  const sent = mmhs.sign(ORDER('r4'), users.alice, { signingTime: AT, receiptRequest: REQUEST });
  const tampered = Buffer.from(sent).toString('utf8').replace('Move at dawn', 'Move at noon');
  throwsCode(assert, () => mmhs.makeReceipt(tampered, users.bob, ctx, { messageId: 'x@example.mil' }), 'receipt-refused-invalid');
  throwsCode(assert, () => mmhs.makeReceipt(sent, users.bob, ctx, { messageId: 'x@example.mil', extra: 1 }), 'request-invalid');
  throwsCode(assert, () => mmhs.sign(ORDER('r5'), users.alice, { receiptRequest: { receiptsFrom: { kind: 'all' }, receiptsTo: [] } }), 'sign-options-invalid');
});

test('verify with the reader: mmhs.readerPrecedence says which precedence applies (profile §3.5.1, §3.5.2)', () => {
  const msg =
    'From: alice@example.mil\r\nTo: bob@example.mil\r\nCc: carol@example.mil\r\nSubject: Precedence\r\n' +
    'Date: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <p1@example.mil>\r\nMMHS-Primary-Precedence: 4\r\nMMHS-Copy-Precedence: 1\r\n' +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nMove.\r\n';
  const signed = mmhs.sign(msg, users.alice, { signingTime: AT });
  const bob = mmhs.verify(signed, { ...ctx, reader: 'bob@example.mil' });
  assert.deepEqual(bob.mmhs.readerPrecedence, { reader: 'bob@example.mil', role: 'action', field: 'To', precedence: { value: 4, name: 'flash' } });
  const carol = mmhs.verify(signed, { ...ctx, reader: 'Carol@Example.mil' });
  assert.equal(carol.mmhs.readerPrecedence.role, 'information');
  assert.equal(carol.mmhs.readerPrecedence.precedence.value, 1);
  assert.equal(mmhs.verify(signed, { ...ctx, reader: 'eve@example.mil' }).mmhs.readerPrecedence.role, 'notListed');
  assert.equal(mmhs.verify(signed, ctx).mmhs.readerPrecedence, undefined);
  assert.equal(mmhs.inspect(msg, { at: AT, reader: 'bob@example.mil' }).readerPrecedence.role, 'action');
});

async function rejectsCode(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, 'MmhsError', String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

/** The receipt's report against `original`, less what differs between two signatures of it. */
const receiptView = (r) => ({ valid: r.valid, problems: r.problems, receipt: { ...r.receipt, signingTime: null } });

test('makeReceiptAsync: bob signs with his unlocked key (WebCrypto) what makeReceipt signs; an encrypted original opens with it; OpenSSL verifies', async () => {
  const bob = await mmhs.unlockKey(users.bob);
  const alice = await mmhs.unlockKey(users.alice);
  const sent = mmhs.sign(ORDER('a1'), users.alice, { signingTime: AT, receiptRequest: REQUEST });
  // Encrypted to bob and to alice (her Sent copy).
  const enc = mmhs.encrypt(sent, [users.bob.certificate, users.alice.certificate]);
  const opts = { messageId: 'rct-a1@example.mil', date: AT };
  for (const original of [sent, enc]) {
    const sync = mmhs.makeReceipt(original, users.bob, ctx, opts);
    const made = await mmhs.makeReceiptAsync(original, bob, ctx, opts);
    assert.ok(made.message instanceof Uint8Array);
    assert.deepEqual({ to: made.to, identifier: made.identifier }, { to: sync.to, identifier: sync.identifier });
    // Same header and Receipt; only the ECDSA signature value differs (WebCrypto's nonce is random).
    const head = (m) => Buffer.from(m).toString('utf8').split('\r\n\r\n')[0];
    assert.equal(head(made.message), head(sync.message));
    const checked = mmhs.verifyReceipt(made.message, sent, ctx);
    assert.equal(checked.valid, true, JSON.stringify(checked.problems));
    assert.equal(checked.receipt.verified, true);
    assert.deepEqual(receiptView(checked), receiptView(mmhs.verifyReceipt(sync.message, sent, ctx)));
    // Alice checks it against her encrypted Sent copy with her unlocked key: what the stored key gives.
    const againstEnc = await mmhs.verifyReceiptAsync(made.message, enc, ctx, alice);
    assert.deepEqual(againstEnc, mmhs.verifyReceipt(made.message, enc, { ...ctx, decryptionKey: users.alice }));
    assert.deepEqual(await mmhsRead().verifyReceiptAsync(made.message, enc, ctx, alice), againstEnc);
    assert.equal(againstEnc.receipt.verified, true, JSON.stringify(againstEnc.problems));
    // Without her key the encrypted copy cannot be read: not verified.
    assert.equal((await mmhs.verifyReceiptAsync(made.message, enc, ctx)).receipt.verified, false);
    // OpenSSL accepts the WebCrypto-signed receipt of the signed original.
    write('sent-a.eml', Buffer.from(sent));
    const body = Buffer.from(made.message).toString('utf8').split('\r\n\r\n').slice(1).join('');
    write('rct-a.der', Buffer.from(body.replace(/\s+/g, ''), 'base64'));
    openssl('cms', '-verify_receipt', 'rct-a.der', '-rctform', 'DER', '-in', 'sent-a.eml', '-inform', 'SMIME', '-CAfile', 'ca.pem');
  }
});

test('makeReceiptAsync and verifyReceiptAsync of a large encrypted original: WebCrypto decrypts its content; the receipt and report of the sync exports', async () => {
  const bob = await mmhs.unlockKey(users.bob);
  const alice = await mmhs.unlockKey(users.alice);
  const large = ORDER('a2').replace('Move at dawn.\r\n', 'Move at dawn by the northern road.\r\n'.repeat(4000));
  const sent = mmhs.sign(large, users.alice, { signingTime: AT, receiptRequest: REQUEST });
  const opts = { messageId: 'rct-a2@example.mil', date: AT };
  const subtle = crypto.subtle;
  const decrypt = subtle.decrypt;
  let aes = 0;
  subtle.decrypt = function (alg, ...rest) {
    if (alg.name.startsWith('AES')) aes++;
    return decrypt.call(this, alg, ...rest);
  };
  try {
    for (const gcm of [false, true]) {
      const enc = mmhs.encrypt(sent, [users.bob.certificate, users.alice.certificate], { gcm });
      const sync = mmhs.makeReceipt(enc, users.bob, ctx, opts);
      aes = 0;
      const made = await mmhs.makeReceiptAsync(enc, bob, ctx, opts);
      assert.equal(aes, 1, `gcm=${gcm}: the original's content decrypted by WebCrypto once`);
      const head = (m) => Buffer.from(m).toString('utf8').split('\r\n\r\n')[0];
      assert.equal(head(made.message), head(sync.message));
      aes = 0;
      const againstEnc = await mmhs.verifyReceiptAsync(made.message, enc, ctx, alice);
      assert.equal(aes, 1, `gcm=${gcm}: the Sent copy's content decrypted by WebCrypto once`);
      assert.deepEqual(againstEnc, mmhs.verifyReceipt(made.message, enc, { ...ctx, decryptionKey: users.alice }));
      assert.equal(againstEnc.receipt.verified, true, JSON.stringify(againstEnc.problems));
    }
  } finally {
    subtle.decrypt = decrypt;
  }
});

test('makeReceiptAsync refuses what makeReceipt refuses, and a key that is not the certificate\'s', async () => {
  const bob = await mmhs.unlockKey(users.bob);
  const opts = { messageId: 'x@example.mil' };
  const plain = mmhs.sign(ORDER('a3'), users.alice, { signingTime: AT });
  await rejectsCode(mmhs.makeReceiptAsync(plain, bob, ctx, opts), 'receipt-refused-not-requested');
  const sent = mmhs.sign(ORDER('a4'), users.alice, { signingTime: AT, receiptRequest: REQUEST });
  const tampered = Buffer.from(sent).toString('utf8').replace('Move at dawn', 'Move at noon');
  await rejectsCode(mmhs.makeReceiptAsync(tampered, bob, ctx, opts), 'receipt-refused-invalid');
  // Encrypted to alice only: bob's key opens nothing, so the message does not verify.
  const notForBob = mmhs.encrypt(sent, [users.alice.certificate]);
  await rejectsCode(mmhs.makeReceiptAsync(notForBob, bob, ctx, opts), 'receipt-refused-invalid');
  await rejectsCode(mmhs.makeReceiptAsync(sent, bob, ctx, { ...opts, extra: 1 }), 'request-invalid');
  // Another key answering for bob's certificate: its signature never leaves the core.
  const other = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  await rejectsCode(mmhs.makeReceiptAsync(sent, { ...bob, cryptoKeys: { ...bob.cryptoKeys, ECDSA: other.privateKey } }, ctx, opts), 'signer-key-invalid');
  await rejectsCode(mmhs.makeReceiptAsync(sent, { certificate: users.bob.certificate, sign: async () => new Uint8Array(64).fill(3) }, ctx, opts), 'signer-key-invalid');
  // Keys are held non-extractable: an extractable CryptoKey is refused.
  const extractable = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  await rejectsCode(mmhs.makeReceiptAsync(sent, { ...bob, cryptoKeys: { ...bob.cryptoKeys, ECDSA: extractable.privateKey } }, ctx, opts), 'request-invalid');
});
