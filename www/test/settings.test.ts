// Settings the webmail page cannot rewrite (docs/extension.md, "Settings"): the storage area is
// restricted to trusted contexts before any read or write, and fails closed when it cannot be;
// trust anchors change only through a confirmed change (subject + SHA-256 fingerprint).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { certificateFingerprint, certificateSubject } from "../src/shared/cert.js";
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
const ALICE = pem("alice@smime.example.sig.pem");

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

test("subject and SHA-256 fingerprint of a certificate (as openssl x509 shows them)", async () => {
  assert.equal(certificateSubject(RSA_CA), "CN=Sample LAMPS RSA Certification Authority,OU=LAMPS WG,O=IETF");
  assert.equal(certificateSubject(ALICE), "CN=Alice Lovelace,OU=LAMPS WG,O=IETF");
  assert.equal(
    await certificateFingerprint(RSA_CA),
    "6C:F3:0F:FD:F2:9B:E9:01:35:BB:5E:2D:0A:A8:B4:F2:D7:B0:96:0E:94:18:6C:F6:51:13:B3:89:2A:30:F7:C1",
  );
  assert.equal(certificateSubject("nothing"), null);
  assert.equal(await certificateFingerprint("nothing"), null);
});

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
  const first = await anchorChange([], [RSA_CA, RSA_CA.replace(/\n/g, "\r\n")]);
  assert.equal(first.added.length, 1, "the same certificate twice is one anchor");
  assert.equal(first.added[0]?.subject, "CN=Sample LAMPS RSA Certification Authority,OU=LAMPS WG,O=IETF");
  assert.match(first.added[0]?.sha256 ?? "", /^6C:F3:0F/);
  assert.deepEqual(first.removed, []);
  await saveTrustAnchors(first, a);
  assert.deepEqual((await loadSettings(a)).trustAnchors, [RSA_CA]);

  const swap = await anchorChange([RSA_CA], [ED_CA]);
  assert.deepEqual(swap.added.map((x) => x.subject), [certificateSubject(ED_CA)]);
  assert.deepEqual(swap.removed.map((x) => x.sha256), [await certificateFingerprint(RSA_CA)]);
  await rejectsCode(anchorChange([], ["-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----"]), "pem-invalid");
});

test("a confirmed change computed against other anchors is refused", async () => {
  const a = area();
  await saveTrustAnchors(await anchorChange([], [RSA_CA]), a);
  // Shown to the user against no anchors at all: adding ED_CA, removing nothing. Meanwhile the
  // stored anchors are [RSA_CA], so storing its `next` would silently remove RSA_CA.
  const stale = await anchorChange([], [ED_CA]);
  await rejectsCode(saveTrustAnchors(stale, a), "trust-anchors-unconfirmed");
  assert.deepEqual((await loadSettings(a)).trustAnchors, [RSA_CA]);
  // A forged "confirmation" that hides an addition is refused too.
  const real = await anchorChange([RSA_CA], [RSA_CA, ED_CA]);
  await rejectsCode(saveTrustAnchors({ ...real, added: [] }, a), "trust-anchors-unconfirmed");
  await saveTrustAnchors(real, a);
  assert.deepEqual((await loadSettings(a)).trustAnchors, [RSA_CA, ED_CA]);
});
