/**
 * The drafter's Sent view (mounted by the content script above the webmail's Sent folder):
 * every copy sent with a signed-receipt request, and per recipient whether a signed receipt
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

const root = byId("app");

async function main(): Promise<void> {
  reportHeight();
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
