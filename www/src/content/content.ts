/**
 * Content script: attaches to a supported webmail through its adapter, mounts extension-origin
 * frames (reader / compose / release) into the page, and executes webmail operations for those
 * frames. It never loads the wasm core and never sees keys or decrypted content.
 */
import { adapterFor } from "../adapters/registry.js";
import type { WebmailAdapter, WebmailView } from "../adapters/adapter.js";
import { b64ToBytes, bytesToB64, fail, ok, parseMessage, STASH_INLINE_MAX, type Result, type WebmailOp, type WebmailResult } from "../shared/messages.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import { ownUiText } from "../adapters/own-ui.js";
import { send } from "../shared/runtime.js";

const FRAME_ATTR = "data-mmhs-frame";

async function perform(adapter: WebmailAdapter, op: WebmailOp): Promise<WebmailResult> {
  switch (op.op) {
    case "fetchRaw":
      return { op: "fetchRaw", rawB64: bytesToB64(await adapter.fetchRaw(op.id)) };
    case "send":
      return { op: "send", ...(await adapter.send(b64ToBytes(op.rawB64), op.envelope)) };
    case "listReleaseQueue":
      return { op: "listReleaseQueue", items: await adapter.listReleaseQueue() };
    case "listSent":
      if (!adapter.listSent) throw new CodedError(EXTENSION_CODES.adapterUnsupported, `${adapter.name} does not report the release status of sent messages.`);
      return { op: "listSent", items: await adapter.listSent() };
    case "removeFromQueue":
      await adapter.removeFromQueue(op.id);
      return { op: "removeFromQueue" };
    case "whoami":
      return { op: "whoami", user: adapter.currentUser(document) };
  }
}

function mountFrame(adapter: WebmailAdapter, view: WebmailView, page: string, hash: string): void {
  document.querySelectorAll(`iframe[${FRAME_ATTR}]`).forEach((f) => { f.remove(); });
  const where = adapter.mountPoint(view, document);
  if (!where) return;
  const frame = document.createElement("iframe");
  frame.setAttribute(FRAME_ATTR, page);
  frame.src = chrome.runtime.getURL(`${page}.html`) + (hash ? `#${hash}` : "");
  frame.title = `MMHS ${page}`;
  frame.style.cssText = "display:block;width:100%;min-height:320px;border:2px solid #1d3557;border-radius:6px;margin:8px 0;background:#fff";
  frame.setAttribute("allow", "");
  where.parent.insertBefore(frame, where.before);
}

const ESCAPE_ATTR = "data-mmhs-own-ui";

/**
 * Hide the webmail's own compose form / unverified message view / unverified queue table while
 * the extension's panel owns the view (two send buttons on one page invite the wrong one). A
 * button switches between the panel and the webmail's own elements — one of the two at a time
 * (in a column layout such as Roundcube's both would not fit anyway); leaving the panel asks
 * first (`ownUiText`: what the user gives up), coming back does not.
 */
function hideOwnUi(adapter: WebmailAdapter, view: WebmailView): void {
  document.querySelectorAll(`[${ESCAPE_ATTR}]`).forEach((b) => { b.remove(); });
  const own = (adapter.ownUi?.(view, document) ?? []).filter((el): el is HTMLElement => el instanceof HTMLElement);
  const frame = document.querySelector<HTMLElement>(`iframe[${FRAME_ATTR}]`);
  const text = ownUiText(view.kind);
  if (!frame?.parentElement || own.length === 0 || !text) return;
  const ownDisplay = own.map((el) => el.style.display);
  const frameDisplay = frame.style.display;
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute(ESCAPE_ATTR, view.kind);
  button.style.cssText = "display:block;margin:4px 0;padding:4px 10px;font:inherit;cursor:pointer";
  const show = (panel: boolean): void => {
    own.forEach((el, i) => {
      el.style.display = panel ? "none" : (ownDisplay[i] ?? "");
      // hidden from assistive technology and the tab order too, not only from sight
      if (panel) el.setAttribute("aria-hidden", "true");
      else el.removeAttribute("aria-hidden");
    });
    frame.style.display = panel ? frameDisplay : "none";
    button.textContent = panel ? text.toOwn : text.toPanel;
    button.setAttribute("data-showing", panel ? "panel" : "webmail");
  };
  button.addEventListener("click", () => {
    const toOwn = button.getAttribute("data-showing") === "panel";
    if (toOwn && !window.confirm(text.confirm)) return;
    show(!toOwn);
  });
  frame.parentElement.insertBefore(button, frame);
  show(true);
}

