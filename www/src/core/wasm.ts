/**
 * Loader and typed wrappers for the MMHS wasm core (`pkg/` from `wasm-pack build --target web`,
 * copied into the extension as core/mmhs.js + core/mmhs_bg.wasm). Runs only in extension-origin
 * pages and frames, never in the webmail page or the content script.
 *
 * A function the core does not export yet raises `core-function-unavailable` naming it: the UI
 * shows that error; nothing is ever simulated.
 */
import type {
  AttachmentInfo,
  AuditRecord,
  AuditRecordRequest,
  AuditVerification,
  AuditVerifyOptions,
  CertificateInfo,
  Classification,
  CertificateStatus,
  CertificateStatusRequest,
  CheckRequest,
  ComposedMessage,
  ComposeOptions,
  ComposeRequest,
  ContentView,
  DsnRecipient,
  EncryptRequest,
  Envelope,
  Equivalent,
  EquivalentsRequest,
  GateDecision,
  ImportedKey,
  ImportPkcs12Request,
  InspectRequest,
  InternetHeading,
  IpmsHeading,
  KeyUse,
  LabelDecision,
  MakeReceiptRequest,
  Mdn,
  MdnRequest,
  MixerRequest,
  MixerResult,
  MmhsView,
  ReadContentRequest,
  ReceivableClass,
  ReceivableRequest,
  RecipientCertificates,
  ReleaseGateRequest,
  ReleaseOptions,
  ReleaseResult,
  SecurityLabel,
  SignedReceipt,
  SignRequest,
  VerifyReport,
  VerifyRequest,
  MmhsVocabulary,
} from "../../../src/wasm/api.js";
import type { AsyncKey } from "../shared/key-lock.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import { answeredBy, coreLoader, coreModuleFor, type CoreModule, type CoreModuleName } from "../shared/core-modules.js";
import { callInWorker, type Progress } from "./worker-client.js";

export type {
  AttachmentInfo,
  CertificateInfo,
  Classification,
  CertificateStatus,
  ComposedMessage,
  ComposeRequest,
  ContentView,
  DsnRecipient,
  EncryptRequest,
  Envelope,
  Equivalent,
  ImportedKey,
  KeyUse,
  Mdn,
  MdnRequest,
  MmhsView,
  MmhsVocabulary,
  ReceivableClass,
  RecipientCertificates,
  ReleaseResult,
  SecurityLabel,
  SignedReceipt,
  SignRequest,
  VerifyReport,
  VerifyRequest,
};

function coreUrl(file: string): string {
  return chrome.runtime.getURL(`core/${file}`);
}

const loadModule = coreLoader(coreUrl);
let fullOnly = false;

/**
 * This page composes, signs, encrypts or releases (it needs the full module anyway): every call
 * of its main thread goes to the full module, so it instantiates one module, not two.
 */
export function useFullCore(): void {
  fullOnly = true;
}

/** The core module that serves `fn` (shared/core-modules.ts), loaded once. */
export async function loadCore(fn = ""): Promise<CoreModule> {
  return loadNamed(fullOnly ? "mmhs" : coreModuleFor(fn));
}

async function loadNamed(name: CoreModuleName): Promise<CoreModule> {
  try {
    return await loadModule(name);
  } catch (err) {
    throw new CodedError(EXTENSION_CODES.coreUnavailable, `The MMHS WebAssembly core is not in this build (${err instanceof Error ? err.message : String(err)}).`);
  }
}

/** Names of the functions the core exports (the full module; for the settings "about" box). */
export async function coreFunctions(): Promise<string[]> {
  const mod = await loadCore();
  return Object.keys(mod).filter((k) => k !== "default" && k !== "initSync" && !k.startsWith("__") && typeof mod[k] === "function").sort();
}

export async function hasCoreFunction(name: string): Promise<boolean> {
  try {
    const mod = await loadCore(name);
    return typeof mod[name] === "function";
  } catch {
    return false;
  }
}

