/**
 * Settings page sections for signed receipts (the precedences answered without a click) and
 * the MUA audit log (draft-melnikov-mmhs-profile-09 §5.2): the records, their hash chain's
 * state, and an export of the whole log as JSON.
 */
import { download, settingsSection as section } from "./common.js";
import { exportAudit, loadAudit, verifyChain, type AuditRecord } from "../shared/audit.js";
import { clear, h } from "../shared/dom.js";
import { mmhsVocabulary } from "../core/wasm.js";
import { errorBox } from "../shared/problem-ui.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import { localArea, saveSettings, type Settings } from "../shared/settings.js";


/**
 * Which precedences get a signed receipt without a click (default none), from the core's
 * standard precedences (wasm `mmhsVocabulary`); without the core the section says so and offers
 * nothing (the reader then always asks).
 */
export async function autoReceiptSection(s: Settings): Promise<HTMLElement> {
  let precedences;
  try {
    precedences = (await mmhsVocabulary()).precedences;
  } catch (err) {
    return section("Signed receipts", "auto-receipt", errorBox(err, "Signed receipts"));
  }
  const boxes = precedences.map((p) => h("input", { type: "checkbox", class: "auto-receipt", value: String(p.value), id: `auto-receipt-${String(p.value)}`, checked: s.autoReceiptPrecedences.includes(p.value) }));
  const out = h("div", { "aria-live": "polite" });
  const btn = h("button", { type: "button", id: "auto-receipt-save" }, "Save");
  btn.addEventListener("click", () => {
    void (async () => {
      clear(out);
      try {
        await saveSettings({ autoReceiptPrecedences: boxes.filter((b) => b.checked).map((b) => Number(b.value)) });
        out.append(h("p", { role: "status", class: "ok" }, "Saved."));
      } catch (err) {
        out.append(errorBox(err, "Not saved"));
      }
    })();
  });
  return section(
    "Signed receipts",
    "auto-receipt",
    h("p", {}, "Return a requested signed receipt automatically for messages of these precedences — only when the message verifies, the precedence is the one that applies to you (To: primary, Cc/Bcc: copy) and it is covered by the signature. Otherwise the reader asks."),
    h("div", { role: "group", "aria-label": "Precedences answered automatically" }, ...boxes.map((b, i) => h("label", { class: "inline", for: b.id }, b, ` ${precedences[i]?.name.toUpperCase() ?? b.value}`))),
    btn,
    out,
  );
}

function recordRow(r: AuditRecord): HTMLElement {
  const prec = [r.primaryPrecedence ? `primary ${r.primaryPrecedence}` : null, r.copyPrecedence ? `copy ${r.copyPrecedence}` : null].filter((x) => x).join(", ");
  return h(
    "tr",
    { "data-event": r.event, "data-seq": String(r.seq) },
    h("td", {}, String(r.seq)),
    h("td", {}, r.at),
    h("th", { scope: "row" }, r.event),
    h("td", {}, r.mmIdentification ?? ""),
    h("td", {}, r.messageIdentification ?? ""),
    h("td", {}, (r.originator ?? []).join(", ")),
    h("td", {}, prec),
    h("td", {}, r.securityLabel ?? ""),
    h("td", {}, [r.verdict, r.signedReceiptRequest ? `receipt request ${r.signedReceiptRequest.slice(0, 16)}…` : null, r.detail].filter((x) => x).join(" · ")),
  );
}

/** The audit log: chain state, the newest records, export. */
export async function auditSection(): Promise<HTMLElement> {
  const out = h("div", { "aria-live": "polite" });
  try {
    const log = await loadAudit(localArea());
    const brokenAt = await verifyChain(log);
    const exportBtn = h("button", { type: "button", id: "audit-export" }, "Export audit log (JSON)");
    exportBtn.addEventListener("click", () => {
      void (async () => {
        const text = await exportAudit(await loadAudit(localArea()), new Date());
        download(`mmhs-audit-${new Date().toISOString().slice(0, 10)}.json`, new TextEncoder().encode(text), "application/json");
      })().catch((err: unknown) => { out.append(errorBox(err, "Not exported")); });
    });
    const newest = [...log.records].reverse().slice(0, 200);
    return section(
      "Audit log",
      "audit",
      h("p", {}, `Messages sent, received and released, and signed receipts sent and received (MMHS profile §5.2), kept at least 10 days; ${String(log.records.length)} record(s)${log.dropped > 0 ? `, ${String(log.dropped)} dropped over the size limit` : ""}.`),
      brokenAt === null
        ? h("p", { id: "audit-chain", "data-intact": "true" }, "Hash chain intact.")
        : h("div", { id: "audit-chain", "data-intact": "false" }, errorBox(new CodedError(EXTENSION_CODES.auditLogDamaged, `first bad record: ${String(brokenAt)}`), "Audit log")),
      exportBtn,
      out,
      h(
        "table",
        { class: "audit", id: "audit-table" },
        h("caption", {}, "Newest first (200 at most; the export has all)"),
        h("thead", {}, h("tr", {}, ...["#", "Recorded", "Event", "MM Identification (Message-ID)", "Message Identification (ENVID)", "Originator", "Precedence", "Security label", "Details"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, newest.map(recordRow)),
      ),
    );
  } catch (err) {
    return section("Audit log", "audit", errorBox(err, "Audit log"));
  }
}
