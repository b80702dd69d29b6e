// The extension's certificate inspection, MDN building and precedence lists are the core's (wasm
// `certificateInfo`, `makeMdn`, `mmhsVocabulary`; their rules are tested in
// src/trust/certificate_info.rs, src/compose/mdn.rs and src/mmhs/vocabulary.rs).
// These tests check that the bindings call those exports with the page's arguments and read
// their results fail-closed, against a stand-in core module loaded the way the extension loads
// core/mmhs.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { certificateInfo, makeMdn, mmhsVocabulary, useFullCore, verifyReceipt } from "../src/core/wasm.js";

interface Calls { calls: { name: string; args: unknown[]; module: string }[]; reply: Record<string, unknown>; loaded: string[] }
const g = globalThis as unknown as { chrome: unknown; __core: Calls };
g.__core = { calls: [], reply: {}, loaded: [] };

// Two stand-in modules, as the build ships them (shared/core-modules.ts): core/mmhs_read.js
// with the read exports, core/mmhs.js with every export; each records which module answered.
// `reply["module:name"]` answers for one module only, `reply.name` for both.
const dir = mkdtempSync(join(tmpdir(), "mmhs-core-"));
mkdirSync(join(dir, "core"));
writeFileSync(join(dir, "package.json"), '{"type":"module"}');
const standIn = (module: string, exports: string[]): string =>
  `const c = globalThis.__core;
export default async function init() { c.loaded.push(${JSON.stringify(module)}); }
` +
  exports
    .map((name) => `export function ${name}(...args) { c.calls.push({ name: ${JSON.stringify(name)}, args, module: ${JSON.stringify(module)} }); const k = ${JSON.stringify(module + ":" + name)}; const r = k in c.reply ? c.reply[k] : c.reply.${name}; if (r instanceof Error) throw r; return r; }\n`)
    .join("");
writeFileSync(join(dir, "core", "mmhs_read.js"), standIn("mmhs_read", ["certificateInfo", "mmhsVocabulary", "verifyReceiptAsync"]));
writeFileSync(join(dir, "core", "mmhs.js"), standIn("mmhs", ["certificateInfo", "mmhsVocabulary", "makeMdn", "verifyReceipt", "verifyReceiptAsync"]));
g.chrome = { runtime: { getURL: (p: string) => pathToFileURL(join(dir, p)).href } };

const info = { subject: "CN=Alice", issuer: "CN=CA", serialNumber: "01", notBefore: "2019-11-20T06:54:18Z", notAfter: "2052-09-27T06:54:18Z", emailAddresses: ["alice@smime.example"], sha256Fingerprint: "AB:CD", pem: "-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n" };

test("reading loads the read module alone; a function only the full module has loads it once", async () => {
  g.__core.calls.length = 0;
  g.__core.loaded.length = 0;
  g.__core.reply = { certificateInfo: [info] };
  await certificateInfo("a");
  await certificateInfo("b");
  assert.deepEqual(g.__core.loaded, ["mmhs_read"], "one instantiation, and not of the full module");
  g.__core.reply = { certificateInfo: [info], makeMdn: { raw: new Uint8Array(1), envelope: {}, messageId: "<1@x>" } };
  const request = { reader: "b@x", to: "a@x", originalMessageId: "<1@x>", originalSubject: "s", originalRecipient: null, disposition: "displayed" as const, originalHeaders: null, reportingUa: "ua" };
  await makeMdn(request);
  await makeMdn(request);
  assert.deepEqual(g.__core.loaded, ["mmhs_read", "mmhs"]);
  // a read function is still answered by the read module once the full one is loaded
  await certificateInfo("c");
  assert.deepEqual(g.__core.calls.map((c) => `${c.name}@${c.module}`), ["certificateInfo@mmhs_read", "certificateInfo@mmhs_read", "makeMdn@mmhs", "makeMdn@mmhs", "certificateInfo@mmhs_read"]);
});

test("certificateInfo calls the core with the pasted text and returns its list", async () => {
  g.__core.calls.length = 0;
  g.__core.reply = { certificateInfo: [info] };
  const text = "pasted PEM text";
  assert.deepEqual(await certificateInfo(text), [info]);
  assert.deepEqual(g.__core.calls, [{ name: "certificateInfo", args: [text], module: "mmhs_read" }]);
  // a result without its fields is the core failing, never a certificate without a fingerprint
  g.__core.reply = { certificateInfo: [{ ...info, sha256Fingerprint: undefined }] };
  await assert.rejects(certificateInfo(text), (e: unknown) => (e as { code?: string }).code === "core-failed");
  g.__core.reply = { certificateInfo: { subject: "x" } };
  await assert.rejects(certificateInfo(text), (e: unknown) => (e as { code?: string }).code === "core-failed");
});

