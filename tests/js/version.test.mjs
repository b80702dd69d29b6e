// The built Node package loads and reports its version as a plain object.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mmhs, pkgDir } from './pkg.mjs';

test('version() is a plain object with the crate version', () => {
  const v = mmhs.version();
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  assert.deepEqual(v, { version: pkg.version, target: 'wasm32' });
});

test('the TypeScript declarations describe the exports', () => {
  const dts = readFileSync(path.join(pkgDir, 'mmhs.d.ts'), 'utf8');
  assert.match(dts, /export function version\(\): VersionInfo;/);
  assert.match(dts, /export interface MmhsError extends Error/);
});
