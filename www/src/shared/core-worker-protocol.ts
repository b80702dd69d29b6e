/**
 * The messages between an extension page and its dedicated core worker
 * (`src/core/core-worker.ts`): the page asks for one of a closed set of wasm calls, the worker
 * answers with progress, the result or a coded error. The worker runs the wasm core off the
 * page's main thread, so verifying or signing a large message never freezes the page.
 *
 * What a call may carry is checked here, on both sides: the worker gets key material only for
 * the calls that use it (`sign`, `encrypt` none, `verify` only a `decryptionKey`), never for
 * reading content. An unlocked key (`AsyncKey` of wasm `unlockKey`: the non-extractable
 * WebCrypto `CryptoKey`s, structured-cloned to the worker, still non-extractable there) goes
 * only to `verifyAsync` (third argument, the key that opens an encrypted layer) and
 * `makeReceiptAsync` (second argument, the key that opens the original and signs the receipt).
 */

/** The core functions the worker runs. */
export const WORKER_FUNCTIONS = ["verify", "verifyAsync", "readContent", "attachmentBytes", "sign", "encrypt", "encryptAsync", "makeReceiptAsync"] as const;
export type WorkerFunction = (typeof WORKER_FUNCTIONS)[number];

export interface WorkerRequest {
  readonly id: number;
  readonly fn: WorkerFunction;
  readonly args: readonly unknown[];
}

export type WorkerReply =
  | { readonly id: number; readonly kind: "progress"; readonly stage: WorkerFunction; readonly bytes: number }
  | { readonly id: number; readonly kind: "done"; readonly value: unknown }
  | { readonly id: number; readonly kind: "error"; readonly code: string; readonly message: string };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const KEY_MEMBERS = ["encryptedPkcs8", "password", "privateKey", "pkcs8", "key", "cryptoKeys", "decryptionKey"];

/** Whether a value carries key material anywhere in its top two levels. */
function carriesKey(v: unknown): boolean {
  if (!isObj(v)) return false;
  return Object.entries(v).some(([k, x]) => KEY_MEMBERS.includes(k) || (isObj(x) && KEY_MEMBERS.some((m) => m in x)));
}

const ASYNC_KEY_MEMBERS = ["kind", "certificate", "chain", "cryptoKeys"];

/**
 * Whether `v` is an unlocked key as `unlockKey` makes it: its certificate and chain (PEM
 * texts), its kind, and only non-extractable `CryptoKey`s — no password, no PKCS#8, no
 * callbacks, nothing else.
 */
export function isUnlockedKey(v: unknown): boolean {
  if (!isObj(v) || !Object.keys(v).every((k) => ASYNC_KEY_MEMBERS.includes(k))) return false;
  const { kind, certificate, chain, cryptoKeys } = v;
  if ((kind !== "rsa" && kind !== "ec") || typeof certificate !== "string") return false;
  if (!Array.isArray(chain) || !chain.every((c) => typeof c === "string")) return false;
  if (!isObj(cryptoKeys)) return false;
  const keys = Object.values(cryptoKeys);
  return keys.length > 0 && keys.every((k) => typeof CryptoKey === "function" && k instanceof CryptoKey && !k.extractable);
}

/**
 * Whether `args` are what `fn` may carry: a message first (bytes or text), and key material
 * only where the call needs it — `sign`'s signer (second argument), `verify`'s
 * `decryptionKey`, an unlocked key as `verifyAsync`'s third and `makeReceiptAsync`'s second
 * argument. Anything else is refused before it reaches the worker.
 */
export function allowedArgs(fn: WorkerFunction, args: readonly unknown[]): boolean {
  const [raw, second, third] = args;
  if (!(raw instanceof Uint8Array) && typeof raw !== "string") return false;
  switch (fn) {
    case "verify": {
      if (!isObj(second) || args.length !== 2) return false;
      const { decryptionKey, ...rest } = second;
      return !carriesKey(rest) && (decryptionKey === undefined || isObj(decryptionKey));
    }
    case "verifyAsync":
      return isObj(second) && !carriesKey(second) && (args.length === 2 || (args.length === 3 && isUnlockedKey(third)));
    case "makeReceiptAsync": {
      const fourth = args[3];
      return args.length === 4 && isUnlockedKey(second) && isObj(third) && !carriesKey(third) && isObj(fourth) && !carriesKey(fourth);
    }
    case "readContent":
      return args.length <= 2 && (second === undefined || (isObj(second) && !carriesKey(second)));
    case "attachmentBytes":
      return args.length <= 3 && typeof second === "number" && Number.isInteger(second) && second >= 0 && (third === undefined || (isObj(third) && !carriesKey(third)));
    case "sign":
      return args.length <= 3 && isObj(second) && (third === undefined || (isObj(third) && !carriesKey(third)));
    case "encrypt":
    case "encryptAsync":
      return args.length <= 3 && Array.isArray(second) && second.every((c) => typeof c === "string") && (third === undefined || (isObj(third) && !carriesKey(third)));
  }
}

/** A request as the worker receives it, or null when it is not one. */
export function parseWorkerRequest(v: unknown): WorkerRequest | null {
  if (!isObj(v) || typeof v["id"] !== "number" || !Array.isArray(v["args"])) return null;
  const fn = v["fn"];
  if (typeof fn !== "string" || !(WORKER_FUNCTIONS as readonly string[]).includes(fn)) return null;
  const args = v["args"] as unknown[];
  if (!allowedArgs(fn as WorkerFunction, args)) return null;
  return { id: v["id"], fn: fn as WorkerFunction, args };
}

/** A reply as the page receives it, or null when it is not one. */
export function parseWorkerReply(v: unknown): WorkerReply | null {
  if (!isObj(v) || typeof v["id"] !== "number") return null;
  const id = v["id"];
  switch (v["kind"]) {
    case "progress":
      return typeof v["bytes"] === "number" && typeof v["stage"] === "string" && (WORKER_FUNCTIONS as readonly string[]).includes(v["stage"])
        ? { id, kind: "progress", stage: v["stage"] as WorkerFunction, bytes: v["bytes"] }
        : null;
    case "done":
      return { id, kind: "done", value: v["value"] };
    case "error":
      return typeof v["code"] === "string" && typeof v["message"] === "string" ? { id, kind: "error", code: v["code"], message: v["message"] } : null;
    default:
      return null;
  }
}

/** "verifying… 13.7 MiB": what the page shows while the worker runs `stage`. */
export function progressText(stage: WorkerFunction, bytes: number): string {
  const what: Record<WorkerFunction, string> = {
    verify: "Verifying",
    verifyAsync: "Verifying",
    makeReceiptAsync: "Signing the receipt",
    readContent: "Reading the content",
    attachmentBytes: "Decoding the attachment",
    sign: "Signing",
    encrypt: "Encrypting",
    encryptAsync: "Encrypting",
  };
  return `${what[stage]}… ${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The buffers of a result to transfer rather than copy (a Uint8Array, or `content` of verify). */
export function transferables(value: unknown): ArrayBuffer[] {
  if (value instanceof Uint8Array && value.buffer instanceof ArrayBuffer) return [value.buffer];
  if (isObj(value) && value["content"] instanceof Uint8Array && value["content"].buffer instanceof ArrayBuffer) return [value["content"].buffer];
  return [];
}
