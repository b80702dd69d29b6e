// Domain security in the reader (docs/extension.md, docs/domain.md): per signature its type,
// the naming-rule verdict (a failed rule flagged in the problem style, draft-melnikov-smime-
// msa-to-mda-04 §2.6 "MUST be flagged to the user") and the agent's domain; a message verified
// only by a domain signature says "verified by domain …" and never presents the From as
// verified (§3.3: "the only assumption that can be made is the domain the message originated
// from"); what a gateway decrypted is never shown as encrypted to the reader.
import { test } from "node:test";
import assert from "node:assert/strict";
import { viewReport, type CoreReport, type ReportView } from "../src/shared/report.js";
import { reportSections } from "../src/pages/render-report.js";
import { FakeElement, fake, installFakeDom } from "./fake-dom.js";

installFakeDom();

function render(v: ReportView): FakeElement {
  const root = new FakeElement("div");
  for (const el of reportSections(v)) root.appendChild(fake(el));
  return root;
}

const domainSignature = {
  layer: 0, index: 0, signer: "smtp://army.example", subject: "CN=army-mta", emails: [], valid: true, trusted: true, addressMatch: null,
  namingOk: true, agentDomain: "army.example", signatureType: "domain", securityLabel: null, signingTime: null, countersignatures: [], problems: [],
};

/** What the core reports for a message carrying only army.example's domain signature. */
const domainOnly: CoreReport = {
  valid: true,
  layers: ["signed", "signed"],
  signatures: [domainSignature],
  headerProtection: { scheme: "none", forwarded: "absent", mismatches: [] },
  from: ["alice@army.example"],
  sender: [],
  domainVerified: true,
  fieldCoverage: [{ field: "From", covered: false }],
  problems: [],
  notes: [{ code: "empty-signature-layer", message: "layer 1" }],
};

test("a message verified only by its domain: the headline names the domain, the From is not verified", () => {
  const v = viewReport(domainOnly);
  assert.equal(v.overall, "valid");
  assert.equal(v.verifiedDomain, "army.example");
  assert.equal(v.fromVerified, false);
  assert.match(v.summary, /^Verified by domain army\.example/);
  assert.match(v.summary, /NOT verified/);
  const s = v.signatures[0];
  assert.equal(s?.signatureType, "domain");
  assert.equal(s?.namingOk, true);
  assert.equal(s?.agentDomain, "army.example");
  const root = render(v);
  const text = root.textContent;
  assert.match(text, /only the domain army\.example is verified — not this mailbox/);
  assert.doesNotMatch(text, /signed by the sender/);
  const originator = [...root.all()].find((e) => e.getAttribute("data-from-verified") !== null);
  assert.equal(originator?.getAttribute("data-from-verified"), "false");
  assert.ok([...root.all()].some((e) => e.getAttribute("data-agent-domain") === "army.example"));
});

test("with alice's originator signature inside, the From is the sender's own", () => {
  const alice = { ...domainSignature, layer: 1, signer: "alice@army.example", emails: ["alice@army.example"], addressMatch: true, namingOk: undefined, agentDomain: undefined, signatureType: "originator" };
  const v = viewReport({ ...domainOnly, signatures: [domainSignature, alice] });
  assert.equal(v.fromVerified, true);
  assert.equal(v.verifiedDomain, null);
  assert.match(v.summary, /^Verified: every signature/);
  assert.match(render(v).textContent, /signed by the sender/);
});

test("a rogue agent (evil.example signing for army.example) is flagged in the problem style", () => {
  const rogue = { ...domainSignature, signer: "smtp://evil.example", namingOk: false, agentDomain: "evil.example", problems: [{ code: "domain-naming-mismatch", message: "evil.example does not serve army.example" }] };
  const v = viewReport({ ...domainOnly, valid: false, domainVerified: false, signatures: [rogue], problems: [{ code: "domain-naming-mismatch", message: "evil.example does not serve army.example" }, { code: "no-originator-signature", message: "m" }] });
  assert.equal(v.overall, "invalid");
  assert.equal(v.summaryCode, "domain-naming-mismatch");
  assert.equal(v.verifiedDomain, null);
  assert.equal(v.fromVerified, false);
  const root = render(v);
  const flag = [...root.all()].find((e) => e.getAttribute("data-naming") === "false");
  assert.ok(flag, "the naming failure is rendered");
  assert.match(flag.textContent, /NAMING RULE FAILED.*evil\.example/);
  assert.ok([...flag.all()].some((e) => e.classList.includes("bad")));
  assert.doesNotMatch(root.textContent, /Verified by domain/);
});

test("fail closed: domainVerified beside an invalid verdict, or without a correctly named domain signature, verifies no domain", () => {
  const invalid = viewReport({ ...domainOnly, valid: false, problems: [{ code: "cert-untrusted", message: "m" }] });
  assert.equal(invalid.verifiedDomain, null);
  assert.doesNotMatch(render(invalid).textContent, /Verified by domain/);
  const unnamed = viewReport({ ...domainOnly, signatures: [{ ...domainSignature, namingOk: undefined }] });
  assert.equal(unnamed.verifiedDomain, null);
  const claimOnly = viewReport({ ...domainOnly, domainVerified: "true" });
  assert.equal(claimOnly.verifiedDomain, null);
  assert.equal(claimOnly.fromVerified, false);
});

test("content a gateway decrypted is never shown as encrypted to the reader; domain recipients are named", () => {
  const v = viewReport({ ...domainOnly, gatewayDecrypted: ["navy.example"], notes: [{ code: "gateway-decrypted", message: "m" }] });
  assert.deepEqual(v.gatewayDecrypted, ["navy.example"]);
  assert.equal(v.encrypted, false);
  const text = render(v).textContent;
  assert.match(text, /Decrypted by the S\/MIME gateway of navy\.example before delivery: NOT encrypted to you end to end/);
  assert.match(text, /not encrypted/);
  const e = viewReport({
    ...domainOnly,
    layers: ["enveloped", "signed"],
    encryption: [{ layer: 0, recipients: [{ certificate: "bob@navy.example", kind: "personal", decryptedHere: true }, { certificate: "smtp://navy.example", kind: "dca", domain: "navy.example", decryptedHere: false }, { certificate: null, kind: null, decryptedHere: false }] }],
  });
  assert.deepEqual(e.encryptedFor, ["bob@navy.example", "the domain confidentiality authority of navy.example"]);
  const ml = viewReport({ ...domainOnly, signatures: [{ ...domainSignature, mlExpansionHistory: [{ mailListIdentifier: "issuer \"CN=Root\" serial 6004", expansionTime: "2026-12-04T11:00:00Z" }] }] });
  assert.deepEqual(ml.mailListExpansions, ['issuer "CN=Root" serial 6004 at 2026-12-04T11:00:00Z']);
  assert.match(render(ml).textContent, /Expanded by mailing list issuer "CN=Root" serial 6004/);
  assert.match(render(e).textContent, /Encrypted for: bob@navy\.example, the domain confidentiality authority of navy\.example/);
});
