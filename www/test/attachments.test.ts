// The reader's attachments: what Open previews and how Download hands the bytes over
// (src/shared/attachments.ts, src/pages/attachments.ts); the list itself is the core's
// (wasm readContent, tested in Rust: src/mime/content.rs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DOWNLOAD_TYPE, TEXT_PREVIEW_MAX, downloadBlob, downloadName, imageBlob, previewKind, previewText, sizeText } from "../src/shared/attachments.js";
import { attachmentList } from "../src/pages/attachments.js";
import { messageContent } from "../src/pages/render-report.js";
import type { AttachmentInfo, ContentView } from "../src/core/wasm.js";
import { FakeElement, fake, installFakeDom } from "./fake-dom.js";

test("HTML and SVG are never previewed as documents: text only; raster images as images; the rest download only", () => {
  assert.equal(previewKind("text/html"), "text");
  assert.equal(previewKind("image/svg+xml"), "text");
  assert.equal(previewKind("application/xhtml+xml"), "text");
  assert.equal(previewKind("IMAGE/PNG"), "image");
  assert.equal(previewKind("image/jpeg"), "image");
  assert.equal(previewKind("application/pdf"), null);
  assert.equal(previewKind("application/x-msdownload"), null);
  assert.equal(imageBlob(new Uint8Array([1]), "image/svg+xml"), null, "an SVG never becomes an image Blob");
  assert.equal(imageBlob(new Uint8Array([1]), "text/html"), null);
  assert.equal(imageBlob(new Uint8Array([1]), "image/png")?.type, "image/png");
});

test("a download is application/octet-stream whatever the part says, with the core's safe name", async () => {
  const html = new TextEncoder().encode("<script>alert(1)</script>");
  const blob = downloadBlob(html);
  assert.equal(blob.type, DOWNLOAD_TYPE);
  assert.equal(DOWNLOAD_TYPE, "application/octet-stream");
  assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), html);
  assert.equal(downloadName({ name: "plan.pdf", index: 0 }), "plan.pdf");
  assert.equal(downloadName({ name: null, index: 2 }), "attachment-3");
});

test("text previews are decoded as UTF-8 and bounded; sizes read as B / KiB / MiB", () => {
  assert.deepEqual(previewText(new TextEncoder().encode("Grüße")), { text: "Grüße", truncated: false });
  const big = previewText(new Uint8Array(TEXT_PREVIEW_MAX + 10).fill(0x41));
  assert.equal(big.truncated, true);
  assert.equal(big.text.length, TEXT_PREVIEW_MAX);
  assert.equal(sizeText(512), "512 B");
  assert.equal(sizeText(3.5 * 1024), "3.5 KiB");
  assert.equal(sizeText(10 * 1024 * 1024), "10.0 MiB");
});

function attachment(over: Partial<AttachmentInfo>): AttachmentInfo {
  return { index: 0, name: "a.bin", mediaType: "application/octet-stream", size: 3, inline: false, ...over };
}

test("the list shows name, type and size as text, Open only where a safe preview exists", () => {
  installFakeDom();
  const list = [
    attachment({ index: 0, name: "<img src=x onerror=alert(1)>.html", mediaType: "text/html", size: 25 }),
    attachment({ index: 1, name: "plan.pdf", mediaType: "application/pdf", size: 11 * 1024 * 1024 }),
  ];
  const el = fake(attachmentList(list, () => Promise.reject(new Error("not asked"))));
  const rows = [...el.all()].filter((e) => e.tagName === "li");
  assert.equal(rows.length, 2);
  assert.equal(rows[0]?.getAttribute("data-media-type"), "text/html");
  // the name is a text node, never markup
  const name = [...(rows[0]?.all() ?? [])].find((e) => e.className === "attachment-name");
  assert.equal(name?.textContent, "<img src=x onerror=alert(1)>.html");
  assert.ok(![...el.all()].some((e) => e.tagName === "img" || e.tagName === "iframe" || e.tagName === "script"));
  assert.equal([...(rows[0]?.all() ?? [])].filter((e) => e.className === "attachment-open").length, 1);
  assert.equal([...(rows[1]?.all() ?? [])].filter((e) => e.className === "attachment-open").length, 0, "a PDF is download only");
  assert.match(rows[1]?.textContent ?? "", /plan\.pdf application\/pdf · 11\.0 MiB/);
  assert.equal(attachmentList([], () => Promise.resolve(new Uint8Array())), null);
});

test("Open on an HTML attachment shows its source in a <pre>, never a document", async () => {
  installFakeDom();
  const src = "<html><body><script>parent.postMessage('pwned','*')</script></body></html>";
  const asked: number[] = [];
  const el = fake(attachmentList([attachment({ index: 4, name: "x.html", mediaType: "text/html" })], (i) => { asked.push(i); return Promise.resolve(new TextEncoder().encode(src)); }));
  const open = [...el.all()].find((e) => e.className === "attachment-open") as FakeElement;
  open.click();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(asked, [4], "the core is asked for exactly that attachment's octets");
  const pre = [...el.all()].find((e) => e.tagName === "pre");
  assert.equal(pre?.getAttribute("data-preview"), "text");
  assert.equal(pre?.textContent, src);
  assert.ok(![...el.all()].some((e) => ["iframe", "script", "object", "embed", "img"].includes(e.tagName)));
});

test("the message view lists the core's attachments and says when the content was truncated", () => {
  installFakeDom();
  const c: ContentView = {
    headerSource: "outer", headers: [{ name: "Subject", value: "orders" }], body: "text", html: false, opaque: false, forwarded: [],
    attachments: [attachment({ name: "plan.pdf", mediaType: "application/pdf" })], report: null, truncated: true, headerSection: "Subject: orders\r\n", originalRecipient: null,
  };
  const el = fake(messageContent(c, () => Promise.resolve(new Uint8Array())));
  assert.ok([...el.all()].some((e) => e.className === "attachments"));
  assert.ok([...el.all()].some((e) => e.getAttribute("data-truncated") === "true"));
});
