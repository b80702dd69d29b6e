/**
 * How the reader offers a verified message's attachments (the list itself is the core's:
 * wasm `readContent`, src/mime/content.rs — names decoded and made safe there). Pure.
 *
 * Nothing an attachment holds is ever rendered as a document in the extension's origin:
 * - **Download** hands the bytes to the browser as `application/octet-stream` (a Blob of that
 *   type with the `download` attribute), so an HTML or SVG file is saved, never opened here;
 * - **Open** previews only what cannot run script: raster images in an `<img>` (never SVG,
 *   which is a document), and text — HTML and SVG included — as plain text in a `<pre>`.
 */
import type { AttachmentInfo } from "../../../src/wasm/api.js";

/** The type every download is given, whatever the part's own media type. */
export const DOWNLOAD_TYPE = "application/octet-stream";

/** Text previews show at most this many octets. */
export const TEXT_PREVIEW_MAX = 256 * 1024;

/** Raster image types an `<img>` shows without running anything. */
const RASTER = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"]);

/** Textual types shown as plain text (never parsed or rendered as markup). */
const TEXTUAL = new Set(["application/json", "application/xml", "image/svg+xml", "message/rfc822", "message/global", "application/pgp-keys"]);

export type PreviewKind = "image" | "text" | null;

/** What "Open" shows for a media type: a raster image, plain text, or nothing (download only). */
export function previewKind(mediaType: string): PreviewKind {
  const t = mediaType.toLowerCase();
  if (RASTER.has(t)) return "image";
  if (t.startsWith("text/") || TEXTUAL.has(t) || t.endsWith("+xml") || t.endsWith("+json")) return "text";
  return null;
}

/** The name a download is saved under: the core's safe name, else `attachment-N`. */
export function downloadName(a: Pick<AttachmentInfo, "name" | "index">): string {
  return a.name ?? `attachment-${a.index + 1}`;
}

/** "512 B", "3.4 KiB", "10.0 MiB". */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The Blob a download is made from: the part's octets, typed `application/octet-stream`. */
export function downloadBlob(bytes: Uint8Array): Blob {
  return new Blob([bytes as BlobPart], { type: DOWNLOAD_TYPE });
}

/** The Blob an image preview shows: only for raster types (`previewKind` "image"). */
export function imageBlob(bytes: Uint8Array, mediaType: string): Blob | null {
  return previewKind(mediaType) === "image" ? new Blob([bytes as BlobPart], { type: mediaType.toLowerCase() }) : null;
}

/** The text a text preview shows: UTF-8 (replacement characters for the rest), bounded. */
export function previewText(bytes: Uint8Array): { text: string; truncated: boolean } {
  const truncated = bytes.length > TEXT_PREVIEW_MAX;
  return { text: new TextDecoder("utf-8", { fatal: false }).decode(truncated ? bytes.subarray(0, TEXT_PREVIEW_MAX) : bytes), truncated };
}
