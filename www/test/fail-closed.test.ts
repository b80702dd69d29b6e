// The reader's fail-closed rules (docs/extension.md "Fail closed"): nothing styled or worded as
// success beside an invalid verdict, problems in the report's order with the first as the
// headline, header fields unverified unless a valid signature covers them, every From shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { viewReport, type CoreReport, type ReportView } from "../src/shared/report.js";
import { knownCodes } from "../src/shared/problems.js";
import { dsnView, reportSections } from "../src/pages/render-report.js";
import type { ContentView } from "../src/core/wasm.js";
import { FakeElement, fake, installFakeDom } from "./fake-dom.js";

installFakeDom();

const countersignature = { signer: "officer@army.example", subject: null, emails: ["officer@army.example"], valid: true, trusted: true, signatureType: "originator", signingTime: null, countersignatures: [], problems: [] };
const signature = {
  layer: 0, index: 0, signer: "alice@army.example", subject: "CN=Alice", emails: ["alice@army.example"], valid: true, trusted: true, addressMatch: true,
  signatureType: "originator", securityLabel: null, signingTime: "2026-11-23T12:00:00Z", digestAlgorithm: "sha-256", signatureAlgorithm: "ecdsa-with-sha256",
  countersignatures: [countersignature], problems: [],
};
const covered = (fields: string[], yes = true) => fields.map((field) => ({ field, covered: yes }));
const MMHS_FIELDS = ["From", "Subject", "MMHS-Primary-Precedence", "MMHS-Copy-Precedence", "MMHS-Message-Type", "SIO-Label", "Expires", "Supersedes", "Disposition-Notification-To"];

/** A released, header-protected FLASH message whose every field is covered: the valid control. */
const released: CoreReport = {
  valid: true,
  layers: ["signed"],
  signatures: [signature],
  securityLabel: { policy: "1.3.26.1.10.1", classification: 4, privacyMark: "NATO", categories: [] },
  headerProtection: { scheme: "wrapped", forwarded: "no", mismatches: [] },
  mmhs: {
    primaryPrecedence: { value: 4, name: "flash" }, copyPrecedence: { value: 1, name: "routine" }, messageType: { value: 0, name: "exercise" },
    expires: { at: "2026-12-01T00:00:00Z", expired: false }, supersedes: ["<old@x>"],
    notifications: { dispositionNotificationTo: [{ address: "alice@army.example" }] },
  },
  authorizingUsers: [{ address: "officer@army.example", status: "countersigned", form: "countersignature" }],
  from: ["alice@army.example"],
  sender: [],
  fieldCoverage: covered(MMHS_FIELDS),
  problems: [],
  notes: [],
};

/** The same message altered after signing: the originator signature fails, the countersignature (over the signature value) still verifies. */
const tampered: CoreReport = {
  ...released,
  valid: false,
  signatures: [{ ...signature, valid: false, problems: [{ code: "message-digest-mismatch", message: "content altered" }] }],
  problems: [{ code: "message-digest-mismatch", message: "content altered" }],
};

/** A certificate from an unknown CA: every signature value verifies, nothing chains. */
const untrustedCa: CoreReport = {
  ...released,
  valid: false,
  signatures: [{ ...signature, trusted: false, countersignatures: [countersignature] }],
  authorizingUsers: [{ address: "officer@army.example", status: "countersigned", form: "countersignature" }],
  problems: [
    { code: "cert-untrusted", message: "no path to a trust anchor" },
    { code: "hp-header-mismatch", message: "Subject differs" },
  ],
  headerProtection: { scheme: "wrapped", forwarded: "no", mismatches: [{ field: "Subject", outer: "x", inner: "y" }] },
};

function render(v: ReportView): FakeElement {
  const root = new FakeElement("div");
  for (const el of reportSections(v)) root.appendChild(fake(el));
  return root;
}

/** Elements styled as success: the `ok` / `valid` classes (ui.css green) or a valid verdict. */
function successStyled(root: FakeElement): FakeElement[] {
  return [...root.all()].filter((e) => e.classList.includes("ok") || e.classList.includes("valid") || e.getAttribute("data-verdict") === "valid");
}

/** Every `tone` in a view, however deep. */
function tones(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(tones);
  if (typeof v !== "object" || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => (k === "tone" && typeof x === "string" ? [x] : tones(x)));
}

const SUCCESS_WORDS = [/✔/, /\bintact\b/, /countersignature valid/, /valid, trusted/, /\bVerified\b/, /signed ESS label/, /(?<![Nn][Oo][Tt] )covered by a valid signature/];

