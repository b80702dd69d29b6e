/**
 * The verification report (docs/report.md) as the reader sees it, and a pure
 * `viewReport` turning it into what the reader renders. Parsing is defensive: the report comes
 * from the wasm core and every field is checked; an unexpected shape becomes a visible problem,
 * never an exception and never a silently "valid" message.
 */
import { classificationByValue, isHighClassification, precedenceView, sioColour, type Precedence } from "./mmhs.js";
import { blindCopy, elementRows, readerPrecedence, type ElementView, type ReaderPrecedenceView } from "./elements-view.js";
import { describeProblem, type ProblemLike, type ProblemView } from "./problems.js";

/**
 * The members of the core's report (docs/report.md, `src/report/mod.rs`) that this view reads.
 * Every member is optional here: an absent member is "unknown / unverified", never "verified".
 */
export interface CoreProblem {
  readonly code: string;
  readonly message?: string;
}

export interface CoreFieldCoverage {
  /** A header field name (e.g. `MMHS-Primary-Precedence`, `SIO-Label`). */
  readonly field: string;
  /** A valid signature covers this field (header protection). */
  readonly covered: boolean;
}

export interface CoreReport {
  readonly valid?: boolean;
  readonly layers?: readonly string[];
  readonly signatures?: readonly unknown[];
  readonly securityLabel?: unknown;
  readonly headerProtection?: { readonly scheme?: string; readonly forwarded?: string; readonly mismatches?: readonly unknown[] };
  readonly mmhs?: unknown;
  readonly authorizingUsers?: readonly { readonly address?: string; readonly status?: string; readonly form?: string }[];
  /** Every address of every From field of the header the message is read from. */
  readonly from?: readonly string[];
  /** Every address of every Sender field of that header. */
  readonly sender?: readonly string[];
  readonly fieldCoverage?: readonly CoreFieldCoverage[];
  /** A valid, trusted, correctly named domain signature covers the message (msa-to-mda §3.3). */
  readonly domainVerified?: boolean;
  /** The domains whose S/MIME gateway decrypted the message before delivery. */
  readonly gatewayDecrypted?: readonly string[];
  /** Results of trusted `Authentication-Results` fields (RFC 8601); never part of `valid`. */
  readonly authenticationResults?: readonly unknown[];
  /** For whom each encrypted layer was encrypted (docs/report.md `encryption`). */
  readonly encryption?: readonly unknown[];
  /** Ordered by the core, cause first (signature, certificate, trust before derived findings). */
  readonly problems?: readonly CoreProblem[];
  /** Informational findings that do not change `valid`. */
  readonly notes?: readonly CoreProblem[];
  /** The originator signature's signed-receipt request (RFC 2634 §2.2). */
  readonly receiptRequest?: unknown;
  /** The message is a signed receipt (RFC 2634 §2.4). */
  readonly receipt?: unknown;
}

/**
 * A signed-receipt request (report `receiptRequest`, RFC 2634 §2.2; MMHS profile §4.1.7).
 * Only addresses (bare rfc822Names) are where receipts go; other GeneralNames are listed as
 * the core prints them.
 */
export interface SignedReceiptRequestView {
  /** hex signedContentIdentifier */
  readonly identifier: string;
  readonly receiptsFrom: "all" | "firstTier" | "list" | "unknown";
  /** receiptList entities (bare addresses and prefixed other names). */
  readonly list: readonly string[];
  /** Addresses receipts are returned to (bare rfc822Names of receiptsTo). */
  readonly receiptsTo: readonly string[];
  readonly signer: string | null;
  /** The request is binding only in a valid report: a receipt is never made otherwise. */
  readonly verified: boolean;
  readonly text: string;
}

/** A received signed receipt (report `receipt`, RFC 2634 §2.4, §2.7). */
export interface SignedReceiptView {
  readonly identifier: string | null;
  readonly signer: string | null;
  readonly from: readonly string[];
  readonly signingTime: string | null;
  /** Checked against the original sent message (verifyReceipt). */
  readonly originalChecked: boolean;
  /** Valid report, checked against the original, and `verified` by the core. */
  readonly verified: boolean;
  readonly tone: Tone;
  readonly text: string;
}

/** SIO-Label (header marking) vs the signed ESS label (`sio-label-mismatch`, profile §4.2.5). */
export interface LabelDisagreementView {
  /** What the header field shows (its marking, else its classification). */
  readonly header: string;
  /** What the signature carries. */
  readonly signed: string;
  readonly message: string;
}

/**
 * How an element is styled. `ok` (success) is only ever given when the whole report is valid:
 * beside an invalid verdict an element is at best `neutral` (unverified).
 */
