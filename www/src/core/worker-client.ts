/**
 * The page side of the core worker (`core-worker.ts`): one dedicated worker per page, calls
 * matched to replies by id, progress reported to the caller. Requests are checked before they
 * are posted (`allowedArgs`): key material goes only to the calls that use it.
 */
import { allowedArgs, parseWorkerReply, type WorkerFunction } from "../shared/core-worker-protocol.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";

export type Progress = (stage: WorkerFunction, bytes: number) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  progress: Progress | undefined;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(err: CodedError): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  worker?.terminate();
  worker = null;
}

function start(): Worker {
  if (worker) return worker;
  const w = new Worker(chrome.runtime.getURL("core-worker.js"), { type: "module" });
  w.addEventListener("message", (ev: MessageEvent) => {
    const reply = parseWorkerReply(ev.data);
    if (!reply) return;
    const p = pending.get(reply.id);
    if (!p) return;
    if (reply.kind === "progress") {
      p.progress?.(reply.stage, reply.bytes);
      return;
    }
    pending.delete(reply.id);
    if (reply.kind === "done") p.resolve(reply.value);
    else p.reject(new CodedError(reply.code, reply.message));
  });
  w.addEventListener("error", (ev: ErrorEvent) => {
    ev.preventDefault();
    failAll(new CodedError(EXTENSION_CODES.coreUnavailable, `The core worker failed: ${ev.message || "could not be started"}.`));
  });
  worker = w;
  return w;
}

/** Run core function `fn` in the page's core worker. */
export function callInWorker(fn: WorkerFunction, args: readonly unknown[], progress?: Progress): Promise<unknown> {
  if (!allowedArgs(fn, args)) return Promise.reject(new CodedError(EXTENSION_CODES.badMessage, `The core worker does not take these arguments for ${fn}.`));
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, progress });
    try {
      start().postMessage({ id, fn, args });
    } catch (err) {
      pending.delete(id);
      reject(new CodedError(EXTENSION_CODES.coreUnavailable, `The core worker cannot be started: ${err instanceof Error ? err.message : String(err)}.`));
    }
  });
}
