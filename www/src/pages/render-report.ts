/** DOM rendering of a ReportView + ContentView (reader and release preview share it). */
import type { ContentView } from "../shared/content-view.js";
import { h } from "../shared/dom.js";
import { statusText } from "../shared/mime.js";
import { problemList } from "../shared/problem-ui.js";
import type { ReportView, SignatureView } from "../shared/report.js";
import { badge } from "./common.js";

export function precedenceStrip(v: ReportView): HTMLElement | null {
  if (!v.primaryPrecedence && !v.copyPrecedence) return null;
  const parts: string[] = [];
  if (v.primaryPrecedence) parts.push(`${v.primaryPrecedence.name} (primary)`);
  if (v.copyPrecedence) parts.push(`${v.copyPrecedence.name} (copy)`);
  const top = v.primaryPrecedence?.urgent ? v.primaryPrecedence : v.copyPrecedence?.urgent ? v.copyPrecedence : v.primaryPrecedence ?? v.copyPrecedence;
  const urgentName = top?.name ?? "";
  return h(
    "div",
    { class: `precedence ${v.urgent ? `urgent ${urgentName.toLowerCase()}` : "normal"}`, role: v.urgent ? "alert" : "note", "data-precedence": urgentName },
    v.urgent ? h("span", { class: "precedence-big" }, urgentName) : null,
    h("span", { class: "precedence-text" }, `Precedence: ${parts.join(" · ")}`),
    v.messageType ? h("span", { class: "message-type" }, ` · Message type: ${v.messageType}`) : null,
  );
}

export function labelBanner(v: ReportView): HTMLElement {
  if (!v.label) {
    return h("div", { class: "label-banner none", role: "note", "data-classification": "none" }, "NO SECURITY LABEL");
  }
  const l = v.label;
  return h(
    "div",
    { class: "label-banner", role: "note", style: `color:${l.fg};background:${l.bg}`, "data-classification": l.classification, "aria-label": `Security label ${l.text}` },
    h("span", { class: "label-text" }, l.text),
    h(
      "span",
      { class: "label-detail" },
      [l.privacyMark && !l.text.includes(l.privacyMark) ? `Privacy mark: ${l.privacyMark}` : null, l.policy ? `Policy ${l.policy}` : null, l.source === "sio" ? "SIO-Label header only (not signed)" : "signed ESS label"]
        .filter((x): x is string => x !== null)
        .join(" · "),
    ),
  );
}

export function clearWarning(v: ReportView): HTMLElement | null {
  if (!v.clearService) return null;
  return h("div", { class: "clear-warning", role: "alert" }, "CLEAR SERVICE: this classified message was transmitted over NON-SECURE communication links.");
}

export function verdict(v: ReportView): HTMLElement {
  return h("div", { class: `verdict ${v.overall}`, role: v.overall === "valid" ? "status" : "alert", "data-verdict": v.overall }, v.overall === "valid" ? "✔ " : "✖ ", v.summary);
}

function signatureRow(s: SignatureView): HTMLElement[] {
  const status = s.status === "valid" ? badge("valid, trusted", "ok") : s.status === "untrusted" ? badge("valid signature, certificate NOT trusted", "warn") : badge("INVALID", "bad");
  const rows: HTMLElement[] = [
    h(
      "tr",
      { class: `sig ${s.status}` },
      h("th", { scope: "row" }, s.signer),
      h("td", {}, s.signatureType ?? "originator"),
      h("td", {}, status, s.addressMatch === false ? badge("address does not match From/Sender", "bad") : null),
      h("td", {}, [s.signingTime, s.algorithm].filter((x) => x).join(" · ")),
    ),
  ];
  for (const c of s.countersignatures) {
    rows.push(
      h(
        "tr",
        { class: `countersig ${c.valid && c.trusted ? "valid" : "invalid"}` },
        h("th", { scope: "row" }, `↳ countersigned by ${c.signer}`),
        h("td", {}, "countersignature"),
        h("td", {}, c.valid ? (c.trusted ? badge("valid, trusted", "ok") : badge("valid, NOT trusted", "warn")) : badge("INVALID", "bad")),
        h("td", {}, ""),
      ),
    );
  }
  return rows;
}

export function signaturesTable(v: ReportView): HTMLElement {
  if (v.signatures.length === 0) return h("p", { class: "no-sigs" }, badge("No signature", "bad"), " This message is not signed; nothing in it is verified.");
  return h(
    "table",
    { class: "signatures" },
    h("caption", {}, "Signatures"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Signer"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Details"))),
    h("tbody", {}, v.signatures.flatMap(signatureRow)),
  );
}

export function authorizingUsers(v: ReportView): HTMLElement | null {
  if (v.authorizingUsers.length === 0) return null;
  return h(
    "section",
    { class: "authorizing", "aria-label": "Authorizing users" },
    h("h3", {}, "Released by (authorizing users)"),
    h("ul", {}, v.authorizingUsers.map((a) => h("li", { class: a.ok ? "ok" : "bad", "data-status": a.status }, badge(a.address, a.ok ? "ok" : "bad"), ` ${a.text}`))),
  );
}

