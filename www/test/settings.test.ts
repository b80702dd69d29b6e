// Settings the webmail page cannot rewrite (docs/extension.md, "Settings"): the storage area is
// restricted to trusted contexts before any read or write, and fails closed when it cannot be;
// trust anchors change only through a confirmed change (subject + SHA-256 fingerprint).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CertificateInfo } from "../src/core/wasm.js";
import { CodedError } from "../src/shared/problems.js";
import {
  anchorChange,
  loadSettings,
  protectSettingsStorage,
  saveSettings,
  saveTrustAnchors,
  type SettingsArea,
} from "../src/shared/settings.js";

// RFC 9216 sample certificates (tests/vectors/rfc9216-certs, see its PROVENANCE.md)
const dir = new URL("../../tests/vectors/rfc9216-certs/", import.meta.url);
const pem = (f: string): string => readFileSync(new URL(f, dir), "utf8");
const RSA_CA = pem("Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem");
const ED_CA = pem("Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem");

/**
 * A stand-in for the core's `certificateInfo` (whose subject, fingerprint and PEM are tested
 * against OpenSSL in src/trust/certificate_info.rs): each CERTIFICATE block's DER, its
 * SHA-256 from node:crypto, and the block re-wrapped at 64 columns. Records its calls.
 */
const inspected: string[] = [];
function canonical(text: string): string {
  const b64 = Buffer.from(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text)?.[1] ?? "", "base64").toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END CERTIFICATE-----\n`;
}
async function inspect(text: string): Promise<CertificateInfo[]> {
  inspected.push(text);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new CodedError("certificate-missing", "no certificate found");
  return Promise.resolve(
    blocks.map((b) => {
      const der = Buffer.from(b.replace(/-----[A-Z ]+-----/g, ""), "base64");
      if (der.length < 64 || der[0] !== 0x30) throw new CodedError("certificate-malformed", "bad certificate");
      const sha256Fingerprint = Array.from(createHash("sha256").update(der).digest(), (x) => x.toString(16).padStart(2, "0").toUpperCase()).join(":");
      return { subject: `CN=${sha256Fingerprint.slice(0, 8)}`, issuer: "", serialNumber: "", notBefore: "", notAfter: "", emailAddresses: [], sha256Fingerprint, pem: canonical(b) };
    }),
  );
}

/** A storage area in memory that records the access level asked for; `refuse` makes it fail. */
function area(refuse = false): SettingsArea & { data: Record<string, unknown>; level: string | null } {
  const a = {
    data: {} as Record<string, unknown>,
    level: null as string | null,
    get: (key: string) => Promise.resolve(key in a.data ? { [key]: structuredClone(a.data[key]) } : {}),
    set: (items: Record<string, unknown>) => {
      if (a.level !== "TRUSTED_CONTEXTS") return Promise.reject(new Error("written before the area was restricted"));
      Object.assign(a.data, structuredClone(items));
      return Promise.resolve();
    },
    setAccessLevel: (o: { accessLevel: "TRUSTED_CONTEXTS" }) => {
      if (refuse) return Promise.reject(new Error("This StorageArea does not support setAccessLevel"));
      a.level = o.accessLevel;
      return Promise.resolve();
    },
  };
  return a;
}

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => (e as { code?: string }).code === code);
}

test("settings are read and written only after the area is restricted to trusted contexts", async () => {
  const a = area();
  const s = await loadSettings(a);
  assert.equal(a.level, "TRUSTED_CONTEXTS");
  assert.deepEqual(s.trustAnchors, []);
  await saveSettings({ correspondents: [] }, a);
  assert.ok("mmhs.settings.v1" in a.data);
});

test("fail closed: a browser that cannot restrict the area gets no settings", async () => {
  const a = area(true);
  a.data["mmhs.settings.v1"] = { trustAnchors: [RSA_CA] };
  await rejectsCode(loadSettings(a), "settings-unprotected");
  await rejectsCode(saveSettings({ correspondents: [] }, a), "settings-unprotected");
  await rejectsCode(protectSettingsStorage(a), "settings-unprotected");
});

test("trust anchors cannot be written as an ordinary setting", async () => {
  const a = area();
  // The attack: any caller of saveSettings slipping anchors in (the type forbids it; JS does not).
  const patch = { trustAnchors: [ED_CA] } as unknown as Parameters<typeof saveSettings>[0];
  await rejectsCode(saveSettings(patch, a), "trust-anchors-unconfirmed");
  assert.deepEqual((await loadSettings(a)).trustAnchors, []);
});

test("a trust-anchor change lists every added and removed anchor by subject and fingerprint", async () => {
  const a = area();
  inspected.length = 0;
  const first = await anchorChange([], `${RSA_CA}\n${RSA_CA.replace(/\n/g, "\r\n")}`, inspect);
  assert.deepEqual(inspected, [`${RSA_CA}\n${RSA_CA.replace(/\n/g, "\r\n")}`], "the core reads the pasted text");
  assert.equal(first.added.length, 1, "the same certificate twice is one anchor");
  const [rsa] = await inspect(RSA_CA);
  assert.equal(first.added[0]?.subject, rsa?.subject);
  assert.equal(first.added[0]?.sha256, rsa?.sha256Fingerprint);
  assert.deepEqual(first.removed, []);
  await saveTrustAnchors(first, inspect, a);
  assert.deepEqual((await loadSettings(a)).trustAnchors, [canonical(RSA_CA)], "the core's PEM is stored");

  const swap = await anchorChange([RSA_CA], ED_CA, inspect);
  const [ed] = await inspect(ED_CA);
  assert.deepEqual(swap.added.map((x) => x.subject), [ed?.subject]);
  assert.deepEqual(swap.removed.map((x) => x.sha256), [rsa?.sha256Fingerprint]);
  // the core's errors reach the page with their codes; an empty text is no anchor at all
  await rejectsCode(anchorChange([], "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----", inspect), "certificate-malformed");
  await rejectsCode(anchorChange([], "not a certificate", inspect), "certificate-missing");
  assert.deepEqual((await anchorChange([RSA_CA], "  \n", inspect)).removed.map((x) => x.sha256), [rsa?.sha256Fingerprint]);
  // a stored anchor the core cannot read any more is dropped, never kept unshown
  assert.deepEqual((await anchorChange(["garbage"], RSA_CA, inspect)).next, [canonical(RSA_CA)]);
});

test("a confirmed change computed against other anchors is refused", async () => {
  const a = area();
  await saveTrustAnchors(await anchorChange([], RSA_CA, inspect), inspect, a);
  // Shown to the user against no anchors at all: adding ED_CA, removing nothing. Meanwhile the
  // stored anchors are [RSA_CA], so storing its `next` would silently remove RSA_CA.
  const stale = await anchorChange([], ED_CA, inspect);
  await rejectsCode(saveTrustAnchors(stale, inspect, a), "trust-anchors-unconfirmed");
  assert.deepEqual((await loadSettings(a)).trustAnchors, [canonical(RSA_CA)]);
  // A forged "confirmation" that hides an addition is refused too.
  const real = await anchorChange([RSA_CA], `${RSA_CA}${ED_CA}`, inspect);
  await rejectsCode(saveTrustAnchors({ ...real, added: [] }, inspect, a), "trust-anchors-unconfirmed");
  await saveTrustAnchors(real, inspect, a);
  assert.deepEqual((await loadSettings(a)).trustAnchors, [canonical(RSA_CA), canonical(ED_CA)]);
});
