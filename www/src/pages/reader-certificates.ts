/**
 * The reader's certificate parts: correspondents' certificates collected from a verified
 * message (shared/correspondents.ts — only what the core's valid report vouches for, stored
 * from this extension frame, never from the page) and the detail view of a signer's
 * certificate from the signature table (wasm `certificateStatus`, pages/certificate-view.ts).
 */
import { certificateInfo, certificateStatus, type VerifyReport } from "../core/wasm.js";
import { collectable, mergeCollected, type CollectOutcome } from "../shared/correspondents.js";
import { clear, h } from "../shared/dom.js";
import { errorBox } from "../shared/problem-ui.js";
import type { ReportView } from "../shared/report.js";
import { updateCorrespondents, type Settings } from "../shared/settings.js";
import { certificateDetail } from "./certificate-view.js";
import { nowRfc3339 } from "./common.js";

const OUTCOME_TEXT: Record<CollectOutcome, string> = {
  added: "saved for encryption",
  replaced: "saved for encryption, replacing the older certificate of this address",
  known: "already saved",
  older: "not saved: a newer certificate of this address is already saved",
};

/**
 * Store the certificates the (valid) report vouches for and say so (`section.collected`);
 * null when it vouches for none.
 */
export async function collectCertificates(report: VerifyReport): Promise<HTMLElement | null> {
  try {
    const found = await collectable(report, certificateInfo);
    if (found.length === 0) return null;
    const at = nowRfc3339();
    const items: HTMLElement[] = [];
    for (const f of found) {
      const outcome = await updateCorrespondents(async (current) => {
        const { next, outcome } = await mergeCollected(current, f, at, certificateInfo);
        return { next, result: outcome };
      });
      items.push(h("li", { "data-address": f.address, "data-outcome": outcome, "data-sha256": f.info.sha256Fingerprint }, `Certificate of ${f.address}: ${OUTCOME_TEXT[outcome]}.`));
    }
    return h("section", { class: "collected", "aria-label": "Correspondents' certificates" }, h("ul", {}, ...items));
  } catch (err) {
    return errorBox(err, "Certificate not saved");
  }
}

/**
 * The "Certificate…" buttons of the signature table (render-report.ts) open the detail view
 * of that signature's certificate, validated now against the user's trust anchors through the
 * path the verification found.
 */
export function wireCertificateDetails(root: HTMLElement, v: ReportView, settings: Settings): void {
  const panel = h("div", { id: "certificate-detail", "aria-live": "polite" });
  root.querySelector("table.signatures")?.after(panel);
  root.addEventListener("click", (ev) => {
    const btn = ev.target instanceof Element ? ev.target.closest("button.cert-details") : null;
    if (!btn) return;
    const s = v.signatures[Number(btn.getAttribute("data-signature"))];
    if (!s?.certificate) return;
    const certificate = s.certificate;
    clear(panel);
    certificateStatus({ certificate, certificates: [...s.chain], trustAnchors: [...settings.trustAnchors], purpose: "signing" }).then(
      (status) => { panel.append(certificateDetail(status, `Certificate of ${s.signer}`)); },
      (err: unknown) => { panel.append(errorBox(err, "Certificate")); },
    );
  });
}