export function headerProtection(v: ReportView): HTMLElement {
  const hp = v.headerProtection;
  const scheme =
    hp.scheme === "wrapped" ? `Headers protected (wrapped message, forwarded=${hp.forwarded})` : hp.scheme === "injected" ? "Headers protected (RFC 9788 injected headers)" : "Headers NOT protected";
  return h(
    "section",
    { class: `header-protection ${hp.scheme}`, "data-scheme": hp.scheme, "data-forwarded": hp.forwarded },
    h("h3", {}, "Header protection"),
    h("p", {}, hp.scheme === "none" ? badge(scheme, "warn") : hp.mismatches.length === 0 ? badge(`${scheme} — intact`, "ok") : badge(`${scheme} — ${hp.mismatches.length} MISMATCH(ES)`, "bad")),
    hp.mismatches.length > 0
      ? h(
          "table",
          { class: "mismatches" },
          h("caption", {}, "Outer (unprotected) vs protected header fields — the protected value is the one displayed"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Outer (visible to the webmail)"), h("th", { scope: "col" }, "Protected (signed)"))),
          h("tbody", {}, hp.mismatches.map((m) => h("tr", {}, h("th", { scope: "row" }, m.field), h("td", {}, m.outer ?? "(absent)"), h("td", {}, m.inner ?? "(absent)")))),
        )
      : null,
  );
}

export function notices(v: ReportView): HTMLElement | null {
  const items: HTMLElement[] = [];
  if (v.expiry) items.push(h("li", { class: v.expiry.expired ? "bad" : "info", "data-notice": "expiry" }, v.expiry.expired ? `EXPIRED at ${v.expiry.at}` : `Expires ${v.expiry.at}`));
  if (v.obsoletes.length > 0) items.push(h("li", { class: "info", "data-notice": "obsoletes" }, `This message makes obsolete: ${v.obsoletes.join(", ")}`));
  if (v.layers.length > 0) items.push(h("li", { class: "info" }, `Security layers: ${v.layers.join(" → ")}${v.encrypted ? "" : " (not encrypted)"}`));
  return items.length > 0 ? h("ul", { class: "notices" }, items) : null;
}

export function problems(v: ReportView): HTMLElement | null {
  if (v.problems.length === 0) return null;
  return h("section", { class: "problems-section" }, h("h3", {}, `Problems (${v.problems.length})`), problemList(v.problems));
}

export function messageContent(c: ContentView): HTMLElement {
  const headerTable = (hs: readonly { name: string; value: string }[]) =>
    h("dl", { class: "headers" }, hs.flatMap((x) => [h("dt", {}, x.name), h("dd", {}, x.value)]));
  return h(
    "section",
    { class: "content", "data-header-source": c.headerSource },
    h("h3", {}, c.headerSource === "protected-inner" ? "Message (protected headers shown)" : "Message"),
    headerTable(c.headers),
    c.opaque ? h("p", { class: "opaque" }, badge("The content is inside an opaque S/MIME layer that this view cannot open.", "warn")) : null,
    // a report's human-readable part is already shown in the report section above
    c.body !== null && c.body.trim() !== (c.report?.humanText ?? "").trim() ? h("pre", { class: "body" }, c.body) : null,
    c.forwarded.map((f) =>
      h(
        "article",
        { class: "forwarded", "data-forwarded": f.forwardedParam ?? "absent", "aria-label": "Forwarded message" },
        h("h4", {}, `Forwarded message${f.forwardedParam ? ` (forwarded=${f.forwardedParam})` : ""}`),
        headerTable(f.headers),
        f.body !== null ? h("pre", { class: "body" }, f.body) : null,
      ),
    ),
    c.attachments.length > 0 ? h("p", { class: "attachments" }, `Attachments: ${c.attachments.join(", ")}`) : null,
  );
}

export function dsnView(c: ContentView): HTMLElement | null {
  const r = c.report;
  if (!r) return null;
  if (r.kind === "delivery-status") {
    return h(
      "section",
      { class: "dsn", "data-report": "delivery-status" },
      h("h3", {}, "Delivery status notification"),
      h("p", {}, [r.reportingMta ? `Reported by ${r.reportingMta}` : null, r.envelopeId ? `for message ${r.envelopeId}` : null, r.arrivalDate ? `arrived ${r.arrivalDate}` : null].filter((x) => x).join(" · ")),
      h(
        "table",
        { class: "dsn-recipients" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Recipient"), h("th", { scope: "col" }, "Result"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Diagnostic"))),
        h(
          "tbody",
          {},
          r.recipients.map((x) =>
            h("tr", { class: x.status.startsWith("2.") ? "ok" : x.status.startsWith("4.") ? "warn" : "bad" }, h("th", { scope: "row" }, x.recipient), h("td", {}, `${x.action} — ${statusText(x.status)}`), h("td", {}, x.status), h("td", {}, x.diagnostic ?? "")),
          ),
        ),
      ),
      r.humanText ? h("pre", { class: "body" }, r.humanText) : null,
    );
  }
  return h(
    "section",
    { class: "dsn", "data-report": "disposition-notification" },
    h("h3", {}, "Receipt notification (MDN)"),
    h("p", {}, `Disposition: ${r.disposition ?? "?"}${r.originalMessageId ? ` · for ${r.originalMessageId}` : ""}${r.reportingMta ? ` · by ${r.reportingMta}` : ""}`),
    r.humanText ? h("pre", { class: "body" }, r.humanText) : null,
  );
}