export type Tone = "ok" | "warn" | "bad" | "neutral";

/** `ok` only when the report is valid; otherwise the element is shown as unverified. */
const gate = (reportValid: boolean, tone: Tone): Tone => (tone === "ok" && !reportValid ? "neutral" : tone);

const UNVERIFIED = "unverified — the message is not valid";

export interface SecurityLabel {
  readonly policy: string | null;
  readonly classification: number | null;
  readonly privacyMark: string | null;
  readonly categories: readonly string[];
}

/**
 * Why a verification asks for the key's password, if it does: an encrypted layer and no key
 * (`no-decryption-key`), or a layer the unlocked key cannot open though the stored key can
 * (`key-provider-unsupported`: the browser's WebCrypto lacks its key transport, such as
 * RSAES-PKCS1-v1_5, docs/report.md). Anything else is not helped by the password.
 */
export function passwordNeeded(report: Pick<CoreReport, "problems">): "no-key" | "key-provider" | null {
  const problems = report.problems ?? [];
  if (problems.some((p) => p.code === "no-decryption-key")) return "no-key";
  if (problems.some((p) => p.code === "key-provider-unsupported")) return "key-provider";
  return null;
}

/**
 * SecurityCategory values arrive as base64 DER (docs/report.md). When the value is a short
 * PrintableString (0x13), UTF8String (0x0C) or IA5String (0x16), show the text.
 */
export function derStringFromB64(b64: string): string | null {
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  if (bin.length < 2) return null;
  const tag = bin.charCodeAt(0);
  const len = bin.charCodeAt(1);
  if (![0x13, 0x0c, 0x16].includes(tag) || len >= 0x80 || len + 2 !== bin.length) return null;
  const bytes = Uint8Array.from(bin.slice(2), (ch) => ch.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** DER PrintableString (or UTF8String when not printable) of `text`, base64 — for compose. */
export function derStringB64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text);
  if (bytes.length >= 0x80) throw new Error("category value too long");
  const out = new Uint8Array(bytes.length + 2);
  out[0] = printable ? 0x13 : 0x0c;
  out[1] = bytes.length;
  out.set(bytes, 2);
  let s = "";
  for (const b of out) s += String.fromCharCode(b);
  return btoa(s);
}

export interface CountersignatureView {
  readonly signer: string;
  readonly valid: boolean;
  readonly trusted: boolean;
  readonly tone: Tone;
  readonly statusText: string;
}

export interface SignatureView {
  readonly signer: string;
  readonly valid: boolean;
  readonly trusted: boolean;
  readonly signatureType: string | null;
  readonly securityLabel: SecurityLabel | null;
  readonly countersignatures: readonly CountersignatureView[];
  readonly status: "valid" | "untrusted" | "invalid";
  readonly tone: Tone;
  readonly statusText: string;
  /** false when the certificate's address does not match From/Sender; null when not compared. */
  readonly addressMatch: boolean | null;
  /** The certificate its SignerIdentifier named (PEM), for the detail view; null when none. */
  readonly certificate: string | null;
  /** The path that validated above it (PEM, up to the anchor); empty when not trusted. */
  readonly chain: readonly string[];
  /**
   * The naming-rule verdict of an agent's signature (draft-melnikov-smime-msa-to-mda-04 §2.6):
   * false = the agent does not serve the originator's domain (flagged); null = not judged.
   */
  readonly namingOk: boolean | null;
  /** The domain the signer certificate names an agent of; null when it names none. */
  readonly agentDomain: string | null;
  /** An originator signature (no type, `originator` or `delegatedOriginator`). */
  readonly originatorType: boolean;
  readonly subject: string | null;
  readonly signingTime: string | null;
  readonly algorithm: string | null;
  readonly problems: readonly ProblemView[];
}

export interface MismatchView {
  readonly field: string;
  /** null when the field is absent outside */
  readonly outer: string | null;
  /** null when the field is absent inside */
  readonly inner: string | null;
}

export type AuthorizingStatus = "countersigned" | "notCountersigned" | "invalid" | "untrusted" | "notListed";

export interface AuthorizingUserView {
  readonly address: string;
  /** AuthorizingStatus, or an unknown status string shown as is. */
  readonly status: string;
  readonly tone: Tone;
  readonly text: string;
}

export interface LabelBanner {
  readonly text: string;
  readonly classification: string;
  readonly privacyMark: string | null;
  readonly categories: readonly string[];
  readonly policy: string | null;
  readonly fg: string;
  readonly bg: string;
  /** SECRET or above (`isHighClassification`): the high-classification style and mark. */
  readonly high: boolean;
  readonly source: "ess" | "sio";
  /**
   * The label is vouched for by a valid report: the ESS label is signed by definition; a label
   * from the SIO-Label header only when a valid signature covers that field.
   */
  readonly verified: boolean;
  /** Where the label comes from and whether it is verified, in words. */
  readonly basis: string;
}

