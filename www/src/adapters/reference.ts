/**
 * Adapter for the reference webmail of `mmhs serve` (docs/server.md). Everything specific to it
 * is in this file: page hooks (`#mmhs-webmail[data-user][data-officer]`, `#message[data-id]`,
 * `#message-body`, `#compose-form`, `main[data-folder]`, `#message-list`) and the JSON API
 * (`/api/messages/{id}/raw`, `/api/folders/{name}/messages`, `POST /api/send`,
 * `DELETE /api/messages/{id}`), authenticated by the webmail's own session cookie.
 */
import type { Envelope, QueueItem, SentItem } from "../shared/messages.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import { rejectedAddresses, type SendOutcome, type WebmailAdapter, type WebmailView } from "./adapter.js";

export const REFERENCE_ORIGINS: readonly string[] = __MMHS_ORIGINS__;

/** The officers' release-queue folder of the reference webmail. */
export const RELEASE_FOLDER = "Release";

/** The drafter's Sent folder of the reference webmail. */
export const SENT_FOLDER = "Sent";

export const ENDPOINTS = {
  raw: (id: string) => `/api/messages/${encodeURIComponent(id)}/raw`,
  list: (folder: string) => `/api/folders/${encodeURIComponent(folder)}/messages`,
  remove: (id: string) => `/api/messages/${encodeURIComponent(id)}`,
  send: "/api/send",
} as const;

/** Page URL → view. Pure (unit-tested). */
export function viewFromUrl(url: URL): WebmailView {
  const path = url.pathname.replace(/\/+$/, "") || "/";
  if (path === "/compose") return { kind: "compose" };
  const read = /^\/message\/([0-9]+)$/.exec(path);
  if (read?.[1]) return { kind: "read", messageId: read[1], folder: null };
  const fold = /^\/folder\/([^/]+)$/.exec(path);
  if (fold?.[1]) {
    const name = decodeURIComponent(fold[1]);
    return name === RELEASE_FOLDER ? { kind: "release-queue" } : { kind: "list", folder: name };
  }
  return { kind: "other" };
}

