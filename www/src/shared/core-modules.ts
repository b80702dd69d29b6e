/**
 * The core's two WebAssembly modules (scripts/build-wasm.sh, docs/js-api.md "The read module")
 * and the one loader both the pages and the core worker use:
 * - `core/mmhs_read.js` + `mmhs_read_bg.wasm`: the crate built without its `send` and
 *   `rust-crypto` features — only the exports that read a message and verify and decrypt it
 *   through WebCrypto (`verifyAsync`, `decryptAsync`, …). Opening a message loads this module
 *   alone (docs/design.md "The read module" has the sizes). What WebCrypto lacks (an
 *   RSASSA-PSS or SHA-1 signature, a 3DES content, …) it answers `provider-unsupported`,
 *   never valid; `answeredBy` then asks the full module.
 * - `core/mmhs.js` + `mmhs_bg.wasm`: every export (compose, sign, encrypt, release, receipts,
 *   MDNs, key import, and the sync `verify` / `decrypt` / `unlockKey` / `certificateStatus`
 *   that use a stored key or the pure-Rust crypto), loaded the first time one of those is
 *   called.
 * Both are built from the same source in one build, so the same call gives the same answer
 * from either; a page that needs the full module anyway sends it every call
 * (`core/wasm.ts` `useFullCore`).
 */

/** The exports of `core/mmhs_read.js` (tests/js/read-module.test.mjs compares them with the built module). */
export const READ_CORE_FUNCTIONS = [
  "attachmentBytes",
  "certificateInfo",
  "decryptAsync",
  "inspect",
  "labelEquivalents",
  "labelReceivable",
  "mmhsVocabulary",
  "readContent",
  "verifyAsync",
  "verifyReceiptAsync",
  "version",
] as const;

/**
 * The code of an answer the read module's crypto provider (WebCrypto) could not give though
 * the core implements it (src/trust/signature_check.rs `PROVIDER_UNSUPPORTED`): a problem of
 * a report, which is then never valid, or an error.
 */
export const PROVIDER_UNSUPPORTED = "provider-unsupported";

function codeOf(v: unknown): unknown {
  return typeof v === "object" && v !== null ? (v as { code?: unknown }).code : undefined;
}

function reportProblems(v: unknown): unknown[] {
  if (typeof v !== "object" || v === null) return [];
  const report = "report" in v ? (v as { report?: unknown }).report : v;
  const problems = typeof report === "object" && report !== null ? (report as { problems?: unknown }).problems : undefined;
  return Array.isArray(problems) ? problems : [];
}

/** Whether a read module's answer (a report, verified content, or the error it threw) is one its provider could not give. */
export function needsFullModule(answer: unknown): boolean {
  return codeOf(answer) === PROVIDER_UNSUPPORTED || reportProblems(answer).some((p) => codeOf(p) === PROVIDER_UNSUPPORTED);
}

/**
 * The answer of `run` on module `first`; when that is the read module and its answer (or
 * error) is `provider-unsupported`, the full module's answer to the same call instead — the
 * same core with the pure-Rust provider decides (fail closed either way: the read module's
 * answer is never valid, and a full module that cannot load is an error).
 */
export async function answeredBy(first: CoreModuleName, run: (name: CoreModuleName) => Promise<unknown>): Promise<unknown> {
  if (first !== "mmhs_read") return run(first);
  let answer: unknown;
  try {
    answer = await run(first);
  } catch (err) {
    if (needsFullModule(err)) return run("mmhs");
    throw err;
  }
  return needsFullModule(answer) ? run("mmhs") : answer;
}

export type CoreModuleName = "mmhs_read" | "mmhs";

const READ = new Set<string>(READ_CORE_FUNCTIONS);

/** The module that serves core function `fn`: the read module where it has it, else the full one. */
export function coreModuleFor(fn: string): CoreModuleName {
  return READ.has(fn) ? "mmhs_read" : "mmhs";
}

export type CoreModule = Record<string, unknown> & { default?: (arg?: unknown) => Promise<unknown> };

/**
 * A loader of the two modules, each imported and instantiated once (a failed load is retried
 * on the next call; its error names the file, and the caller reports it as
 * `core-unavailable`); `url(file)` resolves a file of the extension's `core/` directory.
 */
export function coreLoader(url: (file: string) => string): (name: CoreModuleName) => Promise<CoreModule> {
  const loading = new Map<CoreModuleName, Promise<CoreModule>>();
  return (name) => {
    let p = loading.get(name);
    if (!p) {
      p = (async () => {
        let mod: CoreModule;
        try {
          mod = (await import(/* @vite-ignore */ url(`${name}.js`))) as CoreModule;
        } catch (err) {
          throw new Error(`core/${name}.js: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        if (typeof mod.default !== "function") throw new Error(`core/${name}.js has no wasm-bindgen init function.`);
        try {
          await mod.default({ module_or_path: url(`${name}_bg.wasm`) });
        } catch (err) {
          throw new Error(`core/${name}_bg.wasm: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        return mod;
      })();
      p.catch(() => loading.delete(name));
      loading.set(name, p);
    }
    return p;
  };
}
