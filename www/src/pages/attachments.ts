/**
 * The reader's attachment list (DOM): one row per attachment of the core's content view with
 * its name, media type and size, **Open** (a safe preview, `shared/attachments.ts`) and
 * **Download** (octets as `application/octet-stream`). The bytes come from the core
 * (`attachmentBytes`, in the core worker) only when asked for.
 */
import type { AttachmentInfo } from "../core/wasm.js";
import { downloadBlob, downloadName, imageBlob, previewKind, previewText, sizeText } from "../shared/attachments.js";
import { clear, h } from "../shared/dom.js";
import { errorBox } from "../shared/problem-ui.js";

export type FetchAttachment = (index: number) => Promise<Uint8Array>;

/** How long a download's object URL lives (the browser has started the download by then). */
const URL_LIFETIME_MS = 60_000;

function row(a: AttachmentInfo, fetchBytes: FetchAttachment): HTMLElement {
  const name = downloadName(a);
  const out = h("div", { class: "attachment-out", role: "status" });
  const kind = previewKind(a.mediaType);
  const openBtn = kind ? h("button", { type: "button", class: "attachment-open", "aria-label": `Open ${name}` }, "Open") : null;
  const saveBtn = h("button", { type: "button", class: "attachment-download", "aria-label": `Download ${name}` }, "Download");
  const busy = async (btn: HTMLButtonElement, work: (bytes: Uint8Array) => void) => {
    btn.setAttribute("disabled", "");
    clear(out);
    try {
      work(await fetchBytes(a.index));
    } catch (err) {
      out.append(errorBox(err, `${name} could not be read`));
    } finally {
      btn.removeAttribute("disabled");
    }
  };
  openBtn?.addEventListener("click", () =>
    void busy(openBtn, (bytes) => {
      const image = imageBlob(bytes, a.mediaType);
      if (image) {
        const url = URL.createObjectURL(image);
        out.append(h("img", { class: "attachment-preview", "data-preview": "image", src: url, alt: name }));
        return;
      }
      const { text, truncated } = previewText(bytes);
      out.append(h("pre", { class: "attachment-preview", "data-preview": "text" }, text));
      if (truncated) out.append(h("p", { class: "hint" }, "Only the beginning is shown: download the file for all of it."));
    }),
  );
  saveBtn.addEventListener("click", () =>
    void busy(saveBtn, (bytes) => {
      const blob = downloadBlob(bytes);
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: name, class: "attachment-saved", "data-download-type": blob.type }, `Saved as ${name}`);
      out.append(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(url); }, URL_LIFETIME_MS);
    }),
  );
  return h(
    "li",
    { class: "attachment", "data-attachment-index": a.index, "data-media-type": a.mediaType, "data-size": a.size },
    h("span", { class: "attachment-name" }, name),
    h("span", { class: "attachment-type" }, ` ${a.mediaType}${a.inline ? " (inline)" : ""}`),
    h("span", { class: "attachment-size" }, ` · ${sizeText(a.size)} `),
    openBtn,
    " ",
    saveBtn,
    out,
  );
}

/** The attachment list, or null when there is none. */
export function attachmentList(list: readonly AttachmentInfo[], fetchBytes: FetchAttachment): HTMLElement | null {
  if (list.length === 0) return null;
  return h(
    "section",
    { class: "attachments", "aria-label": "Attachments" },
    h("h4", {}, `Attachments (${list.length})`),
    h("ul", { class: "attachment-list" }, list.map((a) => row(a, fetchBytes))),
  );
}
