// Label-based access control through the Node wasm package (docs/security.md, docs/js-api.md):
// a message signed here with an ESS security label, verified, then judged by `labelCheck`
// against security policy files; `labelReceivable` for the compose picker; `labelEquivalents`
// for the reader; a policy the core refuses throws `label-policy-invalid`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mmhs, mmhsRead, throwsCode } from './pkg.mjs';

const AT = '2030-01-01T00:00:00Z';
const ARMY = '1.3.6.1.4.1.55555.1';
const NAVY = '1.3.6.1.4.1.55555.2';
const dir = mkdtempSync(path.join(tmpdir(), 'mmhs-js-label-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const read = (f) => readFileSync(path.join(dir, f), 'utf8');
writeFileSync(path.join(dir, 'ca.cnf'), '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
writeFileSync(path.join(dir, 'req.cnf'), '[req]\ndistinguished_name=dn\n[dn]\n');
openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-subj', '/O=MMHS Test/CN=Label Root', '-days', '3650', '-config', 'ca.cnf');
openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'alice.key');
openssl('req', '-new', '-key', 'alice.key', '-out', 'alice.csr', '-subj', '/O=MMHS Test/CN=alice', '-config', 'req.cnf');
writeFileSync(path.join(dir, 'alice.ext'), 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nsubjectAltName=email:alice@army.example\n');
openssl('x509', '-req', '-in', 'alice.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '7', '-days', '3650',
  '-out', 'alice.pem', '-extfile', 'alice.ext');
const alice = { pkcs8: read('alice.key'), certificate: read('alice.pem') };
const ca = read('ca.pem');

const policies = [
  JSON.stringify({
    policy: ARMY, local: true,
    classifications: [
      { value: 1, name: 'u', marking: 'ARMY UNCLASSIFIED' },
      { value: 3, name: 'c', marking: 'ARMY CONFIDENTIAL' },
    ],
    equivalences: [{ policy: NAVY, classifications: [{ theirs: 30, ours: 3 }] }],
    clearances: { 'navy.example': 1, 'alice@army.example': 3 },
  }),
  JSON.stringify({ policy: NAVY, classifications: [{ value: 30, name: 'c', marking: 'NAVY CONFIDENTIAL' }] }),
];

const MSG = 'From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: x\r\nDate: Mon, 1 Jan 2029 10:00:00 +0000\r\n' +
  'Message-ID: <label@army.example>\r\nMMHS-Primary-Precedence: 2\r\nContent-Type: text/plain\r\n\r\nx\r\n';

test('labelCheck judges the signed label of a verified message', async () => {
  const signed = mmhs.sign(MSG, alice, { signingTime: AT, securityLabel: { policy: ARMY, classification: 3, categories: [] } });
  const report = mmhs.verify(signed, { trustAnchors: [ca], at: AT });
  assert.equal(report.securityLabel.classification, 3);
  // The reader's module (WebCrypto only): the same report.
  assert.deepEqual(await mmhsRead().verifyAsync(signed, { trustAnchors: [ca], at: AT }), report);
  const input = { recipients: [{ address: 'bob@navy.example', nextHop: 'navy.example' }, { address: 'alice@army.example' }] };
  const d = mmhs.labelCheck({ policies, report, input });
  assert.equal(d.action, 'allow');
  assert.equal(d.source, 'signed');
  assert.equal(d.marking, 'ARMY CONFIDENTIAL');
  assert.deepEqual(d.recipients.map((r) => [r.address, r.allowed, r.code ?? null]),
    [['bob@navy.example', false, 'label-not-cleared'], ['alice@army.example', true, null]]);
  // Unlabelled military message, refused by default.
  const plain = mmhs.verify(MSG, { trustAnchors: [ca], at: AT });
  const r = mmhs.labelCheck({ policies, report: plain, input });
  assert.equal(r.action, 'refuse');
  assert.equal(r.problems[0].code, 'label-missing');
});

test('labelReceivable and labelEquivalents', () => {
  const classes = mmhs.labelReceivable({ policies, recipients: ['bob@navy.example'] });
  assert.deepEqual(classes.map((c) => [c.classification.value, c.allowed]), [[1, true], [3, false]]);
  // The picker's explanation comes from the core and names the recipient.
  assert.ok(!classes[0].why);
  assert.match(classes[1].why, /^bob@navy\.example/);
  const eq = mmhs.labelEquivalents({ policies, label: { policy: ARMY, classification: 3, categories: [] } });
  assert.deepEqual(eq, [{ label: { policy: NAVY, classification: 30, privacyMark: null, categories: [] }, marking: 'NAVY CONFIDENTIAL' }]);
  throwsCode(assert, () => mmhs.labelReceivable({ policies: ['{"policy":"x"}'], recipients: [] }), 'label-policy-invalid');
  throwsCode(assert, () => mmhs.labelReceivable({ policies, recipients: [], extra: 1 }), 'request-invalid');
});
