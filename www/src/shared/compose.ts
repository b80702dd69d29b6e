/**
 * Compose panel form → the wasm `compose(request)` JSON request (docs/compose.md on main).
 * All mapping to the core's schema lives here, in one pure function, unit-tested.
 */
import { CodedError, EXTENSION_CODES } from "./problems.js";
import type { CategoryDef } from "./labels.js";
import { derStringB64 } from "./report.js";

export type NotifyKind = "SUCCESS" | "FAILURE" | "DELAY";

export interface RecipientForm {
  readonly address: string;
  readonly kind: "to" | "cc" | "bcc";
  /** DSN (RFC 3461 NOTIFY) for this recipient; empty = NEVER. */
  readonly notify: readonly NotifyKind[];
  /** Ask this recipient for a receipt notification (Disposition-Notification-To, RFC 8098). */
  readonly receipt: boolean;
}

export interface ComposeForm {
  readonly from: string;
  readonly sender?: string | undefined;
  readonly recipients: readonly RecipientForm[];
  readonly subject: string;
  readonly body: string;
  readonly primaryPrecedence: number | null;
  readonly copyPrecedence: number | null;
  readonly messageType: number | null;
  readonly messageTypeIdentifier?: string | undefined;
  readonly label: {
    readonly policy: string;
    readonly classification: number;
    readonly privacyMark: string;
    readonly categories: readonly CategoryDef[];
  } | null;
  readonly sioLabel: boolean;
  /** datetime-local values (local time) or "" */
  readonly expires: string;
  readonly deferredDelivery: string;
  readonly latestDelivery: string;
  readonly obsoletes: string;
  readonly references: string;
  readonly sign: boolean;
  readonly encrypt: boolean;
  readonly protectHeaders: "wrapped" | "injected" | "none";
  readonly compress: boolean;
}

export interface ComposeContext {
  /** RFC 5322 date-time for Date: (the core reads no clock). */
  readonly date: string;
  /** Message-ID without angle brackets (the core reads no hostname / RNG for it). */
  readonly messageId: string;
}

const ADDR = /^[^\s@<>()"]+@[^\s@<>()"]+$/;

export function splitIds(input: string): string[] {
  return input
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => (s.startsWith("<") ? s : `<${s}>`));
}

/** datetime-local ("2026-11-23T14:05") → RFC 3339 UTC ("2026-11-23T14:05:00Z"), via the local zone. */
export function localToRfc3339(v: string): string | null {
  if (v.trim() === "") return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new CodedError(EXTENSION_CODES.formInvalid, `Not a date/time: ${v}`);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** RFC 5322 date-time in UTC ("Mon, 23 Nov 2026 12:00:00 +0000"). */
export function rfc5322Date(d: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()] ?? "Mon"}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()] ?? "Jan"} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Message-ID from random bytes (caller supplies them: crypto.getRandomValues). */
export function makeMessageId(random: Uint8Array, from: string): string {
  const domain = from.split("@")[1] ?? "mmhs.invalid";
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex}@${domain}`;
}

export function validateForm(f: ComposeForm): string[] {
  const errs: string[] = [];
  if (!ADDR.test(f.from)) errs.push("From must be an e-mail address.");
  if (f.recipients.length === 0) errs.push("Add at least one recipient.");
  for (const r of f.recipients) if (!ADDR.test(r.address)) errs.push(`Not an e-mail address: ${r.address}`);
  const hasTo = f.recipients.some((r) => r.kind === "to");
  const hasCopy = f.recipients.some((r) => r.kind !== "to");
  if (hasTo && f.primaryPrecedence === null) errs.push("Choose a primary precedence (there are To recipients).");
  if (hasCopy && f.copyPrecedence === null) errs.push("Choose a copy precedence (there are Cc/Bcc recipients).");
  if (/[\r\n]/.test(f.subject)) errs.push("The subject must be one line.");
  if (f.encrypt && !f.sign) errs.push("Encrypted military messages must also be signed.");
  return errs;
}

/**
 * Build the compose request. Field names follow docs/compose.md (compose engineer); see
 * docs/extension.md for the mapping of each panel control.
 */
export function toComposeRequest(f: ComposeForm, ctx: ComposeContext): Record<string, unknown> {
  const errs = validateForm(f);
  if (errs.length > 0) throw new CodedError(EXTENSION_CODES.formInvalid, errs.join(" "));
  const rcpt = (kind: RecipientForm["kind"]) =>
    f.recipients
      .filter((r) => r.kind === kind)
      .map((r) => ({
        address: r.address,
        notify: r.notify.length > 0 ? [...r.notify] : ["NEVER"],
        receipt: r.receipt,
      }));
  const receiptFor = f.recipients.filter((r) => r.receipt).map((r) => r.address);
  const req: Record<string, unknown> = {
    from: f.from,
    to: rcpt("to"),
    cc: rcpt("cc"),
    bcc: rcpt("bcc"),
    subject: f.subject,
    body: f.body,
    date: ctx.date,
    messageId: ctx.messageId,
  };
  if (f.sender && f.sender !== f.from) req["sender"] = f.sender;
  if (f.primaryPrecedence !== null && f.recipients.some((r) => r.kind === "to")) req["primaryPrecedence"] = f.primaryPrecedence;
  if (f.copyPrecedence !== null && f.recipients.some((r) => r.kind !== "to")) req["copyPrecedence"] = f.copyPrecedence;
  if (f.messageType !== null) {
    req["messageType"] = f.messageTypeIdentifier ? { type: f.messageType, identifier: f.messageTypeIdentifier } : { type: f.messageType };
  }
  if (f.label) {
    req["securityLabel"] = {
      policy: f.label.policy,
      classification: f.label.classification,
      ...(f.label.privacyMark !== "" ? { privacyMark: f.label.privacyMark } : {}),
      categories: f.label.categories.map((c) => ({ type: c.type, value: derStringB64(c.value) })),
    };
    req["sioLabel"] = f.sioLabel;
  }
  const expires = localToRfc3339(f.expires);
  if (expires) req["expires"] = expires;
  const hold = localToRfc3339(f.deferredDelivery);
  if (hold) req["deferredDelivery"] = hold;
  const by = localToRfc3339(f.latestDelivery);
  if (by) req["latestDelivery"] = by;
  const obs = splitIds(f.obsoletes);
  if (obs.length > 0) req["obsoletes"] = obs;
  const refs = splitIds(f.references);
  if (refs.length > 0) req["references"] = refs;
  if (receiptFor.length > 0) req["dispositionNotificationTo"] = f.sender ?? f.from;
  if (f.recipients.some((r) => r.notify.length > 0)) req["dsn"] = { ret: "HDRS", envid: ctx.messageId };
  req["sign"] = f.sign;
  req["encrypt"] = f.encrypt;
  req["protectHeaders"] = f.protectHeaders === "none" ? false : f.protectHeaders;
  req["compress"] = f.compress;
  return req;
}