test("makeMdn calls the core with the request and returns its bytes and envelope", async () => {
  g.__core.calls.length = 0;
  const raw = new TextEncoder().encode("From: bob@navy.example\r\n\r\n");
  const envelope = { mailFrom: "", mailParams: { eightBitMime: false }, rcpts: [{ address: "alice@army.example" }] };
  g.__core.reply = { makeMdn: { raw, envelope, messageId: "<1@navy.example>" } };
  const request = { reader: "bob@navy.example", to: "alice@army.example", originalMessageId: "<1234@army.example>", originalSubject: "Move", originalRecipient: null, disposition: "displayed" as const, originalHeaders: null, reportingUa: "mmhs-extension" };
  const mdn = await makeMdn(request);
  assert.deepEqual(g.__core.calls, [{ name: "makeMdn", args: [request], module: "mmhs" }]);
  assert.deepEqual(mdn.raw, raw);
  assert.deepEqual(mdn.envelope, envelope);
  assert.equal(mdn.messageId, "<1@navy.example>");
  // the core's refusal keeps its code (e.g. an injected address)
  g.__core.reply = { makeMdn: Object.assign(new Error("to: not an address"), { code: "address-invalid" }) };
  await assert.rejects(makeMdn({ ...request, to: "a@b>\r\nRCPT TO:<x@y>" }), (e: unknown) => (e as { code?: string }).code === "address-invalid");
  g.__core.reply = { makeMdn: { raw } };
  await assert.rejects(makeMdn(request), (e: unknown) => (e as { code?: string }).code === "core-failed");
});

test("mmhsVocabulary lists the core's precedences and message types; an empty answer is a failure", async () => {
  g.__core.calls.length = 0;
  const vocabulary = { precedences: [{ value: 4, name: "flash", mtPriority: 4 }], messageTypes: [{ value: 0, name: "exercise" }] };
  g.__core.reply = { mmhsVocabulary: vocabulary };
  assert.deepEqual(await mmhsVocabulary(), vocabulary);
  assert.deepEqual(g.__core.calls, [{ name: "mmhsVocabulary", args: [], module: "mmhs_read" }]);
  g.__core.reply = { mmhsVocabulary: { precedences: [{ value: "4", name: "flash" }], messageTypes: [] } };
  await assert.rejects(mmhsVocabulary(), (e: unknown) => (e as { code?: string }).code === "core-failed");
});

test("what the read module's WebCrypto cannot decide (provider-unsupported) the full module answers; nothing else is asked twice", async () => {
  const raw = new Uint8Array([1]);
  const ctx = { trustAnchors: ["-----BEGIN CERTIFICATE-----"], at: "2026-01-01T00:00:00Z" };
  const unsupported = { valid: false, problems: [{ code: "provider-unsupported", message: "a rsassa-pss signature value" }] };
  const decided = { valid: true, problems: [] };
  const asked = () => g.__core.calls.map((c) => `${c.name}@${c.module}`);
  // A report the read module could not decide: the full module's report is the answer.
  g.__core.calls.length = 0;
  g.__core.reply = { "mmhs_read:verifyReceiptAsync": unsupported, "mmhs:verifyReceiptAsync": decided };
  assert.deepEqual(await verifyReceipt(raw, raw, ctx), decided);
  assert.deepEqual(asked(), ["verifyReceiptAsync@mmhs_read", "verifyReceiptAsync@mmhs"]);
  assert.deepEqual(g.__core.calls[1]?.args, g.__core.calls[0]?.args, "the same call");
  // The same for the error (a content cipher WebCrypto lacks, a stored key).
  g.__core.calls.length = 0;
  g.__core.reply = { "mmhs_read:verifyReceiptAsync": Object.assign(new Error("3DES"), { code: "provider-unsupported" }), "mmhs:verifyReceiptAsync": decided };
  assert.deepEqual(await verifyReceipt(raw, raw, ctx), decided);
  assert.deepEqual(asked(), ["verifyReceiptAsync@mmhs_read", "verifyReceiptAsync@mmhs"]);
  // Any other answer — invalid, or another error — is the read module's, asked once.
  const invalid = { valid: false, problems: [{ code: "signature-invalid", message: "x" }] };
  g.__core.calls.length = 0;
  g.__core.reply = { "mmhs_read:verifyReceiptAsync": invalid, "mmhs:verifyReceiptAsync": decided };
  assert.deepEqual(await verifyReceipt(raw, raw, ctx), invalid);
  g.__core.reply = { "mmhs_read:verifyReceiptAsync": Object.assign(new Error("bad"), { code: "mime-malformed" }), "mmhs:verifyReceiptAsync": decided };
  await assert.rejects(verifyReceipt(raw, raw, ctx), (e: unknown) => (e as { code?: string }).code === "mime-malformed");
  assert.deepEqual(asked(), ["verifyReceiptAsync@mmhs_read", "verifyReceiptAsync@mmhs_read"]);
  // The full module's answer stands as it is, even provider-unsupported (never valid).
  g.__core.calls.length = 0;
  g.__core.reply = { verifyReceiptAsync: unsupported };
  assert.deepEqual(await verifyReceipt(raw, raw, ctx), unsupported);
  assert.deepEqual(asked(), ["verifyReceiptAsync@mmhs_read", "verifyReceiptAsync@mmhs"]);
  // The stored key is opened by the full module's sync export.
  g.__core.calls.length = 0;
  g.__core.reply = { verifyReceipt: decided };
  const stored = { encryptedPkcs8: "-----BEGIN ENCRYPTED PRIVATE KEY-----", password: "pw", certificate: "c" };
  assert.deepEqual(await verifyReceipt(raw, raw, { ...ctx, decryptionKey: stored }), decided);
  assert.deepEqual(asked(), ["verifyReceipt@mmhs"]);
});

// Last: the switch holds for the rest of the page.
test("a page that composes, signs or releases sends every call to the full module", async () => {
  g.__core.calls.length = 0;
  g.__core.reply = { certificateInfo: [info] };
  useFullCore();
  await certificateInfo("d");
  assert.deepEqual(g.__core.calls.map((c) => `${c.name}@${c.module}`), ["certificateInfo@mmhs"]);
});