export async function call(name: string, ...args: unknown[]): Promise<unknown> {
  const run = async (module: CoreModuleName): Promise<unknown> => {
    const mod = await loadNamed(module);
    const fn = mod[name];
    if (typeof fn !== "function") {
      throw new CodedError(EXTENSION_CODES.coreFunctionUnavailable, `The MMHS core does not provide "${name}" yet.`);
    }
    return await (fn as (...a: unknown[]) => unknown)(...args);
  };
  try {
    // What the read module's WebCrypto cannot decide, the full module does (core-modules.ts).
    return await answeredBy(fullOnly ? "mmhs" : coreModuleFor(name), run);
  } catch (err) {
    if (err instanceof Error && typeof (err as Error & { code?: unknown }).code === "string") throw err;
    if (typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string") {
      const o = err as { code: string; message?: unknown };
      throw new CodedError(o.code, typeof o.message === "string" ? o.message : o.code);
    }
    throw new CodedError(EXTENSION_CODES.coreFailed, err instanceof Error ? err.message : String(err));
  }
}

/** A request as the extension holds it: readonly all the way down (the core copies it). */
export type ReadonlyDeep<T> = T extends Uint8Array
  ? T
  : T extends ReadonlyArray<infer U>
    ? readonly ReadonlyDeep<U>[]
    : T extends object
      ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
      : T;

/** A message given to the core: bytes, or text (UTF-8 encoded by the core). */
export type MessageInput = Uint8Array | string;

/** `verify` with `withContent`: the report and the innermost content to render. */
export interface VerifiedContent {
  readonly report: VerifyReport;
  readonly content: Uint8Array;
}

/** wasm `version()`: the loaded build. */
export interface VersionInfo {
  readonly version: string;
  readonly target: string;
}

/**
 * Every wasm export, with the request and response types generated from the core's Rust types
 * (src/wasm/api.d.ts, docs/js-api.md): the same JSON the CLI reads with `--json`.
 */
