import { test } from "node:test";
import assert from "node:assert/strict";
import { contentView } from "../src/shared/content-view.js";
import { decodeQuotedPrintable, parseMime, statusText } from "../src/shared/mime.js";

const wrapped = [
  "From: alice@army.example",
  "To: bob@navy.example",
  "Subject: outer subject",
  "MIME-Version: 1.0",
  'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"',
  "",
  "--sig",
  "Content-Type: message/rfc822; forwarded=no",
  "",
  "From: alice@army.example",
  "To: bob@navy.example",
  "Subject: Inner protected subject",
  "MMHS-Primary-Precedence: 4",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "Proceed at 0600 =E2=80=94 acknowledge.",
  "--sig",
  "Content-Type: application/pkcs7-signature; name=smime.p7s",
  "Content-Transfer-Encoding: base64",
  "",
  "MIIB",
  "--sig--",
  "",
].join("\r\n");

test("wrapped forwarded=no shows the inner message as the message", () => {
  const c = contentView(wrapped);
  assert.equal(c.headerSource, "protected-inner");
  assert.equal(c.headers.find((h) => h.name === "Subject")?.value, "Inner protected subject");
  assert.equal(c.body?.trim(), "Proceed at 0600 — acknowledge.");
  assert.equal(c.forwarded.length, 0);
  assert.deepEqual(c.attachments, []);
});

test("forwarded=yes attachment is shown as a forwarded message", () => {
  const raw = wrapped
    .replace("Content-Type: message/rfc822; forwarded=no\r\n\r\n", 'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n--mix\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--mix\r\nContent-Type: message/rfc822; forwarded=yes\r\n\r\n')
    .replace("--sig\r\nContent-Type: application/pkcs7-signature", "--mix--\r\n--sig\r\nContent-Type: application/pkcs7-signature");
  const c = contentView(raw);
  assert.equal(c.headerSource, "outer");
  assert.equal(c.body?.trim(), "See below.");
  assert.equal(c.forwarded.length, 1);
  assert.equal(c.forwarded[0]?.forwardedParam, "yes");
  assert.equal(c.forwarded[0]?.headers.find((h) => h.name === "Subject")?.value, "Inner protected subject");
});

test("DSN multipart/report is read per recipient (RFC 3464)", () => {
  const dsn = [
    "From: MAILER-DAEMON@army.example",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
    "",
    "--r",
    "Content-Type: text/plain",
    "",
    "Your message was delivered.",
    "--r",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mmhs.army.example",
    "Original-Envelope-Id: abc@army.example",
    "",
    "Final-Recipient: rfc822; bob@navy.example",
    "Action: delivered",
    "Status: 2.0.0",
    "",
    "Final-Recipient: rfc822;carol@navy.example",
    "Action: failed",
    "Status: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1 no such user",
    "--r--",
  ].join("\r\n");
  const c = contentView(dsn);
  assert.equal(c.report?.kind, "delivery-status");
  assert.equal(c.report?.envelopeId, "abc@army.example");
  assert.deepEqual(c.report?.recipients.map((r) => [r.recipient, r.action, statusText(r.status)]), [
    ["bob@navy.example", "delivered", "delivered"],
    ["carol@navy.example", "failed", "failed (permanent)"],
  ]);
});

test("opaque S/MIME is reported as opaque, not rendered", () => {
  const c = contentView("From: a@x\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nMIAGCSqG\r\n");
  assert.equal(c.opaque, true);
  assert.equal(c.body, null);
});

test("nesting depth is bounded", () => {
  let raw = "Content-Type: text/plain\r\n\r\nbottom";
  for (let i = 0; i < 50; i++) raw = `Content-Type: message/rfc822\r\n\r\n${raw}`;
  const top = parseMime(raw);
  let depth = 0;
  let p = top;
  while (p.message) { p = p.message; depth++; }
  assert.ok(depth <= 8);
});

test("quoted-printable soft breaks", () => {
  assert.equal(new TextDecoder().decode(decodeQuotedPrintable("ab=\r\ncd=3D")), "abcd=");
});
