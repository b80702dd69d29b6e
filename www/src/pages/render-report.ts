/** DOM rendering of a ReportView + ContentView (reader and release preview share it). */
import type { ContentView, DsnRecipient } from "../core/wasm.js";
import { h } from "../shared/dom.js";
import { attachmentList, type FetchAttachment } from "./attachments.js";
import { problemList } from "../shared/problem-ui.js";
import type { ReportView, SignatureView, Tone } from "../shared/report.js";
import { badge, mark } from "./common.js";
import { MARKS } from "../shared/mmhs.js";

/** Marks an element drawn from a header field that no valid signature covers. */
function unverifiedMark(verified: boolean, what: string): HTMLElement | null {
  return verified ? null : h("span", { class: "unverified", "data-unverified": what }, " (unverified: not covered by a valid signature)");
}

export function precedenceStrip(v: ReportView): HTMLElement | null {
  if (!v.primaryPrecedence && !v.copyPrecedence) return null;
  const parts: HTMLElement[] = [];
  if (v.primaryPrecedence) parts.push(h("span", { class: "prec-primary", "data-verified": String(v.primaryPrecedenceVerified) }, `${v.primaryPrecedence.name} (primary)`, unverifiedMark(v.primaryPrecedenceVerified, "MMHS-Primary-Precedence")));
  if (v.copyPrecedence) parts.push(h("span", { class: "prec-copy", "data-verified": String(v.copyPrecedenceVerified) }, `${v.copyPrecedence.name} (copy)`, unverifiedMark(v.copyPrecedenceVerified, "MMHS-Copy-Precedence")));
  const top = v.primaryPrecedence?.urgent ? v.primaryPrecedence : v.copyPrecedence?.urgent ? v.copyPrecedence : v.primaryPrecedence ?? v.copyPrecedence;
  const urgentName = top?.name ?? "";
  const verified = (!v.primaryPrecedence || v.primaryPrecedenceVerified) && (!v.copyPrecedence || v.copyPrecedenceVerified);
  return h(
    "div",
    { class: `precedence ${v.urgent ? `urgent ${urgentName.toLowerCase()}` : "normal"}`, role: v.urgent ? "alert" : "note", "data-precedence": urgentName, "data-verified": String(verified) },
    v.urgent ? mark("urgent") : null,
    v.urgent ? h("span", { class: "precedence-big" }, urgentName) : null,
    h("span", { class: "precedence-text" }, "Precedence: ", ...parts.flatMap((p, i) => (i === 0 ? [p] : [" · ", p]))),
    v.messageType ? h("span", { class: "message-type" }, ` · Message type: ${v.messageType}`, unverifiedMark(v.messageTypeVerified, "MMHS-Message-Type")) : null,
  );
}

export function labelBanner(v: ReportView): HTMLElement {
  if (!v.label) {
    return h("div", { class: "label-banner none", role: "note", "data-classification": "none" }, "NO SECURITY LABEL");
  }
  const l = v.label;
  return h(
    "div",
    { class: `label-banner${l.high ? " high" : ""}`, role: "note", style: `color:${l.fg};background:${l.bg}`, "data-classification": l.classification, "data-verified": String(l.verified), "aria-label": `Security label ${l.text}${l.high ? ` (${MARKS.high.text})` : ""}` },
    l.high ? mark("high") : null,
    h("span", { class: "label-text" }, l.text),
    h(
      "span",
      { class: "label-detail" },
      [l.privacyMark && !l.text.includes(l.privacyMark) ? `Privacy mark: ${l.privacyMark}` : null, l.policy ? `Policy ${l.policy}` : null, l.basis]
        .filter((x): x is string => x !== null)
        .join(" · "),
    ),
  );
}

/**
 * The header marking (SIO-Label) says one classification and the signature another
 * (`sio-label-mismatch`, MMHS profile §4.2.5, RFC 7444 §1.3): shown before everything else,
 * the verdict included, because a reader must not act on either marking before resolving it.
 */
export function labelDisagreement(v: ReportView): HTMLElement | null {
  const d = v.labelDisagreement;
  if (!d) return null;
  return h(
    "section",
    { class: "label-disagreement", role: "alert", "data-code": "sio-label-mismatch", "aria-label": "Security label disagreement" },
    h("h3", {}, "SECURITY LABELS DISAGREE"),
    h("p", {}, "The label in the message header differs from the label the signature carries. Handle the message at the higher marking and report it."),
    h("dl", { class: "headers" }, h("dt", {}, "Header (SIO-Label)"), h("dd", { "data-label": "header" }, d.header), h("dt", {}, "Signed (ESS label)"), h("dd", { "data-label": "signed" }, d.signed)),
    h("p", { class: "detail" }, d.message),
  );
}

