// Every element of service (draft-melnikov-mmhs-profile-09 §3.2, §3.5, §3.6) from the compose
// form to the core's request, errors tied to their input, and back on the reader: shown, and
// verified only when a valid signature covers the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ELEMENTS, EMPTY_ELEMENTS, elementsRequest, fieldOfError, precedenceRole } from "../src/shared/elements.js";
import { viewReport, type CoreReport } from "../src/shared/report.js";
import { elementsOfService, readerPrecedence } from "../src/pages/render-report.js";
import { fake, installFakeDom } from "./fake-dom.js";

installFakeDom();

const FULL = {
  handlingInstructions: "RXFPA ZOV MINDEF\n",
  messageInstructions: "MINIMIZE CONSIDERED\nNO DISTRIBUTION",
  subjectIndicatorCodes: "SDM KKZ; BRL",
  otherRecipientsIndicatorTo: "UK SHL COS\nUK SHL IM",
  otherRecipientsIndicatorCc: "UK SHL LEGAD",
  originatorReference: " IMSCOM-JIC-612-78 ",
  codressMessageIndicator: "23",
  originatorPlad: "SACLANT",
  acp127MessageIdentifier: "RPDLE 1234 0341215",
  exemptedAddresses: "exempt@army.example\n",
  extendedAuthorisationInfo: "2030-01-02T03:04",
};

