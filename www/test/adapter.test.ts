import { test } from "node:test";
import assert from "node:assert/strict";
import { viewFromUrl, parseMessageList } from "../src/adapters/reference.js";
import { adapterFor } from "../src/adapters/registry.js";
import { byForWebmail, envelopeForCore, envelopeForWebmail, normaliseEnvelope } from "../src/adapters/adapter.js";
import { identityFromImport, normaliseSettings } from "../src/shared/settings.js";

test("reference webmail views from URLs", () => {
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/compose")), { kind: "compose" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/message/42")), { kind: "read", messageId: "42", folder: null });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/folder/Release")), { kind: "release-queue" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/folder/Sent")), { kind: "list", folder: "Sent" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/message/42/raw")), { kind: "other" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/login")), { kind: "other" });
  assert.equal(adapterFor(new URL("http://127.0.0.1:8025/")) !== null, true);
  assert.equal(adapterFor(new URL("http://127.0.0.1:9999/")), null);
  assert.equal(adapterFor(new URL("https://mail.example.com/")), null);
});

test("message list parsing (GET /api/folders/{name}/messages)", () => {
  const env = { mailFrom: "alice@army.example", rcpts: [{ address: "bob@navy.example" }] };
  assert.deepEqual(parseMessageList({ folder: "Release", messages: [{ id: 7, from: "a@x", subject: "S", date: "d", primaryPrecedence: "flash", sioLabel: null, envelope: env, receivedAt: 1795441619, deadline: "2026-11-24T10:00:00Z" }, { nope: 1 }, "x"] }), [
    { id: "7", from: "a@x", subject: "S", date: "d", precedence: "flash", sioLabel: null, envelope: env, receivedAt: 1795441619000, deadline: "2026-11-24T10:00:00Z" },
  ]);
  // no deadline, or one that is not text: null
  assert.equal(parseMessageList({ messages: [{ id: 1, deadline: 5 }] })[0]?.deadline, null);
  assert.throws(() => parseMessageList({}), /expected JSON/);
});

test("envelope check (compose's Envelope = the webmail's send API envelope)", () => {
  const e = { mailFrom: "a@x", mailParams: { envid: "e", ret: "HDRS", mtPriority: 4, by: { seconds: 60, mode: "R", trace: false }, holdUntil: null }, rcpts: [{ address: "b@y", notify: ["SUCCESS", "FAILURE"], orcpt: "rfc822;b@y" }, { address: "c@z" }] };
  assert.deepEqual(normaliseEnvelope(e), { mailFrom: "a@x", mailParams: { envid: "e", ret: "HDRS", mtPriority: 4, by: { seconds: 60, mode: "R", trace: false } }, rcpts: [{ address: "b@y", notify: ["SUCCESS", "FAILURE"], orcpt: "rfc822;b@y" }, { address: "c@z" }] });
  assert.throws(() => normaliseEnvelope({ mailFrom: "a@x", rcpts: [] }), /rcpts/);
  assert.throws(() => normaliseEnvelope({ rcpts: [{ address: "b" }] }), /mailFrom/);
  assert.throws(() => normaliseEnvelope({ mailFrom: "a", rcpts: [{ address: "b", notify: 3 }] }), /NOTIFY/);
});

test("envelopes between the webmail (BY as text, upper-case keywords) and the core (docs/compose.md)", () => {
  const now = Date.parse("2026-11-23T12:00:00Z");
  // core → webmail: BY re-based on the absolute deadline at hand-over time
  const core = { mailFrom: "a@x", mailParams: { ret: "hdrs", mtPriority: 4, by: { seconds: 7200, mode: "notify", trace: true, deadline: "2026-11-23T13:00:00Z" }, eightBitMime: false, size: 10 }, rcpts: [{ address: "b@y", notify: ["success"], orcpt: "rfc822;b@y" }] };
  assert.deepEqual(envelopeForWebmail(core, now), { mailFrom: "a@x", mailParams: { ret: "hdrs", mtPriority: 4, by: "3600;NT" }, rcpts: [{ address: "b@y", notify: ["success"], orcpt: "rfc822;b@y" }] });
  assert.equal(byForWebmail({ seconds: 60, mode: "return", deadline: "2026-11-23T11:00:00Z" }, now), "1;R");
  assert.equal(byForWebmail("125;R", now), "125;R");
  // webmail (Release-queue item) → core
  const stored = { mailFrom: "a@x", mailParams: { envid: "E1", ret: "FULL", by: "120;R", holdUntil: null, holdFor: null, mtPriority: 4 }, rcpts: [{ address: "b@y", notify: ["SUCCESS", "FAILURE"], orcpt: null }], submitter: "a@x", transactionId: "t" };
  assert.deepEqual(envelopeForCore(stored, now), { mailFrom: "a@x", mailParams: { eightBitMime: false, envid: "E1", ret: "full", mtPriority: 4, by: { seconds: 120, mode: "return", trace: false, deadline: "2026-11-23T12:02:00Z" } }, rcpts: [{ address: "b@y", notify: ["success", "failure"] }] });
  assert.equal(envelopeForCore(null, now), null);
  // the agent's form (the core's Envelope with submitter and transactionId): BY keeps its deadline
  const kept = { mailFrom: "a@x", mailParams: { ret: "full", by: { seconds: 120, mode: "notify", trace: true, deadline: "2026-11-23T11:59:00Z" }, eightBitMime: true }, rcpts: [{ address: "b@y", notify: ["delay"], orcpt: "rfc822;b@y" }], submitter: "a@x", transactionId: "t" };
  assert.deepEqual(envelopeForCore(kept, now), { mailFrom: "a@x", mailParams: { eightBitMime: false, ret: "full", by: { seconds: 120, mode: "notify", trace: true, deadline: "2026-11-23T11:59:00Z" } }, rcpts: [{ address: "b@y", notify: ["delay"], orcpt: "rfc822;b@y" }] });
});

const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
const ENC = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----";

test("keys are stored only as encrypted PKCS#8", async () => {
  const now = new Date(0);
  const id = identityFromImport({ certificate: CERT, chain: [CERT], encryptedPkcs8: ENC, emails: ["alice@army.example"], subject: "CN=Alice" }, now);
  assert.equal(id.address, "alice@army.example");
  assert.deepEqual(id.chain, []);
  assert.throws(() => identityFromImport({ certificate: CERT, chain: [], encryptedPkcs8: "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----", emails: [], subject: "" }, now), { code: "plaintext-key-refused" });
  assert.throws(() => identityFromImport({ certificate: "", chain: [], encryptedPkcs8: ENC, emails: [], subject: "" }, now), { code: "core-failed" });
  assert.equal(normaliseSettings({ identity: { certificate: CERT, encryptedPkcs8: "-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----" } }).identity, null);
});