export interface HeaderProtectionView {
  /** "wrapped" | "injected" | "none" (other values shown as is) */
  readonly scheme: string;
  /** "yes" | "no" | "absent" */
  readonly forwarded: string;
  /** How the body must be presented: wrapped forwarded=no is the real message; forwarded=yes a forwarded one. */
  readonly presentation: "real-message" | "forwarded-message" | "plain";
  readonly mismatches: readonly MismatchView[];
  /** Only in a valid report: protected, no mismatch, every signature verifies. */
  readonly intact: boolean;
  readonly tone: Tone;
  readonly text: string;
  /** The core's per-field coverage, in its order; null when the report has none (all unverified). */
  readonly fieldCoverage: readonly FieldCoverageView[] | null;
}

export interface FieldCoverageView {
  readonly field: string;
  readonly covered: boolean;
  readonly tone: Tone;
  readonly text: string;
}

export interface ReportView {
  readonly overall: "valid" | "invalid";
  /** The headline: in an invalid report, the report's first problem (the cause). */
  readonly summary: string;
  /** Code of the problem the headline shows; null when valid or when the report gives none. */
  readonly summaryCode: string | null;
  readonly layers: readonly string[];
  readonly encrypted: boolean;
  readonly primaryPrecedence: Precedence | null;
  readonly copyPrecedence: Precedence | null;
  /** Each precedence is verified only when a valid signature covers its header field. */
  readonly primaryPrecedenceVerified: boolean;
  readonly copyPrecedenceVerified: boolean;
  readonly urgent: boolean;
  readonly label: LabelBanner | null;
  readonly clearService: boolean;
  readonly headerProtection: HeaderProtectionView;
  readonly signatures: readonly SignatureView[];
  readonly authorizingUsers: readonly AuthorizingUserView[];
  readonly expiry: { readonly at: string; readonly expired: boolean; readonly verified: boolean } | null;
  readonly obsoletes: readonly string[];
  readonly obsoletesVerified: boolean;
  /** Disposition-Notification-To (RFC 8098 §2.1) and its options (§2.2), when requested. */
  readonly receiptRequest: { readonly to: string; readonly options: string | null; readonly verified: boolean } | null;
  readonly messageType: string | null;
  readonly messageTypeVerified: boolean;
  /** Every From address of the header read (null: not reported, unknown). */
  readonly from: readonly string[] | null;
  /** Every Sender address of the header read (null: not reported, unknown). */
  readonly sender: readonly string[] | null;
  /**
   * The From is verified as the sender's own: a valid report with a valid originator signature
   * bound to the originator address. Never true for a message verified only by its domain.
   */
  readonly fromVerified: boolean;
  /**
   * The domain that verified the message when no originator signature did (msa-to-mda §3.3:
   * "the only assumption that can be made is the domain the message originated from"); null
   * otherwise.
   */
  readonly verifiedDomain: string | null;
  /** Domains whose S/MIME gateway decrypted the message before delivery (not end to end). */
  readonly gatewayDecrypted: readonly string[];
  /** Who each encrypted layer was for, in words (e.g. "the DCA of navy.example"). */
  readonly encryptedFor: readonly string[];
  /** Mailing-list expansions recorded by the signatures (RFC 2634 §4.4), in words, oldest first. */
  readonly mailListExpansions: readonly string[];
  /** In the report's order: the first is the cause. */
  readonly problems: readonly ProblemView[];
  readonly notes: readonly ProblemView[];
  /** The other elements of service present (profile §3.2), each verified or not. */
  readonly elements: readonly ElementView[];
  /** The precedence that applies to this reader (core `mmhs.readerPrecedence`); null when not computed. */
  readonly readerPrecedence: ReaderPrecedenceView | null;
  /** This copy carries a Bcc field: the reader is a blind copy recipient (§3.4.5). */
  readonly blindCopy: boolean;
  /** A signed-receipt request; null when none. */
  readonly signedReceiptRequest: SignedReceiptRequestView | null;
  /** The message is a signed receipt; null otherwise. */
  readonly signedReceipt: SignedReceiptView | null;
  /** The header marking disagrees with the signed label; null otherwise. */
  readonly labelDisagreement: LabelDisagreementView | null;
  /**
   * What the trusted receiving agent recorded (core `authenticationResults`, RFC 8601): shown
   * beside the verdict, never part of it.
   */
  readonly authenticationResults: readonly AuthResultView[];
}

