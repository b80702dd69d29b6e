/**
 * Extension settings in chrome.storage.local: identity (certificate + password-encrypted PKCS#8
 * only — never a plaintext key), trust anchors, label catalogue, release policy.
 */
import { DEFAULT_CATALOGUE, validateCatalogue, type LabelCatalogue } from "./labels.js";
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

/** A correspondent's certificate (to encrypt to), with the addresses it carries. */
export interface Correspondent {
  readonly emails: readonly string[];
  /** PEM */
  readonly certificate: string;
}

export interface Settings {
  readonly identity: Identity | null;
  readonly trustAnchors: readonly string[];
  /** Recipients' certificates for encryption (PEM, looked up by e-mail address). */
  readonly correspondents: readonly Correspondent[];
  readonly labelCatalogue: LabelCatalogue;
  readonly releasePolicy: Record<string, unknown>;
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

export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
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
    const emails = Array.isArray(r["emails"]) ? r["emails"].filter((e): e is string => typeof e === "string") : [];
    return typeof r["certificate"] === "string" ? [{ emails, certificate: r["certificate"] }] : [];
  });
  return { identity, trustAnchors: anchors, correspondents, labelCatalogue, releasePolicy: policy };
}

export async function loadSettings(): Promise<Settings> {
  const got = await chrome.storage.local.get(KEY);
  return normaliseSettings(got[KEY]);
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const current = await loadSettings();
  const next: Settings = { ...current, ...patch };
  if (next.identity && !isEncryptedPkcs8Pem(next.identity.encryptedPkcs8)) {
    throw new CodedError(EXTENSION_CODES.plaintextKeyRefused);
  }
  await chrome.storage.local.set({ [KEY]: next });
  return next;
}

/**
 * Interpret the wasm `importPkcs12` result: returns the identity to store. Only an encrypted
 * PKCS#8 is accepted for storage; `encrypt` is asked to wrap a plaintext key when the core
 * returns one (and the plaintext is dropped right after).
 */
export async function identityFromImport(
  out: unknown,
  encrypt: (key: unknown) => Promise<unknown>,
  now: Date,
): Promise<Identity> {
  if (typeof out !== "object" || out === null) throw new CodedError(EXTENSION_CODES.coreFailed, "importPkcs12 returned nothing usable.");
  const o = out as Record<string, unknown>;
  const certPem = pemOf(o["certificate"] ?? o["cert"]);
  if (!certPem) throw new CodedError(EXTENSION_CODES.coreFailed, "importPkcs12 returned no certificate.");
  const chainRaw = o["chain"] ?? o["certificates"] ?? [];
  const chain = (Array.isArray(chainRaw) ? chainRaw : []).map(pemOf).filter((c): c is string => c !== null && c !== certPem);
  let enc = o["encryptedPkcs8"] ?? o["encryptedKey"];
  if (typeof enc !== "string") {
    const plain = o["pkcs8"] ?? o["privateKey"] ?? o["key"];
    if (plain === undefined) throw new CodedError(EXTENSION_CODES.coreFailed, "importPkcs12 returned no private key.");
    enc = await encrypt(plain);
    const eo = enc as Record<string, unknown> | null;
    if (typeof enc !== "string" && eo && typeof eo["pem"] === "string") enc = eo["pem"];
  }
  if (typeof enc !== "string" || !isEncryptedPkcs8Pem(enc)) throw new CodedError(EXTENSION_CODES.plaintextKeyRefused);
  const emails = o["emails"] ?? o["addresses"];
  const address = typeof o["address"] === "string" ? o["address"] : Array.isArray(emails) && typeof emails[0] === "string" ? emails[0] : "";
  return { address, certificate: certPem, chain, encryptedPkcs8: enc, importedAt: now.toISOString() };
}

function pemOf(v: unknown): string | null {
  if (typeof v === "string") return v.includes("-----BEGIN") ? v : null;
  if (typeof v === "object" && v !== null && typeof (v as { pem?: unknown }).pem === "string") return (v as { pem: string }).pem;
  return null;
}
