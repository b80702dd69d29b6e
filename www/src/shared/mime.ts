/**
 * A small, bounded MIME reader used only for display after the core has verified the message:
 * header unfolding, multipart splitting, base64 / quoted-printable, message/rfc822 nesting and
 * RFC 3464 delivery-status fields. It never decides validity (that is the core's `verify`);
 * it only finds the text to show. Depth and part counts are limited.
 */

export interface Header {
  readonly name: string;
  readonly value: string;
}

export interface MimePart {
  readonly headers: readonly Header[];
  readonly contentType: string;
  readonly params: Readonly<Record<string, string>>;
  /** Decoded body text for leaf text parts; raw body otherwise. */
  readonly body: string;
  readonly parts: readonly MimePart[];
  /** For message/rfc822 parts: the enclosed message. */
  readonly message: MimePart | null;
}

const MAX_DEPTH = 8;
const MAX_PARTS = 200;

export function splitHeaderBody(raw: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { head: raw, body: "" };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

export function parseHeaders(head: string): Header[] {
  const out: Header[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1];
      if (last) out[out.length - 1] = { name: last.name, value: `${last.value} ${line.trim()}` };
      continue;
    }
    const i = line.indexOf(":");
    if (i <= 0) continue;
    out.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
  }
  return out;
}

export function header(headers: readonly Header[], name: string): string | null {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
}

