/**
 * The one small interface every webmail adapter implements. Adapters run in the content script:
 * they find the webmail's views and move raw messages through the webmail's own API. They never
 * see private keys or decrypted content (those stay in the extension-origin frames).
 */
import type { Envelope, EnvelopeRcpt, QueueItem } from "../shared/messages.js";

export type WebmailView =
  | { readonly kind: "compose" }
  | { readonly kind: "read"; readonly messageId: string; readonly folder: string | null }
  | { readonly kind: "list"; readonly folder: string }
  | { readonly kind: "release-queue" }
  | { readonly kind: "other" };

export interface WebmailAdapter {
  /** Human name for the settings page. */
  readonly name: string;
  /** Whether this adapter handles the page at `url`. */
  matches(url: URL): boolean;
  /** Which view the page shows. */
  detectView(url: URL, doc: Document): WebmailView;
  /** The logged-in user's address, if the page shows it. */
  currentUser(doc: Document): string | null;
  /** Where to mount the extension frame for a view (the adapter knows the page layout). */
  mountPoint(view: WebmailView, doc: Document): { parent: Element; before: Element | null } | null;
  /** Raw RFC 5322 bytes of a message, exactly as stored. */
  fetchRaw(messageId: string): Promise<Uint8Array>;
  /** Hand a finished message and its SMTP envelope to the webmail's send API. */
  send(raw: Uint8Array, envelope: Envelope): Promise<{ id: string | null }>;
  /** Drafts waiting in the release queue (release officers). */
  listReleaseQueue(): Promise<QueueItem[]>;
  /** Remove a handled draft from the release queue. */
  removeFromQueue(messageId: string): Promise<void>;
}

/**
 * Check the core's envelope (docs/compose.md `Envelope`: `{ mailFrom, mailParams, rcpts: [{
 * address, notify, orcpt }] }`) before it is handed to the webmail; shape errors are reported,
 * never repaired.
 */
export function normaliseEnvelope(v: unknown): Envelope {
  if (typeof v !== "object" || v === null) throw new Error("envelope is not an object");
  const o = v as Record<string, unknown>;
  const mailFrom = o["mailFrom"];
  if (typeof mailFrom !== "string") throw new Error("envelope has no mailFrom");
  const rawRcpts = o["rcpts"];
  if (!Array.isArray(rawRcpts) || rawRcpts.length === 0) throw new Error("envelope has no rcpts");
  const rcpts = rawRcpts.map((r: unknown): EnvelopeRcpt => {
    if (typeof r !== "object" || r === null) throw new Error("envelope recipient is malformed");
    const ro = r as Record<string, unknown>;
    const address = ro["address"];
    if (typeof address !== "string") throw new Error("envelope recipient has no address");
    const notify = ro["notify"];
    const orcpt = ro["orcpt"];
    const out: { address: string; notify?: string | string[]; orcpt?: string } = { address };
    if (typeof notify === "string") out.notify = notify;
    else if (Array.isArray(notify) && notify.every((n) => typeof n === "string")) out.notify = notify;
    else if (notify !== undefined && notify !== null) throw new Error("envelope NOTIFY is malformed");
    if (typeof orcpt === "string") out.orcpt = orcpt;
    return out;
  });
  const mp = o["mailParams"];
  if (mp !== undefined && mp !== null && (typeof mp !== "object" || Array.isArray(mp))) throw new Error("envelope mailParams is malformed");
  const mailParams = mp && typeof mp === "object" ? Object.fromEntries(Object.entries(mp as Record<string, unknown>).filter(([, x]) => x !== null && x !== undefined)) : null;
  return mailParams && Object.keys(mailParams).length > 0 ? { mailFrom, mailParams, rcpts } : { mailFrom, rcpts };
}