test("every element becomes the request member docs/compose.md names", () => {
  const { members, errors } = elementsRequest(FULL);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    { ...members, extendedAuthorisationInfo: typeof members["extendedAuthorisationInfo"] },
    {
      handlingInstructions: ["RXFPA ZOV MINDEF"],
      messageInstructions: ["MINIMIZE CONSIDERED", "NO DISTRIBUTION"],
      subjectIndicatorCodes: ["SDM", "KKZ", "BRL"],
      otherRecipientsIndicatorTo: ["UK SHL COS", "UK SHL IM"],
      otherRecipientsIndicatorCc: ["UK SHL LEGAD"],
      originatorReference: "IMSCOM-JIC-612-78",
      codressMessageIndicator: 23,
      originatorPlad: "SACLANT",
      acp127MessageIdentifier: "RPDLE 1234 0341215",
      exemptedAddresses: ["exempt@army.example"],
      extendedAuthorisationInfo: "string",
    },
  );
  assert.match(String(members["extendedAuthorisationInfo"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // every documented member of the schema table is one the compose docs list
  const doc = readFileSync(new URL("../../docs/compose.md", import.meta.url), "utf8");
  for (const d of ELEMENTS) assert.ok(doc.includes(`\`${d.member}\``), `docs/compose.md lists ${d.member}`);
  assert.deepEqual(elementsRequest(EMPTY_ELEMENTS), { members: {}, errors: [] });
});

test("inputs that cannot become a member are refused at their field", () => {
  const bad = elementsRequest({ ...EMPTY_ELEMENTS, codressMessageIndicator: "12a", originatorReference: "ONE\nInjected: x", extendedAuthorisationInfo: "yesterday" });
  assert.deepEqual(bad.errors.map((e) => e.member).sort(), ["codressMessageIndicator", "extendedAuthorisationInfo", "originatorReference"]);
  assert.equal(bad.members["originatorReference"], undefined, "a header injection attempt never reaches the request");
  assert.equal(elementsRequest({ ...EMPTY_ELEMENTS, codressMessageIndicator: "-1" }).errors[0]?.member, "codressMessageIndicator");
  assert.equal(elementsRequest({ ...EMPTY_ELEMENTS, codressMessageIndicator: "1e3" }).errors[0]?.member, "codressMessageIndicator");
});

test("a core compose error is tied to the field it names (member or header field)", () => {
  assert.equal(fieldOfError("MMHS-Subject-Indicator-Codes: 9 codes, at most 8 allowed"), "subjectIndicatorCodes");
  assert.equal(fieldOfError("MMHS-Handling-Instructions: not a military string"), "handlingInstructions");
  assert.equal(fieldOfError("exemptedAddresses: not an address"), "exemptedAddresses");
  assert.equal(fieldOfError("MMHS-Other-Recipients-Indicator-CC: too long"), "otherRecipientsIndicatorCc");
  assert.equal(fieldOfError("subject: CR in a header value"), null);
  assert.equal(fieldOfError("no field here"), null);
});

test("To recipients act on the primary precedence, Cc and Bcc on the copy precedence", () => {
  assert.deepEqual(precedenceRole("to"), { role: "action", precedence: "primary" });
  assert.deepEqual(precedenceRole("cc"), { role: "information", precedence: "copy" });
  assert.deepEqual(precedenceRole("bcc"), { role: "information", precedence: "copy" });
});

// The reader: the core's MMHS view of tests/vectors/mmhs/rfc6477-all-fields (+ readerPrecedence).
const mmhs = JSON.parse(readFileSync(new URL("../../tests/vectors/mmhs/rfc6477-all-fields.json", import.meta.url), "utf8")) as Record<string, unknown>;
const FIELDS = ["To", "Cc", "MMHS-Primary-Precedence", "MMHS-Copy-Precedence", ...ELEMENTS.map((d) => d.header), "MMHS-Authorizing-Users"];
const sig = { signer: "drafter@hq.example.mil", valid: true, trusted: true, addressMatch: true, signatureType: "originator", countersignatures: [], problems: [] };
const report = (over: Partial<CoreReport> = {}, reader: unknown = { reader: "ops@hq.example.mil", role: "information", field: "Cc", precedence: { value: 0, name: "deferred" } }): CoreReport => ({
  valid: true, layers: ["signed"], signatures: [sig], headerProtection: { scheme: "wrapped", forwarded: "no", mismatches: [] },
  mmhs: { ...mmhs, readerPrecedence: reader }, from: ["drafter@hq.example.mil"], sender: ["releaser@hq.example.mil"],
  fieldCoverage: FIELDS.map((field) => ({ field, covered: true })), problems: [], notes: [], ...over,
});

test("the reader shows every element present, verified when covered in a valid report", () => {
  const v = viewReport(report());
  assert.deepEqual(v.elements.map((e) => e.field), [...ELEMENTS.map((d) => d.header), "MMHS-Authorizing-Users"]);
  assert.ok(v.elements.every((e) => e.verified));
  const codes = v.elements.find((e) => e.field === "MMHS-Subject-Indicator-Codes");
  assert.equal(codes?.value, "SDM KKZ BRL");
  const el = fake(elementsOfService(v));
  assert.match(el.textContent, /RXFPA ZOV MINDEF/);
  assert.match(el.textContent, /Exempt One <exempt1@hq\.example\.mil>/);
  assert.doesNotMatch(el.textContent, /unverified/);
  // the precedence for this reader: information recipient (Cc) → copy precedence
  assert.equal(v.readerPrecedence?.role, "information");
  assert.equal(v.readerPrecedence?.precedence?.name, "DEFERRED");
  assert.equal(v.readerPrecedence?.verified, true);
  assert.match(fake(readerPrecedence(v)).textContent, /copy precedence applies/);
});

test("attack: elements and the reader's precedence prepended outside the signature stay unverified", () => {
  const uncovered = report({ fieldCoverage: FIELDS.map((field) => ({ field, covered: !field.startsWith("MMHS-") })) });
  const v = viewReport(uncovered);
  assert.ok(v.elements.every((e) => !e.verified));
  assert.equal(v.readerPrecedence?.verified, false);
  assert.match(fake(elementsOfService(v)).textContent, /unverified/);
  // an invalid report: nothing verified even when covered
  const invalid = viewReport(report({ valid: false, problems: [{ code: "signature-invalid" }] }));
  assert.ok(invalid.elements.every((e) => !e.verified));
  assert.equal(invalid.readerPrecedence?.verified, false);
  // the To/Cc field that makes the role uncovered: the role is not verified either
  const roleUncovered = viewReport(report({ fieldCoverage: FIELDS.map((field) => ({ field, covered: field !== "Cc" })) }));
  assert.equal(roleUncovered.readerPrecedence?.verified, false);
});

test("not listed: no precedence is claimed for the reader; a Bcc copy is said to be one", () => {
  const v = viewReport(report({}, { reader: "eve@x.example", role: "notListed" }));
  assert.equal(v.readerPrecedence?.role, "notListed");
  assert.equal(v.readerPrecedence?.precedence, null);
  assert.match(v.readerPrecedence?.text ?? "", /not known/);
  const bcc = viewReport(report({ mmhs: { ...mmhs, recipients: { to: 1, cc: 0, bcc: 1, bccField: true } } }));
  assert.equal(bcc.blindCopy, true);
  assert.match(fake(readerPrecedence(bcc)).textContent, /blind copy/);
  // an unknown role string is never promoted to action
  assert.equal(viewReport(report({}, { reader: "x@y", role: "commander", field: "To", precedence: 5 })).readerPrecedence?.role, "notListed");
});
