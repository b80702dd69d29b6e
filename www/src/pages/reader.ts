/**
 * Reader frame (extension origin, embedded by the content script in the webmail's message view).
 * Verifies first (wasm `verify`), then renders. The raw message arrives through the service
 * worker's session stash; decrypted content never leaves this frame.
 */
import { call, verify, withMmhsView } from "../core/wasm.js";
import { headerSourceBytes, splitVerifyResult, verifiedContentView, type ContentView } from "../shared/content-view.js";
import { equivalentLabels, equivalentsNote, reportLabel } from "../shared/label-policy.js";
import { buildMdn, rfc5322Date } from "../shared/mdn.js";
import { byId, clear, h } from "../shared/dom.js";
import { b64ToBytes, bytesToB64, bytesToLatin1 } from "../shared/messages.js";
import { errorBox } from "../shared/problem-ui.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import { viewReport, type ReportView } from "../shared/report.js";
import { send } from "../shared/runtime.js";
import { loadSettings } from "../shared/settings.js";
import { hashParams, nowRfc3339, reportHeight, statusLine } from "./common.js";
import * as R from "./render-report.js";
import { header, parseHeaders, splitHeaderBody } from "../shared/mime.js";

const root = byId("app");

async function main(): Promise<void> {
  reportHeight();
  const params = hashParams();
  const early = params.get("error");
  if (early) {
    root.append(errorBox(new CodedError(early), "Could not open the message"));
    return;
  }
  const stashId = params.get("stash");
  if (!stashId) {
    root.append(errorBox(new CodedError(EXTENSION_CODES.stashMissing), "Reader"));
    return;
  }
  root.append(statusLine("Verifying…"));
  const entry = await send("stash.get", { id: stashId });
  const raw = b64ToBytes(entry.rawB64);
  await render(raw, entry.messageId, null);
}

function isEncrypted(text: string): boolean {
  const ct = header(parseHeaders(splitHeaderBody(text).head), "Content-Type") ?? "";
  return /pkcs7-mime/i.test(ct) && /enveloped-data|authenveloped-data/i.test(ct);
}

async function render(raw: Uint8Array, messageId: string, password: string | null): Promise<void> {
  const settings = await loadSettings();
  const text = bytesToLatin1(raw);
  clear(root);
  if (isEncrypted(text) && password === null) {
    if (!settings.identity) {
      root.append(errorBox(new CodedError(EXTENSION_CODES.noKey), "Encrypted message"));
      return;
    }
    const pw = h("input", { type: "password", id: "key-password", autocomplete: "current-password", required: true });
    const form = h(
      "form",
      { class: "unlock", "aria-label": "Unlock your key" },
      h("p", {}, "This message is encrypted. Enter your key password to decrypt it inside the extension."),
      h("label", { for: "key-password" }, "Key password"),
      pw,
      h("button", { type: "submit" }, "Decrypt and verify"),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void render(raw, messageId, pw.value).catch(showFatal);
    });
    root.append(form);
    pw.focus();
    return;
  }
  let out: unknown;
  try {
    out = await verify(raw, {
      trustAnchors: settings.trustAnchors,
      at: nowRfc3339(),
      decryptionKey:
        password !== null && settings.identity
          ? { encryptedPkcs8: settings.identity.encryptedPkcs8, password, certificate: settings.identity.certificate, chain: settings.identity.chain }
          : undefined,
    });
  } catch (err) {
    root.append(errorBox(err, "Verification not available"), h("p", { class: "hint" }, "The message is not displayed because it could not be verified. Use the webmail's raw view if you must read it unverified."));
    return;
  }
  const { report: coreReport, content: innermost } = splitVerifyResult(out);
  const innerBytes = innermost === null ? null : typeof innermost === "string" ? new TextEncoder().encode(innermost) : innermost;
  const scheme = (coreReport as { headerProtection?: { scheme?: unknown } } | null)?.headerProtection?.scheme;
  const report = await withMmhsView(coreReport, headerSourceBytes(raw, innerBytes, typeof scheme === "string" ? scheme : "none"), nowRfc3339());
  const v = viewReport(report);
  const content = verifiedContentView(text, innermost === null ? null : typeof innermost === "string" ? innermost : bytesToLatin1(innermost), v.headerProtection.scheme);
  const signedLabel = reportLabel(coreReport);
  const equivalents = signedLabel ? equivalentsNote(await equivalentLabels(call, settings.labelPolicies, signedLabel)) : null;
  root.append(
    ...[
      ...R.reportSections(v, settings.trustAnchors.length === 0 ? errorBox(new CodedError(EXTENSION_CODES.noTrustAnchors), "Settings") : null),
      equivalents,
      receiptPrompt(v, text, content, messageId, settings.identity?.address ?? null),
      R.dsnView(content, v),
      R.messageContent(content),
    ].filter((x): x is HTMLElement => x !== null),
  );
}

