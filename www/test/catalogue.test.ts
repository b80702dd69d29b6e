import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMessage, bytesToB64, b64ToBytes, validWebmailOp, STASH_INLINE_MAX } from "../src/shared/messages.js";
import { describeProblem, toProblem, CodedError, knownCodes, EXTENSION_CODES } from "../src/shared/problems.js";
import { handleStash, pruneStash, isExtensionPage, STASH_TTL_MS, type StorageAreaLike } from "../src/background/stash.js";

test("catalogue accepts well-formed messages", () => {
  assert.deepEqual(parseMessage({ type: "stash.get", body: { id: "0123456789abcdef0123456789abcdef" } }), { type: "stash.get", body: { id: "0123456789abcdef0123456789abcdef" } });
  const send = { type: "webmail", body: { op: "send", rawB64: "SGVsbG8=", envelope: { mailFrom: "a@x", mailParams: { mtPriority: 4, by: { seconds: 5, mode: "R" } }, rcpts: [{ address: "b@y", notify: ["SUCCESS"], orcpt: "rfc822;b@y" }] } } };
  assert.equal(parseMessage(send)?.type, "webmail");
  assert.equal(parseMessage({ type: "worker.ping" })?.type, "worker.ping");
});

test("catalogue rejects malformed or unknown messages", () => {
  assert.equal(parseMessage(null), null);
  assert.equal(parseMessage({ type: "eval", body: {} }), null);
  assert.equal(parseMessage({ type: "stash.get", body: { id: "../etc" } }), null);
  assert.equal(parseMessage({ type: "webmail", body: { op: "send", rawB64: "not base64!", envelope: { mailFrom: "a", rcpts: [{ address: "b" }] } } }), null);
  assert.equal(parseMessage({ type: "webmail", body: { op: "send", rawB64: "AA==", envelope: { mailFrom: "a", rcpts: [] } } }), null);
  assert.equal(parseMessage({ type: "webmail", body: { op: "send", rawB64: "AA==", envelope: { mailFrom: "a", rcpts: [{ address: "b", notify: 1 }] } } }), null);
  assert.equal(parseMessage({ type: "webmail", body: { op: "send", rawB64: "AA==", envelope: { mailFrom: "a", mailParams: { x: { y: { z: 1 } } }, rcpts: [{ address: "b" }] } } }), null);
  assert.equal(parseMessage({ type: "stash.put", body: { rawB64: "AA==", messageId: 3, folder: null, user: null } }), null);
  // a large message is stashed without its bytes (the reader fetches it); never a large one inline
  assert.ok(parseMessage({ type: "stash.put", body: { rawB64: null, messageId: "3", folder: null, user: null } }));
  assert.equal(parseMessage({ type: "stash.put", body: { rawB64: "A".repeat(Math.ceil(STASH_INLINE_MAX / 3) * 4 + 4), messageId: "3", folder: null, user: null } }), null);
  assert.equal(validWebmailOp({ op: "fetchRaw", id: "" }), false);
  assert.equal(validWebmailOp({ op: "removeFromQueue", id: "12" }), true);
});

test("base64 round trip is byte exact", () => {
  const bytes = Uint8Array.from({ length: 70000 }, (_, i) => (i * 7) & 0xff);
  assert.deepEqual(b64ToBytes(bytesToB64(bytes)), bytes);
});

test("problem catalogue: known codes get text, unknown codes keep the core message and the code", () => {
  const k = describeProblem({ code: "signature-invalid", message: "digest differs" });
  assert.equal(k.known, true);
  assert.match(k.text, /does not verify/);
  assert.equal(k.detail, "digest differs");
  const u = describeProblem({ code: "brand-new-code", message: "Something specific" });
  assert.equal(u.known, false);
  assert.equal(u.text, "Something specific");
  assert.equal(u.code, "brand-new-code");
  const bare = describeProblem({ code: "brand-new-code" });
  assert.match(bare.text, /brand-new-code/);
  for (const c of Object.values(EXTENSION_CODES)) assert.ok(knownCodes().includes(c), c);
  for (const c of knownCodes()) assert.match(c, /^[a-z0-9]+(-[a-z0-9]+)*$/);
});

test("toProblem keeps a core error's code", () => {
  const e = Object.assign(new Error("bad p12"), { code: "pkcs12-password" });
  assert.deepEqual(toProblem(e), { code: "pkcs12-password", message: "bad p12" });
  assert.equal(toProblem(new CodedError("no-signing-key")).code, "no-signing-key");
  assert.equal(toProblem("boom").code, "core-failed");
});

function memoryArea(): StorageAreaLike & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  return {
    data,
    get: async (k) => {
      if (k === null) return { ...data };
      const keys = Array.isArray(k) ? k : [k];
      return Object.fromEntries(keys.filter((x) => x in data).map((x) => [x, data[x]]));
    },
    set: async (items) => { Object.assign(data, items); },
    remove: async (k) => { for (const x of Array.isArray(k) ? k : [k]) Reflect.deleteProperty(data, x); },
  };
}

test("stash survives in the storage area and expires", async () => {
  const area = memoryArea();
  const id = await handleStash.put(area, { rawB64: "AA==", messageId: "1", folder: null, user: null, createdAt: 1000 }, new Uint8Array(16).fill(0xab));
  assert.equal(id, "ab".repeat(16));
  assert.equal((await handleStash.get(area, id))?.messageId, "1");
  assert.equal(await pruneStash(area, 1000 + STASH_TTL_MS - 1), 0);
  assert.equal(await pruneStash(area, 1000 + STASH_TTL_MS + 1), 1);
  assert.equal(await handleStash.get(area, id), null);
});

test("sender classification", () => {
  assert.equal(isExtensionPage("chrome-extension://abc/reader.html#x", "chrome-extension://abc/"), true);
  assert.equal(isExtensionPage("http://127.0.0.1:8025/message/1", "chrome-extension://abc/"), false);
});
