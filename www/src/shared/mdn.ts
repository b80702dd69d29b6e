/**
 * Message Disposition Notifications (RFC 8098) made by the reader when the originator asked for
 * a receipt (Disposition-Notification-To) and the reader decides to honour or refuse it.
 *
 * RFC 8098 §3: the MDN is a multipart/report (RFC 6522) with `report-type=disposition-notification`:
 * a human-readable part, the `message/disposition-notification` part (§3.2), and optionally the
 * original header section (`text/rfc822-headers`). §2.1: the MDN's envelope reverse-path is null
 * (`MAIL FROM:<>`), it goes to the Disposition-Notification-To address only.
 *
 *   disposition-notification-content = [ reporting-ua-field CRLF ]
 *        [ mdn-gateway-field CRLF ] [ original-recipient-field CRLF ]
 *        final-recipient-field CRLF [ original-message-id-field CRLF ]
 *        disposition-field CRLF *( error-field CRLF ) *( extension-field CRLF )
 *   disposition-field = "Disposition" ":" OWS disposition-mode OWS ";" OWS disposition-type
 *   disposition-mode  = action-mode OWS "/" OWS sending-mode
 *   action-mode = "manual-action" / "automatic-action"
 *   sending-mode = "MDN-sent-manually" / "MDN-sent-automatically"
 *   disposition-type = "displayed" / "deleted" / "dispatched" / "processed"
 *
 * The disposition-type ABNF of RFC 8098 §3.2.6.2 has no "denied" (RFC 3798's denied/failed
 * are no longer generated); a refusal is therefore expressed by sending nothing (§2.1: the
 * recipient may refuse to send an MDN), which is what the reader's `Refuse` does. The extension
 * never sends an MDN without the reader's explicit action (manual-action/MDN-sent-manually).
 *
 * Pure: no clock, no randomness, no DOM — the caller passes the time and the Message-ID.
 * Header values never carry CR/LF (removed); the original header section is included only when
 * the caller gives it (never for encrypted messages, so no protected field leaks in clear).
 */
import type { Envelope } from "./messages.js";

export interface MdnInput {
  /** The reader (final recipient) address. */
  readonly reader: string;
  /** Where the MDN goes: the Disposition-Notification-To address. */
  readonly to: string;
  /** The original message's Message-ID (with or without angle brackets), if any. */
  readonly originalMessageId: string | null;
  /** The original Subject, if any (shown in the human part and the MDN's subject). */
  readonly originalSubject: string | null;
  /** Original-Recipient header of the delivered message (RFC 8098 §3.2.3), if any. */
  readonly originalRecipient: string | null;
  /** The disposition type; manual action, sent manually (the reader clicked). */
  readonly disposition: "displayed";
  /** The MDN's Date, RFC 5322 date-time (see `rfc5322Date`). */
  readonly date: string;
  /** The MDN's Message-ID without angle brackets (caller-generated, unique). */
  readonly messageId: string;
  /** The original header section to return as text/rfc822-headers, or null to omit it. */
  readonly originalHeaders: string | null;
  /** Reporting-UA product token. */
  readonly reportingUa: string;
  /** MIME boundary (caller-generated, must not occur in the parts). */
  readonly boundary: string;
}

export interface Mdn {
  readonly raw: string;
  readonly envelope: Envelope;
}

const ADDR = /^[^\s<>()",;:\\[\]@]+@[^\s<>()",;:\\[\]@]+$/;

/** Strip CR, LF and other C0 controls from a header value. */
function clean(v: string): string {
  let out = "";
  for (const ch of v) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 || c === 0x7f ? " " : ch;
  }
  return out.trim();
}

/** RFC 2047 encoded-word (UTF-8, base64) when the value is not plain printable ASCII. */
export function encodeWord(v: string): string {
  if (/^[\x20-\x7e]*$/.test(v)) return v;
  const bytes = new TextEncoder().encode(v);
  // one encoded-word per ≤ 45 octets keeps each word under the 75-character limit (RFC 2047 §2)
  const words: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    let end = Math.min(i + 45, bytes.length);
    while (end < bytes.length && end > i && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // keep UTF-8 sequences whole
    let bin = "";
    for (const b of bytes.subarray(i, end)) bin += String.fromCharCode(b);
    words.push(`=?UTF-8?B?${btoa(bin)}?=`);
    i = end;
  }
  return words.join("\r\n ");
}

function angle(id: string): string {
  const t = clean(id).replace(/^<|>$/g, "");
  return `<${t}>`;
}

/** RFC 5322 §3.3 date-time in UTC, e.g. `Mon, 23 Nov 2026 12:00:00 +0000`. */
export function rfc5322Date(d: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()] ?? "Mon"}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()] ?? "Jan"} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Normalise line ends to CRLF and drop a trailing blank line. */
function crlf(text: string): string {
  return text.replace(/\r?\n/g, "\r\n").replace(/(\r\n)+$/, "");
}

/** Build the MDN (RFC 8098 §3) and its envelope (null reverse-path, §2.1). */
export function buildMdn(m: MdnInput): Mdn {
  const reader = clean(m.reader);
  const to = clean(m.to);
  if (!ADDR.test(reader)) throw new Error(`the reader address "${reader}" is not an address`);
  if (!ADDR.test(to)) throw new Error(`the receipt address "${to}" is not an address`);
  if (!/^[A-Za-z0-9'()+_,\-./:=?]{1,69}[A-Za-z0-9'()+_,\-./=?]$/.test(m.boundary)) throw new Error("invalid MIME boundary");
  const subject = m.originalSubject === null ? null : clean(m.originalSubject).slice(0, 200);
  const headers = m.originalHeaders === null ? null : crlf(m.originalHeaders);
  const dispositionLine = `manual-action/MDN-sent-manually; ${m.disposition}`;

  const human = [
    `The message${m.originalMessageId ? ` ${angle(m.originalMessageId)}` : ""}${subject ? ` with the subject "${subject}"` : ""}`,
    `sent to ${reader} has been displayed on the recipient's screen.`,
    "This is no guarantee that the message has been read or understood.",
  ].join("\r\n");

  const fields = [
    `Reporting-UA: ${clean(m.reportingUa)}`,
    ...(m.originalRecipient ? [`Original-Recipient: rfc822;${clean(m.originalRecipient).replace(/^rfc822;\s*/i, "")}`] : []),
    `Final-Recipient: rfc822;${reader}`,
    ...(m.originalMessageId ? [`Original-Message-ID: ${angle(m.originalMessageId)}`] : []),
    `Disposition: ${dispositionLine}`,
  ].join("\r\n");

  const b = m.boundary;
  for (const part of [human, fields, headers ?? ""]) if (part.includes(`--${b}`)) throw new Error("the MIME boundary occurs in the content");

  const lines = [
    `From: ${reader}`,
    `To: ${to}`,
    `Subject: ${encodeWord(`Disposition notification${subject ? `: ${subject}` : ""}`)}`,
    `Date: ${clean(m.date)}`,
    `Message-ID: ${angle(m.messageId)}`,
    ...(m.originalMessageId ? [`In-Reply-To: ${angle(m.originalMessageId)}`, `References: ${angle(m.originalMessageId)}`] : []),
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${b}"`,
    "",
    `--${b}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    human,
    `--${b}`,
    "Content-Type: message/disposition-notification",
    "",
    fields,
    "",
    ...(headers === null ? [] : [`--${b}`, "Content-Type: text/rfc822-headers", "", headers, ""]),
    `--${b}--`,
    "",
  ];
  return { raw: lines.join("\r\n"), envelope: { mailFrom: "", rcpts: [{ address: to }] } };
}
