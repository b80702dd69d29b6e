/**
 * The MUA's audit trail (draft-melnikov-mmhs-profile-09 §5.2): a record per message submitted
 * and received — and per release and signed receipt sent or received — with the identifiers
 * the profile's table names, in chrome.storage.local (restricted to the extension's own pages
 * like the settings, `protectSettingsStorage`: a content script in the webmail page can
 * neither read nor write it).
 *
 * Identifiers (§5.2 table, §3.3.5, §3.3.6): **MM Identification** is the Message-ID field,
 * **Message Identification** the SMTP ENVID (RFC 3461 §4.4) — known for submitted messages;
 * the ENVID is not delivered to a recipient, so received records carry none.
 *
 * "The integrity of audit logs must be protected": every record carries the SHA-256 of the
 * previous record (`prev`) and its own (`hash`, over its canonical JSON without `hash`), so an
 * edited, inserted or removed record breaks the chain ({@link verifyChain}). Records are kept
 * at least {@link MIN_RETENTION_DAYS} days ("maintained for at least ten (10) days"); older
 * ones are pruned, and the hash of the last pruned record (`anchor`) keeps the rest checkable.
 * Bounded: at most {@link MAX_RECORDS}; when more are written within the retention period the
 * oldest are dropped and counted in `dropped` (shown with the log).
 */
import { CodedError, EXTENSION_CODES } from "./problems.js";
import { protectSettingsStorage, withStorageLock, type SettingsArea } from "./settings.js";

export type AuditEvent = "sent" | "received" | "released" | "receipt-sent" | "receipt-received";

export const AUDIT_EVENTS: readonly AuditEvent[] = ["sent", "received", "released", "receipt-sent", "receipt-received"];

/** What one record says (profile §5.2 table); absent = not known for this event. */
export interface AuditFields {
  readonly event: AuditEvent;
  /** MM Identification (Message-ID, §3.3.5). */
  readonly mmIdentification: string | null;
  /** Message Identification (ENVID, §3.3.6); submitted messages only. */
  readonly messageIdentification?: string | null;
  /** Originator Indication: From, and Sender when present (§3.4.29). */
  readonly originator?: readonly string[];
  /** Authorizing Users Indication (§3.4.3). */
  readonly authorizingUsers?: readonly string[];
  /** Extended Authorization Info (§3.5.5). */
  readonly extendedAuthorisationInfo?: string | null;
  readonly primaryPrecedence?: string | null;
  readonly copyPrecedence?: string | null;
  /** Primary and Copy Recipients Indication, Blind Copy Recipient Indication (§3.4.32, §3.4.5). */
  readonly recipients?: { readonly to: readonly string[]; readonly cc: readonly string[]; readonly bcc: readonly string[] };
  /** Delivery / Non-delivery Notification: NOTIFY per recipient (§3.4.12, §3.3.7). */
  readonly deliveryNotification?: Readonly<Record<string, string>>;
  /** Receipt / Non-receipt Notification Request Indication: who was asked for an MDN (§3.4.33, §3.4.27). */
  readonly receiptNotificationRequest?: readonly string[];
  /** Non-Repudiation of Receipt: the signed-receipt request's signedContentIdentifier (§4.1.7). */
  readonly signedReceiptRequest?: string | null;
  /** Security Labels (§4.1.6), as text. */
  readonly securityLabel?: string | null;
  readonly messageType?: string | null;
  /** Delivery Timestamp Indication (§3.3.4), received messages. */
  readonly deliveryTime?: string | null;
  /** The verification verdict of a received message / receipt. */
  readonly verdict?: "valid" | "invalid";
  /** Free text: the receipt's sender, the release outcome, … */
  readonly detail?: string | null;
}

export interface AuditRecord extends AuditFields {
  readonly seq: number;
  /** When recorded (RFC 3339, UTC). */
  readonly at: string;
  /** hash of the previous record (or of the log's anchor). */
  readonly prev: string;
  /** SHA-256 (hex) of this record's canonical JSON without `hash`. */
  readonly hash: string;
}

export interface AuditLog {
  /** The hash the first kept record chains to ("" for a log never pruned). */
  readonly anchor: string;
  readonly records: readonly AuditRecord[];
  /** Records dropped within the retention period because of {@link MAX_RECORDS}. */
  readonly dropped: number;
}

export const MIN_RETENTION_DAYS = 10;
export const DEFAULT_RETENTION_DAYS = 90;
export const MAX_RECORDS = 20_000;
const KEY = "mmhs.audit.v1";
const GENESIS = "";

