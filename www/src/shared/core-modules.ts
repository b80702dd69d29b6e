/**
 * The core's two WebAssembly modules (scripts/build-wasm.sh, docs/js-api.md "The read module")
 * and the one loader both the pages and the core worker use:
 * - `core/mmhs_read.js` + `mmhs_read_bg.wasm`: the crate built without its `send` feature —
 *   only the exports that read, verify and decrypt a message. Opening a message loads this
 *   module alone (docs/design.md "The read module" has the sizes).
 * - `core/mmhs.js` + `mmhs_bg.wasm`: every export (compose, sign, encrypt, release, receipts,
 *   MDNs, key import), loaded the first time one of those is called.
 * Both are built from the same source in one build, so the same call gives the same answer
 * from either; a page that needs the full module anyway sends it every call
 * (`core/wasm.ts` `useFullCore`).
 */

/** The exports of `core/mmhs_read.js` (tests/js/read-module.test.mjs compares them with the built module). */
export const READ_CORE_FUNCTIONS = [
  "attachmentBytes",
  "certificateInfo",
  "certificateStatus",
  "decrypt",
  "decryptAsync",
  "inspect",
  "labelEquivalents",
  "labelReceivable",
  "mmhsVocabulary",
  "readContent",
  "unlockKey",
  "verify",
  "verifyAsync",
  "verifyReceipt",
  "verifyReceiptAsync",
  "version",
] as const;

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
