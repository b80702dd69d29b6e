/** Shared bootstrap for extension frames and pages. */
import { h } from "../shared/dom.js";
import { MARKS } from "../shared/mmhs.js";

export function hashParams(): URLSearchParams {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

/** Tell the embedding webmail page our height (only a number crosses the boundary). */
export function reportHeight(): void {
  if (window.parent === window) return;
  const post = () => {
    window.parent.postMessage({ mmhsFrameHeight: document.documentElement.scrollHeight }, "*");
  };
  new ResizeObserver(post).observe(document.body);
  post();
}

export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A titled section of the settings page (`aria-labelledby` its heading). */
export function settingsSection(title: string, id: string, ...children: (HTMLElement | string | null)[]): HTMLElement {
  return h("section", { class: "settings-section", "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), ...children);
}

export function statusLine(text: string): HTMLElement {
  return h("p", { class: "status", role: "status" }, text);
}

/** A status badge; only `ok` is styled as success (✔). */
export function badge(text: string, kind: "ok" | "bad" | "warn" | "info" | "neutral"): HTMLElement {
  const icon = kind === "ok" ? "✔ " : kind === "bad" ? "✖ " : kind === "warn" ? "⚠ " : "";
  return h("span", { class: `badge ${kind}` }, icon + text);
}

export function download(name: string, bytes: Uint8Array, type = "message/rfc822"): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = h("a", { href: url, download: name });
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); }, 10_000);
}

/**
 * The text marker of FLASH-and-above (`urgent`) or SECRET-and-above (`high`) beside the
 * colours (shared/mmhs.ts `MARKS`): a distinct shape per kind (ui.css `.mark-urgent`,
 * `.mark-high`), so neither depends on colour alone.
 */
export function mark(kind: keyof typeof MARKS): HTMLElement {
  const m = MARKS[kind];
  return h("span", { class: `mark mark-${kind}`, "data-mark": kind, title: m.title }, kind === "urgent" ? `⚡ ${m.text}` : `▲ ${m.text}`);
}
