// The exports the extension uses instead of its own copies: certificateInfo (subject,
// fingerprint, addresses, canonical PEM) and makeMdn (RFC 8098 read receipt), from the built
// Node package. Their rules are tested in src/trust/certificate_info.rs and src/compose/mdn.rs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mmhs, throwsCode } from './pkg.mjs';

// RFC 9216 sample certificates (tests/vectors/rfc9216-certs, see its PROVENANCE.md)
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'vectors', 'rfc9216-certs');
const pem = (f) => readFileSync(path.join(dir, f), 'utf8');

test('certificateInfo: subject, fingerprint and addresses as openssl x509 shows them', () => {
  const [ca, alice] = mmhs.certificateInfo(pem('Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem') + pem('alice@smime.example.sig.pem'));
  assert.equal(ca.subject, 'CN=Sample LAMPS RSA Certification Authority,OU=LAMPS WG,O=IETF');
  assert.equal(ca.sha256Fingerprint, '6C:F3:0F:FD:F2:9B:E9:01:35:BB:5E:2D:0A:A8:B4:F2:D7:B0:96:0E:94:18:6C:F6:51:13:B3:89:2A:30:F7:C1');
  assert.deepEqual(ca.emailAddresses, []);
  assert.deepEqual(alice.emailAddresses, ['alice@smime.example']);
  assert.equal(alice.notAfter, '2052-09-27T06:54:18Z');
  // the PEM it returns reads back the same; bytes are accepted too
  assert.deepEqual(mmhs.certificateInfo(alice.pem), [alice]);
  assert.deepEqual(mmhs.certificateInfo(new TextEncoder().encode(alice.pem)), [alice]);
  throwsCode(assert, () => mmhs.certificateInfo('not a certificate'), 'certificate-missing');
  throwsCode(assert, () => mmhs.certificateInfo('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), 'certificate-malformed');
  throwsCode(assert, () => mmhs.certificateInfo(42), 'request-invalid');
});

test('makeMdn: a multipart/report to the requester with a null reverse-path; injection refused', () => {
  const request = {
    reader: 'bob@navy.example', to: 'alice@army.example', originalMessageId: '<1234.flash@army.example>',
    originalSubject: 'Move at 0600', originalRecipient: null, disposition: 'displayed', originalHeaders: null,
    reportingUa: 'mmhs-extension; test',
  };
  const mdn = mmhs.makeMdn(request);
  assert.ok(mdn.raw instanceof Uint8Array);
  const raw = Buffer.from(mdn.raw).toString('utf8');
  assert.match(raw, /^Content-Type: multipart\/report; report-type=disposition-notification;/m);
  assert.match(raw, /^Disposition: manual-action\/MDN-sent-manually; displayed\r$/m);
  assert.match(raw, /^In-Reply-To: <1234\.flash@army\.example>\r$/m);
  assert.equal(mdn.envelope.mailFrom, '');
  assert.deepEqual(mdn.envelope.rcpts, [{ address: 'alice@army.example' }]);
  assert.match(mdn.messageId, /^<[0-9a-f]{32}@navy\.example>$/);
  throwsCode(assert, () => mmhs.makeMdn({ ...request, to: 'alice@army.example>\r\nRCPT TO:<eve@evil.example' }), 'header-crlf');
  throwsCode(assert, () => mmhs.makeMdn({ ...request, mailFrom: 'eve@evil.example' }), 'request-invalid');
});

test('mmhsVocabulary: RFC 6477 precedences with the STANAG4406 MT-PRIORITY, message types', () => {
  const v = mmhs.mmhsVocabulary();
  assert.deepEqual(v.precedences.map((p) => [p.value, p.name, p.mtPriority]),
    [[0, 'deferred', -4], [1, 'routine', -2], [2, 'priority', 0], [3, 'immediate', 2], [4, 'flash', 4], [5, 'override', 6]]);
  assert.deepEqual(v.messageTypes.map((t) => t.name), ['exercise', 'operation', 'project', 'drill']);
});

test('readContent / attachmentBytes: the content view the reader renders, and one attachment\'s octets', () => {
  const raw = [
    'From: =?utf-8?q?J=C3=B6rg?= <j@army.example>',
    'Subject: orders',
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'body',
    '--b',
    'Content-Type: text/html',
    "Content-Disposition: attachment; filename*=utf-8''..%2Fp%C3%A4ge.html",
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<script>x</script>').toString('base64'),
    '--b--',
    '',
  ].join('\r\n');
  const view = mmhs.readContent(raw);
  assert.equal(view.headerSource, 'outer');
  assert.deepEqual(view.headers[0], { name: 'From', value: 'Jörg <j@army.example>' });
  assert.equal(view.body, 'body');
  assert.deepEqual(view.attachments, [{ index: 0, name: 'päge.html', mediaType: 'text/html', size: 18, inline: false }]);
  const bytes = mmhs.attachmentBytes(new TextEncoder().encode(raw), 0);
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(Buffer.from(bytes).toString(), '<script>x</script>');
  throwsCode(assert, () => mmhs.attachmentBytes(raw, 1), 'attachment-not-found');
  throwsCode(assert, () => mmhs.readContent(raw, { headerProtection: 'sideways' }), 'request-invalid');
  throwsCode(assert, () => mmhs.readContent(raw, { extra: 1 }), 'request-invalid');
  assert.equal(mmhs.readContent(raw, { headerProtection: 'wrapped' }).headerSource, 'protected-inner');
});