/** One authentication result, e.g. `DKIM: pass (army.example)`. */
export interface AuthResultView {
  readonly method: string;
  readonly result: string;
  /** The signing domain (`header.d`), null when not given. */
  readonly domain: string | null;
  readonly authservId: string;
  /** `DKIM: pass (army.example)`. */
  readonly text: string;
}

/** The core's `authenticationResults`, each entry checked; malformed entries are dropped. Pure. */
export function authResults(v: unknown): AuthResultView[] {
  return arr(v).slice(0, 64).flatMap((x): AuthResultView[] => {
    if (typeof x !== "object" || x === null) return [];
    const o = x as Obj;
    const method = o["method"], result = o["result"], authservId = o["authservId"];
    if (typeof method !== "string" || typeof result !== "string" || typeof authservId !== "string") return [];
    const props = typeof o["properties"] === "object" && o["properties"] !== null ? (o["properties"] as Obj) : {};
    const d = props["header.d"];
    const domain = typeof d === "string" && d.length > 0 ? d : null;
    return [{ method, result, domain, authservId, text: `${method.toUpperCase()}: ${result}${domain ? ` (${domain})` : ""}` }];
  });
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const bool = (v: unknown): boolean => v === true;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === "string");

/** Look up a field by several candidate names (the core's docs fix one; we accept the obvious aliases). */
function pick(o: Obj | null, ...names: string[]): unknown {
  if (!o) return undefined;
  for (const n of names) if (n in o) return o[n];
  return undefined;
}

export function parseLabel(v: unknown): SecurityLabel | null {
  if (!isObj(v)) return null;
  const cls = pick(v, "classification");
  let classification: number | null = null;
  if (typeof cls === "number") classification = cls;
  else if (isObj(cls) && typeof cls["value"] === "number") classification = cls["value"];
  const cats = arr(pick(v, "categories")).map((c) => {
    if (typeof c === "string") return c;
    if (isObj(c)) {
      const name = str(c["name"]);
      if (name) return name;
      const value = str(c["value"]);
      const text = value ? derStringFromB64(value) : null;
      return text ?? `${str(c["type"]) ?? "?"}=${value ?? "?"}`;
    }
    return String(c);
  });
  return {
    policy: str(pick(v, "policy", "policyId")),
    classification,
    privacyMark: str(pick(v, "privacyMark")),
    categories: cats,
  };
}

function labelBanner(label: SecurityLabel, source: "ess" | "sio", sio: Obj | null, verified: boolean): LabelBanner {
  const cls = label.classification === null ? null : classificationByValue(label.classification);
  const marking = sio ? str(sio["marking"]) : null;
  const classification = cls?.name ?? "NO CLASSIFICATION";
  const parts = [classification];
  if (label.privacyMark) parts.push(label.privacyMark);
  if (label.categories.length > 0) parts.push(label.categories.join(" / "));
  const basis =
    source === "ess"
      ? verified
        ? "signed ESS label"
        : `ESS label of a signature — ${UNVERIFIED}`
      : verified
        ? "SIO-Label header, covered by a valid signature"
        : "SIO-Label header — unverified (not covered by a valid signature)";
  return {
    text: marking ?? parts.join(" — "),
    classification,
    privacyMark: label.privacyMark,
    categories: label.categories,
    policy: label.policy,
    fg: sioColour(sio ? str(sio["fgcolor"]) : null) ?? cls?.fg ?? "#000000",
    bg: sioColour(sio ? str(sio["bgcolor"]) : null) ?? cls?.bg ?? "#e0e0e0",
    high: isHighClassification(label.classification),
    source,
    verified,
    basis,
  };
}

/** Status of one signature or countersignature; success wording only in a valid report. */
function signerStatus(valid: boolean, trusted: boolean, reportValid: boolean): { tone: Tone; statusText: string } {
  if (!valid) return { tone: "bad", statusText: "INVALID" };
  if (!trusted) return { tone: "warn", statusText: "valid signature, certificate NOT trusted" };
  return reportValid ? { tone: "ok", statusText: "valid, trusted" } : { tone: "neutral", statusText: UNVERIFIED };
}

function parseCountersignature(c: Obj, reportValid: boolean): CountersignatureView {
  const valid = bool(c["valid"]);
  const trusted = bool(c["trusted"]);
  return { signer: str(c["signer"]) ?? "(unknown signer)", valid, trusted, ...signerStatus(valid, trusted, reportValid) };
}

