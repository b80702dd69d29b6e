/**
 * The one small interface every webmail adapter implements. Adapters run in the content script:
 * they find the webmail's views and move raw messages through the webmail's own API. They never
 * see private keys or decrypted content (those stay in the extension-origin frames).
 */
import type { Envelope, EnvelopeRcpt, QueueItem, SentItem } from "../shared/messages.js";
import type { Envelope as CoreEnvelope, DeliverBy, MailParams, NotifyCondition, Rcpt, Ret } from "../../../src/wasm/api.js";

export type WebmailView =
  | { readonly kind: "compose" }
  | { readonly kind: "read"; readonly messageId: string; readonly folder: string | null }
  | { readonly kind: "list"; readonly folder: string }
  | { readonly kind: "release-queue" }
  | { readonly kind: "other" };

/** What a webmail reports after accepting a message for submission. */
export interface SendOutcome {
  /** The webmail's id of the sent copy, if it keeps one. */
  readonly id: string | null;
  /** SMTP parameters of the envelope the webmail's SMTP server did not carry (e.g. `MT-PRIORITY`). */
  readonly notCarried?: readonly string[];
  /** Recipients the SMTP server refused (the others were accepted). */
  readonly rejected?: readonly string[];
  /**
   * The submission agent diverted *this* message to a Release queue (true: it waits for an
   * officer) or let it go on (false); absent when the webmail does not say.
   */
  readonly releaseQueue?: boolean;
}

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
  /**
   * The webmail's own elements the extension's panel replaces in a view (its compose form and
   * send button, its unverified rendering of a message): hidden while the panel is shown, with
   * an explicit way back ("send without MMHS"). None when the webmail needs nothing hidden.
   */
  ownUi?(view: WebmailView, doc: Document): Element[];
  /** Raw RFC 5322 bytes of a message, exactly as stored. */
  fetchRaw(messageId: string): Promise<Uint8Array>;
  /** Hand a finished message and its SMTP envelope to the webmail's send API. */
  send(raw: Uint8Array, envelope: Envelope): Promise<SendOutcome>;
  /**
   * The user's Sent folder with each copy's release status, when the webmail knows it (the
   * reference webmail: docs/server.md `releaseStatus`); absent otherwise.
   */
  listSent?(): Promise<SentItem[]>;
  /** Drafts waiting in the release queue (release officers). */
  listReleaseQueue(): Promise<QueueItem[]>;
  /** Remove a handled draft from the release queue. */
  removeFromQueue(messageId: string): Promise<void>;
}

/** The addresses of a send reply's refused recipients (`[{ address, reply }]`); anything else is skipped. */
export function rejectedAddresses(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((r: unknown) => {
    const a = typeof r === "object" && r !== null ? (r as Record<string, unknown>)["address"] : undefined;
    return typeof a === "string" ? [a] : [];
  });
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

/**
 * The reference webmail's `POST /api/send` takes `BY` as `"seconds;R|N[T]"` (docs/server.md);
 * the core's envelope has `by: { seconds, mode: "return" | "notify", trace, deadline }`
 * (docs/compose.md). The by-time is re-based on the absolute deadline at hand-over time (a
 * message released later must not get more time than the originator allowed); a deadline
 * already passed keeps a by-time of 1 s with mode R so the MTA reports it rather than holding it.
 */
export function byForWebmail(by: unknown, nowMs: number): string | null {
  if (typeof by === "string") return by;
  if (typeof by !== "object" || by === null) return null;
  const o = by as Record<string, unknown>;
  const mode = o["mode"] === "notify" || o["mode"] === "N" ? "N" : "R";
  const trace = o["trace"] === true ? "T" : "";
  let seconds = typeof o["seconds"] === "number" ? o["seconds"] : null;
  const deadline = typeof o["deadline"] === "string" ? Date.parse(o["deadline"]) : Number.NaN;
  if (!Number.isNaN(deadline)) seconds = Math.max(1, Math.floor((deadline - nowMs) / 1000));
  if (seconds === null || !Number.isFinite(seconds)) return null;
  return `${String(seconds)};${mode}${trace}`;
}

/** Envelope from the core → what the webmail's send API takes (BY as text, only its members). */
export function envelopeForWebmail(v: unknown, nowMs: number): Envelope {
  const env = normaliseEnvelope(v);
  if (!env.mailParams) return env;
  const mp: Record<string, unknown> = {};
  for (const k of ["envid", "ret", "holdUntil", "holdFor", "mtPriority"] as const) if (env.mailParams[k] !== undefined) mp[k] = env.mailParams[k];
  const by = byForWebmail(env.mailParams["by"], nowMs);
  if (by !== null) mp["by"] = by;
  return Object.keys(mp).length > 0 ? { mailFrom: env.mailFrom, mailParams: mp, rcpts: env.rcpts } : { mailFrom: env.mailFrom, rcpts: env.rcpts };
}

/**
 * The envelope the submission agent kept with a Release-queue item → the core's `Envelope`
 * serde shape for wasm `release`. The agent keeps the core's form (`by` with its absolute
 * deadline, docs/server.md); an item kept before that has upper-case keywords and `"by":
 * "125;R"`, whose deadline counts from the submission time. `null` when there is none or it is
 * unusable (the core then builds the envelope from the header).
 */
export function envelopeForCore(v: unknown, submittedMs: number | null): CoreEnvelope | null {
  let env: Envelope;
  try {
    env = normaliseEnvelope(v);
  } catch {
    return null;
  }
  const mpIn = env.mailParams ?? {};
  const mp: MailParams = { eightBitMime: false };
  if (typeof mpIn["envid"] === "string") mp.envid = mpIn["envid"];
  // a keyword outside the closed set is passed on for the core to refuse (request-invalid), never dropped
  if (typeof mpIn["ret"] === "string") mp.ret = mpIn["ret"].toLowerCase() as Ret;
  if (typeof mpIn["holdUntil"] === "string") mp.holdUntil = mpIn["holdUntil"];
  if (typeof mpIn["holdFor"] === "number") mp.holdFor = mpIn["holdFor"];
  if (typeof mpIn["mtPriority"] === "number") mp.mtPriority = mpIn["mtPriority"];
  const byIn = mpIn["by"];
  const by = typeof byIn === "string" ? /^(-?\d+);([RN])(T?)$/i.exec(byIn.trim()) : null;
  // the agent's own form, with the absolute deadline; the core checks its members
  if (typeof byIn === "object" && byIn !== null && !Array.isArray(byIn)) mp.by = byIn as DeliverBy;
  else if (by && submittedMs !== null) {
    const seconds = Number(by[1]);
    mp.by = { seconds, mode: by[2]?.toUpperCase() === "N" ? "notify" : "return", trace: by[3] !== "", deadline: new Date(submittedMs + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") };
  }
  const rcpts = env.rcpts.map((r): Rcpt => {
    const out: Rcpt = { address: r.address };
    const n = typeof r.notify === "string" ? r.notify.split(",") : r.notify;
    if (n && n.length > 0) out.notify = n.map((x) => x.trim().toLowerCase() as NotifyCondition);
    if (r.orcpt) out.orcpt = r.orcpt;
    return out;
  });
  return { mailFrom: env.mailFrom, mailParams: mp, rcpts };
}
