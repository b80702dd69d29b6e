// The core worker's protocol (src/shared/core-worker-protocol.ts): a closed set of calls, and
// key material only where a call needs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allowedArgs, isUnlockedKey, parseWorkerReply, parseWorkerRequest, progressText, transferables } from "../src/shared/core-worker-protocol.js";

const raw = new Uint8Array([1, 2, 3]);
const key = { encryptedPkcs8: "-----BEGIN ENCRYPTED PRIVATE KEY-----", password: "pw", certificate: "c", chain: [] };

test("only the listed core functions, with a message first", () => {
  assert.ok(parseWorkerRequest({ id: 1, fn: "readContent", args: [raw] }));
  assert.equal(parseWorkerRequest({ id: 1, fn: "importPkcs12", args: [raw, "pw"] }), null);
  assert.equal(parseWorkerRequest({ id: 1, fn: "makeReceipt", args: [raw, key] }), null);
  assert.equal(parseWorkerRequest({ id: "1", fn: "verify", args: [raw, {}] }), null);
  assert.equal(parseWorkerRequest({ id: 1, fn: "verify", args: [42, {}] }), null);
  assert.equal(parseWorkerRequest({ id: 1, fn: "attachmentBytes", args: [raw, -1] }), null);
  assert.equal(parseWorkerRequest({ id: 1, fn: "attachmentBytes", args: [raw, 1.5] }), null);
  assert.ok(parseWorkerRequest({ id: 1, fn: "attachmentBytes", args: [raw, 0, { headerProtection: "wrapped" }] }));
});

test("key material goes only where the call uses it", () => {
  assert.ok(allowedArgs("verify", [raw, { trustAnchors: [], at: "2026-01-01T00:00:00Z" }]));
  assert.ok(allowedArgs("verify", [raw, { trustAnchors: [], decryptionKey: key }]), "verify may open an encrypted layer");
  assert.equal(allowedArgs("verify", [raw, { trustAnchors: [], signer: key }]), false, "but no other key");
  assert.equal(allowedArgs("verify", [raw, { trustAnchors: [], password: "pw" }]), false);
  assert.equal(allowedArgs("readContent", [raw, { headerProtection: "none", key }]), false, "reading content needs no key");
  assert.equal(allowedArgs("attachmentBytes", [raw, 0, { password: "pw" }]), false);
  assert.ok(allowedArgs("sign", [raw, key, { protectHeaders: true }]), "signing needs the signer's key");
  assert.equal(allowedArgs("sign", [raw, key, { extra: key }]), false);
  assert.equal(allowedArgs("encrypt", [raw, ["-----BEGIN CERTIFICATE-----"], { decryptionKey: key }]), false, "encrypting needs certificates only");
  assert.ok(allowedArgs("encrypt", [raw, ["-----BEGIN CERTIFICATE-----"], { compress: true }]));
});

test("replies are checked; progress reads in MiB; results are transferred", () => {
  assert.deepEqual(parseWorkerReply({ id: 3, kind: "progress", stage: "verify", bytes: 10 }), { id: 3, kind: "progress", stage: "verify", bytes: 10 });
  assert.equal(parseWorkerReply({ id: 3, kind: "progress", stage: "rm -rf", bytes: 10 }), null);
  assert.equal(parseWorkerReply({ id: 3, kind: "error", code: 1, message: "x" }), null);
  assert.deepEqual(parseWorkerReply({ id: 3, kind: "error", code: "core-failed", message: "x" }), { id: 3, kind: "error", code: "core-failed", message: "x" });
  assert.equal(progressText("verify", 13.7 * 1024 * 1024), "Verifying… 13.7 MiB");
  const content = new Uint8Array(4);
  assert.deepEqual(transferables({ report: {}, content }), [content.buffer]);
  assert.deepEqual(transferables(content), [content.buffer]);
  assert.deepEqual(transferables({ attachments: [] }), []);
});

test("an unlocked key (non-extractable CryptoKeys) goes only to verifyAsync and makeReceiptAsync", async () => {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const open = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const unlocked = { kind: "ec", certificate: "-----BEGIN CERTIFICATE-----", chain: [], cryptoKeys: { ECDSA: pair.privateKey } };
  const ctx = { trustAnchors: [], at: "2026-01-01T00:00:00Z" };
  assert.ok(isUnlockedKey(unlocked));
  assert.ok(allowedArgs("verifyAsync", [raw, ctx, unlocked]), "verifyAsync opens an encrypted layer with it");
  assert.ok(allowedArgs("verifyAsync", [raw, ctx]), "or verifies without a key");
  assert.ok(allowedArgs("makeReceiptAsync", [raw, unlocked, ctx, { messageId: "r@example.mil" }]), "a receipt is signed with it");
  // Never a key a script could export, a password, the stored key, or a callback.
  assert.equal(allowedArgs("verifyAsync", [raw, ctx, { ...unlocked, cryptoKeys: { ECDSA: open.privateKey } }]), false);
  assert.equal(allowedArgs("verifyAsync", [raw, ctx, { ...unlocked, password: "pw" }]), false);
  assert.equal(allowedArgs("verifyAsync", [raw, ctx, { ...unlocked, cryptoKeys: {} }]), false);
  assert.equal(allowedArgs("verifyAsync", [raw, ctx, key]), false);
  assert.equal(allowedArgs("verifyAsync", [raw, ctx, { ...unlocked, decrypt: () => new Uint8Array(32) }]), false);
  assert.equal(allowedArgs("verifyAsync", [raw, { ...ctx, decryptionKey: key }, unlocked]), false, "one key, in its place");
  assert.equal(allowedArgs("verifyAsync", [raw, { ...ctx, cryptoKeys: unlocked.cryptoKeys }]), false);
  assert.equal(allowedArgs("makeReceiptAsync", [raw, key, ctx, { messageId: "r@example.mil" }]), false, "the stored key stays on the page");
  assert.equal(allowedArgs("makeReceiptAsync", [raw, unlocked, { ...ctx, decryptionKey: key }, { messageId: "r@example.mil" }]), false);
  assert.equal(allowedArgs("makeReceiptAsync", [raw, unlocked, ctx]), false);
  // Calls that need no key get none.
  assert.equal(allowedArgs("readContent", [raw, { unlocked }]), false);
  assert.equal(allowedArgs("verify", [raw, { ...ctx, decryptionKey: unlocked }]), true, "verify's decryptionKey is the core's to check");
  assert.equal(allowedArgs("encryptAsync", [raw, ["-----BEGIN CERTIFICATE-----"], { key: unlocked }]), false);
  assert.equal(allowedArgs("sign", [raw, key, { cryptoKeys: unlocked.cryptoKeys }]), false);
  assert.equal(parseWorkerRequest({ id: 1, fn: "decryptAsync", args: [raw, unlocked] }), null);
});
