/**
 * The personal key, unlocked once for a period: wasm `unlockKey` decrypts the stored
 * password-encrypted PKCS#8 (PBKDF2 once) and imports it into non-extractable WebCrypto
 * CryptoKeys; those are kept in the extension origin's IndexedDB (a CryptoKey is structured-
 * cloneable, its key material never readable by script) together with the time it locks.
 * Signing then costs a signature (wasm `signAsync`), not a PBKDF2 run and a password prompt.
 *
 * Fail closed: the record counts only while (1) it has not expired, (2) it belongs to the
 * identity currently in the settings (same certificate) and (3) it carries the marker of this
 * browser session, kept in chrome.storage.session — which the browser empties when it closes,
 * so a record left over from a previous session is locked and wiped. The service worker wipes
 * it at browser start-up and when the machine goes idle or locks (`lockOnIdle`). Content
 * scripts (the webmail page's renderer) reach neither IndexedDB of the extension origin nor the
 * restricted session storage.
 */
import { invoke } from "../core/wasm.js";
import { unlockMinutes } from "./key-lock-period.js";
import type { Identity } from "./settings.js";

export { UNLOCK_MINUTES, unlockMinutes } from "./key-lock-period.js";


/** What `unlockKey` returns (src/wasm/webcrypto.rs `AsyncKey`). */
export interface AsyncKey {
  readonly kind: "rsa" | "ec";
  readonly certificate: string;
  readonly chain: readonly string[];
  readonly cryptoKeys: Readonly<Record<string, CryptoKey>>;
}

export interface UnlockedRecord {
  readonly key: AsyncKey;
  readonly unlockedAt: number;
  readonly expiresAt: number;
  /** The chrome.storage.session marker of the browser session that unlocked it. */
  readonly session: string;
}

export type LockState = { readonly state: "locked"; readonly why: "none" | "expired" | "other-identity" | "other-session" } | { readonly state: "unlocked"; readonly expiresAt: number };


/** Whether `record` may be used now for `identity` in the session marked `session`. Pure. */
export function lockState(record: UnlockedRecord | null, identity: Identity | null, session: string | null, now: number): LockState {
  if (!record || !identity) return { state: "locked", why: "none" };
  if (session === null || record.session !== session) return { state: "locked", why: "other-session" };
  if (!(now < record.expiresAt)) return { state: "locked", why: "expired" };
  if (record.key.certificate.replace(/\s+/g, "") !== identity.certificate.replace(/\s+/g, "")) return { state: "locked", why: "other-identity" };
  return { state: "unlocked", expiresAt: record.expiresAt };
}

const DB = "mmhs-keys";
const STORE = "unlocked";
const ID = "identity";
const SESSION_KEY = "mmhs.unlock.session";

function db(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => { resolve(req.result); };
    req.onerror = () => { reject(req.error ?? new Error("IndexedDB open failed")); };
  });
}

async function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const d = await db();
  try {
    return await new Promise<T>((resolve, reject) => {
      const r = f(d.transaction(STORE, mode).objectStore(STORE));
      r.onsuccess = () => { resolve(r.result); };
      r.onerror = () => { reject(r.error ?? new Error("IndexedDB request failed")); };
    });
  } finally {
    d.close();
  }
}

async function sessionMarker(create: boolean): Promise<string | null> {
  const got = await chrome.storage.session.get(SESSION_KEY);
  const v = got[SESSION_KEY];
  if (typeof v === "string" && /^[0-9a-f]{32}$/.test(v)) return v;
  if (!create) return null;
  const marker = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  await chrome.storage.session.set({ [SESSION_KEY]: marker });
  return marker;
}

/** Forget the unlocked key (the CryptoKeys go with the record). */
export async function lockKey(): Promise<void> {
  await tx("readwrite", (s) => s.delete(ID));
}

/** Unlock `identity` with `password` for `minutes`; returns when it locks again. */
export async function unlockIdentity(identity: Identity, password: string, minutes: number, now = Date.now()): Promise<number> {
  const key = await invoke("unlockKey", { encryptedPkcs8: identity.encryptedPkcs8, password, certificate: identity.certificate, chain: identity.chain });
  const record: UnlockedRecord = { key, unlockedAt: now, expiresAt: now + unlockMinutes(minutes) * 60_000, session: (await sessionMarker(true)) ?? "" };
  await tx("readwrite", (s) => s.put(record, ID));
  return record.expiresAt;
}

/** The lock state of `identity` now; a record that no longer counts is wiped. */
export async function currentLock(identity: Identity | null, now = Date.now()): Promise<{ state: LockState; key: AsyncKey | null }> {
  const record = ((await tx("readonly", (s) => s.get(ID))) as UnlockedRecord | undefined) ?? null;
  const state = lockState(record, identity, await sessionMarker(false), now);
  if (state.state === "locked") {
    if (record) await lockKey();
    return { state, key: null };
  }
  return { state, key: record ? record.key : null };
}