export interface CoreApi {
  version(): VersionInfo;
  compose(request: ReadonlyDeep<ComposeRequest & { signer?: KeyUse }> | string, options?: ReadonlyDeep<ComposeOptions>): ComposedMessage[];
  inspect(raw: MessageInput, request?: ReadonlyDeep<InspectRequest>): MmhsView;
  sign(raw: MessageInput, signer: ReadonlyDeep<KeyUse>, request?: ReadonlyDeep<SignRequest>): Uint8Array;
  signAsync(raw: MessageInput, key: AsyncKey, request?: ReadonlyDeep<SignRequest>): Promise<Uint8Array>;
  encrypt(raw: MessageInput, recipients: readonly string[], request?: ReadonlyDeep<EncryptRequest>): Uint8Array;
  encryptAsync(raw: MessageInput, recipients: readonly string[], request?: ReadonlyDeep<EncryptRequest>): Promise<Uint8Array>;
  decrypt(raw: MessageInput, key: ReadonlyDeep<KeyUse>): Uint8Array;
  decryptAsync(raw: MessageInput, key: AsyncKey): Promise<Uint8Array>;
  verify(raw: MessageInput, request: ReadonlyDeep<VerifyRequest>): VerifyReport | VerifiedContent;
  verifyAsync(raw: MessageInput, request: ReadonlyDeep<VerifyRequest>, decryptionKey?: AsyncKey): Promise<VerifyReport | VerifiedContent>;
  verifyReceipt(raw: MessageInput, original: MessageInput, request: ReadonlyDeep<VerifyRequest>): VerifyReport;
  verifyReceiptAsync(raw: MessageInput, original: MessageInput, request: ReadonlyDeep<VerifyRequest>, decryptionKey?: AsyncKey): Promise<VerifyReport>;
  makeReceipt(raw: MessageInput, signer: ReadonlyDeep<KeyUse>, verify: ReadonlyDeep<VerifyRequest>, request: ReadonlyDeep<MakeReceiptRequest>): SignedReceipt;
  makeReceiptAsync(raw: MessageInput, signer: AsyncKey, verify: ReadonlyDeep<VerifyRequest>, request: ReadonlyDeep<MakeReceiptRequest>): Promise<SignedReceipt>;
  makeMdn(request: ReadonlyDeep<MdnRequest>): Mdn;
  importPkcs12(p12: Uint8Array, password: string, request?: ReadonlyDeep<ImportPkcs12Request>): ImportedKey;
  certificateInfo(input: string | Uint8Array): CertificateInfo[];
  mmhsVocabulary(): MmhsVocabulary;
  release(raw: MessageInput, request: ReadonlyDeep<ReleaseOptions>): ReleaseResult;
  releaseAsync(raw: MessageInput, request: ReadonlyDeep<Omit<ReleaseOptions, "officer">>, officer: AsyncKey): Promise<ReleaseResult>;
  releaseGate(raw: MessageInput, request?: ReadonlyDeep<ReleaseGateRequest>): GateDecision;
  mixerMap(heading: ReadonlyDeep<InternetHeading | IpmsHeading>, request: ReadonlyDeep<MixerRequest>): MixerResult;
  auditRecord(request: ReadonlyDeep<AuditRecordRequest> & { readonly message?: MessageInput }): AuditRecord;
  verifyAuditLog(records: readonly AuditRecord[] | string, options?: ReadonlyDeep<AuditVerifyOptions>): AuditVerification;
  labelCheck(request: ReadonlyDeep<CheckRequest>): LabelDecision;
  labelReceivable(request: ReadonlyDeep<ReceivableRequest>): ReceivableClass[];
  labelEquivalents(request: ReadonlyDeep<EquivalentsRequest>): Equivalent[];
  unlockKey(key: ReadonlyDeep<KeyUse>): Promise<AsyncKey>;
  certificateStatus(request: ReadonlyDeep<CertificateStatusRequest>): CertificateStatus;
  encryptionRecipients(request: ReadonlyDeep<EncryptRequest>): RecipientCertificates[];
}

/** A typed call of a core export (the one place the loaded module's types are asserted). */
export async function invoke<K extends keyof CoreApi>(name: K, ...args: Parameters<CoreApi[K]>): Promise<Awaited<ReturnType<CoreApi[K]>>> {
  return (await call(name, ...args)) as Awaited<ReturnType<CoreApi[K]>>;
}

/** The key the extension stores, opened with the password the user types (`KeyUse`). */
export type StoredKeyUse = ReadonlyDeep<KeyUse>;

/** What the pages verify with: a `VerifyRequest` (validation time and trust anchors required). */
export type VerifyContext = ReadonlyDeep<VerifyRequest> & { readonly trustAnchors: readonly string[]; readonly at: string };

/**
 * wasm `verifyAsync(raw, request)` (the read module, WebCrypto), or `verify(raw, request)`
 * (the full module) when the request carries the stored key, with `withContent`, in the
 * page's core worker (a large message never freezes the page): the report and the innermost
 * content.
 */
export async function verify(raw: Uint8Array, context: VerifyContext, progress?: Progress): Promise<VerifiedContent> {
  // Without the stored key the read module verifies through WebCrypto (`verifyAsync`); the
  // stored key is opened by the full module's `verify`.
  const fn = context.decryptionKey ? "verify" : "verifyAsync";
  const out = (await callInWorker(fn, [raw, { ...context, withContent: true }], progress)) as VerifyReport | VerifiedContent;
  if (!("content" in out) || !(out.content instanceof Uint8Array)) throw new CodedError(EXTENSION_CODES.coreFailed, "verify returned no content.");
  return out;
}

/**
 * wasm `verifyAsync(raw, request, key)` with `withContent`, in the page's core worker: `verify`
 * with the unlocked key (shared/key-lock.ts) opening an encrypted layer — its non-extractable
 * CryptoKeys answer the core's decryption requests, no password (src/wasm/webcrypto.rs).
 */