async function attach(adapter: WebmailAdapter): Promise<void> {
  const view = adapter.detectView(new URL(location.href), document);
  const user = adapter.currentUser(document);
  const userHash = user ? `&user=${encodeURIComponent(user)}` : "";
  switch (view.kind) {
    case "read": {
      let id: string;
      try {
        const raw = await adapter.fetchRaw(view.messageId);
        // A large message stays out of the session stash (its quota); the reader fetches it.
        ({ id } = await send("stash.put", { rawB64: raw.length <= STASH_INLINE_MAX ? bytesToB64(raw) : null, messageId: view.messageId, folder: view.folder, user }));
      } catch (err) {
        console.error("mmhs: could not hand the message to the reader", err);
        mountFrame(adapter, view, "reader", `error=${encodeURIComponent((err as { code?: string }).code ?? EXTENSION_CODES.adapterHttp)}`);
        return;
      }
      mountFrame(adapter, view, "reader", `stash=${id}${userHash}`);
      hideOwnUi(adapter, view);
      return;
    }
    case "compose":
      mountFrame(adapter, view, "compose", userHash.slice(1));
      hideOwnUi(adapter, view);
      return;
    case "release-queue":
      mountFrame(adapter, view, "release", userHash.slice(1));
      hideOwnUi(adapter, view);
      return;
    case "list":
      // The drafter's Sent folder: the signed receipts that came back (pages/sent.ts).
      if (/^sent$/i.test(view.folder)) mountFrame(adapter, view, "sent", "");
      return;
    case "other":
      return;
  }
}

function main(): void {
  const adapter = adapterFor(new URL(location.href), document);
  if (!adapter) return;

  chrome.runtime.onMessage.addListener((raw: unknown, sender, sendResponse: (r: Result<WebmailResult>) => void) => {
    // Only our own service worker (no tab) may drive the adapter.
    if (sender.id !== chrome.runtime.id || sender.tab) return false;
    const msg = parseMessage(raw);
    if (msg?.type !== "adapter") {
      sendResponse(fail(EXTENSION_CODES.badMessage, "Unrecognised adapter request."));
      return false;
    }
    perform(adapter, msg.body).then(
      (v) => { sendResponse(ok(v)); },
      (err: unknown) => {
        const e = err as { code?: unknown; message?: unknown };
        sendResponse(fail(typeof e.code === "string" ? e.code : EXTENSION_CODES.adapterHttp, typeof e.message === "string" ? e.message : String(err)));
      },
    );
    return true;
  });

  // Frames report their content height so the page does not need to scroll inside them.
  window.addEventListener("message", (ev: MessageEvent) => {
    if (ev.origin !== new URL(chrome.runtime.getURL("")).origin) return;
    const d: unknown = ev.data;
    if (typeof d !== "object" || d === null) return;
    const height = (d as { mmhsFrameHeight?: unknown }).mmhsFrameHeight;
    if (typeof height !== "number" || !Number.isFinite(height)) return;
    document.querySelectorAll<HTMLIFrameElement>(`iframe[${FRAME_ATTR}]`).forEach((f) => {
      if (f.contentWindow === ev.source) f.style.height = `${Math.min(Math.max(height + 8, 200), 4000)}px`;
    });
  });

  void attach(adapter);
}

main();