/** The precedence that applies to this reader (action: primary; information: copy), and a blind copy. */
export function readerPrecedence(v: ReportView): HTMLElement | null {
  const r = v.readerPrecedence;
  if (!r && !v.blindCopy) return null;
  return h(
    "section",
    { class: "reader-precedence", "aria-label": "Your precedence", "data-role": r?.role ?? "unknown", "data-verified": String(r?.verified ?? false), "data-precedence": r?.precedence?.name ?? "" },
    r ? h("p", {}, r.text, unverifiedMark(r.verified, "reader precedence")) : null,
    v.blindCopy ? h("p", { class: "bcc-notice", "data-notice": "bcc" }, "You received a blind copy (Bcc): the other recipients do not see that you received it.") : null,
  );
}

/** The other elements of service (profile §3.2, §3.5, §3.6) the header carries. */
export function elementsOfService(v: ReportView): HTMLElement | null {
  if (v.elements.length === 0) return null;
  return h(
    "section",
    { class: "elements", "aria-label": "Elements of service" },
    h("h3", {}, "Elements of service"),
    h("dl", { class: "headers" }, v.elements.flatMap((e) => [h("dt", {}, e.label), h("dd", { "data-element": e.field, "data-verified": String(e.verified) }, e.value, unverifiedMark(e.verified, e.field))])),
  );
}

/** A received signed receipt (RFC 2634 §2.4), verified only against the original. */
export function signedReceipt(v: ReportView): HTMLElement | null {
  const r = v.signedReceipt;
  if (!r) return null;
  return h(
    "section",
    { class: "signed-receipt", "aria-label": "Signed receipt", "data-receipt-verified": String(r.verified), "data-receipt-identifier": r.identifier ?? "" },
    h("h3", {}, "Signed receipt"),
    h("p", {}, badge(r.text, r.tone), r.signingTime ? ` · signed ${r.signingTime}` : ""),
  );
}

export function clearWarning(v: ReportView): HTMLElement | null {
  if (!v.clearService) return null;
  return h("div", { class: "clear-warning", role: "alert" }, "CLEAR SERVICE: this classified message was transmitted over NON-SECURE communication links.");
}

/** The verdict; when invalid its headline is the report's first problem (`data-code`). */
export function verdict(v: ReportView): HTMLElement {
  return h("div", { class: `verdict ${v.overall}`, role: v.overall === "valid" ? "status" : "alert", "data-verdict": v.overall, "data-code": v.summaryCode }, v.overall === "valid" ? "✔ " : "✖ ", v.summary);
}

/**
 * What the trusted receiving agent recorded (DKIM, RFC 8601), beside the verdict in a neutral
 * style: a `dkim=pass` says which domain's key signed the message in transit, not who wrote it,
 * so it never looks like (or replaces) the S/MIME verdict.
 */
export function authenticationResults(v: ReportView): HTMLElement | null {
  if (v.authenticationResults.length === 0) return null;
  return h(
    "ul",
    { class: "auth-results neutral", "aria-label": "Checked by the receiving mail agent (not the S/MIME verdict)" },
    ...v.authenticationResults.map((a) => h("li", { "data-method": a.method, "data-result": a.result, title: `recorded by ${a.authservId}` }, a.text)),
  );
}

/**
 * The report in reading order: the verdict (headline = the first problem), then the problems
 * in the report's order, before any detail from which a finding is derived.
 */
export function reportSections(v: ReportView, settingsWarning: HTMLElement | null = null, certificateButtons = false): HTMLElement[] {
  return [
    labelDisagreement(v),
    precedenceStrip(v),
    labelBanner(v),
    clearWarning(v),
    verdict(v),
    authenticationResults(v),
    problems(v),
    notes(v),
    settingsWarning,
    originator(v),
    readerPrecedence(v),
    notices(v),
    signedReceipt(v),
    elementsOfService(v),
    signaturesTable(v, certificateButtons),
    authorizingUsers(v),
    headerProtection(v),
  ].filter(
    (x): x is HTMLElement => x !== null,
  );
}

/** Row classes: `valid` only for a success tone (never beside an invalid verdict). */
function rowState(tone: Tone, status: string): string {
  return tone === "ok" ? "valid" : tone === "neutral" ? "unverified" : status;
}

