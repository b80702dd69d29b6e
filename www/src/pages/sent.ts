/**
 * The drafter's Sent view (mounted by the content script above the webmail's Sent folder): the
 * release status of every copy the submission agent diverted to a Release queue (awaiting /
 * released / returned, as the webmail reports it: docs/server.md `releaseStatus`); and every
 * copy sent with a signed-receipt request, and per recipient whether a signed receipt
 * came back and was verified against the Sent copy ("receipt from bob@…: verified at …";
 * MMHS profile §4.1.7, RFC 2634 §2.7). Everything shown comes from the extension's own
 * storage (`shared/receipts.ts`), which only extension pages reach: the webmail page cannot
 * make a receipt appear verified.
 */
import { byId, h } from "../shared/dom.js";
import { errorBox } from "../shared/problem-ui.js";
import { loadReceipts, recipientLines } from "../shared/receipts.js";
import { localArea } from "../shared/settings.js";
import { badge, reportHeight } from "./common.js";
import type { ReleaseStatus, SentItem } from "../shared/messages.js";
import { send } from "../shared/runtime.js";

const root = byId("app");

const STATUS_TEXT: Readonly<Record<ReleaseStatus, string>> = {
  awaiting: "awaiting release: waits in the release officers' queue, not yet sent to its recipients",
  released: "released by an officer and sent on to its recipients",
  returned: "returned to you by an officer (see the notice in your Inbox): not sent",
};

/** The release status of the diverted copies (newest first, as the webmail lists them). */
async function releaseSection(): Promise<HTMLElement> {
  const section = h("section", { class: "sent-release", "aria-label": "Release status of sent messages" }, h("h2", {}, "Release status of your sent messages"));
  let items: readonly SentItem[];
  try {
    const r = await send("webmail", { op: "listSent" });
    items = r.op === "listSent" ? r.items : [];
  } catch (err) {
    // a webmail that does not report it (e.g. Roundcube): said so, never guessed
    section.append(h("p", { id: "release-status-unknown", "data-code": (err as { code?: string }).code ?? "" }, "This webmail does not report whether sent messages wait for release."));
    return section;
  }
  const diverted = items.filter((i) => i.releaseStatus !== null);
  if (diverted.length === 0) {
    section.append(h("p", { id: "no-diverted" }, "None of your sent messages went to a release queue."));
    return section;
  }
  section.append(
    h(
      "ul",
      { class: "release-list" },
      diverted.map((i) =>
        h(
          "li",
          { class: "sent-release-item", "data-id": i.id, "data-message-id": i.messageId ?? "", "data-release-status": i.releaseStatus ?? "" },
          h("strong", {}, i.subject || "(no subject)"),
          ` · ${i.date ?? ""} · `,
          i.releaseStatus ? h("span", { class: `release-status ${i.releaseStatus}` }, STATUS_TEXT[i.releaseStatus]) : null,
        ),
      ),
    ),
  );
  return section;
}

async function main(): Promise<void> {
  reportHeight();
  root.append(await releaseSection());
  const store = await loadReceipts(localArea());
  const tracked = [...store.sent].reverse();
  root.append(
    h(
      "section",
      { class: "sent-receipts", "aria-label": "Signed receipts for sent messages" },
      h("h2", {}, "Signed receipts for your sent messages"),
      tracked.length === 0
        ? h("p", { id: "no-tracked" }, "No message sent from this browser asked for signed receipts.")
        : h(
            "ul",
            { class: "tracked" },
            tracked.map((t) =>
              h(
                "li",
                { class: "tracked-message", "data-identifier": t.identifier, "data-message-id": t.messageId ?? "" },
                h("p", {}, h("strong", {}, t.subject || "(no subject)"), ` · ${t.messageId ?? "(no Message-ID)"} · sent ${t.sentAt}`),
                h(
                  "ul",
                  { class: "receipt-lines" },
                  recipientLines(t).map((l) => h("li", { "data-recipient": l.recipient, "data-receipt-verified": String(l.verified) }, badge(l.text, l.verified ? "ok" : "neutral"))),
                ),
              ),
            ),
          ),
    ),
  );
}

main().catch((err: unknown) => { root.append(errorBox(err, "Sent messages")); });
