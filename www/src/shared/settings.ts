/**
 * Extension settings in chrome.storage.local: identity (certificate + password-encrypted PKCS#8
 * only — never a plaintext key), trust anchors, correspondents' certificates, label catalogue,
 * release policy.
 *
 * Only extension pages and the service worker reach them: the area's access level is
 * `TRUSTED_CONTEXTS` ({@link protectSettingsStorage}), so a content script — which runs in the
 * webmail page's renderer process — gets "Access to storage is not allowed from this context"
 * for any read or write. Every page sets it again before it reads a setting and fails closed
 * (`settings-unprotected`) when the browser cannot. Trust anchors change only through
 * {@link saveTrustAnchors}, which the settings page calls after the user confirmed each added or
 * removed certificate by its subject and SHA-256 fingerprint ({@link anchorChange}).
 */
import type { CertificateInfo } from "../core/wasm.js";
import { unlockMinutes } from "./key-lock-period.js";
import { DEFAULT_CATALOGUE, validateCatalogue, type LabelCatalogue } from "./labels.js";
import type { ImportedKey } from "../../../src/wasm/api.js";
import { CodedError, EXTENSION_CODES } from "./problems.js";

export interface Identity {
  readonly address: string;
  /** PEM */
  readonly certificate: string;
  /** PEM, issuer first */
  readonly chain: readonly string[];
  /** PEM "ENCRYPTED PRIVATE KEY" (PKCS#8 EncryptedPrivateKeyInfo, PBES2). */
  readonly encryptedPkcs8: string;
  readonly importedAt: string;
}

/**
 * A correspondent's certificate (to encrypt to): pasted in Settings (`manual`, under the
 * addresses it carries) or collected from a verified message (`collected`, under the one
 * address the core bound it to; shared/correspondents.ts).
 */
export interface Correspondent {
  readonly emails: readonly string[];
  /** PEM */
  readonly certificate: string;
  /** The validated path above it (PEM, up to the trust anchor); empty when not known. */
  readonly chain: readonly string[];
  readonly source: "manual" | "collected";
  /** When it was collected (RFC 3339); null for a pasted one. */
  readonly collectedAt: string | null;
}

export interface Settings {
  readonly identity: Identity | null;
  readonly trustAnchors: readonly string[];
  /** Recipients' certificates for encryption (PEM, looked up by e-mail address). */
  readonly correspondents: readonly Correspondent[];
  readonly labelCatalogue: LabelCatalogue;
  readonly releasePolicy: Record<string, unknown>;
  /**
   * Precedences (values) for which the reader returns a requested signed receipt without a
   * click, when the message is valid and that precedence is the reader's own (MMHS profile
   * §4.1.7, RFC 2634 §2; `receipts.ts` `autoReceiptAllowed`). Default: none.
   */
  readonly autoReceiptPrecedences: readonly number[];
  /** Security policy files (docs/security.md), as texts; the core validates them. */
  readonly labelPolicies: readonly string[];
  /** How long the personal key stays unlocked after the password was given once, minutes
   *  (shared/key-lock.ts; locked earlier on browser close or when the machine idles or locks). */
  readonly unlockMinutes: number;
  /**
   * The authserv-ids (RFC 8601 §2.2) whose `Authentication-Results` the reader shows beside the
   * verdict (DKIM, MMHS profile §4.1.2): the receiving agent's host name (`mmhs serve`'s
   * `hostname`, {@link DEFAULT_TRUSTED_AUTHSERV_IDS} for the reference webmail).
   */
  readonly trustedAuthservIds: readonly string[];
}

/** The reference webmail's agent names itself `mmhs.localhost` (`mmhs serve`'s default `hostname`). */
export const DEFAULT_TRUSTED_AUTHSERV_IDS: readonly string[] = ["mmhs.localhost"];

/**
 * Trusted authserv-ids from user text or storage: each a domain name (RFC 8601 §2.2 authserv-id
 * as `mmhs serve` writes it), lower-cased, deduplicated; anything else is dropped. Pure.
 */
export function authservIds(v: unknown): string[] {
  const items = typeof v === "string" ? v.split(/[\s,]+/) : Array.isArray(v) ? v : [];
  const ok = items
    .filter((x): x is string => typeof x === "string")
    .map((x) => x.trim().toLowerCase())
    .filter((x) => x.length > 0 && x.length <= 253 && /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(x));
  return [...new Set(ok)].slice(0, 16);
}

/** Default release policy handed to wasm `release` (docs/release.md of the release engineer). */
export const DEFAULT_RELEASE_POLICY: Record<string, unknown> = {
  countersign: true,
  form: "countersignature",
  requiredFields: ["primaryPrecedence", "securityLabel"],
  keywords: [],
};

const KEY = "mmhs.settings.v1";

export function isEncryptedPkcs8Pem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----[\s\S]+-----END ENCRYPTED PRIVATE KEY-----/.test(pem);
}

