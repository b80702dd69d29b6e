import { test } from "node:test";
import assert from "node:assert/strict";
import { viewFromUrl, parseMessageList, adapterFor } from "../src/adapters/reference.js";
import { normaliseEnvelope } from "../src/adapters/adapter.js";
import { identityFromImport, normaliseSettings } from "../src/shared/settings.js";

test("reference webmail views from URLs", () => {
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/compose")), { kind: "compose" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/message/42?folder=inbox")), { kind: "read", messageId: "42", folder: "inbox" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/folder/release")), { kind: "release-queue" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/folder/Sent")), { kind: "list", folder: "Sent" });
  assert.deepEqual(viewFromUrl(new URL("http://127.0.0.1:8025/login")), { kind: "other" });
  assert.equal(adapterFor(new URL("http://127.0.0.1:8025/")) !== null, true);
  assert.equal(adapterFor(new URL("https://mail.example.com/")), null);
});

test("message list parsing", () => {
  assert.deepEqual(parseMessageList([{ id: 7, from: "a@x", subject: "S", date: "d" }, { nope: 1 }, "x"]), [{ id: "7", from: "a@x", subject: "S", date: "d" }]);
  assert.deepEqual(parseMessageList({ messages: [{ id: "a1" }] }), [{ id: "a1", from: "", subject: "", date: null }]);
  assert.throws(() => parseMessageList({}), /not a JSON array/);
});

test("envelope normalisation", () => {
  assert.deepEqual(normaliseEnvelope({ mailFrom: "a@x", mailParams: { RET: "HDRS", ENVID: "e", SMTPUTF8: true, X: null }, rcptTo: [{ address: "b@y", params: { NOTIFY: "SUCCESS,FAILURE" } }, "c@z"] }), {
    mailFrom: "a@x",
    mailParams: { RET: "HDRS", ENVID: "e", SMTPUTF8: "" },
    rcptTo: [{ address: "b@y", params: { NOTIFY: "SUCCESS,FAILURE" } }, { address: "c@z" }],
  });
  assert.throws(() => normaliseEnvelope({ mailFrom: "a@x", rcptTo: [] }), /RCPT/);
  assert.throws(() => normaliseEnvelope({ rcptTo: ["b"] }), /MAIL FROM/);
});

const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
const ENC = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----";

test("keys are stored only as encrypted PKCS#8", async () => {
  const now = new Date(0);
  const id = await identityFromImport({ certificate: CERT, chain: [CERT], encryptedPkcs8: ENC, emails: ["alice@army.example"] }, () => Promise.reject(new Error("unused")), now);
  assert.equal(id.address, "alice@army.example");
  assert.deepEqual(id.chain, []);
  const wrapped = await identityFromImport({ certificate: CERT, pkcs8: new Uint8Array([1]) }, () => Promise.resolve(ENC), now);
  assert.equal(wrapped.encryptedPkcs8, ENC);
  await assert.rejects(identityFromImport({ certificate: CERT, pkcs8: new Uint8Array([1]) }, () => Promise.resolve("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----"), now), { code: "plaintext-key-refused" });
  assert.equal(normaliseSettings({ identity: { certificate: CERT, encryptedPkcs8: "-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----" } }).identity, null);
});