export async function verifyUnlocked(raw: Uint8Array, context: Omit<VerifyContext, "decryptionKey">, key: AsyncKey, progress?: Progress): Promise<VerifiedContent> {
  const out = (await callInWorker("verifyAsync", [raw, { ...context, withContent: true }, key], progress)) as VerifyReport | VerifiedContent;
  if (!("content" in out) || !(out.content instanceof Uint8Array)) throw new CodedError(EXTENSION_CODES.coreFailed, "verifyAsync returned no content.");
  return out;
}

/**
 * wasm `readContent(content, request)` in the core worker: what the reader shows of a verified
 * message's content — header fields, text, attachments, forwarded messages, a delivery or
 * disposition report (src/mime/content.rs). The extension reads no MIME itself.
 */
export async function readContent(content: Uint8Array | string, request: ReadonlyDeep<ReadContentRequest> = {}, progress?: Progress): Promise<ContentView> {
  const out = (await callInWorker("readContent", [content, request], progress)) as ContentView | null;
  if (typeof out !== "object" || out === null || !Array.isArray(out.attachments) || !Array.isArray(out.headers)) throw new CodedError(EXTENSION_CODES.coreFailed, "readContent returned an unexpected shape.");
  return out;
}

/** wasm `attachmentBytes(content, index, request)` in the core worker: the decoded octets of one attachment. */
export async function attachmentBytes(content: Uint8Array, index: number, request: ReadonlyDeep<ReadContentRequest> = {}, progress?: Progress): Promise<Uint8Array> {
  const out = await callInWorker("attachmentBytes", [content, index, request], progress);
  if (!(out instanceof Uint8Array)) throw new CodedError(EXTENSION_CODES.coreFailed, "attachmentBytes returned no bytes.");
  return out;
}

/** A header field of a message as the core reads it (the displayed fields of `readContent`). */
export async function displayedField(raw: Uint8Array, name: string): Promise<string | null> {
  const view = await readContent(raw);
  return view.headers.find((f) => f.name.toLowerCase() === name.toLowerCase())?.value ?? null;
}

/** Messages at least this large are signed and encrypted in the core worker. */
export const WORKER_MIN_BYTES = 1024 * 1024;

/**
 * wasm `makeReceipt(raw, key, verifyRequest, { messageId })` (docs/js-api.md): the core verifies
 * `raw` first and refuses (`receipt-refused-*`) unless the report is valid and a verified
 * originator signature asks this reader for a receipt.
 */
export async function makeReceipt(raw: Uint8Array, key: StoredKeyUse, context: VerifyContext, messageId: string): Promise<SignedReceipt> {
  // the signer's own key opens an encrypted original: no separate decryption key
  const { trustAnchors, at, reader } = context;
  const out = await invoke("makeReceipt", raw, key, { trustAnchors, at, ...(reader ? { reader } : {}) }, { messageId });
  if (out.to.length === 0) throw new CodedError(EXTENSION_CODES.coreFailed, "makeReceipt returned a receipt without recipients.");
  return out;
}

/**
 * wasm `makeReceiptAsync(raw, key, verifyRequest, { messageId })` in the core worker:
 * `makeReceipt` with the unlocked key (shared/key-lock.ts), which opens an encrypted original
 * and signs the receipt — the same checks and refusals, no password.
 */
export async function makeReceiptUnlocked(raw: Uint8Array, key: AsyncKey, context: VerifyContext, messageId: string): Promise<SignedReceipt> {
  const { trustAnchors, at, reader } = context;
  const out = (await callInWorker("makeReceiptAsync", [raw, key, { trustAnchors, at, ...(reader ? { reader } : {}) }, { messageId }])) as SignedReceipt;
  if (!(out.message instanceof Uint8Array) || !Array.isArray(out.to) || out.to.length === 0) throw new CodedError(EXTENSION_CODES.coreFailed, "makeReceiptAsync returned a receipt without bytes or recipients.");
  return out;
}

