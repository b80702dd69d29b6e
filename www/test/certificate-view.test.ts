// The certificate detail view (pages/certificate-view.ts) and the signature table's
// "Certificate…" button (render-report.ts), rendered through a minimal fake DOM: "trusted"
// only when the core says so with no problem; an expired certificate says so; the chain ends
// at the anchor; the button only where the reader asks for it and the certificate was found.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CertificateStatus } from "../../src/wasm/api.js";
import { certificateDetail } from "../src/pages/certificate-view.js";
import { signaturesTable } from "../src/pages/render-report.js";
import { viewReport, type CoreReport } from "../src/shared/report.js";
import { fake, installFakeDom } from "./fake-dom.js";

installFakeDom();

const info = (cn: string, emails: string[] = []) => ({ subject: `CN=${cn}`, issuer: "CN=Navy Root", serialNumber: "01", notBefore: "2026-01-01T00:00:00Z", notAfter: "2027-01-01T00:00:00Z", emailAddresses: emails, sha256Fingerprint: `AA:${cn}`, pem: `PEM ${cn}` });
const trusted: CertificateStatus = { certificate: info("Bob", ["bob@navy.example"]), trusted: true, chain: [info("Navy Root")], problems: [], at: "2026-06-01T00:00:00Z" };

function dd(el: ReturnType<typeof fake>, field: string): string | undefined {
  return [...el.all()].find((e) => e.getAttribute("data-field") === field)?.textContent;
}

test("the detail view shows the facts and the chain ending at the anchor", () => {
  const el = fake(certificateDetail(trusted, "Certificate of bob"));
  assert.equal(el.getAttribute("data-trusted"), "true");
  assert.equal(dd(el, "subject"), "CN=Bob");
  assert.equal(dd(el, "issuer"), "CN=Navy Root");
  assert.equal(dd(el, "not-after"), "2027-01-01T00:00:00Z");
  assert.equal(dd(el, "emails"), "bob@navy.example");
  assert.equal(dd(el, "sha256"), "AA:Bob");
  const chain = [...el.all()].filter((e) => e.tagName === "li" && e.getAttribute("data-anchor") !== null);
  assert.deepEqual(chain.map((e) => [e.getAttribute("data-sha256"), e.getAttribute("data-anchor")]), [["AA:Navy Root", "true"]]);
  assert.match(el.textContent, /valid, chains to your trust anchor/);
});

test("not trusted unless the core says trusted with no problem; expired says so", () => {
  const expired = fake(certificateDetail({ ...trusted, trusted: false, chain: [], problems: [{ code: "cert-expired", message: "notAfter passed" }] }, "x"));
  assert.equal(expired.getAttribute("data-trusted"), "false");
  assert.match(expired.textContent, /EXPIRED: not used for encryption/);
  assert.match(expired.textContent, /No path to one of your trust anchors/);
  // a contradictory status (trusted beside a problem) is not shown as trusted
  const odd = fake(certificateDetail({ ...trusted, problems: [{ code: "cert-untrusted", message: "" }] }, "x"));
  assert.equal(odd.getAttribute("data-trusted"), "false");
  assert.doesNotMatch(odd.textContent, /valid, chains/);
});

test("the signature table offers the certificate only when asked and when the certificate was found", () => {
  const sig = { layer: 0, index: 0, signer: "bob@navy.example", subject: "CN=Bob", emails: ["bob@navy.example"], valid: true, trusted: true, addressMatch: true, signatureType: "originator", securityLabel: null, signingTime: null, digestAlgorithm: "sha-256", signatureAlgorithm: "ecdsa-with-sha256", countersignatures: [], problems: [] };
  const report: CoreReport = { valid: true, layers: ["signed"], signatures: [{ ...sig, certificate: "PEM Bob", chain: ["PEM Navy Root"] }, sig], headerProtection: { scheme: "none", forwarded: "absent", mismatches: [] }, from: ["bob@navy.example"], sender: [], problems: [] };
  const v = viewReport(report);
  assert.equal(v.signatures[0]?.certificate, "PEM Bob");
  assert.deepEqual(v.signatures[0]?.chain, ["PEM Navy Root"]);
  const buttons = (on: boolean) => [...fake(signaturesTable(v, on)).all()].filter((e) => e.className === "cert-details").map((e) => e.getAttribute("data-signature"));
  assert.deepEqual(buttons(true), ["0"], "only the signature whose certificate was found");
  assert.deepEqual(buttons(false), [], "not in views that do not wire it");
});
