/**
 * Correspondents' certificates collected from verified messages (RFC 8551 §2.5.1: a receiving
 * agent keeps the certificates of signed messages to encrypt to their senders later).
 *
 * The core decides what a message vouches for: its report lists, only when it is valid
 * (every signature verifies and chains to the user's own trust anchors), the originator
 * addresses a valid, trusted originator signature is bound to, each naming that signature
 * (`report.correspondents`, src/verify/correspondents.rs); the signature carries the
 * certificate its SignerIdentifier named (`signatures[i].certificate`) and the path that
 * validated (`chain`). This module only stores what the core vouched for, and checks again,
 * fail closed, that nothing contradicts it: a report that is not valid, a signature that is
 * not valid, trusted and bound, or a certificate that does not carry the address gives
 * nothing.
 *
 * Storage is the settings' (`chrome.storage.local`, restricted to extension pages): only the
 * reader frame, after the core's verify, writes here — never the webmail page or the content
 * script (docs/extension.md, "Settings the page cannot rewrite"). For one address a newer
 * certificate (later notBefore) replaces the one collected before; an older one never does.
 */
import type { CertificateInfo } from "../core/wasm.js";
import type { VerifyReport } from "../../../src/wasm/api.js";
import type { Correspondent, CertificateInspector } from "./settings.js";

/** A certificate a valid report vouches for, for one address. */
export interface Collectable {
  /** The originator address as the message wrote it (bound by the core). */
  readonly address: string;
  /** The certificate's facts, read by the core from the signature's certificate. */
  readonly info: CertificateInfo;
  /** The validated path above it (PEM), up to the trust anchor. */
  readonly chain: readonly string[];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * What a verification report vouches for, read from the core's `correspondents` and checked
 * again against the signature it names (fail closed). `inspect` is wasm `certificateInfo`.
 */
export async function collectable(report: VerifyReport, inspect: CertificateInspector): Promise<Collectable[]> {
  if (!report.valid || report.problems.length !== 0) return [];
  const out: Collectable[] = [];
  for (const c of report.correspondents ?? []) {
    const sig = report.signatures[c.signature];
    if (!sig?.valid || !sig.trusted || sig.addressMatch !== true || sig.problems.length !== 0) continue;
    if (typeof sig.certificate !== "string" || sig.certificate === "") continue;
    // The address must be the originator's (Sender, else From) and the certificate's own.
    const originators = report.sender.length > 0 ? report.sender : report.from;
    if (!originators.some((a) => same(a, c.address))) continue;
    const infos = await inspect(sig.certificate).catch((): readonly CertificateInfo[] => []);
    const info = infos.length === 1 ? infos[0] : undefined;
    if (!info?.emailAddresses.some((e) => same(e, c.address))) continue;
    out.push({ address: c.address.toLowerCase(), info, chain: [...(sig.chain ?? [])] });
  }
  return out;
}

/** What storing one collected certificate did. */
export type CollectOutcome = "added" | "replaced" | "known" | "older";

/**
 * The correspondents after storing `found` (pure but for `inspect`): a collected entry per
 * address; the same certificate again is `known` (its path refreshed); a certificate with a
 * later notBefore than the one collected for the address replaces it; an older one is kept
 * out (`older`). Certificates the user pasted in Settings are left as they are.
 */
export async function mergeCollected(
  current: readonly Correspondent[],
  found: Collectable,
  collectedAt: string,
  inspect: CertificateInspector,
): Promise<{ next: Correspondent[]; outcome: CollectOutcome }> {
  const entry: Correspondent = { emails: [found.address], certificate: found.info.pem, chain: found.chain, source: "collected", collectedAt };
  const i = current.findIndex((c) => c.source === "collected" && c.emails.some((e) => same(e, found.address)));
  const existing = i >= 0 ? current[i] : undefined;
  if (!existing) return { next: [...current, entry], outcome: "added" };
  const old = (await inspect(existing.certificate).catch((): readonly CertificateInfo[] => []))[0];
  const next = [...current];
  if (old?.sha256Fingerprint === found.info.sha256Fingerprint) {
    next[i] = { ...existing, chain: found.chain };
    return { next, outcome: "known" };
  }
  // An unreadable stored entry is replaced by the verified one.
  if (old && Date.parse(found.info.notBefore) <= Date.parse(old.notBefore)) return { next: [...current], outcome: "older" };
  next[i] = entry;
  return { next, outcome: "replaced" };
}

/** Every certificate text of the correspondents, with their paths (for the core's lookups). */
export function correspondentPems(list: readonly Correspondent[]): string[] {
  return [...new Set(list.flatMap((c) => [c.certificate, ...c.chain]))];
}
