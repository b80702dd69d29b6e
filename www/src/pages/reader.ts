/**
 * Reader frame (extension origin, embedded by the content script in the webmail's message view).
 * Verifies first (wasm `verify`, or `verifyAsync` with the unlocked key), then renders. The raw
 * message arrives through the service worker's session stash; decrypted content never leaves
 * this frame.
 *
 * The key: while it is unlocked (shared/key-lock.ts) its non-extractable CryptoKeys open an
 * encrypted message and sign a signed receipt, in the page's core worker, with no password;
 * when it is locked (or the lock expired, or belongs to another identity or browser session)
 * the password is asked as before — nothing else stands in for it.
 */
import { envelopeForWebmail } from "../adapters/adapter.js";
import { attachmentBytes, displayedField, invoke, makeMdn, makeReceipt, makeReceiptUnlocked, readContent, verify, verifyReceipt, verifyUnlocked, type ContentView, type StoredKeyUse, type VerifiedContent, type VerifyReport } from "../core/wasm.js";
import { currentLock, type AsyncKey } from "../shared/key-lock.js";
import { audit, loadAudit, reportFields } from "../shared/audit.js";
import { autoReceiptAllowed, findTracked, loadReceipts, recipientLines, updateReceipts, withReceipt } from "../shared/receipts.js";
import { equivalentLabels, equivalentsNote, reportLabel } from "../shared/label-policy.js";
import { byId, clear, field, h } from "../shared/dom.js";
import { b64ToBytes, bytesToB64 } from "../shared/messages.js";
import { errorBox } from "../shared/problem-ui.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import { passwordNeeded, viewReport, type ReportView } from "../shared/report.js";
import { send } from "../shared/runtime.js";
import { loadSettings, localArea, type Settings } from "../shared/settings.js";
import { collectCertificates, wireCertificateDetails } from "./reader-certificates.js";
import { badge, hashParams, nowRfc3339, reportHeight, statusLine } from "./common.js";
import * as R from "./render-report.js";
import { progressText } from "../shared/core-worker-protocol.js";

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
  root.append(statusLine("Fetching the message…"));
  const entry = await send("stash.get", { id: stashId });
  // A large message is not stashed: the reader asks the webmail for it (the content script of
  // this tab fetches it with the user's session).
  let rawB64 = entry.rawB64;
  if (rawB64 === null) {
    const fetched = await send("webmail", { op: "fetchRaw", id: entry.messageId });
    if (fetched.op !== "fetchRaw") throw new CodedError(EXTENSION_CODES.badMessage, "The webmail answered another request.");
    rawB64 = fetched.rawB64;
  }
  const raw = b64ToBytes(rawB64);
  await render(raw, { messageId: entry.messageId, folder: entry.folder, user: entry.user }, null);
}

/** Where the message was opened: the webmail's id and folder, and the logged-in user. */
interface Opened {
  readonly messageId: string;
  readonly folder: string | null;
  readonly user: string | null;
}

/**
 * The core's verification in the page's core worker, with progress ("Verifying… 13.7 MiB")
 * and a heartbeat: every animation frame and timer tick the page runs while the worker works
 * is counted (`data-ui-ticks` on the status line, then on `#app`), which shows
 * the page stayed responsive.
 */
