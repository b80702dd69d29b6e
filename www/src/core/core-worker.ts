/**
 * The dedicated worker that runs the wasm core for an extension page (reader, release,
 * compose): verify, read content, decode an attachment, sign and encrypt large messages off
 * the page's main thread. It loads the core module that serves each call (`core/mmhs_read.js`
 * or `core/mmhs.js`, shared/core-modules.ts) from the extension itself, accepts only the
 * calls of `shared/core-worker-protocol.ts` (checked: no key material where a call does not
 * need it) and answers each with a progress message, then the result or a coded error.
 */
import { answeredBy, coreLoader, coreModuleFor, type CoreModuleName } from "../shared/core-modules.js";
import { parseWorkerRequest, transferables, type WorkerReply } from "../shared/core-worker-protocol.js";

interface WorkerScope {
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (ev: MessageEvent) => void): void;
  readonly location: { readonly href: string };
}

const scope = self as unknown as WorkerScope;
const loadModule = coreLoader((file) => new URL(`core/${file}`, scope.location.href).href);

function codeOf(err: unknown): string {
  const c = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof c === "string" ? c : "core-failed";
}

scope.addEventListener("message", (ev: MessageEvent) => {
  const req = parseWorkerRequest(ev.data);
  if (!req) {
    const id = typeof (ev.data as { id?: unknown } | null)?.id === "number" ? (ev.data as { id: number }).id : -1;
    scope.postMessage({ id, kind: "error", code: "bad-extension-message", message: "The core worker refused a request of the wrong shape." });
    return;
  }
  void (async () => {
    try {
      const first = req.args[0];
      scope.postMessage({ id: req.id, kind: "progress", stage: req.fn, bytes: first instanceof Uint8Array ? first.length : String(first).length });
      const run = async (name: CoreModuleName): Promise<unknown> => {
        const mod = await loadModule(name).catch((err: unknown) => {
          throw Object.assign(new Error(`The MMHS WebAssembly core is not in this build (${err instanceof Error ? err.message : String(err)}).`), { code: "core-unavailable" });
        });
        const fn = mod[req.fn];
        if (typeof fn !== "function") throw Object.assign(new Error(`The MMHS core does not provide "${req.fn}" yet.`), { code: "core-function-unavailable" });
        return await (fn as (...a: unknown[]) => unknown)(...req.args);
      };
      // What the read module's WebCrypto cannot decide, the full module does (core-modules.ts).
      const value = await answeredBy(coreModuleFor(req.fn), run);
      scope.postMessage({ id: req.id, kind: "done", value }, transferables(value));
    } catch (err) {
      scope.postMessage({ id: req.id, kind: "error", code: codeOf(err), message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
