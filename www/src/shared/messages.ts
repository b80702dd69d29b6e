/**
 * Typed message catalogue between the content script, the service worker and the extension
 * frames/pages (after FlowCrypt's browser-msg.ts). Every message is `{ type, body }`; every
 * reply is `Result<T>`. `parseMessage` validates what arrives (anything else is dropped with
 * `bad-extension-message`), so a compromised page or stray sender cannot drive the worker with
 * shapes it does not expect.
 *
 * Routing:
 *   content script ─ stash.put ─▶ service worker (chrome.storage.session; survives SW restarts)
 *   frame ─ stash.get ─▶ service worker
 *   frame ─ webmail ─▶ service worker ─ adapter ─▶ content script of the frame's tab (top frame)
 */

/**
 * SMTP envelope as the core's compose produces it and the reference webmail's `POST /api/send`
 * takes it (docs/compose.md `Envelope`, docs/server.md): MAIL FROM + parameters, recipients with
 * NOTIFY / ORCPT.
 */
export interface Envelope {
  readonly mailFrom: string;
  readonly mailParams?: Readonly<Record<string, unknown>>;
  readonly rcpts: readonly EnvelopeRcpt[];
}

export interface EnvelopeRcpt {
  readonly address: string;
  readonly notify?: string | readonly string[];
  readonly orcpt?: string;
}

export interface QueueItem {
  readonly id: string;
  readonly from: string;
  readonly subject: string;
  readonly date: string | null;
  readonly precedence: string | null;
  readonly sioLabel: string | null;
  /** The SMTP envelope the draft was submitted with, when the webmail keeps it. */
  readonly envelope: unknown;
  /** When the webmail received it (ms since the epoch), if known. */
  readonly receivedAt?: number | null;
  /**
   * The draft's deadline as the webmail computes it (RFC 3339, or null): the earlier of the
   * DELIVERBY deadline (RFC 2852 §4) and `Expires:` (profile §3.4.17).
   */
  readonly deadline?: string | null;
}

/** What became of a sent copy the submission agent diverted to a Release queue (docs/server.md `releaseStatus`). */
export type ReleaseStatus = "awaiting" | "released" | "returned";

/** A message of the drafter's Sent folder with its release status (null: never diverted). */
export interface SentItem {
  readonly id: string;
  readonly subject: string;
  readonly messageId: string | null;
  readonly date: string | null;
  readonly releaseStatus: ReleaseStatus | null;
}

export interface MessageSummary {
  readonly id: string;
  readonly from: string;
  readonly subject: string;
  readonly date: string | null;
}

/** Operations the frames may ask of the webmail adapter (executed in the content script). */
export type WebmailOp =
  | { readonly op: "fetchRaw"; readonly id: string }
  | { readonly op: "send"; readonly rawB64: string; readonly envelope: Envelope }
  | { readonly op: "listReleaseQueue" }
  | { readonly op: "listSent" }
  | { readonly op: "removeFromQueue"; readonly id: string }
  | { readonly op: "whoami" };

export type WebmailResult =
  | { readonly op: "fetchRaw"; readonly rawB64: string }
  | { readonly op: "send"; readonly id: string | null; readonly notCarried?: readonly string[]; readonly rejected?: readonly string[]; readonly releaseQueue?: boolean }
  | { readonly op: "listReleaseQueue"; readonly items: readonly QueueItem[] }
  | { readonly op: "listSent"; readonly items: readonly SentItem[] }
  | { readonly op: "removeFromQueue" }
  | { readonly op: "whoami"; readonly user: string | null };

/**
 * Largest raw message the content script puts in the stash (`chrome.storage.session` holds
 * about 10 MB for the whole extension). A larger one is stashed without its bytes
 * (`rawB64: null`) and the reader fetches it through the webmail (`webmail` `fetchRaw`).
 */
export const STASH_INLINE_MAX = 1024 * 1024;

export interface StashEntry {
  /** The raw message, base64; null: too large to stash, fetch it by `messageId`. */
  readonly rawB64: string | null;
  readonly messageId: string;
  readonly folder: string | null;
  readonly user: string | null;
  readonly createdAt: number;
}