/** JSON with sorted keys (nested too): the same record always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function recordHash(r: Omit<AuditRecord, "hash">): Promise<string> {
  return sha256Hex(canonicalJson(r));
}

/** The log with `fields` appended (pure but for the digest). */
export async function appendRecord(log: AuditLog, fields: AuditFields, now: Date, retentionDays = DEFAULT_RETENTION_DAYS): Promise<AuditLog> {
  if (!AUDIT_EVENTS.includes(fields.event)) throw new CodedError(EXTENSION_CODES.formInvalid, `Unknown audit event ${fields.event}.`);
  const last = log.records[log.records.length - 1];
  const body: Omit<AuditRecord, "hash"> = {
    ...fields,
    seq: last ? last.seq + 1 : 1,
    at: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    prev: last ? last.hash : log.anchor,
  };
  const record: AuditRecord = { ...body, hash: await recordHash(body) };
  return prune({ ...log, records: [...log.records, record] }, now, retentionDays);
}

/** Drop records older than the retention period (never under {@link MIN_RETENTION_DAYS}), and beyond {@link MAX_RECORDS}. */
export function prune(log: AuditLog, now: Date, retentionDays = DEFAULT_RETENTION_DAYS): AuditLog {
  const days = Math.max(MIN_RETENTION_DAYS, Number.isFinite(retentionDays) ? retentionDays : DEFAULT_RETENTION_DAYS);
  const cutoff = now.getTime() - days * 86_400_000;
  let start = 0;
  while (start < log.records.length && Date.parse(log.records[start]?.at ?? "") < cutoff) start++;
  let dropped = log.dropped;
  const over = log.records.length - start - MAX_RECORDS;
  if (over > 0) {
    start += over;
    dropped += over;
  }
  if (start === 0) return log;
  const anchor = log.records[start - 1]?.hash ?? log.anchor;
  return { anchor, records: log.records.slice(start), dropped };
}

/** Check the hash chain: null when intact, else the sequence number of the first bad record. */
export async function verifyChain(log: AuditLog): Promise<number | null> {
  let prev = log.anchor;
  for (const r of log.records) {
    const { hash, ...body } = r;
    if (r.prev !== prev || (await recordHash(body)) !== hash) return r.seq;
    prev = hash;
  }
  return null;
}

/** The stored log, shape-checked; an unreadable one is reported, never silently replaced. */
export function parseLog(v: unknown): AuditLog {
  if (v === undefined || v === null) return { anchor: GENESIS, records: [], dropped: 0 };
  if (typeof v !== "object" || Array.isArray(v)) throw new CodedError(EXTENSION_CODES.auditLogDamaged, "The stored audit log is not an object.");
  const o = v as Record<string, unknown>;
  const records = o["records"];
  if (typeof o["anchor"] !== "string" || !Array.isArray(records) || typeof o["dropped"] !== "number") {
    throw new CodedError(EXTENSION_CODES.auditLogDamaged, "The stored audit log is missing its anchor, records or drop count.");
  }
  const ok = records.every((r: unknown) => {
    if (typeof r !== "object" || r === null) return false;
    const x = r as Record<string, unknown>;
    return typeof x["seq"] === "number" && typeof x["at"] === "string" && typeof x["prev"] === "string" && typeof x["hash"] === "string" && AUDIT_EVENTS.includes(x["event"] as AuditEvent);
  });
  if (!ok) throw new CodedError(EXTENSION_CODES.auditLogDamaged, "A stored audit record is malformed.");
  return { anchor: o["anchor"], records: records as AuditRecord[], dropped: o["dropped"] };
}

export async function loadAudit(area: SettingsArea): Promise<AuditLog> {
  await protectSettingsStorage(area);
  const got = await area.get(KEY);
  return parseLog(got[KEY]);
}


/** Append one record to the stored log (restricted storage; fails closed). */
export async function audit(area: SettingsArea, fields: AuditFields, now = new Date(), retentionDays = DEFAULT_RETENTION_DAYS): Promise<AuditRecord> {
  return withStorageLock("mmhs-audit", async () => {
    const log = await loadAudit(area);
    const next = await appendRecord(log, fields, now, retentionDays);
    await protectSettingsStorage(area);
    await area.set({ [KEY]: next });
    const rec = next.records[next.records.length - 1];
    if (!rec) throw new CodedError(EXTENSION_CODES.auditLogDamaged, "The audit record was not kept.");
    return rec;
  });
}