test("control: a valid report with every field covered renders success and verified fields", () => {
  const v = viewReport(released);
  assert.equal(v.overall, "valid");
  assert.ok(successStyled(render(v)).length > 0);
  assert.ok(tones(v).includes("ok"));
  assert.equal(v.headerProtection.intact, true);
  assert.equal(v.label?.verified, true);
  assert.deepEqual([v.primaryPrecedenceVerified, v.copyPrecedenceVerified, v.messageTypeVerified, v.obsoletesVerified, v.expiry?.verified, v.receiptRequest?.verified], [true, true, true, true, true, true]);
  assert.equal(v.authorizingUsers[0]?.tone, "ok");
});

for (const [name, report] of [["a tampered message", tampered], ["an untrusted CA", untrustedCa]] as const) {
  test(`${name} (invalid) with a valid, trusted countersignature: nothing is styled or worded as success`, () => {
    const v = viewReport(report);
    assert.equal(v.overall, "invalid");
    assert.deepEqual(tones(v).filter((t) => t === "ok"), []);
    const root = render(v);
    assert.deepEqual(successStyled(root).map((e) => `${e.tagName}.${e.className}`), []);
    const text = root.textContent;
    for (const w of SUCCESS_WORDS) assert.doesNotMatch(text, w);
    // the countersignature, release state, header protection and label are at best unverified
    const cs = v.signatures[0]?.countersignatures[0];
    assert.equal(cs?.valid, true);
    assert.equal(cs?.tone, "neutral");
    assert.equal(v.authorizingUsers[0]?.tone, "neutral");
    assert.match(v.authorizingUsers[0]?.text ?? "", /not released/);
    assert.equal(v.headerProtection.intact, false);
    assert.notEqual(v.headerProtection.tone, "ok");
    assert.equal(v.label?.verified, false);
    assert.equal(v.primaryPrecedenceVerified, false, "covered fields of an invalid report are unverified");
    assert.ok(v.headerProtection.fieldCoverage?.every((c) => c.tone !== "ok"));
  });
}

test("valid:true beside a listed problem is not valid (fail closed)", () => {
  const v = viewReport({ ...released, problems: [{ code: "cert-untrusted", message: "m" }] });
  assert.equal(v.overall, "invalid");
  assert.deepEqual(tones(v).filter((t) => t === "ok"), []);
});

test("problems are shown in the report's order; the first is the headline", () => {
  const v = viewReport(untrustedCa);
  assert.deepEqual(v.problems.map((p) => p.code), ["cert-untrusted", "hp-header-mismatch"]);
  assert.equal(v.summaryCode, "cert-untrusted");
  assert.ok(v.summary.includes(v.problems[0]?.text ?? "?"), v.summary);
  // the opposite order is kept too: the view never sorts
  const reversed = viewReport({ ...untrustedCa, problems: [...(untrustedCa.problems ?? [])].reverse() });
  assert.deepEqual(reversed.problems.map((p) => p.code), ["hp-header-mismatch", "cert-untrusted"]);
  assert.equal(reversed.summaryCode, "hp-header-mismatch");
  // an unknown code first is still the headline, with the core's own message
  const unknown = viewReport({ ...tampered, problems: [{ code: "brand-new-cause", message: "The core says why" }, ...(tampered.problems ?? [])] });
  assert.equal(unknown.summaryCode, "brand-new-cause");
  assert.match(unknown.summary, /The core says why/);

  const root = render(v);
  const all = [...root.all()];
  const verdict = all.find((e) => e.getAttribute("data-verdict") !== null);
  assert.equal(verdict?.getAttribute("data-code"), "cert-untrusted");
  const shown = all.filter((e) => e.classList.includes("problem")).map((e) => e.getAttribute("data-code"));
  assert.deepEqual(shown, ["cert-untrusted", "hp-header-mismatch"]);
  // the problem list comes before the details a finding is derived from (mismatch table, signatures)
  const at = (pred: (e: FakeElement) => boolean) => all.findIndex(pred);
  const problemsAt = at((e) => e.classList.includes("problems-section"));
  assert.ok(problemsAt > at((e) => e === verdict));
  assert.ok(problemsAt < at((e) => e.classList.includes("header-protection")));
  assert.ok(problemsAt < at((e) => e.classList.includes("signatures")));
});