/** Validate the stored object; unknown or broken parts fall back to defaults. Pure. */
export function normaliseSettings(v: unknown): Settings {
  const o = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  let labelCatalogue = DEFAULT_CATALOGUE;
  try {
    if (o["labelCatalogue"] !== undefined) labelCatalogue = validateCatalogue(o["labelCatalogue"]);
  } catch {
    labelCatalogue = DEFAULT_CATALOGUE;
  }
  const id = o["identity"];
  let identity: Identity | null = null;
  if (typeof id === "object" && id !== null) {
    const i = id as Record<string, unknown>;
    if (typeof i["encryptedPkcs8"] === "string" && isEncryptedPkcs8Pem(i["encryptedPkcs8"]) && typeof i["certificate"] === "string") {
      identity = {
        address: typeof i["address"] === "string" ? i["address"] : "",
        certificate: i["certificate"],
        chain: Array.isArray(i["chain"]) ? i["chain"].filter((c): c is string => typeof c === "string") : [],
        encryptedPkcs8: i["encryptedPkcs8"],
        importedAt: typeof i["importedAt"] === "string" ? i["importedAt"] : "",
      };
    }
  }
  const anchors = Array.isArray(o["trustAnchors"]) ? o["trustAnchors"].filter((a): a is string => typeof a === "string") : [];
  const policy = typeof o["releasePolicy"] === "object" && o["releasePolicy"] !== null ? (o["releasePolicy"] as Record<string, unknown>) : DEFAULT_RELEASE_POLICY;
  const correspondents = (Array.isArray(o["correspondents"]) ? o["correspondents"] : []).flatMap((c: unknown): Correspondent[] => {
    if (typeof c !== "object" || c === null) return [];
    const r = c as Record<string, unknown>;
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((e): e is string => typeof e === "string") : []);
    const source = r["source"] === "collected" ? "collected" : "manual";
    const collectedAt = typeof r["collectedAt"] === "string" ? r["collectedAt"] : null;
    return typeof r["certificate"] === "string" ? [{ emails: strings(r["emails"]), certificate: r["certificate"], chain: strings(r["chain"]), source, collectedAt }] : [];
  });
  const auto = Array.isArray(o["autoReceiptPrecedences"]) ? o["autoReceiptPrecedences"] : [];
  const autoReceiptPrecedences = [...new Set(auto.filter((p): p is number => typeof p === "number" && Number.isInteger(p) && p >= 0 && p <= 255))];
  const labelPolicies = Array.isArray(o["labelPolicies"]) ? o["labelPolicies"].filter((t): t is string => typeof t === "string") : [];
  return { identity, trustAnchors: anchors, correspondents, labelCatalogue, releasePolicy: policy, autoReceiptPrecedences, labelPolicies, unlockMinutes: unlockMinutes(o["unlockMinutes"]), trustedAuthservIds: o["trustedAuthservIds"] === undefined ? [...DEFAULT_TRUSTED_AUTHSERV_IDS] : authservIds(o["trustedAuthservIds"]) };
}

/** The part of a storage area the settings need (chrome.storage.local, or a test double). */
export interface SettingsArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  setAccessLevel(options: { accessLevel: "TRUSTED_CONTEXTS" }): Promise<void>;
}

/**
 * Restrict `area` to trusted contexts (extension pages, the service worker): Chromium's
 * `StorageArea.setAccessLevel`, which applies to `local` as well as `session` in the Chromium
 * the extension supports. Fails closed with `settings-unprotected` when the browser refuses or
 * lacks it: settings a content script could have written are then not used.
 */
export async function protectSettingsStorage(area: SettingsArea): Promise<void> {
  try {
    await area.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" });
  } catch (err) {
    throw new CodedError(EXTENSION_CODES.settingsUnprotected, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Run a read-change-write of one storage key under a Web Lock named `name`, so two extension
 * pages (a reader and the options page) do not lose each other's writes; plain where the
 * browser has no Web Locks (unit tests).
 */
export async function withStorageLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: { request: (name: string, cb: () => Promise<T>) => Promise<T> } } }).navigator?.locks;
  return locks ? locks.request(name, fn) : fn();
}

export function localArea(): SettingsArea {
  return chrome.storage.local;
}

export async function loadSettings(area: SettingsArea = localArea()): Promise<Settings> {
  await protectSettingsStorage(area);
  const got = await area.get(KEY);
  return normaliseSettings(got[KEY]);
}

async function store(area: SettingsArea, next: Settings): Promise<Settings> {
  if (next.identity && !isEncryptedPkcs8Pem(next.identity.encryptedPkcs8)) {
    throw new CodedError(EXTENSION_CODES.plaintextKeyRefused);
  }
  await protectSettingsStorage(area);
  await area.set({ [KEY]: next });
  return next;
}

/** Every setting but the trust anchors ({@link saveTrustAnchors}). */
export type SettingsPatch = Partial<Omit<Settings, "trustAnchors">>;

export async function saveSettings(patch: SettingsPatch, area: SettingsArea = localArea()): Promise<Settings> {
  if ("trustAnchors" in patch) throw new CodedError(EXTENSION_CODES.trustAnchorsUnconfirmed);
  const current = await loadSettings(area);
  return store(area, { ...current, ...patch });
}