async function verifyWithProgress(raw: Uint8Array, run: (progress: (stage: Parameters<typeof progressText>[0], bytes: number) => void) => Promise<VerifiedContent>): Promise<{ out: VerifiedContent; ticks: number }> {
  const status = statusLine(progressText("verify", raw.length));
  status.setAttribute("data-state", "verifying");
  const elapsed = h("span", { class: "elapsed" }, "");
  status.append(" ", elapsed);
  root.append(status);
  const started = Date.now();
  let ticks = 0;
  let running = true;
  const frame = () => {
    if (!running) return;
    ticks++;
    status.setAttribute("data-ui-ticks", String(ticks));
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const timer = setInterval(() => {
    ticks++;
    status.setAttribute("data-ui-ticks", String(ticks));
    elapsed.textContent = `(${Math.round((Date.now() - started) / 1000)} s)`;
  }, 250);
  try {
    const out = await run((stage, bytes) => {
      status.firstChild?.replaceWith(progressText(stage, bytes));
    });
    return { out, ticks };
  } finally {
    running = false;
    clearInterval(timer);
    status.remove();
  }
}

async function render(raw: Uint8Array, opened: Opened, password: string | null): Promise<void> {
  const messageId = opened.messageId;
  const settings = await loadSettings();
  // The reader's own address: the key's, else the webmail login (for `readerPrecedence`).
  const reader = settings.identity?.address || opened.user || undefined;
  clear(root);
  const key: StoredKeyUse | undefined =
    password !== null && settings.identity
      ? { encryptedPkcs8: settings.identity.encryptedPkcs8, password, certificate: settings.identity.certificate, chain: settings.identity.chain }
      : undefined;
  // The unlocked key, unless the user typed the password for this message.
  const unlocked = password === null ? await unlockedKey(settings) : null;
  let out: VerifiedContent;
  let ticks: number;
  try {
    // The worker gets a decryption key only when the user typed its password for this message,
    // or the key is unlocked (its CryptoKeys, never the stored key or a password).
    const context = { trustAnchors: settings.trustAnchors, at: nowRfc3339(), reader, trustedAuthservIds: settings.trustedAuthservIds };
    ({ out, ticks } = await verifyWithProgress(raw, (progress) =>
      unlocked ? verifyUnlocked(raw, context, unlocked, progress) : verify(raw, { ...context, ...(key ? { decryptionKey: key } : {}) }, progress),
    ));
  } catch (err) {
    root.append(errorBox(err, "Verification not available"), h("p", { class: "hint" }, "The message is not displayed because it could not be verified. Use the webmail's raw view if you must read it unverified."));
    return;
  }
  const why = password === null ? passwordNeeded(out.report) : null;
  if (why !== null) {
    // The core found an encrypted layer and no key (`no-decryption-key`), or one the unlocked
    // key cannot open (`key-provider-unsupported`): ask for the password.
    if (!settings.identity) {
      root.append(errorBox(new CodedError(EXTENSION_CODES.noKey), "Encrypted message"));
      return;
    }
    const pw = h("input", { type: "password", id: "key-password", autocomplete: "current-password", required: true });
    const form = h(
      "form",
      { class: "unlock", "aria-label": "Unlock your key" },
      h(
        "p",
        {},
        why === "key-provider"
          ? "Your unlocked key cannot open this message: its key transport (such as RSAES-PKCS1-v1_5, which OpenSSL and many mail clients use by default) is not in the browser's WebCrypto. Enter your key password to decrypt it inside the extension."
          : "This message is encrypted. Enter your key password to decrypt it inside the extension.",
      ),
      h("label", { for: "key-password" }, "Key password"),
      pw,
      h("button", { type: "submit" }, "Decrypt and verify"),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void render(raw, opened, pw.value).catch(showFatal);
    });
    root.append(form);
    pw.focus();
    return;
  }
  const { report: verified, content: innermost } = out;
  // A signed receipt is checked against the sent copy it answers (RFC 2634 §2.7).
  // The core reads the MMHS view (`mmhs`, with the reader's precedence) from the header section
  // the recipient is meant to see — the protected one under header protection — and reports an
  // unreadable one as a problem (src/verify/verdict.rs): the page never picks a header section.
  const report = await receiptChecked(raw, verified, settings, key, unlocked, reader);
  const v = viewReport(report);
  const auditError = await auditOpened(report, v, opened);
  const contentRequest = { headerProtection: hpScheme(v.headerProtection.scheme) };
  let content: ContentView;
  try {
    content = await readContent(innermost, contentRequest);
  } catch (err) {
    root.append(errorBox(err, "The content could not be read"));
    return;
  }
  const signedLabel = reportLabel(report);
  const equivalents = signedLabel ? equivalentsNote(await equivalentLabels(invoke, settings.labelPolicies, signedLabel)) : null;
  root.append(
    ...[
      ...R.reportSections(v, settings.trustAnchors.length === 0 ? errorBox(new CodedError(EXTENSION_CODES.noTrustAnchors), "Settings") : null, true),
      await receiptsOfSent(v),
      auditError,
      isOwnFolder(opened) || (reader !== undefined && v.signedReceiptRequest?.signer?.toLowerCase() === reader.toLowerCase()) ? null : signedReceiptPrompt(v, report, raw, settings, key, unlocked !== null, reader ?? null),
      equivalents,
      receiptPrompt(v, raw, content, messageId, settings.identity?.address ?? null),
      R.dsnView(content, v),
      R.messageContent(content, (index) => attachmentBytes(innermost, index, contentRequest)),
    ].filter((x): x is HTMLElement => x !== null),
  );
  wireCertificateDetails(root, v, settings);
  const collected = await collectCertificates(report);
  if (collected) root.querySelector("table.signatures")?.before(collected);
  // How many frames and timer ticks the page ran while the worker verified (responsiveness).
  root.setAttribute("data-ui-ticks", String(ticks));
}