test("a precedence whose field no valid signature covers is shown as unverified", () => {
  const cases: [string, CoreReport][] = [
    ["covered: false", { ...released, fieldCoverage: [...covered(["MMHS-Primary-Precedence", "MMHS-Copy-Precedence"], false), ...covered(["Subject"])] }],
    ["not listed", { ...released, fieldCoverage: covered(["Subject"]) }],
    ["no fieldCoverage at all", { ...released, fieldCoverage: undefined }],
  ];
  for (const [name, report] of cases) {
    const v = viewReport(report);
    assert.equal(v.overall, "valid", name);
    assert.deepEqual([v.primaryPrecedenceVerified, v.copyPrecedenceVerified], [false, false], name);
    const root = render(v);
    const strip = [...root.all()].find((e) => e.classList.includes("precedence"));
    assert.equal(strip?.getAttribute("data-precedence"), "FLASH", name);
    assert.equal(strip?.getAttribute("data-verified"), "false", name);
    assert.match(strip?.textContent ?? "", /FLASH \(primary\) \(unverified/, name);
    assert.deepEqual(
      [...root.all()].filter((e) => e.classList.includes("unverified")).map((e) => e.getAttribute("data-unverified")).filter((f) => f?.endsWith("Precedence")),
      ["MMHS-Primary-Precedence", "MMHS-Copy-Precedence"],
      name,
    );
  }
  // the field names are matched case-insensitively (RFC 5322 §1.2.2)
  const lower = viewReport({ ...released, fieldCoverage: covered(["mmhs-primary-precedence"]) });
  assert.deepEqual([lower.primaryPrecedenceVerified, lower.copyPrecedenceVerified], [true, false]);
});

test("a label from the SIO-Label header is verified only when a valid signature covers it; the ESS label always is in a valid report", () => {
  const sio = { ...released, securityLabel: null, mmhs: { sioLabel: { policy: "1.3.26.1.10.1", classification: 3, marking: "NATO CONFIDENTIAL" } } };
  assert.equal(viewReport({ ...sio, fieldCoverage: covered(["SIO-Label"]) }).label?.verified, true);
  const uncovered = viewReport({ ...sio, fieldCoverage: covered(["SIO-Label"], false) });
  assert.equal(uncovered.label?.source, "sio");
  assert.equal(uncovered.label?.verified, false);
  assert.match(uncovered.label?.basis ?? "", /unverified/);
  assert.equal(viewReport({ ...sio, fieldCoverage: undefined }).label?.verified, false);
  const ess = viewReport({ ...released, fieldCoverage: undefined });
  assert.equal(ess.label?.source, "ess");
  assert.equal(ess.label?.verified, true);
});

test("every From and Sender address is shown; absence is unknown", () => {
  const v = viewReport({ ...released, valid: false, from: ["alice@army.example", "mallory@army.example"], sender: ["ops@army.example"], problems: [{ code: "originator-field-duplicate", message: "two From fields" }] });
  assert.deepEqual(v.from, ["alice@army.example", "mallory@army.example"]);
  assert.deepEqual(v.sender, ["ops@army.example"]);
  const root = render(v);
  const section = [...root.all()].find((e) => e.classList.includes("originator"));
  assert.ok(section);
  assert.deepEqual([...section.all()].filter((e) => e.classList.includes("address")).map((e) => e.textContent), ["alice@army.example", "mallory@army.example", "ops@army.example"]);
  assert.equal(v.summaryCode, "originator-field-duplicate");
  const none = viewReport({ ...released, from: undefined, sender: undefined });
  assert.equal(none.from, null);
  assert.equal([...render(none).all()].some((e) => e.classList.includes("originator")), false);
  const senderOnly = render(viewReport({ ...released, from: undefined, sender: ["ops@army.example"] }));
  assert.match(senderOnly.textContent, /From.*not reported — unknown/);
});

test("notes are shown and do not change the verdict", () => {
  const v = viewReport({ ...released, notes: [{ code: "hp-forwarded", message: "forwarded=yes" }, { code: "field-not-covered", message: "SIO-Label" }] });
  assert.equal(v.overall, "valid");
  assert.deepEqual(v.notes.map((n) => n.code), ["hp-forwarded", "field-not-covered"]);
  assert.deepEqual(v.problems, []);
  const root = render(v);
  const section = [...root.all()].find((e) => e.classList.includes("notes-section"));
  assert.deepEqual([...(section?.all() ?? [])].filter((e) => e.classList.includes("problem")).map((e) => e.getAttribute("data-code")), ["hp-forwarded", "field-not-covered"]);
});

test("the problem catalogue has the core's codes, one entry per line", () => {
  for (const c of ["signer-cert-ambiguous", "originator-field-duplicate", "countersignature-orphaned", "path-budget-exhausted", "field-not-covered", "hp-forwarded"]) assert.ok(knownCodes().includes(c), c);
  // every code of the problem and note tables of docs/report.md
  const doc = readFileSync(new URL("../../docs/report.md", import.meta.url), "utf8");
  const tables = doc.slice(doc.indexOf("## Problem codes"), doc.indexOf("## Tests"));
  const documented = [...tables.matchAll(/`([a-z][a-z0-9]*(?:-[a-z0-9]+)+)`/g)].map((m) => m[1] ?? "");
  assert.ok(documented.length > 40);
  for (const c of documented) assert.ok(knownCodes().includes(c), `${c} (docs/report.md) is not in the catalogue`);
  // the source lists each code on a line of its own: `  "code": e("text"…),`
  const src = readFileSync(new URL("../src/shared/problems.ts", import.meta.url), "utf8");
  const perLine = src.split("\n").filter((l) => /^ {2}"[a-z0-9-]+": e\(/.test(l)).map((l) => /^ {2}"([a-z0-9-]+)"/.exec(l)?.[1]);
  assert.deepEqual([...perLine].sort(), [...knownCodes()].sort());
});

test("delivered rows of a DSN carried by an invalid (e.g. unsigned) message are not styled as success", () => {
  const dsn: ContentView = {
    headerSource: "outer", headers: [], body: null, html: false, opaque: false, forwarded: [], attachments: [], truncated: false, headerSection: "", originalRecipient: null,
    report: { kind: "delivery-status", reportingMta: "mta.example", envelopeId: null, arrivalDate: null, humanText: null, disposition: null, originalMessageId: null, recipients: [{ recipient: "bob@navy.example", action: "delivered", status: "2.0.0", statusClass: "success", diagnostic: null, remoteMta: null }] },
  };
  const unsigned = viewReport({ valid: false, signatures: [], problems: [{ code: "not-signed", message: "m" }] });
  assert.deepEqual(successStyled(fake(dsnView(dsn, unsigned))), []);
  assert.equal(successStyled(fake(dsnView(dsn, viewReport(released)))).length, 1);
});

test("a header label that disagrees with the signed label is shown first, above the verdict, in its own style", () => {
  const mismatch: CoreReport = {
    ...released,
    valid: false,
    securityLabel: { policy: "1.3.26.1.10.1", classification: 4, categories: [] },
    mmhs: { ...(released.mmhs as Record<string, unknown>), sioLabel: { marking: "UNCLASSIFIED", type: ":ess", ess: { policy: "1.3.26.1.10.1", classification: 1 } } },
    problems: [{ code: "sio-label-mismatch", message: "SIO-Label classification 1, ESS label classification 4" }],
  };
  const v = viewReport(mismatch);
  assert.deepEqual([v.labelDisagreement?.header, v.labelDisagreement?.signed], ["UNCLASSIFIED — UNCLASSIFIED — policy 1.3.26.1.10.1", "SECRET — policy 1.3.26.1.10.1"]);
  const sections = reportSections(v).map(fake);
  assert.equal(sections[0]?.getAttribute("data-code"), "sio-label-mismatch");
  assert.equal(sections[0]?.className, "label-disagreement");
  assert.equal(sections[0]?.getAttribute("role"), "alert");
  const verdictAt = sections.findIndex((s) => s.getAttribute("data-verdict") !== null);
  assert.ok(verdictAt > 0, "the disagreement comes before the verdict");
  // the problems still start with the cause, in the report's order
  assert.equal(v.summaryCode, "sio-label-mismatch");
  // no disagreement box without the problem
  assert.equal(reportSections(viewReport(released)).map(fake).some((s) => s.className === "label-disagreement"), false);
});

test("FLASH and SECRET carry a text marker of their own, not colour alone; ROUTINE and CONFIDENTIAL none", () => {
  const marks = (r: CoreReport) =>
    reportSections(viewReport(r))
      .map(fake)
      .flatMap((s) => [...s.all()])
      .filter((e) => e.getAttribute("data-mark") !== null)
      .map((e) => [e.getAttribute("data-mark"), e.textContent]);
  assert.deepEqual(marks(released), [["urgent", "⚡ URGENT"], ["high", "▲ HIGH CLASSIFICATION"]]);
  const banner = reportSections(viewReport(released)).map(fake).flatMap((s) => [...s.all()]).find((e) => e.classList.includes("label-banner"));
  assert.ok(banner?.classList.includes("high"), "SECRET: the high-classification style");
  assert.match(banner?.getAttribute("aria-label") ?? "", /HIGH CLASSIFICATION/);
  const mmhs = released.mmhs as Record<string, unknown>;
  const routine: CoreReport = {
    ...released,
    securityLabel: { policy: "1.3.26.1.10.1", classification: 3, privacyMark: null, categories: [] },
    mmhs: { ...mmhs, primaryPrecedence: { value: 3, name: "immediate" }, copyPrecedence: { value: 1, name: "routine" } },
  };
  assert.deepEqual(marks(routine), []);
  // OVERRIDE and TOP SECRET are "and higher"
  const top: CoreReport = { ...released, securityLabel: { policy: "1.3.26.1.10.1", classification: 5, privacyMark: null, categories: [] }, mmhs: { ...mmhs, primaryPrecedence: { value: 5, name: "override" } } };
  assert.deepEqual(marks(top).map(([k]) => k), ["urgent", "high"]);
});