/**
 * wasm `verifyReceipt(receipt, original, request)` → the receipt's report, checked against the
 * original (RFC 2634 §2.7); with an unlocked key (`verifyReceiptAsync`) that key opens an
 * encrypted original instead of the request's `decryptionKey`.
 */
export async function verifyReceipt(receipt: Uint8Array, original: Uint8Array, context: VerifyContext, unlocked?: AsyncKey): Promise<VerifyReport> {
  if (unlocked) {
    if (context.decryptionKey) throw new CodedError(EXTENSION_CODES.badMessage, "verifyReceipt takes one decryption key: the unlocked key or the stored one.");
    return invoke("verifyReceiptAsync", receipt, original, context, unlocked);
  }
  // Without the stored key the read module checks it through WebCrypto.
  return context.decryptionKey ? invoke("verifyReceipt", receipt, original, context) : invoke("verifyReceiptAsync", receipt, original, context);
}

/** wasm `inspect(raw, request)` → the MMHS view of the header fields. */
export function inspect(raw: Uint8Array, request: ReadonlyDeep<InspectRequest>): Promise<MmhsView> {
  return invoke("inspect", raw, request);
}

/** wasm `compose(request)` → one finished message with its SMTP envelope per copy. */
export function compose(request: ReadonlyDeep<ComposeRequest & { signer?: KeyUse }>): Promise<ComposedMessage[]> {
  return invoke("compose", request);
}

/** wasm `sign(raw, key, request)` → the signed message (docs/js-api.md). */
export async function sign(raw: Uint8Array, key: StoredKeyUse, request: ReadonlyDeep<SignRequest>, progress?: Progress): Promise<Uint8Array> {
  if (raw.length >= WORKER_MIN_BYTES) return messageBytes(await callInWorker("sign", [raw, key, request], progress));
  return invoke("sign", raw, key, request);
}

/** wasm `signAsync(raw, asyncKey, request)`: signs with an unlocked key's WebCrypto CryptoKey. */
export function signAsync(raw: Uint8Array, key: AsyncKey, request: ReadonlyDeep<SignRequest>): Promise<Uint8Array> {
  return invoke("signAsync", raw, key, request);
}

/**
 * wasm `encryptAsync(raw, recipientCertificatesPem, request)` → the encrypted message: the
 * options and result of `encrypt`, the public-key and bulk cipher work done by WebCrypto
 * (src/wasm/webcrypto_encrypt.rs); an algorithm WebCrypto lacks is refused, never weakened.
 */
export async function encrypt(raw: Uint8Array, certificates: readonly string[], request: ReadonlyDeep<EncryptRequest>, progress?: Progress): Promise<Uint8Array> {
  if (raw.length >= WORKER_MIN_BYTES) return messageBytes(await callInWorker("encryptAsync", [raw, certificates, request], progress));
  return invoke("encryptAsync", raw, certificates, request);
}

/**
 * wasm `certificateStatus(request)`: the certificate's facts, whether it validates now for the
 * purpose against the trust anchors (`cert-expired`, `cert-untrusted` … otherwise) and the path
 * to the anchor (src/trust/certificate_status.rs).
 */
export function certificateStatus(request: ReadonlyDeep<CertificateStatusRequest>): Promise<CertificateStatus> {
  return invoke("certificateStatus", request);
}

/**
 * wasm `encryptionRecipients(request)`: per recipient of `rcpt`, the certificates `encrypt` with
 * the same request will use and those it refuses with why (src/domain/encryption_recipients.rs).
 */
export function encryptionRecipients(request: ReadonlyDeep<EncryptRequest>): Promise<RecipientCertificates[]> {
  return invoke("encryptionRecipients", request);
}

/** wasm `release(raw, request)`; the result is read fail-closed by `interpretRelease`. */
export function release(raw: Uint8Array, request: ReadonlyDeep<ReleaseOptions>): Promise<ReleaseResult> {
  return invoke("release", raw, request);
}

