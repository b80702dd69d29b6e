// The WebCrypto provider (src/wasm/webcrypto.rs) on Node's globalThis.crypto.subtle:
// unlockKey decrypts a password-encrypted PKCS#8 once into non-extractable CryptoKeys;
// signAsync / decryptAsync answer the core's private-key requests with them (or with callbacks).
// OpenSSL verifies what signAsync produces; answers that do not fit are refused.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mmhs, mmhsRead } from './pkg.mjs';

const AT = '2030-01-01T00:00:00Z';
const dir = mkdtempSync(path.join(tmpdir(), 'mmhs-webcrypto-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const read = (f) => readFileSync(path.join(dir, f), 'utf8');
const write = (f, data) => writeFileSync(path.join(dir, f), data);
const text = (u8) => Buffer.from(u8).toString('utf8');

write('ca.cnf', '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
write('req.cnf', '[req]\ndistinguished_name=dn\n[dn]\n');
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-subj', '/O=MMHS Test/CN=Test Root', '-days', '3650', '-config', 'ca.cnf');
const ca = read('ca.pem');
const users = {};
for (const [i, [name, alg]] of [['rosa', ['RSA', '-pkeyopt', 'rsa_keygen_bits:2048']], ['eve', ['EC', '-pkeyopt', 'ec_paramgen_curve:P-256']]].entries()) {
  openssl('genpkey', '-algorithm', ...alg, '-out', `${name}.key`);
  // The stored form: PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC).
  openssl('pkcs8', '-topk8', '-in', `${name}.key`, '-out', `${name}.p8`, '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256',
    '-iter', '10000', '-passout', 'pass:pw 1');
  openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=MMHS Test/CN=${name}`, '-config', 'req.cnf');
  const usage = name === 'rosa' ? 'digitalSignature,keyEncipherment' : 'digitalSignature,keyAgreement';
  write(`${name}.ext`, `basicConstraints=CA:false\nkeyUsage=critical,${usage}\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nsubjectAltName=email:${name}@example.mil\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(200 + i),
    '-days', '3650', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  users[name] = { encryptedPkcs8: read(`${name}.p8`), password: 'pw 1', certificate: read(`${name}.pem`) };
}
const message = (from) =>
  `From: ${from}@example.mil\r\nTo: hq@example.mil\r\nSubject: Orders\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\n` +
  `Message-ID: <wc-${from}@example.mil>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHold the bridge.\r\n`;

async function rejectsCode(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, 'MmhsError', String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test('unlockKey: non-extractable CryptoKeys; a wrong password is refused', async () => {
  const rsa = await mmhs.unlockKey(users.rosa);
  assert.equal(rsa.kind, 'rsa');
  assert.ok(rsa.certificate.includes('BEGIN CERTIFICATE'));
  const names = Object.keys(rsa.cryptoKeys).sort();
  assert.ok(names.includes('RSASSA-PKCS1-v1_5/SHA-256') && names.includes('RSA-PSS/SHA-384') && names.includes('RSA-OAEP/SHA-1'), names.join());
  for (const k of Object.values(rsa.cryptoKeys)) {
    assert.ok(k instanceof CryptoKey);
    assert.equal(k.extractable, false);
    assert.equal(k.type, 'private');
    await assert.rejects(crypto.subtle.exportKey('pkcs8', k));
  }
  assert.equal(JSON.stringify(rsa).includes('PRIVATE KEY'), false, 'no key material in the handle');
  const ec = await mmhs.unlockKey(users.eve);
  assert.deepEqual(Object.keys(ec.cryptoKeys).sort(), ['ECDH', 'ECDSA']);
  await rejectsCode(mmhs.unlockKey({ ...users.eve, password: 'wrong' }), 'key-bad-password');
  // A key with someone else's certificate.
  await rejectsCode(mmhs.unlockKey({ ...users.eve, certificate: users.rosa.certificate }), 'signer-key-invalid');
});

test('unlockKey derives the stored key\'s PBKDF2 key with SubtleCrypto once; a failing SubtleCrypto leaves it to the module, a lying one opens nothing', async () => {
  const { subtle } = globalThis.crypto;
  const deriveBits = subtle.deriveBits;
  const asked = [];
  try {
    subtle.deriveBits = function (alg, key, length) {
      asked.push({ name: alg.name, hash: alg.hash, iterations: alg.iterations, length });
      return deriveBits.apply(this, [alg, key, length]);
    };
    for (const name of ['rosa', 'eve']) {
      asked.length = 0;
      const key = await mmhs.unlockKey(users[name]);
      assert.deepEqual(asked, [{ name: 'PBKDF2', hash: 'SHA-256', iterations: 10000, length: 256 }], name);
      const signed = await mmhs.signAsync(message(name), key, { signingTime: AT });
      assert.equal(mmhs.verify(signed, { trustAnchors: [ca], at: AT }).valid, true, name);
    }
    await rejectsCode(mmhs.unlockKey({ ...users.eve, password: 'wrong' }), 'key-bad-password');
    // A SubtleCrypto without PBKDF2: the module derives the same key.
    subtle.deriveBits = () => Promise.reject(new DOMException('no PBKDF2', 'NotSupportedError'));
    const fallback = await mmhs.unlockKey(users.eve);
    assert.equal(mmhs.verify(await mmhs.signAsync(message('eve'), fallback, { signingTime: AT }), { trustAnchors: [ca], at: AT }).valid, true);
    await rejectsCode(mmhs.unlockKey({ ...users.eve, password: 'wrong' }), 'key-bad-password');
    // One that answers with other bits (or too few) opens no key.
    subtle.deriveBits = async (alg, key, length) => new Uint8Array(length / 8).fill(7).buffer;
    await rejectsCode(mmhs.unlockKey(users.eve), 'key-bad-password');
    subtle.deriveBits = async () => new Uint8Array(5).buffer;
    await assert.rejects(mmhs.unlockKey(users.eve));
  } finally {
    subtle.deriveBits = deriveBits;
  }
});

test('signAsync with unlocked keys: RSA PKCS#1 v1.5, RSA-PSS, ECDSA — OpenSSL and mmhs verify', async () => {
  const cases = [['rosa', {}], ['rosa', { rsaPadding: 'pss', digest: 'sha384' }], ['eve', {}], ['eve', { digest: 'sha512', detached: false }]];
  for (const [name, opts] of cases) {
    const key = await mmhs.unlockKey(users[name]);
    const signed = await mmhs.signAsync(message(name), key, { signingTime: AT, ...opts });
    assert.ok(signed instanceof Uint8Array);
    write('signed.eml', signed);
    openssl('cms', '-verify', '-in', 'signed.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
    const report = mmhs.verify(signed, { trustAnchors: [ca], at: AT });
    assert.equal(report.valid, true, `${name} ${JSON.stringify(opts)}: ${JSON.stringify(report.problems)}`);
  }
});

test('signAsync refuses a signature that does not fit the certificate', async () => {
  const eve = await mmhs.unlockKey(users.eve);
  // eve's CryptoKeys presented with rosa's certificate: the key type does not fit.
  await rejectsCode(mmhs.signAsync(message('rosa'), { ...eve, certificate: users.rosa.certificate }), 'unsupported-algorithm');
  const other = await mmhs.unlockKey({ ...users.eve });
  const ecOther = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  // Another P-256 key answering for eve's certificate.
  await rejectsCode(mmhs.signAsync(message('eve'), { ...other, cryptoKeys: { ECDSA: ecOther.privateKey } }), 'signer-key-invalid');
  // A callback answering garbage, or a signature over other octets.
  await rejectsCode(mmhs.signAsync(message('eve'), { certificate: users.eve.certificate, sign: async () => new Uint8Array(64).fill(1) }), 'signer-key-invalid');
  await rejectsCode(mmhs.signAsync(message('eve'), {
    certificate: users.eve.certificate,
    sign: (r) => crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, eve.cryptoKeys.ECDSA, new Uint8Array([...r.data, 0])),
  }), 'signer-key-invalid');
  await rejectsCode(mmhs.signAsync(message('eve'), { certificate: users.eve.certificate }), 'request-invalid');
});

test('signAsync with a callback provider', async () => {
  const eve = await mmhs.unlockKey(users.eve);
  const seen = [];
  const key = {
    certificate: users.eve.certificate,
    sign: (r) => {
      seen.push(r);
      return crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, eve.cryptoKeys.ECDSA, r.data);
    },
  };
  const signed = await mmhs.signAsync(message('eve'), key, { signingTime: AT });
  assert.equal(mmhs.verify(signed, { trustAnchors: [ca], at: AT }).valid, true);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].scheme, 'ecdsa');
  assert.equal(seen[0].hash, 'sha256');
  assert.ok(seen[0].data instanceof Uint8Array && seen[0].data[0] === 0x31, 'the DER SET OF signed attributes');
});

test('decryptAsync: RSA-OAEP and ECDH through WebCrypto give what the sync decrypt gives', async () => {
  // Small and large (the RSA-OAEP operation begun from the body's first lines: one call).
  const large = (name) => message(name).replace('Hold the bridge.\r\n', 'Hold the bridge.\r\n' + `${'x'.repeat(76)}\r\n`.repeat(2000));
  const subtle = crypto.subtle;
  const decrypt = subtle.decrypt;
  let rsa = 0;
  subtle.decrypt = function (alg, ...rest) {
    if (alg.name === 'RSA-OAEP') rsa++;
    return decrypt.call(this, alg, ...rest);
  };
  try {
    for (const name of ['rosa', 'eve']) {
      const key = await mmhs.unlockKey(users[name]);
      for (const gcm of [false, true]) {
        for (const m of [message(name), large(name)]) {
          // Addressed to the other first: the key's RecipientInfo is not the first one.
          const other = name === 'rosa' ? 'eve' : 'rosa';
          const enc = mmhs.encrypt(m, [users[other].certificate, users[name].certificate], { gcm });
          const sync = mmhs.decrypt(enc, users[name]);
          rsa = 0;
          const async_ = await mmhs.decryptAsync(enc, key);
          assert.deepEqual(async_, sync);
          assert.match(text(async_), /Hold the bridge/);
          assert.equal(rsa, name === 'rosa' ? 1 : 0);
        }
      }
    }
  } finally {
    subtle.decrypt = decrypt;
  }
});

test('decryptAsync: the outer fields are written before the entity in WebCrypto\'s buffer, nothing else is left in it', async () => {
  // Outer fields far longer than the EnvelopedData before the ciphertext (what an MTA's
  // trace fields make): they still fit in the room the decoded body leaves before it.
  const received = Array.from({ length: 60 }, (_, i) =>
    `Received: from relay${i}.example.mil (relay${i}.example.mil [10.0.${i}.1])\r\n\tby mx.example.mil with ESMTPS id ${i}; Mon, 1 Jan 2029 10:00:00 +0000\r\n`).join('');
  for (const name of ['rosa', 'eve']) {
    const key = await mmhs.unlockKey(users[name]);
    for (const body of ['Hold the bridge.\r\n', `${'y'.repeat(76)}\r\n`.repeat(3000)]) {
      const enc = text(mmhs.encrypt(message(name).replace('Hold the bridge.\r\n', body), [users[name].certificate]));
      const traced = received + enc;
      const sync = mmhs.decrypt(traced, users[name]);
      const out = await mmhs.decryptAsync(traced, key);
      assert.deepEqual(out, sync);
      assert.ok(text(out).startsWith('Received: from relay0'));
      // The message lies in WebCrypto's answer (AES-CBC) after the room it needed; the
      // octets before it (where the blocks before the ciphertext decrypted) are zeros, and
      // none follow it.
      assert.ok(out.byteOffset > 0);
      assert.ok(new Uint8Array(out.buffer, 0, out.byteOffset).every((b) => b === 0));
      assert.equal(out.byteOffset + out.length, out.buffer.byteLength);
    }
  }
});

test('decryptAsync: a head-start RSA-OAEP operation that fails is handled when the body does not decode', async () => {
  const rosa = await mmhs.unlockKey(users.rosa);
  // Another RSA key in rosa's place: its RSA-OAEP operation, begun on the RecipientInfo read
  // from the first lines, fails; the body's last line is not base64, so decryption fails first.
  const stranger = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['decrypt']);
  const wrong = { ...rosa, cryptoKeys: Object.fromEntries(Object.keys(rosa.cryptoKeys).map((k) => [k, stranger.privateKey])) };
  const large = message('rosa').replace('Hold the bridge.\r\n', 'Hold the bridge.\r\n' + `${'x'.repeat(76)}\r\n`.repeat(2000));
  const enc = text(mmhs.encrypt(large, [users.rosa.certificate]));
  const broken = enc.replace(/\r\n([A-Za-z0-9+/=]+)\r\n$/, '\r\n!$1\r\n');
  assert.notEqual(broken, enc);
  const rejections = [];
  const onRejection = (e) => rejections.push(e);
  process.on('unhandledRejection', onRejection);
  try {
    await rejectsCode(mmhs.decryptAsync(broken, wrong), 'smime-malformed');
    await rejectsCode(mmhs.decryptAsync(enc, wrong), 'decrypt-failed');
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  assert.deepEqual(rejections, []);
});

test('decryptAsync: wrong keys and WebCrypto-less algorithms are refused', async () => {
  const rosa = await mmhs.unlockKey(users.rosa);
  const eve = await mmhs.unlockKey(users.eve);
  const toEve = mmhs.encrypt(message('eve'), [users.eve.certificate]);
  // Not addressed to rosa.
  await rejectsCode(mmhs.decryptAsync(toEve, rosa), 'decrypt-no-recipient');
  // Another P-256 key answering for eve's certificate: the key unwrap fails.
  const stranger = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  await rejectsCode(mmhs.decryptAsync(toEve, { ...eve, cryptoKeys: { ECDH: stranger.privateKey } }), 'decrypt-failed');
  // A callback answering a garbage shared secret.
  await rejectsCode(mmhs.decryptAsync(toEve, { certificate: users.eve.certificate, decrypt: async () => new Uint8Array(32) }), 'decrypt-failed');
  // RSAES-PKCS1-v1_5 key transport (OpenSSL's default) is not in WebCrypto: the sync path remains.
  write('plain.txt', message('rosa'));
  openssl('cms', '-encrypt', '-in', 'plain.txt', '-aes256', '-out', 'v15.eml', 'rosa.pem');
  const v15 = readFileSync(path.join(dir, 'v15.eml'));
  // A code of its own, so a reader holding the unlocked key knows to ask for the password.
  await rejectsCode(mmhs.decryptAsync(v15, rosa), 'key-provider-unsupported');
  const report = await mmhs.verifyAsync(v15, { trustAnchors: [], at: '2030-01-01T00:00:00Z' }, rosa);
  assert.equal(report.valid, false);
  assert.deepEqual(report.problems.map((p) => p.code).filter((c) => c !== 'not-signed'), ['key-provider-unsupported']);
  assert.match(text(mmhs.decrypt(v15, users.rosa)), /Hold the bridge/);
});

// ---- encryptAsync, verifyAsync, releaseAsync ----------------------------------------------

const key = (name) => read(`${name}.key`);
const opensslDecrypt = (name, enc) => {
  write('enc.eml', enc);
  return openssl('cms', '-decrypt', '-in', 'enc.eml', '-recip', `${name}.pem`, '-inkey', `${name}.key`).toString('utf8');
};

test('encryptAsync (WebCrypto RSA-OAEP, ECDH, AES-CBC/GCM): OpenSSL, decrypt and decryptAsync read it', async () => {
  for (const [to, gcm] of [[['rosa'], false], [['eve'], false], [['rosa'], true], [['eve', 'rosa'], true]]) {
    const enc = await mmhs.encryptAsync(message('rosa'), to.map((n) => users[n].certificate), { gcm });
    assert.ok(enc instanceof Uint8Array);
    assert.match(text(enc), gcm ? /smime-type=authEnveloped-data/ : /smime-type=enveloped-data/);
    for (const name of to) {
      assert.match(opensslDecrypt(name, enc), /Hold the bridge/);
      const sync = mmhs.decrypt(enc, users[name]);
      assert.match(text(sync), /Hold the bridge/);
      assert.deepEqual(await mmhs.decryptAsync(enc, await mmhs.unlockKey(users[name])), sync);
      // What the sync encrypt makes of the same message decrypts to the same message.
      const viaSync = mmhs.encrypt(message('rosa'), to.map((n) => users[n].certificate), { gcm });
      assert.deepEqual(mmhs.decrypt(viaSync, users[name]), sync);
    }
  }
  // The recipient rules are the core's: refused alike.
  await rejectsCode(mmhs.encryptAsync(message('rosa'), []), 'encrypt-no-recipient');
  await rejectsCode(mmhs.encryptAsync(message('rosa'), [users.rosa.certificate], { rsaPadding: 'pkcs1v15' }), 'request-invalid');
});

test('encryptAsync refuses a WebCrypto that answers with the wrong ciphertext', async () => {
  const subtle = globalThis.crypto.subtle;
  const original = subtle.encrypt;
  for (const [name, gcm] of [['rosa', false], ['eve', true]]) {
    // A provider that flips one bit of every AES answer (content encryption).
    subtle.encrypt = async (alg, k, data) => {
      const out = new Uint8Array(await original.call(subtle, alg, k, data));
      if (alg.name !== 'RSA-OAEP') out[0] ^= 1;
      return out.buffer;
    };
    try {
      await rejectsCode(mmhs.encryptAsync(message(name), [users[name].certificate], { gcm }), 'encrypt-failed');
      // An RSA-OAEP answer cut short.
      subtle.encrypt = async (alg, k, data) => {
        const out = new Uint8Array(await original.call(subtle, alg, k, data));
        return alg.name === 'RSA-OAEP' ? out.slice(1).buffer : out.buffer;
      };
      await rejectsCode(mmhs.encryptAsync(message('rosa'), [users.rosa.certificate]), 'encrypt-failed');
    } finally {
      subtle.encrypt = original;
    }
  }
  assert.match(opensslDecrypt('eve', await mmhs.encryptAsync(message('eve'), [users.eve.certificate])), /Hold the bridge/);
});

test('verifyAsync with an unlocked decryption key gives the report verify gives with the key', async () => {
  const signed = mmhs.sign(message('eve'), { pkcs8: key('eve'), certificate: users.eve.certificate }, { signingTime: AT });
  // The key's operation (begun on the RecipientInfo read ahead, while the first walk runs)
  // is asked of WebCrypto once per verification, also when its RecipientInfo is not the
  // first.
  const subtle = crypto.subtle;
  const [decrypt, deriveBits] = [subtle.decrypt, subtle.deriveBits];
  let keyOps = 0;
  subtle.decrypt = function (alg, ...rest) {
    if (alg.name === 'RSA-OAEP') keyOps++;
    return decrypt.call(this, alg, ...rest);
  };
  subtle.deriveBits = function (...args) {
    keyOps++;
    return deriveBits.apply(this, args);
  };
  try {
    for (const name of ['eve', 'rosa']) {
      const other = name === 'eve' ? 'rosa' : 'eve';
      for (const [gcm, to] of [[false, [name]], [true, [name]], [false, [other, name]]]) {
        const enc = mmhs.encrypt(signed, to.map((n) => users[n].certificate), { gcm });
        const sync = mmhs.verify(enc, { trustAnchors: [ca], at: AT, decryptionKey: users[name] });
        assert.equal(sync.valid, true, JSON.stringify(sync.problems));
        const unlocked = await mmhs.unlockKey(users[name]);
        keyOps = 0;
        const async_ = await mmhs.verifyAsync(enc, { trustAnchors: [ca], at: AT }, unlocked);
        assert.deepEqual(async_, sync);
        assert.equal(keyOps, 1, `${name} ${to}: one private-key operation`);
        const withContent = await mmhs.verifyAsync(enc, { trustAnchors: [ca], at: AT, withContent: true }, unlocked);
        const syncContent = mmhs.verify(enc, { trustAnchors: [ca], at: AT, decryptionKey: users[name], withContent: true });
        assert.deepEqual(withContent, syncContent);
      }
    }
  } finally {
    subtle.decrypt = decrypt;
    subtle.deriveBits = deriveBits;
  }
  // Without a key, and with an unencrypted message, verifyAsync is verify.
  const enc = mmhs.encrypt(signed, [users.eve.certificate]);
  assert.deepEqual(await mmhs.verifyAsync(enc, { trustAnchors: [ca], at: AT }), mmhs.verify(enc, { trustAnchors: [ca], at: AT }));
  assert.deepEqual(await mmhs.verifyAsync(signed, { trustAnchors: [ca], at: AT }), mmhs.verify(signed, { trustAnchors: [ca], at: AT }));
});

test('verifyAsync decrypts a large content and hashes the signed content inside with WebCrypto: the report of verify with the key', async () => {
  const opts = { trustAnchors: [ca], at: AT };
  const large = (from) => message(from).replace('Hold the bridge.\r\n', 'Hold the bridge.\r\n' + `${'x'.repeat(76)}\r\n`.repeat(1500));
  const subtle = crypto.subtle;
  const [decrypt, digest] = [subtle.decrypt, subtle.digest];
  const calls = { aes: 0, digest: 0 };
  const counting = function (alg, ...rest) {
    if (alg.name.startsWith('AES')) calls.aes++;
    return decrypt.call(this, alg, ...rest);
  };
  subtle.decrypt = counting;
  subtle.digest = function (...args) { calls.digest++; return digest.apply(this, args); };
  try {
    for (const name of ['eve', 'rosa']) {
      const unlocked = await mmhs.unlockKey(users[name]);
      const signer = { pkcs8: key('eve'), certificate: users.eve.certificate };
      for (const detached of [true, false]) {
        const signed = mmhs.sign(large('eve'), signer, { signingTime: AT, detached });
        // As signed, and (clear-signed) with the signed content altered before encryption.
        const altered = text(signed).replace('Hold the bridge.', 'Leave the bridge.');
        for (const [m, valid] of detached ? [[signed, true], [altered, false]] : [[signed, true]]) {
          for (const gcm of [false, true]) {
            const enc = mmhs.encrypt(m, [users[name].certificate], { gcm });
            const how = `${name} detached=${detached} gcm=${gcm} valid=${valid}`;
            const sync = mmhs.verify(enc, { ...opts, decryptionKey: users[name] });
            assert.equal(sync.valid, valid, how);
            const before = { ...calls };
            assert.deepEqual(await mmhs.verifyAsync(enc, opts, unlocked), sync, how);
            assert.equal(calls.aes - before.aes, 1, `${how}: the content decrypted by WebCrypto once`);
            if (detached) assert.ok(calls.digest > before.digest, `${how}: the signed content hashed by WebCrypto`);
            const syncContent = mmhs.verify(enc, { ...opts, decryptionKey: users[name], withContent: true });
            assert.deepEqual(await mmhs.verifyAsync(enc, { ...opts, withContent: true }, unlocked), syncContent, how);
          }
        }
      }
      // A provider whose AES answer differs from the content in its middle: the signed
      // content is then not what was signed (its digest, WebCrypto's, does not match).
      const enc = mmhs.encrypt(mmhs.sign(large('eve'), signer, { signingTime: AT, detached: true }), [users[name].certificate]);
      subtle.decrypt = async function (alg, ...rest) {
        const out = new Uint8Array(await decrypt.call(this, alg, ...rest));
        if (alg.name.startsWith('AES')) out[out.length >> 1] ^= 1;
        return out.buffer;
      };
      const lied = await mmhs.verifyAsync(enc, opts, unlocked);
      subtle.decrypt = counting;
      assert.equal(lied.valid, false);
      assert.ok(lied.problems.some((p) => p.code === 'message-digest-mismatch'), JSON.stringify(lied.problems));
    }
  } finally {
    subtle.decrypt = decrypt;
    subtle.digest = digest;
  }
});

// The signature value of a multipart/signed message (ours, or OpenSSL's with its older media
// type and bare LF line ends), its last octet changed.
const flipSignature = (signed) => {
  const t = text(signed);
  const m = /(Content-Type: application\/(?:x-)?pkcs7-signature[^]*?\r?\n\r?\n)([A-Za-z0-9+/=\r\n]+?)(\r?\n--)/.exec(t);
  assert.ok(m, 'a detached signature part');
  const der = Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
  der[der.length - 1] ^= 1;
  const b64 = der.toString('base64').replace(/.{1,76}/g, '$&\r\n').trimEnd();
  return t.slice(0, m.index) + m[1] + b64 + t.slice(m.index + m[1].length + m[2].length);
};

test('verifyAsync checks signature values with WebCrypto and gives the report of verify, forged or not', async () => {
  const opts = { trustAnchors: [ca], at: AT };
  const subtle = crypto.subtle;
  const original = subtle.verify;
  let calls = 0;
  for (const name of ['eve', 'rosa']) {
    const signed = mmhs.sign(message(name), { pkcs8: key(name), certificate: users[name].certificate }, { signingTime: AT, detached: true });
    const forged = [text(signed).replace('Hold the bridge.', 'Leave the bridge.'), flipSignature(signed)];
    for (const m of [text(signed), ...forged]) {
      const sync = mmhs.verify(m, opts);
      subtle.verify = function (...args) { calls++; return original.apply(this, args); };
      try {
        assert.deepEqual(await mmhs.verifyAsync(m, opts), sync);
        // A provider that confirms nothing: every value is verified in Rust, same report.
        subtle.verify = async () => false;
        assert.deepEqual(await mmhs.verifyAsync(m, opts), sync);
        subtle.verify = async () => { throw new Error('unavailable'); };
        assert.deepEqual(await mmhs.verifyAsync(m, opts), sync);
      } finally {
        subtle.verify = original;
      }
    }
    assert.equal(mmhs.verify(text(signed), opts).valid, true);
    for (const f of forged) {
      const r = mmhs.verify(f, opts);
      assert.equal(r.valid, false);
      assert.ok(r.problems.some((p) => p.code === 'signature-invalid' || p.code === 'message-digest-mismatch'), JSON.stringify(r.problems));
    }
  }
  assert.ok(calls >= 6, `WebCrypto verified ${calls} values`);
});

test('verifyAsync asks WebCrypto once for a certificate signature it confirmed, always for a message signature; another certificate signature is asked and refused', async () => {
  const opts = { trustAnchors: [ca], at: AT };
  // A signer of its own, so that no earlier test has had its certificate confirmed.
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'tess.key');
  openssl('req', '-new', '-key', 'tess.key', '-out', 'tess.csr', '-subj', '/O=MMHS Test/CN=tess', '-config', 'req.cnf');
  write('tess.ext', 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:tess@example.mil\n');
  openssl('x509', '-req', '-in', 'tess.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '299',
    '-days', '3650', '-out', 'tess.pem', '-extfile', 'tess.ext');
  const certificate = read('tess.pem');
  // The same certificate with its signature value's last octet changed.
  const der = Buffer.from(certificate.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
  der[der.length - 1] ^= 1;
  const forgedCert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  const sign = (body, cert) => text(mmhs.sign(message('tess').replace('Hold the bridge.', body), { pkcs8: read('tess.key'), certificate: cert }, { signingTime: AT, detached: true }));
  const first = sign('Hold the bridge.', certificate);
  const second = sign('Take the bridge.', certificate);
  const forged = sign('Hold the bridge.', forgedCert);
  const subtle = crypto.subtle;
  const original = subtle.verify;
  let calls = 0;
  subtle.verify = function (...args) { calls++; return original.apply(this, args); };
  const asked = async (m) => {
    calls = 0;
    assert.deepEqual(await mmhs.verifyAsync(m, opts), mmhs.verify(m, opts));
    return calls;
  };
  try {
    assert.equal(await asked(first), 2, 'the message signature and the certificate signature');
    assert.equal(await asked(first), 1, 'the message signature again');
    assert.equal(await asked(second), 1, 'the certificate signature was confirmed before');
    assert.equal(await asked(forged), 2, 'another certificate signature is asked');
    assert.equal(mmhs.verify(forged, opts).valid, false);
    assert.equal(mmhs.verify(second, opts).valid, true);
  } finally {
    subtle.verify = original;
  }
});

test('verifyAsync: a wrong answer is the report of a wrong key; extractable CryptoKeys are refused', async () => {
  const signed = mmhs.sign(message('eve'), { pkcs8: key('eve'), certificate: users.eve.certificate }, { signingTime: AT });
  const enc = mmhs.encrypt(signed, [users.eve.certificate]);
  const garbage = await mmhs.verifyAsync(enc, { trustAnchors: [ca], at: AT },
    { certificate: users.eve.certificate, decrypt: async () => new Uint8Array(32).fill(7) });
  assert.equal(garbage.valid, false);
  assert.ok(garbage.problems.some((p) => p.code === 'decrypt-failed'), JSON.stringify(garbage.problems));
  const stranger = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  const eve = await mmhs.unlockKey(users.eve);
  const wrong = await mmhs.verifyAsync(enc, { trustAnchors: [ca], at: AT }, { ...eve, cryptoKeys: { ECDH: stranger.privateKey } });
  assert.equal(wrong.valid, false);
  assert.ok(wrong.problems.some((p) => p.code === 'decrypt-failed'));
  // The design holds keys non-extractable (unlockKey): an extractable CryptoKey is refused.
  const extractable = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  await rejectsCode(mmhs.verifyAsync(enc, { trustAnchors: [ca], at: AT }, { ...eve, cryptoKeys: { ECDH: extractable.privateKey } }), 'request-invalid');
  await rejectsCode(mmhs.decryptAsync(enc, { ...eve, cryptoKeys: { ECDH: extractable.privateKey } }), 'request-invalid');
  const ecdsa = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  await rejectsCode(mmhs.signAsync(message('eve'), { ...eve, cryptoKeys: { ECDSA: ecdsa.privateKey } }), 'request-invalid');
});

test('releaseAsync with an unlocked officer key: what release gives; OpenSSL verifies', async () => {
  const draft = message('rosa').replace('From: rosa@example.mil', 'From: rosa@example.mil\r\nMMHS-Primary-Precedence: 2');
  const signed = mmhs.sign(draft, { pkcs8: key('rosa'), certificate: users.rosa.certificate }, { signingTime: AT });
  const opts = (decision, extra = {}) => ({ trustAnchors: [ca], at: AT, decision, policy: { officers: ['eve@example.mil'] }, ...extra });
  const officer = await mmhs.unlockKey(users.eve);
  for (const form of ['countersignature', 'reviewSignature']) {
    const o = opts('approve', { policy: { officers: ['eve@example.mil'], form } });
    const sync = mmhs.release(signed, { ...o, officer: users.eve });
    const async_ = await mmhs.releaseAsync(signed, o, officer);
    assert.equal(async_.outcome, 'released', JSON.stringify(async_.problems));
    assert.equal(sync.outcome, 'released');
    write('released.eml', async_.message);
    openssl('cms', '-verify', '-in', 'released.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
    const rep = mmhs.verify(async_.message, { trustAnchors: [ca], at: AT });
    const syncRep = mmhs.verify(sync.message, { trustAnchors: [ca], at: AT });
    assert.deepEqual(rep.authorizingUsers, syncRep.authorizingUsers);
    assert.equal(rep.valid, syncRep.valid, JSON.stringify(rep.problems));
    assert.deepEqual(rep.authorizingUsers.map((a) => a.address), ['eve@example.mil']);
    assert.deepEqual({ ...async_, message: null }, { ...sync, message: null });
    // The reader's module (WebCrypto only) gives the release the same report.
    assert.deepEqual(await mmhsRead().verifyAsync(async_.message, { trustAnchors: [ca], at: AT }), rep);
  }
  // Outcomes without a signature need no key operation.
  const rej = await mmhs.releaseAsync(signed, opts({ reject: 'Wrong grid' }), officer);
  assert.equal(rej.outcome, 'rejected');
  // The officer's key belongs in the third argument only.
  await rejectsCode(mmhs.releaseAsync(signed, { ...opts('approve'), officer: users.eve }, officer), 'request-invalid');
  // Another key answering for the officer's certificate.
  const other = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  await rejectsCode(mmhs.releaseAsync(signed, opts('approve'), { ...officer, cryptoKeys: { ECDSA: other.privateKey } }), 'signer-key-invalid');
  await rejectsCode(mmhs.releaseAsync(signed, opts('approve'), { certificate: users.eve.certificate, sign: async () => new Uint8Array(64).fill(3) }), 'signer-key-invalid');
});

test('decryptAsync: WebCrypto decrypts the content; a modified ciphertext is refused as decrypt refuses it', async () => {
  const big = message('eve').replace('Hold the bridge.\r\n', 'Hold the bridge.\r\n'.repeat(2000));
  for (const [name, gcm, code] of [['eve', true, 'decrypt-auth-failed'], ['rosa', false, null]]) {
    const key = await mmhs.unlockKey(users[name]);
    const enc = mmhs.encrypt(big, [users[name].certificate], { gcm });
    assert.deepEqual(await mmhs.decryptAsync(enc, key), mmhs.decrypt(enc, users[name]));
    // Flip one base64 character in the middle of the body: inside the encrypted content.
    const t = text(enc);
    const at = t.indexOf('\r\n\r\n') + Math.floor((t.length - t.indexOf('\r\n\r\n')) / 2);
    const flipped = t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    let syncCode = null;
    try {
      const out = mmhs.decrypt(flipped, users[name]);
      assert.doesNotMatch(text(out).slice(0, 200) + text(out).slice(-200), /^$/);
    } catch (e) {
      syncCode = e.code;
    }
    if (code) assert.equal(syncCode, code);
    if (syncCode) await rejectsCode(mmhs.decryptAsync(flipped, key), syncCode);
    else assert.deepEqual(await mmhs.decryptAsync(flipped, key), mmhs.decrypt(flipped, users[name]));
  }
});

test('signAsync and verifyAsync hash large content with SubtleCrypto digest: the reports verify gives; altered content fails', async () => {
  const eve = await mmhs.unlockKey(users.eve);
  const line = 'y'.repeat(76) + '\r\n';
  // ~400 KiB: several runs of every line-based pass; given as a string and as bytes.
  const big = message('eve').replace('Hold the bridge.\r\n', line.repeat(5000));
  const opts = { trustAnchors: [ca], at: AT };
  for (const input of [big, new TextEncoder().encode(big)]) {
    const signed = await mmhs.signAsync(input, eve, { signingTime: AT });
    assert.ok(text(signed).includes(line.repeat(3)));
    // The entity was copied out while it was hashed, into a buffer with room around it: the
    // output is a view of it (a small message's is a buffer of its own, below).
    assert.ok(signed.byteOffset > 0 && signed.buffer.byteLength > signed.length);
    assert.deepEqual(mmhs.verify(new Uint8Array(signed), opts), mmhs.verify(signed, opts));
    write('big.eml', signed);
    openssl('cms', '-verify', '-in', 'big.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
    const report = mmhs.verify(signed, opts);
    assert.equal(report.valid, true, JSON.stringify(report.problems));
    assert.deepEqual(await mmhs.verifyAsync(signed, opts), report);
    // Bare LF line ends (walked in a canonical copy) and an altered line of the same length.
    const lf = Buffer.from(text(signed).replaceAll('\r\n', '\n'));
    assert.deepEqual(await mmhs.verifyAsync(lf, opts), mmhs.verify(lf, opts));
    assert.equal(mmhs.verify(lf, opts).valid, true);
    const altered = Buffer.from(text(signed).replace(line, 'z' + line.slice(1)));
    const bad = await mmhs.verifyAsync(altered, opts);
    assert.deepEqual(bad, mmhs.verify(altered, opts));
    assert.equal(bad.valid, false);
    assert.ok(bad.problems.some((p) => p.code === 'message-digest-mismatch'), JSON.stringify(bad.problems));
  }
  const small = await mmhs.signAsync(message('eve'), eve, { signingTime: AT });
  assert.ok(small.byteOffset === 0 && small.buffer.byteLength === small.length);
  assert.equal(mmhs.verify(small, opts).valid, true);
});

test('signAsync hashes the caller\'s octets where the entity lies in them, else the entity it made: what is sent is what is signed', async () => {
  const eve = await mmhs.unlockKey(users.eve);
  const opts = { trustAnchors: [ca], at: AT };
  const line = 'y'.repeat(76) + '\r\n';
  // ~230 KiB, the entity past the first 64 KiB read for the header section.
  const base = message('eve').replace('Hold the bridge.\r\n', line.repeat(3000));
  const enc = (s) => new TextEncoder().encode(s);
  const shared = (u8) => {
    const v = new Uint8Array(new SharedArrayBuffer(u8.length));
    v.set(u8);
    return v;
  };
  const { subtle } = globalThis.crypto;
  const digest = subtle.digest;
  const seen = [];
  subtle.digest = function (alg, data) {
    seen.push(data.buffer);
    return digest.apply(this, [alg, data]);
  };
  try {
    // [what, input, options, hashed where it lies, a digest begun there and not used]
    const cases = [
      ['Content-* fields last (as compose writes)', enc(base), {}, true, false],
      ['a bare LF past the first 64 KiB', enc(base.replace(line.repeat(2500), line.repeat(2500) + 'late\n')), {}, false, true],
      ['a field after Content-Type', enc(base.replace('Content-Type: text/plain\r\n', 'Content-Type: text/plain\r\nX-After: 1\r\n')), {}, false, false],
      ['MIME-Version between Content-* fields', enc(base.replace('MIME-Version: 1.0\r\nContent-Type: text/plain\r\n', 'Content-Type: text/plain\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: 7bit\r\n')), {}, false, false],
      ['no Content-Type', enc(base.replace('Content-Type: text/plain\r\n', '')), {}, false, false],
      ['header protection', enc(base), { protectHeaders: true }, false, false],
      ['a SharedArrayBuffer\'s view', shared(enc(base)), {}, false, false],
    ];
    for (const [what, input, o, inPlace, discarded] of cases) {
      seen.length = 0;
      const original = Buffer.from(input);
      const pending = mmhs.signAsync(input, eve, { signingTime: AT, ...o });
      // Both copies are taken before signAsync returns: the caller's later changes are not
      // what is signed, nor what is sent.
      input.fill(0x7a, input.length - 3000, input.length - 100);
      const signed = await pending;
      const hashed = seen.splice(0);
      assert.ok(text(signed).includes(text(original.subarray(original.length - 3000, original.length - 100))), what);
      const report = await mmhs.verifyAsync(signed, opts);
      assert.equal(report.valid, true, `${what}: ${JSON.stringify(report.problems)}`);
      write('early.eml', signed);
      openssl('cms', '-verify', '-in', 'early.eml', '-CAfile', 'ca.pem', '-purpose', 'any', '-out', '/dev/null');
      const caller = hashed.filter((b) => b === input.buffer).length;
      if (inPlace) assert.deepEqual([hashed.length, caller], [1, 1], `${what}: one digest, of the caller's octets`);
      else if (discarded) assert.deepEqual([hashed.length, caller], [2, 1], `${what}: begun on the caller's octets, then the entity made hashed`);
      else assert.deepEqual([hashed.length, caller], [1, 0], `${what}: the entity made hashed`);
    }
  } finally {
    subtle.digest = digest;
  }
});

// ---- the read module: WebCrypto only ---------------------------------------------------------

const codes = (report) => report.problems.map((p) => p.code);

test('the read module (WebCrypto only) verifies and decrypts as the full module does, forged or not', async () => {
  const readMod = mmhsRead();
  const opts = { trustAnchors: [ca], at: AT };
  const subtle = crypto.subtle;
  const original = subtle.verify;
  for (const name of ['eve', 'rosa']) {
    const signed = mmhs.sign(message(name), { pkcs8: key(name), certificate: users[name].certificate }, { signingTime: AT, detached: true });
    const forged = [text(signed).replace('Hold the bridge.', 'Leave the bridge.'), flipSignature(signed)];
    for (const m of [text(signed), ...forged]) assert.deepEqual(await readMod.verifyAsync(m, opts), mmhs.verify(m, opts));
    assert.equal((await readMod.verifyAsync(signed, opts)).valid, true);
    try {
      // A WebCrypto that confirms nothing: nothing is valid (there is no Rust to ask)...
      subtle.verify = async () => false;
      const refuted = await readMod.verifyAsync(signed, opts);
      assert.equal(refuted.valid, false);
      assert.ok(codes(refuted).includes('signature-invalid'), JSON.stringify(refuted.problems));
      // ...and one that fails to check anything leaves it to a build that can.
      subtle.verify = async () => { throw new Error('unavailable'); };
      const unchecked = await readMod.verifyAsync(signed, opts);
      assert.equal(unchecked.valid, false);
      assert.ok(codes(unchecked).includes('provider-unsupported'), JSON.stringify(unchecked.problems));
    } finally {
      subtle.verify = original;
    }
    // Encrypted, small (content decrypted by WebCrypto too) and large, CBC and GCM.
    const unlocked = await mmhs.unlockKey(users[name]);
    const big = message(name).replace('Hold the bridge.\r\n', 'Hold the bridge.\r\n' + `${'x'.repeat(76)}\r\n`.repeat(2000));
    for (const gcm of [false, true]) {
      for (const m of [message(name), big]) {
        const enc = mmhs.encrypt(mmhs.sign(m, { pkcs8: key(name), certificate: users[name].certificate }, { signingTime: AT }), [users[name].certificate], { gcm });
        assert.deepEqual(await readMod.decryptAsync(enc, unlocked), mmhs.decrypt(enc, users[name]));
        const withKey = { ...opts, withContent: true };
        const got = await readMod.verifyAsync(enc, withKey, unlocked);
        assert.deepEqual(got, mmhs.verify(enc, { ...withKey, decryptionKey: users[name] }));
        assert.equal(got.report.valid, true, JSON.stringify(got.report.problems));
      }
    }
  }
  // A certificate whose signature value was altered: WebCrypto refutes it, a bad signature.
  const der = Buffer.from(users.eve.certificate.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
  der[der.length - 1] ^= 1;
  const forgedCert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  const forged = mmhs.sign(message('eve'), { pkcs8: key('eve'), certificate: forgedCert }, { signingTime: AT });
  const report = await readMod.verifyAsync(forged, opts);
  assert.deepEqual(report, mmhs.verify(forged, opts));
  assert.ok(codes(report).includes('cert-bad-signature'), JSON.stringify(report.problems));
});

test('what WebCrypto lacks the read module reports as provider-unsupported, never valid; the full module decides', async () => {
  const readMod = mmhsRead();
  for (const f of ['verify', 'decrypt', 'verifyReceipt', 'unlockKey', 'certificateStatus', 'sign', 'signAsync']) {
    assert.equal(readMod[f], undefined, `the read module has no ${f}: it would need the pure-Rust provider`);
  }
  const opts = { trustAnchors: [ca], at: AT };
  write('plain.txt', message('rosa'));
  // An RSASSA-PSS signature (OpenSSL-made) is WebCrypto's too: the full module's report,
  // valid, and altered, not valid for the same reasons.
  write('entity.txt', 'Content-Type: text/plain\r\n\r\nHold the bridge.\r\n');
  const headers = ['-from', 'rosa@example.mil', '-to', 'hq@example.mil', '-subject', 'Orders'];
  openssl('cms', '-sign', '-in', 'entity.txt', '-signer', 'rosa.pem', '-inkey', 'rosa.key', '-keyopt', 'rsa_padding_mode:pss', ...headers, '-out', 'pss.eml');
  const pss = readFileSync(path.join(dir, 'pss.eml'));
  for (const m of [pss, flipSignature(pss), Buffer.from(text(pss).replace('Hold the bridge.', 'Burn the bridge.'))]) {
    assert.deepEqual(await readMod.verifyAsync(m, opts), mmhs.verify(m, opts));
  }
  assert.equal((await readMod.verifyAsync(pss, opts)).valid, true);
  assert.ok(codes(await readMod.verifyAsync(flipSignature(pss), opts)).includes('signature-invalid'));
  // A SignerInfo without signed attributes over more than 64 KiB (OpenSSL's -noattr): its
  // signature is over the whole content, which is not handed to WebCrypto — never valid in
  // the read module, valid in the full one.
  write('large.txt', 'Content-Type: text/plain\r\n\r\n' + `${'w'.repeat(76)}\r\n`.repeat(1000));
  openssl('cms', '-sign', '-in', 'large.txt', '-signer', 'eve.pem', '-inkey', 'eve.key', '-noattr', ...headers.map((h) => h.replace('rosa', 'eve')), '-out', 'noattr.eml');
  const noattr = readFileSync(path.join(dir, 'noattr.eml'));
  const fromRead = await readMod.verifyAsync(noattr, opts);
  assert.equal(fromRead.valid, false);
  // The cause first (what follows from an unchecked signature comes after it).
  assert.equal(codes(fromRead)[0], 'provider-unsupported', JSON.stringify(fromRead.problems));
  const full = await mmhs.verifyAsync(noattr, opts);
  assert.equal(full.valid, true, JSON.stringify(full.problems));
  assert.deepEqual(full, mmhs.verify(noattr, opts));
  // The content altered: still never valid in the read module; the full module says why.
  const altered = Buffer.from(text(noattr).replace('w'.repeat(76), 'v'.repeat(76)));
  assert.equal((await readMod.verifyAsync(altered, opts)).valid, false);
  assert.ok(codes(mmhs.verify(altered, opts)).includes('signature-invalid'));
  // A certificate signed with SHA-1 in the path (sha1WithRSAEncryption, accepted weak
  // algorithms) is WebCrypto's to check too: the full module's report.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'oldca.key', '-out', 'oldca.pem',
    '-subj', '/O=MMHS Test/CN=Old Root', '-days', '3650', '-config', 'ca.cnf');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'old.key');
  openssl('req', '-new', '-key', 'old.key', '-out', 'old.csr', '-subj', '/O=MMHS Test/CN=old', '-config', 'req.cnf');
  write('old.ext', 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:old@example.mil\n');
  openssl('x509', '-req', '-in', 'old.csr', '-CA', 'oldca.pem', '-CAkey', 'oldca.key', '-set_serial', '300', '-sha1', '-days', '3650', '-out', 'old.pem', '-extfile', 'old.ext');
  const old = mmhs.sign(message('old'), { pkcs8: read('old.key'), certificate: read('old.pem') }, { signingTime: AT });
  const weak = { trustAnchors: [read('oldca.pem')], at: AT, allowWeak: true };
  const oldRead = await readMod.verifyAsync(old, weak);
  assert.deepEqual(oldRead, mmhs.verify(old, weak));
  assert.equal(oldRead.valid, true, JSON.stringify(oldRead.problems));
  // A SHA-1 message signature (sha1WithRSAEncryption by OpenSSL's -md sha1): the same, genuine
  // or altered.
  openssl('cms', '-sign', '-in', 'entity.txt', '-signer', 'rosa.pem', '-inkey', 'rosa.key', '-md', 'sha1', ...headers, '-out', 'sha1.eml');
  const sha1 = readFileSync(path.join(dir, 'sha1.eml'));
  const legacy = { ...opts, allowWeak: true };
  for (const m of [sha1, flipSignature(sha1)]) assert.deepEqual(await readMod.verifyAsync(m, legacy), mmhs.verify(m, legacy));
  assert.equal((await readMod.verifyAsync(sha1, legacy)).valid, true);
  // The same CA signing with RSASSA-PSS (SHA-256, MGF1 with SHA-256, salt 32): WebCrypto's.
  openssl('x509', '-req', '-in', 'old.csr', '-CA', 'oldca.pem', '-CAkey', 'oldca.key', '-set_serial', '302', '-sha256',
    '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-days', '3650', '-out', 'pssleaf.pem', '-extfile', 'old.ext');
  const pssLeaf = mmhs.sign(message('old'), { pkcs8: read('old.key'), certificate: read('pssleaf.pem') }, { signingTime: AT });
  const pssPath = { ...weak, allowWeak: false };
  assert.deepEqual(await readMod.verifyAsync(pssLeaf, pssPath), mmhs.verify(pssLeaf, pssPath));
  assert.equal((await readMod.verifyAsync(pssLeaf, pssPath)).valid, true);
  // RSASSA-PSS with SHA-1 in the path is not asked of WebCrypto: the path is
  // provider-unsupported in the read module — never valid, and no verdict on the signature —
  // and the full module decides (RFC 5280 path validation admits RSASSA-PSS with SHA-2 only: a
  // bad signature there).
  openssl('x509', '-req', '-in', 'old.csr', '-CA', 'oldca.pem', '-CAkey', 'oldca.key', '-set_serial', '303', '-sha1',
    '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:20', '-days', '3650', '-out', 'pss1leaf.pem', '-extfile', 'old.ext');
  const pss1Leaf = mmhs.sign(message('old'), { pkcs8: read('old.key'), certificate: read('pss1leaf.pem') }, { signingTime: AT });
  const pss1Read = await readMod.verifyAsync(pss1Leaf, weak);
  assert.equal(pss1Read.valid, false);
  assert.deepEqual(codes(pss1Read), ['provider-unsupported']);
  assert.deepEqual(codes(mmhs.verify(pss1Leaf, weak)), ['cert-bad-signature']);
  // Two candidate paths through one intermediate (same name, same key, both issued by the
  // root): one certificate of it signed with RSASSA-PSS and SHA-1 (provider-unsupported in the
  // read module), one that is not a CA certificate. In either order, the read module reports
  // the path it could not check — so the full module is asked — never the other path's
  // failure alone; neither module finds the message valid.
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'int.key');
  openssl('req', '-new', '-key', 'int.key', '-out', 'int.csr', '-subj', '/O=MMHS Test/CN=Old Intermediate', '-config', 'req.cnf');
  write('int.ext', 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\n');
  write('int-noca.ext', 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\n');
  openssl('x509', '-req', '-in', 'int.csr', '-CA', 'oldca.pem', '-CAkey', 'oldca.key', '-set_serial', '304', '-sha1',
    '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:20', '-days', '3650', '-out', 'int-pss1.pem', '-extfile', 'int.ext');
  openssl('x509', '-req', '-in', 'int.csr', '-CA', 'oldca.pem', '-CAkey', 'oldca.key', '-set_serial', '305', '-sha256',
    '-days', '3650', '-out', 'int-noca.pem', '-extfile', 'int-noca.ext');
  openssl('x509', '-req', '-in', 'old.csr', '-CA', 'int-pss1.pem', '-CAkey', 'int.key', '-set_serial', '306', '-sha256',
    '-days', '3650', '-out', 'under-int.pem', '-extfile', 'old.ext');
  const underInt = mmhs.sign(message('old'), { pkcs8: read('old.key'), certificate: read('under-int.pem') }, { signingTime: AT });
  const [intPss1, intNoCa] = [read('int-pss1.pem'), read('int-noca.pem')];
  const notCa = codes(await readMod.verifyAsync(underInt, { ...weak, certificates: [intNoCa] }));
  assert.equal(notCa.length, 1);
  assert.ok(!['provider-unsupported', 'cert-untrusted'].includes(notCa[0]), notCa[0]);
  assert.deepEqual(codes(mmhs.verify(underInt, { ...weak, certificates: [intNoCa] })), notCa);
  assert.deepEqual(codes(await readMod.verifyAsync(underInt, { ...weak, certificates: [intPss1] })), ['provider-unsupported']);
  for (const certificates of [[intPss1, intNoCa], [intNoCa, intPss1]]) {
    const both = { ...weak, certificates };
    assert.deepEqual(codes(await readMod.verifyAsync(underInt, both)), ['provider-unsupported'], certificates[0] === intPss1 ? 'PSS-SHA-1 first' : 'not-CA first');
    assert.equal(mmhs.verify(underInt, both).valid, false);
  }
  // Not accepting weak algorithms, both refuse it for that, before any signature is checked.
  const strict = { ...weak, allowWeak: false };
  assert.deepEqual(await readMod.verifyAsync(old, strict), mmhs.verify(old, strict));
  assert.ok(codes(mmhs.verify(old, strict)).includes('weak-algorithm'));
  // A 3DES content: the read module cannot decrypt it, the full module's decryptAsync can.
  openssl('cms', '-encrypt', '-in', 'plain.txt', '-des3', '-recip', 'rosa.pem', '-keyopt', 'rsa_padding_mode:oaep', '-out', 'des3.eml');
  const des3 = readFileSync(path.join(dir, 'des3.eml'));
  const rosa = await mmhs.unlockKey(users.rosa);
  await rejectsCode(readMod.decryptAsync(des3, rosa), 'provider-unsupported');
  assert.match(text(await mmhs.decryptAsync(des3, rosa)), /Hold the bridge/);
  const des3Report = await readMod.verifyAsync(des3, opts, rosa);
  assert.equal(des3Report.valid, false);
  assert.ok(codes(des3Report).includes('provider-unsupported'), JSON.stringify(des3Report.problems));
  // A stored key is opened in the core: only a build with the pure-Rust provider does that.
  await rejectsCode(readMod.verifyAsync(des3, { ...opts, decryptionKey: users.rosa }), 'provider-unsupported');
});
