/**
 * Compose panel form → the wasm `compose(request)` JSON request (docs/compose.md on main).
 * All mapping to the core's schema lives here, in one pure function, unit-tested.
 */
import { CodedError, EXTENSION_CODES } from "./problems.js";
import type { CategoryDef } from "./labels.js";
import { derStringB64 } from "./report.js";
import type { EncryptRequest, EssSecurityLabel, SignRequest } from "../../../src/wasm/api.js";

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
  /**
   * Domain encryption (draft-melnikov-smime-msa-to-mda-04 §4 case (b)): a recipient without a
   * certificate of its own is encrypted to its domain's DCA or S/MIME gateway certificate
   * (among the correspondents' certificates); the core chooses (docs/domain.md).
   */
  readonly domainEncryption?: boolean;
  /** Files attached (multipart/mixed). */
  readonly attachments?: readonly FileData[];
  /** Messages forwarded as message/rfc822; forwarded=yes. */
  readonly forwarded?: readonly FileData[];
}

export interface FileData {
  readonly filename: string;
  readonly contentType: string;
  /** base64 */
  readonly data: string;
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

/**
 * The compose form's inputs an error can be tied to (the page marks that input invalid and
 * links the message to it, WCAG 3.3.1); `recipient` names the row by its address.
 */
export type FormField = "from" | "recipients" | "recipient" | "primary-precedence" | "copy-precedence" | "subject" | "opt-sign";

export interface FormError {
  readonly field: FormField;
  readonly message: string;
  /** For `recipient`: the address as typed. */
  readonly address?: string;
}

export function validateForm(f: ComposeForm): FormError[] {
  const errs: FormError[] = [];
  if (!ADDR.test(f.from)) errs.push({ field: "from", message: "From must be an e-mail address." });
  if (f.recipients.length === 0) errs.push({ field: "recipients", message: "Add at least one recipient." });
  for (const r of f.recipients) if (!ADDR.test(r.address)) errs.push({ field: "recipient", address: r.address, message: `Not an e-mail address: ${r.address}` });
  const hasTo = f.recipients.some((r) => r.kind === "to");
  const hasCopy = f.recipients.some((r) => r.kind !== "to");
  if (hasTo && f.primaryPrecedence === null) errs.push({ field: "primary-precedence", message: "Choose a primary precedence (there are To recipients)." });
  if (hasCopy && f.copyPrecedence === null) errs.push({ field: "copy-precedence", message: "Choose a copy precedence (there are Cc/Bcc recipients)." });
  if (/[\r\n]/.test(f.subject)) errs.push({ field: "subject", message: "The subject must be one line." });
  if (f.encrypt && !f.sign) errs.push({ field: "opt-sign", message: "Encrypted military messages must also be signed." });
  return errs;
}

/** The label as the core's `SecurityLabel` JSON (docs/report.md): categories as base64 DER. */
export function coreLabel(l: NonNullable<ComposeForm["label"]>): EssSecurityLabel {
  return {
    policy: l.policy,
    classification: l.classification,
    ...(l.privacyMark !== "" ? { privacyMark: l.privacyMark } : {}),
    categories: l.categories.map((c) => ({ type: c.type, value: derStringB64(c.value) })),
  };
}

/**
 * What happens to each composed copy in the extension after `compose` (docs/extension.md
 * "Sending"): wasm `sign(raw, key, signOptions)` with the ESS label, the originator signature
 * type and wrapped header protection (`message/rfc822; forwarded=no`, profile §4.2.6), then
 * wasm `encrypt(raw, [own certificate], { ...encryptOptions, rcpt, certificates })` — the core
 * finds each recipient's certificate (or its domain's DCA / gateway one). The key never leaves the extension frame:
 * the core decrypts the stored PKCS#8 with the password the user typed.
 */
export interface SecurityPlan {
  readonly sign: Readonly<Pick<SignRequest, "securityLabel" | "protectHeaders" | "signatureType">> | null;
  readonly encrypt: Readonly<Pick<EncryptRequest, "compress" | "protectHeaders" | "domainEncryption">> | null;
}

export function securityPlan(f: ComposeForm): SecurityPlan {
  if (f.protectHeaders === "injected") throw new CodedError(EXTENSION_CODES.formInvalid, "Injected header protection (RFC 9788) is not available in the browser yet; choose wrapped or none.");
  if (f.label && !f.sign) throw new CodedError(EXTENSION_CODES.formInvalid, "A security label is a signed attribute: tick Sign, or remove the label.");
  if (f.compress && !f.encrypt) throw new CodedError(EXTENSION_CODES.formInvalid, "Compression is applied inside encryption: tick Encrypt, or untick Compress.");
  const wrap = f.protectHeaders === "wrapped";
  return {
    sign: f.sign ? { ...(f.label ? { securityLabel: coreLabel(f.label) } : {}), protectHeaders: wrap, signatureType: ["originator"] } : null,
    // a signed message is already wrapped; wrap at encryption only when it is not signed
    encrypt: f.encrypt ? { compress: f.compress, protectHeaders: wrap && !f.sign, domainEncryption: f.domainEncryption === true ? "whenNoPersonal" : "none" } : null,
  };
}

/**
 * Build the compose request (docs/compose.md "Request schema"; unknown members are rejected by
 * the core, so only documented members are written). Date and Message-ID come from the core's
 * context/RNG. Signing and encryption are applied afterwards, per copy (`securityPlan`).
 */
export function toComposeRequest(f: ComposeForm): Record<string, unknown> {
  const errs = validateForm(f);
  if (errs.length > 0) throw new CodedError(EXTENSION_CODES.formInvalid, errs.map((e) => e.message).join(" "));
  const rcpt = (kind: RecipientForm["kind"]) =>
    f.recipients
      .filter((r) => r.kind === kind)
      .map((r) => ({
        address: r.address,
        notify: r.notify.length > 0 ? r.notify.map((n) => n.toLowerCase()) : ["never"],
        ...(r.receipt ? { receiptNotification: true } : {}),
      }));
  const req: Record<string, unknown> = { from: f.from };
  for (const kind of ["to", "cc", "bcc"] as const) {
    const list = rcpt(kind);
    if (list.length > 0) req[kind] = list;
  }
  req["subject"] = f.subject;
  req["body"] = f.body;
  if (f.sender && f.sender !== f.from) req["sender"] = f.sender;
  if (f.primaryPrecedence !== null && f.recipients.some((r) => r.kind === "to")) req["primaryPrecedence"] = f.primaryPrecedence;
  if (f.copyPrecedence !== null && f.recipients.some((r) => r.kind !== "to")) req["copyPrecedence"] = f.copyPrecedence;
  if (f.messageType !== null) {
    req["messageType"] = f.messageTypeIdentifier ? { type: f.messageType, identifier: f.messageTypeIdentifier } : f.messageType;
  }
  const expires = localToRfc3339(f.expires);
  if (expires) req["expires"] = expires;
  const hold = localToRfc3339(f.deferredDelivery);
  if (hold) req["deferredDelivery"] = hold;
  const by = localToRfc3339(f.latestDelivery);
  if (by) req["latestDelivery"] = by;
  const obs = splitIds(f.obsoletes);
  if (obs.length > 0) req["supersedes"] = obs;
  const refs = splitIds(f.references);
  if (refs.length > 0) req["references"] = refs;
  if (f.recipients.some((r) => r.notify.length > 0)) req["ret"] = "hdrs";
  if (f.attachments && f.attachments.length > 0) {
    req["attachments"] = f.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType || "application/octet-stream", data: a.data }));
  }
  if (f.forwarded && f.forwarded.length > 0) req["forwarded"] = f.forwarded.map((m) => ({ data: m.data, description: m.filename }));
  // The SIO-Label header field (RFC 7444) is written by compose; the ESS label itself is a
  // signed attribute, added by the signing step (see `securityPlan`).
  if (f.label && f.sioLabel) req["labels"] = { ...coreLabel(f.label), sioLabel: true };
  return req;
}
