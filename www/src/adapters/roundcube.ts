/**
 * Adapter for Roundcube (1.6, elastic skin) with the repository's `mmhs` plugin
 * (roundcube/plugins/mmhs/README.md). Everything specific to Roundcube is in this file:
 *
 * - page hooks: the plugin's `<meta name="mmhs-roundcube" content=TOKEN data-user=ADDRESS>` (the
 *   session's request token and the logged-in address; it also marks the page as a logged-in
 *   Roundcube with the plugin), the elastic skin's `#compose-content`, `#message-content` /
 *   `#messagebody`, `#messagelist`;
 * - page URLs: `?_task=mail&_action=compose`, `?_task=mail&_action=show&_uid=UID&_mbox=MBOX`,
 *   `?_task=mail&_mbox=MBOX` (list);
 * - raw message: Roundcube's own `?_task=mail&_action=viewsource&_uid&_mbox&_save=1&_token` —
 *   with `_save=1` Roundcube prints the stored bytes unchanged; without it the inline view
 *   "formats" the source (drops CR before LF and trailing white space), which breaks signatures;
 * - send: the plugin's `POST ?_task=mail&_action=plugin.mmhs-send` (JSON `{ raw, envelope }`,
 *   `X-Roundcube-Request: TOKEN`), which submits the bytes unchanged through Roundcube's SMTP
 *   connection and saves the copy in Sent.
 *
 * Roundcube has no release queue: `listReleaseQueue` is empty and `removeFromQueue` refuses
 * (release officers use the reference webmail or `mmhs serve` as the SMTP server).
 */
import type { Envelope, QueueItem } from "../shared/messages.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import { bytesToB64 } from "../shared/messages.js";
import { repliedDiverted } from "../shared/release-queue.js";
import { rejectedAddresses, type SendOutcome, type WebmailAdapter, type WebmailView } from "./adapter.js";

const META = 'meta[name="mmhs-roundcube"]';

/** The plugin's send action (roundcube/plugins/mmhs/mmhs.php). */
export const SEND_ACTION = "plugin.mmhs-send";

/** A Roundcube message id in the extension's catalogue: `MBOX/UID` (UID last, digits). */
export function messageKey(mbox: string, uid: string): string {
  return `${mbox}/${uid}`;
}

export function parseMessageKey(id: string): { mbox: string; uid: string } | null {
  const m = /^(.+)\/([0-9]{1,10})$/.exec(id);
  return m?.[1] && m[2] ? { mbox: m[1], uid: m[2] } : null;
}

/** Page URL → view. Pure (unit-tested). */
export function roundcubeViewFromUrl(url: URL): WebmailView {
  const q = url.searchParams;
  if ((q.get("_task") ?? "mail") !== "mail") return { kind: "other" };
  const action = q.get("_action") ?? "";
  const mbox = q.get("_mbox") ?? "INBOX";
  if (action === "compose") return { kind: "compose" };
  if (action === "show" || action === "preview") {
    const uid = q.get("_uid") ?? "";
    return /^[0-9]{1,10}$/.test(uid) ? { kind: "read", messageId: messageKey(mbox, uid), folder: mbox } : { kind: "other" };
  }
  if (action === "") return { kind: "list", folder: mbox };
  return { kind: "other" };
}

/** Paths of Roundcube's endpoints relative to the page's base URL. Pure. */
export function roundcubeEndpoints(base: URL, token: string) {
  const u = (params: Record<string, string>) => {
    const x = new URL(base.pathname, base.origin);
    for (const [k, v] of Object.entries(params)) x.searchParams.set(k, v);
    return x.href;
  };
  return {
    raw: (id: string) => {
      const k = parseMessageKey(id);
      if (!k) throw new CodedError(EXTENSION_CODES.adapterUnsupported, `Not a Roundcube message id: ${id}`);
      return u({ _task: "mail", _action: "viewsource", _uid: k.uid, _mbox: k.mbox, _save: "1", _token: token });
    },
    send: u({ _task: "mail", _action: SEND_ACTION }),
  };
}

/**
 * The plugin's reply → the outcome the compose panel shows. Pure. `dropped` lists the SMTP
 * parameters Roundcube's SMTP server does not offer (README: "What Roundcube's SMTP path
 * carries"); `reply`, the SMTP server's reply to the data, says whether a submission agent of
 * `mmhs serve` diverted it to a Release queue (`repliedDiverted`); anything but `ok: true` is an
 * error (fail closed).
 */
