// Correspondents' certificates collected from verified messages (shared/correspondents.ts,
// docs/extension.md "Correspondents' certificates"): only what the core's valid report vouches
// for, checked again fail closed; never under an address the certificate does not carry;
// newer replaces older for one address; stored only in the restricted settings area.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CertificateInfo } from "../src/core/wasm.js";
import type { SignatureReport, VerifyReport } from "../../src/wasm/api.js";
import { collectable, correspondentPems, mergeCollected, type Collectable } from "../src/shared/correspondents.js";
import { CodedError } from "../src/shared/problems.js";
import { loadSettings, normaliseSettings, saveSettings, updateCorrespondents, type Correspondent } from "../src/shared/settings.js";
import { recordingArea } from "./recording-area.js";

/** Certificates of the test double, by their PEM text (what the core's certificateInfo reads). */
const CERTS: Record<string, CertificateInfo> = {};
function cert(name: string, emails: string[], notBefore: string): string {
  const pem = `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;
  CERTS[pem] = { subject: `CN=${name}`, issuer: "CN=Navy CA", serialNumber: name, notBefore, notAfter: "2036-01-01T00:00:00Z", emailAddresses: emails, sha256Fingerprint: `SHA-${name}`, pem };
  return pem;
}
/** A stand-in for wasm `certificateInfo` (tested against OpenSSL in src/trust/certificate_info.rs). */
async function inspect(text: string): Promise<CertificateInfo[]> {
  const c = CERTS[text];
  if (!c) throw new CodedError("certificate-malformed", "not a certificate");
  return Promise.resolve([c]);
}

const BOB_2025 = cert("bob-2025", ["bob@navy.example"], "2025-01-01T00:00:00Z");
const BOB_2026 = cert("bob-2026", ["bob@navy.example"], "2026-01-01T00:00:00Z");
const MALLORY = cert("mallory", ["mallory@navy.example"], "2025-06-01T00:00:00Z");
const CA = "-----BEGIN CERTIFICATE-----\nnavy-ca\n-----END CERTIFICATE-----\n";

function signature(certificate: string | undefined, over: Partial<SignatureReport> = {}): SignatureReport {
  return {
    layer: 0, index: 0, signer: "bob@navy.example", subject: "CN=bob", emails: ["bob@navy.example"], certificate, chain: [CA],
    valid: true, trusted: true, addressMatch: true, signatureType: "originator", securityLabel: null, signingTime: null,
    digestAlgorithm: "sha-256", signatureAlgorithm: "ecdsa-with-sha256", countersignatures: [], problems: [], ...over,
  };
}

function report(over: Partial<VerifyReport> = {}, sig: SignatureReport = signature(BOB_2026)): VerifyReport {
  return {
    valid: true, layers: ["signed"], signatures: [sig], securityLabel: null,
    headerProtection: { scheme: "wrapped", forwarded: "no", mismatches: [] }, mmhs: null, authorizingUsers: [],
    from: ["Bob@Navy.example"], sender: [], domainVerified: false, fieldCoverage: [], problems: [], notes: [],
    correspondents: [{ address: "Bob@Navy.example", signature: 0 }], ...over,
  };
}

test("a valid report's bound signer certificate is collected under the bound address", async () => {
  const got = await collectable(report(), inspect);
  assert.equal(got.length, 1);
  assert.equal(got[0]?.address, "bob@navy.example");
  assert.equal(got[0]?.info.pem, BOB_2026);
  assert.deepEqual(got[0]?.chain, [CA]);
});

test("nothing is collected from a report that is not valid, whatever else it says", async () => {
  const cases: Array<[string, VerifyReport]> = [
    ["valid: false", report({ valid: false })],
    ["a problem beside valid", report({ problems: [{ code: "cert-untrusted", message: "untrusted chain" }] })],
    ["untrusted chain", report({}, signature(BOB_2026, { trusted: false }))],
    ["signature does not verify", report({}, signature(BOB_2026, { valid: false }))],
    ["not bound to the From", report({}, signature(BOB_2026, { addressMatch: false }))],
    ["binding not judged", report({}, signature(BOB_2026, { addressMatch: null }))],
    ["signer problem", report({}, signature(BOB_2026, { problems: [{ code: "cert-expired", message: "" }] }))],
    ["no certificate", report({}, signature(undefined))],
    ["no correspondents from the core", report({ correspondents: [] })],
    ["a signature index that is not there", report({ correspondents: [{ address: "bob@navy.example", signature: 3 }] })],
  ];
  for (const [what, r] of cases) assert.deepEqual(await collectable(r, inspect), [], what);
});

test("a certificate for mallory is never stored under bob, even when a report claims it", async () => {
  // From: bob, signed with mallory's certificate: the core gives no entry; a doctored report
  // that names bob anyway is refused because the certificate does not carry bob's address.
  const r = report({}, signature(MALLORY, { signer: "mallory@navy.example", emails: ["mallory@navy.example"] }));
  assert.deepEqual(await collectable(r, inspect), []);
  // an address that is not the originator's (Sender, else From) is refused too
  const other = report({ from: ["alice@navy.example"], correspondents: [{ address: "bob@navy.example", signature: 0 }] });
  assert.deepEqual(await collectable(other, inspect), []);
  const withSender = report({ from: ["bob@navy.example"], sender: ["alice@navy.example"] });
  assert.deepEqual(await collectable(withSender, inspect), [], "the From beside a Sender is not the bound originator");
  // a certificate the core cannot read is not stored
  assert.deepEqual(await collectable(report({}, signature("garbage")), inspect), []);
});

function found(pem: string, address = "bob@navy.example"): Collectable {
  const info = CERTS[pem];
  assert.ok(info);
  return { address, info, chain: [CA] };
}

test("newer replaces older for one address; the same one is known; an older one never replaces", async () => {
  const manual: Correspondent = { emails: ["bob@navy.example"], certificate: MALLORY, chain: [], source: "manual", collectedAt: null };
  let r = await mergeCollected([manual], found(BOB_2025), "2026-03-01T00:00:00Z", inspect);
  assert.equal(r.outcome, "added");
  assert.equal(r.next.length, 2);
  assert.deepEqual(r.next[0], manual, "what the user added is left as it is");
  assert.deepEqual(r.next[1], { emails: ["bob@navy.example"], certificate: BOB_2025, chain: [CA], source: "collected", collectedAt: "2026-03-01T00:00:00Z" });
  r = await mergeCollected(r.next, found(BOB_2025), "2026-03-02T00:00:00Z", inspect);
  assert.equal(r.outcome, "known");
  assert.equal(r.next.length, 2);
  r = await mergeCollected(r.next, found(BOB_2026), "2026-03-03T00:00:00Z", inspect);
  assert.equal(r.outcome, "replaced");
  assert.equal(r.next[1]?.certificate, BOB_2026);
  const older = await mergeCollected(r.next, found(BOB_2025), "2026-03-04T00:00:00Z", inspect);
  assert.equal(older.outcome, "older");
  assert.equal(older.next[1]?.certificate, BOB_2026, "an older certificate does not replace the newer one");
  // another address is its own entry
  const alice = cert("alice", ["alice@navy.example"], "2025-01-01T00:00:00Z");
  const both = await mergeCollected(r.next, found(alice, "alice@navy.example"), "2026-03-05T00:00:00Z", inspect);
  assert.equal(both.outcome, "added");
  assert.deepEqual(correspondentPems(both.next), [MALLORY, BOB_2026, CA, alice]);
});

test("collected certificates are written only to the restricted settings area, under its lock", async () => {
  const a = recordingArea();
  const entry = found(BOB_2026);
  const outcome = await updateCorrespondents(async (current) => {
    const { next, outcome } = await mergeCollected(current, entry, "2026-03-01T00:00:00Z", inspect);
    return { next, result: outcome };
  }, a);
  assert.equal(outcome, "added");
  assert.deepEqual(a.calls, ["protect", "get", "protect", "set"], "restricted before the read and before the write");
  const s = await loadSettings(a);
  assert.equal(s.correspondents[0]?.source, "collected");
  // a context that cannot restrict the area (a content script) writes nothing
  const before = structuredClone(a.data);
  await assert.rejects(
    updateCorrespondents(() => Promise.resolve({ next: [{ emails: ["bob@navy.example"], certificate: MALLORY, chain: [], source: "collected", collectedAt: null }], result: null }), a.refusing()),
    (e: unknown) => (e as { code?: string }).code === "settings-unprotected",
  );
  assert.deepEqual(a.data, before);
  // and an ordinary settings save keeps them
  await saveSettings({ unlockMinutes: 30 }, a);
  assert.equal((await loadSettings(a)).correspondents.length, 1);
});

test("stored correspondents of the earlier shape read as added by the user, with no path", () => {
  const s = normaliseSettings({ correspondents: [{ emails: ["bob@navy.example"], certificate: BOB_2025 }, { certificate: 3 }, { emails: ["x"], certificate: MALLORY, source: "collected", chain: [CA, 7], collectedAt: "2026-01-01T00:00:00Z" }] });
  assert.deepEqual(s.correspondents, [
    { emails: ["bob@navy.example"], certificate: BOB_2025, chain: [], source: "manual", collectedAt: null },
    { emails: ["x"], certificate: MALLORY, chain: [CA], source: "collected", collectedAt: "2026-01-01T00:00:00Z" },
  ]);
});