/**
 * Receipt request (Disposition-Notification-To, RFC 8098): the reader decides. "Send receipt"
 * builds the MDN here (src/shared/mdn.ts: multipart/report, null reverse-path) and submits it
 * through the webmail; "Refuse" sends nothing. The decision is remembered per message.
 */
function receiptPrompt(v: ReportView, raw: string, content: ContentView, messageId: string, reader: string | null): HTMLElement | null {
  if (!v.receiptRequest) return null;
  const to = v.receiptRequest.to;
  const key = `mmhs.receipt.${messageId}`;
  const box = h(
    "section",
    { class: "receipt", "aria-label": "Receipt request", "data-receipt-to": to },
    h("h3", {}, "Receipt requested"),
    h("p", {}, `The originator asks for a receipt notification (MDN) to ${to}. Nothing is sent unless you choose to.`),
  );
  const out = h("div", { role: "status", class: "receipt-result" });
  const sendBtn = h("button", { type: "button", id: "receipt-send" }, "Send receipt");
  const refuseBtn = h("button", { type: "button", id: "receipt-refuse" }, "Refuse");
  const done = (state: string) => {
    sendBtn.setAttribute("disabled", "");
    refuseBtn.setAttribute("disabled", "");
    box.setAttribute("data-receipt", state);
  };
  const decide = async (choice: "sent" | "refused") => {
    clear(out);
    if (choice === "refused") {
      await chrome.storage.local.set({ [key]: "refused" });
      done("refused");
      out.append("Receipt refused: no notification was sent.");
      return;
    }
    try {
      if (!reader) throw new CodedError(EXTENSION_CODES.formInvalid, "Your own address is unknown (import your key in Settings, or log in to the webmail).");
      const outerHead = splitHeaderBody(raw).head;
      const shown = content.headers;
      const mdn = buildMdn({
        reader,
        to,
        originalMessageId: header(shown, "Message-ID") ?? header(parseHeaders(outerHead), "Message-ID"),
        originalSubject: header(shown, "Subject"),
        originalRecipient: header(parseHeaders(outerHead), "Original-Recipient"),
        disposition: "displayed",
        date: rfc5322Date(new Date()),
        messageId: `${randomHex(16)}@${reader.split("@")[1] ?? "localhost"}`,
        // the outer header section only, and never for an encrypted message (no protected field in clear)
        originalHeaders: v.encrypted ? null : outerHead,
        reportingUa: "mmhs-extension; MMHS browser extension",
        boundary: `mdn-${randomHex(12)}`,
      });
      await send("webmail", { op: "send", rawB64: bytesToB64(new TextEncoder().encode(mdn.raw)), envelope: mdn.envelope });
      await chrome.storage.local.set({ [key]: "sent" });
      done("sent");
      out.append("Receipt notification sent.");
    } catch (err) {
      out.append(errorBox(err, "Receipt not sent"));
    }
  };
  sendBtn.addEventListener("click", () => void decide("sent"));
  refuseBtn.addEventListener("click", () => void decide("refused"));
  box.append(h("div", { class: "actions" }, sendBtn, " ", refuseBtn), out);
  void chrome.storage.local.get(key).then((got) => {
    const earlier = got[key];
    if (earlier === "sent" || earlier === "refused") {
      done(earlier);
      out.append(earlier === "sent" ? "You already sent a receipt for this message." : "You refused a receipt for this message.");
    }
  });
  return box;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function showFatal(err: unknown): void {
  clear(root);
  root.append(errorBox(err, "Reader"));
}

main().catch(showFatal);
