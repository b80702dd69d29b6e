/**
 * The verification report (issue 3 / docs/report.md) as the reader sees it, and a pure
 * `viewReport` turning it into what the reader renders. Parsing is defensive: the report comes
 * from the wasm core and every field is checked; an unexpected shape becomes a visible problem,
 * never an exception and never a silently "valid" message.
 */
import { classificationByValue, parsePrecedence, sioColour, type Precedence } from "./mmhs.js";
import { describeProblem, type ProblemLike, type ProblemView } from "./problems.js";

export interface SecurityLabel {
  readonly policy: string | null;
  readonly classification: number | null;
  readonly privacyMark: string | null;
  readonly categories: readonly string[];
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
}

export interface SignatureView {
  readonly signer: string;
  readonly valid: boolean;
  readonly trusted: boolean;
  readonly signatureType: string | null;
  readonly securityLabel: SecurityLabel | null;
  readonly countersignatures: readonly CountersignatureView[];
  readonly status: "valid" | "untrusted" | "invalid";
  /** false when the certificate's address does not match From/Sender; null when not compared. */
  readonly addressMatch: boolean | null;
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
  readonly ok: boolean;
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
  readonly source: "ess" | "sio";
}

export interface HeaderProtectionView {
  /** "wrapped" | "injected" | "none" (other values shown as is) */
  readonly scheme: string;
  /** "yes" | "no" | "absent" */
  readonly forwarded: string;
  /** How the body must be presented: wrapped forwarded=no is the real message; forwarded=yes a forwarded one. */
  readonly presentation: "real-message" | "forwarded-message" | "plain";
  readonly mismatches: readonly MismatchView[];
  readonly intact: boolean;
}

export interface ReportView {
  readonly overall: "valid" | "invalid";
  readonly summary: string;
  readonly layers: readonly string[];
  readonly encrypted: boolean;
  readonly primaryPrecedence: Precedence | null;
  readonly copyPrecedence: Precedence | null;
  readonly urgent: boolean;
  readonly label: LabelBanner | null;
  readonly clearService: boolean;
  readonly headerProtection: HeaderProtectionView;
  readonly signatures: readonly SignatureView[];
  readonly authorizingUsers: readonly AuthorizingUserView[];
  readonly expiry: { readonly at: string; readonly expired: boolean } | null;
  readonly obsoletes: readonly string[];
  /** Disposition-Notification-To (RFC 8098 §2.1) and its options (§2.2), when requested. */
  readonly receiptRequest: { readonly to: string; readonly options: string | null } | null;
  readonly messageType: string | null;
  readonly problems: readonly ProblemView[];
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

function labelBanner(label: SecurityLabel, source: "ess" | "sio", sio: Obj | null): LabelBanner {
  const cls = label.classification === null ? null : classificationByValue(label.classification);
  const marking = sio ? str(sio["marking"]) : null;
  const classification = cls?.name ?? "NO CLASSIFICATION";
  const parts = [classification];
  if (label.privacyMark) parts.push(label.privacyMark);
  if (label.categories.length > 0) parts.push(label.categories.join(" / "));
  return {
    text: marking ?? parts.join(" — "),
    classification,
    privacyMark: label.privacyMark,
    categories: label.categories,
    policy: label.policy,
    fg: sioColour(sio ? str(sio["fgcolor"]) : null) ?? cls?.fg ?? "#000000",
    bg: sioColour(sio ? str(sio["bgcolor"]) : null) ?? cls?.bg ?? "#e0e0e0",
    source,
  };
}

function parseSignature(v: unknown): SignatureView | null {
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
      .map((c) => ({ signer: str(c["signer"]) ?? "(unknown signer)", valid: bool(c["valid"]), trusted: bool(c["trusted"]) })),
    status: valid ? (trusted ? "valid" : "untrusted") : "invalid",
    addressMatch: typeof v["addressMatch"] === "boolean" ? v["addressMatch"] : null,
    subject: str(v["subject"]),
    signingTime: str(v["signingTime"]),
    algorithm: [str(v["signatureAlgorithm"]), str(v["digestAlgorithm"])].filter((x) => x !== null).join(" / ") || null,
    problems: parseProblems(v["problems"]),
  };
}

const AUTH_TEXT: Readonly<Record<string, string>> = {
  countersigned: "released — countersignature valid",
  notCountersigned: "listed WITHOUT a countersignature",
  invalid: "countersignature INVALID",
  untrusted: "countersignature not trusted",
  notListed: "countersigned but not listed as authorizing user",
};

function parseProblems(v: unknown): ProblemView[] {
  return arr(v)
    .filter(isObj)
    .map((p): ProblemLike => ({ code: str(p["code"]) ?? "unknown-problem", message: str(p["message"]) ?? undefined }))
    .map(describeProblem);
}

