import { test } from "node:test";
import assert from "node:assert/strict";
import { interpretRelease, messageBytes } from "../src/core/wasm.js";

const env = { mailFrom: "alice@army.example", rcpts: [{ address: "bob@navy.example", notify: ["SUCCESS"] }] };
const raw = "From: alice@army.example\r\nSubject: x\r\n\r\nbody\r\n";
const b64 = Buffer.from(raw, "latin1").toString("base64");

test("release result: released message as base64 (serde form) or bytes, with its envelope", () => {
  const r = interpretRelease({ outcome: "released", message: b64, envelope: env, next: "transfer", findings: [{ code: "review-recipient-clearance-unknown", severity: "warn", message: "m" }], report: {}, stripped: [], problems: [] });
  assert.equal(r.outcome, "released");
  assert.equal(r.messages.length, 1);
  assert.equal(new TextDecoder().decode(r.messages[0]?.raw), raw);
  assert.deepEqual(r.messages[0]?.envelope, env);
  assert.equal(r.findings[0]?.severity, "warn");
  const bytes = interpretRelease({ outcome: "rejected", message: new TextEncoder().encode(raw), envelope: env });
  assert.equal(new TextDecoder().decode(bytes.messages[0]?.raw), raw);
});

test("release result: refused / blocked produce nothing to submit, with the problems", () => {
  const r = interpretRelease({ outcome: "refused", message: "", envelope: null, findings: [], problems: [{ code: "release-originator-unverified", message: "no originator signature" }] });
  assert.equal(r.messages.length, 0);
  assert.equal(r.problems[0]?.code, "release-originator-unverified");
  assert.equal(interpretRelease({ outcome: "blocked", findings: [{ code: "review-keyword", severity: "block", message: "x" }] }).messages.length, 0);
  assert.throws(() => interpretRelease({ outcome: "released" }), /no message/);
  assert.throws(() => interpretRelease(null));
});

test("a raw message string is never mistaken for base64", () => {
  assert.equal(new TextDecoder().decode(messageBytes(raw)), raw);
  assert.equal(new TextDecoder().decode(messageBytes(b64)), raw);
});