/**
 * Read-change-write of the correspondents' certificates under the settings' Web Lock (the
 * reader collecting and the settings page removing do not lose each other's writes).
 */
export async function updateCorrespondents<T>(
  change: (current: readonly Correspondent[]) => Promise<{ next: readonly Correspondent[]; result: T }>,
  area: SettingsArea = localArea(),
): Promise<T> {
  return withStorageLock(KEY, async () => {
    const current = await loadSettings(area);
    const { next, result } = await change(current.correspondents);
    await store(area, { ...current, correspondents: next });
    return result;
  });
}

/** One trust anchor as the user confirms it. */
export interface AnchorInfo {
  readonly pem: string;
  /** RFC 4514 subject, or "(unreadable certificate)". */
  readonly subject: string;
  /** SHA-256 of the DER, colon-separated hex. */
  readonly sha256: string;
}

/** A proposed change of the trust anchors: what the user is asked to confirm. */
export interface AnchorChange {
  readonly added: readonly AnchorInfo[];
  readonly removed: readonly AnchorInfo[];
  /** The anchors after the change (de-duplicated by fingerprint, in the order given). */
  readonly next: readonly string[];
}

/**
 * The core's certificate inspection (wasm `certificateInfo`, bound in core/wasm.ts): every
 * certificate of a PEM text with its subject, SHA-256 fingerprint and canonical PEM. Passed in
 * by the settings page, so that this module never loads the core itself.
 */
export type CertificateInspector = (pemText: string) => Promise<readonly CertificateInfo[]>;

const anchorInfo = (c: CertificateInfo): AnchorInfo => ({ pem: c.pem, subject: c.subject, sha256: c.sha256Fingerprint });

/**
 * The change from the `current` anchors to the certificates of the `proposed` PEM text, by
 * SHA-256 fingerprint (a certificate pasted again, re-wrapped differently, is not a change).
 * The core reads the certificates (`inspect`): a block that is not a certificate is its
 * `certificate-malformed`, a non-empty text without any certificate `certificate-missing`. A
 * stored anchor the core cannot read any more is listed as removed by nobody: it is dropped.
 */
export async function anchorChange(current: readonly string[], proposed: string, inspect: CertificateInspector): Promise<AnchorChange> {
  const before = new Map<string, AnchorInfo>();
  for (const pem of current) {
    const infos = await inspect(pem).catch((): readonly CertificateInfo[] => []);
    for (const c of infos) before.set(c.sha256Fingerprint, anchorInfo(c));
  }
  const after = new Map<string, AnchorInfo>();
  const proposedInfos = proposed.trim() === "" ? [] : await inspect(proposed);
  for (const c of proposedInfos) if (!after.has(c.sha256Fingerprint)) after.set(c.sha256Fingerprint, anchorInfo(c));
  return {
    added: [...after.values()].filter((i) => !before.has(i.sha256)),
    removed: [...before.values()].filter((i) => !after.has(i.sha256)),
    next: [...after.values()].map((i) => i.pem),
  };
}

/**
 * Store the trust anchors of a change the user confirmed on the settings page (after seeing
 * every added and removed anchor's subject and fingerprint). Checked again against what is
 * stored now: a change computed against other anchors is refused (`trust-anchors-unconfirmed`).
 */
export async function saveTrustAnchors(confirmed: AnchorChange, inspect: CertificateInspector, area: SettingsArea = localArea()): Promise<Settings> {
  const current = await loadSettings(area);
  const again = await anchorChange(current.trustAnchors, confirmed.next.join("\n"), inspect);
  const same = (a: readonly AnchorInfo[], b: readonly AnchorInfo[]): boolean =>
    a.length === b.length && a.every((x, i) => x.sha256 === b[i]?.sha256);
  if (!same(again.added, confirmed.added) || !same(again.removed, confirmed.removed)) {
    throw new CodedError(EXTENSION_CODES.trustAnchorsUnconfirmed, "The stored trust anchors changed since this change was shown; review it again.");
  }
  return store(area, { ...current, trustAnchors: again.next });
}

/**
 * The identity to store from the wasm `importPkcs12` result (the core's `ImportedKey`): only an
 * encrypted PKCS#8 is ever stored (`plaintext-key-refused` otherwise).
 */
export function identityFromImport(out: ImportedKey, now: Date): Identity {
  if (!out.certificate.includes("-----BEGIN")) throw new CodedError(EXTENSION_CODES.coreFailed, "importPkcs12 returned no certificate.");
  if (!isEncryptedPkcs8Pem(out.encryptedPkcs8)) throw new CodedError(EXTENSION_CODES.plaintextKeyRefused);
  const chain = out.chain.filter((c) => c !== out.certificate);
  return { address: out.emails[0] ?? "", certificate: out.certificate, chain, encryptedPkcs8: out.encryptedPkcs8, importedAt: now.toISOString() };
}
