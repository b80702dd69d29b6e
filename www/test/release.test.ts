import { test } from "node:test";
import assert from "node:assert/strict";
import { interpretRelease, messageBytes, releaseOutcomeText } from "../src/core/wasm.js";

const env = { mailFrom: "alice@army.example", rcpts: [{ address: "bob@navy.example", notify: ["SUCCESS"] }] };
const raw = "From: alice@army.example\r\nSubject: x\r\n\r\nbody\r\n";
const b64 = Buffer.from(raw, "latin1").toString("base64");

test("release result: released message as base64 (serde form) or bytes, with its envelope", () => {
  const r = interpretRelease({ outcome: "released", message: b64, envelope: env, next: "transfer", findings: [{ code: "review-recipient-clearance-unknown", severity: "warn", message: "m" }], report: {}, stripped: [], problems: [] }, "approve");
  assert.equal(r.outcome, "released");
  assert.equal(r.released, true);
  assert.equal(r.messages.length, 1);
  assert.equal(new TextDecoder().decode(r.messages[0]?.raw), raw);
  assert.deepEqual(r.messages[0]?.envelope, env);
  assert.equal(r.findings[0]?.severity, "warn");
  const bytes = interpretRelease({ outcome: "rejected", message: new TextEncoder().encode(raw), envelope: env }, "reject");
  assert.equal(bytes.released, false);
  assert.equal(new TextDecoder().decode(bytes.messages[0]?.raw), raw);
});

test("release result: refused / blocked produce nothing to submit, with the problems", () => {
  const r = interpretRelease({ outcome: "refused", message: "", envelope: null, findings: [], problems: [{ code: "release-originator-unverified", message: "no originator signature" }] }, "approve");
  assert.equal(r.released, false);
  assert.equal(r.messages.length, 0);
  assert.equal(r.problems[0]?.code, "release-originator-unverified");
  assert.equal(interpretRelease({ outcome: "blocked", findings: [{ code: "review-keyword", severity: "block", message: "x" }] }, "approve").messages.length, 0);
  assert.throws(() => interpretRelease({ outcome: "released" }, "approve"), /no message/);
  assert.throws(() => interpretRelease(null, "approve"));
});

test("release result without an outcome, or with an unknown one, is not released and sends nothing", () => {
  for (const outcome of [undefined, null, "", "Released", "ok", 1, true]) {
    const r = interpretRelease({ ...(outcome === undefined ? {} : { outcome }), message: b64, envelope: env, problems: [] }, "approve");
    assert.equal(r.outcome, "unknown", String(outcome));
    assert.equal(r.released, false);
    assert.equal(r.messages.length, 0, "nothing is submitted");
    assert.equal(r.problems[0]?.code, "core-failed");
    assert.match(releaseOutcomeText(r.outcome), /^Not released/);
  }
});

test("only the outcome that answers the decision submits anything", () => {
  // an approval answered by "rejected", a return answered by "released", a review answered by anything
  const approve = interpretRelease({ outcome: "rejected", message: b64, envelope: env }, "approve");
  assert.deepEqual([approve.released, approve.messages.length], [false, 0]);
  const reject = interpretRelease({ outcome: "released", message: b64, envelope: env }, "reject");
  assert.deepEqual([reject.released, reject.messages.length], [false, 0]);
  for (const outcome of ["released", "alreadyReleased", "rejected", "reviewed"]) {
    const review = interpretRelease({ outcome, message: b64, envelope: env }, "review");
    assert.deepEqual([review.released, review.messages.length], [false, 0], outcome);
  }
  assert.equal(interpretRelease({ outcome: "alreadyReleased", message: b64, envelope: env }, "approve").released, true);
});

test("an RFC 7912 bounce sends the return notice for either decision, and is not released", () => {
  for (const decision of ["approve", "reject"] as const) {
    const r = interpretRelease({ outcome: "bounced", message: b64, envelope: env, problems: [{ code: "release-authorisation-unverified", message: "m" }] }, decision);
    assert.deepEqual([r.released, r.messages.length, r.problems[0]?.code], [false, 1, "release-authorisation-unverified"], decision);
  }
  assert.equal(interpretRelease({ outcome: "bounced", message: b64, envelope: env }, "review").messages.length, 0);
});

test("only released outcomes are worded as released", () => {
  for (const o of ["refused", "bounced", "blocked", "reviewed", "unknown"] as const) assert.match(releaseOutcomeText(o), /^Not released/, o);
  assert.match(releaseOutcomeText("released"), /^Released/);
  assert.match(releaseOutcomeText("alreadyReleased"), /released/);
  assert.doesNotMatch(releaseOutcomeText("rejected"), /released/i);
});

test("a raw message string is never mistaken for base64", () => {
  assert.equal(new TextDecoder().decode(messageBytes(raw)), raw);
  assert.equal(new TextDecoder().decode(messageBytes(b64)), raw);
});
