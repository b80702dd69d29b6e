/**
 * Adapter for the reference webmail of `mmhs serve` (docs/server.md). Endpoints and page
 * layout are the server's; everything specific to it is in this file.
 */
import type { Envelope, QueueItem } from "../shared/messages.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import type { WebmailAdapter, WebmailView } from "./adapter.js";

export const REFERENCE_ORIGINS: readonly string[] = __MMHS_ORIGINS__;

/** The folder name the server uses for the officers' release queue. */
export const RELEASE_FOLDER = "release";

export const ENDPOINTS = {
  raw: (id: string) => `/api/messages/${encodeURIComponent(id)}/raw`,
  list: (folder: string) => `/api/messages?folder=${encodeURIComponent(folder)}`,
  remove: (id: string) => `/api/messages/${encodeURIComponent(id)}`,
  send: "/api/send",
} as const;

/** Page URL → view. Pure (unit-tested). */
export function viewFromUrl(url: URL): WebmailView {
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const folder = url.searchParams.get("folder");
  if (/^\/compose$/.test(path)) return { kind: "compose" };
  const read = /^\/(?:message|messages|read)\/([^/]+)$/.exec(path);
  if (read?.[1]) return { kind: "read", messageId: decodeURIComponent(read[1]), folder };
  const fold = /^\/(?:folder|folders|mailbox)\/([^/]+)$/.exec(path);
  const name = fold?.[1] ? decodeURIComponent(fold[1]) : path === "/" || path === "/inbox" ? folder ?? "inbox" : null;
  if (name !== null) {
    return isReleaseFolder(name) ? { kind: "release-queue" } : { kind: "list", folder: name };
  }
  return { kind: "other" };
}

export function isReleaseFolder(name: string): boolean {
  return /^release([-_ ]?queue)?$/i.test(name);
}

/** The server's JSON message list → queue items. Pure (unit-tested). */
export function parseMessageList(json: unknown): QueueItem[] {
  const list = Array.isArray(json)
    ? json
    : typeof json === "object" && json !== null && Array.isArray((json as { messages?: unknown }).messages)
      ? (json as { messages: unknown[] }).messages
      : null;
  if (!list) throw new CodedError(EXTENSION_CODES.adapterHttp, "The webmail's message list is not a JSON array.");
  return list.flatMap((m: unknown) => {
    if (typeof m !== "object" || m === null) return [];
    const o = m as Record<string, unknown>;
    const id = o["id"] ?? o["uid"];
    if (typeof id !== "string" && typeof id !== "number") return [];
    const s = (v: unknown) => (typeof v === "string" ? v : "");
    return [{ id: String(id), from: s(o["from"]), subject: s(o["subject"]), date: typeof o["date"] === "string" ? o["date"] : null }];
  });
}

async function checked(res: Response, what: string): Promise<Response> {
  if (!res.ok) {
    let detail = "";
    try {
      detail = (await res.text()).slice(0, 300);
    } catch {
      /* body unreadable */
    }
    throw new CodedError(EXTENSION_CODES.adapterHttp, `${what}: HTTP ${res.status} ${res.statusText}${detail ? ` — ${detail}` : ""}`);
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
    if (v.kind !== "other") return v;
    if (doc.querySelector("form[action$='/compose'], form#compose")) return { kind: "compose" };
    return v;
  }

  currentUser(doc: Document): string | null {
    const el = doc.querySelector("[data-user], #user, .user");
    const v = el?.getAttribute("data-user") ?? el?.textContent ?? null;
    const m = v ? /[^\s<>]+@[^\s<>]+/.exec(v) : null;
    return m ? m[0] : null;
  }

  mountPoint(_view: WebmailView, doc: Document): { parent: Element; before: Element | null } | null {
    const main = doc.querySelector("main") ?? doc.body;
    return { parent: main, before: main.firstElementChild };
  }

  async fetchRaw(messageId: string): Promise<Uint8Array> {
    const res = await checked(await fetch(this.origin + ENDPOINTS.raw(messageId), { credentials: "same-origin" }), "Fetching the raw message");
    return new Uint8Array(await res.arrayBuffer());
  }

  async send(raw: Uint8Array, envelope: Envelope): Promise<{ id: string | null }> {
    const res = await checked(
      await fetch(this.origin + ENDPOINTS.send, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ raw: toB64(raw), encoding: "base64", envelope }),
      }),
      "Sending through the webmail",
    );
    const json: unknown = await res.json().catch(() => null);
    const id = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["id"] : null;
    return { id: typeof id === "string" || typeof id === "number" ? String(id) : null };
  }

  async listReleaseQueue(): Promise<QueueItem[]> {
    const res = await checked(await fetch(this.origin + ENDPOINTS.list(RELEASE_FOLDER), { credentials: "same-origin" }), "Listing the release queue");
    return parseMessageList(await res.json());
  }

  async removeFromQueue(messageId: string): Promise<void> {
    await checked(await fetch(this.origin + ENDPOINTS.remove(messageId), { method: "DELETE", credentials: "same-origin" }), "Removing the draft from the queue");
  }
}

/** All adapters known to the extension; the content script picks the first that matches. */
export function adapterFor(url: URL): WebmailAdapter | null {
  return REFERENCE_ORIGINS.includes(url.origin) ? new ReferenceWebmail(url.origin) : null;
}