/** wasm `releaseAsync(raw, options, officer)`: the release signed with an unlocked key's WebCrypto `CryptoKey` (no password; `options.officer` absent). */
export function releaseAsync(raw: Uint8Array, request: ReadonlyDeep<Omit<ReleaseOptions, "officer">>, officer: AsyncKey): Promise<ReleaseResult> {
  return invoke("releaseAsync", raw, request, officer);
}

/** wasm `importPkcs12(p12, password)` → the key re-encrypted under the password, and its certificates. */
export function importPkcs12(p12: Uint8Array, password: string): Promise<ImportedKey> {
  return invoke("importPkcs12", p12, password);
}

/** A message to hand to the webmail: bytes and the envelope the core gave it. */
export interface OutgoingMessage {
  readonly raw: Uint8Array;
  readonly envelope: Envelope | null;
}

/** The `outcome` values of the core's `ReleaseResult` (docs/release.md). */
export const RELEASE_OUTCOMES = ["released", "alreadyReleased", "refused", "rejected", "bounced", "blocked", "reviewed"] as const;
/** A release outcome; `unknown` when the result has none or one not listed (never released). */
export type ReleaseOutcomeName = (typeof RELEASE_OUTCOMES)[number] | "unknown";

export type ReleaseDecision = "approve" | "reject" | "review";

/** The outcomes after which a decision hands messages to the webmail; anything else sends nothing. */
const SUBMITTING: Readonly<Record<ReleaseDecision, readonly ReleaseOutcomeName[]>> = {
  approve: ["released", "alreadyReleased", "bounced"],
  reject: ["rejected", "bounced"],
  review: [],
};

export interface ReleaseOutcome {
  readonly outcome: ReleaseOutcomeName;
  /** Only an explicit `released` / `alreadyReleased` outcome of an approval counts as released. */
  readonly released: boolean;
  /** What to submit: the released message, or the rejection notice. Empty when nothing goes out. */
  readonly messages: OutgoingMessage[];
  readonly findings: { code: string; message?: string; severity?: string }[];
  readonly problems: { code: string; message?: string }[];
  readonly report: unknown;
}

/**
 * The `release` result (src/release/procedure.rs `ReleaseResult`: `{ outcome, message, envelope,
 * next, findings, report, stripped, problems }`, `message` as bytes or base64), read fail-closed:
 * a missing or unlisted `outcome` is `unknown` (not released), and only the outcomes that answer
 * `decision` (`released` / `alreadyReleased` for approve, `rejected` for reject, `bounced` — the
 * RFC 7912 return notice — for either) produce
 * something to submit.
 */
export function interpretRelease(out: unknown, decision: ReleaseDecision): ReleaseOutcome {
  if (typeof out !== "object" || out === null) throw new CodedError(EXTENSION_CODES.coreFailed, "release returned no result object.");
  const o = out as Record<string, unknown>;
  const listed = RELEASE_OUTCOMES.find((x) => x === o["outcome"]);
  const outcome: ReleaseOutcomeName = listed ?? "unknown";
  const coded = (v: unknown) =>
    (Array.isArray(v) ? v : [])
      .filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null && typeof (x as { code?: unknown }).code === "string")
      .map((x) => ({ code: x["code"] as string, ...(typeof x["message"] === "string" ? { message: x["message"] } : {}), ...(typeof x["severity"] === "string" ? { severity: x["severity"] } : {}) }));
  const problems = coded(o["problems"]);
  if (outcome === "unknown") {
    problems.unshift({ code: EXTENSION_CODES.coreFailed, message: `release returned ${typeof o["outcome"] === "string" ? `the unknown outcome "${o["outcome"]}"` : "no outcome"}: not released.` });
  }
  let messages: OutgoingMessage[] = [];
  if (SUBMITTING[decision].includes(outcome)) {
    if (o["message"] !== undefined && o["message"] !== null) messages = [{ raw: messageBytes(o["message"]), envelope: (o["envelope"] ?? null) as Envelope | null }];
    if (messages.length === 0) throw new CodedError(EXTENSION_CODES.coreFailed, `release said "${outcome}" but returned no message.`);
  }
  const released = decision === "approve" && (outcome === "released" || outcome === "alreadyReleased");
  return { outcome, released, messages, findings: coded(o["findings"]), problems, report: o["report"] };
}