/** docs/report.md: "An *originator signature* has `originator` or `delegatedOriginator` among them" (absent = originator). */
function isOriginatorType(t: string | null): boolean {
  if (t === null || t === "") return true;
  return t.split(",").some((x) => x === "originator" || x === "delegatedOriginator");
}

/** Who a recipient of an encrypted layer is, in words; null when unknown. */
function recipientText(x: unknown): string | null {
  if (!isObj(x)) return null;
  const kind = str(x["kind"]);
  const domain = str(x["domain"]);
  const cert = str(x["certificate"]);
  if (kind === "dca" && domain) return `the domain confidentiality authority of ${domain}`;
  if (kind === "gateway" && domain) return `the S/MIME gateway of ${domain}`;
  return cert;
}

function parseSignature(v: unknown, reportValid: boolean): SignatureView | null {
  if (!isObj(v)) return null;
  const valid = bool(v["valid"]);
  const trusted = bool(v["trusted"]);
  return {
    signer: str(v["signer"]) ?? "(unknown signer)",
    valid,
    trusted,
    signatureType: str(v["signatureType"]),
    securityLabel: parseLabel(v["securityLabel"]),
    countersignatures: arr(v["countersignatures"])
      .filter(isObj)
      .map((c) => parseCountersignature(c, reportValid)),
    status: valid ? (trusted ? "valid" : "untrusted") : "invalid",
    ...signerStatus(valid, trusted, reportValid),
    addressMatch: typeof v["addressMatch"] === "boolean" ? v["addressMatch"] : null,
    certificate: str(v["certificate"]),
    chain: arr(v["chain"]).filter((c): c is string => typeof c === "string"),
    namingOk: typeof v["namingOk"] === "boolean" ? v["namingOk"] : null,
    agentDomain: str(v["agentDomain"]),
    originatorType: isOriginatorType(str(v["signatureType"])),
    subject: str(v["subject"]),
    signingTime: str(v["signingTime"]),
    algorithm: [str(v["signatureAlgorithm"]), str(v["digestAlgorithm"])].filter((x) => x !== null).join(" / ") || null,
    problems: parseProblems(v["problems"]),
  };
}

/** RFC 7912 authorizing-user status (docs/release.md) → words; only `countersigned` can be success. */
const AUTH_TEXT: Readonly<Record<string, string>> = {
  countersigned: "released — countersignature valid",
  notCountersigned: "listed WITHOUT a countersignature",
  invalid: "countersignature INVALID",
  untrusted: "countersignature not trusted",
  notListed: "countersigned but not listed as authorizing user",
};

function authorizingUser(a: Obj, reportValid: boolean): AuthorizingUserView {
  const status = str(a["status"]) ?? "unknown";
  const address = str(a["address"]) ?? "(unknown)";
  if (status !== "countersigned") return { address, status, tone: "bad", text: AUTH_TEXT[status] ?? `not released (status "${status}")` };
  return reportValid ? { address, status, tone: "ok", text: AUTH_TEXT[status] ?? status } : { address, status, tone: "neutral", text: `countersignature present — ${UNVERIFIED}; not released` };
}

function parseProblems(v: unknown): ProblemView[] {
  return arr(v)
    .filter(isObj)
    .map((p): ProblemLike => ({ code: str(p["code"]) ?? "unknown-problem", message: str(p["message"]) ?? undefined }))
    .map(describeProblem);
}

/** The core's `fieldCoverage`, or null when the report has none (every header field unverified). */
function parseCoverage(v: unknown, reportValid: boolean): FieldCoverageView[] | null {
  if (!Array.isArray(v)) return null;
  return v.filter(isObj).map((c) => {
    const covered = c["covered"] === true;
    const tone = gate(reportValid, covered ? "ok" : "neutral");
    const text = !covered ? "NOT covered by a valid signature — unverified" : tone === "ok" ? "covered by a valid signature" : `covered — ${UNVERIFIED}`;
    return { field: str(c["field"]) ?? "?", covered, tone, text };
  });
}

/**
 * A header field is verified when the report is valid and the core says a valid signature covers
 * it; a field the core does not list, or a report without `fieldCoverage`, is unverified.
 */
function fieldVerified(coverage: readonly FieldCoverageView[] | null, reportValid: boolean, field: string): boolean {
  if (!reportValid || coverage === null) return false;
  const entries = coverage.filter((c) => c.field.toLowerCase() === field.toLowerCase());
  return entries.length > 0 && entries.every((c) => c.covered);
}

/** An address list of the report (`from`, `sender`); null when absent (unknown). */
function addresses(v: unknown): string[] | null {
  return Array.isArray(v) ? strs(v) : null;
}