function signatureRow(s: SignatureView, index: number, certificateButton: boolean): HTMLElement[] {
  const rows: HTMLElement[] = [
    h(
      "tr",
      { class: `sig ${rowState(s.tone, s.status)}`, "data-status": s.status },
      h("th", { scope: "row" }, s.signer),
      h("td", {}, s.signatureType ?? "originator", s.agentDomain !== null ? h("span", { class: "agent-domain", "data-agent-domain": s.agentDomain }, ` (agent of ${s.agentDomain})`) : null),
      h(
        "td",
        {},
        badge(s.statusText, s.tone),
        s.addressMatch === false ? badge("address does not match From/Sender", "bad") : null,
        // draft-melnikov-smime-msa-to-mda-04 §2.6: a violation MUST be flagged (fail closed).
        s.namingOk === false ? h("span", { class: "naming-failed", "data-naming": "false" }, badge(`NAMING RULE FAILED: the signing agent${s.agentDomain ? ` (${s.agentDomain})` : ""} does not serve the sender's domain`, "bad")) : null,
      ),
      h(
        "td",
        {},
        [s.signingTime, s.algorithm].filter((x) => x).join(" · "),
        // The detail view (reader.ts) of the certificate this signature's SignerIdentifier named.
        certificateButton && s.certificate !== null ? h("button", { type: "button", class: "cert-details", "data-signature": String(index) }, "Certificate…") : null,
      ),
    ),
  ];
  for (const c of s.countersignatures) {
    rows.push(
      h(
        "tr",
        { class: `countersig ${rowState(c.tone, c.valid ? (c.trusted ? "valid" : "untrusted") : "invalid")}` },
        h("th", { scope: "row" }, `↳ countersigned by ${c.signer}`),
        h("td", {}, "countersignature"),
        h("td", {}, badge(c.statusText, c.tone)),
        h("td", {}, ""),
      ),
    );
  }
  return rows;
}

/** With `certificateButtons`, a "Certificate…" button per signature whose certificate was found (the reader wires it). */
export function signaturesTable(v: ReportView, certificateButtons = false): HTMLElement {
  if (v.signatures.length === 0) return h("p", { class: "no-sigs" }, badge("No signature", "bad"), " This message is not signed; nothing in it is verified.");
  return h(
    "table",
    { class: "signatures" },
    h("caption", {}, "Signatures"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Signer"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Details"))),
    h("tbody", {}, v.signatures.flatMap((s, i) => signatureRow(s, i, certificateButtons))),
  );
}

export function authorizingUsers(v: ReportView): HTMLElement | null {
  if (v.authorizingUsers.length === 0) return null;
  return h(
    "section",
    { class: "authorizing", "aria-label": "Authorizing users" },
    h("h3", {}, "Authorizing users (MMHS-Authorizing-Users)"),
    h("ul", {}, v.authorizingUsers.map((a) => h("li", { class: a.tone, "data-status": a.status }, badge(a.address, a.tone), ` ${a.text}`))),
  );
}

/** Every From and Sender address of the header read, as the core reports them. */
export function originator(v: ReportView): HTMLElement | null {
  if (v.from === null && v.sender === null) return null;
  const row = (name: string, list: readonly string[] | null) => [
    h("dt", {}, name),
    h("dd", { "data-field": name }, list === null ? "not reported — unknown" : list.length === 0 ? "(none)" : list.flatMap((a, i) => [i === 0 ? null : ", ", h("span", { class: "address" }, a)])),
  ];
  const basis = v.fromVerified
    ? badge("signed by the sender", "ok")
    : v.verifiedDomain !== null
      ? badge(`only the domain ${v.verifiedDomain} is verified — not this mailbox`, "warn")
      : badge("not verified by an originator signature", "neutral");
  return h(
    "section",
    { class: "originator", "aria-label": "Originator", "data-from-verified": String(v.fromVerified) },
    h("dl", { class: "headers" }, ...row("From", v.from), ...(v.sender === null || v.sender.length === 0 ? [] : row("Sender", v.sender))),
    h("p", { class: "originator-basis" }, basis),
  );
}