export function parseSendReply(status: number, json: unknown): SendOutcome {
  const o = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  if (status !== 200 || o["ok"] !== true) {
    const detail = [o["code"], o["message"], o["smtpReply"]].filter((x) => typeof x === "string").join(": ");
    throw new CodedError(EXTENSION_CODES.adapterHttp, `Sending through Roundcube: HTTP ${String(status)}${detail ? ` — ${detail}` : ""}`);
  }
  const id = o["sentId"];
  const dropped = Array.isArray(o["dropped"]) ? o["dropped"].filter((x): x is string => typeof x === "string" && /^[A-Z0-9-]{1,20}$/.test(x)) : [];
  const rejected = rejectedAddresses(o["rejected"]);
  const releaseQueue = repliedDiverted(o["reply"]);
  return { id: typeof id === "string" ? id : null, notCarried: dropped, rejected, ...(releaseQueue === undefined ? {} : { releaseQueue }) };
}

/** Whether the document is a logged-in Roundcube page with the mmhs plugin. */
export function isRoundcubePage(doc: Document): boolean {
  return doc.querySelector(META) !== null && doc.querySelector("body[class*='task-']") !== null;
}

export class RoundcubeWebmail implements WebmailAdapter {
  readonly name = "Roundcube (mmhs plugin)";

  constructor(
    private readonly base: URL,
    private readonly doc: Document,
  ) {}

  private token(): string {
    const t = this.doc.querySelector(META)?.getAttribute("content") ?? "";
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(t)) throw new CodedError(EXTENSION_CODES.adapterUnsupported, "Roundcube's page carries no mmhs plugin token (is the plugin enabled and the session alive?).");
    return t;
  }

  matches(url: URL): boolean {
    return url.origin === this.base.origin && isRoundcubePage(this.doc);
  }

  detectView(url: URL): WebmailView {
    return roundcubeViewFromUrl(url);
  }

  currentUser(doc: Document): string | null {
    const v = doc.querySelector(META)?.getAttribute("data-user") ?? "";
    return v.includes("@") ? v : null;
  }

  mountPoint(view: WebmailView, doc: Document): { parent: Element; before: Element | null } | null {
    const anchor =
      view.kind === "compose"
        ? doc.querySelector("#compose-content")
        : view.kind === "read"
          ? (doc.querySelector("#message-content") ?? doc.querySelector("#messagebody"))
          : null;
    if (anchor?.parentElement) return { parent: anchor.parentElement, before: anchor };
    const content = doc.querySelector("#layout-content");
    return content ? { parent: content, before: content.firstElementChild } : null;
  }

  ownUi(view: WebmailView, doc: Document): Element[] {
    // #compose-content holds Roundcube's form and its Send button; the elastic skin also puts
    // the form's actions in #messagetoolbar (turned into #toolbar-menu by its ui.js) and clones
    // its Send button into the footer navigation (`.content-frame-navigation`, ui.js
    // create_cloned_button), which clicks the hidden one. #messagebody is its rendering of the
    // message, which has not been verified.
    const sel = view.kind === "compose" ? "#compose-content, #messagetoolbar, #toolbar-menu, #layout-content > .content-frame-navigation" : view.kind === "read" ? "#messagebody" : null;
    return sel ? Array.from(doc.querySelectorAll(sel)) : [];
  }

  async fetchRaw(messageId: string): Promise<Uint8Array> {
    const res = await fetch(roundcubeEndpoints(this.base, this.token()).raw(messageId), { credentials: "same-origin", cache: "no-store" });
    const type = res.headers.get("content-type") ?? "";
    // Roundcube answers an expired session with its login page (HTML, 200).
    if (!res.ok || type.startsWith("text/html")) throw new CodedError(EXTENSION_CODES.adapterHttp, `Fetching the raw message from Roundcube: HTTP ${String(res.status)} ${type}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async send(raw: Uint8Array, envelope: Envelope): Promise<SendOutcome> {
    const res = await fetch(roundcubeEndpoints(this.base, this.token()).send, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Roundcube-Request": this.token() },
      body: JSON.stringify({ raw: bytesToB64(raw), envelope }),
    });
    return parseSendReply(res.status, await res.json().catch(() => null));
  }

  listReleaseQueue(): Promise<QueueItem[]> {
    return Promise.resolve([]);
  }

  removeFromQueue(): Promise<void> {
    return Promise.reject(new CodedError(EXTENSION_CODES.adapterUnsupported, "Roundcube has no release queue."));
  }
}
