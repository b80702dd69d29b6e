import { test } from "node:test";
import assert from "node:assert/strict";
import { buildMdn, encodeWord, rfc5322Date } from "../src/shared/mdn.js";
import { parseMime, header, parseReport } from "../src/shared/mime.js";

const base = {
  reader: "bob@navy.example",
  to: "alice@army.example",
  originalMessageId: "<1234.flash@army.example>",
  originalSubject: "Move at 0600",
  originalRecipient: null,
  disposition: "displayed" as const,
  date: rfc5322Date(new Date(Date.UTC(2026, 10, 23, 12, 0, 5))),
  messageId: "abcdef@navy.example",
  originalHeaders: "From: alice@army.example\nTo: bob@navy.example\nSubject: Move at 0600\n",
  reportingUa: "mmhs-extension; test",
  boundary: "mdn-b1",
};

test("RFC 5322 date in UTC", () => {
  assert.equal(base.date, "Mon, 23 Nov 2026 12:00:05 +0000");
});

test("MDN: multipart/report with the disposition-notification part (RFC 8098 §3) and a null reverse-path (§2.1)", () => {
  const m = buildMdn(base);
  assert.deepEqual(m.envelope, { mailFrom: "", rcpts: [{ address: "alice@army.example" }] });
  assert.ok(!/[^\r]\n/.test(m.raw), "CRLF line ends only");
  const top = parseMime(m.raw);
  assert.equal(top.contentType, "multipart/report");
  assert.equal(top.params["report-type"], "disposition-notification");
  assert.equal(header(top.headers, "To"), "alice@army.example");
  assert.equal(header(top.headers, "In-Reply-To"), "<1234.flash@army.example>");
  assert.equal(header(top.headers, "Auto-Submitted"), "auto-replied");
  assert.deepEqual(top.parts.map((p) => p.contentType), ["text/plain", "message/disposition-notification", "text/rfc822-headers"]);
  const dn = top.parts[1]?.body ?? "";
  assert.match(dn, /^Reporting-UA: mmhs-extension; test\r\n/m);
  assert.match(dn, /^Final-Recipient: rfc822;bob@navy\.example\r\n/m);
  assert.match(dn, /^Original-Message-ID: <1234\.flash@army\.example>\r\n/m);
  assert.match(dn, /^Disposition: manual-action\/MDN-sent-manually; displayed/m);
  assert.match(top.parts[2]?.body ?? "", /Subject: Move at 0600/);
  // the reader's own DSN/MDN view reads it back
  const r = parseReport(top);
  assert.equal(r?.kind, "disposition-notification");
  assert.match(r?.disposition ?? "", /displayed/);
  assert.equal(r?.originalMessageId, "<1234.flash@army.example>");
});

test("MDN: no original headers for encrypted messages; header injection impossible", () => {
  const m = buildMdn({ ...base, originalHeaders: null, originalSubject: "Hi\r\nBcc: eve@evil.example", originalRecipient: "rfc822;bob@navy.example" });
  const top = parseMime(m.raw);
  assert.equal(top.parts.length, 2);
  assert.equal(header(top.headers, "Bcc"), null);
  assert.match(top.parts[1]?.body ?? "", /^Original-Recipient: rfc822;bob@navy\.example\r\n/m);
  assert.throws(() => buildMdn({ ...base, to: "alice@army.example>\r\nRCPT TO:<x@y" }));
  assert.throws(() => buildMdn({ ...base, reader: "not an address" }));
});

test("non-ASCII subjects become RFC 2047 encoded-words", () => {
  assert.equal(encodeWord("plain"), "plain");
  const w = encodeWord("Bewegung um 06:00 – sofort");
  assert.match(w, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  const m = buildMdn({ ...base, originalSubject: "Déplacement" });
  assert.match(m.raw, /^Subject: =\?UTF-8\?B\?/m);
});
