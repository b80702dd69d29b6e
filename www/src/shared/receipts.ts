/**
 * Signed receipts in the extension (non-repudiation of receipt, draft-melnikov-mmhs-profile-09
 * §4.1.7; RFC 2634 §2). The core makes and checks them (wasm `sign` with `receiptRequest`,
 * `makeReceipt`, `verifyReceipt`; docs/report.md "Signed receipts"); this module holds what the
 * extension itself decides and keeps:
 *
 * - the compose panel's request → the `receiptRequest` sign option ({@link receiptRequestOption});
 * - whether a receipt may go out on its own ({@link autoReceiptAllowed}): only for a valid
 *   report whose request is verified, and only for a precedence the settings name that is the
 *   reader's own (core `readerPrecedence`) and covered by the signature;
 * - the drafter's record of what was sent with a request, and the receipts that came back,
 *   verified against the Sent copy, in chrome.storage.local (restricted to the extension's own
 *   pages like the settings: the webmail page cannot forge "receipt verified").
 */
import { protectSettingsStorage, withStorageLock, type SettingsArea } from "./settings.js";
import type { ReportView } from "./report.js";
import type { ReceiptRequestOptions, ReceiptsFrom } from "../../../src/wasm/api.js";

export type ReceiptsFromKind = "all" | "firstTier" | "list";

export interface ReceiptRequestForm {
  readonly on: boolean;
  readonly from: ReceiptsFromKind;
  /** For `list`: addresses, one per line or separated by commas / spaces. */
  readonly list: string;
  /** Where receipts go; empty = the sender (From). */
  readonly to: string;
}

const ADDR = /^[^\s@<>()",;]+@[^\s@<>()",;]+$/;
const split = (s: string): string[] =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter((x) => x !== "");

/**
 * The `receiptRequest` option of wasm `sign` (docs/compose.md `sign.receiptRequest`), or the
 * errors that keep it from being one. `receiptsTo` defaults to the originator (RFC 2634 §2.2:
 * "receiptsTo … the entities to which the receipt is sent").
 */
export function receiptRequestOption(f: ReceiptRequestForm, sender: string): { option: ReceiptRequestOptions | null; errors: string[] } {
  if (!f.on) return { option: null, errors: [] };
  const errors: string[] = [];
  const to = split(f.to);
  const receiptsTo = to.length > 0 ? to : [sender];
  for (const a of receiptsTo) if (!ADDR.test(a)) errors.push(`Signed receipts to: not an e-mail address: ${a}`);
  if (receiptsTo.length > 16) errors.push("Signed receipts to: at most 16 addresses (RFC 2634 §2.2 as the core accepts it).");
  let receiptsFrom: ReceiptsFrom = f.from === "firstTier" ? { kind: "firstTier" } : { kind: "all" };
  if (f.from === "list") {
    const list = split(f.list);
    if (list.length === 0) errors.push("Signed receipts from: name at least one recipient, or choose all / first tier.");
    for (const a of list) if (!ADDR.test(a)) errors.push(`Signed receipts from: not an e-mail address: ${a}`);
    receiptsFrom = { kind: "list", recipients: list.map((a) => [a]) };
  }
  return errors.length > 0 ? { option: null, errors } : { option: { receiptsFrom, receiptsTo }, errors };
}

/**
 * May the reader return a signed receipt without a click? Only when the report is valid and
 * its request verified (the core refuses anything else anyway), the settings name the
 * precedence that applies to this reader, and that precedence and the reader's role are
 * covered by the signature (`readerPrecedence.verified`). Default: the settings name none.
 */
export function autoReceiptAllowed(v: ReportView, autoPrecedences: readonly number[]): boolean {
  const r = v.readerPrecedence;
  return (
    v.overall === "valid" &&
    v.signedReceiptRequest?.verified === true &&
    r !== null &&
    r.verified &&
    r.precedence !== null &&
    autoPrecedences.includes(r.precedence.value)
  );
}

/** A receipt that came back for a tracked copy, checked with `verifyReceipt` against the Sent copy. */
export interface ReceiptEntry {
  /** The receipt signer's addresses (report `receipt.from`). */
  readonly from: string;
  /** When the extension verified it (RFC 3339). */
  readonly verifiedAt: string;
  /** The receipt's signingTime, when given. */
  readonly signedAt: string | null;
}

/** One copy sent with a signed-receipt request. */
export interface TrackedSent {
  /** hex signedContentIdentifier of the copy's originator signature. */
  readonly identifier: string;
  readonly messageId: string | null;
  readonly subject: string;
  /** The webmail's id of the Sent copy (what `fetchRaw` takes); null when the webmail gave none. */
  readonly sentId: string | null;
  /** The copy's envelope recipients. */
  readonly recipients: readonly string[];
  readonly sentAt: string;
  readonly receipts: readonly ReceiptEntry[];
}