/** The unlocked key of the settings' identity now, or null (locked, expired, another identity). */
async function unlockedKey(settings: Settings): Promise<AsyncKey | null> {
  if (!settings.identity) return null;
  return (await currentLock(settings.identity)).key;
}

/** The report's header-protection scheme as the core's content request names it. */
function hpScheme(scheme: string): "wrapped" | "injected" | "none" {
  return scheme === "wrapped" || scheme === "injected" ? scheme : "none";
}

/**
 * Receipt request (Disposition-Notification-To, RFC 8098): the reader decides. "Send receipt"
 * has the core build the MDN (wasm `makeMdn`, src/compose/mdn.rs: multipart/report, null
 * reverse-path) and submits it
 * through the webmail; "Refuse" sends nothing. The decision is remembered per message.
 */
function receiptPrompt(v: ReportView, raw: Uint8Array, content: ContentView, messageId: string, reader: string | null): HTMLElement | null {
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
      // the message as received, read by the core: its header section and Original-Recipient
      const outer = await readContent(raw);
      const shown = (view: ContentView, name: string) => view.headers.find((f) => f.name === name)?.value ?? null;
      // the core builds the MDN (RFC 8098), its Date, Message-ID and boundary
      const mdn = await makeMdn({
        reader,
        to,
        originalMessageId: shown(content, "Message-ID") ?? shown(outer, "Message-ID"),
        originalSubject: shown(content, "Subject"),
        originalRecipient: outer.originalRecipient,
        disposition: "displayed",
        // the outer header section only, and never for an encrypted message (no protected field in clear)
        originalHeaders: v.encrypted ? null : outer.headerSection,
        reportingUa: "mmhs-extension; MMHS browser extension",
      });
      await send("webmail", { op: "send", rawB64: bytesToB64(mdn.raw), envelope: envelopeForWebmail(mdn.envelope, Date.now()) });
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

/**
 * The report of a signed receipt checked against the sent copy it answers: the copy is found
 * by the receipt's signedContentIdentifier among those this extension sent with a request
 * (`shared/receipts.ts`), fetched from the webmail's Sent folder, and `verifyReceipt` checks
 * signature, msgSigDigest, content type and identifier. A verified receipt is recorded for the
 * Sent view and in the audit log. Unknown copy → the report with `receipt-sent-copy-unknown`
 * added (never valid); anything else the same report as `verify`'s.
 */
async function receiptChecked(raw: Uint8Array, r: VerifyReport, settings: Settings, key: StoredKeyUse | undefined, unlocked: AsyncKey | null, reader: string | undefined): Promise<VerifyReport> {
  const receipt = r.receipt;
  if (!receipt) return r;
  const identifier = receipt.identifier;
  const tracked = findTracked(await loadReceipts(localArea()), identifier);
  const problems = r.problems;
  if (!tracked?.sentId) {
    const why = tracked ? "the webmail gave no id for the Sent copy of that message" : `no sent copy recorded for receipt identifier ${identifier || "(none)"}`;
    return { ...r, problems: [...problems, { code: EXTENSION_CODES.receiptSentCopyUnknown, message: why }] };
  }
  let checked: VerifyReport;
  try {
    const fetched = await send("webmail", { op: "fetchRaw", id: tracked.sentId });
    if (fetched.op !== "fetchRaw") throw new CodedError(EXTENSION_CODES.badMessage, "The webmail answered another request.");
    // The key opens an encrypted sent copy: the unlocked one, else the one opened with the password.
    checked = await verifyReceipt(raw, b64ToBytes(fetched.rawB64), { trustAnchors: settings.trustAnchors, at: nowRfc3339(), ...(key ? { decryptionKey: key } : {}), reader }, unlocked ?? undefined);
  } catch (err) {
    // The Sent copy could not be read or checked: the receipt stays unverified, with the cause.
    const code = typeof (err as { code?: unknown }).code === "string" ? (err as { code: string }).code : EXTENSION_CODES.coreFailed;
    return { ...r, problems: [...problems, { code, message: `the sent copy could not be checked: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  const v = viewReport(checked);
  // The certificate address that is one of the copy's recipients (a certificate may name several).
  const addrs = v.signedReceipt?.from ?? [];
  const from = addrs.find((a) => tracked.recipients.some((r) => r.toLowerCase() === a.toLowerCase())) ?? addrs[0] ?? v.signedReceipt?.signer ?? null;
  if (v.signedReceipt?.verified === true && from) {
    const entry = { from, verifiedAt: nowRfc3339(), signedAt: v.signedReceipt.signingTime };
    await updateReceipts(localArea(), (s) => withReceipt(s, identifier, entry));
    await audit(localArea(), { ...reportFields("receipt-received", checked, `signed receipt from ${from} for ${tracked.messageId ?? identifier}`), mmIdentification: tracked.messageId, signedReceiptRequest: identifier });
  }
  return checked;
}

/**
 * A received message's audit record (profile §5.2), the first time the reader opens it. A
 * failure is shown (the message is still displayed: it has been verified).
 */
async function auditOpened(report: unknown, v: ReportView, opened: Opened): Promise<HTMLElement | null> {
  if (isOwnFolder(opened)) return null;
  if (v.signedReceipt) return null; // recorded as receipt-received when verified
  try {
    const fields = reportFields("received", report, `opened from ${opened.folder ?? "the webmail"} (webmail id ${opened.messageId})`);
    const log = await loadAudit(localArea());
    if (log.records.some((x) => x.event === "received" && x.mmIdentification === fields.mmIdentification && x.detail === fields.detail)) return null;
    await audit(localArea(), fields);
    return null;
  } catch (err) {
    return errorBox(err, "Not recorded in the audit log");
  }
}

/** The drafter's own folders: Sent and the officers' Release queue. */
function isOwnFolder(opened: Opened): boolean {
  return opened.folder !== null && /^(sent|release)$/i.test(opened.folder);
}

/** On one's own sent copy: which recipients returned a verified signed receipt. */
async function receiptsOfSent(v: ReportView): Promise<HTMLElement | null> {
  const id = v.signedReceiptRequest?.identifier;
  if (!id) return null;
  let tracked;
  try {
    tracked = findTracked(await loadReceipts(localArea()), id);
  } catch (err) {
    return errorBox(err, "Signed receipts");
  }
  if (!tracked) return null;
  return h(
    "section",
    { class: "sent-receipts", "aria-label": "Signed receipts for this message" },
    h("h3", {}, "Signed receipts returned"),
    h("ul", { class: "receipt-lines" }, recipientLines(tracked).map((l) => h("li", { "data-recipient": l.recipient, "data-receipt-verified": String(l.verified) }, badge(l.text, l.verified ? "ok" : "neutral")))),
  );
}

/**
 * A signed-receipt request (RFC 2634 §2.2; profile §4.1.7): "Send signed receipt" is enabled
 * only for a valid report (the core refuses anything else too, `receipt-refused-*`). The
 * receipt goes to `receiptsTo` through the webmail, like every message the extension sends.
 * The receipt is signed with the unlocked key (wasm `makeReceiptAsync`, checked again when
 * sending: an expired lock asks the password), else with the key opened by the password typed
 * for this message or in the box. Automatic return for the precedences the settings name
 * (`autoReceiptAllowed`) when the key is unlocked or was opened for this message; otherwise
 * the key password is asked.
 */
function signedReceiptPrompt(v: ReportView, report: unknown, raw: Uint8Array, settings: Settings, key: StoredKeyUse | undefined, wasUnlocked: boolean, reader: string | null): HTMLElement | null {
  const rq = v.signedReceiptRequest;
  if (!rq) return null;
  if (v.signedReceipt) return null;
  const stateKey = `mmhs.signed-receipt.${rq.identifier}`;
  const allowed = v.overall === "valid" && rq.verified;
  const box = h(
    "section",
    { class: "signed-receipt-request", "aria-label": "Signed receipt request", "data-receipt-identifier": rq.identifier, "data-allowed": String(allowed) },
    h("h3", {}, "Signed receipt requested"),
    h("p", {}, rq.text),
    allowed ? null : h("p", { class: "bad" }, badge("The message is not valid: no signed receipt can be returned.", "bad")),
  );
  const pw = h("input", { type: "password", id: "signed-receipt-password", autocomplete: "current-password" });
  const pwField = field("Key password (signs the receipt)", pw);
  // While the key is unlocked no password is asked; shown again if the lock has expired.
  if (wasUnlocked) pwField.hidden = true;
  const unlockedNote = wasUnlocked ? h("p", { class: "hint", id: "signed-receipt-unlocked" }, "Your key is unlocked: the receipt is signed with it, no password needed.") : null;
  const btn = h("button", { type: "button", id: "signed-receipt-send", disabled: !allowed }, "Send signed receipt");
  const out = h("div", { role: "status", class: "signed-receipt-result" });
  const done = (text: string) => {
    btn.setAttribute("disabled", "");
    box.setAttribute("data-signed-receipt", "sent");
    clear(out);
    out.append(text);
  };
  const go = async () => {
    clear(out);
    try {
      if (!allowed) throw new CodedError(EXTENSION_CODES.formInvalid, "The message is not valid.");
      if (!settings.identity) throw new CodedError(EXTENSION_CODES.noKey);
      if (!reader) throw new CodedError(EXTENSION_CODES.formInvalid, "Your own address is unknown (import your key in Settings).");
      // The lock is read now: a key that locked since the message opened is not used.
      const unlocked = await unlockedKey(settings);
      const typed = pw.value !== "" ? { encryptedPkcs8: settings.identity.encryptedPkcs8, password: pw.value, certificate: settings.identity.certificate, chain: settings.identity.chain } : null;
      const stored = key ?? typed;
      const context = { trustAnchors: settings.trustAnchors, at: nowRfc3339(), reader };
      const messageId = `${randomHex(16)}@${reader.split("@")[1] ?? "localhost"}`;
      const signReceipt = unlocked ? () => makeReceiptUnlocked(raw, unlocked, context, messageId) : stored ? () => makeReceipt(raw, stored, context, messageId) : null;
      if (!signReceipt) {
        pwField.hidden = false;
        unlockedNote?.remove();
        throw new CodedError(EXTENSION_CODES.keyPasswordMissing);
      }
      btn.setAttribute("disabled", "");
      const made = await signReceipt();
      await send("webmail", { op: "send", rawB64: bytesToB64(made.message), envelope: { mailFrom: reader, rcpts: made.to.map((address) => ({ address })) } });
      await chrome.storage.local.set({ [stateKey]: nowRfc3339() });
      const receiptId = await displayedField(made.message, "Message-ID");
      // The record names the original (MM Identification of the message answered).
      await audit(localArea(), reportFields("receipt-sent", report, `signed receipt ${receiptId ?? ""} to ${made.to.join(", ")}`));
      done(`Signed receipt sent to ${made.to.join(", ")}.`);
    } catch (err) {
      if (allowed) btn.removeAttribute("disabled");
      out.append(errorBox(err, "Signed receipt not sent"));
    }
  };
  btn.addEventListener("click", () => void go());
  box.append(...[unlockedNote, pwField, h("div", { class: "actions" }, btn), out].filter((x): x is HTMLElement => x !== null));
  void chrome.storage.local.get(stateKey).then((got) => {
    const earlier = got[stateKey];
    if (typeof earlier === "string") done(`You already sent a signed receipt for this message (${earlier}).`);
    else if (autoReceiptAllowed(v, settings.autoReceiptPrecedences)) {
      box.setAttribute("data-auto", "true");
      if (key || wasUnlocked) void go();
      else out.append(`Automatic signed receipt for ${v.readerPrecedence?.precedence?.name ?? "this precedence"} (Settings): enter your key password to send it.`);
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