function headerProtectionView(hp: Obj, signatures: readonly SignatureView[], reportValid: boolean, coverage: FieldCoverageView[] | null): HeaderProtectionView {
  const scheme = str(hp["scheme"]) ?? "none";
  const forwarded = str(hp["forwarded"]) ?? "absent";
  const mismatches = arr(hp["mismatches"])
    .filter(isObj)
    .map((m) => ({ field: str(m["field"]) ?? "?", outer: str(m["outer"]), inner: str(m["inner"]) }));
  const presentation: HeaderProtectionView["presentation"] =
    forwarded === "yes" ? "forwarded-message" : scheme === "wrapped" || scheme === "injected" ? "real-message" : "plain";
  const name = scheme === "wrapped" ? `Headers protected (wrapped message, forwarded=${forwarded})` : scheme === "injected" ? "Headers protected (RFC 9788 injected headers)" : "Headers NOT protected";
  const signaturesValid = signatures.length > 0 && signatures.every((s) => s.valid);
  const intact = reportValid && scheme !== "none" && mismatches.length === 0 && signaturesValid;
  let tone: Tone;
  let text: string;
  if (scheme === "none") [tone, text] = ["warn", name];
  else if (mismatches.length > 0) [tone, text] = ["bad", `${name} — ${mismatches.length} MISMATCH(ES)`];
  else if (!signaturesValid) [tone, text] = ["bad", `${name} — but the signature over them does not verify: not protected`];
  else if (intact) [tone, text] = ["ok", `${name} — intact`];
  else [tone, text] = ["neutral", `${name} — ${UNVERIFIED}`];
  return { scheme, forwarded, presentation, mismatches, intact, tone, text, fieldCoverage: coverage };
}

/** The headline: verified, or the report's first problem — the cause, in the core's order. */
function headline(valid: boolean, problems: readonly ProblemView[], signatures: readonly SignatureView[], verifiedDomain: string | null): { summary: string; summaryCode: string | null } {
  if (valid && verifiedDomain !== null)
    return { summary: `Verified by domain ${verifiedDomain}: the message was released by that domain. The sender's own address is NOT verified (no originator signature).`, summaryCode: null };
  if (valid) return { summary: "Verified: every signature is valid and trusted, nothing is flagged.", summaryCode: null };
  const first = problems[0];
  if (first) return { summary: `NOT VERIFIED: ${first.text}`, summaryCode: first.code };
  return { summary: signatures.length === 0 ? "NOT VERIFIED: the message carries no signature." : "NOT VERIFIED: the report does not say the message is valid.", summaryCode: null };
}

/** The core's MMHS view carries each precedence as a `PrecedenceView` (src/fields/inspect.rs). */
function mmhsPrecedence(mmhs: Obj | null, which: "primary" | "copy"): Precedence | null {
  return precedenceView(pick(mmhs, which === "primary" ? "primaryPrecedence" : "copyPrecedence"));
}

function messageTypeText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string" || typeof v === "number") return String(v);
  if (isObj(v)) {
    const name = str(v["name"]) ?? (typeof v["value"] === "number" ? String(v["value"]) : null);
    const id = str(v["identifier"]);
    if (name) return id ? `${name} (${id})` : name;
  }
  return null;
}

/** First address of a Disposition-Notification-To value (string, `[string]` or `[{ address }]`). */
function receiptTarget(v: unknown, options: string | null): { to: string; options: string | null } | null {
  let to: string | null = null;
  if (typeof v === "string") to = v.trim() || null;
  else if (isObj(v)) to = str(v["address"]) ?? str(v["to"]);
  else if (Array.isArray(v)) {
    const first: unknown = v[0];
    if (typeof first === "string") to = first;
    else if (isObj(first)) to = str(first["address"]);
  }
  return to ? { to, options } : null;
}

/** A GeneralNames list of the report (`[["bob@…"], ["dns:…"]]`) → its entries. */
function generalNames(v: unknown): string[] {
  return arr(v).flatMap((g) => (Array.isArray(g) ? strs(g) : typeof g === "string" ? [g] : []));
}

/** A bare address (no `kind:` prefix, docs/report.md "Signed receipts"). */
const bareAddress = (n: string): boolean => !n.includes(":") && /^[^\s@]+@[^\s@]+$/.test(n);