/** The export file: the whole log with its chain, and whether it verified when exported. */
export async function exportAudit(log: AuditLog, now: Date): Promise<string> {
  const brokenAt = await verifyChain(log);
  return `${JSON.stringify({ format: "mmhs-mua-audit-1", exportedAt: now.toISOString(), chainIntact: brokenAt === null, brokenAt, ...log }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Records from what the extension has at hand.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);

/** Recipients of a compose request (`"a@x"` or `{ address, notify?, receiptNotification? }`). */
function rcpts(v: unknown): Obj[] {
  return (Array.isArray(v) ? v : []).map((r: unknown) => (typeof r === "string" ? { address: r } : isObj(r) ? r : {}));
}

function mailboxes(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.flatMap((m: unknown) => (typeof m === "string" ? [m] : isObj(m) && typeof m["address"] === "string" ? [m["address"]] : []));
}

/** A label of a compose request or a report as one line. */
export function labelLine(l: unknown): string | null {
  if (!isObj(l)) return null;
  const parts = [str(l["policy"]) ? `policy ${str(l["policy"]) ?? ""}` : null, str(l["classification"]) !== null ? `classification ${str(l["classification"]) ?? ""}` : null, str(l["privacyMark"])];
  return parts.filter((x) => x).join(", ") || null;
}

function precedenceText(v: unknown): string | null {
  if (isObj(v)) return str(v["name"]) ?? str(v["value"]);
  return str(v);
}

/**
 * A submitted message: the compose request (what the originator asked), the copy's Message-ID
 * and envelope (ENVID), the signed-receipt identifier when one was requested.
 */
export function sentFields(request: Obj, messageId: string | null, envelope: unknown, signedReceiptRequest: string | null, securityLabel: unknown): AuditFields {
  const env = isObj(envelope) ? envelope : {};
  const params = isObj(env["mailParams"]) ? env["mailParams"] : {};
  const all = [...rcpts(request["to"]), ...rcpts(request["cc"]), ...rcpts(request["bcc"])];
  const notify: Record<string, string> = {};
  for (const r of all) {
    const a = str(r["address"]);
    if (a) notify[a] = Array.isArray(r["notify"]) ? (r["notify"] as unknown[]).map(String).join(",") : "failure";
  }
  const mt = request["messageType"];
  return {
    event: "sent",
    mmIdentification: messageId,
    messageIdentification: str(params["envid"]),
    originator: [...mailboxes(request["from"]), ...mailboxes(request["sender"])],
    authorizingUsers: mailboxes(request["authorizingUsers"]),
    extendedAuthorisationInfo: str(request["extendedAuthorisationInfo"]) ?? "time of composition",
    primaryPrecedence: precedenceText(request["primaryPrecedence"]),
    copyPrecedence: precedenceText(request["copyPrecedence"]),
    recipients: { to: rcpts(request["to"]).flatMap((r) => mailboxes(r)), cc: rcpts(request["cc"]).flatMap((r) => mailboxes(r)), bcc: rcpts(request["bcc"]).flatMap((r) => mailboxes(r)) },
    deliveryNotification: notify,
    receiptNotificationRequest: all.filter((r) => r["receiptNotification"] === true).flatMap((r) => mailboxes(r)),
    signedReceiptRequest,
    securityLabel: labelLine(securityLabel ?? request["labels"]),
    messageType: isObj(mt) ? `${str(mt["type"]) ?? "?"}${str(mt["identifier"]) ? ` (${str(mt["identifier"]) ?? ""})` : ""}` : str(mt),
  };
}

/** A received (or released, receipt) message from its verification report (docs/report.md). */
export function reportFields(event: AuditEvent, report: unknown, detail: string | null = null): AuditFields {
  const r = isObj(report) ? report : {};
  const mmhs = isObj(r["mmhs"]) ? r["mmhs"] : {};
  const valid = r["valid"] === true && Array.isArray(r["problems"]) && r["problems"].length === 0;
  const rr = isObj(r["receiptRequest"]) ? r["receiptRequest"] : null;
  const mt = mmhs["messageType"];
  return {
    event,
    mmIdentification: str(mmhs["messageId"]),
    messageIdentification: null,
    originator: [...(Array.isArray(r["from"]) ? r["from"].map(String) : []), ...(Array.isArray(r["sender"]) ? r["sender"].map(String) : [])],
    authorizingUsers: Array.isArray(r["authorizingUsers"]) ? r["authorizingUsers"].filter(isObj).map((a) => `${str(a["address"]) ?? "?"} (${str(a["status"]) ?? "?"})`) : [],
    extendedAuthorisationInfo: str(mmhs["extendedAuthorisationInfo"]),
    primaryPrecedence: precedenceText(mmhs["primaryPrecedence"]),
    copyPrecedence: precedenceText(mmhs["copyPrecedence"]),
    signedReceiptRequest: rr ? str(rr["identifier"]) : null,
    securityLabel: labelLine(r["securityLabel"]),
    messageType: isObj(mt) ? `${str(mt["name"]) ?? str(mt["value"]) ?? "?"}${str(mt["identifier"]) ? ` (${str(mt["identifier"]) ?? ""})` : ""}` : null,
    deliveryTime: str(mmhs["deliveryTime"]),
    verdict: valid ? "valid" : "invalid",
    detail,
  };
}