export interface ReceiptStore {
  readonly sent: readonly TrackedSent[];
}

export const MAX_TRACKED = 2000;
const KEY = "mmhs.receipts.v1";
const HEX = /^[0-9a-f]{2,128}$/;

export function parseStore(v: unknown): ReceiptStore {
  if (typeof v !== "object" || v === null || !Array.isArray((v as { sent?: unknown }).sent)) return { sent: [] };
  const sent = (v as { sent: unknown[] }).sent.flatMap((t: unknown): TrackedSent[] => {
    if (typeof t !== "object" || t === null) return [];
    const o = t as Record<string, unknown>;
    if (typeof o["identifier"] !== "string" || !HEX.test(o["identifier"])) return [];
    const s = (x: unknown) => (typeof x === "string" ? x : null);
    const receipts = (Array.isArray(o["receipts"]) ? o["receipts"] : []).flatMap((r: unknown): ReceiptEntry[] => {
      if (typeof r !== "object" || r === null) return [];
      const x = r as Record<string, unknown>;
      return typeof x["from"] === "string" && typeof x["verifiedAt"] === "string" ? [{ from: x["from"], verifiedAt: x["verifiedAt"], signedAt: s(x["signedAt"]) }] : [];
    });
    return [{
      identifier: o["identifier"],
      messageId: s(o["messageId"]),
      subject: s(o["subject"]) ?? "",
      sentId: s(o["sentId"]),
      recipients: Array.isArray(o["recipients"]) ? o["recipients"].filter((x): x is string => typeof x === "string") : [],
      sentAt: s(o["sentAt"]) ?? "",
      receipts,
    }];
  });
  return { sent };
}

/** The store with `t` added (newest last; the oldest dropped beyond {@link MAX_TRACKED}). */
export function withTracked(store: ReceiptStore, t: TrackedSent): ReceiptStore {
  const rest = store.sent.filter((x) => x.identifier !== t.identifier);
  const sent = [...rest, t];
  return { sent: sent.slice(Math.max(0, sent.length - MAX_TRACKED)) };
}

/**
 * The store with a verified receipt recorded for the copy whose identifier it answers; the
 * same signer's earlier entry is replaced. Null when no tracked copy has that identifier.
 */
export function withReceipt(store: ReceiptStore, identifier: string, r: ReceiptEntry): ReceiptStore | null {
  const i = store.sent.findIndex((x) => x.identifier === identifier);
  const t = store.sent[i];
  if (!t) return null;
  const receipts = [...t.receipts.filter((x) => x.from.toLowerCase() !== r.from.toLowerCase()), r];
  const sent = [...store.sent];
  sent[i] = { ...t, receipts };
  return { sent };
}

export function findTracked(store: ReceiptStore, identifier: string): TrackedSent | null {
  return store.sent.find((x) => x.identifier === identifier) ?? null;
}

/** Per recipient of a tracked copy: "receipt from bob@…: verified at …" or none yet. */
export function recipientLines(t: TrackedSent): { recipient: string; verified: boolean; text: string }[] {
  const lines = t.recipients.map((rcpt) => {
    const r = t.receipts.find((x) => x.from.toLowerCase() === rcpt.toLowerCase());
    return r ? { recipient: rcpt, verified: true, text: `receipt from ${rcpt}: verified at ${r.verifiedAt}` } : { recipient: rcpt, verified: false, text: `no signed receipt from ${rcpt} yet` };
  });
  // A verified receipt from someone not among the envelope recipients (e.g. via a list).
  for (const r of t.receipts) {
    if (!t.recipients.some((x) => x.toLowerCase() === r.from.toLowerCase())) lines.push({ recipient: r.from, verified: true, text: `receipt from ${r.from}: verified at ${r.verifiedAt}` });
  }
  return lines;
}

export async function loadReceipts(area: SettingsArea): Promise<ReceiptStore> {
  await protectSettingsStorage(area);
  const got = await area.get(KEY);
  return parseStore(got[KEY]);
}


/** Read, change and write the store under one lock (restricted storage; fails closed). */
export async function updateReceipts(area: SettingsArea, change: (s: ReceiptStore) => ReceiptStore | null): Promise<ReceiptStore | null> {
  return withStorageLock("mmhs-receipts", async () => {
    const next = change(await loadReceipts(area));
    if (next === null) return null;
    await protectSettingsStorage(area);
    await area.set({ [KEY]: next });
    return next;
  });
}