function signedReceiptRequest(v: unknown, valid: boolean): SignedReceiptRequestView | null {
  if (!isObj(v)) return null;
  const from = isObj(v["receiptsFrom"]) ? v["receiptsFrom"] : {};
  const kind = from["kind"] === "all" || from["kind"] === "firstTier" || from["kind"] === "list" ? from["kind"] : "unknown";
  const list = generalNames(from["recipients"]);
  const receiptsTo = generalNames(v["receiptsTo"]).filter(bareAddress);
  const who = kind === "all" ? "every recipient" : kind === "firstTier" ? "the first-tier recipients (not through a mailing list)" : kind === "list" ? list.join(", ") : "(unknown)";
  return {
    identifier: str(v["identifier"]) ?? "",
    receiptsFrom: kind,
    list,
    receiptsTo,
    signer: str(v["signer"]),
    verified: valid,
    text: `Signed receipt requested from ${who}, to be returned to ${receiptsTo.length > 0 ? receiptsTo.join(", ") : "(no address)"}.`,
  };
}

function signedReceipt(v: unknown, valid: boolean): SignedReceiptView | null {
  if (!isObj(v)) return null;
  const originalChecked = v["originalChecked"] === true;
  const verified = valid && originalChecked && v["verified"] === true;
  const from = strs(v["from"]);
  const who = from.length > 0 ? from.join(", ") : str(v["signer"]) ?? "(unknown)";
  const text = verified
    ? `Signed receipt from ${who}: verified against your sent message`
    : originalChecked
      ? `Signed receipt from ${who}: NOT verified`
      : `Signed receipt from ${who}: not checked against your sent message — unverified`;
  return { identifier: str(v["identifier"]), signer: str(v["signer"]), from, signingTime: str(v["signingTime"]), originalChecked, verified, tone: verified ? "ok" : originalChecked ? "bad" : "neutral", text };
}

function labelText(l: SecurityLabel | null): string {
  if (!l) return "(none)";
  const cls = l.classification === null ? "NO CLASSIFICATION" : classificationByValue(l.classification).name;
  return [cls, l.privacyMark, l.categories.length > 0 ? l.categories.join(" / ") : null, l.policy ? `policy ${l.policy}` : null].filter((x) => x).join(" — ");
}

function labelDisagreement(problems: readonly ProblemView[], essLabel: SecurityLabel | null, sio: Obj | null): LabelDisagreementView | null {
  const p = problems.find((x) => x.code === "sio-label-mismatch");
  if (!p) return null;
  const sioLabel = sio ? parseLabel(sio["ess"]) : null;
  const marking = sio ? str(sio["marking"]) : null;
  return { header: [marking, sioLabel ? labelText(sioLabel) : null].filter((x) => x).join(" — ") || "(unreadable)", signed: labelText(essLabel), message: p.detail ?? p.text };
}

