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
  for (const sig of [
    /export function compose\(request: \(ComposeRequest & \{ signer\?: KeyUse \}\) \| string, options\?: ComposeOptions\): ComposedMessage\[\];/,
    /export function inspect\(raw: MessageInput, options\?: InspectRequest\): MmhsView;/,
    /export function sign\(raw: MessageInput, signer: KeyUse, options\?: SignRequest\): Uint8Array;/,
    /export function encrypt\(raw: MessageInput, recipients: string\[\], options\?: EncryptRequest\): Uint8Array;/,
    /export function decrypt\(raw: MessageInput, key: KeyUse\): Uint8Array;/,
    /export function verify\(raw: MessageInput, options: VerifyRequest\): VerifyReport \| VerifiedContent;/,
    /export function importPkcs12\(p12: Uint8Array, password: string, options\?: ImportPkcs12Request\): ImportedKey;/,
    /export function release\(raw: MessageInput, options: ReleaseOptions\): ReleaseResult;/,
    /export function releaseGate\(raw: MessageInput, options\?: ReleaseGateRequest\)/,
    /export function mixerMap\(heading: InternetHeading \| IpmsHeading, options: MixerRequest\): MixerResult;/,
    /export function auditRecord\(input: AuditRecordRequest & \{ message\?: MessageInput \}\): AuditRecord;/,
    /export function verifyAuditLog\(records: AuditRecord\[\] \| string, options\?: AuditVerifyOptions\): AuditVerification;/,
    /export function labelCheck\(request: CheckRequest\): LabelDecision;/,
    /export function certificateInfo\(input: string \| Uint8Array\): CertificateInfo\[\];/,
    /export function makeMdn\(request: MdnRequest\): Mdn;/,
    /export function mmhsVocabulary\(\): MmhsVocabulary;/,
  ]) {
    assert.match(dts, sig);
  }
  // The request and response types are the ones generated from the Rust types
  // (src/wasm/api.d.ts, tests/ts_types.rs), embedded whole.
  const api = readFileSync(new URL('../../src/wasm/api.d.ts', import.meta.url), 'utf8');
  // (wasm-bindgen re-indents the section: every declared type is there, by name)
  const names = [...api.matchAll(/^export type (\w+)/gm)].map((m) => m[1]);
  assert.ok(names.length > 40, 'api.d.ts declares the request and response types');
  // Each at the start of a line: the re-indentation comes back to zero after every type.
  for (const n of names) assert.match(dts, new RegExp(`^export type ${n} =`, 'm'), n);
  // An async export's promise, once (wasm-bindgen wraps the declared result in it).
  for (const sig of [
    /export function unlockKey\(key: KeyUse\): Promise<AsyncKey>;/,
    /export function signAsync\(raw: MessageInput, key: AsyncKey, options\?: SignRequest\): Promise<Uint8Array>;/,
    /export function decryptAsync\(raw: MessageInput, key: AsyncKey\): Promise<Uint8Array>;/,
    /export function verifyAsync\(raw: MessageInput, options: VerifyRequest, decryption_key\?: AsyncKey\): Promise<VerifyReport \| VerifiedContent>;/,
  ]) {
    assert.match(dts, sig);
  }
  assert.doesNotMatch(dts, /Promise<Promise/);
  for (const t of ['SignRequest', 'VerifyRequest', 'EncryptRequest', 'InspectRequest', 'KeyUse', 'VerifyReport', 'ComposedMessage', 'ImportedKey', 'ComposeRequest', 'MmhsView', 'ReleaseResult', 'GateDecision', 'CertificateInfo', 'MmhsVocabulary']) {
    assert.match(dts, new RegExp(`export (type|interface) ${t}\\b`));
  }
});
