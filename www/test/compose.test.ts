import { test } from "node:test";
import assert from "node:assert/strict";
import { securityPlan, toComposeRequest, validateForm, splitIds, type ComposeForm } from "../src/shared/compose.js";
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
  const label = r["labels"] as { categories: { value: string }[]; privacyMark?: string; sioLabel: boolean };
  assert.equal(derStringFromB64(label.categories[0]?.value ?? ""), "REL NATO");
  assert.equal(label.privacyMark, undefined);
  assert.equal(label.sioLabel, true);
  assert.deepEqual(r["supersedes"], ["<old@army.example>"]);
  assert.equal(r["ret"], "hdrs");
  // signing / encryption happen per copy after compose (securityPlan), never in the request
  for (const k of ["sign", "encrypt", "protectHeaders", "compress", "signer"]) assert.equal(r[k], undefined, k);
  // only members of the documented schema (docs/compose.md); labels only for the SIO-Label header
  const allowed = new Set(["from", "sender", "to", "cc", "bcc", "subject", "body", "primaryPrecedence", "copyPrecedence", "messageType", "expires", "supersedes", "references", "deferredDelivery", "latestDelivery", "ret", "labels"]);
  for (const k of Object.keys(r)) assert.ok(allowed.has(k), k);
});

test("security plan: ESS label + originator type + wrapped protection when signing; refusals", () => {
  const p = securityPlan(base);
  assert.deepEqual(p.sign?.signatureType, ["originator"]);
  assert.equal(p.sign?.protectHeaders, true);
  assert.equal((p.sign?.securityLabel as { classification: number }).classification, 4);
  assert.equal(p.encrypt, null);
  assert.equal(toComposeRequest({ ...base, sioLabel: false })["labels"], undefined);
  assert.deepEqual(securityPlan({ ...base, encrypt: true, compress: true }).encrypt, { compress: true, protectHeaders: false, domainEncryption: "none" });
  assert.equal(securityPlan({ ...base, encrypt: true, domainEncryption: true }).encrypt?.domainEncryption, "whenNoPersonal");
  assert.throws(() => securityPlan({ ...base, protectHeaders: "injected" }), /Injected/);
  assert.throws(() => securityPlan({ ...base, sign: false }), /signed attribute/);
  assert.throws(() => securityPlan({ ...base, compress: true }), /Compression/);
});

test("precedence rules of the profile are enforced in the form", () => {
  assert.deepEqual(validateForm(base), []);
  assert.ok(validateForm({ ...base, primaryPrecedence: null }).some((e) => e.field === "primary-precedence" && /primary precedence/.test(e.message)));
  assert.ok(validateForm({ ...base, copyPrecedence: null }).some((e) => e.field === "copy-precedence" && /copy precedence/.test(e.message)));
  assert.ok(validateForm({ ...base, subject: "a\r\nBcc: x@y" }).some((e) => e.field === "subject" && /one line/.test(e.message)));
  assert.deepEqual(validateForm({ ...base, recipients: [] }).map((e) => e.field), ["recipients"]);
  assert.throws(() => toComposeRequest({ ...base, from: "nobody" }), /From/);
});

test("message ids", () => {
  assert.deepEqual(splitIds(" <a@b>, c@d "), ["<a@b>", "<c@d>"]);
});

test("every form error names the input it belongs to", () => {
  const errs = validateForm({ ...base, from: "nobody", recipients: [{ address: "bob@navy.example", kind: "to", notify: [], receipt: false }, { address: "not an address", kind: "cc", notify: [], receipt: false }], copyPrecedence: null, encrypt: true, sign: false });
  assert.deepEqual(errs.map((e) => e.field), ["from", "recipient", "copy-precedence", "opt-sign"]);
  // the bad recipient is named by its address, so the page can mark that row and no other
  assert.equal(errs.find((e) => e.field === "recipient")?.address, "not an address");
  // a header injection in the subject is refused at the subject
  assert.deepEqual(validateForm({ ...base, subject: "x\nBcc: eve@evil.example" }).map((e) => e.field), ["subject"]);
  assert.throws(() => toComposeRequest({ ...base, subject: "x\nBcc: eve@evil.example" }), /one line/);
});
