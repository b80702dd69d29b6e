/**
 * What the reader shows as the message itself, after `verify`: pure, over the raw text.
 * - wrapped header protection (message/rfc822; forwarded=no inside the signature) → the inner
 *   message IS the message: its headers are displayed, never the outer ones;
 * - message/rfc822 with forwarded=yes (or no parameter) → a forwarded message, shown as such;
 * - opaque S/MIME (application/pkcs7-mime) → content not readable here (`opaque`).
 */
import { firstText, header, parseMime, parseReport, type DsnView, type Header, type MimePart } from "./mime.js";

export const DISPLAY_FIELDS = ["From", "Sender", "To", "Cc", "Subject", "Date", "Message-ID"] as const;

export interface ForwardedView {
  readonly forwardedParam: string | null;
  readonly headers: readonly Header[];
  readonly body: string | null;
}

export interface ContentView {
  /** Which header section is displayed. */
  readonly headerSource: "protected-inner" | "outer";
  readonly headers: readonly Header[];
  readonly body: string | null;
  readonly forwarded: readonly ForwardedView[];
  readonly attachments: readonly string[];
  readonly opaque: boolean;
  readonly report: DsnView | null;
}

function pickHeaders(all: readonly Header[]): Header[] {
  return DISPLAY_FIELDS.flatMap((name) => {
    const v = header(all, name);
    return v === null ? [] : [{ name, value: v }];
  });
}

/** The signed content of a multipart/signed (first part), or the part itself. */
function signedContent(p: MimePart): MimePart {
  if (p.contentType === "multipart/signed" && p.parts[0]) return signedContent(p.parts[0]);
  return p;
}

function collect(part: MimePart, fw: ForwardedView[], att: string[], skip: MimePart | null): void {
  if (part === skip) return;
  if (part.message) {
    fw.push({ forwardedParam: part.params["forwarded"] ?? null, headers: pickHeaders(part.message.headers), body: firstText(part.message, true) });
    return;
  }
  for (const p of part.parts) collect(p, fw, att, skip);
  if (part.parts.length === 0 && !part.contentType.startsWith("text/") && !part.contentType.startsWith("message/")) {
    const name = part.params["name"] ?? /filename="?([^";]+)"?/i.exec(header(part.headers, "Content-Disposition") ?? "")?.[1];
    if (name) att.push(`${name} (${part.contentType})`);
    else if (!/pkcs7-signature/.test(part.contentType)) att.push(part.contentType);
  }
}

export function contentView(raw: string): ContentView {
  const top = parseMime(raw);
  const content = signedContent(top);
  const opaque = /pkcs7-mime|pkcs7-signature$/.test(content.contentType) && content === top;
  const wrapped = content.message !== null && (content.params["forwarded"] ?? "").toLowerCase() === "no";
  const shown = wrapped && content.message ? content.message : content;
  const displayRoot = wrapped && content.message ? signedContent(content.message) : content;
  const forwarded: ForwardedView[] = [];
  const attachments: string[] = [];
  if (!wrapped && content.message) {
    // A bare message/rfc822 signed content without forwarded=no: a forwarded message.
    forwarded.push({ forwardedParam: content.params["forwarded"] ?? null, headers: pickHeaders(content.message.headers), body: firstText(content.message, true) });
  } else {
    collect(displayRoot, forwarded, attachments, null);
  }
  return {
    headerSource: wrapped ? "protected-inner" : "outer",
    headers: pickHeaders(wrapped ? shown.headers : top.headers),
    body: content.message && !wrapped ? null : firstText(displayRoot, false),
    forwarded,
    attachments,
    opaque,
    report: parseReport(top),
  };
}

/**
 * The content to render after `verify`: the core's innermost MIME entity when it returns one
 * (decrypted, layers removed), else the raw message. When the core reports header protection,
 * the headers of that entity are the protected ones.
 */
export function verifiedContentView(raw: string, innermost: string | null, protectedScheme: string): ContentView {
  if (innermost === null) return contentView(raw);
  const cv = contentView(innermost);
  const report = cv.report ?? contentView(raw).report;
  const headerSource = protectedScheme === "wrapped" || protectedScheme === "injected" ? "protected-inner" : cv.headerSource;
  return { ...cv, headerSource, report, opaque: false };
}