/** The MMHS view (`inspect`) may put a precedence under several shapes; accept them all. */
function mmhsPrecedence(mmhs: Obj | null, which: "primary" | "copy"): Precedence | null {
  const candidates =
    which === "primary"
      ? ["primaryPrecedence", "primary_precedence"]
      : ["copyPrecedence", "copy_precedence"];
  const direct = pick(mmhs, ...candidates);
  if (direct !== undefined) return parsePrecedence(direct);
  const prec = pick(mmhs, "precedence");
  if (isObj(prec)) return parsePrecedence(prec[which]);
  return null;
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
function receiptTarget(v: unknown, options: string | null): ReportView["receiptRequest"] {
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

export function viewReport(input: unknown): ReportView {
  const r: Obj = isObj(input) ? input : {};
  const extraProblems: ProblemView[] = [];
  if (!isObj(input)) extraProblems.push(describeProblem({ code: "core-failed", message: "The verification report is not an object." }));

  const layers = strs(r["layers"]);
  const encrypted = layers.some((l) => /envelop/i.test(l));
  const mmhs = isObj(r["mmhs"]) ? r["mmhs"] : null;
  const signatures = arr(r["signatures"]).map(parseSignature).filter((s): s is SignatureView => s !== null);

  const essLabel = parseLabel(r["securityLabel"]);
  const sio = isObj(pick(mmhs, "sioLabel", "sio_label")) ? (pick(mmhs, "sioLabel", "sio_label") as Obj) : null;
  let label: LabelBanner | null = null;
  if (essLabel) label = labelBanner(essLabel, "ess", sio);
  else if (sio) {
    // inspect: `sioLabel.ess` is the decoded ESS label of a `type=":ess"` SIO-Label
    const sioParsed = parseLabel(sio["ess"]) ?? parseLabel(sio["label"]) ?? parseLabel(sio);
    label = labelBanner(sioParsed ?? { policy: null, classification: null, privacyMark: null, categories: [] }, "sio", sio);
  }

  const hp = isObj(r["headerProtection"]) ? r["headerProtection"] : {};
  const scheme = str(hp["scheme"]) ?? "none";
  const forwarded = str(hp["forwarded"]) ?? "absent";
  const mismatches = arr(hp["mismatches"])
    .filter(isObj)
    .map((m) => ({ field: str(m["field"]) ?? "?", outer: str(m["outer"]), inner: str(m["inner"]) }));
  const presentation: HeaderProtectionView["presentation"] =
    forwarded === "yes" ? "forwarded-message" : scheme === "wrapped" || scheme === "injected" ? "real-message" : "plain";

  const authorizingUsers = arr(r["authorizingUsers"])
    .filter(isObj)
    .map((a) => {
      const status = str(a["status"]) ?? "unknown";
      return {
        address: str(a["address"]) ?? "(unknown)",
        status,
        ok: status === "countersigned",
        text: AUTH_TEXT[status] ?? `status "${status}"`,
      };
    });

  const expiresRaw = pick(mmhs, "expires", "expiry", "expiryTime");
  let expiry: ReportView["expiry"] = null;
  if (typeof expiresRaw === "string") expiry = { at: expiresRaw, expired: bool(pick(mmhs, "expired")) };
  else if (isObj(expiresRaw)) {
    const at = str(expiresRaw["at"]) ?? str(expiresRaw["date"]) ?? str(expiresRaw["value"]);
    if (at) expiry = { at, expired: bool(expiresRaw["expired"]) };
  }

  // `inspect` (src/mmhs/inspect.rs): `supersedes` = MMHS-Obsoletes message ids.
  const obsoletesRaw = pick(mmhs, "supersedes", "obsoletes", "obsoleted");
  const obsoletes = typeof obsoletesRaw === "string" ? [obsoletesRaw] : strs(obsoletesRaw);

  // `inspect`: `notifications.dispositionNotificationTo` is an address list
  // (`[{ address, name }]`); older shapes are accepted too.
  const notifications = pick(mmhs, "notifications");
  const notif = isObj(notifications) ? notifications["dispositionNotificationTo"] : pick(mmhs, "dispositionNotificationTo", "receiptRequest");
  const receiptRequest: ReportView["receiptRequest"] = receiptTarget(notif, isObj(notifications) ? str(notifications["dispositionNotificationOptions"]) : null);

  const primaryPrecedence = mmhsPrecedence(mmhs, "primary");
  const copyPrecedence = mmhsPrecedence(mmhs, "copy");
  const problems = [...extraProblems, ...parseProblems(r["problems"])];
  const valid = r["valid"] === true && extraProblems.length === 0;

  let summary: string;
  if (valid) summary = "Verified: every signature is valid and trusted, nothing is flagged.";
  else if (signatures.length === 0) summary = "NOT VERIFIED: the message carries no valid signature.";
  else if (signatures.some((s) => !s.valid)) summary = "INVALID: a signature does not verify — the message may have been altered.";
  else summary = "NOT VERIFIED: see the problems below.";

  return {
    overall: valid ? "valid" : "invalid",
    summary,
    layers,
    encrypted,
    primaryPrecedence,
    copyPrecedence,
    urgent: (primaryPrecedence?.urgent ?? false) || (copyPrecedence?.urgent ?? false),
    label,
    clearService: (label?.privacyMark ?? "").trim().toUpperCase() === "CLEAR",
    headerProtection: { scheme, forwarded, presentation, mismatches, intact: scheme !== "none" && mismatches.length === 0 },
    signatures,
    authorizingUsers,
    expiry,
    obsoletes,
    receiptRequest,
    messageType: messageTypeText(pick(mmhs, "messageType")),
    problems,
  };
}
