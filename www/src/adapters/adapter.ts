/**
 * The one small interface every webmail adapter implements. Adapters run in the content script:
 * they find the webmail's views and move raw messages through the webmail's own API. They never
 * see private keys or decrypted content (those stay in the extension-origin frames).
 */
import type { Envelope, QueueItem } from "../shared/messages.js";

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
 * Turn the core's envelope (docs/compose.md) into the adapter's `Envelope`. Accepts the field
 * spellings the core may use (`mailFrom`/`from`/`reversePath`, `rcptTo`/`recipients`/`to`,
 * recipients as strings or `{address|to, params|parameters}`).
 */
export function normaliseEnvelope(v: unknown): Envelope {
  if (typeof v !== "object" || v === null) throw new Error("envelope is not an object");
  const o = v as Record<string, unknown>;
  const mailFrom = o["mailFrom"] ?? o["from"] ?? o["reversePath"];
  if (typeof mailFrom !== "string") throw new Error("envelope has no MAIL FROM");
  const rawRcpts = o["rcptTo"] ?? o["recipients"] ?? o["to"];
  if (!Array.isArray(rawRcpts) || rawRcpts.length === 0) throw new Error("envelope has no RCPT TO");
  const rcptTo = rawRcpts.map((r: unknown) => {
    if (typeof r === "string") return { address: r };
    if (typeof r === "object" && r !== null) {
      const ro = r as Record<string, unknown>;
      const address = ro["address"] ?? ro["to"] ?? ro["forwardPath"];
      if (typeof address !== "string") throw new Error("envelope recipient has no address");
      const params = paramsOf(ro["params"] ?? ro["parameters"]);
      return params ? { address, params } : { address };
    }
    throw new Error("envelope recipient is malformed");
  });
  const mailParams = paramsOf(o["mailParams"] ?? o["parameters"] ?? o["params"]);
  return mailParams ? { mailFrom, mailParams, rcptTo } : { mailFrom, rcptTo };
}

function paramsOf(v: unknown): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === null || val === undefined || val === false) continue;
    if (val === true) out[k] = "";
    else if (typeof val === "string" || typeof val === "number") out[k] = String(val);
    else throw new Error(`envelope parameter ${k} is not a string`);
  }
  return Object.keys(out).length > 0 ? out : null;
}