/** The summaries of the server's JSON message list (`{ folder, messages: [MessageSummary] }`) that have an id. */
function summaries(json: unknown): { id: string; o: Record<string, unknown> }[] {
  const list =
    typeof json === "object" && json !== null && Array.isArray((json as { messages?: unknown }).messages)
      ? (json as { messages: unknown[] }).messages
      : Array.isArray(json)
        ? json
        : null;
  if (!list) throw new CodedError(EXTENSION_CODES.adapterHttp, "The webmail's message list is not in the expected JSON form.");
  return list.flatMap((m: unknown) => {
    if (typeof m !== "object" || m === null) return [];
    const o = m as Record<string, unknown>;
    const id = o["id"];
    return typeof id === "string" || typeof id === "number" ? [{ id: String(id), o }] : [];
  });
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/**
 * The Sent folder's list → items with their release status: only the server's three words
 * count; anything else is "never diverted" (null), never a status. Pure.
 */
export function parseSentList(json: unknown): SentItem[] {
  return summaries(json).map(({ id, o }) => {
    const st = o["releaseStatus"];
    return {
      id,
      subject: str(o["subject"]) ?? "",
      messageId: str(o["messageId"]),
      date: str(o["date"]),
      releaseStatus: st === "awaiting" || st === "released" || st === "returned" ? st : null,
    };
  });
}

/** The server's JSON message list (`{ folder, messages: [MessageSummary] }`) → items. Pure. */
export function parseMessageList(json: unknown): QueueItem[] {
  return summaries(json).map(({ id, o }) => {
    const s = str;
    return {
      id,
      from: s(o["from"]) ?? "",
      subject: s(o["subject"]) ?? "",
      date: s(o["date"]),
      precedence: s(o["primaryPrecedence"]),
      sioLabel: s(o["sioLabel"]),
      envelope: o["envelope"] ?? null,
      receivedAt: typeof o["receivedAt"] === "number" ? o["receivedAt"] * 1000 : null,
      deadline: s(o["deadline"]),
    };
  });
}

/**
 * `POST /api/send`'s answer (docs/server.md) → the outcome the compose panel shows: the Sent
 * copy's id, refused recipients and `releaseQueue` — the server's reading of its submission
 * agent's reply (true only for a literal `true`). Pure.
 */
export function parseSendReply(json: unknown): SendOutcome {
  const o = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  const id = o["sentId"];
  const rejected = rejectedAddresses(o["rejected"]);
  const rq = o["releaseQueue"];
  return { id: typeof id === "number" || typeof id === "string" ? String(id) : null, rejected, ...(typeof rq === "boolean" ? { releaseQueue: rq } : {}) };
}

async function checked(res: Response, what: string): Promise<Response> {
  if (!res.ok) {
    let detail = "";
    try {
      const body: unknown = await res.json();
      if (typeof body === "object" && body !== null) {
        const b = body as Record<string, unknown>;
        detail = [b["code"], b["message"]].filter((x) => typeof x === "string").join(": ");
      }
    } catch {
      /* not JSON */
    }
    throw new CodedError(EXTENSION_CODES.adapterHttp, `${what}: HTTP ${res.status}${detail ? ` — ${detail}` : ""}`);
  }
  return res;
}

function toB64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export class ReferenceWebmail implements WebmailAdapter {
  readonly name = "mmhs serve reference webmail";

  constructor(private readonly origin: string) {}

  matches(url: URL): boolean {
    return REFERENCE_ORIGINS.includes(url.origin);
  }

  detectView(url: URL, doc: Document): WebmailView {
    const v = viewFromUrl(url);
    if (v.kind === "read") {
      const folder = doc.querySelector("#message[data-folder]")?.getAttribute("data-folder") ?? null;
      return { ...v, folder };
    }
    if (v.kind === "other" && doc.querySelector("#compose-form")) return { kind: "compose" };
    return v;
  }

  currentUser(doc: Document): string | null {
    const v = doc.querySelector("#mmhs-webmail[data-user]")?.getAttribute("data-user") ?? "";
    return v.includes("@") ? v : null;
  }

  mountPoint(view: WebmailView, doc: Document): { parent: Element; before: Element | null } | null {
    const main = doc.querySelector("main");
    if (!main) return null;
    const anchor =
      view.kind === "read" ? doc.querySelector("#message") : view.kind === "compose" ? doc.querySelector("#compose-form") : doc.querySelector("#message-list");
    if (anchor?.parentElement) return { parent: anchor.parentElement, before: anchor };
    return { parent: main, before: main.querySelector("h1")?.nextElementSibling ?? null };
  }

  ownUi(view: WebmailView, doc: Document): Element[] {
    // the webmail's compose form with its Send button; its rendering of the message text (not
    // verified); its table of the Release queue (drafts as their header fields claim)
    const el =
      view.kind === "compose"
        ? doc.querySelector("#compose-form")
        : view.kind === "read"
          ? (doc.querySelector("#message-body")?.closest("section") ?? doc.querySelector("#message-body"))
          : view.kind === "release-queue"
            ? doc.querySelector("#message-list")
            : null;
    return el ? [el] : [];
  }

  async fetchRaw(messageId: string): Promise<Uint8Array> {
    const res = await checked(await fetch(this.origin + ENDPOINTS.raw(messageId), { credentials: "same-origin", cache: "no-store" }), "Fetching the raw message");
    return new Uint8Array(await res.arrayBuffer());
  }

  async send(raw: Uint8Array, envelope: Envelope): Promise<SendOutcome> {
    const res = await checked(
      await fetch(this.origin + ENDPOINTS.send, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ raw: toB64(raw), encoding: "base64", envelope }),
      }),
      "Sending through the webmail",
    );
    return parseSendReply(await res.json().catch(() => null));
  }

  async listSent(): Promise<SentItem[]> {
    const res = await checked(await fetch(this.origin + ENDPOINTS.list(SENT_FOLDER), { credentials: "same-origin", cache: "no-store" }), "Listing the Sent folder");
    return parseSentList(await res.json());
  }

  async listReleaseQueue(): Promise<QueueItem[]> {
    const res = await checked(await fetch(this.origin + ENDPOINTS.list(RELEASE_FOLDER), { credentials: "same-origin", cache: "no-store" }), "Listing the release queue");
    return parseMessageList(await res.json());
  }

  async removeFromQueue(messageId: string): Promise<void> {
    await checked(await fetch(this.origin + ENDPOINTS.remove(messageId), { method: "DELETE", credentials: "same-origin" }), "Removing the draft from the queue");
  }
}