export function headerProtection(v: ReportView): HTMLElement {
  const hp = v.headerProtection;
  return h(
    "section",
    { class: `header-protection ${hp.scheme}`, "data-scheme": hp.scheme, "data-forwarded": hp.forwarded },
    h("h3", {}, "Header protection"),
    h("p", {}, badge(hp.text, hp.tone)),
    hp.mismatches.length > 0
      ? h(
          "table",
          { class: "mismatches" },
          h("caption", {}, "Outer (unprotected) vs protected header fields — the protected value is the one displayed"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Outer (visible to the webmail)"), h("th", { scope: "col" }, "Protected (signed)"))),
          h("tbody", {}, hp.mismatches.map((m) => h("tr", {}, h("th", { scope: "row" }, m.field), h("td", {}, m.outer ?? "(absent)"), h("td", {}, m.inner ?? "(absent)")))),
        )
      : null,
    hp.fieldCoverage === null
      ? h("p", { class: "coverage-unknown" }, badge("Which header fields a signature covers is not reported: every header field is unverified.", "neutral"))
      : hp.fieldCoverage.length > 0
        ? h(
            "table",
            { class: "coverage" },
            h("caption", {}, "Header fields covered by a signature"),
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Coverage"))),
            h("tbody", {}, hp.fieldCoverage.map((c) => h("tr", { "data-field": c.field, "data-covered": String(c.covered) }, h("th", { scope: "row" }, c.field), h("td", {}, badge(c.text, c.tone))))),
          )
        : null,
  );
}

export function notices(v: ReportView): HTMLElement | null {
  const items: HTMLElement[] = [];
  if (v.expiry) items.push(h("li", { class: v.expiry.expired ? "bad" : "info", "data-notice": "expiry" }, v.expiry.expired ? `EXPIRED at ${v.expiry.at}` : `Expires ${v.expiry.at}`, unverifiedMark(v.expiry.verified, "Expires")));
  if (v.obsoletes.length > 0) items.push(h("li", { class: "info", "data-notice": "obsoletes" }, `This message makes obsolete: ${v.obsoletes.join(", ")}`, unverifiedMark(v.obsoletesVerified, "Supersedes")));
  if (v.layers.length > 0) items.push(h("li", { class: "info" }, `Security layers: ${v.layers.join(" → ")}${v.encrypted ? "" : " (not encrypted)"}`));
  if (v.encryptedFor.length > 0) items.push(h("li", { class: "info", "data-notice": "encrypted-for" }, `Encrypted for: ${v.encryptedFor.join(", ")}`));
  for (const m of v.mailListExpansions) items.push(h("li", { class: "info", "data-notice": "ml-expanded" }, `Expanded by mailing list ${m}`));
  for (const d of v.gatewayDecrypted)
    items.push(h("li", { class: "warn", "data-notice": "gateway-decrypted", "data-domain": d }, `Decrypted by the S/MIME gateway of ${d} before delivery: NOT encrypted to you end to end.`));
  return items.length > 0 ? h("ul", { class: "notices" }, items) : null;
}

/** The report's problems in the report's order (the first is the cause). */
export function problems(v: ReportView): HTMLElement | null {
  if (v.problems.length === 0) return null;
  return h("section", { class: "problems-section" }, h("h3", {}, `Problems (${v.problems.length})`), problemList(v.problems));
}

/** Informational findings (`notes`): they do not change the verdict. */
export function notes(v: ReportView): HTMLElement | null {
  if (v.notes.length === 0) return null;
  return h("section", { class: "notes-section" }, h("h3", {}, `Notes (${v.notes.length})`), problemList(v.notes));
}

/** Human reading of a status class (RFC 3463 §3.1, as the core classified the code). */
function statusText(r: DsnRecipient): string {
  switch (r.statusClass) {
    case "success":
      return "delivered";
    case "transient-failure":
      return "delayed (temporary failure)";
    case "permanent-failure":
      return "failed (permanent)";
    default:
      return "unknown status";
  }
}

/**
 * The message itself as the core read it (wasm `readContent`): the displayed header fields,
 * the text body, forwarded messages and the attachments with Open / Download (`fetchBytes`
 * asks the core for one attachment's octets).
 */
export function messageContent(c: ContentView, fetchBytes: FetchAttachment): HTMLElement {
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
    c.html && c.body === null ? h("p", { class: "hint" }, "This message has only an HTML version, which is not displayed.") : null,
    c.forwarded.map((f) =>
      h(
        "article",
        { class: "forwarded", "data-forwarded": f.forwardedParam ?? "absent", "aria-label": "Forwarded message" },
        h("h4", {}, `Forwarded message${f.forwardedParam ? ` (forwarded=${f.forwardedParam})` : ""}`),
        headerTable(f.headers),
        f.body !== null ? h("pre", { class: "body" }, f.body) : null,
      ),
    ),
    attachmentList(c.attachments, fetchBytes),
    c.truncated ? h("p", { class: "hint", "data-truncated": "true" }, "Part of the message is not shown: it has more parts or deeper nesting than the reader reads, or a header section too large to read.") : null,
  );
}

/**
 * A delivery or disposition report carried by the message. Its "delivered" rows are styled as
 * success only when the report of the message carrying them is valid: an unsigned or altered
 * DSN (RFC 3464) proves nothing.
 */
export function dsnView(c: ContentView, v: ReportView): HTMLElement | null {
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
            h("tr", { class: x.statusClass === "success" ? (v.overall === "valid" ? "ok" : "unverified") : x.statusClass === "transient-failure" ? "warn" : "bad" }, h("th", { scope: "row" }, x.recipient), h("td", {}, `${x.action} — ${statusText(x)}`), h("td", {}, x.status), h("td", {}, x.diagnostic ?? "")),
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