export function viewReport(input: unknown): ReportView {
  const r: Obj = isObj(input) ? input : {};
  const extraProblems: ProblemView[] = [];
  if (!isObj(input)) extraProblems.push(describeProblem({ code: "core-failed", message: "The verification report is not an object." }));

  // Problems in exactly the report's order (cause first); nothing is reordered or promoted.
  const problems = [...extraProblems, ...parseProblems(r["problems"])];
  // Fail closed: `valid` must be the boolean true, with no problem listed beside it.
  const valid = r["valid"] === true && problems.length === 0;

  const layers = strs(r["layers"]);
  const encrypted = layers.some((l) => /envelop/i.test(l));
  const mmhs = isObj(r["mmhs"]) ? r["mmhs"] : null;
  const signatures = arr(r["signatures"]).map((s) => parseSignature(s, valid)).filter((s): s is SignatureView => s !== null);
  const coverage = parseCoverage(r["fieldCoverage"], valid);
  const verified = (field: string) => fieldVerified(coverage, valid, field);

  // RFC 2634 §3.1.1: the ESS label is a signed attribute, covered by its signature by definition.
  const essLabel = parseLabel(r["securityLabel"]);
  const sio = isObj(pick(mmhs, "sioLabel", "sio_label")) ? (pick(mmhs, "sioLabel", "sio_label") as Obj) : null;
  let label: LabelBanner | null = null;
  if (essLabel) label = labelBanner(essLabel, "ess", sio, valid);
  else if (sio) {
    // inspect: `sioLabel.ess` is the decoded ESS label of a `type=":ess"` SIO-Label
    const sioParsed = parseLabel(sio["ess"]) ?? parseLabel(sio["label"]) ?? parseLabel(sio);
    label = labelBanner(sioParsed ?? { policy: null, classification: null, privacyMark: null, categories: [] }, "sio", sio, verified("SIO-Label"));
  }

  const headerProtection = headerProtectionView(isObj(r["headerProtection"]) ? r["headerProtection"] : {}, signatures, valid, coverage);

  const authorizingUsers = arr(r["authorizingUsers"])
    .filter(isObj)
    .map((a) => authorizingUser(a, valid));

  const expiresRaw = pick(mmhs, "expires", "expiry", "expiryTime");
  let expiry: ReportView["expiry"] = null;
  if (typeof expiresRaw === "string") expiry = { at: expiresRaw, expired: bool(pick(mmhs, "expired")), verified: verified("Expires") };
  else if (isObj(expiresRaw)) {
    const at = str(expiresRaw["at"]) ?? str(expiresRaw["date"]) ?? str(expiresRaw["value"]);
    if (at) expiry = { at, expired: bool(expiresRaw["expired"]), verified: verified("Expires") };
  }

  // `inspect` (src/fields/inspect.rs): `supersedes` = MMHS-Obsoletes message ids.
  const obsoletesRaw = pick(mmhs, "supersedes", "obsoletes", "obsoleted");
  const obsoletes = typeof obsoletesRaw === "string" ? [obsoletesRaw] : strs(obsoletesRaw);

  // `inspect`: `notifications.dispositionNotificationTo` is an address list
  // (`[{ address, name }]`); older shapes are accepted too.
  const notifications = pick(mmhs, "notifications");
  const notif = isObj(notifications) ? notifications["dispositionNotificationTo"] : pick(mmhs, "dispositionNotificationTo", "receiptRequest");
  const receipt = receiptTarget(notif, isObj(notifications) ? str(notifications["dispositionNotificationOptions"]) : null);
  const receiptRequest: ReportView["receiptRequest"] = receipt ? { ...receipt, verified: verified("Disposition-Notification-To") } : null;

  const primaryPrecedence = mmhsPrecedence(mmhs, "primary");
  const copyPrecedence = mmhsPrecedence(mmhs, "copy");

  // The From is the sender's own only through a valid originator signature bound to it: an
  // address match, or a delegated-originator signature by a correctly named agent (§3.7).
  const fromVerified =
    valid &&
    signatures.some((s) => s.valid && s.trusted && s.originatorType && (s.addressMatch === true || (s.signatureType?.split(",").includes("delegatedOriginator") === true && s.namingOk === true)));
  // Domain-verified only: a valid report, `domainVerified`, and a correctly named domain signature.
  const domainSig = signatures.find((s) => s.valid && s.trusted && s.namingOk === true && s.agentDomain !== null && !s.originatorType);
  const verifiedDomain = valid && !fromVerified && r["domainVerified"] === true && domainSig ? domainSig.agentDomain : null;
  const mailListExpansions = arr(r["signatures"])
    .filter(isObj)
    .flatMap((s) => arr(s["mlExpansionHistory"]))
    .filter(isObj)
    .map((m) => `${str(m["mailListIdentifier"]) ?? "(unknown list agent)"} at ${str(m["expansionTime"]) ?? "?"}`);
  const encryptedFor = arr(r["encryption"])
    .filter(isObj)
    .flatMap((l) => arr(l["recipients"]).map(recipientText))
    .filter((x): x is string => x !== null);

  return {
    overall: valid ? "valid" : "invalid",
    ...headline(valid, problems, signatures, verifiedDomain),
    layers,
    encrypted,
    primaryPrecedence,
    copyPrecedence,
    primaryPrecedenceVerified: verified("MMHS-Primary-Precedence"),
    copyPrecedenceVerified: verified("MMHS-Copy-Precedence"),
    urgent: (primaryPrecedence?.urgent ?? false) || (copyPrecedence?.urgent ?? false),
    label,
    clearService: (label?.privacyMark ?? "").trim().toUpperCase() === "CLEAR",
    headerProtection,
    signatures,
    authorizingUsers,
    expiry,
    obsoletes,
    obsoletesVerified: verified("Supersedes"),
    receiptRequest,
    messageType: messageTypeText(pick(mmhs, "messageType")),
    messageTypeVerified: verified("MMHS-Message-Type"),
    from: addresses(r["from"]),
    sender: addresses(r["sender"]),
    fromVerified,
    verifiedDomain,
    gatewayDecrypted: strs(r["gatewayDecrypted"]),
    encryptedFor: [...new Set(encryptedFor)],
    mailListExpansions,
    problems,
    notes: parseProblems(r["notes"]),
    elements: elementRows(mmhs, verified),
    readerPrecedence: readerPrecedence(mmhs, verified),
    blindCopy: blindCopy(mmhs),
    signedReceiptRequest: signedReceiptRequest(r["receiptRequest"], valid),
    signedReceipt: signedReceipt(r["receipt"], valid),
    labelDisagreement: labelDisagreement(problems, essLabel, sio),
    authenticationResults: authResults(r["authenticationResults"]),
  };
}