const OUTCOME_TEXT: Readonly<Record<ReleaseOutcomeName, string>> = {
  released: "Released: countersigned and submitted.",
  alreadyReleased: "Already released by you: submitted unchanged.",
  rejected: "Returned to the originator with your reason.",
  bounced: "Not released: it lists an authorisation that cannot be verified (RFC 7912); returned to the originator with that reason.",
  refused: "Not released: the originator's signature could not be authenticated",
  blocked: "Not released: the review found a blocking problem",
  reviewed: "Not released: only reviewed",
  unknown: "Not released: the release result names no known outcome",
};

/** What the officer is told about an outcome; only `released` / `alreadyReleased` say released. */
export function releaseOutcomeText(outcome: ReleaseOutcomeName): string {
  return OUTCOME_TEXT[outcome];
}

/** A message from the core: bytes (wasm), or base64 (the CLI's JSON form of raw bytes), or text. */
export function messageBytes(v: unknown): Uint8Array {
  if (typeof v === "string" && /^[A-Za-z0-9+/=\s]+$/.test(v) && !v.includes(":")) {
    const bin = atob(v.replace(/\s+/g, ""));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return new TextEncoder().encode(v);
  throw new CodedError(EXTENSION_CODES.coreFailed, "The core returned a message in an unexpected form.");
}

/**
 * wasm `certificateInfo(pemText)`: every certificate of a PEM text, in order, inspected by the
 * core (no validation). Throws the core's `certificate-malformed` / `certificate-missing`; a
 * list without a certificate's fingerprint or PEM is the core failing.
 */
export async function certificateInfo(pemText: string): Promise<CertificateInfo[]> {
  const out = await invoke("certificateInfo", pemText);
  const complete = (c: CertificateInfo | null): boolean => typeof c?.sha256Fingerprint === "string" && typeof c.pem === "string" && typeof c.subject === "string" && Array.isArray(c.emailAddresses);
  if (!Array.isArray(out) || !out.every(complete)) throw new CodedError(EXTENSION_CODES.coreFailed, "certificateInfo returned no complete list.");
  return out;
}

/** wasm `makeMdn(request)`: the core builds the MDN (clock and randomness from the browser). */
export async function makeMdn(request: ReadonlyDeep<MdnRequest>): Promise<Mdn> {
  const out = await invoke("makeMdn", request);
  if (!(out?.raw instanceof Uint8Array) || typeof out.envelope !== "object" || out.envelope === null || typeof out.messageId !== "string") {
    throw new CodedError(EXTENSION_CODES.coreFailed, "makeMdn returned a message without bytes, envelope or Message-ID.");
  }
  return out;
}

/** wasm `mmhsVocabulary()`: what the compose panel and the settings offer, from the core's tables. */
export async function mmhsVocabulary(): Promise<MmhsVocabulary> {
  const out = await invoke("mmhsVocabulary");
  type Entry = { readonly value: number; readonly name: string };
  const entries = (v: readonly Entry[] | undefined): boolean => {
    if (!Array.isArray(v)) return false;
    const list: readonly Entry[] = v;
    return list.length > 0 && list.every((x) => Number.isInteger(x?.value) && typeof x.name === "string");
  };
  if (!entries(out?.precedences) || !entries(out?.messageTypes)) throw new CodedError(EXTENSION_CODES.coreFailed, "mmhsVocabulary returned no precedences or message types.");
  return out;
}