/** `type/subtype; a=b; c="d"` → lower-cased type and parameters. */
export function parseContentType(value: string | null): { type: string; params: Record<string, string> } {
  if (!value) return { type: "text/plain", params: {} };
  const [first, ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf("=");
    if (i <= 0) continue;
    let v = p.slice(i + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params[p.slice(0, i).trim().toLowerCase()] = v;
  }
  return { type: (first ?? "text/plain").trim().toLowerCase(), params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (c === '"' && value.charAt(i - 1) !== "\\") quoted = !quoted;
    if (c === ";" && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function decodeQuotedPrintable(s: string): Uint8Array {
  const soft = s.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft.charAt(i);
    const hex = soft.slice(i + 1, i + 3);
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = soft.charCodeAt(i);
      if (code < 0x80) bytes.push(code);
      else for (const b of new TextEncoder().encode(c)) bytes.push(b);
    }
  }
  return Uint8Array.from(bytes);
}

export function decodeBase64(s: string): Uint8Array {
  const clean = s.replace(/[^A-Za-z0-9+/]/g, "");
  const bin = atob(clean.slice(0, clean.length - (clean.length % 4)));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function decodeBody(body: string, encoding: string | null, charset: string | undefined): string {
  const enc = (encoding ?? "7bit").toLowerCase().trim();
  let bytes: Uint8Array | null = null;
  if (enc === "base64") bytes = decodeBase64(body);
  else if (enc === "quoted-printable") bytes = decodeQuotedPrintable(body);
  if (!bytes) return body;
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

export function parseMime(raw: string, depth = 0, budget = { parts: 0 }): MimePart {
  const { head, body } = splitHeaderBody(raw);
  const headers = parseHeaders(head);
  const { type, params } = parseContentType(header(headers, "Content-Type"));
  budget.parts++;
  const leaf = (b: string): MimePart => ({ headers, contentType: type, params, body: b, parts: [], message: null });
  if (depth >= MAX_DEPTH || budget.parts > MAX_PARTS) return leaf(body);
  if (type.startsWith("multipart/") && params["boundary"]) {
    return { headers, contentType: type, params, body: "", parts: splitMultipart(body, params["boundary"]).map((p) => parseMime(p, depth + 1, budget)), message: null };
  }
  if (type === "message/rfc822" || type === "message/global") {
    const inner = decodeBody(body, header(headers, "Content-Transfer-Encoding"), undefined);
    return { headers, contentType: type, params, body: "", parts: [], message: parseMime(inner, depth + 1, budget) };
  }
  if (type.startsWith("text/") || type === "message/delivery-status" || type === "message/disposition-notification") {
    return leaf(decodeBody(body, header(headers, "Content-Transfer-Encoding"), params["charset"]));
  }
  return leaf(body);
}

export function splitMultipart(body: string, boundary: string): string[] {
  const lines = body.split(/\r?\n/);
  const parts: string[] = [];
  let cur: string[] | null = null;
  for (const line of lines) {
    if (line === `--${boundary}--` || line.trimEnd() === `--${boundary}--`) {
      if (cur) parts.push(cur.join("\r\n"));
      cur = null;
      break;
    }
    if (line.trimEnd() === `--${boundary}`) {
      if (cur) parts.push(cur.join("\r\n"));
      cur = [];
      continue;
    }
    if (cur) cur.push(line);
  }
  if (cur) parts.push(cur.join("\r\n"));
  return parts;
}

/** First text/plain body (depth-first, not descending into message/rfc822 unless `intoMessages`). */
export function firstText(part: MimePart, intoMessages = false): string | null {
  if (part.contentType === "text/plain") return part.body;
  for (const p of part.parts) {
    const t = firstText(p, intoMessages);
    if (t !== null) return t;
  }
  if (intoMessages && part.message) return firstText(part.message, true);
  return null;
}

export interface DsnRecipient {
  readonly recipient: string;
  readonly action: string;
  readonly status: string;
  readonly diagnostic: string | null;
  readonly remoteMta: string | null;
}

export interface DsnView {
  readonly kind: "delivery-status" | "disposition-notification";
  readonly envelopeId: string | null;
  readonly reportingMta: string | null;
  readonly arrivalDate: string | null;
  readonly humanText: string | null;
  readonly recipients: readonly DsnRecipient[];
  readonly disposition: string | null;
  readonly originalMessageId: string | null;
}

/** RFC 3464 / RFC 6522 multipart/report → a readable view (null when not a report). */
export function parseReport(part: MimePart): DsnView | null {
  if (part.contentType !== "multipart/report") {
    for (const p of part.parts) {
      const r = parseReport(p);
      if (r) return r;
    }
    return null;
  }
  const status = part.parts.find((p) => p.contentType === "message/delivery-status");
  const mdn = part.parts.find((p) => p.contentType === "message/disposition-notification");
  const human = part.parts.find((p) => p.contentType === "text/plain");
  if (status) {
    const groups = status.body.split(/\r?\n\s*\r?\n/).map((g) => parseHeaders(g)).filter((g) => g.length > 0);
    const perMessage = groups[0] ?? [];
    const recipients = groups.slice(1).map((g) => ({
      recipient: stripType(header(g, "Final-Recipient") ?? header(g, "Original-Recipient") ?? "?"),
      action: header(g, "Action") ?? "?",
      status: header(g, "Status") ?? "?",
      diagnostic: header(g, "Diagnostic-Code"),
      remoteMta: header(g, "Remote-MTA"),
    }));
    return {
      kind: "delivery-status",
      envelopeId: header(perMessage, "Original-Envelope-Id"),
      reportingMta: header(perMessage, "Reporting-MTA"),
      arrivalDate: header(perMessage, "Arrival-Date"),
      humanText: human?.body ?? null,
      recipients,
      disposition: null,
      originalMessageId: null,
    };
  }
  if (mdn) {
    const f = parseHeaders(mdn.body);
    return {
      kind: "disposition-notification",
      envelopeId: null,
      reportingMta: header(f, "Reporting-UA"),
      arrivalDate: null,
      humanText: human?.body ?? null,
      recipients: [],
      disposition: header(f, "Disposition"),
      originalMessageId: header(f, "Original-Message-ID"),
    };
  }
  return null;
}

function stripType(v: string): string {
  const i = v.indexOf(";");
  return i >= 0 ? v.slice(i + 1).trim() : v;
}

/** Human reading of an RFC 3463 status code class. */
export function statusText(status: string): string {
  if (status.startsWith("2.")) return "delivered";
  if (status.startsWith("4.")) return "delayed (temporary failure)";
  if (status.startsWith("5.")) return "failed (permanent)";
  return "unknown status";
}
