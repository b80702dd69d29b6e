// Loads the wasm package built for Node (`wasm-pack build --target nodejs`), by default from
// target/pkg-node (scripts/test.sh builds it there); override with MMHS_PKG_NODE=/path/to/pkg.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const pkgDir = process.env.MMHS_PKG_NODE
  ? path.resolve(process.env.MMHS_PKG_NODE)
  : path.resolve(here, '..', '..', 'target', 'pkg-node');

if (!existsSync(path.join(pkgDir, 'mmhs.js'))) {
  throw new Error(
    `no wasm package at ${pkgDir}: run \`wasm-pack build --target nodejs --out-dir target/pkg-node\` ` +
      '(scripts/test.sh does) or set MMHS_PKG_NODE',
  );
}

const require = createRequire(import.meta.url);
/** The package's exports (`compose`, `inspect`, `version`, …). */
export const mmhs = require(path.join(pkgDir, 'mmhs.js'));

/**
 * Assert that `fn()` throws an MmhsError with the given stable code; returns the error.
 * @param {import('node:assert')} assert
 */
export function throwsCode(assert, fn, code) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, `expected an Error with code ${code}, got ${thrown}`);
  assert.equal(thrown.name, 'MmhsError');
  assert.equal(thrown.code, code, `code of: ${thrown.message}`);
  assert.ok(thrown.message.length > 0);
  return thrown;
}

/**
 * The read module built beside it (`mmhs_read.js`: the crate without its `send` and
 * `rust-crypto` features, the exports the extension loads first to read a message, every
 * signature value and key or content operation WebCrypto's; scripts/build-wasm.sh),
 * instantiated on first use.
 */
export function mmhsRead() {
  return require(path.join(pkgDir, 'mmhs_read.js'));
}