/** The catalogue: message type → request body and reply value. */
export interface Catalogue {
  "stash.put": { req: Omit<StashEntry, "createdAt">; res: { id: string } };
  "stash.get": { req: { id: string }; res: StashEntry };
  webmail: { req: WebmailOp; res: WebmailResult };
  adapter: { req: WebmailOp; res: WebmailResult };
  "worker.ping": { req: Record<string, never>; res: { startedAt: number } };
}

export type MsgType = keyof Catalogue;
export type Req<K extends MsgType> = Catalogue[K]["req"];
export type Res<K extends MsgType> = Catalogue[K]["res"];

export interface Envelope_<K extends MsgType> {
  readonly type: K;
  readonly body: Req<K>;
}

export type AnyMessage = { [K in MsgType]: Envelope_<K> }[MsgType];

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_RAW_B64 = 64 * 1024 * 1024;

function validEnvelope(v: unknown): v is Envelope {
  if (!isObj(v) || !isStr(v["mailFrom"]) || !Array.isArray(v["rcpts"]) || v["rcpts"].length === 0 || v["rcpts"].length > 1000) return false;
  if (v["mailParams"] !== undefined && !isFlatParams(v["mailParams"])) return false;
  return v["rcpts"].every(
    (r) =>
      isObj(r) && isStr(r["address"]) &&
      (r["notify"] === undefined || isStr(r["notify"]) || (Array.isArray(r["notify"]) && r["notify"].every(isStr))) &&
      (r["orcpt"] === undefined || isStr(r["orcpt"])),
  );
}

/** MAIL parameters: strings, numbers, booleans, null, or one level of such objects (BY). */
function isFlatParams(v: unknown): boolean {
  const prim = (x: unknown) => x === null || ["string", "number", "boolean"].includes(typeof x);
  return isObj(v) && Object.values(v).every((x) => prim(x) || (isObj(x) && Object.values(x).every(prim)));
}

function validRawB64(v: unknown): v is string {
  return isStr(v) && v.length <= MAX_RAW_B64 && B64.test(v);
}

export function validWebmailOp(v: unknown): v is WebmailOp {
  if (!isObj(v)) return false;
  switch (v["op"]) {
    case "fetchRaw":
    case "removeFromQueue":
      return isStr(v["id"]) && v["id"].length > 0 && v["id"].length < 512;
    case "send":
      return validRawB64(v["rawB64"]) && validEnvelope(v["envelope"]);
    case "listReleaseQueue":
    case "listSent":
    case "whoami":
      return true;
    default:
      return false;
  }
}

/** Validate an incoming runtime message; null when it is not one of ours. */
export function parseMessage(v: unknown): AnyMessage | null {
  if (!isObj(v) || !isStr(v["type"])) return null;
  const body = v["body"];
  switch (v["type"]) {
    case "stash.put":
      if (isObj(body) && (body["rawB64"] === null || (validRawB64(body["rawB64"]) && body["rawB64"].length <= Math.ceil(STASH_INLINE_MAX / 3) * 4)) && isStr(body["messageId"]) &&
          (body["folder"] === null || isStr(body["folder"])) && (body["user"] === null || isStr(body["user"]))) {
        return { type: "stash.put", body: body as unknown as Req<"stash.put"> };
      }
      return null;
    case "stash.get":
      return isObj(body) && isStr(body["id"]) && /^[0-9a-f]{32}$/.test(body["id"]) ? { type: "stash.get", body: { id: body["id"] } } : null;
    case "webmail":
      return validWebmailOp(body) ? { type: "webmail", body } : null;
    case "adapter":
      return validWebmailOp(body) ? { type: "adapter", body } : null;
    case "worker.ping":
      return { type: "worker.ping", body: {} };
    default:
      return null;
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

export function bytesToB64(bytes: Uint8Array): string {
  let s = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

export function b64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Decode bytes as latin1 (byte-preserving) for display parsing. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let s = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return s;
}
