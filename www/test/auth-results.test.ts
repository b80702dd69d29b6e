// The DKIM result the receiving agent recorded (RFC 8601 Authentication-Results, MMHS profile
// §4.1.2) beside the S/MIME verdict: neutral, never a replacement for it — a `dkim=pass` on an
// invalid message leaves the verdict invalid; malformed entries and settings are dropped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { authResults, viewReport, type CoreReport, type ReportView } from "../src/shared/report.js";
import { reportSections } from "../src/pages/render-report.js";
import { authservIds, normaliseSettings, DEFAULT_TRUSTED_AUTHSERV_IDS } from "../src/shared/settings.js";
import { FakeElement, fake, installFakeDom } from "./fake-dom.js";

installFakeDom();

function render(v: ReportView): FakeElement {
  const root = new FakeElement("div");
  for (const el of reportSections(v)) root.appendChild(fake(el));
  return root;
}

const dkimPass = { authservId: "mmhs.localhost", method: "dkim", result: "pass", properties: { "header.d": "army.example", "header.s": "mmhs" } };

/** An unsigned message whose DKIM signature verified at the receiving agent. */
const unsignedWithDkim: CoreReport = {
  valid: false,
  layers: [],
  signatures: [],
  headerProtection: { scheme: "none", forwarded: "absent", mismatches: [] },
  from: ["alice@army.example"],
  sender: [],
  fieldCoverage: [],
  problems: [{ code: "no-signature", message: "no S/MIME signature" }],
  notes: [],
  authenticationResults: [dkimPass],
};

test("DKIM pass beside an invalid S/MIME verdict: shown neutrally, the verdict stays invalid and first", () => {
  const v = viewReport(unsignedWithDkim);
  assert.equal(v.overall, "invalid");
  assert.deepEqual(v.authenticationResults.map((a) => a.text), ["DKIM: pass (army.example)"]);
  const root = render(v);
  const all = [...root.all()];
  const verdictAt = all.findIndex((e) => e.getAttribute("data-verdict") !== null);
  const dkimAt = all.findIndex((e) => e.getAttribute("data-method") === "dkim");
  assert.ok(verdictAt >= 0 && dkimAt > verdictAt, "the DKIM line follows the verdict");
  assert.equal(all[verdictAt]?.getAttribute("data-verdict"), "invalid");
  const dkim = all[dkimAt];
  assert.equal(dkim?.textContent, "DKIM: pass (army.example)");
  // Neutral style: never the verdict's classes, never a success tone.
  const list = all.find((e) => (e.getAttribute("class") ?? "").includes("auth-results"));
  assert.ok(list);
  assert.doesNotMatch(list.getAttribute("class") ?? "", /\b(valid|ok|verdict)\b/);
  assert.doesNotMatch(dkim?.getAttribute("class") ?? "", /\b(valid|ok|verdict)\b/);
});

test("no trusted result: nothing is shown", () => {
  const v = viewReport({ ...unsignedWithDkim, authenticationResults: [] });
  assert.deepEqual(v.authenticationResults, []);
  assert.ok(![...render(v).all()].some((e) => e.getAttribute("data-method") !== null));
});

test("malformed entries are dropped, a missing domain is not invented", () => {
  const got = authResults([
    null,
    "dkim=pass",
    { method: "dkim", result: 1, authservId: "mmhs.localhost" },
    { method: "dkim", result: "fail", authservId: "mmhs.localhost", properties: "header.d=army.example" },
    { method: "dkim", result: "pass", properties: {} },
  ]);
  assert.deepEqual(got.map((a) => a.text), ["DKIM: fail"]);
  assert.equal(authResults("nope").length, 0);
});

test("trusted authserv-ids: the reference webmail's agent by default, user text checked", () => {
  assert.deepEqual(normaliseSettings({}).trustedAuthservIds, ["mmhs.localhost"]);
  assert.deepEqual(DEFAULT_TRUSTED_AUTHSERV_IDS, ["mmhs.localhost"]);
  assert.deepEqual(normaliseSettings({ trustedAuthservIds: [] }).trustedAuthservIds, []);
  assert.deepEqual(authservIds("MX.Army.example, mmhs.localhost mx.army.example"), ["mx.army.example", "mmhs.localhost"]);
  // Not domain names (a quoted id, an injection attempt, a wildcard, a trailing dot) are dropped.
  assert.deepEqual(authservIds(["\"mmhs.localhost\"", "a;dkim=pass", "*.example", "x.example.", "-x.example", 7]), []);
  assert.deepEqual(normaliseSettings({ trustedAuthservIds: "junk;" }).trustedAuthservIds, []);
});
