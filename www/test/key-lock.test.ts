// The unlocked personal key (docs/extension.md, "Keys: unlock once"): a record counts only in the
// browser session that unlocked it, before it expires, for the identity in the settings; the
// unlock period is clamped. Every way to use a stale or foreign record is locked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lockState, type UnlockedRecord } from "../src/shared/key-lock.js";
import { UNLOCK_MINUTES, unlockMinutes } from "../src/shared/key-lock-period.js";
import { normaliseSettings, type Identity } from "../src/shared/settings.js";

const CERT = "-----BEGIN CERTIFICATE-----\nMIIBaaaa\n-----END CERTIFICATE-----\n";
const identity: Identity = { address: "a@example.mil", certificate: CERT, chain: [], encryptedPkcs8: "x", importedAt: "" };
const record = (over: Partial<UnlockedRecord> = {}): UnlockedRecord => ({
  key: { kind: "ec", certificate: CERT.replace(/\n/g, "\r\n"), chain: [], cryptoKeys: {} },
  unlockedAt: 1000,
  expiresAt: 1000 + 15 * 60_000,
  session: "s1",
  ...over,
});

test("an unlocked key counts in its session, before it expires, for its identity", () => {
  assert.deepEqual(lockState(record(), identity, "s1", 2000), { state: "unlocked", expiresAt: 1000 + 15 * 60_000 });
});

test("stale or foreign records are locked", () => {
  assert.deepEqual(lockState(null, identity, "s1", 2000), { state: "locked", why: "none" });
  assert.deepEqual(lockState(record(), null, "s1", 2000), { state: "locked", why: "none" });
  // The browser was closed: the session marker is gone, or another session's.
  assert.deepEqual(lockState(record(), identity, null, 2000), { state: "locked", why: "other-session" });
  assert.deepEqual(lockState(record(), identity, "s2", 2000), { state: "locked", why: "other-session" });
  // Expired, exactly at the expiry, or a broken expiry.
  assert.equal(lockState(record(), identity, "s1", 1000 + 15 * 60_000).state, "locked");
  assert.equal(lockState(record({ expiresAt: Number.NaN }), identity, "s1", 2000).state, "locked");
  // Another identity was imported since.
  const other = { ...identity, certificate: CERT.replace("aaaa", "bbbb") };
  assert.deepEqual(lockState(record(), other, "s1", 2000), { state: "locked", why: "other-identity" });
});

test("the unlock period is clamped and defaults to 15 minutes", () => {
  assert.equal(unlockMinutes(undefined), UNLOCK_MINUTES.default);
  assert.equal(unlockMinutes("60"), UNLOCK_MINUTES.default);
  assert.equal(unlockMinutes(Number.POSITIVE_INFINITY), UNLOCK_MINUTES.default);
  assert.equal(unlockMinutes(0), 1);
  assert.equal(unlockMinutes(-5), 1);
  assert.equal(unlockMinutes(1e9), 480);
  assert.equal(unlockMinutes(30.4), 30);
  assert.equal(normaliseSettings({}).unlockMinutes, 15);
  assert.equal(normaliseSettings({ unlockMinutes: 60 }).unlockMinutes, 60);
});
