import { test } from "node:test";
import assert from "node:assert/strict";
import { toComposeRequest, validateForm, splitIds, type ComposeForm } from "../src/shared/compose.js";
import { derStringFromB64 } from "../src/shared/report.js";

const base: ComposeForm = {
  from: "alice@army.example",
  recipients: [
    { address: "bob@navy.example", kind: "to", notify: ["SUCCESS", "FAILURE"], receipt: true },
    { address: "carol@navy.example", kind: "cc", notify: [], receipt: false },
  ],
  subject: "Move at dawn",
  body: "Text",
  primaryPrecedence: 4,
  copyPrecedence: 1,
  messageType: 0,
  messageTypeIdentifier: "CANDLE FISH",
  label: { policy: "1.3.26.1.10.1", classification: 4, privacyMark: "", categories: [{ type: "2.16.840.1.101.2.1.8.3.1", value: "REL NATO", name: "REL NATO" }] },
  sioLabel: true,
  expires: "",
  deferredDelivery: "",
  latestDelivery: "",
  obsoletes: "old@army.example",
  references: "",
  sign: true,
  encrypt: false,
  protectHeaders: "wrapped",
  compress: false,
};

test("compose request carries every element of service from the panel", () => {
  const r = toComposeRequest(base);
  assert.equal(r["primaryPrecedence"], 4);
  assert.equal(r["copyPrecedence"], 1);
  assert.deepEqual(r["messageType"], { type: 0, identifier: "CANDLE FISH" });
  assert.deepEqual(r["to"], [{ address: "bob@navy.example", notify: ["success", "failure"], receiptNotification: true }]);
  assert.deepEqual(r["cc"], [{ address: "carol@navy.example", notify: ["never"] }]);
  assert.equal(r["bcc"], undefined);
  const label = (r["labels"] as { securityLabel: { categories: { value: string }[]; privacyMark?: string } }).securityLabel;
  assert.equal(derStringFromB64(label.categories[0]?.value ?? ""), "REL NATO");
  assert.equal(label.privacyMark, undefined);
  assert.deepEqual(r["supersedes"], ["<old@army.example>"]);
  assert.equal(r["ret"], "hdrs");
  assert.equal(r["protectHeaders"], "wrapped");
  assert.equal(r["sign"], true);
  assert.equal(r["encrypt"], undefined);
  // only members of the documented schema (docs/compose.md) + issue 3's security members
  const allowed = new Set(["from", "sender", "to", "cc", "bcc", "subject", "body", "primaryPrecedence", "copyPrecedence", "messageType", "expires", "supersedes", "references", "deferredDelivery", "latestDelivery", "ret", "labels", "sign", "encrypt", "protectHeaders", "compress"]);
  for (const k of Object.keys(r)) assert.ok(allowed.has(k), k);
});

test("precedence rules of the profile are enforced in the form", () => {
  assert.deepEqual(validateForm(base), []);
  assert.ok(validateForm({ ...base, primaryPrecedence: null }).some((e) => /primary precedence/.test(e)));
  assert.ok(validateForm({ ...base, copyPrecedence: null }).some((e) => /copy precedence/.test(e)));
  assert.ok(validateForm({ ...base, subject: "a\r\nBcc: x@y" }).some((e) => /one line/.test(e)));
  assert.ok(validateForm({ ...base, recipients: [] }).length > 0);
  assert.throws(() => toComposeRequest({ ...base, from: "nobody" }), /From/);
});

test("message ids", () => {
  assert.deepEqual(splitIds(" <a@b>, c@d "), ["<a@b>", "<c@d>"]);
});
