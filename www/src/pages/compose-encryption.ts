/**
 * The compose panel's "Encrypted to" box: for each recipient, the certificate the message
 * will be encrypted to — the core's own choice (wasm `encryptionRecipients`, the same choice
 * `encrypt` makes: the recipient's certificate among the correspondents', valid now under the
 * user's trust anchors, else with domain encryption its domain's DCA / gateway) — and, in
 * red, every recipient that has none (`no-recipient-certificate`: the message is not sent,
 * never in clear) with why a certificate it has is refused (expired, untrusted …).
 */
import { encryptionRecipients, type RecipientCertificates } from "../core/wasm.js";
import { correspondentPems } from "../shared/correspondents.js";
import { clear, h } from "../shared/dom.js";
import { errorBox } from "../shared/problem-ui.js";
import { describeProblem } from "../shared/problems.js";
import type { Settings } from "../shared/settings.js";
import { nowRfc3339 } from "./common.js";

/** What `encrypt` needs to choose like the box shows: the certificates, anchors and time. */
export function encryptionLookup(settings: Settings): { certificates: string[]; trustAnchors: string[]; at: string } {
  return { certificates: correspondentPems(settings.correspondents), trustAnchors: [...settings.trustAnchors], at: nowRfc3339() };
}

function recipientItem(r: RecipientCertificates): HTMLElement {
  const chosen = r.chosen.map((c) =>
    h(
      "span",
      { class: "encryption-certificate", "data-sha256": c.certificate.sha256Fingerprint, "data-kind": c.kind },
      c.kind === "personal" ? "" : `${c.kind === "dca" ? "the domain confidentiality authority" : "the S/MIME gateway"} of ${c.domain ?? "?"}: `,
      `${c.certificate.subject} (valid until ${c.certificate.notAfter}; SHA-256 ${c.certificate.sha256Fingerprint})`,
    ),
  );
  const refused = r.refused.map((x) =>
    h("li", { class: "encryption-refused", "data-sha256": x.certificate.sha256Fingerprint, "data-code": x.problems[0]?.code ?? "" }, `not used: ${x.certificate.subject} — ${x.problems.map((p) => describeProblem(p).text).join(" ")}`),
  );
  return h(
    "li",
    { class: r.chosen.length > 0 ? "has-certificate" : "no-certificate", "data-address": r.address, "data-has-certificate": String(r.chosen.length > 0) },
    h("strong", {}, r.address),
    r.chosen.length > 0 ? ": encrypted to " : ": NO CERTIFICATE — the message cannot be encrypted to this recipient and will not be sent.",
    ...chosen,
    refused.length > 0 ? h("ul", {}, ...refused) : null,
  );
}

/**
 * The box (`#encryption-recipients`) and its refresh: called with the recipients and whether
 * domain encryption is on, it asks the core again; hidden while encryption is off.
 */
export function encryptionPart(settings: Settings): { element: HTMLElement; refresh: (on: boolean, rcpt: readonly string[], domain: boolean) => void } {
  const element = h("div", { id: "encryption-recipients", "aria-live": "polite", hidden: true });
  let generation = 0;
  const refresh = (on: boolean, rcpt: readonly string[], domain: boolean): void => {
    const mine = ++generation;
    element.hidden = !on;
    if (!on) {
      clear(element);
      return;
    }
    if (rcpt.length === 0) {
      element.replaceChildren(h("p", {}, "Encrypted to: add recipients."));
      return;
    }
    encryptionRecipients({ rcpt: [...rcpt], domainEncryption: domain ? "whenNoPersonal" : "none", ...encryptionLookup(settings) }).then(
      (list) => {
        if (mine !== generation) return;
        const missing = list.filter((r) => r.chosen.length === 0).map((r) => r.address);
        element.setAttribute("data-missing", missing.join(" "));
        element.replaceChildren(h("p", { class: "encryption-heading" }, "Encrypted to:"), h("ul", {}, ...list.map(recipientItem)));
        if (missing.length > 0) {
          element.append(errorBox({ code: "no-recipient-certificate", message: `No usable certificate for ${missing.join(", ")}: the message will not be sent. Import their certificate in Settings, or read a signed message from them first.` }, "Encryption"));
        }
      },
      (err: unknown) => {
        if (mine !== generation) return;
        element.setAttribute("data-missing", rcpt.join(" "));
        element.replaceChildren(errorBox(err, "Encryption"));
      },
    );
  };
  return { element, refresh };
}
