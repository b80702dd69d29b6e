// Domain signatures through the Node wasm package (draft-melnikov-smime-msa-to-mda-04 §2.6, §3)
// against a throwaway OpenSSL PKI made here: a domain-agent certificate names its domain with a
// subjectAltName smtp:// URI and dNSName; `sign` with `signatureType: ["domain"]` wraps the
// originator's signed message in a new signed layer that `openssl cms -verify` accepts;
// `verify` reports `namingOk`, `agentDomain`, `domainVerified`; a rogue agent of evil.example
// is refused by `sign` and flagged by `verify` when OpenSSL makes its signature anyway.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mmhs, mmhsRead, throwsCode } from './pkg.mjs';

const AT = '2030-01-01T00:00:00Z';
const dir = mkdtempSync(path.join(tmpdir(), 'mmhs-js-domain-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function openssl(...args) {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}
const read = (f) => readFileSync(path.join(dir, f), 'utf8');
const write = (f, data) => writeFileSync(path.join(dir, f), data);

write('ca.cnf', '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
write('req.cnf', '[req]\ndistinguished_name=dn\n[dn]\n');
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-subj', '/O=MMHS Test/CN=Test Root', '-days', '3650', '-config', 'ca.cnf');
const keys = {};
for (const [i, [name, san]] of [
  ['alice', 'email:alice@army.example'],
  ['army-mta', 'URI:smtp://army.example,DNS:army.example'],
  ['evil-mta', 'URI:smtp://evil.example'],
].entries()) {
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=MMHS Test/CN=${name}`, '-config', 'req.cnf');
  write(`${name}.ext`, `basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=${san}\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(200 + i),
    '-days', '3650', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  keys[name] = { pkcs8: read(`${name}.key`), certificate: read(`${name}.pem`) };
}
const ca = read('ca.pem');
const MESSAGE =
  'From: Alice <alice@army.example>\r\nTo: bob@navy.example\r\nSubject: Convoy\r\n' +
  'Date: Mon, 1 Jan 2029 10:00:00 +0000\r\nMessage-ID: <js-domain-1@army.example>\r\n' +
  'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nMove at dawn.\r\n';
const signedByAlice = mmhs.sign(MESSAGE, keys.alice, { signingTime: AT });

test('a domain signature by the army.example agent verifies, in the package and in OpenSSL', async () => {
  const out = mmhs.sign(signedByAlice, keys['army-mta'], { signingTime: AT, signatureType: ['domain'] });
  write('domain.eml', out);
  const inner = openssl('cms', '-verify', '-in', 'domain.eml', '-CAfile', 'ca.pem', '-purpose', 'any');
  assert.match(inner.toString('utf8'), /multipart\/signed/);
  const r = mmhs.verify(out, { trustAnchors: [ca], at: AT });
  assert.equal(r.valid, true, JSON.stringify(r.problems));
  assert.equal(r.domainVerified, true);
  assert.equal(r.signatures[0].signatureType, 'domain');
  assert.equal(r.signatures[0].namingOk, true);
  assert.equal(r.signatures[0].agentDomain, 'army.example');
  assert.equal(r.signatures[0].signer, 'smtp://army.example');
  assert.equal(r.signatures[1].addressMatch, true);
  assert.equal('namingOk' in r.signatures[1], false);
  // The reader's module (WebCrypto only): the same report.
  assert.deepEqual(await mmhsRead().verifyAsync(out, { trustAnchors: [ca], at: AT }), r);
});

test('a rogue evil.example agent is refused by sign and flagged by verify', async () => {
  throwsCode(assert, () => mmhs.sign(signedByAlice, keys['evil-mta'], { signatureType: ['domain'] }), 'agent-naming-invalid');
  throwsCode(assert, () => mmhs.sign(signedByAlice, keys['army-mta'], { signatureType: ['additionalAttributes', 'domain'] }),
    'signature-type-invalid');
  // The rogue signs with OpenSSL around alice's signed entity.
  const msg = Buffer.from(signedByAlice).toString('utf8');
  const entity = msg.slice(msg.indexOf('Content-Type: multipart/signed'));
  write('alice-entity.eml', entity);
  openssl('cms', '-sign', '-in', 'alice-entity.eml', '-signer', 'evil-mta.pem', '-inkey', 'evil-mta.key', '-md', 'sha256',
    '-from', 'alice@army.example', '-to', 'bob@navy.example', '-subject', 'Convoy', '-out', 'rogue.eml');
  const r = mmhs.verify(readFileSync(path.join(dir, 'rogue.eml')), { trustAnchors: [ca], at: AT });
  assert.equal(r.valid, false);
  assert.equal(r.domainVerified, false);
  assert.equal(r.signatures[0].namingOk, false);
  assert.equal(r.signatures[0].agentDomain, 'evil.example');
  assert.ok(r.problems.some((p) => p.code === 'domain-naming-mismatch'), JSON.stringify(r.problems));
  assert.deepEqual(await mmhsRead().verifyAsync(readFileSync(path.join(dir, 'rogue.eml')), { trustAnchors: [ca], at: AT }), r);
});

// Encryption for a recipient's domain (draft-melnikov-smime-msa-to-mda-04 §4 case (b)): carol
// has no certificate, navy.example's DCA has one (its §2.6 name and an encryption keyUsage);
// `encrypt` with `rcpt` / `domainEncryption` chooses it, OpenSSL decrypts with the DCA's key and
// `verify` names the recipient as the domain's DCA. Without domain encryption: refused.
openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'navy-dca.key');
openssl('req', '-new', '-key', 'navy-dca.key', '-out', 'navy-dca.csr', '-subj', '/O=MMHS Test/CN=navy-dca', '-config', 'req.cnf');
write('navy-dca.ext', 'basicConstraints=CA:false\nkeyUsage=critical,keyAgreement\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=URI:smtp://navy.example\n');
openssl('x509', '-req', '-in', 'navy-dca.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '299',
  '-days', '3650', '-out', 'navy-dca.pem', '-extfile', 'navy-dca.ext');

test('encrypt chooses the recipient domain\'s DCA when the recipient has no certificate', () => {
  const dca = read('navy-dca.pem');
  const out = mmhs.encrypt(signedByAlice, [], {
    rcpt: ['carol@navy.example'],
    certificates: [keys['evil-mta'].certificate, dca],
    domainEncryption: 'whenNoPersonal',
  });
  write('to-dca.eml', out);
  const plain = openssl('cms', '-decrypt', '-in', 'to-dca.eml', '-inkey', 'navy-dca.key', '-recip', 'navy-dca.pem');
  assert.match(plain.toString('utf8'), /Move at dawn/);
  const r = mmhs.verify(out, { trustAnchors: [ca], at: AT, decryptionKey: { pkcs8: read('navy-dca.key'), certificate: dca } });
  assert.equal(r.encryption[0].recipients[0].kind, 'dca', JSON.stringify(r.encryption));
  assert.equal(r.encryption[0].recipients[0].domain, 'navy.example');
  assert.ok(r.notes.some((n) => n.code === 'encrypted-for-domain'));
  throwsCode(assert, () => mmhs.encrypt(signedByAlice, [], { rcpt: ['carol@navy.example'], certificates: [dca] }), 'no-recipient-certificate');
});
